//! A run's viewer requests as CloudFront standard access logs (legacy), so the
//! tools people run on real CloudFront logs (Athena tables, GoAccess, awk
//! scripts, `cdnsim replay`) work on simulated ones.
//!
//! The format follows the CloudFront Developer Guide, "Standard logging
//! (legacy)" and its field reference ("Standard log file fields",
//! https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html;
//! reference §8): W3C extended, tab-separated, a `#Version` and a `#Fields`
//! line, one record per viewer request, `-` for an empty value, dates and
//! times in UTC, one gzip file per distribution and hour named
//! `<distribution-id>.YYYY-MM-DD-HH.<unique-id>.gz`.
//!
//! What is simulated and what is constant is listed in `scenarios/README.md`.
//! Everything a record holds is a function of the run (seed, scenario and the
//! record's position in finish order): the same run writes the same bytes.
//!
//! Files are streamed (a run can log more than fits in memory) under
//! temporary names and renamed only when the run has finished and every file
//! is complete; on an error, or if the log is dropped unfinished, the
//! temporary files are removed.

use crate::engine::observer::{FinishedRequest, RequestObserver};
use crate::rng::splitmix64;
use crate::scenario::{Scenario, ViewerHttpVersion};
use anyhow::Context;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};

/// The 33 fields of a standard log record, in file order.
pub const FIELDS: [&str; 33] = [
    "date",
    "time",
    "x-edge-location",
    "sc-bytes",
    "c-ip",
    "cs-method",
    "cs(Host)",
    "cs-uri-stem",
    "sc-status",
    "cs(Referer)",
    "cs(User-Agent)",
    "cs-uri-query",
    "cs(Cookie)",
    "x-edge-result-type",
    "x-edge-request-id",
    "x-host-header",
    "cs-protocol",
    "cs-bytes",
    "time-taken",
    "x-forwarded-for",
    "ssl-protocol",
    "ssl-cipher",
    "x-edge-response-result-type",
    "cs-protocol-version",
    "fle-status",
    "fle-encrypted-fields",
    "c-port",
    "time-to-first-byte",
    "x-edge-detailed-result-type",
    "sc-content-type",
    "sc-content-len",
    "sc-range-start",
    "sc-range-end",
];

/// The simulation does not model headers; these stand for a typical
/// response's and request's header block, so that byte totals summed from
/// the logs are of the right order.
pub const RESPONSE_HEADER_BYTES: u64 = 350;
pub const REQUEST_HEADER_BYTES: u64 = 250;

/// Mixed into the seed so the log's ids do not repeat any simulation stream.
const LOG_SALT: u64 = 0x6163_6365_7373_6c6f; // "accesslo"

/// How to write the files.
#[derive(Clone, Copy, Debug)]
pub struct AccessLogOptions {
    /// gzip each file as CloudFront does (`.gz`); plain text otherwise.
    pub gzip: bool,
}

impl Default for AccessLogOptions {
    fn default() -> Self {
        AccessLogOptions { gzip: true }
    }
}

/// The two header lines every file starts with.
pub fn header() -> String {
    format!("#Version: 1.0\n#Fields: {}\n", FIELDS.join(" "))
}

/// Appends `value` to `out` as CloudFront writes a field: `-` when empty, and
/// URL-encoded (`%XX`) for control characters, space, bytes from 127 up
/// (so every non-ASCII character, byte by byte of its UTF-8), and
/// `< > " # % { } | \ ^ ~ [ ] ` '` (DG-logs, "URL encoding").
pub fn escape_into(out: &mut String, value: &str) {
    if value.is_empty() {
        out.push('-');
        return;
    }
    for &b in value.as_bytes() {
        if needs_escape(b) {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        } else {
            out.push(b as char);
        }
    }
}

fn needs_escape(b: u8) -> bool {
    b <= 32 || b >= 127 || b"<>\"#%{}|\\^~[]`'".contains(&b)
}

/// The simulated distribution's id, `E` and 13 letters or digits like
/// CloudFront's, from its domain: the same distribution keeps its id from
/// run to run and seed to seed.
pub fn distribution_id(domain: &str) -> String {
    const ALPHABET: &[u8; 36] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    // FNV-1a over the domain, then mixed: stable across platforms and versions.
    let mut h = domain.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3));
    let mut id = String::from("E");
    for _ in 0..13 {
        h = splitmix64(h);
        id.push(ALPHABET[(h % 36) as usize] as char);
    }
    id
}

