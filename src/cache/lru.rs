//! LRU: evict the object whose last access is oldest.
//!
//! The textbook policy (e.g. Mattson et al., "Evaluation techniques for
//! storage hierarchies", IBM Systems Journal 1970, which defines LRU as a
//! stack algorithm). One list in recency order: an access moves the object
//! to the newest end, eviction takes the oldest end. With byte capacity the
//! store simply evicts from the old end until the new object fits, so one
//! large insert can push out many small objects.

use super::api::CacheKey;
use super::slab::{List, Slab};
use super::store::{Policy, Slot};

/// Recency order: head = least recently used.
pub(crate) struct Lru {
    queue: List,
}

impl Lru {
    pub(crate) fn new() -> Lru {
        Lru { queue: List::new() }
    }
}

impl Policy for Lru {
    type Plan = ();

    fn plan(&mut self, _key: CacheKey, _size_bytes: u64) {}

    fn link(&mut self, slots: &mut Slab<Slot>, idx: u32, _plan: ()) {
        slots.push_back(&mut self.queue, idx);
    }

    fn touch(&mut self, slots: &mut Slab<Slot>, idx: u32) {
        slots.move_to_back(&mut self.queue, idx);
    }

    fn prefetch_touch(&self, slots: &Slab<Slot>, idx: u32) {
        // Moving a node to the back relinks its neighbours; the old tail
        // is hot already.
        slots.prefetch_neighbours(idx);
    }

    fn unlink(&mut self, slots: &mut Slab<Slot>, idx: u32) {
        slots.unlink(&mut self.queue, idx);
    }

    fn next_victim(&self) -> Option<u32> {
        Some(self.queue.head()).filter(|&head| head != super::slab::NIL)
    }

    fn evict(&mut self, slots: &mut Slab<Slot>, pinned: u32) -> u32 {
        // A replaced slot was just touched, so it is the newest and can only
        // be the head if it is alone, which the store rules out. Stepping
        // over it keeps this correct without relying on that.
        slots.unlink_oldest_except(&mut self.queue, pinned)
    }

    #[cfg(test)]
    fn check(&self, slots: &Slab<Slot>) -> usize {
        slots.check_list(&self.queue).len()
    }
}

#[cfg(test)]
mod tests {
    use super::super::new_cache;
    use super::super::testing::{self, Step::*};
    use crate::scenario::EvictionPolicy;

    const POLICY: EvictionPolicy = EvictionPolicy::Lru;

    /// Capacity 3 objects of 1 byte. Recency order (oldest first) after each
    /// step is in the comment; evictions take the oldest.
    #[test]
    fn hand_worked_trace() {
        let mut cache = new_cache(POLICY, 3, 4);
        testing::run(
            &mut *cache,
            &[
                Get(1, false),
                Put(1, 1, &[]), // [1]
                Get(2, false),
                Put(2, 1, &[]), // [1 2]
                Get(3, false),
                Put(3, 1, &[]), // [1 2 3]
                Get(1, true),   // [2 3 1]
                Get(4, false),
                Put(4, 1, &[2]), // [3 1 4]
                Get(3, true),    // [1 4 3]
                Get(5, false),
                Put(5, 1, &[1]), // [4 3 5]
                Get(1, false),
                Put(1, 1, &[4]), // [3 5 1]
                Get(4, false),
                Put(4, 1, &[3]), // [5 1 4]
            ],
        );
        assert_eq!(cache.evictions(), 4);
    }

    /// Capacity 10 bytes with sizes 4, 3, 3: a 6-byte object must push out
    /// the two least recent objects, 4 + 3 bytes, to fit.
    #[test]
    fn mixed_sizes_evict_until_the_bytes_fit() {
        let mut cache = new_cache(POLICY, 10, 4);
        testing::run(
            &mut *cache,
            &[
                Put(1, 4, &[]),
                Put(2, 3, &[]),
                Put(3, 3, &[]), // full: 10 bytes, order [1 2 3]
                Get(1, true),   // [2 3 1]
                // Need 6: evicting 2 frees 3 (used 7 + 6 > 10), then 3 (used 4 + 6 = 10).
                Put(4, 6, &[2, 3]),
                Used(10),
            ],
        );
    }

    /// Growing a cached object evicts others but never the object itself,
    /// and the replace counts as an access.
    #[test]
    fn replace_in_place_updates_bytes_and_recency() {
        let mut cache = new_cache(POLICY, 10, 4);
        testing::run(
            &mut *cache,
            &[
                Put(1, 2, &[]),
                Put(2, 2, &[]),
                Put(3, 2, &[]), // [1 2 3], 6 bytes
                Put(1, 1, &[]), // shrink: 5 bytes, [2 3 1]
                Used(5),
                Put(1, 7, &[2]), // grow by 6: 11 > 10, so 2 goes; [3 1], 9 bytes
                Used(9),
                Put(4, 1, &[]),  // [3 1 4], 10 bytes
                Put(5, 1, &[3]), // 3 is the oldest, not 1
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
        testing::randomised(POLICY, 0x5eed_0001);
    }
}
