//! CLOCK (Corbató, "A paging experiment with the Multics system", 1968):
//! FIFO with a second chance, as libCacheSim implements it
//! (`libCacheSim/cache/eviction/Clock.c`: `Clock_find`, `Clock_insert`,
//! `Clock_evict`), so that miss counts agree with it exactly.
//!
//! libCacheSim's defaults: a 1-bit frequency (`n-bit-counter=1`), 0 for a
//! new object (`init-freq=0`). A hit sets it. Eviction looks at the oldest
//! object: if its bit is set, the bit is cleared and the object is moved to
//! the newest end (the hand passing it); the first one found clear is
//! evicted. The queue is the clock face and its oldest end is the hand, so
//! no separate hand is needed. Unlike SIEVE, survivors move: new objects
//! queue behind the objects the hand has passed.
//!
//! Sizes are bytes, fixed at insertion (a hit never changes them, as in
//! libCacheSim); an object larger than the capacity evicts nothing. A
//! replacing insert (which libCacheSim lacks) is a hit; while it makes room
//! for a larger copy the hand steps over the object being replaced.

use super::api::CacheKey;
use super::slab::{List, NIL, Slab};
use super::store::{Policy, Slot};

/// The reference bit in `Slot::bits`.
const REFERENCED: u8 = 1;

/// The clock face: head = where the hand points.
pub(crate) struct Clock {
    queue: List,
}

impl Clock {
    pub(crate) fn new() -> Clock {
        Clock { queue: List::new() }
    }
}

impl Policy for Clock {
    type Plan = ();

    fn plan(&mut self, _key: CacheKey, _size_bytes: u64) {}

    fn link(&mut self, slots: &mut Slab<Slot>, idx: u32, _plan: ()) {
        slots.push_back(&mut self.queue, idx);
    }

    fn touch(&mut self, slots: &mut Slab<Slot>, idx: u32) {
        slots.get_mut(idx).bits = REFERENCED;
    }

    fn unlink(&mut self, slots: &mut Slab<Slot>, idx: u32) {
        slots.unlink(&mut self.queue, idx);
    }

    fn evict(&mut self, slots: &mut Slab<Slot>, pinned: u32) -> u32 {
        // Ends: every pass clears a bit, so within two laps some unpinned
        // slot is clear (the store guarantees one exists).
        loop {
            let mut hand = self.queue.head();
            if hand == pinned {
                hand = slots.next(hand);
            }
            debug_assert_ne!(hand, NIL, "evict called on a clock with nothing to evict");
            let slot = slots.get_mut(hand);
            if slot.bits & REFERENCED == 0 {
                slots.unlink(&mut self.queue, hand);
                return hand;
            }
            slot.bits = 0;
            slots.move_to_back(&mut self.queue, hand);
        }
    }

    #[cfg(test)]
    fn check(&self, slots: &Slab<Slot>) -> usize {
        let queue = slots.check_list(&self.queue);
        for &idx in &queue {
            assert!(slots.get(idx).bits & !REFERENCED == 0, "slot {idx} has bits CLOCK never sets");
        }
        queue.len()
    }
}

#[cfg(test)]
mod tests {
    use super::super::new_cache;
    use super::super::testing::{self, Step::*};
    use crate::scenario::EvictionPolicy;

    const POLICY: EvictionPolicy = EvictionPolicy::Clock;

    /// Capacity 4 objects of 1 byte. Comments give the queue from the hand
    /// (oldest) to the newest, `*` for a set reference bit.
    #[test]
    fn hand_worked_trace() {
        let mut cache = new_cache(POLICY, 4, 4);
        testing::run(
            &mut *cache,
            &[
                Put(1, 1, &[]),
                Put(2, 1, &[]),
                Put(3, 1, &[]),
                Put(4, 1, &[]), // [1 2 3 4]
                Get(1, true),
                Get(3, true), // [1* 2 3* 4]
                // 1 is passed (cleared, moved behind 4); 2 is clear: evicted.
                Put(5, 1, &[2]), // [3* 4 1 5]
                Get(5, true),    // [3* 4 1 5*]
                // 3 is passed; 4 is clear: evicted.
                Put(6, 1, &[4]), // [1 5* 3 6]
                Put(7, 1, &[1]), // [5* 3 6 7]
                Get(3, true),
                Get(6, true), // [5* 3* 6* 7]
                // 5, 3 and 6 are passed in turn; 7 goes.
                Put(8, 1, &[7]), // [5 3 6 8]
                Put(9, 1, &[5]), // [3 6 8 9]
                Get(1, false),
                Get(3, true),
            ],
        );
        assert_eq!(cache.evictions(), 5);
    }

    /// Capacity 10 bytes: an insert keeps the hand turning until it fits.
    #[test]
    fn mixed_sizes_evict_until_the_bytes_fit() {
        let mut cache = new_cache(POLICY, 10, 4);
        testing::run(
            &mut *cache,
            &[
                Put(1, 4, &[]),
                Put(2, 3, &[]),
                Put(3, 3, &[]), // [1 2 3], 10 bytes
                Get(1, true),   // [1* 2 3]
                // Need 6 free: 1 passed, 2 goes (7 + 6 > 10), 3 goes (4 + 6 fit).
                Put(4, 6, &[2, 3]), // [1 4]
                Used(10),
                // Bigger than the cache: refused, nothing evicted.
                Put(5, 1, &[1]), // 1 (clear now) goes: [4 5]
                Used(7),
            ],
        );
        assert_eq!(cache.insert(6, testing_entry(11)), super::super::Admission::TooLarge);
        assert_eq!(cache.used_bytes(), 7, "a refused object evicts nothing");
    }

    fn testing_entry(size_bytes: u64) -> super::super::Entry {
        super::super::Entry {
            size_bytes,
            expires_at: crate::time::SimTime::MAX,
            stored: super::super::Stored::Object(super::super::Version::FIRST),
        }
    }

    /// Growing the oldest object: the hand steps over it (its replace is a
    /// hit) and takes the next clear one.
    #[test]
    fn replace_is_an_access_and_never_evicts_itself() {
        let mut cache = new_cache(POLICY, 10, 4);
        testing::run(
            &mut *cache,
            &[
                Put(1, 4, &[]),
                Put(2, 3, &[]),
                Put(3, 3, &[]),  // [1 2 3], 10 bytes
                Put(1, 6, &[2]), // 1* is pinned; 2 goes: [1* 3], 9 bytes
                Used(9),
                Put(4, 1, &[]),  // [1* 3 4]
                Put(5, 1, &[3]), // 1 passed and cleared, 3 goes: [4 1 5]
                Used(8),
            ],
        );
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
        testing::randomised(POLICY, 0x5eed_0005);
    }
}
