//! Traffic from recorded data: CloudFront standard access logs and plain CSV
//! traces, read as a stream (a trace larger than memory works).
//!
//! - [`lines`]: files in, lines out: one file or a directory (files in name
//!   order), gzip or plain, one reused buffer, bytes read for progress.
//! - [`csv`]: `timestamp,obj_id,obj_size` traces with column mapping.
//! - [`cloudfront_log`]: the tab-separated W3C format with `#Version` and
//!   `#Fields` headers.
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
pub mod ids;
pub mod lines;
pub mod report;
pub mod source;

use std::fmt;
use std::path::PathBuf;

/// How many malformed lines are kept for the report; the rest are only counted.
pub const MALFORMED_KEPT: usize = 10;

/// One line a reader could not use.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Malformed {
    pub file: PathBuf,
    /// 1-based, within `file`.
    pub line: u64,
    pub reason: String,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.reason)
    }
}

/// Every malformed line counted, the first [`MALFORMED_KEPT`] kept.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct MalformedLines {
    pub count: u64,
    pub first: Vec<Malformed>,
}

impl MalformedLines {
    pub fn record(&mut self, malformed: Malformed) {
        self.count += 1;
        if self.first.len() < MALFORMED_KEPT {
            self.first.push(malformed);
        }
    }
}

/// What stops reading a trace: an unreadable file, or with `--strict` the
/// first malformed line.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    #[error("cannot read trace {}: {reason}", file.display())]
    Unreadable { file: PathBuf, reason: String },
    #[error(
        "{0} (the trace stops at the first malformed line with --strict; without it such lines are skipped and counted)"
    )]
    Malformed(Malformed),
    #[error("{}: {reason}", file.display())]
    BadLayout { file: PathBuf, reason: String },
    /// A file in a format cdnsim recognises but does not replay.
    #[error("{}:{line}: {what} (fix: {fix})", file.display())]
    Unsupported { file: PathBuf, line: u64, what: String, fix: String },
    /// The trace was read to its end and no request came of it.
    #[error("{}: no request was replayed: {problem} (fix: {fix})", place(file, *line))]
    NothingReplayed { file: PathBuf, line: Option<u64>, problem: String, fix: String },
    /// The trace spans more than the scenario's metrics intervals hold.
    #[error("{0}")]
    TooLong(Box<TooLong>),
}

/// `file:line`, or `file` alone.
fn place(file: &std::path::Path, line: Option<u64>) -> String {
    match line {
        Some(line) => format!("{}:{line}", file.display()),
        None => file.display().to_string(),
    }
}

/// A trace whose requests go past the scenario's last metrics interval.
#[derive(Debug)]
pub struct TooLong {
    pub scenario: PathBuf,
    /// The file and line of the first request past it.
    pub file: PathBuf,
    pub line: u64,
    /// The trace's span, the horizon and the interval, as durations.
    pub span: String,
    pub horizon: String,
    pub interval: String,
    /// An interval that holds the whole span, as a scenario writes it.
    pub fits: String,
}

impl fmt::Display for TooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: `simulation.metrics_interval`: the trace spans {} (line {} of {} is its first request past {}), \
             more than {} intervals of {} (fix: --set simulation.metrics_interval=\"{}\" or longer); no results \
             were written",
            self.scenario.display(),
            self.span,
            self.line,
            self.file.display(),
            self.horizon,
            crate::scenario::MAX_METRICS_INTERVALS,
            self.interval,
            self.fits
        )
    }
}

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
    /// The log's `sc-status`, if any.
    pub status: Option<u16>,
    /// The log's `x-edge-result-type`, if any.
    pub result_type: Option<crate::policy::result_type::LoggedResult>,
}

/// A reader of one trace format: the next usable record, skipping (and
/// counting) malformed lines unless `strict`.
pub trait TraceReader {
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

    #[test]
    fn only_the_first_malformed_lines_are_kept() {
        let mut m = MalformedLines::default();
        for line in 1..=25 {
            m.record(Malformed { file: "t.csv".into(), line, reason: "bad".into() });
        }
        assert_eq!(m.count, 25);
        assert_eq!(m.first.len(), MALFORMED_KEPT);
        assert_eq!(m.first[0].to_string(), "t.csv:1: bad");
    }
}
