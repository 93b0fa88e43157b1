//! Viewer geography, price classes and geo restriction, end to end: where a
//! population is served from, the round trip it pays, the region it bills
//! in, and the 403s of a geo restriction, with the numbers worked out by
//! hand.

use crate::support::*;
use cdnsim::cdn::traffic::{Catalog, Scripted, ViewerRequest};
use cdnsim::cdn::viewers::ViewerPopulations;
use cdnsim::engine::{self, observer::FinishedRequest, observer::RequestObserver};
use cdnsim::http::Method::Get;
use cdnsim::report;
use cdnsim::time::SimTime;
use cdnsim_cost::{PriceClass, RegionCode};

/// Two edge locations, each placed by its name (`IAD1`: Ashburn, 38.95 N
/// 77.45 W; `GRU1`: São Paulo-Guarulhos, 23.43 S 46.47 W), each with its
/// own regional edge cache. One class of one object, cached for an hour:
/// after the 10 s warm-up every measured request is an edge hit, whose
/// latency is exactly its viewer's round trip. `viewers` is the
/// `[viewers]` part, `distribution` the lines under `[distribution]`.
fn sao_paulo_and_ashburn(viewers: &str, distribution: &str) -> String {
    format!(
        r#"
[simulation]
requests = 3000
warmup = "10 s"
metrics_interval = "10 s"

[[topology.regional_caches]]
region = "us-east-1"
[[topology.regional_caches]]
region = "sa-east-1"

[[topology.edges]]
name = "IAD1"
regional_cache = "us-east-1"
viewer_rtt = "10 ms"
regional_rtt = "20 ms"
[[topology.edges]]
name = "GRU1"
regional_cache = "sa-east-1"
viewer_rtt = "10 ms"
regional_rtt = "20 ms"

[[origins]]
name = "origin"
region = "us-east-1"
latency = "40 ms"

[distribution]
{distribution}
[distribution.default_behavior]
origin = "origin"

{viewers}

[traffic]
rate = 100

[[traffic.classes]]
name = "one"
share = 1
objects = 1
path = "/o/{{id}}"
size = "1000 B"
cache_control = "max-age=3600"
"#
    )
}

/// One population in São Paulo (23.55 S, 46.63 W), with a constant 5 ms
/// last mile.
const SAO_PAULO: &str = r#"
[[viewers.populations]]
name = "sao-paulo"
country = "BR"
latitude = -23.55
longitude = -46.63
last_mile_rtt = "5 ms"
"#;

