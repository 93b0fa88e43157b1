//! One viewer request in flight, in the parts that change together: what the
//! viewer asked (fixed at arrival), the route of caches it passes (a level
//! per cache), the current origin attempt, and the response on its way down.
//!
//! Imports no engine file but `ids`.

use std::num::NonZeroU8;
use std::ops::{Index, IndexMut};

use super::ids::{CacheIdx, LevelIdx, MAX_LEVELS, RequestId};
use crate::cache::{CacheKey, Version};
use crate::http::Method;
use crate::policy::compression::Encoding;
use crate::policy::failover::OriginOutcome;
use crate::policy::result_type::{Logged, ServedBy};
use crate::scenario::{HeaderValueId, RequestAttributes, ViewerHttpVersion};
use crate::time::{SimDuration, SimTime};
use cdnsim_sign::Rejection;

/// What the viewer asked for, and how it is measured. Set at arrival and
/// never changed (a redirected viewer's HTTPS retry is a new request), but
/// for the sizes and encoding of what the viewer gets when a custom error
/// page answers it instead of an error (`error_pages.rs`).
#[derive(Clone, Copy, Debug)]
pub struct Ask {
    /// When the viewer sent it (for measurement windows; clipped at zero).
    pub start: SimTime,
    /// When it reached the edge; latency is measured from here, exactly.
    pub arrived: SimTime,
    pub object: u64,
    /// The object's key under its behavior's cache policy, computed once
    /// at arrival (`policy::cache_key`); collapsing follows it too.
    pub key: CacheKey,
    /// The object's full size: what the origin sends (CloudFront's origins
    /// send it uncompressed, `policy::compression`).
    pub size_bytes: u64,
    /// The size of the copy CloudFront caches under `key` and sends the
    /// viewer: `size_bytes`, or its encoded size when `encoding` compresses
    /// it. The first cache the origin's answer reaches compresses it, so
    /// every tier stores this copy under the key (which holds the encoding,
    /// `policy::cache_key`); fixed at arrival, as the key is.
    pub copy_bytes: u64,
    pub encoding: Encoding,
    pub class: u16,
    // Invariant: below 256, as the loader allows at most 255 behaviors (the
    // catalog keeps an object's behavior in 8 bits too).
    pub behavior: u8,
    pub edge: u16,
    /// The distribution's geo restriction refuses the viewer's country:
    /// decided at arrival from the viewer's population (`cdn::viewers`,
    /// `policy::geo::refuses`), answered 403 by the edge (`edge.rs`). One
    /// byte, freed by `behavior`'s: `Ask` does not grow.
    pub geo_refused: bool,
    pub method: Method,
    /// Whether the viewer leg is HTTPS (after a redirect, it is).
    pub https: bool,
    /// Whether it counts in the metrics (it started after the warm-up).
    pub measured: bool,
    /// The viewer session, for signed traffic.
    pub session: u32,
    /// From a replayed access log: its result types, and the verdict on its signed URL.
    pub logged_result: Option<Logged>,
    pub logged_signature: Option<Result<(), Rejection>>,
    /// What the viewer's request carried besides the path (its key holds
    /// some of it; the access log writes its query string and cookies).
    pub attributes: RequestAttributes,
}

/// A level on the route, in one byte with a niche so that
/// `Option<BackgroundAt>` fits the route's padding (`Route::background_at`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BackgroundAt(NonZeroU8);

impl BackgroundAt {
    pub fn new(level: LevelIdx) -> BackgroundAt {
        // Invariant: level indices are below MAX_LEVELS, so index + 1 fits.
        BackgroundAt(NonZeroU8::new(level.index() as u8 + 1).expect("index + 1 is above zero"))
    }
}

impl Ask {
    pub fn class(&self) -> usize {
        self.class as usize
    }

    pub fn behavior(&self) -> usize {
        self.behavior as usize
    }

    pub fn edge(&self) -> usize {
        self.edge as usize
    }
}

