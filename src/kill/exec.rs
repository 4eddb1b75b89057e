//! Executing a KillPlan: identity re-checked through a handle (pidfd) before every
//! signal, the whole set stopped before it is signalled so nothing forks away, then
//! the signal, SIGCONT, a grace wait, a re-scan for descendants born meanwhile, and
//! SIGKILL for survivors. The OS sits behind `ProcessControl`, so this is tested
//! with a fake as well as with real processes.

use std::collections::HashSet;
use std::time::Duration;

use super::plan::{KillPlan, PlanEntry, SkipReason};
use crate::model::ProcKey;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
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
    /// Exited, a zombie, or the PID now belongs to another process.
    #[error("gone")]
    Gone,
    #[error("permission denied")]
    Denied,
    #[error("{0}")]
    Other(String),
}

pub trait ProcessControl {
    type Handle;
    /// Opens a handle on the process and confirms it is still `key` (same start time).
    fn open(&mut self, key: ProcKey) -> Result<Self::Handle, ControlError>;
    fn signal(&mut self, handle: &Self::Handle, signal: Signal) -> Result<(), ControlError>;
    /// Waits until every handle's process has exited or `timeout` passes; true = exited.
    fn wait(&mut self, handles: &[&Self::Handle], timeout: Duration) -> Vec<bool>;
    /// Live processes whose parent PID is in `parents`.
    fn children_of(&mut self, parents: &HashSet<u32>) -> Vec<(ProcKey, String)>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Ended after the requested signal.
    Exited,
    /// Needed SIGKILL after the grace period.
    Killed,
    AlreadyGone,
    PermissionDenied,
    /// Still there after SIGKILL (e.g. uninterruptible sleep).
    Survived,
    Skipped(SkipReason),
    /// A signal failed for another reason (errno text).
    Failed(String),
}

