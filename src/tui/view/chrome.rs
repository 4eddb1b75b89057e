//! Header (host and totals) and footer (key hints of the context, from the keymap).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::theme::Styles;
use std::time::UNIX_EPOCH;

use crate::model::text::{human_bytes, percent, sanitize, utc_clock};
use crate::model::usage::{ESTIMATE_MARK, MemoryMode, memory_text};
use crate::tui::app::App;
use crate::tui::command::Context;

pub fn header(f: &mut Frame<'_>, area: Rect, app: &App, styles: &Styles) {
    let forest = &app.forest;
    let t = &forest.totals;
    let mut spans = vec![Span::raw(" swarmtop  ")];
    if let Some(since) = app.stalled_since {
        let secs = since.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        spans.push(Span::styled(format!("⚠ sampling stalled since {} ", utc_clock(secs)), styles.stalled()));
        spans.push(Span::raw(" "));
    }
    let memory = match app.memory {
        MemoryMode::Rss => format!("MEM {}", human_bytes(t.memory_bytes)),
        MemoryMode::Pss => format!("PSS {}", memory_text(t, MemoryMode::Pss)),
    };
    spans.extend(app.show_local.then(|| {
        Span::raw(format!(
            "{}  │ {} procs │ {} attempts │ CPU {}% │ {memory} ",
            sanitize(&forest.host),
            t.process_count,
            forest.attempt_count(),
            percent(t.cpu_percent),
        ))
    }));
    if app.memory == MemoryMode::Pss {
        spans.push(Span::raw(format!("│ {ESTIMATE_MARK} RSS, not measured ")));
    }
    if app.orphans_only {
        spans.push(Span::raw("│ orphans only "));
    }
    if app.waiting_only {
        spans.push(Span::raw("│ waiting only "));
    }
    if app.show_other {
        spans.push(Span::raw("│ +others "));
    }
    if app.read_only {
        spans.push(Span::raw("│ read-only "));
    }
    if let Some(key) = app.follow {
        spans.push(Span::raw(format!("│ following PID {} ", key.pid())));
    }
    if !app.tags.is_empty() {
        spans.push(Span::raw(format!("│ {} tagged ", app.tags.len())));
    }
    let paused = app.paused_by_us.count();
    if paused > 0 {
        spans.push(Span::styled(format!("│ {paused} paused by you "), styles.warning()));
    }
    let waiting = app.changes.waiting();
    if waiting > 0 {
        let agents = if waiting == 1 { "agent waits" } else { "agents wait" };
        spans.push(Span::styled(format!(" ⚠ {waiting} {agents} for you "), styles.waiting()));
        spans.push(Span::raw(" "));
    }
    host_statuses(&mut spans, app, styles);
    let mut line = Line::from(spans).style(styles.header());
    if app.paused {
        line.push_span(Span::styled(" ⏸ PAUSED ", styles.paused()));
    }
    f.buffer_mut().set_style(area, styles.header());
    f.buffer_mut().set_line(area.x, area.y, &line, area.width);
}

/// With other boxes: how many are connected, and what each one that is not says.
fn host_statuses(spans: &mut Vec<Span<'_>>, app: &App, styles: &Styles) {
    if app.remotes.is_empty() {
        return;
    }
    let up = app.remotes.iter().filter(|p| p.status.is_connected()).count();
    spans.push(Span::raw(format!("│ {up}/{} hosts ", app.remotes.len())));
    let now = crate::tui::hosts::now_ms();
    for p in app.remotes.iter().filter(|p| !p.status.is_connected()) {
        let text = format!("│ {}: {} ", sanitize(&p.name), p.status.text(now));
        spans.push(Span::styled(text, styles.warning()));
    }
}

pub fn footer(f: &mut Frame<'_>, area: Rect, app: &App, styles: &Styles) {
    let line = if app.filter_editing {
        Line::from(vec![
            Span::styled(" filter: ", styles.key()),
            Span::raw(sanitize(&app.filter_text).into_owned()),
            Span::raw("█"),
            Span::styled(format!("   {}", joined_hints(app, Context::Filter)), styles.note()),
        ])
    } else {
        let mut spans = Vec::new();
        if let Some(msg) = &app.status {
            spans.push(Span::styled(format!(" {} │", sanitize(msg)), styles.warning()));
        }
        if let Some(notice) = app.notices.last().filter(|_| app.status.is_none()) {
            let more = if app.notices.len() > 1 {
                format!(" (+{} more)", app.notices.len() - 1)
            } else {
                String::new()
            };
            spans.push(Span::styled(format!(" ⚠ {}{more} │", sanitize(notice)), styles.warning()));
        }
        if let Some(e) = &app.sampler_error {
            spans.push(Span::styled(format!(" sampling failed: {} │", sanitize(e)), styles.danger()));
        }
        if !app.filter_text.is_empty() {
            spans.push(Span::styled(" filter: ", styles.key()));
            spans.push(Span::raw(format!("{} ", sanitize(&app.filter_text))));
            spans.push(Span::styled("│", styles.note()));
        }
        for (key, label) in app.keymap.hints(Context::Tree, app.read_only) {
            spans.push(Span::styled(format!(" {key}"), styles.key()));
            spans.push(Span::raw(format!(" {label} ")));
        }
        Line::from(spans)
    };
    f.buffer_mut().set_line(area.x, area.y, &line, area.width);
}

/// The hints of a context as one line: `Enter keep · Esc clear`.
pub fn joined_hints(app: &App, context: Context) -> String {
    let hints = app.keymap.hints(context, app.read_only);
    hints.iter().map(|(key, label)| format!("{key} {label}")).collect::<Vec<_>>().join(" · ")
}
