//! `cdnsim replay` (one cache of a given size on a trace) and the trace input
//! of `cdnsim run --trace`: their arguments, progress bar and summary. The
//! replay itself is `cdnsim::replay`.

use super::format::Format;
use super::progress;
use anyhow::Context;
use cdnsim::engine::Report;
use cdnsim::replay::{TraceInput, replay_setup};
use cdnsim::report;
use cdnsim::scenario::EvictionPolicy;
use cdnsim::scenario::Scenario;
use cdnsim::trace::csv::{Column, CsvOptions, TimeUnit};
use cdnsim::trace::detect::{TraceFormat, detect_format};
use cdnsim::trace::edge_map::EdgeMap;
use cdnsim::trace::source::TraceStats;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// How to read a trace file (shared by `replay` and `run --trace`).
#[derive(Debug, Clone, clap::Args)]
pub struct TraceArgs {
    /// The trace's format [default: `cloudfront-log` when the first line that is not blank starts with
    /// `#Version` or `#Fields`, else `csv`]. RTMP distribution logs and real-time logs are
    /// recognised and refused.
    #[arg(long, value_enum)]
    pub trace_format: Option<TraceFormatArg>,
    /// CSV: the time column, a number from 1 or a header name [default: `time`/`timestamp`, else 1].
    #[arg(long, value_name = "COLUMN")]
    pub time_col: Option<Column>,
    /// CSV: the object id column [default: `obj_id`/`id`/`key`, else 2].
    #[arg(long, value_name = "COLUMN")]
    pub id_col: Option<Column>,
    /// CSV: the object size column, in bytes [default: `obj_size`/`size`/`bytes`, else 3].
    #[arg(long, value_name = "COLUMN")]
    pub size_col: Option<Column>,
    /// CSV: the query string column (without `?`; empty or `-` for none), read only when given:
    /// keyed as a behavior's cache policy says.
    #[arg(long, value_name = "COLUMN")]
    pub query_col: Option<Column>,
    /// CSV: the `Cookie` header column (`a=1; b=2`), read only when given.
    #[arg(long, value_name = "COLUMN")]
    pub cookie_col: Option<Column>,
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
    pub time_unit: TimeUnitArg,
    /// Stop at the first malformed line, or line at an edge location the scenario lacks (exit
    /// status 2), instead of skipping and counting it.
    #[arg(long)]
    pub strict: bool,
}

/// `--trace-format`: the library's `TraceFormat`, named for the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TraceFormatArg {
    /// `timestamp,obj_id,obj_size` (see the column options).
    Csv,
    /// CloudFront standard access logs (W3C, tab-separated, `#Fields` header).
    CloudfrontLog,
    /// libCacheSim's oracleGeneral binary records (24 bytes each), plain or zstd.
    OracleGeneral,
}

impl From<TraceFormatArg> for TraceFormat {
    fn from(arg: TraceFormatArg) -> TraceFormat {
        match arg {
            TraceFormatArg::Csv => TraceFormat::Csv,
            TraceFormatArg::CloudfrontLog => TraceFormat::CloudfrontLog,
            TraceFormatArg::OracleGeneral => TraceFormat::OracleGeneral,
        }
    }
}

/// `--time-unit`: the library's `TimeUnit`, named for the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TimeUnitArg {
    #[value(name = "s")]
    Seconds,
    #[value(name = "ms")]
    Millis,
    #[value(name = "us")]
    Micros,
}

impl From<TimeUnitArg> for TimeUnit {
    fn from(arg: TimeUnitArg) -> TimeUnit {
        match arg {
            TimeUnitArg::Seconds => TimeUnit::Seconds,
            TimeUnitArg::Millis => TimeUnit::Millis,
            TimeUnitArg::Micros => TimeUnit::Micros,
        }
    }
}

