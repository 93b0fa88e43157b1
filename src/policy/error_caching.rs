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

/// Whether a response is an error, handled by these rules rather than
/// stored under the object's TTL: 4xx and 5xx (reference §6.6). 2xx and 3xx
/// responses are cached as the TTL decision says (`policy::ttl`).
pub fn is_error(status: u16) -> bool {
    status >= 400
}

/// Errors cached even when the origin sends no `Cache-Control` (reference §6.6).
pub fn always_cached(status: u16) -> bool {
    matches!(status, 404 | 414 | 500 | 501 | 502 | 503 | 504)
}

/// Whether a cache holding an expired copy answers with that copy instead
/// of this error: for a 5xx, which includes an origin CloudFront could not
/// reach (502) or that did not answer in time (504); a 4xx reaches the
/// viewer instead (reference §6.5; Developer Guide "How CloudFront
/// processes and caches HTTP 4xx and 5xx status codes from your origin").
pub fn serves_expired_copy_instead(status: u16) -> bool {
    status >= 500
}

/// Until when a cache that received the error `status` at `now`, and had
/// no copy to serve instead, keeps it as the answer to later lookups; `None`
/// when it does not store it. The origin's own `max-age` for errors is not
/// modelled, so an error is kept for exactly the error-caching minimum TTL
/// (reference §6.6: "cached for max(ErrorCachingMinTTL, origin max-age)").
pub fn cached_until(status: u16, now: SimTime, error_caching_min_ttl: SimDuration) -> Option<SimTime> {
    always_cached(status).then(|| now + error_caching_min_ttl)
}

/// What a cache that received `status` at `now` does, given whether it
/// holds an expired copy of the object. An engine that finds the copy gone
/// when it acts on `ServeStale` (evicted since the lookup) asks again with
/// `holds_expired_copy` false.
pub fn on_error(
    status: u16,
    holds_expired_copy: bool,
    now: SimTime,
    error_caching_min_ttl: SimDuration,
) -> ErrorHandling {
    debug_assert!(is_error(status), "{status} is not an error");
    if holds_expired_copy && serves_expired_copy_instead(status) {
        // Served until the error would have expired, then the origin is asked again.
        return ErrorHandling::ServeStale { until: now + error_caching_min_ttl };
    }
    match cached_until(status, now, error_caching_min_ttl) {
        Some(until) => ErrorHandling::Cache { until },
        None => ErrorHandling::PassOn,
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
    fn only_4xx_and_5xx_are_errors() {
        assert!(!is_error(200) && !is_error(304) && !is_error(399));
        assert!(is_error(400) && is_error(404) && is_error(503) && is_error(599));
    }

    #[test]
    fn only_a_5xx_is_answered_by_an_expired_copy() {
        // Reference §6.5: "If the origin cannot be reached, or returns 5xx,
        // while an expired copy is cached: serve the expired copy ... A 4xx is
        // passed to the viewer instead"; a timeout (504) or a refused
        // connection (502) counts as a 5xx.
        let served: Vec<u16> = (400..600).filter(|&s| serves_expired_copy_instead(s)).collect();
        assert_eq!(served, (500..600).collect::<Vec<u16>>());
    }

    #[test]
    fn an_always_cached_error_is_kept_for_the_error_caching_min_ttl() {
        // Reference §6.6 with the default ErrorCachingMinTTL of 10 s: a 404
        // at 100 s answers lookups until 110 s; a 403 (cached only when the
        // origin says how long, which is not modelled) is not kept at all.
        let now = SimTime(100_000_000);
        assert_eq!(cached_until(404, now, TEN_S), Some(SimTime(110_000_000)));
        assert_eq!(cached_until(503, now, TEN_S), Some(SimTime(110_000_000)));
        for status in [400, 403, 405, 412, 415] {
            assert_eq!(cached_until(status, now, TEN_S), None, "{status}");
        }
        // A shorter minimum TTL shortens the window with it.
        assert_eq!(cached_until(504, now, SimDuration::from_secs(1)), Some(SimTime(101_000_000)));
    }

    #[test]
    fn an_error_with_its_expired_copy_gone_is_cached_as_if_there_was_none() {
        // The engine's fallback when the copy found at lookup was evicted:
        // a 503 is then cached; a 4xx was never served stale anyway.
        let now = SimTime(100_000_000);
        assert_eq!(on_error(503, false, now, TEN_S), ErrorHandling::Cache { until: SimTime(110_000_000) });
        assert_eq!(on_error(404, true, now, TEN_S), on_error(404, false, now, TEN_S));
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
