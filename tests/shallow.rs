//! Shallow clones, as CI checkouts make them (`git clone --depth 1 file://…`): the gate
//! fetches the missing base and deepens until the merge-base exists, or exits 2 with the cure.

mod git_fixture;

use git_fixture::{RISKY_JS, assert_findings_in, assert_stderr_has, both, commit, gate, git, init};
use std::path::{Path, PathBuf};
use std::process::Output;
use tempfile::TempDir;

/// An origin whose `feature` branch is 70 commits past its branch point with `main` (more
/// than the first deepening step), plus a risky app.js; `main` moved on with a risky file of
/// its own. Returns the temp dir, the origin, main's tip and the feature tip.
fn origin() -> (TempDir, PathBuf, String, String) {
    let tmp = TempDir::new().expect("tempdir");
    let origin = tmp.path().join("origin");
    init(&origin);
    commit(&origin, "c1", &[("README.md", "# app\n")]);
    git(&origin, &["checkout", "-q", "-b", "feature"]);
    commit(&origin, "risky", &[("app.js", RISKY_JS)]);
    for i in 0..70 {
        git(
            &origin,
            &["commit", "-q", "--allow-empty", "-m", &format!("step {i}")],
        );
    }
    let feature = git(&origin, &["rev-parse", "HEAD"]);
    git(&origin, &["checkout", "-q", "main"]);
    let main = commit(&origin, "main moves on", &[("main-only.js", RISKY_JS)]);
    (tmp, origin, main, feature)
}

fn shallow_clone(tmp: &TempDir, origin: &Path, branch: &str) -> PathBuf {
    let url = format!("file://{}", origin.display());
    git(
        tmp.path(),
        &[
            "clone", "-q", "--depth", "1", "--branch", branch, &url, "shallow",
        ],
    );
    let clone = tmp.path().join("shallow");
    assert!(
        clone.join(".git/shallow").exists(),
        "the clone must be shallow"
    );
    clone
}

/// `deploy-guard check --format json --base <base>` in `clone`.
fn check_with_base(clone: &Path, base: &str) -> Output {
    gate(clone)
        .args(["check", "--format", "json", "--base", base])
        .output()
        .expect("run gate")
}

#[test]
fn missing_base_commit_is_fetched_and_history_deepened_until_the_check_runs() {
    let (tmp, origin, main, _) = origin();
    let clone = shallow_clone(&tmp, &origin, "feature");
    let out = check_with_base(&clone, &main);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert_findings_in(&out, &["app.js"]);
}

#[test]
fn missing_remote_branch_base_is_fetched_by_name() {
    let (tmp, origin, _, _) = origin();
    let clone = shallow_clone(&tmp, &origin, "feature");
    let out = check_with_base(&clone, "origin/main");
    assert_findings_in(&out, &["app.js"]);
}

#[test]
fn pull_request_event_in_a_depth_1_checkout_of_the_merge_commit() {
    let (tmp, origin, main, feature) = origin();
    // What actions/checkout does for a pull request: one commit, the synthetic merge.
    git(&origin, &["checkout", "-q", "-b", "pull-merge", &main]);
    git(
        &origin,
        &["merge", "-q", "--no-ff", "-m", "merge", "feature"],
    );
    git(&origin, &["checkout", "-q", "main"]);
    let clone = shallow_clone(&tmp, &origin, "pull-merge");
    let event = tmp.path().join("event.json");
    let payload = format!(
        r#"{{"pull_request": {{"base": {{"sha": "{main}"}}, "head": {{"sha": "{feature}"}}, "labels": []}}}}"#
    );
    std::fs::write(&event, payload).expect("write event");
    let out = gate(&clone)
        .args(["check", "--format", "json"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &event)
        .output()
        .expect("run gate");
    let report = assert_findings_in(&out, &["app.js"]);
    assert_eq!(report["head"], feature.as_str());
}

#[test]
fn without_a_remote_to_deepen_from_it_exits_2_naming_fetch_depth_0() {
    let (tmp, origin, main, _) = origin();
    let clone = shallow_clone(&tmp, &origin, "feature");
    git(&clone, &["remote", "remove", "origin"]);
    for base in [main.as_str(), "HEAD~5"] {
        let out = gate(&clone)
            .args(["check", "--base", base])
            .output()
            .expect("run gate");
        assert_eq!(out.status.code(), Some(2), "{}", both(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        let help = stderr.lines().find(|l| l.trim_start().starts_with("help:"));
        assert!(
            help.is_some_and(|h| h.contains("fetch-depth: 0")),
            "{}",
            both(&out)
        );
        assert_stderr_has(&out, "shallow");
    }
}
