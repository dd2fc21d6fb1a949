//! The report's chart kinds, drawn with plotters on any backend: SVG (always) and PNG (when a
//! system font is registered, see [`crate::fonts`]).
//!
//! Every chart has a title, axis descriptions with units, and a legend beside the plotting
//! area; series are coloured by [`crate::palette`].

use std::path::Path;

use anyhow::{anyhow, Context};
use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::fonts::FAMILY;
use crate::palette;
use crate::svg::{estimate, TextSafeSvg};
use crate::units;

/// What the drawing functions return.
pub type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A chart that can be drawn on any plotters backend.
pub trait Chart {
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32);
    /// The chart's title.
    fn title(&self) -> &str;
    /// Draws the chart on `root`, which is `size()` pixels large.
    ///
    /// # Errors
    /// Any backend error.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB>;
}

/// How a value axis is labelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Bytes (binary units).
    Bytes,
    /// A plain count.
    Count,
    /// A fraction shown as a percentage.
    Percent,
    /// Nanoseconds.
    Nanos,
    /// A ratio (`×`).
    Ratio,
}

impl Unit {
    /// `v` formatted for an axis label.
    #[must_use]
    pub fn format(self, v: f64) -> String {
        match self {
            Unit::Bytes => units::bytes(v),
            Unit::Count => units::count(v),
            Unit::Percent => format!("{:.0} %", v * 100.0),
            Unit::Nanos => units::nanos(v),
            Unit::Ratio => units::ratio(v),
        }
    }

    /// `v` formatted for a label inside the plot (one more digit than on an axis).
    #[must_use]
    pub fn precise(self, v: f64) -> String {
        match self {
            Unit::Percent => units::percent(v),
            other => other.format(v),
        }
    }
}

/// The binary unit a byte axis whose largest value is `max` is labelled in: its divisor
/// and name.
fn byte_scale(max: f64) -> (f64, &'static str) {
    const UNITS: [(f64, &str); 4] = [
        (1024.0 * 1024.0 * 1024.0, "GiB"),
        (1024.0 * 1024.0, "MiB"),
        (1024.0, "KiB"),
        (1.0, "B"),
    ];
    UNITS
        .iter()
        .copied()
        .find(|(d, _)| max >= 2.0 * d)
        .unwrap_or((1.0, "B"))
}

/// An axis label for `v` already divided by its unit's divisor: `1.5 MiB`, `512 B`.
fn scaled_label(v: f64, unit: &str) -> String {
    let digits = if v.abs() >= 100.0 || (v - v.round()).abs() < 1e-9 {
        0
    } else if v.abs() >= 10.0 {
        1
    } else {
        2
    };
    let mut n = format!("{v:.digits$}");
    if n.contains('.') {
        n = n.trim_end_matches('0').trim_end_matches('.').to_owned();
    }
    format!("{n} {unit}")
}

/// One line of a [`LineChart`].
#[derive(Debug, Clone)]
pub struct Line {
    /// Legend entry; also picks the colour unless `color` is set.
    pub name: String,
    /// Colour override (the live-bytes line is black).
    pub color: Option<RGBColor>,
    /// Stroke width in pixels.
    pub width: u32,
    /// The points, in x order.
    pub points: Vec<(f64, f64)>,
}

impl Line {
    /// A line coloured by the palette entry for `name`.
    #[must_use]
    pub fn new(name: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Self {
            name: name.into(),
            color: None,
            width: 2,
            points,
        }
    }

    fn rgb(&self) -> RGBColor {
        self.color.unwrap_or_else(|| palette::color(&self.name))
    }
}

/// Lines over a shared x axis; linear or log-log.
#[derive(Debug, Clone)]
pub struct LineChart {
    /// Title.
    pub title: String,
    /// X axis description, with unit.
    pub x_desc: String,
    /// Y axis description, with unit.
    pub y_desc: String,
    /// How x values are labelled.
    pub x_unit: Unit,
    /// How y values are labelled.
    pub y_unit: Unit,
    /// Log scales on both axes.
    pub log_log: bool,
    /// The lines.
    pub lines: Vec<Line>,
    /// Size in pixels.
    pub size: (u32, u32),
}

/// Several [`LineChart`]s stacked vertically in one figure.
#[derive(Debug, Clone)]
pub struct Panels {
    /// Figure title (the panels keep their own titles).
    pub title: String,
    /// The panels, top to bottom.
    pub panels: Vec<LineChart>,
}

