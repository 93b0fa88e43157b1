//! Cache keys in a run's results: how many keys each object was requested
//! under (fragmentation), and the misses another variant of the same object
//! would have answered (fragmentation misses), per behavior and per cache
//! (`cache_keys.csv`), with their totals in the summary. Only for a
//! scenario whose keys vary (`Scenario::keys_vary`): other runs' files are
//! exactly what they were.

use crate::engine::Report;
use crate::metrics::{TierStats, ratio};
use crate::scenario::Scenario;
use serde::Serialize;

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// The run's totals, for `summary.json` and the summary table.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CacheKeySummary {
    /// Distinct cache keys the viewers' requests were looked up under at the
    /// edges, over every behavior, and the distinct objects they are for (an
    /// object's OPTIONS counted apart).
    pub keys_requested: u64,
    pub objects_requested: u64,
    pub keys_per_object: f64,
    /// Misses and revalidations that went up while another variant of the
    /// object was cached and fresh there, at every cache, and per tier.
    pub fragmentation_misses: u64,
    pub edge_fragmentation_misses: u64,
    pub regional_fragmentation_misses: u64,
    pub shield_fragmentation_misses: u64,
    /// When some behavior's viewer-request function transforms requests:
    /// the distinct keys the same lookups would have had without the
    /// transforms (behaviors without them counted as they are), and per
    /// object. Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keys_before_transforms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keys_per_object_before_transforms: Option<f64>,
}

pub fn cache_key_summary(report: &Report, scenario: &Scenario) -> Option<CacheKeySummary> {
    if !scenario.keys_vary() {
        return None;
    }
    let m = &report.metrics;
    let n_edges = scenario.topology.edges.len();
    let frag = |tiers: &[TierStats]| tiers.iter().map(|t| t.fragmentation_misses).sum::<u64>();
    let (edge, regional, shield) = (frag(&m.caches[..n_edges]), frag(&m.caches[n_edges..]), frag(&m.shield_role));
    let keys: u64 = m.behaviors.iter().map(|b| b.keys_requested).sum();
    let objects: u64 = m.behaviors.iter().map(|b| b.objects_requested).sum();
    let transformed = m.behaviors.iter().any(|b| b.before_transforms.is_some());
    let keys_before: u64 = m.behaviors.iter().map(|b| b.before_transforms.map_or(b.keys_requested, |c| c.keys)).sum();
    Some(CacheKeySummary {
        keys_requested: keys,
        objects_requested: objects,
        keys_per_object: round6(ratio(keys, objects)),
        fragmentation_misses: edge + regional + shield,
        edge_fragmentation_misses: edge,
        regional_fragmentation_misses: regional,
        shield_fragmentation_misses: shield,
        keys_before_transforms: transformed.then_some(keys_before),
        keys_per_object_before_transforms: transformed.then(|| round6(ratio(keys_before, objects))),
    })
}

/// One row of `cache_keys.csv`: a behavior (its requests, keys looked up at
/// the edges, misses at every cache), or one cache (edge location, regional
/// edge cache, or regional edge cache as Origin Shield).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CacheKeyRow {
    /// `behavior`, `edge`, `regional` or `shield`.
    pub scope: &'static str,
    /// The behavior's path pattern, or the cache's name.
    pub name: String,
    /// The cache's AWS Region; empty for a behavior.
    pub region: String,
    /// The behavior's cache policy (`legacy` without one); empty for a cache.
    pub cache_policy: String,
    /// The behavior's requests, or the cache's lookups.
    pub requests: u64,
    pub keys_requested: u64,
    pub objects_requested: u64,
    pub keys_per_object: f64,
    /// Misses and revalidations that went up (not collapsed onto a fetch).
    pub fetching_misses: u64,
    pub fragmentation_misses: u64,
    /// Fragmentation misses over fetching misses.
    pub fragmentation_share: f64,
}

pub fn cache_key_rows(report: &Report, scenario: &Scenario) -> Vec<CacheKeyRow> {
    let m = &report.metrics;
    let topo = &scenario.topology;
    let mut rows = Vec::new();
    for (b, s) in scenario.distribution.behaviors.iter().zip(&m.behaviors) {
        rows.push(CacheKeyRow {
            scope: "behavior",
            name: b.path_pattern.clone(),
            region: String::new(),
            cache_policy: b.cache_policy.clone().unwrap_or_else(|| "legacy".into()),
            requests: s.requests,
            keys_requested: s.keys_requested,
            objects_requested: s.objects_requested,
            keys_per_object: round6(ratio(s.keys_requested, s.objects_requested)),
            fetching_misses: s.fetching_misses,
            fragmentation_misses: s.fragmentation_misses,
            fragmentation_share: round6(ratio(s.fragmentation_misses, s.fetching_misses)),
        });
    }
    let cache = |scope: &'static str, name: &str, region: &str, t: &TierStats| CacheKeyRow {
        scope,
        name: name.to_string(),
        region: region.to_string(),
        cache_policy: String::new(),
        requests: t.lookups,
        keys_requested: t.keys_requested,
        objects_requested: t.objects_requested,
        keys_per_object: round6(ratio(t.keys_requested, t.objects_requested)),
        fetching_misses: t.misses + t.stale,
        fragmentation_misses: t.fragmentation_misses,
        fragmentation_share: round6(ratio(t.fragmentation_misses, t.misses + t.stale)),
    };
    for (i, e) in topo.edges.iter().enumerate() {
        rows.push(cache("edge", &e.name, topo.regional_caches[e.regional_cache].region.name, &m.caches[i]));
    }
    let n_edges = topo.edges.len();
    for (i, r) in topo.regional_caches.iter().enumerate() {
        rows.push(cache("regional", &r.name, r.region.name, &m.caches[n_edges + i]));
    }
    for (i, r) in topo.regional_caches.iter().enumerate() {
        if scenario.origins.iter().any(|o| o.origin_shield == Some(i)) {
            rows.push(cache("shield", &r.name, r.region.name, &m.shield_role[i]));
        }
    }
    rows
}

/// The summary table's line, when keys vary.
pub fn summary_line(s: &CacheKeySummary) -> String {
    let before = match (s.keys_before_transforms, s.keys_per_object_before_transforms) {
        (Some(keys), Some(per_object)) => {
            format!("\n  keys before transforms     {keys} keys ({per_object:.2} per object)")
        }
        _ => String::new(),
    };
    let line = format!(
        "  cache keys                 {} keys for {} objects ({:.2} per object); {} fragmentation misses \
         (edge {}, regional {}, shield {})",
        s.keys_requested,
        s.objects_requested,
        s.keys_per_object,
        s.fragmentation_misses,
        s.edge_fragmentation_misses,
        s.regional_fragmentation_misses,
        s.shield_fragmentation_misses
    );
    line + &before
}
