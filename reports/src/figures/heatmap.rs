//! A grid of values coloured by magnitude and printed in each cell (the tuning map).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::drawing::{draw_legend, font, label_area, row_labels, LABEL_PX, LEGEND_W, TITLE_PX};
use super::{Chart, DrawResult, Unit};

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
