//! A commit's tree written into a new temporary directory, so a render command runs on exactly
//! that revision and never in the user's working tree. Written from the object database
//! directly: no worktree is registered, the index and HEAD are untouched, and the directory is
//! removed when the checkout is dropped. Submodules are left as empty directories; symlinks are
//! recreated as links (on Unix), never followed while writing.

use crate::error::{Error, Result};
use git2::{ObjectType, Oid, Repository, Tree};
use std::path::{Path, PathBuf};

/// A temporary directory holding one commit's files.
pub(super) struct Checkout {
    dir: tempfile::TempDir,
}

impl Checkout {
    /// Writes the tree of `commit` into a new temporary directory.
    pub(super) fn of(repo: &Repository, commit: Oid) -> Result<Checkout> {
        let dir = tempfile::Builder::new()
            .prefix("deploy-guard-render-")
            .tempdir()
            .map_err(|source| Error::Io {
                path: std::env::temp_dir(),
                source,
            })?;
        let tree = repo.find_commit(commit)?.tree()?;
        write_tree(repo, &tree, dir.path(), 0)?;
        Ok(Checkout { dir })
    }

    /// The checkout's root.
    pub(super) fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Trees nested deeper than this are not written (git itself refuses far less).
const MAX_DEPTH: usize = 512;

fn io(path: PathBuf) -> impl FnOnce(std::io::Error) -> Error {
    move |source| Error::Io { path, source }
}

/// Writes `tree` under `dir`, entry by entry.
fn write_tree(repo: &Repository, tree: &Tree, dir: &Path, depth: usize) -> Result<()> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    for entry in tree.iter() {
        let Some(name) = entry.name().ok().filter(|n| is_plain_name(n)) else {
            continue;
        };
        let path = dir.join(name);
        match entry.kind() {
            Some(ObjectType::Tree) => {
                std::fs::create_dir(&path).map_err(io(path.clone()))?;
                write_tree(repo, &repo.find_tree(entry.id())?, &path, depth + 1)?;
            }
            Some(ObjectType::Blob) => {
                let blob = repo.find_blob(entry.id())?;
                write_blob(&path, blob.content(), entry.filemode())?;
            }
            // A submodule's commit: its content is not in this repository.
            _ => std::fs::create_dir(&path).map_err(io(path.clone()))?,
        }
    }
    Ok(())
}

/// A single path component a tree entry may be written as: not empty, `.`, `..` or `.git`,
/// and without separators.
fn is_plain_name(name: &str) -> bool {
    !matches!(name, "" | "." | "..")
        && !name.eq_ignore_ascii_case(".git")
        && !name.contains(['/', '\\', '\0'])
}

/// Writes one blob: a symlink (mode 120000) as a link on Unix, else as a file; executable
/// files (100755) with their execute bits.
fn write_blob(path: &Path, content: &[u8], mode: i32) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        use std::os::unix::fs::PermissionsExt;
        if mode == 0o120000 {
            let target = std::ffi::OsStr::from_bytes(content);
            return std::os::unix::fs::symlink(target, path).map_err(io(path.to_path_buf()));
        }
        std::fs::write(path, content).map_err(io(path.to_path_buf()))?;
        if mode == 0o100755 {
            let permissions = std::fs::Permissions::from_mode(0o755);
            std::fs::set_permissions(path, permissions).map_err(io(path.to_path_buf()))?;
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        let _ = mode;
        std::fs::write(path, content).map_err(io(path.to_path_buf()))
    }
}
