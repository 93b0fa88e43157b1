//! The validated scenario's types: everything the engine needs, with names
//! resolved to indices and units converted. `validate` builds them from a
//! file; every other module only reads them.

use super::attributes::RequestAttributesSpec;
use super::cache_key::CacheKeySettings;
use super::edge_functions::{BehaviorFunctions, FunctionSpec};
use super::import::model::ImportWarning;
use super::path_pattern;
use super::vocabulary::{
    AcceptedValues, CustomErrorResponse, EvictionPolicy, FailoverCriteria, GeoRestriction, HeaderValueId, OriginKind,
    OriginProtocolPolicy, Presented, RangeStart, TlsVersion, TtlSettings, ViewerProtocolPolicy,
};
use crate::dist::Dist;
use crate::http::{CacheControl, Method, MethodSet};
use crate::time::{SimDuration, SimTime};
use std::path::PathBuf;

/// A validated scenario: everything the engine needs, with names resolved to
/// indices and units converted. The engine never sees the file.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub file: PathBuf,
    pub simulation: SimulationSpec,
    pub topology: TopologySpec,
    pub caches: CachesSpec,
    pub origins: Vec<OriginSpec>,
    pub origin_groups: Vec<OriginGroupSpec>,
    /// Origin faults over simulated time; any number may overlap.
    pub faults: Vec<FaultSpec>,
    pub distribution: DistributionSpec,
    pub traffic: TrafficSpec,
    pub signing: SigningSpec,
    /// CloudFront Functions and Lambda@Edge functions (`[[functions]]`), which
    /// behaviors associate with events by index.
    pub functions: Vec<FunctionSpec>,
    /// The CloudFront JSON of `[distribution] import`, when the scenario has one.
    pub imported_from: Option<PathBuf>,
    /// What that JSON holds that the simulation does not model; the CLI
    /// prints these on stderr.
    pub import_warnings: Vec<ImportWarning>,
    /// Timed configuration changes of the distribution and of origins (a
    /// secret header's rotation), in the file's order.
    pub changes: Vec<ChangeSpec>,
    /// Invalidations (`[[invalidations]]`), in the file's order.
    pub invalidations: Vec<InvalidationSpec>,
    /// `[connections]`: `None` keeps today's model, where every connection
    /// is already open (warm) and costs no handshake.
    pub connections: Option<ConnectionsSpec>,
    /// `[viewers]`: `None` keeps today's model, where each edge location's
    /// viewers are its own population, at the edge, with its
    /// `viewer_weight` and `viewer_rtt`.
    pub viewers: Option<ViewersSpec>,
    /// `[cost]`: how every run's month is priced (after the run; the
    /// engine never reads it).
    pub cost: CostSpec,
}

/// The cost period a run's usage is scaled to when `[cost] period` is
/// absent: a 30-day month, as AWS's example bills count one.
pub const DEFAULT_COST_PERIOD: SimDuration = SimDuration::from_secs(30 * 24 * 3600);

/// The longest cost period: ten years of 365 days. A bill is a month's;
/// the bound keeps every run's scaled usage far inside what the bill holds
/// (a period in microseconds times a line's 10^-12 units fits an `i128`
/// for any usage a simulation can count).
pub const MAX_COST_PERIOD: SimDuration = SimDuration::from_secs(3650 * 24 * 3600);

/// `[cost]`: the billing period, the pricing table and the bill's options.
/// The bill is computed in `report` from the run's usage; nothing here
/// touches the simulation.
#[derive(Clone, Debug)]
pub struct CostSpec {
    // Invariant: at least a second, at most `MAX_COST_PERIOD`
    // (`--cost-period` keeps it too).
    pub period: SimDuration,
    /// The table `pricing` named, read and checked at load, or the built-in
    /// public prices.
    pub pricing: std::sync::Arc<cdnsim_cost::PricingTable>,
    // Invariant: a flat-rate plan is one of `pricing`'s, and comes with
    // neither the free tier nor a bundle (so `cdnsim_cost::price` never
    // refuses the options).
    pub options: cdnsim_cost::Options,
}

impl Default for CostSpec {
    fn default() -> CostSpec {
        CostSpec {
            period: DEFAULT_COST_PERIOD,
            pricing: std::sync::Arc::new(cdnsim_cost::PricingTable::built_in()),
            options: cdnsim_cost::Options::default(),
        }
    }
}

