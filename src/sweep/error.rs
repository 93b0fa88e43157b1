//! The one error type of sweeps: a bad `--vary`, `--shard` or sweep file, a
//! results folder that belongs to another sweep, or a file that cannot be
//! written. Each names what was wrong and how to fix it; a point whose values
//! make the scenario invalid is not an error here but a failed row.

use crate::scenario::ScenarioError;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// A `--vary` argument (or the same text in a sweep file) that cannot be read.
    #[error("--vary {arg:?}: {problem} (fix: {fix})")]
    Vary { arg: String, problem: String, fix: String },
    /// A field of a sweep file; `position` is its 1-based line and column.
    #[error("{}{}: `{field}`: {problem} (fix: {fix})", .file.display(), position_suffix(*.position))]
    File { file: PathBuf, position: Option<(usize, usize)>, field: String, problem: String, fix: String },
    /// Any other bad argument (`--shard`, `--jobs`, a conflict between flags).
    #[error("{problem} (fix: {fix})")]
    Argument { problem: String, fix: String },
    /// The base scenario (before any `--vary`) does not load.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// Existing results that do not fit: another sweep's folder, a damaged
    /// `sweep.csv`, a missing shard.
    #[error("{}: {problem} (fix: {fix})", .path.display())]
    Results { path: PathBuf, problem: String, fix: String },
    #[error("cannot {action} {}: {source}", .path.display())]
    Io { action: &'static str, path: PathBuf, source: std::io::Error },
    /// The caller stopped the sweep (`run_sweep_stoppable`): the rows written
    /// so far stay, and `--resume` continues it.
    #[error(transparent)]
    Stopped(#[from] crate::engine::Stopped),
}

fn position_suffix(position: Option<(usize, usize)>) -> String {
    position.map(|(line, column)| format!(":{line}:{column}")).unwrap_or_default()
}

impl SweepError {
    pub(crate) fn argument(problem: impl Into<String>, fix: impl Into<String>) -> SweepError {
        SweepError::Argument { problem: problem.into(), fix: fix.into() }
    }

    pub(crate) fn results(path: impl Into<PathBuf>, problem: impl Into<String>, fix: impl Into<String>) -> SweepError {
        SweepError::Results { path: path.into(), problem: problem.into(), fix: fix.into() }
    }

    /// A closure for `map_err` on an I/O result.
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> SweepError {
        let path = path.into();
        move |source| SweepError::Io { action, path, source }
    }
}
