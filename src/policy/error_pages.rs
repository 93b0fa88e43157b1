//! Custom error pages (Developer Guide, "Generate custom error responses",
//! "Custom error pages and error caching", "Create a custom error page for
//! specific HTTP status codes"; reference §6.6): which errors the viewer
//! gets a page for, what it is answered when the page's own fetch fails,
//! and how CloudFront logs the answer.
//!
//! CloudFront fetches the page (`ResponsePagePath`) through the first cache
//! behavior whose pattern matches it, from that behavior's origin, and
//! caches it like any object; the engine makes that fetch a request of its
//! own. The rules here are what it does with the outcome.

use crate::policy::result_type::{DetailedResultType, ResultType, ServedBy};
use crate::scenario::CustomErrorResponse;

/// Which entry's page answers an error `status` on its way to the viewer,
/// if any: the entry for the code, if it has a page, for errors from an
/// origin or a cache (the API: the page goes back "when your origin
/// returns the HTTP status code specified by ErrorCode"; a 502 or 504 for
/// an origin CloudFront could not reach counts, as the Guide's 5xx
/// examples show).
///
/// Of the edge's own refusals (`EdgeGenerated`) only the geo restriction's
/// 403 (`geo_refused`) gets a page: the Developer Guide, "Restricting the
/// geographic distribution of your content", says "You can optionally
/// configure CloudFront to return a custom error message to the user, and
/// you can specify how long you want CloudFront to cache the error
/// response", that is, a custom error response for 403 with a page. The
/// other refusals (a method not allowed, a signed URL refused, HTTP
/// refused) and an edge function's 503 are CloudFront's answers, not the
/// origin's: cdnsim sends them as they are (the Guide is silent).
pub fn page_entry(
    status: u16,
    served_by: ServedBy,
    geo_refused: bool,
    custom: &[CustomErrorResponse],
) -> Option<usize> {
    let pageable = match served_by {
        ServedBy::EdgeGenerated => geo_refused,
        ServedBy::EdgeFunctionError => false,
        ServedBy::Edge | ServedBy::Regional | ServedBy::Shield | ServedBy::Origin => true,
    };
    if !pageable {
        return None;
    }
    custom.iter().position(|c| c.error_code == status && c.page.is_some())
}

/// What the viewer gets once the page's fetch is back at the edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageAnswer {
    /// The page, with this status: the entry's `ResponseCode`, else the
    /// error's own code.
    Page { status: u16 },
    /// The page could not be had: the viewer gets the status CloudFront got
    /// for the page. The Guide: "If you configure CloudFront to return a
    /// custom error page for an HTTP status code but the custom error page
    /// isn't available, CloudFront returns to the viewer the status code
    /// that CloudFront received from the origin that contains the custom
    /// error pages" (a deleted page on S3: 404; the page's origin down: its
    /// 5xx, or the 502/504 of a connection that failed). So not the
    /// original error, as one might guess.
    Failed { status: u16 },
}

/// The viewer's answer for an `error` whose page fetch ended with
/// `page_status` (a 2xx for the page, or the error it met).
pub fn answer(error: u16, response_code: Option<u16>, page_status: u16) -> PageAnswer {
    if page_status >= 400 {
        PageAnswer::Failed { status: page_status }
    } else {
        PageAnswer::Page { status: response_code.unwrap_or(error) }
    }
}

/// CloudFront's `x-edge-result-type` for a viewer answered with a custom
/// page is `Error` whatever `ResponseCode` says, 200 included: the result
/// type records the origin's error that the page stands for. The logs
/// reference reads an `Error` result with `x-edge-detailed-result-type`
/// other than `Error` as a client that disconnected, which leaves `Error`
/// / `Error` for a page served in full; sites that answer missing paths
/// of a single-page app with `/index.html` and 200 report `x-cache: Error
/// from cloudfront` on those 200 answers (observed, not AWS documentation).
pub const PAGE_RESULT: ResultType = ResultType::Error;

