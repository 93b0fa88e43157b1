//! The scenario's vocabulary: settings a scenario file states, as the typed
//! values the simulation's parts read. The caches, CloudFront's rules
//! (`policy`) and the layout (`cdn`) all import these from here, so the
//! scenario needs nothing from them.
//!
//! Each type holds a setting and what it means on its own (its names, its
//! defaults, the values CloudFront allows); what the simulation does with it
//! is elsewhere: eviction in `cache`, the TTL decision, the protocol
//! decisions, the origin's header check and the failover decision in
//! `policy`, signed sessions in `cdn::signed`.

use crate::time::SimDuration;
use std::fmt;
use std::str::FromStr;

// ---------------------------------------------------------------------------
// Caches.

/// Which object a full cache gives up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvictionPolicy {
    /// Least recently used.
    Lru,
    /// First in, first out; accesses do not matter.
    Fifo,
    /// SIEVE (Zhang et al., NSDI'24).
    Sieve,
    /// S3-FIFO (Yang et al., SOSP'23).
    S3Fifo,
    /// CLOCK: FIFO with a one-bit second chance.
    Clock,
    /// 2Q (Johnson and Shasha, VLDB'94).
    #[serde(rename = "2q")]
    TwoQ,
    /// Segmented LRU with four segments (Huang et al., SOSP'13).
    #[serde(rename = "s4lru")]
    S4Lru,
    /// ARC (Megiddo and Modha, FAST'03).
    Arc,
    /// Greedy-Dual-Size-Frequency (Cherkasova, 1998).
    Gdsf,
    /// Least frequently used with dynamic aging (Arlitt et al., 1999).
    Lfuda,
    /// W-TinyLFU (Einziger et al., ACM TOS 2017): a window LRU, a
    /// segmented LRU main cache and a frequency sketch admitting into it.
    #[serde(rename = "wtinylfu")]
    WTinyLfu,
}

impl EvictionPolicy {
    /// Every policy, in the order of `NAMES`.
    pub const ALL: [EvictionPolicy; 11] = [
        EvictionPolicy::Lru,
        EvictionPolicy::Fifo,
        EvictionPolicy::Sieve,
        EvictionPolicy::S3Fifo,
        EvictionPolicy::Clock,
        EvictionPolicy::TwoQ,
        EvictionPolicy::S4Lru,
        EvictionPolicy::Arc,
        EvictionPolicy::Gdsf,
        EvictionPolicy::Lfuda,
        EvictionPolicy::WTinyLfu,
    ];

    /// The accepted spellings, for error messages and `--help`: libCacheSim's
    /// names in lower case, except `s3-fifo`, which scenarios spelled so
    /// first.
    pub const NAMES: [&'static str; 11] =
        ["lru", "fifo", "sieve", "s3-fifo", "clock", "2q", "s4lru", "arc", "gdsf", "lfuda", "wtinylfu"];

    /// The name used in scenario files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            EvictionPolicy::Lru => "lru",
            EvictionPolicy::Fifo => "fifo",
            EvictionPolicy::Sieve => "sieve",
            EvictionPolicy::S3Fifo => "s3-fifo",
            EvictionPolicy::Clock => "clock",
            EvictionPolicy::TwoQ => "2q",
            EvictionPolicy::S4Lru => "s4lru",
            EvictionPolicy::Arc => "arc",
            EvictionPolicy::Gdsf => "gdsf",
            EvictionPolicy::Lfuda => "lfuda",
            EvictionPolicy::WTinyLfu => "wtinylfu",
        }
    }
}

impl fmt::Display for EvictionPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not one of `EvictionPolicy::NAMES`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown eviction policy `{name}` (expected one of: {})", EvictionPolicy::NAMES.join(", "))]
pub struct ParsePolicyError {
    pub name: String,
}

impl FromStr for EvictionPolicy {
    type Err = ParsePolicyError;

    fn from_str(s: &str) -> Result<EvictionPolicy, ParsePolicyError> {
        EvictionPolicy::ALL
            .into_iter()
            .find(|policy| policy.name() == s)
            .ok_or_else(|| ParsePolicyError { name: s.to_string() })
    }
}

// ---------------------------------------------------------------------------
// Cache behaviors: TTLs and the viewer protocol policy.

/// A cache behavior's TTL bounds, in whole seconds as CloudFront stores them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TtlSettings {
    pub min_s: u64,
    pub default_s: u64,
    pub max_s: u64,
}