impl TraceArgs {
    /// The library's reading options for the trace at `path`. The format
    /// comes first (detected when not given), and the CSV options are checked
    /// only for a CSV trace: `--delimiter` does not matter to a log.
    pub fn input(&self, path: &Path) -> anyhow::Result<TraceInput> {
        let format = match self.trace_format {
            Some(f) => f.into(),
            None => detect_format(path)?,
        };
        let csv = match format {
            TraceFormat::Csv => self.csv_options()?,
            TraceFormat::CloudfrontLog | TraceFormat::OracleGeneral => {
                CsvOptions { strict: self.strict, ..CsvOptions::default() }
            }
        };
        Ok(TraceInput { format: Some(format), csv })
    }

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
            query: self.query_col.clone(),
            cookie: self.cookie_col.clone(),
            no_time: self.no_time_col,
            no_size: self.no_size_col,
            delimiter,
            header: self.no_header.then_some(false),
            time_unit: self.time_unit.into(),
            strict: self.strict,
        })
    }
}

/// Runs `scenario` on the trace at `path` (`cdnsim::replay::run_trace`)
/// with a progress bar in bytes read.
pub fn run_trace(
    scenario: &Scenario,
    seed: u64,
    path: &Path,
    input: &TraceArgs,
    edges: &EdgeMap,
    limit: Option<u64>,
    no_progress: bool,
) -> anyhow::Result<(Report, TraceStats)> {
    let input = input.input(path)?;
    let bar = progress::for_trace(&scenario.name, no_progress);
    let replayed = cdnsim::replay::run_trace(scenario, seed, path, &input, edges, limit, &mut |p| bar.update(p));
    bar.finish();
    replayed
}

#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// The trace: a file or a directory of files (read in name order), plain or gzip.
    pub trace: PathBuf,
    /// The cache's capacity: bytes, or with a unit ("64 MiB", "10 GB").
    #[arg(long, value_name = "SIZE")]
    pub cache_size: String,
    /// The eviction policy: lru, fifo, sieve, s3-fifo, clock, 2q, s4lru, arc, gdsf, lfuda or wtinylfu (each gives
    /// the miss counts libCacheSim gives, wtinylfu within half a point; see scenarios/README.md for their
    /// defaults).
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
    /// The billing period usage.csv and cost.csv cover: the usage counted over the trace's measured time is scaled
    /// linearly to it, e.g. "30 d" (the default), "7 d", "1 h".
    #[arg(long, value_name = "DURATION", value_parser = super::cost_period::parse_cost_period)]
    pub cost_period: Option<cdnsim::time::SimDuration>,
}

pub fn run_replay(args: ReplayArgs) -> anyhow::Result<ExitCode> {
    if let Some(n) = args.requests {
        anyhow::ensure!(n > 0, "--requests must be at least 1");
    }
    let mut scenario = replay_setup(&args.trace, &args.cache_size, args.policy, args.ttl.as_deref())?;
    if let Some(period) = args.cost_period {
        scenario.cost.period = period;
    }
    let started = std::time::Instant::now();
    let edges = EdgeMap::default();
    let (report, stats) = run_trace(&scenario, 0, &args.trace, &args.input, &edges, args.requests, args.no_progress)?;
    let elapsed = started.elapsed();
    finish(&report, &scenario, &stats, args.out.as_deref(), args.format, elapsed)
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
    warn_malformed(&stats.malformed);
    warn_unknown_locations(stats);
    if let Some(out) = out {
        let files = cdnsim::replay::trace_result_files(report, scenario, stats)?;
        report::write_files(out, &files).with_context(|| format!("writing results for {}", scenario.name))?;
    }
    let value = cdnsim::replay::trace_summary_json(report, scenario, stats)?;
    let trace = &value["trace"];
    let summary = report::summary(report, scenario)?;
    match format {
        Format::Json => outln!("{value}"),
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
            if let Some(types) = trace.get("detailed_result_types") {
                outln!(
                    "  detailed result type agrees with the log for {:.2}% of requests",
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

/// The warning for the malformed lines a trace reader skipped (for
/// `replay`, `run --trace` and `mrc`).
pub fn warn_malformed(m: &cdnsim::trace::MalformedLines) {
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
