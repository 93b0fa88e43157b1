//! The engine's state, what each part holds and its invariants, and how it
//! is set up from a scenario. The handlers (`arrival`, `level`, `edge`,
//! `origin`, `down`) are `impl Engine` blocks in their own files.

use std::collections::{HashMap, VecDeque};
use std::ops::{Index, IndexMut};

use rand::rngs::Xoshiro256PlusPlus;

use super::connections::Connections;
use super::error_headers::OriginErrorHeaders;
use super::ids::{CacheIdx, LevelIdx, RequestId};
use super::invalidations::Invalidations;
use super::network::Network;
use super::observer::RequestObserver;
use super::page_fetches::PageFetches;
use super::partition::Partition;
use super::pool::RequestPool;
use super::queue::EventQueue;
use super::ranges::Ranges;
use super::request::{Level, Request};
use super::tailoring::Tailoring;
use super::variants::Variants;
use crate::cache::{Cache, CacheKey, new_cache, new_cache_logging_keys};
use crate::cdn::edge_functions::EdgeFunctions;
use crate::cdn::origin_access::OriginAccess;
use crate::cdn::signed::SignedTraffic;
use crate::cdn::traffic::{Catalog, RequestSource, ViewerRequest};
use crate::cdn::viewers::ViewerPopulations;
use crate::http::CacheControl;
use crate::metrics::ranges::RangeStats;
use crate::metrics::{
    AssociationStats, CompressionStats, ConnectionStats, ErrorStats, FunctionMetrics, Metrics, PopulationStats,
    ServedBy, TierStats, UsageCounters,
};
use crate::policy::cache_key::{self, KeyPlan};
use crate::policy::compression::{self, BehaviorCompression, CompressionPlan};
use crate::policy::origin_request::{self, ForwardPlan, Forwarding};
use crate::policy::transforms::{self, ClassTransforms, Rewrite};
use crate::policy::ttl::{self, TtlDecision};
use crate::scenario::{BehaviorSpec, CacheSpec, ClassSpec, Scenario};
use crate::time::{SimDuration, SimTime};

pub(super) struct Engine<'s, O> {
    // What the run is given.
    pub(super) scenario: &'s Scenario,
    pub(super) source: Source<'s>,
    /// Sees each finished request (`run_observed`), or `NoObserver`.
    pub(super) observer: O,
    /// Objects' sizes, behaviors and versions (a trace adds objects as met).
    pub(super) catalog: CatalogHold<'s>,
    /// When the run is cut into partitions (`partition.rs`), this engine's
    /// part: which caches and origins are its own, what it sends elsewhere,
    /// and whom the requests it took from elsewhere answer. Boxed: a serial
    /// run reads only whether it is there.
    pub(super) partition: Option<Box<Partition<'s>>>,

    // The clock and what happens next.
    pub(super) now: SimTime,
    pub(super) queue: EventQueue,
    /// The next viewer request and when it arrives. It is kept out of the
    /// heap: with one arrival pending at a time, comparing it with the heap's
    /// top is cheaper than a push and a pop, and an edge hit then touches the
    /// heap not at all.
    pub(super) next_viewer: Option<(SimTime, ViewerRequest)>,
    pub(super) events: u64,
    pub(super) requests_started: u64,

    // What changes as requests move.
    pub(super) requests: RequestPool,
    pub(super) caches: Caches,
    /// Whether the caches together are too large for the CPU's own caches,
    /// so that prefetch hints (`Cache::prefetch`) pay for their hashing.
    pub(super) prefetch_hints: bool,
    pub(super) origins: Vec<OriginState>,
    pub(super) metrics: Metrics,
    /// The variants of objects the caches hold and the distinct keys looked
    /// up, when some behavior's key settings hold more than the path
    /// (`Scenario::keys_vary`), which is when the run reports them.
    pub(super) variants: Option<Variants>,
    /// What each cached copy was tailored for, when some origin varies on a
    /// value that is forwarded but not keyed (`ForwardPlan::may_be_mistailored`).
    pub(super) tailoring: Option<Tailoring>,
    /// Which keys invalidations remove and when they reach each cache, when
    /// the scenario has `[[invalidations]]`.
    pub(super) invalidations: Option<Invalidations>,

    // Fixed at set-up.
    pub(super) network: Network,
    pub(super) rules: Rules,
    /// Keys, sessions and the verifier, when a behavior requires signing.
    pub(super) signed: Option<SignedTraffic>,
    /// Per viewer population (`cdn::viewers`), whether the distribution's
    /// geo restriction refuses it; `None` when it refuses no country.
    pub(super) geo_refused: Option<Vec<bool>>,
    /// The secret header's timelines, when an origin sends or checks one.
    pub(super) access: Option<OriginAccess>,
    /// Edge functions and Lambda@Edge's warm environments, when a behavior
    /// runs a function.
    pub(super) functions: Option<EdgeFunctions>,
    /// When some class's origin sends `stale-if-error`.
    pub(super) stale_deadlines: Option<StaleDeadlines>,
    /// What each error on its way down says about its caching, when some
    /// origin puts `Cache-Control` on its error responses. Boxed: inline,
    /// its 48 bytes cost the event loop 12 instructions a request in a run
    /// without it (callgrind, hit-heavy: +0.50%, boxed +0.15%).
    pub(super) error_headers: Option<Box<OriginErrorHeaders>>,
    /// Range GETs' draws and per-request parts, when some class sends ranges.
    pub(super) ranges: Option<Ranges>,
    /// Custom error pages and their fetches under way, when some custom
    /// error response has a page.
    pub(super) pages: Option<PageFetches>,
    /// Idle connections to origins and viewers' connection draws, when the
    /// scenario has `[connections]`.
    pub(super) connections: Option<Connections>,
}

