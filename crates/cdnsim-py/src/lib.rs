//! `cdnsim._native`: the compiled half of the `cdnsim` Python package
//! (`python/cdnsim/`), a thin layer over the `cdnsim` library. Each function
//! does what a `cdnsim` command does, through the same library calls, and
//! hands back the bytes the command would write (the Python half parses
//! them into dicts and DataFrames), so that the package's results are the
//! command line's by construction.
//!
//! Simulations run on a thread of their own while the calling thread, the
//! GIL released, waits for them and checks for signals every
//! `SIGNAL_CHECK`: a KeyboardInterrupt sets a flag that the engine's
//! progress callback reads (every 65,536 events; `mrc`'s reading, every
//! 65,536 requests), and the run stops there.
//! Errors become `cdnsim.Error` (a ValueError) carrying the command line's
//! message, file, field, line and fix included; a broken accounting
//! identity, a cdnsim bug, becomes `cdnsim.AccountingError`; a panic
//! becomes `cdnsim.Error` saying it is a bug, never a crash.

use cdnsim::engine::{self, Stopped};
use cdnsim::metrics::accounting::AccountingError as BrokenAccounting;
use cdnsim::mrc::{MrcFlags, MrcOptions};
use cdnsim::replay::TraceInput;
use cdnsim::report;
use cdnsim::scenario::{EvictionPolicy, Override, Scenario, TrafficFrom};
use cdnsim::signing::{SigningOptions, VerifyOptions};
use cdnsim::sweep::{Plan, SweepSpec, Vary};
use cdnsim::trace::edge_map::EdgeMap;
use pyo3::create_exception;
use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// The `cdnsim` binary's allocator (its `main.rs` says why), for the
/// memory this module's runs allocate: results as fast as the command
/// line's. Python's own objects keep Python's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

create_exception!(cdnsim, Error, PyValueError, "Bad input to cdnsim: the message names the file, field, line and fix.");
create_exception!(
    cdnsim,
    AccountingError,
    PyRuntimeError,
    "A run whose counters do not add up: a bug in cdnsim (the command line exits 70)."
);

/// How often the waiting thread looks for a KeyboardInterrupt: Python runs
/// signal handlers only on the main thread, and only when asked.
const SIGNAL_CHECK: Duration = Duration::from_millis(20);

/// The name a scenario given as a dict goes by in messages and records: its
/// positions (line:column) are those of the TOML the dict was written as.
const DICT_SCENARIO: &str = "<scenario dict>";

/// What a run hands to Python: the summary as `--format json` prints it, the
/// result files (name, bytes) in the order the command writes them, and the
/// warnings the command prints on stderr.
type RunOutput<'py> = (String, Vec<(&'static str, Bound<'py, PyBytes>)>, Vec<String>);

/// Where a run's scenario comes from.
enum ScenarioText {
    File(PathBuf),
    /// TOML written from a dict shaped like the file.
    Dict(String),
}

impl ScenarioText {
    fn new(path: Option<PathBuf>, json: Option<String>) -> anyhow::Result<ScenarioText> {
        match (path, json) {
            (Some(path), None) => Ok(ScenarioText::File(path)),
            (None, Some(json)) => Ok(ScenarioText::Dict(toml_of_json(&json)?)),
            _ => anyhow::bail!("give the scenario as a path or as a dict"),
        }
    }

    fn path(&self) -> &Path {
        match self {
            ScenarioText::File(path) => path,
            ScenarioText::Dict(_) => Path::new(DICT_SCENARIO),
        }
    }

    fn load(&self, overrides: &[Override], traffic_from: TrafficFrom) -> anyhow::Result<Scenario> {
        Ok(match self {
            ScenarioText::File(path) => Scenario::load_for(path, overrides, traffic_from)?,
            ScenarioText::Dict(text) => Scenario::from_toml_str_for(self.path(), text, overrides, traffic_from)?,
        })
    }

