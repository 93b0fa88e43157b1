//! S4LRU: segmented LRU with four segments (Huang, Beaver, Lloyd, Li,
//! "An Analysis of Facebook Photo Caching", SOSP'13), as libCacheSim's SLRU
//! implements it with its default `n-seg=4`
//! (`libCacheSim/cache/eviction/SLRU.c`: `SLRU_find`, `SLRU_insert`,
//! `SLRU_evict`, `SLRU_cool`, `SLRU_can_insert`), so that miss counts agree
//! with it exactly.
//!
//! Four LRU segments, 0 (lowest) to 3, each `capacity / 4` bytes (integer
//! division). Rules, in libCacheSim's order:
//! - A new object goes to the newest end of the lowest segment with room
//!   for it; if none has room, objects are evicted until the cache has room
//!   and it goes to segment 0, which may then hold more than its share.
//!   An object larger than one segment is refused.
//! - A hit in segment 3 moves the object to that segment's newest end. A
//!   hit in a lower segment promotes it to the newest end of the next one
//!   up; while that segment then holds more than its share, its least
//!   recent object cools to the newest end of the segment below, and so on
//!   down: segment 0 over its share evicts its least recent objects. So a
//!   hit can evict (the store asks `overflow_victim` after each touch).
//! - To make room, the least recent object of the lowest segment holding
//!   any bytes is evicted.
//!
//! libCacheSim evicts during the cooling cascade, each time segment 0 goes
//! over its share; here segment 0's evictions wait for the cascade to end.
//! The same objects go: both evict from the least recent end until what is
//! left, including every object cooled into it, fits the share.
//!
//! The segments are generic (`Slru<N>` with a byte share per segment, as
//! libCacheSim's `seg-size` parameter sets them): W-TinyLFU's main cache is
//! an `Slru<2>` with shares 1:4 (`wtinylfu.rs`).
//!
//! Sizes are fixed at insertion, as in libCacheSim. A replacing insert,
//! which libCacheSim lacks, is a hit (a promotion); while it makes room for
//! a larger copy, eviction steps over the object being replaced.

use super::api::CacheKey;
use super::slab::{List, NIL, Slab};
use super::store::{Fit, Policy, Slot};

/// libCacheSim's default `n-seg`.
const S4LRU_SEGMENTS: usize = 4;

/// S4LRU as the `s4lru` policy: four equal segments.
pub(crate) type S4Lru = Slru<S4LRU_SEGMENTS>;

impl S4Lru {
    pub(crate) fn new(capacity_bytes: u64) -> S4Lru {
        Slru::with_shares([capacity_bytes / S4LRU_SEGMENTS as u64; S4LRU_SEGMENTS])
    }
}

/// Segmented LRU with `N` segments, 0 the lowest.
pub(crate) struct Slru<const N: usize> {
    // Invariant: a slot is in `segments[s]` exactly when its bits are `s`;
    // each runs least recent (head) to most recent.
    segments: [List; N],
    // Invariant: `bytes[s]` is the sum of the sizes in `segments[s]`. Every
    // segment above 0 holds at most `share_bytes[s]` whenever a call
    // returns, and segment 0 too once a touch is done, unless an insert
    // filled it.
    bytes: [u64; N],
    share_bytes: [u64; N],
    /// Set when a cooling cascade moved an object into segment 0: it must
    /// then evict down to its share (`overflow_victim`).
    cooled_into_lowest: bool,
}

impl<const N: usize> Slru<N> {
    const TOP: usize = N - 1;

    /// Segments of `share_bytes[s]` bytes each.
    pub(crate) fn with_shares(share_bytes: [u64; N]) -> Slru<N> {
        const { assert!(N >= 1 && N < 128, "segment numbers live in the slot's bits") };
        Slru { segments: [List::new(); N], bytes: [0; N], share_bytes, cooled_into_lowest: false }
    }

    /// Bytes in all segments.
    pub(crate) fn used_bytes(&self) -> u64 {
        self.bytes.iter().sum()
    }

    /// Whether some segment has room for `size_bytes` more within its
    /// share: `SLRU_insert` then evicts nothing for it.
    pub(crate) fn has_segment_room(&self, size_bytes: u64) -> bool {
        (0..N).any(|s| self.bytes[s] + size_bytes <= self.share_bytes[s])
    }

    /// Whether `idx` (a live slot) is linked here rather than in another
    /// policy's list that shares the slot bits.
    pub(crate) fn holds(slots: &Slab<Slot>, idx: u32) -> bool {
        (slots.get(idx).bits as usize) < N
    }

