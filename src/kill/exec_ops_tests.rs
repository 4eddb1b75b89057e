//! Pause, resume, one signal and renice against the fake box (`exec_fake_tests`), with
//! sentinels where a wrong action would land.

use super::fake::*;
use super::tests::{attempt_id, ctx, outcome, signalled, world};
use super::*;
use crate::kill::plan::{SkipReason, plan};
use crate::model::NodeId;
use crate::model::fixture::{ProcessExt, process};

/// Plans `op` over `targets` as the CLI and the TUI do (plan, then the operation's
/// refinement), and executes it.
fn act(fake: &mut Fake, targets: &[NodeId], op: Operation) -> (KillPlan, KillReport) {
    let p = plan_op(fake, targets, op);
    let report = run_op(fake, &p, op);
    (p, report)
}

/// The plan of `act`, for a test that changes the box before it is carried out.
fn plan_op(fake: &Fake, targets: &[NodeId], op: Operation) -> KillPlan {
    let forest = fake.world.forest();
    op.refine(plan(targets, &forest, &ctx()).unwrap(), &forest)
}

/// The execution of `act`.
fn run_op(fake: &mut Fake, p: &KillPlan, op: Operation) -> KillReport {
    let cancel = std::sync::Arc::clone(&fake.cancel);
    let options = ActionOptions { operation: op, cancel: &cancel };
    execute(p, &ctx(), &options, fake, &mut |_| {})
}

/// A sibling attempt's process and an unassigned one: nothing may ever reach them.
fn sentinels(w: &mut World) {
    w.add(process(30, 1, "sentinel-b").cwd(WT_B), |_| {});
    w.add(process(31, 1, "sentinel-home").cwd("/home/dev"), |_| {});
}

fn assert_sentinels_untouched(w: &World) {
    assert!(w.signals_to(30).is_empty() && w.signals_to(31).is_empty(), "{:?}", w.log);
    assert!(w.renices.iter().all(|(pid, _)| *pid != 30 && *pid != 31), "{:?}", w.renices);
    assert!(w.group_log.iter().all(|(g, _)| *g != 30 && *g != 31), "{:?}", w.group_log);
}

#[test]
fn a_pause_stops_the_set_and_what_it_forks_meanwhile_and_leaves_them_stopped() {
    let mut w = world();
    w.add(process(10, 1, "agent").cwd(WT_A), |_| {});
    w.add(process(11, 10, "tool").cwd(WT_A), |_| {});
    sentinels(&mut w);
    let mut fake = Fake::new(w);
    let mut forked = false;
    // The agent forks just as the SIGSTOP lands: the child is in the next sample.
    fake.on_sample = Some(Box::new(move |w: &mut World| {
        if !forked {
            forked = true;
            w.spawn(process(20, 10, "child").cwd("/tmp"));
        }
    }));
    let target = attempt_id(&fake.world.forest(), WT_A);
    let (_, report) = act(&mut fake, &[target], Operation::Pause);
    for pid in [10, 11, 20] {
        assert!(fake.world.procs[&pid].stopped, "{pid} is stopped");
        assert_eq!(outcome(&report, pid), Outcome::Paused);
    }
    assert!(report.born.contains(&fake.world.procs[&20].process.key));
    assert!(!fake.world.log.iter().any(|(_, s)| *s != Signal::Stop), "only SIGSTOP: {:?}", fake.world.log);
    assert_sentinels_untouched(&fake.world);
    assert_eq!(report.exit_code(), 0, "{report:?}");
}

#[test]
fn a_pause_leaves_what_was_stopped_before_as_it_was_and_a_debuggers_process_alone() {
    let mut w = world();
    w.add(process(10, 1, "agent").cwd(WT_A), |_| {});
    w.add(process(11, 10, "stopped-by-someone").cwd(WT_A), |p| p.stopped = true);
    w.add(process(12, 10, "under-gdb").cwd(WT_A), |p| p.traced = true);
    let mut fake = Fake::new(w);
    let (p, report) = act(&mut fake, &[NodeId::Tree(10)], Operation::Pause);
    assert_eq!(
        p.skipped.iter().map(|s| (s.entry.key.pid(), s.reason.clone())).collect::<Vec<_>>(),
        [(12, SkipReason::Traced)]
    );
    assert_eq!(outcome(&report, 11), Outcome::AlreadyStopped);
    assert!(fake.world.signals_to(12).is_empty(), "{:?}", fake.world.log);
    assert_eq!(report.exit_code(), 0, "{report:?}");
}

#[test]
fn a_process_a_debugger_stops_after_the_plan_gets_no_sigstop_through_its_group() {
    let mut w = world();
    w.add(process(10, 1, "agent").cwd(WT_A).session_leader(), |_| {});
    w.add(process(12, 10, "under-gdb-soon").cwd(WT_A), |_| {});
    sentinels(&mut w);
    let mut fake = Fake::new(w);
    let p = plan_op(&fake, &[attempt_id(&fake.world.forest(), WT_A)], Operation::Pause);
    if let Some(gdb) = fake.world.procs.get_mut(&12) {
        gdb.traced = true;
    }
    let report = run_op(&mut fake, &p, Operation::Pause);
    assert_eq!(outcome(&report, 12), Outcome::Skipped(SkipReason::Traced));
    assert!(fake.world.signals_to(12).is_empty(), "{:?}", fake.world.log);
    assert_eq!(outcome(&report, 10), Outcome::Paused);
    assert_sentinels_untouched(&fake.world);
}

