//! `--cost-period`: the billing period a run's usage.csv is scaled to,
//! shared by `run` and `replay`.

use cdnsim::time::SimDuration;

/// A `--cost-period`: a duration of at least a second and at most ten
/// years, as `[cost] period`.
pub fn parse_cost_period(text: &str) -> Result<SimDuration, String> {
    let period = cdnsim::units::parse_duration(text)?;
    if period < SimDuration::from_secs(1) {
        return Err(format!("{text:?} is shorter than a second; give the billing period, e.g. \"30 d\""));
    }
    if period > cdnsim::scenario::MAX_COST_PERIOD {
        return Err(format!("{text:?} is longer than ten years (3650 d); give the billing period, e.g. \"30 d\""));
    }
    Ok(period)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_is_a_duration_of_a_second_or_more() {
        assert_eq!(parse_cost_period("30 d"), Ok(SimDuration::from_secs(30 * 24 * 3600)));
        assert_eq!(parse_cost_period("1s"), Ok(SimDuration::from_secs(1)));
        assert!(parse_cost_period("0.5 s").unwrap_err().contains("shorter than a second"));
        assert!(parse_cost_period("a month").is_err());
        assert_eq!(parse_cost_period("3650 d"), Ok(cdnsim::scenario::MAX_COST_PERIOD));
        assert!(parse_cost_period("3651 d").unwrap_err().contains("longer than ten years"));
    }
}
