//! GDSF, Greedy-Dual-Size-Frequency: Cherkasova, "Improving WWW Proxies
//! Performance with Greedy-Dual-Size-Frequency Caching Policy", HP Labs
//! HPL-98-69R1, 1998; as libCacheSim implements it
//! (`libCacheSim/cache/eviction/cpp/GDSF.cpp`: `GDSF_find`, `GDSF_insert`,
//! `GDSF_evict`, `GDSF_get`, over `abstractRank.hpp`'s ordered set), so that miss
//! counts agree with it exactly.
//!
//! Each object has a priority `L + frequency * 1e6 / size` (a double,
//! computed in that order), where `L` is the priority of the last object
//! evicted (0 at first) as it stood when the object was last inserted or
//! hit. A new object has frequency 1; a hit adds 1 and recomputes the
//! priority with the current `L`. The object of lowest priority is evicted
//! and its priority becomes `L`; ties go to the least recently requested
//! (libCacheSim orders its set by priority, then by the request count at
//! the last access). Small, popular objects stay; large, rarely used ones
//! go, and `L` ages out objects that were popular long ago.
//!
//! A new object competes with the cached ones: libCacheSim inserts it, with
//! its priority from `L` as it was, and then evicts the lowest until the
//! bytes fit (`GDSF_get` at commit 6cecdd8, the one the 0.3.5 wheel
//! follows), so a new object of lower priority than everything it would
//! displace is itself evicted at once, after those below it, and is not
//! stored (`Policy::incoming_goes_first`).
//!
//! The request count is this cache's own: one per `plan` (a miss) and per
//! `touch` (a hit), as libCacheSim counts one per `get`. Sizes are fixed at
//! insertion, as in libCacheSim ("does not consider object size change"); a
//! replacing insert, which it lacks, is a hit whose priority then takes the
//! new size.
//!
//! The ordered set is an indexed binary min-heap in one `Vec` (positions per
//! slot in another), so no request allocates once both have grown. A hit
//! does not re-sort it: the heap keeps each object's order key as it stood
//! when the object was last sifted, and eviction brings a stale key up to
//! date only when it reaches the top (`Gdsf::make_fresh`, which says why the
//! order stays exact).

use super::api::CacheKey;
use super::slab::{NIL, Slab};
use super::store::{Policy, Slot};

/// Where an object stands in libCacheSim's ordered set: priority, then the
/// older request first (`pq_node_type::operator<`).
#[derive(Clone, Copy, Debug, PartialEq)]
struct OrderKey {
    priority: f64,
    /// The request count at the last insert or hit: breaks priority ties,
    /// oldest first. Unique per object, so the order is total.
    last_request: u64,
}

impl OrderKey {
    fn before(&self, other: &OrderKey) -> bool {
        if self.priority == other.priority {
            self.last_request < other.last_request
        } else {
            self.priority < other.priority
        }
    }
}

/// A heap entry: slot `idx` under the key it had when last sifted.
#[derive(Clone, Copy, Debug)]
struct Keyed {
    // Invariant: not after `ranks[idx].key`, the slot's current key.
    key: OrderKey,
    idx: u32,
}

/// A cached object's current standing, per slot.
#[derive(Clone, Copy, Debug)]
struct Rank {
    key: OrderKey,
    frequency: u64,
}

const UNRANKED: Rank = Rank { key: OrderKey { priority: 0.0, last_request: 0 }, frequency: 0 };

pub(crate) struct Gdsf {
    // Invariant: a min-heap under `OrderKey::before` of the keys it stores,
    // one entry for every linked slot.
    heap: Vec<Keyed>,
    // Invariant: `position[idx]` is the heap index of slot `idx`, or `NIL`
    // when it is not linked.
    position: Vec<u32>,
    // Invariant: `ranks[idx]` is linked slot `idx`'s current key and
    // frequency. A hit writes only here, not the heap.
    ranks: Vec<Rank>,
    /// `L`: the priority of the last object evicted. Never decreases.
    inflation: f64,
    requests: u64,
    /// The priority of the object being inserted, from `plan`.
    incoming_priority: f64,
}

