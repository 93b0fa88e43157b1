//! The discrete-event core: one clock, one event queue, seeded RNG streams,
//! and the handlers that move requests through the CloudFront hierarchy.
//!
//! `run` pops events in (time, sequence) order and hands each to one `on_*`
//! method. Handlers apply the CloudFront rules by calling the pure functions
//! of `policy`, and keep their state in tables indexed by id.
//!
//! **Invariant:** nothing here prints, reads files or the wall clock.
//! **Invariant:** the same `Scenario` and seed give the same `Report`.
//! **Invariant:** in steady state a request allocates nothing: requests live in
//! a pool whose slots are reused, and every table is sized at set-up.

pub mod event;
pub mod observer;
pub mod queue;

use crate::cache::{Cache, CacheKey, Entry, Lookup, PrefetchStep, Stored, Version, new_cache};
use crate::cdn::faults::{self, Connect};
use crate::cdn::origin_access::{self, OriginAccess};
use crate::cdn::signed::SignedTraffic;
use crate::cdn::topology::Topology;
use crate::cdn::traffic::{Catalog, RequestSource, SyntheticTraffic, ViewerRequest};
use crate::http::Method;
use crate::metrics::accounting::{self, AccountingError, RunFacts};
use crate::metrics::{Metrics, Outcome, ResultType, ServedBy};
use crate::policy::error_caching::{self, ErrorHandling};
use crate::policy::failover::{self, Failover, OriginOutcome};
use crate::policy::protocol::{self, CleartextCause, ViewerDecision};
use crate::policy::result_type::{self, Answer};
use crate::policy::routing::{Route, RouteInputs, route};
use crate::policy::ttl::{self, TtlDecision};
use crate::scenario::{OriginKind, Scenario};
use crate::signing::Rejection;
use crate::time::{SimDuration, SimTime};
use event::{Event, RequestId};
use observer::{FinishedRequest, NoObserver, RequestObserver};
use queue::EventQueue;
use rand::rngs::Xoshiro256PlusPlus;
use std::collections::{HashMap, VecDeque};

/// How far a run has got, reported every 65,536 events.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    pub requests_started: u64,
    pub now: SimTime,
}

/// The end state of one cache.
#[derive(Clone, Copy, Debug)]
pub struct CacheState {
    pub objects: usize,
    pub used_bytes: u64,
    pub capacity_bytes: u64,
    pub evictions: u64,
    pub memory_bytes: usize,
}

/// What a run produced: the measurements and a few facts about the run itself.
#[derive(Clone, Debug)]
pub struct Report {
    pub scenario: String,
    pub seed: u64,
    /// Events processed, the warm-up included.
    pub events: u64,
    /// Viewer requests simulated, the warm-up included.
    pub requests_simulated: u64,
    /// Simulated time when the last request finished.
    pub end: SimTime,
    /// Requests that never got a response: always 0 (an accounting identity).
    pub unfinished: u64,
    pub metrics: Metrics,
    /// Edge locations first, then regional edge caches.
    pub caches: Vec<CacheState>,
}

/// Runs a scenario to completion with `seed` and its synthetic traffic,
/// calling `on_progress` now and then. An error is a bug in cdnsim: the
/// run's counters do not add up (`metrics::accounting`).
pub fn run(scenario: &Scenario, seed: u64, on_progress: &mut dyn FnMut(Progress)) -> Result<Report, AccountingError> {
    let catalog = Catalog::build(scenario, seed);
    let mut traffic = SyntheticTraffic::new(scenario, seed);
    run_with(scenario, seed, catalog, &mut traffic, on_progress)
}

/// Runs a scenario with viewer requests from `source` (a trace, a script)
/// instead of its synthetic traffic.
pub fn run_with(
    scenario: &Scenario,
    seed: u64,
    catalog: Catalog,
    source: &mut dyn RequestSource,
    on_progress: &mut dyn FnMut(Progress),
) -> Result<Report, AccountingError> {
    run_engine(scenario, seed, catalog, source, NoObserver, on_progress)
}

/// `run` that also shows every finished request to `observer`.
pub fn run_observed(
    scenario: &Scenario,
    seed: u64,
    observer: &mut dyn RequestObserver,
    on_progress: &mut dyn FnMut(Progress),
) -> Result<Report, AccountingError> {
    let catalog = Catalog::build(scenario, seed);
    let mut traffic = SyntheticTraffic::new(scenario, seed);
    run_with_observer(scenario, seed, catalog, &mut traffic, observer, on_progress)
}

/// `run_with` that also shows every finished request to `observer`.
pub fn run_with_observer(
    scenario: &Scenario,
    seed: u64,
    catalog: Catalog,
    source: &mut dyn RequestSource,
    observer: &mut dyn RequestObserver,
    on_progress: &mut dyn FnMut(Progress),
) -> Result<Report, AccountingError> {
    run_engine(scenario, seed, catalog, source, observer, on_progress)
}

/// Builds and runs the engine. It is compiled once per kind of observer, so
/// that an unobserved run (`NoObserver`) has no observer code at all.
fn run_engine<'s, O: RequestObserver>(
    scenario: &'s Scenario,
    seed: u64,
    catalog: Catalog,
    source: &'s mut dyn RequestSource,
    observer: O,
    on_progress: &mut dyn FnMut(Progress),
) -> Result<Report, AccountingError> {
    let mut engine = Engine::new(scenario, seed, catalog, source, observer);
    engine.run(on_progress);
    engine.into_report()
}

/// A request whose behavior targets a single origin.
const NO_GROUP: u16 = u16::MAX;

/// Which member of an origin group a request is trying.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Attempt {
    Primary,
    Secondary,
}

/// No request: the end of a waiter list.
const NONE: u32 = u32::MAX;

/// How many requests after the next one each step of the edge lookup is
/// prefetched, when the source knows that far ahead: a step's loads have
/// a few requests' time (a few hundred nanoseconds) to arrive.
const PREFETCH_STEPS: [(usize, PrefetchStep); 3] =
    [(6, PrefetchStep::Index), (3, PrefetchStep::Entry), (1, PrefetchStep::Neighbours)];

/// The most cache levels a route has: edge, regional edge cache, the
/// primary origin's Origin Shield, and the secondary origin's after failover.
const MAX_LEVELS: usize = 4;

/// A cache on a request's route.
#[derive(Clone, Copy, Debug, Default)]
struct Level {
    /// Index into `Engine::caches`.
    cache: u16,
    /// Whether the request is looked up here, or only passes through.
    caching: bool,
    /// Whether this regional edge cache acts as the origin's Origin Shield here.
    shield_role: bool,
    /// One-way delay from the level below (or the viewer) to here.
    half_rtt_us: u32,
    /// Version of the expired copy found here, if any.
    stale_version: Option<Version>,
    /// The validator this level sent upstream: its own expired copy's
    /// version, else the one it passed on from below, else none (an
    /// unconditional request). CloudFront revalidates with the stored
    /// ETag/Last-Modified (reference §6.5); a version stands for both.
    validator: Option<Version>,
    /// Head of the list of requests collapsed onto this one here, or `NONE`.
    /// Per level, because a request leading a fetch at the edge may itself
    /// wait on another at the regional cache.
    waiters: RequestId,
}

