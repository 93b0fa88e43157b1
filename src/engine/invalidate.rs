//! The handler of an invalidation reaching a cache (the state and the
//! set-up are `invalidations.rs`).

use super::observer::RequestObserver;
use super::state::Engine;

impl<O: RequestObserver> Engine<'_, O> {
    /// An invalidation is at its cache: every key held there whose object
    /// it matches goes, and the next request for it there misses.
    pub(super) fn on_invalidation(&mut self, reach: u32) {
        let inv = self.invalidations.as_mut().expect("only scheduled when the scenario has invalidations");
        let (cache, invalidation, keys) = inv.arrive(reach);
        let tier = inv.tier(cache);
        let mut removed = 0;
        for key in keys {
            if self.caches[cache].cache.remove(key) {
                removed += 1;
                self.note_cache_change(cache, key, None);
            }
        }
        let stats = self.metrics.invalidations.as_mut().expect("built with the invalidations");
        stats.reached[invalidation][tier] += 1;
        stats.removed[invalidation][tier] += removed;
        // Arrivals come in time order: this one is the latest so far.
        stats.window[invalidation][tier] = self.now - self.scenario.invalidations[invalidation].at;
    }
}
