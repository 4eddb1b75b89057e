use std::collections::HashMap;

use super::*;
use crate::kill::plan::Skipped;

#[derive(Default, Clone)]
struct FakeProc {
    start: u64,
    parent: u32,
    alive: bool,
    ignores_term: bool,
    unkillable: bool,
    denied: bool,
}

#[derive(Default)]
struct Fake {
    procs: HashMap<u32, FakeProc>,
    log: Vec<(u32, Signal)>,
}

impl Fake {
    fn add(&mut self, pid: u32, parent: u32, f: impl FnOnce(&mut FakeProc)) {
        let mut p = FakeProc { start: u64::from(pid) * 10, parent, alive: true, ..FakeProc::default() };
        f(&mut p);
        self.procs.insert(pid, p);
    }

    fn signals_to(&self, pid: u32) -> Vec<Signal> {
        self.log.iter().filter(|(p, _)| *p == pid).map(|(_, s)| *s).collect()
    }
}

impl ProcessControl for Fake {
    type Handle = ProcKey;

    fn open(&mut self, key: ProcKey) -> Result<ProcKey, ControlError> {
        match self.procs.get(&key.pid()) {
            Some(p) if p.alive && p.start == key.start_time() => Ok(key),
            _ => Err(ControlError::Gone),
        }
    }

    fn signal(&mut self, key: &ProcKey, signal: Signal) -> Result<(), ControlError> {
        let p = self.procs.get_mut(&key.pid()).ok_or(ControlError::Gone)?;
        if !p.alive || p.start != key.start_time() {
            return Err(ControlError::Gone);
        }
        if p.denied {
            return Err(ControlError::Denied);
        }
        self.log.push((key.pid(), signal));
        match signal {
            Signal::Term | Signal::Int if !p.ignores_term => p.alive = false,
            Signal::Kill if !p.unkillable => p.alive = false,
            _ => {}
        }
        Ok(())
    }

    fn wait(&mut self, handles: &[&ProcKey], _timeout: Duration) -> Vec<bool> {
        handles.iter().map(|k| !self.procs[&k.pid()].alive).collect()
    }

    fn children_of(&mut self, parents: &HashSet<u32>) -> Vec<(ProcKey, String)> {
        let mut v: Vec<(ProcKey, String)> = self
            .procs
            .iter()
            .filter(|(_, p)| p.alive && parents.contains(&p.parent))
            .filter_map(|(&pid, p)| Some((ProcKey::new(pid, p.start)?, format!("child-{pid}"))))
            .collect();
        v.sort_by_key(|(k, _)| *k);
        v
    }
}

fn entry(pid: u32) -> PlanEntry {
    PlanEntry {
        key: ProcKey::new(pid, u64::from(pid) * 10).unwrap(),
        name: format!("p{pid}"),
        cmd: format!("p{pid}"),
        cpu_percent: 0.0,
        memory_bytes: 0,
    }
}

fn plan_of(pids: &[u32]) -> KillPlan {
    KillPlan {
        scope: vec!["test".into()],
        entries: pids.iter().map(|&p| entry(p)).collect(),
        skipped: Vec::new(),
    }
}

fn run(fake: &mut Fake, plan: &KillPlan, sig: Sig) -> KillReport {
    let mut phases = Vec::new();
    let report = execute(plan, sig, Duration::from_millis(10), fake, &mut |p| phases.push(p.phase));
    assert_eq!(phases.last(), Some(&Phase::Done));
    report
}

fn outcome(report: &KillReport, pid: u32) -> Outcome {
    report.outcomes.iter().find(|(e, _)| e.key.pid() == pid).map(|(_, o)| o.clone()).unwrap()
}

#[test]
fn the_whole_set_is_stopped_before_any_is_signalled() {
    let mut fake = Fake::default();
    fake.add(10, 1, |_| {});
    fake.add(11, 10, |_| {});
    let report = run(&mut fake, &plan_of(&[10, 11]), Sig::Term);
    let first_term = fake.log.iter().position(|(_, s)| *s == Signal::Term).unwrap();
    let last_stop = fake.log.iter().rposition(|(_, s)| *s == Signal::Stop).unwrap();
    assert!(last_stop < first_term, "{:?}", fake.log);
    assert_eq!(fake.signals_to(10), [Signal::Stop, Signal::Term]);
    assert_eq!((outcome(&report, 10), outcome(&report, 11)), (Outcome::Exited, Outcome::Exited));
    assert_eq!(report.exit_code(), 0);
}