#[derive(Clone, Copy, Debug)]
struct Request {
    /// When the viewer sent it (for measurement windows; clipped at zero).
    start: SimTime,
    /// When it reached the edge; latency is measured from here, exactly.
    arrived: SimTime,
    object: u64,
    key: CacheKey,
    size_bytes: u64,
    class: u16,
    behavior: u16,
    edge: u16,
    origin: u16,
    method: Method,
    /// Whether the viewer leg is HTTPS (after a redirect, it is).
    https: bool,
    measured: bool,
    levels: [Level; MAX_LEVELS],
    depth: u8,
    origin_half_rtt_us: u32,
    queued_at: SimTime,
    /// The response travelling back down: its status, the object version,
    /// and whether it carries the body (false: a 304 to the level it reaches).
    status: u16,
    version: Option<Version>,
    body: bool,
    served_by: ServedBy,
    /// Set when the response is an expired copy that a tier served because
    /// the origin failed: when that tier stops serving it and asks again.
    /// Every tier below keeps the copy no longer (it stays expired).
    stale_until: Option<SimTime>,
    /// The next request in the waiter list this one is in (a request waits
    /// in at most one list: it stops where it collapses).
    next_waiter: RequestId,
    /// The viewer session, for signed traffic.
    session: u32,
    /// The origin group of the behavior, or `NO_GROUP`.
    origin_group: u16,
    attempt: Attempt,
    /// When the request left CloudFront for the (primary) origin.
    sent_to_primary: SimTime,
    /// How the current origin attempt ended, from its start until `OriginDone`.
    outcome: OriginOutcome,
    /// Whether the attempt holds one of the origin's concurrency slots.
    holds_origin_slot: bool,
    /// The origin's secret header as the CloudFront location that sent the
    /// current origin attempt had it configured then (interned).
    header_value: crate::policy::origin_access::HeaderValueId,
    /// From a replayed access log: its result type, and the verdict on its signed URL.
    logged_result: Option<crate::policy::result_type::LoggedResult>,
    logged_signature: Option<Result<(), Rejection>>,
}

struct CacheNode {
    cache: Box<dyn Cache>,
    /// Object fetches under way from this cache: key -> the leading request.
    in_flight: HashMap<CacheKey, Fetch, foldhash::fast::FixedState>,
}

/// A fetch under way from one cache, which later requests for the same key
/// join instead of fetching again.
#[derive(Clone, Copy)]
struct Fetch {
    leader: RequestId,
    /// Where this cache is on the leader's route. A request that joins may
    /// have it at another level: an Origin Shield is the second level for
    /// edges in its own Region and the third for the others.
    // Invariant: requests[leader].levels[level].cache is this cache.
    level: u8,
}

struct OriginState {
    in_service: u32,
    concurrency: u32,
    queue_limit: u32,
    queue: VecDeque<RequestId>,
    latency_ms: crate::dist::Dist,
    /// The service time when `latency_ms` draws nothing (and no fault slows it).
    fixed_service: Option<SimDuration>,
    rng: Xoshiro256PlusPlus,
}

/// Per (behavior, class): how a response is cached, decided once at set-up
/// because both inputs are fixed for the run.
#[derive(Clone, Copy)]
struct CachingRule {
    ttl: TtlDecision,
    /// Concurrent misses may be merged. CloudFront does not collapse when
    /// caching is disabled, nor when MinTTL is 0 and the origin forbids reuse
    /// (DG-custom-origin, "Simultaneous requests for the same object").
    collapsible: bool,
}

struct Engine<'s, O> {
    scenario: &'s Scenario,
    source: &'s mut dyn RequestSource,
    /// Sees each finished request (`run_observed`), or `NoObserver`.
    observer: O,
    /// The next viewer request and when it arrives. It is kept out of the
    /// heap: with one arrival pending at a time, comparing it with the heap's
    /// top is cheaper than a push and a pop, and an edge hit then touches the
    /// heap not at all.
    next_viewer: Option<(SimTime, ViewerRequest)>,
    seed: u64,
    now: SimTime,
    queue: EventQueue,
    requests: Vec<Request>,
    free_requests: Vec<RequestId>,
    caches: Vec<CacheNode>,
    n_edges: usize,
    edge_regional: Vec<u16>,
    s3_origin_local: Vec<bool>,
    caching_rules: Vec<CachingRule>,
    origins: Vec<OriginState>,
    topology: Topology,
    catalog: Catalog,
    collapse: bool,
    /// Whether a viewer redirected to HTTPS sends its retry from here
    /// (simulated viewers), or the source holds the retries (a replayed log).
    viewers_retry_redirects: bool,
    requests_started: u64,
    /// Keys, sessions and the verifier, when a behavior requires signing.
    signed: Option<SignedTraffic>,
    /// The secret header's timelines, when an origin sends or checks one.
    access: Option<OriginAccess>,
    events: u64,
    metrics: Metrics,
}

impl<'s, O: RequestObserver> Engine<'s, O> {
    fn new(
        scenario: &'s Scenario,
        seed: u64,
        catalog: Catalog,
        source: &'s mut dyn RequestSource,
        observer: O,
    ) -> Self {
        let topology = Topology::build(scenario, seed);
        let n_edges = scenario.topology.edges.len();
        let n_regional = scenario.topology.regional_caches.len();
        let mean_size =
            scenario.traffic.classes.iter().map(|c| c.size_bytes.mean().min(1e12) * c.objects as f64).sum::<f64>()
                / scenario.total_objects().max(1) as f64;
        // A full cache holds capacity / mean size objects on average; sizes
        // vary, so size its tables a quarter larger. Outgrowing them would
        // double them (Vec growth) and waste half.
        let expected_objects = |capacity: u64| {
            ((1.25 * capacity as f64 / mean_size.max(1.0)) as u64).min(catalog.expected_objects()).min(1 << 24) as usize
        };
        let make_cache = |spec: &crate::scenario::CacheSpec| CacheNode {
            cache: new_cache(spec.eviction, spec.capacity_bytes, expected_objects(spec.capacity_bytes)),
            in_flight: HashMap::with_capacity_and_hasher(64, foldhash::fast::FixedState::with_seed(0)),
        };
        let caches = (0..n_edges)
            .map(|_| make_cache(&scenario.caches.edge))
            .chain((0..n_regional).map(|_| make_cache(&scenario.caches.regional)))
            .collect();
        let edge_regional: Vec<u16> = scenario.topology.edges.iter().map(|e| e.regional_cache as u16).collect();
        let s3_origin_local = scenario
            .topology
            .edges
            .iter()
            .flat_map(|e| {
                let region = scenario.topology.regional_caches[e.regional_cache].region.name;
                scenario.origins.iter().map(move |o| o.kind == OriginKind::S3 && o.region.name == region)
            })
            .collect();
        let caching_rules = scenario
            .distribution
            .behaviors
            .iter()
            .flat_map(|b| {
                scenario.traffic.classes.iter().map(move |c| {
                    let ttl = ttl::decide(&c.cache_control, &b.ttl);
                    let forbids = c.cache_control.forbids_reuse()
                        || c.cache_control.s_maxage_s.or(c.cache_control.max_age_s) == Some(0);
                    CachingRule { ttl, collapsible: !(b.ttl.caching_disabled() || (b.ttl.min_s == 0 && forbids)) }
                })
            })
            .collect();
        let origins = scenario
            .origins
            .iter()
            .enumerate()
            .map(|(i, o)| OriginState {
                in_service: 0,
                concurrency: o.concurrency,
                queue_limit: o.queue_limit,
                queue: VecDeque::with_capacity(o.queue_limit.min(4096) as usize),
                latency_ms: o.latency_ms,
                fixed_service: o.latency_ms.fixed().map(SimDuration::from_millis_f64),
                rng: crate::rng::stream_rng_indexed(seed, crate::rng::Stream::Origin, i as u64),
            })
            .collect();
        let viewers_retry_redirects = source.viewers_retry_redirects();
        let metrics = Metrics::new(
            n_edges + n_regional,
            n_regional,
            scenario.origins.len(),
            scenario.distribution.behaviors.len(),
            scenario.simulation.metrics_interval,
            scenario.simulation.warmup,
        );
        Engine {
            scenario,
            source,
            observer,
            next_viewer: None,
            seed,
            now: SimTime::ZERO,
            queue: EventQueue::with_capacity(4096),
            requests: Vec::with_capacity(1024),
            free_requests: Vec::with_capacity(1024),
            caches,
            n_edges,
            edge_regional,
            s3_origin_local,
            caching_rules,
            origins,
            topology,
            catalog,
            collapse: scenario.simulation.collapse_requests,
            viewers_retry_redirects,
            requests_started: 0,
            signed: SignedTraffic::new(scenario, seed),
            access: OriginAccess::build(scenario, seed),
            events: 0,
            metrics,
        }
    }

