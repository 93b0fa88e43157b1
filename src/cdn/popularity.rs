//! Which object of a class a request asks for: Zipf popularity over ranks
//! 1..=n, P(k) proportional to k^-alpha, sampled exactly and cheaply.
//!
//! The most popular `HEAD_RANKS` ranks are drawn from an alias table (two
//! random numbers, one small table that stays in the CPU's caches); the rest,
//! the long tail, by rejection from the continuous density x^-alpha, which
//! needs a `pow` per draw (and the acceptance test's three more functions
//! about once in a million draws, `Tail::sure_accept`). A draw picks head
//! or tail by their exact total weights, so the mixture is exactly Zipf. With alpha near 1 most
//! draws land in the head: at alpha 1.0 and 1M objects 81% of them, at 1.2
//! 96%, where a rejection-inversion sampler (rand_distr's `Zipf`) pays
//! several `pow`s on every draw. An alias table over all ranks would avoid
//! the arithmetic but its reads miss the caches on large classes; measured,
//! that was 25% slower on a 1M-object class.

use rand::RngExt;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::Distribution;
use rand_distr::weighted::WeightedAliasIndex;
use std::sync::{Mutex, PoisonError};

/// Ranks covered by the alias table: 64Ki entries, 512 KiB.
const HEAD_RANKS: u64 = 1 << 16;

pub struct Popularity {
    head: WeightedAliasIndex<f64>,
    /// Probability that a draw is in the head (1 when there is no tail).
    head_share: f64,
    tail: Option<Tail>,
}

/// Ranks `first..=last` with weight k^-alpha, by rejection from x^-alpha on
/// [first - 1/2, last + 1/2]: integer k is proposed with the density's mass
/// on [k - 1/2, k + 1/2], which is at least k^-alpha because x^-alpha is
/// convex, and accepted with probability k^-alpha / that mass.
struct Tail {
    alpha: f64,
    first: u64,
    last: u64,
    /// The antiderivative at the two ends of the range.
    integral_lo: f64,
    integral_hi: f64,
    /// A proposal whose uniform draw is below this is accepted without
    /// working out its acceptance test (a `pow`, a `ln_1p` and an `exp_m1`),
    /// which would accept it too: the test's ratio k^-alpha / mass is at
    /// least its value at `first`, and this is that value less a margin
    /// far wider than the rounding of either side. 0 (no shortcut) where the
    /// weights come near the bottom of `f64`'s range.
    // Invariant: for every k in first..=last and v < sure_accept,
    // `v * bin_mass(k) <= k^-alpha` as computed in `sample`.
    sure_accept: f64,
}

impl Popularity {
    /// Zipf over `objects` ranks with exponent `alpha` (0 is uniform).
    pub fn new(objects: u64, alpha: f64) -> Popularity {
        let head_len = objects.min(HEAD_RANKS);
        let weight = |k: u64| (k as f64).powf(-alpha);
        let head_weights: Vec<f64> = (1..=head_len).map(weight).collect();
        let head_total: f64 = head_weights.iter().sum();
        let tail_total = tail_total(head_len, objects, alpha);
        let head = WeightedAliasIndex::new(head_weights).expect("validated: at least one object, alpha >= 0");
        let tail = (objects > head_len).then(|| Tail::new(alpha, head_len + 1, objects));
        Popularity { head, head_share: head_total / (head_total + tail_total), tail }
    }

    /// A rank from 0 (the most popular).
    pub fn sample(&self, rng: &mut Xoshiro256PlusPlus) -> u64 {
        match &self.tail {
            Some(tail) if rng.random::<f64>() >= self.head_share => tail.sample(rng) - 1,
            _ => self.head.sample(rng) as u64,
        }
    }
}

/// Sums of tail weights already computed in this process: a pure
/// function's results, so sharing them changes no output. 32 bytes each; a
/// sweep over thousands of catalog sizes keeps a few hundred KiB.
static TAIL_TOTALS: Mutex<Vec<TailTotal>> = Mutex::new(Vec::new());

