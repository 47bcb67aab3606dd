//! `[[waiver]]` in the configuration: time-boxed, read from the base, validated with positions,
//! and reported once expired. "Today" is pinned with `DEPLOY_GUARD_TODAY`.

mod common;

use common::{Repo, Run, WILDCARD_CORS, rules_fired};
use serde_json::Value;

const WAIVER: &str = r#"[[waiver]]
rule = "cors/*"
paths = ["partner/**"]
reason = "partner API, contract ends 2027"
expires = "2027-06-30"
owner = "@payments"
"#;

/// Base has `config`; the change adds wildcard CORS to `path`.
fn repo(config: &str, path: &str) -> Repo {
    let repo = Repo::with_files(&[(".deploy-guard.toml", config), ("README", "x\n")]);
    repo.branch("change");
    repo.commit_file(path, WILDCARD_CORS);
    repo
}

fn check_on(repo: &Repo, today: &str) -> (Run, Value) {
    let mut cmd = repo.cmd();
    cmd.env("DEPLOY_GUARD_TODAY", today)
        .args(["check", "--format", "json", "--base", "main"]);
    let run = Run::of(&mut cmd);
    let json = if run.code == 2 {
        Value::Null
    } else {
        run.json()
    };
    (run, json)
}

fn cors(report: &Value) -> Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "cors/wildcard-origin")
        .cloned()
        .unwrap_or_else(|| panic!("no cors finding: {report:#}"))
}

#[test]
fn unexpired_waiver_suppresses_with_date_owner_and_reason() {
    let repo = repo(WAIVER, "partner/api.js");
    for today in ["2026-11-22", "2027-06-30"] {
        let (run, report) = check_on(&repo, today);
        run.expect_code(0);
        assert_eq!(
            cors(&report)["suppressed"],
            "waived until 2027-06-30 by @payments: partner API, contract ends 2027"
        );
        assert!(!rules_fired(&report).contains(&"guard/expired-waiver".to_string()));
    }
}

#[test]
fn expired_waiver_stops_applying_and_is_reported_on_the_config_file() {
    let repo = repo(WAIVER, "partner/api.js");
    let (run, report) = check_on(&repo, "2027-07-01");
    run.expect_code(1);
    assert!(cors(&report)["suppressed"].is_null());
    let expired: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "guard/expired-waiver")
        .collect();
    assert_eq!(expired.len(), 1, "{report:#}");
    assert_eq!(expired[0]["path"], ".deploy-guard.toml");
    assert_eq!(expired[0]["severity"], "warning");
    assert!(expired[0]["line"].is_null());
    let message = expired[0]["message"].as_str().unwrap();
    assert!(
        message.contains("cors/*") && message.contains("2027-06-30"),
        "{message}"
    );
}

#[test]
fn waiver_applies_only_to_its_paths_and_rules() {
    let (run, report) = check_on(&repo(WAIVER, "server/app.js"), "2026-11-22");
    run.expect_code(1);
    assert!(cors(&report)["suppressed"].is_null());
    let other_rule = WAIVER.replace("cors/*", "image/*");
    let (run, _) = check_on(&repo(&other_rule, "partner/api.js"), "2026-11-22");
    run.expect_code(1);
}

#[test]
fn waiver_without_paths_covers_every_path_and_accepts_a_toml_date() {
    let config = "[[waiver]]\nrule = \"cors/wildcard-origin\"\nreason = \"migration\"\nexpires = 2027-01-31\n";
    let (run, report) = check_on(&repo(config, "any/where.js"), "2027-01-31");
    run.expect_code(0);
    assert_eq!(
        cors(&report)["suppressed"],
        "waived until 2027-01-31: migration"
    );
}

#[test]
fn bad_or_missing_expiry_is_a_positioned_config_error() {
    let bad_date = WAIVER.replace("2027-06-30", "2027-02-30");
    let (run, _) = check_on(&repo(&bad_date, "partner/api.js"), "2026-11-22");
    run.expect_code(2);
    assert!(
        run.stderr.contains(".deploy-guard.toml:5:11:") && run.stderr.contains("expires"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("help:"), "{}", run.stderr);

    let missing = WAIVER.replace("expires = \"2027-06-30\"\n", "");
    let (run, _) = check_on(&repo(&missing, "partner/api.js"), "2026-11-22");
    run.expect_code(2);
    assert!(run.stderr.contains("expires"), "{}", run.stderr);

    let no_reason = WAIVER.replace("partner API, contract ends 2027", " ");
    let (run, _) = check_on(&repo(&no_reason, "partner/api.js"), "2026-11-22");
    run.expect_code(2);
    assert!(
        run.stderr.contains(".deploy-guard.toml:4:"),
        "{}",
        run.stderr
    );

    let unknown_key = WAIVER.replace("owner", "ownr");
    let (run, _) = check_on(&repo(&unknown_key, "partner/api.js"), "2026-11-22");
    run.expect_code(2);
    assert!(
        run.stderr.contains(".deploy-guard.toml:6:"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_waiver_added_by_the_change_itself_does_not_apply() {
    let repo = Repo::with_files(&[("README", "x\n")]);
    repo.branch("change");
    repo.write(".deploy-guard.toml", WAIVER);
    repo.write("partner/api.js", WILDCARD_CORS);
    repo.commit("waive my own change");
    let (run, report) = check_on(&repo, "2026-11-22");
    run.expect_code(1);
    assert!(cors(&report)["suppressed"].is_null());
    assert!(rules_fired(&report).contains(&"guard/config-changed".to_string()));
}

#[test]
fn a_bad_pinned_today_is_a_usage_error() {
    let (run, _) = check_on(&repo(WAIVER, "partner/api.js"), "tomorrow");
    run.expect_code(2);
    assert!(run.stderr.contains("DEPLOY_GUARD_TODAY"), "{}", run.stderr);
}
