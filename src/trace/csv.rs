//! Plain CSV traces: one request a line, `timestamp,obj_id,obj_size` by
//! default, the layout cache-simulation research tools read.
//!
//! Columns are found by header name (`time`/`timestamp`, `obj_id`/`id`/`key`,
//! `obj_size`/`size`/`bytes`) when the first line is a header, else by
//! position (time, id, size); `CsvOptions` maps them explicitly by 1-based
//! number or header name. Without a size column every object is 1 byte;
//! without a time column requests are one microsecond apart. The parser
//! works on bytes in the line buffer: nothing is allocated per line.
//!
//! A query string and a `Cookie` header column are read only when given
//! (`CsvOptions::query`, `cookie`); their lines take the general parse.

use super::lines::{Lines, ReadProgress};
use super::{Malformed, MalformedLines, TraceError, TraceReader, TraceRecord, detect, parse_u64, shown};
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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeUnit {
    Seconds,
    Millis,
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
    /// The request's query string (without `?`) and `Cookie` header, as
    /// an access log writes them; empty or `-` for none. Never guessed.
    pub query: Option<Column>,
    pub cookie: Option<Column>,
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
            query: None,
            cookie: None,
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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Layout {
    time: Option<usize>,
    id: usize,
    size: Option<usize>,
    /// The highest position read: fields past it are not split.
    last: usize,
}

/// Where the query string and `Cookie` columns are, when given.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Extras {
    query: Option<usize>,
    cookie: Option<usize>,
}

/// `time,obj_id,obj_size`, with or without its header: the layout of most
/// traces, which the one-pass parse is compiled for on its own.
const RESEARCH_LAYOUT: Layout = Layout { time: Some(0), id: 1, size: Some(2), last: 2 };

/// Reads a CSV trace line by line.
pub struct CsvReader {
    lines: Lines,
    options: CsvOptions,
    layout: Option<Layout>,
    extras: Extras,
    /// `extras` names a column (then the one-pass parse is off).
    extras_given: bool,
    malformed: MalformedLines,
    /// Requests returned, for traces without a time column.
    records: i64,
    /// The current line's field ranges (kept here: not zeroed per line).
    fields: [(usize, usize); MAX_COLUMNS],
    /// How plain lines are parsed, once the layout is known.
    one_pass: OnePass,
    /// No line with text read yet from the current file (blank lines may
    /// come before its header).
    at_file_start: bool,
}

/// The one-pass parse a trace's lines take before the general one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OnePass {
    /// Every line goes to the general parse.
    Off,
    /// [`RESEARCH_LAYOUT`], unrolled: [`parse_research`].
    Research,
    /// Any other layout: [`parse_mapped`].
    Mapped(Layout),
}

impl OnePass {
    fn new(layout: &Layout, delimiter: u8) -> OnePass {
        // The parse stops at the first byte that cannot continue a number, so
        // a digit, `\n` or `\r` as the delimiter would be read as part of a field.
        let delimiter_ok = !delimiter.is_ascii_digit() && delimiter != b'\n' && delimiter != b'\r';
        // A column read as two things is left to the general parse.
        let numeric = [layout.time, layout.size];
        let overlap = numeric.contains(&Some(layout.id)) || (layout.time.is_some() && layout.time == layout.size);
        match (delimiter_ok && !overlap, *layout == RESEARCH_LAYOUT) {
            (false, _) => OnePass::Off,
            (true, true) => OnePass::Research,
            (true, false) => OnePass::Mapped(*layout),
        }
    }
}

impl CsvReader {
    pub fn open(path: &Path, options: CsvOptions) -> Result<CsvReader, TraceError> {
        Ok(CsvReader::from_lines(Lines::open(path)?, options))
    }

    /// Reads `bytes` as the file `name` (see [`Lines::from_bytes`]).
    pub fn from_bytes(name: &Path, bytes: Vec<u8>, options: CsvOptions) -> CsvReader {
        CsvReader::from_lines(Lines::from_bytes(name, bytes), options)
    }

    fn from_lines(lines: Lines, options: CsvOptions) -> CsvReader {
        CsvReader {
            lines,
            options,
            layout: None,
            extras: Extras::default(),
            extras_given: false,
            malformed: MalformedLines::default(),
            records: 0,
            fields: [(0, 0); MAX_COLUMNS],
            one_pass: OnePass::Off,
            at_file_start: true,
        }
    }

    fn is_header(&self, fields: &[&[u8]]) -> bool {
        if let Some(header) = self.options.header {
            return header;
        }
        let o = &self.options;
        let configured = [&o.time, &o.id, &o.size, &o.query, &o.cookie];
        fields.iter().any(|f| {
            let name = String::from_utf8_lossy(f).trim().to_ascii_lowercase();
            TIME_NAMES.contains(&name.as_str())
                || ID_NAMES.contains(&name.as_str())
                || SIZE_NAMES.contains(&name.as_str())
                || configured.iter().any(|c| matches!(c, Some(Column::Name(n)) if n.to_ascii_lowercase() == name))
        })
    }

