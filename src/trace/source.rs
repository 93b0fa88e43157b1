//! A trace as the engine's [`RequestSource`]: each record becomes a viewer
//! request.
//!
//! - **Objects.** Each distinct object id (CSV) or URI stem (log) becomes the
//!   next dense object number on first sight, through tables kept here,
//!   out of the engine; the catalog learns its size and, for a log URI, the
//!   cache behavior whose path pattern it matches (matched once per object).
//!   CSV ids get the default behavior. Each CSV request carries its own
//!   line's size; a log request that carries the body (a GET answered 200)
//!   sets the object's size in the catalog, and one that does not (a HEAD,
//!   an error) uses the size last set. So a trace whose sizes change counts
//!   each request's bytes.
//! - **Time.** Simulated time is trace time minus the first record's. Equal
//!   timestamps keep file order; a record earlier than the one before it
//!   (CloudFront does not promise log order) is clamped to that one's time
//!   and counted in `out_of_order`.
//! - **Edges.** With one edge location, or an [`EdgeMap`] of `all=EDGE`,
//!   every request goes to that edge. Otherwise a log's `x-edge-location`
//!   (`IAD89-C1`) is mapped by [`map_location`]: by name, or by the map's
//!   pairs and airport codes. A line at a location still unknown is skipped
//!   and counted by location ([`UnknownLocations`]); with `strict` it is an
//!   error. Requests without a location (CSV) are spread over the edges by
//!   their viewer weights.
//! - **Nothing replayed** is an error ([`TraceSource::finish`]) that says
//!   why: every location unknown (with the `--edge-map` that would fix it),
//!   every line malformed, or no records at all.
//! - **Signed URLs.** See [`LogSignatures`].
//! - **Query strings and cookies.** When some behavior's cache policy keys
//!   query strings or cookies, a log request's `cs-uri-query` and
//!   `cs(Cookie)` (a CSV's `--query-col` and `--cookie-col`) are keyed as logged (`policy::cache_key::traced_variant`)
//!   under its behavior's policy, here, once the behavior is known: the
//!   request reaches the engine with its variant. Copied into reused
//!   buffers, so nothing is allocated per request once they have grown.
//!   Longer than CloudFront allows (`MAX_TRACED_QUERY_BYTES`,
//!   `MAX_TRACED_COOKIE_BYTES`) is an error naming the line.

use super::edge_map::{EdgeMap, map_location};
use super::ids::IdTable;
use super::lines::ProgressHandle;
use super::{Malformed, MalformedLines, TraceError, TraceReader};
use crate::cdn::traffic::{Catalog, ObjectFacts, RequestSource, ViewerRequest};
use crate::policy::cache_key::{self, MAX_TRACED_COOKIE_BYTES, MAX_TRACED_QUERY_BYTES};
use crate::rng::{Stream, stream_rng};
use crate::scenario::Scenario;
use crate::time::SimTime;
use cdnsim_sign::Rejection;
use foldhash::fast::FixedState;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::Distribution;
use rand_distr::weighted::WeightedAliasIndex;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

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
    /// Lines skipped because their edge location is not in the scenario.
    pub unknown_locations: UnknownLocations,
}

/// Lines skipped because no edge of the scenario replays their location.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct UnknownLocations {
    /// Lines skipped, all locations together.
    pub lines: u64,
    /// Each location, most lines first (then in the order first met).
    pub by_location: Vec<UnknownLocation>,
}

/// One location no edge replays.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct UnknownLocation {
    /// As logged (`IAD89-C1`).
    pub location: String,
    /// Lines skipped at it.
    pub lines: u64,
    /// Where the first of them is.
    pub file: PathBuf,
    pub line: u64,
}

/// How trace requests are assigned to the scenario's edge locations.
enum Edges {
    /// Every request to this edge: the scenario has one, or `all=EDGE`.
    Fixed(usize),
    Many {
        /// Locations met so far and where each goes.
        known: HashMap<Box<str>, Known, FixedState>,
        by_weight: WeightedAliasIndex<f64>,
        rng: Box<Xoshiro256PlusPlus>,
        /// What a location met for the first time needs.
        names: Box<EdgeNames>,
    },
}

/// The edges' names, the map onto them, and the locations it left unknown.
struct EdgeNames {
    names: Vec<String>,
    map: EdgeMap,
    /// The locations met that no edge replays, in order of first sight.
    unknown: Vec<UnknownLocation>,
}

/// Where a location met before goes.
#[derive(Clone, Copy)]
enum Known {
    Edge(usize),
    /// Its index in `unknown`.
    Unknown(usize),
}

