//! A cache behavior's origin request policy as a scenario states it: which
//! query strings, headers and cookies CloudFront sends to the origin without
//! putting them in the cache key (reference §6.3; Developer Guide "Control
//! origin requests with a policy",
//! https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/controlling-origin-requests.html,
//! and "Understand origin request policies"), and CloudFront's managed origin
//! request policies with their documented settings: the one table that both
//! a scenario's `origin_request_policy = "..."` and the importer read.
//!
//! What a request then forwards (the key's values and the policy's) and what
//! that does to the origin's responses is `policy::origin_request`.

use super::cache_key::{ManagedNames, NameSelection};

/// Which viewer headers an origin request policy forwards: the API's
/// `HeaderBehavior` (API `OriginRequestPolicyHeadersConfig`: `none`,
/// `whitelist`, `allViewer`, `allViewerAndWhitelistCloudFront`,
/// `allExcept`). Header names compare without regard to case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum HeaderSelection {
    /// None beyond what the cache key holds ("Even when this field is set to
    /// none, any headers that are listed in a CachePolicy are included").
    #[default]
    None,
    /// Only these (`whitelist`); CloudFront headers such as
    /// `CloudFront-Is-Mobile-Viewer` may be listed too.
    AllowList(Vec<String>),
    /// Every viewer header (`allViewer`).
    AllViewer,
    /// Every viewer header and these CloudFront headers
    /// (`allViewerAndWhitelistCloudFront`).
    AllViewerAndCloudFront(Vec<String>),
    /// Every viewer header but these (`allExcept`).
    AllExcept(Vec<String>),
}

impl HeaderSelection {
    /// Whether the viewer's header `name` is forwarded. The device headers
    /// are CloudFront's, not the viewer's: see `forwards_cloudfront_header`.
    pub fn forwards_viewer_header(&self, name: &str) -> bool {
        let listed = |names: &[String]| names.iter().any(|n| n.eq_ignore_ascii_case(name));
        match self {
            HeaderSelection::None => false,
            HeaderSelection::AllowList(names) => listed(names),
            HeaderSelection::AllViewer | HeaderSelection::AllViewerAndCloudFront(_) => true,
            HeaderSelection::AllExcept(names) => !listed(names),
        }
    }

    /// Whether CloudFront adds its header `name` (a `CloudFront-*` header it
    /// computes, such as the device headers) to the origin request: only
    /// when the policy names it (DG "Add CloudFront request headers": use an
    /// origin request policy that includes the header).
    pub fn forwards_cloudfront_header(&self, name: &str) -> bool {
        match self {
            HeaderSelection::AllowList(names) | HeaderSelection::AllViewerAndCloudFront(names) => {
                names.iter().any(|n| n.eq_ignore_ascii_case(name))
            }
            _ => false,
        }
    }

    /// The header names it lists.
    pub fn names(&self) -> &[String] {
        match self {
            HeaderSelection::AllowList(n)
            | HeaderSelection::AllViewerAndCloudFront(n)
            | HeaderSelection::AllExcept(n) => n,
            HeaderSelection::None | HeaderSelection::AllViewer => &[],
        }
    }

    /// In words, for `cdnsim validate`.
    pub fn describe(&self) -> String {
        match self {
            HeaderSelection::None => "none".into(),
            HeaderSelection::AllowList(n) => format!("only [{}]", n.join(", ")),
            HeaderSelection::AllViewer => "every viewer header".into(),
            HeaderSelection::AllViewerAndCloudFront(n) => format!("every viewer header and [{}]", n.join(", ")),
            HeaderSelection::AllExcept(n) => format!("every viewer header but [{}]", n.join(", ")),
        }
    }
}

/// Viewer headers a behavior with legacy cache settings (no cache policy)
/// removes when its `ForwardedValues` does not key them; it forwards every
/// other viewer header ("Other-defined headers: CloudFront forwards the
/// headers to your origin"). From the Developer Guide's table "HTTP request
/// headers and CloudFront behavior (custom and Amazon S3 origins)", column
/// "Behavior if you don't configure CloudFront to cache based on header
/// values" (DG "Request and response behavior for custom origins"; "Control
/// origin requests with a policy": "With legacy cache settings, CloudFront
/// forwards the headers to your origin by default"). `User-Agent` is
/// replaced by `Amazon CloudFront`: the viewer's does not reach the origin.
pub const LEGACY_REMOVED_HEADERS: [&str; 15] = [
    "Accept",
    "Accept-Charset",
    "Accept-Language",
    "Expect",
    "Proxy-Authenticate",
    "Proxy-Authorization",
    "Proxy-Connection",
    "Referer",
    "TE",
    "Trailer",
    "Upgrade",
    "User-Agent",
    "X-Forwarded-Proto",
    "X-HTTP-Method-Override",
    "X-Real-IP",
];