#[test]
fn sao_paulo_under_price_class_100_is_served_from_ashburn_and_bills_as_us() {
    // Haversine, R = 6371 km: h = sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2),
    // d = 2R asin(√h); round trip 1 + 1.3 × d / 100 ms (`geo::rtt_ms_for_km`).
    //
    // To GRU (23.43 S 46.47 W): Δφ = 0.12°, Δλ = 0.16°:
    //   h = sin²(0.06°) + cos 23.55° × cos 23.43° × sin²(0.08°)
    //     = 1.0966e-6 + 0.91671 × 0.91755 × 1.9496e-6 = 2.7364e-6,
    //   d = 12,742 × asin(0.0016542) = 21.08 km, round trip 1 + 0.274 = 1.274 ms.
    // To IAD (38.95 N 77.45 W): Δφ = 62.5°, Δλ = 30.82°:
    //   h = sin²(31.25°) + cos 23.55° × cos 38.95° × sin²(15.41°)
    //     = 0.26912 + 0.91671 × 0.77783 × 0.070607 = 0.31947,
    //   d = 12,742 × asin(0.56521) = 12,742 × 0.60069 = 7,654.0 km,
    //   round trip 1 + 99.502 = 100.502 ms.
    // The viewers' round trip is their 5 ms last mile plus that: 6.274 ms
    // served from GRU1 (class All), 105.502 ms from IAD1 (class 100, which
    // excludes South America): 99.228 ms more. An edge hit's latency is
    // exactly the round trip (two halves of whole microseconds, both even).
    let all = scenario(&sao_paulo_and_ashburn(SAO_PAULO, ""), &[]);
    let class_100 = scenario(&sao_paulo_and_ashburn(SAO_PAULO, "price_class = \"PriceClass_100\""), &[]);

    let served_by = |s: &cdnsim::scenario::Scenario| {
        let viewers = ViewerPopulations::build(s);
        // The two edges' own populations come first; São Paulo is third.
        let p = &viewers.populations[2];
        assert_eq!((p.name.as_str(), p.country.code), ("sao-paulo", "BR"));
        (s.topology.edges[p.edge].name.clone(), p.geo_rtt_ms)
    };
    let (edge, geo_ms) = served_by(&all);
    assert_eq!(edge, "GRU1");
    assert!((geo_ms - 1.274).abs() < 0.0005, "{geo_ms}");
    let (edge, geo_ms) = served_by(&class_100);
    assert_eq!(edge, "IAD1");
    assert!((geo_ms - 100.502).abs() < 0.0005, "{geo_ms}");

    // The billed region is the serving edge's, through the class's rule:
    // IAD1 is in the United States, which class 100 includes: `US`. (Served
    // from GRU1 it would have billed `SA`.)
    let iad = &class_100.topology.edges[0];
    assert_eq!(iad.price_region, RegionCode::Us);
    assert_eq!(PriceClass::Class100.billed_region(iad.price_region), RegionCode::Us);
    assert_eq!(PriceClass::All.billed_region(all.topology.edges[1].price_region), RegionCode::Sa);

    let latency = |s: &cdnsim::scenario::Scenario| {
        let summary = summarize(&run(s, 7), s);
        assert_eq!(summary.hits, summary.requests, "after the warm-up every request hits");
        (summary.latency_ms.mean, summary.latency_ms.max)
    };
    assert_eq!(latency(&all), (6.274, 6.274));
    assert_eq!(latency(&class_100), (105.502, 105.502));

    // GRU1 is left with no viewers: still listed, with zero requests.
    let report = run(&class_100, 7);
    let rows = report::tier_rows(&report, &class_100);
    let gru = rows.iter().find(|r| r.name == "GRU1").expect("GRU1 is listed");
    assert_eq!(gru.requests, 0);

    // viewers.csv says all of it: one row, for the one population drawn.
    let summary = summarize(&report, &class_100);
    let rows = report::viewer_rows(&report, &class_100).expect("a run with [viewers] counts its populations");
    assert_eq!(rows.len(), 1, "{rows:?}");
    let r = &rows[0];
    assert_eq!((r.population.as_str(), r.country, r.edge.as_str(), r.billed_region), ("sao-paulo", "BR", "IAD1", "US"));
    assert_eq!((r.geo_rtt_ms, r.viewer_rtt_ms_mean, r.refused), (100.502, 105.502, false));
    assert_eq!((r.requests, r.request_share), (summary.requests, 1.0));
}

