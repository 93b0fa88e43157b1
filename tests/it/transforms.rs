//! Edge functions' declared transforms (issue 15): on viewer-request they
//! change the cache key, on origin-request they do not. Numbers worked out
//! by hand in the comments.

use crate::support::*;
use cdnsim::cdn::traffic::{Catalog, Scripted};
use cdnsim::engine::{self, Report};
use cdnsim::http::Method::Get;
use cdnsim::scenario::{RequestAttributes, Scenario};
use cdnsim::time::SimTime;

/// TINY with a policy keying every query string, the static class carrying
/// `a` and `b` (one value each, so a request differs only in their order),
/// and `functions` (TOML) run by the default behavior as `associations`.
fn keyed_by_query(functions: &str, associations: &str) -> Scenario {
    let text = TINY
        .replacen(
            "[distribution.default_behavior]\norigin = \"origin\"",
            &format!(
                "[[distribution.cache_policies]]\nname = \"all\"\nquery_strings = \"all\"\n\
                 [distribution.default_behavior]\norigin = \"origin\"\ncache_policy = \"all\"\n\
                 functions = [{associations}]"
            ),
            1,
        )
        .replacen(
            "cache_control = \"max-age=10\"",
            "cache_control = \"max-age=10\"\nquery = [{ name = \"b\", values = 1 }, { name = \"a\", values = 1 }]\n\
             query_order = \"shuffled\"",
            1,
        );
    scenario(&format!("{text}\n{functions}"), &[])
}

/// Four requests for /s/1 from IAD1 at 0, 1, 2 and 3 s, all carrying
/// `b=0` and `a=0`: in the order b, a, then a, b, then b, a, then a, b.
fn four_orders(s: &Scenario) -> Report {
    let catalog = Catalog::build(s, 1);
    let entries: Vec<_> = (0..4).map(|t| (SimTime(t * 1_000_000), "IAD1", Get, "/s/1")).collect();
    let mut requests = Scripted::requests(s, &catalog, &entries).unwrap();
    for (i, (_, r)) in requests.iter_mut().enumerate() {
        r.attributes = RequestAttributes::NONE;
        r.attributes.set_value(0, 0);
        r.attributes.set_value(1, 0);
        r.attributes.set_query_order(if i % 2 == 0 { &[0, 1] } else { &[1, 0] });
    }
    engine::run_with(s, 1, catalog, &mut Scripted::from_requests(requests), &mut |_| {})
        .expect("the accounting adds up")
}

const SORT: &str = r#"
[[functions]]
name = "sort"
kind = "cloudfront-function"
latency = "0.5 ms"
transforms = [{ op = "query-sort" }]

[[functions]]
name = "sort-at-origin"
kind = "lambda-edge"
transforms = [{ op = "query-sort" }]
"#;

