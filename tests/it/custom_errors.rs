//! Custom error responses (`[[distribution.custom_error_responses]]`),
//! worked by hand on `support::TINY` (viewer RTT 10 ms, edge <-> regional
//! 20 ms, regional <-> origin 30 ms, origin 40 ms): an origin answer is back
//! at the regional cache 80 ms after the request left the edge, and at the
//! edge 90 ms after.

use crate::support::*;
use cdnsim::http::Method::Get;
use cdnsim::metrics::DetailedResultType;

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

/// TINY plus an origin of its own for error pages ("pages", 30 ms from
/// us-east-1 and 40 ms to answer, as "origin") behind `/errors/*`, and
/// `fault` (the fault's kind and settings) on "origin" from 0 s to 60 s; `entries` are the custom error
/// responses.
fn with_pages_origin(fault: &str, entries: &str) -> String {
    format!(
        "{TINY}
[[topology.links]]
from = \"us-east-1\"
to = \"pages\"
rtt = \"30 ms\"
[[origins]]
name = \"pages\"
region = \"us-east-1\"
latency = \"40 ms\"
[[distribution.behaviors]]
path_pattern = \"/errors/*\"
origin = \"pages\"
[[faults]]
origin = \"origin\"
{fault}
start = \"0 s\"
end = \"60 s\"
{entries}"
    )
}

/// IAD1 asks for `/s/0` at 0 s, `/s/1` at 1 s, ... `/s/{n-1}`: a new object
/// each second, so no viewer request meets another's cached error.
fn new_object_each_second(n: usize) -> Vec<(f64, &'static str, cdnsim::http::Method, String)> {
    (0..n).map(|t| (t as f64, "IAD1", Get, format!("/s/{t}"))).collect()
}

