//! CloudFront standard access logs: W3C extended format, tab-separated, a
//! `#Version` line and a `#Fields` line naming the columns, then one record
//! per viewer request, `-` for an empty value (reference §8, DG-logs).
//!
//! Columns are found by their `#Fields` names, so a file with CloudFront's
//! full 33-field list, an older shorter list or any subset with `date`,
//! `time` and `cs-uri-stem` reads the same. Each file of a directory carries
//! its own header lines. What a record gives:
//!
//! | field | becomes |
//! |---|---|
//! | `date` + `time` | `time_us` (Unix, UTC) |
//! | `cs-uri-stem` | the object (`key`) |
//! | `sc-content-len`, else `sc-bytes` | `size_bytes` (the body length when logged; `sc-bytes` counts headers too) |
//! | `cs-method` | `method` (GET when absent) |
//! | `cs-protocol` | `https` (`https`/`wss`) |
//! | `x-edge-location` | `edge_location` |
//! | `c-ip` | `client_ip` |
//! | `cs-uri-query` | `query` |
//! | `cs(Cookie)` | `cookie` |
//! | `sc-status` | `status` |
//! | `x-edge-result-type` | `result_type` |
//! | `x-edge-detailed-result-type` | `detailed_result_type` |
//!
//! Blank lines are skipped. An RTMP distribution's log (`#Fields` with
//! `x-event`, or an `rtmp://` stem) and a real-time log (a record before
//! any `#Fields` that starts with a millisecond Unix time) are refused with
//! an error naming the line: see [`super::detect`].

use super::lines::{Lines, ReadProgress};
use super::{Malformed, MalformedLines, TraceError, TraceReader, TraceRecord, detect, parse_u64, shown};
use crate::http::Method;
use crate::policy::result_type::{LoggedDetailed, LoggedResult};
use std::path::Path;

/// Where each field the simulator uses sits in a record, from `#Fields`.
#[derive(Clone, Copy, Debug, Default)]
struct Columns {
    date: usize,
    time: usize,
    uri_stem: usize,
    edge_location: Option<usize>,
    sc_bytes: Option<usize>,
    content_len: Option<usize>,
    client_ip: Option<usize>,
    method: Option<usize>,
    status: Option<usize>,
    query: Option<usize>,
    cookie: Option<usize>,
    result_type: Option<usize>,
    detailed_result_type: Option<usize>,
    protocol: Option<usize>,
    /// Fields a record must have.
    count: usize,
}

impl Columns {
    fn from_fields_line(names: &str) -> Result<Columns, String> {
        let names: Vec<&str> = names.split_ascii_whitespace().collect();
        let find = |name: &str| names.iter().position(|n| *n == name);
        let required = |name: &str| find(name).ok_or_else(|| format!("the #Fields line has no `{name}` field"));
        Ok(Columns {
            date: required("date")?,
            time: required("time")?,
            uri_stem: required("cs-uri-stem")?,
            edge_location: find("x-edge-location"),
            sc_bytes: find("sc-bytes"),
            content_len: find("sc-content-len"),
            client_ip: find("c-ip"),
            method: find("cs-method"),
            status: find("sc-status"),
            query: find("cs-uri-query"),
            cookie: find("cs(Cookie)"),
            result_type: find("x-edge-result-type"),
            detailed_result_type: find("x-edge-detailed-result-type"),
            protocol: find("cs-protocol"),
            count: names.len(),
        })
    }
}

/// Reads CloudFront access log files line by line.
pub struct CloudFrontLogReader {
    lines: Lines,
    columns: Option<Columns>,
    strict: bool,
    malformed: MalformedLines,
    /// The last `date` seen and its Unix day, since a file's records share a few dates.
    last_date: ([u8; 10], i64),
    /// Field ranges of the current record, reused.
    fields: Vec<(usize, usize)>,
}

/// A parsed record, as byte ranges into the current line.
struct Parsed {
    time_us: i64,
    size_bytes: u64,
    method: Method,
    https: bool,
    status: Option<u16>,
    result_type: Option<LoggedResult>,
    detailed_result_type: Option<LoggedDetailed>,
    key: (usize, usize),
    edge_location: Option<(usize, usize)>,
    client_ip: Option<(usize, usize)>,
    query: Option<(usize, usize)>,
    cookie: Option<(usize, usize)>,
}