impl Edges {
    fn new(scenario: &Scenario, run_seed: u64) -> Edges {
        let edges = &scenario.topology.edges;
        if edges.len() == 1 {
            return Edges::Fixed(0);
        }
        Edges::Many {
            names: Box::new(EdgeNames {
                names: edges.iter().map(|e| e.name.clone()).collect(),
                map: EdgeMap::default(),
                unknown: Vec::new(),
            }),
            known: HashMap::default(),
            by_weight: WeightedAliasIndex::new(edges.iter().map(|e| e.viewer_weight).collect())
                .expect("validated: weights are positive"),
            rng: Box::new(stream_rng(run_seed, Stream::Arrivals)),
        }
    }

    /// The edge of a record at `location`, or `Err` with the location's
    /// index in `unknown`.
    #[inline(always)]
    fn edge_of(&mut self, location: Option<&str>) -> Result<usize, usize> {
        let (known, by_weight, rng, names) = match self {
            Edges::Fixed(edge) => return Ok(*edge),
            Edges::Many { known, by_weight, rng, names } => (known, by_weight, rng, names),
        };
        let Some(location) = location else { return Ok(by_weight.sample(rng.as_mut())) };
        let found = match known.get(location) {
            Some(&found) => found,
            None => {
                let found = match map_location(location, &names.names, &names.map) {
                    Some(edge) => Known::Edge(edge),
                    None => {
                        let place =
                            UnknownLocation { location: location.into(), lines: 0, file: PathBuf::new(), line: 0 };
                        names.unknown.push(place);
                        Known::Unknown(names.unknown.len() - 1)
                    }
                };
                known.insert(location.into(), found);
                found
            }
        };
        match found {
            Known::Edge(edge) => Ok(edge),
            Known::Unknown(index) => Err(index),
        }
    }

    /// The skipped lines by location, most first.
    fn unknown_locations(&self) -> UnknownLocations {
        let Edges::Many { names, .. } = self else { return UnknownLocations::default() };
        let mut by_location: Vec<UnknownLocation> = names.unknown.iter().filter(|u| u.lines > 0).cloned().collect();
        // Stable: equal counts stay in order of first sight.
        by_location.sort_by_key(|u| std::cmp::Reverse(u.lines));
        UnknownLocations { lines: by_location.iter().map(|u| u.lines).sum(), by_location }
    }
}

/// How many records are read ahead of the one the engine takes next. A
/// record's id-table bucket is prefetched when it is read, its number
/// looked up (and, for a log, its catalog entry prefetched) `LOOKAHEAD / 2`
/// records later, and it is handed over `LOOKAHEAD / 2` after that: on a
/// trace of a million objects each of those loads would otherwise be a wait
/// on memory. A power of two.
const LOOKAHEAD: usize = 16;

/// A record read ahead, owning what the request needs of its line.
struct Ahead {
    time_us: i64,
    /// The key as a number (CSV ids, when the id map takes numbers).
    number: Option<u64>,
    /// The key's bytes, when they are needed: a name key, or a URL to re-verify.
    key: Vec<u8>,
    size_bytes: u64,
    /// Whether this request carries the body, and so gives the object's size.
    sets_size: bool,
    method: crate::http::Method,
    https: bool,
    edge: usize,
    /// The log's result types, to compare with the simulated ones.
    logged_result: Option<crate::policy::result_type::Logged>,
    /// For re-verifying a signed URL, and for a cache key that holds query
    /// strings: the query as logged.
    query: Vec<u8>,
    /// For a cache key that holds cookies: the `Cookie` header as logged.
    cookie: Vec<u8>,
    client_ip: Option<std::net::IpAddr>,
    /// Set when resolved: the object, and whether this record added it.
    object: u64,
    added: bool,
}

impl Ahead {
    fn empty() -> Ahead {
        Ahead {
            time_us: 0,
            number: None,
            key: Vec::new(),
            size_bytes: 0,
            sets_size: false,
            method: crate::http::Method::Get,
            https: false,
            edge: 0,
            logged_result: None,
            query: Vec::new(),
            cookie: Vec::new(),
            client_ip: None,
            object: 0,
            added: false,
        }
    }
}

