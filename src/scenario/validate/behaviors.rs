//! `[distribution]` and its cache behaviors: path patterns, targets,
//! methods, trusted key groups and signers; their TTLs and cache keys are
//! `cache_keys.rs`'s.

use super::fields::{Result, Validator, names};
use crate::http::MethodSet;
use crate::scenario::cache_key::CachePolicySpec;
use crate::scenario::path_pattern;
use crate::scenario::raw::*;
use crate::scenario::spec::*;
use crate::scenario::vocabulary::{MethodSetField, check_method_sets};
use crate::scenario::{
    CUSTOM_ERROR_CODES, CUSTOM_RESPONSE_CODES, CustomErrorResponse, DEFAULT_ERROR_PAGE_BYTES, ErrorPage, GeoRestriction,
};
use crate::time::SimDuration;

/// CloudFront's sample distribution domain from the Developer Guide.
pub const DEFAULT_DOMAIN: &str = "d111111abcdef8.cloudfront.net";

/// What a cache behavior may refer to.
#[derive(Clone, Copy)]
struct BehaviorContext<'c> {
    origins: &'c [OriginSpec],
    groups: &'c [OriginGroupSpec],
    signing: &'c SigningSpec,
    functions: &'c [crate::scenario::edge_functions::FunctionSpec],
    allow_writes: bool,
    /// The scenario's custom cache policies.
    policies: &'c [CachePolicySpec],
    origin_request_policies: &'c [crate::scenario::OriginRequestPolicySpec],
}

