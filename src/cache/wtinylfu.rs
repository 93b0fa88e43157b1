//! W-TinyLFU (Einziger, Friedman, Manes, "TinyLFU: A Highly Efficient Cache
//! Admission Policy", ACM TOS 2017), as libCacheSim implements it with its
//! defaults `main-cache=SLRU,window-size=0.01`
//! (`libCacheSim/cache/eviction/WTinyLFU.c`: `WTinyLFU_init`,
//! `WTinyLFU_find`, `WTinyLFU_insert`, `WTinyLFU_evict`,
//! `WTinyLFU_can_insert`; its main cache is `SLRU.c` with `seg-size=1:4`,
//! and its frequency sketch `dataStructure/minimalIncrementCBF.c`).
//!
//! Two caches share the capacity:
//! - a window LRU of `floor(capacity * 0.01)` bytes (`cache_size *=
//!   window_size` on an integer), where every new object goes;
//! - a main segmented LRU of the rest, two segments of `(int)(1/5 * main)`
//!   and `(int)(4/5 * main)` bytes (`SLRU_parse_params`), the `Slru` of
//!   `s4lru.rs` with those shares.
//!
//! Rules, in libCacheSim's order:
//! - A hit in the window moves the object to the window's most recent end.
//!   A hit in main is an SLRU hit (a promotion, which can cool objects down
//!   and evict from main's lowest segment) and adds the key to the sketch;
//!   every `32 * main bytes` such hits, all the sketch's counters halve.
//! - An object larger than the window, or than main's lowest segment, is
//!   refused (`WTinyLFU_can_insert`). Any other new object joins the
//!   window's most recent end, after the eviction rounds that make room for
//!   it, and is added to the sketch.
//! - An eviction round (`WTinyLFU_evict`): while the window holds any bytes,
//!   take its least recent object W. If main has room for W, W moves there
//!   (no eviction) and the round goes on. Otherwise W duels main's next
//!   victim M (`SLRU_to_evict`): if the sketch estimates W strictly more
//!   frequent, M is evicted and W moves to main (`SLRU_insert`, which evicts
//!   more of main if no segment and not main as a whole has room), and the
//!   round goes on; else W is evicted and the round ends. W is added to the
//!   sketch after each step. With an empty window, the round evicts M and
//!   ends. So a round can evict several objects, and goes on after the new
//!   object would fit (the store's `mid_eviction_round` hook).
//! - The sketch: a counting Bloom filter of `ceil(bpe * main bytes)` 32-bit
//!   counters (`bpe = -ln(0.001) / ln(2)^2`, about 14.4) and
//!   `ceil(ln(2) * bpe)` = 10 hash functions, capped at `i32::MAX` counters.
//!   Despite its name, `minimalIncrementCBF_add` increments all ten
//!   counters (the test against the minimum only guards a debug print);
//!   this follows the code. The estimate is the smallest of the ten.
//!
//! The sketch is sized from the main cache's *bytes*, where TinyLFU sizes
//! it from a count of objects: for a byte-sized cache that is one entry per
//! byte, so the filter is huge against the objects cached (next to no
//! collisions: the estimates are nearly exact counts), and the halving
//! comes only after `32 * main bytes` main hits, which for a cache of
//! megabytes is never within a trace of millions of requests. cdnsim
//! follows this, with two exceptions, for memory:
//! - the counters are capped at `MAX_COUNTERS` (2^24, 64 MiB, allocated
//!   zeroed so that untouched pages cost nothing) where libCacheSim caps at
//!   `i32::MAX` (8 GiB). A main cache above about 1.17 MB gets fewer
//!   counters than libCacheSim gives it, so slightly more collisions;
//! - libCacheSim passes main's `int64_t` size to an `int` parameter, which
//!   wraps for a main cache of 2 GiB or more (a filter of 20 counters for
//!   some sizes); cdnsim saturates instead.
//!
//! Where cdnsim cannot reproduce libCacheSim exactly:
//! - the sketch's hashes: libCacheSim takes two XXH64 hashes (seeds
//!   `HASH_SEED0`, `HASH_SEED1`) of the object id, truncated to 32 bits, as
//!   `a` and `b`, and counter `i` is `(a + i * b) % counters`, anywhere in
//!   the table; cdnsim hashes its own 64-bit key (which is not
//!   libCacheSim's object id anyway: a trace's ids are hashed into keys)
//!   with two seeded 64-bit mixes into two 64-byte blocks of the table and
//!   five counters in each (`FrequencySketch`), for speed. Which keys
//!   collide differs, so a duel between near-equal counts can go the
//!   other way. (On the reference tests' traces and cloudPhysics at 200
//!   MiB the blocks gave the same miss counts as the spread counters.)
//! - ties: the duel admits W only if strictly more frequent, as
//!   libCacheSim does, but the counts that tie differ with the collisions.
//!
//! Replacing inserts (a new copy of a cached object), which libCacheSim
//! lacks, are hits; while a round makes room for a larger copy, it steps
//! over the object being replaced.
//!
//! The window may hold more than its share: objects only leave it in an
//! eviction round, so before the cache first fills every object sits in
//! the window, as in libCacheSim.

