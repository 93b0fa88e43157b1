//! 2Q: Johnson and Shasha, "2Q: A Low Overhead High Performance Buffer
//! Management Replacement Algorithm", VLDB'94 (the "full version"), as
//! libCacheSim implements it (`libCacheSim/cache/eviction/TwoQ.c`:
//! `TwoQ_find`, `TwoQ_insert`, `TwoQ_evict`, `TwoQ_can_insert`), so that
//! miss counts agree with it exactly.
//!
//! Three queues, sized in bytes with libCacheSim's defaults:
//! - A1in, a FIFO of new objects: `(capacity * 0.25)` bytes, truncated
//!   (`Ain-size-ratio=0.25`). A hit there changes nothing.
//! - A1out, a ghost FIFO of keys evicted from A1in: `(capacity * 0.5)`
//!   bytes, each key charged its object's size (`Aout-size-ratio=0.5`).
//! - Am, an LRU of objects that came back while A1out remembered them:
//!   the rest of the capacity. A hit moves an object to its newest end.
//!
//! A miss consults A1out (consuming the entry, even for an object then
//! refused). Remembered: the object enters Am, which first evicts its own
//! least recent objects until it fits within Am's share (libCacheSim
//! inserts with `Am->get`). Otherwise it enters A1in. To make room, A1in
//! gives up its oldest (to A1out) while it holds more than its share, else
//! Am its least recent. An object larger than A1in's share is refused.
//!
//! Sizes are fixed at insertion, as in libCacheSim. A replacing insert,
//! which libCacheSim lacks, is a hit; while it makes room for a larger copy
//! eviction steps over the object being replaced.

use super::api::CacheKey;
use super::ghost::Ghosts;
use super::slab::{List, NIL, Slab};
#[cfg(test)]
use super::store::check_queue;
use super::store::{Fit, Policy, Slot};

/// Set in `Slot::bits` while the slot is in Am rather than A1in.
const IN_AM: u8 = 1;
/// The ghost's one list, A1out.
const A1OUT: usize = 0;

pub(crate) struct TwoQ {
    // Invariant: a slot is in `am` exactly when its bits have `IN_AM`.
    a1in: List,
    am: List,
    // Invariant: the sums of the sizes of the slots in each list.
    a1in_bytes: u64,
    am_bytes: u64,
    a1in_share_bytes: u64,
    am_share_bytes: u64,
    a1out_share_bytes: u64,
    /// Set by a link into Am, until Am is back within its share
    /// (`overflow_victim`): libCacheSim's `Am->get` makes room in Am.
    linked_into_am: bool,
    // Invariant: no key that is cached; at most `a1out_share_bytes`.
    a1out: Ghosts,
}

impl TwoQ {
    pub(crate) fn new(capacity_bytes: u64, expected_objects: usize) -> TwoQ {
        // `Ain_cache_size = cache_size * Ain_size_ratio`, truncated on
        // assignment to an integer, as are A1out's; Am gets the rest.
        let a1in_share_bytes = (capacity_bytes as f64 * 0.25) as u64;
        TwoQ {
            a1in: List::new(),
            am: List::new(),
            a1in_bytes: 0,
            am_bytes: 0,
            a1in_share_bytes,
            am_share_bytes: capacity_bytes - a1in_share_bytes,
            a1out_share_bytes: (capacity_bytes as f64 * 0.5) as u64,
            linked_into_am: false,
            a1out: Ghosts::with_capacity(expected_objects),
        }
    }

    /// The oldest slot of `list` that is not `pinned`, or `NIL`.
    fn oldest_unpinned(slots: &Slab<Slot>, list: &List, pinned: u32) -> u32 {
        let head = list.head();
        if head != NIL && head == pinned { slots.next(head) } else { head }
    }

    fn evict_a1in(&mut self, slots: &mut Slab<Slot>, idx: u32) -> u32 {
        let slot = *slots.get(idx);
        slots.unlink(&mut self.a1in, idx);
        self.a1in_bytes -= slot.size_bytes;
        self.a1out.push_bounded(A1OUT, slot.key, slot.size_bytes, self.a1out_share_bytes);
        idx
    }

