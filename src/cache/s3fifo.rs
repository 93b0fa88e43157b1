//! S3-FIFO: Yang, Zhang, Qiu, Yue, Rashmi, "FIFO queues are all you need
//! for cache eviction", SOSP'23 (Algorithm 1), as libCacheSim implements it
//! (`libCacheSim/cache/eviction/S3FIFO.c`, `S3FIFO_find`, `S3FIFO_insert`,
//! `S3FIFO_evict`, `S3FIFO_evict_small`, `S3FIFO_evict_main`, at commit
//! 687f14c, the version the `libcachesim` 0.3.5 wheel runs: aa0fc40 lacks
//! its warm-up rule, `has_evicted`), so that miss counts agree with it
//! exactly.
//!
//! Three FIFO queues, with libCacheSim's defaults:
//! - S, the small queue: `(capacity * 0.1)` bytes, truncated. A new object
//!   enters S, unless G remembers it, in which case it enters M directly.
//! - M, the main queue: the rest of the capacity. Until the first eviction,
//!   a new object that finds S at (or over) its share enters M instead, so
//!   that a cold cache fills M too.
//! - G, the ghost: keys of objects evicted from S, a FIFO of at most
//!   `(capacity * 0.9)` bytes charged at the object's size (`ghost.rs`).
//!   Every miss consults G and consumes the entry, even one for an object
//!   too large to admit.
//!
//! A hit adds 1 to the object's frequency (stored capped at 3: libCacheSim
//! counts on but reads `MIN(freq, 3)`, which gives the same evictions).
//! Eviction, one victim per call as the store asks:
//! - from M if M holds more than its share or S holds no bytes, else from S;
//! - from S: the oldest object moves to M's new end with its frequency reset
//!   to 0 if it was hit at least twice (`move-to-main-threshold=2`), M may
//!   overfill (the next call then evicts from M); the first one hit fewer
//!   times is evicted and its key goes to G. If S empties first, M evicts;
//! - from M (FIFO-reinsertion): the oldest object with frequency `f > 0` is
//!   reinserted at the new end with `f - 1`; the first at 0 is evicted.
//!   M's evictions do not feed G.
//!
//! Admission (`S3FIFO_can_insert`, `S3FIFO_insert`): an object larger than
//! S is refused; one exactly S's size is refused too unless G remembered it,
//! but only after room was made for it (libCacheSim's `<=` in `can_insert`
//! against `>=` in `insert`).
//!
//! Object sizes are fixed at insertion, as in libCacheSim (a hit does not
//! change them). A replacing insert, which libCacheSim lacks, counts as a
//! hit; while it makes room for a larger copy, eviction steps over the
//! object being replaced, which keeps its place and frequency.

use super::api::CacheKey;
use super::ghost::Ghosts;
use super::slab::{List, NIL, Slab};
#[cfg(test)]
use super::store::check_queue;
use super::store::{Fit, Policy, Slot};

/// The 2-bit saturating frequency in `Slot::bits`.
const FREQ_MASK: u8 = 0b011;
/// Set in `Slot::bits` while the slot is in M rather than S.
const IN_MAIN: u8 = 0b100;
/// libCacheSim's `move-to-main-threshold`.
const MOVE_TO_MAIN_FREQ: u8 = 2;
/// The ghost's one list.
const G: usize = 0;

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
    ghost_share_bytes: u64,
    /// Whether anything was ever evicted. Until then a new object finds S
    /// full (at least its share) goes to M instead, so M fills up while the
    /// cache warms (libCacheSim's `has_evicted` in `S3FIFO_insert`).
    has_evicted: bool,
    // Invariant: holds no key that is cached, and at most
    // `ghost_share_bytes` bytes.
    ghost: Ghosts,
}

