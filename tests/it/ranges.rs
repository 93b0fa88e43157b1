//! Range GETs (issue 16): which parts CloudFront fetches and caches for a
//! range, what an origin with and without range support answers, 206 and
//! 416, checked against numbers worked out by hand in the comments.

use crate::support::*;
use cdnsim::cdn::traffic::{Catalog, Scripted};
use cdnsim::engine::{self, Report};
use cdnsim::http::Method::Get;
use cdnsim::metrics::ResultType::{Error, Hit, Miss, RefreshHit};
use cdnsim::policy::range::ViewerRange;
use cdnsim::report::result_files;
use cdnsim::scenario::Scenario;
use cdnsim::time::SimTime;

const MIB: u64 = 1 << 20;

/// Two edge locations (IAD1, IAD2) over one regional edge cache, 1 GiB
/// each; one object `/v/0` of 10 MiB (10,485,760 bytes), fresh for an hour.
/// Every GET carries a `Range` (the scripts give each one); `origin` goes in
/// the origin's table, `extra` at the end.
fn video_scenario(origin: &str, extra: &str) -> String {
    format!(
        r#"
[simulation]
requests = 1000
metrics_interval = "1 s"
[[topology.regional_caches]]
region = "us-east-1"
[[topology.edges]]
name = "IAD1"
regional_cache = "us-east-1"
viewer_rtt = "10 ms"
regional_rtt = "20 ms"
[[topology.edges]]
name = "IAD2"
regional_cache = "us-east-1"
viewer_rtt = "10 ms"
regional_rtt = "20 ms"
[[topology.links]]
from = "us-east-1"
to = "origin"
rtt = "30 ms"
[caches.edge]
capacity = "1 GiB"
[caches.regional]
capacity = "1 GiB"
[[origins]]
name = "origin"
region = "us-east-1"
latency = "40 ms"
{origin}
[distribution.default_behavior]
origin = "origin"
[traffic]
rate = 100
[[traffic.classes]]
name = "video"
share = 1
objects = 1
path = "/v/{{id}}"
size = "10 MiB"
cache_control = "max-age=3600"
range_share = 1
{extra}
"#
    )
}

/// Runs GETs of `/v/0`, each (seconds, edge, range).
fn run_ranges(s: &Scenario, steps: &[(f64, &str, Option<ViewerRange>)]) -> Report {
    let catalog = Catalog::build(s, 1);
    let entries: Vec<(SimTime, &str, cdnsim::http::Method, &str)> =
        steps.iter().map(|&(t, edge, _)| (SimTime((t * 1e6) as u64), edge, Get, "/v/0")).collect();
    let requests = Scripted::requests(s, &catalog, &entries).unwrap();
    let scripted = requests.into_iter().zip(steps).map(|((at, r), &(_, _, range))| (at, r, range)).collect();
    engine::run_with(s, 1, catalog, &mut Scripted::with_ranges(scripted), &mut |_| {}).expect("the accounting adds up")
}

fn bytes(first: u64, last: u64) -> Option<ViewerRange> {
    Some(ViewerRange::Bytes { first, last })
}

const UNSATISFIABLE: Option<ViewerRange> = Some(ViewerRange::Unsatisfiable);

