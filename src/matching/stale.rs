//! References, in the head tree, to paths a change takes away (renamed or deleted): a file name
//! written out (`COPY index.py`, `"main": "server.js"`, `python app/run.py`), a handler string
//! (`Handler: index.handler`, `handler: src/index.main`), a Python import (`from app.index
//! import`) or a relative JavaScript module (`require('./lib/config')`). One multi-pattern
//! search per file finds the lines worth reading; only those are read closely.

use aho_corasick::AhoCorasick;
use regex::Regex;
use std::sync::OnceLock;

/// The extensions of configuration and scripts that name files.
const CONFIG_EXTENSIONS: [&str; 12] = [
    "json",
    "yaml",
    "yml",
    "toml",
    "tf",
    "sh",
    "bash",
    "conf",
    "ini",
    "cfg",
    "dockerfile",
    "env",
];

/// The names (prefixes) of files that name files without an extension.
const CONFIG_NAMES: [&str; 5] = [
    "Dockerfile",
    "Containerfile",
    "Procfile",
    "Makefile",
    "Jenkinsfile",
];

/// Which language family an extension belongs to, for module imports (`None`: not code).
fn language(ext: &str) -> Option<u8> {
    match ext {
        "py" => Some(0),
        "js" | "mjs" | "cjs" | "jsx" | "ts" | "tsx" => Some(1),
        "rb" => Some(2),
        _ => None,
    }
}

/// A path the change takes away, and the names a reference to it would use.
#[derive(Debug, Clone)]
pub(crate) struct Gone {
    /// The path in base.
    pub path: String,
    /// Its last component, e.g. `index.py`.
    name: String,
    /// The name without its extension, for module references (`None`: not a module).
    stem: Option<String>,
}

impl Gone {
    /// A path the change takes away.
    pub(crate) fn new(path: &str) -> Gone {
        let name = path.rsplit('/').next().unwrap_or(path).to_string();
        let stem = name
            .rsplit_once('.')
            .filter(|(stem, ext)| !stem.is_empty() && language(&ext.to_ascii_lowercase()).is_some())
            .map(|(stem, _)| stem.to_string());
        Gone {
            path: path.to_string(),
            name,
            stem,
        }
    }

    fn folder(&self) -> &str {
        folder(&self.path)
    }

    /// The language family of a gone module (`None`: not a module).
    fn language(&self) -> Option<u8> {
        self.stem.as_ref()?;
        language(&self.name.rsplit_once('.')?.1.to_ascii_lowercase())
    }

    /// The path without its extension, as a module reference resolves it.
    fn module_path(&self) -> Option<&str> {
        self.stem.as_ref()?;
        self.path.rsplit_once('.').map(|(p, _)| p)
    }
}

/// The folder of a path ("" at the root).
fn folder(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(f, _)| f)
}

/// Whether a file in folder `outer` can name, by a path relative to itself, a file in `inner`:
/// `outer` is `inner` or one of its ancestors.
fn encloses(outer: &str, inner: &str) -> bool {
    outer.is_empty()
        || inner == outer
        || inner
            .strip_prefix(outer)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The searcher for every path a change takes away, built once per change.
pub(crate) struct Search {
    gone: Vec<Gone>,
    /// For each needle of the automaton, the index in `gone` it belongs to.
    owners: Vec<usize>,
    automaton: Option<AhoCorasick>,
}

/// One reference found: which gone path, on which line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reference {
    /// Index of the gone path in the search.
    pub gone: usize,
    /// 1-based line of the reference.
    pub line: u32,
}

fn handler() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"(?i)handler["']?\s*[:=]\s*["']?(?P<module>[\w./-]+)\.[A-Za-z_]\w*"#)
            .expect("a constant pattern")
    })
}

fn python_import() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^\s*(?:from\s+(?P<from>[\w.]+)\s+import\b|import\s+(?P<import>[\w.]+))")
            .expect("a constant pattern")
    })
}

fn js_module() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"(?:require\s*\(|import\s*\(|\bfrom\s+|^\s*import\s+)\s*["'](?P<spec>\.{1,2}/[^"']+)["']"#)
            .expect("a constant pattern")
    })
}

