//! The origin's own `Cache-Control` on its error responses
//! (`[[origins]] error_cache_control`), worked by hand on `support::TINY`
//! (viewer RTT 10 ms, edge <-> regional 20 ms, regional <-> origin 30 ms,
//! origin 40 ms): an origin answer is back at the regional cache 80 ms after
//! the request left the edge, and at the edge 90 ms after. A cache below one
//! that kept the error keeps it as long as what is left above, or the
//! minimum TTL if longer (Developer Guide, "Control how long CloudFront
//! caches errors").

use crate::support::*;
use cdnsim::http::Method::Get;

/// TINY whose origin puts `cache_control` (if any) on its errors, with
/// `fault` on the origin from 0 s to 60 s; `extra` ends the file.
fn failing(cache_control: Option<&str>, fault: &str, extra: &str) -> String {
    let setting = cache_control.map(|c| format!("error_cache_control = \"{c}\"\n")).unwrap_or_default();
    let text = TINY.replacen("latency = \"40 ms\"\n", &format!("latency = \"40 ms\"\n{setting}"), 1);
    format!("{text}\n[[faults]]\norigin = \"origin\"\n{fault}\nstart = \"0 s\"\nend = \"60 s\"\n{extra}")
}

fn status(code: u16) -> String {
    format!("kind = \"status\"\nstatus = {code}")
}

/// IAD1 asks for /s/1 once a second, at 0 s, 1 s, ... 59 s: 60 requests.
fn once_a_second() -> Vec<Step<'static>> {
    (0..60).map(|t| (t as f64, "IAD1", Get, "/s/1")).collect()
}

/// (origin requests, errors IAD1 answered from its error cache, viewer errors).
fn counts(text: &str) -> (u64, u64, u64) {
    let s = scenario(text, &[]);
    let report = run_script(&s, &once_a_second());
    let sum = summarize(&report, &s);
    (report.metrics.origins[0].requests, report.metrics.caches[0].errors_served, sum.errors)
}

#[test]
fn a_403_with_max_age_30_reaches_the_origin_twice_a_minute() {
    // By hand: at 0 s the origin's 403 with max-age=30 is back at the
    // regional cache at 0.080 s, kept there until 0.080 + max(10, 30) =
    // 30.080 s; at the edge at 0.090 s, with 29.990 s left above, kept until
    // 0.090 + max(10, 29.990) = 30.080 s. 1 s..=30 s are answered by the
    // edge's cached 403. At 31 s both have expired: the origin is asked
    // again, and its 403 is kept until 61.080 s, past the last request. So
    // 2 origin requests and 58 answers from the edge's error cache.
    assert_eq!(counts(&failing(Some("max-age=30"), &status(403), "")), (2, 58, 60));
    // s-maxage does the same.
    assert_eq!(counts(&failing(Some("s-maxage=30"), &status(403), "")), (2, 58, 60));
    // Without the header CloudFront never caches a 403: all 60 go to the origin.
    assert_eq!(counts(&failing(None, &status(403), "")), (60, 0, 60));
    // Nor with only directives that say nothing of a lifetime.
    assert_eq!(counts(&failing(Some("no-store"), &status(403), "")), (60, 0, 60));
}

#[test]
fn a_503_with_max_age_60_outlasts_the_10_s_minimum() {
    // The Guide: the greater of max-age and the error caching minimum TTL.
    // max-age=60 against the default 10 s: the 503 at 0 s is kept until
    // 60.080 s at both tiers, so 1 s..=59 s are all answered from the edge:
    // 1 origin request, 59 from the error cache.
    assert_eq!(counts(&failing(Some("max-age=60"), &status(503), "")), (1, 59, 60));
    // max-age=5 is shorter than the minimum: 10 s as without the header,
    // asked at 0, 11, 22, 33, 44 and 55 s (each 503 kept until 10.090 s
    // after the ask at the edge): 6 origin requests, 54 from the cache.
    assert_eq!(counts(&failing(Some("max-age=5"), &status(503), "")), (6, 54, 60));
    assert_eq!(counts(&failing(None, &status(503), "")), (6, 54, 60));
    // A minimum TTL of 90 s for 503 beats max-age=60: still asked once.
    let entry = "[[distribution.custom_error_responses]]\nerror_code = 503\nerror_caching_min_ttl = 90\n";
    assert_eq!(counts(&failing(Some("max-age=60"), &status(503), entry)), (1, 59, 60));
}

#[test]
fn no_store_on_a_404_stops_it_being_cached_but_not_a_503() {
    // no-store on a 404 (one of 404, 410, 414, 501): never cached, so all 60
    // requests go to the origin; without it a 404 is kept 10 s (6 asks).
    assert_eq!(counts(&failing(Some("no-store"), &status(404), "")), (60, 0, 60));
    assert_eq!(counts(&failing(Some("private, max-age=60"), &status(404), "")), (60, 0, 60));
    assert_eq!(counts(&failing(None, &status(404), "")), (6, 54, 60));
    // On a 503 no-store is ignored: the minimum TTL applies.
    assert_eq!(counts(&failing(Some("no-store"), &status(503), "")), (6, 54, 60));
}

#[test]
fn errors_cloudfront_makes_itself_carry_no_origin_headers() {
    // Connections refused ("down") with one attempt: CloudFront's own 502
    // reaches the edge well within a second of each ask, and is kept the
    // 10 s minimum only, max-age=60 or not: asked at 0, 11, 22, 33, 44 and
    // 55 s, 54 answers from the edge's error cache. (Were the origin's
    // max-age applied, it would be asked once.)
    let one_attempt = "kind = \"down\"";
    let with = failing(Some("max-age=60"), one_attempt, "")
        .replace("latency = \"40 ms\"\n", "latency = \"40 ms\"\nconnection_attempts = 1\n");
    let without = failing(None, one_attempt, "")
        .replace("latency = \"40 ms\"\n", "latency = \"40 ms\"\nconnection_attempts = 1\n");
    let (with, without) = (counts(&with), counts(&without));
    assert_eq!(with.1, 54);
    assert_eq!(with, without);
}

