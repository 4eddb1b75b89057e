//! The column picker: every column, the shown ones first in their order, with what
//! each shows.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::chrome::joined_hints;
use super::theme::Styles;
use crate::tui::app::App;
use crate::tui::columns::picker_order;
use crate::tui::command::Context;

pub fn draw(f: &mut Frame<'_>, area: Rect, app: &App, cursor: usize, styles: &Styles) {
    let order = picker_order(&app.columns);
    let mut lines = vec![Line::styled("  [x] NAME     always shown, first", styles.note())];
    for (i, (column, shown)) in order.iter().enumerate() {
        let mark = if *shown { "[x]" } else { "[ ]" };
        let text = format!(
            "{} {mark} {:<8} {}",
            if i == cursor { "▶" } else { " " },
            column.title(),
            column.about()
        );
        let style = if i == cursor { styles.selected() } else { ratatui::style::Style::new() };
        lines.push(Line::from(Span::styled(text, style)));
    }
    let height = (lines.len() as u16 + 2).min(area.height);
    let popup = area.centered(Constraint::Length(80.min(area.width)), Constraint::Length(height));
    let block = Block::new()
        .borders(Borders::ALL)
        .title(format!(" columns — {} ", joined_hints(app, Context::ColumnsModal)));
    f.render_widget(Clear, popup);
    f.render_widget(Paragraph::new(lines).block(block), popup);
}
