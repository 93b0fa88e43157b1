//! Charts and `report.html` from a results folder: `cdnsim plot DIR`,
//! `cdnsim run --plot`, `cdnsim sweep --plot`.
//!
//! Everything is read back from the folder's CSV files, so any folder cdnsim
//! wrote can be plotted later, and the charts show what the files say.
//!
//! - [`table`]: a CSV read by column name.
//! - [`run_charts`], [`sweep_charts`], [`mrc_charts`]: tables to
//!   [`chart::Chart`]s (pure).
//! - [`sections`]: a run's cache keys, edge functions, compression, origin
//!   requests, connections, custom errors and range GETs, when it has them,
//!   and its detailed result types.
//! - [`draw`]: charts to PNG and SVG with plotters and a bundled font.
//! - [`html`]: the self-contained `report.html`.

pub mod chart;
pub mod draw;
pub mod html;
pub mod mrc_charts;
pub mod run_charts;
pub mod sections;
pub mod sweep_charts;
pub mod table;

use anyhow::{Context, bail};
use std::path::Path;
pub use sweep_charts::SweepChoice;
use table::CsvTable;

pub const REPORT_FILE: &str = "report.html";

/// What [`plot_dir`] wrote.
#[derive(Debug)]
pub struct Plotted {
    /// File names in the folder: each chart's `.png` and `.svg`, then `report.html`.
    pub files: Vec<String>,
}

enum Kind {
    Run,
    Sweep,
    /// Miss-ratio curves from `cdnsim mrc`.
    Mrc,
}

fn kind_of(dir: &Path) -> anyhow::Result<Kind> {
    if !dir.is_dir() {
        bail!("{} is not a folder (give the results folder of a run or a sweep)", dir.display());
    }
    if dir.join("sweep-summary.csv").is_file() {
        Ok(Kind::Sweep)
    } else if dir.join("timeseries.csv").is_file() {
        Ok(Kind::Run)
    } else if dir.join("mrc.csv").is_file() {
        Ok(Kind::Mrc)
    } else if dir.join("sweep.csv").is_file() {
        bail!(
            "{} holds an unfinished sweep (no sweep-summary.csv): finish it with `cdnsim sweep ... --resume`",
            dir.display()
        )
    } else {
        bail!(
            "{} holds no cdnsim results (expected timeseries.csv from `cdnsim run`, sweep-summary.csv from `cdnsim sweep` \
             or mrc.csv from `cdnsim mrc`)",
            dir.display()
        )
    }
}

fn optional_table(path: &Path) -> anyhow::Result<Option<CsvTable>> {
    if path.is_file() { CsvTable::read(path).map(Some) } else { Ok(None) }
}

