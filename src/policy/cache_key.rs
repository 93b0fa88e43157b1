//! The cache key: which of a request's query strings, headers and cookies a
//! behavior's cache policy puts in it, CloudFront's `Accept-Encoding`
//! normalisation, whether a behavior caches at all and whether its misses
//! collapse, and the 64-bit `CacheKey` the caches store (reference §6.2,
//! §6.3; Developer Guide pages cited at each rule).
//!
//! Set-up turns a behavior's settings and a class's attributes into a
//! `KeyPlan` once (string comparisons, the normalisation); per request,
//! `variant` only reads value ids through the plan and hashes what is in the
//! key, allocating nothing.

use crate::cache::CacheKey;
use crate::http::Method;
use crate::rng::splitmix64;
use crate::scenario::{
    AttributeKind, CacheKeySettings, Device, MAX_ATTRIBUTES, MAX_ENCODINGS, MAX_OBJECTS_WITH_VARIANTS, NameSelection,
    RequestAttributes, RequestAttributesSpec,
};

// ---------------------------------------------------------------------------
// Accept-Encoding.

/// The `Accept-Encoding` a request puts in the key (and sends to the origin)
/// when a cache policy enables gzip, Brotli or both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NormalizedEncoding {
    /// Not in the key: the request had no header, or none of the enabled
    /// codings in it.
    Absent,
    Gzip,
    Brotli,
    BrotliGzip,
}

impl NormalizedEncoding {
    /// The header's value in the key, as the Developer Guide writes it.
    pub fn header_value(self) -> Option<&'static str> {
        match self {
            NormalizedEncoding::Absent => None,
            NormalizedEncoding::Gzip => Some("gzip"),
            NormalizedEncoding::Brotli => Some("br"),
            NormalizedEncoding::BrotliGzip => Some("br,gzip"),
        }
    }
}

/// CloudFront's normalisation of a viewer's `Accept-Encoding` (`header`,
/// `None` when the request has none) under a cache policy's
/// `EnableAcceptEncodingGzip` and `EnableAcceptEncodingBrotli` (DG "Understand
/// cache policies", "Compression support"): with both enabled and a viewer
/// accepting both, the key holds `br,gzip`; accepting one of them, that one;
/// neither, or no header, nothing. With one flag only, only its coding
/// counts. Other values (`deflate`, `zstd`, ...) never reach the key.
///
/// Where the Developer Guide is silent, cdnsim follows HTTP (RFC 9110 §12.5.3):
/// coding names are compared without regard to case (`GZIP` is gzip) and with
/// the spaces around them and their parameters ignored; a coding given
/// `q=0` (`gzip;q=0`, also `q=0.0`, `q=0.00`, `q=0.000`) is one the viewer
/// refuses, so it counts as absent; any other q accepts it. `*` and `x-gzip`
/// are not counted: the Developer Guide speaks of the values `gzip` and `br`
/// only, and cdnsim does not guess more.
pub fn normalize_accept_encoding(header: Option<&str>, gzip: bool, brotli: bool) -> NormalizedEncoding {
    let Some(header) = header else { return NormalizedEncoding::Absent };
    match (gzip && accepts(header, "gzip"), brotli && accepts(header, "br")) {
        (true, true) => NormalizedEncoding::BrotliGzip,
        (true, false) => NormalizedEncoding::Gzip,
        (false, true) => NormalizedEncoding::Brotli,
        (false, false) => NormalizedEncoding::Absent,
    }
}

/// Whether an `Accept-Encoding` value accepts `coding` (see
/// `normalize_accept_encoding` for the reading).
pub fn accepts(header: &str, coding: &str) -> bool {
    header.split(',').any(|item| {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim();
        name.eq_ignore_ascii_case(coding) && !parts.any(|parameter| refuses(parameter.trim()))
    })
}

/// A `q=0` parameter: the coding is not acceptable.
fn refuses(parameter: &str) -> bool {
    let Some((name, value)) = parameter.split_once('=') else { return false };
    name.trim().eq_ignore_ascii_case("q") && value.trim().parse::<f64>().is_ok_and(|q| q == 0.0)
}

// ---------------------------------------------------------------------------
// Which names are in the key.

/// Whether a query parameter named `name` is in the key. Names are compared
/// with their case (DG "Cache content based on query string parameters":
/// `color` and `Color` are two parameters).
pub fn query_string_in_key(selection: &NameSelection, name: &str) -> bool {
    name_in(selection, name, false)
}

/// Whether a cookie named `name` is in the key. Cookie names are
/// case-sensitive (DG "Cache content based on cookies"); the legacy
/// allow-list's names may hold `*` and `?` wildcards (DG "Values that you
/// specify", "Allowlist cookies").
pub fn cookie_in_key(settings: &CacheKeySettings, name: &str) -> bool {
    name_in(&settings.cookies, name, settings.cookie_wildcards)
}

