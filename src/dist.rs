//! Random distributions for latencies and object sizes, as written in scenarios.
//!
//! A scenario writes `"20 ms"` for a constant or a table such as
//! `{ dist = "lognormal", mean = "20 ms", stddev = "8 ms" }`. The value's unit
//! (time or bytes) is the caller's business: a `Dist` holds plain numbers in the
//! caller's base unit (milliseconds for latencies, bytes for sizes).

use rand::Rng;
use rand_distr::{Distribution, Exp, LogNormal, Normal, Pareto};

/// A validated distribution over non-negative numbers.
#[derive(Clone, Copy, Debug)]
pub enum Dist {
    Constant(f64),
    Uniform {
        min: f64,
        max: f64,
    },
    /// Normal, truncated at zero by rejection-free clamping.
    Normal {
        mean: f64,
        stddev: f64,
        normal: Normal<f64>,
    },
    /// Log-normal given by its own mean and standard deviation (not the
    /// underlying normal's), which is how people describe latency and sizes.
    LogNormal {
        mean: f64,
        stddev: f64,
        lognormal: LogNormal<f64>,
    },
    Exponential {
        mean: f64,
        exp: Exp<f64>,
    },
    /// Pareto with scale `min` and shape `alpha`: heavy-tailed object sizes.
    Pareto {
        min: f64,
        alpha: f64,
        pareto: Pareto<f64>,
    },
}

/// The names `dist = "..."` accepts, for error messages.
pub const DIST_NAMES: &str = "constant, uniform, normal, lognormal, exponential, pareto";

impl Dist {
    pub fn constant(value: f64) -> Dist {
        Dist::Constant(value)
    }

    pub fn uniform(min: f64, max: f64) -> Result<Dist, String> {
        if min.is_nan() || max.is_nan() || min > max {
            return Err(format!("uniform needs min <= max, got min {min} and max {max}"));
        }
        Ok(Dist::Uniform { min, max })
    }

    pub fn normal(mean: f64, stddev: f64) -> Result<Dist, String> {
        if !(stddev >= 0.0 && stddev.is_finite() && mean.is_finite()) {
            return Err(format!("normal needs a finite mean and stddev >= 0, got mean {mean} and stddev {stddev}"));
        }
        let normal = Normal::new(mean, stddev).map_err(|e| format!("normal(mean {mean}, stddev {stddev}): {e}"))?;
        Ok(Dist::Normal { mean, stddev, normal })
    }

    pub fn lognormal(mean: f64, stddev: f64) -> Result<Dist, String> {
        if mean <= 0.0 || stddev < 0.0 {
            return Err(format!("lognormal needs mean > 0 and stddev >= 0, got mean {mean} and stddev {stddev}"));
        }
        // Moments of the log-normal: sigma^2 = ln(1 + s^2/m^2), mu = ln m - sigma^2/2.
        let sigma2 = (1.0 + (stddev * stddev) / (mean * mean)).ln();
        let mu = mean.ln() - sigma2 / 2.0;
        let lognormal = LogNormal::new(mu, sigma2.sqrt()).map_err(|e| format!("lognormal: {e}"))?;
        Ok(Dist::LogNormal { mean, stddev, lognormal })
    }

    pub fn exponential(mean: f64) -> Result<Dist, String> {
        if mean <= 0.0 {
            return Err(format!("exponential needs mean > 0, got {mean}"));
        }
        let exp = Exp::new(1.0 / mean).map_err(|e| format!("exponential: {e}"))?;
        Ok(Dist::Exponential { mean, exp })
    }

    pub fn pareto(min: f64, alpha: f64) -> Result<Dist, String> {
        let pareto = Pareto::new(min, alpha).map_err(|e| format!("pareto(min {min}, alpha {alpha}): {e}"))?;
        Ok(Dist::Pareto { min, alpha, pareto })
    }

    /// What `sample` always returns, for a distribution that draws nothing
    /// (it then uses no random numbers either).
    pub fn fixed(&self) -> Option<f64> {
        match *self {
            Dist::Constant(v) => Some(v),
            Dist::Uniform { min, max } if min == max => Some(min),
            _ => None,
        }
    }

    /// The largest value `sample` can return, for the distributions that
    /// have one (constant and uniform); the others are unbounded.
    pub fn upper_bound(&self) -> Option<f64> {
        match *self {
            Dist::Constant(v) => Some(v.max(0.0)),
            Dist::Uniform { max, .. } => Some(max.max(0.0)),
            _ => None,
        }
    }

