//! Range GETs: what a viewer's `Range` header asks for, which aligned parts
//! CloudFront looks up and fetches for it, what the origin answers and what
//! the viewer gets (DG "How CloudFront processes partial requests for an
//! object (range GETs)", RangeGETs.html; reference §8 for the log fields
//! `sc-range-start` and `sc-range-end`).
//!
//! The Developer Guide's rules, as modelled here:
//! - a cache that holds the whole object, or the requested part of it,
//!   serves the range at once;
//! - otherwise the request goes on to the origin, and CloudFront "may
//!   request a larger range than the client requested". **Assumption:**
//!   cdnsim widens every range to whole aligned parts of `PART_BYTES`
//!   (1 MiB) and fetches only the parts the cache lacks, from the first
//!   missing one to the last. Fixed-size aligned parts are what lets parts
//!   fetched for different viewers' ranges be found again: two ranges that
//!   overlap share the parts they overlap in, whatever their own bounds.
//!   The Guide does not give the size: 1 MiB is cdnsim's assumption (a
//!   part is then a few round trips' worth of a video segment or a download
//!   chunk), stated once, here;
//! - an origin that supports range GETs answers 206 with the range, and
//!   CloudFront caches what it got (each part is an entry of its own in
//!   each cache, keyed by the object's key with the part's index folded in:
//!   `policy::cache_key::part_key`, so parts are evicted one by one);
//! - an origin that does not answers 200 with the whole object: CloudFront
//!   serves the whole object to that viewer and caches it whole, and later
//!   ranges are served from the whole copy;
//! - a range that starts past the object's end is unsatisfiable: 416. A
//!   cache that holds the object or a part of it knows the length and
//!   answers 416 itself; otherwise the origin answers (416 if it supports
//!   ranges, else the whole object with 200). **Assumption:** a 416 is not
//!   cached: it depends on the `Range` header, which is no part of the cache
//!   key, so caching it under the object's key would answer later requests
//!   for the whole object with 416.
//!
//! Interactions, each an assumption where the Guide is silent:
//! - compression (DG ServingCompressedFiles): the Guide's conditions for
//!   compression do not mention ranges. A range of a compressed body cannot
//!   be decoded on its own, so cdnsim serves ranges of the uncompressed
//!   object and never compresses a range response;
//! - signed URLs and cookies: every range GET is a request of its own and is
//!   checked on its own (reference §1.10);
//! - invalidations remove every part of a matching object (a part's key
//!   names its object, `policy::cache_key::object_of`);
//! - freshness: a part expires with the object's TTL like a whole copy. An
//!   expired part is fetched again whole, without a validator (the Guide
//!   does not say that CloudFront revalidates parts), and is never served
//!   stale while revalidating or on error;
//! - collapsing: a range fetch neither leads nor joins a collapsed fetch
//!   (the Guide's collapsing speaks of requests for the same object; two
//!   ranges of it may need different parts).
//!
//! Not modelled: multi-range headers (`bytes=0-99,200-299`) and the Guide's
//! rule for malformed ones, and an origin's `Transfer-Encoding: chunked`
//! answer (the whole object to the viewer): every range here is one valid
//! range, and origins send `Content-Length`.

/// The size of the aligned parts ranges are widened to (1 MiB).
pub const PART_BYTES: u64 = 1 << 20;

const _: () = assert!(crate::scenario::DEFAULT_RANGE_LENGTH_BYTES == PART_BYTES);

/// What a viewer's range asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewerRange {
    /// Bytes `first..=last` of the object, within it.
    // Invariant: first <= last < the object's size.
    Bytes { first: u64, last: u64 },
    /// A range that starts at or past the object's end.
    Unsatisfiable,
}

pub use crate::scenario::RangeStart;

/// A run of whole parts, `first..=last`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parts {
    pub first: u32,
    pub last: u32,
}

impl Parts {
    pub fn iter(self) -> impl Iterator<Item = u32> {
        self.first..=self.last
    }

    pub fn count(self) -> u32 {
        self.last - self.first + 1
    }
}

/// The range a viewer asks for, from two uniform draws in `[0, 1)`:
/// `unsatisfiable_draw < unsatisfiable_share` makes it unsatisfiable, else it
/// starts where `start` says (`start_draw` places a uniform start) and is
/// `length` bytes long, cut at the object's end. An empty object has no
/// satisfiable range.
pub fn viewer_range(
    size: u64,
    start: RangeStart,
    length: u64,
    unsatisfiable_share: f64,
    (unsatisfiable_draw, start_draw): (f64, f64),
) -> ViewerRange {
    debug_assert!(length >= 1, "a range holds at least one byte");
    if size == 0 || unsatisfiable_draw < unsatisfiable_share {
        return ViewerRange::Unsatisfiable;
    }
    let first = match start {
        RangeStart::Zero => 0,
        RangeStart::Uniform => ((start_draw * size as f64) as u64).min(size - 1),
    };
    ViewerRange::Bytes { first, last: first.saturating_add(length - 1).min(size - 1) }
}

/// The parts a satisfiable range lies in: the range widened to part bounds.
pub fn parts_of(first: u64, last: u64) -> Parts {
    debug_assert!(first <= last);
    Parts { first: (first / PART_BYTES) as u32, last: (last / PART_BYTES) as u32 }
}

/// The bytes of `parts` of an object of `size` bytes: whole parts, the
/// object's last part cut at its end.
pub fn parts_bytes(parts: Parts, size: u64) -> u64 {
    let start = parts.first as u64 * PART_BYTES;
    let end = ((parts.last as u64 + 1) * PART_BYTES).min(size);
    end.saturating_sub(start)
}