/// Where the viewer requests come from.
pub(super) enum Source<'s> {
    /// The run's source: the scenario's traffic, a trace, a script.
    Given(&'s mut dyn RequestSource),
    /// A partition's: the requests for its edge locations, handed over by
    /// the coordinator a window ahead (`parallel.rs`), in time order.
    Inbox { requests: VecDeque<(SimTime, ViewerRequest)>, viewers_retry_redirects: bool },
}

impl Source<'_> {
    fn viewers_retry_redirects(&self) -> bool {
        match self {
            Source::Given(source) => source.viewers_retry_redirects(),
            Source::Inbox { viewers_retry_redirects, .. } => *viewers_retry_redirects,
        }
    }

    pub(super) fn peek_ahead(&self, distance: usize) -> Option<(usize, u64, crate::http::Method)> {
        debug_assert!(distance >= 1);
        match self {
            Source::Given(source) => source.peek_ahead(distance),
            // A partition's inbox holds a window's few requests: a chain of
            // prefetches several requests long would miss its first and last
            // ones, so it takes the serial engine's one request ahead.
            Source::Inbox { .. } => None,
        }
    }

    pub(super) fn scripted_range(&self) -> Option<Option<crate::policy::range::ViewerRange>> {
        match self {
            Source::Given(source) => source.scripted_range(),
            Source::Inbox { .. } => None,
        }
    }
}

/// The catalog: the run's own, or, for a partition, the one all partitions
/// read (it does not change while they run: traces, which grow it, run on
/// one partition).
pub(super) enum CatalogHold<'s> {
    Owned(Catalog),
    Shared(&'s Catalog),
}

impl CatalogHold<'_> {
    /// The catalog a source may add objects to: only a run's own.
    pub(super) fn owned_mut(&mut self) -> &mut Catalog {
        match self {
            CatalogHold::Owned(catalog) => catalog,
            CatalogHold::Shared(_) => unreachable!("a partition's requests come from its inbox, not a source"),
        }
    }
}

impl std::ops::Deref for CatalogHold<'_> {
    type Target = Catalog;

    #[inline(always)]
    fn deref(&self) -> &Catalog {
        match self {
            CatalogHold::Owned(catalog) => catalog,
            CatalogHold::Shared(catalog) => catalog,
        }
    }
}

/// Every cache of the run: the edge locations first, then the regional edge
/// caches (`CacheIdx`).
pub(super) struct Caches(Vec<CacheNode>);

impl Index<CacheIdx> for Caches {
    type Output = CacheNode;

    fn index(&self, cache: CacheIdx) -> &CacheNode {
        &self.0[cache.index()]
    }
}

impl IndexMut<CacheIdx> for Caches {
    fn index_mut(&mut self, cache: CacheIdx) -> &mut CacheNode {
        &mut self.0[cache.index()]
    }
}

impl Caches {
    pub(super) fn iter(&self) -> impl Iterator<Item = &CacheNode> {
        self.0.iter()
    }
}

