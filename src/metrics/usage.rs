//! A run's CloudFront usage: what the simulated traffic would put on AWS's
//! usage report for CloudFront, counted by the region each request bills in.
//!
//! Counters are plain integers (requests, bytes, paths, MB-milliseconds),
//! added on the way with no allocation, and turned into the bill's exact
//! quantities (`cdnsim_cost::Usage`) once, at the end (`UsageCounters::usage`).
//! Like the rest of `metrics`, only measured requests count (those that
//! started after the warm-up), so the usage covers the measured window.
//!
//! A leaf of `metrics`: it imports nothing from `mod.rs`, which holds it.

use super::merging::{add_counts, merge_each, same};
use crate::geo::{self, Region};
use crate::http::Method;
use crate::policy::usage::{RequestKind, lambda_billed_ms, origin_shield_charged, request_kind};
use crate::scenario::Scenario;
use crate::time::{SimDuration, SimTime};
use cdnsim_cost::{AwsRegion, Quantity, RegionCode, Usage, UsageType};

/// Viewer traffic at one edge location, or summed over a usage-report region.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ViewerUsage {
    /// Viewer requests by `RequestKind::index`.
    pub requests: [u64; RequestKind::ALL.len()],
    /// Payload bytes served to viewers: what `Metrics::bytes_requested` counts.
    pub bytes_out: u64,
    /// Request bodies sent on to origins (over a connection made), and
    /// their bytes.
    // Invariant: bodies_to_origin <= the origins' requests with a method
    // that carries one (an accounting identity).
    pub bodies_to_origin: u64,
    pub bytes_to_origin: u64,
}

impl ViewerUsage {
    pub fn requests_total(&self) -> u64 {
        self.requests.iter().sum()
    }

    /// Adds another's traffic: another partition's at the same edge
    /// location, or another edge location's for its region's sum.
    pub fn merge(&mut self, other: ViewerUsage) {
        let ViewerUsage { requests, bytes_out, bodies_to_origin, bytes_to_origin } = other;
        add_counts(&mut self.requests, requests);
        self.bytes_out += bytes_out;
        self.bodies_to_origin += bodies_to_origin;
        self.bytes_to_origin += bytes_to_origin;
    }
}

/// Lambda@Edge runs in one AWS Region.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LambdaUsage {
    pub requests: u64,
    /// Billed duration (whole milliseconds) times the function's memory in
    /// MB, summed over the runs.
    pub mb_ms: u64,
}

impl LambdaUsage {
    /// Adds another partition's runs in the same Region.
    pub fn merge(&mut self, other: LambdaUsage) {
        let LambdaUsage { requests, mb_ms } = other;
        self.requests += requests;
        self.mb_ms += mb_ms;
    }
}

/// The usage counters of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct UsageCounters {
    /// Per edge location: the region its requests bill in (the price
    /// class's exception rule applied).
    // Invariant: one entry per edge location.
    billed: Vec<RegionCode>,
    /// Per cache (edge locations, then regional edge caches, as
    /// `Metrics::caches`): its AWS Region, as an index into `geo::REGIONS`
    /// (an edge location's is its regional edge cache's).
    // Invariant: one entry per cache.
    cache_region: Vec<u8>,
    /// Per regional edge cache: the AWS Region its Origin Shield and the
    /// Lambda@Edge functions it runs bill in (`billing_region`).
    // Invariant: one entry per regional edge cache.
    regional_bills_in: Vec<AwsRegion>,
    /// Per edge location: its viewer traffic. Counted per edge, the hot
    /// path's one index, and summed by billed region at the end (`regions`).
    // Invariant: one entry per edge location.
    pub edges: Vec<ViewerUsage>,
    /// Per regional edge cache: requests charged by its Origin Shield.
    // Invariant: per regional edge cache, at most the requests that reached
    // it as a shield (an accounting identity).
    pub shield_requests: Vec<u64>,
    /// CloudFront Functions invocations.
    pub function_invocations: u64,
    /// Per regional edge cache: the Lambda@Edge runs in its Region.
    pub lambda: Vec<LambdaUsage>,
    /// Invalidation paths submitted in the measured window (a wildcard path
    /// is one path).
    pub invalidation_paths: u64,
}

