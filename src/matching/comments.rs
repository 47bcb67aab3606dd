//! Where comments are, per the comment syntax of a file's type: a match inside a comment is not
//! deployed, so it never fires. Markers count only outside string literals (`"http://x"` holds
//! no comment, nor does `'#'`), and only the markers of the file's language count: `#` starts a
//! comment in YAML or Python but not in JavaScript, a leading `;` ends a statement in JavaScript
//! but starts a comment in an INI file.
//!
//! One line is read on its own (strings end with it); a whole file is read with block comments
//! and multi-line strings carried across lines.

use std::borrow::Cow;
use std::ops::Range;

/// How a file type writes comments and strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct CommentSyntax {
    /// `#` at the start of a word (shell, YAML, Python, Ruby, TOML, HCL…).
    hash: bool,
    /// `//` line comments.
    slashes: bool,
    /// `/* … */` block comments.
    block: bool,
    /// `--` line comments (Lua, SQL).
    dashes: bool,
    /// `;` at the start of a line (INI).
    semicolon: bool,
    /// `<!-- … -->` (XML, HTML).
    markup: bool,
    /// `'` line comments and `REM` (Visual Basic); `'` then quotes nothing.
    apostrophe: bool,
    /// `` ` `` strings that may span lines (JavaScript, TypeScript, Go).
    backticks: bool,
    /// `"""`/`'''` strings that may span lines (Python).
    triple_quotes: bool,
    /// A type the gate does not know: only a line that starts with `#`, `//`, `/*`, `<!--` or
    /// `-- ` is a comment.
    leading_only: bool,
}

/// File types by extension (lower case) and the syntax they share.
const BY_EXTENSION: &[(&[&str], CommentSyntax)] = &[
    (
        &[
            "js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx", "go", "vue", "svelte",
        ],
        CommentSyntax {
            slashes: true,
            block: true,
            backticks: true,
            ..NONE
        },
    ),
    (
        &[
            "java", "kt", "kts", "scala", "groovy", "gradle", "cs", "fs", "rs", "swift", "c", "h",
            "cc", "cpp", "hpp", "dart", "json", "json5", "jsonc", "bicep", "proto", "sol",
        ],
        CommentSyntax {
            slashes: true,
            block: true,
            ..NONE
        },
    ),
    (
        &["php", "tf", "tfvars", "hcl", "nomad", "vcl"],
        CommentSyntax {
            hash: true,
            slashes: true,
            block: true,
            ..NONE
        },
    ),
    (
        &["py", "pyi"],
        CommentSyntax {
            hash: true,
            triple_quotes: true,
            ..NONE
        },
    ),
    (
        &[
            "rb",
            "ru",
            "rake",
            "sh",
            "bash",
            "zsh",
            "ps1",
            "psm1",
            "yaml",
            "yml",
            "toml",
            "conf",
            "env",
            "properties",
            "ex",
            "exs",
            "r",
            "pl",
            "mk",
            "dockerfile",
            "containerfile",
            "htaccess",
            "caddyfile",
            "template",
            "nginx",
            "service",
        ],
        CommentSyntax { hash: true, ..NONE },
    ),
    (
        &["ini", "cfg", "cnf"],
        CommentSyntax {
            hash: true,
            semicolon: true,
            ..NONE
        },
    ),
    (
        &["lua", "sql", "hs"],
        CommentSyntax {
            dashes: true,
            ..NONE
        },
    ),
    (
        &[
            "xml", "config", "html", "htm", "xhtml", "svg", "xaml", "csproj", "props", "targets",
            "plist", "md", "markdown",
        ],
        CommentSyntax {
            markup: true,
            ..NONE
        },
    ),
    (
        &["vb", "vbs", "bas"],
        CommentSyntax {
            apostrophe: true,
            ..NONE
        },
    ),
];

/// No comment syntax at all (the base the table's entries fill in).
const NONE: CommentSyntax = CommentSyntax {
    hash: false,
    slashes: false,
    block: false,
    dashes: false,
    semicolon: false,
    markup: false,
    apostrophe: false,
    backticks: false,
    triple_quotes: false,
    leading_only: false,
};

/// Extensions that wrap another file type (`nginx.conf.j2`, `values.yaml.tpl`): the syntax is
/// the wrapped type's.
const TEMPLATE_EXTENSIONS: &[&str] = &["j2", "jinja", "jinja2", "tpl", "tmpl", "gotmpl", "erb"];

