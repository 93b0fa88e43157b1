//! Plain CSV traces: one request a line, `timestamp,obj_id,obj_size` by
//! default, the layout cache-simulation research tools read.
//!
//! Columns are found by header name (`time`/`timestamp`, `obj_id`/`id`/`key`,
//! `obj_size`/`size`/`bytes`) when the first line is a header, else by
//! position (time, id, size); `CsvOptions` maps them explicitly by 1-based
//! number or header name. Without a size column every object is 1 byte;
//! without a time column requests are one microsecond apart. The parser
//! works on bytes in the line buffer: nothing is allocated per line.

use super::lines::{Lines, ReadProgress};
use super::{Malformed, MalformedLines, TraceError, TraceReader, TraceRecord, parse_u64, shown};
use crate::http::Method;
use std::path::Path;

/// A column given by 0-based position or by header name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Column {
    Index(usize),
    Name(String),
}

impl std::str::FromStr for Column {
    type Err = String;
    /// A 1-based column number or a header name.
    fn from_str(text: &str) -> Result<Column, String> {
        match text.parse::<usize>() {
            Ok(0) => Err("column numbers start at 1".into()),
            Ok(n) => Ok(Column::Index(n - 1)),
            Err(_) if text.is_empty() => Err("give a column number (from 1) or a header name".into()),
            Err(_) => Ok(Column::Name(text.to_string())),
        }
    }
}

/// The unit of the time column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TimeUnit {
    #[value(name = "s")]
    Seconds,
    #[value(name = "ms")]
    Millis,
    #[value(name = "us")]
    Micros,
}

impl TimeUnit {
    fn micros(self) -> i64 {
        match self {
            TimeUnit::Seconds => 1_000_000,
            TimeUnit::Millis => 1_000,
            TimeUnit::Micros => 1,
        }
    }
}

/// How to read a CSV trace; the default reads `time,obj_id,obj_size` with
/// or without its header.
#[derive(Clone, Debug)]
pub struct CsvOptions {
    pub time: Option<Column>,
    pub id: Option<Column>,
    pub size: Option<Column>,
    /// Explicitly no time column (requests one microsecond apart).
    pub no_time: bool,
    /// Explicitly no size column (every object 1 byte).
    pub no_size: bool,
    pub delimiter: u8,
    /// `None`: a first line holding a column name is a header.
    pub header: Option<bool>,
    pub time_unit: TimeUnit,
    /// Stop at the first malformed line.
    pub strict: bool,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            time: None,
            id: None,
            size: None,
            no_time: false,
            no_size: false,
            delimiter: b',',
            header: None,
            time_unit: TimeUnit::Seconds,
            strict: false,
        }
    }
}

const TIME_NAMES: [&str; 3] = ["time", "timestamp", "clock_time"];
const ID_NAMES: [&str; 5] = ["obj_id", "id", "key", "object", "obj"];
const SIZE_NAMES: [&str; 4] = ["obj_size", "size", "bytes", "object_size"];

/// The most columns a layout may reach into.
const MAX_COLUMNS: usize = 32;

/// Resolved 0-based positions.
#[derive(Clone, Copy, Debug)]
struct Layout {
    time: Option<usize>,
    id: usize,
    size: Option<usize>,
    /// The highest position read: fields past it are not split.
    last: usize,
}

/// Reads a CSV trace line by line.
pub struct CsvReader {
    lines: Lines,
    options: CsvOptions,
    layout: Option<Layout>,
    malformed: MalformedLines,
    /// Requests returned, for traces without a time column.
    records: i64,
    /// The current line's field ranges (kept here: not zeroed per line).
    fields: [(usize, usize); MAX_COLUMNS],
}

impl CsvReader {
    pub fn open(path: &Path, options: CsvOptions) -> Result<CsvReader, TraceError> {
        Ok(CsvReader {
            lines: Lines::open(path)?,
            options,
            layout: None,
            malformed: MalformedLines::default(),
            records: 0,
            fields: [(0, 0); MAX_COLUMNS],
        })
    }

    fn is_header(&self, fields: &[&[u8]]) -> bool {
        if let Some(header) = self.options.header {
            return header;
        }
        let configured = [&self.options.time, &self.options.id, &self.options.size];
        fields.iter().any(|f| {
            let name = String::from_utf8_lossy(f).trim().to_ascii_lowercase();
            TIME_NAMES.contains(&name.as_str())
                || ID_NAMES.contains(&name.as_str())
                || SIZE_NAMES.contains(&name.as_str())
                || configured.iter().any(|c| matches!(c, Some(Column::Name(n)) if n.to_ascii_lowercase() == name))
        })
    }

