//! What the engine produces: severities, the fail-on threshold, and findings.

use crate::change::Side;
use crate::path_class::PathClass;
use clap::ValueEnum;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How serious a finding is. Ordered: `Info < Warning < Error`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never blocks by default.
    Info,
    /// Needs a reviewer's eyes.
    Warning,
    /// Blocks the change by default.
    Error,
}

impl Severity {
    /// The lower-case name used in configuration and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// The lowest severity that makes `check` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema, ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// Fail on errors only (the default).
    #[default]
    Error,
    /// Fail on warnings and errors.
    Warning,
    /// Fail on any finding.
    Info,
    /// Never fail on findings (the gate can still exit 2 when it cannot judge).
    Never,
}

impl FailOn {
    /// Whether an unsuppressed finding of `severity` fails the run.
    pub fn fails(self, severity: Severity) -> bool {
        match self {
            FailOn::Error => severity >= Severity::Error,
            FailOn::Warning => severity >= Severity::Warning,
            FailOn::Info => true,
            FailOn::Never => false,
        }
    }
}

/// One thing the gate saw in the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule id, `category/name`.
    pub rule: String,
    /// Severity after configuration and the prose cap.
    pub severity: Severity,
    /// Repository-relative path in head (the old path for deletions).
    pub path: String,
    /// 1-based line; `None` for findings about the file as a whole.
    pub line: Option<u32>,
    /// `Some(Side::Base)` when the finding is about removed content (then `line` is a base line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub side: Option<Side>,
    /// What changed and why it is risky, with the rule's captures filled in.
    pub message: String,
    /// The offending line, trimmed and shortened, when there is one.
    pub snippet: Option<String>,
    /// `None`, or why this finding was suppressed. Suppressed findings never fail a run.
    pub suppressed: Option<String>,
}

impl Finding {
    /// The rule id's category (the part before `/`).
    pub fn category(&self) -> &str {
        self.rule.split('/').next().unwrap_or(&self.rule)
    }
}

/// The severity a finding at `path` reports: prose is not deployed, so findings in Markdown and
/// other documentation formats, or under a `docs`/`doc` folder, never exceed `info` (see
/// [`PathClass::prose`]).
pub(crate) fn capped(severity: Severity, path: &str) -> Severity {
    if PathClass::of(path).prose {
        severity.min(Severity::Info)
    } else {
        severity
    }
}

/// A file the gate did not read (fully), and why. Listed so nothing is skipped silently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// Repository-relative path.
    pub path: String,
    /// Why it was not (fully) scanned (`binary`, …).
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_is_markdown_or_docs_folders() {
        let is_prose = |path| PathClass::of(path).prose;
        assert!(is_prose("README.md"));
        assert!(is_prose("docs/setup.yaml"));
        assert!(is_prose("a/doc/x.txt"));
        assert!(!is_prose("src/docs.js"));
        assert!(!is_prose("server/app.js"));
        assert_eq!(capped(Severity::Error, "a/README.md"), Severity::Info);
        assert_eq!(capped(Severity::Warning, "app.js"), Severity::Warning);
    }
}