/// One row of a [`StackedBars`] chart.
#[derive(Debug, Clone)]
pub struct BarRow {
    /// Row label (an allocator).
    pub name: String,
    /// Stacked parts, left to right, in the order of [`StackedBars::parts`].
    pub values: Vec<f64>,
    /// Text printed after the bar (for example the total).
    pub note: String,
}

/// Horizontal stacked bars, one row per allocator, parts shaded from the row's colour.
#[derive(Debug, Clone)]
pub struct StackedBars {
    /// Title.
    pub title: String,
    /// Value axis description, with unit.
    pub x_desc: String,
    /// How values are labelled.
    pub unit: Unit,
    /// Names of the stacked parts (the first is drawn in the full colour, later ones lighter).
    pub parts: Vec<String>,
    /// The rows, top to bottom.
    pub rows: Vec<BarRow>,
    /// Width in pixels (the height follows from the rows).
    pub width: u32,
}

/// Values of several series per row on a log axis, with a reference line (a Cleveland dot
/// plot): one row per workload, one dot per allocator.
#[derive(Debug, Clone)]
pub struct DotPlot {
    /// Title.
    pub title: String,
    /// Value axis description, with unit.
    pub x_desc: String,
    /// Row labels, top to bottom.
    pub rows: Vec<String>,
    /// Series: name and one value per row (`None`: no dot).
    pub series: Vec<(String, Vec<Option<f64>>)>,
    /// Where the reference line is drawn (1.0 for ratios).
    pub reference: f64,
    /// Width in pixels (the height follows from the rows).
    pub width: u32,
}

/// A grid of values coloured by magnitude and printed in each cell.
#[derive(Debug, Clone)]
pub struct Heatmap {
    /// Title.
    pub title: String,
    /// Column axis description.
    pub x_desc: String,
    /// Row axis description.
    pub y_desc: String,
    /// Column labels, left to right.
    pub columns: Vec<String>,
    /// Row labels, top to bottom.
    pub rows: Vec<String>,
    /// `values[row][column]`.
    pub values: Vec<Vec<Option<f64>>>,
    /// How cell values are printed.
    pub unit: Unit,
    /// The cell to outline (row, column), for example the recommended one.
    pub highlight: Option<(usize, usize)>,
    /// The legend entry of the outlined cell.
    pub highlight_label: String,
    /// The legend text: what the colours mean.
    pub legend: String,
}

const TITLE_PX: u32 = 22;
const LABEL_PX: u32 = 15;
const LEGEND_W: u32 = 230;

fn font(px: u32) -> TextStyle<'static> {
    (FAMILY, px).into_font().color(&BLACK)
}

fn text_width(s: &str, px: u32) -> u32 {
    estimate(s, f64::from(px)).0
}

/// Draws a legend of coloured swatches in `area`: each entry is a name, a colour and whether
/// it is a line (else a filled box).
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, RGBColor, bool)],
    top: i32,
) -> DrawResult<DB> {
    let mut y = top;
    for (name, color, line) in entries {
        if *line {
            area.draw(&PathElement::new(
                vec![(8, y), (34, y)],
                color.stroke_width(3),
            ))?;
        } else {
            area.draw(&Rectangle::new([(10, y - 6), (32, y + 6)], color.filled()))?;
        }
        area.draw(&Text::new(
            name.clone(),
            (40, y),
            font(13).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        y += 20;
    }
    Ok(())
}

/// The range of `values` padded for plotting; `(0, 1)` when empty, never empty or NaN.
fn padded_range(values: impl Iterator<Item = f64>, from_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if from_zero {
        lo = lo.min(0.0);
    }
    if hi <= lo {
        hi = lo + 1.0;
    }
    (lo, hi + (hi - lo) * 0.05)
}

/// The positive range of `values` widened to whole decades for a log axis.
fn log_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite() && *v > 0.0) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (1.0, 10.0);
    }
    let lo = 10f64.powf(lo.log10().floor());
    let mut hi = 10f64.powf(hi.log10().ceil());
    if hi <= lo {
        hi = lo * 10.0;
    }
    (lo, hi)
}

