//! The Markdown report: verdict first, a table of findings, suppressed findings in a collapsed
//! block. The same printer writes the GitHub job summary, with links to the reviewed commit
//! and a size budget.

use super::escape::{markdown as md, uri_path};
use super::outcome::{Render, Report, in_repository, place};
use crate::change::Side;
use crate::finding::Finding;
use std::fmt::Write as _;
use std::io;

/// Room kept for the closing notes and tags when a size budget applies.
const RESERVE: usize = 1024;

/// Prints the Markdown report.
#[derive(Debug, Clone, Default)]
pub struct Markdown {
    /// Where `file:line` cells link to; `None` for plain text.
    pub links: Option<SourceLinks>,
    /// The most bytes to write; rows that do not fit are left out with a note saying so.
    pub max_bytes: Option<usize>,
}

/// How to link a path at a revision to the hosting service's file view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLinks {
    /// `https://github.com/owner/repo` (no trailing slash).
    pub repository_url: String,
}

impl SourceLinks {
    /// Links into `repository` (`owner/name`) on `server_url`; `None` when either looks unsafe
    /// to put in a Markdown link (not http(s), or characters that could end the link).
    pub fn github(server_url: &str, repository: &str) -> Option<SourceLinks> {
        let server = server_url.trim_end_matches('/');
        let safe_server = (server.starts_with("https://") || server.starts_with("http://"))
            && !server.contains(|c: char| c.is_whitespace() || "()<>[]\"'`".contains(c));
        let safe_repository = !repository.is_empty() && repository.split('/').count() == 2;
        (safe_server && safe_repository).then(|| SourceLinks {
            repository_url: format!("{server}/{}", uri_path(repository)),
        })
    }

    fn url(&self, commit: &str, path: &str, line: Option<u32>) -> String {
        let anchor = line.map(|l| format!("#L{l}")).unwrap_or_default();
        format!(
            "{}/blob/{}/{}{anchor}",
            self.repository_url,
            uri_path(commit),
            uri_path(path)
        )
    }
}

impl Render for Markdown {
    fn render(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
        out.write_all(self.document(report).as_bytes())
    }
}

impl Markdown {
    /// The whole report as one string, within `max_bytes` when set.
    pub fn document(&self, report: &Report) -> String {
        let budget = self.max_bytes.unwrap_or(usize::MAX);
        let rows_budget = budget.saturating_sub(RESERVE);
        let mut doc = heading(report);
        let active = report.by_importance();
        if active.is_empty() {
            doc.push_str("No findings.\n");
        } else {
            doc.push_str(&row(&["severity", "rule", "file:line", "message"]));
            doc.push_str(&row(&["---"; 4]));
            let rows = active.iter().map(|f| {
                let place = self.place(report, f);
                row(&[f.severity.as_str(), &md(&f.rule), &place, &md(&f.message)])
            });
            push_rows(&mut doc, rows, rows_budget, "finding");
        }
        let suppressed: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.suppressed.is_some())
            .collect();
        if !suppressed.is_empty() {
            let _ = writeln!(
                doc,
                "\n<details><summary>{} suppressed finding(s)</summary>\n",
                suppressed.len()
            );
            doc.push_str(&row(&["rule", "file:line", "message", "reason"]));
            doc.push_str(&row(&["---"; 4]));
            let rows = suppressed.iter().map(|f| {
                let place = self.place(report, f);
                let reason = md(f.suppressed.as_deref().unwrap_or_default());
                row(&[&md(&f.rule), &place, &md(&f.message), &reason])
            });
            push_rows(&mut doc, rows, rows_budget, "suppressed finding");
            doc.push_str("\n</details>\n");
        }
        if !report.skipped.is_empty() {
            let names: Vec<String> = report
                .skipped
                .iter()
                .map(|s| format!("{} ({})", md(&s.path), md(&s.reason)))
                .collect();
            let line = format!("\nNot scanned: {}.\n", names.join(", "));
            if doc.len() + line.len() <= budget {
                doc.push_str(&line);
            }
        }
        doc
    }

    /// `path:line`, linked to the revision that has that line when links are on.
    fn place(&self, report: &Report, f: &Finding) -> String {
        let commit = match f.side {
            Some(Side::Base) => report.base.as_deref(),
            _ => report.head.as_deref(),
        };
        let label = md(&place(f));
        match (&self.links, commit) {
            (Some(links), Some(commit)) if in_repository(f) => {
                format!("[{label}]({})", links.url(commit, &f.path, f.line))
            }
            _ => label,
        }
    }
}

/// The verdict as a heading, then the range that was checked.
fn heading(report: &Report) -> String {
    let range = match (&report.base, &report.head) {
        (Some(base), Some(head)) => format!("`{}..{}`", short(base), short(head)),
        (_, Some(head)) => format!("`{}`", short(head)),
        _ => "the uncommitted change".into(),
    };
    let narrowed: String = [report.plans_line(), report.narrowed_line()]
        .into_iter()
        .flatten()
        .map(|line| format!(" {}.", md(&capitalized(&line))))
        .collect();
    format!(
        "### deploy-guard: {}\n\nChecked {range}: {} file(s) changed.{narrowed}\n\n",
        md(&report.verdict_line()),
        report.files_changed
    )
}

/// One table row from cells that are already escaped.
fn row(cells: &[&str]) -> String {
    format!("| {} |\n", cells.join(" | "))
}

/// Appends table rows while they fit in `budget` bytes of `doc`; then one note row saying how
/// many were left out.
fn push_rows(
    doc: &mut String,
    rows: impl ExactSizeIterator<Item = String>,
    budget: usize,
    noun: &str,
) {
    let total = rows.len();
    for (written, row) in rows.enumerate() {
        if doc.len() + row.len() > budget {
            let _ = writeln!(
                doc,
                "\n**{} more {noun}(s) not shown**: the summary size limit was reached; the full report (`--report json=PATH`) lists them all.",
                total - written
            );
            return;
        }
        doc.push_str(&row);
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}
