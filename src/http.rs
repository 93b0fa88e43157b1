//! The small HTTP vocabulary the simulator speaks: methods, protocols and the
//! `Cache-Control` directives CloudFront reads from origin responses.

use std::fmt;
use std::str::FromStr;

/// The HTTP methods CloudFront distinguishes (reference §6.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    Get,
    Head,
    Options,
    Put,
    Post,
    Patch,
    Delete,
}

impl Method {
    pub const ALL: [Method; 7] =
        [Method::Get, Method::Head, Method::Options, Method::Put, Method::Post, Method::Patch, Method::Delete];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// DELETE, OPTIONS, PATCH, POST and PUT: the methods CloudFront
    /// proxies to the origin, whose requests may carry a body (GET and
    /// HEAD are the others).
    pub const fn is_proxied(self) -> bool {
        !matches!(self, Method::Get | Method::Head)
    }

    /// A bit per method, for method sets.
    pub const fn bit(self) -> u8 {
        1 << self as u8
    }
}

impl FromStr for Method {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        Method::ALL.into_iter().find(|m| m.as_str() == text).ok_or_else(|| {
            format!("unknown HTTP method {text:?} (use GET, HEAD, OPTIONS, PUT, POST, PATCH or DELETE, in capitals)")
        })
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of methods as a bit mask; `AllowedMethods` and `CachedMethods` are these.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct MethodSet(u8);

impl MethodSet {
    pub const GET_HEAD: MethodSet = MethodSet(Method::Get.bit() | Method::Head.bit());
    pub const GET_HEAD_OPTIONS: MethodSet = MethodSet(Self::GET_HEAD.0 | Method::Options.bit());
    pub const ALL: MethodSet = MethodSet(0x7f);

    pub fn from_methods(methods: impl IntoIterator<Item = Method>) -> Self {
        MethodSet(methods.into_iter().fold(0, |acc, m| acc | m.bit()))
    }
    pub fn contains(self, method: Method) -> bool {
        self.0 & method.bit() != 0
    }
    pub fn iter(self) -> impl Iterator<Item = Method> {
        Method::ALL.into_iter().filter(move |m| self.contains(*m))
    }
    /// Whether any of POST, PUT, PATCH, DELETE is in the set.
    pub fn has_writes(self) -> bool {
        [Method::Post, Method::Put, Method::Patch, Method::Delete].into_iter().any(|m| self.contains(m))
    }
}

impl fmt::Display for MethodSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.iter().map(Method::as_str).collect();
        f.write_str(&names.join(","))
    }
}

/// The viewer's or the origin leg's protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    Http,
    Https,
}

/// The `Cache-Control` directives of an origin response that CloudFront's TTL
/// decision reads (reference §6.4), and the two that let it serve an expired
/// copy (`policy::freshness`). Unknown directives are ignored, as a cache does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheControl {
    pub max_age_s: Option<u64>,
    pub s_maxage_s: Option<u64>,
    pub no_cache: bool,
    pub no_store: bool,
    pub private: bool,
    /// `stale-while-revalidate=N`: seconds after expiry during which the
    /// expired copy may answer while it is revalidated in the background.
    pub stale_while_revalidate_s: Option<u64>,
    /// `stale-if-error=N`: seconds after expiry during which the expired
    /// copy may answer instead of an origin error.
    pub stale_if_error_s: Option<u64>,
}

impl CacheControl {
    /// Whether the response asks shared caches not to reuse it without going back to the origin.
    pub fn forbids_reuse(&self) -> bool {
        self.no_cache || self.no_store || self.private
    }
}

impl FromStr for CacheControl {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let mut cc = CacheControl::default();
        for directive in text.split(',').map(str::trim).filter(|d| !d.is_empty()) {
            let (name, value) = match directive.split_once('=') {
                Some((n, v)) => (n.trim().to_ascii_lowercase(), Some(v.trim().trim_matches('"'))),
                None => (directive.to_ascii_lowercase(), None),
            };
            let seconds = |v: Option<&str>| -> Result<u64, String> {
                let v = v.ok_or_else(|| format!("`{name}` needs a value in seconds, e.g. `{name}=3600`"))?;
                v.parse::<u64>().map_err(|_| format!("`{name}={v}` is not a whole number of seconds"))
            };
            match name.as_str() {
                "max-age" => cc.max_age_s = Some(seconds(value)?),
                "s-maxage" => cc.s_maxage_s = Some(seconds(value)?),
                "no-cache" => cc.no_cache = true,
                "no-store" => cc.no_store = true,
                "private" => cc.private = true,
                "stale-while-revalidate" => cc.stale_while_revalidate_s = Some(seconds(value)?),
                "stale-if-error" => cc.stale_if_error_s = Some(seconds(value)?),
                _ => {}
            }
        }
        Ok(cc)
    }
}

impl fmt::Display for CacheControl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if self.no_store {
            parts.push("no-store".to_string());
        }
        if self.no_cache {
            parts.push("no-cache".to_string());
        }
        if self.private {
            parts.push("private".to_string());
        }
        if let Some(s) = self.max_age_s {
            parts.push(format!("max-age={s}"));
        }
        if let Some(s) = self.s_maxage_s {
            parts.push(format!("s-maxage={s}"));
        }
        if let Some(s) = self.stale_while_revalidate_s {
            parts.push(format!("stale-while-revalidate={s}"));
        }
        if let Some(s) = self.stale_if_error_s {
            parts.push(format!("stale-if-error={s}"));
        }
        f.write_str(&parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_control_parses_the_directives_cloudfront_reads() {
        let cc: CacheControl =
            "public, max-age=60, s-maxage=\"300\", stale-while-revalidate=5, Stale-If-Error=86400".parse().unwrap();
        let expected = CacheControl {
            max_age_s: Some(60),
            s_maxage_s: Some(300),
            stale_while_revalidate_s: Some(5),
            stale_if_error_s: Some(86_400),
            ..Default::default()
        };
        assert_eq!(cc, expected);
        assert_eq!(cc.to_string(), "max-age=60, s-maxage=300, stale-while-revalidate=5, stale-if-error=86400");
        assert!("stale-if-error".parse::<CacheControl>().unwrap_err().contains("needs a value"));
        let cc: CacheControl = "No-Store, private".parse().unwrap();
        assert!(cc.no_store && cc.private && cc.forbids_reuse());
        assert!("max-age=soon".parse::<CacheControl>().unwrap_err().contains("whole number"));
        assert!("max-age".parse::<CacheControl>().unwrap_err().contains("needs a value"));
    }

    #[test]
    fn method_sets() {
        assert!(MethodSet::GET_HEAD_OPTIONS.contains(Method::Options));
        assert!(!MethodSet::GET_HEAD.has_writes());
        assert!(MethodSet::ALL.has_writes());
        assert_eq!(MethodSet::GET_HEAD.to_string(), "GET,HEAD");
        assert!("get".parse::<Method>().is_err());
    }
}
