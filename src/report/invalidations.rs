//! Invalidations in a run's results: paths submitted and billed and objects
//! removed per tier in the summary, and `invalidations.csv` (one row per
//! invalidation and tier). Only for a scenario with `[[invalidations]]`:
//! other runs' files are exactly what they were.

use crate::engine::Report;
use crate::metrics::invalidations::TIERS;
use crate::policy::invalidation::billed_paths;
use crate::scenario::Scenario;
use serde::Serialize;

/// The run's totals, for `summary.json` and the summary table.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct InvalidationSummary {
    pub invalidations: u64,
    /// Paths submitted; a wildcard path is one.
    pub paths: u64,
    /// Paths past the month's free 1,000 (the run is taken as one month's).
    pub paths_billed: u64,
    /// Cached objects removed at edge locations and at regional edge caches.
    pub objects_removed_edge: u64,
    pub objects_removed_regional: u64,
    /// The longest time from an invalidation's submission until the last
    /// cache had it, in seconds: while it lasts, some locations still serve
    /// the old copies.
    pub longest_window_s: f64,
}

pub fn invalidation_summary(report: &Report) -> Option<InvalidationSummary> {
    let inv = report.metrics.invalidations.as_ref()?;
    Some(InvalidationSummary {
        invalidations: inv.paths.len() as u64,
        paths: inv.paths_total(),
        paths_billed: billed_paths(inv.paths_total()),
        objects_removed_edge: inv.removed_in(0),
        objects_removed_regional: inv.removed_in(1),
        longest_window_s: inv.longest_window().as_secs_f64(),
    })
}

/// One row of `invalidations.csv`: one invalidation at one tier.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct InvalidationRow {
    /// Its index in `[[invalidations]]`.
    pub invalidation: usize,
    /// When it was submitted, in seconds.
    pub at_s: f64,
    /// Its paths, separated by spaces.
    pub paths: String,
    /// `edge` or `regional`.
    pub tier: &'static str,
    /// Caches of the tier it reached (all of them, by the end of the run).
    pub caches_reached: u64,
    pub objects_removed: u64,
    /// Seconds from submission until the tier's last cache had it.
    pub window_s: f64,
}

pub fn invalidation_rows(report: &Report, scenario: &Scenario) -> Vec<InvalidationRow> {
    let Some(inv) = &report.metrics.invalidations else { return Vec::new() };
    let mut rows = Vec::new();
    for (i, spec) in scenario.invalidations.iter().enumerate() {
        for (tier, name) in TIERS.iter().enumerate() {
            rows.push(InvalidationRow {
                invalidation: i,
                at_s: spec.at.as_secs_f64(),
                paths: spec.paths.join(" "),
                tier: name,
                caches_reached: inv.reached[i][tier],
                objects_removed: inv.removed[i][tier],
                window_s: inv.window[i][tier].as_secs_f64(),
            });
        }
    }
    rows
}

pub fn summary_line(s: &InvalidationSummary) -> String {
    format!(
        "  invalidations              {} with {} paths ({} billed past the free 1,000); objects removed: {} at \
         edges, {} at regional caches; every cache had them {:.1} s after submission",
        s.invalidations,
        s.paths,
        s.paths_billed,
        s.objects_removed_edge,
        s.objects_removed_regional,
        s.longest_window_s
    )
}
