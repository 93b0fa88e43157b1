//! Bad input: one clear message naming the file, the field, its line and
//! column, and the fix; exit status 2 from the binary; never a panic.

use crate::support::*;

/// The 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle:?} not in the text")) + 1
}

/// Loads `text`, expects an error, and checks its parts.
fn expect_error(text: &str, field: &str, line_needle: &str, problem: &str) -> String {
    let err = try_scenario(text, &[]).expect_err("the scenario should be refused");
    let message = err.to_string();
    let e = err.field_error().expect("a field error");
    assert_eq!(e.field, field, "{message}");
    assert_eq!(e.position.map(|p| p.0), Some(line_of(text, line_needle)), "{message}");
    assert!(message.contains(problem), "{message:?} should mention {problem:?}");
    assert!(message.starts_with("test.toml:"), "{message}");
    assert!(message.contains("(fix: "), "{message}");
    message
}

#[test]
fn toml_syntax_error_has_line_and_column() {
    let text = TINY.replace("rate = 100", "rate = = 100");
    let message = try_scenario(&text, &[]).unwrap_err().to_string();
    let line = line_of(&text, "rate = = 100");
    assert!(message.starts_with(&format!("test.toml:{line}:")), "{message}");
    assert!(message.contains("TOML syntax error"), "{message}");
}

#[test]
fn unknown_field() {
    let text = TINY.replace("capacity = \"3000 B\"", "capcity = \"3000 B\"");
    let message = expect_error(&text, "caches.edge.capcity", "capcity", "unknown field");
    assert!(message.contains("capacity"), "the fix lists the expected fields: {message}");
}

#[test]
fn wrong_unit() {
    let text = TINY.replace("capacity = \"3000 B\"", "capacity = \"3000 gigs\"");
    expect_error(&text, "caches.edge.capacity", "3000 gigs", "unknown size unit");
    let text = TINY.replace("latency = \"40 ms\"", "latency = \"40 parsecs\"");
    expect_error(&text, "origins[0].latency", "40 parsecs", "unknown duration unit");
}

#[test]
fn negative_capacity() {
    let text = TINY.replace("capacity = \"3000 B\"", "capacity = -3000");
    expect_error(&text, "caches.edge.capacity", "-3000", "negative");
    let text = TINY.replace("capacity = \"3000 B\"", "capacity = \"-3 GiB\"");
    expect_error(&text, "caches.edge.capacity", "-3 GiB", "negative");
}

#[test]
fn a_path_pattern_that_never_matches() {
    let text = TINY.replace("path_pattern = \"/api/*\"", "path_pattern = \"/API/*\"");
    expect_error(&text, "distribution.behaviors[0].path_pattern", "/API/*", "never matches");
    let text = TINY.replace("path_pattern = \"/api/*\"", "path_pattern = \"/api /*\"");
    expect_error(&text, "distribution.behaviors[0].path_pattern", "/api /*", "does not allow");
}

#[test]
fn a_behavior_naming_an_origin_that_does_not_exist() {
    let text = TINY.replacen("origin = \"origin\"", "origin = \"orign\"", 1);
    let message = expect_error(
        &text,
        "distribution.behaviors[0].origin",
        "orign",
        "no origin or origin group is named \"orign\"",
    );
    assert!(message.contains("use one of: origin"), "{message}");
}

#[test]
fn more_refusals() {
    let cases: &[(&str, &str, &str)] = &[
        ("requests = 1000", "requests = 0", "out of range"),
        ("rate = 100", "rate = -1", "out of range"),
        (
            "allowed_methods = [\"GET\", \"HEAD\", \"OPTIONS\", \"PUT\", \"POST\", \"PATCH\", \"DELETE\"]",
            "allowed_methods = [\"GET\", \"POST\"]",
            "does not offer",
        ),
        ("region = \"us-east-1\"\nlatency", "region = \"mars-1\"\nlatency", "unknown AWS Region"),
        ("default_ttl = 0", "default_ttl = 5", "min_ttl <= default_ttl <= max_ttl"),
        ("share = 0.9", "share = 0", "must be above 0"),
        ("path = \"/s/{id}\"", "path = \"s/{id}\"", "does not start with '/'"),
        // A fixed path is one object: `objects = 100` cannot be.
        ("path = \"/s/{id}\"", "path = \"/s/static\"", "has no {id}, so the class is one object, not 100"),
        ("eviction", "eviction", ""),
    ];
    for (from, to, problem) in cases {
        if problem.is_empty() {
            continue;
        }
        let text = TINY.replacen(from, to, 1);
        assert_ne!(text, TINY, "{from:?} not found");
        let message = try_scenario(&text, &[]).expect_err(to).to_string();
        assert!(message.contains(problem), "{to:?}: {message}");
        assert!(message.contains("(fix: "), "{message}");
    }
}

