//! Any text as CloudFront distribution JSON (`cdnsim import distribution`):
//! reading it never panics, and a distribution that imports gives scenario
//! tables and a scenario template, and the template loads as a scenario
//! (unless it asks for a class to be added by hand).
#![no_main]

use cdnsim::scenario::Scenario;
use cdnsim::scenario::import::{self, ImportOptions};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let file = Path::new("fuzz-input/distribution.json");
    let Ok(imported) = import::import_distribution(file, &text, &ImportOptions::default()) else {
        return;
    };
    let parts = import::to_parts(&imported);
    let _ = import::to_toml_text(&imported, &parts);
    let template = import::scenario_template(&imported, &parts, "fuzz");
    // A behavior no class path reaches first (an earlier one shadows it) gets
    // a comment asking for a class by hand, and the loader refuses such a
    // template until then: by design.
    if template.contains("\n# No class for ") {
        return;
    }
    if let Err(e) = Scenario::from_toml_str(Path::new("fuzz-input/template.toml"), &template, &[]) {
        panic!("an imported distribution's template does not load: {e}\n--- json\n{text}\n--- template\n{template}");
    }
});
