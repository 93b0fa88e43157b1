//! Protocol policies, the secret origin header and its rotation, with
//! numbers worked out by hand on `support::TINY` (viewer round trip 10 ms,
//! edge <-> regional cache 20 ms, regional cache <-> origin 30 ms, origin
//! service 40 ms; a miss takes 100 ms). `/api/*` is not cached, so each GET
//! there goes from the edge straight to the origin: it leaves the edge when
//! it arrives there and reaches the origin (20 + 30) / 2 = 25 ms later.

use crate::support::*;
use cdnsim::cdn::traffic::{Catalog, DirectRequest, Scripted, ViewerRequest};
use cdnsim::engine::{self, Report};
use cdnsim::http::Method::Get;
use cdnsim::report::Summary;
use cdnsim::scenario::ABSENT;
use cdnsim::scenario::Scenario;
use cdnsim::time::SimTime;

/// TINY whose origin gets `origin_extra` lines and whose file ends with `tail`.
fn tiny_with(origin_extra: &str, tail: &str) -> String {
    let text = TINY.replacen("latency = \"40 ms\"\n", &format!("latency = \"40 ms\"\n{origin_extra}\n"), 1);
    format!("{text}\n{tail}\n")
}

const SECRET: &str = r#"custom_headers = [{ name = "X-Origin-Verify", value = "s3cr3t" }]
require_header = { name = "X-Origin-Verify", values = ["s3cr3t"] }"#;

/// One scripted request: seconds, path, HTTPS or not.
type Req<'a> = (f64, &'a str, bool);

fn run_requests(s: &Scenario, requests: &[Req], direct: &[(f64, Option<&str>)]) -> (Report, Summary) {
    let catalog = Catalog::build(s, 1);
    let entries: Vec<(SimTime, &str, cdnsim::http::Method, &str)> =
        requests.iter().map(|&(t, path, _)| (SimTime((t * 1e6) as u64), "IAD1", Get, path)).collect();
    let mut script = Scripted::requests(s, &catalog, &entries).unwrap();
    for (request, &(_, _, https)) in script.iter_mut().zip(requests) {
        request.1.https = https;
    }
    for &(t, value) in direct {
        let header_value = match value {
            None => ABSENT,
            Some(v) => s.origins[0].access.as_ref().unwrap().value_id(v).expect("an interned value"),
        };
        let direct = Some(DirectRequest { origin: 0, header_value });
        let request = ViewerRequest {
            edge: 0,
            population: 0,
            class: 0,
            object: 0,
            method: Get,
            https: true,
            session: 0,
            logged_result: None,
            logged_signature: None,
            direct,
            object_facts: None,
            attributes: cdnsim::scenario::RequestAttributes::NONE,
            traced_variant: None,
        };
        script.push((SimTime((t * 1e6) as u64), request));
    }
    let report = engine::run_with(s, 1, catalog, &mut Scripted::from_requests(script), &mut |_| {})
        .expect("the accounting adds up");
    let summary = summarize(&report, s);
    (report, summary)
}

#[test]
fn redirect_to_https_costs_one_viewer_round_trip_and_is_counted() {
    let s = scenario(TINY, &["distribution.default_behavior.viewer_protocol_policy=\"redirect-to-https\""]);
    // An HTTP miss is two requests (reference §7.1: both are billed): the
    // redirect, one 10 ms viewer round trip, and the HTTPS retry, a 100 ms
    // miss. An HTTPS request for another object: 100 ms, no redirect.
    // Three requests, mean (10 + 100 + 100) / 3 = 70 ms.
    let (_, sum) = run_requests(&s, &[(0.0, "/s/1", false), (1.0, "/s/2", true)], &[]);
    assert_eq!((sum.protocol.viewer_http, sum.protocol.viewer_https, sum.protocol.redirects), (1, 2, 1));
    assert_eq!((sum.requests, sum.redirects, sum.misses, sum.errors, sum.origin_requests), (3, 1, 2, 0, 2));
    assert_eq!((sum.latency_ms.max, sum.latency_ms.mean), (100.0, 70.0));
    // A hit after the redirect: a 100 ms miss, a 10 ms redirect, a 10 ms hit.
    let (_, sum) = run_requests(&s, &[(0.0, "/s/1", true), (1.0, "/s/1", false)], &[]);
    assert_eq!((sum.requests, sum.protocol.redirects, sum.hits, sum.misses), (3, 1, 1, 1));
    assert_eq!(sum.latency_ms.mean, (100.0 + 10.0 + 10.0) / 3.0);
    // allow-all serves HTTP as it is.
    let s = scenario(TINY, &[]);
    let (_, sum) = run_requests(&s, &[(0.0, "/s/1", false)], &[]);
    assert_eq!((sum.protocol.redirects, sum.protocol.viewer_http, sum.latency_ms.max), (0, 1, 100.0));
}

