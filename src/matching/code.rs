//! Program source (TypeScript/JavaScript, Python, Java, Go, C#) read as calls, without a
//! parser: comments and the insides of string literals are masked out, so brackets, names and
//! commas can be followed across lines; each call's dotted callee and top-level arguments are
//! then read back from the original text. One pass over the file, whatever its nesting.

use super::line_starts::LineStarts;
use std::ops::Range;

/// A source file with its comments and string contents masked.
pub(crate) struct Source<'t> {
    text: &'t str,
    /// `text`'s bytes with comment bytes and string-literal contents replaced by spaces
    /// (newlines kept; string delimiters kept).
    masked: Vec<u8>,
    /// Byte offset where each line starts.
    line_starts: LineStarts,
}

/// One call: `callee(args…)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Call {
    /// The dotted name as far back as plain names reach, e.g. `ecs.ContainerImage.fromRegistry`.
    pub callee: String,
    /// Byte offset where the callee starts.
    pub start: usize,
    /// From the opening parenthesis to the closing one (or the end of the text).
    pub inside: Range<usize>,
    /// The top-level arguments, trimmed; an empty trailing one is left out.
    pub args: Vec<Range<usize>>,
}

impl Call {
    /// The callee's last segment (`fromRegistry` of `ecs.ContainerImage.fromRegistry`).
    pub(crate) fn name(&self) -> &str {
        self.callee.rsplit('.').next().unwrap_or(&self.callee)
    }
}

/// Words that are followed by a parenthesis without being calls.
const KEYWORDS: &[&str] = &[
    "if", "for", "while", "switch", "catch", "return", "function", "def", "class", "elif", "with",
    "foreach", "using", "lock", "typeof", "sizeof", "in", "and", "or", "not", "await",
];

impl<'t> Source<'t> {
    /// Masks `text`; `python` selects `#` comments, otherwise `//` and `/* */` comments.
    pub(crate) fn new(text: &'t str, python: bool) -> Self {
        let masked = mask(text.as_bytes(), python);
        let line_starts = LineStarts::new(text);
        Source {
            text,
            masked,
            line_starts,
        }
    }

