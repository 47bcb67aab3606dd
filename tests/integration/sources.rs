//! Each change source (range, staged, worktree, default base) and the shapes a change can take:
//! renames, deletions, binary files.

use crate::common::{Repo, SAFE_SERVER, WILDCARD_CORS, findings, rules_fired};
use deploy_guard::change::{FileKind, Status};
use deploy_guard::source::{self, Source};

/// A repository with `server/app.js` on main, and a `feature` branch that opens CORS to all.
fn feature_opening_cors() -> Repo {
    let repo = Repo::with_files(&[("server/app.js", SAFE_SERVER)]);
    repo.branch("feature");
    repo.commit_file("server/app.js", &format!("{SAFE_SERVER}{WILDCARD_CORS}"));
    repo
}

/// A repository whose `feature` branch adds `path` holding `prefix` then the wildcard CORS line.
fn feature_adding(path: &str, prefix: &[u8]) -> Repo {
    let repo = Repo::with_files(&[("keep.txt", "x\n")]);
    repo.branch("feature");
    repo.write(path, [prefix, WILDCARD_CORS.as_bytes()].concat());
    repo.commit("add");
    repo
}

/// The change set the library reads for `base...HEAD`.
fn range_files(repo: &Repo, base: &str) -> Vec<deploy_guard::change::ChangedFile> {
    let git = source::open_repository(repo.path()).expect("repository");
    let range = Source::Range {
        base: Some(base.into()),
        head: "HEAD".into(),
    };
    source::load(&git, &range).expect("range loads").0.files
}

#[test]
fn headline_feature_branch_opening_cors_is_blocked_naming_file_line_and_rule() {
    let repo = feature_opening_cors();
    let run = repo.check(&["--base", "main", "--head", "feature"]);
    run.expect_code(1);
    run.expect_stdout("server/app.js");
    run.expect_stdout("cors/wildcard-origin");
    run.expect_stdout("    3  error    cors/wildcard-origin");
    run.expect_stdout(WILDCARD_CORS.trim());
    run.expect_stderr("checking main...feature");
}

#[test]
fn range_diffs_from_the_merge_base_so_later_base_commits_are_not_judged() {
    let repo = Repo::with_files(&[("server/app.js", SAFE_SERVER)]);
    let fork_point = repo.rev("HEAD");
    repo.branch("feature");
    repo.commit_file("README.txt", "notes\n");
    repo.switch("main");
    // Lands on main after the branch was cut: a two-dot diff would show it as removed by the
    // feature, and the `team/removal` rule would fire on it.
    repo.commit_file("late.js", "legacy();\n");
    repo.write(
        "guard.toml",
        "[[rule]]\nid = \"team/removal\"\nseverity = \"error\"\nmessage = \"removed\"\nremoved = 'legacy'\n",
    );
    let config = repo.file("guard.toml");
    let (run, report) =
        repo.check_json(&["--base", "main", "--head", "feature", "--config", &config]);
    run.expect_code(0);
    assert_eq!(
        report["base"],
        fork_point.as_str(),
        "base is the merge base"
    );
    assert_eq!(report["head"], repo.rev("feature").as_str());
    assert_eq!(report["summary"]["files_changed"], 1);
    assert!(rules_fired(&report).is_empty(), "{report:#}");
}

#[test]
fn staged_judges_the_index_not_the_working_tree() {
    let repo = Repo::with_files(&[("server/app.js", SAFE_SERVER)]);
    repo.write("server/app.js", format!("{SAFE_SERVER}{WILDCARD_CORS}"));
    repo.git(&["add", "server/app.js"]);
    // Unstaged edits: the working tree no longer has the hazard, and an untracked file does.
    repo.write("server/app.js", SAFE_SERVER);
    repo.write("server/other.js", WILDCARD_CORS);

    let (run, report) = repo.check_json(&["--staged"]);
    run.expect_code(1);
    assert_eq!(findings(&report), ["cors/wildcard-origin server/app.js:3"]);
    run.expect_stderr("staged");
    assert_eq!(report["base"], repo.rev("HEAD").as_str());
    assert!(report["head"].is_null());
}