/// Parts are 1 MiB (1,048,576 bytes); the origin supports ranges.
///
/// | time | edge | range | parts | edge | regional | origin | viewer gets |
/// |------|------|-------|-------|------|----------|--------|-------------|
/// | 0 s | IAD1 | 0-99,999 | 0 | miss: part 0 | miss: part 0 | 206, part 0: 1,048,576 | 206, 100,000 |
/// | 1 s | IAD1 | 500,000-1,499,999 | 0-1 | has 0, miss: part 1 | miss: part 1 | 206, part 1: 1,048,576 | 206, 1,000,000 |
/// | 2 s | IAD1 | 0-99,999 | 0 | hit | - | - | 206, 100,000 |
/// | 3 s | IAD2 | 0-1,048,575 | 0 | miss: part 0 | hit (part 0) | - | 206, 1,048,576 |
/// | 4 s | IAD1 | past the end | - | 416 (it knows the length) | - | - | 416 |
///
/// Origin: 2 requests, 2 x 1,048,576 = 2,097,152 bytes. Viewers: 100,000 +
/// 1,000,000 + 100,000 + 1,048,576 = 2,248,576 bytes in four 206s and one
/// 416. IAD1: 4 lookups, 1 hit (100,000 bytes), 2 misses, 1 error served;
/// IAD2: 1 lookup, 1 miss; the regional cache: 3 lookups, 1 hit (the part,
/// 1,048,576 bytes), 2 misses. Results: Miss, Miss, Hit, Hit, Error.
#[test]
fn only_the_missing_parts_are_fetched_worked_by_hand() {
    let s = scenario(&video_scenario("", ""), &[]);
    let report = run_ranges(
        &s,
        &[
            (0.0, "IAD1", bytes(0, 99_999)),
            (1.0, "IAD1", bytes(500_000, 1_499_999)),
            (2.0, "IAD1", bytes(0, 99_999)),
            (3.0, "IAD2", bytes(0, MIB - 1)),
            (4.0, "IAD1", UNSATISFIABLE),
        ],
    );
    let m = &report.metrics;
    assert_eq!((m.origin_requests, m.origin_bytes), (2, 2 * MIB));
    assert_eq!(m.bytes_requested, 2_248_576);
    let (iad1, iad2, regional) = (&m.caches[0], &m.caches[1], &m.caches[2]);
    assert_eq!((iad1.lookups, iad1.hits, iad1.misses, iad1.errors_served), (4, 1, 2, 1));
    assert_eq!(iad1.bytes_hit, 100_000);
    assert_eq!((iad2.lookups, iad2.misses), (1, 1));
    assert_eq!((regional.lookups, regional.hits, regional.misses), (3, 1, 2));
    assert_eq!(regional.bytes_hit, MIB);
    assert_eq!([Hit, Miss, Error].map(|t| m.results.get(t)), [2, 2, 1]);
    let r = m.ranges.as_ref().expect("followed: the class sends ranges").total();
    assert_eq!((r.requests, r.partial, r.whole, r.unsatisfiable, r.other), (5, 4, 0, 1, 0));
    assert_eq!((r.bytes_to_viewers, r.bytes_asked), (2_248_576, 2_248_576));
    assert_eq!((r.origin_requests, r.origin_bytes), (2, 2 * MIB));
}

/// The origin does not support ranges: it answers the first range with the
/// whole object (200, 10,485,760 bytes), which the viewer gets whole and
/// both caches keep; later ranges are served from the whole copy.
///
/// | time | range | IAD1 | origin | viewer gets |
/// |------|-------|------|--------|-------------|
/// | 0 s | 0-99,999 | miss | 200, 10,485,760 | 200, 10,485,760 |
/// | 1 s | 500,000-1,499,999 | hit (whole) | - | 206, 1,000,000 |
/// | 2 s | 9,000,000-10,485,759 | hit (whole) | - | 206, 1,485,760 |
/// | 3 s | past the end | 416 | - | 416 |
///
/// One origin request of 10,485,760 bytes; viewers get 10,485,760 +
/// 1,000,000 + 1,485,760 = 12,971,520 bytes.
#[test]
fn an_origin_without_range_support_sends_the_whole_object_once() {
    let s = scenario(&video_scenario("supports_ranges = false", ""), &[]);
    let report = run_ranges(
        &s,
        &[
            (0.0, "IAD1", bytes(0, 99_999)),
            (1.0, "IAD1", bytes(500_000, 1_499_999)),
            (2.0, "IAD1", bytes(9_000_000, 10 * MIB - 1)),
            (3.0, "IAD1", UNSATISFIABLE),
        ],
    );
    let m = &report.metrics;
    assert_eq!((m.origin_requests, m.origin_bytes), (1, 10 * MIB));
    assert_eq!(m.bytes_requested, 12_971_520);
    let iad1 = &m.caches[0];
    assert_eq!((iad1.lookups, iad1.hits, iad1.misses, iad1.errors_served), (4, 2, 1, 1));
    assert_eq!(iad1.bytes_hit, 2_485_760);
    let r = m.ranges.as_ref().unwrap().total();
    assert_eq!((r.requests, r.partial, r.whole, r.unsatisfiable), (4, 2, 1, 1));
    assert_eq!((r.origin_requests, r.origin_bytes), (1, 10 * MIB));
}

