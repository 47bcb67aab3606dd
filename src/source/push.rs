//! What `git push` announces to a pre-push hook (on its stdin, or through the pre-commit
//! framework's variables), turned into the ranges to judge. A deletion is not judged; a new
//! branch is judged on the commits that are on neither that branch nor the remote's default
//! branch (a commit only on another remote branch is judged); an update on `remote..local` with
//! merge-base semantics.

use super::Source;
use super::revs::{is_full_commit_id, is_zero_id, resolve_commit};
use super::shallow::{REMOTE, RangeCommits};
use crate::error::{Error, Result};
use git2::{Commit, Oid, Repository};
use std::collections::HashSet;

/// One line of what `git push` tells a pre-push hook on stdin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PushedRef {
    /// The local ref being pushed (`(delete)` for a deletion).
    pub local_ref: String,
    /// The commit (or tag) being pushed; all zeros for a deletion.
    pub local_oid: String,
    /// The ref it updates on the remote.
    pub remote_ref: String,
    /// What the remote has now; all zeros for a new ref.
    pub remote_oid: String,
}

/// Parses the hook's stdin: `<local ref> <local oid> <remote ref> <remote oid>` per line.
pub(crate) fn parse_pushed_refs(input: &str) -> Result<Vec<PushedRef>> {
    input
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            match fields[..] {
                [local_ref, local_oid, remote_ref, remote_oid]
                    if is_full_commit_id(local_oid) && is_full_commit_id(remote_oid) =>
                {
                    Ok(PushedRef {
                        local_ref: local_ref.into(),
                        local_oid: local_oid.into(),
                        remote_ref: remote_ref.into(),
                        remote_oid: remote_oid.into(),
                    })
                }
                _ => Err(Error::Hook {
                    message: format!("unexpected pre-push input line: '{line}'"),
                    cure: "run this only as git's pre-push hook (`deploy-guard hook install`)"
                        .into(),
                }),
            }
        })
        .collect()
}

/// The push the pre-commit framework describes in `PRE_COMMIT_*` variables (`var` looks one
/// up), as this hook would have read it from git; returns the remote's name with it. Without
/// `FROM_REF`/`TO_REF` in its pre-push stage, pre-commit is pushing a whole history:
/// everything not on the remote is judged.
pub(crate) fn pushed_by_pre_commit(
    repo: &Repository,
    var: impl Fn(&str) -> Option<String>,
) -> Result<(String, PushedRef)> {
    let var = |name: &str| var(name).filter(|v| !v.is_empty());
    let remote = var("PRE_COMMIT_REMOTE_NAME");
    let (from, to) = match (var("PRE_COMMIT_FROM_REF"), var("PRE_COMMIT_TO_REF")) {
        (Some(from), Some(to)) => (from, to),
        _ if remote.is_some() => ("0".repeat(40), "HEAD".into()),
        _ => {
            return Err(Error::Hook {
                message: "PRE_COMMIT_FROM_REF and PRE_COMMIT_TO_REF are not set".into(),
                cure: "use this hook in pre-commit's pre-push stage (`stages: [pre-push]`), or run `deploy-guard check`".into(),
            });
        }
    };
    let local_oid = resolve_commit(repo, &to)?.id().to_string();
    // A name (`--from-ref origin/main`) becomes its commit; a commit unknown here stays as
    // given, and the push is judged on the commits the remote does not have.
    let remote_oid = resolve_commit(repo, &from).map_or(from, |c| c.id().to_string());
    let pushed = PushedRef {
        local_ref: var("PRE_COMMIT_LOCAL_BRANCH").unwrap_or(to),
        local_oid,
        remote_ref: var("PRE_COMMIT_REMOTE_BRANCH").unwrap_or_default(),
        remote_oid,
    };
    Ok((remote.unwrap_or_else(|| REMOTE.into()), pushed))
}

/// What to do about one pushed ref.
pub(crate) enum PushPlan {
    /// Nothing to judge, and why (a deletion, nothing new, not a commit).
    Skip(String),
    /// Judge this range: a [`Source::Commits`] whose label says which push it is (e.g. `push to
    /// origin refs/heads/topic (commits on neither that branch nor origin's default branch)`),
    /// with the remote side as its base.
    Judge(Source),
}