/// File names without a telling extension, as the extension they are written in.
const BY_NAME: &[(&str, &str)] = &[
    ("dockerfile", "dockerfile"),
    ("containerfile", "dockerfile"),
    ("caddyfile", "caddyfile"),
    ("_headers", "sh"),
    ("_redirects", "sh"),
    (".htaccess", "htaccess"),
    ("makefile", "mk"),
    ("gemfile", "rb"),
    ("rakefile", "rb"),
    ("vagrantfile", "rb"),
    ("procfile", "sh"),
    ("jenkinsfile", "groovy"),
    (".env", "env"),
];

/// Folders whose files are shell scripts without an extension (git hooks, nginx sites).
const SHELL_FOLDERS: &[&str] = &[
    ".githooks/",
    ".husky/",
    "githooks/",
    ".git-hooks/",
    "sites-available/",
    "sites-enabled/",
];

impl CommentSyntax {
    /// No comments at all: for rules whose matches count inside comments too.
    pub(crate) const NONE: CommentSyntax = NONE;

    /// The syntax of the file at `path` (repository-relative, `/` separators). Names and
    /// extensions are compared case-insensitively; a type the gate does not know falls back to
    /// comments that start a line.
    pub(crate) fn of_path(path: &str) -> CommentSyntax {
        let lower = path.to_ascii_lowercase();
        let name = lower.rsplit('/').next().unwrap_or(&lower);
        let mut stem = name;
        loop {
            if let Some(&(_, as_ext)) = BY_NAME.iter().find(|(n, _)| *n == stem) {
                return CommentSyntax::of_extension(as_ext).unwrap_or(FALLBACK);
            }
            let Some((rest, ext)) = stem.rsplit_once('.') else {
                break;
            };
            if TEMPLATE_EXTENSIONS.contains(&ext) {
                stem = rest;
                continue;
            }
            if stem.starts_with(".env") || stem.starts_with("dockerfile.") {
                return CommentSyntax::of_extension("env").unwrap_or(FALLBACK);
            }
            return CommentSyntax::of_extension(ext).unwrap_or(FALLBACK);
        }
        if SHELL_FOLDERS.iter().any(|f| lower.contains(f)) {
            return CommentSyntax::of_extension("sh").unwrap_or(FALLBACK);
        }
        FALLBACK
    }

    fn of_extension(ext: &str) -> Option<CommentSyntax> {
        BY_EXTENSION
            .iter()
            .find(|(exts, _)| exts.contains(&ext))
            .map(|(_, syntax)| *syntax)
    }

    /// The comments of `text`, one line read on its own: strings end at the line's end, and in
    /// a language with block comments a line that starts with `*` is taken to continue one
    /// (`/** … */` documentation).
    pub(crate) fn in_line(self, text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
        Pieces::new(self, text, false).comments()
    }

    /// Whether the language writes shorthand properties (`{ origin }` for `{ origin: origin }`):
    /// JavaScript, TypeScript, Go's composite literals.
    pub(crate) fn shorthand_properties(self) -> bool {
        self.backticks
    }

    /// The string literals of a whole file, quotes included, in order.
    pub(crate) fn strings_in_file(self, text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
        Pieces::new(self, text, true).filter_map(|p| match p {
            Piece::String(r) => Some(r),
            Piece::Comment(_) => None,
        })
    }

    /// `text` with its comments replaced by spaces (line breaks kept, so byte offsets and line
    /// numbers stay); borrowed when it has none. `whole_file`: read as a file, not one line.
    pub(crate) fn blanked(self, text: &str, whole_file: bool) -> Cow<'_, str> {
        let mut comments = Pieces::new(self, text, whole_file).comments().peekable();
        if comments.peek().is_none() {
            return Cow::Borrowed(text);
        }
        let mut bytes = text.as_bytes().to_vec();
        for comment in comments {
            for b in &mut bytes[comment] {
                if *b != b'\n' {
                    *b = b' ';
                }
            }
        }
        // Comments start and end at ASCII delimiters or line ends, so this stays UTF-8.
        Cow::Owned(String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// Unknown types: comments that start a line, as most languages write them.
const FALLBACK: CommentSyntax = CommentSyntax {
    leading_only: true,
    ..NONE
};

/// What the lexer is inside of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Code,
    /// A string closed by this quote (three times, for Python's triple quotes), opened at `start`.
    Str {
        quote: u8,
        triple: bool,
        start: usize,
    },
}

/// A comment or a string literal, by its byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Comment(Range<usize>),
    String(Range<usize>),
}

