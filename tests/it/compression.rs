//! Compression at the edge (issue 15): what CloudFront compresses and how
//! big each copy is, checked against numbers worked out by hand in the
//! comments.

use crate::support::*;
use cdnsim::cdn::traffic::{Catalog, Scripted};
use cdnsim::engine::{self, Report};
use cdnsim::http::Method::{self, Get, Head};
use cdnsim::report::result_files;
use cdnsim::scenario::Scenario;
use cdnsim::time::SimTime;

/// One edge location (5,500 bytes of room) over a regional cache of 1 MiB;
/// round trips 10 ms to the viewer, 20 ms to the regional cache, 30 ms to
/// the origin, which answers in 40 ms; one text object `/t/0` of 10,000
/// bytes, fresh for 10 s, gzip ratio 0.3 and Brotli ratio 0.25; viewers send
/// `br, gzip` (index 0) or `gzip` (index 1). `behavior` is the default
/// behavior's cache settings; `extra` goes in the class.
fn text_scenario(behavior: &str, extra: &str) -> String {
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
[[topology.links]]
from = "us-east-1"
to = "origin"
rtt = "30 ms"
[caches.edge]
capacity = "5500 B"
[caches.regional]
capacity = "1 MiB"
[[origins]]
name = "origin"
region = "us-east-1"
latency = "40 ms"
[distribution]
[[distribution.cache_policies]]
name = "raw-encoding"
min_ttl = 1
headers = ["Accept-Encoding"]
[distribution.default_behavior]
origin = "origin"
{behavior}
[traffic]
rate = 100
[[traffic.classes]]
name = "text"
share = 1
objects = 1
path = "/t/{{id}}"
size = "10000 B"
cache_control = "max-age=10"
content_type = "text/html"
gzip_ratio = 0.3
brotli_ratio = 0.25
accept_encoding = {{ "br, gzip" = 0.5, gzip = 0.5 }}
{extra}
"#
    )
}

const COMPRESSED: &str = "cache_policy = \"CachingOptimized\"\ncompress = true";

/// Runs `/t/0` requests at `times` (seconds), each with the class's
/// `Accept-Encoding` value of that index (`None`: no header).
fn run_encodings(s: &Scenario, steps: &[(f64, Method, Option<usize>)]) -> Report {
    let catalog = Catalog::build(s, 1);
    let entries: Vec<(SimTime, &str, Method, &str)> =
        steps.iter().map(|&(t, method, _)| (SimTime((t * 1e6) as u64), "IAD1", method, "/t/0")).collect();
    let mut requests = Scripted::requests(s, &catalog, &entries).unwrap();
    for ((_, r), &(_, _, encoding)) in requests.iter_mut().zip(steps) {
        if let Some(i) = encoding {
            r.attributes.set_accept_encoding(i);
        }
    }
    engine::run_with(s, 1, catalog, &mut Scripted::from_requests(requests), &mut |_| {})
        .expect("the accounting adds up")
}

const BR: Option<usize> = Some(0);
const GZIP: Option<usize> = Some(1);

