//! Executing a plan: the one code that signals processes, for every action (a kill,
//! one signal, pause, resume, renice; `Operation`). What must never happen: a signal to
//! a process outside the plan, unless it was born after the plan, descends from a live
//! process of the action (or, after a kill, still sits in its scope) and the planner's
//! rules accept it in a fresh sample (`scope::rescope`) — and only a kill or a pause
//! takes newborns; a process left stopped, except by a pause that finished; a survivor
//! reported as success.
//!
//! Every action opens a pidfd per planned process (identity re-checked) and signals
//! each process through it. A kill: SIGSTOP the set and every newborn descendant until
//! no new one appears (a fixpoint), the signal (also to process groups wholly inside
//! the scope), SIGCONT, the grace, SIGKILL for survivors, then sample again, kill what
//! was born meanwhile in the scope and report the rest (`exec_kill.rs`). A pause: the
//! same freeze, the scope's safe groups stopped too, the same looks afterwards, and what
//! it stopped left stopped. Send, resume and renice act once on each planned process
//! (`exec_ops.rs`). Cancelling (`cancel`) or unwinding continues every process this run
//! stopped, and only those.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub use super::operation::Operation;
use super::plan::{KillPlan, PlanContext, PlanEntry};
use super::scope::{Member, Rescope, rescope};
use crate::model::ProcKey;

pub use super::control::{ControlError, Opened, ProcessControl, Reniced, Sig, Signal};
pub use super::outcome::{KillReport, Outcome, Phase, Progress};

/// How long SIGKILLed processes get to disappear before they count as survivors.
const KILL_WAIT: Duration = Duration::from_secs(2);
/// Bound on freeze rounds, so a fork bomb cannot keep the executor busy forever.
const MAX_ROUNDS: usize = 16;
/// Most samples after the kill that look for what is still in the scope (PID hoppers
/// need several: each sample may miss the incarnation of the moment).
const VERIFY_PASSES: usize = 12;
/// Looks in a row that must find nothing new before the kill is done.
const QUIET_LOOKS: usize = 3;

pub struct ActionOptions<'a> {
    pub operation: Operation,
    /// Set from another thread (quit, a signal to swarmtop) to abandon the action.
    pub cancel: &'a AtomicBool,
}

struct Live<H> {
    entry: PlanEntry,
    handle: H,
    outcome: Option<Outcome>,
    /// This run sent it SIGSTOP and has not continued it yet.
    stopped_by_us: bool,
    was_stopped: bool,
    traced: bool,
}

/// The processes of one action. Dropping it (any return, or a panic) continues every
/// process it stopped and still holds as stopped by it (a finished pause lets go of them).
struct Run<'c, C: ProcessControl> {
    control: &'c mut C,
    live: Vec<Live<C::Handle>>,
    report: KillReport,
    known: HashSet<ProcKey>,
    /// Process groups this run sent SIGSTOP: a newborn of one found stopped was stopped
    /// by this run (the group signal reached it as it was forked), not by someone else.
    stopped_groups: Vec<u32>,
}

impl<C: ProcessControl> Drop for Run<'_, C> {
    fn drop(&mut self) {
        self.continue_stopped();
    }
}

pub fn execute<C: ProcessControl>(
    plan: &KillPlan,
    ctx: &PlanContext,
    options: &ActionOptions<'_>,
    control: &mut C,
    progress: &mut dyn FnMut(Progress),
) -> KillReport {
    let operation = options.operation.normalized();
    let mut run = Run {
        control,
        live: Vec::new(),
        report: KillReport::new(operation),
        known: plan.entries.iter().chain(plan.skipped.iter().map(|s| &s.entry)).map(|e| e.key).collect(),
        stopped_groups: Vec::new(),
    };
    for entry in &plan.entries {
        run.open(entry.clone(), false);
    }
    let cancel = options.cancel;
    match operation {
        Operation::Kill { signal, grace_secs } => {
            run.kill(plan, ctx, signal, Duration::from_secs(grace_secs), cancel, progress)
        }
        Operation::Pause => run.pause(plan, ctx, cancel, progress),
        Operation::Send { signal } => run.once(plan, signal, Outcome::Delivered, progress),
        Operation::Resume => run.once(plan, Signal::Cont, Outcome::Resumed, progress),
        Operation::Renice { nice } => run.renice(plan, nice, progress),
    }
}

