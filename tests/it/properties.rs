//! Properties over random valid scenarios: every run's accounting adds up
//! (the engine checks its identities and returns an error when one breaks),
//! and the same scenario and seed give byte-identical result files, on the
//! engine's fast path and its general path alike.
//!
//! The scenarios are drawn from the settings that change how a request
//! flows: one to three regional caches, edges per region, origins with and
//! without Origin Shield, custom and S3 origins, an origin group with failover codes, faults of
//! every kind, write methods, viewer protocol policies, signed classes,
//! small caches that evict (or hold nothing), edge functions (CloudFront
//! Functions and Lambda@Edge on any event a behavior may run them on, some
//! slow enough to time out, with cold starts and short keep-warm times), and
//! cache keys (managed, custom and legacy policies over requests that carry
//! query strings in either order, cookies, headers, Accept-Encoding and
//! devices), compression, origin request policies, freshness directives
//! (`Expires`, `stale-if-error`, `stale-while-revalidate`), an
//! invalidation of one file, a class or everything, range GETs (shares,
//! starts, lengths, unsatisfiable ranges, origins with and without support),
//! custom error responses, connections (keep-alive timeouts, origins
//! over HTTPS, viewers' HTTP versions and requests per connection), and
//! geography and the bill (price classes, viewer populations, restriction
//! by country, request bodies, Lambda@Edge memory).

use proptest::prelude::*;
use std::fmt::Write;

const REGIONS: [&str; 3] = ["us-east-1", "eu-west-2", "ap-northeast-1"];
const FAILOVER_CODES: [u16; 6] = [403, 404, 500, 502, 503, 504];
const POLICIES: [&str; 3] = ["allow-all", "redirect-to-https", "https-only"];
const EVICTIONS: [&str; 11] =
    ["lru", "fifo", "sieve", "s3-fifo", "clock", "2q", "s4lru", "arc", "gdsf", "lfuda", "wtinylfu"];

#[derive(Debug, Clone)]
struct Origin {
    region: usize,
    shield: Option<usize>,
    attempts: u8,
    timeout_s: u8,
    s3: bool,
    /// The `Cache-Control` on its own errors: an index into `ERROR_CACHE_CONTROLS`.
    error_cache_control: Option<usize>,
}

/// What a drawn origin puts on its errors: a lifetime longer and shorter
/// than the 10 s minimum, and directives that forbid caching some codes.
const ERROR_CACHE_CONTROLS: [&str; 4] = ["max-age=30", "s-maxage=5", "no-store", "no-cache, max-age=60"];

#[derive(Debug, Clone)]
struct Fault {
    origin: usize,
    kind: u8,
    start_pct: u8,
    len_pct: u8,
    status: u16,
}

/// One behavior's functions: the kind on its viewer events (0 none, 1
/// CloudFront Functions, 2 Lambda@Edge), which viewer events run it, and
/// whether a Lambda@Edge function runs on each origin event.
#[derive(Debug, Clone)]
struct Functions {
    viewer_kind: u8,
    viewer_request: bool,
    viewer_response: bool,
    origin_request: bool,
    origin_response: bool,
}