    fn run(&mut self, on_progress: &mut dyn FnMut(Progress)) {
        self.schedule_next_arrival();
        loop {
            // Same-time ties go to the heap: its events were scheduled earlier.
            let arrival_first = match (self.next_viewer.as_ref().map(|(at, _)| *at), self.queue.next_time()) {
                (Some(arrival), Some(queued)) => arrival < queued,
                (Some(_), None) => true,
                (None, _) => false,
            };
            let (at, event) = if arrival_first {
                let at = self.next_viewer.as_ref().expect("checked").0;
                self.queue.advance_to(at);
                (at, Event::Arrival)
            } else {
                match self.queue.pop() {
                    Some(next) => next,
                    None => break,
                }
            };
            debug_assert!(at >= self.now, "time went backwards");
            self.now = at;
            self.events += 1;
            if self.events & 0xffff == 0 {
                on_progress(Progress { requests_started: self.requests_started, now: self.now });
            }
            match event {
                Event::Arrival => self.on_arrival(),
                Event::AtLevel { request, level } => self.on_at_level(request, level as usize),
                Event::AtOrigin { request } => self.on_at_origin(request),
                Event::OriginDone { request } => self.on_origin_done(request),
                Event::Down { request, level } => self.on_down(request, level as usize),
            }
        }
        on_progress(Progress { requests_started: self.requests_started, now: self.now });
    }

    /// Keeps exactly one arrival pending: generating them lazily keeps the
    /// queue short, which is what makes the heap fast.
    fn schedule_next_arrival(&mut self) {
        self.next_viewer = self.source.next_request(&mut self.catalog).map(|(at, viewer)| {
            debug_assert!(at >= self.now, "a request source went back in time");
            (at.max(self.now), viewer)
        });
        // The edge lookup's chain of loads, one link every few requests
        // (see `PrefetchStep`), when the source knows requests that far
        // ahead; else the next request's bucket, one request ahead.
        let mut reads_ahead = false;
        for (distance, step) in PREFETCH_STEPS {
            if let Some((edge, object, method)) = self.source.peek_ahead(distance) {
                self.caches[edge].cache.prefetch(cache_key(object, method), step);
                reads_ahead = true;
            }
        }
        if let Some((_, viewer)) = self.next_viewer
            && !reads_ahead
        {
            self.catalog.prefetch(viewer.object);
            self.caches[viewer.edge].cache.prefetch(cache_key(viewer.object, viewer.method), PrefetchStep::Index);
        }
    }

    fn on_arrival(&mut self) {
        let (_, viewer) = self.next_viewer.take().expect("an Arrival event always has its request");
        if let Some(direct) = viewer.direct {
            self.on_direct_request(direct);
            self.schedule_next_arrival();
            return;
        }
        let facts = viewer.object_facts.unwrap_or_else(|| self.catalog.facts_of(viewer.object));
        let behavior_index = facts.behavior;
        let behavior = &self.scenario.distribution.behaviors[behavior_index];
        let origin = behavior.origin;
        let behavior_group = behavior.origin_group;
        let regional = self.edge_regional[viewer.edge] as usize;
        let route = route(RouteInputs {
            method: viewer.method,
            cached_methods: behavior.cached_methods,
            caching_disabled: behavior.ttl.caching_disabled(),
            s3_origin_in_edge_region: self.s3_origin_local[viewer.edge * self.scenario.origins.len() + origin],
        });
        let mut levels = [Level { waiters: NONE, ..Level::default() }; MAX_LEVELS];
        let caching = matches!(route, Route::Cached { .. });
        levels[0].cache = viewer.edge as u16;
        levels[0].caching = caching;
        let mut depth = 1;
        if let Route::Cached { via_regional: true } = route {
            levels[1].cache = (self.n_edges + regional) as u16;
            levels[1].caching = true;
            depth = 2;
        }
        // Every request to an origin with Origin Shield passes through it; it
        // caches only what the route caches (DG-shield). A request whose own
        // regional cache is the shield gets no extra hop.
        if let Some(shield) = self.scenario.origins[origin].origin_shield
            && !(depth == 2 && shield == regional)
        {
            levels[depth].cache = (self.n_edges + shield) as u16;
            levels[depth].caching = caching;
            levels[depth].shield_role = true;
            depth += 1;
        }
        let class = viewer.class;
        let key = cache_key(viewer.object, viewer.method);
        // Arrivals are generated at the edge (a Poisson process there is as
        // good a model as one at the viewers), so the viewer sent the request
        // half a round trip earlier. This saves an event per request, which
        // for edge hits is half of all events.
        levels[0].half_rtt_us = half(self.topology.sample_viewer_rtt(viewer.edge));
        let start = SimTime(self.now.0.saturating_sub(levels[0].half_rtt_us as u64));
        let measured = self.metrics.measures(start);
        if measured {
            let stats = &mut self.metrics.protocol;
            stats.viewer_https += viewer.https as u64;
            stats.viewer_http += !viewer.https as u64;
        }
        let (now, size_bytes) = (self.now, facts.size_bytes);
        let request = || Request {
            start,
            arrived: now,
            object: viewer.object,
            key,
            size_bytes,
            class: class as u16,
            behavior: behavior_index as u16,
            edge: viewer.edge as u16,
            origin: origin as u16,
            method: viewer.method,
            https: viewer.https,
            measured,
            levels,
            depth: depth as u8,
            origin_half_rtt_us: 0,
            queued_at: SimTime::ZERO,
            status: 0,
            version: None,
            body: true,
            served_by: ServedBy::Origin,
            stale_until: None,
            next_waiter: NONE,
            session: viewer.session,
            origin_group: behavior_group.map_or(NO_GROUP, |g| g as u16),
            attempt: Attempt::Primary,
            sent_to_primary: SimTime::ZERO,
            outcome: OriginOutcome::Status(200),
            holds_origin_slot: false,
            header_value: crate::policy::origin_access::ABSENT,
            logged_result: viewer.logged_result,
            logged_signature: viewer.logged_signature,
        };
        self.requests_started += 1;
        self.schedule_next_arrival();
        // When nothing stands between the viewer and the edge cache (the checks
        // of `on_at_level` at the edge would all pass), look it up first: a hit
        // is answered and recorded at once and needs no slot in the pool.
        let edge_cache_first = caching
            && !self.observer.active()
            && protocol::viewer_decision(behavior.viewer_protocol_policy, viewer.https) == ViewerDecision::Serve
            && behavior.allowed_methods.contains(viewer.method)
            && self.signed.as_ref().is_none_or(|signed| !signed.restricts(behavior_index));
        let edge_lookup = edge_cache_first.then(|| self.caches[viewer.edge].cache.lookup(key, self.now));
        if let Some(Lookup::Fresh(Entry { stored: Stored::Object(_), .. })) = edge_lookup {
            if measured {
                self.count_hit(&levels[0], size_bytes);
                let viewer_half = SimDuration(levels[0].half_rtt_us as u64);
                let outcome = Outcome {
                    start,
                    latency: viewer_half + viewer_half,
                    method: viewer.method,
                    behavior: behavior_index,
                    status: 200,
                    body_bytes: body_bytes(viewer.method, 200, size_bytes),
                    served_by: ServedBy::Edge,
                    result: ResultType::Hit,
                };
                self.record_response(&outcome, viewer.logged_result);
            }
            return;
        }
        let id = self.allocate(request);
        match edge_lookup {
            Some(lookup) => self.on_lookup(id, 0, lookup),
            None => self.on_at_level(id, 0),
        }
    }

