//! Behaviour checked against numbers worked out by hand on `support::TINY`.
//! Requests are scripted, so every hit and miss below follows from the rules.

use crate::support::*;
use cdnsim::cdn::traffic::{Catalog, Scripted};
use cdnsim::engine::{self, observer::FinishedRequest, observer::RequestObserver};
use cdnsim::http::Method::{Get, Post};
use cdnsim::metrics::{DetailedResultType, ResultType, TierStats};
use cdnsim::time::SimTime;

const EDGE: usize = 0; // IAD1
const EDGE2: usize = 1; // IAD2
const REGIONAL: usize = 2; // us-east-1, after the two edges

/// Percentiles come from a histogram with 0.1% wide buckets; the mean and
/// maximum are exact.
fn assert_close(actual: f64, expected: f64) {
    assert!((actual - expected).abs() <= expected * 0.001, "{actual} is not within 0.1% of {expected}");
}

fn tier(report: &cdnsim::engine::Report, i: usize) -> &TierStats {
    &report.metrics.caches[i]
}

#[test]
fn edge_lru_on_a_tiny_trace() {
    // The edge holds three 1000-byte objects; the regional cache holds none,
    // so every edge miss goes to the origin. LRU order after each request:
    // 1 -> [1]; 2 -> [1 2]; 3 -> [1 2 3]; 1 hit -> [2 3 1]; 4 evicts 2 -> [3 1 4];
    // 2 evicts 3 -> [1 4 2]; 5 evicts 1 -> [4 2 5]; 1 evicts 4 -> [2 5 1].
    let s = scenario(TINY, &["caches.regional.capacity=0"]);
    let paths = ["/s/1", "/s/2", "/s/3", "/s/1", "/s/4", "/s/2", "/s/5", "/s/1"];
    let steps: Vec<Step> = paths.iter().enumerate().map(|(i, p)| (i as f64, "IAD1", Get, *p)).collect();
    let report = run_script(&s, &steps);
    let sum = summarize(&report, &s);
    assert_eq!((sum.requests, sum.hits, sum.origin_requests), (8, 1, 7));
    assert_eq!((tier(&report, EDGE).lookups, tier(&report, EDGE).hits), (8, 1));
    assert_eq!(report.caches[EDGE].objects, 3);
    assert_eq!(report.caches[EDGE].evictions, 4);
    assert_eq!((sum.bytes_requested, sum.bytes_hit), (8000, 1000));
    // A hit costs the viewer round trip; a miss adds 20 + 30 ms of round
    // trips and 40 ms at the origin.
    assert_close(sum.latency_ms.p50, 100.0);
    assert!((sum.latency_ms.mean - (7.0 * 100.0 + 10.0) / 8.0).abs() < 0.01, "{}", sum.latency_ms.mean);
}

#[test]
fn expired_objects_are_revalidated_and_count_as_refresh_hits() {
    // Script times are arrivals at the edge. max-age=10: the copy stored at
    // 0.09 s (20 + 30 ms of round trips and 40 ms at the origin) expires at
    // 10.09 s. The request at 15 s revalidates (the origin answers 304) and
    // refreshes the copy until 25.09 s, so 20 s hits and 40 s revalidates.
    let s = scenario(TINY, &["caches.regional.capacity=0"]);
    let steps: Vec<Step> = [0.0, 5.0, 15.0, 20.0, 40.0].iter().map(|&t| (t, "IAD1", Get, "/s/1")).collect();
    let report = run_script(&s, &steps);
    let sum = summarize(&report, &s);
    assert_eq!((sum.requests, sum.hits, sum.refresh_hits, sum.misses), (5, 2, 2, 1));
    assert_eq!(sum.origin_requests, 3);
    assert_eq!(report.metrics.origins[0].conditional, 2);
    assert_eq!(report.metrics.origins[0].not_modified, 2);
    assert_eq!(tier(&report, EDGE).stale, 2);
    // Revalidation moves no body from the origin: only the first fetch did.
    assert_eq!(sum.origin_bytes, 1000);

    // If the object changes every second, each revalidation fetches a new
    // copy: a Miss, not a RefreshHit.
    let s = scenario(TINY, &["caches.regional.capacity=0", "traffic.classes[0].change_interval=\"1 s\""]);
    let sum = summarize(&run_script(&s, &steps), &s);
    assert_eq!((sum.hits, sum.refresh_hits, sum.misses), (2, 0, 3));
    assert_eq!(sum.origin_bytes, 3000);
}

