//! Compression at the edge: whether CloudFront compresses a response, and
//! with which coding (reference §6.7; Developer Guide "Serve compressed
//! files", page DG-compress,
//! https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/ServingCompressedFiles.html).
//!
//! `decide` is the whole rule for one response, as plain inputs. The engine
//! does not call it per request: set-up turns a behavior and a class into a
//! `CompressionPlan` once (string comparisons, the `Accept-Encoding`
//! reading), and per request `CompressionPlan::encoding` reads an array and
//! compares a size, allocating nothing. A unit test holds the two to the
//! same answers.
//!
//! What is left out, and why:
//! - HTTP/1.0 viewers (CloudFront removes their `Accept-Encoding` and serves
//!   them uncompressed): cdnsim's viewers speak HTTP/1.1 or later (see
//!   `policy::protocol`), and no scenario field sets a viewer's HTTP
//!   version, so the rule has nothing to act on.
//! - An origin that compresses itself (`Content-Encoding` in its response),
//!   a response without `Content-Length`, and "CloudFront is busy": cdnsim's
//!   origins always send an uncompressed object with its length, and
//!   compression never fails.

use crate::policy::cache_key::{accepts, caches, header_in_key};
use crate::scenario::{CacheKeySettings, MAX_ENCODINGS, TtlSettings};

/// CloudFront compresses objects of 1,000 to 10,000,000 bytes, both
/// included (DG-compress, "Conditions for compression": "between 1,000 and
/// 10,000,000 bytes").
pub const MIN_COMPRESSED_BYTES: u64 = 1_000;
pub const MAX_COMPRESSED_BYTES: u64 = 10_000_000;

/// The `Content-Type` values CloudFront compresses (DG-compress, "File types
/// that CloudFront compresses"), as the page lists them. A class's content
/// type is compared with them without regard to case and without its
/// parameters (`text/html; charset=utf-8` is `text/html`).
pub const COMPRESSIBLE_CONTENT_TYPES: [&str; 45] = [
    "application/dash+xml",
    "application/eot",
    "application/font",
    "application/font-sfnt",
    "application/javascript",
    "application/json",
    "application/opentype",
    "application/otf",
    "application/pkcs7-mime",
    "application/protobuf",
    "application/rss+xml",
    "application/truetype",
    "application/ttf",
    "application/vnd.apple.mpegurl",
    "application/vnd.ms-fontobject",
    "application/xhtml+xml",
    "application/xml",
    "application/x-font-opentype",
    "application/x-font-truetype",
    "application/x-font-ttf",
    "application/x-httpd-cgi",
    "application/x-javascript",
    "application/x-mpegurl",
    "application/x-opentype",
    "application/x-otf",
    "application/x-perl",
    "application/x-ttf",
    "font/eot",
    "font/opentype",
    "font/otf",
    "font/ttf",
    "image/svg+xml",
    "text/css",
    "text/csv",
    "text/html",
    "text/javascript",
    "text/js",
    "text/plain",
    "text/richtext",
    "text/tab-separated-values",
    "text/xml",
    "text/x-component",
    "text/x-java-source",
    "text/x-script",
    "vnd.apple.mpegurl",
];

/// Whether CloudFront compresses objects sent with `content_type`.
pub fn compressible_content_type(content_type: &str) -> bool {
    let media_type = content_type.split(';').next().unwrap_or("").trim();
    COMPRESSIBLE_CONTENT_TYPES.iter().any(|t| t.eq_ignore_ascii_case(media_type))
}

/// How a response body travels to the viewer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[repr(u8)]
pub enum Encoding {
    #[default]
    Identity = 0,
    Gzip = 1,
    Brotli = 2,
}

impl Encoding {
    pub const ALL: [Encoding; 3] = [Encoding::Identity, Encoding::Gzip, Encoding::Brotli];

    pub fn index(self) -> usize {
        self as usize
    }

    /// As `Content-Encoding` writes it (`identity` for none).
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Identity => "identity",
            Encoding::Gzip => "gzip",
            Encoding::Brotli => "br",
        }
    }
}