use super::api::CacheKey;
use super::s4lru::Slru;
use super::slab::{List, NIL, Slab};
use super::store::{Fit, Policy, Slot};

/// libCacheSim's default `window-size`.
const WINDOW_FRACTION: f64 = 0.01;

/// The slot bits of a window object; main's objects carry their segment
/// number, 0 or 1.
const IN_WINDOW: u8 = MAIN_SEGMENTS as u8;

/// `SLRU_init(.., "seg-size=1:4")`: two segments.
const MAIN_SEGMENTS: usize = 2;

/// The segments' shares of main, as `seg-size=1:4` parses.
const MAIN_SHARES: [f64; MAIN_SEGMENTS] = [1.0 / 5.0, 4.0 / 5.0];

/// `WTinyLFU_init`: the sketch halves every `32 * main bytes` main hits
/// ("sample size is 32").
const HALVING_SAMPLE: u64 = 32;

/// `minimalIncrementCBF_init(.., 0.001)`.
const SKETCH_ERROR: f64 = 0.001;

/// cdnsim's cap on the sketch's counters (see the top of the file).
const MAX_COUNTERS: u64 = 1 << 24;

pub(crate) struct WTinyLfu {
    // Invariant: a slot is in `window` exactly when its bits are
    // `IN_WINDOW`; least recent (head) to most recent.
    window: List,
    // Invariant: the sum of the sizes in `window`.
    window_bytes: u64,
    window_share_bytes: u64,
    // Invariant: every linked slot not in the window is in `main`, and
    // `window_bytes + main.used_bytes()` is the store's `used_bytes`
    // whenever a call returns.
    main: Slru<MAIN_SEGMENTS>,
    main_share_bytes: u64,
    sketch: FrequencySketch,
    // Invariant: below `halve_every`.
    main_hits_since_halving: u64,
    halve_every: u64,
    /// A window object that won its duel and waits, linked nowhere but
    /// still cached, for main to make room for it (`SLRU_insert`).
    admitting: Option<u32>,
    // Invariant: false whenever a call other than `evict` returns, and
    // after `evict` returns the object that ends a round.
    mid_round: bool,
    /// Whether a replacing insert ever grew an object: main's bound after a
    /// round is then off (`end_round`).
    grown_in_place: bool,
}

