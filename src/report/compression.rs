//! Compression in a run's results: responses and bytes by encoding
//! (`compression.csv`), and the bytes it saved in the summary. Only for a
//! scenario where some behavior has `compress` on
//! (`Scenario::uses_compression`): other runs' files are exactly what they
//! were.

use crate::engine::Report;
use crate::metrics::ratio;
use crate::policy::compression::Encoding;
use crate::units::format_size;
use serde::Serialize;

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// The run's totals, for `summary.json` and the summary table.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CompressionSummary {
    /// Body bytes sent to viewers (as `bytes_requested`), and received from
    /// the origins (as `origin_bytes`): origins always send the object
    /// uncompressed.
    pub bytes_to_viewers: u64,
    pub bytes_from_origins: u64,
    /// Over the compressed responses, their full size minus what was sent.
    pub bytes_saved: u64,
    /// Bytes saved over what the viewers would have received uncompressed.
    pub saved_share: f64,
    /// Viewer responses with a body, by encoding.
    pub responses_gzip: u64,
    pub responses_br: u64,
    pub responses_identity: u64,
}

pub fn compression_summary(report: &Report) -> Option<CompressionSummary> {
    let m = &report.metrics;
    let c = m.compression.as_ref()?;
    let saved = c.bytes_saved();
    Some(CompressionSummary {
        bytes_to_viewers: m.bytes_requested,
        bytes_from_origins: m.origin_bytes,
        bytes_saved: saved,
        saved_share: round6(ratio(saved, m.bytes_requested + saved)),
        responses_gzip: c.responses[Encoding::Gzip.index()],
        responses_br: c.responses[Encoding::Brotli.index()],
        responses_identity: c.responses[Encoding::Identity.index()],
    })
}

/// One row of `compression.csv`: the viewer responses with a body that
/// left in one encoding.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CompressionRow {
    /// `identity`, `gzip` or `br`.
    pub encoding: &'static str,
    pub responses: u64,
    /// Body bytes sent to viewers.
    pub bytes_to_viewers: u64,
    /// The same bodies at the objects' full size.
    pub original_bytes: u64,
    pub bytes_saved: u64,
    /// Bytes sent over original bytes: 1 for identity.
    pub ratio: f64,
}

pub fn compression_rows(report: &Report) -> Vec<CompressionRow> {
    let Some(c) = &report.metrics.compression else { return Vec::new() };
    Encoding::ALL
        .iter()
        .map(|&e| {
            let (sent, original) = (c.bytes[e.index()], c.original_bytes[e.index()]);
            CompressionRow {
                encoding: e.as_str(),
                responses: c.responses[e.index()],
                bytes_to_viewers: sent,
                original_bytes: original,
                bytes_saved: original - sent,
                ratio: round6(ratio(sent, original)),
            }
        })
        .collect()
}

/// The summary table's line, when a behavior compresses.
pub fn summary_line(s: &CompressionSummary) -> String {
    format!(
        "  compression                {} saved ({:.1}% of what viewers would have got); responses br {}, gzip {}, \
         identity {}",
        format_size(s.bytes_saved),
        s.saved_share * 100.0,
        s.responses_br,
        s.responses_gzip,
        s.responses_identity
    )
}
