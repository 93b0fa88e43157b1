//! The parts of a run's report on what only some runs have: cache keys
//! (from `cache_keys.csv`), edge functions (from `functions.csv`),
//! compression (from `compression.csv`), what reached the origins beyond
//! the cache key (from `origin_requests.csv`), connections (from
//! `connections.csv`), custom error responses (from `errors.csv`) and range
//! GETs (from `ranges.csv`); and, for every run, the detailed result types
//! (from `result_types.csv`) and the bill (from `cost.csv`). Pure: tables in, charts and text out. A run
//! without a feature's file gets no section of it, so its charts are what
//! they always were.

use super::chart::{Body, Chart, GroupedBars, format_number};
use super::table::CsvTable;

/// A section before its charts are drawn: heading, what it measures, its
/// table, and each chart with its caption.
#[derive(Clone, Debug, PartialEq)]
pub struct SectionPlan {
    pub heading: String,
    pub text: String,
    pub table_header: Vec<String>,
    pub table_rows: Vec<Vec<String>>,
    pub charts: Vec<(Chart, String)>,
}

/// The columns of `table` named in `columns` that it has, in that order, as
/// the section's table: a file from another version shows what it shares.
fn select(table: &CsvTable, columns: &[&str]) -> (Vec<String>, Vec<Vec<String>>) {
    let found: Vec<(usize, &str)> = columns.iter().filter_map(|c| table.column(c).map(|i| (i, *c))).collect();
    let header = found.iter().map(|(_, c)| c.to_string()).collect();
    let rows = table
        .rows
        .iter()
        .map(|row| found.iter().map(|(i, _)| row.get(*i).cloned().unwrap_or_default()).collect())
        .collect();
    (header, rows)
}

/// A category's name as the chart shows it: the 230 pixels left of a bar
/// chart hold about 26 characters, so a longer name is cut with `…` (the
/// table under the chart has it whole).
fn fit(name: &str) -> String {
    const MAX: usize = 26;
    if name.chars().count() <= MAX { name.to_string() } else { name.chars().take(MAX - 1).chain(['…']).collect() }
}

fn bars(file_stem: &str, title: &str, x_label: &str, y_label: &str, groups: GroupedBars) -> Chart {
    Chart {
        file_stem: file_stem.into(),
        title: title.into(),
        x_label: x_label.into(),
        y_label: y_label.into(),
        body: Body::GroupedBars(GroupedBars {
            categories: groups.categories.iter().map(|c| fit(c)).collect(),
            ..groups
        }),
    }
}

const KEYS_TEXT: &str = "A behavior's cache policy decides what goes into the cache key besides the path: \
query strings, headers, cookies, the normalised Accept-Encoding. An object requested under several keys is \
cached once per key, so each copy gets a share of its requests (fragmentation). A fragmentation miss is a miss \
or revalidation that went up while another key of the same object was cached and fresh at that cache: a key \
holding less would have answered it there.";

/// The cache keys section, from `cache_keys.csv`: keys per object by
/// behavior, and fetching against fragmentation misses by behavior and tier.
pub fn cache_key_section(keys: &CsvTable) -> anyhow::Result<SectionPlan> {
    let scope = keys.texts("scope").unwrap_or_default();
    let name = keys.texts("name").unwrap_or_default();
    let requests = keys.numbers_or_zero("requests")?;
    let keys_requested = keys.numbers_or_zero("keys_requested")?;
    let objects = keys.numbers_or_zero("objects_requested")?;
    let per_object = keys.numbers_or_zero("keys_per_object")?;
    let fetching = keys.numbers_or_zero("fetching_misses")?;
    let fragmentation = keys.numbers_or_zero("fragmentation_misses")?;
    let rows = 0..keys.rows.len();
    let behaviors: Vec<usize> = rows.clone().filter(|&i| scope[i] == "behavior").collect();

    // The run's totals as the summary gives them: keys and objects over the
    // behaviors, fragmentation misses over the caches.
    // A fold from 0, not `sum`: an empty `f64` sum is -0, written `-0`.
    let sum = |v: &[f64], of: &dyn Fn(usize) -> bool| rows.clone().filter(|&i| of(i)).fold(0.0, |a, i| a + v[i]);
    let (total_keys, total_objects) =
        (sum(&keys_requested, &|i| scope[i] == "behavior"), sum(&objects, &|i| scope[i] == "behavior"));
    let tier_fragmentation = |tier: &str| sum(&fragmentation, &|i| scope[i] == tier);
    let per = if total_objects > 0.0 { total_keys / total_objects } else { 0.0 };
    let text = format!(
        "{KEYS_TEXT} In all: {total_keys} keys for {total_objects} objects ({per:.2} per object); {} fragmentation \
         misses (edge {}, regional {}, shield {}).",
        tier_fragmentation("edge") + tier_fragmentation("regional") + tier_fragmentation("shield"),
        tier_fragmentation("edge"),
        tier_fragmentation("regional"),
        tier_fragmentation("shield"),
    );

    let mut charts = Vec::new();
    // Behaviors that looked anything up (one that caches nothing has no keys).
    let keyed: Vec<usize> = behaviors.iter().copied().filter(|&i| keys_requested[i] > 0.0).collect();
    if !keyed.is_empty() {
        let groups = GroupedBars {
            categories: keyed.iter().map(|&i| name[i].to_string()).collect(),
            series: vec![("keys per object".into(), keyed.iter().map(|&i| per_object[i]).collect())],
        };
        charts.push((
            bars(
                "cache-keys",
                "Cache keys per object, by behavior",
                "distinct keys per object requested",
                "behavior",
                groups,
            ),
            "Distinct cache keys the behavior's requests were looked up under at the edges, over the distinct \
             objects they were for: 1 means every request for an object shared one key; 3 means each object was \
             cached up to three times over, each copy with a third of its requests."
                .to_string(),
        ));
    }
    // Behaviors whose misses went up, then each cache tier in all.
    let mut categories = Vec::new();
    let (mut went_up, mut fragmented) = (Vec::new(), Vec::new());
    for &i in &behaviors {
        if fetching[i] > 0.0 {
            categories.push(name[i].to_string());
            went_up.push(fetching[i]);
            fragmented.push(fragmentation[i]);
        }
    }
    for (tier, label) in [("edge", "edge locations"), ("regional", "regional edge caches"), ("shield", "Origin Shield")]
    {
        let of_tier = |i: usize| scope[i] == tier;
        if sum(&requests, &of_tier) > 0.0 {
            categories.push(label.to_string());
            went_up.push(sum(&fetching, &of_tier));
            fragmented.push(sum(&fragmentation, &of_tier));
        }
    }
    if !categories.is_empty() {
        let groups = GroupedBars {
            categories,
            series: vec![("fetching misses".into(), went_up), ("fragmentation misses".into(), fragmented)],
        };
        charts.push((
            bars(
                "fragmentation",
                "Misses that went up, and those fragmentation caused",
                "misses and revalidations sent to the next tier",
                "behavior / cache tier",
                groups,
            ),
            "Per behavior (at every cache its requests passed) and per cache tier (all its caches together): the \
             misses and revalidations that went up to the next tier or the origin, and the fragmentation misses \
             among them, which another key of the same object cached there would have answered. Only the \
             fragmentation part is what keying less can win back."
                .to_string(),
        ));
    }
    let (table_header, table_rows) = select(
        keys,
        &[
            "scope",
            "name",
            "cache_policy",
            "requests",
            "keys_requested",
            "objects_requested",
            "keys_per_object",
            "fetching_misses",
            "fragmentation_misses",
            "fragmentation_share",
        ],
    );
    Ok(SectionPlan { heading: "Cache keys".into(), text, table_header, table_rows, charts })
}

