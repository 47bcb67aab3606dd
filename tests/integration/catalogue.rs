//! The rule catalogue in `docs/rules/catalogue.md` and one page per built-in rule in
//! `docs/rules/<category>/<name>.md` (the documentation site's rule pages, which SARIF's
//! `helpUri` and `deploy-guard explain` link to) are generated from `rules/*.toml`, the same
//! source `deploy-guard explain` prints; and every built-in rule carries enough examples, which
//! pass. `UPDATE_DOCS=1 cargo test --test integration catalogue` rewrites the generated pages.

use crate::common::{Run, deploy_guard_in, outside_any_repository};
use std::path::Path;

#[test]
fn catalogue_is_generated_from_the_rules() {
    let generated =
        deploy_guard::rule_catalogue().expect("every built-in rule compiles, regexes included");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules/catalogue.md");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, &generated).expect("write catalogue");
    }
    assert!(
        !generated.to_lowercase().contains("seed 0"),
        "messages and help speak the user's words, not internal incident names"
    );
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == generated,
        "docs/rules/catalogue.md has drifted from rules/: run `UPDATE_DOCS=1 cargo test --test integration catalogue`"
    );
}

#[test]
fn every_builtin_rule_has_a_generated_page_and_no_page_is_stale() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    let update = std::env::var_os("UPDATE_DOCS").is_some();
    let pages = deploy_guard::rule_pages().expect("every built-in rule compiles");
    let mut stale = Vec::new();
    for (relative, generated) in &pages {
        let path = docs.join(relative);
        if update {
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, generated).expect("write a rule page");
        }
        if std::fs::read_to_string(&path).ok().as_ref() != Some(generated) {
            stale.push(relative.clone());
        }
    }
    // A page whose rule is gone (renamed, removed) must go too.
    for category in std::fs::read_dir(docs.join("rules")).expect("docs/rules") {
        let category = category.expect("entry").path();
        if !category.is_dir() {
            continue;
        }
        for page in std::fs::read_dir(&category).expect("category dir") {
            let page = page.expect("entry").path();
            let relative = page
                .strip_prefix(&docs)
                .expect("under docs/")
                .to_string_lossy()
                .replace('\\', "/");
            if pages.iter().any(|(p, _)| *p == relative) {
                continue;
            }
            if update {
                std::fs::remove_file(&page).expect("remove a stale rule page");
            } else {
                stale.push(format!("{relative} (no such rule: delete it)"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "rule pages have drifted from rules/: run `UPDATE_DOCS=1 cargo test --test integration catalogue`\n{}",
        stale.join("\n")
    );
}

/// Each built-in rule that is matched against changes (not reported by the gate itself), with
/// the `expect` of each of its examples, as `rules/*.toml` writes them.
fn matched_rules() -> Vec<(String, Vec<String>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut rules = Vec::new();
    for entry in std::fs::read_dir(dir).expect("rules/") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("read pack");
        let pack: toml::Table = text.parse().expect("a pack is TOML");
        for rule in pack["rule"].as_array().expect("[[rule]]") {
            // Rules the gate or the plan judge reports match no changed line: no examples.
            let gate_reported =
                rule.get("gate_reported").and_then(toml::Value::as_bool) == Some(true);
            if gate_reported || rule.get("reported_by").is_some() {
                continue;
            }
            let examples = rule.get("example").and_then(toml::Value::as_array);
            let expects = examples
                .into_iter()
                .flatten()
                .map(|e| e["expect"].as_str().expect("expect").to_string())
                .collect();
            rules.push((rule["id"].as_str().expect("id").to_string(), expects));
        }
    }
    rules
}

#[test]
fn every_builtin_rule_has_two_positive_and_two_negative_examples_that_pass() {
    let rules = matched_rules();
    for (id, expects) in &rules {
        let count = |want: &str| expects.iter().filter(|e| *e == want).count();
        assert!(
            count("match") >= 2 && count("clean") >= 2,
            "{id}: needs at least 2 match and 2 clean examples"
        );
    }
    let (_dir, outside) = outside_any_repository();
    let run = Run::of(deploy_guard_in(&outside).arg("test-rules"));
    let failures: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("FAIL "))
        .collect();
    assert!(
        failures.is_empty() && run.code == 0,
        "failing rule examples:\n{}",
        failures.join("\n")
    );
    let passed: usize = run
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("test-rules: "))
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("a test-rules summary line");
    assert!(passed >= 4 * rules.len(), "{}", run.stdout);
}
