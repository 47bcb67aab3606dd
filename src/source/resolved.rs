//! What was compared, once a source is resolved: the change of a range of commits, and the
//! line that describes it.

use super::diff;
use super::shallow::RangeCommits;
use crate::change::ChangeSet;
use crate::config::ConfigFrom;
use crate::error::Result;
use git2::Repository;

/// The resolved form of a source of change, kept for messages and reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// A one-line description of the compared range, printed on stderr.
    pub description: String,
    /// Where the configuration is trusted from: the base revision for ranges.
    pub config: ConfigFrom,
    /// How the range was found, step by step (for `--verbose`).
    pub steps: Vec<String>,
}

/// The change of a range already resolved to commits, described as `label` plus the commits
/// compared. Configuration is trusted from the range's base; a range from the empty tree (a
/// first push) has none and reads the working tree's.
pub(crate) fn load_commits(
    repo: &Repository,
    label: &str,
    range: &RangeCommits,
) -> Result<(ChangeSet, Resolved)> {
    let changes = diff::between_commits(repo, range.merge_base.as_ref(), &range.head)?;
    let from = range
        .merge_base
        .as_ref()
        .map_or_else(|| "empty tree".to_string(), |c| short(c.id()));
    let mut steps = range.fetched.clone();
    let id = |c: &Option<git2::Commit>| {
        c.as_ref()
            .map_or_else(|| "the empty tree".to_string(), |c| c.id().to_string())
    };
    steps.push(format!(
        "base {}, merge-base {}, head {}",
        id(&range.base),
        id(&range.merge_base),
        range.head.id()
    ));
    Ok((
        changes,
        Resolved {
            description: format!("{label} ({from}..{})", short(range.head.id())),
            config: range
                .base
                .as_ref()
                .map_or(ConfigFrom::WorkingTree, |c| ConfigFrom::Commit(c.id())),
            steps,
        },
    ))
}

/// What a local source (the index, the working tree) compared, described as `what`.
pub(super) fn local_resolved(repo: &Repository, what: &str) -> Resolved {
    let head = repo
        .head()
        .ok()
        .and_then(|h| h.target())
        .map_or_else(|| "no commits yet".to_string(), short);
    Resolved {
        description: format!("{what} ({head})"),
        config: ConfigFrom::WorkingTree,
        steps: Vec::new(),
    }
}

fn short(oid: git2::Oid) -> String {
    oid.to_string()[..12].to_string()
}
