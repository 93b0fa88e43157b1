//! Which tiers a viewer request passes through (reference §5.1 and §6.2,
//! Developer Guide "How CloudFront delivers content" and "Origin Shield").

use crate::http::{Method, MethodSet};

/// How a request travels from its edge location to the origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// Looked up in the edge cache; on a miss, asked of the regional edge cache
    /// (if `via_regional`) and the origin shield (if any), then the origin.
    Cached { via_regional: bool },
    /// Sent from the edge straight to the origin with no cache lookup on the way
    /// (proxy methods and dynamic requests). It still passes through an origin
    /// shield, which does not cache it.
    Proxy,
}

/// Facts about the request and its behavior that decide the route.
#[derive(Clone, Copy, Debug)]
pub struct RouteInputs {
    pub method: Method,
    pub cached_methods: MethodSet,
    /// The behavior's Max TTL is 0 (CachingDisabled): CloudFront treats such
    /// requests as dynamic.
    pub caching_disabled: bool,
    /// The origin is an S3 bucket in the same AWS Region as the edge's regional
    /// edge cache: CloudFront then goes straight to the bucket (DG-how).
    pub s3_origin_in_edge_region: bool,
}

/// Decides the route. Only cached methods are looked up in a cache; OPTIONS,
/// even when cached at the edge, skips the regional edge cache (the reference
/// notes the Developer Guide lists it among the methods that do: §5.1 [CONFLICT]).
pub fn route(inputs: RouteInputs) -> Route {
    if inputs.caching_disabled || !inputs.cached_methods.contains(inputs.method) {
        return Route::Proxy;
    }
    let via_regional = inputs.method != Method::Options && !inputs.s3_origin_in_edge_region;
    Route::Cached { via_regional }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(method: Method) -> RouteInputs {
        RouteInputs {
            method,
            cached_methods: MethodSet::GET_HEAD,
            caching_disabled: false,
            s3_origin_in_edge_region: false,
        }
    }

    #[test]
    fn proxy_methods_bypass_every_cache() {
        for method in [Method::Post, Method::Put, Method::Patch, Method::Delete, Method::Options] {
            assert_eq!(route(inputs(method)), Route::Proxy, "{method}");
        }
        assert_eq!(route(inputs(Method::Get)), Route::Cached { via_regional: true });
        assert_eq!(route(inputs(Method::Head)), Route::Cached { via_regional: true });
    }

    #[test]
    fn cached_options_stays_at_the_edge() {
        let i = RouteInputs { cached_methods: MethodSet::GET_HEAD_OPTIONS, ..inputs(Method::Options) };
        assert_eq!(route(i), Route::Cached { via_regional: false });
    }

    #[test]
    fn dynamic_and_same_region_s3_requests_skip_the_regional_cache() {
        let dynamic = RouteInputs { caching_disabled: true, ..inputs(Method::Get) };
        assert_eq!(route(dynamic), Route::Proxy);
        let s3 = RouteInputs { s3_origin_in_edge_region: true, ..inputs(Method::Get) };
        assert_eq!(route(s3), Route::Cached { via_regional: false });
    }
}