    fn on_at_level(&mut self, id: RequestId, level: usize) {
        // The fields used here, not the whole request: it is large and this is
        // the path of every request.
        let r = &self.requests[id as usize];
        let (https, behavior, method, measured) = (r.https, r.behavior as usize, r.method, r.measured);
        let (key, lvl) = (r.key, r.levels[level]);
        if level == 0 && !https && !self.viewer_protocol_allows(id) {
            return;
        }
        if level == 0 && !self.scenario.distribution.behaviors[behavior].allowed_methods.contains(method) {
            // A method the behavior does not allow: CloudFront answers 403
            // itself (reference §4.1, 6.2).
            self.respond(id, 403, None, ServedBy::EdgeGenerated);
            self.finish(id);
            return;
        }
        if level == 0 && !self.signature_accepted(id) {
            // Refused at the edge: it never reaches a cache or an origin
            // (reference §1.8).
            self.respond(id, 403, None, ServedBy::EdgeGenerated);
            self.finish(id);
            return;
        }
        let cache_index = lvl.cache as usize;
        if !lvl.caching {
            if measured {
                self.tier_stats(&lvl).passed_through += 1;
            }
            self.forward(id, level);
            return;
        }
        let lookup = self.caches[cache_index].cache.lookup(key, self.now);
        self.on_lookup(id, level, lookup);
    }

    /// What the cache at `level` found for the request: answer it, or send it
    /// on up (or let it wait on a fetch under way).
    fn on_lookup(&mut self, id: RequestId, level: usize, lookup: Lookup) {
        let r = &self.requests[id as usize];
        let (measured, key, size_bytes, lvl) = (r.measured, r.key, r.size_bytes, r.levels[level]);
        let failed_over = r.attempt == Attempt::Secondary;
        let rule = self.caching_rule(r);
        let cache_index = lvl.cache as usize;
        match lookup {
            Lookup::Fresh(entry) => {
                let served_by = self.tier_of(&lvl, level);
                match entry.stored {
                    // A cached error answers until it expires (reference §6.6).
                    Stored::Error { status } => {
                        if measured {
                            let stats = self.tier_stats(&lvl);
                            stats.lookups += 1;
                            stats.errors_served += 1;
                        }
                        self.respond(id, status, None, served_by);
                    }
                    Stored::Object(version) => {
                        if measured {
                            self.count_hit(&lvl, size_bytes);
                        }
                        self.respond(id, 200, Some(version), served_by);
                        self.set_body_for_level_below(id, level);
                    }
                }
                self.send_down(id, level);
            }
            Lookup::Stale(_) | Lookup::Miss => {
                // An expired error is fetched again, not revalidated.
                if let Lookup::Stale(Entry { stored: Stored::Object(version), .. }) = lookup {
                    self.requests[id as usize].levels[level].stale_version = Some(version);
                }
                let collapse = self.collapse && rule.collapsible;
                let under_way = if collapse { self.caches[cache_index].in_flight.get(&key).copied() } else { None };
                // A failed-over request looks up the secondary's shield on its
                // way to the secondary, and never waits on a fetch under way
                // there: that fetch may be waiting, one tier below, on this
                // very request (an edge in the secondary shield's Region whose
                // route goes on to the primary's shield), and neither would
                // ever be answered. It fetches on its own and leads the cache's
                // fetch if there is none. (The Developer Guide is silent on
                // collapsing across origin-group members.)
                let fetch = under_way.filter(|_| !failed_over);
                if measured {
                    let stats = self.tier_stats(&lvl);
                    stats.lookups += 1;
                    match (lookup, fetch) {
                        (_, Some(_)) => stats.collapsed += 1,
                        (Lookup::Stale(_), None) => stats.stale += 1,
                        _ => stats.misses += 1,
                    }
                }
                match fetch {
                    Some(Fetch { leader, level: at }) => {
                        // Join the fetch already under way; its response serves us too.
                        let leading = &mut self.requests[leader as usize].levels[at as usize];
                        debug_assert_eq!(leading.cache as usize, cache_index);
                        let next = std::mem::replace(&mut leading.waiters, id);
                        self.requests[id as usize].next_waiter = next;
                    }
                    None => {
                        if collapse && under_way.is_none() {
                            self.caches[cache_index].in_flight.insert(key, Fetch { leader: id, level: level as u8 });
                        }
                        self.forward(id, level);
                    }
                }
            }
        }
    }

    /// Sends a request from `level` to the next level up, or to the origin.
    fn forward(&mut self, id: RequestId, level: usize) {
        let below = if level > 0 { self.requests[id as usize].levels[level - 1].validator } else { None };
        let lvl = &mut self.requests[id as usize].levels[level];
        lvl.validator = lvl.stale_version.or(below);
        let r = &self.requests[id as usize];
        let (cache, edge, origin) = (r.levels[level].cache as usize, r.edge as usize, r.origin as usize);
        let from = self.node_of(cache);
        if level + 1 < r.depth as usize {
            let to = self.node_of(r.levels[level + 1].cache as usize);
            let rtt = self.sample_hop(from, Node::Regional(to.regional_index()), edge);
            self.requests[id as usize].levels[level + 1].half_rtt_us = half(rtt);
            self.queue
                .push(self.now + SimDuration(half(rtt) as u64), Event::AtLevel { request: id, level: level as u8 + 1 });
        } else {
            let rtt = self.sample_hop(from, Node::Origin(origin), edge);
            let req = &mut self.requests[id as usize];
            req.origin_half_rtt_us = half(rtt);
            if req.attempt == Attempt::Primary {
                req.sent_to_primary = self.now;
            }
            self.add_secret_header(id, cache, origin);
            self.queue.push(self.now + SimDuration(half(rtt) as u64), Event::AtOrigin { request: id });
        }
    }

