//! Shallow clones, as CI checkouts make them (`git clone --depth 1 file://…`): the gate
//! fetches the missing base and deepens until the merge-base exists, or exits 2 with the cure.

use crate::common::{Repo, WILDCARD_CORS, outside_any_repository};

/// An origin whose `feature` branch is 70 commits past its branch point with `main` (more
/// than the first deepening step), plus a risky app.js; `main` moved on with a risky file of
/// its own. Returns the origin, main's tip and the feature tip.
fn origin() -> (Repo, String, String) {
    let origin = Repo::with_files(&[("README.md", "# app\n")]);
    origin.branch("feature");
    origin.commit_file("app.js", WILDCARD_CORS);
    for i in 0..70 {
        origin.commit(&format!("step {i}"));
    }
    let feature = origin.rev("HEAD");
    origin.switch("main");
    let main = origin.commit_file("main-only.js", WILDCARD_CORS);
    (origin, main, feature)
}

/// A depth-1 clone of `origin` checked out at `branch`.
fn shallow_clone(origin: &Repo, branch: &str) -> Repo {
    let clone = Repo::clone_of(origin, &["--depth", "1", "--branch", branch]);
    assert!(
        clone.path().join(".git/shallow").exists(),
        "the clone must be shallow"
    );
    clone
}

#[test]
fn missing_base_commit_is_fetched_and_history_deepened_until_the_check_runs() {
    let (origin, main, _) = origin();
    let clone = shallow_clone(&origin, "feature");
    let run = clone.check(&["--format", "json", "--base", &main]);
    run.expect_code(1);
    run.expect_findings_in(&["app.js"]);
}

#[test]
fn missing_remote_branch_base_is_fetched_by_name() {
    let (origin, _, _) = origin();
    let clone = shallow_clone(&origin, "feature");
    clone
        .check(&["--format", "json", "--base", "origin/main"])
        .expect_findings_in(&["app.js"]);
}

#[test]
fn pull_request_event_in_a_depth_1_checkout_of_the_merge_commit() {
    let (origin, main, feature) = origin();
    // What actions/checkout does for a pull request: one commit, the synthetic merge.
    origin.git(&["checkout", "-q", "-b", "pull-merge", &main]);
    origin.git(&["merge", "-q", "--no-ff", "-m", "merge", "feature"]);
    origin.switch("main");
    let clone = shallow_clone(&origin, "pull-merge");
    let (_events, events_dir) = outside_any_repository();
    let event = events_dir.join("event.json");
    let payload = format!(
        r#"{{"pull_request": {{"base": {{"sha": "{main}"}}, "head": {{"sha": "{feature}"}}, "labels": []}}}}"#
    );
    std::fs::write(&event, payload).expect("write event");
    let run = clone.run_with_env(
        &["check", "--format", "json"],
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("GITHUB_EVENT_PATH", event.to_str().expect("UTF-8 path")),
        ],
    );
    let report = run.expect_findings_in(&["app.js"]);
    assert_eq!(report["head"], feature.as_str());
}

#[test]
fn without_a_remote_to_deepen_from_it_exits_2_naming_fetch_depth_0() {
    let (origin, main, _) = origin();
    let clone = shallow_clone(&origin, "feature");
    clone.git(&["remote", "remove", "origin"]);
    for base in [main.as_str(), "HEAD~5"] {
        let run = clone.check(&["--base", base]);
        run.expect_code(2);
        let help = run
            .stderr
            .lines()
            .find(|l| l.trim_start().starts_with("help:"));
        assert!(
            help.is_some_and(|h| h.contains("fetch-depth: 0")),
            "{run:#?}"
        );
        run.expect_stderr("shallow");
    }
}
