//! A hook that sees every viewer request as it leaves the edge, for outputs
//! that need each request rather than totals (the access logs).
//!
//! The engine is compiled per kind of observer: an ordinary run's
//! `NoObserver` compiles to nothing. The record borrows what the engine
//! already holds; building it allocates nothing.

use crate::http::Method;
use crate::metrics::{DetailedResultType, ResultType, ServedBy};
use crate::policy::failover::OriginOutcome;
use crate::scenario::{RequestAttributes, ViewerHttpVersion};
use crate::time::SimTime;

/// One viewer request as the edge finished it. Warm-up requests are included:
/// an observer sees everything that happened, not only what is measured.
#[derive(Clone, Copy, Debug)]
pub struct FinishedRequest<'a> {
    /// When the request reached the edge.
    pub arrived: SimTime,
    /// When the edge sent the last byte of the response (the engine's now).
    pub finished: SimTime,
    pub edge: usize,
    pub class: usize,
    /// The object's number within its class: the `{id}` of the class's path.
    /// (For traffic from a trace this is the trace's object number, not a
    /// path the trace named: `--access-log` is for the scenario's own traffic.)
    pub object_in_class: u64,
    pub behavior: usize,
    pub method: Method,
    /// The viewer's scheme: https, or plain http.
    pub https: bool,
    /// The HTTP version the viewer spoke, when connections are modelled.
    pub http_version: Option<ViewerHttpVersion>,
    /// The viewer session (signed classes; 0 otherwise).
    pub session: u32,
    pub status: u16,
    /// Body bytes sent to the viewer (none for HEAD, OPTIONS and errors).
    pub body_bytes: u64,
    /// For a 206 to a range GET: the first and last byte it holds
    /// (`Content-Range`; the log's `sc-range-start` and `sc-range-end`).
    pub content_range: Option<(u64, u64)>,
    /// The object's full size, whatever this response carried.
    pub object_bytes: u64,
    pub result: ResultType,
    /// `x-edge-detailed-result-type`, refining `result`.
    pub detailed: DetailedResultType,
    pub served_by: ServedBy,
    /// How the last origin attempt ended, when the response came from an origin.
    pub origin_outcome: Option<OriginOutcome>,
    /// The signing parameters the viewer appended to the URL, or its signed
    /// cookies' `Cookie` header, when the edge checked a signed credential.
    pub signed_query: Option<&'a str>,
    pub signed_cookie: Option<&'a str>,
    /// The query parameters, cookies and headers the request carried, as
    /// value ids of its class's attributes.
    pub attributes: RequestAttributes,
}

/// Sees each request as it finishes, in the order the engine finishes them
/// (by `finished`, ties in event order).
pub trait RequestObserver {
    /// False only for `NoObserver`: the engine then builds no record at all.
    fn active(&self) -> bool {
        true
    }

    fn on_finish(&mut self, record: &FinishedRequest<'_>);
}

impl<T: RequestObserver + ?Sized> RequestObserver for &mut T {
    fn active(&self) -> bool {
        (**self).active()
    }

    fn on_finish(&mut self, record: &FinishedRequest<'_>) {
        (**self).on_finish(record)
    }
}

/// What an ordinary run observes: nothing, at no cost.
pub struct NoObserver;

impl RequestObserver for NoObserver {
    fn active(&self) -> bool {
        false
    }

    fn on_finish(&mut self, _record: &FinishedRequest<'_>) {}
}
