//! The discrete-event core: one clock, one event queue, seeded RNG streams,
//! and the handlers that move requests through the CloudFront hierarchy.
//!
//! `Engine::run` (below) pops events in (time, sequence) order and hands each
//! to one `on_*` handler. Handlers apply the CloudFront rules by calling the
//! pure functions of `policy`, and keep their state in tables indexed by id.
//!
//! Files, in the order a request meets them:
//! - `ids.rs`: `RequestId`, `LevelIdx`, `CacheIdx`; `request.rs`: a request's
//!   parts (what was asked, its route, the origin attempt, the response);
//!   `pool.rs`: the slots requests live in; `event.rs`, `queue.rs`: events
//!   and their order. These import no handler.
//! - `state.rs`: the `Engine`'s parts and their set-up; `network.rs`: nodes
//!   and sampled hops.
//! - `arrival.rs`: a viewer request reaches its edge (route, viewer leg, the
//!   edge-hit fast path); `edge.rs`: what the edge checks before any cache.
//! - `level.rs`: a cache level: lookup, collapsing onto a fetch, forwarding.
//! - `origin.rs`: connecting, the origin's slots and queue, failover;
//!   `connections.rs`: idle connections kept alive per cache and origin,
//!   and viewers' connections, when the scenario models connections.
//! - `down.rs`: the way down: storing, answering waiters, finishing.
//! - `functions.rs`: edge functions on the way (viewer request, origin
//!   request, origin response, viewer response), when behaviors run them.
//! - `invalidations.rs`, `invalidate.rs`: invalidations reaching each
//!   cache, when the scenario has some.
//! - `ranges.rs`, `range_gets.rs`: range GETs, when some class sends them:
//!   the draw at arrival and the parts each level fetched; the handler's
//!   lookups of parts, storing them, the origin's answer.
//! - `page_fetches.rs`, `error_pages.rs`: custom error pages, fetched for
//!   viewers' errors, when the distribution has some.
//! - `variants.rs`: when keys vary, the variants each cache holds
//!   (fragmentation misses) and the distinct keys looked up.
//!
//! **Invariant:** nothing here prints, reads files or the wall clock.
//! **Invariant:** the same `Scenario` and seed give the same `Report`.
//! **Invariant:** in steady state a request allocates nothing: requests live in
//! a pool whose slots are reused, and every table is sized at set-up.

mod arrival;
mod background;
mod connections;
mod cross;
mod down;
mod edge;
mod error_headers;
mod error_pages;
mod event;
mod functions;
mod ids;
mod invalidate;
mod invalidations;
mod level;
mod network;
pub mod observer;
mod origin;
mod page_fetches;
mod parallel;
pub mod partition;
mod pool;
mod queue;
mod range_gets;
mod ranges;
mod request;
mod run;
mod state;
mod tailoring;
mod variants;

use crate::cache::PrefetchStep;
use crate::cdn::traffic::{Catalog, RequestSource, SyntheticTraffic};
use crate::metrics::accounting::AccountingError;
use crate::scenario::Scenario;
use crate::time::SimTime;
use event::Event;
use observer::{NoObserver, RequestObserver};
use partition::PartitionPlan;
pub use run::{CacheState, Partitions, Progress, Report, RunError, Stopped};
use run::{RunOutcome, report_of};
use state::{CatalogHold, Engine, Source};
use std::ops::ControlFlow;

/// Runs a scenario to completion with `seed` and its synthetic traffic,
/// calling `on_progress` now and then. An error is a bug in cdnsim: the
/// run's counters do not add up (`metrics::accounting`).
pub fn run(scenario: &Scenario, seed: u64, on_progress: &mut dyn FnMut(Progress)) -> Result<Report, AccountingError> {
    finished(run_stoppable(scenario, seed, &mut going_on(on_progress)))
}

/// `run` whose `on_progress` may stop it: a run it answers
/// `ControlFlow::Break(Stopped)` ends at once with `RunError::Stopped` and
/// no report. It is asked every 65,536 events, where progress is reported,
/// so a stop comes within milliseconds and the loop itself is unchanged (the
/// Python package stops runs this way on Ctrl-C).
pub fn run_stoppable(
    scenario: &Scenario,
    seed: u64,
    on_progress: &mut dyn FnMut(Progress) -> ControlFlow<Stopped>,
) -> Result<Report, RunError> {
    run_on_threads(scenario, seed, 1, on_progress)
}