impl CloudFrontLogReader {
    pub fn open(path: &Path, strict: bool) -> Result<CloudFrontLogReader, TraceError> {
        Ok(CloudFrontLogReader::from_lines(Lines::open(path)?, strict))
    }

    /// Reads `bytes` as the file `name` (see [`Lines::from_bytes`]).
    pub fn from_bytes(name: &Path, bytes: Vec<u8>, strict: bool) -> CloudFrontLogReader {
        CloudFrontLogReader::from_lines(Lines::from_bytes(name, bytes), strict)
    }

    fn from_lines(lines: Lines, strict: bool) -> CloudFrontLogReader {
        CloudFrontLogReader {
            lines,
            columns: None,
            strict,
            malformed: MalformedLines::default(),
            last_date: ([0; 10], 0),
            fields: Vec::with_capacity(40),
        }
    }

    fn malformed_line(&mut self, reason: String) -> Result<(), TraceError> {
        let m = Malformed { file: self.lines.file().to_path_buf(), line: self.lines.line_number(), reason };
        if self.strict {
            return Err(TraceError::Malformed(m));
        }
        self.malformed.record(m);
        Ok(())
    }

    fn next_parsed(&mut self) -> Result<Option<Parsed>, TraceError> {
        loop {
            if !self.lines.advance()? {
                return Ok(None);
            }
            if self.lines.first_of_file() {
                // Each file states its own fields.
                self.columns = None;
            }
            let line = self.lines.line();
            if super::is_blank(line) {
                continue;
            }
            if line[0] == b'#' {
                if let Some(names) = line.strip_prefix(b"#Fields:") {
                    let names = String::from_utf8_lossy(names);
                    if detect::is_rtmp_fields(&names) {
                        let evidence = "its #Fields line names x-event and x-sname";
                        return Err(detect::rtmp_log(self.lines.file(), self.lines.line_number(), evidence));
                    }
                    match Columns::from_fields_line(&names) {
                        Ok(columns) => self.columns = Some(columns),
                        Err(reason) => {
                            return Err(TraceError::BadLayout {
                                file: self.lines.file().to_path_buf(),
                                reason: format!("line {}: {reason}", self.lines.line_number()),
                            });
                        }
                    }
                }
                continue;
            }
            let Some(columns) = self.columns else {
                if detect::is_realtime_record(line) {
                    return Err(detect::realtime_log(self.lines.file(), self.lines.line_number()));
                }
                let reason = "a record before any #Fields line (is this a CloudFront access log?)".to_string();
                self.malformed_line(reason)?;
                continue;
            };
            let line = self.lines.line();
            self.fields.clear();
            let mut start = 0;
            for (i, &b) in line.iter().enumerate() {
                if b == b'\t' {
                    self.fields.push((start, i));
                    start = i + 1;
                }
            }
            self.fields.push((start, line.len()));
            let outcome = parse_record(line, &self.fields, &columns, &mut self.last_date);
            match outcome {
                Ok(parsed) if detect::is_rtmp_stem(&line[parsed.key.0..parsed.key.1]) => {
                    let evidence =
                        format!("cs-uri-stem {} is an RTMP stream", shown(&line[parsed.key.0..parsed.key.1]));
                    return Err(detect::rtmp_log(self.lines.file(), self.lines.line_number(), &evidence));
                }
                Ok(parsed) => return Ok(Some(parsed)),
                Err(reason) => self.malformed_line(reason)?,
            }
        }
    }
}

