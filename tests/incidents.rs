//! The five seed incidents, each rebuilt as a real git repository from `tests/incidents/*.toml`:
//! the gate must block the incident's change with an error in the right category, and must pass
//! a benign look-alike of it.

use assert_cmd::Command;
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Incident {
    title: String,
    blocked_by: String,
    base: Vec<Edit>,
    change: Vec<Edit>,
    lookalike: Vec<Edit>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Edit {
    path: String,
    content: Option<String>,
    #[serde(default)]
    delete: bool,
}

fn git(dir: &Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .args([
            "-c",
            "user.name=dg",
            "-c",
            "user.email=dg@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_DATE", "2024-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z")
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?} failed");
}

fn apply(dir: &Path, edits: &[Edit]) {
    for edit in edits {
        let path = dir.join(&edit.path);
        if edit.delete {
            std::fs::remove_file(&path).expect("file to delete exists");
            continue;
        }
        std::fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
        let content = edit.content.as_deref().expect("content or delete");
        std::fs::write(&path, content.trim_start_matches('\n')).expect("write");
    }
}

/// Builds main from `base` and a branch from `edits`; returns the gate's exit code and report.
fn judge(incident: &Incident, edits: &[Edit], branch: &str) -> (i32, serde_json::Value) {
    let dir = tempfile::tempdir().expect("tempdir");
    git(dir.path(), &["init", "-q", "-b", "main"]);
    apply(dir.path(), &incident.base);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "base"]);
    git(dir.path(), &["checkout", "-q", "-b", branch]);
    apply(dir.path(), edits);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", branch]);
    let out = Command::cargo_bin("deploy-guard")
        .expect("binary")
        .args(["check", "--base", "main", "--format", "json"])
        .current_dir(dir.path())
        .output()
        .expect("runs");
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: not JSON ({e}): {}",
            incident.title,
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), report)
}

fn errors(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["severity"] == "error" && f["suppressed"].is_null())
        .map(|f| {
            format!(
                "{} {}:{}",
                f["rule"].as_str().unwrap_or("?"),
                f["path"],
                f["line"]
            )
        })
        .collect()
}

#[test]
fn every_seed_incident_is_blocked_and_its_lookalike_passes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/incidents");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/incidents exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 5, "one file per seed incident");
    for file in files {
        let incident: Incident =
            toml::from_str(&std::fs::read_to_string(&file).expect("read")).expect("valid incident");
        let (code, report) = judge(&incident, &incident.change, "incident");
        let blocking = errors(&report);
        assert_eq!(
            code, 1,
            "{}: not blocked; findings: {}",
            incident.title, report["findings"]
        );
        let prefix = format!("{}/", incident.blocked_by);
        assert!(
            blocking.iter().any(|e| e.starts_with(&prefix)),
            "{}: blocked, but not by {}: {blocking:?}",
            incident.title,
            incident.blocked_by
        );
        let (code, report) = judge(&incident, &incident.lookalike, "lookalike");
        assert_eq!(
            code,
            0,
            "{}: look-alike blocked: {:?}",
            incident.title,
            errors(&report)
        );
    }
}
