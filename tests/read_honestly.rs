//! The change under judgment cannot choose how it is read, and nothing unread passes as
//! "clear": git attributes (at the root, in a subfolder, only in the working tree; one file
//! changed or enough for the threaded path), NUL bytes, byte-order marks and UTF-16, symlinks,
//! upper-case names, LFS pointers, oversize and unparsable deployable files, empty ranges, a
//! default base that is the head itself. Each case on a real repository (pre-push ranges are in
//! `tests/integration/hooks.rs`); SECURITY.md lists them.

mod common;

use common::{Repo, WILDCARD_CORS, findings};
use serde_json::Value;

/// A manifest with an image pinned by version: the safe base of the image cases.
const PINNED: &str = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.25.3\n";

/// The same manifest reset to `latest`.
const LATEST: &str = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:latest\n";

/// A repository on branch `change`, forked from `main` holding `files`.
fn branch_from(files: &[(&str, &str)]) -> Repo {
    let repo = Repo::with_files(files);
    repo.branch("change");
    repo
}

/// The `skipped` entries of a JSON report as (path, reason).
fn skipped(report: &Value) -> Vec<(String, String)> {
    report["skipped"]
        .as_array()
        .expect("skipped array")
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap_or_default().to_string(),
                s["reason"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The severity of the one finding of `rule` at `path`.
fn severity_of(report: &Value, rule: &str, path: &str) -> String {
    let found: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .filter(|f| f["rule"] == rule && f["path"] == path)
        .collect();
    assert_eq!(found.len(), 1, "one {rule} at {path}: {report:#}");
    found[0]["severity"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Asserts that every one of `hazards` (`"rule path:line"`) was found, naming `case`.
#[track_caller]
fn expect_found(report: &Value, hazards: &[&str], case: &str) {
    let found = findings(report);
    for hazard in hazards {
        assert!(
            found.iter().any(|f| f == hazard),
            "{case}: {hazard} not found: {report:#}"
        );
    }
}

/// Asserts the severity of the one `guard/not-judged` finding at each path.
#[track_caller]
fn expect_not_judged(report: &Value, severities: &[(&str, &str)]) {
    for (path, severity) in severities {
        assert_eq!(
            severity_of(report, "guard/not-judged", path),
            *severity,
            "{path}"
        );
    }
}

/// Writes `count - 1` harmless files besides `server/app.js`, so the change has `count` files
/// (more than 64 reads them on several threads).
fn with_files_changed(repo: &Repo, count: usize) {
    for i in 1..count {
        repo.write(&format!("src/f{i:03}.js"), format!("let x = {i};\n"));
    }
}

/// Attribute lines that would make files binary or undiffable for git.
const HIDING: &str = "*.js binary\n*.yaml -diff\n";

/// A change opening CORS in `server/app.js` and resetting an image in `k8s/app.yaml`, among
/// `count` changed files, with `attributes` written at `at` (committed, or only in the working
/// tree): both hazards are still found, and a committed attribute file is reported.
fn attributes_cannot_hide(at: &str, committed: bool, count: usize) {
    let repo = branch_from(&[("k8s/app.yaml", PINNED), ("README", "x\n")]);
    repo.write("server/app.js", WILDCARD_CORS);
    repo.write("k8s/app.yaml", LATEST);
    with_files_changed(&repo, count.saturating_sub(1));
    if committed {
        repo.write(at, HIDING);
    }
    repo.commit("the change");
    if !committed {
        repo.write(at, HIDING);
    }
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(1);
    let case = format!("{at} ({count} files, committed: {committed})");
    expect_found(
        &report,
        &[
            "cors/wildcard-origin server/app.js:1",
            "image/pinned-to-mutable k8s/app.yaml:8",
        ],
        &case,
    );
    assert!(skipped(&report).is_empty(), "{report:#}");
    let hides = findings(&report)
        .iter()
        .filter(|f| f.starts_with("guard/attributes-hide-files"))
        .count();
    assert_eq!(hides, if committed { 2 } else { 0 }, "{report:#}");
}

/// [`attributes_cannot_hide`] for each of `places`, with two files changed and with 70 (the
/// threaded path).
fn attributes_cannot_hide_anywhere(places: &[&str], committed: bool) {
    for count in [2, 70] {
        for at in places {
            attributes_cannot_hide(at, committed, count);
        }
    }
}

#[test]
fn gitattributes_at_the_root_cannot_hide_files() {
    attributes_cannot_hide_anywhere(&[".gitattributes"], true);
}

#[test]
fn gitattributes_in_a_subfolder_cannot_hide_files() {
    attributes_cannot_hide_anywhere(&["server/.gitattributes", "k8s/.gitattributes"], true);
}

#[test]
fn gitattributes_only_in_the_working_tree_cannot_hide_files() {
    attributes_cannot_hide_anywhere(&[".gitattributes"], false);
}

#[test]
fn gitattributes_cannot_hide_staged_or_uncommitted_files() {
    for count in [2usize, 70] {
        let repo = Repo::with_files(&[("README", "x\n")]);
        repo.write(".gitattributes", HIDING);
        repo.commit("attributes");
        repo.write("server/app.js", WILDCARD_CORS);
        with_files_changed(&repo, count);
        for mode in ["--worktree", "--staged"] {
            if mode == "--staged" {
                repo.git(&["add", "-A"]);
            }
            let (run, report) = repo.check_json(&[mode]);
            run.expect_code(1);
            let case = format!("{mode}, {count} files");
            expect_found(&report, &["cors/wildcard-origin server/app.js:1"], &case);
        }
    }
}

#[test]
fn a_nul_byte_does_not_make_source_or_yaml_binary() {
    for count in [2usize, 70] {
        let repo = branch_from(&[("k8s/app.yaml", PINNED)]);
        repo.write(
            "server/app.js",
            format!("// build \0 marker\n{WILDCARD_CORS}"),
        );
        repo.write("k8s/app.yaml", format!("{LATEST}# \0\n"));
        with_files_changed(&repo, count.saturating_sub(1));
        repo.commit("nul bytes");
        let (run, report) = repo.check_json(&["--base", "main"]);
        run.expect_code(1);
        assert!(
            skipped(&report).iter().all(|(_, r)| r != "binary"),
            "{report:#}"
        );
        expect_found(
            &report,
            &[
                "cors/wildcard-origin server/app.js:2",
                "image/pinned-to-mutable k8s/app.yaml:8",
            ],
            &format!("{count} files"),
        );
    }
}

/// `text` encoded as UTF-16 (little- or big-endian), after `prefix`.
fn utf16(prefix: &[u8], text: &str, little: bool) -> Vec<u8> {
    let units = text.encode_utf16().flat_map(|u| match little {
        true => u.to_le_bytes(),
        false => u.to_be_bytes(),
    });
    prefix.iter().copied().chain(units).collect()
}

#[test]
fn utf16_and_byte_order_marks_are_decoded_not_skipped() {
    let repo = branch_from(&[("k8s/app.yaml", PINNED)]);
    repo.write("le.js", utf16(b"\xFF\xFE", WILDCARD_CORS, true));
    repo.write("be.js", utf16(b"\xFE\xFF", WILDCARD_CORS, false));
    repo.write("nobom.js", utf16(b"", WILDCARD_CORS, true));
    repo.write(
        "bom8.js",
        [&b"\xEF\xBB\xBF"[..], WILDCARD_CORS.as_bytes()].concat(),
    );
    repo.write("k8s/app.yaml", utf16(b"\xFF\xFE", LATEST, true));
    repo.commit("encodings");
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(1);
    assert!(skipped(&report).is_empty(), "{report:#}");
    assert_eq!(
        findings(&report),
        [
            "cors/wildcard-origin be.js:1",
            "cors/wildcard-origin bom8.js:1",
            "image/pinned-to-mutable k8s/app.yaml:8",
            "cors/wildcard-origin le.js:1",
            "cors/wildcard-origin nobom.js:1"
        ]
    );
}

#[test]
fn undecodable_text_is_a_finding_not_silence() {
    let repo = branch_from(&[("README", "x\n")]);
    let mut broken = utf16(b"\xFF\xFE", LATEST, true);
    broken.extend_from_slice(b"\x00\xD8a\x00"); // an unpaired surrogate
    repo.write("k8s/app.yaml", &broken);
    repo.write("notes.txt", utf16(b"\xFF\xFE\0\0", "x", true)); // UTF-32LE
    repo.commit("broken encodings");
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(0);
    assert_eq!(report["verdict"], "needs-review", "{report:#}");
    assert_eq!(
        skipped(&report),
        [
            ("k8s/app.yaml".into(), "undecodable".into()),
            ("notes.txt".into(), "unsupported-encoding".into())
        ]
    );
    expect_not_judged(
        &report,
        &[("k8s/app.yaml", "warning"), ("notes.txt", "info")],
    );
}

#[test]
fn a_symlink_is_judged_by_the_file_it_serves_under_both_names() {
    let repo = branch_from(&[("k8s/deploy.yaml", PINNED), ("README", "x\n")]);
    // A scanned name turned into a link to a file of another type, added alongside.
    repo.write("k8s/notes.txt", LATEST);
    std::fs::remove_file(repo.path().join("k8s/deploy.yaml")).unwrap();
    std::os::unix::fs::symlink("notes.txt", repo.path().join("k8s/deploy.yaml")).unwrap();
    // A new link with a harmless name to source that opens CORS, through a folder link.
    repo.write("lib/real/cors.txt", WILDCARD_CORS);
    std::os::unix::fs::symlink("real", repo.path().join("lib/current")).unwrap();
    std::os::unix::fs::symlink("lib/current/cors.txt", repo.path().join("server.js")).unwrap();
    // And the other way round: an innocent name serving a manifest's content.
    repo.write("manifests/app.yaml", LATEST);
    std::os::unix::fs::symlink("manifests/app.yaml", repo.path().join("current")).unwrap();
    repo.commit("links");
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(1);
    // (Whether git pairs the old deploy.yaml with notes.txt as a rename decides which image
    // rule speaks; either way the link's name is judged with the content it serves.)
    expect_found(
        &report,
        &[
            "image/latest-tag k8s/deploy.yaml:8",
            "cors/wildcard-origin server.js:1",
            "image/latest-tag current:8",
        ],
        "links",
    );
}

#[test]
fn a_symlink_out_of_the_repository_is_reported() {
    let repo = branch_from(&[("README", "x\n")]);
    std::os::unix::fs::symlink("/etc/passwd", repo.path().join("app.yaml")).unwrap();
    std::fs::create_dir_all(repo.path().join("config")).unwrap();
    std::os::unix::fs::symlink("../../secrets/.env", repo.path().join("config/.env")).unwrap();
    std::os::unix::fs::symlink("../../x.js", repo.path().join("config/x.js")).unwrap();
    repo.commit("links out");
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(0);
    assert_eq!(report["verdict"], "needs-review");
    let rule = "guard/symlink-outside-repository";
    assert_eq!(severity_of(&report, rule, "app.yaml"), "warning");
    assert_eq!(severity_of(&report, rule, "config/.env"), "warning");
    assert_eq!(severity_of(&report, rule, "config/x.js"), "info");
}

#[test]
fn a_symlink_whose_target_holds_any_bytes_never_makes_the_gate_fall_over() {
    let repo = branch_from(&[("README", "x\n")]);
    for (name, target) in [
        ("nul.yaml", "a\0b"),
        ("loop.yaml", "loop.yaml"),
        ("dir.yaml", "."),
        ("deep.yaml", "../x/../../y"),
    ] {
        let blob = repo.path().join("blob");
        std::fs::write(&blob, target).unwrap();
        let id = repo.git(&["hash-object", "-w", "blob"]);
        std::fs::remove_file(blob).unwrap();
        repo.git(&[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("120000,{id},{name}"),
        ]);
    }
    let (run, staged) = repo.check_json(&["--staged"]);
    run.expect_code(0);
    repo.git(&["commit", "-q", "-m", "odd links"]);
    let (run, ranged) = repo.check_json(&["--base", "main"]);
    run.expect_code(0);
    for report in [staged, ranged] {
        assert_eq!(
            findings(&report),
            ["guard/symlink-outside-repository deep.yaml"],
            "{report:#}"
        );
    }
}

#[test]
fn upper_case_extensions_and_names_are_judged_like_lower_case_ones() {
    let repo = branch_from(&[("README", "x\n")]);
    repo.write("server/App.JS", WILDCARD_CORS);
    repo.write("k8s/Deployment.YAML", LATEST);
    repo.write("DOCKERFILE", "FROM nginx:latest\n");
    repo.write(
        "Docker-Compose.YML",
        "services:\n  cache:\n    image: redis:latest\n",
    );
    // Folders fold too: an exclusion written in lower case still applies.
    repo.write("Legacy/lib/app.js", WILDCARD_CORS);
    repo.commit("shouting");
    let (run, report) = repo.check_json(&["--base", "main", "--exclude", "legacy/**"]);
    run.expect_code(1);
    assert_eq!(
        findings(&report),
        [
            "image/base-image-latest DOCKERFILE:1",
            "image/latest-tag Docker-Compose.YML:3",
            "image/latest-tag k8s/Deployment.YAML:8",
            "cors/wildcard-origin server/App.JS:1"
        ]
    );
}

#[test]
fn an_lfs_pointer_of_a_deployable_file_needs_review() {
    let pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n";
    let repo = branch_from(&[("README", "x\n")]);
    repo.write("k8s/deployment.yaml", pointer);
    repo.write("assets/logo.png", pointer);
    repo.commit("lfs");
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(0);
    assert_eq!(report["verdict"], "needs-review");
    assert_eq!(findings(&report), ["guard/not-judged k8s/deployment.yaml"]);
    expect_not_judged(&report, &[("k8s/deployment.yaml", "warning")]);
    assert_eq!(skipped(&report).len(), 2, "both listed: {report:#}");
}

#[test]
fn an_oversize_deployable_file_needs_review() {
    let repo = branch_from(&[("README", "x\n")]);
    let mut big = String::from(LATEST);
    while big.len() < 6 * 1024 * 1024 {
        big.push_str("# padding padding padding padding padding padding padding padding\n");
    }
    repo.write("k8s/big.yaml", &big);
    repo.write("dist/bundle.js", &big);
    repo.commit("big");
    let (run, report) = repo.check_json(&["--base", "main", "--fail-on", "warning"]);
    run.expect_code(1);
    expect_not_judged(
        &report,
        &[("k8s/big.yaml", "warning"), ("dist/bundle.js", "info")],
    );
}

#[test]
fn a_deployable_binary_artifact_needs_review_but_images_and_wrappers_do_not() {
    let repo = branch_from(&[("README", "x\n")]);
    repo.write("lambda/function.zip", b"PK\x03\x04\0\0\0\0payload");
    repo.write("assets/logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    repo.write("gradle/wrapper/gradle-wrapper.jar", b"PK\x03\x04\0\0\0\0");
    repo.commit("binaries");
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(0);
    assert_eq!(findings(&report), ["guard/not-judged lambda/function.zip"]);
    assert_eq!(report["verdict"], "needs-review");
    assert_eq!(skipped(&report).len(), 3);
}

#[test]
fn an_unparsable_compose_file_is_said_once_and_a_helm_template_quietly() {
    let repo = branch_from(&[("README", "x\n")]);
    repo.write(
        "docker-compose.yml",
        "services:\n  web:\n    image: nginx:latest\n    ports: [\"80:80\"\n  db: {\n",
    );
    repo.write(
        "charts/app/templates/deployment.yaml",
        "{{- if .Values.enabled }}\nkind: Deployment\n  {{ include \"x\" . }}\n{{- end }}\n",
    );
    repo.commit("unparsable");
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(0);
    assert_eq!(report["verdict"], "needs-review", "{report:#}");
    assert_eq!(findings(&report), ["guard/not-judged docker-compose.yml"]);
    // The template holds nothing a structured rule reads, so it is not even parsed; its
    // changed lines were judged.
    let reasons = skipped(&report);
    assert_eq!(reasons.len(), 1, "one line per file: {report:#}");
    assert_eq!(reasons[0].0, "docker-compose.yml");
    assert!(reasons[0].1.starts_with("structured rules not applied"));
}

#[test]
fn an_empty_range_says_what_was_compared_in_every_format() {
    let repo = branch_from(&[("README", "x\n")]);
    let same = "nothing to judge: base and head are the same commit";
    for (format, text) in [
        ("human", same),
        ("json", same),
        ("github", same),
        ("markdown", same),
    ] {
        let run = repo.check(&["--base", "main", "--head", "main", "--format", format]);
        run.expect_code(0);
        run.expect_stdout(text);
        assert!(!run.stdout.contains("clear: 0 errors"), "{run:#?}");
    }
    repo.git(&["commit", "-q", "--allow-empty", "-m", "nothing"]);
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(0);
    let note = report["note"].as_str().unwrap_or_default();
    assert!(
        note.starts_with("nothing to judge: no file changed between"),
        "{report:#}"
    );
    let run = repo.check(&["--staged"]);
    run.expect_stdout("nothing to judge: no file changed between HEAD");
}

/// A clone whose branch `feature` is pushed and tracks itself: the default base is the head.
fn pushed_branch_tracking_itself() -> Repo {
    let remote = Repo::bare();
    let work = Repo::with_files(&[("README", "x\n")]);
    work.git(&["remote", "add", "origin", &remote.url()]);
    work.git(&["push", "-q", "origin", "main"]);
    work.branch("feature");
    work.commit_file("server/app.js", WILDCARD_CORS);
    work.git(&["push", "-q", "-u", "origin", "feature"]);
    work
}

#[test]
fn a_default_base_that_is_the_head_itself_fails_in_ci_and_warns_locally() {
    let work = pushed_branch_tracking_itself();
    let ci = work.run_with_env(&["check"], &[("CI", "true")]);
    ci.expect_refusal("the default base origin/feature is HEAD itself")
        .expect_stderr("help: pass --base");
    let local = work.check(&[]);
    local.expect_code(0);
    local.expect_stderr("origin/feature is HEAD itself");
    local.expect_stdout("nothing to judge: base and head are the same commit");
    // Naming the base judges the branch.
    work.check(&["--base", "main"]).expect_code(1);
}

#[test]
fn every_test_security_md_names_exists() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = std::fs::read_to_string(root.join("SECURITY.md")).expect("SECURITY.md");
    let mut named = 0;
    for cell in page.split('`') {
        let Some((file, name)) = cell.split_once(".rs::") else {
            continue;
        };
        let source = std::fs::read_to_string(root.join(format!("{file}.rs")))
            .unwrap_or_else(|e| panic!("SECURITY.md names {file}.rs: {e}"));
        assert!(
            source.contains(&format!("fn {name}(")),
            "SECURITY.md names {file}.rs::{name}, which does not exist"
        );
        named += 1;
    }
    assert!(named >= 30, "only {named} tests named");
}
