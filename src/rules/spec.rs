//! The rule language as written in TOML (built-in `rules/*.toml`, a repository's
//! `.deploy-guard.toml`, or a rule file given to `test-rules`). Spans are kept on every value a
//! user can get wrong, so errors point at file:line:column.
//!
//! Every matcher is optional and all present matchers must hold; new matcher kinds are added as
//! new optional keys, so existing rule files keep their meaning.

use crate::change::Status;
use crate::finding::Severity;
use serde::Deserialize;
use toml::Spanned;

/// One rule as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// `category/name`, lower-case kebab.
    pub id: Spanned<String>,
    /// `error`, `warning` or `info`.
    pub severity: Spanned<Severity>,
    /// One line for `deploy-guard rules`; defaults to the message.
    pub summary: Option<String>,
    /// The finding's text: what changed and why it is risky. May use `{capture}` and `{path}`.
    pub message: Spanned<String>,
    /// Why it matters and how to fix it (Markdown).
    #[serde(default)]
    pub help: String,
    /// A page with more detail.
    pub url: Option<String>,
    /// Globs of paths the rule applies to; empty means every path. A glob with no `/` matches
    /// the file name at any depth, as in `.gitignore`.
    #[serde(default)]
    pub paths: Vec<Spanned<String>>,
    /// Globs of paths the rule never applies to.
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    /// Regex that must match an added line; the finding is placed on that line.
    pub added: Option<Spanned<String>>,
    /// Regex that must match a removed line (with `added`: somewhere in the file's removed lines).
    pub removed: Option<Spanned<String>>,
    /// Regex that must NOT match the line `added` (or `removed`, without `added`) matched:
    /// the way to carve look-alikes out of a pattern.
    pub unless: Option<Spanned<String>>,
    /// Regex on the changed path (head path; base path for deletions).
    pub filename: Option<Spanned<String>>,
    /// Statuses the rule applies to; empty means all.
    #[serde(default)]
    pub status: Vec<Status>,
    /// Worked examples, run by `deploy-guard test-rules` and the test suite.
    #[serde(default, rename = "example")]
    pub examples: Vec<Example>,
}

/// A worked example: a file's content before and after, and whether the rule must fire.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// The path in head (or the deleted path).
    pub path: String,
    /// The base path, for a rename.
    pub old_path: Option<String>,
    /// Content in base; absent means the file is new.
    pub before: Option<String>,
    /// Content in head; absent means the file is deleted.
    pub after: Option<String>,
    /// Whether the rule must fire (`match`) or stay quiet (`clean`).
    pub expect: Spanned<Expect>,
    /// With `expect = "match"`: the line the finding must be on.
    pub line: Option<u32>,
}

/// What an example expects of its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    /// The rule reports at least one finding.
    Match,
    /// The rule reports nothing.
    Clean,
}

/// A file that holds only rules (`rules/*.toml`, or a file given to `test-rules`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// The rules, as `[[rule]]` tables.
    #[serde(default)]
    pub rule: Vec<RuleSpec>,
}
