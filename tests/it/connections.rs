//! `[connections]`: worked examples of origin keep-alive and viewer
//! handshakes, errors, determinism.

use crate::support::*;
use cdnsim::http::Method::Get;

/// One edge location 10 ms from its viewers, whose regional edge cache is
/// 20 ms away; the origin is 40 ms from the regional cache, answers in 10 ms
/// over HTTPS (`https-only`) and sends `no-store`, so every request goes to
/// it: 10 + 20 + 40 + 10 = 80 ms on warm connections. `tail` adds
/// `[connections]` and the class's settings.
fn one_origin_40ms_away(keepalive: &str, class_tail: &str, tail: &str) -> String {
    format!(
        r#"
[simulation]
requests = 10
[[topology.regional_caches]]
region = "us-east-1"
[[topology.edges]]
name = "IAD1"
regional_cache = "us-east-1"
viewer_rtt = "10 ms"
regional_rtt = "20 ms"
[[topology.links]]
from = "us-east-1"
to = "origin"
rtt = "40 ms"
[[origins]]
name = "origin"
region = "us-east-1"
latency = "10 ms"
protocol_policy = "https-only"
keepalive_timeout = "{keepalive}"
[distribution.default_behavior]
origin = "origin"
[traffic]
rate = 1
[[traffic.classes]]
name = "api"
share = 1
objects = 1
path = "/api/{{id}}"
size = "1000 B"
cache_control = "no-store"
{class_tail}
{tail}
"#
    )
}

/// `n` requests for /api/0 at IAD1, `every` seconds apart from t = 10 s.
fn every(seconds: f64, n: usize) -> Vec<Step<'static>> {
    (0..n).map(|i| (10.0 + seconds * i as f64, "IAD1", Get, "/api/0")).collect()
}

/// Which cache faces the origin: the one whose counters show the fetches.
fn origin_counts(report: &cdnsim::engine::Report) -> cdnsim::metrics::connections::OriginConnectionCounts {
    report.metrics.connections.as_ref().expect("connections are modelled").to_origin(0)
}

#[test]
fn requests_10_s_apart_each_open_a_connection_and_2_s_apart_only_the_first() {
    // HTTP/3 viewers, one request per connection: each request's viewer
    // handshake is one QUIC round trip, 10 ms.
    let class = "viewer_protocols = { \"http3\" = 1 }";
    let s = scenario(&one_origin_40ms_away("5 s", class, "[connections]"), &[]);
    // Every 10 s, keep-alive 5 s: the connection left idle by the last
    // fetch closed 5 s before the next one, so each of the 4 fetches opens
    // one: TCP (1 round trip) + TLS 1.2 (2) = 3 x 40 ms = 120 ms each.
    // Latency per request: 10 (QUIC) + 80 (warm path) + 120 = 210 ms.
    let report = run_script(&s, &every(10.0, 4));
    let m = &report.metrics;
    let counts = origin_counts(&report);
    assert_eq!((counts.opened, counts.reused), (4, 0));
    assert_eq!(counts.handshake_us, 4 * 120_000);
    assert_eq!(m.latency_sum_us, 4 * 210_000);
    assert_eq!(m.latency_max_us, 210_000);
    // Every 2 s: a fetch's connection is back idle 40 ms + 10 ms after the
    // request reached the origin, well before the next fetch 2 s later
    // (idle about 1.95 s < 5 s), so only the first pays: 210 ms, then
    // 3 x (10 + 80) = 90 ms.
    let report = run_script(&s, &every(2.0, 4));
    let counts = origin_counts(&report);
    assert_eq!((counts.opened, counts.reused), (1, 3));
    assert_eq!(counts.handshake_us, 120_000);
    assert_eq!(report.metrics.latency_sum_us, 210_000 + 3 * 90_000);
    // The regional edge cache faces the origin: it opened and reused them.
    let c = report.metrics.connections.as_ref().unwrap();
    assert_eq!((c.origin_at(1, 0).opened, c.origin_at(1, 0).reused), (1, 3));
    assert_eq!((c.origin_at(0, 0).opened, c.origin_at(0, 0).reused), (0, 0));
    // Viewers: 4 HTTP/3 connections opened at IAD1, 10 ms each.
    assert_eq!(c.viewer[0].opened, [0, 0, 4]);
    assert_eq!(c.viewer[0].handshake_us, 4 * 10_000);
}

