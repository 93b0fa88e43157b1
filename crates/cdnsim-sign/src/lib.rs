#![doc = include_str!("../README.md")]
//!
//! ## The API at a glance
//!
//! Signing, once per (key, policy): [`sign_url`] and [`sign_cookies`] with a [`SignPolicy`]
//! (canned, or a custom [`Policy`]) and a [`SigningKey`], with a [`HashAlgorithm`].
//!
//! Verifying, in CloudFront's order (see the [`Rejection`] variants):
//! - [`verify_request`], [`verify_url`], [`verify_cookies`] do every step, against a
//!   [`KeyRegistry`] of [`PublicKey`]s and the behavior's [`TrustedKeys`];
//! - the steps apart, so that the crypto can be memoized: [`parse_request`] (or
//!   [`parse_signed_url`] / [`parse_signed_cookies`]) → [`lookup_key`] →
//!   [`SignedRequest::credentials`] → [`verify_signature`] (expensive, pure: memoize on
//!   [`Credentials::memo_key`]) → [`check_policy`] (takes `now` and the client IP), or
//!   [`check_conditions`] with a [`ResourcePattern`] compiled once. [`SignatureMemo`] is a
//!   ready-made memo.
//!
//! Also: [`encode_base64`] / [`decode_base64`] (CloudFront's alphabet), [`resource_matches`],
//! the quota checks ([`check_key_groups_per_behavior`] and its siblings), and [`wildcard`].
//!
//! The rules come from the CloudFront Developer Guide pages each module cites; "reference §n" in
//! the module docs points into cdnsim's notes on CloudFront (`shared/cloudfront-reference.md`).
//!
//! ## Inside the crate: imports point one way
//!
//! Each module imports only from modules listed before it, so there is no cycle:
//!
//! 1. leaves, importing nothing from the crate: `request` (what a request presents and why it is
//!    refused: [`SignedRequest`], [`Transport`], [`Rejection`], [`CloudFrontCode`]), `hash`
//!    ([`HashAlgorithm`]), `base64`, [`wildcard`], `limits`;
//! 2. `policy` (policy JSON, `Resource` matching; uses `wildcard`) and `keys` (PEM keys, the
//!    signature primitives; uses `hash`, `base64`);
//! 3. `url` (signed URLs: signing and finding the parameters);
//! 4. `cookies` (signed cookies; shares `url`'s check of a URL to sign);
//! 5. `verify` (CloudFront's checks in order, the memo, [`SignedRequest::credentials`]).
//!
//! The parsers in `url` and `cookies` produce a [`SignedRequest`] and the verifier consumes it;
//! neither side names the other's types, so the shared ones live in the leaf `request`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod base64;
mod cookies;
mod hash;
mod keys;
mod limits;
mod policy;
mod request;
mod url;
mod verify;
pub mod wildcard;

pub use base64::{decode as decode_base64, encode as encode_base64, encode_standard as encode_standard_base64};
pub use cookies::{SignedCookies, parse_signed_cookies, sign_cookies};
pub use hash::HashAlgorithm;
pub use keys::{KeyAlgorithm, KeyError, PublicKey, RSA_MODULUS_BITS, SignError, SigningKey};
pub use limits::{
    LimitError, MAX_ACTIVE_LEGACY_KEY_PAIRS, MAX_KEY_GROUPS_PER_BEHAVIOR, MAX_PUBLIC_KEYS_PER_KEY_GROUP,
    check_active_legacy_key_pairs, check_key_groups_per_behavior, check_public_keys_per_key_group,
};
pub use policy::{
    Ipv4Cidr, Policy, PolicyError, ResourcePattern, SignPolicy, UrlParts, canned_policy_json, resource_matches,
};
pub use request::{CloudFrontCode, Rejection, SignedRequest, Transport};
pub use url::{SIGNING_QUERY_PARAMS, has_signing_params, parse_signed_url, sign_url};
pub use verify::{
    Accepted, Credentials, KeyGroup, KeyRegistry, MemoKey, PolicyKind, SignatureMemo, TrustedKeys, check_conditions,
    check_policy, lookup_key, parse_request, verify_cookies, verify_request, verify_signature, verify_url,
};

#[cfg(test)]
mod tests {
    /// The crate's modules by layer, as the crate docs list them: a module may import only from
    /// a lower layer, so the leaves (layer 0) import nothing from the crate.
    const LAYERS: [&[&str]; 5] = [
        &["request", "hash", "base64", "wildcard", "limits"],
        &["policy", "keys"],
        &["url"],
        &["cookies"],
        &["verify"],
    ];

    fn layer(module: &str) -> Option<usize> {
        LAYERS.iter().position(|layer| layer.contains(&module))
    }

    /// Reads each module's source and checks every `crate::<module>` path outside comments (tests
    /// included) against [`LAYERS`]; `super::` may only bring a test module its parent.
    #[test]
    fn modules_import_only_from_lower_layers() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files: Vec<String> = std::fs::read_dir(&src)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .filter(|name| name.ends_with(".rs") && name != "lib.rs")
            .collect();
        files.sort();
        assert_eq!(files.len(), LAYERS.concat().len(), "a module missing from LAYERS: {files:?}");
        let mut imports = 0;
        for file in &files {
            let module = file.trim_end_matches(".rs");
            let own = layer(module).unwrap_or_else(|| panic!("`{module}` is not in LAYERS"));
            let text = std::fs::read_to_string(src.join(file)).unwrap();
            for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim_start().starts_with("//")) {
                assert!(
                    !line.contains("super::") || line.trim() == "use super::*;",
                    "{file}:{}: `super::` names the crate root; import from a module",
                    n + 1
                );
                for (at, _) in line.match_indices("crate::") {
                    let rest = &line[at + "crate::".len()..];
                    let target: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                    let target_layer = layer(&target)
                        .unwrap_or_else(|| panic!("{file}:{}: `crate::{target}` is not a module path", n + 1));
                    assert!(
                        target_layer < own,
                        "{file}:{}: `{module}` (layer {own}) imports `{target}` (layer {target_layer})",
                        n + 1
                    );
                    imports += 1;
                }
            }
        }
        assert!(imports >= 20, "only {imports} imports found: is the scan reading the files?");
    }
}