#[test]
fn a_bad_override_names_the_set_flag() {
    let err = try_scenario(TINY, &["traffic.zipf_alpha=-2"]).unwrap_err().to_string();
    assert!(err.contains("`traffic.zipf_alpha`"), "{err}");
    assert!(err.contains("the value came from --set traffic.zipf_alpha=-2"), "{err}");
    let err = try_scenario(TINY, &["caches.edge.capacity=5 gigs"]).unwrap_err().to_string();
    assert!(err.contains("unknown size unit"), "{err}");
    let err = try_scenario(TINY, &["caches.edge.colour=blue"]).unwrap_err().to_string();
    assert!(err.contains("unknown field"), "{err}");
}

#[test]
fn the_binary_exits_2_with_one_message_and_writes_nothing() {
    let dir = temp_dir("bad-input");
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, TINY.replace("capacity = \"3000 B\"", "capacity = -3000")).unwrap();
    let out = dir.join("out");
    for args in [
        vec!["run", bad.to_str().unwrap(), "--out", out.to_str().unwrap()],
        vec!["validate", bad.to_str().unwrap()],
        vec!["run", dir.join("missing.toml").to_str().unwrap()],
        vec!["run", bad.to_str().unwrap(), "--set", "no-equals-sign"],
    ] {
        let (code, stdout, stderr) = cdnsim(&args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{stdout}");
        assert_eq!(stderr.lines().count(), 1, "one message: {stderr}");
        assert!(stderr.starts_with("cdnsim: error: "), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    assert!(!out.exists(), "no results for a refused scenario");
    let (_, _, stderr) = cdnsim(&["validate", dir.join("missing.toml").to_str().unwrap()]);
    assert!(stderr.contains("missing.toml") && stderr.contains("cannot read"), "{stderr}");
}

const GENERATED: &str = r#"
[simulation]
requests = 100
[topology.generate]
edges = 40
[[origins]]
name = "origin"
region = "us-east-1"
[distribution.default_behavior]
origin = "origin"
[traffic]
rate = 10
[[traffic.classes]]
name = "c"
share = 1
path = "/{id}"
size = "1 KiB"
"#;

#[test]
fn the_layout_generator_spreads_edges_over_the_regional_caches() {
    let s = scenario(GENERATED, &[]);
    assert_eq!(s.topology.edges.len(), 40);
    assert_eq!(s.topology.regional_caches.len(), 12, "one per Region with a regional edge cache");
    // Largest remainder by the built-in weights: every Region gets its share.
    for (i, rec) in s.topology.regional_caches.iter().enumerate() {
        let n = s.topology.edges.iter().filter(|e| e.regional_cache == i).count();
        assert!(n >= 1, "{} got no edge", rec.name);
    }
    let names: std::collections::BTreeSet<&str> = s.topology.edges.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names.len(), 40, "names are unique");
    // The layout has its own seed: the same file gives the same layout.
    let again = scenario(GENERATED, &[]);
    let rtts =
        |s: &cdnsim::scenario::Scenario| s.topology.edges.iter().map(|e| e.regional_rtt_ms.mean()).collect::<Vec<_>>();
    assert_eq!(rtts(&s), rtts(&again));
    assert_ne!(rtts(&s), rtts(&scenario(GENERATED, &["topology.generate.seed=2"])));

    let err = try_scenario(GENERATED, &["topology.generate.regions=[\"us-west-1\"]"]).unwrap_err().to_string();
    assert!(err.contains("has no regional edge cache"), "{err}");
    let err = try_scenario(GENERATED, &["topology.generate.edges=0"]).unwrap_err().to_string();
    assert!(err.contains("out of range"), "{err}");
}

/// Issue 13, item 7: `run scenarios/signed-urls.toml --set
/// 'distribution.domain="d1.cloudfront.net#x"'` panicked in the signer; it is
/// refused when the scenario loads, with one message naming file, field and
/// fix, exit status 2 and no results.
#[test]
fn a_domain_with_a_fragment_is_refused_not_a_panic() {
    let dir = temp_dir("domain-fragment");
    let out = dir.join("out");
    let set = "distribution.domain=\"d1.cloudfront.net#x\"";
    for command in ["run", "validate"] {
        let mut args = vec![command, "scenarios/signed-urls.toml", "--set", set];
        if command == "run" {
            args.extend(["--requests", "100", "--no-progress", "--out", out.to_str().unwrap()]);
        }
        let (code, stdout, stderr) = cdnsim(&args);
        assert_eq!(code, 2, "{command}: {stderr}");
        assert!(stdout.is_empty() && !stderr.contains("panicked"), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with(
                "cdnsim: error: scenarios/signed-urls.toml: `distribution.domain`: \"d1.cloudfront.net#x\""
            ),
            "{stderr}"
        );
        assert!(stderr.contains("(fix: write \"d1.cloudfront.net\")"), "{stderr}");
    }
    assert!(!out.exists(), "no results");
}

#[test]
fn class_paths_must_be_request_paths() {
    for (path, problem) in [
        ("/s/{id}#top", "a fragment is never sent"),
        ("/s/{id} x", "whitespace"),
        ("/s/{id}\\u0001", "control"),
        ("/s/{id}?a=1?b=2", "more than one '?'"),
        ("/s/{ID}", "brace"),
        ("/s/{id}/{id}", "more than once"),
    ] {
        let text = TINY.replacen("path = \"/s/{id}\"", &format!("path = \"{path}\""), 1);
        expect_error(&text, "traffic.classes[0].path", "path = \"/s/", problem);
    }
    // A query string is the part after the one `?`, and takes no part in
    // matching behaviors: /api/{id}?v=1 still reaches /api/*.
    let s = scenario(&TINY.replace("path = \"/api/{id}\"", "path = \"/api/{id}?v=1\""), &[]);
    let catalog = cdnsim::cdn::traffic::Catalog::build(&s, 1);
    assert_eq!(catalog.object_for_path(&s, "/api/3?v=1"), Some((1, catalog.object_id(1, 3))));
}

/// Issue 13, item 13: CloudFront's FailoverCriteria needs at least one status code.
#[test]
fn an_origin_group_needs_a_failover_status_code() {
    let group = "[[origin_groups]]\nname = \"group\"\nmembers = [\"origin\", \"backup\"]\n";
    let backup = "[[origins]]\nname = \"backup\"\nregion = \"us-east-1\"\n\n";
    let with = |codes: &str| TINY.replacen("[distribution]", &format!("{backup}{group}{codes}\n[distribution]"), 1);
    // An empty list is reported at itself, a missing one at its table.
    for (codes, line) in [("failover_status_codes = []", "failover_status_codes"), ("", "[[origin_groups]]")] {
        let message =
            expect_error(&with(codes), "origin_groups[0].failover_status_codes", line, "at least one status code");
        assert!(message.contains("CloudFront refuses an empty list"), "{message}");
        assert!(message.contains("e.g. failover_status_codes = [500, 502, 503, 504]"), "{message}");
    }
    assert!(try_scenario(&with("failover_status_codes = [503]"), &[]).is_ok());
}

/// Issue 13, item 13: a fractional timeout is not a TTL: the message gives
/// CloudFront's rule for that field.
#[test]
fn a_fractional_timeout_names_its_own_range() {
    let text = TINY.replacen("latency = \"40 ms\"", "latency = \"40 ms\"\nconnection_timeout = \"1.5 s\"", 1);
    let message = expect_error(
        &text,
        "origins[0].connection_timeout",
        "connection_timeout",
        "1.5 s is not a whole number of seconds",
    );
    assert!(
        message.contains(
            "(fix: CloudFront's connection timeouts are whole seconds from 1 to 10 (default 10): write e.g. 2)"
        ),
        "{message}"
    );
    assert!(!message.contains("TTL"), "{message}");
    let text = TINY.replacen("latency = \"40 ms\"", "latency = \"40 ms\"\nresponse_timeout = \"2500 ms\"", 1);
    let message = expect_error(&text, "origins[0].response_timeout", "response_timeout", "2.5 s is not a whole number");
    assert!(
        message.contains("response timeouts are whole seconds from 1 to 120 (default 30): write e.g. 3)"),
        "{message}"
    );
    // TTLs keep their own wording.
    let message = expect_error(
        &TINY.replacen("default_ttl = 0", "default_ttl = 0.5", 1),
        "distribution.behaviors[0].default_ttl",
        "default_ttl = 0.5",
        "500 ms",
    );
    assert!(message.contains("(fix: CloudFront TTLs are whole seconds: write e.g. 1)"), "{message}");
    // The suggestion stays in CloudFront's range: 0.4 s rounds to 0, below 1.
    let text = TINY.replacen("latency = \"40 ms\"", "latency = \"40 ms\"\nconnection_timeout = \"400 ms\"", 1);
    let message = expect_error(&text, "origins[0].connection_timeout", "connection_timeout", "400 ms is not a whole");
    assert!(message.contains("write e.g. 1)"), "{message}");
}

/// Issue 13, item 9: `validate` and `run` use one bound on metrics
/// intervals, checked before anything runs. One day at 1 s per interval is
/// 86,400 intervals, more than 20,000: both refuse at once, and the interval
/// the fix names (86,400 s / 20,000 = 4.32 s, so 5 s) is accepted by both.
#[test]
fn validate_and_run_agree_on_the_metrics_intervals() {
    let dir = temp_dir("intervals-agree");
    let file = dir.join("day.toml");
    std::fs::write(&file, TINY.replace("requests = 1000", "duration = \"1 d\"").replace("rate = 100", "rate = 0.01"))
        .unwrap();
    let out = dir.join("out");
    let (file, out_s) = (file.to_str().unwrap(), out.to_str().unwrap());
    let (code, _, err) = cdnsim(&["validate", file]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(
            "day.toml:4:1: `simulation.metrics_interval`: the run lasts 24 h: more than 20000 metrics intervals of 1 s"
        ),
        "{err}"
    );
    assert!(err.contains("(fix: set simulation.metrics_interval = \"5 s\" or longer"), "{err}");
    let started = std::time::Instant::now();
    let (code, _, run_err) = cdnsim(&["run", file, "--no-progress", "--out", out_s]);
    assert_eq!((code, run_err.as_str()), (2, err.as_str()), "the same refusal");
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "refused before simulating");
    assert!(!out.exists());
    let (code, _, err) = cdnsim(&["validate", file, "--set", "simulation.metrics_interval=\"5 s\""]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) =
        cdnsim(&["run", file, "--no-progress", "--out", out_s, "--set", "simulation.metrics_interval=\"5 s\""]);
    assert_eq!(code, 0, "{err}");
    // 86,400 s / 5 s = 17,280 rows, each covered.
    let rows = std::fs::read_to_string(out.join("timeseries.csv")).unwrap().lines().count() - 1;
    assert!(rows <= 17_280, "{rows}");
}

