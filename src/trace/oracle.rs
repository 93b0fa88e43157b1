//! libCacheSim's `oracleGeneral` binary traces, plain or zstd-compressed:
//! the format in which the large public cache-trace collections (Twitter,
//! Meta, Wikimedia, CloudPhysics, MSR, ...) are published for cache research.
//!
//! A file is a sequence of 24-byte records, little-endian, no header:
//!
//! | bytes  | field               | meaning                                        |
//! |--------|---------------------|------------------------------------------------|
//! | 0..4   | `clock_time` u32    | seconds                                        |
//! | 4..12  | `obj_id` u64        | the object                                     |
//! | 12..16 | `obj_size` u32      | bytes                                          |
//! | 16..24 | `next_access_vtime` i64 | position (from 1) of the next request to the same object; -1 (or `i64::MAX`) for none |
//!
//! (libCacheSim, `traceReader/customizedReader/oracle/oracleGeneralBin.h`
//! for the layout; `bin/dep/oracleTraceGen` for what the next-access field
//! counts: libCacheSim numbers requests from 1, and on its own
//! `data/cloudPhysicsIO.oracleGeneral.bin` each of the 64,898 next-access
//! values is the next request's 0-based index plus one.) As libCacheSim's readers do by default (`ignore_size_zero_req`),
//! records of size 0 are skipped: they are counted with the malformed lines,
//! and `--strict` stops at them.
//!
//! A file is zstd when it starts with zstd's frame magic, whatever its name;
//! a file of several frames (as `pzstd` writes) is read frame after frame.
//! The decoder is `ruzstd` (pure Rust: no C toolchain on a user's machine,
//! and a decoder the fuzz target can drive through every input).
//!
//! Nothing is allocated per record: records are decoded in place from one
//! reused buffer, and the record's "line" (for messages and `place`) is its
//! 1-based position in the file.

use super::lines::{Counted, ProgressHandle, ReadProgress};
use super::{Malformed, MalformedLines, TraceError, TraceReader, TraceRecord};
use crate::http::Method;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes of one record.
pub const RECORD_BYTES: usize = 24;

/// Records decoded per refill of the buffer.
const RECORDS_PER_BUFFER: usize = 16 * 1024;

/// The first four bytes of a zstd frame (RFC 8878, section 3.1.1).
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// Skippable zstd frames start with `0x184D2A5?` (RFC 8878, section 3.1.2):
/// their low magic byte's high nibble is 5, the rest fixed.
fn is_skippable_frame(magic: &[u8]) -> bool {
    magic.len() == 4 && magic[0] & 0xf0 == 0x50 && magic[1..] == [0x2a, 0x4d, 0x18]
}

/// Whether `head`, a file's first bytes, is a zstd frame (normal or
/// skippable).
pub fn is_zstd(head: &[u8]) -> bool {
    head.starts_with(&ZSTD_MAGIC) || (head.len() >= 4 && is_skippable_frame(&head[..4]))
}

/// One `oracleGeneral` record, decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OracleRecord {
    pub time_s: u32,
    pub obj_id: u64,
    pub size_bytes: u32,
    /// The position (from 1, over the file's records, size-0 ones
    /// included) of the next request to the same object; `None` when the
    /// trace says there is none.
    pub next_access: Option<u64>,
}

impl OracleRecord {
    pub fn decode(bytes: &[u8; RECORD_BYTES]) -> OracleRecord {
        let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
        let next = i64::from_le_bytes(bytes[16..24].try_into().expect("8 bytes"));
        OracleRecord {
            time_s: u32_at(0),
            obj_id: u64::from_le_bytes(bytes[4..12].try_into().expect("8 bytes")),
            size_bytes: u32_at(12),
            // libCacheSim writes -1 for "never again"; some tools write
            // i64::MAX; any other negative value means nothing either.
            next_access: u64::try_from(next).ok().filter(|&n| n != i64::MAX as u64),
        }
    }

    /// The record's 24 bytes, as libCacheSim writes them (`None` as -1).
    pub fn encode(&self) -> [u8; RECORD_BYTES] {
        let mut bytes = [0u8; RECORD_BYTES];
        bytes[0..4].copy_from_slice(&self.time_s.to_le_bytes());
        bytes[4..12].copy_from_slice(&self.obj_id.to_le_bytes());
        bytes[12..16].copy_from_slice(&self.size_bytes.to_le_bytes());
        let next = self.next_access.map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX));
        bytes[16..24].copy_from_slice(&next.to_le_bytes());
        bytes
    }
}

