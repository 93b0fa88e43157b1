//! Edge functions on a request's way: the viewer-request function after the
//! edge's checks, the origin-request function before a request leaves for
//! its origin, the origin-response function when the origin's response is
//! back, the viewer-response function before the response leaves the edge.
//! Which run, where, for how long and whether they fail are
//! `policy::edge_functions` and `cdn::edge_functions`; this file schedules
//! what comes after each (`Event::EdgeFunction`).
//!
//! Every hook starts with `let Some(functions) = self.functions...`: a run
//! whose behaviors run no function pays that one branch and nothing else.

use super::event::{Event, FunctionStep};
use super::ids::{CacheIdx, LevelIdx, RequestId};
use super::network::Node;
use super::observer::RequestObserver;
use super::state::Engine;
use crate::cdn::edge_functions::Invocation;
use crate::metrics::ServedBy;
use crate::policy::edge_functions::{self as rules, FAILURE_STATUS, Site};
use crate::scenario::EdgeEvent;
use crate::time::{SimDuration, SimTime};

impl<O: RequestObserver> Engine<'_, O> {
    /// After the edge's checks let the request through (a request they
    /// answer runs no function): starts the behavior's viewer-request
    /// function, if it has one. Returns whether it did; the request then
    /// goes on in `on_edge_function`.
    pub(super) fn starts_viewer_request(&mut self, id: RequestId) -> bool {
        let Some(functions) = self.functions.as_mut() else { return false };
        let ask = self.requests[id].ask;
        let Some(association) = functions.association(ask.behavior(), EdgeEvent::ViewerRequest) else { return false };
        let site = functions.edge_site(ask.edge());
        let invocation = functions.invoke(association, site, self.now);
        self.record_invocation(association, &invocation, ask.measured);
        let step = if invocation.failed { FunctionStep::ViewerRequestFailed } else { FunctionStep::ViewerRequestDone };
        self.queue.push(self.now + invocation.waited, Event::EdgeFunction { request: id, step });
        true
    }

    /// Before the response leaves the edge: starts the behavior's
    /// viewer-response function, if it has one and the response is one it
    /// runs on. Returns whether it did.
    pub(super) fn starts_viewer_response(&mut self, id: RequestId) -> bool {
        let Some(functions) = self.functions.as_mut() else { return false };
        let r = &self.requests[id];
        let ask = r.ask;
        if !rules::viewer_response_runs(r.response.status, r.response.served_by) {
            return false;
        }
        let Some(association) = functions.association(ask.behavior(), EdgeEvent::ViewerResponse) else { return false };
        let site = functions.edge_site(ask.edge());
        let invocation = functions.invoke(association, site, self.now);
        self.record_invocation(association, &invocation, ask.measured);
        let step =
            if invocation.failed { FunctionStep::ViewerResponseFailed } else { FunctionStep::ViewerResponseDone };
        self.queue.push(self.now + invocation.waited, Event::EdgeFunction { request: id, step });
        true
    }

    /// The request is about to leave `cache` (the top of its route) for its
    /// origin: runs the behavior's origin-request function, if any. Returns
    /// when the request leaves; `None` when the function failed, and the 503
    /// is then on its way down.
    pub(super) fn after_origin_request(&mut self, id: RequestId, cache: CacheIdx) -> Option<SimTime> {
        let Some(functions) = self.functions.as_ref() else { return Some(self.now) };
        let ask = self.requests[id].ask;
        let Some(association) = functions.association(ask.behavior(), EdgeEvent::OriginRequest) else {
            return Some(self.now);
        };
        let site = self.site_of(cache);
        let functions = self.functions.as_mut().expect("checked above");
        let invocation = functions.invoke(association, site, self.now);
        self.record_invocation(association, &invocation, ask.measured);
        if invocation.failed {
            self.fail_at_top(id, invocation.waited);
            return None;
        }
        Some(self.now + invocation.waited)
    }

    /// Whether the behavior runs an origin-request function.
    pub(super) fn runs_origin_request(&self, id: RequestId) -> bool {
        let behavior = self.requests[id].ask.behavior();
        self.functions.as_ref().is_some_and(|f| f.association(behavior, EdgeEvent::OriginRequest).is_some())
    }

    /// When the origin's response (not a failed connection or a timeout)
    /// is for a behavior with an origin-response function, schedules it to
    /// run when the response is back at CloudFront, and returns true.
    pub(super) fn defers_to_origin_response(&mut self, id: RequestId) -> bool {
        let Some(functions) = self.functions.as_ref() else { return false };
        let r = &self.requests[id];
        if functions.association(r.ask.behavior(), EdgeEvent::OriginResponse).is_none()
            || !rules::origin_response_runs(r.attempt.outcome)
        {
            return false;
        }
        let at = self.now + r.attempt.half_rtt();
        self.queue.push(at, Event::EdgeFunction { request: id, step: FunctionStep::OriginResponseStarts });
        true
    }

    pub(super) fn on_edge_function(&mut self, id: RequestId, step: FunctionStep) {
        match step {
            FunctionStep::ViewerRequestDone => self.at_cache(id, LevelIdx::EDGE),
            FunctionStep::ViewerRequestFailed => {
                self.requests[id].response.answer(FAILURE_STATUS, None, ServedBy::EdgeFunctionError);
                self.finish(id);
            }
            FunctionStep::ViewerResponseDone => self.leave_edge(id),
            FunctionStep::ViewerResponseFailed => {
                self.requests[id].response.answer(FAILURE_STATUS, None, ServedBy::EdgeFunctionError);
                self.leave_edge(id);
            }
            FunctionStep::OriginResponseStarts => self.run_origin_response(id),
            FunctionStep::LeavesForSecondary => {
                let r = &self.requests[id];
                let (cache, half_rtt_us) = (r.route[r.route.top()].cache, r.attempt.half_rtt_us);
                if let Some(leaves_at) = self.after_origin_request(id, cache) {
                    self.send_to_origin(id, cache, half_rtt_us, leaves_at);
                }
            }
        }
    }

    /// The origin-response function runs where the request left CloudFront;
    /// then the response goes on (failover, or down the route), or the
    /// function failed and a 503 goes down instead.
    fn run_origin_response(&mut self, id: RequestId) {
        let r = &self.requests[id];
        let (ask, cache) = (r.ask, r.route[r.route.top()].cache);
        // The origin answered half a round trip ago (`OriginDone`).
        let at_origin = SimTime(self.now.0 - r.attempt.half_rtt().as_micros());
        let site = self.site_of(cache);
        let functions = self.functions.as_mut().expect("only scheduled when the behavior runs a function");
        let association = functions
            .association(ask.behavior(), EdgeEvent::OriginResponse)
            .expect("only scheduled for a behavior with an origin-response function");
        let invocation = functions.invoke(association, site, self.now);
        self.record_invocation(association, &invocation, ask.measured);
        if invocation.failed {
            self.fail_at_top(id, invocation.waited);
        } else {
            self.after_origin_response(id, at_origin, self.now + invocation.waited);
        }
    }

    /// A function failed at the top of the route: CloudFront's 503 starts
    /// down from there once the run has been cut (no cache keeps it, and
    /// requests collapsed onto this one get it too).
    fn fail_at_top(&mut self, id: RequestId, after: SimDuration) {
        self.requests[id].response.answer(FAILURE_STATUS, None, ServedBy::EdgeFunctionError);
        let top = self.requests[id].route.top();
        self.arrive_down_at(self.now + after, id, top);
    }

    /// Where a function called from `cache` is called from.
    fn site_of(&self, cache: CacheIdx) -> Site {
        let functions = self.functions.as_ref().expect("only asked when functions run");
        match self.network.node_of(cache) {
            Node::Edge(edge) => functions.edge_site(edge),
            Node::Regional(regional) => Site::Regional(regional),
            Node::Origin(_) => unreachable!("caches are edges or regional edge caches"),
        }
    }

    fn record_invocation(&mut self, association: usize, invocation: &Invocation, measured: bool) {
        if measured {
            self.metrics.functions.record(association, invocation.waited, invocation.cold, invocation.failed);
            self.count_function_usage(association, invocation);
        }
    }

    /// Puts a measured invocation on the usage report: a CloudFront
    /// Functions invocation, or a Lambda@Edge request and its GB-seconds in
    /// the Region it ran in.
    fn count_function_usage(&mut self, association: usize, invocation: &Invocation) {
        let functions = self.functions.as_ref().expect("only invoked when functions run");
        let spec = &self.scenario.functions[functions.associations()[association].function];
        let usage = &mut self.metrics.usage;
        match invocation.region {
            None => usage.record_function_invocation(),
            Some(regional) => usage.record_lambda_run(regional, invocation.ran, spec.memory_mb),
        }
    }
}