#[derive(Debug, Clone)]
struct Shape {
    /// Per behavior: /api/*, /signed/*, the default.
    functions: Vec<Functions>,
    /// Lambda@Edge functions slow enough to time out now and then.
    slow_functions: bool,
    keep_warm_s: u32,
    regions: usize,
    edges: usize,
    origins: Vec<Origin>,
    group_codes: Vec<u16>,
    faults: Vec<Fault>,
    edge_kib: u32,
    regional_kib: u32,
    eviction: usize,
    policies: [usize; 3],
    https_share: f64,
    static_ttl_s: u32,
    error_caching_min_ttl: u8,
    signed_share: f64,
    api_share: f64,
    objects: u32,
    requests: u32,
    keys: Keys,
    /// The static class's `stale-if-error` and `stale-while-revalidate`
    /// windows, if its origin sends them.
    stale_if_error_s: Option<u32>,
    stale_while_revalidate_s: Option<u32>,
    /// The signed class's `Expires` (seconds after the response), sent
    /// instead of its `max-age`.
    signed_expires_s: Option<u32>,
    /// An invalidation at this share of the run (in %) of one of
    /// `INVALIDATION_PATHS`, with its propagation up to `.2` seconds.
    invalidation: Option<(u8, usize, u8)>,
    /// Range GETs of the static and signed classes (the signed class's
    /// objects then 3 MiB, so ranges span parts).
    ranges: Option<Ranges>,
    /// Custom error responses: per code of `CUSTOM_ERROR_CODES` drawn, its
    /// minimum TTL (s), which of `ERROR_PAGES` it answers (`None`: a TTL
    /// only) and whether the page goes with 200.
    custom_errors: Vec<(usize, u8, Option<usize>, bool)>,
    /// `[connections]`, when drawn.
    connections: Option<Connections>,
    geo: Geo,
}

/// Countries the drawn viewer populations and restrictions name: one in
/// each of the generated edges' regions and some served from afar.
const COUNTRIES: [&str; 6] = ["US", "GB", "JP", "BR", "IN", "AU"];

/// Where viewers are and what the bill counts: the price class (0 All, 1
/// 200, 2 100), viewers (0 each edge its own, 1 the world preset, 2 the
/// drawn populations), a restriction (an allow list when `allow`, else a
/// block list) of the countries whose bits are set, the API class's
/// request body and Lambda@Edge memory.
#[derive(Debug, Clone)]
struct Geo {
    price_class: u8,
    viewers: u8,
    populations: Vec<(usize, u8)>,
    restriction: Option<(bool, u8)>,
    request_body_kib: Option<u16>,
    memory_mb: u16,
}

fn geo() -> impl Strategy<Value = Geo> {
    (
        0..3u8,
        0..3u8,
        prop::collection::vec((0..COUNTRIES.len(), 1..10u8), 1..=4),
        proptest::option::of((any::<bool>(), 1..64u8)),
        proptest::option::of(0..2048u16),
        128..=3008u16,
    )
        .prop_map(|(price_class, viewers, populations, restriction, request_body_kib, memory_mb)| Geo {
            price_class,
            viewers,
            populations,
            restriction,
            request_body_kib,
            memory_mb,
        })
}

#[derive(Debug, Clone)]
struct Ranges {
    /// Share of GETs with a Range, in %.
    share_pct: u8,
    uniform: bool,
    length_kib: u32,
    unsatisfiable_pct: u8,
    /// Whether the origins answer ranges with 206.
    origins_support: bool,
}

fn ranges() -> impl Strategy<Value = Ranges> {
    (1..=100u8, any::<bool>(), 1..=2048u32, 0..20u8, any::<bool>()).prop_map(
        |(share_pct, uniform, length_kib, unsatisfiable_pct, origins_support)| Ranges {
            share_pct,
            uniform,
            length_kib,
            unsatisfiable_pct,
            origins_support,
        },
    )
}

/// Codes the drawn faults, failed connections and the edge's refusals give.
const CUSTOM_ERROR_CODES: [u16; 5] = [403, 404, 502, 503, 504];

/// Error pages: on the default behavior (its origin, or group), an object
/// of the static class, and behind `/api/*` (which caches nothing).
const ERROR_PAGES: [&str; 3] = ["/err.html", "/s/1", "/api/err.html"];

fn custom_error() -> impl Strategy<Value = (usize, u8, Option<usize>, bool)> {
    (0..CUSTOM_ERROR_CODES.len(), 0..30u8, proptest::option::of(0..ERROR_PAGES.len()), any::<bool>())
}

/// Connection settings: every origin's keep-alive, whether custom origins
/// take the viewer's scheme (else plain HTTP), the viewers' TLS version,
/// the static class's HTTP version weights and requests per connection.
#[derive(Debug, Clone)]
struct Connections {
    keepalive_s: u8,
    match_viewer: bool,
    viewer_tls_1_2: bool,
    versions: [u8; 3],
    requests_per_connection: f64,
}

