//! Needles: literal strings of which every match of a line pattern contains at least one,
//! compared ASCII case-insensitively. The engine looks for every rule's needles in one
//! Aho-Corasick pass per changed line and runs (and compiles) a rule's regex only on lines that
//! hold one of its needles: most rules never meet such a line in a given change.
//!
//! The built-in patterns' needles are worked out when the binary is built (deploy-guard's
//! `build.rs` uses this module), so a check pays nothing to parse them.

use regex_syntax::hir::{Class, Hir, HirKind};

/// A pattern's needles, lower-cased.
pub type Needles = Vec<Vec<u8>>;

/// Beyond this many needles the filter would let most lines through anyway.
const MAX_NEEDLES: usize = 64;

/// Characters that Unicode case-insensitive matching folds into ASCII letters (KELVIN SIGN
/// with `k`, LATIN SMALL LETTER LONG S with `s`). Needles compare ASCII case-insensitively, so a
/// line holding one of these must skip the filter.
pub const FOLDS_TO_ASCII: [char; 2] = ['\u{212A}', '\u{17F}'];

/// The needles of `pattern` (read with ASCII or Unicode classes, as it will be compiled),
/// lower-cased; `None` when the pattern has no usable literal (or does not parse: compiling it
/// reports that), so its rule must run on every line.
pub fn of_pattern(pattern: &str, ascii: bool) -> Option<Needles> {
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(!ascii)
        .utf8(!ascii)
        .build()
        .parse(pattern)
        .ok()?;
    required(&hir).filter(|needles| !needles.iter().any(Vec::is_empty))
}

/// The one string (lower-cased) that `hir` matches, when it matches exactly one up to ASCII
/// case; zero-width assertions match the empty string.
fn exact(hir: &Hir) -> Option<Vec<u8>> {
    match hir.kind() {
        HirKind::Literal(literal) => Some(literal.0.to_ascii_lowercase()),
        HirKind::Empty | HirKind::Look(_) => Some(Vec::new()),
        HirKind::Class(class) => single_letter(class),
        HirKind::Capture(capture) => exact(&capture.sub),
        HirKind::Concat(parts) => parts.iter().try_fold(Vec::new(), |mut joined, part| {
            joined.extend(exact(part)?);
            Some(joined)
        }),
        _ => None,
    }
}

/// The class as one lower-cased character: a single character, or an ASCII letter in both
/// cases (plus the non-ASCII characters that fold into it).
fn single_letter(class: &Class) -> Option<Vec<u8>> {
    let mut members: Vec<char> = Vec::new();
    match class {
        Class::Unicode(ranges) => {
            for range in ranges.iter() {
                for c in range.start()..=range.end() {
                    if members.len() == 4 {
                        return None;
                    }
                    members.push(c);
                }
            }
        }
        Class::Bytes(ranges) => {
            for range in ranges.iter() {
                for b in range.start()..=range.end() {
                    if members.len() == 2 || !b.is_ascii() {
                        return None;
                    }
                    members.push(char::from(b));
                }
            }
        }
    }
    let (ascii, other): (Vec<char>, Vec<char>) = members.iter().partition(|c| c.is_ascii());
    match (ascii.as_slice(), other.as_slice()) {
        ([], [c]) => Some(c.to_string().into_bytes()),
        ([c], []) => Some(vec![c.to_ascii_lowercase() as u8]),
        ([a, b], folds)
            if a.is_ascii_alphabetic()
                && a.eq_ignore_ascii_case(b)
                && folds.iter().all(|f| FOLDS_TO_ASCII.contains(f)) =>
        {
            Some(vec![a.to_ascii_lowercase() as u8])
        }
        _ => None,
    }
}

/// Needles every match of `hir` contains at least one of, or `None` if there are none.
fn required(hir: &Hir) -> Option<Needles> {
    if let Some(text) = exact(hir) {
        return (!text.is_empty()).then(|| vec![text]);
    }
    match hir.kind() {
        HirKind::Repetition(repetition) if repetition.min > 0 => required(&repetition.sub),
        HirKind::Capture(capture) => required(&capture.sub),
        HirKind::Concat(parts) => {
            // Adjacent exact parts form one longer literal; any one part's needles will do,
            // so keep the most selective candidate.
            let mut best = None;
            let mut run: Vec<u8> = Vec::new();
            for part in parts {
                if let Some(text) = exact(part) {
                    run.extend(text);
                    continue;
                }
                if !run.is_empty() {
                    best = better(best, Some(vec![std::mem::take(&mut run)]));
                }
                best = better(best, required(part));
            }
            if !run.is_empty() {
                best = better(best, Some(vec![run]));
            }
            best
        }
        HirKind::Alternation(branches) => {
            let mut all = Vec::new();
            for branch in branches {
                all.extend(required(branch)?);
            }
            all.sort();
            all.dedup();
            // A line holding a longer needle holds any needle inside it.
            let inner = |outer: &Vec<u8>, n: &Vec<u8>| {
                n.len() < outer.len() && outer.windows(n.len()).any(|w| w == n.as_slice())
            };
            let kept: Vec<Vec<u8>> = all
                .iter()
                .filter(|outer| !all.iter().any(|n| inner(outer, n)))
                .cloned()
                .collect();
            (kept.len() <= MAX_NEEDLES).then_some(kept)
        }
        _ => None,
    }
}

