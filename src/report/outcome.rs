//! The outcome of one run, as every printer reads it: the findings, what was skipped, the
//! counts and the verdict, and the rules in effect.

use super::rule_meta::RuleMeta;
use crate::change::Side;
use crate::config::Selection;
use crate::finding::{FailOn, Finding, OriginKind, Severity, Skipped};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::io;

/// Counts for the summary line and the JSON `summary` object.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Unsuppressed errors.
    pub error: usize,
    /// Unsuppressed warnings.
    pub warning: usize,
    /// Unsuppressed infos.
    pub info: usize,
    /// Suppressed findings of any severity.
    pub suppressed: usize,
    /// Paths in the change.
    pub files_changed: usize,
}

/// The one-word outcome every report leads with. It says what the findings are worth, whatever
/// the threshold: `--fail-on` decides the exit code, not the verdict, so a run under
/// `--fail-on never` that found an error still reads "blocked" (and exits 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// An unsuppressed error, or any unsuppressed finding at or above the fail-on level.
    Blocked,
    /// Not blocked, but warnings want a reviewer.
    NeedsReview,
    /// Nothing that needs attention.
    Clear,
}

impl Verdict {
    /// How the verdict reads in prose.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Blocked => "blocked",
            Verdict::NeedsReview => "needs review",
            Verdict::Clear => "clear",
        }
    }
}

/// Everything one `check` run found, ready to print in any format.
#[derive(Debug, Clone)]
pub struct Report {
    /// The base commit id, if any.
    pub base: Option<String>,
    /// The head commit id, if any (none for the index or working tree).
    pub head: Option<String>,
    /// All findings, suppressed ones included: the change's own by path and line, then those
    /// judged from plans (by plan file), then from renders (by render name).
    pub findings: Vec<Finding>,
    /// Files not read as text.
    pub skipped: Vec<Skipped>,
    /// Number of changed paths.
    pub files_changed: usize,
    /// When nothing was judged: what was compared and why nothing changed ("nothing to judge:
    /// base and head are the same commit (…)"). Reports lead with it instead of a bare "clear".
    pub note: Option<String>,
    /// The threshold that decides the exit code.
    pub fail_on: FailOn,
    /// What the command line narrowed for this run; every format shows it.
    pub selection: Selection,
    /// The rules in effect, for formats that describe rules (SARIF, JUnit).
    pub rules: Vec<RuleMeta>,
    /// The plans judged besides the change (`--plan`), in the order given.
    pub plans: Vec<JudgedPlan>,
}

/// A plan document judged in this run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct JudgedPlan {
    /// `terraform` or `cloudformation`.
    pub kind: &'static str,
    /// The file: repository-relative when inside the repository, else as given.
    pub file: String,
    /// How many resource changes it lists.
    pub resources: usize,
}

impl Report {
    /// Unsuppressed findings.
    pub fn active(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.suppressed.is_none())
    }

    /// Unsuppressed findings, errors first, then warnings, then infos (report order within
    /// each), for formats that can only show the first few.
    pub fn by_importance(&self) -> Vec<&Finding> {
        let mut active: Vec<&Finding> = self.active().collect();
        active.sort_by_key(|f| std::cmp::Reverse(f.severity));
        active
    }

    /// Counts by severity (unsuppressed) plus suppressed and changed files.
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            files_changed: self.files_changed,
            ..Summary::default()
        };
        for f in &self.findings {
            match (&f.suppressed, f.severity) {
                (Some(_), _) => s.suppressed += 1,
                (None, Severity::Error) => s.error += 1,
                (None, Severity::Warning) => s.warning += 1,
                (None, Severity::Info) => s.info += 1,
            }
        }
        s
    }

    /// Unsuppressed findings per category, for the verdict line.
    pub fn per_category(&self) -> BTreeMap<&str, usize> {
        let mut counts = BTreeMap::new();
        for f in self.active() {
            *counts.entry(f.category()).or_insert(0) += 1;
        }
        counts
    }

    /// Whether the run fails: some unsuppressed finding at or above `fail_on`.
    pub fn fails(&self) -> bool {
        self.active().any(|f| self.fail_on.fails(f.severity))
    }

    /// The verdict the reports lead with (see [`Verdict`]: errors block whatever `fail_on` is).
    pub fn verdict(&self) -> Verdict {
        if self.fails() || self.active().any(|f| f.severity == Severity::Error) {
            Verdict::Blocked
        } else if self.active().any(|f| f.severity >= Severity::Warning) {
            Verdict::NeedsReview
        } else {
            Verdict::Clear
        }
    }

    /// "plans judged: plan.json (terraform, 12 resource changes)", when plans were given.
    pub fn plans_line(&self) -> Option<String> {
        let plans: Vec<String> = self
            .plans
            .iter()
            .map(|p| {
                let s = plural(p.resources);
                format!(
                    "{} ({}, {} resource change{s})",
                    p.file, p.kind, p.resources
                )
            })
            .collect();
        (!plans.is_empty()).then(|| format!("plans judged: {}", plans.join(", ")))
    }

    /// "narrowed for this run: --disable docs/* --exclude vendor/**", when the command line
    /// narrowed the rules; the line printers put it under the verdict.
    pub fn narrowed_line(&self) -> Option<String> {
        let flags = self.selection.describe();
        (!flags.is_empty()).then(|| format!("narrowed for this run: {}", flags.join(" ")))
    }

    /// "blocked: 1 error, 0 warnings, 2 info (cors: 1, docs: 2)"; for a change with no file,
    /// what was compared ("nothing to judge: …").
    pub fn verdict_line(&self) -> String {
        if let (0, Some(note)) = (self.files_changed, &self.note) {
            return note.clone();
        }
        let s = self.summary();
        let mut line = format!(
            "{}: {} error{}, {} warning{}, {} info",
            self.verdict().label(),
            s.error,
            plural(s.error),
            s.warning,
            plural(s.warning),
            s.info
        );
        let categories = self.per_category();
        if !categories.is_empty() {
            let parts: Vec<_> = categories
                .iter()
                .map(|(c, n)| format!("{c}: {n}"))
                .collect();
            line.push_str(&format!(" ({})", parts.join(", ")));
        }
        if s.suppressed > 0 {
            line.push_str(&format!("; {} suppressed", s.suppressed));
        }
        line
    }
}