/// An unsatisfiable range of an object no cache holds goes to the origin,
/// which answers 416 with no body; the 416 is not cached, so the same range
/// a second later goes to the origin again: 2 origin requests, 0 bytes,
/// 2 errors (4xx). A satisfiable range then fetches part 0 as usual.
#[test]
fn a_416_from_the_origin_is_not_cached() {
    let s = scenario(&video_scenario("", ""), &[]);
    let report =
        run_ranges(&s, &[(0.0, "IAD1", UNSATISFIABLE), (1.0, "IAD1", UNSATISFIABLE), (2.0, "IAD1", bytes(0, 9))]);
    let m = &report.metrics;
    assert_eq!((m.origin_requests, m.origin_bytes), (3, MIB));
    assert_eq!((m.errors_4xx, m.bytes_requested), (2, 10));
    let r = m.ranges.as_ref().unwrap().total();
    assert_eq!((r.unsatisfiable, r.partial, r.origin_requests), (2, 1, 3));
}

/// An invalidation of `/v/*` at 10 s (propagating in 1 ms) removes every
/// part of the object: the range fetched at 0 s (parts 0-2, bytes
/// 0-3,000,000: 3 x 1,048,576 = 3,145,728 from the origin) is fetched
/// again at 20 s, 6,291,456 origin bytes in all, with a hit at 5 s between.
#[test]
fn an_invalidation_removes_every_part() {
    let extra = "[[invalidations]]\nat = \"10 s\"\npaths = [\"/v/*\"]\npropagation = \"1 ms\"";
    let s = scenario(&video_scenario("", extra), &[]);
    let range = bytes(0, 3_000_000);
    let report = run_ranges(&s, &[(0.0, "IAD1", range), (5.0, "IAD1", range), (20.0, "IAD1", range)]);
    let m = &report.metrics;
    assert_eq!((m.origin_requests, m.origin_bytes), (2, 6 * MIB));
    assert_eq!([Hit, Miss].map(|t| m.results.get(t)), [1, 2]);
}

/// A class's own draws: with `range_share = 0.5`, about half the GETs carry
/// a range; the run is the same for the same seed, and writes `ranges.csv`
/// and the summary's `ranges` only when some class sends ranges.
#[test]
fn drawn_ranges_are_reported_and_deterministic() {
    let text =
        video_scenario("", "range_length = \"256 KiB\"\nrange_start = \"uniform\"\nrange_unsatisfiable_share = 0.1")
            .replace("range_share = 1", "range_share = 0.5")
            .replace("objects = 1\npath = \"/v/{id}\"", "objects = 50\npath = \"/v/{id}\"");
    let s = scenario(&text, &[]);
    let a = run(&s, 7);
    let b = run(&s, 7);
    let r = a.metrics.ranges.as_ref().unwrap().total();
    assert!((400..600).contains(&r.requests), "about half of 1,000: {}", r.requests);
    assert!(r.unsatisfiable > 10 && r.unsatisfiable < r.requests / 5, "{r:?}");
    assert!(r.bytes_asked <= r.requests * 256 * 1024);
    let files_a = result_files(&a, &s).unwrap();
    assert_eq!(files_a, result_files(&b, &s).unwrap(), "same seed, same files");
    let (_, csv) = files_a.iter().find(|(name, _)| *name == "ranges.csv").expect("written when ranges are drawn");
    let csv = String::from_utf8(csv.clone()).unwrap();
    assert!(csv.starts_with("scope,name,range_requests,partial_206,whole_200,unsatisfiable_416,other,"), "{csv}");
    assert_eq!(csv.lines().filter(|l| l.starts_with("behavior,*,")).count(), 1, "{csv}");
    assert_eq!(csv.lines().filter(|l| l.starts_with("class,video,")).count(), 1, "{csv}");
    let json = cdnsim::report::summary_json(&summarize(&a, &s));
    assert!(json.contains("\"ranges\":{\"range_requests\":"), "{json}");
    // Without ranges: no file, no summary entry.
    let plain = scenario(
        &text
            .replace("range_share = 0.5\n", "")
            .replace("range_length = \"256 KiB\"\nrange_start = \"uniform\"\nrange_unsatisfiable_share = 0.1", ""),
        &[],
    );
    let report = run(&plain, 7);
    assert!(report.metrics.ranges.is_none());
    assert!(result_files(&report, &plain).unwrap().iter().all(|(name, _)| *name != "ranges.csv"));
    assert!(!cdnsim::report::summary_json(&summarize(&report, &plain)).contains("\"ranges\""));
}

