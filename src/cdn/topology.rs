//! The network: edge locations, regional edge caches and origins as a petgraph
//! graph whose links carry round-trip-time distributions.
//!
//! The engine never walks the graph. At set-up every hop a request can take
//! (edge to its regional cache, regional cache to another acting as Origin
//! Shield, any cache to an origin) is resolved once to the shortest path by
//! mean round-trip time, and stored as a list of links whose samples are
//! summed per request.

use super::viewers::{LastMile, ViewerPopulations};
use crate::dist::Dist;
use crate::geo;
use crate::rng::{Stream, stream_rng_indexed};
use crate::scenario::{NodeRef, Scenario};
use crate::time::SimDuration;
use petgraph::graph::{NodeIndex, UnGraph};
use rand::rngs::Xoshiro256PlusPlus;

/// A hop: a path of links between two nodes, resolved at set-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HopId(u32);

/// What a node of the graph is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Node {
    Edge(usize),
    Regional(usize),
    Origin(usize),
}

struct Link {
    rtt_ms: Dist,
    /// No draw goes below this: the distribution's own lower bound, or for
    /// a link estimated from geography, half its mean. It bounds from below
    /// the delay between two partitions of a run over several cores (their
    /// lookahead, `engine::partition`).
    // Invariant: 0 <= floor_ms <= rtt_ms.mean().
    floor_ms: f64,
    rng: Xoshiro256PlusPlus,
}

impl Link {
    fn new(rtt_ms: Dist, floor_ms: f64, rng: Xoshiro256PlusPlus) -> Link {
        debug_assert!((0.0..=rtt_ms.mean().max(0.0)).contains(&floor_ms), "a link's floor is within its mean");
        Link { rtt_ms, floor_ms, rng }
    }

    fn sample(&mut self) -> f64 {
        self.rtt_ms.sample(&mut self.rng).max(self.floor_ms)
    }
}

/// The floor of a link estimated from geography: light in fibre over the
/// great-circle distance (`geo::fibre_rtt_ms_for_km`), which no backbone
/// beats. The estimate's mean is 1.3 times that plus 1 ms, so the floor is
/// at most 1/1.3 of the mean: 5.3 standard deviations below it on the log
/// scale of a 5%-jitter link, where a draw falls about once in 10^7. A draw
/// below it is raised to it. It gives partitions a lookahead.
fn geographic_floor_ms(a: &geo::Region, b: &geo::Region) -> f64 {
    geo::fibre_rtt_ms_for_km(geo::distance_km(a, b))
}

/// The resolved network of one run.
pub struct Topology {
    links: Vec<Link>,
    /// Links of every hop, back to back; a hop is a range of this.
    hop_links: Vec<u32>,
    hops: Vec<(u32, u32)>,
    /// Per hop, its round trip when every link on it is fixed: no draw and
    /// no float rounding per request (the same sum, made once).
    hop_fixed: Vec<Option<SimDuration>>,
    n_regional: usize,
    n_origins: usize,
    /// Per viewer population (`cdn::viewers`): the link its last mile is
    /// drawn on, and the geographic round trip added to each draw, in ms
    /// (0 for an edge location's own viewers served there).
    viewer_leg: Vec<(u32, f64)>,
    /// Per viewer population, its whole round trip when the last mile is
    /// fixed.
    viewer_fixed: Vec<Option<SimDuration>>,
    edge_to_regional: Vec<HopId>,
    regional_to_regional: Vec<HopId>,
    regional_to_origin: Vec<HopId>,
    edge_to_origin: Vec<HopId>,
}

