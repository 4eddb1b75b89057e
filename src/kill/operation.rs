//! Pure: what an action does to the processes of its plan. Every action — a kill, one
//! signal, pause, resume, renice — is planned by `plan_with` (its scope rules,
//! protections) and carried out by the one executor (`exec`); this says which sequence
//! it runs and what the confirmation says it will send. Serialisable, so that a request
//! to run one elsewhere carries it whole.

use serde::{Deserialize, Serialize};

use super::plan::{KillPlan, SkipReason, Skipped};
use super::signal::Signal;
use crate::model::{Forest, ProcState};

/// The lowest and highest nice values (`setpriority(2)`).
pub const NICE_MIN: i32 = -20;
pub const NICE_MAX: i32 = 19;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum Operation {
    /// Freeze the set and its newborns, `signal`, continue, wait `grace_secs`, SIGKILL
    /// for survivors, then look again until nothing of the scope is left.
    Kill { signal: Signal, grace_secs: u64 },
    /// `signal` once to each planned process, through its pidfd: no freeze, no grace, no
    /// SIGKILL afterwards, no process born meanwhile. SIGSTOP is always a pause and
    /// SIGCONT always a resume (`normalized`).
    Send { signal: Signal },
    /// SIGSTOP to each planned process and to every process born into the scope
    /// meanwhile (the kill's freeze), left stopped: the one thing swarmtop leaves stopped
    /// on purpose. A pause that does not finish continues what it stopped.
    Pause,
    /// SIGCONT to each planned process that is stopped (`T`) when it runs; never to a
    /// process stopped by a debugger (`t`) or not stopped.
    Resume,
    /// Sets the nice value of every thread of each planned process.
    Renice { nice: i32 },
}

impl Operation {
    /// One signal sent once, except the two that are pause and resume: a SIGSTOP that
    /// nothing tracks, or a SIGCONT outside state `T`, is never sent.
    pub fn send(signal: Signal) -> Operation {
        Operation::Send { signal }.normalized()
    }

    pub fn normalized(self) -> Operation {
        match self {
            Operation::Send { signal: Signal::Stop } => Operation::Pause,
            Operation::Send { signal: Signal::Cont } => Operation::Resume,
            Operation::Renice { nice } => Operation::Renice { nice: nice.clamp(NICE_MIN, NICE_MAX) },
            op => op,
        }
    }

    /// `kill`, `signal`, `pause`, `resume`, `renice`: the command that does it.
    pub fn verb(self) -> &'static str {
        match self {
            Operation::Kill { .. } => "kill",
            Operation::Send { .. } => "signal",
            Operation::Pause => "pause",
            Operation::Resume => "resume",
            Operation::Renice { .. } => "renice",
        }
    }

    /// The signal it sends, if it sends one (the first one of a kill).
    pub fn signal(self) -> Option<Signal> {
        match self {
            Operation::Kill { signal, .. } | Operation::Send { signal } => Some(signal),
            Operation::Pause => Some(Signal::Stop),
            Operation::Resume => Some(Signal::Cont),
            Operation::Renice { .. } => None,
        }
    }

    /// Exactly what it will do, for the confirmation and `--dry-run`.
    pub fn describe(self) -> String {
        match self.normalized() {
            Operation::Kill { signal: Signal::Kill, .. } => {
                "SIGKILL (processes born meanwhile too)".to_string()
            }
            Operation::Kill { signal, grace_secs } => {
                format!("{signal}, then SIGKILL after {grace_secs}s for survivors (processes born meanwhile too)")
            }
            Operation::Send { signal } => {
                format!("{signal} once to each process; no SIGKILL after it, processes born meanwhile are not signalled")
            }
            Operation::Pause => {
                "SIGSTOP to each process and to processes born into the scope meanwhile; they stay stopped until resumed"
                    .to_string()
            }
            Operation::Resume => "SIGCONT to each process that is stopped (state T)".to_string(),
            Operation::Renice { nice } => format!("nice {nice} for every thread of each process"),
        }
    }

    /// The plan as this operation carries it out: resume continues only stopped
    /// processes, and neither pause nor resume touches one stopped by a debugger; the
    /// rest of the scope moves to `skipped` with why, so the plan shows exactly what is
    /// signalled. `forest` is the one the plan was made from.
    pub fn refine(self, mut plan: KillPlan, forest: &Forest) -> KillPlan {
        let why = |state: Option<ProcState>| match (self.normalized(), state) {
            (Operation::Pause | Operation::Resume, Some(ProcState::Traced)) => Some(SkipReason::Traced),
            (Operation::Resume, Some(ProcState::Stopped)) => None,
            (Operation::Resume, _) => Some(SkipReason::NotStopped),
            _ => None,
        };
        let mut states = std::collections::HashMap::new();
        forest.walk_processes(&mut |n| {
            states.insert(n.key(), n.process.state);
        });
        let (keep, moved): (Vec<_>, Vec<_>) =
            plan.entries.into_iter().partition(|e| why(states.get(&e.key).copied()).is_none());
        plan.entries = keep;
        for entry in moved {
            let reason = why(states.get(&entry.key).copied()).unwrap_or(SkipReason::NotStopped);
            plan.skipped.push(Skipped { entry, reason });
        }
        plan
    }
}

#[cfg(test)]
#[path = "operation_tests.rs"]
mod tests;