#[test]
fn worktree_judges_uncommitted_and_untracked_files_but_not_ignored_ones() {
    let repo = Repo::with_files(&[("server/app.js", SAFE_SERVER), (".gitignore", "build/\n")]);
    repo.write("server/app.js", format!("{SAFE_SERVER}{WILDCARD_CORS}"));
    repo.write("server/new.js", WILDCARD_CORS);
    repo.write("build/bundle.js", WILDCARD_CORS);

    let (run, report) = repo.check_json(&["--worktree"]);
    run.expect_code(1);
    assert_eq!(
        findings(&report),
        [
            "cors/wildcard-origin server/app.js:3",
            "cors/wildcard-origin server/new.js:1",
        ]
    );
    assert_eq!(report["summary"]["files_changed"], 2);
}

#[test]
fn worktree_and_staged_work_before_the_first_commit() {
    let repo = Repo::new();
    repo.write("server/app.js", WILDCARD_CORS);
    repo.check(&["--worktree"]).expect_code(1);
    repo.git(&["add", "-A"]);
    repo.check(&["--staged"]).expect_code(1);
}

/// A feature branch opening CORS, forked from `main`, with `main` then renamed away so only
/// the refs a test creates can serve as the default base.
fn feature_without_main() -> (Repo, String) {
    let repo = feature_opening_cors();
    let fork = repo.rev("main");
    repo.git(&["branch", "-q", "-m", "main", "trunk"]);
    (repo, fork)
}

fn default_base_of(repo: &Repo) -> String {
    let run = repo.check(&[]);
    run.expect_code(1);
    run.stderr.clone()
}

#[test]
fn default_base_prefers_the_upstream_of_the_current_branch() {
    let repo = feature_opening_cors();
    repo.git(&["branch", "-q", "release", "main"]);
    repo.git(&["branch", "-q", "--set-upstream-to", "release", "feature"]);
    assert!(
        default_base_of(&repo).contains("checking release...HEAD"),
        "upstream first"
    );
}

#[test]
fn default_base_falls_back_to_origin_head_then_origin_main_then_main() {
    let (repo, fork) = feature_without_main();
    repo.git(&["update-ref", "refs/remotes/origin/trunk", &fork]);
    repo.git(&[
        "symbolic-ref",
        "refs/remotes/origin/HEAD",
        "refs/remotes/origin/trunk",
    ]);
    repo.git(&["update-ref", "refs/remotes/origin/main", &fork]);
    repo.git(&["branch", "-q", "main", &fork]);
    assert!(default_base_of(&repo).contains("checking origin/HEAD...HEAD"));

    repo.git(&["symbolic-ref", "--delete", "refs/remotes/origin/HEAD"]);
    assert!(default_base_of(&repo).contains("checking origin/main...HEAD"));

    repo.git(&["update-ref", "-d", "refs/remotes/origin/main"]);
    assert!(default_base_of(&repo).contains("checking main...HEAD"));
}

#[test]
fn no_resolvable_default_base_exits_2_and_says_what_to_pass() {
    let (repo, _) = feature_without_main();
    repo.check(&[])
        .expect_refusal("no base revision")
        .expect_stderr("help: pass --base REV");
}

#[test]
fn pure_rename_keeps_the_old_path_and_yields_no_line_findings() {
    let repo = Repo::with_files(&[("server/app.js", &format!("{SAFE_SERVER}{WILDCARD_CORS}"))]);
    repo.branch("feature");
    repo.git(&["mv", "server/app.js", "server/main.js"]);
    repo.commit("rename");

    let files = range_files(&repo, "main");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].status, Status::Renamed);
    assert_eq!(files[0].path, "server/main.js");
    assert_eq!(files[0].old_path.as_deref(), Some("server/app.js"));

    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(0);
    assert!(rules_fired(&report).is_empty(), "{report:#}");
}

