//! Belady's MIN (Belady, "A study of replacement algorithms for a virtual-
//! storage computer", IBM Systems Journal 1966): on a miss, evict the cached
//! object whose next use is farthest in the future. It needs the future, so
//! it runs only on a recorded trace, where each request's next use comes
//! from a backward pass ([`next_uses`]) or from the trace itself
//! (libCacheSim's oracleGeneral records carry it).
//!
//! With objects of one size it is the optimal policy; with sizes it is the
//! bound researchers quote beside their curves, not an exact optimum. The
//! rules follow libCacheSim's `cache/eviction/Belady.c` and
//! `cache/cache.c` (`cache_get_base`), so that miss counts compare:
//! - a hit updates the object's next use and nothing else (a changed size
//!   is not taken: the cached copy keeps the size it was stored with);
//! - a miss whose object is larger than the capacity stores nothing and
//!   evicts nothing; any other miss is always stored (MIN does not bypass,
//!   even an object whose own next use is the farthest), after evicting
//!   farthest-next-use objects until it fits;
//! - objects never used again go first. Among them the order cannot change
//!   which requests hit: they are all evicted before any object with a
//!   future, so only their total bytes matter, and that is the same in any
//!   order.
//!
//! Not a `Policy` of the store: it answers a sequence of (key, size, next
//! use) offline, and is used by the trace tools (`mrc`), never by the
//! engine's tiers, which cannot know the future.

use super::CacheKey;
use std::collections::{BTreeSet, HashMap};

/// A next use that never comes.
pub const NEVER: u64 = u64::MAX;

/// For each request of `keys`, the position of the next request for the
/// same key, or [`NEVER`]: one backward pass, one map entry per distinct key.
pub fn next_uses(keys: &[CacheKey]) -> Vec<u64> {
    let mut next = vec![NEVER; keys.len()];
    let mut seen: HashMap<CacheKey, u64, foldhash::fast::FixedState> = HashMap::default();
    for (at, &key) in keys.iter().enumerate().rev() {
        if let Some(later) = seen.insert(key, at as u64) {
            next[at] = later;
        }
    }
    next
}

/// A byte-capacity cache run by Belady's MIN.
pub struct Belady {
    capacity_bytes: u64,
    // Invariant: used_bytes = the sum of `cached` sizes <= capacity_bytes.
    used_bytes: u64,
    /// Each cached key's size and next use.
    cached: HashMap<CacheKey, (u64, u64), foldhash::fast::FixedState>,
    /// The cached keys by next use, farthest last.
    // Invariant: holds (next, key) exactly for each (key, (_, next)) in `cached`.
    by_next_use: BTreeSet<(u64, CacheKey)>,
}

/// What a request found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Hit,
    /// Stored, after evicting what had to go.
    MissStored,
    /// Larger than the whole capacity: not stored.
    MissTooLarge,
}

impl Belady {
    pub fn new(capacity_bytes: u64) -> Belady {
        Belady { capacity_bytes, used_bytes: 0, cached: HashMap::default(), by_next_use: BTreeSet::new() }
    }

    /// A request for `key` of `size_bytes` whose next request comes at
    /// position `next_use` (or [`NEVER`]).
    pub fn access(&mut self, key: CacheKey, size_bytes: u64, next_use: u64) -> Access {
        if let Some((_, next)) = self.cached.get_mut(&key) {
            let was = std::mem::replace(next, next_use);
            let removed = self.by_next_use.remove(&(was, key));
            debug_assert!(removed, "every cached key is ordered by its next use");
            self.by_next_use.insert((next_use, key));
            return Access::Hit;
        }
        if size_bytes > self.capacity_bytes {
            return Access::MissTooLarge;
        }
        while self.used_bytes + size_bytes > self.capacity_bytes {
            let (_, victim) = self.by_next_use.pop_last().expect("bytes are cached, so some key is");
            let (size, _) = self.cached.remove(&victim).expect("an ordered key is cached");
            self.used_bytes -= size;
        }
        self.cached.insert(key, (size_bytes, next_use));
        self.by_next_use.insert((next_use, key));
        self.used_bytes += size_bytes;
        debug_assert!(self.used_bytes <= self.capacity_bytes);
        debug_assert_eq!(self.cached.len(), self.by_next_use.len());
        Access::MissStored
    }

    pub fn used_bytes(&self) -> u64 {
        self.used_bytes
    }