/// Under a key holding every query string, `b=0&a=0` and `a=0&b=0` are two
/// keys (CloudFront keys the order): the four requests are two keys, each
/// fetched once (miss at 0 s, miss at 1 s, hits at 2 and 3 s; objects stay
/// fresh 10 s): 2 origin requests, 2 edge hits, and the second miss is a
/// fragmentation miss (the other order was cached and fresh).
///
/// A viewer-request function that sorts the query makes them all `a=0&b=0`:
/// one key, fetched once, 3 hits, no fragmentation miss; the keys the same
/// lookups would have had without it are still 2: the transform halved them.
///
/// The same sort on origin-request runs after the lookup: the keys are the
/// viewer's, 2, and so are the misses and the origin requests (each miss
/// runs the function once: 2 runs).
#[test]
fn sorting_on_viewer_request_halves_the_keys_on_origin_request_it_does_not() {
    let plain = keyed_by_query(SORT, "");
    let report = four_orders(&plain);
    let sum = summarize(&report, &plain);
    let keys = sum.cache_keys.as_ref().expect("the key varies");
    assert_eq!((keys.keys_requested, keys.objects_requested, keys.keys_before_transforms), (2, 1, None));
    assert_eq!((sum.origin_requests, report.metrics.caches[0].hits, keys.edge_fragmentation_misses), (2, 2, 1));

    let viewer = keyed_by_query(SORT, r#"{ event = "viewer-request", function = "sort" }"#);
    let report = four_orders(&viewer);
    let sum = summarize(&report, &viewer);
    let keys = sum.cache_keys.as_ref().unwrap();
    assert_eq!((keys.keys_requested, keys.keys_before_transforms), (1, Some(2)));
    assert_eq!((keys.keys_per_object, keys.keys_per_object_before_transforms), (1.0, Some(2.0)));
    assert_eq!((sum.origin_requests, report.metrics.caches[0].hits, keys.fragmentation_misses), (1, 3, 0));
    let json = cdnsim::report::summary_json(&sum);
    assert!(json.contains("\"keys_before_transforms\":2,\"keys_per_object_before_transforms\":2.0"), "{json}");
    let table = cdnsim::report::summary_table(&sum);
    assert!(table.contains("keys before transforms     2 keys (2.00 per object)"), "{table}");

    let origin = keyed_by_query(SORT, r#"{ event = "origin-request", function = "sort-at-origin" }"#);
    let report = four_orders(&origin);
    let sum = summarize(&report, &origin);
    let keys = sum.cache_keys.as_ref().unwrap();
    assert_eq!((keys.keys_requested, keys.keys_before_transforms), (2, None), "the key is the viewer's");
    assert_eq!((sum.origin_requests, report.metrics.caches[0].hits), (2, 2));
    assert_eq!(report.metrics.functions.associations[0].invocations, 2, "once per origin fetch");
}

/// An image class under a key holding `w` and `fmt` (allow-list), with
/// tracking parameters and a session cookie on top, on random traffic.
fn images(associations: &str, cache_control: &str) -> Scenario {
    let text = format!(
        r#"
[simulation]
requests = 20000
[[topology.regional_caches]]
region = "us-east-1"
[[topology.edges]]
name = "IAD1"
regional_cache = "us-east-1"
[[origins]]
name = "origin"
region = "us-east-1"
[[functions]]
name = "normalise"
kind = "cloudfront-function"
transforms = [
    {{ op = "query-drop", names = ["utm_*"] }},
    {{ op = "query-sort" }},
    {{ op = "query-lowercase", names = ["fmt"] }},
    {{ op = "cookies-drop" }},
]
[[distribution.cache_policies]]
name = "p"
query_strings = {{ allow = ["w", "fmt"] }}
[distribution.default_behavior]
origin = "origin"
cache_policy = "p"
functions = [{associations}]
[traffic]
rate = 1000
objects = 50
zipf_alpha = 0
[[traffic.classes]]
name = "images"
share = 1
path = "/img/{{id}}.jpg"
size = "10 KiB"
cache_control = "{cache_control}"
query = [
    {{ name = "w", values = ["320", "640", "1280"] }},
    {{ name = "fmt", values = ["webp", "WEBP", "jpeg"] }},
    {{ name = "utm_source", values = 100, share = 0.5 }},
]
query_order = "shuffled"
cookies = [{{ name = "session", values = 1000, share = 0.5 }}]
"#
    );
    scenario(&text, &[])
}

/// 50 objects equally popular, 20,000 requests: 400 per object, so every
/// combination the key can hold is seen (one of 18 combinations is missed by
/// 400 requests with probability (17/18)^400, about 10^-10). Keyed as the
/// viewer sends them: w (3) x fmt (3) x the order of w and fmt (2) = 18 keys
/// per object; `utm_source` and the cookie are not in the key. Normalised:
/// sorted (1 order) and fmt lower-cased (webp and WEBP one value: 2) = 3 x 2
/// = 6 per object, a third. With a day-long TTL and caches that hold
/// everything, each key is fetched from the origin once: 900 and 300 origin
/// requests. The lookups the normalised run counts without its transforms
/// are exactly the plain run's keys: the function changes no draw.
#[test]
fn normalising_cuts_the_keys_per_object_from_eighteen_to_six() {
    for seed in [1, 2, 3] {
        let plain = images("", "max-age=86400");
        let viewer = images(r#"{ event = "viewer-request", function = "normalise" }"#, "max-age=86400");
        let (p, v) = (summarize(&run(&plain, seed), &plain), summarize(&run(&viewer, seed), &viewer));
        let (pk, vk) = (p.cache_keys.unwrap(), v.cache_keys.unwrap());
        assert_eq!((pk.objects_requested, pk.keys_requested), (50, 50 * 18), "seed {seed}");
        assert_eq!((vk.objects_requested, vk.keys_requested), (50, 50 * 6), "seed {seed}");
        assert_eq!(vk.keys_before_transforms, Some(pk.keys_requested), "seed {seed}");
        assert_eq!((p.origin_requests, v.origin_requests), (900, 300), "seed {seed}");
        assert!(v.hit_ratio > p.hit_ratio, "seed {seed}");
    }
}

/// The same seed gives the same bytes with transforms as without: every
/// result file of a run with a normalising function, twice.
#[test]
fn a_run_with_transforms_repeats_byte_for_byte() {
    let s = images(r#"{ event = "viewer-request", function = "normalise" }"#, "max-age=60");
    let files = |seed| cdnsim::report::result_files(&run(&s, seed), &s).unwrap();
    assert_eq!(files(7), files(7));
    assert_ne!(files(7), files(8), "another seed, other draws");
}

/// A device header set by a viewer-request function, keyed by the policy:
/// desktop, mobile, tablet and smart TV viewers (the default mix: 36%, 62%,
/// 2%, 0%) written as two classes, tablets as mobile: 2 keys for the one
/// object, each fetched once. Without the function the policy names a
/// header no request carries: the path's key, 1 fetch. Keyed by
/// CloudFront-Is-Mobile-Viewer and CloudFront-Is-Tablet-Viewer instead, the
/// three devices seen are three keys.
#[test]
fn a_device_header_keys_two_classes() {
    let text = |headers: &str, associations: &str| {
        format!(
            r#"
[simulation]
requests = 2000
[[topology.regional_caches]]
region = "us-east-1"
[[topology.edges]]
name = "IAD1"
regional_cache = "us-east-1"
[[origins]]
name = "origin"
region = "us-east-1"
[[functions]]
name = "device"
kind = "cloudfront-function"
transforms = [{{ op = "device-header", header = "X-Device", values = {{ tablet = "mobile" }} }}]
[[distribution.cache_policies]]
name = "p"
headers = {headers}
[distribution.default_behavior]
origin = "origin"
cache_policy = "p"
functions = [{associations}]
[traffic]
rate = 100
[[traffic.classes]]
name = "one"
share = 1
path = "/index.html"
size = "10 KiB"
cache_control = "max-age=86400"
"#
        )
    };
    let vr = r#"{ event = "viewer-request", function = "device" }"#;
    for (headers, associations, keys) in [
        (r#"["X-Device"]"#, vr, 2),
        (r#"["X-Device"]"#, "", 1),
        (r#"["CloudFront-Is-Mobile-Viewer", "CloudFront-Is-Tablet-Viewer"]"#, "", 3),
    ] {
        let s = scenario(&text(headers, associations), &[]);
        let sum = summarize(&run(&s, 1), &s);
        assert_eq!(sum.cache_keys.unwrap().keys_requested, keys, "{headers} {associations}");
        assert_eq!(sum.origin_requests, keys, "{headers} {associations}");
    }
}

/// A sweep of the lesson's scenario with its normalising function on
/// viewer-request: the same bytes with `--jobs 1` and `--jobs 4`.
#[test]
fn a_sweep_with_transforms_gives_the_same_bytes_whatever_the_jobs() {
    let dir = temp_dir("transforms-sweep");
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/lessons/raise-the-hit-ratio.toml");
    let sweep = |jobs: &str| {
        let out = dir.join(format!("jobs-{jobs}"));
        let out = out.to_str().unwrap();
        let (code, _, stderr) = cdnsim(&[
            "sweep",
            scenario,
            "--requests",
            "2000",
            "--no-progress",
            "--set",
            r#"distribution.default_behavior.functions=[{ event = "viewer-request", function = "normalise" }]"#,
            "--vary",
            "traffic.zipf_alpha=0.6,0.9,1.2",
            "--replicates",
            "2",
            "--jobs",
            jobs,
            "--out",
            out,
        ]);
        assert_eq!(code, 0, "{stderr}");
        ["sweep.csv", "sweep.json"].map(|f| std::fs::read(dir.join(format!("jobs-{jobs}")).join(f)).unwrap())
    };
    assert!(sweep("1") == sweep("4"), "the sweep's files differ between --jobs 1 and --jobs 4");
}