    /// Works out the columns from the first file's first line.
    fn resolve(&self, header: Option<&[&[u8]]>) -> Result<(Layout, Extras), TraceError> {
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
        let given = |column: &Option<Column>, what: &str| match column {
            None => Ok(None),
            Some(_) => find(column, &[], 0, what),
        };
        let extras = Extras {
            query: given(&self.options.query, "query string")?,
            cookie: given(&self.options.cookie, "cookie")?,
        };
        let last = [time, Some(id), size, extras.query, extras.cookie].into_iter().flatten().max().unwrap_or(0);
        Ok((Layout { time, id, size, last }, extras))
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
        return time_micros(n, unit);
    }
    let text = std::str::from_utf8(field).ok()?.trim();
    let value: f64 = text.parse().ok()?;
    (value.is_finite() && value >= 0.0 && value * (unit as f64) < i64::MAX as f64)
        .then(|| (value * unit as f64).round() as i64)
}

/// A whole-number time in `unit` microseconds, if it fits.
#[inline(always)]
fn time_micros(n: u64, unit: i64) -> Option<i64> {
    i64::try_from(n).ok()?.checked_mul(unit)
}

fn trim(field: &[u8]) -> &[u8] {
    field.trim_ascii()
}

/// The same byte in all eight bytes of a word.
const fn splat(byte: u8) -> u64 {
    byte as u64 * 0x0101_0101_0101_0101
}

const HIGH_BITS: u64 = splat(0x80);

const POWERS_OF_TEN: [u64; 9] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000];

/// The eight bytes of `bytes` from `at` as a little-endian word (the byte at
/// `at` lowest), zero bytes past its end.
#[inline(always)]
fn word_at(bytes: &[u8], at: usize) -> u64 {
    match bytes.get(at..at.wrapping_add(8)) {
        Some(chunk) => u64::from_le_bytes(chunk.try_into().expect("eight bytes")),
        None => {
            let mut padded = [0u8; 8];
            let tail = &bytes[at.min(bytes.len())..];
            padded[..tail.len()].copy_from_slice(tail);
            u64::from_le_bytes(padded)
        }
    }
}

/// The high bit of every zero byte of `word`, nothing else (no carries
/// between bytes, so no false hits after a true one).
#[inline(always)]
fn zero_bytes(word: u64) -> u64 {
    !(((word & !HIGH_BITS) + !HIGH_BITS) | word) & HIGH_BITS
}

/// The value of the decimal digits at `at` in `bytes` (wrapping past 19
/// of them), and how many there are. Eight bytes at a time (SWAR): a
/// trace's numbers are mostly several digits long.
#[inline(always)]
fn leading_digits(bytes: &[u8], at: usize) -> (u64, usize) {
    let (mut n, mut digits) = word_digits(word_at(bytes, at));
    if digits == 8 {
        loop {
            let (more, more_digits) = word_digits(word_at(bytes, at + digits));
            n = n.wrapping_mul(POWERS_OF_TEN[more_digits]).wrapping_add(more);
            digits += more_digits;
            if more_digits < 8 {
                break;
            }
        }
    }
    (n, digits)
}

/// The value of the decimal digits a little-endian word starts with, and
/// how many there are (0 to 8).
#[inline(always)]
fn word_digits(word: u64) -> (u64, usize) {
    // Digits become the values 0..=9; every other byte is 10 or more.
    let values = word ^ splat(b'0');
    // The high bit of each byte that is not a digit: clearing bit 7 first
    // keeps the addition from carrying into the next byte.
    let not_digit = (((values & !HIGH_BITS) + splat(0x80 - 10)) | values) & HIGH_BITS;
    let digits = (not_digit.trailing_zeros() / 8) as usize;
    if digits == 0 {
        return (0, 0);
    }
    // The digits to the top bytes, zeros (leading zeros) below them; the
    // lowest byte is the most significant digit: fold pairs, then quads,
    // then all eight.
    let v = values << (64 - 8 * digits);
    let v = (v * 10 + (v >> 8)) & 0x00FF_00FF_00FF_00FF;
    let v = (v * 100 + (v >> 16)) & 0x0000_FFFF_0000_FFFF;
    let v = (v * 10_000 + (v >> 32)) & 0xFFFF_FFFF;
    (v, digits)
}

/// The index of the first `delimiter` or `\n` in `bytes` from `from`, or
/// the length of `bytes` if there is none.
#[inline(always)]
fn field_end(bytes: &[u8], from: usize, delimiter: u8) -> usize {
    let mut i = from;
    while i < bytes.len() {
        let word = word_at(bytes, i);
        let hits = zero_bytes(word ^ splat(delimiter)) | zero_bytes(word ^ splat(b'\n'));
        if hits != 0 {
            // `min`: the zero bytes padding the last word may be the delimiter.
            return (i + (hits.trailing_zeros() / 8) as usize).min(bytes.len());
        }
        i += 8;
    }
    bytes.len()
}

// The one-pass parse. It takes the common line (integer time and size, no
// spaces around the fields) and gives up (`None`) on anything else, which
// the general parse then reads or reports with the same result.
//
// `bytes` is either one line without its line ending, or everything the
// buffer holds from a line's start on (the next lines, the last perhaps cut
// short). Parsed with the line: the `\n` ending it, `None` if `bytes` ran
// out first (then only a line given alone is whole).

/// A time or size field at `at`: its value and end, if it is 1 to 19
/// digits (what `parse_u64` takes).
#[inline(always)]
fn number_at(bytes: &[u8], at: usize) -> Option<(u64, usize)> {
    let (n, digits) = leading_digits(bytes, at);
    (1..=19).contains(&digits).then_some((n, at + digits))
}

