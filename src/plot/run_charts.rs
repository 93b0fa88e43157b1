//! A run's charts from its CSV files (pure: tables in, charts out).

use super::chart::{Axis, Body, Chart, Lines, Marker, Series, format_number};
use super::table::CsvTable;
use anyhow::bail;

/// The tables a run's charts read; `faults` and `signing` may be missing in
/// folders written by older versions.
pub struct RunTables {
    pub timeseries: CsvTable,
    pub faults: Option<CsvTable>,
    pub signing: Option<CsvTable>,
}

/// Every chart of a run: hits by tier, origin load, latency, errors over
/// time, and signed-request outcomes when the run checked signatures.
pub fn run_charts(t: &RunTables) -> anyhow::Result<Vec<Chart>> {
    let ts = &t.timeseries;
    if ts.rows.is_empty() {
        bail!(
            "{} has no measured interval (every request fell inside the warm-up): there is nothing to plot",
            ts.path.display()
        );
    }
    let axis = TimeAxis::read(t)?;
    let mut charts = vec![
        hit_ratio_chart(ts, &axis)?,
        origin_load_chart(ts, &axis)?,
        latency_chart(ts, &axis)?,
        errors_chart(ts, &axis)?,
    ];
    if let Some(signing) = &t.signing
        && let Some(bars) = signing_bars(signing)?
    {
        charts.push(Chart {
            file_stem: "signing".into(),
            title: "Signed requests by outcome".into(),
            x_label: "viewer requests".into(),
            y_label: "outcome".into(),
            body: Body::Bars(bars),
        });
    }
    Ok(charts)
}

const TIME_LABEL: &str = "simulated time (s)";

/// The x axis every over-time chart shares: one point per interval, at its
/// middle, with the fault windows shaded behind the lines.
struct TimeAxis {
    start: Vec<f64>,
    mid: Vec<f64>,
    /// One interval's length in seconds: every interval of a run is
    /// `simulation.metrics_interval` long.
    width: f64,
    requests: Vec<f64>,
    shaded: Vec<(f64, f64, String)>,
}

impl TimeAxis {
    fn read(t: &RunTables) -> anyhow::Result<TimeAxis> {
        let ts = &t.timeseries;
        let start = ts.numbers_or_zero("start_s")?;
        let end = ts.numbers_or_zero("end_s")?;
        let mid = start.iter().zip(&end).map(|(s, e)| (s + e) / 2.0).collect();
        let width = start.iter().zip(&end).map(|(s, e)| e - s).next().unwrap_or(1.0).max(1e-9);
        let requests = ts.numbers_or_zero("requests")?;
        let shaded = match &t.faults {
            Some(f) => fault_windows(f)?,
            None => Vec::new(),
        };
        Ok(TimeAxis { start, mid, width, requests, shaded })
    }

    /// A series over time; `measured_only` leaves out intervals without a
    /// request, where a ratio or a percentile means nothing.
    fn series(&self, name: &str, ys: &[f64], measured_only: bool) -> Series {
        Series {
            name: name.to_string(),
            points: self
                .mid
                .iter()
                .zip(ys)
                .enumerate()
                .filter(|(i, _)| !measured_only || self.requests[*i] > 0.0)
                .map(|(_, (x, y))| (*x, *y))
                .collect(),
            band: Vec::new(),
            dashed: false,
        }
    }

    fn lines(&self, series: Vec<Series>) -> Lines {
        Lines {
            series,
            shaded: self.shaded.clone(),
            marker: None,
            x_axis: Axis::Number,
            y_from_zero: true,
            y_unit_interval: false,
            y_log10: false,
        }
    }
}