/// CloudFront's legacy defaults: MinTTL 0, DefaultTTL 1 day, MaxTTL 1 year.
pub const DEFAULT_TTL_S: u64 = 86_400;
pub const MAX_TTL_S: u64 = 31_536_000;

impl TtlSettings {
    /// Fills unset fields the way CloudFront does (DG-values, "Minimum TTL" and
    /// "Default TTL"): if Min or Default exceeds one year the default Max becomes
    /// the Default; if Min exceeds one day the default Default becomes the Min.
    pub fn with_defaults(min_s: Option<u64>, default_s: Option<u64>, max_s: Option<u64>) -> TtlSettings {
        let min_s = min_s.unwrap_or(0);
        let default_s = default_s.unwrap_or(if min_s > DEFAULT_TTL_S { min_s } else { DEFAULT_TTL_S });
        let max_s = max_s.unwrap_or(if min_s > MAX_TTL_S || default_s > MAX_TTL_S { default_s } else { MAX_TTL_S });
        TtlSettings { min_s, default_s, max_s }
    }

    /// CloudFront refuses Min > Default or Default > Max.
    pub fn check(&self) -> Result<(), String> {
        if self.min_s > self.default_s || self.default_s > self.max_s {
            return Err(format!(
                "TTLs must satisfy min_ttl <= default_ttl <= max_ttl, got {} <= {} <= {} seconds",
                self.min_s, self.default_s, self.max_s
            ));
        }
        Ok(())
    }

    /// A behavior whose Max TTL is 0 never caches: the CachingDisabled managed
    /// policy has all TTLs 0. Such requests are "dynamic" and skip the regional
    /// edge cache (reference §5.1, [INFERRED] there).
    pub fn caching_disabled(&self) -> bool {
        self.max_s == 0
    }
}

/// A cache behavior's `ViewerProtocolPolicy` (reference §7.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ViewerProtocolPolicy {
    #[default]
    AllowAll,
    RedirectToHttps,
    HttpsOnly,
}

impl ViewerProtocolPolicy {
    pub const NAMES: [&'static str; 3] = ["allow-all", "redirect-to-https", "https-only"];

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "allow-all" => Some(Self::AllowAll),
            "redirect-to-https" => Some(Self::RedirectToHttps),
            "https-only" => Some(Self::HttpsOnly),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

// ---------------------------------------------------------------------------
// Origins: their kind, protocol policy, secret header and failover criteria.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OriginKind {
    /// An S3 bucket: requests from edges whose regional edge cache is in the
    /// bucket's Region skip that cache (reference §5.1).
    S3,
    Custom,
}

/// An origin's `OriginProtocolPolicy` (reference §7.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OriginProtocolPolicy {
    HttpOnly,
    HttpsOnly,
    MatchViewer,
}

impl OriginProtocolPolicy {
    pub const NAMES: [&'static str; 3] = ["http-only", "https-only", "match-viewer"];

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "http-only" => Some(Self::HttpOnly),
            "https-only" => Some(Self::HttpsOnly),
            "match-viewer" => Some(Self::MatchViewer),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// A value of an origin's checked header, interned per origin at validation
/// (so a request carries a byte and the origin's check is a bit test, never
/// a string comparison); `ABSENT` means the request does not carry the
/// header at all.
pub type HeaderValueId = u8;

pub const ABSENT: HeaderValueId = 0;

/// The most distinct values one origin's checked header may take in a
/// scenario (ids 1 to 63, one bit each in [`AcceptedValues`]).
pub const MAX_VALUES: usize = 63;

/// The set of header values an origin accepts: bit `id` for value `id`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AcceptedValues(u64);

impl AcceptedValues {
    pub fn from_ids(ids: impl IntoIterator<Item = HeaderValueId>) -> Self {
        AcceptedValues(ids.into_iter().fold(0, |bits, id| bits | 1 << id))
    }

    pub fn contains(self, id: HeaderValueId) -> bool {
        id != ABSENT && self.0 & 1 << id != 0
    }

    pub fn union(self, other: AcceptedValues) -> Self {
        AcceptedValues(self.0 | other.0)
    }
}

/// The status codes CloudFront lets a failover criterion name (reference §4.1,
/// API OriginGroupFailoverCriteria). 429, for one, cannot be chosen.
/// Where a class's range GETs start (`policy::range`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeStart {
    /// At byte 0: a video player's first request, a download's first chunk.
    Zero,
    /// At a byte drawn uniformly within the object: seeks, resumed downloads.
    Uniform,
}

pub const FAILOVER_STATUS_CODES: [u16; 8] = [400, 403, 404, 416, 500, 502, 503, 504];

/// An origin group's failover criteria: the status codes, and always
/// connection failures and timeouts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FailoverCriteria {
    /// Bit `i` set when `FAILOVER_STATUS_CODES[i]` triggers failover.
    status_bits: u8,
}

