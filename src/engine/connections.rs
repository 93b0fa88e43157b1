//! Connections, when the scenario models them (`[connections]`): each
//! cache's idle connections to each origin, kept for reuse within the
//! origin's keep-alive timeout, and the draws that give each viewer request
//! its HTTP version and tell whether it opens a new connection. The rules
//! (round trips per handshake, when an idle connection may be reused) are
//! `policy::connection`'s; this file only keeps the state.
//!
//! Idle connections expire lazily: a pool drops those past the keep-alive
//! timeout when it is next asked for one, so no event is ever scheduled
//! per connection. A connection that carries a fetch is in no pool; it goes
//! back, idle from the moment the response is back at the cache, when the
//! fetch's origin attempt ends.
//!
//! The origin's `concurrency` stays its only limit: it bounds the requests
//! it serves at once, and an idle kept-alive connection holds no slot (as
//! with servers whose workers serve requests, not sockets). Connections add
//! handshake time, never a second queue, so nothing is counted twice.

use rand::RngExt;
use rand::rngs::Xoshiro256PlusPlus;

use super::ids::CacheIdx;
use crate::policy::connection;
use crate::rng::{Stream, stream_rng_indexed};
use crate::scenario::{Scenario, TlsVersion, ViewerHttpVersion};
use crate::time::{SimDuration, SimTime};

pub(super) struct Connections {
    n_origins: usize,
    /// Per origin: its keep-alive timeout.
    keepalive: Vec<SimDuration>,
    // Invariant: one pool per (cache, origin, scheme), `pool_index` order;
    // a pool holds no connection that has expired as of the last time it
    // was asked (`take_idle`), and each entry is one open, idle connection.
    /// When each idle connection became free.
    idle: Vec<Vec<SimTime>>,
    /// Per class: how its viewers connect.
    viewer: Vec<ViewerMix>,
    pub(super) viewer_tls: TlsVersion,
}

/// A class's viewer connections: the HTTP version's cumulative shares and
/// the chance that a request opens a new connection, with its own stream.
struct ViewerMix {
    /// Cumulative shares of HTTP/1.1 and HTTP/1.1 + HTTP/2 (HTTP/3 takes the rest).
    below: [f64; 2],
    /// The version when one has every share: nothing to draw.
    only: Option<ViewerHttpVersion>,
    /// 1 / requests per connection: 1 means every request opens one.
    new_chance: f64,
    rng: Xoshiro256PlusPlus,
}

/// A viewer request's connection: the HTTP version it goes over (before
/// falling back from HTTP/3 over plain HTTP) and whether it opens it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct ViewerConnection {
    pub(super) version: ViewerHttpVersion,
    pub(super) opens: bool,
}

