//! The secret header over simulated time: which value each CloudFront
//! location sends to an origin at an instant, and which values the origin
//! accepts, from the scenario's configuration and timed changes.
//!
//! A distribution change reaches each location (edge location or regional
//! edge cache) after its own propagation delay, drawn once per (change,
//! location) at set-up. The location that connects to the origin adds the
//! header from its own configuration: an edge for requests that skip the
//! regional tier, a regional edge cache or Origin Shield otherwise. The
//! Developer Guide says only that CloudFront adds origin custom headers to
//! every origin request ("Adding custom headers to origin requests") and that
//! changes take effect as they propagate to the locations; which tier's copy
//! of the configuration applies is our assumption. A location that has
//! received a newer version ignores an older one that arrives later.
//! Changes to the origin's accepted values are the origin owner's own and
//! take effect at once.

use crate::rng::{Stream, stream_rng_indexed};
use crate::scenario::{ABSENT, AcceptedValues, HeaderValueId};
use crate::scenario::{ChangeKind, ChangeTime, Scenario};
use crate::time::{SimDuration, SimTime};

/// Every origin's header timelines for one run.
pub struct OriginAccess {
    origins: Vec<OriginTimeline>,
}

#[derive(Default)]
struct OriginTimeline {
    sent_at_start: HeaderValueId,
    /// Distribution versions, oldest first: the value, and when it reaches
    /// each location (index: the engine's cache index).
    versions: Vec<(HeaderValueId, Vec<SimTime>)>,
    /// The origin's rule from each instant on, in time order; the first
    /// applies from time zero. `None`: the origin checks nothing.
    rules: Vec<(SimTime, Option<AcceptedValues>)>,
}

impl OriginAccess {
    /// `None` when no origin sends or checks a secret header: nothing to do
    /// per request then.
    pub fn build(scenario: &Scenario, run_seed: u64) -> Option<OriginAccess> {
        if !scenario.origins.iter().any(|o| o.access.is_some()) {
            return None;
        }
        let n_locations = scenario.topology.edges.len() + scenario.topology.regional_caches.len();
        let mut origins: Vec<OriginTimeline> = scenario
            .origins
            .iter()
            .map(|o| match &o.access {
                None => OriginTimeline::default(),
                Some(a) => OriginTimeline {
                    sent_at_start: a.sent_at_start,
                    versions: Vec::new(),
                    rules: vec![(SimTime::ZERO, a.accepted_at_start)],
                },
            })
            .collect();
        // Distribution versions in time order (file order for ties).
        let mut sends: Vec<(SimTime, usize, usize, HeaderValueId)> = scenario
            .changes
            .iter()
            .enumerate()
            .filter_map(|(i, c)| match (c.when, c.kind) {
                (ChangeTime::At(at), ChangeKind::SendValue(v)) => Some((at, i, c.origin, v)),
                _ => None,
            })
            .collect();
        sends.sort_by_key(|&(at, i, _, _)| (at, i));
        for (at, change, origin, value) in sends {
            let mut rng = stream_rng_indexed(run_seed, Stream::Propagation, change as u64);
            let arrivals = (0..n_locations)
                .map(|_| {
                    let delay_ms = scenario.distribution.propagation_ms.sample(&mut rng).max(0.0);
                    at + SimDuration::from_millis_f64(delay_ms)
                })
                .collect();
            origins[origin].versions.push((value, arrivals));
        }
        for c in &scenario.changes {
            if let ChangeKind::OriginAccepts(accepted) = c.kind {
                let timeline = &mut origins[c.origin];
                let at = match c.when {
                    ChangeTime::At(at) => at,
                    ChangeTime::AfterPropagation(margin) => timeline.fully_propagated_at() + margin,
                };
                timeline.rules.push((at, Some(accepted)));
            }
        }
        for timeline in &mut origins {
            // Stable: of two rules at one instant, the later in the file wins.
            timeline.rules.sort_by_key(|&(at, _)| at);
        }
        Some(OriginAccess { origins })
    }

    /// The value of `origin`'s secret header that `location` sends at `now`.
    pub fn sent_value(&self, location: usize, origin: usize, now: SimTime) -> HeaderValueId {
        let timeline = &self.origins[origin];
        timeline
            .versions
            .iter()
            .rev()
            .find(|(_, arrivals)| arrivals[location] <= now)
            .map_or(timeline.sent_at_start, |(value, _)| *value)
    }

    /// The values `origin` accepts at `now`; `None`: it checks nothing.
    pub fn rule_at(&self, origin: usize, now: SimTime) -> Option<AcceptedValues> {
        let rules = &self.origins[origin].rules;
        rules.iter().rev().find(|(at, _)| *at <= now).and_then(|(_, rule)| *rule)
    }

    /// When `origin`'s latest distribution change had reached every location.
    pub fn fully_propagated_at(&self, origin: usize) -> Option<SimTime> {
        let timeline = &self.origins[origin];
        (!timeline.versions.is_empty()).then(|| timeline.fully_propagated_at())
    }
}

impl OriginTimeline {
    fn fully_propagated_at(&self) -> SimTime {
        self.versions.last().map_or(SimTime::ZERO, |(_, arrivals)| *arrivals.iter().max().unwrap_or(&SimTime::ZERO))
    }
}

/// Whether a request CloudFront sends carries the secret at all.
pub fn carries_secret(value: HeaderValueId) -> bool {
    value != ABSENT
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: u64) -> SimTime {
        SimTime(s * 1_000_000)
    }

    #[test]
    fn a_location_keeps_the_newest_version_it_has_received() {
        // Version 2 reaches location 0 at 100 s, version 3 (newer) at 50 s:
        // location 0 sends 1 until 50 s, then 3, and ignores 2 when it comes.
        let timeline = OriginTimeline {
            sent_at_start: 1,
            versions: vec![(2, vec![at(100), at(20)]), (3, vec![at(50), at(70)])],
            rules: vec![(SimTime::ZERO, Some(AcceptedValues::from_ids([1])))],
        };
        let access = OriginAccess { origins: vec![timeline] };
        let sent = |location, s| access.sent_value(location, 0, at(s));
        assert_eq!([sent(0, 40), sent(0, 50), sent(0, 120)], [1, 3, 3]);
        assert_eq!([sent(1, 10), sent(1, 20), sent(1, 69), sent(1, 70)], [1, 2, 2, 3]);
        assert_eq!(access.fully_propagated_at(0), Some(at(70)));
    }

    #[test]
    fn the_origin_rule_in_force_is_the_latest_that_has_started() {
        let only = |id| Some(AcceptedValues::from_ids([id]));
        let timeline = OriginTimeline {
            sent_at_start: 1,
            versions: Vec::new(),
            rules: vec![(SimTime::ZERO, only(1)), (at(10), only(2)), (at(20), None)],
        };
        let access = OriginAccess { origins: vec![timeline] };
        assert_eq!(
            [access.rule_at(0, at(9)), access.rule_at(0, at(10)), access.rule_at(0, at(30))],
            [only(1), only(2), None]
        );
        assert_eq!(access.fully_propagated_at(0), None);
    }
}
