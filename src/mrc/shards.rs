//! SHARDS (Waldspurger et al., "Efficient MRC Construction with SHARDS",
//! FAST'15): the LRU stack pass on a spatial sample of the objects.
//!
//! An object is in the sample iff the hash of its key is below a threshold
//! `T` (rate `R = T / 2^53` on the hash's top 53 bits), so every request of
//! a sampled object is seen, and the bytes above it in the sample's stack,
//! scaled by `1/R`, plus its own size, estimate its distance in the whole
//! trace.
//!
//! - **Fixed rate** (`Sampling::Rate`): `T` never changes.
//! - **Fixed size** (`Sampling::Objects(s_max)`): the sample keeps at most
//!   `s_max` objects; when one more is met, the objects of the highest hash
//!   leave it (out of the stack) and `T` drops to that hash, as the paper's
//!   fixed-size variant does with a priority queue. The rate only falls, so
//!   an object that left never comes back.
//! - **The correction** (SHARDS-adj, §3.3 of the paper): a sampled request
//!   stands for `1/R` requests (its rate when it was seen: a Horvitz-Thompson
//!   weight), and the ratios are taken over the requests and bytes actually
//!   read, not the sample's own total. With a fixed rate this is the paper's
//!   adjustment: the difference between the expected and the actual sample
//!   lands in the hits, where it does least harm, not spread over the curve.
//!
//! **The estimate and its error.** The same pass runs [`SEEDS`] samplers on
//! independent hashes (the key's hash remixed with each seed): independent
//! samples of the same trace, each at the rate asked. The curve reported is
//! their mean at each size, and its error estimate there is the standard
//! error of that mean: the samples' standard deviation over the square root
//! of their number. The largest over the sizes is printed. It measures
//! sampling noise, which is SHARDS's error; it is itself estimated from
//! four values, so read it as a scale, not a bound.

use super::curve::{HitCounter, Row, ratio};
use super::objects::mix;
use super::stack::{Distance, Stack};
use crate::trace::ids::IdTable;
use std::collections::BinaryHeap;

/// How many independent samplers a SHARDS pass runs (their mean is reported).
pub const SEEDS: usize = 4;

/// The hash bits compared with the threshold.
const HASH_BITS: u32 = 53;
const MODULUS: u64 = 1 << HASH_BITS;

/// How the sample is chosen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Sampling {
    /// This fraction of the objects, in (0, 1].
    Rate(f64),
    /// At most this many objects; the rate falls as the trace shows more.
    Objects(u64),
}

/// One sampler: its hash seed, threshold, sampled objects and their stack.
struct Sampler {
    seed: u64,
    // Invariant: an object is in the sample iff its hash is below this;
    // never rises.
    threshold: u64,
    /// `Sampling::Objects`'s limit.
    max_objects: Option<u64>,
    // Invariant: `1 / (threshold / MODULUS)`, the requests a sampled one stands for.
    inverse_rate: f64,
    // Invariant: the sampled objects met, by their hash, to their number in `stack`.
    numbers: IdTable,
    // Invariant: with `max_objects`, every object in `stack` by its hash, highest on top.
    by_hash: BinaryHeap<(u64, u32)>,
    stack: Stack,
    hits: HitCounter<f64>,
    /// Σ 1/R over sampled requests, and Σ size/R.
    weight: f64,
    weighted_bytes: f64,
}

impl Sampler {
    fn new(seed: u64, sampling: Sampling, capacities: Vec<u64>) -> Sampler {
        let (threshold, max_objects) = match sampling {
            Sampling::Rate(rate) => (((rate * MODULUS as f64).round() as u64).clamp(1, MODULUS), None),
            Sampling::Objects(n) => (MODULUS, Some(n)),
        };
        Sampler {
            seed,
            threshold,
            max_objects,
            inverse_rate: MODULUS as f64 / threshold as f64,
            numbers: IdTable::with_capacity(1 << 10),
            by_hash: BinaryHeap::new(),
            stack: Stack::new(),
            hits: HitCounter::new(capacities),
            weight: 0.0,
            weighted_bytes: 0.0,
        }
    }

    fn rate(&self) -> f64 {
        self.threshold as f64 / MODULUS as f64
    }