impl Connections {
    /// The connection state of a run, when the scenario models connections.
    pub(super) fn build(scenario: &Scenario, seed: u64, n_caches: usize) -> Option<Connections> {
        let spec = scenario.connections?;
        let n_origins = scenario.origins.len();
        let viewer = scenario
            .traffic
            .classes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let [h1, h2, _] = c.viewer_protocols;
                let only = ViewerHttpVersion::ALL.into_iter().find(|v| c.viewer_protocols[v.index()] >= 1.0);
                ViewerMix {
                    below: [h1, h1 + h2],
                    only,
                    new_chance: 1.0 / c.requests_per_connection,
                    rng: stream_rng_indexed(seed, Stream::ViewerConnections, i as u64),
                }
            })
            .collect();
        Some(Connections {
            n_origins,
            keepalive: scenario.origins.iter().map(|o| o.keepalive_timeout).collect(),
            idle: vec![Vec::new(); n_caches * n_origins * 2],
            viewer,
            viewer_tls: spec.viewer_tls,
        })
    }

    fn pool_index(&self, cache: CacheIdx, origin: usize, https: bool) -> usize {
        (cache.index() * self.n_origins + origin) * 2 + https as usize
    }

    /// A fetch from `cache` to `origin` at `now` takes an idle connection:
    /// the one that went idle last, when one may be reused (true), else it
    /// must open one (false). Drops the connections that expired.
    pub(super) fn take_idle(&mut self, cache: CacheIdx, origin: usize, https: bool, now: SimTime) -> bool {
        let keepalive = self.keepalive[origin];
        let pool = self.pool_index(cache, origin, https);
        let pool = &mut self.idle[pool];
        pool.retain(|&idle_since| !connection::expired(idle_since, now, keepalive));
        let warmest = pool
            .iter()
            .enumerate()
            .filter(|&(_, &idle_since)| connection::reusable(idle_since, now, keepalive))
            .max_by_key(|&(i, &idle_since)| (idle_since, i))
            .map(|(i, _)| i);
        match warmest {
            Some(i) => {
                pool.swap_remove(i);
                true
            }
            None => false,
        }
    }

    /// A fetch's connection goes back idle, from `idle_since` on.
    pub(super) fn give_back(&mut self, cache: CacheIdx, origin: usize, https: bool, idle_since: SimTime) {
        let pool = self.pool_index(cache, origin, https);
        self.idle[pool].push(idle_since);
    }

    /// Draws a viewer request's connection: its HTTP version (from the
    /// class's shares) and whether it opens a new connection (with chance
    /// 1 / requests per connection). A request that follows a redirect to
    /// HTTPS always opens one (`opens_for_redirect`). Which connection a
    /// reused request rides is not followed, so its version is drawn from
    /// the shares like a new one's: the same mix, request by request.
    pub(super) fn viewer_connection(&mut self, class: usize) -> ViewerConnection {
        let mix = &mut self.viewer[class];
        let version = match mix.only {
            Some(only) => only,
            None => {
                let u: f64 = mix.rng.random();
                if u < mix.below[0] {
                    ViewerHttpVersion::Http1_1
                } else if u < mix.below[1] {
                    ViewerHttpVersion::Http2
                } else {
                    ViewerHttpVersion::Http3
                }
            }
        };
        let opens = mix.new_chance >= 1.0 || mix.rng.random::<f64>() < mix.new_chance;
        ViewerConnection { version, opens }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: u64) -> SimTime {
        SimTime(s * 1_000_000)
    }

    fn pools(keepalive_s: u64) -> Connections {
        Connections {
            n_origins: 2,
            keepalive: vec![SimDuration::from_secs(keepalive_s); 2],
            idle: vec![Vec::new(); 2 * 2 * 2],
            viewer: Vec::new(),
            viewer_tls: TlsVersion::Tls1_3,
        }
    }

    #[test]
    fn an_idle_connection_is_reused_within_the_keepalive_only() {
        let mut c = pools(5);
        let edge = CacheIdx::new(0);
        assert!(!c.take_idle(edge, 1, true, at(1)), "an empty pool opens one");
        c.give_back(edge, 1, true, at(1));
        // Another origin, another scheme: other pools.
        assert!(!c.take_idle(edge, 0, true, at(2)));
        assert!(!c.take_idle(edge, 1, false, at(2)));
        assert!(!c.take_idle(CacheIdx::new(1), 1, true, at(2)));
        assert!(c.take_idle(edge, 1, true, at(3)), "idle 2 s < 5 s");
        assert!(!c.take_idle(edge, 1, true, at(3)), "it is busy now");
        c.give_back(edge, 1, true, at(3));
        assert!(!c.take_idle(edge, 1, true, at(8)), "idle 5 s: closed");
        assert!(c.idle[c.pool_index(edge, 1, true)].is_empty(), "the expired connection is dropped");
    }

    #[test]
    fn the_warmest_free_connection_goes_first() {
        let mut c = pools(10);
        let edge = CacheIdx::new(1);
        for s in [1, 4, 2, 9] {
            c.give_back(edge, 0, false, at(s));
        }
        // At 5 s the one free since 9 s is still on its way back; the one
        // idle since 4 s is the warmest free one.
        assert!(c.take_idle(edge, 0, false, at(5)));
        let mut left = c.idle[c.pool_index(edge, 0, false)].clone();
        left.sort();
        assert_eq!(left, [at(1), at(2), at(9)]);
        // At 12.5 s, the ones idle since 1 s and 2 s have expired (11.5 s
        // and 10.5 s idle); the one idle since 9 s carries the fetch.
        assert!(c.take_idle(edge, 0, false, SimTime(12_500_000)));
        assert!(c.idle[c.pool_index(edge, 0, false)].is_empty());
    }
}
