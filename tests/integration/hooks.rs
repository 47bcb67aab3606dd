//! The pre-push hook end to end: `deploy-guard hook install` in a real clone, then real
//! `git push`es into a local bare repository go through it.

use crate::common::{Repo, Run, WILDCARD_CORS, outside_any_repository, skip_unless_available};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// A working repository `work` whose `origin` is the bare `remote`, with one clean commit on
/// `main` already pushed (before any hook is installed), and a scratch directory outside both.
pub(crate) struct Setup {
    pub(crate) work: Repo,
    remote: Repo,
    scratch: TempDir,
}

pub(crate) fn setup() -> Setup {
    let remote = Repo::bare();
    let work = Repo::with_files(&[("README.md", "# app\n")]);
    work.git(&[
        "remote",
        "add",
        "origin",
        &remote.path().display().to_string(),
    ]);
    work.git(&["push", "-q", "-u", "origin", "main"]);
    Setup {
        work,
        remote,
        scratch: outside_any_repository().0,
    }
}

/// `deploy-guard hook args…` in `repo`.
fn hook(repo: &Repo, args: &[&str]) -> Run {
    Run::of(repo.cmd().arg("hook").args(args))
}

pub(crate) fn install(repo: &Repo) -> Run {
    let out = hook(repo, &["install"]);
    out.expect_code(0);
    out
}

pub(crate) fn push(repo: &Repo, args: &[&str]) -> Run {
    let mut all = vec!["push"];
    all.extend_from_slice(args);
    repo.try_git(&all)
}

fn remote_ref(s: &Setup, name: &str) -> Option<String> {
    let out = s.remote.try_git(&["rev-parse", "--verify", "-q", name]);
    (out.code == 0).then(|| out.stdout.trim().to_string())
}

fn hooks_dir(s: &Setup) -> PathBuf {
    s.work.path().join(".git").join("hooks")
}

/// A foreign pre-push hook that logs its arguments and stdin and exits with `code`.
fn foreign_hook(log: &Path, code: i32) -> String {
    format!(
        "#!/bin/sh\necho \"args: $*\" >> '{log}'\ncat >> '{log}'\nexit {code}\n",
        log = log.display()
    )
}

fn write_executable(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write hook");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
}

/// Commits a clean file on the current branch, pushes `branch` to origin, and asserts the
/// hook announced `judged` on stderr and let the commit land.
fn assert_clean_push_lands(s: &Setup, branch: &str, judged: &str) {
    let tip = s.work.commit_file("notes.txt", "plain\n");
    let out = push(&s.work, &["origin", branch]);
    out.expect_code(0);
    out.expect_stderr(judged);
    assert_eq!(remote_ref(s, branch).as_deref(), Some(tip.as_str()));
}

#[test]
fn new_branch_with_clean_commits_is_judged_and_pushed() {
    let s = setup();
    install(&s.work);
    s.work.branch("topic");
    assert_clean_push_lands(
        &s,
        "topic",
        "checking push to origin refs/heads/topic (commits on neither that branch nor origin's default branch)",
    );
}

#[test]
fn update_with_clean_commits_is_judged_and_pushed() {
    let s = setup();
    install(&s.work);
    assert_clean_push_lands(&s, "main", "checking push to origin refs/heads/main (");
}

#[test]
fn risky_commit_is_refused_with_the_report_and_the_deliberate_bypass() {
    let s = setup();
    install(&s.work);
    let before = remote_ref(&s, "main");
    s.work.commit_file("server/app.js", WILDCARD_CORS);
    let out = push(&s.work, &["origin", "main"]);
    out.expect_failure();
    for expected in [
        "cors/wildcard-origin",
        "server/app.js",
        "git push --no-verify",
    ] {
        out.expect_stderr(expected);
    }
    assert_eq!(remote_ref(&s, "main"), before, "the remote must not move");

    let out = push(&s.work, &["--no-verify", "origin", "main"]);
    out.expect_code(0);
}

#[test]
fn risky_commit_on_a_new_branch_is_refused() {
    let s = setup();
    install(&s.work);
    s.work.branch("topic");
    s.work.commit_file("app.js", WILDCARD_CORS);
    s.work.commit_file("notes.txt", "plain\n");
    let out = push(&s.work, &["origin", "topic"]);
    out.expect_failure();
    assert_eq!(remote_ref(&s, "topic"), None);
}

#[test]
fn new_branch_of_commits_already_on_the_remote_is_not_judged() {
    let s = setup();
    // History the remote already has, including a risky commit pushed deliberately.
    s.work.commit_file("app.js", WILDCARD_CORS);
    s.work.git(&["push", "-q", "origin", "main"]);
    install(&s.work);
    let out = push(&s.work, &["origin", "main:refs/heads/copy"]);
    out.expect_code(0);
    out.expect_stderr("already on origin");
}

