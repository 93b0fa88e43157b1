//! Counters and latency histograms the engine writes into. Everything is sized
//! at set-up; recording a request allocates nothing (a new metrics interval
//! allocates its histogram once, not per request).

use crate::http::Method;
use crate::time::{SimDuration, SimTime};
use hdrhistogram::Histogram;

/// Latencies are recorded in microseconds up to one hour; a longer one is
/// clamped to that (it only happens with absurd scenarios).
const LATENCY_MAX_US: u64 = 3_600_000_000;

/// At most this many metrics intervals (`timeseries.csv` rows) are kept:
/// the scenario's bound, checked when it is loaded (and by a trace source as
/// it reads). A request past the last one would be a bug; it is counted in
/// the last one and sets `Metrics::intervals_overflowed`, which the report
/// asserts against, rather than growing memory without bound.
pub const MAX_INTERVALS: u64 = crate::scenario::MAX_METRICS_INTERVALS;

fn latency_histogram(significant_figures: u8) -> Histogram<u64> {
    Histogram::new_with_bounds(1, LATENCY_MAX_US, significant_figures).expect("static bounds are valid")
}

pub use crate::policy::result_type::{DetailedResultType, ResultType, ServedBy};

pub mod accounting;
pub mod compression;
pub mod connections;
pub mod edge_functions;
pub mod errors;
pub mod invalidations;
pub mod ranges;
pub mod usage;

pub use compression::CompressionStats;
pub use connections::ConnectionStats;
pub use errors::{CodeCounts, ErrorStats};
pub use invalidations::InvalidationStats;
pub use usage::UsageCounters;

pub use edge_functions::{AssociationStats, FunctionMetrics};

/// Replayed requests by the log's result type (`LoggedResult::index`) and
/// the simulated one (`ResultType::index`).
pub type ResultMatrix = [[u64; ResultType::ALL.len()]; crate::policy::result_type::LoggedResult::ALL.len()];

/// Replayed requests by the log's detailed result type
/// (`LoggedDetailed::index`) and the simulated one (`DetailedResultType::index`).
pub type DetailedMatrix = [[u64; DetailedResultType::ALL.len()]; crate::policy::result_type::LoggedDetailed::COUNT];

/// Viewer requests by result type (`ResultType::index`). Each request has
/// exactly one, so the counts add up to the requests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ResultCounts([u64; ResultType::ALL.len()]);

impl ResultCounts {
    #[inline]
    pub fn add(&mut self, result: ResultType, n: u64) {
        self.0[result.index()] += n;
    }

    pub fn get(&self, result: ResultType) -> u64 {
        self.0[result.index()]
    }

    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    pub fn hits(&self) -> u64 {
        self.get(ResultType::Hit)
    }
}

/// Viewer requests by detailed result type (`DetailedResultType::index`):
/// like `ResultCounts`, they add up to the requests, and the detailed types
/// of one result type add up to its count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DetailedCounts([u64; DetailedResultType::ALL.len()]);

impl DetailedCounts {
    #[inline]
    pub fn add(&mut self, detailed: DetailedResultType, n: u64) {
        self.0[detailed.index()] += n;
    }

    pub fn get(&self, detailed: DetailedResultType) -> u64 {
        self.0[detailed.index()]
    }

    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    /// The requests whose detailed types refine `result`.
    pub fn of_result(&self, result: ResultType) -> u64 {
        DetailedResultType::ALL.iter().filter(|d| d.result_type() == result).map(|d| self.get(*d)).sum()
    }
}

/// What the engine knows about a finished viewer request.
#[derive(Clone, Copy, Debug)]
pub struct Outcome {
    pub start: SimTime,
    pub latency: SimDuration,
    pub method: Method,
    /// The edge location that answered, and whether over HTTPS: where and
    /// on which line the request bills (`UsageCounters`).
    pub edge: usize,
    pub https: bool,
    pub behavior: usize,
    pub status: u16,
    pub body_bytes: u64,
    pub served_by: ServedBy,
    pub result: ResultType,
    /// Refines `result` (`DetailedResultType::result_type`).
    pub detailed: DetailedResultType,
}

