//! How a run is cut into partitions that advance in parallel, and what
//! crosses between them (conservative parallel discrete-event simulation).
//!
//! A partition is a regional edge cache with its edge locations, or an
//! origin. Each runs as an engine of its own, over the same simulated
//! time, in windows no longer than the lookahead: the shortest one-way delay
//! any request can take between two partitions, from the network's link
//! floors (`Topology::rtt_floor`). A request leaving its partition in a
//! window arrives in the next one or later, so partitions never wait on each
//! other within a window. Partitions joined by a link shorter than
//! `MIN_LOOKAHEAD` are merged (a region's own origin, a Local Zone): windows
//! that short would cost more than they save.
//!
//! Which partition runs on which thread never changes a result: partitions
//! are fixed by the scenario, and what crosses at a window's end is
//! delivered in one order (time, sender, sender's sequence).
//!
//! Imports no handler: the handlers and `parallel.rs` import it.

use super::ids::{CacheIdx, LevelIdx, RequestId};
use super::network::Network;
use super::request::Request;
use crate::cdn::traffic::ViewerRequest;
use crate::scenario::Scenario;
use crate::time::{SimDuration, SimTime};

/// Partitions joined by a shorter one-way delay are merged: a window shorter
/// than this holds a handful of requests (at 50,000 requests a second, 50 a
/// millisecond over the whole distribution) and costs a barrier.
pub const MIN_LOOKAHEAD: SimDuration = SimDuration(1_000);

/// Which partition each cache and origin is in, and the lookahead.
#[derive(Clone, Debug)]
pub struct PartitionPlan {
    // Invariant: every entry below n_parts, and every partition holds a
    // cache or an origin.
    cache_part: Vec<u16>,
    origin_part: Vec<u16>,
    n_parts: usize,
    /// The shortest one-way delay of anything sent between two partitions.
    // Invariant: at least MIN_LOOKAHEAD when n_parts > 1.
    lookahead: SimDuration,
    /// Why the run has fewer partitions than regional caches plus one.
    pub notes: Vec<PartitionNote>,
}

/// Why a run has fewer partitions than it might.
#[derive(Clone, Debug, PartialEq)]
pub enum PartitionNote {
    /// The scenario uses a feature whose state is shared by caches in
    /// different partitions or travels with a request in side tables: the
    /// run is one partition.
    Feature(&'static str),
    /// The requests come from a trace, whose catalog grows as it is read:
    /// the run is one partition.
    Trace,
    /// Two groups joined by a one-way delay under `MIN_LOOKAHEAD` run as one
    /// partition (a regional cache by its Region, an origin by its name).
    ShortLink { a: String, b: String, one_way: SimDuration },
}

impl std::fmt::Display for PartitionNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PartitionNote::Feature(feature) => write!(f, "{feature} run on one partition"),
            PartitionNote::Trace => write!(f, "a trace's requests run on one partition"),
            PartitionNote::ShortLink { a, b, one_way } => write!(
                f,
                "{a} and {b} share a partition: they are {} apart one way, under the {} lookahead worth a window",
                crate::units::format_duration(*one_way),
                crate::units::format_duration(MIN_LOOKAHEAD)
            ),
        }
    }
}

/// A feature the partitioned engine does not split yet, if the scenario
/// uses one: such runs are one partition (the serial engine).
pub fn feature_on_one_partition(scenario: &Scenario) -> Option<&'static str> {
    let distribution = &scenario.distribution;
    if scenario.uses_edge_functions() {
        Some("edge functions")
    } else if scenario.uses_ranges() {
        Some("range GETs")
    } else if scenario.connections.is_some() {
        Some("connections")
    } else if distribution.custom_error_responses.iter().any(|c| c.page.is_some()) {
        Some("custom error pages")
    } else if scenario.origins.iter().any(|o| o.error_cache_control.is_some()) {
        Some("origins' Cache-Control on errors")
    } else if scenario.keys_vary() {
        Some("cache keys beyond the path")
    } else if scenario.traffic.classes.iter().any(|c| !c.origin_varies_on.is_empty()) {
        Some("origins that vary their responses")
    } else if !scenario.invalidations.is_empty() {
        Some("invalidations")
    } else {
        None
    }
}

impl PartitionPlan {
    /// One partition: the serial engine.
    pub fn single(scenario: &Scenario, note: PartitionNote) -> PartitionPlan {
        let n_caches = scenario.topology.edges.len() + scenario.topology.regional_caches.len();
        PartitionPlan {
            cache_part: vec![0; n_caches],
            origin_part: vec![0; scenario.origins.len()],
            n_parts: 1,
            lookahead: SimDuration::ZERO,
            notes: vec![note],
        }
    }

