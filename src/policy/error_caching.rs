//! What a cache does with an error response from upstream (reference §6.5,
//! §6.6; Developer Guide "How CloudFront processes and caches HTTP 4xx and
//! 5xx status codes from your origin"), and how the origin's
//! `stale-if-error` directive bounds the expired copy served instead.
//!
//! Two documents speak of an expired copy answering an error, and they are
//! made one rule here:
//! - The error-handling page: when the origin returns a 5xx (or cannot be
//!   reached, or times out) and the cache holds an expired copy, CloudFront
//!   serves the copy, and asks the origin again after the error-caching
//!   minimum TTL. The page sets no limit on how long ago the copy expired.
//! - The May 2023 announcement "Amazon CloudFront supports stale-while-revalidate
//!   and stale-if-error cache control directives"
//!   (<https://aws.amazon.com/about-aws/whats-new/2023/05/amazon-cloudfront-stale-while-revalidate-stale-if-error-cache-control-directives/>):
//!   `stale-if-error` defines how long CloudFront reuses a stale response
//!   when the origin returns an error. And the expiration page
//!   (<https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Expiration.html>),
//!   in its warning for no-cache with a MinTTL above 0: the earlier copy is
//!   served when the origin cannot be reached "unless" it carried
//!   `stale-if-error=0` (reference §6.4).
//!
//! So: without the directive the copy answers as the error page says, with
//! no limit (today's model, unchanged); with `stale-if-error=N` it answers
//! only within N seconds after it expired, and is never kept as the answer
//! past that point (each serving lasts the error-caching minimum TTL or up
//! to the end of the window, whichever comes first); past the window the
//! error is handled as if no copy were held. `stale-if-error=0` thus never
//! serves the copy, as the warning says. The docs are silent on whether the
//! window is bounded by Min/Max TTL: it is counted from the copy's expiry,
//! which Min/Max TTL have already bounded, and is not itself clamped (a
//! careful reading: the TTL settings bound freshness, the window is the
//! origin's word on staleness). Responses with the directive are judged by
//! the same 5xx rule as those without: the docs name no other statuses.
//!
//! How long an error is kept also depends on the origin's own headers on it
//! (Developer Guide, "Control how long CloudFront caches errors",
//! <https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/custom-error-pages-expiration.html>,
//! and "HTTP 4xx and 5xx status codes that CloudFront caches" on the page
//! "How CloudFront processes HTTP 4xx and 5xx status codes from your
//! origin"; reference §6.6):
//! - with `max-age` or `s-maxage`, the error is kept for the header's value
//!   or the error-caching minimum TTL, whichever is greater, and 400, 403,
//!   405, 412 and 415, otherwise never cached, are cached too;
//! - with `no-store`, `no-cache` or `private` on a 404, 410, 414 or 501 it
//!   is not cached at all; on any other code those directives are ignored;
//! - with other directives, or none, the minimum TTL applies as before.
//!
//! Errors CloudFront makes itself (it could not reach the origin, or the
//! origin did not answer in time) carry no origin headers.

use crate::http::CacheControl;
use crate::scenario::CustomErrorResponse;
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
    /// copy is held, an error CloudFront caches only when the origin says
    /// how long (400, 403, 405, 412, 415) and it did not, or one whose
    /// origin forbade caching it (`ErrorHeaders::Forbidden`).
    PassOn,
}

/// What an error response's own `Cache-Control` says about keeping it, as
/// the cache receiving it reads it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ErrorHeaders {
    /// No `max-age` or `s-maxage` (nor a directive that forbids caching
    /// this code): an error CloudFront made itself, or an origin that sends
    /// none. The error-caching minimum TTL alone applies.
    #[default]
    Silent,
    /// `s-maxage` or `max-age`: how long the response may still be kept
    /// (for a response a tier above kept, what is left of it there).
    MaxAge(SimDuration),
    /// `no-store`, `no-cache` or `private` on a code for which they stop
    /// CloudFront caching the error (404, 410, 414, 501).
    Forbidden,
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

