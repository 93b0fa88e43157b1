//! `aws cloudfront get-distribution-config` (or `get-distribution`) JSON in,
//! the origins, origin groups and cache behaviors of a scenario out.
//!
//! [`import_distribution`] is a pure function of the JSON text and
//! [`ImportOptions`]: it reads CloudFront's shape (`Quantity`/`Items`
//! wrappers, `S3OriginConfig` or `CustomOriginConfig`, managed cache policy
//! IDs, legacy TTLs) into an [`ImportedDistribution`], and lists every field it
//! does not map as an [`ImportWarning`] naming the field's JSON path and what
//! the simulation loses. `emit` turns the result into scenario TOML (for
//! `cdnsim import distribution`) or into the table a scenario's
//! `[distribution] import = "file.json"` merges (`merge`). Errors name the
//! JSON file, the JSON path and the fix, as scenario errors do.

mod emit;
mod functions;
mod json;
pub(super) mod merge;
pub(super) mod model;
mod policies;

pub use emit::{Part, scenario_template, to_parts, to_table, to_toml_text};
pub use model::{
    ImportWarning, ImportedBehavior, ImportedDistribution, ImportedFunction, ImportedOrigin, ImportedOriginGroup,
    RegionSource,
};
pub use policies::{LEGACY_DEFAULT_TTLS, parse_cache_policy, parse_origin_request_policy};

use super::cache_key::{CacheKeySettings, CachePolicySpec, MAX_KEY_NAMES, NameSelection, managed_cache_policy};
use super::error::ScenarioError;
use super::origin_request::{OriginRequestPolicySpec, managed_origin_request_policy};
use super::vocabulary::{MethodSetField, OriginKind, check_method_sets};
use crate::geo;
use crate::http::{Method, MethodSet};
use json::{Fields, as_str, int_in, parse_json};
use model::Context;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

type Result<T> = std::result::Result<T, ScenarioError>;

/// What the JSON alone cannot say.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// Origin Id -> AWS Region, for origins whose domain name names none (or
    /// to overrule the name).
    pub regions: BTreeMap<String, String>,
    /// The Region of origins with no Region from either; `us-east-1` when unset.
    pub default_region: Option<String>,
    /// Cache policies that are not managed ones, by ID.
    pub cache_policies: BTreeMap<String, CachePolicySpec>,
    /// Origin request policies that are not managed ones, by ID.
    pub origin_request_policies: BTreeMap<String, OriginRequestPolicySpec>,
    /// Function name -> the settings (`latency`, `cold_start`,
    /// `keep_warm`) a scenario that imports the file gives it: their
    /// defaults are not warned about.
    pub function_settings: functions::Given,
}

/// Reads CloudFront's distribution JSON. `file` is used in messages only.
pub fn import_distribution(file: &Path, text: &str, options: &ImportOptions) -> Result<ImportedDistribution> {
    let root = parse_json(file, text)?;
    let ctx = Context::new(file);
    let mut warnings = Vec::new();
    let mut top = Fields::of(&ctx, &root, "")?;
    let (config, config_path, domain) = if let Some(distribution) = top.take("Distribution") {
        // get-distribution: { ETag, Distribution: { Id, DomainName, ..., DistributionConfig } }
        let mut d = Fields::of(&ctx, distribution, "Distribution")?;
        let domain = d.optional_str(&ctx, "DomainName")?.map(str::to_string);
        // The loader's rule for `distribution.domain`, so that the import
        // never writes a domain the scenario then refuses.
        if let Some(domain) = &domain
            && let Err((problem, fix)) = super::validate::names::check_domain(domain)
        {
            return Err(ctx.error("Distribution.DomainName", problem, fix));
        }
        let _ = d.take("Id");
        let config = d.required(&ctx, "DistributionConfig")?;
        d.finish(&ctx, &mut warnings);
        (config, "Distribution.DistributionConfig".to_string(), domain)
    } else if let Some(config) = top.take("DistributionConfig") {
        // get-distribution-config: { ETag, DistributionConfig }
        (config, "DistributionConfig".to_string(), None)
    } else if top.has("Origins") {
        // A bare DistributionConfig (the input of create-distribution).
        return import_config(&ctx, top, None, options, warnings);
    } else {
        return Err(ctx.error(
            "",
            "this is not CloudFront distribution JSON: it has no `DistributionConfig`, `Distribution` or `Origins`",
            "save the output of `aws cloudfront get-distribution-config --id ID` (or get-distribution)",
        ));
    };
    top.finish(&ctx, &mut warnings);
    let fields = Fields::of(&ctx, config, &config_path)?;
    import_config(&ctx, fields, domain, options, warnings)
}

fn import_config(
    ctx: &Context,
    mut config: Fields<'_>,
    domain: Option<String>,
    options: &ImportOptions,
    mut warnings: Vec<ImportWarning>,
) -> Result<ImportedDistribution> {
    let (origins_path, origin_items) = config.list(ctx, "Origins", &mut warnings)?;
    if origin_items.is_empty() {
        return Err(ctx.error(
            &config.child("Origins"),
            "the distribution has no origins",
            "CloudFront requires at least one origin in Origins.Items",
        ));
    }
    let mut origins = Vec::new();
    for (i, item) in origin_items.into_iter().enumerate() {
        let origin = import_origin(ctx, item, &format!("{origins_path}[{i}]"), options, &mut warnings)?;
        if origins.iter().any(|o: &ImportedOrigin| o.name == origin.name) {
            return Err(ctx.error(
                &format!("{origins_path}[{i}].Id"),
                format!("two origins have the Id {:?}", origin.name),
                "give each origin a unique Id",
            ));
        }
        origins.push(origin);
    }
    let (groups_path, group_items) = config.list(ctx, "OriginGroups", &mut warnings)?;
    let mut origin_groups = Vec::new();
    for (i, item) in group_items.into_iter().enumerate() {
        let group = import_group(ctx, item, &format!("{groups_path}[{i}]"), &origins, &mut warnings)?;
        if origins.iter().any(|o| o.name == group.name)
            || origin_groups.iter().any(|g: &ImportedOriginGroup| g.name == group.name)
        {
            return Err(ctx.error(
                &format!("{groups_path}[{i}].Id"),
                format!("{:?} already names an origin or origin group", group.name),
                "give each origin and origin group a unique Id",
            ));
        }
        origin_groups.push(group);
    }
    let targets = Targets { origins: &origins, groups: &origin_groups };
    let mut custom = CustomPolicies::default();
    let default_path = config.child("DefaultCacheBehavior");
    let default_json = config.required(ctx, "DefaultCacheBehavior")?;
    let mut registry = functions::Registry::default();
    let mut read = BehaviorReader {
        ctx,
        targets: &targets,
        options,
        custom: &mut custom,
        functions: &mut registry,
        warnings: &mut warnings,
    };
    let default_behavior = read.behavior(default_json, &default_path, false)?;
    let (behaviors_path, behavior_items) = config.list(ctx, "CacheBehaviors", read.warnings)?;
    let mut behaviors = Vec::new();
    for (i, item) in behavior_items.into_iter().enumerate() {
        behaviors.push(read.behavior(item, &format!("{behaviors_path}[{i}]"), true)?);
    }
    let custom_error_responses = import_error_responses(ctx, &mut config, &mut warnings)?;
    let price_class = import_price_class(ctx, &mut config)?;
    let geo_restriction = import_restrictions(ctx, &mut config, &mut warnings)?;
    if config.take("Enabled") == Some(&Value::Bool(false)) {
        warnings.push(ctx.warning(
            &config.child("Enabled"),
            "the distribution is disabled in CloudFront; cdnsim simulates it as enabled",
        ));
    }
    config.finish(ctx, &mut warnings);
    Ok(ImportedDistribution {
        source: ctx.file.clone(),
        domain,
        origins,
        origin_groups,
        functions: registry.functions,
        behaviors,
        default_behavior,
        cache_policies: custom.policies.into_iter().map(|(_, policy)| policy).collect(),
        origin_request_policies: custom.origin_request.into_iter().map(|(_, policy)| policy).collect(),
        custom_error_responses,
        price_class,
        geo_restriction,
        warnings,
    })
}

