//! Simple constants a file defines, and its text with their names replaced by their values: a
//! setting held in a constant (`const ORIGINS = '*'` … `cors({ origin: ORIGINS })`,
//! `ALLOWED = ["*"]` … `allow_origins=ALLOWED`, `const ACAO = 'Access-Control-Allow-Origin'` …
//! `res.set(ACAO, '*')`) reads as if it were written in place, so a pattern written for the
//! literal sees it. The table is not tied to one category: a CDK
//! `fromRegistry(\`repo:${TAG}\`)` can read its tag through it too.
//!
//! A constant here is a name assigned exactly once in the file (at the start of a line or after
//! a `;`), to a literal: a string, `true`/`false`, or a bracketed list of strings, possibly
//! behind a constructor and over several lines (`["*"]`, `[]string{"*"}`, `List.of("*")`,
//! `new[] { "*" }`, `%w[*]`). A name assigned twice is left alone: which value applies is not
//! knowable from the text.

use regex::Regex;
use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

/// An assignment at the start of a line or after a `;`: modifiers and a type, the name, an
/// annotation (`: list[str]`) or a Go type (`[]string`), then `=` or `:=`.
static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?m)(?:^|;)[ \t]*(?:[A-Za-z_$][\w$]*(?:<[^=\n<>]*>)?(?:\[\])*[ \t]+)*?(?P<name>\$?[A-Za-z_]\w*)(?:[ \t]*:[ \t]*[^=\n:;{}()]+?)?(?:[ \t]+\[\][\w.]+)?[ \t]*:?=[ \t]*",
    )
    .expect("valid regex")
});

/// The longest bracketed list read as a constant, in bytes.
const LONGEST_LIST: usize = 16 * 1024;

/// One constant: its value as written, and where it is defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Constant {
    /// The value as written (`'*'`, `["*"]`, `[]string{"*"}`).
    pub value: String,
    /// The byte range of the whole definition, name to value.
    pub definition: Range<usize>,
}

/// The simple constants of one file, by name.
#[derive(Debug, Clone, Default)]
pub(crate) struct Constants {
    all: Vec<Constant>,
    by_name: HashMap<String, usize>,
}

impl Constants {
    /// The constants `text` defines. `strings` are the byte ranges of its string literals, in
    /// order (see [`super::comments::CommentSyntax::strings_in_file`]); comments should already be
    /// blanked out.
    pub(crate) fn of(text: &str, strings: &[Range<usize>]) -> Constants {
        let mut seen: HashMap<&str, Option<Constant>> = HashMap::new();
        for caps in ASSIGNMENT.captures_iter(text) {
            let (Some(all), Some(name)) = (caps.get(0), caps.get(1)) else {
                continue;
            };
            if inside(strings, name.start()) || text[all.end()..].starts_with(['=', '>', '~']) {
                continue;
            }
            let value = literal_end(text, all.end(), strings).map(|end| Constant {
                value: text[all.end()..end].to_string(),
                definition: name.start()..end,
            });
            seen.entry(name.as_str())
                .and_modify(|twice| *twice = None)
                .or_insert(value);
        }
        let mut constants = Constants::default();
        for (name, constant) in seen {
            if let Some(c) = constant {
                constants
                    .by_name
                    .insert(name.to_string(), constants.all.len());
                constants.all.push(c);
            }
        }
        constants
    }

    /// Whether the file defines none.
    pub(crate) fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// `text` with each use of a constant's name replaced by its value (a JavaScript or Go
    /// shorthand property `{ origin }` by `origin: value`; `this.NAME`, `self.NAME`,
    /// `local.NAME` and `Self::NAME` too). Names inside strings, at their own definition, being
    /// assigned or used as a key are left alone. `shorthand`: the language has shorthand
    /// properties.
    pub(crate) fn substitute<'t>(
        &self,
        text: &'t str,
        strings: &[Range<usize>],
        shorthand: bool,
    ) -> Substituted<'t> {
        let mut out = Substituted {
            text: Cow::Borrowed(text),
            edits: Vec::new(),
        };
        if self.is_empty() {
            return out;
        }
        let bytes = text.as_bytes();
        let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
        let mut built = String::new();
        let mut copied = 0;
        let mut i = 0;
        while i < bytes.len() {
            if !ident(bytes[i]) || (i > 0 && ident(bytes[i - 1])) {
                i += 1;
                continue;
            }
            let end = i + bytes[i..].iter().take_while(|&&b| ident(b)).count();
            let name = &text[i..end];
            let Some(&index) = self.by_name.get(name) else {
                i = end;
                continue;
            };
            let constant = &self.all[index];
            let start = qualified_start(text, i);
            let before = text[..start].trim_end().as_bytes().last().copied();
            let after = text[end..].trim_start();
            let assigned =
                after.starts_with('=') && !after.starts_with("==") && !after.starts_with("=>");
            let key = after.starts_with(':') && !after.starts_with("::");
            if inside(strings, i)
                || constant.definition.contains(&i)
                || before.is_some_and(|b| b == b'.' && start == i)
                || assigned
                || key
            {
                i = end;
                continue;
            }
            let value = constant
                .value
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let short = shorthand
                && matches!(before, Some(b'{' | b','))
                && (after.starts_with(',') || after.starts_with('}'));
            let replacement = match short {
                true => format!("{name}: {value}"),
                false => value,
            };
            built.push_str(&text[copied..start]);
            out.edits.push(Edit {
                at: built.len(),
                len: replacement.len(),
                original: start..end,
                constant: index,
            });
            built.push_str(&replacement);
            copied = end;
            i = end;
        }
        if !out.edits.is_empty() {
            built.push_str(&text[copied..]);
            out.text = Cow::Owned(built);
        }
        out
    }
}

