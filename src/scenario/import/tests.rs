use super::*;

const CONFIG: &str = include_str!("../../../tests/fixtures/import/distribution-config.json");
const WRAPPED: &str = include_str!("../../../tests/fixtures/import/get-distribution.json");

fn import(text: &str) -> ImportedDistribution {
    import_distribution(Path::new("cf.json"), text, &ImportOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn import_err(text: &str) -> String {
    import_distribution(Path::new("cf.json"), text, &ImportOptions::default()).unwrap_err().to_string()
}

fn warned<'a>(d: &'a ImportedDistribution, path: &str) -> Option<&'a str> {
    d.warnings.iter().find(|w| w.path == path).map(|w| w.message.as_str())
}

/// The smallest config CloudFront accepts, with `extra` fields spliced into it.
fn minimal(behavior_extra: &str, origin_extra: &str) -> String {
    format!(
        r#"{{ "DistributionConfig": {{
            "Origins": {{ "Quantity": 1, "Items": [ {{ "Id": "o", "DomainName": "b.s3.eu-west-1.amazonaws.com",
                "S3OriginConfig": {{ "OriginAccessIdentity": "" }} {origin_extra} }} ] }},
            "DefaultCacheBehavior": {{ "TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all" {behavior_extra} }}
        }} }}"#
    )
}

#[test]
fn origins_from_the_fixture() {
    let d = import(CONFIG);
    let names: Vec<&str> = d.origins.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["static-s3", "primary-alb", "secondary-alb", "api-origin"]);
    let s3 = &d.origins[0];
    assert_eq!(
        (s3.kind, s3.region.as_str(), s3.region_source),
        (OriginKind::S3, "us-west-2", RegionSource::DomainName)
    );
    let primary = &d.origins[1];
    assert_eq!(primary.kind, OriginKind::Custom);
    assert_eq!(primary.region, "us-east-1");
    assert_eq!(primary.origin_shield.as_deref(), Some("us-east-1"));
    assert_eq!(
        (primary.connection_attempts, primary.connection_timeout_s, primary.response_timeout_s),
        (Some(3), Some(10), Some(30))
    );
    assert_eq!(primary.protocol_policy.as_deref(), Some("https-only"));
    assert_eq!(primary.custom_headers, [("X-Origin-Verify".to_string(), "r4nd0m-secret-1".to_string())]);
    let secondary = &d.origins[2];
    assert_eq!(
        (secondary.region.as_str(), secondary.connection_attempts, secondary.connection_timeout_s),
        ("eu-west-1", Some(1), Some(3))
    );
    assert_eq!(secondary.origin_shield, None);
    // api.example.com names no Region: the default, with a warning that says how to give one.
    let api = &d.origins[3];
    assert_eq!(
        (api.region.as_str(), api.region_source, api.response_timeout_s),
        ("us-east-1", RegionSource::Default, Some(60))
    );
    let w = warned(&d, "DistributionConfig.Origins.Items[3].DomainName").unwrap();
    assert!(w.contains("--region api-origin=REGION"), "{w}");
    assert_eq!(
        d.origin_groups,
        [ImportedOriginGroup {
            name: "app-failover".into(),
            members: ["primary-alb".into(), "secondary-alb".into()],
            failover_status_codes: vec![500, 502, 503, 504],
        }]
    );
    assert_eq!(d.domain, None);
}

