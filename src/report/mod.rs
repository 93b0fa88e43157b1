//! A run's `Report` as rows (pure functions) and as files (the only I/O here).
//!
//! Row builders take the report and the scenario and return plain structs, so
//! they are tested without touching a disk. `write_files` writes every file
//! under a temporary name first and renames them only when all are written, so
//! an interrupted or failed run leaves no half-written results.

pub mod access_log;
pub mod functions;

pub use functions::{FunctionRow, FunctionsSummary, function_rows, functions_summary};

mod cache_keys;
mod compression;
mod connections;
mod errors;
mod invalidations;
mod ranges;
mod viewers;

pub use cache_keys::{CacheKeyRow, CacheKeySummary, cache_key_rows, cache_key_summary};
pub use compression::{CompressionRow, CompressionSummary, compression_rows, compression_summary};
pub use connections::{ConnectionRow, ConnectionSummary, connection_rows, connection_summary};
pub use errors::{ErrorRow, ErrorsSummary, error_rows, errors_summary};
pub use invalidations::{InvalidationRow, InvalidationSummary, invalidation_rows, invalidation_summary};
pub use ranges::{RangeRow, RangeSummary, range_rows, range_summary};
pub use viewers::{ViewerRow, viewer_rows};

mod cost;
mod origin_requests;
mod result_types;
mod usage;

pub use cost::{
    Category, CostItem, CostOptions, CostSubtotals, CostSummary, FlatRateSummary, bill, cost_csv, cost_line,
    cost_summary,
};
pub use usage::{ScaledUsage, UsageSummary, scaled_usage, usage_csv, usage_summary};

pub use result_types::{ResultTypeRow, detailed_result_types, result_type_rows};

pub use origin_requests::{OriginRequestRow, OriginRequestSummary, origin_request_rows, origin_request_summary};

use crate::engine::Report;
use crate::http::Method;
use crate::metrics::{OriginAccessStats, ProtocolStats, ResultType, TierStats, ratio};
use crate::scenario::Scenario;
use anyhow::Context;
use hdrhistogram::Histogram;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct LatencySummary {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub mean: f64,
    pub max: f64,
}

fn latency_summary(h: &Histogram<u64>) -> LatencySummary {
    let ms = |us: u64| us as f64 / 1e3;
    if h.is_empty() {
        return LatencySummary { p50: 0.0, p95: 0.0, p99: 0.0, mean: 0.0, max: 0.0 };
    }
    LatencySummary {
        p50: ms(h.value_at_quantile(0.50)),
        p95: ms(h.value_at_quantile(0.95)),
        p99: ms(h.value_at_quantile(0.99)),
        mean: round3(h.mean() / 1e3),
        max: ms(h.max()),
    }
}

fn round3(x: f64) -> f64 {
    (x * 1e3).round() / 1e3
}
fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// What the edges' signature checks decided.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SigningSummary {
    pub checked: u64,
    pub accepted: u64,
    pub rejected: u64,
    /// Rejections by kebab-case reason (`expired`, `bad-signature`, ...).
    pub by_reason: BTreeMap<String, u64>,
}

fn signing_summary(report: &Report, scenario: &Scenario) -> Option<SigningSummary> {
    if !scenario.distribution.behaviors.iter().any(|b| b.requires_signing()) {
        return None;
    }
    let s = &report.metrics.signing;
    let by_reason: BTreeMap<String, u64> = cdnsim_sign::Rejection::ALL
        .iter()
        .zip(&s.rejected)
        .filter(|(_, n)| **n > 0)
        .map(|(r, n)| (r.as_str().to_string(), *n))
        .collect();
    Some(SigningSummary { checked: s.checked, accepted: s.accepted, rejected: by_reason.values().sum(), by_reason })
}

/// What the distribution's geo restriction refused.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct GeoRestrictionSummary {
    /// `allow` or `block`.
    pub restriction: &'static str,
    /// The countries listed (ISO 3166-1 alpha-2), as the scenario lists them.
    pub countries: Vec<String>,
    /// Requests answered 403 at the edge for their viewers' country.
    pub blocked: u64,
    /// `blocked / requests`.
    pub blocked_share: f64,
}

fn geo_restriction_summary(report: &Report, scenario: &Scenario) -> Option<GeoRestrictionSummary> {
    let (restriction, codes) = match &scenario.distribution.geo_restriction {
        crate::scenario::GeoRestriction::None => return None,
        crate::scenario::GeoRestriction::Allow(codes) => ("allow", codes),
        crate::scenario::GeoRestriction::Block(codes) => ("block", codes),
    };
    let m = &report.metrics;
    Some(GeoRestrictionSummary {
        restriction,
        countries: codes.iter().map(|c| c.to_string()).collect(),
        blocked: m.geo_blocked,
        blocked_share: round6(ratio(m.geo_blocked, m.requests)),
    })
}

#[derive(Debug, Serialize)]
struct SigningRow {
    outcome: &'static str,
    cloudfront_code: &'static str,
    requests: u64,
    share: f64,
}

/// `signing.csv`: one row for accepted requests and one per rejection reason
/// (every reason, so files from different runs line up).
fn signing_rows(report: &Report) -> Vec<SigningRow> {
    let s = &report.metrics.signing;
    let share = |n: u64| round6(ratio(n, s.checked));
    std::iter::once(SigningRow {
        outcome: "accepted",
        cloudfront_code: "",
        requests: s.accepted,
        share: share(s.accepted),
    })
    .chain(cdnsim_sign::Rejection::ALL.iter().zip(&s.rejected).map(|(r, &n)| SigningRow {
        outcome: r.as_str(),
        cloudfront_code: r.cloudfront_code().as_str(),
        requests: n,
        share: share(n),
    }))
    .collect()
}