#[test]
fn a_60_s_keepalive_keeps_a_connection_that_5_s_closes() {
    // Requests 10 s apart with a 60 s keep-alive: only the first fetch
    // opens a connection. HTTP/2 viewers over HTTPS with TLS 1.3 (the
    // default): TCP + TLS 1.3 = 2 x 10 ms = 20 ms per viewer request.
    // Latency: 20 + 80 + 120 = 220 ms for the first, 20 + 80 = 100 ms after.
    let s = scenario(&one_origin_40ms_away("60 s", "", "[connections]"), &[]);
    let report = run_script(&s, &every(10.0, 4));
    let counts = origin_counts(&report);
    assert_eq!((counts.opened, counts.reused), (1, 3));
    assert_eq!(report.metrics.latency_sum_us, 220_000 + 3 * 100_000);
    let c = report.metrics.connections.as_ref().unwrap();
    assert_eq!(c.viewer[0].opened, [0, 4, 0]);
    assert_eq!(c.viewer[0].handshake_us, 4 * 20_000);
    // TLS 1.2 to viewers: 3 round trips, 30 ms each.
    let tls12 = "[connections]\nviewer_tls = \"TLSv1.2\"";
    let s = scenario(&one_origin_40ms_away("60 s", "", tls12), &[]);
    let report = run_script(&s, &every(10.0, 4));
    assert_eq!(report.metrics.latency_sum_us, 230_000 + 3 * 110_000);
}

#[test]
fn without_connections_every_connection_is_warm() {
    // The same requests with no [connections]: 80 ms each, no counters.
    let s = scenario(&one_origin_40ms_away("5 s", "", ""), &[]);
    let report = run_script(&s, &every(10.0, 4));
    assert_eq!(report.metrics.latency_sum_us, 4 * 80_000);
    assert!(report.metrics.connections.is_none());
    assert!(!s.describe().contains("connections:"), "{}", s.describe());
}

#[test]
fn validate_describes_the_connection_settings() {
    let class = "viewer_protocols = { \"http1.1\" = 1, \"http3\" = 3 }\nrequests_per_connection = 2.5";
    let s = scenario(&one_origin_40ms_away("15 s", class, "[connections]\nviewer_tls = \"TLSv1.2\""), &[]);
    let text = s.describe();
    assert!(text.contains("connections: origin keep-alive [origin 15 s]; viewers' TLS TLSv1.2 over TCP"), "{text}");
    assert!(text.contains("class api: viewers on http1.1 25%, http3 75%, 2.5 requests per connection"), "{text}");
}

#[test]
fn over_http_to_the_origin_a_new_connection_costs_the_tcp_round_trip_only() {
    // `http-only`: a new connection is the TCP handshake, 40 ms.
    // HTTP/3 viewers: 10 ms. 10 + 80 + 40 = 130 ms each, 10 s apart.
    let class = "viewer_protocols = { \"http3\" = 1 }";
    let text = one_origin_40ms_away("5 s", class, "[connections]").replace("https-only", "http-only");
    let s = scenario(&text, &[]);
    let report = run_script(&s, &every(10.0, 2));
    assert_eq!(origin_counts(&report).handshake_us, 2 * 40_000);
    assert_eq!(report.metrics.latency_sum_us, 2 * 130_000);
}

#[test]
fn bad_connection_settings_name_the_field_and_the_fix() {
    let cases = [
        (one_origin_40ms_away("121 s", "", "[connections]"), "origins[0].keepalive_timeout", "1 to 120"),
        (one_origin_40ms_away("0 s", "", "[connections]"), "origins[0].keepalive_timeout", "1 to 120"),
        (
            one_origin_40ms_away("5 s", "viewer_protocols = { \"http4\" = 1 }", "[connections]"),
            "traffic.classes[0].viewer_protocols.http4",
            "http1.1",
        ),
        (
            one_origin_40ms_away("5 s", "viewer_protocols = { \"http2\" = 0 }", "[connections]"),
            "traffic.classes[0].viewer_protocols",
            "positive share",
        ),
        (
            one_origin_40ms_away("5 s", "requests_per_connection = 0.5", "[connections]"),
            "traffic.classes[0].requests_per_connection",
            "1 or more",
        ),
        (
            one_origin_40ms_away("5 s", "requests_per_connection = 3", ""),
            "traffic.classes[0].requests_per_connection",
            "[connections]",
        ),
        (
            one_origin_40ms_away("5 s", "", "[connections]\nviewer_tls = \"TLSv1.4\""),
            "connections.viewer_tls",
            "TLSv1.3",
        ),
    ];
    for (text, field, fix) in cases {
        let message = try_scenario(&text, &[]).expect_err(field).to_string();
        assert!(message.contains(field) && message.contains(fix), "{field}: {message}");
        assert!(message.contains("test.toml"), "{message}");
    }
}

