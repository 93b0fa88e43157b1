//! Replay benchmark: `cdnsim replay`'s path (CSV reader, id map, the engine,
//! one LRU cache) on a generated trace of a few million lines with Zipf
//! popularity, in trace requests per second on one core.
//!
//! Run with `cargo bench --bench replay`. `CDNSIM_BENCH_REQUESTS=N` sets the
//! trace length (default 5,000,000), `CDNSIM_BENCH_POLICY=fifo` the policy,
//! `CDNSIM_BENCH_TRACE=path` replays a file of your own instead (with the
//! default CSV layout) with three capacities. Prints medians of several runs: the machines are
//! shared and noisy, so compare ratios, not single figures.
mod common;
use common::*;

use cdnsim::cdn::popularity::Popularity;
use cdnsim::replay::{TraceInput, replay_scenario, run_trace};
use cdnsim::scenario::EvictionPolicy;
use cdnsim::scenario::Scenario;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

const OBJECTS: u64 = 1_000_000;
const ZIPF_ALPHA: f64 = 0.9;
const RUNS: usize = 5;

/// `time,obj_id,obj_size`: 1,000 requests a second, sizes fixed per object
/// (1 KiB to 64 KiB, by a hash of the id).
fn write_trace(path: &Path, requests: u64, objects: u64) {
    let file = std::fs::File::create(path).expect("temp file");
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let popularity = Popularity::new(objects, ZIPF_ALPHA);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(42);
    writeln!(out, "time,obj_id,obj_size").unwrap();
    for i in 0..requests {
        let rank = popularity.sample(&mut rng);
        // Ids are scattered, as real ids are, not popularity ranks.
        let id = rank.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 20;
        let size = 1024 + (id.wrapping_mul(0xD6E8_FEB8_6659_FD93) >> 48) % (63 * 1024);
        writeln!(out, "{},{id},{size}", i / 1000).unwrap();
    }
    // On disk before timing starts: the kernel writing back 120 MB of dirty
    // pages during the first replays slowed them by a third.
    out.into_inner().expect("trace written").sync_all().expect("trace synced");
}

fn main() {
    let requests: u64 = std::env::var("CDNSIM_BENCH_REQUESTS").ok().and_then(|v| v.parse().ok()).unwrap_or(5_000_000);
    let policy: EvictionPolicy =
        std::env::var("CDNSIM_BENCH_POLICY").ok().map_or(EvictionPolicy::Lru, |p| p.parse().expect("a policy name"));
    // `cdnsim replay`'s defaults: the format detected, `time,obj_id,obj_size`.
    let input = TraceInput::default();
    if let Ok(path) = std::env::var("CDNSIM_BENCH_TRACE") {
        bench_trace(Path::new(&path), &["64 MiB", "1 GiB", "16 GiB"], policy, &input);
        return;
    }
    // A catalog far larger than the CPU caches (1M objects, tables of tens of
    // MB: every request misses in them), then one whose hot set fits.
    for (objects, capacities) in [(OBJECTS, &["64 MiB", "1 GiB", "16 GiB"][..]), (10_000, &["1 GiB"][..])] {
        let path = std::env::temp_dir().join(format!("cdnsim-bench-replay-{}-{objects}.csv", std::process::id()));
        let started = Instant::now();
        write_trace(&path, requests, objects);
        println!(
            "generated {requests} lines ({objects} objects, Zipf {ZIPF_ALPHA}) in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        bench_trace(&path, capacities, policy, &input);
        let _ = std::fs::remove_file(&path);
    }
}

fn bench_trace(path: &Path, capacities: &[&str], policy: EvictionPolicy, input: &TraceInput) {
    let bytes = std::fs::metadata(path).expect("the trace exists").len();
    for capacity in capacities {
        let capacity_bytes = cdnsim::units::parse_size(capacity).unwrap();
        let text = replay_scenario("bench-replay", capacity_bytes, policy, None);
        let scenario = Scenario::from_toml_str(Path::new("bench.toml"), &text, &[]).unwrap();
        let mut rates = Vec::new();
        let mut cpu_rates = Vec::new();
        let mut summary = None;
        for _ in 0..RUNS {
            let started = Instant::now();
            let cpu_started = cpu_seconds();
            let edges = cdnsim::trace::edge_map::EdgeMap::default();
            let (report, stats) =
                run_trace(&scenario, 0, path, input, &edges, None, &mut |_| {}).expect("the trace replays");
            let secs = started.elapsed().as_secs_f64();
            rates.push(stats.requests as f64 / secs);
            if let (Some(a), Some(b)) = (cpu_started, cpu_seconds()) {
                cpu_rates.push(stats.requests as f64 / (b - a));
            }
            summary = Some((report.metrics.results.hits() as f64 / report.metrics.requests.max(1) as f64, stats));
        }
        let (hit_ratio, stats) = summary.unwrap();
        let rate = median(rates);
        let cpu_rate = if cpu_rates.is_empty() { f64::NAN } else { median(cpu_rates) };
        println!(
            "  replay {policy} {capacity}: {:.2} M trace requests/s wall, {:.2} M/s of CPU time ({:.0} MB/s of CSV), \
             hit ratio {:.2}%, {} objects (median of {RUNS})",
            rate / 1e6,
            cpu_rate / 1e6,
            rate * bytes as f64 / stats.requests as f64 / 1e6,
            hit_ratio * 100.0,
            stats.objects
        );
    }
}