const FUNCTIONS_TEXT: &str = "Edge functions run on a behavior's requests on CloudFront's four events: viewer \
request and viewer response at the edge location, origin request and origin response where the request leaves \
its last cache. A request waits for each function it meets: a CloudFront Function for its run at the edge, a \
Lambda@Edge function for the round trip to its Region, a cold start when no warm execution environment is free, \
and its run (a run past its timeout gives the viewer a 503).";

/// A column's total; 0 (not `sum`'s -0) when it is empty.
fn total(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |a, b| a + b)
}

/// The edge functions section, from `functions.csv`: the time a request
/// waited per invocation, and Lambda@Edge's cold starts and timeouts.
pub fn functions_section(functions: &CsvTable) -> anyhow::Result<SectionPlan> {
    let path = functions.texts("path_pattern").unwrap_or_default();
    let event = functions.texts("event").unwrap_or_default();
    let function = functions.texts("function").unwrap_or_default();
    let kind = functions.texts("kind").unwrap_or_default();
    let invocations = functions.numbers_or_zero("invocations")?;
    let cold_starts = functions.numbers_or_zero("cold_starts")?;
    let failures = functions.numbers_or_zero("failures")?;
    let waited = functions.numbers_or_zero("waited_ms")?;
    let n = functions.rows.len();
    let text = format!(
        "{FUNCTIONS_TEXT} In all: {} invocations, {} cold starts, {} timed out; {} ms waited.",
        total(&invocations),
        total(&cold_starts),
        total(&failures),
        format_number(total(&waited)),
    );
    // A row's name on the chart: function and event, with the behavior when
    // that alone would name two rows alike.
    let short: Vec<String> = (0..n).map(|i| format!("{} ({})", function[i], event[i])).collect();
    let label = |i: usize| {
        if short.iter().filter(|s| **s == short[i]).count() > 1 {
            format!("{} {}", short[i], path[i])
        } else {
            short[i].clone()
        }
    };
    let ran: Vec<usize> = (0..n).filter(|&i| invocations[i] > 0.0).collect();
    let mut charts = Vec::new();
    if !ran.is_empty() {
        let mut series = Vec::new();
        for (column, name) in [("waited_mean_ms", "mean"), ("waited_p95_ms", "p95"), ("waited_p99_ms", "p99")] {
            let values = functions.numbers_or_zero(column)?;
            series.push((name.to_string(), ran.iter().map(|&i| values[i]).collect()));
        }
        charts.push((
            bars(
                "function-wait",
                "Time a request waited per invocation, by function and event",
                "ms per invocation",
                "function (event)",
                GroupedBars { categories: ran.iter().map(|&i| label(i)).collect(), series },
            ),
            "The mean, p95 and p99 of the time one invocation held its request: round trip to the function's \
             Region (Lambda@Edge), cold start, and run. A gap between the mean and p99 is the cold starts and the \
             slow runs."
                .to_string(),
        ));
    }
    let lambdas: Vec<usize> = ran.iter().copied().filter(|&i| kind[i] == "lambda-edge").collect();
    if !lambdas.is_empty() {
        let percent = |v: &[f64]| lambdas.iter().map(|&i| 100.0 * v[i] / invocations[i]).collect::<Vec<f64>>();
        charts.push((
            bars(
                "function-cold-starts",
                "Lambda@Edge cold starts and timeouts, in % of invocations",
                "% of the function's invocations",
                "function (event)",
                GroupedBars {
                    categories: lambdas.iter().map(|&i| label(i)).collect(),
                    series: vec![
                        ("cold starts".into(), percent(&cold_starts)),
                        ("timed out".into(), percent(&failures)),
                    ],
                },
            ),
            "Per Lambda@Edge association, the invocations that found no warm execution environment in the Region \
             and started one, and those cut at the function's timeout. Cold starts grow with concurrency: a burst \
             needs more environments than the steady rate kept warm."
                .to_string(),
        ));
    }
    let (table_header, table_rows) = select(
        functions,
        &[
            "path_pattern",
            "event",
            "function",
            "kind",
            "invocations",
            "cold_starts",
            "failures",
            "waited_ms",
            "waited_mean_ms",
            "waited_p50_ms",
            "waited_p95_ms",
            "waited_p99_ms",
            "waited_max_ms",
        ],
    );
    Ok(SectionPlan { heading: "Edge functions".into(), text, table_header, table_rows, charts })
}

const COMPRESSION_TEXT: &str = "With compress on (and gzip and Brotli in the cache policy), CloudFront compresses \
an object at the edge when its content type is on CloudFront's list, its size is 1,000 to 10,000,000 bytes and \
the viewer's Accept-Encoding names gzip or br; it picks Brotli when the viewer takes both, and caches the \
compressed copy under the normalised Accept-Encoding. Origins always send the object uncompressed, so only the \
viewer leg is smaller; identity is the responses sent as they are.";

/// Bytes as the compression chart shows them: millions (10^6).
const MB: f64 = 1e6;

