//! What a chart shows, apart from how it is drawn: the pure functions in
//! `run_charts` and `sweep_charts` build these, `draw` renders them.

/// One chart, written as `<file_stem>.png` and `<file_stem>.svg`.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    pub file_stem: String,
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub body: Body,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    Lines(Lines),
    /// Horizontal bars, one per category, top to bottom in the given order.
    Bars(Vec<(String, f64)>),
    GroupedBars(GroupedBars),
    HeatMap(HeatMap),
}

/// Horizontal bars in groups: a row per category, top to bottom, and in
/// each a bar per series, in the series' colours, named in a legend.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupedBars {
    pub categories: Vec<String>,
    /// Series name and one value per category.
    // Invariant: every series has `categories.len()` values.
    pub series: Vec<(String, Vec<f64>)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Lines {
    pub series: Vec<Series>,
    /// Intervals of x to shade (fault windows), with their label.
    pub shaded: Vec<(f64, f64, String)>,
    /// A point to mark and label (the peak).
    pub marker: Option<Marker>,
    /// How x values read on the axis.
    pub x_axis: Axis,
    /// Start the y axis at zero (counts, ratios) rather than at the data.
    pub y_from_zero: bool,
    /// Fix the y axis to [0, 1] (ratios).
    pub y_unit_interval: bool,
    /// The y values are log10 of the quantity (latencies spanning a cache
    /// hit's milliseconds and a timeout's seconds); ticks show the quantity.
    pub y_log10: bool,
}

/// A tick of a log10 axis: the quantity to two significant digits.
pub fn format_log10_tick(y: f64) -> String {
    let value = 10f64.powf(y);
    let magnitude = 10f64.powf(value.log10().floor() - 1.0);
    format_number((value / magnitude).round() * magnitude)
}

#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    /// A confidence band: (x, low, high), when there are replicates.
    pub band: Vec<(f64, f64, f64)>,
    /// Drawn dashed: a bound rather than a measurement (Belady's curve).
    pub dashed: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    pub x: f64,
    pub y: f64,
    pub label: String,
}

/// How numbers on the x axis are written.
#[derive(Clone, Debug, PartialEq)]
pub enum Axis {
    Number,
    /// Bytes, written with binary units (`1.0 GiB`).
    Bytes,
    /// log2 of bytes: sizes that grow by factors, with a tick per power of two.
    Log2Bytes,
    /// Categories: x is the index into these labels.
    Categories(Vec<String>),
}

impl Axis {
    pub fn label(&self, x: f64) -> String {
        match self {
            Axis::Number => format_number(x),
            Axis::Bytes => crate::units::format_size(x.max(0.0).round() as u64),
            Axis::Log2Bytes if (x - x.round()).abs() < 1e-6 && (0.0..63.0).contains(&x) => {
                crate::units::format_size(1u64 << x.round() as u32).replace(".0 ", " ")
            }
            Axis::Log2Bytes => String::new(),
            Axis::Categories(labels) => {
                let i = x.round();
                if (x - i).abs() < 1e-6 && i >= 0.0 {
                    labels.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            }
        }
    }
}

/// Numbers for axes and labels: no trailing zeros, thousands as `k`.
pub fn format_number(x: f64) -> String {
    let a = x.abs();
    let text = if a >= 1e6 {
        format!("{:.2}M", x / 1e6)
    } else if a >= 1e4 {
        format!("{:.1}k", x / 1e3)
    } else if a >= 100.0 || x == x.round() {
        format!("{x:.0}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    };
    if text.contains('.') {
        let (number, suffix) = text.split_at(text.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(text.len()));
        format!("{}{suffix}", number.trim_end_matches('0').trim_end_matches('.'))
    } else {
        text
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct HeatMap {
    pub x_labels: Vec<String>,
    pub y_labels: Vec<String>,
    /// `cells[y][x]`; `None` where every run of the point failed.
    pub cells: Vec<Vec<Option<f64>>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(format_number(0.85), "0.85");
        assert_eq!(format_number(0.5), "0.5");
        assert_eq!(format_number(120.0), "120");
        assert_eq!(format_number(12.5), "12.5");
        assert_eq!(format_number(25000.0), "25k");
        assert_eq!(format_number(1_250_000.0), "1.25M");
        assert_eq!(
            (format_log10_tick(2.0), format_log10_tick(2.5), format_log10_tick(-1.0)),
            ("100".into(), "320".into(), "0.1".into())
        );
        assert_eq!(Axis::Bytes.label(1073741824.0), "1.0 GiB");
        assert_eq!((Axis::Log2Bytes.label(30.0), Axis::Log2Bytes.label(30.5)), ("1 GiB".into(), String::new()));
        let c = Axis::Categories(vec!["lru".into(), "sieve".into()]);
        assert_eq!((c.label(1.0), c.label(0.5), c.label(7.0)), ("sieve".into(), String::new(), String::new()));
    }
}
