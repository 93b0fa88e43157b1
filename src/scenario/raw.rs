//! The scenario file as written: serde structs that mirror the TOML 1:1.
//!
//! Values that carry units (sizes, durations, distributions) are kept as raw
//! `toml::Value`s here and interpreted in `validate`, where an error can name
//! the field and say what was expected. Every table refuses unknown fields so a
//! typo is an error, not a silently ignored setting.

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Value;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub simulation: RawSimulation,
    #[serde(default)]
    pub topology: RawTopology,
    #[serde(default)]
    pub caches: RawCaches,
    #[serde(default)]
    pub origins: Vec<RawOrigin>,
    #[serde(default)]
    pub origin_groups: Vec<RawOriginGroup>,
    #[serde(default)]
    pub faults: Vec<RawFault>,
    pub distribution: RawDistribution,
    pub traffic: RawTraffic,
    pub signing: Option<RawSigning>,
    #[serde(default)]
    pub changes: Vec<RawChange>,
    pub rotation: Option<RawRotation>,
    #[serde(default)]
    pub functions: Vec<RawFunction>,
    #[serde(default)]
    pub invalidations: Vec<RawInvalidation>,
    /// Present: connections and their handshakes are modelled.
    pub connections: Option<RawConnections>,
    /// Present: viewers come from populations placed on the globe, not
    /// from each edge location's own weight.
    pub viewers: Option<RawViewers>,
    /// `[cost]`: the period, pricing table and options of every run's bill.
    pub cost: Option<RawCost>,
}

/// `[cost]`: how a run's month is priced.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCost {
    pub period: Option<Value>,
    pub pricing: Option<String>,
    pub free_tier: Option<bool>,
    pub savings_bundle: Option<Value>,
    pub flat_rate: Option<String>,
}

/// `[viewers]`: a built-in preset, populations of one's own, or both.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawViewers {
    pub preset: Option<String>,
    #[serde(default)]
    pub populations: Vec<RawPopulation>,
}

/// One `[[viewers.populations]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPopulation {
    pub name: String,
    pub country: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub weight: Option<f64>,
    pub last_mile_rtt: Option<Value>,
}

/// `distribution.geo_restriction`: one list, allowed or blocked countries.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGeoRestriction {
    pub allow: Option<Vec<String>>,
    pub block: Option<Vec<String>>,
}

/// `[connections]`: its presence turns the connection model on.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConnections {
    pub viewer_tls: Option<String>,
}

/// One `[[invalidations]]` entry: paths removed from every cache at a time.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawInvalidation {
    pub at: Value,
    pub paths: Vec<String>,
    pub propagation: Option<Value>,
}

/// One `[[functions]]` entry: a CloudFront Function or a Lambda@Edge function.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFunction {
    pub name: String,
    pub kind: String,
    pub arn: Option<String>,
    pub latency: Option<Value>,
    pub cold_start: Option<Value>,
    pub keep_warm: Option<Value>,
    pub memory: Option<i64>,
    pub transforms: Option<Vec<RawTransform>>,
}

/// One entry of a function's `transforms`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTransform {
    pub op: String,
    pub names: Option<Vec<String>>,
    pub header: Option<String>,
    pub values: Option<BTreeMap<String, String>>,
}

