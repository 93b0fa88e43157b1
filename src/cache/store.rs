//! The part of a cache that is the same under every eviction policy: the key
//! index, byte accounting, freshness, and the make-room loop. A policy
//! (`lru.rs`, `fifo.rs`, `sieve.rs`, `s3fifo.rs`) only orders slots and picks
//! victims, through the `Policy` trait.
//!
//! `Store<P>` is generic rather than holding a `Box<dyn Policy>` so that each
//! policy's hooks inline into the lookup and insert paths; the one dynamic
//! call per request is the `Box<dyn Cache>` that `new_cache` returns.
//!
//! **Where a cached object's bytes go** (LRU, measured on
//! `scenarios/cloudfront-scale.toml` with `cargo bench --bench scale`, over
//! the caches at least 90% full; `memory_bytes` counts capacity, not use):
//! - the slab node: a 32-byte `Slot` (key 8, size 8, expiry 8, stored
//!   word 4, policy bits 1, padding 3) and 8 bytes of links, 40 bytes;
//! - the index: 8-byte buckets;
//! - nothing per object in LRU itself (one list head), and no side table.
//!
//! The engine sizes both tables for 1.25 times `capacity / mean size`: for
//! a 2 GiB edge of 200 KiB objects, 13,107 nodes (524,280 bytes), and a
//! full edge holds about 1/1.21 of that, so the slab's reserve alone is
//! some 48 bytes per object. The index was a power-of-two table at most
//! 3/4 full: 32,768 buckets (262,144 bytes, 24 per object), 72.4 bytes per
//! object in all. It now has any number of homes, up to 7/8 full
//! (`index.rs`): 14,980 + 16 spare buckets (119,968 bytes, 11 per object);
//! the bench reports 61.9 bytes per object (the regional caches' index
//! shrank by less: a quarter, not a half). What is left is mostly the
//! slab's reserve and the slot's padding: folding the policy bits into the
//! size's top byte would make a node 36 bytes (at 4-byte alignment), about
//! 5 bytes per object less.

use super::api::{Admission, Cache, CacheKey, Entry, KeyEvent, Lookup, PrefetchStep};
use super::index::{Index, fingerprint};
use super::slab::{NIL, Slab};
use super::stored::{Stored, Version};
use crate::time::SimTime;

/// One cached object, as the policies see it.
///
/// Fields are flat (not an `Entry` plus extras) so the slot packs into 32
/// bytes; with its 8 bytes of links, a cached object costs 40 bytes of slab.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Slot {
    pub(crate) key: CacheKey,
    pub(crate) size_bytes: u64,
    pub(crate) expires_at: SimTime,
    /// `Stored::to_word` of what the slot holds.
    pub(crate) stored_word: u32,
    /// Policy-private state: SIEVE's visited bit, S3-FIFO's frequency and
    /// queue. Zero when the slot is created.
    pub(crate) bits: u8,
}

const _: () = assert!(std::mem::size_of::<Slot>() == 32);

impl Slot {
    fn entry(&self) -> Entry {
        Entry { size_bytes: self.size_bytes, expires_at: self.expires_at, stored: Stored::from_word(self.stored_word) }
    }
}

/// Walks one of a policy's queues (for its `check`): every slot on it has
/// `mark` set in its bits exactly when `marked`, and their sizes add up to
/// `bytes`, the policy's count for the queue. Returns how many it holds.
#[cfg(test)]
pub(crate) fn check_queue(slots: &Slab<Slot>, queue: &super::slab::List, bytes: u64, mark: u8, marked: bool) -> usize {
    let walked = slots.check_list(queue);
    let mut queued_bytes = 0;
    for &idx in &walked {
        let slot = slots.get(idx);
        assert_eq!(slot.bits & mark != 0, marked, "slot {idx} is marked for another queue");
        queued_bytes += slot.size_bytes;
    }
    assert_eq!(bytes, queued_bytes, "a queue's byte count is not the sum of its slots' sizes");
    walked.len()
}

