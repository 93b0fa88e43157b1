//! Counters and latency histograms the engine writes into. Everything is sized
//! at set-up; recording a request allocates nothing (a new metrics interval
//! allocates its histogram once, not per request).

use crate::http::Method;
use crate::time::{SimDuration, SimTime};
use hdrhistogram::Histogram;
use merging::{add_counts, add_histogram, merge_distinct, merge_each, merge_option, same};

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
mod merging;
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

    /// Adds another partition's counts.
    pub fn merge(&mut self, other: ResultCounts) {
        let ResultCounts(counts) = other;
        add_counts(&mut self.0, counts);
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

    /// Adds another partition's counts.
    pub fn merge(&mut self, other: DetailedCounts) {
        let DetailedCounts(counts) = other;
        add_counts(&mut self.0, counts);
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

#[derive(Clone, Debug, PartialEq)]
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

impl MethodStats {
    /// Adds another partition's counts of the same method.
    pub fn merge(&mut self, other: MethodStats) {
        let MethodStats {
            requests,
            results,
            errors_4xx,
            errors_5xx,
            errors_by_status,
            reached_origin_group,
            primary_failures,
            failovers,
            served_by_secondary,
            failover_added_us,
        } = other;
        self.requests += requests;
        self.results.merge(results);
        self.errors_4xx += errors_4xx;
        self.errors_5xx += errors_5xx;
        add_counts(&mut self.errors_by_status, errors_by_status);
        self.reached_origin_group += reached_origin_group;
        self.primary_failures += primary_failures;
        self.failovers += failovers;
        self.served_by_secondary += served_by_secondary;
        add_histogram(&mut self.failover_added_us, &failover_added_us, "a method's failover delays");
    }
}

/// One cache (an edge location or a regional edge cache), or one regional
/// edge cache in its Origin Shield role.
#[derive(Clone, Debug, Default, PartialEq)]
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

    /// Adds another partition's counts of the same cache (or role). The
    /// distinct keys and objects are one partition's (`merge_distinct`).
    pub fn merge(&mut self, other: TierStats) {
        let TierStats {
            lookups,
            hits,
            stale,
            misses,
            collapsed,
            bytes_hit,
            passed_through,
            errors_served,
            stale_served_on_error,
            background_revalidations,
            fragmentation_misses,
            keys_requested,
            objects_requested,
        } = other;
        self.lookups += lookups;
        self.hits += hits;
        self.stale += stale;
        self.misses += misses;
        self.collapsed += collapsed;
        self.bytes_hit += bytes_hit;
        self.passed_through += passed_through;
        self.errors_served += errors_served;
        self.stale_served_on_error += stale_served_on_error;
        self.background_revalidations += background_revalidations;
        self.fragmentation_misses += fragmentation_misses;
        merge_distinct(&mut self.keys_requested, keys_requested, "a cache's keys requested");
        merge_distinct(&mut self.objects_requested, objects_requested, "a cache's objects requested");
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
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

impl OriginStats {
    /// Adds another partition's counts of the same origin; the peaks are
    /// the higher of the two. They are exact when one partition holds the
    /// origin's queue (the origins are a partition of their own); a queue
    /// shared by partitions would have peaked at least that high.
    pub fn merge(&mut self, other: OriginStats) {
        let OriginStats {
            requests,
            requests_by_method,
            connect_failures,
            timeouts,
            error_responses,
            conditional,
            not_modified,
            bytes_out,
            rejected,
            peak_in_service,
            peak_queued,
            queued_us,
            queued_requests,
            untailored,
        } = other;
        self.requests += requests;
        add_counts(&mut self.requests_by_method, requests_by_method);
        self.connect_failures += connect_failures;
        self.timeouts += timeouts;
        self.error_responses += error_responses;
        self.conditional += conditional;
        self.not_modified += not_modified;
        self.bytes_out += bytes_out;
        self.rejected += rejected;
        self.peak_in_service = self.peak_in_service.max(peak_in_service);
        self.peak_queued = self.peak_queued.max(peak_queued);
        self.queued_us += queued_us;
        self.queued_requests += queued_requests;
        self.untailored += untailored;
    }
}

#[derive(Clone, Debug, PartialEq)]
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

impl BehaviorStats {
    /// Adds another partition's counts of the same behavior. Its distinct
    /// keys and objects span every edge, so they are filled after merging
    /// (`merge_distinct` asserts that at most one side has them).
    pub fn merge(&mut self, other: BehaviorStats) {
        let BehaviorStats {
            requests,
            results,
            detailed,
            bytes,
            latency_us,
            fetching_misses,
            fragmentation_misses,
            keys_requested,
            objects_requested,
            before_transforms,
            mistailored,
        } = other;
        self.requests += requests;
        self.results.merge(results);
        self.detailed.merge(detailed);
        self.bytes += bytes;
        add_histogram(&mut self.latency_us, &latency_us, "a behavior's latencies");
        self.fetching_misses += fetching_misses;
        self.fragmentation_misses += fragmentation_misses;
        merge_distinct(&mut self.keys_requested, keys_requested, "a behavior's keys requested");
        merge_distinct(&mut self.objects_requested, objects_requested, "a behavior's objects requested");
        self.before_transforms = match (self.before_transforms, before_transforms) {
            (Some(_), Some(_)) => {
                panic!(
                    "a behavior's keys before transforms: distinct counts of two partitions do not add up; count \
                     the union of their sets after merging"
                )
            }
            (mine, theirs) => mine.or(theirs),
        };
        self.mistailored += mistailored;
    }
}

/// Distinct keys, and the distinct objects they are for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeyCount {
    pub keys: u64,
    pub objects: u64,
}

/// One metrics interval, by request start time.
#[derive(Clone, Debug, PartialEq)]
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

    /// Adds another partition's counts of the same interval.
    fn merge(&mut self, other: IntervalStats) {
        let IntervalStats {
            requests,
            results,
            failovers,
            origin_requests,
            legit_refused,
            bytes,
            latency_us,
            hits_by_tier,
        } = other;
        self.requests += requests;
        self.results.merge(results);
        self.failovers += failovers;
        self.origin_requests += origin_requests;
        self.legit_refused += legit_refused;
        self.bytes += bytes;
        add_histogram(&mut self.latency_us, &latency_us, "an interval's latencies");
        add_counts(&mut self.hits_by_tier, hits_by_tier);
    }
}

/// Signed-request checks at the edges.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SigningStats {
    /// Requests to behaviors that require signing.
    pub checked: u64,
    pub accepted: u64,
    /// Rejections by reason, indexed like `cdnsim_sign::Rejection::ALL`.
    pub rejected: [u64; cdnsim_sign::Rejection::ALL.len()],
}

