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
    fn connection_failures_and_timeouts_always_fail_over() {
        let none = criteria(&[]);
        assert_eq!(after_primary(Method::Get, OriginOutcome::ConnectFailed, &none), Failover::TrySecondary);
        assert_eq!(after_primary(Method::Head, OriginOutcome::TimedOut, &none), Failover::TrySecondary);
        assert_eq!(after_primary(Method::Get, OriginOutcome::Status(200), &none), Failover::Respond(200));
    }
}