/// An eviction policy: how slots are ordered and which one goes next.
///
/// Every hook receives the shared slab; a policy keeps only its lists and
/// counters. The store owns the index and the byte accounting, so a policy
/// never sees a key that is not cached (S3-FIFO's ghost is its own business).
pub(crate) trait Policy: Send {
    /// What the policy learns about a key before room is made for it.
    /// S3-FIFO must consult its ghost before evictions can push the key out.
    type Plan: Copy;

    /// Called once per insert of a key that is not cached, before the store
    /// checks that it fits and before any eviction for it. libCacheSim
    /// consults (and consumes) a policy's ghost entry on every miss, even
    /// for an object it will not admit (`cache_get_base`: `find`, then
    /// `can_insert`), and the miss counts only agree if this does too.
    fn plan(&mut self, key: CacheKey, size_bytes: u64) -> Self::Plan;

    /// Whether the policy takes a new object of `size_bytes` that fits the
    /// capacity. Policies whose first queue is a fixed share of the space
    /// (S3-FIFO, 2Q, S4LRU) refuse an object larger than that share, as
    /// libCacheSim's `can_insert` of each does.
    fn fit(&self, _plan: Self::Plan, _size_bytes: u64) -> Fit {
        Fit::Admit
    }

    /// A slot that a `touch` or `link` left over some queue's budget and
    /// that must go now: S4LRU's promotions can push its lowest segment
    /// over, and 2Q's link into Am evicts from Am to fit its share. The
    /// store calls this after every touch and link until it returns `None`.
    fn overflow_victim(&mut self, _slots: &mut Slab<Slot>) -> Option<u32> {
        None
    }

    /// Whether the policy is in the middle of an eviction round that must go
    /// on even once the new object fits: libCacheSim's `WTinyLFU_evict`
    /// evicts from its main cache for each window object that wins its
    /// admission duel, and only returns once one loses (or the window is
    /// empty). The store's make-room loop keeps calling `evict` while this
    /// holds.
    fn mid_eviction_round(&self) -> bool {
        false
    }

    /// Links a newly allocated slot (`bits == 0`) into the policy's lists.
    fn link(&mut self, slots: &mut Slab<Slot>, idx: u32, plan: Self::Plan);

    /// Records an access: a Fresh or Stale lookup, or a replacing insert.
    fn touch(&mut self, slots: &mut Slab<Slot>, idx: u32);

    /// Takes a slot out of the policy's lists for a removal.
    fn unlink(&mut self, slots: &mut Slab<Slot>, idx: u32);

    /// Chooses a victim other than `pinned`, unlinks it and returns it.
    ///
    /// `pinned` is the slot being replaced by a larger copy (`NIL` on a
    /// fresh insert): evicting it would make room for itself by deleting
    /// itself. The store calls this only while more bytes are cached than
    /// fit, so some slot other than `pinned` is always linked.
    fn evict(&mut self, slots: &mut Slab<Slot>, pinned: u32) -> u32;

    /// A linked slot's size changed from `old_size_bytes` (in place, by a
    /// replacing insert). Only policies that budget bytes per queue care.
    fn resized(&mut self, _slots: &Slab<Slot>, _idx: u32, _old_size_bytes: u64) {}

    /// Starts loading what `touch(idx)` will write besides the slot itself.
    fn prefetch_touch(&self, _slots: &Slab<Slot>, _idx: u32) {}

    /// Starts loading what the policy itself will read for a request for
    /// `key`, cached or not, a few requests ahead (W-TinyLFU's sketch),
    /// however few objects are cached: the policy judges whether its
    /// tables are large enough to be worth it.
    fn prefetch_request(&self, _key: CacheKey) {}

    /// The slot `evict` would take next, if the policy knows without
    /// searching (the head of a queue), so that the store can start
    /// loading it and its index bucket before the next miss needs them.
    fn next_victim(&self) -> Option<u32> {
        None
    }

    /// Asked before each eviction for a new object: whether that object
    /// ranks below every cached one, so that it is the one to go (and is
    /// not stored). GDSF ranks it with the others, as libCacheSim inserts
    /// it first and evicts after (`GDSF_get`).
    fn incoming_goes_first(&mut self) -> bool {
        false
    }

