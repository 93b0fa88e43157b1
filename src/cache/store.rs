//! The part of a cache that is the same under every eviction policy: the key
//! index, byte accounting, freshness, and the make-room loop. A policy
//! (`lru.rs`, `fifo.rs`, `sieve.rs`, `s3fifo.rs`) only orders slots and picks
//! victims, through the `Policy` trait.
//!
//! `Store<P>` is generic rather than holding a `Box<dyn Policy>` so that each
//! policy's hooks inline into the lookup and insert paths; the one dynamic
//! call per request is the `Box<dyn Cache>` that `new_cache` returns.

use super::api::{Admission, Cache, CacheKey, Entry, Lookup, PrefetchStep};
use super::index::{Index, fingerprint};
use super::slab::{NIL, Slab};
use super::stored::{Stored, Version};
use crate::time::SimTime;

/// Below this many cached objects (under 1 MiB of slots and index),
/// prefetch hints are ignored.
const PREFETCH_MIN_OBJECTS: usize = 1 << 14;

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

/// An eviction policy: how slots are ordered and which one goes next.
///
/// Every hook receives the shared slab; a policy keeps only its lists and
/// counters. The store owns the index and the byte accounting, so a policy
/// never sees a key that is not cached (S3-FIFO's ghost is its own business).
pub(crate) trait Policy: Send {
    /// What the policy learns about a key before room is made for it.
    /// S3-FIFO must consult its ghost before evictions can push the key out.
    type Plan: Copy;

    /// Called once per admitted new key, before any eviction for it.
    fn plan(&mut self, key: CacheKey) -> Self::Plan;

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

    /// The slot `evict` would take next, if the policy knows without
    /// searching (the head of a queue), so that the store can start
    /// loading it and its index bucket before the next miss needs them.
    fn next_victim(&self) -> Option<u32> {
        None
    }

    /// Heap bytes owned by the policy itself (not the shared slab).
    fn memory_bytes(&self) -> usize {
        0
    }
}

/// A byte-capacity cache: index + slab + a policy.
pub(crate) struct Store<P> {
    slots: Slab<Slot>,
    index: Index,
    policy: P,
    used_bytes: u64,
    capacity_bytes: u64,
    evictions: u64,
}

impl<P: Policy> Store<P> {
    pub(crate) fn new(policy: P, capacity_bytes: u64, expected_objects: usize) -> Store<P> {
        Store {
            slots: Slab::with_capacity(expected_objects),
            index: Index::with_capacity(expected_objects),
            policy,
            used_bytes: 0,
            capacity_bytes,
            evictions: 0,
        }
    }

    /// The slot holding `key`, if cached.
    fn find(&self, key: CacheKey) -> Option<u32> {
        self.index.find(fingerprint(key), |idx| self.slots.get(idx).key == key)
    }

    /// Evicts until `extra_bytes` more fit, never evicting `pinned`.
    fn make_room(&mut self, extra_bytes: u64, pinned: u32) {
        while self.used_bytes + extra_bytes > self.capacity_bytes {
            let victim = self.policy.evict(&mut self.slots, pinned);
            debug_assert_ne!(victim, pinned, "policy evicted the pinned slot");
            let slot = self.slots.free(victim);
            let removed = self.index.remove(fingerprint(slot.key), victim);
            debug_assert!(removed, "index and slab disagree");
            self.used_bytes -= slot.size_bytes;
            self.evictions += 1;
            // The next eviction's loads, started now: its slot (this
            // unlink just wrote it, so its key is at hand), the slot after
            // it, and its index bucket. In a big cache each is otherwise a
            // miss in the CPU caches on the next insert.
            if let Some(next) = self.policy.next_victim() {
                self.index.prefetch(fingerprint(self.slots.get(next).key));
                self.slots.prefetch(self.slots.next(next));
            }
        }
    }

    /// Grows or shrinks a cached slot in place, after it counted as an access.
    fn replace(&mut self, idx: u32, entry: Entry) {
        self.policy.touch(&mut self.slots, idx);
        let old_size_bytes = self.slots.get(idx).size_bytes;
        if entry.size_bytes > old_size_bytes {
            self.make_room(entry.size_bytes - old_size_bytes, idx);
        }
        let slot = self.slots.get_mut(idx);
        slot.size_bytes = entry.size_bytes;
        slot.expires_at = entry.expires_at;
        slot.stored_word = entry.stored.to_word();
        self.used_bytes = self.used_bytes - old_size_bytes + entry.size_bytes;
        self.policy.resized(&self.slots, idx, old_size_bytes);
    }
}

impl<P: Policy> Cache for Store<P> {
    fn prefetch(&self, key: CacheKey, step: PrefetchStep) {
        // A cache this small stays in the CPU's own caches: a hint would
        // only cost its hashing.
        if self.index.len() < PREFETCH_MIN_OBJECTS {
            return;
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
        self.policy.touch(&mut self.slots, idx);
        let entry = self.slots.get(idx).entry();
        // CloudFront serves an object as fresh strictly before its expiry
        // instant; at the instant itself it must revalidate.
        if now < entry.expires_at { Lookup::Fresh(entry) } else { Lookup::Stale(entry) }
    }

    fn peek(&self, key: CacheKey) -> Option<Entry> {
        self.find(key).map(|idx| self.slots.get(idx).entry())
    }

    fn insert(&mut self, key: CacheKey, entry: Entry) -> Admission {
        if entry.size_bytes > self.capacity_bytes || self.capacity_bytes == 0 {
            // Keeping the old copy would serve bytes the origin has replaced.
            self.remove(key);
            return Admission::TooLarge;
        }
        if let Some(idx) = self.find(key) {
            self.replace(idx, entry);
        } else {
            let plan = self.policy.plan(key);
            self.make_room(entry.size_bytes, NIL);
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
        self.index.remove(fingerprint(key), idx);
        self.policy.unlink(&mut self.slots, idx);
        self.used_bytes -= self.slots.free(idx).size_bytes;
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
}
