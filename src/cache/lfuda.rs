//! LFUDA, Least Frequently Used with Dynamic Aging: Arlitt, Cherkasova,
//! Dilley, Friedrich and Jin, "Evaluating Content Management Techniques for
//! Web Proxy Caches" (HP Labs HPL-98-173, 1999; ACM SIGMETRICS PER 27(4),
//! 2000); as libCacheSim implements it (`libCacheSim/cache/eviction/LFUDA.c`:
//! `LFUDA_find`, `LFUDA_insert`, `LFUDA_evict`, `LFUDA_remove_obj` and
//! `update_min_freq`, at aa0fc40; the file is unchanged since 4d47e20 of
//! January 2024, and the libcachesim 0.3.5 wheel gives the same counts on
//! the reference traces), so that miss counts agree with it exactly.
//!
//! Each object has an integer priority (libCacheSim's `lfu.freq`, which
//! holds frequency plus age), and the cache an age `L` (its `min_freq`),
//! 0 at first:
//! - A new object gets `L + 1`, with `L` as it stands after the evictions
//!   made for it (`cache_get_base` evicts first, then inserts), and joins
//!   the newest end of its priority's list.
//! - A hit adds `L` to the priority (`lfu.freq += min_freq`), not 1: the
//!   paper recomputes `frequency + L`, libCacheSim adds the current age on
//!   every hit, and the counts agree only if this does too. Until the first
//!   eviction `L` is 0, so a hit only moves the object to the newest end of
//!   the list at priority 1: the cache is an LRU until it first fills. The
//!   hit object joins the newest end of its new priority's list.
//! - An eviction takes the oldest object of the list at `L` (at 1 while
//!   `L` is 0), and `L` becomes that priority. When the list at `L` is left
//!   empty (by an eviction, a hit or a removal), `L` moves up to the lowest
//!   priority above it that holds an object, but looks no higher than the
//!   highest priority a hit has produced (`max_freq`: inserts do not raise
//!   it); if there is none, `L` stays. After a hit the search runs before
//!   the hit object joins its new list, so `L` can jump past it: such an
//!   object sits below `L`, where no eviction looks, until its next hit.
//! - Ties: within a priority, oldest arrival in that list first.
//! - An object larger than the cache is refused without evicting anything
//!   (`cache_can_insert_default`), as the store does for every policy. Sizes
//!   never enter a priority; a replacing insert, which libCacheSim lacks,
//!   is a hit.
//!
//! Where libCacheSim cannot be followed: when `L` stayed on an empty list
//! (the search found nothing at or below `max_freq`, e.g. when every object
//! left was inserted since the last hit raised it), its next eviction reads
//! that list's absent head and crashes. Its search is also linear in the
//! priorities it steps over, and on small caches priorities grow
//! geometrically (a hit adds `L`, and `L` jumps to the hit objects'
//! priorities): on `tests/it/eviction_reference.rs`'s trace A at 25,000 bytes
//! they pass 2^63, its signed 64-bit priorities overflow, and its search
//! would step through some 10^19 of them (`cachesim` gave no answer in ten
//! minutes; the 0.3.5 wheel hangs alike). cdnsim finds the next priority in a
//! heap (logarithmic, whatever the gap); when the list at `L` is empty at an
//! eviction, it takes the oldest object of the lowest priority held anywhere
//! (what LFUDA means); and priorities saturate at `u64::MAX` instead of
//! overflowing, where objects then tie and leave in arrival order.
//!
//! Lists are threaded through the shared slab, one per priority, found by
//! priority in a hash map (a fixed-seed foldhash: lookups, a minimum, and
//! keys sorted before use, so nothing depends on the map's order). A
//! priority-ordered structure would cost a tree descent per hit; with the
//! map a hit costs two lookups, and only the search for the next `L` uses
//! the heap.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use super::api::CacheKey;
use super::slab::{List, NIL, Slab};
use super::store::{Policy, Slot};