impl WTinyLfu {
    pub(crate) fn new(capacity_bytes: u64) -> WTinyLfu {
        // `cache_size *= window_size`: an int64 times a double, truncated.
        let window_share_bytes = (capacity_bytes as f64 * WINDOW_FRACTION) as u64;
        let main_share_bytes = capacity_bytes - window_share_bytes;
        let shares = MAIN_SHARES.map(|share| (share * main_share_bytes as f64) as u64);
        WTinyLfu {
            window: List::new(),
            window_bytes: 0,
            window_share_bytes,
            main: Slru::with_shares(shares),
            main_share_bytes,
            sketch: FrequencySketch::new(main_share_bytes),
            main_hits_since_halving: 0,
            halve_every: HALVING_SAMPLE.saturating_mul(main_share_bytes).max(1),
            admitting: None,
            mid_round: false,
            grown_in_place: false,
        }
    }

    fn in_window(slots: &Slab<Slot>, idx: u32) -> bool {
        slots.get(idx).bits == IN_WINDOW
    }

    /// The window's least recent object other than `pinned`, if the window
    /// holds any bytes (`window->get_occupied_byte(window) > 0`).
    fn window_candidate(&self, slots: &Slab<Slot>, pinned: u32) -> Option<u32> {
        if self.window_bytes == 0 {
            return None;
        }
        let head = self.window.head();
        let candidate = if head == pinned && head != NIL { slots.next(head) } else { head };
        (candidate != NIL).then_some(candidate)
    }

    fn unlink_from_window(&mut self, slots: &mut Slab<Slot>, idx: u32) {
        slots.unlink(&mut self.window, idx);
        self.window_bytes -= slots.get(idx).size_bytes;
    }

    /// Moves a window object already unlinked from the window into main
    /// (`main->insert`), and counts it in the sketch as the round's step does.
    fn link_into_main(&mut self, slots: &mut Slab<Slot>, idx: u32) {
        self.main.link(slots, idx, ());
        self.sketch.add(slots.get(idx).key);
    }

    /// Evicts main's victim `victim`, and starts loading the sketch blocks
    /// of the one after it, whose count the next duel reads. Its slot was
    /// just written (the unlink relinked it), so its key is at hand; the
    /// blocks were last touched when it entered main, long ago.
    fn unlink_main_victim(&mut self, slots: &mut Slab<Slot>, victim: u32, pinned: u32) {
        self.main.unlink(slots, victim);
        if !self.sketch.worth_prefetching() {
            return;
        }
        if let Some(next) = self.main.peek_victim(slots, pinned) {
            self.sketch.prefetch(slots.get(next).key);
        }
    }

    /// Ends a round on `victim`, checking what a full round guarantees.
    ///
    /// Main is within its share but for less than one admissible object: a
    /// window object enters it when it fits main, after main evicted for
    /// it, or into a segment with room for it (`SLRU_insert`), and that
    /// last can leave main over its share when its lowest segment was over
    /// its own; it was so only after an insert that found no segment with
    /// room, so the upper segment then lacked less than that object's size.
    /// (An object grown in place, which libCacheSim lacks, can push main
    /// over by more.) The window is not checked against its share: objects
    /// leave it only in rounds, a round stops at the first duel the window
    /// loses, and so, as in libCacheSim, the window holds what main has no
    /// room for: all of the cache before the first round.
    fn end_round(&mut self, victim: u32) -> u32 {
        self.mid_round = false;
        debug_assert!(self.admitting.is_none(), "a round ended with an object waiting to enter main");
        debug_assert!(
            self.grown_in_place || self.main.used_bytes() <= self.main_share_bytes + self.window_share_bytes,
            "main holds {} bytes after a round, over its {} by an object or more",
            self.main.used_bytes(),
            self.main_share_bytes
        );
        victim
    }
}

impl Policy for WTinyLfu {
    type Plan = ();

    fn plan(&mut self, _key: CacheKey, _size_bytes: u64) {}

    fn fit(&self, _plan: (), size_bytes: u64) -> Fit {
        // `WTinyLFU_can_insert`: within the window, and `SLRU_can_insert`:
        // within main's lowest segment.
        if size_bytes > self.window_share_bytes || self.main.fit((), size_bytes) == Fit::Refuse {
            Fit::Refuse
        } else {
            Fit::Admit
        }
    }

