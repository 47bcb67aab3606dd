//! The git pre-push hook: installing it (next to any hook already there, which keeps running
//! first), removing it, and turning what `git push` announces on the hook's stdin into the
//! ranges to judge. A deletion is not judged; a new branch is judged on the commits the remote
//! does not have yet; an update on `remote..local` with merge-base semantics.

use crate::error::{Error, Result};
use crate::source::ci::is_zero_id;
use crate::source::shallow::{REMOTE, is_full_commit_id};
use crate::source::{RangeCommits, resolve_commit};
use git2::{Commit, Oid, Repository};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The line that marks a pre-push hook as deploy-guard's (and safe to rewrite or remove).
pub const MARKER: &str = "# managed-by: deploy-guard";

/// The hook's file name.
const HOOK: &str = "pre-push";

/// Where an existing foreign hook is kept; the installed hook runs it first.
const CHAINED: &str = "pre-push.local";

/// The pre-push script. `@EXE@` becomes the gate's path, shell-quoted. The existing hook, if
/// kept as `pre-push.local`, gets the same arguments and stdin and can refuse the push first.
const SCRIPT: &str = r#"#!/bin/sh
# managed-by: deploy-guard
# The deploy-guard pre-push hook: judges the commits `git push` sends and refuses risky ones.
# Installed by `deploy-guard hook install`; removed by `deploy-guard hook uninstall`.
# A hook that was here before is kept as pre-push.local and runs first.
# To push anyway, deliberately: git push --no-verify
installed=@EXE@
deploy_guard=$installed
[ -x "$deploy_guard" ] || deploy_guard=deploy-guard
if ! command -v "$deploy_guard" >/dev/null 2>&1; then
    echo "error: deploy-guard pre-push hook: the deploy-guard binary is gone (looked for $installed and on PATH); the push was not judged" >&2
    echo "  help: reinstall deploy-guard and run 'deploy-guard hook install', or push deliberately with 'git push --no-verify'" >&2
    exit 1
fi
input=$(cat)
replay() {
    if [ -n "$input" ]; then printf '%s\n' "$input"; fi
}
chained="$(dirname "$0")/pre-push.local"
if [ -x "$chained" ]; then
    replay | "$chained" "$@" || exit $?
fi
replay | "$deploy_guard" hook pre-push "$@"
"#;

/// What `install` or `uninstall` did, to tell the user.
pub type Outcome = Vec<String>;

/// Installs the pre-push hook for the repository around `cwd`, pointing at `exe`. An existing
/// hook of ours is rewritten only if it differs; a foreign one is kept as `pre-push.local`
/// and chained, or replaced when `force` is set.
pub fn install(cwd: &Path, exe: &Path, force: bool) -> Result<Outcome> {
    let dir = hooks_dir(cwd)?;
    let hook = dir.join(HOOK);
    let chained = dir.join(CHAINED);
    let script = script_for(exe);
    let mut done = Vec::new();
    match read_hook(&hook)? {
        Some(existing) if existing == script => {
            done.push(format!(
                "the pre-push hook is already installed at {}",
                hook.display()
            ));
            return Ok(done);
        }
        Some(existing) if existing.lines().any(|l| l == MARKER) => {
            done.push(format!("updated the pre-push hook at {}", hook.display()));
        }
        Some(_) if force => {
            done.push(format!(
                "replaced the existing pre-push hook at {} (--force)",
                hook.display()
            ));
        }
        Some(_) if chained.exists() => {
            return Err(Error::Hook {
                message: format!(
                    "{} is another tool's hook, and {} is taken, so it cannot be kept",
                    hook.display(),
                    chained.display()
                ),
                cure: "move one of them away, or pass --force to replace the existing hook".into(),
            });
        }
        Some(_) => {
            rename(&hook, &chained)?;
            done.push(format!(
                "kept the existing pre-push hook as {}; it runs first",
                chained.display()
            ));
            done.push(format!("installed the pre-push hook at {}", hook.display()));
        }
        None => done.push(format!("installed the pre-push hook at {}", hook.display())),
    }
    std::fs::create_dir_all(&dir).map_err(|source| Error::Io {
        path: dir.clone(),
        source,
    })?;
    std::fs::write(&hook, script).map_err(|source| Error::Io {
        path: hook.clone(),
        source,
    })?;
    make_executable(&hook)?;
    Ok(done)
}

/// Removes our pre-push hook and puts back the hook it chained, if any. A foreign hook is
/// left alone (and is an error, so nobody believes the gate is gone when it never was there).
pub fn uninstall(cwd: &Path) -> Result<Outcome> {
    let dir = hooks_dir(cwd)?;
    let hook = dir.join(HOOK);
    let chained = dir.join(CHAINED);
    match read_hook(&hook)? {
        None => Ok(vec![format!("no pre-push hook at {}", hook.display())]),
        Some(text) if !text.lines().any(|l| l == MARKER) => Err(Error::Hook {
            message: format!(
                "{} is not deploy-guard's hook; left it alone",
                hook.display()
            ),
            cure: "remove it by hand if you mean to".into(),
        }),
        Some(_) => {
            std::fs::remove_file(&hook).map_err(|source| Error::Io {
                path: hook.clone(),
                source,
            })?;
            let mut done = vec![format!("removed the pre-push hook at {}", hook.display())];
            if chained.exists() {
                rename(&chained, &hook)?;
                done.push(format!(
                    "restored the previous hook from {}",
                    chained.display()
                ));
            }
            Ok(done)
        }
    }
}

