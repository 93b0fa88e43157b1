//! Cache policies: what a behavior's `CachePolicyId` stands for (its TTLs and
//! its cache key). A managed policy comes from the scenario's one table of
//! them (`MANAGED_CACHE_POLICIES`); a custom one from the output of
//! `aws cloudfront get-cache-policy`.

use super::json::{self, Fields};
use super::model::{Context, ImportWarning};
use crate::scenario::cache_key::{CacheKeySettings, CachePolicySpec, MAX_KEY_NAMES, NameSelection};
use crate::scenario::error::ScenarioError;
use crate::scenario::origin_request::{HeaderSelection, OriginRequestPolicySpec, OriginRequestSettings};
use crate::scenario::vocabulary::TtlSettings;
use serde_json::Value;

type Result<T> = std::result::Result<T, ScenarioError>;

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
) -> Result<(Option<String>, CachePolicySpec)> {
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
    let key = match fields.take("ParametersInCacheKeyAndForwardedToOrigin") {
        None => CacheKeySettings::default(),
        Some(params) => {
            let params_path = fields.child("ParametersInCacheKeyAndForwardedToOrigin");
            key_parameters(&ctx, params, &params_path, warnings)?
        }
    };
    let _ = fields.take("Comment");
    fields.finish(&ctx, warnings);
    let ttl = TtlSettings::with_defaults(Some(min_ttl), default_ttl, max_ttl);
    ttl.check().map_err(|e| ctx.error(&min_path, e, "CloudFront requires MinTTL <= DefaultTTL <= MaxTTL"))?;
    Ok((id, CachePolicySpec { name, ttl, key }))
}

/// `ParametersInCacheKeyAndForwardedToOrigin`: the two Accept-Encoding flags
/// and the headers, cookies and query strings configurations.
fn key_parameters(
    ctx: &Context,
    params: &Value,
    path: &str,
    warnings: &mut Vec<ImportWarning>,
) -> Result<CacheKeySettings> {
    let mut p = Fields::of(ctx, params, path)?;
    let gzip = p.optional_bool(ctx, "EnableAcceptEncodingGzip")?.unwrap_or(false);
    let brotli = p.optional_bool(ctx, "EnableAcceptEncodingBrotli")?.unwrap_or(false);
    let mut headers = match names_config(ctx, &mut p, ("HeadersConfig", "HeaderBehavior", "Headers"), warnings)? {
        NameSelection::None => Vec::new(),
        NameSelection::AllowList(names) => names,
        // HeaderBehavior is `none` or `whitelist` (API reference, CachePolicyHeadersConfig).
        _ => {
            return Err(ctx.error(
                &p.child("HeadersConfig.HeaderBehavior"),
                "a cache policy keys no headers or a list of them",
                "use \"none\" or \"whitelist\"",
            ));
        }
    };
    if (gzip || brotli) && headers.iter().any(|h| h.eq_ignore_ascii_case("Accept-Encoding")) {
        headers.retain(|h| !h.eq_ignore_ascii_case("Accept-Encoding"));
        warnings.push(ctx.warning(
            &p.child("HeadersConfig"),
            "Accept-Encoding is listed with the compression settings on: the key holds it normalised (as \
             EnableAcceptEncodingGzip/Brotli say), not raw",
        ));
    }
    let cookies = names_config(ctx, &mut p, ("CookiesConfig", "CookieBehavior", "Cookies"), warnings)?;
    let query_strings =
        names_config(ctx, &mut p, ("QueryStringsConfig", "QueryStringBehavior", "QueryStrings"), warnings)?;
    p.finish(ctx, warnings);
    Ok(CacheKeySettings { query_strings, headers, all_headers: false, cookies, cookie_wildcards: false, gzip, brotli })
}

/// One of the three `*Config` objects: `{ "<X>Behavior": "none" | "whitelist"
/// | "allExcept" | "all", "<Xs>": { "Quantity", "Items" } }`.
fn names_config(
    ctx: &Context,
    parent: &mut Fields<'_>,
    keys: (&str, &str, &str),
    warnings: &mut Vec<ImportWarning>,
) -> Result<NameSelection> {
    let Some(config) = read_config(ctx, parent, keys, warnings)? else { return Ok(NameSelection::None) };
    let Config { behavior_path, behavior, names } = config;
    match behavior.as_str() {
        "none" => Ok(NameSelection::None),
        "all" => Ok(NameSelection::All),
        "whitelist" => Ok(NameSelection::AllowList(names)),
        "allExcept" => Ok(NameSelection::AllExcept(names)),
        other => Err(ctx.error(
            &behavior_path,
            format!("{other:?} is not one of CloudFront's values"),
            "use one of: none, whitelist, allExcept, all",
        )),
    }
}

/// A `*Config` object as read: its behavior and its names.
struct Config {
    behavior_path: String,
    behavior: String,
    names: Vec<String>,
}

