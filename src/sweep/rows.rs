//! `sweep.csv`: one row per run, and the columns every row shares.
//!
//! A row is `point, replicate, seed`, the varied values (one column per
//! `--vary`, named by its path), `status` (`ok` or `failed`), every number of
//! the run's summary, then `error` and `rerun` (the message and the
//! `cdnsim run` command that replays a failed run; empty when it succeeded).
//! Rows are built as whole lines of bytes, so that appending one is a single
//! write, and no cell holds a line break, so that a line is always a row.

use super::error::SweepError;
use super::plan::{Plan, RunId};
use crate::http::Method;
use crate::report::{Category, Summary};
use std::path::Path;

pub const STATUS_OK: &str = "ok";
pub const STATUS_FAILED: &str = "failed";

/// The columns before the varied values.
const LEADING: [&str; 3] = ["point", "replicate", "seed"];
/// The columns after the summary numbers.
const TRAILING: [&str; 2] = ["error", "rerun"];

/// The summary numbers, in column order; `by_method` follows as
/// `<method>_<field>` for every method, so the columns are the same for every
/// run whichever methods it saw.
const SUMMARY_COLUMNS: [&str; 44] = [
    "requests",
    "hits",
    "hit_ratio",
    "refresh_hits",
    "misses",
    "errors",
    "errors_4xx",
    "errors_5xx",
    "bytes_requested",
    "bytes_hit",
    "byte_hit_ratio",
    "edge_hit_ratio",
    "regional_hit_ratio",
    "shield_hit_ratio",
    "origin_requests",
    "origin_bytes",
    "origin_offload",
    "origin_peak_requests_per_s",
    "collapsed",
    "latency_p50_ms",
    "latency_p95_ms",
    "latency_p99_ms",
    "latency_mean_ms",
    "latency_max_ms",
    "failovers",
    "primary_failures",
    "served_by_secondary",
    "signing_checked",
    "signing_accepted",
    "signing_rejected",
    "events",
    "requests_simulated",
    "simulated_seconds",
    "viewer_http",
    "viewer_https",
    "redirects",
    "refused_http",
    "origin_http",
    "origin_https",
    "direct_requests",
    "direct_refused",
    "legit_refused",
    "secret_in_clear_viewer_legs",
    "secret_in_clear_origin_legs",
];
const METHOD_COLUMNS: [&str; 4] = ["requests", "hits", "errors_4xx", "errors_5xx"];

/// After the method columns: the bill's total, then its subtotal for each
/// `report::Category` as `cost_<category>_usd`, in the category order.
const COST_TOTAL_COLUMN: &str = "cost_usd";

/// Every metric column, in order.
pub fn metric_columns() -> Vec<String> {
    let by_method = Method::ALL
        .iter()
        .flat_map(|m| METHOD_COLUMNS.iter().map(move |field| format!("{}_{field}", m.as_str().to_ascii_lowercase())));
    let cost = std::iter::once(COST_TOTAL_COLUMN.to_string())
        .chain(Category::ALL.iter().map(|c| format!("cost_{}_usd", c.name())));
    SUMMARY_COLUMNS.iter().map(|c| c.to_string()).chain(by_method).chain(cost).collect()
}