    fn on_at_origin(&mut self, id: RequestId) {
        let r = &self.requests[id as usize];
        let (origin, measured, origin_half_rtt_us) = (r.origin as usize, r.measured, r.origin_half_rtt_us);
        if measured {
            let (primary, start, method) = (r.attempt == Attempt::Primary, r.start, r.method);
            let conditional = r.levels[r.depth as usize - 1].validator.is_some();
            if primary {
                self.metrics.record_origin_request(start);
            }
            let stats = &mut self.metrics.origins[origin];
            stats.requests += 1;
            stats.requests_by_method[method.index()] += 1;
            stats.conditional += conditional as u64;
        }
        let spec = &self.scenario.origins[origin];
        let condition = faults::condition_at(&self.scenario.faults, origin, self.now);
        // The request reached the origin after half a round trip; a failed
        // connection is known back at CloudFront only when every attempt has
        // failed: `attempts` round trips for refusals, `attempts` connection
        // timeouts for a black hole (DG-failover: "3 x 10 s = 30 s").
        let attempts = spec.connection_attempts as u64;
        let rtt = SimDuration(2 * origin_half_rtt_us as u64);
        let failed_after = match condition.connect {
            Connect::Ok => None,
            Connect::Refused => Some((OriginOutcome::ConnectFailed, rtt.saturating_mul(attempts))),
            Connect::Blackholed => Some((OriginOutcome::TimedOut, spec.connection_timeout.saturating_mul(attempts))),
        };
        if failed_after.is_none() && !self.origin_admits(id) {
            return;
        }
        if let Some((outcome, after)) = failed_after {
            if measured {
                let stats = &mut self.metrics.origins[origin];
                stats.connect_failures += (outcome == OriginOutcome::ConnectFailed) as u64;
                stats.timeouts += (outcome == OriginOutcome::TimedOut) as u64;
            }
            let req = &mut self.requests[id as usize];
            req.outcome = outcome;
            req.holds_origin_slot = false;
            // `OriginDone` stands at the origin's side of the link, half a
            // round trip before CloudFront learns the outcome; CloudFront
            // learns it `after` the request left (half a round trip ago).
            let due = SimTime((self.now + after).0.saturating_sub(rtt.as_micros())).max(self.now);
            self.queue.push(due, Event::OriginDone { request: id });
            return;
        }
        let state = &mut self.origins[origin];
        if state.in_service < state.concurrency {
            self.start_service(id);
        } else if (state.queue.len() as u32) < state.queue_limit {
            state.queue.push_back(id);
            self.requests[id as usize].queued_at = self.now;
            if measured {
                let stats = &mut self.metrics.origins[origin];
                stats.peak_queued = stats.peak_queued.max(state.queue.len() as u32);
            }
        } else {
            // The origin is saturated: it refuses with 503 at once.
            if measured {
                self.metrics.origins[origin].rejected += 1;
            }
            let req = &mut self.requests[id as usize];
            req.outcome = OriginOutcome::Status(503);
            req.holds_origin_slot = false;
            self.queue.push(self.now, Event::OriginDone { request: id });
        }
    }

    /// Starts serving a request: samples how long each attempt takes, with
    /// the faults of this instant. A response slower than the response
    /// timeout is abandoned; GET and HEAD are retried up to the connection
    /// attempts, other methods are not (reference §4.2, DG-custom-origin).
    fn start_service(&mut self, id: RequestId) {
        let r = &self.requests[id as usize];
        let (origin, method, measured) = (r.origin as usize, r.method, r.measured);
        let spec = &self.scenario.origins[origin];
        let condition = faults::condition_at(&self.scenario.faults, origin, self.now);
        let state = &mut self.origins[origin];
        state.in_service += 1;
        let tries = if matches!(method, Method::Get | Method::Head) { spec.connection_attempts } else { 1 };
        let mut elapsed = SimDuration::ZERO;
        let mut outcome = OriginOutcome::TimedOut;
        for _ in 0..tries {
            let service = match state.fixed_service {
                Some(fixed) if condition.slow_factor == 1.0 => fixed,
                _ => SimDuration::from_millis_f64(state.latency_ms.sample(&mut state.rng) * condition.slow_factor),
            };
            if service <= spec.response_timeout {
                elapsed += service;
                let forced = faults::forced_status(&self.scenario.faults, origin, self.now, &mut state.rng);
                outcome = OriginOutcome::Status(forced.unwrap_or(200));
                break;
            }
            elapsed += spec.response_timeout;
        }
        if measured {
            let stats = &mut self.metrics.origins[origin];
            stats.peak_in_service = stats.peak_in_service.max(state.in_service);
            stats.timeouts += (outcome == OriginOutcome::TimedOut) as u64;
            stats.error_responses += matches!(outcome, OriginOutcome::Status(s) if error_caching::is_error(s)) as u64;
        }
        let req = &mut self.requests[id as usize];
        req.outcome = outcome;
        req.holds_origin_slot = true;
        self.queue.push(self.now + elapsed, Event::OriginDone { request: id });
    }

    fn on_origin_done(&mut self, id: RequestId) {
        let r = &self.requests[id as usize];
        let (origin, method, measured, outcome) = (r.origin as usize, r.method, r.measured, r.outcome);
        let (holds_origin_slot, origin_group, attempt) = (r.holds_origin_slot, r.origin_group, r.attempt);
        if holds_origin_slot {
            self.origins[origin].in_service -= 1;
            if let Some(next) = self.origins[origin].queue.pop_front() {
                let waited = self.now.saturating_since(self.requests[next as usize].queued_at);
                if self.requests[next as usize].measured {
                    let stats = &mut self.metrics.origins[origin];
                    stats.queued_us += waited.as_micros();
                    stats.queued_requests += 1;
                }
                self.start_service(next);
            }
        }
        if let Some(group) = self.scenario.origin_groups.get(origin_group as usize) {
            match attempt {
                Attempt::Primary => {
                    let verdict = failover::judge_primary(method, outcome, &group.criteria);
                    if measured {
                        self.metrics.by_method[method.index()].reached_origin_group += 1;
                        self.metrics.by_method[method.index()].primary_failures += verdict.failed as u64;
                    }
                    if verdict.next == Failover::TrySecondary {
                        self.fail_over(id, group.secondary);
                        return;
                    }
                }
                Attempt::Secondary => {
                    if measured && failover::answered(outcome) {
                        self.metrics.by_method[method.index()].served_by_secondary += 1;
                    }
                }
            }
        }
        match outcome {
            OriginOutcome::Status(status) if failover::answered(outcome) => {
                let r = &self.requests[id as usize];
                let size_bytes = r.size_bytes;
                let version = self.catalog.version_at(r.class as usize, r.object, self.now);
                let not_modified = r.levels[r.depth as usize - 1].validator == Some(version);
                if measured {
                    let stats = &mut self.metrics.origins[origin];
                    stats.not_modified += not_modified as u64;
                    if !not_modified {
                        stats.bytes_out += body_bytes(method, 200, size_bytes);
                        self.metrics.origin_bytes += body_bytes(method, 200, size_bytes);
                    }
                }
                self.respond(id, status, Some(version), ServedBy::Origin);
                self.requests[id as usize].body = !not_modified;
            }
            outcome => self.respond(id, outcome.viewer_status(), None, ServedBy::Origin),
        }
        self.send_down_from_origin(id);
    }