/// The response's Content-Type, from the path's extension.
fn content_type(path: &str, status: u16) -> &'static str {
    if status >= 400 {
        return "text/html";
    }
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    match ext.to_ascii_lowercase().as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "css" => "text/css",
        "js" | "mjs" => "application/javascript",
        "json" => "application/json",
        "html" | "htm" => "text/html",
        "txt" => "text/plain",
        "xml" => "application/xml",
        "mp4" | "m4s" => "video/mp4",
        "ts" => "video/MP2T",
        "m3u8" => "application/vnd.apple.mpegurl",
        "mpd" => "application/dash+xml",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// Seconds with millisecond precision, as `time-taken` is written (`0.082`).
fn push_seconds_ms(out: &mut String, micros: u64) {
    let ms = (micros + 500) / 1000;
    let _ = write!(out, "{}.{:03}", ms / 1000, ms % 1000);
}

/// A request id like CloudFront's `x-edge-request-id`: 40 bytes in URL-safe
/// base64, 56 characters ending in `==`.
fn push_request_id(out: &mut String, mut h: u64) {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bytes = [0u8; 40];
    for chunk in bytes.chunks_mut(8) {
        h = splitmix64(h);
        chunk.copy_from_slice(&h.to_le_bytes());
    }
    for group in bytes.chunks(3) {
        let n = group.iter().enumerate().fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= group.len() {
                out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
}

/// Formats records; holds what is fixed for the run and reused scratch.
pub struct RecordFormatter<'s> {
    scenario: &'s Scenario,
    id_seed: u64,
    path: String,
    /// The record's query string and `Cookie` header, built here (reused).
    query: String,
    cookie: String,
}

impl<'s> RecordFormatter<'s> {
    pub fn new(scenario: &'s Scenario, seed: u64) -> Self {
        RecordFormatter {
            scenario,
            id_seed: splitmix64(seed ^ LOG_SALT),
            path: String::with_capacity(256),
            query: String::with_capacity(256),
            cookie: String::with_capacity(256),
        }
    }

    /// Simulated time zero's Unix time: the same epoch signed URLs are checked
    /// against (`signing.epoch`), so log times and policy dates agree.
    pub fn epoch_s(&self) -> i64 {
        self.scenario.signing.epoch_s
    }

    /// Appends record number `index` (its place in finish order), with its
    /// newline, to `out`.
    pub fn format(&mut self, out: &mut String, index: u64, r: &FinishedRequest<'_>) {
        let scenario = self.scenario;
        let domain = scenario.distribution.domain.as_str();
        scenario.traffic.classes[r.class].path_of(r.object_in_class, &mut self.path);
        let (y, mo, d, h, mi, s) = crate::units::utc_fields(self.epoch_s() + (r.finished.0 / 1_000_000) as i64);
        let _ = write!(out, "{y:04}-{mo:02}-{d:02}\t{h:02}:{mi:02}:{s:02}\t");
        escape_into(out, &scenario.topology.edges[r.edge].name);
        let ip = if r.signed_query.is_some() || r.signed_cookie.is_some() {
            // A signed session keeps the address its policy was checked with.
            crate::cdn::signed::client_ip(r.class, r.session)
        } else {
            // Others get an address in 100.64.0.0/10 (shared address space)
            // from the record's number.
            IpAddr::V4(Ipv4Addr::from(0x6440_0000 | (splitmix64(self.id_seed ^ index) as u32 & 0x003f_ffff)))
        };
        let mixed = splitmix64(self.id_seed ^ index.rotate_left(32));
        let port = 1024 + (mixed >> 48) % (65_536 - 1024);
        let _ = write!(out, "\t{}\t{ip}\t{}\t{domain}\t", r.body_bytes + RESPONSE_HEADER_BYTES, r.method.as_str());
        // A class path may carry its own query string (`/img?id=7`): the log
        // splits the URL there, the query going to `cs-uri-query`, as
        // CloudFront logs it (Developer Guide, "Standard log file fields"),
        // so that a replay of the log rebuilds the same URL. The request's
        // own query parameters follow, in its order, then a signed URL's
        // signing parameters, each after `&`.
        let class = &scenario.traffic.classes[r.class];
        let (stem, class_query) = self.path.split_once('?').unwrap_or((&self.path, ""));
        self.query.clear();
        self.query.push_str(class_query);
        class.attributes.push_query(&r.attributes, &mut self.query);
        if let Some(signing) = r.signed_query.filter(|q| !q.is_empty()) {
            if !self.query.is_empty() {
                self.query.push('&');
            }
            self.query.push_str(signing);
        }
        // Cookies as the viewer sent them (CloudFront logs all of them when
        // cookie logging is on): the request's own, then signed cookies.
        self.cookie.clear();
        class.attributes.push_cookies(&r.attributes, &mut self.cookie);
        if let Some(signed) = r.signed_cookie.filter(|c| !c.is_empty()) {
            if !self.cookie.is_empty() {
                self.cookie.push_str("; ");
            }
            self.cookie.push_str(signed);
        }
        escape_into(out, stem);
        let _ = write!(out, "\t{}\t-\t-\t", r.status);
        escape_into(out, &self.query);
        out.push('\t');
        escape_into(out, &self.cookie);
        let _ = write!(out, "\t{}\t", r.result.as_str());
        push_request_id(out, mixed);
        let query_bytes = if self.query.is_empty() { 0 } else { self.query.len() as u64 + 1 };
        let request_bytes = REQUEST_HEADER_BYTES + stem.len() as u64 + query_bytes + self.cookie.len() as u64;
        let (scheme, mut tls, cipher, mut version) = if r.https {
            ("https", "TLSv1.3", "TLS_AES_128_GCM_SHA256", "HTTP/2.0")
        } else {
            ("http", "-", "-", "HTTP/1.1")
        };
        // With connections modelled, the version the viewer spoke, and over
        // TCP the viewers' TLS version (HTTP/3 is TLS 1.3 inside QUIC).
        if let (Some(spoken), Some(connections)) = (r.http_version, scenario.connections) {
            version = spoken.log_text();
            if r.https && spoken != ViewerHttpVersion::Http3 {
                tls = connections.viewer_tls.as_str();
            }
        }
        let _ = write!(out, "\t{domain}\t{scheme}\t{request_bytes}\t");
        let taken = r.finished.0.saturating_sub(r.arrived.0);
        push_seconds_ms(out, taken);
        let response_result = crate::policy::result_type::response_result_type(r.result);
        let _ = write!(out, "\t-\t{tls}\t{cipher}\t{}\t{version}\t-\t-\t{port}\t", response_result.as_str());
        // The simulation sends a response at once: its first byte leaves when its last does.
        push_seconds_ms(out, taken);
        let _ = write!(out, "\t{}", r.detailed.as_str());
        let content_length =
            if r.method == crate::http::Method::Head && r.status < 300 { r.object_bytes } else { r.body_bytes };
        let _ = write!(
            out,
            "\t{}\t{content_length}\t",
            content_type(self.path.split_once('?').map_or(self.path.as_str(), |(stem, _)| stem), r.status)
        );
        // A 206's Content-Range (reference §8, fields 32 and 33).
        let _ = match r.content_range {
            Some((first, last)) => writeln!(out, "{first}\t{last}"),
            None => writeln!(out, "-\t-"),
        };
    }
}

/// Where the bytes of one hour's file go.
enum Sink {
    Gzip(flate2::write::GzEncoder<BufWriter<File>>),
    Plain(BufWriter<File>),
}

impl Sink {
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Sink::Gzip(w) => w.write_all(bytes),
            Sink::Plain(w) => w.write_all(bytes),
        }
    }

    fn finish(self) -> std::io::Result<()> {
        let mut inner = match self {
            Sink::Gzip(w) => w.finish()?,
            Sink::Plain(w) => w,
        };
        inner.flush()
    }
}

