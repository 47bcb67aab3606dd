//! Path hazards that need the whole head tree: a new path that collides with another when case
//! is folded, and a reference in changed content to a file that does not exist while a
//! near-miss of it does (seed 004: `index.py ` vs `index.py`).

use std::collections::{HashMap, HashSet};
use unicode_normalization::UnicodeNormalization;

/// Characters that render as nothing or reorder text: never part of a name anyone means.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Case-folded, NFC form of a path, for collision checks.
fn fold(path: &str) -> String {
    if path.is_ascii() {
        return path.to_ascii_lowercase();
    }
    path.nfc().collect::<String>().to_lowercase()
}

/// The form two names share when one is a near-miss of the other: compatibility-normalised,
/// invisible characters dropped, whitespace trimmed around each component and each dot (so
/// `config .js` meets `config.js`), lower-cased.
pub fn near_miss_key(name: &str) -> String {
    let clean: std::borrow::Cow<str> = if name.is_ascii() {
        name.into()
    } else {
        name.nfkc()
            .filter(|c| !is_invisible(*c))
            .collect::<String>()
            .into()
    };
    clean
        .split('/')
        .map(|component| {
            component
                .split('.')
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(".")
        })
        .collect::<Vec<_>>()
        .join("/")
        .to_lowercase()
}

/// Every path in the head tree, indexed for the two checks.
#[derive(Debug, Default)]
pub struct PathIndex {
    folded: HashMap<String, Vec<String>>,
    basenames: HashSet<String>,
    near: HashMap<String, String>,
}

impl PathIndex {
    /// Indexes the head tree's paths (files; their directories are derived).
    pub fn new<I: IntoIterator<Item = String>>(paths: I) -> PathIndex {
        let mut index = PathIndex::default();
        let mut dirs = HashSet::new();
        for path in paths {
            let mut at = 0;
            while let Some(slash) = path[at..].find('/') {
                dirs.insert(path[..at + slash].to_string());
                at += slash + 1;
            }
            let base = basename(&path).to_string();
            index
                .near
                .entry(near_miss_key(&base))
                .or_insert_with(|| path.clone());
            index.basenames.insert(base);
            index.add_folded(path);
        }
        for dir in dirs {
            index.add_folded(dir);
        }
        index
    }

    fn add_folded(&mut self, path: String) {
        let entry = self.folded.entry(fold(&path)).or_default();
        if !entry.contains(&path) {
            entry.push(path);
        }
    }

    /// Another path (or directory) that `path` or one of its directories collides with when
    /// case is folded.
    pub fn case_collision(&self, path: &str) -> Option<&str> {
        let mut prefixes: Vec<&str> = path.match_indices('/').map(|(i, _)| &path[..i]).collect();
        prefixes.push(path);
        prefixes.into_iter().find_map(|prefix| {
            self.folded
                .get(&fold(prefix))?
                .iter()
                .find(|other| other.as_str() != prefix)
                .map(String::as_str)
        })
    }

    /// For a referenced file name that exists nowhere in the tree: the path of a file whose
    /// name differs only by whitespace, case or Unicode form.
    pub fn near_miss(&self, reference: &str) -> Option<&str> {
        let base = basename(reference);
        if self.basenames.contains(base) {
            return None;
        }
        self.near.get(&near_miss_key(base)).map(String::as_str)
    }
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Quoted strings in a line that look like file names (an extension, no URL, no template),
/// candidates for [`PathIndex::near_miss`].
pub fn file_references(line: &str) -> impl Iterator<Item = &str> {
    line.split(['"', '\''])
        .skip(1)
        .step_by(2)
        .filter(|s| looks_like_file(s))
}

fn looks_like_file(s: &str) -> bool {
    let name = basename(s.trim());
    let has_extension = name.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.trim().is_empty()
            && (1..=10).contains(&ext.trim().len())
            && ext.trim().chars().all(|c| c.is_ascii_alphanumeric())
            && ext.trim().chars().any(|c| c.is_ascii_alphabetic())
    });
    has_extension
        && s.len() <= 255
        && !s.contains("://")
        && !s.contains(['*', '$', '{', '}', '%', '<', '>', '\\', '\n'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(paths: &[&str]) -> PathIndex {
        PathIndex::new(paths.iter().map(|p| p.to_string()))
    }

    #[test]
    fn case_collisions_of_files_and_directories() {
        let idx = index(&[
            "src/Button.tsx",
            "src/button.tsx",
            "Docs/a.txt",
            "docs/b.txt",
            "x/y.txt",
        ]);
        assert_eq!(idx.case_collision("src/button.tsx"), Some("src/Button.tsx"));
        assert_eq!(idx.case_collision("docs/b.txt"), Some("Docs"));
        assert_eq!(idx.case_collision("x/y.txt"), None);
    }

    #[test]
    fn near_miss_by_whitespace_case_and_invisible_characters() {
        let idx = index(&[
            "var/www/html/index.py",
            "app/Config.yaml",
            "a/re\u{200B}port.csv",
        ]);
        assert_eq!(
            idx.near_miss("/var/www/html/index.py "),
            Some("var/www/html/index.py")
        );
        assert_eq!(idx.near_miss("config.yaml"), Some("app/Config.yaml"));
        assert_eq!(idx.near_miss("./app/config .yaml"), Some("app/Config.yaml"));
        assert_eq!(idx.near_miss("report.csv"), Some("a/re\u{200B}port.csv"));
        assert_eq!(idx.near_miss("index.py"), None);
        assert_eq!(idx.near_miss("missing.py"), None);
    }

    #[test]
    fn references_are_quoted_file_names() {
        let got: Vec<_> = file_references(
            r#"require 'index.py ' + "https://x.io/a.js" + "v1.2" + 'a.b.c/d.json'"#,
        )
        .collect();
        assert_eq!(got, vec!["index.py ", "a.b.c/d.json"]);
    }
}
