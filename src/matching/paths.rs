//! Path hazards that need the whole head tree: a new path that collides with another when case
//! is folded, and a reference in changed content to a file that does not exist while a
//! near-miss of it does (`index.py ` vs `index.py`).

use crate::change::PathList;
use std::cell::OnceCell;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};
use unicode_normalization::UnicodeNormalization;

/// Characters that render as nothing or reorder text: never part of a name anyone means.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Writes the case-folded, NFC form of a path into `out` (reusing its allocation), for
/// collision checks.
fn fold_into(path: &str, out: &mut String) {
    out.clear();
    if path.is_ascii() {
        out.push_str(path);
        out.make_ascii_lowercase();
    } else {
        out.push_str(&path.nfc().collect::<String>().to_lowercase());
    }
}

/// The form two names share when one is a near-miss of the other: compatibility-normalised,
/// invisible characters dropped, whitespace trimmed around each component and each dot (so
/// `config .js` meets `config.js`), lower-cased.
pub(crate) fn near_miss_key(name: &str) -> String {
    let mut out = String::new();
    near_miss_key_into(name, &mut out);
    out
}

/// Writes [`near_miss_key`]`(name)` into `out`, reusing its allocation.
fn near_miss_key_into(name: &str, out: &mut String) {
    out.clear();
    // Most names: nothing to normalise or trim, only case to fold.
    if name
        .bytes()
        .all(|b| b.is_ascii() && !(b'\t'..=b'\r').contains(&b) && b != b' ')
    {
        out.push_str(name);
        out.make_ascii_lowercase();
        return;
    }
    let clean: std::borrow::Cow<str> = if name.is_ascii() {
        name.into()
    } else {
        name.nfkc()
            .filter(|c| !is_invisible(*c))
            .collect::<String>()
            .into()
    };
    for (c, component) in clean.split('/').enumerate() {
        if c > 0 {
            out.push('/');
        }
        for (p, piece) in component.split('.').enumerate() {
            if p > 0 {
                out.push('.');
            }
            out.push_str(piece.trim());
        }
    }
    if out.is_ascii() {
        out.make_ascii_lowercase();
    } else {
        *out = out.to_lowercase();
    }
}

/// The head tree's paths, indexed for the two checks. Each index is built on its first use,
/// keyed by a hash of the folded form so that no key is allocated per path.
#[derive(Debug, Default)]
pub(crate) struct PathIndex {
    paths: PathList,
    state: RandomState,
    /// Files, then directories, by the hash of their folded form.
    folded: OnceCell<Groups>,
    /// Files by the hash of their name's [`near_miss_key`].
    near: OnceCell<Groups>,
}

impl PathIndex {
    /// Indexes the head tree's paths (files, sorted; their directories are derived).
    pub(crate) fn new(paths: PathList) -> PathIndex {
        PathIndex {
            paths,
            ..PathIndex::default()
        }
    }