impl Gdsf {
    pub(crate) fn new(expected_objects: usize) -> Gdsf {
        Gdsf {
            heap: Vec::with_capacity(expected_objects),
            position: Vec::with_capacity(expected_objects),
            ranks: Vec::with_capacity(expected_objects),
            inflation: 0.0,
            requests: 0,
            incoming_priority: 0.0,
        }
    }

    /// `GDSF_find`'s and `GDSF_insert`'s priority.
    fn priority(&self, frequency: u64, size_bytes: u64) -> f64 {
        self.inflation + frequency as f64 * 1.0e6 / size_bytes as f64
    }

    fn place(&mut self, at: usize) {
        self.position[self.heap[at].idx as usize] = at as u32;
    }

    fn sift_up(&mut self, mut at: usize) {
        while at > 0 {
            let parent = (at - 1) / 2;
            if !self.heap[at].key.before(&self.heap[parent].key) {
                break;
            }
            self.heap.swap(at, parent);
            self.place(at);
            at = parent;
        }
        self.place(at);
    }

    fn sift_down(&mut self, mut at: usize) {
        loop {
            let (left, right) = (2 * at + 1, 2 * at + 2);
            let mut least = at;
            if left < self.heap.len() && self.heap[left].key.before(&self.heap[least].key) {
                least = left;
            }
            if right < self.heap.len() && self.heap[right].key.before(&self.heap[least].key) {
                least = right;
            }
            if least == at {
                break;
            }
            self.heap.swap(at, least);
            self.place(at);
            at = least;
        }
        self.place(at);
    }

    /// Brings the entry at heap index `at` up to date until the one found
    /// there has its current key; that entry is then the least of its
    /// subtree in the true order, as libCacheSim's set would rank them.
    ///
    /// Why this is exact. Every stored key is not after its object's
    /// current key: an entry is stored with its current key (`link`,
    /// `resized`, here), and only a hit changes a current key without
    /// re-sifting, to a later one. A hit sets `last_request` to the new,
    /// higher request count, and the priority `L + f * 1e6 / size` to one
    /// not lower: `L` never falls, `f` grows by one, the size is the same
    /// (`resized` re-keys at once), and IEEE 754 rounding of `+`, `*`, `/`
    /// and of the integer conversion is monotone, so each step of the
    /// computation is at least the old one's. So the new key is after the
    /// old in the (priority, then last request) order. Then, in a heap of
    /// stored keys, the entry at `at` is not after any stored key below it,
    /// each of which is not after its current key: if the entry's stored
    /// key is its current key, it is the least current key of the subtree.
    /// If not, giving it its current key and sifting it down keeps the
    /// heap a heap of stored keys, and moves the next candidate to `at`.
    /// Each object is re-keyed at most once per hit, so this ends.
    fn make_fresh(&mut self, at: usize) {
        while let Some(&entry) = self.heap.get(at) {
            let current = self.ranks[entry.idx as usize].key;
            if entry.key == current {
                return;
            }
            debug_assert!(entry.key.before(&current), "slot {}'s stored key is after its current one", entry.idx);
            self.heap[at].key = current;
            self.sift_down(at);
        }
    }

    /// Takes slot `idx` out of the heap.
    fn remove(&mut self, idx: u32) {
        let at = self.position[idx as usize] as usize;
        debug_assert_eq!(self.heap[at].idx, idx, "heap position of slot {idx} is stale");
        self.heap.swap_remove(at);
        self.position[idx as usize] = NIL;
        if at < self.heap.len() {
            // The last entry took the hole: it may belong above or below.
            let moved = self.heap[at].idx;
            self.place(at);
            self.sift_down(at);
            self.sift_up(self.position[moved as usize] as usize);
        }
    }

    fn push(&mut self, entry: Keyed) {
        let idx = entry.idx as usize;
        if self.position.len() <= idx {
            self.position.resize(idx + 1, NIL);
            self.ranks.resize(idx + 1, UNRANKED);
        }
        self.heap.push(entry);
        self.sift_up(self.heap.len() - 1);
    }
}

impl Policy for Gdsf {
    /// The new object's priority, taken with `L` before its evictions.
    type Plan = f64;

    fn plan(&mut self, _key: CacheKey, size_bytes: u64) -> f64 {
        self.requests += 1;
        let priority = self.priority(1, size_bytes);
        self.incoming_priority = priority;
        priority
    }

