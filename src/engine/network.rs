//! Where the caches are and what a hop between them costs: the topology's
//! sampled round trips, and which cache index is which node.

use super::ids::CacheIdx;
use crate::cdn::topology::Topology;
use crate::scenario::{OriginKind, Scenario};
use crate::time::SimDuration;

/// A node a request travels between.
#[derive(Clone, Copy, Debug)]
pub enum Node {
    Edge(usize),
    Regional(usize),
    Origin(usize),
}

pub struct Network {
    topology: Topology,
    // Invariant: edge_regional.len() == n_edges; cache indices below n_edges
    // are edge locations, the others regional edge caches (`CacheIdx`).
    n_edges: usize,
    /// Each edge location's own regional edge cache.
    edge_regional: Vec<u16>,
    /// Per (edge, origin): whether it is an S3 origin in the edge's own
    /// Region, which routes skip the regional edge cache for (`policy::routing`).
    s3_origin_local: Vec<bool>,
    n_origins: usize,
}

impl Network {
    pub fn build(scenario: &Scenario, seed: u64) -> Network {
        let edges = &scenario.topology.edges;
        let n_caches = edges.len() + scenario.topology.regional_caches.len();
        assert!(n_caches <= CacheIdx::MAX_CACHES, "{n_caches} caches: a run has at most {}", CacheIdx::MAX_CACHES);
        let s3_origin_local = edges
            .iter()
            .flat_map(|e| {
                let region = scenario.topology.regional_caches[e.regional_cache].region.name;
                scenario.origins.iter().map(move |o| o.kind == OriginKind::S3 && o.region.name == region)
            })
            .collect();
        Network {
            topology: Topology::build(scenario, seed),
            n_edges: edges.len(),
            edge_regional: edges.iter().map(|e| e.regional_cache as u16).collect(),
            s3_origin_local,
            n_origins: scenario.origins.len(),
        }
    }

    pub fn edge_cache(&self, edge: usize) -> CacheIdx {
        debug_assert!(edge < self.n_edges);
        CacheIdx::new(edge)
    }

    pub fn regional_cache(&self, regional: usize) -> CacheIdx {
        CacheIdx::new(self.n_edges + regional)
    }

    /// The regional edge cache an edge location sends its misses to.
    pub fn own_regional(&self, edge: usize) -> usize {
        self.edge_regional[edge] as usize
    }

    pub fn s3_origin_local(&self, edge: usize, origin: usize) -> bool {
        self.s3_origin_local[edge * self.n_origins + origin]
    }

    pub fn node_of(&self, cache: CacheIdx) -> Node {
        let index = cache.index();
        if index < self.n_edges { Node::Edge(index) } else { Node::Regional(index - self.n_edges) }
    }

    /// The regional edge cache `cache` is, as an index among them.
    pub fn regional_index(&self, cache: CacheIdx) -> usize {
        match self.node_of(cache) {
            Node::Regional(r) => r,
            _ => unreachable!("only regional edge caches sit above the edge"),
        }
    }

    /// The shortest round trip between two regional edge caches.
    pub fn regional_to_regional_floor(&self, from: usize, to: usize) -> SimDuration {
        self.topology.rtt_floor(self.topology.regional_to_regional(from, to))
    }

    /// The shortest round trip between a regional edge cache and an origin.
    pub fn regional_to_origin_floor(&self, regional: usize, origin: usize) -> SimDuration {
        self.topology.rtt_floor(self.topology.regional_to_origin(regional, origin))
    }

    /// The shortest round trip between an edge location and an origin.
    pub fn edge_to_origin_floor(&self, edge: usize, origin: usize) -> SimDuration {
        self.topology.rtt_floor(self.topology.edge_to_origin(edge, origin))
    }

    /// The round trip between a viewer of `population` and the edge
    /// location that serves it.
    pub fn sample_viewer_rtt(&mut self, population: usize) -> SimDuration {
        self.topology.sample_viewer_rtt(population)
    }

    /// Round trip between two nodes on the way up, for a request that came
    /// in at `edge`. An edge reaches a regional cache other than its own (an
    /// Origin Shield) through its own.
    pub fn sample_hop(&mut self, from: Node, to: Node, edge: usize) -> SimDuration {
        let own = self.own_regional(edge);
        let topology = &mut self.topology;
        match (from, to) {
            (Node::Edge(e), Node::Regional(r)) if r == own => topology.sample_rtt(topology.edge_to_regional(e)),
            (Node::Edge(e), Node::Regional(r)) => {
                let first = topology.sample_rtt(topology.edge_to_regional(e));
                first + topology.sample_rtt(topology.regional_to_regional(own, r))
            }
            (Node::Edge(e), Node::Origin(o)) => topology.sample_rtt(topology.edge_to_origin(e, o)),
            (Node::Regional(a), Node::Regional(b)) => topology.sample_rtt(topology.regional_to_regional(a, b)),
            (Node::Regional(a), Node::Origin(o)) => topology.sample_rtt(topology.regional_to_origin(a, o)),
            (_, Node::Edge(_)) | (Node::Origin(_), _) => unreachable!("requests only travel up towards the origin"),
        }
    }
}