#[derive(Clone, Debug)]
pub struct MethodStats {
    pub requests: u64,
    pub results: ResultCounts,
    pub errors_4xx: u64,
    pub errors_5xx: u64,
    /// Viewer responses by status, for 400 to 599 (index = status - 400).
    pub errors_by_status: [u64; 200],
    /// Requests of this method that were sent to an origin group.
    pub reached_origin_group: u64,
    /// Primary attempts that failed (a failover status, no connection, or a timeout).
    pub primary_failures: u64,
    pub failovers: u64,
    /// Requests failed over whose secondary answered without an error.
    pub served_by_secondary: u64,
    /// Time spent on the primary before failing over: what failover adds.
    pub failover_added_us: Histogram<u64>,
}

impl Default for MethodStats {
    fn default() -> Self {
        MethodStats {
            requests: 0,
            results: ResultCounts::default(),
            errors_4xx: 0,
            errors_5xx: 0,
            errors_by_status: [0; 200],
            reached_origin_group: 0,
            primary_failures: 0,
            failovers: 0,
            served_by_secondary: 0,
            failover_added_us: latency_histogram(3),
        }
    }
}

/// One cache (an edge location or a regional edge cache), or one regional
/// edge cache in its Origin Shield role.
#[derive(Clone, Debug, Default)]
pub struct TierStats {
    pub lookups: u64,
    pub hits: u64,
    /// Found but expired: revalidated upstream with a conditional request.
    pub stale: u64,
    pub misses: u64,
    /// Misses merged into another request's fetch of the same object.
    pub collapsed: u64,
    pub bytes_hit: u64,
    /// Requests passed through without a lookup (proxy methods, dynamic content).
    pub passed_through: u64,
    /// Lookups answered with a cached error response.
    pub errors_served: u64,
    /// Origin errors replaced by an expired copy (reference §6.5).
    pub stale_served_on_error: u64,
    /// Background revalidations sent up (`stale-while-revalidate`): an
    /// expired copy answered a lookup as a hit, and this fetch refreshes it.
    pub background_revalidations: u64,
    /// Misses and revalidations that went up (not collapsed) while another
    /// variant of the object (another cache key of it) was cached here and
    /// fresh: what a key holding less would have answered. Counted only when
    /// some behavior's key holds more than the path.
    pub fragmentation_misses: u64,
    /// Distinct cache keys looked up here, and the distinct objects they are
    /// for (an object's OPTIONS counted apart); filled at the end of a run
    /// whose keys vary, 0 otherwise.
    pub keys_requested: u64,
    pub objects_requested: u64,
}

impl TierStats {
    pub fn hit_ratio(&self) -> f64 {
        ratio(self.hits, self.lookups)
    }
}

#[derive(Clone, Debug, Default)]
pub struct OriginStats {
    pub requests: u64,
    /// Requests by method (index `Method::index`): shows which methods reach
    /// a secondary origin.
    pub requests_by_method: [u64; 7],
    /// Requests whose every connection attempt was refused.
    pub connect_failures: u64,
    /// Requests that used up their attempts on connection or response timeouts.
    pub timeouts: u64,
    /// Error statuses the origin answered (faults included).
    pub error_responses: u64,
    pub conditional: u64,
    pub not_modified: u64,
    pub bytes_out: u64,
    /// Refused with 503 because the queue was full.
    pub rejected: u64,
    pub peak_in_service: u32,
    pub peak_queued: u32,
    /// Total time spent waiting in the queue, for the mean queueing delay.
    pub queued_us: u64,
    pub queued_requests: u64,
    /// Responses the origin sent without the value it varies on, which the
    /// request carried but did not forward (`policy::origin_request`).
    pub untailored: u64,
}

#[derive(Clone, Debug)]
pub struct BehaviorStats {
    pub requests: u64,
    pub results: ResultCounts,
    /// The same requests by `x-edge-detailed-result-type`.
    pub detailed: DetailedCounts,
    pub bytes: u64,
    pub latency_us: Histogram<u64>,
    /// The behavior's misses and revalidations that went up (not
    /// collapsed), at every cache its requests passed.
    pub fetching_misses: u64,
    /// Of those, the fragmentation misses (see `TierStats`).
    pub fragmentation_misses: u64,
    /// Distinct cache keys its requests looked up at the edges, and the
    /// distinct objects they are for; filled at the end of a run whose keys
    /// vary, 0 otherwise.
    pub keys_requested: u64,
    pub objects_requested: u64,
    /// When its viewer-request function transforms the request: the same
    /// lookups counted under the keys the viewers' requests would have had
    /// without the transforms. `None` otherwise.
    pub before_transforms: Option<KeyCount>,
    /// Its requests answered with a copy (a cache hit, or a fetch collapsed
    /// onto) that the origin tailored for another value of an attribute it
    /// varies on, forwarded but not in the key (`policy::origin_request`).
    pub mistailored: u64,
}

