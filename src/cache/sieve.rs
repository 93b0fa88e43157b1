//! SIEVE: Zhang, Yang, Yue, Vigfusson, Rashmi, "SIEVE is Simpler than LRU:
//! an Efficient Turn-Key Eviction Algorithm for Web Caches", NSDI'24.
//!
//! One FIFO queue, one visited bit per object and a "hand". New objects go
//! in at the newest end with the bit clear; a hit only sets the bit (no list
//! surgery, unlike LRU). To evict, the hand moves from where it last stopped
//! towards newer objects, wrapping from the newest back to the oldest; it
//! clears the bit of each visited object it passes and evicts the first
//! unvisited one. The hand then rests on the evicted object's newer
//! neighbour. Survivors keep their place, so new objects are the ones
//! demoted quickly: the "lazy promotion, quick demotion" the paper argues
//! for.
//!
//! Byte capacity: the store repeats the eviction until the new object fits;
//! the hand simply carries on. This file's "oldest" end is the paper's tail
//! and "newer" is its `prev` direction.

use super::api::CacheKey;
use super::slab::{List, NIL, Slab};
use super::store::{Policy, Slot};

const VISITED: u8 = 1;

/// Insertion order plus the hand.
pub(crate) struct Sieve {
    queue: List,
    /// Where the next eviction scan starts; `NIL` means at the oldest.
    // Invariant: `NIL` or a slot in `queue` (never a freed one: `unlink`
    // moves the hand off a slot before it goes).
    hand: u32,
}

impl Sieve {
    pub(crate) fn new() -> Sieve {
        Sieve { queue: List::new(), hand: NIL }
    }
}

impl Policy for Sieve {
    type Plan = ();

    fn plan(&mut self, _key: CacheKey, _size_bytes: u64) {}

    fn link(&mut self, slots: &mut Slab<Slot>, idx: u32, _plan: ()) {
        slots.push_back(&mut self.queue, idx);
    }

    fn touch(&mut self, slots: &mut Slab<Slot>, idx: u32) {
        slots.get_mut(idx).bits = VISITED;
    }

    fn unlink(&mut self, slots: &mut Slab<Slot>, idx: u32) {
        // The hand must not rest on a freed slot; the newer neighbour is
        // where it would have gone after passing this one.
        if self.hand == idx {
            self.hand = slots.next(idx);
        }
        slots.unlink(&mut self.queue, idx);
    }

    fn evict(&mut self, slots: &mut Slab<Slot>, pinned: u32) -> u32 {
        debug_assert!(!self.queue.is_empty(), "evict called on an empty SIEVE");
        let mut candidate = self.hand;
        loop {
            if candidate == NIL {
                candidate = self.queue.head();
            }
            let slot = slots.get_mut(candidate);
            // A slot being grown is passed over like a visited one (it was
            // just touched, so it is one): it cannot make room for itself.
            if slot.bits & VISITED == 0 && candidate != pinned {
                break;
            }
            slot.bits &= !VISITED;
            candidate = slots.next(candidate);
        }
        self.hand = slots.next(candidate);
        slots.unlink(&mut self.queue, candidate);
        candidate
    }

    #[cfg(test)]
    fn check(&self, slots: &Slab<Slot>) -> usize {
        let queue = slots.check_list(&self.queue);
        assert!(self.hand == NIL || queue.contains(&self.hand), "the hand rests on slot {}, not queued", self.hand);
        queue.len()
    }
}

#[cfg(test)]
mod tests {
    use super::super::new_cache;
    use super::super::testing::{self, Step::*};
    use crate::scenario::EvictionPolicy;

    const POLICY: EvictionPolicy = EvictionPolicy::Sieve;

    /// Capacity 4 objects of 1 byte. Comments give the queue oldest first,
    /// `*` for a set visited bit and `^` for the hand.
    #[test]
    fn hand_worked_trace() {
        let mut cache = new_cache(POLICY, 4, 4);
        testing::run(
            &mut *cache,
            &[
                Put(1, 1, &[]),
                Put(2, 1, &[]),
                Put(3, 1, &[]),
                Put(4, 1, &[]), // [1 2 3 4], hand at the oldest
                Get(1, true),
                Get(2, true), // [1* 2* 3 4]
                // Hand clears 1 and 2, evicts 3, rests on 4.
                Put(5, 1, &[3]), // [1 2 ^4 5]
                Get(4, true),
                Get(1, true), // [1* 2 ^4* 5]
                // Hand clears 4, evicts the newest object, 5, and wraps.
                Put(6, 1, &[5]), // [^1* 2 4 6]
                // Hand clears 1, evicts 2 (cleared during the first scan).
                Put(7, 1, &[2]), // [1 ^4 6 7]
                Get(3, false),
                Put(3, 1, &[4]), // [1 ^6 7 3]
                Get(1, true),    // [1* ^6 7 3]
                Put(8, 1, &[6]), // [1* ^7 3 8]
                Get(1, true),
                Get(7, true),
                Get(3, true),
                Get(8, true),
            ],
        );
        assert_eq!(cache.evictions(), 5);
    }

    /// Capacity 10 bytes: one scan keeps evicting until 6 bytes are free.
    #[test]
    fn mixed_sizes_evict_until_the_bytes_fit() {
        let mut cache = new_cache(POLICY, 10, 4);
        testing::run(
            &mut *cache,
            &[
                Put(1, 4, &[]),
                Put(2, 3, &[]),
                Put(3, 3, &[]), // [1 2 3]
                Get(2, true),   // [1 2* 3]
                // 1 goes (6 + 6 > 10), 2 is passed and cleared, 3 goes (3 + 6).
                Put(4, 6, &[1, 3]), // [2 4], hand wrapped to the oldest
                Used(9),
                Put(5, 1, &[]),  // [2 4 5], 10 bytes
                Put(6, 2, &[2]), // hand wraps to 2, cleared by the last scan: 7 + 2 fit
                Used(9),
                Put(7, 8, &[4, 5]), // [^4 5 6]: 4 goes (3 + 8 > 10), then 5 (2 + 8 fit)
                Used(10),
            ],
        );
    }

    /// Growing the oldest object: the hand passes it (clearing the bit its
    /// replace set) and takes the next unvisited one.
    #[test]
    fn replace_is_an_access_and_never_evicts_itself() {
        let mut cache = new_cache(POLICY, 10, 4);
        testing::run(
            &mut *cache,
            &[
                Put(1, 4, &[]),
                Put(2, 3, &[]),
                Put(3, 3, &[]),  // [1 2 3], 10 bytes
                Put(1, 6, &[2]), // +2: hand passes 1, evicts 2, rests on 3
                Used(9),
                Put(4, 1, &[]),  // [1 ^3 4]
                Put(5, 1, &[3]), // hand starts at 3, not at the oldest: [1 ^4 5]
                Put(6, 3, &[4]), // 8 + 3 > 10: 4 goes, 1 is never reached
                Used(10),
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
        testing::randomised(POLICY, 0x5eed_0003);
    }
}
