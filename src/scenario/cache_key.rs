//! A cache behavior's cache key as a scenario states it: the query strings,
//! headers and cookies a cache policy puts in the key and its two
//! `Accept-Encoding` flags (reference §6.3; Developer Guide, "Understand cache
//! policies",
//! https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cache-key-understand-cache-policy.html),
//! the legacy `ForwardedValues` they replace, and CloudFront's managed cache
//! policies with their documented settings: the one table that both a
//! scenario's `cache_policy = "..."` and the importer read.
//!
//! What CloudFront does with a request under these settings (which of its
//! values are in the key, the `Accept-Encoding` normalisation, collapsing) is
//! `policy::cache_key`.

use super::vocabulary::TtlSettings;

/// CloudFront's quota on the query strings, headers and cookies one cache
/// policy (or one legacy behavior) may name: 10 of each (reference §10,
/// "Query strings / headers / cookies per cache policy").
pub const MAX_KEY_NAMES: usize = 10;

/// Objects a run's catalog may hold when its keys vary: a key keeps an
/// object's number in its low 28 bits (with the OPTIONS bit), the variant's
/// hash above (`policy::cache_key::cache_key`). The loader's own bound on a
/// scenario's objects (100 million) is below it.
pub const MAX_OBJECTS_WITH_VARIANTS: u64 = 1 << 27;

/// Headers CloudFront never puts in a cache key, with what to use instead
/// (Developer Guide, "Cache content based on request headers": every header
/// but `Connection`, `Cookie`, `Host` for S3, `Proxy-Authorization`, `TE` and
/// `Upgrade`; cookies have their own setting).
pub const UNKEYABLE_HEADERS: [(&str, &str); 5] = [
    ("Connection", "CloudFront never keys it"),
    ("Cookie", "key cookies with `cookies`"),
    ("Proxy-Authorization", "CloudFront never keys it"),
    ("TE", "CloudFront never keys it"),
    ("Upgrade", "CloudFront never keys it"),
];

/// Which names of one kind (query parameters, cookies) the key holds:
/// CloudFront's `none`, `all`, `whitelist` and `allExcept` behaviors.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum NameSelection {
    #[default]
    None,
    All,
    /// Only these names (CloudFront's `whitelist`).
    AllowList(Vec<String>),
    /// Every name but these (CloudFront's `allExcept`).
    AllExcept(Vec<String>),
}

impl NameSelection {
    /// The names an allow or except list gives.
    pub fn names(&self) -> &[String] {
        match self {
            NameSelection::AllowList(names) | NameSelection::AllExcept(names) => names,
            NameSelection::None | NameSelection::All => &[],
        }
    }

    pub fn is_none(&self) -> bool {
        *self == NameSelection::None
    }

    /// As a scenario file writes it: `"none"`, `"all"`, `{ allow = [...] }`,
    /// `{ except = [...] }`.
    pub fn to_toml(&self) -> toml::Value {
        let list = |key: &str, names: &[String]| {
            let mut table = toml::Table::new();
            let names = names.iter().map(|n| toml::Value::String(n.clone())).collect();
            table.insert(key.to_string(), toml::Value::Array(names));
            toml::Value::Table(table)
        };
        match self {
            NameSelection::None => toml::Value::String("none".into()),
            NameSelection::All => toml::Value::String("all".into()),
            NameSelection::AllowList(names) => list("allow", names),
            NameSelection::AllExcept(names) => list("except", names),
        }
    }

    /// In words, for `cdnsim validate`.
    pub fn describe(&self) -> String {
        match self {
            NameSelection::None => "none".into(),
            NameSelection::All => "all".into(),
            NameSelection::AllowList(names) => format!("only [{}]", names.join(", ")),
            NameSelection::AllExcept(names) => format!("all but [{}]", names.join(", ")),
        }
    }
}

/// What a behavior's cache key holds besides the domain and the path (and
/// the method for OPTIONS). The default is the path alone: CloudFront's
/// default cache key (reference §6.3, DG "Understand the cache key").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CacheKeySettings {
    pub query_strings: NameSelection,
    /// Header names, compared without regard to case (DG "Cache content
    /// based on request headers": the case of a header's name does not
    /// matter, the case of its value does).
    // Invariant: at most MAX_KEY_NAMES, none twice, none in UNKEYABLE_HEADERS,
    // and no `Accept-Encoding` when `gzip` or `brotli` is set.
    pub headers: Vec<String>,
    /// Legacy `ForwardedValues` with every header (`["*"]`): CloudFront then
    /// caches nothing for the behavior (DG "Values that you specify", "Cache
    /// based on selected request headers": All).
    pub all_headers: bool,
    pub cookies: NameSelection,
    /// Cookie names in `cookies` may hold `*` and `?` wildcards: the legacy
    /// whitelist allows them (DG "Values that you specify", "Allowlist
    /// cookies"); a cache policy names cookies exactly.
    pub cookie_wildcards: bool,
    /// `EnableAcceptEncodingGzip` and `EnableAcceptEncodingBrotli`: the
    /// normalised `Accept-Encoding` is in the key.
    pub gzip: bool,
    pub brotli: bool,
}

