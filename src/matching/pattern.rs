//! Regexes compiled on first use. Built-in rules are many and most never meet a line in a given
//! change, so compiling each one up front would dominate a small check; a repository's own rules
//! are compiled eagerly instead, so their errors still point at file:line:column. The test suite
//! compiles every built-in pattern, so deferring cannot hide a broken one.

use super::stored;
use deploy_guard_patterns::nfa;
use regex::bytes::{Captures, Regex, RegexBuilder};
use regex_automata::Input;
use regex_automata::hybrid::dfa::{Cache, DFA};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, OnceLock, PoisonError};

/// How a pattern reads `\w`, `\s`, `\d`, `\b`, `.`, negated classes and `(?i)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Syntax {
    /// Unicode-aware, the regex crate's default: a repository's own rules, and built-in
    /// patterns on file names (where Unicode spaces and look-alikes are the hazard).
    Unicode,
    /// ASCII classes and case folding; other bytes match as themselves. The built-in line
    /// patterns: config and code are ASCII where they matter, and these patterns compile several
    /// times faster without Unicode tables.
    Ascii,
}

/// How a rule's patterns are compiled: how they read classes, and whether now, so an error
/// points at the rule file, or on first use (built-ins, which the test suite compiles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Compile {
    /// How classes and case-insensitivity read.
    pub syntax: Syntax,
    /// Compile now.
    pub eager: bool,
}

impl Compile {
    /// `pattern`, compiled this way; only an eager compile can fail.
    pub(crate) fn regex(self, pattern: &str) -> Result<LazyRegex, regex::Error> {
        match self.eager {
            true => LazyRegex::eager(pattern, self.syntax),
            false => Ok(LazyRegex::deferred(pattern, self.syntax)),
        }
    }
}

/// A regex that compiles itself the first time it is used. Lines are matched as bytes, so
/// ASCII-syntax patterns need no valid-UTF-8 guarantee from their classes.
///
/// Whether it matches is answered by a forward-only lazy DFA, which builds in about half the
/// time of the full regex; the full regex is compiled only for captures (or when the DFA gives
/// up on a line). Both are compiled once per process, however many rules write the pattern.
#[derive(Debug, Clone)]
pub(crate) struct LazyRegex {
    pattern: String,
    syntax: Syntax,
    compiled: OnceLock<Arc<Compiled>>,
    /// Every `<name>` in the pattern's text: the names its groups can have.
    written_groups: OnceLock<Vec<String>>,
}

impl LazyRegex {
    /// Compiles now, reporting an invalid pattern.
    pub(crate) fn eager(pattern: &str, syntax: Syntax) -> Result<LazyRegex, regex::Error> {
        let compiled = Compiled::of(pattern, syntax);
        if compiled.regex.get().is_none() {
            let regex = RegexBuilder::new(pattern)
                .unicode(syntax == Syntax::Unicode)
                .build()?;
            let _ = compiled.regex.set(regex);
        }
        Ok(LazyRegex {
            compiled: OnceLock::from(compiled),
            ..LazyRegex::deferred(pattern, syntax)
        })
    }

    /// Defers compilation to first use; only for patterns shipped in the binary and checked by
    /// the test suite.
    pub(crate) fn deferred(pattern: &str, syntax: Syntax) -> LazyRegex {
        LazyRegex {
            pattern: pattern.to_string(),
            syntax,
            compiled: OnceLock::new(),
            written_groups: OnceLock::new(),
        }
    }

    /// The pattern as written.
    pub(crate) fn as_str(&self) -> &str {
        &self.pattern
    }

    /// How the pattern is read.
    pub(crate) fn syntax(&self) -> Syntax {
        self.syntax
    }

    /// Whether the pattern matches somewhere in `text`.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        let text = text.as_bytes();
        let compiled = self.compiled();
        if let Some(regex) = compiled.regex.get() {
            return regex.is_match(text);
        }
        let matcher = compiled
            .matcher
            .get_or_init(|| Matcher::build(&self.pattern, self.syntax));
        match matcher.as_ref().and_then(|m| m.is_match(text)) {
            Some(answer) => answer,
            None => self.regex().is_match(text),
        }
    }

    /// The groups of the first match in `text` that starts at byte `start` or later (the text
    /// before it still counts for anchors and word boundaries).
    pub(crate) fn captures_at<'t>(&self, text: &'t str, start: usize) -> Option<Captures<'t>> {
        self.regex().captures_at(text.as_bytes(), start)
    }

    /// The byte ranges of the successive non-overlapping matches in `text`.
    pub(crate) fn find_iter<'s, 't>(
        &'s self,
        text: &'t str,
    ) -> impl Iterator<Item = std::ops::Range<usize>> + use<'s, 't> {
        self.regex().find_iter(text.as_bytes()).map(|m| m.range())
    }

    /// Whether the pattern has a capture group called `name`. A pattern whose text has no
    /// `<name>` answers without compiling the full regex; the text is read once, since the
    /// engine asks for every line a rule matches.
    pub(crate) fn has_group(&self, name: &str) -> bool {
        let written = self.written_groups.get_or_init(|| {
            self.pattern
                .split('<')
                .skip(1)
                .filter_map(|rest| rest.split_once('>').map(|(name, _)| name.to_string()))
                .collect()
        });
        written.iter().any(|w| w == name)
            && self.regex().capture_names().flatten().any(|n| n == name)
    }

    /// How many groups the pattern has, group 0 included.
    pub(crate) fn captures_len(&self) -> usize {
        self.regex().captures_len()
    }

    fn compiled(&self) -> &Compiled {
        self.compiled
            .get_or_init(|| Compiled::of(&self.pattern, self.syntax))
    }

    fn regex(&self) -> &Regex {
        self.compiled().regex.get_or_init(|| {
            RegexBuilder::new(&self.pattern)
                .unicode(self.syntax == Syntax::Unicode)
                .build()
                .expect("built-in rule patterns are compiled by the test suite before release")
        })
    }
}

