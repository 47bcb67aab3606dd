//! Reading the full content of one side of a changed file, for rules and suppressions that need
//! more than the changed lines. Content is read on demand, never for files no rule asks about.

use crate::change::Content;
use crate::error::{Error, Result};
use git2::Repository;
use std::borrow::Cow;

/// Reads [`Content`] from the repository's objects, the working tree, or memory.
pub struct ContentReader<'r> {
    repo: Option<&'r Repository>,
}

impl<'r> ContentReader<'r> {
    /// A reader backed by `repo` (objects and working tree).
    pub fn new(repo: &'r Repository) -> Self {
        ContentReader { repo: Some(repo) }
    }

    /// A reader with no repository: only in-memory content can be read (rule examples).
    pub fn in_memory() -> Self {
        ContentReader { repo: None }
    }

    /// The content as bytes; `None` when the side is absent or no repository backs this reader.
    pub fn read<'c>(&self, content: &'c Content) -> Result<Option<Cow<'c, [u8]>>> {
        match (content, self.repo) {
            (Content::Absent, _) => Ok(None),
            (Content::Inline(text), _) => Ok(Some(Cow::Borrowed(text.as_bytes()))),
            (Content::Blob(id), Some(repo)) => {
                Ok(Some(Cow::Owned(repo.find_blob(*id)?.content().to_vec())))
            }
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
                Ok(Some(Cow::Owned(bytes)))
            }
            (Content::Blob(_) | Content::Worktree(_), None) => Ok(None),
        }
    }

    /// The content as text, decoded lossily.
    pub fn read_text(&self, content: &Content) -> Result<Option<String>> {
        Ok(self
            .read(content)?
            .map(|b| String::from_utf8_lossy(&b).into_owned()))
    }
}