    /// Sends the request to the group's secondary once the primary's failure
    /// is known at the cache that sent it there. It goes through the
    /// secondary's Origin Shield when that has one not yet on the route (DG
    /// "Using Amazon CloudFront Origin Shield": failover requests pass
    /// through the secondary origin's shield); the shield looks it up like
    /// any request and caches what the route caches. Every request tries the
    /// primary first: nothing here is remembered for the next one
    /// (reference §4.1).
    fn fail_over(&mut self, id: RequestId, secondary: usize) {
        let r = self.requests[id as usize];
        let back_at_cloudfront = self.now + SimDuration(r.origin_half_rtt_us as u64);
        if r.measured {
            let added = back_at_cloudfront.saturating_since(r.sent_to_primary);
            self.metrics.record_failover(r.start, r.method, added);
        }
        let last = r.depth as usize - 1;
        let from_cache = r.levels[last].cache as usize;
        let from = self.node_of(from_cache);
        let shield = self.scenario.origins[secondary].origin_shield.map(|s| (self.n_edges + s) as u16);
        let via_shield = shield.filter(|&s| r.levels[..r.depth as usize].iter().all(|l| l.cache != s));
        let req = &mut self.requests[id as usize];
        req.attempt = Attempt::Secondary;
        req.origin = secondary as u16;
        match via_shield {
            Some(shield) => {
                debug_assert!(last + 1 < MAX_LEVELS, "a route has room for the secondary's shield");
                let rtt = self.sample_hop(from, Node::Regional(shield as usize - self.n_edges), r.edge as usize);
                let req = &mut self.requests[id as usize];
                req.levels[last + 1] = Level {
                    cache: shield,
                    caching: r.levels[0].caching,
                    shield_role: true,
                    half_rtt_us: half(rtt),
                    stale_version: None,
                    validator: None,
                    waiters: NONE,
                };
                req.depth += 1;
                let at = back_at_cloudfront + SimDuration(half(rtt) as u64);
                self.queue.push(at, Event::AtLevel { request: id, level: last as u8 + 1 });
            }
            None => {
                let rtt = self.sample_hop(from, Node::Origin(secondary), r.edge as usize);
                self.requests[id as usize].origin_half_rtt_us = half(rtt);
                self.add_secret_header(id, from_cache, secondary);
                self.queue.push(back_at_cloudfront + SimDuration(half(rtt) as u64), Event::AtOrigin { request: id });
            }
        }
    }

    fn send_down_from_origin(&mut self, id: RequestId) {
        let r = &self.requests[id as usize];
        let at = self.now + SimDuration(r.origin_half_rtt_us as u64);
        let level = r.depth - 1;
        self.queue.push(at, Event::Down { request: id, level });
    }

    /// The response reaches `level` on its way down: store it, serve the
    /// requests collapsed onto it here, and pass it on.
    fn on_down(&mut self, id: RequestId, level: usize) {
        let lvl = self.requests[id as usize].levels[level];
        let cache_index = lvl.cache as usize;
        let mut holds_version = false;
        if lvl.caching {
            holds_version = self.store(id, level);
            // Storing may have replaced an error with the expired copy.
            let r = &self.requests[id as usize];
            let (key, status, version, stale_until) = (r.key, r.status, r.version, r.stale_until);
            let in_flight = &mut self.caches[cache_index].in_flight;
            if !in_flight.is_empty() && in_flight.get(&key).map(|f| f.leader) == Some(id) {
                in_flight.remove(&key);
            }
            // Waiters were answered by this cache's own fetch, whoever answered
            // it: CloudFront logs requests collapsed at the edge as `Hit`
            // (reference §6.3, request collapsing).
            let mut waiter = std::mem::replace(&mut self.requests[id as usize].levels[level].waiters, NONE);
            while waiter != NONE {
                let next = std::mem::replace(&mut self.requests[waiter as usize].next_waiter, NONE);
                // Each waiter goes on down its own route, from its own level
                // for this cache, in its own role there.
                let at = self.level_of(waiter, cache_index);
                let served_by = self.tier_of(&self.requests[waiter as usize].levels[at], at);
                self.respond(waiter, status, version, served_by);
                self.requests[waiter as usize].stale_until = stale_until;
                // A waiter is answered from the copy now held here; if none
                // could be kept, it gets the full response.
                if holds_version {
                    self.set_body_for_level_below(waiter, at);
                }
                self.send_down(waiter, at);
                waiter = next;
            }
        }
        if holds_version {
            self.set_body_for_level_below(id, level);
        }
        self.send_down(id, level);
    }

    /// Where `cache` is on a request's route: a route passes each cache once.
    fn level_of(&self, id: RequestId, cache: usize) -> usize {
        let r = &self.requests[id as usize];
        let levels = &r.levels[..r.depth as usize];
        let at = levels.iter().position(|l| l.cache as usize == cache);
        debug_assert_eq!(
            levels.iter().filter(|l| l.cache as usize == cache).count(),
            1,
            "a route passes each cache once"
        );
        at.expect("a waiter joined a fetch at a cache on its own route")
    }

    /// A level holding the response's version answers the level below with a
    /// 304 when that level's validator names the same version. (At the edge
    /// the flag keeps saying whether the edge itself got a 304: the viewer
    /// always gets the body.)
    fn set_body_for_level_below(&mut self, id: RequestId, level: usize) {
        if level > 0 {
            let r = &mut self.requests[id as usize];
            r.body = r.levels[level - 1].validator != r.version;
        }
    }

    /// Stores or refreshes the response at `level`; returns whether the
    /// cache there now holds the response's version.
    fn store(&mut self, id: RequestId, level: usize) -> bool {
        let r = &self.requests[id as usize];
        if error_caching::is_error(r.status) {
            return self.store_error(id, level);
        }
        let lvl = r.levels[level];
        let cache = &mut self.caches[lvl.cache as usize].cache;
        let version = r.version.expect("a response that is no error carries its object's version");
        match self.caching_rules[r.behavior as usize * self.scenario.traffic.classes.len() + r.class as usize].ttl {
            TtlDecision::Cache(ttl) => {
                let expires_at = error_caching::expiry_of_copy(self.now, ttl, r.stale_until);
                if lvl.stale_version == Some(version) && cache.refresh(r.key, expires_at, version) {
                    return true;
                }
                if !r.body {
                    // A 304 for a validator from below: nothing to store here.
                    return false;
                }
                // A stored copy is at least one byte so that empty bodies
                // (OPTIONS) still occupy space and can be evicted.
                let entry = Entry { size_bytes: r.size_bytes.max(1), expires_at, stored: Stored::Object(version) };
                cache.insert(r.key, entry) == crate::cache::Admission::Stored
            }
            TtlDecision::DoNotCache => {
                if lvl.stale_version.is_some() {
                    cache.remove(r.key);
                }
                false
            }
        }
    }

