//! The executor against a fake box (`exec_fake_tests`).

use super::fake::*;
use super::*;
use crate::kill::plan::{SkipReason, plan};
use crate::model::fixture::{ProcessExt, linked_worktree, main_worktree, process};
use crate::model::{Forest, NodeId};

/// Two linked worktrees of /src/alpha (attempts a and b) and its main checkout.
pub(super) fn world() -> World {
    let mut w = World {
        worktrees: vec![
            main_worktree("/src/alpha", "main"),
            linked_worktree(WT_A, "/src/alpha", "feat-a"),
            linked_worktree(WT_B, "/src/alpha", "feat-b"),
        ],
        ..World::default()
    };
    w.add(process(1, 0, "/sbin/init").cwd("/").session_leader(), |_| {});
    w
}

pub(super) fn ctx() -> PlanContext {
    PlanContext { self_ancestry: vec![9999], uid: 1000, protect: Vec::new() }
}

pub(super) fn attempt_id(forest: &Forest, path: &str) -> NodeId {
    let a = forest.attempts().find(|(_, _, a)| a.path.to_str() == Some(path)).map(|(_, _, a)| a.id.clone());
    a.unwrap_or_else(|| panic!("no attempt at {path}")).into()
}

fn run_with(fake: &mut Fake, targets: &[NodeId], c: &PlanContext, sig: Sig) -> (KillPlan, KillReport) {
    let p = plan(targets, &fake.world.forest(), c).unwrap();
    let cancel = std::sync::Arc::clone(&fake.cancel);
    let options =
        ActionOptions { operation: Operation::Kill { signal: sig, grace_secs: 0 }, cancel: &cancel };
    let mut phases = Vec::new();
    let report = execute(&p, c, &options, fake, &mut |p| phases.push(p.phase));
    assert_eq!(phases.last(), Some(&Phase::Done));
    (p, report)
}

fn run(fake: &mut Fake, target: NodeId) -> (KillPlan, KillReport) {
    run_with(fake, &[target], &ctx(), Sig::Term)
}

pub(super) fn outcome(report: &KillReport, pid: u32) -> Outcome {
    let found = report.outcomes.iter().find(|(e, _)| e.key.pid() == pid).map(|(_, o)| o.clone());
    found.unwrap_or_else(|| panic!("no outcome for {pid}: {report:?}"))
}

pub(super) fn signalled(w: &World) -> Vec<u32> {
    let mut pids: Vec<u32> = w.log.iter().map(|(p, _)| *p).collect();
    pids.dedup();
    pids
}

#[test]
fn the_whole_set_is_stopped_before_any_is_signalled() {
    let mut w = world();
    w.add(process(10, 1, "agent").cwd(WT_A), |_| {});
    w.add(process(11, 10, "tool").cwd(WT_A), |_| {});
    let mut fake = Fake::new(w);
    let (_, report) = run(&mut fake, NodeId::Tree(10));
    let log = &fake.world.log;
    let first_term = log.iter().position(|(_, s)| *s == Signal::Term).unwrap();
    let last_stop = log.iter().rposition(|(_, s)| *s == Signal::Stop).unwrap();
    assert!(last_stop < first_term, "{log:?}");
    assert_eq!(fake.world.signals_to(10), [Signal::Stop, Signal::Term]);
    assert_eq!((outcome(&report, 10), outcome(&report, 11)), (Outcome::Exited, Outcome::Exited));
    assert_eq!(report.exit_code(), 0);
}

#[test]
fn a_term_ignoring_process_needs_and_gets_sigkill() {
    let mut w = world();
    w.add(process(10, 1, "stubborn").cwd(WT_A), |p| p.ignores_term = true);
    let mut fake = Fake::new(w);
    let (_, report) = run(&mut fake, NodeId::Pid(10));
    assert_eq!(fake.world.signals_to(10), [Signal::Stop, Signal::Term, Signal::Cont, Signal::Kill]);
    assert_eq!(outcome(&report, 10), Outcome::Killed);
    assert_eq!(report.exit_code(), 0);
}

#[test]
fn a_pid_kill_never_touches_existing_or_newborn_children() {
    let mut w = world();
    w.add(process(10, 1, "bash").cwd(WT_A), |p| {
        p.ignores_term = true;
        p.forks_on_cont = vec![process(13, 10, "sleep 1002").cwd(WT_A)];
    });
    w.add(process(11, 10, "sleep 1000").cwd(WT_A), |_| {});
    w.add(process(12, 10, "sleep 1001").cwd(WT_A), |_| {});
    let mut fake = Fake::new(w);
    let (p, report) = run(&mut fake, NodeId::Pid(10));
    assert_eq!(p.entries.len(), 1);
    assert_eq!(signalled(&fake.world), [10], "{:?}", fake.world.log);
    assert_eq!(report.born_meanwhile, 0);
    assert_eq!(report.outcomes.len(), 1, "{report:?}");
}

