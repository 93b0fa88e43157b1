//! Cache keys (issue 15): what a cache policy puts in the key, checked
//! against numbers worked out by hand or from a formula in the comments.

use crate::support::*;
use cdnsim::cdn::traffic::{Catalog, Scripted};
use cdnsim::engine;
use cdnsim::http::Method::Get;
use cdnsim::scenario::{Device, RequestAttributes, Scenario};
use cdnsim::time::SimTime;

const EDGE: usize = 0;

/// One edge location with room for 100 objects of 1000 bytes, a regional
/// cache that holds nothing, 1 ms round trips and 1 ms at the origin (so
/// few requests overlap a fetch), 1000 objects of Zipf 0.8 cached for a
/// year, and a query parameter `v` with `{values}` equally likely values on
/// every request, which the behavior's policy keys.
fn che_scenario(values: u32) -> Scenario {
    scenario(
        &format!(
            r#"
[simulation]
requests = 200000
warmup = "500 s"
metrics_interval = "10 s"
[[topology.regional_caches]]
region = "us-east-1"
[[topology.edges]]
name = "IAD1"
regional_cache = "us-east-1"
viewer_rtt = "1 ms"
regional_rtt = "1 ms"
[caches.edge]
capacity = "100000 B"
[caches.regional]
capacity = 0
[[origins]]
name = "origin"
region = "us-east-1"
latency = "1 ms"
[distribution]
[[distribution.cache_policies]]
name = "by-v"
query_strings = {{ allow = ["v"] }}
[distribution.default_behavior]
origin = "origin"
cache_policy = "by-v"
[traffic]
rate = 100
[[traffic.classes]]
name = "c"
share = 1
objects = 1000
zipf_alpha = 0.8
path = "/o/{{id}}"
size = "1000 B"
cache_control = "max-age=31536000"
query = [{{ name = "v", values = {values} }}]
"#
        ),
        &[],
    )
}

/// Che's approximation of an LRU cache of `capacity` items under
/// independent requests with probabilities `p`: the characteristic time T
/// solves sum_i (1 - exp(-p_i T)) = capacity, and the hit ratio is
/// sum_i p_i (1 - exp(-p_i T)) (Che, Tung and Wang, 2002; Fricker, Robert
/// and Roberts, 2012).
fn che_hit_ratio(p: &[f64], capacity: f64) -> f64 {
    let filled = |t: f64| p.iter().map(|q| 1.0 - (-q * t).exp()).sum::<f64>();
    let (mut lo, mut hi) = (0.0, 1.0);
    while filled(hi) < capacity {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        if filled(mid) < capacity { lo = mid } else { hi = mid }
    }
    p.iter().map(|q| q * (1.0 - (-q * hi).exp())).sum()
}

/// One keyed query parameter with N equally likely values makes every
/// object N cache entries of probability p_i / N each: to an LRU cache it is
/// a catalog of N times the objects. With 1000 objects of Zipf 0.8
/// (p_i = i^-0.8 / sum_k k^-0.8) and room for 100, Che gives 0.378 for
/// N = 1 and 0.168 for N = 4 (the test computes both; seed 3 simulates
/// 0.380 and 0.170): the simulated edge hit ratio must be within 0.01 of
/// each. Misses during a 4 ms fetch that another request of the key already
/// started are counted as collapsed, not as hits: about 50 of the 150,000
/// measured lookups, within the tolerance too.
#[test]
fn a_keyed_query_string_multiplies_the_objects_as_che_predicts() {
    let zipf: Vec<f64> = (1..=1000).map(|i| (i as f64).powf(-0.8)).collect();
    let total: f64 = zipf.iter().sum();
    let mut previous = 1.0;
    for n in [1u32, 4] {
        let p: Vec<f64> = zipf.iter().flat_map(|w| std::iter::repeat_n(w / total / n as f64, n as usize)).collect();
        let predicted = che_hit_ratio(&p, 100.0);
        let s = che_scenario(n);
        let report = run(&s, 3);
        let simulated = summarize(&report, &s).edge_hit_ratio;
        assert!(
            (simulated - predicted).abs() < 0.01,
            "N = {n}: simulated edge hit ratio {simulated:.4}, Che {predicted:.4}"
        );
        assert!(predicted < previous);
        previous = predicted;
        // 1000 objects, each in N variants: the full cache holds 100 of them.
        assert_eq!(report.caches[EDGE].objects, 100);
        // Keys per object is N: every one of the 1000 objects is requested
        // after the warm-up (even the least popular, p = 0.0002, about 30
        // times in 150,000 requests), and nearly every variant too (for
        // N = 4 each has about 7.6 requests: e^-7.6, 0.05%, of them unseen).
        let keys = summarize(&report, &s).cache_keys.expect("the key varies");
        assert_eq!(keys.objects_requested, 1000);
        let unseen = 1000 * n as u64 - keys.keys_requested;
        assert!(unseen <= 10, "N = {n}: {} keys", keys.keys_requested);
        // With one variant per object no miss is a fragmentation miss; with
        // four, a miss often finds another variant of its object cached.
        let edge = &report.metrics.caches[EDGE];
        if n == 1 {
            assert_eq!(keys.fragmentation_misses, 0);
        } else {
            assert!(edge.fragmentation_misses > edge.misses / 10, "{} of {}", edge.fragmentation_misses, edge.misses);
        }
    }
}

