//! Any text as `URL\nCookie header`: parsing and verification never panic and the memo never
//! changes an outcome.
#![no_main]

use cdnsim_sign::SignatureMemo;
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (url, cookie) = text.split_once('\n').unwrap_or((&text, ""));
    let (registry, trusted) = common::trust();
    let (now, client) = common::time_and_client(data);
    let plain = cdnsim_sign::verify_cookies(url, cookie, registry, trusted, now, client);
    let mut memo = SignatureMemo::new();
    for _ in 0..2 {
        assert_eq!(memo.verify_cookies(url, cookie, registry, trusted, now, client), plain);
    }
    if !cdnsim_sign::has_signing_params(url) {
        assert_eq!(cdnsim_sign::verify_request(url, Some(cookie), registry, trusted, now, client), plain);
    }
});
