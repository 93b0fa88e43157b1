//! `cdnsim sweep` and `cdnsim merge`: their arguments, the progress bar, and
//! what they print. The work itself is in `cdnsim::sweep`.
//!
//! Exit status: 0 when every run succeeded, 1 when some failed (their rows
//! say why and how to replay them), 2 for bad arguments, as everywhere.

use super::format::Format;
use super::progress;
use cdnsim::sweep::stats::{Estimate, MAIN_METRICS};
use cdnsim::sweep::{self, Event, Finished, FromFile, Plan, Shard, SweepSpec, Vary};
use clap::Args;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// A scenario file, or a sweep file with a [sweep] table (see scenarios/README.md).
    pub file: PathBuf,
    /// Vary a scenario field: PATH=A,B,C or PATH=START:STOP:STEP (repeatable; points are the cartesian product).
    #[arg(long = "vary", value_name = "PATH=LIST")]
    pub vary: Vec<String>,
    /// Override a scenario field at every point: --set traffic.rate=500 (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Runs per point, each with its own seed derived from the base seed [default: 1].
    #[arg(long)]
    pub replicates: Option<u64>,
    /// Runs at once [default: one per core].
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Base seed of the sweep (overrides simulation.seed); every run's seed is derived from it.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Stop every run after this many viewer requests (overrides simulation.requests/duration).
    #[arg(long)]
    pub requests: Option<u64>,
    /// Results folder [default: results/<sweep-file-name>, or results/<scenario-name>-sweep; -shard-K added with --shard].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// What to print on stdout at the end.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Do not draw a progress bar.
    #[arg(long)]
    pub no_progress: bool,
    /// Continue the sweep in the results folder: keep its rows, run the others.
    #[arg(long)]
    pub resume: bool,
    /// Run only the K-th of N slices of the points, e.g. one task of a job array; `cdnsim merge` combines them.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Draw the charts and report.html into the results folder at the end (as `cdnsim plot`).
    #[arg(long)]
    pub plot: bool,
    #[command(flatten)]
    pub charts: super::plot::SweepChartArgs,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The folders of the shards 1/N to N/N, each written by `cdnsim sweep --shard K/N`.
    #[arg(required = true, value_name = "SHARD_DIR")]
    pub dirs: Vec<PathBuf>,
    /// Folder of the merged sweep.
    #[arg(long)]
    pub out: PathBuf,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Command-line flags over the sweep file's fields, when the file is one.
fn spec(args: &SweepArgs) -> anyhow::Result<(SweepSpec, PathBuf)> {
    let file = sweep::file::load(&args.file)?;
    let shard = args.shard.as_deref().map(Shard::parse).transpose()?;
    let stem = args.file.file_stem().map_or_else(|| "sweep".into(), |s| s.to_string_lossy().into_owned());
    let (mut spec, default_dir) = match file {
        Some(f) => {
            let from_file = FromFile {
                replicates: args.replicates.is_none() && f.replicates.is_some(),
                requests: args.requests.is_none() && f.requests.is_some(),
                sets: f.sets.len(),
                varies: f.varies.len(),
                fields: f.fields,
            };
            (
                SweepSpec {
                    scenario: f.scenario,
                    sets: f.sets,
                    varies: f.varies,
                    replicates: args.replicates.or(f.replicates).unwrap_or(1),
                    seed: args.seed.or(f.seed),
                    requests: args.requests.or(f.requests),
                    shard,
                    from_file: Some(from_file),
                },
                Some(stem),
            )
        }
        None => (
            SweepSpec {
                scenario: args.file.clone(),
                sets: Vec::new(),
                varies: Vec::new(),
                replicates: args.replicates.unwrap_or(1),
                seed: args.seed,
                requests: args.requests,
                shard,
                from_file: None,
            },
            None,
        ),
    };
    spec.sets.extend(args.set.iter().cloned());
    for arg in &args.vary {
        spec.varies.push(Vary::parse(arg)?);
    }
    Ok((spec, default_dir.map(PathBuf::from).unwrap_or_default()))
}

