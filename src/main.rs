//! The `deploy-guard` binary: a thin shell around the library's `cli::run`.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let result = std::panic::catch_unwind(|| {
        let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
        let stdout = std::io::stdout();
        let out_is_terminal = stdout.is_terminal();
        // Reports can hold thousands of findings: write them in blocks, not line by line.
        let mut out = std::io::BufWriter::new(stdout.lock());
        let code = deploy_guard::cli::run(
            std::env::args_os(),
            &cwd,
            &mut deploy_guard::cli::Io {
                out_is_terminal,
                out: &mut out,
                err: &mut std::io::stderr().lock(),
            },
        );
        match out.flush() {
            Ok(()) => code,
            Err(e) => {
                eprintln!("error: could not write the report to standard output: {e}");
                eprintln!(
                    "  help: check that the output is not closed early (e.g. by `head`), or use --report FMT=PATH"
                );
                2
            }
        }
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