/// A pattern's compiled forms, each built on first use, once per process: rules share patterns
/// (the packs' structured matchers repeat the same value checks), and what a check compiled
/// lives until the process ends instead of being taken apart on the way out.
#[derive(Debug, Default)]
struct Compiled {
    regex: OnceLock<Regex>,
    matcher: OnceLock<Option<Matcher>>,
}

impl Compiled {
    /// The compiled forms of `pattern` read with `syntax`.
    fn of(pattern: &str, syntax: Syntax) -> Arc<Compiled> {
        type ByPattern = HashMap<(String, Syntax), Arc<Compiled>>;
        static ALL: LazyLock<Mutex<ByPattern>> = LazyLock::new(Mutex::default);
        let mut all = ALL.lock().unwrap_or_else(PoisonError::into_inner);
        all.entry((pattern.to_string(), syntax))
            .or_default()
            .clone()
    }
}

/// A forward-only lazy DFA with its search cache.
#[derive(Debug)]
struct Matcher {
    dfa: DFA,
    cache: Mutex<Cache>,
}

impl Matcher {
    /// `None` when the pattern needs more than a lazy DFA offers; the full regex answers then.
    /// A built-in pattern's NFA comes ready-made from the binary (see [`nfa`]).
    fn build(pattern: &str, syntax: Syntax) -> Option<Matcher> {
        let stored = match syntax {
            Syntax::Ascii => stored::lookup(pattern).and_then(|p| nfa::decode(p.nfa)),
            Syntax::Unicode => None,
        };
        let nfa = match stored {
            Some(nfa) => nfa,
            None => nfa::compile(pattern, syntax == Syntax::Unicode)?,
        };
        let dfa = DFA::builder()
            .configure(DFA::config().unicode_word_boundary(true))
            .build_from_nfa(nfa)
            .ok()?;
        Some(Matcher {
            cache: Mutex::new(dfa.create_cache()),
            dfa,
        })
    }

    /// Whether the pattern matches in `haystack`; `None` if the DFA gave up (a non-ASCII byte
    /// next to a Unicode `\b`, or a thrashing cache).
    fn is_match(&self, haystack: &[u8]) -> Option<bool> {
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        let input = Input::new(haystack).earliest(true);
        let found = self.dfa.try_search_fwd(&mut cache, &input).ok()?;
        Some(found.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The DFA's answer, its fallback (a Unicode `\b` next to non-ASCII text makes it give
    /// up) and the full regex agree.
    #[test]
    fn the_quick_matcher_answers_like_the_full_regex() {
        let patterns = [
            r"\bcors\b",
            r"(?i)^\s*origin\s*:",
            r"[^'\n]*\*",
            r"café",
            r"\w+=\*",
        ];
        let texts = [
            "cors",
            "écors",
            "xcors",
            "  Origin: *",
            "origin",
            "'*'",
            "café",
            "é=*",
            "a=*",
            "",
        ];
        for syntax in [Syntax::Unicode, Syntax::Ascii] {
            for pattern in patterns {
                let full = RegexBuilder::new(pattern)
                    .unicode(syntax == Syntax::Unicode)
                    .build()
                    .unwrap();
                let lazy = LazyRegex::deferred(pattern, syntax);
                for text in texts {
                    let want = full.is_match(text.as_bytes());
                    assert_eq!(
                        lazy.is_match(text),
                        want,
                        "{pattern:?} {syntax:?} on {text:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn group_names_are_found_without_compiling_when_absent() {
        let plain = LazyRegex::deferred(r"image:\s*\S+", Syntax::Ascii);
        assert!(!plain.has_group("image"));
        assert!(
            plain.compiled.get().is_none(),
            "a pattern without <image> compiled"
        );
        let named = LazyRegex::deferred(r"image:\s*(?P<image>\S+)", Syntax::Ascii);
        assert!(named.has_group("image") && !named.has_group("identity"));
        assert!(!LazyRegex::deferred(r"\(?P<image>x", Syntax::Ascii).has_group("image"));
    }
}