impl CacheKeySettings {
    /// Whether the key can hold anything besides the path: such a
    /// behavior's objects may be cached in several variants.
    pub fn varies(&self) -> bool {
        !self.all_headers
            && (!self.query_strings.is_none()
                || !self.headers.is_empty()
                || !self.cookies.is_none()
                || self.gzip
                || self.brotli)
    }

    /// In words, for `cdnsim validate`.
    pub fn describe(&self) -> String {
        if self.all_headers {
            return "every header forwarded (nothing cached)".into();
        }
        let encoding = match (self.gzip, self.brotli) {
            (true, true) => "gzip and br",
            (true, false) => "gzip",
            (false, true) => "br",
            (false, false) => "off",
        };
        format!(
            "query strings {}, headers [{}], cookies {}, Accept-Encoding normalised: {encoding}",
            self.query_strings.describe(),
            self.headers.join(", "),
            self.cookies.describe()
        )
    }
}

/// A named cache policy of the scenario (`[[distribution.cache_policies]]`)
/// or one of CloudFront's managed ones: its TTLs and its key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachePolicySpec {
    pub name: String,
    pub ttl: TtlSettings,
    pub key: CacheKeySettings,
}

/// Names in a managed policy's key, as a `const` can hold them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ManagedNames {
    None,
    All,
    Only(&'static [&'static str]),
}

impl ManagedNames {
    fn selection(self) -> NameSelection {
        match self {
            ManagedNames::None => NameSelection::None,
            ManagedNames::All => NameSelection::All,
            ManagedNames::Only(names) => NameSelection::AllowList(names.iter().map(|n| n.to_string()).collect()),
        }
    }
}

/// One of CloudFront's managed cache policies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ManagedCachePolicy {
    /// The same in every account.
    pub id: &'static str,
    /// The console shows it with `Managed-` in front.
    pub name: &'static str,
    /// Min, Default, Max TTL in seconds.
    pub ttl_s: [u64; 3],
    pub query_strings: ManagedNames,
    pub headers: &'static [&'static str],
    pub cookies: ManagedNames,
    pub gzip: bool,
    pub brotli: bool,
}

impl ManagedCachePolicy {
    pub fn ttl(&self) -> TtlSettings {
        let [min_s, default_s, max_s] = self.ttl_s;
        TtlSettings { min_s, default_s, max_s }
    }

    pub fn key(&self) -> CacheKeySettings {
        CacheKeySettings {
            query_strings: self.query_strings.selection(),
            headers: self.headers.iter().map(|h| h.to_string()).collect(),
            all_headers: false,
            cookies: self.cookies.selection(),
            cookie_wildcards: false,
            gzip: self.gzip,
            brotli: self.brotli,
        }
    }

    pub fn spec(&self) -> CachePolicySpec {
        CachePolicySpec { name: self.name.to_string(), ttl: self.ttl(), key: self.key() }
    }
}

/// The headers `UseOriginCacheControlHeaders` (both variants) keys: the host
/// and origin, and the three headers clients use to override the method.
const ORIGIN_CACHE_CONTROL_HEADERS: &[&str] =
    &["Host", "Origin", "X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"];

/// CloudFront's managed cache policies, as the Developer Guide's "Use managed
/// cache policies" lists them
/// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html):
/// each setting below is the page's. "Cache compressed objects: Enabled"
/// means gzip and Brotli; Elemental-MediaPackage's is "Enabled for Gzip" only.
pub const MANAGED_CACHE_POLICIES: [ManagedCachePolicy; 7] = [
    ManagedCachePolicy {
        id: "2e54312d-136d-493c-8eb9-b001f22f67d2",
        name: "Amplify",
        ttl_s: [2, 2, 600],
        query_strings: ManagedNames::All,
        headers: &["Authorization", "CloudFront-Viewer-Country", "Host"],
        cookies: ManagedNames::All,
        gzip: true,
        brotli: true,
    },
    ManagedCachePolicy {
        id: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
        name: "CachingDisabled",
        ttl_s: [0, 0, 0],
        query_strings: ManagedNames::None,
        headers: &[],
        cookies: ManagedNames::None,
        gzip: false,
        brotli: false,
    },
    ManagedCachePolicy {
        id: "658327ea-f89d-4fab-a63d-7e88639e58f6",
        name: "CachingOptimized",
        ttl_s: [1, 86_400, 31_536_000],
        query_strings: ManagedNames::None,
        headers: &[],
        cookies: ManagedNames::None,
        gzip: true,
        brotli: true,
    },
    ManagedCachePolicy {
        id: "b2884449-e4de-46a7-ac36-70bc7f1ddd6d",
        name: "CachingOptimizedForUncompressedObjects",
        ttl_s: [1, 86_400, 31_536_000],
        query_strings: ManagedNames::None,
        headers: &[],
        cookies: ManagedNames::None,
        gzip: false,
        brotli: false,
    },
    ManagedCachePolicy {
        id: "08627262-05a9-4f76-9ded-b50ca2e3a84f",
        name: "Elemental-MediaPackage",
        ttl_s: [0, 86_400, 31_536_000],
        query_strings: ManagedNames::Only(&["aws.manifestfilter", "start", "end", "m"]),
        headers: &["Origin"],
        cookies: ManagedNames::None,
        gzip: true,
        brotli: false,
    },
    ManagedCachePolicy {
        id: "83da9c7e-98b4-4e11-a168-04f0df8e2c65",
        name: "UseOriginCacheControlHeaders",
        ttl_s: [0, 0, 31_536_000],
        query_strings: ManagedNames::None,
        headers: ORIGIN_CACHE_CONTROL_HEADERS,
        cookies: ManagedNames::All,
        gzip: true,
        brotli: true,
    },
    ManagedCachePolicy {
        id: "4cc15a8a-d715-48a4-82b8-cc0b614638fe",
        name: "UseOriginCacheControlHeaders-QueryStrings",
        ttl_s: [0, 0, 31_536_000],
        query_strings: ManagedNames::All,
        headers: ORIGIN_CACHE_CONTROL_HEADERS,
        cookies: ManagedNames::All,
        gzip: true,
        brotli: true,
    },
];

