//! Two common shapes of normalised path glob matched without globset, whose regex set is the
//! costly part of building the rule set's path filters: `**/C` with a wildcard file-name
//! component C, and `**/NAME/**` with a literal directory name. The answers equal globset's
//! (with `literal_separator` and `backslash_escape`); any glob whose shape or syntax is not
//! plainly one of these is left to globset.

use std::iter::Peekable;
use std::str::Chars;

/// How a normalised path glob is matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `**/C`: the path's last component matches `C`.
    Basename(Basename),
    /// `**/NAME/**`: the path starts with `NAME/` or contains `/NAME/`; holds `/NAME/`.
    DirAnywhere(String),
    /// Anything else, matched by globset.
    Other,
}

/// At most this many flat sequences once `{a,b}` alternatives are multiplied out; more stays in
/// globset rather than grow without bound.
const MAX_SEQUENCES: usize = 64;

/// Classifies a normalised glob (what `path_glob` hands to globset).
pub(crate) fn classify(normalised: &str) -> Shape {
    let Some(rest) = normalised.strip_prefix("**/") else {
        return Shape::Other;
    };
    if let Some(name) = rest.strip_suffix("/**") {
        let literal = !name.is_empty()
            && !name
                .chars()
                .any(|c| matches!(c, '/' | '*' | '?' | '[' | ']' | '{' | '}' | ',' | '\\'));
        return match literal {
            true => Shape::DirAnywhere(format!("/{name}/")),
            false => Shape::Other,
        };
    }
    match Basename::parse(rest) {
        Some(b) if !b.is_literal() && !b.is_extension() => Shape::Basename(b),
        _ => Shape::Other,
    }
}

/// Whether `path` matches a `**/NAME/**` glob, given `/NAME/`.
pub(crate) fn dir_anywhere_matches(slashed: &str, path: &str) -> bool {
    path.contains(slashed) || path.starts_with(&slashed[1..])
}

/// The part of `path` a `**/C` glob looks at: everything after the last `/`.
pub(crate) fn last_component(path: &str) -> &[u8] {
    let bytes = path.as_bytes();
    match bytes.iter().rposition(|&b| b == b'/') {
        Some(i) => &bytes[i + 1..],
        None => bytes,
    }
}

/// One byte-level step of a file-name pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// A file-name glob with `{a,b}` alternatives multiplied out into flat sequences; a name
/// matches when any sequence does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Basename {
    sequences: Vec<Sequence>,
    /// The bytes a non-empty matching name can start with.
    firsts: ByteSet,
    /// The bytes a non-empty matching name can end with.
    lasts: ByteSet,
}

/// A set of bytes, checked for every path against every file-name glob before any sequence:
/// a bit test turns away most names for a few instructions.
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
        let lit = |t: &Tok| match *t {
            Tok::Lit(b) => Some(b),
            _ => None,
        };
        let prefix = toks.iter().map_while(lit).collect();
        let mut suffix: Vec<u8> = toks.iter().rev().map_while(lit).collect();
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
    /// Parses a component the way globset does, or `None` for anything outside the subset
    /// handled here: `/`, `**`, nested or empty alternatives, negated, non-ASCII or
    /// `/`-matching classes.
    fn parse(component: &str) -> Option<Basename> {
        if component.is_empty() || component.contains('/') || component.contains("**") {
            return None;
        }
        let mut sequences: Vec<Vec<Tok>> = vec![Vec::new()];
        let mut chars = component.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '?' => push_all(&mut sequences, &[Tok::Any]),
                '*' => push_all(&mut sequences, &[Tok::Star]),
                '[' => push_all(&mut sequences, &[parse_class(&mut chars)?]),
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
                                joined.extend(b.iter().cloned());
                                joined
                            })
                        })
                        .collect();
                }
                '}' => return None,
                '\\' => push_all(&mut sequences, &literal(chars.next()?)),
                c => push_all(&mut sequences, &literal(c)),
            }
        }
        let sequences: Vec<Sequence> = sequences.into_iter().map(Sequence::new).collect();
        Some(Basename {
            firsts: ByteSet::of(sequences.iter().map(|s| s.prefix.first().copied())),
            lasts: ByteSet::of(sequences.iter().map(|s| s.suffix.last().copied())),
            sequences,
        })
    }

    /// Whether the glob is plain text: globset matches those by hashing.
    fn is_literal(&self) -> bool {
        matches!(&self.sequences[..], [one] if one.toks.iter().all(|t| matches!(t, Tok::Lit(_))))
    }

    /// Whether the glob is `*.ext` (no further `.`): globset matches those by hashing too.
    fn is_extension(&self) -> bool {
        match &self.sequences[..] {
            [one] => match &one.toks[..] {
                [Tok::Star, Tok::Lit(b'.'), ext @ ..] => {
                    ext.iter().all(|t| matches!(t, Tok::Lit(b) if *b != b'.'))
                }
                _ => false,
            },
            _ => false,
        }
    }

    /// Whether a file name (a path's last component) matches.
    pub(crate) fn is_match(&self, name: &[u8]) -> bool {
        let plausible = match (name.first(), name.last()) {
            (Some(&first), Some(&last)) => self.firsts.contains(first) && self.lasts.contains(last),
            _ => true,
        };
        plausible && self.sequences.iter().any(|s| s.is_match(name))
    }
}

