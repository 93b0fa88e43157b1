//! Viewer traffic: the object catalog and the request generator.
//!
//! Objects are numbered `0..total_objects`, class by class; within a class,
//! object 0 is the most popular (Zipf rank 1). Each object's size (drawn once
//! from the catalog's stream) and the behavior its path matches are stored
//! together in one `u64` per object, because sampling and path matching are
//! too slow for the hot path; its change phase is a pure function of (seed,
//! object id).

use super::attributes::AttributeDraws;
use super::popularity::Popularity;
use super::viewers::ViewerPopulations;
use crate::cache::Version;
use crate::http::Method;
use crate::policy::range::ViewerRange;
use crate::rng::{Stream, splitmix64, stream_rng, stream_rng_indexed};
use crate::scenario::path_pattern;
use crate::scenario::{Diurnal, RequestAttributes, Scenario, Stop};
use crate::time::{SimTime, round_to_u64};
use rand::RngExt;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::weighted::WeightedAliasIndex;
use rand_distr::{Distribution, Exp1};

/// Sizes above 64 PiB are clamped: far beyond CloudFront's 50 GB object limit.
const SIZE_MASK: u64 = (1 << 56) - 1;

/// Everything fixed about the objects of a run.
pub struct Catalog {
    class_first_object: Vec<u64>,
    /// Per object, its size in bytes in the low 56 bits and its behavior in
    /// the top 8: one read, one cache line, for both.
    objects: Vec<u64>,
    phase_seed: u64,
    change_interval_us: Vec<u64>,
    /// How many objects the run is expected to touch, for sizing cache tables.
    expected_objects: u64,
    /// Path patterns of every behavior but the default, for objects that
    /// traces add during the run.
    patterns: Vec<String>,
}

/// Per class: how often its objects change, in microseconds (0: never).
fn change_intervals_us(scenario: &Scenario) -> Vec<u64> {
    scenario.traffic.classes.iter().map(|c| c.change_interval.map_or(0, |d| d.as_micros())).collect()
}

impl Catalog {
    pub fn build(scenario: &Scenario, run_seed: u64) -> Catalog {
        let distribution = &scenario.distribution;
        let default_behavior = (distribution.behaviors.len() - 1) as u8;
        let total = scenario.total_objects() as usize;
        let mut class_first_object = Vec::with_capacity(scenario.traffic.classes.len() + 1);
        let mut objects = Vec::with_capacity(total);
        let mut sizes = stream_rng(run_seed, Stream::Catalog);
        let mut path = String::new();
        let mut first = 0;
        for class in &scenario.traffic.classes {
            class_first_object.push(first);
            for id in 0..class.objects {
                let size = round_to_u64(class.size_bytes.sample(&mut sizes)).min(SIZE_MASK);
                let behavior = if default_behavior == 0 {
                    default_behavior
                } else {
                    class.path_of(id, &mut path);
                    distribution.behavior_for(&path) as u8
                };
                objects.push(size | (behavior as u64) << 56);
            }
            first += class.objects;
        }
        class_first_object.push(first);
        Catalog {
            class_first_object,
            objects,
            expected_objects: first,
            patterns: Vec::new(),
            phase_seed: sizes.random(),
            change_interval_us: change_intervals_us(scenario),
        }
    }

    /// The catalog without its objects' sizes and behaviors: what a source
    /// that only numbers objects reads (`object_id`), while the partitions
    /// of a run read the whole one.
    pub fn numbering(&self) -> Catalog {
        Catalog {
            class_first_object: self.class_first_object.clone(),
            objects: Vec::new(),
            phase_seed: self.phase_seed,
            change_interval_us: self.change_interval_us.clone(),
            expected_objects: self.expected_objects,
            patterns: self.patterns.clone(),
        }
    }

    pub fn total_objects(&self) -> u64 {
        *self.class_first_object.last().expect("one entry per class plus the end")
    }

