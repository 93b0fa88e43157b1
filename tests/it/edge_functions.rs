//! Edge functions worked out by hand on `support::TINY`: what each function
//! adds to a request's latency, how often it runs, and when a Lambda@Edge
//! function starts cold. Requests are scripted; script times are arrivals at
//! the edge, and latencies count from there plus the viewer's round trip.
//!
//! TINY's numbers: viewer round trip 10 ms, edge <-> regional cache (the
//! us-east-1 Region) 20 ms, regional cache <-> origin 30 ms, origin 40 ms.
//! A miss takes 10 + 20 + 30 + 40 = 100 ms, an edge hit 10 ms.

use crate::support::*;
use cdnsim::cdn::traffic::{Catalog, Scripted};
use cdnsim::engine::observer::{FinishedRequest, RequestObserver};
use cdnsim::engine::{self, Report};
use cdnsim::http::Method::{self, Get, Post};
use cdnsim::metrics::AssociationStats;
use cdnsim::scenario::EdgeEvent;
use cdnsim::time::SimTime;

/// TINY with `functions` (TOML `[[functions]]` tables) and the default
/// behavior's `functions = [...]` list `associations`.
fn tiny_with(functions: &str, associations: &str) -> String {
    let behavior = "[distribution.default_behavior]\norigin = \"origin\"";
    assert!(TINY.contains(behavior));
    let text = TINY.replace(behavior, &format!("{behavior}\nfunctions = [{associations}]"));
    format!("{text}\n{functions}")
}

/// The stats of the association running on `event`.
fn on(report: &Report, event: EdgeEvent) -> &AssociationStats {
    let mut found = report.metrics.functions.associations.iter().filter(|a| a.event == event);
    let stats = found.next().expect("an association on the event");
    assert!(found.next().is_none(), "one association per event here");
    stats
}

const REWRITE_CF: &str = r#"
[[functions]]
name = "rewrite"
kind = "cloudfront-function"
latency = "0.5 ms"
"#;

