//! A Cleveland dot plot: one row per workload, one dot per allocator, on a log axis with a
//! reference line (throughput ratios).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::drawing::{
    draw_legend, draw_row_mesh, font, label_area, log_range, row_labels, LEGEND_W, TITLE_PX,
};
use super::{Chart, DrawResult};
use crate::{palette, units};

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
        draw_row_mesh(&mut chart, &self.x_desc, 10, &x_fmt, (240, 215), true)?;
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
