//! What reports need to know about the rules themselves (not just their findings): SARIF lists
//! every rule with its documentation, JUnit has one test case per rule.

use crate::finding::{Finding, Severity};
use crate::rules::{Rule, RuleSet, docs};

/// A rule's identity and documentation, detached from its compiled matchers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleMeta {
    /// `category/name`.
    pub id: String,
    /// Severity in effect (after configuration).
    pub severity: Severity,
    /// One line.
    pub summary: String,
    /// Why it matters and how to fix it (plain text, may be empty).
    pub help: String,
    /// A page with more detail: the rule's own `url`, or a built-in rule's page on the docs site.
    pub url: Option<String>,
    /// The full Markdown documentation, as `deploy-guard explain` prints it; empty when the
    /// report was made without rule docs.
    pub docs_markdown: String,
}

impl RuleMeta {
    /// The documentation of one compiled rule.
    pub fn from_rule(rule: &Rule) -> RuleMeta {
        RuleMeta {
            docs_markdown: docs::rule_markdown(rule),
            ..RuleMeta::summary(rule)
        }
    }

    /// One rule without its Markdown documentation.
    fn summary(rule: &Rule) -> RuleMeta {
        RuleMeta {
            id: rule.id.clone(),
            severity: rule.severity,
            summary: rule.summary.clone(),
            help: rule.help.trim().to_string(),
            url: docs::page_url(rule),
            docs_markdown: String::new(),
        }
    }

    /// The documentation of every rule in `set`, in definition order.
    pub fn all(set: &RuleSet) -> Vec<RuleMeta> {
        set.rules().iter().map(RuleMeta::from_rule).collect()
    }

    /// Every rule in `set` without the Markdown documentation, which only SARIF shows.
    pub fn summaries(set: &RuleSet) -> Vec<RuleMeta> {
        set.rules().iter().map(RuleMeta::summary).collect()
    }

    /// The category, the part of the id before `/`.
    pub fn category(&self) -> &str {
        self.id.split('/').next().unwrap_or(&self.id)
    }

    /// A stand-in for a rule that only a finding names (not in the report's rule list), so
    /// every finding still has a rule entry to point at.
    pub(super) fn from_finding(f: &Finding) -> RuleMeta {
        RuleMeta {
            id: f.rule.clone(),
            severity: f.severity,
            summary: f.rule.clone(),
            help: String::new(),
            url: None,
            docs_markdown: format!("## `{}`\n", f.rule),
        }
    }
}
