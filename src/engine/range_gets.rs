//! Range GETs at the caches and the origin (`policy::range`): a lookup
//! served from the whole object or the parts held, a 416 from a cache that
//! knows the length, the missing parts sent on up; storing the parts (or
//! the whole object) on the way down; the origin's 206, 200 or 416; and
//! what the viewer gets. The per-request state is `ranges.rs`'s.

use super::ids::{CacheIdx, LevelIdx, RequestId};
use super::observer::RequestObserver;
use super::ranges::RangeState;
use super::request::{Ask, OriginAttempt, Request, Route};
use super::state::Engine;
use crate::cache::{CacheKey, Entry, Lookup, Stored, Version};
use crate::cdn::traffic::{ObjectFacts, ViewerRequest};
use crate::metrics::ServedBy;
use crate::policy::cache_key::part_key;
use crate::policy::compression::Encoding;
use crate::policy::error_caching;
use crate::policy::failover::{self, OriginOutcome};
use crate::policy::range::{self, OriginRangeAnswer, Parts, ViewerRange};
use crate::policy::ttl::TtlDecision;
use crate::time::SimTime;

/// What a cache holds of an object for a range GET.
enum Held {
    /// Every part asked for, or the whole object, at this version.
    All(Version),
    /// Not all of it: these parts must come from above (`None` for an
    /// unsatisfiable range), and the version of a part or copy held, from
    /// which the cache knows the object's length.
    Missing(Option<Parts>, Option<Version>),
}