#[test]
fn a_cancelled_pause_continues_what_it_stopped_and_only_that() {
    let mut w = world();
    w.add(process(10, 1, "agent").cwd(WT_A), |_| {});
    w.add(process(11, 10, "already-stopped").cwd(WT_A), |p| p.stopped = true);
    let mut fake = Fake::new(w);
    fake.cancel_on_sample = Some(1);
    let target = attempt_id(&fake.world.forest(), WT_A);
    let (_, report) = act(&mut fake, &[target], Operation::Pause);
    assert!(report.cancelled);
    assert_eq!(report.exit_code(), 1);
    assert!(!fake.world.procs[&10].stopped, "what the pause stopped runs again");
    assert!(fake.world.procs[&11].stopped, "what was stopped before stays stopped");
    assert!(!fake.world.signals_to(11).contains(&Signal::Cont), "never continued by the pause");
}

#[test]
fn a_panic_mid_pause_continues_what_it_stopped() {
    let mut w = world();
    w.add(process(10, 1, "agent").cwd(WT_A), |_| {});
    let mut fake = Fake::new(w);
    fake.panic_on_sample = Some(1);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        act(&mut fake, &[NodeId::Tree(10)], Operation::Pause)
    }));
    assert!(result.is_err());
    assert_eq!(fake.world.signals_to(10), [Signal::Stop, Signal::Cont]);
    assert!(!fake.world.procs[&10].stopped);
}

#[test]
fn a_pid_hopper_does_not_escape_a_pause() {
    let mut w = world();
    w.add(process(60, 1, "hopper").cwd(WT_A).session_leader(), |_| {});
    sentinels(&mut w);
    let mut fake = Fake::new(w);
    let p = plan_op(&fake, &[attempt_id(&fake.world.forest(), WT_A)], Operation::Pause);
    // Between the plan and the first SIGSTOP it hops: a child in its group, the parent gone.
    let mut child = process(62, 60, "hopper").cwd(WT_A);
    child.pgid = 60;
    child.sid = 60;
    fake.world.spawn(child);
    fake.world.die(60);
    let report = run_op(&mut fake, &p, Operation::Pause);
    assert!(fake.world.procs[&62].stopped, "{report:?}");
    assert_eq!(outcome(&report, 62), Outcome::Paused);
    assert_eq!(outcome(&report, 60), Outcome::AlreadyGone);
    assert!(report.groups.contains(&60), "stopped through its group too: {report:?}");
    assert_sentinels_untouched(&fake.world);
}

/// A hopper born after the plan (its parent gone, so the freeze does not take it) forks
/// just as the pause's group SIGSTOP arrives: the child is stopped by that signal, and is
/// found stopped when it is opened. It was this pause that stopped it.
fn hop_at_the_group_stop(cancel_on_sample: Option<usize>) -> (Fake, KillReport) {
    let mut w = world();
    w.add(process(10, 1, "agent").cwd(WT_A).session_leader(), |_| {});
    sentinels(&mut w);
    let mut fake = Fake::new(w);
    let p = plan_op(&fake, &[attempt_id(&fake.world.forest(), WT_A)], Operation::Pause);
    let mut hopper = process(62, 1, "hopper").cwd(WT_A);
    (hopper.pgid, hopper.sid) = (62, 62);
    fake.world.spawn(hopper);
    if let Some(h) = fake.world.procs.get_mut(&62) {
        h.hops_at_group_signal = true;
    }
    fake.cancel_on_sample = cancel_on_sample;
    let report = run_op(&mut fake, &p, Operation::Pause);
    (fake, report)
}

#[test]
fn a_hoppers_child_stopped_by_the_pauses_group_signal_is_paused_by_it() {
    let (fake, report) = hop_at_the_group_stop(None);
    // Its parent exited at the hop, so it is PID 1's now: the one after 62.
    let child = fake.world.procs.values().find(|p| p.process.pid() > 62).expect("the hop");
    let pid = child.process.pid();
    assert!(child.alive && child.stopped, "{report:?}");
    assert_eq!(outcome(&report, pid), Outcome::Paused, "{report:?}");
    assert_sentinels_untouched(&fake.world);
}

#[test]
fn a_cancelled_pause_continues_a_hoppers_child_its_group_signal_stopped() {
    // Cancelled at the first look after the group SIGSTOP, once the child is opened.
    for at in 2..6 {
        let (fake, report) = hop_at_the_group_stop(Some(at));
        assert!(report.cancelled, "{report:?}");
        let stopped: Vec<u32> =
            fake.world.procs.values().filter(|p| p.alive && p.stopped).map(|p| p.process.pid()).collect();
        assert!(stopped.is_empty(), "cancelled at sample {at}: left stopped {stopped:?}: {report:?}");
        assert_sentinels_untouched(&fake.world);
    }
}