/// `--requests N` replaces the file's stop condition, so it is checked as
/// the file's own would be, before anything runs: 10^9 requests at 100 per
/// second take at least 10^7 s, 10^7 / 1 s intervals > 20,000.
#[test]
fn requests_from_the_command_line_are_checked_too() {
    let dir = temp_dir("requests-flag");
    let file = dir.join("tiny.toml");
    std::fs::write(&file, TINY).unwrap();
    let out = dir.join("out");
    let (code, _, err) = cdnsim(&[
        "run",
        file.to_str().unwrap(),
        "--requests",
        "1000000000",
        "--no-progress",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("tiny.toml: `simulation.requests`: --requests 1000000000: 1000000000 requests at 100 per second"),
        "{err}"
    );
    assert!(err.contains("(fix: set simulation.metrics_interval = "), "{err}");
    assert!(!out.exists());
    let mut s = scenario(TINY, &[]);
    assert!(s.stop_after_requests(0).is_err());
    assert!(s.stop_after_requests(1_000_000_000).is_err());
    assert_eq!(
        s.simulation.stop,
        cdnsim::scenario::Stop::Requests(1000),
        "a refused stop leaves the scenario as it was"
    );
    s.stop_after_requests(2000).unwrap();
    assert_eq!(s.simulation.stop, cdnsim::scenario::Stop::Requests(2000));
}

/// The bound is an upper bound in fact: runs whose span the loader just
/// admitted never start a request past their last interval (the report
/// asserts it). 50 requests at 1 per second are bounded by 50 + 60 + 72 =
/// 182 s, so 10 ms intervals (18,200 of them) are admitted.
#[test]
fn admitted_runs_stay_within_their_intervals() {
    let text = TINY.replace("requests = 1000", "requests = 50").replace("rate = 100", "rate = 1");
    let s = scenario(&text, &["simulation.metrics_interval=\"10 ms\""]);
    for seed in 0..200 {
        let report = run(&s, seed);
        assert!(!report.metrics.intervals_overflowed, "seed {seed}");
        assert!(report.metrics.intervals.len() <= 18_200, "seed {seed}");
    }
    assert!(try_scenario(&text, &["simulation.metrics_interval=\"9 ms\""]).is_err(), "182 s / 9 ms > 20,000");
}

/// TINY with `functions` (TOML) and the default behavior's `functions = [...]`.
fn with_functions(functions: &str, associations: &str) -> String {
    let behavior = "[distribution.default_behavior]\norigin = \"origin\"";
    let text = TINY.replace(behavior, &format!("{behavior}\nfunctions = [\n{associations}\n]"));
    format!("{text}\n{functions}")
}

const TWO_FUNCTIONS: &str = r#"
[[functions]]
name = "rewrite"
kind = "cloudfront-function"

[[functions]]
name = "auth"
kind = "lambda-edge"
"#;

#[test]
fn edge_function_associations_follow_cloudfronts_rules() {
    // Two functions on one event: CloudFront allows one per event type.
    let three = format!("{TWO_FUNCTIONS}\n[[functions]]\nname = \"sign\"\nkind = \"lambda-edge\"\n");
    let text = with_functions(
        &three,
        "  { event = \"origin-request\", function = \"auth\" },\n  { event = \"origin-request\", function = \"sign\" },",
    );
    let message = expect_error(
        &text,
        "distribution.default_behavior.functions[1].event",
        "function = \"sign\"",
        "origin-request already runs auth: CloudFront allows one function per event type",
    );
    assert!(message.contains("keep one"), "{message}");

    // A CloudFront Function on an origin event.
    let text = with_functions(TWO_FUNCTIONS, "  { event = \"origin-response\", function = \"rewrite\" },");
    let message = expect_error(
        &text,
        "distribution.default_behavior.functions[0].event",
        "origin-response",
        "CloudFront Functions run only on viewer-request and viewer-response",
    );
    assert!(message.contains("run a Lambda@Edge function on origin-response"), "{message}");

    // An event CloudFront does not have.
    let text = with_functions(TWO_FUNCTIONS, "  { event = \"viewer_request\", function = \"rewrite\" },");
    let message = expect_error(
        &text,
        "distribution.default_behavior.functions[0].event",
        "viewer_request",
        "unknown event \"viewer_request\"",
    );
    assert!(message.contains("viewer-request, origin-request, origin-response, viewer-response"), "{message}");

    // Both kinds on the viewer events of one behavior.
    let text = with_functions(
        TWO_FUNCTIONS,
        "  { event = \"viewer-request\", function = \"rewrite\" },\n  { event = \"viewer-response\", function = \"auth\" },",
    );
    expect_error(
        &text,
        "distribution.default_behavior.functions[1].function",
        "viewer-response",
        "cannot combine CloudFront Functions and Lambda@Edge in the viewer events",
    );
    // ... while a CloudFront Function on a viewer event beside Lambda@Edge on an origin event is fine.
    let text = with_functions(
        TWO_FUNCTIONS,
        "  { event = \"viewer-request\", function = \"rewrite\" },\n  { event = \"origin-request\", function = \"auth\" },",
    );
    assert!(scenario(&text, &[]).uses_edge_functions());

    // A function no [[functions]] defines.
    let text = with_functions(TWO_FUNCTIONS, "  { event = \"viewer-request\", function = \"rewrit\" },");
    let message =
        expect_error(&text, "distribution.default_behavior.functions[0].function", "rewrit\"", "no function is named");
    assert!(message.contains("defined: rewrite, auth"), "{message}");
}

#[test]
fn an_edge_function_slower_than_its_limit_is_refused() {
    // A CloudFront Function runs in under a millisecond.
    let slow =
        TWO_FUNCTIONS.replace("kind = \"cloudfront-function\"", "kind = \"cloudfront-function\"\nlatency = \"2 ms\"");
    let text = with_functions(&slow, "  { event = \"viewer-request\", function = \"rewrite\" },");
    let message = expect_error(&text, "functions[0].latency", "2 ms", "rewrite's runs take 2.000 ms on average");
    assert!(message.contains("kind = \\\"lambda-edge\\\"") || message.contains("lambda-edge"), "{message}");

    // A Lambda@Edge function times out after 5 s on a viewer event, 30 s on an origin event.
    let slow = TWO_FUNCTIONS.replace("kind = \"lambda-edge\"", "kind = \"lambda-edge\"\nlatency = \"8 s\"");
    let text = with_functions(&slow, "  { event = \"viewer-response\", function = \"auth\" },");
    let message = expect_error(&text, "functions[1].latency", "8 s", "times out after 5 s on viewer-response");
    assert!(message.contains("associate the function with an origin event"), "{message}");
    let text = with_functions(&slow, "  { event = \"origin-response\", function = \"auth\" },");
    assert!(scenario(&text, &[]).uses_edge_functions(), "8 s is within the 30 s of an origin event");
}

#[test]
fn a_function_table_with_bad_fields_is_refused() {
    let cases: &[(&str, &str, &str, &str)] = &[
        ("kind = \"cloudfront-function\"", "kind = \"lambda@edge\"", "functions[0].kind", "unknown function kind"),
        (
            "kind = \"cloudfront-function\"",
            "kind = \"cloudfront-function\"\ncold_start = \"100 ms\"",
            "functions[0].cold_start",
            "`cold_start` is a Lambda@Edge setting",
        ),
        (
            "kind = \"lambda-edge\"",
            "kind = \"lambda-edge\"\nkeep_warm = \"ten minutes\"",
            "functions[1].keep_warm",
            "does not start with a number",
        ),
        ("name = \"auth\"", "name = \"rewrite\" # again", "functions[1].name", "two functions are named \"rewrite\""),
        ("name = \"auth\"", "name = \"has space\"", "functions[1].name", "is not a function name"),
    ];
    for &(from, to, field, problem) in cases {
        let functions = TWO_FUNCTIONS.replacen(from, to, 1);
        let text = with_functions(&functions, "");
        let needle = to.lines().last().unwrap();
        let message = expect_error(&text, field, needle, problem);
        assert!(!message.is_empty());
    }
    let text = with_functions(TWO_FUNCTIONS, "  { event = \"viewer-request\", fn = \"rewrite\" },");
    let message = try_scenario(&text, &[]).unwrap_err().to_string();
    assert!(message.contains("unknown field") && message.contains("functions[0].fn"), "{message}");
}

/// A function's transforms: a known op with the fields it takes, names a
/// request could carry, no device header of CloudFront's own, and only on
/// request events.
#[test]
fn edge_function_transforms_are_checked() {
    let with = |transform: &str| {
        format!("[[functions]]\nname = \"t\"\nkind = \"lambda-edge\"\ntransforms = [\n{transform}\n]\n")
    };
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "{ op = \"query-shuffle\" }",
            "functions[0].transforms[0].op",
            "query-shuffle",
            "unknown transform \"query-shuffle\"",
        ),
        ("{ op = \"query-keep\" }", "functions[0].transforms[0].names", "query-keep", "`query-keep` needs the names"),
        (
            "{ op = \"query-sort\", names = [\"a\"] }",
            "functions[0].transforms[0].names",
            "query-sort",
            "`query-sort` takes no names",
        ),
        (
            "{ op = \"query-drop\", header = \"X\" }",
            "functions[0].transforms[0].header",
            "query-drop",
            "`header` belongs to device-header",
        ),
        (
            "{ op = \"cookies-keep\", names = [] }",
            "functions[0].transforms[0].names",
            "cookies-keep",
            "the list is empty",
        ),
        (
            "{ op = \"query-drop\", names = [\"a=b\"] }",
            "functions[0].transforms[0].names",
            "a=b",
            "is not a query parameter or cookie name",
        ),
        (
            "{ op = \"header-strip\", names = [\"Accept Language\"] }",
            "functions[0].transforms[0].names",
            "Accept Language",
            "is not a header name",
        ),
        (
            "{ op = \"header-strip\", names = [\"cloudfront-is-mobile-viewer\"] }",
            "functions[0].transforms[0].names",
            "cloudfront-is",
            "is set by CloudFront itself",
        ),
        (
            "{ op = \"device-header\" }",
            "functions[0].transforms[0].header",
            "device-header",
            "needs the header it sets",
        ),
        (
            "{ op = \"device-header\", header = \"CloudFront-Device\" }",
            "functions[0].transforms[0].header",
            "CloudFront-Device",
            "is not a header a function may set here",
        ),
        (
            "{ op = \"device-header\", header = \"X-Device\", values = { phone = \"mobile\" } }",
            "functions[0].transforms[0].values.phone",
            "phone",
            "unknown device \"phone\"",
        ),
    ];
    for &(transform, field, needle, problem) in cases {
        let text = with_functions(&with(transform), "");
        expect_error(&text, field, needle, problem);
    }
    // A function with transforms on a response event: the request is past.
    let text = with_functions(&with("{ op = \"query-sort\" }"), "  { event = \"origin-response\", function = \"t\" },");
    let message = expect_error(
        &text,
        "distribution.default_behavior.functions[0].event",
        "origin-response",
        "t transforms the request, and on origin-response the request is past",
    );
    assert!(message.contains("viewer-request (its transforms change the cache key)"), "{message}");
    // On a request event, with every op, it loads.
    let all = "{ op = \"query-drop\", names = [\"utm_*\"] }, { op = \"query-keep\", names = [\"w\"] }, \
               { op = \"query-sort\" }, { op = \"query-lowercase\", names = [\"fmt\"] }, { op = \"cookies-drop\" }, \
               { op = \"cookies-keep\", names = [\"s\"] }, { op = \"header-lowercase\", names = [\"Accept-Language\"] }, \
               { op = \"header-strip\", names = [\"Accept-Encoding\"] }, \
               { op = \"device-header\", header = \"X-Device\", values = { tablet = \"mobile\" } }";
    let text = with_functions(&with(all), "  { event = \"origin-request\", function = \"t\" },");
    let s = scenario(&text, &[]);
    assert_eq!(s.functions[0].transforms.len(), 9);
    let described = s.describe();
    assert!(
        described
            .contains("transforms: query-drop utm_*, query-keep w, query-sort, query-lowercase fmt, cookies-drop all")
            && described.contains("device-header X-Device (tablet=mobile)"),
        "{described}"
    );
}