/// The compression section, from `compression.csv`: bytes sent to viewers
/// against the objects' full size, per encoding.
pub fn compression_section(compression: &CsvTable) -> anyhow::Result<SectionPlan> {
    let encoding = compression.texts("encoding").unwrap_or_default();
    let responses = compression.numbers_or_zero("responses")?;
    let sent = compression.numbers_or_zero("bytes_to_viewers")?;
    let original = compression.numbers_or_zero("original_bytes")?;
    let saved = compression.numbers_or_zero("bytes_saved")?;
    let n = compression.rows.len();
    // The summary's totals: saved over what viewers would have received
    // uncompressed, which is what they received plus what was saved.
    let (total_sent, total_saved) = (total(&sent), total(&saved));
    let share = if total_sent + total_saved > 0.0 { total_saved / (total_sent + total_saved) } else { 0.0 };
    let of = |name: &str| (0..n).filter(|&i| encoding[i] == name).fold(0.0, |a, i| a + responses[i]);
    // Invariant: byte counts are whole numbers well under 2^53, so `as u64` is exact.
    let text = format!(
        "{COMPRESSION_TEXT} In all: {} saved ({:.1}% of what viewers would have got: {} bytes sent instead of \
         {}); responses br {}, gzip {}, identity {}.",
        crate::units::format_size(total_saved as u64),
        100.0 * share,
        total_sent,
        total_sent + total_saved,
        of("br"),
        of("gzip"),
        of("identity"),
    );
    let sent_any: Vec<usize> = (0..n).filter(|&i| responses[i] > 0.0).collect();
    let mut charts = Vec::new();
    if !sent_any.is_empty() {
        let megabytes = |v: &[f64]| sent_any.iter().map(|&i| v[i] / MB).collect::<Vec<f64>>();
        charts.push((
            bars(
                "compression",
                "Bytes to viewers against the objects' full size, by encoding",
                "MB of response bodies (10^6 bytes)",
                "encoding",
                GroupedBars {
                    categories: sent_any.iter().map(|&i| encoding[i].to_string()).collect(),
                    series: vec![
                        ("bytes to viewers".into(), megabytes(&sent)),
                        ("original bytes".into(), megabytes(&original)),
                    ],
                },
            ),
            "Per encoding the viewer responses left in, the body bytes sent against the same bodies at their full \
             size. The gap is what compression saved; identity's bars are equal (objects outside the size range, \
             content types off the list, viewers that accept neither coding, behaviors without compress)."
                .to_string(),
        ));
    }
    let (table_header, table_rows) =
        select(compression, &["encoding", "responses", "bytes_to_viewers", "original_bytes", "bytes_saved", "ratio"]);
    Ok(SectionPlan { heading: "Compression".into(), text, table_header, table_rows, charts })
}

const FORWARDING_TEXT: &str = "An origin request policy forwards viewer headers, cookies and query strings to the \
origin beyond those in the cache key. An origin that varies its response on a value can tailor it only to what \
reached it. A response is untailored when the request carried the value but did not forward it, so the origin \
answered with its default. A request is mistailored when the value was forwarded but is not in the cache key: it \
got a cached copy the origin made for another request's value. Keying the value avoids both.";

/// The origin requests section, from `origin_requests.csv`: untailored
/// responses per origin, mistailored requests per behavior.
pub fn origin_requests_section(forwarding: &CsvTable) -> anyhow::Result<SectionPlan> {
    let scope = forwarding.texts("scope").unwrap_or_default();
    let name = forwarding.texts("name").unwrap_or_default();
    let requests = forwarding.numbers_or_zero("requests")?;
    let untailored = forwarding.numbers_or_zero("untailored")?;
    let mistailored = forwarding.numbers_or_zero("mistailored")?;
    let rows = 0..forwarding.rows.len();
    let sum = |v: &[f64], of: &str| rows.clone().filter(|&i| scope[i] == of).fold(0.0, |a, i| a + v[i]);
    let percent = |part: f64, whole: f64| if whole > 0.0 { 100.0 * part / whole } else { 0.0 };
    let (origin_requests, viewer_requests) = (sum(&requests, "origin"), sum(&requests, "behavior"));
    let (untailored_total, mistailored_total) = (sum(&untailored, "origin"), sum(&mistailored, "behavior"));
    let text = format!(
        "{FORWARDING_TEXT} In all: {untailored_total} of {origin_requests} origin responses untailored ({:.2}%); \
         {mistailored_total} of {viewer_requests} viewer requests got a copy tailored for another value ({:.2}%).",
        percent(untailored_total, origin_requests),
        percent(mistailored_total, viewer_requests),
    );
    // Behaviors then origins, as the file lists them; those without requests have nothing to show.
    let shown: Vec<usize> = rows.clone().filter(|&i| requests[i] > 0.0).collect();
    let mut charts = Vec::new();
    if !shown.is_empty() {
        let label = |i: usize| if scope[i] == "origin" { format!("origin {}", name[i]) } else { name[i].to_string() };
        let values = |v: &[f64]| shown.iter().map(|&i| v[i]).collect::<Vec<f64>>();
        charts.push((
            bars(
                "origin-forwarding",
                "Untailored origin responses and mistailored viewer requests",
                "responses (origin) / requests (behavior)",
                "behavior / origin",
                GroupedBars {
                    categories: shown.iter().map(|&i| label(i)).collect(),
                    series: vec![
                        ("mistailored requests".into(), values(&mistailored)),
                        ("untailored responses".into(), values(&untailored)),
                    ],
                },
            ),
            "Per behavior, its viewer requests answered with a copy made for another value (forwarded, not keyed); \
             per origin, its responses that could not be tailored (the value was not forwarded). A behavior has no \
             untailored bar and an origin no mistailored one: each is counted where it happens."
                .to_string(),
        ));
    }
    let (table_header, table_rows) = select(
        forwarding,
        &["scope", "name", "cache_policy", "origin_request_policy", "requests", "untailored", "mistailored", "share"],
    );
    Ok(SectionPlan { heading: "Origin requests".into(), text, table_header, table_rows, charts })
}

const CONNECTIONS_TEXT: &str = "A new connection costs handshakes before its first request is sent: to an \
origin, TCP (one round trip) and over HTTPS TLS 1.2 (two more); from a viewer, TCP and TLS for HTTP/1.1 and \
HTTP/2, one QUIC round trip for HTTP/3. A cache reuses an idle connection to an origin while it has been idle \
less than the origin's keep-alive timeout; a viewer reuses its own for some of its requests.";

