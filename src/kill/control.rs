//! What the executor needs from the OS, as a trait: the real one is `pidfd::PidfdControl`,
//! the unit tests use a fake world.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use crate::model::{Forest, ProcKey};

pub use super::signal::Signal;

/// The first signal of a kill, as a user picks it (any signal that does not stop).
pub type Sig = Signal;

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
    /// It was already stopped (by someone else) when the handle was opened: state `T`
    /// or `t`.
    pub was_stopped: bool,
    /// Stopped by a debugger (state `t`).
    pub traced: bool,
}

/// What a renice did to one process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reniced {
    /// The nice value read back from the process after every thread was set.
    pub nice: i32,
    /// Threads that exited between being listed and read back: set, but not confirmed
    /// (a thread id that was reused at once may have been another process's).
    pub vanished_threads: Vec<u32>,
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
    /// Sets the nice value of every thread of the handle's process (`nice` is per
    /// thread on Linux), reads it back, and confirms through the handle that the process
    /// had not exited meanwhile (`Gone` when it had: its PID, or a thread id, may then
    /// have named another process when the value was set).
    fn renice(&mut self, handle: &Self::Handle, nice: i32) -> Result<Reniced, ControlError>;
}
