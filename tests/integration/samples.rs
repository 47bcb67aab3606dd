//! The sample outputs in the README and docs/hooks.md are the binary's own: each block that
//! follows a `<!-- sample: NAME -->` line is produced here by running the commands it shows on
//! a fixture repository, and compared. `UPDATE_DOCS=1 cargo test --test integration samples`
//! rewrites them.

use crate::common::{Repo, Run};
use crate::hooks::{self, install, push};
use std::path::Path;

/// A Deployment whose container image is pinned to `tag`.
fn deployment(tag: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: syncer\nspec:\n  template:\n    spec:\n      containers:\n        - name: syncer\n          image: registry.example.com/syncer:{tag}\n"
    )
}

const SAFE: &str =
    "const cors = require('cors');\napp.use(cors({ origin: ['https://app.example.com'] }));\n";
const OPENED: &str = "const cors = require('cors');\napp.use(cors({ origin: '*' }));\n";

/// The README's repository: `main`, and `my-branch`, which opens CORS to every origin and
/// moves the pinned image to `latest`.
fn feature_branch() -> Repo {
    let repo = Repo::with_files(&[
        ("k8s/deployment.yaml", &deployment("ag5123s")),
        ("server/app.js", SAFE),
    ]);
    repo.branch("my-branch");
    repo.write("k8s/deployment.yaml", deployment("latest"));
    repo.write("server/app.js", OPENED);
    repo.commit("sync: follow the latest image, open the API");
    repo
}

/// A terminal session: the command, what it printed (stderr's lines come first: the gate
/// writes them before the report), and its exit code.
fn session(command: &str, run: &Run) -> String {
    format!(
        "$ {command}\n{}{}$ echo $?\n{}\n",
        run.stderr, run.stdout, run.code
    )
}

/// The README's sample: `deploy-guard check` on the feature branch, then with `-q`.
fn readme_samples() -> Vec<(&'static str, String)> {
    let repo = feature_branch();
    let check = Run::strict(repo.cmd().arg("check"));
    let quiet = Run::strict(repo.cmd().args(["check", "-q", "--disable", "image/*"]));
    vec![
        ("check", session("deploy-guard check", &check)),
        (
            "check-quiet",
            session("deploy-guard check -q --disable 'image/*'", &quiet),
        ),
    ]
}

/// The refused push of docs/hooks.md: the hook installed (as the hook tests set it up), a
/// commit that opens CORS, `git push`.
/// git's own lines, which name the temporary remote, are left out.
fn hooks_samples() -> Vec<(&'static str, String)> {
    let setup = hooks::setup();
    install(&setup.work);
    setup.work.commit_file("app.js", OPENED);
    let push = push(&setup.work, &["origin", "main"]);
    push.expect_failure();
    let own: String = push
        .stderr
        .lines()
        .take_while(|l| !l.starts_with("To ") && !l.starts_with("error: failed to push"))
        .map(|l| format!("{l}\n"))
        .collect();
    vec![("refused-push", format!("$ git push origin main\n{own}"))]
}

/// `doc` with the block after each `<!-- sample: NAME -->` line replaced by its sample.
fn with_samples(doc: &str, samples: &[(&str, String)]) -> String {
    let mut doc = doc.to_string();
    for (name, sample) in samples {
        let marker = format!("<!-- sample: {name} -->\n```text\n");
        let start = doc
            .find(&marker)
            .unwrap_or_else(|| panic!("no `{}` block", marker.trim()))
            + marker.len();
        let end = start + doc[start..].find("```\n").expect("a closed block");
        doc.replace_range(start..end, sample);
    }
    doc
}

/// Compares (or with UPDATE_DOCS, rewrites) the samples of `file`.
fn check_samples(file: &str, samples: &[(&str, String)]) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let current = std::fs::read_to_string(&path).expect("read");
    let generated = with_samples(&current, samples);
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).expect("write");
    }
    let current = std::fs::read_to_string(&path).expect("read");
    assert!(
        current == generated,
        "{file}'s sample output has drifted from the binary's: run `UPDATE_DOCS=1 cargo test --test integration samples`"
    );
}

#[test]
fn readme_samples_are_the_binarys_output() {
    let samples = readme_samples();
    assert!(
        samples[0].1.contains("cors/wildcard-origin"),
        "{}",
        samples[0].1
    );
    check_samples("README.md", &samples);
}

#[test]
fn hooks_samples_are_the_binarys_output() {
    let samples = hooks_samples();
    assert!(samples[0].1.contains("push refused"), "{}", samples[0].1);
    check_samples("docs/hooks.md", &samples);
}
