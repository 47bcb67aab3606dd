//! Pull-request labels `deploy-guard/ack:<rule-or-category>`: on GitHub and GitLab, a reviewer
//! acknowledges findings by labelling the request; they stay in every report and stop failing
//! the run.

use crate::finding::Finding;
use crate::matching::ids::{self, RuleIdGlobs};

/// The prefix of an acknowledgement label; the rest names the rules.
pub(crate) const ACK_LABEL_PREFIX: &str = "deploy-guard/ack:";

/// Marks findings matched by a `deploy-guard/ack:<pattern>` label as acknowledged: still
/// reported everywhere, never failing. A pattern is a rule id, a category (`cors`, `cors/`)
/// or a glob over rule ids (`cors/*`). Returns a note for each label that could not be used.
pub(crate) fn acknowledge(findings: &mut [Finding], labels: &[String]) -> Vec<String> {
    let mut notes = Vec::new();
    for label in labels {
        let Some(pattern) = label.strip_prefix(ACK_LABEL_PREFIX) else {
            continue;
        };
        let pattern = pattern.trim().to_ascii_lowercase();
        let pattern = match AckPattern::parse(&pattern) {
            Ok(p) => p,
            Err(why) => {
                notes.push(format!("ignoring label '{label}': {why}"));
                continue;
            }
        };
        for finding in findings.iter_mut().filter(|f| f.suppressed.is_none()) {
            if pattern.matches(finding) {
                finding.suppressed = Some(format!("acknowledged by pull request label '{label}'"));
            }
        }
    }
    notes
}

/// What an acknowledgement label names: rule ids by glob, or one rule id or category.
enum AckPattern {
    Glob(RuleIdGlobs),
    Name(String),
}

impl AckPattern {
    fn parse(pattern: &str) -> Result<AckPattern, String> {
        if pattern.is_empty() {
            return Err("it names no rule".into());
        }
        if !ids::is_glob(pattern) {
            return Ok(AckPattern::Name(pattern.trim_end_matches('/').to_string()));
        }
        RuleIdGlobs::new(vec![pattern.to_string()])
            .map(AckPattern::Glob)
            .map_err(|(_, e)| format!("bad glob: {}", e.kind()))
    }

    fn matches(&self, finding: &Finding) -> bool {
        match self {
            AckPattern::Glob(glob) => glob.is_match(&finding.rule),
            AckPattern::Name(name) => finding.rule == *name || finding.category() == name,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    fn finding(rule: &str) -> Finding {
        Finding {
            rule: rule.into(),
            severity: Severity::Error,
            path: "a.js".into(),
            line: Some(1),
            side: None,
            message: "m".into(),
            snippet: None,
            suppressed: None,
            origin: None,
        }
    }

    #[test]
    fn acknowledgement_by_id_category_and_glob_only_touches_matches() {
        let mut findings = vec![
            finding("cors/wildcard-origin"),
            finding("image/latest-tag"),
            finding("infra/load-balancer-removed"),
            finding("filename/trailing-space"),
        ];
        findings[3].suppressed = Some("inline".into());
        let labels = [
            "deploy-guard/ack:cors".to_string(),
            "deploy-guard/ack:IMAGE/latest-tag".to_string(),
            "deploy-guard/ack:filename/*".to_string(),
            "needs-review".to_string(),
            "deploy-guard/ack:[".to_string(),
        ];
        let notes = acknowledge(&mut findings, &labels);
        let reasons: Vec<_> = findings.iter().map(|f| f.suppressed.as_deref()).collect();
        assert_eq!(
            reasons,
            [
                Some("acknowledged by pull request label 'deploy-guard/ack:cors'"),
                Some("acknowledged by pull request label 'deploy-guard/ack:IMAGE/latest-tag'"),
                None,
                Some("inline"),
            ]
        );
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].contains("deploy-guard/ack:["));
    }

    #[test]
    fn a_category_label_does_not_match_a_longer_category() {
        let mut findings = vec![finding("corsair/thing")];
        acknowledge(&mut findings, &["deploy-guard/ack:cors".to_string()]);
        assert_eq!(findings[0].suppressed, None);
    }
}