#[test]
fn children_forked_before_the_freeze_are_stopped_and_killed_too() {
    let mut w = world();
    w.add(process(10, 1, "agent").cwd(WT_A), |_| {});
    let mut fake = Fake::new(w);
    let forest = fake.world.forest();
    let p = plan(&[NodeId::Tree(10)], &forest, &ctx()).unwrap();
    // Born after the plan: a TERM-ignoring child with a child of its own.
    fake.world.spawn(process(20, 10, "child").cwd("/tmp"));
    fake.world.procs.get_mut(&20).unwrap().ignores_term = true;
    fake.world.spawn(process(21, 20, "grandchild").cwd("/tmp"));
    let cancel = AtomicBool::new(false);
    let options =
        ActionOptions { operation: Operation::Kill { signal: Sig::Term, grace_secs: 0 }, cancel: &cancel };
    let report = execute(&p, &ctx(), &options, &mut fake, &mut |_| {});
    assert_eq!(report.born_meanwhile, 2);
    assert_eq!(fake.world.signals_to(20)[0], Signal::Stop);
    let first_term = fake.world.log.iter().position(|(_, s)| *s == Signal::Term).unwrap();
    let stop_21 = fake.world.log.iter().position(|e| *e == (21, Signal::Stop)).unwrap();
    assert!(stop_21 < first_term, "frozen to a fixpoint before any signal: {:?}", fake.world.log);
    assert_eq!(outcome(&report, 20), Outcome::Killed);
    assert_eq!(outcome(&report, 21), Outcome::Exited);
    assert_eq!(report.exit_code(), 0);
}

#[test]
fn a_newborn_placed_in_a_sibling_attempt_is_never_adopted() {
    let mut w = world();
    w.add(process(10, 1, "bash").cwd(WT_A), |p| {
        p.ignores_term = true;
        p.forks_on_cont = vec![process(30, 10, "sentinel-b").cwd(WT_B)];
    });
    w.add(process(11, 10, "existing-in-b").cwd(WT_B), |_| {});
    let mut fake = Fake::new(w);
    let target = attempt_id(&fake.world.forest(), WT_A);
    let (p, report) = run(&mut fake, target);
    assert_eq!(p.entries.iter().map(|e| e.key.pid()).collect::<Vec<_>>(), [10]);
    assert_eq!(signalled(&fake.world), [10], "{:?}", fake.world.log);
    assert!(fake.world.procs[&11].alive && fake.world.procs[&30].alive);
    assert_eq!(report.exit_code(), 0, "{report:?}");
}

#[test]
fn protected_names_stay_unsignalled_even_when_born_meanwhile() {
    let mut w = world();
    w.add(process(10, 1, "bash").cwd(WT_A), |p| {
        p.ignores_term = true;
        p.forks_on_cont = vec![process(31, 10, "sleep 5").cwd(WT_A)];
    });
    w.add(process(11, 10, "sleep 1000").cwd(WT_A), |_| {});
    let mut fake = Fake::new(w);
    let c = PlanContext { protect: vec!["sleep".into()], ..ctx() };
    let target = attempt_id(&fake.world.forest(), WT_A);
    let (p, report) = run_with(&mut fake, &[target], &c, Sig::Term);
    assert_eq!(p.skipped.len(), 1);
    assert_eq!(signalled(&fake.world), [10], "{:?}", fake.world.log);
    assert_eq!(outcome(&report, 11), Outcome::Skipped(SkipReason::Protected("sleep".into())));
    assert_eq!(outcome(&report, 31), Outcome::Skipped(SkipReason::Protected("sleep".into())));
    assert_eq!(report.exit_code(), 1, "skipped processes survive: exit 1");
}

#[test]
fn a_reused_pid_and_its_children_are_never_signalled() {
    let mut w = world();
    w.add(process(10, 1, "tool").cwd(WT_A), |_| {});
    w.add(process(11, 10, "stubborn").cwd(WT_A), |p| p.ignores_term = true);
    let mut fake = Fake::new(w);
    // During the grace: 10 has exited; a stranger takes PID 10 and forks 40 (own
    // session, outside every worktree).
    let mut once = true;
    fake.on_wait = Some(Box::new(move |w: &mut World| {
        if once {
            once = false;
            w.spawn(process(10, 1, "stranger").cwd("/home/x").session_leader());
            w.spawn(process(40, 10, "stranger-child").cwd("/home/x").session_leader());
        }
    }));
    let (_, report) = run(&mut fake, NodeId::Tree(10));
    assert!(fake.world.signals_to(40).is_empty(), "{:?}", fake.world.log);
    let stranger: Vec<Signal> = fake.world.signals_to(10).into_iter().skip(2).collect();
    assert!(stranger.is_empty(), "the stranger with the reused PID got {stranger:?}");
    assert_eq!(outcome(&report, 11), Outcome::Killed);
    assert!(fake.world.procs[&10].alive && fake.world.procs[&40].alive);
}

