//! `.deploy-guard.toml`: positioned errors, custom rules, `disable`, overrides, `fail_on`, and
//! the trust model (ranges read the base revision's configuration; `--config` always wins).

use crate::common::{Repo, SAFE_SERVER, WILDCARD_CORS, findings, rules_fired};

/// A repository whose last commit holds `config` as `.deploy-guard.toml`, with an uncommitted
/// change that opens CORS, so `--worktree` judges it with that configuration.
fn worktree_with_config(config: &str) -> Repo {
    let repo = Repo::with_files(&[
        ("server/app.js", SAFE_SERVER),
        (".deploy-guard.toml", config),
    ]);
    repo.write("server/app.js", format!("{SAFE_SERVER}{WILDCARD_CORS}"));
    repo
}

/// Asserts that `config` stops the gate with exit 2, no report, an error at
/// `.deploy-guard.toml:<position>` that mentions `mention`, and a cure line after it.
fn assert_config_error(config: &str, position: &str, mention: &str) {
    worktree_with_config(config)
        .check(&["--worktree"])
        .expect_refusal(&format!(".deploy-guard.toml:{position}: "))
        .expect_stderr(mention);
}

/// A custom rule `team/x` with `extra` appended to its required keys.
fn rule_with(extra: &str) -> String {
    format!("[[rule]]\nid = \"team/x\"\nseverity = \"error\"\nmessage = \"m\"\n{extra}")
}

#[test]
fn unknown_top_level_key_names_file_line_column_and_key() {
    assert_config_error(
        "fail_on = \"error\"\nfial_on = \"never\"\n",
        "2:1",
        "fial_on",
    );
}

#[test]
fn unknown_key_inside_a_custom_rule_is_positioned() {
    assert_config_error(&rule_with("added = 'x'\nadde = 'y'\n"), "6:1", "adde");
}

#[test]
fn bad_glob_is_positioned_and_quoted() {
    let config = rule_with("paths = [\"ok/**\", \"src/[ab\"]\nadded = 'x'\n");
    assert_config_error(&config, "5:19", "bad glob 'src/[ab'");
}

#[test]
fn bad_regex_is_positioned_and_names_the_rule_and_key() {
    let config = rule_with("added = 'debug = ('\n");
    assert_config_error(
        &config,
        "5:9",
        "rule 'team/x': `added` is not a valid regex",
    );
}

#[test]
fn bad_severity_is_positioned() {
    let config = "[rules.\"cors/wildcard-origin\"]\nseverity = \"fatal\"\n";
    assert_config_error(config, "2:12", "fatal");
}

#[test]
fn bad_fail_on_is_positioned() {
    assert_config_error("fail_on = \"sometimes\"\n", "1:11", "sometimes");
}

#[test]
fn override_of_unknown_rule_names_the_id() {
    let config = "[rules.\"cors/wildcard\"]\nseverity = \"info\"\n";
    assert_config_error(config, "1:8", "cors/wildcard");
}

#[test]
fn disable_of_unknown_rule_names_the_id() {
    let config = "disable = [\"cors/wildcard-origin\", \"cors/wildcard\"]\n";
    assert_config_error(config, "1:36", "'cors/wildcard'");
}

#[test]
fn custom_rule_with_a_bad_id_is_refused() {
    let config = "[[rule]]\nid = \"Debug\"\nseverity = \"error\"\nmessage = \"m\"\n";
    assert_config_error(config, "2:6", "'Debug' must be 'category/name'");
}

#[test]
fn message_placeholder_that_is_no_capture_group_is_refused() {
    let config =
        "[[rule]]\nid = \"team/x\"\nseverity = \"error\"\nmessage = \"{value}\"\nadded = 'x'\n";
    assert_config_error(config, "4:11", "{value}");
}

#[test]
fn a_custom_rule_cannot_reuse_a_built_in_id() {
    let config = "[[rule]]\nid = \"cors/wildcard-origin\"\nseverity = \"info\"\nmessage = \"m\"\n";
    assert_config_error(config, "2:6", "defined twice");
}

#[test]
fn config_errors_from_the_base_revision_name_the_commit() {
    let repo = Repo::with_files(&[(".deploy-guard.toml", "fial = 1\n")]);
    let base = repo.rev("HEAD");
    repo.branch("feature");
    repo.commit_file("a.txt", "a\n");
    repo.check(&["--base", "main"])
        .expect_refusal(&format!("{}:.deploy-guard.toml:1:1: ", &base[..12]));
}

#[test]
fn custom_rule_fires_with_captures_and_respects_paths() {
    let repo = worktree_with_config(
        r#"
[[rule]]
id = "team/debug-on"
severity = "error"
message = "debug switched on in {path} ({flag})"
paths = ["config/**"]
added = '(?P<flag>DEBUG)\s*=\s*true'
"#,
    );
    repo.write("config/prod.env", "DEBUG = true\n");
    repo.write("scripts/dev.env", "DEBUG = true\n");
    let (run, report) = repo.check_json(&["--worktree"]);
    run.expect_code(1);
    let debug: Vec<_> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "team/debug-on")
        .collect();
    assert_eq!(debug.len(), 1, "{report:#}");
    assert_eq!(debug[0]["path"], "config/prod.env");
    assert_eq!(
        debug[0]["message"],
        "debug switched on in config/prod.env (DEBUG)"
    );
}

