//! YAML as deployed, on real repositories: files compose and kubectl accept are read, values
//! reached through anchors, merge keys and compose interpolation are judged like literal ones
//! (one finding per decision, on the line that introduced it), a `.env` change is judged as
//! the compose change it is, renamed workloads keep their images, hostile documents cost
//! bounded time, and files that only serve local development are left alone.

use crate::common::{Repo, findings};

/// A repository on `main` with `base`, and a branch `change` on which `head` was committed
/// (a file written as `None` is deleted); returns the report's findings and the run.
fn judge(base: &[(&str, &str)], head: &[(&str, Option<&str>)]) -> (Vec<String>, serde_json::Value) {
    let repo = Repo::with_files(base);
    repo.branch("change");
    for (path, content) in head {
        match content {
            Some(text) => repo.write(path, text),
            None => std::fs::remove_file(repo.path().join(path)).expect("file exists"),
        }
    }
    repo.commit("change");
    let (_, report) = repo.check_json(&["--base", "main"]);
    (findings(&report), report)
}

/// [`judge`] for a change that edits one file.
fn judge_edit(path: &str, before: &str, after: &str) -> (Vec<String>, serde_json::Value) {
    judge(&[(path, before)], &[(path, Some(after))])
}

/// The message of the only finding of a report.
fn only_message(report: &serde_json::Value) -> String {
    let all = report["findings"].as_array().expect("findings");
    assert_eq!(all.len(), 1, "{report:#}");
    all[0]["message"].as_str().expect("message").to_string()
}

#[test]
fn a_compose_file_with_a_flow_sequence_closed_at_its_key_is_read() {
    let base = "services:\n  web:\n    image: nginx:1.27.0\n    command: [\n      \"nginx\", \"-g\", \"daemon off;\",\n    ]\n";
    let after = base.replace("nginx:1.27.0", "nginx:latest");
    let (found, report) = judge_edit("docker-compose.yml", base, &after);
    assert_eq!(
        found,
        ["image/pinned-to-mutable docker-compose.yml:3"],
        "{report:#}"
    );
    assert_eq!(report["skipped"], serde_json::json!([]));
}

/// An anchor five services share is one decision: one finding, on the line the change touched
/// (the anchor's value, or the alias a service switched to), naming the places it reaches.
#[test]
fn a_shared_anchor_is_one_finding_on_the_line_the_change_touched() {
    let shared = |tag: &str| {
        format!(
            "x-app: &app\n  image: ghcr.io/acme/app:{tag}\n  restart: always\nservices:\n  web:\n    <<: *app\n  worker:\n    <<: [*app]\n    command: worker\n  beat:\n    <<: *app\n    image: ghcr.io/acme/beat:1.0.0\n"
        )
    };
    let (found, report) = judge_edit("docker-compose.yml", &shared("4.2.0"), &shared("latest"));
    assert_eq!(found, ["image/pinned-to-mutable docker-compose.yml:2"]);
    let message = only_message(&report);
    assert!(
        message.ends_with("(one value, used at services.web.image, services.worker.image)"),
        "{message}"
    );
    let switched = |anchor: &str| {
        format!(
            "x-images:\n  stable: &stable ghcr.io/acme/app:4.2.0\n  edge: &edge ghcr.io/acme/app:latest\nservices:\n  web:\n    image: *{anchor}\n  canary:\n    image: *edge\n"
        )
    };
    let (found, _) = judge_edit("compose.yaml", &switched("stable"), &switched("edge"));
    assert_eq!(found, ["image/pinned-to-mutable compose.yaml:6"]);
}

