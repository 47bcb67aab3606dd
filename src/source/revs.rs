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

/// git's empty tree (SHA-1), the base that judges a history from its first commit: every file
/// of the head is added. `--root` is the friendlier spelling.
pub const EMPTY_TREE: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/// The empty tree of a SHA-256 repository.
const EMPTY_TREE_SHA256: &str = "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321";

/// Whether `rev` is the empty tree's id (of either hash), as `--base` may name it.
pub(super) fn is_empty_tree(rev: &str) -> bool {
    rev.eq_ignore_ascii_case(EMPTY_TREE) || rev.eq_ignore_ascii_case(EMPTY_TREE_SHA256)
}

/// When `rev` does not resolve because it names a parent of a history's first commit
/// (`HEAD~1` in a one-commit repository), the error that says so; `None` otherwise. A shallow
/// clone's oldest commit does have parents (its object names them), so it is not taken for a
/// first commit: there, fetching more history is the cure.
pub(super) fn past_first_commit(repo: &Repository, rev: &str) -> Option<Error> {
    let (start, steps) = first_parent_steps(rev)?;
    let mut commit = resolve_commit(repo, start).ok()?;
    for _ in 0..steps {
        let has_parent = commit
            .raw_header()
            .ok()?
            .lines()
            .any(|line| line.starts_with("parent "));
        if !has_parent {
            return Some(Error::PastFirstCommit {
                rev: rev.to_string(),
                first: format!("{start} ({})", &commit.id().to_string()[..12]),
            });
        }
        commit = commit.parent(0).ok()?;
    }
    None
}

/// `HEAD~2^` as (`HEAD`, 3): a revision and how many first parents back from it `rev` walks;
/// `None` for anything else (second parents, ranges, plain names).
fn first_parent_steps(rev: &str) -> Option<(&str, usize)> {
    let mut rest = rev;
    let mut steps = 0;
    loop {
        let digits_at = rest.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let (head, digits) = rest.split_at(digits_at);
        let count = || digits.parse::<usize>().ok();
        if let Some(before) = head.strip_suffix('~') {
            steps += if digits.is_empty() { 1 } else { count()? };
            rest = before;
        } else if let Some(before) = head.strip_suffix('^') {
            match digits {
                "" | "1" => steps += 1,
                "0" => {}
                _ => return None,
            }
            rest = before;
        } else {
            break;
        }
    }
    (steps > 0 && !rest.is_empty()).then_some((rest, steps))
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
/// then `origin/main|master`, then `main|master`, whichever names a commit first; and a line
/// saying how it was chosen.
pub(super) fn default_base(repo: &Repository) -> Result<(String, String)> {
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
    let found = candidates
        .iter()
        .find(|name| resolve_commit(repo, name).is_ok())
        .ok_or(Error::NoDefaultBase)?;
    let how = format!(
        "no --base: {found} is the first that exists of {}",
        candidates.join(", ")
    );
    Ok((found.clone(), how))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_parent_steps_of_ancestor_notations() {
        assert_eq!(first_parent_steps("HEAD~1"), Some(("HEAD", 1)));
        assert_eq!(first_parent_steps("HEAD~"), Some(("HEAD", 1)));
        assert_eq!(first_parent_steps("main~2^"), Some(("main", 3)));
        assert_eq!(first_parent_steps("v1.2^1~0"), Some(("v1.2", 1)));
        for other in ["HEAD", "v1.2", "HEAD^2", "~1", "HEAD^0"] {
            assert_eq!(first_parent_steps(other), None, "{other}");
        }
    }
}
