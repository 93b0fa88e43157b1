//! `cdnsim mrc` end to end: a curve worked by hand, the identities every
//! curve keeps, the exact pass and the simulated policies against `cdnsim
//! replay`, SHARDS, determinism across threads, and bad input.

use crate::support::{cdnsim, temp_dir};
use std::collections::HashMap;
use std::path::Path;

/// One row of mrc.csv.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    policy: String,
    size: u64,
    requests: u64,
    misses: u64,
    miss_ratio: f64,
    bytes: u64,
    miss_bytes: u64,
    byte_miss_ratio: f64,
}

fn read_rows(dir: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(dir.join("mrc.csv")).expect("mrc.csv written");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("policy,size_bytes,requests,misses,miss_ratio,bytes,miss_bytes,byte_miss_ratio"),
        "{text}"
    );
    lines
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            let n = |i: usize| f[i].parse::<u64>().unwrap_or_else(|e| panic!("{e}: {line}"));
            let x = |i: usize| f[i].parse::<f64>().unwrap_or_else(|e| panic!("{e}: {line}"));
            Row {
                policy: f[0].to_string(),
                size: n(1),
                requests: n(2),
                misses: n(3),
                miss_ratio: x(4),
                bytes: n(5),
                miss_bytes: n(6),
                byte_miss_ratio: x(7),
            }
        })
        .collect()
}

/// Runs `cdnsim mrc` with `args` into `dir/name` and returns its rows.
fn mrc(dir: &Path, name: &str, trace: &Path, args: &[&str]) -> Vec<Row> {
    let out = dir.join(name);
    let mut all = vec!["mrc", trace.to_str().unwrap(), "--no-progress", "--out", out.to_str().unwrap()];
    all.extend_from_slice(args);
    let (code, stdout, err) = cdnsim(&all);
    assert_eq!(code, 0, "{err}\n{stdout}");
    read_rows(&out)
}

/// A trace of skewed popularity whose sizes vary between objects (50 to
/// 1,449 bytes, one object of 5,000) but not between the requests of one.
fn generated_trace(lines: usize, seed: u64) -> (String, usize, u64) {
    skewed_trace(lines, seed, 1000, 2000)
}

/// Object ids `r * r / divisor` for `r` uniform below `range`: skewed to small ids.
fn skewed_trace(lines: usize, seed: u64, range: u64, divisor: u64) -> (String, usize, u64) {
    let mut text = String::from("time,obj_id,obj_size\n");
    let mut x = seed;
    let mut objects = std::collections::HashSet::new();
    let mut largest = 0;
    for i in 0..lines {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let r = (x >> 33) % range;
        let id = (r * r) / divisor;
        let size = 50 + (id * 389) % 1400 + if id == 7 { 5000 } else { 0 };
        largest = largest.max(size);
        objects.insert(id);
        text.push_str(&format!("{},{id},{size}\n", i / 10));
    }
    (text, objects.len(), largest)
}

