use super::*;
use crate::associate::{Options, associate};
use crate::kill::exec::Signal;
use crate::kill::plan::PlanEntry;
use crate::model::fixture::{ProcessExt, swarm_snapshot};

fn forest_with(stopped: &[u32], gone: &[u32]) -> Forest {
    let mut snap = swarm_snapshot();
    snap.processes.retain(|p| !gone.contains(&p.pid()));
    for p in &mut snap.processes {
        let state = if stopped.contains(&p.pid()) { ProcState::Stopped } else { ProcState::Sleeping };
        *p = p.clone().state(state);
    }
    associate(&snap, &Options::default())
}

fn key(pid: u32) -> ProcKey {
    // The fixture's start time is ten times the PID.
    ProcKey::new(pid, u64::from(pid) * 10).unwrap()
}

fn report(operation: Operation, outcomes: &[(u32, Outcome)]) -> KillReport {
    let mut r = KillReport::new(operation);
    r.outcomes = outcomes
        .iter()
        .map(|(pid, o)| {
            let entry = PlanEntry {
                key: key(*pid),
                name: String::new(),
                cmd: String::new(),
                cpu_percent: 0.0,
                memory_bytes: 0,
            };
            (entry, o.clone())
        })
        .collect();
    r
}

#[test]
fn only_what_it_stopped_itself_is_recorded() {
    let mut p = PausedByUs::default();
    let pause = report(
        Operation::Pause,
        &[(100, Outcome::Paused), (101, Outcome::AlreadyStopped), (102, Outcome::AlreadyGone)],
    );
    p.record(&pause, "tree:100");
    p.record(&report(Operation::Send { signal: Signal::Usr1 }, &[(103, Outcome::Delivered)]), "pid:103");
    p.record(&report(Operation::Send { signal: Signal::Tstp }, &[(110, Outcome::Delivered)]), "pid:110");
    assert_eq!(
        p.scopes(),
        [("tree:100".to_string(), vec![key(100)]), ("pid:110".to_string(), vec![key(110)])]
    );
}

#[test]
fn continued_or_exited_processes_are_forgotten_and_the_reminder_names_the_rest() {
    let mut p = PausedByUs::default();
    p.record(&report(Operation::Pause, &[(100, Outcome::Paused), (101, Outcome::Paused)]), "attempt:a/b/c");
    p.record(&report(Operation::Pause, &[(130, Outcome::Paused)]), "pid:130");
    p.update(&forest_with(&[100, 101, 130], &[]));
    assert_eq!(p.count(), 3);
    assert_eq!(
        p.reminder().unwrap(),
        "left paused (stopped) by you: attempt:a/b/c (2 processes), pid:130 (1 process); \
         `swarmtop resume attempt:a/b/c pid:130` continues them"
    );
    // 101 was continued (by anyone), 130 exited.
    p.update(&forest_with(&[100], &[130]));
    assert_eq!(p.scopes(), [("attempt:a/b/c".to_string(), vec![key(100)])]);
    // Stopped again later by someone else: not ours any more.
    p.update(&forest_with(&[], &[]));
    p.update(&forest_with(&[100], &[]));
    assert!(p.is_empty() && p.reminder().is_none());
}

#[test]
fn a_stopping_signal_that_was_handled_is_given_a_few_looks_then_forgotten() {
    let mut p = PausedByUs::default();
    p.record(&report(Operation::Send { signal: Signal::Tstp }, &[(103, Outcome::Delivered)]), "pid:103");
    for _ in 0..LOOKS_TO_STOP - 1 {
        p.update(&forest_with(&[], &[]));
        assert!(!p.is_empty());
        assert_eq!(p.count(), 0, "not stopped: not counted");
    }
    p.update(&forest_with(&[], &[]));
    assert!(p.is_empty());
}
