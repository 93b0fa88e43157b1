//! What each cached copy was tailored for, for a run where the origin varies
//! on a value that is forwarded but not keyed (`ForwardPlan::
//! may_be_mistailored` for some behavior and class); a run without has none
//! of this and pays nothing for it.
//!
//! A response the origin makes for a request is tailored for that request's
//! values (`policy::origin_request::tailored_for`); a cache that stores it
//! remembers that hash beside the key, and a response on its way down carries
//! it in its request's slot. A hit, or a fetch collapsed onto, whose viewer's
//! hash differs from the copy's is *mistailored*.
//!
//! Memory: 8 bytes per request slot, and per cached key 16 bytes of map
//! entry (about 18 to 37 with the map's spare room). A key the cache drops
//! stays in the map until stored again (then overwritten), so a map holds
//! every key its cache ever stored: at most the distinct keys looked up,
//! which a keyed run reports anyway.

use std::collections::HashMap;

use super::ids::{CacheIdx, RequestId};
use crate::cache::CacheKey;

type Fixed = foldhash::fast::FixedState;

pub(super) struct Tailoring {
    /// Per cache (`CacheIdx`): key -> what the copy stored under it was
    /// tailored for.
    copies: Vec<HashMap<CacheKey, u64, Fixed>>,
    /// Per request slot: what the response on its way down was tailored for.
    in_flight: Vec<u64>,
}

impl Tailoring {
    /// `table_sizes` holds each cache's expected objects: its map starts there.
    pub(super) fn new(table_sizes: &[usize]) -> Tailoring {
        Tailoring {
            copies: table_sizes.iter().map(|&n| HashMap::with_capacity_and_hasher(n, Fixed::with_seed(0))).collect(),
            in_flight: Vec::with_capacity(1024),
        }
    }

    /// The response of request `id` was tailored for `hash`.
    pub(super) fn set_response(&mut self, id: RequestId, hash: u64) {
        let slot = id.index();
        if slot >= self.in_flight.len() {
            // Grows with the pool's peak of requests in flight, by doubling.
            self.in_flight.resize((slot + 1).next_power_of_two(), 0);
        }
        self.in_flight[slot] = hash;
    }

    /// What the response of request `id` was tailored for.
    pub(super) fn response(&self, id: RequestId) -> u64 {
        self.in_flight.get(id.index()).copied().unwrap_or(0)
    }

    /// `cache` stored request `id`'s response under `key`.
    pub(super) fn stored(&mut self, cache: CacheIdx, key: CacheKey, id: RequestId) {
        let hash = self.response(id);
        self.copies[cache.index()].insert(key, hash);
    }

    /// What the copy `cache` holds under `key` was tailored for (0 for a
    /// copy stored before anything was known of it, which cannot happen in a
    /// run that follows tailoring from its start).
    pub(super) fn copy(&self, cache: CacheIdx, key: CacheKey) -> u64 {
        self.copies[cache.index()].get(&key).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_and_responses_remember_their_hash() {
        let mut t = Tailoring::new(&[4, 4]);
        let (a, b) = (RequestId::from_index(0), RequestId::from_index(9));
        t.set_response(a, 7);
        t.set_response(b, 11);
        assert_eq!((t.response(a), t.response(b)), (7, 11));
        t.stored(CacheIdx::new(1), 42, b);
        assert_eq!(t.copy(CacheIdx::new(1), 42), 11);
        assert_eq!(t.copy(CacheIdx::new(0), 42), 0, "each cache has its own copies");
        t.set_response(b, 3);
        t.stored(CacheIdx::new(1), 42, b);
        assert_eq!(t.copy(CacheIdx::new(1), 42), 3, "a new copy replaces the old");
    }
}