/// Where a use starts when it is qualified by the object or type it belongs to: `this.NAME`,
/// `self.NAME`, `cls.NAME`, `local.NAME` (Terraform), `Self::NAME`, `self::NAME`,
/// `static::NAME` (PHP). Otherwise `i`.
fn qualified_start(text: &str, i: usize) -> usize {
    let head = &text[..i];
    [
        "this.", "self.", "cls.", "local.", "Self::", "self::", "static::",
    ]
    .iter()
    .find(|q| {
        head.ends_with(*q)
            && !head[..head.len() - q.len()]
                .bytes()
                .last()
                .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
    })
    .map_or(i, |q| i - q.len())
}

/// Whether byte `at` is inside one of the sorted `ranges`.
fn inside(ranges: &[Range<usize>], at: usize) -> bool {
    let i = ranges.partition_point(|r| r.end <= at);
    ranges.get(i).is_some_and(|r| r.contains(&at))
}

/// Where the literal starting at byte `from` of `text` ends, if the text there is one: a string,
/// `true`/`false`, or a bracketed list of strings behind an optional constructor, followed by
/// the end of the statement.
fn literal_end(text: &str, from: usize, strings: &[Range<usize>]) -> Option<usize> {
    let rest = &text[from..];
    let string_at = |at: usize| {
        let i = strings.partition_point(|r| r.start < at);
        strings.get(i).filter(|r| r.start == at).map(|r| r.end)
    };
    let end = if let Some(end) = string_at(from) {
        end
    } else if let Some(word) = ["true", "false", "True", "False"]
        .iter()
        .find(|w| rest.starts_with(*w))
    {
        from + word.len()
    } else {
        // A constructor (`List.of`, `[]string`, `new[]`, `%w`, `&`), then one bracketed group
        // holding only strings and separators.
        // `[]string{`, `new[] {`: an empty pair is part of the constructor.
        let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
        let opener = line
            .match_indices(['[', '(', '{'])
            .map(|(i, _)| i)
            .find(|&i| !matches!(&rest[i..], r if r.starts_with("[]") || r.starts_with("()")))?;
        let prefix = &rest[..opener];
        if !prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.!&%<>[] ".contains(&b))
        {
            return None;
        }
        let mut depth = 0usize;
        let mut at = from + opener;
        // A list longer than this is not a simple constant (and reading it is not cheap).
        let limit = (at + LONGEST_LIST).min(text.len());
        loop {
            if at >= limit {
                return None;
            }
            if let Some(end) = string_at(at) {
                at = end;
                continue;
            }
            let b = *text.as_bytes().get(at)?;
            match b {
                b'[' | b'(' | b'{' => depth += 1,
                b']' | b')' | b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        break at + 1;
                    }
                }
                b',' | b'*' => {}
                _ if b.is_ascii_whitespace() => {}
                // `%w[* https://a]`: Ruby's word list holds bare words.
                _ if prefix.trim_end().ends_with("%w") => {}
                _ => return None,
            }
            at += 1;
        }
    };
    // What may follow a literal on its line: `.freeze`, `;`, `,`, spaces.
    let tail = text[end..].split('\n').next().unwrap_or_default();
    let tail = tail.trim_start_matches(".freeze").trim();
    (tail.is_empty() || tail.starts_with(';') || tail == ",").then_some(end)
}

/// One name replaced by its value.
#[derive(Debug, Clone)]
struct Edit {
    /// Where the value starts in the substituted text.
    at: usize,
    /// Its length there.
    len: usize,
    /// The name's range in the original text.
    original: Range<usize>,
    /// Which constant (its index in the table).
    constant: usize,
}

/// A text with constants' names replaced by their values, and the way back to the original's
/// byte offsets.
#[derive(Debug, Clone)]
pub(crate) struct Substituted<'t> {
    /// The substituted text (the original when nothing was replaced).
    pub text: Cow<'t, str>,
    edits: Vec<Edit>,
}