pub fn run_sweep(args: SweepArgs) -> anyhow::Result<ExitCode> {
    let (spec, file_dir) = spec(&args)?;
    let plan = Plan::new(spec)?;
    let out = args.out.clone().unwrap_or_else(|| {
        let name = if file_dir.as_os_str().is_empty() {
            format!("{}-sweep", plan.scenario_name())
        } else {
            file_dir.display().to_string()
        };
        let name = match plan.shard() {
            Some(shard) => format!("{name}-shard-{}", shard.index),
            None => name,
        };
        PathBuf::from("results").join(name)
    });
    let jobs = args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if let Some(warning) = plan.scenario_for(0).ok().and_then(|s| s.warmup_warning()) {
        eprintln!("cdnsim: warning: {warning}");
    }
    let bar = progress::for_sweep(plan.scenario_name(), args.no_progress);
    let started = Instant::now();
    let mut reported_point = None;
    let finished = sweep::run_sweep(&plan, &out, jobs, args.resume, &mut |event| match event {
        Event::Started { runs, done } => bar.start(runs, done),
        Event::Finished { outcome, done } => {
            bar.set(done);
            // Say so as soon as a point fails, once per point and briefly (the
            // reason follows at the end): a long sweep should not hide a broken
            // value for hours.
            if outcome.error.is_some() && reported_point != Some(outcome.run.point) {
                reported_point = Some(outcome.run.point);
                let values = plan.point_cells(outcome.run.point);
                let params: Vec<String> =
                    plan.varies().iter().zip(values).map(|(v, c)| format!("{}={c}", v.path)).collect();
                bar.println(&format!("cdnsim: point {} ({}) failed", outcome.run.point, params.join(", ")));
            }
        }
    })?;
    bar.finish();
    let elapsed = started.elapsed().as_secs_f64();
    let ran = finished.runs - finished.resumed;
    let note = format!(
        "{} points x {} replicates{}: {} runs ({} resumed), {} failed; {ran} runs in {elapsed:.1} s ({:.2} runs/s) on {jobs} threads",
        plan.points(),
        plan.replicates(),
        plan.shard().map(|s| format!(", shard {s}")).unwrap_or_default(),
        finished.runs,
        finished.resumed,
        finished.failures.len(),
        ran as f64 / elapsed.max(1e-9),
    );
    print_finished(&finished, args.format, &note)?;
    if args.plot && plan.shard().is_none() {
        super::plot::plot_and_say(&finished.dir, &args.charts.choice())?;
    }
    Ok(exit_code(&finished))
}

/// Whether `path` is a sweep file (it has a `[sweep]` table).
pub fn is_sweep_file(path: &Path) -> anyhow::Result<bool> {
    Ok(sweep::file::load(path)?.is_some())
}

/// Most points `validate` loads one by one; past this it checks only the
/// base scenario and each varied value on its own, as `sweep` does.
const POINTS_VALIDATED: u64 = 10_000;

/// `cdnsim validate SWEEP_FILE`: the plan, and which points would fail.
pub fn validate_sweep_file(file: &Path, sets: &[String]) -> anyhow::Result<ExitCode> {
    let args = SweepArgs {
        file: file.to_path_buf(),
        vary: Vec::new(),
        set: sets.to_vec(),
        replicates: None,
        jobs: None,
        seed: None,
        requests: None,
        out: None,
        format: Format::Table,
        no_progress: true,
        resume: false,
        shard: None,
        plot: false,
        charts: Default::default(),
    };
    let (spec, _) = spec(&args)?;
    let plan = Plan::new(spec)?;
    outln!("sweep of {} ({}), base seed {}", plan.scenario_path().display(), plan.scenario_name(), plan.base_seed());
    for vary in plan.varies() {
        let cells: Vec<&str> = vary.values.iter().map(|v| v.cell.as_str()).collect();
        outln!("  vary {}: {} values ({})", vary.path, cells.len(), cells.join(", "));
    }
    outln!(
        "  {} points x {} replicates = {} runs",
        plan.points(),
        plan.replicates(),
        plan.points() * plan.replicates()
    );
    if plan.points() <= POINTS_VALIDATED {
        let failing: Vec<(u64, String)> =
            (0..plan.points()).filter_map(|p| plan.scenario_for(p).err().map(|e| (p, e.to_string()))).collect();
        for (point, error) in &failing {
            outln!("  point {point} ({}) will fail: {error}", plan.point_cells(*point).join(", "));
        }
        outln!("  {} of {} points load", plan.points() - failing.len() as u64, plan.points());
    }
    outln!("ok: {} is valid", file.display());
    Ok(ExitCode::SUCCESS)
}

pub fn run_merge(args: MergeArgs) -> anyhow::Result<ExitCode> {
    let finished = sweep::merge(&args.dirs, &args.out)?;
    let note =
        format!("merged {} shard folders: {} runs, {} failed", args.dirs.len(), finished.runs, finished.failures.len());
    print_finished(&finished, args.format, &note)?;
    Ok(exit_code(&finished))
}