    /// The original text of a range (empty if the range is not on character boundaries).
    pub(crate) fn text(&self, range: Range<usize>) -> &'t str {
        self.text.get(range).unwrap_or_default()
    }

    /// The text's length in bytes.
    pub(crate) fn len(&self) -> usize {
        self.text.len()
    }

    /// The 1-based line of a byte offset.
    pub(crate) fn line_of(&self, offset: usize) -> u32 {
        self.line_starts.line_of(offset)
    }

    /// Every call, in order of their opening parentheses.
    pub(crate) fn calls(&self) -> Vec<Call> {
        let m = &self.masked;
        // Open brackets: (byte offset, the call being read if a parenthesis, argument start).
        let mut stack: Vec<(usize, Option<usize>, usize)> = Vec::new();
        let mut calls: Vec<Call> = Vec::new();
        for (i, &b) in m.iter().enumerate() {
            match b {
                b'(' | b'[' | b'{' => {
                    let call = (b == b'(').then(|| self.callee_before(i)).flatten().map(
                        |(callee, start)| {
                            calls.push(Call {
                                callee,
                                start,
                                inside: i..m.len(),
                                args: Vec::new(),
                            });
                            calls.len() - 1
                        },
                    );
                    stack.push((i, call, i + 1));
                }
                b',' => {
                    if let Some((_, Some(c), from)) = stack.last_mut() {
                        let arg = trimmed(m, *from..i);
                        calls[*c].args.push(arg);
                        *from = i + 1;
                    }
                }
                b')' | b']' | b'}' => {
                    if let Some((_, call, from)) = stack.pop()
                        && let Some(c) = call
                    {
                        calls[c].args.push(trimmed(m, from..i));
                        calls[c].args.retain(|a| !a.is_empty());
                        calls[c].inside.end = i + 1;
                    }
                }
                _ => {}
            }
        }
        // Calls left open at the end of the text keep what they had.
        for (_, call, from) in stack {
            if let Some(c) = call {
                let arg = trimmed(m, from..m.len());
                calls[c].args.push(arg);
                calls[c].args.retain(|a| !a.is_empty());
            }
        }
        calls
    }

    /// The dotted name that ends just before the parenthesis at `paren`, and where it starts.
    fn callee_before(&self, paren: usize) -> Option<(String, usize)> {
        let m = &self.masked;
        let mut end = skip_space_back(m, paren);
        let mut segments = Vec::new();
        let mut start = end;
        loop {
            let begin = ident_start(m, end);
            if begin == end {
                break;
            }
            segments.push(self.text(begin..end));
            start = begin;
            let before = skip_space_back(m, begin);
            let dot = before.checked_sub(1).filter(|&d| m[d] == b'.');
            let Some(dot) = dot else { break };
            let dot = if dot > 0 && m[dot - 1] == b'?' {
                dot - 1
            } else {
                dot
            };
            end = skip_space_back(m, dot);
        }
        let first = *segments.last()?;
        if first.starts_with(|c: char| c.is_ascii_digit()) || KEYWORDS.contains(&first) {
            return None;
        }
        segments.reverse();
        Some((segments.join("."), start))
    }

    /// The text of a string expression: a literal, or literals and other expressions joined
    /// with `+`, each of those standing as `${…}` (Go's `jsii.String("…")` is read as its
    /// literal). Interpolations (`${x}`, Python and C# `{x}`) read as `${x}`. `None` when no
    /// literal is part of it.
    pub(crate) fn string_value(&self, range: Range<usize>) -> Option<String> {
        let mut out = String::new();
        let mut literal = false;
        for part in split_top(&self.masked, range, b'+') {
            match self.literal(part.clone()) {
                Some(text) => {
                    literal = true;
                    out.push_str(&text);
                }
                None => {
                    out.push_str("${");
                    out.push_str(self.text(part).trim());
                    out.push('}');
                }
            }
        }
        literal.then_some(out)
    }

    /// One literal: an optionally prefixed quoted string that spans the whole range, or a
    /// `String(…)`-style wrapper around one (Go's `jsii.String("…")`).
    fn literal(&self, range: Range<usize>) -> Option<String> {
        let text = self.text(range.clone());
        if let Some(open) = text.find('(')
            && text.ends_with(')')
            && text[..open].ends_with("String")
            && !text[..open].contains(char::is_whitespace)
        {
            let inner = range.start + open + 1..range.end - 1;
            return self.literal(trimmed(&self.masked, inner));
        }
        let quote = text.find(['"', '\'', '`'])?;
        let prefix = &text[..quote];
        if prefix.len() > 3 || !prefix.chars().all(|c| "rRbBuUfF@$".contains(c)) {
            return None;
        }
        let bytes = text.as_bytes();
        let (q, len) = (bytes[quote], quote_len(bytes, quote));
        let (from, to) = (quote + len, text.len().checked_sub(len)?);
        let closes_at_end = to >= from && bytes[to..].iter().all(|&b| b == q);
        // Masked, a literal's inside holds no delimiter: one that does is several literals.
        let masked = self.masked.get(range.start + from..range.start + to)?;
        if !closes_at_end || masked.contains(&q) {
            return None;
        }
        let inside = text.get(from..to)?;
        Some(if prefix.contains(['f', 'F', '$']) {
            interpolated(inside)
        } else {
            inside.replace(&format!("\\{}", q as char), &(q as char).to_string())
        })
    }

    /// Every `name: value`, `name = value` or builder-style `name(value)` in `range`, at any
    /// depth, whose name is one of `names` (compared without case or underscores): the name's
    /// offset and the value's range.
    pub(crate) fn keyed(&self, range: Range<usize>, names: &[&str]) -> Vec<(usize, Range<usize>)> {
        let m = &self.masked;
        let mut out = Vec::new();
        let mut i = range.start;
        while i < range.end.min(m.len()) {
            if !is_ident(m[i]) || (i > 0 && is_ident(m[i - 1])) {
                i += 1;
                continue;
            }
            let end = ident_end(m, i);
            let name = self.text(i..end);
            if !names.iter().any(|n| same_name(n, name)) {
                i = end;
                continue;
            }
            let at = skip_space(m, end, range.end);
            let next = m.get(at).copied().unwrap_or(b' ');
            let after = m.get(at + 1).copied().unwrap_or(b' ');
            let value_start = match next {
                b':' if after != b':' => Some(at + 1),
                b'=' if after != b'=' && after != b'>' => Some(at + 1),
                b'(' if skip_space_back(m, i)
                    .checked_sub(1)
                    .is_some_and(|d| m[d] == b'.') =>
                {
                    Some(at + 1)
                }
                _ => None,
            };
            if let Some(from) = value_start {
                let to = value_end(m, from, range.end, next == b'(');
                out.push((i, trimmed(m, from..to)));
            }
            i = end;
        }
        out
    }

    /// Whether the argument is written `name=value` (a Python keyword argument).
    pub(crate) fn keyword_arg(&self, arg: Range<usize>) -> Option<(&'t str, Range<usize>)> {
        let m = &self.masked;
        let end = ident_end(m, arg.start);
        let at = skip_space(m, end, arg.end);
        (end > arg.start
            && m.get(at) == Some(&b'=')
            && m.get(at + 1) != Some(&b'=')
            && m.get(at + 1) != Some(&b'>'))
        .then(|| (self.text(arg.start..end), trimmed(m, at + 1..arg.end)))
    }

    /// Whether a range starts with an object or struct literal, a C# initializer, or a Java
    /// builder: options whose keys can be read.
    pub(crate) fn is_options_literal(&self, range: Range<usize>) -> bool {
        let text = self.text(range);
        text.starts_with('{')
            || (text.starts_with('&') && text.ends_with('}'))
            || (text.starts_with("new ") && text.ends_with('}'))
            || text.contains(".builder()")
    }
}

