//! `[topology]` and `[caches]`: regional edge caches, edge locations (listed
//! or generated), the links between nodes, and each tier's cache.

use super::fields::{Result, Unit, Validator, names};
use crate::dist::Dist;
use crate::geo::{self, REGIONAL_EDGE_CACHE_REGIONS, Region};
use crate::places::{self, Place};
use crate::scenario::raw::*;
use crate::scenario::spec::*;
use crate::scenario::vocabulary::*;

/// Past this many edge locations the value is almost certainly a typo.
const MAX_EDGES: i64 = 5_000;

impl Validator<'_> {
    pub(super) fn topology(&self, raw: &RawTopology) -> Result<TopologySpec> {
        let mut regional_caches: Vec<RegionalCacheSpec> = Vec::new();
        for (i, rec) in raw.regional_caches.iter().enumerate() {
            let field = format!("topology.regional_caches[{i}]");
            let region = self.region(&format!("{field}.region"), &rec.region)?;
            let name = rec.name.clone().unwrap_or_else(|| rec.region.clone());
            if regional_caches.iter().any(|r| r.name == name) {
                return Err(self.error(
                    &field,
                    format!("regional edge cache {name:?} is listed twice"),
                    "give each a unique name",
                ));
            }
            regional_caches.push(RegionalCacheSpec { name, region });
        }
        let mut edges = Vec::new();
        let mut generated_from = None;
        if let Some(generate) = &raw.generate {
            generated_from = Some(self.generate(generate, &mut regional_caches, &mut edges)?);
        }
        for (i, edge) in raw.edges.iter().enumerate() {
            let field = format!("topology.edges[{i}]");
            let regional_cache =
                regional_caches.iter().position(|r| r.name == edge.regional_cache).ok_or_else(|| {
                    self.error(
                        &format!("{field}.regional_cache"),
                        format!("no regional edge cache is named {:?}", edge.regional_cache),
                        format!("use one of: {}", names(regional_caches.iter().map(|r| r.name.as_str()))),
                    )
                })?;
            let viewer_weight = edge.viewer_weight.unwrap_or(1.0);
            if !(viewer_weight > 0.0 && viewer_weight.is_finite()) {
                return Err(self.error(
                    &format!("{field}.viewer_weight"),
                    "the weight must be above 0",
                    "use e.g. 1.0",
                ));
            }
            let place = self.edge_place(&field, edge, regional_caches[regional_cache].region)?;
            edges.push(EdgeSpec {
                name: edge.name.clone(),
                regional_cache,
                viewer_weight,
                price_region: place.country.region,
                place,
                viewer_rtt_ms: self
                    .optional_dist(&format!("{field}.viewer_rtt"), edge.viewer_rtt.as_ref(), Unit::Millis)?
                    .unwrap_or(Dist::lognormal(15.0, 8.0).expect("valid constants")),
                regional_rtt_ms: self
                    .optional_dist(&format!("{field}.regional_rtt"), edge.regional_rtt.as_ref(), Unit::Millis)?
                    .unwrap_or(Dist::constant(10.0)),
            });
        }
        if let Some((i, dup)) = edges.iter().enumerate().find(|(i, e)| edges[..*i].iter().any(|o| o.name == e.name)) {
            return Err(self.error(
                &format!(
                    "topology.edges[{}]",
                    i.saturating_sub(raw.generate.as_ref().map_or(0, |_| edges.len() - raw.edges.len()))
                ),
                format!("edge location {:?} is listed twice (or clashes with a generated name)", dup.name),
                "give each edge location a unique name",
            ));
        }
        if edges.is_empty() {
            return Err(self.error(
                "topology",
                "the topology has no edge locations",
                "add [[topology.edges]] entries or `[topology.generate] edges = 20`",
            ));
        }
        Ok(TopologySpec { regional_caches, edges, links: Vec::new(), generated_from })
    }

    /// Spreads `edges` over the chosen Regions in proportion to each Region's
    /// weight (largest remainder), with latencies drawn from a layout seed
    /// that is independent of the run's seed, so replicates share one layout.
    fn generate(
        &self,
        raw: &RawGenerate,
        regional_caches: &mut Vec<RegionalCacheSpec>,
        edges: &mut Vec<EdgeSpec>,
    ) -> Result<String> {
        use rand::{RngExt, SeedableRng};
        if !(1..=MAX_EDGES).contains(&raw.edges) {
            return Err(self.error(
                "topology.generate.edges",
                format!("{} edges is out of range", raw.edges),
                format!("use 1 to {MAX_EDGES}"),
            ));
        }
        let region_names: Vec<String> = match &raw.regions {
            Some(list) if list.is_empty() => {
                return Err(self.error(
                    "topology.generate.regions",
                    "the list is empty",
                    "name at least one Region, or remove the field",
                ));
            }
            Some(list) => list.clone(),
            None => REGIONAL_EDGE_CACHE_REGIONS.iter().map(|s| s.to_string()).collect(),
        };
        let mut regions: Vec<&'static Region> = Vec::new();
        for (i, name) in region_names.iter().enumerate() {
            let region = self.region(&format!("topology.generate.regions[{i}]"), name)?;
            if !REGIONAL_EDGE_CACHE_REGIONS.contains(&region.name) {
                return Err(self.error(
                    &format!("topology.generate.regions[{i}]"),
                    format!("{name} has no regional edge cache"),
                    format!("use one of: {}", REGIONAL_EDGE_CACHE_REGIONS.join(", ")),
                ));
            }
            regions.push(region);
        }
        let total_weight: f64 = regions.iter().map(|r| r.edge_weight).sum();
        let n = raw.edges as usize;
        let quotas: Vec<f64> = regions.iter().map(|r| n as f64 * r.edge_weight / total_weight).collect();
        let mut counts: Vec<usize> = quotas.iter().map(|q| q.floor() as usize).collect();
        let mut by_remainder: Vec<usize> = (0..regions.len()).collect();
        by_remainder.sort_by(|&a, &b| {
            (quotas[b] - quotas[b].floor()).total_cmp(&(quotas[a] - quotas[a].floor())).then(a.cmp(&b))
        });
        for &i in by_remainder.iter().cycle().take(n - counts.iter().sum::<usize>()) {
            counts[i] += 1;
        }
        let seed = raw.seed.unwrap_or(1);
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(crate::rng::splitmix64(seed ^ 0x6c61_796f_7574));
        for (region, count) in regions.iter().zip(&counts) {
            let regional_cache = match regional_caches.iter().position(|r| r.region.name == region.name) {
                Some(i) => i,
                None => {
                    regional_caches.push(RegionalCacheSpec { name: region.name.to_string(), region });
                    regional_caches.len() - 1
                }
            };
            for k in 0..*count {
                let city = region.edge_cities[k % region.edge_cities.len()];
                let number = k / region.edge_cities.len() + 1;
                // Edge locations sit up to ~1,500 km from their regional cache;
                // viewers are a few to ~25 ms away from their edge.
                let km: f64 = rng.random_range(50.0..1500.0);
                let regional = geo::rtt_ms_for_km(km);
                let viewer_mean: f64 = rng.random_range(4.0..25.0);
                let place = Place::of_city(places::find_city(city).expect("every generator city is in places::CITIES"));
                edges.push(EdgeSpec {
                    name: format!("{city}{number}"),
                    regional_cache,
                    viewer_weight: rng.random_range(0.5..2.0),
                    price_region: place.country.region,
                    place,
                    viewer_rtt_ms: Dist::lognormal(viewer_mean, viewer_mean * 0.5).expect("positive mean"),
                    regional_rtt_ms: Dist::lognormal(regional, regional * 0.1).expect("positive mean"),
                });
            }
        }
        Ok(format!("{} edge locations over {} Regions (layout seed {seed})", n, regions.len()))
    }

    /// Where a listed edge location is: its `city`, else its `latitude`,
    /// `longitude` and `country`, else the city its name starts with
    /// (`GRU3`), else its regional edge cache's Region.
    fn edge_place(&self, field: &str, edge: &RawEdge, region: &'static Region) -> Result<Place> {
        let coordinates = self.coordinates(field, edge.latitude, edge.longitude)?;
        if let Some(iata) = &edge.city {
            if coordinates.is_some() || edge.country.is_some() {
                return Err(self.error(
                    &format!("{field}.city"),
                    "`city` and coordinates or `country` are both given",
                    "keep `city`, or `latitude`, `longitude` and `country`",
                ));
            }
            let city = places::find_city(iata).ok_or_else(|| {
                self.error(
                    &format!("{field}.city"),
                    format!("{iata:?} is not an edge-location city cdnsim knows"),
                    format!(
                        "use one of: {}, or give `latitude`, `longitude` and `country`",
                        places::CITIES.iter().map(|c| c.iata).collect::<Vec<_>>().join(", ")
                    ),
                )
            })?;
            return Ok(Place::of_city(city));
        }
        match (coordinates, &edge.country) {
            (Some((latitude, longitude)), Some(code)) => {
                let country = self.country(&format!("{field}.country"), code)?;
                Ok(Place { latitude, longitude, country })
            }
            (Some(_), None) => Err(self.error(
                &format!("{field}.country"),
                "coordinates need the country they are in",
                "add e.g. country = \"US\" (ISO 3166-1 alpha-2)",
            )),
            (None, Some(_)) => Err(self.error(
                &format!("{field}.latitude"),
                "a country needs the edge location's coordinates",
                "add `latitude` and `longitude`, or write `city` instead",
            )),
            (None, None) => Ok(match places::city_of_edge_name(&edge.name) {
                Some(city) => Place::of_city(city),
                None => Place::of_region(region),
            }),
        }
    }

    pub(super) fn links(
        &self,
        raw: &[RawLink],
        topology: &TopologySpec,
        origins: &[OriginSpec],
    ) -> Result<Vec<LinkSpec>> {
        let node = |field: &str, name: &str| -> Result<NodeRef> {
            if let Some(i) = topology.regional_caches.iter().position(|r| r.name == name) {
                return Ok(NodeRef::Regional(i));
            }
            if let Some(i) = origins.iter().position(|o| o.name == name) {
                return Ok(NodeRef::Origin(i));
            }
            Err(self.error(
                field,
                format!("no regional edge cache or origin is named {name:?}"),
                format!(
                    "use one of: {}",
                    names(
                        topology
                            .regional_caches
                            .iter()
                            .map(|r| r.name.as_str())
                            .chain(origins.iter().map(|o| o.name.as_str()))
                    )
                ),
            ))
        };
        raw.iter()
            .enumerate()
            .map(|(i, link)| {
                let field = format!("topology.links[{i}]");
                let from = node(&format!("{field}.from"), &link.from)?;
                let to = node(&format!("{field}.to"), &link.to)?;
                if from == to {
                    return Err(self.error(
                        &format!("{field}.to"),
                        "a link must join two different nodes",
                        "name another node",
                    ));
                }
                let rtt_ms = self.dist(&format!("{field}.rtt"), &link.rtt, Unit::Millis)?;
                Ok(LinkSpec { from, to, rtt_ms })
            })
            .collect()
    }

    pub(super) fn cache(&self, field: &str, raw: Option<&RawCache>, default_capacity: u64) -> Result<CacheSpec> {
        let capacity_bytes = match raw.and_then(|r| r.capacity.as_ref()) {
            Some(v) => self.size(&format!("{field}.capacity"), v)?,
            None => default_capacity,
        };
        let eviction = match raw.and_then(|r| r.eviction.as_deref()) {
            None => EvictionPolicy::Lru,
            Some(name) => name.parse().map_err(|e: ParsePolicyError| {
                self.error(
                    &format!("{field}.eviction"),
                    e.to_string(),
                    format!("use one of: {}", EvictionPolicy::NAMES.join(", ")),
                )
            })?,
        };
        Ok(CacheSpec { capacity_bytes, eviction })
    }
}
