//! The tree table: only the visible window of rows is turned into text each frame.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::cells::Layout;
use super::guides;
use super::theme::Styles;
use crate::model::text::human_duration;
use crate::tui::app::App;
use crate::tui::rows::{AgentStatus, Row, RowId, RowKind};

pub fn draw(f: &mut Frame<'_>, area: Rect, app: &mut App, styles: &Styles) {
    if area.height == 0 {
        return;
    }
    let width = usize::from(area.width);
    let shown = &app.rows
        [app.offset.min(app.rows.len())..(app.offset + usize::from(area.height)).min(app.rows.len())];
    let layout = Layout::new(&app.columns, width, shown, app.memory);
    let title = layout.title(app.sort, app.reverse);
    f.buffer_mut().set_line(area.x, area.y, &Line::styled(title, styles.column_titles()), area.width);

    let body = Rect { y: area.y.saturating_add(1), height: area.height.saturating_sub(1), ..area };
    app.page = usize::from(body.height);
    app.table_top = body.y;
    if body.height == 0 {
        return;
    }
    if app.rows.is_empty() {
        let msg = if !app.sampled {
            "sampling…"
        } else if app.waiting_only {
            "no agent waits for you (w shows every attempt)"
        } else if !app.filter_text.is_empty() || app.orphans_only {
            "no rows match (Esc clears the filter, o toggles orphans only)"
        } else {
            "no processes inside git worktrees (a shows the other processes)"
        };
        f.buffer_mut().set_line(body.x, body.y, &Line::styled(format!("  {msg}"), styles.note()), body.width);
        return;
    }
    let end = (app.offset + usize::from(body.height)).min(app.rows.len());
    for (y, i) in (body.y..body.bottom()).zip(app.offset..end) {
        let line = row_line(&app.rows[i], i == app.selected, &layout, app, styles);
        f.buffer_mut().set_line(body.x, y, &line, body.width);
    }
}

fn row_line<'a>(row: &'a Row, selected: bool, layout: &Layout, app: &App, styles: &Styles) -> Line<'a> {
    let name_width = layout.name_width;
    let marker = guides::row_marker(app.tree_guides, selected, row.host == 0 && app.tags.contains(&row.id));
    let prefix = guides::prefix(row, app.tree_guides, name_width / 2 + 2);
    let mut spans: Vec<Span<'a>> = vec![Span::raw(marker), Span::styled(prefix, styles.guide())];
    let label_style = if row.new { styles.born() } else { styles.row(row.kind) };
    spans.push(Span::styled(&*row.label, label_style));
    if row.new {
        spans.push(Span::styled(" [new]", styles.born()));
    }
    if matches!(row.id, RowId::Ghost(_)) {
        spans.push(Span::styled(" [exited]", styles.exited()));
    }
    if let Some(a) = &row.agent_status {
        spans.push(agent_status(a, app.forest.sampled_at_ms, styles));
    }
    if let Some(agent) = &row.agent {
        spans.push(Span::styled(format!(" [{agent}]"), styles.key()));
    }
    if row.orphan {
        spans.push(Span::styled(" [orphan]", styles.warning()));
    }
    if let Some(state) = row.state.filter(|s| s.is_notable()) {
        spans.push(Span::styled(format!(" [{}]", state.as_str()), styles.danger()));
    }
    // A group, or a collapsed tree, with stopped processes: how many of how many.
    let stopped = row.shown.stopped_count;
    if stopped > 0 && (row.kind != RowKind::Process || (row.has_children && !row.expanded)) {
        spans.push(Span::styled(format!(" [paused {stopped}/{}]", row.shown.process_count), styles.danger()));
    }
    if !row.note.is_empty() {
        spans.push(Span::styled(format!("  {}", row.note), styles.note()));
    }
    if row.shown.orphan_count > 0 && row.kind != RowKind::Process {
        spans.push(Span::styled(format!("  ⚠{} orphaned", row.shown.orphan_count), styles.warning()));
    }
    let spans = fit(spans, name_width);
    let mut line = Line::from(spans);
    line.push_span(Span::raw(layout.cells(row, &app.forest)));
    if row.kind == RowKind::Ghost {
        line = line.patch_style(styles.note());
    }
    if selected {
        line = line.patch_style(styles.selected());
    }
    line
}

/// `[claude busy 2m05s]`; a waiting agent stands out, in capitals (also without colour):
/// `⚠ claude WAITING 3m12s: permission prompt`.
fn agent_status(a: &AgentStatus, now_ms: u64, styles: &Styles) -> Span<'static> {
    let since = a
        .since_ms
        .map(|s| format!(" {}", human_duration(now_ms.saturating_sub(s) / 1000)))
        .unwrap_or_default();
    if a.waits {
        let what = a.waiting_for.as_deref().map(|w| format!(": {w}")).unwrap_or_default();
        Span::styled(format!("  ⚠ {} WAITING{since}{what} ", a.agent), styles.waiting())
    } else {
        Span::styled(format!(" [{} {}{since}]", a.agent, a.status), styles.key())
    }
}

/// Cuts or pads spans to exactly `width` cells (display width: wide characters count
/// twice), marking a cut with `…`.
fn fit(spans: Vec<Span<'_>>, width: usize) -> Vec<Span<'_>> {
    use unicode_width::UnicodeWidthChar;
    let mut out = Vec::with_capacity(spans.len() + 1);
    let mut used = 0;
    for span in spans {
        let w = span.width();
        if used + w <= width {
            used += w;
            out.push(span);
            continue;
        }
        let room = width - used;
        if room > 0 {
            let mut cut = String::new();
            let mut cut_width = 0;
            for c in span.content.chars() {
                let cw = c.width().unwrap_or(0);
                if cut_width + cw > room - 1 {
                    break;
                }
                cut.push(c);
                cut_width += cw;
            }
            used += cut_width + 1;
            out.push(Span::styled(format!("{cut}…"), span.style));
        }
        break;
    }
    if used < width {
        out.push(Span::raw(" ".repeat(width - used)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_counts_wide_characters_twice() {
        let spans = fit(vec![Span::raw("日本語のプロセス名")], 7);
        let text: String = spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, "日本語…");
        assert_eq!(spans.iter().map(Span::width).sum::<usize>(), 7);
        let padded = fit(vec![Span::raw("ab")], 4);
        assert_eq!(padded.iter().map(Span::width).sum::<usize>(), 4);
    }
}
