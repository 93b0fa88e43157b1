//! Signed traffic in the simulation: real signatures made per session and
//! checked by the real verifier at the edges.

use crate::support::*;

const SIGNED: &str = r#"
[simulation]
requests = 400

[[topology.regional_caches]]
region = "us-east-1"

[[topology.edges]]
name = "IAD1"
regional_cache = "us-east-1"
viewer_rtt = "10 ms"
regional_rtt = "20 ms"

[[origins]]
name = "origin"
region = "us-east-1"
latency = "40 ms"

[signing]
[[signing.keys]]
id = "KTRUSTED1"
[[signing.key_groups]]
name = "group"
keys = ["KTRUSTED1"]

[distribution]
[[distribution.behaviors]]
path_pattern = "/private/*"
origin = "origin"
trusted_key_groups = ["group"]

[distribution.default_behavior]
origin = "origin"

[traffic]
rate = 100

[[traffic.classes]]
name = "public"
share = 0.5
objects = 50
path = "/public/{id}"
size = "1 KiB"
cache_control = "max-age=3600"

[[traffic.classes]]
name = "private"
share = 0.5
objects = 50
path = "/private/{id}"
size = "1 KiB"
cache_control = "max-age=3600"
signed = { sessions = 20, mix = { valid-url = 1.0 } }
"#;

fn with_mix(mix: &str, sets: &[&str]) -> cdnsim::scenario::Scenario {
    let text = SIGNED.replace("mix = { valid-url = 1.0 }", &format!("mix = {{ {mix} }}"));
    scenario(&text, sets)
}

#[test]
fn each_kind_of_credential_gets_cloudfronts_answer() {
    let expected = [
        ("valid-url", None),
        ("valid-cookie", None),
        ("expired", Some("expired")),
        ("not-yet-valid", Some("not-yet-valid")),
        ("tampered-signature", Some("bad-signature")),
        ("tampered-policy", Some("bad-signature")),
        ("wrong-key", Some("untrusted-key")),
        ("unknown-key", Some("unknown-key")),
        ("wrong-ip", Some("ip-mismatch")),
        ("none", Some("missing-key")),
    ];
    for (kind, reason) in expected {
        for memoize in ["true", "false"] {
            let s = with_mix(&format!("{kind} = 1.0"), &[&format!("signing.memoize={memoize}")]);
            let report = run(&s, 3);
            let sum = summarize(&report, &s);
            let signing = sum.signing.as_ref().expect("a signing summary");
            assert!(signing.checked > 100, "{kind}: {signing:?}");
            match reason {
                None => assert_eq!((signing.accepted, signing.rejected), (signing.checked, 0), "{kind}"),
                Some(reason) => {
                    assert_eq!(signing.accepted, 0, "{kind}");
                    assert_eq!(
                        signing.by_reason.get(reason),
                        Some(&signing.checked),
                        "{kind}: {:?}",
                        signing.by_reason
                    );
                    // Refused at the edge: 403, and only the public class reaches the origin.
                    assert_eq!(sum.errors_4xx, signing.checked, "{kind}");
                }
            }
        }
    }
}

/// A URL signed for one file (the class's object 0) opens only that file: the
/// same signature on another file fails the resource check. The script asks
/// for /private/0 once and /private/7 49 times.
#[test]
fn a_single_file_url_opens_only_its_file() {
    let steps: Vec<Step> = (0..50)
        .map(|i| (i as f64 * 0.01, "IAD1", cdnsim::http::Method::Get, if i == 0 { "/private/0" } else { "/private/7" }))
        .collect();
    for memoize in ["true", "false"] {
        let s = with_mix("single-file-url = 1.0", &[&format!("signing.memoize={memoize}")]);
        let sum = summarize(&run_script(&s, &steps), &s);
        let signing = sum.signing.as_ref().expect("a signing summary");
        assert_eq!((signing.checked, signing.accepted), (50, 1), "{signing:?}");
        assert_eq!(signing.by_reason.get("resource-mismatch"), Some(&49), "{signing:?}");
    }
    // Synthetic traffic: every refusal is a resource mismatch, and the popular object 0 gets through.
    let s = with_mix("single-file-url = 1.0", &[]);
    let sum = summarize(&run(&s, 3), &s);
    let signing = sum.signing.as_ref().expect("a signing summary");
    assert!(signing.accepted > 0 && signing.rejected > 0, "{signing:?}");
    assert_eq!(signing.by_reason.get("resource-mismatch"), Some(&signing.rejected), "{signing:?}");
}

