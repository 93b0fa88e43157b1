//! `[[invalidations]]`: worked example, errors, determinism.

use crate::support::*;
use cdnsim::http::Method::Get;

/// Two Regions, one edge location each (IAD1 -> us-east-1's regional edge
/// cache, DUB1 -> eu-west-1's), caches large enough to evict nothing, and
/// two classes cached for an hour: `/img/{id}` (2 objects) and `/css/{id}`
/// (1 object). `tail` adds the invalidations.
fn img_and_css(tail: &str) -> String {
    format!(
        r#"
[simulation]
requests = 10
[[topology.regional_caches]]
region = "us-east-1"
[[topology.regional_caches]]
region = "eu-west-1"
[[topology.edges]]
name = "IAD1"
regional_cache = "us-east-1"
viewer_rtt = "10 ms"
regional_rtt = "20 ms"
[[topology.edges]]
name = "DUB1"
regional_cache = "eu-west-1"
viewer_rtt = "10 ms"
regional_rtt = "20 ms"
[[topology.links]]
from = "us-east-1"
to = "eu-west-1"
rtt = "80 ms"
[[topology.links]]
from = "us-east-1"
to = "origin"
rtt = "30 ms"
[[origins]]
name = "origin"
region = "us-east-1"
latency = "40 ms"
[distribution.default_behavior]
origin = "origin"
[traffic]
rate = 1
[[traffic.classes]]
name = "img"
share = 0.5
objects = 2
path = "/img/{{id}}"
size = "1000 B"
cache_control = "max-age=3600"
[[traffic.classes]]
name = "css"
share = 0.5
objects = 1
path = "/css/{{id}}"
size = "1000 B"
cache_control = "max-age=3600"
{tail}
"#
    )
}

const IMG_AT_100: &str = "[[invalidations]]\nat = \"100 s\"\npaths = [\"/img/*\"]\npropagation = \"5 s\"";

/// Each edge asks for all three objects at `t` seconds.
fn all_three(t: f64) -> Vec<Step<'static>> {
    let mut steps = Vec::new();
    for edge in ["IAD1", "DUB1"] {
        for path in ["/img/0", "/img/1", "/css/0"] {
            steps.push((t, edge, Get, path));
        }
    }
    steps
}

#[test]
fn an_img_wildcard_invalidation_makes_each_img_object_miss_once_at_each_location() {
    // t = 10 s: both edges ask for /img/0, /img/1, /css/0. Everything
    // misses: 6 edge misses, 6 regional misses (each REC is asked by its own
    // edge), 6 origin requests. Every cache now holds its three objects.
    // t = 102 s: both edges ask for /img/0: the invalidation (submitted at
    // 100 s) reaches each cache at 100 + 5 = 105 s, so these are 2 edge hits.
    // 105 s: each of the 4 caches drops its 2 /img/ objects: 4 removed at
    // the edges, 4 at the RECs; /css/0 stays everywhere.
    // t = 110 s: the three objects again at both edges: the 4 /img/ requests
    // miss at the edge, miss at the REC and go to the origin (4 more origin
    // requests, 10 in all); the 2 /css/0 requests hit at the edge.
    // t = 120 s: all 6 hit at the edge: each /img/ object missed once per
    // location, and nothing else did.
    let s = scenario(&img_and_css(IMG_AT_100), &[]);
    let mut steps = all_three(10.0);
    steps.push((102.0, "IAD1", Get, "/img/0"));
    steps.push((102.0, "DUB1", Get, "/img/0"));
    steps.extend(all_three(110.0));
    steps.extend(all_three(120.0));
    let report = run_script(&s, &steps);
    let m = &report.metrics;
    let (iad, dub, rec_us, rec_eu) = (&m.caches[0], &m.caches[1], &m.caches[2], &m.caches[3]);
    // Edge lookups: 3 + 1 + 3 + 3 = 10 each; misses 3 (t=10) + 2 (t=110).
    for edge in [iad, dub] {
        assert_eq!((edge.lookups, edge.misses, edge.hits), (10, 5, 5));
    }
    // Each REC: 3 misses at t=10, 2 at t=110, no hit.
    for rec in [rec_us, rec_eu] {
        assert_eq!((rec.lookups, rec.misses, rec.hits), (5, 5, 0));
    }
    assert_eq!(m.origins[0].requests, 10);
    let inv = m.invalidations.as_ref().expect("the scenario has invalidations");
    assert_eq!(inv.paths, vec![1]);
    assert_eq!(inv.reached, vec![[2, 2]]);
    assert_eq!(inv.removed, vec![[4, 4]]);
    // Every cache got it 5 s after its submission: the window is 5 s.
    let five = cdnsim::time::SimDuration::from_secs(5);
    assert_eq!(inv.window, vec![[five, five]]);
    assert_eq!(summarize(&report, &s).invalidations.unwrap().longest_window_s, 5.0);
}

