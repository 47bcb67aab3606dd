//! Shared helpers for the integration tests: real git repositories in temp dirs, built with the
//! `git` CLI under a fixed identity and clock so commit ids are identical on every machine, and
//! the `deploy-guard` binary run inside them with the CI environment scrubbed.
//!
//! Each test crate uses a subset of these helpers, hence the `dead_code` allowance.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tempfile::TempDir;

/// The fixed clock every commit is made at, so ids are deterministic.
const DATE: &str = "2026-01-01T00:00:00+00:00";

/// Prefixes of environment variables that CI systems set and the gate reads (event ranges,
/// annotations, job summaries, pre-commit refs); removed so tests behave alike locally and in CI.
const CI_PREFIXES: &[&str] = &["CI", "GITHUB_", "GITLAB_", "RUNNER_", "PRE_COMMIT_"];

/// A git repository in a temporary directory, deleted when dropped.
pub struct Repo {
    dir: TempDir,
}

impl Repo {
    /// A fresh repository whose first branch is `main`, with no commits.
    pub fn new() -> Repo {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = Repo { dir };
        repo.git(&["-c", "init.defaultBranch=main", "init", "-q"]);
        // Older git ignores init.defaultBranch; pointing HEAD at main works everywhere.
        repo.git(&["symbolic-ref", "HEAD", "refs/heads/main"]);
        repo
    }

    /// A repository on `main` with one commit holding `files` (path, content).
    pub fn with_files(files: &[(&str, &str)]) -> Repo {
        let repo = Repo::new();
        for (path, content) in files {
            repo.write(path, content);
        }
        repo.commit("initial");
        repo
    }

    /// The working tree's root.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `git args` in the repository under the fixed identity; panics with git's stderr on
    /// failure and returns stdout, trimmed.
    pub fn git(&self, args: &[&str]) -> String {
        git_in(self.path(), args)
    }

    /// Runs `git args` like [`Repo::git`] but returns the run whatever its outcome, for git
    /// commands that are expected to fail (a push refused by a hook).
    pub fn try_git(&self, args: &[&str]) -> Run {
        Run::from_output(
            git_command(self.path())
                .args(args)
                .output()
                .expect("git runs"),
        )
    }

    /// A bare repository whose `HEAD` names `main`, to push into as a remote.
    pub fn bare() -> Repo {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = Repo { dir };
        repo.git(&["init", "-q", "--bare"]);
        repo.git(&["symbolic-ref", "HEAD", "refs/heads/main"]);
        repo
    }

    /// A clone of `origin` made the way CI checkouts make one, over a `file://` URL (so
    /// `--depth` yields a really shallow clone), with `args` such as `--depth 1 --branch x`.
    pub fn clone_of(origin: &Repo, args: &[&str]) -> Repo {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = origin.url();
        let mut clone_args = vec!["clone", "-q"];
        clone_args.extend_from_slice(args);
        clone_args.extend([url.as_str(), "."]);
        git_in(dir.path(), &clone_args);
        Repo { dir }
    }

    /// The repository's `file://` URL, for clones and remotes.
    pub fn url(&self) -> String {
        format!("file://{}", self.path().display())
    }

    /// Writes `content` to `path` (relative to the root), creating parent directories.
    pub fn write(&self, path: &str, content: impl AsRef<[u8]>) {
        let full = self.path().join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).expect("create dirs");
        }
        std::fs::write(full, content).expect("write file");
    }

    /// Stages everything and commits it; returns the new commit's id.
    pub fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.rev("HEAD")
    }

    /// Writes one file and commits it; returns the new commit's id.
    pub fn commit_file(&self, path: &str, content: &str) -> String {
        self.write(path, content);
        self.commit(&format!("change {path}"))
    }

    /// Creates branch `name` at HEAD and switches to it.
    pub fn branch(&self, name: &str) {
        self.git(&["checkout", "-q", "-b", name]);
    }

    /// Switches to an existing branch.
    pub fn switch(&self, name: &str) {
        self.git(&["checkout", "-q", name]);
    }

    /// The full id of a revision.
    pub fn rev(&self, rev: &str) -> String {
        self.git(&["rev-parse", rev])
    }

    /// The `deploy-guard` binary, run in the repository root with CI variables removed.
    pub fn cmd(&self) -> assert_cmd::Command {
        deploy_guard_in(self.path())
    }

    /// Runs `deploy-guard check args…` in the repository.
    pub fn check(&self, args: &[&str]) -> Run {
        let mut cmd = self.cmd();
        cmd.arg("check").args(args);
        Run::of(&mut cmd)
    }

    /// Runs `deploy-guard args…` in the repository with `env` set on top of the scrubbed
    /// environment, as a CI provider or a hook framework would; its output must be UTF-8.
    pub fn run_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        Run::strict(self.cmd().args(args).envs(env.iter().copied()))
    }

    /// Runs `deploy-guard check --format json args…` and parses the report.
    pub fn check_json(&self, args: &[&str]) -> (Run, serde_json::Value) {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        let run = self.check(&all);
        let json = run.json();
        (run, json)
    }

    /// Runs `deploy-guard check --format json --base HEAD --head HEAD --plan P…` (the plans
    /// alone: nothing changed) and parses the report.
    pub fn check_plans(&self, plans: &[&str]) -> (Run, serde_json::Value) {
        let mut args = vec!["--base", "HEAD", "--head", "HEAD"];
        for plan in plans {
            args.extend(["--plan", plan]);
        }
        self.check_json(&args)
    }

    /// An absolute path inside the repository, as a string for command lines.
    pub fn file(&self, path: &str) -> String {
        self.path().join(path).display().to_string()
    }
}