/// What origin failover did for one HTTP method.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct FailoverSummary {
    pub requests: u64,
    pub reached_origin_group: u64,
    pub primary_failures: u64,
    pub failovers: u64,
    pub served_by_secondary: u64,
    /// Viewer error responses by status code.
    pub errors_by_status: BTreeMap<String, u64>,
    /// Time spent on the primary before failing over, in milliseconds.
    pub failover_added_ms: AddedLatency,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct AddedLatency {
    pub p50: f64,
    pub p99: f64,
}

fn failover_summaries(report: &Report, scenario: &Scenario) -> BTreeMap<String, FailoverSummary> {
    if scenario.origin_groups.is_empty() {
        return BTreeMap::new();
    }
    Method::ALL
        .iter()
        .map(|method| (method, &report.metrics.by_method[method.index()]))
        .filter(|(_, m)| m.requests > 0)
        .map(|(method, m)| {
            let errors_by_status = m
                .errors_by_status
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(i, n)| ((400 + i).to_string(), *n))
                .collect();
            let added = latency_summary(&m.failover_added_us);
            (
                method.as_str().to_string(),
                FailoverSummary {
                    requests: m.requests,
                    reached_origin_group: m.reached_origin_group,
                    primary_failures: m.primary_failures,
                    failovers: m.failovers,
                    served_by_secondary: m.served_by_secondary,
                    errors_by_status,
                    failover_added_ms: AddedLatency { p50: added.p50, p99: added.p99 },
                },
            )
        })
        .collect()
}

