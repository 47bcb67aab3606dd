//! Suppressions, applied to the engine's findings after it ran.
//!
//! Two kinds, with different trust (see SECURITY.md):
//! - inline `deploy-guard: allow <rule-or-glob> -- <reason>` comments live in the change under
//!   judgment, so the author controls them: they need a reason, they stay in every report, they
//!   never silence the gate's own `guard/` findings, and the base configuration can turn them
//!   off (`inline_suppressions = false`);
//! - `[[waiver]]` entries live in the configuration, which for ranges comes from the base, and
//!   expire on a date.
//!
//! Suppressed findings keep their place in every report with `suppressed = Some(reason)`; they
//! never fail a run.

use crate::change::{ChangeSet, ChangedFile, Content, Side};
use crate::config::{CONFIG_FILE, Config};
use crate::error::Result;
use crate::finding::{Finding, Severity};
use crate::rules::{RuleSet, SourceFile};
use crate::source::ContentReader;
use globset::{GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use toml::Spanned;

/// The text that introduces an inline suppression, in any comment syntax.
pub const MARKER: &str = "deploy-guard:";

/// A finding the gate reports about itself (suppressions, waivers, submodules) rather than by
/// matching changed lines. Its rule is documented in `rules/guard.toml` (`gate_reported`), which
/// also gives its severity and lets a configuration disable it. Findings of `guard/` rules
/// cannot be suppressed inline, so a change cannot hide what it does to the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GateReport {
    /// The rule id reported.
    pub id: &'static str,
}

/// An inline suppression that gives no reason, so it does not suppress.
pub const WITHOUT_REASON: GateReport = GateReport {
    id: "guard/suppression-without-reason",
};
/// An inline suppression that names no rule or a bad glob, so it does not suppress.
pub const MALFORMED: GateReport = GateReport {
    id: "guard/malformed-suppression",
};
/// An inline suppression added in this change that suppressed nothing.
pub const UNUSED: GateReport = GateReport {
    id: "guard/unused-suppression",
};
/// A configured waiver past its expiry date: it no longer applies.
pub const EXPIRED_WAIVER: GateReport = GateReport {
    id: "guard/expired-waiver",
};

/// A calendar date (proleptic Gregorian), enough for waiver expiry without a date crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    year: i32,
    month: u32,
    day: u32,
}

