//! A viewer request reaches its edge location: the route of caches it will
//! pass, the viewer's leg, and the edge-hit fast path that answers a hit at
//! once without a slot in the pool.

use super::down::record_encoding;
use super::ids::LevelIdx;
use super::observer::RequestObserver;
use super::request::{Ask, Level, OriginAttempt, Request, Route, ViewerLeg, body_bytes, half};
use super::state::{Engine, Source};
use crate::cache::{Entry, Lookup, PrefetchStep, Stored};
use crate::cdn::traffic::{ObjectFacts, ViewerRequest};
use crate::metrics::{DetailedResultType, Outcome, ResultType, ServedBy};
use crate::policy::cache_key::{self, cache_key};
use crate::policy::compression::Encoding;
use crate::policy::connection;
use crate::policy::origin_request;
use crate::policy::routing::{Route as Routing, RouteInputs, route};
use crate::scenario::BehaviorSpec;
use crate::time::{SimDuration, SimTime};

/// How many requests after the next one each step of the edge lookup is
/// prefetched, when the source knows that far ahead: a step's loads have
/// a few requests' time (a few hundred nanoseconds) to arrive.
const PREFETCH_STEPS: [(usize, PrefetchStep); 3] =
    [(6, PrefetchStep::Index), (3, PrefetchStep::Entry), (1, PrefetchStep::Neighbours)];

