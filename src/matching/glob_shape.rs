//! Path globs of the cheap shapes, matched without globset, whose strategies and regex set
//! cost more to build than a check spends matching: a file name (`**/NAME`) or extension
//! (`**/*.EXT`) looked up by hash, a directory anywhere on the path (`**/NAME/**`) looked up
//! by hash, and any other pattern for the file name alone (`**/C`, [`Basename`]: literals,
//! `*`, `?`, `[...]` and flat `{a,b}` alternatives). The answers equal globset's (with
//! `literal_separator` and `backslash_escape`); a glob of any other shape or syntax (several
//! components, `**` between them) is left to globset, and every glob taken here is one
//! globset accepts.

use std::borrow::Cow;
use std::collections::HashMap;
use std::iter::Peekable;
use std::str::Chars;

/// How a normalised path glob is matched.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape {
    /// `**/NAME`: the path's last component is NAME.
    Name(Vec<u8>),
    /// `**/*.EXT` (EXT without `.`): the last component ends with `.EXT`; holds `.EXT`.
    Extension(Vec<u8>),
    /// `**/C` with any other component pattern C: the last component matches C.
    Basename(Basename),
    /// `**/NAME/**`: a component other than the last is NAME.
    Directory(Vec<u8>),
    /// Anything else, matched by globset.
    Other,
}

/// At most this many flat sequences once `{a,b}` alternatives are multiplied out; more stays in
/// globset rather than grow without bound.
const MAX_SEQUENCES: usize = 64;

/// Classifies a normalised glob (what `path_glob` hands to globset).
fn classify(normalised: &str) -> Shape {
    // Globset's file-name and extension strategies see no file name in a path ending in `..`,
    // where its regex would match a glob ending in `.`: such globs stay with globset.
    if normalised.ends_with('.') {
        return Shape::Other;
    }
    let parts: Vec<&str> = normalised.split('/').collect();
    let (component, directory) = match parts[..] {
        ["**", component] => (component, false),
        ["**", component, "**"] => (component, true),
        _ => return Shape::Other,
    };
    let Some(b) = Basename::parse(component) else {
        return Shape::Other;
    };
    match (b.plain_text(), directory) {
        (Some(name), true) => Shape::Directory(name),
        (None, true) => Shape::Other,
        (Some(name), false) => Shape::Name(name),
        (None, false) => match b.extension() {
            Some(ext) => Shape::Extension(ext),
            None => Shape::Basename(b),
        },
    }
}

/// Hand-matched globs, each under a caller's slot number: file names, extensions and directory
/// names looked up by hash, other file-name patterns tried one by one.
#[derive(Debug, Clone, Default)]
pub(crate) struct HandGlobs {
    /// Slots of `**/NAME` globs, by NAME.
    names: HashMap<Vec<u8>, Vec<usize>>,
    /// Slots of `**/*.EXT` globs, by `.EXT`.
    extensions: HashMap<Vec<u8>, Vec<usize>>,
    /// Slots of `**/NAME/**` globs, by NAME.
    directories: HashMap<Vec<u8>, Vec<usize>>,
    /// Other `**/C` globs.
    basenames: Vec<(Basename, usize)>,
}

impl HandGlobs {
    /// Takes a normalised glob under `slot` if its shape is matched here; `false` (and nothing
    /// taken) when it is left to globset.
    pub(crate) fn add(&mut self, normalised: &str, slot: usize) -> bool {
        match classify(normalised) {
            Shape::Name(name) => self.names.entry(name).or_default().push(slot),
            Shape::Extension(ext) => self.extensions.entry(ext).or_default().push(slot),
            Shape::Basename(b) => self.basenames.push((b, slot)),
            Shape::Directory(name) => self.directories.entry(name).or_default().push(slot),
            Shape::Other => return false,
        }
        true
    }

    /// The slot of every glob matching `path`, each once, in no particular order.
    pub(crate) fn matches<'s>(&'s self, path: &'s str) -> impl Iterator<Item = usize> + 's {
        let path = path.as_bytes();
        let name = last_component(path);
        // Globset's extension: the file name from its last `.`.
        let ext = name.iter().rposition(|&b| b == b'.').map(|i| &name[i..]);
        let looked_up = self
            .names
            .get(name)
            .into_iter()
            .chain(ext.and_then(|ext| self.extensions.get(ext)));
        looked_up
            .flatten()
            .copied()
            .chain(self.directory_slots(path, name))
            .chain(
                self.basenames
                    .iter()
                    .filter(move |(b, _)| b.is_match(name))
                    .map(|(_, slot)| *slot),
            )
    }

