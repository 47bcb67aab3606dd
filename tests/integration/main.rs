//! End-to-end tests of the gate: real git repositories in temp dirs, the real binary.

#[path = "../common/mod.rs"]
mod common;

mod catalogue;
mod commands;
mod config;
mod corpus;
mod in_process;
mod incidents;
mod reports;
mod sources;
