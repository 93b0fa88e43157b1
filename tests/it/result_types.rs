//! `x-edge-detailed-result-type` as the engine gives it, worked by hand on
//! `support::two_regions` with an Origin Shield in us-east-1 (IAD1's own
//! regional cache; for DUB1 the third cache on its route) and an origin
//! that is down, answers 503, and is black-holed in turn.

use crate::support::*;
use cdnsim::cdn::traffic::{Catalog, Scripted};
use cdnsim::engine::{self, observer::FinishedRequest, observer::RequestObserver};
use cdnsim::http::Method::{self, Get, Put};
use cdnsim::metrics::{DetailedResultType as D, ResultType};
use cdnsim::time::SimTime;

const SHIELDED_AND_FAULTY: &str = r#"
[[topology.links]]
from = "us-east-1"
to = "origin"
rtt = "30 ms"
[[origins]]
name = "origin"
region = "us-east-1"
latency = "40 ms"
origin_shield = "us-east-1"
[distribution.default_behavior]
origin = "origin"
[[faults]]
origin = "origin"
kind = "down"
start = "100 s"
end = "200 s"
[[faults]]
origin = "origin"
kind = "status"
status = 503
start = "300 s"
end = "400 s"
[[faults]]
origin = "origin"
kind = "blackhole"
start = "500 s"
end = "600 s"
"#;

/// Every finished request's status and detailed result type, in finish order.
#[derive(Default)]
struct Detailed(Vec<(u16, ResultType, D)>);

impl RequestObserver for Detailed {
    fn on_finish(&mut self, r: &FinishedRequest<'_>) {
        self.0.push((r.status, r.result, r.detailed));
    }
}

#[test]
fn each_outcome_is_logged_with_its_detailed_result_type() {
    // By hand (objects cached for 600 s; errors for the 10 s error-caching
    // minimum TTL; the default behavior allows GET and HEAD):
    //   1 s  IAD1 GET /s/1: misses at the edge and at us-east-1 (its
    //        regional cache, the shield): from the origin.         Miss
    //   2 s  DUB1 GET /s/1: misses at the edge and at eu-west-1, hits the
    //        copy at us-east-1 in its Origin Shield role.     OriginShieldHit
    //   3 s  IAD1 GET /s/1: an edge hit.                           Hit
    //   4 s  IAD1 PUT /s/1: not allowed: the edge's 403. InvalidRequestMethod
    //   150 s IAD1 GET /s/2: the origin refuses connections: 502.
    //                                                   OriginConnectError
    //   151 s IAD1 GET /s/2: the 502 cached at the edge at ~150.2 s (502 is
    //        always cached, here for 10 s) answers.                Error
    //   350 s IAD1 GET /s/3: the origin's own 503.                 Error
    //   550 s IAD1 GET /s/4: black-holed: three 10 s connection timeouts,
    //        then 504.                                       OriginCommError
    // So 8 requests: Hit 1, OriginShieldHit 1, Miss 1, Error 2,
    // InvalidRequestMethod 1, OriginConnectError 1, OriginCommError 1; by
    // result type Hit 2, Miss 1, Error 5.
    let s = scenario(&two_regions(SHIELDED_AND_FAULTY), &[]);
    let script: [(f64, &str, Method, &str); 8] = [
        (1.0, "IAD1", Get, "/s/1"),
        (2.0, "DUB1", Get, "/s/1"),
        (3.0, "IAD1", Get, "/s/1"),
        (4.0, "IAD1", Put, "/s/1"),
        (150.0, "IAD1", Get, "/s/2"),
        (151.0, "IAD1", Get, "/s/2"),
        (350.0, "IAD1", Get, "/s/3"),
        (550.0, "IAD1", Get, "/s/4"),
    ];
    let steps: Vec<(SimTime, &str, Method, &str)> =
        script.iter().map(|&(t, edge, m, path)| (SimTime((t * 1e6) as u64), edge, m, path)).collect();
    let catalog = Catalog::build(&s, 1);
    let mut source = Scripted::from_paths(&s, &catalog, &steps).unwrap();
    let mut seen = Detailed::default();
    let report = engine::run_with_observer(&s, 1, catalog, &mut source, &mut seen, &mut |_| {}).unwrap();

    let expected = [
        (200, ResultType::Miss, D::Miss),
        (200, ResultType::Hit, D::OriginShieldHit),
        (200, ResultType::Hit, D::Hit),
        (403, ResultType::Error, D::InvalidRequestMethod),
        (502, ResultType::Error, D::OriginConnectError),
        (502, ResultType::Error, D::Error),
        (503, ResultType::Error, D::Error),
        (504, ResultType::Error, D::OriginCommError),
    ];
    assert_eq!(seen.0, expected);

    let d = &report.metrics.detailed;
    let counts: Vec<(D, u64)> = D::ALL.iter().map(|&t| (t, d.get(t))).filter(|(_, n)| *n > 0).collect();
    assert_eq!(
        counts,
        [
            (D::Hit, 1),
            (D::OriginShieldHit, 1),
            (D::Miss, 1),
            (D::Error, 2),
            (D::InvalidRequestMethod, 1),
            (D::OriginConnectError, 1),
            (D::OriginCommError, 1),
        ]
    );
    let sum = summarize(&report, &s);
    assert_eq!((sum.requests, sum.hits, sum.misses, sum.errors), (8, 2, 1, 5));
    assert_eq!(sum.detailed_result_types["OriginShieldHit"], 1);
    assert_eq!(sum.detailed_result_types.values().sum::<u64>(), 8);

    // result_types.csv: the default behavior's rows, then the same as `all`.
    let rows = cdnsim::report::result_type_rows(&report, &s);
    assert_eq!(rows.len(), 2 * D::ALL.len());
    let row = |behavior: &str, detailed: &str| {
        rows.iter().find(|r| r.behavior == behavior && r.detailed_result_type == detailed).unwrap()
    };
    assert_eq!(
        (row("0", "Error").result_type, row("0", "Error").requests, row("0", "Error").share),
        ("Error", 2, 0.25)
    );
    assert_eq!(row("all", "OriginCommError").requests, 1);
    assert_eq!(row("all", "LambdaExecutionError").requests, 0);
}