impl S3Fifo {
    pub(crate) fn new(capacity_bytes: u64, expected_objects: usize) -> S3Fifo {
        // libCacheSim computes the shares in double precision and truncates:
        // `(int64_t)cache_size * fifo_size_ratio`.
        let small_share_bytes = (capacity_bytes as f64 * 0.1) as u64;
        S3Fifo {
            small: List::new(),
            main: List::new(),
            small_bytes: 0,
            main_bytes: 0,
            small_share_bytes,
            main_share_bytes: capacity_bytes - small_share_bytes,
            ghost_share_bytes: (capacity_bytes as f64 * 0.9) as u64,
            has_evicted: false,
            ghost: Ghosts::with_capacity(expected_objects),
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

    /// `S3FIFO_evict_main`: reinsert while frequency is left, evict at 0.
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

    fn plan(&mut self, key: CacheKey, _size_bytes: u64) -> bool {
        self.ghost.take(key).is_some()
    }

    fn fit(&self, to_main: bool, size_bytes: u64) -> Fit {
        if size_bytes > self.small_share_bytes {
            Fit::Refuse
        } else if size_bytes == self.small_share_bytes && !to_main {
            Fit::RefuseAfterMakingRoom
        } else {
            Fit::Admit
        }
    }

    fn link(&mut self, slots: &mut Slab<Slot>, idx: u32, to_main: bool) {
        let size_bytes = slots.get(idx).size_bytes;
        let warming = !self.has_evicted && self.small_bytes >= self.small_share_bytes;
        if to_main || warming {
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
        self.has_evicted = true;
        let main_evictable = Self::oldest_unpinned(slots, &self.main, pinned) != NIL;
        if main_evictable && (self.main_bytes > self.main_share_bytes || self.small_bytes == 0) {
            return self.evict_main(slots, pinned);
        }
        loop {
            let oldest = Self::oldest_unpinned(slots, &self.small, pinned);
            if oldest == NIL {
                // Every object of S moved to M: libCacheSim's next
                // `S3FIFO_evict` finds S empty and evicts from M.
                return self.evict_main(slots, pinned);
            }
            let slot = *slots.get(oldest);
            if slot.bits & FREQ_MASK >= MOVE_TO_MAIN_FREQ {
                self.promote(slots, oldest);
                continue;
            }
            slots.unlink(&mut self.small, oldest);
            self.small_bytes -= slot.size_bytes;
            if self.ghost_share_bytes > 0 {
                self.ghost.push_bounded(G, slot.key, slot.size_bytes, self.ghost_share_bytes);
            }
            return oldest;
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
        let linked = check_queue(slots, &self.small, self.small_bytes, IN_MAIN, false)
            + check_queue(slots, &self.main, self.main_bytes, IN_MAIN, true);
        self.ghost.check();
        assert!(self.ghost.bytes(G) <= self.ghost_share_bytes, "G holds more than its share");
        linked
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{self, Step, Step::*};
    use super::super::{Admission, Entry, Stored, Version, new_cache};
    use crate::scenario::EvictionPolicy;
    use crate::time::SimTime;

    const POLICY: EvictionPolicy = EvictionPolicy::S3Fifo;

    fn forever(size_bytes: u64) -> Entry {
        Entry { size_bytes, expires_at: SimTime::MAX, stored: Stored::Object(Version::FIRST) }
    }

    /// Capacity 30 bytes: S's share is `(30 * 0.1) as u64` = 3 bytes, M's
    /// 27, G's `(30 * 0.9) as u64` = 27. Comments give S, M and G oldest
    /// first and frequencies as `key:freq`.
    #[test]
    fn hand_worked_trace() {
        let mut cache = new_cache(POLICY, 30, 8);
        let mut steps: Vec<Step> = vec![Put(1, 1, &[]), Put(2, 1, &[]), Put(3, 1, &[])]; // S [1 2 3]: at its share
        // Nothing was evicted yet and S is at its share: the next 27 go to M.
        steps.extend((4..=30).map(|key| Put(key, 1, &[]))); // M [4 .. 30], 30 bytes cached
        steps.extend([
            Get(1, true),
            Get(1, true),
            Get(2, true),
            Get(4, true), // 1:2 2:1 4:1
            // M holds 27, not more than its share, so S evicts: 1 (hit
            // twice) moves to M with its frequency cleared, 2 (once) goes to G.
            Put(31, 1, &[2]), // S [3 31], M [4 .. 30 1] (28 bytes), G [2]
            // M is over its share: 4 is reinserted (4:0), 5 goes; not to G.
            Put(32, 1, &[5]), // S [3 31 32], M [6 .. 30 1 4]
            // G remembers 2: room comes from S (M is at its share), 3 goes
            // to G, and 2 enters M.
            Get(2, false),
            Put(2, 1, &[3]),  // S [31 32], M [6 .. 30 1 4 2] (28), G [3]
            Put(33, 1, &[6]), // M over its share again: 6 goes
            Get(1, true),
            Get(4, true),
            Get(5, false),
            Get(3, false),
            Used(30),
        ]);
        testing::run(&mut *cache, &steps);
        assert_eq!(cache.evictions(), 4);

        // 3 bytes is exactly S's share: room is made for it (31, 32 and 33
        // leave S for G, until 27 + 3 fit), then it is refused anyway.
        assert_eq!(cache.insert(40, forever(3)), Admission::TooLarge);
        assert_eq!(cache.evictions(), 7);
        assert_eq!(cache.used_bytes(), 27);
        for key in [31, 32, 33, 40] {
            assert!(cache.peek(key).is_none(), "{key} is cached");
        }
        // Larger than S: refused before anything is evicted.
        assert_eq!(cache.insert(41, forever(4)), Admission::TooLarge);
        assert_eq!((cache.evictions(), cache.used_bytes()), (7, 27));
        // The same 3 bytes for a key G remembers goes to M: admitted.
        assert_eq!(cache.insert(3, forever(3)), Admission::Stored);
        assert_eq!((cache.evictions(), cache.used_bytes()), (7, 30));
    }

    /// Capacity 100: S's share is 10 bytes, M's 90, G's 90. Objects must be
    /// smaller than S's share.
    #[test]
    fn mixed_sizes_split_bytes_between_queues() {
        let mut cache = new_cache(POLICY, 100, 8);
        let mut steps: Vec<Step> = vec![Put(1, 6, &[]), Put(2, 5, &[])]; // S [1 2] = 11 bytes, over its share
        // Nothing was evicted yet and S is at its share: M [3 .. 12] = 89.
        steps.extend((3..=11).map(|key| Put(key, 9, &[])));
        steps.extend([
            Put(12, 8, &[]),
            Used(100),
            Get(1, true),
            Get(1, true),
            // M (89) is within its share: S evicts. 1 moves to M (95 bytes),
            // 2 goes to G: 95 + 5 fit.
            Put(20, 5, &[2]), // S [20], M [3 .. 12 1], G [2]
            Used(100),
            // M is over its share: 3 (never hit) goes, 91 + 9 fit.
            Put(21, 9, &[3]), // S [20 21], M [4 .. 12 1] = 86
            Used(100),
            // G remembers 2; M is within its share, so S gives up 20.
            Put(2, 5, &[20]), // S [21], M [4 .. 12 1 2] = 91, G [20]
            Used(100),
            Get(2, true),
        ]);
        testing::run(&mut *cache, &steps);
    }

    /// Growing an object at S's old end: it is skipped, not evicted, and
    /// its bytes move with it into M later.
    #[test]
    fn replace_is_an_access_and_never_evicts_itself() {
        let mut cache = new_cache(POLICY, 100, 8);
        let mut steps: Vec<Step> = vec![Put(1, 4, &[]), Put(2, 3, &[]), Put(3, 3, &[])]; // S [1 2 3] = 10: its share
        steps.extend((4..=13).map(|key| Put(key, 9, &[]))); // warming: M [4 .. 13] = 90
        steps.extend([
            // 1:1, +2 bytes: S evicts, 1 is pinned, so 2 goes: 97 + 2 fit.
            Put(1, 6, &[2]), // S [1 3] = 9
            Used(99),
            Get(1, true),     // 1:2
            Put(20, 1, &[]),  // S [1 3 20] = 10, 100 bytes
            Put(21, 1, &[3]), // 1 moves to M (96 bytes), 3 goes to G
            Put(22, 5, &[4]), // M over its share: 4 (never hit) goes
            Used(94),
            Get(1, true),
        ]);
        testing::run(&mut *cache, &steps);
    }

    /// With nothing pre-allocated, memory stops growing once G reaches its
    /// bound of 90% of the capacity in bytes: 9 one-byte keys here.
    #[test]
    fn ghost_is_bounded_by_bytes() {
        let one_byte = forever(1);
        let mut cache = new_cache(POLICY, 10 * 3, 0);
        for key in 0..1_000 {
            cache.insert(key, one_byte);
        }
        let warm_bytes = cache.memory_bytes();
        for key in 1_000..100_000 {
            cache.insert(key, one_byte);
        }
        assert_eq!(cache.memory_bytes(), warm_bytes, "G grew past its bound");
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