/// Reads an `oracleGeneral` file, plain or zstd, as a [`TraceReader`].
pub struct OracleReader {
    file: PathBuf,
    /// `None` once the file is read to its end.
    source: Option<Box<dyn Read + Send>>,
    /// Decoded bytes; `buf[at..filled]` are not yet returned.
    buf: Vec<u8>,
    at: usize,
    filled: usize,
    /// Records taken from the file so far (including skipped ones): the
    /// current record's 1-based number.
    record: u64,
    /// The current record's id bytes, for `TraceRecord::key`.
    key: [u8; 8],
    strict: bool,
    malformed: MalformedLines,
    read: Arc<AtomicU64>,
    total_bytes: u64,
}

impl OracleReader {
    pub fn open(path: &Path, strict: bool) -> Result<OracleReader, TraceError> {
        let unreadable = |e: std::io::Error| TraceError::Unreadable { file: path.to_path_buf(), reason: e.to_string() };
        let meta = std::fs::metadata(path).map_err(unreadable)?;
        if meta.is_dir() {
            return Err(TraceError::BadLayout {
                file: path.to_path_buf(),
                reason: "an oracleGeneral trace is one file, not a directory (fix: give the file itself)".into(),
            });
        }
        let file = std::fs::File::open(path).map_err(unreadable)?;
        OracleReader::new(path, Box::new(file), meta.len(), strict)
    }

    /// Reads `bytes` (plain or zstd) as the file `name`: what tests and
    /// fuzz targets read without a disk.
    pub fn from_bytes(name: &Path, bytes: Vec<u8>, strict: bool) -> Result<OracleReader, TraceError> {
        let total = bytes.len() as u64;
        OracleReader::new(name, Box::new(std::io::Cursor::new(bytes)), total, strict)
    }

    fn new(
        name: &Path,
        file: Box<dyn Read + Send>,
        total_bytes: u64,
        strict: bool,
    ) -> Result<OracleReader, TraceError> {
        let read = Arc::new(AtomicU64::new(0));
        let mut raw = BufReader::with_capacity(256 * 1024, Counted::new(file, read.clone()));
        let head = raw.fill_buf().map_err(|e| unreadable(name, &e))?;
        let source: Box<dyn Read + Send> = if is_zstd(head) { Box::new(Frames::new(raw)) } else { Box::new(raw) };
        Ok(OracleReader {
            file: name.to_path_buf(),
            source: Some(source),
            buf: vec![0; RECORD_BYTES * RECORDS_PER_BUFFER],
            at: 0,
            filled: 0,
            record: 0,
            key: [0; 8],
            strict,
            malformed: MalformedLines::default(),
            read,
            total_bytes,
        })
    }

    /// Moves what is left of the buffer to its start and reads more.
    /// Returns `false` at the end of the file with no bytes left.
    fn refill(&mut self) -> Result<bool, TraceError> {
        self.buf.copy_within(self.at..self.filled, 0);
        self.filled -= self.at;
        self.at = 0;
        let Some(source) = &mut self.source else { return Ok(self.filled > 0) };
        let mut at_end = false;
        while self.filled < self.buf.len() {
            match source.read(&mut self.buf[self.filled..]) {
                Ok(0) => {
                    at_end = true;
                    break;
                }
                Ok(n) => self.filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(unreadable(&self.file, &e)),
            }
        }
        if at_end {
            self.source = None;
        }
        Ok(self.filled > 0)
    }

    /// The next record's bytes, or `None` at the end of the file. A file
    /// that ends inside a record is an error.
    #[inline]
    fn next_bytes(&mut self) -> Result<Option<[u8; RECORD_BYTES]>, TraceError> {
        if self.filled - self.at < RECORD_BYTES && !self.refill()? {
            return Ok(None);
        }
        let left = self.filled - self.at;
        if left < RECORD_BYTES {
            // refill read to the end: what is left is a cut record.
            return Err(TraceError::BadLayout {
                file: self.file.clone(),
                reason: format!(
                    "the file ends {left} bytes into record {}: an oracleGeneral trace is whole 24-byte records \
                     (fix: the file is cut short or not in this format; give the whole file, or --format csv/log)",
                    self.record + 1
                ),
            });
        }
        let bytes: [u8; RECORD_BYTES] = self.buf[self.at..self.at + RECORD_BYTES].try_into().expect("24 bytes");
        self.at += RECORD_BYTES;
        self.record += 1;
        Ok(Some(bytes))
    }

