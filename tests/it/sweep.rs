//! `cdnsim sweep` and `cdnsim merge` end to end: the points and their seeds,
//! the same bytes whatever `--jobs` or however the points are sharded, a bad
//! point among good ones, resuming after an interrupt, sweep files, and the
//! cluster examples. Runs are small (2000 requests of TINY) so the suite stays
//! fast in debug builds.

use crate::support::*;
use cdnsim::rng::run_seed;
use std::path::{Path, PathBuf};

/// Two varied fields: 3 capacities x 3 skews = 9 points.
const VARY: [&str; 4] =
    ["--vary", "caches.edge.capacity=2000 B,5000 B,20000 B", "--vary", "traffic.zipf_alpha=0.6:1.0:0.2"];

/// A temporary folder holding TINY as `tiny.toml`; sweeps write below it.
struct Fixture {
    dir: PathBuf,
    scenario: String,
}

fn fixture(name: &str) -> Fixture {
    let dir = temp_dir(&format!("sweep-{name}"));
    let scenario = dir.join("tiny.toml");
    std::fs::write(&scenario, TINY).unwrap();
    Fixture { scenario: scenario.to_str().unwrap().to_string(), dir }
}

impl Fixture {
    fn out(&self, name: &str) -> String {
        self.dir.join(name).to_str().unwrap().to_string()
    }

    /// `cdnsim sweep tiny.toml --requests 2000 --no-progress --out DIR/out ARGS...`
    fn sweep(&self, out: &str, args: &[&str]) -> (i32, String, String) {
        let out = self.out(out);
        let mut all = vec!["sweep", &self.scenario, "--requests", "2000", "--no-progress", "--out", &out];
        all.extend(args);
        cdnsim(&all)
    }

    fn read(&self, out: &str, file: &str) -> Vec<u8> {
        std::fs::read(self.dir.join(out).join(file)).unwrap_or_else(|e| panic!("{out}/{file}: {e}"))
    }

    fn rows(&self, out: &str) -> Vec<csv::StringRecord> {
        csv_rows(&self.dir.join(out).join("sweep.csv"))
    }
}

fn csv_rows(path: &Path) -> Vec<csv::StringRecord> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[0], "point");
    reader.records().map(|r| r.unwrap()).collect()
}

fn column(path: &Path, name: &str) -> usize {
    csv::Reader::from_path(path).unwrap().headers().unwrap().iter().position(|c| c == name).unwrap()
}

fn ok(result: (i32, String, String)) -> String {
    let (code, stdout, stderr) = result;
    assert_eq!(code, 0, "stdout:\n{stdout}\nstderr:\n{stderr}");
    stdout
}

#[test]
fn points_are_the_cartesian_product_of_every_vary() {
    let f = fixture("product");
    let stdout = ok(f.sweep("out", &[&VARY[..], &["--replicates", "2", "--jobs", "2"]].concat()));
    assert!(stdout.contains("9 points x 2 replicates: 18 runs (0 resumed), 0 failed"), "{stdout}");
    let rows = f.rows("out");
    assert_eq!(rows.len(), 18);
    let capacities = ["2000 B", "5000 B", "20000 B"];
    let alphas = ["0.6", "0.8", "1.0"];
    for (i, row) in rows.iter().enumerate() {
        let (point, replicate) = (i / 2, i % 2);
        assert_eq!((&row[0], &row[1]), (point.to_string().as_str(), replicate.to_string().as_str()));
        // The first --vary changes slowest, the last fastest.
        assert_eq!(&row[3], capacities[point / 3]);
        assert_eq!(&row[4], alphas[point % 3]);
        assert_eq!(&row[5], "ok");
    }
    let summary = String::from_utf8(f.read("out", "sweep-summary.csv")).unwrap();
    let lines: Vec<&str> = summary.lines().collect();
    assert_eq!(lines.len(), 10);
    assert!(lines[0].starts_with("point,caches.edge.capacity,traffic.zipf_alpha,runs,failed,hit_ratio_mean,"));
    assert!(lines[9].starts_with("8,20000 B,1.0,2,0,"), "{}", lines[9]);
}

