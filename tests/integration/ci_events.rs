//! The range under CI comes from the provider's event: real-shaped GitHub payloads and GitLab
//! variables against a real repository cloned from a real origin.

use crate::common::{Repo, Run, WILDCARD_CORS, finding_paths, outside_any_repository};
use tempfile::TempDir;

/// Commit ids of the history every test judges:
///
/// ```text
/// main:    c1 -- c2 (shared.js, risky) -- c3 (main-only.js, risky)
///                  \
/// feature:          f1 (app.js, risky) -- f2 (other.js, risky)
/// merge:   M = c3 + f1 + merge-only.js (risky), what GitHub's refs/pull/N/merge looks like
/// ```
///
/// A correct range for the pull request judges app.js only: never shared.js (already on the
/// base), main-only.js (on the base after the branch point) or merge-only.js (synthetic).
struct History {
    origin: Repo,
    clone: Repo,
    /// Outside both repositories: where event files are written.
    events: TempDir,
    c1: String,
    c3: String,
    f1: String,
    f2: String,
    merge: String,
}

fn history() -> History {
    let origin = Repo::with_files(&[("README.md", "# app\n")]);
    let c1 = origin.rev("HEAD");
    origin.commit_file("shared.js", WILDCARD_CORS);
    origin.branch("feature");
    let f1 = origin.commit_file("app.js", WILDCARD_CORS);
    origin.switch("main");
    let c3 = origin.commit_file("main-only.js", WILDCARD_CORS);
    origin.branch("pull-merge");
    origin.git(&["merge", "-q", "--no-ff", "--no-commit", "feature"]);
    let merge = origin.commit_file("merge-only.js", WILDCARD_CORS);
    origin.switch("feature");
    let f2 = origin.commit_file("other.js", WILDCARD_CORS);
    origin.switch("main");
    let clone = Repo::clone_of(&origin, &[]);
    clone.git(&["fetch", "-q", "origin", "pull-merge", "feature"]);
    History {
        origin,
        clone,
        events: outside_any_repository().0,
        c1,
        c3,
        f1,
        f2,
        merge,
    }
}

/// Runs `check --format json` as GitHub Actions would, with `payload` as the event file and
/// the checkout at `checkout`.
fn github(h: &History, event: &str, payload: &str, checkout: &str) -> Run {
    h.clone.git(&["checkout", "-q", "--detach", checkout]);
    let path = h.events.path().join("event.json");
    std::fs::write(&path, payload).expect("write event");
    h.clone.run_with_env(
        &["check", "--format", "json"],
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", event),
            ("GITHUB_EVENT_PATH", path.to_str().expect("UTF-8 path")),
            ("GITHUB_SHA", checkout),
        ],
    )
}

/// A pull_request payload shaped like GitHub's (trimmed of fields nobody reads).
fn pull_request_payload(h: &History, labels: &[&str]) -> String {
    let labels: Vec<String> = labels
        .iter()
        .enumerate()
        .map(|(i, name)| {
            format!(
                r#"{{"id": {i}, "node_id": "LA_{i}", "url": "https://api.github.com/repos/o/r/labels/{i}", "name": "{name}", "color": "ededed", "default": false, "description": null}}"#
            )
        })
        .collect();
    format!(
        r#"{{
  "action": "synchronize",
  "number": 7,
  "before": "{c1}",
  "after": "{f1}",
  "pull_request": {{
    "url": "https://api.github.com/repos/o/r/pulls/7",
    "id": 1, "number": 7, "state": "open", "locked": false, "draft": false,
    "title": "Open CORS", "body": null,
    "user": {{"login": "dev", "id": 2, "type": "User"}},
    "labels": [{labels}],
    "merge_commit_sha": "{merge}",
    "head": {{"label": "o:feature", "ref": "feature", "sha": "{f1}", "repo": {{"full_name": "o/r"}}}},
    "base": {{"label": "o:main", "ref": "main", "sha": "{c3}", "repo": {{"full_name": "o/r", "default_branch": "main"}}}}
  }},
  "repository": {{"id": 3, "full_name": "o/r", "default_branch": "main", "private": false}},
  "sender": {{"login": "dev", "id": 2}}
}}"#,
        c1 = h.c1,
        f1 = h.f1,
        c3 = h.c3,
        merge = h.merge,
        labels = labels.join(", ")
    )
}