/// The codings a behavior compresses with; neither means it compresses
/// nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Codings {
    pub gzip: bool,
    pub brotli: bool,
}

impl Codings {
    pub const NONE: Codings = Codings { gzip: false, brotli: false };

    pub fn any(self) -> bool {
        self.gzip || self.brotli
    }
}

/// What of a cache behavior decides compression.
#[derive(Clone, Copy, Debug)]
pub struct BehaviorCompression<'a> {
    /// The behavior's `Compress` ("Compress objects automatically").
    pub compress: bool,
    /// The behavior has no cache policy (legacy `ForwardedValues` and TTLs).
    pub legacy: bool,
    pub key: &'a CacheKeySettings,
    pub ttl: &'a TtlSettings,
}

/// The codings a behavior compresses with (DG-compress; reference §6.7):
/// - `Compress` must be on;
/// - with a cache policy, the codings are those it enables
///   (`EnableAcceptEncodingGzip`, `EnableAcceptEncodingBrotli`): the DG asks
///   for `Compress` and both flags, and the key must hold the normalised
///   `Accept-Encoding` for the compressed copies to be cached apart;
/// - with the legacy settings, gzip alone: "You must use cache policies to
///   use Brotli compression. Brotli doesn't support legacy cache settings"
///   (DG-compress, "Configure CloudFront to compress objects"), and the
///   2020 page said "CloudFront compresses content using Gzip when just
///   [Compress] is true";
/// - the behavior caches: TTLs above 0 (reference §6.7; a policy with Min,
///   Default and Max all 0 is `CachingDisabled`, whose key cannot hold the
///   `Accept-Encoding` flags) and not every header forwarded (legacy
///   `Headers = ["*"]`, nothing cached);
/// - `Accept-Encoding` is not listed explicitly among the headers the key
///   holds (reference §6.7): the viewer's raw value is then the key, and
///   CloudFront compresses nothing.
pub fn codings(b: BehaviorCompression) -> Codings {
    let caching = caches(b.key) && !b.ttl.caching_disabled();
    if !b.compress || !caching || header_in_key(b.key, "Accept-Encoding") {
        return Codings::NONE;
    }
    if b.legacy { Codings { gzip: true, brotli: false } } else { Codings { gzip: b.key.gzip, brotli: b.key.brotli } }
}