/// `PriceClass`: one of the API's three names (Developer Guide, "Choosing
/// the price class for a CloudFront distribution"); the default,
/// `PriceClass_All`, is left out of the scenario.
fn import_price_class(ctx: &Context, config: &mut Fields<'_>) -> Result<Option<String>> {
    let path = config.child("PriceClass");
    let Some(name) = config.optional_str(ctx, "PriceClass")? else { return Ok(None) };
    let class: cdnsim_cost::PriceClass = name
        .parse()
        .map_err(|e: cdnsim_cost::ParseRegionError| ctx.error(&path, e.to_string(), "use the API's name"))?;
    Ok((class != cdnsim_cost::PriceClass::All).then(|| class.as_str().to_string()))
}

/// `Restrictions.GeoRestriction`: `RestrictionType` `none`, `whitelist`
/// (the countries served) or `blacklist` (the countries refused), with
/// their `Items` (Developer Guide, "Restricting the geographic distribution
/// of your content"; API `GeoRestriction`). A country cdnsim has no
/// viewers in is left out with a warning: no simulated viewer is there.
fn import_restrictions(
    ctx: &Context,
    config: &mut Fields<'_>,
    warnings: &mut Vec<ImportWarning>,
) -> Result<Option<model::ImportedGeoRestriction>> {
    let Some(restrictions) = config.take("Restrictions") else { return Ok(None) };
    let mut r = Fields::of(ctx, restrictions, &config.child("Restrictions"))?;
    let geo_path = r.child("GeoRestriction");
    let Some(geo) = r.take("GeoRestriction") else {
        r.finish(ctx, warnings);
        return Ok(None);
    };
    r.finish(ctx, warnings);
    let mut g = Fields::of(ctx, geo, &geo_path)?;
    let type_path = g.child("RestrictionType");
    let restriction_type = g.required_str(ctx, "RestrictionType")?;
    let (items_path, items) = g.quantity_items(ctx)?;
    g.finish(ctx, warnings);
    let allow = match restriction_type {
        "none" => {
            if !items.is_empty() {
                warnings.push(ctx.warning(&items_path, "RestrictionType is none: the countries listed are ignored"));
            }
            return Ok(None);
        }
        "whitelist" => true,
        "blacklist" => false,
        other => {
            return Err(ctx.error(
                &type_path,
                format!("{other:?} is not a restriction type"),
                "use one of: none, whitelist, blacklist",
            ));
        }
    };
    if items.is_empty() {
        return Err(ctx.error(
            &items_path,
            format!("a {restriction_type} restriction lists no country"),
            "list the countries (ISO 3166-1 alpha-2 codes), as CloudFront requires",
        ));
    }
    let mut countries: Vec<String> = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let path = format!("{items_path}[{i}]");
        let code = json::as_str(ctx, item, &path)?;
        match crate::places::find_country(code) {
            Some(c) if countries.iter().any(|x| x == c.code) => {
                warnings.push(ctx.warning(&path, format!("{code} is listed twice; once is enough")));
            }
            Some(c) => countries.push(c.code.to_string()),
            None => warnings.push(ctx.warning(
                &path,
                format!("cdnsim has no viewers in {code:?}: it is left out of the restriction (it changes nothing)"),
            )),
        }
    }
    if countries.is_empty() {
        if allow {
            return Err(ctx.error(
                &items_path,
                "the whitelist names no country cdnsim has viewers in, so every simulated viewer would be refused",
                format!("allow at least one of: {}", crate::places::country_codes()),
            ));
        }
        return Ok(None);
    }
    Ok(Some(model::ImportedGeoRestriction { allow, countries }))
}

