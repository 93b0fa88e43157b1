//! Shared set-up for the signing fuzz targets: the test keys of `tests/fixtures/keys/`, registered
//! and trusted under the key ids the corpus' URLs name, so that mutated copies of its valid URLs
//! reach every check.

use std::net::IpAddr;
use std::sync::OnceLock;

use cdnsim_sign::{KeyRegistry, PublicKey, TrustedKeys};

pub const NOW: i64 = 1_890_000_000;

pub fn trust() -> &'static (KeyRegistry, TrustedKeys) {
    static TRUST: OnceLock<(KeyRegistry, TrustedKeys)> = OnceLock::new();
    TRUST.get_or_init(|| {
        let mut registry = KeyRegistry::new();
        let rsa = include_str!("../../tests/fixtures/keys/rsa2048_public.pem");
        let ec = include_str!("../../tests/fixtures/keys/p256_public.pem");
        let other = include_str!("../../tests/fixtures/keys/rsa2048b_public.pem");
        registry.insert("K2JCJMDEHXQW5F", PublicKey::from_pem(rsa).unwrap());
        registry.insert("KEC1", PublicKey::from_pem(ec).unwrap());
        registry.insert("KUNTRUSTED", PublicKey::from_pem(other).unwrap());
        let mut trusted = TrustedKeys::new();
        trusted.insert("K2JCJMDEHXQW5F");
        trusted.insert("KEC1");
        (registry, trusted)
    })
}

/// A request time and client address taken from the input's length, so that the time and
/// address checks are reached on both sides.
pub fn time_and_client(data: &[u8]) -> (i64, IpAddr) {
    let now = NOW + (data.len() as i64 % 7 - 3) * 10_000_000;
    let client = if data.len() % 2 == 0 { "192.0.2.10" } else { "198.51.100.1" };
    (now, client.parse().unwrap())
}
