use super::*;
use crate::associate::{Options, associate};
use crate::kill::plan::{PlanContext, plan};
use crate::model::NodeId;
use crate::model::fixture::{ProcessExt, swarm_snapshot};

fn forest_with(states: &[(u32, ProcState)]) -> Forest {
    let mut snap = swarm_snapshot();
    for p in &mut snap.processes {
        if let Some((_, s)) = states.iter().find(|(pid, _)| *pid == p.pid()) {
            *p = p.clone().state(*s);
        }
    }
    associate(&snap, &Options::default())
}

fn ctx() -> PlanContext {
    PlanContext { self_ancestry: vec![9999], uid: 1000, protect: Vec::new() }
}

fn planned(plan: &KillPlan) -> Vec<u32> {
    plan.entries.iter().map(|e| e.key.pid()).collect()
}

fn skipped(plan: &KillPlan) -> Vec<(u32, SkipReason)> {
    plan.skipped.iter().map(|s| (s.entry.key.pid(), s.reason.clone())).collect()
}

#[test]
fn stop_and_cont_sent_once_are_always_pause_and_resume() {
    assert_eq!(Operation::send(Signal::Stop), Operation::Pause);
    assert_eq!(Operation::send(Signal::Cont), Operation::Resume);
    assert_eq!(Operation::send(Signal::Usr1), Operation::Send { signal: Signal::Usr1 });
    assert_eq!(Operation::Send { signal: Signal::Stop }.normalized(), Operation::Pause);
    assert_eq!(Operation::Renice { nice: 99 }.normalized(), Operation::Renice { nice: NICE_MAX });
    assert_eq!(Operation::Renice { nice: -99 }.normalized(), Operation::Renice { nice: NICE_MIN });
}

#[test]
fn resume_plans_only_the_stopped_processes_and_neither_touches_a_debuggers() {
    let f = forest_with(&[(100, ProcState::Stopped), (101, ProcState::Traced), (102, ProcState::Stopped)]);
    let target: Vec<NodeId> = vec!["tree:100".parse().unwrap()];
    let whole = plan(&target, &f, &ctx()).unwrap();
    assert_eq!(planned(&whole), [100, 101, 103, 102]);

    let resume = Operation::Resume.refine(whole.clone(), &f);
    assert_eq!(planned(&resume), [100, 102]);
    assert_eq!(skipped(&resume), [(101, SkipReason::Traced), (103, SkipReason::NotStopped)]);

    let pause = Operation::Pause.refine(whole.clone(), &f);
    assert_eq!(planned(&pause), [100, 103, 102], "a stopped one is paused again, harmlessly");
    assert_eq!(skipped(&pause), [(101, SkipReason::Traced)]);

    for op in [Operation::Kill { signal: Signal::Term, grace_secs: 5 }, Operation::Renice { nice: 5 }] {
        assert_eq!(op.refine(whole.clone(), &f), whole, "{op:?} acts on the whole scope");
    }
    assert!(SkipReason::NotStopped.is_chosen() && SkipReason::Traced.is_chosen());
}

#[test]
fn the_description_says_exactly_what_is_sent() {
    let kill = Operation::Kill { signal: Signal::Hup, grace_secs: 7 };
    assert!(kill.describe().starts_with("SIGHUP, then SIGKILL after 7s"), "{}", kill.describe());
    let once = Operation::send(Signal::Usr1).describe();
    assert!(once.starts_with("SIGUSR1 once to each process; no SIGKILL"), "{once}");
    assert!(Operation::Pause.describe().starts_with("SIGSTOP"));
    assert!(Operation::Resume.describe().contains("SIGCONT to each process that is stopped"));
    assert_eq!(Operation::Renice { nice: 10 }.describe(), "nice 10 for every thread of each process");
    assert_eq!(Operation::Renice { nice: 3 }.signal(), None);
}

#[test]
fn an_operation_travels_as_json_and_back() {
    let all = [
        Operation::Kill { signal: Signal::Term, grace_secs: 5 },
        Operation::Send { signal: Signal::Usr2 },
        Operation::Pause,
        Operation::Resume,
        Operation::Renice { nice: -3 },
    ];
    for op in all {
        let text = serde_json::to_string(&op).unwrap();
        assert_eq!(serde_json::from_str::<Operation>(&text).unwrap(), op, "{text}");
    }
    assert_eq!(
        serde_json::to_string(&all[0]).unwrap(),
        r#"{"action":"kill","signal":"term","grace_secs":5}"#
    );
}