/// The viewer's connection to the edge: the leg below the route's first
/// level. Two bytes, in the route's padding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ViewerLeg {
    /// The HTTP version of the viewer's connection as drawn for its class
    /// (`policy::connection::negotiated` gives what it speaks); `None` when
    /// connections are not modelled.
    pub http: Option<ViewerHttpVersion>,
    /// Round trips the viewer spent opening its connection before sending
    /// the request: 0 on a reused connection, and always 0 when connections
    /// are not modelled. Latency adds them.
    pub handshake_rtts: u8,
}

impl ViewerLeg {
    /// The viewer's latency for a response that leaves the edge `at_edge`
    /// after the request arrived there, over a viewer round trip of
    /// `viewer_rtt`: the handshake's round trips, the request's way there
    /// and the response's way back.
    #[inline(always)]
    pub fn latency(self, at_edge: SimDuration, viewer_rtt: SimDuration) -> SimDuration {
        at_edge + SimDuration(viewer_rtt.0 * (1 + self.handshake_rtts as u64))
    }
}

/// A cache on a request's route, and the request's state there.
#[derive(Clone, Copy, Debug)]
pub struct Level {
    pub cache: CacheIdx,
    /// Whether the request is looked up here, or only passes through.
    pub caching: bool,
    /// Whether this regional edge cache acts as the origin's Origin Shield here.
    pub shield_role: bool,
    /// One-way delay from the level below (or the viewer) to here.
    pub half_rtt_us: u32,
    /// Version of the expired copy found here, if any.
    pub stale_version: Option<Version>,
    /// The validator this level sent upstream: its own expired copy's
    /// version, else the one it passed on from below, else none (an
    /// unconditional request). CloudFront revalidates with the stored
    /// ETag/Last-Modified (reference §6.5); a version stands for both.
    pub validator: Option<Version>,
    /// Head of the list of requests collapsed onto this one here. Per level,
    /// because a request leading a fetch at the edge may itself wait on
    /// another at the regional cache.
    pub waiters: Option<RequestId>,
}

impl Level {
    /// A level not reached yet: no delay, no copy, no validator, no waiters.
    pub const fn new(cache: CacheIdx, caching: bool, shield_role: bool) -> Level {
        Level { cache, caching, shield_role, half_rtt_us: 0, stale_version: None, validator: None, waiters: None }
    }
}

/// The caches a request passes, the edge first.
#[derive(Clone, Copy, Debug)]
pub struct Route {
    levels: [Level; MAX_LEVELS],
    // Invariant: 1 <= depth <= MAX_LEVELS, and levels[..depth] name each cache once.
    depth: u8,
    /// For a background revalidation (`stale-while-revalidate`), the level
    /// whose expired copy it refreshes: where it starts going up and where
    /// it ends on its way down. `None` for a viewer's request.
    // Invariant: below depth.
    background_at: Option<BackgroundAt>,
    /// The viewer's connection (fits the padding after `background_at`).
    pub viewer: ViewerLeg,
}

impl Route {
    /// A route that starts (and for now ends) at the edge.
    #[inline(always)]
    pub fn at_edge(edge: Level) -> Route {
        // The levels above the top are never read; a constant fills them
        // cheaply (every request builds a route, hits included).
        const UNUSED: Level = Level::new(CacheIdx::new(0), false, false);
        let mut levels = [UNUSED; MAX_LEVELS];
        levels[0] = edge;
        Route { levels, depth: 1, background_at: None, viewer: ViewerLeg { http: None, handshake_rtts: 0 } }
    }

    /// Adds a cache above the top one; returns its level.
    pub fn push(&mut self, level: Level) -> LevelIdx {
        debug_assert!(!self.passes(level.cache), "a route passes each cache once");
        let at = LevelIdx::new(self.depth());
        self.levels[at.index()] = level;
        self.depth += 1;
        at
    }

    /// Makes this the route of a background revalidation of the copy at
    /// `level`, which it leaves going up and where it ends going down.
    pub fn start_background_at(&mut self, level: LevelIdx) {
        debug_assert!(level.index() < self.depth(), "a background fetch starts on its route");
        self.background_at = Some(BackgroundAt::new(level));
    }

    /// Whether this is a background revalidation's route: it answers no
    /// viewer.
    #[inline]
    pub fn is_background(&self) -> bool {
        self.background_at.is_some()
    }

