//! Any text as a scenario file: loading never panics, and a scenario that
//! loads describes itself, and, when it is small, runs a few requests whose
//! accounting adds up and whose result files are made (the report asserts
//! that every request started within the metrics intervals).
#![no_main]

use cdnsim::engine;
use cdnsim::report;
use cdnsim::scenario::{Scenario, TrafficFrom};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

/// Viewer requests a run is capped to: enough to reach every tier, cheap.
const REQUESTS: u64 = 16;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // A file in the fuzz folder, so that a relative `private_key` or
    // `import` finds nothing rather than a file of the project.
    let file = Path::new("fuzz-input/scenario.toml");
    // For a trace the loader leaves out the checks only the classes need;
    // what it accepts must still describe itself.
    let for_trace = Scenario::from_toml_str_for(file, &text, &[], TrafficFrom::Trace);
    let Ok(mut scenario) = Scenario::from_toml_str_for(file, &text, &[], TrafficFrom::Classes) else {
        if let Ok(s) = for_trace {
            let _ = s.describe();
        }
        return;
    };
    assert!(for_trace.is_ok(), "a scenario valid for its classes is valid for a trace:\n{text}");
    let _ = scenario.describe();
    let _ = scenario.warmup_warning();
    if !cheap(&scenario) {
        return;
    }
    // Capped as `--requests` caps a run, with the same check; a scenario
    // whose few requests could outlast its intervals is refused, not run.
    if scenario.stop_after_requests(REQUESTS).is_err() {
        return;
    }
    let report = engine::run(&scenario, scenario.simulation.seed, &mut |_| {})
        .unwrap_or_else(|e| panic!("a validated scenario broke the accounting: {e}\n{text}"));
    assert!(report.requests_simulated >= REQUESTS, "{text}");
    report::result_files(&report, &scenario).expect("result files of a run that finished");
});

/// Whether building the run (a catalog entry per object, a cache per edge, a
/// credential per signed session, a weight per value of a Zipf-distributed
/// attribute) takes a moment, not seconds.
fn cheap(s: &Scenario) -> bool {
    s.total_objects() <= 10_000
        && s.topology.edges.len() <= 64
        && s.traffic.classes.iter().all(|c| c.signed.as_ref().is_none_or(|t| t.sessions <= 64))
        && s.traffic.classes.iter().all(|c| c.attributes.slots().all(|(_, _, a)| a.zipf_alpha == 0.0 || a.count() <= 100_000))
        && s.caches.edge.capacity_bytes <= 1 << 40
}
