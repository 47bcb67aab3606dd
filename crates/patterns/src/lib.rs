//! What deploy-guard prepares about a content pattern, shared by its build script (which
//! prepares every built-in pattern when the binary is built) and its library (which prepares a
//! repository's own patterns at check time, and reads the built-in ones back):
//! - [`needles`]: literals one of which every match contains, for the line prefilter;
//! - [`nfa`]: the quick matcher's Thompson NFA, and a flat image of it that can be stored in
//!   the binary and rebuilt without parsing the pattern.

pub mod needles;
pub mod nfa;
