//! Replay benchmark: `cdnsim replay`'s path (trace reader, id map, the
//! engine, one LRU cache) on a generated trace of a few million requests with
//! Zipf popularity, in trace requests per second on one core, read from CSV
//! and from the same requests in libCacheSim's oracleGeneral binary format.
//!
//! Run with `cargo bench --bench replay`. `CDNSIM_BENCH_REQUESTS=N` sets the
//! trace length (default 5,000,000), `CDNSIM_BENCH_POLICY=fifo` the policy,
//! `CDNSIM_BENCH_TRACE=path` replays a file of your own instead (format
//! detected, CSV in the default layout) with three capacities;
//! `CDNSIM_BENCH_KEEP=1` keeps the generated traces and prints where they are
//! (to time another simulator, such as libCacheSim's `cachesim`, on them). Prints medians of several runs: the machines are
//! shared and noisy, so compare ratios, not single figures.
mod common;
use common::*;

use cdnsim::cdn::popularity::Popularity;
use cdnsim::replay::{TraceInput, replay_scenario, run_trace};
use cdnsim::scenario::EvictionPolicy;
use cdnsim::scenario::Scenario;
use cdnsim::trace::oracle::OracleRecord;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

const OBJECTS: u64 = 1_000_000;
const ZIPF_ALPHA: f64 = 0.9;
const RUNS: usize = 5;

/// `time,obj_id,obj_size` at `csv`, and the same requests as oracleGeneral
/// records at `binary`: 1,000 requests a second, sizes fixed per object
/// (1 KiB to 64 KiB, by a hash of the id).
fn write_trace(csv: &Path, binary: &Path, requests: u64, objects: u64) {
    let popularity = Popularity::new(objects, ZIPF_ALPHA);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(42);
    // Ids are scattered, as real ids are, not popularity ranks.
    let ids: Vec<u64> =
        (0..requests).map(|_| popularity.sample(&mut rng).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 20).collect();
    let size_of = |id: u64| 1024 + (id.wrapping_mul(0xD6E8_FEB8_6659_FD93) >> 48) % (63 * 1024);
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(csv).expect("temp file"));
    writeln!(out, "time,obj_id,obj_size").unwrap();
    for (i, &id) in ids.iter().enumerate() {
        writeln!(out, "{},{id},{}", i / 1000, size_of(id)).unwrap();
    }
    // On disk before timing starts: the kernel writing back 120 MB of dirty
    // pages during the first replays slowed them by a third.
    out.into_inner().expect("trace written").sync_all().expect("trace synced");
    let next = cdnsim::cache::belady::next_uses(&ids);
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(binary).expect("temp file"));
    for (i, (&id, &next)) in ids.iter().zip(&next).enumerate() {
        let record = OracleRecord {
            time_s: (i / 1000) as u32,
            obj_id: id,
            size_bytes: size_of(id) as u32,
            // libCacheSim numbers requests from 1.
            next_access: (next != cdnsim::cache::belady::NEVER).then_some(next + 1),
        };
        out.write_all(&record.encode()).unwrap();
    }
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
    let keep = std::env::var_os("CDNSIM_BENCH_KEEP").is_some();
    for (objects, capacities) in [(OBJECTS, &["64 MiB", "1 GiB", "16 GiB"][..]), (10_000, &["1 GiB"][..])] {
        let stem = std::env::temp_dir().join(format!("cdnsim-bench-replay-{}-{objects}", std::process::id()));
        let (csv, binary) = (stem.with_extension("csv"), stem.with_extension("oracleGeneral.bin"));
        let started = Instant::now();
        write_trace(&csv, &binary, requests, objects);
        println!(
            "generated {requests} requests ({objects} objects, Zipf {ZIPF_ALPHA}) in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        for path in [&csv, &binary] {
            bench_trace(path, capacities, policy, &input);
            if keep {
                println!("  kept {}", path.display());
            } else {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

fn bench_trace(path: &Path, capacities: &[&str], policy: EvictionPolicy, input: &TraceInput) {
    let bytes = std::fs::metadata(path).expect("the trace exists").len();
    let format = match cdnsim::trace::detect::detect_format(path).expect("a trace") {
        cdnsim::trace::detect::TraceFormat::Csv => "CSV",
        cdnsim::trace::detect::TraceFormat::CloudfrontLog => "access logs",
        cdnsim::trace::detect::TraceFormat::OracleGeneral => "oracleGeneral",
    };
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
            "  replay {policy} {capacity} from {format}: {:.2} M trace requests/s wall, {:.2} M/s of CPU time \
             ({:.0} MB/s of file), hit ratio {:.2}%, {} objects (median of {RUNS})",
            rate / 1e6,
            cpu_rate / 1e6,
            rate * bytes as f64 / stats.requests as f64 / 1e6,
            hit_ratio * 100.0,
            stats.objects
        );
    }
}