    fn mid_eviction_round(&self) -> bool {
        self.mid_round
    }

    fn link(&mut self, slots: &mut Slab<Slot>, idx: u32, _plan: ()) {
        debug_assert!(!self.mid_round, "an object linked in the middle of an eviction round");
        let slot = slots.get_mut(idx);
        slot.bits = IN_WINDOW;
        let (key, size_bytes) = (slot.key, slot.size_bytes);
        slots.push_back(&mut self.window, idx);
        self.window_bytes += size_bytes;
        // `WTinyLFU_insert`.
        self.sketch.add(key);
    }

    fn touch(&mut self, slots: &mut Slab<Slot>, idx: u32) {
        if Self::in_window(slots, idx) {
            slots.move_to_back(&mut self.window, idx);
            return;
        }
        self.main.touch(slots, idx);
        // `WTinyLFU_find`: only a main hit counts.
        self.sketch.add(slots.get(idx).key);
        self.main_hits_since_halving += 1;
        if self.main_hits_since_halving >= self.halve_every {
            self.main_hits_since_halving = 0;
            self.sketch.halve();
        }
    }

    fn overflow_victim(&mut self, slots: &mut Slab<Slot>) -> Option<u32> {
        self.main.overflow_victim(slots)
    }

    fn prefetch_touch(&self, slots: &Slab<Slot>, idx: u32) {
        slots.prefetch_neighbours(idx);
    }

    fn prefetch_request(&self, key: CacheKey) {
        // A miss adds the key, a main hit adds it: the sketch is read for
        // most requests.
        self.sketch.prefetch(key);
    }

    fn unlink(&mut self, slots: &mut Slab<Slot>, idx: u32) {
        if Self::in_window(slots, idx) {
            self.unlink_from_window(slots, idx);
        } else {
            self.main.unlink(slots, idx);
        }
    }

    fn evict(&mut self, slots: &mut Slab<Slot>, pinned: u32) -> u32 {
        self.mid_round = true;
        loop {
            if let Some(winner) = self.admitting {
                // `SLRU_insert` of the duel's winner: main evicts until it
                // fits, unless some segment has room for it as it is.
                let size_bytes = slots.get(winner).size_bytes;
                let main_full = !self.main.has_segment_room(size_bytes)
                    && self.main.used_bytes() + size_bytes > self.main_share_bytes;
                if main_full && let Some(victim) = self.main.peek_victim(slots, pinned) {
                    self.unlink_main_victim(slots, victim, pinned);
                    return victim;
                }
                self.admitting = None;
                self.link_into_main(slots, winner);
                continue;
            }
            let Some(candidate) = self.window_candidate(slots, pinned) else {
                // An empty window: main evicts, and the round ends.
                let victim = self.main.peek_victim(slots, pinned).expect("evict called with nothing to evict");
                self.unlink_main_victim(slots, victim, pinned);
                return self.end_round(victim);
            };
            let size_bytes = slots.get(candidate).size_bytes;
            if self.main.used_bytes() + size_bytes <= self.main_share_bytes {
                self.unlink_from_window(slots, candidate);
                self.link_into_main(slots, candidate);
                continue;
            }
            let Some(main_victim) = self.main.peek_victim(slots, pinned) else {
                // Main holds nothing but the object being replaced: the
                // window's candidate goes.
                self.unlink_from_window(slots, candidate);
                self.sketch.add(slots.get(candidate).key);
                return self.end_round(candidate);
            };
            let candidate_count = self.sketch.estimate(slots.get(candidate).key);
            let main_victim_count = self.sketch.estimate(slots.get(main_victim).key);
            if candidate_count > main_victim_count {
                self.unlink_main_victim(slots, main_victim, pinned);
                self.unlink_from_window(slots, candidate);
                self.admitting = Some(candidate);
                return main_victim;
            }
            self.unlink_from_window(slots, candidate);
            self.sketch.add(slots.get(candidate).key);
            return self.end_round(candidate);
        }
    }

