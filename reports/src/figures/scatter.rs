//! Points in the plane with error bars, one line joining some of them, and marked points
//! (fragmentation against throughput: the tuning grid's Pareto front).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::drawing::{
    draw_legend, draw_xy_mesh, font, log_range, padded_range, LABEL_PX, LEGEND_W, TITLE_PX,
};
use super::{Chart, DrawResult, Unit};

/// One point of a [`Scatter`].
#[derive(Debug, Clone)]
pub struct Point {
    /// Its label (drawn beside marked points only).
    pub label: String,
    /// Position.
    pub x: f64,
    /// Position.
    pub y: f64,
    /// The x interval drawn as a horizontal bar, when known.
    pub x_range: Option<(f64, f64)>,
    /// A legend entry to mark the point with (drawn larger, in its own colour), if any.
    pub mark: Option<usize>,
}

/// Points with x error bars on a log x axis, a line through `path` (indices, in order), and
/// marked points.
#[derive(Debug, Clone)]
pub struct Scatter {
    /// Title.
    pub title: String,
    /// X axis description, with unit.
    pub x_desc: String,
    /// Y axis description, with unit.
    pub y_desc: String,
    /// How x values are labelled (the axis is logarithmic).
    pub x_unit: Unit,
    /// How y values are labelled (the axis is linear).
    pub y_unit: Unit,
    /// The points.
    pub points: Vec<Point>,
    /// Indices of the points joined by a line, in order, and the line's legend entry.
    pub path: (Vec<usize>, String),
    /// Legend entries of the marks, with their colours.
    pub marks: Vec<(String, RGBColor)>,
    /// Size in pixels.
    pub size: (u32, u32),
}

/// The colour of unmarked points.
const POINT: RGBColor = RGBColor(120, 120, 120);

/// The colour of the path.
const PATH: RGBColor = RGBColor(0x1f, 0x77, 0xb4);

impl Chart for Scatter {
    fn size(&self) -> (u32, u32) {
        self.size
    }

    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let (plot, legend) = root.split_horizontally(self.size.0.saturating_sub(LEGEND_W));
        let xs = self.points.iter().flat_map(|p| {
            let (lo, hi) = p.x_range.unwrap_or((p.x, p.x));
            [p.x, lo, hi]
        });
        let (x0, x1) = log_range(xs);
        let (y0, y1) = padded_range(self.points.iter().map(|p| p.y), true);
        let mut chart = ChartBuilder::on(&plot)
            .caption(&self.title, font(TITLE_PX))
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(84)
            .build_cartesian_2d((x0..x1).log_scale(), y0..y1)?;
        let (xu, yu) = (self.x_unit, self.y_unit);
        let x_fmt = move |v: &f64| xu.format(*v);
        let y_fmt = move |v: &f64| yu.format(*v);
        draw_xy_mesh(&mut chart, (&self.x_desc, &self.y_desc), &x_fmt, &y_fmt)?;
        for p in &self.points {
            if let Some((lo, hi)) = p.x_range {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(lo, p.y), (hi, p.y)],
                    RGBColor(200, 200, 200).stroke_width(2),
                )))?;
            }
        }
        let path: Vec<(f64, f64)> = self
            .path
            .0
            .iter()
            .filter_map(|&i| self.points.get(i).map(|p| (p.x, p.y)))
            .collect();
        chart.draw_series(LineSeries::new(path, PATH.stroke_width(2)))?;
        for p in &self.points {
            let (color, radius) = match p.mark.and_then(|m| self.marks.get(m)) {
                Some((_, c)) => (*c, 7),
                None => (POINT, 4),
            };
            chart.draw_series(std::iter::once(Circle::new(
                (p.x, p.y),
                radius,
                color.filled(),
            )))?;
            if p.mark.is_some() {
                chart.draw_series(std::iter::once(Text::new(
                    p.label.clone(),
                    (p.x, p.y),
                    font(LABEL_PX - 3).pos(Pos::new(HPos::Left, VPos::Bottom)),
                )))?;
            }
        }
        let mut entries = vec![
            ("configuration".to_owned(), POINT, false),
            (self.path.1.clone(), PATH, true),
        ];
        entries.extend(self.marks.iter().map(|(n, c)| (n.clone(), *c, false)));
        draw_legend(&legend, &entries, 40)
    }
}
