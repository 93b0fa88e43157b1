//! Edge functions as they run: each function's sampled run times, the round
//! trip to a Lambda@Edge function's Region, and the warm execution
//! environments that decide a cold start.
//!
//! The cold-start model (also in scenarios/README.md, "Edge functions"):
//! - Each Lambda@Edge function has a pool of execution environments in each
//!   Region it runs in, empty when the run starts.
//! - An environment serves one invocation at a time. An invocation that
//!   finds an idle environment takes the one that became idle last (a warm
//!   start); one that finds none starts a new environment (a cold start),
//!   which adds a draw from the function's `cold_start` distribution before
//!   the run.
//! - An environment is taken when the request leaves for the function's
//!   Region and is busy until its run ends (cold start and run, the run cut
//!   at its timeout); then it is idle, and it is reclaimed once idle for the
//!   function's `keep_warm`.
//! - Environments are per function, shared by every behavior and event the
//!   function is associated with; Lambda's concurrency quota (1,000 per
//!   Region) and burst limits are not modelled.
//!
//! CloudFront Functions have no environments to start ("submillisecond
//! startup times", DG edge-functions.md): an invocation is its run.
//!
//! Every draw comes from streams of this component's own (`Stream::
//! EdgeFunctionRun` and `EdgeFunctionColdStart` per function,
//! `EdgeFunctionHop` per edge location), so a scenario without functions
//! draws exactly the numbers it drew before functions existed.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use rand::rngs::Xoshiro256PlusPlus;

use crate::dist::Dist;
use crate::policy::edge_functions::{self, Placement, Site};
use crate::rng::{Stream, stream_rng_indexed};
use crate::scenario::{EdgeEvent, FunctionKind, Scenario};
use crate::time::{SimDuration, SimTime};

/// One function's execution environments in one Region.
#[derive(Clone, Debug, Default)]
pub struct WarmPool {
    // Invariant: sorted by the time each environment became idle, oldest at
    // the front; every time is at most the time of the last `take`.
    idle: VecDeque<SimTime>,
    /// When each busy environment becomes idle.
    busy: BinaryHeap<Reverse<SimTime>>,
}

impl WarmPool {
    /// Takes an environment for an invocation at `now`, after reclaiming the
    /// ones idle for `keep_warm`; returns whether one was warm (else a new
    /// one starts cold). Calls come in time order.
    pub fn take(&mut self, now: SimTime, keep_warm: SimDuration) -> bool {
        while let Some(&Reverse(free_at)) = self.busy.peek()
            && free_at <= now
        {
            self.busy.pop();
            // Busy environments free up in time order, each no earlier than
            // the idle ones before it: the deque stays sorted.
            debug_assert!(self.idle.back().is_none_or(|&last| last <= free_at), "idle environments out of order");
            self.idle.push_back(free_at);
        }
        while let Some(&oldest) = self.idle.front()
            && oldest + keep_warm <= now
        {
            self.idle.pop_front();
        }
        self.idle.pop_back().is_some()
    }

    /// The environment just taken is busy until `free_at`.
    pub fn occupy_until(&mut self, free_at: SimTime) {
        self.busy.push(Reverse(free_at));
    }

    /// Environments that exist, idle or busy (reclaimed ones are gone only
    /// once a `take` notices).
    pub fn environments(&self) -> usize {
        self.idle.len() + self.busy.len()
    }
}

/// One behavior's function on one event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Association {
    pub behavior: usize,
    pub event: EdgeEvent,
    /// An index into `Scenario::functions`.
    pub function: usize,
    pub kind: FunctionKind,
}

/// The associations of a scenario, behaviors in order and each behavior's
/// events in order: the order `EdgeFunctions` and the metrics both number
/// them in.
pub fn associations(scenario: &Scenario) -> Vec<Association> {
    let mut list = Vec::new();
    for (behavior, spec) in scenario.distribution.behaviors.iter().enumerate() {
        for (event, function) in spec.functions.iter() {
            list.push(Association { behavior, event, function, kind: scenario.functions[function].kind });
        }
    }
    list
}

