//! The vocabulary that signing and verifying share: what a request presents ([`SignedRequest`],
//! [`Transport`]) and why it is refused ([`Rejection`], [`CloudFrontCode`]).
//!
//! A leaf: it imports nothing from the rest of the crate. The URL and cookie parsers (`url`,
//! `cookies`) make a [`SignedRequest`] and the verifier (`verify`) takes it apart, so both point
//! here and never at each other's types; the decoding step, [`SignedRequest::credentials`], lives
//! with the verifier because it needs the policy parser and the key types.

use std::borrow::Cow;
use std::fmt;

/// Why CloudFront would refuse a request to a behavior that requires signed URLs or cookies.
/// Variants are declared (and ordered) in check order.
///
/// `unknown-key` and `untrusted-key` are both `InvalidKey` ("Unknown Key") at CloudFront; they are
/// kept apart here because they have different fixes (register the key vs. add its key group to
/// the behavior).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rejection {
    /// No `Key-Pair-Id` parameter and no `CloudFront-Key-Pair-Id` cookie, or an empty one.
    MissingKey,
    /// The key id is not a registered public key.
    UnknownKey,
    /// The key is registered but in none of the behavior's trusted key groups.
    UntrustedKey,
    /// `Hash-Algorithm` is neither `SHA1` nor `SHA256`.
    UnsupportedHashAlgorithm,
    /// A key id but no `Signature`, or neither `Policy` nor `Expires`.
    MissingParameter,
    /// `Signature` is not CloudFront base64.
    MalformedSignature,
    /// `Policy` is not CloudFront base64 of a valid policy, or `Expires` is not a Unix time.
    MalformedPolicy,
    /// The signature does not verify with the key: the URL, the policy or the signature was
    /// changed, or another key signed it.
    BadSignature,
    /// The request URL does not match the custom policy's `Resource`.
    ResourceMismatch,
    /// The request came at or after `DateLessThan`.
    Expired,
    /// The request came at or before `DateGreaterThan`.
    NotYetValid,
    /// The client address is outside the policy's `IpAddress` range (IPv6 never matches).
    IpMismatch,
}

impl Rejection {
    /// Every reason, in check order.
    pub const ALL: [Rejection; 12] = [
        Rejection::MissingKey,
        Rejection::UnknownKey,
        Rejection::UntrustedKey,
        Rejection::UnsupportedHashAlgorithm,
        Rejection::MissingParameter,
        Rejection::MalformedSignature,
        Rejection::MalformedPolicy,
        Rejection::BadSignature,
        Rejection::ResourceMismatch,
        Rejection::Expired,
        Rejection::NotYetValid,
        Rejection::IpMismatch,
    ];

    /// The kebab-case name, as `cdnsim verify` prints it and reports count it.
    pub fn as_str(self) -> &'static str {
        match self {
            Rejection::MissingKey => "missing-key",
            Rejection::UnknownKey => "unknown-key",
            Rejection::UntrustedKey => "untrusted-key",
            Rejection::MissingParameter => "missing-parameter",
            Rejection::UnsupportedHashAlgorithm => "unsupported-hash-algorithm",
            Rejection::MalformedSignature => "malformed-signature",
            Rejection::MalformedPolicy => "malformed-policy",
            Rejection::BadSignature => "bad-signature",
            Rejection::ResourceMismatch => "resource-mismatch",
            Rejection::Expired => "expired",
            Rejection::NotYetValid => "not-yet-valid",
            Rejection::IpMismatch => "ip-mismatch",
        }
    }

    /// The `<Code>` of CloudFront's 403 error body (reference §1.8). `MissingKey`, `InvalidKey`
    /// and expiry are documented or observed; the codes for the other failures are not published
    /// and are taken to be `AccessDenied`, as is the one for a missing `Signature`/`Policy`/`Expires`
    /// and an unknown `Hash-Algorithm` (reference §12, open points).
    pub fn cloudfront_code(self) -> CloudFrontCode {
        match self {
            Rejection::MissingKey => CloudFrontCode::MissingKey,
            Rejection::UnknownKey | Rejection::UntrustedKey => CloudFrontCode::InvalidKey,
            Rejection::MalformedSignature => CloudFrontCode::MalformedSignature,
            Rejection::MalformedPolicy => CloudFrontCode::MalformedPolicy,
            Rejection::MissingParameter
            | Rejection::UnsupportedHashAlgorithm
            | Rejection::BadSignature
            | Rejection::ResourceMismatch
            | Rejection::Expired
            | Rejection::NotYetValid
            | Rejection::IpMismatch => CloudFrontCode::AccessDenied,
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::error::Error for Rejection {}

/// The `<Code>` in CloudFront's `403` XML error body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CloudFrontCode {
    /// No key id: `missing-key`.
    MissingKey,
    /// `unknown-key` and `untrusted-key`.
    InvalidKey,
    /// `malformed-signature`.
    MalformedSignature,
    /// `malformed-policy`.
    MalformedPolicy,
    /// Everything else: a bad signature, a failed condition (assumed for some, see
    /// [`Rejection::cloudfront_code`]).
    AccessDenied,
}

impl CloudFrontCode {
    /// The code as CloudFront writes it (`AccessDenied`).
    pub fn as_str(self) -> &'static str {
        match self {
            CloudFrontCode::MissingKey => "MissingKey",
            CloudFrontCode::InvalidKey => "InvalidKey",
            CloudFrontCode::MalformedSignature => "MalformedSignature",
            CloudFrontCode::MalformedPolicy => "MalformedPolicy",
            CloudFrontCode::AccessDenied => "AccessDenied",
        }
    }

    /// The `<Message>` CloudFront sends with the code (reference §1.8).
    pub fn message(self) -> &'static str {
        match self {
            CloudFrontCode::MissingKey => "Missing Key-Pair-Id query parameter or cookie value",
            CloudFrontCode::InvalidKey => "Unknown Key",
            CloudFrontCode::MalformedSignature => "Could not unencode Signature",
            CloudFrontCode::MalformedPolicy => "Malformed Policy",
            CloudFrontCode::AccessDenied => "Access denied",
        }
    }
}