pub(crate) struct Lfuda {
    // Invariant: `priority[idx]` is the priority of linked slot `idx`
    // (stale for free slots).
    priority: Vec<u64>,
    // Invariant: one list per priority that linked slots have, of exactly
    // those slots, oldest arrival (next to evict) at the head; never empty.
    lists: HashMap<u64, List, foldhash::fast::FixedState>,
    // Invariant: holds every priority above `age` that has a list, maybe
    // more than once. Stale entries (at or below `age`, or without a list)
    // are dropped when the search for the next `age` meets them, or all at
    // once when a push finds `2 * lists.len() + HEAP_SLACK` entries: a hot
    // object leaves one behind per hit, far above `age`, where no search
    // looks for a long time.
    above_age: BinaryHeap<Reverse<u64>>,
    /// `L`, libCacheSim's `min_freq`. Never decreases.
    age: u64,
    /// libCacheSim's `max_freq`: the highest priority a hit has produced,
    /// where the search for the next `age` stops.
    highest_hit: u64,
}

/// Heap entries allowed beyond twice the lists, so a small cache does not
/// rebuild its heap every few requests.
const HEAP_SLACK: usize = 1024;

impl Lfuda {
    pub(crate) fn new(expected_objects: usize) -> Lfuda {
        Lfuda {
            priority: Vec::with_capacity(expected_objects),
            lists: HashMap::default(),
            above_age: BinaryHeap::new(),
            age: 0,
            highest_hit: 0,
        }
    }

    /// Links `idx` in as the newest object of `priority`.
    fn add(&mut self, slots: &mut Slab<Slot>, idx: u32, priority: u64) {
        self.priority[idx as usize] = priority;
        let mut created = false;
        let list = self.lists.entry(priority).or_insert_with(|| {
            created = true;
            List::new()
        });
        slots.push_back(list, idx);
        if created && priority > self.age {
            if self.above_age.len() >= 2 * self.lists.len() + HEAP_SLACK {
                self.rebuild_heap();
            }
            self.above_age.push(Reverse(priority));
        }
    }

    /// The heap anew from the lists above `age`, each once. Sorted first, so
    /// that the heap does not depend on the map's order.
    fn rebuild_heap(&mut self) {
        let mut keys: Vec<u64> = self.lists.keys().copied().filter(|&priority| priority > self.age).collect();
        keys.sort_unstable();
        self.above_age = keys.into_iter().map(Reverse).collect();
    }

    /// Unlinks `idx` from its priority's list; returns that priority and
    /// whether the list is now empty (and gone).
    fn take(&mut self, slots: &mut Slab<Slot>, idx: u32) -> (u64, bool) {
        let priority = self.priority[idx as usize];
        let list = self.lists.get_mut(&priority).expect("a linked slot's list exists");
        slots.unlink(list, idx);
        let emptied = list.is_empty();
        if emptied {
            self.lists.remove(&priority);
        }
        (priority, emptied)
    }

    /// The lowest priority above `age` that has a list, dropping the heap
    /// entries below it.
    fn lowest_above_age(&mut self) -> Option<u64> {
        while let Some(&Reverse(priority)) = self.above_age.peek() {
            if priority > self.age && self.lists.contains_key(&priority) {
                return Some(priority);
            }
            self.above_age.pop();
        }
        None
    }

    /// `update_min_freq`, run when the list at `L` is left empty: `L` moves
    /// to the lowest priority above it holding objects, if that is at most
    /// the highest a hit produced; otherwise it stays.
    fn advance_age(&mut self) {
        if let Some(next) = self.lowest_above_age()
            && next <= self.highest_hit
        {
            debug_assert!(next > self.age, "L fell");
            self.age = next;
        }
    }

    /// The oldest object of `list` other than `pinned`, or `NIL`.
    fn oldest_except(slots: &Slab<Slot>, list: &List, pinned: u32) -> u32 {
        let head = list.head();
        if head == pinned && head != NIL { slots.next(head) } else { head }
    }

    /// Where libCacheSim would crash (or, for `pinned`, has no case): the
    /// oldest object other than `pinned` of the lowest priority held.
    fn lowest_anywhere(&self, slots: &Slab<Slot>, pinned: u32) -> (u64, u32) {
        // A minimum: the same whatever order the map is walked in.
        self.lists
            .iter()
            .filter_map(|(&priority, list)| {
                let victim = Self::oldest_except(slots, list, pinned);
                (victim != NIL).then_some((priority, victim))
            })
            .min_by_key(|&(priority, _)| priority)
            .expect("the store evicts only with a slot besides the pinned one")
    }
}

impl Policy for Lfuda {
    type Plan = ();

    fn plan(&mut self, _key: CacheKey, _size_bytes: u64) {}