/// [`setup`], then a risky commit pushed to a feature branch of the remote (never merged).
fn risky_feature_branch_on_the_remote() -> Setup {
    let s = setup();
    s.work.branch("feature");
    s.work.commit_file("server/app.js", WILDCARD_CORS);
    s.work.git(&["push", "-q", "origin", "feature"]);
    s
}

#[test]
fn a_commit_only_on_another_remote_branch_is_judged() {
    let s = risky_feature_branch_on_the_remote();
    install(&s.work);
    // A new branch grown from it: the risky commit is not on the branch this push creates.
    s.work.branch("topic");
    s.work.commit_file("notes.txt", "plain\n");
    let out = push(&s.work, &["origin", "topic"]);
    out.expect_failure();
    out.expect_stderr("cors/wildcard-origin");
    assert_eq!(remote_ref(&s, "topic"), None);
}

#[test]
fn a_force_push_over_an_unknown_commit_is_judged_against_the_default_branch() {
    let s = risky_feature_branch_on_the_remote();
    // Someone else pushed `topic`; this clone never fetched it.
    let other = Repo::clone_of(&s.remote, &[]);
    other.branch("topic");
    other.commit_file("theirs.txt", "theirs\n");
    other.git(&["push", "-q", "origin", "topic"]);
    install(&s.work);
    s.work.branch("topic");
    s.work.commit_file("notes.txt", "plain\n");
    let out = push(&s.work, &["--force", "origin", "topic"]);
    out.expect_failure();
    out.expect_stderr("cors/wildcard-origin");
}

#[test]
fn branch_deletion_is_allowed() {
    let s = setup();
    s.work.branch("topic");
    s.work.commit_file("app.js", WILDCARD_CORS);
    s.work.git(&["push", "-q", "origin", "topic"]);
    install(&s.work);
    let out = push(&s.work, &["origin", "--delete", "topic"]);
    out.expect_code(0);
    out.expect_stderr("deletion");
    assert_eq!(remote_ref(&s, "topic"), None);
}

#[test]
fn configuration_comes_from_the_remote_side() {
    let s = setup();
    install(&s.work);
    s.work
        .write(".deploy-guard.toml", "disable = [\"cors/*\"]\n");
    s.work.write("app.js", WILDCARD_CORS);
    s.work.commit("switch the rule off and open cors");
    let out = push(&s.work, &["origin", "main"]);
    out.expect_failure();
}

#[test]
fn first_push_into_an_empty_remote_judges_the_whole_history() {
    let empty = Repo::bare();
    let work = Repo::with_files(&[("app.js", WILDCARD_CORS)]);
    work.commit_file("README.md", "# app\n");
    let url = empty.path().display().to_string();
    work.git(&["remote", "add", "origin", &url]);
    install(&work);
    let out = push(&work, &["origin", "main"]);
    out.expect_failure();
    out.expect_stderr("empty tree");
}

#[test]
fn existing_hook_is_kept_chained_and_can_still_refuse() {
    let s = setup();
    let log = s.scratch.path().join("foreign.log");
    let original = foreign_hook(&log, 0);
    write_executable(&hooks_dir(&s).join("pre-push"), &original);
    let out = install(&s.work);
    out.expect_stderr("pre-push.local");
    let kept = std::fs::read_to_string(hooks_dir(&s).join("pre-push.local")).expect("kept");
    assert_eq!(kept, original);

    let tip = s.work.commit_file("notes.txt", "plain\n");
    let out = push(&s.work, &["origin", "main"]);
    out.expect_code(0);
    let logged = std::fs::read_to_string(&log).expect("the chained hook ran");
    let remote = s.remote.path().display().to_string();
    assert!(
        logged.contains(&format!("args: origin {remote}")),
        "{logged}"
    );
    assert!(
        logged.contains(&format!("refs/heads/main {tip} refs/heads/main")),
        "{logged}"
    );

    // The chained hook refusing refuses the push, even when deploy-guard would pass it.
    write_executable(
        &hooks_dir(&s).join("pre-push.local"),
        &foreign_hook(&log, 1),
    );
    s.work.commit_file("notes.txt", "plainer\n");
    let out = push(&s.work, &["origin", "main"]);
    out.expect_failure();
}

#[test]
fn core_hooks_path_is_honoured() {
    let s = setup();
    s.work.git(&["config", "core.hooksPath", "team-hooks"]);
    install(&s.work);
    assert!(s.work.path().join("team-hooks").join("pre-push").exists());
    assert!(!hooks_dir(&s).join("pre-push").exists());
    s.work.commit_file("app.js", WILDCARD_CORS);
    let out = push(&s.work, &["origin", "main"]);
    out.expect_failure();
    out.expect_stderr("cors/wildcard-origin");
}

