//! Cache throughput, hit ratio, memory per object and steady-state
//! allocations, for every eviction policy.
//!
//! Run with `cargo bench --bench cache`. Two workloads, both Zipf(0.8) key
//! streams from a seeded Xoshiro256PlusPlus, generated before timing so the
//! sampler's cost is not counted:
//! - speed: 1M distinct objects of one byte, a cache of 100k bytes (10% of
//!   the objects), 10M requests. Each request is a `lookup` and, on a miss,
//!   an `insert`; "ops" counts both. Five timed passes over the same stream
//!   after one warm-up pass; the median is reported with the range.
//! - memory: 10M distinct objects, a cache of 1M one-byte objects, 10M
//!   requests, then `memory_bytes() / len()`.
//!
//! A counting global allocator reports how many allocations the timed
//! passes made: a warm cache should make none.

mod common;
use common::allocations;

use std::hint::black_box;
use std::time::Instant;

use cdnsim::cache::{Cache, Entry, Lookup, Stored, Version, new_cache};
use cdnsim::scenario::EvictionPolicy;
use cdnsim::time::SimTime;
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rand_distr::Zipf;

const SEED: u64 = 0x00c0_ffee;
const ZIPF_S: f64 = 0.8;
const N_RUNS: usize = 5;

/// `n_requests` keys in `0..n_objects`, Zipf-distributed, key 0 the most popular.
fn zipf_keys(n_objects: u64, n_requests: usize, seed: u64) -> Vec<u64> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let zipf = Zipf::new(n_objects as f64, ZIPF_S).expect("valid Zipf parameters");
    (0..n_requests).map(|_| rng.sample(zipf) as u64 - 1).collect()
}

const ONE_BYTE: Entry = Entry { size_bytes: 1, expires_at: SimTime::MAX, stored: Stored::Object(Version::FIRST) };

/// Replays `keys` as requests; returns the number of hits.
fn replay(cache: &mut dyn Cache, keys: &[u64]) -> u64 {
    let mut n_hits = 0;
    for &key in keys {
        match cache.lookup(key, SimTime::ZERO) {
            Lookup::Fresh(_) | Lookup::Stale(_) => n_hits += 1,
            Lookup::Miss => {
                cache.insert(key, ONE_BYTE);
            }
        }
    }
    n_hits
}

/// Medians over `N_RUNS` timed passes of one policy.
struct SpeedRow {
    /// Lookups plus inserts (one insert per miss) per second.
    ops_per_sec: f64,
    ops_per_sec_min: f64,
    ops_per_sec_max: f64,
    req_per_sec: f64,
    hit_ratio: f64,
    memory_bytes_per_object: f64,
    n_allocs: u64,
}

fn speed(policy: EvictionPolicy, keys: &[u64], capacity_objects: u64) -> SpeedRow {
    let mut cache = new_cache(policy, capacity_objects, capacity_objects as usize);
    replay(&mut *cache, keys); // warm-up: fill, and let the tables settle
    let mut seconds = Vec::with_capacity(N_RUNS);
    let mut n_ops = Vec::with_capacity(N_RUNS);
    let allocs_before = allocations();
    let mut n_hits = 0;
    for _ in 0..N_RUNS {
        let started = Instant::now();
        n_hits = black_box(replay(&mut *cache, black_box(keys)));
        seconds.push(started.elapsed().as_secs_f64());
        n_ops.push((2 * keys.len() as u64 - n_hits) as f64);
    }
    let n_allocs = allocations() - allocs_before;
    let mut ops_per_sec: Vec<f64> = n_ops.iter().zip(&seconds).map(|(n, s)| n / s).collect();
    ops_per_sec.sort_by(f64::total_cmp);
    seconds.sort_by(f64::total_cmp);
    SpeedRow {
        ops_per_sec: ops_per_sec[N_RUNS / 2],
        ops_per_sec_min: ops_per_sec[0],
        ops_per_sec_max: ops_per_sec[N_RUNS - 1],
        req_per_sec: keys.len() as f64 / seconds[N_RUNS / 2],
        hit_ratio: n_hits as f64 / keys.len() as f64,
        memory_bytes_per_object: cache.memory_bytes() as f64 / cache.len() as f64,
        n_allocs,
    }
}

fn main() {
    // `cargo bench --bench cache -- sieve lru` runs only those policies;
    // `--requests=N` shortens the speed stream (for cachegrind, say) and
    // `--speed-only` skips the memory workload.
    let args: Vec<String> = std::env::args().skip(1).collect();
    let only: Vec<EvictionPolicy> = args.iter().filter_map(|arg| arg.parse().ok()).collect();
    let policies: Vec<EvictionPolicy> =
        EvictionPolicy::ALL.into_iter().filter(|p| only.is_empty() || only.contains(p)).collect();
    let n_requests: usize = args
        .iter()
        .find_map(|arg| arg.strip_prefix("--requests="))
        .map_or(10_000_000, |n| n.parse().expect("--requests=N takes a number"));
    let speed_only = args.iter().any(|arg| arg == "--speed-only");

    let n_objects = 1_000_000;
    let capacity_objects = n_objects / 10;
    let keys = zipf_keys(n_objects, n_requests, SEED);
    println!(
        "speed: Zipf({ZIPF_S}) over {n_objects} objects, {} requests, cache of {capacity_objects} \
         one-byte objects, seed {SEED:#x}",
        keys.len()
    );
    println!(
        "{:<8} {:>15} {:>15} {:>13} {:>7} {:>7} {:>7}",
        "policy", "M ops/s median", "min..max", "M req/s med", "hit %", "B/obj", "allocs"
    );
    for &policy in &policies {
        let row = speed(policy, &keys, capacity_objects);
        println!(
            "{:<8} {:>15.2} {:>6.2}..{:<7.2} {:>13.2} {:>7.2} {:>7.1} {:>7}",
            policy.name(),
            row.ops_per_sec / 1e6,
            row.ops_per_sec_min / 1e6,
            row.ops_per_sec_max / 1e6,
            row.req_per_sec / 1e6,
            row.hit_ratio * 100.0,
            row.memory_bytes_per_object,
            row.n_allocs,
        );
    }
    drop(keys);
    if speed_only {
        return;
    }

    let n_objects = 10_000_000;
    let capacity_objects = 1_000_000;
    let keys = zipf_keys(n_objects, 10_000_000, SEED ^ 1);
    println!(
        "\nmemory: Zipf({ZIPF_S}) over {n_objects} objects, {} requests, cache of \
         {capacity_objects} one-byte objects",
        keys.len()
    );
    println!("{:<8} {:>10} {:>14} {:>14}", "policy", "objects", "heap MiB", "bytes/object");
    for &policy in &policies {
        let mut cache = new_cache(policy, capacity_objects, capacity_objects as usize);
        replay(&mut *cache, &keys);
        let memory_bytes = cache.memory_bytes();
        println!(
            "{:<8} {:>10} {:>14.1} {:>14.1}",
            policy.name(),
            cache.len(),
            memory_bytes as f64 / (1 << 20) as f64,
            memory_bytes as f64 / cache.len() as f64,
        );
    }
}