impl UsageCounters {
    /// Counters for `n_edges` edge locations billing as `US` and
    /// `n_regional` regional edge caches in us-east-1: what `Metrics::new`
    /// starts with, before `for_scenario` knows where the caches are.
    pub fn new(n_edges: usize, n_regional: usize) -> UsageCounters {
        let us_east_1 = region_index(geo::find_region("us-east-1").expect("a Region cdnsim knows"));
        UsageCounters {
            billed: vec![RegionCode::Us; n_edges],
            cache_region: vec![us_east_1; n_edges + n_regional],
            regional_bills_in: vec![AwsRegion::UsEast1; n_regional],
            edges: vec![ViewerUsage::default(); n_edges],
            shield_requests: vec![0; n_regional],
            function_invocations: 0,
            lambda: vec![LambdaUsage::default(); n_regional],
            invalidation_paths: 0,
        }
    }

    /// Counters for the scenario's caches: each edge location bills in its
    /// `price_region` under the distribution's price class
    /// (`PriceClass::billed_region`); the measured invalidation paths are
    /// known from the start.
    pub fn for_scenario(scenario: &Scenario, warmup: SimDuration) -> UsageCounters {
        let topology = &scenario.topology;
        let class = scenario.distribution.price_class;
        let billed: Vec<RegionCode> = topology.edges.iter().map(|e| class.billed_region(e.price_region)).collect();
        let regional_regions: Vec<&Region> = topology.regional_caches.iter().map(|r| r.region).collect();
        let cache_region = topology
            .edges
            .iter()
            .map(|e| region_index(regional_regions[e.regional_cache]))
            .chain(regional_regions.iter().map(|r| region_index(r)))
            .collect();
        let n_regional = regional_regions.len();
        // Invalidations submitted in the warm-up are not measured, like its
        // requests (CloudFront bills a path when it is submitted).
        let invalidation_paths = scenario
            .invalidations
            .iter()
            .filter(|i| i.at >= SimTime(warmup.as_micros()))
            .map(|i| i.paths.len() as u64)
            .sum();
        UsageCounters {
            billed,
            cache_region,
            regional_bills_in: regional_regions.iter().map(|r| billing_region(r)).collect(),
            edges: vec![ViewerUsage::default(); topology.edges.len()],
            shield_requests: vec![0; n_regional],
            function_invocations: 0,
            lambda: vec![LambdaUsage::default(); n_regional],
            invalidation_paths,
        }
    }

    /// Adds another partition's counts of the same run (`Metrics::merge`).
    /// Where caches are and bill, and the invalidation paths (known from the
    /// scenario, not recorded), are the run's: the same on both sides.
    pub fn merge(&mut self, other: UsageCounters) {
        let UsageCounters {
            billed,
            cache_region,
            regional_bills_in,
            edges,
            shield_requests,
            function_invocations,
            lambda,
            invalidation_paths,
        } = other;
        same(&self.billed, &billed, "usage: the region each edge location bills in");
        same(&self.cache_region, &cache_region, "usage: each cache's Region");
        same(&self.regional_bills_in, &regional_bills_in, "usage: the Region each regional edge cache bills in");
        same(&self.invalidation_paths, &invalidation_paths, "usage: the measured invalidation paths");
        merge_each(&mut self.edges, edges, "usage per edge location", ViewerUsage::merge);
        merge_each(&mut self.shield_requests, shield_requests, "usage: Origin Shield requests", |a, b| *a += b);
        self.function_invocations += function_invocations;
        merge_each(&mut self.lambda, lambda, "usage: Lambda@Edge per Region", LambdaUsage::merge);
    }

    /// Counts a measured viewer request that edge location `edge` answered
    /// with `body_bytes` of payload. Called once per request, the edge-hit
    /// fast path included: one index and two adds.
    #[inline]
    pub fn record_viewer_request(&mut self, edge: usize, method: Method, https: bool, body_bytes: u64) {
        let at_edge = &mut self.edges[edge];
        at_edge.requests[request_kind(method, https).index()] += 1;
        at_edge.bytes_out += body_bytes;
    }