    /// An error response reaching a cache: served from an expired copy,
    /// stored, or passed on, as `error_caching::on_error` decides. Returns
    /// whether the cache now holds the object's version (the expired copy).
    fn store_error(&mut self, id: RequestId, level: usize) -> bool {
        let r = &self.requests[id as usize];
        let (key, status, measured, lvl) = (r.key, r.status, r.measured, r.levels[level]);
        let min_ttl = self.scenario.distribution.error_caching_min_ttl;
        let mut handling = error_caching::on_error(status, lvl.stale_version.is_some(), self.now, min_ttl);
        let cache = &mut self.caches[lvl.cache as usize].cache;
        if let ErrorHandling::ServeStale { until } = handling {
            let stale = lvl.stale_version.expect("only a cache that holds an expired copy serves it");
            if cache.refresh(key, until, stale) {
                if measured {
                    self.tier_stats(&lvl).stale_served_on_error += 1;
                }
                let served_by = self.tier_of(&lvl, level);
                self.respond(id, 200, Some(stale), served_by);
                self.requests[id as usize].stale_until = Some(until);
                return true;
            }
            // The copy found at lookup has been evicted since.
            handling = error_caching::on_error(status, false, self.now, min_ttl);
        }
        if let ErrorHandling::Cache { until } = handling {
            // Error pages are small; a byte keeps them evictable.
            let entry = Entry { size_bytes: 1, expires_at: until, stored: Stored::Error { status } };
            cache.insert(key, entry);
        }
        false
    }

    /// Passes a response from `level` to the level below, or to the viewer.
    fn send_down(&mut self, id: RequestId, level: usize) {
        if level == 0 {
            self.finish(id);
        } else {
            let half_rtt_us = self.requests[id as usize].levels[level].half_rtt_us;
            self.queue
                .push(self.now + SimDuration(half_rtt_us as u64), Event::Down { request: id, level: level as u8 - 1 });
        }
    }

    /// The response leaves the edge for the viewer: record it and free the slot.
    fn finish(&mut self, id: RequestId) {
        let r = &self.requests[id as usize];
        if r.measured {
            let viewer_half = SimDuration(r.levels[0].half_rtt_us as u64);
            let outcome = Outcome {
                start: r.start,
                latency: (self.now - r.arrived) + viewer_half + viewer_half,
                method: r.method,
                behavior: r.behavior as usize,
                status: r.status,
                body_bytes: body_bytes(r.method, r.status, r.size_bytes),
                served_by: r.served_by,
                result: result_type(r),
            };
            self.record_response(&outcome, r.logged_result);
        }
        if self.observer.active() {
            let r = self.requests[id as usize];
            self.observe(&r);
        }
        self.free_requests.push(id);
    }

    /// Records a measured response leaving the edge for the viewer.
    fn record_response(&mut self, outcome: &Outcome, logged: Option<crate::policy::result_type::LoggedResult>) {
        if let Some(logged) = logged {
            self.metrics.result_comparison[logged.index()][outcome.result.index()] += 1;
        }
        self.metrics.record(outcome);
    }

    /// Counts a lookup answered with the object by the cache at `lvl`.
    fn count_hit(&mut self, lvl: &Level, size_bytes: u64) {
        let stats = self.tier_stats(lvl);
        stats.lookups += 1;
        stats.hits += 1;
        stats.bytes_hit += size_bytes;
    }

    /// The behavior's viewer protocol policy, for an HTTP viewer request at
    /// the edge, before any cache (reference §7.1). Returns whether the
    /// request goes on; otherwise the edge answered it: a 403, or a
    /// redirect to HTTPS. A redirect is a request of its own (logged
    /// `Redirect`, billed); the viewer's HTTPS retry is another.
    fn viewer_protocol_allows(&mut self, id: RequestId) -> bool {
        let r = &self.requests[id as usize];
        let (measured, method) = (r.measured, r.method);
        let policy = self.scenario.distribution.behaviors[r.behavior as usize].viewer_protocol_policy;
        match protocol::viewer_decision(policy, r.https) {
            ViewerDecision::Serve => true,
            ViewerDecision::Redirect => {
                if measured {
                    self.metrics.protocol.redirects += 1;
                }
                if self.viewers_retry_redirects {
                    self.start_https_retry(id);
                }
                self.respond(id, protocol::redirect_status(method), None, ServedBy::EdgeGenerated);
                self.finish(id);
                false
            }
            ViewerDecision::Refuse403 => {
                if measured {
                    self.metrics.protocol.refused_http += 1;
                }
                self.respond(id, 403, None, ServedBy::EdgeGenerated);
                self.finish(id);
                false
            }
        }
    }

    /// The viewer follows the redirect of request `redirected`: it gets the
    /// answer half a round trip from now and sends the same request over
    /// HTTPS, which reaches the edge half a round trip after that. The retry
    /// is measured by when the viewer sent it.
    fn start_https_retry(&mut self, redirected: RequestId) {
        let mut retry = self.requests[redirected as usize];
        let half_rtt = SimDuration(retry.levels[0].half_rtt_us as u64);
        retry.https = true;
        retry.start = self.now + half_rtt;
        retry.arrived = retry.start + half_rtt;
        retry.measured = self.metrics.measures(retry.start);
        if retry.measured {
            self.metrics.protocol.viewer_https += 1;
        }
        let arrived = retry.arrived;
        self.requests_started += 1;
        let id = self.allocate(|| retry);
        self.queue.push(arrived, Event::AtLevel { request: id, level: 0 });
    }

    /// The CloudFront location `location` adds the origin's secret header to
    /// the request it sends, from its own copy of the configuration.
    fn add_secret_header(&mut self, id: RequestId, location: usize, origin: usize) {
        if let Some(access) = &self.access {
            self.requests[id as usize].header_value = access.sent_value(location, origin, self.now);
        }
    }

    /// A request from CloudFront reaches its origin over a connection: counts
    /// the leg's protocol and whether the secret crossed it in clear, and
    /// applies the origin's header check. Returns whether the origin goes on
    /// to serve it; a refusal is a 403 at once.
    fn origin_admits(&mut self, id: RequestId) -> bool {
        let r = &self.requests[id as usize];
        let (origin, measured, https, header_value, start) =
            (r.origin as usize, r.measured, r.https, r.header_value, r.start);
        let policy = self.scenario.origins[origin].protocol_policy;
        if measured {
            let https = protocol::origin_leg_https(policy, https);
            self.metrics.protocol.origin_https += https as u64;
            self.metrics.protocol.origin_http += !https as u64;
            if origin_access::carries_secret(header_value) {
                let stats = &mut self.metrics.origin_access;
                stats.secret_sent += 1;
                match protocol::cleartext_cause(policy, https) {
                    None => {}
                    Some(CleartextCause::ViewerLeg) => stats.secret_in_clear_viewer_legs += 1,
                    Some(CleartextCause::OriginPolicy) => stats.secret_in_clear_origin_legs += 1,
                }
            }
        }
        let Some(access) = &self.access else { return true };
        if crate::policy::origin_access::accepts(access.rule_at(origin, self.now), header_value) {
            return true;
        }
        if measured {
            self.metrics.record_legit_refused(start);
            self.metrics.origins[origin].error_responses += 1;
        }
        let req = &mut self.requests[id as usize];
        req.outcome = OriginOutcome::Status(403);
        req.holds_origin_slot = false;
        self.queue.push(self.now, Event::OriginDone { request: id });
        false
    }

    /// A request that bypasses CloudFront: only the origin's header check
    /// is modelled (it takes no slot at the origin and gets no object).
    fn on_direct_request(&mut self, direct: crate::cdn::traffic::DirectRequest) {
        if !self.metrics.measures(self.now) {
            return;
        }
        let origin = direct.origin as usize;
        let rule = self.access.as_ref().and_then(|a| a.rule_at(origin, self.now));
        let stats = &mut self.metrics.origin_access;
        stats.direct_requests += 1;
        stats.direct_refused += !crate::policy::origin_access::accepts(rule, direct.header_value) as u64;
    }

