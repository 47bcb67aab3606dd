//! The commands about rules: `rules` (the rules in effect, for people or as JSON for tools),
//! `explain` (one rule's documentation, for a terminal or as Markdown) and `test-rules` (the
//! worked examples).

use super::args::{DocFormat, ListFormat};
use super::io::{Io, stdout_error, write_out};
use super::terminal;
use crate::error::{Error, Result};
use crate::gate::{Policy, examples};
use crate::matching::nearest::did_you_mean;
use crate::rules::spec::Reporter;
use crate::rules::{Rule, docs};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// `deploy-guard rules`: every rule in effect around `cwd`, as lines or as JSON.
pub(super) fn list(
    cwd: &Path,
    config: Option<&Path>,
    format: ListFormat,
    io: &mut Io,
) -> Result<i32> {
    let policy = Policy::around(cwd, config)?;
    for warning in policy.warnings() {
        let _ = writeln!(io.err, "deploy-guard: warning: {warning}");
    }
    let rules = policy.rules().rules();
    match format {
        ListFormat::Human => {
            let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
            let mut text = String::new();
            for r in rules {
                text.push_str(&format!(
                    "{:<width$}  {:<7}  {}\n",
                    r.id,
                    r.severity.as_str(),
                    r.summary
                ));
            }
            write_out(io, &text)?;
        }
        ListFormat::Json => {
            let document = RuleList {
                version: 1,
                rules: rules.iter().map(RuleEntry::of).collect(),
            };
            serde_json::to_writer_pretty(&mut *io.out, &document)
                .map_err(|e| stdout_error(e.into()))?;
            write_out(io, "\n")?;
        }
    }
    Ok(0)
}

/// `rules --format json`: versioned like the report; fields are added, never renamed.
#[derive(Serialize)]
struct RuleList<'a> {
    version: u32,
    rules: Vec<RuleEntry<'a>>,
}

/// One rule as `rules --format json` lists it.
#[derive(Serialize)]
struct RuleEntry<'a> {
    id: &'a str,
    category: &'a str,
    severity: &'static str,
    summary: &'a str,
    paths: &'a [String],
    exclude: &'a [String],
    docs_url: Option<String>,
    origin: &'a str,
    /// `gate` or `plan` for a rule whose findings the gate or the plan judge makes (it matches
    /// no changed line); absent for the others.
    #[serde(skip_serializing_if = "Option::is_none")]
    reported_by: Option<&'static str>,
}

impl<'a> RuleEntry<'a> {
    fn of(rule: &'a Rule) -> RuleEntry<'a> {
        RuleEntry {
            id: &rule.id,
            category: rule.category(),
            severity: rule.severity.as_str(),
            summary: &rule.summary,
            paths: &rule.paths,
            exclude: &rule.exclude,
            docs_url: docs::page_url(rule),
            origin: &rule.origin,
            reported_by: rule.reported_by.map(|r| match r {
                Reporter::Gate => "gate",
                Reporter::Plan => "plan",
            }),
        }
    }
}

/// `deploy-guard explain RULE`: the rule's documentation, rendered for a terminal (wrapped to
/// its `columns`, styled when `color`) or as its Markdown source. An unknown id names the
/// closest ones.
pub(super) fn explain(
    cwd: &Path,
    rule: &str,
    config: Option<&Path>,
    format: DocFormat,
    columns: Option<usize>,
    color: bool,
    io: &mut Io,
) -> Result<i32> {
    let policy = Policy::around(cwd, config)?;
    let Some(found) = policy.rules().get(rule) else {
        let hint = did_you_mean(&policy.nearest_ids(rule));
        return Err(Error::Rule(format!("unknown rule '{rule}'{hint}")));
    };
    let markdown = docs::explain(found);
    let text = match format {
        DocFormat::Markdown => markdown,
        DocFormat::Human => terminal::render(&markdown, terminal::width(columns), color),
    };
    write_out(io, &text)?;
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