/// `run_stoppable` with its partitions on `threads` threads (at least 1).
/// The threads change how fast it runs, never what it reports: a scenario
/// and seed give byte-identical results at any count.
pub fn run_on_threads(
    scenario: &Scenario,
    seed: u64,
    threads: usize,
    on_progress: &mut dyn FnMut(Progress) -> ControlFlow<Stopped>,
) -> Result<Report, RunError> {
    let catalog = Catalog::build(scenario, seed);
    let mut traffic = SyntheticTraffic::new(scenario, seed);
    run_engine(scenario, seed, catalog, &mut traffic, NoObserver, threads, on_progress)
}

/// `run_stoppable` on one engine, uncut: the serial engine that a
/// partitioned run replaces, for comparing the two (they differ only where
/// two partitions have something happen in the same microsecond).
pub fn run_unpartitioned(
    scenario: &Scenario,
    seed: u64,
    on_progress: &mut dyn FnMut(Progress),
) -> Result<Report, AccountingError> {
    let catalog = Catalog::build(scenario, seed);
    let mut traffic = SyntheticTraffic::new(scenario, seed);
    finished(run_serial(scenario, seed, catalog, &mut traffic, NoObserver, Vec::new(), &mut going_on(on_progress)))
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
    finished(run_with_stoppable(scenario, seed, catalog, source, &mut going_on(on_progress)))
}

/// `run_with` whose `on_progress` may stop it, as in `run_stoppable`.
pub fn run_with_stoppable(
    scenario: &Scenario,
    seed: u64,
    catalog: Catalog,
    source: &mut dyn RequestSource,
    on_progress: &mut dyn FnMut(Progress) -> ControlFlow<Stopped>,
) -> Result<Report, RunError> {
    run_engine(scenario, seed, catalog, source, NoObserver, 1, on_progress)
}

/// `run` that also shows every finished request to `observer`.
pub fn run_observed(
    scenario: &Scenario,
    seed: u64,
    observer: &mut dyn RequestObserver,
    on_progress: &mut dyn FnMut(Progress),
) -> Result<Report, AccountingError> {
    run_observed_on_threads(scenario, seed, 1, observer, on_progress)
}

/// `run_observed` with its partitions on `threads` threads: the observer
/// sees the same requests in the same order at any count.
pub fn run_observed_on_threads(
    scenario: &Scenario,
    seed: u64,
    threads: usize,
    observer: &mut dyn RequestObserver,
    on_progress: &mut dyn FnMut(Progress),
) -> Result<Report, AccountingError> {
    let catalog = Catalog::build(scenario, seed);
    let mut traffic = SyntheticTraffic::new(scenario, seed);
    finished(run_engine(scenario, seed, catalog, &mut traffic, observer, threads, &mut going_on(on_progress)))
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
    finished(run_engine(scenario, seed, catalog, source, observer, 1, &mut going_on(on_progress)))
}

/// A progress callback that never stops the run.
fn going_on(on_progress: &mut dyn FnMut(Progress)) -> impl FnMut(Progress) -> ControlFlow<Stopped> + '_ {
    move |progress| {
        on_progress(progress);
        ControlFlow::Continue(())
    }
}

/// The result of a run whose callback never stops it (`going_on`).
fn finished(result: Result<Report, RunError>) -> Result<Report, AccountingError> {
    match result {
        Ok(report) => Ok(report),
        Err(RunError::Accounting(broken)) => Err(broken),
        Err(RunError::Stopped(_)) => unreachable!("a run whose progress callback never stops it ran to its end"),
    }
}