impl Date {
    /// Parses exactly `YYYY-MM-DD`, rejecting impossible days such as `2027-02-30`.
    pub fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        let digits = |r: std::ops::Range<usize>| {
            bytes[r.clone()]
                .iter()
                .all(u8::is_ascii_digit)
                .then(|| text[r].parse::<u32>().ok())
                .flatten()
        };
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        let date = Date {
            year: i32::try_from(year).ok()?,
            month,
            day,
        };
        ((1..=12).contains(&month) && (1..=date.days_in_month()).contains(&day)).then_some(date)
    }

    /// Today in UTC, from the system clock.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days_since_epoch((secs / 86_400) as i64)
    }

    /// The date `days` after 1970-01-01 (Howard Hinnant's civil-from-days algorithm).
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    fn days_in_month(self) -> u32 {
        match self.month {
            2 if self.year % 4 == 0 && (self.year % 100 != 0 || self.year % 400 == 0) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// `[[waiver]]` as written in the configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaiverSpec {
    rule: Spanned<String>,
    #[serde(default)]
    paths: Vec<Spanned<String>>,
    reason: Spanned<String>,
    expires: Spanned<toml::Value>,
    owner: Option<String>,
}

/// A validated waiver: a rule (id or glob) on some paths, waived until a date.
#[derive(Debug, Clone)]
pub struct Waiver {
    rule: String,
    rule_matcher: GlobMatcher,
    paths: Option<GlobSet>,
    reason: String,
    expires: Date,
    owner: Option<String>,
    line: usize,
}

impl Waiver {
    /// Validates every `[[waiver]]`; errors point at the offending key in `file`.
    pub(crate) fn compile_all(file: &SourceFile, specs: &[WaiverSpec]) -> Result<Vec<Waiver>> {
        specs
            .iter()
            .map(|spec| Waiver::compile(file, spec))
            .collect()
    }

    fn compile(file: &SourceFile, spec: &WaiverSpec) -> Result<Waiver> {
        let rule = spec.rule.get_ref();
        let rule_matcher = id_glob(rule).ok_or_else(|| {
            file.error(spec.rule.span(), format!("waiver: bad rule glob '{rule}'"))
        })?;
        crate::rules::check_globs(file, &spec.paths)?;
        let paths = if spec.paths.is_empty() {
            None
        } else {
            let mut set = GlobSetBuilder::new();
            for g in &spec.paths {
                set.add(
                    crate::matching::globs::path_glob(g.get_ref())
                        .map_err(|m| file.error(g.span(), m))?,
                );
            }
            let first = spec.paths[0].span();
            Some(
                set.build()
                    .map_err(|e| file.error(first, format!("waiver: {e}")))?,
            )
        };
        let reason = spec.reason.get_ref().trim();
        if reason.is_empty() {
            return Err(file.error(
                spec.reason.span(),
                format!("waiver for '{rule}': `reason` must say why the rule is waived"),
            ));
        }
        let written = match spec.expires.get_ref() {
            toml::Value::String(s) => s.clone(),
            toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => d.to_string(),
            other => other.to_string(),
        };
        let expires = Date::parse(&written).ok_or_else(|| {
            file.error(
                spec.expires.span(),
                format!("waiver for '{rule}': `expires` must be a date YYYY-MM-DD, not {written}"),
            )
        })?;
        Ok(Waiver {
            rule: rule.clone(),
            rule_matcher,
            paths,
            reason: reason.to_string(),
            expires,
            owner: spec.owner.clone(),
            line: file.locate(spec.rule.span().start).line,
        })
    }

    fn covers(&self, finding: &Finding) -> bool {
        self.rule_matcher.is_match(&finding.rule)
            && self
                .paths
                .as_ref()
                .is_none_or(|p| p.is_match(&finding.path))
    }

    fn by(&self) -> String {
        self.owner
            .as_deref()
            .map_or_else(String::new, |o| format!(" by {o}"))
    }
}

/// Applies inline suppressions (unless the configuration turned them off) and waivers to
/// `findings`, and adds the gate's findings about suppressions themselves. `today` decides
/// which waivers have expired.
pub fn apply(
    changes: &ChangeSet,
    reader: &ContentReader,
    config: &Config,
    rules: &RuleSet,
    today: Date,
    findings: &mut Vec<Finding>,
) -> Result<()> {
    let mut extra = Vec::new();
    if config.inline_suppressions() {
        Inline::new(changes, reader, rules).apply(findings, &mut extra)?;
    }
    apply_waivers(config.waivers(), rules, today, findings, &mut extra);
    findings.append(&mut extra);
    // Stable: the engine's order within a line is kept, the gate's own findings come after it.
    findings.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    Ok(())
}

fn apply_waivers(
    waivers: &[Waiver],
    rules: &RuleSet,
    today: Date,
    findings: &mut [Finding],
    extra: &mut Vec<Finding>,
) {
    let (live, expired): (Vec<&Waiver>, Vec<&Waiver>) =
        waivers.iter().partition(|w| w.expires >= today);
    for f in findings.iter_mut().filter(|f| f.suppressed.is_none()) {
        if let Some(w) = live.iter().find(|w| w.covers(f)) {
            f.suppressed = Some(format!(
                "waived until {}{}: {}",
                w.expires,
                w.by(),
                w.reason
            ));
        }
    }
    for w in expired {
        let message = format!(
            "the waiver for '{}' (line {} of the configuration{}) expired on {}: the findings it covered count again; renew it with a new date or remove it",
            w.rule,
            w.line,
            w.by(),
            w.expires
        );
        extra.extend(EXPIRED_WAIVER.finding(rules, CONFIG_FILE, None, message));
    }
}

impl GateReport {
    /// The finding at `path` (and line, when given), with the severity the rule set gives it,
    /// capped at `info` in prose like every finding, so documentation that quotes the syntax
    /// stays quiet; `None` when the configuration disabled the rule.
    pub fn finding(
        self,
        rules: &RuleSet,
        path: &str,
        at: Option<(Side, u32)>,
        message: String,
    ) -> Option<Finding> {
        let severity = rules.get(self.id)?.severity;
        Some(Finding {
            rule: self.id.to_string(),
            severity: if crate::engine::is_prose(path) {
                severity.min(Severity::Info)
            } else {
                severity
            },
            path: path.to_string(),
            line: at.map(|(_, n)| n),
            side: at.and_then(|(s, _)| (s == Side::Base).then_some(Side::Base)),
            message,
            snippet: None,
            suppressed: None,
        })
    }
}

/// A parsed `deploy-guard: allow …` comment.
#[derive(Debug, PartialEq, Eq)]
struct Allow<'t> {
    patterns: Vec<&'t str>,
    reason: &'t str,
}

