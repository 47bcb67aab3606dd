//! Running the worked examples that rules carry: each is a one-file change judged by the whole
//! rule set, and the example's rule must fire (or stay quiet) as the example says.

use super::set::RuleSet;
use super::spec::{Example, Expect};
use crate::change::{ChangeSet, ChangedFile, HeadTree, Status};
use crate::engine;
use crate::source::ContentReader;

/// An example that did not behave as it said it would.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The rule the example belongs to.
    pub rule: String,
    /// 1-based position of the example within the rule.
    pub example: usize,
    /// The example's path.
    pub path: String,
    /// What went wrong.
    pub reason: String,
}

/// The outcome of running every example of a rule set.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Examples that behaved as expected.
    pub passed: usize,
    /// Examples that did not.
    pub failures: Vec<Failure>,
    /// Rules that carry no example at all.
    pub without_examples: Vec<String>,
}

/// Runs every example of every rule in `rules`.
pub fn run(rules: &RuleSet) -> Outcome {
    let mut outcome = Outcome::default();
    for rule in rules.rules() {
        if rule.examples.is_empty() && !rule.gate_reported {
            outcome.without_examples.push(rule.id.clone());
        }
        for (i, example) in rule.examples.iter().enumerate() {
            match check(rules, &rule.id, example) {
                Ok(()) => outcome.passed += 1,
                Err(reason) => outcome.failures.push(Failure {
                    rule: rule.id.clone(),
                    example: i + 1,
                    path: example.path.clone(),
                    reason,
                }),
            }
        }
    }
    outcome
}

/// The change an example describes: its file, any other changed files, and the unchanged
/// paths it says exist in the head tree.
pub fn change_of(example: &Example) -> ChangeSet {
    let mut file = ChangedFile::from_contents(
        &example.path,
        example.before.as_deref(),
        example.after.as_deref(),
    );
    if let Some(old) = &example.old_path {
        file.status = Status::Renamed;
        file.old_path = Some(old.clone());
    }
    let mut files = vec![file];
    files.extend(
        example
            .files
            .iter()
            .map(|f| ChangedFile::from_contents(&f.path, f.before.as_deref(), f.after.as_deref())),
    );
    ChangeSet {
        files,
        tree: HeadTree::Listed(example.existing.clone()),
        ..ChangeSet::default()
    }
}

fn check(rules: &RuleSet, id: &str, example: &Example) -> Result<(), String> {
    let judgement = engine::judge(&change_of(example), rules, &ContentReader::in_memory())
        .map_err(|e| format!("could not judge the example: {e}"))?;
    let findings: Vec<_> = judgement
        .findings
        .into_iter()
        .filter(|f| f.rule == id && f.path == example.path)
        .collect();
    match (example.expect.get_ref(), findings.first()) {
        (Expect::Match, None) => Err("expected a finding, got none".into()),
        (Expect::Clean, Some(f)) => Err(format!(
            "expected no finding, got one at line {}: {}",
            f.line.map_or("-".into(), |l| l.to_string()),
            f.message
        )),
        (Expect::Match, Some(_)) => match example.line {
            Some(want) if !findings.iter().any(|f| f.line == Some(want)) => Err(format!(
                "expected a finding at line {want}, got lines {:?}",
                findings.iter().map(|f| f.line).collect::<Vec<_>>()
            )),
            _ => Ok(()),
        },
        (Expect::Clean, None) => Ok(()),
    }
}
