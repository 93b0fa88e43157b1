//! Hits counted by capacity band, so that a pass adds one number per request
//! however many sizes it reports; the cache sizes a curve is read at; and the
//! rows a curve becomes.

use super::stack::Distance;

/// A miss-ratio curve's point: one cache size under one policy.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Row {
    /// `lru` (the exact stack pass), `lru-shards` (its sampled estimate), or
    /// a simulated policy's name.
    pub policy: String,
    pub size_bytes: u64,
    pub requests: u64,
    pub misses: u64,
    pub miss_ratio: f64,
    /// Bytes requested: each request's own size.
    pub bytes: u64,
    pub miss_bytes: u64,
    pub byte_miss_ratio: f64,
}

impl Row {
    pub fn new(policy: &str, size_bytes: u64, requests: u64, misses: u64, bytes: u64, miss_bytes: u64) -> Row {
        assert!(misses <= requests && miss_bytes <= bytes, "more misses than requests at {policy} {size_bytes}");
        Row {
            policy: policy.to_string(),
            size_bytes,
            requests,
            misses,
            miss_ratio: ratio(misses as f64, requests as f64),
            bytes,
            miss_bytes,
            byte_miss_ratio: ratio(miss_bytes as f64, bytes as f64),
        }
    }
}

/// `part / whole`, 0 for nothing at all.
pub fn ratio(part: f64, whole: f64) -> f64 {
    if whole > 0.0 { part / whole } else { 0.0 }
}

/// What a request adds to a counter: a count of requests and of bytes.
/// `u64` for the exact pass, `f64` for a sample's estimates.
pub trait Weight: Copy + Default + std::ops::AddAssign {}
impl Weight for u64 {}
impl Weight for f64 {}

/// Hits per capacity band: a request of distance `d` hits every capacity
/// from the first that is at least `d` up, so it is counted once, in that
/// band, and `cumulative` sums the bands.
pub struct HitCounter<W> {
    // Invariant: strictly increasing.
    capacities: Vec<u64>,
    // Invariant: `hits_from[j]` counts the requests whose distance is at most
    // `capacities[j]` and more than `capacities[j - 1]`; same length.
    hits_from: Vec<W>,
    hit_bytes_from: Vec<W>,
}

impl<W: Weight> HitCounter<W> {
    /// `capacities` sorted and without repeats.
    pub fn new(capacities: Vec<u64>) -> HitCounter<W> {
        assert!(capacities.windows(2).all(|w| w[0] < w[1]), "capacities must increase");
        let n = capacities.len();
        HitCounter { capacities, hits_from: vec![W::default(); n], hit_bytes_from: vec![W::default(); n] }
    }

    pub fn capacities(&self) -> &[u64] {
        &self.capacities
    }

    /// Counts a request of `distance`, weighing `weight` requests and `bytes` bytes.
    #[inline]
    pub fn record(&mut self, distance: Distance, weight: W, bytes: W) {
        if let Distance::Bytes(d) = distance {
            let band = self.capacities.partition_point(|&c| c < d);
            if band < self.capacities.len() {
                self.hits_from[band] += weight;
                self.hit_bytes_from[band] += bytes;
            }
        }
    }

    /// (capacity, hits, hit bytes) at every capacity, in order.
    pub fn cumulative(&self) -> Vec<(u64, W, W)> {
        let (mut hits, mut bytes) = (W::default(), W::default());
        let mut out = Vec::with_capacity(self.capacities.len());
        for j in 0..self.capacities.len() {
            hits += self.hits_from[j];
            bytes += self.hit_bytes_from[j];
            out.push((self.capacities[j], hits, bytes));
        }
        out
    }
}

/// Cache sizes a pass can report without knowing them in advance: from 1
/// byte up, each about 1.6% (1/64) larger than the one before, in integer
/// steps so the same on every machine. A default curve's sizes are taken from
/// these (`pick_log_spaced`) once the trace has told its smallest object
/// and its working set, so the pass that needs them counts hits at all.
pub fn size_grid() -> Vec<u64> {
    let mut grid = vec![1u64];
    let mut g = 1u64;
    while let Some(next) = g.checked_add((g >> 6).max(1)) {
        grid.push(next);
        g = next;
    }
    grid
}

/// `points` sizes from `smallest` to `largest` on a log scale, each one
/// rounded up to the first value of `grid` at least as large (the same
/// sizes whichever pass asked), without repeats.
pub fn pick_log_spaced(grid: &[u64], smallest: u64, largest: u64, points: usize) -> Vec<u64> {
    log_spaced(smallest, largest, points)
        .into_iter()
        .filter_map(|ideal| grid.get(grid.partition_point(|&g| g < ideal)).copied())
        .fold(Vec::new(), |mut out, size| {
            if out.last() != Some(&size) {
                out.push(size);
            }
            out
        })
}

/// `points` sizes from `smallest` to `largest` on a log scale, rounded to
/// whole bytes, without repeats; the ends exact.
pub fn log_spaced(smallest: u64, largest: u64, points: usize) -> Vec<u64> {
    let (lo, hi) = (smallest.max(1), largest.max(smallest.max(1)));
    if points <= 1 || lo == hi {
        return vec![hi];
    }
    let step = (hi as f64 / lo as f64).ln() / (points - 1) as f64;
    let mut out: Vec<u64> = Vec::with_capacity(points);
    for k in 0..points {
        let size = match k {
            0 => lo,
            k if k == points - 1 => hi,
            k => ((lo as f64) * (step * k as f64).exp()).round() as u64,
        };
        if out.last().is_none_or(|&last| last < size) {
            out.push(size);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_add_up_to_hits_at_each_capacity() {
        let mut c: HitCounter<u64> = HitCounter::new(vec![10, 20, 30]);
        // 5 hits all three, 10 too (at most 10), 11 and 20 hit from 20, 31 none, a cold one none.
        for (d, size) in [(5, 1), (10, 2), (11, 4), (20, 8), (31, 16)] {
            c.record(Distance::Bytes(d), 1, size);
        }
        c.record(Distance::Cold, 1, 32);
        assert_eq!(c.cumulative(), vec![(10, 2, 3), (20, 4, 15), (30, 4, 15)]);
    }

    #[test]
    fn sizes_on_a_log_scale() {
        assert_eq!(log_spaced(1, 1000, 4), vec![1, 10, 100, 1000]);
        assert_eq!(log_spaced(7, 7, 40), vec![7]);
        // More points than bytes between the ends: no repeats.
        assert_eq!(log_spaced(1, 3, 10), vec![1, 2, 3]);
        let grid = size_grid();
        assert!(grid.windows(2).all(|w| w[0] < w[1] && w[1] - w[0] <= w[0] / 64 + 1));
        assert!(*grid.last().unwrap() > u64::MAX / 2);
        // Rounded up onto the grid: 1..=64 are on it, 1000 becomes the next grid value.
        let picked = pick_log_spaced(&grid, 1, 1000, 4);
        assert_eq!(&picked[..3], &[1, 10, 100]);
        assert!(picked[3] >= 1000 && picked[3] <= 1000 + 1000 / 64 + 1);
    }
}
