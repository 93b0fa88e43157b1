//! CloudFront-sized benchmark: `scenarios/cloudfront-scale.toml` (600 edge
//! locations over 12 regional edge caches, 5 million objects of about
//! 200 KiB, 2 GiB per edge, 50 GiB per REC, 50,000 requests a second), run
//! by the serial engine (`engine::run_unpartitioned`) and by the partitioned
//! one on 1 and 2 threads (`CDNSIM_BENCH_THREADS=1,2,4` for others), the
//! runs of each interleaved. Prints, as medians of the runs:
//!
//! - requests and events per second over the whole run, and the speed-up of
//!   each thread count over the partitioned engine on one thread;
//! - the same over the run's first fifth (a **cold start**: empty caches,
//!   most requests miss and go the whole way) and its last half (closer to
//!   a **warm steady state**; how full the caches are at the end is printed,
//!   since at 10M requests the edges are still filling);
//! - the partitions, their windows and their share of the events, and the
//!   speed-up the work allows on 1 to 64 cores (`Partitions::busiest`), and
//!   modelled with the windows' barrier cost measured here
//!   (ARCHITECTURE.md, "One run over many cores");
//! - bytes of cache memory per cached object, and the process's peak
//!   resident memory.
//!
//! Run with `cargo bench --bench scale`. `CDNSIM_BENCH_RUNS=N` (default 3),
//! `CDNSIM_BENCH_REQUESTS=N` (default the scenario's 10,000,000),
//! `CDNSIM_BENCH_SET="a.b=1;c.d=2"` overrides fields. The machines are shared
//! and noisy: compare medians measured in one sitting.
mod common;
use common::{full_cache_memory, median, peak_rss_bytes, scenario_sets};

use cdnsim::engine::{self, Progress, Report};
use cdnsim::scenario::{Override, Scenario};
use std::ops::ControlFlow;
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

/// How a run is made: the serial engine, or the partitioned one on threads.
#[derive(Clone, Copy)]
enum Way {
    Serial,
    Threads(usize),
}

impl Way {
    fn name(self) -> String {
        match self {
            Way::Serial => "serial engine".to_string(),
            Way::Threads(1) => "partitioned, 1 thread".to_string(),
            Way::Threads(n) => format!("partitioned, {n} threads"),
        }
    }

    fn run(self, scenario: &Scenario, seed: u64, on_progress: &mut dyn FnMut(Progress)) -> Report {
        match self {
            Way::Serial => engine::run_unpartitioned(scenario, seed, on_progress).expect("the accounting adds up"),
            Way::Threads(n) => engine::run_on_threads(scenario, seed, n, &mut |p| {
                on_progress(p);
                ControlFlow::Continue(())
            })
            .expect("the accounting adds up"),
        }
    }
}

/// The medians of one way's runs.
#[derive(Default)]
struct Rates {
    seconds: Vec<f64>,
    whole: Vec<f64>,
    events: Vec<f64>,
    cold: Vec<f64>,
    warm: Vec<f64>,
}