impl Validator<'_> {
    pub(super) fn distribution(
        &self,
        raw: &RawDistribution,
        origins: &[OriginSpec],
        groups: &[OriginGroupSpec],
        signing: &SigningSpec,
        functions: &[crate::scenario::edge_functions::FunctionSpec],
    ) -> Result<DistributionSpec> {
        // CloudFront's default quota is 75 cache behaviors per distribution
        // (adjustable, DG quotas page); the engine stores a behavior in a byte.
        if raw.behaviors.len() > 254 {
            return Err(self.error(
                "distribution.behaviors",
                format!("{} cache behaviors is more than cdnsim supports", raw.behaviors.len()),
                "use at most 254 (CloudFront's default quota is 75)",
            ));
        }
        let allow_writes = raw.allow_writes_to_origin_groups.unwrap_or(false);
        let policies = self.cache_policies(&raw.cache_policies)?;
        let origin_request_policies = self.origin_request_policies(&raw.origin_request_policies)?;
        let ctx = BehaviorContext {
            origins,
            groups,
            signing,
            functions,
            allow_writes,
            policies: &policies,
            origin_request_policies: &origin_request_policies,
        };
        let mut behaviors = Vec::new();
        for (i, b) in raw.behaviors.iter().enumerate() {
            let field = format!("distribution.behaviors[{i}]");
            let pattern = b.path_pattern.as_deref().ok_or_else(|| {
                self.error(
                    &format!("{field}.path_pattern"),
                    "a cache behavior needs a path pattern",
                    "add e.g. path_pattern = \"/static/*\"",
                )
            })?;
            path_pattern::check_pattern(pattern)
                .map_err(|e| self.error(&format!("{field}.path_pattern"), e, "correct the pattern"))?;
            behaviors.push(self.behavior(&field, pattern, b, &ctx)?);
        }
        let field = "distribution.default_behavior";
        if let Some(p) = raw.default_behavior.path_pattern.as_deref()
            && p != "*"
        {
            return Err(self.error(
                &format!("{field}.path_pattern"),
                format!("the default behavior's pattern is always `*`, not {p:?}"),
                "remove path_pattern from the default behavior, or move it to [[distribution.behaviors]]",
            ));
        }
        behaviors.push(self.behavior(field, "*", &raw.default_behavior, &ctx)?);
        let error_caching_min_ttl = self
            .optional_seconds("distribution.error_caching_min_ttl", raw.error_caching_min_ttl.as_ref())?
            .map_or(SimDuration::from_secs(10), SimDuration::from_secs);
        let custom_error_responses = self.custom_error_responses(&raw.custom_error_responses, error_caching_min_ttl)?;
        let domain = raw.domain.clone().unwrap_or_else(|| DEFAULT_DOMAIN.to_string());
        super::names::check_domain(&domain)
            .map_err(|(problem, fix)| self.error("distribution.domain", problem, fix))?;
        // Developer Guide, "Choosing the price class for a CloudFront distribution".
        let price_class = match raw.price_class.as_deref() {
            None => cdnsim_cost::PriceClass::All,
            Some(name) => name.parse().map_err(|e: cdnsim_cost::ParseRegionError| {
                self.error("distribution.price_class", e.to_string(), "write e.g. price_class = \"PriceClass_100\"")
            })?,
        };
        let geo_restriction = self.geo_restriction(raw.geo_restriction.as_ref())?;
        Ok(DistributionSpec {
            domain,
            price_class,
            geo_restriction,
            error_caching_min_ttl,
            custom_error_responses,
            allow_writes_to_origin_groups: allow_writes,
            behaviors,
            propagation_ms: self.propagation(raw.propagation.as_ref())?,
        })
    }

    /// `distribution.geo_restriction`: an allow list or a block list of
    /// countries, not both, not empty (Developer Guide, "Restricting the
    /// geographic distribution of your content": the API's
    /// `RestrictionType` is one of `whitelist`, `blacklist`, `none`).
    fn geo_restriction(&self, raw: Option<&RawGeoRestriction>) -> Result<GeoRestriction> {
        let field = "distribution.geo_restriction";
        let Some(raw) = raw else { return Ok(GeoRestriction::None) };
        let (list, allow, key) = match (&raw.allow, &raw.block) {
            (Some(list), None) => (list, true, "allow"),
            (None, Some(list)) => (list, false, "block"),
            (Some(_), Some(_)) => {
                return Err(self.error(
                    field,
                    "both `allow` and `block` are given",
                    "keep one list: CloudFront restricts by an allow list or a block list, not both",
                ));
            }
            (None, None) => {
                return Err(self.error(
                    field,
                    "neither `allow` nor `block` is given",
                    "write e.g. geo_restriction = { allow = [\"US\", \"CA\"] }, or remove the field",
                ));
            }
        };
        if list.is_empty() {
            return Err(self.error(
                &format!("{field}.{key}"),
                "the list is empty",
                "name at least one country, or remove `geo_restriction`",
            ));
        }
        let mut codes: Vec<&'static str> = Vec::with_capacity(list.len());
        for (i, code) in list.iter().enumerate() {
            let country = self.country(&format!("{field}.{key}[{i}]"), code)?;
            if codes.contains(&country.code) {
                return Err(self.error(
                    &format!("{field}.{key}[{i}]"),
                    format!("{code:?} is listed twice"),
                    "list each country once",
                ));
            }
            codes.push(country.code);
        }
        Ok(if allow { GeoRestriction::Allow(codes) } else { GeoRestriction::Block(codes) })
    }

    /// `[[distribution.custom_error_responses]]`: each names a code CloudFront
    /// lets one name, once; an entry without its own minimum TTL takes the
    /// distribution's (`distribution_wide`, itself 10 s unless set).
    fn custom_error_responses(
        &self,
        raw: &[RawCustomErrorResponse],
        distribution_wide: SimDuration,
    ) -> Result<Vec<CustomErrorResponse>> {
        let mut entries: Vec<CustomErrorResponse> = Vec::with_capacity(raw.len());
        for (i, r) in raw.iter().enumerate() {
            let field = format!("distribution.custom_error_responses[{i}]");
            let codes = || CUSTOM_ERROR_CODES.map(|c| c.to_string()).join(", ");
            let Some(&error_code) = CUSTOM_ERROR_CODES.iter().find(|&&c| i64::from(c) == r.error_code) else {
                return Err(self.error(
                    &format!("{field}.error_code"),
                    format!("CloudFront has no custom error response for status {}", r.error_code),
                    format!("use one of {}", codes()),
                ));
            };
            if let Some(earlier) = entries.iter().position(|e| e.error_code == error_code) {
                return Err(self.error(
                    &format!("{field}.error_code"),
                    format!(
                        "status {error_code} already has a custom error response, \
                         distribution.custom_error_responses[{earlier}]"
                    ),
                    "give each status code one entry: merge the two or remove one",
                ));
            }
            let error_caching_min_ttl = self
                .optional_seconds(&format!("{field}.error_caching_min_ttl"), r.error_caching_min_ttl.as_ref())?
                .map_or(distribution_wide, SimDuration::from_secs);
            let page = self.error_page(&field, r)?;
            entries.push(CustomErrorResponse { error_code, error_caching_min_ttl, page });
        }
        Ok(entries)
    }

    /// A custom error response's page: a path, the status it goes with
    /// (only with a path, as CloudFront's API requires a `ResponsePagePath`
    /// for a `ResponseCode`), and its size. A path that matches no
    /// behavior's pattern is fetched through the default behavior.
    fn error_page(&self, field: &str, r: &RawCustomErrorResponse) -> Result<Option<ErrorPage>> {
        let Some(path) = &r.response_page_path else {
            for (name, set) in
                [("response_code", r.response_code.is_some()), ("response_page_bytes", r.response_page_bytes.is_some())]
            {
                if set {
                    return Err(self.error(
                        &format!("{field}.{name}"),
                        format!("{name} goes with a custom error page, and this entry has no response_page_path"),
                        "add response_page_path = \"/errors/503.html\" (the page's path), or remove it",
                    ));
                }
            }
            return Ok(None);
        };
        let path_field = format!("{field}.response_page_path");
        super::names::check_page_path(path).map_err(|(problem, fix)| self.error(&path_field, problem, fix))?;
        let response_code = match r.response_code {
            None => None,
            Some(code) => {
                Some(CUSTOM_RESPONSE_CODES.iter().copied().find(|&c| i64::from(c) == code).ok_or_else(|| {
                    self.error(
                        &format!("{field}.response_code"),
                        format!("CloudFront cannot answer a custom error page with status {code}"),
                        format!("use one of {}", CUSTOM_RESPONSE_CODES.map(|c| c.to_string()).join(", ")),
                    )
                })?)
            }
        };
        let size_bytes = match &r.response_page_bytes {
            None => DEFAULT_ERROR_PAGE_BYTES,
            Some(v) => self.size(&format!("{field}.response_page_bytes"), v)?,
        };
        Ok(Some(ErrorPage { path: path.clone(), response_code, size_bytes }))
    }

    fn behavior(&self, field: &str, pattern: &str, b: &RawBehavior, ctx: &BehaviorContext) -> Result<BehaviorSpec> {
        let BehaviorContext { origins, groups, signing, functions, allow_writes, policies, origin_request_policies } =
            *ctx;
        let (origin, origin_group) = self.behavior_origin(field, &b.origin, origins, groups)?;
        let (allowed_methods, cached_methods) = self.behavior_methods(field, b)?;
        let mut key = self.behavior_key(field, b, policies)?;
        let compress = b.compress.unwrap_or(false);
        if compress
            && key.policy.is_none()
            && !key.key.headers.iter().any(|h| h.eq_ignore_ascii_case("Accept-Encoding"))
        {
            // A legacy behavior that compresses keeps its gzip copies apart
            // from the uncompressed ones: CloudFront forwards (and keys) the
            // viewer's Accept-Encoding normalised when it holds gzip or br
            // (DG "Request and response behavior for custom origins",
            // `Accept-Encoding` row), and compresses with gzip only under the
            // legacy settings (DG "Serve compressed files"; see
            // `policy::compression::codings`). Listing Accept-Encoding itself
            // turns compression off, and the raw value stays the key.
            key.key.gzip = true;
        }
        if origin_group.is_some() && allowed_methods.has_writes() && !allow_writes {
            // CloudFront's API error, quoted in reference §4.1 (CDK issue 32450).
            return Err(self.error(
                &format!("{field}.allowed_methods"),
                "The parameter AllowedMethods cannot include POST, PUT, PATCH, or DELETE for a cached behavior \
                 associated with an origin group.",
                "send writes through another behavior with a single origin, or allow only GET, HEAD (and OPTIONS) \
                 here; a teaching scenario may set distribution.allow_writes_to_origin_groups = true",
            ));
        }
        let trusted_key_groups = self.trusted_key_groups(field, pattern, b, signing)?;
        let trusted_signers = b.trusted_signers.unwrap_or(false);
        if trusted_signers && !signing.legacy_key_pairs.iter().any(|k| k.active) {
            return Err(self.error(
                &format!("{field}.trusted_signers"),
                "the behavior trusts the account's legacy CloudFront key pairs (TrustedSigners), but the scenario \
                 has no active legacy key pair",
                "add [[signing.legacy_key_pairs]] (only the AWS account's root user can create them, at most two \
                 active per account), or better, trust a key group with trusted_key_groups: IAM users can manage \
                 key groups (up to 5 public keys each, 4 per behavior, 10 per account)",
            ));
        }
        Ok(BehaviorSpec {
            path_pattern: pattern.to_string(),
            origin,
            origin_group,
            trusted_key_groups,
            trusted_signers,
            allowed_methods,
            cached_methods,
            ttl: key.ttl,
            cache_policy: key.policy,
            cache_key: key.key,
            origin_request: self.behavior_origin_request(field, b, origin_request_policies)?,
            viewer_protocol_policy: self.viewer_protocol_policy(field, b.viewer_protocol_policy.as_deref())?,
            functions: self.behavior_functions(field, b.functions.as_deref(), functions)?,
            compress,
        })
    }

    /// The origin a behavior sends to, and its origin group if it names one
    /// (the group's primary is then the origin tried first).
    fn behavior_origin(
        &self,
        field: &str,
        name: &str,
        origins: &[OriginSpec],
        groups: &[OriginGroupSpec],
    ) -> Result<(usize, Option<usize>)> {
        if let Some(origin) = origins.iter().position(|o| o.name == name) {
            return Ok((origin, None));
        }
        match groups.iter().position(|g| g.name == name) {
            Some(g) => Ok((groups[g].primary, Some(g))),
            None => Err(self.error(
                &format!("{field}.origin"),
                format!("no origin or origin group is named {name:?}"),
                format!(
                    "use one of: {}",
                    names(origins.iter().map(|o| o.name.as_str()).chain(groups.iter().map(|g| g.name.as_str())))
                ),
            )),
        }
    }

    /// The allowed and cached method sets, each one CloudFront offers, and
    /// OPTIONS cached only if allowed.
    fn behavior_methods(&self, field: &str, b: &RawBehavior) -> Result<(MethodSet, MethodSet)> {
        let allowed_methods =
            self.method_set(&format!("{field}.allowed_methods"), b.allowed_methods.as_deref(), MethodSet::GET_HEAD)?;
        let cached_methods =
            self.method_set(&format!("{field}.cached_methods"), b.cached_methods.as_deref(), MethodSet::GET_HEAD)?;
        if let Err((which, problem, fix)) = check_method_sets(allowed_methods, cached_methods) {
            let name = match which {
                MethodSetField::Allowed => "allowed_methods",
                MethodSetField::Cached => "cached_methods",
            };
            return Err(self.error(&format!("{field}.{name}"), problem, fix));
        }
        Ok((allowed_methods, cached_methods))
    }

    /// The key groups a behavior trusts, as indices into `signing.key_groups`,
    /// at most CloudFront's number per behavior.
    fn trusted_key_groups(
        &self,
        field: &str,
        pattern: &str,
        b: &RawBehavior,
        signing: &SigningSpec,
    ) -> Result<Vec<usize>> {
        let mut trusted_key_groups = Vec::new();
        for (i, name) in b.trusted_key_groups.iter().flatten().enumerate() {
            let g = signing.key_groups.iter().position(|g| &g.name == name).ok_or_else(|| {
                self.error(
                    &format!("{field}.trusted_key_groups[{i}]"),
                    format!("no key group is named {name:?}"),
                    format!(
                        "define it under [[signing.key_groups]]; existing: {}",
                        names(signing.key_groups.iter().map(|g| g.name.as_str()))
                    ),
                )
            })?;
            trusted_key_groups.push(g);
        }
        cdnsim_sign::check_key_groups_per_behavior(
            pattern,
            trusted_key_groups.len(),
            cdnsim_sign::MAX_KEY_GROUPS_PER_BEHAVIOR,
        )
        .map_err(|e| {
            self.error(
                &format!("{field}.trusted_key_groups"),
                e.problem(),
                format!(
                    "trust at most {} key groups per behavior: {}",
                    cdnsim_sign::MAX_KEY_GROUPS_PER_BEHAVIOR,
                    e.fix()
                ),
            )
        })?;
        Ok(trusted_key_groups)
    }

    fn method_set(&self, field: &str, raw: Option<&[String]>, default: MethodSet) -> Result<MethodSet> {
        let Some(list) = raw else { return Ok(default) };
        let mut methods = Vec::new();
        for (i, name) in list.iter().enumerate() {
            methods.push(
                name.parse()
                    .map_err(|e: String| self.error(&format!("{field}[{i}]"), e, "write the method in capitals"))?,
            );
        }
        Ok(MethodSet::from_methods(methods))
    }
}
