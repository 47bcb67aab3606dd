//! Inline suppressions: `deploy-guard: allow <rule-or-glob> -- <reason>` in any comment, on the
//! finding's line or the line above. They live in the change under judgment, so the author
//! controls them: they need a reason, they stay in every report, and they never silence the
//! gate's own `guard/` findings. The gate reports suppressions that give no reason, name no
//! rule, or (added in this change) suppress nothing.

use super::reported::GateReport;
use crate::change::{ChangeSet, ChangedFile, Content, Side};
use crate::error::Result;
use crate::finding::Finding;
use crate::matching::ids::RuleIdGlobs;
use crate::rules::RuleSet;
use crate::source::ContentReader;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// The text that introduces an inline suppression, in any comment syntax.
pub(crate) const MARKER: &str = "deploy-guard:";

/// An inline suppression that gives no reason, so it does not suppress.
pub(crate) const WITHOUT_REASON: GateReport = GateReport {
    id: "guard/suppression-without-reason",
};
/// An inline suppression that names no rule or a bad glob, so it does not suppress.
pub(crate) const MALFORMED: GateReport = GateReport {
    id: "guard/malformed-suppression",
};
/// An inline suppression added in this change that suppressed nothing.
pub(crate) const UNUSED: GateReport = GateReport {
    id: "guard/unused-suppression",
};

/// Suppresses the findings that inline comments cover, and adds to `extra` the gate's findings
/// about the comments themselves.
pub(super) fn apply(
    changes: &ChangeSet,
    reader: &ContentReader,
    rules: &RuleSet,
    findings: &mut [Finding],
    extra: &mut Vec<Finding>,
) -> Result<()> {
    Inline::new(changes, reader, rules).apply(findings, extra)
}

/// A parsed `deploy-guard: allow …` comment.
#[derive(Debug)]
struct Allow<'t> {
    patterns: Vec<&'t str>,
    globs: RuleIdGlobs,
    reason: &'t str,
}

/// Why a suppression comment does not suppress.
#[derive(Debug, PartialEq, Eq)]
enum Problem {
    /// No reason, or one made only of characters that render as nothing (spaces, zero-width
    /// characters, fillers).
    NoReason,
    NoRule,
    BadGlob(String),
    /// A rule pattern holding a character no rule id or glob has (a look-alike, an invisible
    /// character, a non-ASCII space): it would name something other than what the reader sees.
    ForeignCharacter(String, char),
}

/// Reads an inline suppression from one line: `None` when the line holds none.
fn parse_marker(line: &str) -> Option<Result<Allow<'_>, Problem>> {
    let at = line.find(MARKER)?;
    let rest = line[at + MARKER.len()..]
        .trim_start()
        .strip_prefix("allow")?;
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let (patterns, reason) = match rest.find("--") {
        Some(dash) => (&rest[..dash], Some(&rest[dash + 2..])),
        None => (rest, None),
    };
    // Only ASCII separators: a non-ASCII space is part of a pattern, and refused below.
    let patterns: Vec<&str> = patterns
        .split(|c: char| c == ',' || c.is_ascii_whitespace())
        .filter(|p| !p.is_empty())
        .collect();
    if patterns.is_empty() {
        return Some(Err(Problem::NoRule));
    }
    for p in &patterns {
        if let Some(c) = p.chars().find(|c| !c.is_ascii_graphic()) {
            return Some(Err(Problem::ForeignCharacter(p.to_string(), c)));
        }
    }
    let globs = match RuleIdGlobs::new(patterns.iter().map(|p| p.to_string()).collect()) {
        Ok(globs) => globs,
        Err((bad, _)) => return Some(Err(Problem::BadGlob(patterns[bad].to_string()))),
    };
    let reason = reason
        .map(|r| {
            r.trim()
                .trim_end_matches("-->")
                .trim_end_matches("*/")
                .trim()
        })
        .unwrap_or_default();
    if !reason.chars().any(renders) {
        return Some(Err(Problem::NoReason));
    }
    Some(Ok(Allow {
        patterns,
        globs,
        reason,
    }))
}

/// Whether `c` shows on screen: not a space, a control, a format character (zero-width
/// spaces and joiners, bidi controls, tags), a blank filler (braille blank, Hangul fillers),
/// a variation selector, or a combining mark with nothing to combine with.
fn renders(c: char) -> bool {
    !(c.is_whitespace()
        || c.is_control()
        || unicode_normalization::char::is_combining_mark(c)
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
            | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}' | '\u{2800}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFB}' | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'))
}

impl Allow<'_> {
    /// Whether the comment names `rule` (by id or glob).
    fn covers(&self, rule: &str) -> bool {
        self.globs.is_match(rule)
    }
}