fn name_in(selection: &NameSelection, name: &str, wildcards: bool) -> bool {
    let listed = |names: &[String]| {
        names.iter().any(|n| if wildcards { cdnsim_sign::wildcard::matches(n, name) } else { n == name })
    };
    match selection {
        NameSelection::None => false,
        NameSelection::All => true,
        NameSelection::AllowList(names) => listed(names),
        NameSelection::AllExcept(names) => !listed(names),
    }
}

/// Whether the header `name` is in the key: named in the policy's list, the
/// case of the name not mattering (DG "Cache content based on request
/// headers", "How the case of headers and header values affects caching").
pub fn header_in_key(settings: &CacheKeySettings, name: &str) -> bool {
    settings.headers.iter().any(|h| h.eq_ignore_ascii_case(name))
}

// ---------------------------------------------------------------------------
// Behavior-wide rules.

/// Whether the behavior caches anything. Forwarding every header (legacy
/// `ForwardedValues`, `Headers = ["*"]`) means CloudFront caches nothing and
/// sends every request to the origin (DG "Values that you specify", "Cache
/// based on selected request headers"; reference §6.3).
pub fn caches(settings: &CacheKeySettings) -> bool {
    !settings.all_headers
}

/// Whether concurrent misses for one key may wait on one origin fetch.
/// CloudFront does not collapse requests when the behavior forwards cookies
/// (DG "Request and response behavior for custom origins", "Simultaneous
/// requests for the same object"; reference §6.3).
pub fn collapses(settings: &CacheKeySettings) -> bool {
    settings.cookies.is_none()
}

// ---------------------------------------------------------------------------
// Per request: the variant.

/// How one behavior keys one class's requests, worked out once at set-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyPlan {
    /// Bit `slot` set when the class's attribute in that slot is in the key.
    keyed_slots: u16,
    /// The class's query parameters are slots `0..n_query`.
    n_query: u8,
    /// Per `Accept-Encoding` value of the class's mix, what it puts in the
    /// key: 0 nothing, 1 to 3 a `NormalizedEncoding`, `RAW + i` the value
    /// itself (the header keyed as any other).
    encodings: [u8; MAX_ENCODINGS],
    /// Per device, what the device headers the behavior keys say: 0 nothing
    /// (none keyed), `d + 1` "device `d`'s header is true", `ALL_FALSE`.
    devices: [u8; 4],
}

/// `KeyPlan::encodings` for a raw value: this plus its index.
const RAW: u8 = 0x10;

/// `KeyPlan::devices` when every keyed device header is `false`: CloudFront
/// sets them on every request, so `false` is a value in the key too.
const ALL_FALSE: u8 = 0xff;

const _: () = assert!(MAX_ATTRIBUTES <= 16, "keyed slots are bits of a u16");
const _: () = assert!(RAW as usize + MAX_ENCODINGS < ALL_FALSE as usize);

impl KeyPlan {
    /// The key is the path: CloudFront's default.
    pub const PATH_ONLY: KeyPlan =
        KeyPlan { keyed_slots: 0, n_query: 0, encodings: [0; MAX_ENCODINGS], devices: [0; 4] };

    pub fn is_path_only(&self) -> bool {
        *self == KeyPlan::PATH_ONLY
    }

    /// Whether the key may hold the request's `Accept-Encoding`.
    pub fn keys_encoding(&self) -> bool {
        self.encodings != [0; MAX_ENCODINGS]
    }

    /// Whether the key holds the device headers.
    pub fn keys_device(&self) -> bool {
        self.devices != [0; 4]
    }

    /// Whether the key holds the attribute in `slot`.
    pub fn keys_slot(&self, slot: usize) -> bool {
        self.keyed_slots >> slot & 1 != 0
    }

    // What a viewer-request function's transforms do to the key, folded in
    // at set-up (`policy::transforms::key_plan`).

    /// Takes the slots whose bits `removed` sets out of the key: the request
    /// no longer carries them when it is looked up.
    pub fn unkey_slots(&mut self, removed: u16) {
        self.keyed_slots &= !removed;
    }

    /// The class's `Accept-Encoding` value `i` reaches the key as value
    /// `canonical[i]` does (a lower-cased spelling as its lower-case twin),
    /// or not at all (`None`: the header was removed).
    pub fn remap_encodings(&mut self, canonical: &[Option<u8>; MAX_ENCODINGS]) {
        let before = self.encodings;
        for (to, from) in self.encodings.iter_mut().zip(canonical) {
            *to = from.map_or(0, |j| before[j as usize]);
        }
    }

    /// Keys a header a function sets to the viewer's device class:
    /// `classes[d]` (below 4) is device `d`'s class. Alongside keyed
    /// `CloudFront-Is-*-Viewer` headers, both go in.
    pub fn key_device_classes(&mut self, classes: [u8; 4]) {
        for (value, class) in self.devices.iter_mut().zip(classes) {
            debug_assert!(class < 4);
            *value = match *value {
                0 => DEVICE_CLASS | class,
                ALL_FALSE => BOTH | class,
                is_true => BOTH | is_true << 2 | class,
            };
        }
    }

