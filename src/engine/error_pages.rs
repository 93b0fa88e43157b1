//! Custom error responses on the way to the viewer: the errors counted per
//! code, and, for an error whose code has a page, the page fetch. The
//! viewer's request waits at the edge while a request of its own fetches
//! the page through the behavior its path matches, cache by cache up to
//! that behavior's origin (collapsing onto other fetches of the page, and
//! storing it on the way down like any object); when the fetch is back at
//! the edge it answers the viewer (`policy::error_pages`) and ends there.
//! The fetch passes none of the edge's viewer checks or viewer functions:
//! CloudFront makes it itself.

use super::ids::{LevelIdx, RequestId};
use super::observer::RequestObserver;
use super::page_fetches::Pending;
use super::request::{Ask, OriginAttempt, Request};
use super::state::Engine;
use crate::cdn::traffic::{ObjectFacts, ViewerRequest};
use crate::http::Method;
use crate::policy::cache_key::cache_key;
use crate::policy::compression::Encoding;
use crate::policy::error_pages::{self, PageAnswer};
use crate::scenario::RequestAttributes;

/// What `finish` does next with a response ready to leave the edge.
pub(super) enum PageStep {
    /// Nothing to do with pages: on as usual.
    None,
    /// A page fetch ended and answered its viewer, or a page fetch started
    /// and the viewer waits on it: nothing more now.
    Diverted,
    /// The viewer's answer comes from a page fetch: it leaves the edge
    /// without the viewer-response function, which does not run on an
    /// origin's error (`policy::edge_functions::viewer_response_runs`): the
    /// page stands for that error, whatever status it goes with (the Guide
    /// is silent on a page answered with 200).
    Answered,
}