/// A `pull_request` event with `labels`, the checkout at the synthetic merge commit as
/// actions/checkout makes it.
fn pull_request_at_merge(h: &History, labels: &[&str]) -> Run {
    github(
        h,
        "pull_request",
        &pull_request_payload(h, labels),
        &h.merge,
    )
}

fn push_payload(before: &str, after: &str, created: bool) -> String {
    format!(
        r#"{{
  "ref": "refs/heads/feature",
  "before": "{before}",
  "after": "{after}",
  "created": {created}, "deleted": false, "forced": false,
  "base_ref": null,
  "compare": "https://github.com/o/r/compare/feature",
  "commits": [], "head_commit": {{"id": "{after}", "message": "f"}},
  "repository": {{"id": 3, "name": "r", "full_name": "o/r", "default_branch": "main", "master_branch": "main"}},
  "pusher": {{"name": "dev"}},
  "sender": {{"login": "dev", "id": 2}}
}}"#
    )
}

#[test]
fn pull_request_judges_base_to_head_never_the_synthetic_merge() {
    let h = history();
    let out = pull_request_at_merge(&h, &[]);
    out.expect_code(1);
    let report = out.expect_findings_in(&["app.js"]);
    assert_eq!(report["head"], h.f1.as_str());
    assert_ne!(report["head"], h.merge.as_str());
    out.expect_stderr("GitHub pull_request");
}

#[test]
fn pull_request_target_reads_the_same_range() {
    let h = history();
    let out = github(
        &h,
        "pull_request_target",
        &pull_request_payload(&h, &[]),
        &h.c3,
    );
    out.expect_findings_in(&["app.js"]);
}

#[test]
fn ack_label_downgrades_matching_findings_to_acknowledged() {
    let h = history();
    let labels = ["bug", "deploy-guard/ack:cors/wildcard-origin"];
    let out = pull_request_at_merge(&h, &labels);
    out.expect_code(0);
    // Still reported.
    let report = out.expect_findings_in(&["app.js"]);
    assert_eq!(
        report["findings"][0]["suppressed"],
        "acknowledged by pull request label 'deploy-guard/ack:cors/wildcard-origin'"
    );
}

#[test]
fn ack_label_for_another_category_leaves_the_gate_closed() {
    let h = history();
    let labels = ["deploy-guard/ack:image"];
    let out = pull_request_at_merge(&h, &labels);
    out.expect_code(1);
}

#[test]
fn config_comes_from_the_pull_request_base_not_its_head() {
    let h = history();
    // The head switches the rule off; the base's (absent) config is what judges it.
    h.origin.switch("feature");
    let head = h
        .origin
        .commit_file(".deploy-guard.toml", "disable = [\"cors/*\"]\n");
    h.origin.switch("main");
    h.clone.git(&["fetch", "-q", "origin", "feature"]);
    let payload = pull_request_payload(&h, &[]).replace(&h.f1, &head);
    let out = github(&h, "pull_request", &payload, &head);
    out.expect_code(1);
    assert!(
        finding_paths(&out.json()).contains(&"app.js".to_string()),
        "{out:#?}"
    );
}

#[test]
fn push_with_zero_before_judges_from_the_branch_point_with_the_default_branch() {
    let h = history();
    let out = github(
        &h,
        "push",
        &push_payload(&"0".repeat(40), &h.f1, true),
        &h.f1,
    );
    out.expect_findings_in(&["app.js"]);
    out.expect_stderr("new branch");
}

#[test]
fn push_marked_created_ignores_its_before() {
    let h = history();
    // `before` = c1 would also judge c2's shared.js; `created` means there was no branch.
    let out = github(&h, "push", &push_payload(&h.c1, &h.f1, true), &h.f1);
    out.expect_findings_in(&["app.js"]);
}

#[test]
fn push_to_an_existing_branch_judges_before_to_after() {
    let h = history();
    let out = github(&h, "push", &push_payload(&h.f1, &h.f2, false), &h.f2);
    out.expect_findings_in(&["other.js"]);
}

#[test]
fn force_push_whose_before_is_gone_falls_back_to_the_branch_point() {
    let h = history();
    let gone = "deadbeef".repeat(5);
    let out = github(&h, "push", &push_payload(&gone, &h.f2, false), &h.f2);
    out.expect_findings_in(&["app.js", "other.js"]);
    out.expect_stderr("gone");
}

