//! Exact decimal quantities: GB, requests, paths, GB-seconds.
//!
//! Money must add up to the cent, so nothing here is a float: a quantity is
//! a count of 10^-12 units in an `i128`. A byte count becomes binary GB
//! (2^30 bytes, as CloudFront meters transfer) rounded to 10^-12 GB, a
//! thousandth of a byte.

use std::fmt;
use std::str::FromStr;

/// A non-negative decimal with twelve digits after the point.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quantity {
    // Invariant: `0 <= pico <= Quantity::MAX.pico`.
    pico: i128,
}

/// Digits kept after the decimal point.
pub const FRACTION_DIGITS: u32 = 12;
const SCALE: i128 = 10i128.pow(FRACTION_DIGITS);
const BYTES_PER_GB: i128 = 1 << 30;

impl Quantity {
    pub const ZERO: Quantity = Quantity { pico: 0 };
    /// The largest quantity: 10^24 units, far past any month's traffic,
    /// and small enough that a quantity times a rate fits an `i128`.
    pub const MAX: Quantity = Quantity { pico: 10i128.pow(24) * SCALE };

    /// A whole number of units (requests, paths).
    pub const fn from_count(count: u64) -> Quantity {
        Quantity { pico: count as i128 * SCALE }
    }

    /// A byte count in binary GB, rounded half up to 10^-12 GB.
    pub const fn from_bytes_as_gb(bytes: u64) -> Quantity {
        let scaled = bytes as i128 * SCALE;
        Quantity { pico: (scaled + BYTES_PER_GB / 2) / BYTES_PER_GB }
    }

    /// The quantity in 10^-12 units.
    pub const fn pico(self) -> i128 {
        self.pico
    }

    /// Built from 10^-12 units; `None` when negative or past [`Quantity::MAX`].
    pub const fn from_pico(pico: i128) -> Option<Quantity> {
        if pico < 0 || pico > Quantity::MAX.pico { None } else { Some(Quantity { pico }) }
    }

    /// The sum, or `None` past [`Quantity::MAX`].
    pub fn checked_add(self, other: Quantity) -> Option<Quantity> {
        Quantity::from_pico(self.pico + other.pico)
    }

    /// The difference, floored at zero.
    pub fn saturating_sub(self, other: Quantity) -> Quantity {
        Quantity { pico: (self.pico - other.pico).max(0) }
    }

    /// This quantity times `factor` (a scaling such as 30 days over the
    /// simulated span), rounded half up to 10^-12; `None` past the maximum
    /// or for a factor that is negative or not finite.
    pub fn scaled(self, factor: f64) -> Option<Quantity> {
        if !(factor.is_finite() && factor >= 0.0) {
            return None;
        }
        let product = self.pico as f64 * factor;
        if product > Quantity::MAX.pico as f64 {
            return None;
        }
        Quantity::from_pico(product.round() as i128)
    }

    /// The quantity as a float, for charts and summaries only.
    pub fn as_f64(self) -> f64 {
        self.pico as f64 / SCALE as f64
    }
}

impl fmt::Display for Quantity {
    /// Plain decimal, trailing zeros trimmed: `1`, `0.5`, `12.000000000001`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.pico / SCALE;
        let fraction = self.pico % SCALE;
        if fraction == 0 {
            return write!(f, "{whole}");
        }
        let digits = format!("{fraction:012}");
        write!(f, "{whole}.{}", digits.trim_end_matches('0'))
    }
}

/// Text that is not a plain non-negative decimal.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseQuantityError {
    #[error("{0:?} is not a number; write a plain decimal such as 12 or 0.5")]
    NotANumber(String),
    #[error("{0:?} has more than 12 digits after the point; round it")]
    TooPrecise(String),
    #[error("{0:?} is negative; usage is never below zero")]
    Negative(String),
    #[error("{0:?} is too large (the limit is 10^24)")]
    TooLarge(String),
}

impl FromStr for Quantity {
    type Err = ParseQuantityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let not_a_number = || ParseQuantityError::NotANumber(s.to_string());
        if s.starts_with('-') {
            return Err(ParseQuantityError::Negative(s.to_string()));
        }
        let (whole, fraction) = match s.split_once('.') {
            Some((w, f)) => (w, f),
            None => (s, ""),
        };
        let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
            return Err(not_a_number());
        }
        if s.ends_with('.') || s.starts_with('.') {
            return Err(not_a_number());
        }
        if fraction.len() > FRACTION_DIGITS as usize {
            return Err(ParseQuantityError::TooPrecise(s.to_string()));
        }
        let too_large = || ParseQuantityError::TooLarge(s.to_string());
        let whole = whole.trim_start_matches('0');
        if whole.len() > 25 {
            return Err(too_large());
        }
        let whole: i128 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| too_large())? };
        let mut pico = whole.checked_mul(SCALE).ok_or_else(too_large)?;
        if !fraction.is_empty() {
            let padded = format!("{fraction:0<12}");
            pico += padded.parse::<i128>().map_err(|_| not_a_number())?;
        }
        Quantity::from_pico(pico).ok_or_else(too_large)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_round_trip_exactly() {
        for text in ["0", "1", "0.5", "12340000", "0.000000000001", "42.3402", "999999999999999999999999"] {
            let q: Quantity = text.parse().unwrap();
            assert_eq!(q.to_string(), text);
        }
        assert_eq!("007.50".parse::<Quantity>().unwrap().to_string(), "7.5");
    }

    #[test]
    fn bad_text_is_refused_with_a_reason() {
        assert!(matches!("".parse::<Quantity>(), Err(ParseQuantityError::NotANumber(_))));
        assert!(matches!(".5".parse::<Quantity>(), Err(ParseQuantityError::NotANumber(_))));
        assert!(matches!("5.".parse::<Quantity>(), Err(ParseQuantityError::NotANumber(_))));
        assert!(matches!("1e3".parse::<Quantity>(), Err(ParseQuantityError::NotANumber(_))));
        assert!(matches!("-1".parse::<Quantity>(), Err(ParseQuantityError::Negative(_))));
        assert!(matches!("0.0000000000001".parse::<Quantity>(), Err(ParseQuantityError::TooPrecise(_))));
        assert!(matches!("1000000000000000000000001".parse::<Quantity>(), Err(ParseQuantityError::TooLarge(_))));
    }

    #[test]
    fn bytes_are_binary_gigabytes() {
        assert_eq!(Quantity::from_bytes_as_gb(1 << 30).to_string(), "1");
        assert_eq!(Quantity::from_bytes_as_gb(1 << 29).to_string(), "0.5");
        // 1,000,000 bytes = 0.000931322574615... GB, rounded to 12 digits.
        assert_eq!(Quantity::from_bytes_as_gb(1_000_000).to_string(), "0.000931322575");
        assert_eq!(Quantity::from_count(3).to_string(), "3");
    }

    #[test]
    fn scaling_rounds_and_refuses_nonsense() {
        assert_eq!(Quantity::from_count(10).scaled(2.5).unwrap().to_string(), "25");
        assert_eq!(Quantity::from_count(1).scaled(f64::NAN), None);
        assert_eq!(Quantity::from_count(1).scaled(-1.0), None);
        assert_eq!(Quantity::MAX.scaled(2.0), None);
    }
}
