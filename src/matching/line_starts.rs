//! Where each line of a text starts, so a byte offset found by a parser or a pattern becomes the
//! 1-based line git reports. Lines are counted as git counts them: `\n` only (a lone `\r` does
//! not start a line in a diff).

/// The byte offset of each line's start in one text.
#[derive(Debug, Clone, Default)]
pub(crate) struct LineStarts(Vec<usize>);

impl LineStarts {
    /// Indexes `text` (one pass).
    pub(crate) fn new(text: &str) -> LineStarts {
        LineStarts(
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
                .collect(),
        )
    }

    /// The 1-based line holding byte `offset`.
    pub(crate) fn line_of(&self, offset: usize) -> u32 {
        u32::try_from(self.0.partition_point(|&s| s <= offset)).unwrap_or(u32::MAX)
    }

    /// The byte range of 1-based `line` in a text of `len` bytes (its `\n` included), if the
    /// text has that line.
    pub(crate) fn range(&self, line: u32, len: usize) -> Option<std::ops::Range<usize>> {
        let i = (line as usize).checked_sub(1)?;
        let start = *self.0.get(i)?;
        Some(start..self.0.get(i + 1).copied().unwrap_or(len))
    }
}

#[cfg(test)]
mod tests {
    use super::LineStarts;

    #[test]
    fn offsets_become_lines_as_git_counts_them() {
        let text = "a\r\nbc\rd\n\ne";
        let lines = LineStarts::new(text);
        let of: Vec<u32> = (0..text.len()).map(|at| lines.line_of(at)).collect();
        assert_eq!(of, [1, 1, 1, 2, 2, 2, 2, 2, 3, 4]);
        assert_eq!(lines.range(2, text.len()), Some(3..8));
        assert_eq!(lines.range(4, text.len()), Some(9..10));
        assert_eq!(lines.range(5, text.len()), None);
        assert_eq!(lines.range(0, text.len()), None);
    }
}