#[test]
fn an_excluded_edge_sends_its_own_viewers_to_the_nearest_allowed_edge() {
    // No [viewers]: each edge's viewers are its own (10 ms round trip).
    // Under class 100 GRU1's go to IAD1, one geographic round trip further:
    // GRU to IAD is 7,648.9 km (Δφ = 62.38°, Δλ = 30.98°; h = sin²(31.19°)
    // + cos 23.43° × cos 38.95° × sin²(15.49°) = 0.26820 + 0.91755 ×
    // 0.77783 × 0.071314 = 0.31910, d = 12,742 × asin(0.56489) = 12,742 ×
    // 0.60030 = 7,648.9 km): 1 + 99.436 = 100.436 ms, so 110.436 ms in all.
    let s = scenario(&sao_paulo_and_ashburn("", "price_class = \"PriceClass_100\""), &[]);
    let viewers = ViewerPopulations::build(&s);
    assert_eq!(viewers.populations.len(), 3, "IAD1's, GRU1's at GRU1, GRU1's redirected");
    let redirected = &viewers.populations[viewers.source_population[1] as usize];
    assert_eq!((redirected.name.as_str(), redirected.edge), ("GRU1", 0));
    assert!((redirected.geo_rtt_ms - 100.436).abs() < 0.0005, "{}", redirected.geo_rtt_ms);
    let summary = summarize(&run(&s, 7), &s);
    assert_eq!(summary.hits, summary.requests);
    // Both edges' viewer weights are 1: half the requests from each. Every
    // latency is 10 ms or 110.436 ms.
    assert_eq!(summary.latency_ms.max, 110.436);
    let report = run(&s, 7);
    let rows = report::tier_rows(&report, &s);
    assert_eq!(rows.iter().find(|r| r.name == "GRU1").unwrap().requests, 0);
    // viewers.csv: IAD1's own viewers at IAD1, and GRU1's, served by IAD1
    // 100.436 ms further; both bill as US. Their requests add up to the run's.
    let rows = report::viewer_rows(&report, &s).expect("a class that excludes an edge counts populations");
    let seen: Vec<(&str, &str, &str, f64)> =
        rows.iter().map(|r| (r.population.as_str(), r.edge.as_str(), r.billed_region, r.viewer_rtt_ms_mean)).collect();
    assert_eq!(seen, [("IAD1", "IAD1", "US", 10.0), ("GRU1", "IAD1", "US", 110.436)]);
    assert_eq!(rows.iter().map(|r| r.requests).sum::<u64>(), summary.requests);
}

#[test]
fn without_viewers_or_a_price_class_each_edge_is_its_own_population() {
    // Today's model: the sources are the edges, each served by itself.
    let s = scenario(&sao_paulo_and_ashburn("", ""), &[]);
    let viewers = ViewerPopulations::build(&s);
    assert_eq!(viewers.source_population, [0, 1]);
    assert!(viewers.populations.iter().enumerate().all(|(i, p)| p.edge == i && p.geo_rtt_ms == 0.0));
    let report = run(&s, 7);
    assert_eq!(summarize(&report, &s).latency_ms.max, 10.0);
    assert_eq!(report::viewer_rows(&report, &s), None, "no viewers.csv: the files are today's");
}

/// São Paulo (weight 1) and New York (weight 3, the US's default metro).
const TWO_POPULATIONS: &str = r#"
[[viewers.populations]]
name = "sao-paulo"
country = "BR"
weight = 1
[[viewers.populations]]
name = "new-york"
country = "US"
weight = 3
"#;