pub(super) struct CacheNode {
    pub(super) cache: Box<dyn Cache>,
    /// Object fetches under way from this cache: key -> the leading request.
    pub(super) in_flight: HashMap<CacheKey, Fetch, foldhash::fast::FixedState>,
}

/// A fetch under way from one cache, which later requests for the same key
/// join instead of fetching again.
#[derive(Clone, Copy)]
pub(super) struct Fetch {
    pub(super) leader: RequestId,
    /// Where this cache is on the leader's route. A request that joins may
    /// have it at another level: an Origin Shield is the second level for
    /// edges in its own Region and the third for the others.
    // Invariant: requests[leader].route[level].cache is this cache.
    pub(super) level: LevelIdx,
}

pub(super) struct OriginState {
    // Invariant: in_service <= concurrency; a request holds a slot from
    // `start_service` to its `OriginDone` (`OriginAttempt::holds_slot`).
    pub(super) in_service: u32,
    pub(super) concurrency: u32,
    // Invariant: queue.len() <= queue_limit, and the queue is empty while
    // a slot is free.
    pub(super) queue_limit: u32,
    pub(super) queue: VecDeque<RequestId>,
    pub(super) latency_ms: crate::dist::Dist,
    /// The service time when `latency_ms` draws nothing (and no fault slows it).
    pub(super) fixed_service: Option<SimDuration>,
    pub(super) rng: Xoshiro256PlusPlus,
}

impl OriginState {
    /// Takes a concurrency slot, which must be free.
    pub(super) fn take_slot(&mut self) {
        debug_assert!(self.in_service < self.concurrency, "origin over its concurrency");
        self.in_service += 1;
    }

    /// Gives back a slot a finished attempt held. Checked in release builds
    /// too: a slot given back twice would otherwise wrap to four billion
    /// requests in service, silently.
    pub(super) fn release_slot(&mut self) {
        self.in_service = self.in_service.checked_sub(1).expect("an origin slot was given back that no attempt held");
    }

    /// Queues a request that found every slot taken; false if the queue is full.
    pub(super) fn enqueue(&mut self, id: RequestId) -> bool {
        debug_assert!(self.in_service >= self.concurrency, "a request queues only while every slot is taken");
        if self.queue.len() as u32 >= self.queue_limit {
            return false;
        }
        self.queue.push_back(id);
        debug_assert!(self.queue.len() as u32 <= self.queue_limit);
        true
    }
}

/// Per (behavior, class): how a response is cached, decided once at set-up
/// because both inputs are fixed for the run.
#[derive(Clone, Copy)]
pub(super) struct CachingRule {
    pub(super) ttl: TtlDecision,
    /// Concurrent misses may be merged. CloudFront does not collapse when
    /// caching is disabled, nor when MinTTL is 0 and the origin forbids reuse,
    /// nor when the behavior forwards cookies (DG-custom-origin,
    /// "Simultaneous requests for the same object"; reference §6.3).
    pub(super) collapsible: bool,
    /// What of the class's requests the behavior's cache key holds, once
    /// its viewer-request function's transforms have run.
    pub(super) key: KeyPlan,
    /// What of them reaches the origin, and what the origin varies on.
    pub(super) forward: ForwardPlan,
    /// The class's `stale-if-error` window (`policy::error_caching`);
    /// `None` when its origin sends no such directive.
    pub(super) stale_if_error: Option<SimDuration>,
    /// The class's `stale-while-revalidate` window (`policy::freshness`);
    /// `None` when its origin sends no such directive.
    pub(super) stale_while_revalidate: Option<SimDuration>,
}

/// Per cache and key, the end of the `stale-if-error` window of the expired
/// copy held there, for copies that have answered an error already (their
/// expiry then says until when they answer, no longer when they went stale)
/// or came down served on error from a tier above. Only keys of classes
/// whose origin sends `stale-if-error` are entered; a fresh copy stored
/// under the key removes its entry.
pub(super) type StaleDeadlines = HashMap<(u16, CacheKey), SimTime, foldhash::fast::FixedState>;

/// Per (behavior, class) whose behavior's viewer-request function declares
/// transforms: what changes the request's ids before its key is made, and
/// the key it would have had without them (reported, not looked up).
pub(super) struct ViewerTransform {
    /// `None` when the transforms are all folded into `CachingRule::key`.
    pub(super) rewrite: Option<Rewrite>,
    pub(super) plain_key: KeyPlan,
}