/// Appends `toks` to every sequence.
fn push_all(sequences: &mut [Vec<Tok>], toks: &[Tok]) {
    for s in sequences {
        s.extend(toks.iter().cloned());
    }
}

/// A literal character as its UTF-8 bytes.
fn literal(c: char) -> Vec<Tok> {
    c.encode_utf8(&mut [0; 4]).bytes().map(Tok::Lit).collect()
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
            '*' => branch.push(Tok::Star),
            '[' => branch.push(parse_class(chars)?),
            '\\' => branch.extend(literal(chars.next()?)),
            c => branch.extend(literal(c)),
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
/// the latest star only (enough when every other step takes exactly one byte).
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
                    t = st + 1;
                    n = sn + 1;
                    star = Some((st, sn + 1));
                }
                None => return false,
            },
        }
    }
    toks[t..].iter().all(|tok| *tok == Tok::Star)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{builtin, path_glob};
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    /// What the fast paths say about `path` for `glob`, or `None` when globset keeps it.
    fn fast_answer(glob: &str, path: &str) -> Option<bool> {
        match classify(path_glob(glob).ok()?.glob()) {
            Shape::Basename(b) => Some(b.is_match(last_component(path))),
            Shape::DirAnywhere(d) => Some(dir_anywhere_matches(&d, path)),
            Shape::Other => None,
        }
    }

    /// Every distinct glob in the built-in packs' `paths` and `exclude`.
    fn builtin_globs() -> BTreeSet<String> {
        builtin()
            .unwrap()
            .iter()
            .flat_map(|d| d.spec.paths.iter().chain(&d.spec.exclude))
            .map(|g| g.get_ref().clone())
            .collect()
    }

    /// Realistic and awkward repository paths: directories the packs name, dotfiles, test
    /// files, minified and escaped names, non-ASCII, bare directory names, stray dots.
    fn sample_paths() -> Vec<String> {
        let dirs = [
            "",
            "src/",
            "a/b/c/",
            "test/",
            "tests/",
            "src/test/java/",
            "prod/",
            "config/prod/",
            "deploy/production/eu/",
            "prd/",
            "node_modules/left-pad/",
            "web/node_modules/",
            "__tests__/",
            "__mocks__/",
            ".github/",
            ".github/workflows/",
            "vendor/",
            "spec/",
            "templates/",
            "charts/app/templates/",
            "e2e/",
            "fixtures/",
            "testdata/",
            "cdk.out/",
            "settings/",
            "config/environments/",
            "sites-enabled/",
            "Test/",
            "PROD/",
            "dé/",
            "my test/",
            ".hidden./",
            "x.test.js/",
        ];
        let names = [
            "app.js",
            "app.min.js",
            "app.test.ts",
            "app.spec.js",
            "a.local.json",
            "FooTest.java",
            "FooTests.cs",
            "FooTest.kt",
            "tsconfig.json",
            "tsconfig.build.json",
            "tsconfig",
            "config-prod.yaml",
            "app_prod.yml",
            "app.prod.json",
            "app.prod.yaml.bak",
            "prod-eu.yaml",
            "prod.yaml",
            "production_1.yml",
            "production-.json",
            "values-prod-eu.yml",
            "prod",
            "test",
            "tests",
            "node_modules",
            ".env",
            ".env.local",
            ".env.prod.local",
            ".env.x",
            "Dockerfile",
            "Dockerfile.dev",
            "docker-compose.override.yml",
            "compose.dev.yaml",
            "compose.yaml",
            "application-dev.yml",
            "application-local.properties",
            "test_x.py",
            "x_test.go",
            "x_test.",
            "x_spec.rb",
            "jest.config.js",
            "webpack.config.js",
            "bs-config.json",
            "README",
            "café-prod.yaml",
            "\\x41bc.test.js",
            "\\303\\251-prod.yml",
            "UPPER.TEST.JS",
            "APP-PROD.YAML",
            "x.",
            ".",
            "..",
            ".hidden.",
            "a,b.yml",
            "[x].test.js",
            "{a}.test.js",
            "é.test.js",
            "日本.test.ts",
            "file\nname.test.js",
            "",
        ];
        dirs.iter()
            .flat_map(|d| names.iter().map(move |n| format!("{d}{n}")))
            .chain(dirs.iter().map(|d| d.trim_end_matches('/').to_string()))
            .collect()
    }

    #[test]
    fn fast_paths_agree_with_globset_on_the_builtin_globs() {
        let paths = sample_paths();
        assert!(paths.len() > 300, "only {} paths", paths.len());
        let (mut fast, mut kept) = (0, 0);
        for glob in builtin_globs() {
            let matcher = path_glob(&glob).unwrap().compile_matcher();
            let mut taken = false;
            for path in &paths {
                if let Some(answer) = fast_answer(&glob, path) {
                    taken = true;
                    assert_eq!(answer, matcher.is_match(path), "{glob:?} on {path:?}");
                }
            }
            match taken {
                true => fast += 1,
                false => kept += 1,
            }
        }
        assert!(
            fast >= 30 && kept > 0,
            "{fast} globs on fast paths, {kept} in globset"
        );
    }

    #[test]
    fn the_shapes_are_the_ones_meant() {
        let shape = |g: &str| classify(path_glob(g).unwrap().glob());
        assert!(matches!(shape("*.test.*"), Shape::Basename(_)));
        assert!(matches!(shape("*[-._]prod.{yaml,yml}"), Shape::Basename(_)));
        assert!(matches!(shape("**/tests/**"), Shape::DirAnywhere(d) if d == "/tests/"));
        for kept in [
            "*.yaml",
            ".env",
            "/tsconfig*.json",
            "src/*.js",
            "**/prod/**/*.yml",
            "[!a]*",
            "[+-0]x",
            "{a,}x*",
            "{a,{b,c}}*",
            "**/a*/**",
        ] {
            assert_eq!(shape(kept), Shape::Other, "{kept}");
        }
    }

    /// A piece of a file-name glob from a small grammar: literals (escaped ones too), `?`, `*`,
    /// classes with ranges and awkward members, and flat alternatives.
    fn piece() -> impl Strategy<Value = String> {
        let atom = prop_oneof![
            4 => prop::sample::select(vec!["a", "b", ".", "-", "_", "A", "é", ",", "x"])
                .prop_map(str::to_string),
            1 => prop::sample::select(vec!["\\*", "\\?", "\\[", "\\{", "\\,", "\\\\", "\\a"])
                .prop_map(str::to_string),
            2 => Just("?".to_string()),
            3 => Just("*".to_string()),
            2 => prop::sample::select(vec![
                "[ab]", "[a-c]", "[-._]", "[]a]", "[a-]", "[!a]", "[^.]", "[+-0]", "[a-b-c]",
                "[.]", "[é]", "[A-Za-z]", "[*?]",
            ])
            .prop_map(str::to_string),
        ];
        let branch = prop::collection::vec(atom.clone(), 0..3).prop_map(|v| v.concat());
        prop_oneof![
            6 => atom,
            1 => prop::collection::vec(branch, 1..4).prop_map(|b| format!("{{{}}}", b.join(","))),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn basename_matcher_agrees_with_globset(
            pieces in prop::collection::vec(piece(), 1..6),
            names in prop::collection::vec(
                prop::collection::vec(
                    prop::sample::select(vec!['a', 'b', '.', '-', '_', 'A', 'é', ',', 'x', '/', '*', '\n']),
                    0..8,
                ).prop_map(|cs| cs.into_iter().collect::<String>()),
                1..12,
            ),
        ) {
            let glob = format!("**/{}", pieces.concat());
            let Ok(built) = path_glob(&glob) else { return Ok(()) };
            let matcher = built.compile_matcher();
            for name in &names {
                if let Some(answer) = fast_answer(&glob, name) {
                    prop_assert_eq!(answer, matcher.is_match(name), "{:?} on {:?}", glob, name);
                }
            }
        }
    }
}