#[test]
fn rename_with_edit_is_judged_on_the_edited_lines_only() {
    // The old file already had the hazard; only the line added during the move is new.
    let body: String = (1..=20).map(|i| format!("const v{i} = {i};\n")).collect();
    let repo = Repo::with_files(&[("server/app.js", &format!("{WILDCARD_CORS}{body}"))]);
    repo.branch("feature");
    repo.git(&["mv", "server/app.js", "server/main.js"]);
    repo.write(
        "server/main.js",
        format!("{WILDCARD_CORS}{body}res.set('Access-Control-Allow-Origin', '*');\n"),
    );
    repo.commit("move and edit");

    let files = range_files(&repo, "main");
    assert_eq!(files[0].status, Status::Renamed);
    assert_eq!(files[0].old_path.as_deref(), Some("server/app.js"));

    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(1);
    assert_eq!(
        findings(&report),
        ["cors/wildcard-origin server/main.js:22"]
    );
}

#[test]
fn deletions_are_judged_at_the_old_path_with_base_line_numbers() {
    let repo = Repo::with_files(&[
        (
            "infra/lb.tf",
            "resource \"aws_lb\" \"web\" {\n  name = \"web\"\n}\n",
        ),
        ("keep.txt", "x\n"),
    ]);
    repo.branch("feature");
    repo.git(&["rm", "-q", "infra/lb.tf"]);
    repo.commit("drop the load balancer");
    repo.write(
        "guard.toml",
        r#"
# The built-in infra pack reports this deletion too; this test is about the change model.
disable = ["infra/*"]

[[rule]]
id = "team/tf-deleted"
severity = "error"
message = "{path} deleted"
filename = '\.tf$'
status = ["deleted"]

[[rule]]
id = "team/lb-removed"
severity = "warning"
message = "load balancer removed"
removed = 'resource "aws_lb"'
"#,
    );
    let config = repo.file("guard.toml");

    let files = range_files(&repo, "main");
    assert_eq!(files[0].status, Status::Deleted);
    assert_eq!(files[0].path, "infra/lb.tf");

    let (run, report) = repo.check_json(&["--base", "main", "--config", &config]);
    run.expect_code(1);
    let found = &report["findings"];
    assert_eq!(found.as_array().map(Vec::len), Some(2), "{report:#}");
    assert_eq!(found[0]["rule"], "team/tf-deleted");
    assert_eq!(found[0]["message"], "infra/lb.tf deleted");
    assert!(found[0]["line"].is_null(), "file-level finding");
    assert_eq!(found[1]["rule"], "team/lb-removed");
    assert_eq!(found[1]["path"], "infra/lb.tf");
    assert_eq!(found[1]["line"], 1);
    assert_eq!(found[1]["side"], "base");
}

#[test]
fn binary_files_are_listed_as_skipped_and_never_matched() {
    let repo = feature_adding("assets/logo.png", b"\x89PNG\r\n\x1a\n\0\0\0");

    let files = range_files(&repo, "main");
    assert_eq!(files[0].kind, FileKind::Binary);

    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(0);
    assert!(rules_fired(&report).is_empty(), "{report:#}");
    assert_eq!(
        report["skipped"],
        serde_json::json!([{"path": "assets/logo.png", "reason": "binary"}])
    );
    let human = repo.check(&["--base", "main"]);
    human.expect_stdout("skipped assets/logo.png (binary)");
}

#[test]
fn non_utf8_content_is_still_matched() {
    let repo = feature_adding("server/app.js", b"// caf\xe9\n");
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(1);
    assert_eq!(findings(&report), ["cors/wildcard-origin server/app.js:2"]);
}

