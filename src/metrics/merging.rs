//! What the `merge` functions of `metrics` share. One run cut into
//! partitions (issue 20: each regional edge cache with its edge locations,
//! the origins apart) records into one `Metrics` per partition, each sized
//! for the whole distribution; at the end they are merged, field by field,
//! into what a single `Metrics` would hold had it recorded everything.
//!
//! Each type's `merge` sits next to its definition and destructures the
//! other side exhaustively (`let Foo { a, b } = other;`), so that a field
//! added later is a compile error until its merge is written.
//!
//! Integers only: every merged value is a sum, a maximum or an `or` of
//! integers (histogram counts included), and those are associative and
//! commutative, so neither the order partitions are merged in nor how the
//! requests were split between them can change a bit. No floating point
//! enters a merged value; ratios are worked out from the merged integers.
//!
//! A leaf of `metrics`: it imports nothing from `mod.rs`, which holds it.

use hdrhistogram::Histogram;
use std::fmt::Debug;

/// Asserts that a setting of the run (an interval, the size of a per-cache
/// vector, a cache's region) is the same on both sides: partitions of one
/// run share them, so a difference is a bug in the caller.
#[track_caller]
pub(super) fn same<T: PartialEq + Debug + ?Sized>(here: &T, there: &T, what: &str) {
    assert!(here == there, "merging the metrics of different runs: {what} is {here:?} here and {there:?} there");
}

/// Merges each of `from`'s entries into its counterpart in `into`: per
/// cache, origin, behavior..., so both sides have one entry each.
#[track_caller]
pub(super) fn merge_each<T>(into: &mut [T], from: Vec<T>, what: &str, mut merge: impl FnMut(&mut T, T)) {
    assert!(
        into.len() == from.len(),
        "merging the metrics of different runs: the number of entries of {what} is {} here and {} there",
        into.len(),
        from.len()
    );
    for (mine, theirs) in into.iter_mut().zip(from) {
        merge(mine, theirs);
    }
}

/// Adds counters index by index.
pub(super) fn add_counts<const N: usize>(into: &mut [u64; N], from: [u64; N]) {
    for (sum, count) in into.iter_mut().zip(from) {
        *sum += count;
    }
}

/// Adds `from`'s samples to `into`. Counts saturate at `u64::MAX`, as
/// `saturating_record` saturates them when recording.
#[track_caller]
pub(super) fn add_histogram(into: &mut Histogram<u64>, from: &Histogram<u64>, what: &str) {
    // Both sides were built with the same bounds and recording clamps to
    // them, so every sample fits; an error means histograms of two runs.
    if let Err(e) = into.add(from) {
        panic!("merging the metrics of different runs: {what}: {e:?}");
    }
}

/// Merges optional feature stats: a run keeps one when its scenario uses
/// the feature, so both sides have it or neither does.
#[track_caller]
pub(super) fn merge_option<T>(into: &mut Option<T>, from: Option<T>, what: &str, merge: impl FnOnce(&mut T, T)) {
    match (into.as_mut(), from) {
        (Some(mine), Some(theirs)) => merge(mine, theirs),
        (None, None) => {}
        (mine, theirs) => panic!(
            "merging the metrics of different runs: {what} is {} here and {} there",
            if mine.is_some() { "kept" } else { "not kept" },
            if theirs.is_some() { "kept" } else { "not kept" },
        ),
    }
}

/// Merges a count of distinct things (cache keys, objects), filled in at
/// the end of a run from a set. Two sets' counts do not add (a key both
/// saw would count twice), so at most one side may have counted: a cache
/// belongs to one partition, whose count stands. Where several partitions
/// see the same thing (a behavior's keys over all edges), the caller fills
/// the count after merging, from the union of the partitions' sets.
#[track_caller]
pub(super) fn merge_distinct(into: &mut u64, from: u64, what: &str) {
    assert!(
        *into == 0 || from == 0,
        "{what}: distinct counts of two partitions ({} and {from}) do not add up; count the union of their sets \
         after merging",
        *into
    );
    *into += from;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_index_by_index() {
        let mut counts = [1, 0, 5];
        add_counts(&mut counts, [2, 3, 0]);
        assert_eq!(counts, [3, 3, 5]);
        let mut sums = vec![[1, 1], [0, 4]];
        merge_each(&mut sums, vec![[2, 0], [1, 1]], "pairs", add_counts);
        assert_eq!(sums, [[3, 1], [1, 5]]);
    }

    #[test]
    #[should_panic(expected = "the number of entries of caches is 2 here and 3 there")]
    fn vectors_of_different_sizes_do_not_merge() {
        merge_each(&mut [0u64; 2], vec![0; 3], "caches", |a, b| *a += b);
    }

    #[test]
    fn histograms_add_their_samples_and_saturate_as_recording_does() {
        let histogram = || Histogram::<u64>::new_with_bounds(1, 3_600_000_000, 3).unwrap();
        let (mut into, mut from) = (histogram(), histogram());
        into.saturating_record_n(10, 2);
        from.saturating_record_n(10, 1);
        from.saturating_record_n(5_000, 4);
        add_histogram(&mut into, &from, "latency");
        // 2 + 1 samples of 10, 4 of 5,000.
        assert_eq!((into.len(), into.count_at(10), into.count_at(5_000)), (7, 3, 4));
        // A count at its maximum stays there, as `saturating_record_n` keeps it.
        let mut full = histogram();
        full.saturating_record_n(10, u64::MAX);
        add_histogram(&mut full, &from, "latency");
        assert_eq!((full.count_at(10), full.count_at(5_000)), (u64::MAX, 4));
    }

    #[test]
    #[should_panic(expected = "the warm-up is 1 here and 2 there")]
    fn different_settings_do_not_merge() {
        same(&1, &2, "the warm-up");
    }

    #[test]
    fn optional_stats_merge_when_both_sides_keep_them() {
        let mut kept = Some(3u64);
        merge_option(&mut kept, Some(4), "compression", |a, b| *a += b);
        assert_eq!(kept, Some(7));
        let mut absent: Option<u64> = None;
        merge_option(&mut absent, None, "compression", |a, b| *a += b);
        assert_eq!(absent, None);
    }

    #[test]
    #[should_panic(expected = "compression is not kept here and kept there")]
    fn optional_stats_kept_on_one_side_only_do_not_merge() {
        merge_option(&mut None, Some(1u64), "compression", |a, b| *a += b);
    }

    #[test]
    fn a_distinct_count_of_one_side_stands() {
        let mut keys = 0;
        merge_distinct(&mut keys, 4, "cache 0: keys");
        merge_distinct(&mut keys, 0, "cache 0: keys");
        assert_eq!(keys, 4);
    }

    #[test]
    #[should_panic(expected = "behavior 1: keys: distinct counts of two partitions (4 and 3) do not add up")]
    fn distinct_counts_of_both_sides_do_not_add() {
        merge_distinct(&mut 4, 3, "behavior 1: keys");
    }
}