    /// Heap bytes owned by the policy itself (not the shared slab).
    fn memory_bytes(&self) -> usize {
        0
    }

    /// Checks the policy's own invariants by walking its lists, and
    /// returns how many slots it has linked: for tests, after each step.
    #[cfg(test)]
    fn check(&self, slots: &Slab<Slot>) -> usize;
}

/// A policy's answer to a new object that fits the capacity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fit {
    Admit,
    /// Not stored, and nothing evicted for it.
    Refuse,
    /// Room is made for it, then it is not stored: libCacheSim's S3-FIFO
    /// admits an object exactly the size of its small queue in
    /// `can_insert` (`<=`) and refuses it in `insert` (`>=`), after
    /// `cache_get_base` has evicted for it.
    RefuseAfterMakingRoom,
}

/// What a store does with the keys it adds and drops: `NoKeyLog` (nothing,
/// and no code: its calls inline to nothing) or `KeyEvents` (keeps them
/// for `Cache::drain_key_events`).
pub(crate) trait KeyLog: Send + Default {
    /// Whether this log keeps anything.
    #[cfg(test)]
    const LOGS: bool;
    fn added(&mut self, key: CacheKey);
    fn gone(&mut self, key: CacheKey);
    fn drain(&mut self, out: &mut Vec<KeyEvent>);
}

/// Logs nothing.
#[derive(Default)]
pub(crate) struct NoKeyLog;

impl KeyLog for NoKeyLog {
    #[cfg(test)]
    const LOGS: bool = false;
    #[inline(always)]
    fn added(&mut self, _key: CacheKey) {}
    #[inline(always)]
    fn gone(&mut self, _key: CacheKey) {}
    fn drain(&mut self, _out: &mut Vec<KeyEvent>) {}
}

/// Logs every key added and dropped until the next drain. Its buffer is
/// reused: it grows to the most events between two drains (the evictions of
/// one insert) and no further.
#[derive(Default)]
pub(crate) struct KeyEvents(Vec<KeyEvent>);

impl KeyLog for KeyEvents {
    #[cfg(test)]
    const LOGS: bool = true;
    #[inline]
    fn added(&mut self, key: CacheKey) {
        self.0.push(KeyEvent::Added(key));
    }
    #[inline]
    fn gone(&mut self, key: CacheKey) {
        self.0.push(KeyEvent::Gone(key));
    }
    fn drain(&mut self, out: &mut Vec<KeyEvent>) {
        out.extend_from_slice(&self.0);
        self.0.clear();
    }
}

/// A byte-capacity cache: index + slab + a policy, and what it logs of the
/// keys it adds and drops.
pub(crate) struct Store<P, L = NoKeyLog> {
    // Invariant: a slot is live exactly when the index maps its key to it,
    // and then it is linked into the policy's lists.
    slots: Slab<Slot>,
    // Invariant: one entry per cached key, holding the fingerprint of the
    // key and the live slot that holds that key (`find` confirms the key).
    index: Index,
    policy: P,
    // Invariant: the sum of the live slots' `size_bytes`, and at most
    // `capacity_bytes` whenever a call returns.
    used_bytes: u64,
    capacity_bytes: u64,
    evictions: u64,
    // Invariant: for `KeyEvents`, the events since the last drain, in order:
    // replayed onto the key set at that drain, they give the cached keys.
    log: L,
}

impl<P: Policy, L: KeyLog> Store<P, L> {
    pub(crate) fn new(policy: P, capacity_bytes: u64, expected_objects: usize) -> Store<P, L> {
        Store {
            slots: Slab::with_capacity(expected_objects),
            index: Index::with_capacity(expected_objects),
            policy,
            used_bytes: 0,
            capacity_bytes,
            evictions: 0,
            log: L::default(),
        }
    }

    /// The slot holding `key`, if cached.
    #[inline]
    fn find(&self, key: CacheKey) -> Option<u32> {
        self.index.find(fingerprint(key), |idx| self.slots.get(idx).key == key)
    }