/// Reads the `*Config` object `config_key` of `parent`, if present: the
/// behavior and up to `MAX_KEY_NAMES` names; a list behavior (`whitelist`,
/// `allExcept`, `allViewerAndWhitelistCloudFront`) with no names is refused,
/// as CloudFront refuses it.
fn read_config(
    ctx: &Context,
    parent: &mut Fields<'_>,
    (config_key, behavior_key, list_key): (&str, &str, &str),
    warnings: &mut Vec<ImportWarning>,
) -> Result<Option<Config>> {
    let config_path = parent.child(config_key);
    let Some(config) = parent.take(config_key) else { return Ok(None) };
    let mut c = Fields::of(ctx, config, &config_path)?;
    let behavior_path = c.child(behavior_key);
    let behavior = c.required_str(ctx, behavior_key)?.to_string();
    let (items_path, items) = c.list(ctx, list_key, warnings)?;
    c.finish(ctx, warnings);
    let names = items
        .iter()
        .enumerate()
        .map(|(k, v)| json::as_str(ctx, v, &format!("{items_path}[{k}]")).map(str::to_string))
        .collect::<Result<Vec<String>>>()?;
    if names.len() > MAX_KEY_NAMES {
        return Err(ctx.error(
            &items_path,
            format!("{} names; cdnsim allows CloudFront's default quota of {MAX_KEY_NAMES}", names.len()),
            format!("keep at most {MAX_KEY_NAMES} in the scenario"),
        ));
    }
    if matches!(behavior.as_str(), "whitelist" | "allExcept" | "allViewerAndWhitelistCloudFront") && names.is_empty() {
        return Err(ctx.error(
            &items_path,
            format!("{behavior} names nothing"),
            "list the names, as CloudFront requires",
        ));
    }
    Ok(Some(Config { behavior_path, behavior, names }))
}

