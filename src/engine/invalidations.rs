//! Invalidations reaching caches (`[[invalidations]]`).
//!
//! Each cache (edge location, regional edge cache) gets each invalidation
//! after a propagation delay of its own, drawn at set-up from the cache's
//! own stream (`Stream::Invalidation`), so no other draw moves it. When it
//! arrives, the cache drops every key it holds whose object's path the
//! invalidation matches (`policy::invalidation::matches`); the next request
//! for it there misses. Objects stored after that are the new content.
//!
//! Removal is eager and costs nothing per request: the caches cannot list
//! their keys, so every store of a key whose object some invalidation
//! matches is remembered per cache (`tracked`, a superset of the matching
//! keys each cache holds), and an arrival walks that set. A run without
//! invalidations has no `Invalidations` at all: one `Option` test per store.
//! Objects a trace adds during the run have no class path and are matched
//! by none.

use std::collections::HashSet;

use super::event::Event;
use super::ids::CacheIdx;
use super::queue::EventQueue;
use crate::cache::CacheKey;
use crate::cdn::traffic::Catalog;
use crate::metrics::InvalidationStats;
use crate::policy::cache_key::object_of;
use crate::policy::invalidation;
use crate::rng::{Stream, stream_rng_indexed};
use crate::scenario::Scenario;
use crate::time::{SimDuration, SimTime};

/// One invalidation reaching one cache.
#[derive(Clone, Copy, Debug)]
struct Reach {
    cache: CacheIdx,
    invalidation: usize,
}

pub(super) struct Invalidations {
    /// Per invalidation: one bit per catalog object, set when a path of the
    /// invalidation matches the object's path.
    // Invariant: every set has `catalog.total_objects()` bits (rounded up).
    matching: Vec<Vec<u64>>,
    /// The union of `matching`: objects whose stores are tracked.
    any: Vec<u64>,
    /// Per cache: keys stored there whose object some invalidation matches,
    /// since the last arrival that walked them.
    // Invariant: a superset of the matching keys the cache holds.
    tracked: Vec<HashSet<CacheKey, foldhash::fast::FixedState>>,
    /// Every (cache, invalidation) arrival; `Event::Invalidation` carries
    /// its index.
    reaches: Vec<Reach>,
    /// Caches below this index are edge locations.
    n_edges: usize,
}

fn bit(set: &[u64], object: u64) -> bool {
    set.get((object / 64) as usize).is_some_and(|word| word >> (object % 64) & 1 == 1)
}

impl Invalidations {
    /// `None` for a scenario without invalidations. Schedules every arrival
    /// on `queue` and returns the counters the run fills.
    pub(super) fn build(
        scenario: &Scenario,
        seed: u64,
        catalog: &Catalog,
        queue: &mut EventQueue,
    ) -> Option<(Invalidations, InvalidationStats)> {
        if scenario.invalidations.is_empty() {
            return None;
        }
        let words = catalog.total_objects().div_ceil(64) as usize;
        let mut matching = vec![vec![0u64; words]; scenario.invalidations.len()];
        let mut path = String::new();
        for (class, spec) in scenario.traffic.classes.iter().enumerate() {
            for id in 0..spec.objects {
                spec.path_of(id, &mut path);
                let object = catalog.object_id(class, id);
                for (set, inv) in matching.iter_mut().zip(&scenario.invalidations) {
                    if inv.paths.iter().any(|p| invalidation::matches(p, &path)) {
                        set[(object / 64) as usize] |= 1 << (object % 64);
                    }
                }
            }
        }
        let mut any = vec![0u64; words];
        for set in &matching {
            for (a, w) in any.iter_mut().zip(set) {
                *a |= w;
            }
        }
        let n_edges = scenario.topology.edges.len();
        let n_caches = n_edges + scenario.topology.regional_caches.len();
        let mut reaches = Vec::with_capacity(n_caches * scenario.invalidations.len());
        for cache in 0..n_caches {
            let mut rng = stream_rng_indexed(seed, Stream::Invalidation, cache as u64);
            for (i, inv) in scenario.invalidations.iter().enumerate() {
                let delay_ms = inv.propagation_ms.sample(&mut rng).max(0.0);
                let at: SimTime = inv.at + SimDuration::from_millis_f64(delay_ms);
                queue.push(at, Event::Invalidation { reach: reaches.len() as u32 });
                reaches.push(Reach { cache: CacheIdx::new(cache), invalidation: i });
            }
        }
        let paths = scenario.invalidations.iter().map(|inv| inv.paths.len() as u64).collect();
        let stats = InvalidationStats::new(paths, [n_edges as u64, (n_caches - n_edges) as u64]);
        let tracked = (0..n_caches).map(|_| HashSet::default()).collect();
        Some((Invalidations { matching, any, tracked, reaches, n_edges }, stats))
    }

    /// The arrival `reach`: its cache, its invalidation, and the keys it
    /// removes there if the cache still holds them (sorted, so the cache
    /// sees removals in one order whatever the set's layout).
    pub(super) fn arrive(&mut self, reach: u32) -> (CacheIdx, usize, Vec<CacheKey>) {
        let Reach { cache, invalidation } = self.reaches[reach as usize];
        let set = &self.matching[invalidation];
        let tracked = &mut self.tracked[cache.index()];
        let mut keys: Vec<CacheKey> = tracked.iter().copied().filter(|&k| bit(set, object_of(k))).collect();
        keys.sort_unstable();
        for key in &keys {
            tracked.remove(key);
        }
        (cache, invalidation, keys)
    }

    /// The tier of `cache`: 0 for an edge location, 1 for a regional one.
    pub(super) fn tier(&self, cache: CacheIdx) -> usize {
        usize::from(cache.index() >= self.n_edges)
    }

    /// A key was stored (or refreshed, or dropped) at `cache`.
    pub(super) fn stored(&mut self, cache: CacheIdx, key: CacheKey) {
        if bit(&self.any, object_of(key)) {
            self.tracked[cache.index()].insert(key);
        }
    }
}
