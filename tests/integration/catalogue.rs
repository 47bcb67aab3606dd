//! The rule catalogue in `docs/rules/catalogue.md` and one page per built-in rule in
//! `docs/rules/<category>/<name>.md` (the documentation site's rule pages, which SARIF's
//! `helpUri` and `deploy-guard explain` link to) are generated from `rules/*.toml`, the same
//! source `deploy-guard explain` prints; and every built-in rule carries enough examples.
//! `UPDATE_DOCS=1 cargo test --test integration catalogue` rewrites the generated pages.

use deploy_guard::rules::spec::Expect;
use deploy_guard::rules::{self, Rule, RuleSet, docs};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const REWRITE: &str = "run `UPDATE_DOCS=1 cargo test --test integration catalogue`";

fn builtin() -> RuleSet {
    RuleSet::compile_strict(rules::builtin().expect("built-in rules parse"))
        .expect("every built-in rule compiles, regexes included")
}

fn docs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs")
}

/// Under `UPDATE_DOCS`, writes `generated` to `path`; then says whether the file holds it.
fn is_current(path: &Path, generated: &str) -> bool {
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, generated).expect("write generated docs");
    }
    std::fs::read_to_string(path).is_ok_and(|current| current == generated)
}

#[test]
fn catalogue_is_generated_from_the_rules() {
    let generated = docs::catalogue(&builtin());
    assert!(
        is_current(&docs_dir().join("rules/catalogue.md"), &generated),
        "docs/rules/catalogue.md has drifted from rules/: {REWRITE}"
    );
}

/// A rule's page: [`docs::rule_markdown`] with its heading as the page title.
fn rule_page(rule: &Rule) -> String {
    let heading = format!("## `{}`\n", rule.id);
    let markdown = docs::rule_markdown(rule);
    let body = markdown
        .strip_prefix(&heading)
        .unwrap_or_else(|| panic!("rule_markdown no longer starts with {heading:?}"));
    format!(
        "# `{}`\n\n<!-- Generated from {} by `cargo test` (UPDATE_DOCS=1 rewrites it). Do not edit by hand. -->\n{body}[All built-in rules](../catalogue.md)\n",
        rule.id, rule.origin
    )
}

#[test]
fn every_builtin_rule_has_a_generated_page_and_no_page_is_stale() {
    let set = builtin();
    let dir = docs_dir();
    let mut stale = Vec::new();
    let mut expected = BTreeSet::new();
    for rule in set.rules() {
        let relative = format!("{}.md", docs::page_path(&rule.id));
        if !is_current(&dir.join(&relative), &rule_page(rule)) {
            stale.push(relative.clone());
        }
        let url = docs::page_url(rule).expect("a built-in rule has a page");
        assert_eq!(
            url,
            format!("{}{}", docs::DOCS_URL, relative.replace(".md", ".html"))
        );
        expected.insert(relative);
    }
    // A page whose rule is gone (renamed, removed) must go too.
    for category in std::fs::read_dir(dir.join("rules")).expect("docs/rules") {
        let category = category.expect("entry").path();
        if !category.is_dir() {
            continue;
        }
        for page in std::fs::read_dir(&category).expect("category dir") {
            let page = page.expect("entry").path();
            let relative = page
                .strip_prefix(&dir)
                .expect("under docs/")
                .to_string_lossy()
                .replace('\\', "/");
            if expected.contains(&relative) {
                continue;
            }
            if std::env::var_os("UPDATE_DOCS").is_some() {
                std::fs::remove_file(&page).expect("remove a stale rule page");
            } else {
                stale.push(format!("{relative} (no such rule: delete it)"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "rule pages have drifted from rules/: {REWRITE}\n{}",
        stale.join("\n")
    );
}

#[test]
fn every_builtin_rule_has_two_positive_and_two_negative_examples_that_pass() {
    let set = builtin();
    for rule in set.rules().iter().filter(|r| !r.gate_reported) {
        let count = |want: Expect| {
            rule.examples
                .iter()
                .filter(|e| *e.expect.get_ref() == want)
                .count()
        };
        assert!(
            count(Expect::Match) >= 2 && count(Expect::Clean) >= 2,
            "{}: needs at least 2 match and 2 clean examples",
            rule.id
        );
    }
    let outcome = rules::examples::run(&set);
    let failures: Vec<_> = outcome
        .failures
        .iter()
        .map(|f| {
            format!(
                "{} example {} ({}): {}",
                f.rule, f.example, f.path, f.reason
            )
        })
        .collect();
    assert!(
        failures.is_empty(),
        "failing rule examples:\n{}",
        failures.join("\n")
    );
    let matched = set.rules().iter().filter(|r| !r.gate_reported).count();
    assert!(outcome.passed >= 4 * matched);
}
