//! Policy statements: the exact JSON that is signed, parsing a custom policy back, IPv4 ranges,
//! and matching a request URL against a `Resource` pattern.
//!
//! Byte-for-byte rules (reference §1.3, §1.4): no whitespace, `Statement` an array holding one
//! object, `Resource` before `Condition`, epoch times as bare integers, slashes not escaped.
//! Inside `Condition` the order is the one botocore's `CloudFrontSigner.build_policy` writes
//! (`DateLessThan`, `IpAddress`, `DateGreaterThan`), so that a custom policy built here is the same
//! bytes, and so the same signature, as the AWS CLI and Python SDK produce. CloudFront itself does
//! not care about the order inside `Condition` (Developer Guide, "Create a signed URL using a custom
//! policy").

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::str::FromStr;

use crate::wildcard;
use serde_json::{Map, Value};

/// What is signed: a canned policy (rebuilt by CloudFront from the URL and `Expires`) or a custom
/// one (sent along as `Policy` / `CloudFront-Policy`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignPolicy {
    /// Valid until `expires` (Unix seconds, exclusive) for exactly the URL signed.
    Canned {
        /// `Expires`: Unix seconds, the first second the URL no longer works.
        expires: i64,
    },
    /// A custom policy: a wildcard `Resource`, a start time or an IPv4 range.
    Custom(Policy),
}

/// A custom policy statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// The URL or wildcard pattern the policy grants. `None` leaves `Resource` out, which grants
    /// every file of every distribution that trusts the key (Developer Guide, custom policy page).
    pub resource: Option<String>,
    /// `DateLessThan`: access ends at this Unix time (required).
    pub date_less_than: i64,
    /// `DateGreaterThan`: access starts after this Unix time.
    pub date_greater_than: Option<i64>,
    /// `IpAddress`: the one IPv4 address or range allowed.
    pub ip_address: Option<Ipv4Cidr>,
}

/// Why a policy statement is malformed. CloudFront answers these with 403 `MalformedPolicy`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// Not JSON at all (serde_json's message).
    #[error("the policy is not UTF-8 JSON: {0}")]
    Json(String),
    /// JSON, but not a policy statement CloudFront reads; the text says what is wrong.
    #[error("{0}")]
    Shape(String),
}

impl Policy {
    /// A policy for `resource` valid until `date_less_than`, with no other condition.
    pub fn new(resource: impl Into<String>, date_less_than: i64) -> Policy {
        Policy { resource: Some(resource.into()), date_less_than, date_greater_than: None, ip_address: None }
    }