#[test]
fn seeds_are_derived_from_base_point_and_replicate_and_rows_replay() {
    // Pinned: a change here changes the seed of every published sweep row.
    assert_eq!(run_seed(5, 0, 0), 12_038_581_038_462_365_557);
    let f = fixture("seeds");
    ok(f.sweep("out", &[&VARY[..], &["--replicates", "2", "--seed", "5"]].concat()));
    let rows = f.rows("out");
    for row in &rows {
        let (point, replicate): (u64, u64) = (row[0].parse().unwrap(), row[1].parse().unwrap());
        assert_eq!(row[2].parse::<u64>().unwrap(), run_seed(5, point, replicate));
    }
    // Any row is one `cdnsim run` with that seed and the point's values.
    let csv_path = f.dir.join("out/sweep.csv");
    let (hits, p99) = (column(&csv_path, "hits"), column(&csv_path, "latency_p99_ms"));
    let row = &rows[7]; // point 3 replicate 1: 5000 B, alpha 0.6
    let capacity = format!("caches.edge.capacity={}", &row[3]);
    let alpha = format!("traffic.zipf_alpha={}", &row[4]);
    let out = f.out("replay");
    let json = ok(cdnsim(&[
        "run",
        &f.scenario,
        "--seed",
        &row[2],
        "--requests",
        "2000",
        "--set",
        &capacity,
        "--set",
        &alpha,
        "--format",
        "json",
        "--out",
        &out,
    ]));
    let summary: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(summary["hits"].to_string(), row[hits]);
    assert_eq!(summary["latency_ms"]["p99"].to_string(), row[p99]);
}

#[test]
fn jobs_do_not_change_the_bytes() {
    let f = fixture("jobs");
    let args = [&VARY[..], &["--replicates", "3"]].concat();
    ok(f.sweep("one", &[&args[..], &["--jobs", "1"]].concat()));
    ok(f.sweep("two", &[&args[..], &["--jobs", "2"]].concat()));
    for file in ["sweep.csv", "sweep-summary.csv", "sweep.json"] {
        assert!(f.read("one", file) == f.read("two", file), "{file} differs between --jobs 1 and --jobs 2");
    }
}

#[test]
fn merged_shards_equal_the_unsharded_sweep() {
    let f = fixture("shards");
    let args = [&VARY[..], &["--replicates", "2"]].concat();
    ok(f.sweep("whole", &args));
    for k in 1..=3 {
        let stdout = ok(f.sweep(&format!("part-{k}"), &[&args[..], &["--shard", &format!("{k}/3")]].concat()));
        assert!(stdout.contains(&format!("shard {k}/3: 6 runs")), "{stdout}");
    }
    let parts: Vec<String> = [3, 1, 2].iter().map(|k| f.out(&format!("part-{k}"))).collect();
    let merged = f.out("merged");
    let stdout = ok(cdnsim(&["merge", &parts[0], &parts[1], &parts[2], "--out", &merged]));
    assert!(stdout.contains("merged 3 shard folders: 18 runs, 0 failed"), "{stdout}");
    for file in ["sweep.csv", "sweep-summary.csv", "sweep.json"] {
        assert!(f.read("whole", file) == f.read("merged", file), "merged {file} differs from the unsharded one");
    }
    // A missing shard is named.
    let (code, _, stderr) = cdnsim(&["merge", &parts[0], &parts[1], "--out", &f.out("incomplete")]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("shard 2/3 is missing"), "{stderr}");
    // So is a folder of another sweep.
    ok(f.sweep("other", &[&args[..], &["--shard", "2/3", "--seed", "9"]].concat()));
    let (code, _, stderr) = cdnsim(&["merge", &parts[0], &parts[1], &f.out("other"), "--out", &f.out("mixed")]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("is a shard of another sweep") && stderr.contains("differ in: seed"), "{stderr}");
}

