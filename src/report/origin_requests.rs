//! What reached the origin beyond the cache key, in a run's results: per
//! origin the responses it could not tailor (it varies on a value the request
//! carried but did not forward), per behavior the requests answered with a
//! copy the origin tailored for another value (forwarded, not keyed), in
//! `origin_requests.csv`, with their totals in the summary. Only for a
//! scenario that models origin requests (`Scenario::origin_requests_modelled`):
//! other runs' files are exactly what they were.

use crate::engine::Report;
use crate::metrics::ratio;
use crate::scenario::Scenario;
use serde::Serialize;

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// The run's totals, for `summary.json` and the summary table.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct OriginRequestSummary {
    /// Requests the origins received (every origin).
    pub origin_requests: u64,
    /// Of their responses, those the origin could not tailor, and their share.
    pub untailored: u64,
    pub untailored_share: f64,
    /// Viewer requests answered with a copy tailored for another value, and
    /// their share of the viewer requests.
    pub mistailored: u64,
    pub mistailored_share: f64,
}

pub fn origin_request_summary(report: &Report, scenario: &Scenario) -> Option<OriginRequestSummary> {
    if !scenario.origin_requests_modelled() {
        return None;
    }
    let m = &report.metrics;
    let origin_requests: u64 = m.origins.iter().map(|o| o.requests).sum();
    let untailored: u64 = m.origins.iter().map(|o| o.untailored).sum();
    let mistailored: u64 = m.behaviors.iter().map(|b| b.mistailored).sum();
    Some(OriginRequestSummary {
        origin_requests,
        untailored,
        untailored_share: round6(ratio(untailored, origin_requests)),
        mistailored,
        mistailored_share: round6(ratio(mistailored, m.requests)),
    })
}

/// One row of `origin_requests.csv`: a behavior (its viewer requests and
/// those answered with another value's copy) or an origin (the requests it
/// received and the responses it could not tailor).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct OriginRequestRow {
    /// `behavior` or `origin`.
    pub scope: &'static str,
    /// The behavior's path pattern, or the origin's name.
    pub name: String,
    /// The behavior's cache policy (`legacy` without one); empty for an origin.
    pub cache_policy: String,
    /// The behavior's origin request policy (`none` without one); empty for an origin.
    pub origin_request_policy: String,
    /// The behavior's viewer requests, or the origin's requests.
    pub requests: u64,
    /// An origin's responses it could not tailor; 0 for a behavior.
    pub untailored: u64,
    /// A behavior's requests answered with another value's copy; 0 for an origin.
    pub mistailored: u64,
    /// `untailored` or `mistailored` over `requests`.
    pub share: f64,
}

pub fn origin_request_rows(report: &Report, scenario: &Scenario) -> Vec<OriginRequestRow> {
    let m = &report.metrics;
    let behaviors = scenario.distribution.behaviors.iter().zip(&m.behaviors).map(|(b, s)| OriginRequestRow {
        scope: "behavior",
        name: b.path_pattern.clone(),
        cache_policy: b.cache_policy.clone().unwrap_or_else(|| "legacy".into()),
        origin_request_policy: b.origin_request.as_ref().map_or_else(|| "none".into(), |p| p.name.clone()),
        requests: s.requests,
        untailored: 0,
        mistailored: s.mistailored,
        share: round6(ratio(s.mistailored, s.requests)),
    });
    let origins = scenario.origins.iter().zip(&m.origins).map(|(o, s)| OriginRequestRow {
        scope: "origin",
        name: o.name.clone(),
        cache_policy: String::new(),
        origin_request_policy: String::new(),
        requests: s.requests,
        untailored: s.untailored,
        mistailored: 0,
        share: round6(ratio(s.untailored, s.requests)),
    });
    behaviors.chain(origins).collect()
}

/// The summary table's line, when origin requests are modelled.
pub fn summary_line(s: &OriginRequestSummary) -> String {
    format!(
        "  origin forwarding          {} of {} origin responses untailored ({:.2}%); {} viewer requests got a copy \
         tailored for another value ({:.2}%)",
        s.untailored,
        s.origin_requests,
        100.0 * s.untailored_share,
        s.mistailored,
        100.0 * s.mistailored_share
    )
}
