//! Raw scenario -> validated [`Scenario`]: every rule, every default, and an
//! error that names the field, its position and the fix.
//!
//! One file per part of the scenario, each an `impl Validator` block that
//! `Validator::scenario` calls in order: `simulation.rs`, `topology.rs`
//! (with the caches), `origins.rs` (with origin groups and faults),
//! `access.rs` (protocol policies, secret headers, timed changes, direct
//! traffic), `signing.rs`, `functions.rs` (edge functions, and each
//! behavior's associations for `behaviors.rs`), `behaviors.rs` (the
//! distribution, with `cache_keys.rs` for cache policies, TTLs and keys),
//! `viewers.rs` (viewer populations, and whether the price class leaves
//! an edge location), `traffic.rs` (with `attributes.rs` for what requests
//! carry besides the path), `cost.rs` (the period, pricing table and
//! options of every run's bill),
//! then `reach.rs` (which behaviors the classes' paths reach) and
//! `intervals.rs` (the bound on metrics intervals). `fields.rs` is the leaf
//! they all share (the `Validator`, its errors, scalar fields), and
//! `names.rs` checks text that ends up in URLs; neither imports any of the
//! others, and the others import none of each other (`behaviors.rs` and
//! `origins.rs` call `access.rs`'s protocol policy readers, one way;
//! `behaviors.rs` calls `functions.rs`'s association reader and
//! `cache_keys.rs`, `traffic.rs` calls `attributes.rs`).

use super::error::ScenarioError;
use super::raw::RawScenario;
use super::source::{Override, SpanIndex, apply_override};
use super::spec::*;
use fields::{Result, Validator};
use std::path::Path;
use toml::Value;

mod access;
mod attributes;
mod behaviors;
mod cache_keys;
mod connections;
mod cost;
mod fields;
mod functions;
pub(super) mod headers;
pub(super) mod intervals;
mod invalidations;
pub(super) mod names;
mod origin_requests;
mod origins;
mod reach;
mod signing;
mod simulation;
mod topology;
mod traffic;
mod viewers;

pub(super) fn load(file: &Path, text: &str, overrides: &[Override], traffic_from: TrafficFrom) -> Result<Scenario> {
    let spans = SpanIndex::build(text);
    let v = Validator { file, spans: &spans, overrides };
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
        return v.scenario(raw, traffic_from);
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
    let mut scenario = v.scenario(raw, traffic_from).map_err(from_import)?;
    scenario.imported_from = Some(merged.source);
    scenario.import_warnings = merged.warnings;
    Ok(scenario)
}

impl Validator<'_> {
    /// With a trace (`traffic_from`), the classes make no requests: what
    /// only they decide (which behaviors they reach, when the last request
    /// starts) is not checked.
    fn scenario(&self, raw: RawScenario, traffic_from: TrafficFrom) -> Result<Scenario> {
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
        let functions = self.functions(&raw.functions)?;
        let distribution = self.distribution(&raw.distribution, &origins, &origin_groups, &signing, &functions)?;
        self.check_price_class_reach(&topology, &distribution)?;
        let viewers = self.viewers(raw.viewers.as_ref())?;
        let invalidations = self.invalidations(&raw.invalidations)?;
        let mut traffic = self.traffic(&raw.traffic)?;
        traffic.direct_to_origin = direct_to_origin;
        let connections = self.connections(raw.connections.as_ref())?;
        self.class_connections(&raw.traffic.classes, connections.is_some(), &mut traffic.classes)?;
        let cost = self.cost(raw.cost.as_ref())?;
        if traffic_from == TrafficFrom::Classes {
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
            functions,
            imported_from: None,
            import_warnings: Vec::new(),
            changes,
            invalidations,
            connections,
            viewers,
            cost,
        };
        if traffic_from == TrafficFrom::Classes {
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
}
