//! One run over several cores: the partitions (`partition.rs`), each an
//! engine, advance window by window. A window starts at the earliest thing
//! due anywhere and lasts the lookahead; within it each partition handles
//! its events alone (on one of the run's threads, `Team`), and at its end
//! what crossed is handed to its receivers, and the source's requests for
//! the next window to their edges' partitions.
//!
//! **Invariant:** nothing here depends on the number of threads: each
//! partition's inputs (its inbox, and what crossed to it, in the order
//! (time, sender, sender's order)) are fixed before a window starts, and
//! outputs are merged in partition order. The tests run the same scenario
//! on 1, 2 and 3 threads and compare every file.

use std::collections::VecDeque;
use std::ops::ControlFlow;

use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, RwLock};

use super::observer::{FinishedRequest, NoObserver, RequestObserver};
use super::partition::{Outbox, Partition, PartitionPlan};
use super::run::{Partitions, Progress, Report, RunError, RunOutcome, Stopped, report_of};
use super::state::{CatalogHold, Engine, Source};
use crate::cdn::traffic::{Catalog, RequestSource, ViewerRequest};
use crate::scenario::Scenario;
use crate::time::SimTime;

/// The core counts `Partitions::busiest` spreads a run's work over.
pub const SIMULATED_CORES: [usize; 6] = [1, 2, 4, 8, 16, 64];

/// Progress is reported every this many events, as a serial run reports it.
const PROGRESS_EVERY: u64 = 1 << 16;

/// What a partitioned run is made from.
#[derive(Clone, Copy)]
pub(super) struct Setup<'a> {
    pub(super) scenario: &'a Scenario,
    pub(super) seed: u64,
    pub(super) catalog: &'a Catalog,
    pub(super) plan: &'a PartitionPlan,
    pub(super) threads: usize,
}

/// Runs `setup.scenario` cut as `setup.plan` says, its partitions on
/// `setup.threads` threads.
pub(super) fn run<O: RequestObserver>(
    setup: Setup<'_>,
    source: &mut dyn RequestSource,
    observer: &mut O,
    on_progress: &mut dyn FnMut(Progress) -> ControlFlow<Stopped>,
) -> Result<Report, RunError> {
    if observer.active() {
        run_with(setup, source, observer, on_progress, Buffer::default)
    } else {
        run_with(setup, source, observer, on_progress, || NoObserver)
    }
}

/// A partition's observer: it keeps each finished request, to be shown to
/// the run's observer in one order once the window is over.
#[derive(Default)]
struct Buffer {
    records: Vec<Kept>,
}

/// A finished request, kept past the borrow its record had.
struct Kept {
    record: FinishedRequest<'static>,
    signed_query: Option<Box<str>>,
    signed_cookie: Option<Box<str>>,
}

impl RequestObserver for Buffer {
    fn on_finish(&mut self, r: &FinishedRequest<'_>) {
        let record = FinishedRequest {
            arrived: r.arrived,
            finished: r.finished,
            edge: r.edge,
            class: r.class,
            object_in_class: r.object_in_class,
            behavior: r.behavior,
            method: r.method,
            https: r.https,
            http_version: r.http_version,
            session: r.session,
            status: r.status,
            body_bytes: r.body_bytes,
            content_range: r.content_range,
            object_bytes: r.object_bytes,
            result: r.result,
            detailed: r.detailed,
            served_by: r.served_by,
            origin_outcome: r.origin_outcome,
            signed_query: None,
            signed_cookie: None,
            attributes: r.attributes,
        };
        self.records.push(Kept {
            record,
            signed_query: r.signed_query.map(Into::into),
            signed_cookie: r.signed_cookie.map(Into::into),
        });
    }
}

