//! Applying the configuration's waivers: live ones suppress the findings they cover, expired
//! ones stop applying and are reported.

use super::reported::GateReport;
use crate::config::{CONFIG_FILE, Date, Waiver};
use crate::finding::Finding;
use crate::rules::RuleSet;

/// A configured waiver past its expiry date: it no longer applies.
pub(crate) const EXPIRED_WAIVER: GateReport = GateReport {
    id: "guard/expired-waiver",
};

/// Suppresses the findings that live waivers cover (judged against `today`), and adds one
/// finding to `extra` per expired waiver.
pub(super) fn apply(
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