/// The shape of getsentry/self-hosted@9e4997967239: a release bot set `.env`'s image variables
/// from a version to `nightly`; no compose line changed.
#[test]
fn an_env_change_alone_is_judged_as_the_compose_change_it_is() {
    let compose = "x-snuba-defaults: &snuba_defaults\n  image: \"$SNUBA_IMAGE\"\n  restart: unless-stopped\nservices:\n  snuba-api:\n    <<: *snuba_defaults\n  snuba-consumer:\n    <<: *snuba_defaults\n    command: rust-consumer\n  relay:\n    image: \"ghcr.io/getsentry/relay:${RELAY_TAG:-26.8.0}\"\n  web:\n    image: \"$SENTRY_IMAGE\"\n    build: ./sentry\n";
    let env = |tag: &str| {
        format!(
            "# images\nSNUBA_IMAGE=ghcr.io/getsentry/snuba:{tag}\nSENTRY_IMAGE=ghcr.io/getsentry/sentry:{tag}\n"
        )
    };
    let (found, report) = judge(
        &[("docker-compose.yml", compose), (".env", &env("26.8.0"))],
        &[(".env", Some(&env("nightly")))],
    );
    // The built service's image is a local name; the relay default did not move.
    assert_eq!(found, ["image/pinned-to-mutable .env:2"], "{report:#}");
    let message = only_message(&report);
    assert!(
        message.ends_with("(SNUBA_IMAGE in .env sets it for services.snuba-api.image, services.snuba-consumer.image in docker-compose.yml)"),
        "{message}"
    );
    // The same change in a sub-folder's project; a default that a removed variable now applies.
    let (found, _) = judge(
        &[
            ("deploy/compose.yaml", compose),
            ("deploy/.env", "RELAY_TAG=26.8.0\n"),
        ],
        &[("deploy/.env", Some("# relay follows the default\n"))],
    );
    assert!(found.is_empty(), "{found:?}");
    let (found, _) = judge(
        &[
            (
                "deploy/compose.yaml",
                &compose.replace("26.8.0}", "latest}"),
            ),
            ("deploy/.env", "RELAY_TAG=26.8.0\n"),
        ],
        &[("deploy/.env", Some("# relay follows the default\n"))],
    );
    assert_eq!(found, ["image/pinned-to-mutable deploy/.env:1"]);
    // A deleted .env lets the defaults apply: reported on the line it removed.
    let (found, report) = judge(
        &[
            (
                "compose.yaml",
                "services:\n  api:\n    image: \"acme/api:${TAG:-latest}\"\n",
            ),
            (".env", "TAG=1.0.0\n"),
        ],
        &[(".env", None)],
    );
    assert_eq!(found, ["image/pinned-to-mutable .env:1"]);
    assert_eq!(report["findings"][0]["side"], "base");
}

#[test]
fn compose_interpolation_uses_defaults_and_the_project_env() {
    let compose = "services:\n  api:\n    image: \"ghcr.io/acme/api:${API_TAG:-latest}\"\n";
    let (found, _) = judge(&[("README.md", "x\n")], &[("compose.yaml", Some(compose))]);
    assert_eq!(found, ["image/latest-tag compose.yaml:3"]);
    let (found, _) = judge(
        &[(".env", "API_TAG=2.4.1\n")],
        &[("compose.yaml", Some(compose))],
    );
    assert!(found.is_empty(), "{found:?}");
    // A variable nothing sets stays a variable reference: not judged.
    let unset = "services:\n  api:\n    image: \"ghcr.io/acme/api:${API_TAG}\"\n";
    let (found, _) = judge(&[("README.md", "x\n")], &[("compose.yaml", Some(unset))]);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn an_image_beside_build_is_built_not_pulled() {
    let compose =
        "services:\n  web:\n    build: ./web\n    image: acme/web\n  db:\n    image: postgres\n";
    let (found, _) = judge(
        &[("README.md", "x\n")],
        &[("docker-compose.yml", Some(compose))],
    );
    assert_eq!(found, ["image/untagged docker-compose.yml:6"]);
}

#[test]
fn renamed_workloads_logical_ids_and_files_keep_their_images() {
    let deployment = |name: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:latest\n"
        )
    };
    // aws-cloudformation-templates@5a3c72a37ed9: a logical id renamed.
    let task = |id: &str| {
        format!(
            "Resources:\n  {id}:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: busybox\n          Image: busybox\n"
        )
    };
    let web = deployment("web");
    let cases: [(&str, &str, String, String, &[&str]); 4] = [
        (
            "a renamed Deployment",
            "k8s/web.yaml",
            web.clone(),
            deployment("web-frontend"),
            &[],
        ),
        (
            "a Deployment named by generateName",
            "k8s/web.yaml",
            web.clone(),
            web.replace("  name: web", "  generateName: web-"),
            &[],
        ),
        (
            "a second workload with the same image is new",
            "k8s/web.yaml",
            web,
            format!(
                "{}---\n{}",
                deployment("web-frontend"),
                deployment("web-admin")
            ),
            &["image/latest-tag k8s/web.yaml:21"],
        ),
        (
            "a renamed logical id",
            "ecs/schedule.yaml",
            task("taskdefinition"),
            task("TaskDefinition"),
            &[],
        ),
    ];
    for (what, path, before, after, want) in cases {
        let (found, _) = judge_edit(path, &before, &after);
        assert_eq!(found, want, "{what}");
    }
    // The same change converted the JSON template to YAML.
    let json = "{\"Resources\": {\"taskdefinition\": {\"Type\": \"AWS::ECS::TaskDefinition\",\n  \"Properties\": {\"ContainerDefinitions\": [{\"Name\": \"busybox\", \"Image\": \"busybox\"}]}}}}\n";
    let (found, _) = judge(
        &[("ecs/schedule.json", json)],
        &[
            ("ecs/schedule.json", None),
            ("ecs/schedule.yaml", Some(&task("TaskDefinition"))),
        ],
    );
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn files_for_local_development_are_left_alone_by_every_category() {
    let head = [
        (
            "nginx-golang/.docker/docker-compose.yaml",
            Some("services:\n  proxy:\n    image: nginx:latest\n"),
        ),
        (
            "docker-compose.dev.yml",
            Some("services:\n  db:\n    image: postgres\n"),
        ),
        ("dev/server.js", Some("app.use(cors({ origin: '*' }));\n")),
        (
            ".devcontainer/docker-compose.yml",
            Some("services:\n  app:\n    image: mcr.microsoft.com/devcontainers/base\n"),
        ),
    ];
    let (found, _) = judge(&[("README.md", "x\n")], &head);
    assert!(found.is_empty(), "{found:?}");
    // The override file runs wherever `docker compose up` runs: it is checked.
    let (found, _) = judge(
        &[("README.md", "x\n")],
        &[(
            "docker-compose.override.yml",
            Some("services:\n  db:\n    image: postgres\n"),
        )],
    );
    assert_eq!(found, ["image/untagged docker-compose.override.yml:3"]);
}

