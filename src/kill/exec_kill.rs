//! The kill: freeze, signal, grace, SIGKILL, and looks until nothing of the scope is
//! left (the sequence the module documentation of `exec` describes); the looks serve the
//! pause too.

use super::*;

impl<C: ProcessControl> Run<'_, C> {
    pub(super) fn kill(
        mut self,
        plan: &KillPlan,
        ctx: &PlanContext,
        signal: Signal,
        grace: Duration,
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(Progress),
    ) -> KillReport {
        let cancelled = || cancel.load(Ordering::SeqCst);

        // 1. Freeze the set and every newborn descendant, until no new one appears.
        self.progress(progress, Phase::Stopping);
        self.send_all(Signal::Stop);
        let mut scope = self.freeze(plan, ctx, cancel).unwrap_or_default();
        if cancelled() {
            return self.abandon(plan, progress);
        }

        // 2. The requested signal, then let them run so they can act on it.
        self.progress(progress, Phase::Signalling);
        self.send_all(signal);
        self.signal_groups(&scope, signal);
        // Also those stopped before the kill: they have to run to act on the signal.
        self.continue_all();

        // 3. Grace period (short for SIGKILL, which cannot be caught).
        let (wait_for, exited_as) =
            if signal == Signal::Kill { (KILL_WAIT, Outcome::Killed) } else { (grace, Outcome::Exited) };
        self.progress(progress, Phase::Waiting);
        self.mark_exited(wait_for, exited_as, cancel);
        if cancelled() {
            return self.abandon(plan, progress);
        }

        // 4. Newborns of the grace, and survivors: SIGKILL.
        if let Some(fresh) = self.rescope(plan, ctx) {
            self.adopt_descendants(&fresh);
            scope = fresh;
        }
        self.progress(progress, Phase::Escalating);
        self.send_all(Signal::Kill);
        self.signal_groups(&scope, Signal::Kill);
        self.mark_exited(KILL_WAIT, Outcome::Killed, cancel);

        // 5. What is still in the scope: newborns are frozen and killed too, anything else
        // reported. QUIET_LOOKS empty looks in a row end it; the last look only reports.
        self.progress(progress, Phase::Verifying);
        let finished = self.look_until_quiet(plan, ctx, cancel, &mut |run, frozen| {
            run.send_all(Signal::Kill);
            run.signal_groups(&frozen, Signal::Kill);
            run.mark_exited(KILL_WAIT, Outcome::Killed, cancel);
        });
        if !finished {
            return self.abandon(plan, progress);
        }
        self.progress(progress, Phase::Done);
        self.finish(plan)
    }

    /// Samples the box until QUIET_LOOKS looks in a row find no newborn of the scope
    /// still there (at most VERIFY_PASSES): each look settles what it found — newborns
    /// opened and stopped, anything else reported; the last look only reports — and
    /// after a look that found some, the set is frozen again and `act` gets that scope.
    /// False when cancelled before a look.
    pub(super) fn look_until_quiet(
        &mut self,
        plan: &KillPlan,
        ctx: &PlanContext,
        cancel: &AtomicBool,
        act: &mut dyn FnMut(&mut Self, Rescope),
    ) -> bool {
        let mut quiet = 0;
        for pass in 0..VERIFY_PASSES {
            if cancel.load(Ordering::SeqCst) {
                return false;
            }
            let Some(fresh) = self.rescope(plan, ctx) else { break };
            let last = pass + 1 == VERIFY_PASSES;
            if self.settle(&fresh, !last) == 0 {
                quiet += 1;
                if quiet == QUIET_LOOKS {
                    break;
                }
                continue;
            }
            quiet = 0;
            let frozen = self.freeze(plan, ctx, cancel).unwrap_or(fresh);
            act(self, frozen);
        }
        true
    }
}