/// An id field at `at`: its end, and its value when it is a canonical
/// decimal (no leading zero, not too long); `None` if it is empty or has
/// spaces around it.
#[inline(always)]
fn id_at(bytes: &[u8], at: usize, delimiter: u8) -> Option<(usize, Option<u64>)> {
    let (n, digits) = leading_digits(bytes, at);
    let end = at + digits;
    let whole = bytes.get(end).is_none_or(|&b| b == delimiter || b == b'\n' || b == b'\r');
    if whole && (1..=19).contains(&digits) && (digits == 1 || bytes[at] != b'0') {
        return Some((end, Some(n)));
    }
    let mut end = field_end(bytes, end, delimiter);
    if bytes.get(end) == Some(&b'\n') && end > at && bytes[end - 1] == b'\r' {
        end -= 1;
    }
    let id = &bytes[at..end];
    let spaced = |b: Option<&u8>| b.is_none_or(u8::is_ascii_whitespace);
    (!spaced(id.first()) && !spaced(id.last())).then_some((end, None))
}

/// The next field's start, if a delimiter ends the field at `end`.
#[inline(always)]
fn next_field(bytes: &[u8], end: usize, delimiter: u8) -> Option<usize> {
    (bytes.get(end) == Some(&delimiter)).then_some(end + 1)
}

/// The end of the line whose last field read ends at `end`: its `\n`, or
/// `Some(None)` if `bytes` ends first; `None` if anything but a line end or
/// more columns follows.
#[inline(always)]
fn line_end(bytes: &[u8], end: usize, delimiter: u8) -> Option<Option<usize>> {
    match bytes.get(end) {
        None => Some(None),
        Some(b'\n') => Some(Some(end)),
        Some(b'\r') if bytes.get(end + 1) == Some(&b'\n') => Some(Some(end + 1)),
        // Columns past the layout's: the rest of the line is not read.
        Some(&b) if b == delimiter => Some(memchr::memchr(b'\n', &bytes[end..]).map(|i| end + i)),
        Some(_) => None,
    }
}

/// The one-pass parse of a [`RESEARCH_LAYOUT`] line, unrolled.
#[inline(always)]
fn parse_research(bytes: &[u8], delimiter: u8, unit: i64) -> Option<(ParsedLine, Option<usize>)> {
    let (time, time_end) = number_at(bytes, 0)?;
    let id_start = next_field(bytes, time_end, delimiter)?;
    let (id_end, key_number) = id_at(bytes, id_start, delimiter)?;
    let (size_bytes, size_end) = number_at(bytes, next_field(bytes, id_end, delimiter)?)?;
    let newline = line_end(bytes, size_end, delimiter)?;
    let time_us = time_micros(time, unit)?;
    Some((ParsedLine { time_us, size_bytes, key: (id_start, id_end), key_number }, newline))
}

/// The one-pass parse for any layout [`OnePass::new`] allows.
fn parse_mapped(
    bytes: &[u8],
    delimiter: u8,
    layout: &Layout,
    unit: i64,
    records: i64,
) -> Option<(ParsedLine, Option<usize>)> {
    let (mut time_us, mut size_bytes, mut key, mut key_number) = (records, 1, (0, 0), None);
    let mut end = 0;
    for column in 0..=layout.last {
        let start = if column == 0 { 0 } else { next_field(bytes, end, delimiter)? };
        end = if Some(column) == layout.time {
            let (n, number_end) = number_at(bytes, start)?;
            time_us = time_micros(n, unit)?;
            number_end
        } else if Some(column) == layout.size {
            let (n, number_end) = number_at(bytes, start)?;
            size_bytes = n;
            number_end
        } else if column == layout.id {
            let (id_end, number) = id_at(bytes, start, delimiter)?;
            (key, key_number) = ((start, id_end), number);
            id_end
        } else {
            field_end(bytes, start, delimiter)
        };
    }
    let newline = line_end(bytes, end, delimiter)?;
    Some((ParsedLine { time_us, size_bytes, key, key_number }, newline))
}

/// Any line, field by field: what is wrong with it if it cannot be used.
fn parse_general(
    line: &[u8],
    delimiter: u8,
    layout: &Layout,
    unit: i64,
    records: i64,
    fields: &mut [(usize, usize); MAX_COLUMNS],
) -> Result<ParsedLine, String> {
    if split_fields(line, delimiter, layout.last, fields).is_none() {
        let have = line.split(|&b| b == delimiter).count();
        return Err(format!("{have} fields, the layout needs at least {}", layout.last + 1));
    }
    let field = |i: usize| trim(&line[fields[i].0..fields[i].1]);
    let time_us = match layout.time {
        None => Ok(records),
        Some(i) => {
            parse_time(field(i), unit).ok_or_else(|| format!("time {} is not a non-negative number", shown(field(i))))
        }
    };
    let size_bytes = match layout.size {
        None => Ok(1),
        Some(i) => {
            parse_u64(field(i)).ok_or_else(|| format!("size {} is not a whole number of bytes", shown(field(i))))
        }
    };
    let (start, end) = fields[layout.id];
    let key = trim_range(line, start, end);
    match (time_us, size_bytes) {
        (Ok(_), Ok(_)) if key.0 == key.1 => Err("the object id is empty".to_string()),
        (Ok(time_us), Ok(size_bytes)) => Ok(ParsedLine { time_us, size_bytes, key, key_number: None }),
        (Err(reason), _) | (_, Err(reason)) => Err(reason),
    }
}

