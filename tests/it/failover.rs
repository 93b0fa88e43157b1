//! Origin groups and failover, with numbers worked out by hand.
//!
//! `GROUPED` has constant latencies: viewer round trip 10 ms, edge <-> regional
//! cache 20 ms, regional cache <-> each origin 30 ms, origin service 40 ms.
//! Connection attempts 3 x connection timeout 10 s. A miss served by the
//! primary takes 10 + 20 + 30 + 40 = 100 ms.

use crate::support::*;
use cdnsim::http::Method::{self, Get, Head, Options, Post};

const GROUPED: &str = r#"
[simulation]
requests = 100

[[topology.regional_caches]]
region = "us-east-1"

[[topology.edges]]
name = "IAD1"
regional_cache = "us-east-1"
viewer_rtt = "10 ms"
regional_rtt = "20 ms"

[[topology.links]]
from = "us-east-1"
to = "primary"
rtt = "30 ms"

[[topology.links]]
from = "us-east-1"
to = "secondary"
rtt = "30 ms"

[[origins]]
name = "primary"
region = "us-east-1"
latency = "40 ms"

[[origins]]
name = "secondary"
region = "us-west-2"
latency = "40 ms"

[[origin_groups]]
name = "group"
members = ["primary", "secondary"]
failover_status_codes = [500, 502, 503, 504]

[distribution]
[[distribution.behaviors]]
path_pattern = "/api/*"
origin = "primary"
allowed_methods = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
max_ttl = 0
default_ttl = 0

[distribution.default_behavior]
origin = "group"
allowed_methods = ["GET", "HEAD", "OPTIONS"]

[traffic]
rate = 10

[[traffic.classes]]
name = "static"
share = 0.8
objects = 100
path = "/s/{id}"
size = "1000 B"
cache_control = "max-age=60"
methods = { GET = 0.8, HEAD = 0.1, OPTIONS = 0.1 }

[[traffic.classes]]
name = "api"
share = 0.2
objects = 10
path = "/api/{id}"
size = "1000 B"
cache_control = "no-store"
methods = { GET = 0.5, POST = 0.5 }
"#;

/// `GROUPED` with extra TOML appended (faults) and overrides.
fn grouped(extra: &str, sets: &[&str]) -> cdnsim::scenario::Scenario {
    scenario(&format!("{GROUPED}\n{extra}"), sets)
}

const PRIMARY_BLACKHOLED: &str = r#"
[[faults]]
origin = "primary"
kind = "blackhole"
start = "0 s"
end = "100 s"
"#;

const PRIMARY_DOWN: &str = r#"
[[faults]]
origin = "primary"
kind = "down"
start = "0 s"
end = "100 s"
"#;

/// Minimums come from a histogram with 0.1% wide buckets; maximums are exact.
fn assert_close(actual: f64, expected: f64) {
    assert!((actual - expected).abs() <= expected * 0.001, "{actual} is not within 0.1% of {expected}");
}

fn latencies_ms(report: &cdnsim::engine::Report) -> (f64, f64) {
    let m = &report.metrics;
    (m.latency_us.min() as f64 / 1e3, m.latency_max_us as f64 / 1e3)
}

#[test]
fn a_black_holed_primary_costs_attempts_times_timeout_before_failover() {
    let s = grouped(PRIMARY_BLACKHOLED, &[]);
    let report = run_script(&s, &[(1.0, "IAD1", Get, "/s/1")]);
    let sum = summarize(&report, &s);
    // 10 + 20 + 3 x 10 s + 30 + 40 ms.
    assert_eq!(sum.latency_ms.max, 30_100.0);
    assert_eq!((sum.errors_5xx, sum.origin_requests), (0, 1));
    let get = &sum.failover["GET"];
    assert_eq!((get.reached_origin_group, get.primary_failures, get.failovers, get.served_by_secondary), (1, 1, 1, 1));
    assert_eq!(report.metrics.origins[0].timeouts, 1);
    assert_eq!(report.metrics.origins[1].requests, 1);
    let added = report.metrics.by_method[Get.index()].failover_added_us.max() as f64 / 1e6;
    assert!((added - 30.0).abs() < 0.05, "{added} s added by failover");

    // One attempt with a 5 s timeout: 10 + 20 + 5000 + 30 + 40 ms.
    let s = grouped(PRIMARY_BLACKHOLED, &["origins[0].connection_attempts=1", "origins[0].connection_timeout=5"]);
    let sum = summarize(&run_script(&s, &[(1.0, "IAD1", Get, "/s/1")]), &s);
    assert_eq!(sum.latency_ms.max, 5_100.0);
}

