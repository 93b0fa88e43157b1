//! Any text as a request URL: parsing and verification never panic, the memo never changes an
//! outcome, and URL mode is chosen exactly when a signing parameter is present.
#![no_main]

use cdnsim_sign::{Rejection, SignatureMemo};
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let url = String::from_utf8_lossy(data);
    let (registry, trusted) = common::trust();
    let (now, client) = common::time_and_client(data);
    let plain = cdnsim_sign::verify_url(&url, registry, trusted, now, client);
    let mut memo = SignatureMemo::new();
    for _ in 0..2 {
        assert_eq!(memo.verify_url(&url, registry, trusted, now, client), plain);
    }
    let via_request = cdnsim_sign::verify_request(&url, None, registry, trusted, now, client);
    if cdnsim_sign::has_signing_params(&url) {
        assert_eq!(via_request, plain);
    } else {
        assert_eq!(via_request, Err(Rejection::MissingKey));
    }
    if let Ok(request) = cdnsim_sign::parse_signed_url(&url) {
        let _ = request.credentials();
    }
});
