//! How CloudFront names the outcome of a viewer request in its logs: the
//! `x-edge-result-type` field (reference §8; Developer Guide "Standard log
//! file fields", and "Using Amazon CloudFront Origin Shield" for hits in the
//! regional tiers).
//!
//! The result type describes CloudFront as a whole, not one cache: a request
//! answered from a regional edge cache or an Origin Shield, without asking
//! the origin, is a `Hit` like an edge hit. Each viewer request has exactly
//! one result type, so the counts of the types add up to the requests.
//!
//! `x-edge-detailed-result-type` (`DetailedResultType`) refines it: the same
//! value, except that a hit in the Origin Shield cache is `OriginShieldHit`
//! and an error names its cause. Each detailed type belongs to exactly one
//! result type (`DetailedResultType::result_type`), so the detailed types
//! partition the requests too, and the result types are their sums.
//!
//! `x-edge-response-result-type` (the classification just before the
//! response was sent, reference §8) differs from `x-edge-result-type` only
//! when the viewer disconnects before the last byte (the latter is then
//! `Error`, the former not). cdnsim's viewers never disconnect, so it is the
//! result type: `response_result_type`.

use super::failover::OriginOutcome;

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
    ///
    /// An expired copy served at once within its `stale-while-revalidate`
    /// window is a `Hit` too (`policy::freshness`): the DG-logs definition
    /// of `Hit` ("served the object to the viewer from the cache") fits it,
    /// while its `RefreshHit` has the origin asked before the copy is
    /// served, which this viewer did not wait for. The Guide says nothing
    /// of stale-while-revalidate in its log fields; issue 16 asks for `Hit`.
    Hit,
    /// A cached copy had expired; the origin was asked and the copy served:
    /// the origin answered 304, or it failed (a 5xx, a refused connection, a
    /// timeout) and the expired copy was served instead (reference §6.5;
    /// an observed `x-cache: RefreshHit from cloudfront` on a 500 from the
    /// origin, Stack Overflow question 71778683). That is DG-logs'
    /// definition word for word (expired, the origin contacted, the copy
    /// served), with or without `stale-if-error`, which only bounds how long
    /// after its expiry the copy may answer (`policy::error_caching`).
    /// Requests that waited on such a fetch and the copies below the tier
    /// that served it are `RefreshHit`s as well: the answer they got is
    /// the expired copy the origin was asked about.
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

/// `x-edge-response-result-type`: the result type as it stood just before
/// the response was sent. It differs from `x-edge-result-type` only when the
/// viewer hangs up mid-response (DG-logs, "Standard log file fields", field
/// 23; reference §8: `Error` in field 14 but not in field 23), which cdnsim
/// does not model.
pub fn response_result_type(result: ResultType) -> ResultType {
    result
}