    fn evict_am(&mut self, slots: &mut Slab<Slot>, idx: u32) -> u32 {
        slots.unlink(&mut self.am, idx);
        self.am_bytes -= slots.get(idx).size_bytes;
        idx
    }
}

impl Policy for TwoQ {
    /// True if A1out remembered the key: it goes into Am.
    type Plan = bool;

    fn plan(&mut self, key: CacheKey, _size_bytes: u64) -> bool {
        self.a1out.take(key).is_some()
    }

    fn fit(&self, _to_am: bool, size_bytes: u64) -> Fit {
        if size_bytes > self.a1in_share_bytes { Fit::Refuse } else { Fit::Admit }
    }

    fn link(&mut self, slots: &mut Slab<Slot>, idx: u32, to_am: bool) {
        let size_bytes = slots.get(idx).size_bytes;
        if to_am {
            slots.get_mut(idx).bits = IN_AM;
            slots.push_back(&mut self.am, idx);
            self.am_bytes += size_bytes;
            self.linked_into_am = true;
        } else {
            slots.push_back(&mut self.a1in, idx);
            self.a1in_bytes += size_bytes;
        }
    }

    fn overflow_victim(&mut self, slots: &mut Slab<Slot>) -> Option<u32> {
        // Only after a link into Am (a grown object can also leave Am over
        // its share, which libCacheSim never does, and that waits for the
        // next eviction). The object just linked is the newest and fits
        // alone, so it is never the one to go.
        if !self.linked_into_am {
            return None;
        }
        if self.am_bytes <= self.am_share_bytes {
            self.linked_into_am = false;
            return None;
        }
        let oldest = self.am.head();
        Some(self.evict_am(slots, oldest))
    }

    fn touch(&mut self, slots: &mut Slab<Slot>, idx: u32) {
        if slots.get(idx).bits & IN_AM != 0 {
            slots.move_to_back(&mut self.am, idx);
        }
    }

    fn prefetch_touch(&self, slots: &Slab<Slot>, idx: u32) {
        slots.prefetch_neighbours(idx);
    }

    fn unlink(&mut self, slots: &mut Slab<Slot>, idx: u32) {
        let Slot { bits, size_bytes, .. } = *slots.get(idx);
        if bits & IN_AM != 0 {
            slots.unlink(&mut self.am, idx);
            self.am_bytes -= size_bytes;
        } else {
            slots.unlink(&mut self.a1in, idx);
            self.a1in_bytes -= size_bytes;
        }
    }

    fn evict(&mut self, slots: &mut Slab<Slot>, pinned: u32) -> u32 {
        let a1in_oldest = Self::oldest_unpinned(slots, &self.a1in, pinned);
        let am_oldest = Self::oldest_unpinned(slots, &self.am, pinned);
        // libCacheSim never finds Am empty here (A1in within its share and
        // Am empty leave room for any admitted object); a grown object can.
        if a1in_oldest != NIL && (self.a1in_bytes > self.a1in_share_bytes || am_oldest == NIL) {
            return self.evict_a1in(slots, a1in_oldest);
        }
        debug_assert_ne!(am_oldest, NIL, "evict called with nothing to evict");
        self.evict_am(slots, am_oldest)
    }

    fn resized(&mut self, slots: &Slab<Slot>, idx: u32, old_size_bytes: u64) {
        let slot = slots.get(idx);
        let queue_bytes = if slot.bits & IN_AM != 0 { &mut self.am_bytes } else { &mut self.a1in_bytes };
        *queue_bytes = *queue_bytes - old_size_bytes + slot.size_bytes;
    }

    fn memory_bytes(&self) -> usize {
        self.a1out.memory_bytes()
    }

