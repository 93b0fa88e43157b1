//! Sweep scaling benchmark: runs per second of a sweep over the quickstart
//! scenario at `--jobs 1` and `--jobs 2`, and the speed-up between them
//! (the target on a 2-core machine is at least 1.8x).
//!
//! Run with `cargo bench --bench sweep`. Each setting is timed several times
//! and the medians are printed; the machines are shared and noisy, so the
//! ratio matters more than the figures. `CDNSIM_BENCH_REQUESTS=N` changes the
//! requests per run (default 100000), `CDNSIM_BENCH_REPEATS=N` the timings per
//! setting (default 5). It also checks that both settings wrote the same
//! `sweep.csv`, as they must.
mod common;
use common::median;

use cdnsim::sweep::{self, Plan, SweepSpec, Vary};
use std::path::PathBuf;
use std::time::Instant;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let requests = env_u64("CDNSIM_BENCH_REQUESTS", 100_000);
    let repeats = env_u64("CDNSIM_BENCH_REPEATS", 5).max(1);
    // 3 capacities x 4 skews x 2 replicates = 24 runs of similar but unequal
    // cost: enough that the last run's imbalance between threads is small.
    let plan = Plan::new(SweepSpec {
        scenario: PathBuf::from("scenarios/quickstart.toml"),
        sets: vec!["simulation.warmup=0".into()],
        varies: ["caches.edge.capacity=64 MiB,256 MiB,1 GiB", "traffic.zipf_alpha=0.6:1.2:0.2"]
            .iter()
            .map(|v| Vary::parse(v).expect("a valid --vary"))
            .collect(),
        replicates: 2,
        seed: Some(1),
        requests: Some(requests),
        shard: None,
        from_file: None,
    })
    .expect("the benchmark's sweep is valid");
    let runs = plan.run_count();
    let root = std::env::temp_dir().join(format!("cdnsim-bench-sweep-{}", std::process::id()));
    println!("sweep benchmark: {runs} runs of {requests} requests (quickstart), {repeats} timings per setting");

    // The settings take turns, so that load from other processes on a shared
    // machine falls on both rather than on whichever ran second.
    let settings = [1usize, 2];
    let mut samples = vec![Vec::new(); settings.len()];
    let mut outputs = vec![Vec::new(); settings.len()];
    for repeat in 0..repeats {
        for (i, &jobs) in settings.iter().enumerate() {
            let dir = root.join(format!("jobs{jobs}-{repeat}"));
            let _ = std::fs::remove_dir_all(&dir);
            let started = Instant::now();
            let finished = sweep::run_sweep(&plan, &dir, jobs, false, &mut |_| {}).expect("the sweep runs");
            let seconds = started.elapsed().as_secs_f64();
            assert_eq!(finished.runs, runs);
            assert!(finished.failures.is_empty(), "no run fails");
            samples[i].push(runs as f64 / seconds);
            outputs[i] = std::fs::read(dir.join("sweep.csv")).expect("sweep.csv was written");
        }
    }
    let mut rates = Vec::new();
    for (jobs, samples) in settings.iter().zip(&samples) {
        let rate = median(samples.clone());
        let all: Vec<String> = samples.iter().map(|s| format!("{s:.2}")).collect();
        println!("  --jobs {jobs}: {rate:.2} runs/s median ({} runs/s)", all.join(", "));
        rates.push(rate);
    }
    assert!(outputs[0] == outputs[1], "--jobs 1 and --jobs 2 wrote different sweep.csv");
    let _ = std::fs::remove_dir_all(&root);
    let ratio = rates[1] / rates[0];
    println!("  speed-up --jobs 2 / --jobs 1: {ratio:.2}x (target >= 1.8x on 2 cores)");
}