/// CloudFront's `x-edge-detailed-result-type` (Developer Guide, "Standard
/// log file fields", field 29; reference §8), for the outcomes cdnsim
/// simulates. The Guide lists the values but gives no meaning for most of
/// the error ones; each variant says which reading cdnsim takes. Values
/// for what is not modelled (`LimitExceeded`, `CapacityExceeded`,
/// `OriginDnsError`, `MissGeneratedResponse`, ...) never occur.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DetailedResultType {
    /// A hit in an edge location or a regional edge cache (including a
    /// regional edge cache that is its own Region's Origin Shield, reached
    /// straight from the edge: reference §5.1), or a request collapsed onto
    /// another's fetch.
    Hit,
    /// A hit in a regional edge cache acting as Origin Shield for another
    /// Region ("Using Amazon CloudFront Origin Shield": logged
    /// `OriginShieldHit` in x-edge-detailed-result-type).
    OriginShieldHit,
    RefreshHit,
    Miss,
    Redirect,
    /// An HTTP error response passed on as it is: the origin's own 4xx or
    /// 5xx (its status, its header check's 403, its saturated queue's 503),
    /// an error served from a cache (the Guide: "Error ... also used when
    /// an error response is served from the cache"), or a refusal at the
    /// edge the Guide gives no value of its own (a signature rejected; HTTP
    /// on an `https-only` behavior). The Guide gives `OriginError` no
    /// meaning; cdnsim reads the `Origin*` values as failures to get an
    /// HTTP response at all, and an origin's error response as `Error`.
    Error,
    /// The 403 for a method the behavior does not allow (reference §4.1).
    InvalidRequestMethod,
    /// A viewer refused for its country by the distribution's geo
    /// restriction (`distribution.geo_restriction`): the Guide lists the
    /// value among the field's error values ("Standard log file fields",
    /// field 29; reference §8) and, on "Restricting the geographic
    /// distribution of your content", says the refusal is a 403. cdnsim
    /// logs it for every geo-refused viewer, the ones a custom error page
    /// answers included (`policy::error_pages::page_detailed_result_type`).
    ClientGeoBlocked,
    /// No connection could be made: every attempt refused or reset (502;
    /// DG-502 "CloudFront wasn't able to connect to the origin").
    OriginConnectError,
    /// The origin did not answer in time: connection attempts that timed
    /// out (a black hole) or a response slower than the response timeout
    /// (504; DG-504). The Guide does not say which value a connection
    /// timeout gets; cdnsim logs both as a failed exchange with the origin.
    OriginCommError,
    /// CloudFront's 503 for an edge function that failed (a Lambda@Edge run
    /// past its timeout, `policy::edge_functions`). The field's list in
    /// the Guide has no function value; the Guide's troubleshooting page
    /// "HTTP 503 status code (Lambda@Edge or CloudFront Function execution
    /// error)" and CloudFront's CloudWatch metrics (`LambdaExecutionError`,
    /// apart from `LambdaLimitExceeded` for throttling, which cdnsim does not
    /// model) name it so.
    LambdaExecutionError,
}

impl DetailedResultType {
    pub const ALL: [DetailedResultType; 11] = [
        DetailedResultType::Hit,
        DetailedResultType::OriginShieldHit,
        DetailedResultType::RefreshHit,
        DetailedResultType::Miss,
        DetailedResultType::Redirect,
        DetailedResultType::Error,
        DetailedResultType::InvalidRequestMethod,
        DetailedResultType::ClientGeoBlocked,
        DetailedResultType::OriginConnectError,
        DetailedResultType::OriginCommError,
        DetailedResultType::LambdaExecutionError,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    /// The log's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            DetailedResultType::Hit => "Hit",
            DetailedResultType::OriginShieldHit => "OriginShieldHit",
            DetailedResultType::RefreshHit => "RefreshHit",
            DetailedResultType::Miss => "Miss",
            DetailedResultType::Redirect => "Redirect",
            DetailedResultType::Error => "Error",
            DetailedResultType::InvalidRequestMethod => "InvalidRequestMethod",
            DetailedResultType::ClientGeoBlocked => "ClientGeoBlocked",
            DetailedResultType::OriginConnectError => "OriginConnectError",
            DetailedResultType::OriginCommError => "OriginCommError",
            DetailedResultType::LambdaExecutionError => "LambdaExecutionError",
        }
    }

    /// The `x-edge-result-type` this detailed type refines: the field
    /// "contains the same value as x-edge-result-type" except for Origin
    /// Shield hits and errors (DG-logs).
    pub fn result_type(self) -> ResultType {
        match self {
            DetailedResultType::Hit | DetailedResultType::OriginShieldHit => ResultType::Hit,
            DetailedResultType::RefreshHit => ResultType::RefreshHit,
            DetailedResultType::Miss => ResultType::Miss,
            DetailedResultType::Redirect => ResultType::Redirect,
            DetailedResultType::Error
            | DetailedResultType::InvalidRequestMethod
            | DetailedResultType::ClientGeoBlocked
            | DetailedResultType::OriginConnectError
            | DetailedResultType::OriginCommError
            | DetailedResultType::LambdaExecutionError => ResultType::Error,
        }
    }
}