/// The error-caching minimum TTL of `status`: its custom error response's
/// `ErrorCachingMinTTL` if the distribution has one for the code, else
/// `distribution_wide` (cdnsim's one setting for the rest, 10 s unless the
/// scenario sets it, as CloudFront's default is; reference §6.6, Developer
/// Guide "Custom error pages and error caching"). A 416 is never cached
/// whatever its entry says (Developer Guide, "Create a custom error page
/// for specific HTTP status codes"): `always_cached` leaves it out, so its
/// TTL is never read.
pub fn min_ttl_for(status: u16, custom: &[CustomErrorResponse], distribution_wide: SimDuration) -> SimDuration {
    custom.iter().find(|c| c.error_code == status).map_or(distribution_wide, |c| c.error_caching_min_ttl)
}

/// Errors cached only when the origin's response says how long, with
/// `max-age` or `s-maxage` (reference §6.6).
pub fn cached_when_origin_says(status: u16) -> bool {
    matches!(status, 400 | 403 | 405 | 412 | 415)
}

/// Codes whose error CloudFront does not cache when the origin adds
/// `no-store`, `no-cache` or `private`; on every other code it ignores them
/// (Developer Guide, "Control how long CloudFront caches errors"). 410 is
/// on the page's list though CloudFront never caches it: kept for fidelity,
/// it changes nothing.
pub fn origin_may_forbid(status: u16) -> bool {
    matches!(status, 404 | 410 | 414 | 501)
}

/// What an origin whose error responses carry `cache_control` says about
/// its error `status`. `s-maxage` is read before `max-age`: it is the one
/// addressed to shared caches such as CloudFront's (as for objects,
/// `policy::ttl`). A directive that forbids caching wins over a lifetime on
/// the codes it applies to (a response must not be stored at all).
pub fn origin_error_headers(status: u16, cache_control: &CacheControl) -> ErrorHeaders {
    if origin_may_forbid(status) && cache_control.forbids_reuse() {
        return ErrorHeaders::Forbidden;
    }
    match cache_control.s_maxage_s.or(cache_control.max_age_s) {
        Some(seconds) => ErrorHeaders::MaxAge(SimDuration::from_secs(seconds)),
        None => ErrorHeaders::Silent,
    }
}

/// Until when a cache that received the error `status` at `now`, with the
/// origin's word on it `headers`, and had no copy to serve instead, keeps it
/// as the answer to later lookups; `None` when it does not store it. With
/// `max-age` or `s-maxage` the longer of it and the error-caching minimum
/// TTL wins; without, the minimum TTL alone (reference §6.6; Developer
/// Guide, "Control how long CloudFront caches errors").
pub fn cached_until(
    status: u16,
    now: SimTime,
    error_caching_min_ttl: SimDuration,
    headers: ErrorHeaders,
) -> Option<SimTime> {
    match headers {
        ErrorHeaders::Forbidden => None,
        ErrorHeaders::Silent => always_cached(status).then(|| now + error_caching_min_ttl),
        ErrorHeaders::MaxAge(max_age) => {
            (always_cached(status) || cached_when_origin_says(status)).then(|| now + error_caching_min_ttl.max(max_age))
        }
    }
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
    headers: ErrorHeaders,
) -> ErrorHandling {
    on_error_within(status, holds_expired_copy, None, now, error_caching_min_ttl, headers)
}

/// The end of a copy's `stale-if-error` window: `window` after the copy
/// expired (`expired_at`, its expiry under the TTL decision).
pub fn stale_if_error_deadline(expired_at: SimTime, window: SimDuration) -> SimTime {
    expired_at + window
}

