//! Everything that can happen in a run: one closed enum with small `Copy`
//! payloads. Requests live in the engine's pool; events carry their ids.

use super::ids::{LevelIdx, RequestId};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// The next viewer request reaches its edge location. Arrivals are kept
    /// beside the heap (there is only ever one pending), not in it.
    Arrival,
    /// A request reaches cache level `level` of its route (0 = the edge).
    AtLevel { request: RequestId, level: LevelIdx },
    /// A request reaches its origin.
    AtOrigin { request: RequestId },
    /// The origin has finished producing the response.
    OriginDone { request: RequestId },
    /// The response reaches cache level `level` on its way back to the viewer.
    Down { request: RequestId, level: LevelIdx },
}

const _: () = assert!(std::mem::size_of::<Event>() <= 8);
