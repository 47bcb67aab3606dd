//! The reports, on real repositories: every printer's output pinned by a snapshot (human and
//! JSON through the binary on one fixed change; the others on a richer one, judged through the
//! gate), SARIF validated against the 2.1.0 schema, the JSON contract's fields, GitLab
//! fingerprints unique and stable, hostile file names that must not inject workflow commands or
//! break tables, the job summary, and `--report`.

use crate::common::{
    HOSTILE_NAMES, Repo, Run, SAFE_SERVER, WILDCARD_CORS, deploy_guard_in, outside_any_repository,
    redact,
};
use deploy_guard::gate::{self, Options};
use deploy_guard::report::{
    Github, Gitlab, Junit, Markdown, Render, Report, Sarif, SourceLinks, job_summary,
};
use deploy_guard::source::{self, Source};
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The fixture's configuration: only its own `team/` rules, so snapshots do not change when
/// the built-in packs do.
const CONFIG: &str = r#"
disable = ["[!t]*"]

[[rule]]
id = "team/wildcard-origin"
severity = "error"
summary = "CORS allows every origin"
message = "CORS allows every origin in {path}"
help = "Any website can call this service from its visitors' browsers.\n\nFix: list the origins that need access."
url = "https://example.com/rules/wildcard-origin"
added = "origin:\\s*'\\*'"

[[rule]]
id = "team/debug-on"
severity = "warning"
message = "debug mode switched on"
paths = ["config/**"]
added = 'DEBUG\s*=\s*true'

[[rule]]
id = "team/healthcheck-removed"
severity = "warning"
message = "a health check route was removed"
removed = 'healthcheck'

[[rule]]
id = "team/todo"
severity = "info"
message = "a TODO was added"
added = 'TODO'
match_comments = true

[[rule]]
id = "team/odd-name"
severity = "error"
summary = "a file name with characters that break tools"
message = "'{path}' has characters that break tools"
filename = '[,:%|\n<`]'
status = ["added"]

[[rule]]
id = "team/quiet"
severity = "warning"
message = "never fires"
added = 'NEVER-MATCHES'
"#;

const BASE_APP: &str = "const cors = require('cors');\napp.get('/healthcheck', ok);\n";
const HEAD_APP: &str = "const cors = require('cors');\napp.use(cors({ origin: '*' }));\n// TODO: narrow this down\napp.use(cors({ origin: '*' }));\n";

/// A change on a real repository: the base and head commits a check judges.
struct Change {
    repo: Repo,
    base: String,
    head: String,
}

/// Base: the config, `server/app.js` and `config/app.env`; head: `head_files` on top.
fn repo_with(head_files: &[(&str, &[u8])]) -> Change {
    let repo = Repo::with_files(&[
        (".deploy-guard.toml", CONFIG),
        ("server/app.js", BASE_APP),
        ("config/app.env", "DEBUG = false\n"),
    ]);
    let base = repo.rev("HEAD");
    for (path, content) in head_files {
        repo.write(path, content);
    }
    let head = repo.commit("head");
    Change { repo, base, head }
}