    /// The slots of `**/NAME/**` globs whose NAME is one of the directories of `path` (every
    /// component but the last, `name`), each once.
    fn directory_slots<'s>(
        &'s self,
        path: &'s [u8],
        name: &[u8],
    ) -> impl Iterator<Item = usize> + 's {
        let dirs = match path.len().checked_sub(name.len() + 1) {
            Some(end) if !self.directories.is_empty() => Some(&path[..end]),
            _ => None,
        };
        let components = |dirs: &'s [u8]| dirs.split(|&b| b == b'/');
        dirs.into_iter().flat_map(move |dirs| {
            components(dirs)
                .enumerate()
                .filter_map(move |(i, dir)| {
                    let slots = self.directories.get(dir)?;
                    let again = components(dirs).take(i).any(|earlier| earlier == dir);
                    (!again).then_some(slots)
                })
                .flatten()
                .copied()
        })
    }
}

/// Everything after the last `/` (the whole path when there is none).
fn last_component(path: &[u8]) -> &[u8] {
    match path.iter().rposition(|&b| b == b'/') {
        Some(i) => &path[i + 1..],
        None => path,
    }
}

/// One byte-level step of a component pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    /// This byte.
    Lit(u8),
    /// Any one byte (`?`; globset matches bytes, not characters).
    Any,
    /// Any run of bytes (`*`).
    Star,
    /// One byte in an ASCII set (`[...]`, bit `b` for byte `b`) that leaves out `/`.
    Class(u128),
}

impl Tok {
    /// The byte of a literal step.
    fn byte(&self) -> Option<u8> {
        match *self {
            Tok::Lit(b) => Some(b),
            _ => None,
        }
    }

    /// Whether this single-byte step accepts `b` (never called for `Star`).
    fn accepts(&self, b: u8) -> bool {
        match *self {
            Tok::Lit(l) => l == b,
            Tok::Any => true,
            Tok::Star => false,
            Tok::Class(set) => b < 128 && (set >> b) & 1 == 1,
        }
    }
}

/// A pattern for one path component (a file or directory name) with `{a,b}` alternatives
/// multiplied out into flat sequences; a name matches when any sequence does.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Basename {
    sequences: Vec<Sequence>,
    /// The bytes a non-empty matching name can start with.
    firsts: ByteSet,
    /// The bytes a non-empty matching name can end with.
    lasts: ByteSet,
}

/// A set of bytes, checked against every name before any sequence: a bit test turns away most
/// names for a few instructions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ByteSet([u64; 4]);

impl ByteSet {
    /// Every byte.
    const ALL: ByteSet = ByteSet([u64::MAX; 4]);

    /// The set of the given bytes, or of every byte when any sequence could put anything there
    /// (`None`).
    fn of(bytes: impl Iterator<Item = Option<u8>>) -> ByteSet {
        let mut set = ByteSet([0; 4]);
        for b in bytes {
            match b {
                Some(b) => set.0[usize::from(b >> 6)] |= 1 << (b & 63),
                None => return ByteSet::ALL,
            }
        }
        set
    }

    /// Whether `b` is in the set.
    fn contains(self, b: u8) -> bool {
        (self.0[usize::from(b >> 6)] >> (b & 63)) & 1 == 1
    }
}

/// One flat sequence, with what a matching name must start and end with, checked first
/// because nearly every name fails there (`*Test.java` against `index.ts`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Sequence {
    toks: Vec<Tok>,
    /// The literal bytes before the first wildcard.
    prefix: Vec<u8>,
    /// The literal bytes after the last wildcard.
    suffix: Vec<u8>,
    /// Bytes a match needs at least: one per step but `*`.
    min_len: usize,
}

impl Sequence {
    /// Works out the prefilter of a flat sequence.
    fn new(toks: Vec<Tok>) -> Sequence {
        let prefix = toks.iter().map_while(Tok::byte).collect();
        let mut suffix: Vec<u8> = toks.iter().rev().map_while(Tok::byte).collect();
        suffix.reverse();
        let min_len = toks.iter().filter(|t| **t != Tok::Star).count();
        Sequence {
            toks,
            prefix,
            suffix,
            min_len,
        }
    }

    /// Whether the whole of `name` matches.
    fn is_match(&self, name: &[u8]) -> bool {
        name.len() >= self.min_len
            && name.ends_with(&self.suffix)
            && name.starts_with(&self.prefix)
            && flat_match(&self.toks, name)
    }
}