#[test]
fn a_blocked_country_gets_403_at_the_edge_for_its_share_of_the_requests() {
    // São Paulo's viewers are served by GRU1 and New York's by IAD1, so the
    // requests of each population are the requests at its edge. Blocking
    // BR refuses exactly São Paulo's: 403 at the edge, before the cache,
    // so GRU1's cache sees none of them.
    let s = scenario(
        &sao_paulo_and_ashburn(TWO_POPULATIONS, "geo_restriction = { block = [\"BR\"] }"),
        &["simulation.requests=20000"],
    );
    let report = run(&s, 11);
    let summary = summarize(&report, &s);
    let geo = summary.geo_restriction.as_ref().expect("a restriction is reported");
    let rows = report::tier_rows(&report, &s);
    let at = |name: &str| rows.iter().find(|r| r.name == name).unwrap().requests;
    assert_eq!(at("GRU1"), 0, "no refused request reaches a cache");
    // Every measured request is New York's (at IAD1) or refused.
    assert_eq!(geo.blocked + at("IAD1"), summary.requests);
    assert_eq!(geo.blocked, summary.errors_4xx);
    // Logged Error / ClientGeoBlocked, every one of them, and nothing else
    // is an error here.
    assert_eq!(summary.detailed_result_types.get("ClientGeoBlocked").copied(), Some(geo.blocked));
    assert_eq!(summary.detailed_result_types.get("Error").copied(), Some(0));
    assert_eq!(summary.errors, geo.blocked);
    // The share refused is São Paulo's weight share, 1 / (1 + 3) = 0.25,
    // up to the draw: ± 0.01 is over 3 standard deviations
    // (√(0.25 × 0.75 / 20,000) = 0.0031).
    assert!((geo.blocked_share - 0.25).abs() < 0.01, "{}", geo.blocked_share);
    // viewers.csv: São Paulo's row is refused, and its requests are the blocked ones.
    let rows = report::viewer_rows(&report, &s).unwrap();
    let sao_paulo = rows.iter().find(|r| r.population == "sao-paulo").unwrap();
    assert!(sao_paulo.refused);
    assert_eq!(sao_paulo.requests, geo.blocked);

    // The same with an allow list that leaves Brazil out.
    let allow = scenario(
        &sao_paulo_and_ashburn(TWO_POPULATIONS, "geo_restriction = { allow = [\"US\", \"CA\"] }"),
        &["simulation.requests=20000"],
    );
    let allowed = summarize(&run(&allow, 11), &allow);
    assert_eq!(allowed.geo_restriction.unwrap().blocked, geo.blocked, "same draws, same viewers refused");
}

#[test]
fn a_scripted_blocked_request_is_refused_before_any_cache_and_logged_error() {
    // Four requests one second apart: São Paulo's first (population 2),
    // then New York's three (population 3). Only São Paulo's is refused:
    // exactly its share of the script, 1 of 4. New York's first is a miss
    // (the origin), the other two edge hits.
    let s = scenario(
        &sao_paulo_and_ashburn(TWO_POPULATIONS, "geo_restriction = { block = [\"BR\"] }"),
        &["simulation.warmup=0"],
    );
    let catalog = Catalog::build(&s, 1);
    let mut script: Vec<(SimTime, ViewerRequest)> =
        Scripted::requests(&s, &catalog, &[(SimTime(1_000_000), "GRU1", Get, "/o/0")]).unwrap();
    script[0].1.population = 2;
    for t in 2..=4 {
        let mut r = Scripted::requests(&s, &catalog, &[(SimTime(t * 1_000_000), "IAD1", Get, "/o/0")]).unwrap();
        r[0].1.population = 3;
        script.extend(r);
    }
    let report =
        engine::run_with(&s, 1, catalog, &mut Scripted::from_requests(script), &mut |_| {}).expect("accounts add up");
    let summary = summarize(&report, &s);
    assert_eq!(summary.requests, 4);
    assert_eq!(summary.geo_restriction.as_ref().unwrap().blocked, 1);
    assert_eq!(summary.geo_restriction.as_ref().unwrap().blocked_share, 0.25);
    assert_eq!((summary.errors, summary.errors_4xx, summary.hits, summary.misses), (1, 1, 2, 1));
    assert_eq!(summary.origin_requests, 1, "the refused request never reached the origin");
}