impl<O: RequestObserver> Engine<'_, O> {
    /// The `Range` header of the arriving `viewer` request, if it has one:
    /// as its source scripts it, else drawn under its class's settings.
    #[inline(never)]
    pub(super) fn range_of(&mut self, viewer: &ViewerRequest, facts: ObjectFacts) -> Option<ViewerRange> {
        let ranges = self.ranges.as_mut()?;
        match self.source.scripted_range() {
            Some(scripted) => scripted,
            None => ranges.draw(viewer.class, viewer.method, viewer.object, facts.size_bytes),
        }
    }

    /// A range GET arrives at its edge: it is served from the uncompressed
    /// object (`policy::range`), takes a slot at once (no edge-hit fast
    /// path: its lookup is of parts) and meets the edge's checks as any
    /// request; each is checked on its own, a signed URL too (reference
    /// §1.10).
    #[inline(never)]
    pub(super) fn start_range_get(&mut self, mut ask: Ask, route: Route, origin: usize, range: ViewerRange) {
        ask.encoding = Encoding::Identity;
        ask.copy_bytes = ask.size_bytes;
        self.requests_started += 1;
        self.schedule_next_arrival();
        let attempt = OriginAttempt::primary(origin as u16);
        let id = self.requests.allocate(|| Request::new(ask, route, attempt));
        self.ranges.as_mut().expect("a range GET runs with ranges").set(id, Some(range));
        self.on_at_level(id, LevelIdx::EDGE);
    }

    /// Whether request `id` is a range GET (never, in a run without ranges).
    #[inline]
    pub(super) fn is_ranged(&self, id: RequestId) -> bool {
        self.ranges.as_ref().is_some_and(|r| r.is_ranged(id))
    }

    fn range_state(&self, id: RequestId) -> RangeState {
        self.ranges.as_ref().expect("a range GET runs with ranges").state(id)
    }

    /// A range GET at the cache at `level`: served from the whole object or
    /// the parts held there, answered 416 when the range is unsatisfiable
    /// and the cache knows the length, or sent on up for the missing parts.
    pub(super) fn range_at_cache(&mut self, id: RequestId, level: LevelIdx) {
        let state = self.range_state(id);
        let asked = state.asked_at(level);
        let r = &self.requests[id];
        let (key, lvl, measured, behavior) = (r.ask.key, r.route[level], r.ask.measured, r.ask.behavior());
        if !lvl.caching {
            if measured {
                self.tier_stats(&lvl).passed_through += 1;
            }
            self.set_fetched(id, level, asked);
            self.forward(id, level);
            return;
        }
        let held = match self.held(lvl.cache, key, asked) {
            Ok(held) => held,
            // An error cached under the object's key answers the range too.
            Err(error) => {
                self.answer_from_cache(id, level, error);
                return;
            }
        };
        if measured {
            // As any lookup, under the object's key (its parts are no keys
            // of their own to the report).
            self.note_lookup(&lvl, level, key, behavior);
            if level.is_edge() {
                self.note_untransformed_lookup(id);
            }
        }
        let served_by = self.tier_of(&lvl, level);
        match (held, asked) {
            (Held::All(version), Some(parts)) => {
                if measured {
                    let size = self.requests[id].ask.size_bytes;
                    // The edge sends the viewer the range; a tier above
                    // sends the level below the parts it asked for.
                    let bytes = if level.is_edge() { state.asked_bytes() } else { range::parts_bytes(parts, size) };
                    self.count_hit(&lvl, bytes);
                }
                self.requests[id].response.answer(206, Some(version), served_by);
                self.send_down(id, level);
            }
            (Held::Missing(None, Some(_)), None) | (Held::All(_), None) => {
                // Unsatisfiable, and the cache knows the object's length.
                if measured {
                    let stats = self.tier_stats(&lvl);
                    stats.lookups += 1;
                    stats.errors_served += 1;
                    if let Some(errors) = &mut self.metrics.errors {
                        errors.code(416).from_cache += 1;
                    }
                }
                self.requests[id].response.answer(416, None, served_by);
                self.send_down(id, level);
            }
            (Held::Missing(missing, _), _) => {
                if measured {
                    let stats = self.tier_stats(&lvl);
                    stats.lookups += 1;
                    stats.misses += 1;
                    self.count_fetching_miss(&lvl, key, behavior);
                }
                self.set_fetched(id, level, missing);
                self.forward(id, level);
            }
        }
    }

    fn set_fetched(&mut self, id: RequestId, level: LevelIdx, parts: Option<Parts>) {
        let ranges = self.ranges.as_mut().expect("a range GET runs with ranges");
        ranges.state_mut(id).fetched[level.index()] = parts;
    }

    /// What `cache` holds of the object under `key` for a range asking
    /// `asked` (`None`: unsatisfiable): a fresh whole copy answers any
    /// range, else the fresh parts (an expired part counts as missing).
    /// `Err`: a fresh error is cached under the object's key.
    fn held(&mut self, cache: CacheIdx, key: CacheKey, asked: Option<Parts>) -> Result<Held, Entry> {
        let now = self.now;
        let store = &mut self.caches[cache].cache;
        match store.lookup(key, now) {
            Lookup::Fresh(Entry { stored: Stored::Object(version), .. }) => return Ok(Held::All(version)),
            Lookup::Fresh(entry) => return Err(entry),
            Lookup::Stale(_) | Lookup::Miss => {}
        }
        let mut fresh_part = |part: u32| match store.lookup(part_key(key, part), now) {
            Lookup::Fresh(Entry { stored: Stored::Object(version), .. }) => Some(version),
            _ => None,
        };
        Ok(match asked {
            // The length is known from any part; the first is looked up.
            None => Held::Missing(None, fresh_part(0)),
            Some(parts) => {
                let mut version = None;
                let missing = range::missing_parts(parts, |part| {
                    let held = fresh_part(part);
                    version = version.or(held);
                    held.is_some()
                });
                match (missing, version) {
                    (None, Some(version)) => Held::All(version),
                    (missing, version) => Held::Missing(missing.or(Some(parts)), version),
                }
            }
        })
    }

    /// Stores what a range GET's response brought to `level`: the parts it
    /// fetched (206), or the whole object (200); a 416 is not cached
    /// (`policy::range`), another error as any error is.
    pub(super) fn store_range(&mut self, id: RequestId, level: LevelIdx) {
        let r = &self.requests[id];
        let (status, version) = (r.response.status, r.response.version);
        if status == 416 {
            return;
        }
        if error_caching::is_error(status) {
            self.store_error(id, level);
            return;
        }
        let TtlDecision::Cache(ttl) = self.caching_rule(r).ttl else { return };
        let (key, cache, size) = (r.ask.key, r.route[level].cache, r.ask.size_bytes);
        let version = version.expect("a response that is no error carries its object's version");
        let expires_at = error_caching::expiry_of_copy(self.now, ttl, None);
        let object = Stored::Object(version);
        if status != 206 && status != 200 {
            return;
        }
        if status == 200 {
            let entry = Entry { size_bytes: size.max(1), expires_at, stored: object };
            let stored = self.caches[cache].cache.insert(key, entry) == crate::cache::Admission::Stored;
            self.note_cache_change(cache, key, stored.then_some(expires_at));
            return;
        }
        let parts = self.range_state(id).fetched[level.index()].expect("a 206 comes down for parts fetched");
        for part in parts.iter() {
            let part_bytes = range::parts_bytes(Parts { first: part, last: part }, size);
            let entry = Entry { size_bytes: part_bytes.max(1), expires_at, stored: object };
            let part_key = part_key(key, part);
            self.caches[cache].cache.insert(part_key, entry);
            // Parts are followed for invalidations only: the variants a
            // cache holds are whole copies.
            if let Some(invalidations) = &mut self.invalidations {
                invalidations.stored(cache, part_key);
            }
        }
    }

    /// The origin's answer to a range fetch (or CloudFront's status for a
    /// failed attempt), given at `at_origin`, starts down from the top of
    /// the route at `back`: 206 with the parts asked for, 200 with the whole
    /// object from an origin without range support, or 416; never a 304 (a
    /// range fetch sends no validator).
    pub(super) fn answer_range_from_origin(&mut self, id: RequestId, at_origin: SimTime, back: SimTime) {
        let state = self.range_state(id);
        let r = &self.requests[id];
        let (origin, measured, behavior, class, size) =
            (r.attempt.origin(), r.ask.measured, r.ask.behavior(), r.ask.class(), r.ask.size_bytes);
        match r.attempt.outcome {
            OriginOutcome::Status(status) if failover::answered(r.attempt.outcome) => {
                let version = self.catalog.version_at(r.ask.class(), r.ask.object, at_origin);
                let supports = self.ranges.as_ref().is_some_and(|g| g.supports_ranges[origin]);
                let (status, bytes) = match (status, range::origin_answer(supports, state.range)) {
                    (200, OriginRangeAnswer::Partial) => {
                        // A route that caches nothing forwards the viewer's
                        // range as it is; one that caches fetches whole parts.
                        let bytes = match state.fetched[r.route.top().index()] {
                            Some(parts) if r.route[LevelIdx::EDGE].caching => range::parts_bytes(parts, size),
                            _ => state.asked_bytes(),
                        };
                        (206, bytes)
                    }
                    (200, OriginRangeAnswer::Whole) => (200, size),
                    (200, OriginRangeAnswer::Unsatisfiable) => (416, 0),
                    // Another answer (a redirect) carries what any answer carries.
                    (status, _) => (status, size),
                };
                if measured {
                    self.metrics.origins[origin].bytes_out += bytes;
                    self.metrics.origin_bytes += bytes;
                    if let Some(stats) = &mut self.metrics.ranges {
                        stats.record_origin(behavior, class, bytes);
                    }
                }
                let response = &mut self.requests[id].response;
                response.answer(status, Some(version), ServedBy::Origin);
                response.body = true;
            }
            outcome => self.requests[id].response.answer(outcome.viewer_status(), None, ServedBy::Origin),
        }
        if let Some(headers) = &mut self.error_headers {
            let r = &self.requests[id];
            headers.origin_answered(id, origin, r.attempt.outcome, r.response.status);
        }
        let top = self.requests[id].route.top();
        self.arrive_down_at(back, id, top);
    }

    /// Counts a measured range GET leaving the edge with `body_bytes`, by
    /// its behavior and class and, when the run follows compression, as a response
    /// sent uncompressed.
    pub(super) fn record_range(&mut self, id: RequestId, body_bytes: u64) {
        let r = &self.requests[id];
        let (status, behavior, class, method) = (r.response.status, r.ask.behavior(), r.ask.class(), r.ask.method);
        let asked = self.range_state(id).asked_bytes();
        if let Some(stats) = &mut self.metrics.ranges {
            stats.record(behavior, class, status, body_bytes, asked);
        }
        if let Some(compression) = &mut self.metrics.compression
            && crate::metrics::carries_body(method, status)
        {
            compression.record(crate::policy::compression::Encoding::Identity, body_bytes, body_bytes);
        }
    }

    /// The bytes a 206 to the viewer holds, first and last, as its
    /// `Content-Range` gives them (`sc-range-start`, `sc-range-end`).
    pub(super) fn content_range(&self, id: RequestId) -> Option<(u64, u64)> {
        match (self.requests[id].response.status, self.range_state(id).range) {
            (206, ViewerRange::Bytes { first, last }) => Some((first, last)),
            _ => None,
        }
    }

    /// The body bytes a range GET's response carries to the viewer.
    pub(super) fn range_body_bytes(&self, id: RequestId) -> u64 {
        let r = &self.requests[id];
        if !crate::metrics::carries_body(r.ask.method, r.response.status) {
            return 0;
        }
        range::viewer_body_bytes(self.range_state(id).range, r.response.status, r.ask.size_bytes)
    }
}
