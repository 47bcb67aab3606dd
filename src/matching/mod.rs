//! Matching: everything that decides whether a rule's pattern matches something in a change,
//! independent of the rule language that configures it. Line patterns compiled on first use
//! behind a literal prefilter, path and rule-id globs, and the structured matchers (YAML/JSON
//! trees, Dockerfiles, Terraform blocks, image references, whole-tree path checks). The rule
//! language ([`crate::rules`]) compiles into these; the engine runs them.

pub(crate) mod cdk;
pub(crate) mod code;
pub(crate) mod dockerfile;
pub(crate) mod glob_shape;
pub(crate) mod globs;
pub(crate) mod ids;
pub(crate) mod image;
pub(crate) mod lines;
pub(crate) mod nearest;
pub(crate) mod owners;
pub(crate) mod paths;
pub(crate) mod pattern;
pub(crate) mod query;
pub(crate) mod spec;
pub(crate) mod stored;
pub(crate) mod structured;
pub(crate) mod terraform;
pub(crate) mod tree;
