//! Edge functions' results as rows: one per association (a behavior's
//! function on one event) for `functions.csv` and the JSON summary's
//! `functions`, and their totals. Pure; written only when a behavior runs a
//! function, so other runs' results are unchanged.
//!
//! A leaf of `report`: it imports nothing from `mod.rs`, which uses it.

use crate::engine::Report;
use crate::metrics::ratio;
use crate::scenario::Scenario;
use serde::Serialize;

/// One behavior's function on one event.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct FunctionRow {
    /// The behavior's index, in the scenario's order (the default last).
    pub behavior: usize,
    pub path_pattern: String,
    /// CloudFront's event type: `viewer-request`, `origin-request`, ...
    pub event: &'static str,
    pub function: String,
    /// `cloudfront-function` or `lambda-edge`.
    pub kind: &'static str,
    /// Invocations made for measured requests.
    pub invocations: u64,
    pub cold_starts: u64,
    /// Runs cut at their timeout; each request got a 503.
    pub failures: u64,
    /// Time requests waited on the function in all: round trips to its
    /// Region, cold starts and runs.
    pub waited_ms: f64,
    /// Per invocation.
    pub waited_mean_ms: f64,
    pub waited_p50_ms: f64,
    pub waited_p95_ms: f64,
    pub waited_p99_ms: f64,
    pub waited_max_ms: f64,
}

/// The functions' totals and rows: the `functions` of the JSON summary.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct FunctionsSummary {
    pub invocations: u64,
    pub cold_starts: u64,
    pub failures: u64,
    /// Time requests waited on functions, in milliseconds.
    pub waited_ms: f64,
    /// That time over the measured requests' summed latency: the functions'
    /// share of what viewers waited.
    pub latency_share: f64,
    pub associations: Vec<FunctionRow>,
}

fn ms(us: u64) -> f64 {
    us as f64 / 1e3
}

fn round3(x: f64) -> f64 {
    (x * 1e3).round() / 1e3
}

/// A row per association, in the scenario's order (behaviors, then events
/// in the order a request meets them).
pub fn function_rows(report: &Report, scenario: &Scenario) -> Vec<FunctionRow> {
    report
        .metrics
        .functions
        .associations
        .iter()
        .map(|a| {
            let h = &a.waited_hist_us;
            let at = |q: f64| if h.is_empty() { 0.0 } else { ms(h.value_at_quantile(q)) };
            FunctionRow {
                behavior: a.behavior,
                path_pattern: scenario.distribution.behaviors[a.behavior].path_pattern.clone(),
                event: a.event.name(),
                function: scenario.functions[a.function].name.clone(),
                kind: a.kind.name(),
                invocations: a.invocations,
                cold_starts: a.cold_starts,
                failures: a.failures,
                waited_ms: ms(a.waited_us),
                waited_mean_ms: round3(ratio(a.waited_us, a.invocations) / 1e3),
                waited_p50_ms: at(0.50),
                waited_p95_ms: at(0.95),
                waited_p99_ms: at(0.99),
                waited_max_ms: if h.is_empty() { 0.0 } else { ms(h.max()) },
            }
        })
        .collect()
}

/// The functions' results, or `None` when no behavior runs a function.
pub fn functions_summary(report: &Report, scenario: &Scenario) -> Option<FunctionsSummary> {
    if !scenario.uses_edge_functions() {
        return None;
    }
    let f = &report.metrics.functions;
    Some(FunctionsSummary {
        invocations: f.invocations(),
        cold_starts: f.cold_starts(),
        failures: f.failures(),
        waited_ms: ms(f.waited_us()),
        latency_share: (ratio(f.waited_us(), report.metrics.latency_sum_us) * 1e6).round() / 1e6,
        associations: function_rows(report, scenario),
    })
}
