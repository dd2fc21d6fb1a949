//! Lines over a shared x axis, linear, log-log or with a log y axis only (footprint over
//! time, scaling curves, latency percentile ladders).

use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;

use super::drawing::{
    draw_legend, draw_xy_mesh, font, log_range, padded_range, LEGEND_W, TITLE_PX,
};
use super::unit::{byte_scale, scaled_label};
use super::{Chart, DrawResult, Unit};
use crate::palette;

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

/// Which axes of a [`LineChart`] are logarithmic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axes {
    /// Both linear.
    Linear,
    /// Both logarithmic.
    LogLog,
    /// Linear x, logarithmic y.
    LogY,
}

/// Lines over a shared x axis.
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
    /// Which axes are logarithmic.
    pub axes: Axes,
    /// The lines.
    pub lines: Vec<Line>,
    /// Size in pixels.
    pub size: (u32, u32),
}

impl LineChart {
    pub(super) fn draw_on<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> DrawResult<DB> {
        let (plot, legend) =
            area.split_horizontally(area.dim_in_pixel().0.saturating_sub(LEGEND_W));
        // Byte values are plotted in the binary unit that suits the largest one, so the ticks
        // fall on round numbers of that unit; log axes keep their own labels.
        let max_y = self
            .lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.1))
            .fold(0.0, f64::max);
        let y_scale = if self.y_unit == Unit::Bytes && self.axes == Axes::Linear {
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
        match self.axes {
            Axes::LogLog => {
                let (x0, x1) = log_range(xs());
                let (y0, y1) = log_range(ys());
                let chart =
                    builder.build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())?;
                self.finish(chart, &lines, y_scale)?;
            }
            Axes::LogY => {
                let (x0, x1) = padded_range(xs(), true);
                let (y0, y1) = log_range(ys());
                let chart = builder.build_cartesian_2d(x0..x1, (y0..y1).log_scale())?;
                self.finish(chart, &lines, y_scale)?;
            }
            Axes::Linear => {
                let (x0, x1) = padded_range(xs(), true);
                let (y0, y1) = padded_range(ys(), true);
                let chart = builder.build_cartesian_2d(x0..x1, y0..y1)?;
                self.finish(chart, &lines, y_scale)?;
            }
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
        draw_xy_mesh(&mut chart, (&self.x_desc, &self.y_desc), &x_fmt, &y_fmt)?;
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