fn run_paths(
    s: &cdnsim::scenario::Scenario,
    steps: &[(f64, &'static str, cdnsim::http::Method, String)],
) -> cdnsim::engine::Report {
    let steps: Vec<Step> = steps.iter().map(|(t, edge, m, p)| (*t, *edge, *m, p.as_str())).collect();
    run_script(s, &steps)
}

const PAGES: usize = 1; // origin index of "pages"

#[test]
fn a_404_page_on_its_own_origin_is_fetched_once_and_then_served_from_the_edge() {
    // Every request gets a 404 from "origin"; 404 has the page
    // /errors/404.html (1024 bytes by default), answered with 200. By hand:
    // at 0 s /s/0 misses at IAD1 and the regional cache; the 404 is back at
    // the edge at 0.090 s. The page fetch starts there: it misses at the
    // edge and at the regional cache (0.100 s), reaches "pages" at 0.115 s,
    // which answers at 0.155 s; back at the regional cache at 0.170 s and at
    // the edge at 0.180 s, where both store it (the /errors/* behavior's
    // default TTL, one day). The viewer gets the page with 200 at 0.180 s:
    // 180 + 10 ms of viewer round trip = 190 ms. Each later request's 404 is
    // at the edge 90 ms after it arrived and finds the page there: 100 ms.
    // So "pages" is asked once, "origin" 60 times (a new object each
    // second, each 404 cached under its own key), 60 page fetches, 60 pages
    // served, all 60 logged Error with status 200.
    let s = scenario(
        &with_pages_origin(
            "kind = \"status\"\nstatus = 404",
            "[[distribution.custom_error_responses]]\nerror_code = 404\n\
             response_page_path = \"/errors/404.html\"\nresponse_code = 200\n",
        ),
        &[],
    );
    let report = run_paths(&s, &new_object_each_second(60));
    let sum = summarize(&report, &s);
    let m = &report.metrics;
    assert_eq!((sum.requests, sum.errors, sum.errors_4xx, sum.errors_5xx), (60, 60, 0, 0));
    assert_eq!((m.origins[0].requests, m.origins[PAGES].requests), (60, 1));
    let errors = m.errors.as_ref().expect("the run counts errors");
    let total = errors.total();
    assert_eq!((total.from_origin, total.to_viewers), (60, 60));
    assert_eq!((total.page_fetches, total.pages_served, total.page_failures), (60, 60, 0));
    assert_eq!(errors.pages_below_400(), 60);
    // The viewers got the page's 1024 bytes each.
    assert_eq!(m.bytes_requested, 60 * 1024);
    assert_eq!(m.latency_max_us, 190_000);
    assert_eq!(sum.latency_ms.mean, (190.0 + 59.0 * 100.0) / 60.0);
    // The edge looked the page up 60 times: one miss, then 59 hits.
    assert_eq!(m.caches[0].hits, 59);
    let row = cdnsim::report::error_rows(&report, &s).into_iter().find(|r| r.status == 404).unwrap();
    assert_eq!((row.page_fetches, row.pages_served, row.response_code), (60, 60, Some(200)));
}

#[test]
fn a_page_on_the_origin_that_is_down_fails_with_its_own_error() {
    // "origin" refuses every connection (kind "down") from 0 s to 60 s, so
    // each viewer gets a 502; the 502 page is /502.html, which matches the
    // default behavior: the same origin. By hand: at 0 s the page fetch
    // meets the same refusals, its 502 is cached (always, for the default
    // 10 s) under the page's key at the regional cache and the edge, and
    // the viewer gets that 502 (the Guide: the status CloudFront got from
    // the page's origin). At 1 s to 4 s the page fetch finds the cached 502
    // at the edge: 4 more failures without a trip. "origin" is asked 5
    // times for the objects and once for the page.
    // (The 500 entry, never used, keeps /errors/* reached: the loader
    // refuses a behavior no path reaches.)
    let entries = "[[distribution.custom_error_responses]]\nerror_code = 502\n\
                   response_page_path = \"/502.html\"\nresponse_code = 200\n\
                   [[distribution.custom_error_responses]]\nerror_code = 500\n\
                   response_page_path = \"/errors/500.html\"\n";
    let s = scenario(&with_pages_origin("kind = \"down\"", entries), &[]);
    let report = run_paths(&s, &new_object_each_second(5));
    let sum = summarize(&report, &s);
    let m = &report.metrics;
    assert_eq!((sum.requests, sum.errors_5xx), (5, 5));
    assert_eq!((m.origins[0].requests, m.origins[PAGES].requests), (6, 0));
    let c = *m.errors.clone().unwrap().code(502);
    assert_eq!((c.to_viewers, c.page_fetches, c.pages_served, c.page_failures), (5, 5, 0, 5));
    assert_eq!((c.from_origin, c.from_cache), (6, 4));
    // Each viewer's 502 is logged with its cause, the refused connection
    // (the page's own fetch met the same), not the generic Error.
    let refused = m.detailed.get(DetailedResultType::OriginConnectError);
    assert_eq!(refused, 5);

    // The same page kept on "pages" (the Guide's advice): served every time,
    // fetched from "pages" once.
    let entries = entries.replace("/502.html", "/errors/502.html");
    let s = scenario(&with_pages_origin("kind = \"down\"", &entries), &[]);
    let report = run_paths(&s, &new_object_each_second(5));
    let sum = summarize(&report, &s);
    assert_eq!((sum.errors, sum.errors_5xx), (5, 0));
    assert_eq!(report.metrics.origins[PAGES].requests, 1);
    let c = *report.metrics.errors.clone().unwrap().code(502);
    assert_eq!((c.page_fetches, c.pages_served, c.page_failures), (5, 5, 0));
    // Served with 200, each page is logged Error, in detail the generic Error.
    assert_eq!(report.metrics.detailed.get(DetailedResultType::Error), 5);
}

#[test]
fn without_a_response_code_the_page_keeps_the_error_status() {
    // As the first example but with no response_code: the viewers get the
    // page with the 404 itself. cdnsim counts no body bytes for an error
    // status (as for every error), so bytes to viewers stay 0.
    let s = scenario(
        &with_pages_origin(
            "kind = \"status\"\nstatus = 404",
            "[[distribution.custom_error_responses]]\nerror_code = 404\nresponse_page_path = \"/errors/404.html\"\n",
        ),
        &[],
    );
    let report = run_paths(&s, &new_object_each_second(3));
    let sum = summarize(&report, &s);
    assert_eq!((sum.errors, sum.errors_4xx, report.metrics.bytes_requested), (3, 3, 0));
    let errors = report.metrics.errors.as_ref().unwrap();
    assert_eq!((errors.total().pages_served, errors.pages_below_400()), (3, 0));
}

#[test]
fn a_page_that_is_a_class_object_shares_its_key_with_the_viewers_copies() {
    // The page is /s/99, an object of the "static" class (1000 bytes) on
    // "origin", which answers 404 until 100 ms. The viewer's request for
    // /s/1 reaches it at 25 ms: 404. The page fetch leaves the edge at
    // 90 ms and reaches "origin" at 115 ms, past the fault: it gets /s/99,
    // stored at the edge under the class's max-age=300 as the edge's copy
    // of /s/99, and a viewer asking for /s/99 at 5 s hits it.
    let entries = "[[distribution.custom_error_responses]]\nerror_code = 404\n\
                   response_page_path = \"/s/99\"\nresponse_code = 200\n\
                   [[distribution.custom_error_responses]]\nerror_code = 500\n\
                   response_page_path = \"/errors/500.html\"\n";
    let text =
        with_pages_origin("kind = \"status\"\nstatus = 404", entries).replace("end = \"60 s\"", "end = \"100 ms\"");
    let s = scenario(&text, &["traffic.classes[0].cache_control=\"max-age=300\""]);
    let report = run_paths(&s, &[(0.0, "IAD1", Get, "/s/1".to_string()), (5.0, "IAD1", Get, "/s/99".to_string())]);
    let sum = summarize(&report, &s);
    assert_eq!((sum.requests, sum.errors, sum.hits), (2, 1, 1));
    assert_eq!(report.metrics.bytes_requested, 2 * 1000);
}

#[test]
fn bad_custom_error_pages_name_the_field_and_the_fix() {
    let with = |entries: &str| try_scenario(&format!("{TINY}\n{entries}"), &[]).unwrap_err().to_string();
    let e = with("[[distribution.custom_error_responses]]\nerror_code = 503\nresponse_code = 200\n");
    assert!(e.contains("distribution.custom_error_responses[0].response_code"), "{e}");
    assert!(e.contains("no response_page_path"), "{e}");
    let e = with(
        "[[distribution.custom_error_responses]]\nerror_code = 503\nresponse_page_path = \"/e.html\"\nresponse_code = 302\n",
    );
    assert!(e.contains("cannot answer a custom error page with status 302"), "{e}");
    let e = with("[[distribution.custom_error_responses]]\nerror_code = 503\nresponse_page_path = \"e.html\"\n");
    assert!(e.contains("response_page_path") && e.contains("does not start with '/'"), "{e}");
    let e = with("[[distribution.custom_error_responses]]\nerror_code = 503\nresponse_page_path = \"/e.html?v=1\"\n");
    assert!(e.contains("a page path is a path alone"), "{e}");
    let e = with("[[distribution.custom_error_responses]]\nerror_code = 503\nresponse_page_bytes = \"1 KiB\"\n");
    assert!(e.contains("response_page_bytes") && e.contains("no response_page_path"), "{e}");
}

/// Synthetic traffic with an origin failing a third of the time, custom
/// pages for 503 (on its own origin) and 404 (on the failing one): the run
/// adds up (the engine checks every identity) and repeats byte for byte.
#[test]
fn runs_with_custom_error_pages_repeat_byte_for_byte() {
    let entries = "[[distribution.custom_error_responses]]\nerror_code = 503\nresponse_page_path = \"/errors/503.html\"\n\
                   response_code = 200\nerror_caching_min_ttl = 2\n\
                   [[distribution.custom_error_responses]]\nerror_code = 404\nresponse_page_path = \"/404.html\"\n";
    let text = with_pages_origin("kind = \"status\"\nstatus = 503\nfraction = 0.3", entries)
        + "[[faults]]\norigin = \"origin\"\nkind = \"status\"\nstatus = 404\nfraction = 0.2\nstart = \"2 s\"\nend = \"8 s\"\n";
    let s = scenario(&text, &["simulation.requests=3000"]);
    let a = run(&s, 7);
    let b = run(&s, 7);
    let files = |r: &cdnsim::engine::Report| cdnsim::report::error_rows(r, &s);
    assert_eq!(files(&a), files(&b));
    assert_eq!(summarize(&a, &s), summarize(&b, &s));
    let total = a.metrics.errors.as_ref().unwrap().total();
    assert!(total.page_fetches > 0 && total.pages_served > 0, "{total:?}");
}

/// The CLI end to end: `run` writes errors.csv and the summary line, the
/// same bytes on a second run; a sweep varying a code's minimum TTL gives
/// the same bytes with `--jobs 1` and `--jobs 4`.
#[test]
fn the_cli_writes_errors_csv_and_sweeps_repeat_at_any_jobs() {
    let dir = temp_dir("custom-errors-cli");
    let entries = "[[distribution.custom_error_responses]]\nerror_code = 503\nresponse_page_path = \"/errors/503.html\"\n\
                   response_code = 200\nerror_caching_min_ttl = 5\n";
    let text = with_pages_origin("kind = \"status\"\nstatus = 503\nfraction = 0.5", entries);
    let scenario = dir.join("pages.toml");
    std::fs::write(&scenario, text).unwrap();
    let scenario = scenario.to_str().unwrap();
    let out = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let run = |name: &str| {
        let (code, stdout, stderr) =
            cdnsim(&["run", scenario, "--requests", "2000", "--no-progress", "--out", &out(name)]);
        assert_eq!(code, 0, "{stderr}");
        (stdout, std::fs::read(dir.join(name).join("errors.csv")).unwrap())
    };
    let (stdout, first) = run("a");
    assert!(stdout.contains("custom errors") && stdout.contains("custom pages:"), "{stdout}");
    let csv = String::from_utf8(first.clone()).unwrap();
    assert!(csv.starts_with("status,configured,error_caching_min_ttl_s,response_page_path,response_code,"), "{csv}");
    assert!(csv.contains("\n503,true,5.0,/errors/503.html,200,"), "{csv}");
    assert_eq!(run("b").1, first);
    // The access log has the page's answers as CloudFront logs them: status
    // 200, x-edge-result-type and x-edge-detailed-result-type Error, and
    // the page's 1024 bytes as sc-content-len.
    let logs = out("logs");
    let args = ["run", scenario, "--requests", "500", "--no-progress", "--out", &out("c"), "--access-log", &logs];
    let (code, _, stderr) = cdnsim(&[&args[..], &["--access-log-plain"]].concat());
    assert_eq!(code, 0, "{stderr}");
    let log = std::fs::read_dir(&logs)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect::<String>();
    let page_answer = |line: &&str| {
        let f: Vec<&str> = line.split('\t').collect();
        f.len() > 30 && f[8] == "200" && f[13] == "Error" && f[28] == "Error" && f[30] == "1024"
    };
    assert!(log.lines().any(|l| page_answer(&l)), "no page answer in the log:\n{log}");
    let vary = "distribution.custom_error_responses[0].error_caching_min_ttl=1,5,30";
    let (one, four) = sweep_at_jobs_1_and_4(&dir, scenario, &["--requests", "1000", "--vary", vary]);
    let read = |out: &std::path::Path| std::fs::read(out.join("sweep.csv")).unwrap();
    assert_eq!(read(&one), read(&four));
}
