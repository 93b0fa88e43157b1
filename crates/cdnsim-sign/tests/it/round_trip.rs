//! Round trips and every rejection, for each key form, key type, hash, transport and policy
//! kind; the memo and the split API; and a verifier that never panics on edited input.

use cdnsim_sign::{
    Accepted, HashAlgorithm, KeyRegistry, Policy, PolicyKind, PublicKey, Rejection, SignPolicy, SignatureMemo,
    SigningKey, Transport, TrustedKeys,
};

use crate::{CLIENT, EC_ID, RSA_ID, UNTRUSTED_ID, fixture, ip, trust};

const NOW: i64 = 1_900_000_000;
const START: i64 = NOW - 3600;
const END: i64 = NOW + 3600;
const BASE: &str = "https://d111111abcdef8.cloudfront.net";

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
