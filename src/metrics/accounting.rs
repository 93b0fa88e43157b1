//! The run's accounting identities: sums that every correct run satisfies
//! because each request is counted once in each partition and every request
//! sent up the hierarchy arrives somewhere. The engine checks them at the end
//! of every run, release builds included; a broken one is a bug in cdnsim,
//! never in the scenario, and the run's results are not to be trusted.
//!
//! The identities are listed in ARCHITECTURE.md ("Invariants"); each check
//! below names its identity as it appears there.

use super::{Metrics, ResultType, TierStats};
use crate::scenario::{EdgeEvent, FunctionKind};
use std::fmt;

/// One identity that did not hold: both sides with their values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broken {
    pub identity: String,
    pub left: u64,
    pub right: u64,
}

/// A run whose counters do not add up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountingError {
    pub scenario: String,
    pub seed: u64,
    pub broken: Vec<Broken>,
}

impl fmt::Display for AccountingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "the run of {:?} (seed {}) broke {} accounting {}; this is a bug in cdnsim, not in the scenario: \
             no results were written; please report it with the scenario and seed",
            self.scenario,
            self.seed,
            self.broken.len(),
            if self.broken.len() == 1 { "identity" } else { "identities" },
        )?;
        for b in &self.broken {
            writeln!(f, "  {}: {} vs {}", b.identity, b.left, b.right)?;
        }
        Ok(())
    }
}

impl std::error::Error for AccountingError {}

/// What the identities need besides the counters.
#[derive(Clone, Copy, Debug)]
pub struct RunFacts {
    /// Edge locations come first in `Metrics::caches`.
    pub n_edges: usize,
    /// Requests still in the pool when the event queue ran dry.
    pub unfinished: u64,
}

/// Collects the identities that fail.
struct Ledger {
    broken: Vec<Broken>,
}

impl Ledger {
    fn equal(&mut self, identity: impl FnOnce() -> String, left: u64, right: u64) {
        if left != right {
            self.broken.push(Broken { identity: identity(), left, right });
        }
    }

    fn at_most(&mut self, identity: impl FnOnce() -> String, left: u64, right: u64) {
        if left > right {
            self.broken.push(Broken { identity: identity(), left, right });
        }
    }
}

/// What a tier sent on up: its misses and revalidations that led a fetch,
/// its background revalidations, and what it passed through without a lookup.
fn forwarded(t: &TierStats) -> u64 {
    t.stale + t.misses + t.background_revalidations + t.passed_through
}

/// Checks every identity on flushed `metrics`; lists those that fail.
pub fn check(metrics: &Metrics, facts: RunFacts) -> Result<(), Vec<Broken>> {
    // Once per run: counters still missing their pending runs would break
    // identities that hold, and blame the run for a caller's mistake.
    assert!(metrics.is_flushed(), "accounting checked before Metrics::flush");
    let mut l = Ledger { broken: Vec::new() };
    l.equal(|| "unfinished requests = 0".to_string(), facts.unfinished, 0);
    check_result_partitions(&mut l, metrics);
    check_detailed_results(&mut l, metrics);
    check_intervals(&mut l, metrics);
    check_cache_lookups(&mut l, metrics);
    check_trips_up(&mut l, metrics, facts);
    check_cache_keys(&mut l, metrics);
    check_origin_requests(&mut l, metrics);
    check_signing_and_protocols(&mut l, metrics);
    check_edge_functions(&mut l, metrics);
    check_compression(&mut l, metrics);
    check_invalidations(&mut l, metrics);
    check_ranges(&mut l, metrics);
    check_custom_errors(&mut l, metrics);
    check_connections(&mut l, metrics);
    check_usage(&mut l, metrics);
    if l.broken.is_empty() { Ok(()) } else { Err(l.broken) }
}

/// The usage report: every viewer request answered is on one request line
/// of one region, and its payload on that region's transfer line; each
/// Origin Shield charges at most the requests that reached it; function
/// usage is the invocations counted per association; the invalidation
/// paths are among those submitted.
fn check_usage(l: &mut Ledger, m: &Metrics) {
    let u = &m.usage;
    l.equal(|| identity("usage: requests over regions and kinds = requests"), u.viewer_requests(), m.requests);
    l.equal(|| identity("usage: DataTransfer-Out bytes = bytes to viewers"), u.bytes_out(), m.bytes_requested);
    for (r, (charged, shield)) in u.shield_requests.iter().zip(&m.shield_role).enumerate() {
        l.at_most(
            || format!("usage: regional[{r}]: Origin Shield requests charged <= requests that reached it as a shield"),
            *charged,
            shield.lookups + shield.passed_through,
        );
    }
    let invocations = |kind: FunctionKind| {
        m.functions.associations.iter().filter(|a| a.kind == kind).map(|a| a.invocations).sum::<u64>()
    };
    l.equal(
        || identity("usage: CloudFront Functions invocations = their associations' invocations"),
        u.function_invocations,
        invocations(FunctionKind::CloudFrontFunction),
    );
    l.equal(
        || identity("usage: Lambda@Edge requests = their associations' invocations"),
        u.lambda_requests(),
        invocations(FunctionKind::LambdaEdge),
    );
    let with_bodies: u64 = m
        .origins
        .iter()
        .flat_map(|o| crate::http::Method::ALL.map(|method| (o, method)))
        .filter(|(_, method)| crate::policy::usage::carries_request_body(*method))
        .map(|(o, method)| o.requests_by_method[method.index()])
        .sum();
    l.at_most(
        || identity("usage: request bodies sent to origins <= origin requests with a method that carries one"),
        u.bodies_to_origin(),
        with_bodies,
    );
    let submitted = m.invalidations.as_ref().map_or(0, |i| i.paths_total());
    l.at_most(|| identity("usage: invalidation paths <= paths submitted"), u.invalidation_paths, submitted);
}

/// Custom error responses, when the distribution has some: every page fetch
/// ended in a page served or a failure, and started from an error on its
/// way to a viewer; errors caches answered are the tiers' errors served; pages answered below 400 are pages served.
fn check_custom_errors(l: &mut Ledger, m: &Metrics) {
    let Some(errors) = &m.errors else { return };
    for (code, c) in errors.counted() {
        l.equal(
            || format!("errors {code}: page fetches = pages served + page failures"),
            c.page_fetches,
            c.pages_served + c.page_failures,
        );
        l.at_most(|| format!("errors {code}: page fetches <= errors to viewers"), c.page_fetches, c.to_viewers);
    }
    let total = errors.total();
    l.equal(
        || identity("errors caches answered = tiers' errors_served"),
        total.from_cache,
        m.caches.iter().chain(&m.shield_role).map(|t| t.errors_served).sum(),
    );
    l.at_most(|| identity("errors to viewers <= requests"), total.to_viewers, m.requests);
    l.at_most(
        || identity("custom pages answered below 400 <= pages served"),
        errors.pages_below_400(),
        total.pages_served,
    );
    let at_origins: u64 = m.origins.iter().map(|o| o.requests).sum();
    l.at_most(|| identity("errors from origins <= requests at all origins"), total.from_origin, at_origins);
}

