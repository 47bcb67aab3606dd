//! Building a finding from a rule that fired: its place, message and snippet, with the prose
//! cap applied; for structured matches, the line that introduced the value and one finding
//! per decision.

use crate::change::{ChangedFile, Side};
use crate::finding::{Finding, capped};
use crate::matching::image;
use crate::matching::pattern::LazyRegex;
use crate::matching::structured::{Sides, StructuredHit};
use crate::rules::Rule;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;

/// How many places a finding about a shared value names before "and N more".
const PLACES_NAMED: usize = 5;

/// The longest snippet kept in a finding, in characters.
const SNIPPET_CHARS: usize = 200;

/// Builds a finding with the prose cap applied.
pub(super) fn finding(
    rule: &Rule,
    file: &ChangedFile,
    place: Option<(u32, Side)>,
    message: String,
    snippet: Option<&str>,
) -> Finding {
    Finding {
        rule: rule.id.clone(),
        severity: capped(rule.severity, &file.path),
        path: file.path.clone(),
        line: place.map(|(l, _)| l),
        side: place.and_then(|(_, s)| (s == Side::Base).then_some(Side::Base)),
        message,
        snippet: snippet.map(shorten),
        suppressed: None,
        origin: None,
    }
}

/// The findings of one rule's structured matches on one file (read as `sides`). Each lands on
/// the line that introduced it: the value's own line when the change touched it, else the
/// nearest alias or merge key on the way there that the change touched (a service switched to
/// another anchor), else the value's line. Matches that land on one line with one value are one
/// decision (an anchor five services use), so one finding, naming the other places.
pub(super) fn structured_findings(
    rule: &Rule,
    file: &ChangedFile,
    hits: Vec<StructuredHit>,
    sides: &Sides,
) -> Vec<Finding> {
    let touched: HashSet<(Side, u32)> = file.lines().iter().map(|l| (l.side, l.line)).collect();
    let placed = decisions(hits, |hit| {
        let changed = |line: u32| touched.contains(&(hit.side, line));
        let via = hit.via.iter().rev().copied().find(|&l| changed(l));
        let line = if changed(hit.line) {
            hit.line
        } else {
            via.unwrap_or(hit.line)
        };
        Some((line, hit.side))
    });
    placed
        .into_iter()
        .map(|Decision { place, hit, others }| {
            let mut message = hit_message(rule, &file.path, &hit);
            if !others.is_empty() {
                let mut places = vec![hit.identity.clone()];
                places.extend(others);
                message.push_str(&format!(" (one value, used at {})", named(&places)));
            }
            let text = match hit.side {
                Side::Head => sides.head(),
                Side::Base => sides.base(),
            };
            let snippet = text
                .and_then(|t| t.lines().nth(place.0.saturating_sub(1) as usize))
                .unwrap_or(hit.value.as_str());
            finding(rule, file, Some(place), message, Some(snippet))
        })
        .collect()
}

/// One decision: the structured matches reported at one place with one value.
pub(super) struct Decision<P> {
    /// Where it is reported.
    pub place: P,
    /// The first match.
    pub hit: StructuredHit,
    /// The identities of the other matches.
    pub others: Vec<String>,
}

/// Groups matches by the place `place` gives them (`None`: not reported) and their value (for
/// a value computed from template parameters, the parameters it used: a default several images
/// use is one decision), in order of first appearance.
pub(super) fn decisions<P: Eq + Hash + Clone>(
    hits: Vec<StructuredHit>,
    place: impl Fn(&StructuredHit) -> Option<P>,
) -> Vec<Decision<P>> {
    let mut out: Vec<Decision<P>> = Vec::new();
    let mut index: HashMap<(P, String), usize> = HashMap::new();
    for hit in hits {
        let Some(at) = place(&hit) else { continue };
        let decided_by = if hit.computed && !hit.vars.is_empty() {
            hit.vars.join("\0")
        } else {
            hit.value.clone()
        };
        match index.entry((at.clone(), decided_by)) {
            Entry::Occupied(i) => out[*i.get()].others.push(hit.identity),
            Entry::Vacant(slot) => {
                slot.insert(out.len());
                out.push(Decision {
                    place: at,
                    hit,
                    others: Vec::new(),
                });
            }
        }
    }
    out
}

/// A structured rule's message for one match, placeholders filled in.
pub(super) fn hit_message(rule: &Rule, path: &str, hit: &StructuredHit) -> String {
    rule.message.render_with(path, |g| match g {
        "value" => Some(hit.value.as_str()),
        "was" => Some(hit.was.as_str()),
        "key" => Some(hit.key.as_str()),
        "where" => Some(hit.identity.as_str()),
        _ => None,
    })
}

/// Places in documents as people read them (without the `#0.` that numbers a file's unnamed
/// documents), the first few named: "services.web.image, services.worker.image and 3 more".
pub(super) fn named(places: &[String]) -> String {
    let shown: Vec<&str> = places
        .iter()
        .take(PLACES_NAMED)
        .map(|p| shown_path(p))
        .collect();
    match places.len().saturating_sub(PLACES_NAMED) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// A path in a document without the `#N.` that numbers the documents of a file when there is
/// no other name for them.
fn shown_path(identity: &str) -> &str {
    match identity.strip_prefix('#') {
        Some(rest) => rest
            .split_once('.')
            .filter(|(n, _)| n.bytes().all(|b| b.is_ascii_digit()))
            .map_or(identity, |(_, path)| path),
        None => identity,
    }
}

/// The message of `rule` for the match of `regex` (its `added` or `removed`) at byte `at` of
/// `text`, in the file at `path`; `None` when the rule's image class check fails.
pub(super) fn message(
    rule: &Rule,
    regex: &LazyRegex,
    path: &str,
    text: &str,
    at: usize,
) -> Option<String> {
    let needs_caps = rule.message.needs_captures() || !rule.image.is_empty();
    let caps = needs_caps.then(|| regex.captures_at(text, at)).flatten();
    if !rule.image.is_empty() {
        let class_ok = caps
            .as_ref()
            .and_then(|c| c.name("image"))
            .is_some_and(|m| {
                let image = String::from_utf8_lossy(m.as_bytes());
                image::looks_like_image(&image) && rule.image.contains(&image::classify(&image))
            });
        if !class_ok {
            return None;
        }
    }
    Some(rule.message.render(path, caps.as_ref()))
}

fn shorten(text: &str) -> String {
    let trimmed = text.trim();
    match trimmed.char_indices().nth(SNIPPET_CHARS) {
        Some((cut, _)) => format!("{}…", &trimmed[..cut]),
        None => trimmed.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_named_as_people_read_them() {
        let places: Vec<String> = (0..7).map(|i| format!("#0.services.s{i}.image")).collect();
        assert_eq!(
            named(&places),
            "services.s0.image, services.s1.image, services.s2.image, services.s3.image, services.s4.image and 2 more"
        );
        assert_eq!(
            named(&["Deployment/web.spec".into()]),
            "Deployment/web.spec"
        );
        assert_eq!(named(&["#x.y".into()]), "#x.y");
    }

    #[test]
    fn snippet_is_trimmed_and_bounded() {
        assert_eq!(shorten("  x  "), "x");
        assert_eq!(shorten(&"é".repeat(300)).chars().count(), SNIPPET_CHARS + 1);
    }
}