#[test]
fn behaviors_from_the_fixture() {
    let d = import(CONFIG);
    let ttls = |b: &ImportedBehavior| (b.min_ttl, b.default_ttl, b.max_ttl);
    let default = &d.default_behavior;
    assert_eq!((default.path_pattern.as_deref(), default.origin.as_str()), (None, "app-failover"));
    assert_eq!(ttls(default), (1, 86_400, 31_536_000), "CachingOptimized");
    assert_eq!(default.allowed_methods, [Method::Get, Method::Head, Method::Options]);
    assert_eq!(default.cached_methods, [Method::Get, Method::Head]);
    assert_eq!(default.viewer_protocol_policy.as_deref(), Some("redirect-to-https"));
    let patterns: Vec<&str> = d.behaviors.iter().map(|b| b.path_pattern.as_deref().unwrap()).collect();
    assert_eq!(patterns, ["/premium/*", "/api/*", "/legacy/*.jpg", "/video/*"]);
    let [premium, api, legacy, video] = &d.behaviors[..] else { panic!() };
    assert_eq!(premium.trusted_key_groups, ["9f2b1c7e-1234-4abc-9def-0123456789ab"]);
    assert!(!premium.trusted_signers);
    assert_eq!(ttls(premium), (1, 86_400, 31_536_000), "CachingOptimizedForUncompressedObjects");
    assert_eq!(ttls(api), (0, 0, 0), "CachingDisabled");
    assert_eq!(api.allowed_methods, Method::ALL);
    assert_eq!(ttls(legacy), (60, 3600, 86_400), "legacy fields");
    assert_eq!(legacy.ttl_source, "legacy TTL fields");
    assert_eq!(ttls(video), (0, 86_400, 31_536_000), "Elemental-MediaPackage");
    assert_eq!(video.cached_methods, [Method::Get, Method::Head, Method::Options]);
    // Managed policies by name, with their keys; the legacy behavior keys
    // its path alone (its ForwardedValues forward nothing).
    let policies: Vec<Option<&str>> =
        [default, premium, api, legacy, video].iter().map(|b| b.cache_policy.as_deref()).collect();
    assert_eq!(
        policies,
        [
            Some("CachingOptimized"),
            Some("CachingOptimizedForUncompressedObjects"),
            Some("CachingDisabled"),
            None,
            Some("Elemental-MediaPackage")
        ]
    );
    assert!(default.cache_key.gzip && default.cache_key.brotli);
    assert_eq!(video.cache_key.headers, ["Origin"]);
    assert!(!legacy.cache_key.varies());
    assert!(d.cache_policies.is_empty(), "managed policies are named, not written out");
}

#[test]
fn every_unmodelled_field_is_a_warning() {
    let d = import(CONFIG);
    let config = "DistributionConfig";
    for path in [
        "Aliases",
        "DefaultRootObject",
        "Logging",
        "ViewerCertificate",
        "WebACLId",
        "HttpVersion",
        "IsIPV6Enabled",
        "Origins.Items[0].OriginAccessControlId",
        "Origins.Items[3].OriginPath",
        "Origins.Items[1].CustomOriginConfig.OriginSslProtocols",
        "DefaultCacheBehavior.LambdaFunctionAssociations.Items[0].LambdaFunctionARN",
        "CacheBehaviors.Items[1].FunctionAssociations.Items[0].FunctionARN",
        "CacheBehaviors.Items[0].TrustedKeyGroups",
    ] {
        assert!(warned(&d, &format!("{config}.{path}")).is_some(), "no warning for {path}: {:#?}", d.warnings);
    }
    // Values that change nothing are not warned about.
    for path in [
        "CallerReference",
        "Comment",
        "Enabled",
        "Staging",
        "ContinuousDeploymentPolicyId",
        "Origins.Items[0].OriginPath",
        "Origins.Items[1].CustomOriginConfig.HTTPPort",
        "Origins.Items[1].CustomOriginConfig.OriginKeepaliveTimeout",
        "CacheBehaviors.Items[0].LambdaFunctionAssociations",
        "DefaultCacheBehavior.LambdaFunctionAssociations",
        "DefaultCacheBehavior.LambdaFunctionAssociations.Items[0].IncludeBody",
        "CacheBehaviors.Items[1].FunctionAssociations",
        "CacheBehaviors.Items[2].ForwardedValues",
        "OriginGroups.Items[0].SelectionCriteria",
        // Cache keys are simulated: a managed policy's key is no warning.
        "CacheBehaviors.Items[3].CachePolicyId",
        "DefaultCacheBehavior.CachePolicyId",
    ] {
        assert!(warned(&d, &format!("{config}.{path}")).is_none(), "needless warning for {path}");
    }
}

#[test]
fn protocol_policies_and_origin_headers_become_scenario_fields() {
    let d = import(CONFIG);
    for path in [
        "DistributionConfig.DefaultCacheBehavior.ViewerProtocolPolicy",
        "DistributionConfig.Origins.Items[1].CustomOriginConfig.OriginProtocolPolicy",
        "DistributionConfig.Origins.Items[1].CustomHeaders",
    ] {
        assert!(warned(&d, path).is_none(), "{path} is simulated, so it is not a warning");
    }
    let text = to_toml_text(&d, &to_parts(&d));
    assert!(text.contains("viewer_protocol_policy = \"redirect-to-https\""), "{text}");
    assert!(text.contains("protocol_policy = \"https-only\""), "{text}");
    assert!(text.contains("X-Origin-Verify"), "{text}");
}