/// Builds and runs the engine: one, or one per partition when the scenario
/// can be cut (`partition.rs`, `parallel.rs`). It is compiled once per kind
/// of observer, so that an unobserved run (`NoObserver`) has no observer
/// code at all.
fn run_engine<'s, O: RequestObserver>(
    scenario: &'s Scenario,
    seed: u64,
    catalog: Catalog,
    source: &'s mut dyn RequestSource,
    mut observer: O,
    threads: usize,
    on_progress: &mut dyn FnMut(Progress) -> ControlFlow<Stopped>,
) -> Result<Report, RunError> {
    let plan = PartitionPlan::for_run(scenario, seed, source.grows_catalog());
    if plan.n_parts() > 1 {
        let setup = parallel::Setup { scenario, seed, catalog: &catalog, plan: &plan, threads };
        return parallel::run(setup, source, &mut observer, on_progress);
    }
    let notes = plan.notes.iter().map(ToString::to_string).collect();
    run_serial(scenario, seed, catalog, source, observer, notes, on_progress)
}

/// The run on one engine, uncut; `notes` say why it is one partition.
fn run_serial<'s, O: RequestObserver>(
    scenario: &'s Scenario,
    seed: u64,
    catalog: Catalog,
    source: &'s mut dyn RequestSource,
    observer: O,
    notes: Vec<String>,
    on_progress: &mut dyn FnMut(Progress) -> ControlFlow<Stopped>,
) -> Result<Report, RunError> {
    let mut engine = Engine::new(scenario, seed, CatalogHold::Owned(catalog), Source::Given(source), observer, None);
    if let ControlFlow::Break(stopped) = engine.run(on_progress) {
        // Requests are left in flight: no identity holds, and no report is made.
        return Err(stopped.into());
    }
    let partitions = Partitions { count: 1, notes, events: vec![engine.events], ..Partitions::default() };
    Ok(report_of(scenario, seed, engine.into_outcome(), partitions)?)
}

/// How many events after the next one each step of a cache lookup is
/// hinted (`Engine::hint_ahead`): the index bucket with a few events' time
/// to arrive, then the entry it names, read one event ahead.
const EVENT_PREFETCH_STEPS: [(usize, PrefetchStep); 2] = [(2, PrefetchStep::Index), (0, PrefetchStep::Entry)];