#[test]
fn an_escaped_grandchild_is_found_and_killed() {
    // The child forks a TERM-ignoring grandchild in its own session, then exits.
    let mut w = world();
    w.add(process(10, 1, "agent").cwd(WT_A), |_| {});
    w.add(process(11, 10, "forker").cwd(WT_A), |p| {
        p.exits_on_cont = true;
        p.forks_on_cont = vec![process(50, 11, "escapee").cwd(WT_A).session_leader()];
    });
    let mut fake = Fake::new(w);
    let target = attempt_id(&fake.world.forest(), WT_A);
    fake.world.procs.get_mut(&11).unwrap().ignores_term = true;
    let (_, report) = run(&mut fake, target);
    let escapee = fake.world.procs.get(&50).unwrap();
    assert!(!escapee.alive, "{report:?}");
    assert!(report.born.contains(&escapee.process.key));
    assert_eq!(report.exit_code(), 0, "{report:?}");
}

#[test]
fn a_pid_hopper_dies_through_its_process_group() {
    // Every sample sees a new incarnation; its parent has always just exited.
    let mut w = world();
    w.add(process(60, 1, "hopper").cwd(WT_A).session_leader(), |_| {});
    w.add(process(61, 1, "steady").cwd(WT_A), |_| {});
    let mut fake = Fake::new(w);
    let mut next = 62;
    fake.on_sample = Some(Box::new(move |w: &mut World| {
        let current = w.procs.values().find(|p| p.alive && p.process.pgid == 60).map(|p| p.process.pid());
        if let Some(pid) = current {
            let mut child = process(next, pid, "hopper").cwd(WT_A);
            child.pgid = 60;
            child.sid = 60;
            w.spawn(child);
            w.die(pid);
            next += 1;
        }
    }));
    let target = attempt_id(&fake.world.forest(), WT_A);
    let (_, report) = run(&mut fake, target);
    assert!(fake.world.procs.values().all(|p| !p.alive || p.process.pgid != 60), "{report:?}");
    assert!(report.groups.contains(&60), "{report:?}");
}

/// A member found through its group (its parent gone, so not adopted as a descendant)
/// that leaves the group (setsid) between the sample and the group's SIGKILL is killed
/// through its own pidfd: it is not left alive and unsignalled ("survived").
#[test]
fn a_group_member_that_leaves_its_group_before_the_group_signal_is_killed_by_its_pidfd() {
    let mut w = world();
    w.add(process(80, 1, "agent").cwd(WT_A).session_leader(), |p| p.ignores_term = true);
    let mut fake = Fake::new(w);
    let mut spawned = false;
    // During the grace: an orphan of the agent's group appears, about to call setsid.
    fake.on_wait = Some(Box::new(move |w: &mut World| {
        if !std::mem::replace(&mut spawned, true) {
            let mut grandchild = process(82, 1, "grandchild").cwd(WT_A);
            grandchild.pgid = 80;
            grandchild.sid = 80;
            w.spawn(grandchild);
            if let Some(p) = w.procs.get_mut(&82) {
                p.setsid_before_group_signal = true;
                p.ignores_term = true;
            }
        }
    }));
    let target = attempt_id(&fake.world.forest(), WT_A);
    let (_, report) = run(&mut fake, target);
    assert!(!fake.world.procs[&82].alive, "{report:?}");
    assert!(fake.world.signals_to(82).contains(&Signal::Kill), "{:?}", fake.world.log);
    assert_eq!(report.exit_code(), 0, "{report:?}");
}

#[test]
fn a_group_with_a_member_outside_the_scope_is_never_signalled_as_a_group() {
    let mut w = world();
    w.add(process(70, 1, "leader").cwd(WT_A).session_leader(), |_| {});
    let mut other = process(71, 70, "in-b").cwd(WT_B);
    other.pgid = 70;
    w.add(other, |_| {});
    let mut fake = Fake::new(w);
    let target = attempt_id(&fake.world.forest(), WT_A);
    let (_, report) = run(&mut fake, target);
    assert!(fake.world.group_log.is_empty(), "{:?}", fake.world.group_log);
    assert!(fake.world.procs[&71].alive);
    assert!(report.groups.is_empty());
}

