//! The `cdnsim` binary: a thin layer over the library. This is the one place
//! where an error becomes an exit status.

use std::process::ExitCode;

fn main() -> ExitCode {
    cdnsim::cli::run(std::env::args_os()).unwrap_or_else(|err| {
        eprintln!("cdnsim: error: {err:#}");
        ExitCode::from(2)
    })
}
