//! `cdnsim import distribution` and `[distribution] import`: CloudFront's own
//! JSON in, a scenario that validates and runs out; every field not simulated
//! is a warning; broken JSON is an error naming the file, the JSON path and
//! the fix, with exit status 2.

use crate::support::{cdnsim, run, summarize, temp_dir};
use cdnsim::report;
use cdnsim::scenario::{Scenario, ScenarioError};
use std::path::{Path, PathBuf};

const FIXTURES: &str = "tests/fixtures/import";

fn fixture(name: &str) -> String {
    format!("{FIXTURES}/{name}")
}

/// The fixture scenario without its `[distribution] import` and the
/// `[[origins]]` addition, to paste imported TOML next to.
fn surroundings() -> String {
    let text = std::fs::read_to_string(fixture("scenario.toml")).unwrap();
    let start = text.find("# api.example.com").unwrap();
    let end = text.find("# The /premium/*").unwrap();
    format!("{}{}", &text[..start], &text[end..])
}

#[test]
fn cli_prints_scenario_toml_and_lists_warnings() {
    let (code, stdout, stderr) = cdnsim(&[
        "import",
        "distribution",
        &fixture("distribution-config.json"),
        "--region",
        "api-origin=eu-central-1",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with(
        "# Imported by `cdnsim import distribution` from tests/fixtures/import/distribution-config.json."
    ));
    let table: toml::Table = toml::from_str(&stdout).unwrap_or_else(|e| panic!("{e}\n{stdout}"));
    assert_eq!(table["origins"].as_array().unwrap().len(), 4);
    assert_eq!(table["origins"][3]["region"].as_str(), Some("eu-central-1"));
    assert_eq!(table["distribution"]["behaviors"].as_array().unwrap().len(), 4);
    // One warning line per field not simulated, each with the file and JSON path.
    for path in [
        "DistributionConfig.WebACLId",
        "DistributionConfig.DefaultCacheBehavior.LambdaFunctionAssociations.Items[0].LambdaFunctionARN",
        "DistributionConfig.Logging",
        // KP and IR, blocked by the fixture: cdnsim has no viewers there.
        "DistributionConfig.Restrictions.GeoRestriction.Items[0]",
        "DistributionConfig.Restrictions.GeoRestriction.Items[1]",
    ] {
        let line = format!("cdnsim: warning: tests/fixtures/import/distribution-config.json: `{path}`: ");
        assert!(stderr.contains(&line), "no warning for {path}:\n{stderr}");
    }
    // The price class is simulated now: mapped, not warned about.
    assert_eq!(table["distribution"]["price_class"].as_str(), Some("PriceClass_100"));
    assert!(!stderr.contains("`DistributionConfig.PriceClass`"), "{stderr}");
    assert!(stderr.contains("4 origins, 1 origin groups and 5 cache behaviors"), "{stderr}");
}

#[test]
fn imported_toml_pasted_into_a_scenario_validates_and_runs() {
    let (code, imported, stderr) =
        cdnsim(&["import", "distribution", &fixture("get-distribution.json"), "--region", "api-origin=eu-central-1"]);
    assert_eq!(code, 0, "{stderr}");
    let text = format!("{}\n{imported}", surroundings());
    let scenario =
        Scenario::from_toml_str(Path::new("pasted.toml"), &text, &[]).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(scenario.distribution.domain, "d1a2b3c4d5e6f7.cloudfront.net");
    let report = run(&scenario, 1);
    let rows = report::behavior_rows(&report, &scenario);
    let row = |pattern: &str| rows.iter().find(|r| r.path_pattern == pattern).unwrap();
    // CachingDisabled: every /api/* request goes to the origin.
    assert!(row("/api/*").requests > 0);
    assert_eq!(row("/api/*").hits, 0);
    // CachingOptimized and the legacy TTLs cache: the popular objects hit.
    assert!(row("*").hits > 0 && row("/legacy/*.jpg").hits > 0);
    assert_eq!(row("*").origin, "primary-alb", "the default behavior targets the origin group's primary");
}

#[test]
fn a_scenario_can_reference_the_json() {
    let scenario = Scenario::load(Path::new(&fixture("scenario.toml")), &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(scenario.imported_from, Some(PathBuf::from(fixture("distribution-config.json"))));
    // The scenario's [[origins]] entry adds to the imported origin.
    let api = scenario.origins.iter().find(|o| o.name == "api-origin").unwrap();
    assert_eq!((api.region.name, api.concurrency), ("eu-central-1", 50));
    assert_eq!(api.response_timeout.as_secs_f64(), 60.0, "OriginReadTimeout from the JSON");
    assert_eq!(scenario.distribution.error_caching_min_ttl.as_secs_f64(), 5.0);
    // Warnings come back as values, with the JSON file and path.
    let waf = scenario.import_warnings.iter().find(|w| w.path == "DistributionConfig.WebACLId").unwrap();
    assert_eq!(waf.file, PathBuf::from(fixture("distribution-config.json")));
    // No warning about api-origin's Region: the scenario gave it.
    assert!(!scenario.import_warnings.iter().any(|w| w.path.ends_with("Items[3].DomainName")));

    // The same distribution as pasting the imported TOML.
    let (_, imported, _) = cdnsim(&[
        "import",
        "distribution",
        &fixture("distribution-config.json"),
        "--region",
        "api-origin=eu-central-1",
    ]);
    let pasted = format!("{}\n{imported}", surroundings())
        .replace("[distribution]\n", "[distribution]\nerror_caching_min_ttl = 5\n")
        .replace("name = \"api-origin\"\n", "name = \"api-origin\"\nlatency = \"80 ms\"\nconcurrency = 50\n");
    let pasted = Scenario::from_toml_str(Path::new(&fixture("scenario.toml")), &pasted, &[]).unwrap();
    let lines = |s: &Scenario| {
        s.describe().lines().filter(|l| !l.starts_with("distribution:")).map(str::to_string).collect::<Vec<_>>()
    };
    assert_eq!(lines(&scenario), lines(&pasted));
    let (a, b) = (run(&scenario, 3), run(&pasted, 3));
    assert_eq!(report::summary(&a, &scenario).unwrap().hit_ratio, report::summary(&b, &pasted).unwrap().hit_ratio);

    // --set reaches imported origins.
    let set = cdnsim::scenario::Override::parse("origins[0].concurrency=7").unwrap();
    let scenario = Scenario::load(Path::new(&fixture("scenario.toml")), &[set]).unwrap();
    assert_eq!(scenario.origins[0].concurrency, 7);
}

#[test]
fn cli_run_and_validate_show_the_warnings() {
    let out = temp_dir("import-run");
    let (code, stdout, stderr) = cdnsim(&[
        "run",
        &fixture("scenario.toml"),
        "--requests",
        "500",
        "--no-progress",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("requests (measured)"), "{stdout}");
    assert!(stderr.contains("`DistributionConfig.WebACLId`: AWS WAF is not modelled"), "{stderr}");
    let (code, stdout, stderr) = cdnsim(&["validate", &fixture("scenario.toml")]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("imported from tests/fixtures/import/distribution-config.json"), "{stdout}");
    assert!(stderr.contains("cdnsim: warning: "), "{stderr}");
}

#[test]
fn scenario_template_runs() {
    let dir = temp_dir("import-template");
    let file = dir.join("from-cloudfront.toml");
    let (code, _, stderr) = cdnsim(&[
        "import",
        "distribution",
        &fixture("distribution-config.json"),
        "--scenario-template",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let scenario = Scenario::load(&file, &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(scenario.name, "from-cloudfront");
    // A class per behavior, so that validation finds every pattern reached.
    assert_eq!(scenario.traffic.classes.len(), 5);
    let (code, _, stderr) = cdnsim(&[
        "run",
        file.to_str().unwrap(),
        "--requests",
        "2000",
        "--no-progress",
        "--out",
        dir.join("results").to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
}

/// Found by the `import_distribution` fuzz target: an origin domain name
/// holding DEL characters went into a comment of the template as they were,
/// and TOML refuses control characters in comments, so the template did not
/// load. Every comment now escapes them.
#[test]
fn a_name_with_control_characters_still_gives_a_template_that_loads() {
    let dir = temp_dir("import-control-characters");
    let file = dir.join("template.toml");
    let (code, _, stderr) = cdnsim(&[
        "import",
        "distribution",
        &fixture("regressions/control-characters-in-a-name.json"),
        "--scenario-template",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("\\u{7f}"), "the DEL characters are escaped in the comment:\n{text}");
    Scenario::load(&file, &[]).unwrap_or_else(|e| panic!("{e}"));
}

/// The fixture distribution with three exact-path behaviors in front:
/// `/index.html`, `/robots.txt` and `/api/health` (before `/api/*`, which
/// would otherwise match it first).
fn with_exact_paths(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(fixture("distribution-config.json")).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let behaviors = &mut json["DistributionConfig"]["CacheBehaviors"];
    let template = behaviors["Items"][1].clone(); // /api/*
    let items = behaviors["Items"].as_array_mut().unwrap();
    for (i, pattern) in ["/index.html", "/robots.txt", "/api/health"].into_iter().enumerate() {
        let mut b = template.clone();
        b["PathPattern"] = pattern.into();
        items.insert(i, b);
    }
    behaviors["Quantity"] = items.len().into();
    let file = dir.join("exact-paths.json");
    std::fs::write(&file, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    file
}

/// Issue 13, item 10: an exact-path behavior gets a fixed-path class of one
/// object, so the template validates and runs; with a trace, the classes'
/// reach does not matter at all.
#[test]
fn scenario_template_gives_exact_paths_a_fixed_path_class() {
    let dir = temp_dir("import-exact-paths");
    let json = with_exact_paths(&dir);
    let file = dir.join("exact.toml");
    let (code, _, stderr) = cdnsim(&[
        "import",
        "distribution",
        json.to_str().unwrap(),
        "--scenario-template",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains("# No class for"), "{text}");
    let scenario = Scenario::load(&file, &[]).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let fixed: Vec<(&str, u64)> = scenario
        .traffic
        .classes
        .iter()
        .filter(|c| c.id_at.is_none())
        .map(|c| (c.path_template.as_str(), c.objects))
        .collect();
    assert_eq!(fixed, [("/index.html", 1), ("/robots.txt", 1), ("/api/health", 1)]);
    assert_eq!(scenario.traffic.classes.len(), 5 + 3, "a class per behavior");
    let (code, _, stderr) = cdnsim(&["validate", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let out = dir.join("results");
    let (code, stdout, stderr) = cdnsim(&[
        "run",
        file.to_str().unwrap(),
        "--requests",
        "3000",
        "--set",
        "simulation.warmup=0",
        "--no-progress",
        "--format",
        "json",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("\"requests\":3000"), "{stdout}");
    // Each exact-path behavior got its share of the requests.
    let behaviors = std::fs::read_to_string(out.join("behaviors.csv")).unwrap();
    let header: Vec<&str> = behaviors.lines().next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    for pattern in ["/index.html", "/robots.txt", "/api/health"] {
        let row: Vec<&str> = behaviors
            .lines()
            .map(|l| l.split(',').collect::<Vec<_>>())
            .find(|cells| cells[column("path_pattern")] == pattern)
            .unwrap_or_else(|| panic!("{behaviors}"));
        let requests: u64 = row[column("requests")].parse().unwrap();
        assert!(requests > 100, "{pattern}: {behaviors}");
    }
}

fn load_err(dir: &Path, scenario: &str) -> String {
    let file = dir.join("s.toml");
    std::fs::write(&file, scenario).unwrap();
    let e: ScenarioError = Scenario::load(&file, &[]).unwrap_err();
    e.to_string()
}

#[test]
fn scenario_import_errors() {
    let dir = temp_dir("import-errors");
    for name in ["distribution-config.json", "unknown-origin.json", "broken-syntax.json"] {
        std::fs::copy(fixture(name), dir.join(name)).unwrap();
    }
    let base = surroundings();
    let with = |extra: &str| format!("{base}\n[distribution]\nimport = \"distribution-config.json\"\n{extra}");

    let e = load_err(&dir, &with("[distribution.default_behavior]\norigin = \"static-s3\"\n"));
    assert!(e.contains("`distribution.default_behavior`: the behaviors come from distribution-config.json"), "{e}");
    assert!(e.contains("s.toml:") && e.contains("fix: remove [distribution.default_behavior]"), "{e}");

    let e = load_err(&dir, &format!("{}\n[[origins]]\nname = \"api\"\nregion = \"eu-west-1\"\n", with("")));
    assert!(e.contains("`origins[0].name`: distribution-config.json has no origin with the Id \"api\""), "{e}");
    assert!(e.contains("fix: use one of: static-s3, primary-alb, secondary-alb, api-origin"), "{e}");

    let e = load_err(&dir, &with("").replace("distribution-config.json", "missing.json"));
    assert!(e.contains("`distribution.import`: cannot read") && e.contains("relative to the scenario file"), "{e}");

    let e = load_err(&dir, &with("").replace("distribution-config.json", "unknown-origin.json"));
    assert!(e.contains("unknown-origin.json: `DistributionConfig.CacheBehaviors.Items[1].TargetOriginId`"), "{e}");

    let e = load_err(&dir, &with("").replace("distribution-config.json", "broken-syntax.json"));
    assert!(e.contains("broken-syntax.json:5:") && e.contains("JSON syntax error"), "{e}");

    // A rule the scenario checks, on an imported value, says where it came from.
    let e = load_err(&dir, &with("").replace("path = \"/premium/{id}.mp4\"", "path = \"/other/{id}.mp4\""));
    assert!(e.contains("/premium/*") && e.contains("imported from"), "{e}");
}

#[test]
fn cli_errors_exit_2() {
    for (file, expected) in [
        ("broken-syntax.json", "broken-syntax.json:5:"),
        (
            "unknown-origin.json",
            "`DistributionConfig.CacheBehaviors.Items[1].TargetOriginId`: no origin or origin group has the Id \"api-orgin\"",
        ),
        (
            "missing-domain-name.json",
            "`DistributionConfig.Origins.Items[1].DomainName`: this required field is missing",
        ),
        ("no-such-file.json", "cannot read the distribution JSON"),
    ] {
        let (code, stdout, stderr) = cdnsim(&["import", "distribution", &fixture(file)]);
        assert_eq!(code, 2, "{file}: {stderr}");
        assert!(stdout.is_empty(), "{file}: nothing is printed on an error");
        assert!(stderr.contains(expected) && stderr.contains("fix:"), "{file}: {stderr}");
    }
    let (code, _, stderr) =
        cdnsim(&["import", "distribution", &fixture("distribution-config.json"), "--region", "api-origin=mars-1"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not an AWS Region cdnsim knows"), "{stderr}");
}

/// The fixture distribution with its /video/* behavior on a custom cache policy.
fn with_custom_policy(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(fixture("distribution-config.json")).unwrap();
    let text = text.replace("08627262-05a9-4f76-9ded-b50ca2e3a84f", "4d1f5c2a-7b3e-4f60-9a8d-2c6e1b0f9e37");
    let file = dir.join("custom-policy.json");
    std::fs::write(&file, text).unwrap();
    std::fs::copy(fixture("cache-policy.json"), dir.join("cache-policy.json")).unwrap();
    file
}

#[test]
fn custom_cache_policies_from_their_own_json() {
    let dir = temp_dir("import-policy");
    let json = with_custom_policy(&dir);
    let video = |toml: &str| {
        let table: toml::Table = toml::from_str(toml).unwrap();
        table["distribution"]["behaviors"][3].clone()
    };
    // Without the policy: CloudFront's defaults and a warning saying how to give it.
    let (code, stdout, stderr) = cdnsim(&["import", "distribution", json.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let ttls = video(&stdout);
    assert_eq!(
        [&ttls["min_ttl"], &ttls["default_ttl"], &ttls["max_ttl"]].map(|v| v.as_integer().unwrap()),
        [0, 86_400, 31_536_000]
    );
    assert!(stderr.contains("--cache-policy 4d1f5c2a-7b3e-4f60-9a8d-2c6e1b0f9e37=FILE"), "{stderr}");
    // With it, by ID=FILE or by the file alone (it names its Id): the
    // behavior names the policy, which is written out with its settings.
    let policy = dir.join("cache-policy.json");
    for arg in [format!("4d1f5c2a-7b3e-4f60-9a8d-2c6e1b0f9e37={}", policy.display()), policy.display().to_string()] {
        let (code, stdout, stderr) =
            cdnsim(&["import", "distribution", json.to_str().unwrap(), "--cache-policy", &arg]);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(video(&stdout)["cache_policy"].as_str(), Some("video-segments"));
        assert!(video(&stdout).get("min_ttl").is_none(), "the policy sets the TTLs");
        assert!(
            stdout.contains(
                "[[distribution.cache_policies]]\nname = \"video-segments\"\nmin_ttl = 2\ndefault_ttl = 30\n\
                 max_ttl = 120\nquery_strings = { allow = [\"v\"] }\ncookies = \"none\"\ngzip = false\nbrotli = false\n"
            ),
            "{stdout}"
        );
        assert!(!stderr.contains("CachePolicyId"), "the key is simulated: no warning: {stderr}");
    }
    let (code, _, stderr) = cdnsim(&[
        "import",
        "distribution",
        json.to_str().unwrap(),
        "--cache-policy",
        &format!("other-id={}", policy.display()),
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("is the policy 4d1f5c2a-7b3e-4f60-9a8d-2c6e1b0f9e37, not other-id"), "{stderr}");

    // In a scenario: import_cache_policies.
    let scenario = format!(
        "{}\n[distribution]\nimport = \"custom-policy.json\"\nimport_cache_policies = {{ \"4d1f5c2a-7b3e-4f60-9a8d-2c6e1b0f9e37\" = \"cache-policy.json\" }}\n",
        surroundings()
    );
    let file = dir.join("s.toml");
    std::fs::write(&file, scenario).unwrap();
    let s = Scenario::load(&file, &[]).unwrap_or_else(|e| panic!("{e}"));
    let video = s.distribution.behaviors.iter().find(|b| b.path_pattern == "/video/*").unwrap();
    assert_eq!((video.ttl.min_s, video.ttl.default_s, video.ttl.max_s), (2, 30, 120));
    assert_eq!(video.cache_policy.as_deref(), Some("video-segments"));
    assert!(!s.import_warnings.iter().any(|w| w.path.ends_with("CachePolicyId")));
}

/// Issue 15: a custom policy keying a query string, a header and cookies
/// (`cache-policy-keyed.json`) on the fixture's default behavior: imported,
/// written as a cache policy, pasted into a scenario whose traffic carries
/// them, it validates and fragments the cache.
#[test]
fn a_custom_policy_keying_query_strings_headers_and_cookies() {
    let dir = temp_dir("import-keyed-policy");
    let text = std::fs::read_to_string(fixture("distribution-config.json")).unwrap();
    let text = text.replace("658327ea-f89d-4fab-a63d-7e88639e58f6", "a1b2c3d4-0000-4000-8000-00000000cafe");
    let json = dir.join("keyed.json");
    std::fs::write(&json, text).unwrap();
    let (code, stdout, stderr) = cdnsim(&[
        "import",
        "distribution",
        json.to_str().unwrap(),
        "--cache-policy",
        &fixture("cache-policy-keyed.json"),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains(
            "name = \"site-pages\"\nmin_ttl = 1\ndefault_ttl = 300\nmax_ttl = 3600\nquery_strings = { allow = [\"page\"] }\n\
             headers = [\"Accept-Language\"]\ncookies = { allow = [\"session-id\"] }\ngzip = true\nbrotli = true\n"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("[distribution.default_behavior]") && stdout.contains("cache_policy = \"site-pages\""));
    // Pasted into a scenario whose site pages carry a page number, a
    // language and a session cookie.
    let scenario = format!(
        "{}{stdout}",
        surroundings().replace(
            "cache_control = \"max-age=600\"",
            "cache_control = \"max-age=600\"\nobjects = 20\nquery = [{ name = \"page\", values = 5 }]\n\
             headers = [{ name = \"Accept-Language\", values = [\"en\", \"de\"] }]\n\
             cookies = [{ name = \"session-id\", values = 100, share = 0.5 }]"
        )
    );
    let s = cdnsim::scenario::Scenario::from_toml_str(&dir.join("s.toml"), &scenario, &[])
        .unwrap_or_else(|e| panic!("{e}"));
    let site = s.distribution.behaviors.last().unwrap();
    assert_eq!(site.cache_policy.as_deref(), Some("site-pages"));
    // 20 objects, each requested about 65 times, under 5 pages x 2
    // languages x (no session, or one of 100): dozens of keys each.
    let report = run(&s, 1);
    assert!(summarize(&report, &s).cache_keys.is_some());
    let site = report::cache_key_rows(&report, &s).into_iter().find(|r| r.name == "*").unwrap();
    assert_eq!(site.cache_policy, "site-pages");
    assert!(site.keys_per_object > 10.0 && site.fragmentation_misses > 0, "{site:?}");
}

/// Issue 15: the /api/* behavior's managed AllViewer policy (in every
/// fixture) now imports as `origin_request_policy = "AllViewer"`, with no
/// warning; swapped for a custom policy (`origin-request-policy.json`), it
/// is warned about until given with `--origin-request-policy`, then written
/// as `[[distribution.origin_request_policies]]` and named by the behavior.
/// Pasted into a scenario whose API origin varies on the language, the
/// policy forwards it and CachingDisabled keys nothing, so nothing is
/// untailored and nothing cached could be served to the wrong language.
#[test]
fn origin_request_policies_managed_and_custom() {
    let api = |toml: &str| {
        let table: toml::Table = toml::from_str(toml).unwrap_or_else(|e| panic!("{e}\n{toml}"));
        table["distribution"]["behaviors"][1].clone()
    };
    let (code, stdout, stderr) = cdnsim(&["import", "distribution", &fixture("distribution-config.json")]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(api(&stdout)["origin_request_policy"].as_str(), Some("AllViewer"));
    assert!(!stderr.contains("OriginRequestPolicyId"), "simulated: no warning: {stderr}");

    let dir = temp_dir("import-origin-request-policy");
    let text = std::fs::read_to_string(fixture("distribution-config.json")).unwrap();
    let id = "c0ffee00-1234-4abc-8def-0000000000aa";
    let json = dir.join("custom-orp.json");
    std::fs::write(&json, text.replace("216adef6-5c7f-47e4-b989-5492eafa07d3", id)).unwrap();
    let (code, stdout, stderr) = cdnsim(&["import", "distribution", json.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(api(&stdout).get("origin_request_policy").is_none());
    assert!(stderr.contains(&format!("--origin-request-policy {id}=FILE")), "{stderr}");
    let policy = fixture("origin-request-policy.json");
    for arg in [format!("{id}={policy}"), policy.clone()] {
        let (code, stdout, stderr) =
            cdnsim(&["import", "distribution", json.to_str().unwrap(), "--origin-request-policy", &arg]);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(api(&stdout)["origin_request_policy"].as_str(), Some("api-forwarding"));
        assert!(
            stdout.contains(
                "[[distribution.origin_request_policies]]\nname = \"api-forwarding\"\n\
                 query_strings = { except = [\"utm_source\"] }\n\
                 headers = { allow = [\"Accept-Language\", \"CloudFront-Is-Mobile-Viewer\"] }\ncookies = \"none\"\n"
            ),
            "{stdout}"
        );
        assert!(!stderr.contains("OriginRequestPolicyId"), "{stderr}");
    }
    let (code, _, stderr) = cdnsim(&[
        "import",
        "distribution",
        json.to_str().unwrap(),
        "--origin-request-policy",
        &format!("other-id={policy}"),
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains(&format!("--origin-request-policy other-id={policy}: ")), "{stderr}");
    assert!(stderr.contains(&format!("is the policy {id}, not other-id")), "{stderr}");

    // In a scenario: import_origin_request_policies, and an API whose origin
    // varies on the language.
    std::fs::copy(&policy, dir.join("orp.json")).unwrap();
    let scenario = format!(
        "{}\n[distribution]\nimport = \"custom-orp.json\"\nimport_origin_request_policies = {{ \"{id}\" = \"orp.json\" }}\n",
        surroundings().replace(
            "path = \"/api/items/{id}\"",
            "path = \"/api/items/{id}\"\nheaders = [{ name = \"Accept-Language\", values = [\"en\", \"de\"] }]\n\
             origin_varies_on = [\"Accept-Language\"]"
        )
    );
    let file = dir.join("s.toml");
    std::fs::write(&file, scenario).unwrap();
    let s = Scenario::load(&file, &[]).unwrap_or_else(|e| panic!("{e}"));
    let behavior = s.distribution.behaviors.iter().find(|b| b.path_pattern == "/api/*").unwrap();
    assert_eq!(behavior.origin_request.as_ref().map(|p| p.name.as_str()), Some("api-forwarding"));
    assert!(!s.import_warnings.iter().any(|w| w.path.ends_with("OriginRequestPolicyId")));
    let report = run(&s, 1);
    let api_behavior = s.distribution.behaviors.iter().position(|b| b.path_pattern == "/api/*").unwrap();
    assert!(report.metrics.behaviors[api_behavior].requests > 0);
    assert_eq!(report.metrics.behaviors[api_behavior].mistailored, 0, "CachingDisabled: every answer is the origin's");
    assert!(report.metrics.origins.iter().all(|o| o.untailored == 0), "the language is forwarded");
}

#[test]
fn imported_edge_functions_run_with_the_scenarios_latencies() {
    let scenario = Scenario::load(Path::new(&fixture("edge-functions.toml")), &[]).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = scenario.functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["normalize-request", "auth-check:7", "security-headers:2"]);
    // The scenario's settings override the defaults; the ARN comes along.
    assert_eq!(scenario.functions[0].latency_ms.mean(), 0.3);
    assert_eq!(scenario.functions[1].cold_start_ms.mean(), 400.0);
    assert_eq!(
        scenario.functions[2].arn.as_deref(),
        Some("arn:aws:lambda:us-east-1:111122223333:function:security-headers:2")
    );
    // Only the function the scenario says nothing about is warned about.
    let warned: Vec<&str> = scenario
        .import_warnings
        .iter()
        .filter(|w| w.message.contains("cdnsim's default"))
        .map(|w| w.path.as_str())
        .collect();
    assert_eq!(
        warned,
        ["DistributionConfig.DefaultCacheBehavior.LambdaFunctionAssociations.Items[1].LambdaFunctionARN"],
        "{:#?}",
        scenario.import_warnings
    );
    let report = run(&scenario, 3);
    let rows = report::function_rows(&report, &scenario);
    let events: Vec<(&str, &str)> = rows.iter().map(|r| (r.path_pattern.as_str(), r.event)).collect();
    assert_eq!(
        events,
        [
            ("/account/*", "viewer-request"),
            ("/account/*", "viewer-response"),
            ("*", "viewer-request"),
            ("*", "origin-request"),
            ("*", "origin-response")
        ]
    );
    assert!(rows.iter().all(|r| r.invocations > 0), "{rows:#?}");
    // The CloudFront Function takes its 0.3 ms on every run.
    assert_eq!(rows[2].waited_p99_ms, 0.3);

    // A [[functions]] entry must name a function the imported behaviors run.
    let dir = temp_dir("import-functions");
    std::fs::copy(fixture("edge-functions.json"), dir.join("edge-functions.json")).unwrap();
    let text = std::fs::read_to_string(fixture("edge-functions.toml"))
        .unwrap()
        .replace("\"auth-check:7\"", "\"auth-check:8\"");
    let e = load_err(&dir, &text);
    assert!(
        e.contains("`functions[1].name`: no behavior of edge-functions.json runs a function named \"auth-check:8\""),
        "{e}"
    );
    assert!(e.contains("use one of: normalize-request, auth-check:7, security-headers:2"), "{e}");
}

/// A single-page app on S3 (`app-s3`) whose 403s answer `/index.html` with
/// 200, whose 404s are cached a minute, and whose 503 page lives in a bucket
/// of its own behind `/errors/*` (tests/fixtures/import/custom-error-responses.json).
#[test]
fn custom_error_responses_are_imported_and_run() {
    let (code, imported, stderr) = cdnsim(&["import", "distribution", &fixture("custom-error-responses.json")]);
    assert_eq!(code, 0, "{stderr}");
    let table: toml::Table = toml::from_str(&imported).unwrap_or_else(|e| panic!("{e}\n{imported}"));
    let entries = table["distribution"]["custom_error_responses"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0]["response_code"].as_integer(), Some(200), "ResponseCode \"200\" is a number here");
    assert_eq!(entries[1].get("response_page_path"), None, "an empty ResponsePagePath is no page");
    assert_eq!(entries[2]["error_caching_min_ttl"].as_integer(), Some(5));
    // The page sizes are not in CloudFront's configuration: a warning each.
    let pages = stderr.matches("the page's size is not in CloudFront's configuration").count();
    assert_eq!(pages, 2, "{stderr}");

    // Around a topology and traffic, with the app's bucket answering 403
    // (a path the app's router handles, missing in S3) to a quarter of its
    // requests: the viewers get /index.html with 200, logged Error.
    let text = format!(
        r#"
[simulation]
requests = 2000
[topology.generate]
edges = 3
[traffic]
rate = 200
[[traffic.classes]]
name = "app"
share = 1
path = "/app/{{id}}.js"
objects = 50
size = "20 KiB"
cache_control = "max-age=600"
[[traffic.classes]]
name = "index"
share = 0.1
path = "/index.html"
size = "4 KiB"
cache_control = "max-age=60"
[[faults]]
origin = "app-s3"
kind = "status"
status = 403
fraction = 0.25
start = "0 s"
end = "1 h"
{imported}"#
    );
    let scenario = Scenario::from_toml_str(Path::new("spa.toml"), &text, &[]).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(scenario.distribution.custom_error_responses.len(), 3);
    let report = run(&scenario, 1);
    let rows = report::error_rows(&report, &scenario);
    let forbidden = rows.iter().find(|r| r.status == 403).unwrap();
    assert!(forbidden.to_viewers > 0 && forbidden.pages_served == forbidden.page_fetches, "{forbidden:?}");
    assert_eq!((forbidden.response_page_path.as_str(), forbidden.response_code), ("/index.html", Some(200)));
    let summary = summarize(&report, &scenario);
    let errors = summary.custom_errors.expect("the summary has custom_errors");
    assert_eq!(errors.pages_served, forbidden.pages_served);
    assert_eq!(summary.errors_4xx + summary.errors_5xx + forbidden.pages_served, summary.errors);
}
