//! The gate cannot be disarmed by accident or by formatting, judged end to end on real
//! repositories: an exemption word elsewhere on a line does not excuse a wildcard origin, and a
//! wildcard origin split over lines or held in a constant of the same file is still an error.

mod common;

use common::Repo;

/// A repository on `main` holding `path` with `before`, switched to branch `change` where
/// `path` holds `after` (committed; `None`: deleted): the exit code of `check --base main` and
/// its findings, each as the values of `keys` (`line` as a number, the rest as text).
fn judge(path: &str, before: &str, after: Option<&str>, keys: &[&str]) -> (i32, Vec<Vec<String>>) {
    let repo = Repo::with_files(&[(path, before)]);
    repo.branch("change");
    match after {
        Some(text) => repo.commit_file(path, text),
        None => {
            repo.git(&["rm", "-q", path]);
            repo.commit("delete")
        }
    };
    let (run, report) = repo.check_json(&["--base", "main"]);
    let found = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            keys.iter()
                .map(|k| match &f[*k] {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Null => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    (run.code, found)
}

/// [`judge`] with findings as `"rule path:line severity"`.
fn judged(path: &str, before: &str, after: &str) -> (i32, Vec<String>) {
    let (code, found) = judge(
        path,
        before,
        Some(after),
        &["rule", "path", "line", "severity"],
    );
    let found = found
        .iter()
        .map(|f| format!("{} {}:{} {}", f[0], f[1], f[2], f[3]))
        .collect();
    (code, found)
}

#[test]
fn a_carve_out_word_elsewhere_on_the_line_does_not_excuse_a_wildcard_origin() {
    for line in [
        "app.use(cors({ origin: '*' })); // TODO: postMessage targetOrigin\n",
        "const q = { action: 'query' }; app.use(cors({ origin: '*' }));\n",
        ";app.use(cors({ origin: '*' }))\n",
    ] {
        let (code, found) = judged("server/app.js", "const app = express();\n", line);
        assert_eq!(code, 1, "{line}: {found:?}");
        assert_eq!(
            found,
            ["cors/wildcard-origin server/app.js:1 error"],
            "{line}"
        );
    }
    // The carve-out itself still holds where it touches the match.
    let (code, found) = judged(
        "server/app.js",
        "const app = express();\n",
        "window.parent.postMessage({ targetOrigin: '*' }, '*');\n",
    );
    assert_eq!((code, found), (0, vec![]));
}

#[test]
fn a_wildcard_origin_split_over_lines_is_an_error_on_the_line_that_added_it() {
    let before = "app.use(cors({\n  origin:\n    'https://app.example.com',\n}));\n";
    let after = "app.use(cors({\n  origin:\n    '*',\n}));\n";
    let (code, found) = judged("server/app.js", before, after);
    assert_eq!(code, 1, "{found:?}");
    assert_eq!(found, ["cors/wildcard-origin server/app.js:3 error"]);

    let python =
        "app.add_middleware(\n    CORSMiddleware,\n    allow_origins=[\n        \"*\"\n    ],\n)\n";
    let (code, found) = judged("api/main.py", "import os\n", python);
    assert_eq!(code, 1, "{found:?}");
    // One error for the list (its wildcard item), no "setting changed" warning on its lines.
    assert_eq!(
        found,
        [
            "cors/policy-changed api/main.py:2 warning",
            "cors/wildcard-list-item api/main.py:4 error"
        ]
    );
}

#[test]
fn a_wildcard_held_in_a_constant_of_the_same_file_is_an_error_once() {
    let cases = [
        (
            "server/app.js",
            "const ORIGINS = '*';\napp.use(cors({ origin: ORIGINS }));\n",
            "cors/wildcard-origin server/app.js:1 error",
        ),
        (
            "api/main.py",
            "ALLOWED = [\"*\"]\n\napp.add_middleware(CORSMiddleware, allow_origins=ALLOWED)\n",
            "cors/wildcard-origin api/main.py:3 error",
        ),
        (
            "server/headers.js",
            "const ACAO = 'Access-Control-Allow-Origin';\nres.set(ACAO, '*');\n",
            "cors/wildcard-origin server/headers.js:2 error",
        ),
    ];
    for (path, after, want) in cases {
        let (code, found) = judged(path, "// empty\n", after);
        assert_eq!(code, 1, "{path}: {found:?}");
        assert_eq!(found, [want], "{path}");
    }
    // Only the constant changed: reported on its definition.
    let (code, found) = judged(
        "server/app.js",
        "const ORIGINS = ['https://app.example.com'];\napp.use(cors({ origin: ORIGINS }));\n",
        "const ORIGINS = '*';\napp.use(cors({ origin: ORIGINS }));\n",
    );
    assert_eq!(code, 1, "{found:?}");
    assert_eq!(found, ["cors/wildcard-origin server/app.js:1 error"]);
}

#[test]
fn an_allowlist_constant_or_a_wildcard_elsewhere_is_not_a_wildcard_origin() {
    let cases = [
        "const ORIGINS = ['https://app.example.com'];\napp.use(cors({ origin: ORIGINS }));\n",
        "const ALL = '*';\napp.use(cors({ origin: allowlist }));\nrouter.get(ALL, notFound);\n",
        "app.use(cors({\n  origin: [\n    // '*', never again\n    'https://app.example.com',\n  ],\n}));\n",
    ];
    for after in cases {
        let (_, found) = judged("server/app.js", "// empty\n", after);
        assert!(
            !found.iter().any(|f| f.starts_with("cors/wildcard-origin")),
            "{after}: {found:?}"
        );
    }
}

/// [`judge`] with findings as `(rule, line, side, message)`.
fn disarmed(
    path: &str,
    before: &str,
    after: Option<&str>,
) -> (i32, Vec<(String, u64, String, String)>) {
    let (code, found) = judge(path, before, after, &["rule", "line", "side", "message"]);
    let found = found
        .into_iter()
        .map(|f| {
            let line = f[1].parse().unwrap_or(0);
            (f[0].clone(), line, f[2].clone(), f[3].clone())
        })
        .collect();
    (code, found)
}

/// The one finding of a change of `path` (see [`disarmed`]), which must not fail the run.
fn one_finding(path: &str, before: &str, after: Option<&str>) -> (String, u64, String, String) {
    let (code, found) = disarmed(path, before, after);
    assert_eq!(code, 0, "{after:?}: {found:?}");
    assert_eq!(found.len(), 1, "{after:?}: {found:?}");
    found.into_iter().next().unwrap_or_default()
}

/// Each edit of `base` (a string replaced by another) must give exactly one
/// `guard/gate-disarmed` finding, on `line` (of the head, or the base for a removal), whose
/// message holds `says`.
fn each_weakening_is_one_finding(path: &str, base: &str, edits: &[(&str, &str, u64, &str)]) {
    for &(from, to, line, says) in edits {
        assert!(base.contains(from), "{from}");
        let after = base.replacen(from, to, 1);
        let (rule, at, _, message) = one_finding(path, base, Some(&after));
        assert_eq!(
            (rule.as_str(), at),
            ("guard/gate-disarmed", line),
            "{to}: {message}"
        );
        assert!(message.contains(says), "{to}: {message}");
    }
}

const WORKFLOW: &str = "on:
  pull_request:
    branches: [main]
  push:
    branches: [main]
permissions:
  contents: read
  security-events: write
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: make
  gate:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: acme/deploy-guard@v1.2.0
        with:
          fail-on: error
      - run: deploy-guard check --base origin/main --format sarif > dg.sarif
";

#[test]
fn weakening_a_workflow_that_runs_the_gate_is_one_finding_each() {
    each_weakening_is_one_finding(
        ".github/workflows/gate.yml",
        WORKFLOW,
        &[
            (
                "        with:\n",
                "        continue-on-error: true\n        with:\n",
                20,
                "continue-on-error: true",
            ),
            (
                "    needs: build\n",
                "    needs: build\n    if: github.actor != 'bot'\n",
                16,
                "if: github.actor",
            ),
            (
                "      - run: make\n",
                "      - run: make\n    if: false\n",
                14,
                "through job `build`",
            ),
            (
                "  push:\n    branches: [main]\n",
                "",
                1,
                "no longer triggers on `push`",
            ),
            (
                "    branches: [main]\n  push:",
                "    branches: [main]\n    paths-ignore: ['deploy/**']\n  push:",
                4,
                "paths-ignore",
            ),
            ("fail-on: error", "fail-on: never", 21, "fail-on: never"),
            (
                "fail-on: error",
                "fail-on: ${{ inputs.level }}",
                21,
                "fail-on: ${{ inputs.level }}",
            ),
            (
                "fail-on: error\n",
                "fail-on: error\n          working-directory: docs\n",
                22,
                "working-directory: docs",
            ),
            (
                "jobs:\n",
                "env:\n  DEPLOY_GUARD_FAIL_ON: never\njobs:\n",
                10,
                "DEPLOY_GUARD_FAIL_ON",
            ),
            ("  security-events: write\n", "", 6, "SARIF"),
            ("deploy-guard@v1.2.0", "deploy-guard@main", 19, "ref: main"),
            (
                "--format sarif > dg.sarif",
                "--format sarif > dg.sarif || true",
                22,
                "|| true",
            ),
        ],
    );
}

#[test]
fn removing_the_gate_from_a_workflow_or_deleting_it_is_reported_on_the_base() {
    let workflow = ".github/workflows/gate.yml";
    let without = WORKFLOW.replace(
        "      - uses: acme/deploy-guard@v1.2.0\n        with:\n          fail-on: error\n",
        "",
    );
    let (rule, line, side, message) = one_finding(workflow, WORKFLOW, Some(&without));
    assert_eq!(
        (rule.as_str(), line, side.as_str()),
        ("guard/gate-disarmed", 19, "base")
    );
    assert!(message.contains("was removed"), "{message}");
    let (_, _, _, message) = one_finding(workflow, WORKFLOW, None);
    assert!(message.contains("no longer runs deploy-guard"), "{message}");
}

#[test]
fn unrelated_edits_of_a_workflow_that_runs_the_gate_are_quiet() {
    for (from, to) in [
        ("      - run: make\n", "      - run: make -j4\n"),
        (
            "  push:\n    branches: [main]\n",
            "  push:\n    branches: [main, release]\n",
        ),
        ("--format sarif", "--format sarif --verbose"),
    ] {
        let (code, found) = disarmed(
            ".github/workflows/gate.yml",
            WORKFLOW,
            Some(&WORKFLOW.replacen(from, to, 1)),
        );
        assert_eq!((code, found), (0, vec![]), "{to}");
    }
    // Without a SARIF upload, permissions do not matter; a manual trigger judges no change.
    let plain = "on:\n  pull_request:\n  workflow_dispatch:\njobs:\n  gate:\n    steps:\n      - run: deploy-guard check\n";
    let hardened = plain
        .replace("  workflow_dispatch:\n", "")
        .replace("jobs:", "permissions:\n  contents: read\njobs:");
    let (code, found) = disarmed(".github/workflows/gate.yml", plain, Some(&hardened));
    assert_eq!((code, found), (0, vec![]));
}

#[test]
fn weakening_a_gitlab_job_or_a_pre_commit_hook_that_runs_the_gate_is_one_finding_each() {
    let gitlab = "include:
  - project: acme/deploy-guard
    ref: v1.2.0
    file: /templates/deploy-guard.yml
deploy_guard:
  stage: test
  script:
    - deploy-guard check --base origin/main
";
    each_weakening_is_one_finding(
        ".gitlab-ci.yml",
        gitlab,
        &[
            (
                "  stage: test\n",
                "  stage: test\n  allow_failure: true\n",
                7,
                "allow_failure: true",
            ),
            (
                "  stage: test\n",
                "  stage: test\n  when: manual\n",
                7,
                "when: manual",
            ),
            (
                "  stage: test\n",
                "  stage: test\n  rules:\n    - if: $CI_COMMIT_BRANCH == 'main'\n",
                7,
                "rules",
            ),
            ("origin/main\n", "origin/main || true\n", 7, "|| true"),
            ("ref: v1.2.0", "ref: main", 3, "ref: main"),
        ],
    );
    let pre_commit = "repos:
  - repo: https://github.com/acme/deploy-guard
    rev: v1.2.0
    hooks:
      - id: deploy-guard
";
    each_weakening_is_one_finding(
        ".pre-commit-config.yaml",
        pre_commit,
        &[
            (
                "      - id: deploy-guard\n",
                "      - id: deploy-guard\n        stages: [manual]\n",
                6,
                "stages",
            ),
            (
                "      - id: deploy-guard\n",
                "      - id: deploy-guard\n        exclude: ^k8s/\n",
                6,
                "exclude",
            ),
            ("rev: v1.2.0", "rev: v0.1.0", 3, "rev: v0.1.0"),
        ],
    );
    let (_, line, side, _) =
        one_finding(".pre-commit-config.yaml", pre_commit, Some("repos: []\n"));
    assert_eq!((line, side.as_str()), (5, "base"));
}

#[test]
fn a_workflow_naming_the_gate_that_no_longer_parses_is_reported() {
    let broken = WORKFLOW.replace(
        "    branches: [main]\n  push:",
        "    branches: [main\n  push:",
    );
    let (rule, line, _, message) =
        one_finding(".github/workflows/gate.yml", WORKFLOW, Some(&broken));
    assert_eq!((rule.as_str(), line), ("guard/gate-disarmed", 0));
    assert!(message.contains("not valid YAML"), "{message}");
}

#[test]
fn a_git_hook_or_lefthook_losing_the_gate_is_reported() {
    for (path, before, after) in [
        (
            ".husky/pre-push",
            "#!/usr/bin/env sh\nnpm test\ndeploy-guard check --base origin/main\n",
            "#!/usr/bin/env sh\nnpm test\n",
        ),
        (
            "lefthook.yml",
            "pre-push:\n  commands:\n    lint:\n      run: npm run lint\n    gate:\n      run: deploy-guard check\n",
            "pre-push:\n  commands:\n    lint:\n      run: npm run lint\n",
        ),
    ] {
        let (_, found) = disarmed(path, before, Some(after));
        let rules: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(rules, ["guard/gate-step-removed"], "{path}: {found:?}");
    }
}
