//! Kustomize layouts: a base manifest's image tag is what ships only where no kustomization
//! building it overrides the tag.

use crate::common::{Repo, rules_fired};

const BASE_DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ghcr.io/acme/api:2.14.0\n";
const BASE: &str = "resources:\n  - deployment.yaml\n";
const PINNING_OVERLAY: &str =
    "resources:\n  - ../../base\nimages:\n  - name: ghcr.io/acme/api\n    newTag: 2.15.0\n";
const PLAIN_OVERLAY: &str = "resources:\n  - ../../base\n";

/// A repository whose main has the base (pinned image) and `overlays`, and a `feature`
/// branch that leaves the base's image untagged.
fn base_made_untagged(overlays: &[(&str, &str)]) -> Repo {
    let mut files = vec![
        ("k8s/base/deployment.yaml", BASE_DEPLOYMENT),
        ("k8s/base/kustomization.yaml", BASE),
    ];
    files.extend_from_slice(overlays);
    let repo = Repo::with_files(&files);
    repo.branch("feature");
    repo.commit_file(
        "k8s/base/deployment.yaml",
        &BASE_DEPLOYMENT.replace("api:2.14.0", "api"),
    );
    repo
}

fn fired(repo: &Repo) -> Vec<String> {
    let (_, report) = repo.check_json(&["--base", "main", "--head", "feature"]);
    rules_fired(&report)
}

#[test]
fn a_base_image_every_overlay_retags_is_not_judged_by_its_own_tag() {
    let repo = base_made_untagged(&[
        ("k8s/overlays/prod/kustomization.yaml", PINNING_OVERLAY),
        ("k8s/overlays/staging/kustomization.yaml", PINNING_OVERLAY),
    ]);
    assert_eq!(fired(&repo), Vec::<String>::new());
}

#[test]
fn a_base_image_one_overlay_leaves_alone_is_still_blocked() {
    let repo = base_made_untagged(&[
        ("k8s/overlays/prod/kustomization.yaml", PINNING_OVERLAY),
        ("k8s/overlays/dev/kustomization.yaml", PLAIN_OVERLAY),
    ]);
    assert_eq!(fired(&repo), vec!["image/pinned-to-mutable"]);
}

#[test]
fn without_kustomize_the_base_is_judged_as_written() {
    let repo = base_made_untagged(&[]);
    assert_eq!(fired(&repo), vec!["image/pinned-to-mutable"]);
}

/// The overlay arrives in the same change as the base: its content is read from the change.
#[test]
fn a_new_base_and_overlay_in_one_change_are_judged_together() {
    let repo = Repo::with_files(&[("README.md", "x\n")]);
    repo.branch("feature");
    repo.write(
        "k8s/base/deployment.yaml",
        BASE_DEPLOYMENT.replace("api:2.14.0", "api:latest"),
    );
    repo.write("k8s/base/kustomization.yaml", BASE);
    repo.write("k8s/overlays/prod/kustomization.yaml", PINNING_OVERLAY);
    repo.commit("add the api");
    assert_eq!(fired(&repo), Vec::<String>::new());
    repo.commit_file(
        "k8s/overlays/prod/kustomization.yaml",
        &PINNING_OVERLAY.replace("2.15.0", "latest"),
    );
    assert_eq!(fired(&repo), vec!["image/latest-tag-value"]);
}
