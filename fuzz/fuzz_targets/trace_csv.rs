//! Any bytes as a CSV trace (plain or gzip), read with options drawn from the first byte: nothing
//! panics, every record has an object id, no more malformed lines are kept than counted, and a
//! trace read to its end has had all its bytes read.
#![no_main]

use cdnsim::trace::TraceReader;
use cdnsim::trace::csv::{Column, CsvOptions, CsvReader, TimeUnit};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

/// Options from one byte: delimiter (bits 0-1), header detection off (bit 2), strict (bit 3), time
/// unit (bits 4-5), layout (bits 6-7: the default, no time column, no size column, or columns
/// mapped out of order).
fn options(choice: u8) -> CsvOptions {
    let mut options = CsvOptions {
        delimiter: [b',', b'\t', b';', b' '][(choice & 3) as usize],
        header: (choice & 4 != 0).then_some(false),
        strict: choice & 8 != 0,
        time_unit: [TimeUnit::Seconds, TimeUnit::Millis, TimeUnit::Micros, TimeUnit::Seconds]
            [(choice >> 4 & 3) as usize],
        ..CsvOptions::default()
    };
    match choice >> 6 {
        1 => options.no_time = true,
        2 => options.no_size = true,
        3 => {
            options.time = Some(Column::Index(2));
            options.id = Some(Column::Index(0));
            options.size = Some(Column::Name("size".into()));
        }
        _ => {}
    }
    options
}

fuzz_target!(|data: &[u8]| {
    let Some((&choice, text)) = data.split_first() else { return };
    let mut reader = CsvReader::from_bytes(Path::new("fuzz.csv"), text.to_vec(), options(choice));
    loop {
        match reader.next_record() {
            Ok(Some(record)) => assert!(!record.key.is_empty()),
            Ok(None) => {
                let progress = reader.progress();
                assert_eq!(progress.read_bytes, progress.total_bytes);
                break;
            }
            Err(_) => break,
        }
    }
    let malformed = reader.malformed();
    assert!(malformed.first.len() as u64 <= malformed.count);
});
