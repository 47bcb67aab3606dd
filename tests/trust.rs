//! The trust model (design section 5, SECURITY.md): a change cannot disarm the gate that judges
//! it, and edits to what runs the gate are shown to the reviewer.

mod common;

use common::{Repo, WILDCARD_CORS, findings, rules_fired};

fn fired(repo: &Repo) -> Vec<String> {
    let (_, report) = repo.check_json(&["--base", "main"]);
    rules_fired(&report)
}

#[test]
fn head_config_cannot_disable_or_downgrade_the_rules_that_judge_it() {
    let repo = Repo::with_files(&[("README", "x\n")]);
    repo.branch("change");
    repo.write(
        ".deploy-guard.toml",
        "fail_on = \"never\"\ndisable = [\"cors/*\"]\n[rules.\"image/base-image-latest\"]\nseverity = \"info\"\n",
    );
    repo.write("server/app.js", WILDCARD_CORS);
    repo.write("Dockerfile", "FROM node:latest\n");
    repo.commit("disarm");
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(1);
    let got = findings(&report);
    assert!(
        got.contains(&"cors/wildcard-origin server/app.js:1".to_string()),
        "{got:?}"
    );
    assert!(
        got.contains(&"guard/config-changed .deploy-guard.toml".to_string()),
        "{got:?}"
    );
    let image = &report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "image/base-image-latest")
        .unwrap()["severity"];
    assert_eq!(image, "error");
}

#[test]
fn custom_rules_come_from_the_base_even_when_the_change_deletes_them() {
    let config = "[[rule]]\nid = \"team/debug-on\"\nseverity = \"error\"\nmessage = \"debug on\"\nadded = 'DEBUG\\s*=\\s*true'\n";
    let repo = Repo::with_files(&[(".deploy-guard.toml", config)]);
    repo.branch("change");
    repo.git(&["rm", "-q", ".deploy-guard.toml"]);
    repo.write("app.env", "DEBUG = true\n");
    repo.commit("drop the rule and switch debug on");
    let got = fired(&repo);
    assert!(got.contains(&"team/debug-on".to_string()), "{got:?}");
    assert!(got.contains(&"guard/config-changed".to_string()), "{got:?}");
}

#[test]
fn an_explicit_config_file_wins() {
    let repo = Repo::with_files(&[("README", "x\n")]);
    repo.branch("change");
    repo.commit_file("server/app.js", WILDCARD_CORS);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ci.toml");
    std::fs::write(&path, "fail_on = \"never\"\n").unwrap();
    repo.check(&["--base", "main", "--config", path.to_str().unwrap()])
        .expect_code(0);
}

#[test]
fn removing_the_gate_step_from_a_workflow_is_reported() {
    let workflow = "on: pull_request\njobs:\n  gate:\n    steps:\n      - uses: actions/checkout@v4\n      - run: deploy-guard check --base origin/main\n";
    let repo = Repo::with_files(&[(".github/workflows/gate.yml", workflow)]);
    repo.branch("change");
    repo.commit_file(
        ".github/workflows/gate.yml",
        "on: pull_request\njobs:\n  gate:\n    steps:\n      - uses: actions/checkout@v4\n",
    );
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(0);
    // Read as a workflow: the structural rule says it, once, instead of the line rule.
    assert_eq!(
        findings(&report),
        ["guard/gate-disarmed .github/workflows/gate.yml:6"]
    );
    assert_eq!(report["findings"][0]["side"], "base");
    assert_eq!(report["verdict"], "needs-review");
}

#[test]
fn weakening_the_gate_step_or_its_hooks_is_reported() {
    let repo = Repo::with_files(&[
        (
            ".github/workflows/gate.yml",
            "      - run: deploy-guard check\n",
        ),
        (".pre-commit-config.yaml", "repos: []\n"),
    ]);
    repo.branch("change");
    repo.write(
        ".github/workflows/gate.yml",
        "      - run: deploy-guard check --fail-on never\n",
    );
    repo.write(
        ".pre-commit-config.yaml",
        "repos:\n  - repo: local\n    hooks:\n      - id: deploy-guard\n        stages: [manual]\n",
    );
    repo.write(
        ".githooks/pre-push",
        "#!/bin/sh\ndeploy-guard check || true\n",
    );
    repo.commit("weaken");
    let (_, report) = repo.check_json(&["--base", "main"]);
    let got = findings(&report);
    for expected in [
        "guard/gate-step-edited .github/workflows/gate.yml:1",
        "guard/gate-step-removed .github/workflows/gate.yml:1",
        "guard/gate-step-edited .pre-commit-config.yaml:4",
        "guard/gate-step-edited .githooks/pre-push:2",
    ] {
        assert!(
            got.iter().any(|f| f == expected),
            "missing {expected} in {got:?}"
        );
    }
}

#[test]
fn moving_the_actions_pin_is_reported_with_the_new_ref() {
    let repo = Repo::with_files(&[(
        ".github/workflows/gate.yml",
        "    steps:\n      - uses: acme/deploy-guard@v1.2.0\n",
    )]);
    repo.branch("change");
    repo.commit_file(
        ".github/workflows/gate.yml",
        "    steps:\n      - uses: someone/deploy-guard@main\n",
    );
    let (_, report) = repo.check_json(&["--base", "main"]);
    let pins: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "guard/action-pin-changed")
        .collect();
    assert_eq!(pins.len(), 1, "{report:#}");
    assert!(pins[0]["message"].as_str().unwrap().contains("'main'"));
    assert!(
        !rules_fired(&report).contains(&"guard/gate-step-edited".to_string()),
        "the pin is reported once, by its own rule"
    );
}

#[test]
fn unrelated_workflow_edits_are_not_reported() {
    let repo = Repo::with_files(&[(".github/workflows/test.yml", "      - run: npm test\n")]);
    repo.branch("change");
    repo.commit_file(
        ".github/workflows/test.yml",
        "      - run: npm test -- --ci\n",
    );
    assert_eq!(fired(&repo), Vec::<String>::new());
}
