//! Pure CloudFront decisions: inputs in, decision out.
//!
//! **Invariant:** nothing here touches an RNG, the clock, I/O or mutable engine
//! state, so each rule is tested by a table of cases and reused by any caller.

pub mod cache_key;
pub mod compression;
pub mod connection;
pub mod edge_functions;
pub mod error_caching;
pub mod error_pages;
pub mod failover;
pub mod freshness;
pub mod geo;
pub mod invalidation;
pub mod origin_access;
pub mod origin_request;
pub mod protocol;
pub mod range;
pub mod result_type;
pub mod routing;
pub mod transforms;
pub mod ttl;
pub mod usage;
