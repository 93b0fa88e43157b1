//! Raw scenario -> validated [`Scenario`]: every rule, every default, and an
//! error that names the field, its position and the fix.

use super::error::{FieldError, ScenarioError};
use super::raw::*;
use super::source::{Override, SpanIndex, apply_override};
use super::*;
use crate::dist::{DIST_NAMES, Dist};
use crate::geo::{self, REGIONAL_EDGE_CACHE_REGIONS, Region};
use crate::policy::path_pattern;
use crate::time::SimTime;
use crate::units::{format_duration, parse_duration, parse_size};
use toml::Value;

mod access;
pub(super) mod intervals;
pub(super) mod names;

/// CloudFront's sample distribution domain from the Developer Guide.
pub const DEFAULT_DOMAIN: &str = "d111111abcdef8.cloudfront.net";

/// Limits that keep a run within memory and reason; past them the value is
/// almost certainly a typo.
const MAX_REQUESTS: i64 = 10_000_000_000;
const MAX_OBJECTS: i64 = 100_000_000;
const MAX_EDGES: i64 = 5_000;

pub(super) fn load(file: &Path, text: &str, overrides: &[Override], traffic_from: TrafficFrom) -> Result<Scenario> {
    let spans = SpanIndex::build(text);
    let v = Validator { file, spans: &spans, overrides, traffic_from };
    let mut document: toml::Table = toml::from_str(text).map_err(|e| v.syntax_error(text, &e))?;
    // `--set distribution.import=...` picks the JSON; every other override
    // applies to the merged document, so it can reach imported origins too.
    let (import_overrides, rest): (Vec<&Override>, Vec<&Override>) =
        overrides.iter().partition(|o| o.path.starts_with("distribution.import"));
    for ov in import_overrides {
        apply_override(&mut document, ov).map_err(|problem| v.error_set_by(&ov.path, problem, "", Some(ov)))?;
    }
    let merged = super::import::merge::merge_import(&mut document, file).map_err(|e| match e {
        super::import::merge::MergeError::Import(e) => e,
        super::import::merge::MergeError::Field { field, problem, fix } => v.error(&field, problem, fix),
    })?;
    for ov in rest {
        apply_override(&mut document, ov).map_err(|problem| v.error_set_by(&ov.path, problem, "", Some(ov)))?;
    }
    let Some(merged) = merged else {
        let raw: RawScenario =
            serde_path_to_error::deserialize(Value::Table(document)).map_err(|e| v.serde_error(&e))?;
        return v.scenario(raw);
    };
    // Problems with imported values: say where they came from.
    let from_import = |mut e: ScenarioError| {
        if let ScenarioError::Field(f) = &mut e
            && ["origins", "origin_groups", "distribution.behaviors", "distribution.default_behavior"]
                .iter()
                .any(|p| f.field.starts_with(p))
        {
            f.problem.push_str(&format!(" (this part of the scenario is imported from {})", merged.source.display()));
        }
        e
    };
    let raw: RawScenario =
        serde_path_to_error::deserialize(Value::Table(document)).map_err(|e| from_import(v.serde_error(&e)))?;
    let mut scenario = v.scenario(raw).map_err(from_import)?;
    scenario.imported_from = Some(merged.source);
    scenario.import_warnings = merged.warnings;
    Ok(scenario)
}

/// What a cache behavior may refer to.
#[derive(Clone, Copy)]
struct BehaviorContext<'c> {
    origins: &'c [OriginSpec],
    groups: &'c [OriginGroupSpec],
    signing: &'c SigningSpec,
    allow_writes: bool,
}

struct Validator<'a> {
    file: &'a Path,
    spans: &'a SpanIndex,
    overrides: &'a [Override],
    /// With a trace, the classes make no requests: what only they decide
    /// (which behaviors they reach, when the last request starts) is not checked.
    traffic_from: TrafficFrom,
}

type Result<T> = std::result::Result<T, ScenarioError>;

/// Whether a value is a time or a byte count, for distributions.
#[derive(Clone, Copy)]
enum Unit {
    Millis,
    Bytes,
}

impl<'a> Validator<'a> {
    fn error(&self, field: &str, problem: impl Into<String>, fix: impl Into<String>) -> ScenarioError {
        let set_by =
            self.overrides.iter().rev().find(|o| field == o.path || field.starts_with(&format!("{}.", o.path)));
        self.error_set_by(field, problem, fix, set_by)
    }

    fn error_set_by(
        &self,
        field: &str,
        problem: impl Into<String>,
        fix: impl Into<String>,
        set_by: Option<&Override>,
    ) -> ScenarioError {
        ScenarioError::Field(Box::new(FieldError {
            file: self.file.to_path_buf(),
            position: if set_by.is_some() { None } else { self.spans.locate(field) },
            field: field.to_string(),
            problem: problem.into(),
            fix: fix.into(),
            set_by: set_by.map(|o| o.text.clone()),
        }))
    }

    fn syntax_error(&self, text: &str, e: &toml::de::Error) -> ScenarioError {
        let position = e.span().map(|s| super::source::LineStarts::new(text).position(s.start));
        ScenarioError::Field(Box::new(FieldError {
            file: self.file.to_path_buf(),
            position,
            field: String::new(),
            problem: format!("TOML syntax error: {}", e.message().trim()),
            fix: "correct the TOML syntax at that position".into(),
            set_by: None,
        }))
    }

    fn serde_error(&self, e: &serde_path_to_error::Error<toml::de::Error>) -> ScenarioError {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        let message = e.inner().message().trim().to_string();
        // serde names an unknown field in its message; point at the field itself.
        if let Some(name) = message.strip_prefix("unknown field `").and_then(|m| m.split('`').next()) {
            let field = if path.is_empty() || path == name || path.ends_with(&format!(".{name}")) {
                if path.is_empty() { name.to_string() } else { path.clone() }
            } else {
                format!("{path}.{name}")
            };
            let expected = message.split_once(", expected ").map(|(_, x)| x.to_string()).unwrap_or_default();
            return self.error(
                &field,
                "unknown field",
                format!("remove it or correct the spelling; expected {expected}; see scenarios/README.md"),
            );
        }
        if let Some(name) = message.strip_prefix("missing field `").and_then(|m| m.split('`').next()) {
            let field = if path.is_empty() { name.to_string() } else { format!("{path}.{name}") };
            return self.error(&field, "this required field is missing", "add it; see scenarios/README.md");
        }
        self.error(&path, message, "see scenarios/README.md for the field's type and unit")
    }