/// Invalidations, when the scenario has some: the run ends only when no
/// event is left, so every invalidation has reached every cache of each tier.
fn check_invalidations(l: &mut Ledger, m: &Metrics) {
    let Some(inv) = &m.invalidations else { return };
    for (i, reached) in inv.reached.iter().enumerate() {
        for (tier, name) in super::invalidations::TIERS.iter().enumerate() {
            l.equal(
                || format!("invalidations[{i}]: {name} caches reached = {name} caches"),
                reached[tier],
                inv.caches[tier],
            );
        }
    }
}

/// Range GETs, when some class sends them: per behavior the answers by
/// status add up to the range GETs, which are among the behavior's
/// requests (and GETs), their bytes among its bytes; what origins sent for
/// range fetches is among what they sent, and every fetch answered is an
/// origin request.
fn check_ranges(l: &mut Ledger, m: &Metrics) {
    let Some(r) = &m.ranges else { return };
    for (b, (counts, behavior)) in r.behaviors.iter().zip(&m.behaviors).enumerate() {
        l.equal(
            || format!("ranges: behaviors[{b}]: 206 + 200 + 416 + other answers = range GETs"),
            counts.partial + counts.whole + counts.unsatisfiable + counts.other,
            counts.requests,
        );
        l.at_most(|| format!("ranges: behaviors[{b}]: range GETs <= requests"), counts.requests, behavior.requests);
        l.at_most(
            || format!("ranges: behaviors[{b}]: bytes to viewers <= the behavior's bytes"),
            counts.bytes_to_viewers,
            behavior.bytes,
        );
    }
    let total = r.total();
    // Each counter split by class as by behavior: the same range GETs.
    l.equal(
        || identity("ranges: range GETs by class = range GETs by behavior"),
        r.total_of_classes().requests,
        total.requests,
    );
    l.equal(
        || identity("ranges: bytes to viewers by class = by behavior"),
        r.total_of_classes().bytes_to_viewers,
        total.bytes_to_viewers,
    );
    l.equal(
        || identity("ranges: origin bytes by class = by behavior"),
        r.total_of_classes().origin_bytes,
        total.origin_bytes,
    );
    l.at_most(
        || identity("ranges: range GETs <= GET requests"),
        total.requests,
        m.by_method[crate::http::Method::Get.index()].requests,
    );
    l.at_most(
        || identity("ranges: range fetches answered <= origin requests"),
        total.origin_requests,
        m.origin_requests,
    );
    l.at_most(|| identity("ranges: origin bytes for ranges <= origin bytes"), total.origin_bytes, m.origin_bytes);
}

/// Connections, when the scenario models them: every request that reached
/// an origin went over a connection its cache opened or reused, and every
/// viewer request over one its viewer opened or reused; HTTP/3 is HTTPS
/// only; handshake time is spent only where a connection was opened.
fn check_connections(l: &mut Ledger, m: &Metrics) {
    let Some(c) = &m.connections else { return };
    for (o, stats) in m.origins.iter().enumerate() {
        let to_origin = c.to_origin(o);
        l.equal(
            || format!("origins[{o}]: connections opened + reused = requests"),
            to_origin.opened + to_origin.reused,
            stats.requests,
        );
    }
    for (i, pair) in c.origin.iter().enumerate() {
        l.at_most(
            || format!("connections to origins, pair {i}: handshake time > 0 only with a connection opened"),
            pair.handshake_us.min(1),
            pair.opened,
        );
    }
    let viewer = c.viewer_total();
    l.equal(
        || identity("viewer connections opened + reused = requests"),
        viewer.opened.iter().chain(&viewer.reused).sum(),
        m.requests,
    );
    let http3 = crate::scenario::ViewerHttpVersion::Http3.index();
    l.at_most(
        || identity("viewer HTTP/3 requests <= viewer_https"),
        viewer.opened[http3] + viewer.reused[http3],
        m.protocol.viewer_https,
    );
    for (e, edge) in c.viewer.iter().enumerate() {
        l.at_most(
            || format!("edges[{e}]: viewer handshake time > 0 only with a connection opened"),
            edge.handshake_us.min(1),
            edge.opened.iter().sum(),
        );
    }
}

/// Compression, when the run follows it: every response with a body left
/// in exactly one encoding, their bytes are the bytes sent to viewers, an
/// identity response is sent at full size and a compressed one at most at it.
fn check_compression(l: &mut Ledger, m: &Metrics) {
    let Some(c) = &m.compression else { return };
    l.equal(
        || identity("compression: gzip + br + identity responses = responses with a body"),
        c.responses_with_body(),
        m.responses_with_body,
    );
    l.equal(
        || identity("compression: bytes in every encoding = bytes_requested"),
        c.bytes.iter().sum(),
        m.bytes_requested,
    );
    let identity_index = crate::policy::compression::Encoding::Identity.index();
    l.equal(
        || identity("compression: identity bytes = their full size"),
        c.bytes[identity_index],
        c.original_bytes[identity_index],
    );
    for e in [crate::policy::compression::Encoding::Gzip, crate::policy::compression::Encoding::Brotli] {
        l.at_most(
            || format!("compression: {} bytes <= their full size", e.as_str()),
            c.bytes[e.index()],
            c.original_bytes[e.index()],
        );
    }
}

/// An identity's name, made only when it is broken.
fn identity(text: &str) -> String {
    text.to_string()
}

/// Failovers of every method: each is one more trip up the hierarchy.
fn failovers(m: &Metrics) -> u64 {
    m.by_method.iter().map(|b| b.failovers).sum()
}

/// Result types partition the requests, in every breakdown: overall, per
/// method and per behavior.
fn check_result_partitions(l: &mut Ledger, m: &Metrics) {
    l.equal(|| identity("hits + refresh_hits + misses + errors + redirects = requests"), m.results.total(), m.requests);
    // A custom error page answered with a status below 400 is logged
    // `Error` too (`policy::error_pages::PAGE_RESULT`).
    let pages_below_400 = |method: Option<usize>| {
        m.errors.as_ref().map_or(0, |e| match method {
            None => e.pages_below_400(),
            Some(i) => e.pages_below_400_by_method[i],
        })
    };
    l.equal(
        || identity("errors = errors_4xx + errors_5xx + custom pages answered below 400"),
        m.results.get(ResultType::Error),
        m.errors_4xx + m.errors_5xx + pages_below_400(None),
    );
    l.equal(|| identity("latency samples = requests"), m.latency_us.len(), m.requests);
    l.at_most(|| identity("bytes_hit <= bytes_requested"), m.bytes_hit, m.bytes_requested);
    l.equal(
        || identity("sum of per-method requests = requests"),
        m.by_method.iter().map(|b| b.requests).sum(),
        m.requests,
    );
    for (i, b) in m.by_method.iter().enumerate() {
        let method = crate::http::Method::ALL[i];
        l.equal(|| format!("{method}: result types = requests"), b.results.total(), b.requests);
        l.equal(
            || format!("{method}: errors = errors_4xx + errors_5xx + custom pages answered below 400"),
            b.results.get(ResultType::Error),
            b.errors_4xx + b.errors_5xx + pages_below_400(Some(i)),
        );
        l.at_most(|| format!("{method}: failovers <= primary_failures"), b.failovers, b.primary_failures);
        l.at_most(
            || format!("{method}: primary_failures <= reached_origin_group"),
            b.primary_failures,
            b.reached_origin_group,
        );
        l.at_most(|| format!("{method}: served_by_secondary <= failovers"), b.served_by_secondary, b.failovers);
        l.equal(|| format!("{method}: failover delay samples = failovers"), b.failover_added_us.len(), b.failovers);
    }
    l.equal(
        || identity("sum of per-behavior requests = requests"),
        m.behaviors.iter().map(|b| b.requests).sum(),
        m.requests,
    );
    l.equal(
        || identity("sum of per-behavior bytes = bytes_requested"),
        m.behaviors.iter().map(|b| b.bytes).sum(),
        m.bytes_requested,
    );
    for (i, b) in m.behaviors.iter().enumerate() {
        l.equal(|| format!("behavior {i}: result types = requests"), b.results.total(), b.requests);
        l.equal(|| format!("behavior {i}: latency samples = requests"), b.latency_us.len(), b.requests);
    }
}