    /// Whether the head tree has a file at `path` (exactly).
    pub(crate) fn contains(&self, path: &str) -> bool {
        let (mut low, mut high) = (0, self.paths.len());
        while low < high {
            let mid = low + (high - low) / 2;
            match self.paths.get(mid).cmp(path) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return true,
            }
        }
        false
    }

    fn hash(&self, key: &str) -> u64 {
        self.state.hash_one(key)
    }

    fn folded(&self) -> &Groups {
        self.folded.get_or_init(|| {
            let mut groups = Groups::with_capacity(self.paths.len());
            let mut key = String::new();
            for (i, path) in self.paths.iter().enumerate() {
                fold_into(path, &mut key);
                groups.push(self.hash(&key), i, path.len());
            }
            // Sorted paths list each directory's files together: a directory is new when the
            // previous path does not start with it and its slash.
            let mut previous = "";
            for (i, path) in self.paths.iter().enumerate() {
                let shared = previous
                    .bytes()
                    .zip(path.bytes())
                    .take_while(|(a, b)| a == b)
                    .count();
                for (slash, _) in path.match_indices('/').filter(|(at, _)| *at >= shared) {
                    fold_into(&path[..slash], &mut key);
                    groups.push(self.hash(&key), i, slash);
                }
                previous = path;
            }
            groups
        })
    }

    fn near(&self) -> &Groups {
        self.near.get_or_init(|| {
            let mut groups = Groups::with_capacity(self.paths.len());
            let mut key = String::new();
            for (i, path) in self.paths.iter().enumerate() {
                near_miss_key_into(basename(path), &mut key);
                groups.push(self.hash(&key), i, path.len());
            }
            groups
        })
    }

    /// Another path (or directory) that `path` or one of its directories collides with when
    /// case is folded.
    pub(crate) fn case_collision(&self, path: &str) -> Option<&str> {
        let groups = self.folded();
        let (mut key, mut other_key) = (String::new(), String::new());
        let prefixes = path.match_indices('/').map(|(i, _)| &path[..i]);
        prefixes.chain([path]).find_map(|prefix| {
            fold_into(prefix, &mut key);
            groups
                .get(self.hash(&key))
                .map(|(i, len)| self.paths.get(i).get(..len).unwrap_or_default())
                .find(|other| {
                    *other != prefix && {
                        fold_into(other, &mut other_key);
                        other_key == key
                    }
                })
        })
    }

    /// For a referenced file name that exists nowhere in the tree: the path of a file whose
    /// name differs only by whitespace, case or Unicode form.
    pub(crate) fn near_miss(&self, reference: &str) -> Option<&str> {
        let base = basename(reference);
        let key = near_miss_key(base);
        let mut other_key = String::new();
        let mut found = None;
        for (i, _) in self.near().get(self.hash(&key)) {
            let path = self.paths.get(i);
            let name = basename(path);
            if name == base {
                return None;
            }
            near_miss_key_into(name, &mut other_key);
            if found.is_none() && other_key == key {
                found = Some(path);
            }
        }
        found
    }
}

/// No next item.
const END: usize = usize::MAX;

/// The hasher of a map whose keys are hashes already.
#[derive(Debug, Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, hash: u64) {
        self.0 = hash;
    }
}

/// Paths (or the directory prefixes of paths, as path index and length) grouped by the hash of
/// a key, in the order pushed, with no allocation per group. An equal hash does not prove an
/// equal key: readers compare the keys of what they get.
#[derive(Debug, Default)]
struct Groups {
    /// First and last item of each group, by hash (already a hash: not hashed again).
    ends: HashMap<u64, (usize, usize), BuildHasherDefault<Prehashed>>,
    /// Path index, length, next item of the same group.
    items: Vec<(usize, usize, usize)>,
}

impl Groups {
    fn with_capacity(items: usize) -> Groups {
        Groups {
            ends: HashMap::with_capacity_and_hasher(items, BuildHasherDefault::default()),
            items: Vec::with_capacity(items),
        }
    }

    fn push(&mut self, hash: u64, path: usize, len: usize) {
        let at = self.items.len();
        self.items.push((path, len, END));
        match self.ends.entry(hash) {
            Entry::Occupied(mut group) => {
                let last = &mut group.get_mut().1;
                if let Some(item) = self.items.get_mut(*last) {
                    item.2 = at;
                }
                *last = at;
            }
            Entry::Vacant(group) => {
                group.insert((at, at));
            }
        }
    }

    /// The group's items as (path index, length), in the order pushed.
    fn get(&self, hash: u64) -> impl Iterator<Item = (usize, usize)> + '_ {
        let mut at = self.ends.get(&hash).map_or(END, |&(first, _)| first);
        std::iter::from_fn(move || {
            let &(path, len, next) = self.items.get(at)?;
            at = next;
            Some((path, len))
        })
    }
}

/// How code says it compares names without regard to case, written in lower case: a name
/// lower-cased (`.lower()`, `toLowerCase()`, `strings.ToLower`, `downcase`, `casefold`), or a
/// case-insensitive comparison or pattern (`EqualFold`, `IGNORECASE`, `ilike`…).
const CASE_FOLDING: [&str; 12] = [
    "lower(",
    "tolowercase",
    "tolocalelowercase",
    "casefold",
    "downcase",
    "equalfold",
    "ignorecase",
    "ignore_case",
    "case_insensitive",
    "caseinsensitive",
    "re.i)",
    "ilike",
];

