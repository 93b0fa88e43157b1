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
    // A location the scenario does not have makes the line malformed.
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
    assert_eq!(json(&out)["trace"]["malformed"]["count"], 4, "{err}");
    assert!(err.contains("edge location \"IAD89-C2\" is not in the scenario's topology"), "{err}");
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
