//! Edge functions as a scenario declares them: CloudFront Functions and
//! Lambda@Edge functions (`[[functions]]`), the four CloudFront events a
//! function can be associated with, and each cache behavior's associations.
//!
//! These are settings and what they mean on their own: the names CloudFront
//! uses, the events each kind may run on, the time each may take, the
//! defaults. Which functions run for a request, where and with what result is
//! `policy::edge_functions`; the warm execution environments of Lambda@Edge
//! are `cdn::edge_functions`.
//!
//! The normalisation a function performs on the request is declared, not
//! run: `FunctionSpec::transforms`, a list of `Transform`s (drop, keep or sort
//! query strings, lower-case values, strip headers or cookies, map the device
//! to one header). What they do to a request and to its cache key is
//! `policy::transforms`.
//!
//! Sources: Developer Guide, "Customize at the edge with functions" and
//! "Choosing between CloudFront Functions and Lambda@Edge" (edge-functions.md),
//! "Restrictions on edge functions" (edge-functions-restrictions.md),
//! "Quotas on CloudFront Functions" and "Quotas on Lambda@Edge"
//! (cloudfront-limits.md), "CloudFront events that can trigger a Lambda@Edge
//! function" (lambda-cloudfront-trigger-events.md); reference §10, §11.15.

use crate::dist::Dist;
use crate::time::SimDuration;
use std::fmt;

/// A CloudFront event a function can run on, spelled as CloudFront's API
/// spells `EventType`. Declared in the order a request that goes to the
/// origin meets them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeEvent {
    /// CloudFront received the request from the viewer, before the cache lookup.
    ViewerRequest,
    /// CloudFront forwards the request to the origin (a miss or a revalidation).
    OriginRequest,
    /// CloudFront received the origin's response, before caching it.
    OriginResponse,
    /// CloudFront is about to return the response to the viewer.
    ViewerResponse,
}

impl EdgeEvent {
    /// Every event, in the order of `index`.
    pub const ALL: [EdgeEvent; 4] =
        [EdgeEvent::ViewerRequest, EdgeEvent::OriginRequest, EdgeEvent::OriginResponse, EdgeEvent::ViewerResponse];

    /// CloudFront's `EventType` value: `viewer-request`, ...
    pub fn name(self) -> &'static str {
        match self {
            EdgeEvent::ViewerRequest => "viewer-request",
            EdgeEvent::OriginRequest => "origin-request",
            EdgeEvent::OriginResponse => "origin-response",
            EdgeEvent::ViewerResponse => "viewer-response",
        }
    }

    pub fn parse(name: &str) -> Option<EdgeEvent> {
        EdgeEvent::ALL.into_iter().find(|e| e.name() == name)
    }

    /// The accepted names, for messages.
    pub fn names() -> String {
        EdgeEvent::ALL.map(EdgeEvent::name).join(", ")
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// Viewer-facing events run at the edge location for every request that
    /// gets that far (hits included); origin-facing ones only when CloudFront
    /// goes to the origin.
    pub fn faces_viewer(self) -> bool {
        matches!(self, EdgeEvent::ViewerRequest | EdgeEvent::ViewerResponse)
    }
}

impl fmt::Display for EdgeEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The two kinds of edge function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FunctionKind {
    /// JavaScript run in the edge location itself: submillisecond, no cold
    /// start ("submillisecond startup times"), viewer events only.
    CloudFrontFunction,
    /// A Lambda function replicated to the AWS Regions: it runs in an
    /// execution environment that must be started (a cold start) when none
    /// is idle, on any of the four events.
    LambdaEdge,
}

/// CloudFront Functions' time limit. The Developer Guide gives the duration
/// as "submillisecond" and the limit only as 100% compute utilization of a
/// maximum allowed time it does not publish; a function that keeps exceeding
/// it is throttled (test-function.md, "Understanding compute utilization").
/// cdnsim takes 1 ms [INFERRED].
pub const CLOUDFRONT_FUNCTION_TIME_LIMIT: SimDuration = SimDuration::from_millis(1);

/// Lambda@Edge's function timeout for viewer events and for origin events
/// (Quotas on Lambda@Edge: 5 s and 30 s; reference §10, §11.15).
pub const LAMBDA_VIEWER_TIMEOUT: SimDuration = SimDuration::from_secs(5);
pub const LAMBDA_ORIGIN_TIMEOUT: SimDuration = SimDuration::from_secs(30);

