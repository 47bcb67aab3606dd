//! GitLab Code Quality: the JSON array GitLab shows in merge request widgets and diffs
//! (`artifacts:reports:codequality`).

use super::fingerprint::fingerprints;
use super::outcome::{Render, Report, head_line, message_in_head};
use crate::finding::{Finding, Severity};
use serde::Serialize;
use std::io;

/// Prints the Code Quality report.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gitlab;

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
}

impl Render for Gitlab {
    fn render(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
        let issues: Vec<Issue> = report
            .findings
            .iter()
            .zip(fingerprints(&report.findings))
            .map(|(f, fingerprint)| issue(f, fingerprint))
            .collect();
        serde_json::to_writer_pretty(&mut *out, &issues)?;
        writeln!(out)
    }
}

fn issue(f: &Finding, fingerprint: String) -> Issue<'_> {
    let message = message_in_head(f);
    let (description, severity) = match &f.suppressed {
        // Code Quality has no notion of suppression; keep the finding visible (every report
        // lists suppressed findings) but at the lowest severity, with the reason.
        Some(reason) => (format!("{message} [suppressed: {reason}]"), "info"),
        None => (message.into_owned(), severity(f.severity)),
    };
    Issue {
        description,
        check_name: &f.rule,
        fingerprint,
        severity,
        location: Location {
            path: &f.path,
            // File-level findings and removed lines point at line 1 (the field is required).
            lines: Lines {
                begin: head_line(f).unwrap_or(1),
            },
        },
    }
}

/// Our three severities on GitLab's five: errors block the merge, so `critical` (`blocker` is
/// left for nothing, as GitLab reserves it for "must fix before anything else"); warnings ask
/// a reviewer to look, which GitLab's `major` conveys (`minor` would read as style nits);
/// infos are `info`.
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "info",
    }
}
