//! Container image references: which ones are pinned and which can change under a running
//! service. A registry port (`registry:5000/app`) is not a tag; a digest pins; a reference built
//! from variables or templates cannot be judged and is never flagged.

use serde::Deserialize;
use std::borrow::Cow;

/// How mutable an image reference is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, schemars::JsonSchema)]
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
/// Variables (`${…}`, `$NAME`, `{{ … }}`) in the registry or repository do not hide a literal
/// tag: `${REPO_URL}:latest` is still `latest`, and `${ACCOUNT}.dkr.ecr…/worker` is untagged.
/// A variable in the last name or the tag could hold anything, so that is `variable`.
pub(crate) fn classify(reference: &str) -> ImageClass {
    let r = reference.trim().trim_matches(['"', '\'']).trim();
    let r = mask_variables(r);
    if r.is_empty() || r.contains(['$', '{', '}', '<', '>', '%']) {
        return ImageClass::Variable;
    }
    if r.contains('@') {
        return ImageClass::Digest;
    }
    let last = r.rsplit('/').next().unwrap_or(&r);
    let Some((_, tag)) = last.split_once(':') else {
        return if last.contains(VARIABLE) {
            ImageClass::Variable
        } else {
            ImageClass::Untagged
        };
    };
    if tag.contains(VARIABLE) {
        return ImageClass::Variable;
    }
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

/// Stands for one variable in a masked reference.
const VARIABLE: char = '\u{1}';

/// Replaces each well-formed `${…}`, `{{…}}` and `$NAME` with [`VARIABLE`], so the `:` in
/// `${AWS::Region}` is not read as a tag separator. Anything left unbalanced stays as written.
fn mask_variables(r: &str) -> Cow<'_, str> {
    if !r.contains(['$', '{']) {
        return Cow::Borrowed(r);
    }
    let mut out = String::with_capacity(r.len());
    let mut rest = r;
    while let Some(at) = rest.find(['$', '{']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let end = if let Some(inner) = tail.strip_prefix("${") {
            inner.find('}').map(|e| e + 3)
        } else if let Some(inner) = tail.strip_prefix("{{") {
            inner.find("}}").map(|e| e + 4)
        } else if let Some(after) = tail.strip_prefix('$') {
            let name = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (name > 0).then_some(name + 1)
        } else {
            None
        };
        match end {
            Some(end) => {
                out.push(VARIABLE);
                rest = &tail[end..];
            }
            None => {
                out.push_str(tail);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Picture files, which an `image` key in code or configuration may name instead.
const PICTURES: &[&str] = &[".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico"];

/// Whether `reference` looks like an image reference at all (not a sentence, a path, a URL,
/// a picture file). Spaces are allowed only inside a template variable
/// (`{{ .Values.repo }}:latest`).
pub(crate) fn looks_like_image(reference: &str) -> bool {
    let r = reference.trim().trim_matches(['"', '\'']);
    let masked = mask_variables(r);
    let lower = r.to_ascii_lowercase();
    !r.is_empty()
        && !r.contains("://")
        && !r.starts_with(['/', '.', '-'])
        && !PICTURES.iter().any(|ext| lower.ends_with(ext))
        && masked.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || "._-/:@".contains(c)
                || "${}<>%".contains(c)
                || c == VARIABLE
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each reference with the class it must get.
    fn assert_classes(cases: &[(&str, ImageClass)]) {
        for &(reference, class) in cases {
            assert_eq!(classify(reference), class, "{reference}");
        }
    }

    #[test]
    fn classifies_common_references() {
        use ImageClass::*;
        assert_classes(&[
            ("nginx", Untagged),
            ("nginx:latest", Latest),
            ("registry.local:5000/team/app", Untagged),
            ("registry.local:5000/team/app:2.3.1", Pinned),
            ("app@sha256:abc", Digest),
            ("'app:staging'", EnvTag),
            ("traefik:edge", Floating),
            ("${REPO}:${TAG}", Variable),
            ("{{ .Values.image }}", Variable),
        ]);
    }

    #[test]
    fn variables_in_the_repository_do_not_hide_a_literal_tag() {
        use ImageClass::*;
        let ecr = "${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com";
        assert_classes(&[
            ("${aws_ecr_repository.api.repository_url}:latest", Latest),
            (&format!("{ecr}/syncer:latest"), Latest),
            (&format!("{ecr}/worker"), Untagged),
            (&format!("{ecr}/syncer:ag5123s"), Pinned),
            ("{{ .Values.repo }}:latest", Latest),
            ("$REGISTRY/app:$TAG", Variable),
            ("${IMAGE}", Variable),
            ("registry/${NAME}", Variable),
            ("app:${TAG:-latest}", Variable),
            ("app:{{ .Values.tag }}", Variable),
            ("${BROKEN:latest", Variable),
        ]);
    }

    #[test]
    fn rejects_non_references() {
        assert!(!looks_like_image("https://example.com/x"));
        assert!(!looks_like_image("two words"));
        assert!(looks_like_image("ghcr.io/org/app:1.2"));
        assert!(looks_like_image("{{ .Values.repo }}:latest"));
        assert!(!looks_like_image("app:1 extra"));
        assert!(!looks_like_image("assets/hero-banner.PNG"));
        assert!(looks_like_image("ghcr.io/acme/png-optimizer"));
    }
}
