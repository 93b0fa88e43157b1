//! A sweep's files, and all of this module's I/O.
//!
//! - `sweep.json`: what the sweep is (scenario, seed, `--set`, `--vary`,
//!   replicates, shard), so that `--resume` and `merge` can refuse rows that
//!   belong to another sweep.
//! - `sweep.csv`: one row per run, appended as runs finish, in run order, each
//!   with one write of a whole line. After an interrupt the file holds only
//!   complete rows (at worst, a torn last line, which `--resume` drops).
//! - `sweep-summary.csv`: one row per point, written whole at the end.

use super::error::SweepError;
use super::exec::{Outcome, execute};
use super::plan::{Plan, RunId, Shard};
use super::rows::{STATUS_FAILED, Table, csv_line, plan_header};
use super::stats::{PointSummary, summarize, summary_csv};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

pub const PLAN_FILE: &str = "sweep.json";
pub const ROWS_FILE: &str = "sweep.csv";
pub const SUMMARY_FILE: &str = "sweep-summary.csv";

/// `sweep.json`: everything that decides the rows of `sweep.csv`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Rows from another version may differ, so they are not mixed.
    pub cdnsim_version: String,
    pub scenario: String,
    pub seed: u64,
    pub requests: Option<u64>,
    pub set: Vec<String>,
    pub vary: Vec<ManifestVary>,
    pub replicates: u64,
    /// Points and runs of the whole sweep, every shard included.
    pub points: u64,
    pub runs: u64,
    /// `K/N`, or `None` for a whole sweep (and for merged shards).
    pub shard: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManifestVary {
    pub path: String,
    pub values: Vec<String>,
}

impl Manifest {
    pub fn of(plan: &Plan) -> Manifest {
        Manifest {
            cdnsim_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario: plan.scenario_path().to_string_lossy().into_owned(),
            seed: plan.base_seed(),
            requests: plan.requests(),
            set: plan.sets().iter().map(|o| o.text.clone()).collect(),
            vary: plan
                .varies()
                .iter()
                .map(|v| ManifestVary { path: v.path.clone(), values: v.value_texts() })
                .collect(),
            replicates: plan.replicates(),
            points: plan.points(),
            runs: plan.points() * plan.replicates(),
            shard: plan.shard().map(|s| s.to_string()),
        }
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("a manifest is plain data");
        bytes.push(b'\n');
        bytes
    }

    fn read(dir: &Path) -> Result<Manifest, SweepError> {
        let path = dir.join(PLAN_FILE);
        let bytes = std::fs::read(&path).map_err(SweepError::io("read", &path))?;
        serde_json::from_slice(&bytes).map_err(|e| {
            SweepError::results(&path, format!("is not a sweep description: {e}"), "start the sweep in a new folder")
        })
    }

    /// The fields in which two manifests differ, for messages.
    fn differences(&self, other: &Manifest) -> Vec<String> {
        let (a, b) =
            (serde_json::to_value(self).expect("plain data"), serde_json::to_value(other).expect("plain data"));
        let (a, b) = (a.as_object().expect("a struct"), b.as_object().expect("a struct"));
        a.iter().filter(|(key, value)| b.get(*key) != Some(value)).map(|(key, _)| key.clone()).collect()
    }
}

/// What the caller is told while a sweep runs (the CLI draws it).
#[derive(Debug)]
pub enum Event<'a> {
    /// `runs` in this shard, `done` of them already in `sweep.csv` (resumed).
    Started { runs: u64, done: u64 },
    /// A run's row was written; `done` rows are in `sweep.csv` now.
    Finished { outcome: &'a Outcome, done: u64 },
}

/// A failed run as `sweep.csv` records it.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    pub run: RunId,
    /// (path, value) of each varied field.
    pub varied: Vec<(String, String)>,
    pub error: String,
    pub rerun: String,
}

/// What a finished sweep or merge holds.
#[derive(Clone, Debug)]
pub struct Finished {
    pub dir: PathBuf,
    /// Rows in `sweep.csv`; `resumed` of them were there before this command.
    pub runs: u64,
    pub resumed: u64,
    pub vary_paths: Vec<String>,
    pub points: Vec<PointSummary>,
    pub failures: Vec<Failure>,
}