/// What an origin request policy adds to the origin request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OriginRequestSettings {
    pub query_strings: NameSelection,
    pub headers: HeaderSelection,
    pub cookies: NameSelection,
}

impl OriginRequestSettings {
    /// In words, for `cdnsim validate`.
    pub fn describe(&self) -> String {
        format!(
            "query strings {}, headers {}, cookies {}",
            self.query_strings.describe(),
            self.headers.describe(),
            self.cookies.describe()
        )
    }
}

/// A named origin request policy of the scenario
/// (`[[distribution.origin_request_policies]]`) or a managed one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OriginRequestPolicySpec {
    pub name: String,
    pub settings: OriginRequestSettings,
}

/// A managed policy's headers, as a `const` can hold them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ManagedHeaders {
    Only(&'static [&'static str]),
    AllViewer,
    AllViewerAnd(&'static [&'static str]),
    AllExcept(&'static [&'static str]),
}

/// One of CloudFront's managed origin request policies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ManagedOriginRequestPolicy {
    /// The same in every account.
    pub id: &'static str,
    /// The console shows it with `Managed-` in front.
    pub name: &'static str,
    pub query_strings: ManagedNames,
    pub headers: ManagedHeaders,
    pub cookies: ManagedNames,
}

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}

impl ManagedOriginRequestPolicy {
    pub fn settings(&self) -> OriginRequestSettings {
        let names = |n: ManagedNames| match n {
            ManagedNames::None => NameSelection::None,
            ManagedNames::All => NameSelection::All,
            ManagedNames::Only(names) => NameSelection::AllowList(strings(names)),
        };
        let headers = match self.headers {
            ManagedHeaders::Only(h) => HeaderSelection::AllowList(strings(h)),
            ManagedHeaders::AllViewer => HeaderSelection::AllViewer,
            ManagedHeaders::AllViewerAnd(h) => HeaderSelection::AllViewerAndCloudFront(strings(h)),
            ManagedHeaders::AllExcept(h) => HeaderSelection::AllExcept(strings(h)),
        };
        OriginRequestSettings { query_strings: names(self.query_strings), headers, cookies: names(self.cookies) }
    }

    pub fn spec(&self) -> OriginRequestPolicySpec {
        OriginRequestPolicySpec { name: self.name.to_string(), settings: self.settings() }
    }
}

/// The CloudFront headers `AllViewerAndCloudFrontHeaders-2022-06` adds, as
/// far as cdnsim models them: the device headers. (The policy adds every
/// CloudFront header released by June 2022, the viewer's address and
/// location among them; a simulated request carries only its device.)
const DEVICE_HEADERS: &[&str] = &[
    "CloudFront-Is-Desktop-Viewer",
    "CloudFront-Is-Mobile-Viewer",
    "CloudFront-Is-Tablet-Viewer",
    "CloudFront-Is-SmartTV-Viewer",
];