    /// The viewer traffic per usage-report region, by `RegionCode::ALL`:
    /// each edge's in the region it bills in.
    pub fn regions(&self) -> [ViewerUsage; RegionCode::ALL.len()] {
        let mut regions = [ViewerUsage::default(); RegionCode::ALL.len()];
        for (at_edge, billed) in self.edges.iter().zip(&self.billed) {
            regions[code_index(*billed)].merge(*at_edge);
        }
        regions
    }

    /// Counts a measured request body of `bytes` that edge location
    /// `edge`'s request carried to its origin.
    pub fn record_body_to_origin(&mut self, edge: usize, bytes: u64) {
        let at_edge = &mut self.edges[edge];
        at_edge.bodies_to_origin += 1;
        at_edge.bytes_to_origin += bytes;
    }

    /// Counts a measured request reaching regional edge cache `regional`
    /// (cache index `shield_cache`) in its Origin Shield role from cache
    /// `below`; `cacheable`: the shield looks it up (else it only passes
    /// through: a dynamic request).
    pub fn record_shield_request(&mut self, regional: usize, shield_cache: usize, below: usize, cacheable: bool) {
        let from_shield_region = self.cache_region[below] == self.cache_region[shield_cache];
        self.shield_requests[regional] += origin_shield_charged(cacheable, from_shield_region) as u64;
    }

    /// Counts a measured CloudFront Functions invocation.
    pub fn record_function_invocation(&mut self) {
        self.function_invocations += 1;
    }

    /// Counts a measured Lambda@Edge run of `ran` in regional edge cache
    /// `regional`'s Region, by a function with `memory_mb` of memory.
    pub fn record_lambda_run(&mut self, regional: usize, ran: SimDuration, memory_mb: u32) {
        let lambda = &mut self.lambda[regional];
        lambda.requests += 1;
        lambda.mb_ms += lambda_billed_ms(ran) * memory_mb as u64;
    }

    /// Viewer requests over every region and kind.
    pub fn viewer_requests(&self) -> u64 {
        self.edges.iter().map(ViewerUsage::requests_total).sum()
    }

    /// Bytes to viewers over every region.
    pub fn bytes_out(&self) -> u64 {
        self.edges.iter().map(|e| e.bytes_out).sum()
    }

    /// Request bodies sent to origins over every edge location.
    pub fn bodies_to_origin(&self) -> u64 {
        self.edges.iter().map(|e| e.bodies_to_origin).sum()
    }

    /// Lambda@Edge runs over every Region.
    pub fn lambda_requests(&self) -> u64 {
        self.lambda.iter().map(|l| l.requests).sum()
    }

    /// The counters as usage-report lines, over the measured window.
    pub fn usage(&self) -> Usage {
        self.usage_scaled(1, 1).expect("unscaled counters fit a quantity: a u64 is far below 10^24")
    }

    /// The counters as usage-report lines, each scaled by `num / den`
    /// (a cost period over the measured window, in microseconds) and
    /// rounded once, half up, to 10^-12 of its unit: exact, where a float
    /// factor would leave noise past its 16th digit, and with no rounding
    /// of bytes to GB before the scaling. `None` when a line would pass
    /// `Quantity::MAX`.
    pub fn usage_scaled(&self, num: u64, den: u64) -> Option<Usage> {
        assert!(den > 0, "scaled by a ratio with a zero denominator");
        let mut usage = Usage::new();
        let mut add = |t: UsageType, count: u64, per_unit: u64| -> Option<()> {
            usage.add(t, scaled_quantity(count, per_unit, num, den)?)
        };
        for (code, region) in RegionCode::ALL.into_iter().zip(self.regions()) {
            let kinds = [
                UsageType::RequestsHttp(code),
                UsageType::RequestsHttps(code),
                UsageType::RequestsHttpProxy(code),
                UsageType::RequestsHttpsProxy(code),
            ];
            for (kind, count) in kinds.into_iter().zip(region.requests) {
                add(kind, count, 1)?;
            }
            add(UsageType::DataTransferOut(code), region.bytes_out, BYTES_PER_GB)?;
            add(UsageType::DataTransferToOrigin(code), region.bytes_to_origin, BYTES_PER_GB)?;
        }
        for ((aws, shield), lambda) in self.regional_bills_in.iter().zip(&self.shield_requests).zip(&self.lambda) {
            add(UsageType::OriginShieldRequests(*aws), *shield, 1)?;
            add(UsageType::LambdaEdgeRequests(*aws), lambda.requests, 1)?;
            add(UsageType::LambdaEdgeGbSeconds(*aws), lambda.mb_ms, MB_MS_PER_GB_S)?;
        }
        add(UsageType::FunctionInvocations, self.function_invocations, 1)?;
        add(UsageType::Invalidations, self.invalidation_paths, 1)?;
        Some(usage)
    }