impl Topology {
    /// Builds the graph from a validated scenario and resolves every hop.
    pub fn build(scenario: &Scenario, run_seed: u64) -> Topology {
        let spec = &scenario.topology;
        let mut graph: UnGraph<Node, u32> = UnGraph::new_undirected();
        let mut links: Vec<Link> = Vec::new();
        let mut add_link = |graph: &mut UnGraph<Node, u32>, a: NodeIndex, b: NodeIndex, rtt_ms: Dist, floor_ms| {
            let id = links.len() as u32;
            links.push(Link::new(rtt_ms, floor_ms, stream_rng_indexed(run_seed, Stream::Network, id as u64)));
            graph.add_edge(a, b, id);
        };
        let edge_nodes: Vec<NodeIndex> = (0..spec.edges.len()).map(|i| graph.add_node(Node::Edge(i))).collect();
        let regional_nodes: Vec<NodeIndex> =
            (0..spec.regional_caches.len()).map(|i| graph.add_node(Node::Regional(i))).collect();
        let origin_nodes: Vec<NodeIndex> =
            (0..scenario.origins.len()).map(|i| graph.add_node(Node::Origin(i))).collect();
        let node_of = |r: NodeRef| match r {
            NodeRef::Regional(i) => regional_nodes[i],
            NodeRef::Origin(i) => origin_nodes[i],
        };

        for (i, edge) in spec.edges.iter().enumerate() {
            let rtt_ms = edge.regional_rtt_ms;
            add_link(&mut graph, edge_nodes[i], regional_nodes[edge.regional_cache], rtt_ms, rtt_ms.lower_bound());
        }
        let explicit = |a: NodeRef, b: NodeRef| {
            spec.links.iter().any(|l| (l.from == a && l.to == b) || (l.from == b && l.to == a))
        };
        for link in &spec.links {
            add_link(&mut graph, node_of(link.from), node_of(link.to), link.rtt_ms, link.rtt_ms.lower_bound());
        }
        // Links not given explicitly are estimated from geography, with a
        // little jitter: backbone round trips vary by a few per cent.
        let geographic = |a: &geo::Region, b: &geo::Region| {
            let mean = geo::rtt_ms(a, b);
            (Dist::lognormal(mean, mean * 0.05).expect("geographic RTT is positive"), geographic_floor_ms(a, b))
        };
        for (i, a) in spec.regional_caches.iter().enumerate() {
            for (j, b) in spec.regional_caches.iter().enumerate().skip(i + 1) {
                if !explicit(NodeRef::Regional(i), NodeRef::Regional(j)) {
                    let (rtt_ms, floor_ms) = geographic(a.region, b.region);
                    add_link(&mut graph, regional_nodes[i], regional_nodes[j], rtt_ms, floor_ms);
                }
            }
            for (k, origin) in scenario.origins.iter().enumerate() {
                if !explicit(NodeRef::Regional(i), NodeRef::Origin(k)) {
                    let (rtt_ms, floor_ms) = geographic(a.region, origin.region);
                    add_link(&mut graph, regional_nodes[i], origin_nodes[k], rtt_ms, floor_ms);
                }
            }
        }

        let mut topology = Topology {
            viewer_leg: Vec::with_capacity(spec.edges.len()),
            viewer_fixed: Vec::with_capacity(spec.edges.len()),
            hop_fixed: Vec::new(),
            links,
            hop_links: Vec::new(),
            hops: Vec::new(),
            n_regional: spec.regional_caches.len(),
            n_origins: scenario.origins.len(),
            edge_to_regional: Vec::new(),
            regional_to_regional: Vec::new(),
            regional_to_origin: Vec::new(),
            edge_to_origin: Vec::new(),
        };
        let mut edge_viewer_links = Vec::with_capacity(spec.edges.len());
        for edge in &spec.edges {
            let id = topology.links.len() as u32;
            let rtt_ms = edge.viewer_rtt_ms;
            let rng = stream_rng_indexed(run_seed, Stream::Network, id as u64);
            topology.links.push(Link::new(rtt_ms, rtt_ms.lower_bound(), rng));
            edge_viewer_links.push(id);
        }
        // The edges' own populations come first and use the links above,
        // as every run did before populations; a population with a last
        // mile of its own gets a link after them (so no link before it
        // changes its stream). Adding 0.0 ms to an edge's own viewers'
        // draws changes no bit.
        for population in &ViewerPopulations::build(scenario).populations {
            let (link, last_mile) = match population.last_mile {
                LastMile::EdgeViewers(i) => (edge_viewer_links[i], spec.edges[i].viewer_rtt_ms),
                LastMile::Own(rtt_ms) => {
                    let id = topology.links.len() as u32;
                    let rng = stream_rng_indexed(run_seed, Stream::Network, id as u64);
                    topology.links.push(Link::new(rtt_ms, rtt_ms.lower_bound(), rng));
                    (id, rtt_ms)
                }
            };
            let geo_ms = population.geo_rtt_ms;
            topology.viewer_leg.push((link, geo_ms));
            topology.viewer_fixed.push(last_mile.fixed().map(|ms| SimDuration::from_millis_f64(ms + geo_ms)));
        }
        for (i, edge) in spec.edges.iter().enumerate() {
            let hop = topology.resolve(&graph, edge_nodes[i], regional_nodes[edge.regional_cache]);
            topology.edge_to_regional.push(hop);
            for &origin in &origin_nodes {
                let hop = topology.resolve(&graph, edge_nodes[i], origin);
                topology.edge_to_origin.push(hop);
            }
        }
        for &from in &regional_nodes {
            for &to in &regional_nodes {
                let hop = topology.resolve(&graph, from, to);
                topology.regional_to_regional.push(hop);
            }
            for &origin in &origin_nodes {
                let hop = topology.resolve(&graph, from, origin);
                topology.regional_to_origin.push(hop);
            }
        }
        topology
    }