    /// Evicts until `extra_bytes` more fit, never evicting `pinned`.
    /// Returns false if the policy ranked the new object itself below what
    /// is left to evict (GDSF): it is then not to be stored.
    // Inlined into `insert` by hand: with the slab's free-chain mark it grew
    // past LLVM's threshold for some policies, and calling it cost 1.6% more
    // instructions in benches/cache.rs.
    #[inline]
    fn make_room(&mut self, extra_bytes: u64, pinned: u32) -> bool {
        while self.used_bytes + extra_bytes > self.capacity_bytes || self.policy.mid_eviction_round() {
            if pinned == NIL && self.policy.incoming_goes_first() {
                return false;
            }
            let victim = self.policy.evict(&mut self.slots, pinned);
            debug_assert_ne!(victim, pinned, "policy evicted the pinned slot");
            self.drop_evicted(victim);
            // The next eviction's loads, started now: its slot (this
            // unlink just wrote it, so its key is at hand), the slot after
            // it, and its index bucket. In a big cache each is otherwise a
            // miss in the CPU caches on the next insert.
            if let Some(next) = self.policy.next_victim() {
                self.index.prefetch(fingerprint(self.slots.get(next).key));
                self.slots.prefetch(self.slots.next(next));
            }
        }
        true
    }

    /// Records an access, then evicts what it left over a budget.
    #[inline]
    fn touch(&mut self, idx: u32) {
        self.policy.touch(&mut self.slots, idx);
        self.drop_overflow(idx);
    }

    /// Evicts what a touch or link of `idx` left over one of the policy's
    /// budgets (never `idx` itself).
    #[inline]
    fn drop_overflow(&mut self, idx: u32) {
        while let Some(victim) = self.policy.overflow_victim(&mut self.slots) {
            debug_assert_ne!(victim, idx, "a touch or link evicted its own slot");
            self.drop_evicted(victim);
        }
    }

    /// Frees a slot the policy has unlinked as a victim.
    #[inline]
    fn drop_evicted(&mut self, victim: u32) {
        let slot = self.slots.free(victim);
        let removed = self.index.remove(fingerprint(slot.key), victim);
        debug_assert!(removed, "index and slab disagree");
        debug_assert!(slot.size_bytes <= self.used_bytes, "evicting more bytes than are cached");
        self.used_bytes -= slot.size_bytes;
        self.evictions += 1;
        self.log.gone(slot.key);
    }

    /// Grows or shrinks a cached slot in place, after it counted as an access.
    fn replace(&mut self, idx: u32, entry: Entry) {
        self.touch(idx);
        let old_size_bytes = self.slots.get(idx).size_bytes;
        if entry.size_bytes > old_size_bytes {
            let made = self.make_room(entry.size_bytes - old_size_bytes, idx);
            debug_assert!(made, "room is always made for a grown object");
        }
        let slot = self.slots.get_mut(idx);
        slot.size_bytes = entry.size_bytes;
        slot.expires_at = entry.expires_at;
        slot.stored_word = entry.stored.to_word();
        self.used_bytes = self.used_bytes - old_size_bytes + entry.size_bytes;
        self.policy.resized(&self.slots, idx, old_size_bytes);
    }

    /// Every cached key, in no particular order: for tests.
    #[cfg(test)]
    pub(crate) fn keys(&self) -> Vec<CacheKey> {
        self.index.entries().map(|(_, idx)| self.slots.get(idx).key).collect()
    }

    /// Checks every invariant of the store and its policy by walking all of
    /// it, which costs its size: for tests, after each step.
    #[cfg(test)]
    pub(crate) fn check_invariants(&self) {
        self.index.check();
        let linked = self.policy.check(&self.slots);
        let free = self.slots.check_free_chain().len();
        assert_eq!(linked + free, self.slots.n_nodes(), "a slot is neither linked nor free");
        assert_eq!(linked, self.index.len(), "the index and the policy's lists hold different numbers of slots");
        let mut cached_bytes = 0;
        let mut seen = std::collections::BTreeSet::new();
        for (fp, idx) in self.index.entries() {
            assert!(self.slots.is_live(idx), "the index points to slot {idx}, which is free");
            assert!(seen.insert(idx), "the index holds slot {idx} twice");
            let slot = self.slots.get(idx);
            assert_eq!(fingerprint(slot.key), fp, "slot {idx} holds a key of another fingerprint");
            assert_eq!(self.find(slot.key), Some(idx), "key {} is not found at its slot", slot.key);
            cached_bytes += slot.size_bytes;
        }
        assert_eq!(self.used_bytes, cached_bytes, "used_bytes is not the sum of the cached sizes");
        assert!(self.used_bytes <= self.capacity_bytes, "cache over capacity");
    }
}

