//! The command line: arguments (`args`), one module per kind of command, and [`run`], what
//! the binary calls (tests call it in-process). The commands parse arguments, pick the source,
//! call the [gate](crate::gate) and render; none holds logic of its own.

mod args;
mod check;
mod hook;
mod init;
mod io;
mod rules;
mod terminal;
mod tools;

pub use init::starter_config;
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
    let color = io.color(cli.color, |name| std::env::var(name).ok());
    match dispatch(cli.command, cwd, color, io) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(io.err, "error: {e}\n  help: {}", e.cure());
            2
        }
    }
}

/// Runs one parsed command; `color` says whether its output may be coloured.
fn dispatch(command: Command, cwd: &Path, color: bool, io: &mut Io) -> Result<i32> {
    match command {
        Command::Check(args) => check::check(args, cwd, color, io),
        Command::Rules { config, format } => rules::list(cwd, config.config.as_deref(), format, io),
        Command::Explain {
            rule,
            config,
            format,
        } => {
            let columns = match io.out_is_terminal {
                true => terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)),
                false => None,
            };
            let config = config.config.as_deref();
            rules::explain(cwd, &rule, config, format, columns, color, io)
        }
        Command::TestRules { files } => rules::test_rules(&files, cwd, io),
        Command::Init { force } => init::init(cwd, force, io),
        Command::Hook(action) => hook::command(action, cwd, io),
        Command::Schema => tools::schema(io),
        Command::Completions { shell } => tools::completions(shell, io),
        Command::Man { out } => tools::man(out.map(|dir| cwd.join(dir)).as_deref(), io),
    }
}