    fn resized(&mut self, slots: &Slab<Slot>, idx: u32, old_size_bytes: u64) {
        self.grown_in_place |= slots.get(idx).size_bytes > old_size_bytes;
        if Self::in_window(slots, idx) {
            self.window_bytes = self.window_bytes - old_size_bytes + slots.get(idx).size_bytes;
        } else {
            self.main.resized(slots, idx, old_size_bytes);
        }
    }

    fn memory_bytes(&self) -> usize {
        self.sketch.memory_bytes()
    }

    #[cfg(test)]
    fn check(&self, slots: &Slab<Slot>) -> usize {
        assert!(!self.mid_round && self.admitting.is_none(), "an eviction round was left unfinished");
        let mut window_bytes = 0;
        let window = slots.check_list(&self.window);
        for &idx in &window {
            assert_eq!(slots.get(idx).bits, IN_WINDOW, "slot {idx} in the window is marked for main");
            window_bytes += slots.get(idx).size_bytes;
        }
        assert_eq!(window_bytes, self.window_bytes, "the window's byte count is not the sum of its sizes");
        assert!(self.main_hits_since_halving < self.halve_every, "the sketch missed a halving");
        window.len() + self.main.check(slots)
    }
}

/// libCacheSim's `minimalIncrementCBF`: a counting Bloom filter whose
/// estimate of a key is the smallest of its counters, laid out in blocks.
///
/// libCacheSim spreads a key's ten counters over the whole table, so each
/// request read ten random cache lines of a table of up to 64 MiB here:
/// 57% of a replay's time. cdnsim keeps the count of counters and of
/// hashes but puts a key's counters in two 64-byte lines (five each), one
/// miss apiece, which a request can start loading a few requests ahead
/// (`prefetch`). What changes is which keys share counters: a key's
/// estimate is too high only if every one of its counters in both of its
/// lines is shared. By a rough count that is about 0.2% of keys where a
/// 2^24-counter table holds 800,000 keys, against 0.01% when spread, and
/// next to none in small caches, whose tables are far larger than their
/// key counts. Measured: the same miss counts on the reference tests'
/// traces and cloudPhysics at 200 MiB, and miss ratios within 0.011
/// points of the spread layout's on 4M requests of `benches/replay.rs`'s
/// trace (1M objects, Zipf 0.9) at 64 MiB, 1 GiB and 16 GiB.
struct FrequencySketch {
    // Invariant: `LINES_PER_KEY * COUNTERS_PER_LINE` hash functions, as
    // `minimalIncrementCBF_init` sets from the error rate (checked in `new`).
    // `lines` blocks of `COUNTERS_PER_LINE` counters from `counters[first]`,
    // each block on a 64-byte boundary; the counters before `first` and
    // after the last block are padding for that alignment and stay zero.
    counters: Vec<u32>,
    first: usize,
    lines: u32,
}

/// The `u32` counters in a 64-byte cache line: one block.
const COUNTERS_PER_LINE: usize = 16;

/// Below this many blocks (2 MiB), the sketch stays in the CPU's caches:
/// prefetching would only cost the hashing.
const PREFETCH_MIN_LINES: u32 = 1 << 15;

/// Blocks per key, and each key's counters in each of them: ten in all,
/// libCacheSim's `ceil(ln(2) * bpe)` hash functions at its error rate.
const LINES_PER_KEY: usize = 2;
const COUNTERS_PER_KEY_PER_LINE: usize = 5;

