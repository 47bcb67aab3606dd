//! Terraform read at block level, without an HCL parser: `resource "TYPE" "NAME" {` headers and
//! `moved { from = … }` blocks, enough to tell when a resource address disappears.

use regex::Regex;
use std::sync::LazyLock;

static MOVED_FROM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^\s*from\s*=\s*(?P<addr>[A-Za-z0-9_.\[\]-]+)").expect("valid regex")
});

const KEYWORD: &str = "resource";

/// A `resource` block header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resource {
    /// The resource type, e.g. `aws_lb`.
    pub kind: String,
    /// The address, `TYPE.NAME`.
    pub address: String,
    /// 1-based line of the header's `resource` keyword.
    pub line: u32,
}

/// Every `resource` header in a file: `resource "TYPE" "NAME" {` at the start of a line (after
/// any whitespace; the parts may be separated by line breaks), as the regex
/// `(?m)^\s*resource\s+"([^"]+)"\s+"([^"]+)"\s*\{` finds them. Searched for by keyword, with
/// lines counted once, so a file costs one pass.
pub(crate) fn resources(text: &str) -> Vec<Resource> {
    let mut out = Vec::new();
    // Where the search resumes, and the line number at `counted`.
    let (mut from, mut counted, mut line) = (0, 0, 1);
    while let Some(found) = text[from..].find(KEYWORD) {
        let at = from + found;
        let before = &text[from..at];
        let indent = &before[before.trim_end().len()..];
        // A match starts at a line start followed only by whitespace; text before `from` ends
        // with a non-space character (or is the start of the text).
        let starts_line = (from == 0 && indent.len() == before.len()) || indent.contains('\n');
        if let Some((kind, name, len)) = starts_line.then(|| header(&text[at..])).flatten() {
            line += text[counted..at].bytes().filter(|b| *b == b'\n').count();
            counted = at;
            out.push(Resource {
                kind: kind.to_string(),
                address: format!("{kind}.{name}"),
                line: u32::try_from(line).unwrap_or(u32::MAX),
            });
            from = at + len;
        } else {
            from = at + KEYWORD.len();
        }
    }
    out
}

/// `resource "TYPE" "NAME" {` at the start of `text`: the type, the name and the header's length.
fn header(text: &str) -> Option<(&str, &str, usize)> {
    let (kind, rest) = quoted(spaced(text.strip_prefix(KEYWORD)?)?)?;
    let (name, rest) = quoted(spaced(rest)?)?;
    let rest = rest.trim_start().strip_prefix('{')?;
    Some((kind, name, text.len() - rest.len()))
}

/// `text` after at least one whitespace character.
fn spaced(text: &str) -> Option<&str> {
    let rest = text.trim_start();
    (rest.len() < text.len()).then_some(rest)
}

/// A non-empty `"…"` at the start of `text`: its inside, and what follows it.
fn quoted(text: &str) -> Option<(&str, &str)> {
    let (inner, rest) = text.strip_prefix('"')?.split_once('"')?;
    (!inner.is_empty()).then_some((inner, rest))
}

/// The value of the top-level `name = value` attribute of the block whose header is on `line`
/// (1-based), quotes taken off: the block's lines up to its closing `}` at the start of a line.
pub(crate) fn attribute(text: &str, line: u32, name: &str) -> Option<String> {
    let start = usize::try_from(line).ok()?;
    text.lines()
        .skip(start)
        .take_while(|l| !l.starts_with('}'))
        .find_map(|l| {
            let (key, value) = l.split_once('=')?;
            (key.trim() == name).then(|| value.trim().trim_matches('"').to_string())
        })
}

/// Addresses named as `from` in `moved` blocks: state moves, not replacements.
pub(crate) fn moved_from(text: &str) -> Vec<String> {
    if !text.contains("moved") {
        return Vec::new();
    }
    MOVED_FROM
        .captures_iter(text)
        .map(|c| c["addr"].to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_headers_with_lines() {
        let text = "provider \"aws\" {}\n\nresource \"aws_lb\" \"main\" {\n  name = \"x\"\n}\n";
        assert_eq!(
            resources(text),
            vec![Resource {
                kind: "aws_lb".into(),
                address: "aws_lb.main".into(),
                line: 3
            }]
        );
        assert_eq!(
            moved_from("moved {\n  from = aws_lb.old\n  to = aws_lb.main\n}\n"),
            vec!["aws_lb.old"]
        );
        assert_eq!(attribute(text, 3, "name").as_deref(), Some("x"));
        assert_eq!(attribute(text, 3, "internal"), None);
    }

    /// What the header regex finds, each on the line of its `resource` keyword.
    fn by_regex(text: &str) -> Vec<(String, u32)> {
        static HEADER: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r#"(?m)^\s*resource\s+"(?P<type>[^"]+)"\s+"(?P<name>[^"]+)"\s*\{"#).unwrap()
        });
        HEADER
            .captures_iter(text)
            .map(|c| {
                let whole = c.get(0).unwrap();
                let keyword =
                    whole.start() + whole.as_str().len() - whole.as_str().trim_start().len();
                let line = text[..keyword].matches('\n').count() + 1;
                (format!("{}.{}", &c["type"], &c["name"]), line as u32)
            })
            .collect()
    }

    fn found(text: &str) -> Vec<(String, u32)> {
        resources(text)
            .into_iter()
            .map(|r| (r.address, r.line))
            .collect()
    }

    #[test]
    fn headers_as_the_regex_finds_them() {
        for text in [
            "resource \"a\" \"b\" {",
            "  resource\t\"a\"  \"b\"{\n",
            "x resource \"a\" \"b\" {",
            "\n\n\n  resource \"a\" \"b\" {",
            "}\n  \n\nresource \"a\" \"b\" {",
            "resource \"a\"\n\"b\"\n{",
            "resource \"\" \"b\" {",
            "resource\"a\" \"b\" {",
            "resourceresource \"a\" \"b\" {",
            "resource \"a\" \"b\" {resource \"c\" \"d\" {",
            "resource \"a\" \"b\" {\nresource \"c\" \"d\" {",
            "\u{2003}resource \"a\" \"b\" {",
            "resource \"a\" \"b\" \n # c\n{",
            "resource \"a\nb\" \"c\" {",
            "é\nresource \"é\" \"b\" {",
        ] {
            assert_eq!(found(text), by_regex(text), "{text:?}");
        }
    }

    #[test]
    fn headers_as_the_regex_finds_them_in_generated_text() {
        let parts = [
            "\nresource ",
            "resource",
            "\"t\" ",
            "\"n\"",
            "{",
            " ",
            "\n",
            "\"",
            "x",
        ];
        let (mut seed, mut headers) = (7u64, 0);
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..16 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(parts[(seed >> 33) as usize % parts.len()]);
            }
            let want = by_regex(&text);
            assert_eq!(found(&text), want, "{text:?}");
            headers += want.len();
        }
        assert!(
            headers > 100,
            "the generator should produce headers, made {headers}"
        );
    }
}