    /// An empty catalog that a trace fills as it meets objects. Every trace
    /// object belongs to the first class (its Cache-Control and change
    /// interval apply); `expected_objects` sizes the cache tables (they grow
    /// past it).
    pub fn for_trace(scenario: &Scenario, run_seed: u64, expected_objects: u64) -> Catalog {
        let behaviors = &scenario.distribution.behaviors;
        let mut phases = stream_rng(run_seed, Stream::Catalog);
        Catalog {
            class_first_object: vec![0; scenario.traffic.classes.len() + 1],
            objects: Vec::with_capacity(expected_objects.min(1 << 24) as usize),
            phase_seed: phases.random(),
            change_interval_us: change_intervals_us(scenario),
            expected_objects: expected_objects.max(1),
            patterns: behaviors[..behaviors.len() - 1].iter().map(|b| b.path_pattern.clone()).collect(),
        }
    }

    /// Objects the run is expected to touch: the whole catalog, or a trace's estimate.
    pub fn expected_objects(&self) -> u64 {
        self.expected_objects
    }

    /// Adds an object met in a trace; `path` (a log's URI) picks its cache
    /// behavior, else it gets the default behavior. Returns its id.
    pub fn add_traced_object(&mut self, size_bytes: u64, path: Option<&str>) -> u64 {
        let default_behavior = self.patterns.len() as u8;
        let behavior = match path {
            Some(path) if !self.patterns.is_empty() => {
                path_pattern::first_match(self.patterns.iter().map(|p| p.as_str()), path)
                    .map_or(default_behavior, |i| i as u8)
            }
            _ => default_behavior,
        };
        self.objects.push(size_bytes.min(SIZE_MASK) | (behavior as u64) << 56);
        (self.objects.len() - 1) as u64
    }

    /// A log request that carries the body gives the object's current size;
    /// later requests that carry none (HEAD, errors) read it from here.
    pub fn set_size(&mut self, object: u64, size_bytes: u64) {
        let word = &mut self.objects[object as usize];
        *word = (*word & !SIZE_MASK) | size_bytes.min(SIZE_MASK);
    }

    /// The global id of a class's object of popularity rank `rank` (0 = most popular).
    pub fn object_id(&self, class: usize, rank: u64) -> u64 {
        self.class_first_object[class] + rank
    }

    /// The object's number within its class, as it appears in its path.
    pub fn id_in_class(&self, class: usize, object: u64) -> u64 {
        object - self.class_first_object[class]
    }

    /// The object's size and behavior, from one read.
    pub fn facts_of(&self, object: u64) -> ObjectFacts {
        let word = self.objects[object as usize];
        ObjectFacts { size_bytes: word & SIZE_MASK, behavior: (word >> 56) as usize }
    }

    /// The behavior of objects whose path matches no pattern, and of CSV trace objects.
    pub fn default_behavior(&self) -> usize {
        self.patterns.len()
    }

    /// The index of the cache behavior whose pattern the object's path matches first.
    pub fn behavior_of(&self, object: u64) -> usize {
        (self.objects[object as usize] >> 56) as usize
    }

    /// A hint that `object` will be asked about soon (see `crate::prefetch`).
    pub fn prefetch(&self, object: u64) {
        crate::prefetch::prefetch(&self.objects[object as usize]);
    }

    /// The object's size in bytes, the same at every request.
    pub fn size_of(&self, object: u64) -> u64 {
        self.objects[object as usize] & SIZE_MASK
    }

    /// Which version of the object the origin holds at `now`. Objects of a
    /// class with a change interval change once per interval, each at its own
    /// phase so that changes do not all land at once.
    pub fn version_at(&self, class: usize, object: u64, now: SimTime) -> Version {
        // A class past the scenario's is the engine's for custom error
        // pages that are no class's object: they never change.
        let interval = self.change_interval_us.get(class).copied().unwrap_or(0);
        if interval == 0 {
            return Version::FIRST;
        }
        let phase = splitmix64(self.phase_seed ^ object) % interval;
        Version::wrapping((now.0 + phase) / interval)
    }
}

