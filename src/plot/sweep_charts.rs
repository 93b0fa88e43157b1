//! A sweep's charts from `sweep-summary.csv` (pure): the metric against one
//! varied parameter, a line per value of the others, with the 95% confidence
//! band when points have replicates, and a heat map when two parameters vary.

use super::chart::{Axis, Body, Chart, HeatMap, Lines, Series};
use super::table::CsvTable;
use crate::sweep::stats::MAIN_METRICS;
use anyhow::bail;

/// Which metric and parameters to plot; `None` picks automatically.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SweepChoice {
    pub metric: Option<String>,
    pub x: Option<String>,
    pub series: Option<String>,
}

pub const DEFAULT_METRIC: &str = "hit_ratio";

/// The varied columns of `sweep-summary.csv`: between `point` and `runs`.
pub fn varied_columns(summary: &CsvTable) -> Vec<String> {
    let end = summary.column("runs").unwrap_or(1);
    summary.header.get(1..end).map(<[String]>::to_vec).unwrap_or_default()
}

/// A parameter's values as numbers for the x axis: plain numbers, sizes
/// (`1 GiB`, read as bytes), durations (`20 ms`, as seconds), or else
/// categories in the order they first appear.
pub fn x_values(cells: &[&str]) -> (Vec<f64>, Axis, &'static str) {
    if let Some(xs) = cells.iter().map(|c| c.trim().parse::<f64>().ok()).collect::<Option<Vec<_>>>() {
        return (xs, Axis::Number, "");
    }
    let has_unit = cells.iter().all(|c| c.chars().any(|ch| ch.is_ascii_alphabetic()));
    if has_unit {
        if let Some(xs) = cells.iter().map(|c| crate::units::parse_size(c).ok()).collect::<Option<Vec<_>>>() {
            return (xs.into_iter().map(|b| b as f64).collect(), Axis::Bytes, "");
        }
        if let Some(xs) = cells.iter().map(|c| crate::units::parse_duration(c).ok()).collect::<Option<Vec<_>>>() {
            return (xs.into_iter().map(|d| d.as_secs_f64()).collect(), Axis::Number, " (s)");
        }
    }
    let mut labels: Vec<String> = Vec::new();
    let xs = cells
        .iter()
        .map(|c| match labels.iter().position(|l| l == c) {
            Some(i) => i as f64,
            None => {
                labels.push(c.to_string());
                (labels.len() - 1) as f64
            }
        })
        .collect();
    (xs, Axis::Categories(labels), "")
}

/// The axis title of a metric, with its unit once: `latency_p95_ms` is
/// "latency p95 (ms)", `cost_usd` "cost (USD)".
pub fn metric_label(metric: &str) -> String {
    let (name, unit) = if let Some(name) = metric.strip_suffix("_ms") {
        (name, " (ms)")
    } else if let Some(name) = metric.strip_suffix("_per_s") {
        (name, " (req/s)")
    } else if let Some(name) = metric.strip_suffix("_usd") {
        (name, " (USD)")
    } else if metric.ends_with("ratio") || metric.ends_with("offload") {
        (metric, " (0-1)")
    } else {
        (metric, "")
    };
    format!("{}{unit}", name.replace('_', " "))
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
}

