//! What a traffic class's requests carry besides their path: query
//! parameters, cookies, named headers, an `Accept-Encoding` header and the
//! viewer's device (which CloudFront turns into its `CloudFront-Is-*-Viewer`
//! headers). A cache policy may put any of them in the cache key
//! (`policy::cache_key`), which is how one object becomes several cache
//! entries.
//!
//! The settings (`RequestAttributesSpec`) say which attributes a class's
//! requests carry and how their values are distributed; a request carries its
//! own draw as small value ids in a fixed-size `RequestAttributes`, so that
//! no request allocates.

/// Query parameters one class's requests may carry.
pub const MAX_QUERY_PARAMS: usize = 8;

/// Query parameters, cookies and headers one class's requests may carry in
/// all: the slots of a `RequestAttributes`.
pub const MAX_ATTRIBUTES: usize = 12;

/// Distinct `Accept-Encoding` values in one class's mix.
pub const MAX_ENCODINGS: usize = 16;

/// The most distinct values one attribute may take (a value id is a `u32`
/// and 0 means absent).
pub const MAX_ATTRIBUTE_VALUES: u64 = u32::MAX as u64 - 1;

/// How many values an attribute takes, and how they are written.
#[derive(Clone, Debug, PartialEq)]
pub enum AttributeValues {
    /// Values `0` to `n - 1`, written as decimal numbers.
    Count(u32),
    /// These values, in this order (the first is the most popular under Zipf).
    Named(Vec<String>),
}

/// One query parameter, cookie or header a class's requests carry.
#[derive(Clone, Debug, PartialEq)]
pub struct AttributeSpec {
    pub name: String,
    pub values: AttributeValues,
    /// Share of requests that carry it, in (0, 1].
    pub share: f64,
    /// Zipf exponent over the values (0: all equally likely).
    pub zipf_alpha: f64,
}

impl AttributeValues {
    /// How many values there are.
    pub fn count(&self) -> u32 {
        match self {
            AttributeValues::Count(n) => *n,
            AttributeValues::Named(names) => names.len() as u32,
        }
    }
}

impl AttributeSpec {
    /// How many values the attribute takes.
    pub fn count(&self) -> u32 {
        self.values.count()
    }

    /// Appends value `index` as a request writes it.
    pub fn push_value(&self, index: u32, out: &mut String) {
        match &self.values {
            AttributeValues::Count(_) => {
                use std::fmt::Write;
                let _ = write!(out, "{index}");
            }
            AttributeValues::Named(names) => out.push_str(&names[index as usize]),
        }
    }
}

/// In which order a request writes its query parameters. CloudFront keys
/// them in the order they come (DG "Cache content based on query string
/// parameters": `?color=red&size=large` and `?size=large&color=red` are two
/// cache entries), so a shuffled order fragments the cache.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum QueryOrder {
    /// The order the class lists them in, on every request.
    #[default]
    Stable,
    /// A random order per request (a client that builds its URLs from an
    /// unordered map).
    Shuffled,
}

impl QueryOrder {
    pub fn parse(text: &str) -> Option<QueryOrder> {
        match text {
            "stable" => Some(QueryOrder::Stable),
            "shuffled" => Some(QueryOrder::Shuffled),
            _ => None,
        }
    }
}

/// The viewer's device, as CloudFront reads it from `User-Agent` (DG "Cache
/// content based on request headers", "Configuring caching based on the device
/// type"). Each device sets its own header to `true` and the other three to
/// `false`. (CloudFront may call some tablets mobile too; a simulated viewer
/// is one or the other.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Device {
    Desktop,
    Mobile,
    Tablet,
    SmartTv,
}

impl Device {
    pub const ALL: [Device; 4] = [Device::Desktop, Device::Mobile, Device::Tablet, Device::SmartTv];