fn connections() -> impl Strategy<Value = Connections> {
    (1..=120u8, any::<bool>(), any::<bool>(), [0..4u8, 0..4u8, 1..4u8], 1.0..20.0f64).prop_map(
        |(keepalive_s, match_viewer, viewer_tls_1_2, versions, requests_per_connection)| Connections {
            keepalive_s,
            match_viewer,
            viewer_tls_1_2,
            versions,
            requests_per_connection,
        },
    )
}

/// What the drawn invalidation removes: the static class, one of its files,
/// the signed class, everything.
const INVALIDATION_PATHS: [&str; 4] = ["/s/*", "/s/1", "/signed/*", "/*"];

/// The static content's cache key and what its requests carry.
#[derive(Debug, Clone)]
struct Keys {
    /// Which key the default behavior has (see `render`).
    policy: usize,
    query_values: u32,
    query_share: f64,
    shuffled: bool,
    cookie_values: u32,
    /// The default behavior compresses (its static class is text/css).
    compress: bool,
}

fn keys() -> impl Strategy<Value = Keys> {
    (0..6usize, 1..20u32, 0.05..=1.0f64, any::<bool>(), 1..50u32, any::<bool>()).prop_map(
        |(policy, query_values, query_share, shuffled, cookie_values, compress)| Keys {
            policy,
            query_values,
            query_share,
            shuffled,
            cookie_values,
            compress,
        },
    )
}

fn origin() -> impl Strategy<Value = Origin> {
    (
        0..3usize,
        proptest::option::of(0..3usize),
        1..=3u8,
        1..=3u8,
        any::<bool>(),
        proptest::option::of(0..ERROR_CACHE_CONTROLS.len()),
    )
        .prop_map(|(region, shield, attempts, timeout_s, s3, error_cache_control)| Origin {
            region,
            shield,
            attempts,
            timeout_s,
            s3,
            error_cache_control,
        })
}

fn fault() -> impl Strategy<Value = Fault> {
    (0..3usize, 0..4u8, 0..90u8, 1..60u8, prop::sample::select(vec![403u16, 404, 500, 503, 504]))
        .prop_map(|(origin, kind, start_pct, len_pct, status)| Fault { origin, kind, start_pct, len_pct, status })
}

fn functions() -> impl Strategy<Value = Functions> {
    (0..3u8, any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
        |(viewer_kind, viewer_request, viewer_response, origin_request, origin_response)| Functions {
            viewer_kind,
            viewer_request,
            viewer_response,
            origin_request,
            origin_response,
        },
    )
}

fn shape() -> impl Strategy<Value = Shape> {
    (
        (1..=3usize, 1..=3usize, prop::collection::vec(origin(), 1..=3)),
        (prop::sample::subsequence(FAILOVER_CODES.to_vec(), 1..=4), prop::collection::vec(fault(), 0..=3)),
        (0..200u32, 0..2000u32, 0..EVICTIONS.len()),
        ([0..3usize, 0..3usize, 0..3usize], 0.0..=1.0f64, 0..120u32, 0..15u8),
        (0.01..0.4f64, 0.01..0.4f64, 1..300u32, 200..1500u32),
        (prop::collection::vec(functions(), 3), any::<bool>(), 1..120u32),
        keys(),
        (proptest::option::of(0..200u32), proptest::option::of(0..120u32), proptest::option::of(0..120u32)),
        proptest::option::of((0..100u8, 0..INVALIDATION_PATHS.len(), 0..20u8)),
        proptest::option::of(ranges()),
        prop::collection::vec(custom_error(), 0..=3),
        (proptest::option::of(connections()), geo()),
    )
        .prop_map(
            |(
                (regions, edges, origins),
                (group_codes, faults),
                (edge_kib, regional_kib, eviction),
                (policies, https_share, static_ttl_s, error_caching_min_ttl),
                (signed_share, api_share, objects, requests),
                (functions, slow_functions, keep_warm_s),
                keys,
                (stale_if_error_s, signed_expires_s, stale_while_revalidate_s),
                invalidation,
                ranges,
                custom_errors,
                (connections, geo),
            )| Shape {
                functions,
                slow_functions,
                keep_warm_s,
                regions,
                edges,
                origins,
                group_codes,
                faults,
                edge_kib,
                regional_kib,
                eviction,
                policies,
                https_share,
                static_ttl_s,
                error_caching_min_ttl,
                signed_share,
                api_share,
                objects,
                requests,
                keys,
                stale_if_error_s,
                stale_while_revalidate_s,
                signed_expires_s,
                invalidation,
                ranges,
                custom_errors,
                connections,
                geo,
            },
        )
}

