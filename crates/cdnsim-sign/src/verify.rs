//! Verifying signed URLs and cookies in CloudFront's order, with the expensive crypto step kept
//! apart so that callers can memoize it.
//!
//! The order (reference §1.9; the Developer Guide documents only that the signature is checked
//! before the policy's conditions, the rest is inferred from CloudFront's error codes):
//! 1. a URL carrying any signing parameter is checked as a signed URL, otherwise the cookies are;
//! 2. no key id → `missing-key` (403 `MissingKey`);
//! 3. key id not registered → `unknown-key`; registered but not in the behavior's trusted key
//!    groups → `untrusted-key` (both 403 `InvalidKey`);
//! 4. unusable parameters: `unsupported-hash-algorithm`, `missing-parameter`,
//!    `malformed-signature`, `malformed-policy`;
//! 5. signature check with the key and hash algorithm → `bad-signature`;
//! 6. `Resource` against the request URL → `resource-mismatch`, then `DateLessThan` → `expired`,
//!    `DateGreaterThan` → `not-yet-valid`, `IpAddress` → `ip-mismatch`.
//!
//! Nothing here panics on any input: every parser returns a rejection instead.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

use foldhash::fast::FixedState;

use crate::base64;
use crate::cookies::parse_signed_cookies;
use crate::hash::HashAlgorithm;
use crate::keys::PublicKey;
use crate::policy::{Policy, ResourcePattern, UrlParts, canned_policy_json};
use crate::request::{Rejection, SignedRequest, Transport};
use crate::url::{has_signing_params, parse_signed_url};

/// Whether the policy was canned (rebuilt from the URL and `Expires`) or custom (sent along).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// `Expires` was sent; the policy is rebuilt from the request URL.
    Canned,
    /// `Policy` was sent.
    Custom,
}

/// A request CloudFront would serve.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Accepted {
    /// Signed URL or signed cookies.
    pub transport: Transport,
    /// Canned or custom policy.
    pub kind: PolicyKind,
    /// The hash the signature was checked with.
    pub hash_algorithm: HashAlgorithm,
}

/// A key group: the public key ids a cache behavior can trust together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyGroup {
    /// The key group's own id.
    pub id: String,
    /// The public keys in it, by key id.
    pub key_ids: Vec<String>,
}

/// The public keys CloudFront knows, by key id (`K2JCJMDEHXQW5F`, or `APKA…` for legacy
/// root-account key pairs).
#[derive(Clone, Debug, Default)]
pub struct KeyRegistry {
    keys: HashMap<String, PublicKey, FixedState>,
}

impl KeyRegistry {
    /// An empty registry.
    pub fn new() -> KeyRegistry {
        KeyRegistry::default()
    }

    /// Registers `key` under `key_id`, returning the key it replaces.
    pub fn insert(&mut self, key_id: impl Into<String>, key: PublicKey) -> Option<PublicKey> {
        self.keys.insert(key_id.into(), key)
    }

    /// The key registered under `key_id`.
    pub fn get(&self, key_id: &str) -> Option<&PublicKey> {
        self.keys.get(key_id)
    }

    /// Registered keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no key is registered.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// The key ids a cache behavior trusts: the union of its trusted key groups (or, for legacy
/// trusted signers, the account's active key pairs).
#[derive(Clone, Debug, Default)]
pub struct TrustedKeys {
    ids: HashSet<String, FixedState>,
}

impl TrustedKeys {
    /// Trusts no key.
    pub fn new() -> TrustedKeys {
        TrustedKeys::default()
    }

    /// Trusts every key of `groups`, as a behavior with these trusted key groups does.
    pub fn from_key_groups<'a>(groups: impl IntoIterator<Item = &'a KeyGroup>) -> TrustedKeys {
        let mut trusted = TrustedKeys::new();
        for group in groups {
            for id in &group.key_ids {
                trusted.insert(id.clone());
            }
        }
        trusted
    }

    /// Trusts `key_id` too.
    pub fn insert(&mut self, key_id: impl Into<String>) {
        self.ids.insert(key_id.into());
    }

    /// Whether `key_id` is trusted.
    pub fn contains(&self, key_id: &str) -> bool {
        self.ids.contains(key_id)
    }
}

