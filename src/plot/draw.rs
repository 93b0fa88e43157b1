//! Charts to PNG and SVG bytes with plotters. The font is DejaVu Sans, built
//! into the binary and registered once, so charts render the same on a
//! machine without fonts (shared/dependencies.md, "plotters on a fresh
//! machine").

use super::chart::{Axis, Body, Chart, GroupedBars, HeatMap, Lines, Marker, Series};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{IntoSegmentedCoord, SegmentValue};
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub const WIDTH: u32 = 1100;
pub const HEIGHT: u32 = 620;

const FONT: &str = "sans-serif";
const TITLE_SIZE: u32 = 28;
const AXIS_TITLE_SIZE: u32 = 20;
const TICK_SIZE: u32 = 17;
const LEGEND_SIZE: u32 = 17;

/// Series colours (the Tableau 10 palette): distinct, readable on white and
/// for most colour-blind readers. Tests find series in the SVG by them.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0xe3, 0x77, 0xc2),
    RGBColor(0x7f, 0x7f, 0x7f),
    RGBColor(0xbc, 0xbd, 0x22),
    RGBColor(0x17, 0xbe, 0xcf),
];
const FAULT_SHADE: RGBColor = RGBColor(0xd6, 0x27, 0x28);

fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

fn register_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // The bundled font is a valid TTF; failing here is a build defect.
        let registered = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        assert!(registered.is_ok(), "the bundled DejaVu Sans font does not load");
    });
}

fn err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow::anyhow!("drawing a chart failed: {e:?}")
}

/// The chart as an SVG document.
pub fn svg(chart: &Chart) -> anyhow::Result<String> {
    register_font();
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root, chart)?;
        root.present().map_err(err)?;
    }
    Ok(text)
}

/// The chart as PNG bytes.
pub fn png(chart: &Chart) -> anyhow::Result<Vec<u8>> {
    register_font();
    let mut rgb = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root, chart)?;
        root.present().map_err(err)?;
    }
    let image = image::RgbImage::from_raw(WIDTH, HEIGHT, rgb).expect("the buffer has the image's size");
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Png).map_err(err)?;
    Ok(bytes.into_inner())
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, chart: &Chart) -> anyhow::Result<()> {
    root.fill(&WHITE).map_err(err)?;
    match &chart.body {
        Body::Lines(lines) => draw_lines(root, chart, lines),
        Body::Bars(bars) => draw_bars(root, chart, bars),
        Body::GroupedBars(groups) => draw_grouped_bars(root, chart, groups),
        Body::HeatMap(map) => draw_heat_map(root, chart, map),
    }
}

fn range_with_margin(lo: f64, hi: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    if hi - lo < 1e-12 {
        let pad = if lo.abs() > 1e-12 { lo.abs() * 0.1 } else { 1.0 };
        return (lo - pad, hi + pad);
    }
    let pad = (hi - lo) * 0.05;
    (lo - pad, hi + pad)
}

/// The plotting area of a line chart: x and y ranges with room for the
/// legend above the data.
#[derive(Clone, Copy)]
struct Ranges {
    x_lo: f64,
    x_hi: f64,
    y_lo: f64,
    y_hi: f64,
}

impl Ranges {
    fn of(lines: &Lines) -> Ranges {
        let xs = lines.series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
        let (x_lo, x_hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| (lo.min(x), hi.max(x)));
        let ys = lines
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1).chain(s.band.iter().flat_map(|b| [b.1, b.2])))
            .chain(lines.marker.iter().map(|m| m.y));
        let (y_lo, y_hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), y| (lo.min(y), hi.max(y)));
        let (x_lo, x_hi) = match &lines.x_axis {
            Axis::Categories(labels) => (-0.5, labels.len() as f64 - 0.5),
            _ => range_with_margin(x_lo, x_hi),
        };
        // Room above the data for the legend (a line per entry) and the peak's label.
        let entries = lines.series.len() + usize::from(!lines.shaded.is_empty());
        let headroom = 0.07 * (entries as f64 + 1.0);
        let (y_lo, y_hi) = if lines.y_unit_interval {
            (0.0, 1.0 + headroom)
        } else {
            let (lo, hi) = range_with_margin(if lines.y_from_zero { 0.0 } else { y_lo }, y_hi);
            let lo = if lines.y_from_zero { 0.0 } else { lo };
            (lo, hi + (hi - lo).max(1e-9) * headroom)
        };
        Ranges { x_lo, x_hi, y_lo, y_hi }
    }

    fn x_mid(&self) -> f64 {
        (self.x_lo + self.x_hi) / 2.0
    }
}