#[test]
fn bad_range_settings_name_the_field_and_the_fix() {
    let cases = [
        ("range_share = 1.5", "traffic.classes[0].range_share", "outside [0, 1]"),
        ("range_length = 0", "traffic.classes[0].range_length", "zero bytes"),
        ("range_start = \"middle\"", "traffic.classes[0].range_start", "\"zero\""),
        ("range_unsatisfiable_share = -1", "traffic.classes[0].range_unsatisfiable_share", "outside [0, 1]"),
    ];
    for (line, field, text) in cases {
        let scenario_text = video_scenario("", "").replace("range_share = 1", line);
        let scenario_text =
            if line.starts_with("range_share") { scenario_text } else { format!("{scenario_text}range_share = 1\n") };
        let err = try_scenario(&scenario_text, &[]).expect_err(line).to_string();
        assert!(err.contains(field) && err.contains(text), "{line}: {err}");
    }
    // A range setting without range_share is a mistake, not ignored.
    let stray = video_scenario("", "").replace("range_share = 1", "range_start = \"uniform\"");
    let err = try_scenario(&stray, &[]).unwrap_err().to_string();
    assert!(err.contains("range_start") && err.contains("range_share"), "{err}");
}

/// Parts expire with the object's TTL (here `max-age=10`) and are fetched
/// again whole, without a validator: at 0 s part 0 comes from the origin,
/// at 5 s it is a hit, at 20 s it has expired at both caches and comes
/// again (a `Miss`, not a `RefreshHit`; no conditional request). Two origin
/// requests, 2 x 1,048,576 bytes.
#[test]
fn an_expired_part_is_fetched_again_whole() {
    let s = scenario(&video_scenario("", "").replace("max-age=3600", "max-age=10"), &[]);
    let range = bytes(0, 99_999);
    let report = run_ranges(&s, &[(0.0, "IAD1", range), (5.0, "IAD1", range), (20.0, "IAD1", range)]);
    let m = &report.metrics;
    assert_eq!((m.origin_requests, m.origin_bytes), (2, 2 * MIB));
    assert_eq!((m.origins[0].conditional, m.origins[0].not_modified), (0, 0));
    assert_eq!([Hit, Miss, RefreshHit].map(|t| m.results.get(t)), [1, 2, 0]);
    assert_eq!(m.ranges.as_ref().unwrap().total().partial, 3);
}