/// The coding a viewer's request gets when its response is compressible:
/// Brotli when the behavior uses it and the viewer accepts it, else gzip
/// likewise, else none (DG-compress, "How CloudFront compression works":
/// "When the viewer supports both formats, CloudFront uses Brotli"; no
/// `Accept-Encoding`, no compression). `accepts` reads the header as the key's
/// normalisation does (`policy::cache_key::normalize_accept_encoding`).
pub fn response_encoding(codings: Codings, accept_encoding: Option<&str>) -> Encoding {
    let Some(header) = accept_encoding else { return Encoding::Identity };
    if codings.brotli && accepts(header, "br") {
        Encoding::Brotli
    } else if codings.gzip && accepts(header, "gzip") {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// Whether a response may be compressed, by what it is: status 200, 403 or
/// 404, 1,000 to 10,000,000 bytes, and a content type on CloudFront's list
/// (DG-compress, "Conditions for compression"; reference §6.7).
pub fn compressible_response(status: u16, size_bytes: u64, content_type_compressible: bool) -> bool {
    matches!(status, 200 | 403 | 404)
        && (MIN_COMPRESSED_BYTES..=MAX_COMPRESSED_BYTES).contains(&size_bytes)
        && content_type_compressible
}

/// One response, as `decide` sees it.
#[derive(Clone, Copy, Debug)]
pub struct CompressionCase<'a> {
    pub behavior: BehaviorCompression<'a>,
    /// The viewer's `Accept-Encoding`, `None` without the header.
    pub accept_encoding: Option<&'a str>,
    /// What came back from upstream: a 304 refreshes the cached copy.
    pub status: u16,
    pub size_bytes: u64,
    pub content_type: &'a str,
}

/// How CloudFront encodes the body it got from upstream for this response:
/// every rule of this module together. A 304 (a refresh of an expired copy)
/// carries no body, so nothing is compressed (DG-compress: CloudFront does
/// not compress when the origin answers 304); the copy refreshed stays as it
/// was stored, compressed or not.
pub fn decide(case: CompressionCase) -> Encoding {
    let codings = codings(case.behavior);
    if !compressible_response(case.status, case.size_bytes, compressible_content_type(case.content_type)) {
        return Encoding::Identity;
    }
    response_encoding(codings, case.accept_encoding)
}

/// Encoded size over original size of a coding, by content type, when the
/// class gives none: cdnsim's assumptions, in the range published
/// measurements of web assets report (gzip at its default level leaves text,
/// HTML, CSS, JavaScript and JSON at about a quarter to a third of their size,
/// and Brotli at its CDN levels some 15-20% below gzip; fonts in the old
/// TrueType/OpenType formats shrink to about a half). Not a CloudFront fact:
/// give the class's `gzip_ratio` and `brotli_ratio` for your own objects.
pub fn default_ratios(content_type: &str) -> (f64, f64) {
    let media_type = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let font = media_type.starts_with("font/")
        || ["font", "ttf", "otf", "opentype", "truetype", "eot"].iter().any(|f| media_type.contains(f));
    if !compressible_content_type(&media_type) {
        (1.0, 1.0)
    } else if font {
        (0.55, 0.5)
    } else if media_type == "application/protobuf" || media_type == "application/pkcs7-mime" {
        (0.8, 0.75)
    } else {
        (0.3, 0.25)
    }
}

/// How one behavior compresses one class's responses, worked out once at
/// set-up.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CompressionPlan {
    /// Per `Accept-Encoding` value of the class's mix, the coding a
    /// compressible response to it gets; all `Identity` when the behavior
    /// compresses nothing or the class's content type is not on the list.
    by_accept_encoding: [Encoding; MAX_ENCODINGS],
    /// Encoded size over original size, per `Encoding::index`.
    // Invariant: each in (0, 1]; the identity's is 1.
    ratios: [f64; 3],
}

impl CompressionPlan {
    /// Nothing compressed: every response leaves as the origin sent it.
    pub const OFF: CompressionPlan =
        CompressionPlan { by_accept_encoding: [Encoding::Identity; MAX_ENCODINGS], ratios: [1.0; 3] };

    pub fn is_off(&self) -> bool {
        self.by_accept_encoding == [Encoding::Identity; MAX_ENCODINGS]
    }

    /// The plan once a viewer-request function has rewritten the request's
    /// `Accept-Encoding`: `encodings[i]` is the value of the class's mix that
    /// value `i` becomes (`None`: the header is stripped, so nothing is
    /// compressed). "Serve compressed files" does not say which header it
    /// reads; everything CloudFront does after a viewer-request function
    /// sees the request as the function returned it ("Customize at the edge
    /// with functions"), so compression follows the rewritten header.
    pub fn after_transforms(mut self, encodings: &[Option<u8>; MAX_ENCODINGS]) -> CompressionPlan {
        let original = self.by_accept_encoding;
        for (coding, becomes) in self.by_accept_encoding.iter_mut().zip(encodings) {
            *coding = becomes.map_or(Encoding::Identity, |j| original[j as usize]);
        }
        self
    }

    /// The coding of a 200 response of `size_bytes` to a request carrying
    /// the class's `Accept-Encoding` value `accept_encoding` (`None`: no
    /// value drawn, the request has no header).
    #[inline]
    pub fn encoding(&self, accept_encoding: Option<usize>, size_bytes: u64) -> Encoding {
        match accept_encoding {
            Some(i) if (MIN_COMPRESSED_BYTES..=MAX_COMPRESSED_BYTES).contains(&size_bytes) => {
                self.by_accept_encoding[i]
            }
            _ => Encoding::Identity,
        }
    }