/// The comments and string literals of a text, in order.
struct Pieces<'t> {
    syntax: CommentSyntax,
    bytes: &'t [u8],
    at: usize,
    state: State,
    whole_file: bool,
    /// Whether everything read on the current line so far is blank.
    blank_line: bool,
}

impl<'t> Pieces<'t> {
    fn new(syntax: CommentSyntax, text: &'t str, whole_file: bool) -> Self {
        Pieces {
            syntax,
            bytes: text.as_bytes(),
            at: 0,
            state: State::Code,
            whole_file,
            blank_line: true,
        }
    }

    /// Only the comments.
    fn comments(self) -> impl Iterator<Item = Range<usize>> + 't {
        self.filter_map(|p| match p {
            Piece::Comment(r) => Some(r),
            Piece::String(_) => None,
        })
    }

    /// The end of the line holding byte `i` (the `\n`, or the end of the text).
    fn line_end(&self, i: usize) -> usize {
        memchr::memchr(b'\n', &self.bytes[i..]).map_or(self.bytes.len(), |n| i + n)
    }

    /// The end of the block comment opened at `i` (after its terminator `end`, or the end of the
    /// text; one line only when read line by line).
    fn block_end(&self, i: usize, open: usize, end: &[u8]) -> usize {
        let limit = match self.whole_file {
            true => self.bytes.len(),
            false => self.line_end(i),
        };
        let from = (i + open).min(limit);
        memchr::memmem::find(&self.bytes[from..limit], end).map_or(limit, |n| from + n + end.len())
    }

    /// For a type the gate does not know: the next line (from `self.at`) that starts with a
    /// comment marker, as a comment to its end.
    fn next_leading(&mut self) -> Option<Piece> {
        const LEADING: [&str; 5] = ["#", "//", "/*", "<!--", "-- "];
        while self.at < self.bytes.len() {
            let end = self.line_end(self.at);
            let line = &self.bytes[self.at..end];
            let first = line.iter().position(|b| !b.is_ascii_whitespace());
            let start = self.at;
            self.at = end + 1;
            if let Some(first) = first
                && LEADING
                    .iter()
                    .any(|m| line[first..].starts_with(m.as_bytes()))
            {
                return Some(Piece::Comment(start + first..end));
            }
        }
        None
    }

    /// A comment starting at byte `i` in code: its range.
    fn comment_at(&self, i: usize) -> Option<Range<usize>> {
        let s = self.syntax;
        let rest = &self.bytes[i..];
        let starts = |p: &[u8]| rest.starts_with(p);
        let line = || Some(i..self.line_end(i));
        let prev = i.checked_sub(1).map(|p| self.bytes[p]);
        let word_start = prev.is_none_or(|b| b.is_ascii_whitespace());
        match rest[0] {
            b'#' if s.hash && word_start && !(s.slashes && starts(b"#[")) => line(),
            b'/' if s.slashes && starts(b"//") => line(),
            b'/' if s.block && starts(b"/*") => Some(i..self.block_end(i, 2, b"*/")),
            b'-' if s.dashes && starts(b"--") => line(),
            b';' if s.semicolon && self.blank_line => line(),
            b'<' if s.markup && starts(b"<!--") => Some(i..self.block_end(i, 4, b"-->")),
            b'\'' if s.apostrophe => line(),
            b'R' | b'r' if s.apostrophe && rest.len() >= 3 && self.blank_line => {
                rest[..3].eq_ignore_ascii_case(b"rem").then(line).flatten()
            }
            b'*' if s.block
                && !self.whole_file
                && self.blank_line
                && rest
                    .get(1)
                    .is_none_or(|b| b.is_ascii_whitespace() || *b == b'/') =>
            {
                line()
            }
            _ => None,
        }
    }
}