    /// Shortest path by mean round-trip time (Dijkstra: A* with a zero
    /// estimate). Only regional edge caches relay: an origin is a customer's
    /// server and an edge location serves its own viewers, so neither is
    /// ever on a path except at its ends, however cheap its links.
    fn resolve(&mut self, graph: &UnGraph<Node, u32>, from: NodeIndex, to: NodeIndex) -> HopId {
        let start = self.hop_links.len() as u32;
        if from != to {
            let links = &self.links;
            let relays = petgraph::visit::NodeFiltered::from_fn(graph, |n| {
                n == from || n == to || matches!(graph[n], Node::Regional(_))
            });
            let (_cost, path) = petgraph::algo::astar(
                &relays,
                from,
                |n| n == to,
                |e| links[*e.weight() as usize].rtt_ms.mean(),
                |_| 0.0,
            )
            .expect(
                "every node is connected through regional caches: edges to their own, regional caches to all \
                 others and to every origin",
            );
            for pair in path.windows(2) {
                // Several parallel links may join a pair; take the cheapest.
                let link = graph
                    .edges_connecting(pair[0], pair[1])
                    .min_by(|a, b| {
                        let (ma, mb) =
                            (links[*a.weight() as usize].rtt_ms.mean(), links[*b.weight() as usize].rtt_ms.mean());
                        ma.total_cmp(&mb).then(a.weight().cmp(b.weight()))
                    })
                    .expect("a path step is a link");
                self.hop_links.push(*link.weight());
            }
        }
        let id = HopId(self.hops.len() as u32);
        self.hops.push((start, self.hop_links.len() as u32 - start));
        let mut fixed = Some(0.0);
        for &link in &self.hop_links[start as usize..] {
            fixed = fixed.zip(self.links[link as usize].rtt_ms.fixed()).map(|(sum, ms)| sum + ms);
        }
        self.hop_fixed.push(fixed.map(SimDuration::from_millis_f64));
        id
    }

    pub fn edge_to_regional(&self, edge: usize) -> HopId {
        self.edge_to_regional[edge]
    }
    pub fn regional_to_regional(&self, from: usize, to: usize) -> HopId {
        self.regional_to_regional[from * self.n_regional + to]
    }
    pub fn regional_to_origin(&self, regional: usize, origin: usize) -> HopId {
        self.regional_to_origin[regional * self.n_origins + origin]
    }
    pub fn edge_to_origin(&self, edge: usize, origin: usize) -> HopId {
        self.edge_to_origin[edge * self.n_origins + origin]
    }