/// Replays a trace through the engine.
///
/// Records flow through a ring of [`LOOKAHEAD`] slots in three steps, each
/// in file order: *read* (parse, pick the edge, prefetch the id's bucket),
/// *resolve* (id → object number, a new object joins the catalog) and
/// *hand over* (size, time, signature). Every step sees the records in the
/// same order as without read-ahead, so the requests are the same.
pub struct TraceSource<R: TraceReader> {
    reader: R,
    by_number: IdTable,
    by_name: HashMap<Box<[u8]>, u32, FixedState>,
    edges: Edges,
    /// Log URIs choose their behavior; CSV ids do not.
    match_paths: bool,
    ring: Box<[Ahead]>,
    /// Records read, resolved and handed over since the start; slot `n % LOOKAHEAD` holds record `n`.
    read: u64,
    resolved: u64,
    handed_over: u64,
    /// The reader has nothing more (or failed: see `error`).
    input_done: bool,
    first_time_us: Option<i64>,
    last: SimTime,
    limit: u64,
    /// Trace time past the first request that the scenario's metrics
    /// intervals hold (`SimulationSpec::metrics_horizon`).
    horizon_us: u64,
    scenario_file: std::path::PathBuf,
    metrics_interval: crate::time::SimDuration,
    signatures: Option<LogSignatures>,
    /// Per behavior, its cache key settings when they key query strings or
    /// cookies; empty when no behavior's do (then nothing is copied).
    // Invariant: empty, or one entry per behavior.
    logged_keys: Vec<Option<crate::scenario::CacheKeySettings>>,
    stats: TraceStats,
    error: Option<TraceError>,
}

impl<R: TraceReader> TraceSource<R> {
    /// `match_paths`: the trace's keys are URL paths (access logs) that pick
    /// cache behaviors by path pattern.
    pub fn new(reader: R, scenario: &Scenario, run_seed: u64, match_paths: bool) -> TraceSource<R> {
        TraceSource {
            reader,
            by_number: IdTable::with_capacity(1 << 16),
            by_name: HashMap::with_capacity_and_hasher(if match_paths { 1 << 12 } else { 0 }, FixedState::with_seed(0)),
            edges: Edges::new(scenario, run_seed),
            match_paths,
            ring: (0..LOOKAHEAD).map(|_| Ahead::empty()).collect(),
            read: 0,
            resolved: 0,
            handed_over: 0,
            input_done: false,
            first_time_us: None,
            last: SimTime::ZERO,
            limit: u64::MAX,
            horizon_us: scenario.simulation.metrics_horizon().0,
            scenario_file: scenario.file.clone(),
            metrics_interval: scenario.simulation.metrics_interval,
            signatures: LogSignatures::new(scenario, run_seed),
            logged_keys: logged_keys(scenario),
            stats: TraceStats::default(),
            error: None,
        }
    }

    /// Stops after `n` requests.
    pub fn with_limit(mut self, n: u64) -> Self {
        self.limit = n;
        self
    }

    /// A starting size for cache tables, which grow as objects arrive.
    /// Small, because how many objects a cache will hold depends on sizes
    /// not read yet: a 64 MiB cache of 32 KiB objects holds 2,000, and an
    /// index sized for 64k spread them over a megabyte, a miss in the CPU's
    /// first caches on every lookup (measured: 23% of a replay's time).
    pub fn expected_objects(&self) -> u64 {
        1 << 12
    }

    pub fn progress_handle(&self) -> ProgressHandle {
        self.reader.progress_handle()
    }

    /// Maps the log's edge locations onto the scenario's edges by `map`
    /// instead of by name alone; an error if it names an edge the
    /// scenario does not have.
    pub fn with_edge_map(mut self, edge_map: &EdgeMap, scenario: &Scenario) -> Result<Self, String> {
        let names: Vec<String> = scenario.topology.edges.iter().map(|e| e.name.clone()).collect();
        edge_map.check(&names)?;
        if let Some(all) = edge_map.all() {
            self.edges = Edges::Fixed(names.iter().position(|n| n == all).expect("checked"));
        } else if let Edges::Many { names, .. } = &mut self.edges {
            names.map = edge_map.clone();
        }
        Ok(self)
    }

    /// What was read; malformed lines and skipped ones included.
    pub fn stats(&self) -> TraceStats {
        TraceStats {
            malformed: self.reader.malformed().clone(),
            unknown_locations: self.edges.unknown_locations(),
            ..self.stats.clone()
        }
    }

    /// The error that ended the trace early (an unreadable file, or a
    /// malformed line with `strict`), if any.
    pub fn take_error(&mut self) -> Option<TraceError> {
        self.error.take()
    }

