//! Signing and verifying keys, loaded from PEM text.
//!
//! CloudFront accepts two kinds of key for signed URLs and cookies: RSA with a 2048-bit modulus
//! and ECDSA on P-256 (API reference, `PublicKey`/`PublicKeyConfig`: "CloudFront supports signed
//! URLs and signed cookies with RSA 2048 or ECDSA 256 key signatures"). Everything else is
//! refused here, with a message that says what was found and what to do instead, so that a key
//! CloudFront would not take never produces URLs that only cdnsim accepts.
//!
//! Accepted PEM forms, detected from the armour label as the AWS CLI does:
//! - private: `RSA PRIVATE KEY` (PKCS#1), `EC PRIVATE KEY` (SEC1), `PRIVATE KEY` (PKCS#8, RSA or EC);
//! - public: `PUBLIC KEY` (SubjectPublicKeyInfo, RSA or EC), `RSA PUBLIC KEY` (PKCS#1).
//!
//! A file may hold other blocks too (`openssl ecparam -genkey` writes `EC PARAMETERS` first);
//! only the key block is read. This module does no I/O: callers pass the file's text.

use std::fmt;

use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, ObjectIdentifier, PrivateKeyInfoRef, SubjectPublicKeyInfoRef};
use rsa::traits::PublicKeyParts;
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::base64;
use crate::hash::HashAlgorithm;

/// The only RSA modulus size CloudFront accepts for key-group public keys.
pub const RSA_MODULUS_BITS: usize = 2048;

const OID_RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const OID_RSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const OID_DSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10040.4.1");
const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const OID_ED448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.113");

/// The algorithm of a key CloudFront accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyAlgorithm {
    /// RSA, 2048-bit modulus, PKCS#1 v1.5 signatures.
    Rsa2048,
    /// ECDSA on NIST P-256 (prime256v1), DER-encoded (r, s) signatures.
    EcdsaP256,
}

impl KeyAlgorithm {
    /// `RSA-2048` or `ECDSA-P256`, as messages name the algorithm.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyAlgorithm::Rsa2048 => "RSA-2048",
            KeyAlgorithm::EcdsaP256 => "ECDSA-P256",
        }
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a PEM text could not be used as a CloudFront key. Each message says what was found and
/// how to get a key CloudFront accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The text holds no PEM block of a key kind this call reads.
    #[error("no PEM key block found (expected -----BEGIN {expected}-----)")]
    NoPemBlock {
        /// The labels that were looked for.
        expected: &'static str,
    },
    /// A passphrase-protected private key.
    #[error(
        "the private key is encrypted; cdnsim, like the AWS CLI, needs it unencrypted \
         (fix: `openssl pkey -in KEY.pem -out plain.pem` and enter the passphrase)"
    )]
    Encrypted,
    /// An OpenSSH private key (`-----BEGIN OPENSSH PRIVATE KEY-----`), not PEM.
    #[error(
        "this is an OpenSSH key; CloudFront keys are PEM files \
         (fix: `ssh-keygen -p -m PEM -f KEY` converts it in place, or create a new key with \
         `openssl genrsa -out private_key.pem 2048`)"
    )]
    OpenSsh,
    /// A public key where a private one is needed, or the other way round, or a certificate.
    #[error("this is a {found} key; {expected} (fix: {fix})")]
    WrongKind {
        /// What the text holds (`public`, `private`, ...).
        found: &'static str,
        /// What the caller needs instead.
        expected: &'static str,
        /// How to get it.
        fix: &'static str,
    },
    /// The PEM block has no end line or its body is not base64.
    #[error("the PEM block `{label}` is not valid base64")]
    BadBase64 {
        /// The block's label (`RSA PRIVATE KEY`, ...).
        label: String,
    },
    /// The block decodes, but not to the key structure its label names.
    #[error("the PEM block `{label}` does not hold a valid {what}: {detail}")]
    BadDer {
        /// The block's label.
        label: String,
        /// The structure expected inside.
        what: &'static str,
        /// The DER parser's message.
        detail: String,
    },
    /// An RSA key of another size than 2048 bits.
    #[error(
        "RSA key with a {bits}-bit modulus: CloudFront accepts only RSA 2048 or ECDSA P-256 keys \
         for signed URLs and cookies (fix: `openssl genrsa -out private_key.pem 2048`)"
    )]
    RsaSize {
        /// The modulus size found.
        bits: usize,
    },
    /// An elliptic-curve key on another curve than P-256.
    #[error(
        "elliptic-curve key on {curve}: CloudFront accepts only ECDSA on P-256 (prime256v1) \
         (fix: `openssl ecparam -name prime256v1 -genkey -noout -out private_key.pem`)"
    )]
    EcCurve {
        /// The curve found, by name when it is a known one.
        curve: String,
    },
    /// A key of another algorithm (Ed25519, DSA, RSA-PSS, ...).
    #[error(
        "{algorithm} key: CloudFront accepts only RSA 2048 or ECDSA P-256 keys for signed URLs \
         and cookies (fix: `openssl genrsa -out private_key.pem 2048`)"
    )]
    Algorithm {
        /// The algorithm found, by name when it is a known one.
        algorithm: String,
    },
}

