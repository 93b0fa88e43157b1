//! The key → slot index: an ordered linear-probing hash table of 8-byte
//! buckets, filled to at most 7/8.
//!
//! Why not `HashMap<u64, u32>`: a std table keeps keys in 16-byte buckets
//! plus a separate control-byte array, so a probe touches two cache lines,
//! and deletions leave tombstones that force periodic rehashes. Profiling
//! the LRU bench showed eviction-time `remove` alone at 30% of the time.
//! Here a bucket is a 32-bit fingerprint of the key's hash plus the slot
//! index; the key itself lives only in the slot, which a lookup reads
//! anyway.
//!
//! **Ordered by fingerprint.** A fingerprint's home bucket is
//! `fingerprint * homes >> 32` (Lemire's multiply-shift range reduction,
//! "Fast random integer generation in an interval", 2019), which never
//! decreases as the fingerprint grows, so the table can keep its entries in
//! fingerprint order, as in Amble and Knuth's ordered hash tables ("Ordered
//! hash tables", The Computer Journal 17(2), 1974). A probe then stops at
//! the first fingerprint larger than the one it seeks, so a miss reads as
//! few buckets as a hit: about 2.3 at the engine's load (0.72: tables are
//! sized for 1.25 times the objects a full cache holds, at 7/8) against 13
//! for unordered linear probing, and that is what lets the table run that
//! full. With 8 buckets to a cache line, a probe is one line but for about
//! one in six. Insertion shifts the rest of its run one bucket on, and
//! removal shifts it back (no tombstones), both within a line or two.
//!
//! The price is paid by a table that really is 7/8 full: an insertion then
//! moves some 30 entries (linear probing's `(1 + 1/(1 - load)^2) / 2`).
//! `benches/cache.rs` sizes its caches for exactly the objects they hold,
//! so it runs there, in the CPU's caches, and lost 40% of its LRU ops per
//! second (55% for SIEVE, whose hits touch nothing but the index). Large
//! caches, sized by the engine with headroom, are bound by memory reads
//! instead and gained. A bucketed table (a cache line of entries per home,
//! two homes per key) would keep inserts cheap at that load.
//!
//! **No wrap-around.** The bucket array is the `homes` home buckets plus a
//! spare run past the last one, so a run that starts near the end spills
//! into the spare buckets instead of wrapping to the front; the last
//! bucket is always empty and ends every probe. If a run would reach it
//! the spare run is lengthened (homes do not move, so nothing is rehashed).
//!
//! The home is any table size, not only a power of two, so the table is
//! sized to what it must hold instead of up to twice that; growing doubles
//! it, and new homes come from the fingerprints alone, so growing never
//! reads the slots. Different keys can share a fingerprint; callers confirm
//! a match against the slot's key, through the `is_key` closure.

use std::hash::BuildHasher;

use super::api::CacheKey;
use super::slab::NIL;

/// The 32-bit fingerprint of a key that the index stores and probes by:
/// any value but `u32::MAX`, which marks an empty bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Fingerprint(u32);

impl Fingerprint {
    /// A fingerprint given by hand: for tests.
    #[cfg(test)]
    pub(crate) fn of_raw(raw: u32) -> Fingerprint {
        assert_ne!(raw, u32::MAX, "u32::MAX marks an empty bucket");
        Fingerprint(raw)
    }
}

/// One bucket, as one word: the complements of the fingerprint (high half)
/// and of the slot (low half). An empty bucket is all zeros, so a new
/// table is zeroed memory straight from the allocator, and an empty bucket
/// reads as the fingerprint `u32::MAX`, larger than any key's: a probe
/// ends at it as at a larger fingerprint, with one comparison.
type Bucket = u64;

const EMPTY: Bucket = 0;

fn bucket(fingerprint: Fingerprint, slot: u32) -> Bucket {
    (u64::from(!fingerprint.0) << 32) | u64::from(!slot)
}