#[test]
fn refused_connections_cost_a_round_trip_per_attempt() {
    let s = grouped(PRIMARY_DOWN, &[]);
    let report = run_script(&s, &[(1.0, "IAD1", Get, "/s/1")]);
    // 10 + 20 + 3 x 30 (refused attempts) + 30 + 40 ms.
    assert_eq!(latencies_ms(&report).1, 190.0);
    assert_eq!(report.metrics.origins[0].connect_failures, 1);
}

#[test]
fn every_request_tries_the_primary_first_even_right_after_a_failover() {
    let s = grouped(PRIMARY_BLACKHOLED, &[]);
    let report =
        run_script(&s, &[(1.0, "IAD1", Get, "/s/1"), (40.0, "IAD1", Get, "/s/2"), (120.0, "IAD1", Get, "/s/3")]);
    let sum = summarize(&report, &s);
    // Both outage requests paid the 30 s on the primary; the one after the
    // outage went to the primary and was served by it.
    assert_eq!(sum.failover["GET"].failovers, 2);
    assert_eq!(report.metrics.origins[0].requests, 3);
    assert_eq!(report.metrics.origins[1].requests, 2);
    let (fastest, slowest) = latencies_ms(&report);
    assert_close(fastest, 100.0);
    assert_eq!(slowest, 30_100.0);
}

#[test]
fn only_get_head_and_options_reach_the_secondary() {
    // The API refuses writes on an origin-group behavior; the teaching switch
    // lifts that so the rule itself shows.
    let s = grouped(
        PRIMARY_DOWN,
        &[
            "distribution.allow_writes_to_origin_groups=true",
            "distribution.default_behavior.allowed_methods=[\"GET\",\"HEAD\",\"OPTIONS\",\"PUT\",\"POST\",\"PATCH\",\"DELETE\"]",
        ],
    );
    let methods = [Get, Head, Options, Post, Method::Put, Method::Patch, Method::Delete];
    let paths = ["/s/1", "/s/2", "/s/3", "/s/4", "/s/5", "/s/6", "/s/7"];
    let steps: Vec<Step> =
        methods.iter().zip(paths).enumerate().map(|(i, (&m, p))| (1.0 + i as f64, "IAD1", m, p)).collect();
    let report = run_script(&s, &steps);
    let secondary = &report.metrics.origins[1].requests_by_method;
    for m in methods {
        let expected = matches!(m, Get | Head | Options) as u64;
        assert_eq!(secondary[m.index()], expected, "{m} at the secondary");
    }
    let sum = summarize(&report, &s);
    // The writes fail with the primary: 502, as CloudFront cannot connect.
    assert_eq!(sum.failover["POST"].errors_by_status["502"], 1);
    assert_eq!(sum.failover["POST"].primary_failures, 1);
    assert_eq!(sum.failover["POST"].failovers, 0);
}

#[test]
fn status_codes_in_and_out_of_the_criteria() {
    let fault = r#"
[[faults]]
origin = "primary"
kind = "status"
status = 503
start = "0 s"
end = "100 s"
"#;
    let s = grouped(fault, &[]);
    let sum = summarize(&run_script(&s, &[(1.0, "IAD1", Get, "/s/1")]), &s);
    assert_eq!((sum.failover["GET"].failovers, sum.errors_5xx), (1, 0));
    // 10 + 20 + 30 + 40 at the primary, then 30 + 40 at the secondary.
    assert_eq!(sum.latency_ms.max, 170.0);

    let s = grouped(fault, &["origin_groups[0].failover_status_codes=[500]"]);
    let sum = summarize(&run_script(&s, &[(1.0, "IAD1", Get, "/s/1")]), &s);
    assert_eq!((sum.failover["GET"].failovers, sum.errors_5xx), (0, 1));
    assert_eq!(sum.failover["GET"].errors_by_status["503"], 1);
}