    /// The unscaled lines, built the plain way: what `usage_scaled(1, 1)`
    /// must equal (its test).
    #[cfg(test)]
    fn usage_plain(&self) -> Usage {
        let mut usage = Usage::new();
        let mut add = |t: UsageType, q: Quantity| usage.add(t, q).expect("a run's counts fit a quantity");
        for (code, region) in RegionCode::ALL.into_iter().zip(self.regions()) {
            let kinds = [
                UsageType::RequestsHttp(code),
                UsageType::RequestsHttps(code),
                UsageType::RequestsHttpProxy(code),
                UsageType::RequestsHttpsProxy(code),
            ];
            for (kind, count) in kinds.into_iter().zip(region.requests) {
                add(kind, Quantity::from_count(count));
            }
            add(UsageType::DataTransferOut(code), Quantity::from_bytes_as_gb(region.bytes_out));
            add(UsageType::DataTransferToOrigin(code), Quantity::from_bytes_as_gb(region.bytes_to_origin));
        }
        for ((aws, shield), lambda) in self.regional_bills_in.iter().zip(&self.shield_requests).zip(&self.lambda) {
            add(UsageType::OriginShieldRequests(*aws), Quantity::from_count(*shield));
            add(UsageType::LambdaEdgeRequests(*aws), Quantity::from_count(lambda.requests));
            add(UsageType::LambdaEdgeGbSeconds(*aws), gb_seconds(lambda.mb_ms));
        }
        add(UsageType::FunctionInvocations, Quantity::from_count(self.function_invocations));
        add(UsageType::Invalidations, Quantity::from_count(self.invalidation_paths));
        usage
    }
}

/// Bytes in a binary GB, as CloudFront meters transfer.
const BYTES_PER_GB: u64 = 1 << 30;
/// MB-milliseconds in a GB-second, Lambda's unit (1 GB = 1,024 MB).
const MB_MS_PER_GB_S: u64 = 1_024 * 1_000;
/// Quantities are counted in 10^-12 units.
const PICO: i128 = 1_000_000_000_000;

/// `count` of a counter with `per_unit` of it to the usage unit (bytes per
/// GB, MB-ms per GB-s, 1 for counts), times `num / den`, as a quantity
/// rounded half up to 10^-12; `None` past `Quantity::MAX`. In `u128`:
/// `count * num` always fits (both below 2^64), and the remainder times
/// 10^12 does for any divisor below 2^88 (a `den` of microseconds below
/// 2^58, 9,000 years, with bytes per GB).
fn scaled_quantity(count: u64, per_unit: u64, num: u64, den: u64) -> Option<Quantity> {
    let scaled = count as u128 * num as u128;
    let divisor = per_unit as u128 * den as u128;
    let (whole, rest) = (scaled / divisor, scaled % divisor);
    let fraction = (rest.checked_mul(PICO as u128)? + divisor / 2) / divisor;
    let pico = whole.checked_mul(PICO as u128)?.checked_add(fraction)?;
    Quantity::from_pico(i128::try_from(pico).ok()?)
}

/// MB-milliseconds as GB-seconds, rounded half up to 10^-12.
#[cfg(test)]
fn gb_seconds(mb_ms: u64) -> Quantity {
    let pico = (mb_ms as i128 * PICO + MB_MS_PER_GB_S as i128 / 2) / MB_MS_PER_GB_S as i128;
    Quantity::from_pico(pico).expect("a u64 of MB-ms is far below the maximum")
}

fn code_index(code: RegionCode) -> usize {
    RegionCode::ALL.iter().position(|c| *c == code).expect("ALL lists every code")
}