/// The parts to fetch for `wanted` at a cache, given which of them it holds
/// (`held(part)`): from the first missing part to the last (one request, one
/// contiguous range), or `None` when it holds them all.
pub fn missing_parts(wanted: Parts, mut held: impl FnMut(u32) -> bool) -> Option<Parts> {
    let mut missing: Option<Parts> = None;
    for part in wanted.iter() {
        if !held(part) {
            missing = Some(match missing {
                None => Parts { first: part, last: part },
                Some(m) => Parts { first: m.first, last: part },
            });
        }
    }
    missing
}

/// What an origin answers a range fetch with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OriginRangeAnswer {
    /// 206 with the parts asked for.
    Partial,
    /// 200 with the whole object: the origin ignores `Range`.
    Whole,
    /// 416: the range starts past the end.
    Unsatisfiable,
}

impl OriginRangeAnswer {
    pub fn status(self) -> u16 {
        match self {
            OriginRangeAnswer::Partial => 206,
            OriginRangeAnswer::Whole => 200,
            OriginRangeAnswer::Unsatisfiable => 416,
        }
    }
}

/// How an origin answers a range fetch (RangeGETs.html): one that does not
/// support ranges sends the whole object whatever the range.
pub fn origin_answer(supports_ranges: bool, range: ViewerRange) -> OriginRangeAnswer {
    match (supports_ranges, range) {
        (false, _) => OriginRangeAnswer::Whole,
        (true, ViewerRange::Bytes { .. }) => OriginRangeAnswer::Partial,
        (true, ViewerRange::Unsatisfiable) => OriginRangeAnswer::Unsatisfiable,
    }
}

/// The body bytes a viewer's range request receives with `status`: the
/// range's bytes with 206, the whole object with 200, nothing otherwise.
pub fn viewer_body_bytes(range: ViewerRange, status: u16, size: u64) -> u64 {
    match (status, range) {
        (206, ViewerRange::Bytes { first, last }) => last - first + 1,
        (200, _) => size,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1 << 20;

    #[test]
    fn ranges_start_at_zero_or_anywhere_and_stop_at_the_end() {
        // 10 MiB object, 100,000-byte ranges.
        let size = 10 * MIB;
        let r = |start, draws| viewer_range(size, start, 100_000, 0.1, draws);
        assert_eq!(r(RangeStart::Zero, (0.5, 0.7)), ViewerRange::Bytes { first: 0, last: 99_999 });
        // Uniform: 0.5 x 10,485,760 = 5,242,880.
        assert_eq!(r(RangeStart::Uniform, (0.5, 0.5)), ViewerRange::Bytes { first: 5_242_880, last: 5_342_879 });
        // Near the end the range is cut at the last byte, 10,485,759.
        let near_end = r(RangeStart::Uniform, (0.5, 0.9999));
        assert_eq!(near_end, ViewerRange::Bytes { first: 10_484_711, last: 10_485_759 });
        // The first draw below the share makes it unsatisfiable.
        assert_eq!(r(RangeStart::Zero, (0.05, 0.0)), ViewerRange::Unsatisfiable);
        assert_eq!(viewer_range(0, RangeStart::Zero, 10, 0.0, (0.5, 0.5)), ViewerRange::Unsatisfiable);
    }

    #[test]
    fn ranges_widen_to_whole_parts() {
        // Bytes 0-99,999 lie in part 0; 500,000-1,499,999 in parts 0 and 1
        // (1 MiB = 1,048,576).
        assert_eq!(parts_of(0, 99_999), Parts { first: 0, last: 0 });
        assert_eq!(parts_of(500_000, 1_499_999), Parts { first: 0, last: 1 });
        assert_eq!(parts_of(MIB, 2 * MIB), Parts { first: 1, last: 2 });
        // Parts 0-1 of a 10 MiB object are 2 MiB; the last part of a
        // 2.5 MiB object is half a part.
        assert_eq!(parts_bytes(Parts { first: 0, last: 1 }, 10 * MIB), 2 * MIB);
        assert_eq!(parts_bytes(Parts { first: 2, last: 2 }, 5 * MIB / 2), MIB / 2);
        assert_eq!(Parts { first: 3, last: 5 }.count(), 3);
    }

    #[test]
    fn only_the_missing_parts_are_fetched_in_one_run() {
        let wanted = Parts { first: 0, last: 4 };
        assert_eq!(missing_parts(wanted, |_| true), None);
        assert_eq!(missing_parts(wanted, |p| p == 0), Some(Parts { first: 1, last: 4 }));
        // Parts 1 and 3 missing: one fetch of 1-3 (part 2 comes again).
        assert_eq!(missing_parts(wanted, |p| p != 1 && p != 3), Some(Parts { first: 1, last: 3 }));
        assert_eq!(missing_parts(Parts { first: 2, last: 2 }, |_| false), Some(Parts { first: 2, last: 2 }));
    }

    #[test]
    fn origins_answer_as_the_developer_guide_says() {
        let bytes = ViewerRange::Bytes { first: 0, last: 9 };
        assert_eq!(origin_answer(true, bytes), OriginRangeAnswer::Partial);
        assert_eq!(origin_answer(false, bytes), OriginRangeAnswer::Whole);
        assert_eq!(origin_answer(true, ViewerRange::Unsatisfiable), OriginRangeAnswer::Unsatisfiable);
        assert_eq!(origin_answer(false, ViewerRange::Unsatisfiable), OriginRangeAnswer::Whole);
        assert_eq!(OriginRangeAnswer::Partial.status(), 206);
        assert_eq!(viewer_body_bytes(bytes, 206, 100), 10);
        assert_eq!(viewer_body_bytes(bytes, 200, 100), 100);
        assert_eq!(viewer_body_bytes(ViewerRange::Unsatisfiable, 416, 100), 0);
        assert_eq!(viewer_body_bytes(bytes, 503, 100), 0);
    }
}
