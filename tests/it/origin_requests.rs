//! Origin request policies (issue 15): what reaches the origin beyond the
//! cache key, and what that does to an origin whose response depends on an
//! attribute, checked against numbers worked out by hand in the comments.

use crate::support::*;
use cdnsim::cdn::traffic::{Catalog, Scripted};
use cdnsim::engine;
use cdnsim::http::Method::Get;
use cdnsim::scenario::Scenario;
use cdnsim::time::SimTime;

/// One edge location with room for every object, a regional cache that
/// holds nothing, 1 ms round trips and 1 ms at the origin, `objects` objects
/// cached for a year, and requests that all carry `Accept-Language`, one of
/// four equally likely values, which the origin varies on. `behavior` holds
/// the default behavior's policies.
fn language_scenario(objects: u32, requests: u32, behavior: &str) -> Scenario {
    scenario(
        &format!(
            r#"
[simulation]
requests = {requests}
metrics_interval = "10 s"
[[topology.regional_caches]]
region = "us-east-1"
[[topology.edges]]
name = "IAD1"
regional_cache = "us-east-1"
viewer_rtt = "1 ms"
regional_rtt = "1 ms"
[caches.edge]
capacity = "100 MB"
[caches.regional]
capacity = 0
[[origins]]
name = "origin"
region = "us-east-1"
latency = "1 ms"
[distribution]
[[distribution.origin_request_policies]]
name = "language"
headers = {{ allow = ["Accept-Language"] }}
[[distribution.cache_policies]]
name = "by-language"
headers = ["Accept-Language"]
[distribution.default_behavior]
origin = "origin"
{behavior}
[traffic]
rate = 100
[[traffic.classes]]
name = "page"
share = 1
objects = {objects}
zipf_alpha = 0
path = "/p/{{id}}"
size = "1000 B"
cache_control = "max-age=31536000"
headers = [{{ name = "Accept-Language", values = ["en", "de", "fr", "ja"] }}]
origin_varies_on = ["Accept-Language"]
"#
        ),
        &[],
    )
}

/// Forwarded but not keyed, the classic mistake. 100 objects, 40,000
/// requests, each language a quarter of them. The key is the path, so each
/// object has one entry, fetched once (100 origin requests, give or take a
/// refetch: the cache holds all 100 kB and a year's TTL never ends), and made
/// for the language of the request that fetched it. Every later request for
/// the object is answered from that entry (a hit, or collapsed onto its
/// fetch), and its own language is independent of the fetcher's: it matches
/// with probability 1/4, so 3/4 of them get another language's copy. Hits +
/// collapsed = 40,000 − 100 = 39,900, and mistailored ≈ 0.75 × 39,900 =
/// 29,925, with a binomial standard deviation of sqrt(39,900 × 3/16) ≈ 86,
/// so the share of those answers lies within 0.75 ± 0.01 (over 4 standard
/// deviations). The origin got the language on every request: nothing is
/// untailored.
#[test]
fn forwarding_a_varying_header_without_keying_it_serves_three_quarters_the_wrong_language() {
    let s = language_scenario(
        100,
        40_000,
        "cache_policy = \"CachingOptimizedForUncompressedObjects\"\norigin_request_policy = \"language\"",
    );
    let report = run(&s, 7);
    let m = &report.metrics;
    let edge = &m.caches[0];
    assert_eq!(m.origins[0].requests, 100, "one entry per object, fetched once");
    assert_eq!(edge.hits + edge.collapsed, 40_000 - 100);
    let mistailored = m.behaviors[0].mistailored;
    let share = mistailored as f64 / (edge.hits + edge.collapsed) as f64;
    assert!((share - 0.75).abs() < 0.01, "{mistailored} of {} answered: {share}", edge.hits + edge.collapsed);
    assert_eq!(m.origins[0].untailored, 0);
    // The summary's share is of every viewer request: 29,925 / 40,000 ≈ 0.748.
    let forwarding = summarize(&report, &s).origin_forwarding.expect("the behavior has an origin request policy");
    assert!((forwarding.mistailored_share - 0.748).abs() < 0.01, "{forwarding:?}");
}