/// Reads the output of `aws cloudfront get-origin-request-policy`
/// (`OriginRequestPolicy` with `Id` and `OriginRequestPolicyConfig`), of
/// `get-origin-request-policy-config`, or a bare config (API
/// `OriginRequestPolicyConfig`: `HeadersConfig`, `CookiesConfig`,
/// `QueryStringsConfig`). Returns the policy's ID when the file has it.
pub fn parse_origin_request_policy(
    file: &std::path::Path,
    text: &str,
    warnings: &mut Vec<ImportWarning>,
) -> Result<(Option<String>, OriginRequestPolicySpec)> {
    let ctx = Context::new(file);
    let root: Value = json::parse_json(file, text)?;
    let (id, config, path) = if let Some(policy) = root.get("OriginRequestPolicy") {
        let id = policy.get("Id").and_then(Value::as_str).map(str::to_string);
        let config = policy.get("OriginRequestPolicyConfig").ok_or_else(|| {
            ctx.error(
                "OriginRequestPolicy.OriginRequestPolicyConfig",
                "this required field is missing",
                "use the output of aws cloudfront get-origin-request-policy",
            )
        })?;
        (id, config, "OriginRequestPolicy.OriginRequestPolicyConfig")
    } else if let Some(config) = root.get("OriginRequestPolicyConfig") {
        (None, config, "OriginRequestPolicyConfig")
    } else {
        (None, &root, "")
    };
    let mut p = Fields::of(&ctx, config, path)?;
    let name = p.optional_str(&ctx, "Name")?.unwrap_or("custom origin request policy").to_string();
    let _ = p.take("Comment");
    let headers = match read_config(&ctx, &mut p, ("HeadersConfig", "HeaderBehavior", "Headers"), warnings)? {
        None => HeaderSelection::None,
        Some(Config { behavior_path, behavior, names }) => match behavior.as_str() {
            "none" => HeaderSelection::None,
            "whitelist" => HeaderSelection::AllowList(names),
            "allViewer" => HeaderSelection::AllViewer,
            "allViewerAndWhitelistCloudFront" => HeaderSelection::AllViewerAndCloudFront(names),
            "allExcept" => HeaderSelection::AllExcept(names),
            other => {
                return Err(ctx.error(
                    &behavior_path,
                    format!("{other:?} is not one of CloudFront's values"),
                    "use one of: none, whitelist, allViewer, allViewerAndWhitelistCloudFront, allExcept",
                ));
            }
        },
    };
    let cookies = names_config(&ctx, &mut p, ("CookiesConfig", "CookieBehavior", "Cookies"), warnings)?;
    let query_strings =
        names_config(&ctx, &mut p, ("QueryStringsConfig", "QueryStringBehavior", "QueryStrings"), warnings)?;
    p.finish(&ctx, warnings);
    Ok((id, OriginRequestPolicySpec { name, settings: OriginRequestSettings { query_strings, headers, cookies } }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

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
        assert_eq!(policy.name, "short");
        assert_eq!(policy.ttl, TtlSettings { min_s: 5, default_s: 60, max_s: 300 });
        assert_eq!(policy.key.cookies, NameSelection::All);
        assert!(policy.key.gzip && !policy.key.brotli && policy.key.query_strings.is_none());
        assert!(warnings.is_empty(), "{warnings:?}");
        // get-cache-policy-config output, with the documented defaults filled in.
        let (id, policy) = parse_cache_policy(
            Path::new("p.json"),
            r#"{"CachePolicyConfig": {"Name": "n", "MinTTL": 100000}}"#,
            &mut warnings,
        )
        .unwrap();
        assert_eq!(id, None);
        assert_eq!(policy.ttl, TtlSettings { min_s: 100_000, default_s: 100_000, max_s: 31_536_000 });
        let e = parse_cache_policy(Path::new("p.json"), r#"{"CachePolicyConfig": {"Name": "n"}}"#, &mut warnings)
            .unwrap_err()
            .to_string();
        assert!(e.contains("CachePolicyConfig.MinTTL") && e.contains("missing"), "{e}");
    }

    #[test]
    fn every_key_setting_is_read() {
        let text = r#"{ "CachePolicyConfig": { "Name": "keyed", "MinTTL": 1,
            "ParametersInCacheKeyAndForwardedToOrigin": { "EnableAcceptEncodingGzip": true, "EnableAcceptEncodingBrotli": true,
              "HeadersConfig": { "HeaderBehavior": "whitelist", "Headers": { "Quantity": 2, "Items": ["Accept-Language", "accept-encoding"] } },
              "CookiesConfig": { "CookieBehavior": "allExcept", "Cookies": { "Quantity": 1, "Items": ["tracking"] } },
              "QueryStringsConfig": { "QueryStringBehavior": "whitelist", "QueryStrings": { "Quantity": 1, "Items": ["size"] } } } } }"#;
        let mut warnings = Vec::new();
        let (_, policy) = parse_cache_policy(Path::new("p.json"), text, &mut warnings).unwrap();
        let key = policy.key;
        assert_eq!(key.query_strings, NameSelection::AllowList(vec!["size".into()]));
        assert_eq!(key.cookies, NameSelection::AllExcept(vec!["tracking".into()]));
        assert_eq!(key.headers, ["Accept-Language"], "Accept-Encoding is keyed normalised");
        assert!(warnings[0].message.contains("normalised"), "{warnings:?}");
        let bad = text.replace("allExcept", "some");
        let e = parse_cache_policy(Path::new("p.json"), &bad, &mut warnings).unwrap_err().to_string();
        assert!(e.contains("CookiesConfig.CookieBehavior") && e.contains("allExcept"), "{e}");
        let empty = text.replace(r#""Quantity": 1, "Items": ["size"]"#, r#""Quantity": 0"#);
        let e = parse_cache_policy(Path::new("p.json"), &empty, &mut warnings).unwrap_err().to_string();
        assert!(e.contains("whitelist names nothing"), "{e}");
    }

    #[test]
    fn origin_request_policy_files() {
        let text = r#"{ "OriginRequestPolicy": { "Id": "orp-1", "OriginRequestPolicyConfig": { "Name": "fwd",
            "HeadersConfig": { "HeaderBehavior": "allViewerAndWhitelistCloudFront",
              "Headers": { "Quantity": 1, "Items": ["CloudFront-Viewer-Country"] } },
            "CookiesConfig": { "CookieBehavior": "all" },
            "QueryStringsConfig": { "QueryStringBehavior": "none" } } } }"#;
        let mut warnings = Vec::new();
        let (id, policy) = parse_origin_request_policy(Path::new("o.json"), text, &mut warnings).unwrap();
        assert_eq!((id.as_deref(), policy.name.as_str()), (Some("orp-1"), "fwd"));
        let s = &policy.settings;
        assert_eq!(s.headers, HeaderSelection::AllViewerAndCloudFront(vec!["CloudFront-Viewer-Country".into()]));
        assert_eq!((&s.cookies, &s.query_strings), (&NameSelection::All, &NameSelection::None));
        assert!(warnings.is_empty(), "{warnings:?}");
        let bad = text.replace("allViewerAndWhitelistCloudFront", "everything");
        let e = parse_origin_request_policy(Path::new("o.json"), &bad, &mut warnings).unwrap_err().to_string();
        assert!(e.contains("HeadersConfig.HeaderBehavior") && e.contains("allViewer"), "{e}");
        let empty = text.replace(r#""Quantity": 1, "Items": ["CloudFront-Viewer-Country"]"#, r#""Quantity": 0"#);
        let e = parse_origin_request_policy(Path::new("o.json"), &empty, &mut warnings).unwrap_err().to_string();
        assert!(e.contains("allViewerAndWhitelistCloudFront names nothing"), "{e}");
    }
}