/// What one invocation cost the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Invocation {
    /// How long the request waited on the function: the round trip to its
    /// Region (Lambda@Edge called from an edge location), a cold start, and
    /// the run, cut at its timeout.
    pub waited: SimDuration,
    /// A new execution environment had to start.
    pub cold: bool,
    /// The run hit its timeout: CloudFront answers
    /// `policy::edge_functions::FAILURE_STATUS`.
    pub failed: bool,
    /// The run alone, cut at its timeout: what Lambda@Edge bills duration
    /// for (no round trip, no cold start).
    pub ran: SimDuration,
    /// The regional edge cache whose Region a Lambda@Edge function ran in;
    /// `None` for a CloudFront Function (it runs at the edge location).
    pub region: Option<usize>,
}

/// A function's samplers and, for Lambda@Edge, its pools.
struct Runtime {
    kind: FunctionKind,
    latency_ms: Dist,
    cold_start_ms: Dist,
    keep_warm: SimDuration,
    run_rng: Xoshiro256PlusPlus,
    cold_rng: Xoshiro256PlusPlus,
    // Invariant: one pool per regional edge cache for Lambda@Edge, none for
    // CloudFront Functions.
    pools: Vec<WarmPool>,
}

/// An edge location's way to its regional edge cache's Region.
struct EdgeHop {
    own_regional: usize,
    rtt_ms: Dist,
    rng: Xoshiro256PlusPlus,
}

/// The run's edge functions: who runs on what, and their state.
pub struct EdgeFunctions {
    runtimes: Vec<Runtime>,
    associations: Vec<Association>,
    // Invariant: by_behavior.len() == behaviors; each entry indexes
    // `associations` and names that association's behavior and event.
    by_behavior: Vec<[Option<u16>; 4]>,
    edges: Vec<EdgeHop>,
}

impl EdgeFunctions {
    /// The run's functions, or `None` when no behavior runs one (the engine
    /// then spends one branch per hook on them).
    pub fn build(scenario: &Scenario, seed: u64) -> Option<EdgeFunctions> {
        if !scenario.uses_edge_functions() {
            return None;
        }
        let n_regional = scenario.topology.regional_caches.len();
        let runtimes = scenario
            .functions
            .iter()
            .enumerate()
            .map(|(i, f)| Runtime {
                kind: f.kind,
                latency_ms: f.latency_ms,
                cold_start_ms: f.cold_start_ms,
                keep_warm: f.keep_warm,
                run_rng: stream_rng_indexed(seed, Stream::EdgeFunctionRun, i as u64),
                cold_rng: stream_rng_indexed(seed, Stream::EdgeFunctionColdStart, i as u64),
                pools: match f.kind {
                    FunctionKind::LambdaEdge => vec![WarmPool::default(); n_regional],
                    FunctionKind::CloudFrontFunction => Vec::new(),
                },
            })
            .collect();
        let associations = associations(scenario);
        let mut by_behavior = vec![[None; 4]; scenario.distribution.behaviors.len()];
        for (i, a) in associations.iter().enumerate() {
            by_behavior[a.behavior][a.event.index()] = Some(u16::try_from(i).expect("at most 4 per behavior"));
        }
        let edges = scenario
            .topology
            .edges
            .iter()
            .enumerate()
            .map(|(e, spec)| EdgeHop {
                own_regional: spec.regional_cache,
                rtt_ms: spec.regional_rtt_ms,
                rng: stream_rng_indexed(seed, Stream::EdgeFunctionHop, e as u64),
            })
            .collect();
        Some(EdgeFunctions { runtimes, associations, by_behavior, edges })
    }

    /// The association that runs on `event` of `behavior`'s requests, as an
    /// index into `associations()`.
    #[inline]
    pub fn association(&self, behavior: usize, event: EdgeEvent) -> Option<usize> {
        self.by_behavior[behavior][event.index()].map(usize::from)
    }

    /// Whether `behavior` runs a function on a viewer event: its requests
    /// then cannot be answered from the edge cache at arrival.
    pub fn has_viewer_functions(&self, behavior: usize) -> bool {
        let events = &self.by_behavior[behavior];
        events[EdgeEvent::ViewerRequest.index()].is_some() || events[EdgeEvent::ViewerResponse.index()].is_some()
    }

    pub fn associations(&self) -> &[Association] {
        &self.associations
    }

    /// Where a call from `edge` is made from.
    pub fn edge_site(&self, edge: usize) -> Site {
        Site::Edge { edge, own_regional: self.edges[edge].own_regional }
    }

