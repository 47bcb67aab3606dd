//! Kustomize image overrides. A base manifest often names an image without a tag (or with
//! `latest`) because every overlay sets the tag that ships (`images: [{name, newTag}]`);
//! judging the base alone would block the most common Kustomize layout. A manifest's image is
//! overridden when every kustomization that builds the manifest, from each root kustomization
//! (one no other kustomization includes) down, sets that image's tag or digest on the way.
//! The overlay's own tag is judged where it is written (`images[*].newTag` rules).

use super::doc::{self, Node, Value};
use std::collections::{HashMap, HashSet};

/// Whether `path` names a kustomization file.
pub fn is_kustomization(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(
        name,
        "kustomization.yaml" | "kustomization.yml" | "Kustomization"
    )
}

/// The image a reference names, without its tag or digest: what a kustomization's
/// `images[].name` is compared with.
pub fn image_name(reference: &str) -> &str {
    let r = reference.trim().trim_matches(['"', '\'']).trim();
    let r = r.split_once('@').map_or(r, |(name, _)| name);
    let last_slash = r.rfind('/').map_or(0, |i| i + 1);
    match r[last_slash..].rfind(':') {
        Some(colon) => &r[..last_slash + colon],
        None => r,
    }
}

/// One kustomization file, as far as image overrides go.
struct Kustomization {
    dir: String,
    /// Images whose tag or digest it sets.
    pins: HashSet<String>,
    /// Its resources, bases and components, resolved against its directory.
    includes: Vec<String>,
}

impl Kustomization {
    fn parse(path: &str, text: &str) -> Option<Kustomization> {
        let docs = doc::parse(text).ok()?;
        let root = docs.first()?;
        let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir).to_string();
        let strings = |key: &str| -> Vec<&str> {
            match root.get(key).map(|n| &n.value) {
                Some(Value::Seq(items)) => items.iter().filter_map(Node::text).collect(),
                _ => Vec::new(),
            }
        };
        let includes = ["resources", "bases", "components"]
            .into_iter()
            .flat_map(strings)
            .filter_map(|r| resolve(&dir, r))
            .collect();
        let pins = match root.get("images").map(|n| &n.value) {
            Some(Value::Seq(items)) => items
                .iter()
                .filter(|i| i.get("newTag").is_some() || i.get("digest").is_some())
                .filter_map(|i| i.get("name")?.text())
                .map(str::to_string)
                .collect(),
            _ => HashSet::new(),
        };
        Some(Kustomization {
            dir,
            pins,
            includes,
        })
    }
}