    /// The names a scenario's `devices` table uses.
    pub fn name(self) -> &'static str {
        ["desktop", "mobile", "tablet", "smarttv"][self as usize]
    }

    /// The header CloudFront sets to `true` for this device.
    pub fn header(self) -> &'static str {
        [
            "CloudFront-Is-Desktop-Viewer",
            "CloudFront-Is-Mobile-Viewer",
            "CloudFront-Is-Tablet-Viewer",
            "CloudFront-Is-SmartTV-Viewer",
        ][self as usize]
    }

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn parse(name: &str) -> Option<Device> {
        Device::ALL.into_iter().find(|d| d.name() == name)
    }

    /// The device whose header is `header` (compared without regard to case).
    pub fn of_header(header: &str) -> Option<Device> {
        Device::ALL.into_iter().find(|d| d.header().eq_ignore_ascii_case(header))
    }
}

/// The `Accept-Encoding` values of a class that says nothing: what browsers
/// send today over HTTPS, weighted by their share of page views. Chrome
/// (from version 123, 2024) and Firefox (from 126) send `gzip, deflate, br,
/// zstd`; Safari sends `gzip, deflate, br`; HTTP libraries and crawlers send
/// `gzip` or no header at all (curl sends none unless asked). The weights
/// follow StatCounter's global browser shares for 2025 (Chrome and the
/// Chromium browsers about 75%, Safari about 18%) with about 5% of
/// non-browser clients; they are rounded, not measured.
pub const DEFAULT_ACCEPT_ENCODING: [(&str, f64); 5] = [
    ("gzip, deflate, br, zstd", 0.72),
    ("gzip, deflate, br", 0.20),
    ("gzip, deflate", 0.03),
    ("gzip", 0.02),
    ("", 0.03),
];

/// The device mix of a class that says nothing, indexed by `Device::index`:
/// StatCounter's platform shares for 2025, rounded (mobile about 62%,
/// desktop 36%, tablet 2%; smart TVs too few to show).
pub const DEFAULT_DEVICES: [f64; 4] = [0.36, 0.62, 0.02, 0.0];

/// What a class's requests carry besides the path.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestAttributesSpec {
    // Invariant: query.len() <= MAX_QUERY_PARAMS, and the three lists hold
    // MAX_ATTRIBUTES at most together; names are unique per list (headers
    // without regard to case).
    pub query: Vec<AttributeSpec>,
    pub query_order: QueryOrder,
    pub cookies: Vec<AttributeSpec>,
    /// Named headers other than `Accept-Encoding` and the device headers.
    pub headers: Vec<AttributeSpec>,
    /// `Accept-Encoding` values with their weights (summing to 1); the empty
    /// value stands for a request without the header.
    // Invariant: 1 to MAX_ENCODINGS entries, no value twice.
    pub accept_encoding: Vec<(String, f64)>,
    /// Weights of the devices (summing to 1), indexed by `Device::index`.
    pub devices: [f64; 4],
}

impl Default for RequestAttributesSpec {
    fn default() -> Self {
        RequestAttributesSpec {
            query: Vec::new(),
            query_order: QueryOrder::Stable,
            cookies: Vec::new(),
            headers: Vec::new(),
            accept_encoding: DEFAULT_ACCEPT_ENCODING.iter().map(|&(v, w)| (v.to_string(), w)).collect(),
            devices: DEFAULT_DEVICES,
        }
    }
}

/// Which list a slot of a `RequestAttributes` belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttributeKind {
    Query,
    Cookie,
    Header,
}

impl RequestAttributesSpec {
    /// The attributes in slot order: query parameters, cookies, headers.
    pub fn slots(&self) -> impl Iterator<Item = (usize, AttributeKind, &AttributeSpec)> {
        let query = self.query.iter().map(|a| (AttributeKind::Query, a));
        let cookies = self.cookies.iter().map(|a| (AttributeKind::Cookie, a));
        let headers = self.headers.iter().map(|a| (AttributeKind::Header, a));
        query.chain(cookies).chain(headers).enumerate().map(|(slot, (kind, a))| (slot, kind, a))
    }

    /// How many slots the class uses.
    pub fn n_slots(&self) -> usize {
        self.query.len() + self.cookies.len() + self.headers.len()
    }

    /// The attribute in `slot`.
    pub fn slot(&self, slot: usize) -> &AttributeSpec {
        let (nq, nc) = (self.query.len(), self.cookies.len());
        if slot < nq {
            &self.query[slot]
        } else if slot < nq + nc {
            &self.cookies[slot - nq]
        } else {
            &self.headers[slot - nq - nc]
        }
    }