/// The main fixture: risky lines, a removed line, identical lines, a binary and hostile names.
fn fixture() -> Change {
    let hostile: Vec<(&str, &[u8])> = HOSTILE_NAMES
        .iter()
        .map(|name| (*name, b"origin: '*'\n".as_slice()))
        .collect();
    let mut files: Vec<(&str, &[u8])> = vec![
        ("server/app.js", HEAD_APP.as_bytes()),
        ("config/app.env", b"DEBUG = true\n"),
        ("logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
    ];
    files.extend(hostile);
    repo_with(&files)
}

/// Judges the fixture as `check` does, with every rule's documentation (its binary `logo.png`
/// is the one skipped file), then suppresses two findings the way an inline `deploy-guard:
/// allow` comment and a config waiver would.
fn judged(repo: &Change) -> Report {
    let git_repo = source::open_repository(repo.repo.path()).unwrap();
    let range = Source::Range {
        base: Some(repo.base.clone()),
        head: repo.head.clone(),
    };
    let options = Options {
        rule_docs: true,
        ..Options::default()
    };
    let mut report = gate::check(&git_repo, &range, &options, &mut |_| {}).unwrap();
    for f in &mut report.findings {
        match f.rule.as_str() {
            "team/todo" => f.suppressed = Some("tracked in TICKET-12 | owner `@web`".into()),
            "team/debug-on" => {
                f.suppressed = Some("waiver: local development only (expires 2027-06-30)".into())
            }
            _ => {}
        }
    }
    report
}

fn render(printer: &dyn Render, report: &Report) -> String {
    let mut out = Vec::new();
    printer.render(report, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Commit ids replaced by stable names, so snapshots do not depend on git's hashing.
fn redact_ids(text: &str, repo: &Change) -> String {
    redact(
        text,
        &[
            (&repo.base, "[BASE]"),
            (&repo.head, "[HEAD]"),
            (&repo.base[..12], "[BASE12]"),
            (&repo.head[..12], "[HEAD12]"),
        ],
    )
}

/// `deploy-guard check --base <base> --head <head> extra…` on the change; its output must be
/// UTF-8, whatever the file names.
fn check(repo: &Change, extra: &[&str]) -> Run {
    Run::strict(
        repo.repo
            .cmd()
            .args(["check", "--base", &repo.base, "--head", &repo.head])
            .args(extra),
    )
}

/// The SARIF schema: the shared copy beside the repository when there is one, else ours.
fn sarif_schema() -> Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/schemas/sarif-schema-2.1.0.json");
    let path = if shared.exists() {
        shared
    } else {
        root.join("tests/schemas/sarif-schema-2.1.0.json")
    };
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub(crate) fn assert_valid_sarif(text: &str) {
    let log: Value = serde_json::from_str(text).unwrap();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&sarif_schema())
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema errors: {errors:#?}");
    // The schema leaves `uri-reference` unchecked under draft 4: check RFC 3986 by hand.
    let uri = regex::Regex::new(r"^(?:[A-Za-z0-9\-._~/]|%[0-9A-F]{2})+$").unwrap();
    for result in log["runs"][0]["results"].as_array().unwrap() {
        let location = &result["locations"][0]["physicalLocation"]["artifactLocation"];
        let text = location["uri"].as_str().unwrap();
        assert!(uri.is_match(text), "not a valid relative URI: {text:?}");
        assert_eq!(location["uriBaseId"], "%SRCROOT%");
    }
}

// ---- human and JSON through the binary ---------------------------------------------------

/// The configuration of the binary's fixed change: a custom rule plus `cors/wildcard-origin`,
/// every other built-in category disabled, so new built-in rules do not churn the snapshots.
const CLI_CONFIG: &str = r#"
disable = ["cors/[!w]*", "cdn/*", "image/*", "filename/*", "infra/*", "rollout/*", "docs/*", "guard/*"]

[[rule]]
id = "team/debug-on"
severity = "warning"
message = "debug switched on ({flag}) in {path}"
paths = ["config/**"]
added = '(?P<flag>DEBUG)\s*=\s*true'

[[rule]]
id = "team/healthcheck-removed"
severity = "error"
message = "the health check was removed"
removed = 'healthcheck'
"#;

/// The fixed change: main → feature opening CORS, turning debug on, dropping a health check
/// and adding a binary file. Returns the repository and the `--config` path.
fn cli_fixture() -> (Repo, String) {
    let repo = Repo::with_files(&[
        ("server/app.js", SAFE_SERVER),
        ("config/prod.env", "DEBUG = false\nhealthcheck = /up\n"),
    ]);
    repo.branch("feature");
    repo.write("server/app.js", format!("{SAFE_SERVER}{WILDCARD_CORS}"));
    repo.write("config/prod.env", "DEBUG = true\n");
    repo.write("assets/logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\0");
    repo.commit("feature");
    repo.write("gate.toml", CLI_CONFIG);
    let config = repo.file("gate.toml");
    (repo, config)
}

#[test]
fn human_report() {
    let (repo, config) = cli_fixture();
    let run = repo.check(&[
        "--base", "main", "--head", "feature", "--config", &config, "--format", "human",
    ]);
    run.expect_code(1);
    assert!(
        !run.stdout.contains('\x1b'),
        "no colour when not a terminal"
    );
    assert_report_snapshot("human_report", run.stdout);
}

#[test]
fn json_report() {
    let (repo, config) = cli_fixture();
    let run = repo.check(&[
        "--base", "main", "--head", "feature", "--config", &config, "--format", "json",
    ]);
    run.expect_code(1);
    // The ids are deterministic (fixed identity and clock) but redacted so the snapshot does
    // not depend on how git serialises commits.
    let redacted = redact(
        &run.stdout,
        &[
            (&repo.rev("main"), "<base>"),
            (&repo.rev("feature"), "<head>"),
        ],
    );
    assert_report_snapshot("json_report", redacted);
}

#[test]
fn json_report_keeps_the_contract_fields() {
    let (repo, config) = cli_fixture();
    let (_, report) = repo.check_json(&["--base", "main", "--config", &config]);
    assert_eq!(report["version"], 1);
    for key in ["base", "head", "findings", "skipped", "summary"] {
        assert!(report.get(key).is_some(), "missing {key}");
    }
    for finding in report["findings"].as_array().expect("findings") {
        for key in [
            "rule",
            "severity",
            "path",
            "line",
            "message",
            "snippet",
            "suppressed",
        ] {
            assert!(finding.get(key).is_some(), "finding lacks {key}: {finding}");
        }
    }
    for key in ["error", "warning", "info", "suppressed", "files_changed"] {
        assert!(report["summary"][key].is_u64(), "summary lacks {key}");
    }
}

#[test]
fn clear_report() {
    let repo = Repo::with_files(&[("a.txt", "a\n")]);
    repo.branch("feature");
    repo.commit_file("a.txt", "b\n");
    let run = repo.check(&["--base", "main"]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        "deploy-guard: clear: 0 errors, 0 warnings, 0 info\n"
    );
}

// ---- snapshots -------------------------------------------------------------------------

/// The fixture judged and rendered by `printer`, commit ids redacted.
fn snapshot_of(printer: &dyn Render) -> String {
    let repo = fixture();
    redact_ids(&render(printer, &judged(&repo)), &repo)
}

/// Asserts `text` against `tests/snapshots/<name>.snap`.
fn assert_report_snapshot(name: &str, text: String) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name, text));
}