/// | time | viewer sends | key (normalised) | edge | viewer gets |
/// |------|--------------|------------------|------|-------------|
/// | 0 s  | br, gzip     | br,gzip          | miss: origin sends 10,000; regional and edge store 10,000 x 0.25 = 2,500 | 2,500 (br) |
/// | 1 s  | gzip         | gzip             | miss: origin sends 10,000; both store 10,000 x 0.3 = 3,000 | 3,000 (gzip) |
/// | 2 s  | br, gzip     | br,gzip          | hit  | 2,500 (br) |
/// | 3 s  | gzip         | gzip             | hit  | 3,000 (gzip) |
/// | 4 s  | (none)       | no header        | miss: origin sends 10,000; the regional cache stores it, the edge has no room (5,500 B, full) | 10,000 (identity) |
///
/// The edge's 5,500 bytes hold both encoded copies (2,500 + 3,000) only
/// because they are stored at their encoded sizes: at 10,000 each, neither
/// would fit and 2 s and 3 s would miss. Totals: bytes to viewers 2,500 +
/// 3,000 + 2,500 + 3,000 + 10,000 = 21,000; bytes from the origin 3 x
/// 10,000 = 30,000; saved (10,000 - 2,500) x 2 + (10,000 - 3,000) x 2 =
/// 29,000; responses br 2, gzip 2, identity 1; 3 keys for 1 object.
#[test]
fn each_encoding_is_a_copy_of_its_own_size_worked_by_hand() {
    let s = scenario(&text_scenario(COMPRESSED, ""), &[]);
    let report =
        run_encodings(&s, &[(0.0, Get, BR), (1.0, Get, GZIP), (2.0, Get, BR), (3.0, Get, GZIP), (4.0, Get, None)]);
    let m = &report.metrics;
    let edge = &m.caches[0];
    assert_eq!((edge.lookups, edge.hits, edge.misses), (5, 2, 3));
    assert_eq!(edge.bytes_hit, 2_500 + 3_000);
    assert_eq!(edge.keys_requested, 3);
    assert_eq!(m.bytes_requested, 21_000);
    assert_eq!(m.origin_bytes, 30_000);
    let c = m.compression.as_ref().expect("followed: the behavior compresses");
    assert_eq!(c.responses, [1, 2, 2], "identity, gzip, br");
    assert_eq!(c.bytes, [10_000, 6_000, 5_000]);
    assert_eq!(c.bytes_saved(), 29_000);
    let summary = summarize(&report, &s);
    let json = cdnsim::report::summary_json(&summary);
    assert!(
        json.contains(
            "\"compression\":{\"bytes_to_viewers\":21000,\"bytes_from_origins\":30000,\"bytes_saved\":29000,\
             \"saved_share\":0.58,\"responses_gzip\":2,\"responses_br\":2,\"responses_identity\":1}"
        ),
        "{json}"
    );
    let files = result_files(&report, &s).unwrap();
    let (_, csv) =
        files.iter().find(|(name, _)| *name == "compression.csv").expect("written when a behavior compresses");
    assert_eq!(
        String::from_utf8(csv.clone()).unwrap(),
        "encoding,responses,bytes_to_viewers,original_bytes,bytes_saved,ratio\n\
         identity,1,10000,10000,0,1.0\n\
         gzip,2,6000,20000,14000,0.3\n\
         br,2,5000,20000,15000,0.25\n"
    );
    assert!(cdnsim::report::summary_table(&summary).contains("compression"), "the summary table has its line");
}

/// The same five requests with `compress` off: the key still holds the
/// normalised Accept-Encoding (CachingOptimized), so three keys and three
/// trips to the origin, but every copy is the full 10,000 bytes. The edge's
/// 5,500 bytes hold none of them: 0 hits, and the viewers get 5 x 10,000 =
/// 50,000 bytes. Compression is not followed: no counters, no file.
#[test]
fn without_compress_every_copy_is_full_size() {
    let s = scenario(&text_scenario("cache_policy = \"CachingOptimized\"", ""), &[]);
    let report =
        run_encodings(&s, &[(0.0, Get, BR), (1.0, Get, GZIP), (2.0, Get, BR), (3.0, Get, GZIP), (4.0, Get, None)]);
    let m = &report.metrics;
    assert_eq!((m.caches[0].hits, m.bytes_requested, m.origin_bytes), (0, 50_000, 30_000));
    assert!(m.compression.is_none());
    assert!(result_files(&report, &s).unwrap().iter().all(|(name, _)| *name != "compression.csv"));
    assert!(summarize(&report, &s).compression.is_none());
}

/// A 304 compresses nothing; the copy refreshed stays as it was stored:
///
/// | time | request  | edge |
/// |------|----------|------|
/// | 0 s  | br, gzip | miss: 10,000 from the origin, 2,500 stored (fresh to 10.1 s) |
/// | 20 s | br, gzip | expired at the edge and the regional cache: revalidated, the origin answers 304 (0 bytes); the 2,500-byte br copy is refreshed and sent |
/// | 21 s | HEAD     | a hit on the br copy, with no body: not counted by encoding |
///
/// Viewers get 2,500 + 2,500 = 5,000 bytes, both br; the origin sent 10,000
/// bytes once; saved 2 x 7,500 = 15,000. The second request is a RefreshHit.
#[test]
fn a_304_refresh_keeps_the_compressed_copy() {
    let s = scenario(&text_scenario(COMPRESSED, ""), &[]);
    let report = run_encodings(&s, &[(0.0, Get, BR), (20.0, Get, BR), (21.0, Head, BR)]);
    let m = &report.metrics;
    assert_eq!(m.results.get(cdnsim::metrics::ResultType::RefreshHit), 1);
    assert_eq!((m.origin_bytes, m.origins[0].not_modified), (10_000, 1));
    assert_eq!(m.bytes_requested, 5_000);
    let c = m.compression.as_ref().unwrap();
    assert_eq!(c.responses, [0, 0, 2], "HEAD carries no body");
    assert_eq!(c.bytes_saved(), 15_000);
    assert_eq!(m.responses_with_body, 2);
}