/// Draws every chart of the run or sweep in `dir`, writes them as PNG and
/// SVG beside the CSV files, and writes `report.html`; all files or none.
pub fn plot_dir(dir: &Path, choice: &SweepChoice) -> anyhow::Result<Plotted> {
    let (charts, page, plans) = match kind_of(dir)? {
        Kind::Run => {
            let tables = run_charts::RunTables {
                timeseries: CsvTable::read(&dir.join("timeseries.csv"))?,
                faults: optional_table(&dir.join("faults.csv"))?,
                signing: optional_table(&dir.join("signing.csv"))?,
            };
            // Only runs that wrote these files get their sections.
            let mut plans = Vec::new();
            if let Some(keys) = optional_table(&dir.join("cache_keys.csv"))? {
                plans.push(sections::cache_key_section(&keys)?);
            }
            if let Some(functions) = optional_table(&dir.join("functions.csv"))? {
                plans.push(sections::functions_section(&functions)?);
            }
            if let Some(compression) = optional_table(&dir.join("compression.csv"))? {
                plans.push(sections::compression_section(&compression)?);
            }
            if let Some(forwarding) = optional_table(&dir.join("origin_requests.csv"))? {
                plans.push(sections::origin_requests_section(&forwarding)?);
            }
            if let Some(connections) = optional_table(&dir.join("connections.csv"))? {
                plans.push(sections::connections_section(&connections)?);
            }
            if let Some(errors) = optional_table(&dir.join("errors.csv"))? {
                plans.push(sections::errors_section(&errors)?);
            }
            if let Some(ranges) = optional_table(&dir.join("ranges.csv"))? {
                plans.push(sections::ranges_section(&ranges)?);
            }
            // Every run writes it; a folder from before it existed has none.
            if let Some(types) = optional_table(&dir.join("result_types.csv"))? {
                plans.push(sections::result_types_section(&types)?);
            }
            // Likewise: every run prices its month.
            if let Some(cost) = optional_table(&dir.join("cost.csv"))? {
                plans.push(sections::cost_section(&cost)?);
            }
            (run_charts::run_charts(&tables)?, run_page(dir)?, plans)
        }
        Kind::Sweep => {
            let summary = CsvTable::read(&dir.join("sweep-summary.csv"))?;
            (sweep_charts::sweep_charts(&summary, choice)?, sweep_page(dir, &summary, choice)?, Vec::new())
        }
        Kind::Mrc => {
            let table = CsvTable::read(&dir.join("mrc.csv"))?;
            (mrc_charts::mrc_charts(&table)?, mrc_page(dir, &table), Vec::new())
        }
    };
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut pngs = Vec::new();
    for chart in &charts {
        let png = draw::png(chart)?;
        files.push((format!("{}.svg", chart.file_stem), draw::svg(chart)?.into_bytes()));
        files.push((format!("{}.png", chart.file_stem), png.clone()));
        pngs.push((chart.title.as_str(), png));
    }
    let mut page_sections = Vec::new();
    for plan in plans {
        let mut figures = Vec::new();
        for (chart, caption) in &plan.charts {
            let png = draw::png(chart)?;
            files.push((format!("{}.svg", chart.file_stem), draw::svg(chart)?.into_bytes()));
            files.push((format!("{}.png", chart.file_stem), png.clone()));
            figures.push(html::Figure { title: chart.title.clone(), caption: caption.clone(), png });
        }
        let sections::SectionPlan { heading, text, table_header, table_rows, .. } = plan;
        page_sections.push(html::Section { heading, text, table_header, table_rows, figures });
    }
    let page =
        html::Page { charts: pngs.iter().map(|(t, p)| (*t, p.as_slice())).collect(), sections: page_sections, ..page };
    files.push((REPORT_FILE.to_string(), html::render(&page).into_bytes()));
    let named: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    crate::report::write_files(dir, &named).with_context(|| format!("writing charts into {}", dir.display()))?;
    Ok(Plotted { files: files.into_iter().map(|(n, _)| n).collect() })
}

fn run_page(dir: &Path) -> anyhow::Result<html::Page<'static>> {
    let summary = CsvTable::read(&dir.join("summary.csv"))?;
    let row = summary.rows.first().cloned().unwrap_or_default();
    let cell = |name: &str| summary.column(name).and_then(|c| row.get(c)).cloned().unwrap_or_default();
    let scenario = std::fs::read_to_string(dir.join("scenario.toml")).ok();
    Ok(html::Page {
        title: format!("cdnsim run: {}", cell("scenario")),
        subtitle: format!(
            "seed {}, {} measured requests, results in {}",
            cell("seed"),
            cell("requests"),
            dir.display()
        ),
        table_header: vec!["metric".into(), "value".into()],
        table_rows: summary.header.iter().zip(&row).map(|(h, v)| vec![h.clone(), v.clone()]).collect(),
        charts: Vec::new(),
        sections: Vec::new(),
        scenario,
    })
}

