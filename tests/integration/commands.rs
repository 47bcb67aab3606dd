//! The subcommands besides `check`, and the failures every command shares (exit 2 with a cause
//! and a cure).

use crate::common::{Repo, Run, deploy_guard_in, outside_any_repository};
use deploy_guard::cli::starter_config;
use deploy_guard::gate::Policy;

/// Runs `deploy-guard args…` in `repo`.
fn run(repo: &Repo, args: &[&str]) -> Run {
    Run::of(repo.cmd().args(args))
}

#[test]
fn unknown_revision_exits_2_with_cause_and_cure() {
    let repo = Repo::with_files(&[("a.txt", "a\n")]);
    repo.check(&["--base", "no-such-branch"])
        .expect_refusal("unknown revision 'no-such-branch'");
    repo.check(&["--base", "main", "--head", "nope"])
        .expect_code(2);
    repo.check(&["--base", "--weird"]).expect_code(2);
}

#[test]
fn unrelated_histories_exit_2() {
    let repo = Repo::with_files(&[("a.txt", "a\n")]);
    repo.git(&["checkout", "-q", "--orphan", "other"]);
    repo.commit_file("b.txt", "b\n");
    repo.check(&["--base", "main"])
        .expect_refusal("no common ancestor");
}

#[test]
fn outside_a_repository_check_exits_2_and_says_where_to_run() {
    let (_dir, path) = outside_any_repository();
    Run::of(deploy_guard_in(&path).arg("check")).expect_refusal("not a git repository");
}

#[test]
fn bad_arguments_exit_2() {
    let repo = Repo::with_files(&[("a.txt", "a\n")]);
    run(&repo, &["check", "--staged", "--worktree"]).expect_code(2);
    run(&repo, &["check", "--format", "yaml"]).expect_code(2);
    run(&repo, &["frobnicate"]).expect_code(2);
    run(&repo, &["--help"]).expect_code(0);
}

#[test]
fn init_writes_a_config_that_parses_and_refuses_to_overwrite() {
    let repo = Repo::with_files(&[("a.txt", "a\n")]);
    run(&repo, &["init"]).expect_code(0);
    let written = std::fs::read_to_string(repo.path().join(".deploy-guard.toml")).expect("written");
    assert_eq!(written, starter_config());
    let parsed = Policy::configured(".deploy-guard.toml", &written);
    assert!(parsed.is_ok(), "{:?}", parsed.err());
    // The starter's commented example rule must stay valid when uncommented.
    let uncommented: String = written
        .lines()
        .filter_map(|l| match l.strip_prefix("# ") {
            Some(toml) if toml.starts_with('[') || is_assignment(toml) => Some(toml),
            _ => (!l.starts_with('#')).then_some(l),
        })
        .filter(|l| !l.starts_with("disable = [\""))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(repo.path().join("uncommented.toml"), uncommented).expect("write");
    let listed = run(&repo, &["rules", "--config", "uncommented.toml"]);
    listed.expect_code(0).expect_stdout("team/debug-on");

    std::fs::write(repo.path().join(".deploy-guard.toml"), "# mine\n").expect("write");
    let again = run(&repo, &["init"]);
    again.expect_code(2);
    again.expect_stderr("--force");
    let kept = std::fs::read_to_string(repo.path().join(".deploy-guard.toml")).expect("read");
    assert_eq!(kept, "# mine\n");
    run(&repo, &["init", "--force"]).expect_code(0);
}

