//! What the gate refuses to read as text, decided before any content is diffed: files too large
//! to scan in bounded time and memory, and Git LFS pointers (whose real content is elsewhere).
//! Such files are listed in the report's `skipped`, never dropped silently.

use super::content::ContentReader;
use crate::change::{ChangedFile, Content, NotScanned};
use crate::error::{Error, Result};
use git2::Repository;

/// The largest side (base or head) of a file that is diffed and scanned: 5 MiB.
pub const MAX_SCANNED_BYTES: u64 = 5 * 1024 * 1024;

/// How every Git LFS pointer file starts.
pub(crate) const LFS_POINTER_PREFIX: &[u8] = b"version https://git-lfs.github.com/spec/v1";

/// LFS pointers are small by specification (under 1024 bytes); larger files are not read to look.
const LFS_POINTER_MAX_BYTES: u64 = 1024;

/// Whether `file` must be left unscanned, and why.
pub(crate) fn not_scanned(repo: &Repository, file: &ChangedFile) -> Result<Option<NotScanned>> {
    let base = size_of(repo, &file.base)?;
    let head = size_of(repo, &file.head)?;
    if base.max(head) > MAX_SCANNED_BYTES {
        return Ok(Some(NotScanned::TooLarge));
    }
    let (main, size) = match file.head {
        Content::Absent => (&file.base, base),
        _ => (&file.head, head),
    };
    if size <= LFS_POINTER_MAX_BYTES
        && ContentReader::new(repo)
            .read(main)?
            .is_some_and(|bytes| bytes.starts_with(LFS_POINTER_PREFIX))
    {
        return Ok(Some(NotScanned::LfsPointer));
    }
    Ok(None)
}

/// The size of one side without reading it: the object header, or the file's metadata.
fn size_of(repo: &Repository, content: &Content) -> Result<u64> {
    Ok(match content {
        Content::Absent => 0,
        Content::Inline(text) => text.len() as u64,
        Content::Blob(id) => repo.odb()?.read_header(*id)?.0 as u64,
        Content::Worktree(rel) => {
            let path = repo.workdir().unwrap_or_else(|| repo.path()).join(rel);
            std::fs::symlink_metadata(&path)
                .map_err(|source| Error::Io { path, source })?
                .len()
        }
    })
}
