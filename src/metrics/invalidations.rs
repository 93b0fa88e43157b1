//! What invalidations did: per invalidation and cache tier, the caches it
//! reached and the objects it removed there.

use super::merging::{add_counts, merge_each, same};
use crate::time::SimDuration;

/// Edge locations, then regional edge caches (whatever role they play).
pub const TIERS: [&str; 2] = ["edge", "regional"];

/// Counters of a run with `[[invalidations]]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InvalidationStats {
    /// Per invalidation: the paths submitted (a wildcard path is one).
    pub paths: Vec<u64>,
    /// Per tier: how many caches it has.
    pub caches: [u64; 2],
    // Invariant: reached and removed have one entry per invalidation.
    /// Per invalidation and tier: caches the invalidation has reached.
    pub reached: Vec<[u64; 2]>,
    /// Per invalidation and tier: cached objects (every key, variants and
    /// cached errors included) it removed.
    pub removed: Vec<[u64; 2]>,
    /// Per invalidation and tier: how long after its submission the last
    /// cache of the tier it has reached got it (the propagation window).
    pub window: Vec<[SimDuration; 2]>,
}

impl InvalidationStats {
    pub fn new(paths: Vec<u64>, caches: [u64; 2]) -> InvalidationStats {
        let n = paths.len();
        let window = vec![[SimDuration::ZERO; 2]; n];
        InvalidationStats { paths, caches, reached: vec![[0; 2]; n], removed: vec![[0; 2]; n], window }
    }

    /// Adds another partition's counts of the same run (`Metrics::merge`):
    /// the caches each partition's arrivals reached and the objects they
    /// removed add up; the window is the later of the two, the last cache
    /// of the tier to get the invalidation in either partition.
    pub fn merge(&mut self, other: InvalidationStats) {
        let InvalidationStats { paths, caches, reached, removed, window } = other;
        same(&self.paths, &paths, "invalidations: the paths per invalidation");
        same(&self.caches, &caches, "invalidations: the caches per tier");
        merge_each(&mut self.reached, reached, "invalidations: caches reached", add_counts);
        merge_each(&mut self.removed, removed, "invalidations: objects removed", add_counts);
        merge_each(&mut self.window, window, "invalidations: propagation windows", |mine, theirs| {
            for (w, t) in mine.iter_mut().zip(theirs) {
                *w = (*w).max(t);
            }
        });
    }

    /// Paths submitted over the run.
    pub fn paths_total(&self) -> u64 {
        self.paths.iter().sum()
    }

    /// The longest propagation window of any invalidation at any tier.
    pub fn longest_window(&self) -> SimDuration {
        self.window.iter().flatten().copied().max().unwrap_or(SimDuration::ZERO)
    }

    /// Objects removed over the run in tier `tier`.
    pub fn removed_in(&self, tier: usize) -> u64 {
        self.removed.iter().map(|r| r[tier]).sum()
    }
}
