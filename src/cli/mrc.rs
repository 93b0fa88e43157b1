//! `cdnsim mrc`: its arguments, progress bar, table and files. The curves
//! themselves are `cdnsim::mrc`.

use super::format::Format;
use super::progress;
use super::replay::TraceArgs;
use anyhow::Context;
use cdnsim::mrc::{self, Mrc, MrcFlags, MrcOptions};
use cdnsim::units::format_size;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct MrcArgs {
    /// The trace: a file or a directory of files (read in name order), plain or gzip; read as
    /// `cdnsim replay` reads it.
    pub trace: PathBuf,
    /// Cache sizes: a list ("1MB,10MB,100MB"; units as --cache-size of `replay`), or a range
    /// ("1MB..1GB") of --points sizes on a log scale [default: --points sizes on a log scale from
    /// the smallest request's size to the working set, the sum of the distinct objects' sizes; with policies
    /// other than lru, which need their sizes before the pass, the trace is read once more first to find them].
    #[arg(long, value_name = "SIZES")]
    pub sizes: Option<String>,
    /// How many sizes a range or the default spans.
    #[arg(long, default_value_t = 40)]
    pub points: usize,
    /// The policies, comma-separated, or `all` (every eviction policy and `belady`). `lru` is computed
    /// from stack distances in one pass (rows named `lru`): equal to `replay --policy lru` from the
    /// largest request's size up when each object keeps its size, an upper bound on the misses
    /// below it (at a single --sizes value, one LRU cache is simulated instead: faster, and exact at
    /// any size). The others by simulating a cache of each size, all fed the same reading in parallel.
    /// `belady` is Belady's MIN (farthest next use first, as libCacheSim's Belady), the bound no
    /// policy beats: run after the reading, it keeps every request in memory (12 bytes each)
    /// [default: lru, or nothing besides the sample with --sample-rate/--sample-objects].
    #[arg(long, value_name = "POLICIES", value_delimiter = ',')]
    pub policy: Vec<String>,
    /// Also estimate the LRU curve with SHARDS on this fraction of the objects (in (0, 1], e.g.
    /// 0.01), chosen by a hash of their ids; rows named `lru-shards`.
    #[arg(long, value_name = "RATE", conflicts_with = "sample_objects")]
    pub sample_rate: Option<f64>,
    /// Also estimate the LRU curve with SHARDS on at most this many objects (fixed-size SHARDS:
    /// the rate falls as the trace shows more objects); rows named `lru-shards`.
    #[arg(long, value_name = "N")]
    pub sample_objects: Option<u64>,
    /// Stop after this many requests.
    #[arg(long)]
    pub requests: Option<u64>,
    /// Threads simulating the policies [default: one per core]. The results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Write mrc.csv and mrc.json into this folder (`cdnsim plot DIR` draws them).
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

pub fn run_mrc(args: MrcArgs) -> anyhow::Result<ExitCode> {
    let options = MrcOptions::from_args(&MrcFlags {
        sizes: args.sizes.as_deref(),
        points: args.points,
        policies: &args.policy,
        sample_rate: args.sample_rate,
        sample_objects: args.sample_objects,
        limit: args.requests,
    })?;
    let input = args.input.input(&args.trace)?;
    let name = args.trace.file_name().map_or("trace".into(), |n| n.to_string_lossy().into_owned());
    let bar = progress::for_trace(&name, args.no_progress);
    let started = std::time::Instant::now();
    let result = mrc::mrc_on_threads(args.threads, &args.trace, &input, &options, &mut |p| {
        bar.update(p);
        ControlFlow::Continue(())
    });
    bar.finish();
    let result = result?;
    let elapsed = started.elapsed();
    super::replay::warn_malformed(&result.malformed);
    if let Some(out) = &args.out {
        let files = vec![("mrc.csv", mrc::csv_bytes(&result.rows)?), ("mrc.json", mrc::json(&result)?.into_bytes())];
        cdnsim::report::write_files(out, &files).with_context(|| format!("writing the curves of {name}"))?;
    }
    match args.format {
        Format::Json => outln!("{}", mrc::json(&result)?),
        Format::Table => table(&result, elapsed, args.out.as_deref())?,
    }
    Ok(ExitCode::SUCCESS)
}

fn table(result: &Mrc, elapsed: std::time::Duration, out: Option<&std::path::Path>) -> anyhow::Result<()> {
    let objects = result.objects.map_or(String::new(), |n| format!(", {n} objects"));
    outln!(
        "{} requests{objects}, {} requested, working set {}",
        result.requests,
        format_size(result.bytes),
        format_size(result.working_set_bytes)
    );
    if result.lru_method == Some(mrc::LruMethod::Simulated) {
        outln!("lru (simulated): one LRU cache, as `replay --policy lru` runs it at that size");
    } else if result.lru_method == Some(mrc::LruMethod::StackDistances) {
        outln!(
            "lru (exact, stack distances): equal to an LRU cache from {} (the largest request) up; \
             below, an upper bound on its misses",
            format_size(result.largest_request_bytes)
        );
        if let Some(changes) = result.size_changes.filter(|&n| n > 0) {
            outln!(
                "  {changes} requests changed their object's size: the stack takes the new size where a cache \
                 keeps the copy it has"
            );
        }
    }
    if let Some(s) = &result.shards {
        outln!(
            "{} (SHARDS): the mean of {} independent samples at rate {:.6} ({} objects each); error estimate \
             ±{:.4} miss ratio, ±{:.4} byte miss ratio (the largest standard error over the sizes)",
            mrc::SHARDS_NAME,
            s.samples,
            s.rate,
            s.sampled_objects,
            s.miss_ratio_error,
            s.byte_miss_ratio_error,
        );
        outln!(
            "  a sampled object stands for {}: at sizes of a few times that and below, the estimate has too many hits",
            format_size(s.resolution_bytes)
        );
    }
    outln!("{:<12} {:>12} {:>12} {:>16}", "policy", "size", "miss ratio", "byte miss ratio");
    for r in &result.rows {
        outln!(
            "{:<12} {:>12} {:>11.2}% {:>15.2}%",
            r.policy,
            format_size(r.size_bytes),
            r.miss_ratio * 100.0,
            r.byte_miss_ratio * 100.0
        );
    }
    let rate = result.requests as f64 / elapsed.as_secs_f64().max(1e-9) / 1e6;
    match out {
        Some(dir) => {
            outln!("  wall time {:.2} s ({rate:.2} M requests/s); results in {}", elapsed.as_secs_f64(), dir.display())
        }
        None => outln!("  wall time {:.2} s ({rate:.2} M requests/s)", elapsed.as_secs_f64()),
    }
    Ok(())
}
