//! Where each request's viewers are and which edge location serves them:
//! the run's viewer populations, resolved once at set-up.
//!
//! Populations are numbered so that a request's population says both who
//! its viewers are and how far they are from their edge:
//! - `0..n_edges`: each edge location's own viewers, at the edge. Without
//!   `[viewers]` they are the scenario's traffic (weighted by each edge's
//!   `viewer_weight`, with its `viewer_rtt`), exactly as before
//!   populations existed; a replayed trace's requests always belong to
//!   their logged edge's own population.
//! - then, without `[viewers]` and with a price class that excludes some
//!   edge locations, one per excluded edge: its own viewers, served by the
//!   nearest edge the class includes, one geographic round trip further.
//! - then, with `[viewers]`, one per population of the scenario, served by
//!   the nearest edge location its class includes.
//!
//! The synthetic traffic draws a *source* by weight (an edge location
//! without `[viewers]`, a population with) and maps it to its population,
//! so a price class changes where a draw is served, never the draws.

use crate::dist::Dist;
use crate::geo;
use crate::places::Country;
use crate::policy::geo::{nearest_edge, refuses};
use crate::scenario::Scenario;

/// The round trip a population's viewers pay before the geographic one.
#[derive(Clone, Copy, Debug)]
pub enum LastMile {
    /// Edge location `i`'s `viewer_rtt` (its own viewers, wherever served):
    /// drawn on that edge's viewer link.
    EdgeViewers(usize),
    /// The population's own last-mile distribution, on a link of its own.
    Own(Dist),
}

/// One population, resolved.
#[derive(Clone, Debug)]
pub struct Population {
    /// The edge location's name for its own viewers; the population's name.
    pub name: String,
    pub country: &'static Country,
    /// The edge location that serves it.
    pub edge: usize,
    pub last_mile: LastMile,
    /// The round trip between where the viewers are and the serving edge,
    /// in milliseconds (`geo::rtt_ms_for_km`), added to every last-mile
    /// draw; 0 for an edge's own viewers served there.
    pub geo_rtt_ms: f64,
}

/// The run's populations and the synthetic traffic's sources.
#[derive(Clone, Debug)]
pub struct ViewerPopulations {
    pub populations: Vec<Population>,
    /// Per source, its weight (relative).
    pub source_weights: Vec<f64>,
    /// Per source, its population.
    // Invariant: each below `populations.len()`, which fits in 16 bits.
    pub source_population: Vec<u16>,
}

impl ViewerPopulations {
    pub fn build(scenario: &Scenario) -> ViewerPopulations {
        let edges = &scenario.topology.edges;
        let class = scenario.distribution.price_class;
        let mut populations: Vec<Population> = edges
            .iter()
            .enumerate()
            .map(|(i, e)| Population {
                name: e.name.clone(),
                country: e.place.country,
                edge: i,
                last_mile: LastMile::EdgeViewers(i),
                geo_rtt_ms: 0.0,
            })
            .collect();
        let mut source_weights = Vec::new();
        let mut source_population = Vec::new();
        match &scenario.viewers {
            None => {
                for (i, e) in edges.iter().enumerate() {
                    source_weights.push(e.viewer_weight);
                    if class.includes(e.price_region.group()) {
                        source_population.push(i as u16);
                        continue;
                    }
                    let (edge, km) =
                        nearest_edge(&e.place, edges, class).expect("validated: the class includes an edge");
                    source_population.push(populations.len() as u16);
                    populations.push(Population {
                        name: e.name.clone(),
                        country: e.place.country,
                        edge,
                        last_mile: LastMile::EdgeViewers(i),
                        geo_rtt_ms: geo::rtt_ms_for_km(km),
                    });
                }
            }
            Some(viewers) => {
                for p in &viewers.populations {
                    let (edge, km) =
                        nearest_edge(&p.place, edges, class).expect("validated: the class includes an edge");
                    source_weights.push(p.weight);
                    source_population.push(populations.len() as u16);
                    populations.push(Population {
                        name: p.name.clone(),
                        country: p.place.country,
                        edge,
                        last_mile: LastMile::Own(p.last_mile_rtt_ms),
                        geo_rtt_ms: geo::rtt_ms_for_km(km),
                    });
                }
            }
        }
        assert!(populations.len() <= u16::MAX as usize, "validated: edges and populations fit in 16 bits");
        ViewerPopulations { populations, source_weights, source_population }
    }

    /// Per population, whether the distribution's geo restriction refuses
    /// its viewers; `None` when it refuses no country.
    pub fn refused(&self, scenario: &Scenario) -> Option<Vec<bool>> {
        let restriction = &scenario.distribution.geo_restriction;
        restriction.restricts().then(|| self.populations.iter().map(|p| refuses(restriction, p.country.code)).collect())
    }
}
