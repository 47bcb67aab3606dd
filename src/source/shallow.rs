//! Shallow clones: CI checkouts (actions/checkout, GitLab's `GIT_DEPTH`) fetch one commit or a
//! few, so the base of a range or its merge-base with the head is often missing. This module
//! fetches what a range needs from `origin`, a bounded number of times, and otherwise fails
//! with the cure. libgit2 is built without network support here by design, so fetching runs
//! the `git` command line, which also brings the user's credentials and protocol settings.

use super::revs::{is_empty_tree, is_full_commit_id, past_first_commit, resolve_commit};
use crate::error::{Error, Result};
use git2::{Commit, Oid, Repository};
use std::process::Command;

/// The remote history is fetched from: the one every CI checkout and most clones create.
pub(crate) const REMOTE: &str = "origin";

/// How far each successive `git fetch --deepen` reaches before the last resort, `--unshallow`.
const DEEPEN_STEPS: [u32; 4] = [50, 250, 1000, 5000];

/// A range's three commits: the base as named, the head, and where they diverged.
pub(crate) struct RangeCommits<'r> {
    /// The base revision's commit (configuration is trusted from here); `None` with
    /// `merge_base` for a range from the empty tree (a first push of a whole history).
    pub base: Option<Commit<'r>>,
    /// The head revision's commit.
    pub head: Commit<'r>,
    /// `merge-base(base, head)`: the diff starts here (`None`: from the empty tree).
    pub merge_base: Option<Commit<'r>>,
    /// The `git fetch`es it took to find these commits in a shallow clone, as run.
    pub fetched: Vec<String>,
}

/// Resolves `base` and `head` and their merge-base. When something is missing, fetches it:
/// a full commit id or `origin/<branch>` is fetched by name, and a shallow clone is deepened
/// step by step (then unshallowed) until the two histories meet. A `base` that is the empty
/// tree judges the whole history of `head`.
pub(crate) fn resolve_range<'r>(
    repo: &'r Repository,
    base: &str,
    head: &str,
) -> Result<RangeCommits<'r>> {
    if is_empty_tree(base) {
        return Ok(RangeCommits {
            base: None,
            head: resolve_commit(repo, head)
                .map_err(|e| past_first_commit(repo, head).unwrap_or(e))?,
            merge_base: None,
            fetched: Vec::new(),
        });
    }
    let mut fetcher = Fetcher::new(repo);
    for rev in [base, head] {
        if resolve_commit(repo, rev).is_err() {
            fetcher.fetch_revision(rev);
        }
    }
    loop {
        // libgit2 reads the shallow boundary once per handle, so once git may have fetched
        // (here or before this call), the history is looked at through a fresh one.
        let fresh = if fetcher.fetched || repo.is_shallow() {
            Some(Repository::open(repo.path())?)
        } else {
            None
        };
        let current = fresh.as_ref().unwrap_or(repo);
        match range_ids(current, base, head) {
            Ok([base, head, merge_base]) => {
                return Ok(RangeCommits {
                    base: Some(repo.find_commit(base)?),
                    head: repo.find_commit(head)?,
                    merge_base: Some(repo.find_commit(merge_base)?),
                    fetched: fetcher.log,
                });
            }
            Err(e) => {
                // `HEAD~1` of a first commit: no fetch can bring a parent that never existed.
                if let Some(past) = [base, head]
                    .into_iter()
                    .find_map(|rev| past_first_commit(current, rev))
                {
                    return Err(past);
                }
                if !current.is_shallow() {
                    return Err(e);
                }
                fetcher.deepen(&e)?;
            }
        }
    }
}

/// The ids of `base`, `head` and their merge-base, as `repo` sees them now.
fn range_ids(repo: &Repository, base: &str, head: &str) -> Result<[Oid; 3]> {
    let base_id = resolve_commit(repo, base)?.id();
    let head_id = resolve_commit(repo, head)?.id();
    let merge_base = repo
        .merge_base(base_id, head_id)
        .map_err(|_| Error::NoMergeBase {
            base: base.to_string(),
            head: head.to_string(),
            shallow: repo.is_shallow(),
        })?;
    Ok([base_id, head_id, merge_base])
}

/// Whether `rev` is present as a commit, fetching it by id from `origin` if it is not. Used
/// where a missing commit has a fallback (a push's `before` after a force push).
pub(crate) fn commit_available(repo: &Repository, rev: &str) -> bool {
    resolve_commit(repo, rev).is_ok()
        || (Fetcher::new(repo).fetch_revision(rev) && resolve_commit(repo, rev).is_ok())
}

/// Runs `git fetch` against [`REMOTE`], remembering how far it has deepened.
struct Fetcher<'r> {
    repo: &'r Repository,
    steps_taken: usize,
    /// Whether any fetch succeeded (so handles opened before it are stale).
    fetched: bool,
    /// Each fetch run, and how it went.
    log: Vec<String>,
}

