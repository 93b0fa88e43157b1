//! FIFO: evict the object that was inserted longest ago; accesses are
//! ignored.
//!
//! The baseline of Yang et al., "FIFO queues are all you need for cache
//! eviction" (SOSP'23) and of the SIEVE paper (Zhang et al., NSDI'24): one
//! queue in insertion order, no work on a hit. With byte capacity the store
//! evicts from the old end until the new object fits. A replacing insert is
//! an access, so it leaves the object where it is in the queue.

use super::api::CacheKey;
use super::slab::{List, Slab};
use super::store::{Policy, Slot};

/// Insertion order: head = inserted longest ago.
pub(crate) struct Fifo {
    queue: List,
}

impl Fifo {
    pub(crate) fn new() -> Fifo {
        Fifo { queue: List::new() }
    }
}

impl Policy for Fifo {
    type Plan = ();

    fn plan(&mut self, _key: CacheKey, _size_bytes: u64) {}

    fn link(&mut self, slots: &mut Slab<Slot>, idx: u32, _plan: ()) {
        slots.push_back(&mut self.queue, idx);
    }

    fn touch(&mut self, _slots: &mut Slab<Slot>, _idx: u32) {}

    fn unlink(&mut self, slots: &mut Slab<Slot>, idx: u32) {
        slots.unlink(&mut self.queue, idx);
    }

    fn next_victim(&self) -> Option<u32> {
        Some(self.queue.head()).filter(|&head| head != super::slab::NIL)
    }

    fn evict(&mut self, slots: &mut Slab<Slot>, pinned: u32) -> u32 {
        // A grown object may be the oldest; it keeps its place and the next
        // oldest goes instead.
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

    const POLICY: EvictionPolicy = EvictionPolicy::Fifo;

    /// Capacity 3 objects of 1 byte; queue (oldest first) in the comments.
    /// Hits do not reorder, so 1 goes first even though it was just hit.
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
                Get(1, true),   // [1 2 3]
                Get(4, false),
                Put(4, 1, &[1]), // [2 3 4]
                Get(1, false),
                Put(1, 1, &[2]), // [3 4 1]
                Get(3, true),    // [3 4 1]
                Get(5, false),
                Put(5, 1, &[3]), // [4 1 5]
                Get(4, true),
                Get(1, true),
                Get(5, true),
                Get(3, false),
            ],
        );
        assert_eq!(cache.evictions(), 3);
    }

    /// A 5-byte object into 10 bytes holding 4 + 3 + 3: the two oldest go.
    #[test]
    fn mixed_sizes_evict_until_the_bytes_fit() {
        let mut cache = new_cache(POLICY, 10, 4);
        testing::run(
            &mut *cache,
            &[
                Put(1, 4, &[]),
                Put(2, 3, &[]),
                Put(3, 3, &[]),
                Get(1, true),
                // 10 + 5: evicting 1 leaves 6 + 5 > 10, evicting 2 leaves 3 + 5.
                Put(4, 5, &[1, 2]),
                Used(8),
            ],
        );
    }

    /// Growing the oldest object skips over it: 2 goes, and 1 stays oldest.
    #[test]
    fn replace_keeps_the_queue_position() {
        let mut cache = new_cache(POLICY, 10, 4);
        testing::run(
            &mut *cache,
            &[
                Put(1, 4, &[]),
                Put(2, 3, &[]),
                Put(3, 3, &[]),  // [1 2 3], 10 bytes
                Put(1, 6, &[2]), // +2 bytes; 1 is pinned, so 2 goes: [1 3], 9 bytes
                Used(9),
                Put(4, 1, &[]),  // [1 3 4], 10 bytes
                Put(5, 1, &[1]), // 1 is still the oldest: 6 bytes freed
                Used(5),
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
        testing::randomised(POLICY, 0x5eed_0002);
    }
}