/// One viewer request as generated, before it reaches the edge.
#[derive(Clone, Copy, Debug)]
pub struct ViewerRequest {
    /// The edge location that serves it.
    pub edge: usize,
    /// Whose viewers sent it (`cdn::viewers`): where they are, and so their
    /// round trip and country. A request that is no population's (a trace
    /// line, a scripted request, a page fetch) is its edge's own
    /// population: `edge`.
    pub population: u16,
    pub class: usize,
    pub object: u64,
    pub method: Method,
    pub https: bool,
    /// The viewer session, for classes whose viewers sign (else 0).
    pub session: u32,
    /// For a logged request, CloudFront's `x-edge-result-type` and
    /// `x-edge-detailed-result-type` (one byte), to compare.
    pub logged_result: Option<crate::policy::result_type::Logged>,
    /// For a logged request to a behavior that requires signing, the
    /// verifier's verdict on the URL the log holds (the engine then uses it
    /// instead of a simulated session's credentials).
    pub logged_signature: Option<Result<(), cdnsim_sign::Rejection>>,
    /// Set for a request sent straight to an origin, bypassing CloudFront;
    /// the other fields are then meaningless.
    pub direct: Option<DirectRequest>,
    /// The object's size and cache behavior when the source knows them
    /// without the catalog (a CSV trace line gives the size, and its
    /// objects all take the default behavior); `None`: the engine reads
    /// the catalog. Saves a read at random in a big catalog per request.
    pub object_facts: Option<ObjectFacts>,
    /// What the request carries besides its path (query parameters,
    /// cookies, headers), which its behavior's cache key may hold.
    pub attributes: RequestAttributes,
    /// For a request replayed from a log, the variant its logged query
    /// string and cookies make under its behavior's cache policy, worked
    /// out by the trace source (`policy::cache_key::traced_variant`): a
    /// log's names are not a class's slots. `None` otherwise.
    pub traced_variant: Option<std::num::NonZeroU64>,
}

/// What the engine needs to know about an object to route and store it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ObjectFacts {
    pub size_bytes: u64,
    pub behavior: usize,
}

/// A request that bypasses CloudFront.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirectRequest {
    pub origin: u16,
    /// The secret header's value it carries (interned), or `ABSENT`.
    pub header_value: crate::scenario::HeaderValueId,
}

/// Draws arrival times and requests from the scenario's traffic mix.
pub struct TrafficGenerator {
    arrivals: Xoshiro256PlusPlus,
    popularity: Vec<Xoshiro256PlusPlus>,
    rate_per_us: f64,
    peak_rate_per_us: f64,
    diurnal: Option<Diurnal>,
    https_share: f64,
    /// Draws a source of viewers (`cdn::viewers`): an edge location's own
    /// viewers, or a population of `[viewers]`.
    source_by_weight: WeightedAliasIndex<f64>,
    /// Per source: the edge location that serves it, and its population;
    /// `None` when each source is an edge's own viewers served there (no
    /// `[viewers]`, and a price class that excludes no edge): then source,
    /// edge and population are one number, and a request pays no lookup.
    sources: Option<Box<[(usize, u16)]>>,
    class_by_share: WeightedAliasIndex<f64>,
    popularity_by_class: Vec<Popularity>,
    methods_by_class: Vec<(Vec<Method>, WeightedAliasIndex<f64>)>,
    sessions_by_class: Vec<u32>,
    /// Each class's attributes, from streams of their own; `None` when no
    /// class draws any (one branch per request, nothing more).
    attributes: Option<AttributeDraws>,
}

impl TrafficGenerator {
    pub fn new(scenario: &Scenario, run_seed: u64) -> TrafficGenerator {
        let traffic = &scenario.traffic;
        let rate_per_us = traffic.rate_per_s / 1e6;
        let amplitude = traffic.diurnal.map_or(0.0, |d| d.amplitude);
        let viewers = ViewerPopulations::build(scenario);
        let identity = viewers.source_population.iter().enumerate().all(|(s, &p)| p as usize == s)
            && viewers.populations.iter().enumerate().all(|(p, population)| population.edge == p);
        let sources = (!identity)
            .then(|| viewers.source_population.iter().map(|&p| (viewers.populations[p as usize].edge, p)).collect());
        let class_shares = traffic.classes.iter().map(|c| c.request_share).collect();
        TrafficGenerator {
            arrivals: stream_rng(run_seed, Stream::Arrivals),
            popularity: (0..traffic.classes.len())
                .map(|i| stream_rng_indexed(run_seed, Stream::Popularity, i as u64))
                .collect(),
            rate_per_us,
            peak_rate_per_us: rate_per_us * (1.0 + amplitude),
            diurnal: traffic.diurnal,
            https_share: traffic.https_share,
            source_by_weight: WeightedAliasIndex::new(viewers.source_weights).expect("validated: weights are positive"),
            sources,
            class_by_share: WeightedAliasIndex::new(class_shares).expect("validated: shares are positive"),
            popularity_by_class: traffic.classes.iter().map(|c| Popularity::new(c.objects, c.zipf_alpha)).collect(),
            sessions_by_class: traffic.classes.iter().map(|c| c.signed.as_ref().map_or(0, |s| s.sessions)).collect(),
            attributes: Some(AttributeDraws::new(scenario, run_seed)).filter(AttributeDraws::any),
            methods_by_class: traffic
                .classes
                .iter()
                .map(|c| {
                    let (methods, weights): (Vec<Method>, Vec<f64>) = c.methods().unzip();
                    (methods, WeightedAliasIndex::new(weights).expect("validated: a positive method weight"))
                })
                .collect(),
        }
    }

