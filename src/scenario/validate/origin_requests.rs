//! Origin requests: the scenario's `[[distribution.origin_request_policies]]`,
//! each behavior's `origin_request_policy` (a custom policy, or a managed one
//! by name or ID), and each class's `origin_varies_on`.

use super::cache_keys::Kind;
use super::fields::{Result, Validator, names};
use crate::scenario::MAX_KEY_NAMES;
use crate::scenario::cache_key::is_header_name;
use crate::scenario::origin_request::*;
use crate::scenario::raw::*;
use crate::scenario::{AttributeKind, RequestAttributesSpec};
use toml::Value;

impl Validator<'_> {
    /// The scenario's custom origin request policies, each checked as
    /// CloudFront's CreateOriginRequestPolicy would.
    pub(super) fn origin_request_policies(
        &self,
        raw: &[RawOriginRequestPolicy],
    ) -> Result<Vec<OriginRequestPolicySpec>> {
        let mut policies: Vec<OriginRequestPolicySpec> = Vec::new();
        for (i, p) in raw.iter().enumerate() {
            let field = format!("distribution.origin_request_policies[{i}]");
            let taken = policies.iter().any(|q| q.name == p.name);
            let managed = managed_origin_request_policy(&p.name).map(|m| m.name);
            let kind = "origin request policy";
            self.custom_policy_name(&field, &p.name, taken, kind, (managed, "origin_request_policy"))?;
            let settings = OriginRequestSettings {
                query_strings: self.selection(
                    &format!("{field}.query_strings"),
                    p.query_strings.as_ref(),
                    ("allow", "except"),
                    Kind::Query,
                )?,
                headers: self.header_selection(&format!("{field}.headers"), p.headers.as_ref())?,
                cookies: self.selection(
                    &format!("{field}.cookies"),
                    p.cookies.as_ref(),
                    ("allow", "except"),
                    Kind::Cookie,
                )?,
            };
            policies.push(OriginRequestPolicySpec { name: p.name.clone(), settings });
        }
        Ok(policies)
    }

    /// `"none"`, `"all-viewer"`, `{ allow = [...] }`, `{ all_viewer_and =
    /// [...] }` (CloudFront headers) or `{ except = [...] }`.
    fn header_selection(&self, field: &str, raw: Option<&Value>) -> Result<HeaderSelection> {
        const FORMS: &str = "\"none\", \"all-viewer\", { allow = [\"Header\", ...] }, { all_viewer_and = \
                             [\"CloudFront-Header\", ...] } or { except = [\"Header\", ...] }";
        let table = match raw {
            None => return Ok(HeaderSelection::None),
            Some(Value::String(s)) if s == "none" => return Ok(HeaderSelection::None),
            Some(Value::String(s)) if s == "all-viewer" => return Ok(HeaderSelection::AllViewer),
            Some(Value::Table(t)) if t.len() == 1 => t,
            Some(other) => {
                return Err(self.error(field, format!("{other} is not one of the forms"), format!("write {FORMS}")));
            }
        };
        let (form, list) = table.iter().next().expect("one entry");
        let list_field = format!("{field}.{form}");
        let items = list.as_array().ok_or_else(|| self.error(&list_field, "expected a list of header names", FORMS))?;
        if items.is_empty() || items.len() > MAX_KEY_NAMES {
            return Err(self.error(
                &list_field,
                format!("{} headers are listed", items.len()),
                format!("list 1 to {MAX_KEY_NAMES} (CloudFront's quota per origin request policy)"),
            ));
        }
        let mut headers: Vec<String> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let at = format!("{list_field}[{i}]");
            let h = item.as_str().filter(|h| is_header_name(h)).ok_or_else(|| {
                self.error(
                    &at,
                    format!("{item} is not a header name"),
                    "write the name alone, e.g. \"Accept-Language\"",
                )
            })?;
            if headers.iter().any(|o| o.eq_ignore_ascii_case(h)) {
                return Err(self.error(
                    &at,
                    format!("{h:?} is listed twice (header names ignore case)"),
                    "list it once",
                ));
            }
            if form == "all_viewer_and" && !h.to_ascii_lowercase().starts_with("cloudfront-") {
                return Err(self.error(
                    &at,
                    format!("{h:?} is not a CloudFront header; all_viewer_and adds CloudFront's own headers"),
                    "list CloudFront-* headers here (every viewer header is forwarded already), or use \"all-viewer\"",
                ));
            }
            headers.push(h.to_string());
        }
        match form.as_str() {
            "allow" => Ok(HeaderSelection::AllowList(headers)),
            "all_viewer_and" => Ok(HeaderSelection::AllViewerAndCloudFront(headers)),
            "except" => Ok(HeaderSelection::AllExcept(headers)),
            _ => Err(self.error(
                &list_field,
                format!("`{form}` is not a form of this setting"),
                format!("write {FORMS}"),
            )),
        }
    }

    /// A behavior's origin request policy. CloudFront attaches one only
    /// beside a cache policy: legacy `ForwardedValues` both keys and
    /// forwards, and cannot be combined with either policy (reference §6.3;
    /// DG "Control origin requests with a policy").
    pub(super) fn behavior_origin_request(
        &self,
        field: &str,
        b: &RawBehavior,
        policies: &[OriginRequestPolicySpec],
    ) -> Result<Option<OriginRequestPolicySpec>> {
        let Some(name) = b.origin_request_policy.as_deref() else { return Ok(None) };
        let at = format!("{field}.origin_request_policy");
        let policy = match policies.iter().find(|p| p.name == name) {
            Some(custom) => custom.clone(),
            None => managed_origin_request_policy(name).map(ManagedOriginRequestPolicy::spec).ok_or_else(|| {
                self.error(
                    &at,
                    format!("no origin request policy is named {name:?}"),
                    format!(
                        "use a managed policy ({}, by name or ID), or one of [[distribution.origin_request_policies]]: \
                         {}",
                        managed_origin_request_policy_names(),
                        names(policies.iter().map(|p| p.name.as_str()))
                    ),
                )
            })?,
        };
        if b.cache_policy.is_none() {
            let legacy = if b.forwarded_values.is_some() { "legacy forwarded_values" } else { "no cache policy" };
            return Err(self.error(
                &at,
                format!(
                    "the behavior has origin_request_policy = {name:?} and {legacy}: CloudFront attaches an origin \
                     request policy only beside a cache policy (legacy ForwardedValues both keys and forwards)"
                ),
                "add a cache_policy (e.g. \"CachingOptimized\", or \"CachingDisabled\" for a pass-through) and remove \
                 forwarded_values and the TTL fields, or remove origin_request_policy",
            ));
        }
        Ok(Some(policy))
    }

    /// A class's `origin_varies_on`: names of its own query parameters,
    /// cookies or headers, each once.
    pub(super) fn origin_varies_on(
        &self,
        field: &str,
        raw: Option<&[String]>,
        attributes: &RequestAttributesSpec,
    ) -> Result<Vec<String>> {
        let Some(raw) = raw else { return Ok(Vec::new()) };
        let field = format!("{field}.origin_varies_on");
        let carried = || names(attributes.slots().map(|(_, _, a)| a.name.as_str()));
        for (i, name) in raw.iter().enumerate() {
            let at = format!("{field}[{i}]");
            let matching = attributes.slots().filter(|(_, kind, a)| attribute_named(*kind, &a.name, name)).count();
            if matching == 0 {
                return Err(self.error(
                    &at,
                    format!("the class's requests carry no query parameter, cookie or header named {name:?}"),
                    format!(
                        "name one of the attributes the class's requests carry ({}), or add it to query, cookies or \
                         headers",
                        carried()
                    ),
                ));
            }
            if matching > 1 {
                return Err(self.error(
                    &at,
                    format!(
                        "{name:?} names more than one of the class's attributes (a query parameter, a cookie or a \
                             header of the same name)"
                    ),
                    "rename one of them so that each name is one attribute",
                ));
            }
            if raw[..i].iter().any(|o| o == name) {
                return Err(self.error(&at, format!("{name:?} is listed twice"), "list it once"));
            }
        }
        Ok(raw.to_vec())
    }
}

