//! The kill modal: what will die, what is spared and why, the signal, and the buttons;
//! then progress, then the per-outcome report.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::theme::Styles;
use crate::kill::exec::{Outcome, Phase};
use crate::kill::plan::{SkipReason, Spared};
use crate::model::text::{human_bytes, percent, sanitize, truncate};
use crate::tui::command::{Command, Context};
use crate::tui::keymap::Keymap;
use crate::tui::kill_modal::{Button, KillModal, KillState};

pub fn draw(f: &mut Frame<'_>, area: Rect, modal: &KillModal, keymap: &Keymap, styles: &Styles) {
    let scroll_keys = keymap.first_keys(modal.context(), &[Command::ScrollUp, Command::ScrollDown]);
    let width = area.width.min(100).max(area.width.min(30));
    let kept = kept_agents_line(modal);
    // Borders, three header lines (four when agents are kept), the list, a spacer and the buttons.
    let head_lines = 3 + usize::from(kept.is_some());
    let wanted = 2 + head_lines + modal.rows().max(1) + 2;
    let height = area.height.min(u16::try_from(wanted).unwrap_or(u16::MAX).clamp(9, 24));
    let popup = area.centered(Constraint::Length(width), Constraint::Length(height));
    let keeping = if modal.plan.narrowing.keep_agents { ", keeping agents" } else { "" };
    // A plan another box made, and will carry out: the title says which box.
    let on = modal.remote.as_ref().map(|r| format!(" on {}", sanitize(&r.name))).unwrap_or_default();
    let title = match modal.plan.scope.len() {
        1 => format!(" kill {} {}{keeping}{on} ", modal.scope_kind(), sanitize(&modal.plan.scope_text())),
        n => format!(" kill {n} tagged scopes{keeping}{on} "),
    };
    let block = Block::new().borders(Borders::ALL).title(title);
    let inner = block.inner(popup);
    f.render_widget(Clear, popup);
    f.render_widget(block, popup);
    let w = usize::from(inner.width);
    let mut lines: Vec<Line<'static>> = Vec::new();
    let p = &modal.plan;
    let mut head = format!(" {} process{}", p.entries.len(), plural(p.entries.len()));
    if p.scope.len() > 1 {
        head.push_str(&format!(" in {} scopes, each once", p.scope.len()));
    }
    if modal.hidden > 0 {
        head.push_str(&format!(" ({} hidden by collapse or filter)", modal.hidden));
    }
    head.push_str(&format!(" · CPU {}% · MEM {}", percent(p.cpu_percent()), human_bytes(p.memory_bytes())));
    lines.push(Line::styled(head, styles.warning()));
    if let Some(kept) = kept {
        lines.push(Line::styled(truncate(&kept, w).into_owned(), styles.note()));
    }
    let list_height = usize::from(inner.height).saturating_sub(2 + head_lines);
    match &modal.state {
        KillState::Confirm => {
            lines.push(Line::raw(format!(
                " Terminate: SIGTERM, then SIGKILL after {} s · Kill now: SIGKILL",
                modal.grace.as_secs()
            )));
            lines.push(Line::styled(
                format!(" {:>7}  {:<16} {}", "PID", "NAME", "COMMAND"),
                styles.column_titles(),
            ));
            let scopes = modal.scopes.iter().map(|(id, n)| {
                let text = format!(" ▸ {} — {n} process{}", sanitize(&id.to_string()), plural(*n));
                Line::styled(truncate(&text, w).into_owned(), styles.key())
            });
            let rows: Vec<Line<'static>> = scopes
                .chain(p.entries.iter().map(|e| {
                    process_line(
                        e.key.pid(),
                        &e.name,
                        &e.cmd,
                        w,
                        styles.row(crate::tui::rows::RowKind::Process),
                    )
                }))
                .chain(p.skipped.iter().map(|s| {
                    let why = format!("spared: {}", s.reason);
                    process_line(s.entry.key.pid(), &s.entry.name, &why, w, styles.note())
                }))
                .collect();
            lines.extend(window(rows, modal.scroll, list_height, &scroll_keys));
            pad(&mut lines, usize::from(inner.height).saturating_sub(1));
            lines.push(buttons(modal.focus, &keymap.hints(Context::KillConfirm, false), styles));
        }
        KillState::Running { signal, progress } => {
            let phase = match progress.map(|p| p.phase) {
                None | Some(Phase::Stopping) => "stopping the whole set (SIGSTOP)",
                Some(Phase::Signalling) => "signalling",
                Some(Phase::Waiting) => "waiting for exits",
                Some(Phase::Escalating) => "SIGKILL for survivors",
                Some(Phase::Verifying) => "checking that nothing is left",
                Some(Phase::Done) => "done",
            };
            let alive =
                progress.map_or(String::new(), |p| format!(" · {} of {} still alive", p.alive, p.total));
            lines.push(Line::raw(format!(" {}: {phase}{alive}", signal.name())));
        }
        KillState::Done(report) => {
            lines.push(Line::raw(format!(" {}", crate::kill::report::summary(report))));
            lines.push(Line::styled(
                format!(" {:>7}  {:<16} {}", "PID", "NAME", "OUTCOME"),
                styles.column_titles(),
            ));
            let rows: Vec<Line<'static>> = report
                .outcomes
                .iter()
                .map(|(e, o)| {
                    let style = if o.is_success() { styles.note() } else { styles.danger() };
                    process_line(e.key.pid(), &e.name, &outcome_text(o), w, style)
                })
                .collect();
            lines.extend(window(rows, modal.scroll, list_height, &scroll_keys));
            pad(&mut lines, usize::from(inner.height).saturating_sub(1));
            lines.push(Line::from(vec![Span::raw("  "), Span::styled("▶[ Close ]◀", styles.selected())]));
        }
    }
    f.render_widget(Paragraph::new(lines), inner);
}