    /// The next record of nonzero size, decoded; size-0 records are counted
    /// and skipped (or stop the read with `strict`).
    pub fn next_oracle(&mut self) -> Result<Option<OracleRecord>, TraceError> {
        while let Some(bytes) = self.next_bytes()? {
            let record = OracleRecord::decode(&bytes);
            if record.size_bytes > 0 {
                return Ok(Some(record));
            }
            let malformed = Malformed {
                file: self.file.clone(),
                line: self.record,
                reason: format!(
                    "record {} (object {}) has size 0: skipped, as libCacheSim skips such requests",
                    self.record, record.obj_id
                ),
            };
            if self.strict {
                return Err(TraceError::Malformed(malformed));
            }
            self.malformed.record(malformed);
        }
        Ok(None)
    }
}

fn unreadable(file: &Path, e: &std::io::Error) -> TraceError {
    TraceError::Unreadable { file: file.to_path_buf(), reason: e.to_string() }
}

impl TraceReader for OracleReader {
    fn next_record(&mut self) -> Result<Option<TraceRecord<'_>>, TraceError> {
        let Some(record) = self.next_oracle()? else { return Ok(None) };
        self.key = record.obj_id.to_le_bytes();
        Ok(Some(TraceRecord {
            time_us: record.time_s as i64 * 1_000_000,
            // The id's bytes; readers of numbers take `key_number`.
            key: &self.key,
            key_number: Some(record.obj_id),
            size_bytes: record.size_bytes as u64,
            method: Method::Get,
            https: true,
            edge_location: None,
            client_ip: None,
            query: "",
            cookie: "",
            status: None,
            result_type: None,
            detailed_result_type: None,
        }))
    }

    fn malformed(&self) -> &MalformedLines {
        &self.malformed
    }

    fn progress(&self) -> ReadProgress {
        ReadProgress { read_bytes: self.read.load(Ordering::Relaxed), total_bytes: self.total_bytes }
    }

    fn progress_handle(&self) -> ProgressHandle {
        ProgressHandle::new(self.read.clone(), self.total_bytes)
    }

    fn place(&self) -> (&Path, u64) {
        (&self.file, self.record)
    }

    fn strict(&self) -> bool {
        self.strict
    }
}

/// The decompressed bytes of a zstd stream of one or more frames; skippable
/// frames are skipped.
struct Frames<R: BufRead> {
    /// The frame being decoded, or `None` between frames (the source is then
    /// held in `between`).
    frame: Option<ruzstd::decoding::StreamingDecoder<R, ruzstd::decoding::FrameDecoder>>,
    between: Option<R>,
}

impl<R: BufRead> Frames<R> {
    fn new(source: R) -> Frames<R> {
        Frames { frame: None, between: Some(source) }
    }

    /// Starts the next frame; `Ok(false)` at the end of the stream.
    fn start_frame(&mut self) -> std::io::Result<bool> {
        let mut source = self.between.take().expect("between frames, the source is held");
        loop {
            let head = source.fill_buf()?;
            if head.is_empty() {
                self.between = Some(source);
                return Ok(false);
            }
            if head.len() >= 8 && is_skippable_frame(&head[..4]) {
                let length = u32::from_le_bytes(head[4..8].try_into().expect("4 bytes")) as u64;
                source.consume(8);
                let skipped = std::io::copy(&mut (&mut source).take(length), &mut std::io::sink())?;
                if skipped < length {
                    return Err(invalid("the file ends inside a skippable zstd frame".into()));
                }
                continue;
            }
            return match ruzstd::decoding::StreamingDecoder::new(source) {
                Ok(decoder) => {
                    self.frame = Some(decoder);
                    Ok(true)
                }
                Err(e) => Err(invalid(format!("not a zstd frame: {e}"))),
            };
        }
    }
}

fn invalid(reason: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, reason)
}