    #[inline]
    fn request(&mut self, key_hash: u64, size_bytes: u64) {
        // Seed 0 takes the key's hash as it is; the others a remix of it.
        let hash =
            if self.seed == 0 { key_hash } else { mix(key_hash ^ self.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)) };
        let hash = hash >> (64 - HASH_BITS);
        if hash < self.threshold {
            self.sampled(hash, size_bytes);
        }
    }

    /// A request of a sampled object: the rare path, kept out of line so
    /// that the test above inlines into the reading loop.
    #[inline(never)]
    fn sampled(&mut self, hash: u64, size_bytes: u64) {
        // Keys are told apart by their 64-bit hash here: two keys of one
        // hash (one pair in ~10^7 at 10^6 sampled objects) count as one.
        let next = self.numbers.len() as u32;
        let (number, new) = self.numbers.get_or_insert(hash, || next);
        if new && let Some(max) = self.max_objects {
            self.by_hash.push((hash, number));
            if self.by_hash.len() as u64 > max {
                self.lower_threshold();
                if hash >= self.threshold {
                    return;
                }
            }
        }
        let distance = self.stack.access(number, size_bytes);
        let weight = self.inverse_rate;
        // The bytes above the object stand for 1/R as many in the whole
        // trace; the object's own size is its own, not a sample's. (Adding
        // a half and truncating rounds a non-negative number.)
        let scaled = match distance {
            Distance::Bytes(d) => {
                Distance::Bytes((((d - size_bytes) as f64 * weight + 0.5) as u64).saturating_add(size_bytes))
            }
            cold => cold,
        };
        self.weight += weight;
        self.weighted_bytes += weight * size_bytes as f64;
        self.hits.record(scaled, weight, weight * size_bytes as f64);
    }

    /// Drops the objects of the highest hash, and the threshold to it.
    fn lower_threshold(&mut self) {
        let (top, _) = *self.by_hash.peek().expect("over the limit, so not empty");
        while let Some(&(hash, number)) = self.by_hash.peek()
            && hash == top
        {
            self.by_hash.pop();
            self.stack.remove(number);
        }
        self.threshold = top;
        self.inverse_rate = MODULUS as f64 / top as f64;
    }
}

/// The SHARDS pass: `SEEDS` samplers fed every request.
pub struct Shards {
    samplers: Vec<Sampler>,
}

/// What a SHARDS pass says besides its curve.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ShardsSummary {
    /// The rate of each sample at the end of the trace (the first seed's;
    /// a fixed-size sample's rate differs a little between seeds).
    pub rate: f64,
    /// Objects in each sample at the end (the first seed's).
    pub sampled_objects: u64,
    /// Independent samples averaged.
    pub samples: usize,
    /// The largest, over the sizes, of the standard error of the mean miss
    /// ratio of the `SEEDS` independent samples.
    pub miss_ratio_error: f64,
    /// The same for the byte miss ratio.
    pub byte_miss_ratio_error: f64,
    /// Each size's standard errors (miss ratio, byte miss ratio).
    pub errors: Vec<(u64, f64, f64)>,
    /// The estimated working set: the sample's bytes over its rate.
    pub working_set_bytes: u64,
    /// The mean sampled object's size over the rate: the bytes one sampled
    /// object stands for. Below a few of these the sample cannot see what
    /// lies between a request and its object's last use (it sees nothing
    /// there more often than the trace has nothing), so the estimate has
    /// too many hits there, an error the seeds' spread does not show.
    pub resolution_bytes: u64,
}

impl Shards {
    pub fn new(sampling: Sampling, capacities: &[u64]) -> Shards {
        Shards { samplers: (0..SEEDS as u64).map(|seed| Sampler::new(seed, sampling, capacities.to_vec())).collect() }
    }

    #[inline]
    pub fn request(&mut self, key_hash: u64, size_bytes: u64) {
        for sampler in &mut self.samplers {
            sampler.request(key_hash, size_bytes);
        }
    }

    /// The estimated working set (for the default sizes): the mean over
    /// the samples of their bytes over their rate.
    pub fn working_set_bytes(&self) -> u64 {
        let sum: f64 = self.samplers.iter().map(|s| s.stack.total_bytes() as f64 / s.rate()).sum();
        (sum / SEEDS as f64).round() as u64
    }