#[test]
fn without_the_invalidation_the_same_requests_miss_only_the_first_time() {
    // The control: no invalidation, so t = 110 s and 120 s are all hits
    // (6 edge misses at t=10 and nothing else), and no counters appear.
    let s = scenario(&img_and_css(""), &[]);
    let mut steps = all_three(10.0);
    steps.extend(all_three(110.0));
    let report = run_script(&s, &steps);
    assert_eq!(report.metrics.origins[0].requests, 6);
    assert_eq!(report.metrics.caches[0].misses, 3);
    assert!(report.metrics.invalidations.is_none());
}

#[test]
fn an_exact_path_removes_that_object_only_and_before_arrival_nothing_changes() {
    // /img/1 only, reaching each cache at 100 + 5 = 105 s. A request at
    // 104 s still hits; at 106 s /img/1 misses at both tiers of IAD1's route
    // (one origin request: 3 at t=10 for IAD1's objects + 1), /img/0 hits.
    let tail = "[[invalidations]]\nat = \"100 s\"\npaths = [\"/img/1\"]\npropagation = \"5 s\"";
    let s = scenario(&img_and_css(tail), &[]);
    let steps: Vec<Step> = vec![
        (10.0, "IAD1", Get, "/img/0"),
        (10.0, "IAD1", Get, "/img/1"),
        (10.0, "IAD1", Get, "/css/0"),
        (104.0, "IAD1", Get, "/img/1"),
        (106.0, "IAD1", Get, "/img/1"),
        (106.0, "IAD1", Get, "/img/0"),
    ];
    let report = run_script(&s, &steps);
    assert_eq!(report.metrics.origins[0].requests, 4);
    assert_eq!(report.metrics.caches[0].misses, 4);
    assert_eq!(report.metrics.caches[0].hits, 2);
    // IAD1 and us-east-1's REC held /img/1; DUB1 and eu-west-1's held nothing.
    assert_eq!(report.metrics.invalidations.as_ref().unwrap().removed, vec![[1, 1]]);
}

#[test]
fn bad_invalidations_are_refused_with_the_field_and_the_fix() {
    let refused = |tail: &str| try_scenario(&img_and_css(tail), &[]).unwrap_err().to_string();
    let e = refused("[[invalidations]]\nat = \"1 s\"\npaths = [\"img/*\"]");
    assert!(e.contains("invalidations[0].paths[0]") && e.contains("start with `/`"), "{e}");
    let e = refused("[[invalidations]]\nat = \"1 s\"\npaths = [\"/img/*.jpg\"]");
    assert!(e.contains("last character"), "{e}");
    let e = refused("[[invalidations]]\nat = \"1 s\"\npaths = []");
    assert!(e.contains("invalidations[0].paths") && e.contains("no paths"), "{e}");
    let sixteen: Vec<String> = (0..16).map(|i| format!("\"/d{i}/*\"")).collect();
    let e = refused(&format!("[[invalidations]]\nat = \"1 s\"\npaths = [{}]", sixteen.join(", ")));
    assert!(e.contains("at most 15"), "{e}");
}

#[test]
fn same_seed_same_invalidation_delays_and_results() {
    // Default propagation (5 to 60 s, drawn per cache): two runs of the
    // scenario's own traffic agree in every counter.
    let tail = "[[invalidations]]\nat = \"3 s\"\npaths = [\"/img/*\", \"/css/0\"]";
    let s = scenario(&img_and_css(tail), &["simulation.requests=200", "traffic.rate=10"]);
    let (a, b) = (run(&s, 7), run(&s, 7));
    assert_eq!(a.metrics.invalidations, b.metrics.invalidations);
    assert_eq!(format!("{:?}", a.metrics.caches), format!("{:?}", b.metrics.caches));
    assert_eq!(a.end, b.end);
}