/// Whether a commented-out line is a TOML `key = value` rather than prose.
fn is_assignment(line: &str) -> bool {
    line.split_once(" = ").is_some_and(|(key, _)| {
        !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

#[test]
fn rules_lists_built_in_and_custom_rules_with_severity() {
    let repo = Repo::with_files(&[(
        ".deploy-guard.toml",
        "[[rule]]\nid = \"team/x\"\nseverity = \"info\"\nsummary = \"team rule\"\nmessage = \"m\"\nadded = 'x'\n",
    )]);
    let listed = run(&repo, &["rules"]);
    listed.expect_code(0);
    let cors = listed
        .stdout
        .lines()
        .find(|l| l.starts_with("cors/wildcard-origin "))
        .unwrap_or_else(|| panic!("{}", listed.stdout));
    assert!(cors.contains("error") && cors.contains("CORS allows every origin"));
    assert!(
        listed
            .stdout
            .lines()
            .any(|l| l.starts_with("team/x ") && l.contains("info") && l.ends_with("team rule")),
        "{}",
        listed.stdout
    );
    // Outside a repository: the built-ins alone.
    let (_dir, path) = outside_any_repository();
    let outside = Run::of(deploy_guard_in(&path).arg("rules"));
    outside.expect_code(0);
    outside.expect_stdout("cors/wildcard-origin");
    assert!(!outside.stdout.contains("team/x"));
}

#[test]
fn explain_markdown_prints_why_examples_and_how_to_suppress() {
    let repo = Repo::with_files(&[("a.txt", "a\n")]);
    let explained = run(
        &repo,
        &["explain", "cors/wildcard-origin", "--format", "markdown"],
    );
    explained.expect_code(0);
    let text = &explained.stdout;
    assert!(text.starts_with("## `cors/wildcard-origin`"), "{text}");
    assert!(text.contains("**Severity:** error"), "{text}");
    assert!(text.contains("A real outage:"), "the why: {text}");
    assert!(
        !text.to_lowercase().contains("seed 00"),
        "no internal names: {text}"
    );
    assert!(text.contains("**Example 1** (fires)"), "{text}");
    assert!(
        text.contains("deploy-guard: allow cors/wildcard-origin -- <reason>"),
        "{text}"
    );
    assert!(
        text.trim_end().ends_with(
            "**More:** <https://deploy-guard.github.io/deploy-guard/rules/cors/wildcard-origin.html>"
        ),
        "ends with a link to the rule's page: {text}"
    );
}

#[test]
fn explain_renders_for_a_terminal_without_markdown_and_wraps() {
    let repo = Repo::with_files(&[("a.txt", "a\n")]);
    let explained = run(&repo, &["explain", "cors/wildcard-origin"]);
    explained.expect_code(0);
    let text = &explained.stdout;
    assert!(
        text.starts_with("cors/wildcard-origin\n────"),
        "a heading, underlined: {text}"
    );
    assert!(text.contains("\nSeverity: error\n"), "{text}");
    assert!(text.contains("Example 1 (fires): server/app.js"), "{text}");
    // Code blocks are indented, not fenced; no Markdown markup is left.
    assert!(
        text.contains("\n    app.use(cors({ origin: '*' }));\n"),
        "{text}"
    );
    for markup in [
        "**Severity",
        "**Example",
        "```",
        "## `",
        "`deploy-guard: allow",
    ] {
        assert!(!text.contains(markup), "{markup} in {text}");
    }
    assert!(!text.contains('\x1b'), "no colour into a pipe: {text}");
    // Prose is wrapped to 80 columns when the output is not a terminal.
    let longest = text
        .lines()
        .filter(|l| !l.starts_with("    "))
        .map(|l| l.chars().count())
        .max();
    assert!(longest <= Some(80), "{longest:?}");
    let coloured = run(
        &repo,
        &["explain", "cors/wildcard-origin", "--color", "always"],
    );
    assert!(coloured.stdout.contains("\x1b[1m"), "{}", coloured.stdout);
}

#[test]
fn explain_of_an_unknown_id_suggests_the_closest() {
    let repo = Repo::with_files(&[("a.txt", "a\n")]);
    run(&repo, &["explain", "cors/wildcard-orign"])
        .expect_refusal("unknown rule 'cors/wildcard-orign'; did you mean 'cors/wildcard-origin'?");
    let far = run(&repo, &["explain", "nothing/like-it"]);
    far.expect_refusal("unknown rule 'nothing/like-it'");
    far.expect_stderr("deploy-guard rules");
    assert!(!far.stderr.contains("did you mean"), "{}", far.stderr);
}

#[test]
fn test_rules_passes_on_the_built_ins() {
    let repo = Repo::with_files(&[("a.txt", "a\n")]);
    let tested = run(&repo, &["test-rules"]);
    tested.expect_code(0);
    tested.expect_stdout(" passed, 0 failed");
}

const RULE_WITH_EXAMPLES: &str = r#"
[[rule]]
id = "team/debug-on"
severity = "error"
message = "debug on"
added = 'DEBUG\s*=\s*true'

[[rule.example]]
path = "prod.env"
after = "A = 1\nDEBUG = true\n"
expect = "match"
line = 2

[[rule.example]]
path = "prod.env"
after = "DEBUG = false\n"
expect = "clean"
"#;

#[test]
fn test_rules_runs_a_files_own_examples() {
    let repo = Repo::with_files(&[("a.txt", "a\n")]);
    repo.write("team.toml", RULE_WITH_EXAMPLES);
    let tested = run(&repo, &["test-rules", "team.toml"]);
    tested.expect_code(0);
    assert_eq!(tested.stdout, "test-rules: 2 passed, 0 failed\n");
}

#[test]
fn test_rules_fails_on_a_wrong_example_and_says_which() {
    let repo = Repo::with_files(&[("a.txt", "a\n")]);
    repo.write(
        "team.toml",
        RULE_WITH_EXAMPLES.replace("DEBUG = false", "DEBUG = true"),
    );
    let tested = run(&repo, &["test-rules", "team.toml"]);
    tested.expect_code(1);
    assert!(
        tested
            .stdout
            .contains("FAIL team/debug-on example 2 (prod.env): expected no finding"),
        "{}",
        tested.stdout
    );
    assert!(tested.stdout.ends_with("test-rules: 1 passed, 1 failed\n"));

    repo.write(
        "team.toml",
        RULE_WITH_EXAMPLES.replace("line = 2", "line = 1"),
    );
    let tested = run(&repo, &["test-rules", "team.toml"]);
    tested.expect_code(1);
    tested.expect_stdout("expected a finding at line 1");
}

#[test]
fn test_rules_on_a_broken_file_exits_2_with_position() {
    let repo = Repo::with_files(&[("a.txt", "a\n")]);
    repo.write(
        "team.toml",
        "[[rule]]\nid = \"team/x\"\nseverity = \"loud\"\n",
    );
    let tested = run(&repo, &["test-rules", "team.toml"]);
    tested.expect_code(2);
    tested.expect_stderr("team.toml:3:");
}
