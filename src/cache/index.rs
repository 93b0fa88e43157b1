//! The key → slot index: an open-addressing hash table of 8-byte buckets.
//!
//! Why not `HashMap<u64, u32>`: a std table keeps keys in 16-byte buckets
//! plus a separate control-byte array, so a probe touches two cache lines,
//! and deletions leave tombstones that force periodic rehashes. Profiling
//! the LRU bench showed eviction-time `remove` alone at 30% of the time.
//! Here a bucket is a 32-bit fingerprint of the key's hash plus the slot
//! index; the key itself lives only in the slot, which a lookup reads
//! anyway. Linear probing with backward-shift deletion leaves no tombstones,
//! so a table that has reached its steady size never rehashes again.
//!
//! The fingerprint is the top 32 bits of a fixed-seed foldhash, and a
//! bucket's home is the fingerprint's top bits, so growing never needs the
//! keys. Different keys can share a fingerprint; callers confirm a match
//! against the slot's key, through the `is_key` closure.

use std::hash::BuildHasher;

use super::api::CacheKey;
use super::slab::NIL;

/// One bucket: `slot == NIL` marks it empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Bucket {
    fingerprint: u32,
    slot: u32,
}

const EMPTY: Bucket = Bucket { fingerprint: 0, slot: NIL };

/// The smallest table: 8 buckets, one cache line.
const MIN_BUCKETS_LOG2: u32 = 3;

/// The 32-bit fingerprint of `key` that the index stores and probes by.
pub(crate) fn fingerprint(key: CacheKey) -> u32 {
    // Fixed seed: the same key lands in the same bucket on every run, so
    // probe lengths (and thus timings) are reproducible too.
    (foldhash::fast::FixedState::with_seed(0).hash_one(key) >> 32) as u32
}

/// Maps fingerprints to slot indices. Holds at most 3/4 of its buckets.
#[derive(Debug)]
pub(crate) struct Index {
    buckets: Vec<Bucket>,
    /// `32 - log2(buckets.len())`: a fingerprint shifted right by this is
    /// its home bucket.
    home_shift: u32,
    // Invariant: the number of non-empty buckets, at most 3/4 of them, so
    // a probe always ends at an empty bucket.
    len: usize,
}