/// Where the scenario's own viewers are (`[viewers]`): each population is
/// served by the lowest-latency edge location its distribution's price
/// class lets it use (`policy::geo::nearest_edge`).
#[derive(Clone, Debug)]
pub struct ViewersSpec {
    /// The preset's populations first, then the file's, in order.
    // Invariant: not empty, at most `MAX_POPULATIONS`, names unique.
    pub populations: Vec<PopulationSpec>,
    /// The preset named, if any (`cdnsim validate` says so).
    pub preset: Option<String>,
}

/// One viewer population.
#[derive(Clone, Debug)]
pub struct PopulationSpec {
    pub name: String,
    pub place: crate::places::Place,
    /// Its share of the requests, relative to the other populations'.
    // Invariant: above 0 and finite.
    pub weight: f64,
    /// The viewers' own network's round trip, in milliseconds, before the
    /// geographic round trip to the serving edge location is added.
    pub last_mile_rtt_ms: Dist,
}

/// Past this many populations the list is almost certainly generated by
/// mistake; it also keeps a population's index in 16 bits with the edges'
/// own populations (`cdn::viewers`).
pub const MAX_POPULATIONS: usize = 10_000;

/// How connections are modelled when the scenario has `[connections]`:
/// origins' keep-alive timeouts are in `OriginSpec`, viewers' HTTP
/// versions and reuse in `ClassSpec`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ConnectionsSpec {
    /// The TLS version of viewers' HTTPS connections over TCP (HTTP/1.1,
    /// HTTP/2); HTTP/3 is always TLS 1.3 inside QUIC.
    pub viewer_tls: TlsVersion,
}

/// An invalidation submitted at `at`: each cache drops its copies of the
/// objects whose paths match once the invalidation reaches it.
#[derive(Clone, Debug)]
pub struct InvalidationSpec {
    pub at: SimTime,
    /// Invalidation paths, each accepted by `policy::invalidation::check_path`.
    pub paths: Vec<String>,
    /// How long it takes to reach one cache, in milliseconds; sampled per
    /// cache (edge location, regional edge cache).
    pub propagation_ms: Dist,
}

/// Keys and key groups for signed URLs and cookies.
#[derive(Clone, Debug)]
pub struct SigningSpec {
    /// The Unix time of simulated time zero: policies' dates are compared
    /// with `epoch_s + now`.
    pub epoch_s: i64,
    /// Verify each distinct credential once and reuse the result (the
    /// outcome is the same either way; a test checks it).
    pub memoize: bool,
    pub keys: Vec<KeySpec>,
    pub key_groups: Vec<KeyGroupSpec>,
    /// The legacy CloudFront key pairs of the account's root user, trusted by
    /// behaviors with `trusted_signers` (CloudFront's TrustedSigners "self").
    pub legacy_key_pairs: Vec<LegacyKeyPairSpec>,
}

#[derive(Clone, Debug)]
pub struct LegacyKeyPairSpec {
    pub key: KeySpec,
    /// Only active key pairs sign for a distribution; at most two may be.
    pub active: bool,
}

#[derive(Clone, Debug)]
pub struct KeySpec {
    /// The public key id, e.g. `K2JCJMDEHXQW5F`.
    pub id: String,
    /// Loaded from the scenario's PEM file; `None` means an ECDSA P-256 key
    /// generated from the run's seed.
    pub private_key: Option<cdnsim_sign::SigningKey>,
}

#[derive(Clone, Debug)]
pub struct KeyGroupSpec {
    pub name: String,
    /// Indices into `SigningSpec::keys`.
    pub keys: Vec<usize>,
}

/// What the viewers of a class present to a behavior that requires signing.
#[derive(Clone, Debug)]
pub struct SignedTrafficSpec {
    /// Distinct viewer sessions; each presents one credential throughout.
    pub sessions: u32,
    /// Share of sessions presenting each kind, indexed by `Presented::index`.
    pub mix: [f64; Presented::ALL.len()],
}

#[derive(Clone, Debug)]
pub struct SimulationSpec {
    pub seed: u64,
    pub stop: Stop,
    /// Requests that arrive before this simulated time are simulated but not measured.
    pub warmup: SimDuration,
    pub metrics_interval: SimDuration,
    /// Merge concurrent misses for one object at one cache into one upstream request.
    pub collapse_requests: bool,
}