fn run_with<O: RequestObserver, P: RequestObserver + Send + Shown>(
    setup: Setup<'_>,
    source: &mut dyn RequestSource,
    observer: &mut O,
    on_progress: &mut dyn FnMut(Progress) -> ControlFlow<Stopped>,
    new_observer: impl Fn() -> P + Sync,
) -> Result<Report, RunError> {
    let Setup { scenario, seed, catalog, plan, threads } = setup;
    let n = plan.n_parts();
    let retry = source.viewers_retry_redirects();
    let build = |p: usize| {
        let inbox = Source::Inbox { requests: VecDeque::new(), viewers_retry_redirects: retry };
        let partition = Some(Partition::new(p, plan));
        Engine::new(scenario, seed, CatalogHold::Shared(catalog), inbox, new_observer(), partition)
    };
    // Set up on the run's threads too, and no more.
    let pool = (threads > 1).then(|| rayon::ThreadPoolBuilder::new().num_threads(threads.min(n)).build());
    let engines: Vec<Engine<'_, P>> = match pool {
        Some(Ok(pool)) => pool.install(|| (0..n).into_par_iter().map(build).collect()),
        // One thread, or none to be had: in turn, here.
        _ => (0..n).map(build).collect(),
    };
    let engines: Vec<Mutex<Engine<'_, P>>> = engines.into_iter().map(Mutex::new).collect();
    let mut numbering = catalog.numbering();
    let mut windows = Windows::new(n, plan, source.next_request(&mut numbering));
    let team = Team::new(&engines);
    let stopped = std::thread::scope(|scope| {
        for _ in 1..threads.min(n) {
            let helper = scope.spawn(|| team.work_until_told());
            team.helpers.lock().expect("no helper panicked").push(helper.thread().clone());
        }
        let stopped = windows.run(&team, source, &mut numbering, observer, on_progress);
        team.quit();
        stopped
    });
    let engines: Vec<Engine<'_, P>> =
        engines.into_iter().map(|e| e.into_inner().expect("no partition panicked mid-window")).collect();
    if let ControlFlow::Break(stopped) = stopped {
        return Err(stopped.into());
    }
    let mut events = Vec::with_capacity(n);
    debug_assert!(windows.sent.iter().all(Outbox::is_empty), "a run ends with nothing on its way");
    let mut merged: Option<RunOutcome> = None;
    for engine in engines {
        let part = engine.into_outcome();
        events.push(part.events);
        merged = Some(match merged {
            None => part,
            Some(mut run) => {
                run.events += part.events;
                run.requests_started += part.requests_started;
                run.end = run.end.max(part.end);
                run.unfinished += part.unfinished;
                for (cache, state) in run.caches.iter_mut().zip(part.caches) {
                    debug_assert!(cache.is_none() || state.is_none(), "a cache is one partition's");
                    *cache = cache.or(state);
                }
                run.metrics.merge(part.metrics);
                run
            }
        });
    }
    let partitions = Partitions {
        count: n,
        lookahead: plan.lookahead(),
        windows: windows.count,
        notes: plan.notes.iter().map(ToString::to_string).collect(),
        events,
        busiest: SIMULATED_CORES.iter().copied().zip(windows.busiest).collect(),
    };
    Ok(report_of(scenario, seed, merged.expect("a plan has partitions"), partitions)?)
}

/// A partition observer's records, shown to the run's observer.
trait Shown {
    /// Shows the records each partition kept this window to `observer`, by
    /// time finished, then partition, then the order they finished in.
    fn show<'a, O: RequestObserver>(parts: impl Iterator<Item = &'a mut Self>, observer: &mut O)
    where
        Self: 'a;
}

impl Shown for NoObserver {
    fn show<'a, O: RequestObserver>(_: impl Iterator<Item = &'a mut Self>, _: &mut O) {}
}

impl Shown for Buffer {
    fn show<'a, O: RequestObserver>(parts: impl Iterator<Item = &'a mut Self>, observer: &mut O) {
        let mut parts: Vec<&mut Buffer> = parts.collect();
        let mut order: Vec<(SimTime, usize, usize)> = Vec::new();
        for (p, buffer) in parts.iter().enumerate() {
            order.extend(buffer.records.iter().enumerate().map(|(i, kept)| (kept.record.finished, p, i)));
        }
        order.sort_unstable();
        for (_, p, i) in order {
            let kept = &parts[p].records[i];
            let record = FinishedRequest {
                signed_query: kept.signed_query.as_deref(),
                signed_cookie: kept.signed_cookie.as_deref(),
                ..kept.record
            };
            observer.on_finish(&record);
        }
        for buffer in parts.iter_mut() {
            buffer.records.clear();
        }
    }
}