    /// Works out the columns from the first file's first line.
    fn resolve(&self, header: Option<&[&[u8]]>) -> Result<Layout, TraceError> {
        let names: Option<Vec<String>> =
            header.map(|h| h.iter().map(|f| String::from_utf8_lossy(f).trim().to_ascii_lowercase()).collect());
        let bad = |reason: String| TraceError::BadLayout { file: self.lines.file().to_path_buf(), reason };
        let find = |given: &Option<Column>, defaults: &[&str], position: usize, what: &str| match given {
            Some(Column::Index(i)) => Ok(Some(*i)),
            Some(Column::Name(name)) => match &names {
                Some(names) => names.iter().position(|n| *n == name.to_ascii_lowercase()).map(Some).ok_or_else(|| {
                    bad(format!(
                        "the header has no column named {name:?} for the {what} (it has: {})",
                        names.join(", ")
                    ))
                }),
                None => Err(bad(format!(
                    "the {what} column is given by name ({name:?}) but the file has no header line: give its number from 1"
                ))),
            },
            None => Ok(match &names {
                Some(names) => names.iter().position(|n| defaults.contains(&n.as_str())),
                None => Some(position),
            }),
        };
        let time = if self.options.no_time { None } else { find(&self.options.time, &TIME_NAMES, 0, "time")? };
        let id = find(&self.options.id, &ID_NAMES, 1, "object id")?.ok_or_else(|| {
            bad(format!(
                "no object id column: the header names none of {} (map it with --id-col NAME or NUMBER)",
                ID_NAMES.join(", ")
            ))
        })?;
        let size = if self.options.no_size { None } else { find(&self.options.size, &SIZE_NAMES, 2, "size")? };
        let last = [time, Some(id), size].into_iter().flatten().max().unwrap_or(0);
        Ok(Layout { time, id, size, last })
    }

    fn malformed_line(&mut self, reason: String) -> Result<(), TraceError> {
        let m = Malformed { file: self.lines.file().to_path_buf(), line: self.lines.line_number(), reason };
        if self.options.strict {
            return Err(TraceError::Malformed(m));
        }
        self.malformed.record(m);
        Ok(())
    }
}

/// The byte ranges of a line's fields up to position `last`; `None` if it has fewer.
fn split_fields(line: &[u8], delimiter: u8, last: usize, out: &mut [(usize, usize); MAX_COLUMNS]) -> Option<()> {
    let mut start = 0;
    let mut n = 0;
    for (i, &b) in line.iter().enumerate() {
        if b == delimiter {
            out[n] = (start, i);
            n += 1;
            if n > last {
                return Some(());
            }
            start = i + 1;
        }
    }
    out[n] = (start, line.len());
    (n >= last).then_some(())
}

/// Parses a time: an integer fast, else a decimal number, times `unit` microseconds.
fn parse_time(field: &[u8], unit: i64) -> Option<i64> {
    if let Some(n) = parse_u64(field) {
        return (n as i64).checked_mul(unit);
    }
    let text = std::str::from_utf8(field).ok()?.trim();
    let value: f64 = text.parse().ok()?;
    (value.is_finite() && value >= 0.0 && value * (unit as f64) < i64::MAX as f64)
        .then(|| (value * unit as f64).round() as i64)
}

fn trim(field: &[u8]) -> &[u8] {
    field.trim_ascii()
}

/// The value of the decimal digits `bytes` starts with (wrapping past
/// 19 of them), and how many there are.
fn leading_digits(bytes: &[u8]) -> (u64, usize) {
    let mut n: u64 = 0;
    let mut i = 0;
    // Eight digits at a time (SWAR): ids are often long numbers.
    while let Some(chunk) = bytes.get(i..i + 8) {
        let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let high = 0xF0F0_F0F0_F0F0_F0F0;
        let all_digits = word & high == 0x3030_3030_3030_3030
            && word.wrapping_add(0x0606_0606_0606_0606) & high == 0x3030_3030_3030_3030;
        if !all_digits {
            break;
        }
        // The first digit is the lowest byte: pairs, then quads, then all eight.
        let v = word - 0x3030_3030_3030_3030;
        let v = (v * 10 + (v >> 8)) & 0x00FF_00FF_00FF_00FF;
        let v = (v * 100 + (v >> 16)) & 0x0000_FFFF_0000_FFFF;
        let v = (v * 10_000 + (v >> 32)) & 0xFFFF_FFFF;
        n = n.wrapping_mul(100_000_000).wrapping_add(v);
        i += 8;
    }
    while i < bytes.len() {
        let digit = bytes[i].wrapping_sub(b'0');
        if digit > 9 {
            break;
        }
        n = n.wrapping_mul(10).wrapping_add(digit as u64);
        i += 1;
    }
    (n, i)
}