/// Distinct keys, and the distinct objects they are for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeyCount {
    pub keys: u64,
    pub objects: u64,
}

/// One metrics interval, by request start time.
#[derive(Clone, Debug)]
pub struct IntervalStats {
    pub requests: u64,
    pub results: ResultCounts,
    pub failovers: u64,
    pub origin_requests: u64,
    /// Requests from CloudFront that an origin refused for their secret header.
    pub legit_refused: u64,
    pub bytes: u64,
    pub latency_us: Histogram<u64>,
    /// `Hit`s answered by an edge, a regional edge cache, an Origin Shield,
    /// in that order: hits over time per tier. They add up to the interval's hits.
    pub hits_by_tier: [u64; 3],
}

impl IntervalStats {
    fn new() -> Self {
        IntervalStats {
            requests: 0,
            results: ResultCounts::default(),
            failovers: 0,
            origin_requests: 0,
            legit_refused: 0,
            bytes: 0,
            latency_us: latency_histogram(2),
            hits_by_tier: [0; 3],
        }
    }
}

/// Signed-request checks at the edges.
#[derive(Clone, Debug, Default)]
pub struct SigningStats {
    /// Requests to behaviors that require signing.
    pub checked: u64,
    pub accepted: u64,
    /// Rejections by reason, indexed like `cdnsim_sign::Rejection::ALL`.
    pub rejected: [u64; cdnsim_sign::Rejection::ALL.len()],
}

/// One viewer population's measured arrivals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PopulationStats {
    /// Viewer requests from it that reached their edge (a redirected
    /// viewer's HTTPS retry is not one more).
    pub requests: u64,
    /// Their viewer round trips (last mile plus geographic), summed, in
    /// microseconds.
    pub viewer_rtt_sum_us: u64,
}

/// Viewer and origin legs by protocol (reference §7.1, §7.2).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct ProtocolStats {
    /// Viewer requests by the scheme they arrived with (before any redirect).
    pub viewer_http: u64,
    pub viewer_https: u64,
    /// HTTP viewer requests redirected to HTTPS (`redirect-to-https`).
    pub redirects: u64,
    /// HTTP viewer requests refused with 403 (`https-only`).
    pub refused_http: u64,
    /// Requests CloudFront sent to an origin over a connection it made, by scheme.
    pub origin_http: u64,
    pub origin_https: u64,
}

/// The origins' secret-header checks and requests that bypass CloudFront.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct OriginAccessStats {
    /// Requests sent straight to an origin, and those it refused.
    pub direct_requests: u64,
    pub direct_refused: u64,
    /// Requests from CloudFront that an origin refused for their header.
    pub legit_refused: u64,
    /// Origin requests that carried the secret header.
    pub secret_sent: u64,
    /// Of those, sent over HTTP because `match-viewer` followed an HTTP viewer leg.
    pub secret_in_clear_viewer_legs: u64,
    /// Of those, sent over HTTP because the origin policy is `http-only`.
    pub secret_in_clear_origin_legs: u64,
}

