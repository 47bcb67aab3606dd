//! Sources of changes: a git range, the index, or the working tree, all turned into one
//! [`ChangeSet`] with git2.

mod content;
mod diff;
mod revs;

pub use content::ContentReader;
pub use revs::{DefaultBase, resolve_commit};

use crate::change::ChangeSet;
use crate::error::{Error, Result};
use git2::Repository;
use std::path::Path;

/// What to compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `merge-base(base, head)` → `head`, as a pull request shows it. `base: None` means "find
    /// the default base".
    Range {
        /// The base revision as the user wrote it.
        base: Option<String>,
        /// The head revision as the user wrote it.
        head: String,
    },
    /// HEAD → index (what `git commit` would record).
    Staged,
    /// HEAD → working tree, untracked-but-not-ignored files included.
    Worktree,
}

/// The resolved form of a [`Source`], kept for messages and reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// A one-line description of the compared range, printed on stderr.
    pub description: String,
    /// The commit configuration is trusted from (the base revision for ranges), or `None` to
    /// read the working tree's configuration.
    pub config_commit: Option<git2::Oid>,
}

/// Opens the repository containing `dir`.
pub fn open_repository(dir: &Path) -> Result<Repository> {
    Repository::discover(dir).map_err(|_| Error::NotARepository(dir.to_path_buf()))
}

/// Reads the change described by `source` from `repo`.
pub fn load(repo: &Repository, source: &Source) -> Result<(ChangeSet, Resolved)> {
    match source {
        Source::Range { base, head } => {
            let head_commit = resolve_commit(repo, head)?;
            let (base_name, base_commit) = match base {
                Some(b) => (b.clone(), resolve_commit(repo, b)?),
                None => {
                    let found = revs::default_base(repo)?;
                    (found.name, found.commit)
                }
            };
            let merge_base = repo
                .merge_base(base_commit.id(), head_commit.id())
                .map_err(|_| Error::NoMergeBase {
                    base: base_name.clone(),
                    head: head.clone(),
                    shallow: repo.is_shallow(),
                })?;
            let merge_base = repo.find_commit(merge_base)?;
            let changes = diff::between_commits(repo, &merge_base, &head_commit)?;
            let description = format!(
                "{base_name}...{head} ({}..{})",
                short(merge_base.id()),
                short(head_commit.id())
            );
            Ok((
                changes,
                Resolved {
                    description,
                    config_commit: Some(base_commit.id()),
                },
            ))
        }
        Source::Staged => {
            let changes = diff::head_to_index(repo)?;
            Ok((changes, local_resolved(repo, "HEAD → index (staged)")))
        }
        Source::Worktree => {
            let changes = diff::head_to_worktree(repo)?;
            Ok((changes, local_resolved(repo, "HEAD → working tree")))
        }
    }
}

fn local_resolved(repo: &Repository, what: &str) -> Resolved {
    let head = repo
        .head()
        .ok()
        .and_then(|h| h.target())
        .map_or_else(|| "no commits yet".to_string(), short);
    Resolved {
        description: format!("{what} ({head})"),
        config_commit: None,
    }
}

fn short(oid: git2::Oid) -> String {
    oid.to_string()[..12].to_string()
}