/// The common line in one pass: integer time and size, no spaces around
/// the fields. `None` for anything else, which the general path then parses
/// (or reports) with the same result.
fn parse_plain(line: &[u8], delimiter: u8, layout: &Layout, unit: i64, records: i64) -> Option<ParsedLine> {
    let numeric = [layout.time, layout.size];
    if numeric.contains(&Some(layout.id)) || (layout.time.is_some() && layout.time == layout.size) {
        return None;
    }
    let (mut time_us, mut size_bytes, mut key, mut key_number) = (records, 1, (0, 0), None);
    let mut pos = 0;
    for column in 0..=layout.last {
        let start = pos;
        let is_number = Some(column) == layout.time || Some(column) == layout.size;
        if is_number || column == layout.id {
            let (n, digits) = leading_digits(&line[start..]);
            pos += digits;
            if !is_number {
                // The id: a number when all of it is digits, canonical and not too long.
                let whole = line.get(pos).is_none_or(|&b| b == delimiter);
                if whole && (1..=19).contains(&digits) && (digits == 1 || line[start] != b'0') {
                    key_number = Some(n);
                    key = (start, pos);
                } else {
                    pos += memchr::memchr(delimiter, &line[pos..]).unwrap_or(line.len() - pos);
                    let id = &line[start..pos];
                    if id.is_empty() || id[0].is_ascii_whitespace() || id[id.len() - 1].is_ascii_whitespace() {
                        return None;
                    }
                    key = (start, pos);
                }
            } else if digits == 0 || digits > 19 {
                return None;
            } else if Some(column) == layout.time {
                time_us = (n as i64).checked_mul(unit)?;
            } else {
                size_bytes = n;
            }
        } else {
            pos += memchr::memchr(delimiter, &line[pos..]).unwrap_or(line.len() - pos);
        }
        match line.get(pos) {
            None if column == layout.last => {}
            Some(&b) if b == delimiter => pos += 1,
            _ => return None,
        }
    }
    Some(ParsedLine { time_us, size_bytes, key, key_number })
}

impl CsvReader {
    /// Reads lines until one parses.
    fn next_parsed(&mut self) -> Result<Option<ParsedLine>, TraceError> {
        let delimiter = self.options.delimiter;
        loop {
            if !self.lines.advance()? {
                return Ok(None);
            }
            let line = self.lines.line();
            if line.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            if self.lines.first_of_file() {
                let owned = line.to_vec();
                let all: Vec<&[u8]> = owned.split(|&b| b == delimiter).collect();
                let header = self.is_header(&all);
                if self.layout.is_none() {
                    let layout = self.resolve(header.then_some(all.as_slice()))?;
                    if layout.last >= MAX_COLUMNS {
                        return Err(TraceError::BadLayout {
                            file: self.lines.file().to_path_buf(),
                            reason: format!("columns past the {MAX_COLUMNS}th are not supported"),
                        });
                    }
                    self.layout = Some(layout);
                }
                if header {
                    continue;
                }
            }
            let layout = self.layout.expect("resolved on the first line");
            let line = self.lines.line();
            if let Some(parsed) = parse_plain(line, delimiter, &layout, self.options.time_unit.micros(), self.records) {
                self.records += 1;
                return Ok(Some(parsed));
            }
            if split_fields(line, delimiter, layout.last, &mut self.fields).is_none() {
                let have = line.split(|&b| b == delimiter).count();
                self.malformed_line(format!("{have} fields, the layout needs at least {}", layout.last + 1))?;
                continue;
            }
            let fields = &self.fields;
            let field = |i: usize| trim(&line[fields[i].0..fields[i].1]);
            let time_us = match layout.time {
                None => Ok(self.records),
                Some(i) => parse_time(field(i), self.options.time_unit.micros())
                    .ok_or_else(|| format!("time {} is not a non-negative number", shown(field(i)))),
            };
            let size_bytes = match layout.size {
                None => Ok(1),
                Some(i) => parse_u64(field(i))
                    .ok_or_else(|| format!("size {} is not a whole number of bytes", shown(field(i)))),
            };
            let (start, end) = fields[layout.id];
            let key = trim_range(line, start, end);
            let outcome = match (time_us, size_bytes) {
                (Ok(_), Ok(_)) if key.0 == key.1 => Err("the object id is empty".to_string()),
                (Ok(time_us), Ok(size_bytes)) => Ok(ParsedLine { time_us, size_bytes, key, key_number: None }),
                (Err(reason), _) | (_, Err(reason)) => Err(reason),
            };
            match outcome {
                Ok(parsed) => {
                    self.records += 1;
                    return Ok(Some(parsed));
                }
                Err(reason) => self.malformed_line(reason)?,
            }
        }
    }
}