/// Everything measured in a run after the warm-up.
#[derive(Clone, Debug)]
pub struct Metrics {
    /// Replayed access logs: measured requests by the log's
    /// `x-edge-result-type` (`LoggedResult::index`) and the simulated one
    /// (`ResultType::index`).
    pub result_comparison: ResultMatrix,
    /// The same for `x-edge-detailed-result-type`, when the log has it.
    pub detailed_comparison: DetailedMatrix,
    pub requests: u64,
    /// The requests by result type: `Hit` (answered by any CloudFront cache
    /// without asking the origin), `RefreshHit`, `Miss`, `Error`, `Redirect`.
    pub results: ResultCounts,
    /// The requests by `x-edge-detailed-result-type`: each refines one
    /// result type (an Origin Shield hit, the cause of an error).
    pub detailed: DetailedCounts,
    pub errors_4xx: u64,
    pub errors_5xx: u64,
    pub bytes_requested: u64,
    /// Body bytes of the `Hit`s.
    pub bytes_hit: u64,
    pub origin_requests: u64,
    pub origin_bytes: u64,
    pub latency_us: Histogram<u64>,
    /// Exact sum and maximum: the histogram's buckets are 0.1% wide.
    pub latency_sum_us: u64,
    pub latency_max_us: u64,
    pub by_method: [MethodStats; 7],
    /// Edge locations first, then regional edge caches, as in the scenario.
    pub caches: Vec<TierStats>,
    /// Per regional edge cache: its work as another Region's Origin Shield.
    pub shield_role: Vec<TierStats>,
    pub origins: Vec<OriginStats>,
    pub behaviors: Vec<BehaviorStats>,
    // Invariant: at most `MAX_INTERVALS` long, whatever the requests' start
    // times: a request past the last interval is counted in it instead.
    pub intervals: Vec<IntervalStats>,
    pub signing: SigningStats,
    /// Requests the edge refused with 403 for their viewers' country
    /// (`distribution.geo_restriction`); always 0 without one.
    pub geo_blocked: u64,
    /// Of `geo_blocked`, the requests a custom error response for 403
    /// answered through its page (served, or its fetch's error in its
    /// place): their status is the page's, not necessarily a 4xx.
    // Invariant: at most `geo_blocked`; 0 without a 403 page.
    pub geo_blocked_pages: u64,
    /// Per viewer population (`cdn::viewers`), the requests that arrived
    /// from it and their viewer round trips; `None` unless the scenario has
    /// `[viewers]` or a price class that excludes some edge location.
    pub populations: Option<Vec<PopulationStats>>,
    pub protocol: ProtocolStats,
    pub origin_access: OriginAccessStats,
    /// Edge functions' invocations and the time requests waited on them;
    /// empty when no behavior runs a function.
    pub functions: FunctionMetrics,
    /// Responses by encoding; `None` unless some behavior has `compress` on.
    pub compression: Option<CompressionStats>,
    /// What invalidations did; `None` unless the scenario has some.
    pub invalidations: Option<InvalidationStats>,
    /// Range GETs per behavior; `None` unless some class sends ranges.
    pub ranges: Option<ranges::RangeStats>,
    /// Errors and custom error pages per status code; `None` unless the
    /// distribution has custom error responses.
    pub errors: Option<ErrorStats>,
    /// Connections opened and reused; `None` unless the scenario has `[connections]`.
    pub connections: Option<ConnectionStats>,
    /// What the run would put on CloudFront's usage report, every run.
    pub usage: UsageCounters,
    /// Measured responses that carried a body (`carries_body`), counted
    /// with the other response counters: what the compression counters
    /// must add up to.
    pub responses_with_body: u64,
    pub interval: SimDuration,
    pub warmup: SimDuration,
    /// Some request started after `MAX_INTERVALS` intervals.
    pub intervals_overflowed: bool,
    /// Latencies counted but not yet in the histograms (see `record`).
    // Invariant: a run with `count > 0` is in no histogram yet; `flush`
    // empties it, and nothing reads the histograms before that.
    pending: LatencyRun,
    /// Responses not yet in the counters (see `record`).
    // Invariant: as `pending`, for the counters.
    pending_outcomes: OutcomeRun,
    /// The last interval recorded into and its first and past-the-end
    /// microseconds: requests come in time order, so this saves a division.
    // Invariant: an empty range until the first request; then `.0` is an
    // index into `intervals`, and a start from `.1` up to (not including)
    // `.2` belongs to that interval.
    last_interval: (usize, u64, u64),
}

/// What the counters of `record` look at in a response, except its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct OutcomeKind {
    behavior: usize,
    interval: usize,
    status: u16,
    method: Method,
    served_by: ServedBy,
    result: ResultType,
    detailed: DetailedResultType,
}

/// Responses of one kind in a row: a replay's edge hits come in long runs,
/// and adding a run to the counters once costs a fraction of updating the
/// global, method, behavior and interval counters per response.
#[derive(Clone, Copy, Debug)]
struct OutcomeRun {
    kind: OutcomeKind,
    count: u64,
    body_bytes: u64,
}

const NO_OUTCOMES: OutcomeRun = OutcomeRun {
    kind: OutcomeKind {
        behavior: 0,
        interval: 0,
        status: 0,
        method: Method::Get,
        served_by: ServedBy::Edge,
        result: ResultType::Hit,
        detailed: DetailedResultType::Hit,
    },
    count: 0,
    body_bytes: 0,
};

