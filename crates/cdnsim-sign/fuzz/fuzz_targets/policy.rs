//! Any bytes as a custom policy, a CloudFront base64 value and a `Resource` pattern: nothing
//! panics, and a policy that parses survives a round trip through `to_json`.
#![no_main]

use cdnsim_sign::Policy;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(policy) = Policy::from_json(data) {
        assert_eq!(Policy::from_json(policy.to_json().as_bytes()).as_ref(), Ok(&policy));
    }
    let text = String::from_utf8_lossy(data);
    if let Some(bytes) = cdnsim_sign::decode_base64(&text) {
        assert_eq!(cdnsim_sign::decode_base64(&cdnsim_sign::encode_base64(&bytes)), Some(bytes));
    }
    let (pattern, url) = text.split_once('\n').unwrap_or((&text, "https://d111111abcdef8.cloudfront.net/a.jpg"));
    let _ = cdnsim_sign::resource_matches(pattern, url);
});
