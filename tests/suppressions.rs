//! Inline suppressions (`deploy-guard: allow <rule> -- <reason>`), judged end to end on real
//! repositories: where they apply, what they need, and what the gate says about them.

mod common;

use common::{Repo, WILDCARD_CORS, findings, rules_fired};
use serde_json::Value;

/// A repository on `main` with a harmless server file, switched to branch `change`.
fn repo() -> Repo {
    let repo = Repo::with_files(&[("server/app.js", "const app = express();\n")]);
    repo.branch("change");
    repo
}

fn only(report: &Value, rule: &str) -> Value {
    let all: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect();
    assert_eq!(all.len(), 1, "expected one {rule} finding: {report:#}");
    all[0].clone()
}

#[test]
fn same_line_suppression_with_reason_suppresses_and_stays_reported() {
    let repo = repo();
    repo.commit_file(
        "server/app.js",
        "const app = express();\napp.use(cors({ origin: '*' })); // deploy-guard: allow cors/wildcard-origin -- public read-only API\n",
    );
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(0);
    let f = only(&report, "cors/wildcard-origin");
    assert_eq!(f["suppressed"], "public read-only API");
    assert_eq!(report["summary"]["suppressed"], 1);
    assert_eq!(report["summary"]["error"], 0);
    let human = repo.check(&["--base", "main"]);
    human.expect_code(0);
    assert!(
        human.stdout.contains("allowed: public read-only API"),
        "{}",
        human.stdout
    );
}

#[test]
fn suppression_on_the_line_above_in_any_comment_syntax() {
    for comment in [
        "# deploy-guard: allow cors/* -- partner API",
        "/* deploy-guard: allow cors/wildcard-origin -- partner API */",
        "<!-- deploy-guard: allow cors/* -- partner API -->",
        "-- deploy-guard: allow cors/* -- partner API",
        "REM deploy-guard: allow image/*, cors/* -- partner API",
    ] {
        let repo = repo();
        repo.commit_file("server/app.js", &format!("{comment}\n{WILDCARD_CORS}"));
        let (run, report) = repo.check_json(&["--base", "main"]);
        run.expect_code(0);
        assert_eq!(
            only(&report, "cors/wildcard-origin")["suppressed"],
            "partner API",
            "{comment}"
        );
    }
}

#[test]
fn unchanged_comment_above_a_new_line_is_read_from_the_head_content() {
    let repo = Repo::with_files(&[(
        "server/app.js",
        "// deploy-guard: allow cors/wildcard-origin -- health endpoint is public\n\nconst x = 1;\n",
    )]);
    repo.branch("change");
    // Line 2 (empty) becomes the hazard; line 1, the comment, is not part of the diff.
    repo.commit_file(
        "server/app.js",
        &format!("// deploy-guard: allow cors/wildcard-origin -- health endpoint is public\n{WILDCARD_CORS}const x = 1;\n"),
    );
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(0);
    assert_eq!(
        only(&report, "cors/wildcard-origin")["suppressed"],
        "health endpoint is public"
    );
}

#[test]
fn suppression_two_lines_above_does_not_apply_and_is_reported_unused() {
    let unused = unsuppressed(
        "// deploy-guard: allow cors/* -- too far away\n",
        "guard/unused-suppression",
    );
    assert_eq!(
        (unused["severity"].as_str(), unused["line"].as_u64()),
        (Some("info"), Some(1))
    );
}

#[test]
fn suppression_without_reason_does_not_suppress_and_is_a_warning() {
    for comment in [
        "// deploy-guard: allow cors/wildcard-origin",
        "// deploy-guard: allow cors/wildcard-origin --",
        "/* deploy-guard: allow cors/wildcard-origin -- */",
    ] {
        let repo = repo();
        repo.commit_file("server/app.js", &format!("{comment}\n{WILDCARD_CORS}"));
        let (run, report) = repo.check_json(&["--base", "main"]);
        run.expect_code(1);
        assert!(only(&report, "cors/wildcard-origin")["suppressed"].is_null());
        let w = only(&report, "guard/suppression-without-reason");
        assert_eq!(w["severity"], "warning", "{comment}");
        assert_eq!(w["line"], 1);
        assert_eq!(w["path"], "server/app.js");
    }
}

