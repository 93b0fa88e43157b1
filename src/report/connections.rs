//! Connections in a run's results: origin connections opened and reused
//! (with their handshake time) and viewer connections by HTTP version (with
//! theirs) in the summary, and `connections.csv` (one row per cache and
//! origin it fetched from, and per edge location and HTTP version its
//! viewers spoke). Only for a scenario with `[connections]`: other runs'
//! files are exactly what they were.

use crate::engine::Report;
use crate::metrics::ratio;
use crate::scenario::{Scenario, ViewerHttpVersion};
use serde::Serialize;

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn round3(x: f64) -> f64 {
    (x * 1e3).round() / 1e3
}

/// The run's totals, for `summary.json` and the summary table.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ConnectionSummary {
    /// Origin fetches that opened a connection (refused ones included),
    /// and those that reused an idle one, over every cache and origin.
    pub origin_opened: u64,
    pub origin_reused: u64,
    /// reused / (opened + reused).
    pub origin_reuse_ratio: f64,
    /// Time the origin handshakes took, per origin fetch, in milliseconds.
    pub origin_handshake_ms_per_fetch: f64,
    /// Viewer requests that opened a connection and that reused one.
    pub viewer_opened: u64,
    pub viewer_reused: u64,
    /// Viewer requests by the HTTP version spoken: HTTP/1.1, HTTP/2, HTTP/3.
    pub viewer_http1_1: u64,
    pub viewer_http2: u64,
    pub viewer_http3: u64,
    /// Time viewers' handshakes took, per request, in milliseconds, and as
    /// a share of the requests' summed latency (each handshake adds to its
    /// request's latency whole).
    pub viewer_handshake_ms_per_request: f64,
    pub viewer_handshake_latency_share: f64,
}

pub fn connection_summary(report: &Report) -> Option<ConnectionSummary> {
    let c = report.metrics.connections.as_ref()?;
    let (origin, viewer) = (c.origin_total(), c.viewer_total());
    let by_version = |v: ViewerHttpVersion| viewer.opened[v.index()] + viewer.reused[v.index()];
    let fetches = origin.opened + origin.reused;
    let requests = viewer.opened.iter().chain(&viewer.reused).sum();
    Some(ConnectionSummary {
        origin_opened: origin.opened,
        origin_reused: origin.reused,
        origin_reuse_ratio: round6(ratio(origin.reused, fetches)),
        origin_handshake_ms_per_fetch: round3(ratio(origin.handshake_us, fetches) / 1e3),
        viewer_opened: viewer.opened.iter().sum(),
        viewer_reused: viewer.reused.iter().sum(),
        viewer_http1_1: by_version(ViewerHttpVersion::Http1_1),
        viewer_http2: by_version(ViewerHttpVersion::Http2),
        viewer_http3: by_version(ViewerHttpVersion::Http3),
        viewer_handshake_ms_per_request: round3(ratio(viewer.handshake_us, requests) / 1e3),
        viewer_handshake_latency_share: round6(ratio(viewer.handshake_us, report.metrics.latency_sum_us)),
    })
}

/// One row of `connections.csv`: a cache's connections to one origin
/// (`kind` "origin"), or an edge location's viewer connections of one
/// HTTP version (`kind` "viewer"). Pairs with no connection are left out.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ConnectionRow {
    pub kind: &'static str,
    /// `edge` or `regional` (a regional edge cache, in either role).
    pub tier: &'static str,
    pub cache: String,
    /// The origin, for origin connections; empty for viewers'.
    pub origin: String,
    /// The HTTP version, for viewer connections; empty for origins'.
    pub http_version: &'static str,
    pub opened: u64,
    pub reused: u64,
    /// Handshake time of the connections opened, in milliseconds (for
    /// viewers, over every version: on the edge's first row).
    pub handshake_ms: f64,
}

pub fn connection_rows(report: &Report, scenario: &Scenario) -> Vec<ConnectionRow> {
    let Some(c) = &report.metrics.connections else { return Vec::new() };
    let topo = &scenario.topology;
    let n_edges = topo.edges.len();
    let cache_name = |i: usize| -> (&'static str, String) {
        if i < n_edges {
            ("edge", topo.edges[i].name.clone())
        } else {
            ("regional", topo.regional_caches[i - n_edges].name.clone())
        }
    };
    let mut rows = Vec::new();
    for cache in 0..c.origin.len() / c.n_origins.max(1) {
        for (o, origin) in scenario.origins.iter().enumerate() {
            let counts = c.origin_at(cache, o);
            if counts.opened + counts.reused == 0 {
                continue;
            }
            let (tier, name) = cache_name(cache);
            rows.push(ConnectionRow {
                kind: "origin",
                tier,
                cache: name,
                origin: origin.name.clone(),
                http_version: "",
                opened: counts.opened,
                reused: counts.reused,
                handshake_ms: counts.handshake_us as f64 / 1e3,
            });
        }
    }
    for (e, edge) in c.viewer.iter().enumerate() {
        let mut handshake_us = edge.handshake_us;
        for v in ViewerHttpVersion::ALL {
            let (opened, reused) = (edge.opened[v.index()], edge.reused[v.index()]);
            if opened + reused == 0 {
                continue;
            }
            rows.push(ConnectionRow {
                kind: "viewer",
                tier: "edge",
                cache: topo.edges[e].name.clone(),
                origin: String::new(),
                http_version: v.log_text(),
                opened,
                reused,
                handshake_ms: std::mem::take(&mut handshake_us) as f64 / 1e3,
            });
        }
    }
    rows
}

pub fn summary_line(s: &ConnectionSummary) -> String {
    format!(
        "  connections                origin: {} opened, {} reused ({:.1}% reused), {:.2} ms of handshake per \
         fetch; viewers: {} opened, {} reused (HTTP/1.1 {}, HTTP/2 {}, HTTP/3 {}), {:.2} ms of handshake per \
         request ({:.1}% of latency)",
        s.origin_opened,
        s.origin_reused,
        s.origin_reuse_ratio * 100.0,
        s.origin_handshake_ms_per_fetch,
        s.viewer_opened,
        s.viewer_reused,
        s.viewer_http1_1,
        s.viewer_http2,
        s.viewer_http3,
        s.viewer_handshake_ms_per_request,
        s.viewer_handshake_latency_share * 100.0
    )
}
