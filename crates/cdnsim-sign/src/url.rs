//! Signed URLs: adding CloudFront's query parameters, and finding them again.
//!
//! Parameter names and order (Developer Guide, canned and custom policy pages; reference §1.2):
//! `<url>?<your params>&Expires=<t>&Signature=<s>&Key-Pair-Id=<id>` (canned) or `Policy=<p>` in
//! place of `Expires` (custom), then `&Hash-Algorithm=SHA256` when the signature used SHA-256 (the
//! live guide's example URL ends with it). The separator before the first signing parameter is `&`
//! if the URL already has a `?`, else `?`, as botocore's `CloudFrontSigner` writes it.

use std::borrow::Cow;

use crate::base64;
use crate::hash::HashAlgorithm;
use crate::keys::{SignError, SigningKey};
use crate::policy::{SignPolicy, canned_policy_json};
use crate::request::{Rejection, SignedRequest, Transport};

/// The query parameters CloudFront reserves for signing. A URL with any of them is verified as a
/// signed URL, and its cookies are ignored (Developer Guide, "Choosing between signed URLs and
/// signed cookies"; `Hash-Algorithm` is reserved in the live docs).
pub const SIGNING_QUERY_PARAMS: [&str; 5] = ["Expires", "Policy", "Signature", "Key-Pair-Id", "Hash-Algorithm"];

/// Signs `url` (absolute, without a fragment or signing parameters) with `key` under `key_id`.
///
/// For a canned policy the result is deterministic with RSA and byte-identical to what
/// botocore's `CloudFrontSigner.generate_presigned_url(url, date_less_than=…)` produces for the
/// same key (the `known_answer` tests check it). `hash` other than SHA1 adds `Hash-Algorithm`.
pub fn sign_url(
    url: &str,
    policy: &SignPolicy,
    key_id: &str,
    key: &SigningKey,
    hash: HashAlgorithm,
) -> Result<String, SignError> {
    check_url_to_sign(url)?;
    let (first, policy_json) = match policy {
        SignPolicy::Canned { expires } => (format!("Expires={expires}"), canned_policy_json(url, *expires)),
        SignPolicy::Custom(custom) => {
            let json = custom.to_json();
            (format!("Policy={}", base64::encode(json.as_bytes())), json)
        }
    };
    let signature = key.sign(hash, policy_json.as_bytes())?;
    let separator = if url.contains('?') { '&' } else { '?' };
    let mut signed = format!("{url}{separator}{first}&Signature={}&Key-Pair-Id={key_id}", base64::encode(&signature));
    if hash != HashAlgorithm::Sha1 {
        signed.push_str("&Hash-Algorithm=");
        signed.push_str(hash.as_str());
    }
    Ok(signed)
}

/// Refuses URLs whose signature CloudFront could never accept, as the AWS CLI's `sign` does: a
/// fragment is never sent to CloudFront, and signing parameters already in the URL would be
/// taken for the new ones.
pub(crate) fn check_url_to_sign(url: &str) -> Result<(), SignError> {
    if url.contains('#') {
        return Err(SignError::Url(format!(
            "`{url}` has a fragment (`#…`), which browsers never send to CloudFront; remove it"
        )));
    }
    let present: Vec<&str> = query_params(url).filter_map(|(name, _)| signing_param(name)).collect();
    if !present.is_empty() {
        return Err(SignError::Url(format!(
            "`{url}` already contains the CloudFront signing parameters {}; remove them before signing",
            present.join(", ")
        )));
    }
    Ok(())
}

/// Whether `url` carries any of CloudFront's signing parameters, which makes CloudFront verify it
/// as a signed URL.
pub fn has_signing_params(url: &str) -> bool {
    query_params(without_fragment(url)).any(|(name, _)| signing_param(name).is_some())
}

