//! How long CloudFront keeps an object: the TTL decision table of the
//! Developer Guide's "Manage how long content stays in the cache
//! (expiration)" page
//! (<https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Expiration.html>),
//! reference §6.4, including its "only `Expires`" row.

use crate::http::CacheControl;
use crate::scenario::TtlSettings;
use crate::time::SimDuration;

/// What a cache does with a response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TtlDecision {
    /// Not stored: the next request goes to the origin again.
    DoNotCache,
    /// Stored, fresh for this long; a zero TTL is stored but revalidated on
    /// every request (the Developer Guide: with TTL 0 CloudFront still caches
    /// and sends a conditional GET).
    Cache(SimDuration),
}

/// The freshness lifetime the origin gives, in seconds, before the
/// behavior's TTL settings bound it: `s-maxage`, else `max-age`, else
/// `Expires` (as seconds after the response, `expires_s`). The precedence of
/// `max-age` over `Expires` is the Developer Guide's: "If you specify values
/// for both, CloudFront uses only the value that you set for Cache-Control
/// max-age" (AWS Knowledge Center "Why isn't CloudFront caching my objects for
/// the time I specified", cloudfront-cache-files-time; reference §6.4
/// "Precedence"). `None`: the origin says nothing, so DefaultTTL applies.
pub fn origin_ttl_s(cache_control: &CacheControl, expires_s: Option<u64>) -> Option<u64> {
    cache_control.s_maxage_s.or(cache_control.max_age_s).or(expires_s)
}

/// The TTL decision table, for a response with `cache_control` and, when
/// `expires_s` is given, an `Expires` date that many seconds after it.
pub fn decide(cache_control: &CacheControl, expires_s: Option<u64>, ttl: &TtlSettings) -> TtlDecision {
    if ttl.caching_disabled() {
        return TtlDecision::DoNotCache;
    }
    let seconds = if cache_control.forbids_reuse() {
        // With MinTTL 0 CloudFront respects no-cache/no-store/private; above 0
        // it caches for MinTTL anyway (API CachePolicyConfig, reference §6.4).
        if ttl.min_s == 0 {
            return TtlDecision::DoNotCache;
        }
        ttl.min_s
    } else if let Some(origin_s) = origin_ttl_s(cache_control, expires_s) {
        // s-maxage, max-age and Expires rows alike: with MinTTL 0 "until the
        // date (or for max-age), or MaxTTL if sooner"; above 0 held within
        // Min and Max. `clamp` is both, since max(x, 0) = x.
        clamp(ttl, origin_s)
    } else {
        ttl.default_s.max(ttl.min_s)
    };
    TtlDecision::Cache(SimDuration::from_secs(seconds))
}