/// A line that parsed: its time, size, and the id's byte range in the line.
struct ParsedLine {
    time_us: i64,
    size_bytes: u64,
    key: (usize, usize),
    /// The id as a canonical decimal number, if the line's parser saw it was one.
    key_number: Option<u64>,
}

/// The range of `line[start..end]` without surrounding ASCII whitespace.
fn trim_range(line: &[u8], mut start: usize, mut end: usize) -> (usize, usize) {
    while start < end && line[start].is_ascii_whitespace() {
        start += 1;
    }
    while end > start && line[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    (start, end)
}

impl TraceReader for CsvReader {
    fn next_record(&mut self) -> Result<Option<TraceRecord<'_>>, TraceError> {
        let Some(parsed) = self.next_parsed()? else { return Ok(None) };
        Ok(Some(TraceRecord {
            time_us: parsed.time_us,
            key: &self.lines.line()[parsed.key.0..parsed.key.1],
            key_number: parsed.key_number,
            size_bytes: parsed.size_bytes,
            method: Method::Get,
            https: true,
            edge_location: None,
            client_ip: None,
            query: "",
            status: None,
            result_type: None,
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

    fn reject_last(&mut self, reason: String) -> Result<(), TraceError> {
        self.malformed_line(reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("cdnsim-csv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn plain_lines_parse_in_one_pass_and_others_go_to_the_general_path() {
        let layout = Layout { time: Some(0), id: 1, size: Some(2), last: 2 };
        let plain = |line: &'static str| {
            parse_plain(line.as_bytes(), b',', &layout, 1_000, 7)
                .map(|p| (p.time_us, &line[p.key.0..p.key.1], p.size_bytes))
        };
        assert_eq!(plain("5,abc,100"), Some((5_000, "abc", 100)));
        assert_eq!(plain("5,12ab,100"), Some((5_000, "12ab", 100)));
        let number = |line: &[u8]| parse_plain(line, b',', &layout, 1, 0).and_then(|p| p.key_number);
        assert_eq!(number(b"5,120,100"), Some(120));
        assert_eq!(number(b"5,0,100"), Some(0));
        for not_canonical in [&b"5,012,100"[..], b"5,12ab,100", b"5,12345678901234567890,1"] {
            assert_eq!(number(not_canonical), None, "{:?}", String::from_utf8_lossy(not_canonical));
        }
        assert_eq!(plain("5,abc,100,extra"), Some((5_000, "abc", 100)));
        for other in [" 5,abc,100", "5, abc,100", "5,abc ,100", "5,,100", "5,abc", "5,abc,", "5.5,abc,1", "5,abc,1x"] {
            assert_eq!(plain(other), None, "{other:?}");
        }
        let no_time = Layout { time: None, id: 0, size: None, last: 0 };
        let p = parse_plain(b"k", b',', &no_time, 1, 7).unwrap();
        assert_eq!((p.time_us, p.key, p.size_bytes), (7, (0, 1), 1));
    }

    #[test]
    fn leading_digits_agree_with_a_plain_parse() {
        for text in ["", "x", "7", "12345678", "123456789", "1234567x9", "12345678901234567890", "00000000000042,5"] {
            let digits = text.bytes().take_while(u8::is_ascii_digit).count();
            let expected = text[..digits].bytes().fold(0u64, |n, b| n.wrapping_mul(10).wrapping_add((b - b'0') as u64));
            assert_eq!(leading_digits(text.as_bytes()), (expected, digits), "{text:?}");
        }
        let below_zero = [b'/'; 8];
        assert_eq!(leading_digits(&below_zero), (0, 0));
        assert_eq!(leading_digits(b"1234567:"), (1234567, 7));
    }

    fn read_all(reader: &mut CsvReader) -> Vec<(i64, String, u64)> {
        let mut out = Vec::new();
        while let Some(r) = reader.next_record().unwrap() {
            out.push((r.time_us, String::from_utf8(r.key.to_vec()).unwrap(), r.size_bytes));
        }
        out
    }

    #[test]
    fn the_research_header_needs_no_options() {
        let path = write("header.csv", "time,obj_id,obj_size\n1,a,100\n2,b,200\n2,a,100\n");
        let mut reader = CsvReader::open(&path, CsvOptions::default()).unwrap();
        let got = read_all(&mut reader);
        assert_eq!(got, vec![(1_000_000, "a".into(), 100), (2_000_000, "b".into(), 200), (2_000_000, "a".into(), 100)]);
        assert_eq!(reader.malformed().count, 0);
    }

    #[test]
    fn headerless_traces_read_by_position_with_decimal_times() {
        let path = write("plain.csv", "0.5,17,10\n1.25,18,20\n");
        let mut reader = CsvReader::open(&path, CsvOptions::default()).unwrap();
        assert_eq!(read_all(&mut reader), vec![(500_000, "17".into(), 10), (1_250_000, "18".into(), 20)]);
    }

    #[test]
    fn columns_map_by_name_or_number() {
        let text = "version,time,op,size,lbn\n1,10,2a,512,42\n1,11,28,1024,43\n";
        let path = write("mapped.csv", text);
        let by_name = CsvOptions {
            time: Some("time".parse().unwrap()),
            id: Some("lbn".parse().unwrap()),
            size: Some("size".parse().unwrap()),
            ..CsvOptions::default()
        };
        let mut reader = CsvReader::open(&path, by_name).unwrap();
        let expected = vec![(10_000_000, "42".to_string(), 512), (11_000_000, "43".into(), 1024)];
        assert_eq!(read_all(&mut reader), expected);
        let by_number = CsvOptions {
            time: Some("2".parse().unwrap()),
            id: Some("5".parse().unwrap()),
            size: Some("4".parse().unwrap()),
            header: Some(true),
            ..CsvOptions::default()
        };
        let mut reader = CsvReader::open(&path, by_number).unwrap();
        assert_eq!(read_all(&mut reader), expected);
    }

    #[test]
    fn malformed_lines_are_counted_with_line_numbers_and_skipped() {
        let path = write("bad.csv", "time,obj_id,obj_size\n1,a,100\n2,b\nx,c,5\n3,d,-4\n4,,5\n5,e,7\n");
        let mut reader = CsvReader::open(&path, CsvOptions::default()).unwrap();
        let got = read_all(&mut reader);
        assert_eq!(got, vec![(1_000_000, "a".into(), 100), (5_000_000, "e".into(), 7)]);
        let m = reader.malformed();
        assert_eq!(m.count, 4);
        assert_eq!(m.first.iter().map(|m| m.line).collect::<Vec<_>>(), vec![3, 4, 5, 6]);
        assert!(m.first[0].reason.contains("2 fields"), "{}", m.first[0]);
        assert!(m.first[1].reason.contains("time \"x\""), "{}", m.first[1]);
    }

    #[test]
    fn strict_stops_at_the_first_malformed_line() {
        let path = write("strict.csv", "1,a,100\n2,b,oops\n3,c,1\n");
        let mut reader = CsvReader::open(&path, CsvOptions { strict: true, ..CsvOptions::default() }).unwrap();
        assert!(reader.next_record().unwrap().is_some());
        let err = reader.next_record().unwrap_err();
        assert!(err.to_string().contains("strict.csv:2: size \"oops\""), "{err}");
    }

    #[test]
    fn an_unknown_column_name_lists_the_header() {
        let path = write("names.csv", "a,b,c\n1,2,3\n");
        let options = CsvOptions { id: Some("lbn".parse().unwrap()), header: Some(true), ..CsvOptions::default() };
        let err = CsvReader::open(&path, options).unwrap().next_record().unwrap_err();
        assert!(err.to_string().contains("no column named \"lbn\"") && err.to_string().contains("a, b, c"), "{err}");
    }

    #[test]
    fn no_size_and_no_time_columns() {
        let path = write("ids.csv", "x\ny\n");
        let options = CsvOptions { id: Some(Column::Index(0)), no_time: true, no_size: true, ..CsvOptions::default() };
        let mut reader = CsvReader::open(&path, options).unwrap();
        assert_eq!(read_all(&mut reader), vec![(0, "x".into(), 1), (1, "y".into(), 1)]);
    }
}