impl SigningStats {
    /// Adds another partition's checks.
    pub fn merge(&mut self, other: SigningStats) {
        let SigningStats { checked, accepted, rejected } = other;
        self.checked += checked;
        self.accepted += accepted;
        add_counts(&mut self.rejected, rejected);
    }
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

impl PopulationStats {
    /// Adds another partition's arrivals from the same population.
    pub fn merge(&mut self, other: PopulationStats) {
        let PopulationStats { requests, viewer_rtt_sum_us } = other;
        self.requests += requests;
        self.viewer_rtt_sum_us += viewer_rtt_sum_us;
    }
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

impl ProtocolStats {
    /// Adds another partition's counts.
    pub fn merge(&mut self, other: ProtocolStats) {
        let ProtocolStats { viewer_http, viewer_https, redirects, refused_http, origin_http, origin_https } = other;
        self.viewer_http += viewer_http;
        self.viewer_https += viewer_https;
        self.redirects += redirects;
        self.refused_http += refused_http;
        self.origin_http += origin_http;
        self.origin_https += origin_https;
    }
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

impl OriginAccessStats {
    /// Adds another partition's counts.
    pub fn merge(&mut self, other: OriginAccessStats) {
        let OriginAccessStats {
            direct_requests,
            direct_refused,
            legit_refused,
            secret_sent,
            secret_in_clear_viewer_legs,
            secret_in_clear_origin_legs,
        } = other;
        self.direct_requests += direct_requests;
        self.direct_refused += direct_refused;
        self.legit_refused += legit_refused;
        self.secret_sent += secret_sent;
        self.secret_in_clear_viewer_legs += secret_in_clear_viewer_legs;
        self.secret_in_clear_origin_legs += secret_in_clear_origin_legs;
    }
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

