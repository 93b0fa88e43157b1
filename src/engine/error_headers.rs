//! What an error response on its way down says about its own caching, for a
//! run where some origin puts `Cache-Control` on its error responses
//! (`OriginSpec::error_cache_control`); a run without has none of this and
//! pays nothing for it.
//!
//! The origin's word is known where its answer comes back: the attempt names
//! the origin, and its outcome says whether the origin answered at all (a
//! refused connection or a timeout is CloudFront's own 502 or 504, with no
//! origin headers). From there it travels in the request's slot, not in the
//! `Response` (which stays 24 bytes): each cache that keeps the error passes
//! down until when it keeps it, as the `max-age` with its `Age` would tell a
//! cache below, and a request answered from a cached error or collapsed
//! onto another's fetch takes the word of the cache or fetch that answered
//! it. Below a tier that kept the error until `kept`, the origin's remaining
//! lifetime is `kept - now`: with no origin headers `kept` is at most the
//! minimum TTL after it was stored, so the lower tier's own minimum TTL wins
//! and nothing changes from a run without the setting.
//!
//! Memory: 16 bytes per request slot and one `CacheControl` per origin.

use super::ids::RequestId;
use crate::http::CacheControl;
use crate::policy::error_caching::{self, ErrorHeaders};
use crate::policy::failover::OriginOutcome;
use crate::scenario::Scenario;
use crate::time::{SimDuration, SimTime};

/// The word a response on its way down carries about its caching.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) enum Carried {
    /// Straight from the origin (or CloudFront's verdict on its attempt),
    /// before any cache kept it: what the origin's headers say.
    #[default]
    Unread,
    FromOrigin(ErrorHeaders),
    /// A cache above kept the error until then.
    KeptAbove(SimTime),
}

pub(super) struct OriginErrorHeaders {
    /// Per origin: the `Cache-Control` on its own error responses.
    // Invariant: one entry per scenario origin.
    origins: Vec<Option<CacheControl>>,
    /// Per request slot: the word its response carries.
    // Invariant: every way an error reaches a cache's `store_error` writes
    // its request's slot first (the origin's answer, an error answered from
    // a cache, a collapsed fetch's answer), so a slot's previous occupant
    // is never read. Edge-generated and edge-function errors are never stored.
    in_flight: Vec<Carried>,
}

impl OriginErrorHeaders {
    /// `None` when no origin sends `Cache-Control` on its errors.
    pub(super) fn build(scenario: &Scenario) -> Option<OriginErrorHeaders> {
        let origins: Vec<Option<CacheControl>> = scenario.origins.iter().map(|o| o.error_cache_control).collect();
        origins.iter().any(Option::is_some).then(|| OriginErrorHeaders { origins, in_flight: Vec::with_capacity(1024) })
    }

    fn set(&mut self, id: RequestId, carried: Carried) {
        let slot = id.index();
        if slot >= self.in_flight.len() {
            // Grows with the pool's peak of requests in flight, by doubling.
            self.in_flight.resize((slot + 1).next_power_of_two(), Carried::Unread);
        }
        self.in_flight[slot] = carried;
    }

    /// The origin's answer to request `id` is back: `outcome` of its attempt
    /// at `origin`, which answered `status`. A 403 from the origin's secret
    /// header check and a 503 past its queue limit are the origin's own
    /// answers (`OriginOutcome::Status`): its server sends them, with the
    /// headers it puts on every error. A refusal or a timeout is
    /// CloudFront's verdict and carries nothing.
    pub(super) fn origin_answered(&mut self, id: RequestId, origin: usize, outcome: OriginOutcome, status: u16) {
        let headers = match (outcome, &self.origins[origin]) {
            (OriginOutcome::Status(_), Some(cache_control)) => {
                error_caching::origin_error_headers(status, cache_control)
            }
            _ => ErrorHeaders::Silent,
        };
        self.set(id, Carried::FromOrigin(headers));
    }

    /// Request `id` is answered by what `from` carries (a collapsed fetch).
    pub(super) fn copy(&mut self, from: RequestId, to: RequestId) {
        let carried = self.carried(from);
        self.set(to, carried);
    }

    /// A cache keeps the error request `id` carries until `until` (it
    /// stored it, or answers from an error it stored): the caches below
    /// learn how long.
    pub(super) fn kept(&mut self, id: RequestId, until: SimTime) {
        self.set(id, Carried::KeptAbove(until));
    }

    fn carried(&self, id: RequestId) -> Carried {
        self.in_flight.get(id.index()).copied().unwrap_or_default()
    }

    /// What the error request `id` carries says to a cache receiving it at `now`.
    pub(super) fn headers(&self, id: RequestId, now: SimTime) -> ErrorHeaders {
        match self.carried(id) {
            Carried::Unread => ErrorHeaders::Silent,
            Carried::FromOrigin(headers) => headers,
            Carried::KeptAbove(until) => ErrorHeaders::MaxAge(SimDuration(until.0.saturating_sub(now.0))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(cache_control: &str) -> OriginErrorHeaders {
        OriginErrorHeaders { origins: vec![None, Some(cache_control.parse().unwrap())], in_flight: Vec::new() }
    }

    #[test]
    fn a_slot_costs_16_bytes() {
        assert_eq!(std::mem::size_of::<Carried>(), 16);
        assert_eq!(std::mem::size_of::<Option<OriginErrorHeaders>>(), 48);
    }

    #[test]
    fn only_the_origins_own_answers_carry_its_headers() {
        let mut t = table("max-age=60");
        let (a, b, c, d) =
            (RequestId::from_index(0), RequestId::from_index(1), RequestId::from_index(5), RequestId::from_index(6));
        let now = SimTime(1_000_000);
        t.origin_answered(a, 1, OriginOutcome::Status(503), 503);
        t.origin_answered(b, 1, OriginOutcome::TimedOut, 504);
        t.origin_answered(c, 1, OriginOutcome::ConnectFailed, 502);
        t.origin_answered(d, 0, OriginOutcome::Status(503), 503);
        assert_eq!(t.headers(a, now), ErrorHeaders::MaxAge(SimDuration::from_secs(60)));
        assert_eq!(t.headers(b, now), ErrorHeaders::Silent);
        assert_eq!(t.headers(c, now), ErrorHeaders::Silent);
        assert_eq!(t.headers(d, now), ErrorHeaders::Silent);
    }

    /// A regional cache keeps a 403 until 40 s; the edge receives it at
    /// 25 s: 40 - 25 = 15 s are left. A waiter answered by it carries the same.
    #[test]
    fn a_tier_below_sees_what_is_left_of_the_error_above() {
        let mut t = table("max-age=30");
        let (a, w) = (RequestId::from_index(3), RequestId::from_index(4));
        t.origin_answered(a, 1, OriginOutcome::Status(403), 403);
        t.kept(a, SimTime(40_000_000));
        t.copy(a, w);
        assert_eq!(t.headers(a, SimTime(25_000_000)), ErrorHeaders::MaxAge(SimDuration::from_secs(15)));
        assert_eq!(t.headers(w, SimTime(25_000_000)), ErrorHeaders::MaxAge(SimDuration::from_secs(15)));
        // Past the end nothing is left (never negative).
        assert_eq!(t.headers(w, SimTime(50_000_000)), ErrorHeaders::MaxAge(SimDuration::ZERO));
        // A slot never written reads as silent.
        assert_eq!(t.headers(RequestId::from_index(900), SimTime::ZERO), ErrorHeaders::Silent);
    }
}