fn main() {
    let runs: usize = std::env::var("CDNSIM_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    let threads: Vec<usize> = std::env::var("CDNSIM_BENCH_THREADS")
        .ok()
        .map(|v| v.split(',').map(|n| n.trim().parse().expect("CDNSIM_BENCH_THREADS: 1,2,4")).collect())
        .unwrap_or_else(|| vec![1, 2]);
    let sets = scenario_sets();
    let overrides: Vec<Override> =
        sets.iter().map(|s| Override::parse(s).expect("CDNSIM_BENCH_SET: PATH=VALUE")).collect();
    let scenario = Scenario::load(Path::new(SCENARIO), &overrides).expect("the bundled scenario is valid");
    let ways: Vec<Way> = std::iter::once(Way::Serial).chain(threads.iter().map(|&n| Way::Threads(n))).collect();
    println!("== {SCENARIO}: {}", ways.iter().map(|w| w.name()).collect::<Vec<_>>().join(", "));
    let mut rates: Vec<Rates> = ways.iter().map(|_| Rates::default()).collect();
    let mut last = None;
    for run in 0..runs {
        for (way, rates) in ways.iter().zip(rates.iter_mut()) {
            let mut timeline = Timeline { points: vec![(0, 0.0)] };
            let started = Instant::now();
            let report = way.run(&scenario, 1 + run as u64, &mut |p| {
                timeline.points.push((p.requests_started, started.elapsed().as_secs_f64()));
            });
            let seconds = started.elapsed().as_secs_f64();
            let n = report.requests_simulated;
            rates.seconds.push(seconds);
            rates.whole.push(n as f64 / seconds);
            rates.events.push(report.events as f64 / seconds);
            rates.cold.push(timeline.rate_between(0, n / 5));
            rates.warm.push(timeline.rate_between(n / 2, n));
            println!(
                "run {run}, {}: {seconds:.1} s, {:.3} M requests/s, {:.2} M events/s; first fifth {:.3} M/s, last half \
                 {:.3} M/s",
                way.name(),
                n as f64 / seconds / 1e6,
                report.events as f64 / seconds / 1e6,
                rates.cold[run] / 1e6,
                rates.warm[run] / 1e6
            );
            if let Way::Threads(_) = way {
                last = Some(report);
            }
        }
    }
    let report = last.expect("at least one partitioned run");
    println!(
        "scenario: {} requests, {} objects, {} caches, {:.2} events per request",
        report.requests_simulated,
        scenario.total_objects(),
        report.caches.len(),
        report.events as f64 / report.requests_simulated as f64
    );
    let medians: Vec<f64> = rates.iter().map(|r| median(r.seconds.clone())).collect();
    let one_thread = ways.iter().position(|w| matches!(w, Way::Threads(1))).map(|i| medians[i]);
    for ((way, r), seconds) in ways.iter().zip(&rates).zip(&medians) {
        println!(
            "{:<24} median {seconds:.2} s: {:.3} M requests/s (cold {:.3}, warm {:.3}), {:.2} M events/s{}",
            way.name(),
            median(r.whole.clone()) / 1e6,
            median(r.cold.clone()) / 1e6,
            median(r.warm.clone()) / 1e6,
            median(r.events.clone()) / 1e6,
            one_thread.map_or(String::new(), |one| format!(", {:.2}x one thread", one / seconds))
        );
    }
    println!("(targets: >= 1.5 M requests/s on one core; >= 1.8x on 2 cores)");
    partitions(&report, &ways, &medians);
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

/// The partitions, and the speed-up their work allows on more cores: the
/// bound (every window as long as its busiest core's events), and a model
/// that adds each window's barrier, costed from the runs measured here.
fn partitions(report: &Report, ways: &[Way], medians: &[f64]) {
    let p = &report.partitions;
    let total: u64 = p.events.iter().sum();
    println!(
        "partitions: {} ({} windows of {} us); events per partition: {}",
        p.count,
        p.windows,
        p.lookahead.as_micros(),
        p.events
            .iter()
            .map(|&e| format!("{:.1}%", 100.0 * e as f64 / total.max(1) as f64))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let at =
        |threads: usize| ways.iter().position(|w| matches!(w, Way::Threads(n) if *n == threads)).map(|i| medians[i]);
    // One thread: all the work, in series. Two threads: the busiest core's
    // share of it, plus a barrier per window; what the share does not
    // explain is the barrier.
    let busiest =
        |cores: usize| p.busiest.iter().find(|(c, _)| *c == cores).map(|(_, b)| *b as f64 / total.max(1) as f64);
    let barrier = match (at(1), at(2), busiest(2)) {
        (Some(one), Some(two), Some(share)) if p.windows > 0 => Some(((two - one * share) / p.windows as f64).max(0.0)),
        _ => None,
    };
    if let Some(b) = barrier {
        println!("barrier cost per window, from the 1- and 2-thread runs: {:.1} us", b * 1e6);
    }
    for (cores, _) in &p.busiest {
        let share = busiest(*cores).expect("listed");
        let modelled = match (at(1), barrier) {
            (Some(one), Some(b)) if *cores > 1 => {
                format!(", modelled {:.2}x", one / (one * share + b * p.windows as f64))
            }
            _ => String::new(),
        };
        println!("  {cores:>2} cores: the work allows {:.2}x{modelled}", 1.0 / share);
    }
}
