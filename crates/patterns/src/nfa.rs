//! Built-in patterns, compiled when the binary is built. Parsing and compiling the packs' large
//! patterns was most of a small check's work; deploy-guard's build.rs compiles each built-in
//! content pattern to the Thompson NFA the quick matcher runs, and stores its states as
//! numbers ([`encode`]). A check rebuilds the NFA from them ([`decode`]) in time linear in its
//! states, parsing nothing.
//!
//! The image is the final NFA's states in order, so rebuilding them one by one gives the same
//! state ids; deploy-guard's tests compare every stored NFA with a fresh compile of its pattern.
//! (regex-automata serializes DFAs, not NFAs; the built-in patterns' DFAs are far too large to
//! store: see BENCHMARKS.md.)

use regex_automata::nfa::thompson::{self, Builder, NFA, State, WhichCaptures};
use regex_automata::util::look::Look;
use regex_automata::util::primitives::StateID;
use regex_automata::util::syntax;

/// The NFA the quick matcher runs for `pattern`: match/no-match only (no capture groups), on
/// bytes that need not be UTF-8; `unicode` says how classes and `(?i)` read. `None` for an
/// invalid pattern (compiling the full regex reports why).
pub fn compile(pattern: &str, unicode: bool) -> Option<NFA> {
    NFA::compiler()
        .syntax(syntax::Config::new().unicode(unicode).utf8(false))
        .configure(
            thompson::Config::new()
                .utf8(false)
                .which_captures(WhichCaptures::None),
        )
        .build(pattern)
        .ok()
}

const BYTE_RANGE: u32 = 0;
const SPARSE: u32 = 1;
const LOOK: u32 = 2;
const UNION: u32 = 3;
const FAIL: u32 = 4;
const MATCH: u32 = 5;

/// `nfa` as numbers: its three start states, then each state as a tag and its fields. `None`
/// for an NFA this format does not hold (several patterns, or capture states).
pub fn encode(nfa: &NFA) -> Option<Vec<u32>> {
    if nfa.pattern_len() != 1 {
        return None;
    }
    let id = |s: StateID| s.as_u32();
    let range = |start: u8, end: u8| u32::from(start) << 8 | u32::from(end);
    let mut out = vec![
        id(nfa.start_anchored()),
        id(nfa.start_unanchored()),
        id(nfa.start_pattern(regex_automata::PatternID::ZERO)?),
    ];
    for state in nfa.states() {
        match state {
            State::ByteRange { trans } => {
                out.extend([BYTE_RANGE, range(trans.start, trans.end), id(trans.next)]);
            }
            State::Sparse(sparse) => {
                out.extend([SPARSE, u32::try_from(sparse.transitions.len()).ok()?]);
                for t in sparse.transitions.iter() {
                    out.extend([range(t.start, t.end), id(t.next)]);
                }
            }
            State::Look { look, next } => out.extend([LOOK, look.as_repr(), id(*next)]),
            State::Union { alternates } => {
                out.extend([UNION, u32::try_from(alternates.len()).ok()?]);
                out.extend(alternates.iter().map(|s| id(*s)));
            }
            State::BinaryUnion { alt1, alt2 } => out.extend([UNION, 2, id(*alt1), id(*alt2)]),
            State::Fail => out.push(FAIL),
            State::Match { .. } => out.push(MATCH),
            State::Dense(_) | State::Capture { .. } => return None,
        }
    }
    Some(out)
}

