//! The command line: the only code that talks to a person. It parses
//! arguments, loads scenarios, draws progress, prints summaries and writes
//! files; the simulation itself knows none of this.

/// `println!` and `print!` that return a write error instead of panicking:
/// with `cdnsim ... | head`, stdout closes early, and `main` then ends quietly.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($arg)*)?
    }};
}
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout(), $($arg)*)?
    }};
}

pub mod cost;
mod cost_period;
mod format;
pub mod import;
pub mod lesson;
pub mod mrc;
pub mod plot;
mod progress;
pub mod replay;
pub mod sign;
pub mod sweep;

use anyhow::Context;
use cdnsim::engine;
use cdnsim::report;
use cdnsim::scenario::{Override, Scenario, TrafficFrom};
use clap::{Parser, Subcommand};
use cost_period::parse_cost_period;
use format::Format;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "cdnsim", version, about = "A discrete-event simulator of a CloudFront-style CDN")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario and write its results.
    Run(RunArgs),
    /// Run a scenario over many values of its fields, several seeds each, in parallel.
    Sweep(sweep::SweepArgs),
    /// Combine the shard folders of a `sweep --shard K/N` into the one sweep.
    Merge(sweep::MergeArgs),
    /// Replay a trace (CSV or CloudFront access logs) through one cache of a given size.
    Replay(replay::ReplayArgs),
    /// Miss-ratio curves of a trace: the miss ratio at many cache sizes, exact LRU in one pass, SHARDS, other policies.
    Mrc(mrc::MrcArgs),
    /// Check a scenario (or a sweep file) and print what was understood.
    Validate(ScenarioArgs),
    /// Draw the charts and report.html of a run's or a sweep's results folder.
    Plot(plot::PlotArgs),
    /// Sign a URL or cookies as CloudFront and the AWS SDKs do.
    Sign {
        #[command(subcommand)]
        cmd: sign::SignCommand,
    },
    /// Check a signed URL or signed cookies as CloudFront would.
    Verify {
        #[command(subcommand)]
        cmd: sign::VerifyCommand,
    },
    /// Turn a real CloudFront configuration into scenario TOML.
    Import {
        #[command(subcommand)]
        cmd: import::ImportCommand,
    },
    /// List the lessons, or run one: exam question, scenario, measured outcome, checked takeaway.
    Lesson(lesson::LessonArgs),
    /// Multiple-choice questions from the lessons, each answered with its simulation.
    Quiz(lesson::QuizArgs),
    /// Price a usage file (usage.csv) as CloudFront would bill it, line by line.
    Cost(cost::CostArgs),
}

#[derive(Debug, clap::Args)]
pub struct ScenarioArgs {
    /// The scenario file (TOML; see scenarios/README.md).
    pub scenario: PathBuf,
    /// Override a scenario field: --set traffic.zipf_alpha=1.1 (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Seed of the run (overrides simulation.seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Stop after this many viewer requests (overrides simulation.requests/duration).
    #[arg(long)]
    pub requests: Option<u64>,
    /// Results folder [default: results/<scenario-name>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Do not draw a progress bar.
    #[arg(long)]
    pub no_progress: bool,
    /// Threads the run's partitions share [default: all cores]. The results are the same, byte for byte,
    /// at any count: the distribution is cut into partitions (each regional edge cache with its edge
    /// locations, and the origins) by the scenario alone, and the threads only run them.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Draw the charts and report.html into the results folder at the end (as `cdnsim plot`).
    #[arg(long)]
    pub plot: bool,
    /// Also write every viewer request as CloudFront standard access logs
    /// (one gzip file per hour of simulated time) into this folder.
    #[arg(long, value_name = "DIR", conflicts_with = "trace")]
    pub access_log: Option<PathBuf>,
    /// Write the access logs as plain text instead of gzip.
    #[arg(long, requires = "access_log")]
    pub access_log_plain: bool,
    /// Viewer requests from this trace (CSV or CloudFront access logs, a file or a directory)
    /// instead of the scenario's traffic.
    #[arg(long, value_name = "PATH")]
    pub trace: Option<PathBuf>,
    #[command(flatten)]
    pub trace_input: replay::TraceArgs,
    /// Map the log's edge locations (x-edge-location, e.g. IAD89-C1) onto the scenario's edges.
    ///
    /// RULE is `all=EDGE` (every request replays at EDGE, a CSV trace's too), `airport` (a location replays at the
    /// first edge, in the scenario's order, whose name starts with its 3-letter airport code:
    /// IAD89-C1 at IAD1), or `LOCATION=EDGE` (IAD89-C1=IAD1; IAD89=IAD1 maps every IAD89-*).
    /// Repeat the option or separate rules with commas. Pairs come first, then the location's own
    /// name (IAD89-C1 replays at an edge named IAD89-C1 or IAD89 with no rule), then `airport`;
    /// `all=` stands alone. Lines at locations still unknown are skipped and counted, and a trace
    /// of which no request is left is an error.
    #[arg(long, value_name = "RULE", value_delimiter = ',', requires = "trace")]
    pub edge_map: Vec<cdnsim::trace::edge_map::EdgeMapRule>,
    /// The billing period usage.csv and cost.csv cover (overrides the scenario's cost.period, 30 d by default): the
    /// usage counted over the measured simulated time (after the warm-up) is scaled linearly to it, e.g. "7 d", "1 h".
    #[arg(long, value_name = "DURATION", value_parser = parse_cost_period)]
    pub cost_period: Option<cdnsim::time::SimDuration>,
}

