//! The pre-push hook end to end: `deploy-guard hook install` in a real clone, then real
//! `git push`es into a local bare repository go through it.

mod git_fixture;

use git_fixture::{RISKY_JS, assert_stderr_has, both, commit, gate, git, git_command, init};
use std::path::{Path, PathBuf};
use std::process::Output;
use tempfile::TempDir;

/// A working repository `work` whose `origin` is the bare `remote.git`, with one clean commit
/// on `main` already pushed (before any hook is installed).
struct Setup {
    _tmp: TempDir,
    work: PathBuf,
    remote: PathBuf,
}

fn setup() -> Setup {
    let tmp = TempDir::new().expect("tempdir");
    let remote = tmp.path().join("remote.git");
    git(
        tmp.path(),
        &["init", "-q", "--bare", "-b", "main", "remote.git"],
    );
    let work = tmp.path().join("work");
    init(&work);
    commit(&work, "c1", &[("README.md", "# app\n")]);
    git(
        &work,
        &["remote", "add", "origin", &remote.display().to_string()],
    );
    git(&work, &["push", "-q", "-u", "origin", "main"]);
    Setup {
        _tmp: tmp,
        work,
        remote,
    }
}

fn hook(dir: &Path, args: &[&str]) -> Output {
    gate(dir).arg("hook").args(args).output().expect("run gate")
}

