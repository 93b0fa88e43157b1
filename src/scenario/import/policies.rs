//! Cache policies: the TTLs a behavior's `CachePolicyId` stands for, and what
//! its cache key holds beyond the path (which cdnsim does not model).

use super::json::{self, Fields};
use super::model::{Context, ImportWarning};
use crate::scenario::error::ScenarioError;
use serde_json::Value;

/// The part of a cache policy cdnsim uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachePolicy {
    pub name: String,
    pub min_ttl: u64,
    pub default_ttl: u64,
    pub max_ttl: u64,
    /// What the cache key holds besides the path, e.g. `["headers", "cookies"]`;
    /// cdnsim keys by path only, so each is a warning.
    pub key_extras: Vec<&'static str>,
}

/// CloudFront's managed cache policies by ID, with their TTLs, from the
/// Developer Guide page "Use managed cache policies"
/// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html).
/// IDs are the same in every account.
const MANAGED: &[(&str, &str, [u64; 3], &[&str])] = &[
    // (id, name, [min, default, max], cache key beyond the path and the normalised Accept-Encoding)
    ("658327ea-f89d-4fab-a63d-7e88639e58f6", "CachingOptimized", [1, 86_400, 31_536_000], &[]),
    ("b2884449-e4de-46a7-ac36-70bc7f1ddd6d", "CachingOptimizedForUncompressedObjects", [1, 86_400, 31_536_000], &[]),
    ("4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "CachingDisabled", [0, 0, 0], &[]),
    (
        "08627262-05a9-4f76-9ded-b50ca2e3a84f",
        "Elemental-MediaPackage",
        [0, 86_400, 31_536_000],
        &["the Origin header", "query strings m, start, end and aws.manifestfilter"],
    ),
    (
        "2e54312d-136d-493c-8eb9-b001f22f67d2",
        "Amplify",
        [2, 2, 600],
        &["headers Authorization, CloudFront-Viewer-Country and Host", "all cookies", "all query strings"],
    ),
    (
        "83da9c7e-98b4-4e11-a168-04f0df8e2c65",
        "UseOriginCacheControlHeaders",
        [0, 0, 31_536_000],
        &["the Host and Origin headers (and three method-override headers)", "all cookies"],
    ),
    (
        "4cc15a8a-d715-48a4-82b8-cc0b614638fe",
        "UseOriginCacheControlHeaders-QueryStrings",
        [0, 0, 31_536_000],
        &["the Host and Origin headers (and three method-override headers)", "all cookies", "all query strings"],
    ),
];

/// The managed policy with this ID.
pub fn managed(id: &str) -> Option<CachePolicy> {
    MANAGED.iter().find(|(known, ..)| *known == id).map(|&(_, name, [min, default, max], extras)| CachePolicy {
        name: format!("{name} (managed)"),
        min_ttl: min,
        default_ttl: default,
        max_ttl: max,
        key_extras: extras.to_vec(),
    })
}

/// The legacy defaults a behavior gets with neither a cache policy nor TTL
/// fields (DG "Values that you specify", reference §6.4).
pub const LEGACY_DEFAULT_TTLS: [u64; 3] = [0, 86_400, 31_536_000];

/// Reads the output of `aws cloudfront get-cache-policy` (`CachePolicy` with
/// `Id` and `CachePolicyConfig`), of `get-cache-policy-config`
/// (`CachePolicyConfig`), or a bare `CachePolicyConfig`. Returns the policy's
/// ID when the file has it.
pub fn parse_cache_policy(
    file: &std::path::Path,
    text: &str,
    warnings: &mut Vec<ImportWarning>,
) -> Result<(Option<String>, CachePolicy), ScenarioError> {
    let ctx = Context::new(file);
    let root: Value = json::parse_json(file, text)?;
    let (id, config, path) = if let Some(policy) = root.get("CachePolicy") {
        let id = policy.get("Id").and_then(Value::as_str).map(str::to_string);
        let config = policy.get("CachePolicyConfig").ok_or_else(|| {
            ctx.error(
                "CachePolicy.CachePolicyConfig",
                "this required field is missing",
                "use the output of aws cloudfront get-cache-policy",
            )
        })?;
        (id, config, "CachePolicy.CachePolicyConfig")
    } else if let Some(config) = root.get("CachePolicyConfig") {
        (None, config, "CachePolicyConfig")
    } else {
        (None, &root, "")
    };
    let mut fields = Fields::of(&ctx, config, path)?;
    let name = fields.optional_str(&ctx, "Name")?.unwrap_or("custom cache policy").to_string();
    // CachePolicyConfig: MinTTL is required; DefaultTTL and MaxTTL default as
    // for legacy behaviors (API reference, CachePolicyConfig).
    let min_path = fields.child("MinTTL");
    let min_ttl = json::int_in(&ctx, fields.required(&ctx, "MinTTL")?, &min_path, 0, u32::MAX as u64)?;
    let default_ttl = fields.optional_int(&ctx, "DefaultTTL", 0, u32::MAX as u64)?;
    let max_ttl = fields.optional_int(&ctx, "MaxTTL", 0, u32::MAX as u64)?;
    let mut key_extras = Vec::new();
    if let Some(params) = fields.take("ParametersInCacheKeyAndForwardedToOrigin") {
        for (config, behavior, what) in [
            ("HeadersConfig", "HeaderBehavior", "headers"),
            ("CookiesConfig", "CookieBehavior", "cookies"),
            ("QueryStringsConfig", "QueryStringBehavior", "query strings"),
        ] {
            if params.get(config).and_then(|c| c.get(behavior)).and_then(Value::as_str).is_some_and(|b| b != "none") {
                key_extras.push(what);
            }
        }
    }
    let _ = fields.take("Comment");
    fields.finish(&ctx, warnings);
    let default_ttl = default_ttl.unwrap_or(if min_ttl > 86_400 { min_ttl } else { 86_400 });
    let max_ttl = max_ttl.unwrap_or(if default_ttl > 31_536_000 { default_ttl } else { 31_536_000 });
    Ok((id, CachePolicy { name, min_ttl, default_ttl, max_ttl, key_extras }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn managed_policies_by_id() {
        let optimized = managed("658327ea-f89d-4fab-a63d-7e88639e58f6").unwrap();
        assert_eq!((optimized.min_ttl, optimized.default_ttl, optimized.max_ttl), (1, 86_400, 31_536_000));
        let disabled = managed("4135ea2d-6df8-44a3-9df3-4b5a84be39ad").unwrap();
        assert_eq!((disabled.min_ttl, disabled.default_ttl, disabled.max_ttl), (0, 0, 0));
        let amplify = managed("2e54312d-136d-493c-8eb9-b001f22f67d2").unwrap();
        assert_eq!((amplify.min_ttl, amplify.default_ttl, amplify.max_ttl), (2, 2, 600));
        assert!(!amplify.key_extras.is_empty());
        assert!(managed("00000000-0000-0000-0000-000000000000").is_none());
        // Every managed policy's TTLs are in CloudFront's order.
        for (id, ..) in MANAGED {
            let p = managed(id).unwrap();
            assert!(p.min_ttl <= p.default_ttl && p.default_ttl <= p.max_ttl, "{id}");
        }
    }

    #[test]
    fn custom_policy_files() {
        let text = r#"{ "ETag": "E1", "CachePolicy": { "Id": "abc", "LastModifiedTime": "2025-01-01T00:00:00Z",
            "CachePolicyConfig": { "Name": "short", "MinTTL": 5, "DefaultTTL": 60, "MaxTTL": 300,
              "ParametersInCacheKeyAndForwardedToOrigin": { "EnableAcceptEncodingGzip": true,
                "HeadersConfig": { "HeaderBehavior": "none" },
                "CookiesConfig": { "CookieBehavior": "all" },
                "QueryStringsConfig": { "QueryStringBehavior": "none" } } } } }"#;
        let mut warnings = Vec::new();
        let (id, policy) = parse_cache_policy(Path::new("p.json"), text, &mut warnings).unwrap();
        assert_eq!(id.as_deref(), Some("abc"));
        assert_eq!((policy.min_ttl, policy.default_ttl, policy.max_ttl), (5, 60, 300));
        assert_eq!(policy.key_extras, vec!["cookies"]);
        // get-cache-policy-config output, with the documented defaults filled in.
        let (id, policy) = parse_cache_policy(
            Path::new("p.json"),
            r#"{"CachePolicyConfig": {"Name": "n", "MinTTL": 100000}}"#,
            &mut warnings,
        )
        .unwrap();
        assert_eq!(id, None);
        assert_eq!((policy.min_ttl, policy.default_ttl, policy.max_ttl), (100_000, 100_000, 31_536_000));
        let e = parse_cache_policy(Path::new("p.json"), r#"{"CachePolicyConfig": {"Name": "n"}}"#, &mut warnings)
            .unwrap_err()
            .to_string();
        assert!(e.contains("CachePolicyConfig.MinTTL") && e.contains("missing"), "{e}");
    }
}