#[test]
fn install_is_idempotent() {
    let s = setup();
    write_executable(
        &hooks_dir(&s).join("pre-push"),
        &foreign_hook(Path::new("/dev/null"), 0),
    );
    install(&s.work);
    let snapshot = |dir: &Path| {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("hooks dir")
            .map(|e| {
                let e = e.expect("entry");
                let meta = e.metadata().expect("metadata");
                (e.file_name(), meta.len(), meta.modified().expect("mtime"))
            })
            .collect();
        entries.sort();
        entries
    };
    let first = snapshot(&hooks_dir(&s));
    let content = std::fs::read(hooks_dir(&s).join("pre-push")).expect("hook");
    let out = install(&s.work);
    out.expect_stderr("already installed");
    assert_eq!(snapshot(&hooks_dir(&s)), first);
    assert_eq!(
        std::fs::read(hooks_dir(&s).join("pre-push")).expect("hook"),
        content
    );
}

#[test]
fn uninstall_restores_the_chained_hook_and_leaves_foreign_hooks_alone() {
    let s = setup();
    let original = foreign_hook(Path::new("/dev/null"), 0);
    let hook_path = hooks_dir(&s).join("pre-push");
    write_executable(&hook_path, &original);
    install(&s.work);
    let out = hook(&s.work, &["uninstall"]);
    out.expect_code(0);
    assert_eq!(
        std::fs::read_to_string(&hook_path).expect("restored"),
        original
    );
    assert!(!hooks_dir(&s).join("pre-push.local").exists());

    let out = hook(&s.work, &["uninstall"]);
    out.expect_code(2);
    out.expect_stderr("not deploy-guard's");
    assert_eq!(
        std::fs::read_to_string(&hook_path).expect("untouched"),
        original
    );
}

#[test]
fn force_replaces_a_foreign_hook_without_chaining() {
    let s = setup();
    let hook_path = hooks_dir(&s).join("pre-push");
    write_executable(&hook_path, &foreign_hook(Path::new("/dev/null"), 1));
    let out = hook(&s.work, &["install", "--force"]);
    out.expect_code(0);
    let text = std::fs::read_to_string(&hook_path).expect("hook");
    assert!(text.contains("# managed-by: deploy-guard"), "{text}");
    assert!(!hooks_dir(&s).join("pre-push.local").exists());
    s.work.commit_file("notes.txt", "plain\n");
    let out = push(&s.work, &["origin", "main"]);
    out.expect_code(0);
}

#[test]
fn pre_commit_framework_mode_judges_from_ref_to_to_ref() {
    let s = setup();
    let from = s.work.rev("HEAD");
    let to = s.work.commit_file("app.js", WILDCARD_CORS);
    let run = |from: &str| {
        s.work.run_with_env(
            &["hook", "pre-commit"],
            &[
                ("PRE_COMMIT_FROM_REF", from),
                ("PRE_COMMIT_TO_REF", &to),
                ("PRE_COMMIT_REMOTE_NAME", "origin"),
                ("PRE_COMMIT_REMOTE_BRANCH", "refs/heads/main"),
            ],
        )
    };
    let out = run(&from);
    out.expect_code(1);
    out.expect_stderr("cors/wildcard-origin");
    let out = run(&to);
    out.expect_code(0);

    let out = Run::of(
        s.work
            .cmd()
            .args(["hook", "pre-commit"])
            .env_remove("PRE_COMMIT_FROM_REF")
            .env_remove("PRE_COMMIT_TO_REF")
            .env_remove("PRE_COMMIT_REMOTE_NAME"),
    );
    out.expect_code(2);
    out.expect_stderr("pre-push");
}

#[test]
fn pre_commit_manifest_is_valid() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml");
    assert!(manifest.exists());
    if !skip_unless_available("pre-commit", "`pre-commit validate-manifest`", true) {
        return;
    }
    let out = std::process::Command::new("pre-commit")
        .args(["validate-manifest"])
        .arg(&manifest)
        .output()
        .expect("run pre-commit");
    Run::from_output(out).expect_code(0);
}

/// The real pre-commit framework, fed this repository's manifest, runs the gate on a range.
#[test]
fn pre_commit_framework_runs_the_hook_from_this_repository() {
    if !skip_unless_available("pre-commit", "the pre-commit try-repo run", true) {
        return;
    }
    let s = setup();
    let from = s.work.rev("HEAD");
    let to = s.work.commit_file("app.js", WILDCARD_CORS);
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_deploy-guard"))
        .parent()
        .expect("bin dir")
        .to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .expect("PATH");
    let out = std::process::Command::new("pre-commit")
        .current_dir(s.work.path())
        .env("PATH", path)
        .env("PRE_COMMIT_HOME", s.scratch.path().join("pre-commit-home"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args([
            "try-repo",
            env!("CARGO_MANIFEST_DIR"),
            "deploy-guard-system",
        ])
        .args([
            "--hook-stage",
            "pre-push",
            "--from-ref",
            &from,
            "--to-ref",
            &to,
        ])
        .output()
        .expect("run pre-commit");
    let out = Run::from_output(out);
    out.expect_failure();
    assert!(
        out.stdout.contains("cors/wildcard-origin") && out.stdout.contains("app.js"),
        "{out:#?}"
    );
}