#[test]
fn the_world_preset_serves_every_region_and_class_100_moves_viewers_out_of_sa_and_au() {
    let text = |class: &str| {
        format!(
            r#"
[simulation]
requests = 2000
[topology.generate]
edges = 40
[[origins]]
name = "origin"
region = "us-east-1"
[distribution]
price_class = "{class}"
[distribution.default_behavior]
origin = "origin"
[viewers]
preset = "world"
[traffic]
rate = 100
[[traffic.classes]]
name = "c"
share = 1
objects = 100
path = "/o/{{id}}"
size = "1000 B"
"#
        )
    };
    let all = scenario(&text("PriceClass_All"), &[]);
    let viewers = ViewerPopulations::build(&all);
    let edge_region = |v: &ViewerPopulations, s: &cdnsim::scenario::Scenario, name: &str| {
        let p = v.populations.iter().find(|p| p.name == name).unwrap();
        s.topology.edges[p.edge].price_region
    };
    assert_eq!(edge_region(&viewers, &all, "sao-paulo"), RegionCode::Sa);
    assert_eq!(edge_region(&viewers, &all, "sydney"), RegionCode::Au);
    let class_100 = scenario(&text("PriceClass_100"), &[]);
    let v100 = ViewerPopulations::build(&class_100);
    for &source in &v100.source_population {
        let p = &v100.populations[source as usize];
        let region = class_100.topology.edges[p.edge].price_region;
        assert!(PriceClass::Class100.includes(region.group()), "{} served in {region}", p.name);
    }
    // Sydney's viewers cross the Pacific under class 100.
    let sydney = |v: &ViewerPopulations| v.populations.iter().find(|p| p.name == "sydney").unwrap().geo_rtt_ms;
    assert!(sydney(&viewers) < 20.0 && sydney(&v100) > 150.0, "{} {}", sydney(&viewers), sydney(&v100));
    let (s_all, s_100) = (summarize(&run(&all, 3), &all), summarize(&run(&class_100, 3), &class_100));
    assert!(s_100.latency_ms.mean > s_all.latency_ms.mean, "{} {}", s_100.latency_ms.mean, s_all.latency_ms.mean);
}

#[test]
fn same_seed_same_bytes_and_a_price_class_sweep_is_the_same_at_any_jobs() {
    let dir = temp_dir("geography-sweep");
    let path = dir.join("geo.toml");
    std::fs::write(&path, sao_paulo_and_ashburn(TWO_POPULATIONS, "geo_restriction = { block = [\"BR\"] }")).unwrap();
    let path = path.to_str().unwrap();
    let run_to = |name: &str| {
        let out = dir.join(name);
        let (code, stdout, stderr) = cdnsim(&[
            "run",
            path,
            "--no-progress",
            "--seed",
            "5",
            "--requests",
            "2000",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        folder_files(&out)
    };
    assert!(run_to("a") == run_to("b"), "two runs with the same seed wrote different files");
    let vary = "distribution.price_class=PriceClass_100,PriceClass_200,PriceClass_All";
    let (one, four) = sweep_at_jobs_1_and_4(&dir, path, &["--requests", "1000", "--vary", vary, "--replicates", "2"]);
    for file in ["sweep.csv", "sweep-summary.csv", "sweep.json"] {
        let (a, b) = (std::fs::read(one.join(file)).unwrap(), std::fs::read(four.join(file)).unwrap());
        assert!(a == b, "{file} differs between --jobs 1 and --jobs 4");
    }
}

#[test]
fn validate_says_where_viewers_are_and_what_is_refused() {
    let dir = temp_dir("geography-validate");
    let path = dir.join("geo.toml");
    let text = sao_paulo_and_ashburn(
        TWO_POPULATIONS,
        "price_class = \"PriceClass_100\"\ngeo_restriction = { allow = [\"US\", \"CA\"] }",
    );
    std::fs::write(&path, text).unwrap();
    let (code, stdout, stderr) = cdnsim(&["validate", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("viewers: 2 populations, each served by the nearest edge location"), "{stdout}");
    assert!(stdout.contains("price class: PriceClass_100: 1 of 2 edge locations serve"), "{stdout}");
    assert!(stdout.contains("geo restriction: viewers outside US, CA get 403 at the edge"), "{stdout}");
}

/// A block list for Brazil and a custom error response for 403 with a page
/// of 2 KiB (`/errors/403.html`, through the default behavior to the
/// origin), sent with `response_code` when given.
fn blocked_with_a_page(response_code: Option<u16>) -> String {
    let code = response_code.map_or(String::new(), |c| format!("response_code = {c}\n"));
    sao_paulo_and_ashburn(
        TWO_POPULATIONS,
        &format!(
            "geo_restriction = {{ block = [\"BR\"] }}\n\
             [[distribution.custom_error_responses]]\n\
             error_code = 403\n\
             response_page_path = \"/errors/403.html\"\n\
             response_page_bytes = \"2 KiB\"\n\
             {code}"
        ),
    )
}

/// Three São Paulo viewers (population 2, refused) at 1, 2 and 3 s, then one
/// New York viewer (population 3) at 4 s, all for `/o/0`, run with
/// `observer` watching.
fn three_refused_then_one_served(
    s: &cdnsim::scenario::Scenario,
    observer: &mut impl RequestObserver,
) -> engine::Report {
    let catalog = Catalog::build(s, 1);
    let mut script: Vec<(SimTime, ViewerRequest)> = Vec::new();
    for (t, edge, population) in [(1, "GRU1", 2), (2, "GRU1", 2), (3, "GRU1", 2), (4, "IAD1", 3)] {
        let mut r = Scripted::requests(s, &catalog, &[(SimTime(t * 1_000_000), edge, Get, "/o/0")]).unwrap();
        r[0].1.population = population;
        script.extend(r);
    }
    engine::run_with_observer(s, 1, catalog, &mut Scripted::from_requests(script), observer, &mut |_| {})
        .expect("accounts add up")
}

/// Each finished request's access log line.
struct Lines<'s>(report::access_log::RecordFormatter<'s>, Vec<String>);

impl RequestObserver for Lines<'_> {
    fn on_finish(&mut self, r: &FinishedRequest<'_>) {
        let mut line = String::new();
        self.0.format(&mut line, self.1.len() as u64, r);
        self.1.push(line);
    }
}

impl Lines<'_> {
    /// These fields of every line, in the order the requests finished.
    fn pick(&self, names: &[&str]) -> Vec<Vec<String>> {
        let at = |name: &str| report::access_log::FIELDS.iter().position(|f| *f == name).unwrap();
        self.1
            .iter()
            .map(|l| {
                let f: Vec<&str> = l.trim_end().split('\t').collect();
                names.iter().map(|n| f[at(n)].to_string()).collect()
            })
            .collect()
    }
}