/// When the run stops generating viewer requests; in-flight requests then finish.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    Requests(u64),
    Duration(SimDuration),
}

#[derive(Clone, Debug)]
pub struct TopologySpec {
    pub regional_caches: Vec<RegionalCacheSpec>,
    pub edges: Vec<EdgeSpec>,
    /// Explicit links; links between Regions that are not listed get a latency
    /// estimated from geography.
    pub links: Vec<LinkSpec>,
    /// Set when the edges came from `[topology.generate]`.
    pub generated_from: Option<String>,
}

#[derive(Clone, Debug)]
pub struct RegionalCacheSpec {
    pub name: String,
    pub region: &'static crate::geo::Region,
}

#[derive(Clone, Debug)]
pub struct EdgeSpec {
    pub name: String,
    pub regional_cache: usize,
    pub viewer_weight: f64,
    /// The usage-report region this edge location bills in (before the
    /// price class's exception rule, `PriceClass::billed_region`).
    pub price_region: cdnsim_cost::RegionCode,
    /// Where the edge location is (its city, its coordinates, or its
    /// regional edge cache's Region), and so its country.
    pub place: crate::places::Place,
    /// Round trip between viewers and this edge location, in milliseconds.
    pub viewer_rtt_ms: Dist,
    /// Round trip between this edge and its regional edge cache, in milliseconds.
    pub regional_rtt_ms: Dist,
}

/// A node of the topology, as links name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeRef {
    Regional(usize),
    Origin(usize),
}

#[derive(Clone, Debug)]
pub struct LinkSpec {
    pub from: NodeRef,
    pub to: NodeRef,
    pub rtt_ms: Dist,
}

#[derive(Clone, Copy, Debug)]
pub struct CachesSpec {
    pub edge: CacheSpec,
    pub regional: CacheSpec,
}

#[derive(Clone, Copy, Debug)]
pub struct CacheSpec {
    pub capacity_bytes: u64,
    pub eviction: EvictionPolicy,
}

#[derive(Clone, Debug)]
pub struct OriginSpec {
    pub name: String,
    pub kind: OriginKind,
    pub region: &'static crate::geo::Region,
    /// Time the origin takes to produce a response once it starts on it, in milliseconds.
    pub latency_ms: Dist,
    /// Requests served at once; more wait in a first-come first-served queue.
    pub concurrency: u32,
    /// Requests that may wait; one more gets a 503 from the origin.
    pub queue_limit: u32,
    /// The regional edge cache that acts as this origin's Origin Shield.
    pub origin_shield: Option<usize>,
    /// CloudFront's ConnectionAttempts (1-3), which for custom origins also
    /// counts response-timeout retries of GET and HEAD.
    pub connection_attempts: u32,
    /// CloudFront's ConnectionTimeout (1-10 s).
    pub connection_timeout: SimDuration,
    /// CloudFront's OriginReadTimeout, the response timeout (1-120 s).
    pub response_timeout: SimDuration,
    /// Whether CloudFront reaches the origin over HTTP, HTTPS or the viewer's protocol.
    pub protocol_policy: OriginProtocolPolicy,
    /// CloudFront's OriginKeepaliveTimeout: how long an idle connection to
    /// this origin stays open for reuse (1-120 s, default 5 s). Read only
    /// when the scenario models connections.
    pub keepalive_timeout: SimDuration,
    /// (name, value) pairs CloudFront adds to every request to this origin
    /// (OriginCustomHeaders), as configured at time zero.
    pub custom_headers: Vec<(String, String)>,
    /// The secret header the origin checks, when it checks one or the
    /// distribution sends one.
    pub access: Option<OriginAccessSpec>,
    /// Whether the origin answers range GETs with the range (206); false,
    /// it sends the whole object (200) whatever the `Range`.
    pub supports_ranges: bool,
    /// The `Cache-Control` the origin puts on its own error responses
    /// (`policy::error_caching::origin_error_headers` reads it); `None`, it
    /// sends none, so errors are kept for the error-caching minimum TTL.
    pub error_cache_control: Option<CacheControl>,
}

