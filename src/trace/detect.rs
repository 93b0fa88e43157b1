//! Which reader a trace goes to, and the CloudFront log formats cdnsim
//! recognises only to refuse them.
//!
//! A standard access log starts with `#Version:` and `#Fields:` lines
//! (reference §8); a file whose name says `oracleGeneral` (libCacheSim's
//! naming, `*.oracleGeneral.bin`, `*.oracleGeneral.zst`) or that starts with
//! zstd's magic is libCacheSim's binary format; anything else is read as CSV
//! (a NUL byte in its first line is refused: no text trace has one). Blank
//! lines before the first line with text do not count, so a log that starts
//! with an empty line is still a log.
//!
//! Refused, with what the file looks like and what to give instead:
//! - RTMP distribution logs (`#Fields` with `x-event`, stems `rtmp://...`):
//!   their lines are streaming events (connect, play, stop) with running
//!   byte counts, not one viewer request each; RTMP distributions were
//!   retired at the end of 2020.
//! - Real-time logs: tab-separated, no header (the fields are whatever the
//!   real-time log configuration chose, in the order it lists them), the
//!   first field a Unix time with milliseconds (`1600000000.123`). Without
//!   the configuration the columns cannot be named.

use super::TraceError;
use super::lines::Lines;
use std::path::Path;

/// The trace formats cdnsim replays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceFormat {
    /// `timestamp,obj_id,obj_size` (see the column options).
    Csv,
    /// CloudFront standard access logs (W3C, tab-separated, `#Fields` header).
    CloudfrontLog,
    /// libCacheSim's `oracleGeneral` binary records, plain or zstd.
    OracleGeneral,
}

/// The format of the trace at `path` (a file, or a directory's first file
/// with a line of text), from its first line that is not blank.
pub fn detect_format(path: &Path) -> Result<TraceFormat, TraceError> {
    if path.is_file() {
        let named =
            path.file_name().is_some_and(|n| n.to_string_lossy().to_ascii_lowercase().contains("oraclegeneral"));
        let mut head = [0u8; 4];
        let got = std::fs::File::open(path)
            .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
            .map_err(|e| TraceError::Unreadable { file: path.to_path_buf(), reason: e.to_string() })?;
        if named || super::oracle::is_zstd(&head[..got]) {
            return Ok(TraceFormat::OracleGeneral);
        }
    }
    let mut lines = Lines::open(path)?;
    let format = detect_in(&mut lines)?;
    if format == TraceFormat::Csv && lines.line().contains(&0) {
        return Err(binary_file(lines.file(), lines.line_number()));
    }
    Ok(format)
}

/// The error for a file with a NUL byte where a text trace has its first line.
fn binary_file(file: &Path, line: u64) -> TraceError {
    TraceError::Unsupported {
        file: file.to_path_buf(),
        line,
        what: "this is a binary file (a NUL byte in its first line), not a CSV trace or an access log".to_string(),
        fix: "for libCacheSim's oracleGeneral binary format give --trace-format oracle-general (or name the file \
              *.oracleGeneral.bin); otherwise give a CSV trace or CloudFront standard access logs"
            .to_string(),
    }
}

/// [`detect_format`] on lines already open.
pub fn detect_in(lines: &mut Lines) -> Result<TraceFormat, TraceError> {
    while lines.advance()? {
        let line = lines.line();
        if super::is_blank(line) {
            continue;
        }
        return Ok(if is_log_header(line) { TraceFormat::CloudfrontLog } else { TraceFormat::Csv });
    }
    Ok(TraceFormat::Csv)
}

/// A line a standard access log (or an RTMP one) starts with.
pub fn is_log_header(line: &[u8]) -> bool {
    line.starts_with(b"#Version:") || line.starts_with(b"#Fields:")
}

/// Whether `line` looks like a CloudFront real-time log record: a tab, and
/// before it a Unix time in seconds with milliseconds (9 or 10 digits, `.`,
/// 3 digits: 2001-09-09 to 2286-11-20).
pub fn is_realtime_record(line: &[u8]) -> bool {
    let Some(tab) = memchr::memchr(b'\t', line) else { return false };
    let Some((seconds, millis)) = line[..tab].split_last_chunk::<4>() else { return false };
    (9..=10).contains(&seconds.len())
        && seconds.iter().all(u8::is_ascii_digit)
        && millis[0] == b'.'
        && millis[1..].iter().all(u8::is_ascii_digit)
}

/// Whether the `#Fields` names are an RTMP distribution's.
pub fn is_rtmp_fields(names: &str) -> bool {
    names.split_ascii_whitespace().any(|n| matches!(n, "x-event" | "x-sname" | "x-sname-query" | "x-sid"))
}

