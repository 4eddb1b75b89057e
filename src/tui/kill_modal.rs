//! The kill confirmation: a frozen plan, Cancel focused, then progress and a report.

use std::time::Duration;

use super::command::{Command, Context};
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

/// A kill planned by another box: carried out there, as the plan `id` it made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteKill {
    /// `App::remotes[host]`.
    pub host: usize,
    pub name: String,
    pub id: String,
    /// The execution's request, once confirmed.
    pub request: Option<u64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KillModal {
    /// Set when another box made the plan and will carry it out.
    pub remote: Option<RemoteKill>,
    /// Frozen when the modal opens: refreshes change neither what is shown nor what is signalled.
    pub plan: KillPlan,
    /// Planned processes not visible in the tree (collapsed or filtered out).
    pub hidden: usize,
    /// A plan of several targets (the tags): each with the processes it covers by itself.
    pub scopes: Vec<(NodeId, usize)>,
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
        KillModal {
            remote: None,
            plan,
            hidden,
            scopes: Vec::new(),
            grace,
            focus: Button::Cancel,
            scroll: 0,
            state: KillState::Confirm,
        }
    }

    /// Carries out a command of the modal's contexts (`KillConfirm`, `KillRunning`,
    /// `KillReport`); a running kill takes none.
    pub fn on_command(&mut self, command: Command) -> ModalRequest {
        match (&self.state, command) {
            (KillState::Running { .. }, _) => ModalRequest::Nothing,
            (_, Command::Close) => ModalRequest::Close,
            (KillState::Confirm, Command::FocusPrevious) => {
                self.focus = Button::ALL[(self.focus_index() + Button::ALL.len() - 1) % Button::ALL.len()];
                ModalRequest::Nothing
            }
            (KillState::Confirm, Command::FocusNext) => {
                self.focus = Button::ALL[(self.focus_index() + 1) % Button::ALL.len()];
                ModalRequest::Nothing
            }
            (KillState::Confirm, Command::Press) => match self.focus {
                Button::Cancel => ModalRequest::Close,
                Button::Terminate if !self.plan.entries.is_empty() => ModalRequest::Run(Sig::Term),
                Button::KillNow if !self.plan.entries.is_empty() => ModalRequest::Run(Sig::Kill),
                _ => ModalRequest::Nothing,
            },
            (_, c) => self.scroll(c),
        }
    }

    fn focus_index(&self) -> usize {
        Button::ALL.iter().position(|b| *b == self.focus).unwrap_or(0)
    }

    fn scroll(&mut self, command: Command) -> ModalRequest {
        let last = self.rows().saturating_sub(1);
        match command {
            Command::ScrollDown => self.scroll = (self.scroll + 1).min(last),
            Command::ScrollUp => self.scroll = self.scroll.saturating_sub(1),
            Command::ScrollPageDown => self.scroll = (self.scroll + 10).min(last),
            Command::ScrollPageUp => self.scroll = self.scroll.saturating_sub(10),
            _ => {}
        }
        ModalRequest::Nothing
    }

    /// The key context of the modal's state.
    pub fn context(&self) -> Context {
        match self.state {
            KillState::Confirm => Context::KillConfirm,
            KillState::Running { .. } => Context::KillRunning,
            KillState::Done(_) => Context::KillReport,
        }
    }

    /// Rows of the scrollable list: planned plus skipped, or the report's outcomes.
    pub fn rows(&self) -> usize {
        match &self.state {
            KillState::Done(r) => r.outcomes.len(),
            _ => self.scopes.len() + self.plan.entries.len() + self.plan.skipped.len(),
        }
    }

    pub fn scope_kind(&self) -> &str {
        if self.plan.scope.len() > 1 {
            return "scopes";
        }
        match self.plan.scope.first() {
            Some(NodeId::Pid(_)) => "process",
            Some(NodeId::Tree(_)) => "process tree",
            Some(NodeId::Attempt(_)) => "attempt",
            Some(NodeId::Task(_)) => "task",
            Some(NodeId::Project(_)) => "project",
            Some(NodeId::Port(_)) => "listeners on port",
            Some(NodeId::Name(_)) => "processes named",
            Some(NodeId::Session(_)) => "agent session",
            Some(NodeId::Leftovers(_)) => "reap",
            Some(NodeId::Orphans(_)) | None => "reap",
        }
    }
}