/// Detailed result types partition the requests, overall and per behavior;
/// those refining one result type add up to its count; each is bounded by
/// what it names.
fn check_detailed_results(l: &mut Ledger, m: &Metrics) {
    use super::DetailedResultType as D;
    l.equal(|| identity("detailed result types = requests"), m.detailed.total(), m.requests);
    for r in ResultType::ALL {
        l.equal(|| format!("detailed result types of {r:?} = {r:?}"), m.detailed.of_result(r), m.results.get(r));
    }
    for (i, b) in m.behaviors.iter().enumerate() {
        l.equal(|| format!("behavior {i}: detailed result types = requests"), b.detailed.total(), b.requests);
        for r in ResultType::ALL {
            l.equal(
                || format!("behavior {i}: detailed result types of {r:?} = {r:?}"),
                b.detailed.of_result(r),
                b.results.get(r),
            );
        }
    }
    l.equal(
        || identity("OriginShieldHit = hits in the Origin Shield tier"),
        m.detailed.get(D::OriginShieldHit),
        m.intervals.iter().map(|i| i.hits_by_tier[2]).sum(),
    );
    l.at_most(|| identity("InvalidRequestMethod <= errors_4xx"), m.detailed.get(D::InvalidRequestMethod), m.errors_4xx);
    // Every geo-refused viewer is logged ClientGeoBlocked, and nothing else
    // is, a custom error page answering it or not
    // (`policy::error_pages::page_detailed_result_type`).
    l.equal(|| identity("ClientGeoBlocked = geo_blocked"), m.detailed.get(D::ClientGeoBlocked), m.geo_blocked);
    l.at_most(
        || identity("OriginConnectError <= origin connect_failures"),
        m.detailed.get(D::OriginConnectError),
        m.origins.iter().map(|o| o.connect_failures).sum(),
    );
    l.at_most(
        || identity("OriginCommError <= origin timeouts"),
        m.detailed.get(D::OriginCommError),
        m.origins.iter().map(|o| o.timeouts).sum(),
    );
}

/// The intervals add up to the run, and each partitions its own requests.
fn check_intervals(l: &mut Ledger, m: &Metrics) {
    let intervals = &m.intervals;
    l.equal(
        || identity("sum of per-interval requests = requests"),
        intervals.iter().map(|i| i.requests).sum(),
        m.requests,
    );
    l.equal(
        || identity("sum of per-interval bytes = bytes_requested"),
        intervals.iter().map(|i| i.bytes).sum(),
        m.bytes_requested,
    );
    l.equal(
        || identity("sum of per-interval origin_requests = origin_requests"),
        intervals.iter().map(|i| i.origin_requests).sum(),
        m.origin_requests,
    );
    l.equal(
        || identity("sum of per-interval failovers = failovers"),
        intervals.iter().map(|i| i.failovers).sum(),
        failovers(m),
    );
    l.equal(
        || identity("sum of per-interval legit_refused = legit_refused"),
        intervals.iter().map(|i| i.legit_refused).sum(),
        m.origin_access.legit_refused,
    );
    for (n, i) in intervals.iter().enumerate() {
        l.equal(|| format!("interval {n}: result types = requests"), i.results.total(), i.requests);
        l.equal(|| format!("interval {n}: hits by tier = hits"), i.hits_by_tier.iter().sum(), i.results.hits());
        l.equal(|| format!("interval {n}: latency samples = requests"), i.latency_us.len(), i.requests);
    }
}

/// Each cache: every lookup ends one way.
fn check_cache_lookups(l: &mut Ledger, m: &Metrics) {
    let tiers = m.caches.iter().enumerate().map(|(i, t)| (format!("cache {i}"), t));
    let shields = m.shield_role.iter().enumerate().map(|(i, t)| (format!("regional cache {i} as Origin Shield"), t));
    for (name, t) in tiers.chain(shields) {
        l.equal(
            || format!("{name}: lookups = hits + errors_served + revalidations + misses + collapsed"),
            t.lookups,
            t.hits + t.errors_served + t.stale + t.misses + t.collapsed,
        );
        l.at_most(|| format!("{name}: stale_served_on_error <= revalidations"), t.stale_served_on_error, t.stale);
    }
}

/// What the tiers sent up arrived: at a tier above, or at an origin, unless
/// an origin-request function failed on the way. A failover adds one trip
/// (to the secondary's shield, or its origin).
fn check_trips_up(l: &mut Ledger, m: &Metrics, facts: RunFacts) {
    let failovers = failovers(m);
    let sent_up: u64 = m.caches.iter().chain(&m.shield_role).map(forwarded).sum::<u64>() + failovers;
    let upper_tiers = m.caches[facts.n_edges.min(m.caches.len())..].iter().chain(&m.shield_role);
    let arrived_above: u64 = upper_tiers.map(|t| t.lookups + t.passed_through).sum();
    let at_origins: u64 = m.origins.iter().map(|o| o.requests).sum();
    let stopped: u64 = m.functions.on(EdgeEvent::OriginRequest).map(|a| a.failures).sum();
    l.equal(
        || {
            identity(
                "requests the tiers sent up + failovers = arrivals at regional tiers + origin requests + \
                 origin-request function failures",
            )
        },
        sent_up,
        arrived_above + at_origins + stopped,
    );
    l.at_most(|| identity("origin_requests (primary) <= requests at all origins"), m.origin_requests, at_origins);
    l.at_most(
        || identity("requests at all origins - origin_requests <= failovers"),
        at_origins - m.origin_requests.min(at_origins),
        failovers,
    );
    l.equal(
        || identity("origin_bytes = sum of origins' bytes_out"),
        m.origins.iter().map(|o| o.bytes_out).sum(),
        m.origin_bytes,
    );
    for (i, o) in m.origins.iter().enumerate() {
        l.equal(|| format!("origin {i}: requests by method = requests"), o.requests_by_method.iter().sum(), o.requests);
        l.at_most(|| format!("origin {i}: conditional <= requests"), o.conditional, o.requests);
        l.at_most(|| format!("origin {i}: not_modified <= conditional"), o.not_modified, o.conditional);
        l.at_most(
            || format!("origin {i}: refused connections + rejected <= requests"),
            o.connect_failures + o.rejected,
            o.requests,
        );
    }
}