#[test]
fn proxy_methods_and_dynamic_requests_bypass_the_regional_cache() {
    let s = scenario(TINY, &[]);
    let report =
        run_script(&s, &[(0.0, "IAD1", Post, "/api/1"), (1.0, "IAD1", Get, "/api/2"), (2.0, "IAD1", Get, "/s/1")]);
    let sum = summarize(&report, &s);
    assert_eq!(sum.origin_requests, 3);
    // Only the cacheable GET /s/1 was looked up, at the edge and the regional cache.
    assert_eq!((tier(&report, EDGE).lookups, tier(&report, EDGE).passed_through), (1, 2));
    assert_eq!((tier(&report, REGIONAL).lookups, tier(&report, REGIONAL).passed_through), (1, 0));
    // The direct edge-to-origin path is the shortest one in the graph
    // (20 + 30 ms), so each request still takes 100 ms.
    assert_eq!(sum.latency_ms.max, 100.0);
}

#[test]
fn a_method_the_behavior_does_not_allow_gets_403_at_the_edge() {
    let s = scenario(TINY, &[]);
    let sum = summarize(&run_script(&s, &[(0.0, "IAD1", Post, "/s/1")]), &s);
    assert_eq!((sum.requests, sum.errors_4xx, sum.origin_requests), (1, 1, 0));
    assert_eq!(sum.by_method["POST"].errors_4xx, 1);
    assert_eq!(sum.latency_ms.max, 10.0);
}

#[test]
fn concurrent_misses_collapse_into_one_origin_request() {
    // Two edges miss on the same object 1 ms apart; the second reaches the
    // regional cache while the first's fetch is under way and waits for it.
    let steps: &[Step] = &[(0.0, "IAD1", Get, "/s/7"), (0.001, "IAD2", Get, "/s/7")];
    let s = scenario(TINY, &[]);
    let report = run_script(&s, steps);
    let sum = summarize(&report, &s);
    assert_eq!((sum.origin_requests, sum.collapsed), (1, 1));
    assert_eq!(tier(&report, REGIONAL).collapsed, 1);
    assert_eq!(tier(&report, EDGE2).misses, 1);
    // The waiter reached the edge at 1 ms, so its viewer sent it at -4 ms.
    // It is served when the first response passes the regional cache at
    // 80 ms, and reaches its viewer 15 ms later: 99 ms after it started.
    assert_close(report.metrics.latency_us.min() as f64, 99_000.0);

    // The same two requests on one edge collapse at the edge.
    let report = run_script(&s, &[(0.0, "IAD1", Get, "/s/7"), (0.001, "IAD1", Get, "/s/7")]);
    assert_eq!((tier(&report, EDGE).collapsed, tier(&report, REGIONAL).lookups), (1, 1));

    // Switched off, both go to the origin.
    let s = scenario(TINY, &["simulation.collapse_requests=false"]);
    let sum = summarize(&run_script(&s, steps), &s);
    assert_eq!((sum.origin_requests, sum.collapsed), (2, 0));
}

