//! The help screen, generated per context from the binding table and the keymap.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use strum::IntoEnumIterator;

use super::theme::Styles;
use crate::tui::app::{App, READ_ONLY};
use crate::tui::command::{Binding, Context};

pub fn lines(app: &App, styles: &Styles) -> Vec<Line<'static>> {
    let mut lines: Vec<Line<'static>> = Vec::new();
    for context in Context::iter() {
        let mut rows = app.keymap.usable(context, app.read_only).peekable();
        if rows.peek().is_none() {
            continue;
        }
        if context != Context::Tree {
            lines.push(Line::raw(""));
            lines.push(Line::styled(format!("  {}:", context.heading()), styles.note()));
        }
        lines.extend(rows.map(|b| line(app, b, styles)));
        if context == Context::Tree {
            lines.push(Line::raw(""));
            lines.push(Line::styled("  mouse: click selects a row, the wheel scrolls", styles.note()));
            lines.push(Line::styled(
                "  the keys above are set in [keys] of the config file; the ones below are fixed",
                styles.note(),
            ));
            if app.read_only {
                lines.push(Line::styled(format!("  {READ_ONLY}"), styles.warning()));
            }
        }
    }
    lines
}

fn line(app: &App, b: &Binding, styles: &Styles) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{:>14}  ", app.keymap.label(Some(b))), styles.key()),
        Span::raw(b.help),
    ])
}

pub fn draw(f: &mut Frame<'_>, area: Rect, app: &App, scroll: u16, styles: &Styles) {
    let lines = lines(app, styles);
    let height = (lines.len() as u16 + 2).min(area.height);
    let popup = area.centered(Constraint::Length(90.min(area.width)), Constraint::Length(height));
    let hints: Vec<String> =
        app.keymap.hints(Context::HelpModal, app.read_only).iter().map(|(k, l)| format!("{k} {l}")).collect();
    let block = Block::new().borders(Borders::ALL).title(format!(" help — {} ", hints.join(" · ")));
    f.render_widget(Clear, popup);
    f.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), popup);
}
