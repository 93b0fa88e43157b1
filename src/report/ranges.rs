//! Range GETs in a run's results: per behavior, range requests, their
//! answers (206, 200, 416), the bytes viewers got and asked for, and what
//! the origins sent for them (`ranges.csv`), with the totals in the
//! summary. Only for a scenario where some class sends ranges
//! (`Scenario::uses_ranges`): other runs' files are exactly what they were.

use crate::engine::Report;
use crate::metrics::ranges::RangeCounts;
use crate::metrics::ratio;
use crate::scenario::Scenario;
use crate::units::format_size;
use serde::Serialize;

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// The run's totals, for `summary.json` and the summary table.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RangeSummary {
    pub range_requests: u64,
    pub partial_206: u64,
    pub whole_200: u64,
    pub unsatisfiable_416: u64,
    /// Body bytes the range GETs' answers carried to viewers.
    pub bytes_to_viewers: u64,
    /// Bytes the viewers' satisfiable ranges asked for.
    pub bytes_asked: u64,
    /// Range fetches the origins answered, and the bytes they sent: whole
    /// parts for a range (the widening), whole objects from origins
    /// without range support.
    pub origin_requests: u64,
    pub origin_bytes: u64,
}

fn summary_of(c: &RangeCounts) -> RangeSummary {
    RangeSummary {
        range_requests: c.requests,
        partial_206: c.partial,
        whole_200: c.whole,
        unsatisfiable_416: c.unsatisfiable,
        bytes_to_viewers: c.bytes_to_viewers,
        bytes_asked: c.bytes_asked,
        origin_requests: c.origin_requests,
        origin_bytes: c.origin_bytes,
    }
}

pub fn range_summary(report: &Report) -> Option<RangeSummary> {
    report.metrics.ranges.as_ref().map(|r| summary_of(&r.total()))
}

/// One row of `ranges.csv`: one behavior's or one class's range GETs.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RangeRow {
    /// `behavior` or `class`.
    pub scope: &'static str,
    /// The behavior's path pattern, or the class's name.
    pub name: String,
    pub range_requests: u64,
    pub partial_206: u64,
    pub whole_200: u64,
    pub unsatisfiable_416: u64,
    /// Answers with any other status (errors, redirects).
    pub other: u64,
    pub bytes_to_viewers: u64,
    pub bytes_asked: u64,
    pub origin_requests: u64,
    pub origin_bytes: u64,
    /// Origin bytes over the bytes asked: above 1 when whole parts or
    /// whole objects were fetched for smaller ranges, below when parts
    /// already cached answered.
    pub origin_over_asked: f64,
}

/// The behaviors' rows, then the classes'.
pub fn range_rows(report: &Report, scenario: &Scenario) -> Vec<RangeRow> {
    let Some(r) = &report.metrics.ranges else { return Vec::new() };
    let behaviors =
        r.behaviors.iter().zip(&scenario.distribution.behaviors).map(|(c, b)| ("behavior", &b.path_pattern, c));
    let classes = r.classes.iter().zip(&scenario.traffic.classes).map(|(c, class)| ("class", &class.name, c));
    behaviors
        .chain(classes)
        .map(|(scope, name, c)| RangeRow {
            scope,
            name: name.clone(),
            range_requests: c.requests,
            partial_206: c.partial,
            whole_200: c.whole,
            unsatisfiable_416: c.unsatisfiable,
            other: c.other,
            bytes_to_viewers: c.bytes_to_viewers,
            bytes_asked: c.bytes_asked,
            origin_requests: c.origin_requests,
            origin_bytes: c.origin_bytes,
            origin_over_asked: round6(ratio(c.origin_bytes, c.bytes_asked)),
        })
        .collect()
}

/// The summary table's line, when some class sends ranges.
pub fn summary_line(s: &RangeSummary) -> String {
    format!(
        "  range GETs                 {} (206 {}, 200 {}, 416 {}); {} to viewers, {} from origins in {} fetches",
        s.range_requests,
        s.partial_206,
        s.whole_200,
        s.unsatisfiable_416,
        format_size(s.bytes_to_viewers),
        format_size(s.origin_bytes),
        s.origin_requests
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_line_names_every_answer() {
        let s = RangeSummary {
            range_requests: 5,
            partial_206: 3,
            whole_200: 1,
            unsatisfiable_416: 1,
            bytes_to_viewers: 2048,
            bytes_asked: 1024,
            origin_requests: 2,
            origin_bytes: 4096,
        };
        let line = summary_line(&s);
        assert!(line.contains("5 (206 3, 200 1, 416 1)"), "{line}");
        assert!(line.contains("in 2 fetches"), "{line}");
    }
}
