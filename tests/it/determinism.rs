//! Same scenario and seed, same bytes; another seed, other numbers.

use crate::support::*;

fn result_bytes(seed: u64) -> Vec<(&'static str, Vec<u8>)> {
    let s = scenario(TINY, &["simulation.requests=20000", "traffic.rate=2000"]);
    let report = run(&s, seed);
    cdnsim::report::result_files(&report, &s).unwrap()
}

#[test]
fn same_seed_gives_identical_files() {
    assert_eq!(result_bytes(7), result_bytes(7));
}

/// TINY with every kind of cache key at once: a policy keying all query
/// strings (in a shuffled order), a session cookie, the mobile header and
/// the normalised Accept-Encoding, on requests that carry them all.
fn keyed() -> cdnsim::scenario::Scenario {
    let text = TINY
        .replacen(
            "[distribution.default_behavior]\norigin = \"origin\"",
            "[[distribution.cache_policies]]\nname = \"everything\"\nquery_strings = \"all\"\n\
             cookies = { allow = [\"session\"] }\nheaders = [\"CloudFront-Is-Mobile-Viewer\"]\ngzip = true\nbrotli = true\n\
             [distribution.default_behavior]\norigin = \"origin\"\ncache_policy = \"everything\"",
            1,
        )
        .replacen(
            "cache_control = \"max-age=10\"",
            "cache_control = \"max-age=10\"\nquery = [{ name = \"v\", values = 3 }, \
             { name = \"utm_source\", values = 500, share = 0.3, zipf_alpha = 1.1 }]\nquery_order = \"shuffled\"\n\
             cookies = [{ name = \"session\", values = 50, share = 0.4 }]",
            1,
        );
    scenario(&text, &["simulation.requests=20000", "traffic.rate=2000"])
}

#[test]
fn keyed_runs_give_identical_files_and_the_same_on_either_path() {
    let s = keyed();
    let files = |report: &cdnsim::engine::Report| cdnsim::report::result_files(report, &s).unwrap();
    let first = files(&run(&s, 7));
    assert!(first.iter().any(|(name, _)| *name == "cache_keys.csv"));
    assert_eq!(first, files(&run(&s, 7)));
    let watched = cdnsim::engine::run_observed(&s, 7, &mut Watching, &mut |_| {}).expect("the accounting adds up");
    assert_eq!(first, files(&watched));
    assert_ne!(first, files(&run(&s, 8)));
}

#[test]
fn another_seed_gives_other_results() {
    let (a, b) = (result_bytes(7), result_bytes(8));
    assert_eq!(a[0].0, "summary.csv");
    assert_ne!(a[0].1, b[0].1);
}

