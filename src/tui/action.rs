//! Everything that can change the app state, and what the shell must do afterwards.

use std::sync::Arc;

use super::command::Command;
use super::jump::JumpRequest;
use super::kill_modal::KillModal;
use super::quit_modal::QuitModal;
use crate::kill::exec::{KillReport, Progress, Sig};
use crate::kill::operation::Operation;
use crate::kill::plan::{KillPlan, PlanContext};
use crate::model::Forest;

#[derive(Debug, Clone)]
pub enum Action {
    Command(Command),
    NewForest(Arc<Forest>),
    /// The terminal was resized; the next draw lays out again.
    Resize,
    /// A mouse click on screen row `y`.
    Click(u16),
    /// Mouse wheel: positive scrolls down.
    Scroll(i32),
    /// A character typed into the filter (`Command::FilterType`).
    FilterInput(char),
    KillProgress(Progress),
    KillDone(KillReport),
    /// A second passed (statuses of other boxes that count down).
    Tick,
    /// What the link of another box (`App::remotes[i]`) reported.
    Remote(usize, crate::remote::link::Update),
}

/// Side effects the event loop carries out after an update.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    None,
    Quit,
    /// Tell the sampler thread to pause (true) or resume.
    SetPaused(bool),
    /// Sample now instead of at the next tick (after a kill).
    RefreshNow,
    /// Run a confirmed action (kill, signal, pause, resume, renice) off the UI thread.
    Kill(Box<KillRequest>),
    /// Ask another box (`App::remotes[host]`) for a plan.
    RemotePlan {
        host: usize,
        request: u64,
        kill: crate::remote::protocol::PlanRequest,
    },
    /// Have another box carry out the plan `id` it made, which the user confirmed as `plan`.
    RemoteExecute {
        host: usize,
        request: u64,
        id: String,
        plan: Box<KillPlan>,
        signal: Sig,
        grace_secs: u64,
    },
    /// Have another box sample now (after a kill there).
    RemoteRefresh(usize),
    /// Switch to an agent's tmux pane.
    Jump(Box<JumpRequest>),
}

/// A confirmed action: its frozen plan and what to do to it.
#[derive(Debug, Clone, PartialEq)]
pub struct KillRequest {
    pub plan: KillPlan,
    pub context: PlanContext,
    pub operation: Operation,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Modal {
    Help {
        scroll: u16,
    },
    /// The column picker, its cursor on a line of `columns::picker_order`.
    Columns {
        line: usize,
    },
    /// The signal menu, its cursor on the `line`th of `Signal::all()`; `target` says
    /// what a signal would go to.
    Signals {
        line: usize,
        target: String,
    },
    Kill(Box<KillModal>),
    /// Quitting while processes this TUI paused are still stopped.
    Quit(QuitModal),
}