/// Issue 13, item 6: class paths that carry their own query string, with
/// `{id}` in the path (`/private/{id}.jpg?size=large&license=yes`, the
/// Developer Guide's example query) or in the query (`/private/img?id={id}`).
const QUERY_PATHS: [&str; 2] = ["/private/{id}.jpg?size=large&license=yes", "/private/img?id={id}"];

fn with_path_and_mix(path: &str, mix: &str, sets: &[&str]) -> cdnsim::scenario::Scenario {
    let text = SIGNED
        .replace("path = \"/private/{id}\"", &format!("path = {path:?}"))
        .replace("mix = { valid-url = 1.0 }", &format!("mix = {{ {mix} }}"));
    scenario(&text, sets)
}

/// Viewers sign a wildcard over the class's URLs (`https://{domain}/private/*`
/// or `…/private/img?id=*`, whose `?` stands for the URL's own) and append
/// the signing parameters after `&`, since the path already has a `?`. By
/// hand: every credential is valid and covers every URL of the class, so
/// every one of the private class's requests is checked and accepted, none
/// is refused, and the checks add up to the private behavior's requests.
#[test]
fn a_class_path_with_its_own_query_string_is_accepted() {
    for path in QUERY_PATHS {
        for kind in ["valid-url", "valid-cookie"] {
            for memoize in ["true", "false"] {
                let label = format!("{path} {kind} memoize={memoize}");
                let s = with_path_and_mix(path, &format!("{kind} = 1.0"), &[&format!("signing.memoize={memoize}")]);
                let report = run(&s, 3);
                let sum = summarize(&report, &s);
                let signing = sum.signing.as_ref().expect("a signing summary");
                let private_requests = report.metrics.behaviors[0].requests;
                let public_requests = report.metrics.behaviors[1].requests;
                assert!(signing.checked > 100, "{label}: {signing:?}");
                assert_eq!(signing.checked, private_requests, "{label}");
                assert_eq!((signing.accepted, signing.rejected), (signing.checked, 0), "{label}: {signing:?}");
                assert!(signing.by_reason.is_empty(), "{label}: {signing:?}");
                assert_eq!(private_requests + public_requests, sum.requests, "{label}");
                assert_eq!(sum.errors_4xx, 0, "{label}");
            }
        }
    }
}

/// The other credentials get the same answers under a path with a query
/// string as under a plain one.
#[test]
fn a_class_path_with_its_own_query_string_gets_every_answer() {
    let expected = [
        ("expired", "expired"),
        ("tampered-signature", "bad-signature"),
        ("tampered-policy", "bad-signature"),
        ("wrong-key", "untrusted-key"),
        ("wrong-ip", "ip-mismatch"),
        ("none", "missing-key"),
    ];
    for path in QUERY_PATHS {
        for (kind, reason) in expected {
            for memoize in ["true", "false"] {
                let s = with_path_and_mix(path, &format!("{kind} = 1.0"), &[&format!("signing.memoize={memoize}")]);
                let sum = summarize(&run(&s, 3), &s);
                let signing = sum.signing.as_ref().expect("a signing summary");
                assert!(signing.checked > 100, "{path} {kind}: {signing:?}");
                assert_eq!(signing.accepted, 0, "{path} {kind}");
                assert_eq!(signing.by_reason.get(reason), Some(&signing.checked), "{path} {kind}: {signing:?}");
                assert_eq!(sum.errors_4xx, signing.checked, "{path} {kind}");
            }
        }
    }
}