#[test]
fn a_request_collapsed_at_the_edge_is_a_hit_whoever_answered_the_fetch() {
    // Reference §6.3: the first of concurrent misses is logged Miss, the rest
    // Hit. IAD2 warms the regional cache at 0 s (a Miss); at 1 s two IAD1
    // requests 1 ms apart miss the edge, and the first's fetch is answered
    // by the regional cache without the origin: a Hit (any CloudFront cache
    // answering is a hit). The second, collapsed onto it at the edge, is a
    // Hit as well.
    struct Results(Vec<(f64, ResultType)>);
    impl RequestObserver for Results {
        fn on_finish(&mut self, record: &FinishedRequest<'_>) {
            self.0.push((record.arrived.0 as f64 / 1e6, record.result));
        }
    }
    let s = scenario(TINY, &[]);
    let steps = [(0.0, "IAD2", Get, "/s/7"), (1.0, "IAD1", Get, "/s/7"), (1.001, "IAD1", Get, "/s/7")];
    let catalog = Catalog::build(&s, 1);
    let entries: Vec<_> = steps.iter().map(|&(t, e, m, p)| (SimTime((t * 1e6) as u64), e, m, p)).collect();
    let mut script = Scripted::from_paths(&s, &catalog, &entries).unwrap();
    let mut results = Results(Vec::new());
    let report = engine::run_with_observer(&s, 1, catalog, &mut script, &mut results, &mut |_| {})
        .expect("the accounting adds up");
    assert_eq!(tier(&report, EDGE).collapsed, 1);
    results.0.sort_by(|a, b| a.0.total_cmp(&b.0));
    let types: Vec<ResultType> = results.0.iter().map(|r| r.1).collect();
    assert_eq!(types, [ResultType::Miss, ResultType::Hit, ResultType::Hit]);
}

#[test]
fn the_regional_cache_serves_a_second_edge() {
    let s = scenario(TINY, &[]);
    let report = run_script(&s, &[(0.0, "IAD1", Get, "/s/3"), (1.0, "IAD2", Get, "/s/3")]);
    let sum = summarize(&report, &s);
    assert_eq!((sum.hits, sum.origin_requests, sum.regional_hit_ratio), (1, 1, 0.5));
    // Edge miss, regional hit: 10 + 20 ms.
    assert_close(report.metrics.latency_us.min() as f64, 30_000.0);
}

const SHIELDED: &str = r#"
[simulation]
requests = 10
[[topology.regional_caches]]
region = "us-east-1"
[[topology.regional_caches]]
region = "eu-west-2"
[[topology.edges]]
name = "IAD1"
regional_cache = "us-east-1"
viewer_rtt = "10 ms"
regional_rtt = "10 ms"
[[topology.edges]]
name = "LHR1"
regional_cache = "eu-west-2"
viewer_rtt = "10 ms"
regional_rtt = "10 ms"
[[origins]]
name = "origin"
region = "us-east-1"
latency = "40 ms"
origin_shield = "us-east-1"
[distribution.default_behavior]
origin = "origin"
[traffic]
rate = 1
[[traffic.classes]]
name = "c"
share = 1
objects = 10
path = "/{id}"
size = "1 KiB"
"#;

#[test]
fn origin_shield_adds_a_layer_only_for_other_regions() {
    let s = scenario(SHIELDED, &[]);
    let report = run_script(&s, &[(0.0, "LHR1", Get, "/1"), (1.0, "IAD1", Get, "/1"), (2.0, "LHR1", Get, "/2")]);
    let m = &report.metrics;
    let (iad_rec, lhr_rec) = (2, 3);
    // LHR1 -> eu-west-2 -> us-east-1 as shield -> origin, twice.
    assert_eq!((m.caches[lhr_rec].lookups, m.shield_role[0].lookups, m.shield_role[0].misses), (2, 2, 2));
    // IAD1's own regional cache is the shield: no extra hop, and it holds /1
    // from the LHR1 request, so this is a regional hit.
    assert_eq!((m.caches[iad_rec].lookups, m.caches[iad_rec].hits), (1, 1));
    assert_eq!(m.origin_requests, 2);
}