fn region_index(region: &Region) -> u8 {
    let index = geo::REGIONS.iter().position(|r| r.name == region.name).expect("a Region of geo::REGIONS");
    u8::try_from(index).expect("fewer than 256 Regions")
}

/// The Region whose name is on the bill for Origin Shield and Lambda@Edge
/// work in a regional edge cache in `region`. Origin Shield runs only in the
/// twelve Regions of `AwsRegion`; for a cache elsewhere, the Developer
/// Guide's Origin Shield page names the Region to use instead (its table of
/// "Regions without Origin Shield"), and a Region it does not list takes
/// the nearest one.
pub fn billing_region(region: &Region) -> AwsRegion {
    if let Some(aws) = AwsRegion::from_name(region.name) {
        return aws;
    }
    let suggested = match region.name {
        "us-west-1" => Some(AwsRegion::UsWest2),
        "af-south-1" => Some(AwsRegion::EuWest1),
        "ap-east-1" => Some(AwsRegion::ApSoutheast1),
        "ca-central-1" => Some(AwsRegion::UsEast1),
        "eu-south-1" => Some(AwsRegion::EuCentral1),
        "eu-west-3" | "eu-north-1" => Some(AwsRegion::EuWest2),
        "me-south-1" => Some(AwsRegion::ApSouth1),
        _ => None,
    };
    suggested.unwrap_or_else(|| {
        let distance = |aws: &AwsRegion| {
            let other = geo::find_region(aws.name()).expect("geo knows every Origin Shield Region");
            geo::distance_km(region, other)
        };
        AwsRegion::ALL.into_iter().min_by(|a, b| distance(a).total_cmp(&distance(b))).expect("twelve Regions")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_go_on_their_regions_line_by_kind() {
        let mut u = UsageCounters::new(2, 1);
        u.billed = vec![RegionCode::Eu, RegionCode::Us];
        // 3 HTTPS GETs and an HTTP POST at edge 0 (EU), an HTTP HEAD at edge 1 (US).
        for _ in 0..3 {
            u.record_viewer_request(0, Method::Get, true, 1_000);
        }
        u.record_viewer_request(0, Method::Post, false, 10);
        u.record_viewer_request(1, Method::Head, false, 0);
        let usage = u.usage();
        assert_eq!(usage.get(UsageType::RequestsHttps(RegionCode::Eu)), Quantity::from_count(3));
        assert_eq!(usage.get(UsageType::RequestsHttpProxy(RegionCode::Eu)), Quantity::from_count(1));
        assert_eq!(usage.get(UsageType::RequestsHttp(RegionCode::Us)), Quantity::from_count(1));
        assert_eq!(usage.get(UsageType::DataTransferOut(RegionCode::Eu)), Quantity::from_bytes_as_gb(3_010));
        assert_eq!((u.viewer_requests(), u.bytes_out()), (5, 3_010));
    }

    #[test]
    fn lambda_runs_become_gb_seconds() {
        let mut u = UsageCounters::new(1, 2);
        u.regional_bills_in = vec![AwsRegion::UsEast1, AwsRegion::EuCentral1];
        // 2 runs of 1.2 ms (billed 2 ms each) at 1,024 MB = 4,096 MB-ms =
        // 4 GB-ms = 0.004 GB-s; one of 100 ms at 128 MB = 12,800 MB-ms =
        // 12.8 / 1,024 GB-s = 0.0125 GB-s.
        u.record_lambda_run(1, SimDuration(1_200), 1_024);
        u.record_lambda_run(1, SimDuration(1_200), 1_024);
        u.record_lambda_run(0, SimDuration(100_000), 128);
        let usage = u.usage();
        assert_eq!(usage.get(UsageType::LambdaEdgeRequests(AwsRegion::EuCentral1)), Quantity::from_count(2));
        assert_eq!(usage.get(UsageType::LambdaEdgeGbSeconds(AwsRegion::EuCentral1)).to_string(), "0.004");
        assert_eq!(usage.get(UsageType::LambdaEdgeGbSeconds(AwsRegion::UsEast1)).to_string(), "0.0125");
        assert_eq!(u.lambda_requests(), 3);
    }

    #[test]
    fn the_shield_charges_by_where_requests_come_from() {
        // Caches: edge 0 (under regional 0), regionals 0 and 1; regional 1 is the shield.
        let mut u = UsageCounters::new(1, 2);
        let (virginia, frankfurt) = (
            region_index(geo::find_region("us-east-1").unwrap()),
            region_index(geo::find_region("eu-central-1").unwrap()),
        );
        u.cache_region = vec![virginia, virginia, frankfurt];
        u.record_shield_request(1, 2, 1, true); // cacheable, from another Region: charged
        u.record_shield_request(1, 2, 0, false); // dynamic: charged
        u.cache_region = vec![frankfurt, frankfurt, frankfurt];
        u.record_shield_request(1, 2, 1, true); // cacheable, same Region: free
        assert_eq!(u.shield_requests, [0, 2]);
    }

    #[test]
    fn every_region_bills_origin_shield_work_somewhere_sensible() {
        let bills = |name| billing_region(geo::find_region(name).unwrap());
        assert_eq!(bills("eu-central-1"), AwsRegion::EuCentral1);
        assert_eq!(bills("us-west-1"), AwsRegion::UsWest2);
        assert_eq!(bills("me-south-1"), AwsRegion::ApSouth1);
        // Not in the Guide's table: the nearest Origin Shield Region (Osaka -> Tokyo).
        assert_eq!(bills("ap-northeast-3"), AwsRegion::ApNortheast1);
        for region in geo::REGIONS {
            billing_region(region);
        }
    }

    #[test]
    fn unscaled_lines_are_the_counters_in_their_units() {
        let mut u = UsageCounters::new(2, 1);
        u.billed = vec![RegionCode::Jp, RegionCode::Us];
        u.record_viewer_request(0, Method::Get, false, 1_000_000);
        u.record_viewer_request(1, Method::Delete, true, 7);
        u.record_body_to_origin(1, 3 << 29);
        u.record_lambda_run(0, SimDuration(2_500), 512);
        u.shield_requests[0] = 4;
        u.function_invocations = 9;
        u.invalidation_paths = 2;
        assert_eq!(u.usage(), u.usage_plain());
        assert_eq!(u.usage().get(UsageType::DataTransferOut(RegionCode::Jp)).to_string(), "0.000931322575");
        assert_eq!(u.usage().get(UsageType::DataTransferToOrigin(RegionCode::Us)).to_string(), "1.5");
        assert_eq!(u.bodies_to_origin(), 1);
    }

    #[test]
    fn scaling_rounds_once_exactly() {
        let mut u = UsageCounters::new(1, 1);
        u.record_viewer_request(0, Method::Get, true, 2_000);
        // 1 request and 2,000 bytes over 7 s, scaled to 30 days
        // (2,592,000 s): 2,592,000 / 7 = 370,285.714285714285714...
        // requests, and 2,000 * 2,592,000 / 7 = 740,571,428.571428... bytes
        // = / 1,073,741,824 = 0.689710889543805803... GB, each rounded once.
        let month = u.usage_scaled(2_592_000_000_000, 7_000_000).unwrap();
        assert_eq!(month.get(UsageType::RequestsHttps(RegionCode::Us)).to_string(), "370285.714285714286");
        assert_eq!(month.get(UsageType::DataTransferOut(RegionCode::Us)).to_string(), "0.689710889544");
        // Nothing measured: zero lines.
        assert_eq!(u.usage_scaled(0, 1).unwrap().get(UsageType::RequestsHttps(RegionCode::Us)), Quantity::ZERO);
        // A line past the largest quantity is refused.
        assert_eq!(u.usage_scaled(u64::MAX, 1).map(|_| ()), Some(()), "10^19 requests still fit");
        u.edges[0].requests[1] = u64::MAX;
        assert_eq!(u.usage_scaled(u64::MAX, 1), None);
    }

    #[test]
    fn gb_seconds_round_half_up() {
        assert_eq!(gb_seconds(1_024_000), Quantity::from_count(1));
        assert_eq!(gb_seconds(0), Quantity::ZERO);
        // 1 MB-ms = 1 / 1,024,000 GB-s = 0.0000009765625 -> 0.000000976563.
        assert_eq!(gb_seconds(1).to_string(), "0.000000976563");
    }
}
