//! The gate cannot be disarmed by accident or by formatting, judged end to end on real
//! repositories: an exemption word elsewhere on a line does not excuse a wildcard origin, and a
//! wildcard origin split over lines or held in a constant of the same file is still an error.

mod common;

use common::Repo;

/// A repository on `main` holding `path` with `before`, switched to branch `change` where
/// `path` holds `after` (committed): the exit code of `check --base main` and its findings as
/// `"rule path:line severity"`.
fn judged(path: &str, before: &str, after: &str) -> (i32, Vec<String>) {
    let repo = Repo::with_files(&[(path, before)]);
    repo.branch("change");
    repo.commit_file(path, after);
    let (run, report) = repo.check_json(&["--base", "main"]);
    let found = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            format!(
                "{} {}:{} {}",
                f["rule"].as_str().unwrap_or_default(),
                f["path"].as_str().unwrap_or_default(),
                f["line"],
                f["severity"].as_str().unwrap_or_default()
            )
        })
        .collect();
    (run.code, found)
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