/// One origin's secret header: the values it takes in the scenario, interned
/// (value id `i + 1` is `values[i]`), and both sides' settings at time zero.
#[derive(Clone, Debug)]
pub struct OriginAccessSpec {
    pub header: String,
    pub values: Vec<String>,
    /// The value CloudFront sends at time zero, or `ABSENT`.
    pub sent_at_start: HeaderValueId,
    /// The values the origin accepts at time zero; `None`: it checks nothing.
    pub accepted_at_start: Option<AcceptedValues>,
}

impl OriginAccessSpec {
    /// The id of an interned value (for tests and scripted requests).
    pub fn value_id(&self, value: &str) -> Option<HeaderValueId> {
        self.values.iter().position(|v| v == value).map(|i| i as HeaderValueId + 1)
    }
}

/// A configuration change at some instant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChangeSpec {
    pub origin: usize,
    pub when: ChangeTime,
    pub kind: ChangeKind,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ChangeTime {
    At(SimTime),
    /// This long after the origin's latest distribution change has reached
    /// every CloudFront location (known only once the run samples the
    /// propagation delays).
    AfterPropagation(SimDuration),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ChangeKind {
    /// The distribution sends this value of the origin's secret header from
    /// now on; each CloudFront location applies it after its own propagation delay.
    SendValue(HeaderValueId),
    /// The origin accepts these values from now on, at once.
    OriginAccepts(AcceptedValues),
}

/// Requests sent straight to an origin, bypassing CloudFront.
#[derive(Clone, Copy, Debug)]
pub struct DirectTrafficSpec {
    pub rate_per_s: f64,
    pub origin: usize,
    /// The secret header's value they carry (usually a guess), or `ABSENT`.
    pub header_value: HeaderValueId,
}

/// A primary and a secondary origin, and what makes CloudFront try the second.
#[derive(Clone, Debug)]
pub struct OriginGroupSpec {
    pub name: String,
    pub primary: usize,
    pub secondary: usize,
    pub criteria: FailoverCriteria,
}

/// Something wrong with an origin from `start` until just before `end`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FaultSpec {
    pub origin: usize,
    pub kind: FaultKind,
    pub start: SimTime,
    pub end: SimTime,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FaultKind {
    /// Connections are refused: each attempt fails after one round trip.
    Down,
    /// Packets vanish: each connection attempt waits for the connection timeout.
    Blackhole,
    /// The origin takes `factor` times as long to answer.
    Slow { factor: f64 },
    /// The origin answers `status` to this share of requests.
    Status { status: u16, fraction: f64 },
}

#[derive(Clone, Debug)]
pub struct DistributionSpec {
    pub domain: String,
    /// Which edge locations may serve (`PriceClass_100`, `_200`, `_All`,
    /// the default), and so where requests bill.
    pub price_class: cdnsim_cost::PriceClass,
    /// Which viewers' countries the distribution serves (Developer Guide,
    /// "Restricting the geographic distribution of your content");
    /// `GeoRestriction::None` serves every country.
    pub geo_restriction: GeoRestriction,
    /// How long error responses (404, 500, 502, 503, 504, ...) are cached,
    /// CloudFront's ErrorCachingMinTTL (default 10 s, reference §6.6).
    pub error_caching_min_ttl: SimDuration,
    /// `[[distribution.custom_error_responses]]`: per status code, its own
    /// error-caching minimum TTL; a code with no entry keeps
    /// `error_caching_min_ttl`. Empty for most scenarios.
    // Invariant: no two entries name the same code.
    pub custom_error_responses: Vec<CustomErrorResponse>,
    /// Lifts CloudFront's API rule that a behavior targeting an origin group
    /// allows only GET, HEAD (and OPTIONS): for teaching scenarios that show
    /// writes are never failed over. Real CloudFront refuses such a config.
    pub allow_writes_to_origin_groups: bool,
    /// In CloudFront's matching order; the last one is the default behavior (`*`).
    pub behaviors: Vec<BehaviorSpec>,
    /// How long a configuration change takes to reach one CloudFront
    /// location, in milliseconds; sampled per change and location.
    pub propagation_ms: Dist,
}

#[derive(Clone, Debug)]
pub struct BehaviorSpec {
    pub path_pattern: String,
    /// The origin requests go to: the only one, or the group's primary.
    pub origin: usize,
    /// The origin group, when the behavior targets one.
    pub origin_group: Option<usize>,
    /// Key groups whose keys may sign requests.
    pub trusted_key_groups: Vec<usize>,
    /// Whether the account's active legacy key pairs may sign requests. With
    /// no key group either, the behavior needs no signing.
    pub trusted_signers: bool,
    pub allowed_methods: MethodSet,
    pub cached_methods: MethodSet,
    pub ttl: TtlSettings,
    /// The cache policy the TTLs and key come from (a custom policy's name,
    /// or a managed policy's), or `None` for the legacy settings.
    pub cache_policy: Option<String>,
    /// What the cache key holds besides the path.
    pub cache_key: CacheKeySettings,
    /// The origin request policy: what the origin gets beyond the key.
    pub origin_request: Option<super::origin_request::OriginRequestPolicySpec>,
    pub viewer_protocol_policy: ViewerProtocolPolicy,
    /// The edge functions that run on the behavior's requests, by event.
    pub functions: BehaviorFunctions,
    /// CloudFront's `Compress`: the edge compresses what it may
    /// (`policy::compression`). False by default, as in CloudFront's API.
    pub compress: bool,
}

#[derive(Clone, Debug)]
pub struct TrafficSpec {
    /// Mean viewer requests per second before the diurnal curve.
    pub rate_per_s: f64,
    pub diurnal: Option<Diurnal>,
    /// Share of viewers using HTTPS.
    pub https_share: f64,
    pub classes: Vec<ClassSpec>,
    /// Requests that bypass CloudFront, if any.
    pub direct_to_origin: Option<DirectTrafficSpec>,
}

/// `rate(t) = rate * (1 + amplitude * cos(2 pi (t - peak) / period))`.
#[derive(Clone, Copy, Debug)]
pub struct Diurnal {
    pub amplitude: f64,
    pub period: SimDuration,
    pub peak: SimDuration,
}

#[derive(Clone, Debug)]
pub struct ClassSpec {
    pub name: String,
    /// Share of viewer requests that ask for this class (normalised to sum 1).
    pub request_share: f64,
    /// Path template with `{id}` for the object number, e.g. `/static/{id}.js`,
    /// or a fixed path such as `/index.html`. It may end in a query string.
    pub path_template: String,
    /// Where `{id}` starts in `path_template`; `None` for a fixed path, whose
    /// class is exactly one object (id 0).
    pub id_at: Option<usize>,
    /// 1 for a fixed path.
    pub objects: u64,
    pub zipf_alpha: f64,
    /// Object size in bytes.
    pub size_bytes: Dist,
    /// What the origin sends for objects of this class.
    pub cache_control: CacheControl,
    /// The origin's `Expires` header, as whole seconds after it sends the
    /// response (an HTTP date has one-second resolution); `None`: no
    /// `Expires`. Read only when `cache_control` gives neither `s-maxage`
    /// nor `max-age` (`policy::ttl::origin_ttl_s`).
    pub expires_s: Option<u64>,
    /// Objects change this often at the origin (a revalidation then gets a
    /// new copy instead of a 304); `None` means they never change.
    pub change_interval: Option<SimDuration>,
    /// Method weights, normalised to sum 1, indexed by `Method::index`.
    pub method_weights: [f64; 7],
    /// Body bytes each of the class's DELETE, OPTIONS, PATCH, POST and PUT
    /// requests carries, which CloudFront sends on to the origin (and bills
    /// as `DataTransfer-Out-OBytes`); 0 for none, the default.
    // Invariant: 0 unless some of those methods has a weight.
    pub request_body_bytes: u64,
    /// What viewers present when the class's paths need signing.
    pub signed: Option<SignedTrafficSpec>,
    /// What the class's requests carry besides the path.
    pub attributes: RequestAttributesSpec,
    /// The objects' `Content-Type`, lower-case; `DEFAULT_CONTENT_TYPE`
    /// when the class gives none.
    pub content_type: String,
    /// Encoded size over original size in gzip and in Brotli, each in
    /// (0, 1]; `None` takes `policy::compression::default_ratios` for the
    /// content type.
    pub gzip_ratio: Option<f64>,
    pub brotli_ratio: Option<f64>,
    /// Shares of the class's viewer connections by HTTP version (indexed
    /// by `ViewerHttpVersion::index`, summing to 1; default all HTTP/2).
    /// Read only when the scenario models connections.
    pub viewer_protocols: [f64; 3],
    /// Mean requests a viewer connection carries (at least 1, default 1):
    /// each request opens a new connection with probability 1 / this.
    pub requests_per_connection: f64,
    /// Names of those attributes the origin's response depends on (each
    /// names one of `attributes`' query parameters, cookies or headers).
    pub origin_varies_on: Vec<String>,
    /// The class's range GETs; `None`: its requests carry no `Range`.
    pub ranges: Option<RangeSpec>,
}

/// A range's length when the class gives none: 1 MiB, the part size ranges
/// are widened to (`policy::range::PART_BYTES`).
pub const DEFAULT_RANGE_LENGTH_BYTES: u64 = 1 << 20;

/// What share of a class's GETs carry a `Range` header and what ranges
/// they ask for (`policy::range`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RangeSpec {
    /// Share of the class's GETs with a `Range` header, in (0, 1].
    pub share: f64,
    /// How many bytes each range asks for (cut at the object's end), >= 1.
    pub length_bytes: u64,
    pub start: RangeStart,
    /// Share of the range GETs whose range starts past the object's end
    /// (416), in [0, 1].
    pub unsatisfiable_share: f64,
}