/// The windows of a run, and what waits between them.
struct Windows<'p> {
    plan: &'p PartitionPlan,
    count: u64,
    /// Events handled in all partitions so far.
    events: u64,
    /// The source's next request, not yet handed to its partition.
    pending: Option<(SimTime, ViewerRequest)>,
    /// Per partition, requests read from the source while the last window
    /// ran, in order: all of them due before that window's end plus the
    /// lookahead, the earliest the next window can end. Handed over whole.
    read_ahead: Vec<VecDeque<(SimTime, ViewerRequest)>>,
    /// Per partition, what it sent in the last window, in the order sent:
    /// each receiver takes its own from every sender's, in partition order.
    sent: Vec<Outbox>,
    /// Per core count of `SIMULATED_CORES`, the busiest core's events,
    /// summed over windows.
    busiest: [u64; SIMULATED_CORES.len()],
    /// Per partition, its events before this window.
    events_before: Vec<u64>,
    work: Vec<u64>,
    loads: Vec<u64>,
}

impl<'p> Windows<'p> {
    fn new(n: usize, plan: &'p PartitionPlan, first: Option<(SimTime, ViewerRequest)>) -> Windows<'p> {
        Windows {
            plan,
            count: 0,
            events: 0,
            pending: first,
            read_ahead: (0..n).map(|_| VecDeque::new()).collect(),
            sent: (0..n).map(|_| Outbox::new(n)).collect(),
            busiest: [0; SIMULATED_CORES.len()],
            events_before: vec![0; n],
            work: Vec::with_capacity(n),
            loads: Vec::new(),
        }
    }

    /// Runs windows until nothing is left anywhere, or `on_progress` stops them.
    fn run<P: RequestObserver + Send + Shown, O: RequestObserver>(
        &mut self,
        team: &Team<'_, '_, P>,
        source: &mut dyn RequestSource,
        numbering: &mut Catalog,
        observer: &mut O,
        on_progress: &mut dyn FnMut(Progress) -> ControlFlow<Stopped>,
    ) -> ControlFlow<Stopped> {
        let lookahead = self.plan.lookahead();
        while let Some(start) = self.next_due(team) {
            let end = start + lookahead;
            self.hand_out(team, end, source, numbering);
            let sent = std::mem::take(&mut self.sent);
            team.start(end, sent);
            // Meanwhile this thread reads the source ahead for the next
            // window, which ends a lookahead after this one at the earliest,
            // then takes partitions like the others.
            let limit = end + lookahead;
            while let Some(next) = self.pending.take_if(|(at, _)| *at < limit) {
                self.read_ahead[self.plan.part_of_request(&next.1)].push_back(next);
                self.pending = source.next_request(numbering);
            }
            self.sent = team.finish();
            for (engine, sent) in team.engines.iter().zip(self.sent.iter_mut()) {
                let mut engine = engine.lock().expect("no partition panicked");
                let partition = engine.partition.as_mut().expect("every engine here is a partition");
                // The engine clears what it holds now (delivered) at its next window.
                std::mem::swap(&mut partition.outbox, sent);
                debug_assert!(sent.all().all(|m| m.at >= end), "a request crossed partitions within its window");
            }
            let mut engines: Vec<_> = team.engines.iter().map(|e| e.lock().expect("no partition panicked")).collect();
            P::show(engines.iter_mut().map(|e| &mut e.observer), observer);
            let events = self.count_work(&engines);
            // Asked once per 65,536 events, as a serial run asks, at the end
            // of the window that reached each multiple.
            for _ in self.events / PROGRESS_EVERY..events / PROGRESS_EVERY {
                on_progress(progress(&engines, end))?;
            }
            self.events = events;
        }
        let engines: Vec<_> = team.engines.iter().map(|e| e.lock().expect("no partition panicked")).collect();
        on_progress(progress(&engines, engines.iter().map(|e| e.now).max().unwrap_or(SimTime::ZERO)))
    }

    /// Hands each request due before `end` to its edge's partition (a
    /// request straight to an origin to the origin's), in the source's order.
    fn hand_out<P: RequestObserver>(
        &mut self,
        team: &Team<'_, '_, P>,
        end: SimTime,
        source: &mut dyn RequestSource,
        numbering: &mut Catalog,
    ) {
        let plan = self.plan;
        // Between windows no helper touches an engine: one lock each.
        let mut engines: Vec<_> = team.engines.iter().map(|e| e.lock().expect("no partition panicked")).collect();
        // What was read ahead goes whole (a partition may get requests due
        // past this window: they wait in its inbox, in time order).
        for (engine, read) in engines.iter_mut().zip(self.read_ahead.iter_mut()) {
            let Source::Inbox { requests, .. } = &mut engine.source else {
                unreachable!("a partition's source is its inbox")
            };
            if requests.is_empty() {
                std::mem::swap(requests, read);
            } else {
                requests.append(read);
            }
        }
        while let Some((at, viewer)) = self.pending.take_if(|(at, _)| *at < end) {
            let Source::Inbox { requests, .. } = &mut engines[plan.part_of_request(&viewer)].source else {
                unreachable!("a partition's source is its inbox")
            };
            requests.push_back((at, viewer));
            self.pending = source.next_request(numbering);
        }
    }

    /// When the next window starts: the earliest of the source's next
    /// request, what was sent, and each partition's next event.
    fn next_due<P: RequestObserver>(&self, team: &Team<'_, '_, P>) -> Option<SimTime> {
        let read = self.read_ahead.iter().filter_map(|r| r.front()).map(|(at, _)| *at);
        let source = self.pending.as_ref().map(|(at, _)| *at).into_iter().chain(read);
        let sent = self.sent.iter().flat_map(Outbox::all).map(|m| m.at);
        let queued = team.engines.iter().filter_map(|e| e.lock().expect("no partition panicked").next_time());
        source.chain(sent).chain(queued).min()
    }

    /// Adds the window to the count, and its work spread over each core
    /// count of `SIMULATED_CORES` to `busiest`; returns the events handled
    /// so far.
    fn count_work<P: RequestObserver>(&mut self, engines: &[MutexGuard<'_, Engine<'_, P>>]) -> u64 {
        self.count += 1;
        self.work.clear();
        for (engine, before) in engines.iter().zip(self.events_before.iter_mut()) {
            self.work.push(engine.events - *before);
            *before = engine.events;
        }
        self.work.sort_unstable_by(|a, b| b.cmp(a));
        let most = self.work[0];
        for (cores, busiest) in SIMULATED_CORES.iter().zip(self.busiest.iter_mut()) {
            if *cores >= self.work.len() {
                *busiest += most;
                continue;
            }
            self.loads.clear();
            self.loads.resize(*cores, 0);
            for &w in &self.work {
                let least = (0..*cores).min_by_key(|&c| self.loads[c]).expect("at least one core");
                self.loads[least] += w;
            }
            *busiest += self.loads.iter().copied().max().expect("at least one core");
        }
        self.events_before.iter().sum()
    }
}

fn progress<P: RequestObserver>(engines: &[MutexGuard<'_, Engine<'_, P>>], now: SimTime) -> Progress {
    Progress { requests_started: engines.iter().map(|e| e.requests_started).sum(), now }
}

/// The threads a run's windows use: the caller's and up to `threads - 1`
/// more. Each takes partitions one at a time from a shared count of
/// tickets (window `w`'s are `w * n .. (w + 1) * n`) and runs them through
/// the window; between windows they spin, since a window lasts tens to
/// hundreds of microseconds and waking a sleeping thread costs about as
/// much. Which thread runs which partition changes nothing: a partition's
/// window depends only on what it was handed before the window started.
struct Team<'a, 's, P> {
    engines: &'a [Mutex<Engine<'s, P>>],
    /// What the partitions sent in the last window, for each to take its own.
    sent: RwLock<Vec<Outbox>>,
    /// The end of the window published last.
    end: AtomicU64,
    /// Windows published: window `w` may start once this is above `w`.
    published: AtomicU64,
    /// Tickets taken, over all windows.
    taken: AtomicU64,
    /// Tickets done, over all windows.
    done: AtomicU64,
    quit: AtomicBool,
    /// The helper threads, to unpark when a window is published.
    helpers: Mutex<Vec<std::thread::Thread>>,
}