/// One row of `failover.csv`: one HTTP method. Error columns are the
/// statuses seen anywhere in the run, so every row has the same columns.
pub fn failover_csv(report: &Report, scenario: &Scenario) -> anyhow::Result<Vec<u8>> {
    let summaries = failover_summaries(report, scenario);
    let statuses: std::collections::BTreeSet<&String> =
        summaries.values().flat_map(|s| s.errors_by_status.keys()).collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = [
        "method",
        "requests",
        "reached_origin_group",
        "primary_failures",
        "failovers",
        "served_by_secondary",
        "failover_added_p50_ms",
        "failover_added_p99_ms",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(statuses.iter().map(|s| format!("errors_{s}")));
    w.write_record(&header)?;
    for (method, s) in &summaries {
        let mut row = vec![
            method.clone(),
            s.requests.to_string(),
            s.reached_origin_group.to_string(),
            s.primary_failures.to_string(),
            s.failovers.to_string(),
            s.served_by_secondary.to_string(),
            s.failover_added_ms.p50.to_string(),
            s.failover_added_ms.p99.to_string(),
        ];
        row.extend(statuses.iter().map(|status| s.errors_by_status.get(*status).copied().unwrap_or(0).to_string()));
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

/// Secret-header checks at origins and direct-to-origin requests; absent
/// when no origin sends or checks a secret header and no traffic bypasses
/// CloudFront.
fn origin_access_summary(report: &Report, scenario: &Scenario) -> Option<OriginAccessStats> {
    scenario.uses_origin_access().then(|| report.metrics.origin_access.clone())
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct MethodSummary {
    pub requests: u64,
    pub hits: u64,
    pub errors_4xx: u64,
    pub errors_5xx: u64,
}

/// The run's headline numbers: `summary.csv` and `--format json`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Summary {
    pub scenario: String,
    pub seed: u64,
    pub requests: u64,
    /// The requests by CloudFront's result type (`x-edge-result-type`):
    /// `hits + refresh_hits + misses + errors + redirects = requests`.
    /// A hit was answered by any CloudFront cache without asking the origin.
    pub hits: u64,
    pub hit_ratio: f64,
    /// An expired copy served after asking the origin: it answered 304, or
    /// failed so that the copy was served anyway.
    pub refresh_hits: u64,
    /// Answered with the origin's response (a body, not a 304).
    pub misses: u64,
    /// Answered with a 4xx or 5xx, whoever produced it: `errors_4xx + errors_5xx`.
    pub errors: u64,
    /// Answered with the 301 or 307 of `redirect-to-https`.
    pub redirects: u64,
    /// The requests by `x-edge-detailed-result-type` (every type cdnsim
    /// simulates, by the log's spelling): each refines one result type
    /// (`OriginShieldHit` a hit, `OriginConnectError` an error, ...), so
    /// they add up to the requests. `result_types.csv` has them per behavior.
    pub detailed_result_types: BTreeMap<String, u64>,
    pub errors_4xx: u64,
    pub errors_5xx: u64,
    pub bytes_requested: u64,
    pub bytes_hit: u64,
    pub byte_hit_ratio: f64,
    pub edge_hit_ratio: f64,
    pub regional_hit_ratio: f64,
    pub shield_hit_ratio: f64,
    pub origin_requests: u64,
    pub origin_bytes: u64,
    pub origin_offload: f64,
    /// The busiest metrics interval's origin requests per second.
    pub origin_peak_requests_per_s: f64,
    pub collapsed: u64,
    /// Background fetches of `stale-while-revalidate`, every tier together:
    /// origin-bound work no viewer waited for.
    pub background_revalidations: u64,
    pub latency_ms: LatencySummary,
    pub by_method: BTreeMap<String, MethodSummary>,
    /// Per method, for the methods that reached an origin group or failed
    /// there; empty when the distribution has no origin groups.
    pub failover: BTreeMap<String, FailoverSummary>,
    /// Signed-request checks; absent when no behavior requires signing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing: Option<SigningSummary>,
    /// The distribution's geo restriction and the requests it refused;
    /// absent when it refuses no country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub geo_restriction: Option<GeoRestrictionSummary>,
    /// Viewer and origin legs by protocol: always reported.
    pub protocol: ProtocolStats,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin_access: Option<OriginAccessStats>,
    /// Edge functions' invocations, cold starts, failures and the time
    /// requests waited on them; absent when no behavior runs a function.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub functions: Option<FunctionsSummary>,
    /// Keys per object and fragmentation misses; absent when no behavior's
    /// key holds more than the path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_keys: Option<CacheKeySummary>,
    /// Bytes to viewers and from origins, bytes saved, responses by
    /// encoding; absent when no behavior has `compress` on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compression: Option<CompressionSummary>,
    /// Untailored and mistailored responses; absent when no behavior has an
    /// origin request policy and no class's origin varies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin_forwarding: Option<OriginRequestSummary>,
    /// Paths submitted and billed, objects removed per tier; absent when
    /// the scenario has no invalidations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invalidations: Option<InvalidationSummary>,
    /// Range GETs, their answers and bytes; absent when no class sends ranges.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ranges: Option<RangeSummary>,
    /// Errors per origin, error cache and viewer, custom pages fetched,
    /// served and failed; absent when the distribution has no custom error
    /// responses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_errors: Option<ErrorsSummary>,
    /// Origin and viewer connections opened and reused, and their
    /// handshake time; absent when the scenario has no `[connections]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connections: Option<ConnectionSummary>,
    /// What the run would put on CloudFront's usage report, measured and
    /// scaled to the cost period, with the scaling: every run.
    pub usage: UsageSummary,
    /// The bill of the usage over the cost period, priced with the
    /// scenario's `[cost]` table and options: every run.
    pub cost: CostSummary,
    pub events: u64,
    pub requests_simulated: u64,
    pub simulated_seconds: f64,
}

fn sum_tiers<'a>(stats: impl Iterator<Item = &'a TierStats>) -> TierStats {
    stats.fold(TierStats::default(), |mut acc, s| {
        acc.lookups += s.lookups;
        acc.hits += s.hits;
        acc.stale += s.stale;
        acc.misses += s.misses;
        acc.collapsed += s.collapsed;
        acc.bytes_hit += s.bytes_hit;
        acc.passed_through += s.passed_through;
        acc.errors_served += s.errors_served;
        acc.stale_served_on_error += s.stale_served_on_error;
        acc.background_revalidations += s.background_revalidations;
        acc.fragmentation_misses += s.fragmentation_misses;
        acc.keys_requested += s.keys_requested;
        acc.objects_requested += s.objects_requested;
        acc
    })
}

/// Origin requests per second in the busiest metrics interval: what the
/// origin must be sized for, where the mean hides the diurnal peak.
fn origin_peak_requests_per_s(report: &Report) -> f64 {
    let m = &report.metrics;
    let peak = m.intervals.iter().map(|s| s.origin_requests).max().unwrap_or(0);
    round3(peak as f64 / m.interval.as_secs_f64())
}

/// The summary, with the usage scaled to the scenario's cost period and
/// priced with its `[cost]` table and options. It fails only when the
/// usage or the bill passes the largest amount the bill holds (an absurd
/// cost period or pricing table).
pub fn summary(report: &Report, scenario: &Scenario) -> anyhow::Result<Summary> {
    let usage = scaled_usage(report, scenario, scenario.cost.period)?;
    let bill = cost::bill(&usage, &scenario.cost)?;
    Ok(summary_of(report, scenario, &usage, &bill))
}

/// The summary with the run's usage and bill already computed.
fn summary_of(report: &Report, scenario: &Scenario, usage: &ScaledUsage, bill: &cdnsim_cost::Bill) -> Summary {
    assert_intervals_fit(report);
    let m = &report.metrics;
    let n_edges = scenario.topology.edges.len();
    let edge = sum_tiers(m.caches[..n_edges].iter());
    let regional = sum_tiers(m.caches[n_edges..].iter());
    let shield = sum_tiers(m.shield_role.iter());
    let by_method = Method::ALL
        .iter()
        .filter(|method| m.by_method[method.index()].requests > 0)
        .map(|method| {
            let s = &m.by_method[method.index()];
            (
                method.as_str().to_string(),
                MethodSummary {
                    requests: s.requests,
                    hits: s.results.hits(),
                    errors_4xx: s.errors_4xx,
                    errors_5xx: s.errors_5xx,
                },
            )
        })
        .collect();
    Summary {
        scenario: report.scenario.clone(),
        seed: report.seed,
        requests: m.requests,
        hits: m.results.get(ResultType::Hit),
        hit_ratio: round6(m.hit_ratio()),
        refresh_hits: m.results.get(ResultType::RefreshHit),
        misses: m.results.get(ResultType::Miss),
        errors: m.results.get(ResultType::Error),
        redirects: m.results.get(ResultType::Redirect),
        detailed_result_types: detailed_result_types(report),
        errors_4xx: m.errors_4xx,
        errors_5xx: m.errors_5xx,
        bytes_requested: m.bytes_requested,
        bytes_hit: m.bytes_hit,
        byte_hit_ratio: round6(m.byte_hit_ratio()),
        edge_hit_ratio: round6(edge.hit_ratio()),
        regional_hit_ratio: round6(regional.hit_ratio()),
        shield_hit_ratio: round6(shield.hit_ratio()),
        origin_requests: m.origin_requests,
        origin_bytes: m.origin_bytes,
        origin_offload: round6(m.origin_offload()),
        origin_peak_requests_per_s: origin_peak_requests_per_s(report),
        collapsed: edge.collapsed + regional.collapsed + shield.collapsed,
        background_revalidations: edge.background_revalidations
            + regional.background_revalidations
            + shield.background_revalidations,
        latency_ms: LatencySummary {
            mean: round3(ratio(m.latency_sum_us, m.requests) / 1e3),
            max: m.latency_max_us as f64 / 1e3,
            ..latency_summary(&m.latency_us)
        },
        by_method,
        failover: failover_summaries(report, scenario),
        signing: signing_summary(report, scenario),
        geo_restriction: geo_restriction_summary(report, scenario),
        protocol: report.metrics.protocol.clone(),
        origin_access: origin_access_summary(report, scenario),
        functions: functions_summary(report, scenario),
        cache_keys: cache_key_summary(report, scenario),
        compression: compression_summary(report),
        origin_forwarding: origin_request_summary(report, scenario),
        invalidations: invalidation_summary(report),
        ranges: range_summary(report),
        custom_errors: errors_summary(report, scenario),
        connections: connection_summary(report),
        usage: usage_summary(usage),
        cost: cost_summary(bill, usage),
        events: report.events,
        requests_simulated: report.requests_simulated,
        simulated_seconds: round6(report.end.as_secs_f64()),
    }
}

/// `summary.csv` flattens the nested fields of [`Summary`].
#[derive(Debug, Serialize)]
struct SummaryCsvRow<'a> {
    scenario: &'a str,
    seed: u64,
    requests: u64,
    hits: u64,
    hit_ratio: f64,
    refresh_hits: u64,
    misses: u64,
    errors: u64,
    errors_4xx: u64,
    errors_5xx: u64,
    bytes_requested: u64,
    bytes_hit: u64,
    byte_hit_ratio: f64,
    edge_hit_ratio: f64,
    regional_hit_ratio: f64,
    shield_hit_ratio: f64,
    origin_requests: u64,
    origin_bytes: u64,
    origin_offload: f64,
    origin_peak_requests_per_s: f64,
    collapsed: u64,
    latency_p50_ms: f64,
    latency_p95_ms: f64,
    latency_p99_ms: f64,
    latency_mean_ms: f64,
    latency_max_ms: f64,
    events: u64,
    requests_simulated: u64,
    simulated_seconds: f64,
    viewer_http: u64,
    viewer_https: u64,
    redirects: u64,
    refused_http: u64,
    origin_http: u64,
    origin_https: u64,
    direct_requests: u64,
    direct_refused: u64,
    legit_refused: u64,
    secret_in_clear_viewer_legs: u64,
    secret_in_clear_origin_legs: u64,
    background_revalidations: u64,
}

/// One row of `tiers.csv`: an edge location, a regional edge cache, a regional
/// edge cache in its Origin Shield role, or an origin.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct TierRow {
    pub tier: &'static str,
    pub name: String,
    pub region: String,
    pub requests: u64,
    pub hits: Option<u64>,
    pub hit_ratio: Option<f64>,
    pub revalidations: Option<u64>,
    pub misses: Option<u64>,
    pub collapsed: Option<u64>,
    pub passed_through: Option<u64>,
    pub bytes_hit: Option<u64>,
    pub objects_at_end: Option<usize>,
    pub used_bytes_at_end: Option<u64>,
    pub capacity_bytes: Option<u64>,
    pub evictions: Option<u64>,
    pub not_modified: Option<u64>,
    pub errors_served: Option<u64>,
    pub stale_served_on_error: Option<u64>,
    pub connect_failures: Option<u64>,
    pub timeouts: Option<u64>,
    pub error_responses: Option<u64>,
    pub rejected_503: Option<u64>,
    pub peak_in_service: Option<u32>,
    pub peak_queued: Option<u32>,
    pub mean_queue_wait_ms: Option<f64>,
    /// Background fetches of `stale-while-revalidate` this cache sent up
    /// (each after a lookup it answered at once with its expired copy);
    /// the last column, so that the columns before it keep their places.
    pub background_revalidations: Option<u64>,
}

