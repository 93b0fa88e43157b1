//! CloudFront's rules for origin custom headers (reference §7.3; Developer
//! Guide "Adding custom headers to origin requests" and its quotas): which
//! names it refuses to add, how long names and values may be, how many an
//! origin may have.

/// Origin custom headers per origin (default quota, adjustable; DG quotas).
pub const MAX_CUSTOM_HEADERS_PER_ORIGIN: usize = 10;
/// Longest header name, in characters (DG quotas).
pub const MAX_HEADER_NAME_CHARS: usize = 256;
/// Longest header value, in characters (DG quotas).
pub const MAX_HEADER_VALUE_CHARS: usize = 1_783;
/// All names and values of one origin's custom headers together (DG quotas).
pub const MAX_HEADER_TOTAL_CHARS: usize = 10_240;

/// Headers CloudFront refuses to add as origin custom headers
/// (DG-custom-headers, "Custom headers that CloudFront can't add to origin
/// requests"), compared without regard to case.
const FORBIDDEN_NAMES: [&str; 22] = [
    "Cache-Control",
    "Connection",
    "Content-Length",
    "Cookie",
    "Host",
    "If-Match",
    "If-Modified-Since",
    "If-None-Match",
    "If-Range",
    "If-Unmodified-Since",
    "Max-Forwards",
    "Pragma",
    "Proxy-Authorization",
    "Proxy-Connection",
    "Range",
    "Request-Range",
    "TE",
    "Trailer",
    "Transfer-Encoding",
    "Upgrade",
    "Via",
    "X-Real-Ip",
];

/// Prefixes CloudFront reserves for its own headers.
const FORBIDDEN_PREFIXES: [&str; 2] = ["X-Amz-", "X-Edge-"];

/// Checks one custom header's name and value against CloudFront's rules;
/// the error says what is wrong.
pub fn check_custom_header(name: &str, value: &str) -> Result<(), String> {
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() || !name.chars().all(token) {
        return Err(format!("{name:?} is not a valid HTTP header name"));
    }
    if name.chars().count() > MAX_HEADER_NAME_CHARS {
        return Err(format!("the header name is longer than CloudFront's {MAX_HEADER_NAME_CHARS} characters"));
    }
    if let Some(forbidden) = FORBIDDEN_NAMES.iter().find(|f| f.eq_ignore_ascii_case(name)) {
        return Err(format!("CloudFront cannot add {forbidden} as an origin custom header"));
    }
    if let Some(prefix) = FORBIDDEN_PREFIXES.iter().find(|p| starts_with_ignore_case(name, p)) {
        return Err(format!("CloudFront reserves headers starting with {prefix} for itself"));
    }
    if value.chars().count() > MAX_HEADER_VALUE_CHARS {
        return Err(format!("the header value is longer than CloudFront's {MAX_HEADER_VALUE_CHARS} characters"));
    }
    if value.chars().any(|c| c.is_control()) {
        return Err("the header value contains a control character".to_string());
    }
    Ok(())
}

/// Checks an origin's whole list of custom headers: each one, no name twice,
/// the count and the total length.
pub fn check_custom_headers<'a>(headers: impl Iterator<Item = (&'a str, &'a str)> + Clone) -> Result<(), String> {
    let count = headers.clone().count();
    if count > MAX_CUSTOM_HEADERS_PER_ORIGIN {
        return Err(format!(
            "{count} custom headers; CloudFront allows {MAX_CUSTOM_HEADERS_PER_ORIGIN} per origin (adjustable quota)"
        ));
    }
    let mut total = 0;
    for (i, (name, value)) in headers.clone().enumerate() {
        check_custom_header(name, value).map_err(|e| format!("header {i} ({name}): {e}"))?;
        if headers.clone().take(i).any(|(other, _)| other.eq_ignore_ascii_case(name)) {
            return Err(format!("the header {name} is listed twice"));
        }
        total += name.chars().count() + value.chars().count();
    }
    if total > MAX_HEADER_TOTAL_CHARS {
        return Err(format!(
            "the custom headers' names and values add up to {total} characters; CloudFront allows \
             {MAX_HEADER_TOTAL_CHARS}"
        ));
    }
    Ok(())
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len() && text.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_header_rules() {
        assert!(check_custom_header("X-Origin-Verify", "s3cr3t").is_ok());
        for bad in ["Host", "host", "X-Amz-Secret", "x-edge-thing", "Cache-Control", "X-Real-IP", "TE"] {
            assert!(check_custom_header(bad, "v").is_err(), "{bad} should be refused");
        }
        assert!(check_custom_header("", "v").is_err());
        assert!(check_custom_header("Bad Name", "v").is_err());
        assert!(check_custom_header("X-Long", &"v".repeat(MAX_HEADER_VALUE_CHARS)).is_ok());
        assert!(check_custom_header("X-Long", &"v".repeat(MAX_HEADER_VALUE_CHARS + 1)).is_err());
        assert!(check_custom_header(&"N".repeat(MAX_HEADER_NAME_CHARS + 1), "v").is_err());
    }

    fn as_refs(v: &[(String, String)]) -> Vec<(&str, &str)> {
        v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
    }

    #[test]
    fn custom_header_list_rules() {
        let eleven: Vec<(String, String)> = (0..11).map(|i| (format!("X-H{i}"), "v".to_string())).collect();
        let refs = as_refs(&eleven);
        assert!(check_custom_headers(refs[..10].iter().copied()).is_ok());
        assert!(check_custom_headers(refs.iter().copied()).unwrap_err().contains("11 custom headers"));
        let twice = [("X-A", "1"), ("x-a", "2")];
        assert!(check_custom_headers(twice.iter().copied()).unwrap_err().contains("twice"));
        let long: Vec<(String, String)> = (0..6).map(|i| (format!("X-H{i}"), "v".repeat(1_783))).collect();
        assert!(check_custom_headers(as_refs(&long).iter().copied()).unwrap_err().contains("add up to"));
    }
}
