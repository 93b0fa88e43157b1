//! A run's usage in its results: `usage.csv`, the lines AWS's usage report
//! for CloudFront would show for a billing period of the simulated traffic,
//! and the summary's `usage` (the same lines before and after scaling, and
//! the scaling itself). Every run writes both.
//!
//! The usage is counted over the measured window, from the end of the
//! warm-up to when the last response left, and scaled linearly to the cost
//! period (`[cost] period`, 30 days by default; `--cost-period` overrides
//! it): a run is taken as a sample of a steady month. `cost.rs` prices it;
//! `cdnsim cost usage.csv` prices the file the same way.

use crate::engine::Report;
use crate::scenario::Scenario;
use crate::time::SimDuration;
use cdnsim_cost::{Quantity, Usage};
use serde::Serialize;
use std::collections::BTreeMap;

/// The run's usage, measured and scaled, with the scaling: the summary's
/// `usage`. Quantities are in each type's unit (GB, requests, paths,
/// invocations, GB-seconds), by usage type name.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct UsageSummary {
    /// Simulated seconds the usage was counted over: from the end of the
    /// warm-up to when the last response left.
    pub measured_seconds: f64,
    /// Seconds of the cost period the usage is scaled to.
    pub period_seconds: f64,
    /// `period_seconds / measured_seconds`; 0 when nothing was measured.
    pub scale: f64,
    /// The usage of the measured window.
    pub simulated: BTreeMap<String, f64>,
    /// The usage scaled to the cost period (a month by default): what
    /// `usage.csv` holds.
    pub monthly: BTreeMap<String, f64>,
}

/// The measured window's usage, its scaling to `period`, and the scaled
/// usage.
#[derive(Clone, Debug, PartialEq)]
pub struct ScaledUsage {
    pub measured: SimDuration,
    pub period: SimDuration,
    /// `period / measured`, or 0 when `measured` is zero.
    pub scale: f64,
    pub simulated: Usage,
    pub scaled: Usage,
}

/// The run's usage scaled from its measured window to `period`; an error
/// when a scaled line would pass the largest quantity (an absurd period
/// for the window).
pub fn scaled_usage(report: &Report, scenario: &Scenario, period: SimDuration) -> anyhow::Result<ScaledUsage> {
    let measured = SimDuration(report.end.0.saturating_sub(scenario.simulation.warmup.as_micros()));
    let scale =
        if measured == SimDuration::ZERO { 0.0 } else { period.as_micros() as f64 / measured.as_micros() as f64 };
    let simulated = report.metrics.usage.usage();
    let (num, den) = match measured.as_micros() {
        0 => (0, 1),
        measured_us => (period.as_micros(), measured_us),
    };
    let scaled = report.metrics.usage.usage_scaled(num, den).ok_or_else(|| {
        anyhow::anyhow!(
            "the usage scaled by {scale} (a cost period of {} over {} measured) is too large to bill; choose a \
             shorter cost period or simulate longer",
            crate::units::format_duration(period),
            crate::units::format_duration(measured)
        )
    })?;
    Ok(ScaledUsage { measured, period, scale, simulated, scaled })
}

pub fn usage_summary(usage: &ScaledUsage) -> UsageSummary {
    let lines =
        |u: &Usage| u.iter().filter(|(_, q)| *q > Quantity::ZERO).map(|(t, q)| (t.to_string(), q.as_f64())).collect();
    UsageSummary {
        measured_seconds: usage.measured.as_secs_f64(),
        period_seconds: usage.period.as_secs_f64(),
        scale: usage.scale,
        simulated: lines(&usage.simulated),
        monthly: lines(&usage.scaled),
    }
}

/// `usage.csv`: `usage_type,unit,quantity`, one line per usage type above
/// zero, over the cost period (`Usage::to_csv`).
pub fn usage_csv(usage: &ScaledUsage) -> Vec<u8> {
    usage.scaled.to_csv().into_bytes()
}

/// The summary table's line: the scaling, with both spans.
pub fn scaling_line(summary: &UsageSummary) -> String {
    let span = |s: f64| crate::units::format_duration(SimDuration::from_secs_f64(s));
    format!(
        "x{:.3} ({} measured -> {} cost period)",
        summary.scale,
        span(summary.measured_seconds),
        span(summary.period_seconds)
    )
}