    fn incoming_goes_first(&mut self) -> bool {
        // The new object is the most recent request, so it goes first only
        // if its priority is below (not equal to) the lowest cached one.
        self.make_fresh(0);
        let goes_first = self.heap.first().is_none_or(|lowest| self.incoming_priority < lowest.key.priority);
        if goes_first {
            // libCacheSim evicted it: its priority becomes `L`.
            self.inflation = self.inflation.max(self.incoming_priority);
        }
        goes_first
    }

    fn link(&mut self, _slots: &mut Slab<Slot>, idx: u32, priority: f64) {
        let key = OrderKey { priority, last_request: self.requests };
        self.push(Keyed { key, idx });
        self.ranks[idx as usize] = Rank { key, frequency: 1 };
    }

    fn touch(&mut self, slots: &mut Slab<Slot>, idx: u32) {
        self.requests += 1;
        let frequency = self.ranks[idx as usize].frequency + 1;
        let priority = self.priority(frequency, slots.get(idx).size_bytes);
        // The heap keeps the old key until `make_fresh` finds it.
        self.ranks[idx as usize] = Rank { key: OrderKey { priority, last_request: self.requests }, frequency };
    }

    fn prefetch_touch(&self, _slots: &Slab<Slot>, idx: u32) {
        if let Some(rank) = self.ranks.get(idx as usize) {
            crate::prefetch::prefetch(rank);
        }
    }

    fn next_victim(&self) -> Option<u32> {
        // The top, which is the next victim unless its key is stale: the
        // store only prefetches it.
        self.heap.first().map(|entry| entry.idx)
    }

    fn unlink(&mut self, _slots: &mut Slab<Slot>, idx: u32) {
        self.remove(idx);
    }

    fn evict(&mut self, _slots: &mut Slab<Slot>, pinned: u32) -> u32 {
        debug_assert!(!self.heap.is_empty(), "evict called on an empty GDSF");
        self.make_fresh(0);
        let mut victim = self.heap[0];
        if victim.idx == pinned {
            // The lesser of the root's children, each brought up to date,
            // is the next in order.
            self.make_fresh(1);
            self.make_fresh(2);
            let children = &self.heap[1..self.heap.len().min(3)];
            victim = *children
                .iter()
                .reduce(|a, b| if b.key.before(&a.key) { b } else { a })
                .expect("a slot besides the pinned one");
        }
        self.remove(victim.idx);
        debug_assert!(victim.key.priority >= self.inflation, "the inflation fell");
        self.inflation = victim.key.priority;
        victim.idx
    }

    fn resized(&mut self, slots: &Slab<Slot>, idx: u32, _old_size_bytes: u64) {
        // A larger size lowers the priority: this key may be before the
        // stored one, so it is sifted now, both ways.
        let priority = self.priority(self.ranks[idx as usize].frequency, slots.get(idx).size_bytes);
        let rank = &mut self.ranks[idx as usize];
        rank.key.priority = priority;
        let key = rank.key;
        let at = self.position[idx as usize] as usize;
        self.heap[at].key = key;
        self.sift_down(at);
        self.sift_up(self.position[idx as usize] as usize);
    }

    fn memory_bytes(&self) -> usize {
        self.heap.capacity() * std::mem::size_of::<Keyed>()
            + self.position.capacity() * 4
            + self.ranks.capacity() * std::mem::size_of::<Rank>()
    }

    #[cfg(test)]
    fn check(&self, slots: &Slab<Slot>) -> usize {
        for (at, entry) in self.heap.iter().enumerate() {
            assert!(slots.is_live(entry.idx), "the heap holds slot {}, which is free", entry.idx);
            assert_eq!(self.position[entry.idx as usize] as usize, at, "slot {}'s heap position", entry.idx);
            if at > 0 {
                assert!(!entry.key.before(&self.heap[(at - 1) / 2].key), "heap order broken at {at}");
            }
            let current = self.ranks[entry.idx as usize].key;
            assert!(!current.before(&entry.key), "slot {}'s stored key is after its current one", entry.idx);
        }
        let positioned = self.position.iter().filter(|&&p| p != NIL).count();
        assert_eq!(positioned, self.heap.len(), "positions for slots not in the heap");
        self.heap.len()
    }
}

