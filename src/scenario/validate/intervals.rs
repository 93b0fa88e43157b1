//! The one bound on a run's metrics intervals, checked when the scenario is
//! loaded: a synthetic run whose requests could start after its last
//! interval is refused before anything runs, and the metrics and the report
//! only assert that none did. (A trace's span is known only once it is read:
//! its source refuses the first request past the same horizon, see
//! `trace::source`.)

use crate::scenario::spec::*;
use crate::scenario::vocabulary::*;
use crate::time::SimDuration;
use crate::time::SimTime;
use crate::units::format_duration;

/// At most this many metrics intervals (`timeseries.csv` rows) in a run: each
/// holds a latency histogram of tens of KiB, so more would mostly spend
/// memory (20,000 of them are about half a GiB).
pub const MAX_METRICS_INTERVALS: u64 = 20_000;

/// How unlikely it is that `n` Poisson arrivals take longer than the bound
/// of [`latest_start`]: `e^-36`, about 2e-16 per run.
const TAIL_EXPONENT: f64 = 36.0;

impl SimulationSpec {
    /// Requests that start at or after this simulated time would fall
    /// outside the last metrics interval.
    pub fn metrics_horizon(&self) -> SimTime {
        SimTime(self.metrics_interval.as_micros().saturating_mul(MAX_METRICS_INTERVALS))
    }
}

/// A bound on when the last viewer request of the scenario's own traffic
/// can start (requests are measured by their start).
///
/// - `duration = d`: arrivals stop before `d`.
/// - `requests = n`: the n-th arrival of a Poisson process of rate `r` is a
///   Gamma(n) time, and Chernoff's bound gives P(it is later than K / r) <=
///   e^-36 for K = n + sqrt(72 n) + 72. A diurnal curve of amplitude `a` and
///   period `P` delays any arrival by at most `a P / pi`, since the expected
///   count by `t` is at least `r t - r a P / pi`.
/// - A viewer redirected to HTTPS sends its retry half a viewer round trip
///   after its first request arrived: the longest half round trip is added
///   when redirects can happen (the engine caps one at `u32::MAX` us).
pub(crate) fn latest_start(s: &Scenario) -> SimDuration {
    let arrivals_us = match s.simulation.stop {
        Stop::Duration(d) => d.as_micros().saturating_sub(1) as f64,
        Stop::Requests(n) => {
            let n = n as f64;
            let k = n + (2.0 * TAIL_EXPONENT * n).sqrt() + 2.0 * TAIL_EXPONENT;
            let diurnal_us =
                s.traffic.diurnal.map_or(0.0, |d| d.amplitude * d.period.as_micros() as f64 / std::f64::consts::PI);
            (k / s.traffic.rate_per_s * 1e6 + diurnal_us).ceil()
        }
    };
    SimDuration((arrivals_us.min(u64::MAX as f64) as u64).saturating_add(redirect_retry_slack(s).as_micros()))
}

/// Half the Earth's circumference (6,371 km mean radius): the longest
/// great-circle distance.
const HALF_CIRCUMFERENCE_KM: f64 = std::f64::consts::PI * 6371.0;

fn redirect_retry_slack(s: &Scenario) -> SimDuration {
    let redirects = s.traffic.https_share < 1.0
        && s.distribution.behaviors.iter().any(|b| b.viewer_protocol_policy == ViewerProtocolPolicy::RedirectToHttps);
    if !redirects {
        return SimDuration::ZERO;
    }
    // Viewers served away from their own edge (`[viewers]`, or a price
    // class that excludes some edge) add a geographic round trip: at most
    // half the globe's.
    let detours = s.viewers.is_some() || s.distribution.price_class != cdnsim_cost::PriceClass::All;
    let geographic_ms = if detours { crate::geo::rtt_ms_for_km(HALF_CIRCUMFERENCE_KM) } else { 0.0 };
    let last_miles = s.viewers.iter().flat_map(|v| v.populations.iter().map(|p| p.last_mile_rtt_ms));
    let longest_half_us = s
        .topology
        .edges
        .iter()
        .map(|e| e.viewer_rtt_ms)
        .chain(last_miles)
        .map(|rtt_ms| match rtt_ms.upper_bound() {
            Some(ms) => (((ms + geographic_ms) * 1e3).ceil().min(u64::MAX as f64) as u64 / 2 + 1).min(u32::MAX as u64),
            None => u32::MAX as u64,
        })
        .max()
        .unwrap_or(0);
    SimDuration(longest_half_us)
}

