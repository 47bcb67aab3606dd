//! The commands about rules: `rules` (the rules in effect), `explain` (one rule's
//! documentation) and `test-rules` (the worked examples).

use super::io::{Io, write_out};
use crate::error::{Error, Result};
use crate::gate::{Policy, examples};
use crate::rules::docs;
use std::path::{Path, PathBuf};

/// `deploy-guard rules`: id, severity and summary of every rule in effect around `cwd`.
pub(super) fn list(cwd: &Path, config: Option<&Path>, io: &mut Io) -> Result<i32> {
    let policy = Policy::around(cwd, config)?;
    let set = policy.rules();
    let width = set.rules().iter().map(|r| r.id.len()).max().unwrap_or(0);
    let mut text = String::new();
    for r in set.rules() {
        text.push_str(&format!(
            "{:<width$}  {:<7}  {}\n",
            r.id,
            r.severity.as_str(),
            r.summary
        ));
    }
    write_out(io, &text)?;
    Ok(0)
}

/// `deploy-guard explain RULE`: the rule's documentation.
pub(super) fn explain(cwd: &Path, rule: &str, config: Option<&Path>, io: &mut Io) -> Result<i32> {
    let policy = Policy::around(cwd, config)?;
    let rule = policy
        .rules()
        .get(rule)
        .ok_or_else(|| Error::Rule(format!("unknown rule '{rule}'")))?;
    write_out(io, &docs::explain(rule))?;
    Ok(0)
}

/// `deploy-guard test-rules [FILE...]`: runs the examples; exits 1 when one fails.
pub(super) fn test_rules(files: &[PathBuf], cwd: &Path, io: &mut Io) -> Result<i32> {
    let outcomes = examples::test_rules(files, cwd)?;
    let mut text = String::new();
    let (mut passed, mut failed) = (0, 0);
    for outcome in &outcomes {
        passed += outcome.passed;
        failed += outcome.failures.len();
        for f in &outcome.failures {
            text.push_str(&format!(
                "FAIL {} example {} ({}): {}\n",
                f.rule, f.example, f.path, f.reason
            ));
        }
        for id in &outcome.without_examples {
            text.push_str(&format!("note: {id} has no examples\n"));
        }
    }
    text.push_str(&format!("test-rules: {passed} passed, {failed} failed\n"));
    write_out(io, &text)?;
    Ok(i32::from(failed > 0))
}