    /// Adds what `other` recorded: afterwards `self` holds what one
    /// `Metrics` would hold had it recorded everything both did. For a run
    /// cut into partitions, each recording into its own `Metrics` built for
    /// the whole distribution: the coordinator merges them in a fixed order
    /// (partition 0, 1, 2, ...), then fills the distinct key counts from the
    /// union of the partitions' key sets, then checks the accounting.
    ///
    /// Counters add, histograms add (their counts saturate, as recording
    /// saturates them), maxima and peaks take the higher, flags `or`; the
    /// run's settings (interval, warm-up, the number of caches, origins,
    /// behaviors, where each cache bills, which feature stats are kept)
    /// must be equal, and a difference panics: it is a bug in the caller.
    /// Integers only: the merge order cannot change a bit (`merging`).
    ///
    /// Takes `other` by value: a partition's metrics are done once merged,
    /// and owning them lets `merge` flush both sides itself (pending runs
    /// of latencies and responses) and move their intervals rather than
    /// copy them. `self` is flushed on return, and may record on.
    pub fn merge(&mut self, mut other: Metrics) {
        self.flush();
        other.flush();
        debug_assert!(self.is_flushed() && other.is_flushed(), "merged with responses pending");
        let Metrics {
            result_comparison,
            detailed_comparison,
            requests,
            results,
            detailed,
            errors_4xx,
            errors_5xx,
            bytes_requested,
            bytes_hit,
            origin_requests,
            origin_bytes,
            latency_us,
            latency_sum_us,
            latency_max_us,
            by_method,
            caches,
            shield_role,
            origins,
            behaviors,
            intervals,
            signing,
            geo_blocked,
            geo_blocked_pages,
            populations,
            protocol,
            origin_access,
            functions,
            compression,
            invalidations,
            ranges,
            errors,
            connections,
            usage,
            responses_with_body,
            interval,
            warmup,
            intervals_overflowed,
            // Empty: flushed above.
            pending: _,
            pending_outcomes: _,
            // A cache of `other`'s last interval; `self`'s stays valid, as
            // its intervals only grow.
            last_interval: _,
        } = other;
        same(&self.interval, &interval, "the metrics interval");
        same(&self.warmup, &warmup, "the warm-up");
        for (mine, theirs) in self.result_comparison.iter_mut().zip(result_comparison) {
            add_counts(mine, theirs);
        }
        for (mine, theirs) in self.detailed_comparison.iter_mut().zip(detailed_comparison) {
            add_counts(mine, theirs);
        }
        self.requests += requests;
        self.results.merge(results);
        self.detailed.merge(detailed);
        self.errors_4xx += errors_4xx;
        self.errors_5xx += errors_5xx;
        self.bytes_requested += bytes_requested;
        self.bytes_hit += bytes_hit;
        self.origin_requests += origin_requests;
        self.origin_bytes += origin_bytes;
        add_histogram(&mut self.latency_us, &latency_us, "the latencies");
        self.latency_sum_us += latency_sum_us;
        self.latency_max_us = self.latency_max_us.max(latency_max_us);
        for (mine, theirs) in self.by_method.iter_mut().zip(by_method) {
            mine.merge(theirs);
        }
        merge_each(&mut self.caches, caches, "caches", TierStats::merge);
        merge_each(&mut self.shield_role, shield_role, "Origin Shield roles", TierStats::merge);
        merge_each(&mut self.origins, origins, "origins", OriginStats::merge);
        merge_each(&mut self.behaviors, behaviors, "behaviors", BehaviorStats::merge);
        self.merge_intervals(intervals);
        self.signing.merge(signing);
        self.geo_blocked += geo_blocked;
        self.geo_blocked_pages += geo_blocked_pages;
        merge_option(&mut self.populations, populations, "viewer populations", |mine, theirs| {
            merge_each(mine, theirs, "viewer populations", PopulationStats::merge)
        });
        self.protocol.merge(protocol);
        self.origin_access.merge(origin_access);
        self.functions.merge(functions);
        merge_option(&mut self.compression, compression, "compression", CompressionStats::merge);
        merge_option(&mut self.invalidations, invalidations, "invalidations", InvalidationStats::merge);
        merge_option(&mut self.ranges, ranges, "range GETs", ranges::RangeStats::merge);
        merge_option(&mut self.errors, errors, "custom error counters", ErrorStats::merge);
        merge_option(&mut self.connections, connections, "connections", ConnectionStats::merge);
        self.usage.merge(usage);
        self.responses_with_body += responses_with_body;
        self.intervals_overflowed |= intervals_overflowed;
    }

    /// Adds `other`'s intervals to `self`'s, index by index. Each side has
    /// the intervals up to its latest request's, so the longer is the
    /// merged run's length; past the shorter one's end, the other's stand.
    fn merge_intervals(&mut self, mut other: Vec<IntervalStats>) {
        let beyond = other.split_off(self.intervals.len().min(other.len()));
        for (mine, theirs) in self.intervals.iter_mut().zip(other) {
            mine.merge(theirs);
        }
        self.intervals.extend(beyond);
        // Both sides kept the bound; the longer of the two does too.
        assert!(self.intervals.len() as u64 <= MAX_INTERVALS, "more than {MAX_INTERVALS} metrics intervals");
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

    /// The fields in which `a` and `b` differ; both flushed. Every field is
    /// compared (histograms by their samples, `Histogram`'s `==`): the
    /// destructuring makes a field added later a compile error here until
    /// it is compared. `last_interval` is a cache, not a measurement.
    fn differences(a: &Metrics, b: &Metrics) -> Vec<&'static str> {
        assert!(a.is_flushed() && b.is_flushed(), "compared with responses pending");
        let Metrics {
            result_comparison,
            detailed_comparison,
            requests,
            results,
            detailed,
            errors_4xx,
            errors_5xx,
            bytes_requested,
            bytes_hit,
            origin_requests,
            origin_bytes,
            latency_us,
            latency_sum_us,
            latency_max_us,
            by_method,
            caches,
            shield_role,
            origins,
            behaviors,
            intervals,
            signing,
            geo_blocked,
            geo_blocked_pages,
            populations,
            protocol,
            origin_access,
            functions,
            compression,
            invalidations,
            ranges,
            errors,
            connections,
            usage,
            responses_with_body,
            interval,
            warmup,
            intervals_overflowed,
            pending: _,
            pending_outcomes: _,
            last_interval: _,
        } = a;
        let mut differ = Vec::new();
        macro_rules! compare {
            ($($field:ident),* $(,)?) => {
                $(if *$field != b.$field {
                    differ.push(stringify!($field));
                })*
            };
        }
        compare!(
            result_comparison,
            detailed_comparison,
            requests,
            results,
            detailed,
            errors_4xx,
            errors_5xx,
            bytes_requested,
            bytes_hit,
            origin_requests,
            origin_bytes,
            latency_us,
            latency_sum_us,
            latency_max_us,
            by_method,
            caches,
            shield_role,
            origins,
            behaviors,
            intervals,
            signing,
            geo_blocked,
            geo_blocked_pages,
            populations,
            protocol,
            origin_access,
            functions,
            compression,
            invalidations,
            ranges,
            errors,
            connections,
            usage,
            responses_with_body,
            interval,
            warmup,
            intervals_overflowed,
        );
        differ
    }

