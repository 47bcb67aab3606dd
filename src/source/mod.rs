//! Sources of changes: a git range, the index, or the working tree, all turned into one
//! [`ChangeSet`] with git2.

pub(crate) mod ci;
mod content;
mod diff;
mod limits;
mod links;
pub(crate) mod push;
mod resolved;
mod revs;
pub(crate) mod shallow;
mod text;

pub use ci::{Event, EventBase, EventRange};
pub(crate) use content::ContentReader;
pub use limits::MAX_SCANNED_BYTES;
pub use resolved::Resolved;
use resolved::{base_is_head, load_commits, local_resolved};
pub use revs::EMPTY_TREE;
pub(crate) use shallow::RangeCommits;

use crate::change::ChangeSet;
use crate::config::ConfigFrom;
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
    /// The range a CI run's event names (used when `--base` is absent under CI).
    Ci(ci::Event),
    /// A range already resolved to commits (a pushed ref), described as `label`.
    Commits {
        /// What the range is, for the line that says what is checked.
        label: String,
        /// Where configuration is trusted from; `None` with `merge_base` for a range from the
        /// empty tree (a first push of a whole history).
        base: Option<git2::Oid>,
        /// Where the diff starts (`None`: the empty tree).
        merge_base: Option<git2::Oid>,
        /// Where the diff ends.
        head: git2::Oid,
    },
}

impl Source {
    /// The source for `range`, described as `label`.
    pub(crate) fn of_range(label: String, range: &RangeCommits) -> Source {
        let id = |c: &Option<git2::Commit>| c.as_ref().map(git2::Commit::id);
        Source::Commits {
            label,
            base: id(&range.base),
            merge_base: id(&range.merge_base),
            head: range.head.id(),
        }
    }
}

/// Opens the repository containing `dir`.
pub fn open_repository(dir: &Path) -> Result<Repository> {
    // libgit2 re-hashes every object it reads; git itself does not when diffing. Trusting the
    // object database as git does saves about a fifth of a large range's cost.
    git2::opts::strict_hash_verification(false);
    Repository::discover(dir).map_err(|_| Error::NotARepository(dir.to_path_buf()))
}

/// Reads the change described by `source` from `repo`.
pub fn load(repo: &Repository, source: &Source) -> Result<(ChangeSet, Resolved)> {
    match source {
        Source::Range { base, head } => {
            let (base_name, how) = match base {
                Some(b) => (b.clone(), format!("--base {b}")),
                None => revs::default_base(repo)?,
            };
            let range = shallow::resolve_range(repo, &base_name, head)?;
            let self_base = match base {
                None => base_is_head(&base_name, head, &range)?,
                Some(_) => None,
            };
            let (changes, mut resolved) = if revs::is_empty_tree(&base_name) {
                let (changes, resolved) =
                    load_commits(repo, &format!("{head} from the empty tree"), &range)?;
                // The empty tree holds no configuration, and the head's is the change's own.
                let config = ConfigFrom::Defaults;
                (changes, Resolved { config, ..resolved })
            } else {
                load_commits(repo, &format!("{base_name}...{head}"), &range)?
            };
            resolved.steps.insert(0, how);
            resolved.warnings.extend(self_base);
            Ok((changes, resolved))
        }
        Source::Staged => {
            let changes = diff::head_to_index(repo)?;
            let resolved = local_resolved(repo, "HEAD → index (staged)", "index", &changes);
            Ok((changes, resolved))
        }
        Source::Worktree => {
            let changes = diff::head_to_worktree(repo)?;
            let resolved = local_resolved(repo, "HEAD → working tree", "working tree", &changes);
            Ok((changes, resolved))
        }
        Source::Ci(event) => match &event.range {
            Some(range) => ci::load(repo, &event.name, range),
            None => {
                let (changes, resolved) = load(
                    repo,
                    &Source::Range {
                        base: None,
                        head: "HEAD".into(),
                    },
                )?;
                let description = format!(
                    "{} (no range in this event): {}",
                    event.name, resolved.description
                );
                Ok((
                    changes,
                    Resolved {
                        description,
                        ..resolved
                    },
                ))
            }
        },
        Source::Commits {
            label,
            base,
            merge_base,
            head,
        } => {
            let find = |id: &Option<git2::Oid>| id.map(|id| repo.find_commit(id)).transpose();
            let range = RangeCommits {
                base: find(base)?,
                merge_base: find(merge_base)?,
                head: repo.find_commit(*head)?,
                fetched: Vec::new(),
            };
            load_commits(repo, label, &range)
        }
    }
}
