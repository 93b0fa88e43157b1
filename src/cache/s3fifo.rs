//! S3-FIFO: Yang, Zhang, Qiu, Yue, Rashmi, "FIFO queues are all you need
//! for cache eviction", SOSP'23 (Algorithm 1).
//!
//! Three FIFO queues. New objects enter a small queue S (10% of the space)
//! unless the ghost queue G remembers them, in which case they enter the
//! main queue M directly. Each cached object has a 2-bit frequency, bumped
//! on every hit and capped at 3. Evicting from S: the oldest object moves to
//! M if it was hit more than once (`freq > 1` in the paper; threshold 2 in
//! the authors' artifact, libCacheSim's `S3FIFOv0`), with its frequency
//! cleared as the authors' description of the move says; otherwise it is
//! evicted and its key goes to G. Evicting from M works like
//! FIFO-reinsertion: an object with `freq > 0` is reinserted at the new end
//! with `freq - 1`, and the first one found at 0 is evicted. G holds keys
//! only, as many as M holds objects, and forgets in FIFO order; a ghost hit
//! consumes the ghost entry.
//!
//! Adapted to byte capacity:
//! - S's share is `capacity / 10` bytes and M's the rest. An eviction takes
//!   from S while S holds at least its share (or M is empty), else from M.
//! - The paper's `evictS` keeps moving objects into M until it has evicted
//!   one from S, calling `evictM` whenever M is full. Here each call returns
//!   exactly one victim and the store calls again until the new object fits:
//!   an S-to-M move that overfills M evicts from M and stops, rather than also
//!   evicting from S, so no more bytes are freed than needed.
//! - G's size limit is M's current object count, checked when a key is added.
//!   It starts at zero, so G remembers nothing until objects reach M.
//!
//! A replacing insert counts as a hit. While it makes room for a larger
//! copy, eviction steps over the object being replaced, which keeps its
//! place and frequency.

use super::api::CacheKey;
use super::index::{Index, fingerprint};
use super::slab::{List, NIL, Slab};
use super::store::{Policy, Slot};

/// The 2-bit saturating frequency in `Slot::bits`.
const FREQ_MASK: u8 = 0b011;
/// Set in `Slot::bits` while the slot is in M rather than S.
const IN_MAIN: u8 = 0b100;

pub(crate) struct S3Fifo {
    // Invariant: a slot is in `main` exactly when its bits have `IN_MAIN`.
    small: List,
    main: List,
    // Invariant: the sum of the sizes of the slots in `small` (and of those
    // in `main`): the byte budgets that choose the queue to evict from.
    small_bytes: u64,
    main_bytes: u64,
    small_share_bytes: u64,
    main_share_bytes: u64,
    ghost: Ghost,
}

impl S3Fifo {
    pub(crate) fn new(capacity_bytes: u64, expected_objects: usize) -> S3Fifo {
        let small_share_bytes = capacity_bytes / 10;
        S3Fifo {
            small: List::new(),
            main: List::new(),
            small_bytes: 0,
            main_bytes: 0,
            small_share_bytes,
            main_share_bytes: capacity_bytes - small_share_bytes,
            ghost: Ghost::with_capacity(expected_objects),
        }
    }

    /// The oldest slot of `list` that is not `pinned`, or `NIL`.
    fn oldest_unpinned(slots: &Slab<Slot>, list: &List, pinned: u32) -> u32 {
        let head = list.head();
        if head != NIL && head == pinned { slots.next(head) } else { head }
    }

    /// Moves a slot from S to the new end of M with its frequency cleared.
    fn promote(&mut self, slots: &mut Slab<Slot>, idx: u32) {
        slots.unlink(&mut self.small, idx);
        slots.push_back(&mut self.main, idx);
        let slot = slots.get_mut(idx);
        slot.bits = IN_MAIN;
        self.small_bytes -= slot.size_bytes;
        self.main_bytes += slot.size_bytes;
    }