/// A line chart's plotting context: both axes are plain `f64` ranges.
type LinesContext<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

fn draw_lines<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, chart: &Chart, lines: &Lines) -> anyhow::Result<()> {
    let r = Ranges::of(lines);
    let mut cc = lines_mesh(root, chart, lines, r)?;
    draw_fault_windows(&mut cc, &lines.shaded, r)?;
    for (i, series) in lines.series.iter().enumerate() {
        draw_series(&mut cc, series, color(i))?;
    }
    // The legend goes to the side away from the marked point.
    let mut legend_position = SeriesLabelPosition::UpperLeft;
    if let Some(m) = &lines.marker {
        if m.x < r.x_mid() {
            legend_position = SeriesLabelPosition::UpperRight;
        }
        draw_marker(&mut cc, m, r)?;
    }
    cc.configure_series_labels()
        .position(legend_position)
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(0xaa, 0xaa, 0xaa))
        .label_font((FONT, LEGEND_SIZE))
        .draw()
        .map_err(err)?;
    Ok(())
}

/// The caption, axes, ticks and grid of a line chart.
fn lines_mesh<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    chart: &Chart,
    lines: &Lines,
    r: Ranges,
) -> anyhow::Result<LinesContext<'a, DB>> {
    let (unit_interval, log10) = (lines.y_unit_interval, lines.y_log10);
    let mut cc = ChartBuilder::on(root)
        .caption(&chart.title, (FONT, TITLE_SIZE))
        .margin(18)
        .x_label_area_size(60)
        .y_label_area_size(85)
        .build_cartesian_2d(r.x_lo..r.x_hi, r.y_lo..r.y_hi)
        .map_err(err)?;
    let x_axis = lines.x_axis.clone();
    let x_labels = match &x_axis {
        Axis::Categories(labels) => labels.len().max(2) * 2 + 1,
        _ => 10,
    };
    cc.configure_mesh()
        .x_desc(&chart.x_label)
        .y_desc(&chart.y_label)
        .x_labels(x_labels)
        .y_labels(8)
        .x_label_formatter(&|x| x_axis.label(*x))
        // A ratio has no ticks above 1: the space there is the legend's.
        .y_label_formatter(&|y| {
            if unit_interval && *y > 1.0 + 1e-9 {
                String::new()
            } else if log10 {
                super::chart::format_log10_tick(*y)
            } else {
                super::chart::format_number(*y)
            }
        })
        .label_style((FONT, TICK_SIZE))
        .axis_desc_style((FONT, AXIS_TITLE_SIZE))
        .light_line_style(RGBColor(0xf2, 0xf2, 0xf2))
        .bold_line_style(RGBColor(0xdd, 0xdd, 0xdd))
        .draw()
        .map_err(err)?;
    Ok(cc)
}

/// Shades each fault window, cut to the plotted x range, behind the lines.
fn draw_fault_windows<DB: DrawingBackend>(
    cc: &mut LinesContext<'_, DB>,
    shaded: &[(f64, f64, String)],
    r: Ranges,
) -> anyhow::Result<()> {
    for (i, (start, end, label)) in shaded.iter().enumerate() {
        let (start, end) = (start.max(r.x_lo), end.min(r.x_hi));
        if start >= end {
            continue;
        }
        let area = cc
            .draw_series(std::iter::once(Rectangle::new(
                [(start, r.y_lo), (end, r.y_hi)],
                FAULT_SHADE.mix(0.12).filled(),
            )))
            .map_err(err)?;
        // One legend entry for all fault windows.
        if i == 0 {
            let label = if shaded.len() > 1 { "fault windows".to_string() } else { label.clone() };
            area.label(label)
                .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 20, y + 6)], FAULT_SHADE.mix(0.25).filled()));
        }
    }
    Ok(())
}