/// Finds the signing parameters of a request URL. The only failure at this stage is a missing or
/// empty `Key-Pair-Id` (`missing-key`); everything else is decoded later by
/// [`SignedRequest::credentials`], after the key has been looked up, in CloudFront's order.
///
/// Values are percent-decoded, so a client that wrote `~` as `%7E` still verifies (RFC 3986
/// makes them equivalent; that CloudFront decodes them is inferred). The first occurrence of a
/// parameter counts. The resource is the URL with every signing parameter removed wherever it
/// stands, the other parameters kept in order, since the Developer Guide allows your own
/// parameters after `Key-Pair-Id` "in certain rare circumstances". A fragment is dropped: it is
/// never part of a request.
pub fn parse_signed_url(url: &str) -> Result<SignedRequest<'_>, Rejection> {
    let url = without_fragment(url);
    let mut request = SignedRequest {
        transport: Transport::Url,
        key_id: Cow::Borrowed(""),
        signature: None,
        policy: None,
        expires: None,
        hash_algorithm: None,
        resource: Cow::Borrowed(url),
    };
    let Some((base, query)) = url.split_once('?') else {
        return Err(Rejection::MissingKey);
    };
    let mut kept: Vec<&str> = Vec::new();
    let mut key_id: Option<Cow<'_, str>> = None;
    for param in query.split('&') {
        let (name, value) = param.split_once('=').unwrap_or((param, ""));
        let slot = match signing_param(name) {
            Some("Expires") => &mut request.expires,
            Some("Policy") => &mut request.policy,
            Some("Signature") => &mut request.signature,
            Some("Key-Pair-Id") => &mut key_id,
            Some(_) => &mut request.hash_algorithm,
            None => {
                kept.push(param);
                continue;
            }
        };
        if slot.is_none() && !value.is_empty() {
            *slot = Some(percent_decode(value));
        }
    }
    if kept.len() != query.split('&').count() {
        request.resource =
            if kept.is_empty() { Cow::Borrowed(base) } else { Cow::Owned(format!("{base}?{}", kept.join("&"))) };
    }
    request.key_id = key_id.ok_or(Rejection::MissingKey)?;
    Ok(request)
}

fn signing_param(name: &str) -> Option<&'static str> {
    SIGNING_QUERY_PARAMS.iter().find(|&&p| p == name).copied()
}

fn without_fragment(url: &str) -> &str {
    url.split_once('#').map_or(url, |(before, _)| before)
}

/// `(name, value)` for each `&`-separated query parameter of `url`.
fn query_params(url: &str) -> impl Iterator<Item = (&str, &str)> {
    url.split_once('?')
        .map(|(_, query)| query)
        .into_iter()
        .flat_map(|query| query.split('&'))
        .map(|param| param.split_once('=').unwrap_or((param, "")))
}

/// Decodes `%XX` escapes. Invalid escapes are kept as they are; if the result is not UTF-8 the
/// value is kept undecoded (and will then fail as a malformed value).
fn percent_decode(value: &str) -> Cow<'_, str> {
    if !value.contains('%') {
        return Cow::Borrowed(value);
    }
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((hi * 16 + lo) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    match String::from_utf8(out) {
        Ok(decoded) => Cow::Owned(decoded),
        Err(_) => Cow::Borrowed(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_parameters_anywhere_and_rebuilds_the_resource() {
        let r =
            parse_signed_url("https://d.net/a.jpg?color=red&Expires=10&Signature=abc&Key-Pair-Id=K1&size=m").unwrap();
        assert_eq!(r.key_id(), "K1");
        assert_eq!(r.resource(), "https://d.net/a.jpg?color=red&size=m");
        assert_eq!(r.expires.as_deref(), Some("10"));
        assert_eq!(r.signature.as_deref(), Some("abc"));
        let r = parse_signed_url("https://d.net/a.jpg?Expires=10&Signature=abc&Key-Pair-Id=K1#frag").unwrap();
        assert_eq!(r.resource(), "https://d.net/a.jpg");
        // A `?` with nothing of your own before the signing parameters (botocore writes `?&` then).
        let r = parse_signed_url("https://d.net/a.jpg?&Expires=10&Signature=abc&Key-Pair-Id=K1").unwrap();
        assert_eq!(r.resource(), "https://d.net/a.jpg?");
        // Percent-encoded values decode; the first occurrence wins.
        let r = parse_signed_url("https://d.net/a?Key-Pair-Id=K%31&Key-Pair-Id=K2&Signature=a%7Eb").unwrap();
        assert_eq!(r.key_id(), "K1");
        assert_eq!(r.signature.as_deref(), Some("a~b"));
    }

    #[test]
    fn missing_or_empty_key_is_missing_key() {
        for url in [
            "https://d.net/a.jpg",
            "https://d.net/a.jpg?Expires=1&Signature=x",
            "https://d.net/a?Key-Pair-Id=&Expires=1",
            "",
            "?",
            "%",
        ] {
            assert_eq!(parse_signed_url(url).unwrap_err(), Rejection::MissingKey, "{url}");
        }
    }

    #[test]
    fn detects_signing_params_by_exact_name() {
        assert!(has_signing_params("https://d.net/a?Expires=1"));
        assert!(has_signing_params("https://d.net/a?x=1&Hash-Algorithm"));
        assert!(!has_signing_params("https://d.net/a?expires=1&MyPolicy=2"));
        assert!(!has_signing_params("https://d.net/Expires=1"));
        assert!(!has_signing_params("https://d.net/a#?Expires=1"));
    }

    #[test]
    fn percent_decoding_is_total() {
        assert_eq!(percent_decode("a%7e%7E"), "a~~");
        assert_eq!(percent_decode("%"), "%");
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("%ff"), "%ff");
        assert_eq!(percent_decode("ab%"), "ab%");
    }
}