    /// The paper's `evictM`: reinsert while frequency is left, evict at 0.
    fn evict_main(&mut self, slots: &mut Slab<Slot>, pinned: u32) -> u32 {
        loop {
            let idx = Self::oldest_unpinned(slots, &self.main, pinned);
            debug_assert_ne!(idx, NIL, "evict_main with nothing evictable in M");
            let slot = slots.get_mut(idx);
            if slot.bits & FREQ_MASK == 0 {
                self.main_bytes -= slot.size_bytes;
                slots.unlink(&mut self.main, idx);
                return idx;
            }
            slot.bits -= 1;
            slots.move_to_back(&mut self.main, idx);
        }
    }
}

impl Policy for S3Fifo {
    /// True if G remembered the key: it goes straight into M.
    type Plan = bool;

    fn plan(&mut self, key: CacheKey) -> bool {
        self.ghost.take(key)
    }

    fn link(&mut self, slots: &mut Slab<Slot>, idx: u32, to_main: bool) {
        let size_bytes = slots.get(idx).size_bytes;
        if to_main {
            slots.get_mut(idx).bits = IN_MAIN;
            slots.push_back(&mut self.main, idx);
            self.main_bytes += size_bytes;
        } else {
            slots.push_back(&mut self.small, idx);
            self.small_bytes += size_bytes;
        }
    }

    fn touch(&mut self, slots: &mut Slab<Slot>, idx: u32) {
        let slot = slots.get_mut(idx);
        if slot.bits & FREQ_MASK != FREQ_MASK {
            slot.bits += 1;
        }
    }

    fn unlink(&mut self, slots: &mut Slab<Slot>, idx: u32) {
        let Slot { bits, size_bytes, .. } = *slots.get(idx);
        if bits & IN_MAIN != 0 {
            slots.unlink(&mut self.main, idx);
            self.main_bytes -= size_bytes;
        } else {
            slots.unlink(&mut self.small, idx);
            self.small_bytes -= size_bytes;
        }
    }

    fn evict(&mut self, slots: &mut Slab<Slot>, pinned: u32) -> u32 {
        loop {
            let small_oldest = Self::oldest_unpinned(slots, &self.small, pinned);
            let main_evictable = Self::oldest_unpinned(slots, &self.main, pinned) != NIL;
            let from_small = small_oldest != NIL && (self.small_bytes >= self.small_share_bytes || !main_evictable);
            if !from_small {
                return self.evict_main(slots, pinned);
            }
            let slot = *slots.get(small_oldest);
            if slot.bits & FREQ_MASK > 1 {
                self.promote(slots, small_oldest);
                if self.main_bytes > self.main_share_bytes {
                    return self.evict_main(slots, pinned);
                }
                continue;
            }
            slots.unlink(&mut self.small, small_oldest);
            self.small_bytes -= slot.size_bytes;
            self.ghost.push(slot.key, self.main.len());
            return small_oldest;
        }
    }

    fn resized(&mut self, slots: &Slab<Slot>, idx: u32, old_size_bytes: u64) {
        let slot = slots.get(idx);
        let queue_bytes = if slot.bits & IN_MAIN != 0 { &mut self.main_bytes } else { &mut self.small_bytes };
        *queue_bytes = *queue_bytes - old_size_bytes + slot.size_bytes;
    }

    fn memory_bytes(&self) -> usize {
        self.ghost.memory_bytes()
    }

    #[cfg(test)]
    fn check(&self, slots: &Slab<Slot>) -> usize {
        let mut linked = 0;
        for (queue, bytes, in_main) in [(&self.small, self.small_bytes, false), (&self.main, self.main_bytes, true)] {
            let mut queued_bytes = 0;
            for idx in slots.check_list(queue) {
                let slot = slots.get(idx);
                assert_eq!(slot.bits & IN_MAIN != 0, in_main, "slot {idx} is marked for the other queue");
                queued_bytes += slot.size_bytes;
                linked += 1;
            }
            assert_eq!(bytes, queued_bytes, "a queue's byte count is not the sum of its slots' sizes");
        }
        self.ghost.check();
        linked
    }
}