/// `CustomErrorResponses`: each entry's code, error-caching minimum TTL,
/// page and response code (API `CustomErrorResponse`; `ResponseCode` is a
/// string there), checked against what CloudFront accepts. A page's size is
/// not in CloudFront's configuration: a warning says what cdnsim assumes.
fn import_error_responses(
    ctx: &Context,
    config: &mut Fields,
    warnings: &mut Vec<ImportWarning>,
) -> Result<Vec<model::ImportedErrorResponse>> {
    let (items_path, items) = config.list(ctx, "CustomErrorResponses", warnings)?;
    let mut entries: Vec<model::ImportedErrorResponse> = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let path = format!("{items_path}[{i}]");
        let mut e = Fields::of(ctx, item, &path)?;
        let code_path = e.child("ErrorCode");
        let error_code = int_in(ctx, e.required(ctx, "ErrorCode")?, &code_path, 100, 599)? as u16;
        let codes = || super::vocabulary::CUSTOM_ERROR_CODES.map(|c| c.to_string()).join(", ");
        if !super::vocabulary::CUSTOM_ERROR_CODES.contains(&error_code) {
            return Err(ctx.error(
                &code_path,
                format!("CloudFront has no custom error response for status {error_code}"),
                format!("use one of {}", codes()),
            ));
        }
        if entries.iter().any(|x| x.error_code == error_code) {
            return Err(ctx.error(
                &code_path,
                format!("two custom error responses name status {error_code}"),
                "give each status code one entry, as CloudFront requires",
            ));
        }
        let error_caching_min_ttl_s = e.optional_int(ctx, "ErrorCachingMinTTL", 0, u32::MAX as u64)?;
        let page_path = e.child("ResponsePagePath");
        let response_page_path = e.optional_str(ctx, "ResponsePagePath")?.filter(|p| !p.is_empty());
        if let Some(page) = response_page_path {
            super::validate::names::check_page_path(page)
                .map_err(|(problem, fix)| ctx.error(&page_path, problem, fix))?;
        }
        let response_path = e.child("ResponseCode");
        let response_code = match e.optional_str(ctx, "ResponseCode")?.filter(|c| !c.is_empty()) {
            None => None,
            Some(text) => {
                let allowed = super::vocabulary::CUSTOM_RESPONSE_CODES;
                let code = text.parse::<u16>().ok().filter(|c| allowed.contains(c)).ok_or_else(|| {
                    ctx.error(
                        &response_path,
                        format!("{text:?} is not a status CloudFront answers a custom error page with"),
                        format!("use one of {}, as a string", allowed.map(|c| c.to_string()).join(", ")),
                    )
                })?;
                Some(code)
            }
        };
        if response_code.is_some() && response_page_path.is_none() {
            return Err(ctx.error(
                &response_path,
                "a ResponseCode goes with a custom error page, and this entry has no ResponsePagePath",
                "add the page's ResponsePagePath, or remove ResponseCode",
            ));
        }
        e.finish(ctx, warnings);
        if response_page_path.is_some() {
            warnings.push(ctx.warning(
                &page_path,
                "the page's size is not in CloudFront's configuration: cdnsim takes 1 KiB (response_page_bytes), \
                 or the size of the traffic class object whose path it is",
            ));
        }
        if error_code == 416 && error_caching_min_ttl_s.is_some() {
            warnings.push(ctx.warning(
                &format!("{path}.ErrorCachingMinTTL"),
                "CloudFront never caches a 416, so its ErrorCachingMinTTL changes nothing",
            ));
        }
        entries.push(model::ImportedErrorResponse {
            error_code,
            error_caching_min_ttl_s,
            response_page_path: response_page_path.map(str::to_string),
            response_code,
        });
    }
    Ok(entries)
}

fn import_origin(
    ctx: &Context,
    json: &Value,
    path: &str,
    options: &ImportOptions,
    warnings: &mut Vec<ImportWarning>,
) -> Result<ImportedOrigin> {
    let mut o = Fields::of(ctx, json, path)?;
    let name = o.required_str(ctx, "Id")?.to_string();
    if name.is_empty() {
        return Err(ctx.error(&o.child("Id"), "the origin Id is empty", "give the origin an Id"));
    }
    let domain_name = o.required_str(ctx, "DomainName")?.to_string();
    // Ranges from the API reference's Origin type (and the quotas page for
    // the read timeout, which AWS raises to 120 s on request).
    let connection_attempts = o.optional_int(ctx, "ConnectionAttempts", 1, 3)?;
    let connection_timeout_s = o.optional_int(ctx, "ConnectionTimeout", 1, 10)?;
    let OriginConfig { kind, response_timeout_s, keepalive_timeout_s, protocol_policy } =
        origin_config(ctx, &mut o, path, warnings)?;
    let custom_headers = custom_headers(ctx, &mut o, warnings)?;
    let origin_shield = origin_shield(ctx, &mut o, warnings)?;
    o.finish(ctx, warnings);
    let (region, region_source) = origin_region(ctx, path, &name, &domain_name, options, warnings);
    if kind == OriginKind::S3 && region_source == RegionSource::DomainName && is_legacy_global_s3(&domain_name) {
        warnings.push(ctx.warning(
            &format!("{path}.DomainName"),
            "the legacy global S3 endpoint names no Region; the bucket is assumed to be in us-east-1",
        ));
    }
    Ok(ImportedOrigin {
        name,
        domain_name,
        kind,
        region,
        region_source,
        origin_shield,
        connection_attempts,
        connection_timeout_s,
        response_timeout_s,
        keepalive_timeout_s,
        protocol_policy,
        custom_headers,
    })
}

/// What an origin's one `*OriginConfig` says.
struct OriginConfig {
    kind: OriginKind,
    /// `OriginReadTimeout`.
    response_timeout_s: Option<u64>,
    /// `OriginKeepaliveTimeout` (custom and VPC origins), when not the default 5 s.
    keepalive_timeout_s: Option<u64>,
    /// A custom origin's `OriginProtocolPolicy`.
    protocol_policy: Option<String>,
}

/// `OriginKeepaliveTimeout`, which maps to the origin's `keepalive_timeout`;
/// the default 5 s is left out, as the scenario's default is the same. The
/// range is the live 1-120 s (reference §4.2: the June 2023 Developer Guide
/// said 1-60).
fn keepalive(ctx: &Context, config: &mut Fields<'_>) -> Result<Option<u64>> {
    Ok(config.optional_int(ctx, "OriginKeepaliveTimeout", 1, 120)?.filter(|&s| s != 5))
}