#[test]
fn overlapping_faults() {
    // Refused from 0 to 100 s, black-holed from 50 to 60 s, and the secondary
    // three times slower from 0 to 100 s.
    let faults = r#"
[[faults]]
origin = "primary"
kind = "down"
start = "0 s"
end = "100 s"
[[faults]]
origin = "primary"
kind = "blackhole"
start = "50 s"
end = "60 s"
[[faults]]
origin = "secondary"
kind = "slow"
factor = 3.0
start = "0 s"
end = "100 s"
"#;
    let s = grouped(faults, &[]);
    let report = run_script(&s, &[(10.0, "IAD1", Get, "/s/1"), (55.0, "IAD1", Get, "/s/2")]);
    let m = &report.metrics;
    assert_eq!((m.origins[0].connect_failures, m.origins[0].timeouts), (1, 1));
    // Refused: 10 + 20 + 90 + 30 + 3 x 40. Black hole: 10 + 20 + 30 000 + 30 + 120.
    let (fastest, slowest) = latencies_ms(&report);
    assert_close(fastest, 270.0);
    assert_eq!(slowest, 30_180.0);
}

#[test]
fn both_origins_down_gives_an_error_which_is_cached_for_the_error_ttl() {
    let both = format!("{PRIMARY_DOWN}\n{}", PRIMARY_DOWN.replace("\"primary\"", "\"secondary\""));
    let s = grouped(&both, &[]);
    let report = run_script(&s, &[(1.0, "IAD1", Get, "/s/1"), (5.0, "IAD1", Get, "/s/1"), (20.0, "IAD1", Get, "/s/1")]);
    let sum = summarize(&report, &s);
    // The first request fails over and fails again: 502. The second is within
    // the 10 s error-caching TTL and is answered by the edge's cached error;
    // the third, after it, goes to the origins again.
    assert_eq!(sum.errors_5xx, 3);
    assert_eq!(sum.failover["GET"].failovers, 2);
    assert_eq!(report.metrics.origins[1].requests, 2);
    assert_eq!(report.metrics.caches[0].errors_served, 1);
    assert_eq!(sum.hits, 0, "a cached error is not a hit");
}

#[test]
fn an_expired_copy_is_served_when_the_origin_fails() {
    // /api/* has no group; cache /s/1 first, then the primary goes down for
    // every path. With no group on the default behavior the expired copy is
    // all CloudFront has (reference §6.5).
    let s = grouped(
        "[[faults]]\norigin = \"primary\"\nkind = \"down\"\nstart = \"100 s\"\nend = \"300 s\"",
        &["distribution.default_behavior.origin=\"primary\""],
    );
    let report = run_script(&s, &[(1.0, "IAD1", Get, "/s/1"), (200.0, "IAD1", Get, "/s/1")]);
    let sum = summarize(&report, &s);
    // The regional cache is the first to see the 502, and answers with its
    // expired copy; the edge then refreshes its own from it. The viewer got
    // an expired copy after the origin was asked: a RefreshHit, not a Hit.
    assert_eq!(report.metrics.caches[1].stale_served_on_error, 1);
    assert_eq!((sum.errors_5xx, sum.misses, sum.hits, sum.refresh_hits), (0, 1, 0, 1));
}

