//! ARC: Megiddo and Modha, "ARC: A Self-Tuning, Low Overhead Replacement
//! Cache", FAST'03, as libCacheSim implements it with byte sizes
//! (`libCacheSim/cache/eviction/ARC.c` at commit aa0fc40: `ARC_find`,
//! `ARC_insert`, `ARC_evict`, `_ARC_replace`,
//! `_ARC_evict_miss_on_all_queues`), so that miss counts agree with it
//! exactly.
//!
//! Two LRU lists of cached objects, T1 (seen once recently) and T2 (seen
//! at least twice), and two ghost lists of keys, B1 and B2, that remember
//! what each evicted. Everything is counted in bytes, ghosts at the size the
//! object had. The target `p` for T1's bytes is a float in `[0, capacity]`,
//! starting at 0.
//! - A hit in T1 moves the object to T2's most recent end; a hit in T2
//!   makes it T2's most recent.
//! - A miss that B1 remembers raises `p` by `max(B2 / B1, 1)` (bytes, with
//!   B1 still counting the key; note that libCacheSim adds this ratio, not
//!   bytes, to a target in bytes), capped at the capacity; one that B2
//!   remembers lowers it by `max(B1 / B2, 1)`, floored at 0. The ghost
//!   entry is consumed, even if the object is then too large to cache, and
//!   the object enters T2. Any other miss enters T1.
//! - REPLACE (`_ARC_replace`): T1's least recent object goes to B1 if T1
//!   holds bytes and more than `p` (or exactly `p` on a B2 hit), or if T2
//!   is empty; otherwise T2's least recent goes to B2.
//! - Each eviction for a ghost hit is a REPLACE. For any other miss (the
//!   paper's case IV): if T1 + B1 + the new object exceed the capacity,
//!   B1's oldest key is forgotten and REPLACE runs, or, B1 being empty,
//!   T1's least recent object is evicted without a ghost; otherwise B2's
//!   oldest key is forgotten if all four lists hold at least twice the
//!   capacity, and REPLACE runs.
//!
//! Sizes are fixed at insertion, as in libCacheSim. A replacing insert,
//! which libCacheSim lacks, is a hit; its evictions run case IV for a new
//! object of no bytes, stepping over the object being replaced.

use super::api::CacheKey;
use super::ghost::{GhostList, Ghosts};
use super::slab::{List, NIL, Slab};
#[cfg(test)]
use super::store::check_queue;
use super::store::{Policy, Slot};

/// Set in `Slot::bits` while the slot is in T2 rather than T1.
const IN_T2: u8 = 1;
const B1: GhostList = 0;
const B2: GhostList = 1;

pub(crate) struct Arc {
    // Invariant: a slot is in `t2` exactly when its bits have `IN_T2`; both
    // run least recent (head) to most recent.
    t1: List,
    t2: List,
    // Invariant: the sums of the sizes of the slots in `t1` and `t2`.
    t1_bytes: u64,
    t2_bytes: u64,
    // Invariant: no key that is cached.
    ghosts: Ghosts,
    // Invariant: within `[0, capacity_bytes]`.
    p: f64,
    capacity_bytes: u64,
    /// The ghost list the key being inserted was found in, from `plan` to
    /// its `link` (libCacheSim's `curr_obj_in_L1_ghost` and `..._L2_...`
    /// for the current request). `None` on a replacing insert.
    ghost_hit: Option<GhostList>,
    /// The size of the object being inserted, for case IV.
    incoming_bytes: u64,
}

impl Arc {
    pub(crate) fn new(capacity_bytes: u64, expected_objects: usize) -> Arc {
        Arc {
            t1: List::new(),
            t2: List::new(),
            t1_bytes: 0,
            t2_bytes: 0,
            ghosts: Ghosts::with_capacity(expected_objects),
            p: 0.0,
            capacity_bytes,
            ghost_hit: None,
            incoming_bytes: 0,
        }
    }

    /// The least recent slot of `list` that is not `pinned`, or `NIL`.
    fn lru_unpinned(slots: &Slab<Slot>, list: &List, pinned: u32) -> u32 {
        let head = list.head();
        if head != NIL && head == pinned { slots.next(head) } else { head }
    }

    /// Evicts T1's least recent object (other than `pinned`) into B1, or
    /// none if T1 has no other.
    fn evict_t1(&mut self, slots: &mut Slab<Slot>, pinned: u32, to_ghost: bool) -> Option<u32> {
        let victim = Self::lru_unpinned(slots, &self.t1, pinned);
        if victim == NIL {
            return None;
        }
        let Slot { key, size_bytes, .. } = *slots.get(victim);
        slots.unlink(&mut self.t1, victim);
        self.t1_bytes -= size_bytes;
        if to_ghost {
            self.ghosts.push(B1, key, size_bytes);
        }
        Some(victim)
    }