    fn scenario(&self, raw: RawScenario) -> Result<Scenario> {
        let name = self.name(raw.simulation.name.as_deref())?;
        let simulation = self.simulation(&raw.simulation)?;
        let mut topology = self.topology(&raw.topology)?;
        let caches = CachesSpec {
            edge: self.cache("caches.edge", raw.caches.edge.as_ref(), 1 << 30)?,
            regional: self.cache("caches.regional", raw.caches.regional.as_ref(), 10 << 30)?,
        };
        let mut origins = self.origins(&raw.origins, &topology)?;
        let (changes, direct_to_origin) = self.origin_access(&raw, &mut origins)?;
        topology.links = self.links(&raw.topology.links, &topology, &origins)?;
        let origin_groups = self.origin_groups(&raw.origin_groups, &origins)?;
        let faults = self.faults(&raw.faults, &origins)?;
        let signing = self.signing(raw.signing.as_ref())?;
        let distribution = self.distribution(&raw.distribution, &origins, &origin_groups, &signing)?;
        let mut traffic = self.traffic(&raw.traffic)?;
        traffic.direct_to_origin = direct_to_origin;
        if self.traffic_from == TrafficFrom::Classes {
            self.check_patterns_match(&distribution, &traffic)?;
            self.check_signed_classes(&distribution, &traffic)?;
        }
        let scenario = Scenario {
            name,
            file: self.file.to_path_buf(),
            simulation,
            topology,
            caches,
            origins,
            origin_groups,
            faults,
            distribution,
            traffic,
            signing,
            imported_from: None,
            import_warnings: Vec::new(),
            changes,
        };
        if self.traffic_from == TrafficFrom::Classes {
            intervals::check(&scenario)
                .map_err(|(problem, fix)| self.error("simulation.metrics_interval", problem, fix))?;
        }
        Ok(scenario)
    }

    fn name(&self, name: Option<&str>) -> Result<String> {
        let name = match name {
            Some(n) => n.to_string(),
            None => self.file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(),
        };
        if name.is_empty()
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            || name.starts_with('.')
        {
            return Err(self.error(
                "simulation.name",
                format!("{name:?} cannot be used as a results folder name"),
                "use letters, digits, '-', '_' and '.', e.g. \"quickstart\"",
            ));
        }
        Ok(name)
    }

    fn simulation(&self, raw: &RawSimulation) -> Result<SimulationSpec> {
        let stop = match (raw.requests, &raw.duration) {
            (Some(_), Some(_)) => {
                return Err(self.error(
                    "simulation.requests",
                    "both `requests` and `duration` are set",
                    "keep one: stop after a number of requests or after a simulated time",
                ));
            }
            (None, None) => {
                return Err(self.error(
                    "simulation",
                    "neither `requests` nor `duration` is set",
                    "add e.g. `requests = 1_000_000` or `duration = \"1 h\"`",
                ));
            }
            (Some(n), None) => {
                if !(1..=MAX_REQUESTS).contains(&n) {
                    return Err(self.error(
                        "simulation.requests",
                        format!("{n} requests is out of range"),
                        format!("use 1 to {MAX_REQUESTS}"),
                    ));
                }
                Stop::Requests(n as u64)
            }
            (None, Some(d)) => {
                let d = self.duration("simulation.duration", d)?;
                if d == SimDuration::ZERO {
                    return Err(self.error("simulation.duration", "the duration is zero", "use e.g. \"1 h\""));
                }
                Stop::Duration(d)
            }
        };
        let warmup = self.optional_duration("simulation.warmup", raw.warmup.as_ref(), SimDuration::ZERO)?;
        if let Stop::Duration(d) = stop
            && warmup >= d
        {
            return Err(self.error(
                "simulation.warmup",
                format!(
                    "the warm-up ({}) is not shorter than the run ({})",
                    format_duration(warmup),
                    format_duration(d)
                ),
                "shorten the warm-up or lengthen the run",
            ));
        }
        let metrics_interval = self.optional_duration(
            "simulation.metrics_interval",
            raw.metrics_interval.as_ref(),
            SimDuration::from_secs(10),
        )?;
        if metrics_interval < SimDuration::from_millis(1) {
            return Err(self.error(
                "simulation.metrics_interval",
                "the metrics interval is shorter than 1 ms",
                "use e.g. \"10 s\"",
            ));
        }
        Ok(SimulationSpec {
            seed: raw.seed.unwrap_or(1),
            stop,
            warmup,
            metrics_interval,
            collapse_requests: raw.collapse_requests.unwrap_or(true),
        })
    }

    fn topology(&self, raw: &RawTopology) -> Result<TopologySpec> {
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
            edges.push(EdgeSpec {
                name: edge.name.clone(),
                regional_cache,
                viewer_weight,
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
                edges.push(EdgeSpec {
                    name: format!("{city}{number}"),
                    regional_cache,
                    viewer_weight: rng.random_range(0.5..2.0),
                    viewer_rtt_ms: Dist::lognormal(viewer_mean, viewer_mean * 0.5).expect("positive mean"),
                    regional_rtt_ms: Dist::lognormal(regional, regional * 0.1).expect("positive mean"),
                });
            }
        }
        Ok(format!("{} edge locations over {} Regions (layout seed {seed})", n, regions.len()))
    }