    /// The arrival rate at `t`, per microsecond.
    pub fn rate_at(&self, t: SimTime) -> f64 {
        match self.diurnal {
            None => self.rate_per_us,
            Some(d) => {
                let phase = (t.0 as f64 - d.peak.as_micros() as f64) / d.period.as_micros() as f64;
                self.rate_per_us * (1.0 + d.amplitude * (std::f64::consts::TAU * phase).cos())
            }
        }
    }

    /// The next arrival after `now` of a Poisson process whose rate follows the
    /// diurnal curve (Lewis-Shedler thinning against the peak rate).
    pub fn next_arrival(&mut self, now: SimTime) -> SimTime {
        let mut t = now.0 as f64;
        loop {
            let gap: f64 = Exp1.sample(&mut self.arrivals);
            t += gap / self.peak_rate_per_us;
            let at = SimTime(t as u64);
            if self.diurnal.is_none() || self.arrivals.random::<f64>() * self.peak_rate_per_us <= self.rate_at(at) {
                return at.max(now);
            }
        }
    }

    /// Draws who asks for what.
    pub fn sample(&mut self, catalog: &Catalog) -> ViewerRequest {
        let source = self.source_by_weight.sample(&mut self.arrivals);
        let (edge, population) = match &self.sources {
            None => (source, source as u16),
            Some(sources) => sources[source],
        };
        let class = self.class_by_share.sample(&mut self.arrivals);
        let (methods, by_weight) = &self.methods_by_class[class];
        let method = methods[by_weight.sample(&mut self.arrivals)];
        let https = self.https_share >= 1.0 || self.arrivals.random::<f64>() < self.https_share;
        let rank = self.popularity_by_class[class].sample(&mut self.popularity[class]);
        // Only classes whose viewers sign draw a session, so that unsigned
        // scenarios keep their random streams unchanged.
        let sessions = self.sessions_by_class[class];
        let session = if sessions > 0 { self.popularity[class].random_range(0..sessions) } else { 0 };
        ViewerRequest {
            edge,
            population,
            class,
            object: catalog.object_id(class, rank),
            method,
            https,
            session,
            logged_result: None,
            logged_signature: None,
            direct: None,
            object_facts: None,
            attributes: match &mut self.attributes {
                Some(draws) => draws.draw(class),
                None => RequestAttributes::NONE,
            },
            traced_variant: None,
        }
    }
}

/// Where viewer requests come from: the synthetic generator, a script in a
/// test, or a trace.
pub trait RequestSource: Send {
    /// The next viewer request and when it reaches its edge location, no
    /// earlier than the previous one; `None` ends the traffic. The engine
    /// asks for a request before the previous one has run, so a source
    /// must not depend on the simulation's state.
    /// A trace source adds the objects it meets to `catalog` and updates their sizes.
    fn next_request(&mut self, catalog: &mut Catalog) -> Option<(SimTime, ViewerRequest)>;

    /// The request that the `distance`-th next call will return (1: the
    /// next), as (edge, object, method), if the source has already read
    /// that far; only for prefetching, so `None` is always correct.
    fn peek_ahead(&self, _distance: usize) -> Option<(usize, u64, Method)> {
        None
    }

