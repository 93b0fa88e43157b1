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
    /// A step of an edge function on the request's way (`functions.rs`).
    EdgeFunction { request: RequestId, step: FunctionStep },
    /// An invalidation reaches a cache (`invalidations.rs`: the index of
    /// the arrival). Only scenarios with invalidations schedule these.
    Invalidation { reach: u32 },
}

/// Where an edge function leaves a request: a function ended, or the request
/// reached the place where one starts. Only scenarios whose behaviors run
/// functions schedule these.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FunctionStep {
    /// The viewer-request function finished: the edge looks the request up.
    ViewerRequestDone,
    /// The viewer-request function timed out: the edge answers 503.
    ViewerRequestFailed,
    /// The viewer-response function finished: the response leaves the edge.
    ViewerResponseDone,
    /// The viewer-response function timed out: a 503 leaves instead.
    ViewerResponseFailed,
    /// The origin's response is back at the CloudFront location that sent the
    /// request: its origin-response function starts.
    OriginResponseStarts,
    /// A failed-over request is back at the location that sends it to the
    /// secondary origin: its origin-request function starts.
    LeavesForSecondary,
}

const _: () = assert!(std::mem::size_of::<Event>() <= 8);
