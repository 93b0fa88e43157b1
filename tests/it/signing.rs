//! Signed URLs and cookies end to end: known answers from independent implementations and the
//! AWS documentation, round trips and every rejection for URLs and cookies with each key form,
//! key type and hash, the memo, and the `sign`/`verify` command line.

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use cdnsim::cli::sign as cli;
use cdnsim_sign::{
    Accepted, HashAlgorithm, KeyGroup, KeyRegistry, Policy, PolicyKind, PublicKey, Rejection, SignPolicy,
    SignatureMemo, SigningKey, Transport, TrustedKeys,
};
use clap::Parser;

fn fixture_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("crates/cdnsim-sign/tests/fixtures").join(relative)
}

fn fixture(relative: &str) -> String {
    std::fs::read_to_string(fixture_path(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

const RSA_ID: &str = "K2JCJMDEHXQW5F";
const EC_ID: &str = "KECDSAP256EXAMPLE";
const UNTRUSTED_ID: &str = "KUNTRUSTED";

/// A registry with the RSA and ECDSA test keys trusted, and a second RSA key registered but in
/// no trusted key group.
fn trust() -> (KeyRegistry, TrustedKeys) {
    let mut registry = KeyRegistry::new();
    registry.insert(RSA_ID, PublicKey::from_pem(&fixture("keys/rsa2048_public.pem")).unwrap());
    registry.insert(EC_ID, PublicKey::from_pem(&fixture("keys/p256_public.pem")).unwrap());
    registry.insert(UNTRUSTED_ID, PublicKey::from_pem(&fixture("keys/rsa2048b_public.pem")).unwrap());
    let group = KeyGroup { id: "premium".into(), key_ids: vec![RSA_ID.into(), EC_ID.into()] };
    (registry, TrustedKeys::from_key_groups([&group]))
}

// ---------------------------------------------------------------------------------------------
// Known answers: botocore, openssl and the AWS documentation.

#[derive(serde::Deserialize)]
struct Vectors {
    vectors: Vec<Vector>,
}

#[derive(serde::Deserialize)]
struct Vector {
    name: String,
    transport: String,
    deterministic: bool,
    key_id: String,
    private_key: String,
    public_key: String,
    url: String,
    #[serde(default)]
    policy_resource: Option<String>,
    #[serde(default)]
    policy: Option<String>,
    date_less_than: i64,
    #[serde(default)]
    date_greater_than: Option<i64>,
    #[serde(default)]
    ip_address: Option<String>,
    hash_algorithm: String,
    signed: String,
}

impl Vector {
    fn sign_policy(&self) -> SignPolicy {
        if let Some(json) = &self.policy {
            if self.signed.contains("CloudFront-Expires=") {
                return SignPolicy::Canned { expires: self.date_less_than };
            }
            return SignPolicy::Custom(Policy::from_json(json.as_bytes()).unwrap());
        }
        if self.policy_resource.is_none() && self.date_greater_than.is_none() && self.ip_address.is_none() {
            return SignPolicy::Canned { expires: self.date_less_than };
        }
        SignPolicy::Custom(Policy {
            resource: Some(self.policy_resource.clone().unwrap_or_else(|| self.url.clone())),
            date_less_than: self.date_less_than,
            date_greater_than: self.date_greater_than,
            ip_address: self.ip_address.as_deref().map(|s| s.parse().unwrap()),
        })
    }

    /// A client address inside the policy's range (the range's own address part).
    fn client(&self) -> IpAddr {
        let range = match self.sign_policy() {
            SignPolicy::Custom(policy) => policy.ip_address.map(|r| r.as_str().to_string()),
            SignPolicy::Canned { .. } => None,
        };
        ip(range.as_deref().unwrap_or("203.0.113.1").split('/').next().unwrap())
    }

    fn verify(&self, registry: &KeyRegistry, trusted: &TrustedKeys, now: i64) -> Result<Accepted, Rejection> {
        match self.transport.as_str() {
            "url" => cdnsim_sign::verify_url(&self.signed, registry, trusted, now, self.client()),
            _ => cdnsim_sign::verify_cookies(&self.url, &self.signed, registry, trusted, now, self.client()),
        }
    }
}

fn vectors() -> Vec<Vector> {
    serde_json::from_str::<Vectors>(&fixture("vectors.json")).unwrap().vectors
}

#[test]
fn known_answers_cdnsim_signs_byte_for_byte_like_botocore_and_openssl() {
    let mut compared = 0;
    for v in vectors().iter().filter(|v| v.deterministic) {
        let key = SigningKey::from_pem(&fixture(&v.private_key)).unwrap();
        let hash: HashAlgorithm = v.hash_algorithm.parse().unwrap();
        let ours = match v.transport.as_str() {
            "url" => cdnsim_sign::sign_url(&v.url, &v.sign_policy(), &v.key_id, &key, hash).unwrap(),
            _ => cdnsim_sign::sign_cookies(&v.url, &v.sign_policy(), &v.key_id, &key, hash).unwrap().cookie_header(),
        };
        assert_eq!(ours, v.signed, "vector {}", v.name);
        compared += 1;
    }
    assert!(compared >= 16, "only {compared} deterministic vectors");
}

#[test]
fn known_answers_independently_signed_urls_and_cookies_verify() {
    let all = vectors();
    assert!(all.iter().any(|v| v.private_key.contains("p256")), "no ECDSA vector");
    for v in &all {
        let mut registry = KeyRegistry::new();
        registry.insert(v.key_id.as_str(), PublicKey::from_pem(&fixture(&v.public_key)).unwrap());
        let mut trusted = TrustedKeys::new();
        trusted.insert(v.key_id.as_str());
        let accepted =
            v.verify(&registry, &trusted, v.date_less_than - 1).unwrap_or_else(|r| panic!("{}: {r}", v.name));
        assert_eq!(accepted.hash_algorithm.as_str(), v.hash_algorithm, "{}", v.name);
        assert_eq!(v.verify(&registry, &trusted, v.date_less_than), Err(Rejection::Expired), "{}", v.name);
        if let Some(start) = v.date_greater_than {
            assert_eq!(v.verify(&registry, &trusted, start), Err(Rejection::NotYetValid), "{}", v.name);
        }
    }
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

/// The Developer Guide's canned-policy example URL (its signature is a placeholder): cdnsim
/// rebuilds exactly the policy that botocore signed for the same URL and time.
#[test]
fn aws_docs_canned_example_url_rebuilds_the_documented_policy() {
    let doc_url = "https://d111111abcdef8.cloudfront.net/image.jpg?color=red&size=medium&Expires=1357034400&Signature=nitfHRCrtziwO2HwPfWw~yYDhUF5EwRunQA-j19DzZrvDh6hQ73lDx~-ar3UocvvRQVw6EkC~GdpGQyyOSKQim-TxAnW7d8F5Kkai9HVx0FIu-5jcQb0UEmatEXAMPLE3ReXySpLSMj0yCd3ZAB4UcBCAqEijkytL6f3fVYNGQI6&Key-Pair-Id=K2JCJMDEHXQW5F";
    let credentials = cdnsim_sign::parse_signed_url(doc_url).unwrap().credentials().unwrap();
    assert_eq!(credentials.kind, PolicyKind::Canned);
    assert_eq!(
        String::from_utf8(credentials.signed.policy_bytes).unwrap(),
        r#"{"Statement":[{"Resource":"https://d111111abcdef8.cloudfront.net/image.jpg?color=red&size=medium","Condition":{"DateLessThan":{"AWS:EpochTime":1357034400}}}]}"#
    );
    let (registry, trusted) = trust();
    // A real key id with the guide's placeholder signature: decodes, but does not verify.
    assert_eq!(
        cdnsim_sign::verify_url(doc_url, &registry, &trusted, 1357034399, ip("192.0.2.1")),
        Err(Rejection::BadSignature)
    );
    let botocore = vectors().into_iter().find(|v| v.name == "canned-sha1-query").unwrap();
    assert!(botocore.signed.starts_with(
        "https://d111111abcdef8.cloudfront.net/image.jpg?color=red&size=medium&Expires=1357034400&Signature="
    ));
}

/// The Developer Guide's signed-cookie custom policy example (`CloudFront-Policy` of
/// "Set signed cookies using a custom policy", Example 1).
#[test]
fn aws_docs_cookie_custom_policy_value() {
    let doc_value = "eyJTdGF0ZW1lbnQiOlt7IlJlc291cmNlIjoiaHR0cDovL2QxMTExMTFhYmNkZWY4LmNsb3VkZnJvbnQubmV0L2dhbWVfZG93bmxvYWQuemlwIiwiQ29uZGl0aW9uIjp7IklwQWRkcmVzcyI6eyJBV1M6U291cmNlSXAiOiIxOTIuMC4yLjAvMjQifSwiRGF0ZUxlc3NUaGFuIjp7IkFXUzpFcG9jaFRpbWUiOjE0MjY1MDAwMDB9fX1dfQ__";
    let json = r#"{"Statement":[{"Resource":"http://d111111abcdef8.cloudfront.net/game_download.zip","Condition":{"IpAddress":{"AWS:SourceIp":"192.0.2.0/24"},"DateLessThan":{"AWS:EpochTime":1426500000}}}]}"#;
    assert_eq!(cdnsim_sign::encode_base64(json.as_bytes()), doc_value);
    assert_eq!(cdnsim_sign::decode_base64(doc_value).unwrap(), json.as_bytes());
    let policy = Policy::from_json(json.as_bytes()).unwrap();
    assert_eq!(policy.resource.as_deref(), Some("http://d111111abcdef8.cloudfront.net/game_download.zip"));
    assert_eq!(policy.date_less_than, 1426500000);
    assert_eq!(policy.ip_address.as_ref().map(|r| r.as_str()), Some("192.0.2.0/24"));
    // The guide's Condition order (IpAddress first) differs from botocore's; CloudFront reads both.
    assert_ne!(policy.to_json(), json);
}

/// The Developer Guide's custom-policy signed-URL example: its `Policy` value decodes to JSON
/// with spaces and CRLF line breaks (so CloudFront must parse, not byte-compare, custom
/// policies). The published value has "EXAMPLE" written over five characters; restored, it parses.
#[test]
fn aws_docs_url_custom_policy_with_whitespace() {
    let published = "eyANCiAgICEXAMPLEW1lbnQiOiBbeyANCiAgICAgICJSZXNvdXJjZSI6Imh0dHA 6Ly9kemJlc3FtN3VuMW0wLmNsb3VkZnJvbnQubmV0L2RlbW8ucGhwIiwgDQogICAgICAiQ 29uZGl0aW9uIjp7IA0KICAgICAgICAgIklwQWRkcmVzcyI6eyJBV1M6U291cmNlSXAiOiI yMDcuMTcxLjE4MC4xMDEvMzIifSwNCiAgICAgICAgICJEYXRlR3JlYXRlclRoYW4iOnsiQ VdTOkVwb2NoVGltZSI6MTI5Njg2MDE3Nn0sDQogICAgICAgICAiRGF0ZUxlc3NUaGFuIjp 7IkFXUzpFcG9jaFRpbWUiOjEyOTY4NjAyMjZ9DQogICAgICB9IA0KICAgfV0gDQp9DQo".replace(' ', "");
    let restored = published.replace("EXAMPLE", "JTdGF0Z");
    let bytes = cdnsim_sign::decode_base64(&restored).unwrap();
    assert!(bytes.windows(2).any(|w| w == b"\r\n"));
    let policy = Policy::from_json(&bytes).unwrap();
    assert_eq!(policy.resource.as_deref(), Some("http://dzbesqm7un1m0.cloudfront.net/demo.php"));
    assert_eq!(policy.date_greater_than, Some(1296860176));
    assert_eq!(policy.date_less_than, 1296860226);
    assert_eq!(policy.ip_address.as_ref().map(|r| r.as_str()), Some("207.171.180.101/32"));
    // The value as published is not a policy.
    let url =
        format!("http://dzbesqm7un1m0.cloudfront.net/demo.php?Policy={published}&Signature=abcd&Key-Pair-Id={RSA_ID}");
    let (registry, trusted) = trust();
    assert_eq!(
        cdnsim_sign::verify_url(&url, &registry, &trusted, 1296860200, ip("207.171.180.101")),
        Err(Rejection::MalformedPolicy)
    );
}

/// The Developer Guide's `Resource` with your own query string ("Create a signed URL using a
/// custom policy", Values that you specify → Resource): the URL including its query string,
/// excluding `Policy`, `Signature`, `Key-Pair-Id` (and `Hash-Algorithm`), its `?` not escaped.
const HORIZON: &str = "https://d111111abcdef8.cloudfront.net/images/horizon.jpg?size=large&license=yes";
/// The guide's example date, January 1, 2013 10:00 am UTC, in Unix time.
const HORIZON_END: i64 = 1357034400;

/// Issue 13, item 6: a custom policy whose `Resource` is the URL with its own query string was
/// refused as `resource-mismatch`. Worked through by hand, then checked against botocore
/// (`custom-query-horizon-sha1` in vectors.json):
/// - the policy is the guide's JSON without whitespace, `Resource` the URL as written;
/// - the URL already has a `?`, so `Policy`, `Signature` and `Key-Pair-Id` follow after `&`;
/// - CloudFront takes the signing parameters out of the request URL, which leaves exactly the
///   `Resource`; its unescaped `?` is the one-character wildcard, here standing for the URL's own
///   `?` (see `cdnsim_sign::resource_matches`), so the request is accepted;
/// - any other query, or none, is refused as `resource-mismatch`: the signature still verifies
///   (the policy travels in the URL), only the `Resource` no longer matches.
#[test]
fn aws_docs_custom_policy_resource_with_its_query_string() {
    let key = SigningKey::from_pem(&fixture("keys/rsa2048_pkcs1.pem")).unwrap();
    let policy = Policy::new(HORIZON, HORIZON_END);
    let json = r#"{"Statement":[{"Resource":"https://d111111abcdef8.cloudfront.net/images/horizon.jpg?size=large&license=yes","Condition":{"DateLessThan":{"AWS:EpochTime":1357034400}}}]}"#;
    assert_eq!(policy.to_json(), json);
    let signed =
        cdnsim_sign::sign_url(HORIZON, &SignPolicy::Custom(policy), RSA_ID, &key, HashAlgorithm::Sha1).unwrap();
    let policy_param = format!("&Policy={}&Signature=", cdnsim_sign::encode_base64(json.as_bytes()));
    assert!(signed.starts_with(&format!("{HORIZON}{policy_param}")), "{signed}");
    assert!(signed.ends_with(&format!("&Key-Pair-Id={RSA_ID}")), "{signed}");
    let botocore = vectors().into_iter().find(|v| v.name == "custom-query-horizon-sha1").unwrap();
    assert_eq!(signed, botocore.signed);

    let (registry, trusted) = trust();
    let verify = |url: &str, now: i64| cdnsim_sign::verify_url(url, &registry, &trusted, now, ip(CLIENT));
    let accepted = verify(&signed, HORIZON_END - 1).unwrap();
    assert_eq!((accepted.kind, accepted.transport), (PolicyKind::Custom, Transport::Url));
    // `DateLessThan` is exclusive.
    assert_eq!(verify(&signed, HORIZON_END), Err(Rejection::Expired));
    // Your own parameters after `Key-Pair-Id` ("in certain rare circumstances") leave the same
    // URL once the signing parameters are out.
    let (_, signing_params) = signed.split_once("&Policy=").unwrap();
    let own_last = format!("{}?Policy={signing_params}&size=large&license=yes", HORIZON.split('?').next().unwrap());
    assert!(verify(&own_last, HORIZON_END - 1).is_ok(), "{own_last}");
    // Another query, the same parameters in another order, more parameters, or no query: the
    // `Resource` names this URL only.
    for other in [
        signed.replacen("size=large", "size=small", 1),
        signed.replacen("size=large&license=yes", "license=yes&size=large", 1),
        signed.replacen("license=yes", "license=yes&x=1", 1),
        signed.replacen("?size=large&license=yes&", "?", 1),
    ] {
        assert_eq!(verify(&other, HORIZON_END - 1), Err(Rejection::ResourceMismatch), "{other}");
    }
}

/// The same `Resource` in signed cookies: for cookies the request URL is all CloudFront has to
/// match, so the cookies grant the URL with exactly that query (`cookies-custom-query-horizon-sha1`,
/// signed with openssl). The policy is the custom policy above; it has only `Resource` and
/// `DateLessThan`, so it is also, byte for byte, the canned policy for this URL, and all three
/// vectors carry the same signature.
#[test]
fn aws_docs_custom_policy_resource_with_its_query_string_in_cookies() {
    let key = SigningKey::from_pem(&fixture("keys/rsa2048_pkcs1.pem")).unwrap();
    let policy = SignPolicy::Custom(Policy::new(HORIZON, HORIZON_END));
    let cookies = cdnsim_sign::sign_cookies(HORIZON, &policy, RSA_ID, &key, HashAlgorithm::Sha1).unwrap();
    let vectors = vectors();
    let by_name = |name: &str| vectors.iter().find(|v| v.name == name).unwrap();
    let openssl = by_name("cookies-custom-query-horizon-sha1");
    assert_eq!(cookies.cookie_header(), openssl.signed);
    for url_vector in ["custom-query-horizon-sha1", "canned-query-horizon-sha1"] {
        assert!(by_name(url_vector).signed.contains(&format!("&Signature={}&", cookies.signature)), "{url_vector}");
    }

    let (registry, trusted) = trust();
    let header = format!("theme=dark; {}", cookies.cookie_header());
    let verify =
        |url: &str| cdnsim_sign::verify_request(url, Some(&header), &registry, &trusted, HORIZON_END - 1, ip(CLIENT));
    let accepted = verify(HORIZON).unwrap();
    assert_eq!((accepted.kind, accepted.transport), (PolicyKind::Custom, Transport::Cookies));
    // A fragment is never part of the request.
    assert!(verify(&format!("{HORIZON}#top")).is_ok());
    for other in [
        "https://d111111abcdef8.cloudfront.net/images/horizon.jpg",
        "https://d111111abcdef8.cloudfront.net/images/horizon.jpg?size=small&license=yes",
        "https://d111111abcdef8.cloudfront.net/images/horizon.jpg?license=yes&size=large",
        "https://d111111abcdef8.cloudfront.net/images/horizon.jpg?size=large&license=yes&x=1",
        "https://d111111abcdef8.cloudfront.net/images/other.jpg?size=large&license=yes",
    ] {
        assert_eq!(verify(other), Err(Rejection::ResourceMismatch), "{other}");
    }
}

/// A canned policy for a URL with a query string ("Create a signed URL using a canned policy":
/// the Resource is the base URL including your query strings, if any). Nothing is matched:
/// CloudFront rebuilds the policy from the request URL less the signing parameters, so the query
/// is part of what was signed, and another query fails the signature, not the resource check.
#[test]
fn aws_docs_canned_policy_url_with_its_query_string() {
    let key = SigningKey::from_pem(&fixture("keys/rsa2048_pkcs1.pem")).unwrap();
    let canned = SignPolicy::Canned { expires: HORIZON_END };
    let signed = cdnsim_sign::sign_url(HORIZON, &canned, RSA_ID, &key, HashAlgorithm::Sha1).unwrap();
    assert!(signed.starts_with(&format!("{HORIZON}&Expires=1357034400&Signature=")), "{signed}");
    let botocore = vectors().into_iter().find(|v| v.name == "canned-query-horizon-sha1").unwrap();
    assert_eq!(signed, botocore.signed);
    let credentials = cdnsim_sign::parse_signed_url(&signed).unwrap().credentials().unwrap();
    assert_eq!(credentials.kind, PolicyKind::Canned);
    assert_eq!(
        String::from_utf8(credentials.signed.policy_bytes).unwrap(),
        r#"{"Statement":[{"Resource":"https://d111111abcdef8.cloudfront.net/images/horizon.jpg?size=large&license=yes","Condition":{"DateLessThan":{"AWS:EpochTime":1357034400}}}]}"#
    );
    let (registry, trusted) = trust();
    let verify = |url: &str| cdnsim_sign::verify_url(url, &registry, &trusted, HORIZON_END - 1, ip(CLIENT));
    assert_eq!(verify(&signed).map(|a| a.kind), Ok(PolicyKind::Canned));
    assert_eq!(verify(&signed.replacen("size=large", "size=small", 1)), Err(Rejection::BadSignature));
    assert_eq!(verify(&signed.replacen("?size=large&license=yes&", "?", 1)), Err(Rejection::BadSignature));
}

// ---------------------------------------------------------------------------------------------
// Round trips and every rejection, for each key form, key type, hash, transport and policy kind.

const NOW: i64 = 1_900_000_000;
const START: i64 = NOW - 3600;
const END: i64 = NOW + 3600;
const BASE: &str = "https://d111111abcdef8.cloudfront.net";
const CLIENT: &str = "192.0.2.10";

/// A signed request: the URL asked for, and the Cookie header for cookie transport.
#[derive(Clone, Debug)]
struct Signed {
    transport: Transport,
    url: String,
    cookie: String,
}

impl Signed {
    fn verify(&self, now: i64, client: &str) -> Result<Accepted, Rejection> {
        let (registry, trusted) = trust();
        cdnsim_sign::verify_request(&self.url, Some(&self.cookie), &registry, &trusted, now, ip(client))
    }

    fn ok(&self) -> Result<Accepted, Rejection> {
        self.verify(NOW, CLIENT)
    }

    /// The same request with the signing value `name` (URL parameter name) set or removed.
    fn with(&self, name: &str, value: Option<&str>) -> Signed {
        let mut out = self.clone();
        match self.transport {
            Transport::Url => {
                let (base, query) = self.url.split_once('?').unwrap();
                let mut params: Vec<String> =
                    query.split('&').filter(|p| !p.starts_with(&format!("{name}="))).map(String::from).collect();
                if let Some(v) = value {
                    params.push(format!("{name}={v}"));
                }
                out.url = format!("{base}?{}", params.join("&"));
            }
            Transport::Cookies => {
                let cookie_name = format!("CloudFront-{name}");
                let mut pairs: Vec<String> = self
                    .cookie
                    .split("; ")
                    .filter(|p| !p.starts_with(&format!("{cookie_name}=")))
                    .map(String::from)
                    .collect();
                if let Some(v) = value {
                    pairs.push(format!("{cookie_name}={v}"));
                }
                out.cookie = pairs.join("; ");
            }
        }
        out
    }

    fn get(&self, name: &str) -> String {
        let (haystack, separator, prefix) = match self.transport {
            Transport::Url => (self.url.split_once('?').unwrap().1, "&", format!("{name}=")),
            Transport::Cookies => (self.cookie.as_str(), "; ", format!("CloudFront-{name}=")),
        };
        haystack.split(separator).find_map(|p| p.strip_prefix(&prefix)).unwrap().to_string()
    }

    /// The same signing values sent for another path of the distribution.
    fn at_path(&self, from: &str, to: &str) -> Signed {
        Signed { url: self.url.replacen(from, to, 1), ..self.clone() }
    }
}

struct Case {
    label: String,
    key: SigningKey,
    key_id: &'static str,
    hash: HashAlgorithm,
    transport: Transport,
    custom: bool,
}

fn cases() -> Vec<Case> {
    let keys = [
        ("rsa-pkcs1", "keys/rsa2048_pkcs1.pem", RSA_ID, &[HashAlgorithm::Sha1, HashAlgorithm::Sha256][..]),
        ("rsa-pkcs8", "keys/rsa2048_pkcs8.pem", RSA_ID, &[HashAlgorithm::Sha1, HashAlgorithm::Sha256][..]),
        ("ecdsa-sec1", "keys/p256_sec1.pem", EC_ID, &[HashAlgorithm::Sha256][..]),
        ("ecdsa-pkcs8", "keys/p256_pkcs8.pem", EC_ID, &[HashAlgorithm::Sha256][..]),
    ];
    let mut cases = Vec::new();
    for (key_label, path, key_id, hashes) in keys {
        let key = SigningKey::from_pem(&fixture(path)).unwrap();
        for &hash in hashes {
            for transport in [Transport::Url, Transport::Cookies] {
                for custom in [false, true] {
                    cases.push(Case {
                        label: format!("{key_label}/{hash}/{transport:?}/{}", if custom { "custom" } else { "canned" }),
                        key: key.clone(),
                        key_id,
                        hash,
                        transport,
                        custom,
                    });
                }
            }
        }
    }
    cases
}

fn custom_policy() -> Policy {
    Policy {
        resource: Some(format!("{BASE}/premium/*")),
        date_less_than: END,
        date_greater_than: Some(START),
        ip_address: Some("192.0.2.0/24".parse().unwrap()),
    }
}

fn sign(case: &Case) -> Signed {
    let url = format!("{BASE}/premium/a.jpg?w=100");
    let policy = if case.custom { SignPolicy::Custom(custom_policy()) } else { SignPolicy::Canned { expires: END } };
    match case.transport {
        Transport::Url => Signed {
            transport: Transport::Url,
            url: cdnsim_sign::sign_url(&url, &policy, case.key_id, &case.key, case.hash).unwrap(),
            cookie: "theme=dark".into(),
        },
        Transport::Cookies => Signed {
            transport: Transport::Cookies,
            cookie: format!(
                "theme=dark; {}",
                cdnsim_sign::sign_cookies(&url, &policy, case.key_id, &case.key, case.hash).unwrap().cookie_header()
            ),
            url,
        },
    }
}

#[test]
fn round_trip_and_every_rejection() {
    let mut seen = std::collections::BTreeSet::new();
    for case in cases() {
        let signed = sign(&case);
        let label = &case.label;
        let mut expect = |request: &Signed, now: i64, client: &str, reason: Rejection| {
            assert_eq!(request.verify(now, client), Err(reason), "{label}: {request:?}");
            seen.insert(reason);
        };

        let accepted = signed.ok().unwrap_or_else(|r| panic!("{label}: {r}"));
        assert_eq!(accepted.transport, case.transport, "{label}");
        assert_eq!(accepted.hash_algorithm, case.hash, "{label}");
        assert_eq!(accepted.kind, if case.custom { PolicyKind::Custom } else { PolicyKind::Canned }, "{label}");

        expect(&signed.with("Key-Pair-Id", None), NOW, CLIENT, Rejection::MissingKey);
        expect(&signed.with("Key-Pair-Id", Some("")), NOW, CLIENT, Rejection::MissingKey);
        expect(&signed.with("Key-Pair-Id", Some("KUNKNOWN")), NOW, CLIENT, Rejection::UnknownKey);
        expect(&signed.with("Key-Pair-Id", Some(UNTRUSTED_ID)), NOW, CLIENT, Rejection::UntrustedKey);
        expect(&signed.with("Hash-Algorithm", Some("MD5")), NOW, CLIENT, Rejection::UnsupportedHashAlgorithm);
        expect(&signed.with("Hash-Algorithm", Some("sha256")), NOW, CLIENT, Rejection::UnsupportedHashAlgorithm);
        expect(&signed.with("Signature", None), NOW, CLIENT, Rejection::MissingParameter);
        let signature = signed.get("Signature");
        expect(
            &signed.with("Signature", Some(&signature.replace(['-', '~'], "+"))),
            NOW,
            CLIENT,
            Rejection::MalformedSignature,
        );
        expect(&signed.with("Signature", Some(&format!("{signature}=="))), NOW, CLIENT, Rejection::MalformedSignature);
        // A valid-looking signature that is not the right one.
        let flipped =
            if signature.starts_with('A') { signature.replacen('A', "B", 1) } else { format!("A{}", &signature[1..]) };
        expect(&signed.with("Signature", Some(&flipped)), NOW, CLIENT, Rejection::BadSignature);
        // The other hash than the one signed with.
        let other = if case.hash == HashAlgorithm::Sha1 { "SHA256" } else { "SHA1" };
        expect(&signed.with("Hash-Algorithm", Some(other)), NOW, CLIENT, Rejection::BadSignature);
        expect(&signed, END, CLIENT, Rejection::Expired);
        expect(&signed, END + 86_400, CLIENT, Rejection::Expired);

        if case.custom {
            expect(&signed.with("Policy", None), NOW, CLIENT, Rejection::MissingParameter);
            expect(
                &signed.with("Policy", Some(&cdnsim_sign::encode_base64(b"not json"))),
                NOW,
                CLIENT,
                Rejection::MalformedPolicy,
            );
            expect(&signed.with("Policy", Some("a+b/c=")), NOW, CLIENT, Rejection::MalformedPolicy);
            // A policy changed after signing: a day longer.
            let mut longer = custom_policy();
            longer.date_less_than += 86_400;
            expect(
                &signed.with("Policy", Some(&cdnsim_sign::encode_base64(longer.to_json().as_bytes()))),
                NOW,
                CLIENT,
                Rejection::BadSignature,
            );
            expect(&signed.at_path("/premium/", "/free/"), NOW, CLIENT, Rejection::ResourceMismatch);
            assert!(
                signed.at_path("/premium/a.jpg?w=100", "/premium/b/c.jpg?h=1").ok().is_ok(),
                "{label}: the wildcard grants other files"
            );
            expect(&signed, START, CLIENT, Rejection::NotYetValid);
            expect(&signed, START - 1, CLIENT, Rejection::NotYetValid);
            assert!(signed.verify(START + 1, CLIENT).is_ok(), "{label}");
            expect(&signed, NOW, "198.51.100.1", Rejection::IpMismatch);
            expect(&signed, NOW, "2001:db8::1", Rejection::IpMismatch);
            assert!(signed.verify(NOW, "192.0.2.255").is_ok(), "{label}");
        } else {
            expect(&signed.with("Expires", None), NOW, CLIENT, Rejection::MissingParameter);
            expect(&signed.with("Expires", Some("soon")), NOW, CLIENT, Rejection::MalformedPolicy);
            // Canned: the URL is part of what was signed, so another URL or time fails the signature.
            expect(&signed.at_path("/premium/a.jpg", "/premium/b.jpg"), NOW, CLIENT, Rejection::BadSignature);
            expect(&signed.at_path("?w=100", "?w=200"), NOW, CLIENT, Rejection::BadSignature);
            expect(&signed.with("Expires", Some(&(END + 1).to_string())), NOW, CLIENT, Rejection::BadSignature);
            // Canned policies have no start time and no address condition.
            assert!(signed.verify(0, "2001:db8::1").is_ok(), "{label}");
        }
    }
    assert_eq!(
        seen.len(),
        Rejection::ALL.len(),
        "reasons not exercised: {:?}",
        Rejection::ALL.iter().filter(|r| !seen.contains(r)).collect::<Vec<_>>()
    );
}

#[test]
fn key_forms_are_interchangeable() {
    let pkcs1 = SigningKey::from_pem(&fixture("keys/rsa2048_pkcs1.pem")).unwrap();
    let pkcs8 = SigningKey::from_pem(&fixture("keys/rsa2048_pkcs8.pem")).unwrap();
    let policy = SignPolicy::Canned { expires: END };
    let url = format!("{BASE}/a.jpg");
    // RSA PKCS#1 v1.5 is deterministic: both forms of the key sign identically.
    assert_eq!(
        cdnsim_sign::sign_url(&url, &policy, RSA_ID, &pkcs1, HashAlgorithm::Sha1).unwrap(),
        cdnsim_sign::sign_url(&url, &policy, RSA_ID, &pkcs8, HashAlgorithm::Sha1).unwrap()
    );
    // And a URL verifies with the public key in SPKI or PKCS#1 form.
    let signed = cdnsim_sign::sign_url(&url, &policy, RSA_ID, &pkcs8, HashAlgorithm::Sha256).unwrap();
    for public in ["keys/rsa2048_public.pem", "keys/rsa2048_public_pkcs1.pem"] {
        let mut registry = KeyRegistry::new();
        registry.insert(RSA_ID, PublicKey::from_pem(&fixture(public)).unwrap());
        let mut trusted = TrustedKeys::new();
        trusted.insert(RSA_ID);
        assert!(cdnsim_sign::verify_url(&signed, &registry, &trusted, NOW, ip(CLIENT)).is_ok(), "{public}");
    }
}

#[test]
fn a_signed_url_wins_over_cookies() {
    let case =
        cases().into_iter().find(|c| c.key_id == RSA_ID && c.transport == Transport::Cookies && c.custom).unwrap();
    let cookies = sign(&case);
    assert!(cookies.ok().is_ok());
    // Any signing parameter in the URL makes CloudFront ignore the (valid) cookies.
    let url_with_param = Signed { url: format!("{}&Expires=1", cookies.url), ..cookies.clone() };
    assert_eq!(url_with_param.verify(NOW, CLIENT), Err(Rejection::MissingKey));
    let url_with_key = Signed { url: format!("{}&Key-Pair-Id={RSA_ID}", cookies.url), ..cookies.clone() };
    assert_eq!(url_with_key.verify(NOW, CLIENT), Err(Rejection::MissingParameter));
    // No signing parameter and no cookies: MissingKey.
    assert_eq!(Signed { cookie: String::new(), ..cookies }.verify(NOW, CLIENT), Err(Rejection::MissingKey));
}

#[test]
fn your_own_parameters_may_follow_key_pair_id() {
    let key = SigningKey::from_pem(&fixture("keys/rsa2048_pkcs1.pem")).unwrap();
    let signed = cdnsim_sign::sign_url(
        &format!("{BASE}/a.jpg?x=1"),
        &SignPolicy::Canned { expires: END },
        RSA_ID,
        &key,
        HashAlgorithm::Sha1,
    )
    .unwrap();
    let (registry, trusted) = trust();
    // Moving `x=1` after Key-Pair-Id keeps the resource (the guide's "rare circumstances").
    let moved = signed.replacen("?x=1&", "?", 1) + "&x=1";
    assert!(cdnsim_sign::verify_url(&moved, &registry, &trusted, NOW, ip(CLIENT)).is_ok());
    // Adding a parameter after signing changes the resource: 403 (reference §1.2).
    assert_eq!(
        cdnsim_sign::verify_url(&format!("{signed}&y=2"), &registry, &trusted, NOW, ip(CLIENT)),
        Err(Rejection::BadSignature)
    );
}

// ---------------------------------------------------------------------------------------------
// The memo and the split API.

#[test]
fn memo_changes_no_outcome_and_saves_the_crypto() {
    let signed: Vec<Signed> = cases().iter().map(sign).collect();
    let mut requests: Vec<(Signed, i64, &str)> = Vec::new();
    for s in &signed {
        requests.push((s.clone(), NOW, CLIENT));
        requests.push((s.clone(), END, CLIENT));
        requests.push((s.clone(), NOW, "198.51.100.1"));
        requests.push((s.with("Key-Pair-Id", Some(UNTRUSTED_ID)), NOW, CLIENT));
        requests.push((s.at_path("/premium/a.jpg", "/premium/z.jpg"), NOW, CLIENT));
    }
    let (registry, trusted) = trust();
    let mut memo = SignatureMemo::new();
    let mut outcomes = std::collections::BTreeMap::new();
    for round in 0..3 {
        for (i, (s, now, client)) in requests.iter().enumerate() {
            let plain = cdnsim_sign::verify_request(&s.url, Some(&s.cookie), &registry, &trusted, *now, ip(client));
            let memoized = memo.verify_request(&s.url, Some(&s.cookie), &registry, &trusted, *now, ip(client));
            assert_eq!(plain, memoized, "request {i} round {round}");
            *outcomes.entry(plain.map(|_| "accept").unwrap_or_else(|r| r.as_str())).or_insert(0) += 1;
        }
    }
    assert!(outcomes.len() >= 4, "{outcomes:?}");
    // Every distinct (key, hash, policy, signature) ran once; the rest came from the memo.
    assert_eq!(memo.misses() as usize, memo.len());
    assert!(memo.hits() > 4 * memo.misses(), "hits {} misses {}", memo.hits(), memo.misses());
}

#[test]
fn split_api_matches_the_one_call() {
    let (registry, trusted) = trust();
    for case in cases().iter().filter(|c| c.transport == Transport::Url) {
        let signed = sign(case);
        let request = cdnsim_sign::parse_signed_url(&signed.url).unwrap();
        let key = cdnsim_sign::lookup_key(&registry, &trusted, request.key_id()).unwrap();
        let credentials = request.credentials().unwrap();
        cdnsim_sign::verify_signature(key, credentials.memo_key()).unwrap();
        cdnsim_sign::check_policy(&credentials, NOW, ip(CLIENT)).unwrap();
        assert_eq!(cdnsim_sign::check_policy(&credentials, END, ip(CLIENT)), Err(Rejection::Expired));
    }
}

/// The verifier never panics: every single-byte edit, deletion and truncation of signed URLs and
/// cookie headers, plus pseudo-random strings (the fuzz targets go further).
#[test]
fn verifier_never_panics_on_edited_input() {
    let (registry, trusted) = trust();
    let sample: Vec<Signed> = cases().iter().filter(|c| c.hash == HashAlgorithm::Sha256).take(4).map(sign).collect();
    let replacements = [b'%', b'&', b'=', b'?', b'_', b'~', b'A', b';', b'"', b'*', 0xff];
    let mut checked = 0;
    for s in &sample {
        for text in [&s.url, &s.cookie] {
            let bytes = text.as_bytes();
            for i in (0..bytes.len()).step_by(3) {
                for &r in &replacements {
                    let mut edited = bytes.to_vec();
                    edited[i] = r;
                    let edited = String::from_utf8_lossy(&edited).into_owned();
                    let _ = cdnsim_sign::verify_request(&edited, Some(&edited), &registry, &trusted, NOW, ip(CLIENT));
                    checked += 1;
                }
                let truncated = String::from_utf8_lossy(&bytes[..i]).into_owned();
                let _ = cdnsim_sign::verify_request(
                    &truncated,
                    Some(&s.cookie[..i.min(s.cookie.len())]),
                    &registry,
                    &trusted,
                    NOW,
                    ip(CLIENT),
                );
            }
        }
    }
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..2000 {
        let len = (state % 200) as usize;
        let garbage: String = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                b"?&=%_-~Key-Pair-IdSignaturePolicyExpiresHash-AlgorithmCloudFront;eyJ*\\\"01"[(state % 73) as usize]
                    as char
            })
            .collect();
        let _ = cdnsim_sign::verify_request(&garbage, Some(&garbage), &registry, &trusted, NOW, ip(CLIENT));
        checked += 1;
    }
    assert!(checked > 5000);
}

// ---------------------------------------------------------------------------------------------
// The command line, parsed by clap as the lead's `cdnsim sign|verify` will parse it.

#[derive(clap::Parser)]
#[command(name = "cdnsim")]
struct TestCli {
    #[command(subcommand)]
    command: TestCommand,
}

#[derive(clap::Subcommand)]
enum TestCommand {
    Sign {
        #[command(subcommand)]
        cmd: cli::SignCommand,
    },
    Verify {
        #[command(subcommand)]
        cmd: cli::VerifyCommand,
    },
}

struct Run {
    result: Result<ExitCode, String>,
    stdout: String,
    stderr: String,
}

/// Runs `cdnsim <args>` in-process; `{keys}` in an argument is the fixture key directory.
fn run(args: &[&str]) -> Run {
    let keys = fixture_path("keys");
    let args: Vec<String> = std::iter::once("cdnsim".to_string())
        .chain(args.iter().map(|a| a.replace("{keys}", keys.to_str().unwrap())))
        .collect();
    let parsed = TestCli::try_parse_from(&args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let result = match &parsed.command {
        TestCommand::Sign { cmd } => cli::run_sign_to(cmd, &mut stdout),
        TestCommand::Verify { cmd } => cli::run_verify_to(cmd, NOW, &mut stdout, &mut stderr),
    };
    Run {
        result: result.map_err(|e| format!("{e:#}")),
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    }
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
