//! `[[render]]` end to end through the binary on real repositories: a render written as a
//! shell script (so every machine runs these), then kubectl's kustomize and the AWS CDK where
//! they are installed (the tests say SKIPPED on stderr where they are not). What is rendered
//! is judged like source, traced back to the line that produced it, failures are findings, the
//! user's working tree is never touched, and only the base's commands run.

use crate::common::{Repo, Run, expect_fields, skip_unless_available, skip_unless_runs};
use serde_json::Value;
use serde_json::json;
use std::time::{Duration, Instant};

/// A render that any POSIX shell runs: a Deployment whose image tag comes from `tag.yaml`.
const RENDER_SH: &str = r#"tag=$(sed -n 's/^tag: *//p' tag.yaml)
if [ -z "$tag" ]; then echo "tag.yaml names no tag" >&2; exit 4; fi
cat <<EOF
apiVersion: v1
kind: Service
metadata:
  name: api
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: api
          image: registry.example.com/api:$tag
EOF
"#;

/// The configuration rendering `RENDER_SH` as `sh`, with `extra` keys.
fn config(extra: &str) -> String {
    format!(
        "[[render]]\nname = \"sh\"\nrun = \"sh render.sh\"\npaths = [\"render.sh\", \"tag.yaml\"]\n{extra}"
    )
}

/// main: the render configured, the tag `base_tag`; branch `change`: the tag `head_tag`.
fn tag_change(extra: &str, base_tag: &str, head_tag: &str) -> Repo {
    let repo = Repo::with_files(&[
        (".deploy-guard.toml", &config(extra)),
        ("render.sh", RENDER_SH),
        ("tag.yaml", &format!("tag: {base_tag}\n")),
        ("README.md", "service\n"),
    ]);
    repo.branch("change");
    repo.commit_file("tag.yaml", &format!("tag: {head_tag}\n"));
    repo
}

/// Judges `tag_change(extra, base_tag, head_tag)` from main, expecting exit `code`; the report.
fn judged_tags(extra: &str, base_tag: &str, head_tag: &str, code: i32) -> (Repo, Value) {
    let repo = tag_change(extra, base_tag, head_tag);
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(code);
    (repo, report)
}

/// The findings of a JSON report as `rule path:line`, with their origin's address.
fn described(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let line = f["line"]
                .as_u64()
                .map(|l| format!(":{l}"))
                .unwrap_or_default();
            let address = f["address"].as_str().unwrap_or("-");
            format!(
                "{} {}{line} {address}",
                f["rule"].as_str().unwrap(),
                f["path"].as_str().unwrap()
            )
        })
        .collect()
}

/// The first finding of `report` whose `key` is `value`.
#[track_caller]
fn finding_where<'r>(report: &'r Value, key: &str, value: &str) -> &'r Value {
    report["findings"]
        .as_array()
        .and_then(|all| all.iter().find(|f| f[key] == value))
        .unwrap_or_else(|| panic!("no finding with {key} {value}: {report:#}"))
}

/// The one finding of `report`, which `described` describes.
#[track_caller]
fn the_finding<'r>(report: &'r Value, described_as: &str) -> &'r Value {
    assert_eq!(described(report), [described_as]);
    &report["findings"][0]
}

#[test]
fn what_a_render_produces_is_judged_and_traced_to_the_line_that_set_it() {
    let (repo, report) = judged_tags("", "1.4.2", "latest", 1);
    expect_fields(
        the_finding(
            &report,
            "image/pinned-to-mutable tag.yaml:1 Deployment/shop/api",
        ),
        json!({
            "origin": "render", "render": "sh", "resource_type": "Deployment", "action": "modified",
            "rendered": "render:sh/Deployment/shop/api.yaml:11",
            "snippet": "image: registry.example.com/api:latest",
        }),
    );
    // The unchanged Service is not a changed object.
    assert_eq!(report["summary"]["files_changed"], 1);
    let human = repo.check(&["--base", "main"]);
    human
        .expect_stderr("rendering 'sh' at base and head: sh render.sh")
        .expect_stdout("render sh\n")
        .expect_stdout("object: Deployment/shop/api (Deployment), modified; rendered at render:sh/Deployment/shop/api.yaml:11; from tag.yaml:1");
}