/// Why signing failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// SHA1 was asked for with an ECDSA key.
    #[error(
        "ECDSA keys sign with SHA256 only, as in the AWS CLI (fix: leave out the hash algorithm \
         or choose SHA256)"
    )]
    EcdsaSha1,
    /// The URL cannot be signed (a fragment, or signing parameters already in it); the text says
    /// which and how to fix it.
    #[error("cannot sign this URL: {0}")]
    Url(String),
    /// The RSA primitive failed (the `rsa` crate's message).
    #[error("the RSA signing operation failed: {0}")]
    Rsa(String),
    /// The ECDSA primitive failed (the `p256` crate's message).
    #[error("the ECDSA signing operation failed: {0}")]
    Ecdsa(String),
}

/// A private key that signs policies.
#[derive(Clone)]
pub struct SigningKey {
    inner: SigningInner,
}

#[derive(Clone)]
enum SigningInner {
    Rsa(Box<rsa::PrivateKey>),
    Ecdsa(p256::ecdsa::SigningKey),
}

impl fmt::Debug for SigningKey {
    // Never prints key material.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigningKey({})", self.algorithm())
    }
}

impl SigningKey {
    /// Loads an unencrypted private key from PEM text: PKCS#1 (`RSA PRIVATE KEY`), SEC1
    /// (`EC PRIVATE KEY`) or PKCS#8 (`PRIVATE KEY`).
    pub fn from_pem(pem: &str) -> Result<SigningKey, KeyError> {
        if pem.contains("ENCRYPTED PRIVATE KEY") || pem.contains("Proc-Type: 4,ENCRYPTED") {
            return Err(KeyError::Encrypted);
        }
        if pem.contains("-----BEGIN OPENSSH PRIVATE KEY-----") {
            return Err(KeyError::OpenSsh);
        }
        if let Some(der) = pem_block(pem, "RSA PRIVATE KEY")? {
            let bits = rsa_private_modulus_bits(&der, "RSA PRIVATE KEY")?;
            check_rsa_bits(bits)?;
            let key = rsa::PrivateKey::from_pkcs1_der(&der)
                .map_err(|e| bad_der("RSA PRIVATE KEY", "PKCS#1 RSA private key", e))?;
            return SigningKey::from_rsa(key);
        }
        if let Some(der) = pem_block(pem, "EC PRIVATE KEY")? {
            let parsed = sec1::EcPrivateKey::try_from(der.as_slice())
                .map_err(|e| bad_der("EC PRIVATE KEY", "SEC1 EC private key", e))?;
            if let Some(curve) = parsed.parameters.and_then(|p| p.named_curve()) {
                check_curve(curve)?;
            }
            let key =
                p256::SecretKey::from_sec1_der(&der).map_err(|e| bad_der("EC PRIVATE KEY", "P-256 private key", e))?;
            return Ok(SigningKey::from_ecdsa(key.into()));
        }
        if let Some(der) = pem_block(pem, "PRIVATE KEY")? {
            let info = PrivateKeyInfoRef::try_from(der.as_slice())
                .map_err(|e| bad_der("PRIVATE KEY", "PKCS#8 private key", e))?;
            let oid = info.algorithm.oid;
            if oid == OID_RSA_ENCRYPTION {
                let bits = rsa_private_modulus_bits(info.private_key.as_bytes(), "PRIVATE KEY")?;
                check_rsa_bits(bits)?;
                let key = rsa::PrivateKey::from_pkcs8_der(&der)
                    .map_err(|e| bad_der("PRIVATE KEY", "PKCS#8 RSA private key", e))?;
                return SigningKey::from_rsa(key);
            }
            if oid == OID_EC_PUBLIC_KEY {
                if let Ok(curve) = info.algorithm.parameters_oid() {
                    check_curve(curve)?;
                }
                let key = p256::SecretKey::from_pkcs8_der(&der)
                    .map_err(|e| bad_der("PRIVATE KEY", "PKCS#8 P-256 private key", e))?;
                return Ok(SigningKey::from_ecdsa(key.into()));
            }
            return Err(KeyError::Algorithm { algorithm: algorithm_name(oid) });
        }
        if pem.contains("PUBLIC KEY-----") {
            return Err(KeyError::WrongKind {
                found: "public",
                expected: "signing needs the private key",
                fix: "pass the private key file; the public key goes to CloudFront and to verify",
            });
        }
        Err(KeyError::NoPemBlock { expected: "RSA PRIVATE KEY, EC PRIVATE KEY or PRIVATE KEY" })
    }