    /// A request as the worked example records it: the outcome, and its
    /// tier and origin counters as the engine keeps them.
    fn request(m: &mut Metrics, at_ms: u64, latency_us: u64, method: Method, edge: usize, https: bool, status: u16) {
        let (served_by, result) = match status {
            200 if latency_us < 20_000 => (ServedBy::Edge, ResultType::Hit),
            200 => (ServedBy::Origin, ResultType::Miss),
            _ => (ServedBy::Origin, ResultType::Error),
        };
        let body_bytes = if carries_body(method, status) { latency_us / 16 } else { 0 };
        let start = SimTime(at_ms * 1_000);
        m.record(&Outcome {
            start,
            latency: SimDuration(latency_us),
            method,
            edge,
            https,
            behavior: 0,
            status,
            body_bytes,
            served_by,
            result,
            detailed: detailed_of(status, served_by, result),
        });
        m.caches[edge].lookups += 1;
        if result == ResultType::Hit {
            m.caches[edge].hits += 1;
            m.caches[edge].bytes_hit += body_bytes;
        } else {
            m.caches[edge].misses += 1;
            m.record_origin_request(start);
            m.origins[0].requests += 1;
        }
    }

    #[test]
    fn merged_partitions_hold_what_one_run_records() {
        // Two edges and a regional cache, one origin and one behavior,
        // 1-second intervals. A body is latency / 16 bytes when the
        // response carries one.
        let new = || Metrics::new(3, 1, 1, 1, SimDuration::from_secs(1), SimDuration::ZERO);
        let mut a = new();
        // An edge hit at 0.2 s (10 ms, 625 bytes) and a miss at 1.5 s
        // (80 ms, 5,000 bytes), both HTTPS GETs at edge 0.
        request(&mut a, 200, 10_000, Method::Get, 0, true, 200);
        request(&mut a, 1_500, 80_000, Method::Get, 0, true, 200);
        a.origins[0].peak_in_service = 3;
        let mut b = new();
        // An HTTP HEAD edge hit at 0.7 s (10 ms, no body) and, at 2.1 s, an
        // HTTPS GET answered 404 by the origin after a failover that cost 20 ms.
        request(&mut b, 700, 10_000, Method::Head, 1, false, 200);
        request(&mut b, 2_100, 30_000, Method::Get, 1, true, 404);
        b.record_failover(SimTime(2_100_000), Method::Get, SimDuration(20_000));
        b.origins[0].peak_in_service = 2;
        let (a_then_b, b_then_a) = {
            let (mut ab, mut ba) = (a.clone(), b.clone());
            ab.merge(b);
            ba.merge(a);
            (ab, ba)
        };
        let m = a_then_b;
        assert!(m.is_flushed(), "merging flushes both sides: neither was flushed before");
        // 4 requests: hits 2 (0.2 s, 0.7 s), a miss (1.5 s), an error (2.1 s).
        assert_eq!(m.requests, 4);
        assert_eq!((m.results.hits(), m.results.get(ResultType::Miss), m.results.get(ResultType::Error)), (2, 1, 1));
        assert_eq!((m.errors_4xx, m.errors_5xx), (1, 0));
        // Bytes: 625 + 5,000 (the GETs answered 200); of them, hits 625.
        assert_eq!((m.bytes_requested, m.bytes_hit, m.responses_with_body), (5_625, 625, 2));
        assert_eq!(m.origin_requests, 2);
        // Latency: 10 + 80 + 10 + 30 ms = 130 ms in all, 80 ms the longest.
        assert_eq!((m.latency_sum_us, m.latency_max_us), (130_000, 80_000));
        assert_eq!((m.latency_us.len(), m.latency_us.count_at(10_000)), (4, 2));
        let (get, head) = (&m.by_method[Method::Get.index()], &m.by_method[Method::Head.index()]);
        assert_eq!((get.requests, get.results.hits(), get.errors_by_status[404 - 400]), (3, 1, 1));
        assert_eq!((get.failovers, get.failover_added_us.len()), (1, 1));
        assert_eq!((head.requests, head.results.hits()), (1, 1));
        // Intervals: A recorded into 0 and 1, B into 0 and 2 (its 1 empty).
        let per_interval: Vec<(u64, u64, u64, u64)> =
            m.intervals.iter().map(|i| (i.requests, i.bytes, i.origin_requests, i.failovers)).collect();
        assert_eq!(per_interval, [(2, 625, 0, 0), (1, 5_000, 1, 0), (1, 0, 1, 1)]);
        assert_eq!(m.intervals[0].hits_by_tier, [2, 0, 0]);
        assert_eq!(m.intervals.iter().map(|i| i.latency_us.len()).collect::<Vec<_>>(), [2, 1, 1]);
        // Caches: edge 0 a hit and a miss, edge 1 a hit and a miss.
        assert_eq!((m.caches[0].lookups, m.caches[0].hits, m.caches[0].bytes_hit), (2, 1, 625));
        assert_eq!((m.caches[1].lookups, m.caches[1].misses), (2, 1));
        // The origin: 2 requests; its peak the higher, 3.
        assert_eq!((m.origins[0].requests, m.origins[0].peak_in_service), (2, 3));
        // Usage by edge, kinds [HTTP, HTTPS, HTTP proxy, HTTPS proxy]:
        // edge 0 two HTTPS, edge 1 an HTTP HEAD and an HTTPS GET.
        assert_eq!(m.usage.edges[0].requests, [0, 2, 0, 0]);
        assert_eq!(m.usage.edges[1].requests, [1, 1, 0, 0]);
        assert_eq!((m.usage.viewer_requests(), m.usage.bytes_out()), (4, 5_625));
        assert_eq!((m.behaviors[0].requests, m.behaviors[0].latency_us.len()), (4, 4));
        // The other order holds the same, and so does one run recording all four.
        assert_eq!(differences(&m, &b_then_a), Vec::<&str>::new());
        let mut whole = new();
        request(&mut whole, 200, 10_000, Method::Get, 0, true, 200);
        request(&mut whole, 700, 10_000, Method::Head, 1, false, 200);
        request(&mut whole, 1_500, 80_000, Method::Get, 0, true, 200);
        request(&mut whole, 2_100, 30_000, Method::Get, 1, true, 404);
        whole.record_failover(SimTime(2_100_000), Method::Get, SimDuration(20_000));
        whole.origins[0].peak_in_service = 3;
        whole.flush();
        assert_eq!(differences(&m, &whole), Vec::<&str>::new());
    }