    /// After the run: what was read, or the error that ended the trace
    /// early, or [`TraceError::NothingReplayed`] if no request came of it.
    pub fn finish(&mut self) -> Result<TraceStats, TraceError> {
        if let Some(error) = self.take_error() {
            return Err(error);
        }
        let stats = self.stats();
        if stats.requests > 0 {
            return Ok(stats);
        }
        let (names, map) = match &self.edges {
            Edges::Many { names, .. } => (names.names.as_slice(), names.map.clone()),
            Edges::Fixed(_) => (&[][..], EdgeMap::default()),
        };
        Err(nothing_replayed(&stats, names, &map, self.reader.place().0))
    }

    /// Counts a record skipped at the unknown location `index`; with
    /// `strict`, the error instead.
    fn skip_unknown(&mut self, index: usize) -> Result<(), TraceError> {
        let (file, line) = self.reader.place();
        let Edges::Many { names, .. } = &mut self.edges else { unreachable!("one edge knows all") };
        let EdgeNames { names, map, unknown } = names.as_mut();
        let skipped = &mut unknown[index];
        if self.reader.strict() {
            let fix = edge_map_fix(&[skipped.location.as_str()], names, map);
            let reason = format!("{} (fix: {fix})", unknown_edge(&skipped.location, names));
            return Err(TraceError::Malformed(Malformed { file: file.to_path_buf(), line, reason }));
        }
        skipped.lines += 1;
        if skipped.lines == 1 {
            (skipped.file, skipped.line) = (file.to_path_buf(), line);
        }
        Ok(())
    }

    /// Reads the next usable record into its ring slot; false at the end
    /// of the input, or on an error (kept for `take_error`).
    fn read_one(&mut self) -> bool {
        let slot = (self.read % LOOKAHEAD as u64) as usize;
        loop {
            let record = match self.reader.next_record() {
                Ok(Some(record)) => record,
                Ok(None) => return false,
                Err(e) => {
                    self.error = Some(e);
                    return false;
                }
            };
            let edge = match self.edges.edge_of(record.edge_location) {
                Ok(edge) => edge,
                Err(unknown) => {
                    if let Err(e) = self.skip_unknown(unknown) {
                        self.error = Some(e);
                        return false;
                    }
                    continue;
                }
            };
            let first = *self.first_time_us.get_or_insert(record.time_us);
            let offset_us = record.time_us.saturating_sub(first).max(0) as u64;
            if offset_us >= self.horizon_us {
                self.error = Some(self.past_horizon(offset_us));
                return false;
            }
            let keyed = !self.logged_keys.is_empty();
            if keyed && (record.query.len() > MAX_TRACED_QUERY_BYTES || record.cookie.len() > MAX_TRACED_COOKIE_BYTES) {
                let (query, cookie) = (record.query.len(), record.cookie.len());
                self.error = Some(self.too_much_to_key(query, cookie));
                return false;
            }
            let ahead = &mut self.ring[slot];
            ahead.number = match record.key_number.or_else(|| numeric_id(record.key)) {
                Some(n) if !self.match_paths => Some(n),
                _ => None,
            };
            ahead.key.clear();
            if ahead.number.is_none() || self.signatures.is_some() {
                ahead.key.extend_from_slice(record.key);
            }
            ahead.query.clear();
            ahead.client_ip = None;
            if self.signatures.is_some() {
                ahead.query.extend_from_slice(record.query.as_bytes());
                ahead.client_ip = record.client_ip.and_then(|ip| ip.parse().ok());
            }
            // Read only when some behavior keys query strings or cookies.
            if keyed {
                if self.signatures.is_none() {
                    ahead.query.extend_from_slice(record.query.as_bytes());
                }
                ahead.cookie.clear();
                ahead.cookie.extend_from_slice(record.cookie.as_bytes());
            }
            ahead.time_us = record.time_us;
            ahead.size_bytes = record.size_bytes;
            ahead.sets_size = record.status.is_none_or(|s| s == 200) && record.method == crate::http::Method::Get;
            ahead.method = record.method;
            ahead.https = record.https;
            ahead.edge = edge;
            ahead.logged_result =
                crate::policy::result_type::Logged::new(record.result_type, record.detailed_result_type);
            if let Some(n) = ahead.number {
                self.by_number.prefetch(n);
            }
            self.read += 1;
            return true;
        }
    }

    /// The error for a record whose query string (`query` bytes) or cookies
    /// (`cookie` bytes) are longer than any request CloudFront serves.
    #[cold]
    fn too_much_to_key(&self, query: usize, cookie: usize) -> TraceError {
        let (file, line) = self.reader.place();
        let what = if query > MAX_TRACED_QUERY_BYTES {
            format!(
                "cs-uri-query is {query} bytes, longer than CloudFront's {MAX_TRACED_QUERY_BYTES}-byte URL limit, \
                 so no request CloudFront served carries it"
            )
        } else {
            format!(
                "cs(Cookie) is {cookie} bytes, longer than CloudFront's {MAX_TRACED_COOKIE_BYTES}-byte limit on \
                 a request's headers, so no request CloudFront served carries it"
            )
        };
        TraceError::Unsupported {
            file: file.to_path_buf(),
            line,
            what,
            fix: "remove the line (a behavior's cache policy keys query strings or cookies, so they are read)"
                .to_string(),
        }
    }