    /// Wraps an RSA private key, for keys made in memory (for example generated from a seed).
    pub fn from_rsa(key: rsa::PrivateKey) -> Result<SigningKey, KeyError> {
        check_rsa_bits(key.n().bit_width() as usize)?;
        Ok(SigningKey { inner: SigningInner::Rsa(Box::new(key)) })
    }

    /// Wraps a P-256 ECDSA private key.
    pub fn from_ecdsa(key: p256::ecdsa::SigningKey) -> SigningKey {
        SigningKey { inner: SigningInner::Ecdsa(key) }
    }

    /// RSA-2048 or ECDSA P-256.
    pub fn algorithm(&self) -> KeyAlgorithm {
        match self.inner {
            SigningInner::Rsa(_) => KeyAlgorithm::Rsa2048,
            SigningInner::Ecdsa(_) => KeyAlgorithm::EcdsaP256,
        }
    }

    /// The hash algorithm this key signs with when none is asked for: SHA1 for RSA (CloudFront's
    /// default), SHA256 for ECDSA (the AWS CLI never signs ECDSA with SHA1).
    pub fn default_hash(&self) -> HashAlgorithm {
        match self.algorithm() {
            KeyAlgorithm::Rsa2048 => HashAlgorithm::Sha1,
            KeyAlgorithm::EcdsaP256 => HashAlgorithm::Sha256,
        }
    }

    /// The matching public key, as CloudFront would hold it.
    pub fn public_key(&self) -> PublicKey {
        match &self.inner {
            SigningInner::Rsa(key) => {
                PublicKey::from_rsa_parts(key.n().to_be_bytes().as_ref(), key.e().to_be_bytes().as_ref())
            }
            SigningInner::Ecdsa(key) => PublicKey::from_ecdsa(*key.verifying_key()),
        }
    }

    /// Signs `message` (the policy bytes): RSASSA-PKCS1-v1_5 for RSA, exactly as
    /// `openssl sha1 -sign` (or `sha256`) produces; DER-encoded ECDSA for P-256, with an RFC 6979
    /// deterministic nonce. RSA signing is blinded with the operating system's RNG, which does
    /// not change the (deterministic) signature value.
    pub fn sign(&self, hash: HashAlgorithm, message: &[u8]) -> Result<Vec<u8>, SignError> {
        match &self.inner {
            SigningInner::Rsa(key) => {
                let result = match hash {
                    HashAlgorithm::Sha1 => key.sign(rsa::Pkcs1v15Sign::new::<Sha1>(), &Sha1::digest(message)),
                    HashAlgorithm::Sha256 => key.sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(message)),
                };
                result.map_err(|e| SignError::Rsa(e.to_string()))
            }
            SigningInner::Ecdsa(key) => {
                if hash != HashAlgorithm::Sha256 {
                    return Err(SignError::EcdsaSha1);
                }
                let signature: p256::ecdsa::Signature =
                    key.sign_prehash(&Sha256::digest(message)).map_err(|e| SignError::Ecdsa(e.to_string()))?;
                Ok(signature.to_der().as_bytes().to_vec())
            }
        }
    }
}

