//! Origin failover: what CloudFront does with the primary origin's answer
//! (reference §4.1; Developer Guide "Optimizing high availability with
//! CloudFront origin failover").

use crate::http::Method;
use crate::scenario::FailoverCriteria;

/// How one attempt at an origin ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OriginOutcome {
    /// The origin answered with this status.
    Status(u16),
    /// Every connection attempt was refused or reset.
    ConnectFailed,
    /// Connection or response timeouts used up every attempt.
    TimedOut,
}

impl OriginOutcome {
    /// The status the viewer sees when this outcome is final: CloudFront
    /// answers 502 when it cannot connect and 504 when the origin does not
    /// answer in time (DG-502, DG-504).
    pub fn viewer_status(self) -> u16 {
        match self {
            OriginOutcome::Status(status) => status,
            OriginOutcome::ConnectFailed => 502,
            OriginOutcome::TimedOut => 504,
        }
    }
}

/// What to do after the primary's attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failover {
    /// Send the same request to the secondary origin.
    TrySecondary,
    /// Answer the viewer with this status.
    Respond(u16),
}

/// The failover decision for the primary origin's outcome. Only GET, HEAD and
/// OPTIONS fail over; any other method gets the primary's answer, whatever it
/// is, so no write ever reaches the secondary (reference §4.1 and §11 item 7).
/// There is no memory between requests: every request tries the primary first.
pub fn after_primary(method: Method, outcome: OriginOutcome, criteria: &FailoverCriteria) -> Failover {
    let may_fail_over = matches!(method, Method::Get | Method::Head | Method::Options);
    if may_fail_over && primary_failed(outcome, criteria) {
        Failover::TrySecondary
    } else {
        Failover::Respond(outcome.viewer_status())
    }
}

/// Whether the primary's attempt failed by the group's criteria, whatever
/// the method: a failed connection or a timeout always does.
pub fn primary_failed(outcome: OriginOutcome, criteria: &FailoverCriteria) -> bool {
    match outcome {
        OriginOutcome::Status(status) => criteria.covers_status(status),
        OriginOutcome::ConnectFailed | OriginOutcome::TimedOut => true,
    }
}

/// The primary's attempt judged once, for the engine: whether it failed by
/// the group's criteria (counted whatever the method) and what CloudFront
/// does next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrimaryVerdict {
    pub failed: bool,
    pub next: Failover,
}

/// `primary_failed` and `after_primary` in one call, so that the criteria
/// are read in one place (reference §4.1).
pub fn judge_primary(method: Method, outcome: OriginOutcome, criteria: &FailoverCriteria) -> PrimaryVerdict {
    PrimaryVerdict { failed: primary_failed(outcome, criteria), next: after_primary(method, outcome, criteria) }
}

/// Whether an origin's outcome is a response CloudFront passes on as an
/// answer rather than an error: a 2xx or a 3xx (reference §4.1: "returns
/// 2xx to the viewer and caches it as normal; passes 3xx through"). From the
/// secondary, it is an answer that failover saved.
pub fn answered(outcome: OriginOutcome) -> bool {
    matches!(outcome, OriginOutcome::Status(status) if status < 400)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::FAILOVER_STATUS_CODES;

    fn criteria(codes: &[u16]) -> FailoverCriteria {
        FailoverCriteria::from_status_codes(codes).unwrap()
    }

    #[test]
    fn only_get_head_and_options_fail_over() {
        let c = criteria(&[503]);
        for method in Method::ALL {
            let expected = match method {
                Method::Get | Method::Head | Method::Options => Failover::TrySecondary,
                _ => Failover::Respond(503),
            };
            assert_eq!(after_primary(method, OriginOutcome::Status(503), &c), expected, "{method}");
        }
        assert_eq!(after_primary(Method::Post, OriginOutcome::TimedOut, &c), Failover::Respond(504));
        assert_eq!(after_primary(Method::Delete, OriginOutcome::ConnectFailed, &c), Failover::Respond(502));
    }

    #[test]
    fn every_status_code_in_and_out_of_the_criteria() {
        for &code in &FAILOVER_STATUS_CODES {
            let with = criteria(&[code]);
            let without = criteria(&FAILOVER_STATUS_CODES.iter().copied().filter(|&c| c != code).collect::<Vec<_>>());
            assert_eq!(after_primary(Method::Get, OriginOutcome::Status(code), &with), Failover::TrySecondary);
            assert_eq!(after_primary(Method::Get, OriginOutcome::Status(code), &without), Failover::Respond(code));
        }
        // Codes CloudFront does not offer never trigger failover, and are refused as criteria.
        let all = criteria(&FAILOVER_STATUS_CODES);
        for code in [200, 301, 304, 401, 405, 429, 501] {
            assert_eq!(after_primary(Method::Get, OriginOutcome::Status(code), &all), Failover::Respond(code));
        }
        assert_eq!(FailoverCriteria::from_status_codes(&[500, 429]), Err(429));
    }

    #[test]
    fn a_verdict_counts_a_failure_even_when_the_method_cannot_fail_over() {
        // Reference §4.1: a 503 in the criteria fails the primary; a GET goes
        // on to the secondary, a POST gets the 503.
        let c = criteria(&[503]);
        let get = judge_primary(Method::Get, OriginOutcome::Status(503), &c);
        assert_eq!(get, PrimaryVerdict { failed: true, next: Failover::TrySecondary });
        let post = judge_primary(Method::Post, OriginOutcome::Status(503), &c);
        assert_eq!(post, PrimaryVerdict { failed: true, next: Failover::Respond(503) });
        // A 500 outside the criteria is no failure; a refused connection always is.
        let other = judge_primary(Method::Get, OriginOutcome::Status(500), &c);
        assert_eq!(other, PrimaryVerdict { failed: false, next: Failover::Respond(500) });
        let refused = judge_primary(Method::Get, OriginOutcome::ConnectFailed, &c);
        assert_eq!(refused, PrimaryVerdict { failed: true, next: Failover::TrySecondary });
    }

    #[test]
    fn only_2xx_and_3xx_are_answers() {
        assert!(answered(OriginOutcome::Status(200)) && answered(OriginOutcome::Status(304)));
        assert!(!answered(OriginOutcome::Status(404)) && !answered(OriginOutcome::Status(503)));
        assert!(!answered(OriginOutcome::ConnectFailed) && !answered(OriginOutcome::TimedOut));
    }

    #[test]
    fn connection_failures_and_timeouts_always_fail_over() {
        let none = criteria(&[]);
        assert_eq!(after_primary(Method::Get, OriginOutcome::ConnectFailed, &none), Failover::TrySecondary);
        assert_eq!(after_primary(Method::Head, OriginOutcome::TimedOut, &none), Failover::TrySecondary);
        assert_eq!(after_primary(Method::Get, OriginOutcome::Status(200), &none), Failover::Respond(200));
    }
}