#[test]
fn a_403_page_answers_the_geo_refused_viewers_who_stay_client_geo_blocked() {
    // Worked by hand, warm-up 0, the page sent with 200:
    //   1 s  GRU1 São Paulo: refused (403 at the edge); the 403 has a page,
    //        so the viewer waits while the page is fetched from GRU1: a miss
    //        at GRU1 and at sa-east-1, one origin request; the page is
    //        stored at both (the behavior's default TTL, 24 h).
    //   2 s, 3 s  São Paulo again: refused, the page a hit at GRU1.
    //   4 s  IAD1 New York: served, a miss (the origin's second request).
    // So 3 blocked, 3 page fetches, 3 pages served under 200; the three are
    // `Error` (a page stands for its error) with the detail
    // `ClientGeoBlocked`; New York's is a Miss. No 4xx reaches a viewer.
    // Bytes to viewers: 3 pages × 2,048 B = 6,144 B, plus New York's
    // object, 1,000 B: 7,144 B.
    let s = scenario(&blocked_with_a_page(Some(200)), &["simulation.warmup=0"]);
    let mut lines = Lines(report::access_log::RecordFormatter::new(&s, 1), Vec::new());
    let report = three_refused_then_one_served(&s, &mut lines);
    let summary = summarize(&report, &s);
    assert_eq!(summary.requests, 4);
    let geo = summary.geo_restriction.as_ref().unwrap();
    assert_eq!((geo.blocked, geo.blocked_share), (3, 0.75));
    assert_eq!(report.metrics.geo_blocked_pages, 3);
    let pages = summary.custom_errors.as_ref().expect("the distribution has custom error responses");
    assert_eq!((pages.errors_to_viewers, pages.page_fetches, pages.pages_served, pages.page_failures), (3, 3, 3, 0));
    assert_eq!((summary.errors, summary.errors_4xx, summary.errors_5xx, summary.misses), (3, 0, 0, 1));
    assert_eq!(summary.detailed_result_types["ClientGeoBlocked"], 3);
    assert_eq!(summary.detailed_result_types["Error"], 0);
    assert_eq!(summary.bytes_requested, 3 * 2048 + 1000);
    assert_eq!(summary.origin_requests, 2, "the page once, New York's object once");
    // The log: each refused viewer's line has the page's 200, the viewer's
    // own path, and Error / Error / ClientGeoBlocked (fields 14, 23, 29).
    let fields = [
        "cs-uri-stem",
        "sc-status",
        "x-edge-result-type",
        "x-edge-response-result-type",
        "x-edge-detailed-result-type",
    ];
    let refused = ["/o/0", "200", "Error", "Error", "ClientGeoBlocked"].map(String::from).to_vec();
    let served = ["/o/0", "200", "Miss", "Miss", "Miss"].map(String::from).to_vec();
    assert_eq!(lines.pick(&fields), [refused.clone(), refused.clone(), refused, served]);
    // Deterministic: the same run logs the same bytes.
    let mut again = Lines(report::access_log::RecordFormatter::new(&s, 1), Vec::new());
    three_refused_then_one_served(&s, &mut again);
    assert_eq!(again.1, lines.1);

    // Without `response_code` the page goes with the 403 itself: the same
    // three refused viewers, now 4xx errors, with no body bytes (cdnsim
    // counts none for an error): 1,000 B in all, New York's.
    let s = scenario(&blocked_with_a_page(None), &["simulation.warmup=0"]);
    let mut lines = Lines(report::access_log::RecordFormatter::new(&s, 1), Vec::new());
    let summary = summarize(&three_refused_then_one_served(&s, &mut lines), &s);
    assert_eq!(summary.custom_errors.as_ref().unwrap().pages_served, 3);
    assert_eq!((summary.errors, summary.errors_4xx), (3, 3));
    assert_eq!(summary.detailed_result_types["ClientGeoBlocked"], 3);
    assert_eq!(summary.bytes_requested, 1000);
    let statuses: Vec<String> = lines.pick(&["sc-status", "x-edge-detailed-result-type"]).concat();
    assert_eq!(
        statuses,
        ["403", "ClientGeoBlocked", "403", "ClientGeoBlocked", "403", "ClientGeoBlocked", "200", "Miss"]
    );
}