/// The scenario text for a shape. Indices into regions and origins are
/// folded into range, so every drawn shape is a valid scenario.
fn render(shape: &Shape) -> String {
    let regions = &REGIONS[..shape.regions];
    let region = |i: usize| regions[i % regions.len()];
    let rate = 200;
    let span_s = f64::from(shape.requests) / f64::from(rate);
    let mut t = String::new();
    let w = &mut t;
    writeln!(w, "[simulation]\nrequests = {}\nwarmup = \"1 s\"\nmetrics_interval = \"1 s\"", shape.requests).unwrap();
    writeln!(w, "[topology.generate]\nedges = {}\nregions = {regions:?}", shape.edges * shape.regions).unwrap();
    let eviction = EVICTIONS[shape.eviction];
    writeln!(w, "[caches.edge]\ncapacity = \"{} KiB\"\neviction = \"{eviction}\"", shape.edge_kib).unwrap();
    writeln!(w, "[caches.regional]\ncapacity = \"{} KiB\"\neviction = \"{eviction}\"", shape.regional_kib).unwrap();
    for (i, o) in shape.origins.iter().enumerate() {
        writeln!(w, "[[origins]]\nname = \"o{i}\"\nregion = \"{}\"", region(o.region)).unwrap();
        writeln!(w, "latency = {{ dist = \"lognormal\", mean = \"40 ms\", stddev = \"20 ms\" }}").unwrap();
        writeln!(w, "connection_attempts = {}\nconnection_timeout = {}", o.attempts, o.timeout_s).unwrap();
        writeln!(w, "response_timeout = 2\nconcurrency = 20\nqueue_limit = 50").unwrap();
        if o.s3 {
            writeln!(w, "kind = \"s3\"").unwrap();
        }
        if let Some(c) = o.error_cache_control {
            writeln!(w, "error_cache_control = \"{}\"", ERROR_CACHE_CONTROLS[c]).unwrap();
        }
        if let Some(s) = o.shield {
            writeln!(w, "origin_shield = \"{}\"", region(s)).unwrap();
        }
        if shape.ranges.as_ref().is_some_and(|r| !r.origins_support) {
            writeln!(w, "supports_ranges = false").unwrap();
        }
        if let Some(c) = &shape.connections {
            writeln!(w, "keepalive_timeout = {}", c.keepalive_s).unwrap();
            if c.match_viewer && !o.s3 {
                writeln!(w, "protocol_policy = \"match-viewer\"").unwrap();
            }
        }
    }
    if let Some(c) = &shape.connections {
        let tls = if c.viewer_tls_1_2 { "TLSv1.2" } else { "TLSv1.3" };
        writeln!(w, "[connections]\nviewer_tls = \"{tls}\"").unwrap();
    }
    // With two origins or more, the static content fails over from o0 to o1.
    let static_origin = if shape.origins.len() > 1 {
        writeln!(w, "[[origin_groups]]\nname = \"group\"\nmembers = [\"o0\", \"o1\"]").unwrap();
        writeln!(w, "failover_status_codes = {:?}", shape.group_codes).unwrap();
        "group"
    } else {
        "o0"
    };
    for f in &shape.faults {
        let origin = f.origin % shape.origins.len();
        let start = span_s * f64::from(f.start_pct) / 100.0;
        let end = start + span_s * f64::from(f.len_pct) / 100.0;
        writeln!(w, "[[faults]]\norigin = \"o{origin}\"\nstart = \"{start:.3} s\"\nend = \"{end:.3} s\"").unwrap();
        match f.kind {
            0 => writeln!(w, "kind = \"down\""),
            1 => writeln!(w, "kind = \"blackhole\""),
            2 => writeln!(w, "kind = \"slow\"\nfactor = 30"),
            _ => writeln!(w, "kind = \"status\"\nstatus = {}\nfraction = 0.7", f.status),
        }
        .unwrap();
    }
    if let Some((at_pct, path, propagation_s)) = shape.invalidation {
        let at = span_s * f64::from(at_pct) / 100.0;
        writeln!(w, "[[invalidations]]\nat = \"{at:.3} s\"\npaths = [\"{}\"]", INVALIDATION_PATHS[path]).unwrap();
        writeln!(w, "propagation = {{ dist = \"uniform\", min = \"0 s\", max = \"{propagation_s} s\" }}").unwrap();
    }
    writeln!(w, "[signing]\nepoch = \"2030-01-01T00:00:00Z\"\n[[signing.keys]]\nid = \"KPROPERTYKEY1\"").unwrap();
    writeln!(w, "[[signing.key_groups]]\nname = \"signers\"\nkeys = [\"KPROPERTYKEY1\"]").unwrap();
    render_functions(w, shape);
    writeln!(w, "[distribution]\nerror_caching_min_ttl = {}", shape.error_caching_min_ttl).unwrap();
    render_geo(w, &shape.geo);
    let mut codes_written = Vec::new();
    for &(code, ttl_s, page, ok) in &shape.custom_errors {
        if codes_written.contains(&code) {
            continue; // one entry per code, as CloudFront requires
        }
        codes_written.push(code);
        writeln!(w, "[[distribution.custom_error_responses]]").unwrap();
        writeln!(w, "error_code = {}\nerror_caching_min_ttl = {ttl_s}", CUSTOM_ERROR_CODES[code]).unwrap();
        if let Some(page) = page {
            writeln!(w, "response_page_path = \"{}\"", ERROR_PAGES[page]).unwrap();
            if ok {
                writeln!(w, "response_code = 200").unwrap();
            }
        }
    }
    // The static content's key: the path alone, a managed policy, custom
    // policies keying query strings, headers or cookies, or legacy
    // forwarded values.
    let static_key = match shape.keys.policy {
        0 => "",
        1 => "cache_policy = \"CachingOptimized\"",
        2 => "cache_policy = \"qs-all\"",
        3 => "cache_policy = \"allow-v\"",
        4 => "cache_policy = \"cookies\"",
        _ => {
            "forwarded_values = { query_string = true, cookies = { whitelist = [\"sess*\"] }, headers = [\"Accept-Encoding\"] }"
        }
    };
    writeln!(w, "[[distribution.cache_policies]]\nname = \"qs-all\"\nquery_strings = \"all\"\ngzip = true").unwrap();
    writeln!(w, "[[distribution.cache_policies]]\nname = \"allow-v\"\nquery_strings = {{ allow = [\"v\"] }}").unwrap();
    writeln!(w, "headers = [\"Accept-Language\", \"CloudFront-Is-Mobile-Viewer\"]").unwrap();
    writeln!(w, "[[distribution.cache_policies]]\nname = \"cookies\"\ncookies = \"all\"\nbrotli = true").unwrap();
    // Beside a cache policy, an origin request policy (its choice drawn from
    // the query values, so the shape keeps its fields): none, one forwarding
    // the language the origin varies on, or managed ones.
    writeln!(w, "[[distribution.origin_request_policies]]\nname = \"lang\"").unwrap();
    writeln!(w, "headers = {{ allow = [\"Accept-Language\"] }}\ncookies = \"all\"").unwrap();
    let origin_request = ["", "lang", "AllViewer", "CORS-S3Origin"][shape.keys.query_values as usize % 4];
    let static_key = if (1..=4).contains(&shape.keys.policy) && !origin_request.is_empty() {
        format!("{static_key}\norigin_request_policy = \"{origin_request}\"")
    } else {
        static_key.to_string()
    };
    let [p_static, p_api, p_signed] = shape.policies.map(|p| POLICIES[p]);
    writeln!(w, "[[distribution.behaviors]]\npath_pattern = \"/api/*\"\norigin = \"o0\"").unwrap();
    writeln!(w, "allowed_methods = [\"GET\", \"HEAD\", \"OPTIONS\", \"PUT\", \"POST\", \"PATCH\", \"DELETE\"]")
        .unwrap();
    writeln!(w, "min_ttl = 0\ndefault_ttl = 0\nmax_ttl = 0\nviewer_protocol_policy = \"{p_api}\"").unwrap();
    writeln!(w, "{}", associations(&shape.functions[0])).unwrap();
    writeln!(w, "[[distribution.behaviors]]\npath_pattern = \"/signed/*\"\norigin = \"{static_origin}\"").unwrap();
    writeln!(w, "trusted_key_groups = [\"signers\"]\nviewer_protocol_policy = \"{p_signed}\"").unwrap();
    writeln!(w, "{}", associations(&shape.functions[1])).unwrap();
    writeln!(w, "[distribution.default_behavior]\norigin = \"{static_origin}\"\n{static_key}").unwrap();
    writeln!(w, "compress = {}", shape.keys.compress).unwrap();
    writeln!(w, "allowed_methods = [\"GET\", \"HEAD\", \"OPTIONS\"]\nviewer_protocol_policy = \"{p_static}\"").unwrap();
    writeln!(w, "{}", associations(&shape.functions[2])).unwrap();
    writeln!(w, "[traffic]\nrate = {rate}\nzipf_alpha = 0.9\nobjects = {}", shape.objects).unwrap();
    writeln!(w, "https_share = {}", shape.https_share).unwrap();
    let static_share = (1.0 - shape.api_share - shape.signed_share).max(0.05);
    writeln!(w, "[[traffic.classes]]\nname = \"static\"\nshare = {static_share}\npath = \"/s/{{id}}\"").unwrap();
    writeln!(w, "size = {{ dist = \"lognormal\", mean = \"6 KiB\", stddev = \"4 KiB\" }}").unwrap();
    let mut static_cc = format!("max-age={}", shape.static_ttl_s);
    if let Some(window) = shape.stale_if_error_s {
        static_cc += &format!(", stale-if-error={window}");
    }
    if let Some(window) = shape.stale_while_revalidate_s {
        static_cc += &format!(", stale-while-revalidate={window}");
    }
    writeln!(w, "cache_control = \"{static_cc}\"").unwrap();
    writeln!(w, "content_type = \"text/css\"").unwrap();
    let range_lines = shape.ranges.as_ref().map(|r| {
        let start = if r.uniform { "uniform" } else { "zero" };
        format!(
            "range_share = {}\nrange_start = \"{start}\"\nrange_length = \"{} KiB\"\nrange_unsatisfiable_share = {}",
            f64::from(r.share_pct) / 100.0,
            r.length_kib,
            f64::from(r.unsatisfiable_pct) / 100.0
        )
    });
    if let Some(lines) = &range_lines {
        writeln!(w, "{lines}").unwrap();
    }
    writeln!(w, "methods = {{ GET = 0.9, HEAD = 0.05, OPTIONS = 0.05 }}").unwrap();
    let k = &shape.keys;
    writeln!(w, "query = [{{ name = \"v\", values = {}, share = {} }}, ", k.query_values, k.query_share).unwrap();
    writeln!(w, "  {{ name = \"utm_source\", values = 300, share = 0.3, zipf_alpha = 1.0 }}]").unwrap();
    let order = if k.shuffled { "shuffled" } else { "stable" };
    writeln!(w, "query_order = \"{order}\"").unwrap();
    writeln!(w, "cookies = [{{ name = \"session\", values = {}, share = 0.5 }}]", k.cookie_values).unwrap();
    writeln!(w, "headers = [{{ name = \"Accept-Language\", values = 3 }}]").unwrap();
    writeln!(w, "origin_varies_on = [\"Accept-Language\", \"v\"]").unwrap();
    if let Some(c) = &shape.connections {
        let [h1, h2, h3] = c.versions;
        writeln!(w, "viewer_protocols = {{ \"http1.1\" = {h1}, \"http2\" = {h2}, \"http3\" = {h3} }}").unwrap();
        writeln!(w, "requests_per_connection = {}", c.requests_per_connection).unwrap();
    }
    writeln!(w, "[[traffic.classes]]\nname = \"api\"\nshare = {}\npath = \"/api/{{id}}\"", shape.api_share).unwrap();
    writeln!(w, "size = \"1 KiB\"\ncache_control = \"no-store\"\nobjects = 20").unwrap();
    writeln!(w, "methods = {{ GET = 0.4, POST = 0.3, PUT = 0.1, PATCH = 0.1, DELETE = 0.1 }}").unwrap();
    if let Some(kib) = shape.geo.request_body_kib {
        writeln!(w, "request_body = \"{kib} KiB\"").unwrap();
    }
    writeln!(w, "[[traffic.classes]]\nname = \"signed\"\nshare = {}", shape.signed_share).unwrap();
    match &range_lines {
        Some(lines) => writeln!(w, "path = \"/signed/{{id}}.mp4\"\nsize = \"3 MiB\"\n{lines}"),
        None => writeln!(w, "path = \"/signed/{{id}}.mp4\"\nsize = \"20 KiB\""),
    }
    .unwrap();
    match shape.signed_expires_s {
        Some(expires) => writeln!(w, "expires = {expires}"),
        None => writeln!(w, "cache_control = \"max-age=60\""),
    }
    .unwrap();
    let mix = "valid-url = 0.6, valid-cookie = 0.2, expired = 0.1, tampered-signature = 0.05, none = 0.05";
    writeln!(w, "signed = {{ sessions = 20, mix = {{ {mix} }} }}").unwrap();
    render_viewers(w, &shape.geo);
    t
}

