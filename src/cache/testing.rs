//! Test helpers shared by the policy files: a tiny trace language for
//! hand-worked traces, the behaviour every policy must share, and a seeded
//! randomised check against a model.

use std::collections::BTreeMap;

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

use super::{Admission, Cache, CacheKey, Entry, Lookup, PrefetchStep, Stored, Version, new_cache};
use crate::scenario::EvictionPolicy;
use crate::time::SimTime;

/// One step of a hand-worked trace. Objects never expire, so every hit is
/// Fresh.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Step {
    /// Look `key` up; expect a hit (`true`) or a miss.
    Get(CacheKey, bool),
    /// Insert `key` with a size in bytes; expect exactly these keys evicted.
    Put(CacheKey, u64, &'static [CacheKey]),
    /// Expect this many bytes in use.
    Used(u64),
    /// Insert `key` with a size in bytes; expect it refused, with exactly
    /// these keys evicted first.
    Refused(CacheKey, u64, &'static [CacheKey]),
}

fn forever(size_bytes: u64) -> Entry {
    Entry { size_bytes, expires_at: SimTime::MAX, stored: Stored::Object(Version::new(1)) }
}

/// Runs a trace, checking each expectation; panics naming the failing step.
pub(crate) fn run(cache: &mut dyn Cache, steps: &[Step]) {
    let mut cached: Vec<CacheKey> = Vec::new();
    for (i, &step) in steps.iter().enumerate() {
        match step {
            Step::Get(key, hit) => {
                let found = !matches!(cache.lookup(key, SimTime::ZERO), Lookup::Miss);
                assert_eq!(found, hit, "step {i}: {step:?}");
            }
            Step::Put(key, size_bytes, expected) => {
                let evictions_before = cache.evictions();
                assert_eq!(cache.insert(key, forever(size_bytes)), Admission::Stored, "step {i}");
                if !cached.contains(&key) {
                    cached.push(key);
                }
                let mut evicted: Vec<CacheKey> = cached.iter().copied().filter(|&k| cache.peek(k).is_none()).collect();
                cached.retain(|&k| cache.peek(k).is_some());
                evicted.sort_unstable();
                let mut expected = expected.to_vec();
                expected.sort_unstable();
                assert_eq!(evicted, expected, "step {i}: {step:?} evicted the wrong keys");
                assert_eq!(cache.evictions() - evictions_before, expected.len() as u64, "step {i}");
            }
            Step::Used(bytes) => assert_eq!(cache.used_bytes(), bytes, "step {i}"),
            Step::Refused(key, size_bytes, expected) => {
                let evictions_before = cache.evictions();
                assert_eq!(cache.insert(key, forever(size_bytes)), Admission::TooLarge, "step {i}");
                assert!(cache.peek(key).is_none(), "step {i}: a refused object is cached");
                let mut evicted: Vec<CacheKey> = cached.iter().copied().filter(|&k| cache.peek(k).is_none()).collect();
                cached.retain(|&k| cache.peek(k).is_some());
                evicted.sort_unstable();
                let mut expected = expected.to_vec();
                expected.sort_unstable();
                assert_eq!(evicted, expected, "step {i}: {step:?} evicted the wrong keys");
                assert_eq!(cache.evictions() - evictions_before, expected.len() as u64, "step {i}");
            }
        }
    }
}

/// Prefetch hints change nothing: a cache given every hint on every key
/// (cached or not) answers each call as a twin given none, on a table of
/// tens of thousands of keys (80k keys of 1 or 2 bytes in 40 kB), of the
/// size where the engine gives hints.
pub(crate) fn hints_change_nothing(policy: EvictionPolicy) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
    let mut hinted = new_cache(policy, 40_000, 8);
    let mut plain = new_cache(policy, 40_000, 8);
    for op in 0..200_000 {
        let key = rng.random_range(0..80_000);
        for step in [PrefetchStep::Index, PrefetchStep::Entry, PrefetchStep::Neighbours] {
            hinted.prefetch(key, step);
            hinted.prefetch(key ^ 1, step);
        }
        let now = SimTime(op);
        let hit = hinted.lookup(key, now);
        assert_eq!(hit, plain.lookup(key, now), "{policy} op {op}");
        if hit == Lookup::Miss {
            let entry = Entry {
                size_bytes: 1 + key % 2,
                expires_at: SimTime(u64::MAX),
                stored: Stored::Object(Version::FIRST),
            };
            assert_eq!(hinted.insert(key, entry), plain.insert(key, entry), "{policy} op {op}");
        }
    }
    assert!(hinted.len() > 1 << 14, "{policy}: smaller than the tables the engine hints");
    assert_eq!(
        (hinted.len(), hinted.used_bytes(), hinted.evictions()),
        (plain.len(), plain.used_bytes(), plain.evictions())
    );
}