/// Scripted requests for /s/1 on TINY (an edge that holds three objects, a
/// regional cache of no room, objects fresh 10 s, 90 ms per trip to the
/// origin) under a policy that keys the query parameter `v`:
///
/// | time | request    | edge                                   |
/// |------|------------|----------------------------------------|
/// | 0 s  | `?v=0`     | miss; stored at 0.09 s, fresh to 10.09 |
/// | 1 s  | `?v=1`     | miss, and `v=0` is cached and fresh: a fragmentation miss; stored to 11.09 |
/// | 2 s  | `?v=0`     | hit                                    |
/// | 3 s  | no `v`     | miss (the path's key), `v=0` and `v=1` fresh: a fragmentation miss; to 13.09 |
/// | 20 s | `?v=1`     | expired: revalidated, and every other variant has expired too: no fragmentation miss |
///
/// So at the edge: 5 lookups, 1 hit, 3 misses, 1 revalidation, 2
/// fragmentation misses, 3 keys for 1 object. The regional cache (it holds
/// nothing) saw the 4 that went up, 3 keys, and no fragmentation miss.
#[test]
fn fragmentation_misses_worked_by_hand() {
    let text = TINY
        .replacen(
            "[distribution.default_behavior]\norigin = \"origin\"",
            "[[distribution.cache_policies]]\nname = \"by-v\"\nquery_strings = { allow = [\"v\"] }\n\
             [distribution.default_behavior]\norigin = \"origin\"\ncache_policy = \"by-v\"",
            1,
        )
        .replacen(
            "cache_control = \"max-age=10\"",
            "cache_control = \"max-age=10\"\nquery = [{ name = \"v\", values = 2 }]",
            1,
        );
    let s = scenario(&text, &["caches.regional.capacity=0"]);
    let catalog = Catalog::build(&s, 1);
    let times = [0.0, 1.0, 2.0, 3.0, 20.0];
    let values = [Some(0), Some(1), Some(0), None, Some(1)];
    let entries: Vec<(SimTime, &str, cdnsim::http::Method, &str)> =
        times.iter().map(|&t| (SimTime((t * 1e6) as u64), "IAD1", Get, "/s/1")).collect();
    let mut requests = Scripted::requests(&s, &catalog, &entries).unwrap();
    for ((_, r), v) in requests.iter_mut().zip(values) {
        if let Some(v) = v {
            r.attributes.set_value(0, v);
        }
    }
    let report = engine::run_with(&s, 1, catalog, &mut Scripted::from_requests(requests), &mut |_| {})
        .expect("the accounting adds up");
    let edge = &report.metrics.caches[EDGE];
    assert_eq!((edge.lookups, edge.hits, edge.misses, edge.stale), (5, 1, 3, 1));
    assert_eq!(edge.fragmentation_misses, 2);
    assert_eq!((edge.keys_requested, edge.objects_requested), (3, 1));
    let regional = &report.metrics.caches[2];
    assert_eq!((regional.lookups, regional.keys_requested, regional.fragmentation_misses), (4, 3, 0));
    let behavior = &report.metrics.behaviors[1];
    assert_eq!((behavior.keys_requested, behavior.objects_requested), (3, 1));
    assert_eq!(
        (behavior.fetching_misses, behavior.fragmentation_misses),
        (8, 2),
        "4 at the edge, 4 at the regional cache"
    );
    // The files: cache_keys.csv, a row per behavior and per cache.
    let files = cdnsim::report::result_files(&report, &s).unwrap();
    let (_, csv) = files.iter().find(|(name, _)| *name == "cache_keys.csv").expect("written when keys vary");
    let csv = String::from_utf8(csv.clone()).unwrap();
    assert_eq!(
        csv.lines().next().unwrap(),
        "scope,name,region,cache_policy,requests,keys_requested,objects_requested,keys_per_object,\
         fetching_misses,fragmentation_misses,fragmentation_share"
    );
    assert!(csv.contains("\nbehavior,*,,by-v,5,3,1,3.0,8,2,0.25\n"), "{csv}");
    assert!(csv.contains("\nedge,IAD1,us-east-1,,5,3,1,3.0,4,2,0.5\n"), "{csv}");
    let summary = summarize(&report, &s);
    let json = cdnsim::report::summary_json(&summary);
    assert!(json.contains("\"cache_keys\":{\"keys_requested\":3,\"objects_requested\":1,\"keys_per_object\":3.0,\"fragmentation_misses\":2,"), "{json}");
    assert!(
        cdnsim::report::summary_table(&summary)
            .contains("3 keys for 1 objects (3.00 per object); 2 fragmentation misses (edge 2, regional 0, shield 0)")
    );
    // A scenario whose keys do not vary writes no cache_keys.csv and no
    // cache_keys in its summary.
    let plain = scenario(TINY, &[]);
    let report = run(&plain, 1);
    let files = cdnsim::report::result_files(&report, &plain).unwrap();
    assert!(files.iter().all(|(name, _)| *name != "cache_keys.csv"));
    assert!(!cdnsim::report::summary_json(&summarize(&report, &plain)).contains("cache_keys"));
}

