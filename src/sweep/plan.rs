//! A sweep's plan: the base scenario, its points (the cartesian product of
//! every `--vary`), its runs (each point times each replicate), their seeds,
//! and the slice of them one shard runs.
//!
//! Everything here is a pure function of the arguments, so every machine of a
//! cluster computes the same plan, and a run's seed depends only on the base
//! seed, its point and its replicate, never on which thread or shard ran it.

use super::error::SweepError;
use super::vary::Vary;
use crate::rng::run_seed;
use crate::scenario::{Override, Scenario, ScenarioError};
use std::fmt;
use std::path::{Path, PathBuf};

/// Most runs one sweep may hold; past this a `--vary` is almost certainly a
/// mistake, and `sweep.csv` would run to tens of gigabytes.
pub const MAX_RUNS: u64 = 10_000_000;

/// One run: a point of the sweep and a replicate of it. Orders as the rows of
/// `sweep.csv` do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RunId {
    pub point: u64,
    pub replicate: u64,
}

/// `--shard K/N`: the K-th (1-based) of N slices of the points. Point `p`
/// belongs to shard `p % N + 1`: round robin, so that shards get a fair mix
/// of cheap and expensive points when a varied field changes a run's cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    pub fn parse(text: &str) -> Result<Shard, SweepError> {
        let bad = || {
            SweepError::argument(
                format!("--shard {text:?} is not K/N with 1 <= K <= N"),
                "write e.g. --shard 2/8 for the second of eight slices",
            )
        };
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (u64, u64) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    pub fn contains(self, point: u64) -> bool {
        point % self.count == self.index - 1
    }

    /// How many of `points` points fall in this shard.
    pub fn points_of(self, points: u64) -> u64 {
        let first = self.index - 1;
        if first >= points { 0 } else { (points - first).div_ceil(self.count) }
    }
}