#[test]
fn sarif_snapshot_and_schema() {
    let text = snapshot_of(&Sarif);
    assert_valid_sarif(&text);
    assert_report_snapshot("sarif_report", text);
}

#[test]
fn gitlab_snapshot() {
    assert_report_snapshot("gitlab_report", snapshot_of(&Gitlab));
}

#[test]
fn junit_snapshot() {
    assert_report_snapshot("junit_report", snapshot_of(&Junit));
}

#[test]
fn markdown_snapshot() {
    assert_report_snapshot("markdown_report", snapshot_of(&Markdown::default()));
    let linked = Markdown {
        links: SourceLinks::github("https://github.com", "acme/shop"),
        max_bytes: None,
    };
    assert_report_snapshot("markdown_job_summary", snapshot_of(&linked));
}

#[test]
fn github_snapshot() {
    assert_report_snapshot("github_report", snapshot_of(&Github));
}

// ---- SARIF ----------------------------------------------------------------------------

#[test]
fn sarif_with_builtin_rules_validates_and_documents_them() {
    let repo = fixture();
    let empty = repo.repo.path().join("empty.toml");
    std::fs::write(&empty, "").unwrap();
    let out = check(
        &repo,
        &["--format", "sarif", "--config", empty.to_str().unwrap()],
    );
    out.expect_code(1);
    let text = out.stdout.clone();
    assert_valid_sarif(&text);
    let log: Value = serde_json::from_str(&text).unwrap();
    let driver = &log["runs"][0]["tool"]["driver"];
    assert_eq!(driver["semanticVersion"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    let cors = rules
        .iter()
        .find(|r| r["id"] == "cors/wildcard-origin")
        .unwrap();
    assert_eq!(cors["defaultConfiguration"]["level"], "error");
    assert_eq!(cors["properties"]["security-severity"], "8.0");
    let (_dir, outside) = outside_any_repository();
    let docs = Run::of(deploy_guard_in(&outside).args([
        "explain",
        "cors/wildcard-origin",
        "--format",
        "markdown",
    ]))
    .stdout;
    let url = "https://deploy-guard.github.io/deploy-guard/rules/cors/wildcard-origin.html";
    assert_eq!(
        docs.strip_suffix(&format!("**More:** <{url}>\n")),
        cors["help"]["markdown"].as_str(),
        "`explain` is the rule's SARIF help plus a link to its page"
    );
    assert_eq!(cors["helpUri"], url);
    assert!(
        rules.iter().all(|r| r["helpUri"].is_string()),
        "every built-in rule links to its page"
    );
    for result in log["runs"][0]["results"].as_array().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }
}

#[test]
fn sarif_marks_suppressions_and_leaves_region_out_where_no_head_line() {
    let repo = fixture();
    let log: Value = serde_json::from_str(&render(&Sarif, &judged(&repo))).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let by_rule = |id: &str| results.iter().find(|r| r["ruleId"] == id).unwrap();
    assert_eq!(by_rule("team/todo")["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        by_rule("team/debug-on")["suppressions"][0]["kind"],
        "external"
    );
    assert!(
        by_rule("team/wildcard-origin")
            .get("suppressions")
            .is_none()
    );
    let removed = by_rule("team/healthcheck-removed");
    assert!(
        removed["locations"][0]["physicalLocation"]
            .get("region")
            .is_none()
    );
    assert!(
        removed["message"]["text"]
            .as_str()
            .unwrap()
            .contains("removed line 2 of the base revision")
    );
    let file_level = by_rule("team/odd-name");
    assert!(
        file_level["locations"][0]["physicalLocation"]
            .get("region")
            .is_none()
    );
}

/// The checked-in schema copy (used when `../shared` is absent) must be the shared one.
#[test]
fn committed_schema_copy_matches_shared() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/schemas/sarif-schema-2.1.0.json");
    if let Ok(shared) = std::fs::read(shared) {
        let ours = std::fs::read(root.join("tests/schemas/sarif-schema-2.1.0.json")).unwrap();
        assert!(
            shared == ours,
            "tests/schemas/sarif-schema-2.1.0.json differs from shared/"
        );
    }
}

// ---- fingerprints ---------------------------------------------------------------------

fn fingerprints(text: &str, pointer: &str) -> Vec<String> {
    let doc: Value = serde_json::from_str(text).unwrap();
    let items = match doc.pointer("/runs/0/results") {
        Some(results) => results.as_array().unwrap().clone(),
        None => doc.as_array().unwrap().clone(),
    };
    items
        .iter()
        .map(|item| item.pointer(pointer).unwrap().as_str().unwrap().to_string())
        .collect()
}

#[test]
fn gitlab_fingerprints_are_unique_even_for_identical_lines() {
    let repo = fixture();
    let text = render(&Gitlab, &judged(&repo));
    let prints = fingerprints(&text, "/fingerprint");
    let unique: HashSet<_> = prints.iter().collect();
    assert_eq!(
        unique.len(),
        prints.len(),
        "duplicate fingerprints: {prints:?}"
    );
    // server/app.js has the same risky line twice: one decision, reported once, naming both.
    let doc: Value = serde_json::from_str(&text).unwrap();
    let twins = doc
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| {
            i["check_name"] == "team/wildcard-origin" && i["location"]["path"] == "server/app.js"
        })
        .count();
    assert_eq!(twins, 1);
}