/// One object, a large cache, and requests that carry seven spellings of
/// Accept-Encoding equally often (over 2000 requests each appears, but for
/// a chance of 7 x (6/7)^2000, about 10^-133). Keyed raw (the header in the
/// policy's list, gzip and brotli off) every spelling is its own value: the
/// six non-empty ones are six keys, and the request without the header is
/// the path's key: 7 entries. Normalised (gzip and brotli on), CloudFront
/// allows at most `br,gzip`, `gzip`, `br` and nothing: here
/// "gzip, deflate, br", "gzip,deflate,br" and "br, gzip" are `br,gzip`,
/// "GZIP" and "gzip" are `gzip`, "identity" and no header put nothing in the
/// key: 3 entries. Each entry was fetched once: as many origin requests.
#[test]
fn accept_encoding_keyed_raw_against_normalised() {
    let text = |policy: &str| {
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
[distribution]
[[distribution.cache_policies]]
name = "p"
{policy}
[distribution.default_behavior]
origin = "origin"
cache_policy = "p"
[traffic]
rate = 100
[[traffic.classes]]
name = "one"
share = 1
path = "/index.html"
size = "10 KiB"
cache_control = "max-age=86400"
accept_encoding = {{ "gzip, deflate, br" = 1, "gzip,deflate,br" = 1, "br, gzip" = 1, "GZIP" = 1, "gzip" = 1, "identity" = 1, "" = 1 }}
"#
        )
    };
    for (policy, entries) in [("headers = [\"Accept-Encoding\"]", 7), ("gzip = true\nbrotli = true", 3)] {
        let s = scenario(&text(policy), &[]);
        let report = run(&s, 1);
        assert_eq!(report.caches[EDGE].objects, entries, "{policy}");
        assert_eq!(summarize(&report, &s).origin_requests, entries as u64, "{policy}");
    }
}

/// Three requests for /s/7 at 0, 1 and 2 ms, from IAD1, IAD2 and IAD1,
/// all missing at their edges (TINY: 10 ms viewer round trips, 20 ms to the
/// regional cache, 30 ms on to the origin, 40 ms there). The first reaches
/// the regional cache at 10 ms and fetches; the second arrives at 11 ms.
/// Collapsing, it waits on the first fetch; the third waits at its edge on
/// the first (the same key, still in flight at IAD1): 1 origin request, 2
/// collapsed. With a policy that forwards cookies, CloudFront does not
/// collapse (reference §6.3): each goes to the origin, 3 requests, none
/// collapsed, though the key (the path: no request carries a cookie) is the
/// same for all three.
#[test]
fn forwarded_cookies_stop_collapsing() {
    let steps: &[Step] = &[(0.0, "IAD1", Get, "/s/7"), (0.001, "IAD2", Get, "/s/7"), (0.002, "IAD1", Get, "/s/7")];
    let with_policy = |cookies: &str| {
        TINY.replacen(
            "[distribution.default_behavior]\norigin = \"origin\"",
            &format!(
                "[[distribution.cache_policies]]\nname = \"p\"\ncookies = {cookies}\n\
                 [distribution.default_behavior]\norigin = \"origin\"\ncache_policy = \"p\""
            ),
            1,
        )
    };
    let s = scenario(&with_policy("\"none\""), &[]);
    let sum = summarize(&run_script(&s, steps), &s);
    assert_eq!((sum.origin_requests, sum.collapsed), (1, 2));
    let s = scenario(&with_policy("{ allow = [\"session\"] }"), &[]);
    let sum = summarize(&run_script(&s, steps), &s);
    assert_eq!((sum.origin_requests, sum.collapsed), (3, 0));
    assert_eq!(sum.misses, 3);
}

