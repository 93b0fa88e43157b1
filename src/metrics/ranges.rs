//! What range GETs did, per behavior (`policy::range`); kept only for a
//! scenario where some class sends ranges (`Scenario::uses_ranges`).

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

    /// Adds another behavior's counts (for the run's totals).
    pub fn add(&mut self, other: &RangeCounts) {
        self.requests += other.requests;
        self.partial += other.partial;
        self.whole += other.whole;
        self.unsatisfiable += other.unsatisfiable;
        self.other += other.other;
        self.bytes_to_viewers += other.bytes_to_viewers;
        self.bytes_asked += other.bytes_asked;
        self.origin_requests += other.origin_requests;
        self.origin_bytes += other.origin_bytes;
    }
}

/// Per behavior, in the scenario's order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RangeStats {
    pub behaviors: Vec<RangeCounts>,
}

impl RangeStats {
    pub fn new(n_behaviors: usize) -> RangeStats {
        RangeStats { behaviors: vec![RangeCounts::default(); n_behaviors] }
    }

    /// Every behavior's counts added up.
    pub fn total(&self) -> RangeCounts {
        let mut total = RangeCounts::default();
        for b in &self.behaviors {
            total.add(b);
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_counted_by_status_and_added_up() {
        let mut s = RangeStats::new(2);
        s.behaviors[0].record(206, 100, 100);
        s.behaviors[0].record(416, 0, 0);
        s.behaviors[1].record(200, 5_000, 100);
        s.behaviors[1].record(503, 0, 100);
        s.behaviors[1].origin_requests = 2;
        s.behaviors[1].origin_bytes = 5_000;
        let t = s.total();
        assert_eq!((t.requests, t.partial, t.whole, t.unsatisfiable, t.other), (4, 1, 1, 1, 1));
        assert_eq!((t.bytes_to_viewers, t.bytes_asked, t.origin_requests, t.origin_bytes), (5_100, 300, 2, 5_000));
    }
}
