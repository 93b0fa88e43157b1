//! Recorded traffic through the engine: a scenario run on a trace instead of
//! its traffic classes (`cdnsim run --trace`), and the one-cache scenario of
//! `cdnsim replay`. The trace's reader becomes the engine's `RequestSource`,
//! so a replay runs the same engine and cache code as a synthetic run.
//!
//! Nothing here draws progress or prints: the caller gets the bytes read
//! through `on_progress` and the numbers in the returned `TraceStats`.

use crate::cdn::traffic::Catalog;
use crate::engine::{self, Report, RunError, Stopped};
use crate::report;
use crate::scenario::{EvictionPolicy, Scenario};
use crate::trace::TraceReader;
use crate::trace::cloudfront_log::CloudFrontLogReader;
use crate::trace::csv::{CsvOptions, CsvReader};
use crate::trace::detect::{TraceFormat, detect_format};
use crate::trace::edge_map::EdgeMap;
use crate::trace::lines::ReadProgress;
use crate::trace::oracle::OracleReader;
use crate::trace::report as trace_report;
use crate::trace::source::{TraceSource, TraceStats};
use std::ops::ControlFlow;
use std::path::Path;

/// How to read a trace file.
#[derive(Clone, Debug, Default)]
pub struct TraceInput {
    /// `None`: detected from the first line that is not blank
    /// (`detect_format`).
    pub format: Option<TraceFormat>,
    /// The layout of a CSV trace. Its `strict` holds for either format: stop
    /// at the first malformed line, or line at an edge location the scenario
    /// lacks, instead of skipping and counting it.
    pub csv: CsvOptions,
}

/// Never, for a replay: a century of simulated time.
const NO_EXPIRY: &str = "36500 d";

/// The one-cache scenario of `replay`: one edge location with the cache, an
/// S3 origin in its Region (so the regional edge cache is skipped, as
/// CloudFront does for such origins), zero latencies so each request ends
/// before the next, no request collapsing, no warm-up, every request counted.
/// Every method is allowed; GET and HEAD are cached (CloudFront's default),
/// other methods of a replayed log pass through to the origin.
pub fn replay_scenario(name: &str, capacity_bytes: u64, policy: EvictionPolicy, ttl: Option<&str>) -> String {
    let ttl = ttl.unwrap_or(NO_EXPIRY);
    format!(
        r#"
[simulation]
name = {name:?}
requests = 1
warmup = 0
metrics_interval = "1 d"
collapse_requests = false

[[topology.regional_caches]]
region = "us-east-1"

[[topology.edges]]
name = "cache"
regional_cache = "us-east-1"
viewer_rtt = "0 ms"
regional_rtt = "0 ms"

[[topology.links]]
from = "us-east-1"
to = "origin"
rtt = "0 ms"

[caches.edge]
capacity = "{capacity_bytes} B"
eviction = "{policy}"

[caches.regional]
capacity = "1 B"

[[origins]]
name = "origin"
kind = "s3"
region = "us-east-1"
latency = "0 ms"
concurrency = 1_000_000

[distribution.default_behavior]
origin = "origin"
allowed_methods = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
min_ttl = 0
default_ttl = {ttl:?}
max_ttl = {ttl:?}

[traffic]
rate = 1

[[traffic.classes]]
name = "trace"
share = 1
objects = 1
path = "/{{id}}"
size = "1 B"
"#
    )
}

/// Runs `scenario` on the trace at `path` instead of its synthetic traffic,
/// its edge locations mapped by `edges`, reading at most `limit` requests.
/// `on_progress` hears the bytes read once the trace is open (before the
/// run: the total sizes a progress bar) and then now and then during the
/// run. A trace that replays no request is an error.
pub fn run_trace(
    scenario: &Scenario,
    seed: u64,
    path: &Path,
    input: &TraceInput,
    edges: &EdgeMap,
    limit: Option<u64>,
    on_progress: &mut dyn FnMut(ReadProgress),
) -> anyhow::Result<(Report, TraceStats)> {
    let on_progress = &mut |progress| {
        on_progress(progress);
        ControlFlow::Continue(())
    };
    run_trace_stoppable(scenario, seed, path, input, edges, limit, on_progress)
}

/// `run_trace` whose `on_progress` may stop the run, as
/// `engine::run_stoppable`'s does: the error is then `engine::Stopped`.
pub fn run_trace_stoppable(
    scenario: &Scenario,
    seed: u64,
    path: &Path,
    input: &TraceInput,
    edges: &EdgeMap,
    limit: Option<u64>,
    on_progress: &mut dyn FnMut(ReadProgress) -> ControlFlow<Stopped>,
) -> anyhow::Result<(Report, TraceStats)> {
    let format = match input.format {
        Some(f) => f,
        None => detect_format(path)?,
    };
    let run = Run { scenario, seed, edges, limit };
    match format {
        TraceFormat::Csv => run.reader(CsvReader::open(path, input.csv.clone())?, false, on_progress),
        TraceFormat::CloudfrontLog => run.reader(CloudFrontLogReader::open(path, input.csv.strict)?, true, on_progress),
        TraceFormat::OracleGeneral => run.reader(OracleReader::open(path, input.csv.strict)?, false, on_progress),
    }
}