/// The run's rules that do not change as it goes.
pub(super) struct Rules {
    // Invariant: caching.len() == compression.len() == behaviors × n_classes.
    caching: Vec<CachingRule>,
    /// How each behavior compresses each class's responses.
    compression: Vec<CompressionPlan>,
    /// Some (behavior, class) compresses: requests work out their encoding
    /// at arrival. False, every response leaves at the object's size.
    pub(super) compresses: bool,
    // Invariant: empty, or one entry per (behavior, class) as `caching`.
    viewer_transforms: Vec<Option<ViewerTransform>>,
    /// The scenario's classes, plus the page column when some custom error
    /// page is no class's object (`page_class`).
    n_classes: usize,
    /// The scenario allows collapsing concurrent misses.
    pub(super) collapse: bool,
    /// Some (behavior, class)'s key holds more than the path: requests
    /// work out their variant at arrival. False, every key is the path's
    /// and arrival skips the plan entirely.
    pub(super) keys_vary: bool,
    /// Some origin varies on a value some request may not forward: origin
    /// answers check for untailored responses. False, they read no plan.
    pub(super) origins_vary: bool,
    /// Some class's origin sends `stale-while-revalidate`: expired copies
    /// found at lookup are checked against its window. False, they go up.
    pub(super) revalidates_in_background: bool,
    /// Some class's requests carry a body to the origin (`request_body`):
    /// requests reaching an origin count it. False, they skip the check.
    pub(super) sends_bodies: bool,
    /// Whether a viewer redirected to HTTPS sends its retry from here
    /// (simulated viewers), or the source holds the retries (a replayed log).
    pub(super) viewers_retry_redirects: bool,
}

impl Rules {
    pub(super) fn caching(&self, behavior: usize, class: usize) -> CachingRule {
        self.caching[behavior * self.n_classes + class]
    }

    pub(super) fn compression(&self, behavior: usize, class: usize) -> &CompressionPlan {
        &self.compression[behavior * self.n_classes + class]
    }

    /// Whether some behavior's viewer-request function declares transforms.
    #[inline]
    pub(super) fn transforms_any(&self) -> bool {
        !self.viewer_transforms.is_empty()
    }

    /// What the behavior's viewer-request function does to the class's
    /// requests, when it declares transforms.
    #[inline]
    pub(super) fn viewer_transform(&self, behavior: usize, class: usize) -> Option<&ViewerTransform> {
        self.viewer_transforms.get(behavior * self.n_classes + class)?.as_ref()
    }
}

