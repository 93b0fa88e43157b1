//! The `cdnsim` binary: a thin layer over the library. This is the one place
//! where an error becomes an exit status.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run(std::env::args_os()).unwrap_or_else(|err| {
        // A reader that stopped reading (`cdnsim ... | head`) is not an error.
        let broken_pipe = err.chain().any(|cause| {
            cause.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
        });
        if broken_pipe {
            return ExitCode::SUCCESS;
        }
        eprintln!("cdnsim: error: {err:#}");
        // A run whose accounting does not add up is a bug in cdnsim, not bad
        // input: it gets its own status (70, EX_SOFTWARE in sysexits.h).
        let bug = err.chain().any(|cause| cause.is::<cdnsim::metrics::accounting::AccountingError>());
        ExitCode::from(if bug { 70 } else { 2 })
    })
}
