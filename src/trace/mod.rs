//! Traffic from recorded data: CloudFront standard access logs and plain CSV
//! traces, read as a stream (a trace larger than memory works).
//!
//! - [`lines`]: files in, lines out: one file or a directory (files in name
//!   order), gzip or plain, one reused buffer, bytes read for progress.
//! - [`csv`]: `timestamp,obj_id,obj_size` traces with column mapping.
//! - [`cloudfront_log`]: the tab-separated W3C format with `#Version` and
//!   `#Fields` headers.
//! - [`oracle`]: libCacheSim's `oracleGeneral` binary records, plain or
//!   zstd.
//! - [`detect`]: which reader a file goes to, and the CloudFront formats
//!   refused with what to give instead (RTMP and real-time logs).
//! - [`source`]: a reader as the engine's `RequestSource`: trace ids become
//!   dense object numbers, trace time becomes simulated time.
//! - [`edge_map`]: a log's edge locations onto the scenario's edges.
//!
//! Blank lines (nothing but whitespace) are skipped everywhere. Malformed
//! lines never stop a run unless asked: [`MalformedLines`] counts them and
//! keeps the first few with file, line number and what was wrong. No input
//! makes a reader panic (the fuzz targets in fuzz/ check it).

pub mod cloudfront_log;
pub mod csv;
pub mod detect;
pub mod edge_map;
mod error;
pub mod ids;
pub mod lines;
pub mod oracle;
pub mod report;
pub mod source;

pub use error::{MALFORMED_KEPT, Malformed, MalformedLines, TooLong, TraceError};

/// One request read from a trace, borrowed from the reader's line buffer.
///
/// CSV traces fill `time_us`, `key` and `size_bytes`; access logs fill the
/// rest where their `#Fields` list has the field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceRecord<'a> {
    /// Trace time in microseconds: Unix time for access logs, the trace's own
    /// clock (scaled by its time unit) for CSV.
    pub time_us: i64,
    /// What identifies the object: the CSV `obj_id`, or the log's `cs-uri-stem`.
    pub key: &'a [u8],
    /// `key` as a number, when the reader found it to be a canonical decimal
    /// (no sign, no leading zero) while parsing the line; `None` says nothing.
    pub key_number: Option<u64>,
    /// The object's size: the CSV `obj_size` (1 without a size column), or
    /// the log's `sc-bytes`.
    pub size_bytes: u64,
    pub method: crate::http::Method,
    pub https: bool,
    /// The log's `x-edge-location` (e.g. `IAD89-C1`), if any.
    pub edge_location: Option<&'a str>,
    /// The log's `c-ip`, if any.
    pub client_ip: Option<&'a str>,
    /// The log's `cs-uri-query` without `?` (empty for `-`).
    pub query: &'a str,
    /// The log's `cs(Cookie)`: the `Cookie` header, logged when cookie
    /// logging is on (empty for `-`).
    pub cookie: &'a str,
    /// The log's `sc-status`, if any.
    pub status: Option<u16>,
    /// The log's `x-edge-result-type`, if any.
    pub result_type: Option<crate::policy::result_type::LoggedResult>,
    /// The log's `x-edge-detailed-result-type`, if any.
    pub detailed_result_type: Option<crate::policy::result_type::LoggedDetailed>,
}

/// A reader of one trace format: the next usable record, skipping (and
/// counting) malformed lines unless `strict`.
pub trait TraceReader: Send {
    /// `Ok(None)` at the end of the last file.
    fn next_record(&mut self) -> Result<Option<TraceRecord<'_>>, TraceError>;
    /// Malformed lines so far.
    fn malformed(&self) -> &MalformedLines;
    /// Bytes read from the files so far (compressed bytes for gzip), and their total size.
    fn progress(&self) -> lines::ReadProgress;
    /// The same, readable while something else owns the reader.
    fn progress_handle(&self) -> lines::ProgressHandle;
    /// The file and line (from 1) of the last record, or of the last line
    /// read.
    fn place(&self) -> (&std::path::Path, u64);
    /// Whether the reader stops at the first malformed line.
    fn strict(&self) -> bool;
}

/// A line of nothing but whitespace (or nothing), skipped by every reader.
pub(crate) fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// Parses a non-negative decimal integer made only of ASCII digits.
pub(crate) fn parse_u64(field: &[u8]) -> Option<u64> {
    if field.is_empty() || field.len() > 19 {
        return None;
    }
    let mut n: u64 = 0;
    for &b in field {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n * 10 + d as u64;
    }
    Some(n)
}

/// Text for a message about a field's bytes, cut short.
pub(crate) fn shown(field: &[u8]) -> String {
    let text = String::from_utf8_lossy(&field[..field.len().min(60)]);
    if field.len() > 60 { format!("{text:?}...") } else { format!("{text:?}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_parse_only_from_digits() {
        assert_eq!(parse_u64(b"0"), Some(0));
        assert_eq!(parse_u64(b"18446744073709551"), Some(18446744073709551));
        assert_eq!(parse_u64(b""), None);
        assert_eq!(parse_u64(b"-1"), None);
        assert_eq!(parse_u64(b"1.5"), None);
        assert_eq!(parse_u64(b"12345678901234567890"), None);
    }
}