impl FunctionKind {
    pub const ALL: [FunctionKind; 2] = [FunctionKind::CloudFrontFunction, FunctionKind::LambdaEdge];

    /// The name scenario files use.
    pub fn name(self) -> &'static str {
        match self {
            FunctionKind::CloudFrontFunction => "cloudfront-function",
            FunctionKind::LambdaEdge => "lambda-edge",
        }
    }

    pub fn parse(name: &str) -> Option<FunctionKind> {
        FunctionKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// How people name the kind in prose.
    pub fn title(self) -> &'static str {
        match self {
            FunctionKind::CloudFrontFunction => "CloudFront Function",
            FunctionKind::LambdaEdge => "Lambda@Edge function",
        }
    }

    /// CloudFront Functions run on viewer request and viewer response only;
    /// Lambda@Edge on all four events (DG edge-functions.md, "Event sources").
    pub fn runs_on(self, event: EdgeEvent) -> bool {
        match self {
            FunctionKind::CloudFrontFunction => event.faces_viewer(),
            FunctionKind::LambdaEdge => true,
        }
    }

    /// The longest one run of the function may take on `event`.
    pub fn time_limit(self, event: EdgeEvent) -> SimDuration {
        match (self, event.faces_viewer()) {
            (FunctionKind::CloudFrontFunction, _) => CLOUDFRONT_FUNCTION_TIME_LIMIT,
            (FunctionKind::LambdaEdge, true) => LAMBDA_VIEWER_TIMEOUT,
            (FunctionKind::LambdaEdge, false) => LAMBDA_ORIGIN_TIMEOUT,
        }
    }

    /// The run time a function of this kind is given when the scenario says
    /// nothing, in milliseconds. CloudFront Functions: "submillisecond"
    /// (DG edge-functions.md): log-normal 0.2 ± 0.1 ms. Lambda@Edge, warm:
    /// log-normal 20 ± 10 ms for the function's own run; the round trip to
    /// its Region comes on top (`policy::edge_functions::placement`), so a
    /// warm viewer-facing function adds a few tens of milliseconds, as the
    /// Guide's "functions that take several milliseconds or more" suggests.
    pub fn default_latency_ms(self) -> Dist {
        let (mean, stddev) = match self {
            FunctionKind::CloudFrontFunction => (0.2, 0.1),
            FunctionKind::LambdaEdge => (20.0, 10.0),
        };
        Dist::lognormal(mean, stddev).expect("positive parameters")
    }
}

impl fmt::Display for FunctionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A Lambda@Edge cold start when the scenario says nothing, in
/// milliseconds: log-normal 250 ± 150 ms. AWS gives cold starts as "from
/// under 100 ms to over 1 second" (AWS Compute Blog, "Operating Lambda:
/// Performance optimization, Part 1"); Lambda@Edge functions are small.
pub fn default_cold_start_ms() -> Dist {
    Dist::lognormal(250.0, 150.0).expect("positive parameters")
}

/// How long an idle Lambda@Edge execution environment is kept before it is
/// reclaimed, when the scenario says nothing. AWS does not publish it;
/// observed values are 5 to 15 minutes [UNCONFIRMED].
pub const DEFAULT_KEEP_WARM: SimDuration = SimDuration::from_secs(10 * 60);

/// One function of `[[functions]]`.
#[derive(Clone, Debug)]
pub struct FunctionSpec {
    pub name: String,
    pub kind: FunctionKind,
    /// The function's ARN when the scenario names it (an imported
    /// distribution's `FunctionARN` or `LambdaFunctionARN`); reported only.
    pub arn: Option<String>,
    /// One run of the function, in milliseconds: for Lambda@Edge in a warm
    /// environment, without the round trip to its Region.
    pub latency_ms: Dist,
    /// Lambda@Edge only: what starting an execution environment adds, in
    /// milliseconds (a constant 0 for CloudFront Functions).
    pub cold_start_ms: Dist,
    /// Lambda@Edge only: how long an idle environment stays warm.
    pub keep_warm: SimDuration,
    /// Lambda@Edge only: the function's memory in MB (Lambda's MB, 1,024 to
    /// the GB), which its GB-seconds are billed by; 128 by default.
    // Invariant: within LAMBDA_MEMORY_MB.
    pub memory_mb: u32,
    /// What the function does to the request, in order; empty for a function
    /// that changes nothing cdnsim models.
    // Invariant: at most MAX_TRANSFORMS; a function with transforms is
    // associated only with request events.
    pub transforms: Vec<Transform>,
}

