//! Custom error responses (`[[distribution.custom_error_responses]]`),
//! worked by hand on `support::TINY` (viewer RTT 10 ms, edge <-> regional
//! 20 ms, regional <-> origin 30 ms, origin 40 ms): an origin answer is back
//! at the regional cache 80 ms after the request left the edge, and at the
//! edge 90 ms after.

use crate::support::*;
use cdnsim::http::Method::Get;

/// TINY with its origin answering 503 to every request from 0 s to 60 s.
fn failing_for_a_minute(extra: &str) -> String {
    format!(
        "{TINY}\n[[faults]]\norigin = \"origin\"\nkind = \"status\"\nstatus = 503\nstart = \"0 s\"\nend = \"60 s\"\n{extra}"
    )
}

/// IAD1 asks for /s/1 once a second, at 0 s, 1 s, ... 59 s: 60 requests.
fn once_a_second() -> Vec<Step<'static>> {
    (0..60).map(|t| (t as f64, "IAD1", Get, "/s/1")).collect()
}

#[test]
fn a_503_with_a_30_s_error_caching_min_ttl_reaches_the_origin_twice_a_minute() {
    // By hand, with 30 s for 503: at 0 s the request misses at IAD1 and at
    // the regional cache, the origin's 503 is back at the regional cache at
    // 0.080 s (kept until 30.080 s) and at the edge at 0.090 s (kept until
    // 30.090 s). 1 s..=30 s are answered by the edge's cached 503
    // (30.000 < 30.090). At 31 s both copies have expired: the origin is
    // asked again, and its 503 is kept until 61.080 s and 61.090 s, past the
    // last request at 59 s. So the origin is asked exactly twice, and the
    // viewer gets 60 errors, 58 of them from the edge's error cache.
    let s = scenario(
        &failing_for_a_minute(
            "[[distribution.custom_error_responses]]\nerror_code = 503\nerror_caching_min_ttl = 30\n",
        ),
        &[],
    );
    let report = run_script(&s, &once_a_second());
    let sum = summarize(&report, &s);
    let m = &report.metrics;
    assert_eq!((sum.requests, sum.errors), (60, 60));
    assert_eq!((m.origins[0].requests, m.origins[0].error_responses), (2, 2));
    assert_eq!(m.caches[0].errors_served, 58);

    // Without the entry every error keeps the distribution-wide 10 s: the
    // origin is asked at 0 s and then whenever the edge's 503 (kept until
    // 10.090 s after each ask) has expired: 11 s, 22 s, 33 s, 44 s, 55 s.
    // Six times; 54 requests are answered from the edge's error cache.
    let s = scenario(&failing_for_a_minute(""), &[]);
    let report = run_script(&s, &once_a_second());
    assert_eq!(report.metrics.origins[0].requests, 6);
    assert_eq!(report.metrics.caches[0].errors_served, 54);

    // An entry for another code changes nothing for 503.
    let s = scenario(
        &failing_for_a_minute("[[distribution.custom_error_responses]]\nerror_code = 404\nerror_caching_min_ttl = 0\n"),
        &[],
    );
    assert_eq!(run_script(&s, &once_a_second()).metrics.origins[0].requests, 6);
}

#[test]
fn an_entry_without_its_own_ttl_takes_the_distribution_wide_one() {
    // distribution.error_caching_min_ttl = 20 and an entry for 503 with no
    // TTL: kept 20 s, so the origin is asked at 0 s, 21 s and 42 s (each
    // 503 kept until 20.090 s after the ask): three times.
    let text = failing_for_a_minute("[[distribution.custom_error_responses]]\nerror_code = 503\n")
        .replace("[distribution]\n", "[distribution]\nerror_caching_min_ttl = 20\n");
    let s = scenario(&text, &[]);
    assert_eq!(s.distribution.custom_error_responses[0].error_caching_min_ttl.as_secs_f64(), 20.0);
    assert_eq!(run_script(&s, &once_a_second()).metrics.origins[0].requests, 3);
}

#[test]
fn bad_custom_error_responses_name_the_field_and_the_fix() {
    let with = |entries: &str| try_scenario(&format!("{TINY}\n{entries}"), &[]).unwrap_err().to_string();
    let e = with("[[distribution.custom_error_responses]]\nerror_code = 429\n");
    assert!(e.starts_with("test.toml:"), "{e}");
    assert!(e.contains("distribution.custom_error_responses[0].error_code"), "{e}");
    assert!(e.contains("no custom error response for status 429"), "{e}");
    assert!(e.contains("400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504"), "{e}");
    let e = with(
        "[[distribution.custom_error_responses]]\nerror_code = 503\n\
         [[distribution.custom_error_responses]]\nerror_code = 503\nerror_caching_min_ttl = 5\n",
    );
    assert!(e.contains("distribution.custom_error_responses[1].error_code"), "{e}");
    assert!(e.contains("already has a custom error response, distribution.custom_error_responses[0]"), "{e}");
    let e = with("[[distribution.custom_error_responses]]\nerror_code = 503\nerror_caching_min_ttl = \"1.5 s\"\n");
    assert!(e.contains("distribution.custom_error_responses[0].error_caching_min_ttl"), "{e}");
    assert!(e.contains("whole number of seconds"), "{e}");
    let e = with("[[distribution.custom_error_responses]]\nerror_caching_min_ttl = 5\n");
    assert!(e.contains("distribution.custom_error_responses[0].error_code") && e.contains("missing"), "{e}");
}