/// The connections section, from `connections.csv`: connections opened and
/// reused per cache and origin, and per edge location and HTTP version.
pub fn connections_section(connections: &CsvTable) -> anyhow::Result<SectionPlan> {
    let kind = connections.texts("kind").unwrap_or_default();
    let cache = connections.texts("cache").unwrap_or_default();
    let origin = connections.texts("origin").unwrap_or_default();
    let version = connections.texts("http_version").unwrap_or_default();
    let opened = connections.numbers_or_zero("opened")?;
    let reused = connections.numbers_or_zero("reused")?;
    let handshake_ms = connections.numbers_or_zero("handshake_ms")?;
    let rows = 0..connections.rows.len();
    let sum = |v: &[f64], of: &str| rows.clone().filter(|&i| kind[i] == of).fold(0.0, |a, i| a + v[i]);
    let percent = |part: f64, whole: f64| if whole > 0.0 { 100.0 * part / whole } else { 0.0 };
    let (origin_opened, origin_reused) = (sum(&opened, "origin"), sum(&reused, "origin"));
    let (viewer_opened, viewer_reused) = (sum(&opened, "viewer"), sum(&reused, "viewer"));
    let text = format!(
        "{CONNECTIONS_TEXT} In all: origin fetches opened {origin_opened} connections and reused {origin_reused} \
         ({:.1}% reused; {:.1} ms of handshakes); viewer requests opened {viewer_opened} and reused {viewer_reused} \
         ({:.1}% reused; {:.1} ms of handshakes).",
        percent(origin_reused, origin_opened + origin_reused),
        sum(&handshake_ms, "origin"),
        percent(viewer_reused, viewer_opened + viewer_reused),
        sum(&handshake_ms, "viewer"),
    );
    let mut charts = Vec::new();
    if !connections.rows.is_empty() {
        let label = |i: usize| match kind[i] {
            "origin" => format!("{} > {}", cache[i], origin[i]),
            _ => format!("{} {}", cache[i], version[i]),
        };
        charts.push((
            bars(
                "connections",
                "Connections opened and reused",
                "requests",
                "cache > origin / edge, HTTP version",
                GroupedBars {
                    categories: rows.clone().map(label).collect(),
                    series: vec![("opened".into(), opened.clone()), ("reused".into(), reused.clone())],
                },
            ),
            "Per cache and origin it fetched from, the fetches that opened a connection and those that reused an \
             idle one; per edge location and HTTP version, the viewer requests that opened their connection and \
             those that reused it. Each opened connection paid its handshake's round trips."
                .to_string(),
        ));
    }
    let (table_header, table_rows) =
        select(connections, &["kind", "tier", "cache", "origin", "http_version", "opened", "reused", "handshake_ms"]);
    Ok(SectionPlan { heading: "Connections".into(), text, table_header, table_rows, charts })
}

const ERRORS_TEXT: &str = "A custom error response gives a status code its own error-caching minimum TTL (how \
long caches keep the error before asking the origin again) and, optionally, a page the viewer gets instead, \
which the edge fetches through the cache behavior its path matches (Developer Guide, \"Custom error pages and \
error caching\"). An error comes from an origin (or from CloudFront, for an origin it could not reach) or from a \
cache that stored it (a 416 for a range past the end comes from any cache that knows the object's length); a page \
fetch that fails leaves the viewer the error itself.";

/// The custom errors section, from `errors.csv`: per status code, errors
/// from origins, answered by caches and sent to viewers, and the pages
/// served in their place.
pub fn errors_section(errors: &CsvTable) -> anyhow::Result<SectionPlan> {
    let status = errors.texts("status").unwrap_or_default();
    let from_origin = errors.numbers_or_zero("from_origin")?;
    let from_cache = errors.numbers_or_zero("from_cache")?;
    let to_viewers = errors.numbers_or_zero("to_viewers")?;
    let page_fetches = errors.numbers_or_zero("page_fetches")?;
    let pages_served = errors.numbers_or_zero("pages_served")?;
    let page_failures = errors.numbers_or_zero("page_failures")?;
    let text = format!(
        "{ERRORS_TEXT} In all: {} errors from origins, {} answered by caches, {} to viewers; custom pages: {} \
         fetched, {} served, {} failed.",
        total(&from_origin),
        total(&from_cache),
        total(&to_viewers),
        total(&page_fetches),
        total(&pages_served),
        total(&page_failures),
    );
    // A configured code the run never met has nothing to show.
    let met: Vec<usize> =
        (0..errors.rows.len()).filter(|&i| from_origin[i] + from_cache[i] + to_viewers[i] > 0.0).collect();
    let mut charts = Vec::new();
    if !met.is_empty() {
        let values = |v: &[f64]| met.iter().map(|&i| v[i]).collect::<Vec<f64>>();
        charts.push((
            bars(
                "custom-errors",
                "Errors by status code: where they came from, what viewers got",
                "responses",
                "status code",
                GroupedBars {
                    categories: met.iter().map(|&i| status[i].to_string()).collect(),
                    series: vec![
                        ("from origins".into(), values(&from_origin)),
                        ("answered by caches".into(), values(&from_cache)),
                        ("to viewers".into(), values(&to_viewers)),
                        ("custom pages served".into(), values(&pages_served)),
                    ],
                },
            ),
            "Per status code, the errors origins answered (custom page fetches included), the lookups a cache \
             answered with a stored error, and the viewer requests whose response was the error; of those, the \
             ones that got the custom page instead. Caches answering many errors is the error-caching TTL at \
             work: the origin was not asked again while the error was kept."
                .to_string(),
        ));
    }
    let (table_header, table_rows) = select(
        errors,
        &[
            "status",
            "configured",
            "error_caching_min_ttl_s",
            "response_page_path",
            "response_code",
            "from_origin",
            "from_cache",
            "to_viewers",
            "page_fetches",
            "pages_served",
            "page_failures",
        ],
    );
    Ok(SectionPlan { heading: "Custom error responses".into(), text, table_header, table_rows, charts })
}

const RANGES_TEXT: &str = "A range GET asks for part of an object. A cache holding the whole object, or every \
part the range lies in, answers it at once with 206. Otherwise cdnsim widens the range to aligned 1 MiB parts and \
fetches the missing run of parts (CloudFront \"may request a larger range\": Developer Guide, \"How CloudFront \
processes partial requests for an object (range GETs)\"); each cache keeps the parts, so later ranges in them hit. \
An origin without range support sends the whole object (200), which caches keep whole. A range that starts past \
the object's end gets 416. Origin bytes over bytes asked above 1 is what the widening cost; below 1, cached parts \
or objects answered.";

