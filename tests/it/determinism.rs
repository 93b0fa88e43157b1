//! Same scenario and seed, same bytes; another seed, other numbers.

use crate::support::*;

fn result_bytes(seed: u64) -> Vec<(&'static str, Vec<u8>)> {
    let s = scenario(TINY, &["simulation.requests=20000", "traffic.rate=2000"]);
    let report = run(&s, seed);
    cdnsim::report::result_files(&report, &s).unwrap()
}

#[test]
fn same_seed_gives_identical_files() {
    assert_eq!(result_bytes(7), result_bytes(7));
}

#[test]
fn another_seed_gives_other_results() {
    let (a, b) = (result_bytes(7), result_bytes(8));
    assert_eq!(a[0].0, "summary.csv");
    assert_ne!(a[0].1, b[0].1);
}

#[test]
fn the_binary_writes_identical_files_twice() {
    let dir = temp_dir("determinism");
    let scenario_path = dir.join("tiny.toml");
    std::fs::write(&scenario_path, TINY).unwrap();
    let mut outputs = Vec::new();
    for run in ["a", "b"] {
        let out = dir.join(run);
        let (code, _, stderr) = cdnsim(&[
            "run",
            scenario_path.to_str().unwrap(),
            "--requests",
            "5000",
            "--seed",
            "3",
            "--no-progress",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{stderr}");
        let files: Vec<Vec<u8>> = ["summary.csv", "tiers.csv", "behaviors.csv", "timeseries.csv"]
            .iter()
            .map(|f| std::fs::read(out.join(f)).unwrap())
            .collect();
        outputs.push(files);
    }
    assert_eq!(outputs[0], outputs[1]);
}