impl Search {
    /// A search for references to `gone`.
    pub(crate) fn new(gone: Vec<Gone>) -> Search {
        let mut needles = Vec::new();
        let mut owners = Vec::new();
        for (i, g) in gone.iter().enumerate() {
            needles.push(g.name.clone());
            owners.push(i);
            if let Some(stem) = &g.stem {
                needles.push(stem.clone());
                owners.push(i);
            }
        }
        let automaton = AhoCorasick::new(&needles).ok();
        Search {
            gone,
            owners,
            automaton,
        }
    }

    /// The paths searched for.
    pub(crate) fn gone(&self) -> &[Gone] {
        &self.gone
    }

    /// Whether the file at `path` could refer to any gone path at all: a file of a type that
    /// names files (code, configuration, Dockerfiles, Procfiles, shell scripts) in the folder of
    /// one or an ancestor of it, or code of the same language within the folder above the gone
    /// module's (where imports of it live: its package and its siblings).
    pub(crate) fn may_refer(&self, path: &str) -> bool {
        let name = path.rsplit('/').next().unwrap_or(path);
        let ext = name
            .rsplit_once('.')
            .map_or("", |(_, e)| e)
            .to_ascii_lowercase();
        let language = language(&ext);
        let names_files = language.is_some()
            || CONFIG_EXTENSIONS.contains(&ext.as_str())
            || CONFIG_NAMES
                .iter()
                .any(|n| name.len() >= n.len() && name[..n.len()].eq_ignore_ascii_case(n));
        let here = folder(path);
        names_files
            && self.gone.iter().any(|g| {
                encloses(here, g.folder())
                    || (language.is_some()
                        && language == g.language()
                        && encloses(folder(g.folder()), here))
            })
    }

    /// The references in `text` (the file at `path`) to the gone paths.
    pub(crate) fn references(&self, path: &str, text: &str) -> Vec<Reference> {
        let Some(automaton) = &self.automaton else {
            return Vec::new();
        };
        let mut out: Vec<Reference> = Vec::new();
        let mut line_start = 0;
        let mut line_number = 1u32;
        for m in automaton.find_overlapping_iter(text) {
            let at = m.start();
            if at < line_start {
                continue;
            }
            line_number += text[line_start..at].bytes().filter(|b| *b == b'\n').count() as u32;
            line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
            let line = &text[line_start..end];
            let g = self.owners[m.pattern().as_usize()];
            if self.names(g, path, line)
                && !out.iter().any(|r| r.gone == g && r.line == line_number)
            {
                out.push(Reference {
                    gone: g,
                    line: line_number,
                });
            }
        }
        out
    }

    /// Whether `line` of the file at `path` names the gone path `g`.
    fn names(&self, g: usize, path: &str, line: &str) -> bool {
        let gone = &self.gone[g];
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') || trimmed.starts_with("//") {
            return false;
        }
        let here = folder(path);
        let near = encloses(here, gone.folder());
        (near && (names_file(line, &gone.name) || handler_names(line, gone)))
            || module_names(path, line, gone)
    }
}

/// Whether `line` writes out the file name `name` as a whole path component.
fn names_file(line: &str, name: &str) -> bool {
    let path_char = |c: char| c.is_ascii_alphanumeric() || "._-+@".contains(c);
    line.match_indices(name).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + name.len()..].chars().next();
        before.is_none_or(|c| !path_char(c)) && after.is_none_or(|c| !path_char(c))
    })
}

/// Whether `line` is a handler setting (`Handler: index.handler`) naming the module `gone`.
fn handler_names(line: &str, gone: &Gone) -> bool {
    let Some(stem) = &gone.stem else { return false };
    handler().captures_iter(line).any(|c| {
        c.name("module").is_some_and(|m| {
            let module = m.as_str().trim_start_matches("./");
            module == stem.as_str() || module.ends_with(&format!("/{stem}"))
        })
    })
}

