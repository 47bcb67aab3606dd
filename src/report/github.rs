//! GitHub Actions annotations: one workflow command per unsuppressed finding, which GitHub
//! pins to the file and line in the pull request's diff.

use super::escape::{workflow_data, workflow_property};
use super::outcome::{Render, Report, head_line, in_repository, message_in_head};
use crate::finding::{Finding, Severity};
use std::io;

/// GitHub shows at most this many annotations of each kind (error, warning, notice) per step.
pub(super) const ANNOTATIONS_PER_KIND: usize = 10;

/// Prints the verdict line, then the workflow commands, most important first.
#[derive(Debug, Clone, Copy, Default)]
pub struct Github;

impl Render for Github {
    fn render(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
        writeln!(
            out,
            "deploy-guard: {}",
            workflow_data(&report.verdict_line())
        )?;
        if let Some(line) = report.narrowed_line() {
            writeln!(out, "deploy-guard: {}", workflow_data(&line))?;
        }
        let mut shown = [0usize; 3];
        let mut hidden = [0usize; 3];
        for f in report.by_importance() {
            let kind = kind_index(f.severity);
            if shown[kind] < ANNOTATIONS_PER_KIND {
                shown[kind] += 1;
                writeln!(out, "{}", command(f))?;
            } else {
                hidden[kind] += 1;
            }
        }
        let [errors, warnings, notices] = hidden;
        if errors + warnings + notices > 0 {
            writeln!(
                out,
                "deploy-guard: {} more finding(s) not annotated ({errors} error(s), {warnings} warning(s), {notices} notice(s)): GitHub shows {ANNOTATIONS_PER_KIND} of each kind per step; the job summary and the full report list them all",
                errors + warnings + notices
            )?;
        }
        Ok(())
    }
}

/// `::error file=…,line=…,endLine=…,title=…::message`, every part escaped as `@actions/core`
/// does, so no file name or message can end the command or start another.
/// A plan or render finding not traced to a repository file is annotated without `file=`:
/// GitHub shows it on the run, with its origin in the message.
fn command(f: &Finding) -> String {
    let mut properties = Vec::new();
    if in_repository(f) {
        properties.push(format!("file={}", workflow_property(&f.path)));
    }
    if let Some(line) = head_line(f) {
        properties.push(format!("line={line},endLine={line}"));
    }
    properties.push(format!("title={}", workflow_property(&f.rule)));
    let properties = properties.join(",");
    format!(
        "::{} {properties}::{}",
        COMMANDS[kind_index(f.severity)],
        workflow_data(&message_in_head(f))
    )
}

/// Workflow command names, most important first; indexed by [`kind_index`].
const COMMANDS: [&str; 3] = ["error", "warning", "notice"];

/// A severity's position in [`COMMANDS`].
fn kind_index(severity: Severity) -> usize {
    match severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    }
}