impl FailoverCriteria {
    /// Criteria from status codes; a code CloudFront does not offer is an error.
    pub fn from_status_codes(codes: &[u16]) -> Result<FailoverCriteria, u16> {
        let mut status_bits = 0;
        for &code in codes {
            let i = FAILOVER_STATUS_CODES.iter().position(|&c| c == code).ok_or(code)?;
            status_bits |= 1 << i;
        }
        Ok(FailoverCriteria { status_bits })
    }

    pub fn covers_status(&self, status: u16) -> bool {
        FAILOVER_STATUS_CODES.iter().position(|&c| c == status).is_some_and(|i| self.status_bits & (1 << i) != 0)
    }

    pub fn status_codes(&self) -> impl Iterator<Item = u16> + '_ {
        FAILOVER_STATUS_CODES.iter().enumerate().filter(|(i, _)| self.status_bits & (1 << i) != 0).map(|(_, &c)| c)
    }
}

/// The status codes a custom error response can name: CloudFront returns
/// a custom page, or applies a per-code error-caching minimum TTL, only for
/// these (Developer Guide, "Create a custom error page for specific HTTP
/// status codes"; reference §6.6).
pub const CUSTOM_ERROR_CODES: [u16; 11] = [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504];

/// The status codes a custom error response may answer the viewer with,
/// besides the error codes themselves: 200, for pages that should not look
/// like errors (API `CustomErrorResponse.ResponseCode`).
pub const CUSTOM_RESPONSE_CODES: [u16; 12] = [200, 400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504];

/// What a custom error page is a size of when the scenario gives none:
/// cdnsim's assumption of a small HTML page, not a CloudFront fact.
pub const DEFAULT_ERROR_PAGE_BYTES: u64 = 1024;

/// One `CustomErrorResponse` of the distribution: how long caches keep
/// the error `error_code` before asking the origin again, and the page the
/// viewer gets instead of the error, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomErrorResponse {
    // Invariant: one of `CUSTOM_ERROR_CODES`, and no other entry of the
    // distribution names it.
    pub error_code: u16,
    /// CloudFront's `ErrorCachingMinTTL` for this code (whole seconds).
    pub error_caching_min_ttl: SimDuration,
    pub page: Option<ErrorPage>,
}

/// A custom error response's page (`ResponsePagePath`, `ResponseCode`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorPage {
    /// Starts with `/`; fetched through the behavior it matches.
    pub path: String,
    /// The status the viewer gets with the page; `None`: the error's own.
    // Invariant: one of `CUSTOM_RESPONSE_CODES`.
    pub response_code: Option<u16>,
    /// The page's size, for a page that is no object of a traffic class
    /// (such a page is the class's object, at its size).
    pub size_bytes: u64,
}

// ---------------------------------------------------------------------------
// Geo restriction (`distribution.geo_restriction`).

/// Which viewers' countries a distribution serves (Developer Guide,
/// "Restricting the geographic distribution of your content": an allow
/// list or a block list of countries, never both; `RestrictionType`
/// `whitelist`, `blacklist` or `none` in the API). Countries are ISO 3166-1
/// alpha-2 codes of `places::COUNTRIES`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum GeoRestriction {
    /// Every country is served (the default).
    #[default]
    None,
    /// Only these countries are served.
    // Invariant: not empty, no code twice.
    Allow(Vec<&'static str>),
    /// Every country but these is served.
    // Invariant: not empty, no code twice.
    Block(Vec<&'static str>),
}

impl GeoRestriction {
    /// Whether some country may be refused.
    pub fn restricts(&self) -> bool {
        !matches!(self, GeoRestriction::None)
    }
}

// ---------------------------------------------------------------------------
// Connections (`[connections]`): TLS versions and viewers' HTTP versions.

/// A TLS version whose handshake cost differs: 1.2 takes two round trips,
/// 1.3 one (`policy::connection`). Older versions cost what 1.2 costs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsVersion {
    Tls1_2,
    Tls1_3,
}