    #[test]
    fn a_merged_run_records_on() {
        let new = || Metrics::new(2, 1, 1, 1, SimDuration::from_secs(1), SimDuration::ZERO);
        let mut m = new();
        m.record(&hit_at(SimTime(500_000)));
        let mut later = new();
        later.record(&hit_at(SimTime(2_500_000)));
        m.merge(later);
        // The interval last recorded into is still 0, and interval 2 came
        // from the other side: both take more requests.
        m.record(&hit_at(SimTime(600_000)));
        m.record(&hit_at(SimTime(2_600_000)));
        m.flush();
        assert_eq!(m.intervals.iter().map(|i| i.requests).collect::<Vec<_>>(), [2, 0, 2]);
        assert_eq!(m.requests, 4);
    }

    #[test]
    fn a_cache_counts_its_keys_in_one_partition() {
        let new = || Metrics::new(2, 1, 1, 1, SimDuration::from_secs(1), SimDuration::ZERO);
        let (mut m, mut other) = (new(), new());
        // Edge 0 is this partition's, regional cache 1 the other's.
        (m.caches[0].keys_requested, m.caches[0].objects_requested) = (5, 4);
        (other.caches[1].keys_requested, other.caches[1].objects_requested) = (3, 3);
        other.behaviors[0].before_transforms = Some(KeyCount { keys: 2, objects: 2 });
        m.merge(other);
        let keys: Vec<(u64, u64)> = m.caches.iter().map(|c| (c.keys_requested, c.objects_requested)).collect();
        assert_eq!(keys, [(5, 4), (3, 3)]);
        assert_eq!(m.behaviors[0].before_transforms, Some(KeyCount { keys: 2, objects: 2 }));
    }

    #[test]
    #[should_panic(expected = "a behavior's keys requested: distinct counts of two partitions (4 and 6) do not add up")]
    fn a_behaviors_keys_are_counted_after_merging() {
        let new = || Metrics::new(2, 1, 1, 1, SimDuration::from_secs(1), SimDuration::ZERO);
        let (mut m, mut other) = (new(), new());
        m.behaviors[0].keys_requested = 4;
        other.behaviors[0].keys_requested = 6;
        m.merge(other);
    }

    #[test]
    #[should_panic(expected = "a behavior's keys before transforms: distinct counts of two partitions do not add up")]
    fn a_behaviors_keys_before_transforms_are_counted_after_merging() {
        let new = || Metrics::new(2, 1, 1, 1, SimDuration::from_secs(1), SimDuration::ZERO);
        let (mut m, mut other) = (new(), new());
        m.behaviors[0].before_transforms = Some(KeyCount { keys: 1, objects: 1 });
        other.behaviors[0].before_transforms = Some(KeyCount { keys: 2, objects: 1 });
        m.merge(other);
    }

    #[test]
    #[should_panic(expected = "the metrics interval is SimDuration(1000000) here and SimDuration(60000000) there")]
    fn metrics_of_different_runs_do_not_merge() {
        let mut m = Metrics::new(2, 1, 1, 1, SimDuration::from_secs(1), SimDuration::ZERO);
        m.merge(Metrics::new(2, 1, 1, 1, SimDuration::from_secs(60), SimDuration::ZERO));
    }

    #[test]
    #[should_panic(expected = "the number of entries of caches is 2 here and 3 there")]
    fn metrics_of_different_distributions_do_not_merge() {
        let mut m = Metrics::new(2, 1, 1, 1, SimDuration::from_secs(1), SimDuration::ZERO);
        m.merge(Metrics::new(3, 1, 1, 1, SimDuration::from_secs(1), SimDuration::ZERO));
    }

