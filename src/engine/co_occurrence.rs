//! Conditions across the files of a change: a rule that fires only when some other path
//! changed too (or none did), and a rule whose findings stand only when another rule's fired
//! too (or did not).

use crate::change::ChangeSet;
use crate::finding::Finding;
use crate::matching::globs::{FoldedPath, PathGlobs};
use crate::matching::ids::RuleIdGlobs;
use crate::rules::{Rule, RuleSet};
use std::collections::{BTreeSet, HashMap};

/// Per rule: whether its `without_change`/`with_change` conditions hold for this change.
pub(super) fn co_change_gate(changes: &ChangeSet, rules: &RuleSet) -> Vec<bool> {
    let paths: Vec<FoldedPath> = changes
        .files
        .iter()
        .flat_map(|f| std::iter::once(f.path.as_str()).chain(f.old_path.as_deref()))
        .map(FoldedPath::new)
        .collect();
    rules
        .rules()
        .iter()
        .map(|rule| {
            let any = |globs: &PathGlobs| paths.iter().any(|p| globs.is_match_folded(p));
            rule.without_change.as_deref().is_none_or(|s| !any(s))
                && rule.with_change.as_deref().is_none_or(any)
        })
        .collect()
}

/// Drops findings of rules whose `with_finding` partner rules found nothing in this change,
/// then findings of rules whose `without_finding` rules did find something. Decided once per
/// rule that fired, so a change with thousands of findings costs no more than one with a few.
pub(super) fn keep_co_occurring(rules: &RuleSet, findings: &mut Vec<Finding>) {
    let mut filter = |partners: fn(&Rule) -> Option<&RuleIdGlobs>, want: bool| {
        let fired: Vec<String> = findings
            .iter()
            .map(|f| f.rule.as_str())
            .collect::<BTreeSet<&str>>()
            .into_iter()
            .map(str::to_string)
            .collect();
        let keep: HashMap<&str, bool> = fired
            .iter()
            .map(|id| {
                let holds = rules.get(id).and_then(partners).is_none_or(|partners| {
                    let any = fired
                        .iter()
                        .any(|other| other != id && partners.is_match(other));
                    any == want
                });
                (id.as_str(), holds)
            })
            .collect();
        findings.retain(|f| keep.get(f.rule.as_str()).copied().unwrap_or(true));
    };
    filter(|r| r.with_finding.as_ref(), true);
    filter(|r| r.without_finding.as_ref(), false);
}
