//! `viewers.csv`: one row per viewer population (`cdn::viewers`): where
//! its viewers are, the edge location that serves them and the region that
//! bills it, and the requests they sent with their mean round trip. Only
//! for a scenario with `[viewers]` or a price class that excludes some edge
//! location: other runs' files are exactly what they were.

use crate::cdn::viewers::{LastMile, ViewerPopulations};
use crate::engine::Report;
use crate::metrics::ratio;
use crate::scenario::Scenario;
use serde::Serialize;

/// One row of `viewers.csv`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ViewerRow {
    pub population: String,
    /// ISO 3166-1 alpha-2.
    pub country: &'static str,
    /// The edge location that serves it.
    pub edge: String,
    /// The usage region that edge bills in, after the price class's rule
    /// (`PriceClass::billed_region`).
    pub billed_region: &'static str,
    /// The geographic round trip between the viewers and that edge, in ms
    /// (0 for an edge's own viewers served there).
    pub geo_rtt_ms: f64,
    /// Whether the distribution's geo restriction refuses its viewers.
    pub refused: bool,
    pub requests: u64,
    /// Share of the run's requests.
    pub request_share: f64,
    /// Mean viewer round trip (last mile plus geographic), in ms.
    pub viewer_rtt_ms_mean: f64,
}

/// The rows, populations in `cdn::viewers` order, those with no request
/// and no weight of their own (an edge's own viewers when `[viewers]`
/// replaces them) left out; `None` when the run counted no populations.
pub fn viewer_rows(report: &Report, scenario: &Scenario) -> Option<Vec<ViewerRow>> {
    let stats = report.metrics.populations.as_ref()?;
    let viewers = ViewerPopulations::build(scenario);
    let refused = viewers.refused(scenario);
    let class = scenario.distribution.price_class;
    let rows = viewers
        .populations
        .iter()
        .enumerate()
        .filter(|(i, p)| {
            let drawn = viewers.source_population.contains(&(*i as u16));
            // An edge's own population that no source draws serves only a
            // trace's requests; listed when it has some.
            drawn || (matches!(p.last_mile, LastMile::EdgeViewers(_)) && stats[*i].requests > 0)
        })
        .map(|(i, p)| {
            let edge = &scenario.topology.edges[p.edge];
            let s = stats[i];
            ViewerRow {
                population: p.name.clone(),
                country: p.country.code,
                edge: edge.name.clone(),
                billed_region: class.billed_region(edge.price_region).as_str(),
                geo_rtt_ms: (p.geo_rtt_ms * 1e3).round() / 1e3,
                refused: refused.as_ref().is_some_and(|r| r[i]),
                requests: s.requests,
                request_share: (ratio(s.requests, report.metrics.requests) * 1e6).round() / 1e6,
                // Microseconds, rounded, as milliseconds.
                viewer_rtt_ms_mean: ratio(s.viewer_rtt_sum_us, s.requests).round() / 1e3,
            }
        })
        .collect();
    Some(rows)
}