/// One series: its confidence band, its line with a legend entry, and its
/// points when there are few enough to see apart.
fn draw_series<DB: DrawingBackend>(cc: &mut LinesContext<'_, DB>, series: &Series, c: RGBColor) -> anyhow::Result<()> {
    if !series.band.is_empty() {
        let upper = series.band.iter().map(|b| (b.0, b.2));
        let lower = series.band.iter().rev().map(|b| (b.0, b.1));
        cc.draw_series(std::iter::once(Polygon::new(upper.chain(lower).collect::<Vec<_>>(), c.mix(0.18).filled())))
            .map_err(err)?;
    }
    let points = series.points.iter().copied();
    if series.dashed {
        let line = DashedLineSeries::new(points, 12, 8, c.stroke_width(3));
        cc.draw_series(line)
            .map_err(err)?
            .label(&series.name)
            .legend(move |(x, y)| DashedPathElement::new(vec![(x, y), (x + 24, y)], 6, 3, c.stroke_width(4)));
    } else {
        cc.draw_series(LineSeries::new(points, c.stroke_width(3)))
            .map_err(err)?
            .label(&series.name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], c.stroke_width(4)));
    }
    if series.points.len() <= 30 {
        cc.draw_series(series.points.iter().map(|&p| Circle::new(p, 4, c.filled()))).map_err(err)?;
    }
    Ok(())
}

/// A ring around the marked point and its label beside it.
fn draw_marker<DB: DrawingBackend>(cc: &mut LinesContext<'_, DB>, m: &Marker, r: Ranges) -> anyhow::Result<()> {
    cc.draw_series(std::iter::once(Circle::new((m.x, m.y), 7, BLACK.stroke_width(2)))).map_err(err)?;
    // The label sits left of the point when the point is in the right half.
    let right_half = m.x > r.x_mid();
    let anchor = if right_half { HPos::Right } else { HPos::Left };
    let style = TextStyle::from((FONT, LEGEND_SIZE).into_font()).pos(Pos::new(anchor, VPos::Bottom));
    let dx = (r.x_hi - r.x_lo) * if right_half { -0.01 } else { 0.01 };
    cc.draw_series(std::iter::once(Text::new(m.label.clone(), (m.x + dx, m.y + (r.y_hi - r.y_lo) * 0.02), style)))
        .map_err(err)?;
    Ok(())
}

/// `n` segments, one per category: plotters' integer ranges include their
/// end, so `0..n` would make one more.
fn segments(n: u32) -> plotters::coord::ranged1d::SegmentedCoord<plotters::coord::types::RangedCoordu32> {
    (0..n.max(1) - 1).into_segmented()
}