/// The public key for `key_id`, if the registry has it and the behavior trusts it.
pub fn lookup_key<'r>(
    registry: &'r KeyRegistry,
    trusted: &TrustedKeys,
    key_id: &str,
) -> Result<&'r PublicKey, Rejection> {
    let key = registry.get(key_id).ok_or(Rejection::UnknownKey)?;
    if trusted.contains(key_id) { Ok(key) } else { Err(Rejection::UntrustedKey) }
}

/// The bytes a signature covers: the input of the expensive check, and a memo key for it. Within
/// one [`KeyRegistry`] a key id names one key, so the key id stands for the key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MemoKey {
    /// The key id the request names.
    pub key_id: String,
    /// The hash named by the request (SHA1 when it names none).
    pub hash_algorithm: HashAlgorithm,
    /// The policy JSON that was signed: sent along (custom) or rebuilt (canned).
    pub policy_bytes: Vec<u8>,
    /// The signature, decoded from CloudFront base64.
    pub signature: Vec<u8>,
}

/// Decoded credentials: everything the crypto check and the policy checks need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// Signed URL or signed cookies.
    pub transport: Transport,
    /// Canned or custom policy.
    pub kind: PolicyKind,
    /// What the signature check takes.
    pub signed: MemoKey,
    /// The policy's conditions; for a canned policy, `Resource` = the request URL and
    /// `DateLessThan` = `Expires`.
    pub policy: Policy,
    /// The request URL without signing parameters.
    pub resource: String,
}

impl Credentials {
    /// What [`verify_signature`] depends on, to memoize it.
    pub fn memo_key(&self) -> &MemoKey {
        &self.signed
    }
}

// Decoding is the verifier's first step, kept here rather than beside `SignedRequest` so that
// `request` stays a leaf: it needs the policy parser and the hash names.
impl SignedRequest<'_> {
    /// Decodes the signature and the policy (step 4 of the module's order). Cheap: base64 and,
    /// for a custom policy, JSON.
    pub fn credentials(&self) -> Result<Credentials, Rejection> {
        let hash_algorithm = match self.hash_algorithm.as_deref() {
            None => HashAlgorithm::Sha1,
            Some(value) => value.parse().map_err(|_| Rejection::UnsupportedHashAlgorithm)?,
        };
        let signature = self.signature.as_deref().ok_or(Rejection::MissingParameter)?;
        if self.policy.is_none() && self.expires.is_none() {
            return Err(Rejection::MissingParameter);
        }
        let signature = base64::decode(signature).ok_or(Rejection::MalformedSignature)?;
        let (kind, policy_bytes, policy) = if let Some(encoded) = self.policy.as_deref() {
            // A `Policy` wins over an `Expires` sent with it (CloudFront's behavior with both is
            // unconfirmed, reference §2); `Expires` is then just a reserved parameter.
            let bytes = base64::decode(encoded).ok_or(Rejection::MalformedPolicy)?;
            let policy = Policy::from_json(&bytes).map_err(|_| Rejection::MalformedPolicy)?;
            (PolicyKind::Custom, bytes, policy)
        } else {
            let expires = parse_expires(self.expires.as_deref().unwrap_or(""))?;
            let json = canned_policy_json(&self.resource, expires);
            (PolicyKind::Canned, json.into_bytes(), Policy::new(self.resource.as_ref(), expires))
        };
        Ok(Credentials {
            transport: self.transport,
            kind,
            signed: MemoKey { key_id: self.key_id.to_string(), hash_algorithm, policy_bytes, signature },
            policy,
            resource: self.resource.to_string(),
        })
    }
}

/// `Expires`: Unix seconds as plain decimal digits. The canned policy is rebuilt with the number,
/// so leading zeros do not change it. The docs ask for a 32-bit value (at most 2147483647); larger
/// values are read as they are, since what CloudFront does with them is not documented.
fn parse_expires(text: &str) -> Result<i64, Rejection> {
    if text.is_empty() || text.len() > 18 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Rejection::MalformedPolicy);
    }
    text.parse().map_err(|_| Rejection::MalformedPolicy)
}

/// The expensive step: does `signed.signature` verify over `signed.policy_bytes` with `key`? Pure,
/// so its result may be memoized on `signed` (see [`SignatureMemo`]).
pub fn verify_signature(key: &PublicKey, signed: &MemoKey) -> Result<(), Rejection> {
    if key.verify(signed.hash_algorithm, &signed.policy_bytes, &signed.signature) {
        Ok(())
    } else {
        Err(Rejection::BadSignature)
    }
}