/// The `[[functions]]` every drawn scenario declares (unused ones change
/// nothing): a CloudFront Function, a Lambda@Edge function for viewer events
/// and one for origin events; slow ones pass their timeouts (5 s, 30 s) now
/// and then.
fn render_functions(w: &mut String, shape: &Shape) {
    let (viewer, origin) = if shape.slow_functions {
        ("{ dist = \"exponential\", mean = \"1.5 s\" }", "{ dist = \"exponential\", mean = \"8 s\" }")
    } else {
        let typical = "{ dist = \"lognormal\", mean = \"20 ms\", stddev = \"10 ms\" }";
        (typical, typical)
    };
    writeln!(w, "[[functions]]\nname = \"cf\"\nkind = \"cloudfront-function\"").unwrap();
    for (name, latency) in [("viewer", viewer), ("origin", origin)] {
        writeln!(w, "[[functions]]\nname = \"{name}\"\nkind = \"lambda-edge\"\nlatency = {latency}").unwrap();
        writeln!(w, "cold_start = {{ dist = \"lognormal\", mean = \"200 ms\", stddev = \"100 ms\" }}").unwrap();
        writeln!(w, "keep_warm = \"{} s\"", shape.keep_warm_s).unwrap();
        writeln!(w, "memory = {}", shape.geo.memory_mb).unwrap();
    }
}

