//! What compression at the edge did to the responses viewers got: how many
//! left in each encoding, the body bytes they carried, and the bytes they
//! would have carried uncompressed (`policy::compression`). Kept only for
//! runs where some behavior has `compress` on.

use super::merging::add_counts;
use crate::policy::compression::Encoding;

/// Viewer responses with a body, by `Encoding::index`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompressionStats {
    pub responses: [u64; 3],
    /// Body bytes sent to viewers.
    pub bytes: [u64; 3],
    /// The same responses' bodies at the object's full size.
    // Invariant: original_bytes[identity] == bytes[identity], and
    // bytes[e] <= original_bytes[e] for the codings (accounting checks both).
    pub original_bytes: [u64; 3],
}

impl CompressionStats {
    /// Counts one measured response with a body, sent in `encoding` with
    /// `body_bytes`, of an object of `original_bytes`.
    #[inline]
    pub fn record(&mut self, encoding: Encoding, body_bytes: u64, original_bytes: u64) {
        let e = encoding.index();
        self.responses[e] += 1;
        self.bytes[e] += body_bytes;
        self.original_bytes[e] += original_bytes;
    }

    /// Adds another partition's counts of the same run (`Metrics::merge`).
    pub fn merge(&mut self, other: CompressionStats) {
        let CompressionStats { responses, bytes, original_bytes } = other;
        add_counts(&mut self.responses, responses);
        add_counts(&mut self.bytes, bytes);
        add_counts(&mut self.original_bytes, original_bytes);
    }

    /// Responses with a body, in every encoding.
    pub fn responses_with_body(&self) -> u64 {
        self.responses.iter().sum()
    }

    /// What compression kept off the viewers' legs: the sum over compressed
    /// responses of full size minus encoded size.
    pub fn bytes_saved(&self) -> u64 {
        let original: u64 = self.original_bytes.iter().sum();
        original.saturating_sub(self.bytes.iter().sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_is_full_minus_encoded_over_compressed_responses() {
        let mut s = CompressionStats::default();
        // Two 10,000-byte objects: one in br at 2,500 bytes, one in gzip at
        // 3,000; and one identity of 700 bytes. Saved 7,500 + 7,000 = 14,500.
        s.record(Encoding::Brotli, 2_500, 10_000);
        s.record(Encoding::Gzip, 3_000, 10_000);
        s.record(Encoding::Identity, 700, 700);
        assert_eq!(s.responses_with_body(), 3);
        assert_eq!(s.bytes_saved(), 14_500);
        assert_eq!(s.bytes, [700, 3_000, 2_500]);
    }
}