/// The hooks directory git runs hooks from (honours `core.hooksPath`), absolute.
fn hooks_dir(cwd: &Path) -> Result<PathBuf> {
    let output = Command::new("git")
        .args(["rev-parse", "--path-format=absolute", "--git-path", "hooks"])
        .current_dir(cwd)
        .output()
        .map_err(|e| Error::Hook {
            message: format!("cannot run git to find the hooks directory: {e}"),
            cure: "install git (2.31 or newer) and make sure it is on PATH".into(),
        })?;
    let path = String::from_utf8_lossy(&output.stdout).trim().to_string();
    if !output.status.success() || path.is_empty() {
        return Err(Error::NotARepository(cwd.to_path_buf()));
    }
    Ok(PathBuf::from(path))
}

/// The hook's text, `None` when there is no hook.
fn read_hook(path: &Path) -> Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(Error::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn rename(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to).map_err(|source| Error::Io {
        path: from.to_path_buf(),
        source,
    })
}

/// The script with `exe` filled in, quoted for sh.
fn script_for(exe: &Path) -> String {
    let exe = exe.to_string_lossy();
    // Git for Windows runs hooks with its sh, which wants forward slashes.
    let exe = if cfg!(windows) {
        exe.replace('\\', "/")
    } else {
        exe.into_owned()
    };
    SCRIPT.replace("@EXE@", &shell_quote(&exe))
}

/// `s` in single quotes, safe for sh whatever it contains.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).map_err(|source| {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    })
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> Result<()> {
    Ok(())
}

/// One line of what `git push` tells a pre-push hook on stdin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushedRef {
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
pub fn parse_pushed_refs(input: &str) -> Result<Vec<PushedRef>> {
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
pub fn pushed_by_pre_commit(
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
pub enum Judgement<'r> {
    /// Nothing to judge, and why (a deletion, nothing new, not a commit).
    Skip(String),
    /// Judge this range; the label says which push it is.
    Judge {
        /// E.g. `push to origin refs/heads/topic (new branch)`.
        label: String,
        /// Base (the remote side, where configuration is trusted from), merge-base and head.
        range: RangeCommits<'r>,
    },
}

/// Decides what to judge for one pushed ref going to `remote`.
pub fn judgement<'r>(
    repo: &'r Repository,
    remote: &str,
    pushed: &PushedRef,
) -> Result<Judgement<'r>> {
    let target = match pushed.remote_ref.as_str() {
        "" => format!("push to {remote}"),
        name => format!("push to {remote} {name}"),
    };
    if is_zero_id(&pushed.local_oid) {
        return Ok(Judgement::Skip(format!(
            "{target}: deletion, nothing to judge"
        )));
    }
    let head = match repo
        .revparse_single(&pushed.local_oid)
        .and_then(|o| o.peel_to_commit())
    {
        Ok(commit) => commit,
        Err(_) => {
            return Ok(Judgement::Skip(format!(
                "{target}: not a commit, nothing to judge"
            )));
        }
    };
    if !is_zero_id(&pushed.remote_oid)
        && let Ok(Some(range)) = update_range(repo, &pushed.remote_oid, &head)
    {
        return Ok(Judgement::Judge {
            label: target,
            range,
        });
    }
    // A new ref, or an update whose remote side is unknown here (someone else pushed, or a
    // force push over unrelated history): judge what the remote does not have yet.
    let new_commits = not_on_remote(repo, remote, head.id())?;
    if new_commits.is_empty() {
        return Ok(Judgement::Skip(format!(
            "{target}: every commit is already on {remote}, nothing to judge"
        )));
    }
    let boundary = boundary(repo, &head, &new_commits)?;
    Ok(Judgement::Judge {
        label: format!("{target} (commits not on {remote})"),
        range: RangeCommits {
            base: boundary.clone(),
            merge_base: boundary,
            head,
        },
    })
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
    }))
}

/// Commits reachable from `head` and from none of `remote`'s tracking refs (`git rev-list
/// head --not --remotes=<remote>`). When `remote` is no configured remote (a push to a URL),
/// every remote's refs count as already pushed.
fn not_on_remote(repo: &Repository, remote: &str, head: Oid) -> Result<HashSet<Oid>> {
    let mut walk = repo.revwalk()?;
    walk.push(head)?;
    if repo.find_remote(remote).is_ok() {
        walk.hide_glob(&format!("refs/remotes/{remote}/*"))?;
    } else {
        walk.hide_glob("refs/remotes/*")?;
    }
    walk.map(|id| id.map_err(Error::from)).collect()
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

    #[test]
    fn the_script_quotes_any_path_and_carries_the_marker() {
        let script = script_for(Path::new("/opt/it's here/deploy-guard"));
        assert!(script.contains(r"installed='/opt/it'\''s here/deploy-guard'"));
        assert!(script.lines().any(|l| l == MARKER));
        assert!(script.contains(CHAINED) && script.contains("--no-verify"));
    }
}