fn parse_record(
    line: &[u8],
    fields: &[(usize, usize)],
    columns: &Columns,
    last_date: &mut ([u8; 10], i64),
) -> Result<Parsed, String> {
    if fields.len() < columns.count {
        return Err(format!("{} tab-separated fields, the #Fields line names {}", fields.len(), columns.count));
    }
    let field = |i: usize| &line[fields[i].0..fields[i].1];
    // `-` is CloudFront's empty value.
    let optional = |i: Option<usize>| i.map(field).filter(|f| *f != b"-");
    let date = field(columns.date);
    let day = if date.len() == 10 && date == last_date.0 {
        last_date.1
    } else {
        let day = parse_day(date).map_err(|why| format!("date {} {why}", shown(date)))?;
        *last_date = (date.try_into().expect("10 bytes"), day);
        day
    };
    let time = field(columns.time);
    let seconds = parse_clock(time).map_err(|why| format!("time {} {why}", shown(time)))?;
    let time_us = (day * 86_400 + seconds) * 1_000_000;
    let size_field = optional(columns.content_len).or_else(|| optional(columns.sc_bytes));
    let size_bytes = match size_field {
        None => 0,
        Some(f) => parse_u64(f).ok_or_else(|| format!("byte count {} is not a whole number", shown(f)))?,
    };
    let method = match optional(columns.method) {
        None => Method::Get,
        Some(f) => std::str::from_utf8(f).ok().and_then(|m| m.parse().ok()).ok_or_else(|| {
            format!("method {} is not one cdnsim simulates (GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE)", shown(f))
        })?,
    };
    let https = optional(columns.protocol).is_none_or(|p| p == b"https" || p == b"wss");
    let status = match optional(columns.status) {
        None => None,
        Some(f) => Some(
            parse_u64(f).filter(|s| *s <= 999).ok_or_else(|| format!("status {} is not a 3-digit code", shown(f)))?
                as u16,
        ),
    };
    let result_type = optional(columns.result_type).map(LoggedResult::parse);
    let detailed_result_type = optional(columns.detailed_result_type).map(LoggedDetailed::parse);
    let key = fields[columns.uri_stem];
    if key.0 == key.1 || field(columns.uri_stem) == b"-" {
        return Err("cs-uri-stem is empty".into());
    }
    let range = |i: Option<usize>| i.filter(|&i| field(i) != b"-").map(|i| fields[i]);
    let utf8 = |r: Option<(usize, usize)>, name: &str| match r {
        Some((s, e)) if std::str::from_utf8(&line[s..e]).is_err() => Err(format!("{name} is not UTF-8")),
        _ => Ok(r),
    };
    Ok(Parsed {
        time_us,
        size_bytes,
        method,
        https,
        status,
        result_type,
        detailed_result_type,
        key,
        edge_location: utf8(range(columns.edge_location), "x-edge-location")?,
        client_ip: utf8(range(columns.client_ip), "c-ip")?,
        query: utf8(range(columns.query), "cs-uri-query")?,
        // Not checked: a log escapes every byte past ASCII, and a line
        // whose cookie is not UTF-8 anyway replays with none rather than
        // becoming malformed for runs that never read cookies.
        cookie: range(columns.cookie),
    })
}

/// `YYYY-MM-DD` to days since 1970-01-01 (proleptic Gregorian); the error
/// completes "date ... " with what is wrong: the shape, or a month or day
/// that does not exist.
fn parse_day(date: &[u8]) -> Result<i64, String> {
    let shape = || "is not YYYY-MM-DD".to_string();
    if date.len() != 10 || date[4] != b'-' || date[7] != b'-' {
        return Err(shape());
    }
    let year = parse_u64(&date[..4]).ok_or_else(shape)? as i64;
    let month = parse_u64(&date[5..7]).ok_or_else(shape)? as i64;
    let day = parse_u64(&date[8..]).ok_or_else(shape)? as i64;
    if !(1..=12).contains(&month) {
        return Err(format!("is not a valid date: there is no month {month}"));
    }
    let days = crate::units::days_in_month(year, month);
    if !(1..=days).contains(&day) {
        return Err(format!("is not a valid date: month {month} of {year} has days 1 to {days}"));
    }
    Ok(crate::units::days_from_civil(year, month, day))
}

/// `HH:MM:SS` to seconds of the day (60 seconds for a leap second); the
/// error completes "time ... ".
fn parse_clock(time: &[u8]) -> Result<i64, String> {
    let shape = || "is not HH:MM:SS".to_string();
    if time.len() != 8 || time[2] != b':' || time[5] != b':' {
        return Err(shape());
    }
    let h = parse_u64(&time[..2]).ok_or_else(shape)?;
    let m = parse_u64(&time[3..5]).ok_or_else(shape)?;
    let s = parse_u64(&time[6..]).ok_or_else(shape)?;
    if h > 23 || m > 59 || s > 60 {
        return Err("is not a valid time of day: hours go to 23, minutes to 59, seconds to 60".into());
    }
    Ok((h * 3600 + m * 60 + s) as i64)
}