#[test]
fn a_render_is_judged_as_a_folder_of_its_name_so_prod_gets_the_production_rules() {
    // `staging` after `latest` is only a hazard in production: named `sh`, the render's
    // objects are in no production folder; named `prod`, they are.
    let (_, report) = judged_tags("", "latest", "staging", 0);
    assert!(described(&report).is_empty(), "{report:#}");
    let repo = Repo::with_files(&[
        (
            ".deploy-guard.toml",
            &config("").replace("name = \"sh\"", "name = \"prod\""),
        ),
        ("render.sh", RENDER_SH),
        ("tag.yaml", "tag: latest\n"),
    ]);
    repo.branch("change");
    repo.commit_file("tag.yaml", "tag: staging\n");
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(0);
    assert_eq!(report["verdict"], "needs-review", "{report:#}");
    expect_fields(
        the_finding(
            &report,
            "image/env-tag-in-production tag.yaml:1 Deployment/shop/api",
        ),
        json!({"rendered": "render:prod/Deployment/shop/api.yaml:11"}),
    );
}

#[test]
fn a_render_runs_only_when_the_change_touches_its_paths() {
    let repo = tag_change("", "latest", "latest");
    repo.commit_file("README.md", "service, documented\n");
    let (run, report) = repo.check_json(&["--base", "HEAD~1"]);
    run.expect_code(0);
    assert!(!run.stderr.contains("rendering"), "{run:#?}");
    assert!(described(&report).is_empty(), "{report:#}");
}

#[test]
fn renders_run_in_clean_checkouts_and_leave_the_working_tree_alone() {
    let repo = tag_change("", "1.4.2", "1.4.3");
    // Uncommitted work says `latest`: the render sees the commits, not the working tree.
    repo.write("tag.yaml", "tag: latest\n");
    repo.write("scratch.txt", "untracked\n");
    let status = repo.git(&["status", "--porcelain"]);
    let index = std::fs::read(repo.path().join(".git/index")).unwrap();
    let (run, report) = repo.check_json(&["--base", "main", "--head", "change"]);
    run.expect_code(0);
    assert!(described(&report).is_empty(), "{report:#}");
    assert_eq!(repo.git(&["status", "--porcelain"]), status);
    assert_eq!(
        std::fs::read(repo.path().join(".git/index")).unwrap(),
        index
    );
    assert_eq!(
        repo.git(&["worktree", "list", "--porcelain"])
            .lines()
            .filter(|l| l.starts_with("worktree "))
            .count(),
        1
    );
    // Judging the working tree does not run renders at all, and says so.
    repo.check(&["--worktree"])
        .expect_stderr("renders run on commits: --staged and --worktree do not run them");
}

#[test]
fn a_render_that_fails_at_head_is_an_error_with_what_the_command_said() {
    let (_, report) = judged_tags("", "1.4.2", "", 1);
    expect_fields(
        the_finding(&report, "guard/render-failed render:sh sh render.sh"),
        json!({
            "severity": "error",
            "message": "render 'sh' failed at head: `sh render.sh` exited with 4; what it renders was not judged, and a deploy that runs it would fail too",
            "detail": ["tag.yaml names no tag"],
        }),
    );
}

#[test]
fn a_render_that_fails_only_at_the_base_is_a_note_and_the_head_is_judged_as_new() {
    let (_, report) = judged_tags("", "", "latest", 1);
    assert_eq!(
        described(&report),
        [
            "guard/render-failed-at-base render:sh sh render.sh",
            "image/latest-tag tag.yaml:1 Deployment/shop/api",
        ]
    );
    assert_eq!(report["findings"][0]["severity"], "info");
    assert_eq!(report["findings"][1]["action"], "added");
}