#[test]
fn merge_group_judges_base_sha_to_head_sha() {
    let h = history();
    // The queue's commit is c3 + the pull request (here: the merge commit).
    let payload = format!(
        r#"{{"action": "checks_requested", "merge_group": {{"head_sha": "{m}", "head_ref": "refs/heads/gh-readonly-queue/main/pr-7-{c3}", "base_sha": "{c3}", "base_ref": "refs/heads/main", "head_commit": {{"id": "{m}"}}}}, "repository": {{"default_branch": "main"}}}}"#,
        m = h.merge,
        c3 = h.c3
    );
    let out = github(&h, "merge_group", &payload, &h.merge);
    let report = out.expect_findings_in(&["app.js", "merge-only.js"]);
    assert_eq!(report["head"], h.merge.as_str());
}

#[test]
fn events_without_a_range_use_the_local_default_base() {
    let h = history();
    let out = github(&h, "workflow_dispatch", "{\"inputs\": {}}", &h.f1);
    out.expect_findings_in(&["app.js"]);
    out.expect_stderr("GitHub workflow_dispatch");
}

#[test]
fn malformed_event_file_exits_2_naming_the_file_and_the_cure() {
    let h = history();
    let out = github(&h, "pull_request", "{\"pull_request\": ", &h.merge);
    out.expect_code(2);
    out.expect_stderr("event.json");
    out.expect_stderr("help: pass --base");
}

#[test]
fn unreadable_event_file_and_missing_fields_exit_2() {
    let h = history();
    let missing = h.clone.file("nope.json");
    let out = h.clone.run_with_env(
        &["check"],
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", "push"),
            ("GITHUB_EVENT_PATH", &missing),
        ],
    );
    out.expect_code(2);
    out.expect_stderr("nope.json");
    let out = github(&h, "pull_request", "{\"action\": \"opened\"}", &h.merge);
    out.expect_code(2);
    out.expect_stderr("without `pull_request`");
}

#[test]
fn explicit_base_wins_over_the_event() {
    let h = history();
    let out = h.clone.run_with_env(
        &[
            "check", "--format", "json", "--base", &h.f1, "--head", &h.f2,
        ],
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("GITHUB_EVENT_PATH", "/nonexistent/event.json"),
        ],
    );
    out.expect_findings_in(&["other.js"]);
}

fn gitlab(repo: &Repo, vars: &[(&str, &str)]) -> Run {
    let mut env = vec![("GITLAB_CI", "true")];
    env.extend_from_slice(vars);
    repo.run_with_env(&["check", "--format", "json"], &env)
}

#[test]
fn gitlab_merge_request_judges_diff_base_to_the_source_branch_tip() {
    let h = history();
    h.clone.git(&["checkout", "-q", "--detach", &h.merge]);
    let c2 = h.clone.rev(&format!("{}~1", h.c3));
    let out = gitlab(
        &h.clone,
        &[
            ("CI_PIPELINE_SOURCE", "merge_request_event"),
            ("CI_MERGE_REQUEST_DIFF_BASE_SHA", &c2),
            ("CI_COMMIT_SHA", &h.merge),
            ("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA", &h.f1),
        ],
    );
    let report = out.expect_findings_in(&["app.js"]);
    assert_eq!(report["head"], h.f1.as_str());
    out.expect_stderr("GitLab merge_request_event");
}

#[test]
fn gitlab_branch_pipeline_with_zero_before_uses_the_default_branch() {
    let h = history();
    h.clone.git(&["checkout", "-q", "--detach", &h.f2]);
    let out = gitlab(
        &h.clone,
        &[
            ("CI_PIPELINE_SOURCE", "push"),
            ("CI_COMMIT_SHA", &h.f2),
            ("CI_COMMIT_BEFORE_SHA", &"0".repeat(40)),
            ("CI_DEFAULT_BRANCH", "main"),
        ],
    );
    out.expect_findings_in(&["app.js", "other.js"]);
}

#[test]
fn gitlab_branch_pipeline_judges_before_to_commit() {
    let h = history();
    let out = gitlab(
        &h.clone,
        &[("CI_COMMIT_SHA", &h.f2), ("CI_COMMIT_BEFORE_SHA", &h.f1)],
    );
    out.expect_findings_in(&["other.js"]);
}