/// G: a FIFO of recently evicted keys with an index for membership.
struct Ghost {
    keys: Slab<CacheKey>,
    // Invariant: holds the same keys as `index`, and none that is cached.
    queue: List,
    index: Index,
}

impl Ghost {
    fn with_capacity(n_keys: usize) -> Ghost {
        Ghost { keys: Slab::with_capacity(n_keys), queue: List::new(), index: Index::with_capacity(n_keys) }
    }

    /// Forgets `key`, returning whether it was remembered.
    fn take(&mut self, key: CacheKey) -> bool {
        let fp = fingerprint(key);
        let Some(idx) = self.index.find(fp, |idx| *self.keys.get(idx) == key) else {
            return false;
        };
        self.index.remove(fp, idx);
        self.keys.unlink(&mut self.queue, idx);
        self.keys.free(idx);
        true
    }

    /// Remembers `key`, then forgets the oldest keys beyond `limit`.
    fn push(&mut self, key: CacheKey, limit: u32) {
        let fp = fingerprint(key);
        debug_assert!(self.index.find(fp, |idx| *self.keys.get(idx) == key).is_none(), "key both cached and in G");
        let idx = self.keys.alloc(key);
        self.keys.push_back(&mut self.queue, idx);
        self.index.insert(fp, idx);
        while self.queue.len() > limit {
            let oldest = self.queue.head();
            self.keys.unlink(&mut self.queue, oldest);
            let forgotten = self.keys.free(oldest);
            self.index.remove(fingerprint(forgotten), oldest);
        }
    }

    fn memory_bytes(&self) -> usize {
        self.keys.memory_bytes() + self.index.memory_bytes()
    }