/// CloudFront's managed origin request policies, as the Developer Guide's
/// "Use managed origin request policies" lists them
/// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html):
/// each ID and setting below is the page's. `AllViewerExceptHostHeader`
/// "doesn't include the Host header" and adds CloudFront's headers for the
/// protocol, device and viewer location, modelled as every viewer header but
/// `Host` plus the device headers. (The page also lists
/// `Elemental-MediaTailor-PersonalizedManifests` and `HostHeaderOnly`.)
pub const MANAGED_ORIGIN_REQUEST_POLICIES: [ManagedOriginRequestPolicy; 7] = [
    ManagedOriginRequestPolicy {
        id: "216adef6-5c7f-47e4-b989-5492eafa07d3",
        name: "AllViewer",
        query_strings: ManagedNames::All,
        headers: ManagedHeaders::AllViewer,
        cookies: ManagedNames::All,
    },
    ManagedOriginRequestPolicy {
        id: "33f36d7e-f396-46d9-90e0-52428a34d9dc",
        name: "AllViewerAndCloudFrontHeaders-2022-06",
        query_strings: ManagedNames::All,
        headers: ManagedHeaders::AllViewerAnd(DEVICE_HEADERS),
        cookies: ManagedNames::All,
    },
    ManagedOriginRequestPolicy {
        id: "b689b0a8-53d0-40ab-baf2-68738e2966ac",
        name: "AllViewerExceptHostHeader",
        query_strings: ManagedNames::All,
        headers: ManagedHeaders::AllExcept(&["Host"]),
        cookies: ManagedNames::All,
    },
    ManagedOriginRequestPolicy {
        id: "59781a5b-3903-41f3-afcb-af62929ccde1",
        name: "CORS-CustomOrigin",
        query_strings: ManagedNames::None,
        headers: ManagedHeaders::Only(&["Origin"]),
        cookies: ManagedNames::None,
    },
    ManagedOriginRequestPolicy {
        id: "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
        name: "CORS-S3Origin",
        query_strings: ManagedNames::None,
        headers: ManagedHeaders::Only(&["Origin", "Access-Control-Request-Headers", "Access-Control-Request-Method"]),
        cookies: ManagedNames::None,
    },
    ManagedOriginRequestPolicy {
        id: "775133bc-15f2-49f9-abea-afb2e0bf67d2",
        name: "Elemental-MediaTailor-PersonalizedManifests",
        query_strings: ManagedNames::All,
        headers: ManagedHeaders::Only(&[
            "Origin",
            "Access-Control-Request-Headers",
            "Access-Control-Request-Method",
            "User-Agent",
            "X-Forwarded-For",
        ]),
        cookies: ManagedNames::None,
    },
    ManagedOriginRequestPolicy {
        id: "acba4595-bd28-49b8-b9fe-13317c0390fa",
        name: "UserAgentRefererHeaders",
        query_strings: ManagedNames::None,
        headers: ManagedHeaders::Only(&["User-Agent", "Referer"]),
        cookies: ManagedNames::None,
    },
];

/// The managed origin request policy named `name` (`AllViewer`, or as the
/// console shows it, `Managed-AllViewer`) or with ID `name`.
pub fn managed_origin_request_policy(name: &str) -> Option<&'static ManagedOriginRequestPolicy> {
    let bare = name.strip_prefix("Managed-").unwrap_or(name);
    MANAGED_ORIGIN_REQUEST_POLICIES.iter().find(|p| p.name == bare || p.id == name)
}

/// The managed policies' names, for error messages.
pub fn managed_origin_request_policy_names() -> String {
    MANAGED_ORIGIN_REQUEST_POLICIES.map(|p| p.name).join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managed_policies_by_name_console_name_and_id() {
        let all = managed_origin_request_policy("AllViewer").unwrap();
        assert_eq!(managed_origin_request_policy("Managed-AllViewer"), Some(all));
        assert_eq!(managed_origin_request_policy("216adef6-5c7f-47e4-b989-5492eafa07d3"), Some(all));
        assert!(managed_origin_request_policy("allviewer").is_none(), "names are case-sensitive");
        let s = all.settings();
        assert_eq!((s.query_strings, s.cookies), (NameSelection::All, NameSelection::All));
        assert!(s.headers.forwards_viewer_header("Host") && !s.headers.forwards_cloudfront_header(DEVICE_HEADERS[1]));
        for p in &MANAGED_ORIGIN_REQUEST_POLICIES {
            assert_eq!(p.id.len(), 36, "{}", p.name);
            assert_eq!(managed_origin_request_policy(p.id), Some(p));
        }
    }

    #[test]
    fn the_documented_settings() {
        let except_host = managed_origin_request_policy("AllViewerExceptHostHeader").unwrap().settings().headers;
        assert!(!except_host.forwards_viewer_header("host") && except_host.forwards_viewer_header("Accept-Language"));
        let cors = managed_origin_request_policy("CORS-S3Origin").unwrap().settings();
        assert!(cors.headers.forwards_viewer_header("origin") && !cors.headers.forwards_viewer_header("Referer"));
        assert!(cors.query_strings.is_none() && cors.cookies.is_none());
        let ua = managed_origin_request_policy("UserAgentRefererHeaders").unwrap().settings();
        assert_eq!(ua.headers.names(), ["User-Agent", "Referer"]);
        let cf = managed_origin_request_policy("AllViewerAndCloudFrontHeaders-2022-06").unwrap().settings();
        assert!(cf.headers.forwards_cloudfront_header("cloudfront-is-mobile-viewer"));
        assert_eq!(HeaderSelection::AllExcept(vec!["Host".into()]).describe(), "every viewer header but [Host]");
    }
}