/// The two fixes, on the same traffic. Keyed (the header in the cache
/// policy, which forwards it too): each object has four entries, each made
/// for its own language; 400 origin requests (4 × 100), nothing
/// mistailored, nothing untailored. Not forwarded at all (no origin request
/// policy, the path as key): one entry per object, every one of the 100
/// origin responses untailored (each request carried a language the origin
/// never saw), and nothing mistailored (every copy is the origin's default,
/// which is what each viewer gets from the origin too).
#[test]
fn keying_the_header_or_not_forwarding_it_serves_no_wrong_copy() {
    let keyed = language_scenario(100, 40_000, "cache_policy = \"by-language\"\norigin_request_policy = \"language\"");
    let report = run(&keyed, 7);
    let m = &report.metrics;
    assert_eq!(m.origins[0].requests, 400, "four entries per object");
    assert_eq!((m.origins[0].untailored, m.behaviors[0].mistailored), (0, 0));
    let unforwarded = language_scenario(100, 40_000, "cache_policy = \"CachingOptimizedForUncompressedObjects\"");
    let report = run(&unforwarded, 7);
    let m = &report.metrics;
    assert_eq!(m.origins[0].requests, 100);
    assert_eq!((m.origins[0].untailored, m.behaviors[0].mistailored), (100, 0));
}

/// Three requests for one object, 1 s apart, in `en`, `de`, `en`, under the
/// forwarded-but-not-keyed policy: the first misses and the origin makes
/// the copy for `en` (stored at the edge; the regional cache holds nothing);
/// the second hits and gets the `en` copy though it asked for `de`
/// (mistailored 1); the third hits and gets what it asked for. So: 1 origin
/// request, 0 untailored, 1 mistailored of 3 requests (share 1/3 = 0.333333).
#[test]
fn mistailored_worked_by_hand_and_written_to_the_files() {
    let s = language_scenario(
        1,
        3,
        "cache_policy = \"CachingOptimizedForUncompressedObjects\"\norigin_request_policy = \"language\"",
    );
    let catalog = Catalog::build(&s, 1);
    let entries: Vec<(SimTime, &str, cdnsim::http::Method, &str)> =
        [0.0, 1.0, 2.0].iter().map(|&t| (SimTime((t * 1e6) as u64), "IAD1", Get, "/p/0")).collect();
    let mut requests = Scripted::requests(&s, &catalog, &entries).unwrap();
    for ((_, r), language) in requests.iter_mut().zip([0, 1, 0]) {
        r.attributes.set_value(0, language);
    }
    let report = engine::run_with(&s, 1, catalog, &mut Scripted::from_requests(requests), &mut |_| {})
        .expect("the accounting adds up");
    let m = &report.metrics;
    assert_eq!((m.origins[0].requests, m.origins[0].untailored, m.behaviors[0].mistailored), (1, 0, 1));
    assert_eq!(m.caches[0].hits, 2);
    let files = cdnsim::report::result_files(&report, &s).unwrap();
    let (_, csv) = files.iter().find(|(name, _)| *name == "origin_requests.csv").expect("written");
    let csv = String::from_utf8(csv.clone()).unwrap();
    assert_eq!(
        csv,
        "scope,name,cache_policy,origin_request_policy,requests,untailored,mistailored,share\n\
         behavior,*,CachingOptimizedForUncompressedObjects,language,3,0,1,0.333333\n\
         origin,origin,,,1,0,0,0.0\n"
    );
    let summary = summarize(&report, &s);
    let json = cdnsim::report::summary_json(&summary);
    assert!(
        json.contains(
            "\"origin_forwarding\":{\"origin_requests\":1,\"untailored\":0,\"untailored_share\":0.0,\
             \"mistailored\":1,\"mistailored_share\":0.333333}"
        ),
        "{json}"
    );
    assert!(cdnsim::report::summary_table(&summary).contains(
        "origin forwarding          0 of 1 origin responses untailored (0.00%); 1 viewer requests got a copy \
         tailored for another value (33.33%)"
    ));
    // A scenario that says nothing of origin requests writes neither.
    let plain = scenario(TINY, &[]);
    let report = run(&plain, 1);
    assert!(cdnsim::report::result_files(&report, &plain).unwrap().iter().all(|(n, _)| *n != "origin_requests.csv"));
    assert!(!cdnsim::report::summary_json(&summarize(&report, &plain)).contains("origin_forwarding"));
}

/// Same scenario and seed, the same counters and files.
#[test]
fn origin_request_counters_are_deterministic() {
    let s = language_scenario(50, 5_000, "cache_policy = \"CachingOptimized\"\norigin_request_policy = \"AllViewer\"");
    let files = |seed| cdnsim::report::result_files(&run(&s, seed), &s).unwrap();
    assert_eq!(files(3), files(3));
    let m = run(&s, 3).metrics;
    assert!(m.behaviors[0].mistailored > 0, "AllViewer forwards the language, CachingOptimized does not key it");
}
