//! The `sign`/`verify` command line and the date parser, against the signing crate's
//! known-answer fixtures (`crates/cdnsim-sign/tests/fixtures/`). Signing and verification
//! themselves are tested in `crates/cdnsim-sign/tests/`.

use std::path::PathBuf;
use std::process::ExitCode;

fn fixture_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("crates/cdnsim-sign/tests/fixtures").join(relative)
}

fn fixture(relative: &str) -> String {
    std::fs::read_to_string(fixture_path(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

const RSA_ID: &str = "K2JCJMDEHXQW5F";
/// The time `cdnsim verify` runs at when a test gives no `--at`.
const NOW: i64 = 1_900_000_000;
const BASE: &str = "https://d111111abcdef8.cloudfront.net";
/// The Developer Guide's `Resource` with your own query string ("Create a signed URL using a
/// custom policy").
const HORIZON: &str = "https://d111111abcdef8.cloudfront.net/images/horizon.jpg?size=large&license=yes";

// ---------------------------------------------------------------------------------------------
// Known answers: botocore's signed URLs (the fields the command line needs; the signing crate's
// tests read them all) and its date parsing.

#[derive(serde::Deserialize)]
struct Vectors {
    vectors: Vec<Vector>,
}

#[derive(serde::Deserialize)]
struct Vector {
    name: String,
    url: String,
    #[serde(default)]
    policy_resource: Option<String>,
    date_less_than: i64,
    #[serde(default)]
    date_greater_than: Option<i64>,
    #[serde(default)]
    ip_address: Option<String>,
    hash_algorithm: String,
    signed: String,
}

fn vectors() -> Vec<Vector> {
    serde_json::from_str::<Vectors>(&fixture("vectors.json")).unwrap().vectors
}

#[test]
fn known_answers_dates_parse_like_botocore() {
    #[derive(serde::Deserialize)]
    struct Dates {
        dates: std::collections::BTreeMap<String, i64>,
    }
    let dates: Dates = serde_json::from_str(&fixture("dates.json")).unwrap();
    assert!(dates.dates.len() >= 10);
    for (text, epoch) in dates.dates {
        assert_eq!(cdnsim::units::parse_date(&text), Ok(epoch), "{text}");
    }
}

// ---------------------------------------------------------------------------------------------
// The command line: `cdnsim sign|verify`, the built binary run as a person runs it.

struct Run {
    result: Result<ExitCode, String>,
    stdout: String,
    stderr: String,
}

/// Runs `cdnsim <args>`; `{keys}` in an argument is the fixture key directory. A `verify` without
/// `--at` is checked at `NOW`. Exit status 2 is an error: its message is what follows
/// `cdnsim: error: ` on stderr.
fn run(args: &[&str]) -> Run {
    let keys = fixture_path("keys");
    let mut args: Vec<String> = args.iter().map(|a| a.replace("{keys}", keys.to_str().unwrap())).collect();
    if args.first().is_some_and(|a| a == "verify") && !args.iter().any(|a| a == "--at") {
        args.extend(["--at".to_string(), NOW.to_string()]);
    }
    let output =
        std::process::Command::new(env!("CARGO_BIN_EXE_cdnsim")).args(&args).output().expect("the binary runs");
    let (stdout, stderr) = (String::from_utf8(output.stdout).unwrap(), String::from_utf8(output.stderr).unwrap());
    let result = match output.status.code().expect("cdnsim exits with a status") {
        2 => {
            let message = stderr.strip_prefix("cdnsim: error: ");
            Err(message.unwrap_or_else(|| panic!("{args:?}: exit 2 without an error: {stderr}")).trim_end().to_string())
        }
        code => Ok(ExitCode::from(u8::try_from(code).unwrap())),
    };
    Run { result, stdout, stderr }
}

fn success(run: &Run) -> String {
    assert_eq!(run.result, Ok(ExitCode::SUCCESS), "stderr: {}", run.stderr);
    run.stdout.trim_end().to_string()
}

fn error(run: &Run) -> String {
    run.result.clone().expect_err("expected an error (exit 2)")
}

#[test]
fn cli_sign_url_matches_botocore_for_canned_and_custom() {
    for name in ["canned-sha1", "custom-all-conditions-sha1", "canned-sha256", "canned-query-horizon-sha1"] {
        let v = vectors().into_iter().find(|v| v.name == name).unwrap();
        let dlt = v.date_less_than.to_string();
        let mut args = vec![
            "sign",
            "url",
            "--url",
            &v.url,
            "--key-pair-id",
            RSA_ID,
            "--private-key",
            "file://{keys}/rsa2048_pkcs1.pem",
            "--date-less-than",
            &dlt,
        ];
        let dgt = v.date_greater_than.map(|d| d.to_string());
        if let Some(resource) = &v.policy_resource {
            args.extend(["--policy-resource", resource]);
        }
        if let Some(d) = &dgt {
            args.extend(["--date-greater-than", d]);
        }
        if let Some(ip) = &v.ip_address {
            args.extend(["--ip-address", ip]);
        }
        if v.hash_algorithm != "SHA1" {
            args.extend(["--hash-algorithm", &v.hash_algorithm]);
        }
        assert_eq!(success(&run(&args)), v.signed, "{name}");
    }
}

#[test]
fn cli_sign_then_verify_url_and_cookies() {
    let url = format!("{BASE}/img/a.jpg");
    let signed = success(&run(&[
        "sign",
        "url",
        "--url",
        &url,
        "--key-pair-id",
        "KEC1",
        "--private-key",
        "{keys}/p256_pkcs8.pem",
        "--date-less-than",
        "2030-01-01T00:00:00Z",
    ]));
    assert!(
        signed.starts_with(&format!("{url}?Expires=1893456000&Signature="))
            && signed.ends_with("&Key-Pair-Id=KEC1&Hash-Algorithm=SHA256"),
        "{signed}"
    );
    let verify = ["verify", "url", &signed, "--public-key", "KEC1={keys}/p256_public.pem"];
    let accepted = run(&[&verify[..], &["--at", "2029-06-01T00:00:00Z"]].concat());
    assert_eq!(success(&accepted), "ACCEPT");
    let expired = run(&[&verify[..], &["--at", "2030-01-01"]].concat());
    assert_eq!(expired.result, Ok(ExitCode::FAILURE));
    assert_eq!(expired.stdout, "REJECT: expired\n");
    assert!(expired.stderr.contains("403 AccessDenied"), "{}", expired.stderr);

    let cookies = success(&run(&[
        "sign",
        "cookies",
        "--policy-resource",
        &format!("{BASE}/img/*"),
        "--key-pair-id",
        RSA_ID,
        "--private-key",
        "file://{keys}/rsa2048_pkcs8.pem",
        "--date-less-than",
        "2030-01-01",
        "--ip-address",
        "192.0.2.0/24",
    ]));
    let lines: Vec<&str> = cookies.lines().collect();
    assert_eq!(lines.len(), 3, "{cookies}");
    assert!(
        lines[0].starts_with("CloudFront-Policy=")
            && lines[1].starts_with("CloudFront-Signature=")
            && lines[2] == format!("CloudFront-Key-Pair-Id={RSA_ID}")
    );
    let public = format!("{RSA_ID}={{keys}}/rsa2048_public.pem");
    let base = [
        "verify",
        "cookies",
        "--url",
        &url,
        "--cookie",
        lines[0],
        "--cookie",
        &format!("{}; {}", lines[1], lines[2]),
        "--public-key",
        &public,
        "--at",
        "1893455999",
    ];
    assert_eq!(success(&run(&[&base[..], &["--ip", "192.0.2.7"]].concat())), "ACCEPT");
    let outside = run(&[&base[..], &["--ip", "198.51.100.7"]].concat());
    assert_eq!((outside.result, outside.stdout.as_str()), (Ok(ExitCode::FAILURE), "REJECT: ip-mismatch\n"));
    // Without --ip the policy's address condition cannot be checked: a usage error naming the flag.
    assert!(error(&run(&base)).contains("--ip"));
    // Known but untrusted key.
    let untrusted = run(&[
        &base[..],
        &["--ip", "192.0.2.7", "--public-key", "KOTHER={keys}/rsa2048b_public.pem", "--trusted", "KOTHER"],
    ]
    .concat());
    assert_eq!(untrusted.stdout, "REJECT: untrusted-key\n");
    assert!(untrusted.stderr.contains("InvalidKey"));
}

/// `cdnsim sign url` with the guide's URL and its query string as the Resource of a custom policy
/// (an `--ip-address` makes it custom): the `--url` matches `--policy-resource` section by
/// section, so it signs, and `cdnsim verify` accepts the result. Before issue 13 item 6 the first
/// was refused and the second rejected as `resource-mismatch`.
#[test]
fn cli_signs_and_verifies_a_resource_with_its_query_string() {
    let sign = |extra: &[&str]| {
        let base = [
            "sign",
            "url",
            "--url",
            HORIZON,
            "--key-pair-id",
            RSA_ID,
            "--private-key",
            "{keys}/rsa2048_pkcs1.pem",
            "--date-less-than",
            "2030-01-01",
            "--ip-address",
            "192.0.2.0/24",
        ];
        success(&run(&[&base[..], extra].concat()))
    };
    let implied = sign(&[]);
    assert_eq!(implied, sign(&["--policy-resource", HORIZON]));
    assert!(implied.starts_with(&format!("{HORIZON}&Policy=")), "{implied}");
    let public = format!("{RSA_ID}={{keys}}/rsa2048_public.pem");
    let verify =
        |url: &str| run(&["verify", "url", url, "--public-key", &public, "--ip", "192.0.2.7", "--at", "2029-12-31"]);
    assert_eq!(success(&verify(&implied)), "ACCEPT");
    let other = verify(&implied.replacen("size=large", "size=small", 1));
    assert_eq!((other.result, other.stdout.as_str()), (Ok(ExitCode::FAILURE), "REJECT: resource-mismatch\n"));
    assert!(other.stderr.contains(HORIZON), "{}", other.stderr);
}

#[test]
fn cli_chooses_canned_or_custom_like_the_aws_cli() {
    let sign = |extra: &[&str]| {
        let base = [
            "sign",
            "url",
            "--url",
            "https://d.example.net/a.jpg",
            "--key-pair-id",
            RSA_ID,
            "--private-key",
            "{keys}/rsa2048_pkcs1.pem",
            "--date-less-than",
            "2030-01-01",
        ];
        success(&run(&[&base[..], extra].concat()))
    };
    assert!(sign(&[]).contains("?Expires=1893456000&Signature="));
    assert!(sign(&["--policy-resource", "https://d.example.net/a.jpg"]).contains("?Expires="));
    assert!(sign(&["--policy-resource", "https://d.example.net/*"]).contains("?Policy="));
    assert!(sign(&["--policy-resource", "https://d.example.net/?.jpg"]).contains("?Policy="));
    assert!(sign(&["--date-greater-than", "2029-01-01"]).contains("?Policy="));
    assert!(sign(&["--ip-address", "192.0.2.1"]).contains("?Policy="));
    assert!(!sign(&["--hash-algorithm", "SHA1"]).contains("Hash-Algorithm"));
    assert!(sign(&["--hash-algorithm", "SHA256"]).ends_with("&Hash-Algorithm=SHA256"));
}

#[test]
fn cli_refuses_bad_input_naming_the_flag() {
    let refuse_with_key = |key_id: &str, extra: &[&str], needle: &str| {
        let base = [
            "sign",
            "url",
            "--key-pair-id",
            key_id,
            "--private-key",
            "{keys}/rsa2048_pkcs1.pem",
            "--date-less-than",
            "2030-01-01",
        ];
        let message = error(&run(&[&base[..], extra].concat()));
        assert!(message.contains(needle), "{extra:?}: {message}");
    };
    let refuse = |extra: &[&str], needle: &str| refuse_with_key(RSA_ID, extra, needle);
    refuse(&["--url", "https://d.net/a.jpg#top"], "fragment");
    refuse(&["--url", "https://d.net/a.jpg?Expires=1"], "already contains the CloudFront signing parameters Expires");
    refuse(&["--url", "https://d.net/a b.jpg"], "ASCII");
    refuse(&["--url", "d.net/a.jpg"], "not a valid URL");
    refuse(
        &["--url", "https://d.net/video/a.jpg", "--policy-resource", "https://d.net/img/*"],
        "does not match --policy-resource",
    );
    refuse(&["--url", "https://d.net/a.jpg", "--policy-resource", "https://d.net*a.jpg"], "section by section");
    refuse(
        &["--url", "https://d.net/a.jpg", "--date-greater-than", "2031-01-01"],
        "--date-greater-than (the active date) must be before",
    );
    refuse(&["--url", "https://d.net/a.jpg", "--ip-address", "2001:db8::/32"], "IPv6");
    refuse(&["--url", "https://d.net/a.jpg", "--ip-address", "192.0.2.300"], "--ip-address");
    refuse_with_key("K-1", &["--url", "https://d.net/a.jpg"], "--key-pair-id");
    let message = error(&run(&[
        "sign",
        "url",
        "--url",
        "https://d.net/a",
        "--key-pair-id",
        "K1",
        "--private-key",
        "file://{keys}/missing.pem",
        "--date-less-than",
        "2030-01-01",
    ]));
    assert!(
        message.contains("--private-key") && message.contains("missing.pem") && message.contains("fix:"),
        "{message}"
    );
    let message = error(&run(&[
        "sign",
        "url",
        "--url",
        "https://d.net/a",
        "--key-pair-id",
        "K1",
        "--private-key",
        "{keys}/rsa1024_pkcs1.pem",
        "--date-less-than",
        "2030-01-01",
    ]));
    assert!(message.contains("--private-key") && message.contains("1024-bit"), "{message}");
    let message = error(&run(&[
        "sign",
        "url",
        "--url",
        "https://d.net/a",
        "--key-pair-id",
        "K1",
        "--private-key",
        "{keys}/p256_sec1.pem",
        "--date-less-than",
        "2030-01-01",
        "--hash-algorithm",
        "SHA1",
    ]));
    assert!(message.contains("ECDSA"), "{message}");
    let message = error(&run(&[
        "sign",
        "url",
        "--url",
        "https://d.net/a",
        "--key-pair-id",
        "K1",
        "--private-key",
        "{keys}/rsa2048_pkcs1.pem",
        "--date-less-than",
        "next week",
    ]));
    assert!(message.contains("--date-less-than") && message.contains("YYYY-MM-DD"), "{message}");
    let message =
        error(&run(&["verify", "url", "https://d.net/a?Expires=1&Signature=a&Key-Pair-Id=K1", "--public-key", "K1"]));
    assert!(message.contains("--public-key") && message.contains("ID=PATH"), "{message}");
    let message = error(&run(&["verify", "url", "https://d.net/a", "--public-key", "K1={keys}/rsa2048_pkcs1.pem"]));
    assert!(message.contains("--public-key") && message.contains("-pubout"), "{message}");
}