/// `relative` (a kustomization's entry) as a repository path from `dir`; `None` for remote
/// bases and paths that leave the repository.
fn resolve(dir: &str, relative: &str) -> Option<String> {
    if relative.contains("://")
        || relative.starts_with("git@")
        || relative.starts_with("github.com/")
    {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// For every manifest that kustomizations build, the images whose tag every one of them
/// overrides. `files` are the kustomization files of the tree, as (path, text).
pub fn overridden_images<'t>(
    files: impl IntoIterator<Item = (&'t str, &'t str)>,
) -> HashMap<String, HashSet<String>> {
    let all: Vec<Kustomization> = files
        .into_iter()
        .filter_map(|(path, text)| Kustomization::parse(path, text))
        .collect();
    let by_dir: HashMap<&str, usize> = all
        .iter()
        .enumerate()
        .map(|(i, k)| (k.dir.as_str(), i))
        .collect();
    let included: HashSet<usize> = all
        .iter()
        .flat_map(|k| {
            k.includes
                .iter()
                .filter_map(|p| by_dir.get(p.as_str()).copied())
        })
        .collect();
    let mut overridden: HashMap<String, HashSet<String>> = HashMap::new();
    for root in (0..all.len()).filter(|i| !included.contains(i)) {
        let mut path = Vec::new();
        visit(
            &all,
            &by_dir,
            root,
            &HashSet::new(),
            &mut path,
            &mut overridden,
        );
    }
    overridden
}

/// Records what `k` (reached with `pinned` set on the way) builds, and goes on into the
/// kustomizations it includes; `path` guards against include cycles.
fn visit(
    all: &[Kustomization],
    by_dir: &HashMap<&str, usize>,
    k: usize,
    pinned: &HashSet<String>,
    path: &mut Vec<usize>,
    overridden: &mut HashMap<String, HashSet<String>>,
) {
    if path.contains(&k) {
        return;
    }
    path.push(k);
    let pinned: HashSet<String> = pinned.union(&all[k].pins).cloned().collect();
    for include in &all[k].includes {
        match by_dir.get(include.as_str()) {
            Some(&child) => visit(all, by_dir, child, &pinned, path, overridden),
            None => {
                // Every way a manifest is built must override an image for it to count.
                overridden
                    .entry(include.clone())
                    .and_modify(|so_far| so_far.retain(|name| pinned.contains(name)))
                    .or_insert_with(|| pinned.clone());
            }
        }
    }
    path.pop();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> HashSet<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn image_names_drop_the_tag_and_digest_but_keep_a_registry_port() {
        assert_eq!(image_name("ghcr.io/acme/api:1.2"), "ghcr.io/acme/api");
        assert_eq!(image_name("registry:5000/api"), "registry:5000/api");
        assert_eq!(image_name("registry:5000/api:latest"), "registry:5000/api");
        assert_eq!(image_name("'nginx@sha256:abc'"), "nginx");
        assert_eq!(image_name("nginx"), "nginx");
    }

    #[test]
    fn an_image_every_overlay_pins_is_overridden_in_the_base() {
        let base = "resources:\n  - deployment.yaml\n  - service.yaml\n";
        let prod =
            "resources:\n  - ../../base\nimages:\n  - name: ghcr.io/acme/api\n    newTag: 1.4.2\n";
        let staging = "resources:\n- ../../base\nimages:\n- name: ghcr.io/acme/api\n  digest: sha256:abc\n- name: redis\n  newName: redis-proxy\n";
        let got = overridden_images([
            ("k8s/base/kustomization.yaml", base),
            ("k8s/overlays/prod/kustomization.yaml", prod),
            ("k8s/overlays/staging/kustomization.yml", staging),
        ]);
        assert_eq!(
            got["k8s/base/deployment.yaml"],
            names(&["ghcr.io/acme/api"])
        );
        assert_eq!(got["k8s/base/service.yaml"], names(&["ghcr.io/acme/api"]));
    }

    #[test]
    fn an_overlay_that_leaves_the_tag_keeps_the_base_judged() {
        let base = "resources: [deployment.yaml]\n";
        let prod = "resources: [../base]\nimages:\n  - name: api\n    newTag: '2.0'\n";
        let dev = "resources: [../base]\n";
        let got = overridden_images([
            ("base/kustomization.yaml", base),
            ("prod/kustomization.yaml", prod),
            ("dev/kustomization.yaml", dev),
        ]);
        assert!(got["base/deployment.yaml"].is_empty());
    }

    #[test]
    fn manifests_no_kustomization_builds_and_remote_bases_are_not_overridden() {
        let root = "resources:\n  - https://github.com/acme/base?ref=v1\n  - ./app.yaml\n  - ../../../outside.yaml\nimages:\n  - name: api\n    newTag: v1\n";
        let got = overridden_images([("deploy/kustomization.yaml", root)]);
        assert_eq!(got.len(), 1);
        assert_eq!(got["deploy/app.yaml"], names(&["api"]));
        assert!(!got.contains_key("deploy/other.yaml"));
    }

    #[test]
    fn include_cycles_end() {
        let a = "resources: [../b, a.yaml]\nimages: [{name: api, newTag: v1}]\n";
        let b = "resources: [../a]\n";
        let got = overridden_images([("a/kustomization.yaml", a), ("b/kustomization.yaml", b)]);
        // Both include each other, so neither is a root and nothing is known to be built.
        assert!(got.is_empty());
    }

    #[test]
    fn kustomization_files_are_recognised_by_name() {
        assert!(is_kustomization("k8s/base/kustomization.yaml"));
        assert!(is_kustomization("Kustomization"));
        assert!(!is_kustomization("k8s/base/kustomization.yaml.bak"));
    }
}
