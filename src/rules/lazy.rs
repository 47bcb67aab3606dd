//! Regexes compiled on first use. Built-in rules are many and most never meet a line in a given
//! change, so compiling each one up front would dominate a small check; a repository's own rules
//! are compiled eagerly instead, so their errors still point at file:line:column. The test suite
//! compiles every built-in pattern, so deferring cannot hide a broken one. Structured matchers
//! (`[rule.query]`, `[rule.dockerfile]`, `[rule.terraform]`) are deferred the same way.

use super::SourceFile;
use crate::error::Result;
use crate::matchers::structured::{Structure, StructureSpec};
use regex::Regex;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

/// A regex that compiles itself the first time it is used.
#[derive(Debug, Clone)]
pub struct LazyRegex {
    pattern: String,
    compiled: OnceLock<Regex>,
}

impl LazyRegex {
    /// Compiles now, reporting an invalid pattern.
    pub fn eager(pattern: &str) -> Result<LazyRegex, regex::Error> {
        let regex = Regex::new(pattern)?;
        Ok(LazyRegex {
            pattern: pattern.to_string(),
            compiled: OnceLock::from(regex),
        })
    }

    /// Defers compilation to first use; only for patterns shipped in the binary and checked by
    /// the test suite.
    pub fn deferred(pattern: &str) -> LazyRegex {
        LazyRegex {
            pattern: pattern.to_string(),
            compiled: OnceLock::new(),
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }
}

impl Deref for LazyRegex {
    type Target = Regex;

    fn deref(&self) -> &Regex {
        self.compiled.get_or_init(|| {
            Regex::new(&self.pattern)
                .expect("built-in rule patterns are compiled by the test suite before release")
        })
    }
}

/// A structured matcher that compiles itself the first time it is used.
#[derive(Debug, Clone)]
pub struct LazyStructure {
    spec: StructureSpec,
    file: Arc<SourceFile>,
    compiled: OnceLock<Structure>,
}

impl LazyStructure {
    /// Compiles now, reporting errors at the rule file.
    pub fn eager(spec: StructureSpec, file: Arc<SourceFile>) -> Result<LazyStructure> {
        let structure = Structure::compile(&file, &spec)?;
        Ok(LazyStructure {
            spec,
            file,
            compiled: OnceLock::from(structure),
        })
    }

    /// Defers compilation to first use; only for matchers shipped in the binary and checked by
    /// the test suite.
    pub fn deferred(spec: StructureSpec, file: Arc<SourceFile>) -> LazyStructure {
        LazyStructure {
            spec,
            file,
            compiled: OnceLock::new(),
        }
    }
}

impl Deref for LazyStructure {
    type Target = Structure;

    fn deref(&self) -> &Structure {
        self.compiled.get_or_init(|| {
            Structure::compile(&self.file, &self.spec).expect(
                "built-in structured matchers are compiled by the test suite before release",
            )
        })
    }
}