#[test]
fn suppression_naming_no_rule_or_a_bad_glob_is_malformed() {
    let repo = repo();
    repo.commit_file(
        "server/app.js",
        "// deploy-guard: allow -- no rule\nconst a = 1;\n// deploy-guard: allow cors/[ -- bad glob\n",
    );
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(0);
    let malformed: Vec<String> = findings(&report)
        .into_iter()
        .filter(|f| f.starts_with("guard/malformed-suppression"))
        .collect();
    assert_eq!(
        malformed,
        [
            "guard/malformed-suppression server/app.js:1",
            "guard/malformed-suppression server/app.js:3"
        ]
    );
}

#[test]
fn suppression_for_another_rule_does_not_apply() {
    let repo = repo();
    repo.commit_file(
        "server/app.js",
        &format!("// deploy-guard: allow image/latest-tag -- wrong rule\n{WILDCARD_CORS}"),
    );
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(1);
    assert!(only(&report, "cors/wildcard-origin")["suppressed"].is_null());
    only(&report, "guard/unused-suppression");
}

#[test]
fn base_configuration_can_turn_inline_suppressions_off_and_head_cannot_turn_them_on() {
    let repo = Repo::with_files(&[
        (".deploy-guard.toml", "inline_suppressions = false\n"),
        ("server/app.js", "const app = express();\n"),
    ]);
    repo.branch("change");
    repo.write(".deploy-guard.toml", "inline_suppressions = true\n");
    repo.write(
        "server/app.js",
        format!("// deploy-guard: allow cors/* -- trust me\n{WILDCARD_CORS}"),
    );
    repo.commit("try to allow it");
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(1);
    assert!(only(&report, "cors/wildcard-origin")["suppressed"].is_null());
    let fired = rules_fired(&report);
    assert!(
        fired.contains(&"guard/config-changed".to_string()),
        "{fired:?}"
    );
    assert!(
        !fired.iter().any(|r| r.contains("suppression")),
        "{fired:?}"
    );
}

#[test]
fn the_gates_own_findings_cannot_be_suppressed_inline() {
    let repo = repo();
    repo.commit_file(
        ".deploy-guard.toml",
        "# deploy-guard: allow guard/* -- nothing to see here\nfail_on = \"never\"\n",
    );
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(0);
    let changed = only(&report, "guard/config-changed");
    assert!(changed["suppressed"].is_null(), "{report:#}");
    only(&report, "guard/unused-suppression");
}

#[test]
fn removed_line_findings_read_the_suppression_from_the_base() {
    let config = "[[rule]]\nid = \"team/lb-removed\"\nseverity = \"error\"\nmessage = \"load balancer removed\"\nremoved = 'load_balancer'\n";
    let repo = Repo::with_files(&[
        (".deploy-guard.toml", config),
        (
            "infra/main.tf",
            "# deploy-guard: allow team/lb-removed -- replaced by the shared ingress\nload_balancer = \"web\"\nname = \"x\"\n",
        ),
    ]);
    repo.branch("change");
    repo.commit_file(
        "infra/main.tf",
        "# deploy-guard: allow team/lb-removed -- replaced by the shared ingress\nname = \"x\"\n",
    );
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(0);
    let f = only(&report, "team/lb-removed");
    assert_eq!(f["side"], "base");
    assert_eq!(f["line"], 2);
    assert_eq!(f["suppressed"], "replaced by the shared ingress");
}

