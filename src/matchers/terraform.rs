//! Terraform read at block level, without an HCL parser: `resource "TYPE" "NAME" {` headers and
//! `moved { from = … }` blocks, enough to tell when a resource address disappears.

use regex::Regex;
use std::sync::LazyLock;

static RESOURCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^\s*resource\s+"(?P<type>[^"]+)"\s+"(?P<name>[^"]+)"\s*\{"#)
        .expect("valid regex")
});
static MOVED_FROM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^\s*from\s*=\s*(?P<addr>[A-Za-z0-9_.\[\]-]+)").expect("valid regex")
});

/// A `resource` block header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// The resource type, e.g. `aws_lb`.
    pub kind: String,
    /// The address, `TYPE.NAME`.
    pub address: String,
    /// 1-based line of the header.
    pub line: u32,
}

/// Every `resource` header in a file.
pub fn resources(text: &str) -> Vec<Resource> {
    RESOURCE
        .captures_iter(text)
        .filter_map(|c| {
            let whole = c.get(0)?;
            let line = text[..whole.start()].matches('\n').count()
                + usize::from(whole.as_str().starts_with('\n'))
                + 1;
            Some(Resource {
                kind: c["type"].to_string(),
                address: format!("{}.{}", &c["type"], &c["name"]),
                line: u32::try_from(line).unwrap_or(u32::MAX),
            })
        })
        .collect()
}

/// Addresses named as `from` in `moved` blocks: state moves, not replacements.
pub fn moved_from(text: &str) -> Vec<String> {
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
    }
}