fn fingerprint_of(bucket: Bucket) -> u32 {
    !((bucket >> 32) as u32)
}

/// The bucket's slot, or `NIL` for an empty bucket.
fn slot_of(bucket: Bucket) -> u32 {
    !(bucket as u32)
}

/// The fewest home buckets a table has.
const MIN_HOMES: usize = 8;

/// Buckets past the last home, at first and at each lengthening. A run
/// spills that far only when the buckets near the end are crowded: at 7/8
/// load the longest run of a large table is a few dozen buckets.
const SPARE: usize = 16;

/// At most `MAX_LOAD_NUM / MAX_LOAD_DEN` of the home buckets are in use.
const MAX_LOAD_NUM: usize = 7;
const MAX_LOAD_DEN: usize = 8;

/// The fingerprint of `key`: the top 32 bits of its hash, but `u32::MAX`
/// (an empty bucket's) taken as `u32::MAX - 1`.
pub(crate) fn fingerprint(key: CacheKey) -> Fingerprint {
    // Fixed seed: the same key lands in the same bucket on every run, so
    // probe lengths (and thus timings) are reproducible too.
    let top = (foldhash::fast::FixedState::with_seed(0).hash_one(key) >> 32) as u32;
    Fingerprint(top.min(u32::MAX - 1))
}

/// The home bucket of `fingerprint` among `homes`: `fingerprint * homes /
/// 2^32`, which never decreases as the fingerprint grows.
fn home_of(fingerprint: u32, homes: usize) -> usize {
    ((fingerprint as u64 * homes as u64) >> 32) as usize
}

/// Maps fingerprints to slot indices.
#[derive(Debug)]
pub(crate) struct Index {
    // Invariant: the non-empty buckets, read in order, have non-decreasing
    // fingerprints; an entry sits at or after its home, with no empty
    // bucket between the two; the last bucket is empty.
    buckets: Vec<Bucket>,
    // Invariant: at least `MIN_HOMES`, and `buckets.len() >= homes + 2`.
    homes: usize,
    // Invariant: the number of non-empty buckets, at most `max_len`.
    len: usize,
    /// `homes * 7 / 8`: past this many entries the table doubles.
    max_len: usize,
}

impl Index {
    /// An index that holds `n_keys` without growing.
    pub(crate) fn with_capacity(n_keys: usize) -> Index {
        Index::with_homes(n_keys.saturating_mul(MAX_LOAD_DEN).div_ceil(MAX_LOAD_NUM).max(MIN_HOMES))
    }

