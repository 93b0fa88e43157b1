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
//! Not a `Policy` of the store: it answers a sequence of (object, size, next
//! use) offline, and is used by the trace tools (`mrc`), never by the
//! engine's tiers, which cannot know the future. Objects are dense numbers
//! (a trace's objects as `mrc` numbers them), so the cache is two arrays
//! indexed by object and a binary max-heap of the cached ones by next use,
//! with each object's place in it: a hit moves one entry up, a miss pushes
//! one and evicts from the top, all in O(log n) with no allocation once the
//! arrays have grown.

use std::collections::HashMap;

/// A next use that never comes.
pub const NEVER: u64 = u64::MAX;

/// For each request of `keys`, the position of the next request for the
/// same key, or [`NEVER`]: one backward pass, one map entry per distinct key.
pub fn next_uses(keys: &[u64]) -> Vec<u64> {
    let mut next = vec![NEVER; keys.len()];
    let mut seen: HashMap<u64, u64, foldhash::fast::FixedState> = HashMap::default();
    for (at, &key) in keys.iter().enumerate().rev() {
        if let Some(later) = seen.insert(key, at as u64) {
            next[at] = later;
        }
    }
    next
}

/// [`next_uses`] for dense object numbers below `objects`: an array in
/// place of the map.
pub fn next_uses_dense(objects_of_requests: &[u32], objects: usize) -> Vec<u64> {
    let mut next = vec![NEVER; objects_of_requests.len()];
    let mut seen = vec![NEVER; objects];
    for (at, &object) in objects_of_requests.iter().enumerate().rev() {
        next[at] = std::mem::replace(&mut seen[object as usize], at as u64);
    }
    next
}

/// An object's place in the heap when it is not cached.
const NOT_CACHED: u32 = u32::MAX;

/// A byte-capacity cache run by Belady's MIN.
pub struct Belady {
    capacity_bytes: u64,
    // Invariant: the sum of the cached objects' `stored_size` <= capacity_bytes.
    used_bytes: u64,
    /// Each object's index in `heap`, or `NOT_CACHED`.
    // Invariant: place[heap[i].1] == i for every i; NOT_CACHED for the rest.
    place: Vec<u32>,
    /// The size each cached object was stored with.
    stored_size: Vec<u64>,
    /// (next use, object) of every cached object; a parent's next use is
    /// never before its children's.
    heap: Vec<(u64, u32)>,
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
    /// A cache for objects numbered below `objects` (more grow the arrays).
    pub fn new(capacity_bytes: u64, objects: usize) -> Belady {
        Belady {
            capacity_bytes,
            used_bytes: 0,
            place: vec![NOT_CACHED; objects],
            stored_size: vec![0; objects],
            heap: Vec::new(),
        }
    }

    /// A request for `object` of `size_bytes` whose next request comes at
    /// position `next_use` (or [`NEVER`]).
    pub fn access(&mut self, object: u32, size_bytes: u64, next_use: u64) -> Access {
        let o = object as usize;
        if o >= self.place.len() {
            self.place.resize(o + 1, NOT_CACHED);
            self.stored_size.resize(o + 1, 0);
        }
        let at = self.place[o];
        if at != NOT_CACHED {
            // The next use moves later: the entry can only rise.
            debug_assert!(next_use >= self.heap[at as usize].0, "a next use moved earlier");
            self.heap[at as usize].0 = next_use;
            self.sift_up(at as usize);
            return Access::Hit;
        }
        if size_bytes > self.capacity_bytes {
            return Access::MissTooLarge;
        }
        while self.used_bytes + size_bytes > self.capacity_bytes {
            let victim = self.pop_farthest();
            self.used_bytes -= self.stored_size[victim as usize];
        }
        self.stored_size[o] = size_bytes;
        self.used_bytes += size_bytes;
        self.heap.push((next_use, object));
        let last = self.heap.len() - 1;
        self.place[o] = last as u32;
        self.sift_up(last);
        Access::MissStored
    }

    /// Takes the cached object used farthest in the future off the heap.
    fn pop_farthest(&mut self) -> u32 {
        let (_, victim) = self.heap.swap_remove(0);
        self.place[victim as usize] = NOT_CACHED;
        if !self.heap.is_empty() {
            self.place[self.heap[0].1 as usize] = 0;
            self.sift_down(0);
        }
        victim
    }

