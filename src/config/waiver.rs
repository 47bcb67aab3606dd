//! Waivers: `[[waiver]]` entries of the configuration, which exempt findings of a rule (id or
//! glob) on some paths until a date, with a reason and an owner. The configuration, which for
//! ranges comes from the base, is trusted with them; applying them is part of [`crate::triage`].

use crate::error::Result;
use crate::finding::Finding;
use crate::matching::globs::PathGlobs;
use crate::matching::ids::RuleIdGlobs;
use crate::rules::{SourceFile, check_globs};
use serde::Deserialize;
use toml::Spanned;

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
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct WaiverSpec {
    /// The rule waived: an id or a glob of ids.
    #[schemars(with = "String")]
    rule: Spanned<String>,
    /// Path globs the waiver covers (default: every path).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    paths: Vec<Spanned<String>>,
    /// Why the findings are accepted; shown in every report.
    #[schemars(with = "String")]
    reason: Spanned<String>,
    /// The last day the waiver applies, `YYYY-MM-DD` (a TOML date or a string).
    #[schemars(with = "String", extend("format" = "date"))]
    expires: Spanned<toml::Value>,
    /// Who answers for it, e.g. `@payments`.
    owner: Option<String>,
}

/// A validated waiver: a rule (id or glob) on some paths, waived until a date.
#[derive(Debug, Clone)]
pub(crate) struct Waiver {
    /// The rule id or glob as written.
    pub(crate) rule: String,
    rule_matcher: RuleIdGlobs,
    paths: Option<PathGlobs>,
    /// Why the rule is waived.
    pub(crate) reason: String,
    /// The last day the waiver applies.
    pub(crate) expires: Date,
    owner: Option<String>,
    /// The line of the configuration the waiver starts on.
    pub(crate) line: usize,
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
        let rule_matcher = RuleIdGlobs::new(vec![rule.clone()])
            .map_err(|_| file.error(spec.rule.span(), format!("waiver: bad rule glob '{rule}'")))?;
        check_globs(file, &spec.paths)?;
        let paths = if spec.paths.is_empty() {
            None
        } else {
            let globs = spec.paths.iter().map(|g| g.get_ref().as_str()).zip(0..);
            let first = spec.paths[0].span();
            Some(
                PathGlobs::new(globs)
                    .map_err(|(_, e)| file.error(first, format!("waiver: {e}")))?,
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

    /// Whether the waiver is about `finding`'s rule and one of its places (whatever its date):
    /// its path, and for a plan or render finding also the plan file or rendered object's path
    /// and the resource address (see [`Finding::places`]).
    pub(crate) fn covers(&self, finding: &Finding) -> bool {
        self.rule_matcher.is_match(&finding.rule)
            && self
                .paths
                .as_ref()
                .is_none_or(|p| finding.places().any(|place| p.is_match(place)))
    }

    /// ` by OWNER`, or nothing when the waiver names no owner.
    pub(crate) fn by(&self) -> String {
        self.owner
            .as_deref()
            .map_or_else(String::new, |o| format!(" by {o}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
