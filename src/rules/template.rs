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
pub struct Template {
    parts: Vec<Part>,
}

impl Template {
    /// Parses a message; fails on an unclosed or empty placeholder.
    pub fn parse(message: &str) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut chars = message.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    text.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    text.push('}');
                }
                '{' => {
                    let mut name = String::new();
                    let mut closed = false;
                    for c in chars.by_ref() {
                        if c == '}' {
                            closed = true;
                            break;
                        }
                        name.push(c);
                    }
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
                        Part::Group(name)
                    });
                }
                c => text.push(c),
            }
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(Template { parts })
    }

    /// Capture names and numbers the message uses.
    pub fn groups(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Group(g) => Some(g.as_str()),
            _ => None,
        })
    }

    /// Whether rendering needs regex captures (so the engine can skip computing them).
    pub fn needs_captures(&self) -> bool {
        self.groups().next().is_some()
    }

    /// Fills the placeholders from regex captures; a group that did not participate renders empty.
    pub fn render(&self, path: &str, caps: Option<&regex::bytes::Captures>) -> String {
        self.render_with(path, |g| {
            let m = match g.parse::<usize>() {
                Ok(i) => caps.and_then(|c| c.get(i)),
                Err(_) => caps.and_then(|c| c.name(g)),
            };
            m.map(|m| String::from_utf8_lossy(m.as_bytes()))
        })
    }

    /// Fills the placeholders from named values (structured matches, path checks).
    pub fn render_with<V: AsRef<str>>(
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
    fn rejects_unclosed_placeholder() {
        assert!(Template::parse("oops {").is_err());
    }
}