    /// The text `scenario.toml` records (read again, as the command does).
    fn text(&self) -> anyhow::Result<String> {
        match self {
            ScenarioText::File(path) => {
                std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))
            }
            ScenarioText::Dict(text) => Ok(text.clone()),
        }
    }
}

/// A dict shaped like a scenario file (as JSON, which Python's `json` wrote)
/// as TOML text.
fn toml_of_json(json: &str) -> anyhow::Result<String> {
    let value: serde_json::Value = serde_json::from_str(json)?;
    anyhow::ensure!(
        value.is_object(),
        "{DICT_SCENARIO}: a scenario is a dict of tables, e.g. {{\"simulation\": {{...}}}}"
    );
    toml::to_string(&value).map_err(|e| {
        anyhow::anyhow!(
            "{DICT_SCENARIO}: cannot be written as TOML ({e}); fix: use only dicts, lists, strings, numbers and \
             booleans (no None)"
        )
    })
}

fn overrides(sets: &[String]) -> anyhow::Result<Vec<Override>> {
    sets.iter().map(|s| Override::parse(s).map_err(anyhow::Error::msg)).collect()
}

/// Runs a scenario as `cdnsim run` does (with `trace`, as `cdnsim run --trace`).
#[pyfunction]
#[pyo3(signature = (path, json, seed, requests, sets, trace, threads))]
#[allow(clippy::too_many_arguments)]
fn run<'py>(
    py: Python<'py>,
    path: Option<PathBuf>,
    json: Option<String>,
    seed: Option<u64>,
    requests: Option<u64>,
    sets: Vec<String>,
    trace: Option<PathBuf>,
    threads: Option<usize>,
) -> PyResult<RunOutput<'py>> {
    let (summary, files, warnings) = interruptible(py, move |stop| {
        let source = ScenarioText::new(path, json)?;
        let traffic_from = if trace.is_some() { TrafficFrom::Trace } else { TrafficFrom::Classes };
        let mut scenario = source.load(&overrides(&sets)?, traffic_from)?;
        let mut warnings: Vec<String> = scenario.import_warnings.iter().map(|w| w.to_string()).collect();
        match requests {
            Some(0) => anyhow::bail!("--requests must be at least 1"),
            // With a trace, --requests only limits the records read.
            Some(n) if trace.is_none() => scenario.stop_after_requests(n)?,
            _ => {}
        }
        let seed = seed.unwrap_or(scenario.simulation.seed);
        if let Some(trace) = &trace {
            let input = TraceInput::default();
            let (report, stats) = cdnsim::replay::run_trace_stoppable(
                &scenario,
                seed,
                trace,
                &input,
                &EdgeMap::default(),
                requests,
                &mut |_| go_on_unless(stop),
            )?;
            let files = cdnsim::replay::trace_result_files(&report, &scenario, &stats)?;
            let summary = cdnsim::replay::trace_summary_json(&report, &scenario, &stats)?;
            return Ok((summary.to_string(), files, warnings));
        }
        // As `cdnsim run --threads`: all cores unless told; never a
        // different result.
        let threads = match threads {
            Some(0) => anyhow::bail!("threads must be at least 1 (or None for every core)"),
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        let report =
            engine::run_on_threads(&scenario, seed, threads, &mut |_| go_on_unless(stop)).map_err(|e| match e {
                engine::RunError::Stopped(stopped) => anyhow::Error::from(stopped),
                engine::RunError::Accounting(broken) => broken.into(),
            })?;
        let mut files = report::result_files(&report, &scenario)?;
        files.push(("scenario.toml", report::scenario_record(&source.text()?, source.path(), seed, requests, &sets)));
        let summary = report::summary(&report, &scenario)?;
        warnings.extend(report::nothing_measured_warning(&report, &scenario, &summary));
        Ok((report::summary_json(&summary), files, warnings))
    })?;
    Ok((summary, files.into_iter().map(|(name, bytes)| (name, PyBytes::new(py, &bytes))).collect(), warnings))
}

