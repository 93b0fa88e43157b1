//! cdnsim: a deterministic discrete-event simulator of a CloudFront-style CDN.
//!
//! See `ARCHITECTURE.md` for the tour: the modules, how one request flows through
//! them, and the invariants they keep.

pub mod signing;

/// Staging for `src/cli/sign.rs` (`cdnsim sign` / `cdnsim verify`) until `src/cli/mod.rs`
/// declares `pub mod sign;`; then delete these lines.
#[doc(hidden)]
pub mod sign_cli {
    include!("cli/sign.rs");
}
pub mod time;
