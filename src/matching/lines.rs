//! Line patterns behind a literal prefilter: one Aho-Corasick pass over a changed line finds
//! the patterns whose [needles](deploy_guard_patterns::needles) it holds, and only those
//! patterns run on it. A pattern is compiled the first time a line gets that far, so a small
//! change pays only for the rules its lines could match.

use super::owners::group_by_key;
use super::pattern::{LazyRegex, Syntax};
use super::stored;
use aho_corasick::{AhoCorasick, AhoCorasickKind};
use deploy_guard_patterns::needles::{self, FOLDS_TO_ASCII, Needles};

/// How much text the prefilter is built to scan: a lazily built automaton starts faster, a
/// full DFA scans faster (about 2 ns a byte against 5) but takes longer to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Scan {
    /// A few thousand lines at most.
    Few,
    /// More.
    Many,
}

impl Scan {
    /// Where the DFA's faster scanning repays building it.
    const DFA_FROM_LINES: usize = 2_000;

    /// The right build for scanning `lines` changed lines.
    pub(crate) fn for_lines(lines: usize) -> Scan {
        if lines < Scan::DFA_FROM_LINES {
            Scan::Few
        } else {
            Scan::Many
        }
    }
}

/// The patterns of some owners (rules), indexed by owner: which of them a line can possibly
/// match, and which do.
#[derive(Debug)]
pub(crate) struct LineFilter {
    /// Every needle of the rules that have some.
    finder: Option<AhoCorasick>,
    /// Per needle, the rules it belongs to.
    owners: Vec<Vec<usize>>,
    /// Rules without needles: they run on every line.
    always: Vec<usize>,
    /// Every rule here, for lines the needles cannot speak for (see [`FOLDS_TO_ASCII`]).
    all: Vec<usize>,
}

impl LineFilter {
    /// The filter for `(owner, needles)` pairs, built for `scan`; the error says why the
    /// prefilter could not be built.
    pub(crate) fn new<'r>(
        rules: impl Iterator<Item = (usize, &'r Option<Needles>)>,
        scan: Scan,
    ) -> Result<LineFilter, String> {
        let rules: Vec<(usize, &Option<Needles>)> = rules.collect();
        let all: Vec<usize> = rules.iter().map(|&(rule, _)| rule).collect();
        let always: Vec<usize> = rules
            .iter()
            .filter(|(_, needles)| needles.is_none())
            .map(|&(rule, _)| rule)
            .collect();
        let (needles, owners) = group_by_key(rules.iter().flat_map(|&(rule, needles)| {
            needles.iter().flatten().map(move |n| (rule, n.as_slice()))
        }));
        let finder = match needles.is_empty() {
            true => None,
            false => Some(
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .kind(Some(match scan {
                        Scan::Few => AhoCorasickKind::ContiguousNFA,
                        Scan::Many => AhoCorasickKind::DFA,
                    }))
                    .build(&needles)
                    .map_err(|e| format!("cannot build the line prefilter: {e}"))?,
            ),
        };
        Ok(LineFilter {
            finder,
            owners,
            always,
            all,
        })
    }

    /// Fills `hits` with the candidate owners open in `gate` whose `pattern` matches `line`,
    /// in owner order.
    pub(crate) fn matches<'p>(
        &self,
        pattern: impl Fn(usize) -> Option<&'p LazyRegex>,
        gate: &[bool],
        line: &str,
        hits: &mut Vec<usize>,
    ) {
        self.candidates(line, hits);
        hits.retain(|&r| gate[r] && pattern(r).is_some_and(|re| re.is_match(line)));
    }

    /// Fills `out` with the rules `line` may match, in rule order.
    fn candidates(&self, line: &str, out: &mut Vec<usize>) {
        out.clear();
        if !line.is_ascii() && line.contains(FOLDS_TO_ASCII) {
            out.extend(&self.all);
            return;
        }
        out.extend(&self.always);
        if let Some(finder) = &self.finder {
            for hit in finder.find_overlapping_iter(line) {
                out.extend(&self.owners[hit.pattern().as_usize()]);
            }
        }
        if out.len() > 1 {
            out.sort_unstable();
            out.dedup();
        }
    }
}

/// The needles of a line pattern: ready-made for built-in (ASCII) patterns, worked out
/// otherwise.
pub(crate) fn needles_of(pattern: &LazyRegex) -> Option<Needles> {
    let ascii = pattern.syntax() == Syntax::Ascii;
    match stored::lookup(pattern.as_str()).filter(|_| ascii) {
        Some(ready) => ready
            .needles
            .map(|list| list.iter().map(|n| n.to_vec()).collect()),
        None => needles::of_pattern(pattern.as_str(), ascii),
    }
}
