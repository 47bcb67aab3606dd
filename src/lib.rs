//! deploy-guard: a deploy-risk gate. It reads a change from git ([`source`]), loads the rules in
//! effect ([`config`], [`rules`]), judges every changed file ([`engine`]) and reports the
//! findings ([`report`]). The `deploy-guard` binary is a thin shell around [`cli`].

pub mod change;
pub mod cli;
pub mod config;
pub mod engine;
pub mod error;
pub mod finding;
pub mod gate;
pub mod matching;
pub mod report;
pub mod rules;
pub mod source;
pub mod triage;

pub use error::{Error, Result};
pub use rules::docs::builtin_catalogue as rule_catalogue;