impl FrequencySketch {
    /// `minimalIncrementCBF_init(entries, 0.001)`, in whole blocks.
    fn new(entries: u64) -> FrequencySketch {
        let lines = Self::counters_wanted(entries).div_ceil(COUNTERS_PER_LINE as u64);
        // Zeroed (`calloc`: pages cost nothing until touched), with a line's
        // worth of slack to start the blocks on a line boundary.
        let counters = vec![0u32; lines as usize * COUNTERS_PER_LINE + COUNTERS_PER_LINE - 1];
        let misalignment = counters.as_ptr() as usize % (COUNTERS_PER_LINE * 4);
        let first = (COUNTERS_PER_LINE * 4 - misalignment) % (COUNTERS_PER_LINE * 4) / 4;
        FrequencySketch { counters, first, lines: lines as u32 }
    }

    /// The counters `minimalIncrementCBF_init(entries, 0.001)` allocates,
    /// capped at `MAX_COUNTERS`; the blocks hold at least this many.
    fn counters_wanted(entries: u64) -> u64 {
        // The constants are libCacheSim's own roundings of ln(2)^2 and ln(2),
        // kept so that sizes come out as its do to the last counter.
        const LN_2_SQUARED: f64 = 0.480453013918201;
        #[allow(clippy::approx_constant)]
        const LN_2: f64 = 0.693147180559945;
        let bits_per_entry = -SKETCH_ERROR.ln() / LN_2_SQUARED;
        let hashes = (LN_2 * bits_per_entry).ceil() as u64;
        assert_eq!(
            hashes as usize,
            LINES_PER_KEY * COUNTERS_PER_KEY_PER_LINE,
            "the sketch's layout assumes ten hashes"
        );
        let entries = entries.min(i32::MAX as u64);
        let wanted = (bits_per_entry * entries as f64).ceil().min(i32::MAX as f64) as u64;
        if wanted < hashes { 2 * hashes } else { wanted.min(MAX_COUNTERS) }
    }

    /// The first counter of each of `key`'s blocks, and the ten counters'
    /// indexes. Two seeded 64-bit mixes of the key: the first's halves pick
    /// the blocks (by multiply-shift, which needs no division), the
    /// second's low 40 bits the counters within them, four bits each. Two
    /// of a key's counters may be one; an add then counts it twice, as
    /// libCacheSim's double hashing does when two of its indexes meet.
    fn locate(&self, key: CacheKey) -> ([usize; LINES_PER_KEY], [usize; LINES_PER_KEY * COUNTERS_PER_KEY_PER_LINE]) {
        let blocks_hash = mix(key ^ 0x243F_6A88_85A3_08D3);
        let counters_hash = mix(key ^ 0x1319_8A2E_0370_7344);
        let lines = u64::from(self.lines);
        let block = |half: u64| self.first + (((half & 0xFFFF_FFFF) * lines) >> 32) as usize * COUNTERS_PER_LINE;
        let blocks = [block(blocks_hash >> 32), block(blocks_hash)];
        let mut indexes = [0; LINES_PER_KEY * COUNTERS_PER_KEY_PER_LINE];
        for (i, index) in indexes.iter_mut().enumerate() {
            let offset = (counters_hash >> (4 * i)) as usize % COUNTERS_PER_LINE;
            *index = blocks[i / COUNTERS_PER_KEY_PER_LINE] + offset;
        }
        (blocks, indexes)
    }

    /// Whether the table is larger than the CPU's own caches hold at once.
    fn worth_prefetching(&self) -> bool {
        self.lines >= PREFETCH_MIN_LINES
    }

    /// Starts loading `key`'s two blocks, if that is worth it.
    fn prefetch(&self, key: CacheKey) {
        if !self.worth_prefetching() {
            return;
        }
        for block in self.locate(key).0 {
            crate::prefetch::prefetch(&self.counters[block]);
        }
    }

    fn estimate(&self, key: CacheKey) -> u32 {
        self.locate(key).1.iter().map(|&x| self.counters[x]).min().expect("a sketch has hash functions")
    }

    fn add(&mut self, key: CacheKey) {
        let indexes = self.locate(key).1;
        // libCacheSim adds only while the minimum is below `UINT_MAX`.
        if indexes.iter().all(|&x| self.counters[x] == u32::MAX) {
            return;
        }
        for x in indexes {
            self.counters[x] = self.counters[x].saturating_add(1);
        }
    }