impl<'s, O: RequestObserver> Engine<'s, O> {
    pub(super) fn new(
        scenario: &'s Scenario,
        seed: u64,
        catalog: CatalogHold<'s>,
        source: Source<'s>,
        observer: O,
        partition: Option<Partition<'s>>,
    ) -> Self {
        let network = Network::build(scenario, seed);
        let n_edges = scenario.topology.edges.len();
        let n_regional = scenario.topology.regional_caches.len();
        let viewer_transforms = class_transforms(scenario);
        let mut caching = caching_rules(scenario, &viewer_transforms);
        let mut compression = compression_plans(scenario, &viewer_transforms);
        let mut viewer_transform_table = viewer_transform_rules(scenario, &viewer_transforms);
        let mut n_classes = scenario.traffic.classes.len();
        if scenario.distribution.custom_error_responses.iter().any(|c| c.page.is_some()) {
            // The page column: how each behavior caches a custom error page
            // that is no class's object.
            let behaviors = &scenario.distribution.behaviors;
            caching = with_page_column(caching, n_classes, behaviors.iter().map(page_caching_rule));
            compression = with_page_column(compression, n_classes, behaviors.iter().map(|_| CompressionPlan::OFF));
            if !viewer_transform_table.is_empty() {
                viewer_transform_table =
                    with_page_column(viewer_transform_table, n_classes, behaviors.iter().map(|_| None));
            }
            n_classes += 1;
        }
        let rules = Rules {
            keys_vary: caching.iter().any(|rule| !rule.key.is_path_only()),
            origins_vary: caching.iter().any(|rule| rule.forward.may_be_untailored()),
            revalidates_in_background: caching.iter().any(|rule| rule.stale_while_revalidate.is_some()),
            caching,
            compresses: compression.iter().any(|plan| !plan.is_off()),
            compression,
            viewer_transforms: viewer_transform_table,
            n_classes,
            collapse: scenario.simulation.collapse_requests,
            viewers_retry_redirects: source.viewers_retry_redirects(),
            sends_bodies: scenario.traffic.classes.iter().any(|c| c.request_body_bytes > 0),
        };
        let mut metrics = Metrics::new(
            n_edges + n_regional,
            n_regional,
            scenario.origins.len(),
            scenario.distribution.behaviors.len(),
            scenario.simulation.metrics_interval,
            scenario.simulation.warmup,
        );
        metrics.usage = UsageCounters::for_scenario(scenario, scenario.simulation.warmup);
        let functions = EdgeFunctions::build(scenario, seed);
        if let Some(functions) = &functions {
            let stats = functions
                .associations()
                .iter()
                .map(|a| AssociationStats::new(a.behavior, a.event, a.function, a.kind))
                .collect();
            metrics.functions = FunctionMetrics::new(stats, scenario.distribution.behaviors.len());
        }
        if scenario.uses_compression() {
            metrics.compression = Some(CompressionStats::default());
        }
        let ranges = Ranges::build(scenario, seed);
        if ranges.is_some() {
            metrics.ranges =
                Some(RangeStats::new(scenario.distribution.behaviors.len(), scenario.traffic.classes.len()));
        }
        if !scenario.distribution.custom_error_responses.is_empty() {
            metrics.errors = Some(ErrorStats::default());
        }
        let viewers = ViewerPopulations::build(scenario);
        if scenario.viewers.is_some() || viewers.populations.len() > n_edges {
            metrics.populations = Some(vec![PopulationStats::default(); viewers.populations.len()]);
        }
        let page_class = scenario.traffic.classes.len() as u16;
        let pages = PageFetches::build(scenario, &catalog, page_class);
        let connections = Connections::build(scenario, seed, n_edges + n_regional);
        if connections.is_some() {
            metrics.connections = Some(ConnectionStats::new(n_edges + n_regional, n_edges, scenario.origins.len()));
        }
        // Followed whenever the report has them, even if no request carries
        // anything its key could hold (then every object has one key).
        let follow_variants = scenario.keys_vary();
        // A partition sizes the tables of its own caches only: the others
        // are never looked up there.
        let owns = |cache: usize| partition.as_ref().is_none_or(|p| p.owns_cache(cache));
        let (caches, table_sizes) = caches(scenario, &catalog, follow_variants, owns);
        let prefetch_hints = table_sizes.iter().sum::<usize>() >= PREFETCH_MIN_OBJECTS;
        let variants =
            follow_variants.then(|| Variants::new(&table_sizes, n_regional, scenario.distribution.behaviors.len()));
        let tailoring =
            rules.caching.iter().any(|rule| rule.forward.may_be_mistailored()).then(|| Tailoring::new(&table_sizes));
        let mut queue = EventQueue::with_capacity(4096);
        let invalidations = Invalidations::build(scenario, seed, &catalog, &mut queue).map(|(inv, stats)| {
            metrics.invalidations = Some(stats);
            inv
        });
        let stale_deadlines = rules
            .caching
            .iter()
            .any(|rule| rule.stale_if_error.is_some())
            .then(|| StaleDeadlines::with_hasher(foldhash::fast::FixedState::with_seed(0)));
        Engine {
            scenario,
            source,
            observer,
            partition: partition.map(Box::new),
            caches,
            prefetch_hints,
            variants,
            tailoring,
            catalog,
            now: SimTime::ZERO,
            queue,
            invalidations,
            next_viewer: None,
            events: 0,
            requests_started: 0,
            requests: RequestPool::with_capacity(1024),
            origins: origin_states(scenario, seed),
            metrics,
            network,
            rules,
            signed: SignedTraffic::new(scenario, seed),
            geo_refused: viewers.refused(scenario),
            access: OriginAccess::build(scenario, seed),
            functions,
            stale_deadlines,
            error_headers: OriginErrorHeaders::build(scenario).map(Box::new),
            ranges,
            pages,
            connections,
        }
    }

    /// The caching rule for a request's behavior and class.
    pub(super) fn caching_rule(&self, r: &Request) -> CachingRule {
        self.rules.caching(r.ask.behavior(), r.ask.class())
    }

    /// Who answered, when the cache at `level` (described by `lvl`) did.
    pub(super) fn tier_of(&self, lvl: &Level, level: LevelIdx) -> ServedBy {
        match (level.is_edge(), lvl.shield_role) {
            (true, _) => ServedBy::Edge,
            (false, true) => ServedBy::Shield,
            (false, false) => ServedBy::Regional,
        }
    }