#[test]
fn https_only_refuses_http_viewers_with_403_at_the_edge() {
    let s = scenario(TINY, &["distribution.default_behavior.viewer_protocol_policy=\"https-only\""]);
    let (report, sum) = run_requests(&s, &[(0.0, "/s/1", false), (1.0, "/s/1", true)], &[]);
    assert_eq!((sum.protocol.refused_http, sum.errors_4xx, sum.by_method["GET"].errors_4xx), (1, 1, 1));
    // Refused before any cache: the HTTPS request still misses, and only it
    // reaches the origin. The refusal costs the viewer round trip only.
    assert_eq!((report.metrics.caches[0].lookups, sum.origin_requests), (1, 1));
    assert_eq!(report.metrics.latency_us.min(), 10_000);
    // The other behavior allows all: its HTTP requests are served.
    let (_, sum) = run_requests(&s, &[(0.0, "/api/1", false)], &[]);
    assert_eq!((sum.protocol.refused_http, sum.errors_4xx), (0, 0));
}

#[test]
fn which_legs_are_encrypted_for_each_origin_policy_and_viewer_scheme() {
    // One HTTP and one HTTPS viewer, each missing, so each makes one origin request.
    let requests = [(0.0, "/s/1", false), (1.0, "/s/2", true)];
    for (policy, origin_http, origin_https) in [("http-only", 2, 0), ("https-only", 0, 2), ("match-viewer", 1, 1)] {
        let s = scenario(TINY, &[&format!("origins[0].protocol_policy=\"{policy}\"")]);
        let (_, sum) = run_requests(&s, &requests, &[]);
        assert_eq!((sum.protocol.viewer_http, sum.protocol.viewer_https), (1, 1), "{policy}");
        assert_eq!((sum.protocol.origin_http, sum.protocol.origin_https), (origin_http, origin_https), "{policy}");
    }
    // match-viewer after a redirect: the retried request is HTTPS, so is its origin leg.
    let s = scenario(
        TINY,
        &[
            "origins[0].protocol_policy=\"match-viewer\"",
            "distribution.default_behavior.viewer_protocol_policy=\"redirect-to-https\"",
        ],
    );
    let (_, sum) = run_requests(&s, &requests, &[]);
    assert_eq!((sum.protocol.origin_http, sum.protocol.origin_https), (0, 2));
    // A custom origin defaults to http-only; an S3 origin follows the viewer.
    let (_, sum) = run_requests(&scenario(TINY, &[]), &requests, &[]);
    assert_eq!((sum.protocol.origin_http, sum.protocol.origin_https), (2, 0));
    let (_, sum) = run_requests(&scenario(TINY, &["origins[0].kind=\"s3\""]), &requests, &[]);
    assert_eq!((sum.protocol.origin_http, sum.protocol.origin_https), (1, 1));
}

