//! `deploy-guard init`: a commented starter `.deploy-guard.toml` at the repository root.

use super::io::Io;
use crate::config::CONFIG_FILE;
use crate::error::{Error, Result};
use crate::source;
use std::path::Path;

/// The starter configuration `init` writes; a test keeps it valid.
pub const STARTER_CONFIG: &str = include_str!("starter.toml");

/// Writes the starter configuration, unless one exists and `force` is not set.
pub(super) fn init(cwd: &Path, force: bool, io: &mut Io) -> Result<i32> {
    let repo = source::open_repository(cwd)?;
    let root = repo.workdir().ok_or_else(|| {
        Error::Usage("this repository is bare; run init in a working tree".into())
    })?;
    let path = root.join(CONFIG_FILE);
    if path.exists() && !force {
        return Err(Error::Usage(format!(
            "{} already exists; pass --force to overwrite it",
            path.display()
        )));
    }
    std::fs::write(&path, STARTER_CONFIG).map_err(|source| Error::Io {
        path: path.clone(),
        source,
    })?;
    let _ = writeln!(io.err, "wrote {}", path.display());
    Ok(0)
}
