//! What the chart kinds share: text sizes and widths, the legend beside the plot, value
//! ranges padded for linear and log axes, and row labels.

use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::fonts::FAMILY;
use super::svg_backend::estimate;
use super::DrawResult;

pub(super) const TITLE_PX: u32 = 22;
pub(super) const LABEL_PX: u32 = 15;
pub(super) const LEGEND_W: u32 = 230;

pub(super) fn font(px: u32) -> TextStyle<'static> {
    (FAMILY, px).into_font().color(&BLACK)
}

pub(super) fn text_width(s: &str, px: u32) -> u32 {
    estimate(s, f64::from(px)).0
}

/// Draws a legend of coloured swatches in `area`: each entry is a name, a colour and whether
/// it is a line (else a filled box).
pub(super) fn draw_legend<DB: DrawingBackend>(
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
pub(super) fn padded_range(values: impl Iterator<Item = f64>, from_zero: bool) -> (f64, f64) {
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
pub(super) fn log_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
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

/// Draws `labels` (top to bottom, at rows `n-1 .. 0` of the chart's y axis) left of the
/// plotting area, right-aligned.
pub(super) fn row_labels<'a, DB, X>(
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

pub(super) fn label_area(labels: &[String]) -> u32 {
    labels
        .iter()
        .map(|l| text_width(l, LABEL_PX - 2))
        .max()
        .unwrap_or(0)
        + 24
}

/// Draws the value axis and grid of a chart whose rows are labelled by [`row_labels`]: no y
/// labels, `x_labels` labels on the x axis formatted by `x_fmt` and described by `x_desc`,
/// grid lines in the greys `light` and `bold`, horizontal grid lines only when `y_mesh`.
pub(super) fn draw_row_mesh<'a, DB, X>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, RangedCoordf64>>,
    x_desc: &str,
    x_labels: usize,
    x_fmt: &dyn Fn(&f64) -> String,
    (light, bold): (u8, u8),
    y_mesh: bool,
) -> DrawResult<DB>
where
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let mut mesh = chart.configure_mesh();
    if !y_mesh {
        mesh.disable_y_mesh();
    }
    mesh.y_labels(0)
        .x_labels(x_labels)
        .x_desc(x_desc)
        .x_label_formatter(x_fmt)
        .label_style(font(LABEL_PX - 2))
        .axis_desc_style(font(LABEL_PX))
        .light_line_style(RGBColor(light, light, light))
        .bold_line_style(RGBColor(bold, bold, bold))
        .draw()
}

/// Draws both axes and the grid of an x-y chart: 8 labels each, formatted by `x_fmt` and
/// `y_fmt`, described by `x_desc` and `y_desc`.
pub(super) fn draw_xy_mesh<'a, DB, X, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    (x_desc, y_desc): (&str, &str),
    x_fmt: &dyn Fn(&f64) -> String,
    y_fmt: &dyn Fn(&f64) -> String,
) -> DrawResult<DB>
where
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_labels(8)
        .y_labels(8)
        .x_label_formatter(x_fmt)
        .y_label_formatter(y_fmt)
        .label_style(font(LABEL_PX - 2))
        .axis_desc_style(font(LABEL_PX))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(210, 210, 210))
        .draw()
}