#[test]
fn resume_continues_exactly_the_stopped_processes_of_the_scope() {
    let mut w = world();
    w.add(process(10, 1, "paused-agent").cwd(WT_A), |p| p.stopped = true);
    w.add(process(11, 10, "running-tool").cwd(WT_A), |_| {});
    w.add(process(12, 10, "under-gdb").cwd(WT_A), |p| p.traced = true);
    w.add(process(13, 10, "resumed-meanwhile").cwd(WT_A), |p| p.stopped = true);
    w.add(process(30, 1, "stopped-in-b").cwd(WT_B), |p| p.stopped = true);
    let mut fake = Fake::new(w);
    let p = plan_op(&fake, &[attempt_id(&fake.world.forest(), WT_A)], Operation::Resume);
    assert_eq!(p.entries.iter().map(|e| e.key.pid()).collect::<Vec<_>>(), [10, 13]);
    // Someone continues 13 between the plan and the resume.
    fake.world.procs.get_mut(&13).unwrap().stopped = false;
    let report = run_op(&mut fake, &p, Operation::Resume);
    assert_eq!(fake.world.log, [(10, Signal::Cont)]);
    assert_eq!(outcome(&report, 10), Outcome::Resumed);
    assert_eq!(outcome(&report, 13), Outcome::NotStopped);
    assert_eq!(outcome(&report, 11), Outcome::Skipped(SkipReason::NotStopped));
    assert_eq!(outcome(&report, 12), Outcome::Skipped(SkipReason::Traced));
    assert!(fake.world.procs[&30].stopped && fake.world.procs[&12].traced);
    assert_eq!(report.exit_code(), 0, "{report:?}");
}

#[test]
fn one_signal_goes_once_to_each_planned_process_and_to_nothing_born_meanwhile() {
    let mut w = world();
    w.add(process(10, 1, "agent").cwd(WT_A), |_| {});
    w.add(process(11, 10, "tool").cwd(WT_A), |_| {});
    sentinels(&mut w);
    let mut fake = Fake::new(w);
    let target = attempt_id(&fake.world.forest(), WT_A);
    let forest = fake.world.forest();
    let p = plan(&[target], &forest, &ctx()).unwrap();
    fake.world.spawn(process(20, 10, "born-after").cwd(WT_A));
    let op = Operation::send(Signal::Usr1);
    let cancel = AtomicBool::new(false);
    let report =
        execute(&p, &ctx(), &ActionOptions { operation: op, cancel: &cancel }, &mut fake, &mut |_| {});
    assert_eq!(fake.world.log, [(10, Signal::Usr1), (11, Signal::Usr1)]);
    assert!(fake.world.group_log.is_empty());
    assert_eq!((outcome(&report, 10), outcome(&report, 11)), (Outcome::Delivered, Outcome::Delivered));
    assert_eq!(report.outcomes.len(), 2, "the newborn is not in the report: {report:?}");
    assert_eq!(fake.world.samples, 0, "no freeze, no looks");
    assert_sentinels_untouched(&fake.world);
}

#[test]
fn one_signal_to_a_reused_pid_is_never_sent() {
    let mut w = world();
    w.add(process(10, 1, "agent").cwd(WT_A), |_| {});
    let mut fake = Fake::new(w);
    let p = plan(&[NodeId::Pid(10)], &fake.world.forest(), &ctx()).unwrap();
    fake.world.die(10);
    fake.world.spawn(process(10, 1, "stranger").cwd(WT_A));
    let cancel = AtomicBool::new(false);
    let options = ActionOptions { operation: Operation::send(Signal::Hup), cancel: &cancel };
    let report = execute(&p, &ctx(), &options, &mut fake, &mut |_| {});
    assert!(signalled(&fake.world).is_empty());
    assert_eq!(outcome(&report, 10), Outcome::AlreadyGone);
}

#[test]
fn renice_sets_each_planned_process_signals_nothing_and_reports_what_was_denied() {
    let mut w = world();
    w.add(process(10, 1, "agent").cwd(WT_A), |_| {});
    w.add(process(11, 10, "already-nicer").cwd(WT_A), |p| p.nice = 5);
    sentinels(&mut w);
    let mut fake = Fake::new(w);
    let (_, report) = act(&mut fake, &[NodeId::Tree(10)], Operation::Renice { nice: 3 });
    assert_eq!(fake.world.renices, [(10, 3)]);
    assert_eq!(outcome(&report, 10), Outcome::Reniced(3));
    assert_eq!(outcome(&report, 11), Outcome::PermissionDenied, "lowering needs privilege");
    assert!(fake.world.log.is_empty(), "renice sends no signal: {:?}", fake.world.log);
    assert_sentinels_untouched(&fake.world);
    assert_eq!(report.exit_code(), 1);
}
