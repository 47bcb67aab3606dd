//! How much `check` says and how: `-q`, `-v`, `--color` with NO_COLOR / FORCE_COLOR /
//! CLICOLOR_FORCE, and the verdict under `--fail-on never` in every format.

use crate::common::{Repo, Run, WILDCARD_CORS};

/// `topic` opens CORS to every origin and adds a binary file.
fn repo() -> Repo {
    let repo = Repo::with_files(&[("README.md", "# app\n")]);
    repo.branch("topic");
    repo.write("server/app.js", WILDCARD_CORS);
    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\0\0\0binary");
    repo.commit("topic");
    repo
}

fn check(repo: &Repo, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut all = vec!["check", "--base", "main"];
    all.extend_from_slice(args);
    repo.run_with_env(&all, env)
}

#[test]
fn quiet_prints_the_verdict_and_findings_only() {
    let repo = repo();
    let normal = check(&repo, &[], &[]);
    normal.expect_code(1);
    normal.expect_stderr("deploy-guard: checking main...HEAD");
    normal.expect_stdout("skipped logo.png (binary)");
    let quiet = check(&repo, &["-q"], &[]);
    quiet.expect_code(1);
    assert_eq!(quiet.stderr, "", "no range line, no notes");
    assert!(
        quiet.stdout.starts_with("deploy-guard: blocked: 1 error"),
        "{}",
        quiet.stdout
    );
    quiet.expect_stdout("cors/wildcard-origin");
    assert!(!quiet.stdout.contains("skipped"), "{}", quiet.stdout);
    // Warnings still show.
    let warned = check(&repo, &["--quiet", "--disable", "nothing/*"], &[]);
    warned.expect_stderr("warning: --disable: 'nothing/*' matches no rule");
    check(&repo, &["-q", "-v"], &[]).expect_code(2);
}

#[test]
fn verbose_says_how_the_range_was_found_what_was_loaded_and_how_long_it_took() {
    let repo = repo();
    let run = check(&repo, &["-v"], &[]);
    run.expect_code(1);
    let base = repo.rev("main");
    for expected in [
        "deploy-guard: range: --base main\n",
        &format!("deploy-guard: range: base {base}, merge-base {base}, head "),
        "deploy-guard: checking main...HEAD",
        "deploy-guard: configuration: none found: the built-in defaults apply\n",
        "deploy-guard: rules: ",
        " in effect (rules/cors.toml: ",
        "deploy-guard: time: read the change: ",
        "deploy-guard: time: load the rules: ",
        "deploy-guard: time: judge the change: ",
        "deploy-guard: time: write the reports: ",
    ] {
        run.expect_stderr(expected);
    }
    let default = Run::strict(repo.cmd().args(["check", "-v"]));
    default.expect_stderr(
        "deploy-guard: range: no --base: main is the first that exists of origin/HEAD, origin/main, origin/master, main, master",
    );
}

#[test]
fn colour_follows_the_flag_then_the_environment() {
    let repo = repo();
    let coloured =
        |args: &[&str], env: &[(&str, &str)]| check(&repo, args, env).stdout.contains("\u{1b}[");
    // Into a pipe: no colour, unless asked for.
    assert!(!coloured(&[], &[]));
    assert!(coloured(&["--color", "always"], &[]));
    assert!(coloured(&[], &[("FORCE_COLOR", "1")]));
    assert!(coloured(&[], &[("CLICOLOR_FORCE", "1")]));
    assert!(!coloured(&[], &[("FORCE_COLOR", "1"), ("NO_COLOR", "1")]));
    assert!(!coloured(&["--color", "never"], &[("FORCE_COLOR", "1")]));
    assert!(coloured(&["--color", "always"], &[("NO_COLOR", "1")]));
    // Machine formats are never coloured.
    assert!(!coloured(&["--format", "json", "--color", "always"], &[]));
    check(&repo, &["--color", "sometimes"], &[]).expect_code(2);
}

#[test]
fn fail_on_never_changes_the_exit_code_not_the_verdict() {
    let repo = repo();
    let with = |format: &str| {
        let run = check(&repo, &["--fail-on", "never", "--format", format], &[]);
        run.expect_code(0);
        run.stdout
    };
    assert!(with("human").starts_with("deploy-guard: blocked: 1 error"));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&with("json")).expect("JSON")["verdict"],
        "blocked"
    );
    assert!(with("markdown").starts_with("### deploy-guard: blocked: 1 error"));
    assert!(with("github").starts_with("deploy-guard: blocked: 1 error"));
    assert!(with("junit").contains("<property name=\"verdict\" value=\"blocked: 1 error"));
    // Prose caps the finding at info: "clear", yet it blocks under --fail-on info.
    let repo = Repo::with_files(&[("README.md", "# app\n")]);
    repo.branch("topic");
    repo.commit_file("docs/example/app.js", WILDCARD_CORS);
    let (run, json) = repo.check_json(&["--base", "main", "--fail-on", "info"]);
    run.expect_code(1);
    assert_eq!(json["verdict"], "blocked");
    let (run, json) = repo.check_json(&["--base", "main"]);
    run.expect_code(0);
    assert_eq!(json["verdict"], "clear");
}