    /// Whether this is a background revalidation's route and it ends at
    /// `level` on the way down.
    #[inline]
    pub fn ends_background_at(&self, level: LevelIdx) -> bool {
        self.background_at.is_some_and(|at| at.0.get() as usize == level.index() + 1)
    }

    /// The last cache before the origin.
    pub fn top(&self) -> LevelIdx {
        LevelIdx::new(self.depth() - 1)
    }

    /// The level above `level`, or `None` when the origin is next.
    pub fn above(&self, level: LevelIdx) -> Option<LevelIdx> {
        let next = level.index() + 1;
        (next < self.depth()).then(|| LevelIdx::new(next))
    }

    pub fn levels(&self) -> &[Level] {
        &self.levels[..self.depth()]
    }

    pub fn levels_mut(&mut self) -> &mut [Level] {
        let depth = self.depth();
        &mut self.levels[..depth]
    }

    /// How many caches the route passes.
    pub fn depth(&self) -> usize {
        self.depth as usize
    }

    pub fn passes(&self, cache: CacheIdx) -> bool {
        self.levels().iter().any(|l| l.cache == cache)
    }

    /// Where `cache` is on the route, if it is.
    pub fn level_of(&self, cache: CacheIdx) -> Option<LevelIdx> {
        self.levels().iter().position(|l| l.cache == cache).map(LevelIdx::new)
    }

    /// The cache at `level` if the request is looked up there, or `None`
    /// (also above the route's top): for prefetch hints, which may read a
    /// request that has moved on.
    #[inline]
    pub fn caching_cache_at(&self, level: LevelIdx) -> Option<CacheIdx> {
        let lvl = self.levels().get(level.index())?;
        lvl.caching.then_some(lvl.cache)
    }
}

impl Index<LevelIdx> for Route {
    type Output = Level;

    fn index(&self, level: LevelIdx) -> &Level {
        debug_assert!(level.index() < self.depth(), "level {} is above the route's top", level.index());
        &self.levels[level.index()]
    }
}

impl IndexMut<LevelIdx> for Route {
    fn index_mut(&mut self, level: LevelIdx) -> &mut Level {
        debug_assert!(level.index() < self.depth(), "level {} is above the route's top", level.index());
        &mut self.levels[level.index()]
    }
}

/// Which member of an origin group a request is trying.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Member {
    Primary,
    Secondary,
}

/// The connection an origin attempt goes over (`engine/connections.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OriginConnection {
    /// Connections are not modelled: every one is open already.
    Warm,
    /// An idle connection kept alive carries it.
    Reused,
    /// A new one: the request is at the origin's side after the SYN's half
    /// round trip, and `round_trips` of handshake are still to go.
    Opening { round_trips: u8 },
    /// A new one whose handshake is done.
    Opened,
}

impl OriginConnection {
    /// Whether an open connection goes back idle when the attempt ends
    /// (one still opening was refused or never answered).
    pub fn is_open(self) -> bool {
        matches!(self, OriginConnection::Reused | OriginConnection::Opened)
    }
}

/// The current attempt at an origin, from the request leaving its last
/// cache until the origin's outcome is known.
#[derive(Clone, Copy, Debug)]
pub struct OriginAttempt {
    /// The origin tried: the behavior's, or its group's secondary after failover.
    pub origin: u16,
    pub member: Member,
    /// Whether the attempt holds one of the origin's concurrency slots.
    pub holds_slot: bool,
    /// The origin's secret header as the CloudFront location that sent the
    /// attempt had it configured then (interned).
    pub header_value: HeaderValueId,
    /// One-way delay between the last cache and the origin.
    pub half_rtt_us: u32,
    /// When the request left CloudFront for the primary origin.
    pub sent_to_primary: SimTime,
    /// When it joined the origin's queue.
    pub queued_at: SimTime,
    /// How the attempt ended, from its start until `OriginDone`.
    pub outcome: OriginOutcome,
    pub connection: OriginConnection,
}

