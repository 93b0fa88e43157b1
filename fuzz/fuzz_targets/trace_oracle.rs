//! Any bytes as a libCacheSim oracleGeneral trace, as given (plain, or zstd when they start with its
//! magic) and compressed with zstd: nothing panics, every record has a nonzero size, a trace read to
//! its end has had all its bytes read, and the compressed bytes read exactly as the plain ones.
#![no_main]

use cdnsim::trace::oracle::OracleReader;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

/// The records (time, id, size) and whether the read ended cleanly.
fn read(bytes: Vec<u8>, strict: bool) -> (Vec<(u32, u64, u32, Option<u64>)>, bool) {
    let total = bytes.len() as u64;
    let Ok(mut reader) = OracleReader::from_bytes(Path::new("fuzz.oracleGeneral.bin"), bytes, strict) else {
        return (Vec::new(), false);
    };
    let mut records = Vec::new();
    loop {
        match reader.next_oracle() {
            Ok(Some(r)) => {
                assert!(r.size_bytes > 0);
                records.push((r.time_s, r.obj_id, r.size_bytes, r.next_access));
            }
            Ok(None) => {
                let progress = cdnsim::trace::TraceReader::progress(&reader);
                assert_eq!((progress.read_bytes, progress.total_bytes), (total, total));
                return (records, true);
            }
            Err(_) => return (records, false),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&choice, bytes)) = data.split_first() else { return };
    let strict = choice & 1 != 0;
    let (plain, plain_ok) = read(bytes.to_vec(), strict);
    if choice & 2 != 0 && !cdnsim::trace::oracle::is_zstd(bytes) {
        let packed = ruzstd::encoding::compress_to_vec(bytes, ruzstd::encoding::CompressionLevel::Fastest);
        let (unpacked, unpacked_ok) = read(packed, strict);
        assert_eq!(unpacked_ok, plain_ok);
        assert_eq!(unpacked, plain);
    }
});
