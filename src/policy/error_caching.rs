//! What a cache does with an error response from upstream (reference §6.5,
//! §6.6; Developer Guide "How CloudFront processes and caches HTTP 4xx and
//! 5xx status codes from your origin").

use crate::time::{SimDuration, SimTime};

/// The fate of an error response reaching a cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorHandling {
    /// The cache holds an expired copy and the error is a 5xx (timeouts and
    /// refused connections included): it serves the copy instead, and keeps
    /// serving it until the error-caching minimum TTL has passed, when it
    /// asks the origin again.
    ServeStale { until: SimTime },
    /// An error CloudFront always caches: it answers lookups until `until`.
    Cache { until: SimTime },
    /// Passed to the viewer without being stored: a 4xx while an expired
    /// copy is held, or an error CloudFront caches only when the origin
    /// says how long (400, 403, 405, 412, 415; not modelled).
    PassOn,
}

/// Errors cached even when the origin sends no `Cache-Control` (reference §6.6).
pub fn always_cached(status: u16) -> bool {
    matches!(status, 404 | 414 | 500 | 501 | 502 | 503 | 504)
}

/// What a cache that received `status` at `now` does, given whether it
/// holds an expired copy of the object.
pub fn on_error(
    status: u16,
    holds_expired_copy: bool,
    now: SimTime,
    error_caching_min_ttl: SimDuration,
) -> ErrorHandling {
    debug_assert!(status >= 400, "{status} is not an error");
    let until = now + error_caching_min_ttl;
    if status >= 500 && holds_expired_copy {
        ErrorHandling::ServeStale { until }
    } else if always_cached(status) {
        ErrorHandling::Cache { until }
    } else {
        ErrorHandling::PassOn
    }
}

/// When a copy stored at a lower tier expires. A copy that a tier above
/// served because the origin failed is already expired there; it stays
/// expired at every tier, so it is never fresh below past the moment it
/// stops being served above (`stale_until`), whatever its TTL.
pub fn expiry_of_copy(now: SimTime, ttl: SimDuration, stale_until: Option<SimTime>) -> SimTime {
    let fresh = now + ttl;
    match stale_until {
        Some(until) => fresh.min(until),
        None => fresh,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEN_S: SimDuration = SimDuration::from_secs(10);

    #[test]
    fn a_5xx_with_an_expired_copy_serves_the_copy_for_the_error_ttl() {
        let now = SimTime(100_000_000);
        for status in [500, 502, 503, 504] {
            assert_eq!(on_error(status, true, now, TEN_S), ErrorHandling::ServeStale { until: SimTime(110_000_000) });
        }
    }

    #[test]
    fn a_4xx_passes_on_instead_of_the_copy() {
        let now = SimTime(100_000_000);
        assert_eq!(on_error(404, true, now, TEN_S), ErrorHandling::Cache { until: SimTime(110_000_000) });
        assert_eq!(on_error(403, true, now, TEN_S), ErrorHandling::PassOn);
        assert_eq!(on_error(403, false, now, TEN_S), ErrorHandling::PassOn);
        assert_eq!(on_error(503, false, now, TEN_S), ErrorHandling::Cache { until: SimTime(110_000_000) });
    }

    #[test]
    fn the_always_cached_list_is_the_documented_one() {
        let cached: Vec<u16> = (400..600).filter(|&s| always_cached(s)).collect();
        assert_eq!(cached, [404, 414, 500, 501, 502, 503, 504]);
    }

    #[test]
    fn a_copy_served_on_error_is_never_fresh_past_its_stale_window() {
        let now = SimTime(100_000_000);
        let day = SimDuration::from_secs(86_400);
        // Stored below at 100 s with a one-day TTL, but served stale above
        // until 110 s: fresh here until 110 s too.
        assert_eq!(expiry_of_copy(now, day, Some(SimTime(110_000_000))), SimTime(110_000_000));
        assert_eq!(expiry_of_copy(now, day, None), SimTime(86_500_000_000));
        // A TTL shorter than the window is kept.
        assert_eq!(expiry_of_copy(now, SimDuration::from_secs(5), Some(SimTime(110_000_000))), SimTime(105_000_000));
    }
}
