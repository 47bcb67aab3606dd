//! The git pre-push hook: installing it (next to any hook already there, which keeps running
//! first), removing it, and running it: what a push sends is read by [`crate::source::push`]
//! and judged like any other change.

use super::args::HookCommand;
use super::check;
use super::io::Io;
use crate::error::{Error, Result};
use crate::source::{self, push};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The line that marks a pre-push hook as deploy-guard's (and safe to rewrite or remove).
const MARKER: &str = "# managed-by: deploy-guard";

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
type Outcome = Vec<String>;

/// Installs the pre-push hook for the repository around `cwd`, pointing at `exe`. An existing
/// hook of ours is rewritten only if it differs; a foreign one is kept as `pre-push.local`
/// and chained, or replaced when `force` is set.
fn install(cwd: &Path, exe: &Path, force: bool) -> Result<Outcome> {
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
fn uninstall(cwd: &Path) -> Result<Outcome> {
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

/// `deploy-guard hook …`: installs or removes the hook, or judges what a push sends.
pub(super) fn command(action: HookCommand, cwd: &Path, io: &mut Io) -> Result<i32> {
    let done = match action {
        HookCommand::Install { force } => {
            let exe = std::env::current_exe().unwrap_or_else(|_| "deploy-guard".into());
            install(cwd, &exe, force)?
        }
        HookCommand::Uninstall => uninstall(cwd)?,
        HookCommand::PrePush { remote, .. } => {
            let input = std::io::read_to_string(std::io::stdin()).map_err(|source| Error::Io {
                path: "<stdin>".into(),
                source,
            })?;
            let repo = source::open_repository(cwd)?;
            return check::judge_push(&repo, &remote, &push::parse_pushed_refs(&input)?, io);
        }
        HookCommand::PreCommit => {
            let repo = source::open_repository(cwd)?;
            let (remote, pushed) =
                push::pushed_by_pre_commit(&repo, |name| std::env::var(name).ok())?;
            return check::judge_push(&repo, &remote, &[pushed], io);
        }
    };
    for line in done {
        let _ = writeln!(io.err, "deploy-guard: {line}");
    }
    Ok(0)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_quotes_any_path_and_carries_the_marker() {
        let script = script_for(Path::new("/opt/it's here/deploy-guard"));
        assert!(script.contains(r"installed='/opt/it'\''s here/deploy-guard'"));
        assert!(script.lines().any(|l| l == MARKER));
        assert!(script.contains(CHAINED) && script.contains("--no-verify"));
    }
}