    /// Appends the query string the request's attributes add (without `?`),
    /// parameters in the request's order.
    pub fn push_query(&self, attributes: &RequestAttributes, out: &mut String) {
        for slot in attributes.query_order(self.query.len()) {
            if let Some(value) = attributes.value(slot) {
                if !out.is_empty() {
                    out.push('&');
                }
                let spec = &self.query[slot];
                out.push_str(&spec.name);
                out.push('=');
                spec.push_value(value, out);
            }
        }
    }

    /// Appends the `Cookie` header's value the request's cookies make
    /// (`a=1; b=2`), in the class's order.
    pub fn push_cookies(&self, attributes: &RequestAttributes, out: &mut String) {
        let first = self.query.len();
        for (i, spec) in self.cookies.iter().enumerate() {
            if let Some(value) = attributes.value(first + i) {
                if !out.is_empty() {
                    out.push_str("; ");
                }
                out.push_str(&spec.name);
                out.push('=');
                spec.push_value(value, out);
            }
        }
    }
}

/// One request's attributes as value ids, in the slots of its class's
/// `RequestAttributesSpec`. Fixed-size and `Copy`: requests carry it inline.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RequestAttributes {
    /// Per slot, 0 when the request does not carry the attribute, else the
    /// value's index plus one.
    values: [u32; MAX_ATTRIBUTES],
    /// The URL order of the query slots: nibble `i` is the slot written
    /// `i`-th. `IDENTITY_ORDER` when the order is stable (or never drawn).
    query_order: u32,
    /// The index of the request's `Accept-Encoding` value in its class's mix
    /// plus one; 0 when none was drawn.
    accept_encoding: u8,
    /// `Device::index` plus one; 0 when none was drawn.
    device: u8,
}

const _: () = assert!(MAX_QUERY_PARAMS * 4 <= 32, "the query order packs a nibble per parameter");
const _: () = assert!(MAX_ENCODINGS < u8::MAX as usize);
const _: () = assert!(std::mem::size_of::<RequestAttributes>() == 56);

/// Query slots in their own order: nibble `i` is `i`.
const IDENTITY_ORDER: u32 = 0x7654_3210;

impl RequestAttributes {
    /// A request that carries nothing: its cache key is its path's.
    pub const NONE: RequestAttributes =
        RequestAttributes { values: [0; MAX_ATTRIBUTES], query_order: IDENTITY_ORDER, accept_encoding: 0, device: 0 };

    /// Whether the request carries no attribute at all.
    pub fn is_empty(&self) -> bool {
        self.values == [0; MAX_ATTRIBUTES] && self.accept_encoding == 0 && self.device == 0
    }

    /// The value index the request carries in `slot`, if any.
    #[inline]
    pub fn value(&self, slot: usize) -> Option<u32> {
        self.values[slot].checked_sub(1)
    }

    /// Carries value `index` in `slot`.
    pub fn set_value(&mut self, slot: usize, index: u32) {
        assert!(u64::from(index) < MAX_ATTRIBUTE_VALUES, "a value index past MAX_ATTRIBUTE_VALUES");
        self.values[slot] = index + 1;
    }