/// A URL signed for one file whose path has a query string: its `Resource` is
/// that URL as written, `?` unescaped, like the Developer Guide's example.
/// The script asks for object 0 once and object 7 49 times, so by hand 1 is
/// accepted and 49 are `resource-mismatch`: 1 + 49 = 50 checked. (Before the
/// fix all 50 were `resource-mismatch`.)
#[test]
fn a_single_file_url_with_a_query_string_opens_its_file() {
    for (path, zero, seven) in [
        (QUERY_PATHS[0], "/private/0.jpg?size=large&license=yes", "/private/7.jpg?size=large&license=yes"),
        (QUERY_PATHS[1], "/private/img?id=0", "/private/img?id=7"),
    ] {
        let steps: Vec<Step> = (0..50)
            .map(|i| (i as f64 * 0.01, "IAD1", cdnsim::http::Method::Get, if i == 0 { zero } else { seven }))
            .collect();
        for memoize in ["true", "false"] {
            let s = with_path_and_mix(path, "single-file-url = 1.0", &[&format!("signing.memoize={memoize}")]);
            let sum = summarize(&run_script(&s, &steps), &s);
            let signing = sum.signing.as_ref().expect("a signing summary");
            assert_eq!((signing.checked, signing.accepted, signing.rejected), (50, 1, 49), "{path}: {signing:?}");
            assert_eq!(signing.by_reason.get("resource-mismatch"), Some(&49), "{path}: {signing:?}");
            assert_eq!(sum.errors_4xx, 49, "{path}");
        }
    }
}

#[test]
fn the_memo_changes_no_outcome_with_a_query_string() {
    let mix = "valid-url = 0.4, valid-cookie = 0.2, expired = 0.1, single-file-url = 0.1, wrong-ip = 0.1, none = 0.1";
    for path in QUERY_PATHS {
        let files = |memoize: &str| {
            let s = with_path_and_mix(path, mix, &["simulation.requests=2000", &format!("signing.memoize={memoize}")]);
            cdnsim::report::result_files(&run(&s, 11), &s).unwrap()
        };
        assert_eq!(files("true"), files("false"), "{path}");
    }
}

#[test]
fn the_memo_changes_no_outcome() {
    let mix = "valid-url = 0.4, valid-cookie = 0.2, expired = 0.1, tampered-policy = 0.1, wrong-ip = 0.1, none = 0.1";
    let files = |memoize: &str| {
        let s = with_mix(mix, &["simulation.requests=3000", &format!("signing.memoize={memoize}")]);
        cdnsim::report::result_files(&run(&s, 11), &s).unwrap()
    };
    assert_eq!(files("true"), files("false"));
}

#[test]
fn refused_requests_never_reach_a_cache_or_the_origin() {
    let s = with_mix("none = 1.0", &[]);
    let report = run(&s, 5);
    let sum = summarize(&report, &s);
    let private_behavior = &report.metrics.behaviors[0];
    assert_eq!(private_behavior.results.get(cdnsim::metrics::ResultType::Error), private_behavior.requests);
    // Every origin request came from the public class: at most its 50 objects.
    assert!(sum.origin_requests <= 50, "{}", sum.origin_requests);
    let edge = &report.metrics.caches[0];
    assert_eq!(edge.lookups + sum.errors_4xx, sum.requests);
}