    fn with_homes(homes: usize) -> Index {
        // Fingerprints are 32 bits: more homes than that would leave some
        // unused, and `home` would overflow its product.
        assert!(homes <= 1 << 32, "index full: 2^32 home buckets");
        Index { buckets: vec![EMPTY; homes + SPARE], homes, len: 0, max_len: homes * MAX_LOAD_NUM / MAX_LOAD_DEN }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The home bucket of `fingerprint`: never smaller for a larger one.
    fn home(&self, fingerprint: Fingerprint) -> usize {
        home_of(fingerprint.0, self.homes)
    }

    /// Starts loading the buckets a probe for `fingerprint` reads (see
    /// `crate::prefetch`): its home, and two on, which is in the next cache
    /// line when the home is near the end of its own.
    pub(crate) fn prefetch(&self, fingerprint: Fingerprint) {
        let home = self.home(fingerprint);
        crate::prefetch::prefetch(&self.buckets[home]);
        crate::prefetch::prefetch(&self.buckets[home + 2]);
    }

    /// The slot whose key has `fingerprint` and satisfies `is_key`.
    #[inline]
    pub(crate) fn find(&self, fingerprint: Fingerprint, is_key: impl Fn(u32) -> bool) -> Option<u32> {
        // The buckets of this fingerprint are the words from `lowest` to
        // `lowest | u32::MAX`: larger words hold smaller fingerprints.
        let lowest = bucket(fingerprint, NIL);
        // An iterator, not indexing: the last bucket is empty, so the walk
        // ends in the table, and needs no bounds check per bucket.
        for &word in &self.buckets[self.home(fingerprint)..] {
            if word > lowest | u64::from(u32::MAX) {
                continue; // a smaller fingerprint, displaced from an earlier home
            }
            // Past every entry of this fingerprint (or at an empty bucket):
            // the order says it is not further on.
            if word < lowest {
                return None;
            }
            if is_key(slot_of(word)) {
                return Some(slot_of(word));
            }
        }
        unreachable!("the last bucket of an index is always empty")
    }

    /// Adds a key known to be absent.
    #[inline]
    pub(crate) fn insert(&mut self, fingerprint: Fingerprint, slot: u32) {
        debug_assert_ne!(slot, NIL);
        if self.len == self.max_len {
            self.grow();
        }
        let home = self.home(fingerprint);
        let run = &mut self.buckets[home..];
        // After every entry of a smaller or equal fingerprint; then each
        // entry up to the next empty bucket moves one on. Runs are a few
        // buckets, so moving them one by one beats a `memmove` call.
        let mut pos = run
            .iter()
            .position(|&word| fingerprint_of(word) > fingerprint.0)
            .expect("the last bucket of an index is always empty");
        let mut carried = bucket(fingerprint, slot);
        loop {
            carried = std::mem::replace(&mut run[pos], carried);
            if carried == EMPTY {
                break;
            }
            pos += 1;
        }
        self.len += 1;
        if home + pos + 1 == self.buckets.len() {
            self.lengthen();
        }
    }

    /// Adds `SPARE` empty buckets at the end, so the last is empty again.
    #[cold]
    fn lengthen(&mut self) {
        self.buckets.reserve_exact(SPARE);
        self.buckets.resize(self.buckets.len() + SPARE, EMPTY);
    }

    /// Doubles the homes. A bucket's new home comes from its fingerprint,
    /// so growing never reads the slots; the entries are in fingerprint
    /// order already, so each goes to its new home or just after the one
    /// before it.
    #[cold]
    fn grow(&mut self) {
        let old = std::mem::replace(self, Index::with_homes(self.homes * 2));
        let mut next_free = 0;
        for word in old.buckets.into_iter().filter(|&word| word != EMPTY) {
            let pos = home_of(fingerprint_of(word), self.homes).max(next_free);
            self.buckets[pos] = word;
            next_free = pos + 1;
            if next_free + 1 == self.buckets.len() {
                self.lengthen();
            }
        }
        self.len = old.len;
    }

    /// Removes the entry for `slot`, whose key has `fingerprint`. Returns
    /// false if it was not there.
    #[inline]
    pub(crate) fn remove(&mut self, fingerprint: Fingerprint, slot: u32) -> bool {
        let (home, homes) = (self.home(fingerprint), self.homes);
        let run = &mut self.buckets[home..];
        let Some(pos) = run.iter().position(|&word| fingerprint_of(word) > fingerprint.0 || slot_of(word) == slot)
        else {
            unreachable!("the last bucket of an index is always empty")
        };
        if run[pos] != bucket(fingerprint, slot) {
            return false;
        }
        // Pull the rest of the run back one bucket, up to an entry that is
        // at its home (those after it have homes no earlier) or an empty
        // bucket: order is kept, and no entry moves before its home.
        let mut hole = pos;
        for next in pos + 1..run.len() {
            let word = run[next];
            if word == EMPTY || home_of(fingerprint_of(word), homes) == home + next {
                break;
            }
            run[hole] = word;
            hole = next;
        }
        run[hole] = EMPTY;
        self.len -= 1;
        true
    }

    /// Heap bytes of the bucket array.
    pub(crate) fn memory_bytes(&self) -> usize {
        self.buckets.capacity() * std::mem::size_of::<Bucket>()
    }

    /// Every (fingerprint, slot) held, in bucket order: for tests.
    #[cfg(test)]
    pub(crate) fn entries(&self) -> impl Iterator<Item = (Fingerprint, u32)> + '_ {
        self.buckets
            .iter()
            .filter(|&&word| word != EMPTY)
            .map(|&word| (Fingerprint(fingerprint_of(word)), slot_of(word)))
    }