#[test]
fn covered_source_findings_give_way_to_what_the_render_shows() {
    // The change drops base.yaml's tag; the render pins it again with tag.yaml's.
    let render = "tag=$(sed -n 's/^tag: *//p' tag.yaml)\nsed \"s|api$|api:$tag|\" base.yaml\n";
    let base = "kind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: registry.example.com/api\n";
    let other = "services:\n  worker:\n    image: registry.example.com/worker\n";
    let setup = |covers: &str| {
        let config = format!(
            "[[render]]\nname = \"pinned\"\nrun = \"sh pin.sh\"\npaths = [\"base.yaml\", \"tag.yaml\"]\ncovers = [{covers}]\n"
        );
        let pinned = base.replace("/api\n", "/api:1.4.1\n");
        let repo = Repo::with_files(&[
            (".deploy-guard.toml", config.as_str()),
            ("pin.sh", render),
            ("tag.yaml", "tag: 1.4.2\n"),
            ("base.yaml", pinned.as_str()),
        ]);
        repo.branch("change");
        repo.write("base.yaml", base);
        repo.write("compose.yaml", other);
        repo.commit("untagged images");
        repo.check_json(&["--base", "main"])
    };
    let (run, report) = setup("\"base.yaml\"");
    run.expect_code(1);
    let active: Vec<String> = described(&report)
        .into_iter()
        .zip(report["findings"].as_array().unwrap())
        .filter(|(_, f)| f["suppressed"].is_null())
        .map(|(d, _)| d)
        .collect();
    // The compose file is not covered: its untagged image still blocks.
    assert_eq!(active, ["image/untagged compose.yaml:3 -"]);
    expect_fields(
        finding_where(&report, "path", "base.yaml"),
        json!({
            "rule": "image/pinned-to-mutable",
            "suppressed": "covered by render 'pinned': judged on what it renders",
        }),
    );
    // Without covers, the base file's own finding counts.
    let (_, report) = setup("");
    assert!(
        described(&report).contains(&"image/pinned-to-mutable base.yaml:9 -".to_string()),
        "{report:#}"
    );
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["suppressed"].is_null())
    );
}

#[test]
fn a_render_past_its_timeout_is_stopped_and_reported() {
    let repo = Repo::with_files(&[
        (
            ".deploy-guard.toml",
            "[[render]]\nname = \"slow\"\nrun = \"sleep 60 & sleep 60\"\npaths = [\"**\"]\ntimeout = \"1s\"\n",
        ),
        ("a.txt", "a\n"),
    ]);
    repo.branch("change");
    repo.commit_file("a.txt", "b\n");
    let started = Instant::now();
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(1);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        report["findings"][0]["message"],
        "render 'slow' failed at head (it failed at the base too): `sleep 60 & sleep 60` did not finish within its timeout of 1s and was stopped; what it renders was not judged, and a deploy that runs it would fail too"
    );
}

#[test]
fn only_the_bases_render_commands_run_and_an_edit_to_them_is_reported() {
    let repo = tag_change("", "1.4.2", "1.4.2");
    let outside = tempfile::tempdir().unwrap();
    let marker = outside.path().join("ran");
    let edited = config("").replace(
        "run = \"sh render.sh\"",
        &format!("run = \"touch '{}'\"", marker.display()),
    );
    repo.write(".deploy-guard.toml", &edited);
    repo.write("tag.yaml", "tag: 1.4.3\n");
    repo.commit("point the render elsewhere");
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_stderr("rendering 'sh' at base and head: sh render.sh");
    assert!(!marker.exists(), "the change's own command ran");
    let fired: Vec<String> = described(&report);
    assert!(
        fired.contains(&"guard/render-config-changed .deploy-guard.toml -".to_string())
            && fired.contains(&"guard/config-changed .deploy-guard.toml -".to_string()),
        "{fired:#?}"
    );
    let f = finding_where(&report, "rule", "guard/render-config-changed");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("the [[render]] commands changed")
    );
}

