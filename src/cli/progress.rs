//! The progress bars of a run and of a sweep: drawn on a terminal, hidden otherwise or with
//! `--no-progress`. The engine only reports numbers; this draws them.

use cdnsim::engine::Progress;
use cdnsim::scenario::{Scenario, Stop};
use cdnsim::trace::lines::ReadProgress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

pub struct RunProgress {
    bar: ProgressBar,
    by_time: bool,
}

pub fn for_run(scenario: &Scenario, no_progress: bool) -> RunProgress {
    let (total, by_time, unit) = match scenario.simulation.stop {
        Stop::Requests(n) => (n, false, "requests"),
        Stop::Duration(d) => (d.as_micros() / 1_000_000, true, "simulated s"),
    };
    let bar = if no_progress || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        let template =
            format!("{{spinner}} {} [{{bar:30}}] {{human_pos}}/{{human_len}} {unit} ({{eta}} left)", scenario.name);
        bar.set_style(ProgressStyle::with_template(&template).expect("static template").progress_chars("=> "));
        bar
    };
    RunProgress { bar, by_time }
}

impl RunProgress {
    pub fn update(&self, p: Progress) {
        let position = if self.by_time { p.now.0 / 1_000_000 } else { p.requests_started };
        self.bar.set_position(position);
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// The one overall bar of a sweep, in runs, with an ETA. Rows are written in
/// run order, so the position is the number of rows in `sweep.csv`.
pub struct SweepProgress {
    bar: ProgressBar,
}

pub fn for_sweep(name: &str, no_progress: bool) -> SweepProgress {
    let bar = if no_progress || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        let template = format!("{{spinner}} {name} sweep [{{bar:30}}] {{pos}}/{{len}} runs ({{eta}} left)");
        bar.set_style(ProgressStyle::with_template(&template).expect("static template").progress_chars("=> "));
        bar
    };
    SweepProgress { bar }
}

impl SweepProgress {
    /// `done` of the `runs` were already there (a resumed sweep): the ETA
    /// counts only the runs made from now on.
    pub fn start(&self, runs: u64, done: u64) {
        self.bar.set_length(runs);
        self.bar.set_position(done);
        self.bar.reset_eta();
    }

    pub fn set(&self, done: u64) {
        self.bar.set_position(done);
    }

    /// A line on stderr above the bar, without tearing it.
    pub fn println(&self, line: &str) {
        self.bar.suspend(|| eprintln!("{line}"));
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// The bar of a trace replay, in bytes read from the trace's files.
pub struct TraceProgress {
    bar: ProgressBar,
}

pub fn for_trace(name: &str, no_progress: bool) -> TraceProgress {
    let bar = if no_progress || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        // The total is known once the trace is open: the first update sets it.
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        let template =
            format!("{{spinner}} {name} [{{bar:30}}] {{binary_bytes}}/{{binary_total_bytes}} read ({{eta}} left)");
        bar.set_style(ProgressStyle::with_template(&template).expect("static template").progress_chars("=> "));
        bar
    };
    TraceProgress { bar }
}

impl TraceProgress {
    pub fn update(&self, progress: ReadProgress) {
        self.bar.set_length(progress.total_bytes);
        self.bar.set_position(progress.read_bytes);
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