/// Parses the arguments and runs the command. Errors are for `main` to print.
pub fn run(args: impl IntoIterator<Item = std::ffi::OsString>) -> anyhow::Result<ExitCode> {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version itself, and usage errors with exit 2.
            let _ = e.print();
            return Ok(ExitCode::from(if e.use_stderr() { 2 } else { 0 }));
        }
    };
    match cli.command {
        Command::Run(args) => run_scenario(args),
        Command::Sweep(args) => sweep::run_sweep(args),
        Command::Merge(args) => sweep::run_merge(args),
        Command::Replay(args) => replay::run_replay(args),
        Command::Mrc(args) => mrc::run_mrc(args),
        Command::Validate(args) => validate(args),
        Command::Plot(args) => plot::run_plot(args),
        Command::Sign { cmd } => sign::run_sign(cmd),
        Command::Verify { cmd } => sign::run_verify(cmd),
        Command::Import { cmd } => import::run_import(cmd),
        Command::Lesson(args) => lesson::run_lesson(args),
        Command::Quiz(args) => lesson::run_quiz(args),
        Command::Cost(args) => cost::run_cost(args),
    }
}

fn load(args: &ScenarioArgs, traffic_from: TrafficFrom) -> anyhow::Result<Scenario> {
    let overrides =
        args.set.iter().map(|s| Override::parse(s).map_err(anyhow::Error::msg)).collect::<anyhow::Result<Vec<_>>>()?;
    let scenario = Scenario::load_for(&args.scenario, &overrides, traffic_from)?;
    for w in &scenario.import_warnings {
        eprintln!("cdnsim: warning: {w}");
    }
    Ok(scenario)
}

fn validate(args: ScenarioArgs) -> anyhow::Result<ExitCode> {
    if sweep::is_sweep_file(&args.scenario)? {
        return sweep::validate_sweep_file(&args.scenario, &args.set);
    }
    let scenario = load(&args, TrafficFrom::Classes)?;
    out!("{}", scenario.describe());
    outln!("ok: {} is valid", args.scenario.display());
    Ok(ExitCode::SUCCESS)
}

/// How the run was cut into partitions and spread over threads, and why not
/// further when it could not be.
fn partitions_line(partitions: &engine::Partitions, threads: usize) -> String {
    let mut line = if partitions.count > 1 {
        let threads = threads.min(partitions.count);
        format!(
            "{} partitions on {threads} thread{} ({} windows of {})",
            partitions.count,
            if threads == 1 { "" } else { "s" },
            partitions.windows,
            cdnsim::units::format_duration(partitions.lookahead)
        )
    } else {
        "one partition (serial)".to_string()
    };
    for note in &partitions.notes {
        line.push_str("; ");
        line.push_str(note);
    }
    line
}