    /// `minimalIncrementCBF_decay`.
    fn halve(&mut self) {
        for counter in &mut self.counters {
            *counter >>= 1;
        }
    }

    fn memory_bytes(&self) -> usize {
        self.counters.len() * std::mem::size_of::<u32>()
    }
}

/// The splitmix64 finaliser (Steele, Lea, Flood, OOPSLA'14).
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::super::new_cache;
    use super::super::testing::{self, Step, Step::*};
    use super::{COUNTERS_PER_LINE, FrequencySketch, MAX_COUNTERS, WTinyLfu};
    use crate::scenario::EvictionPolicy;

    const POLICY: EvictionPolicy = EvictionPolicy::WTinyLfu;

    #[test]
    fn shares_follow_libcachesim() {
        // 400 B: the window is floor(400 * 0.01) = 4 B, main the other
        // 396 B, its segments (int)(396 / 5) = 79 B and (int)(396 * 4 / 5)
        // = 316 B (316.8 truncated), and the sketch halves every 32 * 396
        // main hits.
        let policy = WTinyLfu::new(400);
        assert_eq!((policy.window_share_bytes, policy.main_share_bytes), (4, 396));
        assert!(policy.main.has_segment_room(79) && !policy.main.has_segment_room(317));
        assert_eq!(policy.halve_every, 12_672);
        // 99 B: the window is floor(0.99) = 0 B, so nothing is admitted.
        assert_eq!(WTinyLfu::new(99).window_share_bytes, 0);
    }

    #[test]
    fn sketch_sizes_follow_libcachesim() {
        // bpe = -ln(0.001) / ln(2)^2 = 14.3776; ceil(ln(2) * bpe) =
        // ceil(9.966) = 10 hashes; ceil(14.3776 * 99,000) counters, which
        // cdnsim rounds up to 88,962 blocks of 16 (1,423,392).
        assert_eq!(FrequencySketch::counters_wanted(99_000), 1_423_382);
        let sketch = FrequencySketch::new(99_000);
        assert_eq!(sketch.lines, 88_962);
        // Fewer counters than hashes: twice the hashes, in 2 blocks.
        assert_eq!((FrequencySketch::counters_wanted(0), FrequencySketch::new(0).lines), (20, 2));
        // A gigabyte would want 14 billion; libCacheSim caps at i32::MAX,
        // cdnsim at MAX_COUNTERS.
        let capped = FrequencySketch::new(1 << 30);
        assert_eq!(capped.lines as u64 * COUNTERS_PER_LINE as u64, MAX_COUNTERS);
        // The blocks start on a cache line, and fit in the allocation.
        for sketch in [sketch, capped] {
            assert_eq!(sketch.counters[sketch.first..].as_ptr() as usize % 64, 0);
            assert!(sketch.first + sketch.lines as usize * COUNTERS_PER_LINE <= sketch.counters.len());
        }
    }

    #[test]
    fn sketch_counts_and_halves() {
        let mut sketch = FrequencySketch::new(396);
        for _ in 0..5 {
            sketch.add(7);
        }
        sketch.add(8);
        // 356 blocks of 16 counters and two keys: their 20 counters do not
        // meet (the keys' hashes are fixed, so this cannot change from run
        // to run).
        assert_eq!((sketch.estimate(7), sketch.estimate(8), sketch.estimate(9)), (5, 1, 0));
        sketch.halve();
        assert_eq!((sketch.estimate(7), sketch.estimate(8)), (2, 0));
    }

    #[test]
    fn a_key_counts_in_two_cache_lines() {
        // The layout the speed rests on, for many keys: ten counters, each
        // in one of the key's two blocks, and the blocks on line starts.
        let sketch = FrequencySketch::new(1 << 30);
        let mut blocks_seen = std::collections::BTreeSet::new();
        for key in 0..10_000u64 {
            let (blocks, indexes) = sketch.locate(key.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            for block in blocks {
                assert_eq!(sketch.counters[block..].as_ptr() as usize % 64, 0, "key {key}: a block off a line start");
                blocks_seen.insert(block);
            }
            for (i, index) in indexes.into_iter().enumerate() {
                let block = blocks[i / 5];
                assert!((block..block + COUNTERS_PER_LINE).contains(&index), "key {key}: counter {i} off its block");
            }
        }
        // The blocks spread over the table: 20,000 draws from 1,048,576
        // blocks repeat about 190 times (20,000^2 / 2 / 2^20).
        assert!(blocks_seen.len() > 19_500, "{} distinct blocks", blocks_seen.len());
    }

    /// Capacity 400 B: a 4-byte window and a 396-byte main of segments
    /// s0 (79 B) and s1 (316 B). Every object is 4 bytes. Counts are the
    /// sketch's estimates (no collisions among 103 keys in 356 blocks;
    /// `a_worked_round_has_no_collisions` checks the ones used here).
    fn worked_steps() -> Vec<Step> {
        // 1 to 100: 400 bytes, all in the window (nothing leaves it before
        // a round). Each counts 1 (its insert).
        let mut steps: Vec<Step> = (1..=100).map(|key| Put(key, 4, &[])).collect();
        steps.extend([
            Used(400),
            // 101 needs room: a round. The window's least recent, 1, 2, ..
            // move to main while it has room, each counting 2 now: 1 to 19
            // fill s0 (76 B), 20 to 98 s1 (316 B), and 99 fits neither
            // segment but main (396 B), so joins s0 (80 B, over its share
            // by an insert, as SLRU allows). 100 (count 1) then duels main's
            // victim, s0's least recent, 1 (count 2): 1 > 2 fails, 100 is
            // evicted (counting 2) and the round ends.
            Put(101, 4, &[100]),
            Used(400),
            // 100 again: 101 (count 1) loses to 1 (count 2) the same way.
            // 100 counts 3 now (two inserts, one eviction step).
            Put(100, 4, &[101]),
            // 102: 100 (count 3) beats 1 (count 2): 1 is evicted and 100
            // enters main, in s0 (79 B: 76 + 4 > 79 and s1 full, but main
            // has room after 1 left). The round goes on although 102 would
            // fit: the window is empty, so main evicts its victim, 2, and
            // the round ends. Two evictions for one 4-byte object.
            Put(102, 4, &[1, 2]),
            Used(396),
            // A main hit: 100 moves up to s1 (320 B > 316), whose least
            // recent, 20, cools into s0 (76 B, within its share).
            Get(100, true),
            Used(396),
            Get(1, false),
            Get(2, false),
            // A window hit: 102 stays; nothing moves.
            Get(102, true),
            // Too large for the window: refused, nothing evicted.
            Refused(103, 5, &[]),
            Used(396),
        ]);
        steps
    }

    #[test]
    fn hand_worked_trace() {
        let mut cache = new_cache(POLICY, 400, 128);
        testing::run(&mut *cache, &worked_steps());
    }

    #[test]
    fn a_worked_round_has_no_collisions() {
        // The counts the comments above rely on, from a sketch fed the same
        // adds: 1 (insert, move), 100 (insert, eviction step, insert),
        // 101 (insert).
        let mut sketch = FrequencySketch::new(396);
        for key in 1..=102 {
            sketch.add(key);
        }
        for key in [1, 100, 100] {
            sketch.add(key);
        }
        assert_eq!((sketch.estimate(1), sketch.estimate(100), sketch.estimate(101)), (2, 3, 1));
        for key in 2..=99 {
            assert_eq!(sketch.estimate(key), 1, "key {key} collides");
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
        testing::randomised(POLICY, 0x5eed_0010);
    }
}
