//! The one model of a change that every source (range, staged, worktree, rule examples) produces
//! and the engine consumes: which files changed, how, and the added and removed lines.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// How a file changed between the two sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// New in head.
    Added,
    /// Present on both sides with different content or mode.
    Modified,
    /// Gone from head.
    Deleted,
    /// Moved (possibly with edits); `old_path` holds the base name.
    Renamed,
    /// Changed kind, e.g. a file that became a symlink.
    Typechange,
}

impl Status {
    /// The lower-case name used in rule files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Added => "added",
            Status::Modified => "modified",
            Status::Deleted => "deleted",
            Status::Renamed => "renamed",
            Status::Typechange => "typechange",
        }
    }
}

/// What kind of object a path holds on the side that matters (head, or base for deletions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    /// Text content, matched line by line (a symlink followed to a file inside the repository
    /// is text: its content is that file's, see [`ChangedFile::link`]).
    Text,
    /// Binary content: never matched as text, reported as skipped.
    Binary,
    /// A symbolic link that leads to no file inside the repository; its "content" is the
    /// target path.
    Symlink,
    /// A submodule pointer (gitlink).
    Submodule,
}

/// How git shows a submodule pointer's content: this prefix, then the commit id. A gitlink's
/// [`Content`] is this text, so every side can be read the same way.
pub(crate) const SUBPROJECT_COMMIT: &str = "Subproject commit ";

/// Why a file's content was not scanned (it is still listed in the report's `skipped`, the
/// gate reports it, and rules on its name still apply).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotScanned {
    /// A Git LFS pointer: the real content is not in the repository.
    LfsPointer,
    /// A side is larger than the source's size limit for scanning.
    TooLarge,
    /// A side is text in the named encoding (UTF-16) whose bytes do not decode.
    Undecodable(&'static str),
    /// A side is text in the named encoding (UTF-32), which the gate does not read.
    UnsupportedEncoding(&'static str),
}

/// Where a symlink leads, when it was followed (see `source/links.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// To this file inside the repository: the link's content is that file's, and the rules
    /// of both names apply.
    Inside(String),
    /// Outside the repository (an absolute target, or `..` past the root), as written: its
    /// content cannot be judged.
    Outside(String),
}

/// Which side of the diff a line belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The base revision (removed lines).
    Base,
    /// The head revision (added lines).
    Head,
}

/// One added or removed line. Its text lives in the owning file's buffer, so building the
/// model allocates per file, not per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffLine {
    /// `Head` for an added line, `Base` for a removed one.
    pub side: Side,
    /// 1-based line number on that side.
    pub line: u32,
    span: Range<usize>,
}

/// A contiguous region of change, as in a unified diff header `@@ -old_start,old_lines +new_start,new_lines @@`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk {
    /// First base line (1-based; 0 when the hunk removes nothing at the start of the file).
    pub old_start: u32,
    /// Number of base lines covered.
    pub old_lines: u32,
    /// First head line.
    pub new_start: u32,
    /// Number of head lines covered.
    pub new_lines: u32,
    /// Indices into the file's `lines()`.
    pub lines: Range<usize>,
}

/// Where the full content of one side of a file can be read from, when a rule needs more than
/// the changed lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// This side has no such file.
    Absent,
    /// A blob in the repository's object database.
    Blob(git2::Oid),
    /// A file in the working tree, relative to the repository root.
    Worktree(std::path::PathBuf),
    /// Content held in memory (rule examples).
    Inline(String),
}

/// One changed path and everything the engine needs to judge it.
#[derive(Debug, Clone)]
pub struct ChangedFile {
    /// Repository-relative path in head (the base path for deletions), with any non-UTF-8
    /// bytes shown as `\xNN`.
    pub path: String,
    /// The base path when the file was renamed.
    pub old_path: Option<String>,
    /// How the file changed.
    pub status: Status,
    /// What kind of object the path holds.
    pub kind: FileKind,
    /// Full content of the base side.
    pub base: Content,
    /// Full content of the head side.
    pub head: Content,
    /// The hunks of the change, in order.
    pub hunks: Vec<Hunk>,
    /// Set when the content was not read; the file then has no lines.
    pub not_scanned: Option<NotScanned>,
    /// Where the path leads when it is a symlink (the head side's; the base side's for a
    /// deleted link); `None` for other files and for links that lead nowhere readable.
    pub link: Option<Link>,
    lines: Vec<DiffLine>,
    text: String,
}

impl ChangedFile {
    /// The path this change takes away: a deleted file's, or a renamed file's old one.
    pub(crate) fn gone_path(&self) -> Option<&str> {
        match self.status {
            Status::Deleted => Some(self.path.as_str()),
            Status::Renamed => self.old_path.as_deref(),
            _ => None,
        }
    }

    /// A file with no lines yet; fill it with [`ChangedFile::push_hunk`] and [`ChangedFile::push_line`].
    pub(crate) fn new(path: String, status: Status, kind: FileKind) -> Self {
        ChangedFile {
            path,
            old_path: None,
            status,
            kind,
            base: Content::Absent,
            head: Content::Absent,
            hunks: Vec::new(),
            not_scanned: None,
            link: None,
            lines: Vec::new(),
            text: String::new(),
        }
    }

