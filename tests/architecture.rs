//! The architecture holds: no import circle between the modules of `src/` (the top-level
//! modules, and the files within each module folder), and `docs/architecture.md` lists exactly
//! the source files that exist, each with the one job it does.
//!
//! Imports are read from the source text: `crate::a::…` paths, `super::…` paths, and in a
//! folder's `mod.rs` the paths that start at one of its files. A file that names an item of its
//! folder's `mod.rs` (through `super::item`) depends on `mod.rs`; declaring a module (`mod x;`)
//! is not an import.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The repository's `src/`.
fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, relative to `src/`, with `/` separators.
fn rust_files(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("readable src/") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(src()).expect("under src/");
            out.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// Source text with comments, string and character literals blanked out, so only code remains.
fn code_only(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let rest = &text[i..];
        if rest.starts_with("//") {
            let end = rest.find('\n').unwrap_or(rest.len());
            i += end;
        } else if rest.starts_with("/*") {
            let end = rest.find("*/").map_or(rest.len(), |e| e + 2);
            i += end;
        } else if let Some(hashes) = raw_string_start(rest) {
            let close = format!("\"{}", "#".repeat(hashes));
            let body = hashes + 2;
            let end = rest[body..]
                .find(&close)
                .map_or(rest.len(), |e| body + e + close.len());
            i += end;
            out.push_str("\"\"");
        } else if rest.starts_with('"') {
            let mut j = 1;
            while j < rest.len() && rest.as_bytes()[j] != b'"' {
                j += if rest.as_bytes()[j] == b'\\' { 2 } else { 1 };
            }
            i += (j + 1).min(rest.len());
            out.push_str("\"\"");
        } else if let Some(len) = char_literal(rest) {
            i += len;
            out.push_str("' '");
        } else {
            let c = rest.chars().next().expect("not at the end");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// The number of `#` of a raw string literal starting here (`r"…"`, `r#"…"#`, `br"…"`).
fn raw_string_start(rest: &str) -> Option<usize> {
    let after = rest.strip_prefix("br").or_else(|| rest.strip_prefix('r'))?;
    let hashes = after.len() - after.trim_start_matches('#').len();
    after[hashes..]
        .starts_with('"')
        .then_some(hashes + rest.len() - after.len() - 1)
}

/// The length of a character literal starting here (`'a'`, `'\n'`, `'\u{1F}'`), not a lifetime.
fn char_literal(rest: &str) -> Option<usize> {
    let inner = rest.strip_prefix('\'')?;
    let len = if inner.starts_with('\\') {
        inner.find('\'')?
    } else {
        inner.chars().next()?.len_utf8()
    };
    (inner[len..].starts_with('\'')).then_some(len + 2)
}

/// The paths that start with `prefix` (`crate::`, `super::`, `self::`) in `code`, as their
/// segments; a brace group (`prefix{a, b::c}`) yields one path per member.
fn paths_after(code: &str, prefix: &str) -> Vec<Vec<String>> {
    located_paths(code, prefix)
        .into_iter()
        .map(|(_, path)| path)
        .collect()
}

/// [`paths_after`], each path with the byte offset where it is written.
fn located_paths(code: &str, prefix: &str) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    for (at, _) in code.match_indices(prefix) {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        out.extend(
            expand(&code[at + prefix.len()..])
                .into_iter()
                .map(|path| (at, path)),
        );
    }
    out
}

/// The byte ranges of the modules written inline in a file (`mod tests { … }`), in which
/// `super::` names the file itself.
fn inline_modules(code: &str) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    for (at, _) in code.match_indices("mod ") {
        let rest = &code[at + 4..];
        let name = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let Some(body) = rest[name..].trim_start().strip_prefix('{') else {
            continue;
        };
        let open = code.len() - body.len();
        let mut depth = 1;
        for (i, c) in body.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                ranges.push(open..open + i);
                break;
            }
        }
    }
    ranges
}