/// A TTL the origin sent, held within the behavior's Min and Max.
fn clamp(ttl: &TtlSettings, seconds: u64) -> u64 {
    seconds.max(ttl.min_s).min(ttl.max_s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cc(text: &str) -> CacheControl {
        text.parse().unwrap()
    }
    fn secs(s: u64) -> TtlDecision {
        TtlDecision::Cache(SimDuration::from_secs(s))
    }

    /// Each row of the table in reference §6.4, worked by hand for
    /// Min 0 / Default 86400 / Max 31536000 and for Min 100 / Default 1000 / Max 5000.
    #[test]
    fn decision_table() {
        let zero_min = TtlSettings::with_defaults(None, None, None);
        let positive_min = TtlSettings { min_s: 100, default_s: 1000, max_s: 5000 };
        let cases: [(&str, TtlDecision, TtlDecision); 10] = [
            ("no-cache", TtlDecision::DoNotCache, secs(100)),
            ("no-store", TtlDecision::DoNotCache, secs(100)),
            ("private, max-age=600", TtlDecision::DoNotCache, secs(100)),
            ("max-age=600, s-maxage=60", secs(60), secs(100)), // s-maxage below Min -> Min
            ("s-maxage=3000", secs(3000), secs(3000)),         // between -> as sent
            ("s-maxage=99999999", secs(31_536_000), secs(5000)), // above Max -> Max
            ("max-age=50", secs(50), secs(100)),
            ("max-age=2000", secs(2000), secs(2000)),
            ("max-age=0", secs(0), secs(100)),
            ("", secs(86_400), secs(1000)), // no header -> Default
        ];
        for (header, with_zero_min, with_positive_min) in cases {
            assert_eq!(decide(&cc(header), None, &zero_min), with_zero_min, "{header:?} with MinTTL 0");
            assert_eq!(decide(&cc(header), None, &positive_min), with_positive_min, "{header:?} with MinTTL 100");
        }
    }

    #[test]
    fn no_header_uses_the_larger_of_min_and_default() {
        let ttl = TtlSettings { min_s: 500, default_s: 500, max_s: 600 };
        assert_eq!(decide(&cc(""), None, &ttl), secs(500));
    }

    #[test]
    fn caching_disabled_never_stores() {
        let disabled = TtlSettings { min_s: 0, default_s: 0, max_s: 0 };
        assert_eq!(decide(&cc("max-age=3600"), None, &disabled), TtlDecision::DoNotCache);
        assert_eq!(decide(&cc(""), Some(3600), &disabled), TtlDecision::DoNotCache);
    }

    /// The "only Expires" row, worked by hand. With the default bounds
    /// (Min 0 / Default 86400 / Max 31536000): `Expires` 1 h after the
    /// response -> 3600 s, "until the date"; 2 years (63072000 s) -> MaxTTL
    /// 31536000 s, "or MaxTTL if sooner"; a date already past (0 s) -> 0 s,
    /// stored and revalidated on every request. With Min 100 / Default 1000
    /// / Max 5000: 60 s -> Min 100; 3600 s -> 3600; 86400 s -> Max 5000;
    /// clamp(date - now) as the table says.
    #[test]
    fn only_expires_is_held_within_min_and_max() {
        let defaults = TtlSettings::with_defaults(None, None, None);
        let positive_min = TtlSettings { min_s: 100, default_s: 1000, max_s: 5000 };
        let none = cc("");
        assert_eq!(decide(&none, Some(3600), &defaults), secs(3600));
        assert_eq!(decide(&none, Some(63_072_000), &defaults), secs(31_536_000));
        assert_eq!(decide(&none, Some(0), &defaults), secs(0));
        assert_eq!(decide(&none, Some(60), &positive_min), secs(100));
        assert_eq!(decide(&none, Some(3600), &positive_min), secs(3600));
        assert_eq!(decide(&none, Some(86_400), &positive_min), secs(5000));
        // Without Expires the same response takes DefaultTTL: 86400 s.
        assert_eq!(decide(&none, None, &defaults), secs(86_400));
    }

    /// max-age (and s-maxage above it) win over Expires when both are sent:
    /// max-age=10800 (3 h) with Expires a month (2592000 s) away caches for
    /// 3 h, the Knowledge Center's own example; s-maxage=60 beats both.
    #[test]
    fn max_age_takes_precedence_over_expires() {
        let defaults = TtlSettings::with_defaults(None, None, None);
        assert_eq!(decide(&cc("max-age=10800"), Some(2_592_000), &defaults), secs(10_800));
        assert_eq!(decide(&cc("max-age=10800, s-maxage=60"), Some(2_592_000), &defaults), secs(60));
        // A max-age of 0 is a value too: Expires does not stretch it.
        assert_eq!(decide(&cc("max-age=0"), Some(3600), &defaults), secs(0));
        assert_eq!(origin_ttl_s(&cc("max-age=5"), Some(9)), Some(5));
        assert_eq!(origin_ttl_s(&cc(""), Some(9)), Some(9));
        assert_eq!(origin_ttl_s(&cc("no-store"), None), None);
    }

    /// no-cache / no-store / private come before every row, Expires included.
    #[test]
    fn no_store_wins_over_expires() {
        let defaults = TtlSettings::with_defaults(None, None, None);
        assert_eq!(decide(&cc("no-store"), Some(3600), &defaults), TtlDecision::DoNotCache);
    }
}
