//! Horizontal stacked bars, one row per allocator (fragmentation split into its parts).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::drawing::{
    draw_legend, draw_row_mesh, font, label_area, padded_range, row_labels, LABEL_PX, LEGEND_W,
    TITLE_PX,
};
use super::{Chart, DrawResult, Unit};
use crate::palette;

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
        draw_row_mesh(&mut chart, &self.x_desc, 8, &x_fmt, (235, 210), false)?;
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