fn exit_code(finished: &Finished) -> ExitCode {
    if finished.failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

/// Most failed points listed at the end; the rest are in `sweep.csv`.
const FAILURES_SHOWN: usize = 20;
/// Most points in the closing table; the rest are in `sweep-summary.csv`.
const POINTS_SHOWN: usize = 40;

fn print_finished(finished: &Finished, format: Format, note: &str) -> anyhow::Result<()> {
    match format {
        Format::Json => outln!("{}", finished_json(finished)),
        Format::Table => {
            outln!("{note}");
            out!("{}", points_table(finished));
            outln!(
                "results in {} ({}, {})",
                finished.dir.display(),
                sweep::output::ROWS_FILE,
                sweep::output::SUMMARY_FILE
            );
        }
    }
    let mut failed_points: Vec<&sweep::Failure> = finished.failures.iter().collect();
    failed_points.dedup_by_key(|f| f.run.point);
    if !failed_points.is_empty() {
        eprintln!(
            "cdnsim: {} of {} runs failed, at {} point{} (status \"failed\" in sweep.csv); replay one with its rerun command:",
            finished.failures.len(),
            finished.runs,
            failed_points.len(),
            if failed_points.len() == 1 { "" } else { "s" }
        );
        for f in failed_points.iter().take(FAILURES_SHOWN) {
            let params: Vec<String> = f.varied.iter().map(|(path, value)| format!("{path}={value}")).collect();
            eprintln!("  point {} ({}): {}\n    rerun: {}", f.run.point, params.join(", "), f.error, f.rerun);
        }
        if failed_points.len() > FAILURES_SHOWN {
            eprintln!("  ... and {} more points", failed_points.len() - FAILURES_SHOWN);
        }
    }
    Ok(())
}

/// The points with three headline metrics, `mean ± half-width`.
fn points_table(finished: &Finished) -> String {
    const SHOWN: [&str; 3] = ["hit_ratio", "origin_offload", "latency_p99_ms"];
    let metric_index = |name: &str| MAIN_METRICS.iter().position(|m| *m == name).expect("a main metric");
    let mut rows = vec![{
        let mut header = vec!["point".to_string()];
        header.extend(finished.vary_paths.iter().cloned());
        header.extend(SHOWN.iter().map(|s| s.to_string()));
        header
    }];
    for p in finished.points.iter().take(POINTS_SHOWN) {
        let mut row = vec![p.point.to_string()];
        row.extend(p.varied.iter().cloned());
        for name in SHOWN {
            let decimals = if name.ends_with("_ms") { 2 } else { 4 };
            row.push(match p.metrics[metric_index(name)] {
                None => "failed".into(),
                Some(Estimate { mean, ci95: None }) => format!("{mean:.decimals$}"),
                Some(Estimate { mean, ci95: Some((low, high)) }) => {
                    format!("{mean:.decimals$} ± {:.decimals$}", (high - low) / 2.0)
                }
            });
        }
        rows.push(row);
    }
    let widths: Vec<usize> =
        (0..rows[0].len()).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in &rows {
        let cells: Vec<String> = row.iter().zip(&widths).map(|(cell, w)| format!("{cell:<w$}")).collect();
        out.push_str("  ");
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    if finished.points.len() > POINTS_SHOWN {
        out.push_str(&format!("  ... and {} more points\n", finished.points.len() - POINTS_SHOWN));
    }
    out
}

fn finished_json(finished: &Finished) -> serde_json::Value {
    let points: Vec<serde_json::Value> = finished
        .points
        .iter()
        .map(|p| {
            let varied: serde_json::Map<String, serde_json::Value> =
                finished.vary_paths.iter().cloned().zip(p.varied.iter().map(|v| json!(v))).collect();
            let metrics: serde_json::Map<String, serde_json::Value> = MAIN_METRICS
                .iter()
                .zip(&p.metrics)
                .map(|(name, e)| {
                    let value = e.map(|e| {
                        json!({ "mean": e.mean, "ci95_low": e.ci95.map(|c| c.0), "ci95_high": e.ci95.map(|c| c.1) })
                    });
                    (name.to_string(), value.unwrap_or(serde_json::Value::Null))
                })
                .collect();
            json!({ "point": p.point, "varied": varied, "runs": p.runs, "failed": p.failed, "metrics": metrics })
        })
        .collect();
    let failures: Vec<serde_json::Value> = finished
        .failures
        .iter()
        .map(|f| json!({ "point": f.run.point, "replicate": f.run.replicate, "error": f.error, "rerun": f.rerun }))
        .collect();
    json!({
        "out": path_text(&finished.dir),
        "runs": finished.runs,
        "resumed": finished.resumed,
        "failed": finished.failures.len(),
        "points": points,
        "failures": failures,
    })
}

fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}
