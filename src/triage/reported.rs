//! Findings the gate reports about itself (suppressions, waivers, submodules) rather than by
//! matching changed lines.

use crate::change::Side;
use crate::finding::{Finding, capped};
use crate::rules::RuleSet;

/// A finding the gate reports about itself (suppressions, waivers, submodules) rather than by
/// matching changed lines. Its rule is documented in `rules/guard.toml` (`gate_reported`), which
/// also gives its severity and lets a configuration disable it. Findings of `guard/` rules
/// cannot be suppressed inline, so a change cannot hide what it does to the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct GateReport {
    /// The rule id reported.
    pub id: &'static str,
}

impl GateReport {
    /// The finding at `path` (and line, when given), with the severity the rule set gives it,
    /// capped at `info` in prose like every finding, so documentation that quotes the syntax
    /// stays quiet; `None` when the configuration disabled the rule.
    pub(super) fn finding(
        self,
        rules: &RuleSet,
        path: &str,
        at: Option<(Side, u32)>,
        message: String,
    ) -> Option<Finding> {
        let severity = rules.get(self.id)?.severity;
        Some(Finding {
            rule: self.id.to_string(),
            severity: capped(severity, path),
            path: path.to_string(),
            line: at.map(|(_, n)| n),
            side: at.and_then(|(s, _)| (s == Side::Base).then_some(Side::Base)),
            message,
            snippet: None,
            suppressed: None,
            origin: None,
        })
    }
}
