//! Hostile and unusual input, each case on a real repository: odd paths and bytes, binary and
//! LFS files, symlinks, submodules, mode and type changes, huge files, merges and odd ranges, and
//! output that must not reach the terminal raw. Nothing may be skipped silently.

mod common;

use common::{Repo, WILDCARD_CORS, findings, rules_fired};
use serde_json::Value;
use std::os::unix::ffi::OsStrExt;

fn branch_from(files: &[(&str, &str)]) -> Repo {
    let repo = Repo::with_files(files);
    repo.branch("change");
    repo
}

/// Writes a file whose name is raw bytes (not necessarily UTF-8).
fn write_bytes_path(repo: &Repo, name: &[u8], content: &[u8]) {
    let path = repo.path().join(std::ffi::OsStr::from_bytes(name));
    std::fs::write(path, content).unwrap();
}

fn skipped(report: &Value) -> Vec<(String, String)> {
    report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap().to_string(),
                s["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn non_utf8_paths_and_content_are_judged_and_shown_escaped() {
    let repo = branch_from(&[("README", "x\n")]);
    write_bytes_path(
        &repo,
        b"caf\xe9.js",
        b"// caf\xe9\napp.use(cors({ origin: '*' }));\n",
    );
    repo.commit("latin-1 name and content");
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(1);
    assert_eq!(findings(&report), ["cors/wildcard-origin caf\\xE9.js:2"]);
    assert_eq!(report["summary"]["files_changed"], 1);
}

#[test]
fn paths_with_spaces_newlines_leading_dashes_and_great_length() {
    let repo = branch_from(&[("README", "x\n")]);
    let long_dir = "d".repeat(200);
    let long = format!("{long_dir}/{long_dir}/{long_dir}/{}.js", "n".repeat(200));
    let names = [
        "with space/app.js".to_string(),
        "new\nline.js".to_string(),
        "-rf.js".to_string(),
        "--base=main.js".to_string(),
        long.clone(),
    ];
    for name in &names {
        repo.write(name, WILDCARD_CORS);
    }
    repo.commit("odd names");
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(1);
    let mut got = findings(&report);
    let mut expected: Vec<String> = names
        .iter()
        .map(|n| format!("cors/wildcard-origin {n}:1"))
        .collect();
    // The newline in a path is itself a hazard the filename pack reports (file-level).
    expected.push("filename/control-character new\nline.js".to_string());
    got.sort();
    expected.sort();
    assert_eq!(got, expected);
    // The human report keeps the newline out of the layout.
    let human = repo.check(&["--base", "main"]);
    assert!(
        human.stdout.contains("new\\u{a}line.js"),
        "{}",
        human.stdout
    );
}

#[test]
fn binary_files_are_listed_as_skipped_not_matched() {
    let repo = branch_from(&[("README", "x\n")]);
    let mut png = b"\x89PNG\r\n\x1a\n\0\0".to_vec();
    png.extend_from_slice(WILDCARD_CORS.as_bytes());
    repo.write("logo.png", &png);
    repo.commit("binary");
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(0);
    assert_eq!(skipped(&report), vec![("logo.png".into(), "binary".into())]);
    assert_eq!(rules_fired(&report), Vec::<String>::new());
}

#[test]
fn lfs_pointers_are_listed_as_not_scanned() {
    let repo = branch_from(&[("README", "x\n")]);
    let pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n";
    repo.write("assets/server.js", pointer);
    repo.commit("lfs pointer");
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(0);
    assert_eq!(
        skipped(&report),
        vec![("assets/server.js".into(), "lfs-pointer".into())]
    );
    // A modified pointer, whose first line is not part of the diff, is recognised too.
    repo.commit_file("assets/server.js", &pointer.replace("12345", "54321"));
    let (_, report) = repo.check_json(&["--base", "change~1"]);
    assert_eq!(
        skipped(&report),
        vec![("assets/server.js".into(), "lfs-pointer".into())]
    );
}

#[test]
/// With enough files, patches are read on several threads; the limits hold there too.
fn limits_hold_when_many_files_change() {
    let repo = branch_from(&[("README", "x\n")]);
    for i in 0..100 {
        repo.write(&format!("src/f{i:03}.js"), format!("let x = {i};\n"));
    }
    repo.write("src/huge.js", "x".repeat(6 * 1024 * 1024));
    repo.write(
        "src/model.js",
        "version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 1\n",
    );
    repo.write("src/server.js", WILDCARD_CORS);
    repo.commit("many");
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(1);
    assert_eq!(
        skipped(&report),
        vec![
            ("src/huge.js".into(), "too-large".into()),
            ("src/model.js".into(), "lfs-pointer".into())
        ]
    );
    // Source that was not read is said once per file, quietly (it does not deploy as is).
    assert_eq!(
        findings(&report),
        [
            "guard/not-judged src/huge.js",
            "guard/not-judged src/model.js",
            "cors/wildcard-origin src/server.js:1"
        ]
    );
    assert_eq!(report["summary"]["info"], 2);
}

#[test]
fn symlinks_are_judged_by_what_they_serve_and_never_followed_out_of_the_repository() {
    let repo = branch_from(&[("real.js", WILDCARD_CORS)]);
    std::os::unix::fs::symlink("real.js", repo.path().join("link.js")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", repo.path().join("index.py ")).unwrap();
    repo.commit("links");
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(1);
    // The new link serves real.js's content under a new name: judged. The link out of the
    // repository is reported and not read; its own name is still checked.
    assert_eq!(
        findings(&report),
        [
            "filename/edge-whitespace index.py ",
            "guard/symlink-outside-repository index.py ",
            "cors/wildcard-origin link.js:1"
        ]
    );
    assert_eq!(report["summary"]["files_changed"], 2);
}

#[test]
fn submodule_pointer_changes_are_info_with_old_and_new_commits() {
    let repo = branch_from(&[("README", "x\n")]);
    let (old, new) = ("1".repeat(40), "2".repeat(40));
    let add = format!("160000,{old},vendor/lib");
    repo.git(&["update-index", "--add", "--cacheinfo", &add]);
    repo.git(&["commit", "-q", "-m", "add submodule"]);
    let moved = format!("160000,{new},vendor/lib");
    repo.git(&["update-index", "--cacheinfo", &moved]);
    repo.git(&["commit", "-q", "-m", "move submodule"]);

    let (run, report) = repo.check_json(&["--base", "change~1"]);
    run.expect_code(0);
    let f = &report["findings"][0];
    assert_eq!(f["rule"], "guard/submodule-changed");
    assert_eq!(f["severity"], "info");
    assert_eq!(f["path"], "vendor/lib");
    let message = f["message"].as_str().unwrap();
    assert!(message.contains(&format!("{old} → {new}")), "{message}");
    assert_eq!(report["findings"].as_array().unwrap().len(), 1);

    let (_, report) = repo.check_json(&["--base", "main"]);
    assert!(
        report["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("added")
    );
}

#[test]
fn mode_only_changes_are_part_of_the_change() {
    let repo = branch_from(&[("deploy.sh", "echo hi\n")]);
    repo.git(&["update-index", "--chmod=+x", "deploy.sh"]);
    repo.git(&["commit", "-q", "-m", "chmod"]);
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(0);
    assert_eq!(report["summary"]["files_changed"], 1);
}

#[test]
fn type_changes_between_file_and_symlink_are_judged() {
    let repo = branch_from(&[("config.js", "module.exports = {};\n"), ("other", "x\n")]);
    std::fs::remove_file(repo.path().join("config.js")).unwrap();
    std::os::unix::fs::symlink("other", repo.path().join("config.js")).unwrap();
    repo.commit("file -> symlink");
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(0);
    assert_eq!(report["summary"]["files_changed"], 1);

    repo.git(&["rm", "-q", "config.js"]);
    repo.write("config.js", WILDCARD_CORS);
    repo.commit("symlink -> file");
    let (run, report) = repo.check_json(&["--base", "change~1"]);
    run.expect_code(1);
    assert_eq!(
        rules_fired(&report),
        vec!["cors/wildcard-origin".to_string()]
    );
}

#[test]
/// Judged whole, to the last line; its cost is measured by `scripts/bench.sh`, not timed here.
fn a_200000_line_file_is_judged_to_its_last_line() {
    let repo = branch_from(&[("README", "x\n")]);
    let mut big = String::with_capacity(200_000 * 16);
    for i in 0..200_000 {
        big.push_str(&format!("v{i} = {i};\n"));
    }
    assert!((big.len() as u64) < deploy_guard::source::MAX_SCANNED_BYTES);
    big.push_str(WILDCARD_CORS);
    repo.write("server/big.js", &big);
    repo.commit("big");
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(1);
    assert_eq!(
        findings(&report),
        ["cors/wildcard-origin server/big.js:200001"]
    );
}

#[test]
fn files_over_the_size_limit_are_listed_as_too_large_not_silently_dropped() {
    let repo = branch_from(&[("README", "x\n")]);
    let line = "a".repeat(10 * 1024 * 1024);
    repo.write("one-line.js", format!("{}{line}\n", WILDCARD_CORS));
    repo.write("index.py ", format!("{line}\n"));
    repo.commit("huge");
    let (run, report) = repo.check_json(&["--base", "main"]);
    // Not scanned, but listed and said once per file; rules on the name still apply.
    assert_eq!(
        skipped(&report),
        vec![
            ("index.py ".into(), "too-large".into()),
            ("one-line.js".into(), "too-large".into())
        ]
    );
    assert_eq!(
        findings(&report),
        [
            "filename/edge-whitespace index.py ",
            "guard/not-judged index.py ",
            "guard/not-judged one-line.js"
        ]
    );
    run.expect_code(1);
    assert!(deploy_guard::source::MAX_SCANNED_BYTES < line.len() as u64);
}

#[test]
fn content_arriving_through_a_merges_second_parent_is_judged() {
    let repo = branch_from(&[("README", "x\n")]);
    repo.branch("side");
    repo.commit_file("server/app.js", WILDCARD_CORS);
    repo.switch("change");
    repo.commit_file("docs.txt", "notes\n");
    repo.git(&["merge", "-q", "--no-ff", "-m", "merge side", "side"]);
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(1);
    assert!(
        findings(&report).contains(&"cors/wildcard-origin server/app.js:1".to_string()),
        "{report:#}"
    );
}

#[test]
fn an_empty_range_says_nothing_was_judged() {
    let repo = branch_from(&[("README", "x\n")]);
    let (run, report) = repo.check_json(&["--base", "main", "--head", "main"]);
    run.expect_code(0);
    assert_eq!(report["verdict"], "clear");
    assert!(
        report["note"]
            .as_str()
            .is_some_and(|n| n.starts_with("nothing to judge: base and head are the same commit")),
        "{report:#}"
    );
    assert_eq!(report["summary"]["files_changed"], 0);
}

#[test]
fn unrelated_histories_exit_2_with_a_cure() {
    let repo = branch_from(&[("README", "x\n")]);
    repo.git(&["checkout", "-q", "--orphan", "island"]);
    repo.commit_file("server/app.js", WILDCARD_CORS);
    let run = repo.check(&["--base", "main"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("error: no common ancestor"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("  help: "), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn a_base_that_moved_on_is_compared_from_the_merge_base() {
    let repo = branch_from(&[("README", "x\n")]);
    repo.commit_file("mine.txt", "mine\n");
    repo.switch("main");
    // main moves on with a hazard the change under judgment did not make.
    repo.commit_file("server/app.js", WILDCARD_CORS);
    repo.switch("change");
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(0);
    assert_eq!(report["summary"]["files_changed"], 1);
    assert_eq!(rules_fired(&report), Vec::<String>::new());
}

#[test]
fn human_output_never_carries_raw_control_characters() {
    let repo = branch_from(&[("README", "x\n")]);
    let evil = "\u{1b}]0;pwned\u{7}\u{1b}[2J\r\u{9b}31m";
    repo.write(
        &format!("x{evil}.js"),
        format!("app.use(cors({{ origin: '*' }})); // {evil}\n"),
    );
    repo.commit("escape sequences");
    let run = repo.check(&["--base", "main"]);
    run.expect_code(1);
    for bad in ['\u{1b}', '\u{7}', '\r', '\u{9b}'] {
        assert!(
            !run.stdout.contains(bad),
            "raw U+{:04X} in human output: {:?}",
            bad as u32,
            run.stdout
        );
    }
    assert!(run.stdout.contains("\\u{1b}"), "{}", run.stdout);
}

#[test]
fn human_output_never_carries_raw_bidi_controls() {
    let repo = branch_from(&[("README", "x\n")]);
    let evil = "\u{202e}evil\u{2066}";
    repo.write(
        &format!("x{evil}.js"),
        format!("app.use(cors({{ origin: '*' }})); // {evil}\n"),
    );
    repo.commit("bidi");
    let run = repo.check(&["--base", "main"]);
    for bad in ['\u{202e}', '\u{2066}'] {
        assert!(
            !run.stdout.contains(bad),
            "raw U+{:04X}: {:?}",
            bad as u32,
            run.stdout
        );
    }
}

#[test]
fn a_range_whose_objects_cannot_be_read_never_exits_0() {
    let repo = branch_from(&[("README", "x\n")]);
    repo.commit_file("server/app.js", WILDCARD_CORS);
    let blob = repo.rev("HEAD:server/app.js");
    let object = repo
        .path()
        .join(".git/objects")
        .join(&blob[..2])
        .join(&blob[2..]);
    std::fs::remove_file(object).unwrap();
    let run = repo.check(&["--base", "main"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("error: ") && run.stderr.contains("  help: "),
        "{}",
        run.stderr
    );
}

#[test]
fn the_working_tree_gets_the_same_limits_and_follows_links_inside_it() {
    let repo = Repo::with_files(&[("real.js", WILDCARD_CORS)]);
    std::os::unix::fs::symlink("real.js", repo.path().join("link.js")).unwrap();
    repo.write("huge.js", "x".repeat(6 * 1024 * 1024));
    repo.write(
        "model.bin.js",
        "version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 1\n",
    );
    let (run, report) = repo.check_json(&["--worktree"]);
    run.expect_code(1);
    assert_eq!(
        skipped(&report),
        vec![
            ("huge.js".into(), "too-large".into()),
            ("model.bin.js".into(), "lfs-pointer".into())
        ]
    );
    assert_eq!(report["summary"]["files_changed"], 3);
    assert_eq!(
        findings(&report),
        [
            "guard/not-judged huge.js",
            "cors/wildcard-origin link.js:1",
            "guard/not-judged model.bin.js"
        ]
    );
}