/// Whether two names are the same, ignoring case and underscores (`tag_or_digest`,
/// `tagOrDigest`, `TagOrDigest`).
pub(crate) fn same_name(a: &str, b: &str) -> bool {
    fn norm(s: &str) -> impl Iterator<Item = char> + '_ {
        s.chars()
            .filter(|c| *c != '_')
            .map(|c| c.to_ascii_lowercase())
    }
    norm(a).eq(norm(b))
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

fn ident_end(m: &[u8], from: usize) -> usize {
    let mut i = from;
    while i < m.len() && is_ident(m[i]) {
        i += 1;
    }
    i
}

/// Where the identifier that ends at `end` starts (`end` itself if there is none).
fn ident_start(m: &[u8], end: usize) -> usize {
    let mut i = end;
    while i > 0 && is_ident(m[i - 1]) {
        i -= 1;
    }
    i
}

fn skip_space(m: &[u8], from: usize, limit: usize) -> usize {
    let mut i = from;
    while i < limit.min(m.len()) && m[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The offset after the last non-space byte before `end`.
fn skip_space_back(m: &[u8], end: usize) -> usize {
    let mut i = end;
    while i > 0 && m[i - 1].is_ascii_whitespace() {
        i -= 1;
    }
    i
}

fn trimmed(m: &[u8], range: Range<usize>) -> Range<usize> {
    let (mut a, mut b) = (range.start.min(m.len()), range.end.min(m.len()));
    while a < b && m[a].is_ascii_whitespace() {
        a += 1;
    }
    while b > a && m[b - 1].is_ascii_whitespace() {
        b -= 1;
    }
    a..b
}

/// Where a value that starts at `from` ends: at a `,`, `;` or newline outside brackets, or
/// where its enclosing bracket closes (a builder's `name(value)`: at its own parenthesis).
fn value_end(m: &[u8], from: usize, limit: usize, in_parens: bool) -> usize {
    let mut depth = 0usize;
    let mut i = from;
    while i < limit.min(m.len()) {
        match m[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth == 0 => return i,
            b')' | b']' | b'}' => depth -= 1,
            b',' | b';' if depth == 0 => return i,
            b'\n' if depth == 0 && !in_parens => return i,
            _ => {}
        }
        i += 1;
    }
    i
}

/// `range` split at `sep` outside brackets, each part trimmed.
fn split_top(m: &[u8], range: Range<usize>, sep: u8) -> Vec<Range<usize>> {
    let mut parts = Vec::new();
    let (mut depth, mut from) = (0usize, range.start);
    for i in range.clone() {
        match m.get(i) {
            Some(b'(' | b'[' | b'{') => depth += 1,
            Some(b')' | b']' | b'}') => depth = depth.saturating_sub(1),
            Some(&b) if b == sep && depth == 0 => {
                parts.push(trimmed(m, from..i));
                from = i + 1;
            }
            _ => {}
        }
    }
    parts.push(trimmed(m, from..range.end));
    parts
}

/// A Python f-string's or C# interpolated string's inside with `{x}` as `${x}` (`{{` is `{`).
fn interpolated(inside: &str) -> String {
    let mut out = String::with_capacity(inside.len() + 8);
    let mut chars = inside.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => out.push_str("${"),
            _ => out.push(c),
        }
    }
    out
}

