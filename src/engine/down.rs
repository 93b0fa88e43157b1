//! The way down: at each caching level the response is stored (as
//! `policy::ttl` and `policy::error_caching` decide), answers the requests
//! collapsed onto it there, and goes on to the level below; at the edge the
//! request finishes: it is recorded, shown to the observer, and its slot freed.

use super::error_pages::PageStep;
use super::ids::{CacheIdx, LevelIdx, RequestId};
use super::observer::{FinishedRequest, RequestObserver};
use super::request::{Ask, Request};
use super::state::Engine;
use crate::cache::{Admission, CacheKey, Entry, Stored};
use crate::metrics::{CompressionStats, DetailedResultType, Outcome, ResultType, ServedBy, carries_body};
use crate::policy::error_caching::{self, ErrorHandling, ErrorHeaders};
use crate::policy::error_pages;
use crate::policy::protocol;
use crate::policy::result_type::{self, Answer, ErrorCause, Logged};
use crate::policy::ttl::TtlDecision;
use crate::time::{SimDuration, SimTime};

impl<O: RequestObserver> Engine<'_, O> {
    /// The response reaches `level` on its way down: store it, serve the
    /// requests collapsed onto it here, and pass it on.
    pub(super) fn on_down(&mut self, id: RequestId, level: LevelIdx) {
        let lvl = self.requests[id].route[level];
        let mut holds_version = false;
        if lvl.caching {
            // An edge function's 503 is CloudFront's own answer: no cache keeps it.
            if self.requests[id].response.served_by != ServedBy::EdgeFunctionError {
                holds_version = self.store(id, level);
            }
            let key = self.requests[id].ask.key;
            let in_flight = &mut self.caches[lvl.cache].in_flight;
            if !in_flight.is_empty() && in_flight.get(&key).map(|f| f.leader) == Some(id) {
                in_flight.remove(&key);
            }
            self.answer_waiters(id, level, holds_version);
        }
        if self.requests[id].route.ends_background_at(level) {
            // A background revalidation has refreshed its cache's copy (and
            // answered whoever waited on it there): no viewer waits below.
            self.requests.free(id);
            return;
        }
        if holds_version {
            self.set_body_for_level_below(id, level);
        }
        self.send_down(id, level);
    }

    /// Answers the requests that waited on this request's fetch at `level`
    /// with its response (which storing may have turned from an error into
    /// the expired copy). They were answered by this cache's own fetch,
    /// whoever answered it: CloudFront logs requests collapsed at the edge
    /// as `Hit` (reference §6.3, request collapsing).
    fn answer_waiters(&mut self, id: RequestId, level: LevelIdx, holds_version: bool) {
        let cache = self.requests[id].route[level].cache;
        let response = self.requests[id].response;
        let mut waiter = self.requests[id].route[level].waiters.take();
        while let Some(w) = waiter {
            waiter = self.requests[w].stop_waiting();
            // Each waiter goes on down its own route, from its own level
            // for this cache, in its own role there.
            let route = &self.requests[w].route;
            let at = route.level_of(cache).expect("a waiter joined a fetch at a cache on its own route");
            let served_by = match response.served_by {
                ServedBy::EdgeFunctionError => ServedBy::EdgeFunctionError,
                _ => self.tier_of(&route[at], at),
            };
            if let (Some(tailoring), Some(_)) = (&mut self.tailoring, response.version) {
                let hash = tailoring.response(id);
                tailoring.set_response(w, hash);
                self.count_if_mistailored(w, hash);
            }
            if let Some(headers) = &mut self.error_headers {
                headers.copy(id, w);
            }
            let answer = &mut self.requests[w].response;
            answer.answer(response.status, response.version, served_by);
            answer.stale_until = response.stale_until;
            // A waiter is answered from the copy now held here; if none
            // could be kept, it gets the full response.
            if holds_version {
                self.set_body_for_level_below(w, at);
            }
            self.send_down(w, at);
        }
    }

    /// A level holding the response's version answers the level below with a
    /// 304 when that level's validator names the same version. (At the edge
    /// the flag keeps saying whether the edge itself got a 304: the viewer
    /// always gets the body.)
    pub(super) fn set_body_for_level_below(&mut self, id: RequestId, level: LevelIdx) {
        if let Some(below) = level.below() {
            let r = &mut self.requests[id];
            r.response.body = r.route[below].validator != r.response.version;
        }
    }

    /// Stores or refreshes the response at `level`; returns whether the
    /// cache there now holds the response's version.
    fn store(&mut self, id: RequestId, level: LevelIdx) -> bool {
        if self.is_ranged(id) {
            // A range GET's parts (or whole copy) hold no version a
            // validator from below could name: it sent none.
            self.store_range(id, level);
            return false;
        }
        let r = &self.requests[id];
        if error_caching::is_error(r.response.status) {
            return self.store_error(id, level);
        }
        let (key, lvl, response) = (r.ask.key, r.route[level], r.response);
        let version = response.version.expect("a response that is no error carries its object's version");
        let ttl = self.caching_rule(r).ttl;
        // The copy in the request's encoding (a 304 refreshes the stored
        // copy and compresses nothing: `policy::compression::decide`).
        let size_bytes = r.ask.copy_bytes;
        let cache = &mut self.caches[lvl.cache].cache;
        match ttl {
            TtlDecision::Cache(ttl) => {
                let expires_at = error_caching::expiry_of_copy(self.now, ttl, response.stale_until);
                if lvl.stale_version == Some(version) && cache.refresh(key, expires_at, version) {
                    self.note_cache_change(lvl.cache, key, Some(expires_at));
                    self.note_stale_deadline(id, level, response.stale_until);
                    self.answered_by_copy(id, lvl.cache, key);
                    return true;
                }
                if !response.body {
                    // A 304 for a validator from below: nothing to store here.
                    return false;
                }
                // A stored copy is at least one byte so that empty bodies
                // (OPTIONS) still occupy space and can be evicted.
                let entry = Entry { size_bytes: size_bytes.max(1), expires_at, stored: Stored::Object(version) };
                let stored = cache.insert(key, entry) == Admission::Stored;
                if stored {
                    self.note_stale_deadline(id, level, response.stale_until);
                }
                self.note_cache_change(lvl.cache, key, stored.then_some(expires_at));
                if let (true, Some(tailoring)) = (stored, &mut self.tailoring) {
                    tailoring.stored(lvl.cache, key, id);
                }
                stored
            }
            TtlDecision::DoNotCache => {
                if lvl.stale_version.is_some() {
                    cache.remove(key);
                    self.note_cache_change(lvl.cache, key, None);
                }
                false
            }
        }
    }

    /// An error response reaching a cache: served from an expired copy,
    /// stored, or passed on, as `error_caching::on_error` decides. Returns
    /// whether the cache now holds the object's version (the expired copy).
    pub(super) fn store_error(&mut self, id: RequestId, level: LevelIdx) -> bool {
        let r = &self.requests[id];
        let (key, status, measured, lvl) = (r.ask.key, r.response.status, r.ask.measured, r.route[level]);
        let distribution = &self.scenario.distribution;
        let min_ttl = error_caching::min_ttl_for(
            status,
            &distribution.custom_error_responses,
            distribution.error_caching_min_ttl,
        );
        let serve_before = match (self.caching_rule(r).stale_if_error, lvl.stale_version) {
            (Some(window), Some(_)) => self.stale_if_error_deadline(lvl.cache, key, window),
            _ => None,
        };
        let holds_copy = lvl.stale_version.is_some();
        let headers = self.error_headers.as_ref().map_or(ErrorHeaders::Silent, |h| h.headers(id, self.now));
        let mut handling = error_caching::on_error_within(status, holds_copy, serve_before, self.now, min_ttl, headers);
        let cache = &mut self.caches[lvl.cache].cache;
        if let ErrorHandling::ServeStale { until } = handling {
            let stale = lvl.stale_version.expect("only a cache that holds an expired copy serves it");
            if cache.refresh(key, until, stale) {
                self.note_cache_change(lvl.cache, key, Some(until));
                if let (Some(deadlines), Some(deadline)) = (&mut self.stale_deadlines, serve_before) {
                    deadlines.insert((lvl.cache.index() as u16, key), deadline);
                }
                self.answered_by_copy(id, lvl.cache, key);
                // A background revalidation that ends here keeps the copy
                // for the viewers to come but serves nobody now, and was
                // never counted among this tier's revalidations.
                if measured && !self.requests[id].route.ends_background_at(level) {
                    self.tier_stats(&lvl).stale_served_on_error += 1;
                }
                let served_by = self.tier_of(&lvl, level);
                let response = &mut self.requests[id].response;
                response.answer(200, Some(stale), served_by);
                response.stale_until = Some(until);
                return true;
            }
            // The copy found at lookup has been evicted since.
            handling = error_caching::on_error(status, false, self.now, min_ttl, headers);
        }
        if let ErrorHandling::Cache { until } = handling {
            if let Some(headers) = &mut self.error_headers {
                headers.kept(id, until);
            }
            // Error pages are small; a byte keeps them evictable.
            let cache = &mut self.caches[lvl.cache].cache;
            cache.insert(key, Entry { size_bytes: 1, expires_at: until, stored: Stored::Error { status } });
            self.note_cache_change(lvl.cache, key, None);
        }
        false
    }

    /// The end of the `stale-if-error` window (`window` long) of the expired
    /// copy `cache` holds under `key`: as entered when it last answered an
    /// error or came down served on error, else `window` after its expiry.
    /// `None` when the copy is gone.
    fn stale_if_error_deadline(&self, cache: CacheIdx, key: CacheKey, window: SimDuration) -> Option<SimTime> {
        let entered = self.stale_deadlines.as_ref().and_then(|d| d.get(&(cache.index() as u16, key)).copied());
        entered.or_else(|| {
            let copy = self.caches[cache].cache.peek(key)?;
            Some(error_caching::stale_if_error_deadline(copy.expires_at, window))
        })
    }

    /// After a copy is stored or refreshed at `level` for a class whose
    /// origin sends `stale-if-error`: a fresh copy forgets any deadline; a
    /// copy a tier above served on error (`stale_until`) may answer errors
    /// here no longer than it is served there.
    #[inline]
    fn note_stale_deadline(&mut self, id: RequestId, level: LevelIdx, stale_until: Option<SimTime>) {
        let Some(deadlines) = &mut self.stale_deadlines else { return };
        let r = &self.requests[id];
        if self.rules.caching(r.ask.behavior(), r.ask.class()).stale_if_error.is_none() {
            return;
        }
        let at = (r.route[level].cache.index() as u16, r.ask.key);
        match stale_until {
            Some(until) => deadlines.insert(at, until),
            None => deadlines.remove(&at),
        };
    }

    /// After a store, refresh or removal of `key` at `cache`, when keys
    /// vary: follows the variants the cache holds (`fresh_until`: until when
    /// `key` now holds a fresh copy of its object; `None`: it holds none).
    #[inline]
    pub(super) fn note_cache_change(&mut self, cache: CacheIdx, key: CacheKey, fresh_until: Option<SimTime>) {
        if let Some(invalidations) = &mut self.invalidations {
            invalidations.stored(cache, key);
        }
        if let Some(variants) = &mut self.variants {
            variants.after_change(cache, &mut *self.caches[cache].cache, key, fresh_until);
        }
    }

    /// The copy `cache` holds under `key`, refreshed, answers request `id`
    /// from here down: its response is what the copy was tailored for.
    /// (A refresh is not counted as mistailored: the 304 stands for the
    /// origin's word that the copy is current.)
    fn answered_by_copy(&mut self, id: RequestId, cache: CacheIdx, key: CacheKey) {
        if let Some(tailoring) = &mut self.tailoring {
            let copy = tailoring.copy(cache, key);
            tailoring.set_response(id, copy);
        }
    }

    /// Passes a response from `level` to the level below, or to the viewer.
    pub(super) fn send_down(&mut self, id: RequestId, level: LevelIdx) {
        match level.below() {
            None => self.finish(id),
            Some(below) => {
                let half_rtt_us = self.requests[id].route[level].half_rtt_us;
                let at = self.now + SimDuration(half_rtt_us as u64);
                self.arrive_down_at(at, id, below);
            }
        }
    }

    /// The response is ready to leave the edge for the viewer: after the
    /// viewer-response function, if the behavior runs one.
    pub(super) fn finish(&mut self, id: RequestId) {
        if self.metrics.errors.is_some() {
            match self.page_step(id) {
                PageStep::None => {}
                PageStep::Diverted => return,
                PageStep::Answered => return self.leave_edge(id),
            }
        }
        if self.starts_viewer_response(id) {
            return;
        }
        self.leave_edge(id);
    }

    /// The response leaves the edge for the viewer: record it and free the slot.
    pub(super) fn leave_edge(&mut self, id: RequestId) {
        let ranged = self.is_ranged(id);
        let by_page = self.answered_by_page(id);
        let r = &self.requests[id];
        let body_bytes = if ranged { self.range_body_bytes(id) } else { r.body_bytes() };
        let measured_or_observed = r.ask.measured || self.observer.active();
        // A custom error page answers for an error, whatever its own status:
        // logged `Error` (`policy::error_pages`). Sent under a status below
        // 400, its detail is the generic `Error` (the Guide names no value
        // of its own for it); under an error status (its `response_code`,
        // or the error its own fetch met) the detail is the error's cause,
        // as for any error. A geo-refused viewer is logged `ClientGeoBlocked`
        // either way (`policy::error_pages::page_detailed_result_type`).
        let (result, detailed) = if by_page && r.response.status < 400 {
            (error_pages::PAGE_RESULT, error_pages::page_detailed_result_type(r.ask.geo_refused))
        } else if measured_or_observed {
            result_types(r, self.edge_refused_method(r))
        } else {
            (ResultType::Hit, DetailedResultType::Hit)
        };
        if r.ask.measured {
            let viewer_half = SimDuration(r.route[LevelIdx::EDGE].half_rtt_us as u64);
            let outcome = Outcome {
                start: r.ask.start,
                latency: r.route.viewer.latency(self.now - r.ask.arrived, viewer_half + viewer_half),
                method: r.ask.method,
                edge: r.ask.edge(),
                https: r.ask.https,
                behavior: r.ask.behavior(),
                status: r.response.status,
                body_bytes,
                served_by: r.response.served_by,
                result,
                detailed,
            };
            self.record_response(&outcome, r.ask.logged_result);
            let r = &self.requests[id];
            if ranged {
                self.record_range(id, body_bytes);
            } else {
                record_encoding(&mut self.metrics.compression, &r.ask, r.response.status);
            }
        }
        if self.observer.active() {
            let r = self.requests[id];
            let range = if ranged { self.content_range(id) } else { None };
            self.observe(&r, result, detailed, body_bytes, range);
        }
        self.requests.free(id);
    }

    /// Whether the edge answered `r` itself because its behavior does not
    /// allow the method: the check after the geo restriction's and the
    /// viewer protocol's (`edge.rs`), so a viewer refused for its country,
    /// or an HTTP request an `https-only` behavior refused, is not one.
    fn edge_refused_method(&self, r: &Request) -> bool {
        if r.response.served_by != ServedBy::EdgeGenerated || r.ask.geo_refused {
            return false;
        }
        let behavior = &self.scenario.distribution.behaviors[r.ask.behavior()];
        let protocol_passed =
            protocol::viewer_decision(behavior.viewer_protocol_policy, r.ask.https) == protocol::ViewerDecision::Serve;
        protocol_passed && !behavior.allowed_methods.contains(r.ask.method)
    }

    /// Records a measured response leaving the edge for the viewer.
    pub(super) fn record_response(&mut self, outcome: &Outcome, logged: Option<Logged>) {
        if let Some(logged) = logged {
            self.compare_with_log(outcome, logged);
        }
        self.metrics.record(outcome);
    }

    /// Counts a replayed request by what its log said and what was simulated.
    /// Out of line: synthetic traffic never has a log, and the check in
    /// `record_response` stays one test of a byte on the edge-hit path.
    #[inline(never)]
    fn compare_with_log(&mut self, outcome: &Outcome, logged: Logged) {
        if let Some(result) = logged.result() {
            self.metrics.result_comparison[result.index()][outcome.result.index()] += 1;
        }
        if let Some(detailed) = logged.detailed() {
            self.metrics.detailed_comparison[detailed.index()][outcome.detailed.index()] += 1;
        }
    }

    /// Shows a finished request to the observer.
    fn observe(
        &mut self,
        r: &Request,
        result: ResultType,
        detailed: DetailedResultType,
        body_bytes: u64,
        content_range: Option<(u64, u64)>,
    ) {
        let (ask, response) = (&r.ask, &r.response);
        let class = ask.class();
        let (signed_query, signed_cookie) = match &self.signed {
            Some(signed) => signed.presented(class, ask.session),
            None => (None, None),
        };
        self.observer.on_finish(&FinishedRequest {
            arrived: ask.arrived,
            finished: self.now,
            edge: ask.edge(),
            class,
            object_in_class: self.catalog.id_in_class(class, ask.object),
            behavior: ask.behavior(),
            method: ask.method,
            https: ask.https,
            http_version: r.route.viewer.http.map(|v| crate::policy::connection::negotiated(v, ask.https)),
            session: ask.session,
            status: response.status,
            body_bytes,
            content_range,
            object_bytes: ask.copy_bytes,
            result,
            detailed,
            served_by: response.served_by,
            origin_outcome: (response.served_by == ServedBy::Origin).then_some(r.attempt.outcome),
            signed_query,
            signed_cookie,
            attributes: ask.attributes,
        });
    }
}