/// A 600-byte "billion laughs" reaches 9^9 copies of a value through aliases. Without values
/// any rule looks for, it costs one walk of each anchor; when every copy is an image, the
/// walk stops at its budget and the file is reported as not fully checked.
#[test]
fn alias_bombs_cost_bounded_time_and_fail_closed() {
    let bomb = |leaf: &str| {
        let mut text = format!("a: &a [{}]\n", [leaf; 9].join(", "));
        for (prev, name) in "abcdefgh".chars().zip("bcdefghi".chars()) {
            let refs = vec![format!("*{prev}"); 9].join(",");
            text.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        text
    };
    let quiet = format!(
        "{}services:\n  web:\n    image: nginx:1.27.0\n    x-laughs: *i\n",
        bomb("lol")
    );
    assert!(quiet.len() < 600, "{}", quiet.len());
    let (found, report) = judge(&[("README.md", "x\n")], &[("compose.yaml", Some(&quiet))]);
    assert!(
        found.is_empty() && report["skipped"] == serde_json::json!([]),
        "{report:#}"
    );

    let loud = bomb("{containers: [{image: a}]}");
    assert!(loud.len() < 600, "{}", loud.len());
    let (found, report) = judge(&[("README.md", "x\n")], &[("k8s/pod.yaml", Some(&loud))]);
    // Not fully checked, and said once on the path: a manifest never passes as "clear".
    assert_eq!(found, ["guard/not-judged k8s/pod.yaml"], "{report:#}");
    let reason = report["skipped"][0]["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("not every value was checked"), "{report:#}");
}

/// Vendored, minified, generated and test code is not the team's deployment: the categories
/// that judge what gets deployed leave it alone, while the same line in the team's own server
/// code is an error.
#[test]
fn vendored_generated_and_test_code_is_out_of_the_way() {
    let wildcard = "app.use(cors({ origin: '*' }));\n";
    let (found, report) = judge(
        &[("README.md", "x\n")],
        &[
            ("vendor/github.com/x/cors/cors.js", Some(wildcard)),
            ("public/js/app.min.js", Some(wildcard)),
            ("server/__tests__/cors.test.js", Some(wildcard)),
            ("server/app.js", Some(wildcard)),
        ],
    );
    assert_eq!(
        found,
        ["cors/wildcard-origin server/app.js:1"],
        "{report:#}"
    );
}
