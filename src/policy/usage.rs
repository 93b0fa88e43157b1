//! What CloudFront meters, request by request: which request line of the
//! usage report a viewer request goes on, whether a request reaching Origin
//! Shield is charged, and the duration a Lambda@Edge run is billed for.
//! (What it costs is `cdnsim-cost`'s business; this only sorts usage.)

use crate::http::Method;
use crate::time::SimDuration;

/// The request lines of the usage report, per region of the serving edge
/// (Developer Guide, "Interpret your AWS bill and usage reports for
/// CloudFront"): GET and HEAD are `Requests-Tier1` over HTTP and
/// `Requests-Tier2-HTTPS` over HTTPS; DELETE, OPTIONS, PATCH, POST and PUT,
/// which CloudFront proxies to the origin, are `Requests-HTTP-Proxy` and
/// `Requests-HTTPS-Proxy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestKind {
    Http,
    Https,
    HttpProxy,
    HttpsProxy,
}

impl RequestKind {
    pub const ALL: [RequestKind; 4] =
        [RequestKind::Http, RequestKind::Https, RequestKind::HttpProxy, RequestKind::HttpsProxy];

    /// The kind's position in `ALL`.
    #[inline]
    pub const fn index(self) -> usize {
        self as usize
    }
}

/// The usage line of a viewer request. Every request the edge answers is
/// metered, whatever its answer: the Developer Guide's pricing page bills
/// "HTTP/HTTPS requests" with no exception for errors, and its custom error
/// page says "you pay the standard CloudFront charges for the custom error
/// page" (so a 403, a 404 or a redirect is a request like a hit).
#[inline]
pub const fn request_kind(method: Method, https: bool) -> RequestKind {
    match (carries_request_body(method), https) {
        (false, false) => RequestKind::Http,
        (false, true) => RequestKind::Https,
        (true, false) => RequestKind::HttpProxy,
        (true, true) => RequestKind::HttpsProxy,
    }
}

/// Whether requests of `method` carry a body CloudFront sends on to the
/// origin: DELETE, OPTIONS, PATCH, POST and PUT, whose bodies the usage
/// report meters as `DataTransfer-Out-OBytes` ("data transfer out from
/// CloudFront edge locations to your origin", Developer Guide, "Interpret
/// your AWS bill and usage reports for CloudFront").
#[inline]
pub const fn carries_request_body(method: Method) -> bool {
    method.is_proxied()
}

/// Whether a request reaching Origin Shield is charged there (Developer
/// Guide, "Using Amazon CloudFront Origin Shield", "Estimating Origin Shield
/// costs"): a dynamic request (one the shield only passes through: a proxy
/// method, or caching off) always is; a cacheable one is when it comes from
/// a regional edge cache (or an edge location's own) in another AWS Region
/// than the shield's. A request whose regional edge cache is in the
/// shield's Region pays nothing for the shield.
#[inline]
pub const fn origin_shield_charged(cacheable: bool, from_shield_region: bool) -> bool {
    !cacheable || !from_shield_region
}

/// A Lambda@Edge run's billed duration in milliseconds: "metered in 1 ms
/// steps", rounded up (CloudFront pricing page, Lambda@Edge). The cold
/// start is not in it: it is the environment's initialisation, which the
/// pages read bill nowhere for Lambda@Edge.
#[inline]
pub const fn lambda_billed_ms(ran: SimDuration) -> u64 {
    ran.0.div_ceil(1_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_and_head_are_tiers_the_rest_proxy() {
        let cases = [
            (Method::Get, false, RequestKind::Http),
            (Method::Head, true, RequestKind::Https),
            (Method::Options, false, RequestKind::HttpProxy),
            (Method::Post, true, RequestKind::HttpsProxy),
            (Method::Put, false, RequestKind::HttpProxy),
            (Method::Patch, true, RequestKind::HttpsProxy),
            (Method::Delete, true, RequestKind::HttpsProxy),
        ];
        for (method, https, kind) in cases {
            assert_eq!(request_kind(method, https), kind, "{method:?} https={https}");
        }
        for (i, kind) in RequestKind::ALL.iter().enumerate() {
            assert_eq!(kind.index(), i);
        }
        let with_bodies: Vec<Method> = Method::ALL.into_iter().filter(|m| carries_request_body(*m)).collect();
        assert_eq!(with_bodies, [Method::Options, Method::Put, Method::Post, Method::Patch, Method::Delete]);
    }

    #[test]
    fn the_shield_charges_dynamic_requests_and_other_regions() {
        assert!(origin_shield_charged(false, true), "dynamic requests always pay");
        assert!(origin_shield_charged(false, false));
        assert!(origin_shield_charged(true, false), "a cacheable request from another Region pays");
        assert!(!origin_shield_charged(true, true), "from the shield's own Region it is free");
    }

    #[test]
    fn lambda_runs_bill_whole_milliseconds_rounded_up() {
        assert_eq!(lambda_billed_ms(SimDuration::ZERO), 0);
        assert_eq!(lambda_billed_ms(SimDuration(1)), 1);
        assert_eq!(lambda_billed_ms(SimDuration(1_000)), 1);
        assert_eq!(lambda_billed_ms(SimDuration(1_001)), 2);
        assert_eq!(lambda_billed_ms(SimDuration(5_000_000)), 5_000);
    }
}