    /// Draws a round-trip time for one traversal of `hop`.
    pub fn sample_rtt(&mut self, hop: HopId) -> SimDuration {
        if let Some(fixed) = self.hop_fixed[hop.0 as usize] {
            return fixed;
        }
        let (start, len) = self.hops[hop.0 as usize];
        let mut ms = 0.0;
        for &link in &self.hop_links[start as usize..(start + len) as usize] {
            ms += self.links[link as usize].sample();
        }
        SimDuration::from_millis_f64(ms)
    }

    /// The shortest round trip `sample_rtt` can draw for `hop`: the sum of
    /// its links' floors.
    pub fn rtt_floor(&self, hop: HopId) -> SimDuration {
        let (start, len) = self.hops[hop.0 as usize];
        let ms = self.hop_links[start as usize..(start + len) as usize]
            .iter()
            .map(|&link| self.links[link as usize].floor_ms)
            .sum();
        SimDuration::from_millis_f64(ms)
    }

    /// Draws a round-trip time between a viewer of `population`
    /// (`cdn::viewers`) and the edge location that serves it.
    pub fn sample_viewer_rtt(&mut self, population: usize) -> SimDuration {
        if let Some(fixed) = self.viewer_fixed[population] {
            return fixed;
        }
        let (link, geo_ms) = self.viewer_leg[population];
        SimDuration::from_millis_f64(self.links[link as usize].sample() + geo_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two regional caches 80 ms apart, and origin `a` 1 ms from both: a
    /// customer's server with fast links, which must never relay
    /// CloudFront's traffic. Origin `b` is 5 ms from eu-west-2 and 100 ms
    /// from us-east-1.
    const CHEAP_ORIGIN: &str = r#"
[simulation]
requests = 1
[[topology.regional_caches]]
region = "us-east-1"
[[topology.regional_caches]]
region = "eu-west-2"
[[topology.edges]]
name = "IAD1"
regional_cache = "us-east-1"
[[topology.links]]
from = "us-east-1"
to = "eu-west-2"
rtt = "80 ms"
[[topology.links]]
from = "us-east-1"
to = "a"
rtt = "1 ms"
[[topology.links]]
from = "eu-west-2"
to = "a"
rtt = "1 ms"
[[topology.links]]
from = "eu-west-2"
to = "b"
rtt = "5 ms"
[[topology.links]]
from = "us-east-1"
to = "b"
rtt = "100 ms"
[[origins]]
name = "a"
region = "us-east-1"
[[origins]]
name = "b"
region = "eu-west-2"
[distribution.default_behavior]
origin = "a"
[traffic]
rate = 1
[[traffic.classes]]
name = "c"
share = 1
objects = 1
path = "/{id}"
size = "1 KiB"
"#;

    #[test]
    fn origins_are_never_transit() {
        let scenario = Scenario::from_toml_str(std::path::Path::new("t.toml"), CHEAP_ORIGIN, &[]).unwrap();
        let mut topology = Topology::build(&scenario, 1);
        let ms = |d: SimDuration| d.as_millis_f64();
        // eu-west-2 to us-east-1: the 80 ms link, not 1 + 1 ms through `a`.
        let across = topology.regional_to_regional(1, 0);
        assert_eq!(ms(topology.sample_rtt(across)), 80.0);
        // us-east-1 to `b`: through eu-west-2 (80 + 5 = 85 ms, cheaper than
        // the direct 100 ms), not through `a` (1 + 1 + 5 = 7 ms).
        let to_b = topology.regional_to_origin(0, 1);
        assert_eq!(ms(topology.sample_rtt(to_b)), 85.0);
        // An origin is still reached over its own cheap link.
        let to_a = topology.regional_to_origin(1, 0);
        assert_eq!(ms(topology.sample_rtt(to_a)), 1.0);
    }
}