    fn evict_t2(&mut self, slots: &mut Slab<Slot>, pinned: u32) -> Option<u32> {
        let victim = Self::lru_unpinned(slots, &self.t2, pinned);
        if victim == NIL {
            return None;
        }
        let Slot { key, size_bytes, .. } = *slots.get(victim);
        slots.unlink(&mut self.t2, victim);
        self.t2_bytes -= size_bytes;
        self.ghosts.push(B2, key, size_bytes);
        Some(victim)
    }

    /// The paper's REPLACE. libCacheSim compares T1's integer bytes with
    /// the float `p` by converting the bytes to a double.
    fn replace(&mut self, slots: &mut Slab<Slot>, pinned: u32) -> u32 {
        let t1 = self.t1_bytes as f64;
        let from_t1 =
            (self.t1_bytes > 0 && (t1 > self.p || (t1 == self.p && self.ghost_hit == Some(B2)))) || self.t2_bytes == 0;
        let victim = if from_t1 {
            self.evict_t1(slots, pinned, true).or_else(|| self.evict_t2(slots, pinned))
        } else {
            self.evict_t2(slots, pinned).or_else(|| self.evict_t1(slots, pinned, true))
        };
        victim.expect("evict called with nothing to evict")
    }
}

impl Policy for Arc {
    /// True if a ghost list remembered the key: it enters T2.
    type Plan = bool;

    fn plan(&mut self, key: CacheKey, size_bytes: u64) -> bool {
        self.incoming_bytes = size_bytes;
        self.ghost_hit = None;
        let Some((list, charged_bytes)) = self.ghosts.take(key) else {
            return false;
        };
        // The ratio as `ARC_find` takes it: before the entry leaves its list.
        let (b1, b2) = (self.ghosts.bytes(B1) as f64, self.ghosts.bytes(B2) as f64);
        let capacity = self.capacity_bytes as f64;
        if list == B1 {
            let delta = (b2 / (b1 + charged_bytes as f64)).max(1.0);
            self.p = (self.p + delta).min(capacity);
        } else {
            let delta = (b1 / (b2 + charged_bytes as f64)).max(1.0);
            self.p = (self.p - delta).max(0.0);
        }
        debug_assert!((0.0..=capacity).contains(&self.p), "p = {} outside [0, {capacity}]", self.p);
        self.ghost_hit = Some(list);
        true
    }

    fn link(&mut self, slots: &mut Slab<Slot>, idx: u32, to_t2: bool) {
        let size_bytes = slots.get(idx).size_bytes;
        if to_t2 {
            slots.get_mut(idx).bits = IN_T2;
            slots.push_back(&mut self.t2, idx);
            self.t2_bytes += size_bytes;
        } else {
            slots.push_back(&mut self.t1, idx);
            self.t1_bytes += size_bytes;
        }
        self.ghost_hit = None;
    }

    fn touch(&mut self, slots: &mut Slab<Slot>, idx: u32) {
        // A touch starts a request that inserts nothing new.
        self.ghost_hit = None;
        self.incoming_bytes = 0;
        let slot = slots.get_mut(idx);
        if slot.bits & IN_T2 != 0 {
            slots.move_to_back(&mut self.t2, idx);
        } else {
            slot.bits = IN_T2;
            let size_bytes = slot.size_bytes;
            slots.unlink(&mut self.t1, idx);
            slots.push_back(&mut self.t2, idx);
            self.t1_bytes -= size_bytes;
            self.t2_bytes += size_bytes;
        }
    }

    fn prefetch_touch(&self, slots: &Slab<Slot>, idx: u32) {
        slots.prefetch_neighbours(idx);
    }

    fn unlink(&mut self, slots: &mut Slab<Slot>, idx: u32) {
        let Slot { bits, size_bytes, .. } = *slots.get(idx);
        if bits & IN_T2 != 0 {
            slots.unlink(&mut self.t2, idx);
            self.t2_bytes -= size_bytes;
        } else {
            slots.unlink(&mut self.t1, idx);
            self.t1_bytes -= size_bytes;
        }
    }

