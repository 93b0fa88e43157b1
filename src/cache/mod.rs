//! The cache store used by every tier (edge, regional edge cache, origin
//! shield) and by trace-driven replay.
//!
//! A cache maps a `CacheKey` to an `Entry` (size, expiry, what it holds) under a
//! byte capacity, and evicts by one of four published policies: LRU, FIFO,
//! SIEVE and S3-FIFO. It stores no bytes of content: the simulator only needs
//! to know what is cached, how big it is and until when it is fresh.
//!
//! Layout:
//! - `slab.rs`: slab-allocated intrusive lists with `u32` links, written once
//!   and shared by all policies.
//! - `store.rs`: index, byte accounting, freshness, the make-room loop; generic
//!   over a `Policy`.
//! - `lru.rs`, `fifo.rs`, `sieve.rs`, `s3fifo.rs`: one policy each, with the
//!   paper it implements cited at the top.
//!
//! **Invariants:** `used_bytes() <= capacity_bytes()` after every call, and
//! equals the sum of the cached entries' sizes. Nothing here reads a clock
//! (time is the `now` argument), does I/O, draws random numbers or iterates a
//! hash map, so the same calls give the same results on every run. Once the
//! slab and index have grown to the steady-state object count (pre-sized from
//! `expected_objects`), no call allocates.

mod fifo;
mod index;
mod lru;
mod s3fifo;
mod sieve;
mod slab;
mod store;
mod stored;
#[cfg(test)]
mod testing;

use std::fmt;
use std::str::FromStr;

use crate::time::SimTime;

pub use stored::{Stored, Version};

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

/// Whether `insert` stored the object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    Stored,
    /// Larger than the whole capacity (or the capacity is 0). Any older copy
    /// of the key has been removed.
    TooLarge,
}

/// A byte-capacity object cache with a fixed eviction policy.
pub trait Cache: Send {
    /// Hints that `key` will be looked up soon, in the steps of
    /// [`PrefetchStep`], each issued a few requests after the one before so
    /// that the memory it asked for has arrived. Changes nothing observable.
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
}

/// Which object a full cache gives up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvictionPolicy {
    /// Least recently used.
    Lru,
    /// First in, first out; accesses do not matter.
    Fifo,
    /// SIEVE (Zhang et al., NSDI'24).
    Sieve,
    /// S3-FIFO (Yang et al., SOSP'23).
    S3Fifo,
}

impl EvictionPolicy {
    /// Every policy, in the order of `NAMES`.
    pub const ALL: [EvictionPolicy; 4] =
        [EvictionPolicy::Lru, EvictionPolicy::Fifo, EvictionPolicy::Sieve, EvictionPolicy::S3Fifo];

    /// The accepted spellings, for error messages and `--help`.
    pub const NAMES: [&'static str; 4] = ["lru", "fifo", "sieve", "s3-fifo"];

    /// The name used in scenario files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            EvictionPolicy::Lru => "lru",
            EvictionPolicy::Fifo => "fifo",
            EvictionPolicy::Sieve => "sieve",
            EvictionPolicy::S3Fifo => "s3-fifo",
        }
    }
}

impl fmt::Display for EvictionPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not one of `EvictionPolicy::NAMES`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown eviction policy `{name}` (expected one of: {})", EvictionPolicy::NAMES.join(", "))]
pub struct ParsePolicyError {
    pub name: String,
}

impl FromStr for EvictionPolicy {
    type Err = ParsePolicyError;

    fn from_str(s: &str) -> Result<EvictionPolicy, ParsePolicyError> {
        EvictionPolicy::ALL
            .into_iter()
            .find(|policy| policy.name() == s)
            .ok_or_else(|| ParsePolicyError { name: s.to_string() })
    }
}

/// A cache of `capacity_bytes` evicting by `policy`.
///
/// `expected_objects` sizes the slot slab and index up front, so a cache
/// that settles at about that many objects never allocates again. It is a
/// hint, not a limit: the tables grow if more objects fit.
pub fn new_cache(policy: EvictionPolicy, capacity_bytes: u64, expected_objects: usize) -> Box<dyn Cache> {
    use store::Store;
    match policy {
        EvictionPolicy::Lru => Box::new(Store::new(lru::Lru::new(), capacity_bytes, expected_objects)),
        EvictionPolicy::Fifo => Box::new(Store::new(fifo::Fifo::new(), capacity_bytes, expected_objects)),
        EvictionPolicy::Sieve => Box::new(Store::new(sieve::Sieve::new(), capacity_bytes, expected_objects)),
        EvictionPolicy::S3Fifo => Box::new(Store::new(
            s3fifo::S3Fifo::new(capacity_bytes, expected_objects),
            capacity_bytes,
            expected_objects,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_names_round_trip() {
        for (policy, name) in EvictionPolicy::ALL.into_iter().zip(EvictionPolicy::NAMES) {
            assert_eq!(policy.to_string(), name);
            assert_eq!(name.parse::<EvictionPolicy>(), Ok(policy));
            assert_eq!(serde_json::to_string(&policy).unwrap(), format!("\"{name}\""));
            assert_eq!(serde_json::from_str::<EvictionPolicy>(&format!("\"{name}\"")).unwrap(), policy);
        }
    }

    #[test]
    fn unknown_policy_lists_the_choices() {
        let err = "arc".parse::<EvictionPolicy>().unwrap_err();
        assert_eq!(err.to_string(), "unknown eviction policy `arc` (expected one of: lru, fifo, sieve, s3-fifo)");
    }
}