/// Behaviour that does not depend on the eviction order.
pub(crate) fn shared_behaviour(policy: EvictionPolicy) {
    too_large(policy);
    freshness_and_refresh(policy);
    remove_and_replace(policy);
    eviction_counter(policy);
}

/// The largest object `policy` always admits into an empty-enough cache of
/// `capacity_bytes`. Policies whose first queue is a fixed share of the
/// space refuse larger objects, as libCacheSim's `can_insert` of each does:
/// S3-FIFO anything not smaller than S (10%, truncated) unless its ghost
/// remembers it, 2Q anything larger than A1in (25%), S4LRU anything larger
/// than a segment (a quarter), W-TinyLFU anything larger than its window (1%).
/// `None`: not even a zero-byte object (S3-FIFO under 10 bytes).
pub(crate) fn largest_always_admitted(policy: EvictionPolicy, capacity_bytes: u64) -> Option<u64> {
    match policy {
        EvictionPolicy::Lru
        | EvictionPolicy::Fifo
        | EvictionPolicy::Sieve
        | EvictionPolicy::Clock
        | EvictionPolicy::Arc
        | EvictionPolicy::Gdsf
        | EvictionPolicy::Lfuda => Some(capacity_bytes),
        EvictionPolicy::S3Fifo => ((capacity_bytes as f64 * 0.1) as u64).checked_sub(1),
        EvictionPolicy::TwoQ => Some((capacity_bytes as f64 * 0.25) as u64),
        EvictionPolicy::S4Lru => Some(capacity_bytes / 4),
        // The window, 1% (truncated); main's lowest segment is larger.
        EvictionPolicy::WTinyLfu => Some((capacity_bytes as f64 * 0.01) as u64),
    }
}

/// `capacity_bytes`, or more for a policy that admits only objects far
/// smaller than its capacity: W-TinyLFU takes nothing larger than its
/// window (1%), and ten times the space gives the small objects of these
/// tests a window they fit.
fn room(policy: EvictionPolicy, capacity_bytes: u64) -> u64 {
    if policy == EvictionPolicy::WTinyLfu { capacity_bytes * 10 } else { capacity_bytes }
}

fn too_large(policy: EvictionPolicy) {
    let capacity_bytes = room(policy, 100);
    let mut cache = new_cache(policy, capacity_bytes, 4);
    assert_eq!(cache.insert(1, forever(4)), Admission::Stored);
    // A copy of a cached key larger than the cache is refused and takes the
    // old copy with it.
    assert_eq!(cache.insert(1, forever(capacity_bytes + 1)), Admission::TooLarge);
    assert_eq!(cache.lookup(1, SimTime::ZERO), Lookup::Miss);
    assert_eq!((cache.len(), cache.used_bytes(), cache.evictions()), (0, 0, 0));
    // The largest object the policy admits fits (the capacity itself for
    // most policies).
    let largest = largest_always_admitted(policy, capacity_bytes).expect("every policy admits small objects");
    assert_eq!(cache.insert(2, forever(largest)), Admission::Stored);
    assert_eq!(cache.used_bytes(), largest);
    // A huge object is refused without disturbing what is cached.
    assert_eq!(cache.insert(3, forever(u64::MAX)), Admission::TooLarge);
    assert_eq!(cache.peek(2), Some(forever(largest)));
    if largest < capacity_bytes {
        // One that fits the capacity but not the policy's first queue too.
        assert_eq!(cache.insert(4, forever(capacity_bytes)), Admission::TooLarge);
        assert_eq!((cache.peek(2), cache.used_bytes()), (Some(forever(largest)), largest));
    }

    let mut empty = new_cache(policy, 0, 0);
    assert_eq!(empty.insert(1, forever(0)), Admission::TooLarge);
    assert_eq!(empty.insert(1, forever(1)), Admission::TooLarge);
    assert!(empty.is_empty());
}

