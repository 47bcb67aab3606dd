//! Rules: the language ([`spec`]), built-in packs embedded from `rules/*.toml`, compilation into
//! a [`RuleSet`] that the engine runs, worked examples ([`examples`]) and generated docs ([`docs`]).

mod compile;
pub mod docs;
pub mod examples;
pub mod lazy;
mod source_file;
pub mod spec;
mod template;

pub use compile::{LineSets, Rule, RuleSet};
pub use source_file::SourceFile;
pub use template::Template;

use crate::error::Result;
use spec::{RuleFile, RuleSpec};
use std::sync::Arc;

/// A rule as parsed, with the file it came from (for positioned errors).
#[derive(Debug, Clone)]
pub struct RuleDraft {
    /// The parsed rule.
    pub spec: RuleSpec,
    /// The file it was written in.
    pub file: Arc<SourceFile>,
    /// Shipped in the binary (its regexes may compile on first use; see [`lazy`]).
    pub builtin: bool,
}

/// The built-in rule files, embedded at build time so the binary needs no data files.
const BUILTIN: &[(&str, &str)] = &[
    ("rules/cors.toml", include_str!("../../rules/cors.toml")),
    ("rules/cdn.toml", include_str!("../../rules/cdn.toml")),
    ("rules/image.toml", include_str!("../../rules/image.toml")),
    (
        "rules/filename.toml",
        include_str!("../../rules/filename.toml"),
    ),
    ("rules/infra.toml", include_str!("../../rules/infra.toml")),
    (
        "rules/rollout.toml",
        include_str!("../../rules/rollout.toml"),
    ),
    ("rules/docs.toml", include_str!("../../rules/docs.toml")),
    ("rules/guard.toml", include_str!("../../rules/guard.toml")),
];

/// The built-in rules, parsed.
pub fn builtin() -> Result<Vec<RuleDraft>> {
    let mut drafts = Vec::new();
    for (name, text) in BUILTIN {
        drafts.extend(
            parse_rule_file(SourceFile::new(*name, *text))?
                .into_iter()
                .map(|d| RuleDraft { builtin: true, ..d }),
        );
    }
    Ok(drafts)
}

/// Parses a file that holds `[[rule]]` tables.
pub fn parse_rule_file(file: SourceFile) -> Result<Vec<RuleDraft>> {
    let parsed: RuleFile = file.parse()?;
    let file = Arc::new(file);
    Ok(parsed
        .rule
        .into_iter()
        .map(|spec| RuleDraft {
            spec,
            file: file.clone(),
            builtin: false,
        })
        .collect())
}

pub(crate) use compile::{check_globs, path_glob};