    fn link(&mut self, slots: &mut Slab<Slot>, idx: u32, _plan: ()) {
        if self.priority.len() <= idx as usize {
            self.priority.resize(idx as usize + 1, 0);
        }
        // `LFUDA_insert`, after the evictions: `L` as they left it.
        let priority = self.age.saturating_add(1);
        debug_assert!(priority > self.age || priority == u64::MAX, "a new object at or below L");
        self.add(slots, idx, priority);
    }

    fn touch(&mut self, slots: &mut Slab<Slot>, idx: u32) {
        // `LFUDA_find`: the priority grows by `L`, the search for a new `L`
        // runs with the object out of every list, then it joins its new one.
        let old = self.priority[idx as usize];
        let new = old.saturating_add(self.age);
        // Above `L` (a priority is at least 1), unless saturated; the
        // search below may still move `L` up to it or past it.
        debug_assert!(new > self.age || new == u64::MAX, "a hit at or below L");
        self.highest_hit = self.highest_hit.max(new);
        let (_, emptied) = self.take(slots, idx);
        if emptied && old == self.age {
            self.advance_age();
        }
        self.add(slots, idx, new);
    }

    fn unlink(&mut self, slots: &mut Slab<Slot>, idx: u32) {
        // `LFUDA_remove_obj`.
        let (priority, emptied) = self.take(slots, idx);
        if emptied && priority == self.age {
            self.advance_age();
        }
    }

    fn evict(&mut self, slots: &mut Slab<Slot>, pinned: u32) -> u32 {
        // `LFUDA_evict`: the list at `L`, or at 1 while `L` is 0.
        let at_age = self.age.max(1);
        let victim = self.lists.get(&at_age).map_or(NIL, |list| Self::oldest_except(slots, list, pinned));
        let (priority, victim) = if victim != NIL { (at_age, victim) } else { self.lowest_anywhere(slots, pinned) };
        debug_assert_eq!(self.priority[victim as usize], priority, "victim {victim} in the wrong list");
        self.age = self.age.max(priority);
        let (_, emptied) = self.take(slots, victim);
        if emptied {
            self.advance_age();
        }
        victim
    }

    fn memory_bytes(&self) -> usize {
        // A std map keeps its entries and a control byte per bucket.
        self.priority.capacity() * 8
            + self.lists.capacity() * (std::mem::size_of::<(u64, List)>() + 1)
            + self.above_age.capacity() * 8
    }

    #[cfg(test)]
    fn check(&self, slots: &Slab<Slot>) -> usize {
        let mut linked = 0;
        let queued: std::collections::BTreeSet<u64> = self.above_age.iter().map(|r| r.0).collect();
        for (&priority, list) in &self.lists {
            let walked = slots.check_list(list);
            assert!(!walked.is_empty(), "an empty list at {priority} is kept");
            assert!(
                priority <= self.age || queued.contains(&priority),
                "{priority}, above L {}, not in the heap",
                self.age
            );
            for &idx in &walked {
                assert_eq!(self.priority[idx as usize], priority, "slot {idx} in the wrong list");
            }
            linked += walked.len();
        }
        linked
    }
}

#[cfg(test)]
mod tests {
    use super::super::new_cache;
    use super::super::testing::{self, Step::*};
    use super::super::{Entry, Lookup, Stored, Version};
    use crate::scenario::EvictionPolicy;
    use crate::time::SimTime;

    const POLICY: EvictionPolicy = EvictionPolicy::Lfuda;