impl Basename {
    /// Parses one `/`-free piece of a glob the way globset does, or `None` for anything
    /// outside the subset handled here: an empty piece, `**` (special to globset next to `/`,
    /// left out everywhere for plainness), nested or empty alternatives, negated, non-ASCII or
    /// `/`-matching classes.
    fn parse(component: &str) -> Option<Basename> {
        if component.is_empty() {
            return None;
        }
        let mut sequences: Vec<Vec<Tok>> = vec![Vec::with_capacity(component.len())];
        let mut chars = component.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '?' => push_all(&mut sequences, Tok::Any),
                '*' if chars.peek() == Some(&'*') => return None,
                '*' => push_all(&mut sequences, Tok::Star),
                '[' => push_all(&mut sequences, parse_class(&mut chars)?),
                '{' => {
                    let branches = parse_alternates(&mut chars)?;
                    if sequences.len() * branches.len() > MAX_SEQUENCES {
                        return None;
                    }
                    sequences = sequences
                        .iter()
                        .flat_map(|s| {
                            branches.iter().map(move |b| {
                                let mut joined = s.clone();
                                joined.extend_from_slice(b);
                                joined
                            })
                        })
                        .collect();
                }
                '}' => return None,
                '\\' => push_char(&mut sequences, chars.next()?),
                c => push_char(&mut sequences, c),
            }
        }
        let sequences: Vec<Sequence> = sequences.into_iter().map(Sequence::new).collect();
        Some(Basename {
            firsts: ByteSet::of(sequences.iter().map(|s| s.prefix.first().copied())),
            lasts: ByteSet::of(sequences.iter().map(|s| s.suffix.last().copied())),
            sequences,
        })
    }

    /// The text, when the pattern is plain text.
    fn plain_text(&self) -> Option<Vec<u8>> {
        match &self.sequences[..] {
            [one] => plain(&one.toks),
            _ => None,
        }
    }

    /// `.EXT`, when the pattern is `*.EXT` with a plain EXT without `.`.
    fn extension(&self) -> Option<Vec<u8>> {
        match &self.sequences[..] {
            [one] => match &one.toks[..] {
                [Tok::Star, dotted @ ..] => {
                    plain(dotted).filter(|e| e.first() == Some(&b'.') && !e[1..].contains(&b'.'))
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether a component (a file or directory name) matches. Inlined: most calls end at the
    /// first and last byte, cheaper than a call.
    #[inline]
    fn is_match(&self, name: &[u8]) -> bool {
        let plausible = match (name.first(), name.last()) {
            (Some(&first), Some(&last)) => self.firsts.contains(first) && self.lasts.contains(last),
            _ => true,
        };
        plausible && self.any_sequence_matches(name)
    }

    /// Whether any flat sequence matches `name`.
    fn any_sequence_matches(&self, name: &[u8]) -> bool {
        self.sequences.iter().any(|s| s.is_match(name))
    }
}

/// The bytes of literal steps, or `None` if any step is not a literal.
fn plain(toks: &[Tok]) -> Option<Vec<u8>> {
    toks.iter().map(Tok::byte).collect()
}

/// Appends `tok` to every sequence.
fn push_all(sequences: &mut [Vec<Tok>], tok: Tok) {
    for s in sequences {
        s.push(tok);
    }
}

/// Appends a literal character, as its UTF-8 bytes, to every sequence.
fn push_char(sequences: &mut [Vec<Tok>], c: char) {
    for b in c.encode_utf8(&mut [0; 4]).bytes() {
        push_all(sequences, Tok::Lit(b));
    }
}

/// Parses `{a,b,…}` after its `{`: flat branches, none empty (globset drops empty branches,
/// a case left to it), no nesting.
fn parse_alternates(chars: &mut Peekable<Chars<'_>>) -> Option<Vec<Vec<Tok>>> {
    let mut branches = vec![Vec::new()];
    loop {
        let c = chars.next()?;
        let branch = branches.last_mut()?;
        match c {
            '}' => break,
            ',' => branches.push(Vec::new()),
            '{' => return None,
            '?' => branch.push(Tok::Any),
            '*' if chars.peek() == Some(&'*') => return None,
            '*' => branch.push(Tok::Star),
            '[' => branch.push(parse_class(chars)?),
            '\\' => push_char(std::slice::from_mut(branch), chars.next()?),
            c => push_char(std::slice::from_mut(branch), c),
        }
    }
    match branches.iter().any(Vec::is_empty) {
        true => None,
        false => Some(branches),
    }
}

/// Parses a class after its `[` exactly as globset does (a leading `]` or `-` is literal,
/// `a-z` ranges, a trailing `-` is literal, no escapes inside); `None` for a malformed class, a
/// non-ASCII member, or one that could match `/`. That rules out negated classes (`[!a]`,
/// `[^a]`): globset lets them match the `/` before the last component, so `**/*[!a]*b`
/// matches `x/ab`, which a file-name matcher would miss.
fn parse_class(chars: &mut Peekable<Chars<'_>>) -> Option<Tok> {
    if chars.next_if(|&c| c == '!' || c == '^').is_some() {
        return None;
    }
    let mut ranges: Vec<(char, char)> = Vec::new();
    let mut first = true;
    let mut in_range = false;
    loop {
        let c = chars.next()?;
        match c {
            ']' if first => ranges.push((']', ']')),
            ']' => break,
            '-' if first => ranges.push(('-', '-')),
            c if in_range => {
                let last = ranges.last_mut()?;
                last.1 = c;
                if last.1 < last.0 {
                    return None;
                }
                in_range = false;
            }
            '-' => in_range = true,
            c => ranges.push((c, c)),
        }
        first = false;
    }
    if in_range {
        ranges.push(('-', '-'));
    }
    let mut set = 0u128;
    for (lo, hi) in ranges {
        if !lo.is_ascii() || !hi.is_ascii() {
            return None;
        }
        for b in lo as u8..=hi as u8 {
            set |= 1 << b;
        }
    }
    match (set >> b'/') & 1 {
        0 => Some(Tok::Class(set)),
        _ => None,
    }
}

/// Matches a flat sequence against a whole name: single-byte steps, and `*` backtracking to
/// the latest star only (enough when every other step takes exactly one byte). When a literal
/// follows that star, the retry skips straight to that literal's next occurrence.
fn flat_match(toks: &[Tok], name: &[u8]) -> bool {
    let (mut t, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match toks.get(t) {
            Some(Tok::Star) => {
                star = Some((t, n));
                t += 1;
            }
            Some(tok) if tok.accepts(name[n]) => {
                t += 1;
                n += 1;
            }
            _ => match star {
                Some((st, sn)) => {
                    let mut retry = sn + 1;
                    if let Some(&Tok::Lit(next)) = toks.get(st + 1) {
                        let skipped = name.get(retry..).unwrap_or_default();
                        retry += skipped
                            .iter()
                            .position(|&b| b == next)
                            .unwrap_or(skipped.len());
                    }
                    t = st + 1;
                    n = retry;
                    star = Some((st, retry));
                }
                None => return false,
            },
        }
    }
    toks[t..].iter().all(|tok| *tok == Tok::Star)
}

/// A path glob as globset reads it: a glob without `/` gets a leading `**/`, and a leading `/`
/// (anchored at the repository root) is dropped.
pub(crate) fn normalise_glob(glob: &str) -> Cow<'_, str> {
    match glob.strip_prefix('/') {
        Some(anchored) => Cow::Borrowed(anchored),
        None if !glob.contains('/') => Cow::Owned(format!("**/{glob}")),
        None => Cow::Borrowed(glob),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape a glob as written takes.
    fn shape(glob: &str) -> Shape {
        classify(&normalise_glob(glob))
    }

    #[test]
    fn the_shapes_are_the_ones_meant() {
        assert_eq!(shape("Dockerfile"), Shape::Name(b"Dockerfile".to_vec()));
        assert_eq!(shape("**/{.env}"), Shape::Name(b".env".to_vec()));
        assert_eq!(shape("*.yml"), Shape::Extension(b".yml".to_vec()));
        assert_eq!(shape("**/*.\\yml"), Shape::Extension(b".yml".to_vec()));
        assert_eq!(shape("*.{yml}x"), Shape::Extension(b".ymlx".to_vec()));
        assert_eq!(shape("**/tests/**"), Shape::Directory(b"tests".to_vec()));
        for basename in [
            "*.test.*",
            "*[-._]prod.{yaml,yml}",
            "*.tar.gz",
            "*.{yml,yaml}",
        ] {
            assert!(matches!(shape(basename), Shape::Basename(_)), "{basename}");
        }
        for kept in [
            "/tsconfig*.json",
            "/.gitlab-ci.yml",
            "src/*.js",
            ".github/**",
            "**/prod/**/*.yml",
            "/**",
            "a/**/b/**/c",
            "**/a*/**",
            "**/a/**/b/**",
            "[!a]*",
            "[^a]*",
            "[+-0]x",
            "[é]x",
            "{a,}x*",
            "{}x",
            "{a,{b,c}}*",
            "**/a**/b",
            "a/**b",
            "{**,a}",
            "**",
            "**/**/a",
            "a/**/**",
            "**/a/**/b/**/c/**",
            "a//b",
            "//a",
            "a/",
            "a/[/]b",
            "a/{b/c}",
            "a/b\\/c",
            "a\\",
            "[a",
            "{a",
            "a}",
            "[z-a]",
            "*.",
            "a/..",
        ] {
            assert_eq!(shape(kept), Shape::Other, "{kept}");
        }
    }
}
