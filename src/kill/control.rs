//! What the executor needs from the OS, as a trait: the real one is `pidfd::PidfdControl`,
//! the unit tests use a fake world.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use crate::model::{Forest, ProcKey};

/// The first signal of a kill, as a user picks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sig {
    Term,
    Int,
    Kill,
}

impl Sig {
    pub fn name(self) -> &'static str {
        match self {
            Sig::Term => "SIGTERM",
            Sig::Int => "SIGINT",
            Sig::Kill => "SIGKILL",
        }
    }
}

/// Every signal the executor sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Stop,
    Cont,
    Term,
    Int,
    Kill,
}

impl From<Sig> for Signal {
    fn from(s: Sig) -> Signal {
        match s {
            Sig::Term => Signal::Term,
            Sig::Int => Signal::Int,
            Sig::Kill => Signal::Kill,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ControlError {
    /// Exited, or the PID now belongs to another process.
    #[error("gone")]
    Gone,
    #[error("permission denied")]
    Denied,
    #[error("{0}")]
    Other(String),
}

/// A handle on one process, opened after its identity was confirmed.
pub struct Opened<H> {
    pub handle: H,
    /// It was already stopped (by someone else) when the handle was opened.
    pub was_stopped: bool,
}

pub trait ProcessControl {
    type Handle;
    /// Opens a handle on the process and confirms it is still `key` (same start time)
    /// and has not exited.
    fn open(&mut self, key: ProcKey) -> Result<Opened<Self::Handle>, ControlError>;
    /// Signals exactly the process behind the handle, never a reused PID.
    fn signal(&mut self, handle: &Self::Handle, signal: Signal) -> Result<(), ControlError>;
    /// Signals every member of a process group (`killpg`).
    fn signal_group(&mut self, pgid: u32, signal: Signal) -> Result<(), ControlError>;
    /// Whether the handle's process has not exited yet.
    fn is_alive(&mut self, handle: &Self::Handle) -> bool;
    /// Waits until every handle's process has exited, `timeout` passes or `cancel` is
    /// set; true = exited.
    fn wait(&mut self, handles: &[&Self::Handle], timeout: Duration, cancel: &AtomicBool) -> Vec<bool>;
    /// Samples and associates the whole box again.
    fn sample(&mut self) -> Result<Forest, ControlError>;
}
