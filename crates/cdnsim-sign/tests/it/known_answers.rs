//! Known answers: every vector of `tests/fixtures/vectors.json` (botocore and openssl) signed
//! byte for byte and verified, and the CloudFront Developer Guide's own example values.

use std::net::IpAddr;

use cdnsim_sign::{
    Accepted, HashAlgorithm, KeyRegistry, Policy, PolicyKind, PublicKey, Rejection, SignPolicy, SigningKey, Transport,
    TrustedKeys,
};

use crate::{CLIENT, RSA_ID, fixture, ip, trust};

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
