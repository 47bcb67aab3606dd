//! Running a render command: `sh -c COMMAND` (`cmd /C` on Windows) in a checkout, with no
//! input, stdout and stderr captured, and a timeout. On Unix the command gets a process group
//! of its own, which is killed on timeout and once the command ends, so nothing it started
//! lives on holding the output open.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The most stdout a render may print: 64 MiB.
const MAX_STDOUT: usize = 64 * 1024 * 1024;

/// How much of the end of stderr is kept to show.
const STDERR_TAIL: usize = 16 * 1024;

/// Why a command did not render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    /// What went wrong, in one line.
    pub(crate) what: String,
    /// The last lines the command wrote on stderr.
    pub(crate) stderr: Vec<String>,
}

impl Failure {
    /// A failure with nothing on stderr to show.
    pub(super) fn new(what: impl Into<String>) -> Failure {
        Failure {
            what: what.into(),
            stderr: Vec::new(),
        }
    }
}

/// Runs `command` in `dir` with `env` added, for at most `timeout`; its stdout when it exits 0.
pub(super) fn run(
    command: &str,
    dir: &Path,
    env: &[(&str, &str)],
    timeout: Duration,
) -> Result<Vec<u8>, Failure> {
    let mut shell = shell(command);
    shell
        .current_dir(dir)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut shell, 0);
    let mut child = shell
        .spawn()
        .map_err(|e| Failure::new(format!("could not start `{command}`: {e}")))?;
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let (status, out, err) = std::thread::scope(|scope| {
        let out = scope.spawn(move || read_capped(stdout, MAX_STDOUT));
        let err = scope.spawn(move || read_tail(stderr, STDERR_TAIL));
        let status = wait(&mut child, timeout);
        end_group(&mut child);
        let out = out.join().unwrap_or_default();
        let err = err.join().unwrap_or_default();
        (status, out, err)
    });
    let stderr = tail_lines(&err, dir);
    let fail = |what: String| {
        Err(Failure {
            what,
            stderr: stderr.clone(),
        })
    };
    match status {
        Waited::TimedOut => fail(format!(
            "`{command}` did not finish within its timeout of {}s and was stopped",
            timeout.as_secs()
        )),
        Waited::Error(e) => fail(format!("could not wait for `{command}`: {e}")),
        Waited::Exited(status) if !status.success() => {
            let how = status.code().map_or_else(
                || "was killed by a signal".to_string(),
                |c| format!("exited with {c}"),
            );
            fail(format!("`{command}` {how}"))
        }
        Waited::Exited(_) => match out {
            Captured::Whole(bytes) => Ok(bytes),
            Captured::TooLong => fail(format!(
                "`{command}` printed more than {} MiB",
                MAX_STDOUT / (1024 * 1024)
            )),
        },
    }
}

/// The shell that runs `command`.
fn shell(command: &str) -> Command {
    if cfg!(windows) {
        let mut cmd = Command::new("cmd");
        cmd.arg("/C").arg(command);
        cmd
    } else {
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg(command);
        cmd
    }
}

/// How waiting for the command ended.
enum Waited {
    Exited(std::process::ExitStatus),
    TimedOut,
    Error(std::io::Error),
}

/// Waits for `child` until `timeout`, polling (a short sleep that grows to 25 ms).
fn wait(child: &mut Child, timeout: Duration) -> Waited {
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(1);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Waited::Exited(status),
            Ok(None) if Instant::now() >= deadline => return Waited::TimedOut,
            Ok(None) => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(25));
            }
            Err(e) => return Waited::Error(e),
        }
    }
}

/// Ends the command and everything it started: its process group on Unix, the child itself
/// elsewhere; then reaps it.
fn end_group(child: &mut Child) {
    #[cfg(unix)]
    {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// What was read of stdout.
#[derive(Default)]
enum Captured {
    Whole(Vec<u8>),
    #[default]
    TooLong,
}

/// Reads `pipe` to its end, keeping at most `limit` bytes (the rest is drained, so the
/// command is never blocked writing).
fn read_capped(pipe: Option<impl Read>, limit: usize) -> Captured {
    let mut kept = Vec::new();
    let mut over = false;
    let mut buf = [0u8; 64 * 1024];
    if let Some(mut pipe) = pipe {
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            if kept.len() + n > limit {
                over = true;
            } else {
                kept.extend_from_slice(&buf[..n]);
            }
        }
    }
    if over {
        Captured::TooLong
    } else {
        Captured::Whole(kept)
    }
}

/// Reads `pipe` to its end, keeping its last `keep` bytes.
fn read_tail(pipe: Option<impl Read>, keep: usize) -> Vec<u8> {
    let mut tail = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    if let Some(mut pipe) = pipe {
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            tail.extend_from_slice(&buf[..n]);
            if tail.len() > 2 * keep {
                tail.drain(..tail.len() - keep);
            }
        }
    }
    if tail.len() > keep {
        tail.drain(..tail.len() - keep);
    }
    tail
}

/// The last lines of stderr worth showing: at most 20, blank ones dropped, the temporary
/// checkout's path (`dir`) shown as `.`.
fn tail_lines(stderr: &[u8], dir: &Path) -> Vec<String> {
    const SHOWN: usize = 20;
    let text = String::from_utf8_lossy(stderr);
    let text = match dir.to_str() {
        Some(dir) if !dir.is_empty() => text.replace(&format!("{dir}/"), "./").replace(dir, "."),
        _ => text.into_owned(),
    };
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(SHOWN)..]
        .iter()
        .map(|l| l.trim_end().to_string())
        .collect()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(command: &str, timeout: Duration) -> Result<Vec<u8>, Failure> {
        run(command, Path::new("."), &[("GREETING", "hi")], timeout)
    }

    #[test]
    fn stdout_on_success_stderr_on_failure_and_a_timeout() {
        let long = Duration::from_secs(30);
        assert_eq!(sh("echo $GREETING", long).unwrap(), b"hi\n");
        let failed = sh("echo out; echo 'no such overlay' >&2; exit 3", long).unwrap_err();
        assert_eq!(
            failed.what,
            "`echo out; echo 'no such overlay' >&2; exit 3` exited with 3"
        );
        assert_eq!(failed.stderr, ["no such overlay"]);
        let started = Instant::now();
        // A grandchild holding stdout open must not keep the gate waiting past the timeout.
        let slow = sh("sleep 30 & sleep 30", Duration::from_secs(1)).unwrap_err();
        assert!(slow.what.contains("within its timeout of 1s"), "{slow:?}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}
