//! Simulated time: one integer clock in microseconds.
//!
//! Integer time keeps the event order exact and the output byte-identical across
//! machines; floating-point samples are converted once, at the edge, by the
//! `from_*_f64` constructors.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// Microseconds since the run started. Only the engine's loop advances it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

/// A span of simulated time in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(pub u64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);
    pub const MAX: SimTime = SimTime(u64::MAX);

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }

    /// The time elapsed since `earlier`, or zero if `earlier` is later.
    pub fn saturating_since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl SimDuration {
    pub const ZERO: SimDuration = SimDuration(0);

    pub const fn from_micros(us: u64) -> Self {
        SimDuration(us)
    }
    pub const fn from_millis(ms: u64) -> Self {
        SimDuration(ms * 1_000)
    }
    pub const fn from_secs(s: u64) -> Self {
        SimDuration(s * 1_000_000)
    }
    /// Rounds to the nearest microsecond; negative and NaN samples become zero.
    pub fn from_millis_f64(ms: f64) -> Self {
        SimDuration::from_secs_f64(ms / 1e3)
    }
    /// Rounds to the nearest microsecond, halves away from zero (as
    /// `f64::round`); negative and NaN samples become zero, and samples past
    /// `u64::MAX` microseconds become `u64::MAX`.
    pub fn from_secs_f64(s: f64) -> Self {
        SimDuration(round_to_u64(s * 1e6))
    }
    pub fn as_micros(self) -> u64 {
        self.0
    }
    pub fn as_millis_f64(self) -> f64 {
        self.0 as f64 / 1e3
    }
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }
    pub fn saturating_mul(self, n: u64) -> Self {
        SimDuration(self.0.saturating_mul(n))
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, d: SimDuration) {
        *self = *self + d;
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, d: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(d.0))
    }
}

impl AddAssign for SimDuration {
    fn add_assign(&mut self, d: SimDuration) {
        *self = *self + d;
    }
}

impl Sub for SimTime {
    type Output = SimDuration;
    /// Panics in debug builds if `rhs` is later: time differences are never negative.
    fn sub(self, rhs: SimTime) -> SimDuration {
        debug_assert!(self >= rhs, "negative time difference");
        SimDuration(self.0.saturating_sub(rhs.0))
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.6}s", self.as_secs_f64())
    }
}

impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.3}ms", self.as_millis_f64())
    }
}

/// `x` rounded to the nearest integer, halves away from zero, as a `u64`:
/// exactly `f64::round` then a saturating cast, with NaN and negatives at
/// zero. Every latency draw goes through it (and every object size the
/// catalog draws), and `f64::round` is a call into libm on baseline x86-64
/// (whose `roundsd` needs SSE4.1): 1.5% of a CloudFront-sized run's time.
pub(crate) fn round_to_u64(x: f64) -> u64 {
    // Beyond 2^52 every f64 is a whole number; below it, subtracting the
    // truncated part is exact, so the fraction compares exactly with 0.5.
    const WHOLE_FROM: f64 = 4_503_599_627_370_496.0; // 2^52
    if x.is_nan() || x <= 0.0 {
        0
    } else if x >= WHOLE_FROM {
        x as u64 // saturates at u64::MAX
    } else {
        let whole = x as u64;
        whole + u64::from(x - whole as f64 >= 0.5)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn durations_round_to_the_nearest_microsecond_halves_up() {
        // 1.5 us and 2.5 us go up (away from zero, not to even); 0.4999 us
        // down; the largest double below one half (0.49999999999999994),
        // where adding 0.5 and truncating would wrongly give 1, down.
        assert_eq!(SimDuration::from_secs_f64(1.5e-6), SimDuration(2));
        assert_eq!(SimDuration::from_secs_f64(2.5e-6), SimDuration(3));
        assert_eq!(SimDuration::from_secs_f64(0.4999e-6), SimDuration(0));
        assert_eq!(round_to_u64(0.499_999_999_999_999_94), 0);
        assert_eq!(round_to_u64(0.5), 1);
        // 12.3456 ms is 12,345.6 us: 12,346.
        assert_eq!(SimDuration::from_millis_f64(12.3456), SimDuration(12_346));
        // Negative and NaN draws are zero; huge ones saturate.
        assert_eq!(SimDuration::from_secs_f64(-3.0), SimDuration(0));
        assert_eq!(SimDuration::from_secs_f64(f64::NAN), SimDuration(0));
        assert_eq!(SimDuration::from_secs_f64(1e300), SimDuration(u64::MAX));
        assert_eq!(SimDuration::from_secs_f64(f64::INFINITY), SimDuration(u64::MAX));
        // 2^52 + 2 us is already whole.
        assert_eq!(round_to_u64(4_503_599_627_370_498.0), 4_503_599_627_370_498);
    }

    /// What `from_secs_f64` did with `f64::round`, which the outputs of every
    /// run depend on.
    fn rounded_by_libm(x: f64) -> u64 {
        let r = x.round();
        if r.is_nan() || r <= 0.0 { 0 } else { r.min(u64::MAX as f64) as u64 }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        #[test]
        fn rounding_is_exactly_f64_round(bits in any::<u64>(), small in -1e7f64..1e7, whole in 0u64..1 << 40) {
            let halves = whole as f64 + 0.5;
            for x in [f64::from_bits(bits), small, halves, halves.next_up(), halves.next_down()] {
                prop_assert_eq!(round_to_u64(x), rounded_by_libm(x), "x = {:e}", x);
            }
        }
    }
}
