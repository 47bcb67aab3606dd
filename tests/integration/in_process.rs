//! `cli::run` called in-process, as embedders and these tests can: paths are relative to the
//! `cwd` argument, and colour follows `out_is_terminal`.

use crate::common::{Repo, SAFE_SERVER, WILDCARD_CORS};
use deploy_guard::cli::{Io, run};

/// Runs the command line in `repo` in-process; returns (code, stdout, stderr).
fn run_in(repo: &Repo, args: &[&str], terminal: bool) -> (i32, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut io = Io {
        out: &mut out,
        err: &mut err,
        out_is_terminal: terminal,
    };
    let argv = std::iter::once("deploy-guard").chain(args.iter().copied());
    let code = run(argv, repo.path(), &mut io);
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    (code, text(out), text(err))
}

fn opened_cors() -> Repo {
    let repo = Repo::with_files(&[("server/app.js", SAFE_SERVER)]);
    repo.branch("feature");
    repo.commit_file("server/app.js", &format!("{SAFE_SERVER}{WILDCARD_CORS}"));
    repo
}

#[test]
fn relative_config_path_is_resolved_against_cwd() {
    let repo = opened_cors();
    repo.write("gate.toml", "disable = [\"cors/*\"]\n");
    let (code, _, err) = run_in(
        &repo,
        &["check", "--base", "main", "--config", "gate.toml"],
        false,
    );
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run_in(&repo, &["rules", "--config", "gate.toml"], false);
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("cors/"), "{out}");
}

#[test]
fn colour_only_on_a_terminal() {
    let repo = opened_cors();
    let (code, plain, _) = run_in(
        &repo,
        &["check", "--base", "main", "--format", "human"],
        false,
    );
    assert_eq!(code, 1);
    assert!(!plain.contains('\x1b'), "{plain}");
    if std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) {
        let (_, coloured, _) = run_in(
            &repo,
            &["check", "--base", "main", "--format", "human"],
            true,
        );
        assert!(coloured.contains("\x1b[31m"), "{coloured}");
    }
}

#[test]
fn errors_are_one_cause_line_and_one_cure_line() {
    let repo = opened_cors();
    let (code, out, err) = run_in(&repo, &["check", "--base", "nope"], false);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    let lines: Vec<_> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(lines[0].starts_with("error: ") && lines[1].starts_with("  help: "));
}