#[test]
fn get_distribution_wrapper_gives_the_domain() {
    let wrapped = import(WRAPPED);
    let plain = import(CONFIG);
    assert_eq!(wrapped.domain.as_deref(), Some("d1a2b3c4d5e6f7.cloudfront.net"));
    assert_eq!(wrapped.origins, plain.origins);
    assert_eq!(wrapped.behaviors, plain.behaviors);
    // Paths name the wrapper, and its metadata is not warned about.
    assert!(warned(&wrapped, "Distribution.DistributionConfig.WebACLId").is_some());
    assert_eq!(wrapped.warnings.len(), plain.warnings.len());
    // A bare DistributionConfig (create-distribution's input) reads too.
    let bare = import(minimal("", "").replacen("{ \"DistributionConfig\":", "", 1).trim_end().trim_end_matches('}'));
    assert_eq!(bare.origins[0].region, "eu-west-1");
}

#[test]
fn toml_text_parses_back_to_the_table() {
    let d = import(WRAPPED);
    let parts = to_parts(&d);
    let text = to_toml_text(&d, &parts);
    assert!(text.starts_with("# Imported by `cdnsim import distribution` from cf.json."), "{text}");
    assert!(text.contains("# - DistributionConfig.") || text.contains("# - Distribution.DistributionConfig."));
    let parsed: toml::Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(parsed, to_table(&parts));
    assert_eq!(parsed["distribution"]["domain"].as_str(), Some("d1a2b3c4d5e6f7.cloudfront.net"));
    assert_eq!(parsed["origins"][3]["response_timeout"].as_integer(), Some(60));
    // OriginKeepaliveTimeout 15 maps to keepalive_timeout; the default 5 is left out.
    assert_eq!(parsed["origins"][3]["keepalive_timeout"].as_integer(), Some(15));
    assert_eq!(parsed["origins"][1].get("keepalive_timeout"), None);
    assert_eq!(parsed["distribution"]["behaviors"][2]["default_ttl"].as_integer(), Some(3600));
}

#[test]
fn regions_from_domain_names() {
    for (domain, region) in [
        ("bucket.s3.us-west-2.amazonaws.com", Some("us-west-2")),
        ("bucket.s3-eu-west-1.amazonaws.com", Some("eu-west-1")),
        ("bucket.s3-website-ap-southeast-2.amazonaws.com", Some("ap-southeast-2")),
        ("bucket.s3-website.eu-central-1.amazonaws.com", Some("eu-central-1")),
        ("bucket.s3.dualstack.sa-east-1.amazonaws.com", Some("sa-east-1")),
        ("bucket.s3.amazonaws.com", Some("us-east-1")),
        ("my-alb-1.ap-northeast-1.elb.amazonaws.com", Some("ap-northeast-1")),
        ("abc123.execute-api.eu-west-2.amazonaws.com", Some("eu-west-2")),
        ("xyz.lambda-url.us-east-2.on.aws", Some("us-east-2")),
        ("ec2-203-0-113-25.compute-1.amazonaws.com", Some("us-east-1")),
        ("origin.example.com", None),
        ("us-east-1.example.com", Some("us-east-1")),
    ] {
        assert_eq!(region_from_domain(domain), region, "{domain}");
    }
}

#[test]
fn region_option_and_unknown_regions() {
    let options = ImportOptions {
        regions: [("api-origin".to_string(), "eu-central-1".to_string())].into(),
        default_region: Some("ap-south-1".into()),
        ..Default::default()
    };
    let d = import_distribution(Path::new("cf.json"), CONFIG, &options).unwrap();
    assert_eq!((d.origins[3].region.as_str(), d.origins[3].region_source), ("eu-central-1", RegionSource::Option));
    assert!(warned(&d, "DistributionConfig.Origins.Items[3].DomainName").is_none());
    // A Region cdnsim does not know falls back to the default, with a warning.
    let text = minimal("", "").replace("b.s3.eu-west-1.amazonaws.com", "b.s3.ap-southeast-9.amazonaws.com");
    let d = import_distribution(Path::new("cf.json"), &text, &options).unwrap();
    assert_eq!(d.origins[0].region, "ap-south-1");
    assert!(warned(&d, "DistributionConfig.Origins.Items[0].DomainName").unwrap().contains("ap-southeast-9"));
}

