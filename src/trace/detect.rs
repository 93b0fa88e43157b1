//! Which reader a trace goes to.
//!
//! A standard access log starts with `#Version:` and `#Fields:` lines
//! (reference §8); anything else is read as CSV. Blank lines before the
//! first line with text do not count, so a log that starts with an empty
//! line is still a log.

use super::TraceError;
use super::lines::Lines;
use std::path::Path;

/// The trace formats cdnsim replays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TraceFormat {
    /// `timestamp,obj_id,obj_size` (see the column options).
    Csv,
    /// CloudFront standard access logs (W3C, tab-separated, `#Fields` header).
    CloudfrontLog,
}

/// The format of the trace at `path` (a file, or a directory's first file
/// with a line of text), from its first line that is not blank.
pub fn detect_format(path: &Path) -> Result<TraceFormat, TraceError> {
    detect_in(&mut Lines::open(path)?)
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
}
