//! A history's first commit: judged against the empty tree (`--root`, or the empty tree's id
//! as `--base`), and a base before it (`HEAD~1` with one commit, also in a shallow clone) named
//! for what it is instead of blamed on a shallow fetch.

use crate::common::{Repo, WILDCARD_CORS, findings};

const EMPTY_TREE: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/// One commit: a server that opens CORS, and a configuration that disables the CORS rules.
fn first_commit() -> Repo {
    Repo::with_files(&[
        ("server/app.js", WILDCARD_CORS),
        (".deploy-guard.toml", "disable = [\"cors/*\"]\n"),
    ])
}

#[test]
fn a_first_commit_is_judged_against_the_empty_tree() {
    let repo = first_commit();
    for base in [&["--root"][..], &["--base", EMPTY_TREE]] {
        let (run, report) = repo.check_json(base);
        run.expect_code(1);
        run.expect_stderr("deploy-guard: checking HEAD from the empty tree (empty tree..");
        assert_eq!(report["base"], serde_json::Value::Null);
        // The empty tree holds no configuration: the head's own cannot switch rules off.
        assert!(
            findings(&report).contains(&"cors/wildcard-origin server/app.js:1".to_string()),
            "{report:#}"
        );
    }
    let verbose = repo.check(&["--root", "-v"]);
    verbose.expect_stderr("configuration: none: the empty tree holds no .deploy-guard.toml");
    // Unless the runner names a file.
    let (run, _) = repo.check_json(&["--root", "--config", ".deploy-guard.toml"]);
    run.expect_code(0);
    repo.check(&["--root", "--base", "main"]).expect_code(2);
}

#[test]
fn a_parent_of_the_first_commit_is_named_as_such() {
    let repo = first_commit();
    let run = repo.check(&["--base", "HEAD~1"]);
    run.expect_refusal("'HEAD~1' does not exist: HEAD (");
    run.expect_stderr("is the first commit, it has no parent");
    run.expect_stderr(
        "help: to judge the whole history up to the head, compare with the empty tree: --root",
    );
    assert!(!run.stderr.contains("fetch-depth"), "{}", run.stderr);
    repo.check(&["--base", "main~2"])
        .expect_refusal("'main~2' does not exist: main (");
}

#[test]
fn a_shallow_clone_of_a_single_commit_says_so_too() {
    let origin = first_commit();
    let clone = Repo::clone_of(&origin, &["--depth", "1"]);
    let run = clone.check(&["--base", "HEAD~1"]);
    run.expect_refusal("'HEAD~1' does not exist: HEAD (");
    assert!(!run.stderr.contains("fetch-depth"), "{}", run.stderr);
    // A shallow clone whose oldest commit has a parent upstream fetches it instead.
    origin.commit_file("notes.txt", "more\n");
    let clone = Repo::clone_of(&origin, &["--depth", "1"]);
    clone.check(&["--base", "HEAD~1"]).expect_code(0);
}
