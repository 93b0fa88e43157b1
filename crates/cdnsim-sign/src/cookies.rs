//! Signed cookies: the `CloudFront-*` name-value pairs, and finding them in a `Cookie` header.
//!
//! Names are case-sensitive (Developer Guide, "Set signed cookies using a canned policy" and
//! "… using a custom policy"; reference §2):
//! - canned: `CloudFront-Expires`, `CloudFront-Signature`, `CloudFront-Key-Pair-Id`;
//! - custom: `CloudFront-Policy`, `CloudFront-Signature`, `CloudFront-Key-Pair-Id`;
//! - either, optionally: `CloudFront-Hash-Algorithm=SHA256` when the signature used SHA-256.
//!
//! A canned cookie policy is the canned URL policy (§1.3) with `Resource` = the URL requested, so a
//! canned cookie grants exactly one URL; use a custom policy with a wildcard for more.

use std::borrow::Cow;

use crate::base64;
use crate::hash::HashAlgorithm;
use crate::keys::{SignError, SigningKey};
use crate::policy::{SignPolicy, canned_policy_json};
use crate::request::{Rejection, SignedRequest, Transport};

/// The values of the signed cookies, one `Set-Cookie` header each. Add attributes such as
/// `Domain`, `Path=/`, `Secure` and `HttpOnly` when sending them; the guide advises against
/// `Expires`/`Max-Age` so that browsers drop them when closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedCookies {
    /// `CloudFront-Policy` (custom) — the policy in CloudFront base64.
    pub policy: Option<String>,
    /// `CloudFront-Expires` (canned).
    pub expires: Option<i64>,
    /// `CloudFront-Signature`.
    pub signature: String,
    /// `CloudFront-Key-Pair-Id`.
    pub key_pair_id: String,
    /// `CloudFront-Hash-Algorithm`, set when the hash is not SHA1.
    pub hash_algorithm: Option<HashAlgorithm>,
}

impl SignedCookies {
    /// `(name, value)` pairs in the order the guide lists them.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::with_capacity(4);
        if let Some(policy) = &self.policy {
            pairs.push(("CloudFront-Policy", policy.clone()));
        }
        if let Some(expires) = self.expires {
            pairs.push(("CloudFront-Expires", expires.to_string()));
        }
        pairs.push(("CloudFront-Signature", self.signature.clone()));
        pairs.push(("CloudFront-Key-Pair-Id", self.key_pair_id.clone()));
        if let Some(hash) = self.hash_algorithm {
            pairs.push(("CloudFront-Hash-Algorithm", hash.as_str().to_string()));
        }
        pairs
    }

    /// The pairs as a browser would send them back in one `Cookie` header.
    pub fn cookie_header(&self) -> String {
        self.pairs().iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join("; ")
    }
}

/// Signs cookies. For [`SignPolicy::Canned`], `resource` is the one URL the cookies grant (the
/// policy is rebuilt from it at request time); for [`SignPolicy::Custom`] the policy's own
/// `Resource` counts and `resource` is only checked like a URL to sign.
pub fn sign_cookies(
    resource: &str,
    policy: &SignPolicy,
    key_id: &str,
    key: &SigningKey,
    hash: HashAlgorithm,
) -> Result<SignedCookies, SignError> {
    let (policy_value, expires, json) = match policy {
        SignPolicy::Canned { expires } => {
            crate::url::check_url_to_sign(resource)?;
            (None, Some(*expires), canned_policy_json(resource, *expires))
        }
        SignPolicy::Custom(custom) => {
            let json = custom.to_json();
            (Some(base64::encode(json.as_bytes())), None, json)
        }
    };
    let signature = key.sign(hash, json.as_bytes())?;
    Ok(SignedCookies {
        policy: policy_value,
        expires,
        signature: base64::encode(&signature),
        key_pair_id: key_id.to_string(),
        hash_algorithm: (hash != HashAlgorithm::Sha1).then_some(hash),
    })
}

/// Finds the `CloudFront-*` cookies in a `Cookie` header for a request to `url`. The only failure
/// here is a missing or empty `CloudFront-Key-Pair-Id` (`missing-key`, which is also what a
/// request with no cookies at all gets); the rest is decoded by
/// [`SignedRequest::credentials`].
///
/// Pairs are split on `;`, names and values trimmed, a value in double quotes unquoted
/// (RFC 6265 §4.1.1); the first pair of a name counts (browsers send the most specific path
/// first). Cookie values are not percent-decoded: CloudFront's base64 alphabet needs no escaping.
pub fn parse_signed_cookies<'a>(url: &'a str, cookie_header: &'a str) -> Result<SignedRequest<'a>, Rejection> {
    let url = url.split_once('#').map_or(url, |(before, _)| before);
    let mut request = SignedRequest {
        transport: Transport::Cookies,
        key_id: Cow::Borrowed(""),
        signature: None,
        policy: None,
        expires: None,
        hash_algorithm: None,
        resource: Cow::Borrowed(url),
    };
    let mut key_id = None;
    for pair in cookie_header.split(';') {
        let Some((name, value)) = pair.split_once('=') else {
            continue;
        };
        let value = value.trim();
        let value = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
        let slot = match name.trim() {
            "CloudFront-Expires" => &mut request.expires,
            "CloudFront-Policy" => &mut request.policy,
            "CloudFront-Signature" => &mut request.signature,
            "CloudFront-Key-Pair-Id" => &mut key_id,
            "CloudFront-Hash-Algorithm" => &mut request.hash_algorithm,
            _ => continue,
        };
        if slot.is_none() && !value.is_empty() {
            *slot = Some(Cow::Borrowed(value));
        }
    }
    request.key_id = key_id.ok_or(Rejection::MissingKey)?;
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_cookie_header() {
        let header = "session=1; CloudFront-Policy=cG9s; CloudFront-Signature=\"c2ln\"; CloudFront-Key-Pair-Id=K1;CloudFront-Key-Pair-Id=K2";
        let r = parse_signed_cookies("https://d.net/a.jpg?x=1#f", header).unwrap();
        assert_eq!(r.key_id(), "K1");
        assert_eq!(r.signature.as_deref(), Some("c2ln"));
        assert_eq!(r.policy.as_deref(), Some("cG9s"));
        assert_eq!(r.resource(), "https://d.net/a.jpg?x=1");
        assert_eq!(r.transport(), Transport::Cookies);
    }

    #[test]
    fn names_are_case_sensitive_and_key_is_required() {
        assert_eq!(parse_signed_cookies("https://d.net/a", "").unwrap_err(), Rejection::MissingKey);
        assert_eq!(
            parse_signed_cookies("https://d.net/a", "cloudfront-key-pair-id=K1").unwrap_err(),
            Rejection::MissingKey
        );
        assert_eq!(
            parse_signed_cookies("https://d.net/a", "CloudFront-Key-Pair-Id=; x").unwrap_err(),
            Rejection::MissingKey
        );
        assert_eq!(
            parse_signed_cookies("https://d.net/a", ";;=;==;CloudFront-Key-Pair-Id").unwrap_err(),
            Rejection::MissingKey
        );
    }

    #[test]
    fn cookie_pairs_order() {
        let cookies = SignedCookies {
            policy: None,
            expires: Some(10),
            signature: "sig".into(),
            key_pair_id: "K1".into(),
            hash_algorithm: Some(HashAlgorithm::Sha256),
        };
        assert_eq!(
            cookies.cookie_header(),
            "CloudFront-Expires=10; CloudFront-Signature=sig; CloudFront-Key-Pair-Id=K1; CloudFront-Hash-Algorithm=SHA256"
        );
    }
}
