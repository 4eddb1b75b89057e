//! The actions besides the kill: one signal, resume and renice act once on each planned
//! process that is still the planned one; the pause freezes like a kill and then lets
//! go of what it stopped, leaving it stopped.

use super::*;
use crate::kill::plan::SkipReason;

impl<C: ProcessControl> Run<'_, C> {
    /// `signal` once to each opened process, which then counts as `done`. SIGCONT goes
    /// only to a process stopped (`T`) when it was opened: never to a running one or to
    /// one a debugger stopped (`t`).
    pub(super) fn once(
        mut self,
        plan: &KillPlan,
        signal: Signal,
        done: Outcome,
        progress: &mut dyn FnMut(Progress),
    ) -> KillReport {
        self.progress(progress, Phase::Signalling);
        for l in self.live.iter_mut() {
            if signal == Signal::Cont && (!l.was_stopped || l.traced) {
                l.outcome = Some(Outcome::NotStopped);
                continue;
            }
            l.outcome = Some(match self.control.signal(&l.handle, signal) {
                Ok(()) => done.clone(),
                Err(e) => outcome_of(e),
            });
        }
        self.progress(progress, Phase::Done);
        self.finish(plan)
    }

    /// SIGSTOP to the set and to every newborn of the scope, as a kill freezes, and to
    /// the scope's safe process groups (a group signal reaches a member forked a moment
    /// ago: a PID hopper cannot escape); then looks until QUIET_LOOKS in a row find no
    /// newborn, stopping each one found. What it stopped stays stopped; a pause that is
    /// cancelled or unwinds continues it instead.
    pub(super) fn pause(
        mut self,
        plan: &KillPlan,
        ctx: &PlanContext,
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(Progress),
    ) -> KillReport {
        let cancelled = || cancel.load(Ordering::SeqCst);
        self.progress(progress, Phase::Stopping);
        for l in self.live.iter_mut().filter(|l| l.traced) {
            l.outcome = Some(Outcome::Skipped(SkipReason::Traced));
        }
        self.send_all(Signal::Stop);
        let frozen = self.freeze(plan, ctx, cancel);
        if cancelled() {
            return self.abandon(plan, progress);
        }
        self.stop_groups(frozen.as_ref());
        self.progress(progress, Phase::Verifying);
        let finished = self.look_until_quiet(plan, ctx, cancel, &mut |run, frozen| {
            run.stop_groups(Some(&frozen));
        });
        if !finished || cancelled() {
            return self.abandon(plan, progress);
        }
        // Done: let go of what this pause stopped, so that nothing continues it.
        for l in self.live.iter_mut() {
            if l.outcome.is_none() {
                l.outcome = Some(if l.was_stopped { Outcome::AlreadyStopped } else { Outcome::Paused });
            }
            l.stopped_by_us = false;
        }
        self.progress(progress, Phase::Done);
        self.finish(plan)
    }

    /// SIGSTOP to the scope's safe groups, then to each member again through its pidfd:
    /// the group signal catches what was forked a moment ago (opened first by
    /// `signal_groups`), the pidfd signal records that this run stopped it.
    fn stop_groups(&mut self, scope: Option<&Rescope>) {
        if let Some(scope) = scope {
            self.signal_groups(scope, Signal::Stop);
            self.send_all(Signal::Stop);
        }
    }

    /// Sets the nice value of every thread of each opened process, read back.
    pub(super) fn renice(
        mut self,
        plan: &KillPlan,
        nice: i32,
        progress: &mut dyn FnMut(Progress),
    ) -> KillReport {
        self.progress(progress, Phase::Signalling);
        for l in self.live.iter_mut() {
            l.outcome = Some(match self.control.renice(&l.handle, nice) {
                Ok(done) => {
                    if !done.vanished_threads.is_empty() {
                        self.report.warnings.push(format!(
                            "pid {}: thread{} {:?} exited while being reniced (had its id been reused at \
                             once, another process's thread may have been reniced)",
                            l.entry.key.pid(),
                            if done.vanished_threads.len() == 1 { "" } else { "s" },
                            done.vanished_threads
                        ));
                    }
                    Outcome::Reniced(done.nice)
                }
                Err(e) => outcome_of(e),
            });
        }
        self.progress(progress, Phase::Done);
        self.finish(plan)
    }
}
