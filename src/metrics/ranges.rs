//! What range GETs did, per behavior (`policy::range`); kept only for a
//! scenario where some class sends ranges (`Scenario::uses_ranges`).

use super::merging::merge_each;

/// One behavior's measured range GETs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RangeCounts {
    /// Range GETs answered (each also counted among the behavior's requests).
    // Invariant: partial + whole + unsatisfiable + other == requests.
    pub requests: u64,
    /// Answered 206 with the range.
    pub partial: u64,
    /// Answered 200 with the whole object (an origin without range support).
    pub whole: u64,
    /// Answered 416: the range starts past the object's end.
    pub unsatisfiable: u64,
    /// Answered with any other status (an error, a redirect).
    pub other: u64,
    /// Body bytes these answers carried to viewers.
    pub bytes_to_viewers: u64,
    /// The bytes the viewers' satisfiable ranges asked for.
    pub bytes_asked: u64,
    /// Range fetches an origin answered, and the body bytes it sent for
    /// them: the missing parts (206), or the whole object (200).
    pub origin_requests: u64,
    pub origin_bytes: u64,
}

impl RangeCounts {
    /// Counts one measured range GET leaving the edge with `status` and
    /// `body_bytes`, having asked for `asked_bytes`.
    #[inline]
    pub fn record(&mut self, status: u16, body_bytes: u64, asked_bytes: u64) {
        self.requests += 1;
        match status {
            206 => self.partial += 1,
            200 => self.whole += 1,
            416 => self.unsatisfiable += 1,
            _ => self.other += 1,
        }
        self.bytes_to_viewers += body_bytes;
        self.bytes_asked += asked_bytes;
    }

    /// Adds another's counts: another behavior's (for the run's totals),
    /// or another partition's of the same behavior or class (`merge`).
    pub fn add(&mut self, other: &RangeCounts) {
        let RangeCounts {
            requests,
            partial,
            whole,
            unsatisfiable,
            other,
            bytes_to_viewers,
            bytes_asked,
            origin_requests,
            origin_bytes,
        } = *other;
        self.requests += requests;
        self.partial += partial;
        self.whole += whole;
        self.unsatisfiable += unsatisfiable;
        self.other += other;
        self.bytes_to_viewers += bytes_to_viewers;
        self.bytes_asked += bytes_asked;
        self.origin_requests += origin_requests;
        self.origin_bytes += origin_bytes;
    }
}

/// Per behavior and per class, in the scenario's orders: the same range
/// GETs counted twice, once by each.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RangeStats {
    pub behaviors: Vec<RangeCounts>,
    // Invariant: every counter summed over classes equals its sum over
    // behaviors (accounting checks it).
    pub classes: Vec<RangeCounts>,
}

impl RangeStats {
    pub fn new(n_behaviors: usize, n_classes: usize) -> RangeStats {
        RangeStats {
            behaviors: vec![RangeCounts::default(); n_behaviors],
            classes: vec![RangeCounts::default(); n_classes],
        }
    }

    /// Adds another partition's counts of the same run (`Metrics::merge`).
    pub fn merge(&mut self, other: RangeStats) {
        let RangeStats { behaviors, classes } = other;
        merge_each(&mut self.behaviors, behaviors, "range GETs per behavior", |mine, theirs| mine.add(&theirs));
        merge_each(&mut self.classes, classes, "range GETs per class", |mine, theirs| mine.add(&theirs));
    }

    /// Counts one measured range GET leaving the edge (`RangeCounts::record`)
    /// for its behavior and its class.
    #[inline]
    pub fn record(&mut self, behavior: usize, class: usize, status: u16, body_bytes: u64, asked_bytes: u64) {
        self.behaviors[behavior].record(status, body_bytes, asked_bytes);
        self.classes[class].record(status, body_bytes, asked_bytes);
    }

    /// Counts a range fetch an origin answered with `bytes`.
    #[inline]
    pub fn record_origin(&mut self, behavior: usize, class: usize, bytes: u64) {
        for counts in [&mut self.behaviors[behavior], &mut self.classes[class]] {
            counts.origin_requests += 1;
            counts.origin_bytes += bytes;
        }
    }

    /// Every behavior's counts added up.
    pub fn total(&self) -> RangeCounts {
        sum(&self.behaviors)
    }

    /// Every class's counts added up: the same as `total` when the
    /// counters are consistent.
    pub fn total_of_classes(&self) -> RangeCounts {
        sum(&self.classes)
    }
}

fn sum(counts: &[RangeCounts]) -> RangeCounts {
    let mut total = RangeCounts::default();
    for c in counts {
        total.add(c);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_counted_by_status_and_added_up() {
        let mut s = RangeStats::new(2, 3);
        s.record(0, 2, 206, 100, 100);
        s.record(0, 2, 416, 0, 0);
        s.record(1, 0, 200, 5_000, 100);
        s.record(1, 1, 503, 0, 100);
        s.record_origin(1, 0, 2_000);
        s.record_origin(1, 1, 3_000);
        assert_eq!(s.total(), s.total_of_classes());
        assert_eq!((s.classes[2].requests, s.classes[2].partial, s.classes[0].origin_bytes), (2, 1, 2_000));
        let t = s.total();
        assert_eq!((t.requests, t.partial, t.whole, t.unsatisfiable, t.other), (4, 1, 1, 1, 1));
        assert_eq!((t.bytes_to_viewers, t.bytes_asked, t.origin_requests, t.origin_bytes), (5_100, 300, 2, 5_000));
    }
}