#[test]
fn custom_rule_matchers_must_all_hold() {
    let repo = worktree_with_config(
        r#"
[[rule]]
id = "team/port-change"
severity = "error"
message = "port changed"
filename = '\.env$'
status = ["modified"]
removed = 'PORT='
added = 'PORT='
unless = 'PORT=80\b'
"#,
    );
    repo.write("new.env", "PORT=1\n"); // added file: status does not hold
    repo.write("same.txt", "PORT=1\n"); // filename does not hold
    repo.write("x.env", "PORT=80\n"); // unless excuses it (and it is new)
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "env files"]);
    repo.write("new.env", "PORT=2\n"); // now modified, PORT removed and added: fires
    repo.write("same.txt", "PORT=2\n"); // filename still does not hold
    repo.write("x.env", "PORT=80\n# more\n"); // modified but nothing removed: quiet
    repo.write("server/app.js", SAFE_SERVER);
    let (_, report) = repo.check_json(&["--worktree"]);
    let team: Vec<_> = findings(&report)
        .into_iter()
        .filter(|f| f.starts_with("team/"))
        .collect();
    assert_eq!(team, ["team/port-change new.env:1"]);
}

#[test]
fn disable_by_id_and_by_glob() {
    let repo = worktree_with_config("disable = [\"cors/wildcard-origin\"]\n");
    repo.check(&["--worktree"]).expect_code(0);
    let repo = worktree_with_config("disable = [\"cors/*\"]\n");
    let (run, report) = repo.check_json(&["--worktree"]);
    run.expect_code(0);
    assert!(rules_fired(&report).is_empty(), "{report:#}");
    let listed = repo.cmd().arg("rules").output().expect("runs");
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(!listed.contains("cors/"), "{listed}");
    assert!(listed.contains("image/latest-tag"), "{listed}");
}

#[test]
fn override_changes_severity() {
    let repo = worktree_with_config("[rules.\"cors/wildcard-origin\"]\nseverity = \"warning\"\n");
    let (run, report) = repo.check_json(&["--worktree"]);
    run.expect_code(0);
    assert_eq!(report["findings"][0]["severity"], "warning");
    assert_eq!(report["verdict"], "needs-review");
    repo.check(&["--worktree", "--fail-on", "warning"])
        .expect_code(1);
}

#[test]
fn override_exclude_adds_to_the_rules_own_filters() {
    let repo =
        worktree_with_config("[rules.\"cors/wildcard-origin\"]\nexclude = [\"server/**\"]\n");
    repo.write("api/app.js", WILDCARD_CORS);
    let (run, report) = repo.check_json(&["--worktree"]);
    run.expect_code(1);
    assert_eq!(findings(&report), ["cors/wildcard-origin api/app.js:1"]);
}

#[test]
fn override_paths_replace_the_rules_own() {
    let repo = worktree_with_config("[rules.\"cors/wildcard-origin\"]\npaths = [\"/api/*\"]\n");
    repo.write("api/app.js", WILDCARD_CORS);
    repo.write("other/api/app.js", WILDCARD_CORS);
    let (_, report) = repo.check_json(&["--worktree"]);
    assert_eq!(findings(&report), ["cors/wildcard-origin api/app.js:1"]);
}

#[test]
fn a_change_cannot_disable_the_rules_that_judge_it() {
    let repo = Repo::with_files(&[("server/app.js", SAFE_SERVER)]);
    repo.branch("feature");
    repo.write(".deploy-guard.toml", "disable = [\"cors/*\"]\n");
    repo.write("server/app.js", format!("{SAFE_SERVER}{WILDCARD_CORS}"));
    repo.commit("open CORS and switch its rules off");

    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(1);
    assert_eq!(
        findings(&report),
        [
            "guard/config-changed .deploy-guard.toml",
            "cors/wildcard-origin server/app.js:3",
        ]
    );
}

#[test]
fn config_is_read_from_the_base_revision_not_head() {
    // Base already trusts a severity override; head tries to make it stricter again. The base
    // wins both ways.
    let repo = Repo::with_files(&[
        ("server/app.js", SAFE_SERVER),
        (
            ".deploy-guard.toml",
            "[rules.\"cors/wildcard-origin\"]\nseverity = \"warning\"\n",
        ),
    ]);
    repo.branch("feature");
    repo.write(".deploy-guard.toml", "fail_on = \"info\"\n");
    repo.write("server/app.js", format!("{SAFE_SERVER}{WILDCARD_CORS}"));
    repo.commit("tighten");
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(0);
    assert_eq!(report["summary"]["warning"], 2, "{report:#}");
}

