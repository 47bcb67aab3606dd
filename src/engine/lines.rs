//! Line rules: `added`/`removed`/`unless` regexes (merged into one RegexSet per side, so each
//! changed line is scanned once for all rules), with the optional `image` class check and the
//! `identity` capture that tells an introduced line from an edited one.

use super::finding;
use crate::change::{ChangedFile, DiffLine, FileKind, Side};
use crate::finding::Finding;
use crate::matchers::image;
use crate::rules::{Rule, RuleSet};

/// The `added` capture naming what a line introduces (e.g. a route's method and path).
const IDENTITY: &str = "identity";

/// Judges a file's changed lines against the line rules whose gate is open.
pub(super) fn judge_lines(
    file: &ChangedFile,
    rules: &RuleSet,
    gate: &[bool],
    out: &mut Vec<Finding>,
) {
    if !matches!(file.kind, FileKind::Text | FileKind::Symlink) {
        return;
    }
    let all = rules.rules();
    let mut removed_seen: Vec<Option<bool>> = vec![None; all.len()];
    for (line, text) in file.added() {
        for r in rules.added_matches(text) {
            let rule = &all[r];
            if !gate[r] || excused(rule, text) {
                continue;
            }
            if let Some(removed) = &rule.removed {
                let seen = *removed_seen[r]
                    .get_or_insert_with(|| file.removed().any(|(_, t)| removed.is_match(t)));
                if !seen {
                    continue;
                }
            }
            if !introduces(rule, file, text) {
                continue;
            }
            push(rule, file, line, text, out);
        }
    }
    for (line, text) in file.removed() {
        for r in rules.removed_matches(text) {
            let rule = &all[r];
            if gate[r] && rule.added.is_none() && !excused(rule, text) {
                push(rule, file, line, text, out);
            }
        }
    }
}

/// With an `(?P<identity>…)` group in `added`: whether the identity this line captures is new,
/// i.e. no removed line of the file captures the same one (trimmed). An edited line that keeps
/// its identity (a route that gains a middleware) is not an introduction.
fn introduces(rule: &Rule, file: &ChangedFile, text: &str) -> bool {
    let Some(re) = rule
        .added
        .as_ref()
        .filter(|re| re.capture_names().flatten().any(|n| n == IDENTITY))
    else {
        return true;
    };
    let identity = |t: &str| {
        re.captures(t)
            .and_then(|c| c.name(IDENTITY))
            .map(|m| m.as_str().trim().to_string())
    };
    let Some(this) = identity(text) else {
        return true;
    };
    !file
        .removed()
        .any(|(_, t)| identity(t).is_some_and(|that| that == this))
}

/// `unless` matched the line.
fn excused(rule: &Rule, text: &str) -> bool {
    rule.unless.as_ref().is_some_and(|u| u.is_match(text))
}

fn push(rule: &Rule, file: &ChangedFile, line: &DiffLine, text: &str, out: &mut Vec<Finding>) {
    let regex = match line.side {
        Side::Head => rule.added.as_ref(),
        Side::Base => rule.removed.as_ref(),
    };
    let needs_caps = rule.message.needs_captures() || !rule.image.is_empty();
    let caps = if needs_caps {
        regex.and_then(|re| re.captures(text))
    } else {
        None
    };
    if !rule.image.is_empty() {
        let class_ok = caps
            .as_ref()
            .and_then(|c| c.name("image"))
            .is_some_and(|m| {
                image::looks_like_image(m.as_str())
                    && rule.image.contains(&image::classify(m.as_str()))
            });
        if !class_ok {
            return;
        }
    }
    let message = rule.message.render(&file.path, caps.as_ref());
    out.push(finding(
        rule,
        file,
        Some((line.line, line.side)),
        message,
        Some(text),
    ));
}