/// Runs `plan` into `dir`: `sweep.json` first, then `sweep.csv` row by row,
/// then `sweep-summary.csv`. With `resume`, rows already in `dir` are kept
/// and their runs skipped (a missing `sweep.csv` starts afresh, so a
/// requeued cluster job can always pass `--resume`).
pub fn run_sweep(
    plan: &Plan,
    dir: &Path,
    jobs: usize,
    resume: bool,
    on_event: &mut dyn FnMut(Event),
) -> Result<Finished, SweepError> {
    run_sweep_stoppable(plan, dir, jobs, resume, on_event, &AtomicBool::new(false))
}

/// `run_sweep` that stops once `stop` is set (by another thread: a Ctrl-C),
/// the runs in flight included, with `SweepError::Stopped`: the rows
/// written by then stay, and `--resume` continues from there.
pub fn run_sweep_stoppable(
    plan: &Plan,
    dir: &Path,
    jobs: usize,
    resume: bool,
    on_event: &mut dyn FnMut(Event),
    stop: &AtomicBool,
) -> Result<Finished, SweepError> {
    let rows_path = dir.join(ROWS_FILE);
    let manifest = Manifest::of(plan);
    let header = plan_header(plan);
    let done = if rows_path.exists() {
        if !resume {
            return Err(SweepError::results(
                &rows_path,
                "already holds a sweep's rows",
                "add --resume to continue that sweep, or choose another --out",
            ));
        }
        let on_disk = Manifest::read(dir)?;
        if on_disk != manifest {
            return Err(SweepError::results(
                dir.join(PLAN_FILE),
                format!("describes another sweep (it differs in: {})", on_disk.differences(&manifest).join(", ")),
                "resume with the same arguments as the first run, or choose another --out",
            ));
        }
        resume_rows(plan, &rows_path, &header)?
    } else {
        crate::report::write_files(dir, &[(PLAN_FILE, manifest.to_bytes())])
            .map_err(|e| SweepError::results(dir, format!("{e:#}"), "check the folder can be written"))?;
        BTreeSet::new()
    };
    if done.is_empty() {
        // Anything left (a lone or torn header) is replaced by a fresh header.
        std::fs::write(&rows_path, csv_line(&header)).map_err(SweepError::io("write", &rows_path))?;
    }
    let mut file =
        std::fs::OpenOptions::new().append(true).open(&rows_path).map_err(SweepError::io("open", &rows_path))?;
    let todo: Vec<RunId> = plan.runs().filter(|run| !done.contains(run)).collect();
    let mut written = done.len() as u64;
    on_event(Event::Started { runs: plan.run_count(), done: written });
    execute(plan, &todo, jobs, stop, &mut |outcome| {
        // One write of the whole line: an interrupt leaves complete rows.
        file.write_all(&outcome.line).and_then(|()| file.flush()).map_err(SweepError::io("write", &rows_path))?;
        written += 1;
        on_event(Event::Finished { outcome: &outcome, done: written });
        Ok(())
    })?;
    drop(file);
    let mut table = read_complete(&rows_path)?;
    if !table.rows.is_sorted_by_key(|row| row.run) {
        // Only a hand-edited file gets here: rows are appended in run order.
        table.rows.sort_by_key(|row| row.run);
        write_whole(dir, &[(ROWS_FILE, table.to_bytes())])?;
    }
    write_whole(dir, &[(SUMMARY_FILE, summary_csv(&table))])?;
    Ok(finished(dir, &table, done.len() as u64))
}

