//! One run over several threads (issue 20): the distribution is cut into
//! partitions by the scenario alone, so every file is the same at any
//! thread count, and the partitioned engine gets the hand-computed numbers.

use super::support::*;
use cdnsim::engine::{self, Report, RunError};
use cdnsim::http::Method;
use cdnsim::scenario::Scenario;
use cdnsim::time::SimDuration;
use std::ops::ControlFlow;

fn run_on(scenario: &Scenario, seed: u64, threads: usize) -> Report {
    engine::run_on_threads(scenario, seed, threads, &mut |_| ControlFlow::Continue(())).unwrap_or_else(|e| match e {
        RunError::Accounting(broken) => panic!("{broken}"),
        RunError::Stopped(_) => unreachable!("never stopped"),
    })
}

fn files(report: &Report, scenario: &Scenario) -> Vec<(&'static str, Vec<u8>)> {
    cdnsim::report::result_files(report, scenario).expect("the run's files")
}

/// Two Regions, their edges and one origin, at constant round trips: the
/// origin is 0.5 ms from us-east-1 and 90 ms from eu-west-1, and the two
/// regional caches 80 ms apart.
fn two_partitions() -> Scenario {
    let text = two_regions(
        r#"
[[topology.links]]
from = "us-east-1"
to = "origin"
rtt = "0.5 ms"
[[topology.links]]
from = "eu-west-1"
to = "origin"
rtt = "90 ms"
[[origins]]
name = "origin"
region = "us-east-1"
latency = "40 ms"
[distribution.default_behavior]
origin = "origin"
"#,
    );
    scenario(&text, &[])
}

/// The plan, worked by hand. Pairs that can send each other requests, and
/// the shortest one-way delay between them (half the round trip's floor; a
/// constant link's floor is itself):
/// - us-east-1's cache and the origin: 0.5 ms / 2 = 250 us, under the 1 ms
///   worth a window: one partition (0: IAD1, us-east-1, the origin);
/// - eu-west-1's cache and the origin: the shortest path by mean is through
///   us-east-1 (80 + 0.5 = 80.5 ms, under the direct 90 ms): 40.25 ms;
/// - the two regional caches send each other nothing: neither is an
///   Origin Shield.
///
/// So two partitions (DUB1 and eu-west-1 the second) and a lookahead of
/// 40.25 ms.
///
/// Then three requests for /s/1, each through both partitions' numbers:
/// - 0 s at DUB1: misses at the edge and at eu-west-1, goes to the origin
///   in the other partition and back: 20 (edge to cache) + 80.5 (cache to
///   origin) + 40 (origin) + 10 (viewer) = 150.5 ms;
/// - 1 s at DUB1: an edge hit, 10 ms;
/// - 2 s at IAD1: misses at IAD1 and at us-east-1 (eu-west-1 holds the
///   copy, not us-east-1): 20 + 0.5 + 40 + 10 = 70.5 ms.
///
/// Latency sum 150.5 + 10 + 70.5 = 231 ms; two origin requests.
#[test]
fn a_run_over_two_partitions_gets_the_hand_computed_plan_and_numbers() {
    let s = two_partitions();
    let steps =
        [(0.0, "DUB1", Method::Get, "/s/1"), (1.0, "DUB1", Method::Get, "/s/1"), (2.0, "IAD1", Method::Get, "/s/1")];
    let report = run_script(&s, &steps);
    let p = &report.partitions;
    assert_eq!(p.count, 2);
    assert_eq!(p.lookahead, SimDuration::from_millis_f64(40.25));
    assert_eq!(p.notes.len(), 1, "{:?}", p.notes);
    assert!(
        p.notes[0].contains("us-east-1 and origin origin share a partition") && p.notes[0].contains("250 us"),
        "{}",
        p.notes[0]
    );
    let m = &report.metrics;
    assert_eq!(m.requests, 3);
    assert_eq!(m.latency_sum_us, 231_000);
    assert_eq!(m.origin_requests, 2);
    assert_eq!((m.caches[1].hits, m.caches[1].misses), (1, 1), "DUB1: a miss, then a hit");
    assert_eq!(
        (m.caches[0].misses, m.caches[2].misses, m.caches[3].misses),
        (1, 1, 1),
        "IAD1 and both regional caches"
    );
    // Both partitions handled events: the requests crossed between them.
    assert!(p.events.iter().all(|&e| e > 0), "{:?}", p.events);
    assert_eq!(p.events.iter().sum::<u64>(), report.events);
}