    /// The variant of a log request for `object` of `behavior`: its query
    /// string and cookies as its behavior's policy keys them; an error for
    /// an object past those a key can tell apart. Kept out of line: a
    /// replay whose keys hold neither never calls it.
    #[inline(never)]
    fn logged_variant(&self, ahead: &Ahead, behavior: usize) -> Result<Option<std::num::NonZeroU64>, TraceError> {
        let Some(Some(settings)) = self.logged_keys.get(behavior) else { return Ok(None) };
        // Checked UTF-8 by the log reader (the query), or copied from a `&str` (both).
        let (query, cookie) = (std::str::from_utf8(&ahead.query), std::str::from_utf8(&ahead.cookie));
        let variant = cache_key::traced_variant(settings, query.unwrap_or(""), cookie.unwrap_or(""));
        if variant.is_some() && ahead.object >= crate::scenario::MAX_OBJECTS_WITH_VARIANTS {
            let (file, line) = self.reader.place();
            return Err(TraceError::Unsupported {
                file: file.to_path_buf(),
                line,
                what: format!(
                    "this request's query string or cookies are in its cache key, and its object is the trace's \
                     object number {} (from 0): keys tell at most {} objects apart",
                    ahead.object,
                    crate::scenario::MAX_OBJECTS_WITH_VARIANTS
                ),
                fix: "replay fewer objects (--requests N stops earlier), or key no query string or cookie".to_string(),
            });
        }
        Ok(variant)
    }

    /// The error for a trace whose record at `offset_us` (past the first
    /// request) is past the metrics horizon: it reads the rest of the trace
    /// (up to the limit), simulating none of it, so that the fix can name
    /// an interval that holds all of it.
    #[cold]
    fn past_horizon(&mut self, offset_us: u64) -> TraceError {
        let (file, line) = self.reader.place();
        let (file, line) = (file.to_path_buf(), line);
        let first = self.first_time_us.expect("set by the record past the horizon");
        let mut span_us = offset_us;
        let mut read = self.read + 1;
        while read < self.limit {
            match self.reader.next_record() {
                Ok(Some(record)) => span_us = span_us.max(record.time_us.saturating_sub(first).max(0) as u64),
                // A later read error leaves the span a lower bound, which is
                // still past the horizon.
                Ok(None) | Err(_) => break,
            }
            read += 1;
        }
        let span = crate::time::SimDuration(span_us);
        TraceError::TooLong(Box::new(super::TooLong {
            scenario: self.scenario_file.clone(),
            file,
            line,
            span: crate::units::format_duration(span),
            horizon: crate::units::format_duration(crate::time::SimDuration(self.horizon_us)),
            interval: crate::units::format_duration(self.metrics_interval),
            fits: crate::scenario::interval_text(crate::scenario::interval_that_fits(span)),
        }))
    }

    /// Gives the next read record its object number, adding the object to
    /// the catalog on first sight.
    fn resolve_one(&mut self, catalog: &mut Catalog) {
        let ahead = &mut self.ring[(self.resolved % LOOKAHEAD as u64) as usize];
        let mut add = |path: Option<&str>| catalog.add_traced_object(ahead.size_bytes, path) as u32;
        let (object, added) = match ahead.number {
            Some(n) => self.by_number.get_or_insert(n, || add(None)),
            None => match self.by_name.get(ahead.key.as_slice()) {
                Some(&object) => (object, false),
                None => {
                    let path = if self.match_paths { std::str::from_utf8(&ahead.key).ok() } else { None };
                    let object = add(path);
                    self.by_name.insert(ahead.key.as_slice().into(), object);
                    (object, true)
                }
            },
        };
        ahead.object = object as u64;
        ahead.added = added;
        self.stats.objects += added as u64;
        if self.match_paths {
            catalog.prefetch(ahead.object);
        }
        self.resolved += 1;
    }
}

fn unknown_edge(location: &str, names: &[String]) -> String {
    format!("edge location {location:?} is not in the scenario's topology (its edges: {})", names.join(", "))
}

/// How many unknown locations an error lists by name.
const UNKNOWN_SHOWN: usize = 5;