    /// Shows a finished request to the observer.
    fn observe(&mut self, r: &Request) {
        let class = r.class as usize;
        let (signed_query, signed_cookie) = match &self.signed {
            Some(signed) => signed.presented(class, r.session),
            None => (None, None),
        };
        self.observer.on_finish(&FinishedRequest {
            arrived: r.arrived,
            finished: self.now,
            edge: r.edge as usize,
            class,
            object_in_class: self.catalog.id_in_class(class, r.object),
            behavior: r.behavior as usize,
            method: r.method,
            https: r.https,
            session: r.session,
            status: r.status,
            body_bytes: body_bytes(r.method, r.status, r.size_bytes),
            object_bytes: r.size_bytes,
            result: result_type(r),
            served_by: r.served_by,
            origin_outcome: (r.served_by == ServedBy::Origin).then_some(r.outcome),
            signed_query,
            signed_cookie,
        });
    }

    /// Checks the signed URL or cookies the request presents, when its
    /// behavior trusts key groups; counts the outcome.
    fn signature_accepted(&mut self, id: RequestId) -> bool {
        let Some(signed) = self.signed.as_mut() else { return true };
        let r = &self.requests[id as usize];
        let behavior = r.behavior as usize;
        if !signed.restricts(behavior) {
            return true;
        }
        let outcome = match r.logged_signature {
            // A replayed log's URL, checked where it was read.
            Some(outcome) => outcome,
            None => {
                let class = r.class as usize;
                let spec = &self.scenario.traffic.classes[class];
                let now_s = (self.now.0 / 1_000_000) as i64;
                signed.check(behavior, (class, spec), self.catalog.id_in_class(class, r.object), r.session, now_s)
            }
        };
        if r.measured {
            let stats = &mut self.metrics.signing;
            stats.checked += 1;
            match outcome {
                Ok(()) => stats.accepted += 1,
                Err(reason) => {
                    let i = Rejection::ALL.iter().position(|x| *x == reason).expect("ALL lists every reason");
                    stats.rejected[i] += 1;
                }
            }
        }
        outcome.is_ok()
    }

    fn respond(&mut self, id: RequestId, status: u16, version: Option<Version>, served_by: ServedBy) {
        let r = &mut self.requests[id as usize];
        r.status = status;
        r.version = version;
        r.served_by = served_by;
        r.stale_until = None;
    }

    /// Puts a new request in a free slot. It is built there, not copied in
    /// (it is large, and every request passes here).
    fn allocate(&mut self, request: impl FnOnce() -> Request) -> RequestId {
        match self.free_requests.pop() {
            Some(id) => {
                self.requests[id as usize] = request();
                id
            }
            None => {
                self.requests.push(request());
                (self.requests.len() - 1) as RequestId
            }
        }
    }

    fn caching_rule(&self, r: &Request) -> CachingRule {
        self.caching_rules[r.behavior as usize * self.scenario.traffic.classes.len() + r.class as usize]
    }

    fn tier_of(&self, lvl: &Level, level: usize) -> ServedBy {
        match (level, lvl.shield_role) {
            (0, _) => ServedBy::Edge,
            (_, true) => ServedBy::Shield,
            _ => ServedBy::Regional,
        }
    }

    fn tier_stats(&mut self, lvl: &Level) -> &mut crate::metrics::TierStats {
        let cache = lvl.cache as usize;
        if lvl.shield_role {
            &mut self.metrics.shield_role[cache - self.n_edges]
        } else {
            &mut self.metrics.caches[cache]
        }
    }

    fn node_of(&self, cache: usize) -> Node {
        if cache < self.n_edges { Node::Edge(cache) } else { Node::Regional(cache - self.n_edges) }
    }

    /// Round trip between two nodes. An edge reaches a regional cache other
    /// than its own (an Origin Shield) through its own.
    fn sample_hop(&mut self, from: Node, to: Node, edge: usize) -> SimDuration {
        let own = self.edge_regional[edge] as usize;
        match (from, to) {
            (Node::Edge(e), Node::Regional(r)) if r == own => {
                self.topology.sample_rtt(self.topology.edge_to_regional(e))
            }
            (Node::Edge(e), Node::Regional(r)) => {
                let first = self.topology.sample_rtt(self.topology.edge_to_regional(e));
                first + self.topology.sample_rtt(self.topology.regional_to_regional(own, r))
            }
            (Node::Edge(e), Node::Origin(o)) => self.topology.sample_rtt(self.topology.edge_to_origin(e, o)),
            (Node::Regional(a), Node::Regional(b)) => {
                self.topology.sample_rtt(self.topology.regional_to_regional(a, b))
            }
            (Node::Regional(a), Node::Origin(o)) => self.topology.sample_rtt(self.topology.regional_to_origin(a, o)),
            (_, Node::Edge(_)) | (Node::Origin(_), _) => unreachable!("requests only travel up towards the origin"),
        }
    }

    /// The run's report, once its accounting adds up (`metrics::accounting`).
    fn into_report(mut self) -> Result<Report, AccountingError> {
        self.metrics.flush();
        let unfinished = (self.requests.len() - self.free_requests.len()) as u64;
        let facts = RunFacts { n_edges: self.n_edges, unfinished };
        if let Err(broken) = accounting::check(&self.metrics, facts) {
            return Err(AccountingError { scenario: self.scenario.name.clone(), seed: self.seed, broken });
        }
        Ok(Report {
            scenario: self.scenario.name.clone(),
            seed: self.seed,
            events: self.events,
            requests_simulated: self.requests_started,
            end: self.now,
            unfinished,
            caches: self
                .caches
                .iter()
                .map(|c| CacheState {
                    objects: c.cache.len(),
                    used_bytes: c.cache.used_bytes(),
                    capacity_bytes: c.cache.capacity_bytes(),
                    evictions: c.cache.evictions(),
                    memory_bytes: c.cache.memory_bytes(),
                })
                .collect(),
            metrics: self.metrics,
        })
    }
}

#[derive(Clone, Copy, Debug)]
enum Node {
    Edge(usize),
    Regional(usize),
    Origin(usize),
}

impl Node {
    fn regional_index(self) -> usize {
        match self {
            Node::Regional(r) => r,
            _ => unreachable!("only regional edge caches sit above the edge"),
        }
    }
}

/// The cache key: the object, and the method for OPTIONS, which CloudFront
/// caches separately (reference §6.2).
fn cache_key(object: u64, method: Method) -> CacheKey {
    object * 2 + (method == Method::Options) as u64
}

/// CloudFront's `x-edge-result-type` for a request leaving the edge.
fn result_type(r: &Request) -> ResultType {
    // The edge's own expired copy was confirmed from upstream (a 304 to the
    // edge), or an expired copy was served because the origin failed.
    let refreshed = r.stale_until.is_some() || (r.levels[0].stale_version.is_some() && !r.body);
    result_type::result_type(Answer { status: r.status, served_by: r.served_by, refreshed })
}

/// Half a round trip, in whole microseconds.
fn half(rtt: SimDuration) -> u32 {
    (rtt.as_micros() / 2).min(u32::MAX as u64) as u32
}

/// Body bytes a viewer receives: HEAD and OPTIONS carry none, nor do errors.
fn body_bytes(method: Method, status: u16, size_bytes: u64) -> u64 {
    if status >= 300 || matches!(method, Method::Head | Method::Options) { 0 } else { size_bytes }
}