    /// The slot `evict(pinned)` would take, without taking it
    /// (`SLRU_to_evict`), or `None` if only `pinned` is linked.
    pub(crate) fn peek_victim(&self, slots: &Slab<Slot>, pinned: u32) -> Option<u32> {
        for s in 0..N {
            let mut victim = self.segments[s].head();
            if victim == pinned && victim != NIL {
                victim = slots.next(victim);
            }
            let pinned_bytes = if pinned != NIL && Self::holds(slots, pinned) && Self::segment_of(slots, pinned) == s {
                slots.get(pinned).size_bytes
            } else {
                0
            };
            if victim != NIL && self.bytes[s] > pinned_bytes {
                return Some(victim);
            }
        }
        // Only zero-byte objects besides the pinned one: any will do.
        (0..N)
            .map(|s| {
                let head = self.segments[s].head();
                if head == pinned && head != NIL { slots.next(head) } else { head }
            })
            .find(|&v| v != NIL)
    }

    fn segment_of(slots: &Slab<Slot>, idx: u32) -> usize {
        let segment = slots.get(idx).bits as usize;
        debug_assert!(segment < N, "slot {idx} in segment {segment}");
        segment
    }

    /// Moves `idx` from its segment to the newest end of `to`.
    fn shift(&mut self, slots: &mut Slab<Slot>, idx: u32, to: usize) {
        let from = Self::segment_of(slots, idx);
        let size_bytes = slots.get(idx).size_bytes;
        slots.unlink(&mut self.segments[from], idx);
        self.bytes[from] -= size_bytes;
        slots.push_back(&mut self.segments[to], idx);
        self.bytes[to] += size_bytes;
        slots.get_mut(idx).bits = to as u8;
    }
}

impl<const N: usize> Policy for Slru<N> {
    type Plan = ();

    fn plan(&mut self, _key: CacheKey, _size_bytes: u64) {}

    fn fit(&self, _plan: (), size_bytes: u64) -> Fit {
        if size_bytes > self.share_bytes[0] { Fit::Refuse } else { Fit::Admit }
    }

    fn link(&mut self, slots: &mut Slab<Slot>, idx: u32, _plan: ()) {
        let size_bytes = slots.get(idx).size_bytes;
        let segment = (0..N).find(|&s| self.bytes[s] + size_bytes <= self.share_bytes[s]).unwrap_or(0);
        slots.get_mut(idx).bits = segment as u8;
        slots.push_back(&mut self.segments[segment], idx);
        self.bytes[segment] += size_bytes;
    }

    fn touch(&mut self, slots: &mut Slab<Slot>, idx: u32) {
        let segment = Self::segment_of(slots, idx);
        if segment == Self::TOP {
            slots.move_to_back(&mut self.segments[Self::TOP], idx);
            return;
        }
        self.shift(slots, idx, segment + 1);
        // `SLRU_cool`, unrolled: each segment from the promoted one down
        // pushes its least recent objects into the one below while over its
        // share. A segment only grows from the one above, so one pass down
        // settles them all. The promoted object is the newest and fits
        // alone, so it never cools, unless a replacing insert (which
        // libCacheSim lacks) grew it past a segment: then it stays, over.
        for s in (1..=segment + 1).rev() {
            while self.bytes[s] > self.share_bytes[s] {
                let coolest = self.segments[s].head();
                if coolest == idx {
                    break;
                }
                self.shift(slots, coolest, s - 1);
                if s == 1 {
                    self.cooled_into_lowest = true;
                }
            }
        }
    }

    fn overflow_victim(&mut self, slots: &mut Slab<Slot>) -> Option<u32> {
        if !self.cooled_into_lowest {
            return None;
        }
        if self.bytes[0] <= self.share_bytes[0] {
            self.cooled_into_lowest = false;
            return None;
        }
        let victim = self.segments[0].head();
        self.unlink(slots, victim);
        Some(victim)
    }

    fn prefetch_touch(&self, slots: &Slab<Slot>, idx: u32) {
        slots.prefetch_neighbours(idx);
    }

    fn unlink(&mut self, slots: &mut Slab<Slot>, idx: u32) {
        let segment = Self::segment_of(slots, idx);
        slots.unlink(&mut self.segments[segment], idx);
        self.bytes[segment] -= slots.get(idx).size_bytes;
    }

    fn evict(&mut self, slots: &mut Slab<Slot>, pinned: u32) -> u32 {
        // `SLRU_to_evict`: the lowest segment holding any bytes. Any but the
        // pinned slot's bytes: the store only asks while others can go.
        let victim = self.peek_victim(slots, pinned).expect("evict called with nothing to evict");
        self.unlink(slots, victim);
        victim
    }