/// The cheap checks of the policy's conditions, in CloudFront's order: resource, end time, start
/// time, client address. `now` is Unix seconds; both bounds are strict (`now < DateLessThan`,
/// `now > DateGreaterThan`), as their names say (reference §1.8). A canned policy's resource is
/// the request URL itself, which the signature already covers.
pub fn check_policy(credentials: &Credentials, now: i64, client_ip: IpAddr) -> Result<(), Rejection> {
    let pattern = credentials.policy.resource.as_deref().map(ResourcePattern::new);
    // A request URL that cannot be split is matched as one unsplittable part:
    // only a `Resource` of `"*"` (or none) covers it.
    let url = UrlParts::of_url(&credentials.resource).unwrap_or(UrlParts {
        scheme: "",
        authority: "",
        path: &credentials.resource,
        query: None,
    });
    check_conditions(credentials.kind, &credentials.policy, pattern.as_ref(), &url, now, client_ip)
}

/// [`check_policy`] for credentials decoded once and applied to many request URLs: a simulator
/// verifies a wildcard policy once per session and checks each request with it. `pattern` is the
/// policy's `Resource`, compiled (`None` when the policy has none).
pub fn check_conditions(
    kind: PolicyKind,
    policy: &Policy,
    pattern: Option<&ResourcePattern>,
    url: &UrlParts<'_>,
    now: i64,
    client_ip: IpAddr,
) -> Result<(), Rejection> {
    if kind == PolicyKind::Custom && pattern.is_some_and(|p| !p.matches_parts(url)) {
        return Err(Rejection::ResourceMismatch);
    }
    if now >= policy.date_less_than {
        return Err(Rejection::Expired);
    }
    if policy.date_greater_than.is_some_and(|start| now <= start) {
        return Err(Rejection::NotYetValid);
    }
    if policy.ip_address.as_ref().is_some_and(|range| !range.contains(client_ip)) {
        return Err(Rejection::IpMismatch);
    }
    Ok(())
}

/// Verifies a signed URL (every step). `url` is the request URL: scheme, host, path and query.
pub fn verify_url(
    url: &str,
    registry: &KeyRegistry,
    trusted: &TrustedKeys,
    now: i64,
    client_ip: IpAddr,
) -> Result<Accepted, Rejection> {
    let request = parse_signed_url(url)?;
    verify_parsed(&request, registry, trusted, now, client_ip, &mut verify_signature)
}

/// Verifies signed cookies for a request to `url`. `cookie_header` is the `Cookie` header value
/// (`name=value; name=value`).
pub fn verify_cookies(
    url: &str,
    cookie_header: &str,
    registry: &KeyRegistry,
    trusted: &TrustedKeys,
    now: i64,
    client_ip: IpAddr,
) -> Result<Accepted, Rejection> {
    let request = parse_signed_cookies(url, cookie_header)?;
    verify_parsed(&request, registry, trusted, now, client_ip, &mut verify_signature)
}

/// Verifies a request as CloudFront does: from the URL when it carries any signing parameter
/// (then cookies are ignored, reference §2 "Precedence"), otherwise from the cookies.
pub fn verify_request(
    url: &str,
    cookie_header: Option<&str>,
    registry: &KeyRegistry,
    trusted: &TrustedKeys,
    now: i64,
    client_ip: IpAddr,
) -> Result<Accepted, Rejection> {
    let request = parse_request(url, cookie_header)?;
    verify_parsed(&request, registry, trusted, now, client_ip, &mut verify_signature)
}

/// Parses what a request presents, choosing URL or cookie mode as CloudFront does.
pub fn parse_request<'a>(url: &'a str, cookie_header: Option<&'a str>) -> Result<SignedRequest<'a>, Rejection> {
    if has_signing_params(url) { parse_signed_url(url) } else { parse_signed_cookies(url, cookie_header.unwrap_or("")) }
}

/// Steps 3–6 for a parsed request, with the crypto check supplied by the caller.
fn verify_parsed(
    request: &SignedRequest<'_>,
    registry: &KeyRegistry,
    trusted: &TrustedKeys,
    now: i64,
    client_ip: IpAddr,
    crypto: &mut dyn FnMut(&PublicKey, &MemoKey) -> Result<(), Rejection>,
) -> Result<Accepted, Rejection> {
    let key = lookup_key(registry, trusted, request.key_id())?;
    let credentials = request.credentials()?;
    crypto(key, &credentials.signed)?;
    check_policy(&credentials, now, client_ip)?;
    Ok(Accepted {
        transport: credentials.transport,
        kind: credentials.kind,
        hash_algorithm: credentials.signed.hash_algorithm,
    })
}