/// Reads whichever of `S3OriginConfig`, `CustomOriginConfig` and
/// `VpcOriginConfig` the origin has; a VPC origin is simulated as custom.
fn origin_config(
    ctx: &Context,
    o: &mut Fields<'_>,
    path: &str,
    warnings: &mut Vec<ImportWarning>,
) -> Result<OriginConfig> {
    if let Some(s3) = o.take("S3OriginConfig") {
        let mut s3 = Fields::of(ctx, s3, &o.child("S3OriginConfig"))?;
        let response_timeout_s = s3.optional_int(ctx, "OriginReadTimeout", 1, 120)?;
        s3.finish(ctx, warnings);
        Ok(OriginConfig { kind: OriginKind::S3, response_timeout_s, keepalive_timeout_s: None, protocol_policy: None })
    } else if let Some(custom) = o.take("CustomOriginConfig") {
        let mut c = Fields::of(ctx, custom, &o.child("CustomOriginConfig"))?;
        let response_timeout_s = c.optional_int(ctx, "OriginReadTimeout", 1, 120)?;
        let keepalive_timeout_s = keepalive(ctx, &mut c)?;
        let policy_path = c.child("OriginProtocolPolicy");
        let policy = c.required_str(ctx, "OriginProtocolPolicy")?;
        one_of(ctx, &policy_path, policy, &["http-only", "https-only", "match-viewer"])?;
        let protocol_policy = Some(policy.to_string());
        c.finish(ctx, warnings);
        Ok(OriginConfig { kind: OriginKind::Custom, response_timeout_s, keepalive_timeout_s, protocol_policy })
    } else if let Some(vpc) = o.take("VpcOriginConfig") {
        let mut v = Fields::of(ctx, vpc, &o.child("VpcOriginConfig"))?;
        let response_timeout_s = v.optional_int(ctx, "OriginReadTimeout", 1, 120)?;
        let keepalive_timeout_s = keepalive(ctx, &mut v)?;
        let _ = v.take("VpcOriginId");
        warnings.push(ctx.warning(&o.child("VpcOriginConfig"), "a VPC origin is simulated as a custom origin"));
        v.finish(ctx, warnings);
        Ok(OriginConfig { kind: OriginKind::Custom, response_timeout_s, keepalive_timeout_s, protocol_policy: None })
    } else {
        Err(ctx.error(
            path,
            "the origin has none of S3OriginConfig, CustomOriginConfig and VpcOriginConfig",
            "add the one CloudFront's API returned for this origin",
        ))
    }
}

/// `CustomHeaders`: the (name, value) pairs CloudFront adds to origin requests.
fn custom_headers(
    ctx: &Context,
    o: &mut Fields<'_>,
    warnings: &mut Vec<ImportWarning>,
) -> Result<Vec<(String, String)>> {
    let (items_path, header_items) = o.list(ctx, "CustomHeaders", warnings)?;
    let mut custom_headers = Vec::new();
    for (k, item) in header_items.into_iter().enumerate() {
        let mut h = Fields::of(ctx, item, &format!("{items_path}[{k}]"))?;
        let name = h.required_str(ctx, "HeaderName")?.to_string();
        let value = h.required_str(ctx, "HeaderValue")?.to_string();
        h.finish(ctx, warnings);
        custom_headers.push((name, value));
    }
    // The loader's rules for an origin's custom headers, so that the import
    // never writes headers the scenario then refuses.
    super::validate::headers::check_custom_headers(custom_headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .map_err(|e| {
            ctx.error(
                &items_path,
                e,
                "fix the header as CloudFront requires (scenarios/README.md, origin custom headers)",
            )
        })?;
    Ok(custom_headers)
}

/// The Origin Shield Region when Origin Shield is enabled in one cdnsim
/// knows; a Region it does not know is a warning, and no Origin Shield.
fn origin_shield(ctx: &Context, o: &mut Fields<'_>, warnings: &mut Vec<ImportWarning>) -> Result<Option<String>> {
    let Some(shield) = o.take("OriginShield") else { return Ok(None) };
    let mut origin_shield = None;
    let mut s = Fields::of(ctx, shield, &o.child("OriginShield"))?;
    let enabled = s.optional_bool(ctx, "Enabled")?.unwrap_or(false);
    let region_path = s.child("OriginShieldRegion");
    let region = s.optional_str(ctx, "OriginShieldRegion")?;
    if enabled {
        let region = region.ok_or_else(|| {
            ctx.error(
                &region_path,
                "Origin Shield is enabled but has no Region",
                "add OriginShieldRegion, e.g. \"us-east-1\"",
            )
        })?;
        if geo::REGIONAL_EDGE_CACHE_REGIONS.contains(&region) {
            origin_shield = Some(region.to_string());
        } else {
            warnings.push(ctx.warning(
                &region_path,
                format!(
                    "{region} is not one of the Origin Shield Regions cdnsim knows ({}); the origin is simulated \
                     without Origin Shield",
                    geo::REGIONAL_EDGE_CACHE_REGIONS.join(", ")
                ),
            ));
        }
    }
    s.finish(ctx, warnings);
    Ok(origin_shield)
}

/// The origin's Region: given in the options, else read from its domain
/// name, else the default Region (with a warning saying how to give it).
fn origin_region(
    ctx: &Context,
    path: &str,
    name: &str,
    domain_name: &str,
    options: &ImportOptions,
    warnings: &mut Vec<ImportWarning>,
) -> (String, RegionSource) {
    if let Some(region) = options.regions.get(name) {
        return (region.clone(), RegionSource::Option);
    }
    match region_from_domain(domain_name) {
        Some(region) if geo::find_region(region).is_some() => (region.to_string(), RegionSource::DomainName),
        found => {
            let default = options.default_region.clone().unwrap_or_else(|| "us-east-1".to_string());
            let why = match found {
                Some(r) => format!("the domain name's Region {r} is not one cdnsim knows"),
                None => format!("no AWS Region can be read from the domain name {domain_name:?}"),
            };
            warnings.push(ctx.warning(
                &format!("{path}.DomainName"),
                format!(
                    "{why}; the origin is placed in {default} (give its Region with `--region {name}=REGION`, \
                     or in a scenario that imports this file with [[origins]] name = {name:?} and region)"
                ),
            ));
            (default, RegionSource::Default)
        }
    }
}

/// The AWS Region an origin's domain name names: S3 REST and website
/// endpoints (`b.s3.us-west-2.amazonaws.com`, `b.s3-us-west-2.amazonaws.com`,
/// `b.s3-website-us-west-2.amazonaws.com`, `b.s3.dualstack.eu-west-1...`),
/// load balancers, API Gateway, Lambda URLs, MediaPackage (any label that is a
/// Region name), EC2 in us-east-1 (`compute-1`), and the legacy global S3
/// endpoint `b.s3.amazonaws.com`, which is us-east-1.
pub fn region_from_domain(domain: &str) -> Option<&str> {
    let domain = domain.trim_end_matches('.');
    if is_legacy_global_s3(domain) {
        return Some("us-east-1");
    }
    // From the right: the Region label sits near the end, while names the
    // owner chose (buckets, load balancers) come first and may look like one.
    for label in domain.rsplit('.') {
        let candidate = ["s3-website-", "s3-"].iter().find_map(|p| label.strip_prefix(p)).unwrap_or(label);
        if looks_like_region(candidate) {
            return Some(candidate);
        }
        if label == "compute-1" {
            return Some("us-east-1");
        }
    }
    None
}

fn is_legacy_global_s3(domain: &str) -> bool {
    domain.ends_with(".s3.amazonaws.com") || domain.ends_with(".s3-external-1.amazonaws.com")
}

/// `xx-name-N`, the shape of every AWS Region name (API reference, OriginShield).
fn looks_like_region(label: &str) -> bool {
    let parts: Vec<&str> = label.split('-').collect();
    parts.len() == 3
        && ["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx", "cn"].contains(&parts[0])
        && !parts[1].is_empty()
        && parts[1].bytes().all(|b| b.is_ascii_lowercase())
        && !parts[2].is_empty()
        && parts[2].bytes().all(|b| b.is_ascii_digit())
}

fn import_group(
    ctx: &Context,
    json: &Value,
    path: &str,
    origins: &[ImportedOrigin],
    warnings: &mut Vec<ImportWarning>,
) -> Result<ImportedOriginGroup> {
    let mut g = Fields::of(ctx, json, path)?;
    let name = g.required_str(ctx, "Id")?.to_string();
    let criteria_path = g.child("FailoverCriteria");
    let criteria = g.required(ctx, "FailoverCriteria")?;
    let mut criteria = Fields::of(ctx, criteria, &criteria_path)?;
    let (codes_path, code_items) = criteria.list(ctx, "StatusCodes", warnings)?;
    criteria.finish(ctx, warnings);
    let allowed = super::vocabulary::FAILOVER_STATUS_CODES;
    let mut failover_status_codes = Vec::new();
    for (k, code) in code_items.into_iter().enumerate() {
        let code_path = format!("{codes_path}[{k}]");
        let code = int_in(ctx, code, &code_path, 100, 599)? as u16;
        if !allowed.contains(&code) {
            return Err(ctx.error(
                &code_path,
                format!("CloudFront cannot fail over on status {code}"),
                format!("use any of {}", allowed.map(|c| c.to_string()).join(", ")),
            ));
        }
        failover_status_codes.push(code);
    }
    if failover_status_codes.is_empty() {
        return Err(ctx.error(
            &codes_path,
            "the origin group fails over on no status code; CloudFront requires at least one",
            format!("list one or more of {}", allowed.map(|c| c.to_string()).join(", ")),
        ));
    }
    let members_path = g.child("Members");
    let (items_path, member_items) = g.list(ctx, "Members", warnings)?;
    if member_items.len() != 2 {
        return Err(ctx.error(
            &members_path,
            format!(
                "an origin group has exactly two members, a primary and a secondary; this one has {}",
                member_items.len()
            ),
            "list two origins in Members.Items",
        ));
    }
    let mut members = Vec::new();
    for (k, item) in member_items.into_iter().enumerate() {
        let mut m = Fields::of(ctx, item, &format!("{items_path}[{k}]"))?;
        let id_path = m.child("OriginId");
        let id = m.required_str(ctx, "OriginId")?;
        if !origins.iter().any(|o| o.name == id) {
            return Err(ctx.error(
                &id_path,
                format!("no origin has the Id {id:?}"),
                format!("use one of: {}", origins.iter().map(|o| o.name.as_str()).collect::<Vec<_>>().join(", ")),
            ));
        }
        m.finish(ctx, warnings);
        members.push(id.to_string());
    }
    g.finish(ctx, warnings);
    let [primary, secondary]: [String; 2] = members.try_into().expect("checked: two members");
    Ok(ImportedOriginGroup { name, members: [primary, secondary], failover_status_codes })
}

struct Targets<'a> {
    origins: &'a [ImportedOrigin],
    groups: &'a [ImportedOriginGroup],
}