/// TINY with connections modelled: HTTPS to the origin, a 2 s keep-alive,
/// viewers of both classes on a mix of HTTP versions, a few requests each.
fn tiny_with_connections() -> String {
    TINY.replacen(
        "latency = \"40 ms\"",
        "latency = \"40 ms\"\nprotocol_policy = \"https-only\"\nkeepalive_timeout = 2",
        1,
    )
    .replacen(
        "cache_control = \"max-age=10\"",
        "cache_control = \"max-age=10\"\nviewer_protocols = { \"http1.1\" = 0.2, \"http2\" = 0.5, \"http3\" = 0.3 }\n\
             requests_per_connection = 4",
        1,
    ) + "\n[connections]\n"
}

#[test]
fn runs_with_connections_give_identical_files_on_either_path() {
    let s = scenario(&tiny_with_connections(), &["simulation.requests=20000", "traffic.rate=2000"]);
    let files = |report: &cdnsim::engine::Report| cdnsim::report::result_files(report, &s).unwrap();
    let first = files(&run(&s, 7));
    let csv = &first.iter().find(|(name, _)| *name == "connections.csv").expect("connections.csv is written").1;
    assert!(String::from_utf8_lossy(csv).contains("HTTP/3.0"));
    assert_eq!(first, files(&run(&s, 7)));
    let watched = cdnsim::engine::run_observed(&s, 7, &mut Watching, &mut |_| {}).expect("the accounting adds up");
    assert_eq!(first, files(&watched));
    assert_ne!(first, files(&run(&s, 8)));
    // Without [connections], no connections.csv.
    let plain = scenario(TINY, &["simulation.requests=2000"]);
    let names: Vec<&str> =
        cdnsim::report::result_files(&run(&plain, 7), &plain).unwrap().iter().map(|(n, _)| *n).collect();
    assert!(!names.contains(&"connections.csv"), "{names:?}");
}

struct Watching;

impl cdnsim::engine::observer::RequestObserver for Watching {
    fn on_finish(&mut self, _record: &cdnsim::engine::observer::FinishedRequest<'_>) {}
}

#[test]
fn a_sweep_of_keepalive_timeouts_gives_the_same_bytes_at_any_jobs() {
    let dir = temp_dir("connections-sweep");
    let path = dir.join("tiny.toml");
    std::fs::write(&path, tiny_with_connections()).unwrap();
    let args = ["--requests", "2000", "--vary", "origins[0].keepalive_timeout=1,5,60", "--replicates", "2"];
    let (one, four) = sweep_at_jobs_1_and_4(&dir, path.to_str().unwrap(), &args);
    for file in ["sweep.csv", "sweep-summary.csv", "sweep.json"] {
        let (a, b) = (std::fs::read(one.join(file)).unwrap(), std::fs::read(four.join(file)).unwrap());
        assert!(a == b, "{file} differs between --jobs 1 and --jobs 4");
    }
}

#[test]
fn the_access_log_writes_the_http_version_spoken_and_time_taken_includes_the_origin_handshake() {
    // One request at t = 10 s over HTTP/3 (the script's requests are HTTPS),
    // through the regional cache to an origin over HTTPS: it reaches the edge
    // at 10.005 s and its response leaves the edge 20 + 120 (TCP + TLS 1.2)
    // + 40 + 10 = 190 ms later: time-taken and time-to-first-byte 0.190 (the
    // viewer's QUIC handshake came before the request reached the edge).
    let class = "viewer_protocols = { \"http3\" = 1 }";
    let s = scenario(&one_origin_40ms_away("5 s", class, "[connections]"), &[]);
    let dir = temp_dir("connections-access-log");
    let catalog = cdnsim::cdn::traffic::Catalog::build(&s, 1);
    let entries = [(cdnsim::time::SimTime(10_000_000), "IAD1", Get, "/api/0")];
    let mut script = cdnsim::cdn::traffic::Scripted::from_paths(&s, &catalog, &entries).unwrap();
    let options = cdnsim::report::access_log::AccessLogOptions { gzip: false };
    let mut log = cdnsim::report::access_log::AccessLog::create(&dir, &s, 1, options).unwrap();
    cdnsim::engine::run_with_observer(&s, 1, catalog, &mut script, &mut log, &mut |_| {}).unwrap();
    let files = log.finish().unwrap();
    let text = std::fs::read_to_string(&files[0]).unwrap();
    let record: Vec<&str> = text.lines().last().unwrap().split('\t').collect();
    let field = |name: &str| record[cdnsim::report::access_log::FIELDS.iter().position(|f| *f == name).unwrap()];
    assert_eq!(field("cs-protocol-version"), "HTTP/3.0");
    assert_eq!(field("ssl-protocol"), "TLSv1.3");
    assert_eq!(field("time-taken"), "0.190");
    assert_eq!(field("time-to-first-byte"), "0.190");
}