/// Issue 15: cache policies, legacy forwarded values and what requests
/// carry, each refused where CloudFront (or a valid request) would refuse it,
/// with the field, its line and the fix.
#[test]
fn cache_key_settings_are_checked_as_cloudfront_checks_them() {
    let default_behavior = "[distribution.default_behavior]\norigin = \"origin\"";
    let with_default = |extra: &str| TINY.replacen(default_behavior, &format!("{default_behavior}\n{extra}"), 1);
    let policy = |fields: &str| {
        TINY.replacen(
            "[distribution]",
            &format!("[distribution]\n[[distribution.cache_policies]]\nname = \"p\"\n{fields}\n"),
            1,
        )
        .replacen(default_behavior, &format!("{default_behavior}\ncache_policy = \"p\""), 1)
    };

    let message = expect_error(
        &with_default("cache_policy = \"CachingOptimised\""),
        "distribution.default_behavior.cache_policy",
        "CachingOptimised",
        "no cache policy is named \"CachingOptimised\"",
    );
    assert!(message.contains("CachingOptimized") && message.contains("by name or ID"), "{message}");

    let eleven: Vec<String> = (0..11).map(|i| format!("\"X-H{i}\"")).collect();
    let message = expect_error(
        &policy(&format!("headers = [{}]", eleven.join(", "))),
        "distribution.cache_policies[0].headers",
        "X-H0",
        "11 headers are listed; CloudFront allows at most 10",
    );
    assert!(message.contains("(fix: list at most 10"), "{message}");

    // The /api/* behavior sets default_ttl and max_ttl: with a policy too,
    // the first legacy field is named.
    let text = TINY.replacen(
        "max_ttl = 0\ndefault_ttl = 0",
        "max_ttl = 0\ndefault_ttl = 0\ncache_policy = \"CachingDisabled\"",
        1,
    );
    let message = expect_error(
        &text,
        "distribution.behaviors[0].default_ttl",
        "default_ttl = 0",
        "CloudFront refuses a cache policy together with the legacy MinTTL, DefaultTTL, MaxTTL and ForwardedValues",
    );
    assert!(message.contains("(fix: remove default_ttl (the policy sets the TTLs, 0/0/0 s"), "{message}");

    expect_error(
        &with_default("min_ttl = 5\nforwarded_values = { headers = [\"*\"] }"),
        "distribution.default_behavior.min_ttl",
        "min_ttl = 5",
        "forwards every header; CloudFront then caches nothing and requires MinTTL 0",
    );
    expect_error(
        &with_default("forwarded_values = { query_string_cache_keys = [\"v\"] }"),
        "distribution.default_behavior.forwarded_values.query_string_cache_keys",
        "query_string_cache_keys",
        "query_string is off",
    );
    expect_error(
        &policy("gzip = true\nheaders = [\"accept-encoding\"]"),
        "distribution.cache_policies[0].headers",
        "accept-encoding",
        "Accept-Encoding is listed while gzip or brotli is on",
    );
    expect_error(
        &policy("query_strings = \"some\""),
        "distribution.cache_policies[0].query_strings",
        "query_strings",
        "is not one of the forms",
    );
    expect_error(
        &policy("cookies = { allow = [\"a\", \"a\"] }"),
        "distribution.cache_policies[0].cookies.allow[1]",
        "cookies = {",
        "listed twice",
    );
    expect_error(
        &policy("headers = [\"Cookie\"]"),
        "distribution.cache_policies[0].headers[0]",
        "headers = [\"Cookie\"]",
        "Cookie cannot be in a cache key",
    );

    // What requests carry.
    let class = |extra: &str| {
        TINY.replacen("cache_control = \"max-age=10\"", &format!("cache_control = \"max-age=10\"\n{extra}"), 1)
    };
    let message = expect_error(
        &class("query = [{ name = \"size\", values = 0 }]"),
        "traffic.classes[0].query[0].values",
        "query = [",
        "0 values is out of range",
    );
    assert!(message.contains("(fix: use 1 to "), "{message}");
    expect_error(
        &class("headers = [{ name = \"Accept-Encoding\", values = 2 }]"),
        "traffic.classes[0].headers[0].name",
        "headers = [",
        "accept_encoding mix",
    );
    expect_error(
        &class("query = [{ name = \"a\", values = 2, share = 1.5 }]"),
        "traffic.classes[0].query[0].share",
        "query = [",
        "not in (0, 1]",
    );
    expect_error(
        &class("query_order = \"random\""),
        "traffic.classes[0].query_order",
        "query_order",
        "unknown query order",
    );
    expect_error(
        &class("devices = { phone = 1 }"),
        "traffic.classes[0].devices.phone",
        "devices",
        "unknown device \"phone\"",
    );
    let nine: Vec<String> = (0..9).map(|i| format!("{{ name = \"q{i}\", values = 2 }}")).collect();
    expect_error(
        &class(&format!("query = [{}]", nine.join(", "))),
        "traffic.classes[0].query",
        "query = [",
        "9 query parameters; a class's requests carry at most 8",
    );
    // A [traffic] default is reported at [traffic].
    expect_error(
        &TINY.replacen("rate = 100", "rate = 100\naccept_encoding = { gzip = -1 }", 1),
        "traffic.accept_encoding.gzip",
        "accept_encoding",
        "weight -1 must be 0 or more",
    );
}