/// Whether `line` of the file at `path` imports `gone` as a module: a Python import whose
/// dotted name is the gone path's tail, or a relative JavaScript module that resolves to it.
fn module_names(path: &str, line: &str, gone: &Gone) -> bool {
    let Some(module_path) = gone.module_path() else {
        return false;
    };
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    if ext.eq_ignore_ascii_case("py") && gone.path.to_ascii_lowercase().ends_with(".py") {
        return python_import().captures(line).is_some_and(|c| {
            let dotted = c
                .name("from")
                .or(c.name("import"))
                .map_or("", |m| m.as_str());
            python_resolves(path, dotted, module_path)
        });
    }
    js_module().captures_iter(line).any(|c| {
        c.name("spec")
            .and_then(|s| resolve(folder(path), s.as_str()))
            .is_some_and(|target| target == module_path || target == gone.path)
    })
}

/// Whether a Python module name (`app.index`, `.index`, `index`) in the file at `path` may be the
/// module at `module_path` (`app/index`): the same dotted tail of at least two parts, or one
/// part that is a module in the importing file's folder.
fn python_resolves(path: &str, dotted: &str, module_path: &str) -> bool {
    let relative = dotted.starts_with('.');
    let parts: Vec<&str> = dotted.trim_start_matches('.').split('.').collect();
    let wanted = parts.join("/");
    if parts.len() >= 2 && !relative {
        return module_path == wanted || module_path.ends_with(&format!("/{wanted}"));
    }
    let local = match folder(path) {
        "" => wanted,
        here => format!("{here}/{wanted}"),
    };
    module_path == local
}

/// A relative module specifier resolved against `from` (a folder): `None` when it climbs out of
/// the repository.
fn resolve(from: &str, spec: &str) -> Option<String> {
    let mut parts: Vec<&str> = from.split('/').filter(|p| !p.is_empty()).collect();
    for part in spec.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(gone: &[&str], path: &str, text: &str) -> Vec<(String, u32)> {
        let search = Search::new(gone.iter().map(|g| Gone::new(g)).collect());
        search
            .references(path, text)
            .into_iter()
            .map(|r| (search.gone()[r.gone].path.clone(), r.line))
            .collect()
    }

    #[test]
    fn file_names_handlers_and_imports_that_name_a_gone_path() {
        let docker = "FROM python:3.12\nCOPY index.py /app/\nCMD [\"python\", \"/app/index.py\"]\n";
        assert_eq!(
            found(&["index.py"], "Dockerfile", docker),
            vec![("index.py".into(), 2), ("index.py".into(), 3)]
        );
        let sam = "Resources:\n  Fn:\n    Properties:\n      CodeUri: src/\n      Handler: index.handler\n";
        assert_eq!(found(&["src/index.py"], "template.yaml", sam).len(), 1);
        let py = "import os\nfrom app.index import main\n";
        assert_eq!(found(&["app/index.py"], "run.py", py).len(), 1);
        let js = "const config = require('../lib/config');\n";
        assert_eq!(found(&["lib/config.js"], "src/server.js", js).len(), 1);
        let pkg =
            "{\n  \"main\": \"server.js\",\n  \"scripts\": {\"start\": \"node server.js\"}\n}\n";
        assert_eq!(found(&["server.js"], "package.json", pkg).len(), 2);
    }

    #[test]
    fn only_files_that_could_name_a_gone_path_are_read() {
        let search = Search::new(vec![Gone::new("svc/a/worker/jobs.py")]);
        for (path, read) in [
            ("Dockerfile", true),
            ("svc/a/Procfile", true),
            ("svc/a/api/views.py", true),
            ("svc/b/api/views.py", false),
            ("svc/a/api/views.js", false),
            ("svc/a/worker/sub/config.yaml", false),
            ("README.md", false),
        ] {
            assert_eq!(search.may_refer(path), read, "{path}");
        }
    }

    #[test]
    fn look_alikes_other_folders_and_comments_are_not_references() {
        assert!(found(&["index.py"], "Dockerfile", "COPY my_index.py /app/\n").is_empty());
        assert!(found(&["index.py"], "app.py", "# index.py used to live here\n").is_empty());
        assert!(found(&["lib/config.js"], "src/server.js", "require('./config')\n").is_empty());
        assert!(found(&["svc/a/run.sh"], "svc/b/deploy.sh", "./run.sh\n").is_empty());
        assert!(
            found(
                &["app/index.py"],
                "run.py",
                "from other.index import main\n"
            )
            .is_empty()
        );
    }
}
