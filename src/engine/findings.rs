//! Building a finding from a rule that fired: its place, message and snippet, with the prose
//! cap applied.

use crate::change::{ChangedFile, Side};
use crate::finding::{Finding, capped};
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
        origin: None,
    }
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
