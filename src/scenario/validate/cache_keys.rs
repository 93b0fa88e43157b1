//! Cache keys: the scenario's `[[distribution.cache_policies]]`, and each
//! behavior's key and TTLs from its `cache_policy` (a custom policy, or a
//! managed one by name or ID), its legacy `forwarded_values` and TTL fields,
//! or neither (the path alone, CloudFront's legacy TTL defaults).

use super::fields::{Result, Validator, names};
use crate::scenario::cache_key::*;
use crate::scenario::raw::*;
use crate::scenario::vocabulary::*;
use toml::Value;

/// What a behavior's cache settings resolve to.
pub(super) struct BehaviorKey {
    pub(super) ttl: TtlSettings,
    pub(super) key: CacheKeySettings,
    /// The cache policy's name, when the behavior has one.
    pub(super) policy: Option<String>,
}

impl Validator<'_> {
    /// The scenario's custom cache policies, each checked as CloudFront's
    /// CreateCachePolicy would.
    pub(super) fn cache_policies(&self, raw: &[RawCachePolicy]) -> Result<Vec<CachePolicySpec>> {
        let mut policies: Vec<CachePolicySpec> = Vec::new();
        for (i, p) in raw.iter().enumerate() {
            let field = format!("distribution.cache_policies[{i}]");
            let taken = policies.iter().any(|q| q.name == p.name);
            let managed = managed_cache_policy(&p.name).map(|m| m.name);
            self.custom_policy_name(&field, &p.name, taken, "cache policy", (managed, "cache_policy"))?;
            let ttl = self.ttls(&field, p.min_ttl.as_ref(), p.default_ttl.as_ref(), p.max_ttl.as_ref())?;
            let key = CacheKeySettings {
                query_strings: self.selection(
                    &format!("{field}.query_strings"),
                    p.query_strings.as_ref(),
                    ("allow", "except"),
                    Kind::Query,
                )?,
                headers: self.key_headers(&format!("{field}.headers"), p.headers.as_deref().unwrap_or(&[]))?,
                all_headers: false,
                cookies: self.selection(
                    &format!("{field}.cookies"),
                    p.cookies.as_ref(),
                    ("allow", "except"),
                    Kind::Cookie,
                )?,
                cookie_wildcards: false,
                gzip: p.gzip.unwrap_or(false),
                brotli: p.brotli.unwrap_or(false),
            };
            if (key.gzip || key.brotli) && key.headers.iter().any(|h| h.eq_ignore_ascii_case("Accept-Encoding")) {
                return Err(self.error(
                    &format!("{field}.headers"),
                    "Accept-Encoding is listed while gzip or brotli is on: with either on, CloudFront puts the \
                     normalised Accept-Encoding in the key itself (DG \"Understand cache policies\", compression \
                     support), so the raw header and the normalised one would disagree",
                    "remove Accept-Encoding from headers to key it normalised, or turn gzip and brotli off to key \
                     the raw header",
                ));
            }
            policies.push(CachePolicySpec { name: p.name.clone(), ttl, key });
        }
        Ok(policies)
    }

    /// A behavior's TTLs and key: from its cache policy, or its legacy
    /// fields. CloudFront refuses a behavior with both (DG "Understand cache
    /// policies": remove MinTTL, MaxTTL, DefaultTTL and ForwardedValues when
    /// you attach a policy).
    pub(super) fn behavior_key(
        &self,
        field: &str,
        b: &RawBehavior,
        policies: &[CachePolicySpec],
    ) -> Result<BehaviorKey> {
        let Some(name) = b.cache_policy.as_deref() else { return self.legacy_key(field, b) };
        let legacy = [
            ("min_ttl", b.min_ttl.is_some()),
            ("default_ttl", b.default_ttl.is_some()),
            ("max_ttl", b.max_ttl.is_some()),
            ("forwarded_values", b.forwarded_values.is_some()),
        ];
        let policy = match policies.iter().find(|p| p.name == name) {
            Some(custom) => custom.clone(),
            None => managed_cache_policy(name).map(ManagedCachePolicy::spec).ok_or_else(|| {
                self.error(
                    &format!("{field}.cache_policy"),
                    format!("no cache policy is named {name:?}"),
                    format!(
                        "use a managed policy ({}, by name or ID), or one of [[distribution.cache_policies]]: {}",
                        managed_cache_policy_names(),
                        names(policies.iter().map(|p| p.name.as_str()))
                    ),
                )
            })?,
        };
        if let Some((legacy_field, _)) = legacy.iter().find(|(_, set)| *set) {
            let TtlSettings { min_s, default_s, max_s } = policy.ttl;
            return Err(self.error(
                &format!("{field}.{legacy_field}"),
                format!(
                    "the behavior has cache_policy = {name:?} and {legacy_field}: CloudFront refuses a cache policy \
                     together with the legacy MinTTL, DefaultTTL, MaxTTL and ForwardedValues"
                ),
                format!(
                    "remove {legacy_field} (the policy sets the TTLs, {min_s}/{default_s}/{max_s} s, and the key), \
                     or remove cache_policy"
                ),
            ));
        }
        Ok(BehaviorKey { ttl: policy.ttl, key: policy.key, policy: Some(policy.name) })
    }

    /// A behavior without a cache policy: its legacy TTL fields and
    /// `forwarded_values`, each defaulting as in CloudFront.
    fn legacy_key(&self, field: &str, b: &RawBehavior) -> Result<BehaviorKey> {
        let ttl = self.ttls(field, b.min_ttl.as_ref(), b.default_ttl.as_ref(), b.max_ttl.as_ref())?;
        let key = match &b.forwarded_values {
            None => CacheKeySettings::default(),
            Some(f) => self.forwarded_values(&format!("{field}.forwarded_values"), f)?,
        };
        if key.all_headers && ttl.min_s > 0 {
            // The API's rule (CacheBehavior.MinTTL): "You must specify 0 for
            // MinTTL if you configure CloudFront to forward all headers".
            return Err(self.error(
                &format!("{field}.min_ttl"),
                format!(
                    "min_ttl is {} s but forwarded_values forwards every header; CloudFront then caches nothing \
                     and requires MinTTL 0",
                    ttl.min_s
                ),
                "set min_ttl = 0 (or remove it), or forward a list of headers instead of [\"*\"]",
            ));
        }
        Ok(BehaviorKey { ttl, key, policy: None })
    }

    /// Min, Default and Max TTL, unset ones defaulting as in CloudFront.
    fn ttls(
        &self,
        field: &str,
        min: Option<&Value>,
        default: Option<&Value>,
        max: Option<&Value>,
    ) -> Result<TtlSettings> {
        let ttl = TtlSettings::with_defaults(
            self.optional_seconds(&format!("{field}.min_ttl"), min)?,
            self.optional_seconds(&format!("{field}.default_ttl"), default)?,
            self.optional_seconds(&format!("{field}.max_ttl"), max)?,
        );
        ttl.check()
            .map_err(|e| self.error(&format!("{field}.min_ttl"), e, "adjust min_ttl, default_ttl and max_ttl"))?;
        Ok(ttl)
    }

    /// Legacy `ForwardedValues`: the query string on or off with its cache
    /// keys, headers (a list, or `["*"]`), cookies none, all or an allow-list.
    fn forwarded_values(&self, field: &str, f: &RawForwardedValues) -> Result<CacheKeySettings> {
        let query_strings = match (f.query_string.unwrap_or(false), &f.query_string_cache_keys) {
            (false, Some(_)) => {
                return Err(self.error(
                    &format!("{field}.query_string_cache_keys"),
                    "query string cache keys are listed but query_string is off, so CloudFront ignores them",
                    "set query_string = true, or remove query_string_cache_keys",
                ));
            }
            (false, None) => NameSelection::None,
            (true, None) => NameSelection::All,
            (true, Some(keys)) => {
                let keys_field = format!("{field}.query_string_cache_keys");
                NameSelection::AllowList(self.key_names(&keys_field, keys, Kind::Query)?)
            }
        };
        let headers = f.headers.as_deref().unwrap_or(&[]);
        let all_headers = headers.iter().any(|h| h == "*");
        if all_headers && headers.len() > 1 {
            return Err(self.error(
                &format!("{field}.headers"),
                "`*` (every header) is listed with other headers",
                "write headers = [\"*\"] alone, or list the headers without `*`",
            ));
        }
        let headers = if all_headers { Vec::new() } else { self.key_headers(&format!("{field}.headers"), headers)? };
        let cookies =
            self.selection(&format!("{field}.cookies"), f.cookies.as_ref(), ("whitelist", ""), Kind::Cookie)?;
        Ok(CacheKeySettings {
            query_strings,
            headers,
            all_headers,
            cookies,
            cookie_wildcards: true,
            gzip: false,
            brotli: false,
        })
    }

    /// `"none"`, `"all"`, `{ <allow> = [...] }` or `{ <except> = [...] }` (no
    /// except form when `except` is empty: legacy cookies have none).
    pub(super) fn selection(
        &self,
        field: &str,
        raw: Option<&Value>,
        (allow, except): (&str, &str),
        kind: Kind,
    ) -> Result<NameSelection> {
        let forms = if except.is_empty() {
            format!("\"none\", \"all\" or {{ {allow} = [\"name\", ...] }}")
        } else {
            format!("\"none\", \"all\", {{ {allow} = [\"name\", ...] }} or {{ {except} = [\"name\", ...] }}")
        };
        match raw {
            None => Ok(NameSelection::None),
            Some(Value::String(s)) if s == "none" => Ok(NameSelection::None),
            Some(Value::String(s)) if s == "all" => Ok(NameSelection::All),
            Some(Value::Table(t)) if t.len() == 1 => {
                let (form, list) = t.iter().next().expect("one entry");
                let list_field = format!("{field}.{form}");
                let Some(items) = list.as_array() else {
                    return Err(self.error(&list_field, "expected a list of names", format!("write {forms}")));
                };
                let mut names = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let name = item.as_str().ok_or_else(|| {
                        self.error(&format!("{list_field}[{i}]"), "expected a name in quotes", format!("write {forms}"))
                    })?;
                    names.push(name.to_string());
                }
                let names = self.key_names(&list_field, &names, kind)?;
                if form == allow {
                    Ok(NameSelection::AllowList(names))
                } else if !except.is_empty() && form == except {
                    Ok(NameSelection::AllExcept(names))
                } else {
                    Err(self.error(
                        &list_field,
                        format!("`{form}` is not a form of this setting"),
                        format!("write {forms}"),
                    ))
                }
            }
            Some(other) => Err(self.error(field, format!("{other} is not one of the forms"), format!("write {forms}"))),
        }
    }

    /// Query string or cookie names: 1 to 10, each once, none empty, and
    /// none CloudFront could not see as one name.
    fn key_names(&self, field: &str, names: &[String], kind: Kind) -> Result<Vec<String>> {
        let what = kind.what();
        if names.is_empty() {
            return Err(self.error(field, format!("the list of {what} is empty"), "use \"none\" to key no name"));
        }
        if names.len() > MAX_KEY_NAMES {
            return Err(self.error(
                field,
                format!("{} {what} are listed; CloudFront allows at most {MAX_KEY_NAMES}", names.len()),
                format!("list at most {MAX_KEY_NAMES} (CloudFront's quota; each keyed name multiplies the variants)"),
            ));
        }
        for (i, name) in names.iter().enumerate() {
            let bad = |c: char| c.is_whitespace() || c.is_control() || kind.separators().contains(c);
            if name.is_empty() || name.chars().any(bad) {
                return Err(self.error(
                    &format!("{field}[{i}]"),
                    format!("{name:?} cannot be the name of one of the {what}"),
                    format!("write the name alone, without spaces or any of {:?}", kind.separators()),
                ));
            }
            if names[..i].contains(name) {
                return Err(self.error(&format!("{field}[{i}]"), format!("{name:?} is listed twice"), "list it once"));
            }
        }
        Ok(names.to_vec())
    }

    /// A cache key's header allow-list: at most 10 header names, each once
    /// (without regard to case), none CloudFront never keys.
    fn key_headers(&self, field: &str, headers: &[String]) -> Result<Vec<String>> {
        if headers.len() > MAX_KEY_NAMES {
            return Err(self.error(
                field,
                format!(
                    "{} headers are listed; CloudFront allows at most {MAX_KEY_NAMES} in a cache key",
                    headers.len()
                ),
                format!(
                    "list at most {MAX_KEY_NAMES} (CloudFront's quota); each keyed header multiplies an object's \
                     variants, so key only what the origin varies on"
                ),
            ));
        }
        for (i, h) in headers.iter().enumerate() {
            let at = format!("{field}[{i}]");
            if !is_header_name(h) {
                return Err(self.error(
                    &at,
                    format!("{h:?} is not a header name"),
                    "write the name alone, e.g. \"Accept-Language\"",
                ));
            }
            if let Some((name, why)) = UNKEYABLE_HEADERS.iter().find(|(n, _)| n.eq_ignore_ascii_case(h)) {
                return Err(self.error(&at, format!("{name} cannot be in a cache key"), format!("remove it: {why}")));
            }
            if headers[..i].iter().any(|other| other.eq_ignore_ascii_case(h)) {
                return Err(self.error(
                    &at,
                    format!("{h:?} is listed twice (header names ignore case)"),
                    "list it once",
                ));
            }
        }
        Ok(headers.to_vec())
    }
}

