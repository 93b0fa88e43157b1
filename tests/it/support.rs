//! The single place the tests call the library and the binary through, so an
//! API change touches one file.

use cdnsim::cdn::traffic::{Catalog, Scripted};
use cdnsim::engine::{self, Report};
use cdnsim::http::Method;
use cdnsim::report::{self, Summary};
use cdnsim::scenario::{Override, Scenario};
use cdnsim::time::SimTime;
use std::path::Path;

/// A tiny distribution with constant latencies, so that times can be worked
/// out by hand: viewer RTT 10 ms, edge <-> regional cache 20 ms, regional
/// cache <-> origin 30 ms, origin service 40 ms. A miss that goes all the way
/// therefore takes 10 + 20 + 30 + 40 = 100 ms; an edge hit takes 10 ms.
/// Every object is 1000 bytes.
pub const TINY: &str = r#"
[simulation]
requests = 1000
metrics_interval = "1 s"

[[topology.regional_caches]]
region = "us-east-1"

[[topology.edges]]
name = "IAD1"
regional_cache = "us-east-1"
viewer_rtt = "10 ms"
regional_rtt = "20 ms"

[[topology.edges]]
name = "IAD2"
regional_cache = "us-east-1"
viewer_rtt = "10 ms"
regional_rtt = "20 ms"

[[topology.links]]
from = "us-east-1"
to = "origin"
rtt = "30 ms"

[caches.edge]
capacity = "3000 B"

[caches.regional]
capacity = "1 MiB"

[[origins]]
name = "origin"
region = "us-east-1"
latency = "40 ms"

[distribution]
[[distribution.behaviors]]
path_pattern = "/api/*"
origin = "origin"
allowed_methods = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
max_ttl = 0
default_ttl = 0

[distribution.default_behavior]
origin = "origin"

[traffic]
rate = 100

[[traffic.classes]]
name = "static"
share = 0.9
objects = 100
path = "/s/{id}"
size = "1000 B"
cache_control = "max-age=10"

[[traffic.classes]]
name = "api"
share = 0.1
objects = 10
path = "/api/{id}"
size = "1000 B"
cache_control = "no-store"
methods = { GET = 0.5, POST = 0.5 }
"#;

/// Two Regions with one edge location each, constant latencies: viewer RTT
/// 10 ms, each edge to its regional cache 20 ms, us-east-1 <-> eu-west-1
/// 80 ms; one class of ten 1000-byte objects cached for 10 minutes.
/// `rest` adds the origins, their links, behaviors and anything else.
pub fn two_regions(rest: &str) -> String {
    format!(
        r#"
[simulation]
requests = 10
[[topology.regional_caches]]
region = "us-east-1"
[[topology.regional_caches]]
region = "eu-west-1"
[[topology.edges]]
name = "IAD1"
regional_cache = "us-east-1"
viewer_rtt = "10 ms"
regional_rtt = "20 ms"
[[topology.edges]]
name = "DUB1"
regional_cache = "eu-west-1"
viewer_rtt = "10 ms"
regional_rtt = "20 ms"
[[topology.links]]
from = "us-east-1"
to = "eu-west-1"
rtt = "80 ms"
{rest}
[traffic]
rate = 1
[[traffic.classes]]
name = "c"
share = 1
objects = 10
path = "/s/{{id}}"
size = "1000 B"
cache_control = "max-age=600"
"#
    )
}

/// Parses scenario text with `--set`-style overrides; panics on an invalid one.
pub fn scenario(text: &str, sets: &[&str]) -> Scenario {
    try_scenario(text, sets).unwrap_or_else(|e| panic!("{e}"))
}

pub fn try_scenario(text: &str, sets: &[&str]) -> Result<Scenario, cdnsim::scenario::ScenarioError> {
    let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    Scenario::from_toml_str(Path::new("test.toml"), text, &overrides)
}

/// One scripted request: (seconds, edge, method, path).
pub type Step<'a> = (f64, &'a str, Method, &'a str);

/// Runs `scenario` on exactly the scripted requests.
pub fn run_script(scenario: &Scenario, steps: &[Step]) -> Report {
    let catalog = Catalog::build(scenario, 1);
    let entries: Vec<(SimTime, &str, Method, &str)> =
        steps.iter().map(|&(s, edge, m, path)| (SimTime((s * 1e6) as u64), edge, m, path)).collect();
    let mut script = Scripted::from_paths(scenario, &catalog, &entries).unwrap();
    engine::run_with(scenario, 1, catalog, &mut script, &mut |_| {}).expect("the accounting adds up")
}

pub fn summarize(report: &Report, scenario: &Scenario) -> Summary {
    report::summary(report, scenario).expect("the run's month can be priced")
}

/// Runs the scenario's own traffic.
pub fn run(scenario: &Scenario, seed: u64) -> Report {
    engine::run(scenario, seed, &mut |_| {}).expect("the accounting adds up")
}

/// Runs the `cdnsim` binary; returns (exit code, stdout, stderr).
pub fn cdnsim(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cdnsim")).args(args).output().expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A fresh temporary folder for one test.
/// Sweeps the scenario file `path` with `args` (its `--requests`, `--vary`
/// and the like) once at `--jobs 1` and once at `--jobs 4`, into `one` and
/// `four` under `dir`, and returns those two output folders, for the caller
/// to compare the files it cares about.
pub fn sweep_at_jobs_1_and_4(dir: &Path, path: &str, args: &[&str]) -> (std::path::PathBuf, std::path::PathBuf) {
    let sweep = |name: &str, jobs: &str| {
        let out = dir.join(name);
        let head = ["sweep", path, "--no-progress", "--jobs", jobs, "--out", out.to_str().unwrap()];
        let (code, stdout, stderr) = cdnsim(&[&head[..], args].concat());
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        out
    };
    (sweep("one", "1"), sweep("four", "4"))
}

/// Every file in `dir` (not its folders) as (name, bytes), by name: what a
/// run wrote, to compare byte for byte with another run's.
pub fn folder_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir:?}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    files.sort();
    files
}

pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cdnsim-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Starts the `cdnsim` binary without waiting, stdout and stderr discarded,
/// for tests that interrupt it.
pub fn cdnsim_spawn(args: &[&str]) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_cdnsim"))
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the binary starts")
}

/// The path of the `cdnsim` binary under test, for scripts that run it.
pub fn cdnsim_path() -> &'static str {
    env!("CARGO_BIN_EXE_cdnsim")
}

/// Runs the `cdnsim` binary with `input` on its stdin, as a person typing
/// (or a script piping) answers; returns (exit code, stdout, stderr).
pub fn cdnsim_with_stdin(args: &[&str], input: &str) -> (i32, String, String) {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cdnsim"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary starts");
    // The binary may stop reading early (a quiz that ends); a closed pipe is fine.
    let _ = child.stdin.take().expect("piped").write_all(input.as_bytes());
    let out = child.wait_with_output().expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
