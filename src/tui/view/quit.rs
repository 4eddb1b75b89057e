//! The quit confirmation when processes this TUI paused are still stopped.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::modal_parts::{buttons, pad, plural};
use super::theme::Styles;
use crate::model::text::{sanitize, truncate};
use crate::tui::command::Context;
use crate::tui::keymap::Keymap;
use crate::tui::quit_modal::{QuitButton, QuitModal};

pub fn draw(f: &mut Frame<'_>, area: Rect, modal: &QuitModal, keymap: &Keymap, styles: &Styles) {
    let width = area.width.min(90);
    let wanted = 2 + 2 + modal.scopes.len() + 2;
    let height = area.height.min(u16::try_from(wanted).unwrap_or(u16::MAX).clamp(7, 20));
    let popup = area.centered(Constraint::Length(width), Constraint::Length(height));
    let block = Block::new().borders(Borders::ALL).title(" quit ");
    let inner = block.inner(popup);
    f.render_widget(Clear, popup);
    f.render_widget(block, popup);
    let w = usize::from(inner.width);
    let total: usize = modal.scopes.iter().map(|(_, n)| n).sum();
    let mut lines = vec![
        Line::styled(
            format!(
                " {total} process{} you paused {} still stopped:",
                plural(total),
                if total == 1 { "is" } else { "are" }
            ),
            styles.warning(),
        ),
        Line::raw(""),
    ];
    let room = usize::from(inner.height).saturating_sub(4);
    for (scope, n) in modal.scopes.iter().take(room) {
        let text = format!("   {} — {n} process{}", sanitize(scope), plural(*n));
        lines.push(Line::raw(truncate(&text, w).into_owned()));
    }
    if modal.scopes.len() > room {
        lines.push(Line::raw(format!("   … {} more", modal.scopes.len() - room)));
    }
    pad(&mut lines, usize::from(inner.height).saturating_sub(1));
    let labels: Vec<String> = QuitButton::ALL.iter().map(|b| b.label().to_string()).collect();
    let focused = QuitButton::ALL.iter().position(|b| *b == modal.focus).unwrap_or(0);
    lines.push(buttons(&labels, focused, &keymap.hints(Context::QuitConfirm, false), styles));
    f.render_widget(Paragraph::new(lines), inner);
}
