//! `cdnsim replay` and `cdnsim run --trace` end to end, on committed fixtures
//! and traces generated here.

use crate::support::{cdnsim, temp_dir};
use crate::trace::fixture;
use std::collections::{HashMap, VecDeque};

fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

/// A byte-capacity LRU or FIFO written the plainest way: (requests, hits,
/// bytes requested, bytes hit). An object larger than the cache is not admitted.
fn reference_cache(requests: &[(String, u64)], capacity: u64, lru: bool) -> (u64, u64, u64, u64) {
    let mut order: VecDeque<String> = VecDeque::new();
    let mut sizes: HashMap<String, u64> = HashMap::new();
    let (mut used, mut hits, mut bytes, mut bytes_hit) = (0, 0, 0, 0);
    for (id, size) in requests {
        bytes += size;
        if sizes.contains_key(id) {
            hits += 1;
            bytes_hit += size;
            if lru {
                let at = order.iter().position(|o| o == id).unwrap();
                let id = order.remove(at).unwrap();
                order.push_back(id);
            }
            continue;
        }
        if *size > capacity {
            continue;
        }
        while used + size > capacity {
            let victim = order.pop_front().unwrap();
            used -= sizes.remove(&victim).unwrap();
        }
        order.push_back(id.clone());
        sizes.insert(id.clone(), *size);
        used += size;
    }
    (requests.len() as u64, hits, bytes, bytes_hit)
}

/// A trace with a skewed popularity, some objects larger than small caches.
fn generated_trace(lines: usize) -> (String, Vec<(String, u64)>) {
    let mut text = String::from("time,obj_id,obj_size\n");
    let mut requests = Vec::new();
    let mut x: u64 = 12345;
    for i in 0..lines {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let r = (x >> 33) % 1000;
        // Squaring skews the draw towards small ids.
        let id = (r * r) / 10_000;
        let size = 50 + (id * 37) % 400 + if id == 7 { 5000 } else { 0 };
        text.push_str(&format!("{},{id},{size}\n", i / 10));
        requests.push((id.to_string(), size));
    }
    (text, requests)
}

fn counts(v: &serde_json::Value) -> (u64, u64, u64, u64) {
    let n = |k: &str| v[k].as_u64().unwrap_or_else(|| panic!("no {k} in {v}"));
    (n("requests"), n("hits"), n("bytes_requested"), n("bytes_hit"))
}

#[test]
fn replay_matches_a_plain_lru_and_fifo() {
    let dir = temp_dir("replay-reference");
    let (text, requests) = generated_trace(3000);
    let trace = dir.join("trace.csv");
    std::fs::write(&trace, text).unwrap();
    for capacity in [1000u64, 4000, 20_000] {
        for (policy, lru) in [("lru", true), ("fifo", false)] {
            let cap = capacity.to_string();
            let (code, out, err) = cdnsim(&[
                "replay",
                trace.to_str().unwrap(),
                "--cache-size",
                &cap,
                "--policy",
                policy,
                "--format",
                "json",
            ]);
            assert_eq!(code, 0, "{err}");
            assert_eq!(counts(&json(&out)), reference_cache(&requests, capacity, lru), "{policy} {capacity}");
        }
    }
}

#[test]
fn replay_sizes_take_human_units_and_results_repeat_exactly() {
    let dir = temp_dir("replay-units");
    let (text, _) = generated_trace(500);
    let trace = dir.join("trace.csv");
    std::fs::write(&trace, text).unwrap();
    let args = ["replay", trace.to_str().unwrap(), "--cache-size", "4 KiB", "--policy", "s3-fifo", "--format", "json"];
    let (code, first, _) = cdnsim(&args);
    assert_eq!(code, 0);
    let (_, second, _) = cdnsim(&args);
    assert_eq!(first, second);
    let (_, bytes, _) =
        cdnsim(&["replay", trace.to_str().unwrap(), "--cache-size", "4096", "--policy", "s3-fifo", "--format", "json"]);
    assert_eq!(first, bytes);
}

#[test]
fn a_ttl_makes_objects_expire() {
    let dir = temp_dir("replay-ttl");
    // Object a at 0 s, 5 s and 20 s: with a 10 s TTL the last request finds it expired.
    std::fs::write(dir.join("t.csv"), "time,obj_id,obj_size\n0,a,10\n5,a,10\n20,a,10\n").unwrap();
    let trace = dir.join("t.csv");
    let run = |extra: &[&str]| {
        let mut args = vec!["replay", trace.to_str().unwrap(), "--cache-size", "100", "--format", "json"];
        args.extend_from_slice(extra);
        let (code, out, err) = cdnsim(&args);
        assert_eq!(code, 0, "{err}");
        json(&out)
    };
    assert_eq!(run(&[])["hits"], 2);
    let expiring = run(&["--ttl", "10 s"]);
    assert_eq!(expiring["hits"], 1);
    assert_eq!(expiring["refresh_hits"], 1, "an expired copy is revalidated: {expiring}");
}