struct HourFile {
    /// Hours since the Unix epoch.
    hour: i64,
    tmp: PathBuf,
    path: PathBuf,
    sink: Sink,
}

/// An observer that writes every finished request to the access logs of
/// `dir`, one file per hour of simulated time. Call `finish` after the run.
pub struct AccessLog<'s> {
    dir: PathBuf,
    options: AccessLogOptions,
    formatter: RecordFormatter<'s>,
    distribution_id: String,
    seed: u64,
    current: Option<HourFile>,
    /// Complete files: (temporary name, final name).
    closed: Vec<(PathBuf, PathBuf)>,
    error: Option<anyhow::Error>,
    records: u64,
    line: String,
}

impl<'s> AccessLog<'s> {
    /// Prepares to write into `dir` (created if missing).
    pub fn create(dir: &Path, scenario: &'s Scenario, seed: u64, options: AccessLogOptions) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the access log folder {}", dir.display()))?;
        Ok(AccessLog {
            dir: dir.to_path_buf(),
            options,
            formatter: RecordFormatter::new(scenario, seed),
            distribution_id: distribution_id(&scenario.distribution.domain),
            seed,
            current: None,
            closed: Vec::new(),
            error: None,
            records: 0,
            line: String::with_capacity(1024),
        })
    }

    /// The file name for an hour: `<distribution-id>.YYYY-MM-DD-HH.<unique-id>.gz`,
    /// the unique id derived from the seed and the hour.
    fn file_name(&self, hour: i64) -> String {
        let (y, mo, d, h, ..) = crate::units::utc_fields(hour * 3600);
        let unique = splitmix64(splitmix64(self.seed ^ LOG_SALT) ^ hour as u64) as u32;
        let ext = if self.options.gzip { ".gz" } else { "" };
        format!("{}.{y:04}-{mo:02}-{d:02}-{h:02}.{unique:08x}{ext}", self.distribution_id)
    }