/// A link drawn from a log-normal can be as short as it likes: no lookahead
/// is safe across it, so the groups it joins share a partition, and with
/// every link so, the run is one partition, and says why.
#[test]
fn links_without_a_floor_merge_what_they_join_and_say_so() {
    let s = scenario(TINY, &[r#"topology.links[0].rtt={ dist = "lognormal", mean = "30 ms", stddev = "10 ms" }"#]);
    let report = run(&s, 3);
    assert_eq!(report.partitions.count, 1);
    assert!(report.partitions.notes.iter().any(|n| n.contains("0 s apart")), "{:?}", report.partitions.notes);
    // At a constant 30 ms, the same scenario is two partitions.
    assert_eq!(run(&scenario(TINY, &[]), 3).partitions.count, 2);
}

/// The bundled failover scenario, short and busy, with everything that
/// crosses partitions: an Origin Shield in another Region than its origin
/// (regional cache to shield), an origin group whose primary black-holes
/// for a while (failover from the origins to the secondary's Region),
/// stale-while-revalidate and stale-if-error on the static class
/// (background fetches and stale answers crossing back), metrics intervals.
fn busy_failover() -> Scenario {
    busy_failover_with(&["origins[0].origin_shield=\"eu-west-2\""])
}

/// The bundled failover scenario, short and busy (`busy_failover`), with `more`.
fn busy_failover_with(more: &[&str]) -> Scenario {
    let path = std::path::Path::new("scenarios/origin-failover.toml");
    let sets = [
        "traffic.rate=3000",
        "simulation.warmup=\"2 s\"",
        "simulation.metrics_interval=\"5 s\"",
        "faults[0].start=\"6 s\"",
        "faults[0].end=\"12 s\"",
        "traffic.classes[0].cache_control=\"max-age=3, stale-while-revalidate=5, stale-if-error=30\"",
    ];
    let overrides: Vec<_> = sets.iter().chain(more).map(|s| cdnsim::scenario::Override::parse(s).unwrap()).collect();
    let mut s = Scenario::load(path, &overrides).unwrap_or_else(|e| panic!("{e}"));
    s.stop_after_requests(60_000).unwrap();
    s
}

#[test]
fn every_result_file_is_identical_on_one_two_and_three_threads() {
    let s = busy_failover();
    let one = run_on(&s, 11, 1);
    // us-east-1 with the primary, us-west-2 with the backup, eu-west-2.
    assert_eq!(one.partitions.count, 3, "{:?}", one.partitions);
    let m = &one.metrics;
    let failovers: u64 = m.by_method.iter().map(|b| b.primary_failures).sum();
    assert!(
        failovers > 0 && m.shield_role.iter().any(|t| t.lookups > 0),
        "nothing crossed: the test would see nothing"
    );
    let expected = files(&one, &s);
    for threads in [2, 3] {
        let other = run_on(&s, 11, threads);
        assert!(files(&other, &s) == expected, "{threads} threads wrote other files than one");
        assert_eq!((other.events, other.partitions.windows), (one.events, one.partitions.windows));
    }
}

/// The partitioned engine simulates what the serial one does: on this
/// scenario (latencies drawn, so that nothing happens in two partitions in
/// the same microsecond by construction) every file is the same.
#[test]
fn the_partitioned_run_is_the_serial_run() {
    let s = busy_failover();
    let serial = engine::run_unpartitioned(&s, 11, &mut |_| {}).expect("the accounting adds up");
    assert_eq!(serial.partitions.count, 1);
    let parted = run_on(&s, 11, 2);
    assert!(files(&parted, &s) == files(&serial, &s), "the partitioned run differs from the serial one");
    assert_eq!(parted.events, serial.events);
}

/// Without a shield, a request from us-west-2's edges that the primary (in
/// us-east-1's partition) fails over goes to the backup in its own
/// partition, where it is parked: it must come back as itself, or it and
/// the requests collapsed on it would never finish.
#[test]
fn a_request_failed_over_into_its_own_partition_is_itself_again() {
    let s = busy_failover_with(&[]);
    let serial = engine::run_unpartitioned(&s, 5, &mut |_| {}).expect("the accounting adds up");
    let one = run_on(&s, 5, 1);
    assert_eq!(one.partitions.count, 3);
    assert!(one.metrics.by_method.iter().map(|b| b.primary_failures).sum::<u64>() > 0, "no failover to test");
    let expected = files(&one, &s);
    assert!(files(&serial, &s) == expected, "the partitioned run differs from the serial one");
    assert!(files(&run_on(&s, 5, 2), &s) == expected, "2 threads wrote other files than one");
}

/// The access log (the engine's observer), the CLI's files and the signed
/// viewers' checks, at 1, 2 and 3 threads: every byte the same.
#[test]
fn the_cli_writes_the_same_bytes_and_access_logs_at_any_thread_count() {
    let dir = temp_dir("parallel-cli");
    let mut outputs = Vec::new();
    for threads in ["1", "2", "3"] {
        let out = dir.join(format!("out{threads}"));
        let logs = dir.join(format!("logs{threads}"));
        let (code, stdout, stderr) = cdnsim(&[
            "run",
            "scenarios/signed-urls.toml",
            "--requests",
            "60000",
            "--no-progress",
            "--threads",
            threads,
            "--out",
            out.to_str().unwrap(),
            "--access-log",
            logs.to_str().unwrap(),
            "--access-log-plain",
        ]);
        assert_eq!(code, 0, "{stderr}");
        assert!(stdout.contains("2 partitions on"), "{stdout}");
        outputs.push([folder_files(&out), folder_files(&logs)].concat());
    }
    assert!(outputs[0].len() > 5);
    assert!(outputs[0] == outputs[1] && outputs[0] == outputs[2], "the files differ between thread counts");
}

/// `--threads 0` is refused with the fix.
#[test]
fn zero_threads_is_refused() {
    let (code, _, stderr) = cdnsim(&["run", "scenarios/quickstart.toml", "--threads", "0", "--no-progress"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--threads"), "{stderr}");
}