fn install(dir: &Path) -> Output {
    let out = hook(dir, &["install"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    out
}

fn push(dir: &Path, args: &[&str]) -> Output {
    git_command(dir)
        .arg("push")
        .args(args)
        .output()
        .expect("run git push")
}

fn remote_ref(s: &Setup, name: &str) -> Option<String> {
    let out = git_command(&s.remote)
        .args(["rev-parse", "--verify", "-q", name])
        .output()
        .expect("rev-parse");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn hooks_dir(s: &Setup) -> PathBuf {
    s.work.join(".git").join("hooks")
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

#[test]
fn new_branch_with_clean_commits_is_judged_and_pushed() {
    let s = setup();
    install(&s.work);
    git(&s.work, &["checkout", "-q", "-b", "topic"]);
    let tip = commit(&s.work, "notes", &[("notes.txt", "plain\n")]);
    let out = push(&s.work, &["origin", "topic"]);
    assert!(out.status.success(), "{}", both(&out));
    assert_stderr_has(
        &out,
        "checking push to origin refs/heads/topic (commits not on origin)",
    );
    assert_eq!(remote_ref(&s, "topic").as_deref(), Some(tip.as_str()));
}

#[test]
fn update_with_clean_commits_is_judged_and_pushed() {
    let s = setup();
    install(&s.work);
    let tip = commit(&s.work, "more", &[("notes.txt", "plain\n")]);
    let out = push(&s.work, &["origin", "main"]);
    assert!(out.status.success(), "{}", both(&out));
    assert_stderr_has(&out, "checking push to origin refs/heads/main (");
    assert_eq!(remote_ref(&s, "main").as_deref(), Some(tip.as_str()));
}

#[test]
fn risky_commit_is_refused_with_the_report_and_the_deliberate_bypass() {
    let s = setup();
    install(&s.work);
    let before = remote_ref(&s, "main");
    commit(&s.work, "open cors", &[("server/app.js", RISKY_JS)]);
    let out = push(&s.work, &["origin", "main"]);
    assert!(!out.status.success(), "{}", both(&out));
    for expected in [
        "cors/wildcard-origin",
        "server/app.js",
        "git push --no-verify",
    ] {
        assert_stderr_has(&out, expected);
    }
    assert_eq!(remote_ref(&s, "main"), before, "the remote must not move");

    let out = push(&s.work, &["--no-verify", "origin", "main"]);
    assert!(out.status.success(), "{}", both(&out));
}

#[test]
fn risky_commit_on_a_new_branch_is_refused() {
    let s = setup();
    install(&s.work);
    git(&s.work, &["checkout", "-q", "-b", "topic"]);
    commit(&s.work, "open cors", &[("app.js", RISKY_JS)]);
    commit(&s.work, "unrelated", &[("notes.txt", "plain\n")]);
    let out = push(&s.work, &["origin", "topic"]);
    assert!(!out.status.success(), "{}", both(&out));
    assert_eq!(remote_ref(&s, "topic"), None);
}

#[test]
fn new_branch_of_commits_already_on_the_remote_is_not_judged() {
    let s = setup();
    // History the remote already has, including a risky commit pushed deliberately.
    commit(&s.work, "open cors", &[("app.js", RISKY_JS)]);
    git(&s.work, &["push", "-q", "origin", "main"]);
    install(&s.work);
    let out = push(&s.work, &["origin", "main:refs/heads/copy"]);
    assert!(out.status.success(), "{}", both(&out));
    assert_stderr_has(&out, "already on origin");
}

#[test]
fn branch_deletion_is_allowed() {
    let s = setup();
    git(&s.work, &["checkout", "-q", "-b", "topic"]);
    commit(&s.work, "open cors", &[("app.js", RISKY_JS)]);
    git(&s.work, &["push", "-q", "origin", "topic"]);
    install(&s.work);
    let out = push(&s.work, &["origin", "--delete", "topic"]);
    assert!(out.status.success(), "{}", both(&out));
    assert_stderr_has(&out, "deletion");
    assert_eq!(remote_ref(&s, "topic"), None);
}

#[test]
fn configuration_comes_from_the_remote_side() {
    let s = setup();
    install(&s.work);
    commit(
        &s.work,
        "switch the rule off and open cors",
        &[
            (".deploy-guard.toml", "disable = [\"cors/*\"]\n"),
            ("app.js", RISKY_JS),
        ],
    );
    let out = push(&s.work, &["origin", "main"]);
    assert!(!out.status.success(), "{}", both(&out));
}

#[test]
fn first_push_into_an_empty_remote_judges_the_whole_history() {
    let tmp = TempDir::new().expect("tempdir");
    git(
        tmp.path(),
        &["init", "-q", "--bare", "-b", "main", "empty.git"],
    );
    let work = tmp.path().join("work");
    init(&work);
    commit(&work, "c1", &[("app.js", RISKY_JS)]);
    commit(&work, "c2", &[("README.md", "# app\n")]);
    let url = tmp.path().join("empty.git").display().to_string();
    git(&work, &["remote", "add", "origin", &url]);
    install(&work);
    let out = push(&work, &["origin", "main"]);
    assert!(!out.status.success(), "{}", both(&out));
    assert_stderr_has(&out, "empty tree");
}

#[test]
fn existing_hook_is_kept_chained_and_can_still_refuse() {
    let s = setup();
    let log = s.work.join("..").join("foreign.log");
    let original = foreign_hook(&log, 0);
    write_executable(&hooks_dir(&s).join("pre-push"), &original);
    let out = install(&s.work);
    assert_stderr_has(&out, "pre-push.local");
    let kept = std::fs::read_to_string(hooks_dir(&s).join("pre-push.local")).expect("kept");
    assert_eq!(kept, original);

    let tip = commit(&s.work, "more", &[("notes.txt", "plain\n")]);
    let out = push(&s.work, &["origin", "main"]);
    assert!(out.status.success(), "{}", both(&out));
    let logged = std::fs::read_to_string(&log).expect("the chained hook ran");
    let remote = s.remote.display().to_string();
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
    commit(&s.work, "again", &[("notes.txt", "plainer\n")]);
    let out = push(&s.work, &["origin", "main"]);
    assert!(!out.status.success(), "{}", both(&out));
}

#[test]
fn core_hooks_path_is_honoured() {
    let s = setup();
    git(&s.work, &["config", "core.hooksPath", "team-hooks"]);
    install(&s.work);
    assert!(s.work.join("team-hooks").join("pre-push").exists());
    assert!(!hooks_dir(&s).join("pre-push").exists());
    commit(&s.work, "open cors", &[("app.js", RISKY_JS)]);
    let out = push(&s.work, &["origin", "main"]);
    assert!(!out.status.success(), "{}", both(&out));
    assert_stderr_has(&out, "cors/wildcard-origin");
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
    assert_stderr_has(&out, "already installed");
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
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert_eq!(
        std::fs::read_to_string(&hook_path).expect("restored"),
        original
    );
    assert!(!hooks_dir(&s).join("pre-push.local").exists());

    let out = hook(&s.work, &["uninstall"]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert_stderr_has(&out, "not deploy-guard's");
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
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let text = std::fs::read_to_string(&hook_path).expect("hook");
    assert!(text.contains("# managed-by: deploy-guard"), "{text}");
    assert!(!hooks_dir(&s).join("pre-push.local").exists());
    commit(&s.work, "more", &[("notes.txt", "plain\n")]);
    let out = push(&s.work, &["origin", "main"]);
    assert!(out.status.success(), "{}", both(&out));
}

#[test]
fn pre_commit_framework_mode_judges_from_ref_to_to_ref() {
    let s = setup();
    let from = git(&s.work, &["rev-parse", "HEAD"]);
    let to = commit(&s.work, "open cors", &[("app.js", RISKY_JS)]);
    let run = |from: &str| {
        gate(&s.work)
            .args(["hook", "pre-commit"])
            .env("PRE_COMMIT_FROM_REF", from)
            .env("PRE_COMMIT_TO_REF", &to)
            .env("PRE_COMMIT_REMOTE_NAME", "origin")
            .env("PRE_COMMIT_REMOTE_BRANCH", "refs/heads/main")
            .output()
            .expect("run gate")
    };
    let out = run(&from);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert_stderr_has(&out, "cors/wildcard-origin");
    let out = run(&to);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));

    let out = gate(&s.work)
        .args(["hook", "pre-commit"])
        .env_remove("PRE_COMMIT_FROM_REF")
        .env_remove("PRE_COMMIT_TO_REF")
        .env_remove("PRE_COMMIT_REMOTE_NAME")
        .output()
        .expect("run gate");
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert_stderr_has(&out, "pre-push");
}

#[test]
fn pre_commit_manifest_is_valid() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml");
    assert!(manifest.exists());
    let Ok(out) = std::process::Command::new("pre-commit")
        .args(["validate-manifest"])
        .arg(&manifest)
        .output()
    else {
        println!("note: pre-commit is not on PATH; `pre-commit validate-manifest` skipped");
        return;
    };
    assert!(out.status.success(), "{}", both(&out));
}

/// The real pre-commit framework, fed this repository's manifest, runs the gate on a range.
#[test]
fn pre_commit_framework_runs_the_hook_from_this_repository() {
    let Ok(version) = std::process::Command::new("pre-commit")
        .arg("--version")
        .output()
    else {
        println!("note: pre-commit is not on PATH; the pre-commit try-repo run is skipped");
        return;
    };
    assert!(version.status.success());
    let s = setup();
    let from = git(&s.work, &["rev-parse", "HEAD"]);
    let to = commit(&s.work, "open cors", &[("app.js", RISKY_JS)]);
    let bin_dir = git_fixture::gate_binary()
        .parent()
        .expect("bin dir")
        .to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .expect("PATH");
    let out = std::process::Command::new("pre-commit")
        .current_dir(&s.work)
        .env("PATH", path)
        .env("PRE_COMMIT_HOME", s.work.join("..").join("pre-commit-home"))
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
    assert!(!out.status.success(), "{}", both(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("cors/wildcard-origin") && stdout.contains("app.js"),
        "{}",
        both(&out)
    );
}