impl<'a, 's, P: RequestObserver + Send> Team<'a, 's, P> {
    fn new(engines: &'a [Mutex<Engine<'s, P>>]) -> Self {
        Team {
            engines,
            sent: RwLock::new(Vec::new()),
            end: AtomicU64::new(0),
            published: AtomicU64::new(0),
            taken: AtomicU64::new(0),
            done: AtomicU64::new(0),
            quit: AtomicBool::new(false),
            helpers: Mutex::new(Vec::new()),
        }
    }

    fn n(&self) -> u64 {
        self.engines.len() as u64
    }

    /// Publishes the next window: until `end`, with what was `sent` in the last.
    fn start(&self, end: SimTime, sent: Vec<Outbox>) {
        *self.sent.write().expect("no partition panicked") = sent;
        self.end.store(end.0, Ordering::Relaxed);
        self.published.fetch_add(1, Ordering::Release);
        self.wake_helpers();
    }

    fn wake_helpers(&self) {
        for helper in self.helpers.lock().expect("no helper panicked").iter() {
            helper.unpark();
        }
    }

    /// Takes this window's tickets left, then waits for the others' to be
    /// done; returns what was sent, to hand to the partitions.
    fn finish(&self) -> Vec<Outbox> {
        let window = self.published.load(Ordering::Relaxed) - 1;
        let last = (window + 1) * self.n();
        // Never a ticket of the next window: this thread publishes it.
        let mut ticket = self.taken.load(Ordering::Relaxed);
        while ticket < last {
            match self.taken.compare_exchange_weak(ticket, ticket + 1, Ordering::AcqRel, Ordering::Relaxed) {
                Ok(_) => {
                    self.run_ticket(ticket);
                    ticket = self.taken.load(Ordering::Relaxed);
                }
                Err(now) => ticket = now,
            }
        }
        spin_until(|| self.done.load(Ordering::Acquire) >= last);
        std::mem::take(&mut *self.sent.write().expect("no partition panicked"))
    }

    /// A helper thread's life: tickets, each once its window is published.
    fn work_until_told(&self) {
        loop {
            let ticket = self.taken.fetch_add(1, Ordering::AcqRel);
            let window = ticket / self.n();
            wait_for(|| self.published.load(Ordering::Acquire) > window || self.quit.load(Ordering::Acquire));
            if self.published.load(Ordering::Acquire) <= window {
                return;
            }
            self.run_ticket(ticket);
        }
    }

    fn run_ticket(&self, ticket: u64) {
        let end = SimTime(self.end.load(Ordering::Relaxed));
        let sent = self.sent.read().expect("no partition panicked");
        let mut engine = self.engines[(ticket % self.n()) as usize].lock().expect("no partition panicked");
        engine.receive_sent(&sent);
        engine.run_window(end);
        drop((engine, sent));
        self.done.fetch_add(1, Ordering::Release);
    }

    fn quit(&self) {
        self.quit.store(true, Ordering::Release);
        self.wake_helpers();
    }
}

