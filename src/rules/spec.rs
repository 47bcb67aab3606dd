//! The rule language as written in TOML (built-in `rules/*.toml`, a repository's
//! `.deploy-guard.toml`, or a rule file given to `test-rules`). Spans are kept on every value a
//! user can get wrong, so errors point at file:line:column.
//!
//! Every matcher is optional and all present matchers must hold; new matcher kinds are added as
//! new optional keys, so existing rule files keep their meaning.

use crate::change::Status;
use crate::finding::Severity;
use crate::matching::image::ImageClass;
use crate::matching::spec::{
    CdkConstructSpec, CdkImageSpec, DockerfileSpec, QuerySpec, TerraformSpec,
};
use serde::Deserialize;
use toml::Spanned;

/// One rule as written.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// `category/name`, lower-case kebab.
    #[schemars(
        with = "String",
        extend("pattern" = "^[a-z0-9]+(-[a-z0-9]+)*/[a-z0-9]+(-[a-z0-9]+)*$")
    )]
    pub id: Spanned<String>,
    /// `error`, `warning` or `info`.
    #[schemars(with = "Severity")]
    pub severity: Spanned<Severity>,
    /// One line for `deploy-guard rules`; defaults to the message.
    pub summary: Option<String>,
    /// The finding's text: what changed and why it is risky. May use `{capture}` and `{path}`.
    #[schemars(with = "String")]
    pub message: Spanned<String>,
    /// Why it matters and how to fix it (Markdown).
    #[serde(default)]
    pub help: String,
    /// A page with more detail.
    pub url: Option<String>,
    /// Globs of paths the rule applies to; empty means every path. A glob with no `/` matches
    /// the file name at any depth, as in `.gitignore`.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub paths: Vec<Spanned<String>>,
    /// Globs of paths the rule never applies to.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub exclude: Vec<Spanned<String>>,
    /// Regex that must match an added line; the finding is placed on that line. With an
    /// `(?P<identity>…)` group, a line whose identity a removed line of the file also captures
    /// is an edit, not an introduction, and does not fire.
    #[schemars(with = "Option<String>")]
    pub added: Option<Spanned<String>>,
    /// Regex that must match a removed line (with `added`: somewhere in the file's removed lines).
    #[schemars(with = "Option<String>")]
    pub removed: Option<Spanned<String>>,
    /// Regex that excuses a match of `added` (or `removed`, without `added`) when one of its
    /// own matches on that line, comments left out, overlaps the matched text (widened to the
    /// whole identifiers at its ends): the way to carve look-alikes out of a pattern.
    #[schemars(with = "Option<String>")]
    pub unless: Option<Spanned<String>>,
    /// With `added`: also match it against the head file as a whole, so a construct a formatter
    /// split over lines (`origin:` / `'*'`) is one, and names of simple constants defined in the
    /// file read as their values (`origin: ORIGINS` with `const ORIGINS = '*'`).
    #[serde(default)]
    pub statements: bool,
    /// Matches inside comments count too (a rule about comments: TODO markers, license
    /// headers). By default they do not: comments are not deployed.
    #[serde(default)]
    pub match_comments: bool,
    /// With `added`/`removed`: regex that the opening line of some construct enclosing the
    /// matched line must match: a `{ … }` block or `[ … ]` list (e.g. `resource
    /// "aws_cloudfront_distribution"`, `allowed_origins = [`), or in YAML a parent key.
    #[schemars(with = "Option<String>")]
    pub within: Option<Spanned<String>>,
    /// Regex on the changed path (head path; base path for deletions).
    #[schemars(with = "Option<String>")]
    pub filename: Option<Spanned<String>>,
    /// Statuses the rule applies to; empty means all.
    #[serde(default)]
    pub status: Vec<Status>,
    /// With `added`/`removed`: the regex's `image` capture must be an image reference of one of
    /// these classes.
    #[serde(default)]
    pub image: Vec<ImageClass>,
    /// A key-path query over YAML/JSON documents (v2).
    pub query: Option<Box<QuerySpec>>,
    /// A query over a Dockerfile's instructions (v2).
    pub dockerfile: Option<Box<DockerfileSpec>>,
    /// Terraform resource blocks whose address disappears (v2).
    pub terraform: Option<TerraformSpec>,
    /// The images AWS CDK code runs (v2).
    pub cdk_image: Option<Box<CdkImageSpec>>,
    /// AWS CDK constructs whose id disappears (v2).
    pub cdk_construct: Option<CdkConstructSpec>,
    /// A path check that needs the whole head tree (v2).
    pub check: Option<PathCheck>,
    /// Co-change: the rule fires only if NO changed path matches one of these globs (e.g. a new
    /// route without a docs change).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub without_change: Vec<Spanned<String>>,
    /// Co-change: the rule fires only if SOME other changed path matches one of these globs.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub with_change: Vec<Spanned<String>>,
    /// The rule fires only if a rule matching one of these id globs also fired in the change.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub with_finding: Vec<Spanned<String>>,
    /// The rule's findings are dropped if a rule matching one of these id globs fired in the
    /// change: a warning that a more specific error (a `with_finding` rule) already covers.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub without_finding: Vec<Spanned<String>>,
    /// The gate itself reports this rule's findings (suppressions, waivers, submodules): it has
    /// no matcher and is never evaluated against changed lines; it is defined so it can be
    /// documented, explained, re-graded and disabled like any other. Built-in rules only.
    #[serde(default)]
    #[schemars(skip)]
    pub gate_reported: bool,
    /// Who reports this rule's findings when it is not matched against the change: `gate` (the
    /// same as `gate_reported = true`) or `plan` (the plan judge, from `--plan` documents; the
    /// id must be one it reports). Such a rule has no matcher; it is defined so it can be
    /// documented, explained, re-graded and disabled like any other. Built-in rules only.
    #[schemars(skip)]
    pub reported_by: Option<Reporter>,
    /// Worked examples, run by `deploy-guard test-rules` and the test suite.
    #[serde(default, rename = "example")]
    pub examples: Vec<Example>,
}

crate::change_fixture! {
    /// A worked example: a change (see [`crate::fixture`]), and whether the rule must fire.
    pub struct Example {
        /// Whether the rule must fire (`match`) or stay quiet (`clean`).
        #[schemars(with = "Expect")]
        expect: Spanned<Expect>,
        /// With `expect = "match"`: the line the finding must be on.
        line: Option<u32>,
    }
}

/// Who reports a rule's findings when the engine does not match it against the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reporter {
    /// The gate itself, from what it sees while judging (suppressions, waivers, submodules,
    /// renders).
    Gate,
    /// The plan judge, from the plans given with `--plan`.
    Plan,
}

/// Checks against the whole head tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PathCheck {
    /// An added or renamed path equals another path (or directory) when case is folded.
    CaseCollision,
    /// An added line quotes a file name that exists nowhere, while a file whose name differs
    /// only by whitespace, case or Unicode form does.
    NearMissReference,
    /// A workflow, GitLab CI file or pre-commit configuration that runs deploy-guard is changed
    /// so that it runs less, fails less or judges something else (`{value}`: how).
    GateDisarmed,
    /// A renamed or deleted path is still named by a file of the head tree (a file name, a
    /// handler, an import).
    StaleReference,
}

/// What an example expects of its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
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
pub(crate) struct RuleFile {
    /// The rules, as `[[rule]]` tables.
    #[serde(default)]
    pub rule: Vec<RuleSpec>,
}
