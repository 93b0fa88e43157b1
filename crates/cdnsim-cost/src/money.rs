//! Dollars and cents, and the one place where a quantity meets a rate.
//!
//! A line item's amount is `quantity × rate / per` computed exactly (both are
//! decimals with twelve digits after the point) and rounded once, to the
//! cent, half up. Totals add rounded items, as a bill does, so a total is
//! always the sum of the lines printed above it.

use crate::quantity::Quantity;
use std::fmt;
use std::str::FromStr;

/// An amount of money in whole cents (negative for credits).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Usd {
    cents: i128,
}

/// 10^12: a quantity's (and a rate's) units per whole unit.
const PICO: i128 = 1_000_000_000_000;
/// Picodollars per cent.
const PICO_PER_CENT: i128 = PICO / 100;

impl Usd {
    pub const ZERO: Usd = Usd { cents: 0 };

    pub const fn from_cents(cents: i128) -> Usd {
        Usd { cents }
    }

    pub const fn cents(self) -> i128 {
        self.cents
    }

    /// A non-negative amount as a quantity of dollars (for ratios such as a
    /// commitment over the credit divisor).
    pub fn as_quantity(self) -> Option<Quantity> {
        Quantity::from_pico(self.cents.checked_mul(PICO_PER_CENT)?)
    }

    pub fn checked_add(self, other: Usd) -> Option<Usd> {
        Some(Usd { cents: self.cents.checked_add(other.cents)? })
    }

    pub fn min(self, other: Usd) -> Usd {
        if self <= other { self } else { other }
    }

    pub fn negated(self) -> Usd {
        Usd { cents: -self.cents }
    }

    /// Thousands separated for people: `-1,234.56`.
    pub fn grouped(self) -> String {
        let plain = self.to_string();
        let (sign, digits) = plain.strip_prefix('-').map_or(("", plain.as_str()), |d| ("-", d));
        let (whole, cents) = digits.split_once('.').expect("Display always writes cents");
        let mut grouped = String::new();
        for (i, digit) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        format!("{sign}{grouped}.{cents}")
    }
}

impl fmt::Display for Usd {
    /// Plain decimal with two digits after the point: `287524.48`, `-0.05`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.cents < 0 { "-" } else { "" };
        let cents = self.cents.unsigned_abs();
        write!(f, "{sign}{}.{:02}", cents / 100, cents % 100)
    }
}

/// Text that is not a dollar amount.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an amount of dollars; write one such as 420 or 99.50 (at most two digits after the point)")]
pub struct ParseUsdError(pub String);

impl FromStr for Usd {
    type Err = ParseUsdError;
    /// A non-negative amount with at most two digits after the point.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ParseUsdError(s.to_string());
        let (_, fraction) = s.split_once('.').unwrap_or((s, ""));
        if fraction.len() > 2 {
            return Err(bad());
        }
        let quantity: Quantity = s.parse().map_err(|_| bad())?;
        // Exact: at most two digits after the point.
        Ok(Usd { cents: quantity.pico() / PICO_PER_CENT })
    }
}

/// Rounds `numerator / denominator` (both non-negative, the denominator
/// above zero) half up.
fn divide_half_up(numerator: i128, denominator: i128) -> i128 {
    debug_assert!(numerator >= 0 && denominator > 0);
    let whole = numerator / denominator;
    let rest = numerator % denominator;
    // `rest >= denominator - rest` is `2 × rest >= denominator` without overflow.
    if rest >= denominator - rest { whole + 1 } else { whole }
}

