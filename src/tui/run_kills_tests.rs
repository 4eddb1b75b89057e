use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::*;
use crate::kill::exec::{Operation, Sig};
use crate::kill::plan::{KillPlan, PlanContext};

/// Waits until cancelled (at most `limit`), then takes `resume` to "continue" what it
/// stopped, as the real kill does, and records each step.
struct SlowKill {
    resume: Duration,
    limit: Duration,
    log: Mutex<Vec<&'static str>>,
}

impl KillRunner for SlowKill {
    fn run(&self, request: &KillRequest, cancel: &AtomicBool, _: &mut dyn FnMut(Progress)) -> KillReport {
        self.log.lock().unwrap().push("started");
        let deadline = Instant::now() + self.limit;
        while !cancel.load(Ordering::SeqCst) && Instant::now() < deadline {
            std::thread::park_timeout(Duration::from_millis(5));
        }
        let cancelled = cancel.load(Ordering::SeqCst);
        std::thread::sleep(self.resume);
        self.log.lock().unwrap().push(if cancelled { "continued after cancel" } else { "ran out" });
        KillReport::new(request.operation)
    }
}

fn request() -> KillRequest {
    KillRequest {
        plan: KillPlan::default(),
        context: PlanContext::default(),
        operation: Operation::Kill { signal: Sig::Term, grace_secs: 5 },
    }
}

fn slow() -> Arc<SlowKill> {
    Arc::new(SlowKill {
        resume: Duration::from_millis(200),
        limit: Duration::from_secs(20),
        log: Mutex::default(),
    })
}

#[test]
fn dropping_kills_cancels_the_running_kill_and_waits_for_it() {
    let runner = slow();
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let mut kills = Kills::new(runner.clone());
    assert!(kills.start(request(), tx.clone()));
    let deadline = Instant::now() + Duration::from_secs(10);
    while runner.log.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "the kill thread never started");
        std::thread::yield_now();
    }
    assert!(kills.is_running());
    assert!(!kills.start(request(), tx), "one kill at a time");
    drop(kills);
    assert_eq!(*runner.log.lock().unwrap(), ["started", "continued after cancel"]);
}

#[test]
fn a_finished_kill_makes_room_for_the_next() {
    let runner = Arc::new(SlowKill { resume: Duration::ZERO, limit: Duration::ZERO, log: Mutex::default() });
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut kills = Kills::new(runner.clone());
    assert!(kills.start(request(), tx.clone()));
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match rx.try_recv() {
            Ok(Action::KillDone(_)) => break,
            Ok(_) => {}
            Err(_) => {
                assert!(Instant::now() < deadline, "no report");
                std::thread::yield_now();
            }
        }
    }
    while kills.is_running() {
        assert!(Instant::now() < deadline, "the thread did not end");
        std::thread::yield_now();
    }
    assert!(kills.start(request(), tx));
    drop(kills);
    assert_eq!(*runner.log.lock().unwrap(), ["started", "ran out", "started", "continued after cancel"]);
}
