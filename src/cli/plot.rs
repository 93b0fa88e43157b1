//! `cdnsim plot DIR`, and the same at the end of `run --plot` and `sweep --plot`.

use cdnsim::plot::{self, SweepChoice};
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Which sweep metric and parameters to draw; shared by `plot` and `sweep --plot`.
#[derive(Debug, Default, Args)]
pub struct SweepChartArgs {
    /// Sweep metric on the y axis (a column of sweep-summary.csv without _mean) [default: hit_ratio].
    #[arg(long)]
    pub metric: Option<String>,
    /// Varied parameter on the x axis [default: the first that varies].
    #[arg(long = "x", value_name = "PATH")]
    pub x: Option<String>,
    /// Varied parameter with one line per value [default: the other ones that vary].
    #[arg(long, value_name = "PATH")]
    pub series: Option<String>,
}

impl SweepChartArgs {
    pub fn choice(&self) -> SweepChoice {
        SweepChoice { metric: self.metric.clone(), x: self.x.clone(), series: self.series.clone() }
    }
}

#[derive(Debug, Args)]
pub struct PlotArgs {
    /// A results folder written by `cdnsim run` or `cdnsim sweep`.
    pub dir: PathBuf,
    #[command(flatten)]
    pub sweep: SweepChartArgs,
}

pub fn run_plot(args: PlotArgs) -> anyhow::Result<ExitCode> {
    plot_and_say(&args.dir, &args.sweep.choice())?;
    Ok(ExitCode::SUCCESS)
}

/// Plots `dir` and says where the charts went.
pub fn plot_and_say(dir: &Path, choice: &SweepChoice) -> anyhow::Result<()> {
    let plotted = plot::plot_dir(dir, choice)?;
    let charts = plotted.files.iter().filter(|f| f.ends_with(".png")).count();
    let noun = if charts == 1 { "chart" } else { "charts" };
    outln!("{charts} {noun} (PNG and SVG) and {} in {}", plot::REPORT_FILE, dir.display());
    Ok(())
}
