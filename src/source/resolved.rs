//! What was compared, once a source is resolved: the change of a range of commits, and the
//! line that describes it.

use super::diff;
use super::shallow::RangeCommits;
use crate::change::ChangeSet;
use crate::config::ConfigFrom;
use crate::error::{Error, Result};
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
    /// When no file changed: what was compared and why there is nothing to judge (reports
    /// say it instead of a bare "clear").
    pub nothing_to_judge: Option<String>,
    /// What the user should know about how the range was found (a default base that is the
    /// head itself).
    pub warnings: Vec<String>,
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
    let nothing_to_judge = changes.files.is_empty().then(|| nothing_changed(range));
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
            nothing_to_judge,
            warnings: Vec::new(),
        },
    ))
}

/// Why a range of commits changed no file, naming what was compared.
fn nothing_changed(range: &RangeCommits) -> String {
    let head = range.head.id();
    match (&range.base, &range.merge_base) {
        (Some(base), _) if base.id() == head => format!(
            "nothing to judge: base and head are the same commit ({})",
            short(head)
        ),
        (Some(base), Some(merge_base)) if merge_base.id() == head => format!(
            "nothing to judge: head {} is already part of base {}",
            short(head),
            short(base.id())
        ),
        (_, Some(merge_base)) => format!(
            "nothing to judge: no file changed between {} and {}",
            short(merge_base.id()),
            short(head)
        ),
        (_, None) => format!("nothing to judge: head {} holds no files", short(head)),
    }
}

/// What a local source (HEAD → `to`: the index, the working tree) compared, described as
/// `what`, for `changes`.
pub(super) fn local_resolved(
    repo: &Repository,
    what: &str,
    to: &str,
    changes: &ChangeSet,
) -> Resolved {
    let head = repo
        .head()
        .ok()
        .and_then(|h| h.target())
        .map_or_else(|| "no commits yet".to_string(), short);
    Resolved {
        description: format!("{what} ({head})"),
        config: ConfigFrom::WorkingTree,
        steps: Vec::new(),
        nothing_to_judge: changes.files.is_empty().then(|| {
            format!("nothing to judge: no file changed between HEAD ({head}) and the {to}")
        }),
        warnings: Vec::new(),
    }
}

/// When the default base `base` reached the head itself (a pushed branch whose upstream is the
/// branch itself, or a branch behind its upstream), so the range holds nothing: under CI
/// (`CI=true`), where a gate that judges nothing must not pass, the error that says so;
/// elsewhere, the warning to print. `None` when the range is a real one.
pub(super) fn base_is_head(base: &str, head: &str, range: &RangeCommits) -> Result<Option<String>> {
    let head_id = range.head.id();
    if range.merge_base.as_ref().is_none_or(|m| m.id() != head_id) {
        return Ok(None);
    }
    let what = match range.base.as_ref().is_some_and(|b| b.id() == head_id) {
        true => format!("the default base {base} is {head} itself"),
        false => format!("{head} is already part of the default base {base}"),
    };
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        return Err(Error::BaseIsHead { what });
    }
    Ok(Some(format!(
        "{what}: nothing to compare; pass --base (for example --base origin/main) to judge this branch"
    )))
}

fn short(oid: git2::Oid) -> String {
    oid.to_string()[..12].to_string()
}
