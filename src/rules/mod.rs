//! Rules: the language ([`spec`]) and its messages ([`template`]), the built-in packs embedded
//! from `rules/*.toml` ([`packs`]), compilation into one [`Rule`] each and the [`RuleSet`] the
//! engine runs, and the docs generated from them ([`docs`]).

pub(crate) mod docs;
mod packs;
mod rule;
mod set;
mod source_file;
pub(crate) mod spec;
mod template;

pub(crate) use packs::{Packs, builtin, builtin_packs};
pub(crate) use rule::check_globs;
pub(crate) use rule::{Rule, RuleDraft};
pub(crate) use set::{LineSets, RuleSet};
pub(crate) use source_file::SourceFile;
