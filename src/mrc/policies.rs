//! Every (policy, size) pair simulated side by side: one cache each, made by
//! `cache::new_cache` and driven as a replay drives its one cache (a lookup;
//! on a miss, an insert of the request's size; nothing expires), fed the same
//! chunk of requests in parallel. Each cache sees the requests in trace order
//! whichever thread runs it, so the counts do not depend on the threads.

use super::curve::Row;
use crate::cache::{Cache, Entry, Lookup, Stored, Version, new_cache};
use crate::scenario::EvictionPolicy;
use crate::time::SimTime;
use rayon::prelude::*;

/// One request as the caches see it.
#[derive(Clone, Copy, Debug)]
pub struct Request {
    pub object: u32,
    pub size_bytes: u64,
}

/// One simulated cache and its counts.
struct Simulated {
    policy: EvictionPolicy,
    size_bytes: u64,
    cache: Box<dyn Cache>,
    requests: u64,
    misses: u64,
    bytes: u64,
    miss_bytes: u64,
}

impl Simulated {
    fn run(&mut self, chunk: &[Request]) {
        // Never stale: a replay without a TTL keeps objects for a century,
        // which no trace outlasts; here time does not pass at all.
        let now = SimTime::ZERO;
        for r in chunk {
            let key = r.object as u64;
            self.requests += 1;
            self.bytes += r.size_bytes;
            match self.cache.lookup(key, now) {
                Lookup::Fresh(_) => {}
                Lookup::Miss | Lookup::Stale(_) => {
                    self.misses += 1;
                    self.miss_bytes += r.size_bytes;
                    // Too large for the cache: not stored, as in a replay.
                    let entry = Entry {
                        size_bytes: r.size_bytes,
                        expires_at: SimTime::MAX,
                        stored: Stored::Object(Version::FIRST),
                    };
                    let _ = self.cache.insert(key, entry);
                }
            }
        }
    }
}

/// The caches of every (policy, size) pair.
pub struct Policies {
    caches: Vec<Simulated>,
}

impl Policies {
    /// A cache for each of `policies` at each of `sizes`, in that order.
    pub fn new(policies: &[EvictionPolicy], sizes: &[u64]) -> Policies {
        let caches = policies
            .iter()
            .flat_map(|&policy| sizes.iter().map(move |&size_bytes| (policy, size_bytes)))
            .map(|(policy, size_bytes)| Simulated {
                policy,
                size_bytes,
                cache: new_cache(policy, size_bytes, 1 << 10),
                requests: 0,
                misses: 0,
                bytes: 0,
                miss_bytes: 0,
            })
            .collect();
        Policies { caches }
    }

    pub fn is_empty(&self) -> bool {
        self.caches.is_empty()
    }

    /// Feeds `chunk` to every cache, in parallel on the current rayon pool.
    pub fn run(&mut self, chunk: &[Request]) {
        self.caches.par_iter_mut().with_max_len(1).for_each(|c| c.run(chunk));
    }

    /// One row per (policy, size), in the order given to `new`.
    pub fn rows(&self) -> Vec<Row> {
        self.caches
            .iter()
            .map(|c| Row::new(c.policy.name(), c.size_bytes, c.requests, c.misses, c.bytes, c.miss_bytes))
            .collect()
    }
}
