//! Running the worked examples that rules carry (`deploy-guard test-rules`): each is a change
//! judged through the gate like any other, and the example's rule must fire (or stay quiet) as
//! the example says.

use super::{Policy, judge};
use crate::config::Date;
use crate::error::Result;
use crate::fixture::Fixture;
use crate::rules::SourceFile;
use crate::rules::spec::{Example, Expect};
use crate::source::ContentReader;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// An example that did not behave as it said it would.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    /// The rule the example belongs to.
    pub(crate) rule: String,
    /// 1-based position of the example within the rule.
    pub(crate) example: usize,
    /// The example's path.
    pub(crate) path: String,
    /// What went wrong.
    pub(crate) reason: String,
}

/// The outcome of running every example of a rule set.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outcome {
    /// Examples that behaved as expected.
    pub(crate) passed: usize,
    /// Examples that did not.
    pub(crate) failures: Vec<Failure>,
    /// Rules that carry no example at all.
    pub(crate) without_examples: Vec<String>,
}

/// Runs the examples of the rules in effect around `cwd` when `files` is empty; else, for each
/// file (relative to `cwd`), the examples of the rules it defines, judged with the built-in
/// rules around them.
pub(crate) fn test_rules(files: &[PathBuf], cwd: &Path) -> Result<Vec<Outcome>> {
    let mut outcomes = Vec::new();
    if files.is_empty() {
        outcomes.push(run(&Policy::around(cwd, None)?));
    }
    for path in files {
        let file = SourceFile::read(&cwd.join(path))?;
        let name = file.name.clone();
        let policy = Policy::of_file(file)?;
        let set = policy.rules();
        let mut outcome = run(&policy);
        let own: HashSet<_> = set
            .rules()
            .iter()
            .filter(|r| r.origin == name)
            .map(|r| r.id.clone())
            .collect();
        outcome.failures.retain(|f| own.contains(&f.rule));
        outcome.without_examples.retain(|id| own.contains(id));
        outcome.passed = set
            .rules()
            .iter()
            .filter(|r| own.contains(&r.id))
            .map(|r| r.examples.len())
            .sum::<usize>()
            - outcome.failures.len();
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

/// Runs every example of every rule in effect under `policy`.
fn run(policy: &Policy) -> Outcome {
    let mut outcome = Outcome::default();
    for rule in policy.rules().rules() {
        if rule.examples.is_empty() && rule.matches_changes() {
            outcome.without_examples.push(rule.id.clone());
        }
        for (i, example) in rule.examples.iter().enumerate() {
            match check(policy, &rule.id, example) {
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

/// Judges one example of rule `id`; the error says how it went otherwise than it said.
fn check(policy: &Policy, id: &str, example: &Example) -> std::result::Result<(), String> {
    // The rules' examples know no date: waivers are judged against the clock, never a pin.
    let today = Some(Date::today());
    let reader = ContentReader::in_memory();
    let judgement = judge(
        &example.change(),
        &reader,
        policy,
        today,
        &[],
        Default::default(),
        &mut |_| {},
    )
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