/// A public key that verifies signatures, as registered with CloudFront under a key id.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    inner: PublicInner,
}

#[derive(Clone, PartialEq, Eq)]
enum PublicInner {
    /// Big-endian modulus and exponent without leading zeros, the form `ring` verifies with.
    Rsa { n: Box<[u8]>, e: Box<[u8]> },
    /// The key, and its uncompressed SEC1 point for `ring`, which verifies ECDSA-SHA256 about ten
    /// times faster than the pure-Rust `p256` (which stays for SHA1 requests).
    Ecdsa { key: p256::ecdsa::VerifyingKey, point: Box<[u8]> },
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.algorithm())
    }
}

impl PublicKey {
    /// Loads a public key from PEM text: SubjectPublicKeyInfo (`PUBLIC KEY`, what CloudFront's
    /// console and `openssl rsa -pubout` use) or PKCS#1 (`RSA PUBLIC KEY`).
    pub fn from_pem(pem: &str) -> Result<PublicKey, KeyError> {
        if let Some(der) = pem_block(pem, "RSA PUBLIC KEY")? {
            return PublicKey::from_pkcs1_der(&der, "RSA PUBLIC KEY");
        }
        if let Some(der) = pem_block(pem, "PUBLIC KEY")? {
            let info = SubjectPublicKeyInfoRef::try_from(der.as_slice())
                .map_err(|e| bad_der("PUBLIC KEY", "SubjectPublicKeyInfo", e))?;
            let oid = info.algorithm.oid;
            if oid == OID_RSA_ENCRYPTION {
                return PublicKey::from_pkcs1_der(info.subject_public_key.raw_bytes(), "PUBLIC KEY");
            }
            if oid == OID_EC_PUBLIC_KEY {
                if let Ok(curve) = info.algorithm.parameters_oid() {
                    check_curve(curve)?;
                }
                let point = info.subject_public_key.as_bytes().unwrap_or_default();
                let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(point)
                    .map_err(|e| bad_der("PUBLIC KEY", "P-256 public key", e))?;
                return Ok(PublicKey::from_ecdsa(key));
            }
            return Err(KeyError::Algorithm { algorithm: algorithm_name(oid) });
        }
        if pem.contains("PRIVATE KEY-----") {
            return Err(KeyError::WrongKind {
                found: "private",
                expected: "verifying needs the public key",
                fix: "`openssl pkey -in private_key.pem -pubout -out public_key.pem`",
            });
        }
        if pem.contains("-----BEGIN CERTIFICATE-----") {
            return Err(KeyError::WrongKind {
                found: "certificate, not a",
                expected: "CloudFront takes the bare public key",
                fix: "`openssl x509 -in cert.pem -pubkey -noout > public_key.pem`",
            });
        }
        Err(KeyError::NoPemBlock { expected: "PUBLIC KEY or RSA PUBLIC KEY" })
    }

    fn from_pkcs1_der(der: &[u8], label: &str) -> Result<PublicKey, KeyError> {
        let parsed =
            rsa::pkcs1::RsaPublicKeyRef::try_from(der).map_err(|e| bad_der(label, "PKCS#1 RSA public key", e))?;
        check_rsa_bits(bit_length(parsed.modulus.as_bytes()))?;
        // Let the rsa crate validate the exponent and modulus as it would for signing.
        rsa::PublicKey::from_pkcs1_der(der).map_err(|e| bad_der(label, "RSA public key", e))?;
        Ok(PublicKey::from_rsa_parts(parsed.modulus.as_bytes(), parsed.public_exponent.as_bytes()))
    }

    fn from_ecdsa(key: p256::ecdsa::VerifyingKey) -> PublicKey {
        let point = key.to_sec1_bytes();
        PublicKey { inner: PublicInner::Ecdsa { key, point } }
    }

    fn from_rsa_parts(n: &[u8], e: &[u8]) -> PublicKey {
        PublicKey { inner: PublicInner::Rsa { n: strip_zeros(n).into(), e: strip_zeros(e).into() } }
    }

    /// RSA-2048 or ECDSA P-256.
    pub fn algorithm(&self) -> KeyAlgorithm {
        match self.inner {
            PublicInner::Rsa { .. } => KeyAlgorithm::Rsa2048,
            PublicInner::Ecdsa { .. } => KeyAlgorithm::EcdsaP256,
        }
    }

