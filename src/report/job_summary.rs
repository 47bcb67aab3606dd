//! The GitHub Actions job summary: when the runner sets `GITHUB_STEP_SUMMARY`, the Markdown
//! report is appended to that file (other steps' content is kept), with `file:line` links to
//! the reviewed commit, within GitHub's 1 MiB limit per step.

use super::markdown::{Markdown, SourceLinks};
use super::outcome::Report;
use crate::error::{Error, Result};
use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

/// GitHub refuses a step's summary larger than this (1024 KiB), and then shows none of it.
pub const SUMMARY_LIMIT: usize = 1024 * 1024;

/// Appends the report to the file named by `GITHUB_STEP_SUMMARY`, if that is set; links use
/// `GITHUB_SERVER_URL` and `GITHUB_REPOSITORY`. Notes on `err` when there is no room left.
pub fn append_from_env(report: &Report, err: &mut dyn Write) -> Result<()> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let links = match (
        std::env::var("GITHUB_SERVER_URL"),
        std::env::var("GITHUB_REPOSITORY"),
    ) {
        (Ok(server), Ok(repository)) => SourceLinks::github(&server, &repository),
        _ => None,
    };
    if !append(report, Path::new(&path), links)? {
        let _ = writeln!(
            err,
            "deploy-guard: job summary not written: {} is already near GitHub's 1 MiB limit",
            Path::new(&path).display()
        );
    }
    Ok(())
}

/// Appends the Markdown report to `path` within what is left of [`SUMMARY_LIMIT`] (the file
/// may hold earlier steps' summaries). Returns `false` when not even a truncated report fits.
pub fn append(report: &Report, path: &Path, links: Option<SourceLinks>) -> Result<bool> {
    let write_error = |source| Error::WriteReport {
        path: path.to_path_buf(),
        source,
    };
    let used = match std::fs::metadata(path) {
        Ok(meta) => usize::try_from(meta.len()).unwrap_or(usize::MAX),
        Err(_) => 0,
    };
    let budget = SUMMARY_LIMIT.saturating_sub(used);
    let doc = Markdown {
        links,
        max_bytes: Some(budget),
    }
    .document(report);
    if doc.len() > budget {
        return Ok(false);
    }
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(write_error)?;
    file.write_all(doc.as_bytes()).map_err(write_error)?;
    Ok(true)
}