impl Substituted<'_> {
    /// The original byte range a range of the substituted text comes from (a value that was
    /// put in stands for its name).
    pub(crate) fn original(&self, span: Range<usize>) -> Range<usize> {
        self.map(span.start, false)..self.map(span.end, true)
    }

    /// The original offset of substituted offset `at`, a range's start or (`end`) its end.
    fn map(&self, at: usize, end: bool) -> usize {
        let i = self.edits.partition_point(|e| e.at <= at);
        let Some(e) = i.checked_sub(1).map(|i| &self.edits[i]) else {
            return at;
        };
        match at < e.at + e.len {
            true if end && at > e.at => e.original.end,
            true => e.original.start,
            false => at - (e.at + e.len) + e.original.end,
        }
    }

    /// The constants whose values the range `span` of the substituted text reads.
    pub(crate) fn constants_in<'c>(
        &'c self,
        constants: &'c Constants,
        span: Range<usize>,
    ) -> impl Iterator<Item = &'c Constant> + 'c {
        self.edits
            .iter()
            .filter(move |e| e.at < span.end && span.start < e.at + e.len)
            .filter_map(|e| constants.all.get(e.constant))
    }
}

#[cfg(test)]
mod tests {
    use super::super::comments::CommentSyntax;
    use super::*;

    /// `text` (a file at `path`) with its constants substituted.
    fn substituted(path: &str, text: &str) -> String {
        let syntax = CommentSyntax::of_path(path);
        let strings: Vec<_> = syntax.strings_in_file(text).collect();
        Constants::of(text, &strings)
            .substitute(text, &strings, path.ends_with(".js"))
            .text
            .into_owned()
    }

    #[test]
    fn names_read_as_their_values() {
        let cases = [
            (
                "a.js",
                "const ORIGINS = '*';\napp.use(cors({ origin: ORIGINS }));\n",
                "app.use(cors({ origin: '*' }));",
            ),
            (
                "a.js",
                "const origin = '*'\ncors({ origin })\n",
                "cors({ origin: '*' })",
            ),
            (
                "a.py",
                "ALLOWED = [\n    \"*\",\n]\nadd(allow_origins=ALLOWED)\n",
                "add(allow_origins=[ \"*\", ])",
            ),
            (
                "a.js",
                "const ACAO = 'Access-Control-Allow-Origin'; res.set(ACAO, '*')\n",
                "res.set('Access-Control-Allow-Origin', '*')",
            ),
            (
                "a.go",
                "var origins = []string{\"*\"}\nc := cors.Options{AllowedOrigins: origins}\n",
                "AllowedOrigins: []string{\"*\"}",
            ),
            (
                "A.java",
                "private static final String[] ORIGINS = {\"*\"};\nr.allowedOrigins(ORIGINS);\n",
                "allowedOrigins({\"*\"})",
            ),
            (
                "a.rb",
                "ORIGINS = %w[*].freeze\norigins ORIGINS\n",
                "origins %w[*]",
            ),
            (
                "a.cs",
                "const string Origin = \"*\";\np.WithOrigins(Origin);\n",
                "WithOrigins(\"*\")",
            ),
        ];
        for (path, text, want) in cases {
            let got = substituted(path, text);
            assert!(got.contains(want), "{path}: {got}");
        }
    }

    #[test]
    fn only_simple_constants_assigned_once_are_read() {
        let cases = [
            (
                "a.js",
                "let o = '*';\no = 'https://a';\ncors({ origin: o })\n",
            ),
            ("a.js", "const o = pick('*', x);\ncors({ origin: o })\n"),
            ("a.js", "const o = '*';\nlog('o', config.o, { o: 1 });\n"),
        ];
        for (path, text) in cases {
            assert_eq!(substituted(path, text), text, "{path}: {text}");
        }
    }

    #[test]
    fn offsets_map_back_to_the_original() {
        let text = "const O = ['*'];\nx({ origin: O, y: O });\n";
        let strings: Vec<_> = CommentSyntax::of_path("a.js")
            .strings_in_file(text)
            .collect();
        let constants = Constants::of(text, &strings);
        let sub = constants.substitute(text, &strings, true);
        let at = sub.text.find("origin: ['*']").unwrap_or_default() + "origin: ".len();
        let name = text.rfind("origin: O").unwrap_or_default() + "origin: ".len();
        assert_eq!(sub.original(at..at + 5), name..name + 1);
        let used: Vec<_> = sub.constants_in(&constants, at..at + 5).collect();
        assert_eq!(used.len(), 1);
        assert_eq!(used[0].value, "['*']");
        let tail = sub.text.find(" });").unwrap_or_default();
        assert_eq!(
            sub.original(tail..tail + 4),
            text.find(" });").map(|t| t..t + 4).unwrap_or_default()
        );
    }
}