impl TierRow {
    fn cache(
        tier: &'static str,
        name: &str,
        region: &str,
        s: &TierStats,
        end: Option<&crate::engine::CacheState>,
    ) -> Self {
        TierRow {
            tier,
            name: name.to_string(),
            region: region.to_string(),
            requests: s.lookups + s.passed_through,
            hits: Some(s.hits),
            hit_ratio: Some(round6(s.hit_ratio())),
            revalidations: Some(s.stale),
            misses: Some(s.misses),
            collapsed: Some(s.collapsed),
            passed_through: Some(s.passed_through),
            bytes_hit: Some(s.bytes_hit),
            objects_at_end: end.map(|e| e.objects),
            used_bytes_at_end: end.map(|e| e.used_bytes),
            capacity_bytes: end.map(|e| e.capacity_bytes),
            evictions: end.map(|e| e.evictions),
            not_modified: None,
            errors_served: Some(s.errors_served),
            stale_served_on_error: Some(s.stale_served_on_error),
            background_revalidations: Some(s.background_revalidations),
            connect_failures: None,
            timeouts: None,
            error_responses: None,
            rejected_503: None,
            peak_in_service: None,
            peak_queued: None,
            mean_queue_wait_ms: None,
        }
    }
}

pub fn tier_rows(report: &Report, scenario: &Scenario) -> Vec<TierRow> {
    let m = &report.metrics;
    let topo = &scenario.topology;
    let n_edges = topo.edges.len();
    let mut rows = Vec::new();
    for (i, e) in topo.edges.iter().enumerate() {
        let region = topo.regional_caches[e.regional_cache].region.name;
        rows.push(TierRow::cache("edge", &e.name, region, &m.caches[i], Some(&report.caches[i])));
    }
    for (i, r) in topo.regional_caches.iter().enumerate() {
        let c = n_edges + i;
        rows.push(TierRow::cache("regional", &r.name, r.region.name, &m.caches[c], Some(&report.caches[c])));
    }
    for (i, r) in topo.regional_caches.iter().enumerate() {
        if scenario.origins.iter().any(|o| o.origin_shield == Some(i)) {
            rows.push(TierRow::cache("shield", &r.name, r.region.name, &m.shield_role[i], None));
        }
    }
    for (o, stats) in scenario.origins.iter().zip(&m.origins) {
        rows.push(TierRow {
            tier: "origin",
            name: o.name.clone(),
            region: o.region.name.to_string(),
            requests: stats.requests,
            hits: None,
            hit_ratio: None,
            revalidations: Some(stats.conditional),
            misses: None,
            collapsed: None,
            passed_through: None,
            bytes_hit: None,
            objects_at_end: None,
            used_bytes_at_end: None,
            capacity_bytes: None,
            evictions: None,
            not_modified: Some(stats.not_modified),
            errors_served: None,
            stale_served_on_error: None,
            connect_failures: Some(stats.connect_failures),
            timeouts: Some(stats.timeouts),
            error_responses: Some(stats.error_responses),
            rejected_503: Some(stats.rejected),
            peak_in_service: Some(stats.peak_in_service),
            peak_queued: Some(stats.peak_queued),
            mean_queue_wait_ms: Some(round3(ratio(stats.queued_us, stats.queued_requests) / 1e3)),
            background_revalidations: None,
        });
    }
    rows
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct BehaviorRow {
    pub index: usize,
    pub path_pattern: String,
    pub origin: String,
    pub requests: u64,
    pub hits: u64,
    pub hit_ratio: f64,
    pub refresh_hits: u64,
    pub misses: u64,
    pub errors: u64,
    pub redirects: u64,
    pub bytes: u64,
    pub latency_p50_ms: f64,
    pub latency_p99_ms: f64,
}

pub fn behavior_rows(report: &Report, scenario: &Scenario) -> Vec<BehaviorRow> {
    scenario
        .distribution
        .behaviors
        .iter()
        .zip(&report.metrics.behaviors)
        .enumerate()
        .map(|(index, (b, s))| {
            let latency = latency_summary(&s.latency_us);
            BehaviorRow {
                index,
                path_pattern: b.path_pattern.clone(),
                origin: scenario.origins[b.origin].name.clone(),
                requests: s.requests,
                hits: s.results.get(ResultType::Hit),
                hit_ratio: round6(ratio(s.results.hits(), s.requests)),
                refresh_hits: s.results.get(ResultType::RefreshHit),
                misses: s.results.get(ResultType::Miss),
                errors: s.results.get(ResultType::Error),
                redirects: s.results.get(ResultType::Redirect),
                bytes: s.bytes,
                latency_p50_ms: latency.p50,
                latency_p99_ms: latency.p99,
            }
        })
        .collect()
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct IntervalRow {
    pub start_s: f64,
    pub end_s: f64,
    pub requests: u64,
    pub requests_per_s: f64,
    pub hits: u64,
    pub hit_ratio: f64,
    pub origin_requests: u64,
    pub origin_requests_per_s: f64,
    pub failovers: u64,
    pub viewer_errors: u64,
    pub bytes: u64,
    pub latency_p50_ms: f64,
    pub latency_p99_ms: f64,
    /// Requests from CloudFront that an origin refused for their secret header.
    pub legit_refused: u64,
    /// The hits answered by an edge, a regional edge cache, an Origin Shield.
    pub edge_hits: u64,
    pub regional_hits: u64,
    pub shield_hits: u64,
    pub latency_p95_ms: f64,
    /// With `hits` and `viewer_errors`, the requests by result type.
    pub refresh_hits: u64,
    pub misses: u64,
    pub redirects: u64,
}

/// Every request started within the run's metrics intervals: the scenario
/// loader bounds a synthetic run's span and a trace source refuses a trace
/// that goes past it (`Scenario::metrics_horizon`), so anything else is a bug
/// and no result is made from it.
pub fn assert_intervals_fit(report: &Report) {
    assert!(
        !report.metrics.intervals_overflowed,
        "a request of {} started after its last metrics interval ({} of {}): the scenario's bound missed it",
        report.scenario,
        crate::metrics::MAX_INTERVALS,
        crate::units::format_duration(report.metrics.interval)
    );
}

/// Per metrics interval, by request start time; intervals inside the warm-up
/// are left out.
pub fn timeseries_rows(report: &Report) -> Vec<IntervalRow> {
    let m = &report.metrics;
    let width_s = m.interval.as_secs_f64();
    m.intervals
        .iter()
        .enumerate()
        .filter(|(i, s)| s.requests > 0 || (*i as f64 + 1.0) * width_s > m.warmup.as_secs_f64())
        .map(|(i, s)| {
            let latency = latency_summary(&s.latency_us);
            IntervalRow {
                start_s: round6(i as f64 * width_s),
                end_s: round6((i + 1) as f64 * width_s),
                requests: s.requests,
                requests_per_s: round3(s.requests as f64 / width_s),
                hits: s.results.get(ResultType::Hit),
                hit_ratio: round6(ratio(s.results.hits(), s.requests)),
                origin_requests: s.origin_requests,
                origin_requests_per_s: round3(s.origin_requests as f64 / width_s),
                failovers: s.failovers,
                viewer_errors: s.results.get(ResultType::Error),
                bytes: s.bytes,
                latency_p50_ms: latency.p50,
                latency_p99_ms: latency.p99,
                legit_refused: s.legit_refused,
                edge_hits: s.hits_by_tier[0],
                regional_hits: s.hits_by_tier[1],
                shield_hits: s.hits_by_tier[2],
                latency_p95_ms: latency.p95,
                refresh_hits: s.results.get(ResultType::RefreshHit),
                misses: s.results.get(ResultType::Miss),
                redirects: s.results.get(ResultType::Redirect),
            }
        })
        .collect()
}

/// One row of `faults.csv`: an origin fault window from the scenario, so
/// that charts can shade it.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct FaultRow {
    pub origin: String,
    pub kind: &'static str,
    pub start_s: f64,
    pub end_s: f64,
    /// The status a `status` fault answers, the share of requests it takes,
    /// the service-time multiplier of a `slow` fault; empty otherwise.
    pub status: Option<u16>,
    pub fraction: Option<f64>,
    pub factor: Option<f64>,
}

pub fn fault_rows(scenario: &Scenario) -> Vec<FaultRow> {
    use crate::scenario::FaultKind;
    scenario
        .faults
        .iter()
        .map(|f| {
            let (kind, status, fraction, factor) = match f.kind {
                FaultKind::Down => ("down", None, None, None),
                FaultKind::Blackhole => ("blackhole", None, None, None),
                FaultKind::Slow { factor } => ("slow", None, None, Some(factor)),
                FaultKind::Status { status, fraction } => ("status", Some(status), Some(fraction), None),
            };
            FaultRow {
                origin: scenario.origins[f.origin].name.clone(),
                kind,
                start_s: round6(f.start.0 as f64 / 1e6),
                end_s: round6(f.end.0 as f64 / 1e6),
                status,
                fraction,
                factor,
            }
        })
        .collect()
}

/// Serialises rows as CSV with a header.
pub fn csv_bytes<T: Serialize>(rows: &[T]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.serialize(row)?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

/// The summary as one JSON object.
pub fn summary_json(summary: &Summary) -> String {
    serde_json::to_string(summary).expect("the summary has no maps with non-string keys")
}

fn summary_csv(s: &Summary) -> anyhow::Result<Vec<u8>> {
    csv_bytes(&[SummaryCsvRow {
        scenario: &s.scenario,
        seed: s.seed,
        requests: s.requests,
        hits: s.hits,
        hit_ratio: s.hit_ratio,
        refresh_hits: s.refresh_hits,
        misses: s.misses,
        errors: s.errors,
        errors_4xx: s.errors_4xx,
        errors_5xx: s.errors_5xx,
        bytes_requested: s.bytes_requested,
        bytes_hit: s.bytes_hit,
        byte_hit_ratio: s.byte_hit_ratio,
        edge_hit_ratio: s.edge_hit_ratio,
        regional_hit_ratio: s.regional_hit_ratio,
        shield_hit_ratio: s.shield_hit_ratio,
        origin_requests: s.origin_requests,
        origin_bytes: s.origin_bytes,
        origin_offload: s.origin_offload,
        origin_peak_requests_per_s: s.origin_peak_requests_per_s,
        collapsed: s.collapsed,
        latency_p50_ms: s.latency_ms.p50,
        latency_p95_ms: s.latency_ms.p95,
        latency_p99_ms: s.latency_ms.p99,
        latency_mean_ms: s.latency_ms.mean,
        latency_max_ms: s.latency_ms.max,
        events: s.events,
        requests_simulated: s.requests_simulated,
        simulated_seconds: s.simulated_seconds,
        viewer_http: s.protocol.viewer_http,
        viewer_https: s.protocol.viewer_https,
        redirects: s.redirects,
        refused_http: s.protocol.refused_http,
        origin_http: s.protocol.origin_http,
        origin_https: s.protocol.origin_https,
        direct_requests: s.origin_access.as_ref().map_or(0, |a| a.direct_requests),
        direct_refused: s.origin_access.as_ref().map_or(0, |a| a.direct_refused),
        legit_refused: s.origin_access.as_ref().map_or(0, |a| a.legit_refused),
        secret_in_clear_viewer_legs: s.origin_access.as_ref().map_or(0, |a| a.secret_in_clear_viewer_legs),
        secret_in_clear_origin_legs: s.origin_access.as_ref().map_or(0, |a| a.secret_in_clear_origin_legs),
        background_revalidations: s.background_revalidations,
    }])
}

/// `faults.csv`, with its header even when the scenario has no faults.
fn faults_csv(scenario: &Scenario) -> anyhow::Result<Vec<u8>> {
    let rows = fault_rows(scenario);
    if rows.is_empty() {
        return Ok(b"origin,kind,start_s,end_s,status,fraction,factor\n".to_vec());
    }
    csv_bytes(&rows)
}

/// `scenario.toml` in a run's results: the scenario file as given, headed by
/// comments with what the command line changed, so a report can show what
/// ran and a person can run it again.
pub fn scenario_record(text: &str, path: &Path, seed: u64, requests: Option<u64>, sets: &[String]) -> Vec<u8> {
    let mut out = format!("# Scenario of this run: {}\n# seed {seed}\n", path.display());
    if let Some(n) = requests {
        out += &format!("# --requests {n}\n");
    }
    for set in sets {
        out += &format!("# --set {}\n", set.replace(['\n', '\r'], " "));
    }
    out.push('\n');
    out.push_str(text);
    out.into_bytes()
}

/// Every result file of a run, as (file name, bytes) (`result_types.csv`
/// for every run); `cache_keys.csv`
/// only when some behavior's key holds more than the path, and
/// `compression.csv` only when some behavior compresses.
pub fn result_files(report: &Report, scenario: &Scenario) -> anyhow::Result<Vec<(&'static str, Vec<u8>)>> {
    let usage = scaled_usage(report, scenario, scenario.cost.period)?;
    let bill = cost::bill(&usage, &scenario.cost)?;
    assert_intervals_fit(report);
    let mut files = vec![
        ("summary.csv", summary_csv(&summary_of(report, scenario, &usage, &bill))?),
        ("tiers.csv", csv_bytes(&tier_rows(report, scenario))?),
        ("behaviors.csv", csv_bytes(&behavior_rows(report, scenario))?),
        ("timeseries.csv", csv_bytes(&timeseries_rows(report))?),
        ("failover.csv", failover_csv(report, scenario)?),
        ("signing.csv", csv_bytes(&signing_rows(report))?),
        ("faults.csv", faults_csv(scenario)?),
        ("result_types.csv", csv_bytes(&result_type_rows(report, scenario))?),
        ("usage.csv", usage::usage_csv(&usage)),
        ("cost.csv", cost::cost_csv(&bill)),
    ];
    // Only when a behavior runs a function: other runs write what they always did.
    if scenario.uses_edge_functions() {
        files.push(("functions.csv", csv_bytes(&function_rows(report, scenario))?));
    }
    if scenario.keys_vary() {
        files.push(("cache_keys.csv", csv_bytes(&cache_key_rows(report, scenario))?));
    }
    if scenario.uses_compression() {
        files.push(("compression.csv", csv_bytes(&compression_rows(report))?));
    }
    if scenario.origin_requests_modelled() {
        files.push(("origin_requests.csv", csv_bytes(&origin_request_rows(report, scenario))?));
    }
    if !scenario.invalidations.is_empty() {
        files.push(("invalidations.csv", csv_bytes(&invalidation_rows(report, scenario))?));
    }
    if scenario.uses_ranges() {
        files.push(("ranges.csv", csv_bytes(&range_rows(report, scenario))?));
    }
    if !scenario.distribution.custom_error_responses.is_empty() {
        files.push(("errors.csv", csv_bytes(&error_rows(report, scenario))?));
    }
    if scenario.connections.is_some() {
        files.push(("connections.csv", csv_bytes(&connection_rows(report, scenario))?));
    }
    if let Some(rows) = viewer_rows(report, scenario) {
        files.push(("viewers.csv", csv_bytes(&rows)?));
    }
    Ok(files)
}

/// Writes files into `dir` all or nothing: each goes to a temporary name
/// first, and the renames happen only after every file was written.
pub fn write_files(dir: &Path, files: &[(&str, Vec<u8>)]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create the results folder {}", dir.display()))?;
    let mut written = Vec::new();
    for (name, bytes) in files {
        let tmp = dir.join(format!(".{name}.tmp"));
        if let Err(e) = std::fs::write(&tmp, bytes) {
            for t in &written {
                let _ = std::fs::remove_file(t);
            }
            let _ = std::fs::remove_file(&tmp);
            return Err(e).with_context(|| format!("cannot write {}", tmp.display()));
        }
        written.push(tmp);
    }
    for ((name, _), tmp) in files.iter().zip(&written) {
        let path = dir.join(name);
        std::fs::rename(tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// The warning for a run that measured nothing: every request fell inside
/// the warm-up.
pub fn nothing_measured_warning(report: &Report, scenario: &Scenario, summary: &Summary) -> Option<String> {
    (summary.requests == 0).then(|| {
        format!(
            "all {} requests fell inside the warm-up ({}); nothing was measured \
             (lower simulation.warmup or simulate more requests)",
            report.requests_simulated,
            crate::units::format_duration(scenario.simulation.warmup)
        )
    })
}

/// A readable table of the headline numbers, for the terminal.
pub fn summary_table(s: &Summary) -> String {
    use crate::units::format_size;
    use std::fmt::Write;
    let mut out = String::new();
    let pct = |x: f64| format!("{:.2}%", x * 100.0);
    let rows: Vec<(&str, String)> = vec![
        ("requests (measured)", format!("{}", s.requests)),
        ("  hit / refresh / miss", format!("{} / {} / {}", s.hits, s.refresh_hits, s.misses)),
        ("  error / redirect", format!("{} / {}", s.errors, s.redirects)),
        ("hit ratio (any cache)", pct(s.hit_ratio)),
        ("  edge hit ratio", pct(s.edge_hit_ratio)),
        ("  regional hit ratio", pct(s.regional_hit_ratio)),
        ("  origin shield hit ratio", pct(s.shield_hit_ratio)),
        ("  collapsed misses", format!("{}", s.collapsed)),
        ("byte hit ratio", pct(s.byte_hit_ratio)),
        ("bytes to viewers", format_size(s.bytes_requested)),
        ("origin requests", format!("{} (offload {})", s.origin_requests, pct(s.origin_offload))),
        ("origin bytes", format_size(s.origin_bytes)),
        ("errors 4xx / 5xx", format!("{} / {}", s.errors_4xx, s.errors_5xx)),
        (
            "latency p50 / p95 / p99",
            format!("{:.1} / {:.1} / {:.1} ms", s.latency_ms.p50, s.latency_ms.p95, s.latency_ms.p99),
        ),
        ("latency mean / max", format!("{:.1} / {:.1} ms", s.latency_ms.mean, s.latency_ms.max)),
    ];
    let _ = writeln!(out, "{} (seed {})", s.scenario, s.seed);
    for (name, value) in rows {
        let _ = writeln!(out, "  {name:<26} {value}");
    }
    if let Some(line) = result_types::summary_line(&s.detailed_result_types) {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "  by method:");
    for (method, m) in &s.by_method {
        let _ = writeln!(
            out,
            "    {method:<8} {:>10} requests  {:>7} hit  {} 4xx  {} 5xx",
            m.requests,
            pct(ratio(m.hits, m.requests)),
            m.errors_4xx,
            m.errors_5xx
        );
    }
    for (method, f) in &s.failover {
        if f.reached_origin_group == 0 && f.failovers == 0 {
            continue;
        }
        let _ = writeln!(
            out,
            "  failover {method:<8} {} to an origin group, {} primary failures, {} failed over, {} served by the secondary, +{:.0} ms p50",
            f.reached_origin_group, f.primary_failures, f.failovers, f.served_by_secondary, f.failover_added_ms.p50
        );
    }
    if let Some(signing) = &s.signing {
        let reasons: Vec<String> = signing.by_reason.iter().map(|(r, n)| format!("{r} {n}")).collect();
        let _ = writeln!(
            out,
            "  signed requests            {} checked, {} accepted, {} rejected{}{}",
            signing.checked,
            signing.accepted,
            signing.rejected,
            if reasons.is_empty() { "" } else { ": " },
            reasons.join(", ")
        );
    }
    let p = &s.protocol;
    if p.viewer_http > 0 || p.origin_http > 0 {
        let _ = writeln!(
            out,
            "  viewer http / https        {} / {} ({} redirected, {} refused); origin http / https {} / {}",
            p.viewer_http, p.viewer_https, p.redirects, p.refused_http, p.origin_http, p.origin_https
        );
    }
    if let Some(a) = &s.origin_access {
        let _ = writeln!(
            out,
            "  origin access              {} direct ({} refused), {} from CloudFront refused, secret in clear {} \
             (viewer legs {}, origin legs {})",
            a.direct_requests,
            a.direct_refused,
            a.legit_refused,
            a.secret_in_clear_viewer_legs + a.secret_in_clear_origin_legs,
            a.secret_in_clear_viewer_legs,
            a.secret_in_clear_origin_legs
        );
    }
    if let Some(f) = &s.functions {
        let _ = writeln!(
            out,
            "  edge functions             {} invocations, {} cold starts, {} timed out; {:.1} ms waited ({} of latency)",
            f.invocations,
            f.cold_starts,
            f.failures,
            f.waited_ms,
            pct(f.latency_share)
        );
        for a in &f.associations {
            let _ = writeln!(
                out,
                "    {:<15} {} ({}) on {}: {} runs, {} cold, waited p50 / p95 / p99 {:.2} / {:.2} / {:.2} ms",
                a.event,
                a.function,
                a.kind,
                a.path_pattern,
                a.invocations,
                a.cold_starts,
                a.waited_p50_ms,
                a.waited_p95_ms,
                a.waited_p99_ms
            );
        }
    }
    if let Some(keys) = &s.cache_keys {
        let _ = writeln!(out, "{}", cache_keys::summary_line(keys));
    }
    if let Some(c) = &s.compression {
        let _ = writeln!(out, "{}", compression::summary_line(c));
    }
    if let Some(forwarding) = &s.origin_forwarding {
        let _ = writeln!(out, "{}", origin_requests::summary_line(forwarding));
    }
    if let Some(inv) = &s.invalidations {
        let _ = writeln!(out, "{}", invalidations::summary_line(inv));
    }
    if let Some(r) = &s.ranges {
        let _ = writeln!(out, "{}", ranges::summary_line(r));
    }
    if let Some(e) = &s.custom_errors {
        let _ = writeln!(out, "{}", errors::summary_line(e));
    }
    if let Some(c) = &s.connections {
        let _ = writeln!(out, "{}", connections::summary_line(c));
    }
    // Only runs that revalidate in the background print the line.
    if s.background_revalidations > 0 {
        let _ = writeln!(
            out,
            "  background revalidations   {} (stale-while-revalidate: expired copies served at once, refreshed behind)",
            s.background_revalidations
        );
    }
    let _ = writeln!(out, "  usage.csv scaled by        {}", usage::scaling_line(&s.usage));
    let _ = writeln!(out, "estimated monthly cost       {}", cost::cost_line(&s.cost));
    let _ = writeln!(
        out,
        "  simulated {} requests, {} events, {:.1} s of simulated time",
        s.requests_simulated, s.events, s.simulated_seconds
    );
    out
}