/// Replays a trace through one cache as `cdnsim replay` does.
#[pyfunction]
#[pyo3(signature = (trace, cache_size, policy, ttl, requests))]
fn replay<'py>(
    py: Python<'py>,
    trace: PathBuf,
    cache_size: String,
    policy: String,
    ttl: Option<String>,
    requests: Option<u64>,
) -> PyResult<RunOutput<'py>> {
    let (summary, files) = interruptible(py, move |stop| {
        if let Some(n) = requests {
            anyhow::ensure!(n > 0, "--requests must be at least 1");
        }
        let policy: EvictionPolicy = policy.parse().map_err(|e| anyhow::anyhow!("--policy: {e}"))?;
        let scenario = cdnsim::replay::replay_setup(&trace, &cache_size, policy, ttl.as_deref())?;
        let (report, stats) = cdnsim::replay::run_trace_stoppable(
            &scenario,
            0,
            &trace,
            &TraceInput::default(),
            &EdgeMap::default(),
            requests,
            &mut |_| go_on_unless(stop),
        )?;
        let files = cdnsim::replay::trace_result_files(&report, &scenario, &stats)?;
        let summary = cdnsim::replay::trace_summary_json(&report, &scenario, &stats)?;
        Ok((summary.to_string(), files))
    })?;
    Ok((summary, files.into_iter().map(|(name, bytes)| (name, PyBytes::new(py, &bytes))).collect(), Vec::new()))
}

/// Computes miss-ratio curves as `cdnsim mrc --out DIR` does: the summary
/// is `mrc.json`, the files `mrc.csv` and `mrc.json`. Ctrl-C stops the
/// reading (asked every 65,536 requests); Belady's pass after it runs out.
#[pyfunction]
#[pyo3(signature = (trace, sizes, points, policies, sample_rate, sample_objects, threads, requests))]
#[allow(clippy::too_many_arguments)]
fn mrc<'py>(
    py: Python<'py>,
    trace: PathBuf,
    sizes: Option<String>,
    points: usize,
    policies: Vec<String>,
    sample_rate: Option<f64>,
    sample_objects: Option<u64>,
    threads: Option<usize>,
    requests: Option<u64>,
) -> PyResult<RunOutput<'py>> {
    let (summary, files) = interruptible(py, move |stop| {
        let options = MrcOptions::from_args(&MrcFlags {
            sizes: sizes.as_deref(),
            points,
            policies: &policies,
            sample_rate,
            sample_objects,
            limit: requests,
        })?;
        let result = cdnsim::mrc::mrc_on_threads(threads, &trace, &TraceInput::default(), &options, &mut |_| {
            go_on_unless(stop)
        })?;
        let json = cdnsim::mrc::json(&result)?;
        let files = vec![("mrc.csv", cdnsim::mrc::csv_bytes(&result.rows)?), ("mrc.json", json.clone().into_bytes())];
        Ok((json, files))
    })?;
    Ok((summary, files.into_iter().map(|(name, bytes)| (name, PyBytes::new(py, &bytes))).collect(), Vec::new()))
}

/// The file a sweep of a dict scenario runs: its TOML, written into the
/// sweep's folder, since each of a sweep's rows names the scenario file it
/// ran so that it can be run again.
const DICT_SWEEP_SCENARIO: &str = "scenario.toml";

