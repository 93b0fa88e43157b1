//! The engine's ids: a request's slot in the pool, a level on a request's
//! route, and a cache. Each is a small newtype with an `index()` to reach its
//! table, so that a table cannot be indexed with another table's id.
//!
//! Imports no other engine file: every other file may use it.

use std::num::NonZeroU32;

/// A request's slot in the pool (`RequestPool`). Stored as the slot's index
/// plus one, so that an `Option<RequestId>` (a waiter list's head or link,
/// `None` at its end) is four bytes, as the id is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RequestId(NonZeroU32);

impl RequestId {
    /// The most slots a pool may have: the last index plus one fits a `u32`.
    pub const MAX_SLOTS: usize = u32::MAX as usize;

    /// The id of slot `index`; panics past `MAX_SLOTS`, which a run would
    /// reach only with four billion requests in flight at once.
    pub fn from_index(index: usize) -> RequestId {
        assert!(index < RequestId::MAX_SLOTS, "a request pool has at most RequestId::MAX_SLOTS slots");
        RequestId(NonZeroU32::new(index as u32 + 1).expect("an index below MAX_SLOTS plus one is not zero"))
    }

    pub fn index(self) -> usize {
        (self.0.get() - 1) as usize
    }
}

/// How many caches a route may pass: the edge, a regional edge cache, the
/// primary origin's Origin Shield, and the secondary origin's after failover.
pub const MAX_LEVELS: usize = 4;

/// A level on a request's route: the edge is level 0, each cache above it
/// one more. Below `MAX_LEVELS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LevelIdx(u8);

impl LevelIdx {
    pub const EDGE: LevelIdx = LevelIdx(0);

    /// Level `index`; panics at `MAX_LEVELS` or past it.
    pub fn new(index: usize) -> LevelIdx {
        assert!(index < MAX_LEVELS, "a route has at most {MAX_LEVELS} levels, not {}", index + 1);
        LevelIdx(index as u8)
    }

    pub fn index(self) -> usize {
        self.0 as usize
    }

    pub fn is_edge(self) -> bool {
        self.0 == 0
    }

    /// The level the response goes down to next, or `None` at the edge (it
    /// goes to the viewer).
    pub fn below(self) -> Option<LevelIdx> {
        self.0.checked_sub(1).map(LevelIdx)
    }
}

/// A cache, as an index into the engine's caches: the edge locations first,
/// in scenario order, then the regional edge caches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheIdx(u16);

impl CacheIdx {
    /// The most caches a run may have (`Network::build` checks it once).
    pub const MAX_CACHES: usize = u16::MAX as usize + 1;

    /// Cache `index`, below `MAX_CACHES` (checked in debug builds: every
    /// request makes a few, from indices checked at set-up).
    pub const fn new(index: usize) -> CacheIdx {
        debug_assert!(index < CacheIdx::MAX_CACHES, "at most 65,536 caches");
        CacheIdx(index as u16)
    }

    pub fn index(self) -> usize {
        self.0 as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_optional_request_id_costs_no_space() {
        assert_eq!(std::mem::size_of::<Option<RequestId>>(), 4);
        assert_eq!(std::mem::size_of::<RequestId>(), 4);
    }

    #[test]
    fn a_request_id_names_its_slot() {
        for index in [0, 1, 1023, RequestId::MAX_SLOTS - 1] {
            assert_eq!(RequestId::from_index(index).index(), index);
        }
        assert_ne!(RequestId::from_index(0), RequestId::from_index(1));
    }

    #[test]
    #[should_panic(expected = "at most RequestId::MAX_SLOTS")]
    fn a_pool_past_its_id_space_is_a_bug() {
        RequestId::from_index(RequestId::MAX_SLOTS);
    }

    #[test]
    fn levels_go_down_to_the_edge_and_stop() {
        let top = LevelIdx::new(MAX_LEVELS - 1);
        assert_eq!(top.index(), 3);
        let mut walked = vec![top.index()];
        let mut at = top;
        while let Some(below) = at.below() {
            walked.push(below.index());
            at = below;
        }
        assert_eq!(walked, [3, 2, 1, 0]);
        assert!(at.is_edge() && at == LevelIdx::EDGE);
    }

    #[test]
    #[should_panic(expected = "at most 4 levels")]
    fn a_fifth_level_is_a_bug() {
        LevelIdx::new(MAX_LEVELS);
    }

    #[test]
    fn a_cache_index_round_trips() {
        assert_eq!(CacheIdx::new(7).index(), 7);
        assert_eq!(CacheIdx::new(CacheIdx::MAX_CACHES - 1).index(), 65_535);
    }
}
