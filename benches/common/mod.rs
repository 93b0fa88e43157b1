//! What the benchmarks share: each bench is its own crate and includes this
//! module with `mod common;`.
#![allow(dead_code)] // Not every bench uses every helper.

/// This thread's time on a CPU (Linux), which background load on a shared
/// machine does not inflate as it does wall time.
pub fn cpu_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(text.split_whitespace().next()?.parse::<f64>().ok()? / 1e9)
}

/// The middle value (the upper one of an even count).
pub fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    xs[xs.len() / 2]
}