#[test]
fn a_cloudfront_function_on_viewer_request_adds_its_run_to_every_request() {
    // A miss then two edge hits: 100 + 10 + 10 = 120 ms without the function.
    // The function runs in the edge location for each of the three, before
    // the lookup: 100.5 + 10.5 + 10.5 = 121.5 ms, and it runs three times.
    let s = scenario(&tiny_with(REWRITE_CF, r#"{ event = "viewer-request", function = "rewrite" }"#), &[]);
    let steps: Vec<Step> = [0.0, 1.0, 2.0].iter().map(|&t| (t, "IAD1", Get, "/s/1")).collect();
    let report = run_script(&s, &steps);
    let m = &report.metrics;
    assert_eq!((m.requests, m.results.hits()), (3, 2));
    assert_eq!(m.latency_sum_us, 121_500);
    assert_eq!(m.latency_max_us, 100_500);
    let vr = on(&report, EdgeEvent::ViewerRequest);
    assert_eq!((vr.invocations, vr.cold_starts, vr.failures, vr.waited_us), (3, 0, 0, 1_500));
    let f = summarize(&report, &s).functions.expect("reported when a behavior runs a function");
    // 1.5 ms of the 121.5 ms the viewers waited.
    assert_eq!(f.latency_share, (1.5_f64 / 121.5 * 1e6).round() / 1e6);
}

#[test]
fn a_lambda_edge_viewer_request_adds_the_round_trip_to_its_region_and_its_run() {
    // Lambda@Edge runs in the Region of IAD1's regional cache, 20 ms away:
    // each request waits 20 + 2 = 22 ms. 120 + 3 x 22 = 186 ms in all. The
    // first run starts an environment (a cold start of 0 ms here); it is
    // idle again at 0 + 10 (half the trip) + 2 = 12 ms, and warm at 1 s and 2 s.
    let functions = r#"
[[functions]]
name = "auth"
kind = "lambda-edge"
latency = "2 ms"
cold_start = "0 ms"
"#;
    let s = scenario(&tiny_with(functions, r#"{ event = "viewer-request", function = "auth" }"#), &[]);
    let steps: Vec<Step> = [0.0, 1.0, 2.0].iter().map(|&t| (t, "IAD1", Get, "/s/1")).collect();
    let report = run_script(&s, &steps);
    assert_eq!(report.metrics.latency_sum_us, 186_000);
    let vr = on(&report, EdgeEvent::ViewerRequest);
    assert_eq!((vr.invocations, vr.cold_starts, vr.waited_us), (3, 1, 66_000));

    // With IAD1's regional cache (and so the function's Region) 0 ms away,
    // the fixed 2 ms run is exactly what each request gains: the miss takes
    // 10 + 0 + 30 + 40 = 80 ms without it, the hits 10 ms; with it 82 + 12 + 12.
    let near = ["topology.edges[0].regional_rtt=\"0 ms\""];
    let without = scenario(TINY, &near);
    assert_eq!(run_script(&without, &steps).metrics.latency_sum_us, 100_000);
    let with = scenario(&tiny_with(functions, r#"{ event = "viewer-request", function = "auth" }"#), &near);
    let report = run_script(&with, &steps);
    assert_eq!(report.metrics.latency_sum_us, 106_000);
    assert_eq!(on(&report, EdgeEvent::ViewerRequest).waited_us, 3 * 2_000);
}

const ORIGIN_LAMBDA: &str = r#"
[[functions]]
name = "sign-origin"
kind = "lambda-edge"
latency = "5 ms"
cold_start = "100 ms"
"#;

#[test]
fn an_origin_request_function_runs_once_per_origin_fetch() {
    // Three requests for /s/1 at t = 0: two at IAD1, one at IAD2. The
    // function runs at the regional cache, which sends the fetch (no round
    // trip to add), in us-east-1.
    let text = tiny_with(ORIGIN_LAMBDA, r#"{ event = "origin-request", function = "sign-origin" }"#);
    let steps: [Step; 3] = [(0.0, "IAD1", Get, "/s/1"), (0.0, "IAD1", Get, "/s/1"), (0.0, "IAD2", Get, "/s/1")];

    // Collapsing on: the second IAD1 request waits on the first at IAD1, and
    // IAD2's fetch waits on IAD1's at the regional cache. One fetch, one run.
    // The leader reaches the regional cache at 10 ms, starts the function
    // cold (100 ms) and runs it (5 ms): it leaves at 115 ms, reaches the
    // origin at 130, leaves it at 170, is back at the regional cache at 185
    // and at the edges at 195: every viewer waits 195 + 10 = 205 ms.
    let s = scenario(&text, &[]);
    let report = run_script(&s, &steps);
    let or = on(&report, EdgeEvent::OriginRequest);
    assert_eq!(report.metrics.origin_requests, 1);
    assert_eq!((or.invocations, or.cold_starts, or.waited_us), (1, 1, 105_000));
    assert_eq!((report.metrics.latency_sum_us, report.metrics.latency_max_us), (3 * 205_000, 205_000));

    // Collapsing off: three fetches, three runs, all at 10 ms: the first
    // environment is busy until 115 ms, so each starts its own (three cold
    // starts), and each viewer still waits 205 ms.
    let s = scenario(&text, &["simulation.collapse_requests=false"]);
    let report = run_script(&s, &steps);
    let or = on(&report, EdgeEvent::OriginRequest);
    assert_eq!(report.metrics.origin_requests, 3);
    assert_eq!((or.invocations, or.cold_starts), (3, 3));
    assert_eq!(report.metrics.latency_sum_us, 3 * 205_000);

    // Hits run no origin-request function: three more requests at 1 s hit.
    let s = scenario(&text, &[]);
    let mut later = steps.to_vec();
    later.extend(steps.iter().map(|&(_, edge, m, p)| (1.0, edge, m, p)));
    let report = run_script(&s, &later);
    assert_eq!(report.metrics.results.hits(), 5, "two collapsed, three hits");
    assert_eq!(on(&report, EdgeEvent::OriginRequest).invocations, 1);
}

#[test]
fn a_burst_starts_one_environment_per_request_and_the_next_burst_finds_them_warm() {
    // A viewer-request Lambda@Edge function running 2 ms, 100 ms cold starts,
    // kept warm 10 minutes. Five requests at once find no environment: five
    // cold starts. Each environment is busy until 10 + 100 + 2 = 112 ms.
    // Five more at 60 s find five idle: no cold start. Five more at 760 s
    // come after every environment idled 700 s > 10 min: five cold starts.
    let functions = r#"
[[functions]]
name = "auth"
kind = "lambda-edge"
latency = "2 ms"
cold_start = "100 ms"
keep_warm = "10 min"
"#;
    let s = scenario(&tiny_with(functions, r#"{ event = "viewer-request", function = "auth" }"#), &[]);
    let burst =
        |t: f64| -> Vec<Step> { ["/s/1", "/s/2", "/s/3", "/s/4", "/s/5"].map(|p| (t, "IAD1", Get, p)).to_vec() };
    let two: Vec<Step> = [burst(0.0), burst(60.0)].concat();
    let report = run_script(&s, &two);
    let vr = on(&report, EdgeEvent::ViewerRequest);
    assert_eq!((vr.invocations, vr.cold_starts), (10, 5));
    let three: Vec<Step> = [burst(0.0), burst(60.0), burst(760.0)].concat();
    let vr = on(&run_script(&s, &three), EdgeEvent::ViewerRequest).clone();
    assert_eq!((vr.invocations, vr.cold_starts), (15, 10));
    // The cold ones waited 20 + 100 + 2 = 122 ms, the warm ones 22 ms.
    assert_eq!(vr.waited_us, 10 * 122_000 + 5 * 22_000);
}

#[test]
fn viewer_functions_skip_requests_the_edge_refuses_and_error_responses() {
    // A POST to the default behavior (GET and HEAD only) gets 403 at the
    // edge: no function runs for it. The viewer-response function runs for
    // the miss and the hit, not for the 403: 100.5 + 10.5 + 10 ms.
    let functions = r#"
[[functions]]
name = "rewrite"
kind = "cloudfront-function"
latency = "0.5 ms"

[[functions]]
name = "headers"
kind = "cloudfront-function"
latency = "0.25 ms"
"#;
    let s = scenario(
        &tiny_with(
            functions,
            r#"{ event = "viewer-request", function = "rewrite" }, { event = "viewer-response", function = "headers" }"#,
        ),
        &[],
    );
    let report = run_script(&s, &[(0.0, "IAD1", Get, "/s/1"), (1.0, "IAD1", Get, "/s/1"), (2.0, "IAD1", Post, "/s/1")]);
    let m = &report.metrics;
    assert_eq!((m.requests, m.errors_4xx), (3, 1));
    assert_eq!(on(&report, EdgeEvent::ViewerRequest).invocations, 2);
    assert_eq!(on(&report, EdgeEvent::ViewerResponse).invocations, 2);
    assert_eq!(m.functions.refused_at_edge[1], 1, "the default behavior is the second");
    // Both functions: 100 + 0.5 + 0.25, 10 + 0.75, and the 403's 10 ms.
    assert_eq!(m.latency_sum_us, 100_750 + 10_750 + 10_000);
}

#[test]
fn an_origin_response_function_runs_where_the_fetch_left_and_on_errors_too() {
    // /api/* caches nothing, so its requests go from the edge straight to
    // the origin (50 ms round trip through us-east-1, 40 ms there: 100 ms).
    // An origin-response function there runs in the edge's Region, 20 ms
    // away: 20 + 5 = 25 ms more, 125 ms. A cacheable /s/ miss leaves from the
    // regional cache, which is in that Region: 5 ms more, 105 ms.
    let functions = r#"
[[functions]]
name = "headers"
kind = "lambda-edge"
latency = "5 ms"
cold_start = "0 ms"
"#;
    let text = tiny_with(functions, r#"{ event = "origin-response", function = "headers" }"#).replace(
        "max_ttl = 0\ndefault_ttl = 0",
        "max_ttl = 0\ndefault_ttl = 0\nfunctions = [{ event = \"origin-response\", function = \"headers\" }]",
    );
    let s = scenario(&text, &[]);
    let report = run_script(&s, &[(0.0, "IAD1", Get, "/api/1"), (1.0, "IAD1", Get, "/s/1")]);
    assert_eq!(report.metrics.latency_sum_us, 125_000 + 105_000);
    let waited: u64 = report.metrics.functions.associations.iter().map(|a| a.waited_us).sum();
    assert_eq!(waited, 25_000 + 5_000);

    // The origin answers 503 to everything: the function still runs on each
    // response (DG: "even if an error is returned from the origin").
    let faulty = format!(
        "{text}\n[[faults]]\norigin = \"origin\"\nkind = \"status\"\nstatus = 503\nstart = \"0 s\"\nend = \"1 h\"\n"
    );
    let s = scenario(&faulty, &[]);
    let report = run_script(&s, &[(0.0, "IAD1", Get, "/api/1"), (1.0, "IAD1", Get, "/s/1")]);
    assert_eq!(report.metrics.errors_5xx, 2);
    assert_eq!(report.metrics.functions.invocations(), 2);
}

#[test]
fn an_origin_request_function_runs_again_for_the_secondary_after_failover() {
    // The primary answers 503, a failover code: the request goes on to the
    // secondary, and the origin-request function runs before each attempt.
    // Without it: regional cache at 10 ms, primary at 25, its 503 at 65, back
    // at 80; the secondary (30 ms away) at 95, its answer at 135, back at
    // 150, at the edge at 160: 170 ms. With it, two runs of 5 ms: 180 ms.
    let rest = r#"
[[origins]]
name = "backup"
region = "us-east-1"
latency = "40 ms"

[[topology.links]]
from = "us-east-1"
to = "backup"
rtt = "30 ms"

[[origin_groups]]
name = "group"
members = ["origin", "backup"]
failover_status_codes = [503]

[[faults]]
origin = "origin"
kind = "status"
status = 503
start = "0 s"
end = "1 h"
"#;
    let functions = format!("{ORIGIN_LAMBDA}\n{rest}").replace("cold_start = \"100 ms\"", "cold_start = \"0 ms\"");
    let text = tiny_with(&functions, r#"{ event = "origin-request", function = "sign-origin" }"#).replace(
        "[distribution.default_behavior]\norigin = \"origin\"",
        "[distribution.default_behavior]\norigin = \"group\"",
    );
    let s = scenario(&text, &[]);
    let report = run_script(&s, &[(0.0, "IAD1", Get, "/s/1")]);
    assert_eq!(report.metrics.latency_sum_us, 180_000);
    assert_eq!(on(&report, EdgeEvent::OriginRequest).invocations, 2);
    let at_origins: u64 = report.metrics.origins.iter().map(|o| o.requests).sum();
    assert_eq!(at_origins, 2);
}

/// Every finished request's status and time at the edge.
#[derive(Default)]
struct Statuses(Vec<(u16, u64)>);

impl RequestObserver for Statuses {
    fn on_finish(&mut self, r: &FinishedRequest<'_>) {
        self.0.push((r.status, r.finished.0 - r.arrived.0));
    }
}

#[test]
fn a_lambda_edge_run_past_its_timeout_is_a_503_after_five_seconds() {
    // Runs of 4 to 5.8 s on viewer-request: those past 5 s are cut there and
    // the edge answers 503. A cut request spends 20 ms going to the Region
    // and back and 5,000 ms in the function at the edge: 5,020 ms, plus the
    // viewer's 10 ms round trip.
    let functions = r#"
[[functions]]
name = "slow"
kind = "lambda-edge"
latency = { dist = "uniform", min = "4 s", max = "5.8 s" }
cold_start = "0 ms"
"#;
    let s = scenario(&tiny_with(functions, r#"{ event = "viewer-request", function = "slow" }"#), &[]);
    let steps: Vec<(SimTime, &str, Method, &str)> =
        (0..40).map(|i| (SimTime(i * 1_000_000), "IAD1", Get, "/s/1")).collect();
    let catalog = Catalog::build(&s, 1);
    let mut script = Scripted::from_paths(&s, &catalog, &steps).unwrap();
    let mut seen = Statuses::default();
    let report = engine::run_with_observer(&s, 1, catalog, &mut script, &mut seen, &mut |_| {}).unwrap();
    let vr = on(&report, EdgeEvent::ViewerRequest);
    assert_eq!(vr.invocations, 40);
    assert!(vr.failures > 5 && vr.failures < 35, "about 8 in 18 runs pass 5 s: {}", vr.failures);
    assert_eq!(report.metrics.errors_5xx, vr.failures);
    // Each cut run is logged LambdaExecutionError (`policy::result_type`),
    // and nothing else is an error here.
    let detailed = &report.metrics.detailed;
    assert_eq!(detailed.get(cdnsim::metrics::DetailedResultType::LambdaExecutionError), vr.failures);
    assert_eq!(detailed.of_result(cdnsim::metrics::ResultType::Error), vr.failures);
    let cut: Vec<u64> = seen.0.iter().filter(|(status, _)| *status == 503).map(|&(_, at_edge)| at_edge).collect();
    assert_eq!(cut.len() as u64, vr.failures);
    assert!(cut.iter().all(|&us| us == 5_020_000), "{cut:?}");
}

#[test]
fn a_run_with_functions_repeats_byte_for_byte_and_logs_timeouts() {
    let functions = r#"
[[functions]]
name = "auth"
kind = "lambda-edge"
latency = { dist = "exponential", mean = "1.5 s" }

[[functions]]
name = "headers"
kind = "lambda-edge"
latency = { dist = "lognormal", mean = "15 ms", stddev = "10 ms" }
keep_warm = "2 s"
"#;
    let text = tiny_with(
        functions,
        r#"{ event = "viewer-request", function = "auth" }, { event = "origin-response", function = "headers" }"#,
    );
    let dir = temp_dir("edge-functions-log");
    let file = dir.join("functions.toml");
    std::fs::write(&file, &text).unwrap();
    let run = |name: &str| {
        let out = dir.join(name);
        let (code, stdout, stderr) = cdnsim(&[
            "run",
            file.to_str().unwrap(),
            "--no-progress",
            "--format",
            "json",
            "--out",
            out.to_str().unwrap(),
            "--access-log",
            dir.join(format!("{name}-logs")).to_str().unwrap(),
            "--access-log-plain",
        ]);
        assert_eq!(code, 0, "{stderr}");
        (std::fs::read(out.join("functions.csv")).unwrap(), stdout)
    };
    let (csv, json) = run("a");
    assert_eq!(run("b"), (csv.clone(), json.clone()), "same seed, same bytes");
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with("behavior,path_pattern,event,function,kind,invocations,cold_starts,failures,"), "{csv}");
    let summary: serde_json::Value = serde_json::from_str(&json).unwrap();
    let failures = summary["functions"]["failures"].as_u64().unwrap();
    assert!(failures > 0, "exponential runs of mean 1.5 s pass 5 s about 3.6% of the time");
    // Every cut run is a 503 logged as LambdaExecutionError (warm-up included:
    // TINY has none), and counted so in the summary.
    assert_eq!(summary["detailed_result_types"]["LambdaExecutionError"].as_u64(), Some(failures));
    let mut logged = 0;
    for entry in std::fs::read_dir(dir.join("a-logs")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        logged += text.lines().filter(|l| l.contains("\t503\t") && l.contains("\tLambdaExecutionError\t")).count();
    }
    assert_eq!(logged as u64, failures);
}
