//! Running a sweep's runs on a pool of threads and handing their rows back in
//! run order.
//!
//! Workers claim runs in order from a shared counter, so the runs in flight
//! are always the next few: a finished run waits for at most `jobs - 1`
//! earlier ones before its row can be written, and an interrupt loses little.
//! Which thread ran a run changes nothing in its row: the row is a function of
//! the plan and the run alone.

use super::error::SweepError;
use super::plan::{Plan, RunId};
use super::rows::{csv_line, failed_row, ok_row};
use crate::engine::Stopped;
use crate::{engine, report};
use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

/// A finished run: its `sweep.csv` line, and why it failed if it did.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub run: RunId,
    pub line: Vec<u8>,
    pub error: Option<String>,
}

/// Loads the run's scenario and simulates it. A value that makes the scenario
/// invalid, or a panic in the simulation, is a failed row: it never stops the
/// other runs.
pub fn run_one(plan: &Plan, run: RunId) -> Outcome {
    run_one_unless(plan, run, &AtomicBool::new(false)).expect("a run nobody stops runs to its end")
}

/// `run_one`, stopped as soon as `stop` is set (the engine looks every
/// 65,536 events): `None` then, and no row.
fn run_one_unless(plan: &Plan, run: RunId, stop: &AtomicBool) -> Option<Outcome> {
    let go_on =
        &mut |_| if stop.load(Ordering::Relaxed) { ControlFlow::Break(Stopped) } else { ControlFlow::Continue(()) };
    let simulated = catch_unwind(AssertUnwindSafe(|| {
        plan.scenario_for(run.point).map_err(|invalid| invalid.to_string()).and_then(|scenario| {
            let report = engine::run_stoppable(&scenario, plan.seed(run), go_on).map_err(|e| e.to_string())?;
            report::summary(&report, &scenario).map_err(|e| format!("{e:#}"))
        })
    }));
    if stop.load(Ordering::Relaxed) {
        return None;
    }
    let (cells, error) = match simulated {
        Ok(Ok(summary)) => (ok_row(plan, run, &summary), None),
        Ok(Err(error)) => (failed_row(plan, run, &error), Some(error)),
        Err(panic) => {
            let message = panic_message(panic.as_ref());
            let error = format!("the simulation panicked ({message}); this is a cdnsim bug: please report it");
            (failed_row(plan, run, &error), Some(error))
        }
    };
    Some(Outcome { run, line: csv_line(&cells), error })
}

/// What a caught panic said: its `&str` or `String` payload, else "no
/// message".
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into())
}

/// Runs `runs` on `jobs` threads of a pool of its own (the global rayon pool
/// is left to the caller) and calls `on_outcome` on this thread for each,
/// in the order of `runs`. An error from `on_outcome` stops the sweep after
/// the runs in flight. Setting `stop` (another thread: a Ctrl-C) stops the
/// runs in flight too, with `SweepError::Stopped`; no outcome is handed on
/// after it is set.
pub fn execute(
    plan: &Plan,
    runs: &[RunId],
    jobs: usize,
    stop: &AtomicBool,
    on_outcome: &mut dyn FnMut(Outcome) -> Result<(), SweepError>,
) -> Result<(), SweepError> {
    if jobs == 0 {
        return Err(SweepError::argument("--jobs must be at least 1", "drop it to use every core"));
    }
    if runs.is_empty() {
        return Ok(());
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.min(runs.len()))
        .thread_name(|i| format!("cdnsim-sweep-{i}"))
        .build()
        .map_err(|e| SweepError::argument(format!("cannot start {jobs} threads: {e}"), "use a smaller --jobs"))?;
    let next = &AtomicUsize::new(0);
    let (sender, receiver) = mpsc::channel::<(usize, Outcome)>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            pool.broadcast(|_| {
                let sender = sender.clone();
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&run) = runs.get(i) else { break };
                    let Some(outcome) = run_one_unless(plan, run, stop) else { break };
                    if sender.send((i, outcome)).is_err() {
                        break;
                    }
                }
            });
            // `sender` drops here, after every worker is done: the loop below
            // then sees the channel close.
        });
        // Finished runs that wait for an earlier one, by position in `runs`.
        let mut waiting = BTreeMap::new();
        let mut written = 0;
        for (i, outcome) in receiver {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            waiting.insert(i, outcome);
            while let Some(outcome) = waiting.remove(&written) {
                if let Err(e) = on_outcome(outcome) {
                    stop.store(true, Ordering::Relaxed);
                    return Err(e);
                }
                written += 1;
            }
        }
        if stop.load(Ordering::Relaxed) {
            return Err(SweepError::Stopped(Stopped));
        }
        debug_assert_eq!(written, runs.len(), "every run was handed back");
        Ok(())
    })
}