#[test]
fn a_term_ignoring_process_needs_and_gets_sigkill() {
    let mut fake = Fake::default();
    fake.add(10, 1, |p| p.ignores_term = true);
    let report = run(&mut fake, &plan_of(&[10]), Sig::Term);
    assert_eq!(fake.signals_to(10), [Signal::Stop, Signal::Term, Signal::Cont, Signal::Kill]);
    assert_eq!(outcome(&report, 10), Outcome::Killed);
    assert_eq!(report.exit_code(), 0);
}

#[test]
fn a_reused_pid_is_never_signalled() {
    let mut fake = Fake::default();
    fake.add(10, 1, |p| p.start = 999_999); // same PID, another process
    let report = run(&mut fake, &plan_of(&[10]), Sig::Kill);
    assert!(fake.log.is_empty(), "{:?}", fake.log);
    assert_eq!(outcome(&report, 10), Outcome::AlreadyGone);
}

#[test]
fn identity_is_checked_again_at_every_signal() {
    struct Reusing(Fake);
    impl ProcessControl for Reusing {
        type Handle = ProcKey;
        fn open(&mut self, key: ProcKey) -> Result<ProcKey, ControlError> {
            let h = self.0.open(key)?;
            // The process exits and its PID is reused right after the handle opened.
            if let Some(p) = self.0.procs.get_mut(&key.pid()) {
                p.start += 1;
            }
            Ok(h)
        }
        fn signal(&mut self, h: &ProcKey, s: Signal) -> Result<(), ControlError> {
            self.0.signal(h, s)
        }
        fn wait(&mut self, h: &[&ProcKey], t: Duration) -> Vec<bool> {
            self.0.wait(h, t)
        }
        fn children_of(&mut self, p: &HashSet<u32>) -> Vec<(ProcKey, String)> {
            self.0.children_of(p)
        }
    }
    let mut fake = Fake::default();
    fake.add(10, 1, |_| {});
    let mut reusing = Reusing(fake);
    let report = execute(&plan_of(&[10]), Sig::Term, Duration::ZERO, &mut reusing, &mut |_| {});
    assert!(reusing.0.log.is_empty());
    assert_eq!(outcome(&report, 10), Outcome::AlreadyGone);
}

#[test]
fn denied_unkillable_and_skipped_are_reported_with_exit_1() {
    let mut fake = Fake::default();
    fake.add(10, 1, |p| p.denied = true);
    fake.add(11, 1, |p| {
        p.ignores_term = true;
        p.unkillable = true;
    });
    let mut plan = plan_of(&[10, 11]);
    plan.skipped.push(Skipped { entry: entry(12), reason: SkipReason::Protected("sshd".into()) });
    let report = run(&mut fake, &plan, Sig::Term);
    assert_eq!(outcome(&report, 10), Outcome::PermissionDenied);
    assert_eq!(outcome(&report, 11), Outcome::Survived);
    assert_eq!(outcome(&report, 12), Outcome::Skipped(SkipReason::Protected("sshd".into())));
    assert_eq!(report.exit_code(), 1);
}

#[test]
fn children_forked_before_the_freeze_are_stopped_and_killed_too() {
    let mut fake = Fake::default();
    fake.add(10, 1, |_| {});
    fake.add(20, 10, |p| p.ignores_term = true); // not in the plan: born after it was made
    fake.add(21, 20, |_| {});
    let report = run(&mut fake, &plan_of(&[10]), Sig::Term);
    assert_eq!(report.born_meanwhile, 2);
    assert_eq!(fake.signals_to(20)[0], Signal::Stop);
    assert_eq!(outcome(&report, 20), Outcome::Killed);
    assert_eq!(outcome(&report, 21), Outcome::Exited);
    assert!(fake.procs.values().all(|p| !p.alive || p.parent == 0));
}

#[test]
fn an_already_exited_process_is_already_gone_and_succeeds() {
    let mut fake = Fake::default();
    fake.add(10, 1, |p| p.alive = false);
    let report = run(&mut fake, &plan_of(&[10]), Sig::Term);
    assert_eq!(outcome(&report, 10), Outcome::AlreadyGone);
    assert_eq!(report.exit_code(), 0);
}
