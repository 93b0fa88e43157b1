//! Trace readers on committed fixtures: CloudFront access logs (plain and
//! gzip, a directory in name order) and CSV traces.

use cdnsim::http::Method;
use cdnsim::policy::result_type::LoggedResult;
use cdnsim::trace::TraceReader;
use cdnsim::trace::cloudfront_log::CloudFrontLogReader;
use cdnsim::trace::csv::{CsvOptions, CsvReader};
use std::path::{Path, PathBuf};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/trace").join(name)
}

#[test]
fn a_log_directory_reads_every_field_in_file_order() {
    let mut reader = CloudFrontLogReader::open(&fixture("logs"), false).unwrap();
    let mut got = Vec::new();
    while let Some(r) = reader.next_record().unwrap() {
        got.push((
            r.time_us / 1_000_000,
            String::from_utf8(r.key.to_vec()).unwrap(),
            r.size_bytes,
            r.method,
            r.https,
            r.edge_location.unwrap().to_string(),
            r.client_ip.unwrap().to_string(),
            r.status.unwrap(),
            r.result_type.unwrap(),
        ));
    }
    // 2019-12-13T22:36:27Z is Unix second 1576276587.
    let t0 = 1_576_276_587;
    assert_eq!(got.len(), 8, "{got:?}");
    assert_eq!(
        got[0],
        (
            t0,
            "/static/a.js".into(),
            1000,
            Method::Get,
            true,
            "SEA19-C1".into(),
            "192.0.2.10".into(),
            200,
            LoggedResult::Miss
        )
    );
    assert!(!got[2].4, "cs-protocol http");
    assert_eq!(got[3].3, Method::Head);
    assert_eq!((got[4].7, got[4].8), (404, LoggedResult::Error));
    // The second file is gzip and follows the first in name order.
    assert_eq!((got[5].0 - t0, got[5].1.as_str()), (23 * 60 + 34, "/images/b.jpg"));
    assert_eq!(got[6].8, LoggedResult::RefreshHit);
    assert_eq!((got[7].1.as_str(), got[7].7), ("/favicon.ico", 502));
    // A short record in the first file and an unknown method in the second.
    let malformed = reader.malformed();
    assert_eq!(malformed.count, 2);
    let places: Vec<String> = malformed
        .first
        .iter()
        .map(|m| format!("{}:{}", m.file.file_name().unwrap().to_string_lossy(), m.line))
        .collect();
    assert_eq!(places, ["E2EXAMPLE.2019-12-13-22.0001:6", "E2EXAMPLE.2019-12-13-23.0002.gz:5"]);
    assert!(malformed.first[1].reason.contains("BREW"), "{}", malformed.first[1]);
    let progress = reader.progress();
    assert_eq!(progress.read_bytes, progress.total_bytes);
}

#[test]
fn strict_log_reading_stops_at_the_short_record() {
    let mut reader = CloudFrontLogReader::open(&fixture("logs/E2EXAMPLE.2019-12-13-22.0001"), true).unwrap();
    let mut read = 0;
    let err = loop {
        match reader.next_record() {
            Ok(Some(_)) => read += 1,
            Ok(None) => panic!("read to the end"),
            Err(e) => break e,
        }
    };
    assert_eq!(read, 3);
    assert!(err.to_string().contains("E2EXAMPLE.2019-12-13-22.0001:6: 4 tab-separated fields"), "{err}");
}

#[test]
fn a_csv_trace_reads_with_its_malformed_lines_counted() {
    let mut reader = CsvReader::open(&fixture("small.csv"), CsvOptions::default()).unwrap();
    let mut requests = 0;
    let mut bytes = 0;
    while let Some(r) = reader.next_record().unwrap() {
        requests += 1;
        bytes += r.size_bytes;
        assert!(r.key.starts_with(b"obj"));
    }
    assert_eq!(requests, 200);
    assert!(bytes >= 200 * 100);
    let lines: Vec<u64> = reader.malformed().first.iter().map(|m| m.line).collect();
    assert_eq!(lines, [51, 121]);
}

/// Issue 13, item 13: a date of the right shape that does not exist is
/// called that, and says which part does not.
#[test]
fn a_log_date_that_does_not_exist_says_why() {
    let dir = std::env::temp_dir().join(format!("cdnsim-test-{}-log-date", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(fixture("logs/E2EXAMPLE.2019-12-13-22.0001")).unwrap();
    let first = text.lines().nth(2).unwrap();
    let bad = format!(
        "{}\n{}\n{}\n{}\n",
        text.lines().next().unwrap(),
        text.lines().nth(1).unwrap(),
        first.replacen("2019-12-13", "2023-13-05", 1),
        first.replacen("2019-12-13", "2023/12/05", 1),
    );
    let path = dir.join("bad.log");
    std::fs::write(&path, bad).unwrap();
    let mut reader = CloudFrontLogReader::open(&path, false).unwrap();
    assert!(reader.next_record().unwrap().is_none());
    let reasons: Vec<&str> = reader.malformed().first.iter().map(|m| m.reason.as_str()).collect();
    assert_eq!(
        reasons,
        ["date \"2023-13-05\" is not a valid date: there is no month 13", "date \"2023/12/05\" is not YYYY-MM-DD"]
    );
}

#[test]
fn a_log_reads_the_detailed_result_type_field() {
    use cdnsim::metrics::DetailedResultType as D;
    use cdnsim::policy::result_type::LoggedDetailed;
    let mut reader = CloudFrontLogReader::open(&fixture("logs"), false).unwrap();
    let mut got = Vec::new();
    while let Some(r) = reader.next_record().unwrap() {
        got.push(r.detailed_result_type);
    }
    // The fixtures log the same value in both fields (no shield, no error cause).
    let logged = |d: D| Some(LoggedDetailed::Simulated(d));
    assert_eq!(got[0], logged(D::Miss));
    assert_eq!(got[4], logged(D::Error));
    assert_eq!(got[6], logged(D::RefreshHit));
    // A log without the field reads none; an unknown value is Other.
    let text = "#Version: 1.0\n#Fields: date time cs-uri-stem x-edge-detailed-result-type\n\
                2019-12-13\t22:36:27\t/a\tOriginDnsError\n";
    let mut reader = CloudFrontLogReader::from_bytes(Path::new("x.log"), text.as_bytes().to_vec(), true);
    assert_eq!(reader.next_record().unwrap().unwrap().detailed_result_type, Some(LoggedDetailed::Other));
    let text = "#Version: 1.0\n#Fields: date time cs-uri-stem\n2019-12-13\t22:36:27\t/a\n";
    let mut reader = CloudFrontLogReader::from_bytes(Path::new("x.log"), text.as_bytes().to_vec(), true);
    assert_eq!(reader.next_record().unwrap().unwrap().detailed_result_type, None);
}
