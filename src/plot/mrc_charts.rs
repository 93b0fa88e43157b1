//! The charts of a `cdnsim mrc` folder (pure): the miss ratio and the byte
//! miss ratio against the cache size, on a log axis, one line per policy
//! (`lru`, `lru-shards`, the simulated policies, Belady's bound dashed) in
//! the order of mrc.csv.

use super::chart::{Axis, Body, Chart, Lines, Series};
use super::table::CsvTable;
use anyhow::bail;

/// Both charts from mrc.csv.
pub fn mrc_charts(table: &CsvTable) -> anyhow::Result<Vec<Chart>> {
    let Some(policy) = table.column("policy") else {
        bail!("{} has no column `policy` (it was written by another version of cdnsim?)", table.path.display());
    };
    let sizes = table.numbers("size_bytes")?;
    let mut charts = Vec::new();
    for (metric, stem, title) in [
        ("miss_ratio", "mrc-miss-ratio", "Miss ratio against cache size"),
        ("byte_miss_ratio", "mrc-byte-miss-ratio", "Byte miss ratio against cache size"),
    ] {
        let ys = table.numbers(metric)?;
        let mut series: Vec<Series> = Vec::new();
        for (row, cells) in table.rows.iter().enumerate() {
            let name = cells.get(policy).cloned().unwrap_or_default();
            // A size of 0 bytes has no place on a log axis.
            let (Some(size), Some(y)) = (sizes[row], ys[row]) else { continue };
            if size < 1.0 {
                continue;
            }
            let index = match series.iter().position(|s| s.name == name) {
                Some(i) => i,
                None => {
                    // Belady's curve is the bound no policy reaches: dashed.
                    let dashed = name == crate::mrc::BELADY_NAME;
                    series.push(Series { name, points: Vec::new(), band: Vec::new(), dashed });
                    series.len() - 1
                }
            };
            series[index].points.push((size.log2(), y));
        }
        for s in &mut series {
            s.points.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
        charts.push(Chart {
            file_stem: stem.to_string(),
            title: title.to_string(),
            x_label: "cache size".to_string(),
            y_label: metric.replace('_', " "),
            body: Body::Lines(Lines {
                series,
                shaded: Vec::new(),
                marker: None,
                x_axis: Axis::Log2Bytes,
                y_from_zero: true,
                y_unit_interval: true,
                y_log10: false,
            }),
        });
    }
    Ok(charts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn a_line_per_policy_on_a_log_size_axis() {
        let text = "policy,size_bytes,requests,misses,miss_ratio,bytes,miss_bytes,byte_miss_ratio\n\
                    lru,1024,10,8,0.8,100,90,0.9\nlru,4096,10,5,0.5,100,60,0.6\n\
                    fifo,1024,10,9,0.9,100,95,0.95\nfifo,4096,10,6,0.6,100,70,0.7\n\
                    belady,1024,10,7,0.7,100,80,0.8\nbelady,4096,10,4,0.4,100,50,0.5\n";
        let table = CsvTable::parse(Path::new("mrc.csv"), text.as_bytes()).unwrap();
        let charts = mrc_charts(&table).unwrap();
        assert_eq!(charts.len(), 2);
        let Body::Lines(lines) = &charts[1].body else { panic!("lines") };
        assert_eq!(lines.x_axis, Axis::Log2Bytes);
        let named: Vec<(&str, &[(f64, f64)])> =
            lines.series.iter().map(|s| (s.name.as_str(), s.points.as_slice())).collect();
        // 1024 = 2^10, 4096 = 2^12; the byte miss ratios.
        assert_eq!(
            named,
            vec![
                ("lru", &[(10.0, 0.9), (12.0, 0.6)][..]),
                ("fifo", &[(10.0, 0.95), (12.0, 0.7)][..]),
                ("belady", &[(10.0, 0.8), (12.0, 0.5)][..])
            ]
        );
        // Belady's bound alone is dashed, and the chart still draws.
        let dashed: Vec<bool> = lines.series.iter().map(|s| s.dashed).collect();
        assert_eq!(dashed, vec![false, false, true]);
        let svg = crate::plot::draw::svg(&charts[1]).unwrap();
        assert!(svg.contains("belady"));
    }
}