    /// `PATH_ONLY` when nothing is keyed any more.
    pub fn or_path_only(self) -> KeyPlan {
        if self.keyed_slots == 0 && !self.keys_encoding() && !self.keys_device() { KeyPlan::PATH_ONLY } else { self }
    }
}

/// `KeyPlan::devices` for a device class alone: this plus the class.
const DEVICE_CLASS: u8 = 0x20;
/// For a device class beside the `CloudFront-Is-*-Viewer` headers: this,
/// plus the true header's device plus one (0 all false) times four, plus the
/// class.
const BOTH: u8 = 0x40;

const _: () = assert!(DEVICE_CLASS > 4 && BOTH + (4 << 2 | 3) < ALL_FALSE && BOTH > DEVICE_CLASS + 3);

/// How `settings` keys the requests of a class whose requests carry `class`.
///
/// Query parameters: with `all`, every parameter the request carries, in the
/// order it carries them (DG "Cache content based on query string
/// parameters": "The order of parameters matters", so `?a=1&b=2` and
/// `?b=2&a=1` are two entries). With an allow-list (or all-except), the
/// parameters it names (or does not name) that the request carries, in the
/// request's order too: the page states the order rule with no exception for
/// allow-lists and says CloudFront keys "the full query string, including its
/// value" of each listed name, and says nothing of sorting them; so two
/// listed parameters in a shuffled order are two keys, and an unlisted one
/// (`utm_source`) changes nothing.
pub fn plan(settings: &CacheKeySettings, class: &RequestAttributesSpec) -> KeyPlan {
    if !caches(settings) {
        return KeyPlan::PATH_ONLY;
    }
    let mut plan = KeyPlan { n_query: class.query.len() as u8, ..KeyPlan::PATH_ONLY };
    for (slot, kind, spec) in class.slots() {
        let keyed = match kind {
            AttributeKind::Query => query_string_in_key(&settings.query_strings, &spec.name),
            AttributeKind::Cookie => cookie_in_key(settings, &spec.name),
            AttributeKind::Header => header_in_key(settings, &spec.name),
        };
        plan.keyed_slots |= (keyed as u16) << slot;
    }
    let normalized = settings.gzip || settings.brotli;
    let raw = !normalized && header_in_key(settings, "Accept-Encoding");
    for (i, (value, _)) in class.accept_encoding.iter().enumerate() {
        let header = (!value.is_empty()).then_some(value.as_str());
        plan.encodings[i] = match (normalized, raw, header) {
            (true, _, _) => normalize_accept_encoding(header, settings.gzip, settings.brotli) as u8,
            (false, true, Some(_)) => RAW + i as u8,
            _ => 0,
        };
    }
    let keyed_devices: Vec<Device> = Device::ALL.into_iter().filter(|d| header_in_key(settings, d.header())).collect();
    if !keyed_devices.is_empty() {
        for d in Device::ALL {
            plan.devices[d.index()] = if keyed_devices.contains(&d) { d.index() as u8 + 1 } else { ALL_FALSE };
        }
    }
    plan.or_path_only()
}

/// What a keyed item is, in its hash.
#[derive(Clone, Copy)]
enum Item {
    Query = 1,
    Other = 2,
    Encoding = 3,
    Device = 4,
}

/// One keyed item into the running hash. SplitMix64 is a bijection with full
/// avalanche, so chained it makes a 64-bit hash of the item sequence that
/// depends on order (a query string's order matters).
#[inline]
fn mix(hash: u64, item: Item, slot: usize, value: u64) -> u64 {
    splitmix64(hash ^ ((item as u64) << 56 | (slot as u64) << 40 | value))
}

/// The 64-bit hash of what a request puts in its key besides its path, or
/// `None` when that is nothing: the request's key is then exactly the one a
/// path-only behavior gives. Cookies and headers go in the class's slot
/// order, which stands for CloudFront's own order: it sorts cookies by name
/// before forwarding them (DG "Cache content based on cookies") and the
/// order of headers does not affect caching (DG "Cache content based on
/// request headers").
#[inline]
pub fn variant(plan: &KeyPlan, attributes: &RequestAttributes) -> Option<u64> {
    const SEED: u64 = 0x6361_6368_656b_6579; // "cachekey"
    let mut hash = SEED;
    let mut any = false;
    let n_query = plan.n_query as usize;
    for slot in attributes.query_order(n_query) {
        if let (true, Some(value)) = (plan.keys_slot(slot), attributes.value(slot)) {
            hash = mix(hash, Item::Query, slot, value.into());
            any = true;
        }
    }
    let mut others = plan.keyed_slots >> n_query;
    while others != 0 {
        let slot = n_query + others.trailing_zeros() as usize;
        others &= others - 1;
        if let Some(value) = attributes.value(slot) {
            hash = mix(hash, Item::Other, slot, value.into());
            any = true;
        }
    }
    if let Some(i) = attributes.accept_encoding()
        && plan.encodings[i] != 0
    {
        hash = mix(hash, Item::Encoding, 0, plan.encodings[i].into());
        any = true;
    }
    if let Some(d) = attributes.device()
        && plan.devices[d.index()] != 0
    {
        hash = mix(hash, Item::Device, 0, plan.devices[d.index()].into());
        any = true;
    }
    any.then_some(hash)
}

