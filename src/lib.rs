//! deploy-guard: a deploy-risk gate. It reads a change from git ([`source`]), judges it through
//! the [`gate`] (the rules in effect, the engine, suppressions) and reports the findings
//! ([`report`]). The `deploy-guard` binary is a thin shell around [`cli`].
//!
//! The public front is what the binary, the tests, the fuzz targets and the benchmarks use; the
//! rest of the crate (see `docs/architecture.md`) is private to it.
#![warn(unreachable_pub)]

pub mod change;
pub mod cli;
mod config;
mod engine;
mod error;
mod finding;
pub mod fixture;
pub mod gate;
mod matching;
mod path_class;
pub mod plan;
mod render;
pub mod report;
mod rules;
pub mod source;
mod triage;

pub use config::{ConfigFrom, Date, SCHEMA_URL, Selection, json_schema};
pub use error::{Error, Location, Result};
pub use finding::{FailOn, Finding, Origin, OriginKind, Severity, Skipped};
pub use matching::yaml_events::yaml_events;
pub use rules::docs::{builtin_catalogue as rule_catalogue, builtin_rule_pages as rule_pages};