/// The sum of k^-alpha over ranks `first..=last`.
#[derive(Clone, Copy)]
struct TailTotal {
    first: u64,
    last: u64,
    /// `alpha.to_bits()`: the sum is kept for this exact exponent.
    alpha_bits: u64,
    total: f64,
}

/// The sum of k^-alpha over ranks `head_len + 1..=objects`, summed from the
/// smallest terms up for accuracy. That is a `pow` per rank: 5 million on a
/// CloudFront-sized class, a tenth of a 1M-request run. Every point of a
/// sweep and every run of a lesson over the same class needs the same sum,
/// so it is computed once per process (sweep points on other threads may
/// compute it at the same time; they get the same bits).
fn tail_total(head_len: u64, objects: u64, alpha: f64) -> f64 {
    let (first, last, alpha_bits) = (head_len + 1, objects, alpha.to_bits());
    let known = |totals: &[TailTotal]| {
        totals.iter().find(|t| (t.first, t.last, t.alpha_bits) == (first, last, alpha_bits)).map(|t| t.total)
    };
    if let Some(total) = known(&TAIL_TOTALS.lock().unwrap_or_else(PoisonError::into_inner)) {
        return total;
    }
    let total: f64 = (first..=last).rev().map(|k| (k as f64).powf(-alpha)).sum();
    let mut totals = TAIL_TOTALS.lock().unwrap_or_else(PoisonError::into_inner);
    if known(&totals).is_none() {
        totals.push(TailTotal { first, last, alpha_bits, total });
    }
    total
}

impl Tail {
    fn new(alpha: f64, first: u64, last: u64) -> Tail {
        let mut tail = Tail { alpha, first, last, integral_lo: 0.0, integral_hi: 0.0, sure_accept: 0.0 };
        tail.integral_lo = tail.integral(first as f64 - 0.5);
        tail.integral_hi = tail.integral(last as f64 + 0.5);
        tail.sure_accept = tail.sure_accept();
        tail
    }

    /// The acceptance ratio k^-alpha / `bin_mass(k)` is 1 over the average
    /// of t^-alpha on [1 - 1/(2k), 1 + 1/(2k)]; t^-alpha is convex, so that
    /// average shrinks as the interval does, and the ratio grows with k
    /// towards 1 (at rank 65,537 and alpha 1 it is 1 - 2e-11). So its value
    /// at `first` bounds it for every rank. The margin of one part in a
    /// million dwarfs the few units in the last place by which `pow`,
    /// `ln_1p` and `exp_m1` can round, as long as every weight and mass is a
    /// normal number well above underflow (else no shortcut: 0).
    fn sure_accept(&self) -> f64 {
        const MARGIN: f64 = 1e-6;
        let smallest_weight = (self.last as f64).powf(-self.alpha);
        let smallest_mass = self.bin_mass(self.last);
        let at_first = (self.first as f64).powf(-self.alpha) / self.bin_mass(self.first);
        let normal = |x: f64| x.is_finite() && x > f64::MIN_POSITIVE * 1e20;
        if normal(smallest_weight) && normal(smallest_mass) && at_first.is_finite() && at_first > 0.0 {
            (at_first * (1.0 - MARGIN)).min(1.0)
        } else {
            0.0
        }
    }

    /// An antiderivative of x^-alpha.
    fn integral(&self, x: f64) -> f64 {
        let one_minus = 1.0 - self.alpha;
        if one_minus.abs() < 1e-12 { x.ln() } else { x.powf(one_minus) / one_minus }
    }

    fn inverse_integral(&self, y: f64) -> f64 {
        let one_minus = 1.0 - self.alpha;
        if one_minus.abs() < 1e-12 { y.exp() } else { (y * one_minus).powf(1.0 / one_minus) }
    }

    /// The mass of x^-alpha on [k - 1/2, k + 1/2], computed without the
    /// cancellation of subtracting two nearly equal antiderivatives.
    fn bin_mass(&self, k: u64) -> f64 {
        let a = k as f64 - 0.5;
        let log_ratio = (1.0 / a).ln_1p();
        let one_minus = 1.0 - self.alpha;
        if one_minus.abs() < 1e-12 {
            log_ratio
        } else {
            a.powf(one_minus) * (one_minus * log_ratio).exp_m1() / one_minus
        }
    }