fn mrc_page(dir: &Path, table: &CsvTable) -> html::Page<'static> {
    let policies = table.column("policy").map_or(Vec::new(), |c| {
        table.rows.iter().filter_map(|r| r.get(c).cloned()).fold(Vec::new(), |mut seen, p| {
            if !seen.contains(&p) {
                seen.push(p);
            }
            seen
        })
    });
    html::Page {
        title: "cdnsim mrc: miss-ratio curves".to_string(),
        subtitle: format!("{} ({} rows); results in {}", policies.join(", "), table.rows.len(), dir.display()),
        table_header: table.header.clone(),
        table_rows: table.rows.clone(),
        charts: Vec::new(),
        sections: Vec::new(),
        scenario: None,
    }
}

fn sweep_page(dir: &Path, summary: &CsvTable, choice: &SweepChoice) -> anyhow::Result<html::Page<'static>> {
    let manifest: Option<serde_json::Value> =
        std::fs::read(dir.join("sweep.json")).ok().and_then(|b| serde_json::from_slice(&b).ok());
    let scenario_path = manifest.as_ref().and_then(|m| m["scenario"].as_str().map(str::to_string));
    // What the sweep changed in the scenario, as comments above its text.
    let mut changes = String::new();
    if let Some(m) = &manifest {
        for set in m["set"].as_array().into_iter().flatten().filter_map(|s| s.as_str()) {
            changes += &format!("# --set {set}\n");
        }
        for vary in m["vary"].as_array().into_iter().flatten() {
            let values: Vec<&str> =
                vary["values"].as_array().into_iter().flatten().filter_map(|v| v.as_str()).collect();
            changes += &format!("# --vary {}={}\n", vary["path"].as_str().unwrap_or("?"), values.join(","));
        }
        if let Some(n) = m["requests"].as_u64() {
            changes += &format!("# --requests {n}\n");
        }
    }
    let scenario = scenario_path.as_ref().and_then(|p| {
        std::fs::read_to_string(p).ok().map(|text| format!("# Scenario of this sweep: {p}\n{changes}\n{text}"))
    });
    let metric = choice.metric.as_deref().unwrap_or(sweep_charts::DEFAULT_METRIC);
    let mut metrics = vec![metric];
    for m in ["hit_ratio", "origin_offload", "origin_peak_requests_per_s", "latency_p99_ms"] {
        if !metrics.contains(&m) && summary.column(&format!("{m}_mean")).is_some() {
            metrics.push(m);
        }
    }
    let varied = sweep_charts::varied_columns(summary);
    let mut header = vec!["point".to_string()];
    header.extend(varied.iter().cloned());
    header.extend(["runs".to_string(), "failed".to_string()]);
    header.extend(metrics.iter().map(|m| format!("{m} (mean ± 95% CI)")));
    let text = |row: &[String], name: &str| summary.column(name).and_then(|c| row.get(c)).cloned().unwrap_or_default();
    let rows = summary
        .rows
        .iter()
        .map(|row| {
            let mut cells = vec![text(row, "point")];
            cells.extend(varied.iter().map(|v| text(row, v)));
            cells.extend([text(row, "runs"), text(row, "failed")]);
            for m in &metrics {
                let mean = text(row, &format!("{m}_mean"));
                let low = text(row, &format!("{m}_ci95_low")).parse::<f64>();
                let high = text(row, &format!("{m}_ci95_high")).parse::<f64>();
                cells.push(match (low, high) {
                    (Ok(low), Ok(high)) => format!("{mean} ± {}", chart::format_number((high - low) / 2.0)),
                    _ => mean,
                });
            }
            cells
        })
        .collect();
    let seed = manifest.as_ref().and_then(|m| m["seed"].as_u64()).map_or(String::new(), |s| format!("base seed {s}, "));
    let replicates = manifest.as_ref().and_then(|m| m["replicates"].as_u64()).unwrap_or(1);
    Ok(html::Page {
        title: format!("cdnsim sweep: {}", scenario_path.as_deref().unwrap_or("(unknown scenario)")),
        subtitle: format!(
            "{seed}{} points x {replicates} replicates, varying {}; results in {}",
            summary.rows.len(),
            varied.join(", "),
            dir.display()
        ),
        table_header: header,
        table_rows: rows,
        charts: Vec::new(),
        sections: Vec::new(),
        scenario,
    })
}
