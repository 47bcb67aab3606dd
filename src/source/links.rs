//! Symlinks followed to what they point at inside the repository, so a link is judged by the
//! content it serves: a scanned name turned into a link to a file of another type must not hide
//! that file's content. Targets are resolved in the same side of the change (a commit's tree,
//! the index or the working tree), hop by hop, never outside the repository root: a link that
//! leaves it (an absolute target, or `..` past the root) is reported, not followed.

use crate::change::Content;
use crate::error::{Error, Result};
use git2::{Index, Repository, Tree};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};

/// The most links followed from one link (git and the kernel stop at about 40; real chains are
/// one or two long).
const MAX_HOPS: usize = 16;

/// One side of a change, where link targets are looked up.
pub(super) enum Place<'r> {
    /// A commit's tree (`None`: the empty tree).
    Tree(Option<Tree<'r>>),
    /// The index (staged changes).
    Index(Index),
    /// The working tree, at this root.
    Worktree(PathBuf),
}

/// What a path names on one side.
enum Entry {
    /// A file, with where its content is read from.
    File(Content),
    /// A symlink, with its target as written.
    Link(Vec<u8>),
    /// A directory.
    Dir,
    /// Nothing (or a submodule, whose content is not in this repository).
    Missing,
}

/// Where a link leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Followed {
    /// A file inside the repository: its path and content.
    File(String, Content),
    /// Outside the repository (an absolute target, or `..` past the root).
    Outside,
    /// Nothing that can be read: a missing file, a directory, a loop.
    Nowhere,
}

impl Place<'_> {
    /// What `path` (repository-relative, `/`-separated) names here.
    fn entry(&self, repo: &Repository, path: &str) -> Result<Entry> {
        // A link's target is any bytes; no path in a repository holds a NUL (and libgit2's
        // index lookup cannot take one).
        if path.contains('\0') {
            return Ok(Entry::Missing);
        }
        match self {
            Place::Tree(None) => Ok(Entry::Missing),
            Place::Tree(Some(tree)) => {
                let Ok(entry) = tree.get_path(Path::new(path)) else {
                    return Ok(Entry::Missing);
                };
                Ok(match entry.filemode() {
                    0o120000 => Entry::Link(repo.find_blob(entry.id())?.content().to_vec()),
                    0o040000 => Entry::Dir,
                    0o160000 => Entry::Missing,
                    _ => Entry::File(Content::Blob(entry.id())),
                })
            }
            Place::Index(index) => {
                if let Some(entry) = index.get_path(Path::new(path), 0) {
                    return Ok(match entry.mode {
                        0o120000 => Entry::Link(repo.find_blob(entry.id)?.content().to_vec()),
                        0o160000 => Entry::Missing,
                        _ => Entry::File(Content::Blob(entry.id)),
                    });
                }
                let prefix = format!("{path}/");
                let is_dir = index
                    .find_prefix(Path::new(&prefix))
                    .ok()
                    .and_then(|at| index.get(at))
                    .is_some_and(|e| e.path.starts_with(prefix.as_bytes()));
                Ok(if is_dir { Entry::Dir } else { Entry::Missing })
            }
            Place::Worktree(root) => {
                let full = root.join(path);
                let Ok(meta) = std::fs::symlink_metadata(&full) else {
                    return Ok(Entry::Missing);
                };
                let kind = meta.file_type();
                Ok(if kind.is_symlink() {
                    let target = std::fs::read_link(&full)
                        .map_err(|source| Error::Io { path: full, source })?;
                    Entry::Link(target.as_os_str().as_encoded_bytes().to_vec())
                } else if kind.is_dir() {
                    Entry::Dir
                } else if kind.is_file() {
                    Entry::File(Content::Worktree(path.into()))
                } else {
                    Entry::Missing
                })
            }
        }
    }

    /// Follows the link at `link` (repository-relative) whose target is `target`, hop by hop,
    /// through links on the way (a link to a folder that holds the file included).
    pub(super) fn follow(&self, repo: &Repository, link: &str, target: &[u8]) -> Result<Followed> {
        let mut at: Vec<String> = link.split('/').map(str::to_string).collect();
        at.pop();
        let mut ahead = VecDeque::new();
        if !push_target(&mut ahead, target) {
            return Ok(Followed::Outside);
        }
        let mut hops = 0;
        while let Some(part) = ahead.pop_front() {
            match part.as_str() {
                "" | "." => continue,
                ".." => {
                    if at.pop().is_none() {
                        return Ok(Followed::Outside);
                    }
                    continue;
                }
                _ => at.push(part),
            }
            let path = at.join("/");
            match self.entry(repo, &path)? {
                Entry::Dir => {}
                Entry::Missing => return Ok(Followed::Nowhere),
                Entry::File(content) if ahead.iter().all(|p| p.is_empty() || p == ".") => {
                    return Ok(Followed::File(path, content));
                }
                Entry::File(_) => return Ok(Followed::Nowhere),
                Entry::Link(next) => {
                    hops += 1;
                    at.pop();
                    if hops > MAX_HOPS {
                        return Ok(Followed::Nowhere);
                    }
                    if !push_target(&mut ahead, &next) {
                        return Ok(Followed::Outside);
                    }
                }
            }
        }
        Ok(Followed::Nowhere)
    }
}

/// Puts the components of `target` in front of what is still to walk; false for an absolute
/// target (`/…`, `\…` or a drive letter), which leaves the repository.
fn push_target(ahead: &mut VecDeque<String>, target: &[u8]) -> bool {
    let text = String::from_utf8_lossy(target);
    let drive = text.as_bytes().get(1) == Some(&b':') && text.as_bytes()[0].is_ascii_alphabetic();
    let absolute = text.starts_with(['/', '\\']) || drive;
    if absolute {
        return false;
    }
    for part in text.split(['/', '\\']).rev() {
        ahead.push_front(part.to_string());
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_targets_are_outside() {
        let mut ahead = VecDeque::new();
        assert!(!push_target(&mut ahead, b"/etc/passwd"));
        assert!(!push_target(&mut ahead, b"C:\\Windows"));
        assert!(push_target(&mut ahead, b"../a/./b"));
        assert_eq!(ahead, ["..", "a", ".", "b"]);
    }
}