/// The paths written at the start of `rest`: one (`a::b`), or a brace group's members.
fn expand(rest: &str) -> Vec<Vec<String>> {
    if let Some(group) = rest.strip_prefix('{') {
        let mut depth = 0;
        let mut members = Vec::new();
        let mut start = 0;
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    members.push(&group[start..i]);
                    break;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    members.push(&group[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        return members
            .into_iter()
            .flat_map(|m| expand(m.trim_start()))
            .collect();
    }
    let mut segments = Vec::new();
    let mut rest = rest;
    loop {
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if len == 0 {
            break;
        }
        segments.push(rest[..len].to_string());
        match rest[len..].strip_prefix("::") {
            Some(after) if after.starts_with('{') => {
                return expand(after)
                    .into_iter()
                    .map(|tail| segments.iter().cloned().chain(tail).collect())
                    .collect();
            }
            Some(after) => rest = after,
            None => break,
        }
    }
    vec![segments]
}

/// Where a file sits: its top-level module, and its node within the module's folder (`mod` for
/// the folder's `mod.rs`, or for a top-level module that is a single file).
fn place(file: &str) -> (String, String) {
    let parts: Vec<&str> = file.trim_end_matches(".rs").split('/').collect();
    match parts[..] {
        [single] => (single.to_string(), "mod".to_string()),
        [module, "mod"] => (module.to_string(), "mod".to_string()),
        [module, sub] => (module.to_string(), sub.to_string()),
        _ => panic!("{file}: src/ has two levels of modules at most"),
    }
}

/// The import graphs: between top-level modules, and per module between its files.
type Graph = BTreeMap<String, BTreeSet<String>>;

fn graphs() -> (Graph, BTreeMap<String, Graph>) {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut children: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let (module, node) = place(file);
        children.entry(module).or_default().insert(node);
    }
    let mut top = Graph::new();
    let mut within: BTreeMap<String, Graph> = BTreeMap::new();
    for file in files.iter().filter(|f| *f != "lib.rs" && *f != "main.rs") {
        let (module, node) = place(file);
        let code = code_only(&std::fs::read_to_string(src().join(file)).expect("readable"));
        let siblings = &children[&module];
        let node_of = |name: &str| {
            if siblings.contains(name) && name != "mod" {
                name.to_string()
            } else {
                "mod".to_string()
            }
        };
        let mut inner = BTreeSet::new();
        for path in paths_after(&code, "crate::") {
            let Some(first) = path.first() else { continue };
            if *first == module {
                if let Some(second) = path.get(1) {
                    inner.insert(node_of(second));
                }
            } else if children.contains_key(first) && first != "lib" && first != "main" {
                top.entry(module.clone()).or_default().insert(first.clone());
            }
        }
        if node != "mod" {
            let inline = inline_modules(&code);
            for (at, path) in located_paths(&code, "super::") {
                // Inside `mod tests { … }`, `super::` is this file and `super::super::` the folder.
                let path = match inline.iter().any(|r| r.contains(&at)) {
                    true if path.first().is_some_and(|f| f == "super") => &path[1..],
                    true => continue,
                    false => &path[..],
                };
                if let Some(first) = path.first() {
                    inner.insert(node_of(first));
                }
            }
        } else {
            for path in paths_after(&code, "self::") {
                if let Some(first) = path.first() {
                    inner.insert(node_of(first));
                }
            }
            for child in siblings.iter().filter(|c| *c != "mod") {
                if !paths_after(&code, &format!("{child}::")).is_empty() {
                    inner.insert(child.clone());
                }
            }
        }
        inner.remove(&node);
        let graph = within.entry(module.clone()).or_default();
        graph.entry(node).or_default().extend(inner);
    }
    (top, within)
}

/// A circle in `graph`, as the nodes along it, if there is one.
fn circle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        done: &mut BTreeSet<String>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_string());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, done, path) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut done, &mut Vec::new()))
}

#[test]
fn no_import_circle_between_modules() {
    let (top, within) = graphs();
    assert!(top.len() > 8, "too few modules read: {top:?}");
    if let Some(found) = circle(&top) {
        panic!("import circle between modules: {}", found.join(" -> "));
    }
    for (module, graph) in &within {
        if let Some(found) = circle(graph) {
            panic!("import circle within src/{module}/: {}", found.join(" -> "));
        }
    }
}

#[test]
fn the_reader_sees_the_imports_the_code_writes() {
    let code = code_only(
        "use crate::{a, b::{c, d}};\n// crate::commented\nlet s = \"crate::quoted\";\nsuper::x::y();\nlet c = '\"'; crate::e::f",
    );
    let crate_paths: Vec<String> = paths_after(&code, "crate::")
        .into_iter()
        .map(|p| p.join("::"))
        .collect();
    assert_eq!(crate_paths, ["a", "b::c", "b::d", "e::f"]);
    assert_eq!(paths_after(&code, "super::"), [vec!["x", "y"]]);
    let mut graph = Graph::new();
    graph.entry("a".into()).or_default().insert("b".into());
    graph.entry("b".into()).or_default().insert("c".into());
    assert_eq!(circle(&graph), None);
    graph.entry("c".into()).or_default().insert("a".into());
    assert_eq!(
        circle(&graph),
        Some(
            vec!["a", "b", "c", "a"]
                .into_iter()
                .map(String::from)
                .collect()
        )
    );
}

/// The files the architecture page's tree lists (relative to `src/`), each with its line.
fn documented_files() -> BTreeMap<String, String> {
    let page = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/architecture.md");
    let text = std::fs::read_to_string(page).expect("docs/architecture.md exists");
    let tree = text
        .split("```text\nsrc/\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .expect("docs/architecture.md holds the tree of src/ in a ```text block");
    let mut files = BTreeMap::new();
    let mut folders: Vec<String> = Vec::new();
    for line in tree.lines() {
        let name_at = line
            .find(|c: char| c.is_alphanumeric() || c == '_')
            .unwrap_or(line.len());
        let depth = line[..name_at].chars().count() / 4;
        let (name, job) = line[name_at..]
            .split_once(char::is_whitespace)
            .unwrap_or((&line[name_at..], ""));
        folders.truncate(depth.saturating_sub(1));
        if let Some(folder) = name.strip_suffix('/') {
            folders.push(folder.to_string());
            continue;
        }
        let mut path = folders.clone();
        path.push(name.to_string());
        files.insert(path.join("/"), job.trim().to_string());
    }
    files
}

#[test]
fn the_architecture_page_lists_every_source_file_with_its_job() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let listed = documented_files();
    let existing: BTreeSet<String> = files.into_iter().collect();
    let documented: BTreeSet<String> = listed
        .keys()
        .filter(|f| f.ends_with(".rs"))
        .cloned()
        .collect();
    let missing: Vec<_> = existing.difference(&documented).collect();
    let gone: Vec<_> = documented.difference(&existing).collect();
    assert!(
        missing.is_empty() && gone.is_empty(),
        "docs/architecture.md is out of date: not listed {missing:?}, listed but gone {gone:?}"
    );
    for (file, job) in &listed {
        assert!(!job.is_empty(), "docs/architecture.md: {file} says no job");
    }
}