    /// Starts a new hunk; following `push_line` calls belong to it.
    pub(crate) fn push_hunk(
        &mut self,
        old_start: u32,
        old_lines: u32,
        new_start: u32,
        new_lines: u32,
    ) {
        let at = self.lines.len();
        self.hunks.push(Hunk {
            old_start,
            old_lines,
            new_start,
            new_lines,
            lines: at..at,
        });
    }

    /// Appends an added (`Side::Head`) or removed (`Side::Base`) line to the current hunk.
    /// Bytes that are not UTF-8 are decoded lossily so they can still be matched; the line
    /// terminator is dropped.
    pub(crate) fn push_line(&mut self, side: Side, line: u32, bytes: &[u8]) {
        let start = self.text.len();
        // `from_utf8` checks ASCII a word at a time; the lossy decoder goes byte by byte.
        match std::str::from_utf8(bytes) {
            Ok(text) => self.text.push_str(text),
            Err(_) => self.text.push_str(&String::from_utf8_lossy(bytes)),
        }
        let trimmed = self.text[start..].trim_end_matches(['\n', '\r']).len();
        self.text.truncate(start + trimmed);
        self.lines.push(DiffLine {
            side,
            line,
            span: start..self.text.len(),
        });
        if let Some(hunk) = self.hunks.last_mut() {
            hunk.lines.end = self.lines.len();
        }
    }

    /// Why this file's content was not scanned as text (`binary`, `lfs-pointer`, `too-large`,
    /// `undecodable`, `unsupported-encoding`), or `None` when it was.
    pub fn skip_reason(&self) -> Option<&'static str> {
        match (self.kind, self.not_scanned) {
            (FileKind::Binary, _) => Some("binary"),
            (_, Some(NotScanned::LfsPointer)) => Some("lfs-pointer"),
            (_, Some(NotScanned::TooLarge)) => Some("too-large"),
            (_, Some(NotScanned::Undecodable(_))) => Some("undecodable"),
            (_, Some(NotScanned::UnsupportedEncoding(_))) => Some("unsupported-encoding"),
            _ => None,
        }
    }

    /// The path the rules of which also judge this file: a symlink's target inside the
    /// repository.
    pub fn link_target(&self) -> Option<&str> {
        match &self.link {
            Some(Link::Inside(target)) => Some(target),
            _ => None,
        }
    }

    /// All added and removed lines, in diff order.
    pub fn lines(&self) -> &[DiffLine] {
        &self.lines
    }

    /// The text of one of this file's lines.
    pub fn text(&self, line: &DiffLine) -> &str {
        &self.text[line.span.clone()]
    }

    /// Added lines with their text.
    pub fn added(&self) -> impl Iterator<Item = (&DiffLine, &str)> {
        self.side_lines(Side::Head)
    }

    /// Removed lines with their text.
    pub fn removed(&self) -> impl Iterator<Item = (&DiffLine, &str)> {
        self.side_lines(Side::Base)
    }

    fn side_lines(&self, side: Side) -> impl Iterator<Item = (&DiffLine, &str)> {
        self.lines
            .iter()
            .filter(move |l| l.side == side)
            .map(|l| (l, self.text(l)))
    }

    /// Builds a file's change from the full text of both sides (`None` = absent on that side),
    /// as `git diff -U0` would. Used for rule examples and tests, where there is no repository.
    pub fn from_contents(path: &str, before: Option<&str>, after: Option<&str>) -> Self {
        let status = match (before, after) {
            (None, _) => Status::Added,
            (_, None) => Status::Deleted,
            _ => Status::Modified,
        };
        let mut file = ChangedFile::new(path.to_string(), status, FileKind::Text);
        let (old, new) = (before.unwrap_or(""), after.unwrap_or(""));
        let diff = similar::TextDiff::from_lines(old, new);
        for op in diff.ops() {
            let (old_range, new_range) = (op.old_range(), op.new_range());
            if op.tag() == similar::DiffTag::Equal {
                continue;
            }
            file.push_hunk(
                hunk_start(old_range.start, old_range.len()),
                old_range.len() as u32,
                hunk_start(new_range.start, new_range.len()),
                new_range.len() as u32,
            );
            for change in diff.iter_changes(op) {
                match change.tag() {
                    similar::ChangeTag::Delete => {
                        let n = change.old_index().map_or(0, |i| i + 1) as u32;
                        file.push_line(Side::Base, n, change.value().as_bytes());
                    }
                    similar::ChangeTag::Insert => {
                        let n = change.new_index().map_or(0, |i| i + 1) as u32;
                        file.push_line(Side::Head, n, change.value().as_bytes());
                    }
                    similar::ChangeTag::Equal => {}
                }
            }
        }
        file.base = before.map_or(Content::Absent, |s| Content::Inline(s.to_string()));
        file.head = after.map_or(Content::Absent, |s| Content::Inline(s.to_string()));
        file
    }
}

