//! A TOML file kept with its name and text, so any span in it can be reported as file:line:column.

use crate::error::{Error, Location};
use std::borrow::Cow;
use std::ops::Range;
use std::path::Path;

/// A configuration or rule file's name and full text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// How to name the file in messages.
    pub name: String,
    /// Its full text: borrowed for the built-in packs, which a check would otherwise copy
    /// (a quarter of a megabyte) only in case an error needs a position.
    pub text: Cow<'static, str>,
}

impl SourceFile {
    /// Wraps a file's text under a display name.
    pub fn new(name: impl Into<String>, text: impl Into<Cow<'static, str>>) -> Self {
        SourceFile {
            name: name.into(),
            text: text.into(),
        }
    }

    /// Reads a file from disk, named by its path.
    pub fn read(path: &Path) -> Result<SourceFile, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(SourceFile::new(path.display().to_string(), text))
    }

    /// The 1-based line and column of a byte offset.
    pub fn locate(&self, offset: usize) -> Location {
        let offset = offset.min(self.text.len());
        let before = self.text.get(..offset).unwrap_or(&self.text);
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Location {
            file: self.name.clone(),
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }

    /// A configuration error at `span`.
    pub fn error(&self, span: Range<usize>, message: impl Into<String>) -> Error {
        Error::Config {
            location: self.locate(span.start),
            message: message.into(),
        }
    }

    /// Parses the file as TOML into `T`, turning parse errors into positioned config errors.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        toml::from_str(&self.text).map_err(|e| {
            let message = e.message().trim().to_string();
            self.error(e.span().unwrap_or(0..0), message)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_line_and_column_in_characters() {
        let f = SourceFile::new("x.toml", "a = 1\nbé = 2\n");
        let loc = f.locate(10);
        assert_eq!((loc.line, loc.column), (2, 4));
    }
}