impl OriginAttempt {
    /// The first attempt, at the primary (or only) origin, not yet sent.
    pub fn primary(origin: u16) -> OriginAttempt {
        OriginAttempt {
            origin,
            member: Member::Primary,
            holds_slot: false,
            header_value: crate::scenario::ABSENT,
            half_rtt_us: 0,
            sent_to_primary: SimTime::ZERO,
            queued_at: SimTime::ZERO,
            outcome: OriginOutcome::Status(200),
            connection: OriginConnection::Warm,
        }
    }

    pub fn origin(&self) -> usize {
        self.origin as usize
    }

    pub fn half_rtt(&self) -> SimDuration {
        SimDuration(self.half_rtt_us as u64)
    }

    /// The attempt ended without an origin slot (refused, failed to
    /// connect, or the origin's queue was full).
    pub fn end_without_slot(&mut self, outcome: OriginOutcome) {
        self.outcome = outcome;
        self.holds_slot = false;
    }
}

/// The response travelling back down.
#[derive(Clone, Copy, Debug)]
pub struct Response {
    pub status: u16,
    /// The object's version, for a response that is no error.
    pub version: Option<Version>,
    /// Whether it carries the body (false: a 304 to the level it reaches).
    pub body: bool,
    pub served_by: ServedBy,
    /// Set when the response is an expired copy that a tier served because
    /// the origin failed: when that tier stops serving it and asks again.
    /// Every tier below keeps the copy no longer (it stays expired).
    pub stale_until: Option<SimTime>,
}