/// `SHIELDED` with explicit round trips: eu-west-2 <-> us-east-1 70 ms,
/// us-east-1 <-> origin 2 ms (edges to their regional cache 10 ms, viewers
/// 10 ms, the origin 40 ms).
fn shielded_exact() -> String {
    format!(
        "{SHIELDED}\n[[topology.links]]\nfrom = \"eu-west-2\"\nto = \"us-east-1\"\nrtt = \"70 ms\"\n\
         [[topology.links]]\nfrom = \"us-east-1\"\nto = \"origin\"\nrtt = \"2 ms\"\n"
    )
}

/// us-east-1 is IAD1's regional edge cache and LHR1's Origin Shield: a miss
/// there in one role collapses onto a fetch under way in the other. Found by
/// the scenario template of issue 13 (a quarter of its seeds left a request
/// unanswered): a waiter joined the leader's list at its own level of the
/// route, which the leader did not have, or had for another cache.
#[test]
fn a_miss_collapses_onto_a_fetch_of_the_same_cache_in_its_other_role() {
    let s = scenario(&shielded_exact(), &[]);
    let (iad_rec, lhr_rec) = (2, 3);
    // IAD1 leads at us-east-1 as its regional cache: 5 ms to it, 1 ms to
    // the origin, 40 ms there, 1 ms back: its fetch is back at 47 ms, at the
    // edge at 52 ms, so 52 + 10 = 62 ms for the viewer. LHR1's request
    // reaches us-east-1 as shield at 5 + 35 = 40 ms, while that fetch is
    // under way: it waits, is answered at 47 ms, is back at LHR1 at
    // 47 + 35 + 5 = 87 ms: 97 ms for the viewer. One origin request; the
    // waiter's answer comes from the shield, a Hit.
    let report = run_script(&s, &[(0.0, "IAD1", Get, "/1"), (0.0, "LHR1", Get, "/1")]);
    let (m, sum) = (&report.metrics, summarize(&report, &s));
    assert_eq!((sum.requests, sum.misses, sum.hits, sum.origin_requests), (2, 1, 1, 1));
    assert_eq!((m.caches[iad_rec].lookups, m.caches[iad_rec].misses), (1, 1));
    assert_eq!((m.shield_role[0].lookups, m.shield_role[0].collapsed), (1, 1));
    assert_eq!(m.caches[lhr_rec].misses, 1);
    assert_close(sum.latency_ms.max, 97.0);
    assert!((sum.latency_ms.mean - (62.0 + 97.0) / 2.0).abs() < 0.01, "{}", sum.latency_ms.mean);

    // The other way round: LHR1 leads at us-east-1 as shield (there at 40 ms,
    // its fetch back at 40 + 1 + 40 + 1 = 82 ms, at LHR1 at 82 + 35 + 5 =
    // 122 ms: 132 ms). IAD1's request at 36 ms reaches us-east-1 at 41 ms and
    // waits on it; it is answered when the fetch is back at us-east-1, at
    // 82 ms, not when it is back at eu-west-2: at IAD1 at 87 ms, so
    // 87 - 36 + 10 = 61 ms.
    let report = run_script(&s, &[(0.0, "LHR1", Get, "/1"), (0.036, "IAD1", Get, "/1")]);
    let (m, sum) = (&report.metrics, summarize(&report, &s));
    assert_eq!((sum.requests, sum.misses, sum.hits, sum.origin_requests), (2, 1, 1, 1));
    assert_eq!((m.caches[iad_rec].lookups, m.caches[iad_rec].collapsed), (1, 1));
    assert_eq!((m.shield_role[0].lookups, m.shield_role[0].misses), (1, 1));
    assert_close(sum.latency_ms.max, 132.0);
    assert!((sum.latency_ms.mean - (132.0 + 61.0) / 2.0).abs() < 0.01, "{}", sum.latency_ms.mean);
}

#[test]
fn warm_up_requests_are_simulated_but_not_measured() {
    let s = scenario(TINY, &["simulation.warmup=\"5 s\""]);
    let report = run_script(&s, &[(1.0, "IAD1", Get, "/s/1"), (6.0, "IAD1", Get, "/s/1")]);
    let sum = summarize(&report, &s);
    assert_eq!((sum.requests, sum.hits, sum.requests_simulated), (1, 1, 2));
}