#[test]
fn a_bad_point_is_reported_and_the_rest_complete() {
    let f = fixture("bad-point");
    let (code, stdout, stderr) =
        f.sweep("out", &["--vary", "caches.edge.capacity=2000 B,-1 B,5000 B", "--replicates", "2"]);
    assert_eq!(code, 1, "some runs failed: {stdout}\n{stderr}");
    assert!(stderr.contains("2 of 6 runs failed, at 1 point (status"), "{stderr}");
    assert!(stderr.contains("point 1 (caches.edge.capacity=-1 B): "), "{stderr}");
    let rows = f.rows("out");
    let status: Vec<&str> = rows.iter().map(|r| &r[4]).collect();
    assert_eq!(status, ["ok", "ok", "failed", "failed", "ok", "ok"]);
    let csv_path = f.dir.join("out/sweep.csv");
    let (error, rerun) = (column(&csv_path, "error"), column(&csv_path, "rerun"));
    assert!(rows[2][error].contains("`caches.edge.capacity`"), "{}", &rows[2][error]);
    assert!(rerun > error && rows[0][rerun].is_empty());
    let command = &rows[2][rerun];
    assert!(stderr.contains(&format!("rerun: {command}")), "{stderr}");
    // The rerun command, run by a shell, fails the same way.
    let script = command.replacen("cdnsim", cdnsim_path(), 1) + " --out " + &f.out("rerun");
    let replay = std::process::Command::new("sh").args(["-c", &script]).output().unwrap();
    assert_eq!(replay.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&replay.stderr).contains(&rows[2][error]));
    let summary = String::from_utf8(f.read("out", "sweep-summary.csv")).unwrap();
    assert!(summary.lines().nth(2).unwrap().starts_with("1,-1 B,2,2,,,"), "{summary}");
}

#[test]
fn resume_after_a_partial_file_gives_the_same_bytes() {
    let f = fixture("resume");
    let args = [&VARY[..], &["--replicates", "2"]].concat();
    ok(f.sweep("whole", &args));
    let whole = f.read("whole", "sweep.csv");
    // An interrupted sweep: its sweep.json, 5 rows and half of the 6th.
    let lines: Vec<usize> = whole.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1).collect();
    let cut = lines[5] + (lines[6] - lines[5]) / 2;
    std::fs::create_dir_all(f.dir.join("partial")).unwrap();
    std::fs::write(f.dir.join("partial/sweep.csv"), &whole[..cut]).unwrap();
    std::fs::write(f.dir.join("partial/sweep.json"), f.read("whole", "sweep.json")).unwrap();
    let stdout = ok(f.sweep("partial", &[&args[..], &["--resume"]].concat()));
    assert!(stdout.contains("18 runs (5 resumed)"), "{stdout}");
    assert!(f.read("partial", "sweep.csv") == whole, "the resumed sweep.csv differs");
    assert!(f.read("partial", "sweep-summary.csv") == f.read("whole", "sweep-summary.csv"));
    // Resuming a finished sweep runs nothing and changes nothing.
    let stdout = ok(f.sweep("partial", &[&args[..], &["--resume"]].concat()));
    assert!(stdout.contains("18 runs (18 resumed)"), "{stdout}");
    assert!(f.read("partial", "sweep.csv") == whole);
}

#[test]
fn a_killed_sweep_leaves_complete_rows_and_resumes() {
    let f = fixture("killed");
    let scenario = f.scenario.clone();
    let args = ["--vary", "traffic.zipf_alpha=0.1:3.0:0.1", "--replicates", "2", "--jobs", "2", "--no-progress"];
    let out = f.out("killed");
    let mut all = vec!["sweep", &scenario, "--requests", "5000", "--out", &out];
    all.extend(args);
    let mut child = cdnsim_spawn(&all);
    let csv_path = f.dir.join("killed/sweep.csv");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::fs::read(&csv_path).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count()) < 4 {
        assert!(std::time::Instant::now() < deadline, "the sweep wrote no rows");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL: harsher than the Ctrl-C it stands for
    child.wait().unwrap();
    let bytes = std::fs::read(&csv_path).unwrap();
    assert!(bytes.ends_with(b"\n"), "the file ends in a complete row");
    let rows = csv_rows(&csv_path);
    assert!(rows.len() < 60, "the kill came before the end ({} of 60 rows)", rows.len());
    assert!(rows.iter().all(|r| r.len() == rows[0].len()), "every row is whole");
    let mut resume = all.clone();
    resume.push("--resume");
    ok(cdnsim(&resume));
    let whole_out = f.out("whole");
    let mut whole = vec!["sweep", &scenario, "--requests", "5000", "--out", &whole_out];
    whole.extend(args);
    ok(cdnsim(&whole));
    assert!(f.read("killed", "sweep.csv") == f.read("whole", "sweep.csv"), "resumed after a kill != uninterrupted");
}