impl<'r> Fetcher<'r> {
    fn new(repo: &'r Repository) -> Self {
        Fetcher {
            repo,
            steps_taken: 0,
            fetched: false,
            log: Vec::new(),
        }
    }

    /// Fetches one revision that does not resolve, if its name says where it lives: a full
    /// commit id, or `origin/<branch>`. Returns whether the fetch ran and succeeded. A failure
    /// is not an error here: the caller's resolution reports what is still missing.
    fn fetch_revision(&mut self, rev: &str) -> bool {
        let Some(refspec) = refspec_for(rev) else {
            return false;
        };
        let mut args = vec!["fetch", "--no-tags", "--quiet"];
        // One commit is enough to have the object; deepening below links it to the head.
        if self.repo.is_shallow() {
            args.push("--depth=1");
        }
        args.extend([REMOTE, refspec.as_str()]);
        self.git(&args).is_ok()
    }

    /// Fetches more history for a shallow clone after `missing` stopped the range, or fails
    /// with the cure once the steps are used up or fetching is impossible.
    fn deepen(&mut self, missing: &Error) -> Result<()> {
        let depth = match DEEPEN_STEPS.get(self.steps_taken) {
            Some(n) => format!("--deepen={n}"),
            None if self.steps_taken == DEEPEN_STEPS.len() => "--unshallow".to_string(),
            None => {
                return Err(Error::ShallowHistory(format!(
                    "{missing}; the clone is shallow and deepening it from {REMOTE} did not help"
                )));
            }
        };
        self.steps_taken += 1;
        self.git(&["fetch", "--no-tags", "--quiet", &depth, REMOTE])
            .map_err(|why| {
                Error::ShallowHistory(format!(
                    "{missing}; the clone is shallow and fetching more history from {REMOTE} failed: {why}"
                ))
            })
    }

    /// Runs `git` in the repository; the error is git's last line of complaint.
    fn git(&mut self, args: &[&str]) -> std::result::Result<(), String> {
        let dir = self.repo.workdir().unwrap_or_else(|| self.repo.path());
        let output = Command::new("git")
            .args(args)
            .current_dir(dir)
            // Never wait for a password in CI or a hook: fail and say so.
            .env("GIT_TERMINAL_PROMPT", "0")
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        let outcome = if output.status.success() {
            self.fetched = true;
            Ok(())
        } else {
            Err(first_complaint(&String::from_utf8_lossy(&output.stderr)))
        };
        let how = outcome.as_ref().err().map_or("done", String::as_str);
        self.log.push(format!("git {}: {how}", args.join(" ")));
        outcome
    }
}

/// git's first `fatal:`/`error:` line without its prefix (the rest is advice), else its
/// first line.
fn first_complaint(stderr: &str) -> String {
    let lines = || stderr.lines().map(str::trim).filter(|l| !l.is_empty());
    lines()
        .find_map(|l| {
            l.strip_prefix("fatal: ")
                .or_else(|| l.strip_prefix("error: "))
        })
        .or_else(|| lines().next())
        .unwrap_or("git fetch failed")
        .to_string()
}

/// The refspec that fetches `rev` from [`REMOTE`], when its name says where it lives.
fn refspec_for(rev: &str) -> Option<String> {
    if is_full_commit_id(rev) {
        return Some(rev.to_string());
    }
    let branch = rev
        .strip_prefix("refs/remotes/")
        .unwrap_or(rev)
        .strip_prefix(REMOTE)?
        .strip_prefix('/')?;
    let plain = !branch.is_empty()
        && branch != "HEAD"
        && !branch.starts_with('-')
        && !branch.contains(['~', '^', ':', '@', ' ', '*', '?', '[', '\\']);
    plain.then(|| format!("+refs/heads/{branch}:refs/remotes/{REMOTE}/{branch}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refspecs_only_for_names_that_say_where_they_live() {
        let sha = "a".repeat(40);
        assert_eq!(refspec_for(&sha).as_deref(), Some(sha.as_str()));
        assert_eq!(
            refspec_for("origin/main").as_deref(),
            Some("+refs/heads/main:refs/remotes/origin/main")
        );
        assert_eq!(
            refspec_for("refs/remotes/origin/release/1.x").as_deref(),
            Some("+refs/heads/release/1.x:refs/remotes/origin/release/1.x")
        );
        for name in [
            "main",
            "origin/HEAD",
            "origin/main~2",
            "upstream/main",
            "abc123",
            "origin/",
        ] {
            assert_eq!(refspec_for(name), None, "{name}");
        }
    }

    #[test]
    fn git_complaint_is_its_first_fatal_line_not_its_advice() {
        let stderr = "fatal: 'origin' does not appear to be a git repository\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.\n";
        assert_eq!(
            first_complaint(stderr),
            "'origin' does not appear to be a git repository"
        );
        assert_eq!(first_complaint("\nsomething odd\n"), "something odd");
    }
}