    /// The policy as signed and sent: compact JSON in botocore's key order.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(160);
        out.push_str(r#"{"Statement":[{"#);
        if let Some(resource) = &self.resource {
            out.push_str(r#""Resource":"#);
            push_json_string(&mut out, resource);
            out.push(',');
        }
        out.push_str(r#""Condition":{"DateLessThan":{"AWS:EpochTime":"#);
        out.push_str(&self.date_less_than.to_string());
        out.push('}');
        if let Some(ip) = &self.ip_address {
            out.push_str(r#","IpAddress":{"AWS:SourceIp":"#);
            push_json_string(&mut out, ip.as_str());
            out.push('}');
        }
        if let Some(start) = self.date_greater_than {
            out.push_str(r#","DateGreaterThan":{"AWS:EpochTime":"#);
            out.push_str(&start.to_string());
            out.push('}');
        }
        out.push_str("}}]}");
        out
    }

    /// Parses a custom policy as CloudFront reads it: any JSON whitespace is allowed (the
    /// Developer Guide's own example `Policy` value decodes to JSON with spaces and CRLFs), key
    /// order is free, and names must be exact ("Abbreviations for parameter names are not
    /// accepted"), so an unknown name is an error.
    ///
    /// `Statement` may be an array of exactly one statement or, as the June 2023 signed-URL page
    /// writes it, a bare object (reference §1.4 marks the conflict: accept both). Epoch times must be JSON
    /// integers ("Do not enclose the value in quotation marks").
    pub fn from_json(bytes: &[u8]) -> Result<Policy, PolicyError> {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| PolicyError::Json(e.to_string()))?;
        let top = as_object(&value, "the policy")?;
        only_keys(top, &["Statement"], "the policy")?;
        let statement = match top.get("Statement") {
            Some(Value::Array(items)) if items.len() == 1 => &items[0],
            Some(Value::Array(items)) => {
                return Err(shape(format!("`Statement` must hold exactly one statement, not {}", items.len())));
            }
            Some(object @ Value::Object(_)) => object,
            Some(_) => return Err(shape("`Statement` must be an array or an object")),
            None => return Err(shape("the policy has no `Statement`")),
        };
        let statement = as_object(statement, "the statement")?;
        only_keys(statement, &["Resource", "Condition"], "the statement")?;
        let resource = match statement.get("Resource") {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(shape("`Resource` must be a string")),
        };
        let condition = match statement.get("Condition") {
            Some(c) => as_object(c, "`Condition`")?,
            None => return Err(shape("the statement has no `Condition`")),
        };
        only_keys(condition, &["DateLessThan", "DateGreaterThan", "IpAddress"], "`Condition`")?;
        let date_less_than = match condition.get("DateLessThan") {
            Some(v) => epoch_time(v, "DateLessThan")?,
            None => {
                return Err(shape("`Condition` has no `DateLessThan`, the one required condition"));
            }
        };
        let date_greater_than =
            condition.get("DateGreaterThan").map(|v| epoch_time(v, "DateGreaterThan")).transpose()?;
        let ip_address = match condition.get("IpAddress") {
            None => None,
            Some(v) => {
                let object = as_object(v, "`IpAddress`")?;
                only_keys(object, &["AWS:SourceIp"], "`IpAddress`")?;
                match object.get("AWS:SourceIp") {
                    Some(Value::String(s)) => Some(s.parse::<Ipv4Cidr>().map_err(PolicyError::Shape)?),
                    _ => return Err(shape("`IpAddress` needs a string `AWS:SourceIp`")),
                }
            }
        };
        Ok(Policy { resource, date_less_than, date_greater_than, ip_address })
    }
}

/// The canned policy CloudFront rebuilds for `resource` and `expires` (reference §1.3).
pub fn canned_policy_json(resource: &str, expires: i64) -> String {
    Policy::new(resource, expires).to_json()
}

fn shape(message: impl Into<String>) -> PolicyError {
    PolicyError::Shape(message.into())
}

fn as_object<'a>(value: &'a Value, what: &str) -> Result<&'a Map<String, Value>, PolicyError> {
    value.as_object().ok_or_else(|| shape(format!("{what} must be a JSON object")))
}

fn only_keys(object: &Map<String, Value>, allowed: &[&str], what: &str) -> Result<(), PolicyError> {
    match object.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(key) => Err(shape(format!("{what} has an unknown name `{key}` (allowed: {})", allowed.join(", ")))),
        None => Ok(()),
    }
}

fn epoch_time(value: &Value, name: &str) -> Result<i64, PolicyError> {
    let object = as_object(value, &format!("`{name}`"))?;
    only_keys(object, &["AWS:EpochTime"], &format!("`{name}`"))?;
    object
        .get("AWS:EpochTime")
        .and_then(Value::as_i64)
        .ok_or_else(|| shape(format!("`{name}` needs an integer `AWS:EpochTime` (Unix seconds, not quoted)")))
}

/// Appends `s` as a JSON string the way Python's `json.dumps` does by default (botocore builds
/// policies with it): `"`, `\`, control characters, DEL and non-ASCII escaped (`\uXXXX` with
/// lower-case hex, surrogate pairs beyond the BMP), `/` left alone.
fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if !(' '..='~').contains(&c) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// One IPv4 address or CIDR range, as `AWS:SourceIp` holds it. The text is kept as written, so
/// that a policy built from it is byte-identical to botocore's (which only appends `/32` to a bare
/// address); host bits below the prefix are allowed and ignored, as Python's
/// `IPv4Network(strict=False)` in the AWS CLI allows them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ipv4Cidr {
    text: String,
    network: u32,
    prefix: u8,
}