/// A `git` command in `dir` under the fixed identity and clock, isolated from the user's and
/// the system's git configuration.
pub fn git_command(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_AUTHOR_NAME", "Test Author")
        .env("GIT_AUTHOR_EMAIL", "author@example.com")
        .env("GIT_AUTHOR_DATE", DATE)
        .env("GIT_COMMITTER_NAME", "Test Committer")
        .env("GIT_COMMITTER_EMAIL", "committer@example.com")
        .env("GIT_COMMITTER_DATE", DATE);
    cmd
}

/// Runs `git args` in `dir` (see [`git_command`]); panics with git's stderr on failure and
/// returns stdout, trimmed.
fn git_in(dir: &Path, args: &[&str]) -> String {
    let out = git_command(dir).args(args).output().expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The binary, run in `dir` with CI variables removed and git configuration isolated as in
/// [`git_command`] (the gate runs git itself to deepen shallow clones).
pub fn deploy_guard_in(dir: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("deploy-guard");
    cmd.current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1");
    for (name, _) in std::env::vars_os() {
        let text = name.to_string_lossy();
        if text == "NO_COLOR" || CI_PREFIXES.iter().any(|p| text.starts_with(p)) {
            cmd.env_remove(&name);
        }
    }
    cmd
}

/// A directory that is not inside any git repository.
pub fn outside_any_repository() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().to_path_buf();
    (dir, path)
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Everything printed on stdout.
    pub stdout: String,
    /// Everything printed on stderr.
    pub stderr: String,
}

impl Run {
    /// Runs `cmd` to completion.
    pub fn of(cmd: &mut assert_cmd::Command) -> Run {
        Run::from_output(cmd.output().expect("deploy-guard runs"))
    }

    /// Like [`Run::of`], but panics unless stdout and stderr are valid UTF-8: for tests of
    /// output formats, where a lossy conversion could hide mangled bytes.
    pub fn strict(cmd: &mut assert_cmd::Command) -> Run {
        let out = cmd.output().expect("deploy-guard runs");
        for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert!(
                std::str::from_utf8(bytes).is_ok(),
                "{name} is not UTF-8: {out:?}"
            );
        }
        Run::from_output(out)
    }

    /// The run of any finished process (git, pre-commit), for the same assertions.
    pub fn from_output(out: Output) -> Run {
        Run {
            code: out.status.code().expect("exited, not killed"),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Asserts the process failed (any non-zero exit), showing the whole run when it did not.
    pub fn expect_failure(&self) -> &Run {
        assert_ne!(self.code, 0, "expected a failure: {self:#?}");
        self
    }

    /// Asserts that stdout is a JSON report whose findings lie in exactly `paths` (sorted, one
    /// entry per finding); returns the report.
    #[track_caller]
    pub fn expect_findings_in(&self, paths: &[&str]) -> serde_json::Value {
        let report = self.json();
        assert_eq!(finding_paths(&report), paths, "{self:#?}");
        report
    }

    /// Stdout parsed as JSON; panics with the whole run if it is not.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:#?}"))
    }

    /// Asserts the exit code, showing the whole run when it differs.
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(self.code, code, "unexpected exit code: {self:#?}");
        self
    }

    /// Asserts that the gate refused to judge: exit 2, no report, and on stderr an
    /// `error: <cause>` line starting with `cause` followed by a `  help: <cure>` line.
    pub fn expect_refusal(&self, cause: &str) -> &Run {
        self.expect_code(2);
        assert!(
            self.stdout.is_empty(),
            "no report when nothing was judged: {self:#?}"
        );
        let mut lines = self
            .stderr
            .lines()
            .skip_while(|l| !l.starts_with("error: "));
        let error = lines.next().unwrap_or_default();
        let help = lines.next().unwrap_or_default();
        assert!(
            error.starts_with(&format!("error: {cause}")) && help.starts_with("  help: "),
            "expected `error: {cause}…` and a help line: {self:#?}"
        );
        self
    }

    /// Asserts that stdout contains `text`, showing the whole run when it does not.
    pub fn expect_stdout(&self, text: &str) -> &Run {
        assert!(
            self.stdout.contains(text),
            "stdout lacks {text:?}: {self:#?}"
        );
        self
    }

    /// Asserts that stderr contains `text`, showing the whole run when it does not.
    pub fn expect_stderr(&self, text: &str) -> &Run {
        assert!(
            self.stderr.contains(text),
            "stderr lacks {text:?}: {self:#?}"
        );
        self
    }
}

