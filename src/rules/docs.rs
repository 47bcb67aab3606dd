//! Rule documentation, generated from the rule definitions themselves: `deploy-guard explain`
//! prints it and `docs/rules/catalogue.md` is built from it, so the two cannot drift.

use super::packs::{BUILTIN, builtin};
use super::rule::Rule;
use super::set::RuleSet;
use super::spec::{Expect, Reporter};
use crate::error::Result;
use std::fmt::Write;

/// The documentation site. A built-in rule's page is `{DOCS_URL}rules/<category>/<name>.html`,
/// generated from [`rule_markdown`] into `docs/rules/<category>/<name>.md`.
pub(crate) const DOCS_URL: &str = "https://deploy-guard.github.io/deploy-guard/";

/// The page about `rule`: the `url` its definition gives, else, for a built-in rule, its page on
/// the documentation site; `None` for a team's own rule without a `url`.
pub(crate) fn page_url(rule: &Rule) -> Option<String> {
    let builtin = BUILTIN.iter().any(|(pack, ..)| *pack == rule.origin);
    rule.url
        .clone()
        .or_else(|| builtin.then(|| format!("{DOCS_URL}rules/{}.html", rule.id)))
}

/// What `deploy-guard explain` prints: [`rule_markdown`], then a link to the rule's page on the
/// documentation site (which is built from `rule_markdown` alone, so it does not link to itself).
pub(crate) fn explain(rule: &Rule) -> String {
    let mut out = rule_markdown(rule);
    if let (None, Some(url)) = (&rule.url, page_url(rule)) {
        let _ = writeln!(out, "**More:** <{url}>");
    }
    out
}

/// The full documentation of one rule, in Markdown.
pub(crate) fn rule_markdown(rule: &Rule) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## `{}`\n", rule.id);
    let _ = writeln!(out, "**Severity:** {}  ", rule.severity.as_str());
    let _ = writeln!(out, "**Summary:** {}  ", rule.summary);
    let _ = writeln!(out, "**Defined in:** `{}`\n", rule.origin);
    let _ = writeln!(out, "**Message:** {}\n", rule.message.elided());
    match rule.reported_by {
        Some(Reporter::Gate) => {
            let _ = writeln!(
                out,
                "**Reported by:** the gate itself, from what it sees while judging (not by matching changed lines); it cannot be suppressed inline.\n"
            );
        }
        Some(Reporter::Plan) => {
            let _ = writeln!(
                out,
                "**Reported by:** the plan judge, from the plans given with `check --plan terraform=FILE` (Terraform or OpenTofu: `terraform show -json`) or `--plan cloudformation=FILE` (`aws cloudformation describe-change-set`); see <{DOCS_URL}plans.html>. JSON findings carry `\"origin\": \"plan\"`, the resource `address`, `resource_type` and `action`.\n"
            );
        }
        None => {}
    }
    if !rule.help.trim().is_empty() {
        let _ = writeln!(out, "{}\n", rule.help.trim());
    }
    if !rule.paths.is_empty() {
        let _ = writeln!(out, "**Applies to:** {}\n", code_list(&rule.paths));
    }
    if !rule.exclude.is_empty() {
        let _ = writeln!(out, "**Never applies to:** {}\n", code_list(&rule.exclude));
    }
    if let Some(url) = &rule.url {
        let _ = writeln!(out, "**More:** <{url}>\n");
    }
    for (i, ex) in rule.examples.iter().enumerate() {
        let verdict = match ex.expect.get_ref() {
            Expect::Match => "fires",
            Expect::Clean => "stays quiet",
        };
        let _ = writeln!(out, "**Example {}** ({verdict}): `{}`\n", i + 1, ex.path);
        if let Some(before) = &ex.before {
            let _ = writeln!(out, "Before:\n\n{}", fenced(before));
        }
        match &ex.after {
            Some(after) => {
                let _ = writeln!(out, "After:\n\n{}", fenced(after));
            }
            None => {
                let _ = writeln!(out, "After: (deleted)\n");
            }
        }
    }
    let once = match rule.reported_by {
        Some(Reporter::Plan) => format!(
            "plans carry no comments: add a `[[waiver]]` for `{}` whose `paths` match the resource address or the plan file",
            rule.id
        ),
        _ => format!(
            "add a comment on the line or the line above:\n`deploy-guard: allow {} -- <reason>`",
            rule.id
        ),
    };
    let _ = writeln!(
        out,
        "**Suppress one occurrence:** {once}.  \n**Turn off:** `disable = [\"{}\"]` in `.deploy-guard.toml`, or change its severity under `[rules.\"{}\"]`.\n",
        rule.id, rule.id
    );
    out
}

/// The catalogue of the built-in rules (`docs/rules/catalogue.md`), each compiled and checked
/// now, regexes included, so a broken built-in pattern cannot be documented.
pub fn builtin_catalogue() -> Result<String> {
    Ok(catalogue(&RuleSet::compile_strict(builtin()?)?))
}

/// One page per built-in rule for the documentation site: its path under `docs/`
/// (`rules/<category>/<name>.md`) and its Markdown, which is [`rule_markdown`] with the rule's
/// heading as the page title.
pub fn builtin_rule_pages() -> Result<Vec<(String, String)>> {
    let rules = RuleSet::compile_strict(builtin()?)?;
    Ok(rules
        .rules()
        .iter()
        .map(|rule| (format!("rules/{}.md", rule.id), rule_page(rule)))
        .collect())
}

fn rule_page(rule: &Rule) -> String {
    let markdown = rule_markdown(rule);
    let heading = format!("## `{}`\n", rule.id);
    let body = markdown.strip_prefix(&heading).unwrap_or(&markdown);
    format!(
        "# `{}`\n\n<!-- Generated from {} by `cargo test` (UPDATE_DOCS=1 rewrites it). Do not edit by hand. -->\n{body}[All built-in rules](../catalogue.md)\n",
        rule.id, rule.origin
    )
}

/// The catalogue of every rule in `rules`, in Markdown.
fn catalogue(rules: &RuleSet) -> String {
    let mut out = String::from(
        "# Built-in rule catalogue\n\n<!-- Generated from rules/*.toml by `cargo test` (UPDATE_DOCS=1 rewrites it). Do not edit by hand. -->\n\n| id | severity | summary |\n| --- | --- | --- |\n",
    );
    for rule in rules.rules() {
        let _ = writeln!(
            out,
            "| [`{}`](#{}) | {} | {} |",
            rule.id,
            anchor(&rule.id),
            rule.severity.as_str(),
            rule.summary.replace('|', "\\|")
        );
    }
    out.push('\n');
    for rule in rules.rules() {
        out.push_str(&rule_markdown(rule));
    }
    out
}

fn anchor(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

fn code_list(items: &[String]) -> String {
    items
        .iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn fenced(text: &str) -> String {
    let fence = if text.contains("```") { "````" } else { "```" };
    format!("{fence}\n{}\n{fence}\n", text.trim_end_matches('\n'))
}