#[test]
fn every_request_is_accounted_for_once() {
    for seed in 0..20 {
        let s = scenario(TINY, &["simulation.requests=2000", "traffic.rate=5000"]);
        let report = run(&s, seed);
        let m = &report.metrics;
        let by_method: u64 = m.by_method.iter().map(|x| x.requests).sum();
        assert_eq!(by_method, m.requests, "seed {seed}");
        let edges = &m.caches[..2];
        let at_edge: u64 = edges.iter().map(|t| t.lookups + t.passed_through).sum();
        // Refusals (403) are the only requests that skip both.
        assert_eq!(at_edge + m.errors_4xx, m.requests, "seed {seed}");
        let edge_outcomes: u64 = edges.iter().map(|t| t.hits + t.misses + t.stale + t.collapsed).sum();
        assert_eq!(edge_outcomes, edges.iter().map(|t| t.lookups).sum::<u64>(), "seed {seed}");
        assert_eq!(report.requests_simulated, 2000);
        for c in &report.caches {
            assert!(c.used_bytes <= c.capacity_bytes);
        }
    }
}

#[test]
fn an_expired_copy_served_on_error_stays_expired_at_every_tier() {
    // Reference §6.5, §6.6: while the origin answers 5xx, a cache holding an
    // expired copy serves it for the error-caching minimum TTL (10 s), then
    // asks again. /s/1 (max-age 300) is cached at 0 s by IAD1 and its
    // regional cache; both copies expire at 300 s. The origin answers 503
    // from 400 s to 1000 s; IAD1 asks for /s/1 every second from 400 s to
    // 999 s (600 requests).
    //
    // At 400 s: both copies expired, so the request goes to the origin: at
    // the regional cache at 400.010, the origin at 400.025, its 503 back at
    // the regional cache at 400.080, which serves its copy and keeps it
    // until 410.080. The edge must keep it no longer: it stays expired. At
    // 410 s the edge copy is still served (410.000 < 410.080); at 411 s both
    // are expired and the origin is asked again. So the origin is tried at
    // 400 + 11k s for 400 + 11k <= 999: k = 0..=54, 55 times, each a
    // RefreshHit (an expired copy served after asking the origin); the
    // other 545 are edge hits. (Were the edge to keep the copy for its
    // whole 300 s TTL, the origin would be tried at 400 s and 701 s only.)
    let faulty = format!(
        "{TINY}\n[[faults]]\norigin = \"origin\"\nkind = \"status\"\nstatus = 503\nstart = \"400 s\"\nend = \"1000 s\"\n"
    );
    let s = scenario(&faulty, &["traffic.classes[0].cache_control=\"max-age=300\""]);
    let mut steps = vec![(0.0, "IAD1", Get, "/s/1")];
    steps.extend((400..1000).map(|t| (t as f64, "IAD1", Get, "/s/1")));
    let report = run_script(&s, &steps);
    let sum = summarize(&report, &s);
    let m = &report.metrics;
    assert_eq!(sum.requests, 601);
    assert_eq!((sum.misses, sum.refresh_hits, sum.hits, sum.errors), (1, 55, 545, 0));
    // Logged so in detail too: the 55 copies served on the origin's 503 are
    // RefreshHits, not errors of any kind.
    let detailed = &report.metrics.detailed;
    assert_eq!((detailed.get(DetailedResultType::RefreshHit), detailed.of_result(ResultType::Error)), (55, 0));
    assert_eq!((m.origins[0].requests, m.origins[0].error_responses), (56, 55));
    assert_eq!(tier(&report, REGIONAL).stale_served_on_error, 55);
    // The edge found its copy expired 55 times and sent each up.
    assert_eq!((tier(&report, EDGE).stale, tier(&report, EDGE).hits), (55, 545));
}