/// Whether a line folds case on purpose around the names it holds, so a reference that differs
/// from a file's name only by case is looked up that way, not missed.
pub(crate) fn folds_case(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    CASE_FOLDING.iter().any(|m| lower.contains(m))
}

/// The last component of a path.
pub(crate) fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Quoted strings in a line that look like file names (an extension, no URL, no template),
/// candidates for [`PathIndex::near_miss`].
pub(crate) fn file_references(line: &str) -> impl Iterator<Item = &str> {
    Quoted { rest: line }.filter(|s| looks_like_file(s))
}

/// The text between the first and second quote (`"` or `'`, either closes either), the third
/// and fourth, and so on; an unclosed last quote runs to the end of the line.
struct Quoted<'t> {
    rest: &'t str,
}

impl<'t> Iterator for Quoted<'t> {
    type Item = &'t str;

    fn next(&mut self) -> Option<&'t str> {
        let inner = &self.rest[find_quote(self.rest)? + 1..];
        match find_quote(inner) {
            Some(close) => {
                self.rest = &inner[close + 1..];
                Some(&inner[..close])
            }
            None => {
                self.rest = "";
                Some(inner)
            }
        }
    }
}

/// The first `"` or `'` in `text` (every changed line is searched, so with memchr's SIMD search).
fn find_quote(text: &str) -> Option<usize> {
    memchr::memchr2(b'"', b'\'', text.as_bytes())
}

fn looks_like_file(s: &str) -> bool {
    // The cheap byte checks first: most quoted strings are not file names.
    let unlikely = |b| {
        matches!(
            b,
            b'*' | b'$' | b'{' | b'}' | b'%' | b'<' | b'>' | b'\\' | b'\n'
        )
    };
    if s.len() > 255 || s.bytes().any(unlikely) {
        return false;
    }
    let name = basename(s.trim());
    let has_extension = name.rsplit_once('.').is_some_and(|(stem, ext)| {
        let ext = ext.trim();
        !stem.trim().is_empty()
            && (1..=10).contains(&ext.len())
            && ext.bytes().all(|b| b.is_ascii_alphanumeric())
            && ext.bytes().any(|b| b.is_ascii_alphabetic())
    });
    has_extension && !s.contains("://")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(paths: &[&str]) -> PathIndex {
        PathIndex::new(paths.iter().collect())
    }

    /// Case collisions of files and of directories, Unicode forms folded, at every depth.
    #[test]
    fn case_collisions_of_files_and_directories() {
        let idx = index(&[
            "src/Button.tsx",
            "src/button.tsx",
            "Docs/a.txt",
            "docs/b.txt",
            "x/y.txt",
            "A/b/x.txt",
            "A/b/y.txt",
            "a/c/z.txt",
            "Cafe\u{301}/m.txt",
            "café/n.txt",
        ]);
        for (path, other) in [
            ("src/button.tsx", Some("src/Button.tsx")),
            ("docs/b.txt", Some("Docs")),
            ("x/y.txt", None),
            ("a/c/z.txt", Some("A")),
            ("A/b/y.txt", Some("a")),
            ("café/n.txt", Some("Cafe\u{301}")),
        ] {
            assert_eq!(idx.case_collision(path), other, "{path}");
        }
    }

    #[test]
    fn near_miss_is_the_first_path_and_none_when_the_name_exists() {
        let idx = index(&["y/config.yaml", "x/Config.yaml", "z/app.js"]);
        assert_eq!(idx.near_miss("config.yaml"), None);
        assert_eq!(idx.near_miss("CONFIG .yaml"), Some("x/Config.yaml"));
        assert_eq!(idx.near_miss("app .js"), Some("z/app.js"));
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
    fn quotes_are_found_at_any_offset() {
        for filler in ["a", "é\u{2028}"] {
            for n in 0..20 {
                let before = filler.repeat(n);
                assert_eq!(find_quote(&before), None);
                for quote in ['"', '\''] {
                    let text = format!("{before}{quote}x\"y'");
                    assert_eq!(find_quote(&text), Some(before.len()), "{text:?}");
                }
            }
        }
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