#[test]
fn fingerprints_survive_unrelated_lines_moving() {
    let moved_app = format!("// a new header comment\n'use strict';\n\n{HEAD_APP}");
    let before = repo_with(&[("server/app.js", HEAD_APP.as_bytes())]);
    let after = repo_with(&[("server/app.js", moved_app.as_bytes())]);
    let sarif = |repo: &Change| check(repo, &["--format", "sarif"]).stdout;
    let gitlab = |repo: &Change| check(repo, &["--format", "gitlab"]).stdout;
    let key = "/partialFingerprints/deployGuard~1v1";
    let (sarif_before, sarif_after) = (sarif(&before), sarif(&after));
    assert_eq!(
        fingerprints(&sarif_before, key),
        fingerprints(&sarif_after, key)
    );
    assert_ne!(
        sarif_before, sarif_after,
        "the lines did move, so the reports must differ somewhere"
    );
    assert_eq!(
        fingerprints(&gitlab(&before), "/fingerprint"),
        fingerprints(&gitlab(&after), "/fingerprint")
    );
}

// ---- GitHub annotations ---------------------------------------------------------------

/// Undoes `@actions/core`'s escaping, as the runner does.
fn unescape(text: &str) -> String {
    text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

#[test]
fn hostile_file_names_cannot_inject_workflow_commands() {
    let repo = fixture();
    let out = check(&repo, &["--format", "github"]);
    out.expect_code(1);
    let text = out.stdout.clone();
    assert!(!text.contains('\r'));
    let command = regex::Regex::new(r"^::(error|warning|notice) ([^:]*)::(.*)$").unwrap();
    let mut files = HashSet::new();
    let mut commands = 0;
    for line in text.lines() {
        if !line.starts_with("::") {
            assert!(line.starts_with("deploy-guard: "), "stray line: {line:?}");
            continue;
        }
        commands += 1;
        let caps = command
            .captures(line)
            .unwrap_or_else(|| panic!("malformed: {line:?}"));
        for property in caps[2].split(',') {
            let (key, value) = property.split_once('=').unwrap();
            assert!(
                ["file", "line", "endLine", "title"].contains(&key),
                "{line:?}"
            );
            if key == "file" {
                files.insert(unescape(value));
            }
        }
        assert!(!caps[3].contains('\n'));
    }
    // One command per unsuppressed finding (no suppressions here): 3 hostile files x 2 rules,
    // the wildcard (on two lines: one decision), the TODO, the debug switch and the removed
    // health check.
    assert_eq!(commands, 10, "{text}");
    for name in HOSTILE_NAMES {
        assert!(
            files.contains(name),
            "{name:?} not annotated intact: {files:?}"
        );
    }
    // The newline in a name is escaped in the data too, not only in the property.
    assert!(text.contains("'a%250A::error::x%0Ab.js' has characters that break tools"));
}

#[test]
fn annotations_put_errors_first_and_cap_each_kind_at_ten() {
    // One file per finding: the same finding on several lines of one file is one decision.
    let owned: Vec<(String, &[u8])> = (0..12)
        .map(|i| (format!("a/many{i:02}.js"), &b"origin: '*'\n"[..]))
        .chain((0..11).map(|i| (format!("config/many{i:02}.env"), &b"DEBUG = true\n"[..])))
        .chain((0..3).map(|i| (format!("b/todo{i}.sh"), &b"# TODO\n"[..])))
        .collect();
    let files: Vec<(&str, &[u8])> = owned.iter().map(|(p, t)| (p.as_str(), *t)).collect();
    let repo = repo_with(&files);
    let text = check(&repo, &["--format", "github"]).stdout;
    let kinds: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("::"))
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    let expected: Vec<&str> = [("error", 10), ("warning", 10), ("notice", 3)]
        .iter()
        .flat_map(|(kind, n)| std::iter::repeat_n(*kind, *n))
        .collect();
    assert_eq!(kinds, expected);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("deploy-guard: blocked: 12 errors, 11 warnings, 3 info"));
    assert_eq!(
        lines.last().unwrap(),
        &"deploy-guard: 3 more finding(s) not annotated (2 error(s), 1 warning(s), 0 notice(s)): GitHub shows 10 of each kind per step; the job summary and the full report list them all"
    );
}