fn hit_ratio_chart(ts: &CsvTable, axis: &TimeAxis) -> anyhow::Result<Chart> {
    let share = |column: &str| -> anyhow::Result<Vec<f64>> {
        Ok(ts
            .numbers_or_zero(column)?
            .iter()
            .zip(&axis.requests)
            .map(|(n, r)| if *r > 0.0 { n / r } else { 0.0 })
            .collect())
    };
    let mut hit_series = vec![axis.series("any cache", &ts.numbers_or_zero("hit_ratio")?, true)];
    for (column, name) in
        [("edge_hits", "edge"), ("regional_hits", "regional edge cache"), ("shield_hits", "Origin Shield")]
    {
        if ts.column(column).is_none() {
            continue;
        }
        let values = share(column)?;
        // A tier that never answered (no Origin Shield configured) is left out.
        if column != "edge_hits" && values.iter().all(|v| *v == 0.0) {
            continue;
        }
        hit_series.push(axis.series(name, &values, true));
    }
    Ok(Chart {
        file_stem: "hit-ratio".into(),
        title: "Cache hits over time, by the tier that answered".into(),
        x_label: TIME_LABEL.into(),
        y_label: "share of viewer requests (0-1)".into(),
        body: Body::Lines(Lines { y_unit_interval: true, ..axis.lines(hit_series) }),
    })
}

/// Origin requests per second, with the peak marked (the latest interval
/// wins a tie, so the marker sits where the load was last that high).
fn origin_load_chart(ts: &CsvTable, axis: &TimeAxis) -> anyhow::Result<Chart> {
    let origin = ts.numbers_or_zero("origin_requests_per_s")?;
    let marker =
        origin.iter().enumerate().filter(|(_, y)| **y > 0.0).max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0))).map(
            |(i, y)| Marker {
                x: axis.mid[i],
                y: *y,
                label: format!("peak {} req/s at {} s", format_number(*y), format_number(axis.start[i])),
            },
        );
    Ok(Chart {
        file_stem: "origin-load".into(),
        title: "Origin requests per second".into(),
        x_label: TIME_LABEL.into(),
        y_label: "origin requests/s".into(),
        body: Body::Lines(Lines { marker, ..axis.lines(vec![axis.series("origin requests/s", &origin, false)]) }),
    })
}

fn latency_chart(ts: &CsvTable, axis: &TimeAxis) -> anyhow::Result<Chart> {
    let mut latency = Vec::new();
    for (column, name) in [("latency_p50_ms", "p50"), ("latency_p95_ms", "p95"), ("latency_p99_ms", "p99")] {
        if ts.column(column).is_some() {
            // On a log scale: a microsecond floor keeps log10 finite.
            let log: Vec<f64> = ts.numbers_or_zero(column)?.iter().map(|ms| ms.max(1e-3).log10()).collect();
            latency.push(axis.series(name, &log, true));
        }
    }
    Ok(Chart {
        file_stem: "latency".into(),
        title: "Viewer latency percentiles over time".into(),
        x_label: TIME_LABEL.into(),
        y_label: "latency (ms, log scale)".into(),
        body: Body::Lines(Lines { y_from_zero: false, y_log10: true, ..axis.lines(latency) }),
    })
}

fn errors_chart(ts: &CsvTable, axis: &TimeAxis) -> anyhow::Result<Chart> {
    let per_second = |column: &str| -> anyhow::Result<Vec<f64>> {
        Ok(ts.numbers_or_zero(column)?.iter().map(|n| n / axis.width).collect())
    };
    Ok(Chart {
        file_stem: "errors".into(),
        title: "Failovers and viewer errors over time".into(),
        x_label: TIME_LABEL.into(),
        y_label: "per second".into(),
        body: Body::Lines(axis.lines(vec![
            axis.series("failovers/s", &per_second("failovers")?, false),
            axis.series("viewer errors/s", &per_second("viewer_errors")?, false),
        ])),
    })
}

/// Fault windows from `faults.csv` as shaded intervals, labelled
/// `origin: kind`.
pub fn fault_windows(faults: &CsvTable) -> anyhow::Result<Vec<(f64, f64, String)>> {
    let start = faults.numbers_or_zero("start_s")?;
    let end = faults.numbers_or_zero("end_s")?;
    let origin = faults.texts("origin").unwrap_or_default();
    let kind = faults.texts("kind").unwrap_or_default();
    Ok((0..start.len())
        .map(|i| {
            let label = format!("{}: {}", origin.get(i).unwrap_or(&""), kind.get(i).unwrap_or(&""));
            (start[i], end[i], format!("fault ({label})"))
        })
        .collect())
}