fn freshness_and_refresh(policy: EvictionPolicy) {
    let mut cache = new_cache(policy, room(policy, 100), 4);
    let entry = Entry { size_bytes: 7, expires_at: SimTime(1_000), stored: Stored::Object(Version::new(3)) };
    cache.insert(1, entry);
    assert_eq!(cache.lookup(1, SimTime(0)), Lookup::Fresh(entry));
    assert_eq!(cache.lookup(1, SimTime(999)), Lookup::Fresh(entry));
    // The expiry instant itself is already stale.
    assert_eq!(cache.lookup(1, SimTime(1_000)), Lookup::Stale(entry));
    assert_eq!(cache.lookup(1, SimTime(5_000)), Lookup::Stale(entry));
    // A 304 moves the expiry and version but not the size.
    assert!(cache.refresh(1, SimTime(9_000), Version::new(4)));
    let refreshed = Entry { size_bytes: 7, expires_at: SimTime(9_000), stored: Stored::Object(Version::new(4)) };
    assert_eq!(cache.lookup(1, SimTime(5_000)), Lookup::Fresh(refreshed));
    assert_eq!(cache.used_bytes(), 7);
    assert!(!cache.refresh(2, SimTime(9_000), Version::new(1)));
    assert_eq!(cache.len(), 1);
}

fn remove_and_replace(policy: EvictionPolicy) {
    // 1000 bytes: a 45-byte object fits every policy's first queue.
    let mut cache = new_cache(policy, room(policy, 1_000), 4);
    cache.insert(1, forever(30));
    cache.insert(2, forever(20));
    assert_eq!(cache.used_bytes(), 50);
    // Replacing swaps the size and version in place: 50 - 30 + 45.
    let bigger = Entry { size_bytes: 45, expires_at: SimTime(10), stored: Stored::Object(Version::new(2)) };
    assert_eq!(cache.insert(1, bigger), Admission::Stored);
    assert_eq!((cache.used_bytes(), cache.len()), (65, 2));
    assert_eq!(cache.lookup(1, SimTime(0)), Lookup::Fresh(bigger));
    cache.insert(1, forever(5));
    assert_eq!(cache.used_bytes(), 25);
    assert!(cache.remove(1));
    assert!(!cache.remove(1));
    assert_eq!((cache.used_bytes(), cache.len()), (20, 1));
    assert_eq!(cache.lookup(1, SimTime(0)), Lookup::Miss);
    assert_eq!(cache.evictions(), 0, "removals and replacements are not evictions");
}

fn eviction_counter(policy: EvictionPolicy) {
    let mut cache = new_cache(policy, 100, 8);
    for key in 0..100 {
        assert_eq!(cache.insert(key, forever(1)), Admission::Stored);
    }
    assert_eq!(cache.evictions(), 0);
    for key in 100..107 {
        cache.insert(key, forever(1));
    }
    // Every insert into a full cache of equal sizes costs exactly one object.
    assert_eq!((cache.evictions(), cache.len(), cache.used_bytes()), (7, 100, 100));
    // Zero-byte objects take a slot but no bytes, so they never force out another.
    cache.insert(1_000, forever(0));
    assert_eq!((cache.evictions(), cache.len()), (7, 101));
}

