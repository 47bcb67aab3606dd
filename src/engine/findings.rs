//! Building a finding from a rule that fired: its place, message and snippet, with the prose
//! cap applied.

use crate::change::{ChangedFile, Side};
use crate::finding::{Finding, capped};
use crate::matching::image;
use crate::matching::pattern::LazyRegex;
use crate::rules::Rule;

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
    fn snippet_is_trimmed_and_bounded() {
        assert_eq!(shorten("  x  "), "x");
        assert_eq!(shorten(&"é".repeat(300)).chars().count(), SNIPPET_CHARS + 1);
    }
}