#[test]
fn the_secret_crosses_in_clear_where_a_policy_lets_a_leg_be_http() {
    let requests = [(0.0, "/s/1", false), (1.0, "/s/2", true), (2.0, "/api/1", false)];
    let text = tiny_with(SECRET, "");
    // (viewer policy, origin policy) -> (in clear because of the viewer leg, because of the origin policy).
    let cases = [
        ("allow-all", "match-viewer", 2, 0),
        ("allow-all", "http-only", 0, 3),
        ("allow-all", "https-only", 0, 0),
        ("redirect-to-https", "match-viewer", 1, 0),
        ("https-only", "match-viewer", 1, 0),
    ];
    for (viewer, origin, viewer_legs, origin_legs) in cases {
        // The viewer policy applies to the default behavior (/s/*); /api/* allows all.
        let s = scenario(
            &text,
            &[
                &format!("distribution.default_behavior.viewer_protocol_policy=\"{viewer}\""),
                &format!("origins[0].protocol_policy=\"{origin}\""),
            ],
        );
        let (_, sum) = run_requests(&s, &requests, &[]);
        let access = sum.origin_access.expect("the origin checks a header");
        assert_eq!(
            (access.secret_in_clear_viewer_legs, access.secret_in_clear_origin_legs),
            (viewer_legs, origin_legs),
            "{viewer} / {origin}"
        );
        assert_eq!(access.legit_refused, 0, "{viewer} / {origin}");
        assert_eq!(access.secret_sent, sum.origin_requests, "{viewer} / {origin}");
    }
    // HTTPS on both legs: the secret never travels in clear.
    let s = scenario(
        &text,
        &[
            "distribution.behaviors[0].viewer_protocol_policy=\"https-only\"",
            "origins[0].protocol_policy=\"https-only\"",
        ],
    );
    let (_, sum) = run_requests(&s, &requests, &[]);
    let access = sum.origin_access.unwrap();
    assert_eq!((access.secret_in_clear_viewer_legs, access.secret_in_clear_origin_legs), (0, 0));
}