    #[cfg(test)]
    fn check(&self, slots: &Slab<Slot>) -> usize {
        let linked = check_queue(slots, &self.a1in, self.a1in_bytes, IN_AM, false)
            + check_queue(slots, &self.am, self.am_bytes, IN_AM, true);
        self.a1out.check();
        assert!(!self.linked_into_am, "Am was left over its share after a link");
        assert!(self.a1out.bytes(A1OUT) <= self.a1out_share_bytes, "A1out holds more than its share");
        linked
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{self, Step, Step::*};
    use super::super::{Admission, Entry, Stored, Version, new_cache};
    use crate::scenario::EvictionPolicy;
    use crate::time::SimTime;

    const POLICY: EvictionPolicy = EvictionPolicy::TwoQ;

    /// Capacity 8 bytes of 1-byte objects: A1in's share is 2, Am's 6,
    /// A1out's 4. Comments give A1in and A1out oldest first and Am least
    /// recent first.
    #[test]
    fn hand_worked_trace() {
        let mut cache = new_cache(POLICY, 8, 8);
        let mut steps: Vec<Step> = (1..=8).map(|key| Put(key, 1, &[])).collect(); // A1in [1 .. 8]
        steps.extend([
            Get(1, true), // a hit in A1in changes nothing
            // A1in (8) is over its share: its oldest go, to A1out.
            Put(9, 1, &[1]),  // A1in [2 .. 9], A1out [1]
            Put(10, 1, &[2]), // A1out [1 2]
            Put(11, 1, &[3]),
            Put(12, 1, &[4]), // A1in [5 .. 12], A1out [1 2 3 4]: at its share
            Put(13, 1, &[5]), // A1out forgets 1: [2 3 4 5]
            Get(1, false),
            Put(1, 1, &[6]), // not remembered: back into A1in, A1out [3 4 5 6]
            Get(3, false),
            Put(3, 1, &[7]), // remembered: into Am [3]; A1out [4 5 6 7]
            Get(4, false),
            Put(4, 1, &[8]), // Am [3 4], A1in [9 .. 13 1]
            Get(3, true),    // Am [4 3]
            Get(5, false),
            Put(5, 1, &[9]), // Am [4 3 5], A1in [10 .. 13 1] (5 > 2)
            Used(8),
        ]);
        testing::run(&mut *cache, &steps);
        // A1in's share is 2 bytes: a 3-byte object is refused, evicting nothing.
        let three = Entry { size_bytes: 3, expires_at: SimTime::MAX, stored: Stored::Object(Version::FIRST) };
        assert_eq!(cache.insert(20, three), Admission::TooLarge);
        assert_eq!((cache.used_bytes(), cache.evictions()), (8, 9));
    }

    /// Once A1in is within its share, Am gives up its least recent object,
    /// which A1out does not remember.
    #[test]
    fn am_evicts_its_least_recent() {
        let mut cache = new_cache(POLICY, 8, 8);
        let mut steps: Vec<Step> = (1..=8).map(|key| Put(key, 1, &[])).collect();
        const GONE: [[u64; 1]; 6] = [[1], [2], [3], [4], [5], [6]];
        steps.extend((9..=14).map(|key| Put(key, 1, &GONE[key as usize - 9]))); // A1in [7 .. 14], A1out [3 4 5 6]
        steps.extend([
            Put(3, 1, &[7]), // remembered: Am [3], A1out [4 5 6 7]
            Put(4, 1, &[8]),
            Put(5, 1, &[9]),
            Put(6, 1, &[10]), // Am [3 4 5 6], A1in [11 .. 14], A1out [7 8 9 10]
            Put(7, 1, &[11]),
            Put(8, 1, &[12]),  // Am [3 .. 8]: 6 bytes; A1in [13 14]: its share
            Get(3, true),      // Am [4 5 6 7 8 3]
            Put(9, 1, &[4]),   // A1in is within its share: Am's least recent goes
            Put(30, 1, &[5]),  // likewise for a new object: A1in [13 14 30]
            Put(31, 1, &[13]), // A1in over its share again
            Used(8),
            Get(4, false),
            Put(4, 1, &[14]), // 4 left Am, so A1out never saw it: into A1in
            Get(3, true),
            Get(9, true),
        ]);
        testing::run(&mut *cache, &steps);
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
        testing::randomised(POLICY, 0x5eed_0006);
    }
}
