//! The terminal report: verdict first, then findings grouped by file with the offending line.

use super::outcome::{Render, Report, Verdict};
use crate::finding::{Finding, Origin, OriginKind, Severity};
use anstyle::{AnsiColor, Style};
use std::io;

/// Prints the human report: the verdict, what the command line narrowed, the findings by file
/// and the files not read.
#[derive(Debug, Clone, Copy, Default)]
pub struct Human {
    /// Whether to emit ANSI colour codes.
    pub color: bool,
    /// The verdict and the findings only (`--quiet`): no list of files not read.
    pub quiet: bool,
}

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

/// `color` in bold.
const fn strong(color: AnsiColor) -> Style {
    Style::new()
        .bold()
        .fg_color(Some(anstyle::Color::Ansi(color)))
}

impl Human {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }

    fn severity(&self, s: Severity) -> String {
        let color = match s {
            Severity::Error => AnsiColor::Red,
            Severity::Warning => AnsiColor::Yellow,
            Severity::Info => AnsiColor::Blue,
        };
        self.paint(strong(color), &format!("{:<7}", s.as_str()))
    }
}

impl Render for Human {
    fn render(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
        let verdict_color = match report.verdict() {
            Verdict::Blocked => AnsiColor::Red,
            Verdict::NeedsReview => AnsiColor::Yellow,
            Verdict::Clear => AnsiColor::Green,
        };
        writeln!(
            out,
            "deploy-guard: {}",
            self.paint(strong(verdict_color), &printable(&report.verdict_line()))
        )?;
        if let Some(line) = report.narrowed_line() {
            writeln!(out, "deploy-guard: {}", printable(&line))?;
        }
        if let Some(line) = report.plans_line() {
            writeln!(out, "deploy-guard: {}", printable(&line))?;
        }
        let mut current: Option<String> = None;
        for f in &report.findings {
            let heading = heading(f);
            if current.as_deref() != Some(heading.as_str()) {
                writeln!(out, "\n{}", self.paint(BOLD, &printable(&heading)))?;
                current = Some(heading);
            }
            let place = match (f.line, f.side, &f.origin) {
                (_, _, Some(_)) | (None, _, None) => "-".into(),
                (Some(l), Some(_), None) => format!("-{l}"),
                (Some(l), None, None) => l.to_string(),
            };
            let sev = match &f.suppressed {
                Some(_) => self.paint(DIM, &format!("{:<7}", "allowed")),
                None => self.severity(f.severity),
            };
            writeln!(
                out,
                "  {place:>5}  {sev}  {}  {}",
                f.rule,
                printable(&f.message)
            )?;
            if let Some(snippet) = &f.snippet {
                writeln!(out, "         │ {}", printable(snippet))?;
            }
            if let Some(origin) = &f.origin {
                writeln!(out, "         {}", printable(&about(f, origin)))?;
                for fact in &origin.detail {
                    writeln!(out, "         · {}", printable(fact))?;
                }
            }
            if let Some(reason) = &f.suppressed {
                writeln!(out, "         allowed: {}", printable(reason))?;
            }
        }
        if !report.skipped.is_empty() && !self.quiet {
            writeln!(out)?;
            for s in &report.skipped {
                writeln!(out, "skipped {} ({})", printable(&s.path), s.reason)?;
            }
        }
        Ok(())
    }
}

/// What findings are grouped under: the change's own by file, a plan's by its file, a
/// render's by its name.
fn heading(f: &Finding) -> String {
    match f.origin.as_deref() {
        None => f.path.clone(),
        Some(o) => match o.kind {
            OriginKind::Plan => format!("plan {}", o.plan.as_deref().unwrap_or_default()),
            OriginKind::Render => format!("render {}", o.render.as_deref().unwrap_or_default()),
        },
    }
}

/// The line under a plan or render finding: the resource or object, what happens to it, and
/// where it is declared or was rendered from.
fn about(f: &Finding, origin: &Origin) -> String {
    let mut line = match (origin.kind, origin.resource_type.as_str()) {
        (OriginKind::Render, "command") => format!("command: {}", origin.address),
        (kind, resource_type) => {
            let noun = match kind {
                OriginKind::Plan => "resource",
                OriginKind::Render => "object",
            };
            format!(
                "{noun}: {} ({resource_type}), {}",
                origin.address, origin.action
            )
        }
    };
    if let Some(rendered) = &origin.rendered {
        line.push_str(&format!("; rendered at {rendered}"));
    }
    if let Some(at) = f.line {
        let verb = match origin.kind {
            OriginKind::Plan => "declared at",
            OriginKind::Render => "from",
        };
        line.push_str(&format!("; {verb} {}:{at}", f.path));
    }
    line
}

/// Text from file names and contents with control characters made visible, so nothing in a
/// change can send escape sequences to the reader's terminal.
/// Bidi controls and invisible characters are shown escaped too, so a path or line cannot
/// reorder or hide what the reviewer reads (the "Trojan Source" trick).
pub(super) fn printable(text: &str) -> String {
    if !text.chars().any(needs_escape) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}
