//! The `deploy-guard` binary: a thin shell around the library's `cli::run`.

use std::io::IsTerminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    let result = std::panic::catch_unwind(|| {
        let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
        let stdout = std::io::stdout();
        let mut io = deploy_guard::cli::Io {
            out_is_terminal: stdout.is_terminal(),
            out: &mut stdout.lock(),
            err: &mut std::io::stderr().lock(),
        };
        deploy_guard::cli::run(std::env::args_os(), &cwd, &mut io)
    });
    match result {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(2)),
        Err(_) => {
            eprintln!("error: deploy-guard crashed; this is a bug and the change was not judged");
            eprintln!("  help: please report it with the command you ran and the message above");
            ExitCode::from(2)
        }
    }
}