/// The range GETs section, from `ranges.csv`: per behavior and per class,
/// the bytes viewers asked for and got against what origins sent.
pub fn ranges_section(ranges: &CsvTable) -> anyhow::Result<SectionPlan> {
    let scope = ranges.texts("scope").unwrap_or_default();
    let name = ranges.texts("name").unwrap_or_default();
    let requests = ranges.numbers_or_zero("range_requests")?;
    let partial = ranges.numbers_or_zero("partial_206")?;
    let whole = ranges.numbers_or_zero("whole_200")?;
    let unsatisfiable = ranges.numbers_or_zero("unsatisfiable_416")?;
    let other = ranges.numbers_or_zero("other")?;
    let to_viewers = ranges.numbers_or_zero("bytes_to_viewers")?;
    let asked = ranges.numbers_or_zero("bytes_asked")?;
    let origin_requests = ranges.numbers_or_zero("origin_requests")?;
    let origin_bytes = ranges.numbers_or_zero("origin_bytes")?;
    let rows = 0..ranges.rows.len();
    // The file splits the same range GETs by behavior and again by class:
    // the totals are the behaviors'.
    let sum = |v: &[f64]| rows.clone().filter(|&i| scope[i] == "behavior").fold(0.0, |a, i| a + v[i]);
    let (total_asked, total_origin) = (sum(&asked), sum(&origin_bytes));
    let over_asked = if total_asked > 0.0 { total_origin / total_asked } else { 0.0 };
    // Invariant: byte counts are whole numbers well under 2^53, so `as u64` is exact.
    let size = |bytes: f64| crate::units::format_size(bytes as u64);
    let text = format!(
        "{RANGES_TEXT} In all: {} range GETs (206 {}, 200 {}, 416 {}, other {}); viewers asked for {} and got {}; \
         origins sent {} in {} fetches ({over_asked:.2} times the bytes asked).",
        sum(&requests),
        sum(&partial),
        sum(&whole),
        sum(&unsatisfiable),
        sum(&other),
        size(total_asked),
        size(sum(&to_viewers)),
        size(total_origin),
        sum(&origin_requests),
    );
    // Behaviors then classes, as the file lists them; those that sent no range have nothing to show.
    let shown: Vec<usize> = rows.clone().filter(|&i| requests[i] > 0.0).collect();
    let mut charts = Vec::new();
    if !shown.is_empty() {
        let label = |i: usize| if scope[i] == "class" { format!("class {}", name[i]) } else { name[i].to_string() };
        let megabytes = |v: &[f64]| shown.iter().map(|&i| v[i] / MB).collect::<Vec<f64>>();
        charts.push((
            bars(
                "range-bytes",
                "Range GETs: bytes asked, sent to viewers, fetched from origins",
                "MB (10^6 bytes)",
                "behavior / class",
                GroupedBars {
                    categories: shown.iter().map(|&i| label(i)).collect(),
                    series: vec![
                        ("bytes asked".into(), megabytes(&asked)),
                        ("bytes to viewers".into(), megabytes(&to_viewers)),
                        ("origin bytes".into(), megabytes(&origin_bytes)),
                    ],
                },
            ),
            "Per behavior, then per class (the same range GETs split the other way): the bytes the viewers' ranges \
             asked for, the bytes their answers carried (a whole object for a 200), and the bytes origins sent for \
             them. Origin bytes above the bytes asked are the widening to 1 MiB parts or whole objects; below, \
             parts the caches already held."
                .to_string(),
        ));
    }
    let (table_header, table_rows) = select(
        ranges,
        &[
            "scope",
            "name",
            "range_requests",
            "partial_206",
            "whole_200",
            "unsatisfiable_416",
            "other",
            "bytes_to_viewers",
            "bytes_asked",
            "origin_requests",
            "origin_bytes",
            "origin_over_asked",
        ],
    );
    Ok(SectionPlan { heading: "Range GETs".into(), text, table_header, table_rows, charts })
}

const RESULT_TYPES_TEXT: &str = "CloudFront logs each response's x-edge-result-type (Hit, RefreshHit, Miss, Error, \
Redirect) and its x-edge-detailed-result-type, which says more for some of them: OriginShieldHit for a hit at \
Origin Shield, and for an error its cause (InvalidRequestMethod, OriginConnectError, OriginCommError, \
LambdaExecutionError); otherwise the two are the same (Developer Guide, \"Standard logging reference\", log file \
fields). A column per detailed type the run met, named result type / detailed type where they differ; each \
cell is the behavior's requests of that type and their share.";

/// The result types section, from `result_types.csv`: a row per behavior
/// (and the distribution's `all`), a column per detailed result type some
/// request had. Every run writes the file, so every run's page has it; a
/// table, not a chart: the hit ratio and error charts already show the
/// shares over time, and the matrix reads best as numbers.
pub fn result_types_section(types: &CsvTable) -> anyhow::Result<SectionPlan> {
    let behavior = types.texts("behavior").unwrap_or_default();
    let pattern = types.texts("path_pattern").unwrap_or_default();
    let result = types.texts("result_type").unwrap_or_default();
    let detailed = types.texts("detailed_result_type").unwrap_or_default();
    let requests = types.numbers_or_zero("requests")?;
    let rows = 0..types.rows.len();
    // Behaviors and detailed types in the file's order (the behaviors, then
    // `all`; the types in the order each behavior lists them), each once.
    let mut behaviors: Vec<(&str, &str)> = Vec::new();
    let mut listed: Vec<(&str, &str)> = Vec::new();
    for i in rows.clone() {
        if !behaviors.iter().any(|(b, _)| *b == behavior[i]) {
            behaviors.push((behavior[i], pattern[i]));
        }
        if !listed.iter().any(|(_, d)| *d == detailed[i]) {
            listed.push((result[i], detailed[i]));
        }
    }
    // A column for each type some request had, in that order even when a
    // later behavior is the first to have it.
    let columns: Vec<(&str, &str)> =
        listed.into_iter().filter(|(_, d)| rows.clone().any(|i| detailed[i] == *d && requests[i] > 0.0)).collect();
    let count = |b: &str, d: &str| {
        rows.clone().filter(|&i| behavior[i] == b && detailed[i] == d).fold(0.0, |a, i| a + requests[i])
    };
    let of_behavior = |b: &str| rows.clone().filter(|&i| behavior[i] == b).fold(0.0, |a, i| a + requests[i]);
    let cell = |n: f64, whole: f64| {
        let share = if whole > 0.0 { 100.0 * n / whole } else { 0.0 };
        format!("{n} ({share:.2}%)")
    };
    let all = of_behavior("all");
    let totals: Vec<String> = columns.iter().map(|(_, d)| format!("{d} {}", cell(count("all", d), all))).collect();
    let text = format!(
        "{RESULT_TYPES_TEXT} In all: {all} requests: {}.",
        if totals.is_empty() { "none".to_string() } else { totals.join(", ") }
    );
    let mut table_header: Vec<String> = vec!["behavior".into(), "path_pattern".into(), "requests".into()];
    table_header.extend(columns.iter().map(|(r, d)| if r == d { d.to_string() } else { format!("{r} / {d}") }));
    let table_rows = behaviors
        .iter()
        .map(|(b, p)| {
            let whole = of_behavior(b);
            let mut cells = vec![b.to_string(), p.to_string(), whole.to_string()];
            cells.extend(columns.iter().map(|(_, d)| cell(count(b, d), whole)));
            cells
        })
        .collect();
    Ok(SectionPlan { heading: "Result types".into(), text, table_header, table_rows, charts: Vec::new() })
}

const COST_TEXT: &str = "The run's usage, scaled to the cost period, priced with the scenario's [cost] table and \
options (cost.csv). Each line is rounded to the cent, half up; the total is the sum of the lines. The chart sums \
the lines by what they pay for; a Savings Bundle's credit is negative.";