/// Runs a sweep into `out` as `cdnsim sweep --out OUT` does; the number of
/// failed runs (their rows say why). A dict scenario (`json`) is swept from
/// `out/scenario.toml`, written first (an existing one must hold the same
/// text: another sweep's is never overwritten).
#[pyfunction]
#[pyo3(signature = (path, json, out, varies, sets, replicates, jobs, seed, requests))]
#[allow(clippy::too_many_arguments)]
fn sweep(
    py: Python<'_>,
    path: Option<PathBuf>,
    json: Option<String>,
    out: PathBuf,
    varies: Vec<String>,
    sets: Vec<String>,
    replicates: u64,
    jobs: Option<usize>,
    seed: Option<u64>,
    requests: Option<u64>,
) -> PyResult<usize> {
    interruptible(py, move |stop| {
        let source = ScenarioText::new(path, json)?;
        // Written by this call, so removed again if the sweep cannot start.
        let mut wrote: Option<PathBuf> = None;
        let scenario = match &source {
            ScenarioText::File(path) => path.clone(),
            ScenarioText::Dict(text) => {
                // A dict that is no scenario is refused as `cdnsim.run` refuses it, before anything is written.
                source.load(&[], TrafficFrom::Classes)?;
                let file = out.join(DICT_SWEEP_SCENARIO);
                match std::fs::read_to_string(&file) {
                    Ok(there) => anyhow::ensure!(
                        there == *text,
                        "{}: holds another scenario (fix: choose another out)",
                        file.display()
                    ),
                    Err(_) => {
                        report::write_files(&out, &[(DICT_SWEEP_SCENARIO, text.clone().into_bytes())])?;
                        wrote = Some(file.clone());
                    }
                }
                file
            }
        };
        let plan = (|| {
            let varies = varies.iter().map(|v| Vary::parse(v)).collect::<Result<Vec<_>, _>>()?;
            let spec = SweepSpec { scenario, sets, varies, replicates, seed, requests, shard: None, from_file: None };
            anyhow::Ok(Plan::new(spec)?)
        })();
        let plan = match plan {
            Ok(plan) => plan,
            Err(e) => {
                if let Some(file) = wrote {
                    let _ = std::fs::remove_file(file);
                }
                return Err(e);
            }
        };
        let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        let finished = cdnsim::sweep::run_sweep_stoppable(&plan, &out, jobs, false, &mut |_| {}, stop)?;
        Ok(finished.failures.len())
    })
}

/// Signs a URL as `cdnsim sign url` does.
#[pyfunction]
#[pyo3(signature = (url, key_pair_id, private_key, date_less_than, policy_resource, date_greater_than, ip_address, hash_algorithm))]
#[allow(clippy::too_many_arguments)]
fn sign_url(
    py: Python<'_>,
    url: String,
    key_pair_id: String,
    private_key: String,
    date_less_than: String,
    policy_resource: Option<String>,
    date_greater_than: Option<String>,
    ip_address: Option<String>,
    hash_algorithm: Option<String>,
) -> PyResult<String> {
    let options =
        SigningOptions { key_pair_id, private_key, date_less_than, date_greater_than, ip_address, hash_algorithm };
    py.detach(|| cdnsim::signing::sign_url(&url, policy_resource.as_deref(), &options)).map_err(to_python)
}

/// Signs cookies as `cdnsim sign cookies` does: (name, value) of each
/// CloudFront-* cookie, in the order it prints them.
#[pyfunction]
#[pyo3(signature = (url, key_pair_id, private_key, date_less_than, policy_resource, date_greater_than, ip_address, hash_algorithm))]
#[allow(clippy::too_many_arguments)]
fn sign_cookies(
    py: Python<'_>,
    url: Option<String>,
    key_pair_id: String,
    private_key: String,
    date_less_than: String,
    policy_resource: Option<String>,
    date_greater_than: Option<String>,
    ip_address: Option<String>,
    hash_algorithm: Option<String>,
) -> PyResult<Vec<(&'static str, String)>> {
    let options =
        SigningOptions { key_pair_id, private_key, date_less_than, date_greater_than, ip_address, hash_algorithm };
    py.detach(|| cdnsim::signing::sign_cookies(url.as_deref(), policy_resource.as_deref(), &options))
        .map(|cookies| cookies.pairs())
        .map_err(to_python)
}

/// Verifies a signed URL (or, with `cookies`, signed cookies) as `cdnsim
/// verify` does: (accepted, verdict line, detail line).
#[pyfunction]
#[pyo3(signature = (url, public_keys, trusted, at, ip, cookies, now))]
#[allow(clippy::too_many_arguments)]
fn verify(
    py: Python<'_>,
    url: String,
    public_keys: Vec<String>,
    trusted: Vec<String>,
    at: Option<String>,
    ip: Option<String>,
    cookies: Option<String>,
    now: i64,
) -> PyResult<(bool, String, String)> {
    py.detach(|| {
        let ip = ip
            .map(|text| {
                text.parse().map_err(|e| anyhow::anyhow!("--ip {text:?}: {e} (fix: give an IPv4 or IPv6 address)"))
            })
            .transpose()?;
        let options = VerifyOptions { public_keys, trusted, at, ip };
        let verdict = cdnsim::signing::verify(&url, cookies.as_deref(), &options, now)?;
        Ok((verdict.accepted, verdict.verdict, verdict.detail))
    })
    .map_err(to_python)
}

