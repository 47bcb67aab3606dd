//! Where comments are, per the comment syntax of a file's type: a match inside a comment is not
//! deployed, so it never fires. Markers count only outside string literals (`"http://x"` holds
//! no comment, nor does `'#'`), and only the markers of the file's language count: `#` starts a
//! comment in YAML or Python but not in JavaScript, a leading `;` ends a statement in JavaScript
//! but starts a comment in an INI file.
//!
//! One line is read on its own (strings end with it); a whole file is read with block comments
//! and multi-line strings carried across lines.

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
    pub(crate) fn in_line(self, text: &str) -> Comments<'_> {
        Comments::new(self, text, false)
    }

    /// The comments of a whole file: block comments and multi-line strings are carried across
    /// lines.
    pub(crate) fn in_file(self, text: &str) -> Comments<'_> {
        Comments::new(self, text, true)
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
    /// A string closed by this quote, repeated three times for Python's triple quotes.
    Str {
        quote: u8,
        triple: bool,
    },
}

/// The byte ranges of the comments in a text, in order (see [`CommentSyntax::in_line`] and
/// [`CommentSyntax::in_file`]).
pub(crate) struct Comments<'t> {
    syntax: CommentSyntax,
    bytes: &'t [u8],
    at: usize,
    state: State,
    whole_file: bool,
}

impl<'t> Comments<'t> {
    fn new(syntax: CommentSyntax, text: &'t str, whole_file: bool) -> Self {
        Comments {
            syntax,
            bytes: text.as_bytes(),
            at: 0,
            state: State::Code,
            whole_file,
        }
    }

    /// Whether byte `i` is the first non-blank byte of its line.
    fn line_start(&self, i: usize) -> bool {
        self.bytes[..i]
            .iter()
            .rev()
            .take_while(|&&b| b != b'\n')
            .all(|b| b.is_ascii_whitespace())
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

    /// A comment starting at byte `i` in code: its range.
    fn comment_at(&self, i: usize) -> Option<Range<usize>> {
        let s = self.syntax;
        let rest = &self.bytes[i..];
        let starts = |p: &[u8]| rest.starts_with(p);
        if s.leading_only {
            let leading = ["#", "//", "/*", "<!--", "-- "];
            return (self.line_start(i) && leading.iter().any(|m| starts(m.as_bytes())))
                .then(|| i..self.line_end(i));
        }
        let line = || Some(i..self.line_end(i));
        let prev = i.checked_sub(1).map(|p| self.bytes[p]);
        let word_start = prev.is_none_or(|b| b.is_ascii_whitespace());
        match rest[0] {
            b'#' if s.hash && word_start && !(s.slashes && starts(b"#[")) => line(),
            b'/' if s.slashes && starts(b"//") => line(),
            b'/' if s.block && starts(b"/*") => Some(i..self.block_end(i, 2, b"*/")),
            b'-' if s.dashes && starts(b"--") => line(),
            b';' if s.semicolon && self.line_start(i) => line(),
            b'<' if s.markup && starts(b"<!--") => Some(i..self.block_end(i, 4, b"-->")),
            b'\'' if s.apostrophe => line(),
            b'R' | b'r' if s.apostrophe && self.line_start(i) && rest.len() >= 3 => {
                rest[..3].eq_ignore_ascii_case(b"rem").then(line).flatten()
            }
            b'*' if s.block
                && !self.whole_file
                && self.line_start(i)
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

impl Iterator for Comments<'_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        let bytes = self.bytes;
        while self.at < bytes.len() {
            let i = self.at;
            let b = bytes[i];
            match self.state {
                State::Str { quote, triple } => {
                    self.at += 1;
                    match b {
                        b'\\' => self.at += 1,
                        b'\n' if !(triple || quote == b'`') => self.state = State::Code,
                        _ if b == quote && !triple => self.state = State::Code,
                        _ if b == quote && bytes[i..].starts_with(&[quote; 3]) => {
                            self.at = i + 3;
                            self.state = State::Code;
                        }
                        _ => {}
                    }
                }
                State::Code => {
                    if let Some(comment) = self.comment_at(i) {
                        self.at = comment.end.max(i + 1);
                        return Some(comment);
                    }
                    self.at += 1;
                    let s = self.syntax;
                    match b {
                        b'\\' => self.at += 1,
                        b'"' | b'\'' if !s.leading_only => {
                            let triple = s.triple_quotes && bytes[i..].starts_with(&[b; 3]);
                            if triple {
                                self.at = i + 3;
                            }
                            self.state = State::Str { quote: b, triple };
                        }
                        b'`' if s.backticks => {
                            self.state = State::Str {
                                quote: b,
                                triple: false,
                            }
                        }
                        _ => {}
                    }
                }
            }
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
        let got: Vec<&str> = syntax.in_file(text).map(|r| &text[r]).collect();
        assert_eq!(got, ["/* a\n * origin: '*'\n */", "// z"]);
    }
}