impl Iterator for Pieces<'_> {
    type Item = Piece;

    fn next(&mut self) -> Option<Piece> {
        if self.syntax.leading_only {
            return self.next_leading();
        }
        let bytes = self.bytes;
        while self.at < bytes.len() {
            let i = self.at;
            let b = bytes[i];
            match self.state {
                State::Str {
                    quote,
                    triple,
                    start,
                } => {
                    self.at += 1;
                    let closed = match b {
                        b'\\' => {
                            self.at += 1;
                            None
                        }
                        b'\n' if !(triple || quote == b'`') => Some(i),
                        _ if b == quote && !triple => Some(i + 1),
                        _ if b == quote && bytes[i..].starts_with(&[quote; 3]) => {
                            self.at = i + 3;
                            Some(i + 3)
                        }
                        _ => None,
                    };
                    if let Some(end) = closed {
                        self.state = State::Code;
                        self.blank_line = false;
                        return Some(Piece::String(start..end));
                    }
                }
                State::Code => {
                    if let Some(comment) = self.comment_at(i) {
                        self.at = comment.end.max(i + 1);
                        self.blank_line = false;
                        return Some(Piece::Comment(comment));
                    }
                    self.at += 1;
                    match b {
                        b'\n' => self.blank_line = true,
                        _ if b.is_ascii_whitespace() => {}
                        _ => self.blank_line = false,
                    }
                    let s = self.syntax;
                    match b {
                        b'\\' => self.at += 1,
                        b'"' | b'\'' => {
                            let triple = s.triple_quotes && bytes[i..].starts_with(&[b; 3]);
                            if triple {
                                self.at = i + 3;
                            }
                            self.state = State::Str {
                                quote: b,
                                triple,
                                start: i,
                            };
                        }
                        b'`' if s.backticks => {
                            self.state = State::Str {
                                quote: b,
                                triple: false,
                                start: i,
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        // A string still open at the end of the text runs to it.
        if let State::Str { start, .. } = self.state {
            self.state = State::Code;
            return Some(Piece::String(start..bytes.len()));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The comments of `line` in the file type of `path`, as text.
    fn comments<'t>(path: &str, line: &'t str) -> Vec<&'t str> {
        CommentSyntax::of_path(path)
            .in_line(line)
            .map(|r| &line[r])
            .collect()
    }

    #[test]
    fn markers_count_only_in_their_languages_and_outside_strings() {
        let cases: &[(&str, &str, &[&str])] = &[
            (
                "a.js",
                "app.use(cors({ origin: '*' })); // TODO: postMessage",
                &["// TODO: postMessage"],
            ),
            ("a.js", ";app.use(cors({ origin: '*' }))", &[]),
            ("a.js", "const u = 'http://x' /* c */ + y", &["/* c */"]),
            ("a.js", "this.#origin = '*'", &[]),
            ("a.js", "s.replace(/\\/\\//g, ''); cors({origin: '*'})", &[]),
            ("a.js", " * origin: '*'", &["* origin: '*'"]),
            ("a.py", "x = '#' # real", &["# real"]),
            ("a.py", "x = a // b", &[]),
            ("a.yaml", "url: http://x#frag # note", &["# note"]),
            ("conf/app.ini", "; origin = *", &["; origin = *"]),
            ("conf/app.ini", "key = a;b", &[]),
            (
                "web.config",
                "<!-- <add value=\"*\" /> --> <x/>",
                &["<!-- <add value=\"*\" /> -->"],
            ),
            ("Api/Mod.vb", "x = \"*\" ' note", &["' note"]),
            ("infra/main.tf", "a = \"*\" # b // c", &["# b // c"]),
            ("app.php", "#[Attribute] $x = 1; # c", &["# c"]),
            ("init.lua", "x = '--' -- c", &["-- c"]),
            ("notes.txt", "  # heading", &["# heading"]),
            ("notes.txt", "a # b", &[]),
            (
                ".githooks/pre-push",
                "deploy-guard check # gate",
                &["# gate"],
            ),
            ("deploy/nginx.conf.j2", "add_header X *; # c", &["# c"]),
            ("App.JS", "x // c", &["// c"]),
        ];
        for (path, line, want) in cases {
            assert_eq!(comments(path, line), *want, "{path}: {line}");
        }
    }

    #[test]
    fn a_file_carries_block_comments_and_multi_line_strings() {
        let syntax = CommentSyntax::of_path("a.ts");
        let text = "/* a\n * origin: '*'\n */\nconst s = `x\n// y`; // z\n  * 2\n";
        let got: Vec<&str> = Pieces::new(syntax, text, true)
            .comments()
            .map(|r| &text[r])
            .collect();
        assert_eq!(got, ["/* a\n * origin: '*'\n */", "// z"]);
        let strings: Vec<&str> = syntax.strings_in_file(text).map(|r| &text[r]).collect();
        assert_eq!(strings, ["`x\n// y`"]);
        let blanked = syntax.blanked(text, true);
        assert_eq!(blanked.lines().count(), text.lines().count());
        assert!(!blanked.contains("origin") && blanked.contains("const s"));
    }
}