#[test]
fn signing_configuration_errors() {
    let six_keys = SIGNED
        .replace(
            "[[signing.keys]]\nid = \"KTRUSTED1\"",
            &(1..=6).map(|i| format!("[[signing.keys]]\nid = \"K{i}\"\n")).collect::<String>(),
        )
        .replace("keys = [\"KTRUSTED1\"]", "keys = [\"K1\", \"K2\", \"K3\", \"K4\", \"K5\", \"K6\"]");
    let cases: Vec<(String, &str)> = vec![
        (six_keys, "5"),
        (
            SIGNED.replace(
                "trusted_key_groups = [\"group\"]",
                "trusted_key_groups = [\"group\", \"group\", \"group\", \"group\", \"group\"]",
            ),
            "4",
        ),
        (
            SIGNED.replace("trusted_key_groups = [\"group\"]", "trusted_key_groups = [\"nope\"]"),
            "no key group is named \"nope\"",
        ),
        (
            SIGNED.replace("signed = { sessions = 20, mix = { valid-url = 1.0 } }", ""),
            "requires signed URLs or cookies",
        ),
        (SIGNED.replace("id = \"KTRUSTED1\"", "id = \"KTRUSTED1\"\nprivate_key = \"missing.pem\""), "cannot read"),
        (SIGNED.replace("valid-url = 1.0", "valid-ur1 = 1.0"), "unknown credential kind"),
    ];
    for (text, problem) in cases {
        let message = try_scenario(&text, &[]).expect_err(problem).to_string();
        assert!(message.contains(problem), "{problem}: {message}");
        // Issue 13, item 13: the fix is said once, not once by the quota
        // check and again by the scenario loader.
        assert_eq!(message.matches("(fix: ").count(), 1, "{message}");
    }
}

/// Issue 13, item 7: the distribution's domain is the host of every signed
/// URL, so a domain that is no host name is refused when the scenario loads
/// instead of panicking in the signer mid-run.
#[test]
fn a_domain_that_is_no_host_name_is_refused_before_signing() {
    for (domain, problem) in [
        ("d1.cloudfront.net#x", "holds a fragment (`#`)"),
        ("https://d1.cloudfront.net", "starts with the scheme https://"),
        ("d1.cloudfront.net:8443", "holds a port"),
        ("d1.cloudfront.net/video", "holds a path"),
        ("d1.cloudfront.net?a=1", "holds a query string"),
        ("d1 .net", "contains ' '"),
    ] {
        let set = format!("distribution.domain={domain:?}");
        let e = try_scenario(SIGNED, &[&set]).expect_err(domain);
        let f = e.field_error().expect("a field error");
        assert_eq!(f.field, "distribution.domain", "{e}");
        assert!(f.problem.contains(problem), "{domain}: {e}");
        assert!(e.to_string().contains(&format!("the value came from --set {set}")), "{e}");
    }
    let e = try_scenario(SIGNED, &["distribution.domain=\"https://d1.cloudfront.net/\""]).unwrap_err();
    assert!(e.to_string().ends_with("(fix: write \"d1.cloudfront.net\")"), "{e}");
    // A real host name signs and verifies as before.
    let s = scenario(SIGNED, &["distribution.domain=\"media.example.com\""]);
    let signing = summarize(&run(&s, 3), &s).signing.expect("checked");
    assert_eq!((signing.accepted, signing.rejected), (signing.checked, 0), "{signing:?}");
}

/// A class of viewers that sign may carry its own query string: the signing
/// parameters follow it after `&` (issue 13, item 6), so every valid URL is
/// accepted: rejected = 0 and accepted = checked.
#[test]
fn a_signed_class_with_a_query_string_is_signed_after_its_query() {
    let text = SIGNED.replace("path = \"/private/{id}\"", "path = \"/private/{id}?v=2\"");
    let s = scenario(&text, &[]);
    let sum = summarize(&run(&s, 3), &s);
    let signing = sum.signing.as_ref().expect("a signing summary");
    assert!(signing.checked > 100, "{signing:?}");
    assert_eq!((signing.accepted, signing.rejected), (signing.checked, 0), "{signing:?}");
}

