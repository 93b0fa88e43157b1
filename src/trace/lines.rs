//! Lines from one trace file or a directory of them, gzip or plain, streamed
//! through one reused buffer.
//!
//! A directory's regular files are read in name order (CloudFront names its
//! log files `DISTRIBUTIONID.YYYY-MM-DD-HH.unique.gz`, so name order is time
//! order); hidden files (`.name`) are skipped. A file is gzip when it starts
//! with gzip's magic bytes, whatever its name. [`Lines::from_bytes`] reads
//! the same way from memory (unit tests, fuzz targets).

use super::error::TraceError;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

const BUFFER_BYTES: usize = 256 * 1024;

/// The buffer of [`Lines::from_bytes`]: small, so that short inputs (unit
/// tests, fuzz targets) meet lines cut by the buffer's end and refills, as
/// files of many megabytes do.
const MEMORY_BUFFER_BYTES: usize = 32;

/// Bytes read from the trace's files so far, of their total size on disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadProgress {
    pub read_bytes: u64,
    pub total_bytes: u64,
}

/// A handle that reads a trace's progress while something else owns the
/// reader (the engine, during a run).
#[derive(Clone, Debug)]
pub struct ProgressHandle {
    read: Arc<AtomicU64>,
    total_bytes: u64,
}

impl ProgressHandle {
    pub(super) fn new(read: Arc<AtomicU64>, total_bytes: u64) -> ProgressHandle {
        ProgressHandle { read, total_bytes }
    }

    pub fn get(&self) -> ReadProgress {
        ReadProgress { read_bytes: self.read.load(Ordering::Relaxed), total_bytes: self.total_bytes }
    }
}

/// Counts the bytes taken from a file, before any decompression.
pub(super) struct Counted<R> {
    file: R,
    read: Arc<AtomicU64>,
}

