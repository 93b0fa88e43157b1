//! cdnsim: a deterministic discrete-event simulator of a CloudFront-style CDN.
//!
//! See `ARCHITECTURE.md` for the tour: the modules, how one request flows through
//! them, and the invariants they keep.

pub mod cache;
pub mod cdn;
pub mod dist;
pub mod engine;
pub mod geo;
pub mod http;
pub mod lesson;
pub mod metrics;
pub mod mrc;
pub mod places;
pub mod plot;
pub mod policy;
pub mod prefetch;
pub mod replay;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod signing;
pub mod sweep;
pub mod time;
pub mod trace;
pub mod units;