/// A class's content type when it gives none: not on CloudFront's list of
/// types it compresses, so a scenario that says nothing of content types is
/// never compressed (and runs as it did before compression was modelled).
pub const DEFAULT_CONTENT_TYPE: &str = "application/octet-stream";

impl DistributionSpec {
    /// The behavior a request for `path` gets: the first whose pattern
    /// matches it, in CloudFront's order, else the default (the last).
    pub fn behavior_for(&self, path: &str) -> usize {
        let (patterned, _default) = self.behaviors.split_at(self.behaviors.len() - 1);
        path_pattern::first_match(patterned.iter().map(|b| b.path_pattern.as_str()), path).unwrap_or(patterned.len())
    }
}

impl BehaviorSpec {
    /// Whether requests must carry a signed URL or signed cookies.
    pub fn requires_signing(&self) -> bool {
        !self.trusted_key_groups.is_empty() || self.trusted_signers
    }
}

impl ClassSpec {
    /// The template's text before and after `{id}`; a fixed path is all
    /// prefix.
    pub fn path_prefix_suffix(&self) -> (&str, &str) {
        match self.id_at {
            Some(at) => (&self.path_template[..at], &self.path_template[at + "{id}".len()..]),
            None => (&self.path_template, ""),
        }
    }

    /// The id of the object whose path is `path`, if it is one of this class's.
    pub fn id_of_path(&self, path: &str) -> Option<u64> {
        if self.id_at.is_none() {
            return (path == self.path_template).then_some(0);
        }
        let (prefix, suffix) = self.path_prefix_suffix();
        let digits = path.strip_prefix(prefix)?.strip_suffix(suffix)?;
        let id: u64 = digits.parse().ok().filter(|_| digits.bytes().all(|b| b.is_ascii_digit()))?;
        (id < self.objects).then_some(id)
    }

