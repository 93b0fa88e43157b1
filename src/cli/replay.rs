//! `cdnsim replay` (one cache of a given size on a trace) and the trace input
//! of `cdnsim run --trace`. Both open a trace reader, hand it to the engine
//! as a `RequestSource` and run the scenario with the same engine and cache
//! code as a synthetic run.

use super::{Format, progress};
use crate::cache::EvictionPolicy;
use crate::cdn::traffic::Catalog;
use crate::engine::{self, Report};
use crate::report;
use crate::scenario::Scenario;
use crate::trace::cloudfront_log::CloudFrontLogReader;
use crate::trace::csv::{Column, CsvOptions, CsvReader, TimeUnit};
use crate::trace::detect::{TraceFormat, detect_format};
use crate::trace::edge_map::EdgeMap;
use crate::trace::source::{TraceSource, TraceStats};
use crate::trace::{TraceReader, report as trace_report};
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// How to read a trace file (shared by `replay` and `run --trace`).
#[derive(Debug, Clone, clap::Args)]
pub struct TraceArgs {
    /// The trace's format [default: `cloudfront-log` when the first line that is not blank starts with
    /// `#Version` or `#Fields`, else `csv`]. RTMP distribution logs and real-time logs are
    /// recognised and refused.
    #[arg(long, value_enum)]
    pub trace_format: Option<TraceFormat>,
    /// CSV: the time column, a number from 1 or a header name [default: `time`/`timestamp`, else 1].
    #[arg(long, value_name = "COLUMN")]
    pub time_col: Option<Column>,
    /// CSV: the object id column [default: `obj_id`/`id`/`key`, else 2].
    #[arg(long, value_name = "COLUMN")]
    pub id_col: Option<Column>,
    /// CSV: the object size column, in bytes [default: `obj_size`/`size`/`bytes`, else 3].
    #[arg(long, value_name = "COLUMN")]
    pub size_col: Option<Column>,
    /// CSV: no time column; requests are one microsecond apart.
    #[arg(long)]
    pub no_time_col: bool,
    /// CSV: no size column; every object is 1 byte.
    #[arg(long)]
    pub no_size_col: bool,
    /// CSV: the field separator (one character; `tab` for a tab).
    #[arg(long, default_value = ",")]
    pub delimiter: String,
    /// CSV: the first line is data, not a header (by default a first line naming a column is a header).
    #[arg(long)]
    pub no_header: bool,
    /// CSV: the unit of the time column.
    #[arg(long, value_enum, default_value = "s")]
    pub time_unit: TimeUnit,
    /// Stop at the first malformed line, or line at an edge location the scenario lacks (exit
    /// status 2), instead of skipping and counting it.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// The trace: a file or a directory of files (read in name order), plain or gzip.
    pub trace: PathBuf,
    /// The cache's capacity: bytes, or with a unit ("64 MiB", "10 GB").
    #[arg(long, value_name = "SIZE")]
    pub cache_size: String,
    /// The eviction policy: lru, fifo, sieve or s3-fifo.
    #[arg(long, default_value = "lru")]
    pub policy: EvictionPolicy,
    /// How long an object stays fresh ("1 h", or seconds) [default: it never expires].
    #[arg(long, value_name = "DURATION")]
    pub ttl: Option<String>,
    /// Stop after this many requests.
    #[arg(long)]
    pub requests: Option<u64>,
    /// Also write the result files into this folder.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Do not draw a progress bar.
    #[arg(long)]
    pub no_progress: bool,
    #[command(flatten)]
    pub input: TraceArgs,
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

pub fn run_replay(args: ReplayArgs) -> anyhow::Result<ExitCode> {
    let capacity = crate::units::parse_size(&args.cache_size).map_err(|e| anyhow::anyhow!("--cache-size: {e}"))?;
    anyhow::ensure!(capacity > 0, "--cache-size must be at least 1 byte");
    if let Some(ttl) = &args.ttl {
        let d = crate::units::parse_duration(ttl).map_err(|e| anyhow::anyhow!("--ttl: {e}"))?;
        anyhow::ensure!(d.as_micros() >= 1_000_000, "--ttl must be at least 1 s (CloudFront's TTLs are whole seconds)");
    }
    if let Some(n) = args.requests {
        anyhow::ensure!(n > 0, "--requests must be at least 1");
    }
    let name = args.trace.file_name().map_or("trace".into(), |n| n.to_string_lossy().into_owned());
    let text = replay_scenario(&name, capacity, args.policy, args.ttl.as_deref());
    let scenario = Scenario::from_toml_str(Path::new("replay.toml"), &text, &[])?;
    let started = std::time::Instant::now();
    let edges = EdgeMap::default();
    let (report, stats) = run_trace(&scenario, 0, &args.trace, &args.input, &edges, args.requests, args.no_progress)?;
    let elapsed = started.elapsed();
    finish(&report, &scenario, &stats, args.out.as_deref(), args.format, elapsed)
}

/// Runs `scenario` on the trace at `path` instead of its synthetic traffic,
/// its edge locations mapped by `edges`. A trace that replays no request is
/// an error.
pub fn run_trace(
    scenario: &Scenario,
    seed: u64,
    path: &Path,
    input: &TraceArgs,
    edges: &EdgeMap,
    limit: Option<u64>,
    no_progress: bool,
) -> anyhow::Result<(Report, TraceStats)> {
    let format = match input.trace_format {
        Some(f) => f,
        None => detect_format(path)?,
    };
    let run = Run { scenario, seed, edges, limit, no_progress };
    match format {
        TraceFormat::Csv => run.reader(CsvReader::open(path, input.csv_options()?)?, false),
        TraceFormat::CloudfrontLog => run.reader(CloudFrontLogReader::open(path, input.strict)?, true),
    }
}

/// What a trace run takes besides its reader.
struct Run<'a> {
    scenario: &'a Scenario,
    seed: u64,
    edges: &'a EdgeMap,
    limit: Option<u64>,
    no_progress: bool,
}