impl Outcome {
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Exited => "exited",
            Outcome::Killed => "needed SIGKILL",
            Outcome::AlreadyGone => "already gone",
            Outcome::PermissionDenied => "permission denied",
            Outcome::Survived => "survived",
            Outcome::Skipped(_) => "skipped",
            Outcome::Failed(_) => "failed",
        }
    }

    pub fn is_success(&self) -> bool {
        matches!(self, Outcome::Exited | Outcome::Killed | Outcome::AlreadyGone)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct KillReport {
    pub signal: Sig,
    pub outcomes: Vec<(PlanEntry, Outcome)>,
    /// Descendants that appeared while the plan ran and were killed with it.
    pub born_meanwhile: usize,
}

impl KillReport {
    /// 0 when everything is gone, 1 when something survived, was denied or skipped.
    pub fn exit_code(&self) -> i32 {
        if self.outcomes.iter().all(|(_, o)| o.is_success()) { 0 } else { 1 }
    }

    pub fn count(&self, label: &str) -> usize {
        self.outcomes.iter().filter(|(_, o)| o.label() == label).count()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Stopping,
    Signalling,
    Waiting,
    Escalating,
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub phase: Phase,
    /// Processes still alive among those signalled.
    pub alive: usize,
    pub total: usize,
}

/// How long SIGKILLed processes get to disappear before they count as survivors.
const KILL_WAIT: Duration = Duration::from_secs(2);
/// Bound on re-scans, so a fork bomb cannot keep the executor busy forever.
const MAX_RESCANS: usize = 16;

struct Live<H> {
    entry: PlanEntry,
    handle: H,
    outcome: Option<Outcome>,
}

pub fn execute<C: ProcessControl>(
    plan: &KillPlan,
    signal: Sig,
    grace: Duration,
    control: &mut C,
    progress: &mut dyn FnMut(Progress),
) -> KillReport {
    let mut done: Vec<(PlanEntry, Outcome)> = Vec::new();
    let mut live: Vec<Live<C::Handle>> = Vec::new();
    let mut known: HashSet<ProcKey> = plan.entries.iter().map(|e| e.key).collect();
    for entry in &plan.entries {
        open_into(control, entry.clone(), &mut live, &mut done);
    }
    let total = live.len();
    let report = |p: Phase, live: &[Live<C::Handle>]| Progress { phase: p, alive: alive(live), total };

    // 1. Freeze the whole set, and whatever it forked before it froze.
    progress(report(Phase::Stopping, &live));
    send_all(control, &mut live, Signal::Stop);
    let mut born = 0;
    for _ in 0..MAX_RESCANS {
        let added = adopt_children(control, &mut live, &mut done, &mut known);
        if added == 0 {
            break;
        }
        born += added;
        send_all(control, &mut live, Signal::Stop);
    }

    // 2. The requested signal, then let them run so they can act on it.
    progress(report(Phase::Signalling, &live));
    send_all(control, &mut live, signal.into());
    send_all(control, &mut live, Signal::Cont);

    // 3. Grace period (skipped for SIGKILL, which cannot be caught).
    let wait_for = if signal == Sig::Kill { KILL_WAIT } else { grace };
    progress(report(Phase::Waiting, &live));
    mark_exited(
        control,
        &mut live,
        wait_for,
        if signal == Sig::Kill { Outcome::Killed } else { Outcome::Exited },
    );

    // 4. Descendants born meanwhile, and survivors: SIGKILL.
    born += adopt_children(control, &mut live, &mut done, &mut known);
    if alive(&live) > 0 {
        progress(report(Phase::Escalating, &live));
        send_all(control, &mut live, Signal::Kill);
        mark_exited(control, &mut live, KILL_WAIT, Outcome::Killed);
    }
    for l in live {
        done.push((l.entry, l.outcome.unwrap_or(Outcome::Survived)));
    }
    for s in &plan.skipped {
        done.push((s.entry.clone(), Outcome::Skipped(s.reason.clone())));
    }
    progress(Progress { phase: Phase::Done, alive: 0, total });
    KillReport { signal, outcomes: done, born_meanwhile: born }
}

fn alive<H>(live: &[Live<H>]) -> usize {
    live.iter().filter(|l| l.outcome.is_none()).count()
}

fn open_into<C: ProcessControl>(
    control: &mut C,
    entry: PlanEntry,
    live: &mut Vec<Live<C::Handle>>,
    done: &mut Vec<(PlanEntry, Outcome)>,
) {
    match control.open(entry.key) {
        Ok(handle) => live.push(Live { entry, handle, outcome: None }),
        Err(e) => done.push((entry, outcome_of(e))),
    }
}

fn outcome_of(e: ControlError) -> Outcome {
    match e {
        ControlError::Gone => Outcome::AlreadyGone,
        ControlError::Denied => Outcome::PermissionDenied,
        ControlError::Other(msg) => Outcome::Failed(msg),
    }
}

fn send_all<C: ProcessControl>(control: &mut C, live: &mut [Live<C::Handle>], signal: Signal) {
    for l in live.iter_mut().filter(|l| l.outcome.is_none()) {
        if let Err(e) = control.signal(&l.handle, signal) {
            l.outcome = Some(match (e, signal) {
                // Exiting between two signals is an exit, not an error.
                (ControlError::Gone, Signal::Kill) => Outcome::Killed,
                (ControlError::Gone, Signal::Stop) => Outcome::AlreadyGone,
                (ControlError::Gone, _) => Outcome::Exited,
                (e, _) => outcome_of(e),
            });
        }
    }
}

fn mark_exited<C: ProcessControl>(
    control: &mut C,
    live: &mut [Live<C::Handle>],
    timeout: Duration,
    as_: Outcome,
) {
    let pending: Vec<usize> = (0..live.len()).filter(|&i| live[i].outcome.is_none()).collect();
    if pending.is_empty() {
        return;
    }
    let handles: Vec<&C::Handle> = pending.iter().map(|&i| &live[i].handle).collect();
    let exited = control.wait(&handles, timeout);
    for (&i, gone) in pending.iter().zip(exited) {
        if gone {
            live[i].outcome = Some(as_.clone());
        }
    }
}

/// Opens and adds children of the set that are not in it yet; returns how many.
fn adopt_children<C: ProcessControl>(
    control: &mut C,
    live: &mut Vec<Live<C::Handle>>,
    done: &mut Vec<(PlanEntry, Outcome)>,
    known: &mut HashSet<ProcKey>,
) -> usize {
    let parents: HashSet<u32> = live.iter().map(|l| l.entry.key.pid()).collect();
    let mut added = 0;
    for (key, name) in control.children_of(&parents) {
        if known.insert(key) {
            let entry = PlanEntry { key, name: name.clone(), cmd: name, cpu_percent: 0.0, memory_bytes: 0 };
            open_into(control, entry, live, done);
            added += 1;
        }
    }
    added
}

#[cfg(test)]
#[path = "exec_tests.rs"]
mod tests;