impl<R> Counted<R> {
    pub(super) fn new(file: R, read: Arc<AtomicU64>) -> Counted<R> {
        Counted { file, read }
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// The lines of a trace's files, in order.
pub struct Lines {
    files: Vec<PathBuf>,
    /// The one "file" of [`Lines::from_bytes`], taken when it is opened.
    memory: Option<Vec<u8>>,
    /// Index in `files` of the file being read.
    current: usize,
    /// Index in `files` of the next file to open.
    next_file: usize,
    reader: Option<Box<dyn Read + Send>>,
    line: u64,
    /// Bytes read from the current file: lines are found and returned in
    /// place (no copy per line). Only `buf[..filled]` holds data.
    buf: Vec<u8>,
    filled: usize,
    /// The current line's range in `buf`, without its line ending.
    line_range: (usize, usize),
    /// Where the next line starts in `buf`.
    next: usize,
    /// The current file has no more bytes to give.
    at_eof: bool,
    /// The size the buffer first grows to.
    first_buffer_bytes: usize,
    read: Arc<AtomicU64>,
    total_bytes: u64,
}

impl Lines {
    /// Opens a file, or every file of a directory in name order.
    pub fn open(path: &Path) -> Result<Lines, TraceError> {
        let unreadable =
            |file: &Path, e: std::io::Error| TraceError::Unreadable { file: file.to_path_buf(), reason: e.to_string() };
        let meta = std::fs::metadata(path).map_err(|e| unreadable(path, e))?;
        let files = if meta.is_dir() {
            let mut files = Vec::new();
            for entry in std::fs::read_dir(path).map_err(|e| unreadable(path, e))? {
                let entry = entry.map_err(|e| unreadable(path, e))?;
                let hidden = entry.file_name().to_string_lossy().starts_with('.');
                if !hidden && entry.file_type().map_err(|e| unreadable(path, e))?.is_file() {
                    files.push(entry.path());
                }
            }
            files.sort();
            if files.is_empty() {
                return Err(TraceError::Unreadable {
                    file: path.to_path_buf(),
                    reason: "the directory holds no trace files".into(),
                });
            }
            files
        } else {
            vec![path.to_path_buf()]
        };
        let mut total_bytes = 0;
        for file in &files {
            total_bytes += std::fs::metadata(file).map_err(|e| unreadable(file, e))?.len();
        }
        Ok(Lines::new(files, None, total_bytes, BUFFER_BYTES))
    }

    /// Lines of `bytes` (plain or gzip, as a file's), as if read from a
    /// file named `name`: what tests and fuzz targets read without a disk.
    pub fn from_bytes(name: &Path, bytes: Vec<u8>) -> Lines {
        let total_bytes = bytes.len() as u64;
        Lines::new(vec![name.to_path_buf()], Some(bytes), total_bytes, MEMORY_BUFFER_BYTES)
    }

    fn new(files: Vec<PathBuf>, memory: Option<Vec<u8>>, total_bytes: u64, first_buffer_bytes: usize) -> Lines {
        Lines {
            current: 0,
            next_file: 0,
            files,
            memory,
            reader: None,
            line: 0,
            buf: Vec::new(),
            filled: 0,
            line_range: (0, 0),
            next: 0,
            at_eof: false,
            first_buffer_bytes,
            read: Arc::new(AtomicU64::new(0)),
            total_bytes,
        }
    }

    /// Moves to the next line; `Ok(false)` after the last file. The line is
    /// then [`Lines::line`].
    pub fn advance(&mut self) -> Result<bool, TraceError> {
        loop {
            if self.reader.is_some() {
                if let Some(found) = memchr::memchr(b'\n', &self.buf[self.next..self.filled]) {
                    let start = self.next;
                    self.next = start + found + 1;
                    self.set_line(start, start + found);
                    return Ok(true);
                }
                if self.at_eof {
                    if self.next < self.filled {
                        // The file's last line, without a line ending.
                        let (start, end) = (self.next, self.filled);
                        self.next = end;
                        self.set_line(start, end);
                        return Ok(true);
                    }
                    self.reader = None;
                } else {
                    self.fill()?;
                    continue;
                }
            }
            if self.next_file == self.files.len() {
                return Ok(false);
            }
            self.open_file(self.next_file)?;
        }
    }

    /// The bytes after the current line that the buffer already holds: the
    /// next lines, the last perhaps cut short. Empty before a file's first
    /// line, so that a first line (maybe a header) always comes from
    /// [`Lines::advance`].
    #[inline]
    pub fn unread(&self) -> &[u8] {
        if self.line == 0 { &[] } else { &self.buf[self.next..self.filled] }
    }

    /// Moves to the line that [`Lines::unread`] holds up to its `\n` at
    /// `newline`, as [`Lines::advance`] would: a reader that found the line
    /// end while parsing skips the search for it.
    #[inline]
    pub fn take_line(&mut self, newline: usize) {
        debug_assert_eq!(self.unread()[newline], b'\n');
        let start = self.next;
        self.next = start + newline + 1;
        self.set_line(start, start + newline);
    }

    #[inline]
    fn set_line(&mut self, start: usize, mut end: usize) {
        if end > start && self.buf[end - 1] == b'\r' {
            end -= 1;
        }
        self.line_range = (start, end);
        self.line += 1;
    }

    /// Keeps the unfinished line and reads more after it (growing the buffer
    /// for a line longer than it).
    fn fill(&mut self) -> Result<(), TraceError> {
        self.buf.copy_within(self.next..self.filled, 0);
        self.filled -= self.next;
        self.next = 0;
        if self.filled == self.buf.len() {
            self.buf.resize((self.buf.len() * 2).max(self.first_buffer_bytes), 0);
        }
        let filled = self.filled;
        let reader = self.reader.as_mut().expect("called with a file open");
        let result = loop {
            match reader.read(&mut self.buf[filled..]) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        match result {
            Ok(n) => {
                self.filled += n;
                self.at_eof = n == 0;
                Ok(())
            }
            Err(e) => Err(TraceError::Unreadable {
                file: self.files[self.current].clone(),
                reason: format!("after line {}: {e}", self.line),
            }),
        }
    }

    /// The current line, without its line ending (`\n` or `\r\n`).
    #[inline]
    pub fn line(&self) -> &[u8] {
        &self.buf[self.line_range.0..self.line_range.1]
    }

    /// Whether the current line is the first of its file.
    pub fn first_of_file(&self) -> bool {
        self.line == 1
    }

    fn open_file(&mut self, index: usize) -> Result<(), TraceError> {
        let path = &self.files[index];
        let unreadable = |e: std::io::Error| TraceError::Unreadable { file: path.clone(), reason: e.to_string() };
        let mut file: Box<dyn Read + Send> = match self.memory.take() {
            Some(bytes) => Box::new(std::io::Cursor::new(bytes)),
            None => Box::new(File::open(path).map_err(unreadable)?),
        };
        let mut magic = [0u8; 2];
        let got = read_up_to(&mut file, &mut magic).map_err(unreadable)?;
        self.read.fetch_add(got as u64, Ordering::Relaxed);
        let head = std::io::Cursor::new(magic[..got].to_vec());
        let counted = Counted { file, read: self.read.clone() };
        let raw = head.chain(counted);
        let inner: Box<dyn Read + Send> =
            if magic[..got] == [0x1f, 0x8b] { Box::new(flate2::read::MultiGzDecoder::new(raw)) } else { Box::new(raw) };
        self.reader = Some(inner);
        self.filled = 0;
        self.next = 0;
        self.at_eof = false;
        self.current = index;
        self.next_file = index + 1;
        self.line = 0;
        Ok(())
    }

    /// The file the last line came from.
    pub fn file(&self) -> &Path {
        &self.files[self.current]
    }

    /// The last line's number in its file, from 1.
    pub fn line_number(&self) -> u64 {
        self.line
    }

    pub fn progress(&self) -> ReadProgress {
        ReadProgress { read_bytes: self.read.load(Ordering::Relaxed), total_bytes: self.total_bytes }
    }

    pub fn progress_handle(&self) -> ProgressHandle {
        ProgressHandle { read: self.read.clone(), total_bytes: self.total_bytes }
    }
}

fn read_up_to(file: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match file.read(&mut buf[got..])? {
            0 => break,
            n => got += n,
        }
    }
    Ok(got)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn collect(lines: &mut Lines) -> Vec<(String, u64, bool)> {
        let mut out = Vec::new();
        while lines.advance().unwrap() {
            let text = String::from_utf8(lines.line().to_vec()).unwrap();
            out.push((text, lines.line_number(), lines.first_of_file()));
        }
        out
    }

    #[test]
    fn a_directory_reads_in_name_order_gzip_or_plain() {
        let dir = std::env::temp_dir().join(format!("cdnsim-lines-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("b.csv"), "b1\r\nb2").unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"a1\na2\n").unwrap();
        std::fs::write(dir.join("a.csv.gz"), gz.finish().unwrap()).unwrap();
        std::fs::write(dir.join(".hidden"), "x\n").unwrap();
        let mut lines = Lines::open(&dir).unwrap();
        let got = collect(&mut lines);
        let expected = [("a1", 1, true), ("a2", 2, false), ("b1", 1, true), ("b2", 2, false)];
        assert_eq!(got, expected.map(|(t, n, f)| (t.to_string(), n, f)));
        let progress = lines.progress();
        assert_eq!(progress.read_bytes, progress.total_bytes);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn lines_longer_than_the_buffer_are_read_whole() {
        let dir = std::env::temp_dir().join(format!("cdnsim-lines-long-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let long = "x".repeat(BUFFER_BYTES * 2 + 3);
        let file = dir.join("t.csv");
        std::fs::write(&file, format!("a\n{long}\r\nb")).unwrap();
        let got: Vec<String> = collect(&mut Lines::open(&file).unwrap()).into_iter().map(|l| l.0).collect();
        assert_eq!(got, ["a".to_string(), long, "b".to_string()]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn lines_from_memory_read_as_from_a_file_across_refills() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let long = "y".repeat(MEMORY_BUFFER_BYTES * 3 + 1);
        let text = format!("a\r\n\n{long}\nbb\r\n{}\nlast", "z".repeat(MEMORY_BUFFER_BYTES - 1));
        gz.write_all(text.as_bytes()).unwrap();
        for bytes in [text.as_bytes().to_vec(), gz.finish().unwrap()] {
            let total = bytes.len() as u64;
            let mut lines = Lines::from_bytes(Path::new("m.csv"), bytes);
            let got: Vec<String> = collect(&mut lines).into_iter().map(|l| l.0).collect();
            let expected = ["a", "", &long, "bb", &"z".repeat(MEMORY_BUFFER_BYTES - 1), "last"];
            assert_eq!(got, expected);
            assert_eq!(lines.progress(), ReadProgress { read_bytes: total, total_bytes: total });
            assert_eq!(lines.file(), Path::new("m.csv"));
        }
    }

    #[test]
    fn a_missing_file_is_an_error_naming_it() {
        let err = Lines::open(Path::new("/nonexistent/trace.csv")).err().unwrap();
        assert!(err.to_string().contains("/nonexistent/trace.csv"), "{err}");
    }

    #[test]
    fn a_corrupt_gzip_file_is_an_error_not_a_panic() {
        let dir = std::env::temp_dir().join(format!("cdnsim-lines-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("t.gz");
        std::fs::write(&file, [0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]).unwrap();
        let mut lines = Lines::open(&file).unwrap();
        let err = loop {
            match lines.advance() {
                Ok(true) => {}
                Ok(false) => panic!("a corrupt file read to the end"),
                Err(e) => break e,
            }
        };
        assert!(err.to_string().contains("t.gz"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
