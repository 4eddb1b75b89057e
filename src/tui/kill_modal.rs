//! The kill confirmation: a frozen plan, Cancel focused, then progress and a report.

use std::time::Duration;

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::kill::exec::{KillReport, Progress, Sig};
use crate::kill::plan::KillPlan;
use crate::model::NodeId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Button {
    Cancel,
    Terminate,
    KillNow,
}

impl Button {
    pub const ALL: [Button; 3] = [Button::Cancel, Button::Terminate, Button::KillNow];

    pub fn label(self) -> &'static str {
        match self {
            Button::Cancel => "Cancel",
            Button::Terminate => "Terminate",
            Button::KillNow => "Kill now",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum KillState {
    Confirm,
    Running { signal: Sig, progress: Option<Progress> },
    Done(KillReport),
}

#[derive(Debug, Clone, PartialEq)]
pub struct KillModal {
    /// Frozen when the modal opens: refreshes change neither what is shown nor what is signalled.
    pub plan: KillPlan,
    /// Planned processes not visible in the tree (collapsed or filtered out).
    pub hidden: usize,
    pub grace: Duration,
    pub focus: Button,
    pub scroll: usize,
    pub state: KillState,
}

/// What a key in the modal asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModalRequest {
    Nothing,
    Close,
    Run(Sig),
}

impl KillModal {
    pub fn new(plan: KillPlan, hidden: usize, grace: Duration) -> KillModal {
        KillModal { plan, hidden, grace, focus: Button::Cancel, scroll: 0, state: KillState::Confirm }
    }

    pub fn on_key(&mut self, key: &KeyEvent) -> ModalRequest {
        match &self.state {
            KillState::Confirm => self.confirm_key(key),
            KillState::Running { .. } => ModalRequest::Nothing,
            KillState::Done(_) => match key.code {
                KeyCode::Enter | KeyCode::Esc | KeyCode::Char('q') => ModalRequest::Close,
                _ => self.scroll_key(key),
            },
        }
    }

    fn confirm_key(&mut self, key: &KeyEvent) -> ModalRequest {
        let at = Button::ALL.iter().position(|b| *b == self.focus).unwrap_or(0);
        match key.code {
            KeyCode::Esc | KeyCode::Char('n') | KeyCode::Char('q') => ModalRequest::Close,
            KeyCode::Left | KeyCode::Char('h') | KeyCode::BackTab => {
                self.focus = Button::ALL[(at + Button::ALL.len() - 1) % Button::ALL.len()];
                ModalRequest::Nothing
            }
            KeyCode::Right | KeyCode::Char('l') | KeyCode::Tab => {
                self.focus = Button::ALL[(at + 1) % Button::ALL.len()];
                ModalRequest::Nothing
            }
            KeyCode::Enter => match self.focus {
                Button::Cancel => ModalRequest::Close,
                Button::Terminate if !self.plan.entries.is_empty() => ModalRequest::Run(Sig::Term),
                Button::KillNow if !self.plan.entries.is_empty() => ModalRequest::Run(Sig::Kill),
                _ => ModalRequest::Nothing,
            },
            _ => self.scroll_key(key),
        }
    }

    fn scroll_key(&mut self, key: &KeyEvent) -> ModalRequest {
        let rows = self.rows();
        match key.code {
            KeyCode::Down | KeyCode::Char('j') => self.scroll = (self.scroll + 1).min(rows.saturating_sub(1)),
            KeyCode::Up | KeyCode::Char('k') => self.scroll = self.scroll.saturating_sub(1),
            KeyCode::PageDown => self.scroll = (self.scroll + 10).min(rows.saturating_sub(1)),
            KeyCode::PageUp => self.scroll = self.scroll.saturating_sub(10),
            _ => {}
        }
        ModalRequest::Nothing
    }

    /// Rows of the scrollable list: planned plus skipped, or the report's outcomes.
    pub fn rows(&self) -> usize {
        match &self.state {
            KillState::Done(r) => r.outcomes.len(),
            _ => self.plan.entries.len() + self.plan.skipped.len(),
        }
    }

    pub fn scope_kind(&self) -> &str {
        match self.plan.scope.first() {
            Some(NodeId::Pid(_)) => "process",
            Some(NodeId::Tree(_)) => "process tree",
            Some(NodeId::Attempt(_)) => "attempt",
            Some(NodeId::Task(_)) => "task",
            Some(NodeId::Project(_)) => "project",
            Some(NodeId::Orphans(_)) | None => "orphans",
        }
    }
}