/// `on_error` for a copy that may answer errors only before `serve_before`
/// (its `stale-if-error` deadline); `None`, no directive: no limit. An
/// expired copy answering a 5xx is served for the minimum TTL whatever the
/// error's own headers say: the Guide's rule for the copy names the minimum
/// TTL alone, and the error itself is not what is kept.
pub fn on_error_within(
    status: u16,
    holds_expired_copy: bool,
    serve_before: Option<SimTime>,
    now: SimTime,
    error_caching_min_ttl: SimDuration,
    headers: ErrorHeaders,
) -> ErrorHandling {
    debug_assert!(is_error(status), "{status} is not an error");
    let within_window = serve_before.is_none_or(|deadline| now < deadline);
    if holds_expired_copy && within_window && serves_expired_copy_instead(status) {
        // Served until the error would have expired, then the origin is
        // asked again; never past the end of the stale-if-error window.
        let until = now + error_caching_min_ttl;
        return ErrorHandling::ServeStale { until: serve_before.map_or(until, |deadline| until.min(deadline)) };
    }
    match cached_until(status, now, error_caching_min_ttl, headers) {
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
    const SILENT: ErrorHeaders = ErrorHeaders::Silent;

    #[test]
    fn a_5xx_with_an_expired_copy_serves_the_copy_for_the_error_ttl() {
        let now = SimTime(100_000_000);
        for status in [500, 502, 503, 504] {
            assert_eq!(
                on_error(status, true, now, TEN_S, SILENT),
                ErrorHandling::ServeStale { until: SimTime(110_000_000) }
            );
        }
    }

    #[test]
    fn a_4xx_passes_on_instead_of_the_copy() {
        let now = SimTime(100_000_000);
        assert_eq!(on_error(404, true, now, TEN_S, SILENT), ErrorHandling::Cache { until: SimTime(110_000_000) });
        assert_eq!(on_error(403, true, now, TEN_S, SILENT), ErrorHandling::PassOn);
        assert_eq!(on_error(403, false, now, TEN_S, SILENT), ErrorHandling::PassOn);
        assert_eq!(on_error(503, false, now, TEN_S, SILENT), ErrorHandling::Cache { until: SimTime(110_000_000) });
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
        assert_eq!(cached_until(404, now, TEN_S, SILENT), Some(SimTime(110_000_000)));
        assert_eq!(cached_until(503, now, TEN_S, SILENT), Some(SimTime(110_000_000)));
        for status in [400, 403, 405, 412, 415] {
            assert_eq!(cached_until(status, now, TEN_S, SILENT), None, "{status}");
        }
        // A shorter minimum TTL shortens the window with it.
        assert_eq!(cached_until(504, now, SimDuration::from_secs(1), SILENT), Some(SimTime(101_000_000)));
    }

    /// A distribution with 10 s for every error but 503 (30 s) and 404
    /// (0 s). By hand: a 503 at 100 s is kept until 130 s; a 404 at 100 s
    /// until 100 s, so the next lookup asks the origin again; a 504, with no
    /// entry, until 110 s; a 503 with an expired copy serves the copy for
    /// 30 s, until 130 s.
    #[test]
    fn each_code_keeps_its_own_error_caching_min_ttl() {
        let custom = [
            CustomErrorResponse { error_code: 503, error_caching_min_ttl: SimDuration::from_secs(30), page: None },
            CustomErrorResponse { error_code: 404, error_caching_min_ttl: SimDuration::ZERO, page: None },
        ];
        let now = SimTime(100_000_000);
        let ttl = |status| min_ttl_for(status, &custom, TEN_S);
        assert_eq!(ttl(503), SimDuration::from_secs(30));
        assert_eq!(ttl(404), SimDuration::ZERO);
        assert_eq!(ttl(504), TEN_S);
        assert_eq!(cached_until(503, now, ttl(503), SILENT), Some(SimTime(130_000_000)));
        assert_eq!(cached_until(404, now, ttl(404), SILENT), Some(now));
        assert_eq!(cached_until(504, now, ttl(504), SILENT), Some(SimTime(110_000_000)));
        assert_eq!(
            on_error(503, true, now, ttl(503), SILENT),
            ErrorHandling::ServeStale { until: SimTime(130_000_000) }
        );
        // No entries at all: every code keeps the distribution-wide TTL.
        assert!((400..600).all(|s| min_ttl_for(s, &[], TEN_S) == TEN_S));
    }

    #[test]
    fn a_416_is_never_cached_whatever_its_entry_says() {
        let custom =
            [CustomErrorResponse { error_code: 416, error_caching_min_ttl: SimDuration::from_secs(300), page: None }];
        let now = SimTime(100_000_000);
        assert_eq!(cached_until(416, now, min_ttl_for(416, &custom, TEN_S), SILENT), None);
    }

    #[test]
    fn an_error_with_its_expired_copy_gone_is_cached_as_if_there_was_none() {
        // The engine's fallback when the copy found at lookup was evicted:
        // a 503 is then cached; a 4xx was never served stale anyway.
        let now = SimTime(100_000_000);
        assert_eq!(on_error(503, false, now, TEN_S, SILENT), ErrorHandling::Cache { until: SimTime(110_000_000) });
        assert_eq!(on_error(404, true, now, TEN_S, SILENT), on_error(404, false, now, TEN_S, SILENT));
    }

    /// stale-if-error=30 on a copy that expired at 60 s, with the default
    /// ErrorCachingMinTTL of 10 s, the origin failing from 65 s on. By hand:
    /// the deadline is 60 + 30 = 90 s. A 503 at 65 s: served until
    /// min(65 + 10, 90) = 75 s. At 75 s: until min(85, 90) = 85 s. At 85 s:
    /// until min(95, 90) = 90 s, the window's end. At 90 s the window is over:
    /// the 503 is cached (until 100 s) as if no copy were held.
    #[test]
    fn stale_if_error_bounds_the_copy_served_instead_of_an_error() {
        let deadline = stale_if_error_deadline(SimTime(60_000_000), SimDuration::from_secs(30));
        assert_eq!(deadline, SimTime(90_000_000));
        let at = |s: u64| on_error_within(503, true, Some(deadline), SimTime(s * 1_000_000), TEN_S, SILENT);
        assert_eq!(at(65), ErrorHandling::ServeStale { until: SimTime(75_000_000) });
        assert_eq!(at(75), ErrorHandling::ServeStale { until: SimTime(85_000_000) });
        assert_eq!(at(85), ErrorHandling::ServeStale { until: SimTime(90_000_000) });
        assert_eq!(at(90), ErrorHandling::Cache { until: SimTime(100_000_000) });
        // A 4xx passes on within the window as without the directive.
        let within = on_error_within(403, true, Some(deadline), SimTime(70_000_000), TEN_S, SILENT);
        assert_eq!(within, ErrorHandling::PassOn);
    }

    #[test]
    fn stale_if_error_zero_never_serves_the_copy_and_no_directive_never_stops() {
        // The expiration page: the copy is served "unless" it carried
        // stale-if-error=0. Expired at 60 s, a 502 at 60 s: the deadline is
        // 60 s itself, so the 502 is cached (until 70 s).
        let deadline = stale_if_error_deadline(SimTime(60_000_000), SimDuration::ZERO);
        let now = SimTime(60_000_000);
        assert_eq!(
            on_error_within(502, true, Some(deadline), now, TEN_S, SILENT),
            ErrorHandling::Cache { until: SimTime(70_000_000) }
        );
        // Without the directive a copy expired a day ago still answers.
        let day_later = SimTime(86_460_000_000);
        assert_eq!(
            on_error_within(502, true, None, day_later, TEN_S, SILENT),
            on_error(502, true, day_later, TEN_S, SILENT)
        );
        assert_eq!(
            on_error(502, true, day_later, TEN_S, SILENT),
            ErrorHandling::ServeStale { until: SimTime(86_470_000_000) }
        );
    }

    fn headers(status: u16, text: &str) -> ErrorHeaders {
        origin_error_headers(status, &text.parse::<CacheControl>().expect("valid Cache-Control"))
    }

    /// The Guide's rule, "the greater of the header's value and the error
    /// caching minimum TTL". By hand, an error received at 100 s: a 503 with
    /// `max-age=60` and a 10 s minimum is kept until 100 + max(10, 60) =
    /// 160 s; with `max-age=5`, until 100 + max(10, 5) = 110 s; a 404 with
    /// `max-age=60` and a 300 s minimum (its custom error response) until
    /// 100 + 300 = 400 s.
    #[test]
    fn the_longer_of_the_origins_max_age_and_the_min_ttl_wins() {
        let now = SimTime(100_000_000);
        assert_eq!(cached_until(503, now, TEN_S, headers(503, "max-age=60")), Some(SimTime(160_000_000)));
        assert_eq!(cached_until(503, now, TEN_S, headers(503, "max-age=5")), Some(SimTime(110_000_000)));
        let five_minutes = SimDuration::from_secs(300);
        assert_eq!(cached_until(404, now, five_minutes, headers(404, "max-age=60")), Some(SimTime(400_000_000)));
        // s-maxage speaks to shared caches and is read first: 100 + 30 = 130 s.
        assert_eq!(cached_until(502, now, TEN_S, headers(502, "max-age=600, s-maxage=30")), Some(SimTime(130_000_000)));
    }

    /// 400, 403, 405, 412 and 415 are cached only with max-age or s-maxage:
    /// a 403 with `max-age=30` at 100 s is kept until 130 s; without it, or
    /// with only other directives, it passes on.
    #[test]
    fn some_4xx_are_cached_only_when_the_origin_says_how_long() {
        let now = SimTime(100_000_000);
        for status in [400, 403, 405, 412, 415] {
            assert_eq!(cached_until(status, now, TEN_S, headers(status, "max-age=30")), Some(SimTime(130_000_000)));
            assert_eq!(cached_until(status, now, TEN_S, headers(status, "s-maxage=30")), Some(SimTime(130_000_000)));
            assert_eq!(cached_until(status, now, TEN_S, headers(status, "stale-if-error=30")), None, "{status}");
            assert_eq!(cached_until(status, now, TEN_S, SILENT), None, "{status}");
        }
        let listed: Vec<u16> = (400..600).filter(|&s| cached_when_origin_says(s)).collect();
        assert_eq!(listed, [400, 403, 405, 412, 415]);
        // Other codes stay uncached whatever the origin says: 401, 410, 416.
        for status in [401, 410, 416] {
            assert_eq!(cached_until(status, now, TEN_S, headers(status, "max-age=30")), None, "{status}");
        }
        assert_eq!(
            on_error(403, false, now, TEN_S, headers(403, "max-age=30")),
            ErrorHandling::Cache { until: SimTime(130_000_000) }
        );
    }

    /// no-store, no-cache or private stop caching a 404, 410, 414 or 501;
    /// on the other codes they are ignored and the minimum TTL applies.
    #[test]
    fn no_store_forbids_caching_only_on_the_listed_codes() {
        let now = SimTime(100_000_000);
        for directive in ["no-store", "no-cache", "private", "no-store, max-age=60"] {
            for status in [404, 414, 501] {
                assert_eq!(headers(status, directive), ErrorHeaders::Forbidden, "{status} {directive}");
                assert_eq!(cached_until(status, now, TEN_S, headers(status, directive)), None);
            }
            assert_eq!(headers(410, directive), ErrorHeaders::Forbidden);
        }
        for status in [500, 502, 503, 504] {
            assert_eq!(cached_until(status, now, TEN_S, headers(status, "no-store")), Some(SimTime(110_000_000)));
        }
        // A 503 with no-store and max-age=60: no-store ignored, max-age kept.
        assert_eq!(cached_until(503, now, TEN_S, headers(503, "no-store, max-age=60")), Some(SimTime(160_000_000)));
        assert_eq!(headers(503, ""), ErrorHeaders::Silent);
    }

    /// An expired copy answers a 5xx for the minimum TTL even when the
    /// error says max-age=60: a 503 at 100 s serves the copy until 110 s.
    #[test]
    fn an_expired_copy_answers_for_the_min_ttl_whatever_the_error_says() {
        let now = SimTime(100_000_000);
        assert_eq!(
            on_error(503, true, now, TEN_S, headers(503, "max-age=60")),
            ErrorHandling::ServeStale { until: SimTime(110_000_000) }
        );
        // A 403 with max-age=30 is cached even while a copy is held: a 4xx
        // never lets the copy answer.
        assert_eq!(
            on_error(403, true, now, TEN_S, headers(403, "max-age=30")),
            ErrorHandling::Cache { until: SimTime(130_000_000) }
        );
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