    /// The queue and the index hold the same keys: for tests.
    #[cfg(test)]
    fn check(&self) {
        let queued = self.keys.check_list(&self.queue);
        assert_eq!(queued.len(), self.index.len(), "the ghost's queue and index differ in length");
        for idx in queued {
            let key = *self.keys.get(idx);
            assert_eq!(self.index.find(fingerprint(key), |found| found == idx), Some(idx), "ghost key {key} unindexed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{self, Step::*};
    use super::super::{Entry, Stored, Version, new_cache};
    use crate::scenario::EvictionPolicy;
    use crate::time::SimTime;

    const POLICY: EvictionPolicy = EvictionPolicy::S3Fifo;

    /// Capacity 10 bytes, 2-byte objects: five fit, S's share is 1 byte, so
    /// any non-empty S is "full" and evictions come from S until it is empty.
    /// Comments give S, M and G oldest first, and frequencies as `key:freq`.
    #[test]
    fn hand_worked_trace() {
        let mut cache = new_cache(POLICY, 10, 8);
        testing::run(
            &mut *cache,
            &[
                Put(1, 2, &[]),
                Put(2, 2, &[]),
                Put(3, 2, &[]),
                Put(4, 2, &[]),
                Put(5, 2, &[]), // S [1 2 3 4 5], M [], G []
                Get(1, true),
                Get(1, true),
                Get(2, true),
                Get(3, true),
                Get(3, true),
                Get(3, true),
                Get(3, true), // 1:2 2:1 3:3 (capped)
                // 1 was hit twice: moves to M. 2 was hit once: evicted to G.
                Put(6, 2, &[2]), // S [3 4 5 6], M [1], G [2]
                // 3 moves to M, 4 goes; G may now hold 2 keys (M's count).
                Put(7, 2, &[4]), // S [5 6 7], M [1 3], G [2 4]
                // G remembers 2, so it skips S; making room costs 5.
                Get(2, false),
                Put(2, 2, &[5]), // S [6 7], M [1 3 2], G [4 5]
                Get(1, true),    // 1:1
                Put(8, 2, &[6]), // S [7 8], M [1 3 2], G [4 5 6]
                Put(9, 2, &[7]), // G is at its limit of 3: 4 is forgotten; G [5 6 7]
                Get(4, false),
                Put(4, 2, &[8]), // 4 is back in S, not M: S [9 4], G [6 7 8]
                Get(9, true),
                Get(9, true),
                Get(4, true),
                Get(4, true), // 9:2 4:2
                // 6 is in G: straight to M. Room: 9 and 4 both move to M,
                // which then holds 10 > 9 bytes, so M evicts: 1 is reinserted
                // (1:1 -> 1:0) and 3, cleared on its move, goes. M evictions
                // do not feed G.
                Get(6, false),
                Put(6, 2, &[3]), // S [], M [2 9 4 1 6], G [7 8]
                // S is empty, so M evicts its oldest: 2, never hit since.
                Put(10, 2, &[2]), // S [10], M [9 4 1 6]
                Get(1, true),
                Get(3, false),
                Get(9, true),
            ],
        );
        assert_eq!(cache.evictions(), 8);
    }

    /// Capacity 100: S's share is 10 bytes, M's 90.
    #[test]
    fn mixed_sizes_split_bytes_between_queues() {
        let mut cache = new_cache(POLICY, 100, 8);
        testing::run(
            &mut *cache,
            &[
                Put(1, 50, &[]),
                Put(2, 30, &[]),
                Put(3, 20, &[]), // S [1 2 3] = 100 bytes
                Get(1, true),
                Get(1, true),
                // 1 moves to M (50 <= 90, no M eviction); 2 goes: 70 + 15 fit.
                Put(4, 15, &[2]), // S [3 4] 35, M [1] 50, G [2]
                Used(85),
                // 2 comes back via G into M; S (35 >= 10) gives up 3: 65 + 30.
                Put(2, 30, &[3]), // S [4] 15, M [1 2] 80, G [3]
                Used(95),
                // 95 + 40: S (15 >= 10) gives up 4, then S is empty and M
                // gives up 1 (frequency cleared when it moved): 30 + 40 fit.
                Put(5, 40, &[4, 1]), // S [5], M [2], G [3 4]
                Used(70),
            ],
        );
    }

    /// Growing an object at S's old end: it is skipped, not evicted, and
    /// its bytes move with it into M later.
    #[test]
    fn replace_is_an_access_and_never_evicts_itself() {
        let mut cache = new_cache(POLICY, 10, 8);
        testing::run(
            &mut *cache,
            &[
                Put(1, 4, &[]),
                Put(2, 3, &[]),
                Put(3, 3, &[]),  // S [1 2 3], 10 bytes
                Put(1, 6, &[2]), // 1:1, +2 bytes: 1 is pinned, so 2 goes
                Used(9),
                Get(1, true),    // 1:2
                Put(4, 1, &[]),  // S [1 3 4], 10 bytes
                Put(5, 1, &[3]), // 1 moves to M (6 <= 9), 3 goes
                Used(8),
                Get(1, true),
            ],
        );
    }

    /// With nothing pre-allocated, memory stops growing once G reaches its
    /// bound: M's object count (here 5 objects hit twice, then promoted).
    #[test]
    fn ghost_is_bounded_by_main() {
        let one_byte = Entry { size_bytes: 1, expires_at: SimTime::MAX, stored: Stored::Object(Version::FIRST) };
        let mut cache = new_cache(POLICY, 10, 0);
        for key in 0..10 {
            cache.insert(key, one_byte);
        }
        for key in 0..5 {
            cache.lookup(key, SimTime::ZERO);
            cache.lookup(key, SimTime::ZERO);
        }
        for key in 10..1_000 {
            cache.insert(key, one_byte);
        }
        let warm_bytes = cache.memory_bytes();
        for key in 1_000..100_000 {
            cache.insert(key, one_byte);
        }
        assert_eq!(cache.memory_bytes(), warm_bytes, "G grew past its bound");
        for key in 0..5 {
            assert!(cache.peek(key).is_some(), "promoted key {key} was evicted");
        }
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
        testing::randomised(POLICY, 0x5eed_0004);
    }
}
