//! A change written down in TOML: the one shape the rules' worked examples, the detection
//! corpus (`tests/corpus/`) and the rebuilt incidents (`tests/incidents/`) share.
//!
//! - `path`, `old_path`, `before`, `after`: the file the fixture is about (`old_path` for a
//!   rename; no `before` for a new file, no `after` for a deleted one);
//! - `[[file]]`: other files of the same change, with the same four keys;
//! - `existing`: paths present, unchanged, in the head tree.
//!
//! A file whose `before` equals its `after` and that is not renamed did not change: it is in
//! the head tree, not in the change. Each use adds keys of its own (a rule example's `expect`
//! and `line`); [`change_fixture!`](crate::change_fixture) declares the shared keys once for all of them.

use crate::change::{ChangeSet, ChangedFile, HeadTree, Status};

/// Another file of a fixture's change.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FixtureFile {
    /// The path in head (or the deleted path).
    pub path: String,
    /// The path in base, for a rename.
    pub old_path: Option<String>,
    /// Content in base; absent: the file is new.
    pub before: Option<String>,
    /// Content in head; absent: the file is deleted.
    pub after: Option<String>,
}

impl FixtureFile {
    /// The file, borrowed.
    pub fn as_ref(&self) -> FileRef<'_> {
        FileRef {
            path: &self.path,
            old_path: self.old_path.as_deref(),
            before: self.before.as_deref(),
            after: self.after.as_deref(),
        }
    }
}

/// One file of a fixture, borrowed: its paths and its two sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileRef<'f> {
    /// The path in head (or the deleted path).
    pub path: &'f str,
    /// The path in base, for a rename.
    pub old_path: Option<&'f str>,
    /// Content in base, if the file existed there.
    pub before: Option<&'f str>,
    /// Content in head, if the file exists there.
    pub after: Option<&'f str>,
}

impl FileRef<'_> {
    /// Whether the file is the same on both sides (and not renamed): in the tree, not changed.
    pub fn is_unchanged(&self) -> bool {
        self.before.is_some() && self.before == self.after && self.old_path.is_none()
    }
}

/// What every struct declared with [`change_fixture!`](crate::change_fixture) offers.
pub trait Fixture {
    /// The file the fixture is about, its other files, and the unchanged paths it names.
    fn parts(&self) -> (FileRef<'_>, &[FixtureFile], &[String]);

    /// Every file of the fixture, the one it is about first.
    fn files(&self) -> Vec<FileRef<'_>> {
        let (main, others, _) = self.parts();
        std::iter::once(main)
            .chain(others.iter().map(FixtureFile::as_ref))
            .collect()
    }

    /// The change the fixture describes, held in memory, as `git diff` would show it.
    fn change(&self) -> ChangeSet {
        let (_, _, existing) = self.parts();
        let mut tree = existing.to_vec();
        let mut files = Vec::new();
        let mut unchanged = Vec::new();
        for file in self.files() {
            if file.is_unchanged() {
                tree.push(file.path.to_string());
                unchanged.push((
                    file.path.to_string(),
                    file.after.unwrap_or_default().to_string(),
                ));
                continue;
            }
            let mut changed = ChangedFile::from_contents(file.path, file.before, file.after);
            if let Some(old) = file.old_path {
                changed.status = Status::Renamed;
                changed.old_path = Some(old.to_string());
            }
            files.push(changed);
        }
        ChangeSet {
            files,
            tree: HeadTree::Listed(tree),
            unchanged,
            ..ChangeSet::default()
        }
    }
}

/// Declares a struct that holds a [change fixture](crate::fixture) (the keys `path`,
/// `old_path`, `before`, `after`, `file` and `existing`) and the keys written between its
/// braces, read from TOML with unknown keys refused, and implements [`Fixture`] for it. The
/// struct's visibility is its fields'. Needs `serde` (with `derive`) where it is used.
#[macro_export]
macro_rules! change_fixture {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $($(#[$field_meta:meta])* $field:ident: $type:ty),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
        #[serde(deny_unknown_fields)]
        $vis struct $name {
            /// The path in head (or the deleted path) of the file the fixture is about.
            $vis path: String,
            /// Its path in base, for a rename.
            $vis old_path: Option<String>,
            /// Its content in base; absent: the file is new.
            $vis before: Option<String>,
            /// Its content in head; absent: the file is deleted.
            $vis after: Option<String>,
            $($(#[$field_meta])* $vis $field: $type,)*
            /// Other files of the same change.
            #[serde(default, rename = "file")]
            $vis files: Vec<$crate::fixture::FixtureFile>,
            /// Paths that exist, unchanged, in the head tree.
            #[serde(default)]
            $vis existing: Vec<String>,
        }

        impl $crate::fixture::Fixture for $name {
            fn parts(
                &self,
            ) -> (
                $crate::fixture::FileRef<'_>,
                &[$crate::fixture::FixtureFile],
                &[String],
            ) {
                let main = $crate::fixture::FileRef {
                    path: &self.path,
                    old_path: self.old_path.as_deref(),
                    before: self.before.as_deref(),
                    after: self.after.as_deref(),
                };
                (main, &self.files, &self.existing)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::Status;

    crate::change_fixture! {
        /// A fixture with no keys of its own.
        struct Plain {}
    }

    #[test]
    fn a_fixture_reads_as_the_change_it_describes() {
        let text = r#"
path = "b.js"
old_path = "a.js"
before = "x\n"
after = "y\n"
existing = ["README"]

[[file]]
path = "same.txt"
before = "s\n"
after = "s\n"

[[file]]
path = "gone.txt"
before = "g\n"
"#;
        let fixture: Plain = toml::from_str(text).unwrap();
        let change = fixture.change();
        let files: Vec<_> = change
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.status))
            .collect();
        assert_eq!(
            files,
            [("b.js", Status::Renamed), ("gone.txt", Status::Deleted)]
        );
        assert_eq!(change.files[0].old_path.as_deref(), Some("a.js"));
        assert_eq!(
            change.tree,
            HeadTree::Listed(vec!["README".into(), "same.txt".into()])
        );
        assert_eq!(change.unchanged, [("same.txt".into(), "s\n".into())]);
        assert!(toml::from_str::<Plain>("path = \"a\"\nnope = 1\n").is_err());
    }
}