#[test]
fn github_is_the_default_format_under_actions_only() {
    let repo = fixture();
    let actions = repo.repo.run_with_env(
        &["check", "--base", &repo.base],
        &[("GITHUB_ACTIONS", "true")],
    );
    assert!(
        actions
            .stdout
            .contains("\n::error file=server/app.js,line=2,endLine=2,")
    );
    let local = check(&repo, &[]).stdout;
    assert!(local.starts_with("deploy-guard: blocked"));
    assert!(!local.lines().any(|l| l.starts_with("::")), "{local}");
}

// ---- job summary ----------------------------------------------------------------------

#[test]
fn job_summary_is_appended_with_links_to_the_head_commit() {
    let repo = fixture();
    let summary = repo.repo.path().join("summary.md");
    std::fs::write(&summary, "## An earlier step\n\n").unwrap();
    for _ in 0..2 {
        let out = repo.repo.run_with_env(
            &["check", "--base", &repo.base, "--format", "json"],
            &[
                ("GITHUB_STEP_SUMMARY", summary.to_str().expect("UTF-8 path")),
                ("GITHUB_SERVER_URL", "https://github.com"),
                ("GITHUB_REPOSITORY", "acme/shop"),
            ],
        );
        out.expect_code(1);
        serde_json::from_str::<Value>(&out.stdout).expect("stdout stays the JSON report");
    }
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.starts_with("## An earlier step\n\n### deploy-guard: blocked"));
    assert_eq!(text.matches("### deploy-guard: blocked").count(), 2);
    let head = &repo.head;
    assert!(text.contains(&format!(
        "[server/app.js:2](https://github.com/acme/shop/blob/{head}/server/app.js#L2)"
    )));
    // Removed lines link to the base commit, where they still exist.
    assert!(text.contains(&format!(
        "(https://github.com/acme/shop/blob/{}/server/app.js#L2)",
        repo.base
    )));
    assert!(text.contains(&format!(
        "(https://github.com/acme/shop/blob/{head}/pipe%7C%60tick%60_%2A%5Bx%5D%28y%29%3Cb%3E.js)"
    )));
}