/// Whether the attribute `attribute` of `kind` is the one `name` names:
/// header names ignore case, query and cookie names do not (DG "Cache
/// content based on ...").
pub(crate) fn attribute_named(kind: AttributeKind, attribute: &str, name: &str) -> bool {
    match kind {
        AttributeKind::Header => attribute.eq_ignore_ascii_case(name),
        AttributeKind::Query | AttributeKind::Cookie => attribute == name,
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::{HeaderSelection, NameSelection, Scenario};
    use std::path::Path;

    fn load(distribution: &str, class: &str) -> Result<Scenario, String> {
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
name = "page"
share = 1
path = "/p/{{id}}"
size = "1 KiB"
headers = [{{ name = "Accept-Language", values = ["en", "de"] }}]
cookies = [{{ name = "session", values = 10 }}]
{class}
"#
        );
        Scenario::from_toml_str(Path::new("t.toml"), &text, &[]).map_err(|e| e.to_string())
    }

    #[test]
    fn custom_and_managed_policies_resolve() {
        let s = load(
            r#"[[distribution.origin_request_policies]]
name = "lang"
headers = { allow = ["Accept-Language"] }
cookies = { except = ["tracking"] }
[[distribution.behaviors]]
path_pattern = "/p/1*"
origin = "o"
cache_policy = "CachingDisabled"
origin_request_policy = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
[distribution.default_behavior]
origin = "o"
cache_policy = "CachingOptimized"
origin_request_policy = "lang""#,
            "origin_varies_on = [\"accept-language\"]",
        )
        .unwrap();
        let b = &s.distribution.behaviors;
        assert_eq!(b[0].origin_request.as_ref().unwrap().name, "AllViewerExceptHostHeader");
        let lang = &b[1].origin_request.as_ref().unwrap().settings;
        assert_eq!(lang.headers, HeaderSelection::AllowList(vec!["Accept-Language".into()]));
        assert_eq!(lang.cookies, NameSelection::AllExcept(vec!["tracking".into()]));
        assert_eq!(s.traffic.classes[0].origin_varies_on, ["accept-language"]);
        assert!(s.origin_requests_modelled());
    }

    #[test]
    fn bad_input_names_the_field_and_the_fix() {
        let legacy = load(
            "[distribution.default_behavior]\norigin = \"o\"\nforwarded_values = { query_string = true }\n\
             origin_request_policy = \"AllViewer\"",
            "",
        )
        .unwrap_err();
        assert!(legacy.contains("distribution.default_behavior.origin_request_policy"), "{legacy}");
        assert!(legacy.contains("legacy forwarded_values") && legacy.contains("add a cache_policy"), "{legacy}");
        let unknown = load(
            "[distribution.default_behavior]\norigin = \"o\"\ncache_policy = \"CachingOptimized\"\n\
             origin_request_policy = \"Everything\"",
            "",
        )
        .unwrap_err();
        assert!(unknown.contains("no origin request policy is named") && unknown.contains("CORS-S3Origin"));
        let managed_name = load(
            "[[distribution.origin_request_policies]]\nname = \"AllViewer\"\n[distribution.default_behavior]\norigin = \"o\"",
            "",
        )
        .unwrap_err();
        assert!(managed_name.contains("origin_request_policies[0].name"), "{managed_name}");
        let not_cloudfront = load(
            "[[distribution.origin_request_policies]]\nname = \"p\"\nheaders = { all_viewer_and = [\"Referer\"] }\n\
             [distribution.default_behavior]\norigin = \"o\"",
            "",
        )
        .unwrap_err();
        assert!(not_cloudfront.contains("headers.all_viewer_and[0]"), "{not_cloudfront}");
        let varies =
            load("[distribution.default_behavior]\norigin = \"o\"", "origin_varies_on = [\"Session\"]").unwrap_err();
        assert!(varies.contains("traffic.classes[0].origin_varies_on[0]"), "{varies}");
        assert!(varies.contains("(session, Accept-Language)"), "cookie names are case-sensitive: {varies}");
    }

    #[test]
    fn a_scenario_that_says_nothing_models_nothing() {
        let s = load("[distribution.default_behavior]\norigin = \"o\"", "").unwrap();
        assert!(!s.origin_requests_modelled());
        assert!(s.distribution.behaviors[0].origin_request.is_none());
    }
}