/// The shortest metrics interval, in whole milliseconds below a second and
/// whole seconds above, that holds `span` in [`MAX_METRICS_INTERVALS`].
pub fn interval_that_fits(span: SimDuration) -> SimDuration {
    let at_least_us = span.as_micros() / MAX_METRICS_INTERVALS + 1;
    let unit_us = if at_least_us < 1_000_000 { 1_000 } else { 1_000_000 };
    SimDuration(at_least_us.div_ceil(unit_us).saturating_mul(unit_us))
}

/// `interval_that_fits`'s answer as a scenario would write it, exactly.
pub fn interval_text(interval: SimDuration) -> String {
    let us = interval.as_micros();
    if us.is_multiple_of(1_000_000) { format!("{} s", us / 1_000_000) } else { format!("{} ms", us.div_ceil(1_000)) }
}

/// Problem and fix when the scenario's own traffic could start requests
/// after its last metrics interval.
pub(crate) fn check(s: &Scenario) -> std::result::Result<(), (String, String)> {
    let latest = latest_start(s);
    let slack = redirect_retry_slack(s);
    let horizon = s.simulation.metrics_horizon();
    if latest.as_micros() < horizon.0 {
        return Ok(());
    }
    let how = match s.simulation.stop {
        Stop::Duration(d) => format!("the run lasts {}", format_duration(d)),
        Stop::Requests(n) => format!(
            "{n} requests at {} per second may take up to {}",
            s.traffic.rate_per_s,
            format_duration(SimDuration(latest.as_micros() - slack.as_micros()))
        ),
    };
    let retries = if slack > SimDuration::ZERO {
        format!(
            ", plus up to {} for viewers' HTTPS retries after a redirect (half the longest viewer round trip)",
            format_duration(slack)
        )
    } else {
        String::new()
    };
    Err((
        format!(
            "{how}{retries}: more than {MAX_METRICS_INTERVALS} metrics intervals of {} (each holds a latency histogram)",
            format_duration(s.simulation.metrics_interval)
        ),
        format!(
            "set simulation.metrics_interval = \"{}\" or longer, or simulate less",
            interval_text(interval_that_fits(latest))
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Override, ScenarioError};
    use std::path::Path;

    const ONE_EDGE: &str = r#"
[simulation]
requests = 100
metrics_interval = "20 ms"
[[topology.regional_caches]]
region = "us-east-1"
[[topology.edges]]
name = "IAD1"
regional_cache = "us-east-1"
viewer_rtt = "10 ms"
[[origins]]
name = "origin"
region = "us-east-1"
[distribution.default_behavior]
origin = "origin"
[traffic]
rate = 1
[[traffic.classes]]
name = "c"
share = 1
path = "/{id}"
size = "1 KiB"
"#;

    fn load(sets: &[&str]) -> std::result::Result<Scenario, ScenarioError> {
        let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
        Scenario::from_toml_str(Path::new("t.toml"), ONE_EDGE, &overrides)
    }

    #[test]
    fn the_bound_on_n_poisson_arrivals_worked_out() {
        // 100 requests at 1 per second: K = 100 + sqrt(72 * 100) + 72
        // = 100 + 84.853 + 72 = 256.853 s. At 20 ms per interval that is
        // 12,843 intervals: it fits in 20,000.
        let s = load(&[]).unwrap();
        assert_eq!(latest_start(&s), SimDuration(256_852_814));
        // At 10 ms it would be 25,686: refused, and the smallest interval
        // that holds 256.85 s in 20,000 is 12.84 ms, so 13 ms.
        let e = load(&["simulation.metrics_interval=\"10 ms\""]).unwrap_err().to_string();
        assert!(e.contains("100 requests at 1 per second may take up to 4.281 min"), "{e}");
        assert!(e.contains("more than 20000 metrics intervals of 10 ms"), "{e}");
        assert!(e.contains("(fix: set simulation.metrics_interval = \"13 ms\" or longer"), "{e}");
        assert!(load(&["simulation.metrics_interval=\"13 ms\""]).is_ok());
        assert!(load(&["simulation.metrics_interval=\"12 ms\""]).is_err());
    }

    #[test]
    fn a_diurnal_curve_and_redirect_retries_widen_the_bound() {
        // amplitude 0.5 and a 1 h period can delay the arrivals by at most
        // 0.5 * 3600 s / pi = 572.958 s.
        let s = load(&["traffic.diurnal={ amplitude = 0.5, period = \"1 h\" }"]).unwrap_err();
        assert!(s.to_string().contains("may take up to 13.83 min"), "{s}"); // (256.853 + 572.958) s / 60
        // HTTP viewers of a redirect-to-https behavior retry half a round
        // trip later: 10 ms / 2 = 5 ms, plus the 1 us of rounding.
        let s = load(&[
            "traffic.https_share=0.5",
            "distribution.default_behavior.viewer_protocol_policy=\"redirect-to-https\"",
        ])
        .unwrap();
        assert_eq!(latest_start(&s), SimDuration(256_852_814 + 5_001));
        // An unbounded viewer round trip counts as the engine's cap on one.
        let s = load(&[
            "traffic.https_share=0.5",
            "distribution.default_behavior.viewer_protocol_policy=\"redirect-to-https\"",
            "topology.edges[0].viewer_rtt={ dist = \"exponential\", mean = \"10 ms\" }",
            "simulation.metrics_interval=\"1 s\"",
        ])
        .unwrap();
        assert_eq!(latest_start(&s), SimDuration(256_852_814 + u32::MAX as u64));
    }

    #[test]
    fn a_duration_ends_the_arrivals() {
        // 200 s at 10 ms is exactly 20,000 intervals: the last request
        // starts before 200 s, in interval 19,999.
        let by_duration = ONE_EDGE.replace("requests = 100\n", "");
        let with = |duration: &str| {
            let sets = [format!("simulation.duration=\"{duration}\""), "simulation.metrics_interval=\"10 ms\"".into()];
            let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
            Scenario::from_toml_str(Path::new("t.toml"), &by_duration, &overrides)
        };
        assert_eq!(latest_start(&with("200 s").unwrap()), SimDuration(199_999_999));
        // 10 ms more is one interval too many; 11 ms holds 200.01 s in 18,183.
        let e = with("200.01 s").unwrap_err().to_string();
        assert!(e.contains("the run lasts 3.333 min: more than 20000 metrics intervals of 10 ms"), "{e}");
        assert!(e.contains("\"11 ms\""), "{e}");
    }

    #[test]
    fn suggested_intervals_hold_the_span() {
        for span_us in [1, 999, 20_000_000, 20_000_001, 256_852_814, 86_400_000_000, u64::MAX / 2] {
            let w = interval_that_fits(SimDuration(span_us));
            assert!(span_us < w.as_micros().saturating_mul(MAX_METRICS_INTERVALS), "{span_us}: {w:?}");
            assert!(w.as_micros().is_multiple_of(1_000), "{w:?}");
            assert_eq!(crate::units::parse_duration(&interval_text(w)), Ok(w));
        }
        assert_eq!(interval_text(interval_that_fits(SimDuration(30_000_000_000))), "2 s");
    }
}