    /// The plan of a run: one partition when its source grows the catalog
    /// (a trace) or it uses a feature not split yet (no network is built
    /// then), else `build`'s.
    pub fn for_run(scenario: &Scenario, seed: u64, source_grows_catalog: bool) -> PartitionPlan {
        if source_grows_catalog {
            return PartitionPlan::single(scenario, PartitionNote::Trace);
        }
        if let Some(feature) = feature_on_one_partition(scenario) {
            return PartitionPlan::single(scenario, PartitionNote::Feature(feature));
        }
        PartitionPlan::build(scenario, &Network::build(scenario, seed))
    }

    /// Each regional cache with its edges, and each origin, merged where a
    /// link between them is shorter than `MIN_LOOKAHEAD` (for a run that
    /// `for_run` found can be cut).
    fn build(scenario: &Scenario, network: &Network) -> PartitionPlan {
        let n_regional = scenario.topology.regional_caches.len();
        let n_origins = scenario.origins.len();
        // Groups: the regional caches (each with its edges), then the origins.
        let origin_group = |origin: usize| n_regional + origin;
        let n_groups = n_regional + n_origins;
        // The shortest one-way delay between each pair of groups that can
        // send each other anything: regional caches to an Origin Shield,
        // regional caches and the edges that skip them to the origins. (A failed-over request leaves for the
        // secondary from the cache the primary's answer came back to: it
        // crosses a pair below either way, and `send_up` asserts it.)
        let mut one_way = vec![None::<SimDuration>; n_groups * n_groups];
        let mut note = |a: usize, b: usize, rtt_floor: SimDuration| {
            let delay = SimDuration(rtt_floor.as_micros() / 2);
            for (x, y) in [(a, b), (b, a)] {
                let cell = &mut one_way[x * n_groups + y];
                *cell = Some(cell.map_or(delay, |d: SimDuration| d.min(delay)));
            }
        };
        // Requests go from one regional cache to another only to an Origin
        // Shield (an origin's own, or a failed-over request to the secondary's).
        let shields: Vec<usize> = scenario.origins.iter().filter_map(|o| o.origin_shield).collect();
        for a in 0..n_regional {
            for &shield in &shields {
                if a != shield {
                    note(a, shield, network.regional_to_regional_floor(a, shield));
                }
            }
            for origin in 0..n_origins {
                note(a, origin_group(origin), network.regional_to_origin_floor(a, origin));
            }
        }
        for edge in 0..scenario.topology.edges.len() {
            for origin in 0..n_origins {
                if network.s3_origin_local(edge, origin) {
                    note(network.own_regional(edge), origin_group(origin), network.edge_to_origin_floor(edge, origin));
                }
            }
        }
        let name = |g: usize| match g.checked_sub(n_regional) {
            Some(origin) => format!("origin {}", scenario.origins[origin].name),
            None => format!("the regional edge cache in {}", scenario.topology.regional_caches[g].region.name),
        };
        // Merge groups closer than the least lookahead worth a window.
        let mut root: Vec<usize> = (0..n_groups).collect();
        fn find(root: &mut [usize], mut g: usize) -> usize {
            while root[g] != g {
                root[g] = root[root[g]];
                g = root[g];
            }
            g
        }
        let mut notes = Vec::new();
        for a in 0..n_groups {
            for b in a + 1..n_groups {
                if let Some(delay) = one_way[a * n_groups + b]
                    && delay < MIN_LOOKAHEAD
                {
                    let (ra, rb) = (find(&mut root, a), find(&mut root, b));
                    // The lower root stays: partitions are numbered by their
                    // first group, whatever order merges came in.
                    root[ra.max(rb)] = ra.min(rb);
                    notes.push(PartitionNote::ShortLink { a: name(a), b: name(b), one_way: delay });
                }
            }
        }
        let mut part_of_root = vec![u16::MAX; n_groups];
        let mut n_parts = 0;
        let group_part: Vec<u16> = (0..n_groups)
            .map(|g| {
                let r = find(&mut root, g);
                if part_of_root[r] == u16::MAX {
                    part_of_root[r] = n_parts as u16;
                    n_parts += 1;
                }
                part_of_root[r]
            })
            .collect();
        let mut lookahead = None::<SimDuration>;
        for a in 0..n_groups {
            for b in 0..n_groups {
                if let Some(delay) = one_way[a * n_groups + b]
                    && group_part[a] != group_part[b]
                {
                    lookahead = Some(lookahead.map_or(delay, |l| l.min(delay)));
                }
            }
        }
        let cache_part = (0..scenario.topology.edges.len())
            .map(|e| group_part[network.own_regional(e)])
            .chain((0..n_regional).map(|r| group_part[r]))
            .collect();
        let plan = PartitionPlan {
            cache_part,
            origin_part: (0..n_origins).map(|o| group_part[origin_group(o)]).collect(),
            n_parts,
            lookahead: lookahead.unwrap_or(SimDuration::ZERO),
            notes,
        };
        debug_assert!(plan.n_parts == 1 || plan.lookahead >= MIN_LOOKAHEAD);
        plan
    }