    /// The smallest value `sample` can return: what a draw is guaranteed not
    /// to go below. Only constant, uniform and Pareto have one above zero.
    pub fn lower_bound(&self) -> f64 {
        match *self {
            Dist::Constant(v) => v.max(0.0),
            Dist::Uniform { min, .. } => min.max(0.0),
            Dist::Pareto { min, .. } => min.max(0.0),
            Dist::Normal { .. } | Dist::LogNormal { .. } | Dist::Exponential { .. } => 0.0,
        }
    }

    /// Draws one value, never negative.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let x = match self {
            Dist::Constant(v) => return *v,
            Dist::Uniform { min, max } => {
                if min == max {
                    return *min;
                }
                {
                    let u: f64 = rand_distr::StandardUniform.sample(rng);
                    min + (max - min) * u
                }
            }
            Dist::Normal { normal, .. } => normal.sample(rng),
            Dist::LogNormal { lognormal, .. } => lognormal.sample(rng),
            Dist::Exponential { exp, .. } => exp.sample(rng),
            Dist::Pareto { pareto, .. } => pareto.sample(rng),
        };
        x.max(0.0)
    }

    /// The distribution's mean (before truncation at zero), used to pick
    /// shortest paths and to describe a scenario.
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Constant(v) => v,
            Dist::Uniform { min, max } => (min + max) / 2.0,
            Dist::Normal { mean, .. } | Dist::LogNormal { mean, .. } | Dist::Exponential { mean, .. } => mean,
            Dist::Pareto { min, alpha, .. } => {
                if alpha > 1.0 {
                    alpha * min / (alpha - 1.0)
                } else {
                    f64::INFINITY
                }
            }
        }
    }

    /// A short human description, e.g. `lognormal 20.0±8.0 ms`.
    pub fn describe(&self, unit: &str) -> String {
        match *self {
            Dist::Constant(v) => format!("{v:.1} {unit}"),
            Dist::Uniform { min, max } => format!("uniform {min:.1}-{max:.1} {unit}"),
            Dist::Normal { mean, stddev, .. } => format!("normal {mean:.1}±{stddev:.1} {unit}"),
            Dist::LogNormal { mean, stddev, .. } => format!("lognormal {mean:.1}±{stddev:.1} {unit}"),
            Dist::Exponential { mean, .. } => format!("exponential mean {mean:.1} {unit}"),
            Dist::Pareto { min, alpha, .. } => format!("pareto min {min:.1} {unit}, alpha {alpha}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::Xoshiro256PlusPlus;

    fn sample_mean(d: &Dist) -> f64 {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let n = 200_000;
        (0..n).map(|_| d.sample(&mut rng)).sum::<f64>() / n as f64
    }

    #[test]
    fn a_fixed_value_is_what_sampling_gives_without_drawing() {
        for d in [Dist::constant(3.5), Dist::uniform(2.0, 2.0).unwrap()] {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
            assert_eq!(Some(d.sample(&mut rng)), d.fixed());
            assert_eq!(rng, Xoshiro256PlusPlus::seed_from_u64(7), "no random number used");
        }
        assert_eq!(Dist::uniform(1.0, 2.0).unwrap().fixed(), None);
        assert_eq!(Dist::lognormal(10.0, 1.0).unwrap().fixed(), None);
    }

    #[test]
    fn lognormal_is_parameterised_by_its_own_mean() {
        let d = Dist::lognormal(20.0, 10.0).unwrap();
        let m = sample_mean(&d);
        assert!((m - 20.0).abs() < 0.2, "sample mean {m}");
    }

    #[test]
    fn means() {
        assert_eq!(Dist::uniform(2.0, 4.0).unwrap().mean(), 3.0);
        assert!((sample_mean(&Dist::uniform(2.0, 4.0).unwrap()) - 3.0).abs() < 0.01);
        assert!((sample_mean(&Dist::exponential(5.0).unwrap()) - 5.0).abs() < 0.1);
        assert_eq!(Dist::pareto(10.0, 2.0).unwrap().mean(), 20.0);
    }

    #[test]
    fn bad_parameters_are_refused() {
        assert!(Dist::uniform(5.0, 1.0).is_err());
        assert!(Dist::lognormal(0.0, 1.0).is_err());
        assert!(Dist::exponential(-1.0).is_err());
        assert!(Dist::normal(1.0, -1.0).is_err());
    }
}