#[test]
fn output_files_are_read_instead_of_stdout() {
    let template = |tag: &str| {
        format!(
            r#"{{"Resources": {{"Task": {{"Type": "AWS::ECS::TaskDefinition", "Properties": {{
  "ContainerDefinitions": [{{"Name": "api", "Image": "registry.example.com/api:{tag}"}}]}}}}}}}}
"#
        )
    };
    let repo = Repo::with_files(&[
        (
            ".deploy-guard.toml",
            "[[render]]\nname = \"stack\"\nrun = \"mkdir -p out && cp stack.json out/api.template.json && echo ignored\"\npaths = [\"stack.json\"]\noutput = \"out/*.template.json\"\n",
        ),
        ("stack.json", &template("1.4.2")),
    ]);
    repo.branch("change");
    repo.commit_file("stack.json", &template("latest"));
    let (run, report) = repo.check_json(&["--base", "main"]);
    run.expect_code(1);
    expect_fields(
        finding_where(&report, "origin", "render"),
        json!({
            "rule": "image/pinned-to-mutable", "path": "stack.json", "line": 2,
            "address": "out/api.template.json", "resource_type": "file",
            "rendered": "render:stack/out/api.template.json:2",
        }),
    );
}

// ---- kubectl's kustomize ----------------------------------------------------------------------

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          image: registry.example.com/api
";

/// The prod overlay, pinning the tag to `tag`.
fn overlay(tag: &str) -> String {
    format!(
        "namespace: shop\nresources:\n  - ../../base\nimages:\n  - name: registry.example.com/api\n    newTag: {tag}\n"
    )
}

/// The kustomize render of the prod overlay, its base and overlays covered when `covers`.
fn kustomize_config(covers: bool) -> String {
    let covers = if covers {
        "covers = [\"base/**\", \"overlays/**\"]\n"
    } else {
        ""
    };
    format!(
        "[[render]]\nname = \"prod\"\nrun = \"kubectl kustomize overlays/prod\"\npaths = [\"base/**\", \"overlays/**\"]\n{covers}"
    )
}

/// main: the configuration; branch `change`: a base whose image has no tag, and a prod overlay
/// that pins it.
fn kustomize_repo(covers: bool) -> Repo {
    let repo = Repo::with_files(&[(".deploy-guard.toml", &kustomize_config(covers))]);
    repo.branch("change");
    repo.write("base/deployment.yaml", DEPLOYMENT);
    repo.write(
        "base/kustomization.yaml",
        "resources:\n  - deployment.yaml\n",
    );
    repo.write("overlays/prod/kustomization.yaml", overlay("\"1.4.2\""));
    repo.commit("api with a prod overlay");
    repo
}

/// Whether kubectl's kustomize runs here (it says SKIPPED where it does not). Not required
/// under CI: the machines CI runs on carry no kubectl by default, and the shell render tests
/// above exercise every part of a render but the tool.
fn kustomize_available() -> bool {
    skip_unless_runs(
        "kubectl",
        &["kustomize", "--help"],
        "the kustomize render tests",
        false,
    )
}

#[test]
fn kustomize_an_overlay_that_pins_the_tag_clears_its_base() {
    if !kustomize_available() {
        return;
    }
    // Judged on its own, the base's untagged image blocks the change. (The overlay is new, so
    // the render fails at the base: a note.)
    let (run, report) = kustomize_repo(false).check_json(&["--base", "main"]);
    run.expect_code(1);
    assert_eq!(
        described(&report),
        [
            "image/untagged base/deployment.yaml:10 -",
            "guard/render-failed-at-base render:prod kubectl kustomize overlays/prod"
        ]
    );
    // Covered by the render, it gives way to what prod really runs: the pinned image.
    let (run, report) = kustomize_repo(true).check_json(&["--base", "main"]);
    run.expect_code(0);
    let f = &report["findings"][0];
    assert_eq!(f["rule"], "image/untagged");
    assert_eq!(
        f["suppressed"],
        "covered by render 'prod': judged on what it renders"
    );
    assert_eq!(report["verdict"], "clear");
}

