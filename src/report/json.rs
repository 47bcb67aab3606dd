//! The JSON report: the stable, versioned contract of design section 3.

use super::outcome::{JudgedPlan, Render, Report, Summary, Verdict};
use crate::config::Selection;
use crate::finding::Finding;
use crate::finding::Skipped;
use std::io;

/// Prints the `"version": 1` JSON report.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json;

#[derive(serde::Serialize)]
struct Document<'a> {
    version: u32,
    base: Option<&'a str>,
    head: Option<&'a str>,
    verdict: Verdict,
    /// When nothing was judged: what was compared and why nothing changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    findings: &'a [Finding],
    skipped: &'a [Skipped],
    summary: Summary,
    /// What the command line narrowed for this run (empty lists when nothing).
    selection: &'a Selection,
    /// The plans judged besides the change (absent when none was given).
    #[serde(skip_serializing_if = "<[JudgedPlan]>::is_empty")]
    plans: &'a [JudgedPlan],
}

impl Render for Json {
    fn render(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
        let doc = Document {
            version: 1,
            base: report.base.as_deref(),
            head: report.head.as_deref(),
            verdict: report.verdict(),
            note: report.note.as_deref(),
            findings: &report.findings,
            skipped: &report.skipped,
            summary: report.summary(),
            selection: &report.selection,
            plans: &report.plans,
        };
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)
    }
}