/// Equal latencies of one behavior and interval in a row: a replay with
/// fixed round trips gives long runs of them, and one `saturating_record_n` per run
/// costs a fraction of one `record` per request into three histograms.
#[derive(Clone, Copy, Debug, Default)]
struct LatencyRun {
    latency_us: u64,
    behavior: usize,
    interval: usize,
    count: u64,
}

impl Metrics {
    pub fn new(
        n_caches: usize,
        n_regional: usize,
        n_origins: usize,
        n_behaviors: usize,
        interval: SimDuration,
        warmup: SimDuration,
    ) -> Self {
        Metrics {
            requests: 0,
            results: ResultCounts::default(),
            detailed: DetailedCounts::default(),
            errors_4xx: 0,
            errors_5xx: 0,
            bytes_requested: 0,
            bytes_hit: 0,
            origin_requests: 0,
            origin_bytes: 0,
            latency_us: latency_histogram(3),
            latency_sum_us: 0,
            latency_max_us: 0,
            by_method: Default::default(),
            caches: vec![TierStats::default(); n_caches],
            shield_role: vec![TierStats::default(); n_regional],
            origins: vec![OriginStats::default(); n_origins],
            behaviors: (0..n_behaviors)
                .map(|_| BehaviorStats {
                    requests: 0,
                    results: ResultCounts::default(),
                    detailed: DetailedCounts::default(),
                    bytes: 0,
                    latency_us: latency_histogram(2),
                    fetching_misses: 0,
                    fragmentation_misses: 0,
                    keys_requested: 0,
                    objects_requested: 0,
                    before_transforms: None,
                    mistailored: 0,
                })
                .collect(),
            intervals: Vec::new(),
            signing: SigningStats::default(),
            geo_blocked: 0,
            geo_blocked_pages: 0,
            populations: None,
            protocol: ProtocolStats::default(),
            origin_access: OriginAccessStats::default(),
            functions: FunctionMetrics::default(),
            compression: None,
            invalidations: None,
            ranges: None,
            errors: None,
            connections: None,
            usage: UsageCounters::new(n_caches - n_regional, n_regional),
            responses_with_body: 0,
            result_comparison: [[0; ResultType::ALL.len()]; crate::policy::result_type::LoggedResult::ALL.len()],
            detailed_comparison: Default::default(),
            interval,
            warmup,
            pending: LatencyRun::default(),
            pending_outcomes: NO_OUTCOMES,
            last_interval: (0, 0, 0),
            intervals_overflowed: false,
        }
    }

    /// Whether a request that started at `start` is measured.
    pub fn measures(&self, start: SimTime) -> bool {
        start.0 >= self.warmup.as_micros()
    }

    fn interval_mut(&mut self, start: SimTime) -> &mut IntervalStats {
        let index = self.interval_index(start);
        &mut self.intervals[index]
    }

    /// The index of `start`'s interval, which exists on return.
    #[inline]
    fn interval_index(&mut self, start: SimTime) -> usize {
        let (last, from, until) = self.last_interval;
        if (from..until).contains(&start.0) {
            debug_assert!(last < self.intervals.len(), "interval {last} was never created");
            return last;
        }
        self.enter_interval(start)
    }

    /// `interval_index` when `start` is not in the interval last recorded into.
    #[cold]
    #[inline(never)]
    fn enter_interval(&mut self, start: SimTime) -> usize {
        let width = self.interval.as_micros();
        let wanted = start.0 / width;
        self.intervals_overflowed |= wanted >= MAX_INTERVALS;
        let index = wanted.min(MAX_INTERVALS - 1) as usize;
        while self.intervals.len() <= index {
            self.intervals.push(IntervalStats::new());
        }
        // Off the hot path (a new interval), and the memory bound depends on it.
        assert!(self.intervals.len() as u64 <= MAX_INTERVALS, "more than {MAX_INTERVALS} metrics intervals");
        self.last_interval = (index, index as u64 * width, (index as u64 + 1).saturating_mul(width));
        index
    }

    /// Puts the pending runs of responses and latencies into the counters
    /// and histograms. The engine calls it before anything reads them.
    pub(crate) fn flush(&mut self) {
        self.flush_outcomes();
        self.flush_latencies();
    }