/// Cache keys: fragmentation misses are misses and revalidations that went
/// up; a key is for one object, and is looked up at least once; every miss
/// that went up belongs to one behavior.
fn check_cache_keys(l: &mut Ledger, m: &Metrics) {
    let tiers = m.caches.iter().enumerate().map(|(i, t)| (format!("cache {i}"), t));
    let shields = m.shield_role.iter().enumerate().map(|(i, t)| (format!("regional cache {i} as Origin Shield"), t));
    for (name, t) in tiers.chain(shields) {
        l.at_most(
            || format!("{name}: fragmentation_misses <= misses + revalidations"),
            t.fragmentation_misses,
            t.misses + t.stale,
        );
        l.at_most(|| format!("{name}: objects_requested <= keys_requested"), t.objects_requested, t.keys_requested);
        l.at_most(|| format!("{name}: keys_requested <= lookups"), t.keys_requested, t.lookups);
    }
    for (i, b) in m.behaviors.iter().enumerate() {
        l.at_most(
            || format!("behavior {i}: fragmentation_misses <= fetching misses"),
            b.fragmentation_misses,
            b.fetching_misses,
        );
        l.at_most(
            || format!("behavior {i}: objects_requested <= keys_requested"),
            b.objects_requested,
            b.keys_requested,
        );
        l.at_most(|| format!("behavior {i}: keys_requested <= requests"), b.keys_requested, b.requests);
        // The same lookups counted under the keys they would have had
        // without the viewer-request transforms: the same objects.
        if let Some(before) = b.before_transforms {
            l.equal(
                || format!("behavior {i}: objects before transforms = objects_requested"),
                before.objects,
                b.objects_requested,
            );
            l.at_most(|| format!("behavior {i}: objects before transforms <= keys"), before.objects, before.keys);
            l.at_most(|| format!("behavior {i}: keys before transforms <= requests"), before.keys, b.requests);
        }
    }
    let all_tiers = || m.caches.iter().chain(&m.shield_role);
    l.equal(
        || identity("sum of per-behavior fetching misses = sum of tiers' misses + revalidations"),
        m.behaviors.iter().map(|b| b.fetching_misses).sum(),
        all_tiers().map(|t| t.misses + t.stale).sum(),
    );
    l.equal(
        || identity("sum of per-behavior fragmentation_misses = sum of tiers' fragmentation_misses"),
        m.behaviors.iter().map(|b| b.fragmentation_misses).sum(),
        all_tiers().map(|t| t.fragmentation_misses).sum(),
    );
}

/// What reached the origin beyond the key: an untailored response is one
/// an origin sent; a mistailored request was answered with a cached copy (a
/// hit at some tier) or collapsed onto another's fetch.
fn check_origin_requests(l: &mut Ledger, m: &Metrics) {
    for (i, o) in m.origins.iter().enumerate() {
        l.at_most(|| format!("origin {i}: untailored <= requests"), o.untailored, o.requests);
    }
    for (i, b) in m.behaviors.iter().enumerate() {
        l.at_most(|| format!("behavior {i}: mistailored <= requests"), b.mistailored, b.requests);
    }
    l.at_most(
        || identity("sum of per-behavior mistailored <= sum of tiers' hits + collapsed"),
        m.behaviors.iter().map(|b| b.mistailored).sum(),
        m.caches.iter().chain(&m.shield_role).map(|t| t.hits + t.collapsed).sum(),
    );
}

fn check_signing_and_protocols(l: &mut Ledger, m: &Metrics) {
    let sig = &m.signing;
    l.equal(
        || identity("signed requests checked = accepted + rejected"),
        sig.checked,
        sig.accepted + sig.rejected.iter().sum::<u64>(),
    );
    l.at_most(
        || identity("signed requests rejected <= errors"),
        sig.rejected.iter().sum(),
        m.results.get(ResultType::Error),
    );
    // A geo-blocked request is answered 403 at the edge and checked for
    // nothing else, unless a custom error page answers it in the 403's
    // place, under the page's status.
    l.at_most(|| identity("geo blocked answered by a page <= geo blocked"), m.geo_blocked_pages, m.geo_blocked);
    l.at_most(
        || identity("geo blocked - answered by a page + signed requests rejected <= errors_4xx"),
        m.geo_blocked.saturating_sub(m.geo_blocked_pages) + sig.rejected.iter().sum::<u64>(),
        m.errors_4xx,
    );
    if let Some(populations) = &m.populations {
        // Each arrival counts once at its population; a redirected viewer's
        // HTTPS retry is a request of its own but no new arrival.
        l.at_most(
            || identity("sum of populations' requests <= requests"),
            populations.iter().map(|p| p.requests).sum(),
            m.requests,
        );
    }
    let p = &m.protocol;
    l.equal(|| identity("viewer_http + viewer_https = requests"), p.viewer_http + p.viewer_https, m.requests);
    l.equal(|| identity("protocol redirects = Redirect results"), p.redirects, m.results.get(ResultType::Redirect));
    l.at_most(|| identity("redirects + refused_http <= viewer_http"), p.redirects + p.refused_http, p.viewer_http);
    l.at_most(
        || identity("replayed requests compared <= requests"),
        m.result_comparison.iter().flatten().sum(),
        m.requests,
    );
    l.at_most(
        || identity("replayed requests compared in detail <= requests"),
        m.detailed_comparison.iter().flatten().sum(),
        m.requests,
    );
}