/// What the detailed type needs beyond the `Answer`: why an error is one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorCause {
    /// How the last origin attempt ended, for a response from an origin.
    pub origin_outcome: Option<OriginOutcome>,
    /// The edge refused the request because its behavior does not allow
    /// the method (checked after the viewer protocol, before signatures).
    pub method_refused: bool,
    /// The edge refused the viewer for its country (geo restriction, the
    /// first of the edge's checks).
    pub geo_refused: bool,
}

impl ErrorCause {
    /// No cause beyond the status: a response from a cache.
    pub const NONE: ErrorCause = ErrorCause { origin_outcome: None, method_refused: false, geo_refused: false };
}

/// The `x-edge-detailed-result-type` of `answer`, whose result type is
/// `result` (`result_type(answer)`).
pub fn detailed_result_type(answer: Answer, result: ResultType, cause: ErrorCause) -> DetailedResultType {
    let detailed = match result {
        ResultType::Hit if answer.served_by == ServedBy::Shield => DetailedResultType::OriginShieldHit,
        ResultType::Hit => DetailedResultType::Hit,
        ResultType::RefreshHit => DetailedResultType::RefreshHit,
        ResultType::Miss => DetailedResultType::Miss,
        ResultType::Redirect => DetailedResultType::Redirect,
        ResultType::Error => match (answer.served_by, cause.origin_outcome) {
            (ServedBy::EdgeGenerated, _) if cause.geo_refused => DetailedResultType::ClientGeoBlocked,
            (ServedBy::EdgeGenerated, _) if cause.method_refused => DetailedResultType::InvalidRequestMethod,
            (ServedBy::EdgeFunctionError, _) => DetailedResultType::LambdaExecutionError,
            (ServedBy::Origin, Some(OriginOutcome::ConnectFailed)) => DetailedResultType::OriginConnectError,
            (ServedBy::Origin, Some(OriginOutcome::TimedOut)) => DetailedResultType::OriginCommError,
            _ => DetailedResultType::Error,
        },
    };
    debug_assert_eq!(detailed.result_type(), result, "{detailed:?} refines {result:?}");
    detailed
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

/// CloudFront's `x-edge-detailed-result-type` as a replayed log spells it:
/// a value cdnsim simulates, or `Other` (`LimitExceeded`, `OriginDnsError`,
/// `ClientHungUpRequest`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LoggedDetailed {
    Simulated(DetailedResultType),
    Other,
}

impl LoggedDetailed {
    /// The simulated types, then `Other`.
    pub const COUNT: usize = DetailedResultType::ALL.len() + 1;

    pub fn parse(text: &[u8]) -> LoggedDetailed {
        DetailedResultType::ALL
            .into_iter()
            .find(|d| d.as_str().as_bytes() == text)
            .map_or(LoggedDetailed::Other, LoggedDetailed::Simulated)
    }

    /// `DetailedResultType::index` for a simulated type; `Other` last.
    pub fn index(self) -> usize {
        match self {
            LoggedDetailed::Simulated(d) => d.index(),
            LoggedDetailed::Other => DetailedResultType::ALL.len(),
        }
    }

    pub fn from_index(index: usize) -> LoggedDetailed {
        DetailedResultType::ALL.get(index).map_or(LoggedDetailed::Other, |d| LoggedDetailed::Simulated(*d))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LoggedDetailed::Simulated(d) => d.as_str(),
            LoggedDetailed::Other => "Other",
        }
    }
}

/// What a replayed log said of one request: its `x-edge-result-type` and
/// `x-edge-detailed-result-type`, each when the log has the field. Packed in
/// one byte, so that a request carries both in the place of one.
// Invariant: the byte is `1 + result * (LoggedDetailed::COUNT + 1) + detailed`,
// each part 0 for an absent field and its index + 1 otherwise; at least one
// part is present.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Logged(std::num::NonZeroU8);

