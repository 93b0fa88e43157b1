//! Engine benchmark: simulated requests and events per second, allocations
//! per request, and memory per cached object, on 10M-request, 1M-object
//! scenarios: one whose requests mostly hit the edge cache (the throughput
//! target's case) and one where a fifth go on to the regional tier; the
//! first with a realistic cache key mix; then signed traffic against the
//! same scenario unsigned.
//!
//! Run with `cargo bench --bench engine`. Prints medians of several runs; the
//! machines are shared and noisy, so compare ratios, not single figures.
mod common;
use common::{allocations, full_cache_memory, median, peak_rss_bytes, scenario_sets};

use cdnsim::engine;
use cdnsim::scenario::{Override, Scenario};
use std::path::Path;
use std::time::Instant;

const HIT_HEAVY: &str = r#"
[simulation]
name = "bench-hit-heavy"
requests = 10_000_000
metrics_interval = "60 s"

[[topology.regional_caches]]
region = "us-east-1"

[[topology.edges]]
name = "IAD1"
regional_cache = "us-east-1"
viewer_rtt = { dist = "lognormal", mean = "12 ms", stddev = "6 ms" }
regional_rtt = "8 ms"

[[topology.edges]]
name = "JFK1"
regional_cache = "us-east-1"
viewer_rtt = { dist = "lognormal", mean = "12 ms", stddev = "6 ms" }
regional_rtt = "8 ms"

[caches.edge]
capacity = "20 GiB"

[caches.regional]
capacity = "50 GiB"

[[origins]]
name = "origin"
region = "us-east-1"
latency = { dist = "lognormal", mean = "40 ms", stddev = "20 ms" }
concurrency = 10000

[distribution.default_behavior]
origin = "origin"

[traffic]
rate = 50_000
zipf_alpha = 1.2
objects = 1_000_000

[[traffic.classes]]
name = "static"
share = 1.0
path = "/static/{id}.js"
size = { dist = "lognormal", mean = "50 KiB", stddev = "50 KiB" }
cache_control = "max-age=86400"
"#;

/// Half the requests go to a behavior that requires signed URLs; 1000 viewer
/// sessions, each with its own ECDSA-signed wildcard policy.
const SIGNED: &str = r#"
[simulation]
name = "bench-signed"
requests = 10_000_000
metrics_interval = "60 s"

[[topology.regional_caches]]
region = "us-east-1"

[[topology.edges]]
name = "IAD1"
regional_cache = "us-east-1"
viewer_rtt = { dist = "lognormal", mean = "12 ms", stddev = "6 ms" }
regional_rtt = "8 ms"

[caches.edge]
capacity = "5 GiB"

[caches.regional]
capacity = "50 GiB"

[[origins]]
name = "origin"
region = "us-east-1"
latency = { dist = "lognormal", mean = "40 ms", stddev = "20 ms" }
concurrency = 10000

[signing]
[[signing.keys]]
id = "KBENCH1"
[[signing.key_groups]]
name = "group"
keys = ["KBENCH1"]

[distribution]
[[distribution.behaviors]]
path_pattern = "/private/*"
origin = "origin"
trusted_key_groups = ["group"]

[distribution.default_behavior]
origin = "origin"

[traffic]
rate = 50_000
zipf_alpha = 1.0
objects = 200_000

[[traffic.classes]]
name = "public"
share = 0.5
path = "/public/{id}.js"
size = { dist = "lognormal", mean = "50 KiB", stddev = "50 KiB" }
cache_control = "max-age=86400"

[[traffic.classes]]
name = "private"
share = 0.5
path = "/private/{id}.mp4"
size = { dist = "lognormal", mean = "50 KiB", stddev = "50 KiB" }
cache_control = "max-age=86400"
signed = { sessions = 1000, mix = { valid-url = 0.9, valid-cookie = 0.05, expired = 0.05 } }
"#;

/// Wall time of one run of `scenario`, set-up included.
fn seconds(scenario: &Scenario, seed: u64) -> f64 {
    let started = Instant::now();
    engine::run(scenario, seed, &mut |_| {}).expect("the accounting adds up");
    started.elapsed().as_secs_f64()
}

fn signed_versus_unsigned(runs: usize) {
    let load = |sets: &[&str]| {
        let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).expect("valid")).collect();
        Scenario::from_toml_str(Path::new("bench-signed.toml"), SIGNED, &overrides).expect("valid")
    };
    let unsigned_set = "distribution.behaviors[0].trusted_key_groups=[]";
    let (signed, unsigned) = (load(&[]), load(&[unsigned_set]));
    // A short run touches every session once: its extra time over the
    // unsigned twin is the one-off cost of signing and verifying each
    // session's credential, which the memo then reuses.
    let short = "simulation.requests=40000";
    let (signed_short, unsigned_short) = (load(&[short]), load(&[short, unsigned_set]));
    let requests = signed.simulation.stop;
    let (mut with, mut without, mut set_up) = (Vec::new(), Vec::new(), Vec::new());
    // Alternate the two so that background load on a shared machine hits both alike.
    for run in 0..runs as u64 {
        with.push(seconds(&signed, 1 + run));
        without.push(seconds(&unsigned, 1 + run));
        set_up.push(seconds(&signed_short, 1 + run) - seconds(&unsigned_short, 1 + run));
    }
    let (with, without, set_up) = (median(with), median(without), median(set_up));
    let n = match requests {
        cdnsim::scenario::Stop::Requests(n) => n as f64,
        cdnsim::scenario::Stop::Duration(_) => unreachable!("the bench scenario counts requests"),
    };
    println!("signed traffic (half the requests checked, 1000 sessions): {:.2} M requests/s", n / with / 1e6);
    println!("same scenario unsigned:                                      {:.2} M requests/s", n / without / 1e6);
    println!("signed / unsigned throughput, whole run: {:.2} (target >= 0.8)", without / with);
    println!(
        "  of which signing and verifying the 1000 credentials once: {:.2} s; without it: {:.2}",
        set_up,
        without / (with - set_up)
    );
}

