//! Custom error responses in a run's results: `errors.csv` (one row per
//! status code the distribution configures or the run met) and the
//! summary's `custom_errors`. Only for a distribution with
//! `[[distribution.custom_error_responses]]`: other runs' files are exactly
//! what they were.

use crate::engine::Report;
use crate::metrics::CodeCounts;
use crate::policy::error_caching;
use crate::scenario::Scenario;
use serde::Serialize;

/// The run's totals, for `summary.json` and the summary table.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ErrorsSummary {
    /// Entries in `[[distribution.custom_error_responses]]`.
    pub custom_error_responses: u64,
    pub errors_from_origin: u64,
    pub errors_from_cache: u64,
    pub errors_to_viewers: u64,
    pub page_fetches: u64,
    pub pages_served: u64,
    pub page_failures: u64,
}

pub fn errors_summary(report: &Report, scenario: &Scenario) -> Option<ErrorsSummary> {
    let total = report.metrics.errors.as_ref()?.total();
    Some(ErrorsSummary {
        custom_error_responses: scenario.distribution.custom_error_responses.len() as u64,
        errors_from_origin: total.from_origin,
        errors_from_cache: total.from_cache,
        errors_to_viewers: total.to_viewers,
        page_fetches: total.page_fetches,
        pages_served: total.pages_served,
        page_failures: total.page_failures,
    })
}

/// One row of `errors.csv`: one status code.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ErrorRow {
    pub status: u16,
    /// Whether `[[distribution.custom_error_responses]]` names the code.
    pub configured: bool,
    /// How long caches keep this error, in seconds (its entry's, else the
    /// distribution's); 416 is never cached, whatever it says.
    pub error_caching_min_ttl_s: f64,
    /// The custom page's path, empty for none.
    pub response_page_path: String,
    /// The status the page goes with; empty when the page keeps the error's.
    pub response_code: Option<u16>,
    /// Errors with this code that origins answered (or CloudFront, for an
    /// origin it could not reach), custom page fetches included.
    pub from_origin: u64,
    /// Lookups answered by a cached error, at any tier.
    pub from_cache: u64,
    /// Viewer requests whose response was this error at the edge.
    pub to_viewers: u64,
    pub page_fetches: u64,
    pub pages_served: u64,
    /// Page fetches that met an error: the viewer got that error instead.
    pub page_failures: u64,
}

pub fn error_rows(report: &Report, scenario: &Scenario) -> Vec<ErrorRow> {
    let Some(stats) = &report.metrics.errors else { return Vec::new() };
    let distribution = &scenario.distribution;
    let custom = &distribution.custom_error_responses;
    let mut codes: Vec<u16> =
        custom.iter().map(|c| c.error_code).chain(stats.counted().map(|(code, _)| code)).collect();
    codes.sort_unstable();
    codes.dedup();
    let counted: Vec<(u16, CodeCounts)> = stats.counted().map(|(code, c)| (code, *c)).collect();
    codes
        .into_iter()
        .map(|status| {
            let entry = custom.iter().find(|c| c.error_code == status);
            let page = entry.and_then(|c| c.page.as_ref());
            let c = counted.iter().find(|(code, _)| *code == status).map_or(CodeCounts::default(), |(_, c)| *c);
            ErrorRow {
                status,
                configured: entry.is_some(),
                error_caching_min_ttl_s: error_caching::min_ttl_for(status, custom, distribution.error_caching_min_ttl)
                    .as_secs_f64(),
                response_page_path: page.map_or(String::new(), |p| p.path.clone()),
                response_code: page.and_then(|p| p.response_code),
                from_origin: c.from_origin,
                from_cache: c.from_cache,
                to_viewers: c.to_viewers,
                page_fetches: c.page_fetches,
                pages_served: c.pages_served,
                page_failures: c.page_failures,
            }
        })
        .collect()
}

pub fn summary_line(s: &ErrorsSummary) -> String {
    format!(
        "  custom errors              {} codes configured; errors: {} from origins, {} answered by caches, {} to \
         viewers; custom pages: {} fetched, {} served, {} failed",
        s.custom_error_responses,
        s.errors_from_origin,
        s.errors_from_cache,
        s.errors_to_viewers,
        s.page_fetches,
        s.pages_served,
        s.page_failures
    )
}