impl<O: RequestObserver> Engine<'_, O> {
    /// Keeps exactly one arrival pending: generating them lazily keeps the
    /// queue short, which is what makes the heap fast.
    pub(super) fn schedule_next_arrival(&mut self) {
        let next = match &mut self.source {
            Source::Given(source) => source.next_request(self.catalog.owned_mut()),
            Source::Inbox { requests, .. } => requests.pop_front(),
        };
        self.next_viewer = next.map(|(at, viewer)| {
            debug_assert!(at >= self.now, "a request source went back in time");
            (at.max(self.now), viewer)
        });
        // The edge lookup's chain of loads, one link every few requests
        // (see `PrefetchStep`), when the source knows requests that far
        // ahead; else the next request's bucket, one request ahead. The
        // hints name the path's key: a request whose key holds more (known
        // only once its behavior is read, at arrival) wastes its hint, which
        // changes nothing else.
        let mut reads_ahead = false;
        for (distance, step) in PREFETCH_STEPS {
            if let Some((edge, object, method)) = self.source.peek_ahead(distance) {
                reads_ahead = true;
                if self.prefetch_hints {
                    let key = cache_key(object, method, None);
                    self.caches[self.network.edge_cache(edge)].cache.prefetch(key, step);
                }
            }
        }
        if let Some((_, viewer)) = self.next_viewer
            && !reads_ahead
        {
            self.catalog.prefetch(viewer.object);
            if self.prefetch_hints {
                let edge = self.network.edge_cache(viewer.edge);
                self.caches[edge].cache.prefetch(cache_key(viewer.object, viewer.method, None), PrefetchStep::Index);
            }
        }
    }

    pub(super) fn on_arrival(&mut self) {
        let (_, viewer) = self.next_viewer.take().expect("an Arrival event always has its request");
        if let Some(direct) = viewer.direct {
            self.on_direct_request(direct);
            self.schedule_next_arrival();
            return;
        }
        let facts = viewer.object_facts.unwrap_or_else(|| self.catalog.facts_of(viewer.object));
        let scenario = self.scenario;
        let behavior = &scenario.distribution.behaviors[facts.behavior];
        let mut route = self.route_of(&viewer, behavior);
        // Arrivals are generated at the edge (a Poisson process there is as
        // good a model as one at the viewers), so the viewer sent the request
        // half a round trip earlier. This saves an event per request, which
        // for edge hits is half of all events.
        route[LevelIdx::EDGE].half_rtt_us = half(self.network.sample_viewer_rtt(viewer.population as usize));
        let ask = self.ask_of(&viewer, facts, route[LevelIdx::EDGE].half_rtt_us);
        // A range GET takes a way of its own (out of line: other requests,
        // and runs without ranges, pay one test here).
        if self.ranges.is_some()
            && let Some(range) = self.range_of(&viewer, facts)
        {
            // A range GET rides a viewer connection like any request.
            if self.connections.is_some() {
                let half_rtt_us = route[LevelIdx::EDGE].half_rtt_us;
                route.viewer =
                    self.viewer_connection(ask.class(), ask.edge(), ask.https, ask.measured, half_rtt_us, false);
            }
            self.start_range_get(ask, route, behavior.origin, range);
            return;
        }
        self.requests_started += 1;
        self.schedule_next_arrival();
        // When nothing stands between the viewer and the edge cache (the
        // checks of `on_at_level` at the edge would all pass), look it up
        // first: a hit is answered and recorded at once and needs no slot.
        // Viewer-facing edge functions run before the lookup and before the
        // response leaves: such a request takes the general path.
        let edge = route[LevelIdx::EDGE];
        let edge_lookup = (edge.caching
            && !self.observer.active()
            && self.edge_lets_through(&ask, behavior)
            && self.functions.as_ref().is_none_or(|f| !f.has_viewer_functions(facts.behavior)))
        .then(|| self.caches[edge.cache].cache.lookup(ask.key, self.now));
        if let Some(Lookup::Fresh(Entry { stored: Stored::Object(_), .. })) = edge_lookup {
            self.answer_edge_hit(&ask, &edge);
            return;
        }
        let attempt = OriginAttempt::primary(behavior.origin as u16);
        let id = self.requests.allocate(|| Request::new(ask, route, attempt));
        if let Some(ranges) = &mut self.ranges {
            ranges.set(id, None);
        }
        // The viewer's connection is drawn here, and for an edge hit in
        // `answer_edge_hit`: once per arrival on either path, and nowhere
        // near the route's construction, which stays as it was.
        if self.connections.is_some() {
            let viewer =
                self.viewer_connection(ask.class(), ask.edge(), ask.https, ask.measured, edge.half_rtt_us, false);
            self.requests[id].route.viewer = viewer;
        }
        match edge_lookup {
            Some(lookup) => self.on_lookup(id, LevelIdx::EDGE, lookup),
            None => self.on_at_level(id, LevelIdx::EDGE),
        }
    }

    /// The caches the request passes, as `policy::routing` decides, with
    /// the origin's Origin Shield on top when it has one. (Inlined: every
    /// request builds one, and built in place it is not copied.)
    #[inline(always)]
    pub(super) fn route_of(&self, viewer: &ViewerRequest, behavior: &BehaviorSpec) -> Route {
        let origin = behavior.origin;
        let routing = route(RouteInputs {
            method: viewer.method,
            cached_methods: behavior.cached_methods,
            caching_disabled: behavior.ttl.caching_disabled() || !cache_key::caches(&behavior.cache_key),
            s3_origin_in_edge_region: self.network.s3_origin_local(viewer.edge, origin),
        });
        let caching = matches!(routing, Routing::Cached { .. });
        let mut route = Route::at_edge(Level::new(self.network.edge_cache(viewer.edge), caching, false));
        let regional = self.network.own_regional(viewer.edge);
        let via_regional = matches!(routing, Routing::Cached { via_regional: true });
        if via_regional {
            route.push(Level::new(self.network.regional_cache(regional), true, false));
        }
        // Every request to an origin with Origin Shield passes through it; it
        // caches only what the route caches (DG-shield). A request whose own
        // regional cache is the shield gets no extra hop.
        if let Some(shield) = self.scenario.origins[origin].origin_shield
            && !(via_regional && shield == regional)
        {
            route.push(Level::new(self.network.regional_cache(shield), caching, true));
        }
        route
    }

    /// What the viewer asked, when it sent it, and whether it is measured;
    /// counts the viewer leg's scheme, and the arrival at its population
    /// when the run counts populations.
    fn ask_of(&mut self, viewer: &ViewerRequest, facts: ObjectFacts, viewer_half_rtt_us: u32) -> Ask {
        let start = SimTime(self.now.0.saturating_sub(viewer_half_rtt_us as u64));
        let measured = self.metrics.measures(start);
        if measured {
            let stats = &mut self.metrics.protocol;
            stats.viewer_https += viewer.https as u64;
            stats.viewer_http += !viewer.https as u64;
            if self.metrics.populations.is_some() {
                self.count_population(viewer.population, viewer_half_rtt_us);
            }
        }
        // The key is worked out once, here (a replayed log's request comes
        // with its variant). With no behavior keying more than the path
        // (`keys_vary` false), no plan is even read. A viewer-request
        // function's transforms are folded into the plan, but for those that
        // change the request's ids (sorting, lower-casing).
        let variant = match viewer.traced_variant {
            Some(traced) => Some(traced.get()),
            None if self.rules.keys_vary => {
                let key = &self.rules.caching(facts.behavior, viewer.class).key;
                match self.rules.viewer_transform(facts.behavior, viewer.class).and_then(|t| t.rewrite.as_ref()) {
                    None => cache_key::variant(key, &viewer.attributes),
                    Some(rewrite) => cache_key::variant(key, &rewrite.apply(&viewer.attributes)),
                }
            }
            None => None,
        };
        // The encoding too, once: only when some behavior compresses.
        let (encoding, copy_bytes) = if self.rules.compresses {
            let plan = self.rules.compression(facts.behavior, viewer.class);
            let encoding = plan.encoding(viewer.attributes.accept_encoding(), facts.size_bytes);
            (encoding, plan.encoded_bytes(encoding, facts.size_bytes))
        } else {
            (Encoding::Identity, facts.size_bytes)
        };
        Ask {
            start,
            arrived: self.now,
            object: viewer.object,
            key: cache_key(viewer.object, viewer.method, variant),
            size_bytes: facts.size_bytes,
            copy_bytes,
            encoding,
            class: viewer.class as u16,
            behavior: facts.behavior as u8,
            edge: viewer.edge as u16,
            geo_refused: self.geo_refused.as_ref().is_some_and(|refused| refused[viewer.population as usize]),
            method: viewer.method,
            https: viewer.https,
            measured,
            session: viewer.session,
            logged_result: viewer.logged_result,
            logged_signature: viewer.logged_signature,
            attributes: viewer.attributes,
        }
    }

    /// Counts a measured arrival from `population` and its viewer round
    /// trip. (Out of line: runs without populations of their own never call
    /// it.)
    #[inline(never)]
    fn count_population(&mut self, population: u16, viewer_half_rtt_us: u32) {
        let stats = &mut self.metrics.populations.as_mut().expect("checked by the caller")[population as usize];
        stats.requests += 1;
        stats.viewer_rtt_sum_us += 2 * viewer_half_rtt_us as u64;
    }

    /// Draws a viewer request's connection (`engine/connections.rs`) and
    /// counts it at its edge: its HTTP version, and the round trips it spent
    /// opening a new connection (`policy::connection`), 0 on a reused one.
    /// A request that follows a redirect to HTTPS passes `must_open`: it
    /// comes back on a new connection. (Kept out of line: runs without
    /// connections never call it, and `on_arrival` stays as small as it was.)
    #[inline(never)]
    pub(super) fn viewer_connection(
        &mut self,
        class: usize,
        edge: usize,
        https: bool,
        measured: bool,
        viewer_half_rtt_us: u32,
        must_open: bool,
    ) -> ViewerLeg {
        let Some(connections) = &mut self.connections else { return ViewerLeg::default() };
        let drawn = connections.viewer_connection(class);
        let opens = drawn.opens || must_open;
        let rtts = if opens {
            connection::viewer_handshake_round_trips(drawn.version, https, connections.viewer_tls)
        } else {
            0
        };
        if measured && let Some(stats) = &mut self.metrics.connections {
            let spoken = connection::negotiated(drawn.version, https).index();
            let counts = &mut stats.viewer[edge];
            counts.opened[spoken] += opens as u64;
            counts.reused[spoken] += !opens as u64;
            counts.handshake_us += rtts as u64 * 2 * viewer_half_rtt_us as u64;
        }
        ViewerLeg { http: Some(drawn.version), handshake_rtts: rtts }
    }

    /// A fresh copy at the edge, found before the request took a slot: the
    /// response leaves at once, one viewer round trip after it was sent.
    fn answer_edge_hit(&mut self, ask: &Ask, edge: &Level) {
        let viewer = match self.connections.is_some() {
            false => ViewerLeg::default(),
            true => self.viewer_connection(ask.class(), ask.edge(), ask.https, ask.measured, edge.half_rtt_us, false),
        };
        if !ask.measured {
            return;
        }
        self.count_hit(edge, ask.copy_bytes);
        self.note_lookup(edge, LevelIdx::EDGE, ask.key, ask.behavior());
        if let Some(tailoring) = &self.tailoring {
            let plan = self.rules.caching(ask.behavior(), ask.class()).forward;
            if plan.may_be_mistailored()
                && origin_request::tailored_for(&plan, &ask.attributes) != tailoring.copy(edge.cache, ask.key)
            {
                self.metrics.behaviors[ask.behavior()].mistailored += 1;
            }
        }
        let viewer_half = SimDuration(edge.half_rtt_us as u64);
        let outcome = Outcome {
            start: ask.start,
            latency: viewer.latency(SimDuration::ZERO, viewer_half + viewer_half),
            method: ask.method,
            edge: ask.edge(),
            https: ask.https,
            behavior: ask.behavior(),
            status: 200,
            body_bytes: body_bytes(ask.method, 200, ask.copy_bytes),
            served_by: ServedBy::Edge,
            result: ResultType::Hit,
            detailed: DetailedResultType::Hit,
        };
        self.record_response(&outcome, ask.logged_result);
        record_encoding(&mut self.metrics.compression, ask, 200);
    }
}