/// Writes result files into `dir` all or nothing, as the command line does.
#[pyfunction]
fn write_files(py: Python<'_>, dir: PathBuf, files: Vec<(String, Vec<u8>)>) -> PyResult<()> {
    py.detach(|| {
        let files: Vec<(&str, Vec<u8>)> = files.iter().map(|(name, bytes)| (name.as_str(), bytes.clone())).collect();
        report::write_files(&dir, &files)
    })
    .map_err(to_python)
}

/// `Continue`, or `Break` once `stop` is set.
fn go_on_unless(stop: &AtomicBool) -> ControlFlow<Stopped> {
    if stop.load(Ordering::Relaxed) { ControlFlow::Break(Stopped) } else { ControlFlow::Continue(()) }
}

/// Runs `work` on a thread of its own while this one, the GIL released,
/// waits and checks for signals. On a KeyboardInterrupt (or any exception a
/// signal handler raises) it sets the flag `work` is handed, waits for
/// `work` to notice and end, and raises the exception.
fn interruptible<T: Send>(py: Python<'_>, work: impl FnOnce(&AtomicBool) -> anyhow::Result<T> + Send) -> PyResult<T> {
    let stop = AtomicBool::new(false);
    let (done, finished) = mpsc::channel::<()>();
    std::thread::scope(|scope| {
        let stop = &stop;
        let worker = scope.spawn(move || {
            let result = work(stop);
            let _ = done.send(());
            result
        });
        let mut finished = finished;
        loop {
            // The receiver goes into the GIL-free closure and comes back (it is not Sync).
            let (waited, back) = py.detach(move || (finished.recv_timeout(SIGNAL_CHECK), finished));
            finished = back;
            // Disconnected: the worker panicked before it could say so.
            if !matches!(waited, Err(mpsc::RecvTimeoutError::Timeout)) {
                break;
            }
            if let Err(interrupt) = py.check_signals() {
                stop.store(true, Ordering::Relaxed);
                let _ = py.detach(|| worker.join());
                return Err(interrupt);
            }
        }
        match py.detach(|| worker.join()) {
            Ok(result) => result.map_err(to_python),
            Err(panic) => {
                let message = cdnsim::sweep::exec::panic_message(panic.as_ref());
                Err(Error::new_err(format!("cdnsim panicked ({message}); this is a cdnsim bug: please report it")))
            }
        }
    })
}

/// An error as the command line words it (`cdnsim: error: {err:#}`), as the
/// Python exception for its kind.
fn to_python(err: anyhow::Error) -> PyErr {
    if err.chain().any(|cause| cause.is::<Stopped>()) {
        return PyKeyboardInterrupt::new_err(format!("{err:#}"));
    }
    if err.chain().any(|cause| cause.is::<BrokenAccounting>()) {
        return AccountingError::new_err(format!("{err:#}"));
    }
    Error::new_err(format!("{err:#}"))
}

/// The module: its functions and exceptions (`python/cdnsim/__init__.py`
/// re-exports them; `_native.pyi` types them).
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("Error", m.py().get_type::<Error>())?;
    m.add("AccountingError", m.py().get_type::<AccountingError>())?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(replay, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(mrc, m)?)?;
    m.add_function(wrap_pyfunction!(sign_url, m)?)?;
    m.add_function(wrap_pyfunction!(sign_cookies, m)?)?;
    m.add_function(wrap_pyfunction!(verify, m)?)?;
    m.add_function(wrap_pyfunction!(write_files, m)?)?;
    Ok(())
}