    /// Whether a viewer that `redirect-to-https` redirects sends the request
    /// again over HTTPS by itself: simulated viewers do. A replayed access
    /// log already holds each retry as a request of its own, so a trace
    /// source says no, and the engine sends no retry of its own.
    fn viewers_retry_redirects(&self) -> bool {
        true
    }

    /// Whether `next_request` adds objects to the catalog or changes them
    /// (a trace does): a run of such a source is one partition, since its
    /// partitions would read the catalog while it changes.
    fn grows_catalog(&self) -> bool {
        false
    }

    /// For the request the last `next_request` returned, its `Range`
    /// header when the source scripts it (`Some(None)`: none), for worked
    /// examples; `None` lets the class's range settings draw it. Asked only
    /// in runs where some class sends ranges.
    fn scripted_range(&self) -> Option<Option<ViewerRange>> {
        None
    }
}

/// The scenario's own traffic, until its stop condition.
pub struct SyntheticTraffic {
    generator: TrafficGenerator,
    stop: Stop,
    generated: u64,
    last_arrival: SimTime,
    /// The next viewer request, drawn ahead when direct requests interleave.
    pending_viewer: Option<(SimTime, ViewerRequest)>,
    direct: Option<DirectArrivals>,
}

/// A Poisson stream of requests that bypass CloudFront, from its own random
/// stream so that the viewers' draws do not change.
struct DirectArrivals {
    rng: Xoshiro256PlusPlus,
    rate_per_us: f64,
    next_at: SimTime,
    request: DirectRequest,
}

impl DirectArrivals {
    fn advance(&mut self) {
        let gap: f64 = Exp1.sample(&mut self.rng);
        self.next_at = SimTime(self.next_at.0 + (gap / self.rate_per_us) as u64);
    }
}

impl SyntheticTraffic {
    pub fn new(scenario: &Scenario, run_seed: u64) -> Self {
        let direct = scenario.traffic.direct_to_origin.map(|d| {
            let mut arrivals = DirectArrivals {
                rng: stream_rng(run_seed, Stream::DirectToOrigin),
                rate_per_us: d.rate_per_s / 1e6,
                next_at: SimTime::ZERO,
                request: DirectRequest { origin: d.origin as u16, header_value: d.header_value },
            };
            arrivals.advance();
            arrivals
        });
        SyntheticTraffic {
            generator: TrafficGenerator::new(scenario, run_seed),
            stop: scenario.simulation.stop,
            generated: 0,
            last_arrival: SimTime::ZERO,
            pending_viewer: None,
            direct,
        }
    }

    /// Direct requests interleave with the viewers' and stop when they stop.
    fn next_with_direct(&mut self, catalog: &mut Catalog) -> Option<(SimTime, ViewerRequest)> {
        if self.pending_viewer.is_none() {
            self.pending_viewer = self.next_viewer(catalog);
        }
        let (viewer_at, _) = self.pending_viewer?;
        let direct = self.direct.as_mut().expect("called only with direct traffic");
        if direct.next_at < viewer_at {
            let at = direct.next_at;
            direct.advance();
            let request = ViewerRequest {
                edge: 0,
                population: 0,
                class: 0,
                object: 0,
                method: Method::Get,
                https: true,
                session: 0,
                logged_result: None,
                logged_signature: None,
                direct: Some(direct.request),
                object_facts: None,
                attributes: RequestAttributes::NONE,
                traced_variant: None,
            };
            return Some((at, request));
        }
        self.pending_viewer.take()
    }
}

impl RequestSource for SyntheticTraffic {
    fn next_request(&mut self, catalog: &mut Catalog) -> Option<(SimTime, ViewerRequest)> {
        if self.direct.is_some() { self.next_with_direct(catalog) } else { self.next_viewer(catalog) }
    }
}

impl SyntheticTraffic {
    fn next_viewer(&mut self, catalog: &mut Catalog) -> Option<(SimTime, ViewerRequest)> {
        let at = self.generator.next_arrival(self.last_arrival);
        self.last_arrival = at;
        let open = match self.stop {
            Stop::Requests(n) => self.generated < n,
            Stop::Duration(d) => at < SimTime::ZERO + d,
        };
        if !open {
            return None;
        }
        self.generated += 1;
        Some((at, self.generator.sample(catalog)))
    }
}