    /// The first `n` query slots in the order the request writes them.
    #[inline]
    pub fn query_order(&self, n: usize) -> impl Iterator<Item = usize> + '_ {
        debug_assert!(n <= MAX_QUERY_PARAMS);
        (0..n).map(move |i| (self.query_order >> (4 * i) & 0xf) as usize)
    }

    /// Writes the query slots in `order` (a permutation of `0..order.len()`).
    pub fn set_query_order(&mut self, order: &[u8]) {
        debug_assert!(order.len() <= MAX_QUERY_PARAMS);
        let mut packed = IDENTITY_ORDER;
        for (i, &slot) in order.iter().enumerate() {
            debug_assert!((slot as usize) < order.len(), "a permutation of the query slots");
            packed = packed & !(0xf << (4 * i)) | (slot as u32) << (4 * i);
        }
        self.query_order = packed;
    }

    /// The index of the request's `Accept-Encoding` value in its class's mix.
    #[inline]
    pub fn accept_encoding(&self) -> Option<usize> {
        (self.accept_encoding as usize).checked_sub(1)
    }

    pub fn set_accept_encoding(&mut self, index: usize) {
        assert!(index < MAX_ENCODINGS, "an Accept-Encoding index past MAX_ENCODINGS");
        self.accept_encoding = index as u8 + 1;
    }

    #[inline]
    pub fn device(&self) -> Option<Device> {
        (self.device as usize).checked_sub(1).map(|i| Device::ALL[i])
    }

    pub fn set_device(&mut self, device: Device) {
        self.device = device.index() as u8 + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attribute(name: &str, values: AttributeValues) -> AttributeSpec {
        AttributeSpec { name: name.into(), values, share: 1.0, zipf_alpha: 0.0 }
    }

    #[test]
    fn a_request_writes_its_query_in_its_own_order_and_its_cookies_in_the_class_order() {
        let spec = RequestAttributesSpec {
            query: vec![
                attribute("size", AttributeValues::Named(vec!["s".into(), "m".into(), "l".into()])),
                attribute("page", AttributeValues::Count(10)),
                attribute("utm_source", AttributeValues::Count(1000)),
            ],
            cookies: vec![
                attribute("session", AttributeValues::Count(50)),
                attribute("theme", AttributeValues::Count(2)),
            ],
            ..RequestAttributesSpec::default()
        };
        let mut a = RequestAttributes::NONE;
        assert!(a.is_empty());
        a.set_value(0, 2);
        a.set_value(2, 17);
        a.set_value(4, 1);
        assert!(!a.is_empty());
        let mut query = String::new();
        spec.push_query(&a, &mut query);
        assert_eq!(query, "size=l&utm_source=17", "an absent parameter is not written");
        a.set_query_order(&[2, 1, 0]);
        query.clear();
        spec.push_query(&a, &mut query);
        assert_eq!(query, "utm_source=17&size=l");
        let mut cookies = String::new();
        spec.push_cookies(&a, &mut cookies);
        assert_eq!(cookies, "theme=1");
        assert_eq!(spec.slot(3).name, "session");
        assert_eq!(spec.slots().map(|(s, k, _)| (s, k)).last(), Some((4, AttributeKind::Cookie)));
    }

    #[test]
    fn the_packed_fields_round_trip() {
        let mut a = RequestAttributes::NONE;
        assert_eq!((a.accept_encoding(), a.device()), (None, None));
        assert_eq!(a.query_order(4).collect::<Vec<_>>(), [0, 1, 2, 3], "stable until set");
        a.set_accept_encoding(MAX_ENCODINGS - 1);
        a.set_device(Device::SmartTv);
        assert_eq!((a.accept_encoding(), a.device()), (Some(MAX_ENCODINGS - 1), Some(Device::SmartTv)));
        let order: Vec<u8> = (0..MAX_QUERY_PARAMS as u8).rev().collect();
        a.set_query_order(&order);
        assert_eq!(a.query_order(MAX_QUERY_PARAMS).collect::<Vec<_>>(), [7, 6, 5, 4, 3, 2, 1, 0]);
        a.set_value(MAX_ATTRIBUTES - 1, (MAX_ATTRIBUTE_VALUES - 1) as u32);
        assert_eq!(a.value(MAX_ATTRIBUTES - 1), Some((MAX_ATTRIBUTE_VALUES - 1) as u32));
    }

    #[test]
    fn devices_and_their_headers() {
        for d in Device::ALL {
            assert_eq!(Device::parse(d.name()), Some(d));
            assert_eq!(Device::of_header(&d.header().to_ascii_lowercase()), Some(d));
        }
        assert_eq!(Device::of_header("CloudFront-Viewer-Country"), None);
        assert!((DEFAULT_DEVICES.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert!((DEFAULT_ACCEPT_ENCODING.iter().map(|(_, w)| w).sum::<f64>() - 1.0).abs() < 1e-9);
    }
}
