//! The shipping files keep their promises: every third-party action is pinned by commit (the
//! same commit wherever one version is named), the action has the inputs and outputs its docs
//! name and runs its logic from scripts that exist, and no page points at a placeholder owner or a
//! release that does not exist.

use regex::Regex;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use yaml_rust2::{Yaml, YamlLoader};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(root().join(relative))
        .unwrap_or_else(|e| panic!("read {relative}: {e}"))
}

fn files_in(dir: &str, extension: &str) -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(root().join(dir))
        .unwrap_or_else(|e| panic!("read {dir}: {e}"))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == extension))
        .collect();
    files.sort();
    files
}

/// The workflows, the action and the pages that show workflow snippets.
fn files_with_uses() -> Vec<PathBuf> {
    let mut files = files_in(".github/workflows", "yml");
    files.push(root().join("action.yml"));
    files.extend(files_in("docs", "md"));
    files.push(root().join("README.md"));
    files
}

#[test]
fn every_third_party_action_is_pinned_by_commit_with_its_version() {
    let uses = Regex::new(r"(?m)^\s*(?:-\s+)?uses:\s*(\S+)(.*)$").expect("regex");
    let pinned = Regex::new(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$").expect("regex");
    let version = Regex::new(r"^\s+# (v\d+\.\d+\.\d+)\b").expect("regex");
    let mut commits: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut seen = 0;
    for file in files_with_uses() {
        let text = std::fs::read_to_string(&file).expect("read");
        let name = file
            .strip_prefix(root())
            .expect("in repo")
            .display()
            .to_string();
        for m in uses.captures_iter(&text) {
            let (target, rest) = (&m[1], &m[2]);
            // Local actions, and the gate itself in the user-facing snippets (users pick its ref).
            if target.starts_with("./") || target.starts_with("deploy-guard/deploy-guard@") {
                continue;
            }
            seen += 1;
            let Some(tag) = version.captures(rest).map(|c| c[1].to_string()) else {
                problems.push(format!("{name}: `{target}` has no `# vX.Y.Z` comment"));
                continue;
            };
            if !pinned.is_match(target) {
                problems.push(format!(
                    "{name}: `{target}` is not pinned by a full commit id"
                ));
                continue;
            }
            let (action, commit) = target.split_once('@').expect("has @");
            let key = (action.to_string(), tag.clone());
            match commits.get(&key) {
                Some(other) if other != commit => problems.push(format!(
                    "{name}: {action} {tag} is {commit} here and {other} elsewhere"
                )),
                _ => {
                    commits.insert(key, commit.to_string());
                }
            }
        }
    }
    assert!(seen >= 10, "found only {seen} third-party `uses:`");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn yaml(relative: &str) -> Yaml {
    YamlLoader::load_from_str(&read(relative))
        .unwrap_or_else(|e| panic!("{relative}: {e}"))
        .into_iter()
        .next()
        .expect("one document")
}

fn keys(map: &Yaml) -> Vec<&str> {
    map.as_hash()
        .expect("a mapping")
        .keys()
        .filter_map(Yaml::as_str)
        .collect()
}

#[test]
fn the_action_has_its_documented_inputs_and_outputs_and_its_scripts_exist() {
    let action = yaml("action.yml");
    let inputs = keys(&action["inputs"]);
    for input in [
        "args",
        "config",
        "fail-on",
        "sarif",
        "working-directory",
        "version",
        "build-from-source",
    ] {
        assert!(inputs.contains(&input), "input {input} missing: {inputs:?}");
    }
    let outputs = keys(&action["outputs"]);
    assert_eq!(
        outputs,
        ["verdict", "errors", "warnings", "sarif-file", "exit-code"]
    );
    let docs = read("docs/github-actions.md");
    for name in inputs.iter().chain(&outputs) {
        assert!(
            docs.contains(&format!("| `{name}` |")),
            "docs/github-actions.md does not document `{name}`"
        );
    }
    let script = Regex::new(r#"\$\{GITHUB_ACTION_PATH\}/([\w/.-]+\.sh)"#).expect("regex");
    let steps = action["runs"]["steps"].as_vec().expect("steps");
    let mut scripts = 0;
    for step in steps {
        if let Some(run) = step["run"].as_str() {
            for m in script.captures_iter(run) {
                assert!(root().join(&m[1]).is_file(), "{} does not exist", &m[1]);
                scripts += 1;
            }
            assert!(
                !run.contains("${{"),
                "inputs reach scripts through env, never ${{{{ }}}}: {run}"
            );
        }
    }
    assert!(scripts >= 3, "the steps run the scripts in scripts/action/");
}

#[test]
fn no_page_names_a_placeholder_owner_or_an_unreleased_major() {
    let mut pages = files_in("docs", "md");
    pages.extend(files_in(".", "md"));
    pages.push(root().join("templates/deploy-guard.gitlab-ci.yml"));
    let stale = Regex::new(r"\bOWNER/|deploy-guard@v1\b").expect("regex");
    for page in pages {
        let text = std::fs::read_to_string(&page).expect("read");
        if let Some(m) = stale.find(&text) {
            panic!("{}: `{}`", page.display(), m.as_str());
        }
    }
}
