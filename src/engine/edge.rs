//! What the edge checks before any cache: the viewer's country (geo
//! restriction, a 403), the viewer protocol policy (a redirect to HTTPS,
//! or a 403), the behavior's allowed methods, and signed URLs or cookies.
//! A request refused here is answered by the edge itself.

use super::event::Event;
use super::ids::{LevelIdx, RequestId};
use super::observer::RequestObserver;
use super::request::Ask;
use super::state::Engine;
use crate::metrics::ServedBy;
use crate::policy::protocol::{self, ViewerDecision};
use crate::scenario::BehaviorSpec;
use crate::time::SimDuration;
use cdnsim_sign::Rejection;

impl<O: RequestObserver> Engine<'_, O> {
    /// Whether every edge check would let the request through to the edge
    /// cache, decided without side effects (for the edge-hit fast path).
    pub(super) fn edge_lets_through(&self, ask: &Ask, behavior: &BehaviorSpec) -> bool {
        protocol::viewer_decision(behavior.viewer_protocol_policy, ask.https) == ViewerDecision::Serve
            && behavior.allowed_methods.contains(ask.method)
            && self.signed.as_ref().is_none_or(|signed| !signed.restricts(ask.behavior()))
            && !ask.geo_refused
    }

    /// Runs the edge's checks in CloudFront's order. Returns whether the
    /// request goes on to the edge cache; otherwise the edge has answered it.
    pub(super) fn edge_admits(&mut self, id: RequestId) -> bool {
        let ask = self.requests[id].ask;
        // The viewer's country comes first: a refused viewer gets 403 from
        // the edge whatever it asks, over HTTP or HTTPS, before any other
        // check or cache (Developer Guide, "Restricting the geographic
        // distribution of your content": CloudFront "returns an HTTP status
        // code of 403 (Forbidden)"; reference §11.9). It is logged `Error`
        // with the detailed type `ClientGeoBlocked` (`policy::result_type`).
        // The same page lets a custom error response for 403 answer it with
        // a page: the one edge refusal a page answers (`policy::error_pages`;
        // `finish` starts the page fetch).
        if ask.geo_refused {
            if ask.measured {
                self.metrics.geo_blocked += 1;
                self.metrics.functions.record_refused(ask.behavior());
            }
            self.answer_at_edge(id, 403);
            return false;
        }
        if !ask.https && !self.viewer_protocol_allows(id) {
            return false;
        }
        // A method the behavior does not allow: CloudFront answers 403 itself
        // (reference §4.1, 6.2). A signature refused: it never reaches a
        // cache or an origin (reference §1.8).
        let allowed = self.scenario.distribution.behaviors[ask.behavior()].allowed_methods.contains(ask.method);
        if !allowed || !self.signature_accepted(id) {
            if ask.measured {
                self.metrics.functions.record_refused(ask.behavior());
            }
            self.answer_at_edge(id, 403);
            return false;
        }
        true
    }

    /// The edge answers the request itself, with no body from any cache.
    fn answer_at_edge(&mut self, id: RequestId, status: u16) {
        self.requests[id].response.answer(status, None, ServedBy::EdgeGenerated);
        self.finish(id);
    }

    /// The behavior's viewer protocol policy, for an HTTP viewer request at
    /// the edge, before any cache (reference §7.1). Returns whether the
    /// request goes on; otherwise the edge answered it: a 403, or a
    /// redirect to HTTPS. A redirect is a request of its own (logged
    /// `Redirect`, billed); the viewer's HTTPS retry is another.
    fn viewer_protocol_allows(&mut self, id: RequestId) -> bool {
        let ask = self.requests[id].ask;
        let policy = self.scenario.distribution.behaviors[ask.behavior()].viewer_protocol_policy;
        match protocol::viewer_decision(policy, ask.https) {
            ViewerDecision::Serve => true,
            ViewerDecision::Redirect => {
                if ask.measured {
                    self.metrics.protocol.redirects += 1;
                }
                if self.rules.viewers_retry_redirects {
                    self.start_https_retry(id);
                }
                self.answer_at_edge(id, protocol::redirect_status(ask.method));
                false
            }
            ViewerDecision::Refuse403 => {
                if ask.measured {
                    self.metrics.protocol.refused_http += 1;
                    self.metrics.functions.record_refused(ask.behavior());
                }
                self.answer_at_edge(id, 403);
                false
            }
        }
    }

    /// The viewer follows the redirect of request `redirected`: it gets the
    /// answer half a round trip from now and sends the same request over
    /// HTTPS, which reaches the edge half a round trip after that. The retry
    /// is measured by when the viewer sent it.
    fn start_https_retry(&mut self, redirected: RequestId) {
        let mut retry = self.requests[redirected];
        let half_rtt = SimDuration(retry.route[LevelIdx::EDGE].half_rtt_us as u64);
        let ask = &mut retry.ask;
        ask.https = true;
        ask.start = self.now + half_rtt;
        ask.arrived = ask.start + half_rtt;
        ask.measured = self.metrics.measures(ask.start);
        if ask.measured {
            self.metrics.protocol.viewer_https += 1;
        }
        let arrived = ask.arrived;
        // An HTTPS URL is another connection (another port): the viewer
        // opens one to follow the redirect.
        if self.connections.is_some() {
            let (class, edge, measured, half_rtt_us) =
                (retry.ask.class(), retry.ask.edge(), retry.ask.measured, retry.route[LevelIdx::EDGE].half_rtt_us);
            retry.route.viewer = self.viewer_connection(class, edge, true, measured, half_rtt_us, true);
        }
        self.requests_started += 1;
        let id = self.requests.allocate(|| retry);
        if let Some(ranges) = &mut self.ranges {
            ranges.copy(redirected, id);
        }
        self.queue.push(arrived, Event::AtLevel { request: id, level: LevelIdx::EDGE });
    }

    /// Checks the signed URL or cookies the request presents, when its
    /// behavior trusts key groups; counts the outcome.
    fn signature_accepted(&mut self, id: RequestId) -> bool {
        let Some(signed) = self.signed.as_mut() else { return true };
        let ask = &self.requests[id].ask;
        let behavior = ask.behavior();
        if !signed.restricts(behavior) {
            return true;
        }
        let outcome = match ask.logged_signature {
            // A replayed log's URL, checked where it was read.
            Some(outcome) => outcome,
            None => {
                let class = ask.class();
                let spec = &self.scenario.traffic.classes[class];
                let now_s = (self.now.0 / 1_000_000) as i64;
                let object = self.catalog.id_in_class(class, ask.object);
                signed.check(behavior, (class, spec), object, ask.session, now_s)
            }
        };
        if ask.measured {
            let stats = &mut self.metrics.signing;
            stats.checked += 1;
            match outcome {
                Ok(()) => stats.accepted += 1,
                Err(reason) => {
                    let i = Rejection::ALL.iter().position(|x| *x == reason).expect("ALL lists every reason");
                    stats.rejected[i] += 1;
                }
            }
        }
        outcome.is_ok()
    }
}
