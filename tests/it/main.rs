//! The one integration-test binary: every file under tests/it/ is a module here.

mod access_log;
mod cache_keys;
mod cli;
mod compression;
mod determinism;
mod edge_functions;
mod failover;
mod freshness;
mod import;
mod invalidations;
mod layering;
mod lessons;
mod origin_requests;
mod plot;
mod properties;
mod protocol_access;
mod replay;
mod result_types;
mod scenario_errors;
mod signed_traffic;
mod signing;
mod support;
mod sweep;
mod trace;
mod transforms;
mod worked_examples;