fn run_scenario(args: RunArgs) -> anyhow::Result<ExitCode> {
    let traffic_from = if args.trace.is_some() { TrafficFrom::Trace } else { TrafficFrom::Classes };
    let mut scenario = load(&args.scenario, traffic_from)?;
    match args.requests {
        Some(0) => anyhow::bail!("--requests must be at least 1"),
        // With a trace, --requests only limits the records read.
        Some(n) if args.trace.is_none() => scenario.stop_after_requests(n)?,
        _ => {}
    }
    if let Some(period) = args.cost_period {
        scenario.cost.period = period;
    }
    let seed = args.seed.unwrap_or(scenario.simulation.seed);
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from("results").join(&scenario.name));
    if let Some(trace) = &args.trace {
        let edges =
            cdnsim::trace::edge_map::EdgeMap::new(&args.edge_map).map_err(|e| anyhow::anyhow!("--edge-map: {e}"))?;
        let started = std::time::Instant::now();
        let input = &args.trace_input;
        let (report, stats) =
            replay::run_trace(&scenario, seed, trace, input, &edges, args.requests, args.no_progress)?;
        let elapsed = started.elapsed();
        return replay::finish(&report, &scenario, &stats, Some(&out), args.format, elapsed);
    }
    let bar = progress::for_run(&scenario, args.no_progress);
    let started = std::time::Instant::now();
    let threads = args.threads.map_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()), usize::from);
    let (report, logged) = match &args.access_log {
        None => {
            let mut update = |p| {
                bar.update(p);
                std::ops::ControlFlow::Continue(())
            };
            let report = engine::run_on_threads(&scenario, seed, threads, &mut update).map_err(|e| match e {
                engine::RunError::Accounting(broken) => broken,
                engine::RunError::Stopped(_) => unreachable!("the progress bar never stops a run"),
            })?;
            (report, None)
        }
        Some(dir) => {
            let options = report::access_log::AccessLogOptions { gzip: !args.access_log_plain };
            let mut log = report::access_log::AccessLog::create(dir, &scenario, seed, options)?;
            // On a broken identity the log is dropped unfinished, which
            // removes its files.
            let report = engine::run_observed_on_threads(&scenario, seed, threads, &mut log, &mut |p| bar.update(p))?;
            let records = log.records();
            let files = log.finish().with_context(|| format!("writing the access logs for {}", scenario.name))?;
            (report, Some((records, files.len(), dir)))
        }
    };
    bar.finish();
    let elapsed = started.elapsed();
    let mut files = report::result_files(&report, &scenario)?;
    let text = std::fs::read_to_string(&args.scenario.scenario)
        .with_context(|| format!("cannot read {}", args.scenario.scenario.display()))?;
    files.push((
        "scenario.toml",
        report::scenario_record(&text, &args.scenario.scenario, seed, args.requests, &args.scenario.set),
    ));
    report::write_files(&out, &files).with_context(|| format!("writing results for {}", scenario.name))?;
    let summary = report::summary(&report, &scenario)?;
    if let Some(warning) = report::nothing_measured_warning(&report, &scenario, &summary) {
        eprintln!("cdnsim: warning: {warning}");
    }
    match args.format {
        Format::Json => outln!("{}", report::summary_json(&summary)),
        Format::Table => {
            out!("{}", report::summary_table(&summary));
            outln!(
                "  wall time {:.2} s ({:.2} M requests/s); results in {}",
                elapsed.as_secs_f64(),
                report.requests_simulated as f64 / elapsed.as_secs_f64().max(1e-9) / 1e6,
                out.display()
            );
            outln!("  {}", partitions_line(&report.partitions, threads));
            if let Some((records, files, dir)) = logged {
                outln!("  access logs: {records} requests in {files} files in {}", dir.display());
            }
        }
    }
    if args.plot && summary.requests > 0 {
        plot::plot_and_say(&out, &cdnsim::plot::SweepChoice::default())?;
    } else if args.plot {
        eprintln!("cdnsim: warning: no charts, as nothing was measured");
    }
    Ok(ExitCode::SUCCESS)
}