#[test]
fn malformed_lines_are_reported_and_strict_stops_with_status_2() {
    let trace = fixture("small.csv");
    let (code, out, err) = cdnsim(&["replay", trace.to_str().unwrap(), "--cache-size", "1000", "--format", "json"]);
    assert_eq!(code, 0);
    assert!(
        err.contains("2 malformed lines") && err.contains("small.csv:51:") && err.contains("small.csv:121:"),
        "{err}"
    );
    let v = json(&out);
    assert_eq!(v["trace"]["malformed"]["count"], 2);
    assert_eq!(v["trace"]["malformed"]["first"][1]["line"], 121);
    assert_eq!(v["requests"], 200);
    let dir = temp_dir("replay-strict");
    let out_dir = dir.join("results");
    let (code, out, err) = cdnsim(&[
        "replay",
        trace.to_str().unwrap(),
        "--cache-size",
        "1000",
        "--strict",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{out}");
    assert!(err.contains("small.csv:51: 2 fields"), "{err}");
    assert!(!out_dir.exists(), "no results after a strict failure");
}

#[test]
fn column_options_read_other_layouts() {
    let dir = temp_dir("replay-columns");
    let trace = dir.join("io.csv");
    std::fs::write(&trace, "version,time,op,size,lbn\n1,5,2a,512,100\n1,5,28,512,100\n1,6,28,4096,7\n").unwrap();
    let (code, out, err) = cdnsim(&[
        "replay",
        trace.to_str().unwrap(),
        "--cache-size",
        "1 MiB",
        "--time-col",
        "time",
        "--id-col",
        "5",
        "--size-col",
        "size",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(counts(&json(&out)), (3, 1, 512 + 512 + 4096, 512));
    let (code, _, err) = cdnsim(&["replay", trace.to_str().unwrap(), "--cache-size", "1 MiB", "--id-col", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("no column named \"nope\""), "{err}");
}

#[test]
fn a_replayed_log_compares_result_types_and_writes_them() {
    let dir = temp_dir("replay-logs");
    let out_dir = dir.join("results");
    let logs = fixture("logs");
    let (code, out, err) = cdnsim(&[
        "replay",
        logs.to_str().unwrap(),
        "--cache-size",
        "1 MiB",
        "--format",
        "json",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert_eq!(v["requests"], 8);
    // /static/a.js: miss, hit, HEAD hit, hit; /images/b.jpg: miss, hit; two single requests miss.
    assert_eq!(v["hits"], 4);
    let types = &v["trace"]["result_types"]["by_logged"];
    assert_eq!(types["Hit"]["Hit"], 2, "{types}");
    assert_eq!(types["Miss"]["Miss"], 2, "{types}");
    assert_eq!(types["Miss"]["Hit"], 1, "{types}");
    assert_eq!(types["RefreshHit"]["Hit"], 1, "{types}");
    assert_eq!(types["Error"]["Miss"], 2, "the replay's origin answers 200: {types}");
    let csv = std::fs::read_to_string(out_dir.join("result-types.csv")).unwrap();
    assert!(csv.starts_with("logged,Hit,RefreshHit,Miss,Error,Redirect,total\n"), "{csv}");
    assert!(csv.contains("\nMiss,1,0,2,0,0,3\n"), "{csv}");
    assert!(out_dir.join("trace.json").exists() && out_dir.join("summary.csv").exists());
    // The fixtures log x-edge-detailed-result-type too (the same values
    // here): compared the same way, 4 of the 8 agree (2 Hit, 2 Miss).
    let detailed = &v["trace"]["detailed_result_types"];
    assert_eq!(detailed["by_logged"]["Error"]["Miss"], 2, "{detailed}");
    assert_eq!(detailed["by_logged"]["RefreshHit"]["Hit"], 1, "{detailed}");
    assert_eq!(detailed["agreement"], 0.5, "{detailed}");
    let csv = std::fs::read_to_string(out_dir.join("detailed-result-types.csv")).unwrap();
    assert!(csv.starts_with("logged,Hit,OriginShieldHit,RefreshHit,Miss,Redirect,Error,"), "{csv}");
    assert!(csv.contains("\nMiss,1,0,0,2,0,0,0,0,0,0,0,3\n"), "{csv}");
}

#[test]
fn run_with_a_log_maps_edge_locations_by_name() {
    let dir = temp_dir("run-trace");
    let scenario = dir.join("two-edges.toml");
    let text = crate::support::TINY.replace("\"IAD1\"", "\"SEA19\"").replace("\"IAD2\"", "\"IAD89\"");
    std::fs::write(&scenario, text).unwrap();
    let out_dir = dir.join("results");
    let logs = fixture("logs");
    let (code, out, err) = cdnsim(&[
        "run",
        scenario.to_str().unwrap(),
        "--trace",
        logs.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert_eq!(v["requests_simulated"], 8);
    let tiers = std::fs::read_to_string(out_dir.join("tiers.csv")).unwrap();
    let requests_at = |name: &str| {
        let line = tiers.lines().find(|l| l.contains(name)).unwrap_or_else(|| panic!("{tiers}"));
        line.to_string()
    };
    // SEA19-C1 served six requests, IAD89-C2 two.
    assert!(requests_at("SEA19").contains(",6,"), "{tiers}");
    assert!(requests_at("IAD89").contains(",2,"), "{tiers}");
    // A location the scenario does not have: its lines are skipped and
    // counted by location, apart from the malformed ones.
    std::fs::write(&scenario, crate::support::TINY.replace("\"IAD1\"", "\"SEA19\"")).unwrap();
    let (code, out, err) = cdnsim(&[
        "run",
        scenario.to_str().unwrap(),
        "--trace",
        logs.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    // The 8 records: 6 at SEA19-C1 (replayed at SEA19), 2 at IAD89-C2 (lines
    // 5 and 8 of the first file; no IAD89 edge now). The 2 malformed lines
    // (a short record, a BREW) are counted as before, apart.
    assert_eq!(v["requests_simulated"], 6, "{v}");
    assert_eq!(v["trace"]["malformed"]["count"], 2, "{err}");
    let unknown = &v["trace"]["unknown_locations"];
    assert_eq!(unknown["lines"], 2, "{unknown}");
    assert_eq!(unknown["by_location"][0]["location"], "IAD89-C2", "{unknown}");
    assert_eq!(unknown["by_location"][0]["lines"], 2, "{unknown}");
    assert_eq!(unknown["by_location"][0]["line"], 5, "{unknown}");
    assert!(err.contains("2 lines skipped at 1 edge location not in the scenario"), "{err}");
    assert!(
        err.contains("IAD89-C2: 2 lines, the first at ") && err.contains("E2EXAMPLE.2019-12-13-22.0001:5"),
        "{err}"
    );
}

#[test]
fn signed_urls_in_a_log_are_verified_at_the_logged_time() {
    let dir = temp_dir("replay-signed");
    let key = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/keys/demo-rsa-private.pem");
    let (code, url, err) = cdnsim(&[
        "sign",
        "url",
        "--url",
        "https://d111111abcdef8.cloudfront.net/members/1.html",
        "--key-pair-id",
        "K2JCJMDEHXQW5F",
        "--private-key",
        key.to_str().unwrap(),
        "--date-less-than",
        "2030-01-01T00:00:00Z",
    ]);
    assert_eq!(code, 0, "{err}");
    // Logs URL-encode `~`, which CloudFront's base64 uses.
    let query = url.trim().split_once('?').unwrap().1.replace('~', "%7E");
    let record = |date: &str, stem: &str, query: &str| {
        format!("{date}\tIAD89-C1\t1000\t192.0.2.1\tGET\t{stem}\t200\t{query}\tMiss\n")
    };
    let log = format!(
        "#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs-uri-stem sc-status cs-uri-query x-edge-result-type\n{}{}{}{}",
        // The policy ends at 2030-01-01T00:00:00Z.
        record("2029-12-31\t23:59:00", "/members/1.html", &query),
        record("2029-12-31\t23:59:30", "/members/1.html", "-"),
        record("2029-12-31\t23:59:40", "/public/1.html", "-"),
        record("2030-01-01\t00:01:00", "/members/1.html", &query),
    );
    std::fs::write(dir.join("access.log"), log).unwrap();
    let scenario = format!(
        r#"
[simulation]
requests = 1
[[topology.regional_caches]]
region = "us-east-1"
[[topology.edges]]
name = "IAD89"
regional_cache = "us-east-1"
[caches.edge]
capacity = "1 GiB"
[caches.regional]
capacity = "1 GiB"
[[origins]]
name = "origin"
region = "us-east-1"
[signing]
[[signing.keys]]
id = "K2JCJMDEHXQW5F"
private_key = {key:?}
[[signing.key_groups]]
name = "members"
keys = ["K2JCJMDEHXQW5F"]
[distribution]
domain = "d111111abcdef8.cloudfront.net"
[[distribution.behaviors]]
path_pattern = "/members/*"
origin = "origin"
trusted_key_groups = ["members"]
[distribution.default_behavior]
origin = "origin"
[traffic]
rate = 1
[[traffic.classes]]
name = "pages"
share = 1
objects = 10
path = "/public/{{id}}.html"
size = "1 KiB"
[[traffic.classes]]
name = "members"
share = 1
objects = 10
path = "/members/{{id}}.html"
size = "1 KiB"
signed = {{ sessions = 1, mix = {{ valid-url = 1.0 }} }}
"#
    );
    std::fs::write(dir.join("s.toml"), scenario).unwrap();
    let (code, out, err) = cdnsim(&[
        "run",
        dir.join("s.toml").to_str().unwrap(),
        "--trace",
        dir.join("access.log").to_str().unwrap(),
        "--out",
        dir.join("results").to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert_eq!(v["trace"]["signatures_checked"], 3, "{v}");
    let signing = &v["signing"];
    assert_eq!((signing["checked"].as_u64(), signing["accepted"].as_u64()), (Some(3), Some(1)), "{signing}");
    assert_eq!(signing["by_reason"]["expired"], 1, "{signing}");
    assert_eq!(signing["rejected"], 2, "{signing}");
    assert_eq!(v["errors_4xx"], 2, "refused requests get 403: {v}");
}

#[test]
fn a_trace_longer_than_the_metrics_intervals_can_hold_is_refused_with_the_fix() {
    // 30,000 s of trace at 1 s per interval is more than 20,000 intervals. The
    // record at 15,000 s fits; the one at 30,000 s (line 4) is the first past
    // 20,000 s, so the run stops there: the trace is read to its end (not
    // simulated) for its span, 30,000 s, and 30,000 s / 20,000 = 1.5 s, so
    // the fix names 2 s. Nothing is written.
    let dir = temp_dir("too-many-intervals");
    let trace = dir.join("long.csv");
    std::fs::write(&trace, "time,obj_id,obj_size\n0,1,100\n15000,2,100\n30000,1,100\n29000,3,100\n").unwrap();
    let scenario = dir.join("tiny.toml");
    std::fs::write(&scenario, crate::support::TINY).unwrap();
    let out = dir.join("results");
    let (path, out_s) = (trace.to_str().unwrap(), out.to_str().unwrap());
    let run = ["run", scenario.to_str().unwrap(), "--trace", path, "--out", out_s, "--no-progress"];
    let (code, _, err) = cdnsim(&[&run[..], &["--set", "simulation.metrics_interval=\"1 s\""]].concat());
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!(
            "tiny.toml: `simulation.metrics_interval`: the trace spans 8.333 h (line 4 of {path} is its first request past 5.556 h), \
             more than 20000 intervals of 1 s (fix: --set simulation.metrics_interval=\"2 s\" or longer)"
        )),
        "{err}"
    );
    assert!(!out.exists(), "no results may be written");
    // The interval it suggests fits.
    let (code, _, err) = cdnsim(&[&run[..], &["--set", "simulation.metrics_interval=\"2 s\""]].concat());
    assert_eq!(code, 0, "{err}");
    assert!(out.join("timeseries.csv").exists());
    // --requests limits the records read, and so the span: three records end at 30,000 s still.
    let (code, _, err) =
        cdnsim(&[&run[..], &["--set", "simulation.metrics_interval=\"1 s\"", "--requests", "2"]].concat());
    assert_eq!(code, 0, "the first two records span 15,000 s: {err}");
}

/// Issue 13, item 10: with a trace the classes make no requests, so a
/// behavior no class reaches is no mistake: `run --trace` does not ask for
/// it (`validate` and a synthetic `run` still do).
#[test]
fn a_trace_run_does_not_need_classes_to_reach_every_behavior() {
    let dir = temp_dir("trace-unreached");
    let scenario = dir.join("s.toml");
    let text = crate::support::TINY.replacen(
        "[distribution]\n",
        "[distribution]\n[[distribution.behaviors]]\npath_pattern = \"/robots.txt\"\norigin = \"origin\"\n\n",
        1,
    );
    std::fs::write(&scenario, text).unwrap();
    let trace = dir.join("t.csv");
    std::fs::write(&trace, "time,obj_id,obj_size\n0,1,100\n1,1,100\n2,2,100\n").unwrap();
    let file = scenario.to_str().unwrap();
    let (code, _, err) = cdnsim(&["validate", file]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("`distribution.behaviors[0].path_pattern`: pattern \"/robots.txt\" never matches"), "{err}");
    let out = dir.join("results");
    let (code, stdout, err) = cdnsim(&[
        "run",
        file,
        "--trace",
        trace.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--no-progress",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json(&stdout);
    assert_eq!(v["trace"]["requests"], 3, "{v}");
    assert_eq!(v["hits"], 1, "object 1 twice at one edge: {v}");
}

/// A standard access log with the fields a replay reads, its two header
/// lines first: record `i` is on line `i + 3`. Each (seconds after
/// 10:00:00, location, stem) is a GET answered 200 with a 1000-byte body.
fn access_log(records: &[(u32, &str, &str)]) -> String {
    let mut log = String::from(
        "#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs-uri-stem sc-status \
         x-edge-result-type sc-content-len\n",
    );
    for (second, location, stem) in records {
        log.push_str(&format!(
            "2024-01-01\t10:00:{second:02}\t{location}\t1200\t192.0.2.1\tGET\t{stem}\t200\tMiss\t1000\n"
        ));
    }
    log
}

/// Five requests at two locations TINY (edges IAD1, IAD2) does not have:
/// SEA19-C1 on lines 3, 4 and 6, LHR62-C2 on lines 5 and 7.
const FIVE_AT_TWO_LOCATIONS: [(u32, &str, &str); 5] = [
    (0, "SEA19-C1", "/s/1"),
    (1, "SEA19-C1", "/s/1"),
    (2, "LHR62-C2", "/s/2"),
    (3, "SEA19-C1", "/s/1"),
    (4, "LHR62-C2", "/s/2"),
];

/// (exit code, stdout, stderr) of `cdnsim run TINY --trace LOG --out DIR/results` plus `extra`
/// (and `--format json` unless `extra` gives a format).
fn run_tiny_on(dir: &std::path::Path, log: &std::path::Path, extra: &[&str]) -> (i32, String, String) {
    let scenario = dir.join("tiny.toml");
    std::fs::write(&scenario, crate::support::TINY).unwrap();
    let out = dir.join("results");
    let mut args = vec![
        "run",
        scenario.to_str().unwrap(),
        "--trace",
        log.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--no-progress",
    ];
    if !extra.contains(&"--format") {
        args.extend(["--format", "json"]);
    }
    args.extend_from_slice(extra);
    cdnsim(&args)
}

/// The row of `tiers.csv` for one edge: (requests, hits).
fn edge_row(results: &std::path::Path, edge: &str) -> (u64, u64) {
    let tiers = std::fs::read_to_string(results.join("tiers.csv")).unwrap();
    let row = tiers.lines().find(|l| l.starts_with(&format!("edge,{edge},"))).unwrap_or_else(|| panic!("{tiers}"));
    let cells: Vec<&str> = row.split(',').collect();
    (cells[3].parse().unwrap(), cells[4].parse().unwrap())
}

/// Issue 13, item 11: a log none of whose locations is in the scenario was
/// skipped line by line and the run exited 0 with 0 requests.
#[test]
fn a_log_at_locations_the_scenario_lacks_is_an_error_and_all_edge_maps_it_onto_one() {
    let dir = temp_dir("unknown-locations");
    let log = dir.join("access.log");
    std::fs::write(&log, access_log(&FIVE_AT_TWO_LOCATIONS)).unwrap();
    let (code, out, err) = run_tiny_on(&dir, &log, &[]);
    assert_eq!(code, 2, "{out}{err}");
    // Named: the file and line of the commonest location's first line, each
    // location with its count and first line, the scenario's edges, the fix.
    assert!(err.contains("access.log:3: no request was replayed"), "{err}");
    assert!(err.contains("is one of the scenario's (IAD1, IAD2)"), "{err}");
    assert!(err.contains("skipped 3 lines at SEA19-C1 (first at ") && err.contains("access.log:3)"), "{err}");
    assert!(err.contains("2 lines at LHR62-C2 (first at ") && err.contains("access.log:5)"), "{err}");
    assert!(err.contains("fix: --edge-map all=IAD1 replays every line at IAD1"), "{err}");
    assert!(err.contains("--edge-map SEA19-C1=IAD1 maps one location"), "{err}");
    // No edge's name starts with SEA or LHR, so `airport` would not help and is not offered.
    assert!(!err.contains("airport"), "{err}");
    assert!(!dir.join("results").exists(), "no results may be written");

    // all=IAD2: the 5 lines replay at IAD2, none at IAD1. IAD2's cache
    // (3000 B) holds both 1000-byte objects: /s/1 misses then hits twice,
    // /s/2 misses then hits, so 3 hits and 2 misses (a miss is over long
    // before the next request, a second later: 100 ms).
    let (code, out, err) = run_tiny_on(&dir, &log, &["--edge-map", "all=IAD2"]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert_eq!((v["requests"].as_u64(), v["hits"].as_u64(), v["misses"].as_u64()), (Some(5), Some(3), Some(2)), "{v}");
    assert_eq!(v["trace"]["unknown_locations"]["lines"], 0, "{v}");
    assert_eq!(edge_row(&dir.join("results"), "IAD2"), (5, 3));
    assert_eq!(edge_row(&dir.join("results"), "IAD1"), (0, 0));
}

#[test]
fn airport_codes_and_pairs_map_locations_and_the_rest_are_skipped_and_counted() {
    let dir = temp_dir("edge-map-rules");
    let log = dir.join("access.log");
    let records = [
        (0, "IAD12-C1", "/s/1"), // airport: IAD1, the first edge named IAD...; a miss
        (1, "IAD55-C3", "/s/1"), // airport: IAD1; an edge hit
        (2, "SEA19-C1", "/s/1"), // the pair SEA19=IAD2: an edge miss, a hit in the shared regional cache
        (3, "FRA56-P7", "/s/2"), // no rule: skipped (line 6)
        (4, "FRA56-P7", "/s/2"), // skipped
        (5, "IAD12-C1", "/s/1"), // IAD1: an edge hit
    ];
    std::fs::write(&log, access_log(&records)).unwrap();
    // Without a map no location is an edge's name: an error, and as an edge's
    // name starts with IAD the fix offers `airport` (IAD12-C1, the commonest, to IAD1).
    let (code, _, err) = run_tiny_on(&dir, &log, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("access.log:3: no request was replayed"), "{err}");
    assert!(err.contains("--edge-map airport replays IAD12-C1 at IAD1 (by its airport code)"), "{err}");
    let (code, out, err) = run_tiny_on(&dir, &log, &["--edge-map", "airport,SEA19=IAD2"]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    // 6 lines, 2 skipped: 4 requests; hits: the two IAD1 edge hits and the
    // regional hit (a Hit, as CloudFront logs it); the one miss went to the origin.
    assert_eq!((v["requests"].as_u64(), v["hits"].as_u64(), v["misses"].as_u64()), (Some(4), Some(3), Some(1)), "{v}");
    assert_eq!(v["origin_requests"], 1, "{v}");
    assert_eq!(edge_row(&dir.join("results"), "IAD1"), (3, 2));
    assert_eq!(edge_row(&dir.join("results"), "IAD2"), (1, 0));
    let unknown = &v["trace"]["unknown_locations"];
    assert_eq!(unknown["lines"], 2, "{unknown}");
    assert_eq!(unknown["by_location"].as_array().unwrap().len(), 1, "{unknown}");
    assert_eq!(
        (unknown["by_location"][0]["location"].as_str(), unknown["by_location"][0]["line"].as_u64()),
        (Some("FRA56-P7"), Some(6))
    );
    assert!(err.contains("2 lines skipped at 1 edge location not in the scenario"), "{err}");
    assert!(err.contains("FRA56-P7: 2 lines, the first at ") && err.contains("access.log:6"), "{err}");
    // The table says so too.
    let (code, table, _) =
        run_tiny_on(&dir, &log, &["--edge-map", "airport", "--edge-map", "SEA19=IAD2", "--format", "table"]);
    assert_eq!(code, 0);
    assert!(table.contains("2 lines skipped at edge locations not in the scenario"), "{table}");
}

#[test]
fn strict_stops_at_the_first_unknown_location_with_the_fix() {
    let dir = temp_dir("unknown-strict");
    let log = dir.join("access.log");
    std::fs::write(&log, access_log(&FIVE_AT_TWO_LOCATIONS)).unwrap();
    let (code, _, err) = run_tiny_on(&dir, &log, &["--strict"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("access.log:3: edge location \"SEA19-C1\" is not in the scenario's topology"), "{err}");
    assert!(err.contains("fix: --edge-map all=IAD1"), "{err}");
    assert!(!dir.join("results").exists());
}

#[test]
fn a_bad_edge_map_is_refused_naming_the_rule_and_nothing_is_written() {
    let dir = temp_dir("edge-map-bad");
    let log = dir.join("access.log");
    std::fs::write(&log, access_log(&FIVE_AT_TWO_LOCATIONS)).unwrap();
    for (rule, expected) in [
        (
            "all=NOPE",
            "--edge-map names \"NOPE\", which is not an edge location of the scenario (its edges: IAD1, IAD2)",
        ),
        ("SEA19-C1=IAD9", "--edge-map names \"IAD9\""),
        ("all=IAD1,airport", "all=IAD1 sends every request to IAD1, so it cannot be combined with airport"),
        ("IAD1", "\"IAD1\" is not an edge map rule: give all=EDGE, airport, or LOCATION=EDGE"),
    ] {
        let (code, _, err) = run_tiny_on(&dir, &log, &["--edge-map", rule]);
        assert_eq!(code, 2, "{rule}: {err}");
        assert!(err.contains(expected), "{rule}: {err}");
        assert!(!dir.join("results").exists(), "{rule}");
    }
    // Without a trace there is nothing to map.
    let scenario = dir.join("tiny.toml");
    let (code, _, err) = cdnsim(&["run", scenario.to_str().unwrap(), "--edge-map", "all=IAD1"]);
    assert_eq!(code, 2);
    assert!(err.contains("--trace"), "{err}");
}

/// Issue 13, item 8: a first line that was blank sent a log to the CSV
/// reader, which panicked on it.
#[test]
fn traces_whose_first_line_is_blank_are_detected_and_replayed() {
    let dir = temp_dir("blank-first-line");
    let log = dir.join("access.log");
    std::fs::write(&log, format!("\n{}", access_log(&FIVE_AT_TWO_LOCATIONS))).unwrap();
    let replay = |trace: &std::path::Path| {
        let (code, out, err) =
            cdnsim(&["replay", trace.to_str().unwrap(), "--cache-size", "1 MiB", "--format", "json"]);
        assert_eq!(code, 0, "{err}");
        json(&out)
    };
    // One cache: /s/1 misses then hits twice, /s/2 misses then hits.
    let v = replay(&log);
    assert_eq!(counts(&v), (5, 3, 5000, 3000), "{v}");
    assert_eq!(v["trace"]["malformed"]["count"], 0, "{v}");
    // A CSV trace: blank lines, then the header, then a, a, b: one hit.
    let csv = dir.join("t.csv");
    std::fs::write(&csv, "\n \r\ntime,obj_id,obj_size\n0,a,10\n1,a,10\n\n2,b,10\n").unwrap();
    assert_eq!(counts(&replay(&csv)), (3, 1, 30, 10));
}

/// Issue 13, item 12: an RTMP log was replayed as GETs with running byte
/// counts, and a real-time log was a malformed line per record.
#[test]
fn rtmp_and_real_time_logs_are_refused_naming_file_line_and_fix() {
    let dir = temp_dir("refused-formats");
    let rtmp = dir.join("rtmp.log");
    std::fs::write(
        &rtmp,
        "#Version: 1.0\n#Fields: date time x-edge-location c-ip x-event sc-bytes x-cf-status x-cf-client-id \
         cs-uri-stem cs-uri-query c-referrer x-page-url c-user-agent x-sname x-sname-query x-file-ext x-sid\n\
         2010-03-12\t23:51:20\tSEA4\t192.0.2.147\tconnect\t2014\tOK\tbfd8a98bee0840d9b871b7f6ade9908f\t\
         rtmp://s5c39gqb8ow64r.cloudfront.net/cfx/st\tkey=value\thttp://player.example.com/player.swf\t\
         http://www.example.com/video\tLNX%2010,0,32,18\t-\t-\t-\t-\n",
    )
    .unwrap();
    let realtime = dir.join("realtime.log");
    std::fs::write(
        &realtime,
        "1600000000.123\t192.0.2.1\t0.001\t200\t1000\tGET\thttps\td111111abcdef8.cloudfront.net\t/a.js\n",
    )
    .unwrap();
    for (trace, expected) in [
        (&rtmp, "rtmp.log:2: this is a CloudFront RTMP streaming distribution log"),
        (&realtime, "realtime.log:1: this looks like a CloudFront real-time log"),
    ] {
        let (code, _, err) = run_tiny_on(&dir, trace, &[]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(expected), "{err}");
        assert!(err.contains("(fix: replay CloudFront standard access logs"), "{err}");
        assert!(!dir.join("results").exists());
        let (code, _, err) = cdnsim(&["replay", trace.to_str().unwrap(), "--cache-size", "1 MiB"]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(expected), "{err}");
    }
}

#[test]
fn a_trace_with_no_request_in_it_is_an_error_saying_why() {
    let dir = temp_dir("nothing-replayed");
    let empty = dir.join("empty.log");
    std::fs::write(&empty, access_log(&[])).unwrap();
    let (code, _, err) = run_tiny_on(&dir, &empty, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("empty.log: no request was replayed: the trace holds no records"), "{err}");
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "time,obj_id,obj_size\n1,a\nx,b,1\n").unwrap();
    let (code, _, err) = run_tiny_on(&dir, &bad, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("bad.csv:2: no request was replayed: all 2 lines with a record are malformed"), "{err}");
    assert!(!dir.join("results").exists());
}

/// TINY with its default behavior on a cache policy keying `keys` (TOML:
/// `query_strings = ...`, `cookies = ...`), TTLs from the origin.
fn tiny_keyed(keys: &str) -> String {
    let behavior = "[distribution.default_behavior]\norigin = \"origin\"";
    assert!(crate::support::TINY.contains(behavior));
    let text = crate::support::TINY.replace(behavior, &format!("{behavior}\ncache_policy = \"keyed\""));
    format!("{text}\n[[distribution.cache_policies]]\nname = \"keyed\"\nmin_ttl = 0\n{keys}\n")
}

/// `run SCENARIO --trace tests/fixtures/trace/query --edge-map all=IAD1 --format json`: the summary.
fn run_query_fixture(name: &str, scenario_text: &str) -> serde_json::Value {
    let dir = temp_dir(name);
    let scenario = dir.join("keyed.toml");
    std::fs::write(&scenario, scenario_text).unwrap();
    let (code, stdout, stderr) = cdnsim(&[
        "run",
        scenario.to_str().unwrap(),
        "--trace",
        &crate::trace::fixture("query").to_string_lossy(),
        "--edge-map",
        "all=IAD1",
        "--format",
        "json",
        "--out",
        dir.join("results").to_str().unwrap(),
        "--no-progress",
    ]);
    assert_eq!(code, 0, "{stderr}");
    json(&stdout)
}

/// (hits, misses, keys, objects, fragmentation misses at the edge and at the regional cache).
fn keyed_counts(v: &serde_json::Value) -> (u64, u64, u64, u64, u64, u64) {
    let k = &v["cache_keys"];
    let n = |x: &serde_json::Value| x.as_u64().unwrap_or_else(|| panic!("{v}"));
    (
        n(&v["hits"]),
        n(&v["misses"]),
        n(&k["keys_requested"]),
        n(&k["objects_requested"]),
        n(&k["edge_fragmentation_misses"]),
        n(&k["regional_fragmentation_misses"]),
    )
}

/// The fixture, by hand (one edge, IAD1; every object 1000 bytes, fresh
/// for 10 s, all seven requests within 7 s, so only keys decide):
///
/// | s | stem | cs-uri-query | cs(Cookie) |
/// |---|---|---|---|
/// | 0 | /s/1 | a=1 | - |
/// | 1 | /s/1 | a=2 | - |
/// | 2 | /s/1 | a=1&utm_source=x | - |
/// | 3 | /s/1 | a=1 | - |
/// | 4 | /s/2 | - | session=7;%20theme=dark |
/// | 5 | /s/2 | - | theme=light;%20session=7 |
/// | 6 | /s/2 | - | session=8 |
///
/// Keying the query string `a` and the cookie `session`: /s/1 has the keys
/// a=1 and a=2: a=1 misses, a=2 misses, a=1&utm_source=x is a=1's key and
/// hits, a=1 hits (2 keys, 2 misses, 2 hits: the issue's example). /s/2 has
/// session=7 (a miss, then a hit: the cookies' order and `theme` do not
/// count) and session=8 (a miss). In all 4 keys for 2 objects, 3 hits and
/// 4 misses. a=2 and session=8 each missed while another key of their
/// object was cached and fresh, at the edge and at the regional cache: 2
/// fragmentation misses at each. (The 3000-byte edge cache evicts a=2 for
/// session=8 at 6 s; no later request wants a=2.)
#[test]
fn a_log_s_query_strings_and_cookies_are_keyed_as_the_policy_says() {
    let v = run_query_fixture(
        "trace-keys",
        &tiny_keyed("query_strings = { allow = [\"a\"] }\ncookies = { allow = [\"session\"] }"),
    );
    assert_eq!(v["trace"]["requests"], 7, "{v}");
    assert_eq!(keyed_counts(&v), (3, 4, 4, 2, 2, 2));

    // Every query string, no cookie: a=1&utm_source=x is a key of its own
    // (3 keys for /s/1, 1 hit), and /s/2's three requests share one (2
    // hits): 4 keys, 3 hits, 4 misses; a=2 and a=1&utm_source=x fragment.
    let v = run_query_fixture("trace-keys-all", &tiny_keyed("query_strings = \"all\""));
    assert_eq!(keyed_counts(&v), (3, 4, 4, 2, 2, 2));
    let behavior = |v: &serde_json::Value| v["cache_keys"]["keys_per_object"].as_f64().unwrap();
    assert_eq!(behavior(&v), 2.0);

    // Keying nothing of them (a header only): the path is the key, 2 keys
    // for 2 objects, 5 hits and 2 misses, no fragmentation.
    let v = run_query_fixture("trace-keys-none", &tiny_keyed("headers = [\"Accept-Language\"]"));
    assert_eq!(keyed_counts(&v), (5, 2, 2, 2, 0, 0));
}

/// A query string longer than CloudFront's URL allows cannot have been
/// served: an error naming the line, when a policy keys query strings.
#[test]
fn a_query_past_cloudfront_s_url_limit_is_refused_naming_the_line() {
    let dir = temp_dir("trace-keys-long");
    let log = dir.join("access.log");
    let long = format!("a={}", "x".repeat(8_191));
    let text = std::fs::read_to_string(crate::trace::fixture("query/E2EXAMPLE.2024-01-01-10.0001")).unwrap();
    std::fs::write(&log, text.replacen("a=2", &long, 1)).unwrap();
    let scenario = dir.join("keyed.toml");
    std::fs::write(&scenario, tiny_keyed("query_strings = \"all\"")).unwrap();
    let out = dir.join("results");
    let args = |scenario: &str| {
        let (code, _, err) = cdnsim(&[
            "run",
            scenario,
            "--trace",
            log.to_str().unwrap(),
            "--edge-map",
            "all=IAD1",
            "--out",
            out.to_str().unwrap(),
            "--no-progress",
        ]);
        (code, err)
    };
    let (code, err) = args(scenario.to_str().unwrap());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("access.log:4: cs-uri-query is 8193 bytes") && err.contains("fix: "), "{err}");
    assert!(!out.exists(), "nothing written");
    // A scenario that keys no query string does not read it.
    let plain = dir.join("tiny.toml");
    std::fs::write(&plain, crate::support::TINY).unwrap();
    let (code, err) = args(plain.to_str().unwrap());
    assert_eq!(code, 0, "{err}");
}

/// The `/images/*` row of `cache_keys.csv` in `dir`: (requests, keys, objects).
fn images_keys(dir: &std::path::Path) -> (u64, u64, u64) {
    let text = std::fs::read_to_string(dir.join("cache_keys.csv")).unwrap();
    let row = text.lines().find(|l| l.starts_with("behavior,/images/*,")).unwrap_or_else(|| panic!("{text}"));
    let cells: Vec<u64> = row.split(',').skip(4).take(3).map(|c| c.parse().unwrap()).collect();
    (cells[0], cells[1], cells[2])
}

/// The quickstart's images carry `size` (keyed) and `utm_source` (not):
/// replaying the access log of a run gives the same keys as the run, since
/// the log holds each request's query string and a key is a set's member,
/// whatever the order and timing of the replay.
#[test]
fn a_run_s_access_log_replayed_keys_its_query_strings_as_the_run_did() {
    let dir = temp_dir("trace-keys-round-trip");
    let quickstart = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quickstart.toml");
    let quickstart = quickstart.to_str().unwrap();
    let (logs, synthetic, traced) = (dir.join("logs"), dir.join("synthetic"), dir.join("traced"));
    let run = |extra: &[&str], out: &std::path::Path| {
        let mut args = vec!["run", quickstart, "--no-progress", "--set", "simulation.warmup=0 s", "--out"];
        args.push(out.to_str().unwrap());
        args.extend_from_slice(extra);
        let (code, _, err) = cdnsim(&args);
        assert_eq!(code, 0, "{err}");
    };
    run(&["--requests", "20000", "--access-log", logs.to_str().unwrap(), "--access-log-plain"], &synthetic);
    run(&["--trace", logs.to_str().unwrap()], &traced);
    let (requests, keys, objects) = images_keys(&synthetic);
    assert!(keys > objects, "sizes fragment the images: {keys} keys for {objects} objects");
    assert_eq!(images_keys(&traced), (requests, keys, objects));
}

/// The query fixture as a CSV trace with `--query-col` and `--cookie-col`:
/// the same requests, so the same keys, hits and misses as the log gives
/// (`a_log_s_query_strings_and_cookies_are_keyed_as_the_policy_says`).
#[test]
fn a_csv_trace_s_query_and_cookie_columns_are_keyed_like_a_log_s() {
    let dir = temp_dir("trace-keys-csv");
    let csv = dir.join("trace.csv");
    std::fs::write(
        &csv,
        "time,obj_id,obj_size,q,c\n0,/s/1,1000,a=1,-\n1,/s/1,1000,a=2,\n2,/s/1,1000,a=1&utm_source=x,\n\
         3,/s/1,1000,a=1,\n4,/s/2,1000,,session=7; theme=dark\n5,/s/2,1000,-,theme=light;%20session=7\n\
         6,/s/2,1000,,session=8\n",
    )
    .unwrap();
    let scenario = dir.join("keyed.toml");
    std::fs::write(&scenario, tiny_keyed("query_strings = { allow = [\"a\"] }\ncookies = { allow = [\"session\"] }"))
        .unwrap();
    let run = |columns: &[&str]| {
        let out = dir.join("results");
        let mut args = vec!["run", scenario.to_str().unwrap(), "--trace", csv.to_str().unwrap()];
        args.extend_from_slice(&["--edge-map", "all=IAD1", "--format", "json", "--no-progress", "--out"]);
        args.push(out.to_str().unwrap());
        args.extend_from_slice(columns);
        let (code, stdout, stderr) = cdnsim(&args);
        assert_eq!(code, 0, "{stderr}");
        json(&stdout)
    };
    assert_eq!(keyed_counts(&run(&["--query-col", "q", "--cookie-col", "5"])), (3, 4, 4, 2, 2, 2));
    // Without the columns named, a CSV trace carries neither: 5 hits, 2 misses.
    assert_eq!(keyed_counts(&run(&[])), (5, 2, 2, 2, 0, 0));
}

/// `generated_trace` as libCacheSim's oracleGeneral records: time in whole
/// seconds, numeric ids, sizes; next-access positions from 1 (-1 for none),
/// worked out backwards as libCacheSim's trace generator does.
fn oracle_trace(requests: &[(String, u64)]) -> Vec<u8> {
    use cdnsim::trace::oracle::OracleRecord;
    let mut next_use: HashMap<&str, u64> = HashMap::new();
    let mut next = vec![None; requests.len()];
    for (i, (id, _)) in requests.iter().enumerate().rev() {
        next[i] = next_use.insert(id.as_str(), i as u64 + 1);
    }
    let mut bytes = Vec::new();
    for (i, (id, size)) in requests.iter().enumerate() {
        let record = OracleRecord {
            time_s: (i / 10) as u32,
            obj_id: id.parse().unwrap(),
            size_bytes: *size as u32,
            next_access: next[i],
        };
        bytes.extend_from_slice(&record.encode());
    }
    bytes
}

#[test]
fn an_oracle_general_trace_replays_as_its_csv_does_plain_or_zstd() {
    let dir = temp_dir("replay-oracle");
    let (text, requests) = generated_trace(3000);
    let csv = dir.join("trace.csv");
    std::fs::write(&csv, text).unwrap();
    let binary = oracle_trace(&requests);
    let plain = dir.join("trace.oracleGeneral.bin");
    std::fs::write(&plain, &binary).unwrap();
    // Named as anything: zstd's magic says what it is.
    let zstd = dir.join("trace.zst");
    std::fs::write(
        &zstd,
        ruzstd::encoding::compress_to_vec(binary.as_slice(), ruzstd::encoding::CompressionLevel::Fastest),
    )
    .unwrap();
    let replay = |trace: &std::path::Path, extra: &[&str]| {
        let mut args = vec!["replay", trace.to_str().unwrap(), "--cache-size", "4000", "--format", "json"];
        args.extend_from_slice(extra);
        let (code, out, err) = cdnsim(&args);
        assert_eq!(code, 0, "{err}");
        json(&out)
    };
    let from_csv = replay(&csv, &["--time-unit", "s"]);
    assert_eq!(counts(&from_csv), reference_cache(&requests, 4000, true));
    for trace in [&plain, &zstd] {
        let from_binary = replay(trace, &[]);
        assert_eq!(counts(&from_binary), counts(&from_csv), "{}", trace.display());
        assert_eq!(from_binary["trace"]["objects"], from_csv["trace"]["objects"]);
    }
    // A binary file the name does not announce is refused with the fix.
    let unnamed = dir.join("trace.bin");
    std::fs::write(&unnamed, &binary).unwrap();
    let (code, _, err) = cdnsim(&["replay", unnamed.to_str().unwrap(), "--cache-size", "4000"]);
    assert_ne!(code, 0);
    assert!(err.contains("trace.bin") && err.contains("--trace-format oracle-general"), "{err}");
    let given = replay(&unnamed, &["--trace-format", "oracle-general"]);
    assert_eq!(counts(&given), counts(&from_csv));
    // A file cut inside a record is an error naming the file and the record.
    let cut = dir.join("cut.oracleGeneral.bin");
    std::fs::write(&cut, &binary[..binary.len() - 5]).unwrap();
    let (code, _, err) = cdnsim(&["replay", cut.to_str().unwrap(), "--cache-size", "4000"]);
    assert_ne!(code, 0);
    assert!(err.contains("cut.oracleGeneral.bin") && err.contains("record 3000"), "{err}");
}