/// What reading a behavior needs besides its JSON.
struct BehaviorReader<'r, 't> {
    ctx: &'r Context,
    targets: &'r Targets<'t>,
    options: &'r ImportOptions,
    custom: &'r mut CustomPolicies,
    /// The edge functions declared so far.
    functions: &'r mut functions::Registry,
    warnings: &'r mut Vec<ImportWarning>,
}

impl BehaviorReader<'_, '_> {
    fn behavior(&mut self, json: &Value, path: &str, has_pattern: bool) -> Result<ImportedBehavior> {
        let (ctx, warnings) = (self.ctx, &mut *self.warnings);
        let mut b = Fields::of(ctx, json, path)?;
        let path_pattern = if has_pattern {
            let pattern_path = b.child("PathPattern");
            let pattern = b.required_str(ctx, "PathPattern")?;
            super::path_pattern::check_pattern(pattern)
                .map_err(|e| ctx.error(&pattern_path, e, "correct the pattern"))?;
            Some(pattern.to_string())
        } else {
            None
        };
        let origin = behavior_target(ctx, &mut b, self.targets)?;
        let viewer_path = b.child("ViewerProtocolPolicy");
        let viewer_protocol_policy = b.optional_str(ctx, "ViewerProtocolPolicy")?.map(str::to_string);
        if let Some(policy) = &viewer_protocol_policy {
            one_of(ctx, &viewer_path, policy, &["allow-all", "redirect-to-https", "https-only"])?;
        }
        let (allowed_methods, cached_methods) = behavior_methods(ctx, &mut b, warnings)?;
        let trusted_key_groups = enabled_items(ctx, &mut b, "TrustedKeyGroups", warnings)?;
        if !trusted_key_groups.is_empty() {
            warnings.push(ctx.warning(
                &b.child("TrustedKeyGroups"),
                format!(
                    "key groups are named by their IDs ({}); a scenario must define them under \
                     [[signing.key_groups]] with those names and list their public keys",
                    trusted_key_groups.join(", ")
                ),
            ));
        }
        let trusted_signers = trusted_signers(ctx, &mut b, warnings)?;
        let compress_path = b.child("Compress");
        let compress = b.optional_bool(ctx, "Compress")?.unwrap_or(false);
        if compress {
            warnings.push(ctx.warning(
                &compress_path,
                "compression is simulated by content type: give the scenario's [[traffic.classes]] a content_type \
                 (e.g. \"text/html\"; a class without one is application/octet-stream, never compressed), and \
                 gzip_ratio and brotli_ratio if the defaults do not fit",
            ));
        }
        let cache = behavior_cache(ctx, &mut b, self.options, warnings)?;
        let origin_request_policy = self.origin_request_policy(&mut b, cache.policy.is_some());
        let warnings = &mut *self.warnings;
        let functions =
            functions::behavior_functions(ctx, &mut b, self.functions, &self.options.function_settings, warnings)?;
        b.finish(ctx, warnings);
        let cache_policy = match cache.policy {
            None => None,
            Some(PolicyRef::Managed(name)) => Some(name.to_string()),
            Some(PolicyRef::Custom(id, spec)) => Some(self.custom.name_for(&id, spec)),
        };
        let [min_ttl, default_ttl, max_ttl] = cache.ttl_s;
        Ok(ImportedBehavior {
            path_pattern,
            origin,
            allowed_methods,
            cached_methods,
            min_ttl,
            default_ttl,
            max_ttl,
            ttl_source: cache.source,
            cache_policy,
            cache_key: cache.key,
            origin_request_policy,
            trusted_key_groups,
            trusted_signers,
            viewer_protocol_policy,
            functions,
            compress,
        })
    }
}

