//! Parameter sweeps: one scenario run over the cartesian product of the values
//! of some of its fields, each point with several seeds, in parallel, on one
//! machine or sliced over many.
//!
//! - [`vary`]: `--vary PATH=LIST` and `PATH=START:STOP:STEP` (exact decimals).
//! - [`file`]: the same in a `[sweep]` table, committed next to a scenario.
//! - [`plan`]: points, runs, seeds (a pure function of base seed, point and
//!   replicate), shards, and the `cdnsim run` command that replays a run.
//! - [`exec`]: the runs on a rayon pool of `--jobs` threads, rows handed back
//!   in run order.
//! - [`rows`], [`stats`]: `sweep.csv` (a row per run) and `sweep-summary.csv`
//!   (a row per point: means and 95% confidence intervals).
//! - [`output`]: the files: append in order, resume, merge shards.
//!
//! Results never depend on scheduling: the same arguments give the same
//! `sweep.csv` bytes whatever `--jobs` is, and merged shards give the bytes
//! of the unsharded sweep. Nothing here draws or prints; `cli/sweep.rs` does.

pub mod error;
pub mod exec;
pub mod file;
pub mod output;
pub mod plan;
pub mod rows;
pub mod stats;
pub mod vary;

pub use error::SweepError;
pub use output::{Event, Failure, Finished, merge, run_sweep, run_sweep_stoppable};
pub use plan::{FromFile, Plan, RunId, Shard, SweepSpec};
pub use vary::Vary;