/// The bill's section, from `cost.csv`: a bar per category (data transfer
/// out, requests, to origin, Origin Shield, invalidations, functions,
/// other, bundle or plan) that has a line, and the line items as the table.
pub fn cost_section(cost: &CsvTable) -> anyhow::Result<SectionPlan> {
    use crate::report::Category;
    let item = cost.texts("item").unwrap_or_default();
    let amount = cost.numbers_or_zero("amount_usd")?;
    let mut sums = [0.0; Category::ALL.len()];
    let mut present = [false; Category::ALL.len()];
    let mut total = None;
    let mut lines = Vec::new();
    for (row, name) in item.iter().enumerate() {
        match *name {
            "Total" => total = Some(amount[row]),
            // Reported beside the bill, not on it.
            "AWS WAF credit" | "Note" => {}
            name => {
                let category = Category::of_item(name) as usize;
                sums[category] += amount[row];
                present[category] = true;
                lines.push(row);
            }
        }
    }
    let bars: Vec<(String, f64)> = Category::ALL
        .iter()
        .filter(|c| present[**c as usize])
        .map(|c| (c.label().to_string(), (sums[*c as usize] * 100.0).round() / 100.0))
        .collect();
    let text = match total {
        Some(total) => format!("{COST_TEXT} Estimated monthly cost: ${total:.2}."),
        None => COST_TEXT.to_string(),
    };
    let (table_header, all_rows) = select(
        cost,
        &["item", "regions", "price_group", "tier", "quantity", "unit", "rate_usd", "rate_per", "amount_usd"],
    );
    let table_rows = lines.into_iter().map(|row| all_rows[row].clone()).collect();
    let chart = Chart {
        file_stem: "cost".into(),
        title: "Estimated monthly cost by category".into(),
        x_label: "USD over the cost period".into(),
        y_label: String::new(),
        body: Body::Bars(bars),
    };
    Ok(SectionPlan {
        heading: "Cost".into(),
        text,
        table_header,
        table_rows,
        charts: vec![(chart, "Sum of the bill's lines per category.".into())],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn the_bill_by_category() {
        let s = cost_section(&table(
            "item,regions,price_group,tier,quantity,unit,rate_usd,rate_per,amount_usd,source,note
DataTransfer-Out-Bytes,US,united-states,First 10 TB,2531.25,GB,0.085,1,215.16,S1,
Requests-Tier2-HTTPS,US,united-states,,2592000,Requests,0.01,10000,2.59,S10,
Requests-Tier1,US,united-states,,100000,Requests,0.0075,10000,0.08,S10,
Total,,,,,,,,217.83,,
Note,,,,,,,,,,\"each line is rounded\"
",
        ))
        .unwrap();
        // Requests: 2.59 + 0.08 = 2.67.
        let Body::Bars(bars) = &s.charts[0].0.body else { panic!() };
        assert_eq!(bars, &[("data transfer out".to_string(), 215.16), ("requests".to_string(), 2.67)]);
        assert_eq!(s.table_rows.len(), 3, "the Total and Note rows are not line items");
        assert!(s.text.ends_with("Estimated monthly cost: $217.83."), "{}", s.text);
    }

    const CONNECTIONS: &str = "kind,tier,cache,origin,http_version,opened,reused,handshake_ms
origin,regional,us-east-1,api,,3,9,720
viewer,edge,IAD89,,HTTP/1.1,4,0,120
viewer,edge,IAD89,,HTTP/3.0,2,6,
";

    #[test]
    fn connections_opened_and_reused_per_cache_origin_and_edge_version() {
        let s = connections_section(&table(CONNECTIONS)).unwrap();
        // Origin: 3 opened, 9 reused: 75.0% reused, 720 ms. Viewers: 6
        // opened, 6 reused: 50.0%, 120 ms (the edge's first row).
        assert!(
            s.text.ends_with(
                "In all: origin fetches opened 3 connections and reused 9 (75.0% reused; 720.0 ms of handshakes); \
                 viewer requests opened 6 and reused 6 (50.0% reused; 120.0 ms of handshakes)."
            ),
            "{}",
            s.text
        );
        let counts = groups(&s.charts[0].0);
        assert_eq!(counts.categories, ["us-east-1 > api", "IAD89 HTTP/1.1", "IAD89 HTTP/3.0"]);
        assert_eq!(counts.series[0], ("opened".to_string(), vec![3.0, 4.0, 2.0]));
        assert_eq!(counts.series[1], ("reused".to_string(), vec![9.0, 0.0, 6.0]));
        assert_eq!(s.table_header.len(), 8);
    }

    fn table(text: &str) -> CsvTable {
        CsvTable::parse(Path::new("t.csv"), text.as_bytes()).unwrap()
    }

    const KEYS: &str = "scope,name,region,cache_policy,requests,keys_requested,objects_requested,keys_per_object,\
fetching_misses,fragmentation_misses,fragmentation_share
behavior,/images/*,,by-size,100,30,10,3.0,40,12,0.3
behavior,/api/*,,CachingDisabled,50,0,0,0.0,0,0,0.0
behavior,*,,legacy,20,5,5,1.0,6,0,0.0
edge,IAD89,us-east-1,,80,20,10,2.0,30,8,0.266667
edge,LHR61,eu-west-2,,40,12,6,2.0,10,2,0.2
regional,us-east-1,us-east-1,,46,14,8,1.75,6,2,0.333333
";

    fn groups(chart: &Chart) -> &GroupedBars {
        let Body::GroupedBars(g) = &chart.body else { panic!("{chart:?}") };
        g
    }

    #[test]
    fn cache_keys_by_behavior_and_by_tier() {
        let s = cache_key_section(&table(KEYS)).unwrap();
        // Keys 30 + 0 + 5 over objects 10 + 0 + 5: 35 / 15 = 2.33 per object;
        // fragmentation misses 8 + 2 at the edges and 2 at the regional cache.
        assert!(s.text.ends_with("In all: 35 keys for 15 objects (2.33 per object); 12 fragmentation misses (edge 10, regional 2, shield 0)."), "{}", s.text);
        let stems: Vec<&str> = s.charts.iter().map(|(c, _)| c.file_stem.as_str()).collect();
        assert_eq!(stems, ["cache-keys", "fragmentation"]);
        // The behavior that caches nothing has no keys and no bar.
        let keys = groups(&s.charts[0].0);
        assert_eq!(keys.categories, ["/images/*", "*"]);
        assert_eq!(keys.series, vec![("keys per object".to_string(), vec![3.0, 1.0])]);
        // Tiers summed over their caches; no shield row, no shield bar.
        let misses = groups(&s.charts[1].0);
        assert_eq!(misses.categories, ["/images/*", "*", "edge locations", "regional edge caches"]);
        assert_eq!(misses.series[0], ("fetching misses".to_string(), vec![40.0, 6.0, 40.0, 6.0]));
        assert_eq!(misses.series[1], ("fragmentation misses".to_string(), vec![12.0, 0.0, 10.0, 2.0]));
        assert_eq!(s.table_header.len(), 10);
        assert_eq!(s.table_rows[0][..3], ["behavior", "/images/*", "by-size"]);
    }

    const FUNCTIONS: &str = "behavior,path_pattern,event,function,kind,invocations,cold_starts,failures,waited_ms,\
waited_mean_ms,waited_p50_ms,waited_p95_ms,waited_p99_ms,waited_max_ms
0,/a/*,viewer-request,auth,lambda-edge,100,5,1,2500.0,25.0,22.0,40.0,300.0,310.0
1,*,viewer-request,auth,lambda-edge,0,0,0,0.0,0.0,0.0,0.0,0.0,0.0
1,*,viewer-response,headers,cloudfront-function,200,0,0,100.0,0.5,0.5,0.5,0.6,0.7
";

    #[test]
    fn functions_wait_and_cold_starts_per_association() {
        let s = functions_section(&table(FUNCTIONS)).unwrap();
        assert!(s.text.ends_with("In all: 300 invocations, 5 cold starts, 1 timed out; 2600 ms waited."), "{}", s.text);
        let wait = groups(&s.charts[0].0);
        // `auth (viewer-request)` names two rows, so the behavior joins; the one that never ran has no bar.
        assert_eq!(wait.categories, ["auth (viewer-request) /a/*", "headers (viewer-response)"]);
        let names: Vec<&str> = wait.series.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["mean", "p95", "p99"]);
        assert_eq!(wait.series[2].1, vec![300.0, 0.6]);
        // Only Lambda@Edge starts cold: 5 of 100 (5%), 1 of 100 timed out (1%).
        let cold = groups(&s.charts[1].0);
        assert_eq!(cold.categories, ["auth (viewer-request) /a/*"]);
        assert_eq!(cold.series, vec![("cold starts".to_string(), vec![5.0]), ("timed out".to_string(), vec![1.0])]);
    }

    #[test]
    fn long_names_are_cut_to_fit_left_of_the_bars() {
        assert_eq!(fit("rewrite (viewer-request)"), "rewrite (viewer-request)");
        assert_eq!(fit("rewrite-lambda (viewer-request)"), "rewrite-lambda (viewer-re…");
        assert_eq!(fit("rewrite-lambda (viewer-request)").chars().count(), 26);
    }

    #[test]
    fn cloudfront_functions_alone_have_no_cold_start_chart() {
        let only_cf = FUNCTIONS.lines().filter(|l| !l.contains("lambda-edge")).collect::<Vec<_>>().join("\n");
        let s = functions_section(&table(&only_cf)).unwrap();
        let stems: Vec<&str> = s.charts.iter().map(|(c, _)| c.file_stem.as_str()).collect();
        assert_eq!(stems, ["function-wait"]);
    }

    const COMPRESSION: &str = "encoding,responses,bytes_to_viewers,original_bytes,bytes_saved,ratio
identity,10,5000000,5000000,0,1.0
gzip,0,0,0,0,0.0
br,4,1000000,4000000,3000000,0.25
";

    #[test]
    fn compression_bytes_sent_against_full_size_by_encoding() {
        let s = compression_section(&table(COMPRESSION)).unwrap();
        // Saved 3,000,000 B (2.9 MiB) of 6,000,000 + 3,000,000 = 9,000,000: 33.3%.
        assert!(
            s.text.ends_with(
                "In all: 2.9 MiB saved (33.3% of what viewers would have got: 6000000 bytes sent instead of \
                 9000000); responses br 4, gzip 0, identity 10."
            ),
            "{}",
            s.text
        );
        let stems: Vec<&str> = s.charts.iter().map(|(c, _)| c.file_stem.as_str()).collect();
        assert_eq!(stems, ["compression"]);
        // No gzip response, no gzip bars; bytes in millions.
        let bytes = groups(&s.charts[0].0);
        assert_eq!(bytes.categories, ["identity", "br"]);
        assert_eq!(bytes.series[0], ("bytes to viewers".to_string(), vec![5.0, 1.0]));
        assert_eq!(bytes.series[1], ("original bytes".to_string(), vec![5.0, 4.0]));
        assert_eq!(s.table_rows.len(), 3);
        assert_eq!(s.table_rows[2], ["br", "4", "1000000", "4000000", "3000000", "0.25"]);
    }

    #[test]
    fn compression_without_responses_has_its_text_and_no_chart() {
        let none = "encoding,responses,bytes_to_viewers,original_bytes,bytes_saved,ratio\nidentity,0,0,0,0,0.0\n";
        let s = compression_section(&table(none)).unwrap();
        assert!(s.charts.is_empty());
        assert!(s.text.ends_with("In all: 0 B saved (0.0% of what viewers would have got: 0 bytes sent instead of 0); responses br 0, gzip 0, identity 0."), "{}", s.text);
    }

    const FORWARDING: &str = "scope,name,cache_policy,origin_request_policy,requests,untailored,mistailored,share
behavior,/p/*,CachingOptimized,language,300,0,120,0.4
behavior,/q/*,legacy,none,0,0,0,0.0
behavior,*,legacy,none,100,0,0,0.0
origin,web,,,80,20,0,0.25
origin,spare,,,0,0,0,0.0
";

    #[test]
    fn origin_requests_untailored_per_origin_and_mistailored_per_behavior() {
        let s = origin_requests_section(&table(FORWARDING)).unwrap();
        // Untailored 20 of the origins' 80 requests (25%); mistailored 120 of
        // the behaviors' 300 + 100 viewer requests (30%).
        assert!(
            s.text.ends_with(
                "In all: 20 of 80 origin responses untailored (25.00%); 120 of 400 viewer requests got a copy \
                 tailored for another value (30.00%)."
            ),
            "{}",
            s.text
        );
        // Rows without requests have no bars.
        let counts = groups(&s.charts[0].0);
        assert_eq!(counts.categories, ["/p/*", "*", "origin web"]);
        assert_eq!(counts.series[0], ("mistailored requests".to_string(), vec![120.0, 0.0, 0.0]));
        assert_eq!(counts.series[1], ("untailored responses".to_string(), vec![0.0, 0.0, 20.0]));
        assert_eq!(s.table_header.len(), 8);
        assert_eq!(s.table_rows[3], ["origin", "web", "", "", "80", "20", "0", "0.25"]);
    }

    const ERRORS: &str = "status,configured,error_caching_min_ttl_s,response_page_path,response_code,from_origin,\
from_cache,to_viewers,page_fetches,pages_served,page_failures
404,true,300.0,/errors/404.html,,12,30,42,42,40,2
416,false,10.0,,,0,5,5,0,0,0
503,true,5.0,/errors/503.html,200,0,0,0,0,0,0
";

    #[test]
    fn custom_errors_by_code_with_the_pages_served_in_their_place() {
        let s = errors_section(&table(ERRORS)).unwrap();
        // From origins 12 + 0 + 0; answered by caches 30 + 5 + 0; to viewers
        // 42 + 5 + 0; pages fetched 42, served 40, failed 2 (all 404's).
        assert!(
            s.text.ends_with(
                "In all: 12 errors from origins, 35 answered by caches, 47 to viewers; custom pages: 42 fetched, 40 \
                 served, 2 failed."
            ),
            "{}",
            s.text
        );
        // 503 is configured but never met: no bars.
        let counts = groups(&s.charts[0].0);
        assert_eq!(counts.categories, ["404", "416"]);
        let names: Vec<&str> = counts.series.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["from origins", "answered by caches", "to viewers", "custom pages served"]);
        assert_eq!(counts.series[1].1, vec![30.0, 5.0]);
        assert_eq!(counts.series[3].1, vec![40.0, 0.0]);
        assert_eq!(s.table_header.len(), 11);
        assert_eq!(s.table_rows[2][..5], ["503", "true", "5.0", "/errors/503.html", "200"]);
    }

    #[test]
    fn custom_errors_never_met_have_their_table_and_no_chart() {
        let only_503 = ERRORS.lines().filter(|l| !l.starts_with("404") && !l.starts_with("416")).collect::<Vec<_>>();
        let s = errors_section(&table(&only_503.join("\n"))).unwrap();
        assert!(s.charts.is_empty());
        assert_eq!(s.table_rows.len(), 1);
        assert!(s.text.ends_with("In all: 0 errors from origins, 0 answered by caches, 0 to viewers; custom pages: 0 fetched, 0 served, 0 failed."), "{}", s.text);
    }

    const RANGES: &str = "scope,name,range_requests,partial_206,whole_200,unsatisfiable_416,other,bytes_to_viewers,\
bytes_asked,origin_requests,origin_bytes,origin_over_asked
behavior,/v/*,10,7,1,1,1,3145728,1048576,3,4194304,4.0
behavior,*,0,0,0,0,0,0,0,0,0,0.0
class,pages,0,0,0,0,0,0,0,0,0,0.0
class,video,10,7,1,1,1,3145728,1048576,3,4194304,4.0
";

    #[test]
    fn range_gets_bytes_asked_against_origin_bytes_per_behavior_and_class() {
        let s = ranges_section(&table(RANGES)).unwrap();
        // The totals are the behaviors' (the classes split the same range
        // GETs): asked 1,048,576 B = 1.0 MiB, to viewers 3,145,728 = 3.0
        // MiB, from origins 4,194,304 = 4.0 MiB: 4,194,304 / 1,048,576 = 4.00.
        assert!(
            s.text.ends_with(
                "In all: 10 range GETs (206 7, 200 1, 416 1, other 1); viewers asked for 1.0 MiB and got 3.0 MiB; \
                 origins sent 4.0 MiB in 3 fetches (4.00 times the bytes asked)."
            ),
            "{}",
            s.text
        );
        // Rows without range GETs have no bars; bytes in millions.
        let bytes = groups(&s.charts[0].0);
        assert_eq!(bytes.categories, ["/v/*", "class video"]);
        assert_eq!(bytes.series[0], ("bytes asked".to_string(), vec![1.048576, 1.048576]));
        assert_eq!(bytes.series[1], ("bytes to viewers".to_string(), vec![3.145728, 3.145728]));
        assert_eq!(bytes.series[2], ("origin bytes".to_string(), vec![4.194304, 4.194304]));
        assert_eq!(s.table_header.len(), 12);
        assert_eq!(s.table_rows.len(), 4);
        assert_eq!(s.table_rows[3][11], "4.0");
    }

    #[test]
    fn range_gets_none_measured_have_no_chart_and_no_ratio() {
        let none = RANGES.lines().filter(|l| !l.contains("10,7")).collect::<Vec<_>>().join("\n");
        let s = ranges_section(&table(&none)).unwrap();
        assert!(s.charts.is_empty());
        assert!(s.text.ends_with("origins sent 0 B in 0 fetches (0.00 times the bytes asked)."), "{}", s.text);
    }

    const RESULT_TYPES: &str = "behavior,path_pattern,result_type,detailed_result_type,requests,share
0,/v/*,Hit,Hit,6,0.6
0,/v/*,Hit,OriginShieldHit,0,0.0
0,/v/*,Miss,Miss,4,0.4
0,/v/*,Error,OriginConnectError,0,0.0
0,/v/*,Error,OriginCommError,0,0.0
1,*,Hit,Hit,0,0.0
1,*,Hit,OriginShieldHit,2,0.5
1,*,Miss,Miss,1,0.25
1,*,Error,OriginConnectError,0,0.0
1,*,Error,OriginCommError,1,0.25
all,,Hit,Hit,6,0.428571
all,,Hit,OriginShieldHit,2,0.142857
all,,Miss,Miss,5,0.357143
all,,Error,OriginConnectError,0,0.0
all,,Error,OriginCommError,1,0.071429
";

    #[test]
    fn result_types_a_row_per_behavior_and_a_column_per_detailed_type_met() {
        let s = result_types_section(&table(RESULT_TYPES)).unwrap();
        // 14 requests in all: Hit 6/14 = 42.86%, OriginShieldHit 2/14 =
        // 14.29%, Miss 5/14 = 35.71%, OriginCommError 1/14 = 7.14%.
        assert!(
            s.text.ends_with(
                "In all: 14 requests: Hit 6 (42.86%), OriginShieldHit 2 (14.29%), Miss 5 (35.71%), OriginCommError \
                 1 (7.14%)."
            ),
            "{}",
            s.text
        );
        // OriginConnectError met no request: no column. OriginShieldHit's
        // first request is in behavior 1, after behavior 0's Miss; its column
        // stays where the file lists the type, before Miss.
        assert_eq!(
            s.table_header,
            ["behavior", "path_pattern", "requests", "Hit", "Hit / OriginShieldHit", "Miss", "Error / OriginCommError"]
        );
        // Each cell's share is of its behavior's requests: 6 and 4 of 10;
        // 2, 1 and 1 of 4.
        assert_eq!(s.table_rows[0], ["0", "/v/*", "10", "6 (60.00%)", "0 (0.00%)", "4 (40.00%)", "0 (0.00%)"]);
        assert_eq!(s.table_rows[1], ["1", "*", "4", "0 (0.00%)", "2 (50.00%)", "1 (25.00%)", "1 (25.00%)"]);
        assert_eq!(s.table_rows[2][..4], ["all", "", "14", "6 (42.86%)"]);
        assert!(s.charts.is_empty(), "a table: the other charts show the shares over time");
    }
}