/// Collapsing follows the key: two concurrent requests for one object that
/// differ in a keyed header are two keys and two fetches; two that share
/// it, one. Same timing as above, two requests from two edges 1 ms apart.
#[test]
fn requests_collapse_only_onto_their_own_key() {
    let text = TINY.replacen(
        "[distribution.default_behavior]\norigin = \"origin\"",
        "[[distribution.cache_policies]]\nname = \"p\"\nheaders = [\"CloudFront-Is-Mobile-Viewer\"]\n\
         [distribution.default_behavior]\norigin = \"origin\"\ncache_policy = \"p\"",
        1,
    );
    let s = scenario(&text, &[]);
    let catalog = Catalog::build(&s, 1);
    let fetches = |second: Device| {
        let entries = [(SimTime(0), "IAD1", Get, "/s/7"), (SimTime(1_000), "IAD2", Get, "/s/7")];
        let mut requests = Scripted::requests(&s, &catalog, &entries).unwrap();
        for ((_, r), device) in requests.iter_mut().zip([Device::Mobile, second]) {
            r.attributes = RequestAttributes::NONE;
            r.attributes.set_device(device);
        }
        let report =
            engine::run_with(&s, 1, Catalog::build(&s, 1), &mut Scripted::from_requests(requests), &mut |_| {})
                .expect("the accounting adds up");
        summarize(&report, &s)
    };
    // Mobile and mobile: one key. Mobile and tablet: "mobile: true" and
    // "mobile: false", two keys.
    let (same, other) = (fetches(Device::Mobile), fetches(Device::Tablet));
    assert_eq!((same.origin_requests, same.collapsed), (1, 1));
    assert_eq!((other.origin_requests, other.collapsed), (2, 0));
}

/// 200 objects, a cache large enough for every variant, requests carrying
/// `size` (3 values) and `utm_source` (10,000 values) on half of them.
/// Keyed by an allow-list of `size`, each object has at most 3 entries, as
/// without utm_source at all: the tracking parameter changes nothing. Keyed
/// by `all`, every utm_source value is an entry of its own: of 20,000
/// requests about 10,000 carry utm_source, nearly each with a value not
/// seen before for its object, so nearly each is a miss and a new entry
/// (seed 5: 10,466 entries against 600, hit ratio 0.48 against 0.97).
#[test]
fn a_tracking_parameter_fragments_only_a_policy_that_keys_it() {
    let text = |query_strings: &str, utm: bool| {
        let utm = if utm { ", { name = \"utm_source\", values = 10000, share = 0.5 }" } else { "" };
        format!(
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
[distribution]
[[distribution.cache_policies]]
name = "p"
query_strings = {query_strings}
[distribution.default_behavior]
origin = "origin"
cache_policy = "p"
[traffic]
rate = 100
[[traffic.classes]]
name = "c"
share = 1
objects = 200
zipf_alpha = 0.8
path = "/p/{{id}}"
size = "1 KiB"
cache_control = "max-age=86400"
query = [{{ name = "size", values = 3 }}{utm}]
"#
        )
    };
    let allow = "{ allow = [\"size\"] }";
    let results: Vec<(usize, f64)> = [(allow, true), (allow, false), ("\"all\"", true)]
        .iter()
        .map(|&(qs, utm)| {
            let s = scenario(&text(qs, utm), &[]);
            let report = run(&s, 5);
            (report.caches[EDGE].objects, summarize(&report, &s).hit_ratio)
        })
        .collect();
    let [(with_utm, hit_with), (without_utm, hit_without), (all, hit_all)] = results[..] else { unreachable!() };
    assert!(with_utm <= 600 && without_utm <= 600, "at most 3 entries per object: {with_utm}, {without_utm}");
    assert!((hit_with - hit_without).abs() < 0.01, "{hit_with} vs {hit_without}");
    assert!(all > 9_000, "{all} entries");
    assert!(hit_all < hit_with - 0.4, "{hit_all} vs {hit_with}");
}

/// A policy that could key a query parameter no request carries: every
/// object is one key, and the report says so (1 key per object, no
/// fragmentation miss) rather than leaving the figures out.
#[test]
fn a_key_that_nothing_carries_is_one_key_per_object() {
    let text = TINY.replacen(
        "[distribution.default_behavior]\norigin = \"origin\"",
        "[[distribution.cache_policies]]\nname = \"by-size\"\nquery_strings = { allow = [\"size\"] }\n\
         [distribution.default_behavior]\norigin = \"origin\"\ncache_policy = \"by-size\"",
        1,
    );
    let s = scenario(&text, &["simulation.requests=3000"]);
    let keys = summarize(&run(&s, 2), &s).cache_keys.expect("the policy could key more than the path");
    assert!(keys.objects_requested > 0);
    assert_eq!(
        (keys.keys_requested, keys.keys_per_object, keys.fragmentation_misses),
        (keys.objects_requested, 1.0, 0)
    );
}
