//! A trace as the engine's [`RequestSource`]: each record becomes a viewer
//! request.
//!
//! - **Objects.** Each distinct object id (CSV) or URI stem (log) becomes the
//!   next dense object number on first sight, through a hash map kept here,
//!   out of the engine; the catalog learns its size and, for a log URI, the
//!   cache behavior whose path pattern it matches (matched once per object).
//!   CSV ids get the default behavior. A request that carries the body
//!   (a GET answered 200, and every CSV line) sets the object's size, so a
//!   trace whose sizes change counts each request's bytes.
//! - **Time.** Simulated time is trace time minus the first record's. Equal
//!   timestamps keep file order; a record earlier than the one before it
//!   (CloudFront does not promise log order) is clamped to that one's time
//!   and counted in `out_of_order`.
//! - **Edges.** With one edge location every request goes to it. Otherwise a
//!   log's `x-edge-location` (`IAD89-C1`) names the edge: exactly, or by
//!   the part before `-`; an unknown location makes the line malformed. CSV
//!   requests are spread over the edges by their viewer weights.
//! - **Signed URLs.** See [`LogSignatures`].

use super::lines::ProgressHandle;
use super::{MalformedLines, TraceError, TraceReader};
use crate::cdn::traffic::{Catalog, RequestSource, ViewerRequest};
use crate::engine::rng::{Stream, stream_rng};
use crate::scenario::Scenario;
use crate::signing::Rejection;
use crate::time::SimTime;
use foldhash::fast::FixedState;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::Distribution;
use rand_distr::weighted::WeightedAliasIndex;
use std::collections::HashMap;

/// What a replay read, besides the requests the engine simulated.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct TraceStats {
    /// Records turned into requests.
    pub requests: u64,
    /// Distinct objects met.
    pub objects: u64,
    /// Records earlier than the one before them, clamped to its time.
    pub out_of_order: u64,
    /// Signed URLs in the log re-verified (behaviors with trusted signers only).
    pub signatures_checked: u64,
    pub malformed: MalformedLines,
}

/// How trace requests are assigned to the scenario's edge locations.
enum Edges {
    One,
    Many {
        names: Vec<String>,
        /// Locations met so far and the edge each names.
        known: HashMap<Box<str>, Option<usize>, FixedState>,
        by_weight: WeightedAliasIndex<f64>,
        rng: Box<Xoshiro256PlusPlus>,
    },
}

impl Edges {
    fn new(scenario: &Scenario, run_seed: u64) -> Edges {
        let edges = &scenario.topology.edges;
        if edges.len() == 1 {
            return Edges::One;
        }
        Edges::Many {
            names: edges.iter().map(|e| e.name.clone()).collect(),
            known: HashMap::default(),
            by_weight: WeightedAliasIndex::new(edges.iter().map(|e| e.viewer_weight).collect())
                .expect("validated: weights are positive"),
            rng: Box::new(stream_rng(run_seed, Stream::Arrivals)),
        }
    }

    #[inline]
    fn edge_of(&mut self, location: Option<&str>) -> Result<usize, String> {
        let Edges::Many { names, known, by_weight, rng } = self else { return Ok(0) };
        let Some(location) = location else { return Ok(by_weight.sample(rng.as_mut())) };
        if let Some(found) = known.get(location) {
            return found.ok_or_else(|| unknown_edge(location, names));
        }
        let pop = location.split('-').next().unwrap_or(location);
        let found = names.iter().position(|n| n == location).or_else(|| names.iter().position(|n| n == pop));
        known.insert(location.into(), found);
        found.ok_or_else(|| unknown_edge(location, names))
    }
}

/// Replays a trace through the engine.
pub struct TraceSource<R: TraceReader> {
    reader: R,
    by_number: HashMap<u64, u32, FixedState>,
    by_name: HashMap<Box<[u8]>, u32, FixedState>,
    edges: Edges,
    /// Log URIs choose their behavior; CSV ids do not.
    match_paths: bool,
    first_time_us: Option<i64>,
    last: SimTime,
    limit: u64,
    signatures: Option<LogSignatures>,
    stats: TraceStats,
    error: Option<TraceError>,
}

