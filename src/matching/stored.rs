//! The built-in content patterns as build.rs prepared them: each one's needles and the quick
//! matcher's NFA (see [`deploy_guard_patterns`]), looked up by the pattern's text.

/// A built-in pattern's needles (`None`: it has none) and its quick matcher's stored NFA
/// (see [`deploy_guard_patterns::nfa`]).
pub(crate) struct Prepared {
    pub(crate) needles: Option<&'static [&'static [u8]]>,
    pub(crate) nfa: &'static [u32],
}

include!(concat!(env!("OUT_DIR"), "/builtin_patterns.rs"));