fn distinct(cells: &[&str]) -> usize {
    let mut seen: Vec<&str> = cells.to_vec();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

/// The sweep's charts for `choice`; errors name the flag and the choices.
pub fn sweep_charts(summary: &CsvTable, choice: &SweepChoice) -> anyhow::Result<Vec<Chart>> {
    let metric = choice.metric.as_deref().unwrap_or(DEFAULT_METRIC);
    if !MAIN_METRICS.contains(&metric) || summary.column(&format!("{metric}_mean")).is_none() {
        bail!(
            "--metric {metric}: {} has no such metric (choose one of {})",
            summary.path.display(),
            MAIN_METRICS.join(", ")
        );
    }
    let varied = varied_columns(summary);
    if varied.is_empty() {
        bail!("{} varies no parameter: there is nothing to plot against", summary.path.display());
    }
    let cells = |name: &str| summary.texts(name).unwrap_or_default();
    for (flag, name) in [("--x", &choice.x), ("--series", &choice.series)] {
        if let Some(name) = name
            && !varied.contains(name)
        {
            bail!("{flag} {name}: the sweep does not vary it (it varies {})", varied.join(", "));
        }
    }
    let varying: Vec<&String> = varied.iter().filter(|v| distinct(&cells(v)) > 1).collect();
    let x = match &choice.x {
        Some(x) => x.clone(),
        None => varying.first().map_or(varied[0].clone(), |v| (*v).clone()),
    };
    // Every other parameter that varies splits the lines; --series comes first in their names.
    let mut others: Vec<&String> = varying.iter().copied().filter(|v| **v != x).collect();
    if let Some(s) = &choice.series {
        others.retain(|v| *v != s);
        if *s != x {
            others.insert(0, s);
        }
    }

    let x_cells = cells(&x);
    let (mut xs, mut x_axis, x_unit) = x_values(&x_cells);
    // Sizes swept by factors (64 MiB, 256 MiB, 1 GiB, ...) read best on a log scale.
    let (lo, hi) = xs.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), x| (lo.min(*x), hi.max(*x)));
    if x_axis == Axis::Bytes && lo > 0.0 && hi / lo >= 8.0 {
        xs = xs.iter().map(|x| x.log2()).collect();
        x_axis = Axis::Log2Bytes;
    }
    let mean = summary.numbers(&format!("{metric}_mean"))?;
    let low = summary.numbers(&format!("{metric}_ci95_low"))?;
    let high = summary.numbers(&format!("{metric}_ci95_high"))?;
    let other_cells: Vec<Vec<&str>> = others.iter().map(|o| cells(o)).collect();
    let key = |row: usize| -> String {
        others.iter().zip(&other_cells).map(|(o, c)| format!("{o}={}", c[row])).collect::<Vec<_>>().join(", ")
    };
    let mut series: Vec<Series> = Vec::new();
    for row in 0..summary.rows.len() {
        let name = if others.is_empty() { metric.replace('_', " ") } else { key(row) };
        let index = match series.iter().position(|s| s.name == name) {
            Some(i) => i,
            None => {
                series.push(Series { name, points: Vec::new(), band: Vec::new(), dashed: false });
                series.len() - 1
            }
        };
        let Some(y) = mean[row] else { continue };
        series[index].points.push((xs[row], y));
        if let (Some(lo), Some(hi)) = (low[row], high[row]) {
            series[index].band.push((xs[row], lo, hi));
        }
    }
    for s in &mut series {
        s.points.sort_by(|a, b| a.0.total_cmp(&b.0));
        s.band.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    let is_ratio = metric.ends_with("ratio") || metric.ends_with("offload");
    let mut charts = vec![Chart {
        file_stem: format!("sweep-{metric}"),
        title: format!("{} against {x}", capitalised(metric_label(metric).split(" (").next().unwrap_or(metric))),
        x_label: format!("{x}{x_unit}"),
        y_label: metric_label(metric),
        body: Body::Lines(Lines {
            series,
            shaded: Vec::new(),
            marker: None,
            x_axis,
            y_from_zero: !is_ratio,
            y_unit_interval: false,
            y_log10: false,
        }),
    }];
    if let [y] = others.as_slice() {
        charts.push(heat_map(metric, &x, y, &x_cells, &cells(y), &mean));
    }
    if let Some(chart) = cost_against_latency(summary, &varying)? {
        charts.push(chart);
    }
    Ok(charts)
}

/// At most this many points get a legend entry (and a colour) each; more
/// are drawn as one line in order of latency.
const MAX_NAMED_POINTS: usize = 10;

/// Each point's mean bill against its mean p95 latency: what a setting
/// costs and what it buys. `None` for a summary from before runs were
/// priced (no `cost_usd_mean` column).
fn cost_against_latency(summary: &CsvTable, varying: &[&String]) -> anyhow::Result<Option<Chart>> {
    if summary.column("cost_usd_mean").is_none() || summary.column("latency_p95_ms_mean").is_none() {
        return Ok(None);
    }
    let cost = summary.numbers("cost_usd_mean")?;
    let p95 = summary.numbers("latency_p95_ms_mean")?;
    let varied_cells: Vec<Vec<&str>> = varying.iter().map(|v| summary.texts(v).unwrap_or_default()).collect();
    let name = |row: usize| -> String {
        let values: Vec<String> = varying.iter().zip(&varied_cells).map(|(v, c)| format!("{v}={}", c[row])).collect();
        if values.is_empty() { format!("point {row}") } else { values.join(", ") }
    };
    let points: Vec<(usize, (f64, f64))> =
        (0..summary.rows.len()).filter_map(|row| Some((row, (p95[row]?, cost[row]?)))).collect();
    let series = if points.len() <= MAX_NAMED_POINTS {
        points
            .iter()
            .map(|&(row, p)| Series { name: name(row), points: vec![p], band: Vec::new(), dashed: false })
            .collect()
    } else {
        let mut line: Vec<(f64, f64)> = points.iter().map(|&(_, p)| p).collect();
        line.sort_by(|a, b| a.0.total_cmp(&b.0));
        vec![Series { name: "points, by p95 latency".into(), points: line, band: Vec::new(), dashed: false }]
    };
    Ok(Some(Chart {
        file_stem: "sweep-cost-latency".into(),
        title: "Monthly cost against p95 latency, mean per point".into(),
        x_label: metric_label("latency_p95_ms"),
        y_label: "estimated monthly cost (USD)".into(),
        body: Body::Lines(Lines {
            series,
            shaded: Vec::new(),
            marker: None,
            x_axis: Axis::Number,
            y_from_zero: true,
            y_unit_interval: false,
            y_log10: false,
        }),
    }))
}