fn draw_bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
    bars: &[(String, f64)],
) -> anyhow::Result<()> {
    let n = bars.len() as u32;
    let max = bars.iter().map(|b| b.1).fold(0.0, f64::max).max(1.0);
    let mut cc = ChartBuilder::on(root)
        .caption(&chart.title, (FONT, TITLE_SIZE))
        .margin(18)
        .x_label_area_size(60)
        .y_label_area_size(230)
        .build_cartesian_2d(0.0..max * 1.18, segments(n))
        .map_err(err)?;
    // Category i is drawn at row n-1-i, so the first is at the top.
    let name_of = |v: &SegmentValue<u32>| match v {
        SegmentValue::CenterOf(row) if *row < n => bars[(n - 1 - row) as usize].0.clone(),
        _ => String::new(),
    };
    cc.configure_mesh()
        .x_desc(&chart.x_label)
        .y_desc(&chart.y_label)
        .y_labels(bars.len())
        .y_label_formatter(&name_of)
        .x_label_formatter(&|x| super::chart::format_number(*x))
        .label_style((FONT, TICK_SIZE))
        .axis_desc_style((FONT, AXIS_TITLE_SIZE))
        .disable_y_mesh()
        .light_line_style(RGBColor(0xee, 0xee, 0xee))
        .bold_line_style(RGBColor(0xdd, 0xdd, 0xdd))
        .draw()
        .map_err(err)?;
    for (i, (_, value)) in bars.iter().enumerate() {
        let row = n - 1 - i as u32;
        let mut bar = Rectangle::new(
            [(0.0, SegmentValue::Exact(row)), (*value, SegmentValue::Exact(row + 1))],
            color(if i == 0 { 2 } else { 3 }).filled(),
        );
        bar.set_margin(6, 6, 0, 0);
        cc.draw_series(std::iter::once(bar)).map_err(err)?;
        let style = TextStyle::from((FONT, LEGEND_SIZE).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
        cc.draw_series(std::iter::once(Text::new(
            format!(" {}", super::chart::format_number(*value)),
            (*value, SegmentValue::CenterOf(row)),
            style,
        )))
        .map_err(err)?;
    }
    Ok(())
}

/// Category `i` (of `n`) is centred on row `n - 1 - i` of a plain `f64` y
/// axis, so the first is at the top and the axis' integer ticks fall on the
/// categories' centres; each group's bars share the middle 80% of its row.
fn draw_grouped_bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
    groups: &GroupedBars,
) -> anyhow::Result<()> {
    let n = groups.categories.len();
    let k = groups.series.len().max(1);
    assert!(groups.series.iter().all(|(_, v)| v.len() == n), "a value per category in every series");
    let max = groups.series.iter().flat_map(|(_, v)| v.iter().copied()).fold(0.0, f64::max);
    let x_hi = if max > 0.0 { max * 1.18 } else { 1.0 };
    // Room above the top row for the legend, a line per series: a share
    // `f` of the plot's height is `n f / (1 - f)` rows.
    let f = 0.055 * (k as f64 + 1.0);
    let legend_rows = if k > 1 { n as f64 * f / (1.0 - f) } else { 0.0 };
    let y_hi = n as f64 - 0.5 + legend_rows;
    let mut cc = ChartBuilder::on(root)
        .caption(&chart.title, (FONT, TITLE_SIZE))
        .margin(18)
        .x_label_area_size(60)
        .y_label_area_size(230)
        .build_cartesian_2d(0.0..x_hi, -0.5..y_hi)
        .map_err(err)?;
    let name_of = |y: &f64| {
        let row = y.round();
        if (y - row).abs() > 1e-6 || row < 0.0 || row >= n as f64 {
            return String::new();
        }
        groups.categories[n - 1 - row as usize].clone()
    };
    cc.configure_mesh()
        .x_desc(&chart.x_label)
        .y_desc(&chart.y_label)
        .y_labels(n.max(2) * 2 + 1)
        .y_label_formatter(&name_of)
        .x_label_formatter(&|x| super::chart::format_number(*x))
        .label_style((FONT, TICK_SIZE))
        .axis_desc_style((FONT, AXIS_TITLE_SIZE))
        .disable_y_mesh()
        .light_line_style(RGBColor(0xee, 0xee, 0xee))
        .bold_line_style(RGBColor(0xdd, 0xdd, 0xdd))
        .draw()
        .map_err(err)?;
    let height = 0.8 / k as f64;
    let value_style = TextStyle::from((FONT, LEGEND_SIZE).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    for (s, (name, values)) in groups.series.iter().enumerate() {
        let c = color(s);
        let bars = values.iter().enumerate().map(|(i, value)| {
            let top = (n - 1 - i) as f64 + 0.4 - s as f64 * height;
            Rectangle::new([(0.0, top - height * 0.92), (*value, top)], c.filled())
        });
        cc.draw_series(bars)
            .map_err(err)?
            .label(name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 20, y + 6)], c.filled()));
        let labels = values.iter().enumerate().map(|(i, value)| {
            let middle = (n - 1 - i) as f64 + 0.4 - (s as f64 + 0.46) * height;
            Text::new(format!(" {}", super::chart::format_number(*value)), (*value, middle), value_style.clone())
        });
        cc.draw_series(labels).map_err(err)?;
    }
    if k > 1 {
        cc.configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(0xaa, 0xaa, 0xaa))
            .label_font((FONT, LEGEND_SIZE))
            .draw()
            .map_err(err)?;
    }
    Ok(())
}

/// A sequential colour scale from pale yellow (low) to dark blue (high).
fn heat_color(t: f64) -> RGBColor {
    const STOPS: [(f64, [f64; 3]); 3] =
        [(0.0, [255.0, 247.0, 188.0]), (0.5, [65.0, 182.0, 196.0]), (1.0, [37.0, 52.0, 148.0])];
    let t = t.clamp(0.0, 1.0);
    let (a, b) = if t <= 0.5 { (STOPS[0], STOPS[1]) } else { (STOPS[1], STOPS[2]) };
    let f = (t - a.0) / (b.0 - a.0);
    let mix = |i: usize| (a.1[i] + (b.1[i] - a.1[i]) * f).round() as u8;
    RGBColor(mix(0), mix(1), mix(2))
}