    fn swap(&mut self, a: usize, b: usize) {
        self.heap.swap(a, b);
        self.place[self.heap[a].1 as usize] = a as u32;
        self.place[self.heap[b].1 as usize] = b as u32;
    }

    fn sift_up(&mut self, mut i: usize) {
        while i > 0 {
            let parent = (i - 1) / 2;
            if self.heap[parent].0 >= self.heap[i].0 {
                break;
            }
            self.swap(parent, i);
            i = parent;
        }
    }

    fn sift_down(&mut self, mut i: usize) {
        loop {
            let (left, right) = (2 * i + 1, 2 * i + 2);
            let mut largest = i;
            if left < self.heap.len() && self.heap[left].0 > self.heap[largest].0 {
                largest = left;
            }
            if right < self.heap.len() && self.heap[right].0 > self.heap[largest].0 {
                largest = right;
            }
            if largest == i {
                return;
            }
            self.swap(i, largest);
            i = largest;
        }
    }

    pub fn used_bytes(&self) -> u64 {
        self.used_bytes
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Checks the invariants by walking everything: for tests.
    #[cfg(test)]
    fn check(&self) {
        let mut bytes = 0;
        for (i, &(next, object)) in self.heap.iter().enumerate() {
            assert_eq!(self.place[object as usize], i as u32);
            if i > 0 {
                assert!(self.heap[(i - 1) / 2].0 >= next, "heap order");
            }
            bytes += self.stored_size[object as usize];
        }
        assert_eq!(self.place.iter().filter(|&&p| p != NOT_CACHED).count(), self.heap.len());
        assert_eq!(bytes, self.used_bytes);
        assert!(self.used_bytes <= self.capacity_bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hits of a whole sequence of (object, size) at `capacity`.
    fn hits(requests: &[(u32, u64)], capacity: u64) -> Vec<bool> {
        let objects: Vec<u32> = requests.iter().map(|r| r.0).collect();
        let next = next_uses_dense(&objects, 64);
        let keys: Vec<u64> = objects.iter().map(|&o| o as u64).collect();
        assert_eq!(next, next_uses(&keys));
        let mut cache = Belady::new(capacity, 4);
        requests
            .iter()
            .zip(&next)
            .map(|(&(object, size), &n)| {
                let hit = cache.access(object, size, n) == Access::Hit;
                cache.check();
                hit
            })
            .collect()
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
        //  9 c miss: a never, b never, e@11: evict a or b
        // 10 d miss: evict the other never-used one (which of the two goes
        //    first cannot change a hit: both go before any object with a future)
        // 11 e hit
        // Hits: 4 5 7 8 11 = 5 of 12 (LRU would hit 4, 5, 7, 8 only).
        let (a, b, c, d, e) = (1, 2, 3, 4, 5);
        let seq: Vec<(u32, u64)> = [a, b, c, d, a, b, e, a, b, c, d, e].iter().map(|&k| (k, 1)).collect();
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
        let objects: Vec<u32> = seq.iter().map(|r| r.0).collect();
        let next = next_uses_dense(&objects, 4);
        let mut cache = Belady::new(10, 4);
        let results: Vec<Access> = seq.iter().zip(&next).map(|(&(k, s), &n)| cache.access(k, s, n)).collect();
        assert_eq!(results[3], Access::MissTooLarge);
        assert_eq!((cache.len(), cache.used_bytes()), (1, 5));
    }

    #[test]
    fn a_hit_keeps_the_stored_size() {
        let mut cache = Belady::new(100, 0);
        assert_eq!(cache.access(1, 10, 1), Access::MissStored);
        assert_eq!(cache.access(1, 50, NEVER), Access::Hit);
        assert_eq!(cache.used_bytes(), 10);
    }

    /// The same rules written the plainest way: a scan for the farthest.
    fn plain_min(requests: &[(u32, u64)], capacity: u64) -> u64 {
        let keys: Vec<u64> = requests.iter().map(|r| r.0 as u64).collect();
        let next = next_uses(&keys);
        let mut cached: Vec<(u32, u64, u64)> = Vec::new();
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
                let key = (r * r / 60) as u32;
                seq.push((key, 1 + (key as u64 * 7919) % 40));
            }
            let capacity = 20 + round * 15;
            let fast = hits(&seq, capacity).iter().filter(|h| **h).count() as u64;
            assert_eq!(fast, plain_min(&seq, capacity), "capacity {capacity}");
        }
    }
}
