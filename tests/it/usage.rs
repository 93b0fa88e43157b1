//! A run's usage (`usage.csv`, the summary's `usage`) worked out by hand:
//! which line each request goes on, where it bills, what Origin Shield
//! charges, what functions and invalidations add, and the scaling to a
//! month. Requests are scripted; script times are arrivals at the edge.

use crate::support::*;
use cdnsim::cdn::traffic::{Catalog, Scripted};
use cdnsim::engine;
use cdnsim::http::Method::{Get, Post};
use cdnsim::report;
use cdnsim::time::{SimDuration, SimTime};

/// `two_regions` (IAD1 under us-east-1, DUB1 under eu-west-1) with an
/// origin in us-east-1 behind an Origin Shield there, and a default
/// behavior that allows every method. Objects are 1000 bytes, cached 600 s.
const SHIELDED: &str = r#"
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
allowed_methods = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
"#;

#[test]
fn requests_bytes_and_shield_requests_land_on_their_lines_and_scale_to_a_month() {
    // By hand:
    //   1 s DUB1 GET /s/1 (HTTPS): misses at DUB1 and at eu-west-1, then
    //       reaches the shield in us-east-1 from another Region's regional
    //       cache: charged. 1000 bytes to the viewer.
    //   2 s, 3 s DUB1 GET /s/1 (HTTPS): edge hits, 1000 bytes each.
    //   4 s DUB1 POST /s/2 (HTTP): a proxy method, from the edge straight
    //       to the shield (dynamic: charged) and the origin; its 200 carries
    //       the 1000-byte body.
    //   5 s IAD1 GET /s/3 (HTTPS): misses at IAD1 and at us-east-1, which is
    //       its own regional cache and the shield at once: no shield hop,
    //       nothing charged. 1000 bytes.
    //   6 s IAD1 GET /s/3 (HTTPS): an edge hit, 1000 bytes.
    // DUB1 bills in EU, IAD1 in US (PriceClass_All, the default):
    //   EU: Tier2-HTTPS 3, HTTP-Proxy 1, 4000 bytes = 4000 / 2^30 GB
    //       = 0.0000037252902984... -> 0.00000372529 (12 digits);
    //   US: Tier2-HTTPS 2, 2000 bytes -> 0.000001862645 GB;
    //   USE1-OriginShield-Requests 2.
    let s = scenario(&two_regions(SHIELDED), &[]);
    let catalog = Catalog::build(&s, 1);
    let steps = [
        (1.0, "DUB1", Get, "/s/1"),
        (2.0, "DUB1", Get, "/s/1"),
        (3.0, "DUB1", Get, "/s/1"),
        (4.0, "DUB1", Post, "/s/2"),
        (5.0, "IAD1", Get, "/s/3"),
        (6.0, "IAD1", Get, "/s/3"),
    ];
    let entries: Vec<_> = steps.iter().map(|&(t, e, m, p)| (SimTime((t * 1e6) as u64), e, m, p)).collect();
    let mut requests = Scripted::requests(&s, &catalog, &entries).unwrap();
    requests[3].1.https = false;
    let report = engine::run_with(&s, 1, catalog, &mut Scripted::from_requests(requests), &mut |_| {})
        .expect("the accounting adds up");
    let lines = |u: &cdnsim_cost::Usage| -> Vec<String> {
        u.iter().filter(|(_, q)| q.pico() > 0).map(|(t, q)| format!("{t} {q}")).collect()
    };
    assert_eq!(
        lines(&report.metrics.usage.usage()),
        [
            "US-DataTransfer-Out-Bytes 0.000001862645",
            "EU-DataTransfer-Out-Bytes 0.00000372529",
            "US-Requests-Tier2-HTTPS 2",
            "EU-Requests-Tier2-HTTPS 3",
            "EU-Requests-HTTP-Proxy 1",
            "USE1-OriginShield-Requests 2",
        ]
    );
    // The shield in us-east-1 (regional cache 0) saw both charged requests
    // and nothing else: the POST passed through, the GET missed.
    let shield = &report.metrics.shield_role[0];
    assert_eq!((shield.lookups, shield.passed_through), (1, 1));

    // The month: the last response left at 6 s (an edge hit, at once), no
    // warm-up, so 6 s measured; 30 days = 2,592,000 s, a factor of 432,000:
    //   EU Tier2-HTTPS 3 x 432,000 = 1,296,000; HTTP-Proxy 432,000;
    //   US Tier2-HTTPS 864,000; USE1 shield 864,000;
    //   EU 4000 x 432,000 = 1,728,000,000 bytes = 421,875 / 2^18 GB
    //      = 1.609325408935546875 -> 1.609325408936;
    //   US 864,000,000 bytes = 0.8046627044677734375 -> 0.804662704468.
    let usage = report::scaled_usage(&report, &s, s.cost.period).unwrap();
    assert_eq!((usage.measured, usage.scale), (SimDuration::from_secs(6), 432_000.0));
    assert_eq!(
        String::from_utf8(report::usage_csv(&usage)).unwrap(),
        "usage_type,unit,quantity\n\
         US-DataTransfer-Out-Bytes,GB,0.804662704468\n\
         EU-DataTransfer-Out-Bytes,GB,1.609325408936\n\
         US-Requests-Tier2-HTTPS,Requests,864000\n\
         EU-Requests-Tier2-HTTPS,Requests,1296000\n\
         EU-Requests-HTTP-Proxy,Requests,432000\n\
         USE1-OriginShield-Requests,Requests,864000\n"
    );
    let summary = report::summary(&report, &s).unwrap();
    assert_eq!((summary.usage.measured_seconds, summary.usage.period_seconds), (6.0, 2_592_000.0));
    assert_eq!(summary.usage.simulated["EU-Requests-Tier2-HTTPS"], 3.0);
    assert_eq!(summary.usage.monthly["EU-Requests-Tier2-HTTPS"], 1_296_000.0);
}

