//! Snapshot tests of the report formats on one fixed change. The findings come from a custom
//! rule in a `--config` file plus `cors/wildcard-origin`, and every other built-in category is
//! disabled, so new built-in rules do not churn these snapshots.

use crate::common::{Repo, SAFE_SERVER, WILDCARD_CORS};

const CONFIG: &str = r#"
disable = ["cors/[!w]*", "cdn/*", "image/*", "filename/*", "infra/*", "rollout/*", "docs/*", "guard/*"]

[[rule]]
id = "team/debug-on"
severity = "warning"
message = "debug switched on ({flag}) in {path}"
paths = ["config/**"]
added = '(?P<flag>DEBUG)\s*=\s*true'

[[rule]]
id = "team/healthcheck-removed"
severity = "error"
message = "the health check was removed"
removed = 'healthcheck'
"#;

/// The fixed change: main → feature opening CORS, turning debug on, dropping a health check
/// and adding a binary file. Returns the repository and the `--config` path.
fn fixture() -> (Repo, String) {
    let repo = Repo::with_files(&[
        ("server/app.js", SAFE_SERVER),
        ("config/prod.env", "DEBUG = false\nhealthcheck = /up\n"),
    ]);
    repo.branch("feature");
    repo.write("server/app.js", format!("{SAFE_SERVER}{WILDCARD_CORS}"));
    repo.write("config/prod.env", "DEBUG = true\n");
    repo.write("assets/logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\0");
    repo.commit("feature");
    repo.write("gate.toml", CONFIG);
    let config = repo.file("gate.toml");
    (repo, config)
}

/// Replaces the full commit ids of `repo` in `text` with stable names.
fn redact_ids(repo: &Repo, text: &str) -> String {
    text.replace(&repo.rev("main"), "<base>")
        .replace(&repo.rev("feature"), "<head>")
}

fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings
}

#[test]
fn human_report() {
    let (repo, config) = fixture();
    let run = repo.check(&[
        "--base", "main", "--head", "feature", "--config", &config, "--format", "human",
    ]);
    run.expect_code(1);
    assert!(
        !run.stdout.contains('\x1b'),
        "no colour when not a terminal"
    );
    snapshot_settings().bind(|| insta::assert_snapshot!("human_report", run.stdout));
}

#[test]
fn json_report() {
    let (repo, config) = fixture();
    let run = repo.check(&[
        "--base", "main", "--head", "feature", "--config", &config, "--format", "json",
    ]);
    run.expect_code(1);
    // The ids are deterministic (fixed identity and clock) but redacted so the snapshot does
    // not depend on how git serialises commits.
    let redacted = redact_ids(&repo, &run.stdout);
    snapshot_settings().bind(|| insta::assert_snapshot!("json_report", redacted));
}

#[test]
fn json_report_keeps_the_contract_fields() {
    let (repo, config) = fixture();
    let (_, report) = repo.check_json(&["--base", "main", "--config", &config]);
    assert_eq!(report["version"], 1);
    for key in ["base", "head", "findings", "skipped", "summary"] {
        assert!(report.get(key).is_some(), "missing {key}");
    }
    for finding in report["findings"].as_array().expect("findings") {
        for key in [
            "rule",
            "severity",
            "path",
            "line",
            "message",
            "snippet",
            "suppressed",
        ] {
            assert!(finding.get(key).is_some(), "finding lacks {key}: {finding}");
        }
    }
    for key in ["error", "warning", "info", "suppressed", "files_changed"] {
        assert!(report["summary"][key].is_u64(), "summary lacks {key}");
    }
}

#[test]
fn clear_report() {
    let repo = Repo::with_files(&[("a.txt", "a\n")]);
    repo.branch("feature");
    repo.commit_file("a.txt", "b\n");
    let run = repo.check(&["--base", "main"]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        "deploy-guard: clear: 0 errors, 0 warnings, 0 info\n"
    );
}