    fn evict(&mut self, slots: &mut Slab<Slot>, pinned: u32) -> u32 {
        if self.ghost_hit.is_some() {
            return self.replace(slots, pinned);
        }
        // Case IV, `_ARC_evict_miss_on_all_queues`.
        let c = self.capacity_bytes;
        if self.t1_bytes + self.ghosts.bytes(B1) + self.incoming_bytes > c {
            if self.ghosts.bytes(B1) > 0 {
                self.ghosts.forget_oldest(B1);
                return self.replace(slots, pinned);
            }
            if let Some(victim) = self.evict_t1(slots, pinned, false) {
                return victim;
            }
            return self.replace(slots, pinned);
        }
        let total = self.t1_bytes + self.ghosts.bytes(B1) + self.t2_bytes + self.ghosts.bytes(B2);
        if total >= 2 * c && self.ghosts.bytes(B2) > 0 {
            self.ghosts.forget_oldest(B2);
        }
        self.replace(slots, pinned)
    }

    fn resized(&mut self, slots: &Slab<Slot>, idx: u32, old_size_bytes: u64) {
        let slot = slots.get(idx);
        let list_bytes = if slot.bits & IN_T2 != 0 { &mut self.t2_bytes } else { &mut self.t1_bytes };
        *list_bytes = *list_bytes - old_size_bytes + slot.size_bytes;
    }

    fn memory_bytes(&self) -> usize {
        self.ghosts.memory_bytes()
    }

    #[cfg(test)]
    fn check(&self, slots: &Slab<Slot>) -> usize {
        let linked = check_queue(slots, &self.t1, self.t1_bytes, IN_T2, false)
            + check_queue(slots, &self.t2, self.t2_bytes, IN_T2, true);
        self.ghosts.check();
        assert!((0.0..=self.capacity_bytes as f64).contains(&self.p), "p = {} out of range", self.p);
        linked
    }
}

#[cfg(test)]
mod tests {
    use super::super::new_cache;
    use super::super::testing::{self, Step::*};
    use crate::scenario::EvictionPolicy;

    const POLICY: EvictionPolicy = EvictionPolicy::Arc;

    /// Capacity 4 bytes of 1-byte objects. Comments give T1, T2, B1 and B2
    /// least recent first, and the target `p`.
    #[test]
    fn hand_worked_trace() {
        let mut cache = new_cache(POLICY, 4, 8);
        testing::run(
            &mut *cache,
            &[
                Put(1, 1, &[]),
                Put(2, 1, &[]),
                Put(3, 1, &[]),
                Put(4, 1, &[]), // T1 [1 2 3 4], p = 0
                Get(1, true),
                Get(2, true), // T1 [3 4], T2 [1 2]
                // Case IV: T1 + B1 + 1 = 3 <= 4; all lists hold 4 < 8.
                // REPLACE: T1 (2 bytes) > p = 0, so 3 goes to B1.
                Put(5, 1, &[3]), // T1 [4 5], T2 [1 2], B1 [3]
                // T1 + B1 + 1 = 4 <= 4: REPLACE again, 4 goes to B1.
                Put(6, 1, &[4]), // T1 [5 6], B1 [3 4]
                // T1 + B1 + 1 = 5 > 4 and B1 holds bytes: 3 is forgotten,
                // then REPLACE sends 5 to B1.
                Put(7, 1, &[5]), // T1 [6 7], B1 [4 5]
                // 4 is in B1: p rises by max(B2 / B1, 1) = max(0 / 2, 1) = 1.
                // REPLACE: T1 (2) > p (1): 6 goes to B1. 4 enters T2.
                Get(4, false),
                Put(4, 1, &[6]), // T1 [7], T2 [1 2 4], B1 [5 6], p = 1
                // A new miss: T1 + B1 + 1 = 4 <= 4; lists hold 6 < 8.
                // REPLACE: T1 (1) is not > p (1), so T2's least recent, 1,
                // goes to B2.
                Put(8, 1, &[1]), // T1 [7 8], T2 [2 4], B1 [5 6], B2 [1]
                // 1 is in B2: p falls by max(B1 / B2, 1) = max(2 / 1, 1) = 2,
                // floored at 0. REPLACE: T1 (2) > 0: 7 goes to B1.
                Get(1, false),
                Put(1, 1, &[7]), // T1 [8], T2 [2 4 1], B1 [5 6 7], p = 0
                Get(2, true),
                Get(8, true), // T1 [], T2 [4 1 2 8]
                // T1 + B1 + 1 = 4 <= 4; lists hold 7 < 8; REPLACE: T1 is
                // empty, so T2's 4 goes to B2.
                Put(9, 1, &[4]), // T1 [9], T2 [1 2 8], B2 [4]
                Get(4, false),
                Get(1, true),
                Get(9, true),
            ],
        );
        assert_eq!(cache.evictions(), 7);
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
        testing::randomised(POLICY, 0x5eed_0008);
    }
}