#[test]
fn an_edge_outside_the_price_class_bills_as_the_united_states() {
    // A third edge, GRU1 in South America. Under PriceClass_All its request
    // bills in SA; under PriceClass_100 (which leaves South America out) it
    // bills "the rate for the least expensive region in your price class":
    // US (the price classes page).
    let rest = format!(
        "{SHIELDED}\n[[topology.regional_caches]]\nregion = \"sa-east-1\"\n[[topology.edges]]\nname = \"GRU1\"\n\
         regional_cache = \"sa-east-1\"\nviewer_rtt = \"10 ms\"\nregional_rtt = \"20 ms\"\n[[topology.links]]\n\
         from = \"sa-east-1\"\nto = \"us-east-1\"\nrtt = \"120 ms\"\n"
    );
    for (class, region) in [("PriceClass_All", "SA"), ("PriceClass_100", "US")] {
        let text = two_regions(&rest)
            .replace(
                "[distribution.default_behavior]",
                "[distribution]\nprice_class = \"CLASS\"\n[distribution.default_behavior]",
            )
            .replace("CLASS", class);
        let s = scenario(&text, &[]);
        let report = run_script(&s, &[(1.0, "GRU1", Get, "/s/1")]);
        let usage = report.metrics.usage.usage();
        let https: Vec<String> = usage
            .iter()
            .filter(|(t, q)| q.pico() > 0 && t.to_string().ends_with("Requests-Tier2-HTTPS"))
            .map(|(t, _)| t.to_string())
            .collect();
        assert_eq!(https, [format!("{region}-Requests-Tier2-HTTPS")], "{class}");
    }
}

