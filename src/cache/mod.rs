//! The cache store used by every tier (edge, regional edge cache, origin
//! shield) and by trace-driven replay.
//!
//! A cache maps a `CacheKey` to an `Entry` (size, expiry, what it holds) under a
//! byte capacity, and evicts by one of eleven published policies: LRU, FIFO,
//! SIEVE, S3-FIFO, CLOCK, 2Q, S4LRU, ARC, GDSF, LFUDA and W-TinyLFU. Those but LRU, FIFO and SIEVE
//! follow libCacheSim's implementation (each file names the function it
//! follows), so that miss counts compare with it exactly (W-TinyLFU to
//! within half a point: its sketch hashes differently); LRU, FIFO and
//! SIEVE agree with it too. It stores no bytes of content: the simulator only needs
//! to know what is cached, how big it is and until when it is fresh.
//!
//! Layout:
//! - `api.rs`: the `Cache` trait and the values it takes and returns, shared
//!   by the store and every policy.
//! - `slab.rs`: slab-allocated intrusive lists with `u32` links, written once
//!   and shared by all policies.
//! - `store.rs`: index, byte accounting, freshness, the make-room loop; generic
//!   over a `Policy`.
//! - `lru.rs`, `fifo.rs`, `sieve.rs`, `s3fifo.rs`, `clock.rs`, `twoq.rs`,
//!   `s4lru.rs`, `arc.rs`, `gdsf.rs`, `lfuda.rs`, `wtinylfu.rs`: one policy each, with the
//!   paper it implements cited at the top (`s4lru.rs` also holds the
//!   segmented LRU that W-TinyLFU's main cache is).
//! - `ghost.rs`: byte-bounded lists of evicted keys (S3-FIFO, 2Q, ARC).
//! - `belady.rs`: Belady's MIN, offline, for the trace tools only (it needs
//!   each request's next use); not a policy of the store.
//!
//! **Invariants:** `used_bytes() <= capacity_bytes()` after every call, and
//! equals the sum of the cached entries' sizes. Nothing here reads a clock
//! (time is the `now` argument), does I/O, draws random numbers or depends on
//! a hash map's order (LFUDA's one walk over its map takes a minimum), so the
//! same calls give the same results on every run. Once the
//! slab and index have grown to the steady-state object count (pre-sized from
//! `expected_objects`), no call allocates.

mod api;
mod arc;
pub mod belady;
mod clock;
mod fifo;
mod gdsf;
mod ghost;
mod index;
mod lfuda;
mod lru;
mod s3fifo;
mod s4lru;
mod sieve;
mod slab;
mod store;
mod stored;
#[cfg(test)]
mod testing;
mod twoq;
mod wtinylfu;

pub use api::{Admission, Cache, CacheKey, Entry, KeyEvent, Lookup, PrefetchStep};

use crate::scenario::EvictionPolicy;

pub use stored::{Stored, Version};

/// A cache of `capacity_bytes` evicting by `policy`.
///
/// `expected_objects` sizes the slot slab and index up front, so a cache
/// that settles at about that many objects never allocates again. It is a
/// hint, not a limit: the tables grow if more objects fit.
pub fn new_cache(policy: EvictionPolicy, capacity_bytes: u64, expected_objects: usize) -> Box<dyn Cache> {
    boxed::<store::NoKeyLog>(policy, capacity_bytes, expected_objects)
}

/// `new_cache`, logging every key it adds and drops for
/// `Cache::drain_key_events`: for a caller that follows which variants of
/// an object a cache holds. A separate type, so that a cache made by
/// `new_cache` has no logging code on its paths at all.
pub fn new_cache_logging_keys(policy: EvictionPolicy, capacity_bytes: u64, expected_objects: usize) -> Box<dyn Cache> {
    boxed::<store::KeyEvents>(policy, capacity_bytes, expected_objects)
}

fn boxed<L: store::KeyLog + 'static>(
    policy: EvictionPolicy,
    capacity_bytes: u64,
    expected_objects: usize,
) -> Box<dyn Cache> {
    use store::Store;
    match policy {
        EvictionPolicy::Lru => Box::new(Store::<_, L>::new(lru::Lru::new(), capacity_bytes, expected_objects)),
        EvictionPolicy::Fifo => Box::new(Store::<_, L>::new(fifo::Fifo::new(), capacity_bytes, expected_objects)),
        EvictionPolicy::Sieve => Box::new(Store::<_, L>::new(sieve::Sieve::new(), capacity_bytes, expected_objects)),
        EvictionPolicy::S3Fifo => Box::new(Store::<_, L>::new(
            s3fifo::S3Fifo::new(capacity_bytes, expected_objects),
            capacity_bytes,
            expected_objects,
        )),
        EvictionPolicy::Clock => Box::new(Store::<_, L>::new(clock::Clock::new(), capacity_bytes, expected_objects)),
        EvictionPolicy::TwoQ => Box::new(Store::<_, L>::new(
            twoq::TwoQ::new(capacity_bytes, expected_objects),
            capacity_bytes,
            expected_objects,
        )),
        EvictionPolicy::Arc => Box::new(Store::<_, L>::new(
            arc::Arc::new(capacity_bytes, expected_objects),
            capacity_bytes,
            expected_objects,
        )),
        EvictionPolicy::Gdsf => {
            Box::new(Store::<_, L>::new(gdsf::Gdsf::new(expected_objects), capacity_bytes, expected_objects))
        }
        EvictionPolicy::Lfuda => {
            Box::new(Store::<_, L>::new(lfuda::Lfuda::new(expected_objects), capacity_bytes, expected_objects))
        }
        EvictionPolicy::S4Lru => {
            Box::new(Store::<_, L>::new(s4lru::S4Lru::new(capacity_bytes), capacity_bytes, expected_objects))
        }
        EvictionPolicy::WTinyLfu => {
            Box::new(Store::<_, L>::new(wtinylfu::WTinyLfu::new(capacity_bytes), capacity_bytes, expected_objects))
        }
    }
}