/// A base scenario refused for a value one of the sweep file's `set`s gave
/// is that `set`'s problem: it names the sweep file and the entry.
fn blame_file_set(e: ScenarioError, sets: &[Override], from_file: Option<&FromFile>) -> SweepError {
    let (Some(f), Some(field)) = (from_file, e.field_error()) else { return e.into() };
    let Some(i) = sets[..f.sets].iter().position(|s| field.set_by.as_deref() == Some(s.text.as_str())) else {
        return e.into();
    };
    f.fields.error(
        &format!("sweep.set[{i}]"),
        format!("{}: `{}`: {}", field.file.display(), field.field, field.problem),
        field.fix.clone(),
    )
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// What the user asked for: command-line flags merged over a sweep file,
/// before anything is checked.
#[derive(Clone, Debug)]
pub struct SweepSpec {
    pub scenario: PathBuf,
    /// `--set PATH=VALUE`, applied to every point before its varied values.
    pub sets: Vec<String>,
    pub varies: Vec<Vary>,
    pub replicates: u64,
    /// Base seed; the scenario's `simulation.seed` when `None`.
    pub seed: Option<u64>,
    pub requests: Option<u64>,
    pub shard: Option<Shard>,
    /// What came from a sweep file, so that its problems name the file.
    pub from_file: Option<FromFile>,
}

/// Which of a [`SweepSpec`]'s settings a sweep file gave (the command line
/// may override some), and where they are in it.
#[derive(Clone, Debug)]
pub struct FromFile {
    pub fields: super::file::FileFields,
    /// `scenario` always comes from the file.
    pub replicates: bool,
    pub requests: bool,
    /// The first this many `sets` and `varies` are the file's.
    pub sets: usize,
    pub varies: usize,
}

/// A checked sweep: the base scenario loads, every `--vary` has a value that
/// works, and the runs fit in [`MAX_RUNS`].
#[derive(Clone, Debug)]
pub struct Plan {
    scenario_path: PathBuf,
    scenario_text: String,
    scenario_name: String,
    sets: Vec<Override>,
    requests: Option<u64>,
    base_seed: u64,
    varies: Vec<Vary>,
    replicates: u64,
    points: u64,
    shard: Option<Shard>,
}

impl Plan {
    pub fn new(spec: SweepSpec) -> Result<Plan, SweepError> {
        if spec.replicates == 0 {
            return Err(SweepError::argument("--replicates must be at least 1", "drop it to run each point once"));
        }
        if spec.requests == Some(0) {
            return Err(SweepError::argument("--requests must be at least 1", "drop it to use the scenario's own"));
        }
        let from_file = spec.from_file.as_ref();
        let scenario_text = std::fs::read_to_string(&spec.scenario).map_err(|e| match from_file {
            Some(f) => f.fields.error(
                "sweep.scenario",
                format!("cannot read the scenario {}: {e}", spec.scenario.display()),
                "name the scenario file relative to the sweep file's folder, e.g. scenario = \"quickstart.toml\"",
            ),
            None => ScenarioError::Unreadable { file: spec.scenario.clone(), reason: e.to_string() }.into(),
        })?;
        let sets = spec
            .sets
            .iter()
            .enumerate()
            .map(|(i, s)| {
                Override::parse(s).map_err(|p| match from_file.filter(|f| i < f.sets) {
                    Some(f) => f.fields.error(&format!("sweep.set[{i}]"), p, "write \"PATH=VALUE\", as after --set"),
                    None => SweepError::argument(p, "see scenarios/README.md for field paths"),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut base = Scenario::from_toml_str(&spec.scenario, &scenario_text, &sets)
            .map_err(|e| blame_file_set(e, &sets, from_file))?;
        if let Some(n) = spec.requests {
            base.stop_after_requests(n).map_err(|e| match (from_file.filter(|f| f.requests), e.field_error()) {
                (Some(f), Some(field)) => f.fields.error(
                    "sweep.requests",
                    format!(
                        "{}: {}",
                        field.file.display(),
                        field.problem.trim_start_matches(&format!("--requests {n}: "))
                    ),
                    format!("lower requests, or {}", field.fix),
                ),
                _ => e.into(),
            })?;
        }
        check_varies(&spec)?;
        let mut plan = Plan {
            scenario_name: base.name.clone(),
            base_seed: spec.seed.unwrap_or(base.simulation.seed),
            scenario_path: spec.scenario,
            scenario_text,
            sets,
            requests: spec.requests,
            varies: Vec::new(),
            replicates: spec.replicates,
            points: 1,
            shard: spec.shard,
        };
        for (i, vary) in spec.varies.iter().enumerate() {
            plan.check_some_value_works(vary).map_err(|e| match (e, from_file.filter(|f| i < f.varies)) {
                (SweepError::Vary { problem, fix, .. }, Some(f)) => {
                    f.fields.error(&format!("sweep.vary[{i}]"), problem, fix)
                }
                (e, _) => e,
            })?;
        }
        plan.points =
            spec.varies.iter().try_fold(1u64, |acc, v| acc.checked_mul(v.values.len() as u64)).unwrap_or(u64::MAX);
        let runs = plan.points.saturating_mul(plan.replicates);
        if runs > MAX_RUNS {
            let problem = format!(
                "the sweep has {runs} runs ({} points x {} replicates), more than {MAX_RUNS}",
                plan.points, plan.replicates
            );
            return Err(match from_file {
                Some(f) if f.replicates => f.fields.error(
                    "sweep.replicates",
                    problem,
                    "lower replicates, vary fewer fields or use coarser steps",
                ),
                Some(f) if f.varies > 0 => {
                    f.fields.error("sweep.vary", problem, "vary fewer fields or use coarser steps")
                }
                _ => SweepError::argument(problem, "vary fewer fields or use coarser steps"),
            });
        }
        plan.varies = spec.varies;
        Ok(plan)
    }

    /// A `--vary` whose every value fails on its own is a wrong path or a
    /// wrong kind of value: a bad argument, not a sweep with failed points.
    fn check_some_value_works(&self, vary: &Vary) -> Result<(), SweepError> {
        let mut first_error = None;
        for value in &vary.values {
            let mut overrides = self.sets.clone();
            overrides.push(value.set.clone());
            match Scenario::from_toml_str(&self.scenario_path, &self.scenario_text, &overrides) {
                Ok(_) => return Ok(()),
                Err(e) => first_error = first_error.or(Some(e)),
            }
        }
        let error = first_error.expect("a vary has at least one value");
        // The scenario's own fix, said once, rather than its whole message.
        let (why, fix) = match error.field_error() {
            Some(f) => (
                format!("{}: `{}`: {}", f.file.display(), f.field, f.problem),
                format!("{}; check the field path and the values against scenarios/README.md", f.fix),
            ),
            None => (error.to_string(), "check the field path and the values against scenarios/README.md".into()),
        };
        Err(SweepError::Vary {
            arg: format!("{}=...", vary.path),
            problem: format!(
                "no value of it gives a valid scenario; the first one, {}, fails: {why}",
                vary.values[0].cell
            ),
            fix,
        })
    }

    pub fn scenario_path(&self) -> &Path {
        &self.scenario_path
    }

    /// `simulation.name` of the base scenario.
    pub fn scenario_name(&self) -> &str {
        &self.scenario_name
    }

    pub fn varies(&self) -> &[Vary] {
        &self.varies
    }

    pub fn sets(&self) -> &[Override] {
        &self.sets
    }

    pub fn requests(&self) -> Option<u64> {
        self.requests
    }

    pub fn base_seed(&self) -> u64 {
        self.base_seed
    }

    pub fn replicates(&self) -> u64 {
        self.replicates
    }

    pub fn shard(&self) -> Option<Shard> {
        self.shard
    }

    /// Points of the whole sweep, every shard included.
    pub fn points(&self) -> u64 {
        self.points
    }

    /// The index of each vary's value at `point`: the first `--vary` changes
    /// slowest and the last fastest, as nested loops in the order written.
    pub fn value_indices(&self, point: u64) -> Vec<usize> {
        debug_assert!(point < self.points, "point {point} of {}", self.points);
        let mut rest = point;
        let mut indices = vec![0; self.varies.len()];
        for (slot, vary) in indices.iter_mut().zip(&self.varies).rev() {
            let n = vary.values.len() as u64;
            *slot = (rest % n) as usize;
            rest /= n;
        }
        indices
    }

    /// The varied values of `point`, as `sweep.csv` cells.
    pub fn point_cells(&self, point: u64) -> Vec<String> {
        self.value_indices(point).iter().zip(&self.varies).map(|(&i, v)| v.values[i].cell.clone()).collect()
    }

    /// The overrides of `point`: every `--set`, then its varied values.
    pub fn point_overrides(&self, point: u64) -> Vec<Override> {
        let varied = self.value_indices(point).into_iter().zip(&self.varies).map(|(i, v)| v.values[i].set.clone());
        self.sets.iter().cloned().chain(varied).collect()
    }

    /// The seed of a run; see [`run_seed`].
    pub fn seed(&self, run: RunId) -> u64 {
        run_seed(self.base_seed, run.point, run.replicate)
    }

    /// This shard's runs (every run without a shard), in `sweep.csv` order.
    pub fn runs(&self) -> impl Iterator<Item = RunId> + '_ {
        let shard = self.shard;
        (0..self.points)
            .filter(move |&p| shard.is_none_or(|s| s.contains(p)))
            .flat_map(move |point| (0..self.replicates).map(move |replicate| RunId { point, replicate }))
    }

    /// How many runs [`Plan::runs`] yields.
    pub fn run_count(&self) -> u64 {
        self.shard.map_or(self.points, |s| s.points_of(self.points)) * self.replicates
    }

    /// The scenario of `point`, validated; an error is that point's failure.
    pub fn scenario_for(&self, point: u64) -> Result<Scenario, ScenarioError> {
        let mut scenario =
            Scenario::from_toml_str(&self.scenario_path, &self.scenario_text, &self.point_overrides(point))?;
        if let Some(n) = self.requests {
            scenario.stop_after_requests(n)?;
        }
        Ok(scenario)
    }

    /// The `cdnsim run` command that replays one run of the sweep exactly.
    pub fn rerun_command(&self, run: RunId) -> String {
        let mut words = vec![
            "cdnsim".to_string(),
            "run".into(),
            shell_quote(&self.scenario_path.to_string_lossy()),
            "--seed".into(),
            self.seed(run).to_string(),
        ];
        if let Some(n) = self.requests {
            words.extend(["--requests".into(), n.to_string()]);
        }
        for ov in self.point_overrides(run.point) {
            words.extend(["--set".into(), shell_quote(&ov.text)]);
        }
        words.join(" ")
    }
}

fn check_varies(spec: &SweepSpec) -> Result<(), SweepError> {
    for (i, vary) in spec.varies.iter().enumerate() {
        check_vary(spec, i, vary).map_err(|e| match (e, spec.from_file.as_ref().filter(|f| i < f.varies)) {
            (SweepError::Vary { problem, fix, .. }, Some(f)) => {
                f.fields.error(&format!("sweep.vary[{i}]"), problem, fix)
            }
            (e, _) => e,
        })?;
    }
    Ok(())
}

fn check_vary(spec: &SweepSpec, i: usize, vary: &Vary) -> Result<(), SweepError> {
    let arg = || format!("{}=...", vary.path);
    if spec.varies[..i].iter().any(|earlier| earlier.path == vary.path) {
        return Err(SweepError::Vary {
            arg: arg(),
            problem: "this field is varied twice".into(),
            fix: "give all its values in one --vary".into(),
        });
    }
    if vary.path == "simulation.seed" {
        return Err(SweepError::Vary {
            arg: arg(),
            problem: "seeds are not a scenario parameter in a sweep: each run's seed is derived from the base seed"
                .into(),
            fix: "use --replicates N for N seeds per point, and --seed for the base seed".into(),
        });
    }
    if spec.requests.is_some() && matches!(vary.path.as_str(), "simulation.requests" | "simulation.duration") {
        return Err(SweepError::Vary {
            arg: arg(),
            problem: "--requests replaces the run length of every point, so this would vary nothing".into(),
            fix: "drop --requests (or the `requests` of the sweep file)".into(),
        });
    }
    Ok(())
}

/// Quotes a word for a POSIX shell, only when it needs it.
pub fn shell_quote(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=,+@%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCENARIO: &str = r#"
[simulation]
requests = 100
[[topology.regional_caches]]
region = "us-east-1"
[[topology.edges]]
name = "IAD1"
regional_cache = "us-east-1"
[[origins]]
name = "o"
region = "us-east-1"
[distribution.default_behavior]
origin = "o"
[traffic]
rate = 10
[[traffic.classes]]
name = "c"
share = 1.0
objects = 10
path = "/{id}"
size = "1 KiB"
"#;

    fn plan(varies: &[&str], replicates: u64, shard: Option<&str>) -> Result<Plan, SweepError> {
        let dir = std::env::temp_dir().join(format!("cdnsim-plan-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // A file per call: tests run in parallel, and a file being rewritten reads as empty.
        static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let path = dir.join(format!("s{}.toml", CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)));
        std::fs::write(&path, SCENARIO).unwrap();
        Plan::new(SweepSpec {
            scenario: path,
            sets: vec![],
            varies: varies.iter().map(|v| Vary::parse(v).unwrap()).collect(),
            replicates,
            seed: Some(9),
            requests: None,
            shard: shard.map(|s| Shard::parse(s).unwrap()),
            from_file: None,
        })
    }

    #[test]
    fn points_are_the_cartesian_product_last_vary_fastest() {
        let p = plan(&["caches.edge.capacity=1 MiB,2 MiB", "traffic.zipf_alpha=0.6:1.0:0.2"], 1, None).unwrap();
        assert_eq!(p.points(), 6);
        let all: Vec<Vec<String>> = (0..6).map(|i| p.point_cells(i)).collect();
        let expected = [
            ["1 MiB", "0.6"],
            ["1 MiB", "0.8"],
            ["1 MiB", "1.0"],
            ["2 MiB", "0.6"],
            ["2 MiB", "0.8"],
            ["2 MiB", "1.0"],
        ];
        assert_eq!(all, expected.map(|r| r.map(String::from).to_vec()));
        let scenario = p.scenario_for(4).unwrap();
        assert_eq!(scenario.caches.edge.capacity_bytes, 2 << 20);
        assert_eq!(scenario.traffic.classes[0].zipf_alpha, 0.8);
    }

    #[test]
    fn no_vary_is_one_point() {
        let p = plan(&[], 3, None).unwrap();
        assert_eq!((p.points(), p.run_count()), (1, 3));
        assert_eq!(p.point_cells(0), Vec::<String>::new());
    }

    #[test]
    fn seeds_depend_only_on_base_point_and_replicate() {
        let p = plan(&["traffic.zipf_alpha=0.6,0.8"], 2, None).unwrap();
        let seeds: Vec<u64> = p.runs().map(|r| p.seed(r)).collect();
        assert_eq!(seeds.len(), 4);
        let unique: std::collections::BTreeSet<u64> = seeds.iter().copied().collect();
        assert_eq!(unique.len(), 4, "every run has its own seed");
        assert_eq!(seeds[3], run_seed(9, 1, 1));
        // A shard computes the same seed for the same run.
        let shard = plan(&["traffic.zipf_alpha=0.6,0.8"], 2, Some("2/2")).unwrap();
        let run = RunId { point: 1, replicate: 1 };
        assert_eq!(shard.runs().collect::<Vec<_>>(), [RunId { point: 1, replicate: 0 }, run]);
        assert_eq!(shard.seed(run), seeds[3]);
    }

    #[test]
    fn shards_partition_the_points_round_robin() {
        let p = plan(&["traffic.zipf_alpha=0.1:1.0:0.1"], 1, None).unwrap();
        let all: Vec<RunId> = p.runs().collect();
        let mut union = Vec::new();
        for k in 1..=3 {
            let s = plan(&["traffic.zipf_alpha=0.1:1.0:0.1"], 1, Some(&format!("{k}/3"))).unwrap();
            assert_eq!(s.runs().count() as u64, s.run_count());
            union.extend(s.runs());
        }
        union.sort();
        assert_eq!(union, all);
        assert!(Shard::parse("4/3").unwrap_err().to_string().contains("1 <= K <= N"));
        assert!(Shard::parse("0/3").is_err() && Shard::parse("1").is_err() && Shard::parse("a/b").is_err());
        assert_eq!(Shard { index: 5, count: 5 }.points_of(3), 0);
    }

    #[test]
    fn bad_varies_are_bad_arguments() {
        let e = plan(&["traffic.zipf_alfa=0.6,0.8"], 1, None).unwrap_err().to_string();
        assert!(e.contains("no value of it gives a valid scenario") && e.contains("unknown field"), "{e}");
        let e = plan(&["traffic.zipf_alpha=1", "traffic.zipf_alpha=2"], 1, None).unwrap_err().to_string();
        assert!(e.contains("varied twice"), "{e}");
        let e = plan(&["simulation.seed=1,2"], 1, None).unwrap_err().to_string();
        assert!(e.contains("--replicates"), "{e}");
        assert!(plan(&[], 0, None).is_err());
        // One bad value among good ones is a failed point, not a bad argument.
        assert!(plan(&["caches.edge.capacity=1 MiB,-1 MiB"], 1, None).is_ok());
    }

    #[test]
    fn rerun_commands_replay_the_run() {
        let p = plan(&["caches.edge.capacity=1 MiB,5 GiB", "origins[0].concurrency=7"], 1, None).unwrap();
        let command = p.rerun_command(RunId { point: 1, replicate: 0 });
        let seed = p.seed(RunId { point: 1, replicate: 0 });
        assert!(command.starts_with("cdnsim run "), "{command}");
        assert!(
            command.ends_with(&format!(
                "--seed {seed} --set 'caches.edge.capacity=5 GiB' --set 'origins[0].concurrency=7'"
            )),
            "{command}"
        );
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("a.b=1"), "a.b=1");
    }
}