/// Random operations checked against a model that learns evictions by
/// peeking: `used_bytes` always equals the sum of live sizes and never
/// exceeds capacity, and every Fresh/Stale answer is exactly the entry last
/// inserted or refreshed for a key that was not since removed or evicted.
pub(crate) fn randomised(policy: EvictionPolicy, seed: u64) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    for round in 0..20 {
        let capacity_bytes = room(policy, [0, 1, 7, 64, 1_000][round % 5]);
        let n_keys = [4, 20, 200][round % 3];
        let mut cache = new_cache(policy, capacity_bytes, 8);
        let mut model: BTreeMap<CacheKey, Entry> = BTreeMap::new();
        let mut now = SimTime::ZERO;
        for op in 0..3_000 {
            let context = format!("{policy} seed {seed} round {round} op {op}");
            now.0 += rng.random_range(0..3);
            let key = rng.random_range(0..n_keys);
            match rng.random_range(0..10) {
                0..=3 => {
                    let evictions_before = cache.evictions();
                    match cache.lookup(key, now) {
                        Lookup::Miss => assert!(!model.contains_key(&key), "{context}: lost {key}"),
                        Lookup::Fresh(e) => {
                            assert_eq!(model.get(&key), Some(&e), "{context}");
                            assert!(now < e.expires_at, "{context}");
                        }
                        Lookup::Stale(e) => {
                            assert_eq!(model.get(&key), Some(&e), "{context}");
                            assert!(now >= e.expires_at, "{context}");
                        }
                    }
                    // A hit may evict others (S4LRU's cooling), never itself.
                    let n_before = model.len();
                    let was_cached = model.contains_key(&key);
                    model.retain(|&k, _| cache.peek(k).is_some());
                    assert_eq!(cache.evictions() - evictions_before, (n_before - model.len()) as u64, "{context}");
                    assert_eq!(model.contains_key(&key), was_cached, "{context}: a hit evicted itself");
                }
                4..=7 => {
                    // Mostly small objects, some zero-byte, a few too large.
                    let size_bytes = match rng.random_range(0..20) {
                        0 => 0,
                        1 => capacity_bytes + rng.random_range(1..10),
                        // W-TinyLFU refuses all but objects within its
                        // window: mostly those, to exercise it.
                        2..=14 if policy == EvictionPolicy::WTinyLfu => {
                            rng.random_range(1..=(capacity_bytes / 100).max(1))
                        }
                        _ => rng.random_range(1..=capacity_bytes.div_ceil(3).max(1)),
                    };
                    let entry = Entry {
                        size_bytes,
                        expires_at: SimTime(now.0 + rng.random_range(0..10)),
                        stored: match rng.random_range(0..4) {
                            3 => Stored::Error { status: 503 },
                            version => Stored::Object(Version::new(version)),
                        },
                    };
                    let evictions_before = cache.evictions();
                    let cached = model.contains_key(&key);
                    // GDSF ranks a new object with those it would displace,
                    // and drops it if it ranks lowest.
                    let competes = policy == EvictionPolicy::Gdsf && cache.used_bytes() + size_bytes > capacity_bytes;
                    let admission = cache.insert(key, entry);
                    if size_bytes > capacity_bytes || capacity_bytes == 0 {
                        assert_eq!(admission, Admission::TooLarge, "{context}");
                    } else if cached
                        || (!competes
                            && largest_always_admitted(policy, capacity_bytes).is_some_and(|l| size_bytes <= l))
                    {
                        // A cached object grows in place whatever the policy.
                        assert_eq!(admission, Admission::Stored, "{context}");
                    }
                    match admission {
                        Admission::Stored => model.insert(key, entry),
                        Admission::TooLarge => model.remove(&key),
                    };
                    let n_before = model.len();
                    model.retain(|&k, e| match cache.peek(k) {
                        Some(found) => {
                            assert_eq!(found, *e, "{context}: key {k} changed");
                            true
                        }
                        None => false,
                    });
                    assert_eq!(
                        cache.evictions() - evictions_before,
                        (n_before - model.len()) as u64,
                        "{context}: eviction counter"
                    );
                    if admission == Admission::Stored {
                        assert!(model.contains_key(&key), "{context}: evicted itself");
                    }
                }
                8 => {
                    let expires_at = SimTime(now.0 + rng.random_range(0..10));
                    let refreshed = cache.refresh(key, expires_at, Version::new(9));
                    assert_eq!(refreshed, model.contains_key(&key), "{context}");
                    if let Some(e) = model.get_mut(&key) {
                        e.expires_at = expires_at;
                        e.stored = Stored::Object(Version::new(9));
                    }
                }
                _ => {
                    assert_eq!(cache.remove(key), model.remove(&key).is_some(), "{context}");
                }
            }
            let model_bytes: u64 = model.values().map(|e| e.size_bytes).sum();
            assert_eq!(cache.used_bytes(), model_bytes, "{context}");
            assert!(cache.used_bytes() <= capacity_bytes, "{context}");
            assert_eq!(cache.len(), model.len(), "{context}");
        }
    }
}