impl<R: BufRead> Read for Frames<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if let Some(frame) = &mut self.frame {
                match frame.read(buf) {
                    Ok(0) if !buf.is_empty() => {
                        let finished = self.frame.take().expect("a frame is being read");
                        self.between = Some(finished.into_inner());
                    }
                    Ok(n) => return Ok(n),
                    Err(e) => return Err(invalid(format!("corrupt zstd data: {e}"))),
                }
            }
            if !self.start_frame()? {
                return Ok(0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(time_s: u32, obj_id: u64, size_bytes: u32, next_access: Option<u64>) -> OracleRecord {
        OracleRecord { time_s, obj_id, size_bytes, next_access }
    }

    fn bytes_of(records: &[OracleRecord]) -> Vec<u8> {
        records.iter().flat_map(|r| r.encode()).collect()
    }

    fn read_all(bytes: Vec<u8>) -> Result<Vec<(i64, Option<u64>, u64)>, TraceError> {
        let mut reader = OracleReader::from_bytes(Path::new("t.oracleGeneral.bin"), bytes, false)?;
        let mut out = Vec::new();
        while let Some(r) = reader.next_record()? {
            out.push((r.time_us, r.key_number, r.size_bytes));
        }
        Ok(out)
    }

    #[test]
    fn a_record_is_24_little_endian_bytes() {
        // time 1 s, object 0x0102, 300 bytes, next access at the 7th request.
        let r = rec(1, 0x0102, 300, Some(7));
        let bytes = r.encode();
        assert_eq!(&bytes[0..4], &[1, 0, 0, 0]);
        assert_eq!(&bytes[4..12], &[2, 1, 0, 0, 0, 0, 0, 0]);
        assert_eq!(&bytes[12..16], &[44, 1, 0, 0]); // 300 = 0x012c
        assert_eq!(&bytes[16..24], &[7, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(OracleRecord::decode(&bytes), r);
        // -1 and i64::MAX both say "never again".
        let never = rec(1, 2, 3, None).encode();
        assert_eq!(&never[16..24], &[0xff; 8]);
        let mut max = never;
        max[16..24].copy_from_slice(&i64::MAX.to_le_bytes());
        assert_eq!(OracleRecord::decode(&max).next_access, None);
    }

    #[test]
    fn records_read_in_order_with_times_in_microseconds() {
        let records = [rec(10, 5, 100, Some(2)), rec(11, 6, 200, None), rec(12, 5, 100, None)];
        let got = read_all(bytes_of(&records)).unwrap();
        assert_eq!(got, vec![(10_000_000, Some(5), 100), (11_000_000, Some(6), 200), (12_000_000, Some(5), 100)]);
    }

    #[test]
    fn zstd_files_read_the_same_in_one_frame_or_several() {
        let records: Vec<_> = (0..5000u64).map(|i| rec(i as u32 / 10, i % 97, 1 + (i % 13) as u32, None)).collect();
        let plain = bytes_of(&records);
        let want = read_all(plain.clone()).unwrap();
        assert_eq!(want.len(), 5000);
        let level = ruzstd::encoding::CompressionLevel::Fastest;
        let one = ruzstd::encoding::compress_to_vec(plain.as_slice(), level);
        assert!(is_zstd(&one));
        assert_eq!(read_all(one).unwrap(), want);
        // Two frames, cut mid-record, with a skippable frame between them.
        let mut two = ruzstd::encoding::compress_to_vec(&plain[..1000], level);
        two.extend_from_slice(&[0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 9, 9, 9]);
        two.extend(ruzstd::encoding::compress_to_vec(&plain[1000..], level));
        assert_eq!(read_all(two).unwrap(), want);
    }

    #[test]
    fn size_zero_records_are_skipped_and_counted_or_stop_a_strict_read() {
        let bytes = bytes_of(&[rec(1, 1, 10, None), rec(2, 2, 0, None), rec(3, 3, 30, None)]);
        let mut reader = OracleReader::from_bytes(Path::new("t.bin"), bytes.clone(), false).unwrap();
        let mut ids = Vec::new();
        while let Some(r) = reader.next_record().unwrap() {
            ids.push(r.key_number.unwrap());
        }
        assert_eq!(ids, [1, 3]);
        assert_eq!(reader.malformed().count, 1);
        assert_eq!(reader.malformed().first[0].line, 2);
        let mut strict = OracleReader::from_bytes(Path::new("t.bin"), bytes, true).unwrap();
        assert!(strict.next_record().unwrap().is_some());
        let err = strict.next_record().unwrap_err().to_string();
        assert!(err.contains("t.bin:2") && err.contains("size 0"), "{err}");
    }

    #[test]
    fn a_cut_record_or_corrupt_zstd_is_an_error_naming_the_file() {
        let mut bytes = bytes_of(&[rec(1, 1, 10, None), rec(2, 2, 20, None)]);
        bytes.truncate(40);
        let err = read_all(bytes).unwrap_err().to_string();
        assert!(err.contains("t.oracleGeneral.bin") && err.contains("16 bytes into record 2"), "{err}");
        let mut zstd = ZSTD_MAGIC.to_vec();
        zstd.extend_from_slice(&[0xff; 40]);
        let err = read_all(zstd).unwrap_err().to_string();
        assert!(err.contains("t.oracleGeneral.bin") && err.contains("zstd"), "{err}");
    }

    #[test]
    fn an_empty_file_has_no_records() {
        assert_eq!(read_all(Vec::new()).unwrap(), vec![]);
    }
}