/// Counts a measured response by its encoding, when the run follows
/// compression (`Metrics::compression`) and the response carries a body.
#[inline]
pub(super) fn record_encoding(stats: &mut Option<CompressionStats>, ask: &Ask, status: u16) {
    if let Some(stats) = stats
        && carries_body(ask.method, status)
    {
        stats.record(ask.encoding, ask.copy_bytes, ask.size_bytes);
    }
}

/// CloudFront's `x-edge-result-type` and `x-edge-detailed-result-type` for
/// a request leaving the edge; `method_refused`: the edge answered it for
/// its method (`edge_refused_method`).
fn result_types(r: &Request, method_refused: bool) -> (ResultType, DetailedResultType) {
    // The edge's own expired copy was confirmed from upstream (a 304 to the
    // edge), or an expired copy was served because the origin failed.
    let edge = &r.route[LevelIdx::EDGE];
    let refreshed = r.response.stale_until.is_some() || (edge.stale_version.is_some() && !r.response.body);
    let answer = Answer { status: r.response.status, served_by: r.response.served_by, refreshed };
    let result = result_type::result_type(answer);
    // The attempt's outcome speaks for the response only when an origin
    // produced it; a cache's answer (a collapsed request's, too) has none.
    let cause = ErrorCause {
        origin_outcome: (r.response.served_by == ServedBy::Origin).then_some(r.attempt.outcome),
        method_refused,
        geo_refused: r.ask.geo_refused,
    };
    (result, result_type::detailed_result_type(answer, result, cause))
}