/// `[viewers]` and the distribution's price class and restriction.
fn render_geo(w: &mut String, geo: &Geo) {
    let class = ["PriceClass_All", "PriceClass_200", "PriceClass_100"][geo.price_class as usize];
    writeln!(w, "price_class = \"{class}\"").unwrap();
    if let Some((allow, bits)) = geo.restriction {
        let countries: Vec<&str> = (0..COUNTRIES.len()).filter(|i| bits >> i & 1 == 1).map(|i| COUNTRIES[i]).collect();
        let list = if allow { "allow" } else { "block" };
        writeln!(w, "geo_restriction = {{ {list} = {countries:?} }}").unwrap();
    }
}

/// The `[viewers]` table, if drawn (written after the distribution's
/// tables, so it must start a table of its own).
fn render_viewers(w: &mut String, geo: &Geo) {
    match geo.viewers {
        0 => {}
        1 => writeln!(w, "[viewers]\npreset = \"world\"").unwrap(),
        _ => {
            for (i, &(country, weight)) in geo.populations.iter().enumerate() {
                writeln!(w, "[[viewers.populations]]\nname = \"p{i}\"\ncountry = \"{}\"", COUNTRIES[country]).unwrap();
                writeln!(w, "weight = {weight}").unwrap();
            }
        }
    }
}

