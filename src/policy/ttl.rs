//! How long CloudFront keeps an object: the TTL decision table of the
//! Developer Guide's "Managing how long content stays in the cache
//! (expiration)" page, reference §6.4.

use crate::http::CacheControl;
use crate::time::SimDuration;

/// A cache behavior's TTL bounds, in whole seconds as CloudFront stores them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TtlSettings {
    pub min_s: u64,
    pub default_s: u64,
    pub max_s: u64,
}

/// CloudFront's legacy defaults: MinTTL 0, DefaultTTL 1 day, MaxTTL 1 year.
pub const DEFAULT_TTL_S: u64 = 86_400;
pub const MAX_TTL_S: u64 = 31_536_000;

impl TtlSettings {
    /// Fills unset fields the way CloudFront does (DG-values, "Minimum TTL" and
    /// "Default TTL"): if Min or Default exceeds one year the default Max becomes
    /// the Default; if Min exceeds one day the default Default becomes the Min.
    pub fn with_defaults(min_s: Option<u64>, default_s: Option<u64>, max_s: Option<u64>) -> TtlSettings {
        let min_s = min_s.unwrap_or(0);
        let default_s = default_s.unwrap_or(if min_s > DEFAULT_TTL_S { min_s } else { DEFAULT_TTL_S });
        let max_s = max_s.unwrap_or(if min_s > MAX_TTL_S || default_s > MAX_TTL_S { default_s } else { MAX_TTL_S });
        TtlSettings { min_s, default_s, max_s }
    }

    /// CloudFront refuses Min > Default or Default > Max.
    pub fn check(&self) -> Result<(), String> {
        if self.min_s > self.default_s || self.default_s > self.max_s {
            return Err(format!(
                "TTLs must satisfy min_ttl <= default_ttl <= max_ttl, got {} <= {} <= {} seconds",
                self.min_s, self.default_s, self.max_s
            ));
        }
        Ok(())
    }

    /// A behavior whose Max TTL is 0 never caches: the CachingDisabled managed
    /// policy has all TTLs 0. Such requests are "dynamic" and skip the regional
    /// edge cache (reference §5.1, [INFERRED] there).
    pub fn caching_disabled(&self) -> bool {
        self.max_s == 0
    }

    fn clamp(&self, seconds: u64) -> u64 {
        seconds.max(self.min_s).min(self.max_s)
    }
}

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
        ttl.clamp(s_maxage) // s-maxage wins over max-age
    } else if let Some(max_age) = cache_control.max_age_s {
        ttl.clamp(max_age)
    } else {
        ttl.default_s.max(ttl.min_s)
    };
    TtlDecision::Cache(SimDuration::from_secs(seconds))
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

    #[test]
    fn legacy_defaults() {
        assert_eq!(
            TtlSettings::with_defaults(None, None, None),
            TtlSettings { min_s: 0, default_s: 86_400, max_s: 31_536_000 }
        );
        // Min above a day: the default Default becomes Min.
        assert_eq!(TtlSettings::with_defaults(Some(100_000), None, None).default_s, 100_000);
        // Default above a year: the default Max becomes Default.
        assert_eq!(TtlSettings::with_defaults(None, Some(40_000_000), None).max_s, 40_000_000);
        assert!(TtlSettings { min_s: 10, default_s: 5, max_s: 20 }.check().is_err());
    }
}