    /// The counters of the cache at `lvl`, in the role it has there.
    pub(super) fn tier_stats(&mut self, lvl: &Level) -> &mut TierStats {
        if lvl.shield_role {
            &mut self.metrics.shield_role[self.network.regional_index(lvl.cache)]
        } else {
            &mut self.metrics.caches[lvl.cache.index()]
        }
    }
}

/// The index of the cache at `lvl`, in the role it has there, among the
/// tiers: the caches, then the regional caches as Origin Shields (the order
/// of `Metrics::caches` followed by `Metrics::shield_role`).
pub(super) fn tier_index(metrics: &Metrics, network: &Network, lvl: &Level) -> usize {
    if lvl.shield_role { metrics.caches.len() + network.regional_index(lvl.cache) } else { lvl.cache.index() }
}

/// Below this many objects in all caches' tables together (about 1 MiB of
/// slots and index), the engine gives no prefetch hints: the tables stay in
/// the CPU's own caches, and a hint would only cost its hashing. What counts
/// is the sum: 600 edges of 10,000 objects each are 300 MB of tables, and a
/// request for any of them finds its edge's out of the CPU's caches.
const PREFETCH_MIN_OBJECTS: usize = 1 << 14;

/// Edge caches, then regional ones, with tables sized for what they hold
/// (the sizes are returned too); logging their keys when keys vary.
fn caches(
    scenario: &Scenario,
    catalog: &Catalog,
    log_keys: bool,
    owns: impl Fn(usize) -> bool,
) -> (Caches, Vec<usize>) {
    let mean_size =
        scenario.traffic.classes.iter().map(|c| c.size_bytes.mean().min(1e12) * c.objects as f64).sum::<f64>()
            / scenario.total_objects().max(1) as f64;
    // A full cache holds capacity / mean size objects on average; sizes
    // vary, so size its tables a quarter larger. Outgrowing them would
    // double them (Vec growth) and waste half.
    let expected_objects = |capacity: u64| {
        ((1.25 * capacity as f64 / mean_size.max(1.0)) as u64).min(catalog.expected_objects()).min(1 << 24) as usize
    };
    let new = if log_keys { new_cache_logging_keys } else { new_cache };
    let make_cache = |(i, spec): (usize, &CacheSpec)| {
        let (expected, in_flight) = if owns(i) { (expected_objects(spec.capacity_bytes), 64) } else { (0, 0) };
        CacheNode {
            cache: new(spec.eviction, spec.capacity_bytes, expected),
            in_flight: HashMap::with_capacity_and_hasher(in_flight, foldhash::fast::FixedState::with_seed(0)),
        }
    };
    let n_edges = scenario.topology.edges.len();
    let n_regional = scenario.topology.regional_caches.len();
    let specs = || {
        std::iter::repeat_n(&scenario.caches.edge, n_edges)
            .chain(std::iter::repeat_n(&scenario.caches.regional, n_regional))
    };
    let sizes = specs().map(|spec| expected_objects(spec.capacity_bytes)).collect();
    (Caches(specs().enumerate().map(make_cache).collect()), sizes)
}

/// Every (behavior, class) pair, behavior by behavior: the order of the
/// per-pair tables in `Rules`.
fn pairs(scenario: &Scenario) -> impl Iterator<Item = (&BehaviorSpec, &ClassSpec)> {
    let classes = &scenario.traffic.classes;
    scenario.distribution.behaviors.iter().flat_map(move |b| classes.iter().map(move |c| (b, c)))
}

/// Per (behavior, class), what the behavior's viewer-request function's
/// transforms do to the class's requests (`None`: it runs no function that
/// declares any), worked out once for the key, the compression plan and
/// the keys reported before transforms.
fn class_transforms(scenario: &Scenario) -> Vec<Option<ClassTransforms>> {
    pairs(scenario)
        .map(|(b, c)| {
            transforms::viewer_request(&b.functions, &scenario.functions)
                .map(|t| transforms::for_class(t, &c.attributes))
        })
        .collect()
}