/// One entry of a behavior's `functions`: which function runs on which event.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFunctionAssociation {
    pub event: String,
    pub function: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHeader {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRequireHeader {
    pub name: String,
    pub values: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawChange {
    pub origin: String,
    pub at: Option<Value>,
    pub after_propagation: Option<Value>,
    pub custom_header: Option<RawHeader>,
    pub origin_accepts: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRotation {
    pub origin: String,
    pub at: Value,
    pub new_value: String,
    pub method: Option<String>,
    pub drop_old_after: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDirectToOrigin {
    pub rate: f64,
    pub origin: String,
    pub header_value: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSigning {
    pub epoch: Option<Value>,
    pub memoize: Option<bool>,
    #[serde(default)]
    pub keys: Vec<RawKey>,
    #[serde(default)]
    pub key_groups: Vec<RawKeyGroup>,
    #[serde(default)]
    pub legacy_key_pairs: Vec<RawLegacyKeyPair>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLegacyKeyPair {
    pub id: String,
    pub private_key: Option<String>,
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKey {
    pub id: String,
    pub private_key: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKeyGroup {
    pub name: String,
    pub keys: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSigned {
    pub sessions: Option<i64>,
    pub mix: BTreeMap<String, f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSimulation {
    pub name: Option<String>,
    pub seed: Option<u64>,
    pub requests: Option<i64>,
    pub duration: Option<Value>,
    pub warmup: Option<Value>,
    pub metrics_interval: Option<Value>,
    pub collapse_requests: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTopology {
    pub generate: Option<RawGenerate>,
    #[serde(default)]
    pub regional_caches: Vec<RawRegionalCache>,
    #[serde(default)]
    pub edges: Vec<RawEdge>,
    #[serde(default)]
    pub links: Vec<RawLink>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGenerate {
    pub edges: i64,
    pub regions: Option<Vec<String>>,
    pub seed: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegionalCache {
    pub region: String,
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEdge {
    pub name: String,
    pub regional_cache: String,
    pub viewer_weight: Option<f64>,
    pub viewer_rtt: Option<Value>,
    pub regional_rtt: Option<Value>,
    /// Where the edge location is: a city's IATA code, or coordinates
    /// with a country.
    pub city: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub country: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLink {
    pub from: String,
    pub to: String,
    pub rtt: Value,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCaches {
    pub edge: Option<RawCache>,
    pub regional: Option<RawCache>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCache {
    pub capacity: Option<Value>,
    pub eviction: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOrigin {
    pub name: String,
    pub kind: Option<String>,
    pub region: String,
    pub latency: Option<Value>,
    pub concurrency: Option<i64>,
    pub queue_limit: Option<i64>,
    pub origin_shield: Option<String>,
    pub connection_attempts: Option<i64>,
    pub connection_timeout: Option<Value>,
    pub response_timeout: Option<Value>,
    pub protocol_policy: Option<String>,
    pub keepalive_timeout: Option<Value>,
    pub custom_headers: Option<Vec<RawHeader>>,
    pub require_header: Option<RawRequireHeader>,
    pub supports_ranges: Option<bool>,
    pub error_cache_control: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOriginGroup {
    pub name: String,
    pub members: Vec<String>,
    #[serde(default)]
    pub failover_status_codes: Vec<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFault {
    pub origin: String,
    pub kind: String,
    pub start: Value,
    pub end: Value,
    pub factor: Option<f64>,
    pub status: Option<i64>,
    pub fraction: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDistribution {
    pub domain: Option<String>,
    pub price_class: Option<String>,
    pub geo_restriction: Option<RawGeoRestriction>,
    pub error_caching_min_ttl: Option<Value>,
    pub allow_writes_to_origin_groups: Option<bool>,
    pub propagation: Option<Value>,
    #[serde(default)]
    pub custom_error_responses: Vec<RawCustomErrorResponse>,
    #[serde(default)]
    pub cache_policies: Vec<RawCachePolicy>,
    #[serde(default)]
    pub origin_request_policies: Vec<RawOriginRequestPolicy>,
    #[serde(default)]
    pub behaviors: Vec<RawBehavior>,
    pub default_behavior: RawBehavior,
}

/// `[[distribution.custom_error_responses]]`: CloudFront's `CustomErrorResponse`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCustomErrorResponse {
    pub error_code: i64,
    pub error_caching_min_ttl: Option<Value>,
    pub response_page_path: Option<String>,
    pub response_code: Option<i64>,
    pub response_page_bytes: Option<Value>,
}

/// `[[distribution.cache_policies]]`: a custom cache policy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCachePolicy {
    pub name: String,
    pub min_ttl: Option<Value>,
    pub default_ttl: Option<Value>,
    pub max_ttl: Option<Value>,
    /// `"none"`, `"all"`, `{ allow = [...] }` or `{ except = [...] }`.
    pub query_strings: Option<Value>,
    pub headers: Option<Vec<String>>,
    /// As `query_strings`.
    pub cookies: Option<Value>,
    pub gzip: Option<bool>,
    pub brotli: Option<bool>,
}

/// `[[distribution.origin_request_policies]]`: a custom origin request policy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOriginRequestPolicy {
    pub name: String,
    /// As a cache policy's.
    pub query_strings: Option<Value>,
    /// `"none"`, `"all-viewer"`, `{ allow = [...] }`, `{ all_viewer_and = [...] }`
    /// or `{ except = [...] }`.
    pub headers: Option<Value>,
    pub cookies: Option<Value>,
}

/// A behavior's legacy `forwarded_values`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawForwardedValues {
    pub query_string: Option<bool>,
    pub query_string_cache_keys: Option<Vec<String>>,
    /// Header names, or `["*"]` for every header.
    pub headers: Option<Vec<String>>,
    /// `"none"`, `"all"` or `{ whitelist = [...] }`.
    pub cookies: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBehavior {
    pub path_pattern: Option<String>,
    pub origin: String,
    pub allowed_methods: Option<Vec<String>>,
    pub cached_methods: Option<Vec<String>>,
    pub min_ttl: Option<Value>,
    pub default_ttl: Option<Value>,
    pub max_ttl: Option<Value>,
    pub trusted_key_groups: Option<Vec<String>>,
    pub trusted_signers: Option<bool>,
    pub viewer_protocol_policy: Option<String>,
    pub functions: Option<Vec<RawFunctionAssociation>>,
    pub cache_policy: Option<String>,
    pub forwarded_values: Option<RawForwardedValues>,
    /// CloudFront's `Compress` ("Compress objects automatically").
    pub compress: Option<bool>,
    pub origin_request_policy: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTraffic {
    pub rate: f64,
    pub diurnal: Option<RawDiurnal>,
    pub zipf_alpha: Option<f64>,
    pub objects: Option<i64>,
    pub methods: Option<BTreeMap<String, f64>>,
    pub https_share: Option<f64>,
    // What every class's requests carry unless the class says otherwise
    // (see `RawAttributes`).
    pub query: Option<Vec<RawAttribute>>,
    pub query_order: Option<String>,
    pub cookies: Option<Vec<RawAttribute>>,
    pub headers: Option<Vec<RawAttribute>>,
    pub accept_encoding: Option<BTreeMap<String, f64>>,
    pub devices: Option<BTreeMap<String, f64>>,
    #[serde(default)]
    pub classes: Vec<RawClass>,
    pub direct_to_origin: Option<RawDirectToOrigin>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDiurnal {
    pub amplitude: f64,
    pub period: Option<Value>,
    pub peak: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClass {
    pub name: String,
    pub share: f64,
    pub path: String,
    pub objects: Option<i64>,
    pub zipf_alpha: Option<f64>,
    pub size: Value,
    pub cache_control: Option<String>,
    /// The origin's `Expires` header: this long after the response is sent.
    pub expires: Option<Value>,
    pub change_interval: Option<Value>,
    pub methods: Option<BTreeMap<String, f64>>,
    /// Body bytes of the class's DELETE, OPTIONS, PATCH, POST and PUT requests.
    pub request_body: Option<Value>,
    pub signed: Option<RawSigned>,
    /// The objects' `Content-Type`, and their encoded size over their size
    /// in gzip and in Brotli.
    pub content_type: Option<String>,
    pub gzip_ratio: Option<f64>,
    pub brotli_ratio: Option<f64>,
    // What the class's requests carry (see `RawAttributes`).
    pub query: Option<Vec<RawAttribute>>,
    pub query_order: Option<String>,
    pub cookies: Option<Vec<RawAttribute>>,
    pub headers: Option<Vec<RawAttribute>>,
    pub accept_encoding: Option<BTreeMap<String, f64>>,
    pub devices: Option<BTreeMap<String, f64>>,
    /// Names of its attributes the origin's response depends on.
    pub origin_varies_on: Option<Vec<String>>,
    /// Range GETs: the share of GETs with a `Range` header, each range's
    /// length (a size), where ranges start (`zero`, `uniform`), and the
    /// share of range GETs that are unsatisfiable.
    pub range_share: Option<f64>,
    pub range_length: Option<Value>,
    pub range_start: Option<String>,
    pub range_unsatisfiable_share: Option<f64>,
    /// Shares of viewer connections by HTTP version, and requests per
    /// viewer connection (read with `[connections]`).
    pub viewer_protocols: Option<BTreeMap<String, f64>>,
    pub requests_per_connection: Option<f64>,
}

/// What requests carry besides the path, as a class (or `[traffic]`, for
/// every class) writes it: the same six fields in both tables.
#[derive(Debug, Default)]
pub struct RawAttributes<'a> {
    pub query: Option<&'a [RawAttribute]>,
    pub query_order: Option<&'a str>,
    pub cookies: Option<&'a [RawAttribute]>,
    pub headers: Option<&'a [RawAttribute]>,
    pub accept_encoding: Option<&'a BTreeMap<String, f64>>,
    pub devices: Option<&'a BTreeMap<String, f64>>,
}

impl RawTraffic {
    pub fn attributes(&self) -> RawAttributes<'_> {
        RawAttributes {
            query: self.query.as_deref(),
            query_order: self.query_order.as_deref(),
            cookies: self.cookies.as_deref(),
            headers: self.headers.as_deref(),
            accept_encoding: self.accept_encoding.as_ref(),
            devices: self.devices.as_ref(),
        }
    }
}

impl RawClass {
    pub fn attributes(&self) -> RawAttributes<'_> {
        RawAttributes {
            query: self.query.as_deref(),
            query_order: self.query_order.as_deref(),
            cookies: self.cookies.as_deref(),
            headers: self.headers.as_deref(),
            accept_encoding: self.accept_encoding.as_ref(),
            devices: self.devices.as_ref(),
        }
    }
}

/// One query parameter, cookie or header.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAttribute {
    pub name: String,
    /// A number of values, or the values themselves.
    pub values: Value,
    pub share: Option<f64>,
    pub zipf_alpha: Option<f64>,
}