    fn region(&self, field: &str, name: &str) -> Result<&'static Region> {
        geo::find_region(name).ok_or_else(|| {
            self.error(field, format!("unknown AWS Region {name:?}"), format!("use one of: {}", geo::region_names()))
        })
    }

    fn links(&self, raw: &[RawLink], topology: &TopologySpec, origins: &[OriginSpec]) -> Result<Vec<LinkSpec>> {
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

    fn cache(&self, field: &str, raw: Option<&RawCache>, default_capacity: u64) -> Result<CacheSpec> {
        let capacity_bytes = match raw.and_then(|r| r.capacity.as_ref()) {
            Some(v) => self.size(&format!("{field}.capacity"), v)?,
            None => default_capacity,
        };
        let eviction = match raw.and_then(|r| r.eviction.as_deref()) {
            None => EvictionPolicy::Lru,
            Some(name) => name.parse().map_err(|e: crate::cache::ParsePolicyError| {
                self.error(
                    &format!("{field}.eviction"),
                    e.to_string(),
                    format!("use one of: {}", EvictionPolicy::NAMES.join(", ")),
                )
            })?,
        };
        Ok(CacheSpec { capacity_bytes, eviction })
    }

    fn origins(&self, raw: &[RawOrigin], topology: &TopologySpec) -> Result<Vec<OriginSpec>> {
        if raw.is_empty() {
            return Err(self.error(
                "origins",
                "the scenario has no origins",
                "add an [[origins]] table with name and region",
            ));
        }
        let mut origins: Vec<OriginSpec> = Vec::new();
        for (i, o) in raw.iter().enumerate() {
            let field = format!("origins[{i}]");
            if o.name.is_empty() || origins.iter().any(|x| x.name == o.name) {
                return Err(self.error(
                    &format!("{field}.name"),
                    format!("origin name {:?} is empty or used twice", o.name),
                    "give each origin a unique name",
                ));
            }
            if topology.regional_caches.iter().any(|r| r.name == o.name) {
                return Err(self.error(
                    &format!("{field}.name"),
                    format!("{:?} is also a regional edge cache's name", o.name),
                    "rename the origin",
                ));
            }
            let kind = match o.kind.as_deref() {
                None | Some("custom") => OriginKind::Custom,
                Some("s3") => OriginKind::S3,
                Some(other) => {
                    return Err(self.error(
                        &format!("{field}.kind"),
                        format!("unknown origin kind {other:?}"),
                        "use \"custom\" or \"s3\"",
                    ));
                }
            };
            let concurrency = self.int_in(&format!("{field}.concurrency"), o.concurrency, 100, 1, 10_000_000)? as u32;
            let queue_limit =
                self.int_in(&format!("{field}.queue_limit"), o.queue_limit, 10_000, 0, 100_000_000)? as u32;
            let origin_shield = match &o.origin_shield {
                None => None,
                Some(name) => Some(
                    topology.regional_caches.iter().position(|r| &r.name == name || r.region.name == name).ok_or_else(|| {
                        self.error(
                            &format!("{field}.origin_shield"),
                            format!("{name:?} is not a regional edge cache of this topology; Origin Shield runs only in Regions with one"),
                            format!("use one of: {}", names(topology.regional_caches.iter().map(|r| r.name.as_str()))),
                        )
                    })?,
                ),
            };
            // Ranges from the Developer Guide's origin settings and the live
            // quotas page (reference §4.2): attempts 1-3, connection timeout
            // 1-10 s, response timeout 1-120 s.
            let connection_attempts =
                self.int_in(&format!("{field}.connection_attempts"), o.connection_attempts, 3, 1, 3)? as u32;
            let connection_timeout = self.seconds_in(
                "connection timeouts",
                &format!("{field}.connection_timeout"),
                o.connection_timeout.as_ref(),
                (10, 1, 10),
            )?;
            let response_timeout = self.seconds_in(
                "response timeouts",
                &format!("{field}.response_timeout"),
                o.response_timeout.as_ref(),
                (30, 1, 120),
            )?;
            origins.push(OriginSpec {
                name: o.name.clone(),
                connection_attempts,
                connection_timeout,
                response_timeout,
                kind,
                region: self.region(&format!("{field}.region"), &o.region)?,
                latency_ms: self
                    .optional_dist(&format!("{field}.latency"), o.latency.as_ref(), Unit::Millis)?
                    .unwrap_or(Dist::lognormal(50.0, 20.0).expect("valid constants")),
                concurrency,
                queue_limit,
                origin_shield,
                protocol_policy: self.origin_protocol_policy(&field, o.protocol_policy.as_deref(), kind)?,
                // Filled in by `origin_access`, which sees the whole scenario.
                custom_headers: Vec::new(),
                access: None,
            });
        }
        Ok(origins)
    }

    fn origin_groups(&self, raw: &[RawOriginGroup], origins: &[OriginSpec]) -> Result<Vec<OriginGroupSpec>> {
        let mut groups: Vec<OriginGroupSpec> = Vec::new();
        for (i, g) in raw.iter().enumerate() {
            let field = format!("origin_groups[{i}]");
            if g.name.is_empty() || groups.iter().any(|x| x.name == g.name) || origins.iter().any(|o| o.name == g.name)
            {
                return Err(self.error(
                    &format!("{field}.name"),
                    format!("{:?} is empty or already names an origin or origin group", g.name),
                    "give each origin and origin group a unique name",
                ));
            }
            if g.members.len() != 2 {
                return Err(self.error(
                    &format!("{field}.members"),
                    format!(
                        "an origin group has exactly two members, a primary and a secondary; this one has {}",
                        g.members.len()
                    ),
                    "list two origins: members = [\"primary\", \"secondary\"]",
                ));
            }
            let member = |k: usize| -> Result<usize> {
                origins.iter().position(|o| o.name == g.members[k]).ok_or_else(|| {
                    self.error(
                        &format!("{field}.members[{k}]"),
                        format!("no origin is named {:?}", g.members[k]),
                        format!("use one of: {}", names(origins.iter().map(|o| o.name.as_str()))),
                    )
                })
            };
            let (primary, secondary) = (member(0)?, member(1)?);
            if primary == secondary {
                return Err(self.error(
                    &format!("{field}.members"),
                    "the primary and the secondary are the same origin",
                    "name two different origins",
                ));
            }
            let allowed = crate::policy::failover::FAILOVER_STATUS_CODES;
            if g.failover_status_codes.is_empty() {
                // CloudFront's FailoverCriteria.StatusCodes holds at least one
                // code (API reference, StatusCodes: Quantity is 1 or more).
                return Err(self.error(
                    &format!("{field}.failover_status_codes"),
                    "an origin group fails over on at least one status code; CloudFront refuses an empty list",
                    format!(
                        "list one or more of {}, e.g. failover_status_codes = [500, 502, 503, 504]",
                        allowed.map(|c| c.to_string()).join(", ")
                    ),
                ));
            }
            let mut codes = Vec::with_capacity(g.failover_status_codes.len());
            for (k, &code) in g.failover_status_codes.iter().enumerate() {
                if !allowed.iter().any(|&c| c as i64 == code) {
                    return Err(self.error(
                        &format!("{field}.failover_status_codes[{k}]"),
                        format!("CloudFront cannot fail over on status {code}"),
                        format!("use any of {}", allowed.map(|c| c.to_string()).join(", ")),
                    ));
                }
                codes.push(code as u16);
            }
            let criteria = crate::policy::failover::FailoverCriteria::from_status_codes(&codes).expect("checked above");
            groups.push(OriginGroupSpec { name: g.name.clone(), primary, secondary, criteria });
        }
        Ok(groups)
    }

    fn faults(&self, raw: &[RawFault], origins: &[OriginSpec]) -> Result<Vec<FaultSpec>> {
        raw.iter().enumerate().map(|(i, f)| self.fault(&format!("faults[{i}]"), f, origins)).collect()
    }

    fn fault(&self, field: &str, f: &RawFault, origins: &[OriginSpec]) -> Result<FaultSpec> {
        let origin = origins.iter().position(|o| o.name == f.origin).ok_or_else(|| {
            self.error(
                &format!("{field}.origin"),
                format!("no origin is named {:?}", f.origin),
                format!("use one of: {}", names(origins.iter().map(|o| o.name.as_str()))),
            )
        })?;
        let start = SimTime::ZERO + self.duration(&format!("{field}.start"), &f.start)?;
        let end = SimTime::ZERO + self.duration(&format!("{field}.end"), &f.end)?;
        if end <= start {
            return Err(self.error(
                &format!("{field}.end"),
                "the fault ends before it starts",
                "make end later than start",
            ));
        }
        // Each kind takes its own parameters; a stray one is a mistake.
        let takes: &[&str] = match f.kind.as_str() {
            "down" | "blackhole" => &[],
            "slow" => &["factor"],
            "status" => &["status", "fraction"],
            other => {
                return Err(self.error(
                    &format!("{field}.kind"),
                    format!("unknown fault kind {other:?}"),
                    "use \"down\" (connections refused), \"blackhole\" (timeouts), \"slow\" (with factor) \
                     or \"status\" (with status and fraction)",
                ));
            }
        };
        for (name, present) in
            [("factor", f.factor.is_some()), ("status", f.status.is_some()), ("fraction", f.fraction.is_some())]
        {
            if present && !takes.contains(&name) {
                return Err(self.error(
                    &format!("{field}.{name}"),
                    format!("`{name}` does not apply to a {:?} fault", f.kind),
                    "remove it",
                ));
            }
        }
        let kind = match f.kind.as_str() {
            "down" => FaultKind::Down,
            "blackhole" => FaultKind::Blackhole,
            "slow" => {
                let factor = f.factor.ok_or_else(|| {
                    self.error(
                        &format!("{field}.factor"),
                        "a slow fault needs `factor`",
                        "add e.g. factor = 5.0 (five times slower)",
                    )
                })?;
                if !(factor > 0.0 && factor <= 1e6) {
                    return Err(self.error(
                        &format!("{field}.factor"),
                        format!("factor {factor} is out of range"),
                        "use a factor above 0 and at most 1e6",
                    ));
                }
                FaultKind::Slow { factor }
            }
            _ => {
                let status = f.status.ok_or_else(|| {
                    self.error(&format!("{field}.status"), "a status fault needs `status`", "add e.g. status = 503")
                })?;
                if !(400..=599).contains(&status) {
                    return Err(self.error(
                        &format!("{field}.status"),
                        format!("{status} is not an error status"),
                        "use a 4xx or 5xx status, e.g. 503",
                    ));
                }
                let fraction = f.fraction.unwrap_or(1.0);
                if !(fraction > 0.0 && fraction <= 1.0) {
                    return Err(self.error(
                        &format!("{field}.fraction"),
                        format!("{fraction} is not a share above 0"),
                        "use a number above 0 and at most 1",
                    ));
                }
                FaultKind::Status { status: status as u16, fraction }
            }
        };
        Ok(FaultSpec { origin, kind, start, end })
    }

    fn signing(&self, raw: Option<&RawSigning>) -> Result<SigningSpec> {
        // Simulated time zero is 2030-01-01T00:00:00Z unless the scenario says
        // otherwise: a fixed instant keeps runs reproducible.
        let mut spec = SigningSpec {
            epoch_s: 1_893_456_000,
            memoize: true,
            keys: Vec::new(),
            key_groups: Vec::new(),
            legacy_key_pairs: Vec::new(),
        };
        let Some(raw) = raw else { return Ok(spec) };
        let date_fix = "write e.g. \"2030-01-01T00:00:00Z\" or Unix seconds";
        if let Some(epoch) = &raw.epoch {
            spec.epoch_s = match epoch {
                Value::Integer(n) => *n,
                Value::String(s) => {
                    crate::units::parse_date(s).map_err(|e| self.error("signing.epoch", e, date_fix))?
                }
                Value::Datetime(d) => {
                    crate::units::parse_date(&d.to_string()).map_err(|e| self.error("signing.epoch", e, date_fix))?
                }
                other => {
                    return Err(self.error(
                        "signing.epoch",
                        format!("expected a date, found {}", other.type_str()),
                        date_fix,
                    ));
                }
            };
        }
        spec.memoize = raw.memoize.unwrap_or(true);
        let dir = self.file.parent().unwrap_or(Path::new("."));
        for (i, k) in raw.keys.iter().enumerate() {
            let field = format!("signing.keys[{i}]");
            if k.id.is_empty()
                || !k.id.chars().all(|c| c.is_ascii_alphanumeric())
                || spec.keys.iter().any(|x| x.id == k.id)
            {
                return Err(self.error(
                    &format!("{field}.id"),
                    format!("key id {:?} is empty, not alphanumeric, or used twice", k.id),
                    "use a unique id such as \"K2JCJMDEHXQW5F\"",
                ));
            }
            let private_key = k.private_key.as_deref().map(|p| self.private_key(&field, dir, p)).transpose()?;
            spec.keys.push(KeySpec { id: k.id.clone(), private_key });
        }
        for (i, k) in raw.legacy_key_pairs.iter().enumerate() {
            let field = format!("signing.legacy_key_pairs[{i}]");
            let taken = spec.keys.iter().chain(spec.legacy_key_pairs.iter().map(|l| &l.key)).any(|x| x.id == k.id);
            if k.id.is_empty() || !k.id.chars().all(|c| c.is_ascii_alphanumeric()) || taken {
                return Err(self.error(
                    &format!("{field}.id"),
                    format!("key pair id {:?} is empty, not alphanumeric, or used twice", k.id),
                    "use a unique id such as \"APKAJ6RV6ACUX5M5IAOQ\"",
                ));
            }
            let private_key = k.private_key.as_deref().map(|p| self.private_key(&field, dir, p)).transpose()?;
            let active = k.active.unwrap_or(true);
            spec.legacy_key_pairs.push(LegacyKeyPairSpec { key: KeySpec { id: k.id.clone(), private_key }, active });
        }
        let active = spec.legacy_key_pairs.iter().filter(|k| k.active).count();
        crate::signing::check_active_legacy_key_pairs(active).map_err(|e| {
            self.error(
                "signing.legacy_key_pairs",
                e.problem(),
                "deactivate one (active = false); CloudFront allows two active key pairs per account, and only the \
                 root user can create them, so prefer key groups, which IAM users can manage",
            )
        })?;
        for (i, g) in raw.key_groups.iter().enumerate() {
            let field = format!("signing.key_groups[{i}]");
            if g.name.is_empty() || spec.key_groups.iter().any(|x| x.name == g.name) {
                return Err(self.error(
                    &format!("{field}.name"),
                    format!("key group name {:?} is empty or used twice", g.name),
                    "give each key group a unique name",
                ));
            }
            if g.keys.is_empty() {
                return Err(self.error(
                    &format!("{field}.keys"),
                    "a key group needs at least one public key",
                    "list key ids from [[signing.keys]]",
                ));
            }
            crate::signing::check_public_keys_per_key_group(
                &g.name,
                g.keys.len(),
                crate::signing::MAX_PUBLIC_KEYS_PER_KEY_GROUP,
            )
            .map_err(|e| self.error(&format!("{field}.keys"), e.problem(), e.fix()))?;
            let mut keys = Vec::new();
            for (k, id) in g.keys.iter().enumerate() {
                let index = spec.keys.iter().position(|x| &x.id == id).ok_or_else(|| {
                    self.error(
                        &format!("{field}.keys[{k}]"),
                        format!("no key has id {id:?}"),
                        format!("use one of: {}", names(spec.keys.iter().map(|x| x.id.as_str()))),
                    )
                })?;
                keys.push(index);
            }
            spec.key_groups.push(KeyGroupSpec { name: g.name.clone(), keys });
        }
        // CloudFront's default quota: 10 key groups per account (reference §3).
        if spec.key_groups.len() > 10 {
            return Err(self.error(
                "signing.key_groups",
                format!("{} key groups exceed CloudFront's quota of 10 per account", spec.key_groups.len()),
                "use at most 10 (AWS can raise the quota)",
            ));
        }
        Ok(spec)
    }

    /// Reads a private key named by `field`, relative to the scenario's folder.
    fn private_key(&self, field: &str, dir: &Path, path: &str) -> Result<crate::signing::SigningKey> {
        let full = dir.join(path);
        let field = format!("{field}.private_key");
        let pem = std::fs::read_to_string(&full).map_err(|e| {
            self.error(
                &field,
                format!("cannot read {}: {e}", full.display()),
                "give a PEM file path relative to the scenario file",
            )
        })?;
        crate::signing::SigningKey::from_pem(&pem).map_err(|e| {
            self.error(&field, format!("{}: {e}", full.display()), "use an RSA 2048 or ECDSA P-256 private key in PEM")
        })
    }

    /// A class whose paths reach a behavior that requires signing must say
    /// what its viewers present; otherwise every request would be refused.
    fn check_signed_classes(&self, distribution: &DistributionSpec, traffic: &TrafficSpec) -> Result<()> {
        let mut path = String::new();
        let last = distribution.behaviors.len() - 1;
        for (i, class) in traffic.classes.iter().enumerate().filter(|(_, c)| c.signed.is_none()) {
            for id in sample_ids(class.objects) {
                class.path_of(id, &mut path);
                let patterns = distribution.behaviors[..last].iter().map(|b| b.path_pattern.as_str());
                let b = path_pattern::first_match(patterns, &path).unwrap_or(last);
                if distribution.behaviors[b].requires_signing() {
                    return Err(self.error(
                        &format!("traffic.classes[{i}]"),
                        format!(
                            "paths such as {path} reach behavior {:?}, which requires signed URLs or cookies, \
                             but the class says nothing about signing",
                            distribution.behaviors[b].path_pattern
                        ),
                        "add signed = { sessions = 1000, mix = { valid-url = 1.0 } } to the class \
                         (mix = { none = 1.0 } if its viewers present nothing)",
                    ));
                }
            }
        }
        Ok(())
    }

    fn distribution(
        &self,
        raw: &RawDistribution,
        origins: &[OriginSpec],
        groups: &[OriginGroupSpec],
        signing: &SigningSpec,
    ) -> Result<DistributionSpec> {
        // CloudFront's default quota is 75 cache behaviors per distribution
        // (adjustable, DG quotas page); the engine stores a behavior in a byte.
        if raw.behaviors.len() > 254 {
            return Err(self.error(
                "distribution.behaviors",
                format!("{} cache behaviors is more than cdnsim supports", raw.behaviors.len()),
                "use at most 254 (CloudFront's default quota is 75)",
            ));
        }
        let allow_writes = raw.allow_writes_to_origin_groups.unwrap_or(false);
        let ctx = BehaviorContext { origins, groups, signing, allow_writes };
        let mut behaviors = Vec::new();
        for (i, b) in raw.behaviors.iter().enumerate() {
            let field = format!("distribution.behaviors[{i}]");
            let pattern = b.path_pattern.as_deref().ok_or_else(|| {
                self.error(
                    &format!("{field}.path_pattern"),
                    "a cache behavior needs a path pattern",
                    "add e.g. path_pattern = \"/static/*\"",
                )
            })?;
            path_pattern::check_pattern(pattern)
                .map_err(|e| self.error(&format!("{field}.path_pattern"), e, "correct the pattern"))?;
            behaviors.push(self.behavior(&field, pattern, b, &ctx)?);
        }
        let field = "distribution.default_behavior";
        if let Some(p) = raw.default_behavior.path_pattern.as_deref()
            && p != "*"
        {
            return Err(self.error(
                &format!("{field}.path_pattern"),
                format!("the default behavior's pattern is always `*`, not {p:?}"),
                "remove path_pattern from the default behavior, or move it to [[distribution.behaviors]]",
            ));
        }
        behaviors.push(self.behavior(field, "*", &raw.default_behavior, &ctx)?);
        let error_caching_min_ttl = self
            .optional_seconds("distribution.error_caching_min_ttl", raw.error_caching_min_ttl.as_ref())?
            .map_or(SimDuration::from_secs(10), SimDuration::from_secs);
        let domain = raw.domain.clone().unwrap_or_else(|| DEFAULT_DOMAIN.to_string());
        names::check_domain(&domain).map_err(|(problem, fix)| self.error("distribution.domain", problem, fix))?;
        Ok(DistributionSpec {
            domain,
            error_caching_min_ttl,
            allow_writes_to_origin_groups: allow_writes,
            behaviors,
            propagation_ms: self.propagation(raw.propagation.as_ref())?,
        })
    }

    fn behavior(&self, field: &str, pattern: &str, b: &RawBehavior, ctx: &BehaviorContext) -> Result<BehaviorSpec> {
        let BehaviorContext { origins, groups, signing, allow_writes } = *ctx;
        let (origin, origin_group) = match origins.iter().position(|o| o.name == b.origin) {
            Some(origin) => (origin, None),
            None => match groups.iter().position(|g| g.name == b.origin) {
                Some(g) => (groups[g].primary, Some(g)),
                None => {
                    return Err(self.error(
                        &format!("{field}.origin"),
                        format!("no origin or origin group is named {:?}", b.origin),
                        format!(
                            "use one of: {}",
                            names(
                                origins.iter().map(|o| o.name.as_str()).chain(groups.iter().map(|g| g.name.as_str()))
                            )
                        ),
                    ));
                }
            },
        };
        let allowed_methods =
            self.method_set(&format!("{field}.allowed_methods"), b.allowed_methods.as_deref(), MethodSet::GET_HEAD)?;
        if ![MethodSet::GET_HEAD, MethodSet::GET_HEAD_OPTIONS, MethodSet::ALL].contains(&allowed_methods) {
            return Err(self.error(
                &format!("{field}.allowed_methods"),
                format!("CloudFront does not offer the method set [{allowed_methods}]"),
                "use [\"GET\",\"HEAD\"], [\"GET\",\"HEAD\",\"OPTIONS\"] or all seven methods",
            ));
        }
        let cached_methods =
            self.method_set(&format!("{field}.cached_methods"), b.cached_methods.as_deref(), MethodSet::GET_HEAD)?;
        if ![MethodSet::GET_HEAD, MethodSet::GET_HEAD_OPTIONS].contains(&cached_methods) {
            return Err(self.error(
                &format!("{field}.cached_methods"),
                format!("CloudFront caches only GET and HEAD, optionally OPTIONS; got [{cached_methods}]"),
                "use [\"GET\",\"HEAD\"] or [\"GET\",\"HEAD\",\"OPTIONS\"]",
            ));
        }
        if cached_methods.contains(crate::http::Method::Options)
            && !allowed_methods.contains(crate::http::Method::Options)
        {
            return Err(self.error(
                &format!("{field}.cached_methods"),
                "OPTIONS is cached but not allowed",
                "add OPTIONS to allowed_methods or remove it from cached_methods",
            ));
        }
        let ttl = TtlSettings::with_defaults(
            self.optional_seconds(&format!("{field}.min_ttl"), b.min_ttl.as_ref())?,
            self.optional_seconds(&format!("{field}.default_ttl"), b.default_ttl.as_ref())?,
            self.optional_seconds(&format!("{field}.max_ttl"), b.max_ttl.as_ref())?,
        );
        ttl.check()
            .map_err(|e| self.error(&format!("{field}.min_ttl"), e, "adjust min_ttl, default_ttl and max_ttl"))?;
        if origin_group.is_some() && allowed_methods.has_writes() && !allow_writes {
            // CloudFront's API error, quoted in reference §4.1 (CDK issue 32450).
            return Err(self.error(
                &format!("{field}.allowed_methods"),
                "The parameter AllowedMethods cannot include POST, PUT, PATCH, or DELETE for a cached behavior \
                 associated with an origin group.",
                "send writes through another behavior with a single origin, or allow only GET, HEAD (and OPTIONS) \
                 here; a teaching scenario may set distribution.allow_writes_to_origin_groups = true",
            ));
        }
        let mut trusted_key_groups = Vec::new();
        for (i, name) in b.trusted_key_groups.iter().flatten().enumerate() {
            let g = signing.key_groups.iter().position(|g| &g.name == name).ok_or_else(|| {
                self.error(
                    &format!("{field}.trusted_key_groups[{i}]"),
                    format!("no key group is named {name:?}"),
                    format!(
                        "define it under [[signing.key_groups]]; existing: {}",
                        names(signing.key_groups.iter().map(|g| g.name.as_str()))
                    ),
                )
            })?;
            trusted_key_groups.push(g);
        }
        crate::signing::check_key_groups_per_behavior(
            pattern,
            trusted_key_groups.len(),
            crate::signing::MAX_KEY_GROUPS_PER_BEHAVIOR,
        )
        .map_err(|e| {
            self.error(
                &format!("{field}.trusted_key_groups"),
                e.problem(),
                format!(
                    "trust at most {} key groups per behavior: {}",
                    crate::signing::MAX_KEY_GROUPS_PER_BEHAVIOR,
                    e.fix()
                ),
            )
        })?;
        let trusted_signers = b.trusted_signers.unwrap_or(false);
        if trusted_signers && !signing.legacy_key_pairs.iter().any(|k| k.active) {
            return Err(self.error(
                &format!("{field}.trusted_signers"),
                "the behavior trusts the account's legacy CloudFront key pairs (TrustedSigners), but the scenario \
                 has no active legacy key pair",
                "add [[signing.legacy_key_pairs]] (only the AWS account's root user can create them, at most two \
                 active per account), or better, trust a key group with trusted_key_groups: IAM users can manage \
                 key groups (up to 5 public keys each, 4 per behavior, 10 per account)",
            ));
        }
        Ok(BehaviorSpec {
            path_pattern: pattern.to_string(),
            origin,
            origin_group,
            trusted_key_groups,
            trusted_signers,
            allowed_methods,
            cached_methods,
            ttl,
            viewer_protocol_policy: self.viewer_protocol_policy(field, b.viewer_protocol_policy.as_deref())?,
        })
    }

    fn method_set(&self, field: &str, raw: Option<&[String]>, default: MethodSet) -> Result<MethodSet> {
        let Some(list) = raw else { return Ok(default) };
        let mut methods = Vec::new();
        for (i, name) in list.iter().enumerate() {
            methods.push(
                name.parse()
                    .map_err(|e: String| self.error(&format!("{field}[{i}]"), e, "write the method in capitals"))?,
            );
        }
        Ok(MethodSet::from_methods(methods))
    }

    fn traffic(&self, raw: &RawTraffic) -> Result<TrafficSpec> {
        if !(raw.rate > 0.0 && raw.rate <= 1e8) {
            return Err(self.error(
                "traffic.rate",
                format!("{} requests per second is out of range", raw.rate),
                "use a rate above 0 and at most 1e8",
            ));
        }
        let diurnal = match &raw.diurnal {
            None => None,
            Some(d) => {
                if !(0.0..1.0).contains(&d.amplitude) {
                    return Err(self.error(
                        "traffic.diurnal.amplitude",
                        format!("amplitude {} is outside [0, 1)", d.amplitude),
                        "use e.g. 0.5 (peak 1.5x, trough 0.5x the mean rate)",
                    ));
                }
                let period = self.optional_duration(
                    "traffic.diurnal.period",
                    d.period.as_ref(),
                    SimDuration::from_secs(86_400),
                )?;
                if period == SimDuration::ZERO {
                    return Err(self.error("traffic.diurnal.period", "the period is zero", "use e.g. \"24 h\""));
                }
                let peak =
                    self.optional_duration("traffic.diurnal.peak", d.peak.as_ref(), SimDuration::from_secs(20 * 3600))?;
                Some(Diurnal { amplitude: d.amplitude, period, peak })
            }
        };
        let https_share = raw.https_share.unwrap_or(1.0);
        if !(0.0..=1.0).contains(&https_share) {
            return Err(self.error(
                "traffic.https_share",
                format!("{https_share} is not a share"),
                "use a number from 0 to 1",
            ));
        }
        let zipf_alpha = raw.zipf_alpha.unwrap_or(0.8);
        self.check_alpha("traffic.zipf_alpha", zipf_alpha)?;
        let total_objects = raw.objects.unwrap_or(100_000);
        if !(1..=MAX_OBJECTS).contains(&total_objects) {
            return Err(self.error(
                "traffic.objects",
                format!("{total_objects} objects is out of range"),
                format!("use 1 to {MAX_OBJECTS}"),
            ));
        }
        let default_methods = self.method_weights("traffic.methods", raw.methods.as_ref(), None)?;
        if raw.classes.is_empty() {
            return Err(self.error(
                "traffic",
                "the traffic has no content classes",
                "add a [[traffic.classes]] table with name, share, path and size",
            ));
        }
        let total_share: f64 = raw.classes.iter().map(|c| c.share.max(0.0)).sum();
        let mut classes: Vec<ClassSpec> = Vec::new();
        for (i, c) in raw.classes.iter().enumerate() {
            let field = format!("traffic.classes[{i}]");
            if c.name.is_empty() || classes.iter().any(|x| x.name == c.name) {
                return Err(self.error(
                    &format!("{field}.name"),
                    format!("class name {:?} is empty or used twice", c.name),
                    "give each class a unique name",
                ));
            }
            if !(c.share > 0.0 && c.share.is_finite()) {
                return Err(self.error(
                    &format!("{field}.share"),
                    format!("share {} must be above 0", c.share),
                    "use e.g. 0.5; shares are normalised to sum 1",
                ));
            }
            names::check_class_path(&c.path)
                .map_err(|(problem, fix)| self.error(&format!("{field}.path"), problem, fix))?;
            let id_at = c.path.find("{id}");
            let objects = match (c.objects, id_at) {
                (Some(n), _) if !(1..=MAX_OBJECTS).contains(&n) => {
                    return Err(self.error(
                        &format!("{field}.objects"),
                        format!("{n} objects is out of range"),
                        format!("use 1 to {MAX_OBJECTS}"),
                    ));
                }
                // A path without `{id}` names one object, whatever the share.
                (Some(n), None) if n > 1 => {
                    return Err(self.error(
                        &format!("{field}.objects"),
                        format!("the path {:?} has no {{id}}, so the class is one object, not {n}", c.path),
                        "remove `objects` (a fixed path is one object), or put {id} into the path",
                    ));
                }
                (_, None) => 1,
                (Some(n), Some(_)) => n as u64,
                (None, Some(_)) => ((total_objects as f64 * c.share / total_share).round() as u64).max(1),
            };
            let class_alpha = c.zipf_alpha.unwrap_or(zipf_alpha);
            self.check_alpha(&format!("{field}.zipf_alpha"), class_alpha)?;
            let size_bytes = self.dist(&format!("{field}.size"), &c.size, Unit::Bytes)?;
            let cache_control = match &c.cache_control {
                None => CacheControl::default(),
                Some(text) => text.parse().map_err(|e: String| {
                    self.error(
                        &format!("{field}.cache_control"),
                        e,
                        "write it as an origin would, e.g. \"max-age=3600\"",
                    )
                })?,
            };
            let change_interval = match &c.change_interval {
                None => None,
                Some(v) => {
                    let d = self.duration(&format!("{field}.change_interval"), v)?;
                    if d == SimDuration::ZERO {
                        return Err(self.error(
                            &format!("{field}.change_interval"),
                            "zero means the object changes continuously",
                            "use e.g. \"1 h\", or remove the field",
                        ));
                    }
                    Some(d)
                }
            };
            let method_weights =
                self.method_weights(&format!("{field}.methods"), c.methods.as_ref(), Some(default_methods))?;
            let signed = c.signed.as_ref().map(|s| self.signed_traffic(&format!("{field}.signed"), s)).transpose()?;
            classes.push(ClassSpec {
                name: c.name.clone(),
                request_share: c.share / total_share,
                path_template: c.path.clone(),
                id_at,
                objects,
                zipf_alpha: class_alpha,
                size_bytes,
                cache_control,
                change_interval,
                method_weights,
                signed,
            });
        }
        if classes.iter().map(|c| c.objects).sum::<u64>() > MAX_OBJECTS as u64 {
            return Err(self.error(
                "traffic.classes",
                format!("the classes hold more than {MAX_OBJECTS} objects in all"),
                "lower the classes' `objects`",
            ));
        }
        Ok(TrafficSpec { rate_per_s: raw.rate, diurnal, https_share, classes, direct_to_origin: None })
    }

    fn signed_traffic(&self, field: &str, raw: &RawSigned) -> Result<SignedTrafficSpec> {
        use crate::cdn::signed::Presented;
        let sessions = self.int_in(&format!("{field}.sessions"), raw.sessions, 1000, 1, 10_000_000)? as u32;
        let mut mix = [0.0; Presented::ALL.len()];
        for (name, &share) in &raw.mix {
            let kind = Presented::parse(name).ok_or_else(|| {
                self.error(
                    &format!("{field}.mix.{name}"),
                    format!("unknown credential kind {name:?}"),
                    format!("use: {}", Presented::names()),
                )
            })?;
            if !(share >= 0.0 && share.is_finite()) {
                return Err(self.error(
                    &format!("{field}.mix.{name}"),
                    format!("share {share} must be 0 or more"),
                    "use e.g. 0.9",
                ));
            }
            mix[kind.index()] = share;
        }
        if mix.iter().sum::<f64>() <= 0.0 {
            return Err(self.error(
                &format!("{field}.mix"),
                "every share is zero",
                "give at least one kind a positive share, e.g. { valid-url = 1.0 }",
            ));
        }
        Ok(SignedTrafficSpec { sessions, mix })
    }

    fn check_alpha(&self, field: &str, alpha: f64) -> Result<()> {
        if !(0.0..=10.0).contains(&alpha) {
            return Err(self.error(
                field,
                format!("Zipf alpha {alpha} is out of range"),
                "use 0 (uniform) to 10; web traffic is usually 0.6-1.2",
            ));
        }
        Ok(())
    }

    fn method_weights(
        &self,
        field: &str,
        raw: Option<&std::collections::BTreeMap<String, f64>>,
        default: Option<[f64; 7]>,
    ) -> Result<[f64; 7]> {
        let Some(map) = raw else {
            return Ok(default.unwrap_or_else(|| {
                let mut w = [0.0; 7];
                w[Method::Get.index()] = 1.0;
                w
            }));
        };
        let mut weights = [0.0; 7];
        for (name, &w) in map {
            let method: Method = name.parse().map_err(|e: String| {
                self.error(&format!("{field}.{name}"), e, "use method names in capitals as keys")
            })?;
            if !(w >= 0.0 && w.is_finite()) {
                return Err(self.error(
                    &format!("{field}.{name}"),
                    format!("weight {w} must be 0 or more"),
                    "use e.g. 0.9",
                ));
            }
            weights[method.index()] = w;
        }
        let sum: f64 = weights.iter().sum();
        if sum <= 0.0 {
            return Err(self.error(
                field,
                "all method weights are zero",
                "give at least one method a positive weight, e.g. { GET = 1.0 }",
            ));
        }
        weights.iter_mut().for_each(|w| *w /= sum);
        Ok(weights)
    }

    /// A behavior that no request path of any class can reach is a mistake:
    /// either its pattern or the traffic's paths are wrong. Tested on a
    /// sample of object ids (every id for small classes).
    fn check_patterns_match(&self, distribution: &DistributionSpec, traffic: &TrafficSpec) -> Result<()> {
        let mut path = String::new();
        let mut reached = vec![false; distribution.behaviors.len()];
        for class in &traffic.classes {
            for id in sample_ids(class.objects) {
                class.path_of(id, &mut path);
                let first = path_pattern::first_match(
                    distribution.behaviors[..distribution.behaviors.len() - 1].iter().map(|b| b.path_pattern.as_str()),
                    &path,
                );
                reached[first.unwrap_or(distribution.behaviors.len() - 1)] = true;
            }
        }
        let last = distribution.behaviors.len() - 1;
        if let Some(i) = reached[..last].iter().position(|r| !r) {
            let examples: Vec<String> = traffic
                .classes
                .iter()
                .map(|c| {
                    let mut p = String::new();
                    c.path_of(c.objects.min(2) - 1, &mut p);
                    p
                })
                .collect();
            let shadowed =
                distribution.behaviors[..i].iter().any(|b| path_pattern::matches(&b.path_pattern, &examples[0]));
            return Err(self.error(
                &format!("distribution.behaviors[{i}].path_pattern"),
                format!(
                    "pattern {:?} never matches a request: no traffic class path reaches it{} (paths look like {})",
                    distribution.behaviors[i].path_pattern,
                    if shadowed { ", or an earlier behavior matches first" } else { "" },
                    examples.join(", ")
                ),
                "correct the pattern (patterns are case-sensitive and `*` is needed for prefixes), or add a [[traffic.classes]] whose path it matches",
            ));
        }
        Ok(())
    }

    // Scalar helpers.

    fn int_in(&self, field: &str, value: Option<i64>, default: i64, min: i64, max: i64) -> Result<i64> {
        let v = value.unwrap_or(default);
        if !(min..=max).contains(&v) {
            return Err(self.error(field, format!("{v} is out of range"), format!("use {min} to {max}")));
        }
        Ok(v)
    }

    /// A duration in whole seconds within CloudFront's range for the field:
    /// `(default, min, max)` seconds. `what` names the setting in plural for
    /// messages, e.g. "connection timeouts".
    fn seconds_in(
        &self,
        what: &str,
        field: &str,
        value: Option<&Value>,
        (default_s, min_s, max_s): (u64, u64, u64),
    ) -> Result<SimDuration> {
        let rule = format!("CloudFront's {what} are whole seconds from {min_s} to {max_s} (default {default_s})");
        let seconds = self.whole_seconds(field, value, &rule, (min_s, max_s))?.unwrap_or(default_s);
        if !(min_s..=max_s).contains(&seconds) {
            return Err(self.error(
                field,
                format!("{seconds} s is outside CloudFront's range of {min_s} to {max_s} s"),
                format!("use {min_s} to {max_s} seconds (default {default_s})"),
            ));
        }
        Ok(SimDuration::from_secs(seconds))
    }

    fn size(&self, field: &str, value: &Value) -> Result<u64> {
        match value {
            Value::Integer(n) if *n >= 0 => Ok(*n as u64),
            Value::Integer(n) => {
                Err(self.error(field, format!("{n} is negative"), "use a size of 0 or more, e.g. \"50 GiB\""))
            }
            Value::String(s) => {
                parse_size(s).map_err(|e| self.error(field, e, "write a size such as \"50 GiB\" or \"512 MB\""))
            }
            other => Err(self.error(
                field,
                format!("expected a size, found {}", other.type_str()),
                "write a size such as \"50 GiB\"",
            )),
        }
    }

    fn duration(&self, field: &str, value: &Value) -> Result<SimDuration> {
        match value {
            Value::Integer(n) if *n >= 0 => Ok(SimDuration::from_secs(*n as u64)),
            Value::Float(x) if *x >= 0.0 && x.is_finite() => Ok(SimDuration::from_secs_f64(*x)),
            Value::String(s) => {
                parse_duration(s).map_err(|e| self.error(field, e, "write a duration such as \"20 ms\" or \"1 h\""))
            }
            Value::Integer(_) | Value::Float(_) => Err(self.error(field, "the duration is negative", "use 0 or more")),
            other => Err(self.error(
                field,
                format!("expected a duration, found {}", other.type_str()),
                "write a duration such as \"10 min\"",
            )),
        }
    }

    fn optional_duration(&self, field: &str, value: Option<&Value>, default: SimDuration) -> Result<SimDuration> {
        value.map_or(Ok(default), |v| self.duration(field, v))
    }

    /// TTL fields: whole seconds, as CloudFront stores them.
    fn optional_seconds(&self, field: &str, value: Option<&Value>) -> Result<Option<u64>> {
        self.whole_seconds(field, value, "CloudFront TTLs are whole seconds", (0, u64::MAX))
    }

    /// A duration that must be whole seconds: `rule` says why, and the fix
    /// suggests the nearest whole number in `(min, max)`.
    fn whole_seconds(&self, field: &str, value: Option<&Value>, rule: &str, range: (u64, u64)) -> Result<Option<u64>> {
        let Some(v) = value else { return Ok(None) };
        let d = self.duration(field, v)?;
        if !d.as_micros().is_multiple_of(1_000_000) {
            let nearest = (d.as_micros() as f64 / 1e6).round() as u64;
            return Err(self.error(
                field,
                format!("{} is not a whole number of seconds", format_duration(d)),
                format!("{rule}: write e.g. {}", nearest.clamp(range.0, range.1)),
            ));
        }
        Ok(Some(d.as_micros() / 1_000_000))
    }

    fn optional_dist(&self, field: &str, value: Option<&Value>, unit: Unit) -> Result<Option<Dist>> {
        value.map(|v| self.dist(field, v, unit)).transpose()
    }

    /// `"20 ms"` / `"40 KiB"` for a constant, or `{ dist = "...", ... }`.
    fn dist(&self, field: &str, value: &Value, unit: Unit) -> Result<Dist> {
        let scalar = |f: &str, v: &Value| -> Result<f64> {
            match unit {
                Unit::Millis => match v {
                    Value::String(_) => Ok(self.duration(f, v)?.as_millis_f64()),
                    _ => Err(self.error(
                        f,
                        format!("expected a duration with a unit, found {}", v.type_str()),
                        "write e.g. \"20 ms\"",
                    )),
                },
                Unit::Bytes => Ok(self.size(f, v)? as f64),
            }
        };
        let table = match value {
            Value::Table(t) => t,
            other => return Ok(Dist::constant(scalar(field, other)?)),
        };
        let kind = table.get("dist").and_then(Value::as_str).ok_or_else(|| {
            self.error(
                &format!("{field}.dist"),
                "a distribution table needs `dist`",
                format!("add dist = one of: {DIST_NAMES}"),
            )
        })?;
        let params: &[&str] = match kind {
            "constant" => &["value"],
            "uniform" => &["min", "max"],
            "normal" | "lognormal" => &["mean", "stddev"],
            "exponential" => &["mean"],
            "pareto" => &["min", "alpha"],
            other => {
                return Err(self.error(
                    &format!("{field}.dist"),
                    format!("unknown distribution {other:?}"),
                    format!("use one of: {DIST_NAMES}"),
                ));
            }
        };
        if let Some(extra) = table.keys().find(|k| *k != "dist" && !params.contains(&k.as_str())) {
            return Err(self.error(
                &format!("{field}.{extra}"),
                format!("`{extra}` is not a parameter of {kind}"),
                format!("{kind} takes: {}", params.join(", ")),
            ));
        }
        let get = |name: &str| -> Result<f64> {
            let f = format!("{field}.{name}");
            let v = table.get(name).ok_or_else(|| {
                self.error(&f, format!("{kind} needs `{name}`"), format!("{kind} takes: {}", params.join(", ")))
            })?;
            if name == "alpha" {
                return v
                    .as_float()
                    .or(v.as_integer().map(|i| i as f64))
                    .ok_or_else(|| self.error(&f, "expected a number", "write e.g. 1.5"));
            }
            scalar(&f, v)
        };
        let built = match kind {
            "constant" => Ok(Dist::constant(get("value")?)),
            "uniform" => Dist::uniform(get("min")?, get("max")?),
            "normal" => Dist::normal(get("mean")?, get("stddev")?),
            "lognormal" => Dist::lognormal(get("mean")?, get("stddev")?),
            "exponential" => Dist::exponential(get("mean")?),
            _ => Dist::pareto(get("min")?, get("alpha")?),
        };
        built.map_err(|e| self.error(field, e, "adjust the parameters"))
    }
}

fn names<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let list: Vec<&str> = items.collect();
    if list.is_empty() { "(none defined)".to_string() } else { list.join(", ") }
}

/// Object ids that stand for a class's paths: all of them for small classes,
/// otherwise the first thousand, the last, and each power of ten.
fn sample_ids(objects: u64) -> impl Iterator<Item = u64> {
    let dense = objects.min(1000);
    let powers = (0..20).map(|k| 10u64.pow(k)).take_while(move |&p| p < objects);
    (0..dense).chain(powers).chain(std::iter::once(objects - 1))
}