/// The TTL decision, whether misses collapse and the key's plan, per
/// (behavior, class).
fn caching_rules(scenario: &Scenario, viewer: &[Option<ClassTransforms>]) -> Vec<CachingRule> {
    pairs(scenario)
        .zip(viewer)
        .map(|((b, c), viewer)| {
            let caches = cache_key::caches(&b.cache_key);
            let ttl = if caches { ttl::decide(&c.cache_control, c.expires_s, &b.ttl) } else { TtlDecision::DoNotCache };
            let forbids =
                c.cache_control.forbids_reuse() || ttl::origin_ttl_s(&c.cache_control, c.expires_s) == Some(0);
            let collapsible = caches
                && cache_key::collapses(&b.cache_key)
                && !(b.ttl.caching_disabled() || (b.ttl.min_s == 0 && forbids));
            let key = transforms::key_plan(&b.cache_key, &c.attributes, viewer.as_ref());
            let forwarding = match (&b.cache_policy, &b.origin_request) {
                (None, _) => Forwarding::Legacy,
                (Some(_), policy) => Forwarding::Policies(policy.as_ref().map(|p| &p.settings)),
            };
            let forward = origin_request::plan(&b.cache_key, &key, forwarding, &c.attributes, &c.origin_varies_on);
            let stale_if_error = c.cache_control.stale_if_error_s.map(SimDuration::from_secs);
            let stale_while_revalidate = c.cache_control.stale_while_revalidate_s.map(SimDuration::from_secs);
            CachingRule { ttl, collapsible, key, forward, stale_if_error, stale_while_revalidate }
        })
        .collect()
}

/// `table` (per (behavior, class), `n_classes` a behavior) with one more
/// class after the last, `page` giving each behavior's entry.
fn with_page_column<T>(table: Vec<T>, n_classes: usize, page: impl Iterator<Item = T>) -> Vec<T> {
    let mut rows = table.into_iter();
    let mut out = Vec::new();
    for page_entry in page {
        out.extend(rows.by_ref().take(n_classes));
        out.push(page_entry);
    }
    debug_assert!(rows.next().is_none(), "a table holds n_classes entries per behavior");
    out
}

/// How a behavior caches a custom error page that is no class's object:
/// as an object whose origin sends no `Cache-Control` or `Expires` (its
/// DefaultTTL within Min and Max TTL), whose key is its path alone.
fn page_caching_rule(b: &BehaviorSpec) -> CachingRule {
    let caches = cache_key::caches(&b.cache_key);
    let no_header = CacheControl::default();
    let ttl = if caches { ttl::decide(&no_header, None, &b.ttl) } else { TtlDecision::DoNotCache };
    CachingRule {
        ttl,
        collapsible: caches && cache_key::collapses(&b.cache_key) && !b.ttl.caching_disabled(),
        key: KeyPlan::PATH_ONLY,
        forward: ForwardPlan::default(),
        stale_if_error: None,
        stale_while_revalidate: None,
    }
}

/// Per (behavior, class), what a viewer-request function's transforms do;
/// empty when no behavior runs one that declares any.
fn viewer_transform_rules(scenario: &Scenario, viewer: &[Option<ClassTransforms>]) -> Vec<Option<ViewerTransform>> {
    if viewer.iter().all(Option::is_none) {
        return Vec::new();
    }
    pairs(scenario)
        .zip(viewer)
        .map(|((b, c), viewer)| {
            let rewrite = viewer.as_ref()?.rewrite.clone();
            Some(ViewerTransform {
                rewrite: (!rewrite.is_identity()).then_some(rewrite),
                plain_key: cache_key::plan(&b.cache_key, &c.attributes),
            })
        })
        .collect()
}

/// How each behavior compresses each class's responses (`policy::compression`).
fn compression_plans(scenario: &Scenario, viewer: &[Option<ClassTransforms>]) -> Vec<CompressionPlan> {
    pairs(scenario)
        .zip(viewer)
        .map(|((b, c), viewer)| {
            let behavior = BehaviorCompression {
                compress: b.compress,
                legacy: b.cache_policy.is_none(),
                key: &b.cache_key,
                ttl: &b.ttl,
            };
            let plan = compression::plan(
                behavior,
                &c.content_type,
                (c.gzip_ratio, c.brotli_ratio),
                &c.attributes.accept_encoding,
            );
            match viewer {
                Some(t) => plan.after_transforms(&t.encodings),
                None => plan,
            }
        })
        .collect()
}

fn origin_states(scenario: &Scenario, seed: u64) -> Vec<OriginState> {
    scenario
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
        .collect()
}
