//! How CloudFront names the outcome of a viewer request in its logs: the
//! `x-edge-result-type` field (reference §8; Developer Guide "Standard log
//! file fields", and "Using Amazon CloudFront Origin Shield" for hits in the
//! regional tiers).
//!
//! The result type describes CloudFront as a whole, not one cache: a request
//! answered from a regional edge cache or an Origin Shield, without asking
//! the origin, is a `Hit` like an edge hit. Each viewer request has exactly
//! one result type, so the counts of the types add up to the requests.

/// Where the response to a viewer came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServedBy {
    Edge,
    Regional,
    /// A regional edge cache acting as another Region's Origin Shield.
    Shield,
    Origin,
    /// The edge answered itself, with no cache or origin: a refusal (403) or
    /// the redirect of `redirect-to-https` (301).
    EdgeGenerated,
    /// An edge function failed (a Lambda@Edge run past its timeout), so
    /// CloudFront answered 503 itself where the function ran; no cache keeps
    /// the answer (`policy::edge_functions`).
    EdgeFunctionError,
}

/// CloudFront's `x-edge-result-type`. `LimitExceeded` and
/// `CapacityExceeded` (quotas and edge capacity) are not modelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultType {
    /// Served from a CloudFront cache (any tier) without asking the origin;
    /// also a request collapsed onto another's fetch (reference §6.3).
    Hit,
    /// A cached copy had expired; the origin was asked and the copy served:
    /// the origin answered 304, or it failed and the expired copy was served
    /// instead (reference §6.5; an observed `x-cache: RefreshHit from
    /// cloudfront` on a 500 from the origin, Stack Overflow question 71778683).
    RefreshHit,
    /// The origin was asked and its response (with a body) was served.
    Miss,
    /// A 4xx or 5xx to the viewer, whoever produced it.
    Error,
    /// The 301 of a `redirect-to-https` viewer protocol policy.
    Redirect,
}

impl ResultType {
    pub const ALL: [ResultType; 5] =
        [ResultType::Hit, ResultType::RefreshHit, ResultType::Miss, ResultType::Error, ResultType::Redirect];

    pub fn index(self) -> usize {
        self as usize
    }

    /// The log's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ResultType::Hit => "Hit",
            ResultType::RefreshHit => "RefreshHit",
            ResultType::Miss => "Miss",
            ResultType::Error => "Error",
            ResultType::Redirect => "Redirect",
        }
    }
}

/// What decides the result type of a response leaving the edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub served_by: ServedBy,
    /// The copy that answered had expired and the origin was asked about it:
    /// it answered 304, or failed so that the expired copy was served.
    pub refreshed: bool,
}

/// The `x-edge-result-type` of `answer`.
pub fn result_type(answer: Answer) -> ResultType {
    if answer.served_by == ServedBy::EdgeGenerated && (300..400).contains(&answer.status) {
        return ResultType::Redirect;
    }
    if answer.status >= 400 {
        return ResultType::Error;
    }
    match (answer.served_by, answer.refreshed) {
        (_, true) => ResultType::RefreshHit,
        (ServedBy::Edge | ServedBy::Regional | ServedBy::Shield, false) => ResultType::Hit,
        (ServedBy::Origin | ServedBy::EdgeGenerated | ServedBy::EdgeFunctionError, false) => ResultType::Miss,
    }
}

/// CloudFront's `x-edge-result-type` values as a replayed log spells them,
/// beside the simulated `ResultType` they are compared with. Values cdnsim does
/// not simulate (`LimitExceeded`, `CapacityExceeded`,
/// `FunctionGeneratedResponse`, ...) are `Other`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LoggedResult {
    Hit,
    RefreshHit,
    Miss,
    Error,
    Redirect,
    Other,
}

impl LoggedResult {
    pub const ALL: [LoggedResult; 6] = [
        LoggedResult::Hit,
        LoggedResult::RefreshHit,
        LoggedResult::Miss,
        LoggedResult::Error,
        LoggedResult::Redirect,
        LoggedResult::Other,
    ];

    pub fn parse(text: &[u8]) -> LoggedResult {
        match text {
            b"Hit" => LoggedResult::Hit,
            b"RefreshHit" => LoggedResult::RefreshHit,
            b"Miss" => LoggedResult::Miss,
            b"Error" => LoggedResult::Error,
            b"Redirect" => LoggedResult::Redirect,
            _ => LoggedResult::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LoggedResult::Hit => "Hit",
            LoggedResult::RefreshHit => "RefreshHit",
            LoggedResult::Miss => "Miss",
            LoggedResult::Error => "Error",
            LoggedResult::Redirect => "Redirect",
            LoggedResult::Other => "Other",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_types_parse_as_logged() {
        assert_eq!(LoggedResult::parse(b"RefreshHit"), LoggedResult::RefreshHit);
        assert_eq!(LoggedResult::parse(b"LimitExceeded"), LoggedResult::Other);
        for r in LoggedResult::ALL {
            assert_eq!(LoggedResult::parse(r.as_str().as_bytes()), r);
        }
    }

    fn answer(status: u16, served_by: ServedBy, refreshed: bool) -> ResultType {
        result_type(Answer { status, served_by, refreshed })
    }

    #[test]
    fn every_cache_tier_answering_without_the_origin_is_a_hit() {
        for tier in [ServedBy::Edge, ServedBy::Regional, ServedBy::Shield] {
            assert_eq!(answer(200, tier, false), ResultType::Hit, "{tier:?}");
        }
        assert_eq!(answer(200, ServedBy::Origin, false), ResultType::Miss);
    }

    #[test]
    fn an_expired_copy_the_origin_was_asked_about_is_a_refresh_hit() {
        // A 304 from the origin: the response comes down from the origin.
        assert_eq!(answer(200, ServedBy::Origin, true), ResultType::RefreshHit);
        // The origin failed and the regional cache served its expired copy.
        assert_eq!(answer(200, ServedBy::Regional, true), ResultType::RefreshHit);
    }

    #[test]
    fn errors_and_redirects_come_first() {
        assert_eq!(answer(503, ServedBy::Origin, false), ResultType::Error);
        assert_eq!(answer(404, ServedBy::Edge, false), ResultType::Error, "a cached error");
        assert_eq!(answer(403, ServedBy::EdgeGenerated, false), ResultType::Error, "a refusal");
        assert_eq!(answer(301, ServedBy::EdgeGenerated, false), ResultType::Redirect);
        // A 301 the origin sent is the origin's response, not CloudFront's redirect.
        assert_eq!(answer(301, ServedBy::Origin, false), ResultType::Miss);
    }

    #[test]
    fn names_are_the_logs_values() {
        let names: Vec<&str> = ResultType::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(names, ["Hit", "RefreshHit", "Miss", "Error", "Redirect"]);
        assert!(ResultType::ALL.iter().enumerate().all(|(i, r)| r.index() == i));
    }
}