/// `text` with comments and string contents replaced by spaces (newlines kept).
fn mask(text: &[u8], python: bool) -> Vec<u8> {
    let mut m = text.to_vec();
    let mut i = 0;
    while i < m.len() {
        let b = m[i];
        let next = m.get(i + 1).copied();
        let end = match b {
            b'#' if python => line_end(text, i),
            b'/' if !python && next == Some(b'/') => line_end(text, i),
            b'/' if !python && next == Some(b'*') => {
                find(text, i + 2, b"*/").map_or(text.len(), |e| e + 2)
            }
            b'"' | b'\'' | b'`' => {
                let (end, closed) = string_end(text, i, python);
                let len = quote_len(text, i);
                let inside_end = if closed { end - len } else { end };
                blank(&mut m, (i + len).min(inside_end)..inside_end);
                i = end;
                continue;
            }
            _ => {
                i += 1;
                continue;
            }
        };
        blank(&mut m, i..end);
        i = end;
    }
    m
}

fn blank(m: &mut [u8], range: Range<usize>) {
    for b in m.get_mut(range).into_iter().flatten() {
        if *b != b'\n' {
            *b = b' ';
        }
    }
}

fn line_end(text: &[u8], from: usize) -> usize {
    memchr::memchr(b'\n', &text[from..]).map_or(text.len(), |e| from + e)
}

fn find(text: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(text.get(from..)?, needle).map(|e| from + e)
}

/// 3 for a triple-quoted string opening at `at`, else 1.
fn quote_len(text: &[u8], at: usize) -> usize {
    let q = text[at];
    if q != b'`' && text.get(at + 1) == Some(&q) && text.get(at + 2) == Some(&q) {
        3
    } else {
        1
    }
}

/// The offset just after the string literal opening at `at`, and whether it was closed.
/// Single-line strings end at the line's end if unclosed; template literals may nest others
/// inside `${…}`.
fn string_end(text: &[u8], at: usize, python: bool) -> (usize, bool) {
    let q = text[at];
    if quote_len(text, at) == 3 {
        let close = [q, q, q];
        return find(text, at + 3, &close).map_or((text.len(), false), |e| (e + 3, true));
    }
    let verbatim = !python && q == b'"' && at > 0 && text[at - 1] == b'@';
    let mut i = at + 1;
    while i < text.len() {
        let b = text[i];
        match b {
            b'\\' if !verbatim => i += 2,
            b'"' if verbatim && text.get(i + 1) == Some(&b'"') => i += 2,
            _ if b == q => return (i + 1, true),
            b'\n' if q != b'`' && !verbatim => return (i, false),
            b'$' if q == b'`' && text.get(i + 1) == Some(&b'{') => {
                i = interpolation_end(text, i + 2, python);
            }
            _ => i += 1,
        }
    }
    (text.len(), false)
}