/// On `two_regions`: an Origin Shield in us-east-1: for IAD1 the shield is its
/// own regional cache, for DUB1 it is the third cache on the route.
const SHIELD_TWO_REGIONS: &str = r#"
[[topology.links]]
from = "us-east-1"
to = "origin"
rtt = "30 ms"
[[origins]]
name = "origin"
region = "us-east-1"
latency = "40 ms"
origin_shield = "us-east-1"
[distribution.default_behavior]
origin = "origin"
"#;

#[test]
fn a_request_joins_a_fetch_at_the_shield_that_is_at_another_level_of_its_route() {
    // IAD1 at 1.000 s, /s/1: edge miss; us-east-1 (its own regional cache,
    // the shield) at +10 ms: miss, it fetches; the origin starts at +25 and
    // answers at +65; back at us-east-1 at +80, the edge at +90. The viewer
    // waited 90 + 10 = 100 ms. A Miss.
    //
    // DUB1 at 1.010 s, /s/1: edge miss; eu-west-1 at +10 (1.020): miss; the
    // shield at +40 (1.060), where IAD1's fetch is under way: it joins it
    // (us-east-1 is level 1 of IAD1's route and level 2 of DUB1's). Answered
    // at 1.080; eu-west-1 at 1.120, the edge at 1.130; it waited
    // 1.130 - 1.010 + 0.010 = 130 ms. Answered by the shield: a Hit. One
    // origin request in all. (Joining at the leader's level numbering left
    // DUB1's request waiting for ever.)
    let s = scenario(&two_regions(SHIELD_TWO_REGIONS), &[]);
    let report = run_script(&s, &[(1.0, "IAD1", Get, "/s/1"), (1.01, "DUB1", Get, "/s/1")]);
    let sum = summarize(&report, &s);
    let m = &report.metrics;
    assert_eq!((sum.requests, sum.misses, sum.hits), (2, 1, 1));
    assert_eq!(m.origins[0].requests, 1);
    let (us_east_1, eu_west_1) = (2, 3);
    assert_eq!((m.caches[us_east_1].lookups, m.caches[us_east_1].misses), (1, 1));
    assert_eq!((m.caches[eu_west_1].lookups, m.caches[eu_west_1].misses), (1, 1));
    assert_eq!((m.shield_role[0].lookups, m.shield_role[0].collapsed), (1, 1));
    assert_eq!((m.latency_max_us, m.latency_sum_us), (130_000, 100_000 + 130_000));
}

/// `TINY` with a third class at the fixed path `/index.html` (no `{id}`: one
/// object), cached for an hour.
fn with_index_page() -> String {
    TINY.replace(
        "[[traffic.classes]]\nname = \"api\"",
        "[[traffic.classes]]\nname = \"index\"\nshare = 0.1\npath = \"/index.html\"\nsize = \"1000 B\"\n\
         cache_control = \"max-age=3600\"\n\n[[traffic.classes]]\nname = \"api\"",
    )
}