/// Whether a `cs-uri-stem` is an RTMP stream's (`rtmp://`, `rtmpt://`,
/// `rtmpe://`, `rtmpte://`): only RTMP distribution logs hold such stems.
pub fn is_rtmp_stem(stem: &[u8]) -> bool {
    let Some(rest) = stem.strip_prefix(b"rtmp") else { return false };
    let scheme_end = rest.iter().position(|b| !b.is_ascii_alphabetic()).unwrap_or(rest.len());
    scheme_end <= 2 && rest[scheme_end..].starts_with(b"://")
}

const STANDARD_OR_CSV: &str = "replay CloudFront standard access logs (a web distribution's, with #Version and #Fields \
     lines), a cdnsim CSV trace (time,obj_id,obj_size) or a libCacheSim oracleGeneral binary trace";

/// The error for an RTMP distribution log; `evidence` says what gave it away.
pub fn rtmp_log(file: &Path, line: u64, evidence: &str) -> TraceError {
    TraceError::Unsupported {
        file: file.to_path_buf(),
        line,
        what: format!(
            "this is a CloudFront RTMP streaming distribution log ({evidence}): its lines are streaming events \
             (connect, play, stop) with running byte counts, not viewer requests, and RTMP distributions were \
             retired at the end of 2020"
        ),
        fix: STANDARD_OR_CSV.to_string(),
    }
}

/// The error for a real-time log.
pub fn realtime_log(file: &Path, line: u64) -> TraceError {
    TraceError::Unsupported {
        file: file.to_path_buf(),
        line,
        what: "this looks like a CloudFront real-time log (tab-separated, no #Fields header, the first field a \
               Unix time with milliseconds such as 1600000000.123): its columns are whatever its real-time log \
               configuration chose, which the file does not say"
            .to_string(),
        fix: format!(
            "{STANDARD_OR_CSV}; to read this file as a tab-separated CSV trace anyway, give --trace-format csv \
             --delimiter tab and the column options"
        ),
    }
}

/// The error for an access log given to the CSV reader.
pub fn log_as_csv(file: &Path, line: u64) -> TraceError {
    TraceError::Unsupported {
        file: file.to_path_buf(),
        line,
        what: "this is a CloudFront access log (it starts with #Version or #Fields), read as a CSV trace".to_string(),
        fix: "leave out --trace-format csv (the format is detected), or give --trace-format cloudfront-log".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(text: &str) -> TraceFormat {
        detect_in(&mut Lines::from_bytes(Path::new("t"), text.as_bytes().to_vec())).unwrap()
    }

    #[test]
    fn blank_lines_before_the_header_do_not_hide_a_log() {
        assert_eq!(detect("#Version: 1.0\n#Fields: date time cs-uri-stem\n"), TraceFormat::CloudfrontLog);
        assert_eq!(detect("\n \r\n\t\n#Version: 1.0\n"), TraceFormat::CloudfrontLog);
        assert_eq!(detect("\r\n#Fields: date time cs-uri-stem\n"), TraceFormat::CloudfrontLog);
        assert_eq!(detect("\ntime,obj_id,obj_size\n"), TraceFormat::Csv);
        assert_eq!(detect("# a comment\n#Version: 1.0\n"), TraceFormat::Csv);
        assert_eq!(detect(""), TraceFormat::Csv);
        assert_eq!(detect("\n\n"), TraceFormat::Csv);
    }

    #[test]
    fn real_time_records_start_with_a_millisecond_unix_time_and_a_tab() {
        assert!(is_realtime_record(b"1600000000.123\t192.0.2.1\t0.001\t200"));
        assert!(is_realtime_record(b"999999999.000\tx"));
        for not in [
            &b"1600000000.123"[..],     // no tab
            b"1600000000,17,100",       // a CSV line
            b"1600000000.12\tx",        // centiseconds
            b"16000000000.123\tx",      // 11 digits
            b"1600000000\tx",           // no milliseconds
            b"2019-12-13\t22:36:27\tx", // a standard log record
            b"\t",
            b"",
        ] {
            assert!(!is_realtime_record(not), "{:?}", String::from_utf8_lossy(not));
        }
    }

    #[test]
    fn rtmp_logs_are_known_by_their_fields_and_stems() {
        let rtmp = "date time x-edge-location c-ip x-event sc-bytes x-cf-status x-cf-client-id cs-uri-stem \
                    cs-uri-query c-referrer x-page-url c-user-agent x-sname x-sname-query x-file-ext x-sid";
        assert!(is_rtmp_fields(rtmp));
        assert!(!is_rtmp_fields("date time x-edge-location sc-bytes c-ip cs-method cs-uri-stem x-events"));
        assert!(is_rtmp_stem(b"rtmp://s5c39gqb8ow64r.cloudfront.net/cfx/st"));
        assert!(is_rtmp_stem(b"rtmpte://s5c39gqb8ow64r.cloudfront.net/cfx/st"));
        assert!(!is_rtmp_stem(b"/rtmp://x"));
        assert!(!is_rtmp_stem(b"rtmpxyz://x"));
        assert!(!is_rtmp_stem(b"rtmp"));
    }
}
