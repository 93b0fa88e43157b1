//! CSV reader benchmark: `CsvReader` alone (the line buffer and the parse,
//! no id map, no engine), in trace lines per second on one core.
//!
//! Run with `cargo bench --bench csv_reader`. `CDNSIM_BENCH_REQUESTS=N` sets
//! the trace length (default 5,000,000). Traces: the research layout with
//! numeric ids (the one-pass parse), the same with hex ids, and with CRLF
//! line ends. Prints medians of several runs: the machines are shared and
//! noisy, so compare ratios, not single figures; for instruction counts use
//! callgrind (see the commit messages of `src/trace/csv.rs`).
mod common;
use common::*;

use cdnsim::trace::TraceReader;
use cdnsim::trace::csv::{CsvOptions, CsvReader};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

const RUNS: usize = 5;

/// `time,obj_id,obj_size` lines: 1,000 requests a second, ids scattered
/// over a million objects, sizes 1 KiB to 64 KiB.
fn write_trace(path: &Path, requests: u64, hex_ids: bool, line_end: &str) {
    let file = std::fs::File::create(path).expect("temp file");
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    write!(out, "time,obj_id,obj_size{line_end}").unwrap();
    for i in 0..requests {
        let id = (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) % 1_000_000).wrapping_mul(0xD6E8_FEB8_6659_FD93) >> 20;
        let size = 1024 + (id >> 7) % (63 * 1024);
        match hex_ids {
            true => write!(out, "{},{id:x},{size}{line_end}", i / 1000).unwrap(),
            false => write!(out, "{},{id},{size}{line_end}", i / 1000).unwrap(),
        }
    }
    out.flush().unwrap();
}

fn main() {
    let requests: u64 = std::env::var("CDNSIM_BENCH_REQUESTS").ok().and_then(|v| v.parse().ok()).unwrap_or(5_000_000);
    for (name, hex_ids, line_end) in [("numeric ids", false, "\n"), ("hex ids", true, "\n"), ("CRLF", false, "\r\n")] {
        let path = std::env::temp_dir().join(format!("cdnsim-bench-csv-{}.csv", std::process::id()));
        write_trace(&path, requests, hex_ids, line_end);
        let bytes = std::fs::metadata(&path).expect("the trace exists").len();
        let (mut rates, mut cpu_rates) = (Vec::new(), Vec::new());
        for _ in 0..RUNS {
            let started = Instant::now();
            let cpu_started = cpu_seconds();
            let mut reader = CsvReader::open(&path, CsvOptions::default()).expect("the trace opens");
            // Folded into a checksum so that no field goes unread.
            let (mut lines, mut checksum) = (0u64, 0u64);
            while let Some(record) = reader.next_record().expect("the trace reads") {
                lines += 1;
                checksum = checksum.wrapping_add(record.size_bytes ^ record.time_us as u64 ^ record.key.len() as u64);
                checksum = checksum.wrapping_add(record.key_number.unwrap_or(0));
            }
            assert_eq!(lines, requests, "checksum {checksum}");
            rates.push(lines as f64 / started.elapsed().as_secs_f64());
            if let (Some(a), Some(b)) = (cpu_started, cpu_seconds()) {
                cpu_rates.push(lines as f64 / (b - a));
            }
        }
        let rate = median(rates);
        let cpu_rate = if cpu_rates.is_empty() { f64::NAN } else { median(cpu_rates) };
        println!(
            "csv reader, {name}: {:.1} M lines/s wall, {:.1} M/s of CPU time ({:.0} MB/s), {requests} lines (median of {RUNS})",
            rate / 1e6,
            cpu_rate / 1e6,
            rate * bytes as f64 / requests as f64 / 1e6,
        );
        let _ = std::fs::remove_file(&path);
    }
}
