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
//! slot in another), so no request allocates once both have grown.

use super::api::CacheKey;
use super::slab::{NIL, Slab};
use super::store::{Policy, Slot};

#[derive(Clone, Copy, Debug)]
struct Ranked {
    priority: f64,
    /// The request count at the last insert or hit: breaks priority ties,
    /// oldest first. Unique per object, so the order is total.
    last_request: u64,
    frequency: u64,
    idx: u32,
}

impl Ranked {
    fn before(&self, other: &Ranked) -> bool {
        // `pq_node_type::operator<`: priority, then the older request.
        if self.priority == other.priority {
            self.last_request < other.last_request
        } else {
            self.priority < other.priority
        }
    }
}

pub(crate) struct Gdsf {
    // Invariant: a min-heap under `Ranked::before` of every linked slot.
    heap: Vec<Ranked>,
    // Invariant: `position[idx]` is the heap index of slot `idx`, or `NIL`
    // when it is not linked.
    position: Vec<u32>,
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
            if !self.heap[at].before(&self.heap[parent]) {
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
            if left < self.heap.len() && self.heap[left].before(&self.heap[least]) {
                least = left;
            }
            if right < self.heap.len() && self.heap[right].before(&self.heap[least]) {
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

    /// Takes slot `idx` out of the heap and returns its entry.
    fn remove(&mut self, idx: u32) -> Ranked {
        let at = self.position[idx as usize] as usize;
        debug_assert_eq!(self.heap[at].idx, idx, "heap position of slot {idx} is stale");
        let removed = self.heap.swap_remove(at);
        self.position[idx as usize] = NIL;
        if at < self.heap.len() {
            // The last entry took the hole: it may belong above or below.
            let moved = self.heap[at].idx;
            self.place(at);
            self.sift_down(at);
            self.sift_up(self.position[moved as usize] as usize);
        }
        removed
    }

    fn push(&mut self, entry: Ranked) {
        let idx = entry.idx as usize;
        if self.position.len() <= idx {
            self.position.resize(idx + 1, NIL);
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
        let goes_first = self.heap.first().is_none_or(|lowest| self.incoming_priority < lowest.priority);
        if goes_first {
            // libCacheSim evicted it: its priority becomes `L`.
            self.inflation = self.inflation.max(self.incoming_priority);
        }
        goes_first
    }

    fn link(&mut self, _slots: &mut Slab<Slot>, idx: u32, priority: f64) {
        self.push(Ranked { priority, last_request: self.requests, frequency: 1, idx });
    }

    fn touch(&mut self, slots: &mut Slab<Slot>, idx: u32) {
        self.requests += 1;
        let at = self.position[idx as usize] as usize;
        let frequency = self.heap[at].frequency + 1;
        let priority = self.priority(frequency, slots.get(idx).size_bytes);
        self.heap[at] = Ranked { priority, last_request: self.requests, frequency, idx };
        // Both only grow: the inflation never falls and the count rises.
        self.sift_down(at);
    }

    fn unlink(&mut self, _slots: &mut Slab<Slot>, idx: u32) {
        self.remove(idx);
    }

    fn evict(&mut self, _slots: &mut Slab<Slot>, pinned: u32) -> u32 {
        debug_assert!(!self.heap.is_empty(), "evict called on an empty GDSF");
        let mut victim = self.heap[0];
        if victim.idx == pinned {
            // The least of the root's children is the next in order.
            let children = &self.heap[1..self.heap.len().min(3)];
            victim =
                *children.iter().reduce(|a, b| if b.before(a) { b } else { a }).expect("a slot besides the pinned one");
        }
        self.remove(victim.idx);
        debug_assert!(victim.priority >= self.inflation, "the inflation fell");
        self.inflation = victim.priority;
        victim.idx
    }

    fn resized(&mut self, slots: &Slab<Slot>, idx: u32, _old_size_bytes: u64) {
        let at = self.position[idx as usize] as usize;
        let entry = self.heap[at];
        self.heap[at].priority = self.priority(entry.frequency, slots.get(idx).size_bytes);
        self.sift_down(at);
        let at = self.position[idx as usize] as usize;
        self.sift_up(at);
    }

    fn memory_bytes(&self) -> usize {
        self.heap.capacity() * std::mem::size_of::<Ranked>() + self.position.capacity() * 4
    }

    #[cfg(test)]
    fn check(&self, slots: &Slab<Slot>) -> usize {
        for (at, entry) in self.heap.iter().enumerate() {
            assert!(slots.is_live(entry.idx), "the heap holds slot {}, which is free", entry.idx);
            assert_eq!(self.position[entry.idx as usize] as usize, at, "slot {}'s heap position", entry.idx);
            if at > 0 {
                assert!(!entry.before(&self.heap[(at - 1) / 2]), "heap order broken at {at}");
            }
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