impl TraceReader for CloudFrontLogReader {
    fn next_record(&mut self) -> Result<Option<TraceRecord<'_>>, TraceError> {
        let Some(p) = self.next_parsed()? else { return Ok(None) };
        let line = self.lines.line();
        // Checked to be UTF-8 in `parse_record`.
        let text = |r: Option<(usize, usize)>| r.map(|(s, e)| std::str::from_utf8(&line[s..e]).unwrap_or(""));
        Ok(Some(TraceRecord {
            key_number: None,
            time_us: p.time_us,
            key: &line[p.key.0..p.key.1],
            size_bytes: p.size_bytes,
            method: p.method,
            https: p.https,
            edge_location: text(p.edge_location),
            client_ip: text(p.client_ip),
            query: text(p.query).unwrap_or(""),
            cookie: text(p.cookie).unwrap_or(""),
            status: p.status,
            result_type: p.result_type,
            detailed_result_type: p.detailed_result_type,
        }))
    }

    fn malformed(&self) -> &MalformedLines {
        &self.malformed
    }

    fn progress(&self) -> ReadProgress {
        self.lines.progress()
    }

    fn progress_handle(&self) -> super::lines::ProgressHandle {
        self.lines.progress_handle()
    }

    fn place(&self) -> (&Path, u64) {
        (self.lines.file(), self.lines.line_number())
    }

    fn strict(&self) -> bool {
        self.strict
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_count_from_the_unix_epoch() {
        assert_eq!(parse_day(b"1970-01-01"), Ok(0));
        assert_eq!(parse_day(b"2019-12-13"), Ok(18_243));
        assert_eq!(parse_day(b"2024-02-29"), Ok(19_782));
        assert_eq!(parse_clock(b"22:36:27"), Ok(81_387));
        assert_eq!(parse_clock(b"23:59:60"), Ok(86_400), "a leap second");
        // The same instant as the scenario date parser.
        assert_eq!(
            parse_day(b"2019-12-13").unwrap() * 86_400 + 81_387,
            crate::units::parse_date("2019-12-13T22:36:27Z").unwrap()
        );
    }

    /// Reads `text` as the file `t.log`: (Unix seconds, stem) of each
    /// record and the malformed count, or the error that stopped it.
    fn read_log(text: &str) -> Result<(Vec<(i64, String)>, u64), TraceError> {
        let mut reader = CloudFrontLogReader::from_bytes(Path::new("t.log"), text.as_bytes().to_vec(), false);
        let mut out = Vec::new();
        while let Some(r) = reader.next_record()? {
            out.push((r.time_us / 1_000_000, String::from_utf8(r.key.to_vec()).unwrap()));
        }
        Ok((out, reader.malformed().count))
    }

    /// Issue 13, item 8: blank lines, before the header or between records.
    #[test]
    fn query_and_cookie_are_read_as_logged_and_dash_is_none() {
        let text = "#Version: 1.0\n#Fields: date time cs-uri-stem cs-uri-query cs(Cookie)\n\
                    2024-01-01\t10:00:00\t/a\ta=1&b=%2541\tsession=7;%20theme=dark\n\
                    2024-01-01\t10:00:01\t/a\t-\t-\n";
        let mut reader = CloudFrontLogReader::from_bytes(Path::new("t.log"), text.as_bytes().to_vec(), true);
        let mut got = Vec::new();
        while let Some(r) = reader.next_record().unwrap() {
            got.push((r.query.to_string(), r.cookie.to_string()));
        }
        assert_eq!(
            got,
            [("a=1&b=%2541".to_string(), "session=7;%20theme=dark".to_string()), (String::new(), String::new())]
        );
    }

    #[test]
    fn blank_lines_are_skipped_anywhere() {
        let text = "\n \r\n#Version: 1.0\n\n#Fields: date time cs-uri-stem\n\t\n2019-12-13\t22:36:27\t/a\n   \n\
                    2019-12-13\t22:36:28\t/b\n\r\n";
        // 2019-12-13T22:36:27Z is Unix second 1576276587 (see above).
        let expected = vec![(1_576_276_587, "/a".to_string()), (1_576_276_588, "/b".to_string())];
        assert_eq!(read_log(text).unwrap(), (expected, 0));
    }

    /// Issue 13, item 12: an RTMP distribution's log was replayed as GETs
    /// of the stream with its running byte counts.
    #[test]
    fn rtmp_logs_are_refused_at_their_fields_line_or_first_rtmp_stem() {
        let rtmp = "#Version: 1.0\n#Fields: date time x-edge-location c-ip x-event sc-bytes x-cf-status \
                    x-cf-client-id cs-uri-stem cs-uri-query c-referrer x-page-url c-user-agent x-sname \
                    x-sname-query x-file-ext x-sid\n2010-03-12\t23:51:20\tSEA4\t192.0.2.147\tconnect\t2014\tOK\t\
                    bfd8a98bee0840d9b871b7f6ade9908f\trtmp://s5c39gqb8ow64r.cloudfront.net/cfx/st\tkey=value\t\
                    http://player.example.com/player.swf\thttp://www.example.com/video\tLNX%2010,0,32,18\t-\t-\t-\t-\n";
        let text = read_log(rtmp).unwrap_err().to_string();
        assert!(
            text.starts_with(
                "t.log:2: this is a CloudFront RTMP streaming distribution log (its #Fields line names x-event"
            ),
            "{text}"
        );
        assert!(text.contains("retired") && text.contains("(fix: replay CloudFront standard access logs"), "{text}");
        // A #Fields line that looks standard: the rtmp:// stem on line 3 gives it away.
        let stems = "#Version: 1.0\n#Fields: date time cs-uri-stem sc-bytes\n2010-03-12\t23:51:19\t/a\t10\n\
                     2010-03-12\t23:51:20\trtmp://s5c39gqb8ow64r.cloudfront.net/cfx/st\t2014\n";
        let text = read_log(stems).unwrap_err().to_string();
        assert!(
            text.starts_with("t.log:4: this is a CloudFront RTMP streaming distribution log (cs-uri-stem"),
            "{text}"
        );
    }

    /// Issue 13, item 12: a real-time log (no header) was a malformed line
    /// per record.
    #[test]
    fn a_real_time_log_is_refused_at_its_first_record() {
        let realtime = "\n1600000000.123\t192.0.2.1\t0.001\t200\t1000\tGET\thttps\td111.cloudfront.net\t/a.js\n";
        let text = read_log(realtime).unwrap_err().to_string();
        assert!(text.starts_with("t.log:2: this looks like a CloudFront real-time log"), "{text}");
        assert!(text.contains("standard access logs (a web distribution's, with #Version and #Fields"), "{text}");
        // Any other record before #Fields is only malformed.
        assert_eq!(read_log("2019-12-13\t22:36:27\t/a\n").unwrap(), (vec![], 1));
    }

    #[test]
    fn a_date_of_the_right_shape_that_does_not_exist_says_so() {
        // The shape is right: the message names the part that does not exist.
        assert_eq!(parse_day(b"2023-13-05"), Err("is not a valid date: there is no month 13".into()));
        assert_eq!(parse_day(b"2023-00-05"), Err("is not a valid date: there is no month 0".into()));
        assert_eq!(parse_day(b"2023-02-29"), Err("is not a valid date: month 2 of 2023 has days 1 to 28".into()));
        assert_eq!(parse_day(b"2024-04-31"), Err("is not a valid date: month 4 of 2024 has days 1 to 30".into()));
        // The wrong shape is still called that.
        for bad in [&b"2023/12/05"[..], b"23-12-05", b"2023-1x-05", b"2023-12-5"] {
            assert_eq!(parse_day(bad), Err("is not YYYY-MM-DD".into()), "{}", String::from_utf8_lossy(bad));
        }
        assert!(parse_clock(b"24:00:00").unwrap_err().contains("not a valid time of day"));
        assert_eq!(parse_clock(b"2:00:00"), Err("is not HH:MM:SS".into()));
    }
}