    /// Checks `signature` over `message` with `hash`. This is the expensive step of verification
    /// (tens of microseconds); it is pure, so callers may memoize it on (key, hash, message,
    /// signature). Any malformed signature is simply `false`; never panics.
    pub fn verify(&self, hash: HashAlgorithm, message: &[u8], signature: &[u8]) -> bool {
        match &self.inner {
            PublicInner::Rsa { n, e } => {
                let algorithm = match hash {
                    HashAlgorithm::Sha1 => &ring::signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
                    HashAlgorithm::Sha256 => &ring::signature::RSA_PKCS1_2048_8192_SHA256,
                };
                let key = ring::signature::RsaPublicKeyComponents { n: &n[..], e: &e[..] };
                key.verify(algorithm, message, signature).is_ok()
            }
            PublicInner::Ecdsa { point, .. } if hash == HashAlgorithm::Sha256 => {
                let key = ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_ASN1, &point[..]);
                key.verify(message, signature).is_ok()
            }
            PublicInner::Ecdsa { key, .. } => {
                let Ok(signature) = p256::ecdsa::Signature::from_der(signature) else {
                    return false;
                };
                key.verify_prehash(&Sha1::digest(message), &signature).is_ok()
            }
        }
    }
}

/// The DER inside the first `-----BEGIN {label}-----` block of `pem`, or `None` if there is no
/// such block. Labels are matched exactly, so `PRIVATE KEY` does not match `RSA PRIVATE KEY`.
fn pem_block(pem: &str, label: &str) -> Result<Option<Vec<u8>>, KeyError> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let Some(start) = pem.find(&begin) else {
        return Ok(None);
    };
    let body_start = start + begin.len();
    let Some(body_len) = pem[body_start..].find(&end) else {
        return Err(KeyError::BadBase64 { label: label.to_string() });
    };
    let body = &pem[body_start..body_start + body_len];
    match base64::decode_standard(body) {
        Some(der) if !der.is_empty() => Ok(Some(der)),
        _ => Err(KeyError::BadBase64 { label: label.to_string() }),
    }
}

fn bad_der(label: &str, what: &'static str, error: impl fmt::Display) -> KeyError {
    KeyError::BadDer { label: label.to_string(), what, detail: error.to_string() }
}

fn rsa_private_modulus_bits(der: &[u8], label: &str) -> Result<usize, KeyError> {
    let parsed = rsa::pkcs1::RsaPrivateKeyRef::try_from(der).map_err(|e| bad_der(label, "RSA private key", e))?;
    Ok(bit_length(parsed.modulus.as_bytes()))
}

fn check_rsa_bits(bits: usize) -> Result<(), KeyError> {
    if bits == RSA_MODULUS_BITS { Ok(()) } else { Err(KeyError::RsaSize { bits }) }
}

fn check_curve(curve: ObjectIdentifier) -> Result<(), KeyError> {
    if curve == OID_P256 {
        return Ok(());
    }
    let name = match curve.to_string().as_str() {
        "1.3.132.0.34" => "P-384 (secp384r1)".to_string(),
        "1.3.132.0.35" => "P-521 (secp521r1)".to_string(),
        "1.3.132.0.10" => "secp256k1".to_string(),
        other => format!("the curve with OID {other}"),
    };
    Err(KeyError::EcCurve { curve: name })
}

fn algorithm_name(oid: ObjectIdentifier) -> String {
    match oid {
        OID_ED25519 => "Ed25519".to_string(),
        OID_ED448 => "Ed448".to_string(),
        OID_DSA => "DSA".to_string(),
        OID_RSA_PSS => "RSA-PSS (restricted RSA)".to_string(),
        other => format!("OID {other}"),
    }
}

/// The bit length of a big-endian unsigned integer.
fn bit_length(bytes: &[u8]) -> usize {
    let bytes = strip_zeros(bytes);
    match bytes.first() {
        None => 0,
        Some(&first) => (bytes.len() - 1) * 8 + (8 - first.leading_zeros() as usize),
    }
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let zeros = bytes.iter().take_while(|&&b| b == 0).count();
    &bytes[zeros..]
}

#[cfg(test)]
mod tests {
    use super::*;