/// Every finding of a JSON report as `"rule path:line"` (`"rule path"` for file-level ones),
/// in report order: compact to compare, readable when a comparison fails.
pub fn findings(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            let (rule, path) = (
                f["rule"].as_str().expect("rule"),
                f["path"].as_str().expect("path"),
            );
            match f["line"].as_u64() {
                Some(line) => format!("{rule} {path}:{line}"),
                None => format!("{rule} {path}"),
            }
        })
        .collect()
}

/// Asserts that the JSON object `found` has each of `fields` (a JSON object) with that value,
/// showing the whole object when one differs.
#[track_caller]
pub fn expect_fields(found: &serde_json::Value, fields: serde_json::Value) {
    for (key, want) in fields.as_object().expect("fields are a JSON object") {
        assert_eq!(&found[key], want, "`{key}` of {found:#}");
    }
}

/// The paths of the findings of a JSON report, sorted, one entry per finding.
pub fn finding_paths(report: &serde_json::Value) -> Vec<String> {
    let mut paths: Vec<String> = report["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| f["path"].as_str().expect("path").to_string())
        .collect();
    paths.sort();
    paths
}

/// `text` with each `(volatile, placeholder)` pair replaced in order, so snapshots do not
/// depend on git's hashing: list full commit ids before their abbreviations.
pub fn redact(text: &str, replacements: &[(&str, &str)]) -> String {
    replacements
        .iter()
        .fold(text.to_string(), |text, (volatile, placeholder)| {
            text.replace(volatile, placeholder)
        })
}

/// File names that try to break every report format: workflow command syntax, an
/// already-escaped look-alike, a newline, and Markdown/HTML punctuation.
pub const HOSTILE_NAMES: [&str; 3] = [
    "we,ird:na%me.js",
    "a%0A::error::x\nb.js",
    "pipe|`tick`_*[x](y)<b>.js",
];

/// The ids of the rules that fired, in report order.
pub fn rules_fired(report: &serde_json::Value) -> Vec<String> {
    let described = findings(report);
    described
        .iter()
        .map(|f| f.split(' ').next().unwrap_or_default().to_string())
        .collect()
}

/// The headline hazard (seed 003): CORS opened to every origin.
pub const WILDCARD_CORS: &str = "app.use(cors({ origin: '*' }));\n";

/// A server file before the hazard: CORS limited to one origin.
pub const SAFE_SERVER: &str =
    "const cors = require('cors');\napp.use(cors({ origin: ['https://app.example.com'] }));\n";

/// Whether `tool` can be run (`tool --version` starts); see [`skip_unless`] for what happens
/// when it cannot (`required_in_ci`: .ci/run installs it).
pub fn skip_unless_available(tool: &str, what: &str, required_in_ci: bool) -> bool {
    skip_unless_runs(tool, &["--version"], what, required_in_ci)
}

/// [`skip_unless_available`] for a tool that answers `tool args…` rather than `--version`
/// (`kubectl kustomize --help`).
pub fn skip_unless_runs(tool: &str, args: &[&str], what: &str, required_in_ci: bool) -> bool {
    let available = Command::new(tool)
        .args(args)
        .output()
        .is_ok_and(|out| out.status.success());
    let missing = format!("{tool} is not installed (.ci/run installs it)");
    skip_unless(available, what, &missing, required_in_ci)
}

/// Returns `available`. When it is false, says on the test process's real stderr (not
/// captured, so it shows in every run) that `what` was skipped and why (`missing`, which says
/// how to get it); something `required_in_ci` must be there under `CI=true`, so its absence
/// then fails the test instead of passing it quietly.
pub fn skip_unless(available: bool, what: &str, missing: &str, required_in_ci: bool) -> bool {
    use std::io::Write;
    if available {
        return true;
    }
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
    assert!(
        !(required_in_ci && in_ci),
        "CI=true needs {what}, but {missing}"
    );
    let _ = writeln!(std::io::stderr(), "SKIPPED: {what}: {missing}");
    false
}