    fn open(&self, hour: i64) -> anyhow::Result<HourFile> {
        let name = self.file_name(hour);
        let tmp = self.dir.join(format!(".{name}.tmp"));
        let file = File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
        let buffered = BufWriter::with_capacity(1 << 16, file);
        let mut sink = if self.options.gzip {
            // flate2 writes a zero mtime and no name: the bytes depend on the content alone.
            // The fastest level: the default one is several times slower than
            // the simulation itself (measured 3x slower), for files a quarter smaller.
            Sink::Gzip(flate2::write::GzEncoder::new(buffered, flate2::Compression::fast()))
        } else {
            Sink::Plain(buffered)
        };
        sink.write_all(header().as_bytes()).with_context(|| format!("cannot write {}", tmp.display()))?;
        Ok(HourFile { hour, tmp, path: self.dir.join(name), sink })
    }

    fn close_current(&mut self) -> anyhow::Result<()> {
        if let Some(file) = self.current.take() {
            // Listed before finishing, so a failed file is removed too.
            self.closed.push((file.tmp.clone(), file.path));
            file.sink.finish().with_context(|| format!("cannot write {}", file.tmp.display()))?;
        }
        Ok(())
    }

    fn write_record(&mut self, r: &FinishedRequest<'_>) -> anyhow::Result<()> {
        let hour = (self.formatter.epoch_s() + (r.finished.0 / 1_000_000) as i64).div_euclid(3600);
        if self.current.as_ref().is_none_or(|f| f.hour != hour) {
            debug_assert!(self.current.as_ref().is_none_or(|f| f.hour < hour), "requests finish in time order");
            self.close_current()?;
            self.current = Some(self.open(hour)?);
        }
        self.line.clear();
        self.formatter.format(&mut self.line, self.records, r);
        self.records += 1;
        let file = self.current.as_mut().expect("opened above");
        file.sink.write_all(self.line.as_bytes()).with_context(|| format!("cannot write {}", file.tmp.display()))
    }

    /// Completes the files and gives them their final names; returns them in
    /// hour order. On any error (now or during the run) no log file is left.
    pub fn finish(mut self) -> anyhow::Result<Vec<PathBuf>> {
        let closed = self.close_current();
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        closed?;
        let files = std::mem::take(&mut self.closed);
        for (i, (tmp, path)) in files.iter().enumerate() {
            if let Err(e) = std::fs::rename(tmp, path) {
                for (_, done) in &files[..i] {
                    let _ = std::fs::remove_file(done);
                }
                for (rest, _) in &files[i..] {
                    let _ = std::fs::remove_file(rest);
                }
                return Err(e).with_context(|| format!("cannot write {}", path.display()));
            }
        }
        Ok(files.into_iter().map(|(_, path)| path).collect())
    }

    /// Records written so far.
    pub fn records(&self) -> u64 {
        self.records
    }
}