/// Waits until `done`: spinning a while (the next window is usually tens of
/// microseconds away), then yielding the core, for a machine that has more
/// threads ready than cores.
fn spin_until(done: impl Fn() -> bool) {
    let mut spins = 0u32;
    while !done() {
        spins = spins.saturating_add(1);
        if spins < SPINS_BEFORE_YIELDING {
            std::hint::spin_loop();
        } else {
            std::thread::yield_now();
        }
    }
}

/// Spins before `spin_until` starts yielding: a few microseconds.
const SPINS_BEFORE_YIELDING: u32 = 256;

/// Waits as `spin_until`, then parks the thread until `Team::start` (or
/// `quit`) unparks it: a helper idle for long sleeps.
fn wait_for(done: impl Fn() -> bool) {
    let mut rounds = 0u32;
    while !done() {
        rounds = rounds.saturating_add(1);
        if rounds < SPINS_BEFORE_YIELDING {
            std::hint::spin_loop();
        } else if rounds < SPINS_BEFORE_PARKING {
            std::thread::yield_now();
        } else {
            // An unpark since the check above makes this return at once.
            std::thread::park();
        }
    }
}

/// Spins and yields before a helper parks: long enough to cover the
/// coordinator's work between two windows.
const SPINS_BEFORE_PARKING: u32 = 4096;
