//! `sweep-summary.csv`: one row per point, with the mean of the main metrics
//! over its replicates and a 95% confidence interval for that mean.
//!
//! The interval is Student's t: mean ± t(0.975, n-1) · s / √n, with `s` the
//! sample standard deviation. Replicates are few (3 to 10, typically), where
//! the normal 1.96 would claim too much: t(0.975, 2) is 4.30. The summary is
//! computed from `sweep.csv` alone, so a resumed sweep and merged shards get
//! the same summary as one uninterrupted run.

use super::rows::{STATUS_OK, Table, csv_line};
use std::collections::BTreeMap;

/// The metrics summarised per point, by their `sweep.csv` column.
pub const MAIN_METRICS: [&str; 13] = [
    "hit_ratio",
    "byte_hit_ratio",
    "edge_hit_ratio",
    "regional_hit_ratio",
    "origin_offload",
    "origin_requests",
    "origin_peak_requests_per_s",
    "errors_5xx",
    "latency_mean_ms",
    "latency_p50_ms",
    "latency_p95_ms",
    "latency_p99_ms",
    // The run's bill over its cost period (`[cost]`).
    "cost_usd",
];

/// t(0.975, df) for df = 1..=30, from the standard table (to 9 digits).
const T_975: [f64; 30] = [
    12.706204736,
    4.302652730,
    3.182446305,
    2.776445105,
    2.570581836,
    2.446911851,
    2.364624252,
    2.306004135,
    2.262157163,
    2.228138852,
    2.200985160,
    2.178812830,
    2.160368656,
    2.144786688,
    2.131449546,
    2.119905299,
    2.109815578,
    2.100922040,
    2.093024054,
    2.085963447,
    2.079613845,
    2.073873068,
    2.068657610,
    2.063898562,
    2.059538553,
    2.055529439,
    2.051830516,
    2.048407142,
    2.045229642,
    2.042272456,
];

/// The 0.975 quantile of Student's t with `df` degrees of freedom (df >= 1).
///
/// Past the table, the Cornish-Fisher expansion of t in powers of 1/df
/// around the normal quantile (Abramowitz & Stegun 26.7.5), which is within
/// 1e-4 at df = 30 and closer beyond.
pub fn t_975(df: u64) -> f64 {
    assert!(df >= 1, "a t quantile needs at least one degree of freedom");
    if let Some(&t) = T_975.get(df as usize - 1) {
        return t;
    }
    const Z: f64 = 1.959_963_984_540_054; // the normal 0.975 quantile
    let v = df as f64;
    let z2 = Z * Z;
    let g1 = Z * (z2 + 1.0) / 4.0;
    let g2 = Z * ((5.0 * z2 + 16.0) * z2 + 3.0) / 96.0;
    let g3 = Z * (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) / 384.0;
    let g4 = Z * ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) / 92160.0;
    Z + g1 / v + g2 / (v * v) + g3 / (v * v * v) + g4 / (v * v * v * v)
}

/// A mean and, with two or more values, its 95% confidence interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    pub mean: f64,
    pub ci95: Option<(f64, f64)>,
}

/// `None` for no values. Sums in the order given, so the result is the same
/// on every machine for the same rows.
pub fn estimate(values: &[f64]) -> Option<Estimate> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let ci95 = (values.len() >= 2).then(|| {
        let variance = values.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
        let half = t_975(values.len() as u64 - 1) * variance.sqrt() / n.sqrt();
        (mean - half, mean + half)
    });
    Some(Estimate { mean, ci95 })
}

/// One point of the sweep, summarised.
#[derive(Clone, Debug, PartialEq)]
pub struct PointSummary {
    pub point: u64,
    /// The varied values, as in `sweep.csv`.
    pub varied: Vec<String>,
    pub runs: u64,
    pub failed: u64,
    /// One per [`MAIN_METRICS`]; `None` when every run of the point failed.
    pub metrics: Vec<Option<Estimate>>,
}

/// Groups the rows of `sweep.csv` by point.
pub fn summarize(table: &Table) -> Vec<PointSummary> {
    let status = table.column("status");
    let varied_columns = 3..3 + table.vary_count();
    let metric_columns: Vec<Option<usize>> = MAIN_METRICS.iter().map(|m| table.column(m)).collect();
    let mut by_point: BTreeMap<u64, Vec<&Vec<String>>> = BTreeMap::new();
    for row in &table.rows {
        by_point.entry(row.run.point).or_default().push(&row.cells);
    }
    by_point
        .into_iter()
        .map(|(point, rows)| {
            let ok: Vec<&&Vec<String>> =
                rows.iter().filter(|cells| status.is_some_and(|s| cells[s] == STATUS_OK)).collect();
            let metrics = metric_columns
                .iter()
                .map(|column| {
                    let values: Vec<f64> = column
                        .map(|c| ok.iter().filter_map(|cells| cells[c].parse().ok()).collect())
                        .unwrap_or_default();
                    estimate(&values)
                })
                .collect();
            PointSummary {
                point,
                varied: rows[0][varied_columns.clone()].to_vec(),
                runs: rows.len() as u64,
                failed: (rows.len() - ok.len()) as u64,
                metrics,
            }
        })
        .collect()
}