/// Unified-diff hunk start: the line before the hunk when it covers no lines, else its first line.
fn hunk_start(start0: usize, len: usize) -> u32 {
    if len == 0 {
        start0 as u32
    } else {
        start0 as u32 + 1
    }
}

/// Where the full list of head paths comes from (for whole-tree checks such as case collisions).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum HeadTree {
    /// A commit's tree.
    Commit(git2::Oid),
    /// The repository's index (staged and worktree checks).
    Index,
    /// A list held in memory (rule examples); the changed files are added to it.
    Listed(Vec<String>),
    /// Nothing beyond the changed files themselves.
    #[default]
    ChangedOnly,
}

/// A whole change: what was compared and every changed path.
#[derive(Debug, Clone, Default)]
pub struct ChangeSet {
    /// The base commit id (the merge-base for ranges, HEAD for staged/worktree), if any.
    pub base: Option<String>,
    /// The head commit id for ranges; `None` for the index or working tree.
    pub head: Option<String>,
    /// Every changed path.
    pub files: Vec<ChangedFile>,
    /// Where the head tree's full path list comes from.
    pub tree: HeadTree,
    /// The contents of unchanged files, for a change held in memory (fixtures); a change read
    /// from git reads them from the base commit instead.
    pub unchanged: Vec<(String, String)>,
}

/// Shows a path's bytes as text: valid UTF-8 as is, anything else as `\xNN`, so a path that is
/// not UTF-8 is kept distinguishable instead of collapsing to replacement characters.
pub(crate) fn display_path(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    push_display_path(&mut out, bytes);
    out
}

/// Appends [`display_path`]`(bytes)` to `out`.
fn push_display_path(out: &mut String, bytes: &[u8]) {
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
}

/// Repository paths in one buffer, for whole-tree checks: a 20,000-file tree costs a few
/// allocations instead of one per path. [`PathList::finish`] sorts it and drops duplicates.
#[derive(Debug, Clone, Default)]
pub(crate) struct PathList {
    text: String,
    spans: Vec<Range<usize>>,
}

impl PathList {
    /// Appends a path.
    pub(crate) fn push(&mut self, path: &str) {
        self.push_parts(path, b"");
    }

    /// Appends `prefix` followed by `name` shown as by [`display_path`] (a tree entry under its
    /// folder).
    pub(crate) fn push_parts(&mut self, prefix: &str, name: &[u8]) {
        let start = self.text.len();
        self.text.push_str(prefix);
        push_display_path(&mut self.text, name);
        self.spans.push(start..self.text.len());
    }

    /// Keeps only the paths for which `keep` holds.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) {
        let text = &self.text;
        self.spans.retain(|span| keep(&text[span.clone()]));
    }

    /// Sorts the paths (byte order) and drops duplicates. A list that is already sorted, as a
    /// tree walk is, costs one pass.
    pub(crate) fn finish(&mut self) {
        let text = &self.text;
        self.spans
            .sort_by(|a, b| text[a.clone()].cmp(&text[b.clone()]));
        self.spans
            .dedup_by(|a, b| text[a.clone()] == text[b.clone()]);
    }

    /// The number of paths.
    pub(crate) fn len(&self) -> usize {
        self.spans.len()
    }

    /// Path `i`, or `""` past the end.
    pub(crate) fn get(&self, i: usize) -> &str {
        self.spans
            .get(i)
            .and_then(|span| self.text.get(span.clone()))
            .unwrap_or_default()
    }

    /// The paths in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> {
        self.spans.iter().map(|span| &self.text[span.clone()])
    }
}

impl<S: AsRef<str>> FromIterator<S> for PathList {
    /// A finished (sorted, deduplicated) list of `paths`.
    fn from_iter<I: IntoIterator<Item = S>>(paths: I) -> Self {
        let mut list = PathList::default();
        for path in paths {
            list.push(path.as_ref());
        }
        list.finish();
        list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_contents_numbers_lines_like_git() {
        let f = ChangedFile::from_contents("a.txt", Some("a\nb\nc\n"), Some("a\nB\nc\nd\n"));
        let got: Vec<_> = f
            .lines()
            .iter()
            .map(|l| (l.side, l.line, f.text(l)))
            .collect();
        assert_eq!(
            got,
            vec![
                (Side::Base, 2, "b"),
                (Side::Head, 2, "B"),
                (Side::Head, 4, "d")
            ]
        );
        assert_eq!(f.status, Status::Modified);
        assert_eq!(f.hunks.len(), 2);
    }

    #[test]
    fn lines_drop_crlf_and_decode_lossily() {
        let mut f = ChangedFile::new("x".into(), Status::Added, FileKind::Text);
        f.push_hunk(0, 0, 1, 1);
        f.push_line(Side::Head, 1, b"caf\xe9\r\n");
        assert_eq!(f.added().next().map(|(_, t)| t), Some("caf\u{FFFD}"));
    }

    #[test]
    fn display_path_escapes_invalid_bytes() {
        assert_eq!(display_path(b"ok/\xff name"), "ok/\\xFF name");
    }
}