/// A behavior that compresses (gzip, ratio 0.5) and a 5 MiB text object
/// (5,242,880 bytes, within CloudFront's 1,000 to 10,000,000 bytes): the
/// range GET at 0 s is served uncompressed (100,000 bytes, identity; the
/// origin sends part 0, 1,048,576 bytes), the plain GET at 1 s gets the
/// whole object in gzip, 2,621,440 bytes (the parts are no copy of the
/// whole object: it misses, and the origin sends all 5,242,880 bytes).
#[test]
fn range_answers_are_never_compressed() {
    let text = video_scenario("", "content_type = \"text/html\"\ngzip_ratio = 0.5\naccept_encoding = { gzip = 1 }")
        .replace("size = \"10 MiB\"", "size = \"5 MiB\"")
        .replace(
            "origin = \"origin\"\n[traffic]",
            "origin = \"origin\"\ncache_policy = \"CachingOptimized\"\ncompress = true\n[traffic]",
        );
    let s = scenario(&text, &[]);
    let catalog = Catalog::build(&s, 1);
    let entries = [(SimTime::ZERO, "IAD1", Get, "/v/0"), (SimTime(1_000_000), "IAD1", Get, "/v/0")];
    let mut requests = Scripted::requests(&s, &catalog, &entries).unwrap();
    for (_, r) in &mut requests {
        r.attributes.set_accept_encoding(0);
    }
    let ranges = [bytes(0, 99_999), None];
    let scripted = requests.into_iter().zip(ranges).map(|((at, r), range)| (at, r, range)).collect();
    let report = engine::run_with(&s, 1, catalog, &mut Scripted::with_ranges(scripted), &mut |_| {})
        .expect("the accounting adds up");
    let m = &report.metrics;
    let c = m.compression.as_ref().expect("followed: the behavior compresses");
    assert_eq!(c.responses, [1, 1, 0], "identity, gzip, br");
    assert_eq!(c.bytes, [100_000, 2_621_440, 0]);
    assert_eq!(m.bytes_requested, 2_721_440);
    assert_eq!((m.origin_requests, m.origin_bytes), (2, MIB + 5 * MIB));
}

/// The same range scenario, run by the binary: `ranges.csv` and the
/// summary line are written, the access log records each 206 with its
/// `sc-range-start` and `sc-range-end`, and a sweep of it gives the same
/// bytes with `--jobs 1` and `--jobs 4`.
#[test]
fn the_binary_logs_ranges_and_sweeps_them_alike_at_any_jobs() {
    let dir = temp_dir("ranges-cli");
    let text = video_scenario("", "range_length = \"300 KiB\"\nrange_start = \"uniform\"")
        .replace("objects = 1\npath", "objects = 20\npath")
        .replace("range_share = 1", "range_share = 0.5");
    let file = dir.join("ranges.toml");
    std::fs::write(&file, text).unwrap();
    let file = file.to_str().unwrap();
    let logs = dir.join("logs");
    let out = dir.join("out");
    let (code, stdout, stderr) = cdnsim(&[
        "run",
        file,
        "--requests",
        "400",
        "--no-progress",
        "--out",
        out.to_str().unwrap(),
        "--access-log",
        logs.to_str().unwrap(),
        "--access-log-plain",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("range GETs"), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(out.join("ranges.csv")).unwrap().lines().count(),
        3,
        "a header, a behavior, a class"
    );
    let log: String =
        std::fs::read_dir(&logs).unwrap().map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap()).collect();
    let partial: Vec<Vec<&str>> = log
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split('\t').collect())
        .filter(|f: &Vec<&str>| f[8] == "206")
        .collect();
    assert!(!partial.is_empty());
    for fields in &partial {
        // sc-content-len = sc-range-end - sc-range-start + 1, at most 300 KiB.
        let (len, first, last): (u64, u64, u64) =
            (fields[30].parse().unwrap(), fields[31].parse().unwrap(), fields[32].parse().unwrap());
        assert!(len == last - first + 1 && len <= 300 * 1024, "{fields:?}");
    }
    let args = ["--requests", "400", "--vary", "caches.edge.capacity=2 MiB,20 MiB", "--replicates", "2"];
    let (one, four) = sweep_at_jobs_1_and_4(&dir, file, &args);
    let read = |out: &std::path::Path| std::fs::read(out.join("sweep.csv")).unwrap();
    assert_eq!(read(&one), read(&four), "sweep.csv differs between --jobs 1 and --jobs 4");
}
