//! What a run gives back (its `Report`, how far it has got, why it
//! stopped), and the report made from what its engine or partitions ended
//! with. Imports no handler: `mod.rs` and `parallel.rs` both use it.

use crate::metrics::Metrics;
use crate::metrics::accounting::{self, AccountingError, RunFacts};
use crate::scenario::Scenario;
use crate::time::{SimDuration, SimTime};

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
    /// How the run was cut into partitions, and how they advanced.
    pub partitions: Partitions,
}

/// How a run was cut into partitions that advance in parallel
/// (`partition.rs`), and what that cost. None of it depends on the number of
/// threads.
#[derive(Clone, Debug, Default)]
pub struct Partitions {
    /// 1 for a run on one partition (the serial engine).
    pub count: usize,
    /// The windows' length: the shortest delay between two partitions.
    pub lookahead: SimDuration,
    /// Windows the partitions advanced in (0 on one partition).
    pub windows: u64,
    /// Why the run has fewer partitions than it might.
    pub notes: Vec<String>,
    /// Events each partition handled.
    pub events: Vec<u64>,
    /// The work of the run spread over cores, for `parallel::SIMULATED_CORES`
    /// cores: per window, the partitions dealt out greedily, biggest first,
    /// to the least loaded core; summed over windows, the events of the
    /// busiest core. `events / busiest` bounds the speed-up on that many
    /// cores, before the windows' barriers (ARCHITECTURE.md).
    pub busiest: Vec<(usize, u64)>,
}

/// A run stopped by its progress callback before its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the run was stopped before its end (interrupted)")]
pub struct Stopped;

/// Why a stoppable run gave no report.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Its progress callback stopped it.
    #[error(transparent)]
    Stopped(#[from] Stopped),
    /// A bug in cdnsim: the run's counters do not add up.
    #[error(transparent)]
    Accounting(#[from] AccountingError),
}

/// What one engine (the run's, or a partition's) ends with.
pub(super) struct RunOutcome {
    pub(super) events: u64,
    pub(super) requests_started: u64,
    pub(super) end: SimTime,
    pub(super) unfinished: u64,
    /// Per cache, its end state; `None` for a cache another partition holds.
    pub(super) caches: Vec<Option<CacheState>>,
    pub(super) metrics: Metrics,
}

/// The run's report, once its accounting adds up (`metrics::accounting`).
pub(super) fn report_of(
    scenario: &Scenario,
    seed: u64,
    run: RunOutcome,
    partitions: Partitions,
) -> Result<Report, AccountingError> {
    let facts = RunFacts { n_edges: scenario.topology.edges.len(), unfinished: run.unfinished };
    if let Err(broken) = accounting::check(&run.metrics, facts) {
        return Err(AccountingError { scenario: scenario.name.clone(), seed, broken });
    }
    Ok(Report {
        scenario: scenario.name.clone(),
        seed,
        events: run.events,
        requests_simulated: run.requests_started,
        end: run.end,
        unfinished: run.unfinished,
        caches: run.caches.into_iter().map(|c| c.expect("every cache is some partition's")).collect(),
        metrics: run.metrics,
        partitions,
    })
}