    pub fn len(&self) -> usize {
        self.cached.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cached.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hits of a whole sequence of (key, size) at `capacity`.
    fn hits(requests: &[(CacheKey, u64)], capacity: u64) -> Vec<bool> {
        let keys: Vec<CacheKey> = requests.iter().map(|r| r.0).collect();
        let next = next_uses(&keys);
        let mut cache = Belady::new(capacity);
        requests.iter().zip(&next).map(|(&(key, size), &n)| cache.access(key, size, n) == Access::Hit).collect()
    }

    #[test]
    fn next_uses_point_at_the_next_request_for_the_key() {
        // a b a c b a
        // 0 1 2 3 4 5
        assert_eq!(next_uses(&[1, 2, 1, 3, 2, 1]), vec![2, 4, 5, NEVER, NEVER, NEVER]);
        assert_eq!(next_uses(&[]), Vec::<u64>::new());
    }

    #[test]
    fn the_farthest_next_use_goes_first() {
        // Capacity 3, unit sizes. Requests: a b c d a b e a b c d e
        //  0 a miss            {a}
        //  1 b miss            {a b}
        //  2 c miss            {a b c}
        //  3 d miss: next uses a@4 b@5 c@9 -> evict c     {a b d}
        //  4 a hit  (next a@7)
        //  5 b hit  (next b@8)
        //  6 e miss: a@7 b@8 d@10 -> evict d              {a b e}
        //  7 a hit  (next never)
        //  8 b hit  (next never)
        //  9 c miss: a never, b never, e@11: evict a or b (both never; b, the larger key)
        // 10 d miss: evict the other never-used one
        // 11 e hit
        // Hits: 4 5 7 8 11 = 5 of 12 (LRU would hit 4, 5, 7, 8 only).
        let (a, b, c, d, e) = (1, 2, 3, 4, 5);
        let seq: Vec<(CacheKey, u64)> = [a, b, c, d, a, b, e, a, b, c, d, e].iter().map(|&k| (k, 1)).collect();
        let got = hits(&seq, 3);
        let hit_at: Vec<usize> = got.iter().enumerate().filter(|(_, h)| **h).map(|(i, _)| i).collect();
        assert_eq!(hit_at, vec![4, 5, 7, 8, 11]);
    }

    #[test]
    fn sizes_count_in_bytes_and_too_large_objects_pass_by() {
        // Capacity 10. a(6) b(5) a c(20) a b
        //  0 a miss                    {a:6}
        //  1 b miss: 6+5 > 10, evict the farthest of a@2 (only a cached) -> {b:5}
        //  2 a miss: b@5, evict b      {a:6}
        //  3 c too large: nothing evicted, not stored
        //  4 a hit
        //  5 b miss                    a never -> evicted; {b:5}
        let seq = [(1, 6), (2, 5), (1, 6), (3, 20), (1, 6), (2, 5)];
        assert_eq!(hits(&seq, 10), vec![false, false, false, false, true, false]);
        let keys: Vec<CacheKey> = seq.iter().map(|r| r.0).collect();
        let next = next_uses(&keys);
        let mut cache = Belady::new(10);
        let results: Vec<Access> = seq.iter().zip(&next).map(|(&(k, s), &n)| cache.access(k, s, n)).collect();
        assert_eq!(results[3], Access::MissTooLarge);
        assert_eq!((cache.len(), cache.used_bytes()), (1, 5));
    }

    #[test]
    fn a_hit_keeps_the_stored_size() {
        let mut cache = Belady::new(100);
        assert_eq!(cache.access(1, 10, 1), Access::MissStored);
        assert_eq!(cache.access(1, 50, NEVER), Access::Hit);
        assert_eq!(cache.used_bytes(), 10);
    }

    /// The same rules written the plainest way: a scan for the farthest.
    fn plain_min(requests: &[(CacheKey, u64)], capacity: u64) -> u64 {
        let keys: Vec<CacheKey> = requests.iter().map(|r| r.0).collect();
        let next = next_uses(&keys);
        let mut cached: Vec<(CacheKey, u64, u64)> = Vec::new();
        let mut hits = 0;
        for (&(key, size), &n) in requests.iter().zip(&next) {
            if let Some(c) = cached.iter_mut().find(|c| c.0 == key) {
                c.2 = n;
                hits += 1;
                continue;
            }
            if size > capacity {
                continue;
            }
            while cached.iter().map(|c| c.1).sum::<u64>() + size > capacity {
                // Farthest next use; among never-used ones, the largest key.
                let at = (0..cached.len()).max_by_key(|&i| (cached[i].2, cached[i].0)).unwrap();
                cached.swap_remove(at);
            }
            cached.push((key, size, n));
        }
        hits
    }

    #[test]
    fn matches_a_plain_scan_on_random_traces() {
        let mut x: u64 = 99;
        for round in 0..30 {
            let mut seq = Vec::new();
            for _ in 0..400 {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let r = (x >> 33) % 60;
                let key = r * r / 60;
                seq.push((key, 1 + (key * 7919) % 40));
            }
            let capacity = 20 + round * 15;
            let fast = hits(&seq, capacity).iter().filter(|h| **h).count() as u64;
            assert_eq!(fast, plain_min(&seq, capacity), "capacity {capacity}");
        }
    }
}