/// The NFA stored as `image`; `None` if the image is malformed.
pub fn decode(image: &[u32]) -> Option<NFA> {
    let (starts, mut rest) = image.split_at_checked(3)?;
    let mut builder = Builder::new();
    builder.set_utf8(false);
    builder.start_pattern().ok()?;
    let mut targets = starts.to_vec();
    let mut states = 0u32;
    let mut take = |n: usize| -> Option<&[u32]> {
        let (taken, left) = rest.split_at_checked(n)?;
        rest = left;
        Some(taken)
    };
    let sid = |n: u32| StateID::new(usize::try_from(n).ok()?).ok();
    let transition = |range: u32, next: u32| {
        Some(thompson::Transition {
            start: u8::try_from(range >> 8).ok()?,
            end: u8::try_from(range & 0xff).ok()?,
            next: sid(next)?,
        })
    };
    while let Some(&[tag]) = take(1) {
        let added = match tag {
            BYTE_RANGE => {
                let &[range, next] = take(2)? else {
                    return None;
                };
                targets.push(next);
                builder.add_range(transition(range, next)?)
            }
            SPARSE => {
                let &[n @ (2..)] = take(1)? else { return None };
                let fields = take(usize::try_from(n).ok()?.checked_mul(2)?)?;
                let transitions = fields
                    .chunks_exact(2)
                    .map(|pair| transition(pair[0], pair[1]))
                    .collect::<Option<Vec<_>>>()?;
                targets.extend(fields.chunks_exact(2).map(|pair| pair[1]));
                builder.add_sparse(transitions)
            }
            LOOK => {
                let &[look, next] = take(2)? else {
                    return None;
                };
                targets.push(next);
                builder.add_look(sid(next)?, Look::from_repr(look)?)
            }
            UNION => {
                // Compiled NFAs hold no one-way unions; the builder would follow a cycle of
                // them forever.
                let &[n @ (2..)] = take(1)? else { return None };
                let alternates = take(usize::try_from(n).ok()?)?;
                targets.extend(alternates);
                builder.add_union(alternates.iter().map(|&a| sid(a)).collect::<Option<_>>()?)
            }
            FAIL => builder.add_fail(),
            MATCH => builder.add_match(),
            _ => return None,
        };
        added.ok()?;
        states += 1;
    }
    // The builder indexes its states by these ids, and would panic on one past the end.
    if targets.iter().any(|&t| t >= states) {
        return None;
    }
    builder.finish_pattern(sid(starts[2])?).ok()?;
    builder.build(sid(starts[0])?, sid(starts[1])?).ok()
}

/// Whether two NFAs are the same automaton: the same states in the same order, and the same
/// properties. What [`decode`] of [`encode`] promises, and what tests check stored images by.
pub fn same(a: &NFA, b: &NFA) -> bool {
    format!("{a:?}") == format!("{b:?}")
        && format!("{:?}", a.byte_classes()) == format!("{:?}", b.byte_classes())
        && a.look_set_any() == b.look_set_any()
        && a.group_info().all_group_len() == b.group_info().all_group_len()
        && (
            a.has_empty(),
            a.is_utf8(),
            a.is_reverse(),
            a.is_always_start_anchored(),
        ) == (
            b.has_empty(),
            b.is_utf8(),
            b.is_reverse(),
            b.is_always_start_anchored(),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn images_round_trip_every_state_kind() {
        for pattern in [
            r"(?i)\bab[c-e]\s*$",
            r"^x|y{2,}|[^z]|\w+",
            r"a(?:b|c|d|e)*?",
            "",
        ] {
            let nfa = compile(pattern, false).unwrap();
            let decoded = decode(&encode(&nfa).unwrap()).unwrap();
            assert!(same(&decoded, &nfa), "{pattern}");
        }
        let unicode = compile(r"\bé", true).unwrap();
        assert!(same(&decode(&encode(&unicode).unwrap()).unwrap(), &unicode));
    }

    #[test]
    fn patterns_this_format_cannot_hold_are_left_out() {
        let two = NFA::compiler().build_many(&["a", "b"]).unwrap();
        assert_eq!(encode(&two), None);
        let captures = NFA::new("(a)").unwrap();
        assert_eq!(encode(&captures), None);
    }

    #[test]
    fn malformed_images_are_refused() {
        let image = encode(&compile(r"ab|c", false).unwrap()).unwrap();
        assert!(decode(&image).is_some());
        for end in 0..image.len() {
            assert!(decode(&image[..end]).is_none(), "cut at {end}");
        }
        let mut wild = image.clone();
        wild[0] = 10_000;
        assert!(decode(&wild).is_none());
        assert!(decode(&[0, 0, 0, 99]).is_none());
        assert!(
            decode(&[0, 0, 0, UNION, 1, 0]).is_none(),
            "a one-way union loops"
        );
    }

    proptest! {
        /// Nothing in an image can make decoding panic or hang.
        #[test]
        fn decoding_never_panics(image in proptest::collection::vec(0u32..8, 0..40)) {
            let _ = decode(&image);
        }
    }
}