impl Run<'_> {
    fn reader<R: TraceReader>(&self, reader: R, match_paths: bool) -> anyhow::Result<(Report, TraceStats)> {
        let (scenario, seed) = (self.scenario, self.seed);
        let mut source = TraceSource::new(reader, scenario, seed, match_paths)
            .with_edge_map(self.edges, scenario)
            .map_err(anyhow::Error::msg)?;
        if let Some(n) = self.limit {
            source = source.with_limit(n);
        }
        let catalog = Catalog::for_trace(scenario, seed, source.expected_objects());
        let bar = progress::for_trace(&scenario.name, source.progress_handle(), self.no_progress);
        let report = engine::run_with(scenario, seed, catalog, &mut source, &mut |_| bar.update());
        bar.finish();
        let stats = source.finish()?;
        Ok((report?, stats))
    }
}

impl TraceArgs {
    fn csv_options(&self) -> anyhow::Result<CsvOptions> {
        let delimiter = match self.delimiter.as_str() {
            "tab" | "\\t" | "\t" => b'\t',
            d if d.len() == 1 => d.as_bytes()[0],
            d => anyhow::bail!("--delimiter {d:?}: give one ASCII character, or `tab`"),
        };
        Ok(CsvOptions {
            time: self.time_col.clone(),
            id: self.id_col.clone(),
            size: self.size_col.clone(),
            no_time: self.no_time_col,
            no_size: self.no_size_col,
            delimiter,
            header: self.no_header.then_some(false),
            time_unit: self.time_unit,
            strict: self.strict,
        })
    }
}

/// Prints the malformed lines, writes the files (if asked) and the summary.
pub fn finish(
    report: &Report,
    scenario: &Scenario,
    stats: &TraceStats,
    out: Option<&Path>,
    format: Format,
    elapsed: std::time::Duration,
) -> anyhow::Result<ExitCode> {
    warn_malformed(stats);
    warn_unknown_locations(stats);
    let trace = trace_report::trace_json(stats, &report.metrics.result_comparison);
    if let Some(out) = out {
        let mut files = report::result_files(report, scenario)?;
        files.push(("trace.json", serde_json::to_vec_pretty(&trace)?));
        let rows = trace_report::comparison_rows(&report.metrics.result_comparison);
        if !rows.is_empty() {
            files.push(("result-types.csv", report::csv_bytes(&rows)?));
        }
        report::write_files(out, &files).with_context(|| format!("writing results for {}", scenario.name))?;
    }
    let summary = report::summary(report, scenario);
    match format {
        Format::Json => {
            let mut value: serde_json::Value = serde_json::from_str(&report::summary_json(&summary))?;
            value["trace"] = trace;
            outln!("{value}");
        }
        Format::Table => {
            out!("{}", report::summary_table(&summary));
            outln!(
                "  trace: {} requests, {} distinct objects, {} malformed lines, {} out of order (clamped)",
                stats.requests,
                stats.objects,
                stats.malformed.count,
                stats.out_of_order
            );
            if stats.unknown_locations.lines > 0 {
                outln!(
                    "  trace: {} lines skipped at edge locations not in the scenario",
                    stats.unknown_locations.lines
                );
            }
            if let Some(types) = trace.get("result_types") {
                outln!(
                    "  result type agrees with the log for {:.2}% of requests",
                    types["agreement"].as_f64().unwrap_or(0.0) * 100.0
                );
            }
            let rate = report.requests_simulated as f64 / elapsed.as_secs_f64().max(1e-9) / 1e6;
            let place = out.map_or(String::new(), |o| format!("; results in {}", o.display()));
            outln!("  wall time {:.2} s ({rate:.2} M requests/s){place}", elapsed.as_secs_f64());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn warn_malformed(stats: &TraceStats) {
    let m = &stats.malformed;
    if m.count == 0 {
        return;
    }
    eprintln!("cdnsim: warning: {} malformed lines skipped (--strict stops at the first); the first:", m.count);
    for line in &m.first {
        eprintln!("  {line}");
    }
}

/// How many skipped locations the warning lists.
const LOCATIONS_SHOWN: usize = 5;

fn warn_unknown_locations(stats: &TraceStats) {
    let unknown = &stats.unknown_locations;
    if unknown.lines == 0 {
        return;
    }
    let plural = |n: u64, word: &str| if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") };
    eprintln!(
        "cdnsim: warning: {} skipped at {} not in the scenario (map them with --edge-map; see --help):",
        plural(unknown.lines, "line"),
        plural(unknown.by_location.len() as u64, "edge location")
    );
    for u in unknown.by_location.iter().take(LOCATIONS_SHOWN) {
        eprintln!("  {}: {}, the first at {}:{}", u.location, plural(u.lines, "line"), u.file.display(), u.line);
    }
    if unknown.by_location.len() > LOCATIONS_SHOWN {
        eprintln!("  and {} more locations (all of them are in the JSON)", unknown.by_location.len() - LOCATIONS_SHOWN);
    }
}