/// Which kind of names a list holds, for checks and messages.
#[derive(Clone, Copy)]
pub(super) enum Kind {
    Query,
    Cookie,
}

impl Kind {
    fn what(self) -> &'static str {
        match self {
            Kind::Query => "query strings",
            Kind::Cookie => "cookies",
        }
    }

    /// Characters that end a name in a URL or a `Cookie` header.
    fn separators(self) -> &'static str {
        match self {
            Kind::Query => "&=#?",
            Kind::Cookie => ";=,",
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::{CacheKeySettings, NameSelection, Scenario, TtlSettings};
    use std::path::Path;

    fn behaviors(distribution: &str) -> Vec<crate::scenario::BehaviorSpec> {
        let text = format!(
            r#"
[simulation]
requests = 10
[[topology.regional_caches]]
region = "us-east-1"
[[topology.edges]]
name = "IAD1"
regional_cache = "us-east-1"
[[origins]]
name = "o"
region = "us-east-1"
{distribution}
[traffic]
rate = 1
[[traffic.classes]]
name = "img"
share = 1
path = "/img/{{id}}.jpg"
size = "1 KiB"
[[traffic.classes]]
name = "api"
share = 1
path = "/api/{{id}}"
size = "1 KiB"
"#
        );
        Scenario::from_toml_str(Path::new("t.toml"), &text, &[])
            .unwrap_or_else(|e| panic!("{e}"))
            .distribution
            .behaviors
    }

    #[test]
    fn a_behavior_gets_its_policys_ttls_and_key() {
        let b = behaviors(
            r#"
[distribution]
[[distribution.cache_policies]]
name = "by-size"
min_ttl = 1
query_strings = { allow = ["size"] }
headers = ["Accept-Language"]
cookies = { except = ["tracking"] }
brotli = true
[[distribution.behaviors]]
path_pattern = "/img/*"
origin = "o"
cache_policy = "by-size"
[distribution.default_behavior]
origin = "o"
cache_policy = "658327ea-f89d-4fab-a63d-7e88639e58f6"
"#,
        );
        assert_eq!(b[0].cache_policy.as_deref(), Some("by-size"));
        assert_eq!(b[0].ttl, TtlSettings { min_s: 1, default_s: 86_400, max_s: 31_536_000 }, "CloudFront's defaults");
        let key = &b[0].cache_key;
        assert_eq!(key.query_strings, NameSelection::AllowList(vec!["size".into()]));
        assert_eq!(key.cookies, NameSelection::AllExcept(vec!["tracking".into()]));
        assert!(key.brotli && !key.gzip && !key.cookie_wildcards);
        // A managed policy by its ID gets its name.
        assert_eq!(b[1].cache_policy.as_deref(), Some("CachingOptimized"));
        assert!(b[1].cache_key.gzip && b[1].cache_key.brotli);
    }

    #[test]
    fn legacy_forwarded_values_and_ttls() {
        let b = behaviors(
            r#"
[distribution]
[[distribution.behaviors]]
path_pattern = "/img/*"
origin = "o"
default_ttl = 60
forwarded_values = { query_string = true, query_string_cache_keys = ["v"], headers = ["Origin"], cookies = { whitelist = ["sess*"] } }
[distribution.default_behavior]
origin = "o"
forwarded_values = { headers = ["*"] }
"#,
        );
        assert_eq!(b[0].cache_policy, None);
        assert_eq!(b[0].ttl.default_s, 60);
        let key = &b[0].cache_key;
        assert_eq!(key.query_strings, NameSelection::AllowList(vec!["v".into()]));
        assert_eq!(key.headers, ["Origin"]);
        assert!(key.cookie_wildcards && key.varies());
        assert!(b[1].cache_key.all_headers && !b[1].cache_key.varies());
        // Neither: the path alone.
        let plain = behaviors("[distribution.default_behavior]\norigin = \"o\"");
        assert_eq!(plain[0].cache_key, CacheKeySettings::default());
    }
}
