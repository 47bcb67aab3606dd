//! Real git repositories in temp dirs for the CI, shallow-clone and hook tests, driven with the
//! `git` command line exactly as users and CI runners drive it.
#![allow(dead_code)] // each test crate uses a different part of the fixture

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A risky line the built-in rules refuse (cors/wildcard-origin).
pub const RISKY_JS: &str = "app.use(cors({ origin: '*' }))\n";

/// The gate binary under test.
pub fn gate_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_deploy-guard"))
}

/// A `git` command in `dir`, isolated from the user's and system configuration, with a fixed
/// identity so commits can be made anywhere.
pub fn git_command(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("GIT_TERMINAL_PROMPT", "0")
        // Hooks and protocol.file.allow differ between git versions; pin what tests rely on.
        .env("GIT_CONFIG_COUNT", "1")
        .env("GIT_CONFIG_KEY_0", "protocol.file.allow")
        .env("GIT_CONFIG_VALUE_0", "always");
    cmd
}

/// Runs git in `dir` and returns its trimmed stdout; panics with git's stderr on failure.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = git_command(dir).args(args).output().expect("run git");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A new repository at `dir` with `main` as its first branch.
pub fn init(dir: &Path) {
    std::fs::create_dir_all(dir).expect("mkdir");
    git(dir, &["init", "-q", "-b", "main"]);
}

/// Writes `files` (path, content) into the working tree, commits them, returns the commit id.
pub fn commit(dir: &Path, message: &str, files: &[(&str, &str)]) -> String {
    for (path, content) in files {
        let full = dir.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(full, content).expect("write");
    }
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", message]);
    git(dir, &["rev-parse", "HEAD"])
}

/// The gate in `dir` with every CI variable the gate reads removed, so the test decides, and
/// git configuration isolated as in [`git_command`].
pub fn gate(dir: &Path) -> Command {
    let mut cmd = Command::new(gate_binary());
    cmd.current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1");
    for var in [
        "GITHUB_ACTIONS",
        "GITHUB_EVENT_NAME",
        "GITHUB_EVENT_PATH",
        "GITHUB_STEP_SUMMARY",
        "GITLAB_CI",
        "CI_MERGE_REQUEST_DIFF_BASE_SHA",
        "CI_MERGE_REQUEST_TARGET_BRANCH_SHA",
        "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA",
        "CI_COMMIT_SHA",
        "CI_COMMIT_BEFORE_SHA",
        "CI_DEFAULT_BRANCH",
        "NO_COLOR",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// stdout and stderr of a finished command, for assertion messages.
pub fn both(out: &Output) -> String {
    format!(
        "status: {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The JSON report in a command's stdout.
pub fn json_report(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}\n{}", both(out)))
}

/// Asserts that the JSON report in `out` has findings in exactly `paths`; returns the report.
#[track_caller]
pub fn assert_findings_in(out: &Output, paths: &[&str]) -> serde_json::Value {
    let report = json_report(out);
    assert_eq!(finding_paths(&report), paths, "{}", both(out));
    report
}

/// Asserts that `out`'s stderr mentions `text`.
#[track_caller]
pub fn assert_stderr_has(out: &Output, text: &str) {
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(text),
        "expected {text:?} on stderr\n{}",
        both(out)
    );
}

/// The paths of the findings in a JSON report, sorted.
pub fn finding_paths(report: &serde_json::Value) -> Vec<String> {
    let mut paths: Vec<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["path"].as_str().expect("path").to_string())
        .collect();
    paths.sort();
    paths
}