#[test]
fn a_change_of_many_files_reads_every_patch_exactly_as_a_small_one() {
    // Enough files that patches are read on several threads: every kind of change must come
    // out as it does one file at a time.
    let mut base: Vec<(String, String)> = (0..40)
        .map(|i| {
            (
                format!("old/gone-{i}.js"),
                format!("const gone{i} = {i};\n"),
            )
        })
        .collect();
    base.push((
        "keep/moved.js".into(),
        "const moved = 1;\nconst more = 2;\n".into(),
    ));
    let borrowed: Vec<(&str, &str)> = base.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect();
    let repo = Repo::with_files(&borrowed);
    repo.branch("feature");
    for i in 0..40 {
        repo.git(&["rm", "-q", &format!("old/gone-{i}.js")]);
        repo.write(
            &format!("new/open-{i}.js"),
            format!("// file {i}\n{WILDCARD_CORS}"),
        );
    }
    repo.git(&["mv", "keep/moved.js", "keep/renamed.js"]);
    repo.write("assets/logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0");
    repo.commit("many files");

    let files = range_files(&repo, "main");
    assert_eq!(files.len(), 82, "40 deleted, 40 added, 1 renamed, 1 binary");
    let opened = files.iter().filter(|f| f.path.starts_with("new/"));
    for f in opened {
        let added: Vec<_> = f.added().map(|(l, t)| (l.line, t.to_string())).collect();
        assert_eq!(added.len(), 2, "{}", f.path);
        assert_eq!(
            added[1],
            (2, WILDCARD_CORS.trim_end().to_string()),
            "{}",
            f.path
        );
    }
    let gone = files
        .iter()
        .find(|f| f.path == "old/gone-7.js")
        .expect("deleted file");
    assert_eq!(gone.status, Status::Deleted);
    assert_eq!(
        gone.removed().map(|(l, t)| (l.line, t)).collect::<Vec<_>>(),
        [(1, "const gone7 = 7;")]
    );
    let renamed = files
        .iter()
        .find(|f| f.path == "keep/renamed.js")
        .expect("rename");
    assert_eq!(
        (renamed.status, renamed.lines().len()),
        (Status::Renamed, 0)
    );
    let logo = files
        .iter()
        .find(|f| f.path == "assets/logo.png")
        .expect("binary");
    assert_eq!(logo.kind, FileKind::Binary);

    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(1);
    let wildcard = findings(&report)
        .iter()
        .filter(|f| f.starts_with("cors/wildcard-origin new/open-") && f.ends_with(".js:2"))
        .count();
    assert_eq!(wildcard, 40);
}

#[test]
fn a_folder_replaced_by_a_file_a_deleted_folder_and_a_move_across_folders_are_all_seen() {
    // Ranges name the changed paths to libgit2 after walking only the differing subtrees:
    // every shape of tree change must still reach the change model.
    let repo = Repo::with_files(&[
        ("a/b/x.js", "const x = 1;\n"),
        ("gone/y.js", "const y = 2;\n"),
        ("gone/deeper/z.js", "const z = 3;\n"),
        ("keep/m.js", "const m = 1;\nconst n = 2;\nconst o = 3;\n"),
        ("top.txt", "unchanged\n"),
    ]);
    repo.branch("feature");
    repo.git(&["rm", "-rq", "a", "gone"]);
    repo.write("a", WILDCARD_CORS);
    repo.git(&["rm", "-q", "keep/m.js"]);
    repo.write(
        "moved/deep/m.js",
        "const m = 1;\nconst n = 2;\nconst o = 3;\n",
    );
    repo.commit("reshape");
    let mut seen: Vec<(String, Status)> = range_files(&repo, "main")
        .into_iter()
        .map(|f| (f.path, f.status))
        .collect();
    seen.sort_by(|x, y| x.0.cmp(&y.0));
    assert_eq!(
        seen,
        [
            ("a".to_string(), Status::Added),
            ("a/b/x.js".to_string(), Status::Deleted),
            ("gone/deeper/z.js".to_string(), Status::Deleted),
            ("gone/y.js".to_string(), Status::Deleted),
            ("moved/deep/m.js".to_string(), Status::Renamed),
        ]
    );
}
