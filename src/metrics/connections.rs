//! What connections did, when the scenario models them (`[connections]`):
//! per cache that faces an origin, connections to it opened and reused and
//! the time their handshakes took; per edge location, viewer connections
//! opened and reused by HTTP version and the time their handshakes took.

use super::merging::{add_counts, merge_each, same};

/// One cache's connections to one origin.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OriginConnectionCounts {
    /// Fetches that needed a new connection (refused ones included).
    pub opened: u64,
    /// Fetches that went over an idle connection kept alive.
    pub reused: u64,
    /// Time the completed handshakes of those new connections took, in
    /// microseconds (each delayed its fetch by this much).
    pub handshake_us: u64,
}

impl OriginConnectionCounts {
    /// Adds another's counts: another partition's of the same pair, or
    /// another pair's for a total.
    pub fn merge(&mut self, other: OriginConnectionCounts) {
        let OriginConnectionCounts { opened, reused, handshake_us } = other;
        self.opened += opened;
        self.reused += reused;
        self.handshake_us += handshake_us;
    }
}

/// One edge location's viewer connections, by HTTP version as negotiated
/// (`ViewerHttpVersion::index`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ViewerConnectionCounts {
    pub opened: [u64; 3],
    pub reused: [u64; 3],
    /// Time the viewers' handshakes took, in microseconds (each added to
    /// its first request's latency).
    pub handshake_us: u64,
}

impl ViewerConnectionCounts {
    /// Adds another's counts: another partition's of the same edge
    /// location, or another edge location's for a total.
    pub fn merge(&mut self, other: ViewerConnectionCounts) {
        let ViewerConnectionCounts { opened, reused, handshake_us } = other;
        add_counts(&mut self.opened, opened);
        add_counts(&mut self.reused, reused);
        self.handshake_us += handshake_us;
    }
}

/// Counters of a run with `[connections]`.
#[derive(Clone, Debug, PartialEq)]
pub struct ConnectionStats {
    pub n_origins: usize,
    // Invariant: n_caches * n_origins entries, cache-major.
    /// Per (cache, origin): edge locations first, then regional edge caches.
    pub origin: Vec<OriginConnectionCounts>,
    /// Per edge location.
    pub viewer: Vec<ViewerConnectionCounts>,
}

impl ConnectionStats {
    pub fn new(n_caches: usize, n_edges: usize, n_origins: usize) -> ConnectionStats {
        ConnectionStats {
            n_origins,
            origin: vec![OriginConnectionCounts::default(); n_caches * n_origins],
            viewer: vec![ViewerConnectionCounts::default(); n_edges],
        }
    }

    pub fn origin_mut(&mut self, cache: usize, origin: usize) -> &mut OriginConnectionCounts {
        &mut self.origin[cache * self.n_origins + origin]
    }

    pub fn origin_at(&self, cache: usize, origin: usize) -> &OriginConnectionCounts {
        &self.origin[cache * self.n_origins + origin]
    }

    /// Adds another partition's counts of the same run (`Metrics::merge`).
    pub fn merge(&mut self, other: ConnectionStats) {
        let ConnectionStats { n_origins, origin, viewer } = other;
        same(&self.n_origins, &n_origins, "connections: the number of origins");
        merge_each(&mut self.origin, origin, "connections per cache and origin", OriginConnectionCounts::merge);
        merge_each(&mut self.viewer, viewer, "viewer connections per edge location", ViewerConnectionCounts::merge);
    }

    /// Every cache's connections to `origin`, added up.
    pub fn to_origin(&self, origin: usize) -> OriginConnectionCounts {
        let mut sum = OriginConnectionCounts::default();
        for c in self.origin.iter().skip(origin).step_by(self.n_origins.max(1)) {
            sum.merge(*c);
        }
        sum
    }

    /// All origin connections, added up.
    pub fn origin_total(&self) -> OriginConnectionCounts {
        (0..self.n_origins).map(|o| self.to_origin(o)).fold(OriginConnectionCounts::default(), |mut a, c| {
            a.merge(c);
            a
        })
    }

    /// All viewer connections, added up.
    pub fn viewer_total(&self) -> ViewerConnectionCounts {
        let mut sum = ViewerConnectionCounts::default();
        for v in &self.viewer {
            sum.merge(*v);
        }
        sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_add_up_per_origin_and_over_edges() {
        let mut stats = ConnectionStats::new(3, 2, 2);
        stats.origin_mut(0, 1).opened = 2;
        stats.origin_mut(2, 1).reused = 5;
        stats.origin_mut(1, 0).handshake_us = 7;
        assert_eq!(stats.to_origin(1), OriginConnectionCounts { opened: 2, reused: 5, handshake_us: 0 });
        assert_eq!(stats.to_origin(0), OriginConnectionCounts { opened: 0, reused: 0, handshake_us: 7 });
        assert_eq!(stats.origin_total(), OriginConnectionCounts { opened: 2, reused: 5, handshake_us: 7 });
        stats.viewer[1].opened[2] = 3;
        stats.viewer[0].reused[1] = 4;
        let total = stats.viewer_total();
        assert_eq!((total.opened, total.reused), ([0, 0, 3], [0, 4, 0]));
    }
}