/// The cells of [`metric_columns`] for one summary.
fn metric_cells(summary: &Summary) -> Vec<String> {
    // Destructured without `..`: a field added to `Summary` stops this from
    // compiling until it has a column, so `sweep.csv` keeps every metric.
    let Summary {
        scenario: _,
        seed: _,
        requests,
        hits,
        hit_ratio,
        refresh_hits,
        misses,
        errors,
        // The same count as `protocol.redirects`, which has its column.
        redirects: _,
        // Not columns: ten more would change every sweep's header; a run's
        // result_types.csv and summary have them.
        detailed_result_types: _,
        errors_4xx,
        errors_5xx,
        bytes_requested,
        bytes_hit,
        byte_hit_ratio,
        edge_hit_ratio,
        regional_hit_ratio,
        shield_hit_ratio,
        origin_requests,
        origin_bytes,
        origin_offload,
        origin_peak_requests_per_s,
        collapsed,
        // Not a column: a sweep column would change every sweep's header;
        // a run's tiers.csv and summary have it.
        background_revalidations: _,
        latency_ms,
        by_method,
        failover,
        signing,
        // Not a column, for the same reason as the features below: a sweep
        // column would change every sweep's header; errors_4xx holds the
        // refusals, and a point's summary has them.
        geo_restriction: _,
        protocol,
        origin_access,
        // Edge functions have no sweep column yet: columns are the same for
        // every scenario, and sweeps of scenarios without functions must
        // keep their bytes. A run's functions.csv has them.
        functions: _,
        // Not a column (yet): sweep.csv's columns are the same for every
        // sweep, and a key column would change the file of every sweep whose
        // keys do not vary; a point's figures come from `cdnsim run` of it
        // (summary and cache_keys.csv).
        cache_keys: _,
        // Likewise: bytes_requested and origin_bytes already show what
        // compression changed; the rest is in a run's compression.csv.
        compression: _,
        // Not a column, for the same reason: a run's origin_requests.csv has them.
        origin_forwarding: _,
        // Not a column either: a run's invalidations.csv has them, and a
        // sweep column would change every sweep's header.
        invalidations: _,
        // Not a column either, for the same reason: a run's ranges.csv has them.
        ranges: _,
        // Not a column either: a run's errors.csv has them.
        custom_errors: _,
        // Likewise: a run's connections.csv has them.
        connections: _,
        // A run's usage.csv has the usage; its bill is in the cost columns.
        usage: _,
        cost,
        events,
        requests_simulated,
        simulated_seconds,
    } = summary;
    // Failover and signing are summed over methods and reasons: totals keep
    // the columns fixed whatever a run saw.
    let failover_total = |f: fn(&crate::report::FailoverSummary) -> u64| failover.values().map(f).sum::<u64>();
    let (checked, accepted, rejected) = signing.as_ref().map_or((0, 0, 0), |s| (s.checked, s.accepted, s.rejected));
    let crate::report::LatencySummary { p50, p95, p99, mean, max } = latency_ms;
    let mut cells: Vec<String> = [
        requests.to_string(),
        hits.to_string(),
        hit_ratio.to_string(),
        refresh_hits.to_string(),
        misses.to_string(),
        errors.to_string(),
        errors_4xx.to_string(),
        errors_5xx.to_string(),
        bytes_requested.to_string(),
        bytes_hit.to_string(),
        byte_hit_ratio.to_string(),
        edge_hit_ratio.to_string(),
        regional_hit_ratio.to_string(),
        shield_hit_ratio.to_string(),
        origin_requests.to_string(),
        origin_bytes.to_string(),
        origin_offload.to_string(),
        origin_peak_requests_per_s.to_string(),
        collapsed.to_string(),
        p50.to_string(),
        p95.to_string(),
        p99.to_string(),
        mean.to_string(),
        max.to_string(),
        failover_total(|f| f.failovers).to_string(),
        failover_total(|f| f.primary_failures).to_string(),
        failover_total(|f| f.served_by_secondary).to_string(),
        checked.to_string(),
        accepted.to_string(),
        rejected.to_string(),
        events.to_string(),
        requests_simulated.to_string(),
        simulated_seconds.to_string(),
    ]
    .into();
    let crate::metrics::ProtocolStats { viewer_http, viewer_https, redirects, refused_http, origin_http, origin_https } =
        protocol;
    cells.extend([viewer_http, viewer_https, redirects, refused_http, origin_http, origin_https].map(u64::to_string));
    let access = origin_access.as_ref();
    cells.extend(
        [
            access.map_or(0, |a| a.direct_requests),
            access.map_or(0, |a| a.direct_refused),
            access.map_or(0, |a| a.legit_refused),
            access.map_or(0, |a| a.secret_in_clear_viewer_legs),
            access.map_or(0, |a| a.secret_in_clear_origin_legs),
        ]
        .map(|n| n.to_string()),
    );
    for method in Method::ALL {
        match by_method.get(method.as_str()) {
            Some(m) => cells.extend([m.requests, m.hits, m.errors_4xx, m.errors_5xx].map(|n| n.to_string())),
            None => cells.extend(["0"; 4].map(String::from)),
        }
    }
    cells.push(cost.total_usd.to_string());
    cells.extend(Category::ALL.iter().map(|&c| cost.subtotals.get(c).to_string()));
    cells
}

/// The header of `sweep.csv` for a sweep varying these paths.
pub fn header<'a>(vary_paths: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut columns: Vec<String> = LEADING.iter().map(|c| c.to_string()).collect();
    columns.extend(vary_paths.into_iter().map(str::to_string));
    columns.push("status".into());
    columns.extend(metric_columns());
    columns.extend(TRAILING.iter().map(|c| c.to_string()));
    columns
}

/// The header of `plan`'s `sweep.csv`.
pub fn plan_header(plan: &Plan) -> Vec<String> {
    header(plan.varies().iter().map(|v| v.path.as_str()))
}

fn leading_cells(plan: &Plan, run: RunId) -> Vec<String> {
    let mut cells = vec![run.point.to_string(), run.replicate.to_string(), plan.seed(run).to_string()];
    cells.extend(plan.point_cells(run.point));
    cells
}

/// The row of a run that finished.
pub fn ok_row(plan: &Plan, run: RunId, summary: &Summary) -> Vec<String> {
    let mut cells = leading_cells(plan, run);
    cells.push(STATUS_OK.into());
    cells.extend(metric_cells(summary));
    cells.extend([String::new(), String::new()]);
    cells
}

/// The row of a run that could not run: its parameters, why, and how to
/// replay it.
pub fn failed_row(plan: &Plan, run: RunId, error: &str) -> Vec<String> {
    let mut cells = leading_cells(plan, run);
    cells.push(STATUS_FAILED.into());
    cells.extend(std::iter::repeat_n(String::new(), metric_columns().len()));
    cells.extend([error.to_string(), plan.rerun_command(run)]);
    cells
}

