//! `[simulation]`: when the run stops, its warm-up and metrics interval.

use super::fields::{Result, Validator};
use crate::scenario::raw::RawSimulation;
use crate::scenario::{SimulationSpec, Stop};
use crate::time::SimDuration;
use crate::units::format_duration;

/// Past this many requests the value is almost certainly a typo.
const MAX_REQUESTS: i64 = 10_000_000_000;

impl Validator<'_> {
    pub(super) fn simulation(&self, raw: &RawSimulation) -> Result<SimulationSpec> {
        let stop = match (raw.requests, &raw.duration) {
            (Some(_), Some(_)) => {
                return Err(self.error(
                    "simulation.requests",
                    "both `requests` and `duration` are set",
                    "keep one: stop after a number of requests or after a simulated time",
                ));
            }
            (None, None) => {
                return Err(self.error(
                    "simulation",
                    "neither `requests` nor `duration` is set",
                    "add e.g. `requests = 1_000_000` or `duration = \"1 h\"`",
                ));
            }
            (Some(n), None) => {
                if !(1..=MAX_REQUESTS).contains(&n) {
                    return Err(self.error(
                        "simulation.requests",
                        format!("{n} requests is out of range"),
                        format!("use 1 to {MAX_REQUESTS}"),
                    ));
                }
                Stop::Requests(n as u64)
            }
            (None, Some(d)) => {
                let d = self.duration("simulation.duration", d)?;
                if d == SimDuration::ZERO {
                    return Err(self.error("simulation.duration", "the duration is zero", "use e.g. \"1 h\""));
                }
                Stop::Duration(d)
            }
        };
        let warmup = self.optional_duration("simulation.warmup", raw.warmup.as_ref(), SimDuration::ZERO)?;
        if let Stop::Duration(d) = stop
            && warmup >= d
        {
            return Err(self.error(
                "simulation.warmup",
                format!(
                    "the warm-up ({}) is not shorter than the run ({})",
                    format_duration(warmup),
                    format_duration(d)
                ),
                "shorten the warm-up or lengthen the run",
            ));
        }
        let metrics_interval = self.optional_duration(
            "simulation.metrics_interval",
            raw.metrics_interval.as_ref(),
            SimDuration::from_secs(10),
        )?;
        if metrics_interval < SimDuration::from_millis(1) {
            return Err(self.error(
                "simulation.metrics_interval",
                "the metrics interval is shorter than 1 ms",
                "use e.g. \"10 s\"",
            ));
        }
        Ok(SimulationSpec {
            seed: raw.seed.unwrap_or(1),
            stop,
            warmup,
            metrics_interval,
            collapse_requests: raw.collapse_requests.unwrap_or(true),
        })
    }
}
