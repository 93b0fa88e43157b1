//! Range GETs (`policy::range`), when some class sends them: which arrivals
//! carry a `Range` header and what it asks for, drawn from a stream per
//! class (`Stream::Range`) so no other draw moves; and per request slot, the
//! range and the parts each level of its route fetched from above.
//! `range_gets.rs` is the handler: lookups, storing, the origin's answer.
//!
//! A run without ranges has no `Ranges` at all: arrival tests one `Option`
//! (and skips the draw), and the handlers the general path takes test it
//! once more. A range GET never takes the edge-hit fast path.

use rand::RngExt;
use rand::rngs::Xoshiro256PlusPlus;

use super::ids::{LevelIdx, MAX_LEVELS, RequestId};
use crate::http::Method;
use crate::policy::range::{self, Parts, ViewerRange};
use crate::rng::{Stream, stream_rng_indexed};
use crate::scenario::{MAX_OBJECTS_WITH_VARIANTS, RangeSpec, Scenario};

/// A request slot's range GET.
#[derive(Clone, Copy, Debug)]
pub(super) struct RangeState {
    /// The request in this slot carries a `Range` header; the rest is
    /// meaningful only then.
    pub(super) ranged: bool,
    pub(super) range: ViewerRange,
    /// Per level of the route: the parts it asked of the level above (or
    /// the origin) when it went up. `None` for an unsatisfiable range.
    // Invariant: set at a level before the request leaves it going up, and
    // each level's parts lie within those of the level below.
    pub(super) fetched: [Option<Parts>; MAX_LEVELS],
}

impl RangeState {
    const NONE: RangeState =
        RangeState { ranged: false, range: ViewerRange::Unsatisfiable, fetched: [None; MAX_LEVELS] };

    /// The parts the request asks for at `level`: its own range's at the
    /// edge, else what the level below asked for.
    pub(super) fn asked_at(&self, level: LevelIdx) -> Option<Parts> {
        match (self.range, level.below()) {
            (ViewerRange::Unsatisfiable, _) => None,
            (ViewerRange::Bytes { first, last }, None) => Some(range::parts_of(first, last)),
            (ViewerRange::Bytes { .. }, Some(below)) => {
                Some(self.fetched[below.index()].expect("a satisfiable range asks the level above for its parts"))
            }
        }
    }

    /// The bytes of the viewer's range (0 when unsatisfiable).
    pub(super) fn asked_bytes(&self) -> u64 {
        match self.range {
            ViewerRange::Bytes { first, last } => last - first + 1,
            ViewerRange::Unsatisfiable => 0,
        }
    }
}

pub(super) struct Ranges {
    /// Per class, its ranges (`None`: it sends none) and its stream.
    classes: Vec<Option<(RangeSpec, Xoshiro256PlusPlus)>>,
    /// Per origin, whether it answers ranges with 206.
    pub(super) supports_ranges: Vec<bool>,
    /// Per request slot (`RequestId::index`), grown as the pool grows.
    // Invariant: every slot allocated since set-up was written at
    // allocation (`set`), so a reused slot never shows its last range.
    states: Vec<RangeState>,
}

impl Ranges {
    /// `None` for a scenario where no class sends ranges.
    pub(super) fn build(scenario: &Scenario, seed: u64) -> Option<Ranges> {
        if !scenario.uses_ranges() {
            return None;
        }
        let classes = scenario
            .traffic
            .classes
            .iter()
            .enumerate()
            .map(|(i, c)| c.ranges.map(|spec| (spec, stream_rng_indexed(seed, Stream::Range, i as u64))))
            .collect();
        let supports_ranges = scenario.origins.iter().map(|o| o.supports_ranges).collect();
        Some(Ranges { classes, supports_ranges, states: Vec::with_capacity(1024) })
    }

    /// Whether a GET of `object` (of `size_bytes`, in `class`) carries a
    /// `Range` header, and the range. Only GETs of a class with ranges draw,
    /// and only objects of the synthetic catalog (a trace's requests
    /// say nothing of ranges).
    pub(super) fn draw(&mut self, class: usize, method: Method, object: u64, size_bytes: u64) -> Option<ViewerRange> {
        let (spec, rng) = self.classes.get_mut(class)?.as_mut()?;
        if method != Method::Get || object >= MAX_OBJECTS_WITH_VARIANTS {
            return None;
        }
        if rng.random::<f64>() >= spec.share {
            return None;
        }
        let draws = (rng.random::<f64>(), rng.random::<f64>());
        Some(range::viewer_range(size_bytes, spec.start, spec.length_bytes, spec.unsatisfiable_share, draws))
    }

    /// Writes the slot of a request just allocated: its range, or none.
    pub(super) fn set(&mut self, id: RequestId, range: Option<ViewerRange>) {
        let state = match range {
            Some(range) => RangeState { ranged: true, range, fetched: [None; MAX_LEVELS] },
            None => RangeState::NONE,
        };
        if id.index() >= self.states.len() {
            self.states.resize(id.index() + 1, RangeState::NONE);
        }
        self.states[id.index()] = state;
    }

    /// A viewer's retry of request `from` (after a redirect) asks for the
    /// same range, from the start.
    pub(super) fn copy(&mut self, from: RequestId, to: RequestId) {
        let state = self.state(from);
        self.set(to, state.ranged.then_some(state.range));
    }

    pub(super) fn state(&self, id: RequestId) -> RangeState {
        self.states.get(id.index()).copied().unwrap_or(RangeState::NONE)
    }

    pub(super) fn state_mut(&mut self, id: RequestId) -> &mut RangeState {
        &mut self.states[id.index()]
    }

    pub(super) fn is_ranged(&self, id: RequestId) -> bool {
        self.states.get(id.index()).is_some_and(|s| s.ranged)
    }
}
