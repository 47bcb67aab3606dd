//! The `cors/` pack: every rule carries enough worked examples and they hold, and in a real git
//! repository a change that opens CORS to every origin is blocked while look-alikes pass.

use deploy_guard::rules::{self, RuleSet, spec::Expect};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn builtin_rules() -> RuleSet {
    RuleSet::compile(rules::builtin().expect("built-in rules parse"))
        .expect("built-in rules compile")
}

#[test]
fn every_cors_rule_shows_two_hits_and_two_look_alikes() {
    let set = builtin_rules();
    let cors: Vec<_> = set
        .rules()
        .iter()
        .filter(|r| r.category() == "cors")
        .collect();
    assert!(cors.len() >= 5, "the pack lost rules: {}", cors.len());
    for rule in cors {
        let count = |want: Expect| {
            rule.examples
                .iter()
                .filter(|e| *e.expect.get_ref() == want)
                .count()
        };
        assert!(
            count(Expect::Match) >= 2,
            "{} needs 2 `match` examples",
            rule.id
        );
        assert!(
            count(Expect::Clean) >= 2,
            "{} needs 2 `clean` examples",
            rule.id
        );
    }
}

#[test]
fn cors_examples_behave_as_written() {
    let outcome = rules::examples::run(&builtin_rules());
    let failures: Vec<_> = outcome
        .failures
        .iter()
        .filter(|f| f.rule.starts_with("cors/"))
        .map(|f| {
            format!(
                "{} example {} ({}): {}",
                f.rule, f.example, f.path, f.reason
            )
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn commit(dir: &Path, files: &[(&str, &str)], message: &str) -> String {
    for (path, content) in files {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().expect("has a parent")).expect("mkdir");
        std::fs::write(full, content).expect("write");
    }
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
    git(dir, &["rev-parse", "HEAD"])
}

/// A `cors/` finding as reported: rule, severity, path, line.
type CorsFinding = (String, String, String, Option<u64>);

/// Runs `check` on base..head; returns the exit code and the `cors/` findings.
fn check(dir: &Path, base: &str, head: &str) -> (i32, Vec<CorsFinding>) {
    let out = Command::new(env!("CARGO_BIN_EXE_deploy-guard"))
        .args(["check", "--base", base, "--head", head, "--format", "json"])
        .current_dir(dir)
        .output()
        .expect("deploy-guard runs");
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let findings = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"].as_str().is_some_and(|r| r.starts_with("cors/")))
        .map(|f| {
            let text = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (
                text("rule"),
                text("severity"),
                text("path"),
                f["line"].as_u64(),
            )
        })
        .collect();
    (out.status.code().expect("exit code"), findings)
}

const APP_BEFORE: &str =
    "const cors = require('cors');\napp.use(cors({ origin: ['https://app.example.com'] }));\n";

/// Look-alikes: wildcards that are not origins, unrelated `origin`s, tests and prose.
const LOOK_ALIKES: &[(&str, &str)] = &[
    (
        "mysite/settings.py",
        "ALLOWED_HOSTS = ['*']\nCSRF_TRUSTED_ORIGINS = ['https://app.example.com']\n",
    ),
    (
        "web/embed.js",
        "window.parent.postMessage(msg, '*');\nconst here = window.location.origin;\n",
    ),
    ("scripts/release.sh", "git push origin main\n"),
    (
        "infra/policy.json",
        "{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:GetObject\"}\n",
    ),
    ("test/cors.test.js", "app.use(cors({ origin: '*' }));\n"),
    (
        "README.md",
        "Never ship `app.use(cors({ origin: '*' }))`.\n",
    ),
];

fn repo() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["config", "user.email", "ci@example.com"]);
    git(dir.path(), &["config", "user.name", "ci"]);
    let base = commit(dir.path(), &[("server/app.js", APP_BEFORE)], "base");
    (dir, base)
}

#[test]
fn opening_cors_to_every_origin_blocks_at_the_changed_line() {
    let (dir, base) = repo();
    let after = "const cors = require('cors');\napp.use(cors({ origin: '*' }));\n";
    let head = commit(dir.path(), &[("server/app.js", after)], "open cors");
    let (code, findings) = check(dir.path(), &base, &head);
    assert_eq!(code, 1, "{findings:?}");
    assert!(
        findings.contains(&(
            "cors/wildcard-origin".into(),
            "error".into(),
            "server/app.js".into(),
            Some(2)
        )),
        "{findings:?}"
    );
}

#[test]
fn look_alikes_pass_without_cors_findings_above_info() {
    let (dir, base) = repo();
    let head = commit(dir.path(), LOOK_ALIKES, "look-alikes");
    let (code, findings) = check(dir.path(), &base, &head);
    let loud: Vec<_> = findings.iter().filter(|f| f.1 != "info").collect();
    assert!(loud.is_empty(), "{loud:?}");
    assert_eq!(code, 0, "{findings:?}");
}