/// Issue 13, item 10: an exact-path behavior (`/index.html`) can be given
/// traffic by a fixed-path class, which is exactly one object. Five requests
/// one second apart at IAD1, with an hour of TTL: the first misses at the
/// edge and the regional cache and goes to the origin (10 + 20 + 30 ms of
/// round trips + 40 ms at the origin = 100 ms), and stores the page at both;
/// the other four, well within the hour, are edge hits of 10 ms each. So
/// 1 miss and 5 - 1 = 4 hits, 1 origin request, 1 object in the edge cache,
/// and a mean latency of (100 + 4 x 10) / 5 = 28 ms.
#[test]
fn a_fixed_path_class_is_one_object_one_miss_then_hits() {
    let text = with_index_page().replacen(
        "[distribution]\n",
        "[distribution]\n[[distribution.behaviors]]\npath_pattern = \"/index.html\"\norigin = \"origin\"\n\n",
        1,
    );
    let s = scenario(&text, &[]);
    let index = &s.traffic.classes[1];
    assert_eq!((index.objects, index.id_at), (1, None), "a fixed path is one object");
    assert_eq!(s.total_objects(), 100 + 1 + 10);
    let steps: Vec<Step> = (0..5).map(|i| (i as f64, "IAD1", Get, "/index.html")).collect();
    let report = run_script(&s, &steps);
    let sum = summarize(&report, &s);
    assert_eq!((sum.requests, sum.misses, sum.hits, sum.origin_requests), (5, 1, 4, 1));
    assert_eq!((tier(&report, EDGE).lookups, tier(&report, EDGE).hits), (5, 4));
    assert_eq!(tier(&report, REGIONAL).lookups, 1, "only the first request went past the edge");
    assert_eq!(report.caches[EDGE].objects, 1);
    assert!((sum.latency_ms.mean - 28.0).abs() < 0.01, "{}", sum.latency_ms.mean);
    // The page has no other path: /index.html1 is no object's.
    let catalog = Catalog::build(&s, 1);
    assert_eq!(catalog.object_for_path(&s, "/index.html"), Some((1, catalog.object_id(1, 0))));
    assert_eq!(catalog.object_for_path(&s, "/index.html1"), None);
    // All of its requests go to its behavior, and every one is to that path.
    assert_eq!(report.metrics.behaviors[0].requests, 5);
}

/// The same with synthetic traffic: N requests for the one object at one
/// edge give 1 miss and N - 1 hits whatever the arrival times, because a
/// request arriving while the first is still being fetched is collapsed
/// into that fetch, and a collapsed request is a Hit.
#[test]
fn a_fixed_path_class_of_synthetic_traffic_misses_once() {
    let one_edge = with_index_page()
        .replace("[[topology.edges]]\nname = \"IAD2\"\nregional_cache = \"us-east-1\"\nviewer_rtt = \"10 ms\"\nregional_rtt = \"20 ms\"\n", "");
    // Only the index page is requested: the other classes' shares are tiny.
    let s = scenario(
        &one_edge,
        &["traffic.classes[0].share=1e-9", "traffic.classes[2].share=1e-9", "simulation.requests=400"],
    );
    assert_eq!(s.topology.edges.len(), 1);
    let report = run(&s, 7);
    let sum = summarize(&report, &s);
    let n = sum.requests;
    assert_eq!(n, 400);
    assert_eq!((sum.misses, sum.hits, sum.origin_requests), (1, n - 1, 1));
    assert_eq!(report.caches[EDGE].objects, 1);
}

/// A fixed path names one object: `objects` greater than 1 is a mistake,
/// and `objects = 1` says what the path already does.
#[test]
fn a_fixed_path_class_cannot_hold_more_objects() {
    let text = with_index_page().replace("path = \"/index.html\"", "path = \"/index.html\"\nobjects = 5");
    let e = try_scenario(&text, &[]).unwrap_err();
    let f = e.field_error().unwrap();
    assert_eq!(f.field, "traffic.classes[1].objects", "{e}");
    assert!(f.problem.contains("has no {id}, so the class is one object, not 5"), "{e}");
    assert!(f.fix.contains("put {id} into the path"), "{e}");
    let text = with_index_page().replace("path = \"/index.html\"", "path = \"/index.html\"\nobjects = 1");
    assert_eq!(scenario(&text, &[]).traffic.classes[1].objects, 1);
}

/// The report only asserts the interval bound: a source that breaks it
/// (here a script, which no loader checks, with a request at 30,000 s for
/// 1 s intervals) is a bug, never results.
#[test]
#[should_panic(expected = "started after its last metrics interval")]
fn the_report_asserts_that_every_request_started_within_the_intervals() {
    let s = scenario(TINY, &[]);
    let report = run_script(&s, &[(0.0, "IAD1", Get, "/s/1"), (30_000.0, "IAD1", Get, "/s/1")]);
    assert!(report.metrics.intervals_overflowed);
    summarize(&report, &s);
}
