//! Access logs: what `--access-log` writes, byte-identical per seed, and the
//! round trip: a run's logs, read back with the trace reader (and replayed),
//! give the run's own request stream.

use crate::support::*;
use cdnsim::cdn::traffic::{Catalog, Scripted};
use cdnsim::engine::{self, observer::FinishedRequest, observer::RequestObserver};
use cdnsim::http::Method;
use cdnsim::policy::result_type::LoggedResult;
use cdnsim::report::access_log::{AccessLog, AccessLogOptions, FIELDS, header};
use cdnsim::scenario::{Override, Scenario};
use cdnsim::time::SimTime;
use cdnsim::trace::TraceReader;
use cdnsim::trace::cloudfront_log::CloudFrontLogReader;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Two edges, big caches and a day's TTL, GET only: within a run no copy
/// expires or is evicted, and an S3 origin in the edges' own Region is
/// fetched without the regional cache (reference §5.1), so each edge misses
/// exactly once per object it is asked for and the requests collapsed onto
/// that miss are hits, whatever the order of requests within a second.
const STEADY: &str = r#"
[simulation]
duration = "30 s"
warmup = "0 s"

[[topology.regional_caches]]
region = "us-east-1"

[[topology.edges]]
name = "IAD89-C1"
regional_cache = "us-east-1"

[[topology.edges]]
name = "JFK50-C2"
regional_cache = "us-east-1"

[caches.edge]
capacity = "100 MiB"

[caches.regional]
capacity = "100 MiB"

[[origins]]
name = "origin"
kind = "s3"
region = "us-east-1"
latency = { dist = "lognormal", mean = "300 ms", stddev = "200 ms" }

[distribution.default_behavior]
origin = "origin"

[traffic]
rate = 100
https_share = 0.7

[[traffic.classes]]
name = "images"
share = 1
objects = 300
path = "/img/{id}.jpg"
size = "2000 B"
cache_control = "max-age=86400"
"#;

/// What a request's log record must say, from the engine's own record.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Seen {
    /// Unix second of the record's `time` (when the response finished).
    second: i64,
    edge: String,
    method: Method,
    path: String,
    query: String,
    https: bool,
    status: u16,
    result: LoggedResult,
    content_len: u64,
}

/// Keeps what each finished request must log, and hands it on to the log.
struct Recorder<'a, 's> {
    scenario: &'s Scenario,
    log: Option<&'a mut AccessLog<'s>>,
    seen: Vec<Seen>,
    path: String,
}

impl<'a, 's> Recorder<'a, 's> {
    fn new(scenario: &'s Scenario, log: Option<&'a mut AccessLog<'s>>) -> Self {
        Recorder { scenario, log, seen: Vec::new(), path: String::new() }
    }
}

impl RequestObserver for Recorder<'_, '_> {
    fn on_finish(&mut self, r: &FinishedRequest<'_>) {
        self.scenario.traffic.classes[r.class].path_of(r.object_in_class, &mut self.path);
        let content_len = if r.method == Method::Head && r.status < 300 { r.object_bytes } else { r.body_bytes };
        self.seen.push(Seen {
            second: self.scenario.signing.epoch_s + (r.finished.0 / 1_000_000) as i64,
            edge: self.scenario.topology.edges[r.edge].name.clone(),
            method: r.method,
            path: self.path.clone(),
            query: r.signed_query.unwrap_or("").to_string(),
            https: r.https,
            status: r.status,
            result: LoggedResult::parse(format!("{:?}", r.result).as_bytes()),
            content_len,
        });
        if let Some(log) = self.log.as_deref_mut() {
            log.on_finish(r);
        }
    }
}