impl Ipv4Cidr {
    /// The text written into the policy.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The prefix length: 32 for a single address.
    pub fn prefix_len(&self) -> u8 {
        self.prefix
    }

    /// Whether `ip` is in the range. IPv6 clients never are: CloudFront's `IpAddress` condition
    /// is IPv4-only (Developer Guide, custom policy page: "IPv6 format ... not supported").
    pub fn contains(&self, ip: IpAddr) -> bool {
        match ip {
            IpAddr::V4(v4) => u32::from(v4) & mask(self.prefix) == self.network,
            IpAddr::V6(_) => false,
        }
    }
}

fn mask(prefix: u8) -> u32 {
    if prefix == 0 { 0 } else { u32::MAX << (32 - u32::from(prefix)) }
}

impl FromStr for Ipv4Cidr {
    type Err = String;

    /// `a.b.c.d` (taken as `/32`, as botocore does) or `a.b.c.d/n`: decimal octets without
    /// leading zeros, prefix 0–32.
    fn from_str(s: &str) -> Result<Ipv4Cidr, String> {
        let bad = || format!("`{s}` is not an IPv4 address or CIDR range (format: x.x.x.x/x or x.x.x.x)");
        let (address, prefix, text) = match s.split_once('/') {
            Some((address, prefix)) => {
                let valid = !prefix.is_empty() && prefix.len() <= 2 && prefix.bytes().all(|b| b.is_ascii_digit());
                let prefix: u8 = if valid {
                    prefix.parse().map_err(|_| bad())?
                } else {
                    return Err(bad());
                };
                if prefix > 32 {
                    return Err(bad());
                }
                (address, prefix, s.to_string())
            }
            None => (s, 32, format!("{s}/32")),
        };
        let mut octets = [0u8; 4];
        let mut parts = address.split('.');
        for octet in &mut octets {
            let part = parts.next().ok_or_else(bad)?;
            let canonical = !part.is_empty()
                && part.len() <= 3
                && part.bytes().all(|b| b.is_ascii_digit())
                && !(part.len() > 1 && part.starts_with('0'));
            *octet = if canonical {
                part.parse().map_err(|_| bad())?
            } else {
                return Err(bad());
            };
        }
        if parts.next().is_some() {
            return Err(bad());
        }
        let network = u32::from(Ipv4Addr::from(octets)) & mask(prefix);
        Ok(Ipv4Cidr { text, network, prefix })
    }
}