impl Response {
    /// Answers with `status`; whether the body goes with it is left as the
    /// levels above decided.
    pub fn answer(&mut self, status: u16, version: Option<Version>, served_by: ServedBy) {
        self.status = status;
        self.version = version;
        self.served_by = served_by;
        self.stale_until = None;
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Request {
    pub ask: Ask,
    pub route: Route,
    pub attempt: OriginAttempt,
    pub response: Response,
    /// The next request in the waiter list this one is in.
    // Invariant: a request waits in at most one list (it stops where it
    // collapses), and is not in one while it moves on.
    next_waiter: Option<RequestId>,
    #[cfg(debug_assertions)]
    waiting: bool,
}

impl Request {
    pub fn new(ask: Ask, route: Route, attempt: OriginAttempt) -> Request {
        let response =
            Response { status: 0, version: None, body: true, served_by: ServedBy::Origin, stale_until: None };
        Request {
            ask,
            route,
            attempt,
            response,
            next_waiter: None,
            #[cfg(debug_assertions)]
            waiting: false,
        }
    }

    /// The request joins a waiter list in front of `next` (the old head).
    pub fn start_waiting(&mut self, next: Option<RequestId>) {
        #[cfg(debug_assertions)]
        {
            assert!(!self.waiting, "a request waits in one list at a time");
            self.waiting = true;
        }
        self.next_waiter = next;
    }

    /// The request leaves its waiter list; returns the next in it.
    pub fn stop_waiting(&mut self) -> Option<RequestId> {
        #[cfg(debug_assertions)]
        {
            assert!(self.waiting, "only a waiting request is answered from a list");
            self.waiting = false;
        }
        self.next_waiter.take()
    }

    /// Whether the viewer receives the object's body.
    pub fn body_bytes(&self) -> u64 {
        body_bytes(self.ask.method, self.response.status, self.ask.copy_bytes)
    }
}

/// Half a round trip, in whole microseconds.
pub fn half(rtt: SimDuration) -> u32 {
    (rtt.as_micros() / 2).min(u32::MAX as u64) as u32
}

/// Body bytes a viewer receives: HEAD and OPTIONS carry none, nor do errors.
pub fn body_bytes(method: Method, status: u16, size_bytes: u64) -> u64 {
    if crate::metrics::carries_body(method, status) { size_bytes } else { 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(cache: usize) -> Level {
        Level::new(CacheIdx::new(cache), true, false)
    }

    #[test]
    fn a_route_grows_from_the_edge_up() {
        let mut route = Route::at_edge(level(0));
        assert_eq!(route.top(), LevelIdx::EDGE);
        assert_eq!(route.above(LevelIdx::EDGE), None);
        let regional = route.push(level(5));
        let shield = route.push(level(7));
        assert_eq!((regional.index(), shield.index()), (1, 2));
        assert_eq!(route.top(), shield);
        assert_eq!(route.above(LevelIdx::EDGE), Some(regional));
        assert_eq!(route.above(shield), None);
        assert_eq!(route.level_of(CacheIdx::new(7)), Some(shield));
        assert_eq!(route.level_of(CacheIdx::new(6)), None);
        assert_eq!(route.levels().len(), 3);
        assert_eq!(route[regional].cache, CacheIdx::new(5));
    }

    #[test]
    fn a_hint_names_only_caches_the_request_is_looked_up_in() {
        let mut route = Route::at_edge(level(3));
        let passed = route.push(Level::new(CacheIdx::new(8), false, false));
        assert_eq!(route.caching_cache_at(LevelIdx::EDGE), Some(CacheIdx::new(3)));
        assert_eq!(route.caching_cache_at(passed), None, "passed through, not looked up");
        assert_eq!(route.caching_cache_at(LevelIdx::new(2)), None, "above the top");
    }

    #[test]
    #[should_panic(expected = "at most 4 levels")]
    fn a_route_has_room_for_four_caches_only() {
        let mut route = Route::at_edge(level(0));
        for cache in 1..=MAX_LEVELS {
            route.push(level(cache));
        }
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "one list at a time")]
    fn a_request_cannot_wait_twice() {
        let ask = Ask {
            start: SimTime::ZERO,
            arrived: SimTime::ZERO,
            object: 1,
            key: crate::policy::cache_key::cache_key(1, Method::Get, None),
            size_bytes: 10,
            copy_bytes: 10,
            encoding: Encoding::Identity,
            class: 0,
            behavior: 0,
            edge: 0,
            geo_refused: false,
            method: Method::Get,
            https: true,
            measured: true,
            session: 0,
            logged_result: None,
            logged_signature: None,
            attributes: RequestAttributes::NONE,
        };
        let mut request = Request::new(ask, Route::at_edge(level(0)), OriginAttempt::primary(0));
        request.start_waiting(None);
        assert_eq!(request.stop_waiting(), None);
        request.start_waiting(Some(RequestId::from_index(3)));
        request.start_waiting(None);
    }

    #[test]
    fn a_request_is_as_large_as_its_parts() {
        // The one flat struct was 200 bytes, and the parts padded to the same;
        // the request's attributes (query parameters, cookies, headers as
        // value ids) add their 56, and the copy's size and encoding
        // (compression) 8 more (the encoding's byte fits in padding). Debug
        // builds add the waiting flag (and its padding).
        assert_eq!(std::mem::size_of::<RequestAttributes>(), 56);
        let expected = if cfg!(debug_assertions) { 272 } else { 264 };
        assert_eq!(std::mem::size_of::<Request>(), expected);
        assert_eq!(std::mem::size_of::<Level>(), 20);
        assert_eq!(std::mem::size_of::<Option<BackgroundAt>>(), 1);
        // Each level is told apart from the others and from a viewer's route.
        let edge = Level::new(CacheIdx::new(0), true, false);
        let mut route = Route::at_edge(edge);
        route.push(Level::new(CacheIdx::new(1), true, false));
        route.push(Level::new(CacheIdx::new(2), true, false));
        assert!((0..3).all(|l| !route.ends_background_at(LevelIdx::new(l))));
        route.start_background_at(LevelIdx::new(1));
        let ends: Vec<bool> = (0..3).map(|l| route.ends_background_at(LevelIdx::new(l))).collect();
        assert_eq!(ends, [false, true, false]);
    }

    #[test]
    fn only_gets_carry_bodies() {
        assert_eq!(body_bytes(Method::Get, 200, 10), 10);
        assert_eq!(body_bytes(Method::Head, 200, 10), 0);
        assert_eq!(body_bytes(Method::Get, 304, 10), 0);
        assert_eq!(body_bytes(Method::Get, 503, 10), 0);
        assert_eq!(half(SimDuration::from_millis_f64(3.0)), 1_500);
    }
}