#[test]
fn existing_results_are_never_mixed_with_another_sweep() {
    let f = fixture("refuse");
    ok(f.sweep("out", &["--vary", "traffic.zipf_alpha=0.6,0.8"]));
    let (code, _, stderr) = f.sweep("out", &["--vary", "traffic.zipf_alpha=0.6,0.8"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("already holds a sweep's rows (fix: add --resume"), "{stderr}");
    let (code, _, stderr) = f.sweep("out", &["--vary", "traffic.zipf_alpha=0.6,0.9", "--resume"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("describes another sweep (it differs in: vary)"), "{stderr}");
    // --resume on an empty folder just starts.
    ok(f.sweep("fresh", &["--vary", "traffic.zipf_alpha=0.6,0.8", "--resume"]));
}

#[test]
fn a_sweep_file_runs_as_its_flags_do() {
    let f = fixture("file");
    let sweep_file = f.dir.join("tiny-sweep.toml");
    std::fs::write(
        &sweep_file,
        r#"
[sweep]
scenario = "tiny.toml"
replicates = 2
requests = 2000
vary = [
    "caches.edge.capacity=2000 B,5000 B,20000 B",
    { path = "traffic.zipf_alpha", values = [0.6, 0.8, 1.0] },
]
"#,
    )
    .unwrap();
    let out = f.out("from-file");
    ok(cdnsim(&["sweep", sweep_file.to_str().unwrap(), "--no-progress", "--out", &out]));
    ok(f.sweep("from-flags", &[&VARY[..], &["--replicates", "2"]].concat()));
    for file in ["sweep.csv", "sweep-summary.csv"] {
        assert!(f.read("from-file", file) == f.read("from-flags", file), "{file}: the file and the flags differ");
    }
    let stdout = ok(cdnsim(&["validate", sweep_file.to_str().unwrap()]));
    assert!(stdout.contains("9 points x 2 replicates = 18 runs") && stdout.contains("9 of 9 points load"), "{stdout}");
}

#[test]
fn the_bundled_capacity_sweep_runs_a_shard() {
    let f = fixture("bundled");
    let out = f.out("capacity");
    let stdout = ok(cdnsim(&[
        "sweep",
        "scenarios/capacity-sweep.toml",
        "--requests",
        "2000",
        "--replicates",
        "1",
        "--set",
        "simulation.warmup=0",
        "--shard",
        "8/8",
        "--no-progress",
        "--format",
        "json",
        "--out",
        &out,
    ]));
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(v["runs"], 2);
    let points: Vec<u64> = v["points"].as_array().unwrap().iter().map(|p| p["point"].as_u64().unwrap()).collect();
    assert_eq!(points, [7, 15], "shard 8/8 holds every 8th point");
    assert!(v["points"][0]["metrics"]["hit_ratio"]["mean"].is_number());
    assert_eq!(v["points"][1]["varied"]["caches.edge.capacity"], "4 GiB");
}

#[test]
fn bad_arguments_exit_2_and_say_what_to_fix() {
    let f = fixture("args");
    for (args, message) in [
        (&["--vary", "traffic.zipf_alpha"][..], "expected PATH=LIST"),
        (&["--vary", "traffic.zipf_alpha=1:0:0.5"], "below START"),
        (&["--vary", "traffic.zipf_alfa=0.6,0.8"], "no value of it gives a valid scenario"),
        (&["--vary", "simulation.seed=1,2"], "use --replicates N"),
        (&["--shard", "4/3"], "--shard \"4/3\" is not K/N"),
        (&["--jobs", "0"], "--jobs must be at least 1"),
        (&["--replicates", "0"], "--replicates must be at least 1"),
        (&["--set", "caches.edge.eviction=nope"], "unknown eviction policy"),
    ] {
        let (code, _, stderr) = f.sweep(&format!("out-{}", message.len()), args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

#[test]
fn the_slurm_example_runs_each_task_then_merges() {
    let f = fixture("slurm");
    let sweep_file = f.dir.join("tiny-sweep.toml");
    std::fs::write(&sweep_file, "[sweep]\nscenario = \"tiny.toml\"\nreplicates = 2\nrequests = 2000\nvary = [\"caches.edge.capacity=2000 B,5000 B,20000 B\", \"traffic.zipf_alpha=0.6:1.0:0.2\"]\n").unwrap();
    let out = f.out("capacity");
    let script = |task: Option<u32>, arg: Option<&str>| {
        let mut command = std::process::Command::new("bash");
        command.arg("examples/slurm-sweep.sh").args(arg);
        command.env("SWEEP", &sweep_file).env("OUT", &out).env("SHARDS", "3").env("CDNSIM", cdnsim_path());
        if let Some(k) = task {
            command.env("SLURM_ARRAY_TASK_ID", k.to_string()).env("SLURM_ARRAY_TASK_COUNT", "3");
        }
        let output = command.output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    };
    for k in 1..=3 {
        script(Some(k), None);
    }
    script(None, Some("merge"));
    ok(f.sweep("whole", &[&VARY[..], &["--replicates", "2"]].concat()));
    assert!(f.read("capacity", "sweep.csv") == f.read("whole", "sweep.csv"));
}

/// The example's submitting half, with an `sbatch` on PATH that records its
/// arguments and answers job ids 101, 102 as `--parsable` does. (.ci/slurm-check
/// submits to a real Slurm; this runs everywhere.) SUBMIT_ARGS go to both
/// jobs before the example's own flags, so the merge's `--cpus-per-task=1`
/// (later on the line, so sbatch takes it) wins over the tasks' 2.
#[test]
fn the_slurm_example_submits_the_array_then_the_merge() {
    let f = fixture("slurm-submit");
    let bin = f.dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let sbatch = bin.join("sbatch");
    std::fs::write(
        &sbatch,
        "#!/bin/sh\necho \"$*\" >> \"$FAKE_SBATCH_LOG\"\necho $((100 + $(wc -l < \"$FAKE_SBATCH_LOG\")))\n",
    )
    .unwrap();
    std::process::Command::new("chmod").arg("755").arg(&sbatch).status().unwrap();
    let log = f.dir.join("sbatch.log");
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let submit = |job_id: Option<&str>| {
        let mut command = std::process::Command::new("bash");
        command.arg("examples/slurm-sweep.sh").env("PATH", &path).env("FAKE_SBATCH_LOG", &log);
        command.env("SHARDS", "3").env("OUT", "results/x").env("SUBMIT_ARGS", "--cpus-per-task=2 --mem=1G");
        command.env_remove("SLURM_ARRAY_TASK_ID").env_remove("SLURM_JOB_ID");
        if let Some(id) = job_id {
            command.env("SLURM_JOB_ID", id);
        }
        command.output().unwrap()
    };
    let output = submit(None);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "submitted sweep array 101 (3 tasks) and merge job 102; results will be in results/x\n"
    );
    let calls = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        calls.lines().collect::<Vec<_>>(),
        [
            "--parsable --cpus-per-task=2 --mem=1G --array=1-3 examples/slurm-sweep.sh",
            "--parsable --cpus-per-task=2 --mem=1G --dependency=afterok:101 --job-name=cdnsim-merge \
             --cpus-per-task=1 --output=cdnsim-merge-%j.log examples/slurm-sweep.sh merge",
        ]
    );

    // `sbatch examples/slurm-sweep.sh` runs it as a plain job: it refuses
    // rather than submit again from inside that job.
    let output = submit(Some("7"));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("run it with bash, not sbatch"));
    assert_eq!(std::fs::read_to_string(&log).unwrap(), calls, "nothing more was submitted");
}

#[test]
fn the_kubernetes_example_shards_by_completion_index_and_merges() {
    let yaml = std::fs::read_to_string("examples/k8s-sweep.yaml").unwrap();
    for needle in [
        "completionMode: Indexed",
        "K=$((JOB_COMPLETION_INDEX + 1))",
        "--shard \"$K/$SHARDS\"",
        "--resume",
        "--out \"/results/capacity-shard-$K\"",
        "cdnsim merge /results/capacity-shard-* --out /results/capacity",
    ] {
        assert!(yaml.contains(needle), "examples/k8s-sweep.yaml lacks {needle}");
    }
    let completions = yaml.lines().find_map(|l| l.trim().strip_prefix("completions: ")).unwrap();
    assert!(yaml.contains(&format!("value: \"{completions}\"")), "SHARDS matches completions");
}

/// Issue 13, item 13: a problem found once a sweep file is planned (the
/// scenario it names cannot be read, too many runs, a `set` or a `vary` the
/// scenario refuses, `requests` past the metrics intervals) names the sweep
/// file, the field, its line and column, with exit status 2, for `sweep` and
/// `validate` alike.
#[test]
fn sweep_file_problems_name_the_sweep_file_and_line() {
    let f = fixture("file-errors");
    let cases = [
        (
            "[sweep]\nscenario = \"nope.toml\"\nreplicates = 3\n",
            ":2:1: `sweep.scenario`: cannot read the scenario ",
            "fix: name the scenario file relative to the sweep file's folder",
        ),
        (
            "[sweep]\nscenario = \"tiny.toml\"\nreplicates = 100_000_000\n",
            ":3:1: `sweep.replicates`: the sweep has 100000000 runs (1 points x 100000000 replicates), more than 10000000",
            "fix: lower replicates",
        ),
        (
            "[sweep]\nscenario = \"tiny.toml\"\nset = [\"traffic.rate=100\", \"traffic.rate=-1\"]\n",
            ":3:28: `sweep.set[1]`: ",
            "`traffic.rate`: -1 requests per second is out of range (fix: use a rate above 0",
        ),
        (
            "[sweep]\nscenario = \"tiny.toml\"\nset = [\"no-equals\"]\n",
            ":3:8: `sweep.set[0]`: --set \"no-equals\": expected PATH=VALUE",
            "fix: write \"PATH=VALUE\"",
        ),
        (
            "[sweep]\nscenario = \"tiny.toml\"\nvary = [\n  \"traffic.rate=-1,-2\",\n]\n",
            ":4:3: `sweep.vary[0]`: no value of it gives a valid scenario; the first one, -1, fails",
            "fix: use a rate above 0 and at most 1e8; check the field path",
        ),
        (
            "[sweep]\nscenario = \"tiny.toml\"\nvary = [\"simulation.seed=1,2\"]\n",
            ":3:9: `sweep.vary[0]`: seeds are not a scenario parameter",
            "fix: use --replicates N",
        ),
        (
            "[sweep]\nscenario = \"tiny.toml\"\nrequests = 1_000_000_000\n",
            ":3:1: `sweep.requests`: ",
            "tiny.toml: 1000000000 requests at 100 per second may take up to",
        ),
    ];
    for (i, (text, at, fix)) in cases.iter().enumerate() {
        let file = f.dir.join(format!("case{i}.toml"));
        std::fs::write(&file, text).unwrap();
        let path = file.to_str().unwrap();
        for command in ["validate", "sweep"] {
            let mut args = vec![command, path];
            let out = f.out(&format!("out{i}"));
            if command == "sweep" {
                args.extend(["--no-progress", "--out", &out]);
            }
            let (code, _, stderr) = cdnsim(&args);
            assert_eq!(code, 2, "{command} {text}: {stderr}");
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
            assert!(stderr.starts_with(&format!("cdnsim: error: {path}{at}")), "{command} {text}:\n{stderr}");
            assert!(stderr.contains(fix), "{command} {text}:\n{stderr}");
            assert_eq!(stderr.matches("(fix: ").count(), 1, "{stderr}");
            assert!(!Path::new(&out).exists(), "nothing written");
        }
    }
    // The same problems from the command line name the flag, not the file.
    let (code, _, stderr) = f.sweep("flags", &["--replicates", "100000000"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.starts_with("cdnsim: error: the sweep has 100000000 runs"), "{stderr}");
}
