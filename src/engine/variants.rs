//! What varied cache keys do to the caches, for a run where some behavior's
//! key settings hold more than the path (`Scenario::keys_vary`); a run
//! without has none of this and pays nothing for it.
//!
//! Per cache, how many keys (variants) of each object it holds and which of
//! them was stored freshest, followed through the cache's key events
//! (`Cache::drain_key_events`): a miss or a revalidation that another
//! variant, cached and fresh at that moment, would have answered had the key
//! held less is a *fragmentation miss*. Per tier and per behavior, the
//! distinct keys looked up, from which keys per object is reported.
//!
//! Memory, on top of the caches: a cached object (not a key) costs 32 bytes
//! of map entry, about 37 to 73 bytes with the map's spare room (it grows
//! by doubling at 7/8 full), so it stays below what the cache's own tables
//! spend on its keys (40 bytes of slot and 8 of index each); a distinct key
//! looked up costs 8 bytes, 9 to 18 with the set's room, once in its tier's
//! set and, at an edge, once in its behavior's. A cache's map and set start
//! at the size of the cache's own tables (the Origin Shield roles' and the
//! behaviors' sets small) and grow as those tables grow, by doubling; the
//! sets keep every key a run looks up, so a run of many distinct keys (a
//! session cookie in the key) holds them all until it ends.

use std::collections::{HashMap, HashSet};

use super::ids::CacheIdx;
use crate::cache::{Cache, CacheKey, KeyEvent};
use crate::metrics::{KeyCount, Metrics};
use crate::policy::cache_key::base_key;
use crate::time::SimTime;

type Fixed = foldhash::fast::FixedState;

/// What one cache holds of one object (of one base key: the object, with
/// OPTIONS counted apart).
#[derive(Clone, Copy, Debug)]
struct Held {
    // Invariant: the number of the object's keys the cache holds, above 0
    // (an object whose last key goes is removed from the map).
    variants: u32,
    /// The key last stored (or refreshed) with the latest expiry among the
    /// object's keys, and that expiry. Cleared (`SimTime::ZERO`) when that
    /// key goes or comes to hold an error.
    // Invariant: fresh_until > 0 only while the cache holds fresh_key, with
    // the object, fresh until then. So "another variant is fresh" is never
    // claimed falsely; it is missed (a miss not counted) only when the
    // freshest key was evicted while an older one stayed fresh.
    fresh_key: CacheKey,
    fresh_until: SimTime,
}

pub(super) struct Variants {
    /// Per cache (`CacheIdx`): base key -> what it holds of that object.
    held: Vec<HashMap<CacheKey, Held, Fixed>>,
    /// The last cache change's key events (reused).
    events: Vec<KeyEvent>,
    /// Distinct keys looked up: per tier (each cache, then each regional
    /// cache in its Origin Shield role), and per behavior at the edges.
    tier_keys: Vec<HashSet<CacheKey, Fixed>>,
    behavior_keys: Vec<HashSet<CacheKey, Fixed>>,
    /// Per behavior whose viewer-request function transforms the request,
    /// the keys its edge lookups would have had without the transforms.
    untransformed_keys: Vec<Option<HashSet<CacheKey, Fixed>>>,
}

impl Variants {
    /// `table_sizes` holds each cache's expected objects, the size its own
    /// tables start at: a cache's map and key set start there too. The sets
    /// of regional caches in their Origin Shield role (the last
    /// `n_regional`), and of behaviors, start small: few may see any key.
    pub(super) fn new(table_sizes: &[usize], n_regional: usize, n_behaviors: usize) -> Variants {
        const SMALL: usize = 1 << 10;
        let set = |size: usize| HashSet::with_capacity_and_hasher(size, Fixed::with_seed(0));
        let shields = std::iter::repeat_n(SMALL, n_regional);
        Variants {
            held: table_sizes.iter().map(|&n| HashMap::with_capacity_and_hasher(n, Fixed::with_seed(0))).collect(),
            events: Vec::with_capacity(64),
            tier_keys: table_sizes.iter().copied().chain(shields).map(set).collect(),
            behavior_keys: (0..n_behaviors).map(|_| set(SMALL)).collect(),
            untransformed_keys: (0..n_behaviors).map(|_| None).collect(),
        }
    }

