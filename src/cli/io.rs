//! Where a run writes: reports on `out`, progress, notes and errors on `err`; and whether the
//! output is coloured.

use super::args::{ColorWhen, OutputArgs};
use crate::error::{Error, Result};
use crate::gate::Note;
use std::io::Write;

/// Where a run writes, and whether stdout is a terminal (for colour).
pub struct Io<'a> {
    /// Reports go here.
    pub out: &'a mut dyn Write,
    /// Progress lines and errors go here.
    pub err: &'a mut dyn Write,
    /// Whether `out` is a terminal.
    pub out_is_terminal: bool,
}

/// How much a run says on stderr besides errors and warnings (`-q`, `-v`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verbosity {
    /// Warnings only: no range line, no progress, no notes.
    Quiet,
    /// The range line and notes.
    Normal,
    /// Also how the run went, step by step, with timings.
    Verbose,
}

impl Verbosity {
    /// The verbosity `-q`/`-v` ask for.
    pub(super) fn of(args: &OutputArgs) -> Verbosity {
        match (args.quiet, args.verbose) {
            (true, _) => Verbosity::Quiet,
            (_, true) => Verbosity::Verbose,
            _ => Verbosity::Normal,
        }
    }
}

impl Io<'_> {
    /// Prints `note` on stderr if `verbosity` wants it.
    pub(super) fn note(&mut self, verbosity: Verbosity, note: Note) {
        let line = match note {
            Note::Warning(text) => format!("warning: {text}"),
            Note::Progress(text) if verbosity != Verbosity::Quiet => text.to_string(),
            Note::Detail(text) if verbosity == Verbosity::Verbose => text.to_string(),
            _ => return,
        };
        let _ = writeln!(self.err, "deploy-guard: {line}");
    }

    /// Whether to colour what goes to `out`, by `--color` and the environment (`var`): see
    /// [`use_color`].
    pub(super) fn color(&self, when: ColorWhen, var: impl Fn(&str) -> Option<String>) -> bool {
        use_color(when, self.out_is_terminal, var)
    }
}

/// Whether to colour output, by `--color`; under `auto`, by the environment's conventions
/// (no-color.org, force-color.org, CLICOLOR): a non-empty `NO_COLOR` turns colour off;
/// else `FORCE_COLOR` or `CLICOLOR_FORCE` set to anything but empty, `0` or `false` turns it
/// on anywhere; else only a terminal whose `TERM` is not `dumb` gets it.
fn use_color(when: ColorWhen, is_terminal: bool, var: impl Fn(&str) -> Option<String>) -> bool {
    let set = |name: &str| var(name).is_some_and(|v| !v.is_empty());
    let forced = |name: &str| var(name).is_some_and(|v| !matches!(v.as_str(), "" | "0" | "false"));
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto if set("NO_COLOR") => false,
        ColorWhen::Auto if forced("FORCE_COLOR") || forced("CLICOLOR_FORCE") => true,
        ColorWhen::Auto => is_terminal && var("TERM").is_none_or(|t| t != "dumb"),
    }
}

/// Writes `text` to the report output.
pub(super) fn write_out(io: &mut Io, text: &str) -> Result<()> {
    io.out.write_all(text.as_bytes()).map_err(stdout_error)
}

/// A failure to write the report output, as an error that says so.
pub(super) fn stdout_error(source: std::io::Error) -> Error {
    Error::Io {
        path: "<stdout>".into(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn color(when: ColorWhen, terminal: bool, env: &[(&str, &str)]) -> bool {
        use_color(when, terminal, |name| {
            env.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn color_follows_the_flag_then_the_environment() {
        use ColorWhen::{Always, Auto, Never};
        assert!(color(Auto, true, &[]));
        assert!(!color(Auto, false, &[]));
        assert!(!color(Auto, true, &[("NO_COLOR", "1")]));
        assert!(color(Auto, true, &[("NO_COLOR", "")]));
        assert!(color(Auto, false, &[("FORCE_COLOR", "1")]));
        assert!(color(Auto, false, &[("CLICOLOR_FORCE", "1")]));
        assert!(!color(Auto, false, &[("FORCE_COLOR", "0")]));
        assert!(!color(
            Auto,
            false,
            &[("NO_COLOR", "1"), ("FORCE_COLOR", "1")]
        ));
        assert!(!color(Auto, true, &[("TERM", "dumb")]));
        assert!(color(Always, false, &[("NO_COLOR", "1")]));
        assert!(!color(Never, true, &[("FORCE_COLOR", "1")]));
    }
}