/// The `--edge-map` rules that would replay `locations` (the most common
/// first) on `edges`, as a fix to print.
fn edge_map_fix(locations: &[&str], edges: &[String], map: &EdgeMap) -> String {
    let (Some(location), Some(edge)) = (locations.first(), edges.first()) else {
        return "map the log's edge locations with --edge-map".to_string();
    };
    let mut ways = vec![format!("--edge-map all={edge} replays every line at {edge}")];
    if !map.uses_airport() {
        let airport = map.with_airport();
        let by_code = locations.iter().find_map(|l| map_location(l, edges, &airport).map(|e| (l, &edges[e])));
        if let Some((l, e)) = by_code {
            ways.push(format!("--edge-map airport replays {l} at {e} (by its airport code)"));
        }
    }
    ways.push(format!("--edge-map {location}={edge} maps one location (repeatable, or comma-separated)"));
    ways.push("or name the scenario's edge locations after the log's".to_string());
    ways.join("; ")
}

/// Why a trace read to its end gave no request, and what to do.
fn nothing_replayed(stats: &TraceStats, edges: &[String], map: &EdgeMap, last_file: &Path) -> TraceError {
    let malformed = &stats.malformed;
    let unknown = &stats.unknown_locations;
    if let Some(top) = unknown.by_location.first() {
        let mut listed: Vec<String> = unknown
            .by_location
            .iter()
            .take(UNKNOWN_SHOWN)
            .map(|u| format!("{} at {} (first at {}:{})", lines(u.lines), u.location, u.file.display(), u.line))
            .collect();
        let rest = &unknown.by_location[listed.len()..];
        if !rest.is_empty() {
            let rest_lines = rest.iter().map(|u| u.lines).sum();
            listed.push(format!("and {} at {} more locations", lines(rest_lines), rest.len()));
        }
        let mut problem = format!(
            "none of the trace's edge locations is one of the scenario's ({}): skipped {}",
            edges.join(", "),
            listed.join(", ")
        );
        if let Some(first) = malformed.first.first() {
            problem.push_str(&format!("; {} were malformed, the first at {first}", lines(malformed.count)));
        }
        let locations: Vec<&str> = unknown.by_location.iter().map(|u| u.location.as_str()).collect();
        return TraceError::NothingReplayed {
            file: top.file.clone(),
            line: Some(top.line),
            problem,
            fix: edge_map_fix(&locations, edges, map),
        };
    }
    if let Some(first) = malformed.first.first() {
        return TraceError::NothingReplayed {
            file: first.file.clone(),
            line: Some(first.line),
            problem: format!(
                "all {} with a record are malformed, the first because {}",
                lines(malformed.count),
                first.reason
            ),
            fix: "check the format (--trace-format csv or cloudfront-log) and, for a CSV trace, its columns \
                  (--time-col, --id-col, --size-col, --delimiter, --no-header, --time-unit)"
                .to_string(),
        };
    }
    TraceError::NothingReplayed {
        file: last_file.to_path_buf(),
        line: None,
        problem: "the trace holds no records, only blank or header lines".to_string(),
        fix: "give a trace with at least one request in it".to_string(),
    }
}

/// Per behavior, its cache key settings when they key query strings or
/// cookies (`cache_key::keys_logged_parts`); empty when none does, and so
/// for `cdnsim replay`, whose one behavior keys the path alone.
fn logged_keys(scenario: &Scenario) -> Vec<Option<crate::scenario::CacheKeySettings>> {
    let behaviors = &scenario.distribution.behaviors;
    if !behaviors.iter().any(|b| cache_key::keys_logged_parts(&b.cache_key)) {
        return Vec::new();
    }
    behaviors.iter().map(|b| cache_key::keys_logged_parts(&b.cache_key).then(|| b.cache_key.clone())).collect()
}

/// "1 line", "5 lines".
fn lines(n: u64) -> String {
    if n == 1 { "1 line".to_string() } else { format!("{n} lines") }
}

/// A canonical decimal id (no sign, no leading zero) as a number: the fast map.
fn numeric_id(key: &[u8]) -> Option<u64> {
    if key.len() > 1 && key[0] == b'0' {
        return None;
    }
    super::parse_u64(key)
}

impl<R: TraceReader> RequestSource for TraceSource<R> {
    fn grows_catalog(&self) -> bool {
        true
    }

    /// A log holds the HTTPS retry of a redirected viewer as a line of its own.
    fn viewers_retry_redirects(&self) -> bool {
        false
    }