impl LineChart {
    fn draw_on<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let (plot, legend) =
            area.split_horizontally(area.dim_in_pixel().0.saturating_sub(LEGEND_W));
        // Byte values are plotted in the binary unit that suits the largest one, so the ticks
        // fall on round numbers of that unit; log axes keep their own labels.
        let max_y = self
            .lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.1))
            .fold(0.0, f64::max);
        let y_scale = if self.y_unit == Unit::Bytes && !self.log_log {
            byte_scale(max_y)
        } else {
            (1.0, "")
        };
        let lines: Vec<Line> = self
            .lines
            .iter()
            .map(|l| Line {
                points: l.points.iter().map(|&(x, y)| (x, y / y_scale.0)).collect(),
                ..l.clone()
            })
            .collect();
        let xs = || lines.iter().flat_map(|l| l.points.iter().map(|p| p.0));
        let ys = || lines.iter().flat_map(|l| l.points.iter().map(|p| p.1));
        let mut builder = ChartBuilder::on(&plot);
        builder
            .caption(&self.title, font(TITLE_PX))
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(84);
        if self.log_log {
            let (x0, x1) = log_range(xs());
            let (y0, y1) = log_range(ys());
            let chart = builder.build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())?;
            self.finish(chart, &lines, y_scale)?;
        } else {
            let (x0, x1) = padded_range(xs(), true);
            let (y0, y1) = padded_range(ys(), true);
            let chart = builder.build_cartesian_2d(x0..x1, y0..y1)?;
            self.finish(chart, &lines, y_scale)?;
        }
        let entries: Vec<_> = self
            .lines
            .iter()
            .map(|l| (l.name.clone(), l.rgb(), true))
            .collect();
        draw_legend(&legend, &entries, 40)
    }

    fn finish<'a, DB, X, Y>(
        &self,
        mut chart: ChartContext<'a, DB, Cartesian2d<X, Y>>,
        lines: &[Line],
        y_scale: (f64, &'static str),
    ) -> DrawResult<DB>
    where
        DB: DrawingBackend + 'a,
        X: Ranged<ValueType = f64> + ValueFormatter<f64>,
        Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
    {
        let (xu, yu) = (self.x_unit, self.y_unit);
        let x_fmt = move |v: &f64| xu.format(*v);
        let y_fmt = move |v: &f64| {
            if yu == Unit::Bytes {
                scaled_label(*v, y_scale.1)
            } else {
                yu.format(*v)
            }
        };
        chart
            .configure_mesh()
            .x_desc(&self.x_desc)
            .y_desc(&self.y_desc)
            .x_labels(8)
            .y_labels(8)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .label_style(font(LABEL_PX - 2))
            .axis_desc_style(font(LABEL_PX))
            .light_line_style(RGBColor(235, 235, 235))
            .bold_line_style(RGBColor(210, 210, 210))
            .draw()?;
        for line in lines {
            let color = line.rgb();
            let width = line.width;
            let style = color.stroke_width(width);
            chart.draw_series(LineSeries::new(line.points.iter().copied(), style))?;
            if line.points.len() <= 12 {
                chart.draw_series(
                    line.points
                        .iter()
                        .map(|&p| Circle::new(p, 3, color.filled())),
                )?;
            }
        }
        Ok(())
    }
}

impl Chart for LineChart {
    fn size(&self) -> (u32, u32) {
        self.size
    }

    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        self.draw_on(root)
    }
}

impl Chart for Panels {
    fn size(&self) -> (u32, u32) {
        let w = self.panels.iter().map(|p| p.size.0).max().unwrap_or(900);
        (w, self.panels.iter().map(|p| p.size.1).sum::<u32>().max(1))
    }

    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let mut rest = root.clone();
        for p in &self.panels {
            let (top, bottom) = rest.split_vertically(p.size.1);
            p.draw_on(&top)?;
            rest = bottom;
        }
        Ok(())
    }
}

