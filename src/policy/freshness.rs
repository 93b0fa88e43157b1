//! When an expired copy may answer at once while it is revalidated in the
//! background: the origin's `stale-while-revalidate` directive, honoured by
//! CloudFront since May 2023 (What's New, "Amazon CloudFront supports
//! stale-while-revalidate and stale-if-error cache control directives",
//! <https://aws.amazon.com/about-aws/whats-new/2023/05/amazon-cloudfront-stale-while-revalidate-stale-if-error-cache-control-directives/>;
//! Developer Guide "Manage how long content stays in the cache
//! (expiration)", <https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Expiration.html>;
//! reference §6.4). Its sibling `stale-if-error` is an error rule and lives
//! in `policy::error_caching`.
//!
//! The announcement says CloudFront serves the stale response to viewers at
//! once while it revalidates the cached copy in the background, so viewers
//! do not wait for the origin. Where the docs are silent, this model
//! chooses:
//! - The window counts from the copy's expiry as the TTL decision made it
//!   (Min/Max TTL bound the freshness, not the window), and a copy answers
//!   while `now < expiry + window`, as freshness itself ends at the expiry.
//! - One background fetch per key and cache at a time: a request that
//!   finds the copy in its window while a fetch of the key is under way at
//!   that cache is answered from the copy and starts none (the collapsing
//!   CloudFront does for misses, reference §6.3, applied to revalidations).
//! - The viewer's request is logged `Hit`: it was served from the cache
//!   without waiting on the origin. The log fields page defines `RefreshHit`
//!   as a copy the origin was asked about before it was served, which is
//!   not what happened to this viewer; the page says nothing of
//!   stale-while-revalidate.
//! - A failed background fetch is handled like any fetch at that cache
//!   (`policy::error_caching`): the copy may then answer as an expired copy
//!   does on error.

use crate::time::{SimDuration, SimTime};

/// Whether a copy that expired at `expired_at` may answer at `now` while it
/// is revalidated in the background, under a `stale-while-revalidate`
/// window of `window`.
pub fn serves_while_revalidating(expired_at: SimTime, window: SimDuration, now: SimTime) -> bool {
    debug_assert!(now >= expired_at, "a fresh copy is no stale one");
    now < expired_at + window
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_starts_at_expiry_and_ends_before_its_last_instant() {
        // max-age=60, stale-while-revalidate=60: a copy stored at 0 s expires
        // at 60 s and may answer stale from 60 s up to, not including, 120 s.
        let expired_at = SimTime(60_000_000);
        let window = SimDuration::from_secs(60);
        assert!(serves_while_revalidating(expired_at, window, SimTime(60_000_000)));
        assert!(serves_while_revalidating(expired_at, window, SimTime(119_999_999)));
        assert!(!serves_while_revalidating(expired_at, window, SimTime(120_000_000)));
        // A zero window never serves stale.
        assert!(!serves_while_revalidating(expired_at, SimDuration::ZERO, expired_at));
    }
}
