//! Escaping for every text format the reports write. File names, messages and snippets come
//! from the change under review, so they are hostile until escaped: one function per target
//! syntax, shared by all printers, so no printer hand-rolls its own (and gets it subtly wrong).

use std::fmt::Write;

/// `text` with every character `replace` gives a replacement for written as that replacement
/// (possibly nothing), and every other character kept.
fn replace_chars(text: &str, replace: impl Fn(char) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match replace(c) {
            Some(replacement) => out.push_str(replacement),
            None => out.push(c),
        }
    }
    out
}

/// Escapes the data part of a GitHub workflow command (after `::`), exactly as `@actions/core`'s
/// `escapeData` does: `%`, CR and LF. Without a raw newline nothing can start a new command.
pub(super) fn workflow_data(text: &str) -> String {
    replace_chars(text, |c| match c {
        '%' => Some("%25"),
        '\r' => Some("%0D"),
        '\n' => Some("%0A"),
        _ => None,
    })
}

/// Escapes a property value of a workflow command (`file=…`, `title=…`), exactly as
/// `@actions/core`'s `escapeProperty` does: the data escapes plus `:` and `,`, which would
/// otherwise end the property list or the value.
pub(super) fn workflow_property(text: &str) -> String {
    workflow_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Escapes text for XML 1.0 content and attribute values alike: the five specials become
/// entities, tab/LF/CR become character references (so attribute normalisation keeps them),
/// and characters XML 1.0 forbids or discourages (other controls, U+FFFE, U+FFFF) are dropped.
pub(super) fn xml(text: &str) -> String {
    replace_chars(text, |c| match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\'' => Some("&apos;"),
        '\t' => Some("&#9;"),
        '\n' => Some("&#10;"),
        '\r' => Some("&#13;"),
        '\u{fffe}' | '\u{ffff}' => Some(""),
        c if c.is_control() => Some(""),
        _ => None,
    })
}

/// Escapes text for one cell of a GitHub-flavoured Markdown table: Markdown punctuation is
/// backslash-escaped, `<`, `>` and `&` become entities (no HTML or entity injection), and line
/// breaks and other control characters become spaces, so nothing can end the row or the table.
pub(super) fn markdown(text: &str) -> String {
    replace_chars(text, |c| match c {
        '\\' => Some(r"\\"),
        '|' => Some(r"\|"),
        '`' => Some(r"\`"),
        '*' => Some(r"\*"),
        '_' => Some(r"\_"),
        '[' => Some(r"\["),
        ']' => Some(r"\]"),
        '~' => Some(r"\~"),
        '#' => Some(r"\#"),
        '!' => Some(r"\!"),
        '(' => Some(r"\("),
        ')' => Some(r"\)"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '&' => Some("&amp;"),
        c if c.is_control() => Some(" "),
        _ => None,
    })
}

/// Percent-encodes a repository-relative path for use in a URI (RFC 3986): every byte other
/// than the unreserved characters and the `/` separator becomes `%XX`, so spaces, `#`, `?`,
/// `%`, non-ASCII and control characters all yield a valid URI reference.
pub(super) fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_escapes_match_actions_core() {
        assert_eq!(workflow_data("50% a\r\nb:c,d"), "50%25 a%0D%0Ab:c,d");
        assert_eq!(
            workflow_property("50% a\r\nb:c,d"),
            "50%25 a%0D%0Ab%3Ac%2Cd"
        );
        // An already-escaped-looking name stays literal: its `%` is escaped first.
        assert_eq!(
            workflow_property("a%0A::error::x"),
            "a%250A%3A%3Aerror%3A%3Ax"
        );
    }

    #[test]
    fn xml_escapes_specials_and_drops_controls() {
        assert_eq!(
            xml("<a href=\"x\">'&'</a>\u{1}\u{7f}\u{fffe}\n"),
            "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;&#10;"
        );
    }

    #[test]
    fn markdown_cells_cannot_break_the_table() {
        assert_eq!(
            markdown("a|b `c` <img> *d* _e_ [f](g)\nh"),
            "a\\|b \\`c\\` &lt;img&gt; \\*d\\* \\_e\\_ \\[f\\]\\(g\\) h"
        );
    }

    #[test]
    fn uri_paths_are_percent_encoded() {
        assert_eq!(uri_path("src/my file#1?.js"), "src/my%20file%231%3F.js");
        assert_eq!(uri_path("dé/%"), "d%C3%A9/%25");
        assert_eq!(uri_path("index.py "), "index.py%20");
    }
}