// ---------------------------------------------------------------------------
// A request replayed from a log.

/// The longest query string a replayed request may carry: CloudFront's
/// maximum URL length, which holds the query (DG "Quotas", general quotas:
/// 8,192 bytes). A longer one cannot be a request CloudFront served.
pub const MAX_TRACED_QUERY_BYTES: usize = 8_192;

/// The longest `Cookie` header a replayed request may carry: a request's
/// headers and query string together are at most 20,480 bytes (same page).
pub const MAX_TRACED_COOKIE_BYTES: usize = 20_480;

/// Whether `settings` can key anything a log records: query strings or
/// cookies (a log holds no `Accept-Encoding` and no device headers).
pub fn keys_logged_parts(settings: &CacheKeySettings) -> bool {
    caches(settings) && !(settings.query_strings.is_none() && settings.cookies.is_none())
}

/// FNV-1a over `bytes` from `seed`, finished with SplitMix64: a stable
/// 64-bit hash of a logged `name=value`, the same in every build.
fn hash_bytes(seed: u64, bytes: &[u8]) -> u64 {
    let mut h = seed ^ 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
    }
    splitmix64(h)
}

/// A cookie without the spaces around it, which a log writes `%20` (it
/// escapes spaces: `a=1; b=2` is logged `a=1;%20b=2`).
fn trim_logged_spaces(mut piece: &str) -> &str {
    loop {
        let trimmed = piece.trim_matches(' ');
        let trimmed = trimmed.strip_prefix("%20").unwrap_or(trimmed);
        let trimmed = trimmed.strip_suffix("%20").unwrap_or(trimmed);
        if trimmed.len() == piece.len() {
            return piece;
        }
        piece = trimmed;
    }
}

/// A logged parameter's or cookie's name: up to its first `=`.
fn logged_name(piece: &str) -> &str {
    piece.split_once('=').map_or(piece, |(name, _)| name)
}

/// The variant of a request replayed from a log, from its query string
/// (`cs-uri-query` without `?`) and `Cookie` header (`cs(Cookie)`) exactly as
/// logged, under `settings`; `None` when the key holds nothing of them,
/// as for a synthetic request (`variant`). Never zero: the low bit, which
/// no key keeps (`cache_key`), is set.
///
/// The rules are `plan`'s, applied to names met in the log: a parameter is
/// `name=value` (or a bare `name`) between `&`s, its name up to the first
/// `=`; names and values are compared with their case and in their logged
/// spelling (a log escapes `%`, so two spellings a viewer sent stay two);
/// keyed parameters go in the request's order, because CloudFront keys
/// `?a=1&b=2` and `?b=2&a=1` apart (DG "Cache content based on query string
/// parameters"). Cookies are `name=value` pairs between `;`s (spaces around
/// them dropped) and their order does not matter: CloudFront sorts them by
/// name (DG "Cache content based on cookies"), here a sum of their hashes.
/// Empty pieces (`a=1&&b=2`) name nothing and are skipped. Allocates nothing.
pub fn traced_variant(settings: &CacheKeySettings, query: &str, cookie: &str) -> Option<std::num::NonZeroU64> {
    const QUERY: u64 = 0x0071_7565_7279; // "query"
    const COOKIE: u64 = 0x636f_6f6b_6965; // "cookie"
    if !keys_logged_parts(settings) {
        return None;
    }
    let mut hash = 0x7472_6163_6564_6b65; // "tracedke"
    let mut any = false;
    for piece in query.split('&').filter(|p| !p.is_empty()) {
        if query_string_in_key(&settings.query_strings, logged_name(piece)) {
            hash = splitmix64(hash ^ hash_bytes(QUERY, piece.as_bytes()));
            any = true;
        }
    }
    let mut cookies: u64 = 0;
    let mut any_cookie = false;
    for piece in cookie.split(';').map(trim_logged_spaces).filter(|p| !p.is_empty()) {
        if cookie_in_key(settings, logged_name(piece)) {
            cookies = cookies.wrapping_add(hash_bytes(COOKIE, piece.as_bytes()));
            any_cookie = true;
        }
    }
    if any_cookie {
        hash = splitmix64(hash ^ cookies);
        any = true;
    }
    any.then(|| std::num::NonZeroU64::new(hash | 1).expect("the low bit is set"))
}

