//! Reading the full content of one side of a changed file, for rules and suppressions that need
//! more than the changed lines. Content is read on demand, never for files no rule asks about.

use crate::change::{ChangeSet, ChangedFile, Content, FileKind, HeadTree, PathList, Status};
use crate::error::{Error, Result};
use git2::Repository;
use std::ops::Deref;

/// The bytes of one side, without a copy where they already are in memory (a blob, inline
/// content).
pub(crate) enum Bytes<'a> {
    /// A blob's content, read from the object database.
    Blob(git2::Blob<'a>),
    /// Content read from the working tree.
    Owned(Vec<u8>),
    /// Content held in memory.
    Borrowed(&'a [u8]),
}

impl Deref for Bytes<'_> {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Blob(blob) => blob.content(),
            Bytes::Owned(bytes) => bytes,
            Bytes::Borrowed(bytes) => bytes,
        }
    }
}

/// Reads [`Content`] from the repository's objects, the working tree, or memory.
pub(crate) struct ContentReader<'r> {
    repo: Option<&'r Repository>,
}

impl<'r> ContentReader<'r> {
    /// A reader backed by `repo` (objects and working tree).
    pub(crate) fn new(repo: &'r Repository) -> Self {
        ContentReader { repo: Some(repo) }
    }

    /// A reader with no repository: only in-memory content can be read (rule examples).
    pub(crate) fn in_memory() -> Self {
        ContentReader { repo: None }
    }