impl<R: TraceReader> TraceSource<R> {
    /// `match_paths`: the trace's keys are URL paths (access logs) that pick
    /// cache behaviors by path pattern.
    pub fn new(reader: R, scenario: &Scenario, run_seed: u64, match_paths: bool) -> TraceSource<R> {
        TraceSource {
            reader,
            by_number: HashMap::with_capacity_and_hasher(1 << 16, FixedState::with_seed(0)),
            by_name: HashMap::with_capacity_and_hasher(if match_paths { 1 << 12 } else { 0 }, FixedState::with_seed(0)),
            edges: Edges::new(scenario, run_seed),
            match_paths,
            first_time_us: None,
            last: SimTime::ZERO,
            limit: u64::MAX,
            signatures: LogSignatures::new(scenario, run_seed),
            stats: TraceStats::default(),
            error: None,
        }
    }

    /// Stops after `n` requests.
    pub fn with_limit(mut self, n: u64) -> Self {
        self.limit = n;
        self
    }

    /// A starting size for cache tables, which grow as objects arrive. Kept
    /// small: a cache index sized for millions of objects when a trace has
    /// thousands spreads them over pages and costs a TLB miss per lookup.
    pub fn expected_objects(&self) -> u64 {
        (self.reader.progress().total_bytes / 32).clamp(1 << 10, 1 << 16)
    }

    pub fn progress_handle(&self) -> ProgressHandle {
        self.reader.progress_handle()
    }

    /// What was read; malformed lines included.
    pub fn stats(&self) -> TraceStats {
        TraceStats { malformed: self.reader.malformed().clone(), ..self.stats.clone() }
    }

    /// The error that ended the trace early (an unreadable file, or a
    /// malformed line with `strict`), if any.
    pub fn take_error(&mut self) -> Option<TraceError> {
        self.error.take()
    }
}

fn unknown_edge(location: &str, names: &[String]) -> String {
    format!("edge location {location:?} is not in the scenario's topology (its edges: {})", names.join(", "))
}

/// A canonical decimal id (no sign, no leading zero) as a number: the fast map.
fn numeric_id(key: &[u8]) -> Option<u64> {
    if key.len() > 1 && key[0] == b'0' {
        return None;
    }
    super::parse_u64(key)
}

impl<R: TraceReader> RequestSource for TraceSource<R> {
    fn next_request(&mut self, catalog: &mut Catalog) -> Option<(SimTime, ViewerRequest)> {
        if self.error.is_some() || self.stats.requests >= self.limit {
            return None;
        }
        loop {
            let record = match self.reader.next_record() {
                Ok(Some(record)) => record,
                Ok(None) => return None,
                Err(e) => {
                    self.error = Some(e);
                    return None;
                }
            };
            let edge = match self.edges.edge_of(record.edge_location) {
                Ok(edge) => edge,
                Err(reason) => {
                    if let Err(e) = self.reader.reject_last(reason) {
                        self.error = Some(e);
                        return None;
                    }
                    continue;
                }
            };
            let sets_size = record.status.is_none_or(|s| s == 200) && record.method == crate::http::Method::Get;
            let known = match record.key_number.or_else(|| numeric_id(record.key)) {
                Some(n) if !self.match_paths => self.by_number.get(&n).copied().ok_or(Some(n)),
                _ => self.by_name.get(record.key).copied().ok_or(None),
            };
            let object = match known {
                Ok(object) => {
                    let object = object as u64;
                    if sets_size {
                        catalog.set_size(object, record.size_bytes);
                    }
                    object
                }
                Err(number) => {
                    let path = if self.match_paths { std::str::from_utf8(record.key).ok() } else { None };
                    let object = catalog.add_traced_object(record.size_bytes, path);
                    match number {
                        Some(n) => self.by_number.insert(n, object as u32),
                        None => self.by_name.insert(record.key.into(), object as u32),
                    };
                    self.stats.objects += 1;
                    object
                }
            };
            let first = *self.first_time_us.get_or_insert(record.time_us);
            let mut at = SimTime(record.time_us.saturating_sub(first).max(0) as u64);
            if at < self.last {
                self.stats.out_of_order += 1;
                at = self.last;
            }
            self.last = at;
            let logged_signature = match &mut self.signatures {
                Some(signatures) => {
                    let behavior = catalog.behavior_of(object);
                    let checked = signatures.check(behavior, &record);
                    self.stats.signatures_checked += checked.is_some() as u64;
                    checked
                }
                None => None,
            };
            self.stats.requests += 1;
            return Some((
                at,
                ViewerRequest {
                    edge,
                    class: 0,
                    object,
                    method: record.method,
                    https: record.https,
                    session: 0,
                    logged_result: record.result_type,
                    logged_signature,
                    direct: None,
                },
            ));
        }
    }
}