/// Drops a torn last line, then checks that every row left belongs to this
/// plan and returns their runs.
fn resume_rows(plan: &Plan, rows_path: &Path, header: &[String]) -> Result<BTreeSet<RunId>, SweepError> {
    let bytes = std::fs::read(rows_path).map_err(SweepError::io("read", rows_path))?;
    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    if complete < bytes.len() {
        let file =
            std::fs::OpenOptions::new().write(true).open(rows_path).map_err(SweepError::io("open", rows_path))?;
        file.set_len(complete as u64).map_err(SweepError::io("truncate", rows_path))?;
    }
    if complete == 0 {
        return Ok(BTreeSet::new());
    }
    let table = Table::parse(rows_path, &bytes[..complete])?;
    if table.header != header {
        return Err(SweepError::results(
            rows_path,
            "its columns are not this sweep's",
            "resume with the same arguments as the first run, or choose another --out",
        ));
    }
    let mut done = BTreeSet::new();
    for row in &table.rows {
        let run = row.run;
        let belongs = run.point < plan.points()
            && run.replicate < plan.replicates()
            && plan.shard().is_none_or(|s| s.contains(run.point))
            && row.cells[2] == plan.seed(run).to_string()
            && row.cells[3..3 + plan.varies().len()] == plan.point_cells(run.point)[..];
        if !belongs || !done.insert(run) {
            return Err(SweepError::results(
                rows_path,
                format!("the row of point {} replicate {} is not one of this sweep's runs", run.point, run.replicate),
                "remove that row, or start the sweep in a new folder",
            ));
        }
    }
    Ok(done)
}

/// Reads a `sweep.csv` that must end with a complete row.
fn read_complete(path: &Path) -> Result<Table, SweepError> {
    let bytes = std::fs::read(path).map_err(SweepError::io("read", path))?;
    if !bytes.ends_with(b"\n") {
        return Err(SweepError::results(
            path,
            "ends in a partial row: the sweep that wrote it was interrupted",
            "finish it by running the same command again with --resume",
        ));
    }
    Table::parse(path, &bytes)
}

fn write_whole(dir: &Path, files: &[(&str, Vec<u8>)]) -> Result<(), SweepError> {
    crate::report::write_files(dir, files)
        .map_err(|e| SweepError::results(dir, format!("{e:#}"), "check the folder can be written"))
}

fn finished(dir: &Path, table: &Table, resumed: u64) -> Finished {
    let vary_paths = table.header[3..3 + table.vary_count()].to_vec();
    let (status, error, rerun) = (table.column("status"), table.column("error"), table.column("rerun"));
    let cell = |row: &super::rows::Row, column: Option<usize>| column.map(|c| row.cells[c].clone()).unwrap_or_default();
    let failures = table
        .rows
        .iter()
        .filter(|row| status.is_some_and(|s| row.cells[s] == STATUS_FAILED))
        .map(|row| Failure {
            run: row.run,
            varied: vary_paths.iter().cloned().zip(row.cells[3..3 + vary_paths.len()].iter().cloned()).collect(),
            error: cell(row, error),
            rerun: cell(row, rerun),
        })
        .collect();
    Finished {
        dir: dir.to_path_buf(),
        runs: table.rows.len() as u64,
        resumed,
        points: summarize(table),
        failures,
        vary_paths,
    }
}

/// Combines the folders of the shards `1/N` to `N/N` of one sweep into `out`:
/// the `sweep.csv` (byte for byte) and `sweep-summary.csv` that one machine
/// running the whole sweep would have written, and its `sweep.json`.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<Finished, SweepError> {
    let Some(first) = dirs.first() else {
        return Err(SweepError::argument(
            "no shard folders to merge",
            "name them: cdnsim merge results/x-shard-* --out results/x",
        ));
    };
    let out_canonical = std::fs::canonicalize(out).ok();
    // The first shard read: every other must be of the same sweep, with the same columns.
    let mut base: Option<(PathBuf, Manifest, Vec<String>)> = None;
    let mut folders = ShardFolders::default();
    let mut rows = Vec::new();
    for dir in dirs {
        let (shard, manifest, table) = read_shard(dir, out, out_canonical.as_deref())?;
        let whole = Manifest { shard: None, ..manifest.clone() };
        match &base {
            None => base = Some((dir.clone(), whole, table.header.clone())),
            Some((first_dir, first_manifest, header)) => {
                check_same_sweep(dir, (first_dir, first_manifest), &whole, *header == table.header)?;
            }
        }
        folders.claim(shard, dir, first)?;
        let expected = shard.points_of(manifest.points) * manifest.replicates;
        if table.rows.len() as u64 != expected {
            return Err(SweepError::results(
                dir,
                format!("shard {shard} holds {} of its {expected} runs", table.rows.len()),
                "finish it by running its command again with --resume",
            ));
        }
        rows.extend(table.rows);
    }
    folders.check_none_missing()?;
    let (_, manifest, header) = base.expect("at least one folder was read");
    rows.sort_by_key(|row| row.run);
    if rows.windows(2).any(|w| w[0].run == w[1].run) || rows.len() as u64 != manifest.runs {
        return Err(SweepError::argument(
            "the shards do not hold each run of the sweep exactly once",
            "rerun the shards in new folders",
        ));
    }
    let table = Table { header, rows };
    write_whole(
        out,
        &[(PLAN_FILE, manifest.to_bytes()), (ROWS_FILE, table.to_bytes()), (SUMMARY_FILE, summary_csv(&table))],
    )?;
    Ok(finished(out, &table, table.rows.len() as u64))
}