/// Issue 13, item 10: a fixed-path class (no `{id}`) is one object, and its
/// viewers' wildcard credentials cover that one path; a URL signed for the
/// class's object 0 is signed for exactly it, so it opens every request.
#[test]
fn a_fixed_path_class_signs_its_one_path() {
    let text = SIGNED.replace("objects = 50\npath = \"/private/{id}\"", "path = \"/private/live.m3u8\"");
    for mix in ["valid-url = 1.0", "single-file-url = 1.0", "valid-cookie = 1.0"] {
        let s = scenario(&text.replace("valid-url = 1.0", mix), &[]);
        assert_eq!(s.traffic.classes[1].objects, 1);
        let sum = summarize(&run(&s, 3), &s);
        let signing = sum.signing.as_ref().expect("a signing summary");
        assert!(signing.checked > 100, "{mix}: {signing:?}");
        assert_eq!((signing.accepted, signing.rejected), (signing.checked, 0), "{mix}: {signing:?}");
    }
}

/// `SIGNED` with the private behavior trusting the account's legacy key pairs
/// instead of a key group.
fn legacy(pairs: &str) -> String {
    SIGNED
        .replace("trusted_key_groups = [\"group\"]", "trusted_signers = true")
        .replace("[distribution]", &format!("{pairs}\n[distribution]"))
}

#[test]
fn legacy_root_account_key_pairs() {
    let one = "[[signing.legacy_key_pairs]]\nid = \"APKAJ6RV6ACUX5M5IAOQ\"\n";
    let s = scenario(&legacy(one), &[]);
    let sum = summarize(&run(&s, 2), &s);
    let signing = sum.signing.expect("checked");
    assert!(signing.checked > 100 && signing.accepted == signing.checked, "{signing:?}");

    // CloudFront allows two active key pairs per account, made by the root user only.
    let three: String = (1..=3).map(|i| format!("[[signing.legacy_key_pairs]]\nid = \"APKA{i}\"\n")).collect();
    let message = try_scenario(&legacy(&three), &[]).unwrap_err().to_string();
    assert!(message.contains("signing.legacy_key_pairs"), "{message}");
    assert!(message.contains("root"), "{message}");
    let with_inactive = format!("{three}active = false\n");
    assert!(try_scenario(&legacy(&with_inactive), &[]).is_ok());

    let none = "[[signing.legacy_key_pairs]]\nid = \"APKA1\"\nactive = false\n";
    let message = try_scenario(&legacy(none), &[]).unwrap_err().to_string();
    assert!(message.contains("no active legacy key pair"), "{message}");
    // The fix says who can make key pairs and points to key groups.
    assert!(message.contains("root user") && message.contains("trusted_key_groups"), "{message}");
}

/// Every range GET is a request of its own and is checked on its own
/// (reference §1.10): with every private GET a range GET, an expired URL
/// is refused each time (checked = rejected = the private class's GETs,
/// each a 403 counted among the range GETs' other answers), and valid
/// URLs are each checked and accepted.
#[test]
fn each_range_get_is_checked_on_its_own() {
    let with_ranges = |mix: &str| {
        let text = SIGNED.replace("mix = { valid-url = 1.0 }", &format!("mix = {{ {mix} }}")).replace(
            "size = \"1 KiB\"\ncache_control = \"max-age=3600\"\nsigned",
            "size = \"3 MiB\"\ncache_control = \"max-age=3600\"\nrange_share = 1\nrange_length = 1000\nsigned",
        );
        scenario(&text, &[])
    };
    let s = with_ranges("expired = 1.0");
    let report = run(&s, 3);
    let sum = summarize(&report, &s);
    let signing = sum.signing.as_ref().unwrap();
    let ranges = report.metrics.ranges.as_ref().unwrap().total();
    assert!(signing.checked > 100);
    assert_eq!((signing.rejected, ranges.requests, ranges.other), (signing.checked, signing.checked, signing.checked));
    assert_eq!((ranges.partial, ranges.origin_requests), (0, 0));
    let s = with_ranges("valid-url = 1.0");
    let report = run(&s, 3);
    let signing = summarize(&report, &s).signing.unwrap();
    let ranges = report.metrics.ranges.as_ref().unwrap().total();
    assert_eq!((signing.accepted, ranges.partial), (signing.checked, signing.checked));
}