impl BehaviorReader<'_, '_> {
    /// `OriginRequestPolicyId`: a managed policy's name, or a custom one
    /// given in the options; `None` (with a warning) for one unknown, or
    /// beside the legacy fields, which CloudFront refuses.
    fn origin_request_policy(&mut self, b: &mut Fields<'_>, has_cache_policy: bool) -> Option<String> {
        let (ctx, warnings) = (self.ctx, &mut *self.warnings);
        let path = b.child("OriginRequestPolicyId");
        let id = b.take("OriginRequestPolicyId").and_then(Value::as_str).filter(|id| !id.is_empty())?;
        if !has_cache_policy {
            warnings.push(ctx.warning(
                &path,
                "ignored: CloudFront attaches an origin request policy only beside a cache policy, and this \
                 behavior has the legacy ForwardedValues",
            ));
            return None;
        }
        if let Some(managed) = managed_origin_request_policy(id).filter(|p| p.id == id) {
            return Some(managed.name.to_string());
        }
        if let Some(custom) = self.options.origin_request_policies.get(id) {
            return Some(self.custom.origin_request_name_for(id, custom.clone()));
        }
        warnings.push(ctx.warning(
            &path,
            format!(
                "{id} is not a managed origin request policy and its settings are not in this file; the behavior \
                 forwards only what its cache key holds (give the policy with `--origin-request-policy {id}=FILE`, \
                 the output of `aws cloudfront get-origin-request-policy --id {id}`)"
            ),
        ));
        None
    }
}

/// The custom cache and origin request policies met so far, by ID, each
/// named uniquely for the scenario.
#[derive(Default)]
struct CustomPolicies {
    policies: Vec<(String, CachePolicySpec)>,
    origin_request: Vec<(String, OriginRequestPolicySpec)>,
}

impl CustomPolicies {
    /// The scenario name of the custom policy `id`: its own `Name`, unless
    /// another policy (or a managed one) has it, then with `-2`, `-3`, ...
    fn name_for(&mut self, id: &str, spec: CachePolicySpec) -> String {
        if let Some((_, known)) = self.policies.iter().find(|(known, _)| known == id) {
            return known.name.clone();
        }
        let taken =
            |name: &str| managed_cache_policy(name).is_some() || self.policies.iter().any(|(_, p)| p.name == name);
        let mut name = spec.name.clone();
        let mut n = 2;
        while taken(&name) {
            name = format!("{}-{n}", spec.name);
            n += 1;
        }
        self.policies.push((id.to_string(), CachePolicySpec { name: name.clone(), ..spec }));
        name
    }

    /// `name_for` for the custom origin request policy `id`.
    fn origin_request_name_for(&mut self, id: &str, spec: OriginRequestPolicySpec) -> String {
        if let Some((_, known)) = self.origin_request.iter().find(|(known, _)| known == id) {
            return known.name.clone();
        }
        let taken = |name: &str| {
            managed_origin_request_policy(name).is_some() || self.origin_request.iter().any(|(_, p)| p.name == name)
        };
        let mut name = spec.name.clone();
        let mut n = 2;
        while taken(&name) {
            name = format!("{}-{n}", spec.name);
            n += 1;
        }
        self.origin_request.push((id.to_string(), OriginRequestPolicySpec { name: name.clone(), ..spec }));
        name
    }
}

/// `TargetOriginId`, which must name an origin or an origin group.
fn behavior_target(ctx: &Context, b: &mut Fields<'_>, targets: &Targets) -> Result<String> {
    let target_path = b.child("TargetOriginId");
    let origin = b.required_str(ctx, "TargetOriginId")?.to_string();
    if !targets.origins.iter().any(|o| o.name == origin) && !targets.groups.iter().any(|g| g.name == origin) {
        let known: Vec<&str> = targets
            .origins
            .iter()
            .map(|o| o.name.as_str())
            .chain(targets.groups.iter().map(|g| g.name.as_str()))
            .collect();
        return Err(ctx.error(
            &target_path,
            format!("no origin or origin group has the Id {origin:?}"),
            format!("use one of: {}", known.join(", ")),
        ));
    }
    Ok(origin)
}

/// `AllowedMethods` and, inside it, `CachedMethods`; GET and HEAD when absent.
fn behavior_methods(
    ctx: &Context,
    b: &mut Fields<'_>,
    warnings: &mut Vec<ImportWarning>,
) -> Result<(Vec<Method>, Vec<Method>)> {
    let Some(allowed) = b.take("AllowedMethods") else {
        return Ok((vec![Method::Get, Method::Head], vec![Method::Get, Method::Head]));
    };
    let allowed_path = b.child("AllowedMethods");
    let mut a = Fields::of(ctx, allowed, &allowed_path)?;
    let (items_path, items) = a.quantity_items(ctx)?;
    let allowed = methods(ctx, &items_path, &items)?;
    let cached_path = a.child("CachedMethods");
    let cached = match a.take("CachedMethods") {
        None => vec![Method::Get, Method::Head],
        Some(cached) => {
            let mut c = Fields::of(ctx, cached, &cached_path)?;
            let (items_path, items) = c.quantity_items(ctx)?;
            c.finish(ctx, warnings);
            methods(ctx, &items_path, &items)?
        }
    };
    a.finish(ctx, warnings);
    // The sets CloudFront offers, as the scenario loader checks them: an
    // import never writes a behavior the loader refuses.
    let sets = (MethodSet::from_methods(allowed.iter().copied()), MethodSet::from_methods(cached.iter().copied()));
    if let Err((which, problem, fix)) = check_method_sets(sets.0, sets.1) {
        let path = match which {
            MethodSetField::Allowed => &allowed_path,
            MethodSetField::Cached => &cached_path,
        };
        return Err(ctx.error(path, problem, fix));
    }
    Ok((allowed, cached))
}