/// Draws `labels` (top to bottom, at rows `n-1 .. 0` of the chart's y axis) left of the
/// plotting area, right-aligned.
fn row_labels<'a, DB, X>(
    root: &DrawingArea<DB, Shift>,
    chart: &ChartContext<'a, DB, Cartesian2d<X, RangedCoordf64>>,
    x_left: f64,
    labels: &[String],
) -> DrawResult<DB>
where
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64>,
{
    let n = labels.len();
    for (i, label) in labels.iter().enumerate() {
        let (px, py) = chart.backend_coord(&(x_left, (n - 1 - i) as f64));
        root.draw(&Text::new(
            label.clone(),
            (px - 8, py),
            font(LABEL_PX - 2).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
    }
    Ok(())
}

fn label_area(labels: &[String]) -> u32 {
    labels
        .iter()
        .map(|l| text_width(l, LABEL_PX - 2))
        .max()
        .unwrap_or(0)
        + 24
}

impl Chart for StackedBars {
    fn size(&self) -> (u32, u32) {
        (self.width, 130 + 30 * self.rows.len().max(1) as u32)
    }

    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let (plot, legend) = root.split_horizontally(self.width.saturating_sub(LEGEND_W));
        let n = self.rows.len();
        let names: Vec<String> = self.rows.iter().map(|r| r.name.clone()).collect();
        let totals = self.rows.iter().map(|r| r.values.iter().sum::<f64>());
        let (_, hi) = padded_range(totals, true);
        // Room for the notes printed after the bars.
        let hi = hi * 1.18;
        let mut chart = ChartBuilder::on(&plot)
            .caption(&self.title, font(TITLE_PX))
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(label_area(&names))
            .build_cartesian_2d(0f64..hi, -0.5f64..(n.max(1) as f64 - 0.5))?;
        let unit = self.unit;
        let x_fmt = move |v: &f64| unit.format(*v);
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(8)
            .x_desc(&self.x_desc)
            .x_label_formatter(&x_fmt)
            .label_style(font(LABEL_PX - 2))
            .axis_desc_style(font(LABEL_PX))
            .light_line_style(RGBColor(235, 235, 235))
            .bold_line_style(RGBColor(210, 210, 210))
            .draw()?;
        for (i, row) in self.rows.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            let base = palette::color(&row.name);
            let mut x = 0.0;
            for (k, v) in row.values.iter().enumerate() {
                let shade = palette::lighten(base, 0.55 * k as f64);
                if *v > 0.0 {
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(x, y - 0.36), (x + v, y + 0.36)],
                        shade.filled(),
                    )))?;
                }
                x += v.max(0.0);
            }
            chart.draw_series(std::iter::once(Text::new(
                row.note.clone(),
                (x, y),
                font(LABEL_PX - 3).pos(Pos::new(HPos::Left, VPos::Center)),
            )))?;
        }
        row_labels(root, &chart, 0.0, &names)?;
        let grey = RGBColor(90, 90, 90);
        let entries: Vec<_> = self
            .parts
            .iter()
            .enumerate()
            .map(|(k, p)| (p.clone(), palette::lighten(grey, 0.55 * k as f64), false))
            .collect();
        legend.draw(&Text::new(
            "parts (shades of each colour):",
            (8, 40),
            font(13).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        draw_legend(&legend, &entries, 62)
    }
}

impl Chart for DotPlot {
    fn size(&self) -> (u32, u32) {
        let legend = 80 + 20 * self.series.len() as u32;
        (self.width, (130 + 24 * self.rows.len() as u32).max(legend))
    }

    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let (plot, legend) = root.split_horizontally(self.width.saturating_sub(LEGEND_W));
        let n = self.rows.len();
        let values = self
            .series
            .iter()
            .flat_map(|(_, v)| v.iter().flatten().copied())
            .chain(std::iter::once(self.reference));
        let (lo, hi) = log_range(values);
        let mut chart = ChartBuilder::on(&plot)
            .caption(&self.title, font(TITLE_PX))
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(label_area(&self.rows))
            .build_cartesian_2d((lo..hi).log_scale(), -0.5f64..(n.max(1) as f64 - 0.5))?;
        let x_fmt = |v: &f64| units::ratio(*v);
        chart
            .configure_mesh()
            .y_labels(0)
            .x_labels(10)
            .x_desc(&self.x_desc)
            .x_label_formatter(&x_fmt)
            .label_style(font(LABEL_PX - 2))
            .axis_desc_style(font(LABEL_PX))
            .light_line_style(RGBColor(240, 240, 240))
            .bold_line_style(RGBColor(215, 215, 215))
            .draw()?;
        // Row guides, then the reference line, then the dots (jittered per series).
        for j in 0..n {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(lo, j as f64), (hi, j as f64)],
                RGBColor(225, 225, 225),
            )))?;
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(self.reference, -0.5), (self.reference, n as f64 - 0.5)],
            BLACK.stroke_width(2),
        )))?;
        let k = self.series.len().max(1) as f64;
        for (s, (name, vals)) in self.series.iter().enumerate() {
            let color = palette::color(name);
            let dy = if k > 1.0 {
                0.6 * (s as f64 / (k - 1.0) - 0.5)
            } else {
                0.0
            };
            chart.draw_series(vals.iter().enumerate().filter_map(|(i, v)| {
                v.filter(|v| *v > 0.0)
                    .map(|v| Circle::new((v, (n - 1 - i) as f64 + dy), 4, color.filled()))
            }))?;
        }
        row_labels(root, &chart, lo, &self.rows)?;
        let entries: Vec<_> = self
            .series
            .iter()
            .map(|(name, _)| (name.clone(), palette::color(name), false))
            .collect();
        draw_legend(&legend, &entries, 40)
    }
}