/// A fixed list of requests, for tests and worked examples.
pub struct Scripted {
    requests: std::vec::IntoIter<(SimTime, ViewerRequest)>,
    /// Per request, in time order, its scripted `Range` (`with_ranges`);
    /// empty: the classes' settings draw them.
    ranges: std::vec::IntoIter<Option<ViewerRange>>,
    last_range: Option<Option<ViewerRange>>,
}

impl Scripted {
    /// Builds a script from `(time, edge name, method, path)` entries; each
    /// path must be a path of one of the scenario's classes.
    pub fn from_paths(
        scenario: &Scenario,
        catalog: &Catalog,
        entries: &[(SimTime, &str, Method, &str)],
    ) -> Result<Self, String> {
        Ok(Self::from_requests(Self::requests(scenario, catalog, entries)?))
    }

    /// A script of ready-made requests (e.g. from [`Scripted::requests`],
    /// edited), in any order.
    pub fn from_requests(mut requests: Vec<(SimTime, ViewerRequest)>) -> Self {
        requests.sort_by_key(|(at, _)| *at);
        Scripted { requests: requests.into_iter(), ranges: Vec::new().into_iter(), last_range: None }
    }

    /// A script of ready-made requests, each with its `Range` header or
    /// none, in any order.
    pub fn with_ranges(mut requests: Vec<(SimTime, ViewerRequest, Option<ViewerRange>)>) -> Self {
        requests.sort_by_key(|(at, _, _)| *at);
        let ranges: Vec<Option<ViewerRange>> = requests.iter().map(|(_, _, range)| *range).collect();
        let requests: Vec<(SimTime, ViewerRequest)> = requests.into_iter().map(|(at, r, _)| (at, r)).collect();
        Scripted { requests: requests.into_iter(), ranges: ranges.into_iter(), last_range: None }
    }

    /// The requests `from_paths` would script, over HTTPS, for editing.
    pub fn requests(
        scenario: &Scenario,
        catalog: &Catalog,
        entries: &[(SimTime, &str, Method, &str)],
    ) -> Result<Vec<(SimTime, ViewerRequest)>, String> {
        let mut requests = Vec::with_capacity(entries.len());
        for &(at, edge_name, method, path) in entries {
            let edge = scenario
                .topology
                .edges
                .iter()
                .position(|e| e.name == edge_name)
                .ok_or_else(|| format!("no edge location is named {edge_name:?}"))?;
            let (class, object) =
                catalog.object_for_path(scenario, path).ok_or_else(|| format!("{path:?} is no object's path"))?;
            requests.push((
                at,
                ViewerRequest {
                    edge,
                    population: edge as u16,
                    class,
                    object,
                    method,
                    https: true,
                    session: 0,
                    logged_result: None,
                    logged_signature: None,
                    direct: None,
                    object_facts: None,
                    attributes: RequestAttributes::NONE,
                    traced_variant: None,
                },
            ));
        }
        Ok(requests)
    }
}

impl RequestSource for Scripted {
    fn next_request(&mut self, _catalog: &mut Catalog) -> Option<(SimTime, ViewerRequest)> {
        self.last_range = self.ranges.next();
        self.requests.next()
    }

    fn scripted_range(&self) -> Option<Option<ViewerRange>> {
        self.last_range
    }
}

impl Catalog {
    /// The (class, object id) whose path is `path`, if any.
    pub fn object_for_path(&self, scenario: &Scenario, path: &str) -> Option<(usize, u64)> {
        scenario
            .traffic
            .classes
            .iter()
            .enumerate()
            .find_map(|(class, spec)| spec.id_of_path(path).map(|id| (class, self.object_id(class, id))))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_viewer_request_carries_its_attributes_inline() {
        // 64 bytes of who asks for what, 56 of attributes and 8 of a traced
        // variant: no pointer, so drawing a request allocates nothing.
        assert_eq!(std::mem::size_of::<crate::scenario::RequestAttributes>(), 56);
        assert_eq!(std::mem::size_of::<super::ViewerRequest>(), 128);
    }
}