/// A Lambda@Edge function's memory: 128 MB (the default, and the only size
/// viewer triggers allow) to 10,240 MB for origin triggers (Developer
/// Guide, "Quotas on Lambda@Edge").
pub const LAMBDA_MEMORY_MB: std::ops::RangeInclusive<u32> = 128..=10_240;

/// The most transforms one function may declare.
pub const MAX_TRANSFORMS: usize = 16;

/// The longest function name a scenario takes: a Lambda function name (64
/// characters), a colon and a version number.
pub const MAX_FUNCTION_NAME_CHARS: usize = 80;

/// Whether `name` is a function name a scenario takes: 1 to
/// `MAX_FUNCTION_NAME_CHARS` letters, digits, '-', '_', '.' and ':' (a
/// Lambda version reads `name:3`). One rule for the loader and the importer.
pub fn is_function_name(name: &str) -> bool {
    let fine = |c: char| c.is_ascii_alphanumeric() || "-_.:".contains(c);
    !name.is_empty() && name.chars().count() <= MAX_FUNCTION_NAME_CHARS && name.chars().all(fine)
}

/// One declared change a function makes to the request it runs on. Names in
/// `QueryDrop`, `QueryKeep`, `CookiesDrop` and `CookiesKeep` may hold `*`
/// and `?` wildcards (`utm_*`); query and cookie names are compared with
/// their case, header names without.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Transform {
    /// Removes the named query parameters, or every one (`None`).
    QueryDrop(Option<Vec<String>>),
    /// Removes every query parameter it does not name.
    QueryKeep(Vec<String>),
    /// Writes the query parameters sorted by name, so that their order no
    /// longer depends on the viewer.
    QuerySort,
    /// Lower-cases the values of the named query parameters.
    QueryLowercase(Vec<String>),
    /// Removes the named cookies, or every one (`None`).
    CookiesDrop(Option<Vec<String>>),
    /// Removes every cookie it does not name.
    CookiesKeep(Vec<String>),
    /// Lower-cases the values of the named headers (`Accept-Encoding` too).
    HeaderLowercase(Vec<String>),
    /// Removes the named headers (`Accept-Encoding` too).
    HeaderStrip(Vec<String>),
    /// Sets `header` to the viewer's device class, as a function reading
    /// `User-Agent` would: `values[d]` is what device `d` (`Device::index`)
    /// is written as; devices written alike are one class.
    DeviceHeader { header: String, values: [String; 4] },
}

impl Transform {
    /// The `op` a scenario file names the transform by.
    pub fn op(&self) -> &'static str {
        match self {
            Transform::QueryDrop(_) => "query-drop",
            Transform::QueryKeep(_) => "query-keep",
            Transform::QuerySort => "query-sort",
            Transform::QueryLowercase(_) => "query-lowercase",
            Transform::CookiesDrop(_) => "cookies-drop",
            Transform::CookiesKeep(_) => "cookies-keep",
            Transform::HeaderLowercase(_) => "header-lowercase",
            Transform::HeaderStrip(_) => "header-strip",
            Transform::DeviceHeader { .. } => "device-header",
        }
    }

    /// The op and what it names, as `cdnsim validate` prints it:
    /// `query-drop utm_*`, `device-header X-Device (tablet=mobile)`.
    pub fn describe(&self) -> String {
        let names = match self {
            Transform::QueryDrop(Some(n))
            | Transform::QueryKeep(n)
            | Transform::QueryLowercase(n)
            | Transform::CookiesDrop(Some(n))
            | Transform::CookiesKeep(n)
            | Transform::HeaderLowercase(n)
            | Transform::HeaderStrip(n) => n.join(" "),
            Transform::QueryDrop(None) | Transform::CookiesDrop(None) => "all".to_string(),
            Transform::QuerySort => return self.op().to_string(),
            Transform::DeviceHeader { header, values } => {
                let renamed: Vec<String> = super::attributes::Device::ALL
                    .into_iter()
                    .filter(|d| values[d.index()] != d.name())
                    .map(|d| format!("{}={}", d.name(), values[d.index()]))
                    .collect();
                if renamed.is_empty() { header.clone() } else { format!("{header} ({})", renamed.join(", ")) }
            }
        };
        format!("{} {names}", self.op())
    }

    /// Every `op`, for messages.
    pub const OPS: [&'static str; 9] = [
        "query-drop",
        "query-keep",
        "query-sort",
        "query-lowercase",
        "cookies-drop",
        "cookies-keep",
        "header-lowercase",
        "header-strip",
        "device-header",
    ];
}