    /// Invokes association `association` at `now` from `site`: where it
    /// runs, whether it starts cold, how long it runs and whether it times
    /// out.
    pub fn invoke(&mut self, association: usize, site: Site, now: SimTime) -> Invocation {
        let Association { event, function, .. } = self.associations[association];
        let runtime = &mut self.runtimes[function];
        let (hop, region) = match edge_functions::placement(runtime.kind, site) {
            Placement::EdgeLocation => (SimDuration::ZERO, None),
            Placement::Region { regional, from_edge } => {
                let hop = from_edge.map_or(SimDuration::ZERO, |e| {
                    let edge = &mut self.edges[e];
                    SimDuration::from_millis_f64(edge.rtt_ms.sample(&mut edge.rng))
                });
                (hop, Some(regional))
            }
        };
        let cold = match region {
            Some(regional) => !runtime.pools[regional].take(now, runtime.keep_warm),
            None => false,
        };
        let cold_start = if cold {
            SimDuration::from_millis_f64(runtime.cold_start_ms.sample(&mut runtime.cold_rng))
        } else {
            SimDuration::ZERO
        };
        let wanted = SimDuration::from_millis_f64(runtime.latency_ms.sample(&mut runtime.run_rng));
        let run = edge_functions::run(runtime.kind, event, wanted);
        if let Some(regional) = region {
            // Busy from the request's arrival in the Region, half the round
            // trip after it left, until the run ends.
            let busy_from = now + SimDuration(hop.as_micros() / 2);
            runtime.pools[regional].occupy_until(busy_from + cold_start + run.took());
        }
        Invocation { waited: hop + cold_start + run.took(), cold, failed: run.failed(), ran: run.took(), region }
    }

    /// Execution environments of `function` in regional edge cache
    /// `regional`'s Region (for tests and reports).
    pub fn environments(&self, function: usize, regional: usize) -> usize {
        self.runtimes[function].pools.get(regional).map_or(0, WarmPool::environments)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_ms(ms: u64) -> SimTime {
        SimTime(ms * 1000)
    }

    const KEEP: SimDuration = SimDuration::from_secs(60);

    #[test]
    fn a_burst_starts_cold_then_the_next_burst_finds_them_warm() {
        let mut pool = WarmPool::default();
        // Five concurrent invocations at t = 0, each busy for 100 ms: five cold starts.
        let cold: Vec<bool> = (0..5)
            .map(|_| {
                let warm = pool.take(at_ms(0), KEEP);
                pool.occupy_until(at_ms(100));
                !warm
            })
            .collect();
        assert_eq!(cold, [true; 5]);
        // Five more at t = 1 s, within the keep-warm time: all warm, no new environment.
        for _ in 0..5 {
            assert!(pool.take(at_ms(1000), KEEP));
            pool.occupy_until(at_ms(1100));
        }
        assert_eq!(pool.environments(), 5);
        // A sixth concurrent one at t = 1.05 s finds all five busy: cold.
        assert!(!pool.take(at_ms(1050), KEEP));
    }

    #[test]
    fn idle_environments_are_reclaimed_after_keep_warm() {
        let mut pool = WarmPool::default();
        assert!(!pool.take(at_ms(0), KEEP));
        pool.occupy_until(at_ms(10));
        // Idle since 10 ms: still warm just before 60.010 s, gone at it.
        assert!(pool.take(at_ms(60_009), KEEP));
        pool.occupy_until(at_ms(60_020));
        assert!(!pool.take(at_ms(60_020 + 60_000), KEEP), "idle exactly keep_warm: reclaimed");
        pool.occupy_until(at_ms(120_030));
        assert_eq!(pool.environments(), 1);
    }

    #[test]
    fn the_most_recently_idle_environment_is_reused_so_the_others_age_out() {
        let mut pool = WarmPool::default();
        for free_at in [10, 20] {
            assert!(!pool.take(at_ms(0), KEEP));
            pool.occupy_until(at_ms(free_at));
        }
        // At 30 ms both are idle; the one idle since 20 ms is taken, and
        // kept busy past the other's reclaim time.
        assert!(pool.take(at_ms(30), KEEP));
        pool.occupy_until(at_ms(60_015));
        assert!(pool.take(at_ms(60_015), KEEP), "the one just freed");
        pool.occupy_until(at_ms(60_016));
        assert_eq!(pool.environments(), 1, "the one idle since 10 ms was reclaimed at 60.010 s");
    }
}