#[test]
fn job_summary_stays_under_the_size_limit() {
    let owned: Vec<String> = (0..60).map(|i| format!("a/many{i:02}.js")).collect();
    let files: Vec<(&str, &[u8])> = owned
        .iter()
        .map(|p| (p.as_str(), &b"origin: '*'\n"[..]))
        .collect();
    let repo = repo_with(&files);
    let report = judged(&repo);
    let summary = repo.repo.path().join("summary.md");
    let earlier = "x".repeat(job_summary::SUMMARY_LIMIT - 4000);
    std::fs::write(&summary, &earlier).unwrap();
    assert!(job_summary::append(&report, &summary, None).unwrap());
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.len() <= job_summary::SUMMARY_LIMIT, "{}", text.len());
    assert!(text.starts_with(&earlier));
    assert!(
        text.contains("more finding(s) not shown"),
        "{}",
        &text[earlier.len()..]
    );

    // No room at all: nothing is appended rather than a summary GitHub would reject.
    let full = "x".repeat(job_summary::SUMMARY_LIMIT - 10);
    std::fs::write(&summary, &full).unwrap();
    assert!(!job_summary::append(&report, &summary, None).unwrap());
    assert_eq!(std::fs::read_to_string(&summary).unwrap(), full);
}

#[test]
fn markdown_cells_hold_hostile_names_without_breaking_the_table() {
    let repo = fixture();
    let text = render(&Markdown::default(), &judged(&repo));
    for line in text.lines().filter(|l| l.starts_with("| ")) {
        let cells = line.replace("\\|", "").matches('|').count();
        assert_eq!(cells, 5, "row split or merged: {line:?}");
    }
    assert!(!text.contains("<b>"));
    assert!(text.contains("pipe\\|\\`tick\\`\\_\\*\\[x\\]\\(y\\)&lt;b&gt;.js"));
}

// ---- --report -------------------------------------------------------------------------

#[test]
fn report_flag_writes_several_files_in_one_run() {
    let repo = fixture();
    std::fs::create_dir(repo.repo.path().join("out")).unwrap();
    let out = check(
        &repo,
        &[
            "--format",
            "json",
            "--report",
            "sarif=out/deploy-guard.sarif",
            "--report",
            "junit=junit.xml",
        ],
    );
    out.expect_code(1);
    serde_json::from_str::<Value>(&out.stdout).expect("stdout is the --format report");
    let sarif = std::fs::read_to_string(repo.repo.path().join("out/deploy-guard.sarif")).unwrap();
    assert_valid_sarif(&sarif);
    let junit = std::fs::read_to_string(repo.repo.path().join("junit.xml")).unwrap();
    assert!(junit.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"));
}

#[test]
fn bad_report_arguments_exit_2_with_a_cure() {
    let repo = fixture();
    let cases = [
        ("sarif", "expected FMT=PATH"),
        (
            "pdf=report.pdf",
            "unknown format 'pdf' (known: human, json, github, sarif, gitlab, junit, markdown)",
        ),
        ("sarif=", "the PATH after '=' is empty"),
        ("json=no/such/dir/report.json", "cannot write"),
    ];
    for (arg, cause) in cases {
        let out = check(&repo, &["--report", arg]);
        let err = &out.stderr;
        assert_eq!(out.code, 2, "{arg}: {err}");
        assert!(err.contains(cause), "{arg}: {err}");
        assert!(err.contains("\n  help: "), "{arg}: {err}");
    }
    let missing: PathBuf = repo.repo.path().join("no/such/dir/report.json");
    assert!(!missing.exists());
}

/// Every `Format` value is reachable from `--format` and `--report` (no silent fallbacks).
#[test]
fn every_format_renders_through_the_cli() {
    let repo = fixture();
    for format in [
        "human", "json", "github", "sarif", "gitlab", "junit", "markdown",
    ] {
        let out = check(&repo, &["--format", format]);
        assert_eq!(out.code, 1, "{format}: {}", out.stderr);
        assert!(!out.stdout.is_empty(), "{format}");
    }
}