/// The `x-edge-detailed-result-type` of a viewer answered with a custom page
/// under a status below 400 (under an error status the detail is worked out
/// as for any error, from the cause the viewer's request still carries).
/// For an error from an origin or a cache it is the generic `Error`: the
/// Guide names no value of its own for it. A geo-refused viewer keeps
/// `ClientGeoBlocked` whatever the page's status: the field's list names
/// that refusal, the page only stands in for the 403, and so every
/// geo-refused request is logged `ClientGeoBlocked`, answered by a page or
/// not (the accounting identity `ClientGeoBlocked = geo_blocked`).
pub fn page_detailed_result_type(geo_refused: bool) -> DetailedResultType {
    if geo_refused { DetailedResultType::ClientGeoBlocked } else { DetailedResultType::Error }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::ErrorPage;
    use crate::time::SimDuration;

    fn entry(code: u16, page: bool) -> CustomErrorResponse {
        CustomErrorResponse {
            error_code: code,
            error_caching_min_ttl: SimDuration::from_secs(10),
            page: page.then(|| ErrorPage { path: "/e.html".into(), response_code: Some(200), size_bytes: 1024 }),
        }
    }

    #[test]
    fn only_origin_and_cache_errors_with_a_page_get_one() {
        let custom = [entry(404, true), entry(503, false), entry(502, true), entry(403, true)];
        assert_eq!(page_entry(404, ServedBy::Origin, false, &custom), Some(0));
        assert_eq!(page_entry(404, ServedBy::Edge, false, &custom), Some(0));
        assert_eq!(page_entry(502, ServedBy::Regional, false, &custom), Some(2));
        assert_eq!(page_entry(403, ServedBy::Origin, false, &custom), Some(3), "the origin's own 403");
        // An entry with only a TTL has no page; a code without an entry neither.
        assert_eq!(page_entry(503, ServedBy::Origin, false, &custom), None);
        assert_eq!(page_entry(500, ServedBy::Origin, false, &custom), None);
        // CloudFront's own answers go as they are: a method or a signature
        // refused with 403, an edge function's 502.
        assert_eq!(page_entry(403, ServedBy::EdgeGenerated, false, &custom), None);
        assert_eq!(page_entry(502, ServedBy::EdgeFunctionError, false, &custom), None);
    }

    #[test]
    fn the_geo_restrictions_403_is_the_one_edge_refusal_a_page_answers() {
        // DG "Restricting the geographic distribution of your content": a
        // custom error message for the geo 403.
        let custom = [entry(404, true), entry(403, true)];
        assert_eq!(page_entry(403, ServedBy::EdgeGenerated, true, &custom), Some(1));
        // Without a 403 entry with a page, the 403 goes as it is.
        assert_eq!(page_entry(403, ServedBy::EdgeGenerated, true, &custom[..1]), None);
        assert_eq!(page_entry(403, ServedBy::EdgeGenerated, true, &[entry(403, false)]), None);
        // Logged ClientGeoBlocked under the page's 200; another error's page Error.
        assert_eq!(page_detailed_result_type(true), DetailedResultType::ClientGeoBlocked);
        assert_eq!(page_detailed_result_type(false), DetailedResultType::Error);
        assert_eq!(page_detailed_result_type(true).result_type(), PAGE_RESULT);
    }

    #[test]
    fn the_page_goes_with_the_response_code_or_the_error_and_a_failed_page_with_its_own_status() {
        // A 503 with a page and ResponseCode 200: the page with 200.
        assert_eq!(answer(503, Some(200), 200), PageAnswer::Page { status: 200 });
        // No ResponseCode: the page with the error's own 503.
        assert_eq!(answer(503, None, 200), PageAnswer::Page { status: 503 });
        // The Guide's example: a 500 whose page was deleted from S3: 404.
        assert_eq!(answer(500, Some(200), 404), PageAnswer::Failed { status: 404 });
        // The page on the origin that is down: its 502.
        assert_eq!(answer(502, Some(200), 502), PageAnswer::Failed { status: 502 });
    }
}