/// A cache behavior's function associations: at most one function per event
/// (DG edge-functions-restrictions.md, "Combining CloudFront Functions with
/// Lambda@Edge").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BehaviorFunctions {
    // Invariant: each entry indexes `Scenario::functions`, and the function
    // runs on the entry's event (`FunctionKind::runs_on`); the viewer events
    // hold functions of one kind.
    by_event: [Option<u16>; 4],
}

impl BehaviorFunctions {
    /// The most functions a scenario may declare (indices fit a `u16`).
    pub const MAX_FUNCTIONS: usize = u16::MAX as usize;

    /// Associates function `function` with `event`; returns the function
    /// already there, which the caller must have refused.
    pub fn set(&mut self, event: EdgeEvent, function: usize) -> Option<usize> {
        assert!(function < Self::MAX_FUNCTIONS, "function index {function} out of range");
        self.by_event[event.index()].replace(function as u16).map(usize::from)
    }

    /// The function associated with `event`, as an index into `Scenario::functions`.
    pub fn get(&self, event: EdgeEvent) -> Option<usize> {
        self.by_event[event.index()].map(usize::from)
    }

    pub fn is_empty(&self) -> bool {
        self.by_event.iter().all(Option::is_none)
    }

    /// (event, function) pairs, in event order.
    pub fn iter(&self) -> impl Iterator<Item = (EdgeEvent, usize)> + '_ {
        EdgeEvent::ALL.into_iter().filter_map(|e| self.get(e).map(|f| (e, f)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_round_trip_in_index_order() {
        for (i, event) in EdgeEvent::ALL.into_iter().enumerate() {
            assert_eq!(event.index(), i);
            assert_eq!(EdgeEvent::parse(event.name()), Some(event));
        }
        assert_eq!(EdgeEvent::parse("viewer_request"), None);
        assert_eq!(EdgeEvent::names(), "viewer-request, origin-request, origin-response, viewer-response");
    }

    #[test]
    fn cloudfront_functions_run_on_viewer_events_only_and_briefly() {
        let cf = FunctionKind::CloudFrontFunction;
        let lambda = FunctionKind::LambdaEdge;
        assert!(cf.runs_on(EdgeEvent::ViewerRequest) && cf.runs_on(EdgeEvent::ViewerResponse));
        assert!(!cf.runs_on(EdgeEvent::OriginRequest) && !cf.runs_on(EdgeEvent::OriginResponse));
        assert!(EdgeEvent::ALL.into_iter().all(|e| lambda.runs_on(e)));
        assert_eq!(cf.time_limit(EdgeEvent::ViewerRequest), SimDuration::from_millis_f64(1.0));
        assert_eq!(lambda.time_limit(EdgeEvent::ViewerResponse), SimDuration::from_secs(5));
        assert_eq!(lambda.time_limit(EdgeEvent::OriginRequest), SimDuration::from_secs(30));
        assert!(cf.default_latency_ms().mean() < 1.0, "submillisecond");
        assert_eq!(FunctionKind::parse("lambda-edge"), Some(lambda));
        assert_eq!(FunctionKind::parse("lambda@edge"), None);
    }

    #[test]
    fn a_behavior_holds_one_function_per_event() {
        let mut functions = BehaviorFunctions::default();
        assert!(functions.is_empty());
        assert_eq!(functions.set(EdgeEvent::OriginResponse, 2), None);
        assert_eq!(functions.set(EdgeEvent::ViewerRequest, 0), None);
        assert_eq!(functions.set(EdgeEvent::ViewerRequest, 1), Some(0), "the one it replaces");
        let pairs: Vec<(EdgeEvent, usize)> = functions.iter().collect();
        assert_eq!(pairs, [(EdgeEvent::ViewerRequest, 1), (EdgeEvent::OriginResponse, 2)]);
        assert_eq!(functions.get(EdgeEvent::ViewerResponse), None);
    }
}