#[test]
fn direct_requests_without_the_secret_are_refused() {
    let text = tiny_with(SECRET, "");
    let s = scenario(&text, &["traffic.direct_to_origin={ rate = 1, origin = \"origin\", header_value = \"guess\" }"]);
    // A guess, no header, and the real secret (leaked): two refused.
    let direct = [(0.5, Some("guess")), (1.5, None), (2.5, Some("s3cr3t"))];
    let (_, sum) = run_requests(&s, &[(0.0, "/s/1", true), (3.0, "/s/2", true)], &direct);
    let access = sum.origin_access.unwrap();
    assert_eq!((access.direct_requests, access.direct_refused, access.legit_refused), (3, 2, 0));
    // Direct requests are not viewer requests: they bypass CloudFront.
    assert_eq!((sum.requests, sum.origin_requests), (2, 2));

    // The scenario's own traffic: every direct request guesses wrong.
    let sum = summarize(&run(&s, 7), &s);
    let access = sum.origin_access.unwrap();
    assert!(access.direct_requests > 0);
    assert_eq!((access.direct_refused, access.legit_refused), (access.direct_requests, 0));
    // Without the origin's check, the same requests all get through.
    let open = tiny_with(r#"custom_headers = [{ name = "X-Origin-Verify", value = "s3cr3t" }]"#, "");
    let s = scenario(&open, &["traffic.direct_to_origin={ rate = 1, origin = \"origin\", header_value = \"guess\" }"]);
    let access = summarize(&run(&s, 7), &s).origin_access.unwrap();
    assert!(access.direct_requests > 0);
    assert_eq!(access.direct_refused, 0);
    // A scenario without the feature reports no origin_access object.
    assert!(summarize(&run(&scenario(TINY, &[]), 7), &scenario(TINY, &[])).origin_access.is_none());
}

/// Requests every 10 s from 0 to 240 s, each straight to the origin.
fn every_ten_seconds() -> Vec<(f64, String, bool)> {
    (0..25).map(|i| (i as f64 * 10.0, "/api/1".to_string(), true)).collect()
}

fn rotation_refusals(method: &str, drop_old_after: &str, extra: &[(f64, String, bool)]) -> u64 {
    let tail = format!(
        "[rotation]\norigin = \"origin\"\nat = \"60 s\"\nnew_value = \"n3w\"\nmethod = \"{method}\"\n\
         drop_old_after = \"{drop_old_after}\""
    );
    let s = scenario(&tiny_with(SECRET, &tail), &["distribution.propagation=\"2 min\""]);
    let mut requests = every_ten_seconds();
    requests.extend_from_slice(extra);
    let requests: Vec<Req> = requests.iter().map(|(t, p, h)| (*t, p.as_str(), *h)).collect();
    let (_, sum) = run_requests(&s, &requests, &[]);
    let access = sum.origin_access.unwrap();
    assert_eq!(sum.errors_4xx, access.legit_refused, "each refusal reaches a viewer as a 403");
    access.legit_refused
}

#[test]
fn rotating_the_secret_at_once_refuses_requests_until_the_change_propagates() {
    // Every location gets the change 2 min after 60 s: the edge sends the new
    // value from 180 s. At once, the origin accepts only the new value from
    // 60 s, so the requests sent at 60, 70, ..., 170 s (reaching the origin
    // 25 ms later, still with the old value) are refused: 12 of them.
    assert_eq!(rotation_refusals("at-once", "1 min", &[]), 12);
    // Three steps: the origin accepts both from 60 s, the edge switches at
    // 180 s, the origin drops the old value at 240 s: nothing refused.
    assert_eq!(rotation_refusals("three-step", "1 min", &[]), 0);
}

#[test]
fn explicit_changes_give_the_same_rotation() {
    // The three steps written out; the last one waits for propagation.
    let changes = r#"
[[changes]]
origin = "origin"
at = "60 s"
origin_accepts = ["s3cr3t", "n3w"]

[[changes]]
origin = "origin"
at = "60 s"
custom_header = { name = "X-Origin-Verify", value = "n3w" }

[[changes]]
origin = "origin"
after_propagation = "0 s"
origin_accepts = ["n3w"]
"#;
    let s = scenario(&tiny_with(SECRET, changes), &["distribution.propagation=\"2 min\""]);
    let steps: Vec<(f64, String, bool)> = every_ten_seconds();
    let mut requests: Vec<Req> = steps.iter().map(|(t, p, h)| (*t, p.as_str(), *h)).collect();
    requests.push((179.99, "/api/1", true));
    let (_, sum) = run_requests(&s, &requests, &[]);
    assert_eq!(sum.origin_access.unwrap().legit_refused, 1);
    // The origin dropping the old value at once refuses 60 s to 170 s, and 179.99 s.
    let at_once = changes.replace("origin_accepts = [\"s3cr3t\", \"n3w\"]", "origin_accepts = [\"n3w\"]");
    let s = scenario(&tiny_with(SECRET, &at_once), &["distribution.propagation=\"2 min\""]);
    let (_, sum) = run_requests(&s, &requests, &[]);
    assert_eq!(sum.origin_access.unwrap().legit_refused, 13);
    // A change must say which side it changes, and when.
    let both = "[[changes]]\norigin = \"origin\"\nat = \"1 s\"\norigin_accepts = [\"x\"]\ncustom_header = { name = \"X-Origin-Verify\", value = \"x\" }";
    assert!(try_scenario(&tiny_with(SECRET, both), &[]).unwrap_err().to_string().contains("exactly one of"));
    let other = "[[changes]]\norigin = \"origin\"\nat = \"1 s\"\ncustom_header = { name = \"X-Other\", value = \"x\" }";
    assert!(try_scenario(&tiny_with(SECRET, other), &[]).unwrap_err().to_string().contains("one secret header"));
}

#[test]
fn dropping_the_old_value_the_moment_the_last_location_switches_catches_requests_in_flight() {
    // Sent at 179.99 s with the old value, it reaches the origin at
    // 180.015 s, after the origin dropped the old value at 180 s.
    let late = [(179.99, "/api/1".to_string(), true)];
    assert_eq!(rotation_refusals("three-step", "0 s", &late), 1);
    assert_eq!(rotation_refusals("three-step", "1 s", &late), 0);
}

#[test]
fn each_location_switches_after_its_own_propagation_delay() {
    // Two edges with different delays: uniform between 1 and 5 min, drawn per
    // location. At once, an edge's requests are refused from 60 s until its
    // own switch; the count follows from the sampled delays.
    let tail = "[rotation]\norigin = \"origin\"\nat = \"60 s\"\nnew_value = \"n3w\"\nmethod = \"at-once\"";
    let s = scenario(&tiny_with(SECRET, tail), &[]);
    let access = cdnsim::cdn::origin_access::OriginAccess::build(&s, 1).unwrap();
    let catalog = Catalog::build(&s, 1);
    let mut entries = Vec::new();
    for i in 0..40 {
        for edge in ["IAD1", "IAD2"] {
            entries.push((SimTime(i * 10_000_000), edge, Get, "/api/1"));
        }
    }
    let new = s.origins[0].access.as_ref().unwrap().value_id("n3w").unwrap();
    let expected = entries
        .iter()
        .filter(|(at, edge, _, _)| {
            let location = if *edge == "IAD1" { 0 } else { 1 };
            at.0 >= 60_000_000 && access.sent_value(location, 0, *at) != new
        })
        .count() as u64;
    let switched_at = |location| (0..400).find(|s| access.sent_value(location, 0, SimTime(s * 1_000_000)) == new);
    let (a, b) = (switched_at(0).unwrap(), switched_at(1).unwrap());
    assert!(a != b && (120..=360).contains(&a) && (120..=360).contains(&b), "{a} {b}");
    let mut script = Scripted::from_paths(&s, &catalog, &entries).unwrap();
    let report = engine::run_with(&s, 1, catalog, &mut script, &mut |_| {}).expect("the accounting adds up");
    assert_eq!(report.metrics.origin_access.legit_refused, expected);
    assert!(expected > 0);
}

#[test]
fn protocol_and_origin_access_appear_in_the_json_summary() {
    let s = scenario(&tiny_with(SECRET, ""), &[]);
    let (_, sum) = run_requests(&s, &[(0.0, "/s/1", false)], &[]);
    let json: serde_json::Value = serde_json::from_str(&cdnsim::report::summary_json(&sum)).unwrap();
    for key in ["viewer_http", "viewer_https", "redirects", "refused_http", "origin_http", "origin_https"] {
        assert!(json["protocol"][key].is_u64(), "protocol.{key}");
    }
    for key in [
        "direct_requests",
        "direct_refused",
        "legit_refused",
        "secret_in_clear_viewer_legs",
        "secret_in_clear_origin_legs",
    ] {
        assert!(json["origin_access"][key].is_u64(), "origin_access.{key}");
    }
    assert_eq!(json["protocol"]["viewer_http"], 1);
    assert_eq!(json["origin_access"]["secret_in_clear_origin_legs"], 1);
}

#[test]
fn broken_protocol_and_header_settings_are_refused_with_the_fix() {
    let cases: &[(&str, &[&str], &str)] = &[
        (TINY, &["distribution.default_behavior.viewer_protocol_policy=\"https\""], "viewer_protocol_policy"),
        (TINY, &["origins[0].protocol_policy=\"tls\""], "protocol_policy"),
        (TINY, &["origins[0].kind=\"s3\"", "origins[0].protocol_policy=\"https-only\""], "S3 REST origin"),
        (TINY, &["origins[0].custom_headers=[{ name = \"Host\", value = \"x\" }]"], "cannot add Host"),
        (TINY, &["origins[0].custom_headers=[{ name = \"X-Amz-Key\", value = \"x\" }]"], "X-Amz-"),
        (TINY, &["traffic.direct_to_origin={ rate = 1, origin = \"nowhere\" }"], "no origin is named"),
        (&tiny_with("", "[rotation]\norigin = \"origin\"\nat = \"1 s\"\nnew_value = \"x\""), &[], "checks no header"),
        (
            &tiny_with(SECRET, "[rotation]\norigin = \"origin\"\nat = \"1 s\"\nnew_value = \"x\"\nmethod = \"slow\""),
            &[],
            "three-step",
        ),
        (&tiny_with(SECRET, ""), &["origins[0].require_header.values=[]"], "refuses every request"),
    ];
    for (text, sets, expected) in cases {
        let error = try_scenario(text, sets).unwrap_err().to_string();
        assert!(error.contains(expected), "{sets:?}: {error}");
    }
    let eleven: Vec<String> = (0..11).map(|i| format!("{{ name = \"X-H{i}\", value = \"v\" }}")).collect();
    let error = try_scenario(TINY, &[&format!("origins[0].custom_headers=[{}]", eleven.join(","))]).unwrap_err();
    assert!(error.to_string().contains("11 custom headers"), "{error}");
}
fn lesson(name: &str, sets: &[&str]) -> Summary {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/lessons").join(name);
    let overrides: Vec<_> = sets.iter().map(|s| cdnsim::scenario::Override::parse(s).unwrap()).collect();
    let s = Scenario::load(&path, &overrides).unwrap_or_else(|e| panic!("{e}"));
    summarize(&run(&s, s.simulation.seed), &s)
}

#[test]
fn the_lesson_scenarios_show_what_they_teach() {
    let sum = lesson("https-both-legs.toml", &[]);
    assert!(sum.protocol.viewer_http > 0);
    assert_eq!((sum.protocol.redirects, sum.protocol.origin_http), (sum.protocol.viewer_http, 0));

    let sum = lesson("custom-header-origin.toml", &[]);
    let access = sum.origin_access.unwrap();
    assert!(access.direct_requests > 0 && access.secret_sent > 0);
    assert_eq!(access.direct_refused, access.direct_requests);
    assert_eq!(
        (access.legit_refused, access.secret_in_clear_viewer_legs, access.secret_in_clear_origin_legs),
        (0, 0, 0)
    );

    let three_step = lesson("header-rotation.toml", &[]).origin_access.unwrap();
    let at_once = lesson("header-rotation.toml", &["rotation.method=\"at-once\""]).origin_access.unwrap();
    assert_eq!(three_step.legit_refused, 0);
    assert!(at_once.legit_refused > 0);
}

#[test]
fn direct_traffic_and_propagation_are_deterministic_and_leave_viewer_draws_alone() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/lessons/custom-header-origin.toml");
    let s = Scenario::load(&path, &[]).unwrap();
    let json = |s: &Scenario| cdnsim::report::summary_json(&summarize(&run(s, 3), s));
    assert_eq!(json(&s), json(&s));
    // Direct requests come from their own stream: without them, the viewers'
    // requests and results are the same.
    let without =
        Scenario::load(&path, &[cdnsim::scenario::Override::parse("traffic.direct_to_origin.rate=1e-9").unwrap()])
            .unwrap();
    let (a, b) = (summarize(&run(&s, 3), &s), summarize(&run(&without, 3), &without));
    assert_eq!(
        (a.requests, a.hits, a.origin_requests, a.latency_ms.clone()),
        (b.requests, b.hits, b.origin_requests, b.latency_ms)
    );
    assert!(a.origin_access.unwrap().direct_requests > b.origin_access.unwrap().direct_requests);
}