// ---------------------------------------------------------------------------
// The key the caches store.

/// Low bits of a variant key: the object times two plus the OPTIONS bit.
const BASE_BITS: u32 = MAX_OBJECTS_WITH_VARIANTS.trailing_zeros() + 1;
const BASE_MASK: u64 = (1 << BASE_BITS) - 1;
/// Set in every variant key and in no path-only key.
const VARIANT_MARKER: u64 = 1 << 63;
/// Bits of the variant's hash a key keeps: those between the base and the marker.
const HASH_BITS: u32 = 63 - BASE_BITS;

const _: () = assert!(MAX_OBJECTS_WITH_VARIANTS.is_power_of_two() && HASH_BITS >= 32);

/// The cache key of a request for `object` with `method`: the object, the
/// method for OPTIONS, which CloudFront caches apart (reference §6.2), and
/// the variant's hash when the request has one.
///
/// Without a variant the key is `object * 2 + OPTIONS`, as it always was,
/// so a behavior that keys the path alone stores exactly what it stored
/// before. With one, the marker bit is set, the low `BASE_BITS` hold that same
/// value and the bits between hold the top `HASH_BITS` (35) of the hash: the
/// object is read back from any key (`object_of`), and keys of different
/// objects never collide. Two variants of one object collide when those 35
/// bits agree: 2^-35 per pair, so with `k` variants of one object the expected
/// number of colliding pairs is k(k-1)/2 x 2^-35, 0.0015 for 10,000 variants
/// and 0.15 for 100,000 (a session cookie of 100,000 values on one object); a
/// collision merges two variants into one entry, raising the hit ratio by
/// that much.
#[inline]
pub fn cache_key(object: u64, method: Method, variant: Option<u64>) -> CacheKey {
    let base = object * 2 + (method == Method::Options) as u64;
    match variant {
        None => {
            debug_assert!(base & VARIANT_MARKER == 0, "object {object} is past any catalog");
            base
        }
        Some(hash) => {
            // The scenario loader bounds every class catalog below this; only
            // a trace's objects are numbered past it, and they carry nothing.
            assert!(object < MAX_OBJECTS_WITH_VARIANTS, "a keyed request for object {object}, past the bound");
            VARIANT_MARKER | (hash >> (64 - HASH_BITS)) << BASE_BITS | base
        }
    }
}

/// The key of part `part` of the copy cached under `key`, for range GETs
/// (`policy::range`): a variant key of the same object, so `object_of`
/// reads the object back (an invalidation of the object removes its parts)
/// and no part of one object meets a key of another. The hash mixes the
/// copy's own variant bits with the part index; two keys of one object
/// collide with the odds given at `cache_key`.
#[inline]
pub fn part_key(key: CacheKey, part: u32) -> CacheKey {
    let base = base_key(key);
    // Invariant: synthetic catalogs, the only ones ranges are drawn for,
    // number their objects below the variant bound (the loader checks it).
    debug_assert!(base >> 1 < MAX_OBJECTS_WITH_VARIANTS, "a part of an object past the variant bound");
    let hash = splitmix64(key ^ splitmix64(0x7061_7274_0000_0000 | part as u64));
    VARIANT_MARKER | (hash >> (64 - HASH_BITS)) << BASE_BITS | base
}

/// The key the request would have with nothing but its path in it: its
/// object (and OPTIONS bit). Variants of one object share it.
#[inline]
pub fn base_key(key: CacheKey) -> CacheKey {
    if key & VARIANT_MARKER != 0 { key & BASE_MASK } else { key }
}