#[test]
fn functions_and_invalidations_are_counted_in_the_measured_window() {
    // TINY (IAD1 under us-east-1; a miss goes edge -> us-east-1 -> origin),
    // 0.5 s of warm-up, a CloudFront Function on viewer requests and a
    // Lambda@Edge function (2.5 ms, 512 MB) on origin requests:
    //   0 s GET /s/1: in the warm-up: not counted.
    //   1 s GET /s/1: an edge hit; the CloudFront Function runs.
    //   2 s GET /s/2: a miss; the CloudFront Function runs, and the
    //       Lambda@Edge function where the request leaves for the origin:
    //       in us-east-1's regional cache, so in us-east-1.
    // Invalidations: one at 0.2 s (in the warm-up: not counted), one at
    // 1.5 s with 2 paths (a wildcard path counts once).
    // So: 2 requests on US-Requests-Tier2-HTTPS, 2 function invocations,
    // 1 Lambda@Edge request, billed 3 ms (2.5 rounded up) x 512 MB =
    // 1,536 MB-ms = 1,536 / 1,024,000 GB-s = 0.0015 GB-s, 2 paths.
    let behavior = "[distribution.default_behavior]\norigin = \"origin\"";
    let associations = r#"functions = [{ event = "viewer-request", function = "rewrite" }, { event = "origin-request", function = "route" }]"#;
    let text = TINY
        .replace(behavior, &format!("{behavior}\n{associations}"))
        .replace("metrics_interval = \"1 s\"", "metrics_interval = \"1 s\"\nwarmup = \"0.5 s\"");
    let text = format!(
        "{text}\n{}",
        r#"
[[functions]]
name = "rewrite"
kind = "cloudfront-function"
latency = "0.5 ms"
[[functions]]
name = "route"
kind = "lambda-edge"
latency = "2.5 ms"
cold_start = "0 ms"
memory = 512
[[invalidations]]
at = "0.2 s"
paths = ["/other/*"]
[[invalidations]]
at = "1.5 s"
paths = ["/other/*", "/s/9"]
"#
    );
    let s = scenario(&text, &[]);
    let report = run_script(&s, &[(0.0, "IAD1", Get, "/s/1"), (1.0, "IAD1", Get, "/s/1"), (2.0, "IAD1", Get, "/s/2")]);
    let lines: Vec<String> =
        report.metrics.usage.usage().iter().filter(|(_, q)| q.pico() > 0).map(|(t, q)| format!("{t} {q}")).collect();
    assert_eq!(
        lines,
        [
            "US-DataTransfer-Out-Bytes 0.000001862645",
            "US-Requests-Tier2-HTTPS 2",
            "Invalidations 2",
            "CloudFrontFunctions-Invocations 2",
            "USE1-Lambda-Edge-Request 1",
            "USE1-Lambda-Edge-GB-Second 0.0015",
        ]
    );
}

#[test]
fn a_function_memory_out_of_range_or_on_a_cloudfront_function_is_refused() {
    let functions = |kind: &str, memory: &str| {
        let behavior = "[distribution.default_behavior]\norigin = \"origin\"";
        let text = TINY.replace(
            behavior,
            &format!("{behavior}\nfunctions = [{{ event = \"origin-request\", function = \"f\" }}]"),
        );
        format!("{text}\n[[functions]]\nname = \"f\"\nkind = \"{kind}\"\nmemory = {memory}\n")
    };
    let error = try_scenario(&functions("lambda-edge", "64"), &[]).unwrap_err().to_string();
    assert!(error.contains("functions[0].memory") && error.contains("use 128 to 10240"), "{error}");
    let error = try_scenario(&functions("cloudfront-function", "128"), &[]).unwrap_err().to_string();
    assert!(error.contains("functions[0].memory") && error.contains("Lambda@Edge setting"), "{error}");
    assert!(try_scenario(&functions("lambda-edge", "10240"), &[]).is_ok());
}