/// Decides what to judge for one pushed ref going to `remote`.
pub(crate) fn plan(repo: &Repository, remote: &str, pushed: &PushedRef) -> Result<PushPlan> {
    let target = match pushed.remote_ref.as_str() {
        "" => format!("push to {remote}"),
        name => format!("push to {remote} {name}"),
    };
    if is_zero_id(&pushed.local_oid) {
        return Ok(PushPlan::Skip(format!(
            "{target}: deletion, nothing to judge"
        )));
    }
    let head = match repo
        .revparse_single(&pushed.local_oid)
        .and_then(|o| o.peel_to_commit())
    {
        Ok(commit) => commit,
        Err(_) => {
            return Ok(PushPlan::Skip(format!(
                "{target}: not a commit, nothing to judge"
            )));
        }
    };
    if !is_zero_id(&pushed.remote_oid)
        && let Ok(Some(range)) = update_range(repo, &pushed.remote_oid, &head)
    {
        return Ok(PushPlan::Judge(Source::of_range(target, &range)));
    }
    // A new ref, or an update whose remote side is unknown here (someone else pushed, or a
    // force push over unrelated history): judge what is on neither the branch being updated
    // nor the remote's default branch.
    let new_commits = not_on_remote(repo, remote, &pushed.remote_ref, head.id())?;
    if new_commits.is_empty() {
        return Ok(PushPlan::Skip(format!(
            "{target}: every commit is already on {remote}, nothing to judge"
        )));
    }
    let boundary = boundary(repo, &head, &new_commits)?;
    let range = RangeCommits {
        base: boundary.clone(),
        merge_base: boundary,
        head,
        fetched: Vec::new(),
    };
    let label = format!("{target} (commits on neither that branch nor {remote}'s default branch)");
    Ok(PushPlan::Judge(Source::of_range(label, &range)))
}

/// `remote..head` with merge-base semantics, when the remote's commit is known here and
/// shares history with `head`.
fn update_range<'r>(
    repo: &'r Repository,
    remote_oid: &str,
    head: &Commit<'r>,
) -> Result<Option<RangeCommits<'r>>> {
    let Ok(base) = Oid::from_str(remote_oid).and_then(|id| repo.find_commit(id)) else {
        return Ok(None);
    };
    let Ok(merge_base) = repo.merge_base(base.id(), head.id()) else {
        return Ok(None);
    };
    Ok(Some(RangeCommits {
        base: Some(base),
        merge_base: Some(repo.find_commit(merge_base)?),
        head: head.clone(),
        fetched: Vec::new(),
    }))
}

/// Commits reachable from `head` that the remote already has where it counts: on the branch
/// being updated (its remote-tracking ref) or on the remote's default branch. A commit that is
/// only on some other remote branch (a feature branch pushed before) is still judged here: it
/// is not on the branch this push moves. When `remote` is no configured remote (a push to a
/// URL), every configured remote's branch of that name and default branch count.
fn not_on_remote(
    repo: &Repository,
    remote: &str,
    remote_ref: &str,
    head: Oid,
) -> Result<HashSet<Oid>> {
    let mut walk = repo.revwalk()?;
    walk.push(head)?;
    for there in already_there(repo, remote, remote_ref)? {
        walk.hide(there)?;
    }
    walk.map(|id| id.map_err(Error::from)).collect()
}

/// The commits of `remote` a push to `remote_ref` builds on: the tracking ref of that branch,
/// and the remote's default branch (`refs/remotes/<remote>/HEAD`'s target, else its `main`,
/// else its `master`).
fn already_there(repo: &Repository, remote: &str, remote_ref: &str) -> Result<Vec<Oid>> {
    let remotes: Vec<String> = match repo.find_remote(remote) {
        Ok(_) => vec![remote.to_string()],
        Err(_) => {
            let names = repo.remotes()?;
            names
                .iter_bytes()
                .map(|name| String::from_utf8_lossy(name).into_owned())
                .collect()
        }
    };
    let commit = |name: &str| {
        repo.revparse_single(name)
            .and_then(|o| o.peel_to_commit())
            .ok()
            .map(|c| c.id())
    };
    let mut there = Vec::new();
    for name in &remotes {
        if let Some(branch) = remote_ref.strip_prefix("refs/heads/") {
            there.extend(commit(&format!("refs/remotes/{name}/{branch}")));
        }
        there.extend(
            ["HEAD", "main", "master"]
                .iter()
                .find_map(|b| commit(&format!("refs/remotes/{name}/{b}"))),
        );
    }
    Ok(there)
}

/// Where the new commits start on `head`'s first-parent line: the first commit the remote
/// already has, or `None` when the whole line is new (a first push from a root commit).
fn boundary<'r>(
    repo: &'r Repository,
    head: &Commit<'r>,
    new_commits: &HashSet<Oid>,
) -> Result<Option<Commit<'r>>> {
    let mut commit = head.clone();
    while new_commits.contains(&commit.id()) {
        match commit.parent_ids().next() {
            Some(parent) => commit = repo.find_commit(parent)?,
            None => return Ok(None),
        }
    }
    Ok(Some(commit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sha1_and_sha256_lines_and_rejects_garbage() {
        let (a, z) = ("a".repeat(40), "0".repeat(64));
        let input = format!(
            "refs/heads/x {a} refs/heads/x {a}\n\n(delete) {z} refs/heads/y {}\n",
            "b".repeat(64)
        );
        let refs = parse_pushed_refs(&input).ok().unwrap_or_default();
        assert_eq!(refs.len(), 2);
        assert_eq!(refs[1].local_ref, "(delete)");
        assert!(is_zero_id(&refs[1].local_oid));
        assert!(parse_pushed_refs("refs/heads/x abc refs/heads/x def\n").is_err());
        assert!(parse_pushed_refs("one two three\n").is_err());
    }
}