/// The line a finding can be shown at in the head revision: `None` for file-level findings
/// and for findings about removed lines (their line number is the base's).
pub(crate) fn head_line(f: &Finding) -> Option<u32> {
    match f.side {
        Some(Side::Base) => None,
        _ => f.line,
    }
}

/// The finding's message, saying where removed content was (formats that show the head
/// revision, annotations and code scanning, cannot point at a base line themselves) and, for a
/// finding judged from a plan or a render, where it comes from (see [`origin_label`]).
pub(crate) fn message_in_head(f: &Finding) -> Cow<'_, str> {
    let mut message = Cow::Borrowed(f.message.as_str());
    if let (Some(Side::Base), Some(line)) = (f.side, f.line) {
        message = Cow::Owned(format!(
            "{message} (removed line {line} of the base revision)"
        ));
    }
    if let Some(label) = origin_label(f) {
        message = Cow::Owned(format!("{message} [{label}]"));
    }
    message
}

/// `path:line` as people read it: just `path` for file-level findings, `(removed)` after a
/// base line, and where a plan or render finding comes from (see [`origin_label`]).
pub(crate) fn place(f: &Finding) -> String {
    let place = match (f.line, f.side) {
        (Some(line), Some(Side::Base)) => format!("{}:{line} (removed)", f.path),
        (Some(line), _) => format!("{}:{line}", f.path),
        (None, _) => f.path.clone(),
    };
    match origin_label(f) {
        Some(label) => format!("{place} [{label}]"),
        None => place,
    }
}

/// Where a finding judged from a plan or a render comes from, in one line:
/// `plan plan.json: aws_lb.public (aws_lb, delete)`,
/// `render prod: Deployment/shop/api (Deployment, modified)`; `None` for the change's own.
pub(crate) fn origin_label(f: &Finding) -> Option<String> {
    let o = f.origin.as_deref()?;
    let from = match o.kind {
        OriginKind::Plan => format!("plan {}", o.plan.as_deref().unwrap_or_default()),
        OriginKind::Render => format!("render {}", o.render.as_deref().unwrap_or_default()),
    };
    Some(format!(
        "{from}: {} ({}, {})",
        o.address, o.resource_type, o.action
    ))
}

/// Whether the finding's `path` names a file of the repository that hosting services can show
/// (false for a plan or render finding not traced to a source file: its path is the plan file,
/// which may lie outside the repository, or the rendered object).
pub(crate) fn in_repository(f: &Finding) -> bool {
    f.origin.is_none() || f.line.is_some()
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A report printer for one format.
pub trait Render {
    /// Writes the whole report to `out`.
    fn render(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()>;
}

impl Report {
    /// Every rule in effect, then a stand-in for each rule id that appears only in findings.
    pub fn rule_table(&self) -> Vec<Cow<'_, RuleMeta>> {
        let mut table: Vec<Cow<'_, RuleMeta>> = self.rules.iter().map(Cow::Borrowed).collect();
        let mut known: HashSet<&str> = self.rules.iter().map(|r| r.id.as_str()).collect();
        for f in &self.findings {
            if known.insert(f.rule.as_str()) {
                table.push(Cow::Owned(RuleMeta::from_finding(f)));
            }
        }
        table
    }
}
