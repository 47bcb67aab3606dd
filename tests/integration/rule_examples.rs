//! Every built-in rule carries worked examples, and every example behaves as it says.

use deploy_guard::rules::{self, RuleSet, examples};

#[test]
fn every_built_in_example_passes() {
    let set = RuleSet::compile(rules::builtin().expect("built-ins parse")).expect("compile");
    let outcome = examples::run(&set);
    assert!(
        outcome.failures.is_empty(),
        "failing examples: {:#?}",
        outcome.failures
    );
    assert!(outcome.passed > 0);
}

#[test]
fn every_built_in_rule_has_a_firing_and_a_clean_example() {
    let set = RuleSet::compile(rules::builtin().expect("built-ins parse")).expect("compile");
    for rule in set.rules() {
        let expects: Vec<_> = rule.examples.iter().map(|e| *e.expect.get_ref()).collect();
        assert!(
            expects.contains(&rules::spec::Expect::Match)
                && expects.contains(&rules::spec::Expect::Clean),
            "{} needs at least one `match` and one `clean` example",
            rule.id
        );
    }
}