/// A behavior's `functions = [...]` line.
fn associations(f: &Functions) -> String {
    let viewer = ["", "cf", "viewer"][f.viewer_kind as usize];
    let mut list = Vec::new();
    for (event, on) in [("viewer-request", f.viewer_request), ("viewer-response", f.viewer_response)] {
        if on && !viewer.is_empty() {
            list.push(format!("{{ event = \"{event}\", function = \"{viewer}\" }}"));
        }
    }
    for (event, on) in [("origin-request", f.origin_request), ("origin-response", f.origin_response)] {
        if on {
            list.push(format!("{{ event = \"{event}\", function = \"origin\" }}"));
        }
    }
    format!("functions = [{}]", list.join(", "))
}

/// Watches every request, so that the run takes the engine's general path.
struct Watching;

impl cdnsim::engine::observer::RequestObserver for Watching {
    fn on_finish(&mut self, _record: &cdnsim::engine::observer::FinishedRequest<'_>) {}
}

proptest! {
    // PROPTEST_CASES=5000 for a longer hunt; a failure prints the shrunk
    // scenario text, which belongs in a worked example once understood.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(48),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_random_scenario_adds_up_and_repeats_byte_for_byte(shape in shape(), seed in 0..1000u64) {
        let text = render(&shape);
        let scenario = cdnsim::scenario::Scenario::from_toml_str(std::path::Path::new("random.toml"), &text, &[])
            .unwrap_or_else(|e| panic!("a drawn scenario is valid: {e}\n{text}"));
        // The engine checks every accounting identity at the end of the run.
        let first = cdnsim::engine::run(&scenario, seed, &mut |_| {})
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        let again = cdnsim::engine::run(&scenario, seed, &mut |_| {}).unwrap();
        let watched = cdnsim::engine::run_observed(&scenario, seed, &mut Watching, &mut |_| {}).unwrap();
        prop_assert_eq!(first.metrics.results.total(), first.metrics.requests);
        // Detailed result types partition the requests and refine the
        // result types, overall and per behavior (also checked by the engine).
        let m = &first.metrics;
        prop_assert_eq!(m.detailed.total(), m.requests);
        for r in cdnsim::metrics::ResultType::ALL {
            prop_assert_eq!(m.detailed.of_result(r), m.results.get(r));
            for b in &m.behaviors {
                prop_assert_eq!(b.detailed.of_result(r), b.results.get(r));
            }
        }
        let shield_hits: u64 = m.intervals.iter().map(|i| i.hits_by_tier[2]).sum();
        prop_assert_eq!(m.detailed.get(cdnsim::metrics::DetailedResultType::OriginShieldHit), shield_hits);
        // An observed run (the access log's path) counts the same detailed types.
        prop_assert_eq!(watched.metrics.detailed, m.detailed);
        let files = cdnsim::report::result_files(&first, &scenario).unwrap();
        prop_assert_eq!(&files, &cdnsim::report::result_files(&again, &scenario).unwrap());
        prop_assert_eq!(&files, &cdnsim::report::result_files(&watched, &scenario).unwrap());
    }
}
