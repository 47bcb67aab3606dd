//! The line patterns of the rules that apply to a change, behind a literal prefilter: one
//! Aho-Corasick pass over a changed line finds the rules whose [needles](super::needles) it
//! holds, and only those rules' regexes run on it. A rule's regex is compiled the first time a
//! line gets that far, so a small change pays only for the rules its lines could match.

use super::compile::{Rule, group_by_key};
use super::lazy::LazyRegex;
use crate::error::{Error, Result};
use aho_corasick::{AhoCorasick, AhoCorasickKind};
use deploy_guard_patterns::needles::{FOLDS_TO_ASCII, Needles};

/// How much text the prefilter is built to scan: a lazily built automaton starts faster, a
/// full DFA scans faster (about 2 ns a byte against 5) but takes longer to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scan {
    /// A few thousand lines at most.
    Few,
    /// More.
    Many,
}

impl Scan {
    /// Where the DFA's faster scanning repays building it.
    const DFA_FROM_LINES: usize = 2_000;

    /// The right build for scanning `lines` changed lines.
    pub fn for_lines(lines: usize) -> Scan {
        if lines < Scan::DFA_FROM_LINES {
            Scan::Few
        } else {
            Scan::Many
        }
    }
}

/// The added-line and removed-line patterns of some line rules.
#[derive(Debug)]
pub struct LineSets {
    added: LineFilter,
    removed: LineFilter,
}

/// One side's patterns: which rules a line can possibly match.
#[derive(Debug)]
struct LineFilter {
    /// Every needle of the rules that have some.
    finder: Option<AhoCorasick>,
    /// Per needle, the rules it belongs to.
    owners: Vec<Vec<usize>>,
    /// Rules without needles: they run on every line.
    always: Vec<usize>,
    /// Every rule here, for lines the needles cannot speak for (see [`FOLDS_TO_ASCII`]).
    all: Vec<usize>,
}

impl LineSets {
    /// The filters for rules `chosen` (indices into `rules`): `added` patterns, and the `removed`
    /// patterns of rules without `added` (with `added`, `removed` only qualifies a match).
    pub(super) fn new(rules: &[Rule], chosen: &[usize], scan: Scan) -> Result<LineSets> {
        let side = |pick: fn(&Rule) -> Option<&Option<Needles>>| {
            LineFilter::new(
                chosen
                    .iter()
                    .filter_map(|&i| pick(&rules[i]).map(|n| (i, n))),
                scan,
            )
        };
        Ok(LineSets {
            added: side(|r| r.added.as_ref().map(|_| &r.added_needles))?,
            removed: side(|r| match (&r.added, &r.removed) {
                (None, Some(_)) => Some(&r.removed_needles),
                _ => None,
            })?,
        })
    }

    /// Fills `hits` with the rules (indices into `rules`, open in `gate`) whose `added`
    /// pattern matches `line`, in rule order.
    pub fn added_matches(&self, rules: &[Rule], gate: &[bool], line: &str, hits: &mut Vec<usize>) {
        self.added
            .matches(rules, |r| r.added.as_ref(), gate, line, hits);
    }

    /// Fills `hits` with the rules without `added` (open in `gate`) whose `removed` pattern
    /// matches `line`, in rule order.
    pub fn removed_matches(
        &self,
        rules: &[Rule],
        gate: &[bool],
        line: &str,
        hits: &mut Vec<usize>,
    ) {
        self.removed
            .matches(rules, |r| r.removed.as_ref(), gate, line, hits);
    }
}

impl LineFilter {
    fn new<'r>(
        rules: impl Iterator<Item = (usize, &'r Option<Needles>)>,
        scan: Scan,
    ) -> Result<LineFilter> {
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
                    .map_err(|e| Error::Rule(format!("cannot build the line prefilter: {e}")))?,
            ),
        };
        Ok(LineFilter {
            finder,
            owners,
            always,
            all,
        })
    }

    /// Fills `hits` with the candidate rules open in `gate` whose `pattern` matches `line`.
    fn matches(
        &self,
        rules: &[Rule],
        pattern: fn(&Rule) -> Option<&LazyRegex>,
        gate: &[bool],
        line: &str,
        hits: &mut Vec<usize>,
    ) {
        self.candidates(line, hits);
        hits.retain(|&r| gate[r] && pattern(&rules[r]).is_some_and(|re| re.is_match(line)));
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