/// A memo of signature checks for one [`KeyRegistry`]: each distinct (key id, hash, policy,
/// signature) is checked once. It changes no outcome, only the cost; the `memo_*` tests check that.
#[derive(Debug, Default)]
pub struct SignatureMemo {
    results: HashMap<MemoKey, bool, FixedState>,
    hits: u64,
    misses: u64,
}

impl SignatureMemo {
    /// An empty memo.
    pub fn new() -> SignatureMemo {
        SignatureMemo::default()
    }

    /// [`verify_signature`], looked up first.
    pub fn verify_signature(&mut self, key: &PublicKey, signed: &MemoKey) -> Result<(), Rejection> {
        let ok = match self.results.get(signed) {
            Some(&ok) => {
                self.hits += 1;
                ok
            }
            None => {
                self.misses += 1;
                let ok = verify_signature(key, signed).is_ok();
                self.results.insert(signed.clone(), ok);
                ok
            }
        };
        if ok { Ok(()) } else { Err(Rejection::BadSignature) }
    }

    /// [`verify_url`] with memoized crypto.
    pub fn verify_url(
        &mut self,
        url: &str,
        registry: &KeyRegistry,
        trusted: &TrustedKeys,
        now: i64,
        client_ip: IpAddr,
    ) -> Result<Accepted, Rejection> {
        let request = parse_signed_url(url)?;
        verify_parsed(&request, registry, trusted, now, client_ip, &mut |k, s| self.verify_signature(k, s))
    }

    /// [`verify_cookies`] with memoized crypto.
    pub fn verify_cookies(
        &mut self,
        url: &str,
        cookie_header: &str,
        registry: &KeyRegistry,
        trusted: &TrustedKeys,
        now: i64,
        client_ip: IpAddr,
    ) -> Result<Accepted, Rejection> {
        let request = parse_signed_cookies(url, cookie_header)?;
        verify_parsed(&request, registry, trusted, now, client_ip, &mut |k, s| self.verify_signature(k, s))
    }

    /// [`verify_request`] with memoized crypto.
    pub fn verify_request(
        &mut self,
        url: &str,
        cookie_header: Option<&str>,
        registry: &KeyRegistry,
        trusted: &TrustedKeys,
        now: i64,
        client_ip: IpAddr,
    ) -> Result<Accepted, Rejection> {
        let request = parse_request(url, cookie_header)?;
        verify_parsed(&request, registry, trusted, now, client_ip, &mut |k, s| self.verify_signature(k, s))
    }

    /// Checks answered from the memo.
    pub fn hits(&self) -> u64 {
        self.hits
    }

    /// Checks that ran the crypto.
    pub fn misses(&self) -> u64 {
        self.misses
    }

    /// Distinct signatures checked so far.
    pub fn len(&self) -> usize {
        self.results.len()
    }

    /// Whether nothing was checked yet.
    pub fn is_empty(&self) -> bool {
        self.results.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expires_is_plain_digits() {
        assert_eq!(parse_expires("1357034400"), Ok(1357034400));
        assert_eq!(parse_expires("01357034400"), Ok(1357034400));
        for bad in ["", "-1", "+1", "1e9", " 1", "12345678901234567890", "１"] {
            assert_eq!(parse_expires(bad), Err(Rejection::MalformedPolicy), "{bad}");
        }
    }

    #[test]
    fn lookup_distinguishes_unknown_and_untrusted() {
        let key = crate::keys::SigningKey::from_pem(include_str!("../tests/fixtures/keys/p256_sec1.pem"))
            .unwrap()
            .public_key();
        let mut registry = KeyRegistry::new();
        registry.insert("KTRUSTED", key.clone());
        registry.insert("KOTHER", key);
        let trusted = TrustedKeys::from_key_groups(&[KeyGroup {
            id: "g".into(),
            key_ids: vec!["KTRUSTED".into(), "KGONE".into()],
        }]);
        assert!(lookup_key(&registry, &trusted, "KTRUSTED").is_ok());
        assert_eq!(lookup_key(&registry, &trusted, "KOTHER"), Err(Rejection::UntrustedKey));
        assert_eq!(lookup_key(&registry, &trusted, "KNOPE"), Err(Rejection::UnknownKey));
        assert_eq!(lookup_key(&registry, &trusted, "KGONE"), Err(Rejection::UnknownKey));
    }
}