    /// The property test's distribution: edges 0 and 1 under regional edge
    /// cache 2 (also an Origin Shield), origins 0 and 1 (an origin group
    /// for behavior 0), behaviors 0 (a viewer-request CloudFront Function)
    /// and 1 (signed, an origin-request Lambda@Edge, range GETs), two
    /// classes, three viewer populations, two invalidations of 2 and 1
    /// paths; every optional stat kept.
    mod property {
        use super::super::*;
        use super::{detailed_of, differences};
        use crate::metrics::accounting::{RunFacts, check};
        use crate::metrics::edge_functions::AssociationStats;
        use crate::metrics::ranges::RangeStats;
        use crate::policy::compression::Encoding;
        use crate::policy::result_type::{LoggedDetailed, LoggedResult};
        use crate::scenario::{EdgeEvent, FunctionKind};
        use rand::rngs::Xoshiro256PlusPlus;
        use rand::{RngExt, SeedableRng};

        const FACTS: RunFacts = RunFacts { n_edges: 2, unfinished: 0 };
        const REGIONAL: usize = 2;

        fn empty_run() -> Metrics {
            let mut m = Metrics::new(3, 1, 2, 2, SimDuration::from_secs(1), SimDuration::ZERO);
            m.functions = FunctionMetrics::new(
                vec![
                    AssociationStats::new(0, EdgeEvent::ViewerRequest, 0, FunctionKind::CloudFrontFunction),
                    AssociationStats::new(1, EdgeEvent::OriginRequest, 1, FunctionKind::LambdaEdge),
                ],
                2,
            );
            m.compression = Some(CompressionStats::default());
            m.ranges = Some(RangeStats::new(2, 2));
            m.errors = Some(ErrorStats::default());
            m.populations = Some(vec![PopulationStats::default(); 3]);
            m.connections = Some(ConnectionStats::new(3, 2, 2));
            m.invalidations = Some(InvalidationStats::new(vec![2, 1], [2, 1]));
            m.usage.invalidation_paths = 3;
            m
        }

        /// How a request went.
        #[derive(Clone, Copy, Debug)]
        enum Path {
            EdgeHit,
            RegionalHit,
            ShieldHit,
            /// Fetched from the behavior's origin, which answered `status`.
            Fetched(u16),
            /// The primary (origin 0) answered 503; the secondary answered 200.
            FailedOver,
            /// The edge answered a cached 404.
            CachedError,
            GeoBlocked,
            Redirected,
        }

        #[derive(Clone, Copy, Debug)]
        struct Request {
            start: SimTime,
            latency: SimDuration,
            method: Method,
            edge: usize,
            https: bool,
            behavior: usize,
            class: usize,
            path: Path,
            /// Random draws for the counters that vary per request.
            draws: [u64; 4],
        }

        #[derive(Clone, Copy, Debug)]
        enum Event {
            Request(Request),
            /// Invalidation `.0` reached cache `.1` at `.2`, removing `.3` objects.
            Invalidated(usize, usize, SimTime, u64),
        }

        /// `n` requests in time order over about six 1-second intervals,
        /// with each invalidation reaching each of the three caches once
        /// among them.
        fn events(rng: &mut Xoshiro256PlusPlus, n: usize) -> Vec<Event> {
            let mut now = 0;
            let mut events = Vec::new();
            let arrivals: Vec<(usize, usize)> = (0..2).flat_map(|i| (0..3).map(move |c| (i, c))).collect();
            let mut arrival_at: Vec<usize> = (0..arrivals.len()).map(|_| rng.random_range(0..n)).collect();
            arrival_at.sort_unstable();
            let mut next_arrival = 0;
            for i in 0..n {
                now += rng.random_range(0..40_000u64);
                while next_arrival < arrivals.len() && arrival_at[next_arrival] == i {
                    let (invalidation, cache) = arrivals[next_arrival];
                    events.push(Event::Invalidated(invalidation, cache, SimTime(now), rng.random_range(0..5)));
                    next_arrival += 1;
                }
                let behavior = rng.random_range(0..2);
                let path = match rng.random_range(0..16) {
                    0..=5 => Path::EdgeHit,
                    6 | 7 => Path::RegionalHit,
                    8 => Path::ShieldHit,
                    9..=11 => Path::Fetched(200),
                    12 => Path::Fetched(404),
                    13 if behavior == 0 => Path::FailedOver,
                    13 => Path::Fetched(304),
                    14 => Path::CachedError,
                    _ if behavior == 0 => Path::GeoBlocked,
                    _ => Path::Redirected,
                };
                // Runs of equal latencies, as replays give them.
                let latency = [5_000, 5_000, 12_000, 80_000][rng.random_range(0..4)] + rng.random_range(0..2) * 7;
                let method = if behavior == 1 || rng.random_range(0..4) > 0 { Method::Get } else { Method::Head };
                events.push(Event::Request(Request {
                    start: SimTime(now),
                    latency: SimDuration(latency),
                    method,
                    edge: rng.random_range(0..2),
                    https: !matches!(path, Path::Redirected) && rng.random_range(0..4) > 0,
                    behavior,
                    class: rng.random_range(0..2),
                    path,
                    draws: [0; 4].map(|_| rng.random_range(0..1_000)),
                }));
            }
            events
        }