    /// Whether every recorded request is in the counters and histograms.
    pub(crate) fn is_flushed(&self) -> bool {
        self.pending.count == 0 && self.pending_outcomes.count == 0
    }

    #[inline(never)]
    fn flush_latencies(&mut self) {
        let run = std::mem::take(&mut self.pending);
        if run.count > 0 {
            self.latency_us.saturating_record_n(run.latency_us, run.count);
            self.behaviors[run.behavior].latency_us.saturating_record_n(run.latency_us, run.count);
            self.intervals[run.interval].latency_us.saturating_record_n(run.latency_us, run.count);
        }
    }

    /// Records a finished viewer request (the caller checked `measures`).
    pub fn record(&mut self, o: &Outcome) {
        let latency_us = o.latency.as_micros().max(1);
        self.usage.record_viewer_request(o.edge, o.method, o.https, o.body_bytes);
        self.latency_sum_us += latency_us;
        self.latency_max_us = self.latency_max_us.max(latency_us);
        let interval = self.interval_index(o.start);
        let kind = OutcomeKind {
            behavior: o.behavior,
            interval,
            status: o.status,
            method: o.method,
            served_by: o.served_by,
            result: o.result,
            detailed: o.detailed,
        };
        let outcomes = &mut self.pending_outcomes;
        if outcomes.count > 0 && outcomes.kind == kind {
            outcomes.count += 1;
            outcomes.body_bytes += o.body_bytes;
        } else {
            self.flush_outcomes();
            self.pending_outcomes = OutcomeRun { kind, count: 1, body_bytes: o.body_bytes };
        }
        let run = &mut self.pending;
        if run.count > 0 && (run.latency_us, run.behavior, run.interval) == (latency_us, o.behavior, interval) {
            run.count += 1;
        } else {
            self.flush_latencies();
            self.pending = LatencyRun { latency_us, behavior: o.behavior, interval, count: 1 };
        }
    }

    /// Adds the pending run of responses to the counters.
    #[inline(never)]
    fn flush_outcomes(&mut self) {
        let OutcomeRun { kind: o, count: n, body_bytes } = std::mem::replace(&mut self.pending_outcomes, NO_OUTCOMES);
        if n == 0 {
            return;
        }
        let hit = o.result == ResultType::Hit;
        self.requests += n;
        self.results.add(o.result, n);
        self.detailed.add(o.detailed, n);
        self.bytes_requested += body_bytes;
        self.responses_with_body += carries_body(o.method, o.status) as u64 * n;
        if hit {
            self.bytes_hit += body_bytes;
        }

        let m = &mut self.by_method[o.method.index()];
        m.requests += n;
        m.results.add(o.result, n);
        if o.status >= 400 {
            self.record_errors(o.method, o.status, n);
        }

        let b = &mut self.behaviors[o.behavior];
        b.requests += n;
        b.results.add(o.result, n);
        b.detailed.add(o.detailed, n);
        b.bytes += body_bytes;

        let i = &mut self.intervals[o.interval];
        i.requests += n;
        i.results.add(o.result, n);
        i.bytes += body_bytes;
        // A hit is always served by a cache; the accounting checks that
        // the tiers' hits add up to the hits.
        let tier = match o.served_by {
            ServedBy::Edge => Some(0),
            ServedBy::Regional => Some(1),
            ServedBy::Shield => Some(2),
            ServedBy::Origin | ServedBy::EdgeGenerated | ServedBy::EdgeFunctionError => None,
        };
        if let (true, Some(tier)) = (hit, tier) {
            i.hits_by_tier[tier] += n;
        }
    }

    /// The error counters of `record`, for `n` viewer responses with status 400 or more.
    fn record_errors(&mut self, method: Method, status: u16, n: u64) {
        debug_assert!(status >= 400, "status {status} is not an error");
        let client = (400..500).contains(&status) as u64 * n;
        let server = (status >= 500) as u64 * n;
        self.errors_4xx += client;
        self.errors_5xx += server;
        let m = &mut self.by_method[method.index()];
        m.errors_4xx += client;
        m.errors_5xx += server;
        if let Some(slot) = m.errors_by_status.get_mut(status as usize - 400) {
            *slot += n;
        }
    }

