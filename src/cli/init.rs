//! `deploy-guard init`: a commented starter `.deploy-guard.toml` at the repository root, whose
//! first line points editors at the configuration's JSON Schema.

use super::io::Io;
use crate::config::{CONFIG_FILE, SCHEMA_URL};
use crate::error::{Error, Result};
use crate::rules::docs::DOCS_URL;
use crate::source;
use std::path::Path;

/// The starter configuration `init` writes (`starter.toml` under a `#:schema` line that Taplo
/// and Even Better TOML read); a test keeps it valid against the schema and the parser.
pub fn starter_config() -> String {
    let body = include_str!("starter.toml").replace("{DOCS_URL}", DOCS_URL);
    format!("#:schema {SCHEMA_URL}\n{body}")
}

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
    std::fs::write(&path, starter_config()).map_err(|source| Error::Io {
        path: path.clone(),
        source,
    })?;
    let _ = writeln!(io.err, "wrote {}", path.display());
    Ok(0)
}
