//! A request at one cache on its route: the lookup, then an answer from a
//! fresh copy, or a wait on a fetch of the same object already under way
//! (collapsing), or the trip on up to the next level or the origin.

use super::ids::{CacheIdx, LevelIdx, RequestId};
use super::network::Node;
use super::observer::RequestObserver;
use super::request::{Level, Member, half};
use super::state::{Engine, Fetch, tier_index};
use crate::cache::{CacheKey, Entry, Lookup, Stored};
use crate::policy::cache_key::{self, cache_key};
use crate::policy::origin_request;
use crate::time::SimDuration;

impl<O: RequestObserver> Engine<'_, O> {
    pub(super) fn on_at_level(&mut self, id: RequestId, level: LevelIdx) {
        if level.is_edge() && (!self.edge_admits(id) || self.starts_viewer_request(id)) {
            return;
        }
        self.at_cache(id, level);
    }

    /// The request is looked up at `level` (or passes through it), the
    /// edge's checks and functions behind it.
    pub(super) fn at_cache(&mut self, id: RequestId, level: LevelIdx) {
        let lvl = self.requests[id].route[level];
        if lvl.shield_role && self.requests[id].ask.measured {
            self.count_shield_request(id, level);
        }
        if self.is_ranged(id) {
            self.range_at_cache(id, level);
            return;
        }
        let r = &self.requests[id];
        let (key, lvl) = (r.ask.key, r.route[level]);
        if !lvl.caching {
            if r.ask.measured {
                self.tier_stats(&lvl).passed_through += 1;
            }
            self.forward(id, level);
            return;
        }
        let lookup = self.caches[lvl.cache].cache.lookup(key, self.now);
        self.on_lookup(id, level, lookup);
    }

    /// A measured request reaches an Origin Shield: it is charged there
    /// unless a cacheable request comes from the shield's own Region
    /// (`policy::usage::origin_shield_charged`). Out of line: only requests
    /// on their way past an Origin Shield pay for the call.
    #[inline(never)]
    fn count_shield_request(&mut self, id: RequestId, level: LevelIdx) {
        let route = &self.requests[id].route;
        let (shield, below) = (route[level], route[level.below().expect("a shield sits above the edge")]);
        let regional = self.network.regional_index(shield.cache);
        self.metrics.usage.record_shield_request(regional, shield.cache.index(), below.cache.index(), shield.caching);
    }

    /// What the cache at `level` found for the request: answer it, or send it
    /// on up (or let it wait on a fetch under way).
    pub(super) fn on_lookup(&mut self, id: RequestId, level: LevelIdx, lookup: Lookup) {
        match lookup {
            Lookup::Fresh(entry) => self.answer_from_cache(id, level, entry),
            Lookup::Stale(entry) => {
                if !(self.rules.revalidates_in_background && self.serves_while_revalidating(id, level, entry)) {
                    self.on_miss(id, level, lookup);
                }
            }
            Lookup::Miss => self.on_miss(id, level, lookup),
        }
    }

    /// A fresh copy answers: the object, or the error cached in its place
    /// (which answers until it expires, reference §6.6).
    pub(super) fn answer_from_cache(&mut self, id: RequestId, level: LevelIdx, entry: Entry) {
        let r = &self.requests[id];
        let (measured, copy_bytes, lvl) = (r.ask.measured, r.ask.copy_bytes, r.route[level]);
        let served_by = self.tier_of(&lvl, level);
        if measured {
            let (key, behavior) = (r.ask.key, r.ask.behavior());
            self.note_keys_looked_up(id, &lvl, level, key, behavior);
        }
        match entry.stored {
            Stored::Error { status } => {
                if measured {
                    let stats = self.tier_stats(&lvl);
                    stats.lookups += 1;
                    stats.errors_served += 1;
                    if let Some(errors) = &mut self.metrics.errors {
                        errors.code(status).from_cache += 1;
                    }
                }
                self.requests[id].response.answer(status, None, served_by);
                // The caches below learn how long this one keeps it.
                if let Some(headers) = &mut self.error_headers {
                    headers.kept(id, entry.expires_at);
                }
            }
            Stored::Object(version) => {
                if measured {
                    self.count_hit(&lvl, copy_bytes);
                }
                if let Some(tailoring) = &mut self.tailoring {
                    let copy = tailoring.copy(lvl.cache, self.requests[id].ask.key);
                    tailoring.set_response(id, copy);
                    self.count_if_mistailored(id, copy);
                }
                self.requests[id].response.answer(200, Some(version), served_by);
                self.set_body_for_level_below(id, level);
            }
        }
        self.send_down(id, level);
    }

    /// An expired copy or none: the request waits on a fetch under way here,
    /// or goes on up (leading this cache's fetch when misses collapse).
    fn on_miss(&mut self, id: RequestId, level: LevelIdx, lookup: Lookup) {
        // An expired error is fetched again, not revalidated.
        if let Lookup::Stale(Entry { stored: Stored::Object(version), .. }) = lookup {
            self.requests[id].route[level].stale_version = Some(version);
        }
        let r = &self.requests[id];
        let (measured, key, lvl, behavior) = (r.ask.measured, r.ask.key, r.route[level], r.ask.behavior());
        let failed_over = r.attempt.member == Member::Secondary;
        let collapse = self.rules.collapse && self.caching_rule(r).collapsible;
        let in_flight = &mut self.caches[lvl.cache].in_flight;
        let under_way = if collapse { in_flight.get(&key).copied() } else { None };
        // A failed-over request looks up the secondary's shield on its way to
        // the secondary, and never waits on a fetch under way there: that
        // fetch may be waiting, one tier below, on this very request (an edge
        // in the secondary shield's Region whose route goes on to the
        // primary's shield), and neither would ever be answered. It fetches on
        // its own and leads the cache's fetch if there is none. (The
        // Developer Guide is silent on collapsing across origin-group members.)
        let fetch = under_way.filter(|_| !failed_over);
        if collapse && under_way.is_none() {
            in_flight.insert(key, Fetch { leader: id, level });
        }
        if measured {
            let stats = self.tier_stats(&lvl);
            stats.lookups += 1;
            match (lookup, fetch) {
                (_, Some(_)) => stats.collapsed += 1,
                (Lookup::Stale(_), None) => stats.stale += 1,
                _ => stats.misses += 1,
            }
            if fetch.is_none() {
                self.count_fetching_miss(&lvl, key, behavior);
            }
            self.note_keys_looked_up(id, &lvl, level, key, behavior);
        }
        match fetch {
            Some(fetch) => self.join(id, fetch, lvl.cache),
            None => self.forward(id, level),
        }
    }

    /// The request waits on a fetch already under way at `cache`; its
    /// response serves this request too (`on_down` answers the waiters).
    fn join(&mut self, id: RequestId, fetch: Fetch, cache: CacheIdx) {
        let leading = &mut self.requests[fetch.leader].route[fetch.level];
        debug_assert_eq!(leading.cache, cache, "a fetch names the leader's level at its cache");
        let next = leading.waiters.replace(id);
        self.requests[id].start_waiting(next);
    }

    /// Sends a request from `level` to the next level up, or to the origin.
    pub(super) fn forward(&mut self, id: RequestId, level: LevelIdx) {
        let r = &mut self.requests[id];
        let below = level.below().and_then(|below| r.route[below].validator);
        let lvl = &mut r.route[level];
        lvl.validator = lvl.stale_version.or(below);
        let cache = lvl.cache;
        let (edge, origin) = (r.ask.edge(), r.attempt.origin());
        let above = r.route.above(level).map(|above| (above, r.route[above].cache));
        let from = self.network.node_of(cache);
        match above {
            Some((above, above_cache)) => {
                let to = Node::Regional(self.network.regional_index(above_cache));
                let half_rtt_us = half(self.network.sample_hop(from, to, edge));
                self.requests[id].route[above].half_rtt_us = half_rtt_us;
                let at = self.now + SimDuration(half_rtt_us as u64);
                self.arrive_at_level(at, id, above);
            }
            None => {
                let half_rtt_us = half(self.network.sample_hop(from, Node::Origin(origin), edge));
                if let Some(leaves_at) = self.after_origin_request(id, cache) {
                    self.send_to_origin(id, cache, half_rtt_us, leaves_at);
                }
            }
        }
    }

    /// Counts a measured request answered with a copy tailored for `copy`
    /// that is not what the request's own values would have the origin
    /// tailor (`policy::origin_request::tailored_for`). Only viewers are
    /// answered: a background revalidation meeting a copy above, or
    /// collapsing onto a fetch there, answers nobody (its viewer was
    /// answered, and counted, from the expired copy below).
    pub(super) fn count_if_mistailored(&mut self, id: RequestId, copy: u64) {
        let r = &self.requests[id];
        let plan = self.caching_rule(r).forward;
        if r.ask.measured
            && plan.may_be_mistailored()
            && origin_request::tailored_for(&plan, &r.ask.attributes) != copy
            && !r.route.is_background()
            && self.is_viewer_request(id)
        {
            self.metrics.behaviors[r.ask.behavior()].mistailored += 1;
        }
    }

    /// Counts a lookup answered with the object by the cache at `lvl`.
    pub(super) fn count_hit(&mut self, lvl: &Level, size_bytes: u64) {
        let stats = self.tier_stats(lvl);
        stats.lookups += 1;
        stats.hits += 1;
        stats.bytes_hit += size_bytes;
    }

    /// Counts a measured miss or revalidation at `lvl` that goes up, for
    /// its behavior, and as a fragmentation miss when another variant of the
    /// object is cached there and fresh. (Inlined: range GETs call it too,
    /// and every miss would otherwise pay a call.)
    #[inline(always)]
    pub(super) fn count_fetching_miss(&mut self, lvl: &Level, key: CacheKey, behavior: usize) {
        self.metrics.behaviors[behavior].fetching_misses += 1;
        if self.variants.as_ref().is_some_and(|v| v.another_fresh(lvl.cache, key, self.now)) {
            self.tier_stats(lvl).fragmentation_misses += 1;
            self.metrics.behaviors[behavior].fragmentation_misses += 1;
        }
    }

    /// Notes the key a measured lookup asked for, when keys are followed
    /// (`note_lookup`), and at the edge the key it would have had without
    /// its viewer-request function's transforms; not for a page fetch,
    /// which is no request of its behavior's.
    #[inline(always)]
    fn note_keys_looked_up(&mut self, id: RequestId, lvl: &Level, level: LevelIdx, key: CacheKey, behavior: usize) {
        if self.variants.is_none() || !self.is_viewer_request(id) {
            return;
        }
        self.note_lookup(lvl, level, key, behavior);
        if level.is_edge() {
            self.note_untransformed_lookup(id);
        }
    }

    /// At the edge, for a request whose viewer-request function transforms
    /// it, counts the key it would have had without (when keys are followed).
    /// (The check that most runs stop at is inlined; the rest is not.)
    #[inline(always)]
    pub(super) fn note_untransformed_lookup(&mut self, id: RequestId) {
        if self.variants.is_some() && self.rules.transforms_any() {
            self.count_untransformed_key(id);
        }
    }

    #[inline(never)]
    fn count_untransformed_key(&mut self, id: RequestId) {
        let Some(variants) = &mut self.variants else { return };
        let ask = &self.requests[id].ask;
        let Some(t) = self.rules.viewer_transform(ask.behavior(), ask.class()) else { return };
        let key = cache_key(ask.object, ask.method, cache_key::variant(&t.plain_key, &ask.attributes));
        variants.looked_up_untransformed(ask.behavior(), key);
    }

    /// Notes a measured lookup of `key` at `lvl` (`level` on the route) by a
    /// request of `behavior`, when keys vary: its distinct keys are reported.
    #[inline]
    pub(super) fn note_lookup(&mut self, lvl: &Level, level: LevelIdx, key: CacheKey, behavior: usize) {
        if let Some(variants) = &mut self.variants {
            let tier = tier_index(&self.metrics, &self.network, lvl);
            variants.looked_up(tier, level.is_edge().then_some(behavior), key);
        }
    }
}