/// Colour of a heatmap cell with value `t` in 0..=1: light yellow to dark red.
fn heat(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let lerp = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    RGBColor(lerp(255.0, 165.0), lerp(247.0, 15.0), lerp(188.0, 21.0))
}

impl Chart for Heatmap {
    fn size(&self) -> (u32, u32) {
        (
            (260 + 95 * self.columns.len() as u32).max(700) + LEGEND_W,
            140 + 56 * self.rows.len() as u32,
        )
    }

    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let (plot, legend) = root.split_horizontally(self.size().0.saturating_sub(LEGEND_W));
        let (nr, nc) = (self.rows.len().max(1), self.columns.len().max(1));
        let mut chart = ChartBuilder::on(&plot)
            .caption(&self.title, font(TITLE_PX))
            .margin(12)
            .x_label_area_size(56)
            .y_label_area_size(label_area(&self.rows))
            .build_cartesian_2d(-0.5f64..(nc as f64 - 0.5), -0.5f64..(nr as f64 - 0.5))?;
        let cols = self.columns.clone();
        let x_fmt = move |v: &f64| {
            let i = v.round();
            if (v - i).abs() < 1e-6 && i >= 0.0 {
                cols.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .y_labels(0)
            .x_labels(nc)
            .x_desc(&self.x_desc)
            .x_label_formatter(&x_fmt)
            .label_style(font(LABEL_PX - 1))
            .axis_desc_style(font(LABEL_PX))
            .draw()?;
        let all = self.values.iter().flatten().flatten().copied();
        let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
        let span = if hi > lo { hi - lo } else { 1.0 };
        for (r, row) in self.values.iter().enumerate() {
            let y = (nr - 1 - r) as f64;
            for (c, v) in row.iter().enumerate() {
                let x = c as f64;
                let (fill, label) = match v {
                    Some(v) => (heat((v - lo) / span), self.unit.precise(*v)),
                    None => (RGBColor(230, 230, 230), "n/a".to_owned()),
                };
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.48, y - 0.46), (x + 0.48, y + 0.46)],
                    fill.filled(),
                )))?;
                let dark = v.is_some_and(|v| (v - lo) / span > 0.55);
                let ink = if dark { WHITE } else { BLACK };
                chart.draw_series(std::iter::once(Text::new(
                    label,
                    (x, y),
                    font(LABEL_PX - 2)
                        .color(&ink)
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                )))?;
            }
        }
        if let Some((r, c)) = self.highlight {
            let (x, y) = (c as f64, (nr - 1 - r) as f64);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x - 0.5, y - 0.48), (x + 0.5, y + 0.48)],
                RGBColor(0x1f, 0x77, 0xb4).stroke_width(4),
            )))?;
        }
        row_labels(root, &chart, -0.5, &self.rows)?;
        let (_, h) = root.dim_in_pixel();
        root.draw(&Text::new(
            format!("rows: {}", self.y_desc),
            (8, h as i32 - 20),
            font(LABEL_PX).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        let mut entries = vec![
            (format!("low: {}", self.unit.precise(lo)), heat(0.0), false),
            (format!("high: {}", self.unit.precise(hi)), heat(1.0), false),
        ];
        if self.highlight.is_some() {
            entries.push((
                self.highlight_label.clone(),
                RGBColor(0x1f, 0x77, 0xb4),
                false,
            ));
        }
        legend.draw(&Text::new(
            self.legend.clone(),
            (8, 40),
            font(13).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        draw_legend(&legend, &entries, 62)
    }
}

/// One rendered figure: its file stem, title and SVG text.
#[derive(Debug, Clone)]
pub struct Figure {
    /// File name without extension (`<stem>.svg`, `<stem>.png`).
    pub stem: String,
    /// The chart's title.
    pub title: String,
    /// The SVG document.
    pub svg: String,
    /// Whether `<stem>.png` was written.
    pub png: bool,
}

/// Draws `chart` as `<dir>/<stem>.svg`, and as `<dir>/<stem>.png` when `png` is set (a font
/// must be registered then).
///
/// # Errors
/// Drawing or writing failed; the message names the file.
pub fn render<C: Chart>(chart: &C, stem: &str, dir: &Path, png: bool) -> anyhow::Result<Figure> {
    let size = chart.size();
    let mut svg = String::new();
    {
        let root = TextSafeSvg::with_string(&mut svg, size).into_drawing_area();
        chart
            .draw(&root)
            .map_err(|e| anyhow!("drawing {stem}.svg: {e}"))?;
        root.present()
            .map_err(|e| anyhow!("drawing {stem}.svg: {e}"))?;
    }
    let svg_path = dir.join(format!("{stem}.svg"));
    std::fs::write(&svg_path, &svg)
        .with_context(|| format!("cannot write {}", svg_path.display()))?;
    if png {
        let png_path = dir.join(format!("{stem}.png"));
        let root = BitMapBackend::new(&png_path, size).into_drawing_area();
        chart
            .draw(&root)
            .map_err(|e| anyhow!("drawing {}: {e}", png_path.display()))?;
        root.present()
            .map_err(|e| anyhow!("writing {}: {e}", png_path.display()))?;
    }
    Ok(Figure {
        stem: stem.to_owned(),
        title: chart.title().to_owned(),
        svg,
        png,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_axes_use_a_round_unit() {
        assert_eq!(byte_scale(5.0 * 1024.0 * 1024.0), (1024.0 * 1024.0, "MiB"));
        assert_eq!(byte_scale(1500.0), (1.0, "B"));
        assert_eq!(byte_scale(4096.0), (1024.0, "KiB"));
        assert_eq!(scaled_label(1.5, "MiB"), "1.5 MiB");
        assert_eq!(scaled_label(2.0, "KiB"), "2 KiB");
        assert_eq!(scaled_label(0.25, "GiB"), "0.25 GiB");
    }

    #[test]
    fn every_chart_kind_renders_to_svg() {
        let dir = tempfile::tempdir().unwrap();
        let line = LineChart {
            title: "t".into(),
            x_desc: "ops".into(),
            y_desc: "bytes".into(),
            x_unit: Unit::Count,
            y_unit: Unit::Bytes,
            log_log: false,
            lines: vec![Line::new("mempool", vec![(0.0, 0.0), (10.0, 4096.0)])],
            size: (600, 300),
        };
        let f = render(&line, "line", dir.path(), false).unwrap();
        assert!(f.svg.contains("4 KiB"), "{}", f.svg);
        let heat = Heatmap {
            title: "h".into(),
            x_desc: "x".into(),
            y_desc: "y".into(),
            columns: vec!["9".into(), "16".into()],
            rows: vec!["r".into()],
            values: vec![vec![Some(0.123), None]],
            unit: Unit::Percent,
            highlight: Some((0, 0)),
            highlight_label: "outlined: best".into(),
            legend: "l".into(),
        };
        let f = render(&heat, "heat", dir.path(), false).unwrap();
        assert!(f.svg.contains("12.3 %") && f.svg.contains("n/a"));
        assert!(f.svg.contains("outlined: best"));
        let dots = DotPlot {
            title: "d".into(),
            x_desc: "x".into(),
            rows: vec!["w".into()],
            series: vec![("talc".into(), vec![Some(2.0)])],
            reference: 1.0,
            width: 700,
        };
        render(&dots, "dots", dir.path(), false).unwrap();
        let bars = StackedBars {
            title: "b".into(),
            x_desc: "x".into(),
            unit: Unit::Percent,
            parts: vec!["policy".into(), "overhead".into()],
            rows: vec![BarRow {
                name: "mempool".into(),
                values: vec![0.1, 0.05],
                note: "#4 15 %".into(),
            }],
            width: 700,
        };
        render(&bars, "bars", dir.path(), false).unwrap();
        for stem in ["line", "heat", "dots", "bars"] {
            let svg = std::fs::read_to_string(dir.path().join(format!("{stem}.svg"))).unwrap();
            assert!(
                svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
                "{stem}"
            );
            assert!(!dir.path().join(format!("{stem}.png")).exists());
        }
    }
}