    /// Capacity 3 bytes. Comments give each list after the step as
    /// `priority:[oldest .. newest]`, `L` (the age) and `H` (the highest
    /// priority a hit produced). A new object gets `L + 1`, a hit adds `L`.
    #[test]
    fn hand_worked_trace() {
        let mut cache = new_cache(POLICY, 3, 8);
        testing::run(
            &mut *cache,
            &[
                Put(1, 1, &[]), // 1:[1]; L 0, H 0
                Put(2, 1, &[]), // 1:[1 2]
                // L is 0: the hit adds nothing, 1 only moves to the newest end.
                Get(1, true),   // 1:[2 1]; H 1
                Put(3, 1, &[]), // 1:[2 1 3]; 3 bytes
                // The oldest at priority 1 goes; L = 1; 4 gets L + 1 = 2.
                Put(4, 1, &[2]), // 1:[1 3] 2:[4]
                Get(3, true),    // 3: 1 + 1 = 2; 1:[1] 2:[4 3]; H 2
                // 1: 1 + 1 = 2; the list at L (1) is empty: L moves to the
                // lowest priority above it with objects, 2 (at most H = 2).
                Get(1, true), // 2:[4 3 1]; L 2
                // 4 goes (L stays 2); 5 gets 3.
                Put(5, 1, &[4]), // 2:[3 1] 3:[5]
                Get(5, true),    // 5: 3 + 2 = 5; 2:[3 1] 5:[5]; H 5
                Put(6, 1, &[3]), // 2:[1] 3:[6] 5:[5]
                // 1 goes and empties the list at 2: L = 3 (6's).
                Put(7, 1, &[1]), // 3:[6] 4:[7] 5:[5]; L 3
                Get(6, true),    // 6: 3 + 3 = 6; L = 4 (7's); 4:[7] 5:[5] 6:[6]; H 6
                // Two bytes: 7 goes (L = 5), then 5 (L = 6); 8 gets 7,
                // above H: an insert does not raise it.
                Put(8, 2, &[7, 5]), // 6:[6] 7:[8]; L 6
                Used(3),
                // 6 goes and empties the list at 6; the search stops at
                // H = 6 and finds nothing: L stays 6 on an empty list.
                Put(9, 1, &[6]), // 7:[8 9]; 9 gets 6 + 1 = 7
                // libCacheSim would read the empty list at 6 and crash;
                // cdnsim takes the oldest of the lowest list held, 8, and
                // L = 7; 10 gets 8.
                Put(10, 1, &[8]), // 7:[9] 8:[10]; L 7
                // Larger than the cache: refused, nothing evicted.
                Refused(11, 4, &[]),
                Used(2),
                // 9: 7 + 7 = 14; the list at 7 empties: L = 8 (10's); H 14.
                Get(9, true),
                // 10: 8 + 8 = 16; the list at 8 empties: L = 14 (9's); H 16.
                Get(10, true), // 14:[9] 16:[10]
                // 9 goes and empties the list at 14: L = 16; 12 gets 17.
                Put(12, 2, &[9]), // 16:[10] 17:[12]
                Used(3),
                Get(9, false),
                Get(10, true),
            ],
        );
        assert_eq!(cache.evictions(), 9);
    }

    /// Two 1-byte objects of room, each new object hit right after its
    /// insert. `L` stays 0 for the first two (`1:[0 1]`); then each insert
    /// evicts the lowest, and from the fourth object on that empties the
    /// list at `L`, which jumps to the previous object's priority: each
    /// object gets `L + 1` and its hit adds `L`, so after object `k` (from
    /// 0) `L` is `2^(k-1) - 1`: 3, 7, 15, ... libCacheSim's signed 64-bit
    /// priorities would overflow at the 65th object; here they saturate at
    /// `u64::MAX`, where every object ties and the cache is an LRU.
    #[test]
    fn priorities_saturate_instead_of_overflowing() {
        let mut cache = new_cache(POLICY, 2, 4);
        let (mut hits, mut misses) = (0, 0);
        for key in 0..200 {
            for _ in 0..2 {
                if cache.lookup(key, SimTime::ZERO) == Lookup::Miss {
                    misses += 1;
                    cache.insert(
                        key,
                        Entry { size_bytes: 1, expires_at: SimTime::MAX, stored: Stored::Object(Version::FIRST) },
                    );
                } else {
                    hits += 1;
                }
            }
        }
        // Every object misses once and is then hit; all but the last two
        // were evicted.
        assert_eq!((hits, misses, hits + misses), (200, 200, 400));
        assert_eq!(cache.evictions(), 198);
        // Saturated: 198 then 199 in recency order, as in an LRU. A hit on
        // 198 makes 199 the oldest, and it goes.
        assert_ne!(cache.lookup(198, SimTime::ZERO), Lookup::Miss);
        cache.insert(1_000, Entry { size_bytes: 1, expires_at: SimTime::MAX, stored: Stored::Object(Version::FIRST) });
        assert_eq!((cache.peek(199), cache.evictions()), (None, 199));
        assert!(cache.peek(198).is_some() && cache.peek(1_000).is_some());
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
        testing::randomised(POLICY, 0x5eed_000b);
    }
}