/// The managed cache policy named `name` (`CachingOptimized`, or as the
/// console shows it, `Managed-CachingOptimized`) or with ID `name`.
pub fn managed_cache_policy(name: &str) -> Option<&'static ManagedCachePolicy> {
    let bare = name.strip_prefix("Managed-").unwrap_or(name);
    MANAGED_CACHE_POLICIES.iter().find(|p| p.name == bare || p.id == name)
}

/// The managed policies' names, for error messages.
pub fn managed_cache_policy_names() -> String {
    MANAGED_CACHE_POLICIES.map(|p| p.name).join(", ")
}

/// Whether `name` is a valid HTTP header name (a token, RFC 9110 §5.1).
pub fn is_header_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managed_policies_by_name_console_name_and_id() {
        let optimized = managed_cache_policy("CachingOptimized").unwrap();
        assert_eq!(managed_cache_policy("Managed-CachingOptimized"), Some(optimized));
        assert_eq!(managed_cache_policy("658327ea-f89d-4fab-a63d-7e88639e58f6"), Some(optimized));
        assert_eq!(optimized.ttl(), TtlSettings { min_s: 1, default_s: 86_400, max_s: 31_536_000 });
        // The DG: no query strings or cookies, only the normalised Accept-Encoding.
        let key = optimized.key();
        assert!(key.query_strings.is_none() && key.cookies.is_none() && key.headers.is_empty());
        assert!(key.gzip && key.brotli && key.varies());
        assert!(managed_cache_policy("cachingoptimized").is_none(), "names are case-sensitive");
        assert!(managed_cache_policy("00000000-0000-0000-0000-000000000000").is_none());
    }

    #[test]
    fn every_managed_policy_is_one_cloudfront_accepts() {
        for p in &MANAGED_CACHE_POLICIES {
            assert!(p.ttl().check().is_ok(), "{}", p.name);
            let key = p.key();
            assert!(key.headers.len() <= MAX_KEY_NAMES && key.query_strings.names().len() <= MAX_KEY_NAMES);
            assert!(key.headers.iter().all(|h| is_header_name(h)), "{}", p.name);
            assert_eq!(p.id.len(), 36, "{}", p.name);
        }
        let disabled = managed_cache_policy("CachingDisabled").unwrap();
        assert!(disabled.ttl().caching_disabled() && !disabled.key().varies());
        let uncompressed = managed_cache_policy("CachingOptimizedForUncompressedObjects").unwrap();
        assert!(!uncompressed.key().varies(), "the path alone");
        let media = managed_cache_policy("Elemental-MediaPackage").unwrap().key();
        assert!(media.gzip && !media.brotli, "gzip only");
        assert_eq!(media.query_strings.names(), ["aws.manifestfilter", "start", "end", "m"]);
        let amplify = managed_cache_policy("Amplify").unwrap();
        assert_eq!(amplify.ttl_s, [2, 2, 600]);
        assert_eq!(amplify.key().cookies, NameSelection::All);
    }

    #[test]
    fn selections_as_toml_and_words() {
        let allow = NameSelection::AllowList(vec!["size".into()]);
        assert_eq!(allow.to_toml().to_string(), "{ allow = [\"size\"] }");
        assert_eq!(NameSelection::All.to_toml().to_string(), "\"all\"");
        assert_eq!(NameSelection::AllExcept(vec!["utm".into()]).describe(), "all but [utm]");
        let forward_all = CacheKeySettings { all_headers: true, gzip: true, ..CacheKeySettings::default() };
        assert!(!forward_all.varies(), "a behavior that caches nothing keeps no variants");
        assert!(!CacheKeySettings::default().varies());
    }

    #[test]
    fn header_names_are_tokens() {
        assert!(is_header_name("Accept-Language") && is_header_name("X-Custom_1"));
        assert!(!is_header_name("") && !is_header_name("Bad Name") && !is_header_name("a:b"));
    }
}
