//! Miss-ratio curve benchmark: `cdnsim mrc`'s passes on a generated CSV
//! trace with Zipf popularity, reading included (the trace is written to a
//! temp file first), in trace requests per second on one core:
//!
//! - the CSV reader alone (what any pass over the file, `replay`'s too,
//!   pays for reading),
//! - the exact LRU pass at the default 40 sizes,
//! - LRU at one size, which `mrc` simulates (the cachesim comparison),
//! - SHARDS at a 1% rate (four samples) alone.
//!
//! Run with `cargo bench --bench mrc`. `CDNSIM_BENCH_REQUESTS=N` sets the
//! trace length (default 10,000,000, over 1,000,000 objects),
//! `CDNSIM_BENCH_RUNS=N` the runs per figure (default 3),
//! `CDNSIM_BENCH_TRACE=path` uses a file of your own (default CSV layout).
//! Prints medians: the machines are shared and noisy.
mod common;
use common::*;

use cdnsim::cdn::popularity::Popularity;
use cdnsim::mrc::{MrcOptions, Sampling, Sizes, mrc};
use cdnsim::replay::TraceInput;
use cdnsim::scenario::EvictionPolicy;
use cdnsim::trace::TraceReader;
use cdnsim::trace::csv::CsvReader;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

const OBJECTS: u64 = 1_000_000;
const ZIPF_ALPHA: f64 = 0.9;

/// `time,obj_id,obj_size`: sizes fixed per object (1 KiB to 64 KiB, by a
/// hash of the id), ids scattered as real ids are.
fn write_trace(path: &Path, requests: u64, objects: u64) {
    let file = std::fs::File::create(path).expect("temp file");
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let popularity = Popularity::new(objects, ZIPF_ALPHA);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(42);
    writeln!(out, "time,obj_id,obj_size").unwrap();
    for i in 0..requests {
        let rank = popularity.sample(&mut rng);
        let id = rank.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 20;
        let size = 1024 + (id.wrapping_mul(0xD6E8_FEB8_6659_FD93) >> 48) % (63 * 1024);
        writeln!(out, "{},{id},{size}", i / 1000).unwrap();
    }
    // On disk before timing starts, so no write-back competes with the runs.
    out.into_inner().expect("trace written").sync_all().expect("trace synced");
}

fn main() {
    let requests: u64 = std::env::var("CDNSIM_BENCH_REQUESTS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000_000);
    let runs: usize = std::env::var("CDNSIM_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    let own = std::env::var("CDNSIM_BENCH_TRACE").ok();
    let path = match &own {
        Some(p) => Path::new(p).to_path_buf(),
        None => {
            let path = std::env::temp_dir().join(format!("cdnsim-bench-mrc-{}.csv", std::process::id()));
            let started = Instant::now();
            write_trace(&path, requests, OBJECTS);
            println!(
                "generated {requests} lines ({OBJECTS} objects, Zipf {ZIPF_ALPHA}) in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            path
        }
    };
    let input = TraceInput::default();
    let time = |what: &str, pass: &mut dyn FnMut() -> u64| {
        let mut rates = Vec::new();
        let mut read = 0;
        for _ in 0..runs {
            let started = Instant::now();
            read = pass();
            rates.push(read as f64 / started.elapsed().as_secs_f64());
        }
        println!("  {what}: {:.2} M requests/s (median of {runs}, {read} requests)", median(rates) / 1e6);
    };
    time("CSV reader alone", &mut || {
        let mut reader = CsvReader::open(&path, input.csv.clone()).expect("the trace opens");
        let mut n = 0u64;
        while reader.next_record().expect("the trace reads").is_some() {
            n += 1;
        }
        n
    });
    let run = |options: &MrcOptions| mrc(&path, &input, options, &mut |_| {}).expect("the curve is computed");
    let exact = MrcOptions {
        sizes: Sizes::Default { points: 40 },
        policies: vec![EvictionPolicy::Lru],
        sampling: None,
        belady: false,
        limit: None,
    };
    let mut memory = None;
    time("exact LRU, 40 sizes", &mut || {
        let result = run(&exact);
        memory = Some((result.exact_memory_bytes.unwrap_or(0), result.objects.unwrap_or(1)));
        result.requests
    });
    if let Some((bytes, objects)) = memory {
        println!(
            "    exact pass memory: {:.1} MB for {objects} objects ({:.1} bytes/object)",
            bytes as f64 / 1e6,
            bytes as f64 / objects as f64
        );
    }
    // One size: a simulated LRU cache, what libCacheSim's `cachesim` runs
    // (`cachesim TRACE oracleGeneral lru 64MB`; give it the same requests
    // with CDNSIM_BENCH_TRACE=FILE.oracleGeneral.bin to compare).
    let one_size = MrcOptions { sizes: Sizes::Given(vec![64 << 20]), ..exact.clone() };
    time("LRU at one size (64 MiB, a simulated cache)", &mut || run(&one_size).requests);
    let shards = MrcOptions { policies: Vec::new(), sampling: Some(Sampling::Rate(0.01)), ..exact.clone() };
    time("SHARDS 1% (4 samples), 40 sizes", &mut || run(&shards).requests);
    if own.is_none() {
        let _ = std::fs::remove_file(&path);
    }
}
