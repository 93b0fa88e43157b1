//! Recorded traffic through the engine: a scenario run on a trace instead of
//! its traffic classes (`cdnsim run --trace`), and the one-cache scenario of
//! `cdnsim replay`. The trace's reader becomes the engine's `RequestSource`,
//! so a replay runs the same engine and cache code as a synthetic run.
//!
//! Nothing here draws progress or prints: the caller gets the bytes read
//! through `on_progress` and the numbers in the returned `TraceStats`.

use crate::cdn::traffic::Catalog;
use crate::engine::{self, Report};
use crate::scenario::{EvictionPolicy, Scenario};
use crate::trace::TraceReader;
use crate::trace::cloudfront_log::CloudFrontLogReader;
use crate::trace::csv::{CsvOptions, CsvReader};
use crate::trace::detect::{TraceFormat, detect_format};
use crate::trace::edge_map::EdgeMap;
use crate::trace::lines::ReadProgress;
use crate::trace::oracle::OracleReader;
use crate::trace::source::{TraceSource, TraceStats};
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
        on_progress: &mut dyn FnMut(ReadProgress),
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
        on_progress(progress.get());
        let report = engine::run_with(scenario, seed, catalog, &mut source, &mut |_| on_progress(progress.get()));
        let stats = source.finish()?;
        Ok((report?, stats))
    }
}