    fn peek_ahead(&self, distance: usize) -> Option<(usize, u64, crate::http::Method)> {
        let n = self.handed_over + distance.checked_sub(1)? as u64;
        (n < self.resolved).then(|| {
            let ahead = &self.ring[(n % LOOKAHEAD as u64) as usize];
            (ahead.edge, ahead.object, ahead.method)
        })
    }

    fn next_request(&mut self, catalog: &mut Catalog) -> Option<(SimTime, ViewerRequest)> {
        while !self.input_done && self.read - self.handed_over < LOOKAHEAD as u64 {
            if self.read >= self.limit || !self.read_one() {
                self.input_done = true;
            }
        }
        while self.resolved < self.read && (self.input_done || self.resolved - self.handed_over < LOOKAHEAD as u64 / 2)
        {
            self.resolve_one(catalog);
        }
        if self.handed_over == self.resolved {
            return None;
        }
        let ahead = &self.ring[(self.handed_over % LOOKAHEAD as u64) as usize];
        self.handed_over += 1;
        // Every CSV line gives its object's size and every CSV object takes
        // the default behavior, so its request carries both and neither the
        // engine nor this source touches the object's catalog entry: in a
        // trace of a million objects, a read at random saved per request.
        // A log line may give no size (a HEAD, an error): its request reads
        // the size last given, kept in the catalog.
        let object_facts = (!self.match_paths)
            .then(|| ObjectFacts { size_bytes: ahead.size_bytes, behavior: catalog.default_behavior() });
        if self.match_paths && ahead.sets_size && !ahead.added {
            catalog.set_size(ahead.object, ahead.size_bytes);
        }
        let first = self.first_time_us.expect("set when the first record was read");
        let mut at = SimTime(ahead.time_us.saturating_sub(first).max(0) as u64);
        if at < self.last {
            self.stats.out_of_order += 1;
            at = self.last;
        }
        self.last = at;
        let logged_signature = match &mut self.signatures {
            Some(signatures) => {
                let behavior = object_facts.map_or_else(|| catalog.behavior_of(ahead.object), |f| f.behavior);
                let checked = signatures.check(behavior, ahead);
                self.stats.signatures_checked += checked.is_some() as u64;
                checked
            }
            None => None,
        };
        let traced_variant = if self.logged_keys.is_empty() {
            None
        } else {
            let behavior = object_facts.map_or_else(|| catalog.behavior_of(ahead.object), |f| f.behavior);
            match self.logged_variant(ahead, behavior) {
                Ok(variant) => variant,
                Err(e) => {
                    self.error = Some(e);
                    self.input_done = true;
                    return None;
                }
            }
        };
        self.stats.requests += 1;
        Some((
            at,
            ViewerRequest {
                edge: ahead.edge,
                // A replayed request keeps its logged edge: its viewers
                // are that edge's own (`cdn::viewers`).
                population: ahead.edge as u16,
                class: 0,
                object: ahead.object,
                method: ahead.method,
                https: ahead.https,
                session: 0,
                logged_result: ahead.logged_result,
                logged_signature,
                direct: None,
                object_facts,
                // A log's query string and cookies are not a class's slots:
                // what the key holds of them is `traced_variant`.
                attributes: crate::scenario::RequestAttributes::NONE,
                traced_variant,
            },
        ))
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

    fn check(&mut self, behavior: usize, record: &Ahead) -> Option<Result<(), Rejection>> {
        if !self.signed.restricts(behavior) {
            return None;
        }
        self.url.clear();
        self.url.push_str("https://");
        self.url.push_str(self.signed.domain());
        // Logs URL-encode `~`, `%` and others (reference §8): undo it to get
        // the URL as the viewer sent it (signatures use `~` in their base64).
        percent_decode_into(&record.key, &mut self.url);
        if !record.query.is_empty() {
            self.url.push('?');
            percent_decode_into(&record.query, &mut self.url);
        }
        let now_s = record.time_us.div_euclid(1_000_000);
        let ip = record.client_ip.unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]));
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

    /// (time, key, size, status), or why the file could not be read.
    type Line = Result<(i64, String, u64, Option<u16>), String>;

    /// Records from memory; an `Err` entry is an unreadable file.
    struct Scripted {
        records: Vec<Line>,
        next: usize,
        malformed: MalformedLines,
    }

    impl TraceReader for Scripted {
        fn next_record(&mut self) -> Result<Option<super::super::TraceRecord<'_>>, TraceError> {
            let Some(entry) = self.records.get(self.next) else { return Ok(None) };
            self.next += 1;
            let (time_us, key, size_bytes, status) =
                entry.as_ref().map_err(|reason| TraceError::Unreadable { file: "t".into(), reason: reason.clone() })?;
            Ok(Some(super::super::TraceRecord {
                time_us: *time_us,
                key: key.as_bytes(),
                key_number: None,
                size_bytes: *size_bytes,
                method: crate::http::Method::Get,
                https: true,
                edge_location: None,
                client_ip: None,
                query: "",
                cookie: "",
                status: *status,
                result_type: None,
                detailed_result_type: None,
            }))
        }
        fn malformed(&self) -> &MalformedLines {
            &self.malformed
        }
        fn progress(&self) -> super::super::lines::ReadProgress {
            super::super::lines::ReadProgress { read_bytes: 0, total_bytes: 0 }
        }
        fn progress_handle(&self) -> ProgressHandle {
            unreachable!("no progress bar in tests")
        }
        fn place(&self) -> (&Path, u64) {
            (Path::new("t"), self.next as u64)
        }
        fn strict(&self) -> bool {
            false
        }
    }

    /// Read-ahead must not show: objects numbered in order of first sight,
    /// each request seeing the size its own line set (later lines of the
    /// same object, already read, must not leak back), out-of-order times
    /// clamped, the limit and a read error honoured after the records
    /// before them. Checked against a plain reading of the same records,
    /// as ids (CSV: a request's size is its line's) and as paths (logs: a
    /// 404 gives no size, so its request sees the last one given).
    #[test]
    fn reading_ahead_changes_no_request() {
        for match_paths in [false, true] {
            reading_ahead_changes_no_request_when(match_paths);
        }
    }

    fn reading_ahead_changes_no_request_when(match_paths: bool) {
        let text = crate::replay::replay_scenario("t", 1 << 30, crate::scenario::EvictionPolicy::Lru, None);
        let scenario = Scenario::from_toml_str(std::path::Path::new("t.toml"), &text, &[]).unwrap();
        let keys = ["17", "0", "017", "abc", "17", "99999999999999", "0", "abc", "5"];
        let records: Vec<Line> = (0..200u64)
            .map(|i| {
                let key = keys[(i * i % 11 % keys.len() as u64) as usize].to_string();
                let status = if i % 7 == 3 { Some(404) } else { Some(200) };
                // Time goes back now and then: clamped, not reordered.
                Ok((1_000_000 + (i as i64) * 10 - if i % 13 == 5 { 25 } else { 0 }, key, 100 + i, status))
            })
            .collect();
        for (limit, error_at) in [(u64::MAX, None), (1, None), (20, None), (u64::MAX, Some(37)), (50, Some(120))] {
            let mut records = records.clone();
            if let Some(at) = error_at {
                records[at] = Err("disk gone".into());
            }
            let reader = Scripted { records: records.clone(), next: 0, malformed: MalformedLines::default() };
            let mut source = TraceSource::new(reader, &scenario, 1, match_paths).with_limit(limit);
            let mut catalog = Catalog::for_trace(&scenario, 1, 16);
            let mut got = Vec::new();
            while let Some((at, request)) = source.next_request(&mut catalog) {
                // The size the engine uses.
                let size = request.object_facts.map_or(catalog.size_of(request.object), |f| f.size_bytes);
                got.push((at, request.object, size));
            }
            // The plain reading.
            let mut numbers: Vec<&str> = Vec::new();
            let mut sizes: Vec<u64> = Vec::new();
            let mut expected = Vec::new();
            let mut last = 0;
            for record in records.iter().take(limit.min(records.len() as u64) as usize) {
                let Ok((time_us, key, size, status)) = record else { break };
                let object = match numbers.iter().position(|k| k == key) {
                    Some(object) => {
                        if *status == Some(200) || !match_paths {
                            sizes[object] = *size;
                        }
                        object
                    }
                    None => {
                        numbers.push(key);
                        sizes.push(*size);
                        numbers.len() - 1
                    }
                };
                let at = (*time_us - 1_000_000).max(last);
                last = at;
                expected.push((SimTime(at as u64), object as u64, sizes[object]));
            }
            assert_eq!(got, expected, "paths {match_paths}, limit {limit}, error at {error_at:?}");
            assert_eq!(source.stats().objects, numbers.len() as u64);
            assert_eq!(source.take_error().is_some(), error_at.is_some_and(|at| (at as u64) < limit));
        }
    }

    #[test]
    fn canonical_numbers_take_the_numeric_map() {
        assert_eq!(numeric_id(b"42"), Some(42));
        assert_eq!(numeric_id(b"0"), Some(0));
        assert_eq!(numeric_id(b"042"), None);
        assert_eq!(numeric_id(b"4a"), None);
    }
}
