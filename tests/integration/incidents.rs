//! The five seed incidents, each rebuilt as a real git repository from `tests/incidents/*.toml`
//! (two change fixtures each, see `deploy_guard::fixture`): the gate must block the incident's
//! change with an error in the right category, and must pass a benign look-alike of it.

use crate::common::Repo;
use deploy_guard::fixture::Fixture;
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Incident {
    title: String,
    blocked_by: String,
    change: Side,
    lookalike: Side,
}

deploy_guard::change_fixture! {
    /// One change on the incident's base: the one that shipped, or its look-alike.
    struct Side {}
}

/// Builds main from the files' `before` sides and a branch holding their `after` sides; returns
/// the gate's exit code and report.
fn judge(side: &Side, branch: &str) -> (i32, serde_json::Value) {
    let repo = Repo::new();
    let files = side.files();
    for file in &files {
        if let Some(before) = file.before {
            repo.write(file.old_path.unwrap_or(file.path), before);
        }
    }
    repo.commit("base");
    repo.branch(branch);
    for file in files.iter().filter(|f| !f.is_unchanged()) {
        let gone = file.old_path.or(file.after.is_none().then_some(file.path));
        if let Some(gone) = gone {
            std::fs::remove_file(repo.path().join(gone)).expect("file to delete exists");
        }
        if let Some(after) = file.after {
            repo.write(file.path, after);
        }
    }
    repo.commit(branch);
    let (run, report) = repo.check_json(&["--base", "main"]);
    (run.code, report)
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
        let (code, report) = judge(&incident.change, "incident");
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
        let (code, report) = judge(&incident.lookalike, "lookalike");
        assert_eq!(
            code,
            0,
            "{}: look-alike blocked: {:?}",
            incident.title,
            errors(&report)
        );
    }
}