/// Whether the behavior trusts legacy CloudFront key pairs (`TrustedSigners`
/// enabled with any account), with a warning on what a scenario must add.
fn trusted_signers(ctx: &Context, b: &mut Fields<'_>, warnings: &mut Vec<ImportWarning>) -> Result<bool> {
    let signers_path = b.child("TrustedSigners");
    let signers = enabled_items(ctx, b, "TrustedSigners", warnings)?;
    let trusted_signers = !signers.is_empty();
    if trusted_signers {
        let others: Vec<&String> = signers.iter().filter(|s| *s != "self").collect();
        let mut message = "the behavior trusts legacy CloudFront key pairs; a scenario must list them under \
                           [[signing.legacy_key_pairs]]"
            .to_string();
        if !others.is_empty() {
            message.push_str(&format!(
                "; other accounts' key pairs ({}) are simulated as the distribution's own",
                others.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            ));
        }
        warnings.push(ctx.warning(&signers_path, message));
    }
    Ok(trusted_signers)
}

/// A behavior's TTL fields: its cache policy, or the legacy fields.
struct TtlFields<'j> {
    policy_path: String,
    policy_id: Option<&'j str>,
    /// `MinTTL`, `DefaultTTL`, `MaxTTL`: the values and their paths.
    legacy: [Option<u64>; 3],
    legacy_paths: [String; 3],
    forwarded_path: String,
    forwarded: Option<&'j Value>,
}