    /// Follows what `cache` (the cache `at`) added and dropped since the
    /// last call, then what a store of `key` left there: an object fresh
    /// until `fresh_until`, or (`None`) no copy of the object (an error
    /// stored, or nothing).
    pub(super) fn after_change(
        &mut self,
        at: CacheIdx,
        cache: &mut dyn Cache,
        key: CacheKey,
        fresh_until: Option<SimTime>,
    ) {
        self.events.clear();
        cache.drain_key_events(&mut self.events);
        let held = &mut self.held[at.index()];
        for event in &self.events {
            match *event {
                KeyEvent::Added(k) => {
                    held.entry(base_key(k)).and_modify(|h| h.variants += 1).or_insert(Held {
                        variants: 1,
                        fresh_key: k,
                        fresh_until: SimTime::ZERO,
                    });
                }
                KeyEvent::Gone(k) => {
                    let base = base_key(k);
                    let h = held.get_mut(&base).expect("a key that goes was added");
                    h.variants -= 1;
                    if h.fresh_key == k {
                        h.fresh_until = SimTime::ZERO;
                    }
                    if h.variants == 0 {
                        held.remove(&base);
                    }
                }
            }
        }
        let Some(h) = held.get_mut(&base_key(key)) else { return };
        match fresh_until {
            Some(until) if until >= h.fresh_until || h.fresh_key == key => {
                h.fresh_key = key;
                h.fresh_until = until;
            }
            Some(_) => {}
            None if h.fresh_key == key => h.fresh_until = SimTime::ZERO,
            None => {}
        }
    }

    /// Whether the cache `at` holds another key of `key`'s object, fresh at
    /// `now`: a miss for `key` there is a fragmentation miss.
    pub(super) fn another_fresh(&self, at: CacheIdx, key: CacheKey, now: SimTime) -> bool {
        self.held[at.index()].get(&base_key(key)).is_some_and(|h| h.fresh_key != key && now < h.fresh_until)
    }

    /// A measured lookup of `key` at `tier` (a cache's index, or the number
    /// of caches plus a regional cache's for its Origin Shield role), by a
    /// request of `behavior` when the tier is an edge.
    pub(super) fn looked_up(&mut self, tier: usize, edge_behavior: Option<usize>, key: CacheKey) {
        self.tier_keys[tier].insert(key);
        if let Some(b) = edge_behavior {
            self.behavior_keys[b].insert(key);
        }
    }

    /// A measured edge lookup by a request of `behavior`, whose
    /// viewer-request function transformed it, counted under `key`, the
    /// key it would have had without.
    pub(super) fn looked_up_untransformed(&mut self, behavior: usize, key: CacheKey) {
        self.untransformed_keys[behavior]
            .get_or_insert_with(|| HashSet::with_capacity_and_hasher(1 << 10, Fixed::with_seed(0)))
            .insert(key);
    }

    /// Writes the distinct keys, and the distinct objects they are for,
    /// into the tiers' and behaviors' counters.
    pub(super) fn report(&self, metrics: &mut Metrics) {
        let n_caches = metrics.caches.len();
        for (i, keys) in self.tier_keys.iter().enumerate() {
            let stats = if i < n_caches { &mut metrics.caches[i] } else { &mut metrics.shield_role[i - n_caches] };
            (stats.keys_requested, stats.objects_requested) = counts(keys);
        }
        for (keys, stats) in self.behavior_keys.iter().zip(&mut metrics.behaviors) {
            (stats.keys_requested, stats.objects_requested) = counts(keys);
        }
        for (keys, stats) in self.untransformed_keys.iter().zip(&mut metrics.behaviors) {
            stats.before_transforms = keys.as_ref().map(|keys| {
                let (keys, objects) = counts(keys);
                KeyCount { keys, objects }
            });
        }
    }
}