#[test]
fn worktree_and_staged_read_the_working_tree_config() {
    let repo = Repo::with_files(&[("server/app.js", SAFE_SERVER)]);
    repo.write(".deploy-guard.toml", "disable = [\"cors/*\"]\n");
    repo.write("server/app.js", format!("{SAFE_SERVER}{WILDCARD_CORS}"));
    let (run, report) = repo.check_json(&["--worktree"]);
    run.expect_code(0);
    assert_eq!(rules_fired(&report), ["guard/config-changed"]);
    repo.git(&["add", "-A"]);
    repo.check(&["--staged"]).expect_code(0);
}

#[test]
fn explicit_config_file_wins_over_the_base_revision() {
    let repo = Repo::with_files(&[("server/app.js", SAFE_SERVER)]);
    repo.branch("feature");
    repo.commit_file("server/app.js", &format!("{SAFE_SERVER}{WILDCARD_CORS}"));
    let outside = tempfile::tempdir().expect("temp dir");
    let config = outside.path().join("ci.toml");
    std::fs::write(&config, "disable = [\"cors/wildcard-origin\"]\n").expect("write");
    let config = config.display().to_string();
    repo.check(&["--base", "main", "--config", &config])
        .expect_code(0);
    repo.check(&["--base", "main"]).expect_code(1);
}

#[test]
fn missing_explicit_config_file_exits_2() {
    let repo = Repo::with_files(&[("a.txt", "a\n")]);
    let run = repo.check(&["--worktree", "--config", "nope.toml"]);
    run.expect_code(2);
    assert!(run.stderr.contains("nope.toml"), "{}", run.stderr);
}

#[test]
fn fail_on_levels_decide_the_exit_code() {
    let repo = worktree_with_config(
        r#"
[[rule]]
id = "team/todo"
severity = "info"
message = "a TODO was added"
added = 'TODO'
match_comments = true

[[rule]]
id = "team/sleep"
severity = "warning"
message = "a sleep was added"
added = 'sleep\('
"#,
    );
    repo.write("server/app.js", SAFE_SERVER);
    repo.write("a.js", "// TODO\n");
    repo.check(&["--worktree"]).expect_code(0);
    repo.check(&["--worktree", "--fail-on", "warning"])
        .expect_code(0);
    repo.check(&["--worktree", "--fail-on", "info"])
        .expect_code(1);

    repo.write("b.js", "sleep(5)\n");
    repo.check(&["--worktree"]).expect_code(0);
    repo.check(&["--worktree", "--fail-on", "warning"])
        .expect_code(1);

    repo.write("server/app.js", format!("{SAFE_SERVER}{WILDCARD_CORS}"));
    repo.check(&["--worktree"]).expect_code(1);
    repo.check(&["--worktree", "--fail-on", "error"])
        .expect_code(1);
    repo.check(&["--worktree", "--fail-on", "never"])
        .expect_code(0);
    let bad = repo.check(&["--worktree", "--fail-on", "sometimes"]);
    bad.expect_code(2);
}

#[test]
fn fail_on_from_config_applies_and_the_command_line_wins() {
    let repo = worktree_with_config(
        "fail_on = \"warning\"\n[rules.\"cors/wildcard-origin\"]\nseverity = \"warning\"\n",
    );
    repo.check(&["--worktree"]).expect_code(1);
    repo.check(&["--worktree", "--fail-on", "error"])
        .expect_code(0);
}

#[test]
fn prose_findings_are_capped_at_info() {
    // A rule that reads every file, so Markdown and a docs/ folder are both judged by it.
    let config = "[[rule]]\nid = \"team/any-origin\"\nseverity = \"error\"\nmessage = \"origin set\"\nadded = 'origin:'\n";
    let repo = Repo::with_files(&[("a.txt", "a\n"), (".deploy-guard.toml", config)]);
    repo.write("docs/cors.md", WILDCARD_CORS);
    repo.write("docs/example.js", WILDCARD_CORS);
    repo.write("guide.md", WILDCARD_CORS);
    let (run, report) = repo.check_json(&["--worktree"]);
    run.expect_code(0);
    let team: Vec<_> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "team/any-origin")
        .map(|f| f["severity"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(team, ["info", "info", "info"], "{report:#}");
}

#[test]
fn file_level_rules_apply_to_binary_files_and_line_rules_do_not() {
    let repo = worktree_with_config(
        r#"
[[rule]]
id = "team/new-image"
severity = "error"
message = "new image {path}"
filename = '\.png$'
status = ["added"]

[[rule]]
id = "team/png-magic"
severity = "error"
message = "png bytes"
added = 'PNG'
"#,
    );
    repo.write("server/app.js", SAFE_SERVER);
    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\0");
    let (run, report) = repo.check_json(&["--worktree"]);
    run.expect_code(1);
    assert_eq!(findings(&report), ["team/new-image logo.png"]);
    assert_eq!(report["skipped"][0]["path"], "logo.png");
}