        /// Records `event` as the engine would: every counter it touches,
        /// consistently, so that the accounting holds.
        fn record(m: &mut Metrics, event: &Event) {
            let r = match *event {
                Event::Request(r) => r,
                Event::Invalidated(invalidation, cache, at, removed) => {
                    let stats = m.invalidations.as_mut().unwrap();
                    let tier = (cache == REGIONAL) as usize;
                    stats.reached[invalidation][tier] += 1;
                    stats.removed[invalidation][tier] += removed;
                    stats.window[invalidation][tier] = SimDuration(at.0);
                    return;
                }
            };
            let [d0, d1, d2, d3] = r.draws;
            let (status, served_by, result) = match r.path {
                Path::EdgeHit => (200, ServedBy::Edge, ResultType::Hit),
                Path::RegionalHit => (200, ServedBy::Regional, ResultType::Hit),
                Path::ShieldHit => (200, ServedBy::Shield, ResultType::Hit),
                Path::Fetched(304) => (200, ServedBy::Origin, ResultType::RefreshHit),
                Path::Fetched(status) if status >= 400 => (status, ServedBy::Origin, ResultType::Error),
                Path::Fetched(status) => (status, ServedBy::Origin, ResultType::Miss),
                Path::FailedOver => (200, ServedBy::Origin, ResultType::Miss),
                Path::CachedError => (404, ServedBy::Edge, ResultType::Error),
                Path::GeoBlocked => (403, ServedBy::EdgeGenerated, ResultType::Error),
                Path::Redirected => (301, ServedBy::EdgeGenerated, ResultType::Redirect),
            };
            let body_bytes = if carries_body(r.method, status) { 1_000 + d0 } else { 0 };
            let detailed = match r.path {
                Path::GeoBlocked => DetailedResultType::ClientGeoBlocked,
                _ => detailed_of(status, served_by, result),
            };
            let (b, edge) = (r.behavior, r.edge);
            m.record(&Outcome {
                start: r.start,
                latency: r.latency,
                method: r.method,
                edge,
                https: r.https,
                behavior: b,
                status,
                body_bytes,
                served_by,
                result,
                detailed,
            });
            // The viewer's leg.
            if r.https {
                m.protocol.viewer_https += 1
            } else {
                m.protocol.viewer_http += 1
            }
            let population = &mut m.populations.as_mut().unwrap()[(d1 % 3) as usize];
            population.requests += 1;
            population.viewer_rtt_sum_us += d1;
            let version = (d2 % if r.https { 3 } else { 2 }) as usize;
            let viewer = &mut m.connections.as_mut().unwrap().viewer[edge];
            if d2 % 4 == 0 {
                viewer.opened[version] += 1;
                viewer.handshake_us += d2;
            } else {
                viewer.reused[version] += 1;
            }
            if body_bytes > 0 {
                let encoding = Encoding::ALL[(d3 % 3) as usize];
                let original = if encoding == Encoding::Identity { body_bytes } else { body_bytes * 3 };
                m.compression.as_mut().unwrap().record(encoding, body_bytes, original);
            }
            if d3 % 5 == 0 {
                m.result_comparison[(d3 % LoggedResult::ALL.len() as u64) as usize][result.index()] += 1;
                m.detailed_comparison[(d0 % LoggedDetailed::COUNT as u64) as usize][detailed.index()] += 1;
            }
            // The edge's checks and the viewer-request function.
            match r.path {
                Path::GeoBlocked => {
                    m.geo_blocked += 1;
                    m.errors.as_mut().unwrap().code(403).to_viewers += 1;
                    m.functions.record_refused(b);
                    return;
                }
                Path::Redirected => {
                    m.protocol.redirects += 1;
                    return;
                }
                _ => {}
            }
            if b == 0 {
                m.functions.record(0, SimDuration(d0 + 1), false, false);
                m.usage.record_function_invocation();
            } else {
                m.signing.checked += 1;
                m.signing.accepted += 1;
            }
            // The caches on the way up.
            let hit = |t: &mut TierStats, bytes: u64| {
                t.lookups += 1;
                t.hits += 1;
                t.bytes_hit += bytes;
            };
            let miss = |t: &mut TierStats| {
                t.lookups += 1;
                t.misses += 1;
            };
            match r.path {
                Path::EdgeHit => hit(&mut m.caches[edge], body_bytes),
                Path::CachedError => {
                    m.caches[edge].lookups += 1;
                    m.caches[edge].errors_served += 1;
                    let code = m.errors.as_mut().unwrap().code(404);
                    code.from_cache += 1;
                    code.to_viewers += 1;
                }
                _ => {
                    miss(&mut m.caches[edge]);
                    m.behaviors[b].fetching_misses += 1;
                    if d1 % 7 == 0 {
                        m.caches[edge].fragmentation_misses += 1;
                        m.behaviors[b].fragmentation_misses += 1;
                    }
                }
            }
            match r.path {
                Path::RegionalHit => hit(&mut m.caches[REGIONAL], body_bytes),
                Path::ShieldHit => {
                    miss(&mut m.caches[REGIONAL]);
                    m.behaviors[b].fetching_misses += 1;
                    hit(&mut m.shield_role[0], body_bytes);
                    m.usage.record_shield_request(0, REGIONAL, REGIONAL, true);
                }
                Path::Fetched(_) | Path::FailedOver => {
                    miss(&mut m.caches[REGIONAL]);
                    m.behaviors[b].fetching_misses += 1;
                }
                _ => {}
            }
            if matches!(r.path, Path::EdgeHit | Path::RegionalHit | Path::ShieldHit) && d2 % 9 == 0 {
                m.behaviors[b].mistailored += 1;
            }
            // The origins.
            let origin_status = match r.path {
                Path::Fetched(status) => status,
                Path::FailedOver => 503,
                _ => return,
            };
            m.record_origin_request(r.start);
            let primary = b;
            visit_origin(m, &r, primary, origin_status, body_bytes);
            if b == 1 {
                m.functions.record(1, SimDuration(d2 + 1), d2 % 3 == 0, false);
                m.usage.record_lambda_run(0, SimDuration(d2 + 1), 128);
                if r.method == Method::Get && d1 % 2 == 0 {
                    let ranges = m.ranges.as_mut().unwrap();
                    ranges.record(b, r.class, 206, body_bytes, body_bytes);
                    ranges.record_origin(b, r.class, body_bytes);
                }
            }
            if let Path::FailedOver = r.path {
                let method = &mut m.by_method[r.method.index()];
                method.reached_origin_group += 1;
                method.primary_failures += 1;
                method.served_by_secondary += 1;
                m.record_failover(r.start, r.method, SimDuration(d3 + 1));
                visit_origin(m, &r, 1, 200, body_bytes);
            } else if b == 0 {
                m.by_method[r.method.index()].reached_origin_group += 1;
            }
        }