/// A legacy behavior (no cache policy) compresses with gzip only: the
/// viewer accepting both gets gzip, 10,000 x 0.3 = 3,000 bytes, and the
/// gzip copy is cached apart from the uncompressed one (the key holds the
/// Accept-Encoding normalised to gzip):
/// 0 s br, gzip -> miss, 3,000; 1 s gzip -> hit on the same copy, 3,000;
/// 2 s no header -> miss (its own key), 10,000.
#[test]
fn legacy_behaviors_compress_with_gzip_only() {
    let s = scenario(&text_scenario("compress = true", ""), &[]);
    assert!(s.distribution.behaviors[0].cache_key.gzip && !s.distribution.behaviors[0].cache_key.brotli);
    let report = run_encodings(&s, &[(0.0, Get, BR), (1.0, Get, GZIP), (2.0, Get, None)]);
    let m = &report.metrics;
    assert_eq!((m.caches[0].hits, m.origin_bytes, m.bytes_requested), (1, 20_000, 16_000));
    assert_eq!(m.compression.as_ref().unwrap().responses, [1, 2, 0]);
}

/// What switches compression off, each against the 2-request run
/// `br, gzip` then `gzip` at 10,000 bytes (20,000 to viewers uncompressed):
/// Accept-Encoding listed in the policy's headers (the raw header is the
/// key), an object under 1,000 bytes (999: 2 x 999 = 1,998), a type that is
/// not on CloudFront's list (image/jpeg), and CachingDisabled.
#[test]
fn what_switches_compression_off() {
    let two = [(0.0, Get, BR), (1.0, Get, GZIP)];
    let cases: [(&str, &[&str], u64); 4] = [
        ("cache_policy = \"raw-encoding\"\ncompress = true", &[], 20_000),
        (COMPRESSED, &["traffic.classes[0].size=\"999 B\""], 1_998),
        (COMPRESSED, &["traffic.classes[0].content_type=\"image/jpeg\""], 20_000),
        ("cache_policy = \"CachingDisabled\"\ncompress = true", &[], 20_000),
    ];
    for (behavior, sets, bytes) in cases {
        let s = scenario(&text_scenario(behavior, ""), sets);
        let report = run_encodings(&s, &two);
        let c = report.metrics.compression.as_ref().expect("followed: compress is on");
        assert_eq!((report.metrics.bytes_requested, c.bytes_saved(), c.responses), (bytes, 0, [2, 0, 0]), "{sets:?}");
    }
    // And the control: both compressed, 2,500 + 3,000.
    let report = run_encodings(&scenario(&text_scenario(COMPRESSED, ""), &[]), &two);
    assert_eq!(report.metrics.bytes_requested, 5_500);
}

/// Synthetic traffic, one behavior compressing text and photos. Viewers use
/// the default Accept-Encoding mix: 92% accept br (0.72 + 0.20), 5% gzip
/// only (0.03 + 0.02), 3% send none. Text at gzip 0.3 and br 0.25 then
/// costs 0.92 x 0.25 + 0.05 x 0.3 + 0.03 x 1 = 0.275 of its size; photos
/// (image/jpeg) cost all of it. The origin sends the same bytes either way
/// (the keys are the same, and origins send objects uncompressed).
#[test]
fn compress_cuts_text_by_the_ratio_and_photos_not_at_all() {
    let text = r#"
[simulation]
requests = 40000
metrics_interval = "10 s"
[[topology.regional_caches]]
region = "us-east-1"
[[topology.edges]]
name = "IAD1"
regional_cache = "us-east-1"
viewer_rtt = "10 ms"
regional_rtt = "20 ms"
[caches.edge]
capacity = "1 GiB"
[caches.regional]
capacity = "1 GiB"
[[origins]]
name = "origin"
region = "us-east-1"
latency = "40 ms"
[distribution]
[[distribution.behaviors]]
path_pattern = "/p/*"
origin = "origin"
cache_policy = "CachingOptimized"
compress = true
[distribution.default_behavior]
origin = "origin"
cache_policy = "CachingOptimized"
compress = true
[traffic]
rate = 200
[[traffic.classes]]
name = "text"
share = 0.5
objects = 200
path = "/t/{id}"
size = "20000 B"
content_type = "text/css"
gzip_ratio = 0.3
brotli_ratio = 0.25
[[traffic.classes]]
name = "photos"
share = 0.5
objects = 200
path = "/p/{id}"
size = "100000 B"
content_type = "image/jpeg"
"#;
    let on = scenario(text, &[]);
    let off =
        scenario(text, &["distribution.behaviors[0].compress=false", "distribution.default_behavior.compress=false"]);
    let (r_on, r_off) = (run(&on, 7), run(&off, 7));
    let (text_on, text_off) = (r_on.metrics.behaviors[1].bytes as f64, r_off.metrics.behaviors[1].bytes as f64);
    let share = text_on / text_off;
    assert!((share - 0.275).abs() < 0.01, "text costs {share} of its size");
    assert_eq!(r_on.metrics.behaviors[0].bytes, r_off.metrics.behaviors[0].bytes, "photos: not compressed");
    assert_eq!(r_on.metrics.origin_bytes, r_off.metrics.origin_bytes);
    assert_eq!(r_on.metrics.origin_requests, r_off.metrics.origin_requests);
    // Same seed, same files, byte for byte.
    let again = run(&on, 7);
    assert_eq!(result_files(&r_on, &on).unwrap(), result_files(&again, &on).unwrap());
}