impl<O: RequestObserver> Engine<'_, O> {
    /// For a run with custom error responses (`Metrics::errors` is `Some`):
    /// counts a viewer's error reaching the edge, and starts the page fetch
    /// when its code has a page; ends a page fetch back at the edge. (Kept
    /// out of line: `finish` is inlined into the event loop, and runs
    /// without custom error responses should not pay for this code there.)
    #[inline(never)]
    pub(super) fn page_step(&mut self, id: RequestId) -> PageStep {
        if let Some(pages) = &mut self.pages {
            if let Some(pending) = pages.pending.remove(&id) {
                self.page_fetched(id, pending);
                return PageStep::Diverted;
            }
            if pages.answered.contains(&id) {
                return PageStep::Answered;
            }
        }
        let r = &self.requests[id];
        let (status, served_by, measured, geo_refused) =
            (r.response.status, r.response.served_by, r.ask.measured, r.ask.geo_refused);
        if status < 400 {
            return PageStep::None;
        }
        if measured && let Some(stats) = &mut self.metrics.errors {
            stats.code(status).to_viewers += 1;
        }
        let custom = &self.scenario.distribution.custom_error_responses;
        match (&self.pages, error_pages::page_entry(status, served_by, geo_refused, custom)) {
            (Some(_), Some(entry)) => {
                self.start_page_fetch(id, entry, status);
                PageStep::Diverted
            }
            _ => PageStep::None,
        }
    }

    /// The viewer request `viewer` waits at the edge; a request of its own
    /// asks for the page of custom error response `entry`, from the edge.
    fn start_page_fetch(&mut self, viewer: RequestId, entry: usize, error: u16) {
        let pages = self.pages.as_ref().expect("only a run with pages fetches one");
        let page = pages.pages[entry].expect("the entry has a page");
        let v = self.requests[viewer].ask;
        let behavior = &self.scenario.distribution.behaviors[page.behavior as usize];
        // The fetch as a GET CloudFront sends from the viewer's edge, with
        // nothing but the page's path.
        let fetch = ViewerRequest {
            edge: v.edge(),
            population: v.edge,
            class: page.class as usize,
            object: page.object,
            method: Method::Get,
            https: v.https,
            session: 0,
            logged_result: None,
            logged_signature: None,
            direct: None,
            object_facts: Some(ObjectFacts { size_bytes: page.size_bytes, behavior: page.behavior as usize }),
            attributes: RequestAttributes::NONE,
            traced_variant: None,
        };
        let mut route = self.route_of(&fetch, behavior);
        // The page fetch starts at the edge: no viewer leg of its own.
        route[LevelIdx::EDGE].half_rtt_us = 0;
        let ask = Ask {
            start: v.start,
            arrived: self.now,
            object: page.object,
            // The page's path alone: whatever the page's behavior keys, the
            // fetch carries nothing else (the Guide does not say what
            // CloudFront sends with it).
            key: cache_key(page.object, Method::Get, None),
            size_bytes: page.size_bytes,
            copy_bytes: page.size_bytes,
            encoding: Encoding::Identity,
            class: page.class,
            behavior: page.behavior as u8,
            edge: v.edge,
            geo_refused: false,
            method: Method::Get,
            https: v.https,
            measured: v.measured,
            session: 0,
            logged_result: None,
            logged_signature: None,
            attributes: RequestAttributes::NONE,
        };
        let attempt = OriginAttempt::primary(behavior.origin as u16);
        let fetch = self.requests.allocate(|| Request::new(ask, route, attempt));
        // A page fetch asks for the whole page, whatever its slot last held.
        if let Some(ranges) = &mut self.ranges {
            ranges.set(fetch, None);
        }
        if v.measured
            && let Some(stats) = &mut self.metrics.errors
        {
            stats.code(error).page_fetches += 1;
        }
        if v.measured && v.geo_refused {
            self.metrics.geo_blocked_pages += 1;
        }
        let pages = self.pages.as_mut().expect("checked above");
        pages.pending.insert(fetch, Pending { viewer, entry, error });
        self.at_cache(fetch, LevelIdx::EDGE);
    }

    /// The page fetch `fetch` is back at the edge: its viewer gets the page
    /// (or the fetch's error) and leaves; the fetch ends here.
    fn page_fetched(&mut self, fetch: RequestId, pending: Pending) {
        let f = &self.requests[fetch];
        let (page_status, page_bytes, measured) = (f.response.status, f.ask.size_bytes, f.ask.measured);
        self.requests.free(fetch);
        let entry = &self.scenario.distribution.custom_error_responses[pending.entry];
        let response_code = entry.page.as_ref().and_then(|p| p.response_code);
        let viewer = &mut self.requests[pending.viewer];
        let method = viewer.ask.method;
        match error_pages::answer(pending.error, response_code, page_status) {
            PageAnswer::Page { status } => {
                viewer.response.status = status;
                viewer.response.version = None;
                // The viewer gets the page's body, uncompressed (the page is
                // fetched with nothing but its path), in place of the error.
                viewer.ask.size_bytes = page_bytes;
                viewer.ask.copy_bytes = page_bytes;
                viewer.ask.encoding = Encoding::Identity;
                if measured && let Some(stats) = &mut self.metrics.errors {
                    stats.page_served(pending.error, status, method);
                }
            }
            PageAnswer::Failed { status } => {
                viewer.response.status = status;
                if measured && let Some(stats) = &mut self.metrics.errors {
                    stats.code(pending.error).page_failures += 1;
                }
            }
        }
        self.pages.as_mut().expect("a page fetch ended").answered.insert(pending.viewer);
        self.finish(pending.viewer);
    }

    /// Whether `id` is a viewer's request (or a background revalidation),
    /// not a page fetch: page fetches are counted at the caches and origins
    /// but not among a behavior's requests, so they note no keys looked up
    /// and no mistailored answer for it.
    #[inline]
    pub(super) fn is_viewer_request(&self, id: RequestId) -> bool {
        match &self.pages {
            None => true,
            Some(pages) => !pages.is_fetch(id),
        }
    }

    /// Ends the record of a viewer answered through a page, as it leaves
    /// the edge; returns whether it was one.
    #[inline]
    pub(super) fn answered_by_page(&mut self, id: RequestId) -> bool {
        match &mut self.pages {
            None => false,
            Some(pages) => pages.forget_answered(id),
        }
    }
}
