//! Turning revision names into commits, recognising object ids, and finding the base when none
//! is given.

use crate::error::{Error, Result};
use git2::{Commit, Repository};

/// Resolves any revision expression git understands to a commit.
pub(crate) fn resolve_commit<'r>(repo: &'r Repository, rev: &str) -> Result<Commit<'r>> {
    let unknown = || Error::UnknownRevision {
        rev: rev.to_string(),
    };
    // A revision starting with '-' would be read as an option by git tools; refuse it plainly.
    if rev.is_empty() || rev.starts_with('-') {
        return Err(unknown());
    }
    repo.revparse_single(rev)
        .and_then(|obj| obj.peel_to_commit())
        .map_err(|_| unknown())
}

/// A 40- (SHA-1) or 64-hex-digit (SHA-256) object id.
pub(super) fn is_full_commit_id(rev: &str) -> bool {
    matches!(rev.len(), 40 | 64) && rev.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether `id` is git's all-zero object id (SHA-1 or SHA-256), which means "no commit".
pub(super) fn is_zero_id(id: &str) -> bool {
    matches!(id.len(), 40 | 64) && id.bytes().all(|b| b == b'0')
}

/// The name of the local default base: the current branch's upstream, then `origin/HEAD`,
/// then `origin/main|master`, then `main|master`, whichever names a commit first.
pub(super) fn default_base(repo: &Repository) -> Result<String> {
    let mut candidates = Vec::new();
    if let Ok(head) = repo.head()
        && head.is_branch()
        && let Ok(name) = head.shorthand()
        && let Ok(branch) = repo.find_branch(name, git2::BranchType::Local)
        && let Ok(upstream) = branch.upstream()
        && let Ok(Some(up)) = upstream.name()
    {
        candidates.push(up.to_string());
    }
    candidates.extend(
        [
            "origin/HEAD",
            "origin/main",
            "origin/master",
            "main",
            "master",
        ]
        .map(String::from),
    );
    candidates
        .into_iter()
        .find(|name| resolve_commit(repo, name).is_ok())
        .ok_or(Error::NoDefaultBase)
}