impl TlsVersion {
    pub const NAMES: [&'static str; 2] = ["TLSv1.2", "TLSv1.3"];

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "TLSv1.2" => Some(Self::Tls1_2),
            "TLSv1.3" => Some(Self::Tls1_3),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// The HTTP version of a viewer's connection to CloudFront.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewerHttpVersion {
    Http1_1 = 0,
    Http2 = 1,
    Http3 = 2,
}

impl ViewerHttpVersion {
    pub const ALL: [ViewerHttpVersion; 3] = [Self::Http1_1, Self::Http2, Self::Http3];
    /// The names a scenario's `viewer_protocols` table uses.
    pub const NAMES: [&'static str; 3] = ["http1.1", "http2", "http3"];

    pub fn parse(text: &str) -> Option<Self> {
        Self::NAMES.iter().position(|n| *n == text).map(|i| Self::ALL[i])
    }

    pub const fn index(self) -> usize {
        self as usize
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self.index()]
    }

    /// As CloudFront's access log writes it in `cs-protocol-version`.
    pub fn log_text(self) -> &'static str {
        ["HTTP/1.1", "HTTP/2.0", "HTTP/3.0"][self.index()]
    }
}

// ---------------------------------------------------------------------------
// Signed traffic.

/// What a viewer session presents to a behavior that requires signing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presented {
    ValidUrl,
    ValidCookie,
    Expired,
    NotYetValid,
    TamperedSignature,
    TamperedPolicy,
    /// Signed with a key the registry knows but the behavior does not trust.
    WrongKey,
    UnknownKey,
    /// A policy limited to an address range the viewer is not in.
    WrongIp,
    Nothing,
    /// A signed URL whose policy names one file exactly, presented for every
    /// file of the class: only that file is accepted (`resource-mismatch`).
    SingleFileUrl,
}

