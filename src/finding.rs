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
    /// For a finding judged from a plan or a render rather than from the change's own lines:
    /// where it comes from. `None` for source findings (the JSON report then omits `origin`).
    #[serde(flatten)]
    pub origin: Option<Box<Origin>>,
}

impl Finding {
    /// The rule id's category (the part before `/`).
    pub fn category(&self) -> &str {
        self.rule.split('/').next().unwrap_or(&self.rule)
    }

    /// Every name the finding can be waived or excluded by: its path and, for a finding judged
    /// from a plan or a render, the plan file or the rendered object's path, and the address.
    pub fn places(&self) -> impl Iterator<Item = &str> {
        let origin = self.origin.as_deref();
        let named = origin.and_then(|o| o.plan.as_deref().or(o.rendered_path()));
        std::iter::once(self.path.as_str())
            .chain(named)
            .chain(origin.map(|o| o.address.as_str()))
    }

    /// What report order groups the finding under: `None` for the change's own findings (they
    /// come first), else its origin and the plan file or render name.
    pub fn origin_key(&self) -> Option<(OriginKind, &str)> {
        let o = self.origin.as_deref()?;
        Some((
            o.kind,
            o.plan
                .as_deref()
                .or(o.render.as_deref())
                .unwrap_or_default(),
        ))
    }

    /// Whether the finding was judged from a plan (`--plan`).
    pub fn is_from_plan(&self) -> bool {
        self.origin
            .as_ref()
            .is_some_and(|o| o.kind == OriginKind::Plan)
    }
}

/// What a finding judged from a plan or a render was about. In the JSON report its fields sit
/// beside the finding's own (`"origin": "plan"`, `"address"`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// `plan` or `render`.
    #[serde(rename = "origin")]
    pub kind: OriginKind,
    /// The resource address (a Terraform address, a CloudFormation logical id with its parent
    /// stacks: `AppStack/Service`), or the rendered object (`Deployment/shop/api`).
    pub address: String,
    /// The resource type (`aws_lb`, `AWS::ECS::Service`), or the rendered object's kind.
    pub resource_type: String,
    /// What the plan does to the resource (`delete`, `replace`, `create`, `update`), or what
    /// the change does to the rendered object (`added`, `modified`, `deleted`).
    pub action: String,
    /// The plan file the finding was judged from, as given on the command line (plans only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// The `[[render]]` entry's name (renders only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub render: Option<String>,
    /// Where the finding sits in the rendered output, `render:NAME/…:LINE`, when `path` and
    /// `line` name the source file traced from it (renders only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rendered: Option<String>,
    /// Supporting facts, one per line: what forces a replacement, the images found.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub detail: Vec<String>,
}

impl Origin {
    /// The rendered object's path, `render:NAME/…` (without the line), for a render finding.
    pub fn rendered_path(&self) -> Option<&str> {
        let rendered = self.rendered.as_deref()?;
        Some(rendered.rsplit_once(':').map_or(rendered, |(path, line)| {
            if line.bytes().all(|b| b.is_ascii_digit()) {
                path
            } else {
                rendered
            }
        }))
    }
}

/// Where a finding that is not about the change's own lines comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OriginKind {
    /// A Terraform / OpenTofu plan or a CloudFormation change set (`--plan`).
    Plan,
    /// A `[[render]]` command's output, compared between base and head.
    Render,
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
