//! The command line: arguments (`args`), one module per kind of command, and [`run`], what
//! the binary calls (tests call it in-process). The commands parse arguments, pick the source,
//! call the [gate](crate::gate) and render; none holds logic of its own.

mod args;
mod check;
mod hook;
mod init;
mod io;
mod rules;

pub use init::STARTER_CONFIG;
pub use io::Io;

use crate::error::Result;
use args::{Cli, Command};
use clap::Parser;
use std::ffi::OsString;
use std::path::Path;

/// Runs the command line `args` (program name first) in directory `cwd`; returns the exit code.
pub fn run<I, T>(args: I, cwd: &Path, io: &mut Io) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let text = e.render().to_string();
            let _ = if e.use_stderr() {
                write!(io.err, "{text}")
            } else {
                write!(io.out, "{text}")
            };
            return code;
        }
    };
    match dispatch(cli.command, cwd, io) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(io.err, "error: {e}\n  help: {}", e.cure());
            2
        }
    }
}

/// Runs one parsed command.
fn dispatch(command: Command, cwd: &Path, io: &mut Io) -> Result<i32> {
    match command {
        Command::Check(args) => check::check(args, cwd, io),
        Command::Rules(c) => rules::list(cwd, c.config.as_deref(), io),
        Command::Explain { rule, config } => {
            rules::explain(cwd, &rule, config.config.as_deref(), io)
        }
        Command::TestRules { files } => rules::test_rules(&files, cwd, io),
        Command::Init { force } => init::init(cwd, force, io),
        Command::Hook(action) => hook::command(action, cwd, io),
    }
}