impl Presented {
    pub const ALL: [Presented; 11] = [
        Presented::ValidUrl,
        Presented::ValidCookie,
        Presented::Expired,
        Presented::NotYetValid,
        Presented::TamperedSignature,
        Presented::TamperedPolicy,
        Presented::WrongKey,
        Presented::UnknownKey,
        Presented::WrongIp,
        Presented::Nothing,
        Presented::SingleFileUrl,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Presented::ValidUrl => "valid-url",
            Presented::ValidCookie => "valid-cookie",
            Presented::Expired => "expired",
            Presented::NotYetValid => "not-yet-valid",
            Presented::TamperedSignature => "tampered-signature",
            Presented::TamperedPolicy => "tampered-policy",
            Presented::WrongKey => "wrong-key",
            Presented::UnknownKey => "unknown-key",
            Presented::WrongIp => "wrong-ip",
            Presented::Nothing => "none",
            Presented::SingleFileUrl => "single-file-url",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn parse(name: &str) -> Option<Presented> {
        Presented::ALL.into_iter().find(|p| p.as_str() == name)
    }

    pub fn names() -> String {
        Presented::ALL.map(Presented::as_str).join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_names_round_trip() {
        for (policy, name) in EvictionPolicy::ALL.into_iter().zip(EvictionPolicy::NAMES) {
            assert_eq!(policy.to_string(), name);
            assert_eq!(name.parse::<EvictionPolicy>(), Ok(policy));
            assert_eq!(serde_json::to_string(&policy).unwrap(), format!("\"{name}\""));
            assert_eq!(serde_json::from_str::<EvictionPolicy>(&format!("\"{name}\"")).unwrap(), policy);
        }
    }

    #[test]
    fn unknown_policy_lists_the_choices() {
        let err = "mru".parse::<EvictionPolicy>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown eviction policy `mru` (expected one of: lru, fifo, sieve, s3-fifo, clock, 2q, s4lru, arc, gdsf, lfuda, wtinylfu)"
        );
    }

    #[test]
    fn legacy_ttl_defaults() {
        assert_eq!(
            TtlSettings::with_defaults(None, None, None),
            TtlSettings { min_s: 0, default_s: 86_400, max_s: 31_536_000 }
        );
        // Min above a day: the default Default becomes Min.
        assert_eq!(TtlSettings::with_defaults(Some(100_000), None, None).default_s, 100_000);
        // Default above a year: the default Max becomes Default.
        assert_eq!(TtlSettings::with_defaults(None, Some(40_000_000), None).max_s, 40_000_000);
        assert!(TtlSettings { min_s: 10, default_s: 5, max_s: 20 }.check().is_err());
    }

    #[test]
    fn protocol_policy_names_round_trip() {
        for name in ViewerProtocolPolicy::NAMES {
            assert_eq!(ViewerProtocolPolicy::parse(name).unwrap().as_str(), name);
        }
        for name in OriginProtocolPolicy::NAMES {
            assert_eq!(OriginProtocolPolicy::parse(name).unwrap().as_str(), name);
        }
        assert_eq!(ViewerProtocolPolicy::parse("HTTPS-only"), None);
    }

    #[test]
    fn accepted_values_are_a_set_of_ids_without_absent() {
        let old_and_new = AcceptedValues::from_ids([1, 2]);
        assert!(old_and_new.contains(1) && old_and_new.contains(2));
        assert!(!old_and_new.contains(3));
        assert!(!AcceptedValues::from_ids([ABSENT, 1]).contains(ABSENT), "the absent header is never a value");
        assert_eq!(AcceptedValues::from_ids([1]).union(AcceptedValues::from_ids([2])), old_and_new);
        assert!(AcceptedValues::from_ids([MAX_VALUES as HeaderValueId]).contains(MAX_VALUES as HeaderValueId));
    }

    #[test]
    fn failover_criteria_hold_the_codes_cloudfront_offers() {
        let criteria = FailoverCriteria::from_status_codes(&[503, 500]).unwrap();
        assert!(criteria.covers_status(500) && criteria.covers_status(503));
        assert!(!criteria.covers_status(502) && !criteria.covers_status(200));
        // In CloudFront's order, whatever the order given.
        assert_eq!(criteria.status_codes().collect::<Vec<_>>(), [500, 503]);
        assert_eq!(FailoverCriteria::from_status_codes(&[500, 429]), Err(429));
    }

    #[test]
    fn presented_names_round_trip_in_index_order() {
        for (i, presented) in Presented::ALL.into_iter().enumerate() {
            assert_eq!(presented.index(), i);
            assert_eq!(Presented::parse(presented.as_str()), Some(presented));
        }
        assert_eq!(Presented::parse("valid"), None);
    }
}

/// Which of a behavior's two method sets breaks CloudFront's rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MethodSetField {
    Allowed,
    Cached,
}

/// The method sets CloudFront offers a cache behavior (Developer Guide,
/// "Values that you specify when you create or update a distribution":
/// Allowed HTTP methods, Cached HTTP methods): allowed is GET and HEAD, with
/// OPTIONS, or all seven; cached is GET and HEAD, optionally OPTIONS, which
/// must then be allowed. One rule for the scenario loader and the importer.
/// `Err`: the field, the problem and its fix.
pub fn check_method_sets(
    allowed: crate::http::MethodSet,
    cached: crate::http::MethodSet,
) -> Result<(), (MethodSetField, String, &'static str)> {
    use crate::http::{Method, MethodSet};
    if ![MethodSet::GET_HEAD, MethodSet::GET_HEAD_OPTIONS, MethodSet::ALL].contains(&allowed) {
        return Err((
            MethodSetField::Allowed,
            format!("CloudFront does not offer the method set [{allowed}]"),
            "use [\"GET\",\"HEAD\"], [\"GET\",\"HEAD\",\"OPTIONS\"] or all seven methods",
        ));
    }
    if ![MethodSet::GET_HEAD, MethodSet::GET_HEAD_OPTIONS].contains(&cached) {
        return Err((
            MethodSetField::Cached,
            format!("CloudFront caches only GET and HEAD, optionally OPTIONS; got [{cached}]"),
            "use [\"GET\",\"HEAD\"] or [\"GET\",\"HEAD\",\"OPTIONS\"]",
        ));
    }
    if cached.contains(Method::Options) && !allowed.contains(Method::Options) {
        return Err((
            MethodSetField::Cached,
            "OPTIONS is cached but not allowed".to_string(),
            "add OPTIONS to allowed_methods or remove it from cached_methods",
        ));
    }
    Ok(())
}
