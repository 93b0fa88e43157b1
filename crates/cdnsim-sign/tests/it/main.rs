//! Signed URLs and cookies end to end, through the public API only: known answers from
//! independent implementations (botocore, openssl) and the AWS documentation, round trips and
//! every rejection for URLs and cookies with each key form, key type and hash, and the memo.
//!
//! One integration binary; the fixtures are in `tests/fixtures/` (see its `PROVENANCE.md`).

mod known_answers;
mod round_trip;

use std::net::IpAddr;
use std::path::PathBuf;

use cdnsim_sign::{KeyGroup, KeyRegistry, PublicKey, TrustedKeys};

fn fixture(relative: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

const RSA_ID: &str = "K2JCJMDEHXQW5F";
const EC_ID: &str = "KECDSAP256EXAMPLE";
const UNTRUSTED_ID: &str = "KUNTRUSTED";
/// A client address inside the test policies' range, 192.0.2.0/24.
const CLIENT: &str = "192.0.2.10";

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