    pub fn n_parts(&self) -> usize {
        self.n_parts
    }

    pub fn lookahead(&self) -> SimDuration {
        self.lookahead
    }

    pub fn cache_part(&self, cache: CacheIdx) -> usize {
        self.cache_part[cache.index()] as usize
    }

    pub fn origin_part(&self, origin: usize) -> usize {
        self.origin_part[origin] as usize
    }

    /// The partition a viewer request arrives in: its edge location's, or
    /// for a request straight to an origin, the origin's.
    pub fn part_of_request(&self, viewer: &ViewerRequest) -> usize {
        match viewer.direct {
            Some(direct) => self.origin_part(direct.origin as usize),
            None => self.cache_part[viewer.edge] as usize,
        }
    }

    /// The caches of partition `part`.
    pub fn owns_cache(&self, part: usize, cache: usize) -> bool {
        self.cache_part[cache] as usize == part
    }
}

/// A request in another partition's keeping: the slot there that waits for
/// it to come back down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parent {
    pub part: u16,
    pub id: RequestId,
}

/// Where a request crossing partitions goes on arrival.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Crossing {
    /// Up to the cache at this level of its route.
    AtLevel(LevelIdx),
    /// Up to its origin.
    AtOrigin,
    /// Back down to this level, in the partition that sent it up.
    Down(LevelIdx),
}

/// A request sent to another partition, delivered at a window's end. The
/// receiver is the `Outbox` list it is in.
#[derive(Clone, Copy, Debug)]
pub struct Message {
    pub at: SimTime,
    pub crossing: Crossing,
    /// Up: whom the request answers when it comes back down (a new slot
    /// takes it there). Down: the slot it comes back to.
    pub parent: Parent,
    pub request: Request,
}

/// What one partition sent in a window, kept apart by receiver, each in the
/// order sent: a receiver reads its own messages and no one else's.
#[derive(Debug)]
pub struct Outbox {
    /// Per receiving partition, its messages in the order sent.
    to_part: Vec<Vec<Message>>,
}

impl Outbox {
    pub fn new(parts: usize) -> Outbox {
        Outbox { to_part: (0..parts).map(|_| Vec::new()).collect() }
    }

    /// Adds the message `make` makes, to partition `to`. It is made inside
    /// `extend`, once the list has room: `Vec::push` of a message built
    /// first copied its request (some 300 bytes) more, about 60
    /// instructions a request on `cloudfront-scale` (callgrind).
    #[inline]
    pub fn push_with(&mut self, to: usize, make: impl FnOnce() -> Message) {
        self.to_part[to].extend(std::iter::once_with(make));
    }

    /// The messages to partition `part`, in the order sent.
    pub fn to(&self, part: usize) -> &[Message] {
        &self.to_part[part]
    }

    /// Every message, receiver by receiver.
    pub fn all(&self) -> impl Iterator<Item = &Message> {
        self.to_part.iter().flatten()
    }

    pub fn is_empty(&self) -> bool {
        self.to_part.iter().all(Vec::is_empty)
    }

    /// Empties it, keeping its allocations for the next window.
    pub fn clear(&mut self) {
        self.to_part.iter_mut().for_each(Vec::clear);
    }
}

/// A partition's side of the crossings: its number, what it sent this
/// window, and for each request slot that came from elsewhere, where it
/// came from.
pub struct Partition<'p> {
    pub me: u16,
    pub plan: &'p PartitionPlan,
    /// Sent this window.
    pub outbox: Outbox,
    /// What was sent here, as (time, sender, index in the sender's
    /// outbox), sorted: reused from window to window.
    pub inbound: Vec<(SimTime, u32, u32)>,
    // Invariant: parents[i] is Some exactly while slot i holds a request
    // that came up from another partition.
    parents: Vec<Option<Parent>>,
}

impl<'p> Partition<'p> {
    pub fn new(me: usize, plan: &'p PartitionPlan) -> Partition<'p> {
        Partition { me: me as u16, plan, outbox: Outbox::new(plan.n_parts()), inbound: Vec::new(), parents: Vec::new() }
    }

    pub fn me(&self) -> usize {
        self.me as usize
    }

    pub fn parent(&self, id: RequestId) -> Option<Parent> {
        self.parents.get(id.index()).copied().flatten()
    }

    /// Whether cache `cache` (an index of `CacheIdx`) is this partition's.
    pub fn owns_cache(&self, cache: usize) -> bool {
        self.plan.owns_cache(self.me(), cache)
    }

    pub fn set_parent(&mut self, id: RequestId, parent: Option<Parent>) {
        let slot = id.index();
        if slot >= self.parents.len() {
            self.parents.resize(slot + 1, None);
        }
        self.parents[slot] = parent;
    }
}
