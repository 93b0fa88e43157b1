//! What a cache is to its users: the `Cache` trait, the key, the entry and
//! the answers of a lookup and an insert. The store and every policy import
//! these; `new_cache` in `mod.rs` picks the policy.

use super::stored::{Stored, Version};
use crate::time::SimTime;

/// Identifies a cached object. The engine derives it from the object id (plus
/// a method bit for OPTIONS, whose responses are cached separately).
pub type CacheKey = u64;

/// How far a prefetch hint (`Cache::prefetch`) has got. On a cache of a
/// million objects a lookup is a chain of dependent loads (index bucket,
/// then the entry it points to, then the entries the policy relinks), each
/// a miss in the CPU caches; a caller that knows its keys a few requests
/// ahead starts one link of the chain per step, so each step reads only
/// what the step before loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrefetchStep {
    /// Load the index bucket where the key's search starts.
    Index,
    /// Read that bucket; load the entry it names.
    Entry,
    /// Read the entry; load what an access will touch besides it (LRU's
    /// list neighbours).
    Neighbours,
}

/// What a cache knows about one stored object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub size_bytes: u64,
    /// The first instant at which the object is no longer fresh.
    pub expires_at: SimTime,
    /// The object's version (bumped by the origin when the object changes;
    /// a 304 keeps it), or the error kept in its place.
    pub stored: Stored,
}

/// The result of looking a key up at a given time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    Miss,
    /// Cached and `now < expires_at`: serve it.
    Fresh(Entry),
    /// Cached but expired. Kept rather than dropped, as CloudFront does, so
    /// the tier can revalidate with a conditional request and `refresh` on a
    /// 304 instead of refetching the bytes.
    Stale(Entry),
}

/// A key entering or leaving a cache, for a caller that follows what the
/// cache holds (a cache made by `new_cache_logging_keys`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyEvent {
    /// `insert` stored a key that was not cached.
    Added(CacheKey),
    /// A cached key was evicted, removed, or dropped by an insert too large
    /// to store.
    Gone(CacheKey),
}

/// Whether `insert` stored the object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    Stored,
    /// Larger than the whole capacity (or the capacity is 0), or than the
    /// policy admits (S3-FIFO, 2Q and S4LRU take nothing larger than their
    /// first queue). Any older copy of the key has been removed.
    TooLarge,
}

/// A byte-capacity object cache with a fixed eviction policy.
pub trait Cache: Send {
    /// Hints that `key` will be looked up soon, in the steps of
    /// [`PrefetchStep`], each issued a few requests after the one before so
    /// that the memory it asked for has arrived. Changes nothing observable.
    /// The caller judges whether its caches are large enough to be worth it:
    /// a cache of a few thousand objects may be one of hundreds.
    fn prefetch(&self, _key: CacheKey, _step: PrefetchStep) {}

    /// Finds `key` as of `now`. A Fresh or Stale result counts as an access
    /// for the eviction policy; a Miss changes nothing.
    fn lookup(&mut self, key: CacheKey, now: SimTime) -> Lookup;

    /// The entry for `key`, if cached, without counting an access: for
    /// reports and tests, which must not perturb the eviction order.
    fn peek(&self, key: CacheKey) -> Option<Entry>;

    /// Inserts `key`, or replaces its entry (size, expiry and version) if it
    /// is cached, which counts as an access. Evicts other objects, per the
    /// policy, until the entry fits; never evicts the key being replaced.
    fn insert(&mut self, key: CacheKey, entry: Entry) -> Admission;

    /// Sets a new expiry and version after a 304 revalidation; the size is
    /// unchanged. Not an access: the lookup that found it Stale was one.
    /// Returns false if the key is no longer cached.
    fn refresh(&mut self, key: CacheKey, expires_at: SimTime, version: Version) -> bool;

    /// Removes `key` (an invalidation). Returns false if it was not cached.
    /// Not counted in `evictions`.
    fn remove(&mut self, key: CacheKey) -> bool;

    /// Number of cached objects.
    fn len(&self) -> usize;

    /// True if no object is cached.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sum of the cached objects' sizes.
    fn used_bytes(&self) -> u64;

    fn capacity_bytes(&self) -> u64;

    /// Objects evicted to make room, since creation. Removals and
    /// replacements are not evictions.
    fn evictions(&self) -> u64;

    /// Heap bytes this cache owns: slots, index and policy metadata (such as
    /// S3-FIFO's ghost), including spare capacity.
    fn memory_bytes(&self) -> usize;

    /// Appends to `out` the keys added and dropped since the last call, in
    /// order, and forgets them. A cache made by `new_cache` logs nothing and
    /// appends nothing; one made by `new_cache_logging_keys` logs every key.
    fn drain_key_events(&mut self, _out: &mut Vec<KeyEvent>) {}
}