/// One CSV record as a whole line, `\n` included. Line breaks inside cells
/// become spaces, so that every line of the file is exactly one row.
pub fn csv_line(cells: &[String]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(cells.iter().map(|c| c.replace(['\n', '\r'], " ")))
        .and_then(|()| writer.flush().map_err(csv::Error::from))
        .expect("writing to memory cannot fail");
    writer.into_inner().expect("flushed above")
}

/// One row of a `sweep.csv` that was read back.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub run: RunId,
    pub cells: Vec<String>,
    /// The line exactly as it was in the file, `\n` included, so that merging
    /// and resuming copy bytes instead of re-formatting numbers.
    pub line: Vec<u8>,
}

/// A `sweep.csv`, read back.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Row>,
}

impl Table {
    /// Reads complete lines; `bytes` is empty or ends with `\n`.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Table, SweepError> {
        debug_assert!(bytes.is_empty() || bytes.ends_with(b"\n"), "only complete lines are parsed");
        let damaged = |line: usize, problem: &str| {
            SweepError::results(
                path,
                format!("line {line} is damaged: {problem}"),
                "remove that line (the run is then done again with --resume), or start the sweep in a new folder",
            )
        };
        let mut lines = bytes.split_inclusive(|&b| b == b'\n');
        let header = match lines.next() {
            Some(line) => parse_record(line).ok_or_else(|| damaged(1, "not CSV"))?,
            None => return Err(SweepError::results(path, "the file is empty", "start the sweep in a new folder")),
        };
        let mut rows = Vec::new();
        for (i, line) in lines.enumerate() {
            let number = i + 2;
            let cells = parse_record(line).ok_or_else(|| damaged(number, "not CSV"))?;
            if cells.len() != header.len() {
                return Err(damaged(number, &format!("{} cells where the header has {}", cells.len(), header.len())));
            }
            let point = cells[0].parse().map_err(|_| damaged(number, "the point is not a number"))?;
            let replicate = cells[1].parse().map_err(|_| damaged(number, "the replicate is not a number"))?;
            rows.push(Row { run: RunId { point, replicate }, cells, line: line.to_vec() });
        }
        Ok(Table { header, rows })
    }

    /// How many varied columns sit between `seed` and `status`.
    pub fn vary_count(&self) -> usize {
        self.column("status").map_or(0, |status| status.saturating_sub(LEADING.len()))
    }

    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|c| c == name)
    }

    /// The file again: the header, then every row as it was read.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = csv_line(&self.header);
        for row in &self.rows {
            bytes.extend_from_slice(&row.line);
        }
        bytes
    }
}

fn parse_record(line: &[u8]) -> Option<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(line);
    let record = reader.records().next()?.ok()?;
    Some(record.iter().map(str::to_string).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_the_varied_paths_and_every_metric() {
        let h = header(["caches.edge.capacity", "traffic.zipf_alpha"]);
        assert_eq!(&h[..6], ["point", "replicate", "seed", "caches.edge.capacity", "traffic.zipf_alpha", "status"]);
        assert_eq!(h[h.len() - 2..], ["error", "rerun"]);
        assert!(h.contains(&"latency_p99_ms".to_string()) && h.contains(&"delete_errors_5xx".to_string()));
        // The summary's numbers, four per method, the bill's total and its
        // eight category subtotals.
        assert_eq!(metric_columns().len(), 44 + 7 * 4 + 1 + 8);
        assert_eq!(
            h[h.len() - 11..h.len() - 2],
            [
                "cost_usd",
                "cost_transfer_usd",
                "cost_requests_usd",
                "cost_to_origin_usd",
                "cost_origin_shield_usd",
                "cost_invalidations_usd",
                "cost_functions_usd",
                "cost_other_usd",
                "cost_plan_usd",
            ]
        );
        assert!(h.contains(&"failovers".to_string()) && h.contains(&"signing_rejected".to_string()));
    }

    #[test]
    fn lines_round_trip_and_never_break() {
        let cells: Vec<String> = ["0", "1", "7", "max-age=60, public", "two\nlines"].map(String::from).into();
        let line = csv_line(&cells);
        assert_eq!(line, b"0,1,7,\"max-age=60, public\",two lines\n");
        let header: Vec<String> = ["point", "replicate", "seed", "x", "status"].map(String::from).into();
        let mut bytes = csv_line(&header);
        bytes.extend_from_slice(&line);
        let table = Table::parse(Path::new("sweep.csv"), &bytes).unwrap();
        assert_eq!(table.rows[0].run, RunId { point: 0, replicate: 1 });
        assert_eq!(table.rows[0].cells[3], "max-age=60, public");
        assert_eq!(table.to_bytes(), bytes);
        assert_eq!(table.vary_count(), 1);
    }

    #[test]
    fn damaged_rows_are_named() {
        let e = Table::parse(Path::new("s.csv"), b"point,replicate,seed\n0,0\n").unwrap_err().to_string();
        assert!(e.contains("line 2 is damaged: 2 cells where the header has 3"), "{e}");
        let e = Table::parse(Path::new("s.csv"), b"point,replicate,seed\nx,0,1\n").unwrap_err().to_string();
        assert!(e.contains("point is not a number"), "{e}");
    }
}