    /// The path of object `id` of this class. Called for every object at
    /// set-up and for signed requests, so it avoids `fmt` and string
    /// searches.
    pub fn path_of(&self, id: u64, out: &mut String) {
        out.clear();
        if self.id_at.is_none() {
            debug_assert_eq!(id, 0, "a fixed path is one object");
            out.push_str(&self.path_template);
            return;
        }
        let (before, after) = self.path_prefix_suffix();
        out.push_str(before);
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        let mut n = id;
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        out.push_str(std::str::from_utf8(&digits[i..]).expect("ASCII digits"));
        out.push_str(after);
    }

    pub fn methods(&self) -> impl Iterator<Item = (Method, f64)> + '_ {
        Method::ALL.into_iter().map(|m| (m, self.method_weights[m.index()])).filter(|(_, w)| *w > 0.0)
    }
}

/// Where a run's viewer requests come from, which decides what the traffic
/// classes must do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TrafficFrom {
    /// The classes generate the requests: every cache behavior must be
    /// reached by some class, and the last request must start within the
    /// metrics intervals.
    #[default]
    Classes,
    /// A trace supplies them (`cdnsim run --trace`): the classes play no
    /// part, so neither is required (the trace's own span is checked as it is read).
    Trace,
}

impl Scenario {
    /// Whether any origin checks or receives a secret header, or traffic
    /// bypasses CloudFront: the origin-access results are reported then.
    pub fn uses_origin_access(&self) -> bool {
        self.origins.iter().any(|o| o.access.is_some()) || self.traffic.direct_to_origin.is_some()
    }