/// Why a suppression comment does not suppress.
#[derive(Debug, PartialEq, Eq)]
enum Problem {
    NoReason,
    NoRule,
    BadGlob(String),
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
    let patterns: Vec<&str> = patterns
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .collect();
    if patterns.is_empty() {
        return Some(Err(Problem::NoRule));
    }
    if let Some(bad) = patterns.iter().find(|p| id_glob(p).is_none()) {
        return Some(Err(Problem::BadGlob((*bad).to_string())));
    }
    let reason = reason
        .map(|r| {
            r.trim()
                .trim_end_matches("-->")
                .trim_end_matches("*/")
                .trim()
        })
        .unwrap_or_default();
    if reason.is_empty() {
        return Some(Err(Problem::NoReason));
    }
    Some(Ok(Allow { patterns, reason }))
}

/// A glob over rule ids (as `disable` uses them); `None` when it is not a valid glob.
fn id_glob(pattern: &str) -> Option<GlobMatcher> {
    GlobBuilder::new(pattern)
        .build()
        .ok()
        .map(|g| g.compile_matcher())
}

impl Allow<'_> {
    fn covers(&self, rule: &str) -> bool {
        self.patterns
            .iter()
            .any(|p| *p == rule || id_glob(p).is_some_and(|g| g.is_match(rule)))
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
            if finding.suppressed.is_some() || finding.category() == "guard" {
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
                "this suppression gives no reason, so it does not suppress: write `deploy-guard: allow <rule> -- <why>`".to_string(),
            ),
            Problem::NoRule => (
                MALFORMED,
                "this suppression names no rule, so it does not suppress: write `deploy-guard: allow <rule> -- <why>`".to_string(),
            ),
            Problem::BadGlob(p) => (
                MALFORMED,
                format!("this suppression's rule pattern '{p}' is not a valid glob, so it does not suppress"),
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
        assert_eq!(
            parse_marker("# deploy-guard: allow cors/x"),
            Some(Err(Problem::NoReason))
        );
        assert_eq!(
            parse_marker("# deploy-guard: allow cors/x --  */"),
            Some(Err(Problem::NoReason))
        );
        assert_eq!(
            parse_marker("# deploy-guard: allow -- why"),
            Some(Err(Problem::NoRule))
        );
        assert!(matches!(
            parse_marker("# deploy-guard: allow cors/[ -- why"),
            Some(Err(Problem::BadGlob(_)))
        ));
        assert_eq!(parse_marker("deploy-guard: checking main...HEAD"), None);
        assert_eq!(parse_marker("# deploy-guard: allowed x -- y"), None);
    }

    #[test]
    fn dates_parse_strictly() {
        assert_eq!(Date::parse("2027-06-30").unwrap().to_string(), "2027-06-30");
        assert!(Date::parse("2028-02-29").is_some());
        for bad in [
            "2027-02-29",
            "2027-13-01",
            "2027-6-30",
            "27-06-30x",
            "2027-06-3a",
            "",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn civil_from_days_matches_known_dates() {
        assert_eq!(Date::from_days_since_epoch(0).to_string(), "1970-01-01");
        assert_eq!(
            Date::from_days_since_epoch(11_016).to_string(),
            "2000-02-29"
        );
        assert_eq!(
            Date::from_days_since_epoch(20_779).to_string(),
            "2026-11-22"
        );
        assert_eq!(Date::from_days_since_epoch(-1).to_string(), "1969-12-31");
    }
}
