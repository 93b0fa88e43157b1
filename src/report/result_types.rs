//! The requests by CloudFront's `x-edge-detailed-result-type` (reference §8,
//! `policy::result_type`): `result_types.csv`, one row per behavior and
//! detailed type, and the summary's `detailed_result_types`. Every run
//! writes them: the counts are what a CloudFront standard log of the run
//! would give when grouped by the two fields.

use crate::engine::Report;
use crate::metrics::{DetailedCounts, DetailedResultType, ratio};
use crate::scenario::Scenario;
use serde::Serialize;
use std::collections::BTreeMap;

/// One row of `result_types.csv`: a behavior's requests of one detailed
/// result type. Every behavior has a row for every detailed type cdnsim
/// simulates, so files from different runs line up; the rows of `all` are
/// the distribution's totals.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ResultTypeRow {
    /// The behavior's index, or `all`.
    pub behavior: String,
    /// Its path pattern; empty for `all`.
    pub path_pattern: String,
    /// `x-edge-result-type`, which the detailed type refines.
    pub result_type: &'static str,
    pub detailed_result_type: &'static str,
    pub requests: u64,
    /// Of the behavior's requests.
    pub share: f64,
}

fn rows_of(behavior: String, path_pattern: &str, counts: &DetailedCounts) -> impl Iterator<Item = ResultTypeRow> {
    let (total, path_pattern) = (counts.total(), path_pattern.to_string());
    DetailedResultType::ALL.into_iter().map(move |d| ResultTypeRow {
        behavior: behavior.clone(),
        path_pattern: path_pattern.clone(),
        result_type: d.result_type().as_str(),
        detailed_result_type: d.as_str(),
        requests: counts.get(d),
        share: (ratio(counts.get(d), total) * 1e6).round() / 1e6,
    })
}

pub fn result_type_rows(report: &Report, scenario: &Scenario) -> Vec<ResultTypeRow> {
    let m = &report.metrics;
    let behaviors = scenario.distribution.behaviors.iter().zip(&m.behaviors).enumerate();
    let mut rows: Vec<ResultTypeRow> =
        behaviors.flat_map(|(i, (b, s))| rows_of(i.to_string(), &b.path_pattern, &s.detailed)).collect();
    rows.extend(rows_of("all".to_string(), "", &m.detailed));
    rows
}

/// The run's requests by detailed result type, by the log's spelling
/// (every type cdnsim simulates, 0 included), for the JSON summary.
pub fn detailed_result_types(report: &Report) -> BTreeMap<String, u64> {
    let counts = &report.metrics.detailed;
    DetailedResultType::ALL.iter().map(|d| (d.as_str().to_string(), counts.get(*d))).collect()
}

/// The summary table's line: the detailed types that say more than the
/// result type (Origin Shield hits, the causes of errors); `None` when no
/// request had one.
pub fn summary_line(detailed: &BTreeMap<String, u64>) -> Option<String> {
    let plain = ["Hit", "RefreshHit", "Miss", "Redirect"];
    let parts: Vec<String> = DetailedResultType::ALL
        .iter()
        .map(|d| d.as_str())
        .filter(|name| !plain.contains(name))
        .filter_map(|name| detailed.get(name).filter(|n| **n > 0).map(|n| format!("{name} {n}")))
        .collect();
    (!parts.is_empty()).then(|| format!("  detailed result types      {}", parts.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_line_names_only_what_says_more_than_the_result_type() {
        let mut counts: BTreeMap<String, u64> =
            DetailedResultType::ALL.iter().map(|d| (d.as_str().to_string(), 0)).collect();
        counts.insert("Hit".into(), 90);
        assert_eq!(summary_line(&counts), None);
        counts.insert("OriginShieldHit".into(), 4);
        counts.insert("OriginConnectError".into(), 2);
        counts.insert("Error".into(), 1);
        assert_eq!(
            summary_line(&counts).as_deref(),
            Some("  detailed result types      OriginShieldHit 4, Error 1, OriginConnectError 2")
        );
    }

    #[test]
    fn rows_cover_every_detailed_type_with_its_share() {
        let mut counts = DetailedCounts::default();
        counts.add(DetailedResultType::Hit, 3);
        counts.add(DetailedResultType::OriginCommError, 1);
        let rows: Vec<ResultTypeRow> = rows_of("0".into(), "/*", &counts).collect();
        assert_eq!(rows.len(), DetailedResultType::ALL.len());
        let comm = rows.iter().find(|r| r.detailed_result_type == "OriginCommError").unwrap();
        assert_eq!((comm.result_type, comm.requests, comm.share), ("Error", 1, 0.25));
        assert_eq!(rows.iter().map(|r| r.requests).sum::<u64>(), 4);
    }
}