impl Logged {
    const DETAILED_CODES: u8 = LoggedDetailed::COUNT as u8 + 1;

    /// `None` when the log has neither field.
    pub fn new(result: Option<LoggedResult>, detailed: Option<LoggedDetailed>) -> Option<Logged> {
        let result_code = result.map_or(0, |r| r.index() as u8 + 1);
        let detailed_code = detailed.map_or(0, |d| d.index() as u8 + 1);
        if result_code == 0 && detailed_code == 0 {
            return None;
        }
        let code = result_code * Self::DETAILED_CODES + detailed_code;
        Some(Logged(std::num::NonZeroU8::new(code).expect("a present field makes the code nonzero")))
    }

    pub fn result(self) -> Option<LoggedResult> {
        let result_code = self.0.get() / Self::DETAILED_CODES;
        (result_code > 0).then(|| LoggedResult::ALL[result_code as usize - 1])
    }

    pub fn detailed(self) -> Option<LoggedDetailed> {
        let detailed_code = self.0.get() % Self::DETAILED_CODES;
        (detailed_code > 0).then(|| LoggedDetailed::from_index(detailed_code as usize - 1))
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

    fn detailed(status: u16, served_by: ServedBy, refreshed: bool, cause: ErrorCause) -> DetailedResultType {
        let answer = Answer { status, served_by, refreshed };
        detailed_result_type(answer, result_type(answer), cause)
    }

    fn from_origin(outcome: OriginOutcome) -> ErrorCause {
        ErrorCause { origin_outcome: Some(outcome), method_refused: false, geo_refused: false }
    }

    #[test]
    fn a_hit_in_the_origin_shield_cache_is_an_origin_shield_hit() {
        // DG "Using Amazon CloudFront Origin Shield": OriginShieldHit; a
        // regional edge cache's own hit stays a Hit (reference §5.1).
        assert_eq!(detailed(200, ServedBy::Shield, false, ErrorCause::NONE), DetailedResultType::OriginShieldHit);
        assert_eq!(detailed(200, ServedBy::Regional, false, ErrorCause::NONE), DetailedResultType::Hit);
        assert_eq!(detailed(200, ServedBy::Edge, false, ErrorCause::NONE), DetailedResultType::Hit);
        // An expired copy the shield served on an origin error is a RefreshHit there too.
        assert_eq!(detailed(200, ServedBy::Shield, true, ErrorCause::NONE), DetailedResultType::RefreshHit);
    }

    #[test]
    fn other_results_keep_their_value() {
        // DG-logs: the field holds x-edge-result-type's value but for shield hits and errors.
        let ok = from_origin(OriginOutcome::Status(200));
        assert_eq!(detailed(200, ServedBy::Origin, false, ok), DetailedResultType::Miss);
        assert_eq!(detailed(200, ServedBy::Origin, true, ok), DetailedResultType::RefreshHit);
        assert_eq!(detailed(301, ServedBy::EdgeGenerated, false, ErrorCause::NONE), DetailedResultType::Redirect);
    }

    #[test]
    fn an_error_names_its_cause() {
        use DetailedResultType as D;
        assert_eq!(
            detailed(502, ServedBy::Origin, false, from_origin(OriginOutcome::ConnectFailed)),
            D::OriginConnectError
        );
        assert_eq!(detailed(504, ServedBy::Origin, false, from_origin(OriginOutcome::TimedOut)), D::OriginCommError);
        // The origin's own error response, and an error served from a cache.
        assert_eq!(detailed(503, ServedBy::Origin, false, from_origin(OriginOutcome::Status(503))), D::Error);
        assert_eq!(detailed(404, ServedBy::Regional, false, ErrorCause::NONE), D::Error);
        // A collapsed request answered with the fetch's 502 was answered by its cache: Error.
        assert_eq!(detailed(502, ServedBy::Edge, false, ErrorCause::NONE), D::Error);
        let refused = ErrorCause { origin_outcome: None, method_refused: true, geo_refused: false };
        assert_eq!(detailed(403, ServedBy::EdgeGenerated, false, refused), D::InvalidRequestMethod);
        // DG "Restricting the geographic distribution of your content": a 403
        // at the edge, logged with the field's ClientGeoBlocked.
        let geo = ErrorCause { origin_outcome: None, method_refused: false, geo_refused: true };
        assert_eq!(detailed(403, ServedBy::EdgeGenerated, false, geo), D::ClientGeoBlocked);
        assert_eq!(
            result_type(Answer { status: 403, served_by: ServedBy::EdgeGenerated, refreshed: false }),
            ResultType::Error
        );
        // A refused viewer whose 403 page could not be fetched gets the
        // fetch's error (a 502) but is still the edge's refusal; a cache's
        // 403 is no refusal.
        assert_eq!(detailed(502, ServedBy::EdgeGenerated, false, geo), D::ClientGeoBlocked);
        assert_eq!(detailed(403, ServedBy::Edge, false, ErrorCause::NONE), D::Error);
        assert_eq!(detailed(403, ServedBy::EdgeGenerated, false, ErrorCause::NONE), D::Error, "a signature refused");
        assert_eq!(detailed(503, ServedBy::EdgeFunctionError, false, ErrorCause::NONE), D::LambdaExecutionError);
    }

    #[test]
    fn detailed_types_refine_result_types() {
        let names: Vec<&str> = DetailedResultType::ALL.iter().map(|d| d.as_str()).collect();
        assert_eq!(names.len(), 11);
        assert!(DetailedResultType::ALL.iter().enumerate().all(|(i, d)| d.index() == i));
        // Every result type has at least one detailed type, and the one
        // spelled like it refines it.
        for r in ResultType::ALL {
            assert!(DetailedResultType::ALL.iter().any(|d| d.result_type() == r && d.as_str() == r.as_str()), "{r:?}");
        }
        for d in DetailedResultType::ALL {
            assert_eq!(
                d.result_type() == ResultType::Error,
                d.as_str().contains("Error") || d.as_str().starts_with("Invalid") || d.as_str().starts_with("Client")
            );
        }
        for r in ResultType::ALL {
            assert_eq!(response_result_type(r), r, "viewers never disconnect");
        }
    }

    #[test]
    fn a_logged_pair_packs_into_one_byte_and_back() {
        assert_eq!(std::mem::size_of::<Option<Logged>>(), 1);
        assert_eq!(Logged::new(None, None), None);
        let details = DetailedResultType::ALL.map(LoggedDetailed::Simulated);
        for result in LoggedResult::ALL.map(Some).into_iter().chain([None]) {
            for detailed in details.into_iter().chain([LoggedDetailed::Other]).map(Some).chain([None]) {
                let Some(logged) = Logged::new(result, detailed) else {
                    assert_eq!((result, detailed), (None, None));
                    continue;
                };
                assert_eq!((logged.result(), logged.detailed()), (result, detailed));
            }
        }
        assert_eq!(
            LoggedDetailed::parse(b"OriginShieldHit"),
            LoggedDetailed::Simulated(DetailedResultType::OriginShieldHit)
        );
        assert_eq!(LoggedDetailed::parse(b"OriginDnsError"), LoggedDetailed::Other);
        assert_eq!(
            LoggedDetailed::parse(b"ClientGeoBlocked"),
            LoggedDetailed::Simulated(DetailedResultType::ClientGeoBlocked)
        );
        assert_eq!(LoggedDetailed::Other.index(), LoggedDetailed::COUNT - 1);
    }

    #[test]
    fn names_are_the_logs_values() {
        let names: Vec<&str> = ResultType::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(names, ["Hit", "RefreshHit", "Miss", "Error", "Redirect"]);
        assert!(ResultType::ALL.iter().enumerate().all(|(i, r)| r.index() == i));
    }
}