/// Runs `scenario` `runs` times and prints its figures under `title`.
fn measure(title: &str, scenario: &Scenario, runs: usize) {
    println!("== {title}");
    let (mut req_rates, mut event_rates, mut allocs_per_request) = (Vec::new(), Vec::new(), Vec::new());
    let mut last = None;
    for run in 0..runs {
        let before = allocations();
        let started = Instant::now();
        let report = engine::run(scenario, 1 + run as u64, &mut |_| {}).expect("the accounting adds up");
        let seconds = started.elapsed().as_secs_f64();
        let allocations = allocations() - before;
        req_rates.push(report.requests_simulated as f64 / seconds);
        event_rates.push(report.events as f64 / seconds);
        allocs_per_request.push(allocations as f64 / report.requests_simulated as f64);
        println!(
            "run {run}: {:.2} s, {:.2} M requests/s, {:.2} M events/s, {} allocations",
            seconds,
            req_rates[run] / 1e6,
            event_rates[run] / 1e6,
            allocations
        );
        last = Some(report);
    }
    let report = last.expect("at least one run");
    let summary = cdnsim::report::summary(&report, scenario).expect("a bench run prices its month");
    let alpha = scenario.traffic.classes[0].zipf_alpha;
    println!("scenario: {} requests, {} objects, Zipf {alpha}", report.requests_simulated, scenario.total_objects());
    println!(
        "hit ratio {:.3} (edge {:.3}), events per request {:.2}",
        summary.hit_ratio,
        summary.edge_hit_ratio,
        report.events as f64 / report.requests_simulated as f64
    );
    if let Some(keys) = &summary.cache_keys {
        println!(
            "cache keys: {:.2} per object ({} keys, {} objects), {} fragmentation misses",
            keys.keys_per_object, keys.keys_requested, keys.objects_requested, keys.fragmentation_misses
        );
    }
    println!("median simulated requests/s: {:.2} M", median(req_rates) / 1e6);
    println!("median events/s:             {:.2} M", median(event_rates) / 1e6);
    println!("allocations per request:     {:.5} (set-up and table growth included)", median(allocs_per_request));
    match full_cache_memory(&report) {
        None => println!("cache memory per object:     n/a (no cache is full yet; run longer)"),
        Some((objects, memory, full)) => println!(
            "cache memory per object:     {:.1} B over {} objects in the {} of {} caches that are full (target <= 100 B)",
            memory as f64 / objects.max(1) as f64,
            objects,
            full,
            report.caches.len()
        ),
    }
}

fn main() {
    let runs: usize = std::env::var("CDNSIM_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    let sets = scenario_sets();
    let parse = |extra: &[&str]| {
        let all = extra.iter().map(|s| s.to_string()).chain(sets.iter().cloned());
        let overrides: Vec<Override> =
            all.map(|s| Override::parse(&s).expect("CDNSIM_BENCH_SET: PATH=VALUE")).collect();
        Scenario::from_toml_str(Path::new("bench.toml"), HIT_HEAVY, &overrides).expect("valid bench scenario")
    };
    // The target (2 M simulated requests/s on one core) is for a hit-heavy
    // scenario; the mixed one, with a fifth of requests going to the regional
    // tier, shows what misses cost.
    // CDNSIM_BENCH_ONLY="signed" (or "hit-heavy,mixed", or "keyed") runs just those parts.
    let only = std::env::var("CDNSIM_BENCH_ONLY").unwrap_or_default();
    let wanted = |part: &str| only.is_empty() || only.split(',').any(|p| p.trim() == part);
    if wanted("hit-heavy") {
        measure("hit-heavy: Zipf 1.2, 20 GiB per edge (target >= 2 M requests/s)", &parse(&[]), runs);
    }
    if wanted("mixed") {
        let mixed = parse(&["traffic.zipf_alpha=1.0", "caches.edge.capacity=5 GiB"]);
        measure("mixed: Zipf 1.0, 5 GiB per edge", &mixed, runs);
    }
    // A realistic key mix on the hit-heavy scenario: a policy keying the
    // `size` parameter (3 values) and the normalised Accept-Encoding (the
    // default browser mix, 3 normalised values), over requests that also
    // carry a tracking parameter (10%) and a session cookie (half of them),
    // neither keyed: every request's key is worked out, every cache follows
    // its variants, and the distinct keys are counted.
    if wanted("keyed") {
        let keyed = parse(&[
            r#"distribution.cache_policies=[{ name = "sized", min_ttl = 1, query_strings = { allow = ["size"] }, gzip = true, brotli = true }]"#,
            r#"distribution.default_behavior.cache_policy="sized""#,
            r#"traffic.classes[0].query=[{ name = "size", values = 3 }, { name = "utm_source", values = 100000, share = 0.1, zipf_alpha = 1.0 }]"#,
            r#"traffic.classes[0].cookies=[{ name = "session", values = 1000000, share = 0.5 }]"#,
        ]);
        measure("keyed: hit-heavy keyed by size and Accept-Encoding", &keyed, runs);
    }
    match peak_rss_bytes() {
        Some(b) => println!("peak resident memory:        {:.1} MiB", b as f64 / (1024.0 * 1024.0)),
        None => println!("peak resident memory:        n/a (no /proc)"),
    }
    if wanted("signed") {
        signed_versus_unsigned(runs);
    }
}