impl<P: Policy, L: KeyLog> Cache for Store<P, L> {
    fn prefetch(&self, key: CacheKey, step: PrefetchStep) {
        if let PrefetchStep::Index = step {
            // The policy's own tables can be large when the cache holds few
            // objects (W-TinyLFU's sketch grows with the bytes): it decides.
            self.policy.prefetch_request(key);
        }
        match step {
            PrefetchStep::Index => self.index.prefetch(fingerprint(key)),
            // Not `find`: comparing keys would wait for the entry this step
            // is meant to start loading. A fingerprint match is right but
            // for one key in four billion, and a wrong hint costs nothing.
            PrefetchStep::Entry => {
                if let Some(idx) = self.index.find(fingerprint(key), |_| true) {
                    self.slots.prefetch(idx);
                }
            }
            PrefetchStep::Neighbours => {
                if let Some(idx) = self.find(key) {
                    self.policy.prefetch_touch(&self.slots, idx);
                }
            }
        }
    }

    fn lookup(&mut self, key: CacheKey, now: SimTime) -> Lookup {
        let Some(idx) = self.find(key) else {
            return Lookup::Miss;
        };
        self.touch(idx);
        let entry = self.slots.get(idx).entry();
        // CloudFront serves an object as fresh strictly before its expiry
        // instant; at the instant itself it must revalidate.
        if now < entry.expires_at { Lookup::Fresh(entry) } else { Lookup::Stale(entry) }
    }

    fn peek(&self, key: CacheKey) -> Option<Entry> {
        self.find(key).map(|idx| self.slots.get(idx).entry())
    }

    fn insert(&mut self, key: CacheKey, entry: Entry) -> Admission {
        let too_large = entry.size_bytes > self.capacity_bytes || self.capacity_bytes == 0;
        if let Some(idx) = self.find(key) {
            if too_large {
                // Keeping the old copy would serve bytes the origin has replaced.
                self.remove(key);
                return Admission::TooLarge;
            }
            self.replace(idx, entry);
        } else {
            let plan = self.policy.plan(key, entry.size_bytes);
            if too_large {
                return Admission::TooLarge;
            }
            match self.policy.fit(plan, entry.size_bytes) {
                Fit::Admit => {}
                Fit::Refuse => return Admission::TooLarge,
                Fit::RefuseAfterMakingRoom => {
                    let _ = self.make_room(entry.size_bytes, NIL);
                    return Admission::TooLarge;
                }
            }
            if !self.make_room(entry.size_bytes, NIL) {
                return Admission::TooLarge;
            }
            let idx = self.slots.alloc(Slot {
                key,
                size_bytes: entry.size_bytes,
                expires_at: entry.expires_at,
                stored_word: entry.stored.to_word(),
                bits: 0,
            });
            self.policy.link(&mut self.slots, idx, plan);
            self.index.insert(fingerprint(key), idx);
            self.used_bytes += entry.size_bytes;
            self.log.added(key);
            self.drop_overflow(idx);
        }
        debug_assert!(self.used_bytes <= self.capacity_bytes, "cache over capacity");
        Admission::Stored
    }

    fn refresh(&mut self, key: CacheKey, expires_at: SimTime, version: Version) -> bool {
        let Some(idx) = self.find(key) else {
            return false;
        };
        let slot = self.slots.get_mut(idx);
        slot.expires_at = expires_at;
        slot.stored_word = Stored::Object(version).to_word();
        true
    }

