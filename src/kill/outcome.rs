//! What an action (a kill, a signal, pause, resume, renice) did to each process, and how
//! far it is.

use std::collections::HashSet;

use super::operation::Operation;
use super::plan::{PlanEntry, SkipReason};
use crate::model::ProcKey;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
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
    /// The kill was cancelled (quit, Ctrl-C, a signal to swarmtop) before it finished
    /// with this process; if the kill had stopped it, it was continued.
    Abandoned,
    /// In the scope after the kill but not in the plan and not born after it (it moved
    /// into the scope, or the plan's sample missed it): never signalled.
    NotInPlan,
    /// Born after the plan inside its scope, and still alive after every pass.
    Escaped,
    /// `signal`: delivered to the process (through its pidfd).
    Delivered,
    /// `pause`: stopped, and left stopped.
    Paused,
    /// `pause`: it was stopped already (by someone else); left as it was.
    AlreadyStopped,
    /// `resume`: it was stopped (`T`) and got SIGCONT.
    Resumed,
    /// `resume`: not stopped (or stopped by a debugger) when the resume ran: left alone.
    NotStopped,
    /// `renice`: every thread has this nice value now (read back).
    Reniced(i32),
    /// The kill ran on another host and the connection to it was lost before its report
    /// came: whatever happened there is not known here (and the kill is not retried).
    Unknown,
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
            Outcome::Abandoned => "abandoned",
            Outcome::NotInPlan => "not in the plan, not signalled",
            Outcome::Escaped => "escaped",
            Outcome::Delivered => "delivered",
            Outcome::Paused => "paused",
            Outcome::AlreadyStopped => "already stopped",
            Outcome::Resumed => "resumed",
            Outcome::NotStopped => "not stopped, left alone",
            Outcome::Reniced(_) => "reniced",
            Outcome::Unknown => "unknown outcome",
        }
    }

    /// Done as asked (gone, signalled, stopped, continued, reniced), nothing left to do,
    /// or spared as asked (a filter, `--keep-agents`).
    pub fn is_success(&self) -> bool {
        match self {
            Outcome::Exited | Outcome::Killed | Outcome::AlreadyGone => true,
            Outcome::Delivered | Outcome::Paused | Outcome::AlreadyStopped => true,
            Outcome::Resumed | Outcome::NotStopped | Outcome::Reniced(_) => true,
            Outcome::Skipped(reason) => reason.is_chosen(),
            _ => false,
        }
    }

    /// Every label, in the order summaries list them.
    pub const LABELS: [&'static str; 17] = [
        "exited",
        "needed SIGKILL",
        "already gone",
        "permission denied",
        "survived",
        "skipped",
        "failed",
        "abandoned",
        "not in the plan, not signalled",
        "escaped",
        "delivered",
        "paused",
        "already stopped",
        "resumed",
        "not stopped, left alone",
        "reniced",
        "unknown outcome",
    ];
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KillReport {
    /// What was done (a kill's first signal and grace, the signal sent, the nice value).
    pub operation: Operation,
    pub outcomes: Vec<(PlanEntry, Outcome)>,
    /// Descendants that appeared while the plan ran and were killed with it.
    pub born_meanwhile: usize,
    /// Which entries of `outcomes` were born meanwhile.
    pub born: HashSet<ProcKey>,
    /// Process groups that were also signalled as groups.
    pub groups: Vec<u32>,
    /// Cancelled before it finished; every process it had stopped was continued.
    pub cancelled: bool,
    /// Problems of the kill itself (a re-sample that failed).
    pub warnings: Vec<String>,
}

impl KillReport {
    pub fn new(operation: Operation) -> KillReport {
        KillReport {
            operation,
            outcomes: Vec::new(),
            born_meanwhile: 0,
            born: HashSet::new(),
            groups: Vec::new(),
            cancelled: false,
            warnings: Vec::new(),
        }
    }

    /// 0 when everything was done as asked (or spared by the caller's choice), 1 when
    /// something survived, escaped, was denied, skipped by a rule or abandoned, or the
    /// action could not check its work.
    pub fn exit_code(&self) -> i32 {
        let clean = self.outcomes.iter().all(|(_, o)| o.is_success()) && !self.cancelled;
        if clean && self.warnings.is_empty() { 0 } else { 1 }
    }

    pub fn count(&self, label: &str) -> usize {
        self.outcomes.iter().filter(|(_, o)| o.label() == label).count()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    Stopping,
    Signalling,
    Waiting,
    Escalating,
    Verifying,
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Progress {
    pub phase: Phase,
    /// Processes still alive among those signalled.
    pub alive: usize,
    pub total: usize,
}