fn replay_misses(trace: &Path, size: u64, policy: &str) -> (u64, u64) {
    let size = size.to_string();
    let (code, out, err) = cdnsim(&[
        "replay",
        trace.to_str().unwrap(),
        "--cache-size",
        &size,
        "--policy",
        policy,
        "--format",
        "json",
        "--no-progress",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let n = |k: &str| v[k].as_u64().unwrap();
    (n("requests") - n("hits"), n("bytes_requested") - n("bytes_hit"))
}

#[test]
fn a_curve_worked_by_hand() {
    let dir = temp_dir("mrc-by-hand");
    let trace = dir.join("t.csv");
    // Requests (object:size) and their stack distances (the bytes of the
    // distinct objects used since the object's last use, plus its size):
    //   1 a:3  cold
    //   2 b:2  cold
    //   3 c:4  cold
    //   4 a:3  b, c above: 2 + 4 = 6, + 3 = 9
    //   5 b:2  c, a above: 4 + 3 = 7, + 2 = 9
    //   6 d:1  cold
    //   7 a:3  b, d above: 2 + 1 = 3, + 3 = 6
    //   8 c:4  a, b, d above: 3 + 2 + 1 = 6, + 4 = 10
    // 22 bytes in all. At 4 bytes no distance fits: 8 misses, 22 bytes.
    // At 9: requests 4, 5 and 7 hit (3 + 2 + 3 = 8 bytes): 5 misses, 14 bytes.
    // At 10: request 8 too (4 bytes): 4 misses (the 4 cold ones), 10 bytes.
    std::fs::write(&trace, "time,obj_id,obj_size\n0,a,3\n1,b,2\n2,c,4\n3,a,3\n4,b,2\n5,d,1\n6,a,3\n7,c,4\n").unwrap();
    let rows = mrc(&dir, "out", &trace, &["--sizes", "4,9,10"]);
    let got: Vec<(&str, u64, u64, u64, u64, u64)> =
        rows.iter().map(|r| (r.policy.as_str(), r.size, r.requests, r.misses, r.bytes, r.miss_bytes)).collect();
    assert_eq!(got, vec![("lru", 4, 8, 8, 22, 22), ("lru", 9, 8, 5, 22, 14), ("lru", 10, 8, 4, 22, 10)]);
    assert_eq!(rows[1].miss_ratio, 5.0 / 8.0);
    assert_eq!(rows[1].byte_miss_ratio, 14.0 / 22.0);
    // The same through the cache store (every size is at least the largest object, 4 bytes).
    for size in [4, 9, 10] {
        let lru = rows.iter().find(|r| r.size == size).unwrap();
        assert_eq!(replay_misses(&trace, size, "lru"), (lru.misses, lru.miss_bytes), "at {size}");
    }
}

#[test]
fn curves_keep_their_identities_and_the_exact_pass_equals_replay() {
    let dir = temp_dir("mrc-identities");
    let trace = dir.join("t.csv");
    let (text, objects, largest) = generated_trace(4000, 99);
    std::fs::write(&trace, text).unwrap();
    // The default sizes: 40 from the smallest object to the working set, every policy.
    let rows = mrc(&dir, "all", &trace, &["--policy", "all"]);
    let mut by_policy: HashMap<&str, Vec<&Row>> = HashMap::new();
    for r in &rows {
        by_policy.entry(r.policy.as_str()).or_default().push(r);
        assert_eq!(r.requests, 4000);
        assert!(r.misses <= r.requests && r.miss_bytes <= r.bytes, "{r:?}");
        // Every first request misses, at every size.
        assert!(r.misses >= objects as u64, "{r:?}");
        assert_eq!(r.miss_ratio, r.misses as f64 / r.requests as f64);
    }
    // `all` is every eviction policy and Belady.
    assert_eq!(by_policy.len(), cdnsim::scenario::EvictionPolicy::ALL.len() + 1);
    assert_eq!(by_policy["belady"].len(), by_policy["lru"].len());
    let lru = &by_policy["lru"];
    assert!(lru.len() >= 30, "{} sizes", lru.len());
    // The stack curve never rises; at the working set only cold misses are left.
    assert!(lru.windows(2).all(|w| w[0].size < w[1].size && w[1].misses <= w[0].misses));
    assert!(lru.windows(2).all(|w| w[1].miss_bytes <= w[0].miss_bytes));
    assert_eq!(lru.last().unwrap().misses, objects as u64);
    // Exact from the largest object up: equal to replay there; an upper bound below.
    let mut checked = 0;
    for r in lru.iter().step_by(5) {
        let replayed = replay_misses(&trace, r.size, "lru");
        if r.size >= largest {
            assert_eq!((r.misses, r.miss_bytes), replayed, "lru at {}", r.size);
            checked += 1;
        } else {
            assert!(r.misses >= replayed.0 && r.miss_bytes >= replayed.1, "lru at {}: {r:?} {replayed:?}", r.size);
        }
    }
    assert!(checked >= 3, "{checked} sizes at or above the largest object");
    // The simulated policies are the cache store itself: equal at every size.
    for policy in ["fifo", "sieve", "s3-fifo", "clock", "2q", "s4lru", "arc", "gdsf", "lfuda"] {
        for r in by_policy[policy].iter().step_by(9) {
            assert_eq!((r.misses, r.miss_bytes), replay_misses(&trace, r.size, policy), "{policy} at {}", r.size);
        }
    }
}

#[test]
fn lru_at_one_size_is_a_simulated_cache_exact_at_any_size() {
    let dir = temp_dir("mrc-lru-one-size");
    let trace = dir.join("t.csv");
    // The hand-worked trace of `a_curve_worked_by_hand`: asked one size at a
    // time, the rows are its numbers (8/22, 5/14, 4/10 misses/bytes at 4, 9
    // and 10 bytes), now from one simulated LRU cache each.
    std::fs::write(&trace, "time,obj_id,obj_size\n0,a,3\n1,b,2\n2,c,4\n3,a,3\n4,b,2\n5,d,1\n6,a,3\n7,c,4\n").unwrap();
    for (size, misses, miss_bytes) in [(4, 8, 22), (9, 5, 14), (10, 4, 10)] {
        let rows = mrc(&dir, &format!("hand-{size}"), &trace, &["--sizes", &size.to_string()]);
        let got: Vec<_> =
            rows.iter().map(|r| (r.policy.as_str(), r.size, r.requests, r.misses, r.miss_bytes)).collect();
        assert_eq!(got, vec![("lru", size, 8, misses, miss_bytes)]);
        let json = std::fs::read_to_string(dir.join(format!("hand-{size}/mrc.json"))).unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["lru_method"], "simulated");
        assert!(v["size_changes"].is_null(), "the stack pass did not run");
    }
    // Below the largest object the stack pass is only an upper bound; one
    // size simulated equals the replay there too.
    let (text, _, largest) = generated_trace(4000, 7);
    std::fs::write(&trace, text).unwrap();
    let sizes = [largest / 8, largest / 2, largest, largest * 4];
    let stack = mrc(&dir, "stack", &trace, &["--sizes", &sizes.map(|s| s.to_string()).join(",")]);
    let mut strictly_tighter = 0;
    for (i, &size) in sizes.iter().enumerate() {
        let one = mrc(&dir, &format!("one-{i}"), &trace, &["--sizes", &size.to_string()]);
        let replayed = replay_misses(&trace, size, "lru");
        assert_eq!((one[0].misses, one[0].miss_bytes), replayed, "at {size}");
        assert!(stack[i].misses >= one[0].misses, "at {size}: the stack is an upper bound");
        strictly_tighter += (stack[i].misses > one[0].misses) as u32;
    }
    assert!(strictly_tighter >= 1, "the trace has objects the small sizes refuse");
}

#[test]
fn shards_at_rate_one_is_the_exact_pass_and_sampling_is_close() {
    let dir = temp_dir("mrc-shards");
    let trace = dir.join("t.csv");
    let (text, _, _) = generated_trace(20_000, 7);
    std::fs::write(&trace, text).unwrap();
    let sizes = ["--sizes", "1KB..2MB", "--points", "12"];
    let rows = mrc(&dir, "one", &trace, &[&["--policy", "lru", "--sample-rate", "1"][..], &sizes[..]].concat());
    let (exact, sampled): (Vec<&Row>, Vec<&Row>) = rows.iter().partition(|r| r.policy == "lru");
    assert_eq!(exact.len(), 12);
    assert!(sampled.iter().all(|r| r.policy == "lru-shards"));
    let strip = |r: &&Row| (r.size, r.requests, r.misses, r.bytes, r.miss_bytes);
    assert_eq!(exact.iter().map(strip).collect::<Vec<_>>(), sampled.iter().map(strip).collect::<Vec<_>>());
    // SHARDS on ~10,000 objects: a fixed rate of 10% and a fixed size of
    // 1,000 objects, within 0.05 of the exact curve and within four of the
    // error estimates (standard deviations) printed.
    let (text, objects, _) = skewed_trace(100_000, 11, 20_000, 40_000);
    assert!(objects > 9000, "{objects} objects");
    std::fs::write(&trace, text).unwrap();
    let sizes = ["--sizes", "10KB..8MB", "--points", "12"];
    for (name, sampling) in [("rate", ["--sample-rate", "0.1"]), ("fixed", ["--sample-objects", "1000"])] {
        let rows = mrc(&dir, name, &trace, &[&["--policy", "lru"][..], &sampling[..], &sizes[..]].concat());
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(name).join("mrc.json")).unwrap()).unwrap();
        let estimate = json["shards"]["miss_ratio_error"].as_f64().unwrap();
        let (exact, sampled): (Vec<&Row>, Vec<&Row>) = rows.iter().partition(|r| r.policy == "lru");
        for (e, s) in exact.iter().zip(&sampled) {
            let error = (e.miss_ratio - s.miss_ratio).abs();
            assert!(error < 0.05 && error <= 4.0 * estimate, "{name}: {e:?} {s:?}, estimate {estimate}");
        }
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("fixed/mrc.json")).unwrap()).unwrap();
    assert!(json["shards"]["sampled_objects"].as_u64().unwrap() <= 1000, "{}", json["shards"]);
    assert!(json["shards"]["rate"].as_f64().unwrap() < 0.2, "{}", json["shards"]);
}

