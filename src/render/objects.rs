//! A render's output as objects: stdout split into YAML/JSON documents (each Kubernetes-style
//! document named by its kind, namespace and name), or the files an `output` glob names (each
//! file one object). Every object gets a path of its own under a folder named after the render
//! (`NAME/…`), so the rules' path globs apply to it as to a file of that kind in that folder (a
//! render named `prod` gets the production-only rules); reports show it as `render:NAME/…`.
//! Output that does not parse fails the render: the gate never judges half of what a render
//! produced.

use super::command::Failure;
use crate::matching::globs::path_glob;
use crate::matching::tree::{self, Node};
use std::collections::HashMap;
use std::path::Path;

/// The largest output file read: 5 MiB, as for any changed file.
const MAX_FILE_BYTES: u64 = 5 * 1024 * 1024;

/// How deep directories are searched for `output` files.
const MAX_DEPTH: usize = 32;

/// One rendered object.
#[derive(Debug, Clone)]
pub(crate) struct Object {
    /// What it is: `Deployment/shop/api` (kind, namespace, name), `document-2` for a document
    /// without a kind and name, or the output file's path.
    pub(crate) address: String,
    /// Its kind (`Deployment`), `document`, or `file`.
    pub(crate) kind: String,
    /// Its path as rules see it: `NAME/Deployment/shop/api.yaml`, `NAME/cdk.out/x.json`
    /// (reports prefix `render:`).
    pub(crate) path: String,
    /// Its text as rendered.
    pub(crate) text: String,
}

/// The objects in a render's stdout.
pub(super) fn from_stdout(render: &str, stdout: &[u8]) -> Result<Vec<Object>, Failure> {
    let text =
        std::str::from_utf8(stdout).map_err(|_| Failure::new("its output is not UTF-8 text"))?;
    let mut objects = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut unnamed = 0;
    for document in documents(text) {
        let parsed = tree::parse(document)
            .map_err(|e| Failure::new(format!("its output is not YAML or JSON: {e}")))?;
        let Some(node) = parsed.first() else {
            continue;
        };
        let (mut address, kind) = match identity(node) {
            Some((address, kind)) => (address, kind),
            None => {
                unnamed += 1;
                (format!("document-{unnamed}"), "document".to_string())
            }
        };
        let count = seen.entry(address.clone()).or_insert(0);
        *count += 1;
        if *count > 1 {
            address = format!("{address}#{count}");
        }
        objects.push(Object {
            path: format!("{render}/{address}.yaml"),
            address,
            kind,
            text: document.to_string(),
        });
    }
    Ok(objects)
}

/// The documents of a YAML stream: the text between `---` lines (and after `...` lines), each
/// ending with a newline; empty ones left out.
fn documents(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end();
        let marker = bare == "---" || bare.starts_with("--- ") || bare == "...";
        if marker {
            out.push(&text[start..at]);
            start = at + line.len();
        }
        at += line.len();
    }
    out.push(&text[start..]);
    out.into_iter()
        .filter(|d| {
            d.lines()
                .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        })
        .collect()
}

/// `Kind/namespace/name` (or `Kind/name`) and the kind, for a document with a `kind` and a
/// `metadata.name` made of characters safe in a path.
fn identity(node: &Node) -> Option<(String, String)> {
    let safe = |s: &str| {
        !s.is_empty()
            && s.len() <= 253
            && !matches!(s, "." | "..")
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._:".contains(c))
    };
    let kind = node.get("kind")?.text().filter(|k| safe(k))?;
    let metadata = node.get("metadata")?;
    let name = metadata.get("name")?.text().filter(|n| safe(n))?;
    let address = match metadata.get("namespace").and_then(Node::text) {
        Some(namespace) if safe(namespace) => format!("{kind}/{namespace}/{name}"),
        _ => format!("{kind}/{name}"),
    };
    Some((address, kind.to_string()))
}

/// The files under `root` that the `output` glob names, each an object; at least one must.
pub(super) fn from_files(render: &str, root: &Path, glob: &str) -> Result<Vec<Object>, Failure> {
    let matcher = path_glob(&format!("/{}", glob.trim_start_matches("./")))
        .map_err(Failure::new)?
        .compile_matcher();
    let mut found = Vec::new();
    collect(
        root,
        root,
        &mut |relative| matcher.is_match(relative),
        &mut found,
        0,
    )?;
    found.sort();
    if found.is_empty() {
        return Err(Failure::new(format!("it wrote no file matching `{glob}`")));
    }
    found
        .into_iter()
        .map(|relative| {
            let full = root.join(&relative);
            let too_large = std::fs::metadata(&full).map_or(true, |m| m.len() > MAX_FILE_BYTES);
            if too_large {
                return Err(Failure::new(format!(
                    "its output {relative} is missing or over {} MiB",
                    MAX_FILE_BYTES / (1024 * 1024)
                )));
            }
            let text = std::fs::read_to_string(&full)
                .map_err(|e| Failure::new(format!("its output {relative} cannot be read: {e}")))?;
            tree::parse(&text).map_err(|e| {
                Failure::new(format!("its output {relative} is not YAML or JSON: {e}"))
            })?;
            Ok(Object {
                path: format!("{render}/{relative}"),
                address: relative,
                kind: "file".to_string(),
                text,
            })
        })
        .collect()
}

/// Adds to `found` the files under `dir` (relative to `root`, `/`-separated) that `wanted`
/// accepts; symlinks are not followed, `.git` is not entered.
fn collect(
    root: &Path,
    dir: &Path,
    wanted: &mut dyn FnMut(&str) -> bool,
    found: &mut Vec<String>,
    depth: usize,
) -> Result<(), Failure> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Failure::new(format!("its output cannot be listed: {e}")))?;
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        let Some(relative) = path
            .strip_prefix(root)
            .ok()
            .and_then(Path::to_str)
            .map(|r| r.replace('\\', "/"))
        else {
            continue;
        };
        if kind.is_dir() && entry.file_name() != ".git" {
            collect(root, &path, wanted, found, depth + 1)?;
        } else if kind.is_file() && wanted(&relative) {
            found.push(relative);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_splits_into_named_objects() {
        let stream = "apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n---\n# only a comment\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: shop\nspec: {}\n--- \n{\"a\": 1}\n---\nkind: Service\nmetadata: {name: api}\n";
        let objects = from_stdout("prod", stream.as_bytes()).unwrap();
        let named: Vec<(&str, &str, &str)> = objects
            .iter()
            .map(|o| (o.address.as_str(), o.kind.as_str(), o.path.as_str()))
            .collect();
        assert_eq!(
            named,
            [
                ("Service/api", "Service", "prod/Service/api.yaml"),
                (
                    "Deployment/shop/api",
                    "Deployment",
                    "prod/Deployment/shop/api.yaml"
                ),
                ("document-1", "document", "prod/document-1.yaml"),
                ("Service/api#2", "Service", "prod/Service/api#2.yaml"),
            ]
        );
        assert!(objects[1].text.starts_with("apiVersion: apps/v1\n"));
        let bad = from_stdout("prod", b"kind: [unclosed\n").unwrap_err();
        assert!(
            bad.what.starts_with("its output is not YAML or JSON"),
            "{bad:?}"
        );
        // A name that would climb out of the render's folder does not name the object.
        let odd = from_stdout("p", b"kind: Secret\nmetadata: {name: ../../x}\n").unwrap();
        assert_eq!(odd[0].address, "document-1");
    }
}