#[test]
fn the_403_of_the_origins_header_check_is_its_own_answer() {
    // The origin checks a secret header CloudFront does not send: it answers
    // 403 at once, with its max-age=30. As for the fault's 403 above: the
    // error is kept 30 s, so the origin answers at 0 s and 31 s and the edge
    // answers the other 58 from its error cache.
    let text = TINY.replacen(
        "latency = \"40 ms\"\n",
        "latency = \"40 ms\"\nerror_cache_control = \"max-age=30\"\n\
         require_header = { name = \"X-Origin-Verify\", values = [\"s3cr3t\"] }\n",
        1,
    );
    let s = scenario(&text, &[]);
    let report = run_script(&s, &once_a_second());
    assert_eq!(summarize(&report, &s).errors, 60);
    assert_eq!(report.metrics.caches[0].errors_served, 58);
}

#[test]
fn a_lower_tier_keeps_what_is_left_of_the_error_above() {
    // IAD1 at 0 s: the 403 (max-age=30) is kept at the regional cache until
    // 30.080 s. IAD2 at 5 s misses its edge, and the regional cache answers
    // from its cached 403 (back at IAD2 at 5.020 s): 25.060 s are left, so
    // IAD2 keeps it until 5.020 + max(10, 25.060) = 30.080 s, not 35.020 s.
    // IAD2 at 25 s: answered by its own cached 403. IAD2 at 31 s: expired at
    // both tiers, the origin is asked a second time.
    let s = scenario(&failing(Some("max-age=30"), &status(403), ""), &[]);
    let steps: Vec<Step> = vec![
        (0.0, "IAD1", Get, "/s/1"),
        (5.0, "IAD2", Get, "/s/1"),
        (25.0, "IAD2", Get, "/s/1"),
        (31.0, "IAD2", Get, "/s/1"),
    ];
    let report = run_script(&s, &steps);
    let m = &report.metrics;
    assert_eq!(m.origins[0].requests, 2);
    // IAD2's edge answered once (25 s); the regional cache once (5 s).
    assert_eq!(m.caches[1].errors_served, 1);
    assert_eq!(m.caches.iter().map(|c| c.errors_served).sum::<u64>(), 2);
}

/// TINY's own traffic against an origin that answers 403 (max-age=30) to
/// half its requests and 503 (no-store, ignored on a 503) to a tenth of the rest.
fn with_its_own_traffic() -> String {
    let text = failing(Some("max-age=30, no-store"), "kind = \"status\"\nstatus = 403\nfraction = 0.5", "");
    format!(
        "{text}\n[[faults]]\norigin = \"origin\"\nkind = \"status\"\nstatus = 503\nfraction = 0.1\nstart = \"0 s\"\nend = \"60 s\"\n"
    )
}

#[test]
fn the_setting_gives_the_same_bytes_for_the_same_seed() {
    let s = scenario(&with_its_own_traffic(), &["simulation.requests=20000", "traffic.rate=2000"]);
    assert!(
        s.describe().contains("origin origin errors carry Cache-Control: no-store, max-age=30 (kept for the longer")
    );
    assert!(!scenario(&failing(None, &status(403), ""), &[]).describe().contains("errors carry Cache-Control"));
    let files = |seed| cdnsim::report::result_files(&run(&s, seed), &s).unwrap();
    let first = files(7);
    assert_eq!(first, files(7));
    assert_ne!(first, files(8));
    // The setting is read: without it the same traffic gives other numbers.
    let plain = scenario(
        &with_its_own_traffic().replace("error_cache_control = \"max-age=30, no-store\"\n", ""),
        &["simulation.requests=20000", "traffic.rate=2000"],
    );
    assert_ne!(first, cdnsim::report::result_files(&run(&plain, 7), &plain).unwrap());
}

#[test]
fn a_sweep_with_the_setting_gives_the_same_bytes_whatever_the_jobs() {
    let dir = temp_dir("origin-error-headers-sweep");
    let path = dir.join("errors.toml");
    std::fs::write(&path, with_its_own_traffic()).unwrap();
    let args = ["--requests", "2000", "--vary", "traffic.zipf_alpha=0.6:1.0:0.2", "--replicates", "2"];
    let (one, four) = sweep_at_jobs_1_and_4(&dir, path.to_str().unwrap(), &args);
    let read = |out: &std::path::Path| std::fs::read(out.join("sweep.csv")).unwrap();
    assert!(read(&one) == read(&four), "sweep.csv differs between --jobs 1 and --jobs 4");
}

#[test]
fn an_unparsable_error_cache_control_names_the_file_field_and_fix() {
    let text =
        TINY.replacen("latency = \"40 ms\"\n", "latency = \"40 ms\"\nerror_cache_control = \"max-age=soon\"\n", 1);
    let e = try_scenario(&text, &[]).unwrap_err().to_string();
    assert!(e.starts_with("test.toml:"), "{e}");
    // The line after the origin's `latency`, where the setting was put.
    let line = TINY[..TINY.find("latency = \"40 ms\"").unwrap()].lines().count() + 2;
    assert!(e.starts_with(&format!("test.toml:{line}:1:")), "{e}");
    assert!(e.contains("origins[0].error_cache_control"), "{e}");
    assert!(e.contains("`max-age=soon` is not a whole number of seconds"), "{e}");
    assert!(e.contains("e.g. \"max-age=60\""), "{e}");
}