#[cfg(test)]
mod tests {
    use super::super::new_cache;
    use super::super::testing::{self, Step::*};
    use crate::scenario::EvictionPolicy;

    const POLICY: EvictionPolicy = EvictionPolicy::Gdsf;

    /// Capacity 10 bytes. Comments give each object's priority
    /// `L + frequency * 1e6 / size` and the request count `#n` at its last
    /// access; `L` is the priority of the last eviction (0 at first). A new
    /// object's priority is taken before its evictions.
    #[test]
    fn hand_worked_trace() {
        let mut cache = new_cache(POLICY, 10, 8);
        testing::run(
            &mut *cache,
            &[
                Put(1, 2, &[]), // 1: 500,000 #1
                Put(2, 5, &[]), // 2: 200,000 #2
                Put(3, 1, &[]), // 3: 1,000,000 #3; 8 bytes
                Get(2, true),   // 2: 2 * 1e6 / 5 = 400,000 #4
                Put(4, 1, &[]), // 4: 1,000,000 #5; 9 bytes
                // 5 would be 333,333.3, below the lowest cached (2, 400,000):
                // it is the one evicted, so not stored; L = 333,333.3.
                Refused(5, 3, &[]),
                // 6: 333,333.3 + 500,000 = 833,333.3; 2 (400,000) goes, L = 400,000.
                Put(6, 2, &[2]),
                Get(1, true),     // 1: 400,000 + 2 * 500,000 = 1,400,000 #8
                Put(7, 4, &[]),   // 7: 650,000 #9; 10 bytes
                Put(8, 2, &[7]),  // 8: 900,000 #10; 7 goes, L = 650,000
                Put(9, 3, &[6]),  // 9: 983,333.3 #11; 6 goes, L = 833,333.3
                Put(10, 3, &[8]), // 10: 1,166,666.7 #12; 8 goes, L = 900,000
                Put(11, 2, &[9]), // 11: 1,400,000 #13; 9 goes, L = 983,333.3
                // 3 and 4 tie at 1,000,000: the older request, 3 (#3), goes.
                Put(12, 2, &[3]),
                Used(10),
                Get(4, true),
                Get(3, false),
            ],
        );
        assert_eq!(cache.evictions(), 6);
    }

    /// A replacing insert that must evict while the object replaced is the
    /// lowest, and the next lowest by its stored key has since been hit:
    /// eviction ranks by current keys, not the ones the heap stored.
    /// Capacity 10 bytes; `L` is 0 until the first eviction.
    #[test]
    fn stale_keys_rank_by_their_current_priority() {
        let mut cache = new_cache(POLICY, 10, 8);
        testing::run(
            &mut *cache,
            &[
                Put(1, 5, &[]), // 1: 1e6 / 5 = 200,000 #1
                Put(2, 2, &[]), // 2: 500,000 #2
                Put(3, 2, &[]), // 3: 500,000 #3; 9 bytes
                // 2: 2 * 500,000 = 1,000,000 #4; the heap still holds
                // 500,000 #2, before 3's 500,000 #3.
                Get(2, true),
                // A 7-byte copy of 1 is a hit first: 2 * 1e6 / 5 = 400,000
                // #5, still the lowest, but pinned. It needs 2 more bytes
                // (11 > 10): of the rest, 3 (500,000) is below 2
                // (1,000,000), so 3 goes, L = 500,000. By stored keys 2
                // would have gone. 1 then takes its new size: 500,000 +
                // 2 * 1e6 / 7 = 785,714.3.
                Put(1, 7, &[3]),
                Used(9),
                // 4: 500,000 + 500,000 = 1,000,000; 1 (785,714.3) goes.
                Put(4, 2, &[1]),
                Used(4),
                Get(2, true),
            ],
        );
        assert_eq!(cache.evictions(), 2);
    }

    #[test]
    fn shared_behaviour() {
        testing::shared_behaviour(POLICY);
    }

    #[test]
    fn hints_change_nothing() {
        testing::hints_change_nothing(POLICY);
    }

    #[test]
    fn randomised_against_a_model() {
        testing::randomised(POLICY, 0x5eed_0009);
    }
}
