//! `stale-while-revalidate`: a request that finds an expired copy within
//! its window is answered from it at once (`policy::freshness`), and the
//! copy is refreshed by one background fetch per key and cache: a request
//! of its own, copied from the viewer's, that goes up from that cache like
//! any fetch and ends there on its way down, answering no viewer.

use super::ids::{LevelIdx, RequestId};
use super::observer::RequestObserver;
use super::request::{Member, Request};
use super::state::{Engine, Fetch};
use crate::cache::{Entry, Stored};
use crate::policy::freshness;

impl<O: RequestObserver> Engine<'_, O> {
    /// Answers request `id` at `level` from the expired copy `entry` when
    /// the class's `stale-while-revalidate` window still covers it, starting
    /// the background fetch unless one of the key is under way at this
    /// cache. Returns false, doing nothing, when the request must go up.
    pub(super) fn serves_while_revalidating(&mut self, id: RequestId, level: LevelIdx, entry: Entry) -> bool {
        let r = &self.requests[id];
        let Some(window) = self.caching_rule(r).stale_while_revalidate else { return false };
        // An expired error is fetched again; a failed-over request takes
        // no part in fetches at the secondary's caches (as in `on_miss`).
        let Stored::Object(version) = entry.stored else { return false };
        if r.attempt.member == Member::Secondary
            || !freshness::serves_while_revalidating(entry.expires_at, window, self.now)
        {
            return false;
        }
        let (key, lvl) = (r.ask.key, r.route[level]);
        if !self.caches[lvl.cache].in_flight.contains_key(&key) {
            let background = self.background_request(id, level, version);
            let id = self.requests.allocate(|| background);
            if let Some(ranges) = &mut self.ranges {
                ranges.set(id, None);
            }
            self.caches[lvl.cache].in_flight.insert(key, Fetch { leader: id, level });
            if background.ask.measured {
                self.tier_stats(&lvl).background_revalidations += 1;
            }
            self.forward(id, level);
        }
        self.answer_from_cache(id, level, entry);
        true
    }

    /// The background fetch for the copy (at `version`) that request `id`
    /// found expired at `level`: the viewer's request as it stands there,
    /// holding no waiters, revalidating the copy.
    fn background_request(&self, id: RequestId, level: LevelIdx, version: crate::cache::Version) -> Request {
        let r = &self.requests[id];
        let mut route = r.route;
        route.start_background_at(level);
        for below in 0..=level.index() {
            route[LevelIdx::new(below)].waiters = None;
        }
        route[level].stale_version = Some(version);
        Request::new(r.ask, route, r.attempt)
    }
}