    /// Checks every invariant by walking the table: for tests.
    #[cfg(test)]
    pub(crate) fn check(&self) {
        assert!(self.homes >= MIN_HOMES && self.buckets.len() >= self.homes + 2, "table too short");
        assert_eq!(self.buckets.last(), Some(&EMPTY), "the last bucket is in use");
        let mut previous: Option<u32> = None;
        let mut run_start = 0;
        let mut len = 0;
        for (pos, &word) in self.buckets.iter().enumerate() {
            if word == EMPTY {
                run_start = pos + 1;
                continue;
            }
            len += 1;
            let fingerprint = fingerprint_of(word);
            assert_ne!(fingerprint, u32::MAX, "bucket {pos} holds the empty fingerprint");
            assert_ne!(slot_of(word), NIL, "bucket {pos} holds no slot");
            let home = home_of(fingerprint, self.homes);
            assert!(home <= pos, "bucket {pos} is before its home {home}");
            assert!(home >= run_start, "an empty bucket lies between bucket {pos} and its home {home}");
            assert!(previous.is_none_or(|p| p <= fingerprint), "bucket {pos} is out of fingerprint order");
            previous = Some(fingerprint);
        }
        assert_eq!(len, self.len, "len is not the number of entries");
        assert!(self.len <= self.max_len, "the table is fuller than 7/8");
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
        // At least 8 homes, plus 16 spare buckets.
        assert_eq!(Index::with_capacity(0).buckets.len(), 8 + 16);
        // 7 keys fill 8 homes to 7/8; 8 keys need ceil(64 / 7) = 10.
        assert_eq!(Index::with_capacity(7).homes, 8);
        assert_eq!(Index::with_capacity(8).homes, 10);
        // 1M keys: ceil(8M / 7) = 1,142,858 homes + 16 spare, of 8 bytes:
        // 9.14 bytes per key (a power-of-two table at 3/4 took 16.8).
        assert_eq!(Index::with_capacity(1_000_000).memory_bytes(), (1_142_858 + 16) * 8);
    }

    /// Five fingerprints in a table of 8 homes, where the home is the top
    /// three bits (`fp * 8 >> 32`): E (0x1000_0000) has home 0; A
    /// (0x2000_0000), C (0x2800_0000) and B (0x3000_0000) home 1; D
    /// (0x4000_0000) home 2. Inserted A, B, C, D, E, they sit in
    /// fingerprint order: C goes before B and pushes it on, and D, whose
    /// home is taken by C, lands two past it.
    #[test]
    fn hand_worked_order_and_shifts() {
        let [a, b, c, d, e] =
            [0x2000_0000, 0x3000_0000, 0x2800_0000, 0x4000_0000, 0x1000_0000].map(Fingerprint::of_raw);
        let mut index = Index::with_capacity(5);
        assert_eq!(index.homes, 8);
        for (slot, fp) in [a, b, c, d, e].into_iter().enumerate() {
            index.insert(fp, slot as u32);
            index.check();
        }
        let at = |index: &Index| index.buckets[..6].iter().map(|&word| slot_of(word)).collect::<Vec<_>>();
        // Slots: A 0, B 1, C 2, D 3, E 4.
        assert_eq!(at(&index), [4, 0, 2, 1, 3, NIL]);
        // A miss between C and B stops at B, the first larger fingerprint,
        // after reading A, C and B; it asks for no key.
        let asked = std::cell::Cell::new(0);
        assert_eq!(
            index.find(Fingerprint::of_raw(0x2c00_0000), |_| {
                asked.set(asked.get() + 1);
                true
            }),
            None
        );
        assert_eq!(asked.get(), 0);
        // Removing A pulls C, B and D back one: none is at its home.
        assert!(index.remove(a, 0));
        assert_eq!(at(&index), [4, 2, 1, 3, NIL, NIL]);
        // Removing E pulls nothing: C, after it, is at its home (1).
        assert!(index.remove(e, 4));
        assert_eq!(at(&index), [NIL, 2, 1, 3, NIL, NIL]);
        index.check();
        assert_eq!(index.find(d, |s| s == 3), Some(3));
        assert!(!index.remove(d, 4), "slot 4 is not under D's fingerprint");
    }