/// Accepted requests and each rejection reason that occurred; `None` when
/// no request was checked.
pub fn signing_bars(signing: &CsvTable) -> anyhow::Result<Option<Vec<(String, f64)>>> {
    let outcome = signing.texts("outcome").unwrap_or_default();
    let requests = signing.numbers_or_zero("requests")?;
    let bars: Vec<(String, f64)> = outcome
        .iter()
        .zip(&requests)
        .filter(|(o, n)| **o == "accepted" || **n > 0.0)
        .map(|(o, n)| (o.to_string(), *n))
        .collect();
    Ok((requests.iter().sum::<f64>() > 0.0).then_some(bars))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn table(text: &str) -> CsvTable {
        CsvTable::parse(Path::new("t.csv"), text.as_bytes()).unwrap()
    }

    const TIMESERIES: &str =
        "start_s,end_s,requests,requests_per_s,hits,hit_ratio,origin_requests,origin_requests_per_s,\
failovers,viewer_errors,bytes,latency_p50_ms,latency_p99_ms,edge_hits,regional_hits,shield_hits,latency_p95_ms
0,10,100,10,80,0.8,20,2,0,0,1000,5,50,60,20,0,20
10,20,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0
20,30,200,20,100,0.5,100,10,4,8,2000,6,60,90,10,0,30
";

    #[test]
    fn run_charts_from_a_timeseries() {
        let faults = table("origin,kind,start_s,end_s,status,fraction,factor\nweb,down,12,18,,,\n");
        let charts =
            run_charts(&RunTables { timeseries: table(TIMESERIES), faults: Some(faults), signing: None }).unwrap();
        let stems: Vec<&str> = charts.iter().map(|c| c.file_stem.as_str()).collect();
        assert_eq!(stems, ["hit-ratio", "origin-load", "latency", "errors"]);
        let Body::Lines(hits) = &charts[0].body else { panic!() };
        // No Origin Shield hits: that tier is left out; the empty interval has no point.
        let names: Vec<&str> = hits.series.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["any cache", "edge", "regional edge cache"]);
        assert_eq!(hits.series[1].points, vec![(5.0, 0.6), (25.0, 0.45)]);
        assert_eq!(hits.shaded, vec![(12.0, 18.0, "fault (web: down)".to_string())]);
        let Body::Lines(origin) = &charts[1].body else { panic!() };
        assert_eq!(
            origin.marker.as_ref().map(|m| (m.x, m.y, m.label.as_str())),
            Some((25.0, 10.0, "peak 10 req/s at 20 s"))
        );
        let Body::Lines(latency) = &charts[2].body else { panic!() };
        assert_eq!(latency.series.len(), 3);
        assert!(latency.y_log10 && (latency.series[2].points[1].1 - 60f64.log10()).abs() < 1e-12);
        let Body::Lines(errors) = &charts[3].body else { panic!() };
        assert_eq!(errors.series[0].points[2], (25.0, 0.4));
        assert_eq!(errors.series[1].points[2], (25.0, 0.8));
    }

    #[test]
    fn a_run_measured_in_no_interval_is_refused() {
        let t = RunTables { timeseries: table(""), faults: None, signing: None };
        assert!(run_charts(&t).unwrap_err().to_string().contains("nothing to plot"));
    }

    #[test]
    fn signing_bars_only_for_outcomes_that_happened() {
        let t = table(
            "outcome,cloudfront_code,requests,share\naccepted,,90,0.9\nexpired,AccessDenied,10,0.1\nbad-signature,AccessDenied,0,0\n",
        );
        assert_eq!(signing_bars(&t).unwrap(), Some(vec![("accepted".into(), 90.0), ("expired".into(), 10.0)]));
        let none = table("outcome,cloudfront_code,requests,share\naccepted,,0,0\nexpired,AccessDenied,0,0\n");
        assert_eq!(signing_bars(&none).unwrap(), None);
    }
}