/// The offset just after the `}` closing a template literal's `${` whose inside starts at `from`.
fn interpolation_end(text: &[u8], from: usize, python: bool) -> usize {
    let mut depth = 1usize;
    let mut i = from;
    while i < text.len() {
        match text[i] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            b'"' | b'\'' | b'`' => {
                i = string_end(text, i, python).0;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calls(text: &str, python: bool) -> Vec<(String, u32, Vec<String>)> {
        let s = Source::new(text, python);
        s.calls()
            .into_iter()
            .map(|c| {
                let args = c
                    .args
                    .iter()
                    .map(|a| s.text(a.clone()).to_string())
                    .collect();
                (c.callee, s.line_of(c.start), args)
            })
            .collect()
    }

    #[test]
    fn calls_span_lines_and_skip_strings_and_comments() {
        let ts = "// fromRegistry('x')\nconst i = ecs.ContainerImage\n  .fromRegistry(\n    'a(b, c' , // )\n  );\n";
        assert_eq!(
            calls(ts, false),
            vec![(
                "ecs.ContainerImage.fromRegistry".to_string(),
                2,
                vec!["'a(b, c'".to_string()]
            )]
        );
        let py = "# x(1)\nf(self, \"Id\", a=g(1), b='''(''')\n";
        let found = calls(py, true);
        assert_eq!(found[0].0, "f");
        assert_eq!(found[0].2, vec!["self", "\"Id\"", "a=g(1)", "b='''('''"]);
        assert_eq!(found[1].0, "g");
        assert!(calls("if (x) { y }\n", false).is_empty());
        assert_eq!(calls("a(b, c,)", false)[0].2, vec!["b", "c"]);
    }

    #[test]
    fn string_values_keep_literal_parts_and_mark_the_rest() {
        let value = |text: &str, python: bool| {
            let s = Source::new(text, python);
            s.string_value(0..text.len())
        };
        let cases = [
            ("'nginx:latest'", false, "nginx:latest"),
            (
                "`${repo.repositoryUri}:latest`",
                false,
                "${repo.repositoryUri}:latest",
            ),
            (
                "f\"{repo.repository_uri}:latest\"",
                true,
                "${repo.repository_uri}:latest",
            ),
            (
                "repo.getRepositoryUri() + \":latest\"",
                false,
                "${repo.getRepositoryUri()}:latest",
            ),
            (
                "jsii.String(\"amazon/amazon-ecs-sample\")",
                false,
                "amazon/amazon-ecs-sample",
            ),
        ];
        for (text, python, expected) in cases {
            assert_eq!(value(text, python).as_deref(), Some(expected), "{text}");
        }
        assert_eq!(value("tag", false), None);
        assert_eq!(value("'a' if x else 'b'", true), None);
        assert_eq!(value("\"a\".format(x)", true), None);
    }

    #[test]
    fn keys_are_found_in_objects_kwargs_and_builders() {
        let find = |text: &str, python: bool| {
            let s = Source::new(text, python);
            s.keyed(0..text.len(), &["tagOrDigest"])
                .into_iter()
                .map(|(_, r)| s.text(r).to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            find("{ tagOrDigest: 'latest', cmd: ['x'] }", false),
            vec!["'latest'"]
        );
        assert_eq!(find("tag_or_digest=\"v1\"", true), vec!["\"v1\""]);
        assert_eq!(
            find("X.builder().tagOrDigest(\"v2\").build()", false),
            vec!["\"v2\""]
        );
        assert_eq!(
            find("&P{ TagOrDigest: jsii.String(\"v3\") }", false),
            vec!["jsii.String(\"v3\")"]
        );
        assert!(find("{ tag: x == tagOrDigest }", false).is_empty());
    }

    #[test]
    fn hostile_text_does_not_panic() {
        for text in [
            "(((",
            ")))",
            "'",
            "`${",
            "\"\"\"",
            "a(é, 'ü",
            "/*",
            "@\"",
            "x.(",
            "é(",
        ] {
            let s = Source::new(text, false);
            for c in s.calls() {
                for a in c.args {
                    let _ = s.string_value(a.clone());
                    let _ = s.keyed(a, &["image"]);
                }
            }
            let _ = Source::new(text, true).calls();
        }
    }
}