fn heat_map(metric: &str, x: &str, y: &str, x_cells: &[&str], y_cells: &[&str], mean: &[Option<f64>]) -> Chart {
    let ordered = |cells: &[&str]| -> Vec<String> {
        let (values, _, _) = x_values(cells);
        let mut pairs: Vec<(f64, String)> = values.into_iter().zip(cells.iter().map(|c| c.to_string())).collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        pairs.dedup_by(|a, b| a.1 == b.1);
        pairs.into_iter().map(|p| p.1).collect()
    };
    let (x_labels, y_labels) = (ordered(x_cells), ordered(y_cells));
    let mut cells = vec![vec![None; x_labels.len()]; y_labels.len()];
    for row in 0..mean.len() {
        let xi = x_labels.iter().position(|l| l == x_cells[row]);
        let yi = y_labels.iter().position(|l| l == y_cells[row]);
        if let (Some(xi), Some(yi)) = (xi, yi) {
            cells[yi][xi] = mean[row];
        }
    }
    Chart {
        file_stem: format!("sweep-{metric}-heatmap"),
        title: format!("{}, mean per point", capitalised(&metric.replace('_', " "))),
        x_label: x.to_string(),
        y_label: y.to_string(),
        body: Body::HeatMap(HeatMap { x_labels, y_labels, cells }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn summary(text: &str) -> CsvTable {
        CsvTable::parse(Path::new("sweep-summary.csv"), text.as_bytes()).unwrap()
    }

    #[test]
    fn axis_titles_name_the_unit_once() {
        assert_eq!(metric_label("latency_p95_ms"), "latency p95 (ms)");
        assert_eq!(metric_label("origin_peak_requests_per_s"), "origin peak requests (req/s)");
        assert_eq!(metric_label("cost_transfer_usd"), "cost transfer (USD)");
        assert_eq!(metric_label("hit_ratio"), "hit ratio (0-1)");
        assert_eq!(metric_label("origin_requests"), "origin requests");
    }

    const TWO: &str = "point,caches.edge.capacity,traffic.zipf_alpha,runs,failed,hit_ratio_mean,hit_ratio_ci95_low,hit_ratio_ci95_high
0,1 GiB,0.8,2,0,0.5,0.4,0.6
1,1 GiB,1.0,2,0,0.6,0.5,0.7
2,512 MiB,0.8,2,0,0.3,0.2,0.4
3,512 MiB,1.0,2,0,0.45,0.4,0.5
";

    #[test]
    fn a_line_per_second_parameter_and_a_heat_map() {
        let charts = sweep_charts(&summary(TWO), &SweepChoice::default()).unwrap();
        assert_eq!(charts.len(), 2);
        let Body::Lines(lines) = &charts[0].body else { panic!() };
        assert_eq!(lines.x_axis, Axis::Bytes);
        let names: Vec<&str> = lines.series.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["traffic.zipf_alpha=0.8", "traffic.zipf_alpha=1.0"]);
        // Sorted by x: 512 MiB before 1 GiB.
        assert_eq!(lines.series[0].points, vec![(536870912.0, 0.3), (1073741824.0, 0.5)]);
        assert_eq!(lines.series[0].band[0], (536870912.0, 0.2, 0.4));
        let Body::HeatMap(map) = &charts[1].body else { panic!() };
        assert_eq!(map.x_labels, ["512 MiB", "1 GiB"]);
        assert_eq!(map.y_labels, ["0.8", "1.0"]);
        assert_eq!(map.cells, vec![vec![Some(0.3), Some(0.5)], vec![Some(0.45), Some(0.6)]]);
    }

    #[test]
    fn flags_swap_the_axes_and_refuse_unknown_names() {
        let choice = SweepChoice { x: Some("traffic.zipf_alpha".into()), ..SweepChoice::default() };
        let charts = sweep_charts(&summary(TWO), &choice).unwrap();
        let Body::Lines(lines) = &charts[0].body else { panic!() };
        assert_eq!(lines.x_axis, Axis::Number);
        assert_eq!(lines.series[0].name, "caches.edge.capacity=1 GiB");
        let bad = SweepChoice { metric: Some("speed".into()), ..SweepChoice::default() };
        assert!(sweep_charts(&summary(TWO), &bad).unwrap_err().to_string().contains("--metric speed"));
        let bad = SweepChoice { x: Some("traffic.rate".into()), ..SweepChoice::default() };
        let e = sweep_charts(&summary(TWO), &bad).unwrap_err().to_string();
        assert!(e.contains("--x traffic.rate") && e.contains("caches.edge.capacity"), "{e}");
    }

    #[test]
    fn priced_points_get_a_cost_against_latency_chart() {
        let t = summary(
            "point,cost.free_tier,runs,failed,latency_p95_ms_mean,latency_p95_ms_ci95_low,latency_p95_ms_ci95_high,\
             cost_usd_mean,cost_usd_ci95_low,cost_usd_ci95_high,hit_ratio_mean,hit_ratio_ci95_low,hit_ratio_ci95_high\n\
             0,false,1,0,40,,,12.5,,,0.5,,\n1,true,1,0,40,,,0,,,0.5,,\n",
        );
        let charts = sweep_charts(&t, &SweepChoice::default()).unwrap();
        let chart = charts.iter().find(|c| c.file_stem == "sweep-cost-latency").expect("the cost chart");
        let Body::Lines(lines) = &chart.body else { panic!() };
        let named: Vec<(&str, &[(f64, f64)])> = lines.series.iter().map(|s| (s.name.as_str(), &s.points[..])).collect();
        assert_eq!(named, [("cost.free_tier=false", &[(40.0, 12.5)][..]), ("cost.free_tier=true", &[(40.0, 0.0)][..])]);
        // A summary from before runs were priced has no such chart.
        assert!(
            sweep_charts(&summary(TWO), &SweepChoice::default()).unwrap().iter().all(|c| !c.file_stem.contains("cost"))
        );
    }

    #[test]
    fn one_parameter_without_replicates_has_no_band() {
        let t = summary(
            "point,caches.edge.eviction,runs,failed,hit_ratio_mean,hit_ratio_ci95_low,hit_ratio_ci95_high\n0,lru,1,0,0.5,,\n1,sieve,1,0,0.6,,\n",
        );
        let charts = sweep_charts(&t, &SweepChoice::default()).unwrap();
        assert_eq!(charts.len(), 1);
        let Body::Lines(lines) = &charts[0].body else { panic!() };
        assert_eq!(lines.x_axis, Axis::Categories(vec!["lru".into(), "sieve".into()]));
        assert_eq!(lines.series[0].points, vec![(0.0, 0.5), (1.0, 0.6)]);
        assert!(lines.series[0].band.is_empty());
    }

    #[test]
    fn sizes_growing_by_factors_go_on_a_log_scale() {
        let t = summary(
            "point,caches.regional.capacity,runs,failed,hit_ratio_mean,hit_ratio_ci95_low,hit_ratio_ci95_high\n\
             0,64 MiB,1,0,0.5,,\n1,1 GiB,1,0,0.6,,\n",
        );
        let charts = sweep_charts(&t, &SweepChoice::default()).unwrap();
        assert_eq!(charts[0].title, "Hit ratio against caches.regional.capacity");
        let Body::Lines(lines) = &charts[0].body else { panic!() };
        assert_eq!(lines.x_axis, Axis::Log2Bytes);
        assert_eq!(lines.series[0].points, vec![(26.0, 0.5), (30.0, 0.6)]);
    }

    #[test]
    fn durations_read_as_seconds() {
        let (xs, axis, unit) = x_values(&["500 ms", "2 s"]);
        assert_eq!((xs, axis, unit), (vec![0.5, 2.0], Axis::Number, " (s)"));
    }
}