impl CsvReader {
    /// The one-pass parse of `bytes` (a line, or the buffer from a line's start).
    #[inline(always)]
    fn parse_one_pass(&self, bytes: &[u8]) -> Option<(ParsedLine, Option<usize>)> {
        let unit = self.options.time_unit.micros();
        match self.one_pass {
            OnePass::Off => None,
            OnePass::Research => parse_research(bytes, self.options.delimiter, unit),
            OnePass::Mapped(layout) => parse_mapped(bytes, self.options.delimiter, &layout, unit, self.records),
        }
    }

    /// The next line, if the one-pass parse takes it whole from what the
    /// buffer holds: most lines, without a search for their end first.
    #[inline(always)]
    fn next_in_buffer(&mut self) -> Option<ParsedLine> {
        let (parsed, newline) = self.parse_one_pass(self.lines.unread())?;
        self.lines.take_line(newline?);
        self.records += 1;
        Some(parsed)
    }

    /// Reads lines until one parses: first lines, lines the buffer holds only
    /// part of, and lines the one-pass parse leaves.
    #[inline(never)]
    fn next_parsed(&mut self) -> Result<Option<ParsedLine>, TraceError> {
        let delimiter = self.options.delimiter;
        loop {
            if !self.lines.advance()? {
                return Ok(None);
            }
            if self.lines.first_of_file() {
                self.at_file_start = true;
            }
            let line = self.lines.line();
            if super::is_blank(line) {
                continue;
            }
            if self.at_file_start {
                // A file's first line with text: maybe a header, maybe not CSV at all.
                self.at_file_start = false;
                let (file, number) = (self.lines.file(), self.lines.line_number());
                if detect::is_log_header(line) {
                    return Err(detect::log_as_csv(file, number));
                }
                if delimiter != b'\t' && detect::is_realtime_record(line) {
                    return Err(detect::realtime_log(file, number));
                }
                let owned = line.to_vec();
                let all: Vec<&[u8]> = owned.split(|&b| b == delimiter).collect();
                let header = self.is_header(&all);
                if self.layout.is_none() {
                    let (layout, extras) = self.resolve(header.then_some(all.as_slice()))?;
                    if layout.last >= MAX_COLUMNS {
                        return Err(TraceError::BadLayout {
                            file: self.lines.file().to_path_buf(),
                            reason: format!("columns past the {MAX_COLUMNS}th are not supported"),
                        });
                    }
                    self.layout = Some(layout);
                    self.extras = extras;
                    // The one-pass parses read no query or cookie column.
                    self.extras_given = extras != Extras::default();
                    self.one_pass = if self.extras_given { OnePass::Off } else { OnePass::new(&layout, delimiter) };
                }
                if header {
                    continue;
                }
            }
            let layout = self.layout.expect("resolved on the first file's first line with text");
            let line = self.lines.line();
            let outcome = match self.parse_one_pass(line) {
                Some((parsed, _)) => Ok(parsed),
                None => parse_general(
                    line,
                    delimiter,
                    &layout,
                    self.options.time_unit.micros(),
                    self.records,
                    &mut self.fields,
                ),
            };
            let outcome = outcome.and_then(|parsed| match self.extra_not_text() {
                Some(what) => Err(format!("the {what} column is not UTF-8")),
                None => Ok(parsed),
            });
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
#[derive(Debug, PartialEq, Eq)]
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

impl CsvReader {
    /// The current line's query string and cookie, when their columns are
    /// given (then the one-pass parse is off).
    #[inline(never)]
    fn extra_texts(&self) -> (&str, &str) {
        (self.extra_text(self.extras.query), self.extra_text(self.extras.cookie))
    }

    /// The current line's field at `column` (the general parse split it),
    /// trimmed; empty for `-` (an access log's none), or no such column.
    fn extra_text(&self, column: Option<usize>) -> &str {
        let Some(i) = column else { return "" };
        let (start, end) = self.fields[i];
        let text = std::str::from_utf8(trim(&self.lines.line()[start..end])).unwrap_or("");
        if text == "-" { "" } else { text }
    }

    /// Which given extra column of the current line is not UTF-8, if one is.
    fn extra_not_text(&self) -> Option<&'static str> {
        let line = self.lines.line();
        let bad = |c: Option<usize>| {
            c.is_some_and(|i| std::str::from_utf8(&line[self.fields[i].0..self.fields[i].1]).is_err())
        };
        if bad(self.extras.query) {
            Some("query string")
        } else if bad(self.extras.cookie) {
            Some("cookie")
        } else {
            None
        }
    }
}

impl TraceReader for CsvReader {
    fn next_record(&mut self) -> Result<Option<TraceRecord<'_>>, TraceError> {
        let parsed = match self.next_in_buffer() {
            Some(parsed) => parsed,
            None => match self.next_parsed()? {
                Some(parsed) => parsed,
                None => return Ok(None),
            },
        };
        // Most traces name neither column: one branch for them.
        let (query, cookie) = if self.extras_given { self.extra_texts() } else { ("", "") };
        Ok(Some(TraceRecord {
            time_us: parsed.time_us,
            key: &self.lines.line()[parsed.key.0..parsed.key.1],
            key_number: parsed.key_number,
            size_bytes: parsed.size_bytes,
            method: Method::Get,
            https: true,
            edge_location: None,
            client_ip: None,
            query,
            cookie,
            status: None,
            result_type: None,
            detailed_result_type: None,
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
        self.options.strict
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

    /// The one-pass parse of a comma-separated `bytes`, checking that the
    /// unrolled parse of the research layout agrees with the mapped one.
    fn parse_plain(bytes: &[u8], layout: &Layout, unit: i64, records: i64) -> Option<(ParsedLine, Option<usize>)> {
        let mapped = parse_mapped(bytes, b',', layout, unit, records);
        if *layout == RESEARCH_LAYOUT {
            assert_eq!(parse_research(bytes, b',', unit), mapped, "{:?}", String::from_utf8_lossy(bytes));
        }
        mapped
    }

    #[test]
    fn the_one_pass_parse_is_chosen_by_layout_and_delimiter() {
        assert_eq!(OnePass::new(&RESEARCH_LAYOUT, b','), OnePass::Research);
        assert_eq!(OnePass::new(&RESEARCH_LAYOUT, b'\t'), OnePass::Research);
        let mapped = Layout { time: None, id: 0, size: Some(3), last: 3 };
        assert_eq!(OnePass::new(&mapped, b' '), OnePass::Mapped(mapped));
        for delimiter in [b'0', b'7', b'\n', b'\r'] {
            assert_eq!(OnePass::new(&RESEARCH_LAYOUT, delimiter), OnePass::Off, "{delimiter}");
        }
        let id_is_size = Layout { time: Some(0), id: 1, size: Some(1), last: 1 };
        let time_is_size = Layout { time: Some(0), id: 1, size: Some(0), last: 1 };
        assert_eq!(OnePass::new(&id_is_size, b','), OnePass::Off);
        assert_eq!(OnePass::new(&time_is_size, b','), OnePass::Off);
    }

    #[test]
    fn plain_lines_parse_in_one_pass_and_others_go_to_the_general_path() {
        let layout = Layout { time: Some(0), id: 1, size: Some(2), last: 2 };
        let plain = |line: &'static str| {
            parse_plain(line.as_bytes(), &layout, 1_000, 7)
                .map(|(p, _)| (p.time_us, &line[p.key.0..p.key.1], p.size_bytes))
        };
        assert_eq!(plain("5,abc,100"), Some((5_000, "abc", 100)));
        assert_eq!(plain("5,12ab,100"), Some((5_000, "12ab", 100)));
        let number = |line: &[u8]| parse_plain(line, &layout, 1, 0).and_then(|(p, _)| p.key_number);
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
        let (p, _) = parse_plain(b"k", &no_time, 1, 7).unwrap();
        assert_eq!((p.time_us, p.key, p.size_bytes), (7, (0, 1), 1));
    }

    #[test]
    fn leading_digits_agree_with_a_plain_parse() {
        for text in ["", "x", "7", "12345678", "123456789", "1234567x9", "12345678901234567890", "00000000000042,5"] {
            let digits = text.bytes().take_while(u8::is_ascii_digit).count();
            let expected = text[..digits].bytes().fold(0u64, |n, b| n.wrapping_mul(10).wrapping_add((b - b'0') as u64));
            assert_eq!(leading_digits(text.as_bytes(), 0), (expected, digits), "{text:?}");
            let shifted = format!("x,{text}");
            assert_eq!(leading_digits(shifted.as_bytes(), 2), (expected, digits), "{text:?}");
        }
        let below_zero = [b'/'; 8];
        assert_eq!(leading_digits(&below_zero, 0), (0, 0));
        assert_eq!(leading_digits(b"1234567:", 0), (1234567, 7));
        assert_eq!(leading_digits(b"12", 2), (0, 0));
    }

    /// Field texts that trip parsers up: empty, spaces, signs, leading zeros,
    /// the 19/20-digit edge, past `i64`, decimals, stray carriage returns.
    const TRICKY_FIELDS: [&str; 26] = [
        "",
        "0",
        "00",
        "7",
        "012",
        "12345678",
        "123456789",
        "1234567890123456789",
        "9223372036854775807",
        "9223372036854775808",
        "18446744073709551615",
        "99999999999999999999",
        "-1",
        "+1",
        " 5",
        "5 ",
        "1.5",
        "abc",
        "12ab",
        "a b",
        "\r",
        "x\r",
        "9\r",
        "\t",
        "ab\tc",
        "1e3",
    ];

    /// Layouts to check the one-pass parse in: the default, the id last,
    /// columns not read (before and past the last read one), id only.
    fn layouts() -> [Layout; 5] {
        [
            Layout { time: Some(0), id: 1, size: Some(2), last: 2 },
            Layout { time: Some(1), id: 2, size: Some(0), last: 2 },
            Layout { time: None, id: 2, size: Some(0), last: 2 },
            Layout { time: Some(0), id: 1, size: None, last: 1 },
            Layout { time: None, id: 0, size: None, last: 0 },
        ]
    }

    /// The line `Lines` would give for `text` up to its first `\n`.
    fn as_line(text: &[u8]) -> &[u8] {
        let end = memchr::memchr(b'\n', text).unwrap_or(text.len());
        let line = &text[..end];
        line.strip_suffix(b"\r").filter(|_| end < text.len()).unwrap_or(line)
    }

    /// The one-pass parse takes a line only when the general parse gives
    /// the same request, and finds the same line end as `Lines`.
    fn check_one_pass_agrees(text: &[u8], layout: &Layout, unit: i64) -> bool {
        let line = as_line(text);
        let mut fields = [(0, 0); MAX_COLUMNS];
        let general = parse_general(line, b',', layout, unit, 3, &mut fields)
            .map(|p| (p.time_us, p.size_bytes, &line[p.key.0..p.key.1]));
        let shown = String::from_utf8_lossy(text);
        let mut taken = false;
        for (bytes, whole_line) in [(text, false), (line, true)] {
            let Some((p, newline)) = parse_plain(bytes, layout, unit, 3) else { continue };
            let request = (p.time_us, p.size_bytes, &bytes[p.key.0..p.key.1]);
            assert_eq!(Ok(request), general, "{shown:?} in {layout:?}, whole line: {whole_line}");
            if let Some(number) = p.key_number {
                assert_eq!(request.2, number.to_string().as_bytes(), "{shown:?}");
            }
            match (whole_line, newline) {
                (true, newline) => assert_eq!(newline, None, "{shown:?}"),
                (false, Some(newline)) => {
                    assert_eq!(Some(newline), memchr::memchr(b'\n', text), "{shown:?}");
                    taken = true;
                }
                (false, None) => assert!(!text.contains(&b'\n'), "{shown:?}: a line end was missed"),
            }
        }
        taken
    }

    #[test]
    fn the_one_pass_parse_agrees_with_the_general_one_on_tricky_lines() {
        let mut taken = 0;
        for layout in layouts() {
            for a in TRICKY_FIELDS {
                for b in TRICKY_FIELDS {
                    for c in ["", ",", ",77", ",abc,", ",7,extra", ",7\r"] {
                        for end in ["\n9,9,9\n", "\r\n9,9,9", "", "\r", "\r\r\n", ",\n"] {
                            let text = format!("{a},{b}{c}{end}");
                            taken += check_one_pass_agrees(text.as_bytes(), &layout, 1_000) as usize;
                        }
                    }
                }
            }
        }
        // The check is not vacuous: many of these lines are plain.
        assert!(taken > 1_000, "{taken}");
    }

    #[test]
    fn a_time_past_i64_is_malformed_not_negative() {
        let layout = Layout { time: Some(0), id: 1, size: Some(2), last: 2 };
        let mut fields = [(0, 0); MAX_COLUMNS];
        for line in ["9223372036854775808,a,1", "9223372036854775807,a,1"] {
            assert!(parse_plain(line.as_bytes(), &layout, 1_000_000, 0).is_none(), "{line}");
            assert!(parse_general(line.as_bytes(), b',', &layout, 1_000_000, 0, &mut fields).is_err(), "{line}");
        }
        let (p, _) = parse_plain(b"9223372036854775807,a,1", &layout, 1, 0).unwrap();
        assert_eq!(p.time_us, i64::MAX);
    }

    #[test]
    fn digits_and_delimiters_found_by_words_match_a_byte_scan() {
        let texts =
            ["", "1", "12345678", "123456789012345678901234", "12,34", "1234567\n", "abcdefgh,", "a\tb", "/:09"];
        for text in texts {
            let bytes = text.as_bytes();
            for from in 0..=bytes.len() {
                let expected =
                    bytes[from..].iter().position(|&b| b == b',' || b == b'\n').map_or(bytes.len(), |i| from + i);
                assert_eq!(field_end(bytes, from, b','), expected, "{text:?} from {from}");
            }
        }
        // Zero bytes pad the last word: a NUL delimiter must not be found there.
        assert_eq!(field_end(b"abc", 0, 0), 3);
        assert_eq!(field_end(b"ab\0c", 0, 0), 2);
    }

    #[test]
    fn a_digit_delimiter_is_read_by_the_general_path() {
        // A parse that stops at non-digits would take "1252" for the id.
        let path = write("digit-delimiter.csv", "x\n1252\n");
        let options = CsvOptions {
            id: Some(Column::Index(0)),
            no_time: true,
            no_size: true,
            delimiter: b'5',
            ..CsvOptions::default()
        };
        let mut reader = CsvReader::open(&path, options).unwrap();
        assert_eq!(read_all(&mut reader), vec![(0, "x".into(), 1), (1, "12".into(), 1)]);
    }

    /// What the reader must give for `text`: each line parsed on its own by
    /// the general path (the first line is data: it names no column).
    fn expected_requests(text: &str, layout: &Layout, unit: i64) -> (Vec<(i64, String, u64)>, Vec<u64>) {
        let (mut requests, mut malformed) = (Vec::new(), Vec::new());
        let mut fields = [(0, 0); MAX_COLUMNS];
        let lines = text.split_inclusive('\n');
        for (number, line) in lines.enumerate() {
            let line = as_line(line.as_bytes());
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match parse_general(line, b',', layout, unit, requests.len() as i64, &mut fields) {
                Ok(p) => requests.push((
                    p.time_us,
                    String::from_utf8(line[p.key.0..p.key.1].to_vec()).unwrap(),
                    p.size_bytes,
                )),
                Err(_) => malformed.push(number as u64 + 1),
            }
        }
        (requests, malformed)
    }

    #[test]
    fn lines_across_buffer_refills_read_as_the_general_path_reads_them() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(8);
        let mut text = String::new();
        // Past two buffer refills, with lines of every kind cut at the refills.
        while text.len() < 700_000 {
            let field = |rng: &mut rand::rngs::Xoshiro256PlusPlus| {
                if rng.random_bool(0.9) {
                    let digits = rng.random_range(1..14);
                    rng.random_range(0..10u64.pow(digits)).to_string()
                } else {
                    TRICKY_FIELDS[rng.random_range(0..TRICKY_FIELDS.len())].to_string()
                }
            };
            let (a, b, c) = (field(&mut rng), field(&mut rng), field(&mut rng));
            let end = ["\n", "\n", "\n", "\r\n", ",x\n", "\n\n"][rng.random_range(0..6)];
            text.push_str(&format!("{a},{b},{c}{end}"));
        }
        text.push_str("5,6,7"); // no line end at the end of the file
        let path = write("refills.csv", &text);
        for (layout, options) in [
            (
                Layout { time: Some(0), id: 1, size: Some(2), last: 2 },
                CsvOptions { header: Some(false), ..CsvOptions::default() },
            ),
            (
                Layout { time: None, id: 2, size: Some(0), last: 2 },
                CsvOptions {
                    id: Some(Column::Index(2)),
                    size: Some(Column::Index(0)),
                    no_time: true,
                    header: Some(false),
                    ..CsvOptions::default()
                },
            ),
        ] {
            let (requests, malformed) = expected_requests(&text, &layout, 1_000_000);
            let mut reader = CsvReader::open(&path, options).unwrap();
            let got = read_all(&mut reader);
            assert_eq!(got.len(), requests.len());
            assert!(got == requests, "{:?}", got.iter().zip(&requests).find(|(g, r)| g != r));
            assert_eq!(got.last(), Some(&requests[requests.len() - 1]));
            assert_eq!(reader.malformed().count, malformed.len() as u64);
            let kept: Vec<u64> = reader.malformed().first.iter().map(|m| m.line).collect();
            assert_eq!(kept, malformed[..kept.len()]);
        }
    }

    #[test]
    fn each_file_of_a_directory_starts_with_its_own_first_line() {
        use std::io::Write;
        let dir = std::env::temp_dir().join(format!("cdnsim-csv-dir-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // The first file ends without a line end; the second is gzip, with CRLF.
        std::fs::write(dir.join("a.csv"), "time,obj_id,obj_size\n1,10,100\n2,11,110").unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"time,obj_id,obj_size\r\n3,12,120\r\n4,x,\r\n5,13,130\r\n").unwrap();
        std::fs::write(dir.join("b.csv.gz"), gz.finish().unwrap()).unwrap();
        let mut reader = CsvReader::open(&dir, CsvOptions::default()).unwrap();
        let got = read_all(&mut reader);
        let expected = [(1, "10", 100), (2, "11", 110), (3, "12", 120), (5, "13", 130)];
        assert_eq!(got, expected.map(|(t, id, size)| (t * 1_000_000, id.to_string(), size)));
        let m = reader.malformed();
        assert_eq!((m.count, m.first[0].line), (1, 3));
        assert!(m.first[0].file.ends_with("b.csv.gz"), "{}", m.first[0]);
        std::fs::remove_dir_all(&dir).unwrap();
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
    fn query_and_cookie_columns_only_when_given() {
        let path = write("q.csv", "");
        std::fs::write(&path, b"time,obj_id,obj_size,q\n1,a,100,x=1&y=2\n2,b,5, - \n3,c,5,\xff\n4,d,5\n").unwrap();
        let read = |options: CsvOptions| {
            let mut reader = CsvReader::open(&path, options).unwrap();
            let mut got = Vec::new();
            while let Some(r) = reader.next_record().unwrap() {
                got.push((r.query.to_string(), r.cookie.to_string()));
            }
            (got, reader.malformed().clone())
        };
        let (got, malformed) = read(CsvOptions { query: Some("q".parse().unwrap()), ..CsvOptions::default() });
        // `-` (trimmed) is none; a query that is not UTF-8 and a line without the column are malformed.
        assert_eq!(got, [("x=1&y=2".to_string(), String::new()), (String::new(), String::new())]);
        assert_eq!(malformed.count, 2);
        assert!(malformed.first[0].reason.contains("query string column is not UTF-8"), "{}", malformed.first[0]);
        // Not given: not read, and the one-pass parse takes every line.
        let (got, malformed) = read(CsvOptions::default());
        assert_eq!((got.len(), malformed.count), (4, 0));
        assert!(got.iter().all(|(q, c)| q.is_empty() && c.is_empty()));
        // A name needs a header.
        let options = CsvOptions { cookie: Some("c".parse().unwrap()), header: Some(false), ..CsvOptions::default() };
        let err = CsvReader::open(&path, options).unwrap().next_record().unwrap_err().to_string();
        assert!(err.contains("the cookie column is given by name"), "{err}");
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

    /// (time in microseconds, id, size).
    type Request = (i64, String, u64);

    /// Reads `text` as the file `t.csv`: the requests and malformed lines,
    /// or the error that stopped the reader.
    fn read_text(text: &str, options: CsvOptions) -> Result<(Vec<Request>, MalformedLines), TraceError> {
        let mut reader = CsvReader::from_bytes(Path::new("t.csv"), text.as_bytes().to_vec(), options);
        let mut out = Vec::new();
        while let Some(r) = reader.next_record()? {
            out.push((r.time_us, String::from_utf8(r.key.to_vec()).unwrap(), r.size_bytes));
        }
        Ok((out, reader.malformed().clone()))
    }

    /// Issue 13, item 8: a first line that was blank panicked ("resolved on
    /// the first line"): the header was looked for on line 1 only.
    #[test]
    fn blank_lines_before_the_header_are_skipped() {
        // Line 1 is empty and line 2 spaces and a CR; line 3 is the header,
        // so the records are (1 s, a, 10 B) and (2 s, b, 20 B); blank line 5
        // is skipped. No line is malformed.
        let text = "\n  \r\ntime,obj_id,obj_size\n1,a,10\n\n2,b,20\n";
        let (got, malformed) = read_text(text, CsvOptions::default()).unwrap();
        assert_eq!(got, vec![(1_000_000, "a".into(), 10), (2_000_000, "b".into(), 20)]);
        assert_eq!(malformed.count, 0);
        // Without a header the first line with text is data: 5 s, id 17, 100 B.
        let (got, _) = read_text("\n\n5,17,100\n", CsvOptions::default()).unwrap();
        assert_eq!(got, vec![(5_000_000, "17".into(), 100)]);
        // Nothing but blank lines: no record, and no error.
        for text in ["", "\n", "\n\n \r\n", "\t", "\r"] {
            assert_eq!(
                read_text(text, CsvOptions::default()).unwrap(),
                (vec![], MalformedLines::default()),
                "{text:?}"
            );
        }
    }

    #[test]
    fn each_file_of_a_directory_finds_its_header_after_blank_lines() {
        let dir = std::env::temp_dir().join(format!("cdnsim-csv-blank-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.csv"), "\ntime,obj_id,obj_size\n1,10,100\n").unwrap();
        std::fs::write(dir.join("b.csv"), "\r\n\r\ntime,obj_id,obj_size\r\n2,11,110\r\n").unwrap();
        let mut reader = CsvReader::open(&dir, CsvOptions::default()).unwrap();
        // b.csv's header (its line 3) is a header, not a malformed record.
        assert_eq!(read_all(&mut reader), vec![(1_000_000, "10".into(), 100), (2_000_000, "11".into(), 110)]);
        assert_eq!(reader.malformed().count, 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_access_log_or_a_real_time_log_read_as_csv_is_refused_naming_the_line() {
        let err = read_text("\n#Version: 1.0\n#Fields: date time cs-uri-stem\n", CsvOptions::default()).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("t.csv:2: this is a CloudFront access log"), "{text}");
        assert!(text.contains("(fix: leave out --trace-format csv"), "{text}");
        // A real-time log: a millisecond Unix time, then tab-separated fields.
        let realtime = "1600000000.123\t192.0.2.1\t0.001\t200\t1000\tGET\thttps\td111.cloudfront.net\t/a.js\n";
        let text = read_text(realtime, CsvOptions::default()).unwrap_err().to_string();
        assert!(text.starts_with("t.csv:1: this looks like a CloudFront real-time log"), "{text}");
        assert!(text.contains("standard access logs") && text.contains("--delimiter tab"), "{text}");
        // With a tab delimiter it is the tab-separated CSV it was said to
        // be: time 1600000000.123 s, id /a.js (column 9), size 1000 (column 5).
        let tabs = CsvOptions {
            delimiter: b'\t',
            id: Some(Column::Index(8)),
            size: Some(Column::Index(4)),
            ..CsvOptions::default()
        };
        let (got, _) = read_text(realtime, tabs).unwrap();
        assert_eq!(got, vec![(1_600_000_000_123_000, "/a.js".into(), 1000)]);
    }

    /// The input `fuzz/fuzz_targets/trace_csv.rs` found in its first 40 runs
    /// (from an empty corpus) with the blank-line fix undone: option byte
    /// 0x21 (tab delimiter, microseconds), then an empty line 1 and
    /// `\xcd\0` on line 2. It panicked ("resolved on the first line"); now
    /// line 2 is the first line with text, not a header, and as one field
    /// where the layout needs three it is malformed: no record, 1 malformed.
    #[test]
    fn fuzz_crash_a_blank_line_then_one_field() {
        let options = CsvOptions { delimiter: b'\t', time_unit: TimeUnit::Micros, ..CsvOptions::default() };
        let mut reader = CsvReader::from_bytes(Path::new("crash.csv"), b"\n\xcd\0".to_vec(), options);
        assert!(reader.next_record().unwrap().is_none());
        let m = reader.malformed();
        assert_eq!((m.count, m.first[0].line), (1, 2));
        assert!(m.first[0].reason.contains("1 fields, the layout needs at least 3"), "{}", m.first[0]);
    }
}