#[test]
fn the_access_log_writes_the_engines_detailed_types() {
    // The same first four requests through `--access-log`'s formatter: the
    // log's fields 14, 23 and 29 (x-edge-result-type,
    // x-edge-response-result-type, x-edge-detailed-result-type).
    let s = scenario(&two_regions(SHIELDED_AND_FAULTY), &[]);
    let steps = [
        (SimTime(1_000_000), "IAD1", Get, "/s/1"),
        (SimTime(2_000_000), "DUB1", Get, "/s/1"),
        (SimTime(3_000_000), "IAD1", Get, "/s/1"),
        (SimTime(4_000_000), "IAD1", Put, "/s/1"),
    ];
    let catalog = Catalog::build(&s, 1);
    let mut source = Scripted::from_paths(&s, &catalog, &steps).unwrap();
    struct Lines<'s>(cdnsim::report::access_log::RecordFormatter<'s>, Vec<String>);
    impl RequestObserver for Lines<'_> {
        fn on_finish(&mut self, r: &FinishedRequest<'_>) {
            let mut line = String::new();
            self.0.format(&mut line, self.1.len() as u64, r);
            self.1.push(line);
        }
    }
    let mut lines = Lines(cdnsim::report::access_log::RecordFormatter::new(&s, 1), Vec::new());
    engine::run_with_observer(&s, 1, catalog, &mut source, &mut lines, &mut |_| {}).unwrap();
    let fields = cdnsim::report::access_log::FIELDS;
    let at = |name: &str| fields.iter().position(|f| *f == name).unwrap();
    let logged: Vec<(String, String, String)> = lines
        .1
        .iter()
        .map(|l| {
            let f: Vec<&str> = l.trim_end().split('\t').collect();
            let pick = |name: &str| f[at(name)].to_string();
            (pick("x-edge-result-type"), pick("x-edge-response-result-type"), pick("x-edge-detailed-result-type"))
        })
        .collect();
    let expected = [
        ("Miss", "Miss", "Miss"),
        ("Hit", "Hit", "OriginShieldHit"),
        ("Hit", "Hit", "Hit"),
        ("Error", "Error", "InvalidRequestMethod"),
    ];
    let expected: Vec<(String, String, String)> =
        expected.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect();
    assert_eq!(logged, expected);
}
