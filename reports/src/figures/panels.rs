//! Several line charts stacked vertically in one figure (the free list over time).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Chart, DrawResult, LineChart};

/// Several [`LineChart`]s stacked vertically in one figure.
#[derive(Debug, Clone)]
pub struct Panels {
    /// Figure title (the panels keep their own titles).
    pub title: String,
    /// The panels, top to bottom.
    pub panels: Vec<LineChart>,
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
