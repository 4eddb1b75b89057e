//! The confirmation of every action (kill, signal, pause, resume, renice): a frozen
//! plan, Cancel focused, then progress and a report.

use super::command::{Command, Context};
use crate::kill::exec::{KillReport, Progress, Signal};
use crate::kill::operation::{NICE_MAX, NICE_MIN, Operation};
use crate::kill::plan::KillPlan;
use crate::model::NodeId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Button {
    Cancel,
    /// A kill: its signal, then SIGKILL after the grace.
    Terminate,
    /// A kill: SIGKILL at once.
    KillNow,
    /// Any other action: do it.
    Confirm,
}

#[derive(Debug, Clone, PartialEq)]
pub enum KillState {
    Confirm,
    Running { operation: Operation, progress: Option<Progress> },
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
    /// What confirming does. A kill's buttons choose its first signal (SIGTERM or SIGKILL,
    /// with this grace); a renice's value can still be changed.
    pub operation: Operation,
    pub focus: Button,
    pub scroll: usize,
    pub state: KillState,
}

/// What a key in the modal asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModalRequest {
    Nothing,
    Close,
    Run(Operation),
}

impl KillModal {
    pub fn new(plan: KillPlan, hidden: usize, operation: Operation) -> KillModal {
        KillModal {
            remote: None,
            plan,
            hidden,
            scopes: Vec::new(),
            operation,
            focus: Button::Cancel,
            scroll: 0,
            state: KillState::Confirm,
        }
    }

    /// The buttons, Cancel first.
    pub fn buttons(&self) -> &'static [Button] {
        match self.operation {
            Operation::Kill { .. } => &[Button::Cancel, Button::Terminate, Button::KillNow],
            _ => &[Button::Cancel, Button::Confirm],
        }
    }

    pub fn label(&self, button: Button) -> String {
        match (button, self.operation) {
            (Button::Cancel, _) => "Cancel".into(),
            (Button::Terminate, _) => "Terminate".into(),
            (Button::KillNow, _) => "Kill now".into(),
            (Button::Confirm, Operation::Send { signal }) => format!("Send {signal}"),
            (Button::Confirm, Operation::Renice { nice }) => format!("Renice to {nice}"),
            (Button::Confirm, op) => capitalised(op.verb()),
        }
    }

    /// Carries out a command of the modal's contexts (`KillConfirm`, `KillRunning`,
    /// `KillReport`); a running action takes none.
    pub fn on_command(&mut self, command: Command) -> ModalRequest {
        let buttons = self.buttons();
        let step = |focus: Button, by: usize| {
            let i = buttons.iter().position(|b| *b == focus).unwrap_or(0);
            buttons[(i + by) % buttons.len()]
        };
        match (&self.state, command) {
            (KillState::Running { .. }, _) => ModalRequest::Nothing,
            (_, Command::Close) => ModalRequest::Close,
            (KillState::Confirm, Command::FocusPrevious) => {
                self.focus = step(self.focus, buttons.len() - 1);
                ModalRequest::Nothing
            }
            (KillState::Confirm, Command::FocusNext) => {
                self.focus = step(self.focus, 1);
                ModalRequest::Nothing
            }
            (KillState::Confirm, Command::NiceUp | Command::NiceDown) => {
                if let Operation::Renice { nice } = &mut self.operation {
                    let by = if command == Command::NiceUp { 1 } else { -1 };
                    *nice = (*nice + by).clamp(NICE_MIN, NICE_MAX);
                }
                ModalRequest::Nothing
            }
            (KillState::Confirm, Command::Press) => self.press(),
            (_, c) => self.scroll(c),
        }
    }

    fn press(&self) -> ModalRequest {
        let kill = |signal| match self.operation {
            Operation::Kill { grace_secs, .. } => ModalRequest::Run(Operation::Kill { signal, grace_secs }),
            _ => ModalRequest::Nothing,
        };
        match self.focus {
            Button::Cancel => ModalRequest::Close,
            _ if self.plan.entries.is_empty() => ModalRequest::Nothing,
            Button::Terminate => kill(Signal::Term),
            Button::KillNow => kill(Signal::Kill),
            Button::Confirm => ModalRequest::Run(self.operation),
        }
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

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}
