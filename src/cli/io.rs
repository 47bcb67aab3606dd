//! Where a run writes: reports on `out`, progress and errors on `err`.

use crate::error::{Error, Result};
use std::io::Write;

/// Where a run writes, and whether stdout is a terminal (for colour).
pub struct Io<'a> {
    /// Reports go here.
    pub out: &'a mut dyn Write,
    /// Progress lines and errors go here.
    pub err: &'a mut dyn Write,
    /// Whether `out` is a terminal.
    pub out_is_terminal: bool,
}

/// Writes `text` to the report output.
pub(super) fn write_out(io: &mut Io, text: &str) -> Result<()> {
    io.out.write_all(text.as_bytes()).map_err(stdout_error)
}

/// A failure to write the report output, as an error that says so.
pub(super) fn stdout_error(source: std::io::Error) -> Error {
    Error::Io {
        path: "<stdout>".into(),
        source,
    }
}