/// Six decimals: more than any metric here carries, and stable text.
fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// `sweep-summary.csv` for the rows of `sweep.csv`.
pub fn summary_csv(table: &Table) -> Vec<u8> {
    let mut header = vec!["point".to_string()];
    header.extend(table.header[3..3 + table.vary_count()].iter().cloned());
    header.extend(["runs".to_string(), "failed".to_string()]);
    for metric in MAIN_METRICS {
        header.extend(["mean", "ci95_low", "ci95_high"].map(|s| format!("{metric}_{s}")));
    }
    let mut bytes = csv_line(&header);
    for p in summarize(table) {
        let mut cells = vec![p.point.to_string()];
        cells.extend(p.varied.iter().cloned());
        cells.extend([p.runs.to_string(), p.failed.to_string()]);
        for metric in &p.metrics {
            let mean = metric.map(|e| round6(e.mean).to_string()).unwrap_or_default();
            let (low, high) = match metric.and_then(|e| e.ci95) {
                Some((low, high)) => (round6(low).to_string(), round6(high).to_string()),
                None => (String::new(), String::new()),
            };
            cells.extend([mean, low, high]);
        }
        bytes.extend(csv_line(&cells));
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_the_tables() {
        assert_eq!(t_975(1), 12.706204736);
        assert_eq!(t_975(4), 2.776445105);
        // Reference values to 6 digits for df beyond the table.
        for (df, t) in [(31, 2.039513), (40, 2.021075), (60, 2.000298), (120, 1.979930), (1000, 1.962339)] {
            assert!((t_975(df) - t).abs() < 2e-5, "df {df}: {} vs {t}", t_975(df));
        }
        // The expansion joins the table smoothly.
        assert!((t_975(31) - t_975(30)).abs() < 0.003);
    }

    #[test]
    fn intervals_worked_by_hand() {
        // Mean 2, s = 1, n = 3: half-width t(0.975, 2) / sqrt(3) = 4.302652730 / 1.732050808 = 2.484138.
        let e = estimate(&[1.0, 2.0, 3.0]).unwrap();
        assert_eq!(e.mean, 2.0);
        let (low, high) = e.ci95.unwrap();
        assert!((high - 2.0 - 2.484138).abs() < 1e-6 && (2.0 - low - 2.484138).abs() < 1e-6);
        // One value has a mean but no interval; identical values a zero-width one.
        assert_eq!(estimate(&[0.5]), Some(Estimate { mean: 0.5, ci95: None }));
        assert_eq!(estimate(&[0.5, 0.5]).unwrap().ci95, Some((0.5, 0.5)));
        assert_eq!(estimate(&[]), None);
    }

    #[test]
    fn points_group_their_replicates_and_skip_failures() {
        let mut text = String::from("point,replicate,seed,a.b,status,hit_ratio,error,rerun\n");
        text += "0,0,11,x,ok,0.5,,\n0,1,12,x,ok,0.7,,\n1,0,13,y,failed,,bad,cdnsim run s.toml\n1,1,14,y,ok,0.9,,\n";
        let table = Table::parse(std::path::Path::new("sweep.csv"), text.as_bytes()).unwrap();
        let points = summarize(&table);
        assert_eq!(points.len(), 2);
        assert_eq!((points[0].varied.clone(), points[0].runs, points[0].failed), (vec!["x".to_string()], 2, 0));
        assert!((points[0].metrics[0].unwrap().mean - 0.6).abs() < 1e-12);
        assert_eq!((points[1].runs, points[1].failed), (2, 1));
        assert_eq!(points[1].metrics[0], Some(Estimate { mean: 0.9, ci95: None }));
        assert_eq!(points[1].metrics[1], None, "byte_hit_ratio is not a column here");
        let csv = String::from_utf8(summary_csv(&table)).unwrap();
        let mut lines = csv.lines();
        assert!(lines.next().unwrap().starts_with("point,a.b,runs,failed,hit_ratio_mean,hit_ratio_ci95_low,"));
        // Half-width 12.706204736 * 0.141421356 / 1.414213562 = 1.270620 around 0.6.
        assert!(lines.next().unwrap().starts_with("0,x,2,0,0.6,-0.67062,1.87062,"), "{csv}");
    }
}
