//! What goes wrong reading a trace: lines a reader could not use (counted,
//! the first few kept), and the errors that stop reading.

use std::fmt;
use std::path::PathBuf;

/// How many malformed lines are kept for the report; the rest are only counted.
pub const MALFORMED_KEPT: usize = 10;

/// One line a reader could not use.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Malformed {
    pub file: PathBuf,
    /// 1-based, within `file`.
    pub line: u64,
    pub reason: String,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.reason)
    }
}

/// Every malformed line counted, the first [`MALFORMED_KEPT`] kept.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct MalformedLines {
    pub count: u64,
    pub first: Vec<Malformed>,
}

impl MalformedLines {
    pub fn record(&mut self, malformed: Malformed) {
        self.count += 1;
        if self.first.len() < MALFORMED_KEPT {
            self.first.push(malformed);
        }
    }
}

/// What stops reading a trace: an unreadable file, or with `--strict` the
/// first malformed line.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    #[error("cannot read trace {}: {reason}", file.display())]
    Unreadable { file: PathBuf, reason: String },
    #[error(
        "{0} (the trace stops at the first malformed line with --strict; without it such lines are skipped and counted)"
    )]
    Malformed(Malformed),
    #[error("{}: {reason}", file.display())]
    BadLayout { file: PathBuf, reason: String },
    /// A file in a format cdnsim recognises but does not replay.
    #[error("{}:{line}: {what} (fix: {fix})", file.display())]
    Unsupported { file: PathBuf, line: u64, what: String, fix: String },
    /// The trace was read to its end and no request came of it.
    #[error("{}: no request was replayed: {problem} (fix: {fix})", place(file, *line))]
    NothingReplayed { file: PathBuf, line: Option<u64>, problem: String, fix: String },
    /// The trace spans more than the scenario's metrics intervals hold.
    #[error("{0}")]
    TooLong(Box<TooLong>),
}

/// `file:line`, or `file` alone.
fn place(file: &std::path::Path, line: Option<u64>) -> String {
    match line {
        Some(line) => format!("{}:{line}", file.display()),
        None => file.display().to_string(),
    }
}

/// A trace whose requests go past the scenario's last metrics interval.
#[derive(Debug)]
pub struct TooLong {
    pub scenario: PathBuf,
    /// The file and line of the first request past it.
    pub file: PathBuf,
    pub line: u64,
    /// The trace's span, the horizon and the interval, as durations.
    pub span: String,
    pub horizon: String,
    pub interval: String,
    /// An interval that holds the whole span, as a scenario writes it.
    pub fits: String,
}

impl fmt::Display for TooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: `simulation.metrics_interval`: the trace spans {} (line {} of {} is its first request past {}), \
             more than {} intervals of {} (fix: --set simulation.metrics_interval=\"{}\" or longer); no results \
             were written",
            self.scenario.display(),
            self.span,
            self.line,
            self.file.display(),
            self.horizon,
            crate::scenario::MAX_METRICS_INTERVALS,
            self.interval,
            self.fits
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_first_malformed_lines_are_kept() {
        let mut m = MalformedLines::default();
        for line in 1..=25 {
            m.record(Malformed { file: "t.csv".into(), line, reason: "bad".into() });
        }
        assert_eq!(m.count, 25);
        assert_eq!(m.first.len(), MALFORMED_KEPT);
        assert_eq!(m.first[0].to_string(), "t.csv:1: bad");
    }
}