#[test]
fn without_a_page_a_geo_refused_viewer_is_logged_error_and_client_geo_blocked() {
    // The same script with no custom error response: the three refused
    // viewers get the edge's 403, no page is fetched, the origin sees only
    // New York's miss; each refused line reads 403, Error, Error,
    // ClientGeoBlocked.
    let s = scenario(
        &sao_paulo_and_ashburn(TWO_POPULATIONS, "geo_restriction = { block = [\"BR\"] }"),
        &["simulation.warmup=0"],
    );
    let mut lines = Lines(report::access_log::RecordFormatter::new(&s, 1), Vec::new());
    let report = three_refused_then_one_served(&s, &mut lines);
    let summary = summarize(&report, &s);
    assert_eq!(summary.geo_restriction.as_ref().unwrap().blocked, 3);
    assert_eq!(report.metrics.geo_blocked_pages, 0);
    assert_eq!((summary.errors, summary.errors_4xx, summary.origin_requests), (3, 3, 1));
    assert_eq!(summary.detailed_result_types["ClientGeoBlocked"], 3);
    let fields = ["sc-status", "x-edge-result-type", "x-edge-response-result-type", "x-edge-detailed-result-type"];
    let refused = ["403", "Error", "Error", "ClientGeoBlocked"].map(String::from).to_vec();
    assert_eq!(lines.pick(&fields)[..3], [refused.clone(), refused.clone(), refused]);
}
