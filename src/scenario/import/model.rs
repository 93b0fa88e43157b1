//! What the importer makes of CloudFront's JSON: the distribution under the
//! scenario's names, the warnings for what the simulation does not model,
//! and the file being read, which every reader names in its messages.

use crate::http::Method;
use crate::scenario::cache_key::{CacheKeySettings, CachePolicySpec};
use crate::scenario::edge_functions::{EdgeEvent, FunctionKind};
use crate::scenario::error::{FieldError, ScenarioError};
use crate::scenario::vocabulary::OriginKind;
use std::fmt;
use std::path::{Path, PathBuf};

/// Something in the JSON cdnsim does not simulate, and what that loses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportWarning {
    pub file: PathBuf,
    /// JSON path such as `DistributionConfig.CacheBehaviors.Items[1].Compress`.
    pub path: String,
    pub message: String,
}

impl fmt::Display for ImportWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: `{}`: {}", self.file.display(), self.path, self.message)
    }
}

/// A distribution as the importer understood it: CloudFront's settings under
/// the scenario's names, before they become TOML.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedDistribution {
    pub source: PathBuf,
    /// `Distribution.DomainName`, present in `get-distribution` output only.
    pub domain: Option<String>,
    pub origins: Vec<ImportedOrigin>,
    pub origin_groups: Vec<ImportedOriginGroup>,
    /// The edge functions the behaviors associate, each once, in the order
    /// first met (the default behavior first).
    pub functions: Vec<ImportedFunction>,
    /// In CloudFront's order; the default behavior is separate.
    pub behaviors: Vec<ImportedBehavior>,
    pub default_behavior: ImportedBehavior,
    /// The custom cache policies the behaviors use (given with
    /// `--cache-policy`), each once, named uniquely: the scenario's
    /// `[[distribution.cache_policies]]`.
    pub cache_policies: Vec<CachePolicySpec>,
    /// The custom origin request policies the behaviors use (given with
    /// `--origin-request-policy`), likewise.
    pub origin_request_policies: Vec<crate::scenario::origin_request::OriginRequestPolicySpec>,
    /// `CustomErrorResponses`, in CloudFront's order.
    pub custom_error_responses: Vec<ImportedErrorResponse>,
    /// `PriceClass` (the API's name), when not the default `PriceClass_All`.
    pub price_class: Option<String>,
    /// `Restrictions.GeoRestriction`, when it restricts: the allow list
    /// (`whitelist`) or the block list (`blacklist`) of the countries
    /// cdnsim knows.
    pub geo_restriction: Option<ImportedGeoRestriction>,
    pub warnings: Vec<ImportWarning>,
}

/// A geo restriction as the scenario writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedGeoRestriction {
    /// `true`: only these countries are served; `false`: these are refused.
    pub allow: bool,
    /// ISO 3166-1 alpha-2 codes, in CloudFront's order.
    pub countries: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ImportedOrigin {
    /// CloudFront's origin `Id`.
    pub name: String,
    pub domain_name: String,
    pub kind: OriginKind,
    pub region: String,
    /// Where `region` came from, for the comment above the origin.
    pub region_source: RegionSource,
    /// `OriginShield.OriginShieldRegion` when Origin Shield is enabled.
    pub origin_shield: Option<String>,
    pub connection_attempts: Option<u64>,
    pub connection_timeout_s: Option<u64>,
    /// `OriginReadTimeout`.
    pub response_timeout_s: Option<u64>,
    /// `OriginKeepaliveTimeout`, when not the default 5 s.
    pub keepalive_timeout_s: Option<u64>,
    /// `CustomOriginConfig.OriginProtocolPolicy`: `http-only`, `https-only` or `match-viewer`.
    pub protocol_policy: Option<String>,
    /// `CustomHeaders`: (name, value) pairs CloudFront adds to origin requests.
    pub custom_headers: Vec<(String, String)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegionSource {
    DomainName,
    Option,
    Default,
}

/// One of `CustomErrorResponses.Items`, as the scenario's
/// `[[distribution.custom_error_responses]]` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedErrorResponse {
    pub error_code: u16,
    /// `ErrorCachingMinTTL`, seconds.
    pub error_caching_min_ttl_s: Option<u64>,
    /// `ResponsePagePath`; `None` when absent or empty.
    pub response_page_path: Option<String>,
    /// `ResponseCode`, a string in the API, as a number; `None` when absent or empty.
    pub response_code: Option<u16>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ImportedOriginGroup {
    pub name: String,
    /// Primary, secondary.
    pub members: [String; 2],
    pub failover_status_codes: Vec<u16>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ImportedBehavior {
    /// `None` for the default behavior.
    pub path_pattern: Option<String>,
    /// `TargetOriginId`: an origin or an origin group.
    pub origin: String,
    pub allowed_methods: Vec<Method>,
    pub cached_methods: Vec<Method>,
    pub min_ttl: u64,
    pub default_ttl: u64,
    pub max_ttl: u64,
    /// Where the TTLs came from, e.g. `CachingOptimized (managed)`.
    pub ttl_source: String,
    /// The cache policy the scenario's behavior names: a managed policy's
    /// name, or a custom one of `ImportedDistribution::cache_policies`;
    /// `None` for the legacy fields (TTLs and `forwarded_values`).
    pub cache_policy: Option<String>,
    /// What its cache key holds besides the path.
    pub cache_key: CacheKeySettings,
    /// `OriginRequestPolicyId`, as the scenario names it: a managed
    /// policy's name, or a custom one of `ImportedDistribution::origin_request_policies`.
    pub origin_request_policy: Option<String>,
    /// Key group IDs; a scenario names key groups in `[signing]` by these.
    pub trusted_key_groups: Vec<String>,
    pub trusted_signers: bool,
    /// `allow-all`, `redirect-to-https` or `https-only`.
    pub viewer_protocol_policy: Option<String>,
    /// `FunctionAssociations` and `LambdaFunctionAssociations`: the event
    /// and the name of the function (an `ImportedFunction`) that runs on it.
    pub functions: Vec<(EdgeEvent, String)>,
    /// `Compress`: the edge compresses what CloudFront's rules allow.
    pub compress: bool,
}

/// A CloudFront Function or Lambda@Edge function a behavior associates.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedFunction {
    /// From the ARN: the function's name, with `:version` for Lambda@Edge.
    pub name: String,
    pub kind: FunctionKind,
    pub arn: String,
}

/// The file being read, for messages.
pub(super) struct Context {
    pub(super) file: PathBuf,
}

impl Context {
    pub(super) fn new(file: &Path) -> Context {
        Context { file: file.to_path_buf() }
    }

    pub(super) fn error(&self, path: &str, problem: impl Into<String>, fix: impl Into<String>) -> ScenarioError {
        ScenarioError::Field(Box::new(FieldError {
            file: self.file.clone(),
            position: None,
            field: path.to_string(),
            problem: problem.into(),
            fix: fix.into(),
            set_by: None,
        }))
    }

    pub(super) fn warning(&self, path: &str, message: impl Into<String>) -> ImportWarning {
        ImportWarning { file: self.file.clone(), path: path.to_string(), message: message.into() }
    }
}