    /// Counts a failover of a request that started at `viewer_start`, after
    /// `added` spent on the primary.
    pub fn record_failover(&mut self, viewer_start: SimTime, method: Method, added: SimDuration) {
        let m = &mut self.by_method[method.index()];
        m.failovers += 1;
        m.failover_added_us.saturating_record(added.as_micros().max(1));
        self.interval_mut(viewer_start).failovers += 1;
    }

    /// Counts a request arriving at an origin, in the interval of the viewer
    /// request it serves.
    pub fn record_origin_request(&mut self, viewer_start: SimTime) {
        self.origin_requests += 1;
        self.interval_mut(viewer_start).origin_requests += 1;
    }

    /// Counts a request from CloudFront that an origin refused for its
    /// header, in the interval of the viewer request it serves.
    pub fn record_legit_refused(&mut self, viewer_start: SimTime) {
        self.origin_access.legit_refused += 1;
        self.interval_mut(viewer_start).legit_refused += 1;
    }

    pub fn hit_ratio(&self) -> f64 {
        ratio(self.results.hits(), self.requests)
    }
    pub fn byte_hit_ratio(&self) -> f64 {
        ratio(self.bytes_hit, self.bytes_requested)
    }
    /// Share of viewer requests that did not cause an origin request.
    pub fn origin_offload(&self) -> f64 {
        if self.requests == 0 { 0.0 } else { 1.0 - self.origin_requests as f64 / self.requests as f64 }
    }
}

/// Whether a viewer response carries the object's body: HEAD and OPTIONS
/// carry none, nor do errors, redirects and 304s.
#[inline]
pub fn carries_body(method: Method, status: u16) -> bool {
    status < 300 && !matches!(method, Method::Head | Method::Options)
}