impl RequestObserver for AccessLog<'_> {
    fn on_finish(&mut self, record: &FinishedRequest<'_>) {
        if self.error.is_some() {
            return;
        }
        if let Err(e) = self.write_record(record) {
            self.error = Some(e);
        }
    }
}

impl Drop for AccessLog<'_> {
    /// Unfinished (an error, a panic): remove the temporary files.
    fn drop(&mut self) {
        if let Some(file) = self.current.take() {
            drop(file.sink);
            let _ = std::fs::remove_file(&file.tmp);
        }
        for (tmp, _) in &self.closed {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Method;
    use crate::metrics::{DetailedResultType, ResultType, ServedBy};
    use crate::policy::failover::OriginOutcome;
    use crate::time::SimTime;

    const SCENARIO: &str = r#"
[simulation]
requests = 10

[[topology.regional_caches]]
region = "us-east-1"

[[topology.edges]]
name = "IAD89-C1"
regional_cache = "us-east-1"

[[topology.edges]]
name = "Zürich 1"
regional_cache = "us-east-1"

[caches.edge]
capacity = "1 MiB"

[caches.regional]
capacity = "1 MiB"

[[origins]]
name = "origin"
region = "us-east-1"
latency = "40 ms"

[distribution]
domain = "d111111abcdef8.cloudfront.net"

[distribution.default_behavior]
origin = "origin"

[traffic]
rate = 100

[[traffic.classes]]
name = "files"
share = 1
objects = 10
path = "/café/{id}.jpg"
size = "1000 B"

[[traffic.classes]]
name = "sized"
share = 1
objects = 10
path = "/img/{id}.jpg?size=large"
size = "1000 B"

[[traffic.classes]]
name = "tracked"
share = 1
objects = 10
path = "/p/{id}?v=2"
size = "1000 B"
query = [{ name = "w", values = ["s", "l"] }, { name = "utm_source", values = 100, share = 0.5 }]
cookies = [{ name = "session", values = 1000 }, { name = "theme", values = 2 }]
"#;

    fn scenario() -> Scenario {
        Scenario::from_toml_str(Path::new("test.toml"), SCENARIO, &[]).unwrap()
    }

    fn request(finished_s: f64) -> FinishedRequest<'static> {
        let finished = SimTime((finished_s * 1e6) as u64);
        FinishedRequest {
            arrived: SimTime(finished.0.saturating_sub(82_400)),
            finished,
            edge: 0,
            class: 0,
            object_in_class: 7,
            behavior: 0,
            method: Method::Get,
            https: true,
            http_version: None,
            session: 0,
            status: 200,
            body_bytes: 1000,
            content_range: None,
            object_bytes: 1000,
            result: ResultType::Miss,
            detailed: DetailedResultType::Miss,
            served_by: ServedBy::Origin,
            origin_outcome: Some(OriginOutcome::Status(200)),
            signed_query: None,
            signed_cookie: None,
            attributes: crate::scenario::RequestAttributes::NONE,
        }
    }

    fn escaped(value: &str) -> String {
        let mut out = String::new();
        escape_into(&mut out, value);
        out
    }

    fn field<'a>(line: &'a str, name: &str) -> &'a str {
        let i = FIELDS.iter().position(|f| *f == name).unwrap();
        line.trim_end_matches('\n').split('\t').nth(i).unwrap()
    }

    #[test]
    fn fields_are_url_encoded_and_empty_ones_are_a_dash() {
        assert_eq!(escaped(""), "-");
        assert_eq!(escaped("/images/cat 1.jpg"), "/images/cat%201.jpg");
        assert_eq!(escaped("a\tb\nc"), "a%09b%0Ac");
        assert_eq!(escaped("/café"), "/caf%C3%A9");
        assert_eq!(escaped("Key-Pair-Id=K2~x"), "Key-Pair-Id=K2%7Ex");
        assert_eq!(escaped("<>\"#%{}|\\^[]`'"), "%3C%3E%22%23%25%7B%7D%7C%5C%5E%5B%5D%60%27");
        // What a URL or a base64 value is made of passes unchanged.
        assert_eq!(escaped("/a/b.jpg?x=1&y=-_.;:@!$*+,/()"), "/a/b.jpg?x=1&y=-_.;:@!$*+,/()");
        assert_eq!(escaped("\u{7f}"), "%7F");
    }

    #[test]
    fn distribution_ids_and_request_ids_look_like_cloudfronts() {
        let id = distribution_id("d111111abcdef8.cloudfront.net");
        assert_eq!(id.len(), 14);
        assert!(id.starts_with('E') && id.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
        assert_eq!(id, distribution_id("d111111abcdef8.cloudfront.net"));
        assert_ne!(id, distribution_id("d222222abcdef8.cloudfront.net"));
        let mut request_id = String::new();
        push_request_id(&mut request_id, 42);
        assert_eq!(request_id.len(), 56);
        assert!(request_id.ends_with("==") && !request_id[..54].contains('='));
        assert!(request_id[..54].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    }

    #[test]
    fn a_record_has_every_field_in_order() {
        let scenario = scenario();
        let mut formatter = RecordFormatter::new(&scenario, 1);
        let mut line = String::new();
        // 2030-01-01 00:00:00 UTC is the default epoch; 3725.5 s is 01:02:05.
        formatter.format(&mut line, 0, &request(3725.5));
        assert!(line.ends_with('\n') && line.matches('\n').count() == 1);
        assert_eq!(line.trim_end().split('\t').count(), FIELDS.len());
        assert_eq!(field(&line, "date"), "2030-01-01");
        assert_eq!(field(&line, "time"), "01:02:05");
        assert_eq!(field(&line, "x-edge-location"), "IAD89-C1");
        assert_eq!(field(&line, "cs-uri-stem"), "/caf%C3%A9/7.jpg");
        assert_eq!(field(&line, "cs-uri-query"), "-");
        assert_eq!(field(&line, "cs(Cookie)"), "-");
        assert_eq!(field(&line, "time-taken"), "0.082");
        assert_eq!(field(&line, "cs-protocol"), "https");
        assert_eq!(field(&line, "sc-bytes"), (1000 + RESPONSE_HEADER_BYTES).to_string());
        assert_eq!(field(&line, "sc-content-type"), "image/jpeg");
        assert_eq!(field(&line, "x-edge-result-type"), "Miss");
        assert_eq!(field(&line, "cs(Host)"), "d111111abcdef8.cloudfront.net");
        assert!(field(&line, "c-ip").parse::<std::net::Ipv4Addr>().is_ok());
        let port: u16 = field(&line, "c-port").parse().unwrap();
        assert!(port >= 1024);
        // A class path's own query string is logged as the query, apart
        // from the stem, as CloudFront logs one.
        line.clear();
        formatter.format(&mut line, 1, &FinishedRequest { class: 1, ..request(3725.5) });
        assert_eq!(field(&line, "cs-uri-stem"), "/img/7.jpg");
        assert_eq!(field(&line, "cs-uri-query"), "size=large");
        assert_eq!(field(&line, "sc-content-type"), "image/jpeg");
    }

    #[test]
    fn a_class_query_string_is_logged_in_the_query_field_before_the_signing_parameters() {
        // Class 1's `/img/{id}.jpg?size=large` for object 7, signed: the
        // stem is `/img/7.jpg` and the query `size=large`, followed by the
        // signing parameters after `&`, as a signed URL for that path
        // carries them.
        let scenario = scenario();
        let mut formatter = RecordFormatter::new(&scenario, 1);
        let mut line = String::new();
        let signed =
            FinishedRequest { class: 1, signed_query: Some("Expires=1&Signature=s&Key-Pair-Id=K1"), ..request(1.0) };
        formatter.format(&mut line, 1, &signed);
        assert_eq!(field(&line, "cs-uri-stem"), "/img/7.jpg");
        assert_eq!(field(&line, "cs-uri-query"), "size=large&Expires=1&Signature=s&Key-Pair-Id=K1");
    }

    #[test]
    fn a_requests_own_query_parameters_and_cookies_are_logged() {
        // Class 2's `/p/{id}?v=2`, a request carrying w=l and utm_source=17
        // (shuffled to come first) and the cookie theme=1: the class's query,
        // then the request's in its order; the cookies in the class's order.
        let scenario = scenario();
        let mut formatter = RecordFormatter::new(&scenario, 1);
        let mut attributes = crate::scenario::RequestAttributes::NONE;
        attributes.set_value(0, 1);
        attributes.set_value(1, 17);
        attributes.set_value(3, 1);
        attributes.set_query_order(&[1, 0]);
        let mut line = String::new();
        formatter.format(&mut line, 1, &FinishedRequest { class: 2, attributes, ..request(1.0) });
        assert_eq!(field(&line, "cs-uri-stem"), "/p/7");
        assert_eq!(field(&line, "cs-uri-query"), "v=2&utm_source=17&w=l");
        assert_eq!(field(&line, "cs(Cookie)"), "theme=1");
        // 250 for the headers, the stem (4), `?` and the query (21), the cookie (7).
        assert_eq!(field(&line, "cs-bytes"), (REQUEST_HEADER_BYTES + 4 + 1 + 21 + 7).to_string());
        // Signed cookies follow the request's own.
        attributes.set_value(2, 5);
        line.clear();
        let signed =
            FinishedRequest { class: 2, attributes, signed_cookie: Some("CloudFront-Policy=x"), ..request(1.0) };
        formatter.format(&mut line, 2, &signed);
        assert_eq!(field(&line, "cs(Cookie)"), "session=5;%20theme=1;%20CloudFront-Policy=x");
    }

    #[test]
    fn a_range_answer_logs_its_content_range() {
        let scenario = scenario();
        let mut formatter = RecordFormatter::new(&scenario, 1);
        let mut line = String::new();
        // Bytes 500,000-1,499,999 of the object: 1,000,000 bytes, 206.
        let partial = FinishedRequest {
            status: 206,
            body_bytes: 1_000_000,
            content_range: Some((500_000, 1_499_999)),
            ..request(1.0)
        };
        formatter.format(&mut line, 1, &partial);
        assert_eq!(field(&line, "sc-status"), "206");
        assert_eq!(field(&line, "sc-content-len"), "1000000");
        assert_eq!(field(&line, "sc-range-start"), "500000");
        assert_eq!(field(&line, "sc-range-end"), "1499999");
        assert!(line.ends_with("\t500000\t1499999\n"));
        line.clear();
        formatter.format(&mut line, 2, &request(1.0));
        assert_eq!((field(&line, "sc-range-start"), field(&line, "sc-range-end")), ("-", "-"));
    }

    #[test]
    fn signed_credentials_plain_http_and_errors_are_logged_as_cloudfront_does() {
        let scenario = scenario();
        let mut formatter = RecordFormatter::new(&scenario, 1);
        let mut line = String::new();
        let r = FinishedRequest {
            edge: 1,
            https: false,
            http_version: None,
            method: Method::Put,
            status: 403,
            body_bytes: 0,
            result: ResultType::Error,
            detailed: DetailedResultType::InvalidRequestMethod,
            served_by: ServedBy::EdgeGenerated,
            origin_outcome: None,
            signed_query: Some("Expires=1&Signature=a~b&Key-Pair-Id=K1"),
            signed_cookie: Some("CloudFront-Policy=x; CloudFront-Signature=y"),
            ..request(1.0)
        };
        formatter.format(&mut line, 3, &r);
        assert_eq!(field(&line, "x-edge-location"), "Z%C3%BCrich%201");
        assert_eq!(field(&line, "cs-uri-query"), "Expires=1&Signature=a%7Eb&Key-Pair-Id=K1");
        assert_eq!(field(&line, "cs(Cookie)"), "CloudFront-Policy=x;%20CloudFront-Signature=y");
        assert_eq!(field(&line, "cs-protocol"), "http");
        assert_eq!(field(&line, "ssl-protocol"), "-");
        assert_eq!(field(&line, "cs-protocol-version"), "HTTP/1.1");
        assert_eq!(field(&line, "x-edge-result-type"), "Error");
        // The engine's detailed type (`policy::result_type`), as it is.
        assert_eq!(field(&line, "x-edge-detailed-result-type"), "InvalidRequestMethod");
        assert_eq!(field(&line, "sc-content-type"), "text/html");
        assert_eq!(field(&line, "sc-content-len"), "0");
        let timed_out = FinishedRequest {
            status: 504,
            result: ResultType::Error,
            detailed: DetailedResultType::OriginCommError,
            origin_outcome: Some(OriginOutcome::TimedOut),
            ..request(1.0)
        };
        line.clear();
        formatter.format(&mut line, 4, &timed_out);
        assert_eq!(field(&line, "x-edge-detailed-result-type"), "OriginCommError");
        // A hit in Origin Shield is a `Hit`, detailed as `OriginShieldHit`.
        let shield_hit = FinishedRequest {
            served_by: ServedBy::Shield,
            result: ResultType::Hit,
            detailed: DetailedResultType::OriginShieldHit,
            origin_outcome: None,
            ..request(1.0)
        };
        line.clear();
        formatter.format(&mut line, 5, &shield_hit);
        assert_eq!(field(&line, "x-edge-result-type"), "Hit");
        assert_eq!(field(&line, "x-edge-detailed-result-type"), "OriginShieldHit");
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("cdnsim-accesslog-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn write_log(dir: &Path, gzip: bool, finished_s: &[f64]) -> Vec<PathBuf> {
        let scenario = scenario();
        let mut log = AccessLog::create(dir, &scenario, 9, AccessLogOptions { gzip }).unwrap();
        for &s in finished_s {
            log.on_finish(&request(s));
        }
        log.finish().unwrap()
    }

    #[test]
    fn files_roll_over_each_hour_of_simulated_time() {
        let dir = temp_dir("roll");
        let files = write_log(&dir, false, &[0.0, 10.0, 3599.9, 3600.0, 7200.5, 7300.0, 7400.0]);
        let id = distribution_id("d111111abcdef8.cloudfront.net");
        let names: Vec<String> = files.iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names.len(), 3);
        for (name, hour) in names.iter().zip(["2030-01-01-00", "2030-01-01-01", "2030-01-01-02"]) {
            let parts: Vec<&str> = name.split('.').collect();
            assert_eq!(parts[..2], [id.as_str(), hour]);
            assert!(parts[2].len() == 8 && parts[2].bytes().all(|b| b.is_ascii_hexdigit()), "{name}");
        }
        let counts: Vec<usize> = files
            .iter()
            .map(|f| {
                let text = std::fs::read_to_string(f).unwrap();
                assert!(text.starts_with(&header()));
                text.lines().filter(|l| !l.starts_with('#')).count()
            })
            .collect();
        assert_eq!(counts, [3, 1, 3]);
        // Only the final files remain: no temporary ones.
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 3);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn gzip_files_hold_the_plain_text_and_are_the_same_bytes_each_time() {
        use std::io::Read;
        let (plain_dir, gz_dir, again_dir) = (temp_dir("plain"), temp_dir("gz"), temp_dir("gz-again"));
        let times = [0.5, 1.0, 4000.0];
        let plain = write_log(&plain_dir, false, &times);
        let gz = write_log(&gz_dir, true, &times);
        let again = write_log(&again_dir, true, &times);
        assert_eq!(gz.len(), 2);
        for ((p, g), a) in plain.iter().zip(&gz).zip(&again) {
            assert_eq!(g.extension().unwrap(), "gz");
            assert_eq!(g.file_name(), a.file_name());
            let bytes = std::fs::read(g).unwrap();
            assert_eq!(bytes, std::fs::read(a).unwrap());
            let mut text = String::new();
            flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut text).unwrap();
            assert_eq!(text, std::fs::read_to_string(p).unwrap());
        }
        for dir in [plain_dir, gz_dir, again_dir] {
            std::fs::remove_dir_all(dir).unwrap();
        }
    }

    #[test]
    fn an_unfinished_log_leaves_no_file() {
        let dir = temp_dir("unfinished");
        let scenario = scenario();
        let mut log = AccessLog::create(&dir, &scenario, 9, AccessLogOptions::default()).unwrap();
        for s in [1.0, 4000.0, 8000.0] {
            log.on_finish(&request(s));
        }
        drop(log);
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_write_error_fails_the_log_and_leaves_no_file() {
        let dir = temp_dir("write-error");
        let scenario = scenario();
        let mut log = AccessLog::create(&dir, &scenario, 9, AccessLogOptions { gzip: false }).unwrap();
        log.on_finish(&request(1.0));
        // The next hour's file cannot be created: a folder holds its name.
        let next = dir.join(format!(".{}.tmp", log.file_name((log.formatter.epoch_s() + 4000) / 3600)));
        std::fs::create_dir(&next).unwrap();
        log.on_finish(&request(4000.0));
        log.on_finish(&request(4001.0));
        let error = log.finish().unwrap_err();
        assert!(format!("{error:#}").contains("cannot write"), "{error:#}");
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        assert_eq!(left, [next]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