    fn remove(&mut self, key: CacheKey) -> bool {
        let Some(idx) = self.find(key) else {
            return false;
        };
        let removed = self.index.remove(fingerprint(key), idx);
        debug_assert!(removed, "index and slab disagree");
        self.policy.unlink(&mut self.slots, idx);
        let size_bytes = self.slots.free(idx).size_bytes;
        debug_assert!(size_bytes <= self.used_bytes, "removing more bytes than are cached");
        self.used_bytes -= size_bytes;
        self.log.gone(key);
        true
    }

    fn len(&self) -> usize {
        self.index.len()
    }

    fn used_bytes(&self) -> u64 {
        self.used_bytes
    }

    fn capacity_bytes(&self) -> u64 {
        self.capacity_bytes
    }

    fn evictions(&self) -> u64 {
        self.evictions
    }

    fn memory_bytes(&self) -> usize {
        self.slots.memory_bytes() + self.index.memory_bytes() + self.policy.memory_bytes()
    }

    fn drain_key_events(&mut self, out: &mut Vec<KeyEvent>) {
        self.log.drain(out);
    }
}

#[cfg(test)]
mod tests {
    use rand::rngs::Xoshiro256PlusPlus;
    use rand::{RngExt, SeedableRng};

    use super::super::{
        arc::Arc, clock::Clock, fifo::Fifo, gdsf::Gdsf, lfuda::Lfuda, lru::Lru, s3fifo::S3Fifo, s4lru::S4Lru,
        sieve::Sieve, twoq::TwoQ, wtinylfu::WTinyLfu,
    };
    use super::*;

    fn entry(size_bytes: u64) -> Entry {
        Entry { size_bytes, expires_at: SimTime(10), stored: Stored::Object(Version::new(1)) }
    }

    /// Random calls with every invariant checked after each: sizes from 0
    /// to past the capacity, so that inserts evict several objects, grow
    /// cached ones in place and are refused. A store that logs its keys
    /// must log them all: replayed, the events give the cached keys.
    fn invariants_hold<P: Policy, L: KeyLog>(mut store: Store<P, L>, seed: u64) {
        let mut replayed = std::collections::BTreeSet::new();
        let mut events = Vec::new();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let capacity_bytes = store.capacity_bytes;
        for op in 0..5_000 {
            let key = rng.random_range(0..60);
            match rng.random_range(0..10) {
                0..=3 => {
                    store.lookup(key, SimTime(rng.random_range(0..20)));
                }
                4..=7 => {
                    store.insert(key, entry(rng.random_range(0..=capacity_bytes / 4 + 2)));
                }
                8 => {
                    store.refresh(key, SimTime(30), Version::new(2));
                }
                _ => {
                    store.remove(key);
                }
            }
            store.prefetch(key, PrefetchStep::Neighbours);
            store.check_invariants();
            assert!(store.len() <= 60, "op {op}");
            events.clear();
            store.drain_key_events(&mut events);
            for event in &events {
                match *event {
                    KeyEvent::Added(k) => assert!(replayed.insert(k), "op {op}: key {k} added twice"),
                    KeyEvent::Gone(k) => assert!(replayed.remove(&k), "op {op}: key {k} gone but not cached"),
                }
            }
            if L::LOGS {
                let cached: std::collections::BTreeSet<CacheKey> = store.keys().into_iter().collect();
                assert_eq!(replayed, cached, "op {op}: the events replay to the cached keys");
            } else {
                assert!(events.is_empty(), "a store without a log drains nothing");
            }
        }
    }

