//! What other tools read about the command line and the configuration: the JSON Schema of
//! `.deploy-guard.toml` (`schema`), shell completions (`completions`, clap_complete) and man
//! pages (`man`, clap_mangen). Each is generated only when asked for, never on a `check`.

use super::args::{Cli, Shell};
use super::io::{Io, stdout_error, write_out};
use crate::config::json_schema;
use crate::error::{Error, Result};
use clap::CommandFactory;
use std::path::Path;

/// `deploy-guard schema`: the configuration's JSON Schema.
pub(super) fn schema(io: &mut Io) -> Result<i32> {
    write_out(io, &json_schema())?;
    Ok(0)
}

/// `deploy-guard completions SHELL`: the completion script for `shell`.
pub(super) fn completions(shell: Shell, io: &mut Io) -> Result<i32> {
    use clap_complete::Shell as S;
    let shell = match shell {
        Shell::Bash => S::Bash,
        Shell::Zsh => S::Zsh,
        Shell::Fish => S::Fish,
        Shell::Powershell => S::PowerShell,
    };
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "deploy-guard", &mut script);
    let mut script = String::from_utf8_lossy(&script).into_owned();
    if shell == S::Bash {
        // clap_complete spells the hyphen of the bin name one way in the loop that finds the
        // subcommand (`deploy__guard__subcmd__check`) and another in the arms that complete
        // it (`deploy__subcmd__guard__subcmd__check`), so no subcommand's options complete
        // (clap-rs/clap#6421). Once that is fixed, this finds nothing to replace.
        script = script.replace("deploy__subcmd__guard", "deploy__guard");
    }
    write_out(io, &script)?;
    Ok(0)
}

/// `deploy-guard man`: the main page on stdout, or with `out`, `deploy-guard.1` and one page
/// per subcommand (`deploy-guard-check.1`, …) written into that directory.
pub(super) fn man(out: Option<&Path>, io: &mut Io) -> Result<i32> {
    let command = Cli::command();
    let Some(dir) = out else {
        let mut page = Vec::new();
        render(command, &mut page)?;
        io.out.write_all(&page).map_err(stdout_error)?;
        return Ok(0);
    };
    let write = |name: &str, command: clap::Command| -> Result<()> {
        let path = dir.join(format!("{name}.1"));
        let mut page = Vec::new();
        render(command, &mut page)?;
        std::fs::write(&path, page).map_err(|source| Error::WriteReport { path, source })
    };
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("deploy-guard-{}", sub.get_name());
        let page = sub
            .clone()
            .display_name(name.clone())
            .bin_name(format!("deploy-guard {}", sub.get_name()));
        write(&name, page)?;
    }
    write("deploy-guard", command)?;
    let _ = writeln!(io.err, "wrote man pages to {}", dir.display());
    Ok(0)
}

fn render(command: clap::Command, out: &mut Vec<u8>) -> Result<()> {
    clap_mangen::Man::new(command)
        .render(out)
        .map_err(stdout_error)
}