#[test]
fn the_summary_and_the_csv_count_paths_billed_and_objects_removed() {
    // Two invalidations at 100 s: 1,200 file paths (/x/0 .. /x/1199, which
    // match no object) and `/*` (one path, however many files it matches).
    // Paths: 1,200 + 1 = 1,201; billed past the free 1,000: 201. After one
    // request per edge for /img/0 at t=10 s, `/*` removes 1 object at each
    // of the 2 edges and 1 at each of the 2 RECs (their own copies); the
    // file paths remove nothing.
    let files: Vec<String> = (0..1_200).map(|i| format!("\"/x/{i}\"")).collect();
    let tail = format!(
        "[[invalidations]]\nat = \"100 s\"\npaths = [{}]\npropagation = \"5 s\"\n\
         [[invalidations]]\nat = \"100 s\"\npaths = [\"/*\"]\npropagation = \"5 s\"",
        files.join(", ")
    );
    let s = scenario(&img_and_css(&tail), &[]);
    let report = run_script(&s, &[(10.0, "IAD1", Get, "/img/0"), (10.0, "DUB1", Get, "/img/0")]);
    let summary = summarize(&report, &s).invalidations.expect("the scenario has invalidations");
    assert_eq!((summary.invalidations, summary.paths, summary.paths_billed), (2, 1_201, 201));
    assert_eq!((summary.objects_removed_edge, summary.objects_removed_regional), (2, 2));
    assert_eq!(summary.longest_window_s, 5.0);
    let rows = cdnsim::report::invalidation_rows(&report, &s);
    let removed: Vec<(usize, &str, u64, u64)> =
        rows.iter().map(|r| (r.invalidation, r.tier, r.caches_reached, r.objects_removed)).collect();
    assert_eq!(removed, vec![(0, "edge", 2, 0), (0, "regional", 2, 0), (1, "edge", 2, 2), (1, "regional", 2, 2)]);
    let names = |s: &cdnsim::scenario::Scenario, r| {
        cdnsim::report::result_files(r, s).unwrap().into_iter().map(|(n, _)| n).collect::<Vec<_>>()
    };
    assert!(names(&s, &report).contains(&"invalidations.csv"));
    let plain = scenario(&img_and_css(""), &[]);
    let plain_report = run_script(&plain, &[(10.0, "IAD1", Get, "/img/0")]);
    assert!(!names(&plain, &plain_report).contains(&"invalidations.csv"));
    assert!(summarize(&plain_report, &plain).invalidations.is_none());
}

/// The same scenario file and seed write the same bytes, and a sweep gives
/// the same sweep.csv at `--jobs 1` and `--jobs 4`.
#[test]
fn runs_and_sweeps_with_invalidations_are_deterministic() {
    let dir = temp_dir("invalidations-determinism");
    let file = dir.join("inv.toml");
    let tail = "[[invalidations]]\nat = \"20 s\"\npaths = [\"/img/*\"]\n\
                [[invalidations]]\nat = \"40 s\"\npaths = [\"/css/0\", \"/img/1\"]";
    std::fs::write(&file, img_and_css(tail)).unwrap();
    let file = file.to_str().unwrap().to_string();
    let run_to = |name: &str| {
        let out = dir.join(name);
        let args = ["run", &file, "--requests", "600", "--seed", "3", "--no-progress", "--out", out.to_str().unwrap()];
        let (code, _, stderr) = cdnsim(&args);
        assert_eq!(code, 0, "{stderr}");
        folder_files(&out)
    };
    let (a, b) = (run_to("a"), run_to("b"));
    assert!(a.iter().any(|(name, _)| name == "invalidations.csv"));
    assert!(a == b, "two runs with the same seed wrote different files");
    let args = ["--requests", "400", "--vary", "traffic.rate=5:15:5", "--replicates", "2"];
    let (one, four) = sweep_at_jobs_1_and_4(&dir, &file, &args);
    let read = |out: &std::path::Path| std::fs::read(out.join("sweep.csv")).unwrap();
    let (one, four) = (read(&one), read(&four));
    assert_eq!(String::from_utf8(one.clone()).unwrap().lines().count(), 1 + 3 * 2, "3 points, 2 replicates");
    assert!(one == four, "sweep.csv differs between --jobs 1 and --jobs 4");
}

#[test]
fn validate_lists_the_invalidations() {
    let (code, stdout, stderr) = cdnsim(&["validate", "scenarios/lessons/invalidate-or-version.toml"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("invalidation at 60 s: /static/* (reaches each cache"), "{stdout}");
}