    /// The content as bytes, raw: no git attribute or filter applies; `None` when the side is
    /// absent or no repository backs this reader.
    pub(crate) fn read<'c>(&self, content: &'c Content) -> Result<Option<Bytes<'c>>>
    where
        'r: 'c,
    {
        match (content, self.repo) {
            (Content::Absent, _) => Ok(None),
            (Content::Inline(text), _) => Ok(Some(Bytes::Borrowed(text.as_bytes()))),
            (Content::Blob(id), Some(repo)) => Ok(Some(Bytes::Blob(repo.find_blob(*id)?))),
            (Content::Worktree(rel), Some(repo)) => {
                let Some(root) = repo.workdir() else {
                    return Ok(None);
                };
                let path = root.join(rel);
                // A symlink's content is its target path, never the file it points at.
                let meta = std::fs::symlink_metadata(&path).map_err(|source| Error::Io {
                    path: path.clone(),
                    source,
                })?;
                let bytes = if meta.file_type().is_symlink() {
                    let target = std::fs::read_link(&path).map_err(|source| Error::Io {
                        path: path.clone(),
                        source,
                    })?;
                    target.as_os_str().as_encoded_bytes().to_vec()
                } else {
                    std::fs::read(&path).map_err(|source| Error::Io { path, source })?
                };
                Ok(Some(Bytes::Owned(bytes)))
            }
            (Content::Blob(_) | Content::Worktree(_), None) => Ok(None),
        }
    }

    /// Every path in the head tree, sorted: the tree's (or index's) entries, plus the change's
    /// added paths, minus its deleted ones.
    pub(crate) fn head_paths(&self, changes: &ChangeSet) -> Result<PathList> {
        let mut paths = PathList::default();
        match (&changes.tree, self.repo) {
            (HeadTree::Listed(list), _) => list.iter().for_each(|p| paths.push(p)),
            (HeadTree::Commit(id), Some(repo)) => {
                repo.find_tree(*id)?
                    .walk(git2::TreeWalkMode::PreOrder, |root, entry| {
                        if entry.kind() == Some(git2::ObjectType::Blob) {
                            paths.push_parts(root, entry.name_bytes());
                        }
                        git2::TreeWalkResult::Ok
                    })?;
            }
            (HeadTree::Index, Some(repo)) => {
                for entry in repo.index()?.iter() {
                    paths.push_parts("", &entry.path);
                }
            }
            _ => {}
        }
        let gone: std::collections::HashSet<&str> = changes
            .files
            .iter()
            .filter_map(ChangedFile::gone_path)
            .collect();
        if !gone.is_empty() {
            paths.retain(|p| !gone.contains(p));
        }
        for f in changes.files.iter().filter(|f| f.status != Status::Deleted) {
            paths.push(&f.path);
        }
        paths.finish();
        Ok(paths)
    }

    /// The text of `path` in a file the change leaves as it is (the same on both sides), read
    /// from the base commit, or from memory for a change held in memory; `None` when there is
    /// no such file (or it is not a regular file). Decoded as diffs decode it.
    pub(crate) fn read_unchanged(&self, changes: &ChangeSet, path: &str) -> Result<Option<String>> {
        match (self.repo, changes.base.as_deref()) {
            (Some(repo), Some(base)) => {
                let tree = repo.find_commit(git2::Oid::from_str(base)?)?.tree()?;
                match blob_in(&tree, path) {
                    Some(id) => self.read_text(&Content::Blob(id)),
                    None => Ok(None),
                }
            }
            _ => Ok(changes
                .unchanged
                .iter()
                .find(|(p, _)| p == path)
                .map(|(_, text)| super::text::to_string(text.clone().into_bytes()))),
        }
    }

    /// The text of every head file whose path `wanted` accepts, as `(path, text)` in path
    /// order: a changed file's head side, else the blob in the head tree (or index). Unchanged
    /// files over `max_bytes`, submodules and symlinks are left out.
    /// For the gate's own lookups in the head revision (where a plan's resources are declared,
    /// which file a rendered value came from); one walk of the tree.
    pub(crate) fn head_files(
        &self,
        changes: &ChangeSet,
        wanted: impl Fn(&str) -> bool,
        max_bytes: u64,
    ) -> Result<Vec<(String, String)>> {
        let changed: std::collections::HashMap<&str, &Content> = changes
            .files
            .iter()
            .filter(|f| f.kind == FileKind::Text && f.not_scanned.is_none())
            .map(|f| (f.path.as_str(), &f.head))
            .collect();
        let mut out = Vec::new();
        for path in self.head_paths(changes)?.iter().filter(|p| wanted(p)) {
            let text = match changed.get(path) {
                Some(content) => self.read_text(content)?,
                None => self.head_blob(changes, path, max_bytes)?,
            };
            out.extend(text.map(|text| (path.to_string(), text)));
        }
        Ok(out)
    }

    /// An unchanged file's text in the head tree (or index; for a change held in memory, its
    /// unchanged files), if it is a blob of at most `max_bytes`.
    fn head_blob(&self, changes: &ChangeSet, path: &str, max_bytes: u64) -> Result<Option<String>> {
        let Some(repo) = self.repo else {
            return Ok(changes
                .unchanged
                .iter()
                .find(|(p, text)| p == path && text.len() as u64 <= max_bytes)
                .map(|(_, text)| super::text::to_string(text.clone().into_bytes())));
        };
        let id = match &changes.tree {
            HeadTree::Commit(tree) => match blob_in(&repo.find_tree(*tree)?, path) {
                Some(id) => id,
                None => return Ok(None),
            },
            HeadTree::Index => match repo.index()?.get_path(std::path::Path::new(path), 0) {
                Some(entry) if entry.mode != 0o120000 && entry.mode != 0o160000 => entry.id,
                _ => return Ok(None),
            },
            _ => return Ok(None),
        };
        let blob = repo.find_blob(id)?;
        if blob.size() as u64 > max_bytes {
            return Ok(None);
        }
        self.read_text(&Content::Blob(id))
    }

    /// The content as text, decoded as diffs decode it (byte-order marks, UTF-16; see
    /// `source/text.rs`), lossily where invalid.
    pub(crate) fn read_text(&self, content: &Content) -> Result<Option<String>> {
        Ok(self
            .read(content)?
            .map(|bytes| super::text::to_string(bytes.to_vec())))
    }
}

/// The regular file (not a symlink, folder or submodule) at `path` in `tree`.
fn blob_in(tree: &git2::Tree, path: &str) -> Option<git2::Oid> {
    let entry = tree.get_path(std::path::Path::new(path)).ok()?;
    (entry.kind() == Some(git2::ObjectType::Blob) && entry.filemode() != 0o120000)
        .then(|| entry.id())
}