#[test]
fn bad_origin_group_configurations_are_refused() {
    let cases: &[(&str, &str, &str)] = &[
        ("members = [\"primary\", \"secondary\"]", "members = [\"primary\"]", "exactly two members"),
        (
            "members = [\"primary\", \"secondary\"]",
            "members = [\"primary\", \"secondary\", \"primary\"]",
            "exactly two members",
        ),
        (
            "failover_status_codes = [500, 502, 503, 504]",
            "failover_status_codes = [500, 429]",
            "cannot fail over on status 429",
        ),
        (
            "allowed_methods = [\"GET\", \"HEAD\", \"OPTIONS\"]",
            "allowed_methods = [\"GET\", \"HEAD\", \"OPTIONS\", \"PUT\", \"POST\", \"PATCH\", \"DELETE\"]",
            "The parameter AllowedMethods cannot include POST, PUT, PATCH, or DELETE for a cached behavior associated with an origin group.",
        ),
    ];
    for (from, to, problem) in cases {
        let text = GROUPED.replacen(from, to, 1);
        assert_ne!(text, GROUPED, "{from:?}");
        let message = try_scenario(&text, &[]).expect_err(to).to_string();
        assert!(message.contains(problem), "{to}: {message}");
    }
    for (set, problem) in [
        ("origins[0].connection_attempts=5", "5 is out of range"),
        ("origins[0].connection_timeout=11", "outside CloudFront's range of 1 to 10 s"),
        ("origins[0].response_timeout=0", "outside CloudFront's range of 1 to 120 s"),
    ] {
        let message = try_scenario(GROUPED, &[set]).expect_err(set).to_string();
        assert!(message.contains(problem), "{set}: {message}");
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn fault_toml(origin: &str, kind: u8, start: u32, len: u32) -> String {
        let body = match kind {
            0 => "kind = \"down\"".to_string(),
            1 => "kind = \"blackhole\"".to_string(),
            2 => "kind = \"slow\"\nfactor = 4.0".to_string(),
            _ => "kind = \"status\"\nstatus = 503\nfraction = 0.5".to_string(),
        };
        format!("[[faults]]\norigin = \"{origin}\"\n{body}\nstart = {start}\nend = {}\n", start + len.max(1))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        /// Whatever the faults and the method mix: no method other than GET,
        /// HEAD and OPTIONS reaches the secondary, and every request gets
        /// exactly one response.
        #[test]
        fn writes_never_reach_the_secondary_and_every_request_is_answered(
            faults in proptest::collection::vec((0u8..2, 0u8..4, 0u32..200, 1u32..120), 0..5),
            write_share in 0.0f64..0.9,
            seed in 0u64..1000,
        ) {
            let extra: String = faults
                .iter()
                .map(|&(origin, kind, start, len)| fault_toml(if origin == 0 { "primary" } else { "secondary" }, kind, start, len))
                .collect();
            let mix = format!(
                "traffic.classes[0].methods={{ GET = {g}, HEAD = 0.05, OPTIONS = 0.05, POST = {w}, PUT = {w}, PATCH = {w}, DELETE = {w} }}",
                g = 1.0 - write_share, w = write_share / 4.0
            );
            let s = grouped(&extra, &[
                "simulation.requests=400",
                "traffic.rate=2",
                "distribution.allow_writes_to_origin_groups=true",
                "distribution.default_behavior.allowed_methods=[\"GET\",\"HEAD\",\"OPTIONS\",\"PUT\",\"POST\",\"PATCH\",\"DELETE\"]",
                &mix,
            ]);
            let report = run(&s, seed);
            let secondary = &report.metrics.origins[1].requests_by_method;
            for m in [Post, Method::Put, Method::Patch, Method::Delete] {
                prop_assert_eq!(secondary[m.index()], 0, "{} reached the secondary", m);
            }
            prop_assert_eq!(report.unfinished, 0);
            prop_assert_eq!(report.metrics.requests, 400);
            let by_method: u64 = report.metrics.by_method.iter().map(|m| m.requests).sum();
            prop_assert_eq!(by_method, 400);
        }
    }
}

/// An origin group whose secondary has Origin Shield in us-west-2; viewers
/// at IAD1 (us-east-1) and DUB1 (eu-west-1). Constant latencies: viewer round
/// trip 10 ms, edge <-> its regional cache 20 ms, each viewer region's cache
/// <-> primary 30 ms and <-> us-west-2 60 ms, us-west-2 <-> secondary 30 ms,
/// origin service 40 ms. The primary is down (connections refused).
const SECONDARY_SHIELDED: &str = r#"
[[topology.regional_caches]]
region = "us-west-2"
[[topology.links]]
from = "us-east-1"
to = "primary"
rtt = "30 ms"
[[topology.links]]
from = "eu-west-1"
to = "primary"
rtt = "30 ms"
[[topology.links]]
from = "us-east-1"
to = "us-west-2"
rtt = "60 ms"
[[topology.links]]
from = "eu-west-1"
to = "us-west-2"
rtt = "60 ms"
[[topology.links]]
from = "us-west-2"
to = "secondary"
rtt = "30 ms"
[[origins]]
name = "primary"
region = "us-east-1"
latency = "40 ms"
[[origins]]
name = "secondary"
region = "us-west-2"
latency = "40 ms"
origin_shield = "us-west-2"
[[origin_groups]]
name = "group"
members = ["primary", "secondary"]
failover_status_codes = [503]
[[faults]]
origin = "primary"
kind = "down"
start = "0 s"
end = "100 s"
[distribution.default_behavior]
origin = "group"
"#;

#[test]
fn a_failed_over_request_goes_through_the_secondarys_origin_shield() {
    // DG "Using Amazon CloudFront Origin Shield": with an origin group, a
    // request failed over to the secondary passes through the secondary's
    // shield.
    //
    // IAD1 at 1 s, /s/1: edge miss, us-east-1 miss at +10 ms, three refused
    // connections to the primary (3 x 30 ms) known at +100 ms; to the
    // shield, +30 ms: miss at +130; secondary at +145, answers at +185;
    // back at the shield +200, us-east-1 +230, the edge +240; the viewer
    // waited 240 + 10 = 250 ms. A Miss.
    //
    // DUB1 at 2 s, /s/1: its caches miss, the primary fails the same way
    // (+100 ms), and the shield, +30 ms, has /s/1: a hit, back at eu-west-1
    // at +160 and the edge at +170; 180 ms. A Hit (OriginShieldHit), and
    // the secondary is asked once in all.
    let s = scenario(&two_regions(SECONDARY_SHIELDED), &[]);
    let report = run_script(&s, &[(1.0, "IAD1", Get, "/s/1"), (2.0, "DUB1", Get, "/s/1")]);
    let sum = summarize(&report, &s);
    let m = &report.metrics;
    let us_west_2 = 2;
    assert_eq!((sum.requests, sum.misses, sum.hits), (2, 1, 1));
    assert_eq!(sum.failover["GET"].failovers, 2);
    assert_eq!((m.origins[0].requests, m.origins[1].requests), (2, 1));
    let shield = &m.shield_role[us_west_2];
    assert_eq!((shield.lookups, shield.misses, shield.hits), (2, 1, 1));
    assert_eq!((m.latency_max_us, m.latency_sum_us), (250_000, 250_000 + 180_000));
    // us-west-2 is nobody's own regional cache: it appears as a shield only.
    assert_eq!(m.caches[2 + us_west_2].lookups, 0);
}

/// Each member of the group has its Origin Shield in the other's Region, so
/// a request from DUB1 goes eu-west-1 -> us-east-1 (the primary's shield) and
/// one from IAD1 that fails over goes us-east-1 -> eu-west-1 (the
/// secondary's shield): the two routes cross the same caches in opposite
/// orders.
const CROSSED_SHIELDS: &str = r#"
[[topology.links]]
from = "us-east-1"
to = "primary"
rtt = "30 ms"
[[topology.links]]
from = "eu-west-1"
to = "secondary"
rtt = "30 ms"
[[origins]]
name = "primary"
region = "us-east-1"
latency = "40 ms"
origin_shield = "us-east-1"
connection_attempts = 1
[[origins]]
name = "secondary"
region = "eu-west-1"
latency = "40 ms"
origin_shield = "eu-west-1"
[[origin_groups]]
name = "group"
members = ["primary", "secondary"]
failover_status_codes = [503]
[[faults]]
origin = "primary"
kind = "down"
start = "0 s"
end = "100 s"
[distribution.default_behavior]
origin = "group"
"#;

#[test]
fn a_failed_over_request_never_waits_on_a_fetch_that_waits_on_it() {
    // IAD1 at 1.000 s, /s/1: edge miss; us-east-1 (its regional cache and
    // the primary's shield) at 1.010: miss, it leads the fetch there. The
    // primary refuses its one connection attempt, known at 1.040; failover
    // to the secondary through its shield, eu-west-1, 40 ms away: 1.080.
    //
    // DUB1 at 1.010 s: edge miss; eu-west-1 at 1.020: miss, it leads the
    // fetch there; the primary's shield us-east-1 at 1.060, where IAD1's
    // fetch is under way: it joins it.
    //
    // IAD1's request at eu-west-1 at 1.080 finds DUB1's fetch under way,
    // which waits on IAD1's own: joining it would answer neither. It fetches
    // from the secondary: there at 1.095, answered at 1.135, back at
    // eu-west-1 at 1.150 and us-east-1 at 1.190, where DUB1's request is
    // answered too; IAD1's edge at 1.200: 200 + 10 = 210 ms, a Miss.
    // DUB1's: eu-west-1 at 1.230, its edge at 1.240: 1.240 - 1.010 + 0.010
    // = 240 ms, answered by the shield: a Hit. The primary saw one
    // request, the secondary one, and there was one failover.
    let s = scenario(&two_regions(CROSSED_SHIELDS), &[]);
    let report = run_script(&s, &[(1.0, "IAD1", Get, "/s/1"), (1.01, "DUB1", Get, "/s/1")]);
    let sum = summarize(&report, &s);
    let m = &report.metrics;
    assert_eq!((sum.requests, sum.misses, sum.hits), (2, 1, 1));
    assert_eq!(sum.failover["GET"].failovers, 1);
    assert_eq!((m.origins[0].requests, m.origins[1].requests), (1, 1));
    assert_eq!((m.latency_max_us, m.latency_sum_us), (240_000, 210_000 + 240_000));
}
