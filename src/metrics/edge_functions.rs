//! Edge functions' counters: per association (one behavior's function on one
//! event), the invocations of measured requests, their cold starts and
//! failures, and the time requests waited on them, summed and as a
//! histogram. Empty when no behavior runs a function.
//!
//! A leaf of `metrics`: it imports nothing from `mod.rs`, which holds it.

use super::merging::{add_histogram, merge_each, same};
use crate::scenario::{EdgeEvent, FunctionKind};
use crate::time::SimDuration;
use hdrhistogram::Histogram;

/// Waits are recorded in microseconds up to one hour, three significant
/// figures: the bounds of the run's latency histograms.
fn waited_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("static bounds are valid")
}

/// One behavior's function on one event.
#[derive(Clone, Debug, PartialEq)]
pub struct AssociationStats {
    pub behavior: usize,
    pub event: EdgeEvent,
    /// An index into `Scenario::functions`.
    pub function: usize,
    pub kind: FunctionKind,
    pub invocations: u64,
    /// Invocations that started a new Lambda@Edge execution environment.
    // Invariant: cold_starts <= invocations; 0 for CloudFront Functions.
    pub cold_starts: u64,
    /// Runs stopped at their timeout (CloudFront answered 503).
    // Invariant: failures <= invocations.
    pub failures: u64,
    /// Time requests waited on the function: the round trip to its Region,
    /// cold starts and runs. Exact; the histogram's buckets are 0.1% wide.
    pub waited_us: u64,
    // Invariant: one sample per invocation.
    pub waited_hist_us: Histogram<u64>,
}

impl AssociationStats {
    pub fn new(behavior: usize, event: EdgeEvent, function: usize, kind: FunctionKind) -> AssociationStats {
        AssociationStats {
            behavior,
            event,
            function,
            kind,
            invocations: 0,
            cold_starts: 0,
            failures: 0,
            waited_us: 0,
            waited_hist_us: waited_histogram(),
        }
    }

    /// Adds another partition's counts of the same association.
    pub fn merge(&mut self, other: AssociationStats) {
        let AssociationStats {
            behavior,
            event,
            function,
            kind,
            invocations,
            cold_starts,
            failures,
            waited_us,
            waited_hist_us,
        } = other;
        let association = (self.behavior, self.event, self.function, self.kind);
        same(&association, &(behavior, event, function, kind), "a function association");
        self.invocations += invocations;
        self.cold_starts += cold_starts;
        self.failures += failures;
        self.waited_us += waited_us;
        add_histogram(&mut self.waited_hist_us, &waited_hist_us, "a function association's waits");
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct FunctionMetrics {
    /// In the order `cdn::edge_functions::associations` numbers them.
    pub associations: Vec<AssociationStats>,
    /// Per behavior, the measured requests the edge refused with 403 before
    /// its viewer-request stage (`https-only`, methods, signatures); with
    /// the redirects, what never reaches a viewer-request function. Empty
    /// when no behavior runs a function.
    pub refused_at_edge: Vec<u64>,
}

impl FunctionMetrics {
    pub fn new(associations: Vec<AssociationStats>, n_behaviors: usize) -> FunctionMetrics {
        let refused_at_edge = if associations.is_empty() { Vec::new() } else { vec![0; n_behaviors] };
        FunctionMetrics { associations, refused_at_edge }
    }

    /// Adds another partition's counts of the same run (`Metrics::merge`).
    pub fn merge(&mut self, other: FunctionMetrics) {
        let FunctionMetrics { associations, refused_at_edge } = other;
        merge_each(&mut self.associations, associations, "function associations", AssociationStats::merge);
        merge_each(&mut self.refused_at_edge, refused_at_edge, "refusals before functions per behavior", |a, b| {
            *a += b
        });
    }

    /// Records an invocation made for a measured request.
    pub fn record(&mut self, association: usize, waited: SimDuration, cold: bool, failed: bool) {
        let stats = &mut self.associations[association];
        stats.invocations += 1;
        stats.cold_starts += cold as u64;
        stats.failures += failed as u64;
        stats.waited_us += waited.as_micros();
        stats.waited_hist_us.saturating_record(waited.as_micros().max(1));
    }

    /// Counts a measured request of `behavior` refused with 403 before any
    /// function; nothing when no behavior runs one.
    pub fn record_refused(&mut self, behavior: usize) {
        if let Some(refused) = self.refused_at_edge.get_mut(behavior) {
            *refused += 1;
        }
    }

    pub fn invocations(&self) -> u64 {
        self.associations.iter().map(|a| a.invocations).sum()
    }

    pub fn cold_starts(&self) -> u64 {
        self.associations.iter().map(|a| a.cold_starts).sum()
    }

    pub fn failures(&self) -> u64 {
        self.associations.iter().map(|a| a.failures).sum()
    }

    pub fn waited_us(&self) -> u64 {
        self.associations.iter().map(|a| a.waited_us).sum()
    }

    /// The associations on `event`, for the accounting.
    pub fn on(&self, event: EdgeEvent) -> impl Iterator<Item = &AssociationStats> {
        self.associations.iter().filter(move |a| a.event == event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invocations_add_up_per_association_and_overall() {
        let mut m = FunctionMetrics::new(
            vec![
                AssociationStats::new(0, EdgeEvent::ViewerRequest, 0, FunctionKind::CloudFrontFunction),
                AssociationStats::new(1, EdgeEvent::OriginRequest, 1, FunctionKind::LambdaEdge),
            ],
            2,
        );
        m.record(0, SimDuration(300), false, false);
        m.record(1, SimDuration(250_000), true, false);
        m.record(1, SimDuration(5_000_000), false, true);
        m.record_refused(1);
        assert_eq!((m.invocations(), m.cold_starts(), m.failures()), (3, 1, 1));
        assert_eq!(m.waited_us(), 300 + 250_000 + 5_000_000);
        assert_eq!(m.associations[1].waited_hist_us.len(), 2);
        assert_eq!(m.refused_at_edge, [0, 1]);
        assert_eq!(m.on(EdgeEvent::OriginRequest).count(), 1);
        let mut unused = FunctionMetrics::new(Vec::new(), 2);
        unused.record_refused(0);
        assert!(unused.refused_at_edge.is_empty(), "nothing counted without functions");
    }
}