/// The more selective of two candidates: the longer shortest needle, then fewer needles.
fn better(a: Option<Needles>, b: Option<Needles>) -> Option<Needles> {
    let score = |n: &Option<Needles>| match n {
        None => (0, usize::MAX),
        Some(needles) => (
            needles.iter().map(Vec::len).min().unwrap_or(0),
            needles.len(),
        ),
    };
    let (sa, sb) = (score(&a), score(&b));
    if sb.0 > sa.0 || (sb.0 == sa.0 && sb.1 < sa.1) {
        b
    } else {
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn needles(pattern: &str) -> Option<Vec<String>> {
        of_pattern(pattern, false).map(|list| {
            list.into_iter()
                .map(|n| String::from_utf8(n).unwrap())
                .collect()
        })
    }

    #[test]
    fn literals_runs_and_alternations_become_needles() {
        assert_eq!(needles(r"(?i)^\s*Origin\s*:"), Some(vec!["origin".into()]));
        assert_eq!(
            needles(r"(?i)(?:\bcors|allowed_?origins)\s*=\s*\*"),
            Some(vec!["allowed".into(), "cors".into()])
        );
        assert_eq!(
            needles(r"image:\s*\S+:latest"),
            Some(vec![":latest".into()])
        );
        assert_eq!(needles(r"a\bb"), Some(vec!["ab".into()]));
    }

    #[test]
    fn optional_or_open_patterns_have_no_needles() {
        assert_eq!(needles(r"(?:origin)?\s*\w+"), None);
        assert_eq!(needles(r"origin|\w+"), None);
        assert_eq!(needles(r"^"), None);
        assert_eq!(needles(r"(unclosed"), None);
    }

    /// The filter compares ASCII case-insensitively; `FOLDS_TO_ASCII` must name every other
    /// character Unicode case-insensitive matching equates with an ASCII letter.
    #[test]
    fn every_non_ascii_fold_of_an_ascii_letter_is_listed() {
        for letter in ('a'..='z').chain('A'..='Z') {
            let hir = regex_syntax::Parser::new()
                .parse(&format!("(?i){letter}"))
                .unwrap();
            let HirKind::Class(Class::Unicode(class)) = hir.kind() else {
                panic!("(?i){letter} is not a class");
            };
            for range in class.iter() {
                for c in range.start()..=range.end() {
                    assert!(
                        c.is_ascii() || FOLDS_TO_ASCII.contains(&c),
                        "{c:?} folds to {letter}"
                    );
                }
            }
        }
    }

    /// A small regex over a tiny alphabet: literals, case-insensitive groups, classes, optional and
    /// repeated parts, alternations and anchors, so every shape the needle extractor handles occurs.
    fn small_regex() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            "[abKé]{1,3}",
            Just("[ab]".to_string()),
            Just("\\w".to_string()),
            Just("\\s*".to_string()),
            Just("\\b".to_string()),
            Just("^".to_string()),
            Just(".".to_string()),
            Just("\\*".to_string()),
        ];
        leaf.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 1..4).prop_map(|parts| parts.concat()),
                proptest::collection::vec(inner.clone(), 2..4)
                    .prop_map(|parts| format!("(?:{})", parts.join("|"))),
                inner.clone().prop_map(|p| format!("(?i:{p})")),
                inner.clone().prop_map(|p| format!("(?:{p})?")),
                inner.clone().prop_map(|p| format!("(?:{p})+")),
                inner.prop_map(|p| format!("(?P<g>{p})")),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// The prefilter may let lines through that the regex rejects, never the other way round:
        /// a line the regex matches holds one of its needles (compared ASCII case-insensitively),
        /// unless it holds a character the filter defers on.
        #[test]
        fn needles_never_hide_a_match(
            pattern in small_regex(),
            line in "[abABkK\u{212A}é *x]{0,12}",
            ascii in any::<bool>(),
        ) {
            let built = regex::bytes::RegexBuilder::new(&pattern).unicode(!ascii).build();
            let Ok(regex) = built else { return Ok(()) };
            let defers = line.contains(FOLDS_TO_ASCII);
            if let (true, false, Some(needles)) = (
                regex.is_match(line.as_bytes()),
                defers,
                of_pattern(&pattern, ascii),
            ) {
                let haystack = line.to_ascii_lowercase();
                prop_assert!(
                    needles.iter().any(|n| haystack.contains(std::str::from_utf8(n).unwrap())),
                    "{pattern:?} matches {line:?} but none of {needles:?} occurs in it"
                );
            }
        }
    }
}