impl<O: RequestObserver> Engine<'_, O> {
    /// The loop: the earlier of the pending arrival and the queue's next
    /// event, handed to its handler, until neither is left, or until
    /// `on_progress` stops it.
    fn run(&mut self, on_progress: &mut dyn FnMut(Progress) -> ControlFlow<Stopped>) -> ControlFlow<Stopped> {
        self.schedule_next_arrival();
        while let Some(event) = self.take_next(None) {
            if self.events & 0xffff == 0 {
                on_progress(Progress { requests_started: self.requests_started, now: self.now })?;
            }
            self.handle(event);
        }
        on_progress(Progress { requests_started: self.requests_started, now: self.now })
    }

    /// A partition's window (`parallel.rs`): every event before `end`, the
    /// arrivals its inbox holds among them.
    fn run_window(&mut self, end: SimTime) {
        if self.next_viewer.is_none() {
            self.schedule_next_arrival();
        }
        while let Some(event) = self.take_next(Some(end)) {
            self.handle(event);
        }
    }

    /// The next event (due before `end`, if given: a window's end), with
    /// the clock moved to it and counted.
    #[inline(always)]
    fn take_next(&mut self, end: Option<SimTime>) -> Option<Event> {
        let (at, event) = self.next_event(end)?;
        debug_assert!(at >= self.now, "time went backwards");
        self.now = at;
        self.events += 1;
        Some(event)
    }

    /// Prefetch hints for the events the queue already knows are next: a
    /// request reaching a cache looks its key up there, and a response on
    /// its way down stores it there (`insert` looks it up first). Each step
    /// of the chain (`EVENT_PREFETCH_STEPS`) is hinted a few events before
    /// the one that reads what it loads.
    #[inline(always)]
    fn hint_ahead(&self) {
        if !self.prefetch_hints {
            return;
        }
        for (distance, step) in EVENT_PREFETCH_STEPS {
            let Some(Event::AtLevel { request, level } | Event::Down { request, level }) =
                self.queue.peek_ahead(distance)
            else {
                continue;
            };
            let r = &self.requests[request];
            if let Some(cache) = r.route.caching_cache_at(level) {
                self.caches[cache].cache.prefetch(r.ask.key, step);
            }
        }
    }

    /// Hands `event` to its handler, after hinting the events behind it.
    #[inline(always)]
    fn handle(&mut self, event: Event) {
        self.hint_ahead();
        match event {
            Event::Arrival => self.on_arrival(),
            Event::AtLevel { request, level } => self.on_at_level(request, level),
            Event::AtOrigin { request } => self.on_at_origin(request),
            Event::OriginDone { request } => self.on_origin_done(request),
            Event::Down { request, level } => self.on_down(request, level),
            Event::EdgeFunction { request, step } => self.on_edge_function(request, step),
            Event::Invalidation { reach } => self.on_invalidation(reach),
        }
    }

    /// When the next event is due, the pending arrival's included.
    fn next_time(&self) -> Option<SimTime> {
        let arrival = self.next_viewer.as_ref().map(|(at, _)| *at);
        match (arrival, self.queue.next_time()) {
            (Some(a), Some(q)) => Some(a.min(q)),
            (a, q) => a.or(q),
        }
    }

    /// The next event, if it is due before `end` (when given): the pending
    /// arrival if it comes first, else the queue's. Same-time ties go to the
    /// queue: its events were scheduled earlier. One look at both, where a
    /// window's loop used to ask `next_time` and then this.
    #[inline(always)]
    fn next_event(&mut self, end: Option<SimTime>) -> Option<(SimTime, Event)> {
        let arrival = self.next_viewer.as_ref().map(|(at, _)| *at);
        let at = match (arrival, self.queue.next_time()) {
            (Some(arrival), Some(queued)) if arrival < queued => arrival,
            (Some(arrival), None) => arrival,
            (_, Some(queued)) => {
                return if end.is_none_or(|end| queued < end) { self.queue.pop() } else { None };
            }
            (None, None) => return None,
        };
        if end.is_some_and(|end| at >= end) {
            return None;
        }
        self.queue.advance_to(at);
        Some((at, Event::Arrival))
    }

    /// What the run (or this partition of it) measured, once no event is left.
    fn into_outcome(mut self) -> RunOutcome {
        assert!(self.queue.is_empty() && self.next_viewer.is_none(), "a run ends when no event is left");
        self.metrics.flush();
        if let Some(variants) = &self.variants {
            variants.report(&mut self.metrics);
        }
        let owns = |cache: usize| self.partition.as_ref().is_none_or(|p| p.owns_cache(cache));
        let caches = (self.caches.iter().enumerate())
            .map(|(i, c)| {
                owns(i).then(|| CacheState {
                    objects: c.cache.len(),
                    used_bytes: c.cache.used_bytes(),
                    capacity_bytes: c.cache.capacity_bytes(),
                    evictions: c.cache.evictions(),
                    memory_bytes: c.cache.memory_bytes(),
                })
            })
            .collect();
        RunOutcome {
            events: self.events,
            requests_started: self.requests_started,
            end: self.now,
            unfinished: self.requests.in_use() as u64,
            caches,
            metrics: self.metrics,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Override;

    /// Prefetch hints change no result: the bundled failover scenario, whose
    /// caches' tables together are large enough for the engine to hint
    /// them, runs the same with the hints and without.
    #[test]
    fn prefetch_hints_change_no_result() {
        let sets = [Override::parse("traffic.rate=3000").expect("a valid override")];
        let mut scenario = Scenario::load(std::path::Path::new("scenarios/origin-failover.toml"), &sets)
            .unwrap_or_else(|e| panic!("{e}"));
        scenario.stop_after_requests(30_000).expect("a valid request count");
        let run = |hints: bool| {
            let mut traffic = SyntheticTraffic::new(&scenario, 3);
            let catalog = CatalogHold::Owned(Catalog::build(&scenario, 3));
            let mut engine = Engine::new(&scenario, 3, catalog, Source::Given(&mut traffic), NoObserver, None);
            assert!(engine.prefetch_hints, "the scenario is too small for hints: the test would see nothing");
            engine.prefetch_hints = hints;
            assert!(engine.run(&mut |_| ControlFlow::Continue(())).is_continue());
            let report = report_of(&scenario, 3, engine.into_outcome(), Partitions::default()).expect("it adds up");
            format!("{report:?}")
        };
        assert_eq!(run(true), run(false));
    }
}