#[test]
fn results_repeat_exactly_whatever_the_threads() {
    let dir = temp_dir("mrc-threads");
    let trace = dir.join("t.csv");
    let (text, _, _) = generated_trace(3000, 5);
    std::fs::write(&trace, text).unwrap();
    let args = ["--policy", "all", "--sample-rate", "0.5", "--points", "8"];
    mrc(&dir, "one", &trace, &[&args[..], &["--threads", "1"]].concat());
    mrc(&dir, "three", &trace, &[&args[..], &["--threads", "3"]].concat());
    for file in ["mrc.csv", "mrc.json"] {
        let one = std::fs::read(dir.join("one").join(file)).unwrap();
        assert_eq!(one, std::fs::read(dir.join("three").join(file)).unwrap(), "{file}");
    }
}

#[test]
fn bad_input_is_refused_with_a_reason_and_writes_nothing() {
    let dir = temp_dir("mrc-bad");
    let trace = dir.join("t.csv");
    std::fs::write(&trace, "time,obj_id,obj_size\n0,a,3\n1,b,x\n2,a,3\n").unwrap();
    let out = dir.join("out");
    let cases: &[(&[&str], &str)] = &[
        (&["--policy", "lfu"], "unknown eviction policy `lfu`"),
        (&["--sizes", ","], "--sizes: give at least one cache size"),
        (&["--sizes", "10MB..1MB"], "a range goes from"),
        (&["--sizes", "ten"], "--sizes \"ten\""),
        (&["--sample-rate", "0"], "give a fraction in (0, 1]"),
        (&["--sample-rate", "1.5"], "give a fraction in (0, 1]"),
        (&["--sample-objects", "0"], "--sample-objects must be at least 1"),
        (&["--strict"], "t.csv:3"),
    ];
    for (args, message) in cases {
        let mut all = vec!["mrc", trace.to_str().unwrap(), "--no-progress", "--out", out.to_str().unwrap()];
        all.extend_from_slice(args);
        let (code, _, err) = cdnsim(&all);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(message), "{args:?}: {err}");
        assert!(!out.exists(), "{args:?} wrote results");
    }
    // Without --strict the malformed line is skipped, counted and named.
    let (code, _, err) = cdnsim(&["mrc", trace.to_str().unwrap(), "--no-progress", "--sizes", "3"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("1 malformed lines") && err.contains("t.csv:3:"), "{err}");
    // A trace of nothing usable.
    std::fs::write(&trace, "time,obj_id,obj_size\n0,a,x\n").unwrap();
    let (code, _, err) = cdnsim(&["mrc", trace.to_str().unwrap(), "--no-progress", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("no request was read") && err.contains("t.csv"), "{err}");
    assert!(!out.exists());
}

#[test]
fn plot_draws_both_curves_of_an_mrc_folder() {
    let dir = temp_dir("mrc-plot");
    let trace = dir.join("t.csv");
    let (text, _, _) = generated_trace(2000, 3);
    std::fs::write(&trace, text).unwrap();
    mrc(&dir, "out", &trace, &["--policy", "lru,fifo", "--points", "10"]);
    let out = dir.join("out");
    let (code, stdout, err) = cdnsim(&["plot", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("2 charts"), "{stdout}");
    for file in ["mrc-miss-ratio.png", "mrc-miss-ratio.svg", "mrc-byte-miss-ratio.svg", "report.html"] {
        assert!(out.join(file).is_file(), "{file}");
    }
    let svg = std::fs::read_to_string(out.join("mrc-miss-ratio.svg")).unwrap();
    assert!(svg.contains("lru") && svg.contains("fifo"), "one line per policy, named");
}

#[test]
fn belady_is_worked_by_hand_and_no_policy_beats_it_on_objects_of_one_size() {
    let dir = temp_dir("mrc-belady");
    let trace = dir.join("t.csv");
    // One byte each, a cache of 3: a b c d a b e a b c d e.
    // Belady (farthest next use goes): d evicts c (next at 9; a at 4, b at 5),
    // e evicts d (next at 10; a at 7, b at 8), c evicts a or b (both never
    // again), d the other: hits at 4, 5, 7, 8 and 11, so 7 misses.
    // LRU: d evicts a, a evicts b, b evicts c, e evicts d, a and b hit, then
    // c, d and e each evict the least recent: 2 hits, 10 misses.
    let text: String = "abcdabeabcde".chars().enumerate().map(|(i, c)| format!("{i},{c}\n")).collect();
    std::fs::write(&trace, format!("time,obj_id\n{text}")).unwrap();
    let rows = mrc(&dir, "by-hand", &trace, &["--sizes", "3", "--policy", "lru,belady"]);
    let got: Vec<(&str, u64, u64)> = rows.iter().map(|r| (r.policy.as_str(), r.size, r.misses)).collect();
    assert_eq!(got, vec![("lru", 3, 10), ("belady", 3, 7)]);

    // With objects of one size MIN is optimal: at every size no policy misses
    // less, and it misses at least once per object (its first request).
    let (sized, objects, _) = skewed_trace(4000, 11, 300, 90);
    let unit: String = sized.lines().skip(1).map(|l| l.rsplit_once(',').unwrap().0.to_string() + "\n").collect();
    let trace = dir.join("unit.csv");
    std::fs::write(&trace, format!("time,obj_id\n{unit}")).unwrap();
    let rows = mrc(&dir, "unit", &trace, &["--policy", "all", "--sizes", "1,5,20,50,100,200,400"]);
    for belady in rows.iter().filter(|r| r.policy == "belady") {
        assert!(belady.misses >= objects as u64, "{belady:?}");
        for other in rows.iter().filter(|r| r.size == belady.size && r.policy != "belady") {
            assert!(belady.misses <= other.misses, "{belady:?} against {other:?}");
        }
    }
    assert_eq!(rows.iter().filter(|r| r.policy == "belady").count(), 7);
}

/// A stoppable pass (the Python package's Ctrl-C): its callback is asked
/// when the reading starts, every 65,536 requests and at its end; one that
/// never stops it gives the plain pass's curves, and a `Break` ends the
/// reading there with `engine::Stopped` and no curves.
#[test]
fn a_stoppable_mrc_is_the_plain_one_until_its_callback_stops_it() {
    use cdnsim::engine::Stopped;
    use cdnsim::mrc::{MrcFlags, MrcOptions, mrc as curves, mrc_stoppable};
    use cdnsim::replay::TraceInput;
    use std::ops::ControlFlow;
    let dir = temp_dir("mrc-stoppable");
    let trace = dir.join("t.csv");
    let (text, _, _) = generated_trace(150_000, 3);
    std::fs::write(&trace, text).unwrap();
    let options = MrcOptions::from_args(&MrcFlags { points: 10, ..MrcFlags::default() }).unwrap();
    let input = TraceInput::default();
    let plain = curves(&trace, &input, &options, &mut |_| {}).unwrap();
    let mut asked = 0;
    let going = mrc_stoppable(&trace, &input, &options, &mut |_| {
        asked += 1;
        ControlFlow::Continue(())
    })
    .unwrap();
    // 150,000 requests: asked at the start, at 65,536 and 131,072, and at the end.
    assert_eq!(asked, 4);
    assert_eq!(cdnsim::mrc::json(&going).unwrap(), cdnsim::mrc::json(&plain).unwrap());
    let mut asked = 0;
    let stopped = mrc_stoppable(&trace, &input, &options, &mut |_| {
        asked += 1;
        if asked == 2 { ControlFlow::Break(Stopped) } else { ControlFlow::Continue(()) }
    });
    let err = stopped.expect_err("the callback stopped it");
    assert!(err.is::<Stopped>(), "{err:#}");
    assert_eq!(asked, 2, "stopped the first time it was asked mid-way");
    // Simulated policies at the default sizes read the trace twice: the first
    // reading (for the sizes) is asked every 65,536 requests too.
    let fifo = MrcOptions::from_args(&MrcFlags { points: 10, policies: &["fifo".to_string()], ..MrcFlags::default() })
        .unwrap();
    let mut asked = 0;
    let stopped = mrc_stoppable(&trace, &input, &fifo, &mut |_| {
        asked += 1;
        ControlFlow::Break(Stopped)
    });
    assert!(stopped.expect_err("stopped").is::<Stopped>());
    assert_eq!(asked, 1, "stopped at 65,536 requests of the first reading");
}