#[test]
fn an_unknown_price_class_names_the_three() {
    let text = TINY.replace("[distribution]\n", "[distribution]\nprice_class = \"PriceClass_50\"\n");
    let message = expect_error(&text, "distribution.price_class", "PriceClass_50", "not a price class");
    assert!(message.contains("PriceClass_100, PriceClass_200, PriceClass_All"), "{message}");
}

/// TINY with its edges in São Paulo only (GRU, sa-east-1).
fn tiny_in_sao_paulo() -> String {
    TINY.replace("region = \"us-east-1\"\n\n[[topology.edges]]", "region = \"sa-east-1\"\n\n[[topology.edges]]")
        .replace("regional_cache = \"us-east-1\"", "regional_cache = \"sa-east-1\"")
        .replace("name = \"IAD1\"", "name = \"GRU1\"")
        .replace("name = \"IAD2\"", "name = \"GRU2\"")
        .replace("from = \"us-east-1\"", "from = \"sa-east-1\"")
}

#[test]
fn a_price_class_that_leaves_no_edge_is_refused() {
    let text = tiny_in_sao_paulo().replace("[distribution]\n", "[distribution]\nprice_class = \"PriceClass_200\"\n");
    let message = expect_error(&text, "distribution.price_class", "PriceClass_200", "leaves no edge location");
    assert!(message.contains("every edge location is in SA"), "{message}");
    assert!(try_scenario(&text.replace("PriceClass_200", "PriceClass_All"), &[]).is_ok());
}