    // Test-only keys generated with openssl for cdnsim (tests/fixtures/PROVENANCE.md).
    const RSA_PKCS1: &str = include_str!("../tests/fixtures/keys/rsa2048_pkcs1.pem");
    const RSA_PKCS8: &str = include_str!("../tests/fixtures/keys/rsa2048_pkcs8.pem");
    const RSA_PUB_SPKI: &str = include_str!("../tests/fixtures/keys/rsa2048_public.pem");
    const RSA_PUB_PKCS1: &str = include_str!("../tests/fixtures/keys/rsa2048_public_pkcs1.pem");
    const EC_SEC1: &str = include_str!("../tests/fixtures/keys/p256_sec1.pem");
    const EC_PKCS8: &str = include_str!("../tests/fixtures/keys/p256_pkcs8.pem");
    const EC_PUB: &str = include_str!("../tests/fixtures/keys/p256_public.pem");
    const RSA_1024: &str = include_str!("../tests/fixtures/keys/rsa1024_pkcs1.pem");
    const RSA_4096_PUB: &str = include_str!("../tests/fixtures/keys/rsa4096_public.pem");
    const EC_P384: &str = include_str!("../tests/fixtures/keys/p384_sec1.pem");
    const ED25519: &str = include_str!("../tests/fixtures/keys/ed25519.pem");

    #[test]
    fn loads_every_accepted_form() {
        assert_eq!(SigningKey::from_pem(RSA_PKCS1).unwrap().algorithm(), KeyAlgorithm::Rsa2048);
        assert_eq!(SigningKey::from_pem(RSA_PKCS8).unwrap().algorithm(), KeyAlgorithm::Rsa2048);
        assert_eq!(SigningKey::from_pem(EC_SEC1).unwrap().algorithm(), KeyAlgorithm::EcdsaP256);
        assert_eq!(SigningKey::from_pem(EC_PKCS8).unwrap().algorithm(), KeyAlgorithm::EcdsaP256);
        assert_eq!(PublicKey::from_pem(RSA_PUB_SPKI).unwrap().algorithm(), KeyAlgorithm::Rsa2048);
        assert_eq!(PublicKey::from_pem(RSA_PUB_PKCS1).unwrap().algorithm(), KeyAlgorithm::Rsa2048);
        assert_eq!(PublicKey::from_pem(EC_PUB).unwrap().algorithm(), KeyAlgorithm::EcdsaP256);
    }

    #[test]
    fn pkcs1_and_pkcs8_are_the_same_key() {
        let a = SigningKey::from_pem(RSA_PKCS1).unwrap().public_key();
        let b = SigningKey::from_pem(RSA_PKCS8).unwrap().public_key();
        assert_eq!(a, b);
        assert_eq!(a, PublicKey::from_pem(RSA_PUB_SPKI).unwrap());
        assert_eq!(a, PublicKey::from_pem(RSA_PUB_PKCS1).unwrap());
        let c = SigningKey::from_pem(EC_SEC1).unwrap().public_key();
        assert_eq!(c, SigningKey::from_pem(EC_PKCS8).unwrap().public_key());
        assert_eq!(c, PublicKey::from_pem(EC_PUB).unwrap());
    }

    #[test]
    fn signs_and_verifies_both_hashes() {
        let rsa = SigningKey::from_pem(RSA_PKCS1).unwrap();
        let public = rsa.public_key();
        for hash in [HashAlgorithm::Sha1, HashAlgorithm::Sha256] {
            let sig = rsa.sign(hash, b"policy").unwrap();
            assert_eq!(sig.len(), 256);
            assert!(public.verify(hash, b"policy", &sig));
            assert!(!public.verify(hash, b"policy!", &sig));
            let other = if hash == HashAlgorithm::Sha1 { HashAlgorithm::Sha256 } else { HashAlgorithm::Sha1 };
            assert!(!public.verify(other, b"policy", &sig));
        }
        let ec = SigningKey::from_pem(EC_SEC1).unwrap();
        let sig = ec.sign(HashAlgorithm::Sha256, b"policy").unwrap();
        assert!(ec.public_key().verify(HashAlgorithm::Sha256, b"policy", &sig));
        assert!(!ec.public_key().verify(HashAlgorithm::Sha1, b"policy", &sig));
        assert!(!ec.public_key().verify(HashAlgorithm::Sha256, b"policy", &sig[1..]));
        assert_eq!(ec.sign(HashAlgorithm::Sha1, b"policy"), Err(SignError::EcdsaSha1));
    }

