//! Any bytes as a CloudFront access log (plain or gzip): format detection and the reader never
//! panic, every record has a URI stem, no more malformed lines are kept than counted, and each
//! logged edge location maps onto a small topology without a panic.
#![no_main]

use cdnsim::trace::TraceReader;
use cdnsim::trace::cloudfront_log::CloudFrontLogReader;
use cdnsim::trace::detect::detect_in;
use cdnsim::trace::edge_map::{EdgeMap, EdgeMapRule, map_location};
use cdnsim::trace::lines::Lines;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let name = Path::new("fuzz.log");
    let _ = detect_in(&mut Lines::from_bytes(name, data.to_vec()));
    // Strict and not, by the input's length, so both ways of ending are reached.
    let mut reader = CloudFrontLogReader::from_bytes(name, data.to_vec(), data.len() % 2 == 1);
    let edges = ["IAD89".to_string(), "SEA1".to_string(), "lhr3".to_string()];
    let airport = EdgeMap::new(&[EdgeMapRule::Airport]).unwrap();
    loop {
        match reader.next_record() {
            Ok(Some(record)) => {
                assert!(!record.key.is_empty());
                if let Some(location) = record.edge_location {
                    let by_name = map_location(location, &edges, &EdgeMap::default());
                    let by_code = map_location(location, &edges, &airport);
                    // The airport code only adds matches.
                    assert!(by_name.is_none() || by_code == by_name);
                }
            }
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