/// Edge functions: each invocation is counted once, and the functions on
/// each event run for exactly the requests CloudFront runs them for
/// (`policy::edge_functions`).
fn check_edge_functions(l: &mut Ledger, m: &Metrics) {
    let f = &m.functions;
    for (i, a) in f.associations.iter().enumerate() {
        let name = || format!("function association {i} ({} of behavior {})", a.event, a.behavior);
        l.at_most(|| format!("{}: cold starts <= invocations", name()), a.cold_starts, a.invocations);
        l.at_most(|| format!("{}: failures <= invocations", name()), a.failures, a.invocations);
        l.equal(|| format!("{}: wait samples = invocations", name()), a.waited_hist_us.len(), a.invocations);
        if a.kind == FunctionKind::CloudFrontFunction {
            l.equal(|| format!("{}: CloudFront Functions never start cold", name()), a.cold_starts, 0);
        }
        let b = &m.behaviors[a.behavior];
        let (redirects, errors) = (b.results.get(ResultType::Redirect), b.results.get(ResultType::Error));
        let refused = f.refused_at_edge.get(a.behavior).copied().unwrap_or(0);
        match a.event {
            // Every request the edge lets through runs it.
            EdgeEvent::ViewerRequest => l.equal(
                || format!("{}: invocations + redirects + refused at the edge = requests", name()),
                a.invocations + redirects + refused,
                b.requests,
            ),
            // Every response below 400 that is no redirect runs it; a failed
            // run turns its response into an error.
            EdgeEvent::ViewerResponse => l.equal(
                || format!("{}: invocations + redirects + errors = requests + failures", name()),
                a.invocations + redirects + errors,
                b.requests + a.failures,
            ),
            EdgeEvent::OriginRequest | EdgeEvent::OriginResponse => {}
        }
    }
    let at_origins: u64 = m.origins.iter().map(|o| o.requests).sum();
    let answered: u64 = m.origins.iter().map(|o| o.requests - (o.connect_failures + o.timeouts).min(o.requests)).sum();
    let sum = |event: EdgeEvent, field: fn(&super::AssociationStats) -> u64| f.on(event).map(field).sum::<u64>();
    l.at_most(
        || identity("origin-request invocations - failures <= requests at all origins"),
        sum(EdgeEvent::OriginRequest, |a| a.invocations).saturating_sub(sum(EdgeEvent::OriginRequest, |a| a.failures)),
        at_origins,
    );
    l.at_most(
        || identity("origin-response invocations <= origin requests answered (no connection failure or timeout)"),
        sum(EdgeEvent::OriginResponse, |a| a.invocations),
        answered,
    );
    // A background revalidation (`stale-while-revalidate`) whose
    // origin-request function fails answers no viewer: its 503 ends at the
    // cache that sent it.
    let background: u64 = m.caches.iter().map(|c| c.background_revalidations).sum();
    l.at_most(
        || identity("function failures <= errors_5xx + background revalidations"),
        f.failures(),
        m.errors_5xx + background,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Method;
    use crate::metrics::tests::detailed_of;
    use crate::metrics::{DetailedResultType, Outcome, ServedBy};
    use crate::time::{SimDuration, SimTime};

    fn metrics_with(outcomes: &[(u16, ServedBy, ResultType)]) -> Metrics {
        let mut m = Metrics::new(2, 1, 1, 1, SimDuration::from_secs(1), SimDuration::ZERO);
        for &(status, served_by, result) in outcomes {
            m.record(&Outcome {
                start: SimTime::ZERO,
                latency: SimDuration(10),
                method: Method::Get,
                edge: 0,
                https: true,
                behavior: 0,
                status,
                body_bytes: 5,
                served_by,
                result,
                detailed: detailed_of(status, served_by, result),
            });
            m.protocol.viewer_https += 1;
        }
        m.flush();
        m
    }

    const FACTS: RunFacts = RunFacts { n_edges: 1, unfinished: 0 };

    #[test]
    #[should_panic(expected = "before Metrics::flush")]
    fn checking_unflushed_counters_panics() {
        let mut m = metrics_with(&[]);
        m.record(&Outcome {
            start: SimTime::ZERO,
            latency: SimDuration(10),
            method: Method::Get,
            edge: 0,
            https: true,
            behavior: 0,
            status: 200,
            body_bytes: 5,
            served_by: ServedBy::Edge,
            result: ResultType::Hit,
            detailed: DetailedResultType::Hit,
        });
        let _ = check(&m, FACTS);
    }

    /// An edge hit and a miss: the edge looked up twice, hit once and sent
    /// one request up to its regional cache, which missed and sent it to
    /// the origin, which sent 5 bytes.
    fn consistent_run() -> Metrics {
        let mut m = metrics_with(&[(200, ServedBy::Edge, ResultType::Hit), (200, ServedBy::Origin, ResultType::Miss)]);
        m.caches[0] = TierStats { lookups: 2, hits: 1, misses: 1, bytes_hit: 5, ..TierStats::default() };
        m.caches[1] = TierStats { lookups: 1, misses: 1, ..TierStats::default() };
        m.behaviors[0].fetching_misses = 2;
        m.origins[0].requests = 1;
        m.origins[0].requests_by_method[Method::Get.index()] = 1;
        m.origins[0].bytes_out = 5;
        m.origin_bytes = 5;
        m.record_origin_request(SimTime::ZERO);
        m
    }

    #[test]
    fn consistent_counters_pass() {
        assert_eq!(check(&consistent_run(), FACTS), Ok(()));
    }

    #[test]
    fn usage_that_does_not_add_up_is_reported() {
        // The consistent run's two HTTPS GETs (5 bytes each) are edge 0's,
        // on the Tier2-HTTPS line (billed as US until told otherwise).
        let mut m = consistent_run();
        assert_eq!(m.usage.edges[0].requests, [0, 2, 0, 0]);
        assert_eq!(check(&m, FACTS), Ok(()));
        // A request on no line, a byte served twice, a shield charging a
        // request that never reached it, an invocation no association made,
        // paths never submitted.
        m.usage.edges[0].requests[1] -= 1;
        m.usage.edges[0].bytes_out += 1;
        m.usage.shield_requests[0] = 1;
        m.usage.function_invocations = 1;
        m.usage.invalidation_paths = 3;
        m.usage.record_body_to_origin(0, 100);
        let broken = check(&m, FACTS).unwrap_err();
        let names: Vec<&str> = broken.iter().map(|b| b.identity.as_str()).collect();
        assert_eq!(
            names,
            [
                "usage: requests over regions and kinds = requests",
                "usage: DataTransfer-Out bytes = bytes to viewers",
                "usage: regional[0]: Origin Shield requests charged <= requests that reached it as a shield",
                "usage: CloudFront Functions invocations = their associations' invocations",
                "usage: request bodies sent to origins <= origin requests with a method that carries one",
                "usage: invalidation paths <= paths submitted",
            ]
        );
        assert_eq!((broken[0].left, broken[0].right), (1, 2));
        assert_eq!((broken[1].left, broken[1].right), (11, 10));
    }

    /// A run of refused viewers, logged as the engine logs them: `status`
    /// from the edge, `Error` / `ClientGeoBlocked`, each counted blocked.
    fn geo_blocked_run(statuses: &[u16]) -> Metrics {
        let mut m = Metrics::new(2, 1, 1, 1, SimDuration::from_secs(1), SimDuration::ZERO);
        for &status in statuses {
            m.record(&Outcome {
                start: SimTime::ZERO,
                latency: SimDuration(10),
                method: Method::Get,
                edge: 0,
                https: true,
                behavior: 0,
                status,
                body_bytes: 0,
                served_by: ServedBy::EdgeGenerated,
                result: ResultType::Error,
                detailed: DetailedResultType::ClientGeoBlocked,
            });
            m.protocol.viewer_https += 1;
            m.geo_blocked += 1;
        }
        m.flush();
        m
    }

    #[test]
    fn geo_blocked_requests_beyond_the_4xx_are_reported() {
        // A 403 at the edge for a refused country: one 4xx error, blocked once.
        let mut m = geo_blocked_run(&[403]);
        assert_eq!(check(&m, FACTS), Ok(()));
        // Blocked twice, with one 4xx and one ClientGeoBlocked: broken twice.
        m.geo_blocked = 2;
        let broken = check(&m, FACTS).unwrap_err();
        let names: Vec<&str> = broken.iter().map(|b| b.identity.as_str()).collect();
        assert_eq!(
            names,
            [
                "ClientGeoBlocked = geo_blocked",
                "geo blocked - answered by a page + signed requests rejected <= errors_4xx"
            ]
        );
        assert_eq!((broken[0].left, broken[0].right), (1, 2));
        assert_eq!((broken[1].left, broken[1].right), (2, 1));
    }

    #[test]
    fn geo_blocked_requests_answered_by_a_page_need_not_be_4xx() {
        use crate::metrics::ErrorStats;
        // Two refused viewers: one got the 403, one a 403 page under 200
        // (both 403s at the edge, one page fetched and served).
        let mut m = geo_blocked_run(&[403, 200]);
        let mut errors = ErrorStats::default();
        let c = errors.code(403);
        (c.to_viewers, c.page_fetches) = (2, 1);
        errors.page_served(403, 200, Method::Get);
        m.errors = Some(errors);
        // Not yet counted as answered by a page: its 200 is no 4xx.
        let broken = check(&m, FACTS).unwrap_err();
        assert_eq!(broken.len(), 1, "{broken:?}");
        assert_eq!((broken[0].left, broken[0].right), (2, 1));
        m.geo_blocked_pages = 1;
        assert_eq!(check(&m, FACTS), Ok(()));
        // More answered by a page than blocked.
        m.geo_blocked_pages = 3;
        let broken = check(&m, FACTS).unwrap_err();
        assert_eq!(broken.len(), 1, "{broken:?}");
        assert_eq!(broken[0].identity, "geo blocked answered by a page <= geo blocked");
        assert_eq!((broken[0].left, broken[0].right), (3, 2));
    }

    #[test]
    fn populations_with_more_arrivals_than_requests_are_reported() {
        // The consistent run's two requests, from two populations.
        let mut m = consistent_run();
        let one = crate::metrics::PopulationStats { requests: 1, viewer_rtt_sum_us: 10_000 };
        m.populations = Some(vec![one, one]);
        assert_eq!(check(&m, FACTS), Ok(()));
        m.populations = Some(vec![one, one, one]);
        let broken = check(&m, FACTS).unwrap_err();
        assert_eq!(broken.len(), 1, "{broken:?}");
        assert_eq!(broken[0].identity, "sum of populations' requests <= requests");
    }

    #[test]
    fn connection_counters_that_do_not_add_up_are_reported() {
        // The consistent run above, with connections modelled: its origin
        // request went over a reused connection, its two viewer requests
        // over one HTTP/2 connection opened (2 ms of handshake) and reused.
        let mut m = consistent_run();
        let mut c = crate::metrics::ConnectionStats::new(2, 1, 1);
        c.origin_mut(1, 0).reused = 1;
        c.viewer[0].opened[1] = 1;
        c.viewer[0].reused[1] = 1;
        c.viewer[0].handshake_us = 2_000;
        m.connections = Some(c.clone());
        assert_eq!(check(&m, FACTS), Ok(()));
        // The origin request counted on no connection, handshake time
        // without a connection opened, and a viewer request too many (over
        // HTTP/3, which no HTTPS request can have been: both were).
        c.origin_mut(1, 0).reused = 0;
        c.origin_mut(0, 0).handshake_us = 5;
        c.viewer[0].reused[2] = 3;
        m.connections = Some(c);
        let broken: Vec<String> = check(&m, FACTS).unwrap_err().into_iter().map(|b| b.identity).collect();
        assert_eq!(broken.len(), 4, "{broken:?}");
        assert!(broken[0].contains("opened + reused = requests"), "{broken:?}");
        assert!(broken[1].contains("handshake time > 0 only"), "{broken:?}");
        assert!(broken[2].contains("viewer connections opened + reused"), "{broken:?}");
        assert!(broken[3].contains("HTTP/3"), "{broken:?}");
    }

    #[test]
    fn cache_key_counters_that_do_not_add_up_are_reported() {
        // One edge miss went up with a fragmentation miss counted twice at
        // the tier and once at the behavior, and a tier claims more distinct
        // keys than lookups.
        let mut m = metrics_with(&[(200, ServedBy::Origin, ResultType::Miss)]);
        m.caches[0] =
            TierStats { lookups: 1, misses: 1, fragmentation_misses: 2, keys_requested: 2, ..TierStats::default() };
        m.caches[1] = TierStats { lookups: 1, misses: 1, ..TierStats::default() };
        m.behaviors[0].fetching_misses = 2;
        m.behaviors[0].fragmentation_misses = 1;
        m.behaviors[0].keys_requested = 1;
        m.behaviors[0].objects_requested = 2;
        m.behaviors[0].before_transforms = Some(crate::metrics::KeyCount { keys: 3, objects: 1 });
        m.origins[0].requests = 1;
        m.origins[0].requests_by_method[Method::Get.index()] = 1;
        m.record_origin_request(SimTime::ZERO);
        let broken = check(&m, FACTS).unwrap_err();
        let names: Vec<&str> = broken.iter().map(|b| b.identity.as_str()).collect();
        assert_eq!(
            names,
            [
                "cache 0: fragmentation_misses <= misses + revalidations",
                "cache 0: keys_requested <= lookups",
                "behavior 0: objects_requested <= keys_requested",
                "behavior 0: objects before transforms = objects_requested",
                "behavior 0: keys before transforms <= requests",
                "sum of per-behavior fragmentation_misses = sum of tiers' fragmentation_misses",
            ]
        );
    }

    #[test]
    fn detailed_result_types_that_do_not_add_up_are_reported() {
        use crate::metrics::DetailedCounts;
        use DetailedResultType as D;
        let counts = |types: &[(D, u64)]| {
            let mut c = DetailedCounts::default();
            types.iter().for_each(|&(d, n)| c.add(d, n));
            c
        };
        // One edge hit and one 502 from an origin that refused connections,
        // as the engine counts them: every identity holds.
        let mut m = metrics_with(&[(200, ServedBy::Edge, ResultType::Hit), (502, ServedBy::Origin, ResultType::Error)]);
        m.caches[0] = TierStats { lookups: 2, hits: 1, misses: 1, bytes_hit: 5, ..TierStats::default() };
        m.caches[1] = TierStats { lookups: 1, misses: 1, ..TierStats::default() };
        m.origins[0].requests = 1;
        m.origins[0].requests_by_method[Method::Get.index()] = 1;
        m.origins[0].connect_failures = 1;
        m.behaviors[0].fetching_misses = 2;
        m.record_origin_request(SimTime::ZERO);
        let engine = counts(&[(D::Hit, 1), (D::OriginConnectError, 1)]);
        (m.detailed, m.behaviors[0].detailed) = (engine, engine);
        assert_eq!(check(&m, FACTS), Ok(()));
        // The hit counted as an Origin Shield hit (no shield tier hit), and
        // overall a second connect error beside the first.
        m.behaviors[0].detailed = counts(&[(D::OriginShieldHit, 1), (D::OriginConnectError, 1)]);
        m.detailed = counts(&[(D::OriginShieldHit, 1), (D::OriginConnectError, 2)]);
        let broken = check(&m, FACTS).unwrap_err();
        let names: Vec<&str> = broken.iter().map(|b| b.identity.as_str()).collect();
        assert_eq!(
            names,
            [
                "detailed result types = requests",
                "detailed result types of Error = Error",
                "OriginShieldHit = hits in the Origin Shield tier",
                "OriginConnectError <= origin connect_failures",
            ]
        );
        // A method refusal that no 4xx stands for (the error was a 502),
        // and at the behavior a Miss for the hit.
        m.detailed = counts(&[(D::Hit, 1), (D::InvalidRequestMethod, 1)]);
        m.behaviors[0].detailed = counts(&[(D::Miss, 1), (D::OriginConnectError, 1)]);
        let broken = check(&m, FACTS).unwrap_err();
        let names: Vec<&str> = broken.iter().map(|b| b.identity.as_str()).collect();
        assert_eq!(
            names,
            [
                "behavior 0: detailed result types of Hit = Hit",
                "behavior 0: detailed result types of Miss = Miss",
                "InvalidRequestMethod <= errors_4xx",
            ]
        );
    }

    #[test]
    fn origin_request_counters_that_do_not_add_up_are_reported() {
        // One edge miss reached the origin: the origin claims two untailored
        // responses, and the behavior one mistailored answer, though no
        // tier had a hit or a collapsed request.
        let mut m = metrics_with(&[(200, ServedBy::Origin, ResultType::Miss)]);
        m.caches[0] = TierStats { lookups: 1, misses: 1, ..TierStats::default() };
        m.caches[1] = TierStats { lookups: 1, misses: 1, ..TierStats::default() };
        m.behaviors[0].fetching_misses = 2;
        m.origins[0].requests = 1;
        m.origins[0].requests_by_method[Method::Get.index()] = 1;
        m.origins[0].untailored = 2;
        m.behaviors[0].mistailored = 1;
        m.record_origin_request(SimTime::ZERO);
        let broken = check(&m, FACTS).unwrap_err();
        let names: Vec<&str> = broken.iter().map(|b| b.identity.as_str()).collect();
        assert_eq!(
            names,
            ["origin 0: untailored <= requests", "sum of per-behavior mistailored <= sum of tiers' hits + collapsed"]
        );
        // One untailored response, and no mistailored answer without a hit: sound.
        m.origins[0].untailored = 1;
        m.behaviors[0].mistailored = 0;
        assert_eq!(check(&m, FACTS), Ok(()), "{:?}", check(&m, FACTS));
    }

    #[test]
    fn a_lost_request_breaks_the_flow_identity_with_its_numbers() {
        let mut m = metrics_with(&[(200, ServedBy::Origin, ResultType::Miss)]);
        // The edge sent one request up, but nothing arrived anywhere.
        m.caches[0] = TierStats { lookups: 1, misses: 1, ..TierStats::default() };
        let broken = check(&m, FACTS).unwrap_err();
        let flow = broken.iter().find(|b| b.identity.starts_with("requests the tiers sent up")).expect("flow broken");
        assert_eq!((flow.left, flow.right), (1, 0));
    }

    #[test]
    fn a_request_counted_twice_breaks_the_partition() {
        let mut m = metrics_with(&[(200, ServedBy::Edge, ResultType::Hit)]);
        // Counted again as a Miss, by result type only: the detailed types
        // no longer add up to the result types either.
        m.results.add(ResultType::Miss, 1);
        m.caches[0] = TierStats { lookups: 1, hits: 1, bytes_hit: 5, ..TierStats::default() };
        let broken = check(&m, FACTS).unwrap_err();
        assert_eq!(
            broken,
            [
                Broken {
                    identity: s("hits + refresh_hits + misses + errors + redirects = requests"),
                    left: 2,
                    right: 1
                },
                Broken { identity: s("detailed result types of Miss = Miss"), left: 0, right: 1 },
            ]
        );
        let error = AccountingError { scenario: "x".into(), seed: 3, broken };
        let text = error.to_string();
        assert!(text.contains("seed 3") && text.contains("bug in cdnsim") && text.contains(": 2 vs 1"), "{text}");
    }

    fn s(text: &str) -> String {
        text.to_string()
    }

    #[test]
    fn edge_functions_must_run_for_exactly_the_requests_that_reach_them() {
        use crate::metrics::{AssociationStats, FunctionMetrics};
        // Two edge hits of behavior 0, which runs a viewer-request and a
        // viewer-response function: each ran twice.
        let hits = [(200, ServedBy::Edge, ResultType::Hit), (200, ServedBy::Edge, ResultType::Hit)];
        let mut m = metrics_with(&hits);
        m.caches[0] = TierStats { lookups: 2, hits: 2, bytes_hit: 10, ..TierStats::default() };
        m.functions = FunctionMetrics::new(
            vec![
                AssociationStats::new(0, EdgeEvent::ViewerRequest, 0, FunctionKind::CloudFrontFunction),
                AssociationStats::new(0, EdgeEvent::ViewerResponse, 1, FunctionKind::LambdaEdge),
            ],
            1,
        );
        for _ in 0..2 {
            m.functions.record(0, crate::time::SimDuration(300), false, false);
            m.functions.record(1, crate::time::SimDuration(30_000), false, false);
            m.usage.record_function_invocation();
            m.usage.record_lambda_run(0, crate::time::SimDuration(30_000), 128);
        }
        assert_eq!(check(&m, FACTS), Ok(()));

        // A third viewer-request run that no request made, and a cold start
        // counted on a CloudFront Function.
        m.functions.record(0, crate::time::SimDuration(300), true, false);
        m.usage.record_function_invocation();
        let broken = check(&m, FACTS).unwrap_err();
        let names: Vec<&str> = broken.iter().map(|b| b.identity.as_str()).collect();
        assert_eq!(
            names,
            [
                "function association 0 (viewer-request of behavior 0): CloudFront Functions never start cold",
                "function association 0 (viewer-request of behavior 0): invocations + redirects + refused at the edge \
                 = requests"
            ]
        );
        assert_eq!((broken[1].left, broken[1].right), (3, 2));
    }

    #[test]
    fn a_failed_origin_request_function_closes_the_flow() {
        use crate::metrics::{AssociationStats, FunctionMetrics};
        // A miss whose origin-request function timed out at the edge: the
        // edge sent it up, nothing arrived anywhere, and the viewer got a 503.
        let mut m = metrics_with(&[(503, ServedBy::EdgeFunctionError, ResultType::Error)]);
        m.caches[0] = TierStats { lookups: 1, misses: 1, ..TierStats::default() };
        // The edge's miss went up for its behavior (the cache-key counters).
        m.behaviors[0].fetching_misses = 1;
        m.functions = FunctionMetrics::new(
            vec![AssociationStats::new(0, EdgeEvent::OriginRequest, 0, FunctionKind::LambdaEdge)],
            1,
        );
        m.functions.record(0, crate::time::SimDuration(30_000_000), true, true);
        m.usage.record_lambda_run(0, crate::time::SimDuration(30_000_000), 128);
        assert_eq!(check(&m, FACTS), Ok(()));
        m.functions.associations[0].failures = 0;
        let broken = check(&m, FACTS).unwrap_err();
        assert!(broken[0].identity.ends_with("origin-request function failures"), "{broken:?}");
    }

    #[test]
    fn an_unfinished_request_and_an_unbalanced_tier_are_reported() {
        let mut m = metrics_with(&[]);
        m.caches[0] = TierStats { lookups: 3, hits: 1, ..TierStats::default() };
        let broken = check(&m, RunFacts { n_edges: 1, unfinished: 2 }).unwrap_err();
        let names: Vec<&str> = broken.iter().map(|b| b.identity.as_str()).collect();
        assert_eq!(
            names,
            ["unfinished requests = 0", "cache 0: lookups = hits + errors_served + revalidations + misses + collapsed"]
        );
    }

    #[test]
    fn compression_counters_that_do_not_add_up_are_reported() {
        use crate::metrics::CompressionStats;
        use crate::policy::compression::Encoding;
        let consistent = || {
            // A 200 hit and a 404: one response with a body, sent in br of a
            // 40-byte object. `metrics_with` gives every outcome 5 body
            // bytes, the 404's too, so the bytes to viewers are 10: 30 saved.
            let mut m =
                metrics_with(&[(200, ServedBy::Edge, ResultType::Hit), (404, ServedBy::Origin, ResultType::Error)]);
            m.caches[0] = TierStats { lookups: 2, hits: 1, misses: 1, bytes_hit: 5, ..TierStats::default() };
            m.behaviors[0].fetching_misses = 1;
            m.origins[0].requests = 1;
            m.origins[0].requests_by_method[Method::Get.index()] = 1;
            m.record_origin_request(SimTime::ZERO);
            let mut c = CompressionStats::default();
            c.record(Encoding::Brotli, 10, 40);
            m.compression = Some(c);
            m
        };
        let m = consistent();
        assert_eq!(m.responses_with_body, 1, "the 404 carries no body");
        assert_eq!(check(&m, RunFacts { n_edges: 2, unfinished: 0 }), Ok(()));
        assert_eq!(m.compression.as_ref().unwrap().bytes_saved(), 30);
        // Broken on purpose: the 404 counted as an identity response, and the
        // br bytes above the object's size.
        let mut m = consistent();
        let c = m.compression.as_mut().unwrap();
        c.record(Encoding::Identity, 0, 1);
        c.bytes[Encoding::Brotli.index()] = 45;
        let broken = check(&m, RunFacts { n_edges: 2, unfinished: 0 }).unwrap_err();
        let names: Vec<&str> = broken.iter().map(|b| b.identity.as_str()).collect();
        assert_eq!(
            names,
            [
                "compression: gzip + br + identity responses = responses with a body",
                "compression: bytes in every encoding = bytes_requested",
                "compression: identity bytes = their full size",
                "compression: br bytes <= their full size",
            ]
        );
    }

    #[test]
    fn range_counters_that_do_not_add_up_are_reported() {
        use crate::metrics::ranges::RangeStats;
        // Two GETs of behavior 0, a 200 hit and a 404 (5 body bytes each in
        // `metrics_with`): the hit a range GET answered 206 with 5 bytes,
        // after one range fetch that brought 5 bytes from the origin.
        let consistent = || {
            let mut m =
                metrics_with(&[(200, ServedBy::Edge, ResultType::Hit), (404, ServedBy::Origin, ResultType::Error)]);
            m.caches[0] = TierStats { lookups: 2, hits: 1, misses: 1, bytes_hit: 5, ..TierStats::default() };
            m.behaviors[0].fetching_misses = 1;
            m.origins[0].requests = 1;
            m.origins[0].requests_by_method[Method::Get.index()] = 1;
            m.record_origin_request(SimTime::ZERO);
            m.origin_bytes = 5;
            m.origins[0].bytes_out = 5;
            let mut r = RangeStats::new(1, 2);
            r.record(0, 1, 206, 5, 5);
            r.record_origin(0, 1, 5);
            m.ranges = Some(r);
            m
        };
        assert_eq!(check(&consistent(), RunFacts { n_edges: 2, unfinished: 0 }), Ok(()));
        // Broken on purpose: an answer counted by status but not as a range
        // GET, more range bytes than the behavior sent, and a fetch and
        // bytes from the origin it never made or sent.
        let mut m = consistent();
        let counts = &mut m.ranges.as_mut().unwrap().behaviors[0];
        counts.unsatisfiable += 1;
        counts.bytes_to_viewers = 11;
        counts.origin_requests = 2;
        counts.origin_bytes = 6;
        m.ranges.as_mut().unwrap().classes[0].requests = 1;
        let broken = check(&m, RunFacts { n_edges: 2, unfinished: 0 }).unwrap_err();
        let names: Vec<&str> = broken.iter().map(|b| b.identity.as_str()).collect();
        assert_eq!(
            names,
            [
                "ranges: behaviors[0]: 206 + 200 + 416 + other answers = range GETs",
                "ranges: behaviors[0]: bytes to viewers <= the behavior's bytes",
                "ranges: range GETs by class = range GETs by behavior",
                "ranges: bytes to viewers by class = by behavior",
                "ranges: origin bytes by class = by behavior",
                "ranges: range fetches answered <= origin requests",
                "ranges: origin bytes for ranges <= origin bytes",
            ]
        );
    }

    #[test]
    fn an_invalidation_that_missed_a_cache_is_reported() {
        use crate::metrics::InvalidationStats;
        // One invalidation, 2 edge locations and 1 regional cache: it must
        // have reached all three by the end of the run.
        let mut m = metrics_with(&[]);
        let mut inv = InvalidationStats::new(vec![1], [2, 1]);
        inv.reached[0] = [2, 1];
        inv.removed[0] = [5, 1];
        m.invalidations = Some(inv.clone());
        assert_eq!(check(&m, RunFacts { n_edges: 2, unfinished: 0 }), Ok(()));
        inv.reached[0] = [1, 1];
        m.invalidations = Some(inv);
        let broken = check(&m, RunFacts { n_edges: 2, unfinished: 0 }).unwrap_err();
        let names: Vec<&str> = broken.iter().map(|b| b.identity.as_str()).collect();
        assert_eq!(names, ["invalidations[0]: edge caches reached = edge caches"]);
    }

    #[test]
    fn custom_error_pages_must_add_up() {
        use crate::metrics::ErrorStats;
        // One viewer's response was a 503 at the edge (only that is
        // counted here), a page fetch for it was served with 200: an Error
        // result that is neither 4xx nor 5xx.
        let mut m = metrics_with(&[(200, ServedBy::Origin, ResultType::Error)]);
        let mut errors = ErrorStats::default();
        let c = errors.code(503);
        (c.to_viewers, c.page_fetches) = (1, 1);
        errors.page_served(503, 200, Method::Get);
        m.errors = Some(errors.clone());
        assert_eq!(check(&m, FACTS), Ok(()));
        // The page served, but not counted below 400: the Error result is
        // left unexplained; a second fetch that ended nowhere, and one more
        // than the errors to viewers.
        errors.pages_below_400_by_method = [0; 7];
        errors.code(503).page_fetches = 2;
        m.errors = Some(errors);
        let broken = check(&m, FACTS).unwrap_err();
        let names: Vec<&str> = broken.iter().map(|b| b.identity.as_str()).collect();
        assert_eq!(
            names,
            [
                "errors = errors_4xx + errors_5xx + custom pages answered below 400",
                "GET: errors = errors_4xx + errors_5xx + custom pages answered below 400",
                "errors 503: page fetches = pages served + page failures",
                "errors 503: page fetches <= errors to viewers",
            ]
        );
    }
}
