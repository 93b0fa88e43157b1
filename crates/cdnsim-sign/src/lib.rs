//! CloudFront signed URLs and signed cookies: real signing and verification.
//!
//! URLs and cookies signed here are byte-for-byte what CloudFront and the AWS SDKs produce, and
//! what they sign verifies here. The rules and their sources are in
//! `shared/cloudfront-reference.md` §1–§3 and the CloudFront Developer Guide pages cited in
//! each file.
//!
//! **Boundary:** no simulation types, no clock and no I/O in here. Keys come in as PEM text;
//! verification takes `now` (Unix seconds) and the client address as arguments.
//!
//! Signing, once per (key, policy):
//! - [`sign_url`] and [`sign_cookies`] with a [`SignPolicy`] (canned or [`Policy`]) and a
//!   [`SigningKey`].
//!
//! Verifying, in CloudFront's order (reference §1.9):
//! - [`verify_request`], [`verify_url`], [`verify_cookies`] do every step;
//! - for a simulator, the steps are separate so the crypto can be memoized:
//!   [`parse_signed_url`] / [`parse_signed_cookies`] (cheap) → [`lookup_key`] (cheap) →
//!   [`SignedRequest::credentials`] (cheap) → [`verify_signature`] (expensive, pure: memoize on
//!   [`Credentials::memo_key`]) → [`check_policy`] (cheap, takes `now` and the client IP).
//!   [`SignatureMemo`] is a ready-made memo.

#![forbid(unsafe_code)]

mod base64;
mod cookies;
mod keys;
mod limits;
mod policy;
mod url;
mod verify;
pub mod wildcard;

pub use base64::{decode as decode_base64, encode as encode_base64, encode_standard as encode_standard_base64};
pub use cookies::{SignedCookies, parse_signed_cookies, sign_cookies};
pub use keys::{KeyAlgorithm, KeyError, PublicKey, RSA_MODULUS_BITS, SignError, SigningKey};
pub use limits::{
    LimitError, MAX_ACTIVE_LEGACY_KEY_PAIRS, MAX_KEY_GROUPS_PER_BEHAVIOR, MAX_PUBLIC_KEYS_PER_KEY_GROUP,
    check_active_legacy_key_pairs, check_key_groups_per_behavior, check_public_keys_per_key_group,
};
pub use policy::{
    Ipv4Cidr, Policy, PolicyError, ResourcePattern, SignPolicy, UrlParts, canned_policy_json, resource_matches,
};
pub use url::{SIGNING_QUERY_PARAMS, has_signing_params, parse_signed_url, sign_url};
pub use verify::{
    Accepted, CloudFrontCode, Credentials, KeyGroup, KeyRegistry, MemoKey, PolicyKind, Rejection, SignatureMemo,
    SignedRequest, Transport, TrustedKeys, check_conditions, check_policy, lookup_key, parse_request, verify_cookies,
    verify_request, verify_signature, verify_url,
};

use std::fmt;
use std::str::FromStr;

/// The digest signed over the policy bytes. CloudFront's default, when the URL has no
/// `Hash-Algorithm` parameter and the request no `CloudFront-Hash-Algorithm` cookie, is SHA1
/// (reference §1.2, §1.7).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HashAlgorithm {
    #[default]
    Sha1,
    Sha256,
}

impl HashAlgorithm {
    /// The value CloudFront uses in `Hash-Algorithm=` and `CloudFront-Hash-Algorithm=`.
    pub fn as_str(self) -> &'static str {
        match self {
            HashAlgorithm::Sha1 => "SHA1",
            HashAlgorithm::Sha256 => "SHA256",
        }
    }
}

impl fmt::Display for HashAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for HashAlgorithm {
    type Err = String;

    /// Exactly `SHA1` or `SHA256`, the two values CloudFront documents.
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "SHA1" => Ok(HashAlgorithm::Sha1),
            "SHA256" => Ok(HashAlgorithm::Sha256),
            other => Err(format!("unknown hash algorithm `{other}` (expected SHA1 or SHA256)")),
        }
    }
}