/// `quantity × rate / per` dollars, exact, rounded half up to the cent;
/// `None` past what an `i128` of cents holds (a bill of more than 10^36
/// dollars, which only a malformed input reaches).
///
/// The exact product has 24 digits after the point and may not fit an
/// `i128`, so it is split: with `quantity = a + b / 10^12` (`b < 10^12`)
/// and `D = per × 10^10` (picodollars per cent, times `per`),
/// `quantity × rate.pico / D = (a × rate.pico) / D + (b × rate.pico) / (D × 10^12)`;
/// the first part's remainder is carried into the second, whose terms stay
/// small, and only the sum is rounded.
pub fn line_amount(quantity: Quantity, rate: Quantity, per: u64) -> Option<Usd> {
    assert!(per > 0, "a rate is per at least one unit");
    let (a, b) = (quantity.pico() / PICO, quantity.pico() % PICO);
    let r = rate.pico();
    let d = (per as i128).checked_mul(PICO_PER_CENT)?;
    let first = a.checked_mul(r)?;
    let (first_cents, first_rest) = (first / d, first % d);
    // first_rest < d, so first_rest × 10^12 < per × 10^22; b × r < 10^12 × r.
    let second = first_rest.checked_mul(PICO)?.checked_add(b.checked_mul(r)?)?;
    let cents = first_cents.checked_add(divide_half_up(second, d.checked_mul(PICO)?))?;
    Some(Usd { cents })
}

/// `amount / divisor`, rounded half up to the cent; `None` for a zero
/// divisor or past the range (a Savings Bundle's credit: commitment / 0.7).
pub fn divide(amount: Usd, divisor: Quantity) -> Option<Usd> {
    if divisor == Quantity::ZERO || amount.cents < 0 {
        return None;
    }
    Some(Usd { cents: divide_half_up(amount.cents.checked_mul(PICO)?, divisor.pico()) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> Quantity {
        text.parse().unwrap()
    }

    #[test]
    fn amounts_round_half_up_to_the_cent() {
        // 1 × $0.005 = $0.005, exactly half a cent: up to $0.01.
        assert_eq!(line_amount(q("1"), q("0.005"), 1), Some(Usd::from_cents(1)));
        // 1 × $0.004999999999 is just under half a cent: $0.00.
        assert_eq!(line_amount(q("1"), q("0.004999999999"), 1), Some(Usd::ZERO));
        // 123,402 requests × $0.0075 / 10,000 = $0.0925515: $0.09.
        assert_eq!(line_amount(q("123402"), q("0.0075"), 10_000), Some(Usd::from_cents(9)));
        // 0.5 GB × $0.01 = $0.005: the fraction alone reaches the half cent.
        assert_eq!(line_amount(q("0.5"), q("0.01"), 1), Some(Usd::from_cents(1)));
        // 2.000000000001 GB × $0.0025 = $0.0050000000000025: rounds up.
        assert_eq!(line_amount(q("2.000000000001"), q("0.0025"), 1), Some(Usd::from_cents(1)));
        // 1.999999999999 GB × $0.0025 = $0.0049999999999975: rounds down.
        assert_eq!(line_amount(q("1.999999999999"), q("0.0025"), 1), Some(Usd::ZERO));
    }

    #[test]
    fn the_largest_quantities_are_exact_or_refused() {
        // 10^24 GB × $0.02 = $2 × 10^22 = 2 × 10^24 cents.
        assert_eq!(line_amount(Quantity::MAX, q("0.02"), 1), Some(Usd::from_cents(2 * 10i128.pow(24))));
        // 10^24 × $10^24 does not fit: refused, never wrapped.
        assert_eq!(line_amount(Quantity::MAX, Quantity::MAX, 1), None);
    }

    #[test]
    fn dollars_print_and_parse() {
        assert_eq!(Usd::from_cents(28752448).to_string(), "287524.48");
        assert_eq!(Usd::from_cents(28752448).grouped(), "287,524.48");
        assert_eq!(Usd::from_cents(-5).to_string(), "-0.05");
        assert_eq!(Usd::from_cents(-123456789).grouped(), "-1,234,567.89");
        assert_eq!(Usd::from_cents(100).grouped(), "1.00");
        assert_eq!("420".parse::<Usd>(), Ok(Usd::from_cents(42000)));
        assert_eq!("99.5".parse::<Usd>(), Ok(Usd::from_cents(9950)));
        assert!("1.005".parse::<Usd>().is_err());
        assert!("-3".parse::<Usd>().is_err());
        assert!("ten".parse::<Usd>().is_err());
    }

    #[test]
    fn division_rounds_half_up() {
        // $100 / 0.7 = $142.857142...: $142.86 (the Savings Bundle example).
        assert_eq!(divide(Usd::from_cents(10000), q("0.7")), Some(Usd::from_cents(14286)));
        assert_eq!(divide(Usd::from_cents(1), Quantity::ZERO), None);
    }
}
