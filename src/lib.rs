//! deploy-guard: a deploy-risk gate. It reads a change from git ([`source`]), loads the rules in
//! effect ([`config`], [`rules`]), judges every changed file ([`engine`]) and reports the
//! findings ([`report`]). The `deploy-guard` binary is a thin shell around [`cli`].

pub mod change;
pub mod cli;
pub mod config;
pub mod engine;
pub mod error;
pub mod finding;
pub mod guard;
pub mod hook;
pub mod limits;
pub mod matchers;
pub mod plan;
pub mod report;
pub mod rules;
pub mod source;
pub mod suppress;

pub use error::{Error, Result};
