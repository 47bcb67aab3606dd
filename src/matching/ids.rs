//! Globs over rule ids: `disable`, a rule's `with_finding`/`without_finding`, waivers, inline
//! suppressions and acknowledgement labels all name rules as an id or a glob of ids
//! (`cors/*`). One type reads them all the same way (globset's defaults: `*` also crosses `/`).

use globset::{Glob, GlobSet, GlobSetBuilder};
use std::sync::OnceLock;

/// A list of rule-id globs, matched as one set.
#[derive(Debug, Clone)]
pub(crate) struct RuleIdGlobs {
    globs: Vec<String>,
    set: OnceLock<GlobSet>,
}

impl RuleIdGlobs {
    /// Compiles `globs` now; an error names the bad glob's index (the first one for an error
    /// of the set as a whole).
    pub(crate) fn new(globs: Vec<String>) -> Result<RuleIdGlobs, (usize, globset::Error)> {
        let set = compile(&globs)?;
        Ok(RuleIdGlobs {
            globs,
            set: OnceLock::from(set),
        })
    }

    /// Compiles `globs` on first use: for built-in rules, whose globs the test suite compiles,
    /// and which only the rules that fired consult.
    pub(crate) fn deferred(globs: Vec<String>) -> RuleIdGlobs {
        RuleIdGlobs {
            globs,
            set: OnceLock::new(),
        }
    }

    /// Whether any glob matches rule `id`.
    pub(crate) fn is_match(&self, id: &str) -> bool {
        self.set
            .get_or_init(|| {
                compile(&self.globs).expect("built-in rules are compiled by the test suite")
            })
            .is_match(id)
    }

    /// Whether the set has been compiled (built-in sets wait until a rule fires).
    #[cfg(test)]
    pub(crate) fn is_compiled(&self) -> bool {
        self.set.get().is_some()
    }
}

fn compile(globs: &[String]) -> Result<GlobSet, (usize, globset::Error)> {
    let mut builder = GlobSetBuilder::new();
    for (at, glob) in globs.iter().enumerate() {
        builder.add(Glob::new(glob).map_err(|e| (at, e))?);
    }
    builder.build().map_err(|e| (0, e))
}

/// What is wrong with `glob`, in the words rule files use: the glob and globset's reason, or
/// globset's whole message for an error of the set.
pub(crate) fn describe(glob: &str, error: &globset::Error) -> String {
    match error.glob() {
        Some(_) => format!("bad glob '{glob}': {}", error.kind()),
        None => error.to_string(),
    }
}

/// Whether `pattern` uses glob syntax, rather than naming one id.
pub(crate) fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '[', '{'])
}