#[test]
fn kustomize_an_overlay_that_sets_latest_is_an_error_from_the_render() {
    if !kustomize_available() {
        return;
    }
    let repo = kustomize_repo(true);
    repo.commit_file("overlays/prod/kustomization.yaml", &overlay("latest"));
    let (run, report) = repo.check_json(&["--base", "HEAD~1"]);
    run.expect_code(1);
    // The source finding on the overlay is covered; the render's is the one that blocks,
    // traced to the overlay line that set the tag.
    assert_eq!(report["summary"]["error"], 1, "{report:#}");
    let f = finding_where(&report, "origin", "render");
    expect_fields(
        f,
        json!({
            "rule": "image/pinned-to-mutable", "origin": "render", "address": "Deployment/shop/api",
            "path": "overlays/prod/kustomization.yaml", "line": 6,
        }),
    );
    let message = f["message"].as_str().unwrap_or_default();
    assert!(message.contains("api:latest"), "{message}");
}

// ---- the AWS CDK --------------------------------------------------------------------------------

/// A CDK app (JavaScript): one stack whose task definition runs the image tag in `image-tag.txt`.
const CDK_APP: &str = r#"const cdk = require('aws-cdk-lib');
const ecs = require('aws-cdk-lib/aws-ecs');
const fs = require('fs');
const app = new cdk.App();
const stack = new cdk.Stack(app, 'Api');
const task = new ecs.FargateTaskDefinition(stack, 'Task');
const tag = fs.readFileSync('image-tag.txt', 'utf8').trim();
task.addContainer('api', { image: ecs.ContainerImage.fromRegistry(`registry.example.com/api:${tag}`) });
app.synth();
"#;

#[test]
fn cdk_a_synthesized_image_going_to_latest_is_caught_through_the_templates() {
    // .ci/run installs the CDK (aws-cdk-lib, constructs, the aws-cdk CLI) and names its
    // node_modules in DEPLOY_GUARD_CDK_MODULES; elsewhere the test says it was skipped.
    let modules = std::env::var("DEPLOY_GUARD_CDK_MODULES").unwrap_or_default();
    let cdk = format!("{modules}/.bin/cdk");
    let tool = if modules.is_empty() {
        "cdk"
    } else {
        cdk.as_str()
    };
    if !skip_unless_available(tool, "the CDK render test", true) {
        return;
    }
    let config = format!(
        "[[render]]\nname = \"cdk\"\nrun = \"NODE_PATH='{modules}' '{cdk}' synth --quiet --no-notices --no-version-reporting\"\npaths = [\"app.js\", \"image-tag.txt\", \"cdk.json\"]\noutput = \"cdk.out/*.template.json\"\ntimeout = \"5m\"\n"
    );
    let repo = Repo::with_files(&[
        (".deploy-guard.toml", &config),
        ("cdk.json", "{\"app\": \"node app.js\"}\n"),
        ("app.js", CDK_APP),
        ("image-tag.txt", "1.4.2\n"),
    ]);
    repo.branch("change");
    repo.commit_file("image-tag.txt", "latest\n");
    let run = Run::of(
        repo.cmd()
            .args(["check", "--base", "main", "--format", "json"])
            .env("CDK_DISABLE_VERSION_CHECK", "1"),
    );
    run.expect_code(1);
    let report = run.json();
    let f = finding_where(&report, "origin", "render");
    expect_fields(
        f,
        json!({"rule": "image/pinned-to-mutable", "address": "cdk.out/Api.template.json"}),
    );
    let message = f["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("registry.example.com/api:latest"),
        "{message}"
    );
}