/// `num / den`, or 0 when nothing was counted.
pub fn ratio(num: u64, den: u64) -> f64 {
    if den == 0 { 0.0 } else { num as f64 / den as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The detailed type an outcome of these three has with no error cause.
    pub(crate) fn detailed_of(status: u16, served_by: ServedBy, result: ResultType) -> DetailedResultType {
        use crate::policy::result_type::{Answer, ErrorCause, detailed_result_type};
        let answer = Answer { status, served_by, refreshed: result == ResultType::RefreshHit };
        detailed_result_type(answer, result, ErrorCause::NONE)
    }

    #[test]
    fn runs_of_equal_latencies_land_in_every_histogram_once_flushed() {
        let mut metrics = Metrics::new(2, 1, 1, 2, SimDuration::from_secs(1), SimDuration::ZERO);
        let steps = [(0, 5, 0), (0, 5, 0), (0, 7, 0), (0, 5, 1), (2, 5, 1), (2, 5, 1), (2, 5, 0)];
        for &(second, latency_us, behavior) in &steps {
            metrics.record(&Outcome {
                start: SimTime(second * 1_000_000),
                latency: SimDuration(latency_us),
                method: Method::Get,
                edge: 0,
                https: true,
                behavior,
                status: 200,
                body_bytes: 1,
                served_by: ServedBy::Edge,
                result: ResultType::Hit,
                detailed: DetailedResultType::Hit,
            });
        }
        metrics.flush();
        metrics.flush();
        assert_eq!((metrics.latency_us.len(), metrics.latency_us.count_at(5)), (7, 6));
        let per_behavior: Vec<u64> = metrics.behaviors.iter().map(|b| b.latency_us.len()).collect();
        assert_eq!(per_behavior, [4, 3]);
        let per_interval: Vec<u64> = metrics.intervals.iter().map(|i| i.latency_us.len()).collect();
        assert_eq!(per_interval, [4, 0, 3]);
        assert_eq!(metrics.behaviors[1].latency_us.count_at(5), 3);
    }

    fn hit_at(start: SimTime) -> Outcome {
        Outcome {
            start,
            latency: SimDuration(10),
            method: Method::Get,
            edge: 0,
            https: true,
            behavior: 0,
            status: 200,
            body_bytes: 1,
            served_by: ServedBy::Edge,
            result: ResultType::Hit,
            detailed: DetailedResultType::Hit,
        }
    }

    #[test]
    fn flushing_empties_the_pending_runs() {
        let mut metrics = Metrics::new(2, 1, 1, 1, SimDuration::from_secs(1), SimDuration::ZERO);
        assert!(metrics.is_flushed());
        metrics.record(&hit_at(SimTime::ZERO));
        assert!(!metrics.is_flushed());
        metrics.flush();
        assert!(metrics.is_flushed());
        assert_eq!((metrics.requests, metrics.latency_us.len()), (1, 1));
    }

    #[cfg(debug_assertions)]
    #[test]
    #[should_panic(expected = "was never created")]
    fn a_cached_interval_that_does_not_exist_panics() {
        let mut metrics = Metrics::new(2, 1, 1, 1, SimDuration::from_secs(1), SimDuration::ZERO);
        metrics.last_interval = (3, 0, 1_000_000);
        metrics.record(&hit_at(SimTime::ZERO));
    }

    #[test]
    fn runs_of_alike_responses_count_as_each_response_would() {
        // Runs of equal kinds, broken by behavior, interval, status, method,
        // tier and result type; bytes vary within runs.
        let (edge_hit, miss) = ((200, ServedBy::Edge, ResultType::Hit), (200, ServedBy::Origin, ResultType::Miss));
        let (cached_404, refresh) =
            ((404, ServedBy::Regional, ResultType::Error), (200, ServedBy::Regional, ResultType::RefreshHit));
        let kinds = [
            edge_hit,
            edge_hit,
            edge_hit,
            miss,
            edge_hit,
            cached_404,
            cached_404,
            (503, ServedBy::Origin, ResultType::Error),
            refresh,
        ];
        let mut outcomes = Vec::new();
        for (i, &(status, served_by, result)) in kinds.iter().cycle().take(40).enumerate() {
            outcomes.push(Outcome {
                start: SimTime(i as u64 / 15 * 1_000_000),
                latency: SimDuration(10),
                method: if i % 13 < 10 { Method::Get } else { Method::Head },
                edge: 0,
                https: true,
                behavior: i / 7 % 2,
                status,
                body_bytes: 100 + i as u64,
                served_by,
                result,
                detailed: detailed_of(status, served_by, result),
            });
        }
        let mut metrics = Metrics::new(2, 1, 1, 2, SimDuration::from_secs(1), SimDuration::ZERO);
        for (i, o) in outcomes.iter().enumerate() {
            metrics.record(o);
            if i == 20 {
                metrics.flush();
            }
        }
        metrics.flush();
        let count = |f: &dyn Fn(&Outcome) -> bool| outcomes.iter().filter(|o| f(o)).count() as u64;
        let bytes = |f: &dyn Fn(&Outcome) -> bool| outcomes.iter().filter(|o| f(o)).map(|o| o.body_bytes).sum::<u64>();
        let hit = |o: &Outcome| o.result == ResultType::Hit;
        assert_eq!(metrics.requests, 40);
        assert_eq!(metrics.results.hits(), count(&hit));
        assert_eq!(metrics.results.get(ResultType::RefreshHit), count(&|o| o.result == ResultType::RefreshHit));
        assert_eq!(metrics.results.get(ResultType::Miss), count(&|o| o.result == ResultType::Miss));
        assert_eq!(
            (metrics.errors_4xx, metrics.errors_5xx),
            (count(&|o| o.status == 404), count(&|o| o.status == 503))
        );
        assert_eq!(metrics.bytes_requested, bytes(&|_| true));
        assert_eq!(metrics.bytes_hit, bytes(&hit));
        let head = &metrics.by_method[Method::Head.index()];
        assert_eq!(head.requests, count(&|o| o.method == Method::Head));
        assert_eq!(head.results.hits(), count(&|o| o.method == Method::Head && hit(o)));
        assert_eq!(head.errors_by_status[4], count(&|o| o.method == Method::Head && o.status == 404));
        let b = &metrics.behaviors[1];
        assert_eq!(b.requests, count(&|o| o.behavior == 1));
        assert_eq!(b.results.get(ResultType::Error), count(&|o| o.behavior == 1 && o.status >= 400));
        assert_eq!(b.bytes, bytes(&|o| o.behavior == 1));
        let second = &metrics.intervals[1];
        assert_eq!(second.requests, count(&|o| o.start == SimTime(1_000_000)));
        assert_eq!(
            second.hits_by_tier[1],
            count(&|o| o.start == SimTime(1_000_000) && hit(o) && o.served_by == ServedBy::Regional)
        );
        assert_eq!(second.bytes, bytes(&|o| o.start == SimTime(1_000_000)));
    }
}
