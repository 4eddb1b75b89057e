//! Pieces the confirmations share: process lines, a scrolled window of lines, padding,
//! and a row of buttons with the context's key hints.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::theme::Styles;
use crate::model::text::{sanitize, truncate};

pub fn process_line(pid: u32, name: &str, text: &str, width: usize, style: Style) -> Line<'static> {
    let line = format!(" {pid:>7}  {:<16} {}", truncate(&sanitize(name), 16), sanitize(text));
    Line::styled(truncate(&line, width).into_owned(), style)
}

pub fn window(
    rows: Vec<Line<'static>>,
    scroll: usize,
    height: usize,
    scroll_keys: &str,
) -> Vec<Line<'static>> {
    let total = rows.len();
    let start = scroll.min(total.saturating_sub(height.max(1)));
    let mut shown: Vec<Line<'static>> = rows.into_iter().skip(start).take(height).collect();
    let below = total.saturating_sub(start + height);
    if below > 0 {
        if let Some(last) = shown.last_mut() {
            // The last visible row makes room for the count, so it is hidden too.
            *last = Line::raw(format!("   … {} more ({scroll_keys} scroll)", below + 1));
        }
    }
    shown
}

pub fn pad(lines: &mut Vec<Line<'static>>, to: usize) {
    while lines.len() < to {
        lines.push(Line::raw(""));
    }
}

/// `▶[ Cancel ]◀  [ Pause ]  ←→ choose · Enter confirm` — labels in order, one focused.
pub fn buttons(
    labels: &[String],
    focused: usize,
    hints: &[(String, &'static str)],
    styles: &Styles,
) -> Line<'static> {
    let mut spans = vec![Span::raw("  ")];
    for (i, label) in labels.iter().enumerate() {
        if i == focused {
            spans.push(Span::styled(format!("▶[ {label} ]◀"), styles.selected()));
        } else {
            spans.push(Span::raw(format!(" [ {label} ] ")));
        }
        spans.push(Span::raw("  "));
    }
    let hints: Vec<String> = hints.iter().map(|(key, label)| format!("{key} {label}")).collect();
    spans.push(Span::styled(hints.join(" · "), styles.note()));
    Line::from(spans)
}

/// `text` in lines of at most `width` characters, broken between words (a word longer
/// than a line is cut).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = vec![String::new()];
    for word in text.split(' ') {
        let line = lines.last_mut().map_or(0, |l| l.chars().count());
        if line > 0 && line + 1 + word.chars().count() > width {
            lines.push(String::new());
        }
        if let Some(last) = lines.last_mut() {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    lines.into_iter().map(|l| truncate(&l, width).into_owned()).collect()
}

pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "es" }
}