impl<C: ProcessControl> Run<'_, C> {
    fn alive(&self) -> usize {
        self.live.iter().filter(|l| l.outcome.is_none()).count()
    }

    fn progress(&self, progress: &mut dyn FnMut(Progress), phase: Phase) {
        let alive = if phase == Phase::Done { 0 } else { self.alive() };
        progress(Progress { phase, alive, total: self.live.len() });
    }

    fn open(&mut self, entry: PlanEntry, born: bool) {
        self.known.insert(entry.key);
        if born {
            self.report.born_meanwhile += 1;
            self.report.born.insert(entry.key);
        }
        match self.control.open(entry.key) {
            Ok(Opened { handle, was_stopped, traced }) => self.live.push(Live {
                entry,
                handle,
                outcome: None,
                stopped_by_us: false,
                was_stopped,
                traced,
            }),
            Err(e) => self.report.outcomes.push((entry, outcome_of(e))),
        }
    }

    /// Opens a newborn member of the scope. One found stopped in a group this run
    /// stopped is counted as stopped by this run, so a cancel continues it and a pause
    /// reports it paused (it was running when it was born).
    fn open_newborn(&mut self, m: &Member) {
        let before = self.live.len();
        self.open(m.entry.clone(), true);
        if self.live.len() > before && self.stopped_groups.contains(&m.pgid) {
            let l = &mut self.live[before];
            if l.was_stopped && !l.traced {
                l.was_stopped = false;
                l.stopped_by_us = true;
            }
        }
    }

    fn rescope(&mut self, plan: &KillPlan, ctx: &PlanContext) -> Option<Rescope> {
        match self.control.sample() {
            Ok(forest) => Some(rescope(plan, &forest, ctx)),
            Err(e) => {
                self.report.warnings.push(format!("could not sample the box again to check the kill: {e}"));
                None
            }
        }
    }

    /// Re-samples and stops newborn descendants of the set until a sample finds none
    /// (or the round bound); returns the last scope, taken with the set frozen.
    fn freeze(&mut self, plan: &KillPlan, ctx: &PlanContext, cancel: &AtomicBool) -> Option<Rescope> {
        let mut last = None;
        for _ in 0..MAX_ROUNDS {
            if cancel.load(Ordering::SeqCst) {
                break;
            }
            let Some(scope) = self.rescope(plan, ctx) else { break };
            let added = self.adopt_descendants(&scope);
            last = Some(scope);
            if added == 0 {
                break;
            }
            self.send_all(Signal::Stop);
        }
        last
    }

    /// Adopts the scope's newborns whose parent is a process of this kill that is
    /// still alive (checked after the sample that gave the child's parent PID, so
    /// the PID still names that parent). Returns how many were adopted.
    fn adopt_descendants(&mut self, scope: &Rescope) -> usize {
        let mut added = 0;
        for m in &scope.members {
            if !m.adoptable() || self.known.contains(&m.entry.key) {
                continue;
            }
            let parent = self.live.iter().position(|l| l.outcome.is_none() && l.entry.key.pid() == m.ppid);
            let Some(parent) = parent else { continue };
            if !self.control.is_alive(&self.live[parent].handle) {
                continue;
            }
            self.open_newborn(m);
            added += 1;
        }
        added
    }

    /// After the kill: stops the scope's newborns that are still there (`kill`) or
    /// reports them as escaped, and records every other unknown member of the scope.
    /// Returns how many newborns it found.
    fn settle(&mut self, scope: &Rescope, kill: bool) -> usize {
        let before = self.live.len();
        let mut newborns = 0;
        for m in &scope.members {
            if m.zombie || self.known.contains(&m.entry.key) {
                continue;
            }
            if m.adoptable() && kill {
                // Counted even when it is gone by the open: whatever it forked is not
                // in this sample yet, so this look was not a quiet one.
                newborns += 1;
                self.open_newborn(m);
            } else {
                self.known.insert(m.entry.key);
                let outcome = match &m.skip {
                    Some(reason) => Outcome::Skipped(reason.clone()),
                    None if m.adoptable() => Outcome::Escaped,
                    None => Outcome::NotInPlan,
                };
                if m.newborn {
                    self.report.born.insert(m.entry.key);
                }
                self.report.outcomes.push((m.entry.clone(), outcome));
            }
        }
        for i in before..self.live.len() {
            self.signal_one(i, Signal::Stop);
        }
        newborns
    }

    /// SIGCONT to every process this kill stopped and has not continued, whatever
    /// else happened to it.
    fn continue_stopped(&mut self) {
        for l in self.live.iter_mut().filter(|l| l.stopped_by_us) {
            // A process that is gone needs no SIGCONT; nothing else can fail here.
            let _ = self.control.signal(&l.handle, Signal::Cont);
            l.stopped_by_us = false;
        }
    }

    fn continue_all(&mut self) {
        for l in self.live.iter_mut() {
            l.was_stopped = false;
            l.stopped_by_us = l.outcome.is_none();
        }
        self.send_all(Signal::Cont);
    }

    fn send_all(&mut self, signal: Signal) {
        for i in 0..self.live.len() {
            if self.live[i].outcome.is_none() {
                self.signal_one(i, signal);
            }
        }
    }

    fn signal_one(&mut self, i: usize, signal: Signal) {
        let l = &mut self.live[i];
        if signal == Signal::Cont && !l.stopped_by_us {
            return;
        }
        match self.control.signal(&l.handle, signal) {
            Ok(()) => match signal {
                Signal::Stop if !l.was_stopped => l.stopped_by_us = true,
                Signal::Cont => l.stopped_by_us = false,
                _ => {}
            },
            Err(e) => {
                if e == ControlError::Gone {
                    l.stopped_by_us = false;
                }
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

    /// Signals the scope's safe groups. Their members born meanwhile are opened first,
    /// so that the report lists them and what became of them; those get SIGSTOP and
    /// SIGKILL through their pidfd too, since one may have left the group (setsid)
    /// after the sample that showed it there, and nothing else would signal it again.
    /// (The first signal of a kill is not sent twice: one that missed gets SIGKILL.)
    fn signal_groups(&mut self, scope: &Rescope, signal: Signal) {
        let before = self.live.len();
        // A process stopped by a debugger is left to it (a pause reports it so): its group
        // is not signalled as a whole.
        let traced: Vec<u32> = (scope.members.iter())
            .filter(|m| self.live.iter().any(|l| l.traced && l.entry.key == m.entry.key))
            .map(|m| m.pgid)
            .collect();
        for &g in scope.groups.iter().filter(|g| !traced.contains(g)) {
            for m in &scope.members {
                if m.pgid == g && m.adoptable() && !m.zombie && !self.known.contains(&m.entry.key) {
                    self.open_newborn(m);
                }
            }
            match self.control.signal_group(g, signal) {
                Ok(()) => {
                    if !self.report.groups.contains(&g) {
                        self.report.groups.push(g);
                    }
                    if signal == Signal::Stop && !self.stopped_groups.contains(&g) {
                        self.stopped_groups.push(g);
                    }
                }
                // No member left: nothing to signal.
                Err(ControlError::Gone) => {}
                Err(e) => self.report.warnings.push(format!("process group {g}: {e}")),
            }
        }
        if matches!(signal, Signal::Stop | Signal::Kill) {
            for i in before..self.live.len() {
                if self.live[i].outcome.is_none() {
                    self.signal_one(i, signal);
                }
            }
        }
    }

    fn mark_exited(&mut self, timeout: Duration, as_: Outcome, cancel: &AtomicBool) {
        let pending: Vec<usize> = (0..self.live.len()).filter(|&i| self.live[i].outcome.is_none()).collect();
        if pending.is_empty() {
            return;
        }
        let handles: Vec<&C::Handle> = pending.iter().map(|&i| &self.live[i].handle).collect();
        let exited = self.control.wait(&handles, timeout, cancel);
        for (&i, gone) in pending.iter().zip(exited) {
            if gone {
                self.live[i].outcome = Some(as_.clone());
                self.live[i].stopped_by_us = false;
            }
        }
    }

    /// Continues what this run stopped (the Drop does it) and reports the rest as abandoned.
    fn abandon(mut self, plan: &KillPlan, progress: &mut dyn FnMut(Progress)) -> KillReport {
        self.continue_stopped();
        self.progress(progress, Phase::Done);
        self.report.cancelled = true;
        for l in self.live.iter_mut().filter(|l| l.outcome.is_none()) {
            l.outcome = Some(Outcome::Abandoned);
        }
        self.finish(plan)
    }

    fn finish(mut self, plan: &KillPlan) -> KillReport {
        self.continue_stopped();
        let live = std::mem::take(&mut self.live);
        for l in live {
            self.report.outcomes.push((l.entry, l.outcome.unwrap_or(Outcome::Survived)));
        }
        for s in &plan.skipped {
            self.report.outcomes.push((s.entry.clone(), Outcome::Skipped(s.reason.clone())));
        }
        let operation = self.report.operation;
        std::mem::replace(&mut self.report, KillReport::new(operation))
    }
}

fn outcome_of(e: ControlError) -> Outcome {
    match e {
        ControlError::Gone => Outcome::AlreadyGone,
        ControlError::Denied => Outcome::PermissionDenied,
        ControlError::Other(msg) => Outcome::Failed(msg),
    }
}

#[path = "exec_kill.rs"]
mod kill;
#[path = "exec_ops.rs"]
mod ops;

#[cfg(test)]
#[path = "exec_fake_tests.rs"]
mod fake;
#[cfg(test)]
#[path = "exec_ops_tests.rs"]
mod ops_tests;
#[cfg(test)]
#[path = "exec_tests.rs"]
mod tests;
