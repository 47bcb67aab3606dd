//! Rule messages with placeholders: `{name}` or `{1}` for a regex capture, `{0}` for the whole
//! match, `{path}` for the file. `{{` and `}}` are literal braces.

/// One piece of a parsed message.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Group(String),
    Path,
}

/// A message compiled once, rendered per finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template {
    parts: Vec<Part>,
}

impl Template {
    /// Parses a message; fails on an unclosed or empty placeholder.
    pub(crate) fn parse(message: &str) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut rest = message;
        while let Some(at) = rest.find(['{', '}']) {
            text.push_str(&rest[..at]);
            let brace = &rest[at..at + 1];
            let after = &rest[at + 1..];
            if after.starts_with(brace) || brace == "}" {
                // `{{` and `}}` are literal braces; so is a lone `}`.
                text.push_str(brace);
                rest = after.strip_prefix(brace).unwrap_or(after);
                continue;
            }
            let (name, closed) = match after.find('}') {
                Some(end) => (&after[..end], true),
                None => (after, false),
            };
            if !closed || name.is_empty() || name.contains('{') {
                return Err(format!(
                    "message has a bad placeholder '{{{name}': write {{name}}, {{1}} or {{path}}, and {{{{ for a literal brace"
                ));
            }
            if !text.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut text)));
            }
            parts.push(if name == "path" {
                Part::Path
            } else {
                Part::Group(name.to_string())
            });
            rest = &after[name.len() + 1..];
        }
        text.push_str(rest);
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(Template { parts })
    }

    /// Capture names and numbers the message uses.
    pub(crate) fn groups(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Group(g) => Some(g.as_str()),
            _ => None,
        })
    }

    /// Whether rendering needs regex captures (so the engine can skip computing them).
    pub(crate) fn needs_captures(&self) -> bool {
        self.groups().next().is_some()
    }

    /// Fills the placeholders from regex captures; a group that did not participate renders empty.
    pub(crate) fn render(&self, path: &str, caps: Option<&regex::bytes::Captures>) -> String {
        self.render_with(path, |g| {
            let m = match g.parse::<usize>() {
                Ok(i) => caps.and_then(|c| c.get(i)),
                Err(_) => caps.and_then(|c| c.name(g)),
            };
            m.map(|m| String::from_utf8_lossy(m.as_bytes()))
        })
    }

    /// The message with every placeholder elided as `…`: how a rule's message reads where no
    /// finding fills it (the summary a rule without one shows, its documentation).
    pub(crate) fn elided(&self) -> String {
        self.render_with("…", |_| Some("…"))
    }

    /// Fills the placeholders from named values (structured matches, path checks).
    pub(crate) fn render_with<V: AsRef<str>>(
        &self,
        path: &str,
        lookup: impl Fn(&str) -> Option<V>,
    ) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Path => out.push_str(path),
                Part::Group(g) => {
                    if let Some(value) = lookup(g) {
                        out.push_str(value.as_ref());
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_named_numbered_and_path() {
        let t = Template::parse("{{x}} {origin} in {path} ({1})").unwrap();
        let re = regex::bytes::Regex::new(r"origin: '(?P<origin>[^']*)'").unwrap();
        let caps = re.captures(b"origin: '*'").unwrap();
        assert_eq!(t.render("a.js", Some(&caps)), "{x} * in a.js (*)");
    }

    #[test]
    fn elided_shows_no_placeholder() {
        let t = Template::parse("debug on in {path} ({1}, {name}) {{literal}}").unwrap();
        assert_eq!(t.elided(), "debug on in … (…, …) {literal}");
    }

    #[test]
    fn rejects_unclosed_placeholder() {
        assert!(Template::parse("oops {").is_err());
        let error = Template::parse("é {name").unwrap_err();
        assert!(error.contains("'{name'"), "{error}");
        assert!(Template::parse("a {} b").is_err());
        assert!(Template::parse("a {x{y} b").is_err());
    }

    #[test]
    fn braces_and_text_split_as_written() {
        let text = |t: &str| Part::Text(t.to_string());
        let group = |g: &str| Part::Group(g.to_string());
        let cases = [
            ("plain", vec![text("plain")]),
            ("a}b}}c{{d", vec![text("a}b}c{d")]),
            ("é{path}ü", vec![text("é"), Part::Path, text("ü")]),
            ("{1}{name}", vec![group("1"), group("name")]),
            ("{{{x}}}", vec![text("{"), group("x"), text("}")]),
            ("", vec![]),
        ];
        for (message, parts) in cases {
            assert_eq!(Template::parse(message).unwrap().parts, parts, "{message}");
        }
    }
}
