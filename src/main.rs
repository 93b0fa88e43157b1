//! The `cdnsim` binary: a thin layer over the library. This is the one place
//! where an error becomes an exit status.

mod cli;

use std::process::ExitCode;

/// mimalloc, not the system's allocator: on Linux it backs its memory with
/// 2 MiB pages where the kernel allows (transparent huge pages), and it
/// keeps small objects of one size together. A CloudFront-sized run reads
/// some 400 MB of cache tables at random a few times a request, and the
/// caches' own small structures beside them: on 4 KiB pages nearly every
/// such read also misses the TLB. `scenarios/cloudfront-scale.toml`, 3M
/// requests on one core: 5.3 s with glibc's malloc, 3.7 s with mimalloc.
/// The library itself does not choose: a program embedding it picks its
/// own allocator (the benches and the Python module pick this one too).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