/// A position of a suppression comment: file index, side, 1-based line.
type Spot = (usize, Side, u32);

/// The inline-suppression pass over one change.
struct Inline<'a> {
    changes: &'a ChangeSet,
    reader: &'a ContentReader<'a>,
    rules: &'a RuleSet,
    /// Changed line numbers of one side of a file, in order, with their index in `lines()`.
    changed: HashMap<(usize, Side), Vec<(u32, usize)>>,
    /// Full side contents read so far, split into lines.
    contents: HashMap<(usize, Side), Vec<String>>,
    used: HashSet<Spot>,
    reported: HashSet<Spot>,
}

impl<'a> Inline<'a> {
    fn new(changes: &'a ChangeSet, reader: &'a ContentReader<'a>, rules: &'a RuleSet) -> Self {
        Inline {
            changes,
            reader,
            rules,
            changed: HashMap::new(),
            contents: HashMap::new(),
            used: HashSet::new(),
            reported: HashSet::new(),
        }
    }

    /// Suppresses the findings a comment covers; adds the gate's findings about the comments.
    fn apply(&mut self, findings: &mut [Finding], extra: &mut Vec<Finding>) -> Result<()> {
        let by_path: HashMap<&str, usize> = self
            .changes
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.path.as_str(), i))
            .collect();
        for finding in findings.iter_mut() {
            // The gate's own findings are about the gate; the change it judges cannot silence them.
            // A plan's are about what a tool will do, not about a line of the change: a comment
            // near the resource's declaration does not excuse them (waivers do).
            if finding.suppressed.is_some()
                || finding.category() == "guard"
                || finding.is_from_plan()
            {
                continue;
            }
            let Some(&fi) = by_path.get(finding.path.as_str()) else {
                continue;
            };
            let file = &self.changes.files[fi];
            if file.skip_reason().is_some() {
                continue;
            }
            let side = finding.side.unwrap_or(match file.head {
                Content::Absent => Side::Base,
                _ => Side::Head,
            });
            let candidates = match finding.line {
                Some(n) => vec![n, n.saturating_sub(1)],
                None => vec![1],
            };
            for n in candidates.into_iter().filter(|&n| n > 0) {
                let Some(text) = self.line_text(fi, side, n)? else {
                    continue;
                };
                match parse_marker(&text) {
                    Some(Ok(allow)) if allow.covers(&finding.rule) => {
                        finding.suppressed = Some(allow.reason.to_string());
                        self.used.insert((fi, side, n));
                        break;
                    }
                    Some(Err(problem)) => self.report(extra, (fi, side, n), &problem),
                    _ => {}
                }
            }
        }
        self.report_added(extra);
        Ok(())
    }

    /// Suppression comments added in this change: malformed ones and those that suppressed nothing.
    fn report_added(&mut self, extra: &mut Vec<Finding>) {
        for (fi, file) in self.changes.files.iter().enumerate() {
            if file.skip_reason().is_some() {
                continue;
            }
            for (line, text) in file.added().filter(|(_, t)| t.contains(MARKER)) {
                let spot = (fi, Side::Head, line.line);
                match parse_marker(text) {
                    Some(Ok(allow)) if !self.used.contains(&spot) => {
                        let message = format!(
                            "this suppression of '{}' suppresses nothing here (it applies to a finding on its own line or the line below); remove it",
                            allow.patterns.join(", ")
                        );
                        extra.extend(UNUSED.finding(
                            self.rules,
                            &file.path,
                            Some((Side::Head, line.line)),
                            message,
                        ));
                    }
                    Some(Err(problem)) => self.report(extra, spot, &problem),
                    _ => {}
                }
            }
        }
    }

    fn report(&mut self, extra: &mut Vec<Finding>, spot: Spot, problem: &Problem) {
        if !self.reported.insert(spot) {
            return;
        }
        let (report, message) = match problem {
            Problem::NoReason => (
                WITHOUT_REASON,
                "this suppression gives no reason, or one that is blank or invisible (only spaces, zero-width, braille-blank or filler characters), so it does not suppress: write `deploy-guard: allow <rule> -- <why>` with a reason people can read".to_string(),
            ),
            Problem::NoRule => (
                MALFORMED,
                "this suppression names no rule, so it does not suppress: write `deploy-guard: allow <rule> -- <why>`".to_string(),
            ),
            Problem::BadGlob(p) => (
                MALFORMED,
                format!("this suppression's rule pattern '{p}' is not a valid glob, so it does not suppress"),
            ),
            Problem::ForeignCharacter(p, c) => (
                MALFORMED,
                format!(
                    "this suppression's rule pattern '{}' holds U+{:04X}, a character no rule id has (a look-alike, invisible or non-ASCII character), so it does not suppress: type the rule id as `deploy-guard rules` lists it",
                    p.escape_default(),
                    u32::from(*c)
                ),
            ),
        };
        let (fi, side, n) = spot;
        let path = &self.changes.files[fi].path;
        extra.extend(report.finding(self.rules, path, Some((side, n)), message));
    }

    /// Line `n` of one side of file `fi`: from the diff when it changed, else from the full content.
    fn line_text(&mut self, fi: usize, side: Side, n: u32) -> Result<Option<Cow<'a, str>>> {
        let file: &'a ChangedFile = &self.changes.files[fi];
        let changed = self.changed.entry((fi, side)).or_insert_with(|| {
            file.lines()
                .iter()
                .enumerate()
                .filter(|(_, l)| l.side == side)
                .map(|(i, l)| (l.line, i))
                .collect()
        });
        if let Ok(at) = changed.binary_search_by_key(&n, |&(line, _)| line) {
            return Ok(Some(Cow::Borrowed(file.text(&file.lines()[changed[at].1]))));
        }
        if !self.contents.contains_key(&(fi, side)) {
            let content = match side {
                Side::Head => &file.head,
                Side::Base => &file.base,
            };
            // Most files hold no suppression at all: then no line of theirs can suppress, and
            // the text need not be split into lines.
            let lines = self
                .reader
                .read_text(content)?
                .filter(|t| t.contains(MARKER))
                .map(|t| t.lines().map(str::to_string).collect())
                .unwrap_or_default();
            self.contents.insert((fi, side), lines);
        }
        Ok(self
            .contents
            .get(&(fi, side))
            .and_then(|lines| lines.get(n as usize - 1))
            .map(|l| Cow::Owned(l.clone())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_in_any_comment_syntax() {
        for line in [
            "x = 1 # deploy-guard: allow cors/* -- partner API",
            "// deploy-guard: allow cors/* -- partner API",
            "/* deploy-guard: allow cors/* -- partner API */",
            "<!-- deploy-guard: allow cors/* -- partner API -->",
            "-- deploy-guard: allow cors/* -- partner API",
            "REM deploy-guard: allow cors/* -- partner API",
            "; deploy-guard: allow cors/*,image/x -- partner API",
        ] {
            let allow = parse_marker(line).unwrap().unwrap();
            assert_eq!(allow.reason, "partner API", "{line}");
            assert!(allow.covers("cors/wildcard-origin"), "{line}");
        }
    }

    #[test]
    fn markers_without_reason_or_rule_are_problems() {
        let problem = |line| parse_marker(line).and_then(Result::err);
        assert_eq!(
            problem("# deploy-guard: allow cors/x"),
            Some(Problem::NoReason)
        );
        assert_eq!(
            problem("# deploy-guard: allow cors/x --  */"),
            Some(Problem::NoReason)
        );
        assert_eq!(
            problem("# deploy-guard: allow -- why"),
            Some(Problem::NoRule)
        );
        assert_eq!(
            problem("# deploy-guard: allow cors/x, cors/[ -- why"),
            Some(Problem::BadGlob("cors/[".into()))
        );
        assert!(parse_marker("deploy-guard: checking main...HEAD").is_none());
        for invisible in [
            "\u{200B}",
            "\u{2800}\u{2800}",
            "\u{3164}",
            " \u{00A0}\u{FEFF} ",
            "\u{0301}",
            "\u{E0041}",
        ] {
            let line = format!("# deploy-guard: allow cors/x -- {invisible}");
            let got = parse_marker(&line).and_then(Result::err);
            assert_eq!(got, Some(Problem::NoReason), "{line:?}");
        }
        assert!(
            parse_marker("# deploy-guard: allow cors/x -- \u{200B}ok")
                .unwrap()
                .is_ok()
        );
        for (line, bad) in [
            (
                "# deploy-guard: allow \u{FF0A} -- fullwidth star",
                '\u{FF0A}',
            ),
            (
                "# deploy-guard: allow \u{0441}ors/* -- cyrillic c",
                '\u{0441}',
            ),
            (
                "# deploy-guard: allow cors/x\u{00A0}* -- no-break space",
                '\u{00A0}',
            ),
            (
                "# deploy-guard: allow cors/*\u{200B} -- zero-width",
                '\u{200B}',
            ),
        ] {
            assert!(
                matches!(problem(line), Some(Problem::ForeignCharacter(_, c)) if c == bad),
                "{line:?}"
            );
        }
        assert!(parse_marker("# deploy-guard: allowed x -- y").is_none());
    }
}
