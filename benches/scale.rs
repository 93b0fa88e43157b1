//! CloudFront-sized benchmark: `scenarios/cloudfront-scale.toml` (600 edge
//! locations over 12 regional edge caches, 5 million objects of about
//! 200 KiB, 2 GiB per edge, 50 GiB per REC, 50,000 requests a second) on one
//! core. Prints, as medians of the runs:
//!
//! - requests and events per second over the whole run;
//! - the same over the run's first fifth (a **cold start**: empty caches,
//!   most requests miss and go the whole way) and its last half (closer to
//!   a **warm steady state**; how full the caches are at the end is printed,
//!   since at 10M requests the edges are still filling);
//! - bytes of cache memory per cached object, and the process's peak
//!   resident memory.
//!
//! Run with `cargo bench --bench scale`. `CDNSIM_BENCH_RUNS=N` (default 3),
//! `CDNSIM_BENCH_REQUESTS=N` (default the scenario's 10,000,000),
//! `CDNSIM_BENCH_SET="a.b=1;c.d=2"` overrides fields. The machines are shared
//! and noisy: compare medians measured in one sitting.
mod common;
use common::{full_cache_memory, median, peak_rss_bytes, scenario_sets};

use cdnsim::engine;
use cdnsim::scenario::{Override, Scenario};
use std::path::Path;
use std::time::Instant;

const SCENARIO: &str = "scenarios/cloudfront-scale.toml";

/// Requests and wall-clock seconds at each progress report of one run.
struct Timeline {
    points: Vec<(u64, f64)>,
}

impl Timeline {
    /// Requests per second between the points nearest `from` and `to`
    /// requests started.
    fn rate_between(&self, from: u64, to: u64) -> f64 {
        let at = |n: u64| self.points[self.points.partition_point(|p| p.0 < n).min(self.points.len() - 1)];
        let (a, b) = (at(from), at(to));
        (b.0 - a.0) as f64 / (b.1 - a.1).max(1e-9)
    }
}

fn main() {
    let runs: usize = std::env::var("CDNSIM_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    let sets = scenario_sets();
    let overrides: Vec<Override> =
        sets.iter().map(|s| Override::parse(s).expect("CDNSIM_BENCH_SET: PATH=VALUE")).collect();
    let scenario = Scenario::load(Path::new(SCENARIO), &overrides).expect("the bundled scenario is valid");
    println!("== {SCENARIO}: one core");
    let (mut whole, mut events, mut cold, mut warm) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut last = None;
    for run in 0..runs {
        let mut timeline = Timeline { points: vec![(0, 0.0)] };
        let started = Instant::now();
        let report = engine::run(&scenario, 1 + run as u64, &mut |p| {
            timeline.points.push((p.requests_started, started.elapsed().as_secs_f64()));
        })
        .expect("the accounting adds up");
        let seconds = started.elapsed().as_secs_f64();
        let n = report.requests_simulated;
        whole.push(n as f64 / seconds);
        events.push(report.events as f64 / seconds);
        cold.push(timeline.rate_between(0, n / 5));
        warm.push(timeline.rate_between(n / 2, n));
        println!(
            "run {run}: {seconds:.1} s, {:.3} M requests/s, {:.2} M events/s; first fifth {:.3} M/s, last half {:.3} M/s",
            whole[run] / 1e6,
            events[run] / 1e6,
            cold[run] / 1e6,
            warm[run] / 1e6
        );
        last = Some(report);
    }
    let report = last.expect("at least one run");
    println!(
        "scenario: {} requests, {} objects, {} caches, {:.2} events per request",
        report.requests_simulated,
        scenario.total_objects(),
        report.caches.len(),
        report.events as f64 / report.requests_simulated as f64
    );
    println!("median requests/s, whole run:    {:.3} M (target >= 1.5 M on one core)", median(whole) / 1e6);
    println!("median events/s, whole run:      {:.2} M", median(events) / 1e6);
    println!("median requests/s, cold (1/5):   {:.3} M", median(cold) / 1e6);
    println!("median requests/s, warm (1/2):   {:.3} M", median(warm) / 1e6);
    let (objects, used, capacity) =
        report.caches.iter().fold((0, 0, 0), |(o, u, c), s| (o + s.objects, u + s.used_bytes, c + s.capacity_bytes));
    println!(
        "caches at the end: {objects} objects, {:.1}% of their bytes used",
        100.0 * used as f64 / capacity.max(1) as f64
    );
    match full_cache_memory(&report) {
        None => println!("cache memory per cached object:  n/a (no cache is 90% full yet; run more requests)"),
        Some((objects, memory, full)) => println!(
            "cache memory per cached object:  {:.1} B over {objects} objects in the {full} full caches (target <= 64)",
            memory as f64 / objects.max(1) as f64
        ),
    }
    match peak_rss_bytes() {
        Some(b) => println!("peak resident memory:            {:.1} MiB", b as f64 / (1024.0 * 1024.0)),
        None => println!("peak resident memory:            n/a (no /proc)"),
    }
}
