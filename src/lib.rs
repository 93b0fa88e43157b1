//! cdnsim: a deterministic discrete-event simulator of a CloudFront-style CDN.
//!
//! See `ARCHITECTURE.md` for the tour: the modules, how one request flows through
//! them, and the invariants they keep.

pub mod signing;
pub mod time;
