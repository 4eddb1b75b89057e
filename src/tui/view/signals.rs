//! The signal menu: every standard signal with its number and what a process does with
//! it by default, the cursor's one highlighted and kept in view.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::chrome::joined_hints;
use super::theme::Styles;
use crate::kill::signal::Signal;
use crate::model::text::sanitize;
use crate::tui::app::App;
use crate::tui::command::Context;

/// `menu`: the cursor's line and what a signal would go to.
pub fn draw(f: &mut Frame<'_>, area: Rect, app: &App, menu: (usize, &str), styles: &Styles) {
    let (cursor, target) = menu;
    let count = Signal::all().count();
    let height = (count as u16 + 2).min(area.height);
    let popup = area.centered(Constraint::Length(72.min(area.width)), Constraint::Length(height));
    let visible = usize::from(height.saturating_sub(2)).max(1);
    let first = cursor.saturating_sub(visible - 1).min(count.saturating_sub(visible));
    let lines: Vec<Line> = Signal::all()
        .enumerate()
        .skip(first)
        .take(visible)
        .map(|(i, s)| {
            let text = format!(
                "{} {:>2} {:<9} {}",
                if i == cursor { "▶" } else { " " },
                s.number(),
                s.short_name(),
                s.meaning()
            );
            if i == cursor { Line::styled(text, styles.selected()) } else { Line::raw(text) }
        })
        .collect();
    let block = Block::new().borders(Borders::ALL).title(format!(
        " send a signal to {} — {} ",
        sanitize(target),
        joined_hints(app, Context::SignalMenu)
    ));
    f.render_widget(Clear, popup);
    f.render_widget(Paragraph::new(lines).block(block), popup);
}
