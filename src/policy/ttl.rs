//! How long CloudFront keeps an object: the TTL decision table of the
//! Developer Guide's "Managing how long content stays in the cache
//! (expiration)" page, reference §6.4.

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

/// The TTL decision table. `Expires`-only responses are not modelled: scenario
/// classes describe their freshness with `Cache-Control`.
pub fn decide(cache_control: &CacheControl, ttl: &TtlSettings) -> TtlDecision {
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
    } else if let Some(s_maxage) = cache_control.s_maxage_s {
        clamp(ttl, s_maxage) // s-maxage wins over max-age
    } else if let Some(max_age) = cache_control.max_age_s {
        clamp(ttl, max_age)
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
            assert_eq!(decide(&cc(header), &zero_min), with_zero_min, "{header:?} with MinTTL 0");
            assert_eq!(decide(&cc(header), &positive_min), with_positive_min, "{header:?} with MinTTL 100");
        }
    }

    #[test]
    fn no_header_uses_the_larger_of_min_and_default() {
        let ttl = TtlSettings { min_s: 500, default_s: 500, max_s: 600 };
        assert_eq!(decide(&cc(""), &ttl), secs(500));
    }

    #[test]
    fn caching_disabled_never_stores() {
        let disabled = TtlSettings { min_s: 0, default_s: 0, max_s: 0 };
        assert_eq!(decide(&cc("max-age=3600"), &disabled), TtlDecision::DoNotCache);
    }
}