    /// Each seed's (miss ratio, byte miss ratio) at each capacity it counted.
    fn ratios(sampler: &Sampler, requests: u64, bytes: u64) -> Vec<(u64, f64, f64)> {
        sampler
            .hits
            .cumulative()
            .into_iter()
            .map(|(c, hits, hit_bytes)| {
                // SHARDS-adj: the sample's misses over the requests read;
                // what the sample over- or under-counts goes to the hits.
                let misses = (sampler.weight - hits).max(0.0);
                let miss_bytes = (sampler.weighted_bytes - hit_bytes).max(0.0);
                (c, ratio(misses, requests as f64).min(1.0), ratio(miss_bytes, bytes as f64).min(1.0))
            })
            .collect()
    }

    /// The rows at `sizes` (each one of the capacities counted), for a trace
    /// of `requests` requests and `bytes` bytes, and the summary.
    pub fn finish(&self, name: &str, sizes: &[u64], requests: u64, bytes: u64) -> (Vec<Row>, ShardsSummary) {
        let per_seed: Vec<Vec<(u64, f64, f64)>> =
            self.samplers.iter().map(|s| Shards::ratios(s, requests, bytes)).collect();
        let at = |seed: usize, size: u64| {
            let curve = &per_seed[seed];
            let i = curve.partition_point(|&(c, _, _)| c < size);
            assert_eq!(curve.get(i).map(|p| p.0), Some(size), "size {size} was not counted");
            (curve[i].1, curve[i].2)
        };
        let mut rows = Vec::new();
        let mut errors = Vec::new();
        let root = (SEEDS as f64).sqrt();
        for &size in sizes {
            let all: Vec<(f64, f64)> = (0..SEEDS).map(|seed| at(seed, size)).collect();
            let miss_ratio = all.iter().map(|p| p.0).sum::<f64>() / SEEDS as f64;
            let byte_miss_ratio = all.iter().map(|p| p.1).sum::<f64>() / SEEDS as f64;
            let misses = ((miss_ratio * requests as f64).round() as u64).min(requests);
            let miss_bytes = ((byte_miss_ratio * bytes as f64).round() as u64).min(bytes);
            rows.push(Row::new(name, size, requests, misses, bytes, miss_bytes));
            errors.push((size, std_dev(all.iter().map(|p| p.0)) / root, std_dev(all.iter().map(|p| p.1)) / root));
        }
        let s = &self.samplers[0];
        let summary = ShardsSummary {
            rate: s.rate(),
            sampled_objects: s.stack.len() as u64,
            samples: SEEDS,
            miss_ratio_error: errors.iter().map(|e| e.1).fold(0.0, f64::max),
            byte_miss_ratio_error: errors.iter().map(|e| e.2).fold(0.0, f64::max),
            errors,
            working_set_bytes: self.working_set_bytes(),
            resolution_bytes: (s.stack.total_bytes() as f64 / s.stack.len().max(1) as f64 / s.rate()).round() as u64,
        };
        (rows, summary)
    }
}

/// The sample standard deviation.
fn std_dev(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let n = values.clone().count() as f64;
    if n < 2.0 {
        return 0.0;
    }
    let mean = values.clone().sum::<f64>() / n;
    (values.map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_size_keeps_at_most_its_objects_and_lowers_the_rate() {
        let mut shards = Shards::new(Sampling::Objects(50), &[100, 1000]);
        for i in 0..10_000u64 {
            shards.request(mix(i % 2000), 10);
        }
        for s in &shards.samplers {
            assert!(s.stack.len() <= 50, "{} objects sampled", s.stack.len());
            assert!(s.rate() < 0.05, "rate {}", s.rate());
            assert_eq!(s.by_hash.len(), s.stack.len());
        }
    }

    #[test]
    fn standard_deviation() {
        assert_eq!(std_dev([1.0, 1.0].into_iter()), 0.0);
        // Mean 2; squares 1 + 0 + 1 over n - 1 = 2: 1.
        assert!((std_dev([1.0, 2.0, 3.0].into_iter()) - 1.0).abs() < 1e-12);
    }
}