impl Index {
    /// An index that holds `n_keys` without growing.
    pub(crate) fn with_capacity(n_keys: usize) -> Index {
        // Load at most 3/4: linear probing's expected miss probe is then
        // ~8.5 buckets, about one cache line.
        let n_buckets = (n_keys.saturating_mul(4) / 3 + 1).next_power_of_two();
        let log2 = n_buckets.trailing_zeros().clamp(MIN_BUCKETS_LOG2, 32);
        Index { buckets: vec![EMPTY; 1 << log2], home_shift: 32 - log2, len: 0 }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    fn mask(&self) -> usize {
        self.buckets.len() - 1
    }

    fn home(&self, fingerprint: u32) -> usize {
        (fingerprint >> self.home_shift) as usize
    }

    /// Starts loading the home bucket of `fingerprint` (see `crate::prefetch`).
    pub(crate) fn prefetch(&self, fingerprint: u32) {
        crate::prefetch::prefetch(&self.buckets[self.home(fingerprint)]);
    }

    /// The slot whose key has `fingerprint` and satisfies `is_key`.
    pub(crate) fn find(&self, fingerprint: u32, is_key: impl Fn(u32) -> bool) -> Option<u32> {
        let mask = self.mask();
        let mut pos = self.home(fingerprint);
        loop {
            let bucket = self.buckets[pos];
            if bucket.slot == NIL {
                return None;
            }
            if bucket.fingerprint == fingerprint && is_key(bucket.slot) {
                return Some(bucket.slot);
            }
            pos = (pos + 1) & mask;
        }
    }

    /// Adds a key known to be absent.
    pub(crate) fn insert(&mut self, fingerprint: u32, slot: u32) {
        debug_assert_ne!(slot, NIL);
        if (self.len + 1) * 4 > self.buckets.len() * 3 {
            self.grow();
        }
        self.place(Bucket { fingerprint, slot });
        self.len += 1;
    }

    /// Puts a bucket in the first empty position from its home.
    fn place(&mut self, bucket: Bucket) {
        let mask = self.mask();
        let mut pos = self.home(bucket.fingerprint);
        while self.buckets[pos].slot != NIL {
            pos = (pos + 1) & mask;
        }
        self.buckets[pos] = bucket;
    }

    /// Doubles the table. A bucket's new home comes from its fingerprint,
    /// so growing never reads the slots.
    fn grow(&mut self) {
        assert!(self.home_shift > 0, "index full: 2^32 buckets");
        let old = std::mem::take(&mut self.buckets);
        self.buckets = vec![EMPTY; old.len() * 2];
        self.home_shift -= 1;
        for bucket in old {
            if bucket.slot != NIL {
                self.place(bucket);
            }
        }
    }

    /// Removes the entry for `slot`, whose key has `fingerprint`. Returns
    /// false if it was not there.
    pub(crate) fn remove(&mut self, fingerprint: u32, slot: u32) -> bool {
        let mask = self.mask();
        let mut pos = self.home(fingerprint);
        loop {
            let bucket = self.buckets[pos];
            if bucket.slot == NIL {
                return false;
            }
            if bucket.slot == slot {
                break;
            }
            pos = (pos + 1) & mask;
        }
        // Backward-shift deletion: pull later buckets of the run into the
        // hole whenever that does not move them before their home, so every
        // key stays reachable from its home without tombstones.
        let mut hole = pos;
        let mut next = (pos + 1) & mask;
        loop {
            let bucket = self.buckets[next];
            if bucket.slot == NIL {
                break;
            }
            let home = self.home(bucket.fingerprint);
            if (next.wrapping_sub(home) & mask) >= (next.wrapping_sub(hole) & mask) {
                self.buckets[hole] = bucket;
                hole = next;
            }
            next = (next + 1) & mask;
        }
        self.buckets[hole] = EMPTY;
        self.len -= 1;
        true
    }

    /// Heap bytes of the bucket array.
    pub(crate) fn memory_bytes(&self) -> usize {
        self.buckets.capacity() * std::mem::size_of::<Bucket>()
    }

    /// Every (fingerprint, slot) held, in bucket order: for tests.
    #[cfg(test)]
    pub(crate) fn entries(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.buckets.iter().filter(|b| b.slot != NIL).map(|b| (b.fingerprint, b.slot))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use rand::rngs::Xoshiro256PlusPlus;
    use rand::{RngExt, SeedableRng};

    use super::*;

    #[test]
    fn sizing() {
        assert_eq!(Index::with_capacity(0).buckets.len(), 8);
        // 3 keys * 4/3 + 1 = 5 -> 8 buckets; 6 keys -> 9 -> 16.
        assert_eq!(Index::with_capacity(3).buckets.len(), 8);
        assert_eq!(Index::with_capacity(6).buckets.len(), 16);
        // 1M keys: 2^21 buckets of 8 bytes, 16.8 bytes per key.
        assert_eq!(Index::with_capacity(1_000_000).memory_bytes(), (1 << 21) * 8);
    }

    #[test]
    fn grows_past_three_quarters() {
        let mut index = Index::with_capacity(0);
        for slot in 0..6 {
            index.insert(fingerprint(slot as u64), slot);
        }
        assert_eq!(index.buckets.len(), 8);
        index.insert(fingerprint(6), 6); // 7 > 3/4 of 8
        assert_eq!(index.buckets.len(), 16);
        for slot in 0..7 {
            assert_eq!(index.find(fingerprint(slot as u64), |s| s == slot), Some(slot));
        }
    }

    /// Random inserts and removes against a model. Fingerprints crowd into
    /// a few homes (the last bucket first) so runs are long, collide and
    /// wrap around the end of the table: the cases backward-shift deletion
    /// can get wrong.
    #[test]
    fn randomised_against_a_model() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let bases = [u32::MAX - 15, 0, 0x8000_0000];
        for round in 0..20 {
            let n_bases = round % 4; // 0: uniformly random fingerprints
            let mut index = Index::with_capacity(0);
            // slot -> fingerprint; a slot stands for a key.
            let mut model: BTreeMap<u32, u32> = BTreeMap::new();
            for op in 0..1_000 {
                let slot = rng.random_range(0..64u32);
                if let Some(&fp) = model.get(&slot) {
                    assert!(index.remove(fp, slot), "round {round} op {op}");
                    model.remove(&slot);
                } else {
                    let fp = if n_bases == 0 {
                        rng.random()
                    } else {
                        bases[rng.random_range(0..n_bases)] + rng.random_range(0..16)
                    };
                    index.insert(fp, slot);
                    model.insert(slot, fp);
                }
                assert_eq!(index.len(), model.len(), "round {round} op {op}");
                for s in 0..64u32 {
                    let fp = model.get(&s).copied().unwrap_or(u32::MAX - 3);
                    let expected = model.get(&s).map(|_| s);
                    assert_eq!(index.find(fp, |found| found == s), expected, "round {round} op {op}");
                }
            }
            assert!(!index.remove(0x1234, 999), "removing an absent slot");
        }
    }
}