/// Undoes the log's `%XX` encoding (a reader-independent check of what the
/// reader hands back raw).
fn percent_decode(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// Runs the scenario's traffic, logging into `dir`; returns what each request must log.
fn run_logged(scenario: &Scenario, seed: u64, dir: &Path, options: AccessLogOptions) -> (Vec<Seen>, Vec<PathBuf>) {
    let mut log = AccessLog::create(dir, scenario, seed, options).unwrap();
    let mut recorder = Recorder::new(scenario, Some(&mut log));
    engine::run_observed(scenario, seed, &mut recorder, &mut |_| {}).expect("the accounting adds up");
    let seen = recorder.seen;
    (seen, log.finish().unwrap())
}

/// Reads a log folder back with the trace reader, as `Seen` records.
fn read_back(dir: &Path) -> Vec<Seen> {
    let mut reader = CloudFrontLogReader::open(dir, true).unwrap();
    let mut records = Vec::new();
    while let Some(r) = reader.next_record().unwrap() {
        records.push(Seen {
            second: r.time_us.div_euclid(1_000_000),
            edge: percent_decode(r.edge_location.unwrap()),
            method: r.method,
            path: percent_decode(std::str::from_utf8(r.key).unwrap()),
            query: percent_decode(r.query),
            https: r.https,
            status: r.status.unwrap(),
            result: r.result_type.unwrap(),
            content_len: r.size_bytes,
        });
    }
    assert_eq!(reader.malformed().count, 0, "{:?}", reader.malformed().first);
    records
}

/// `cdnsim run SCENARIO --format json --out OUT EXTRA...`, which must
/// succeed; its JSON summary.
fn run_json(scenario_file: &Path, out: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["run", scenario_file.to_str().unwrap(), "--no-progress", "--format", "json"];
    args.extend_from_slice(&["--out", out.to_str().unwrap()]);
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = cdnsim(&args);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str::<serde_json::Value>(&stdout).unwrap()
}

fn all_bytes(files: &[PathBuf]) -> Vec<(String, Vec<u8>)> {
    files.iter().map(|f| (f.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(f).unwrap())).collect()
}

#[test]
fn signed_traffic_logs_read_back_as_the_run_s_own_requests() {
    // Signed URLs, signed cookies, refusals (403), hits and misses over 8 edges.
    let scenario = Scenario::load(
        Path::new("scenarios/signed-urls.toml"),
        &[Override::parse("simulation.requests=3000").unwrap()],
    )
    .unwrap();
    let dir = temp_dir("accesslog-signed");
    let (seen, files) = run_logged(&scenario, 3, &dir, AccessLogOptions::default());
    assert!(!files.is_empty());
    let read = read_back(&dir);
    assert_eq!(read.len(), 3000);
    // Records are written in finish order and files in hour order, so the
    // reader gives them back one for one.
    for (i, (logged, run)) in read.iter().zip(&seen).enumerate() {
        assert_eq!(logged, run, "record {i}");
    }
    // The mix this test relies on is there.
    assert!(seen.iter().any(|s| s.query.contains("Signature=")));
    assert!(seen.iter().any(|s| s.status == 403));
    assert!(seen.iter().any(|s| s.result == LoggedResult::Hit));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn replaying_a_run_s_logs_gives_the_same_requests_and_results() {
    let scenario = scenario(STEADY, &[]);
    let dir = temp_dir("accesslog-replay");
    let (original, _) = run_logged(&scenario, 11, &dir, AccessLogOptions::default());
    let read = read_back(&dir);
    assert_eq!(read, original);

    // Replay: each logged request arrives at its edge at its logged second.
    let epoch_us = scenario.signing.epoch_s * 1_000_000;
    let entries: Vec<(SimTime, &str, Method, &str)> = read
        .iter()
        .map(|r| (SimTime((r.second * 1_000_000 - epoch_us) as u64), r.edge.as_str(), r.method, r.path.as_str()))
        .collect();
    let catalog = Catalog::build(&scenario, 11);
    let mut script = Scripted::from_paths(&scenario, &catalog, &entries).unwrap();
    let mut recorder = Recorder::new(&scenario, None);
    let report = engine::run_with_observer(&scenario, 11, catalog, &mut script, &mut recorder, &mut |_| {})
        .expect("the accounting adds up");
    assert_eq!(report.requests_simulated, original.len() as u64);
    assert_eq!(report.unfinished, 0);
    let replayed = recorder.seen;

    // The same requests: edge, method and URI, and at the logs' resolution
    // the time: a replayed request arrives at its record's second.
    let stream = |seen: &[Seen]| {
        let mut v: Vec<(String, Method, String, u16)> =
            seen.iter().map(|s| (s.edge.clone(), s.method, s.path.clone(), s.status)).collect();
        v.sort();
        v
    };
    assert_eq!(stream(&replayed), stream(&original));
    let mut arrivals: Vec<i64> = entries.iter().map(|e| (e.0.0 / 1_000_000) as i64).collect();
    let mut logged: Vec<i64> = original.iter().map(|s| s.second - scenario.signing.epoch_s).collect();
    arrivals.sort();
    logged.sort();
    assert_eq!(arrivals, logged);

    // The same results: each edge misses once per object it is asked for,
    // in the run and in its replay.
    let results = |seen: &[Seen]| {
        let mut by: BTreeMap<(String, String, LoggedResult), u64> = BTreeMap::new();
        for s in seen {
            *by.entry((s.edge.clone(), s.path.clone(), s.result)).or_default() += 1;
        }
        by
    };
    let (run, replay) = (results(&original), results(&replayed));
    // (Printed only in part when it fails: the maps are long.)
    assert!(
        run == replay,
        "{} (edge, URI, result) counts differ",
        run.iter().filter(|(k, n)| replay.get(*k) != Some(n)).count()
    );
    assert!(run.keys().any(|k| k.2 == LoggedResult::Hit) && run.keys().any(|k| k.2 == LoggedResult::Miss));
    assert!(run.iter().all(|(k, n)| k.2 != LoggedResult::Miss || *n == 1), "one miss per edge and object");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_same_seed_writes_the_same_bytes() {
    let scenario = scenario(STEADY, &["simulation.duration=2 h", "traffic.rate=1"]);
    let (a, b, c) = (temp_dir("accesslog-seed-a"), temp_dir("accesslog-seed-b"), temp_dir("accesslog-seed-c"));
    let (_, first) = run_logged(&scenario, 5, &a, AccessLogOptions::default());
    let (_, again) = run_logged(&scenario, 5, &b, AccessLogOptions::default());
    let (_, other) = run_logged(&scenario, 6, &c, AccessLogOptions::default());
    // Two hours of simulated time: two files, gzip, CloudFront's names.
    assert_eq!(first.len(), 2);
    assert!(first.iter().all(|f| f.extension().unwrap() == "gz"));
    assert_eq!(all_bytes(&first), all_bytes(&again));
    assert_ne!(all_bytes(&first), all_bytes(&other));
    for dir in [a, b, c] {
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[test]
fn cdnsim_run_writes_access_logs_with_cloudfront_s_header_and_fields() {
    let dir = temp_dir("accesslog-cli");
    let scenario_file = dir.join("steady.toml");
    std::fs::write(&scenario_file, STEADY).unwrap();
    let logs = dir.join("logs");
    let (code, stdout, stderr) = cdnsim(&[
        "run",
        scenario_file.to_str().unwrap(),
        "--requests",
        "500",
        "--no-progress",
        "--out",
        dir.join("results").to_str().unwrap(),
        "--access-log",
        logs.to_str().unwrap(),
        "--access-log-plain",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("access logs: 500 requests in 1 files"), "{stdout}");
    let files: Vec<PathBuf> = std::fs::read_dir(&logs).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1);
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with('E') && name.contains(".2030-01-01-00."), "{name}");
    let text = std::fs::read_to_string(&files[0]).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("#Version: 1.0"));
    let fields = lines.next().unwrap().strip_prefix("#Fields: ").unwrap();
    assert_eq!(fields.split(' ').collect::<Vec<_>>(), FIELDS);
    assert_eq!(FIELDS.len(), 33);
    let records: Vec<&str> = lines.collect();
    assert_eq!(records.len(), 500);
    for record in records {
        assert_eq!(record.split('\t').count(), 33, "{record}");
    }
    assert!(text.starts_with(&header()));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_access_log_folder_that_cannot_be_made_is_a_clear_error() {
    let dir = temp_dir("accesslog-bad");
    let blocker = dir.join("a-file");
    std::fs::write(&blocker, "x").unwrap();
    let results = dir.join("results");
    let (code, _, stderr) = cdnsim(&[
        "run",
        "scenarios/quickstart.toml",
        "--requests",
        "10",
        "--no-progress",
        "--out",
        results.to_str().unwrap(),
        "--access-log",
        blocker.join("logs").to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("cannot create the access log folder"), "{stderr}");
    // Nothing was run, so no results either.
    assert!(!results.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn cdnsim_run_trace_replays_a_run_s_access_logs_with_the_same_counts() {
    let dir = temp_dir("accesslog-cli-replay");
    let scenario_file = dir.join("steady.toml");
    std::fs::write(&scenario_file, STEADY).unwrap();
    let logs = dir.join("logs");
    let run = |extra: &[&str], out: &str| run_json(&scenario_file, &dir.join(out), extra);
    let original = run(&["--access-log", logs.to_str().unwrap()], "original");
    let replayed = run(&["--trace", logs.to_str().unwrap()], "replayed");
    // The same requests, hits, misses and errors: each edge misses once per
    // object, in the run and in its replay (see STEADY).
    for key in ["requests", "hits", "misses", "refresh_hits", "errors_4xx", "errors_5xx", "bytes_requested"] {
        assert_eq!(original[key], replayed[key], "{key}");
    }
    let trace = &replayed["trace"];
    assert_eq!(trace["requests"], original["requests"]);
    assert_eq!(trace["malformed"]["count"], 0);
    // What the logs say happened, per result type, is what the replay did.
    let by_logged = &trace["result_types"]["by_logged"];
    assert_eq!(by_logged["Hit"]["total"], original["hits"]);
    assert_eq!(by_logged["Miss"]["total"], original["misses"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_signed_class_with_its_own_query_string_replays_from_its_logs_with_the_same_signature_checks() {
    // The log splits `/members/7.html?lang=en&Policy=…` into the stem and
    // `lang=en&Policy=…`; the replay rebuilds the same URL, so every
    // signature the run accepted is accepted again, and every expired one
    // refused again.
    let dir = temp_dir("accesslog-query-class");
    let key = std::env::current_dir().unwrap().join("scenarios/keys/demo-rsa-private.pem");
    let text = format!(
        r#"
[simulation]
requests = 2000
[topology.generate]
edges = 2
regions = ["us-east-1"]
[[origins]]
name = "content"
kind = "s3"
region = "us-east-1"
latency = "30 ms"
[signing]
[[signing.keys]]
id = "K2JCJMDEHXQW5F"
private_key = {key:?}
[[signing.key_groups]]
name = "members"
keys = ["K2JCJMDEHXQW5F"]
[[distribution.behaviors]]
path_pattern = "/members/*"
origin = "content"
trusted_key_groups = ["members"]
[distribution.default_behavior]
origin = "content"
[traffic]
rate = 100
objects = 50
[[traffic.classes]]
name = "members"
share = 1
path = "/members/{{id}}.html?lang=en"
size = "2 KiB"
cache_control = "max-age=600"
signed = {{ sessions = 20, mix = {{ valid-url = 0.9, expired = 0.1 }} }}
"#
    );
    let scenario_file = dir.join("members.toml");
    std::fs::write(&scenario_file, text).unwrap();
    let logs = dir.join("logs");
    let run = |extra: &[&str], out: &str| run_json(&scenario_file, &dir.join(out), extra);
    let original = run(&["--access-log", logs.to_str().unwrap()], "original");
    let replayed = run(&["--trace", logs.to_str().unwrap()], "replayed");
    assert_eq!(replayed["trace"]["malformed"]["count"], 0);
    for key in ["checked", "accepted", "rejected"] {
        assert_eq!(original["signing"][key], replayed["signing"][key], "{key}");
    }
    assert_eq!(original["signing"]["checked"], 2000);
    assert!(original["signing"]["accepted"].as_u64().unwrap() > 1500);
    assert!(original["signing"]["by_reason"]["expired"].as_u64().unwrap() > 0);
    std::fs::remove_dir_all(&dir).unwrap();
}