/// One shard's folder: which shard it is, its manifest and its complete rows.
/// `out` must not be the folder: merging would overwrite what it reads.
fn read_shard(dir: &Path, out: &Path, out_canonical: Option<&Path>) -> Result<(Shard, Manifest, Table), SweepError> {
    if out_canonical.is_some() && std::fs::canonicalize(dir).ok().as_deref() == out_canonical {
        return Err(SweepError::argument(
            format!("--out {} is one of the shard folders", out.display()),
            "merge into a folder of its own",
        ));
    }
    let manifest = Manifest::read(dir)?;
    let shard = match manifest.shard.as_deref().map(Shard::parse) {
        Some(Ok(shard)) => shard,
        _ => {
            return Err(SweepError::results(
                dir,
                "is not a shard (its sweep.json has no `K/N` shard)",
                "merge only the folders of one sweep run with --shard K/N",
            ));
        }
    };
    let table = read_complete(&dir.join(ROWS_FILE))?;
    Ok((shard, manifest, table))
}

/// Refuses a shard of another sweep than the first folder's (`whole` is the
/// shard's manifest without its `K/N`), or one whose columns differ.
fn check_same_sweep(
    dir: &Path,
    (first_dir, first_manifest): (&PathBuf, &Manifest),
    whole: &Manifest,
    same_header: bool,
) -> Result<(), SweepError> {
    if first_manifest != whole {
        return Err(SweepError::results(
            dir,
            format!(
                "is a shard of another sweep than {} (they differ in: {})",
                first_dir.display(),
                first_manifest.differences(whole).join(", ")
            ),
            "merge only the folders of one sweep",
        ));
    }
    if !same_header {
        return Err(SweepError::results(
            dir,
            "its columns differ from the other shards'",
            "merge only the folders of one sweep",
        ));
    }
    Ok(())
}

/// Which of the shards `1/N` to `N/N` have been read, and from which folder.
#[derive(Default)]
struct ShardFolders {
    /// Index `K - 1` holds shard `K`'s folder; sized to `N` by the first shard.
    folders: Vec<Option<PathBuf>>,
}

impl ShardFolders {
    /// Records `dir` as its shard's folder; refuses a shard of another count
    /// than the first (`first`'s) and a shard read twice.
    fn claim(&mut self, shard: Shard, dir: &Path, first: &Path) -> Result<(), SweepError> {
        if self.folders.is_empty() {
            self.folders = vec![None; shard.count as usize];
        }
        if shard.count as usize != self.folders.len() {
            return Err(SweepError::results(
                dir,
                format!("is shard {shard}, but {} is of {} shards", first.display(), self.folders.len()),
                "merge only the folders of one sweep",
            ));
        }
        let slot = &mut self.folders[shard.index as usize - 1];
        if let Some(other) = slot {
            return Err(SweepError::results(
                dir,
                format!("is shard {shard}, as {} is", other.display()),
                "pass each shard's folder once",
            ));
        }
        *slot = Some(dir.to_path_buf());
        Ok(())
    }

    fn check_none_missing(&self) -> Result<(), SweepError> {
        let missing: Vec<String> = self
            .folders
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_none())
            .map(|(i, _)| format!("{}/{}", i + 1, self.folders.len()))
            .collect();
        if !missing.is_empty() {
            let (noun, verb) = if missing.len() == 1 { ("shard", "is") } else { ("shards", "are") };
            return Err(SweepError::argument(
                format!("{noun} {} {verb} missing", missing.join(", ")),
                "pass the folder of every shard",
            ));
        }
        Ok(())
    }
}