    /// Whether any behavior runs an edge function: the functions' results
    /// are reported then.
    pub fn uses_edge_functions(&self) -> bool {
        self.distribution.behaviors.iter().any(|b| !b.functions.is_empty())
    }

    /// Whether some behavior's cache key holds more than the path: objects
    /// may then be cached in several variants, and the run reports them.
    pub fn keys_vary(&self) -> bool {
        self.distribution.behaviors.iter().any(|b| b.cache_key.varies())
    }

    /// Whether some class's requests carry `Range` headers: the run then
    /// reports what range GETs did (`ranges.csv`).
    pub fn uses_ranges(&self) -> bool {
        self.traffic.classes.iter().any(|c| c.ranges.is_some())
    }

    /// Whether some behavior has `compress` on: the run then reports what
    /// compression did (even if, by CloudFront's rules, it did nothing).
    pub fn uses_compression(&self) -> bool {
        self.distribution.behaviors.iter().any(|b| b.compress)
    }

    /// Whether the run says what reaches the origin beyond the key: some
    /// behavior has an origin request policy, or some class an origin that
    /// varies its responses. Such a run reports `origin_requests.csv`.
    pub fn origin_requests_modelled(&self) -> bool {
        self.distribution.behaviors.iter().any(|b| b.origin_request.is_some())
            || self.traffic.classes.iter().any(|c| !c.origin_varies_on.is_empty())
    }

    /// Total objects in the catalog.
    pub fn total_objects(&self) -> u64 {
        self.traffic.classes.iter().map(|c| c.objects).sum()
    }

    /// A warning when the warm-up is likely to cover the whole run, so that
    /// nothing would be measured (judged from the mean arrival rate).
    pub fn warmup_warning(&self) -> Option<String> {
        let warmup = self.simulation.warmup;
        let length = match self.simulation.stop {
            Stop::Duration(d) => d,
            Stop::Requests(n) => SimDuration::from_secs_f64(n as f64 / self.traffic.rate_per_s),
        };
        (warmup > SimDuration::ZERO && warmup >= length).then(|| {
            format!(
                "the run lasts about {} of simulated time, no longer than its warm-up ({}): nothing would be measured \
                 (lower simulation.warmup or simulate more requests)",
                crate::units::format_duration(length),
                crate::units::format_duration(warmup)
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::Scenario;
    use std::path::Path;

    #[test]
    fn a_path_gets_the_first_matching_behavior_else_the_default() {
        let text = r#"
[simulation]
requests = 10
[[topology.regional_caches]]
region = "us-east-1"
[[topology.edges]]
name = "IAD1"
regional_cache = "us-east-1"
[[origins]]
name = "origin"
region = "us-east-1"
[[distribution.behaviors]]
path_pattern = "/api/v1/*"
origin = "origin"
[[distribution.behaviors]]
path_pattern = "*.jpg"
origin = "origin"
[distribution.default_behavior]
origin = "origin"
[traffic]
rate = 1
[[traffic.classes]]
name = "api"
share = 1
path = "/api/v1/{id}"
size = "1 KiB"
[[traffic.classes]]
name = "images"
share = 1
path = "/img/{id}.jpg"
size = "1 KiB"
[[traffic.classes]]
name = "pages"
share = 1
path = "/{id}.html"
size = "1 KiB"
"#;
        let scenario = Scenario::from_toml_str(Path::new("t.toml"), text, &[]).unwrap();
        let distribution = &scenario.distribution;
        assert_eq!(distribution.behavior_for("/api/v1/x.jpg"), 0, "the first match wins");
        assert_eq!(distribution.behavior_for("/img/7.jpg?size=large"), 1, "the query plays no part");
        assert_eq!(distribution.behavior_for("/index.html"), 2, "no match: the default behavior");
    }
}
