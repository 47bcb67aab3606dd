//! Regexes compiled on first use. Built-in rules are many and most never meet a line in a given
//! change, so compiling each one up front would dominate a small check; a repository's own rules
//! are compiled eagerly instead, so their errors still point at file:line:column. The test suite
//! compiles every built-in pattern, so deferring cannot hide a broken one. Structured matchers
//! (`[rule.query]`, `[rule.dockerfile]`, `[rule.terraform]`) are deferred the same way.

use super::SourceFile;
use crate::error::Result;
use crate::matchers::structured::{Structure, StructureSpec};
use regex::bytes::{CaptureNames, Captures, Regex, RegexBuilder};
use std::collections::HashMap;
use std::ops::Deref;
use std::sync::{Arc, LazyLock, Mutex, OnceLock, PoisonError};

/// How a pattern reads `\w`, `\s`, `\d`, `\b`, `.`, negated classes and `(?i)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Syntax {
    /// Unicode-aware, the regex crate's default: a repository's own rules, and built-in
    /// patterns on file names (where Unicode spaces and look-alikes are the hazard).
    Unicode,
    /// ASCII classes and case folding; other bytes match as themselves. The built-in line
    /// patterns: config and code are ASCII where they matter, and these patterns compile several
    /// times faster without Unicode tables.
    Ascii,
}

/// A regex that compiles itself the first time it is used. Lines are matched as bytes, so
/// ASCII-syntax patterns need no valid-UTF-8 guarantee from their classes.
#[derive(Debug, Clone)]
pub struct LazyRegex {
    pattern: String,
    syntax: Syntax,
    compiled: OnceLock<Regex>,
}

impl LazyRegex {
    /// Compiles now, reporting an invalid pattern.
    pub fn eager(pattern: &str, syntax: Syntax) -> Result<LazyRegex, regex::Error> {
        let regex = build(pattern, syntax)?;
        Ok(LazyRegex {
            pattern: pattern.to_string(),
            syntax,
            compiled: OnceLock::from(regex),
        })
    }

    /// Defers compilation to first use; only for patterns shipped in the binary and checked by
    /// the test suite.
    pub fn deferred(pattern: &str, syntax: Syntax) -> LazyRegex {
        LazyRegex {
            pattern: pattern.to_string(),
            syntax,
            compiled: OnceLock::new(),
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// How the pattern is read.
    pub fn syntax(&self) -> Syntax {
        self.syntax
    }

    /// Whether the pattern matches somewhere in `text`.
    pub fn is_match(&self, text: &str) -> bool {
        self.regex().is_match(text.as_bytes())
    }

    /// The groups of the first match in `text`.
    pub fn captures<'t>(&self, text: &'t str) -> Option<Captures<'t>> {
        self.regex().captures(text.as_bytes())
    }

    /// The names of the capture groups (`None` for unnamed ones), group 0 first.
    pub fn capture_names(&self) -> CaptureNames<'_> {
        self.regex().capture_names()
    }

    /// How many groups the pattern has, group 0 included.
    pub fn captures_len(&self) -> usize {
        self.regex().captures_len()
    }

    fn regex(&self) -> &Regex {
        self.compiled.get_or_init(|| {
            build(&self.pattern, self.syntax)
                .expect("built-in rule patterns are compiled by the test suite before release")
        })
    }
}

/// Compiles `pattern`, once per process: rules share patterns (the packs' structured matchers
/// repeat the same value checks), and a compiled regex is cheap to clone.
fn build(pattern: &str, syntax: Syntax) -> Result<Regex, regex::Error> {
    static COMPILED: LazyLock<Mutex<HashMap<(String, Syntax), Regex>>> =
        LazyLock::new(Mutex::default);
    let key = (pattern.to_string(), syntax);
    let lock = || COMPILED.lock().unwrap_or_else(PoisonError::into_inner);
    let cached = lock().get(&key).cloned();
    if let Some(regex) = cached {
        return Ok(regex);
    }
    let regex = RegexBuilder::new(pattern)
        .unicode(syntax == Syntax::Unicode)
        .build()?;
    lock().insert(key, regex.clone());
    Ok(regex)
}

/// A structured matcher that compiles itself the first time it is used.
#[derive(Debug, Clone)]
pub struct LazyStructure {
    spec: StructureSpec,
    syntax: Syntax,
    file: Arc<SourceFile>,
    compiled: OnceLock<Structure>,
}

impl LazyStructure {
    /// Compiles now, reporting errors at the rule file.
    pub fn eager(
        spec: StructureSpec,
        syntax: Syntax,
        file: Arc<SourceFile>,
    ) -> Result<LazyStructure> {
        let structure = Structure::compile(&file, &spec, syntax)?;
        Ok(LazyStructure {
            spec,
            syntax,
            file,
            compiled: OnceLock::from(structure),
        })
    }

    /// Defers compilation to first use; only for matchers shipped in the binary and checked by
    /// the test suite.
    pub fn deferred(spec: StructureSpec, syntax: Syntax, file: Arc<SourceFile>) -> LazyStructure {
        LazyStructure {
            spec,
            syntax,
            file,
            compiled: OnceLock::new(),
        }
    }
}

impl Deref for LazyStructure {
    type Target = Structure;

    fn deref(&self) -> &Structure {
        self.compiled.get_or_init(|| {
            Structure::compile(&self.file, &self.spec, self.syntax).expect(
                "built-in structured matchers are compiled by the test suite before release",
            )
        })
    }
}
