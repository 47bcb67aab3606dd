//! End-to-end tests of the gate: real git repositories in temp dirs, the real binary.

#[path = "../common/mod.rs"]
mod common;

mod commands;
mod config;
mod in_process;
mod reports;
mod rule_examples;
mod sources;