impl fmt::Display for CloudFrontCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the signing values came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Transport {
    /// Query parameters of a signed URL (`Expires`/`Policy`, `Signature`, `Key-Pair-Id`).
    Url,
    /// `CloudFront-*` cookies.
    Cookies,
}

/// The signing values of one request, found but not yet decoded. Made by
/// [`parse_signed_url`](crate::parse_signed_url) or
/// [`parse_signed_cookies`](crate::parse_signed_cookies), which already checked that a key id is
/// present; decoded by [`SignedRequest::credentials`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedRequest<'a> {
    /// URL parameters or cookies.
    pub(crate) transport: Transport,
    // Invariant: not empty (an empty key id is `missing-key`, and the parsers return that instead).
    pub(crate) key_id: Cow<'a, str>,
    /// The values as sent (URL parameters percent-decoded), each `None` when absent or empty:
    /// `Signature`, `Policy`, `Expires` and `Hash-Algorithm`, or their `CloudFront-` cookies.
    pub(crate) signature: Option<Cow<'a, str>>,
    pub(crate) policy: Option<Cow<'a, str>>,
    pub(crate) expires: Option<Cow<'a, str>>,
    pub(crate) hash_algorithm: Option<Cow<'a, str>>,
    /// The request URL without the signing parameters: what a canned policy is rebuilt from and
    /// what a custom policy's `Resource` is matched against.
    pub(crate) resource: Cow<'a, str>,
}

impl<'a> SignedRequest<'a> {
    /// Where the values came from.
    pub fn transport(&self) -> Transport {
        self.transport
    }

    /// `Key-Pair-Id` or `CloudFront-Key-Pair-Id`: never empty.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The request URL without signing parameters.
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The `Policy` / `CloudFront-Policy` value as sent, if any.
    pub fn policy_text(&self) -> Option<&str> {
        self.policy.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codes() {
        let names: Vec<&str> = Rejection::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(
            names,
            [
                "missing-key",
                "unknown-key",
                "untrusted-key",
                "unsupported-hash-algorithm",
                "missing-parameter",
                "malformed-signature",
                "malformed-policy",
                "bad-signature",
                "resource-mismatch",
                "expired",
                "not-yet-valid",
                "ip-mismatch"
            ]
        );
        assert_eq!(Rejection::UnknownKey.cloudfront_code(), CloudFrontCode::InvalidKey);
        assert_eq!(Rejection::UntrustedKey.cloudfront_code(), CloudFrontCode::InvalidKey);
        assert_eq!(
            Rejection::MissingKey.cloudfront_code().message(),
            "Missing Key-Pair-Id query parameter or cookie value"
        );
        assert_eq!(Rejection::Expired.cloudfront_code().as_str(), "AccessDenied");
    }
}