#[test]
fn the_binary_writes_identical_files_twice() {
    let dir = temp_dir("determinism");
    let scenario_path = dir.join("tiny.toml");
    std::fs::write(&scenario_path, TINY).unwrap();
    let mut outputs = Vec::new();
    for run in ["a", "b"] {
        let out = dir.join(run);
        let (code, _, stderr) = cdnsim(&[
            "run",
            scenario_path.to_str().unwrap(),
            "--requests",
            "5000",
            "--seed",
            "3",
            "--no-progress",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{stderr}");
        let files: Vec<Vec<u8>> = ["summary.csv", "tiers.csv", "behaviors.csv", "timeseries.csv"]
            .iter()
            .map(|f| std::fs::read(out.join(f)).unwrap())
            .collect();
        outputs.push(files);
    }
    assert_eq!(outputs[0], outputs[1]);
}

/// Sees every request and does nothing with it: a run with it takes the
/// engine's general path for edge hits instead of answering them at arrival.
struct Watching;

impl cdnsim::engine::observer::RequestObserver for Watching {
    fn on_finish(&mut self, _record: &cdnsim::engine::observer::FinishedRequest<'_>) {}
}

#[test]
fn edge_hits_answered_at_arrival_give_the_same_results_as_the_general_path() {
    // Redirects, refusals, signed URLs, cached errors, failover, collapsing.
    // Part of each run is warm-up, part is measured; the failover run spans
    // its origin's black hole.
    for (file, stop, warmup) in [
        ("scenarios/quickstart.toml", "requests=30000", "5 s"),
        ("scenarios/signed-urls.toml", "requests=5000", "2 s"),
        ("scenarios/origin-failover.toml", "duration=\"11 min\"", "30 s"),
    ] {
        let overrides = [format!("simulation.{stop}"), format!("simulation.warmup={warmup:?}")]
            .map(|o| cdnsim::scenario::Override::parse(&o).unwrap());
        let s = cdnsim::scenario::Scenario::load(std::path::Path::new(file), &overrides).unwrap();
        let plain = cdnsim::engine::run(&s, 5, &mut |_| {}).expect("the accounting adds up");
        let watched = cdnsim::engine::run_observed(&s, 5, &mut Watching, &mut |_| {}).expect("the accounting adds up");
        assert!(plain.metrics.results.hits() > 0, "{file}");
        assert_eq!(
            cdnsim::report::result_files(&plain, &s).unwrap(),
            cdnsim::report::result_files(&watched, &s).unwrap(),
            "{file}"
        );
    }
}

/// TINY with functions on every event of both behaviors: a CloudFront
/// Function on the viewer events of /api/*, Lambda@Edge elsewhere, with cold
/// starts, short keep-warm times and runs that sometimes time out.
fn with_functions() -> cdnsim::scenario::Scenario {
    let cf = r#"functions = [{ event = "viewer-request", function = "cf" }, { event = "origin-request", function = "origin" }]"#;
    let lambda = r#"functions = [{ event = "viewer-request", function = "viewer" }, { event = "viewer-response", function = "viewer" }, { event = "origin-response", function = "origin" }]"#;
    let text = TINY.replace("max_ttl = 0\ndefault_ttl = 0", &format!("max_ttl = 0\ndefault_ttl = 0\n{cf}")).replace(
        "[distribution.default_behavior]\norigin = \"origin\"",
        &format!("[distribution.default_behavior]\norigin = \"origin\"\n{lambda}"),
    );
    let functions = r#"
[[functions]]
name = "cf"
kind = "cloudfront-function"

[[functions]]
name = "viewer"
kind = "lambda-edge"
latency = { dist = "exponential", mean = "1 s" }
keep_warm = "3 s"

[[functions]]
name = "origin"
kind = "lambda-edge"
latency = { dist = "exponential", mean = "6 s" }
"#;
    scenario(&format!("{text}\n{functions}"), &["simulation.requests=5000", "traffic.rate=500"])
}

#[test]
fn edge_functions_give_the_same_bytes_for_the_same_seed_on_either_path() {
    let s = with_functions();
    let files = |seed: u64| cdnsim::report::result_files(&run(&s, seed), &s).unwrap();
    let first = files(11);
    assert!(first.iter().any(|(name, _)| *name == "functions.csv"), "written when a behavior runs a function");
    assert_eq!(first, files(11));
    let watched = cdnsim::engine::run_observed(&s, 11, &mut Watching, &mut |_| {}).expect("the accounting adds up");
    assert_eq!(first, cdnsim::report::result_files(&watched, &s).unwrap(), "general path = fast path");
    let functions_csv =
        |files: &[(&str, Vec<u8>)]| files.iter().find(|(n, _)| *n == "functions.csv").unwrap().1.clone();
    assert_ne!(functions_csv(&first), functions_csv(&files(12)), "another seed, other draws");
    // Runs without functions write no functions.csv: their files are as before.
    let plain = scenario(TINY, &[]);
    let names: Vec<&str> =
        cdnsim::report::result_files(&run(&plain, 11), &plain).unwrap().iter().map(|(n, _)| *n).collect();
    assert!(!names.contains(&"functions.csv"), "{names:?}");
}

/// The result files of TINY with `policy` caches (edge and regional) and a
/// catalog of 5,000 objects, so that the caches evict.
fn files_with_eviction(policy: &str) -> Vec<(&'static str, Vec<u8>)> {
    let edge = format!("caches.edge.eviction={policy}");
    let regional = format!("caches.regional.eviction={policy}");
    let s = scenario(
        TINY,
        &[
            "simulation.requests=20000",
            "traffic.rate=2000",
            "traffic.classes[0].objects=5000",
            "caches.edge.capacity=100 kB",
            "caches.regional.capacity=1 MB",
            &edge,
            &regional,
        ],
    );
    cdnsim::report::result_files(&run(&s, 7), &s).unwrap()
}

/// W-TinyLFU caches (their 1% windows just fit an object) evict and their
/// duels decide: the same bytes twice, and not LRU's.
#[test]
fn wtinylfu_caches_give_identical_files() {
    let first = files_with_eviction("wtinylfu");
    assert!(first == files_with_eviction("wtinylfu"), "two runs differ");
    assert!(first != files_with_eviction("lru"), "the policy made no difference: the test would not see one");
}

/// LFUDA keeps its lists in a hash map: the same bytes twice all the same,
/// and not LRU's.
#[test]
fn lfuda_caches_give_identical_files() {
    let first = files_with_eviction("lfuda");
    assert!(first == files_with_eviction("lfuda"), "two runs differ");
    assert!(first != files_with_eviction("lru"), "the policy made no difference: the test would not see one");
}

/// A stoppable run: its callback is asked every 65,536 events (and once at
/// the end), a run it never stops gives the plain run's files, and a `Break`
/// ends the run there with `Stopped` and no report.
#[test]
fn a_stoppable_run_is_the_plain_run_until_its_callback_stops_it() {
    use cdnsim::engine::{RunError, Stopped, run_stoppable};
    use std::ops::ControlFlow;
    let s = scenario(TINY, &["simulation.requests=100000", "traffic.rate=20000"]);
    let plain = run(&s, 7);
    let mut asked = 0;
    let going = run_stoppable(&s, 7, &mut |_| {
        asked += 1;
        ControlFlow::Continue(())
    })
    .expect("the accounting adds up");
    // 2^16 = 65,536: every multiple of it among the run's events, plus the end.
    assert_eq!(asked, plain.events / 65_536 + 1, "{} events", plain.events);
    assert!(plain.events > 65_536, "the run is long enough to be asked mid-way");
    let files = |report: &cdnsim::engine::Report| cdnsim::report::result_files(report, &s).unwrap();
    assert_eq!(files(&going), files(&plain));
    let mut asked = 0;
    let stopped = run_stoppable(&s, 7, &mut |progress| {
        asked += 1;
        assert!(progress.requests_started < 100_000, "stopped at the first time it was asked");
        ControlFlow::Break(Stopped)
    });
    assert!(matches!(stopped, Err(RunError::Stopped(Stopped))), "{stopped:?}");
    assert_eq!(asked, 1);
}