    fn resized(&mut self, slots: &Slab<Slot>, idx: u32, old_size_bytes: u64) {
        let segment = Self::segment_of(slots, idx);
        self.bytes[segment] = self.bytes[segment] - old_size_bytes + slots.get(idx).size_bytes;
    }

    #[cfg(test)]
    fn check(&self, slots: &Slab<Slot>) -> usize {
        let mut linked = 0;
        for s in 0..N {
            let mut segment_bytes = 0;
            for idx in slots.check_list(&self.segments[s]) {
                assert_eq!(slots.get(idx).bits as usize, s, "slot {idx} is marked for another segment");
                segment_bytes += slots.get(idx).size_bytes;
                linked += 1;
            }
            assert_eq!(segment_bytes, self.bytes[s], "segment {s}'s byte count is not the sum of its sizes");
        }
        assert!(!self.cooled_into_lowest, "segment 0 was left over its share after a touch");
        linked
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{self, Step::*};
    use super::super::{Admission, Entry, Stored, Version, new_cache};
    use crate::scenario::EvictionPolicy;
    use crate::time::SimTime;

    const POLICY: EvictionPolicy = EvictionPolicy::S4Lru;

    /// Capacity 8 bytes of 1-byte objects: each segment's share is 2.
    /// Comments give segments 0 to 3 as `s0 [..]`, least recent first.
    #[test]
    fn hand_worked_trace() {
        let mut cache = new_cache(POLICY, 8, 8);
        testing::run(
            &mut *cache,
            &[
                Put(1, 1, &[]),
                Put(2, 1, &[]), // s0 [1 2]
                Put(3, 1, &[]),
                Put(4, 1, &[]), // s0 is full: s1 [3 4]
                Put(5, 1, &[]),
                Put(6, 1, &[]),
                Put(7, 1, &[]),
                Put(8, 1, &[]), // s2 [5 6], s3 [7 8]
                // No segment has room: the lowest's least recent goes, and
                // the new object joins s0.
                Put(9, 1, &[1]), // s0 [2 9]
                // 2 is promoted to s1 [3 4 2]: 3 cools to s0 [9 3], fine.
                Get(2, true),
                // 9 to s1 [4 2 9]: 4 cools to s0 [3 4].
                Get(9, true),
                // 7 is in s3: it only becomes its most recent: s3 [8 7].
                Get(7, true),
                // 5 to s3 [8 7 5]: 8 cools to s2 [6 8]; s2 within its share.
                Get(5, true),
                // 6 to s3 [7 5 6]: 7 cools to s2 [8 7]; fine.
                Get(6, true),
                // 3 to s1 [2 9 3]: 2 cools to s0 [4 2]. s0 within share.
                Get(3, true),
                Used(8),
                // s0 [4 2] loses 4.
                Put(10, 1, &[4]), // s0 [2 10]
                Get(4, false),
                Get(1, false),
            ],
        );
    }

    /// A promotion whose cooling cascade leaves segment 0 over its share
    /// evicts there: a hit that evicts.
    #[test]
    fn a_hit_can_evict() {
        let mut cache = new_cache(POLICY, 8, 8);
        testing::run(
            &mut *cache,
            &[
                Put(1, 2, &[]), // s0 [1]
                Put(2, 2, &[]), // s1 [2]
                Put(3, 2, &[]), // s2 [3]
                Put(4, 1, &[]), // s3 [4]
                Put(5, 1, &[]), // s3 [4 5]: 8 bytes, s3 full
                // 6 finds no room: s0's 1 goes (6 + 1 fit), 6 joins s0 [6].
                Put(6, 1, &[1]),
                Put(7, 1, &[]), // s0 [6 7]: 2 bytes, within its share
                Used(8),
                // 2 to s2 [3 2]: 4 bytes > 2, 3 cools to s1 [3]; s1 within.
                Get(2, true),
                // 3 back to s2 [2 3]: 2 cools to s1 [2].
                Get(3, true),
                // 6 to s1 [2 6]: 3 bytes > 2, 2 cools to s0 [7 2] = 3 bytes
                // > 2: 7 is evicted by a hit.
            ],
        );
        let evictions = cache.evictions();
        assert!(cache.lookup(6, SimTime::ZERO) != super::super::Lookup::Miss);
        assert_eq!(cache.evictions(), evictions + 1, "the hit on 6 evicted one object");
        assert!(cache.peek(7).is_none(), "7, segment 0's least recent, went");
        assert_eq!(cache.used_bytes(), 7);
        let three = Entry { size_bytes: 3, expires_at: SimTime::MAX, stored: Stored::Object(Version::FIRST) };
        assert_eq!(cache.insert(20, three), Admission::TooLarge, "larger than a segment");
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
        testing::randomised(POLICY, 0x5eed_0007);
    }
}