/// Re-verifies the signed URLs of a replayed log with the edge's own
/// verifier, for behaviors that trust key groups or signers.
///
/// `now` is the log's `date` + `time` (when the response finished, to the
/// second: close enough for expiry checks, which are to the second too), and
/// the client IP is `c-ip` (the address CloudFront checked an `IpAddress`
/// condition against; with a proxy in front, `x-forwarded-for` would hold
/// the viewer's, but CloudFront uses the connecting address). The URL is
/// `https://` + the distribution's domain + `cs-uri-stem` + `?` +
/// `cs-uri-query`. Logs do not hold cookies unless cookie logging is on, so
/// a request signed with cookies only is rejected as unsigned.
pub struct LogSignatures {
    signed: crate::cdn::signed::SignedTraffic,
    url: String,
}

impl LogSignatures {
    fn new(scenario: &Scenario, run_seed: u64) -> Option<LogSignatures> {
        let signed = crate::cdn::signed::SignedTraffic::new(scenario, run_seed)?;
        Some(LogSignatures { signed, url: String::with_capacity(256) })
    }

    fn check(&mut self, behavior: usize, record: &super::TraceRecord<'_>) -> Option<Result<(), Rejection>> {
        if !self.signed.restricts(behavior) {
            return None;
        }
        self.url.clear();
        self.url.push_str("https://");
        self.url.push_str(self.signed.domain());
        // Logs URL-encode `~`, `%` and others (reference §8): undo it to get
        // the URL as the viewer sent it (signatures use `~` in their base64).
        percent_decode_into(record.key, &mut self.url);
        if !record.query.is_empty() {
            self.url.push('?');
            percent_decode_into(record.query.as_bytes(), &mut self.url);
        }
        let now_s = record.time_us.div_euclid(1_000_000);
        let ip = record.client_ip.and_then(|ip| ip.parse().ok()).unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]));
        Some(self.signed.check_url(behavior, &self.url, now_s, ip))
    }
}

/// Appends `text` with each `%XX` escape decoded (invalid escapes stay as they are).
fn percent_decode_into(text: &[u8], out: &mut String) {
    let hex = |b: u8| (b as char).to_digit(16);
    let mut bytes = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'%'
            && i + 2 < text.len()
            && let (Some(h), Some(l)) = (hex(text[i + 1]), hex(text[i + 2]))
        {
            bytes.push((h * 16 + l) as u8);
            i += 3;
        } else {
            bytes.push(text[i]);
            i += 1;
        }
    }
    out.push_str(&String::from_utf8_lossy(&bytes));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_urls_are_decoded_once() {
        let mut out = String::new();
        percent_decode_into(b"/a%20b?Signature=x%7Ey&bad=%zz&pct=%2541%", &mut out);
        assert_eq!(out, "/a b?Signature=x~y&bad=%zz&pct=%41%");
    }

    #[test]
    fn canonical_numbers_take_the_numeric_map() {
        assert_eq!(numeric_id(b"42"), Some(42));
        assert_eq!(numeric_id(b"0"), Some(0));
        assert_eq!(numeric_id(b"042"), None);
        assert_eq!(numeric_id(b"4a"), None);
    }
}