#[test]
fn a_redirect_is_logged_as_its_own_request_and_keeps_a_post_a_post() {
    // Reference §7.1: redirect-to-https answers GET and HEAD with 301 and
    // other methods with 307; the redirect is logged `Redirect`, and the
    // viewer's HTTPS retry is a request of its own. An HTTP GET of /s/1 at
    // 0 s and an HTTP POST to /api/1 at 1 s: four records, in order of
    // finishing: the 301 (10 ms: one viewer round trip), the GET's retry (a
    // 100 ms miss), the 307 (10 ms), and the POST's retry (10 ms for the
    // viewer, 25 + 40 + 25 ms from the edge to the origin and back: 100 ms).
    // Latencies sum to 10 + 100 + 10 + 100 = 220 ms.
    use cdnsim::engine::observer::{FinishedRequest, RequestObserver};
    use cdnsim::http::Method::Post;
    use cdnsim::metrics::ResultType;
    struct Records(Vec<(u16, ResultType, bool, cdnsim::http::Method)>);
    impl RequestObserver for Records {
        fn on_finish(&mut self, r: &FinishedRequest<'_>) {
            self.0.push((r.status, r.result, r.https, r.method));
        }
    }
    let s = scenario(
        TINY,
        &[
            "distribution.behaviors[0].viewer_protocol_policy=\"redirect-to-https\"",
            "distribution.default_behavior.viewer_protocol_policy=\"redirect-to-https\"",
        ],
    );
    let catalog = Catalog::build(&s, 1);
    let entries = [(SimTime(0), "IAD1", Get, "/s/1"), (SimTime(1_000_000), "IAD1", Post, "/api/1")];
    let mut script = Scripted::requests(&s, &catalog, &entries).unwrap();
    for (_, request) in script.iter_mut() {
        request.https = false;
    }
    let mut records = Records(Vec::new());
    let mut source = Scripted::from_requests(script);
    let report = engine::run_with_observer(&s, 1, catalog, &mut source, &mut records, &mut |_| {})
        .expect("the accounting adds up");
    assert_eq!(
        records.0,
        [
            (301, ResultType::Redirect, false, Get),
            (200, ResultType::Miss, true, Get),
            (307, ResultType::Redirect, false, Post),
            (200, ResultType::Miss, true, Post),
        ]
    );
    let sum = summarize(&report, &s);
    assert_eq!(
        (sum.requests, sum.redirects, sum.misses, sum.protocol.viewer_http, sum.protocol.viewer_https),
        (4, 2, 2, 2, 2)
    );
    assert_eq!(report.metrics.latency_sum_us, 220_000);
}
