//! The confirmation of an action: what it acts on, what is spared and why, exactly what
//! it sends, and the buttons; then progress, then the per-outcome report.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::modal_parts::{buttons, pad, plural, process_line, window, wrap};
use super::theme::Styles;
use crate::kill::exec::Phase;
use crate::kill::operation::Operation;
use crate::kill::plan::{SkipReason, Spared};
use crate::kill::report::outcome_text;
use crate::model::text::{human_bytes, percent, sanitize, truncate};
use crate::tui::command::{Command, Context};
use crate::tui::keymap::Keymap;
use crate::tui::kill_modal::{KillModal, KillState};

pub fn draw(f: &mut Frame<'_>, area: Rect, modal: &KillModal, keymap: &Keymap, styles: &Styles) {
    let scroll_keys = keymap.first_keys(modal.context(), &[Command::ScrollUp, Command::ScrollDown]);
    let width = area.width.min(100).max(area.width.min(30));
    let kept = kept_agents_line(modal);
    // What confirming sends, wrapped to the modal's inner width.
    let sends = match modal.state {
        KillState::Confirm => {
            let text = what_it_sends(modal, keymap);
            wrap(&text, usize::from(width.saturating_sub(3))).into_iter().map(|l| format!(" {l}")).collect()
        }
        _ => vec![String::new()],
    };
    // Borders, the header lines (the count, kept agents, what it sends, column titles),
    // the list, a spacer and the buttons.
    let head_lines = 2 + sends.len() + usize::from(kept.is_some());
    let wanted = 2 + head_lines + modal.rows().max(1) + 2;
    let height = area.height.min(u16::try_from(wanted).unwrap_or(u16::MAX).clamp(9, 24));
    let popup = area.centered(Constraint::Length(width), Constraint::Length(height));
    let keeping = if modal.plan.narrowing.keep_agents { ", keeping agents" } else { "" };
    let doing = match modal.operation {
        Operation::Send { signal } => format!("send {signal} to"),
        op => op.verb().to_string(),
    };
    // A plan another box made, and will carry out: the title says which box.
    let on = modal.remote.as_ref().map(|r| format!(" on {}", sanitize(&r.name))).unwrap_or_default();
    let title = match modal.plan.scope.len() {
        1 => format!(" {doing} {} {}{keeping}{on} ", modal.scope_kind(), sanitize(&modal.plan.scope_text())),
        n => format!(" {doing} {n} tagged scopes{keeping}{on} "),
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
            lines.extend(sends.into_iter().map(Line::raw));
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
                    let why = match modal.operation {
                        Operation::Kill { .. } => format!("spared: {}", s.reason),
                        _ => format!("left alone: {}", s.reason),
                    };
                    process_line(s.entry.key.pid(), &s.entry.name, &why, w, styles.note())
                }))
                .collect();
            lines.extend(window(rows, modal.scroll, list_height, &scroll_keys));
            pad(&mut lines, usize::from(inner.height).saturating_sub(1));
            let labels: Vec<String> = modal.buttons().iter().map(|b| modal.label(*b)).collect();
            let focused = modal.buttons().iter().position(|b| *b == modal.focus).unwrap_or(0);
            lines.push(buttons(&labels, focused, &keymap.hints(Context::KillConfirm, false), styles));
        }
        KillState::Running { operation, progress } => {
            let phase = match (progress.map(|p| p.phase), operation) {
                (None | Some(Phase::Stopping), Operation::Kill { .. } | Operation::Pause) => {
                    "stopping the whole set (SIGSTOP)"
                }
                (None | Some(Phase::Signalling), Operation::Renice { .. }) => "renicing",
                (None | Some(Phase::Signalling), _) => "signalling",
                (Some(Phase::Stopping), _) => "stopping",
                (Some(Phase::Waiting), _) => "waiting for exits",
                (Some(Phase::Escalating), _) => "SIGKILL for survivors",
                (Some(Phase::Verifying), Operation::Pause) => "stopping processes born meanwhile",
                (Some(Phase::Verifying), _) => "checking that nothing is left",
                (Some(Phase::Done), _) => "done",
            };
            let alive =
                progress.map_or(String::new(), |p| format!(" · {} of {} still alive", p.alive, p.total));
            let what =
                operation.signal().map_or_else(|| operation.verb().to_string(), |s| s.name().to_string());
            let alive = if matches!(operation, Operation::Kill { .. }) { alive } else { String::new() };
            lines.push(Line::raw(format!(" {what}: {phase}{alive}")));
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

/// Exactly what confirming sends: the kill's two choices, or the action's description.
fn what_it_sends(modal: &KillModal, keymap: &Keymap) -> String {
    match modal.operation {
        Operation::Kill { grace_secs, .. } => {
            format!("Terminate: SIGTERM, then SIGKILL after {grace_secs} s · Kill now: SIGKILL")
        }
        Operation::Renice { .. } => {
            let keys = keymap.first_keys(Context::KillConfirm, &[Command::NiceDown, Command::NiceUp]);
            format!("{} ({keys} change it)", modal.operation.describe())
        }
        op => op.describe(),
    }
}
