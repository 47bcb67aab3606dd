//! `check --disable/--enable/--exclude`: the command line narrows the base configuration for
//! one run, every report says so, and globs that match nothing are named with the closest ids.

use crate::common::{Repo, WILDCARD_CORS, findings, rules_fired};

/// `main` with a configuration that disables the image rules; `topic` opens CORS in the
/// server and in a legacy folder, and moves the base image to `latest`.
fn repo() -> Repo {
    let repo = Repo::with_files(&[
        (".deploy-guard.toml", "disable = [\"image/*\"]\n"),
        ("Dockerfile", "FROM node:18.1\n"),
    ]);
    repo.branch("topic");
    repo.write("server/app.js", WILDCARD_CORS);
    repo.write("legacy/lib/app.js", WILDCARD_CORS);
    repo.write("Dockerfile", "FROM node:latest\n");
    repo.commit("topic");
    repo
}

fn fired(repo: &Repo, args: &[&str]) -> Vec<String> {
    let mut all = vec!["--base", "main"];
    all.extend_from_slice(args);
    let (run, report) = repo.check_json(&all);
    assert!(run.code == 0 || run.code == 1, "{run:#?}");
    let mut rules = rules_fired(&report);
    rules.dedup();
    rules
}

#[test]
fn enable_re_enables_what_the_config_disabled_and_disable_wins() {
    let repo = repo();
    assert!(!fired(&repo, &[]).iter().any(|r| r.starts_with("image/")));
    let enabled = fired(&repo, &["--enable", "image/*"]);
    assert!(
        enabled.iter().any(|r| r.starts_with("image/")),
        "{enabled:?}"
    );
    let both = fired(&repo, &["--enable", "image/*", "--disable", "image/*"]);
    assert!(!both.iter().any(|r| r.starts_with("image/")), "{both:?}");
    let without_cors = fired(&repo, &["--disable", "cors/*"]);
    assert_eq!(without_cors, Vec::<String>::new());
}

#[test]
fn exclude_keeps_findings_off_those_paths() {
    let repo = repo();
    let (_, all) = repo.check_json(&["--base", "main"]);
    assert!(
        findings(&all)
            .iter()
            .any(|f| f.contains("legacy/lib/app.js"))
    );
    let (_, narrowed) = repo.check_json(&["--base", "main", "--exclude", "legacy/**"]);
    let left = findings(&narrowed);
    assert!(!left.iter().any(|f| f.contains("legacy/")), "{left:?}");
    assert!(left.iter().any(|f| f.contains("server/app.js")), "{left:?}");
}

#[test]
fn exclude_also_keeps_the_gates_own_findings_off_those_paths() {
    let repo = Repo::with_files(&[("a.txt", "a\n")]);
    repo.branch("topic");
    repo.commit_file("legacy/x.js", "// deploy-guard: allow cors/*\n");
    let (_, all) = repo.check_json(&["--base", "main"]);
    assert_eq!(
        findings(&all),
        ["guard/suppression-without-reason legacy/x.js:1"]
    );
    let (_, narrowed) = repo.check_json(&["--base", "main", "--exclude", "legacy/**"]);
    assert_eq!(findings(&narrowed), Vec::<String>::new());
}

#[test]
fn every_report_shows_what_the_command_line_narrowed() {
    let repo = repo();
    let flags = [
        "--base",
        "main",
        "--disable",
        "docs/*",
        "--exclude",
        "legacy/**",
    ];
    let (_, json) = repo.check_json(&flags);
    assert_eq!(
        json["selection"],
        serde_json::json!({"disable": ["docs/*"], "enable": [], "exclude": ["legacy/**"]})
    );
    let (_, plain) = repo.check_json(&["--base", "main"]);
    assert_eq!(
        plain["selection"],
        serde_json::json!({"disable": [], "enable": [], "exclude": []})
    );
    let with = |format: &str| {
        let mut args = flags.to_vec();
        args.extend(["--format", format]);
        repo.check(&args).stdout
    };
    let line = "narrowed for this run: --disable docs/* --exclude legacy/**";
    let human = with("human");
    assert_eq!(
        human.lines().nth(1),
        Some(format!("deploy-guard: {line}").as_str())
    );
    assert!(with("github").contains(line));
    assert!(
        with("markdown")
            .contains(r"Narrowed for this run: --disable docs/\* --exclude legacy/\*\*."),
        "{}",
        with("markdown")
    );
    let sarif: serde_json::Value = serde_json::from_str(&with("sarif")).expect("SARIF");
    assert_eq!(
        sarif["runs"][0]["properties"]["selection"]["exclude"],
        serde_json::json!(["legacy/**"])
    );
    let unnarrowed = repo.check(&["--base", "main", "--format", "sarif"]).json();
    assert_eq!(unnarrowed["runs"][0].get("properties"), None);
}

#[test]
fn globs_that_match_no_rule_are_warnings_with_the_closest_ids() {
    let repo = repo();
    let run = repo.check(&["--base", "main", "--disable", "cors/wildcrd*"]);
    run.expect_code(1);
    run.expect_stderr(
        "deploy-guard: warning: --disable: 'cors/wildcrd*' matches no rule; did you mean 'cors/wildcard-origin'",
    );
    let run = repo.check(&["--base", "main", "--enable", "imgae/*"]);
    run.expect_stderr("warning: --enable: 'imgae/*' matches no rule; did you mean 'image/*'?");
    // In the configuration too, with its position.
    let repo = Repo::with_files(&[(".deploy-guard.toml", "disable = [\"cros/*\"]\n")]);
    repo.branch("topic");
    repo.commit_file("a.txt", "b\n");
    let run = repo.check(&["--base", "main"]);
    run.expect_code(0);
    run.expect_stderr(
        ":.deploy-guard.toml:1:12: disable: 'cros/*' matches no rule; did you mean 'cors/*'?",
    );
}

#[test]
fn an_exact_id_that_names_no_rule_stops_with_the_closest() {
    let repo = repo();
    repo.check(&["--base", "main", "--disable", "cors/wildcard-orign"])
        .expect_refusal(
            "--disable: no rule has the id 'cors/wildcard-orign'; did you mean 'cors/wildcard-origin'",
        );
    repo.check(&["--base", "main", "--enable", "team/mine"])
        .expect_refusal("--enable: no rule has the id 'team/mine'")
        .expect_stderr("--enable only re-enables a built-in or configured rule");
    repo.check(&["--base", "main", "--exclude", "legacy/[x"])
        .expect_refusal("--exclude: ");
    repo.check(&["--base", "main", "--disable", "cors/[x"])
        .expect_refusal("--disable: bad glob 'cors/[x'");
}
