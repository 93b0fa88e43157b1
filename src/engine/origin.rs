//! A request at its origin: connecting (faults may refuse or black-hole the
//! attempts), the origin's header check, a concurrency slot or the queue
//! (or a 503 past it), the sampled service time, and failover to an origin
//! group's secondary. The response then starts down (`down.rs`).

use super::event::Event;
use super::ids::{CacheIdx, LevelIdx, RequestId};
use super::network::Node;
use super::observer::RequestObserver;
use super::request::{Level, Member, OriginConnection, half};
use super::state::Engine;
use crate::cdn::faults::{self, Connect};
use crate::cdn::origin_access::carries_secret;
use crate::cdn::traffic::DirectRequest;
use crate::http::Method;
use crate::metrics::ServedBy;
use crate::policy::connection;
use crate::policy::error_caching;
use crate::policy::failover::{self, Failover, OriginOutcome};
use crate::policy::origin_access;
use crate::policy::origin_request;
use crate::policy::protocol::{self, CleartextCause};
use crate::scenario::OriginGroupSpec;
use crate::time::{SimDuration, SimTime};

impl<O: RequestObserver> Engine<'_, O> {
    /// The request leaves CloudFront from `cache` for its current origin at
    /// `leaves_at`; the CloudFront location there adds the origin's secret
    /// header from its own copy of the configuration.
    pub(super) fn send_to_origin(&mut self, id: RequestId, cache: CacheIdx, half_rtt_us: u32, leaves_at: SimTime) {
        let attempt = &mut self.requests[id].attempt;
        attempt.half_rtt_us = half_rtt_us;
        if attempt.member == Member::Primary {
            attempt.sent_to_primary = leaves_at;
        }
        if let Some(access) = &self.access {
            attempt.header_value = access.sent_value(cache.index(), attempt.origin(), self.now);
        }
        if self.connections.is_some() {
            self.connect(id, cache, leaves_at);
        }
        let at = leaves_at + SimDuration(half_rtt_us as u64);
        self.arrive_at_origin(at, id);
    }

    /// Picks the connection the attempt leaves `cache` on at `leaves_at`:
    /// an idle one kept alive, else a new one whose handshake
    /// (`policy::connection`) starts with the SYN that the `AtOrigin` event
    /// carries to the origin.
    #[inline(never)]
    fn connect(&mut self, id: RequestId, cache: CacheIdx, leaves_at: SimTime) {
        let r = &self.requests[id];
        debug_assert_eq!(r.route[r.route.top()].cache, cache, "a request leaves for its origin from its route's top");
        let origin = r.attempt.origin();
        let https = protocol::origin_leg_https(self.scenario.origins[origin].protocol_policy, r.ask.https);
        let connections = self.connections.as_mut().expect("called only when connections are modelled");
        let reused = connections.take_idle(cache, origin, https, leaves_at);
        self.requests[id].attempt.connection = if reused {
            OriginConnection::Reused
        } else {
            OriginConnection::Opening { round_trips: connection::origin_handshake_round_trips(https) }
        };
    }

    /// The SYN of a new connection reached the origin: when the origin
    /// accepts connections now, the handshake's round trips pass before the
    /// request itself arrives (the request then needs no second connect).
    /// Returns whether the request must wait for that.
    #[inline(never)]
    fn handshake(&mut self, id: RequestId) -> bool {
        let r = &self.requests[id];
        let OriginConnection::Opening { round_trips } = r.attempt.connection else { return false };
        let origin = r.attempt.origin();
        if faults::condition_at(&self.scenario.faults, origin, self.now).connect != Connect::Ok {
            // Refused or black-holed: the request's own path counts it.
            return false;
        }
        let rtt = r.attempt.half_rtt() + r.attempt.half_rtt();
        let handshake = SimDuration(rtt.as_micros() * round_trips as u64);
        if r.ask.measured
            && let Some(stats) = &mut self.metrics.connections
        {
            stats.origin_mut(r.route[r.route.top()].cache.index(), origin).handshake_us += handshake.as_micros();
        }
        self.requests[id].attempt.connection = OriginConnection::Opened;
        self.queue.push(self.now + handshake, Event::AtOrigin { request: id });
        true
    }

    pub(super) fn on_at_origin(&mut self, id: RequestId) {
        if self.connections.is_some() && self.handshake(id) {
            return;
        }
        self.count_origin_request(id);
        let r = &self.requests[id];
        let (origin, rtt) = (r.attempt.origin(), r.attempt.half_rtt() + r.attempt.half_rtt());
        let spec = &self.scenario.origins[origin];
        // The request reached the origin after half a round trip; a failed
        // connection is known back at CloudFront only when every attempt has
        // failed: `attempts` round trips for refusals, `attempts` connection
        // timeouts for a black hole (DG-failover: "3 x 10 s = 30 s").
        let attempts = spec.connection_attempts as u64;
        let connect = match r.attempt.connection {
            // A connection just opened is open: the fault it may now meet
            // is the origin's answer (a forced status or a slow one).
            OriginConnection::Opened => Connect::Ok,
            _ => faults::condition_at(&self.scenario.faults, origin, self.now).connect,
        };
        let failed_after = match connect {
            Connect::Ok => None,
            Connect::Refused => Some((OriginOutcome::ConnectFailed, rtt.saturating_mul(attempts))),
            Connect::Blackholed => Some((OriginOutcome::TimedOut, spec.connection_timeout.saturating_mul(attempts))),
        };
        if failed_after.is_none() && self.rules.sends_bodies {
            self.count_body_to_origin(id);
        }
        match failed_after {
            Some((outcome, after)) => self.connection_failed(id, outcome, after),
            None if self.origin_admits(id) => self.take_slot_or_queue(id),
            None => {}
        }
    }

    /// A request reaching its origin over a connection made delivers its
    /// body, when its method and class carry one: CloudFront bills it in
    /// the region of the edge location that took the request.
    #[inline(never)]
    fn count_body_to_origin(&mut self, id: RequestId) {
        let ask = &self.requests[id].ask;
        // A custom error page's fetch has a class of its own past the
        // scenario's (a GET, with no body).
        let class = self.scenario.traffic.classes.get(ask.class());
        if let Some(class) = class
            && ask.measured
            && class.request_body_bytes > 0
            && crate::policy::usage::carries_request_body(ask.method)
        {
            self.metrics.usage.record_body_to_origin(ask.edge(), class.request_body_bytes);
        }
    }

    /// Counts a request reaching its origin.
    fn count_origin_request(&mut self, id: RequestId) {
        let r = &self.requests[id];
        if !r.ask.measured {
            return;
        }
        let conditional = r.route[r.route.top()].validator.is_some();
        if r.attempt.member == Member::Primary {
            self.metrics.record_origin_request(r.ask.start);
        }
        let stats = &mut self.metrics.origins[r.attempt.origin()];
        stats.requests += 1;
        stats.requests_by_method[r.ask.method.index()] += 1;
        stats.conditional += conditional as u64;
        if let Some(connections) = &mut self.metrics.connections {
            let counts = connections.origin_mut(r.route[r.route.top()].cache.index(), r.attempt.origin());
            match r.attempt.connection {
                OriginConnection::Warm => unreachable!("connections are modelled"),
                OriginConnection::Reused => counts.reused += 1,
                OriginConnection::Opening { .. } | OriginConnection::Opened => counts.opened += 1,
            }
        }
    }

    /// No connection could be made: CloudFront learns it `after` the
    /// request left.
    fn connection_failed(&mut self, id: RequestId, outcome: OriginOutcome, after: SimDuration) {
        let r = &mut self.requests[id];
        let (origin, rtt) = (r.attempt.origin(), r.attempt.half_rtt() + r.attempt.half_rtt());
        if r.ask.measured {
            let stats = &mut self.metrics.origins[origin];
            stats.connect_failures += (outcome == OriginOutcome::ConnectFailed) as u64;
            stats.timeouts += (outcome == OriginOutcome::TimedOut) as u64;
        }
        r.attempt.end_without_slot(outcome);
        // `OriginDone` stands at the origin's side of the link, half a round
        // trip before CloudFront learns the outcome; CloudFront learns it
        // `after` the request left (half a round trip ago).
        let due = SimTime((self.now + after).0.saturating_sub(rtt.as_micros())).max(self.now);
        self.queue.push(due, Event::OriginDone { request: id });
    }

    /// A request from CloudFront reaches its origin over a connection: counts
    /// the leg's protocol and whether the secret crossed it in clear, and
    /// applies the origin's header check. Returns whether the origin goes on
    /// to serve it; a refusal is a 403 at once.
    fn origin_admits(&mut self, id: RequestId) -> bool {
        let r = &self.requests[id];
        let (origin, measured, header_value) = (r.attempt.origin(), r.ask.measured, r.attempt.header_value);
        let policy = self.scenario.origins[origin].protocol_policy;
        if measured {
            let https = protocol::origin_leg_https(policy, r.ask.https);
            self.metrics.protocol.origin_https += https as u64;
            self.metrics.protocol.origin_http += !https as u64;
            if carries_secret(header_value) {
                let stats = &mut self.metrics.origin_access;
                stats.secret_sent += 1;
                match protocol::cleartext_cause(policy, https) {
                    None => {}
                    Some(CleartextCause::ViewerLeg) => stats.secret_in_clear_viewer_legs += 1,
                    Some(CleartextCause::OriginPolicy) => stats.secret_in_clear_origin_legs += 1,
                }
            }
        }
        let Some(access) = &self.access else { return true };
        if origin_access::accepts(access.rule_at(origin, self.now), header_value) {
            return true;
        }
        if measured {
            self.metrics.record_legit_refused(r.ask.start);
            self.metrics.origins[origin].error_responses += 1;
        }
        self.requests[id].attempt.end_without_slot(OriginOutcome::Status(403));
        self.queue.push(self.now, Event::OriginDone { request: id });
        false
    }

    /// A free slot serves the request; else it waits in the origin's queue;
    /// past the queue limit the saturated origin refuses it with 503 at once.
    fn take_slot_or_queue(&mut self, id: RequestId) {
        let (origin, measured) = (self.requests[id].attempt.origin(), self.requests[id].ask.measured);
        let state = &mut self.origins[origin];
        if state.in_service < state.concurrency {
            self.start_service(id);
        } else if state.enqueue(id) {
            let queued = state.queue.len() as u32;
            self.requests[id].attempt.queued_at = self.now;
            if measured {
                let stats = &mut self.metrics.origins[origin];
                stats.peak_queued = stats.peak_queued.max(queued);
            }
        } else {
            if measured {
                self.metrics.origins[origin].rejected += 1;
            }
            self.requests[id].attempt.end_without_slot(OriginOutcome::Status(503));
            self.queue.push(self.now, Event::OriginDone { request: id });
        }
    }

    /// Starts serving a request: samples how long each attempt takes, with
    /// the faults of this instant. A response slower than the response
    /// timeout is abandoned; GET and HEAD are retried up to the connection
    /// attempts, other methods are not (reference §4.2, DG-custom-origin).
    fn start_service(&mut self, id: RequestId) {
        let r = &self.requests[id];
        let (origin, method, measured) = (r.attempt.origin(), r.ask.method, r.ask.measured);
        let spec = &self.scenario.origins[origin];
        let condition = faults::condition_at(&self.scenario.faults, origin, self.now);
        let state = &mut self.origins[origin];
        state.take_slot();
        let tries = if matches!(method, Method::Get | Method::Head) { spec.connection_attempts } else { 1 };
        let mut elapsed = SimDuration::ZERO;
        let mut outcome = OriginOutcome::TimedOut;
        for _ in 0..tries {
            let service = match state.fixed_service {
                Some(fixed) if condition.slow_factor == 1.0 => fixed,
                _ => SimDuration::from_millis_f64(state.latency_ms.sample(&mut state.rng) * condition.slow_factor),
            };
            if service <= spec.response_timeout {
                elapsed += service;
                let forced = faults::forced_status(&self.scenario.faults, origin, self.now, &mut state.rng);
                outcome = OriginOutcome::Status(forced.unwrap_or(200));
                break;
            }
            elapsed += spec.response_timeout;
        }
        if measured {
            let stats = &mut self.metrics.origins[origin];
            stats.peak_in_service = stats.peak_in_service.max(state.in_service);
            stats.timeouts += (outcome == OriginOutcome::TimedOut) as u64;
            stats.error_responses += matches!(outcome, OriginOutcome::Status(s) if error_caching::is_error(s)) as u64;
        }
        let attempt = &mut self.requests[id].attempt;
        attempt.outcome = outcome;
        attempt.holds_slot = true;
        self.queue.push(self.now + elapsed, Event::OriginDone { request: id });
    }

    pub(super) fn on_origin_done(&mut self, id: RequestId) {
        let attempt = self.requests[id].attempt;
        if attempt.holds_slot {
            self.release_origin_slot(attempt.origin());
        }
        if attempt.connection.is_open() {
            self.connection_idle(id);
        }
        if self.defers_to_origin_response(id) {
            return;
        }
        self.after_origin_response(id, self.now, self.now + attempt.half_rtt());
    }

    /// The origin's response (or CloudFront's verdict on a failed attempt),
    /// produced at `at_origin`, is back at the CloudFront location that sent
    /// the request at `back`, after any origin-response function: fail over
    /// to the group's secondary, or start down the route.
    pub(super) fn after_origin_response(&mut self, id: RequestId, at_origin: SimTime, back: SimTime) {
        let behavior = &self.scenario.distribution.behaviors[self.requests[id].ask.behavior()];
        if let Some(group) = behavior.origin_group.map(|g| &self.scenario.origin_groups[g])
            && self.fails_over(id, group)
        {
            self.fail_over(id, group.secondary, back);
            return;
        }
        self.answer_from_origin(id, at_origin, back);
    }

    /// The attempt's connection goes back idle once the origin's answer is
    /// back at the cache that sent it.
    #[inline(never)]
    fn connection_idle(&mut self, id: RequestId) {
        let r = &self.requests[id];
        let (origin, cache) = (r.attempt.origin(), r.route[r.route.top()].cache);
        let https = protocol::origin_leg_https(self.scenario.origins[origin].protocol_policy, r.ask.https);
        let back = self.now + r.attempt.half_rtt();
        let connections = self.connections.as_mut().expect("connections are modelled when one is open");
        connections.give_back(cache, origin, https, back);
    }

    /// A finished attempt gives its slot back; the first queued request
    /// takes it.
    fn release_origin_slot(&mut self, origin: usize) {
        let state = &mut self.origins[origin];
        state.release_slot();
        if let Some(next) = state.queue.pop_front() {
            let waited = self.now.saturating_since(self.requests[next].attempt.queued_at);
            if self.requests[next].ask.measured {
                let stats = &mut self.metrics.origins[origin];
                stats.queued_us += waited.as_micros();
                stats.queued_requests += 1;
            }
            self.start_service(next);
        }
    }

    /// For a request to an origin group: whether the primary's outcome sends
    /// it to the secondary (`policy::failover`); counts the group's outcomes.
    fn fails_over(&mut self, id: RequestId, group: &OriginGroupSpec) -> bool {
        let r = &self.requests[id];
        let (method, measured, outcome) = (r.ask.method, r.ask.measured, r.attempt.outcome);
        let by_method = &mut self.metrics.by_method[method.index()];
        match r.attempt.member {
            Member::Primary => {
                let verdict = failover::judge_primary(method, outcome, &group.criteria);
                if measured {
                    by_method.reached_origin_group += 1;
                    by_method.primary_failures += verdict.failed as u64;
                }
                verdict.next == Failover::TrySecondary
            }
            Member::Secondary => {
                if measured && failover::answered(outcome) {
                    by_method.served_by_secondary += 1;
                }
                false
            }
        }
    }

    /// The origin's answer (or CloudFront's status for a failed attempt),
    /// given at `at_origin`, starts down from the top of the route at `back`:
    /// a 304 when the validator names the origin's version then.
    fn answer_from_origin(&mut self, id: RequestId, at_origin: SimTime, back: SimTime) {
        if self.is_ranged(id) {
            self.answer_range_from_origin(id, at_origin, back);
            return;
        }
        let r = &self.requests[id];
        let (origin, method, measured, size_bytes) =
            (r.attempt.origin(), r.ask.method, r.ask.measured, r.ask.size_bytes);
        match r.attempt.outcome {
            OriginOutcome::Status(status) if failover::answered(r.attempt.outcome) => {
                let version = self.catalog.version_at(r.ask.class(), r.ask.object, at_origin);
                let not_modified = r.route[r.route.top()].validator == Some(version);
                if measured {
                    let stats = &mut self.metrics.origins[origin];
                    stats.not_modified += not_modified as u64;
                    if !not_modified {
                        let bytes = super::request::body_bytes(method, 200, size_bytes);
                        stats.bytes_out += bytes;
                        self.metrics.origin_bytes += bytes;
                    }
                }
                if self.rules.origins_vary || self.tailoring.is_some() {
                    self.tailor(id, origin);
                }
                let response = &mut self.requests[id].response;
                response.answer(status, Some(version), ServedBy::Origin);
                response.body = !not_modified;
            }
            outcome => self.requests[id].response.answer(outcome.viewer_status(), None, ServedBy::Origin),
        }
        let r = &self.requests[id];
        if let Some(headers) = &mut self.error_headers {
            headers.origin_answered(id, origin, r.attempt.outcome, r.response.status);
        }
        if let Some(errors) = &mut self.metrics.errors
            && r.ask.measured
            && r.response.status >= 400
        {
            errors.code(r.response.status).from_origin += 1;
        }
        let top = self.requests[id].route.top();
        self.arrive_down_at(back, id, top);
    }

    /// What the origin's answer to request `id` is tailored for, beyond its
    /// key: counted as untailored when it carries a value the origin varies
    /// on but does not forward, and remembered for the caches on its way
    /// down when the origin varies on a value forwarded but not keyed.
    fn tailor(&mut self, id: RequestId, origin: usize) {
        let r = &self.requests[id];
        let plan = self.caching_rule(r).forward;
        if r.ask.measured && origin_request::untailored(&plan, &r.ask.attributes) {
            self.metrics.origins[origin].untailored += 1;
        }
        if let Some(tailoring) = &mut self.tailoring {
            tailoring.set_response(id, origin_request::tailored_for(&plan, &self.requests[id].ask.attributes));
        }
    }

    /// Sends the request to the group's secondary once the primary's failure
    /// is known at the cache that sent it there. It goes through the
    /// secondary's Origin Shield when that has one not yet on the route (DG
    /// "Using Amazon CloudFront Origin Shield": failover requests pass
    /// through the secondary origin's shield); the shield looks it up like
    /// any request and caches what the route caches. Every request tries the
    /// primary first: nothing here is remembered for the next one
    /// (reference §4.1). `back_at_cloudfront` is when the primary's failure
    /// is known there.
    fn fail_over(&mut self, id: RequestId, secondary: usize, back_at_cloudfront: SimTime) {
        let r = self.requests[id];
        if r.ask.measured {
            let added = back_at_cloudfront.saturating_since(r.attempt.sent_to_primary);
            self.metrics.record_failover(r.ask.start, r.ask.method, added);
        }
        let from_cache = r.route[r.route.top()].cache;
        let from = self.network.node_of(from_cache);
        let shield = self.scenario.origins[secondary].origin_shield.map(|s| self.network.regional_cache(s));
        let via_shield = shield.filter(|&s| !r.route.passes(s));
        let attempt = &mut self.requests[id].attempt;
        attempt.member = Member::Secondary;
        attempt.origin = secondary as u16;
        match via_shield {
            Some(shield) => {
                let to = Node::Regional(self.network.regional_index(shield));
                let half_rtt_us = half(self.network.sample_hop(from, to, r.ask.edge()));
                let mut level = Level::new(shield, r.route[LevelIdx::EDGE].caching, true);
                level.half_rtt_us = half_rtt_us;
                let level = self.requests[id].route.push(level);
                let at = back_at_cloudfront + SimDuration(half_rtt_us as u64);
                self.arrive_at_level(at, id, level);
            }
            None => {
                let half_rtt_us = half(self.network.sample_hop(from, Node::Origin(secondary), r.ask.edge()));
                if self.runs_origin_request(id) {
                    // The origin-request function runs again, for the
                    // secondary (DG "Use origin failover with Lambda@Edge
                    // functions"), once the failure is known there.
                    self.requests[id].attempt.half_rtt_us = half_rtt_us;
                    let step = super::event::FunctionStep::LeavesForSecondary;
                    self.queue.push(back_at_cloudfront, Event::EdgeFunction { request: id, step });
                } else {
                    self.send_to_origin(id, from_cache, half_rtt_us, back_at_cloudfront);
                }
            }
        }
    }

    /// A request that bypasses CloudFront: only the origin's header check
    /// is modelled (it takes no slot at the origin and gets no object).
    pub(super) fn on_direct_request(&mut self, direct: DirectRequest) {
        if !self.metrics.measures(self.now) {
            return;
        }
        let origin = direct.origin as usize;
        let rule = self.access.as_ref().and_then(|a| a.rule_at(origin, self.now));
        let stats = &mut self.metrics.origin_access;
        stats.direct_requests += 1;
        stats.direct_refused += !origin_access::accepts(rule, direct.header_value) as u64;
    }
}