/// Distinct keys, and distinct objects among them (base keys). The order of
/// a hash set's keys plays no part: only their number is reported.
fn counts(keys: &HashSet<CacheKey, Fixed>) -> (u64, u64) {
    let mut bases: Vec<CacheKey> = keys.iter().map(|&k| base_key(k)).collect();
    bases.sort_unstable();
    bases.dedup();
    (keys.len() as u64, bases.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::{Entry, Stored, Version, new_cache_logging_keys};
    use crate::http::Method;
    use crate::policy::cache_key::cache_key;
    use crate::scenario::EvictionPolicy;

    /// A variant hash as `policy::cache_key::variant` makes them: the key
    /// keeps its top bits.
    fn hash(n: u64) -> Option<u64> {
        Some(crate::rng::splitmix64(n))
    }

    fn object(size_bytes: u64, until: u64) -> Entry {
        Entry { size_bytes, expires_at: SimTime(until), stored: Stored::Object(Version::FIRST) }
    }

    #[test]
    fn another_fresh_variant_is_followed_through_stores_and_evictions() {
        // Room for two 10-byte entries; object 7 in variants a and b, object 8 plain.
        let mut cache = new_cache_logging_keys(EvictionPolicy::Lru, 20, 4);
        let mut v = Variants::new(&[4], 0, 1);
        let at = CacheIdx::new(0);
        let (a, b) = (cache_key(7, Method::Get, hash(1)), cache_key(7, Method::Get, hash(2)));
        let plain = cache_key(8, Method::Get, None);
        cache.insert(a, object(10, 100));
        v.after_change(at, &mut *cache, a, Some(SimTime(100)));
        assert!(v.another_fresh(at, b, SimTime(50)), "a is cached and fresh");
        assert!(!v.another_fresh(at, a, SimTime(50)), "a itself is not another variant");
        assert!(!v.another_fresh(at, b, SimTime(100)), "a expires at 100");
        cache.insert(b, object(10, 300));
        v.after_change(at, &mut *cache, b, Some(SimTime(300)));
        assert!(v.another_fresh(at, a, SimTime(200)), "b, stored later, is fresh till 300");
        // An insert of object 8 evicts a (least recently used): b stays.
        cache.insert(plain, object(10, 100));
        v.after_change(at, &mut *cache, plain, Some(SimTime(100)));
        assert_eq!(v.held[0][&base_key(a)].variants, 1);
        assert!(v.another_fresh(at, a, SimTime(200)));
        // An error stored under b: no fresh copy of object 7 is left.
        cache.insert(b, Entry { size_bytes: 1, expires_at: SimTime(400), stored: Stored::Error { status: 404 } });
        v.after_change(at, &mut *cache, b, None);
        assert!(!v.another_fresh(at, a, SimTime(200)));
        // Removed: the object leaves the map.
        cache.remove(b);
        v.after_change(at, &mut *cache, b, None);
        assert!(!v.held[0].contains_key(&base_key(a)));
        assert_eq!(v.held[0][&plain].variants, 1);
    }

    #[test]
    fn keys_and_objects_are_counted_per_tier_and_behavior() {
        let mut v = Variants::new(&[4, 4], 1, 2);
        let keys = [
            cache_key(1, Method::Get, hash(1)),
            cache_key(1, Method::Get, hash(2)),
            cache_key(1, Method::Get, hash(1)),
            cache_key(2, Method::Get, None),
            cache_key(2, Method::Options, None),
        ];
        for k in keys {
            v.looked_up(0, Some(1), k);
        }
        v.looked_up(2, None, keys[0]);
        let mut metrics = Metrics::new(2, 1, 1, 2, crate::time::SimDuration::from_secs(1), Default::default());
        v.report(&mut metrics);
        // Four keys, for object 1, object 2 and object 2's OPTIONS.
        assert_eq!((metrics.caches[0].keys_requested, metrics.caches[0].objects_requested), (4, 3));
        assert_eq!((metrics.behaviors[1].keys_requested, metrics.behaviors[1].objects_requested), (4, 3));
        assert_eq!(metrics.behaviors[0].keys_requested, 0);
        assert_eq!((metrics.shield_role[0].keys_requested, metrics.caches[1].keys_requested), (1, 0));
    }
}
