//! The rule catalogue in `docs/rules/catalogue.md` is generated from `rules/*.toml` (the same
//! source `deploy-guard explain` prints), and every built-in rule carries enough examples.
//! `UPDATE_DOCS=1 cargo test --test integration catalogue` rewrites the catalogue.

use deploy_guard::rules::spec::Expect;
use deploy_guard::rules::{self, RuleSet};
use std::path::Path;

fn builtin() -> RuleSet {
    RuleSet::compile_strict(rules::builtin().expect("built-in rules parse"))
        .expect("every built-in rule compiles, regexes included")
}

#[test]
fn catalogue_is_generated_from_the_rules() {
    let generated = rules::docs::catalogue(&builtin());
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules/catalogue.md");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, &generated).expect("write catalogue");
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == generated,
        "docs/rules/catalogue.md has drifted from rules/: run `UPDATE_DOCS=1 cargo test --test integration catalogue`"
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
