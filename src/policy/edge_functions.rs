//! Edge functions at run time: which of a behavior's functions run for a
//! request, in what order, where each runs and what getting there costs, and
//! what CloudFront answers when a run exceeds its limit.
//!
//! The order at the edge location (Developer Guide, "CloudFront events that
//! can trigger a Lambda@Edge function"; "How Lambda@Edge works with requests
//! and responses"): CloudFront's own checks of the viewer's request come
//! first (the viewer protocol policy's redirect or 403, the allowed methods'
//! 403, signed URLs and cookies' 403), then the viewer-request function,
//! then the cache lookup. The Guide states it for the redirect ("the
//! function doesn't execute ... when CloudFront automatically redirects an
//! HTTP request to HTTPS") and for AWS WAF ("the Lambda@Edge viewer request is
//! executed after any AWS WAF rules are applied"); for the method and
//! signature checks, which also judge the request as the viewer sent it, the
//! same order is [INFERRED]. A request answered there runs no function: the
//! engine calls the viewer-request function only after `edge_admits`.
//!
//! Then: the origin-request function runs only when CloudFront forwards the
//! request to the origin (a miss or a revalidation, never a hit and never a
//! request collapsed onto another's fetch), once per origin attempt, so twice
//! after a failover ("the function can be triggered twice for a single
//! viewer request", DG high_availability_origin_failover.md). The
//! origin-response function runs on every response an origin sends, errors
//! included ("the function executes even if an error is returned from the
//! origin"), before failover is decided and before caching; not when no
//! response came (a refused connection, a timeout) [INFERRED]. The
//! viewer-response function runs before the response leaves the edge
//! location, hits included, but not for a status of 400 or more ("CloudFront
//! does not invoke edge functions for viewer response events when the origin
//! returns HTTP status code 400 or higher", DG edge-functions-restrictions.md)
//! nor for the edge's redirect to HTTPS.
//!
//! Where: CloudFront Functions run in the edge location itself. Lambda@Edge
//! functions run in an AWS Region: CloudWatch shows them "in the Region
//! closest to the location where the function executed" (DG
//! lambda-edge-testing-debugging.md), and origin-facing ones run "in the AWS
//! Region where Origin Shield is enabled" (DG origin-shield.md). cdnsim runs
//! a Lambda@Edge function in the Region of the regional edge cache that calls
//! it, or, for a call from an edge location (viewer events, and origin events
//! of requests that skip the regional tier), in the Region of that edge's own
//! regional edge cache, one round trip away [INFERRED].
//!
//! No RNG, clock or engine state here: `cdn::edge_functions` samples the
//! times and keeps the warm execution environments.

use super::failover::OriginOutcome;
use super::result_type::ServedBy;
use crate::scenario::edge_functions::{EdgeEvent, FunctionKind};
use crate::time::SimDuration;

/// What CloudFront answers when a Lambda@Edge function exceeds its timeout:
/// 503 (DG http-503-lambda-limit-execeeded-error.md: "The function exceeded
/// the Lambda function timeout quota"), logged as `LambdaLimitExceeded`
/// (DG lambda-edge-testing-debugging.md, 2018 to 2019 revisions).
pub const FAILURE_STATUS: u16 = 503;

/// Whether the viewer-response function runs for a response with `status`
/// that `served_by` produced: not for 400 or more, not for the edge's own
/// answers (the redirect to HTTPS; its refusals are 403s), and not for the
/// 503 of a function that failed.
pub fn viewer_response_runs(status: u16, served_by: ServedBy) -> bool {
    status < 400 && !matches!(served_by, ServedBy::EdgeGenerated | ServedBy::EdgeFunctionError)
}

/// Whether the origin-response function runs after an origin attempt that
/// ended with `outcome`: when the origin sent a response, whatever its status.
pub fn origin_response_runs(outcome: OriginOutcome) -> bool {
    matches!(outcome, OriginOutcome::Status(_))
}

/// The CloudFront location that calls a function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Site {
    /// An edge location, and its own regional edge cache (an index among them).
    Edge { edge: usize, own_regional: usize },
    /// A regional edge cache (in its own role or as an Origin Shield).
    Regional(usize),
}

/// Where a function runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// In the edge location that calls it: nothing to travel.
    EdgeLocation,
    /// In the Region of regional edge cache `regional`; `from_edge` names the
    /// edge location the request crosses a round trip from, if it is called
    /// from one.
    Region { regional: usize, from_edge: Option<usize> },
}

