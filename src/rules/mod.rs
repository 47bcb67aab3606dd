//! Rules: the language ([`spec`]) and its messages ([`template`]), the built-in packs embedded
//! from `rules/*.toml` ([`packs`]), compilation into one [`Rule`] each and the [`RuleSet`] the
//! engine runs, and the docs generated from them ([`docs`]).

pub mod docs;
mod packs;
mod rule;
mod set;
mod source_file;
pub mod spec;
mod template;

pub use packs::{Packs, builtin, builtin_packs, parse_rule_file};
pub(crate) use rule::check_globs;
pub use rule::{Rule, RuleDraft};
pub use set::{LineSets, RuleSet};
pub use source_file::SourceFile;
pub use template::Template;