#[test]
fn staged_changes_honour_suppressions_in_the_index() {
    let repo = repo();
    repo.write(
        "server/app.js",
        format!("# deploy-guard: allow cors/* -- staged reason\n{WILDCARD_CORS}"),
    );
    repo.git(&["add", "server/app.js"]);
    let (run, report) = repo.check_json(&["--staged"]);
    run.expect_code(0);
    assert_eq!(
        only(&report, "cors/wildcard-origin")["suppressed"],
        "staged reason"
    );
}

#[test]
fn file_level_findings_are_suppressed_from_the_first_line() {
    let repo = repo();
    repo.commit_file(
        "www/index.py ",
        "# deploy-guard: allow filename/* -- the space is intended\nprint('hi')\n",
    );
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(0);
    assert_eq!(
        only(&report, "filename/edge-whitespace")["suppressed"],
        "the space is intended"
    );
}

#[test]
fn documentation_quoting_the_syntax_is_capped_at_info() {
    let repo = repo();
    repo.commit_file(
        "docs/suppressing.md",
        "Write `deploy-guard: allow <rule>` followed by a reason.\n",
    );
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(0);
    assert_eq!(
        only(&report, "guard/suppression-without-reason")["severity"],
        "info"
    );
}

#[test]
fn the_base_configuration_regrades_or_disables_the_gates_own_findings() {
    let repo = Repo::with_files(&[
        ("server/app.js", "const app = express();\n"),
        (
            ".deploy-guard.toml",
            "disable = [\"guard/unused-suppression\"]\n[rules.\"guard/suppression-without-reason\"]\nseverity = \"error\"\n",
        ),
    ]);
    repo.branch("change");
    repo.commit_file(
        "server/app.js",
        "// deploy-guard: allow image/latest-tag -- nothing here uses it\nconst app = express();\n// deploy-guard: allow cors/wildcard-origin\n",
    );
    let (run, report) = repo.check_json(&["--base", "main", "--fail-on", "error"]);
    run.expect_code(1);
    assert_eq!(
        only(&report, "guard/suppression-without-reason")["severity"],
        "error"
    );
    assert!(!rules_fired(&report).contains(&"guard/unused-suppression".to_string()));
}

/// The wildcard origin under `comment` (its first line) stays an error, and the gate reports
/// the comment with `guard_rule`: that finding is returned.
fn unsuppressed(comment: &str, guard_rule: &str) -> Value {
    let repo = repo();
    repo.commit_file("server/app.js", &format!("{comment}\n{WILDCARD_CORS}"));
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(1);
    assert!(
        only(&report, "cors/wildcard-origin")["suppressed"].is_null(),
        "{comment:?}"
    );
    only(&report, guard_rule)
}

#[test]
fn invisible_or_blank_reasons_do_not_suppress() {
    for reason in [
        "\u{200B}\u{200B}",
        "\u{2800}",
        "\u{3164}\u{FFA0}",
        "\u{2060}\u{FEFF}\u{00A0}",
        "\u{3000} \t",
    ] {
        let w = unsuppressed(
            &format!("// deploy-guard: allow cors/wildcard-origin -- {reason}"),
            "guard/suppression-without-reason",
        );
        let message = w["message"].as_str().unwrap_or_default();
        assert!(message.contains("blank or invisible"), "{message}");
        assert_eq!(w["line"], 1);
    }
}

#[test]
fn look_alike_rule_patterns_do_not_suppress_and_are_malformed() {
    for pattern in [
        "\u{FF0A}",        // fullwidth asterisk
        "\u{0441}ors/*",   // Cyrillic es for the c of cors
        "cors/x\u{00A0}*", // a no-break space, not a separator
        "cors/*\u{200B}",  // a zero-width space after the glob
        "cors\u{2215}*",   // division slash for /
    ] {
        let m = unsuppressed(
            &format!("// deploy-guard: allow {pattern} -- partner API"),
            "guard/malformed-suppression",
        );
        assert!(
            m["message"].as_str().unwrap_or_default().contains("U+"),
            "{m:#}"
        );
    }
}