    #[test]
    fn every_policy_keeps_the_store_invariants() {
        for seed in 0..4 {
            let capacity_bytes = [0, 3, 40, 400][seed as usize];
            invariants_hold(Store::<_, NoKeyLog>::new(Lru::new(), capacity_bytes, 4), seed);
            invariants_hold(Store::<_, NoKeyLog>::new(Fifo::new(), capacity_bytes, 4), seed);
            invariants_hold(Store::<_, NoKeyLog>::new(Sieve::new(), capacity_bytes, 4), seed);
            invariants_hold(Store::<_, NoKeyLog>::new(S3Fifo::new(capacity_bytes, 4), capacity_bytes, 4), seed);
            invariants_hold(Store::<_, NoKeyLog>::new(Clock::new(), capacity_bytes, 4), seed);
            invariants_hold(Store::<_, NoKeyLog>::new(TwoQ::new(capacity_bytes, 4), capacity_bytes, 4), seed);
            invariants_hold(Store::<_, KeyEvents>::new(S4Lru::new(capacity_bytes), capacity_bytes, 4), seed);
            invariants_hold(Store::<_, KeyEvents>::new(Arc::new(capacity_bytes, 4), capacity_bytes, 4), seed);
            invariants_hold(Store::<_, NoKeyLog>::new(Gdsf::new(4), capacity_bytes, 4), seed);
            invariants_hold(Store::<_, KeyEvents>::new(Lfuda::new(4), capacity_bytes, 4), seed);
            invariants_hold(Store::<_, KeyEvents>::new(WTinyLfu::new(capacity_bytes), capacity_bytes, 4), seed);
            invariants_hold(Store::<_, KeyEvents>::new(Lru::new(), capacity_bytes, 4), seed);
            invariants_hold(Store::<_, KeyEvents>::new(S3Fifo::new(capacity_bytes, 4), capacity_bytes, 4), seed);
        }
    }

    /// The figures of the comment at the top of this file: an LRU store
    /// sized as the engine sizes a 2 GiB edge of 200 KiB objects (13,107
    /// objects) holds 13,107 slab nodes of 40 bytes (524,280 bytes) and
    /// ceil(13,107 * 8 / 7) = 14,980 home buckets plus 16 spare of 8 bytes
    /// (119,968 bytes): 644,248 bytes, which is 59.3 per object for the
    /// 10,860 a full edge holds (a power-of-two index took 72.4).
    #[test]
    fn an_edge_sized_store_costs_what_the_comment_says() {
        let store: Store<Lru> = Store::new(Lru::new(), 2 << 30, 13_107);
        assert_eq!(std::mem::size_of::<Slot>() + 8, 40);
        assert_eq!(store.memory_bytes(), 524_280 + 119_968);
        assert_eq!(store.memory_bytes(), 644_248);
    }

    fn filled() -> Store<Lru> {
        let mut store: Store<Lru> = Store::new(Lru::new(), 100, 4);
        for key in 0..4 {
            store.insert(key, entry(10));
        }
        store
    }

    #[test]
    #[should_panic(expected = "used_bytes is not the sum")]
    fn a_wrong_byte_count_is_found() {
        let mut store = filled();
        store.used_bytes += 1;
        store.check_invariants();
    }

    #[test]
    #[should_panic(expected = "the index and the policy's lists hold different numbers of slots")]
    fn an_index_entry_for_a_freed_slot_is_found() {
        let mut store = filled();
        let idx = store.find(2).unwrap();
        store.policy.unlink(&mut store.slots, idx);
        store.slots.free(idx);
        store.check_invariants();
    }

    #[cfg(debug_assertions)]
    #[test]
    #[should_panic(expected = "read after it was freed")]
    fn a_lookup_through_a_stale_index_entry_panics() {
        let mut store = filled();
        let idx = store.find(2).unwrap();
        store.policy.unlink(&mut store.slots, idx);
        store.slots.free(idx);
        store.lookup(2, SimTime::ZERO);
    }

    #[cfg(debug_assertions)]
    #[test]
    #[should_panic(expected = "more bytes than are cached")]
    fn removing_from_a_wrong_byte_count_panics() {
        let mut store = filled();
        store.used_bytes = 5;
        store.remove(1);
    }

    #[cfg(debug_assertions)]
    #[test]
    #[should_panic(expected = "over capacity")]
    fn an_insert_that_leaves_the_cache_over_capacity_panics() {
        // 40 bytes cached under a capacity now of 20: a same-size replace
        // makes no room, and the insert must not return as if all were well.
        let mut store = filled();
        store.capacity_bytes = 20;
        store.insert(1, entry(10));
    }
}
