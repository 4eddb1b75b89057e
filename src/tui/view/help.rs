//! The help screen, generated from the command table and the keymap.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::theme::Styles;
use crate::tui::app::App;
use crate::tui::command::COMMANDS;

pub fn lines(app: &App, styles: &Styles) -> Vec<Line<'static>> {
    let mut lines: Vec<Line<'static>> = COMMANDS
        .iter()
        .map(|c| {
            Line::from(vec![
                Span::styled(format!("{:>14}  ", app.keymap.keys_label(c.command)), styles.key()),
                Span::raw(c.help),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled("  mouse: click selects a row, the wheel scrolls", styles.note()));
    lines.push(Line::styled("  in the filter: type to narrow, Enter keeps it, Esc clears it", styles.note()));
    lines.push(Line::styled("  keys are set in [keys] of the config file", styles.note()));
    lines
}

pub fn draw(f: &mut Frame<'_>, area: Rect, app: &App, scroll: u16, styles: &Styles) {
    let lines = lines(app, styles);
    let height = (lines.len() as u16 + 2).min(area.height);
    let popup = area.centered(Constraint::Length(90.min(area.width)), Constraint::Length(height));
    let block = Block::new().borders(Borders::ALL).title(" help — Esc closes ");
    f.render_widget(Clear, popup);
    f.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), popup);
}