#[test]
fn bad_compression_fields_are_refused_clearly() {
    for (set, field, problem) in [
        ("traffic.classes[0].gzip_ratio=0", "traffic.classes[0].gzip_ratio", "outside (0, 1]"),
        ("traffic.classes[0].brotli_ratio=1.5", "traffic.classes[0].brotli_ratio", "outside (0, 1]"),
        ("traffic.classes[0].content_type=\"html\"", "traffic.classes[0].content_type", "not a media type"),
    ] {
        let err = try_scenario(&text_scenario(COMPRESSED, ""), &[set]).expect_err(set);
        let message = err.to_string();
        assert_eq!(err.field_error().expect("a field error").field, field, "{message}");
        assert!(message.contains(problem) && message.contains("(fix: "), "{message}");
    }
    let err = try_scenario(&text_scenario("compress = \"yes\"", ""), &[]).expect_err("a string for a bool");
    assert!(err.to_string().contains("compress"), "{err}");
}

/// A sweep over the Brotli ratio of the lesson's pages gives the same bytes
/// at any `--jobs`.
#[test]
fn a_sweep_of_the_ratio_is_the_same_at_any_jobs() {
    let dir = temp_dir("compression-sweep");
    let sweep = |name: &str, jobs: &str| {
        let out = dir.join(name).to_str().unwrap().to_string();
        let args = [
            "sweep",
            "scenarios/lessons/compression.toml",
            "--requests",
            "2000",
            "--no-progress",
            "--vary",
            "traffic.classes[0].brotli_ratio=0.2:0.3:0.05",
            "--replicates",
            "2",
            "--jobs",
            jobs,
            "--out",
            &out,
        ];
        let (code, _, stderr) = cdnsim(&args);
        assert_eq!(code, 0, "{stderr}");
        std::fs::read(dir.join(name).join("sweep.csv")).unwrap()
    };
    let (one, four) = (sweep("one", "1"), sweep("four", "4"));
    assert_eq!(String::from_utf8(one.clone()).unwrap().lines().count(), 1 + 3 * 2, "3 points, 2 replicates");
    assert!(one == four, "sweep.csv differs between --jobs 1 and --jobs 4");
}

/// A viewer-request function that strips `Accept-Encoding` (a
/// `header-strip` transform) leaves CloudFront a request without the header:
/// nothing is compressed, and both viewers share the one uncompressed key.
///
/// | time | viewer sends | after the function | edge (5,500 B) | regional | viewer gets |
/// |------|--------------|--------------------|----------------|----------|-------------|
/// | 0 s  | br, gzip     | no header          | miss (10,000 B does not fit) | miss: origin sends 10,000 | 10,000 |
/// | 1 s  | gzip         | no header          | miss           | hit      | 10,000 |
///
/// Bytes to viewers 20,000, from the origin 10,000, saved 0; 1 key.
#[test]
fn a_function_that_strips_accept_encoding_switches_compression_off() {
    let function = r#"
[[functions]]
name = "strip"
kind = "cloudfront-function"
transforms = [{ op = "header-strip", names = ["Accept-Encoding"] }]
"#;
    let behavior = format!("{COMPRESSED}\nfunctions = [{{ event = \"viewer-request\", function = \"strip\" }}]");
    let s = scenario(&text_scenario(&behavior, function), &[]);
    let report = run_encodings(&s, &[(0.0, Get, BR), (1.0, Get, GZIP)]);
    let m = &report.metrics;
    let c = m.compression.as_ref().expect("followed: compress is on");
    assert_eq!((m.bytes_requested, m.origin_bytes, c.bytes_saved(), c.responses), (20_000, 10_000, 0, [2, 0, 0]));
    assert_eq!(m.caches[0].keys_requested, 1);
}