        /// A request at `origin` answered `status` with `body_bytes`, over a
        /// connection from the regional cache.
        fn visit_origin(m: &mut Metrics, r: &Request, origin: usize, status: u16, body_bytes: u64) {
            let [d0, d1, d2, _] = r.draws;
            let bytes = if status == 200 { body_bytes } else { 0 };
            let o = &mut m.origins[origin];
            o.requests += 1;
            o.requests_by_method[r.method.index()] += 1;
            o.bytes_out += bytes;
            o.error_responses += (status >= 400) as u64;
            o.conditional += (status == 304) as u64;
            o.not_modified += (status == 304) as u64;
            o.peak_in_service = o.peak_in_service.max((d0 % 13) as u32);
            o.peak_queued = o.peak_queued.max((d1 % 5) as u32);
            if d1 % 5 > 0 {
                o.queued_requests += 1;
                o.queued_us += d1;
            }
            o.untailored += (d2 % 11 == 0) as u64;
            m.origin_bytes += bytes;
            m.protocol.origin_https += 1;
            m.origin_access.secret_sent += 1;
            if status >= 400 {
                m.errors.as_mut().unwrap().code(status).from_origin += 1;
                if origin == r.behavior {
                    m.errors.as_mut().unwrap().code(status).to_viewers += (status != 503) as u64;
                }
            }
            let connection = m.connections.as_mut().unwrap().origin_mut(REGIONAL, origin);
            if d0 % 3 == 0 {
                connection.opened += 1;
                connection.handshake_us += d0;
            } else {
                connection.reused += 1;
            }
        }

        fn whole_and_split(seed: u64, n_parts: usize) {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
            let events = events(&mut rng, 400);
            let mut whole = empty_run();
            let mut parts: Vec<Metrics> = (0..n_parts).map(|_| empty_run()).collect();
            for event in &events {
                record(&mut whole, event);
                record(&mut parts[rng.random_range(0..n_parts)], event);
            }
            whole.flush();
            assert_eq!(check(&whole, FACTS), Ok(()), "the whole run of seed {seed} is consistent");
            let mut parts = parts.into_iter();
            let mut merged = parts.next().unwrap();
            for part in parts {
                merged.merge(part);
            }
            // A partition that recorded nothing changes nothing.
            merged.merge(empty_run());
            assert_eq!(differences(&merged, &whole), Vec::<&str>::new(), "seed {seed}, {n_parts} partitions");
            assert_eq!(check(&merged, FACTS), check(&whole, FACTS));
        }

        #[test]
        fn runs_split_between_partitions_merge_into_the_whole_run() {
            for seed in 0..12 {
                whole_and_split(seed, 2);
                whole_and_split(seed, 3);
            }
        }

        #[test]
        fn the_whole_run_of_the_property_test_uses_every_path() {
            // Guards the test above against a generator that stopped
            // making some kind of request: each path and feature counts.
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(0);
            let mut m = empty_run();
            for event in &events(&mut rng, 400) {
                record(&mut m, event);
            }
            m.flush();
            for r in ResultType::ALL {
                assert!(m.results.get(r) > 0, "no {r:?}");
            }
            assert!(m.detailed.get(DetailedResultType::OriginShieldHit) > 0);
            assert!(m.geo_blocked > 0 && m.intervals.len() >= 5);
            assert!(m.by_method.iter().map(|b| b.failovers).sum::<u64>() > 0);
            assert!(m.ranges.as_ref().unwrap().total().requests > 0);
            assert!(m.functions.associations.iter().all(|a| a.invocations > 0));
            assert!(m.errors.as_ref().unwrap().total().from_cache > 0);
            assert!(m.invalidations.as_ref().unwrap().reached.iter().flatten().sum::<u64>() == 6);
        }
    }
}
