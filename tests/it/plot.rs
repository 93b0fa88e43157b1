//! `cdnsim plot`, `run --plot` and `sweep --plot` end to end, on small real
//! runs of the bundled scenarios: every chart exists as PNG and SVG of the
//! right size with one line per series, and report.html renders in headless
//! Chromium with its charts visible.

use crate::support::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn repo(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path).to_str().unwrap().to_string()
}

fn ok(result: (i32, String, String)) -> String {
    let (code, stdout, stderr) = result;
    assert_eq!(code, 0, "stdout:\n{stdout}\nstderr:\n{stderr}");
    stdout
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

/// Polylines per series colour: a series draws its line and its legend
/// sample in its palette colour; axes and ticks are black.
fn series_colours(svg: &str) -> BTreeMap<String, usize> {
    let palette: Vec<String> =
        cdnsim::plot::draw::PALETTE.iter().map(|c| format!("stroke=\"#{:02X}{:02X}{:02X}\"", c.0, c.1, c.2)).collect();
    let mut found = BTreeMap::new();
    for polyline in svg.split("<polyline").skip(1) {
        let tag = &polyline[..polyline.find('>').unwrap()];
        if let Some(colour) = palette.iter().find(|p| tag.contains(p.as_str())) {
            *found.entry(colour.clone()).or_insert(0) += 1;
        }
    }
    found
}

/// Checks `<stem>.png` and `<stem>.svg` in `dir`; returns the SVG text.
fn chart(dir: &Path, stem: &str) -> String {
    let png = std::fs::read(dir.join(format!("{stem}.png"))).unwrap_or_else(|e| panic!("{stem}.png: {e}"));
    assert!(png.len() > 10_000, "{stem}.png is only {} bytes", png.len());
    assert_eq!(png_size(&png), (cdnsim::plot::draw::WIDTH, cdnsim::plot::draw::HEIGHT));
    let svg = std::fs::read_to_string(dir.join(format!("{stem}.svg"))).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"), "{stem}.svg is not a whole SVG");
    svg
}

/// The lines of an SVG chart: each series is a line plus a legend sample.
fn assert_series(svg: &str, stem: &str, names: &[&str]) {
    let colours = series_colours(svg);
    assert_eq!(colours.len(), names.len(), "{stem}: {colours:?}");
    assert!(colours.values().all(|n| *n == 2), "{stem}: each series has a line and a legend entry: {colours:?}");
    for name in names {
        assert!(svg.contains(name), "{stem}: no legend entry {name:?}");
    }
}

/// The failover scenario, shortened: the primary is black-holed from 20 s to
/// 35 s of a 60 s run at 100 requests/s.
fn failover_run(name: &str) -> PathBuf {
    let out = temp_dir(name).join("run");
    ok(cdnsim(&[
        "run",
        &repo("scenarios/origin-failover.toml"),
        "--no-progress",
        "--out",
        out.to_str().unwrap(),
        "--set",
        "simulation.duration=60 s",
        "--set",
        "simulation.warmup=5 s",
        "--set",
        "simulation.metrics_interval=5 s",
        "--set",
        "traffic.rate=100",
        "--set",
        "faults[0].start=20 s",
        "--set",
        "faults[0].end=35 s",
        "--plot",
    ]));
    out
}

#[test]
fn a_run_plots_every_chart_with_its_series() {
    let out = failover_run("plot-run");
    let faults = std::fs::read_to_string(out.join("faults.csv")).unwrap();
    assert_eq!(faults, "origin,kind,start_s,end_s,status,fraction,factor\nprimary-web,blackhole,20.0,35.0,,,\n");
    assert!(std::fs::read_to_string(out.join("scenario.toml")).unwrap().contains("# --set faults[0].start=20 s"));
    // Every hit was answered by one tier.
    let mut reader = csv::Reader::from_path(out.join("timeseries.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut regional = 0;
    for row in reader.records().map(Result::unwrap) {
        let n = |name: &str| row[at(name)].parse::<u64>().unwrap();
        assert_eq!(n("edge_hits") + n("regional_hits") + n("shield_hits"), n("hits"));
        regional += n("regional_hits");
    }
    assert!(regional > 0);

    let hits = chart(&out, "hit-ratio");
    assert_series(&hits, "hit-ratio", &["any cache", "edge", "regional edge cache"]);
    // The fault window is shaded and named in the legend.
    assert!(hits.contains("fault (primary-web: blackhole)"));
    let origin = chart(&out, "origin-load");
    assert_series(&origin, "origin-load", &["origin requests/s"]);
    assert!(origin.contains("peak ") && origin.contains(" req/s at "), "the peak is marked");
    assert_series(&chart(&out, "latency"), "latency", &["p50", "p95", "p99"]);
    assert_series(&chart(&out, "errors"), "errors", &["failovers/s", "viewer errors/s"]);
    assert!(!out.join("signing.png").exists(), "no signed behaviors, no signing chart");

    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    // The four charts of every run, and the bill's (its Cost section).
    assert_eq!(html.matches("<img class=\"chart\"").count(), 5);
    assert_eq!(html.matches("src=\"data:image/png;base64,").count(), 5, "charts are inlined");
    assert!(html.contains("<h2>Cost</h2>") && out.join("cost.png").exists());
    let cost = chart(&out, "cost");
    assert!(cost.contains("data transfer out") && cost.contains("requests"), "a bar per category");
    assert!(html.contains("<td>origin_peak_requests_per_s</td>") && html.contains("<h2>Scenario</h2>"));
    assert!(html.contains("members = [&quot;primary-web&quot;, &quot;backup-bucket&quot;]"), "escaped scenario");
    // No keys beyond the path, no functions, no compression, no origin
    // request policy: none of their files, so no sections of theirs.
    assert!(!html.contains("<h2>Cache keys</h2>") && !html.contains("<h2>Edge functions</h2>"));
    assert!(!out.join("cache-keys.png").exists() && !out.join("function-wait.png").exists());
    assert!(!out.join("compression.csv").exists() && !out.join("origin_requests.csv").exists());
    assert!(!html.contains("<h2>Compression</h2>") && !html.contains("<h2>Origin requests</h2>"));
    assert!(!out.join("compression.png").exists() && !out.join("origin-forwarding.png").exists());
    // No range GETs, no custom error responses: no sections of theirs; the
    // result types section is in every run's page, a table with no chart.
    assert!(!out.join("ranges.csv").exists() && !out.join("errors.csv").exists());
    assert!(!html.contains("<h2>Range GETs</h2>") && !html.contains("<h2>Custom error responses</h2>"));
    assert!(!out.join("range-bytes.png").exists() && !out.join("custom-errors.png").exists());
    let types = html.find("<h2>Result types</h2>").expect("a result types section");
    assert!(types < html.find("<h2>Scenario</h2>").unwrap());
}

/// Every file of a results folder, by name.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_name().unwrap().to_str().unwrap().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}

#[test]
fn a_keyed_run_charts_its_keys_and_explains_them() {
    let out = temp_dir("plot-keys").join("run");
    let stdout = ok(cdnsim(&[
        "run",
        &repo("scenarios/quickstart.toml"),
        "--no-progress",
        "--requests",
        "20000",
        "--set",
        "simulation.warmup=0 s",
        "--out",
        out.to_str().unwrap(),
        "--plot",
    ]));
    assert!(stdout.contains("8 charts"), "{stdout}");
    let keys = chart(&out, "cache-keys");
    // The three behaviors that cache; CachingDisabled's /api/* has no key.
    assert!(keys.contains("/static/*") && keys.contains("/images/*") && !keys.contains("/api/*"));
    let fragmentation = chart(&out, "fragmentation");
    assert!(fragmentation.contains("fragmentation misses") && fragmentation.contains("edge locations"));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(html.matches("<img class=\"chart\"").count(), 8);
    let section = html.find("<h2>Cache keys</h2>").expect("a cache keys section");
    assert!(html.find("<h2>Charts</h2>").unwrap() < section && section < html.find("<h2>Scenario</h2>").unwrap());
    assert!(html.contains("<th>fragmentation_share</th>") && html.contains("<td>images-by-size</td>"));
    assert!(html.contains("<figcaption><b>Cache keys per object, by behavior.</b> Distinct cache keys"));
    // Scripts and pages are compressed: the compression section, after the
    // cache keys, with the file's numbers; no origin request policy, none of its.
    let compression = html.find("<h2>Compression</h2>").expect("a compression section");
    assert!(section < compression && compression < html.find("<h2>Scenario</h2>").unwrap());
    assert!(!out.join("origin_requests.csv").exists() && !html.contains("<h2>Origin requests</h2>"));
    let table = csv_rows(&out.join("compression.csv"));
    let column = |name: &str| table[0].iter().position(|h| h == name).unwrap();
    let total = |name: &str| table[1..].iter().map(|r| r[column(name)].parse::<u64>().unwrap()).sum::<u64>();
    let (sent, saved) = (total("bytes_to_viewers"), total("bytes_saved"));
    assert!(saved > 0, "the quickstart's scripts and pages compress");
    let share = 100.0 * saved as f64 / (sent + saved) as f64;
    let totals = format!(
        "In all: {} saved ({share:.1}% of what viewers would have got: {sent} bytes sent instead of {});",
        cdnsim::units::format_size(saved),
        sent + saved
    );
    assert!(html.contains(&totals), "{totals}");
    assert_table(&html, &table);
    let bytes = chart(&out, "compression");
    assert!(bytes.contains("bytes to viewers") && bytes.contains("original bytes"));
    // Each encoding that answered a response has its bars, labelled with its MB.
    for row in &table[1..] {
        if row[column("responses")] != "0" {
            assert!(bytes.contains(&svg_text(&row[column("encoding")])), "{row:?}");
            let mb = row[column("original_bytes")].parse::<f64>().unwrap() / 1e6;
            assert!(bytes.contains(&svg_text(&format!(" {}", cdnsim::plot::chart::format_number(mb)))), "{row:?}");
        }
    }
    // Plotting again gives the same bytes.
    let first = files(&out);
    ok(cdnsim(&["plot", out.to_str().unwrap()]));
    assert_eq!(first, files(&out));
}

/// A CSV file's lines split at commas (header first); the files checked
/// here quote nothing.
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines().map(|l| l.split(',').map(str::to_string).collect()).collect()
}

/// A text element's content as the SVG backend writes it, on its own line.
fn svg_text(text: &str) -> String {
    format!(">\n{text}\n</text>")
}

/// report.html shows `table` (a CSV's header and rows) whole, in order.
fn assert_table(html: &str, table: &[Vec<String>]) {
    let header: String = table[0].iter().map(|h| format!("<th>{h}</th>")).collect();
    let mut at = html.find(&format!("<tr>{header}</tr>")).unwrap_or_else(|| panic!("no header {header}"));
    for row in &table[1..] {
        let cells: String = row
            .iter()
            .map(|c| {
                let numeric = c.chars().next().is_some_and(|c| c.is_ascii_digit());
                format!("<td{}>{c}</td>", if numeric { " class=\"n\"" } else { "" })
            })
            .collect();
        let found = html[at..].find(&format!("<tr>{cells}</tr>")).unwrap_or_else(|| panic!("no row {cells}"));
        at += found;
    }
}

/// Two behaviors on one origin that varies on `Accept-Language`: `/p/*`
/// forwards the header without keying it (mistailored copies), the default
/// behavior does not forward it (untailored responses).
const FORWARDING: &str = r#"
[simulation]
requests = 4000
metrics_interval = "10 s"
[[topology.regional_caches]]
region = "us-east-1"
[[topology.edges]]
name = "IAD1"
regional_cache = "us-east-1"
viewer_rtt = "1 ms"
regional_rtt = "1 ms"
[caches.edge]
capacity = "100 MB"
[caches.regional]
capacity = 0
[[origins]]
name = "web"
region = "us-east-1"
latency = "1 ms"
[distribution]
[[distribution.origin_request_policies]]
name = "language"
headers = { allow = ["Accept-Language"] }
[[distribution.behaviors]]
path_pattern = "/p/*"
origin = "web"
cache_policy = "CachingOptimizedForUncompressedObjects"
origin_request_policy = "language"
[distribution.default_behavior]
origin = "web"
cache_policy = "CachingOptimizedForUncompressedObjects"
[traffic]
rate = 100
[[traffic.classes]]
name = "forwarded"
share = 1
objects = 50
zipf_alpha = 0
path = "/p/{id}"
size = "1000 B"
cache_control = "max-age=31536000"
headers = [{ name = "Accept-Language", values = ["en", "de", "fr", "ja"] }]
origin_varies_on = ["Accept-Language"]
[[traffic.classes]]
name = "unforwarded"
share = 1
objects = 50
zipf_alpha = 0
path = "/q/{id}"
size = "1000 B"
cache_control = "max-age=31536000"
headers = [{ name = "Accept-Language", values = ["en", "de", "fr", "ja"] }]
origin_varies_on = ["Accept-Language"]
"#;

#[test]
fn a_run_forwarding_a_varying_header_charts_its_untailored_and_mistailored_answers() {
    let dir = temp_dir("plot-forwarding");
    let scenario = dir.join("forwarding.toml");
    std::fs::write(&scenario, FORWARDING).unwrap();
    let run = |name: &str| {
        let out = dir.join(name);
        ok(cdnsim(&["run", scenario.to_str().unwrap(), "--no-progress", "--out", out.to_str().unwrap(), "--plot"]));
        out
    };
    let out = run("run");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<h2>Origin requests</h2>"));
    // Nothing compresses and keys hold no more than the path: no sections of theirs.
    assert!(!out.join("compression.csv").exists() && !html.contains("<h2>Compression</h2>"));
    assert!(!out.join("compression.png").exists() && !html.contains("<h2>Cache keys</h2>"));
    let table = csv_rows(&out.join("origin_requests.csv"));
    assert_eq!(
        table[0],
        ["scope", "name", "cache_policy", "origin_request_policy", "requests", "untailored", "mistailored", "share"]
    );
    let number = |scope: &str, column: usize| {
        table[1..].iter().filter(|r| r[0] == scope).map(|r| r[column].parse::<u64>().unwrap()).sum::<u64>()
    };
    let (origin_requests, untailored) = (number("origin", 4), number("origin", 5));
    let (viewer_requests, mistailored) = (number("behavior", 4), number("behavior", 6));
    assert!(untailored > 0 && mistailored > 0, "{table:?}");
    let totals = format!(
        "In all: {untailored} of {origin_requests} origin responses untailored ({:.2}%); {mistailored} of {viewer_requests} viewer requests got a copy tailored for another value ({:.2}%).",
        100.0 * untailored as f64 / origin_requests as f64,
        100.0 * mistailored as f64 / viewer_requests as f64
    );
    assert!(html.contains(&totals), "{totals}");
    assert_table(&html, &table);
    assert!(
        html.contains("<figcaption><b>Untailored origin responses and mistailored viewer requests.</b> Per behavior")
    );
    let counts = chart(&out, "origin-forwarding");
    assert!(counts.contains("mistailored requests") && counts.contains("untailored responses"));
    assert!(counts.contains(&svg_text("/p/*")) && counts.contains(&svg_text("origin web")));
    assert!(
        counts.contains(&svg_text(&format!(" {mistailored}"))) && counts.contains(&svg_text(&format!(" {untailored}")))
    );
    // The same seed draws the same bytes, in another folder and when plotted again.
    let again = run("again");
    for file in ["origin-forwarding.png", "origin-forwarding.svg"] {
        assert_eq!(std::fs::read(out.join(file)).unwrap(), std::fs::read(again.join(file)).unwrap(), "{file}");
    }
    let first = files(&out);
    ok(cdnsim(&["plot", out.to_str().unwrap()]));
    assert_eq!(first, files(&out));
}

#[test]
fn a_run_with_lambda_edge_charts_its_waits_and_cold_starts() {
    let out = temp_dir("plot-functions").join("run");
    ok(cdnsim(&[
        "run",
        &repo("scenarios/lessons/edge-function-choice.toml"),
        "--no-progress",
        "--requests",
        "5000",
        "--set",
        "distribution.default_behavior.functions[0].function=rewrite-lambda",
        "--out",
        out.to_str().unwrap(),
        "--plot",
    ]));
    let wait = chart(&out, "function-wait");
    assert!(wait.contains("p99") && wait.contains("rewrite-lambda (viewer-re…"), "the name cut to fit");
    let cold = chart(&out, "function-cold-starts");
    assert!(cold.contains("cold starts") && cold.contains("timed out"));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<h2>Edge functions</h2>") && !html.contains("<h2>Cache keys</h2>"));
    assert!(
        html.contains("<td>rewrite-lambda</td><td>lambda-edge</td><td class=\"n\">5000</td>"),
        "the table, in full"
    );
}

#[test]
fn signed_requests_are_charted_by_outcome() {
    let out = temp_dir("plot-signed").join("run");
    ok(cdnsim(&[
        "run",
        &repo("scenarios/signed-urls.toml"),
        "--no-progress",
        "--requests",
        "3000",
        "--set",
        "simulation.warmup=0 s",
        "--set",
        "simulation.metrics_interval=1 s",
        "--out",
        out.to_str().unwrap(),
    ]));
    let stdout = ok(cdnsim(&["plot", out.to_str().unwrap()]));
    assert!(stdout.contains("6 charts"), "{stdout}");
    let svg = chart(&out, "signing");
    // One bar per outcome that happened: accepted and at least one rejection.
    let bars = svg.matches("<rect").count() - 1;
    assert!(bars >= 2, "{bars} bars");
    assert!(svg.contains("accepted"));
}

#[test]
fn a_sweep_plots_lines_per_parameter_and_a_heat_map() {
    let dir = temp_dir("plot-sweep");
    let scenario = dir.join("tiny.toml");
    std::fs::write(&scenario, TINY).unwrap();
    let out = dir.join("sweep");
    ok(cdnsim(&[
        "sweep",
        scenario.to_str().unwrap(),
        "--requests",
        "2000",
        "--no-progress",
        "--replicates",
        "2",
        "--vary",
        "caches.edge.capacity=2000 B,5000 B,20000 B",
        "--vary",
        "traffic.zipf_alpha=0.6,1.0",
        "--out",
        out.to_str().unwrap(),
        "--plot",
    ]));
    let lines = chart(&out, "sweep-hit_ratio");
    assert_series(&lines, "sweep-hit_ratio", &["traffic.zipf_alpha=0.6", "traffic.zipf_alpha=1.0"]);
    // Six points: a dot each, named by its values, cost against p95 latency.
    let cost = chart(&out, "sweep-cost-latency");
    assert!(cost.contains("caches.edge.capacity=2000 B, traffic.zipf_alpha=0.6"), "the points are named");
    // Replicates give each line a confidence band.
    assert_eq!(lines.matches("<polygon").count(), 2);
    let heat = chart(&out, "sweep-hit_ratio-heatmap");
    assert_eq!(heat.matches("<rect").count() - 1, 3 * 2, "a cell per point");

    let out_dir = out.to_str().unwrap();
    let stdout = ok(cdnsim(&["plot", out_dir, "--metric", "latency_p99_ms", "--x", "traffic.zipf_alpha"]));
    // The metric's lines and the bill against p95 latency.
    assert!(stdout.contains("3 charts"), "{stdout}");
    assert_series(
        &chart(&out, "sweep-latency_p99_ms"),
        "sweep-latency_p99_ms",
        &["caches.edge.capacity=2000 B", "caches.edge.capacity=5000 B", "caches.edge.capacity=20000 B"],
    );
    let (code, _, stderr) = cdnsim(&["plot", out_dir, "--metric", "speed"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--metric speed") && stderr.contains("hit_ratio"), "{stderr}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<th>caches.edge.capacity</th>") && html.contains("± "), "the points table");
    assert!(html.contains("# --vary traffic.zipf_alpha=0.6,1.0\n# --requests 2000\n"), "what the sweep changed");
}

#[test]
fn plot_refuses_folders_without_results() {
    let dir = temp_dir("plot-empty");
    let (code, _, stderr) = cdnsim(&["plot", dir.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("holds no cdnsim results"), "{stderr}");
    let (code, _, stderr) = cdnsim(&["plot", dir.join("missing").to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("is not a folder"), "{stderr}");
}

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

/// report.html in headless Chromium: the screenshot shows each chart's
/// series colours, so the inlined images decoded and rendered.
#[test]
fn report_html_renders_its_charts_in_chromium() {
    let Some(chromium) = chromium() else {
        assert!(
            std::env::var_os("CDNSIM_REQUIRE_CHROMIUM").is_none(),
            "CDNSIM_REQUIRE_CHROMIUM is set but chromium is not installed (apt-get install chromium)"
        );
        eprintln!("skipped: chromium is not installed");
        return;
    };
    let out = failover_run("plot-chromium");
    let profile = out.parent().unwrap().join("chromium-profile");
    let screenshot = out.parent().unwrap().join("report.png");
    let url = format!("file://{}", out.join("report.html").display());
    let status = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            &format!("--user-data-dir={}", profile.display()),
            &format!("--screenshot={}", screenshot.display()),
            "--window-size=1200,3600",
            &url,
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("chromium starts");
    assert!(status.success(), "chromium failed: {status}");
    let image = image::open(&screenshot).expect("chromium wrote a PNG").to_rgb8();
    assert_eq!(image.dimensions(), (1200, 3600));
    // Pixels of the first two series colours, by band of 620 px (about a chart each).
    let near = |p: &image::Rgb<u8>, c: &plotters::style::RGBColor| {
        (p[0] as i32 - c.0 as i32).abs() + (p[1] as i32 - c.1 as i32).abs() + (p[2] as i32 - c.2 as i32).abs() < 30
    };
    let palette = &cdnsim::plot::draw::PALETTE;
    let coloured: usize = image.pixels().filter(|p| near(p, &palette[0]) || near(p, &palette[1])).count();
    // Four charts with at least one 3-pixel line across ~950 pixels each.
    assert!(coloured > 4 * 2000, "only {coloured} series-coloured pixels: the charts did not render");
    let rows_with_lines =
        (0..image.height()).filter(|&y| (0..image.width()).any(|x| near(image.get_pixel(x, y), &palette[0]))).count();
    assert!(rows_with_lines > 4 * 100, "series lines span only {rows_with_lines} rows");
    // Keep a copy for a person to look at.
    let keep = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-screenshot.png");
    let _ = std::fs::copy(&screenshot, keep);
}

/// One origin, black-holed from 40 s to 80 s of a two-minute run: pages
/// fresh for 10 s, whose 504s get a custom page; videos of 20 MiB, nine in
/// ten GETs a 100 KiB range at a uniform start, 2% of them past the end.
const RANGES_AND_ERRORS: &str = r#"
[simulation]
duration = "120 s"
metrics_interval = "20 s"
[[topology.regional_caches]]
region = "us-east-1"
[[topology.edges]]
name = "IAD1"
regional_cache = "us-east-1"
viewer_rtt = "10 ms"
regional_rtt = "10 ms"
[[origins]]
name = "app"
region = "us-east-1"
latency = "40 ms"
[[faults]]
origin = "app"
kind = "blackhole"
start = "40 s"
end = "80 s"
[distribution]
[[distribution.custom_error_responses]]
error_code = 504
error_caching_min_ttl = 5
response_page_path = "/errors/504.html"
response_code = 200
[[distribution.behaviors]]
path_pattern = "/v/*"
origin = "app"
[distribution.default_behavior]
origin = "app"
[traffic]
rate = 50
[[traffic.classes]]
name = "pages"
share = 0.7
objects = 200
path = "/pages/{id}.html"
size = "20 KiB"
cache_control = "max-age=10"
[[traffic.classes]]
name = "video"
share = 0.3
objects = 20
path = "/v/{id}.mp4"
size = "20 MiB"
cache_control = "max-age=3600"
range_share = 0.9
range_length = "100 KiB"
range_start = "uniform"
range_unsatisfiable_share = 0.02
"#;

#[test]
fn a_run_with_range_gets_and_custom_errors_has_their_sections() {
    let dir = temp_dir("plot-ranges-errors");
    let scenario = dir.join("ranges.toml");
    std::fs::write(&scenario, RANGES_AND_ERRORS).unwrap();
    let out = dir.join("run");
    let stdout =
        ok(cdnsim(&["run", scenario.to_str().unwrap(), "--no-progress", "--out", out.to_str().unwrap(), "--plot"]));
    // The four of every run, custom-errors, range-bytes and the bill.
    assert!(stdout.contains("7 charts"), "{stdout}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let at = |heading: &str| html.find(&format!("<h2>{heading}</h2>")).unwrap_or_else(|| panic!("no {heading}"));
    assert!(at("Charts") < at("Custom error responses"));
    assert!(at("Custom error responses") < at("Range GETs") && at("Range GETs") < at("Result types"));
    assert!(at("Result types") < at("Scenario"));

    let errors = csv_rows(&out.join("errors.csv"));
    assert_table(&html, &errors);
    let column = |table: &[Vec<String>], name: &str| table[0].iter().position(|h| h == name).unwrap();
    let total = |table: &[Vec<String>], name: &str| {
        table[1..].iter().map(|r| r[column(table, name)].parse::<u64>().unwrap()).sum::<u64>()
    };
    let (from_origin, to_viewers) = (total(&errors, "from_origin"), total(&errors, "to_viewers"));
    assert!(from_origin > 0 && total(&errors, "pages_served") > 0, "{errors:?}");
    let totals = format!(
        "In all: {from_origin} errors from origins, {} answered by caches, {to_viewers} to viewers; custom pages: {} \
         fetched, {} served, {} failed.",
        total(&errors, "from_cache"),
        total(&errors, "page_fetches"),
        total(&errors, "pages_served"),
        total(&errors, "page_failures")
    );
    assert!(html.contains(&totals), "{totals}");
    let codes = chart(&out, "custom-errors");
    assert!(codes.contains("answered by caches") && codes.contains(&svg_text("504")));

    let ranges = csv_rows(&out.join("ranges.csv"));
    assert_table(&html, &ranges);
    let video = ranges.iter().find(|r| r[0] == "class" && r[1] == "video").unwrap();
    let number = |name: &str| video[column(&ranges, name)].parse::<u64>().unwrap();
    assert!(number("unsatisfiable_416") > 0 && number("origin_requests") > 0, "{video:?}");
    let ratio = number("origin_bytes") as f64 / number("bytes_asked") as f64;
    assert!(
        html.contains(&format!(
            "In all: {} range GETs (206 {}, 200 {}, 416 {}, other {});",
            number("range_requests"),
            number("partial_206"),
            number("whole_200"),
            number("unsatisfiable_416"),
            number("other")
        )) && html.contains(&format!("fetches ({ratio:.2} times the bytes asked)")),
        "the totals, which the one behavior with ranges and the video class share"
    );
    let bytes = chart(&out, "range-bytes");
    assert!(bytes.contains(&svg_text("/v/*")) && bytes.contains(&svg_text("class video")));
    assert!(bytes.contains("origin bytes") && !bytes.contains(&svg_text("class pages")));

    // The result types: a row per behavior and `all`, whose requests are the run's.
    let summary = csv_rows(&out.join("summary.csv"));
    let requests = &summary[1][column(&summary, "requests")];
    assert!(html.contains(&format!("<td>all</td><td></td><td class=\"n\">{requests}</td>")), "{requests}");
    assert!(html.contains("<th>Hit</th>") && html.contains("<th>Miss</th>"));

    // Plotting again gives the same bytes.
    let first = files(&out);
    ok(cdnsim(&["plot", out.to_str().unwrap()]));
    assert_eq!(first, files(&out));
}