#[test]
fn cache_policies_managed_custom_and_unknown() {
    let unknown = import(&minimal(r#", "CachePolicyId": "11111111-2222-3333-4444-555555555555""#, ""));
    let b = &unknown.default_behavior;
    assert_eq!((b.min_ttl, b.default_ttl, b.max_ttl), (0, 86_400, 31_536_000));
    let w = warned(&unknown, "DistributionConfig.DefaultCacheBehavior.CachePolicyId").unwrap();
    assert!(w.contains("--cache-policy 11111111-2222-3333-4444-555555555555=FILE"), "{w}");
    assert_eq!(b.cache_policy, None, "an unknown policy keeps the legacy fields");
    let short = crate::scenario::CachePolicySpec {
        name: "short".into(),
        ttl: crate::scenario::TtlSettings { min_s: 5, default_s: 60, max_s: 300 },
        key: crate::scenario::CacheKeySettings {
            query_strings: crate::scenario::NameSelection::AllowList(vec!["v".into()]),
            ..Default::default()
        },
    };
    let options = ImportOptions {
        cache_policies: [("11111111-2222-3333-4444-555555555555".to_string(), short.clone())].into(),
        ..Default::default()
    };
    let text = minimal(r#", "CachePolicyId": "11111111-2222-3333-4444-555555555555""#, "");
    let custom = import_distribution(Path::new("cf.json"), &text, &options).unwrap();
    let b = &custom.default_behavior;
    assert_eq!((b.min_ttl, b.default_ttl, b.max_ttl), (5, 60, 300));
    assert_eq!(b.cache_policy.as_deref(), Some("short"));
    assert_eq!(custom.cache_policies, [short]);
    assert!(custom.warnings.is_empty(), "{:?}", custom.warnings);
    // No policy and no TTL fields: CloudFront's defaults, silently.
    let plain = import(&minimal("", ""));
    assert_eq!((plain.default_behavior.min_ttl, plain.default_behavior.max_ttl), (0, 31_536_000));
    assert!(plain.warnings.is_empty(), "{:?}", plain.warnings);
    // Legacy: a MinTTL above a day raises the default TTL, as in CloudFront.
    let legacy = import(&minimal(r#", "MinTTL": 172800"#, ""));
    assert_eq!((legacy.default_behavior.min_ttl, legacy.default_behavior.default_ttl), (172_800, 172_800));
    // Forwarding all headers caches nothing: forwarded_values says so, and
    // the scenario's rule follows (MinTTL must be 0).
    let forward_all = r#", "ForwardedValues": { "QueryString": false, "Cookies": { "Forward": "all" }, "Headers": { "Quantity": 1, "Items": ["*"] } }, "MinTTL": 0"#;
    let all = import(&minimal(forward_all, ""));
    assert!(all.default_behavior.cache_key.all_headers);
    assert!(all.warnings.is_empty(), "{:?}", all.warnings);
    let e = import_err(&minimal(&forward_all.replace(r#""MinTTL": 0"#, r#""MinTTL": 5"#), ""));
    assert!(e.contains("MinTTL is 5 but ForwardedValues forwards every header"), "{e}");
    // The legacy key: query strings (all, or the cache keys), headers and
    // cookies (with wildcards).
    let legacy = import(&minimal(
        r#", "ForwardedValues": { "QueryString": true, "QueryStringCacheKeys": { "Quantity": 1, "Items": ["v"] },
            "Headers": { "Quantity": 1, "Items": ["Accept-Language"] },
            "Cookies": { "Forward": "whitelist", "WhitelistedNames": { "Quantity": 1, "Items": ["sess*"] } } }"#,
        "",
    ));
    let key = &legacy.default_behavior.cache_key;
    assert_eq!(key.query_strings, crate::scenario::NameSelection::AllowList(vec!["v".into()]));
    assert_eq!(key.headers, ["Accept-Language"]);
    assert_eq!(key.cookies, crate::scenario::NameSelection::AllowList(vec!["sess*".into()]));
    assert!(key.cookie_wildcards);
}

#[test]
fn trusted_signers_are_legacy_key_pairs() {
    let d = import(&minimal(
        r#", "TrustedSigners": { "Enabled": true, "Quantity": 2, "Items": ["self", "111122223333"] }"#,
        "",
    ));
    assert!(d.default_behavior.trusted_signers);
    let w = warned(&d, "DistributionConfig.DefaultCacheBehavior.TrustedSigners").unwrap();
    assert!(w.contains("[[signing.legacy_key_pairs]]") && w.contains("111122223333"), "{w}");
}

#[test]
fn errors_name_the_json_path_and_the_fix() {
    let unknown = include_str!("../../../tests/fixtures/import/unknown-origin.json");
    let e = import_err(unknown);
    assert!(e.starts_with("cf.json: `DistributionConfig.CacheBehaviors.Items[1].TargetOriginId`"), "{e}");
    assert!(
        e.contains("\"api-orgin\"")
            && e.contains("fix: use one of: static-s3, primary-alb, secondary-alb, api-origin, app-failover"),
        "{e}"
    );
    let e = import_err(include_str!("../../../tests/fixtures/import/missing-domain-name.json"));
    assert!(e.contains("`DistributionConfig.Origins.Items[1].DomainName`: this required field is missing"), "{e}");
    let e = import_err(include_str!("../../../tests/fixtures/import/broken-syntax.json"));
    assert!(e.starts_with("cf.json:5:") && e.contains("JSON syntax error"), "{e}");
    let e = import_err("[1, 2]");
    assert!(e.contains("not CloudFront distribution JSON") || e.contains("expected a JSON object"), "{e}");
    let e = import_err(r#"{"ETag": "x"}"#);
    assert!(e.contains("get-distribution-config"), "{e}");
    let e = import_err(&minimal("", "").replace(r#""Quantity": 1, "Items": [ {"#, r#""Quantity": 2, "Items": [ {"#));
    assert!(e.contains("`DistributionConfig.Origins.Quantity`: Quantity is 2 but Items has 1 entries"), "{e}");
    let e = import_err(&minimal("", r#", "ConnectionAttempts": 5"#));
    assert!(e.contains("`DistributionConfig.Origins.Items[0].ConnectionAttempts`: 5 is out of range (fix: CloudFront allows 1 to 3)"), "{e}");
    let e = import_err(&minimal("", "").replace("allow-all", "https-please"));
    assert!(e.contains("ViewerProtocolPolicy") && e.contains("redirect-to-https"), "{e}");
    let e = import_err(&minimal(r#", "MinTTL": 10, "DefaultTTL": 5"#, ""));
    assert!(e.contains("MinTTL <= DefaultTTL"), "{e}");
    let group = minimal("", "").replace(
        r#""DefaultCacheBehavior""#,
        r#""OriginGroups": { "Quantity": 1, "Items": [ { "Id": "g", "FailoverCriteria": { "StatusCodes": { "Quantity": 1, "Items": [429] } },
            "Members": { "Quantity": 2, "Items": [ { "OriginId": "o" }, { "OriginId": "o2" } ] } } ] }, "DefaultCacheBehavior""#,
    );
    let e = import_err(&group);
    assert!(e.contains("StatusCodes.Items[0]`: CloudFront cannot fail over on status 429"), "{e}");
    // Issue 13, item 13: CloudFront needs at least one failover status code.
    let e = import_err(&group.replace(r#""Quantity": 1, "Items": [429]"#, r#""Quantity": 0, "Items": []"#));
    assert!(
        e.contains("`DistributionConfig.OriginGroups.Items[0].FailoverCriteria.StatusCodes.Items`: the origin group fails over on no status code"),
        "{e}"
    );
    assert!(e.contains("(fix: list one or more of 400, 403"), "{e}");
}

#[test]
fn function_associations_become_functions_and_behavior_associations() {
    let d = import(EDGE_FUNCTIONS);
    use crate::scenario::FunctionKind::{CloudFrontFunction, LambdaEdge};
    let names: Vec<(&str, crate::scenario::FunctionKind)> =
        d.functions.iter().map(|f| (f.name.as_str(), f.kind)).collect();
    assert_eq!(
        names,
        [("normalize-request", CloudFrontFunction), ("auth-check:7", LambdaEdge), ("security-headers:2", LambdaEdge)],
        "each function once, in the order first met"
    );
    let events = |b: &ImportedBehavior| -> Vec<(String, String)> {
        b.functions.iter().map(|(e, f)| (e.name().to_string(), f.clone())).collect()
    };
    let pair = |e: &str, f: &str| (e.to_string(), f.to_string());
    assert_eq!(
        events(&d.default_behavior),
        [
            pair("viewer-request", "normalize-request"),
            pair("origin-request", "auth-check:7"),
            pair("origin-response", "security-headers:2")
        ]
    );
    assert_eq!(
        events(&d.behaviors[0]),
        [pair("viewer-request", "auth-check:7"), pair("viewer-response", "security-headers:2")]
    );
    // One warning per function, at its first association, naming the defaults.
    let w = warned(&d, "DistributionConfig.DefaultCacheBehavior.LambdaFunctionAssociations.Items[0].LambdaFunctionARN")
        .unwrap();
    assert!(w.contains("auth-check:7") && w.contains("latency (lognormal 20.0±10.0 ms)"), "{w}");
    assert!(w.contains("cold_start (lognormal 250.0±150.0 ms)") && w.contains("keep_warm (10 min)"), "{w}");
    let w = warned(&d, "DistributionConfig.DefaultCacheBehavior.FunctionAssociations.Items[0].FunctionARN").unwrap();
    assert!(w.contains("normalize-request") && w.contains("latency (lognormal 0.2±0.1 ms)"), "{w}");
    assert!(!w.contains("cold_start"), "CloudFront Functions have no cold start: {w}");
    assert!(
        warned(&d, "DistributionConfig.CacheBehaviors.Items[0].LambdaFunctionAssociations.Items[0].LambdaFunctionARN")
            .is_none()
    );
    let w =
        warned(&d, "DistributionConfig.DefaultCacheBehavior.LambdaFunctionAssociations.Items[0].IncludeBody").unwrap();
    assert!(w.contains("request bodies are not modelled"), "{w}");

    // Settings a scenario gives leave the warning, or only the ones it does not give.
    let mut options = ImportOptions::default();
    let given = |s: &[&str]| s.iter().map(|s| s.to_string()).collect();
    options.function_settings.insert("normalize-request".into(), given(&["latency"]));
    options.function_settings.insert("auth-check:7".into(), given(&["latency", "keep_warm"]));
    let d = import_distribution(Path::new("cf.json"), EDGE_FUNCTIONS, &options).unwrap();
    assert!(warned(&d, "DistributionConfig.DefaultCacheBehavior.FunctionAssociations.Items[0].FunctionARN").is_none());
    let w = warned(&d, "DistributionConfig.DefaultCacheBehavior.LambdaFunctionAssociations.Items[0].LambdaFunctionARN")
        .unwrap();
    assert!(w.contains("cold_start") && !w.contains("latency (") && !w.contains("keep_warm ("), "{w}");
}

#[test]
fn function_associations_that_cloudfront_refuses_are_errors() {
    let e = import_err(&EDGE_FUNCTIONS.replacen("\"viewer-request\"", "\"viewer_request\"", 1));
    assert!(e.contains("EventType`: \"viewer_request\" is not one of CloudFront's event types"), "{e}");
    let unversioned = EDGE_FUNCTIONS.replace("function:auth-check:7", "function:auth-check");
    let e = import_err(&unversioned);
    assert!(e.contains("LambdaFunctionARN") && e.contains("numbered version"), "{e}");
    // Found by the `import_distribution` fuzz target: a name past what a
    // scenario takes was imported, and the template did not load.
    let long = format!("function:{}:7", "a".repeat(90));
    let e = import_err(&EDGE_FUNCTIONS.replace("function:auth-check:7", &long));
    assert!(e.contains("LambdaFunctionARN`: the function name") && e.contains("longer than 80 characters"), "{e}");
}

const EDGE_FUNCTIONS: &str = include_str!("../../../tests/fixtures/import/edge-functions.json");

#[test]
fn compress_is_simulated_and_asks_for_content_types() {
    let d = import(&minimal(r#", "Compress": true, "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6""#, ""));
    assert!(d.default_behavior.compress);
    let message = warned(&d, "DistributionConfig.DefaultCacheBehavior.Compress").expect("a warning on Compress");
    assert!(message.contains("content_type") && !message.contains("not modelled"), "{message}");
    let text = to_toml_text(&d, &to_parts(&d));
    assert!(text.contains("compress = true"), "{text}");
    let off = import(&minimal(r#", "Compress": false"#, ""));
    assert!(!off.default_behavior.compress);
    assert_eq!(warned(&off, "DistributionConfig.DefaultCacheBehavior.Compress"), None);
    assert!(!to_toml_text(&off, &to_parts(&off)).contains("compress"));
}

#[test]
fn origin_request_policy_ids_map_to_the_managed_policies_or_warn() {
    // The fixture's /api/* behavior: CachingDisabled with the managed AllViewer.
    let d = import(CONFIG);
    assert_eq!(d.behaviors[1].origin_request_policy.as_deref(), Some("AllViewer"));
    assert!(d.origin_request_policies.is_empty());
    let managed_cors = minimal(
        r#", "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
            "OriginRequestPolicyId": "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf""#,
        "",
    );
    assert_eq!(import(&managed_cors).default_behavior.origin_request_policy.as_deref(), Some("CORS-S3Origin"));
    // Unknown: warned, with the flag that gives it.
    let unknown = managed_cors.replace("88a5eaf4-2fd4-4709-b370-b4c650ea3fcf", "0000");
    let d = import(&unknown);
    assert_eq!(d.default_behavior.origin_request_policy, None);
    let path = "DistributionConfig.DefaultCacheBehavior.OriginRequestPolicyId";
    assert!(warned(&d, path).is_some_and(|w| w.contains("--origin-request-policy 0000=FILE")), "{:?}", d.warnings);
    // Beside the legacy fields CloudFront refuses it: ignored, warned.
    let legacy = minimal(
        r#", "ForwardedValues": { "QueryString": true },
            "OriginRequestPolicyId": "216adef6-5c7f-47e4-b989-5492eafa07d3""#,
        "",
    );
    let d = import(&legacy);
    assert_eq!(d.default_behavior.origin_request_policy, None);
    assert!(warned(&d, path).is_some_and(|w| w.contains("only beside a cache policy")), "{:?}", d.warnings);
}

/// `minimal` with `CustomErrorResponses` holding `items` (JSON objects).
fn with_error_responses(items: &str) -> String {
    let n = items.matches("ErrorCode").count();
    minimal("", "").replacen(
        "\"DefaultCacheBehavior\"",
        &format!("\"CustomErrorResponses\": {{ \"Quantity\": {n}, \"Items\": [ {items} ] }}, \"DefaultCacheBehavior\""),
        1,
    )
}

#[test]
fn custom_error_responses_are_mapped_with_the_response_code_as_a_number() {
    // The fixture's one entry: 503, page /errors/503.html, "503", 5 s.
    let d = import(CONFIG);
    assert_eq!(
        d.custom_error_responses,
        [model::ImportedErrorResponse {
            error_code: 503,
            error_caching_min_ttl_s: Some(5),
            response_page_path: Some("/errors/503.html".into()),
            response_code: Some(503),
        }]
    );
    let page = "DistributionConfig.CustomErrorResponses.Items[0].ResponsePagePath";
    assert!(warned(&d, page).is_some_and(|w| w.contains("1 KiB")), "{:#?}", d.warnings);
    assert!(warned(&d, "DistributionConfig.CustomErrorResponses").is_none());
    // A TTL-only entry (empty strings as the console writes them), and a 416
    // whose TTL CloudFront ignores.
    let d = import(&with_error_responses(
        r#"{ "ErrorCode": 404, "ResponsePagePath": "", "ResponseCode": "", "ErrorCachingMinTTL": 60 },
           { "ErrorCode": 416, "ErrorCachingMinTTL": 30 }"#,
    ));
    assert_eq!(d.custom_error_responses.len(), 2);
    assert_eq!(
        (d.custom_error_responses[0].response_page_path.as_deref(), d.custom_error_responses[0].response_code),
        (None, None)
    );
    let ttl416 = "DistributionConfig.CustomErrorResponses.Items[1].ErrorCachingMinTTL";
    assert!(warned(&d, ttl416).is_some_and(|w| w.contains("never caches a 416")), "{:#?}", d.warnings);
    let text = emit::to_toml_text(&d, &emit::to_parts(&d));
    assert!(
        text.contains("[[distribution.custom_error_responses]]\nerror_code = 404\nerror_caching_min_ttl = 60\n"),
        "{text}"
    );
}

#[test]
fn bad_custom_error_responses_are_refused_with_their_path() {
    let e = import_err(&with_error_responses(r#"{ "ErrorCode": 429 }"#));
    assert!(e.contains("CustomErrorResponses.Items[0].ErrorCode") && e.contains("status 429"), "{e}");
    let e = import_err(&with_error_responses(r#"{ "ErrorCode": 503 }, { "ErrorCode": 503 }"#));
    assert!(e.contains("Items[1].ErrorCode") && e.contains("two custom error responses"), "{e}");
    let e = import_err(&with_error_responses(
        r#"{ "ErrorCode": 503, "ResponsePagePath": "/e.html", "ResponseCode": "OK" }"#,
    ));
    assert!(e.contains("Items[0].ResponseCode") && e.contains("\"OK\""), "{e}");
    let e = import_err(&with_error_responses(r#"{ "ErrorCode": 503, "ResponseCode": "200" }"#));
    assert!(e.contains("no ResponsePagePath"), "{e}");
    let e = import_err(&with_error_responses(
        r#"{ "ErrorCode": 503, "ResponsePagePath": "e.html", "ResponseCode": "200" }"#,
    ));
    assert!(e.contains("Items[0].ResponsePagePath") && e.contains("does not start with '/'"), "{e}");
}

/// Found by the `import_distribution` fuzz target: an empty `AllowedMethods`
/// was imported as `allowed_methods = []`, which the loader refuses. The
/// importer now checks the sets CloudFront offers with the loader's rule.
#[test]
fn method_sets_cloudfront_does_not_offer_are_refused_with_their_path() {
    let methods = |allowed: &str, cached: &str| {
        let (n_allowed, n_cached) = (allowed.matches(',').count() + 1, cached.matches(',').count() + 1);
        let n_allowed = if allowed.is_empty() { 0 } else { n_allowed };
        minimal(
            &format!(
                r#", "AllowedMethods": {{ "Quantity": {n_allowed}, "Items": [{allowed}],
                    "CachedMethods": {{ "Quantity": {n_cached}, "Items": [{cached}] }} }}"#
            ),
            "",
        )
    };
    let e = import_err(&methods("", r#""GET", "HEAD""#));
    assert!(e.contains("`DistributionConfig.DefaultCacheBehavior.AllowedMethods`: CloudFront does not offer"), "{e}");
    let e = import_err(&methods(r#""GET", "HEAD", "POST""#, r#""GET", "HEAD""#));
    assert!(e.contains("AllowedMethods`: CloudFront does not offer the method set"), "{e}");
    let e = import_err(&methods(r#""GET", "HEAD""#, r#""GET", "HEAD", "OPTIONS""#));
    assert!(e.contains("AllowedMethods.CachedMethods`: OPTIONS is cached but not allowed"), "{e}");
    let d = import(&methods(r#""GET", "HEAD", "OPTIONS""#, r#""GET", "HEAD", "OPTIONS""#));
    assert_eq!(d.default_behavior.cached_methods, [Method::Get, Method::Head, Method::Options]);
}

/// Found by the `import_distribution` fuzz target: a `DomainName` with
/// characters no host name has was imported, and the template did not load.
#[test]
fn a_domain_name_that_is_no_host_name_is_refused_at_its_path() {
    let e = import_err(&WRAPPED.replacen(".cloudfront.net", "\u{301}.cloudfront.net", 1));
    assert!(e.contains("`Distribution.DomainName`: ") && e.contains("a host name has only letters"), "{e}");
}

/// Found by the `import_distribution` fuzz target: a custom header name that
/// is no HTTP header name was imported, and the template did not load.
#[test]
fn origin_custom_headers_the_loader_refuses_are_refused_at_their_path() {
    let headers =
        r#", "CustomHeaders": { "Quantity": 1, "Items": [ { "HeaderName": "X[-Verify", "HeaderValue": "v" } ] }"#;
    let e = import_err(&minimal("", headers));
    assert!(e.contains("CustomHeaders.Items`: ") && e.contains("is not a valid HTTP header name"), "{e}");
}

#[test]
fn price_class_and_geo_restriction_are_mapped() {
    let d = import(CONFIG);
    assert_eq!(d.price_class.as_deref(), Some("PriceClass_100"));
    // The fixture blocks KP and IR, where cdnsim has no viewers: each is
    // left out with a warning, and nothing is left to block.
    assert_eq!(d.geo_restriction, None);
    let items = "DistributionConfig.Restrictions.GeoRestriction.Items";
    assert!(warned(&d, &format!("{items}[0]")).is_some_and(|w| w.contains("\"KP\"")), "{:#?}", d.warnings);
    assert!(warned(&d, &format!("{items}[1]")).is_some_and(|w| w.contains("\"IR\"")));
    let text = to_toml_text(&d, &to_parts(&d));
    assert!(text.contains("price_class = \"PriceClass_100\""), "{text}");
    assert!(!text.contains("geo_restriction"), "{text}");

    let blocked = import(&CONFIG.replace("\"KP\"", "\"BR\""));
    let expected = model::ImportedGeoRestriction { allow: false, countries: vec!["BR".into()] };
    assert_eq!(blocked.geo_restriction, Some(expected));
    let text = to_toml_text(&blocked, &to_parts(&blocked));
    assert!(text.contains("geo_restriction = { block = [\"BR\"] }"), "{text}");

    let whitelist =
        CONFIG.replace("\"blacklist\"", "\"whitelist\"").replace("\"KP\"", "\"US\"").replace("\"IR\"", "\"CA\"");
    let allowed = import(&whitelist);
    let expected = model::ImportedGeoRestriction { allow: true, countries: vec!["US".into(), "CA".into()] };
    assert_eq!(allowed.geo_restriction, Some(expected));

    // The default class is the scenario's default too: nothing to write.
    assert_eq!(import(&CONFIG.replace("\"PriceClass_100\"", "\"PriceClass_All\"")).price_class, None);
    let none = CONFIG.replace("\"blacklist\"", "\"none\"");
    assert_eq!(import(&none).geo_restriction, None);
}

#[test]
fn bad_price_classes_and_restrictions_name_their_path() {
    let e = import_err(&CONFIG.replace("\"PriceClass_100\"", "\"PriceClass_50\""));
    assert!(e.contains("DistributionConfig.PriceClass") && e.contains("PriceClass_50"), "{e}");
    let e = import_err(&CONFIG.replace("\"blacklist\"", "\"greylist\""));
    assert!(e.contains("RestrictionType") && e.contains("whitelist"), "{e}");
    // A whitelist of countries cdnsim has no viewers in would refuse every viewer.
    let e = import_err(&CONFIG.replace("\"blacklist\"", "\"whitelist\""));
    assert!(e.contains("GeoRestriction.Items") && e.contains("every simulated viewer"), "{e}");
}
