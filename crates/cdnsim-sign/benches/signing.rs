//! Signing and verification throughput: `cargo bench -p cdnsim-sign`.
//!
//! Prints the median over several timed batches of signs/s and verifies/s for RSA-2048 with SHA1
//! (CloudFront's default), RSA-2048 with SHA256 and ECDSA P-256 with SHA256; then whole-URL
//! verification (parse + key lookup + decode + crypto + policy checks) with and without the
//! signature memo, which is what a simulator pays per request.

use std::hint::black_box;
use std::net::IpAddr;
use std::time::Instant;

use cdnsim_sign::{HashAlgorithm, KeyRegistry, Policy, PublicKey, SignPolicy, SignatureMemo, SigningKey, TrustedKeys};

const BATCHES: usize = 7;

fn key(file: &str) -> String {
    let path = format!("{}/tests/fixtures/keys/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Median operations per second over `BATCHES` batches of `per_batch` calls of `op`.
fn median_rate(per_batch: usize, mut op: impl FnMut(usize)) -> f64 {
    op(0); // warm up
    let mut rates: Vec<f64> = (0..BATCHES)
        .map(|batch| {
            let start = Instant::now();
            for i in 0..per_batch {
                op(batch * per_batch + i);
            }
            per_batch as f64 / start.elapsed().as_secs_f64()
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    rates[BATCHES / 2]
}

fn main() {
    let rsa = SigningKey::from_pem(&key("rsa2048_pkcs1.pem")).unwrap();
    let ecdsa = SigningKey::from_pem(&key("p256_sec1.pem")).unwrap();
    let rsa_public = PublicKey::from_pem(&key("rsa2048_public.pem")).unwrap();
    let ecdsa_public = PublicKey::from_pem(&key("p256_public.pem")).unwrap();
    // Distinct policies so nothing could be cached along the way.
    let policies: Vec<Vec<u8>> = (0..64)
        .map(|i| {
            let resource = format!("https://d111111abcdef8.cloudfront.net/video/{i}/*");
            Policy::new(resource, 1_900_000_000 + i).to_json().into_bytes()
        })
        .collect();

    println!("{:<22} {:>12} {:>14}", "algorithm", "signs/s", "verifies/s");
    for (name, signer, public, hash, sign_batch) in [
        ("RSA-2048 SHA1", &rsa, &rsa_public, HashAlgorithm::Sha1, 40),
        ("RSA-2048 SHA256", &rsa, &rsa_public, HashAlgorithm::Sha256, 40),
        ("ECDSA-P256 SHA256", &ecdsa, &ecdsa_public, HashAlgorithm::Sha256, 400),
    ] {
        let signs = median_rate(sign_batch, |i| {
            black_box(signer.sign(hash, &policies[i % policies.len()]).unwrap());
        });
        let signatures: Vec<Vec<u8>> = policies.iter().map(|p| signer.sign(hash, p).unwrap()).collect();
        let verifies = median_rate(2000, |i| {
            let j = i % policies.len();
            assert!(public.verify(hash, black_box(&policies[j]), &signatures[j]));
        });
        println!("{name:<22} {signs:>12.0} {verifies:>14.0}");
    }

    // Whole-URL verification, as an edge does it per request.
    let mut registry = KeyRegistry::new();
    registry.insert("K2JCJMDEHXQW5F", rsa_public);
    let mut trusted = TrustedKeys::new();
    trusted.insert("K2JCJMDEHXQW5F");
    let urls: Vec<String> = (0..64)
        .map(|i| {
            let url = format!("https://d111111abcdef8.cloudfront.net/video/{i}/seg.ts");
            let policy = SignPolicy::Canned { expires: 1_900_000_000 };
            cdnsim_sign::sign_url(&url, &policy, "K2JCJMDEHXQW5F", &rsa, HashAlgorithm::Sha1).unwrap()
        })
        .collect();
    let client: IpAddr = "192.0.2.10".parse().unwrap();
    let now = 1_800_000_000;
    let plain = median_rate(2000, |i| {
        cdnsim_sign::verify_url(&urls[i % urls.len()], &registry, &trusted, now, client).unwrap();
    });
    let mut memo = SignatureMemo::new();
    let memoized = median_rate(20_000, |i| {
        memo.verify_url(&urls[i % urls.len()], &registry, &trusted, now, client).unwrap();
    });
    println!();
    println!("{:<44} {:>12}", "whole signed URL (RSA-SHA1 canned)", "verifies/s");
    println!("{:<44} {plain:>12.0}", "  verify_url, no memo");
    println!("{:<44} {memoized:>12.0}", "  SignatureMemo::verify_url, 64 distinct URLs");
}