impl<'j> TtlFields<'j> {
    fn take(ctx: &Context, b: &mut Fields<'j>) -> Result<TtlFields<'j>> {
        let policy_path = b.child("CachePolicyId");
        let policy_id = b.optional_str(ctx, "CachePolicyId")?.filter(|id| !id.is_empty());
        let legacy_paths = [b.child("MinTTL"), b.child("DefaultTTL"), b.child("MaxTTL")];
        let max = u32::MAX as u64;
        let legacy = [
            b.optional_int(ctx, "MinTTL", 0, max)?,
            b.optional_int(ctx, "DefaultTTL", 0, max)?,
            b.optional_int(ctx, "MaxTTL", 0, max)?,
        ];
        let forwarded_path = b.child("ForwardedValues");
        let forwarded = b.take("ForwardedValues");
        Ok(TtlFields { policy_path, policy_id, legacy, legacy_paths, forwarded_path, forwarded })
    }
}

/// The cache policy a behavior names in the scenario.
enum PolicyRef {
    Managed(&'static str),
    /// A custom policy given in the options: its ID and settings.
    Custom(String, CachePolicySpec),
}

/// A behavior's TTLs and key, and where they came from.
struct BehaviorCache {
    /// Min, Default, Max TTL in seconds.
    ttl_s: [u64; 3],
    /// Where the TTLs came from, for the comment above the behavior.
    source: String,
    /// `None`: the legacy fields (TTLs and `forwarded_values`).
    policy: Option<PolicyRef>,
    key: CacheKeySettings,
}

/// The TTLs and key of a behavior: from its cache policy (managed, or given
/// in the options), else from the legacy `MinTTL`/`DefaultTTL`/`MaxTTL`
/// fields and `ForwardedValues`, else CloudFront's legacy defaults.
fn behavior_cache(
    ctx: &Context,
    b: &mut Fields<'_>,
    options: &ImportOptions,
    warnings: &mut Vec<ImportWarning>,
) -> Result<BehaviorCache> {
    let fields = TtlFields::take(ctx, b)?;
    match fields.policy_id {
        Some(id) => Ok(cache_policy(ctx, &fields, id, options, warnings)),
        None => legacy_cache(ctx, &fields, warnings),
    }
}

/// The behavior's cache policy `id`; the legacy fields beside it are ignored.
fn cache_policy(
    ctx: &Context,
    fields: &TtlFields<'_>,
    id: &str,
    options: &ImportOptions,
    warnings: &mut Vec<ImportWarning>,
) -> BehaviorCache {
    // CloudFront refuses a cache policy together with the legacy fields; a
    // config that has both is read as CloudFront reads the policy.
    for (value, path) in fields.legacy.iter().zip(&fields.legacy_paths) {
        if value.is_some_and(|v| !LEGACY_DEFAULT_TTLS.contains(&v)) {
            warnings.push(ctx.warning(path, "ignored: the behavior's cache policy sets its TTLs"));
        }
    }
    if fields.forwarded.is_some_and(|f| !json::is_inert("ForwardedValues", f)) {
        warnings.push(ctx.warning(&fields.forwarded_path, "ignored: the behavior's cache policy sets its cache key"));
    }
    let ttl_s = |t: super::vocabulary::TtlSettings| [t.min_s, t.default_s, t.max_s];
    if let Some(managed) = managed_cache_policy(id).filter(|p| p.id == id) {
        return BehaviorCache {
            ttl_s: managed.ttl_s,
            source: format!("{} (managed)", managed.name),
            policy: Some(PolicyRef::Managed(managed.name)),
            key: managed.key(),
        };
    }
    if let Some(custom) = options.cache_policies.get(id) {
        return BehaviorCache {
            ttl_s: ttl_s(custom.ttl),
            source: custom.name.clone(),
            policy: Some(PolicyRef::Custom(id.to_string(), custom.clone())),
            key: custom.key.clone(),
        };
    }
    warnings.push(ctx.warning(
        &fields.policy_path,
        format!(
            "{id} is not a managed cache policy and its settings are not in this file; the behavior gets \
             CloudFront's default TTLs (0, 86400, 31536000 s) and a key of the path alone (give the policy with \
             `--cache-policy {id}=FILE`, the output of `aws cloudfront get-cache-policy --id {id}`)"
        ),
    ));
    BehaviorCache {
        ttl_s: LEGACY_DEFAULT_TTLS,
        source: format!("unknown cache policy {id}"),
        policy: None,
        key: CacheKeySettings::default(),
    }
}

/// A behavior without a cache policy: its legacy fields, each defaulting as
/// in CloudFront, and its `ForwardedValues` as the key.
fn legacy_cache(ctx: &Context, fields: &TtlFields<'_>, warnings: &mut Vec<ImportWarning>) -> Result<BehaviorCache> {
    let legacy = fields.legacy;
    let source = if fields.forwarded.is_none() && legacy.iter().all(Option::is_none) {
        "CloudFront's defaults"
    } else {
        "legacy TTL fields"
    };
    let key = match fields.forwarded {
        Some(forwarded) => forwarded_values(ctx, forwarded, &fields.forwarded_path, warnings)?,
        None => CacheKeySettings::default(),
    };
    // Missing legacy fields default as in CloudFront (DG "Values that you
    // specify"): Default follows a Min above a day, Max follows a Default above a year.
    let min_ttl = legacy[0].unwrap_or(0);
    let default_ttl = legacy[1].unwrap_or(min_ttl.max(LEGACY_DEFAULT_TTLS[1]));
    let max_ttl = legacy[2].unwrap_or(default_ttl.max(LEGACY_DEFAULT_TTLS[2]));
    if key.all_headers && min_ttl > 0 {
        return Err(ctx.error(
            &fields.legacy_paths[0],
            format!("MinTTL is {min_ttl} but ForwardedValues forwards every header"),
            "CloudFront requires MinTTL 0 when every header is forwarded (it then caches nothing)",
        ));
    }
    if !(min_ttl <= default_ttl && default_ttl <= max_ttl) {
        return Err(ctx.error(
            &fields.legacy_paths[0],
            format!("the TTLs are not in order: MinTTL {min_ttl}, DefaultTTL {default_ttl}, MaxTTL {max_ttl}"),
            "CloudFront requires MinTTL <= DefaultTTL <= MaxTTL",
        ));
    }
    Ok(BehaviorCache { ttl_s: [min_ttl, default_ttl, max_ttl], source: source.into(), policy: None, key })
}

/// Legacy `ForwardedValues`: `QueryString` with its `QueryStringCacheKeys`,
/// `Headers` (names, or `*` for every header), `Cookies` (`Forward` none,
/// all or whitelist, with `WhitelistedNames`, which may hold wildcards).
fn forwarded_values(
    ctx: &Context,
    value: &Value,
    path: &str,
    warnings: &mut Vec<ImportWarning>,
) -> Result<CacheKeySettings> {
    let mut f = Fields::of(ctx, value, path)?;
    let strings = |items: Vec<&Value>, at: &str| -> Result<Vec<String>> {
        let names: Vec<String> = items
            .iter()
            .enumerate()
            .map(|(k, v)| as_str(ctx, v, &format!("{at}[{k}]")).map(str::to_string))
            .collect::<Result<_>>()?;
        if names.len() > MAX_KEY_NAMES {
            return Err(ctx.error(
                at,
                format!("{} names; cdnsim allows CloudFront's default quota of {MAX_KEY_NAMES}", names.len()),
                format!("keep at most {MAX_KEY_NAMES} in the scenario"),
            ));
        }
        Ok(names)
    };
    let query_string = f.optional_bool(ctx, "QueryString")?.unwrap_or(false);
    let (keys_path, keys) = f.list(ctx, "QueryStringCacheKeys", warnings)?;
    let keys = strings(keys, &keys_path)?;
    let query_strings = match (query_string, keys.is_empty()) {
        (false, false) => {
            warnings.push(ctx.warning(&keys_path, "ignored: QueryString is false, so no query string is keyed"));
            NameSelection::None
        }
        (false, true) => NameSelection::None,
        (true, true) => NameSelection::All,
        (true, false) => NameSelection::AllowList(keys),
    };
    let (headers_path, headers) = f.list(ctx, "Headers", warnings)?;
    let headers = strings(headers, &headers_path)?;
    let all_headers = headers.iter().any(|h| h == "*");
    let cookies = match f.take("Cookies") {
        None => NameSelection::None,
        Some(cookies) => {
            let mut c = Fields::of(ctx, cookies, &f.child("Cookies"))?;
            let forward_path = c.child("Forward");
            let forward = c.required_str(ctx, "Forward")?;
            one_of(ctx, &forward_path, forward, &["none", "whitelist", "all"])?;
            let (names_path, names) = c.list(ctx, "WhitelistedNames", warnings)?;
            let names = strings(names, &names_path)?;
            c.finish(ctx, warnings);
            match forward {
                "all" => NameSelection::All,
                "whitelist" if names.is_empty() => {
                    return Err(ctx.error(&names_path, "whitelist names no cookie", "list the cookies' names"));
                }
                "whitelist" => NameSelection::AllowList(names),
                _ => NameSelection::None,
            }
        }
    };
    f.finish(ctx, warnings);
    Ok(CacheKeySettings {
        query_strings,
        headers: if all_headers { Vec::new() } else { headers },
        all_headers,
        cookies,
        cookie_wildcards: true,
        gzip: false,
        brotli: false,
    })
}

/// The `Items` of an `{ Enabled, Quantity, Items }` wrapper when enabled.
fn enabled_items(
    ctx: &Context,
    b: &mut Fields<'_>,
    key: &str,
    warnings: &mut Vec<ImportWarning>,
) -> Result<Vec<String>> {
    let path = b.child(key);
    let Some(wrapper) = b.take(key) else { return Ok(Vec::new()) };
    let mut w = Fields::of(ctx, wrapper, &path)?;
    let enabled = w.optional_bool(ctx, "Enabled")?.unwrap_or(false);
    let (items_path, items) = w.quantity_items(ctx)?;
    w.finish(ctx, warnings);
    if !enabled {
        return Ok(Vec::new());
    }
    items.iter().enumerate().map(|(k, v)| as_str(ctx, v, &format!("{items_path}[{k}]")).map(str::to_string)).collect()
}

fn methods(ctx: &Context, path: &str, items: &[&Value]) -> Result<Vec<Method>> {
    let mut methods = Vec::new();
    for (k, item) in items.iter().enumerate() {
        let item_path = format!("{path}[{k}]");
        let method: Method = as_str(ctx, item, &item_path)?
            .parse()
            .map_err(|e: String| ctx.error(&item_path, e, "use CloudFront's method names"))?;
        methods.push(method);
    }
    methods.sort();
    methods.dedup();
    Ok(methods)
}

fn one_of(ctx: &Context, path: &str, value: &str, allowed: &[&str]) -> Result<()> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(ctx.error(
            path,
            format!("{value:?} is not one of CloudFront's values"),
            format!("use one of: {}", allowed.join(", ")),
        ))
    }
}

#[cfg(test)]
mod tests;