#[test]
fn geo_restrictions_name_the_country_and_the_list() {
    let with = |restriction: &str| {
        TINY.replace("[distribution]\n", &format!("[distribution]\ngeo_restriction = {restriction}\n"))
    };
    let message = expect_error(
        &with("{ allow = [\"US\", \"us\"] }"),
        "distribution.geo_restriction.allow[1]",
        "geo_restriction",
        "not a country",
    );
    assert!(message.contains("write \"US\""), "{message}");
    let message = expect_error(
        &with("{ block = [\"XX\"] }"),
        "distribution.geo_restriction.block[0]",
        "geo_restriction",
        "\"XX\"",
    );
    assert!(message.contains("ISO 3166-1 alpha-2"), "{message}");
    expect_error(
        &with("{ allow = [\"US\"], block = [\"BR\"] }"),
        "distribution.geo_restriction",
        "geo_restriction",
        "both",
    );
    expect_error(&with("{ allow = [] }"), "distribution.geo_restriction.allow", "geo_restriction", "the list is empty");
    expect_error(
        &with("{ block = [\"BR\", \"BR\"] }"),
        "distribution.geo_restriction.block[1]",
        "geo_restriction",
        "listed twice",
    );
}

#[test]
fn edge_places_and_viewer_populations_name_their_field() {
    let edge = |fields: &str| TINY.replacen("name = \"IAD1\"\n", &format!("name = \"IAD1\"\n{fields}\n"), 1);
    expect_error(&edge("city = \"XYZ\""), "topology.edges[0].city", "XYZ", "not an edge-location city");
    expect_error(
        &edge("latitude = 10.0\nlongitude = 20.0"),
        "topology.edges[0].country",
        "[[topology.edges]]",
        "need the country",
    );
    expect_error(
        &edge("latitude = 95.0\nlongitude = 20.0\ncountry = \"US\""),
        "topology.edges[0].latitude",
        "latitude",
        "not a latitude",
    );
    expect_error(&edge("city = \"GRU\"\ncountry = \"BR\""), "topology.edges[0].city", "city", "both given");
    let viewers = |text: &str| format!("{TINY}\n{text}\n");
    expect_error(&viewers("[viewers]\npreset = \"moon\""), "viewers.preset", "moon", "not a viewer preset");
    expect_error(&viewers("[viewers]"), "viewers", "[viewers]", "no populations");
    let one = "[[viewers.populations]]\nname = \"a\"\ncountry = \"FR\"\n";
    let twice = format!("{one}[[viewers.populations]]\nname = \"a\" # again\ncountry = \"DE\"\n");
    expect_error(&viewers(&twice), "viewers.populations[1].name", "# again", "listed twice");
    expect_error(
        &viewers("[[viewers.populations]]\nname = \"a\"\ncountry = \"FR\"\nweight = 0"),
        "viewers.populations[0].weight",
        "weight = 0",
        "above 0",
    );
    expect_error(
        &viewers("[[viewers.populations]]\nname = \"a\"\ncountry = \"FR\"\nlatitude = 48.0"),
        "viewers.populations[0].longitude",
        "[[viewers.populations]]",
        "needs its longitude",
    );
}

/// `"none"` turns Origin Shield off, so that a sweep can vary it; anything
/// else must name a regional edge cache, and the fix says so.
#[test]
fn origin_shield_none_is_no_shield() {
    let region = TINY.lines().find(|l| l.starts_with("region = ")).expect("TINY has a Region");
    let rec = region.trim_start_matches("region = ").trim_matches('"');
    let on = try_scenario(TINY, &[&format!("origins[0].origin_shield=\"{rec}\"")]).expect("a REC of TINY");
    assert_eq!(on.origins[0].origin_shield, Some(0));
    let off = try_scenario(TINY, &["origins[0].origin_shield=\"none\""]).expect("none is no shield");
    assert_eq!(off.origins[0].origin_shield, None);
    let message = try_scenario(TINY, &["origins[0].origin_shield=\"mars-1\""]).unwrap_err().to_string();
    assert!(message.contains("or \"none\" for no Origin Shield"), "{message}");
}
