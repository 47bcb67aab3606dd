//! End-to-end tests of the gate: real git repositories in temp dirs, the real binary.

#[path = "../common/mod.rs"]
mod common;

mod catalogue;
mod ci_events;
mod commands;
mod config;
mod corpus;
mod deployed;
mod hooks;
mod in_process;
mod incidents;
mod output;
mod packaging;
mod plans;
mod renders;
mod reports;
mod roots;
mod samples;
mod selection;
mod shallow;
mod sources;
mod stacks;
mod tools;
mod variables;
mod yaml_suite;