#[test]
fn every_run_writes_the_same_usage_csv_for_the_same_seed_scaled_to_the_cost_period() {
    let dir = temp_dir("usage-cli");
    let run = |name: &str, period: &str| {
        let out = dir.join(name);
        // No warm-up: 20,000 requests last about 10 s, quickstart's warm-up a minute.
        let args = [
            "run",
            "scenarios/quickstart.toml",
            "--no-progress",
            "--requests",
            "20000",
            "--set",
            "simulation.warmup=0",
            "--cost-period",
            period,
        ];
        let (code, stdout, stderr) = cdnsim(&[&args[..], &["--out", out.to_str().unwrap()]].concat());
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        (std::fs::read_to_string(out.join("usage.csv")).unwrap(), stdout)
    };
    let (month, stdout) = run("a", "30 d");
    let (again, _) = run("b", "30d");
    assert_eq!(month, again, "same seed, same bytes");
    assert!(stdout.contains("usage.csv scaled by") && stdout.contains("-> 30 d cost period"), "{stdout}");
    // A week is 7/30 of the month, line by line (to the rounding of each).
    let (week, _) = run("c", "7 d");
    let quantities = |csv: &str| -> Vec<(String, f64)> {
        csv.lines()
            .skip(1)
            .map(|l| {
                let cells: Vec<&str> = l.split(',').collect();
                (cells[0].to_string(), cells[2].parse().unwrap())
            })
            .collect()
    };
    assert!(month.starts_with("usage_type,unit,quantity\n"));
    let (month, week) = (quantities(&month), quantities(&week));
    assert_eq!(month.len(), week.len());
    assert!(month.iter().any(|(t, _)| t == "US-Requests-Tier2-HTTPS"), "{month:?}");
    for ((t, m), (w_type, w)) in month.iter().zip(&week) {
        assert_eq!(t, w_type);
        assert!((m * 7.0 / 30.0 - w).abs() <= 1e-9 * m.max(1.0), "{t}: {m} vs {w}");
    }
    let (code, _, stderr) = cdnsim(&["run", "scenarios/quickstart.toml", "--cost-period", "0 s"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--cost-period") && stderr.contains("shorter than a second"), "{stderr}");
}

#[test]
fn a_replay_writes_its_usage_scaled_to_the_cost_period_asked() {
    // The CSV trace is replayed at the one edge location of the replay's
    // scenario, under us-east-1: every line is a US one, scaled to an hour
    // (60 min).
    let out = temp_dir("usage-replay");
    let args = ["replay", "tests/fixtures/trace/small.csv", "--cache-size", "1MB", "--cost-period", "1 h"];
    let (code, stdout, stderr) = cdnsim(&[&args[..], &["--out", out.to_str().unwrap()]].concat());
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("-> 60 min cost period"), "{stdout}");
    let csv = std::fs::read_to_string(out.join("usage.csv")).unwrap();
    assert!(csv.starts_with("usage_type,unit,quantity\n") && csv.contains("US-Requests-Tier2-HTTPS"), "{csv}");
    assert!(csv.lines().skip(1).all(|l| l.starts_with("US-")), "one edge in us-east-1 bills in US: {csv}");
}

#[test]
fn request_bodies_reach_the_origin_line_only_over_a_connection_made() {
    // TINY's `api` class (not cached; GET and POST) with 2 KiB request
    // bodies, and its origin down (refusing connections) from 2.5 s:
    //   1 s POST /api/1: reaches the origin, its 2,048-byte body with it;
    //       the 200 brings 1,000 bytes back.
    //   2 s GET /api/2: no body; 1,000 bytes back.
    //   3 s POST /api/3: the origin refuses the connection: no body sent,
    //       and the viewer's 502 carries none.
    // So US-DataTransfer-Out-OBytes = 2,048 / 2^30 GB = 0.0000019073486328125
    // -> 0.000001907349; out to viewers 2,000 bytes -> 0.000001862645 GB;
    // two HTTPS POSTs on the proxy line, one GET on Tier2-HTTPS.
    let text =
        TINY.replace("cache_control = \"no-store\"\n", "cache_control = \"no-store\"\nrequest_body = \"2 KiB\"\n");
    let text = format!("{text}\n[[faults]]\norigin = \"origin\"\nkind = \"down\"\nstart = \"2.5 s\"\nend = \"10 s\"\n");
    let s = scenario(&text, &[]);
    assert_eq!(s.traffic.classes[1].request_body_bytes, 2_048);
    let report =
        run_script(&s, &[(1.0, "IAD1", Post, "/api/1"), (2.0, "IAD1", Get, "/api/2"), (3.0, "IAD1", Post, "/api/3")]);
    let lines: Vec<String> =
        report.metrics.usage.usage().iter().filter(|(_, q)| q.pico() > 0).map(|(t, q)| format!("{t} {q}")).collect();
    assert_eq!(
        lines,
        [
            "US-DataTransfer-Out-Bytes 0.000001862645",
            "US-DataTransfer-Out-OBytes 0.000001907349",
            "US-Requests-Tier2-HTTPS 1",
            "US-Requests-HTTPS-Proxy 2",
        ]
    );
    // A body on a class that sends no method with one is refused.
    let only_gets =
        TINY.replace("cache_control = \"max-age=10\"\n", "cache_control = \"max-age=10\"\nrequest_body = 100\n");
    let error = try_scenario(&only_gets, &[]).unwrap_err().to_string();
    assert!(error.contains("traffic.classes[0].request_body") && error.contains("only GET and HEAD"), "{error}");
}