/// What a trace run takes besides its reader.
struct Run<'a> {
    scenario: &'a Scenario,
    seed: u64,
    edges: &'a EdgeMap,
    limit: Option<u64>,
}

impl Run<'_> {
    fn reader<R: TraceReader>(
        &self,
        reader: R,
        match_paths: bool,
        on_progress: &mut dyn FnMut(ReadProgress) -> ControlFlow<Stopped>,
    ) -> anyhow::Result<(Report, TraceStats)> {
        let (scenario, seed) = (self.scenario, self.seed);
        let mut source = TraceSource::new(reader, scenario, seed, match_paths)
            .with_edge_map(self.edges, scenario)
            .map_err(anyhow::Error::msg)?;
        if let Some(n) = self.limit {
            source = source.with_limit(n);
        }
        let catalog = Catalog::for_trace(scenario, seed, source.expected_objects());
        let progress = source.progress_handle();
        if let ControlFlow::Break(stopped) = on_progress(progress.get()) {
            return Err(stopped.into());
        }
        let report =
            engine::run_with_stoppable(scenario, seed, catalog, &mut source, &mut |_| on_progress(progress.get()));
        let stats = source.finish()?;
        match report {
            Ok(report) => Ok((report, stats)),
            Err(RunError::Stopped(stopped)) => Err(stopped.into()),
            Err(RunError::Accounting(broken)) => Err(broken.into()),
        }
    }
}

/// The one-cache scenario of `cdnsim replay` for the trace at `trace`, its
/// arguments checked: the cache's capacity (`cache_size`, bytes or with a
/// unit) and, when objects expire, their TTL (at least 1 s).
pub fn replay_setup(
    trace: &Path,
    cache_size: &str,
    policy: EvictionPolicy,
    ttl: Option<&str>,
) -> anyhow::Result<Scenario> {
    let capacity = crate::units::parse_size(cache_size).map_err(|e| anyhow::anyhow!("--cache-size: {e}"))?;
    anyhow::ensure!(capacity > 0, "--cache-size must be at least 1 byte");
    if let Some(ttl) = ttl {
        let d = crate::units::parse_duration(ttl).map_err(|e| anyhow::anyhow!("--ttl: {e}"))?;
        anyhow::ensure!(d.as_micros() >= 1_000_000, "--ttl must be at least 1 s (CloudFront's TTLs are whole seconds)");
    }
    let name = trace.file_name().map_or("trace".into(), |n| n.to_string_lossy().into_owned());
    let text = replay_scenario(&name, capacity, policy, ttl);
    Ok(Scenario::from_toml_str(Path::new("replay.toml"), &text, &[])?)
}

/// Every result file of a run on a trace, as (file name, bytes): a run's
/// (`report::result_files`), then `trace.json` and, when the log carried
/// result types, the confusion matrices against the simulated ones.
pub fn trace_result_files(
    report: &Report,
    scenario: &Scenario,
    stats: &TraceStats,
) -> anyhow::Result<Vec<(&'static str, Vec<u8>)>> {
    let m = &report.metrics;
    let trace = trace_report::trace_json(stats, &m.result_comparison, &m.detailed_comparison);
    let mut files = report::result_files(report, scenario)?;
    files.push(("trace.json", serde_json::to_vec_pretty(&trace)?));
    let rows = trace_report::comparison_rows(&m.result_comparison);
    if !rows.is_empty() {
        files.push(("result-types.csv", report::csv_bytes(&rows)?));
    }
    let rows = trace_report::detailed_comparison_rows(&m.detailed_comparison);
    if !rows.is_empty() {
        files.push(("detailed-result-types.csv", trace_report::detailed_comparison_csv(&rows)?));
    }
    Ok(files)
}

/// The summary of a run on a trace as one JSON object: a run's
/// (`report::summary_json`) with the trace's numbers under `trace`.
pub fn trace_summary_json(
    report: &Report,
    scenario: &Scenario,
    stats: &TraceStats,
) -> anyhow::Result<serde_json::Value> {
    let m = &report.metrics;
    let summary = report::summary(report, scenario)?;
    let mut value: serde_json::Value = serde_json::from_str(&report::summary_json(&summary))?;
    value["trace"] = trace_report::trace_json(stats, &m.result_comparison, &m.detailed_comparison);
    Ok(value)
}
