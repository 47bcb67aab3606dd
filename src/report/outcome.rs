//! The outcome of one run, as every printer reads it: the findings, what was skipped, the
//! counts and the verdict, and the rules in effect.

use super::rule_meta::RuleMeta;
use crate::change::Side;
use crate::config::Selection;
use crate::finding::{FailOn, Finding, Severity, Skipped};
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
    /// All findings, suppressed ones included, sorted by path and line.
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

/// The finding's message, saying where removed content was: formats that show the head
/// revision (annotations, code scanning) cannot point at a base line themselves.
pub(crate) fn message_in_head(f: &Finding) -> Cow<'_, str> {
    match (f.side, f.line) {
        (Some(Side::Base), Some(line)) => Cow::Owned(format!(
            "{} (removed line {line} of the base revision)",
            f.message
        )),
        _ => Cow::Borrowed(&f.message),
    }
}

/// `path:line` as people read it: just `path` for file-level findings, and `(removed)` after
/// a base line.
pub(crate) fn place(f: &Finding) -> String {
    match (f.line, f.side) {
        (Some(line), Some(Side::Base)) => format!("{}:{line} (removed)", f.path),
        (Some(line), _) => format!("{}:{line}", f.path),
        (None, _) => f.path.clone(),
    }
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
