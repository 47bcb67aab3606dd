//! Matching: everything that decides whether a rule's pattern matches something in a change,
//! independent of the rule language that configures it. Line patterns compiled on first use
//! behind a literal prefilter, path and rule-id globs, the structured matchers (YAML/JSON trees,
//! Docker Compose interpolation, Dockerfiles, Terraform blocks, image references, whole-tree path
//! checks), and which paths only serve local development. The rule language ([`crate::rules`])
//! compiles into these; the engine runs them.

pub(crate) mod cdk;
pub(crate) mod cfn_resources;
pub(crate) mod ci_env;
pub(crate) mod cloudformation;
pub(crate) mod code;
pub(crate) mod comments;
pub(crate) mod compose;
pub(crate) mod constants;
pub(crate) mod dockerfile;
pub(crate) mod gate_runs;
pub(crate) mod glob_shape;
pub(crate) mod globs;
pub(crate) mod hcl;
pub(crate) mod helm;
pub(crate) mod ids;
pub(crate) mod image;
pub(crate) mod line_starts;
pub(crate) mod lines;
pub(crate) mod nearest;
pub(crate) mod origin;
pub(crate) mod owners;
pub(crate) mod paths;
pub(crate) mod pattern;
pub(crate) mod pointers;
pub(crate) mod query;
pub(crate) mod spec;
pub(crate) mod stale;
pub(crate) mod stored;
pub(crate) mod structured;
pub(crate) mod terraform;
pub(crate) mod tree;
pub(crate) mod yaml_events;