/// The object a key is for.
pub fn object_of(key: CacheKey) -> u64 {
    base_key(key) >> 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{AttributeSpec, AttributeValues, QueryOrder};
    use NormalizedEncoding::*;

    fn both(header: &str) -> NormalizedEncoding {
        normalize_accept_encoding(Some(header), true, true)
    }

    #[test]
    fn accept_encoding_as_the_developer_guide_normalises_it() {
        // Both flags: a viewer accepting both gets `br,gzip`, one of them that one.
        assert_eq!(both("gzip, deflate, br"), BrotliGzip);
        assert_eq!(both("gzip, deflate, br").header_value(), Some("br,gzip"));
        assert_eq!(both("gzip, deflate, br, zstd"), BrotliGzip);
        assert_eq!(both("gzip"), Gzip);
        assert_eq!(both("br"), Brotli);
        // Neither, or no header: nothing in the key.
        assert_eq!(both("deflate"), Absent);
        assert_eq!(both("identity"), Absent);
        assert_eq!(normalize_accept_encoding(None, true, true), Absent);
        // One flag only: the other coding does not count ("To understand what
        // CloudFront does if ... Brotli but not Gzip, replace the two").
        assert_eq!(normalize_accept_encoding(Some("gzip, br"), true, false), Gzip);
        assert_eq!(normalize_accept_encoding(Some("gzip, br"), false, true), Brotli);
        assert_eq!(normalize_accept_encoding(Some("br"), true, false), Absent);
        assert_eq!(normalize_accept_encoding(Some("gzip, br"), false, false), Absent);
    }

    #[test]
    fn odd_spellings_as_cdnsim_reads_them() {
        assert_eq!(both("GZIP"), Gzip, "codings are case-insensitive");
        assert_eq!(both("  gzip ,br  "), BrotliGzip, "spaces do not matter");
        assert_eq!(both("gzip;q=0, br"), Brotli, "q=0 refuses gzip");
        assert_eq!(both("gzip; Q=0.000, br;q=0.0"), Absent);
        assert_eq!(both("gzip;q=0.001"), Gzip, "any q above 0 accepts");
        assert_eq!(both("br;q=1.0"), Brotli);
        assert_eq!(both("br;level=5"), Brotli, "other parameters do not matter");
        assert_eq!(both("*"), Absent, "the wildcard is not counted");
        assert_eq!(both("x-gzip"), Absent);
        assert_eq!(both("gzipx, xbr"), Absent, "whole names only");
    }

    fn attribute(name: &str, values: u32) -> AttributeSpec {
        AttributeSpec { name: name.into(), values: AttributeValues::Count(values), share: 1.0, zipf_alpha: 0.0 }
    }

    /// A class whose requests carry `color`, `size`, `utm_source` (slots 0-2),
    /// cookies `session`, `Theme` (3, 4), header `Accept-Language` (5), and an
    /// Accept-Encoding mix of these four values.
    fn class() -> RequestAttributesSpec {
        RequestAttributesSpec {
            query: vec![attribute("color", 6), attribute("size", 10), attribute("utm_source", 1000)],
            query_order: QueryOrder::Stable,
            cookies: vec![attribute("session", 100), attribute("Theme", 2)],
            headers: vec![attribute("Accept-Language", 5)],
            accept_encoding: ["gzip, deflate, br", "gzip", "", "GZIP"].iter().map(|v| (v.to_string(), 0.25)).collect(),
            devices: [0.5, 0.5, 0.0, 0.0],
        }
    }

    fn request(values: &[(usize, u32)]) -> RequestAttributes {
        let mut a = RequestAttributes::NONE;
        for &(slot, value) in values {
            a.set_value(slot, value);
        }
        a
    }

    fn settings(query_strings: NameSelection) -> CacheKeySettings {
        CacheKeySettings { query_strings, ..CacheKeySettings::default() }
    }

    #[test]
    fn a_path_only_behavior_puts_nothing_in_the_key() {
        let plan = plan(&CacheKeySettings::default(), &class());
        assert!(plan.is_path_only());
        let a = request(&[(0, 1), (3, 7)]);
        assert_eq!(variant(&plan, &a), None);
        assert_eq!(cache_key(42, Method::Get, variant(&plan, &a)), 84, "the key it always had");
        // OPTIONS is cached apart (reference §6.2); HEAD shares GET's entry.
        assert_eq!(cache_key(42, Method::Options, None), 85);
        assert_eq!(cache_key(42, Method::Head, None), 84);
    }

    #[test]
    fn query_strings_all_depend_on_values_and_order() {
        // The DG's examples: five `language` values are five entries, and
        // `color=red&size=large` is not `size=large&color=red`.
        let plan = plan(&settings(NameSelection::All), &class());
        let keys: std::collections::BTreeSet<u64> =
            (0..6).map(|v| cache_key(7, Method::Get, variant(&plan, &request(&[(0, v)])))).collect();
        assert_eq!(keys.len(), 6, "one key per color");
        let red_large = request(&[(0, 1), (1, 3)]);
        let mut large_red = red_large;
        large_red.set_query_order(&[1, 0, 2]);
        assert_ne!(variant(&plan, &red_large), variant(&plan, &large_red));
        // No parameter at all: the path's key.
        assert_eq!(variant(&plan, &RequestAttributes::NONE), None);
    }

    #[test]
    fn an_allow_list_keys_what_it_names_in_the_request_order() {
        let allow = plan(&settings(NameSelection::AllowList(vec!["color".into(), "size".into()])), &class());
        let base = request(&[(0, 1), (1, 3)]);
        let with_utm = request(&[(0, 1), (1, 3), (2, 99)]);
        assert_eq!(variant(&allow, &base), variant(&allow, &with_utm), "utm_source is not listed");
        let mut reordered = base;
        reordered.set_query_order(&[1, 0]);
        assert_ne!(variant(&allow, &base), variant(&allow, &reordered), "the order of listed parameters counts");
        // Names are case-sensitive.
        let capital = plan(&settings(NameSelection::AllowList(vec!["Color".into()])), &class());
        assert!(capital.is_path_only());
        // All except utm_source: the same keys as the allow-list.
        let except = plan(&settings(NameSelection::AllExcept(vec!["utm_source".into()])), &class());
        assert_eq!(variant(&except, &with_utm), variant(&allow, &with_utm));
    }

    #[test]
    fn cookies_and_headers_by_name() {
        let cookies = CacheKeySettings {
            cookies: NameSelection::AllowList(vec!["session".into()]),
            headers: vec!["accept-language".into()],
            ..CacheKeySettings::default()
        };
        let p = plan(&cookies, &class());
        assert!(p.keys_slot(3) && !p.keys_slot(4), "cookie names are case-sensitive and exact");
        assert!(p.keys_slot(5), "header names are not case-sensitive");
        assert!(!collapses(&cookies), "forwarded cookies: no collapsing");
        assert!(collapses(&CacheKeySettings::default()));
        let a = request(&[(3, 1), (5, 2)]);
        let b = request(&[(3, 1), (4, 1), (5, 2)]);
        assert_eq!(variant(&p, &a), variant(&p, &b), "the unkeyed cookie changes nothing");
        // Legacy allow-list wildcards.
        let legacy = CacheKeySettings {
            cookies: NameSelection::AllowList(vec!["sess*".into()]),
            cookie_wildcards: true,
            ..CacheKeySettings::default()
        };
        assert!(cookie_in_key(&legacy, "session") && !cookie_in_key(&legacy, "Theme"));
        let policy = CacheKeySettings { cookie_wildcards: false, ..legacy };
        assert!(!cookie_in_key(&policy, "session"), "a cache policy names cookies exactly");
    }

    #[test]
    fn accept_encoding_normalised_or_raw() {
        let mut a = RequestAttributes::NONE;
        let key_of = |plan: &KeyPlan, i: usize, a: &mut RequestAttributes| {
            a.set_accept_encoding(i);
            variant(plan, a)
        };
        let normalised = plan(&CacheKeySettings { gzip: true, brotli: true, ..CacheKeySettings::default() }, &class());
        let keys: Vec<Option<u64>> = (0..4).map(|i| key_of(&normalised, i, &mut a)).collect();
        // "gzip" and "GZIP" both normalise to gzip; "" is no header.
        assert_eq!(keys[1], keys[3]);
        assert_ne!(keys[0], keys[1]);
        assert_eq!(keys[2], None);
        let raw = plan(
            &CacheKeySettings { headers: vec!["Accept-Encoding".into()], ..CacheKeySettings::default() },
            &class(),
        );
        let keys: Vec<Option<u64>> = (0..4).map(|i| key_of(&raw, i, &mut a)).collect();
        assert_ne!(keys[1], keys[3], "raw values keep their case");
        assert_eq!(keys.iter().filter(|k| k.is_some()).count(), 3);
        assert!(plan(&CacheKeySettings::default(), &class()).is_path_only(), "neither: not in the key");
    }

    #[test]
    fn device_headers_are_true_or_false_on_every_request() {
        let mobile_only =
            CacheKeySettings { headers: vec!["CloudFront-Is-Mobile-Viewer".into()], ..CacheKeySettings::default() };
        let p = plan(&mobile_only, &class());
        assert!(p.keys_device());
        let on = |d: Device| {
            let mut a = RequestAttributes::NONE;
            a.set_device(d);
            variant(&p, &a)
        };
        assert!(on(Device::Desktop).is_some(), "`false` is a value in the key too");
        assert_eq!(on(Device::Desktop), on(Device::Tablet), "both say mobile: false");
        assert_ne!(on(Device::Desktop), on(Device::Mobile));
    }

    #[test]
    fn forwarding_every_header_caches_nothing() {
        let all = CacheKeySettings { all_headers: true, query_strings: NameSelection::All, ..Default::default() };
        assert!(!caches(&all) && caches(&CacheKeySettings::default()));
        assert!(plan(&all, &class()).is_path_only());
    }

    #[test]
    fn the_object_is_read_back_from_any_key() {
        let last = MAX_OBJECTS_WITH_VARIANTS - 1;
        for object in [0, 1, 12_345, last] {
            for method in [Method::Get, Method::Options] {
                for variant in [None, Some(0), Some(u64::MAX), Some(0x1234_5678_9abc_def0)] {
                    let key = cache_key(object, method, variant);
                    assert_eq!(object_of(key), object);
                    assert_eq!(base_key(key), cache_key(object, method, None));
                    assert_eq!(key != base_key(key), variant.is_some(), "a variant key is never a path key");
                }
            }
        }
        // Path-only keys of objects past the bound (a trace's) are plain too.
        assert_eq!(object_of(cache_key(1 << 40, Method::Get, None)), 1 << 40);
    }

    #[test]
    fn parts_are_keys_of_their_object_apart_from_each_other_and_the_whole() {
        let whole = cache_key(77, Method::Get, None);
        let keyed = cache_key(77, Method::Get, Some(0xfeed_f00d));
        let mut seen = std::collections::HashSet::new();
        for copy in [whole, keyed] {
            assert!(seen.insert(copy));
            for part in 0..100 {
                let key = part_key(copy, part);
                assert_eq!(object_of(key), 77, "a part names its object");
                assert_eq!(part_key(copy, part), key, "the same part has the same key");
                assert!(seen.insert(key), "part {part} collides");
            }
        }
        assert_ne!(object_of(part_key(cache_key(78, Method::Get, None), 0)), 77);
    }

    /// A logged request's variant under `settings`, as a plain number.
    fn traced(settings: &CacheKeySettings, query: &str, cookie: &str) -> Option<u64> {
        traced_variant(settings, query, cookie).map(|v| v.get())
    }

    #[test]
    fn a_logged_query_is_keyed_as_the_policy_says() {
        let allow_a = settings(NameSelection::AllowList(vec!["a".into()]));
        let a1 = traced(&allow_a, "a=1", "");
        assert!(a1.is_some_and(|v| v & 1 == 1), "never zero");
        assert_ne!(a1, traced(&allow_a, "a=2", ""), "values count");
        assert_eq!(a1, traced(&allow_a, "a=1&utm_source=x", ""), "an unlisted parameter changes nothing");
        assert_eq!(a1, traced(&allow_a, "utm_source=x&&a=1", ""), "nor its place, nor an empty piece");
        // Names and values with their case: `A` is not `a`.
        assert_eq!(traced(&allow_a, "A=1", ""), None);
        assert_ne!(a1, traced(&allow_a, "a=X1", ""));
        // As logged: `%41` is not decoded to `A`; a bare name is not `name=`.
        assert_ne!(traced(&allow_a, "a=%41", ""), traced(&allow_a, "a=A", ""));
        assert_ne!(traced(&allow_a, "a", ""), traced(&allow_a, "a=", ""));
        assert_eq!(traced(&allow_a, "", ""), None, "no query (`-` in the log) keys the path");
        // All query strings: the order counts.
        let all = settings(NameSelection::All);
        assert_ne!(traced(&all, "a=1&b=2", ""), traced(&all, "b=2&a=1", ""));
        assert_ne!(traced(&all, "a=1&b=2", ""), traced(&all, "a=1", ""));
        // All except: everything but the listed names.
        let except = settings(NameSelection::AllExcept(vec!["utm_source".into()]));
        assert_eq!(traced(&except, "a=1&utm_source=x", ""), traced(&except, "a=1", ""));
        // A behavior that keys no query string, or caches nothing, keys none.
        assert_eq!(traced(&CacheKeySettings::default(), "a=1", "s=1"), None);
        let uncached = CacheKeySettings { all_headers: true, ..settings(NameSelection::All) };
        assert_eq!(traced(&uncached, "a=1", ""), None);
    }

    #[test]
    fn logged_cookies_are_keyed_in_any_order() {
        let session = CacheKeySettings {
            cookies: NameSelection::AllowList(vec!["session".into()]),
            ..CacheKeySettings::default()
        };
        let s7 = traced(&session, "", "session=7");
        assert!(s7.is_some());
        assert_eq!(s7, traced(&session, "", "theme=dark; session=7"), "an unlisted cookie changes nothing");
        assert_ne!(s7, traced(&session, "", "session=8"));
        assert_eq!(traced(&session, "", "Session=7"), None, "cookie names have their case");
        let all = CacheKeySettings { cookies: NameSelection::All, ..CacheKeySettings::default() };
        assert_eq!(traced(&all, "", "a=1; b=2"), traced(&all, "", "b=2;a=1"), "CloudFront sorts cookies");
        assert_eq!(traced(&all, "", "a=1;%20b=2"), traced(&all, "", "b=2; a=1"), "a log writes the space %20");
        assert_eq!(trim_logged_spaces(" %20 %20a=1%20 "), "a=1");
        assert_ne!(traced(&all, "", "a=1; b=2"), traced(&all, "", "a=1"));
        // A query parameter and a cookie of the same text are different things.
        let both = CacheKeySettings { query_strings: NameSelection::All, ..all };
        assert_ne!(traced(&both, "a=1", ""), traced(&both, "", "a=1"));
        // Legacy wildcards match logged names too.
        let legacy = CacheKeySettings {
            cookies: NameSelection::AllowList(vec!["sess*".into()]),
            cookie_wildcards: true,
            ..CacheKeySettings::default()
        };
        assert!(traced(&legacy, "", "session=1").is_some() && traced(&legacy, "", "theme=1").is_none());
    }

    #[test]
    #[should_panic(expected = "past the bound")]
    fn a_keyed_object_past_the_bound_is_a_bug() {
        cache_key(MAX_OBJECTS_WITH_VARIANTS, Method::Get, Some(1));
    }
}