#[test]
fn cancelling_continues_exactly_what_the_kill_stopped() {
    let mut w = world();
    w.add(process(10, 1, "agent").cwd(WT_A), |_| {});
    w.add(process(11, 10, "already-stopped").cwd(WT_A), |p| p.stopped = true);
    let mut fake = Fake::new(w);
    fake.cancel_on_sample = Some(1);
    let target = attempt_id(&fake.world.forest(), WT_A);
    let (_, report) = run(&mut fake, target);
    assert!(report.cancelled);
    assert_eq!(report.exit_code(), 1);
    assert!(!fake.world.procs[&10].stopped, "what the kill stopped runs again");
    assert!(fake.world.procs[&11].stopped, "what was stopped before stays stopped");
    assert!(!fake.world.log.iter().any(|(_, s)| matches!(s, Signal::Term | Signal::Kill)));
    assert_eq!(outcome(&report, 10), Outcome::Abandoned);
}

#[test]
fn a_panic_mid_kill_still_continues_what_it_stopped() {
    let mut w = world();
    w.add(process(10, 1, "agent").cwd(WT_A), |_| {});
    let mut fake = Fake::new(w);
    fake.panic_on_sample = Some(1);
    let p = plan(&[NodeId::Tree(10)], &fake.world.forest(), &ctx()).unwrap();
    let cancel = AtomicBool::new(false);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let options = ActionOptions {
            operation: Operation::Kill { signal: Sig::Term, grace_secs: 0 },
            cancel: &cancel,
        };
        execute(&p, &ctx(), &options, &mut fake, &mut |_| {})
    }));
    assert!(result.is_err());
    assert_eq!(fake.world.signals_to(10), [Signal::Stop, Signal::Cont]);
    assert!(!fake.world.procs[&10].stopped);
}

#[test]
fn a_process_that_moved_into_the_scope_is_reported_not_signalled() {
    let mut w = world();
    w.add(process(10, 1, "agent").cwd(WT_A), |_| {});
    w.add(process(80, 1, "elsewhere").cwd("/home/x"), |_| {});
    let mut fake = Fake::new(w);
    let target = attempt_id(&fake.world.forest(), WT_A);
    let mut once = true;
    fake.on_sample = Some(Box::new(move |w: &mut World| {
        if once {
            once = false;
            w.procs.get_mut(&80).unwrap().process = process(80, 1, "elsewhere").cwd(WT_A);
        }
    }));
    let (_, report) = run(&mut fake, target);
    assert!(fake.world.signals_to(80).is_empty());
    assert_eq!(outcome(&report, 80), Outcome::NotInPlan);
    assert_eq!(report.exit_code(), 1);
}

#[test]
fn a_reused_pid_at_open_is_never_signalled() {
    let mut w = world();
    w.add(process(10, 1, "tool").cwd(WT_A), |_| {});
    let mut fake = Fake::new(w);
    let p = plan(&[NodeId::Pid(10)], &fake.world.forest(), &ctx()).unwrap();
    fake.world.spawn(process(10, 1, "stranger").cwd(WT_A));
    let cancel = AtomicBool::new(false);
    let options =
        ActionOptions { operation: Operation::Kill { signal: Sig::Kill, grace_secs: 0 }, cancel: &cancel };
    let report = execute(&p, &ctx(), &options, &mut fake, &mut |_| {});
    assert!(fake.world.log.is_empty(), "{:?}", fake.world.log);
    assert_eq!(outcome(&report, 10), Outcome::AlreadyGone);
}

#[test]
fn denied_and_unkillable_are_reported_with_exit_1() {
    let mut w = world();
    w.add(process(10, 1, "denied").cwd(WT_A), |p| p.denied = true);
    w.add(process(11, 1, "unkillable").cwd(WT_A), |p| {
        p.ignores_term = true;
        p.unkillable = true;
    });
    let mut fake = Fake::new(w);
    let target = attempt_id(&fake.world.forest(), WT_A);
    let (_, report) = run(&mut fake, target);
    assert_eq!(outcome(&report, 10), Outcome::PermissionDenied);
    assert_eq!(outcome(&report, 11), Outcome::Survived);
    assert_eq!(report.exit_code(), 1);
}

#[test]
fn an_already_exited_process_is_already_gone_and_succeeds() {
    let mut w = world();
    w.add(process(10, 1, "tool").cwd(WT_A), |_| {});
    let mut fake = Fake::new(w);
    let p = plan(&[NodeId::Pid(10)], &fake.world.forest(), &ctx()).unwrap();
    fake.world.die(10);
    let cancel = AtomicBool::new(false);
    let options =
        ActionOptions { operation: Operation::Kill { signal: Sig::Term, grace_secs: 0 }, cancel: &cancel };
    let report = execute(&p, &ctx(), &options, &mut fake, &mut |_| {});
    assert_eq!(outcome(&report, 10), Outcome::AlreadyGone);
    assert_eq!(report.exit_code(), 0);
}
