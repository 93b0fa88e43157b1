//! Viewer and origin protocol policies: what the edge does with an HTTP
//! viewer, and which scheme CloudFront uses towards the origin (reference
//! §7.1, §7.2; Developer Guide "Requiring HTTPS for communication between
//! viewers and CloudFront" and "... between CloudFront and your custom
//! origin").

use crate::scenario::{OriginProtocolPolicy, ViewerProtocolPolicy};

/// What the edge does with a viewer request, before any cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewerDecision {
    Serve,
    /// 301 (GET, HEAD) or 307 (other methods) to the HTTPS URL; the viewer
    /// asks again over HTTPS, one viewer round trip later.
    Redirect,
    /// 403 at the edge: the object is not returned.
    Refuse403,
}

/// Which protocol policy let an origin leg be plain HTTP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CleartextCause {
    /// The origin's policy is `http-only`.
    OriginPolicy,
    /// The origin's policy is `match-viewer` and the viewer leg was HTTP,
    /// which the behavior's viewer policy (`allow-all`) let through.
    ViewerLeg,
}

/// The edge's answer to a viewer that used HTTPS (`viewer_https`) or not.
/// The HTTP/1.0 case of `redirect-to-https` (403 for methods other than GET
/// and HEAD) is not modelled: viewers speak HTTP/1.1 or later.
pub fn viewer_decision(policy: ViewerProtocolPolicy, viewer_https: bool) -> ViewerDecision {
    match (viewer_https, policy) {
        (true, _) | (false, ViewerProtocolPolicy::AllowAll) => ViewerDecision::Serve,
        (false, ViewerProtocolPolicy::RedirectToHttps) => ViewerDecision::Redirect,
        (false, ViewerProtocolPolicy::HttpsOnly) => ViewerDecision::Refuse403,
    }
}

/// The status of the `redirect-to-https` answer: 301 for GET and HEAD, 307
/// for the other methods so that the viewer repeats the method and body
/// (reference §7.1; Developer Guide "Requiring HTTPS between viewers and
/// CloudFront").
pub fn redirect_status(method: crate::http::Method) -> u16 {
    use crate::http::Method;
    if matches!(method, Method::Get | Method::Head) { 301 } else { 307 }
}

/// Whether CloudFront's request to the origin is encrypted, given the scheme
/// of the viewer request it serves (after any redirect).
pub fn origin_leg_https(policy: OriginProtocolPolicy, viewer_https: bool) -> bool {
    match policy {
        OriginProtocolPolicy::HttpOnly => false,
        OriginProtocolPolicy::HttpsOnly => true,
        OriginProtocolPolicy::MatchViewer => viewer_https,
    }
}

/// Why an origin leg is plain HTTP, or `None` when it is encrypted.
pub fn cleartext_cause(policy: OriginProtocolPolicy, viewer_https: bool) -> Option<CleartextCause> {
    match policy {
        OriginProtocolPolicy::HttpOnly => Some(CleartextCause::OriginPolicy),
        OriginProtocolPolicy::HttpsOnly => None,
        OriginProtocolPolicy::MatchViewer => (!viewer_https).then_some(CleartextCause::ViewerLeg),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OriginProtocolPolicy::{HttpOnly, MatchViewer};
    use ViewerProtocolPolicy::{AllowAll, RedirectToHttps};

    #[test]
    fn viewer_policy_decides_only_for_http_viewers() {
        let cases = [
            (AllowAll, false, ViewerDecision::Serve),
            (AllowAll, true, ViewerDecision::Serve),
            (RedirectToHttps, false, ViewerDecision::Redirect),
            (RedirectToHttps, true, ViewerDecision::Serve),
            (ViewerProtocolPolicy::HttpsOnly, false, ViewerDecision::Refuse403),
            (ViewerProtocolPolicy::HttpsOnly, true, ViewerDecision::Serve),
        ];
        for (policy, https, expected) in cases {
            assert_eq!(viewer_decision(policy, https), expected, "{policy:?} https={https}");
        }
    }

    #[test]
    fn redirects_keep_the_method_except_for_get_and_head() {
        use crate::http::Method::{Delete, Get, Head, Options, Patch, Post, Put};
        let statuses = [Get, Head, Post, Put, Delete, Options, Patch].map(redirect_status);
        assert_eq!(statuses, [301, 301, 307, 307, 307, 307, 307]);
    }

    #[test]
    fn origin_leg_for_each_policy_and_viewer_scheme() {
        let cases = [
            (HttpOnly, false, false, Some(CleartextCause::OriginPolicy)),
            (HttpOnly, true, false, Some(CleartextCause::OriginPolicy)),
            (OriginProtocolPolicy::HttpsOnly, false, true, None),
            (OriginProtocolPolicy::HttpsOnly, true, true, None),
            (MatchViewer, false, false, Some(CleartextCause::ViewerLeg)),
            (MatchViewer, true, true, None),
        ];
        for (policy, viewer_https, https, cause) in cases {
            assert_eq!(origin_leg_https(policy, viewer_https), https, "{policy:?} viewer_https={viewer_https}");
            assert_eq!(cleartext_cause(policy, viewer_https), cause, "{policy:?} viewer_https={viewer_https}");
        }
    }
}