    fn sample(&self, rng: &mut Xoshiro256PlusPlus) -> u64 {
        self.sample_accepting_below(self.sure_accept, rng)
    }

    /// A draw whose proposals with a uniform below `sure_accept` skip the
    /// exact test; 0 takes it for every proposal (for tests).
    #[inline(always)]
    fn sample_accepting_below(&self, sure_accept: f64, rng: &mut Xoshiro256PlusPlus) -> u64 {
        loop {
            let u: f64 = rng.random();
            let x = self.inverse_integral(self.integral_lo + u * (self.integral_hi - self.integral_lo));
            let k = ((x + 0.5).floor() as u64).clamp(self.first, self.last);
            let v: f64 = rng.random();
            if v < sure_accept || v * self.bin_mass(k) <= (k as f64).powf(-self.alpha) {
                return k;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// Draws `draws` ranks and compares their frequencies with the exact
    /// Zipf probabilities: every rank up to `check` within 4 standard errors,
    /// and the total beyond it too.
    fn check_against_exact(objects: u64, alpha: f64, draws: usize, check: u64) {
        let p = Popularity::new(objects, alpha);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(42);
        let mut counts = vec![0u64; check as usize + 1];
        for _ in 0..draws {
            let rank = p.sample(&mut rng);
            assert!(rank < objects, "rank {rank} out of range");
            counts[(rank.min(check)) as usize] += 1;
        }
        let total: f64 = (1..=objects).map(|k| (k as f64).powf(-alpha)).sum();
        let mut expected_rest = 1.0;
        for (i, &count) in counts.iter().enumerate().take(check as usize) {
            let prob = ((i + 1) as f64).powf(-alpha) / total;
            expected_rest -= prob;
            let sd = (draws as f64 * prob * (1.0 - prob)).sqrt().max(1.0);
            let diff = (count as f64 - draws as f64 * prob).abs();
            assert!(diff < 4.0 * sd, "rank {}: {count} draws, expected {:.1}", i + 1, draws as f64 * prob);
        }
        let rest = counts[check as usize] as f64;
        let sd = (draws as f64 * expected_rest * (1.0 - expected_rest)).sqrt().max(1.0);
        assert!((rest - draws as f64 * expected_rest).abs() < 4.0 * sd, "tail: {rest}");
    }

    #[test]
    fn small_classes_are_pure_alias_tables() {
        check_against_exact(100, 0.9, 200_000, 100);
        assert!(Popularity::new(100, 0.9).tail.is_none());
    }

    #[test]
    fn head_and_tail_together_are_exactly_zipf() {
        // Ranks around the head/tail boundary (65 536) must follow Zipf too.
        for alpha in [0.0, 0.6, 1.0, 1.3] {
            let p = Popularity::new(300_000, alpha);
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
            let draws = 400_000;
            let (boundary_lo, boundary_hi) = (HEAD_RANKS - 2_000, HEAD_RANKS + 2_000);
            let total: f64 = (1..=300_000u64).map(|k| (k as f64).powf(-alpha)).sum();
            let expected: f64 = (boundary_lo + 1..=boundary_hi).map(|k| (k as f64).powf(-alpha)).sum::<f64>() / total;
            let hits = (0..draws).filter(|_| (boundary_lo..boundary_hi).contains(&p.sample(&mut rng))).count() as f64;
            let sd = (draws as f64 * expected * (1.0 - expected)).sqrt();
            assert!(
                (hits - draws as f64 * expected).abs() < 4.0 * sd,
                "alpha {alpha}: {hits} vs {}",
                draws as f64 * expected
            );
        }
        check_against_exact(200_000, 1.0, 300_000, 50);
    }

    /// The kept sum is the one computed afresh, to the bit, and a second
    /// class of the same shape finds it kept. By hand, ranks 65 537..=65 539
    /// at alpha 1 weigh about 3 / 65 538 = 4.5775e-5 together.
    #[test]
    fn tail_sums_are_kept_per_shape_and_are_the_same_bits() {
        let objects = HEAD_RANKS + 3;
        let fresh: f64 = (HEAD_RANKS + 1..=objects).rev().map(|k| (k as f64).powf(-1.0)).sum();
        assert!((fresh - 4.5775e-5).abs() < 1e-9, "{fresh}");
        let first = Popularity::new(objects, 1.0);
        let kept = TAIL_TOTALS
            .lock()
            .unwrap()
            .iter()
            .find(|t| (t.first, t.last, t.alpha_bits) == (HEAD_RANKS + 1, objects, 1f64.to_bits()))
            .map(|t| t.total.to_bits());
        assert_eq!(kept, Some(fresh.to_bits()));
        let second = Popularity::new(objects, 1.0);
        assert_eq!(first.head_share.to_bits(), second.head_share.to_bits());
        let head_total: f64 = (1..=HEAD_RANKS).map(|k| (k as f64).powf(-1.0)).sum();
        assert_eq!(second.head_share.to_bits(), (head_total / (head_total + fresh)).to_bits());
    }

    #[test]
    fn the_tail_alone_follows_its_weights() {
        let tail = Tail::new(1.2, 10, 20);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let mut counts = [0u64; 21];
        let draws = 200_000;
        for _ in 0..draws {
            counts[tail.sample(&mut rng) as usize] += 1;
        }
        let total: f64 = (10..=20u64).map(|k| (k as f64).powf(-1.2)).sum();
        for k in 10..=20u64 {
            let prob = (k as f64).powf(-1.2) / total;
            let sd = (draws as f64 * prob * (1.0 - prob)).sqrt();
            assert!((counts[k as usize] as f64 - draws as f64 * prob).abs() < 4.0 * sd, "rank {k}");
        }
        assert_eq!(counts[..10].iter().sum::<u64>(), 0);
    }

    #[test]
    fn accepting_sure_proposals_early_changes_no_draw() {
        // The tail of a CloudFront-sized class, tails that start at rank 2 or
        // 10 (where the ratio is furthest from 1: at rank 2 and alpha 3,
        // 1 - 3 * 4 / 24 / 4 = 0.875 by the midpoint rule's error), alpha at
        // and next to 1 (the logarithm's branch), and shapes so steep that
        // the weights underflow (no shortcut).
        let shapes = [
            (0.9, HEAD_RANKS + 1, 5_000_000),
            (1.0, HEAD_RANKS + 1, 1_000_000),
            (1.0 + 1e-13, HEAD_RANKS + 1, 200_000),
            (0.0, 2, 50),
            (0.5, 2, 1_000),
            (3.0, 2, 40),
            (1.2, 10, 20),
            (8.0, 3, 1_000_000),
            (400.0, HEAD_RANKS + 1, 70_000),
        ];
        for (alpha, first, last) in shapes {
            let tail = Tail::new(alpha, first, last);
            let (mut fast, mut exact) = (Xoshiro256PlusPlus::seed_from_u64(11), Xoshiro256PlusPlus::seed_from_u64(11));
            for draw in 0..100_000 {
                assert_eq!(
                    tail.sample(&mut fast),
                    tail.sample_accepting_below(0.0, &mut exact),
                    "alpha {alpha}, ranks {first}..={last}, draw {draw}"
                );
            }
        }
    }

    #[test]
    fn the_shortcut_covers_nearly_every_proposal_of_a_long_tail() {
        // At rank 65,537 and alpha 0.9 the ratio is 1 - 0.9 * 1.9 / 24 /
        // 65,537^2 = 1 - 1.7e-11, so the bound is 1 less the margin.
        let tail = Tail::new(0.9, HEAD_RANKS + 1, 5_000_000);
        assert!(tail.sure_accept < 1.0 && tail.sure_accept > 1.0 - 1.1e-6, "{}", tail.sure_accept);
        // At rank 2 and alpha 3 it is about 0.875 (see above).
        let steep = Tail::new(3.0, 2, 40);
        assert!((steep.sure_accept - 0.875).abs() < 0.02, "{}", steep.sure_accept);
        // 65,537^-400 is far below f64's range: no shortcut.
        assert_eq!(Tail::new(400.0, HEAD_RANKS + 1, 70_000).sure_accept, 0.0);
    }
}
