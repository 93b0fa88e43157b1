//! The commands of the README, end to end through the binary.

use crate::support::*;

#[test]
fn quickstart_runs_and_writes_every_file() {
    let out = temp_dir("quickstart");
    let (code, stdout, stderr) = cdnsim(&[
        "run",
        "scenarios/quickstart.toml",
        "--requests",
        "20000",
        "--set",
        "simulation.warmup=0",
        "--no-progress",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("hit ratio"), "{stdout}");
    for file in ["summary.csv", "tiers.csv", "behaviors.csv", "timeseries.csv"] {
        let text = std::fs::read_to_string(out.join(file)).unwrap();
        assert!(text.lines().count() >= 2, "{file} has a header and rows");
    }
    let tiers = std::fs::read_to_string(out.join("tiers.csv")).unwrap();
    assert_eq!(tiers.lines().filter(|l| l.starts_with("edge,")).count(), 5);
    assert_eq!(tiers.lines().filter(|l| l.starts_with("regional,")).count(), 2);
    assert_eq!(tiers.lines().filter(|l| l.starts_with("origin,")).count(), 2);
}

#[test]
fn json_summary_has_the_documented_keys() {
    let out = temp_dir("json");
    let (code, stdout, stderr) = cdnsim(&[
        "run",
        "scenarios/quickstart.toml",
        "--requests",
        "10000",
        "--set",
        "simulation.warmup=0",
        "--seed",
        "7",
        "--set",
        "traffic.zipf_alpha=1.1",
        "--format",
        "json",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON object");
    for key in [
        "requests",
        "hits",
        "hit_ratio",
        "bytes_requested",
        "bytes_hit",
        "byte_hit_ratio",
        "edge_hit_ratio",
        "regional_hit_ratio",
        "origin_requests",
        "origin_offload",
        "latency_ms",
        "by_method",
        "events",
        "seed",
    ] {
        assert!(v.get(key).is_some(), "missing {key}: {stdout}");
    }
    for key in ["p50", "p95", "p99", "mean"] {
        assert!(v["latency_ms"][key].is_number(), "latency_ms.{key}");
    }
    assert_eq!(v["seed"], 7);
    for key in ["requests", "hits", "errors_5xx"] {
        assert!(v["by_method"]["GET"][key].is_number(), "by_method.GET.{key}");
    }
}

#[test]
fn validate_describes_the_scenario() {
    let (code, stdout, stderr) = cdnsim(&["validate", "scenarios/quickstart.toml"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("5 edge locations, 2 regional edge caches, 2 origins"), "{stdout}");
    assert!(stdout.contains("ok: scenarios/quickstart.toml is valid"), "{stdout}");
}

#[test]
fn every_bundled_scenario_is_valid() {
    for entry in std::fs::read_dir("scenarios").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let (code, _, stderr) = cdnsim(&["validate", path.to_str().unwrap()]);
            assert_eq!(code, 0, "{}: {stderr}", path.display());
        }
    }
}

#[test]
fn origin_failover_scenario_recovers_reads_and_fails_writes() {
    let out = temp_dir("failover");
    let (code, stdout, stderr) = cdnsim(&[
        "run",
        "scenarios/origin-failover.toml",
        "--set",
        "simulation.duration=\"16 min\"",
        "--set",
        "traffic.rate=20",
        "--format",
        "json",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON object");
    let get = &v["failover"]["GET"];
    assert!(get["failovers"].as_u64().unwrap() > 0, "{get}");
    assert_eq!(get["failovers"], get["served_by_secondary"], "the secondary is healthy: {get}");
    // Three connection attempts of 10 s each before every failover.
    let added = get["failover_added_ms"]["p50"].as_f64().unwrap();
    assert!((30_000.0..30_500.0).contains(&added), "{added}");
    // Writes go to the primary alone and fail while it is black-holed.
    assert!(v["failover"]["POST"]["errors_by_status"]["504"].as_u64().unwrap() > 0, "{}", v["failover"]);
    assert_eq!(v["failover"]["POST"]["failovers"], 0);
    let csv = std::fs::read_to_string(out.join("failover.csv")).unwrap();
    assert!(
        csv.starts_with("method,requests,reached_origin_group,primary_failures,failovers,served_by_secondary"),
        "{csv}"
    );
    let timeseries = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    assert!(timeseries.lines().next().unwrap().contains("failovers,viewer_errors"), "{timeseries}");
}
