//! What happened to errors in a run with custom error responses: per status
//! code, the errors origins answered, the errors caches answered, the errors on their way to viewers, and the custom pages fetched,
//! served and failed.

use super::merging::{add_counts, merge_each};
use crate::http::Method;

/// Status codes 400 to 599, one slot each.
const FIRST_CODE: u16 = 400;
const N_CODES: usize = 200;

/// The counters of one status code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CodeCounts {
    /// Errors with this code that origins answered, or that CloudFront
    /// answered for an origin it could not reach (502, 504), page fetches
    /// included: each attempt that ends a trip to the origin.
    pub from_origin: u64,
    /// Lookups a cache at any tier answered with this error without asking
    /// further: an error it stored, or a 416 for a range past the end of an
    /// object it holds (`policy::range`).
    pub from_cache: u64,
    /// Viewer requests whose response was this error when it reached the
    /// edge, before any custom page.
    pub to_viewers: u64,
    /// Custom page fetches started for errors of this code.
    pub page_fetches: u64,
    /// Viewers answered with the page (with its `response_code`).
    pub pages_served: u64,
    /// Page fetches that met an error themselves: the viewer got that error.
    pub page_failures: u64,
}

impl CodeCounts {
    /// Adds another's counts: another partition's of the same code, or
    /// another code's for a total.
    pub fn merge(&mut self, other: CodeCounts) {
        let CodeCounts { from_origin, from_cache, to_viewers, page_fetches, pages_served, page_failures } = other;
        self.from_origin += from_origin;
        self.from_cache += from_cache;
        self.to_viewers += to_viewers;
        self.page_fetches += page_fetches;
        self.pages_served += pages_served;
        self.page_failures += page_failures;
    }
}

/// Counters of a run whose distribution has custom error responses.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorStats {
    // Invariant: N_CODES entries, entry i for status FIRST_CODE + i.
    codes: Vec<CodeCounts>,
    /// Per method (`Method::index`): viewers answered with a page under a
    /// status below 400. They are logged `Error` (`policy::error_pages`)
    /// without being 4xx or 5xx, so the result identity counts them apart.
    pub pages_below_400_by_method: [u64; 7],
}

impl Default for ErrorStats {
    fn default() -> Self {
        ErrorStats { codes: vec![CodeCounts::default(); N_CODES], pages_below_400_by_method: [0; 7] }
    }
}

impl ErrorStats {
    /// The counters of an error `status` (400 to 599).
    pub fn code(&mut self, status: u16) -> &mut CodeCounts {
        assert!((FIRST_CODE..FIRST_CODE + N_CODES as u16).contains(&status), "{status} is no 4xx or 5xx");
        &mut self.codes[(status - FIRST_CODE) as usize]
    }

    /// Adds another partition's counts of the same run (`Metrics::merge`).
    pub fn merge(&mut self, other: ErrorStats) {
        let ErrorStats { codes, pages_below_400_by_method } = other;
        merge_each(&mut self.codes, codes, "error counters per status code", CodeCounts::merge);
        add_counts(&mut self.pages_below_400_by_method, pages_below_400_by_method);
    }

    /// Counts a viewer answered with the page under `status`.
    pub fn page_served(&mut self, error: u16, status: u16, method: Method) {
        self.code(error).pages_served += 1;
        if status < 400 {
            self.pages_below_400_by_method[method.index()] += 1;
        }
    }

    /// Every status code with a count, in order, with its counters.
    pub fn counted(&self) -> impl Iterator<Item = (u16, &CodeCounts)> {
        self.codes
            .iter()
            .enumerate()
            .filter(|(_, c)| **c != CodeCounts::default())
            .map(|(i, c)| (FIRST_CODE + i as u16, c))
    }

    /// The counters of every code added up.
    pub fn total(&self) -> CodeCounts {
        self.codes.iter().fold(CodeCounts::default(), |mut acc, c| {
            acc.merge(*c);
            acc
        })
    }

    /// Viewers answered with a page under a status below 400, every method.
    pub fn pages_below_400(&self) -> u64 {
        self.pages_below_400_by_method.iter().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_counted_apart_and_listed_in_order() {
        let mut stats = ErrorStats::default();
        stats.code(503).from_origin += 2;
        stats.code(404).to_viewers += 1;
        stats.page_served(404, 200, Method::Get);
        stats.page_served(503, 503, Method::Get);
        let codes: Vec<u16> = stats.counted().map(|(code, _)| code).collect();
        assert_eq!(codes, [404, 503]);
        assert_eq!(stats.total().pages_served, 2);
        // Only the page served with 200 is an Error result below 400.
        assert_eq!(stats.pages_below_400(), 1);
        assert_eq!(stats.pages_below_400_by_method[Method::Get.index()], 1);
    }

    #[test]
    #[should_panic(expected = "no 4xx or 5xx")]
    fn a_success_code_has_no_counters() {
        ErrorStats::default().code(200);
    }
}