    #[test]
    fn ecdsa_verifies_with_the_hash_the_request_names() {
        // cdnsim never signs ECDSA with SHA1, but a request may say SHA1 (the default when
        // Hash-Algorithm is absent), and the verifier then checks a SHA1 digest.
        let key = SigningKey::from_pem(EC_PKCS8).unwrap();
        let SigningInner::Ecdsa(inner) = &key.inner else { unreachable!() };
        let signature: p256::ecdsa::Signature = inner.sign_prehash(&Sha1::digest(b"policy")).unwrap();
        let der = signature.to_der().as_bytes().to_vec();
        assert!(key.public_key().verify(HashAlgorithm::Sha1, b"policy", &der));
        assert!(!key.public_key().verify(HashAlgorithm::Sha256, b"policy", &der));
    }

    #[test]
    fn ring_and_p256_agree_on_ecdsa_sha256() {
        let key = SigningKey::from_pem(EC_SEC1).unwrap();
        let public = key.public_key();
        let PublicInner::Ecdsa { key: verifying, .. } = &public.inner else { unreachable!() };
        for i in 0..20u8 {
            let message = [i; 7];
            let mut der = key.sign(HashAlgorithm::Sha256, &message).unwrap();
            if i % 3 == 1 {
                let last = der.len() - 1;
                der[last] ^= 1;
            }
            if i % 5 == 2 {
                der.push(0);
            }
            let by_p256 = p256::ecdsa::Signature::from_der(&der)
                .is_ok_and(|s| verifying.verify_prehash(&Sha256::digest(message), &s).is_ok());
            assert_eq!(public.verify(HashAlgorithm::Sha256, &message, &der), by_p256, "message {i}");
        }
    }

    #[test]
    fn refuses_what_cloudfront_refuses() {
        assert_eq!(SigningKey::from_pem(RSA_1024).unwrap_err(), KeyError::RsaSize { bits: 1024 });
        assert_eq!(PublicKey::from_pem(RSA_4096_PUB).unwrap_err(), KeyError::RsaSize { bits: 4096 });
        assert!(matches!(SigningKey::from_pem(EC_P384), Err(KeyError::EcCurve { curve }) if curve.contains("P-384")));
        assert!(
            matches!(SigningKey::from_pem(ED25519), Err(KeyError::Algorithm { algorithm }) if algorithm == "Ed25519")
        );
        let encrypted = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n";
        assert_eq!(SigningKey::from_pem(encrypted).unwrap_err(), KeyError::Encrypted);
        assert!(matches!(SigningKey::from_pem(RSA_PUB_SPKI), Err(KeyError::WrongKind { found: "public", .. })));
        assert!(matches!(PublicKey::from_pem(RSA_PKCS1), Err(KeyError::WrongKind { found: "private", .. })));
        assert!(matches!(PublicKey::from_pem("hello"), Err(KeyError::NoPemBlock { .. })));
        let garbage = "-----BEGIN PUBLIC KEY-----\nMIIB!!\n-----END PUBLIC KEY-----\n";
        assert!(matches!(PublicKey::from_pem(garbage), Err(KeyError::BadBase64 { .. })));
        let truncated = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOC\n-----END PUBLIC KEY-----\n";
        assert!(matches!(PublicKey::from_pem(truncated), Err(KeyError::BadDer { .. })));
    }

    #[test]
    fn messages_name_the_fix() {
        let message = KeyError::RsaSize { bits: 4096 }.to_string();
        assert!(message.contains("4096") && message.contains("openssl genrsa"), "{message}");
        assert!(KeyError::Encrypted.to_string().contains("fix:"));
    }

    #[test]
    fn reads_the_key_block_among_others() {
        // `openssl ecparam -genkey` writes an EC PARAMETERS block before the key.
        let with_params =
            format!("-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n{EC_SEC1}");
        assert_eq!(SigningKey::from_pem(&with_params).unwrap().algorithm(), KeyAlgorithm::EcdsaP256);
        let crlf = RSA_PKCS1.replace('\n', "\r\n");
        assert!(SigningKey::from_pem(&crlf).is_ok());
    }
}
