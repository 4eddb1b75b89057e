//! The kill running on a thread of its own (signals and pidfd waits block), and the
//! guarantee that it is cancelled and waited for before the UI goes.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::mpsc::UnboundedSender;

use super::OpenResample;
use crate::kill::exec::{ActionOptions, KillReport, Outcome, Progress, execute};
use crate::kill::pidfd::PidfdControl;
use crate::tui::action::{Action, KillRequest};

/// Carries out one confirmed kill on the calling thread (the kill thread).
pub trait KillRunner: Send + Sync {
    /// Runs `request` to the end, or until `cancel` is set; a cancelled kill continues
    /// every process it stopped before it returns.
    fn run(
        &self,
        request: &KillRequest,
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(Progress),
    ) -> KillReport;
}

/// The real kill: pidfds, with a sampler of its own that re-samples the box while it runs.
pub struct PidfdRunner {
    pub open_resample: OpenResample,
}

impl KillRunner for PidfdRunner {
    fn run(
        &self,
        request: &KillRequest,
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(Progress),
    ) -> KillReport {
        // Opened here, on the kill thread: its warm-up sample is not the UI's wait.
        let resample = match (self.open_resample)() {
            Ok(r) => r,
            Err(e) => return failed(request, format!("could not open a sampler for the kill: {e}")),
        };
        let mut control = PidfdControl::new(resample);
        let options = ActionOptions { operation: request.operation, cancel };
        execute(&request.plan, &request.context, &options, &mut control, progress)
    }
}

/// Nothing was signalled: says so for every process instead of leaving the modal running.
fn failed(request: &KillRequest, why: String) -> KillReport {
    let mut report = KillReport::new(request.operation);
    let outcome = Outcome::Failed(why);
    report.outcomes = request.plan.entries.iter().map(|e| (e.clone(), outcome.clone())).collect();
    report
}

/// The kill running on its own thread, if any. Dropping it cancels that kill and waits
/// for it, so whatever ends the UI (a quit, a signal, an error, a panic) leaves nothing
/// stopped behind.
pub struct Kills {
    runner: Arc<dyn KillRunner>,
    running: Option<RunningKill>,
}

struct RunningKill {
    cancel: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

impl Drop for Kills {
    fn drop(&mut self) {
        self.cancel_and_wait();
    }
}

impl Kills {
    pub fn new(runner: Arc<dyn KillRunner>) -> Kills {
        Kills { runner, running: None }
    }

    pub fn is_running(&self) -> bool {
        self.running.as_ref().is_some_and(|k| !k.thread.is_finished())
    }

    /// Starts `request` on a kill thread that reports its progress and its report to
    /// `tx` as Actions. False, doing nothing, while another kill runs.
    pub fn start(&mut self, request: KillRequest, tx: UnboundedSender<Action>) -> bool {
        if self.running.as_ref().is_some_and(|k| k.thread.is_finished()) {
            self.cancel_and_wait();
        }
        if self.running.is_some() {
            return false;
        }
        let cancel = Arc::new(AtomicBool::new(false));
        let (thread_cancel, thread_tx, runner) = (Arc::clone(&cancel), tx.clone(), Arc::clone(&self.runner));
        let plan = request.clone();
        let spawned = std::thread::Builder::new().name("swarmtop-kill".into()).spawn(move || {
            let report = runner.run(&plan, &thread_cancel, &mut |p| {
                // The UI may have quit meanwhile; then nobody needs the progress.
                let _ = thread_tx.send(Action::KillProgress(p));
            });
            let _ = thread_tx.send(Action::KillDone(report));
        });
        match spawned {
            Ok(thread) => self.running = Some(RunningKill { cancel, thread }),
            Err(e) => {
                // The loop is still running, so the report arrives.
                let _ = tx.send(Action::KillDone(failed(
                    &request,
                    format!("could not start the kill thread: {e}"),
                )));
            }
        }
        true
    }

    /// Asks a running kill to stop and waits for it: it continues every process it
    /// stopped before it returns (within one poll slice and one sample).
    pub fn cancel_and_wait(&mut self) {
        if let Some(kill) = self.running.take() {
            kill.cancel.store(true, Ordering::SeqCst);
            if kill.thread.join().is_err() {
                // Its Drop guard continued the stopped processes while unwinding.
                crate::warn!("swarmtop: the kill thread panicked");
            }
        }
    }
}

#[cfg(test)]
#[path = "run_kills_tests.rs"]
mod tests;