    #[test]
    fn grows_past_seven_eighths() {
        let mut index = Index::with_capacity(0);
        for slot in 0..7 {
            index.insert(fingerprint(slot as u64), slot);
        }
        assert_eq!(index.homes, 8);
        index.insert(fingerprint(7), 7); // 8 > 7/8 of 8
        assert_eq!(index.homes, 16);
        index.check();
        for slot in 0..8 {
            assert_eq!(index.find(fingerprint(slot as u64), |s| s == slot), Some(slot));
        }
    }

    /// Every key with the largest fingerprints: their run starts at the last
    /// home and spills past the 16 spare buckets, so the table lengthens,
    /// and every key is still found and removed.
    #[test]
    fn a_run_past_the_last_home_lengthens_the_table() {
        let mut index = Index::with_capacity(56);
        assert_eq!(index.homes, 64);
        for slot in 0..56 {
            index.insert(Fingerprint::of_raw(u32::MAX - 1 - slot), slot);
        }
        index.check();
        // The run holds buckets 63 to 118; the last bucket stays empty.
        assert!(index.buckets.len() > 119);
        assert_eq!(index.homes, 64, "lengthening is not growing");
        for slot in 0..56 {
            assert_eq!(index.find(Fingerprint::of_raw(u32::MAX - 1 - slot), |s| s == slot), Some(slot));
        }
        for slot in (0..56).rev() {
            assert!(index.remove(Fingerprint::of_raw(u32::MAX - 1 - slot), slot));
            index.check();
        }
        assert_eq!(index.len(), 0);
    }

    /// Random inserts and removes against a model. Fingerprints crowd into
    /// a few homes (the last home first, and equal fingerprints) so runs
    /// are long, collide and spill past the last home: the cases ordered
    /// insertion and shifting deletion can get wrong.
    #[test]
    fn randomised_against_a_model() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let bases = [u32::MAX - 16, 0, 0x8000_0000];
        for round in 0..20 {
            let n_bases = round % 4; // 0: uniformly random fingerprints
            let mut index = Index::with_capacity(0);
            // slot -> fingerprint; a slot stands for a key.
            let mut model: BTreeMap<u32, Fingerprint> = BTreeMap::new();
            for op in 0..1_000 {
                let slot = rng.random_range(0..64u32);
                if let Some(&fp) = model.get(&slot) {
                    assert!(index.remove(fp, slot), "round {round} op {op}");
                    model.remove(&slot);
                } else {
                    let fp = Fingerprint::of_raw(if n_bases == 0 {
                        rng.random_range(0..u32::MAX)
                    } else {
                        bases[rng.random_range(0..n_bases)] + rng.random_range(0..16)
                    });
                    index.insert(fp, slot);
                    model.insert(slot, fp);
                }
                index.check();
                assert_eq!(index.len(), model.len(), "round {round} op {op}");
                for s in 0..64u32 {
                    let fp = model.get(&s).copied().unwrap_or(Fingerprint::of_raw(u32::MAX - 3));
                    let expected = model.get(&s).map(|_| s);
                    assert_eq!(index.find(fp, |found| found == s), expected, "round {round} op {op}");
                }
            }
            assert!(!index.remove(Fingerprint::of_raw(0x1234), 999), "removing an absent slot");
        }
    }
}