impl fmt::Display for Ipv4Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Whether `url` (scheme://host/path?query, as requested, without CloudFront's signing
/// parameters) matches the `Resource` pattern of a custom policy.
///
/// Rules from the Developer Guide's custom-policy page (reference §1.5):
/// - `*` matches zero or more characters, `?` exactly one;
/// - the pattern has four sections, `protocol://domain/path\?query`, and a wildcard matches only
///   within its own section (so `https://www.example.com/hello*world` does not match
///   `https://www.example.net/hello?world`);
/// - the `?` that starts the query is written as it is in the URL, unescaped (see below), or
///   `\?` as in the guide's section diagram;
/// - a trailing `*` in the path implies `*` in the query (`/hello*` ≡ `/hello*\?*`), and a pattern
///   that ends with `*` in the domain implies `*` in path and query;
/// - the protocol may be left out when the pattern starts with `*` (`*example.com` ≡
///   `*://*example.com/`);
/// - `"Resource":"*"` matches any URL.
///
/// **An unescaped `?`.** "Creating a signed URL using a custom policy" (Developer Guide, Values
/// that you specify → `Resource`) gives the URL with your own query string as the example
/// Resource, `https://d111111abcdef8.cloudfront.net/images/horizon.jpg?size=large&license=yes`,
/// says not to escape the `?` that begins the query string with a backslash, and also says that
/// `?` is the wildcard for exactly one character. Both hold here: an unescaped `?` is the
/// one-character wildcard, and the one character it stands for may be the URL's own `?`, so the
/// guide's Resource matches the URL it was written for. When a `?` stands for the URL's `?`, the
/// pattern's text before it is the path section and the text after it the query section, and
/// each `*` matches within its own one (`…/images/*?size=*` matches
/// `…/images/a.jpg?size=large`; `…/a*b` does not match `…/a?b`). Read as a wildcard, the same
/// Resource also matches a URL whose path has any one character there and no query
/// (`…/images/horizon.jpgXsize=large&license=yes`), which is what "exactly one character" says.
/// Once the pattern has a `\?`, its sections are explicit and an unescaped `?` before it
/// stands for one character of the path only.
///
/// Implied query wildcards also match a URL without a query, as the guide's example
/// `https://d111111abcdef8.cloudfront.net/*game_download.zip*` matches `/game_download.zip`.
/// Matching is byte-wise and case-sensitive. Never panics.
pub fn resource_matches(pattern: &str, url: &str) -> bool {
    ResourcePattern::new(pattern).matches(url)
}

/// A `Resource` pattern split into its sections once, to check many URLs: a
/// simulator checks one wildcard policy against every request of a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourcePattern {
    sections: Option<PatternSections>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum PatternSections {
    /// `"*"` alone: any URL.
    Anything,
    Split {
        protocol: wildcard::Pattern,
        domain: wildcard::Pattern,
        path: wildcard::Pattern,
        query: Query,
        /// The pattern has no `\?` and its path section has a `?`, which may stand for the
        /// URL's own `?`: the path section then reaches into the query (see
        /// [`resource_matches`]).
        path_reaches_query: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Query {
    /// No query section and no trailing `*`: the URL must have no query.
    Absent,
    /// An implied `*`: any query, or none.
    Any,
    Pattern(wildcard::Pattern),
}

impl ResourcePattern {
    /// Splits `pattern` into protocol, domain, path and query sections (with the implied
    /// wildcards of reference §1.5). A pattern that cannot be split matches nothing.
    pub fn new(pattern: &str) -> ResourcePattern {
        if pattern == "*" {
            return ResourcePattern { sections: Some(PatternSections::Anything) };
        }
        let (protocol, rest) = match split_once_short(pattern, "://") {
            Some((protocol, rest)) => (protocol, rest),
            None if pattern.starts_with('*') => ("*", pattern),
            None => return ResourcePattern { sections: None },
        };
        let (before_query, query) = match split_once_short(rest, "\\?") {
            Some((before, query)) => (before, Some(query)),
            None => (rest, None),
        };
        let (domain, path) = match before_query.find('/') {
            Some(i) => (&before_query[..i], Some(&before_query[i..])),
            None => (before_query, None),
        };
        let (path, query) = match (path, query) {
            (_, Some(q)) => (path.unwrap_or("/"), Query::Pattern(wildcard::Pattern::new(q))),
            (Some(p), None) if p.ends_with('*') => (p, Query::Any),
            (Some(p), None) => (p, Query::Absent),
            (None, None) if domain.ends_with('*') => ("*", Query::Any),
            (None, None) => ("/", Query::Absent),
        };
        let path_reaches_query = !matches!(query, Query::Pattern(_)) && path.contains('?');
        let sections = PatternSections::Split {
            protocol: wildcard::Pattern::new(protocol),
            domain: wildcard::Pattern::new(domain),
            path: wildcard::Pattern::new(path),
            query,
            path_reaches_query,
        };
        ResourcePattern { sections: Some(sections) }
    }

    /// Whether `url` is covered, each wildcard matching only within its own section.
    pub fn matches(&self, url: &str) -> bool {
        // `"*"` alone covers any request, even one whose URL does not split.
        self.sections == Some(PatternSections::Anything)
            || UrlParts::of_url(url).is_some_and(|target| self.matches_parts(&target))
    }

    /// Whether every URL `{scheme}://{authority}{prefix}{tail}` is covered, for any `tail`: more
    /// path and any query when `prefix` has no `?`, more query when it has one. `true` only when
    /// the pattern's shape proves it, so a caller that knows its URLs share a prefix may skip
    /// matching each one; `false` means "match each URL".
    pub fn covers_every_url_starting_with(&self, scheme: &str, authority: &str, prefix: &str) -> bool {
        let Some(sections) = &self.sections else { return false };
        let PatternSections::Split { protocol, domain, path, query, path_reaches_query } = sections else {
            return true;
        };
        if !(protocol.matches(scheme) && domain.matches(authority)) {
            return false;
        }
        // A path section `L*`, with `L` free of `*` and matching the start of the prefix, covers
        // the rest of the path and, by its implied `\?*`, any query. When `L` reaches past the
        // URL's `?`, its own `?` there stands for it and `*` covers the rest of the query.
        if (*path_reaches_query || !prefix.contains('?')) && path.matches_every_text_starting_with(prefix) {
            // (A path section ending with `*` never leaves the query `Absent`.)
            return match query {
                Query::Absent => false,
                Query::Any => true,
                Query::Pattern(q) => q.matches_every_text_starting_with(""),
            };
        }
        // A prefix with a `?` fixes the path: the path section must match it, the query section
        // cover every query that starts with the rest.
        let Some((url_path, query_prefix)) = prefix.split_once('?') else { return false };
        path.matches(url_path)
            && match query {
                Query::Absent => false,
                Query::Any => true,
                Query::Pattern(q) => q.matches_every_text_starting_with(query_prefix),
            }
    }

    /// [`ResourcePattern::matches`] for a URL already split into its parts.
    pub fn matches_parts(&self, target: &UrlParts<'_>) -> bool {
        let Some(sections) = &self.sections else { return false };
        let PatternSections::Split { protocol, domain, path, query, path_reaches_query } = sections else {
            return true;
        };
        let by_sections = || {
            path.matches(target.path)
                && match query {
                    Query::Absent => target.query.is_none(),
                    Query::Any => true,
                    Query::Pattern(q) => q.matches(target.query.unwrap_or("")),
                }
        };
        // The path section's `?` standing for the URL's own `?` (see `resource_matches`).
        let across =
            || *path_reaches_query && target.query.is_some_and(|q| path.matches_across_boundary(target.path, q));
        protocol.matches(target.scheme) && domain.matches(target.authority) && (by_sections() || across())
    }
}

/// `str::split_once` for a short separator, without the set-up cost of the
/// general substring searcher.
fn split_once_short<'a>(text: &'a str, separator: &str) -> Option<(&'a str, &'a str)> {
    let (bytes, sep) = (text.as_bytes(), separator.as_bytes());
    let mut from = 0;
    while let Some(i) = bytes[from..].iter().position(|&b| b == sep[0]) {
        let at = from + i;
        if bytes[at..].starts_with(sep) {
            return Some((&text[..at], &text[at + sep.len()..]));
        }
        from = at + 1;
    }
    None
}

/// A request URL by its sections: what a `Resource` pattern is matched
/// against, section by section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UrlParts<'a> {
    /// Before `://` (`https`).
    pub scheme: &'a str,
    /// Between `://` and the path: the host, with a port if the URL has one.
    pub authority: &'a str,
    /// Starts with `/`.
    pub path: &'a str,
    /// After the first `?`, which is not included; `None` when the URL has no `?`.
    pub query: Option<&'a str>,
}

impl<'a> UrlParts<'a> {
    /// Splits `scheme://authority/path?query`: the first `/` after the scheme
    /// ends the authority, the first `?` starts the query.
    pub fn of_url(url: &'a str) -> Option<UrlParts<'a>> {
        let (scheme, rest) = split_once_short(url, "://")?;
        let bytes = rest.as_bytes();
        let mut slash = None;
        let mut question = None;
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'?' {
                question = Some(i);
                break;
            }
            if b == b'/' && slash.is_none() {
                slash = Some(i);
            }
        }
        let before_query = &rest[..question.unwrap_or(rest.len())];
        let query = question.map(|q| &rest[q + 1..]);
        let (authority, path) = match slash {
            Some(i) => (&before_query[..i], &before_query[i..]),
            // A request always has a path; `https://host` is requested as `https://host/`.
            None => (before_query, "/"),
        };
        Some(UrlParts { scheme, authority, path, query })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_covers_a_url_prefix_only_when_every_such_url_matches() {
        let cases = [
            ("https://d111111abcdef8.cloudfront.net/private/*", "/private/", true),
            ("https://d111111abcdef8.cloudfront.net/*", "/private/", true),
            ("*", "/private/", true),
            ("https://*.cloudfront.net/private/*", "/private/", true),
            // A query section follows `\?`; a bare `?` is the one-character wildcard.
            ("http*://d111111abcdef8.cloudfront.net/private/*\\?*", "/private/", true),
            ("https://d111111abcdef8.cloudfront.net/private/*?*", "/private/", false),
            ("http://d111111abcdef8.cloudfront.net/private/*", "/private/", false),
            ("https://d111111abcdef8.cloudfront.net/private/*", "/public/", false),
            ("https://d111111abcdef8.cloudfront.net/private/*.mp4", "/private/", false),
            ("https://d111111abcdef8.cloudfront.net/private/*\\?a=1", "/private/", false),
            ("https://example.com/private/*", "/private/", false),
            // Prefixes that reach into the query: the path is fixed, the query starts with the rest.
            ("https://d111111abcdef8.cloudfront.net/img?id=*", "/img?id=", true),
            ("https://d111111abcdef8.cloudfront.net/img\\?id=*", "/img?id=", true),
            ("https://d111111abcdef8.cloudfront.net/img*", "/img?id=", true),
            ("https://d111111abcdef8.cloudfront.net/img?id=*", "/img?ref=", false),
            ("https://d111111abcdef8.cloudfront.net/img\\?id=*", "/img/?id=", false),
            ("https://d111111abcdef8.cloudfront.net/img/*\\?id=1", "/img/?id=", false),
            // Only the first `?` of a URL starts its query; later ones are query bytes.
            ("https://d111111abcdef8.cloudfront.net/a?b?*", "/a?b?", true),
        ];
        for (pattern, prefix, expected) in cases {
            let compiled = ResourcePattern::new(pattern);
            let covers = compiled.covers_every_url_starting_with("https", "d111111abcdef8.cloudfront.net", prefix);
            assert_eq!(covers, expected, "{pattern} over {prefix}");
            if covers {
                for tail in ["", "0", "17.mp4", "a/b?c", "x*y", "1?x=2&y"] {
                    let url = format!("https://d111111abcdef8.cloudfront.net{prefix}{tail}");
                    assert!(compiled.matches(&url), "{pattern} must match {url}");
                }
            }
        }
    }

    #[test]
    fn canned_policy_is_the_documented_string() {
        // Developer Guide, canned policy page: the example statement with whitespace removed.
        assert_eq!(
            canned_policy_json("http://d111111abcdef8.cloudfront.net/horizon.jpg?size=large&license=yes", 1357034400),
            r#"{"Statement":[{"Resource":"http://d111111abcdef8.cloudfront.net/horizon.jpg?size=large&license=yes","Condition":{"DateLessThan":{"AWS:EpochTime":1357034400}}}]}"#
        );
    }

    #[test]
    fn custom_policy_uses_botocore_order() {
        let policy = Policy {
            resource: Some("http://d111111abcdef8.cloudfront.net/training/*".into()),
            date_less_than: 1357120800,
            date_greater_than: Some(1357034400),
            ip_address: Some("192.0.2.10".parse().unwrap()),
        };
        assert_eq!(
            policy.to_json(),
            r#"{"Statement":[{"Resource":"http://d111111abcdef8.cloudfront.net/training/*","Condition":{"DateLessThan":{"AWS:EpochTime":1357120800},"IpAddress":{"AWS:SourceIp":"192.0.2.10/32"},"DateGreaterThan":{"AWS:EpochTime":1357034400}}}]}"#
        );
        assert_eq!(Policy::from_json(policy.to_json().as_bytes()).unwrap(), policy);
    }

    #[test]
    fn escapes_like_python_json_dumps() {
        let mut out = String::new();
        // Expected text from python3 -c 'import json; print(json.dumps("a\"b\\c/d\x01é😀\x7f\x08\x0c"))'
        push_json_string(&mut out, "a\"b\\c/d\u{1}é😀\u{7f}\u{8}\u{c}");
        assert_eq!(out, r#""a\"b\\c/d\u0001\u00e9\ud83d\ude00\u007f\b\f""#);
    }

    #[test]
    fn parses_documented_shapes_and_refuses_others() {
        // The June 2023 signed-URL page writes `Statement` as an object, with whitespace.
        let object_form = b"{ \"Statement\": {\r\n \"Resource\":\"http://x/*\", \"Condition\":{ \"DateLessThan\":{\"AWS:EpochTime\":10}}}}";
        assert_eq!(Policy::from_json(object_form).unwrap(), Policy::new("http://x/*", 10));
        let no_resource = br#"{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":10}}}]}"#;
        assert_eq!(Policy::from_json(no_resource).unwrap().resource, None);
        for bad in [
            &b"not json"[..],
            br#"[]"#,
            br#"{"Statement":[]}"#,
            br#"{"Statement":[{"Condition":{}}]}"#,
            br#"{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":"10"}}}]}"#,
            br#"{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":1.5}}}]}"#,
            br#"{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":10},"DateLess":{"AWS:EpochTime":1}}}]}"#,
            br#"{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":10},"IpAddress":{"AWS:SourceIp":"2001:db8::/32"}}}]}"#,
            br#"{"Statement":[{"Resource":7,"Condition":{"DateLessThan":{"AWS:EpochTime":10}}}]}"#,
            br#"{"Version":"1","Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":10}}}]}"#,
            b"{\"Statement\":[{\"Resource\":\"\xff\",\"Condition\":{\"DateLessThan\":{\"AWS:EpochTime\":10}}}]}",
        ] {
            assert!(Policy::from_json(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn ipv4_ranges() {
        let range: Ipv4Cidr = "192.0.2.0/24".parse().unwrap();
        assert!(range.contains("192.0.2.10".parse().unwrap()));
        assert!(!range.contains("192.0.3.10".parse().unwrap()));
        assert!(!range.contains("2001:db8::1".parse().unwrap()));
        let host: Ipv4Cidr = "192.0.2.10".parse().unwrap();
        assert_eq!(host.as_str(), "192.0.2.10/32");
        assert!(host.contains("192.0.2.10".parse().unwrap()));
        assert!(!host.contains("192.0.2.11".parse().unwrap()));
        let loose: Ipv4Cidr = "192.0.2.77/24".parse().unwrap();
        assert_eq!(loose.as_str(), "192.0.2.77/24");
        assert!(loose.contains("192.0.2.1".parse().unwrap()));
        let all: Ipv4Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("203.0.113.9".parse().unwrap()));
        for bad in [
            "",
            "1.2.3",
            "1.2.3.4.5",
            "256.1.1.1",
            "01.2.3.4",
            "1.2.3.4/33",
            "1.2.3.4/",
            "1.2.3.4/+1",
            "::1",
            "a.b.c.d",
        ] {
            assert!(bad.parse::<Ipv4Cidr>().is_err(), "{bad}");
        }
    }

    #[test]
    fn wildcards_follow_the_developer_guide() {
        let m = resource_matches;
        // The guide's example.
        let game = "https://d111111abcdef8.cloudfront.net/*game_download.zip*";
        assert!(m(game, "https://d111111abcdef8.cloudfront.net/game_download.zip"));
        assert!(m(game, "https://d111111abcdef8.cloudfront.net/example_game_download.zip?license=yes"));
        assert!(m(game, "https://d111111abcdef8.cloudfront.net/test_game_download.zip?license=temp"));
        assert!(!m(game, "https://d111111abcdef8.cloudfront.net/game.zip"));
        // A wildcard stays in its section.
        assert!(!m("https://www.example.com/hello*world", "https://www.example.net/hello?world"));
        assert!(m("https://www.example.com/hello*world", "https://www.example.com/hello/big/world"));
        assert!(!m("https://www.example.com/hello*", "https://www.example.com.evil.net/hello"));
        // Trailing `*` in the path implies any query; without it no query is allowed.
        assert!(m("http://example.com/hello*", "http://example.com/hello?x=1"));
        assert!(!m("http://example.com/hello", "http://example.com/hello?x=1"));
        assert!(m("http://example.com/hello", "http://example.com/hello"));
        // Trailing `*` in the domain implies any path and query.
        assert!(m("http://example.com*", "http://example.com.cdn.net/a/b?c=d"));
        assert!(m("http://example.com*", "http://example.com/a"));
        // Protocol left out when the pattern starts with `*`.
        assert!(m("*example.com", "https://www.example.com/"));
        assert!(!m("*example.com", "https://www.example.com/a.jpg"));
        assert!(m("*example.com/*", "http://example.com/a.jpg"));
        assert!(m("*://d111111abcdef8.cloudfront.net/*", "http://d111111abcdef8.cloudfront.net/a"));
        assert!(!m("https://d111111abcdef8.cloudfront.net/*", "http://d111111abcdef8.cloudfront.net/a"));
        // The guide's Resource with your own query string, unescaped: its `?` stands for the URL's.
        let horizon = "https://d111111abcdef8.cloudfront.net/images/horizon.jpg?size=large&license=yes";
        assert!(m(horizon, horizon));
        assert!(!m(horizon, "https://d111111abcdef8.cloudfront.net/images/horizon.jpg?size=small&license=yes"));
        assert!(!m(horizon, "https://d111111abcdef8.cloudfront.net/images/horizon.jpg?size=large&license=yes&x=1"));
        assert!(!m(horizon, "https://d111111abcdef8.cloudfront.net/images/horizon.jpg"));
        // Read as the one-character wildcard, it also matches one other byte in the path.
        assert!(m(horizon, "https://d111111abcdef8.cloudfront.net/images/horizon.jpgXsize=large&license=yes"));
        // Each `*` stays on its side of the `?` that stands for the URL's.
        assert!(m("http://x/images/*?size=*", "http://x/images/a/b.jpg?size=large"));
        assert!(!m("http://x/images/*?size=*", "http://x/images/a.jpg?page=2&size=large"));
        assert!(!m("http://x/hello*world", "http://x/hello?world"));
        assert!(m("http://x/hello*?world", "http://x/hello?world"));
        // After a `\?` the sections are explicit: an earlier `?` is one byte of the path.
        assert!(!m(r"http://x/a?b\?c", "http://x/a?b?c"));
        assert!(m(r"http://x/a?b\?c", "http://x/axb?c"));
        // An escaped `?` starts a literal query; an unescaped one matches one character.
        assert!(m(r"http://x/horizon.jpg\?size=large&license=yes", "http://x/horizon.jpg?size=large&license=yes"));
        assert!(!m(r"http://x/horizon.jpg\?size=large", "http://x/horizon.jpg?size=small"));
        assert!(m(r"http://x/horizon.jpg\?size=*", "http://x/horizon.jpg?size=small"));
        assert!(m("http://x/img?.jpg", "http://x/img1.jpg"));
        assert!(!m("http://x/img?.jpg", "http://x/img.jpg"));
        assert!(m("http://*", "http://d111111abcdef8.cloudfront.net/training/orientation.pdf"));
        assert!(m("*", "anything"));
        assert!(!m("d111111abcdef8.cloudfront.net/*", "https://d111111abcdef8.cloudfront.net/a"));
        assert!(!m("http://x/*", "not a url"));
    }

    #[test]
    fn glob_is_bounded_on_hostile_input() {
        let text = "a".repeat(5000);
        let pattern = "*a".repeat(200) + "b";
        assert!(!wildcard::matches(&pattern, &text));
        assert!(wildcard::matches("*", ""));
        assert!(wildcard::matches("", ""));
        assert!(!wildcard::matches("?", ""));
        assert!(wildcard::matches("a*b*c", "aXXbYYc"));
        assert!(!wildcard::matches("a*b*c", "aXXbYY"));
    }
}