fn draw_heat_map<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
    map: &HeatMap,
) -> anyhow::Result<()> {
    let (nx, ny) = (map.x_labels.len() as u32, map.y_labels.len() as u32);
    let values = map.cells.iter().flatten().flatten();
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    let mut cc = ChartBuilder::on(root)
        .caption(&chart.title, (FONT, TITLE_SIZE))
        .margin(18)
        .x_label_area_size(60)
        .y_label_area_size(110)
        .build_cartesian_2d(segments(nx), segments(ny))
        .map_err(err)?;
    let label = |labels: &[String], v: &SegmentValue<u32>| match v {
        SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
        _ => String::new(),
    };
    cc.configure_mesh()
        .x_desc(&chart.x_label)
        .y_desc(&chart.y_label)
        .x_labels(map.x_labels.len())
        .y_labels(map.y_labels.len())
        .x_label_formatter(&|v| label(&map.x_labels, v))
        .y_label_formatter(&|v| label(&map.y_labels, v))
        .label_style((FONT, TICK_SIZE))
        .axis_desc_style((FONT, AXIS_TITLE_SIZE))
        .disable_mesh()
        .draw()
        .map_err(err)?;
    for (y, row) in map.cells.iter().enumerate() {
        for (x, cell) in row.iter().enumerate() {
            let (x, y) = (x as u32, y as u32);
            let t = cell.map(|v| if hi > lo { (v - lo) / (hi - lo) } else { 0.5 });
            let fill = t.map_or(RGBColor(0xcc, 0xcc, 0xcc), heat_color);
            cc.draw_series(std::iter::once(Rectangle::new(
                [
                    (SegmentValue::Exact(x), SegmentValue::Exact(y)),
                    (SegmentValue::Exact(x + 1), SegmentValue::Exact(y + 1)),
                ],
                fill.filled(),
            )))
            .map_err(err)?;
            let text_color = if t.is_some_and(|t| t > 0.55) { WHITE } else { BLACK };
            let text = cell.map_or("failed".to_string(), super::chart::format_number);
            let style = TextStyle::from((FONT, LEGEND_SIZE).into_font())
                .color(&text_color)
                .pos(Pos::new(HPos::Center, VPos::Center));
            cc.draw_series(std::iter::once(Text::new(
                text,
                (SegmentValue::CenterOf(x), SegmentValue::CenterOf(y)),
                style,
            )))
            .map_err(err)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_bars_draw_a_bar_per_series_and_category_with_a_legend() {
        let chart = Chart {
            file_stem: "t".into(),
            title: "t".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            body: Body::GroupedBars(GroupedBars {
                categories: vec!["/a/*".into(), "/b/*".into(), "edge locations".into()],
                series: vec![("fetching".into(), vec![10.0, 0.0, 7.0]), ("fragmentation".into(), vec![2.0, 0.0, 1.0])],
            }),
        };
        let svg = svg(&chart).unwrap();
        // Three bars and a legend sample in each series' colour.
        for c in &PALETTE[..2] {
            let fill = format!("fill=\"#{:02X}{:02X}{:02X}\"", c.0, c.1, c.2);
            assert_eq!(svg.matches(&fill).count(), 4, "{fill}");
        }
        assert!(svg.contains("/b/*") && svg.contains("edge locations") && svg.contains("fragmentation"));
        assert_eq!(svg, super::svg(&chart).unwrap(), "the same chart, the same bytes");
    }

    #[test]
    fn the_heat_scale_runs_from_pale_to_dark() {
        let brightness = |c: RGBColor| c.0 as u32 + c.1 as u32 + c.2 as u32;
        assert!(brightness(heat_color(0.0)) > brightness(heat_color(0.5)));
        assert!(brightness(heat_color(0.5)) > brightness(heat_color(1.0)));
        assert_eq!(heat_color(-1.0), heat_color(0.0));
    }
}