/// ` keeps 2 agents: claude 21, codex 30`, when the plan keeps agents.
fn kept_agents_line(modal: &KillModal) -> Option<String> {
    let p = &modal.plan;
    if !p.narrowing.keep_agents {
        return None;
    }
    let agents: Vec<String> = p
        .skipped
        .iter()
        .filter(|s| s.reason == SkipReason::Spared(Spared::Agent))
        .map(|s| format!("{} {}", sanitize(&s.entry.name), s.entry.key.pid()))
        .collect();
    Some(match agents.len() {
        0 => " keeps agents: none in this scope".to_string(),
        n => format!(" keeps {n} agent{}: {}", if n == 1 { "" } else { "s" }, agents.join(", ")),
    })
}

fn outcome_text(o: &Outcome) -> String {
    match o {
        Outcome::Skipped(r) => format!("skipped: {r}"),
        Outcome::Failed(msg) => format!("failed: {msg}"),
        o => o.label().to_string(),
    }
}

fn process_line(
    pid: u32,
    name: &str,
    text: &str,
    width: usize,
    style: ratatui::style::Style,
) -> Line<'static> {
    let line = format!(" {pid:>7}  {:<16} {}", truncate(&sanitize(name), 16), sanitize(text));
    Line::styled(truncate(&line, width).into_owned(), style)
}

fn window(rows: Vec<Line<'static>>, scroll: usize, height: usize, scroll_keys: &str) -> Vec<Line<'static>> {
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

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "es" }
}

fn pad(lines: &mut Vec<Line<'static>>, to: usize) {
    while lines.len() < to {
        lines.push(Line::raw(""));
    }
}

fn buttons(focus: Button, hints: &[(String, &'static str)], styles: &Styles) -> Line<'static> {
    let mut spans = vec![Span::raw("  ")];
    for b in Button::ALL {
        if b == focus {
            spans.push(Span::styled(format!("▶[ {} ]◀", b.label()), styles.selected()));
        } else {
            spans.push(Span::raw(format!(" [ {} ] ", b.label())));
        }
        spans.push(Span::raw("  "));
    }
    let hints: Vec<String> = hints.iter().map(|(key, label)| format!("{key} {label}")).collect();
    spans.push(Span::styled(hints.join(" · "), styles.note()));
    Line::from(spans)
}