    /// The size of an object of `size_bytes` in `encoding`: rounded to whole
    /// bytes, and at least one.
    #[inline]
    pub fn encoded_bytes(&self, encoding: Encoding, size_bytes: u64) -> u64 {
        match encoding {
            Encoding::Identity => size_bytes,
            _ => ((size_bytes as f64 * self.ratios[encoding.index()]).round() as u64).clamp(1, size_bytes.max(1)),
        }
    }
}

/// How a behavior compresses a class's responses: its codings, the class's
/// content type, its ratios (`None`: `default_ratios`) and the
/// `Accept-Encoding` values its requests carry (the empty value is a
/// request without the header).
pub fn plan(
    behavior: BehaviorCompression,
    content_type: &str,
    ratios: (Option<f64>, Option<f64>),
    accept_encoding: &[(String, f64)],
) -> CompressionPlan {
    let codings = codings(behavior);
    if !codings.any() || !compressible_content_type(content_type) {
        return CompressionPlan::OFF;
    }
    let (gzip_default, brotli_default) = default_ratios(content_type);
    let (gzip, brotli) = (ratios.0.unwrap_or(gzip_default), ratios.1.unwrap_or(brotli_default));
    assert!(gzip > 0.0 && gzip <= 1.0 && brotli > 0.0 && brotli <= 1.0, "validated: ratios in (0, 1]");
    let mut plan = CompressionPlan { ratios: [1.0, gzip, brotli], ..CompressionPlan::OFF };
    for (i, (value, _)) in accept_encoding.iter().enumerate().take(MAX_ENCODINGS) {
        let header = (!value.is_empty()).then_some(value.as_str());
        plan.by_accept_encoding[i] = response_encoding(codings, header);
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::NameSelection;

    fn policy(gzip: bool, brotli: bool) -> CacheKeySettings {
        CacheKeySettings { gzip, brotli, ..CacheKeySettings::default() }
    }

    const TTL: TtlSettings = TtlSettings { min_s: 1, default_s: 86_400, max_s: 31_536_000 };
    const DISABLED: TtlSettings = TtlSettings { min_s: 0, default_s: 0, max_s: 0 };

    fn behavior<'a>(compress: bool, key: &'a CacheKeySettings, ttl: &'a TtlSettings) -> BehaviorCompression<'a> {
        BehaviorCompression { compress, legacy: false, key, ttl }
    }

    #[test]
    fn a_behavior_compresses_with_what_its_policy_enables() {
        let both = policy(true, true);
        assert_eq!(codings(behavior(true, &both, &TTL)), Codings { gzip: true, brotli: true });
        assert_eq!(codings(behavior(false, &both, &TTL)), Codings::NONE, "Compress off");
        assert_eq!(codings(behavior(true, &both, &DISABLED)), Codings::NONE, "TTLs all 0");
        let gzip = policy(true, false);
        assert_eq!(codings(behavior(true, &gzip, &TTL)), Codings { gzip: true, brotli: false });
        let brotli = policy(false, true);
        assert_eq!(codings(behavior(true, &brotli, &TTL)), Codings { gzip: false, brotli: true });
        assert_eq!(codings(behavior(true, &policy(false, false), &TTL)), Codings::NONE, "no coding enabled");
    }

    #[test]
    fn legacy_behaviors_compress_with_gzip_only() {
        let legacy = CacheKeySettings { gzip: true, ..CacheKeySettings::default() };
        let b = BehaviorCompression { compress: true, legacy: true, key: &legacy, ttl: &TTL };
        assert_eq!(codings(b), Codings { gzip: true, brotli: false });
        let every_header = CacheKeySettings { all_headers: true, ..CacheKeySettings::default() };
        let b = BehaviorCompression { compress: true, legacy: true, key: &every_header, ttl: &TTL };
        assert_eq!(codings(b), Codings::NONE, "forwarding every header caches nothing");
    }

    #[test]
    fn accept_encoding_listed_in_the_key_switches_compression_off() {
        let listed = CacheKeySettings { headers: vec!["accept-encoding".into()], ..CacheKeySettings::default() };
        let b = BehaviorCompression { compress: true, legacy: true, key: &listed, ttl: &TTL };
        assert_eq!(codings(b), Codings::NONE);
        let other = CacheKeySettings {
            headers: vec!["Origin".into()],
            query_strings: NameSelection::All,
            ..policy(true, true)
        };
        assert_eq!(codings(behavior(true, &other, &TTL)), Codings { gzip: true, brotli: true });
    }

    #[test]
    fn brotli_is_preferred_when_the_viewer_accepts_both() {
        let both = Codings { gzip: true, brotli: true };
        assert_eq!(response_encoding(both, Some("gzip, deflate, br, zstd")), Encoding::Brotli);
        assert_eq!(response_encoding(both, Some("gzip, deflate")), Encoding::Gzip);
        assert_eq!(response_encoding(both, Some("br;q=0, gzip")), Encoding::Gzip, "q=0 refuses br");
        assert_eq!(response_encoding(both, Some("deflate")), Encoding::Identity);
        assert_eq!(response_encoding(both, None), Encoding::Identity, "no header, no compression");
        let gzip_only = Codings { gzip: true, brotli: false };
        assert_eq!(response_encoding(gzip_only, Some("br, gzip")), Encoding::Gzip);
        assert_eq!(response_encoding(gzip_only, Some("br")), Encoding::Identity);
        assert_eq!(response_encoding(Codings::NONE, Some("br, gzip")), Encoding::Identity);
    }

    #[test]
    fn only_some_responses_are_compressible() {
        for (status, size, compressible, expected) in [
            (200, 1_000, true, true),
            (200, 999, true, false),
            (200, 10_000_000, true, true),
            (200, 10_000_001, true, false),
            (403, 5_000, true, true),
            (404, 5_000, true, true),
            (500, 5_000, true, false),
            (206, 5_000, true, false),
            (304, 5_000, true, false),
            (200, 5_000, false, false),
        ] {
            assert_eq!(compressible_response(status, size, compressible), expected, "{status} {size} {compressible}");
        }
    }

    #[test]
    fn the_content_types_on_the_list_and_off_it() {
        for t in ["text/html", "TEXT/HTML", "text/html; charset=utf-8", "application/javascript", "image/svg+xml"] {
            assert!(compressible_content_type(t), "{t}");
        }
        for t in ["image/jpeg", "image/png", "video/mp4", "application/octet-stream", "application/zip", "text"] {
            assert!(!compressible_content_type(t), "{t}");
        }
        assert_eq!(default_ratios("text/html"), (0.3, 0.25));
        assert_eq!(default_ratios("font/ttf"), (0.55, 0.5));
        assert_eq!(default_ratios("image/jpeg"), (1.0, 1.0));
        assert!(COMPRESSIBLE_CONTENT_TYPES.iter().all(|t| compressible_content_type(t)));
    }

    #[test]
    fn a_304_compresses_nothing() {
        let both = policy(true, true);
        let case = |status| CompressionCase {
            behavior: behavior(true, &both, &TTL),
            accept_encoding: Some("br, gzip"),
            status,
            size_bytes: 10_000,
            content_type: "text/html",
        };
        assert_eq!(decide(case(200)), Encoding::Brotli);
        assert_eq!(decide(case(304)), Encoding::Identity);
    }

    #[test]
    fn the_plan_answers_as_decide_does() {
        let values: Vec<(String, f64)> =
            ["gzip, deflate, br", "gzip", "", "br", "identity"].iter().map(|v| (v.to_string(), 0.2)).collect();
        let keys = [policy(true, true), policy(true, false), policy(false, true), policy(false, false)];
        for key in &keys {
            for compress in [false, true] {
                for legacy in [false, true] {
                    for content_type in ["text/css", "image/jpeg"] {
                        let b = BehaviorCompression { compress, legacy, key, ttl: &TTL };
                        let plan = plan(b, content_type, (None, None), &values);
                        for size in [999, 1_000, 50_000, 10_000_000, 10_000_001] {
                            for (i, (value, _)) in values.iter().enumerate() {
                                let header = (!value.is_empty()).then_some(value.as_str());
                                let case = CompressionCase {
                                    behavior: b,
                                    accept_encoding: header,
                                    status: 200,
                                    size_bytes: size,
                                    content_type,
                                };
                                assert_eq!(plan.encoding(Some(i), size), decide(case), "{key:?} {legacy} {value}");
                            }
                        }
                    }
                }
            }
        }
    }

    /// The engine stores one copy per key: requests sharing a key must get
    /// the same encoding. The key holds the normalised Accept-Encoding, so
    /// the encoding must be a function of it, under every setting where the
    /// behavior compresses.
    #[test]
    fn one_key_one_encoding() {
        use crate::policy::cache_key::normalize_accept_encoding;
        let headers = [None, Some(""), Some("gzip"), Some("br"), Some("br, gzip"), Some("GZIP;q=0.5"), Some("br;q=0")];
        for legacy in [false, true] {
            for (gzip, brotli) in [(true, true), (true, false), (false, true)] {
                // A legacy behavior's key is normalised to gzip (the validator sets it).
                let key = if legacy { policy(true, false) } else { policy(gzip, brotli) };
                let b = BehaviorCompression { compress: true, legacy, key: &key, ttl: &TTL };
                let mut seen = Vec::new();
                for header in headers {
                    let normalized = normalize_accept_encoding(header, key.gzip, key.brotli);
                    let encoding = response_encoding(codings(b), header);
                    for &(n, e) in &seen {
                        assert!(n != normalized || e == encoding, "{legacy} {key:?} {header:?}");
                    }
                    seen.push((normalized, encoding));
                }
            }
        }
    }

    #[test]
    fn encoded_sizes_by_hand() {
        let both = policy(true, true);
        let values = vec![("br, gzip".to_string(), 0.5), ("gzip".to_string(), 0.5)];
        let plan = plan(behavior(true, &both, &TTL), "text/html", (Some(0.3), Some(0.25)), &values);
        // 10,000 bytes: gzip 10,000 x 0.3 = 3,000; br 10,000 x 0.25 = 2,500.
        assert_eq!(plan.encoding(Some(0), 10_000), Encoding::Brotli);
        assert_eq!(plan.encoding(Some(1), 10_000), Encoding::Gzip);
        assert_eq!(plan.encoded_bytes(Encoding::Gzip, 10_000), 3_000);
        assert_eq!(plan.encoded_bytes(Encoding::Brotli, 10_000), 2_500);
        assert_eq!(plan.encoded_bytes(Encoding::Identity, 10_000), 10_000);
        // 1,001 x 0.3 = 300.3, rounded to 300.
        assert_eq!(plan.encoded_bytes(Encoding::Gzip, 1_001), 300);
        assert_eq!(plan.encoding(Some(0), 999), Encoding::Identity, "under 1,000 bytes");
        assert_eq!(plan.encoding(None, 10_000), Encoding::Identity, "no header drawn");
    }

    #[test]
    fn a_viewer_request_rewrite_of_accept_encoding_decides_the_coding() {
        let both = policy(true, true);
        let values = vec![("br, gzip".to_string(), 0.4), ("gzip".to_string(), 0.3), ("GZIP".to_string(), 0.3)];
        let plan = plan(behavior(true, &both, &TTL), "text/html", (None, None), &values);
        let mut identity: [Option<u8>; MAX_ENCODINGS] = std::array::from_fn(|i| Some(i as u8));
        assert_eq!(plan.after_transforms(&identity), plan, "no rewrite, same plan");
        // `header-lowercase` maps "GZIP" (value 2) onto "gzip" (value 1):
        // still gzip, as CloudFront compares codings without regard to case.
        identity[2] = Some(1);
        let lowered = plan.after_transforms(&identity);
        assert_eq!(lowered.encoding(Some(2), 10_000), Encoding::Gzip);
        // `header-strip` removes the header: nothing is compressed, though the
        // viewer accepted Brotli.
        let stripped = plan.after_transforms(&[None; MAX_ENCODINGS]);
        assert_eq!(plan.encoding(Some(0), 10_000), Encoding::Brotli);
        assert_eq!(stripped.encoding(Some(0), 10_000), Encoding::Identity);
        assert!(stripped.is_off());
    }
}
