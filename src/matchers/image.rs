//! Container image references: which ones are pinned and which can change under a running
//! service. A registry port (`registry:5000/app`) is not a tag; a digest pins; a reference built
//! from variables or templates cannot be judged and is never flagged.

use serde::Deserialize;

/// How mutable an image reference is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImageClass {
    /// Pinned by digest (`@sha256:…`).
    Digest,
    /// The `latest` tag.
    Latest,
    /// No tag and no digest: `latest` in disguise.
    Untagged,
    /// An environment-named tag (`staging`, `dev`, `qa`…): moves with that environment.
    EnvTag,
    /// A channel tag that moves by design (`stable`, `edge`, `nightly`, `main`…).
    Floating,
    /// A specific tag (a version or a build id).
    Pinned,
    /// Built from variables or templates (`${TAG}`, `{{ .Values.tag }}`): unknown here.
    Variable,
}

const ENV_TAGS: &[&str] = &[
    "staging",
    "stage",
    "dev",
    "develop",
    "development",
    "test",
    "testing",
    "qa",
    "uat",
    "sandbox",
    "preview",
    "preprod",
];
const FLOATING_TAGS: &[&str] = &[
    "stable", "edge", "nightly", "main", "master", "current", "rolling", "canary",
];

/// Classifies an image reference as written (quotes and surrounding space are ignored).
pub fn classify(reference: &str) -> ImageClass {
    let r = reference.trim().trim_matches(['"', '\'']).trim();
    if r.is_empty() || r.contains(['$', '{', '}', '<', '>', '%']) {
        return ImageClass::Variable;
    }
    if r.contains('@') {
        return ImageClass::Digest;
    }
    let last = r.rsplit('/').next().unwrap_or(r);
    let Some((_, tag)) = last.split_once(':') else {
        return ImageClass::Untagged;
    };
    let tag = tag.to_ascii_lowercase();
    if tag == "latest" {
        ImageClass::Latest
    } else if ENV_TAGS.contains(&tag.as_str()) {
        ImageClass::EnvTag
    } else if FLOATING_TAGS.contains(&tag.as_str()) {
        ImageClass::Floating
    } else {
        ImageClass::Pinned
    }
}

/// Whether `reference` looks like an image reference at all (not a sentence, a path, a URL).
pub fn looks_like_image(reference: &str) -> bool {
    let r = reference.trim().trim_matches(['"', '\'']);
    !r.is_empty()
        && !r.contains("://")
        && !r.starts_with(['/', '.', '-'])
        && r.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/:@".contains(c) || "${}<>% ".contains(c))
        && !r.contains(' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_common_references() {
        assert_eq!(classify("nginx"), ImageClass::Untagged);
        assert_eq!(classify("nginx:latest"), ImageClass::Latest);
        assert_eq!(
            classify("registry.local:5000/team/app"),
            ImageClass::Untagged
        );
        assert_eq!(
            classify("registry.local:5000/team/app:2.3.1"),
            ImageClass::Pinned
        );
        assert_eq!(classify("app@sha256:abc"), ImageClass::Digest);
        assert_eq!(classify("'app:staging'"), ImageClass::EnvTag);
        assert_eq!(classify("traefik:edge"), ImageClass::Floating);
        assert_eq!(classify("${REPO}:${TAG}"), ImageClass::Variable);
        assert_eq!(classify("{{ .Values.image }}"), ImageClass::Variable);
    }

    #[test]
    fn rejects_non_references() {
        assert!(!looks_like_image("https://example.com/x"));
        assert!(!looks_like_image("two words"));
        assert!(looks_like_image("ghcr.io/org/app:1.2"));
    }
}