/// Where a function of `kind` called from `site` runs (see the module's
/// "Where").
pub fn placement(kind: FunctionKind, site: Site) -> Placement {
    match (kind, site) {
        (FunctionKind::CloudFrontFunction, _) => {
            debug_assert!(matches!(site, Site::Edge { .. }), "CloudFront Functions run on viewer events, at edges");
            Placement::EdgeLocation
        }
        (FunctionKind::LambdaEdge, Site::Edge { edge, own_regional }) => {
            Placement::Region { regional: own_regional, from_edge: Some(edge) }
        }
        (FunctionKind::LambdaEdge, Site::Regional(regional)) => Placement::Region { regional, from_edge: None },
    }
}

/// How one run of a function ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Run {
    /// It finished after this long.
    Completed(SimDuration),
    /// It was stopped at its limit, this long after it started; CloudFront
    /// answers `FAILURE_STATUS`.
    TimedOut(SimDuration),
}

impl Run {
    /// How long the request waited on the run.
    pub fn took(self) -> SimDuration {
        match self {
            Run::Completed(d) | Run::TimedOut(d) => d,
        }
    }

    pub fn failed(self) -> bool {
        matches!(self, Run::TimedOut(_))
    }
}

/// The end of a run of a `kind` function on `event` that would take
/// `wanted`. A Lambda@Edge run past its event's timeout is stopped there
/// (Quotas on Lambda@Edge: 5 s on viewer events, 30 s on origin events). A
/// CloudFront Function is only throttled when it keeps exceeding its time,
/// which validation refuses to model (a mean over the limit is an error),
/// so one long run just takes its time.
pub fn run(kind: FunctionKind, event: EdgeEvent, wanted: SimDuration) -> Run {
    let limit = kind.time_limit(event);
    match kind {
        FunctionKind::LambdaEdge if wanted > limit => Run::TimedOut(limit),
        _ => Run::Completed(wanted),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewer_response_functions_skip_errors_and_the_edges_own_answers() {
        for served_by in [ServedBy::Edge, ServedBy::Regional, ServedBy::Shield, ServedBy::Origin] {
            assert!(viewer_response_runs(200, served_by), "{served_by:?}");
            assert!(!viewer_response_runs(404, served_by), "a 4xx from {served_by:?}");
            assert!(!viewer_response_runs(503, served_by));
        }
        assert!(!viewer_response_runs(301, ServedBy::EdgeGenerated), "the redirect to HTTPS");
        assert!(!viewer_response_runs(403, ServedBy::EdgeGenerated));
        assert!(!viewer_response_runs(FAILURE_STATUS, ServedBy::EdgeFunctionError));
    }

    #[test]
    fn origin_response_functions_run_on_every_response_and_only_on_responses() {
        assert!(origin_response_runs(OriginOutcome::Status(200)));
        assert!(origin_response_runs(OriginOutcome::Status(503)), "errors included (DG)");
        assert!(!origin_response_runs(OriginOutcome::ConnectFailed));
        assert!(!origin_response_runs(OriginOutcome::TimedOut));
    }

    #[test]
    fn lambda_edge_runs_in_a_region_cloudfront_functions_at_the_edge() {
        let edge = Site::Edge { edge: 4, own_regional: 1 };
        assert_eq!(placement(FunctionKind::CloudFrontFunction, edge), Placement::EdgeLocation);
        assert_eq!(placement(FunctionKind::LambdaEdge, edge), Placement::Region { regional: 1, from_edge: Some(4) });
        assert_eq!(
            placement(FunctionKind::LambdaEdge, Site::Regional(2)),
            Placement::Region { regional: 2, from_edge: None },
            "called from a regional edge cache or Origin Shield: in its Region, no extra hop"
        );
    }

    #[test]
    fn lambda_edge_times_out_at_its_events_limit() {
        let lambda = FunctionKind::LambdaEdge;
        let six_s = SimDuration::from_secs(6);
        assert_eq!(run(lambda, EdgeEvent::ViewerRequest, six_s), Run::TimedOut(SimDuration::from_secs(5)));
        assert_eq!(run(lambda, EdgeEvent::OriginRequest, six_s), Run::Completed(six_s), "30 s on origin events");
        assert_eq!(
            run(lambda, EdgeEvent::OriginResponse, SimDuration::from_secs(31)).took(),
            SimDuration::from_secs(30)
        );
        assert!(
            run(lambda, EdgeEvent::ViewerResponse, SimDuration::from_secs(5))
                == Run::Completed(SimDuration::from_secs(5))
        );
        let cf = run(FunctionKind::CloudFrontFunction, EdgeEvent::ViewerRequest, SimDuration::from_millis(2));
        assert!(!cf.failed() && cf.took() == SimDuration::from_millis(2), "one long run is not a failure");
    }
}
