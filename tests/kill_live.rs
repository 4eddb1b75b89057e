//! Real kills of real process trees in temp worktrees.

mod common;

use std::process::Command;
use std::time::Duration;

use common::*;
use swarmtop::kill::exec::{ActionOptions, Operation, Outcome, Sig, execute};
use swarmtop::kill::pidfd::{PidfdControl, local_context};
use swarmtop::kill::plan::{KillPlan, PlanContext, SkipReason, plan};
use swarmtop::model::{Forest, NodeId, ProcKey};
use swarmtop::sample::Sampler;

const WAIT: Duration = Duration::from_secs(10);

fn target(s: &str) -> Vec<NodeId> {
    vec![s.parse().unwrap()]
}

fn ctx() -> PlanContext {
    local_context(&[])
}

/// Samples until every label is on the box.
fn forest_with(sampler: &mut Sampler, labels: &[String]) -> Forest {
    wait_for("labelled processes", WAIT, || {
        let f = sample_forest(sampler);
        labels.iter().all(|l| find_label(&f, l).is_some()).then_some(f)
    })
}

fn pid_of(forest: &Forest, label: &str) -> u32 {
    find_label(forest, label).unwrap().process.pid()
}

/// Bit 15 (SIGTERM) of SigIgn in /proc/PID/status.
fn ignores_term(pid: u32) -> bool {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("SigIgn:"))
        .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        .is_some_and(|mask| mask & (1 << 14) != 0)
}

fn run(plan: &KillPlan, grace_secs: u64) -> swarmtop::kill::exec::KillReport {
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let options =
        ActionOptions { operation: Operation::Kill { signal: Sig::Term, grace_secs }, cancel: &cancel };
    let mut control = PidfdControl::new(live_resample());
    execute(plan, &ctx(), &options, &mut control, &mut |_| {})
}

#[test]
fn a_subtree_with_a_child_in_tmp_dies_entirely() {
    let tmp = tempfile::tempdir().unwrap();
    let r = repo(tmp.path(), "alpha");
    let l = |x: &str| label("subtree", x);
    let mut procs = Sessions::default();
    let script = format!(
        "(cd /tmp && exec -a {} bash -c 'exec -a {} sleep 600 & wait') & wait",
        l("tmpchild"),
        l("grand")
    );
    procs.spawn(&l("agent"), &r, &script);
    let mut sampler = live_sampler();
    let forest = forest_with(&mut sampler, &[l("agent"), l("tmpchild"), l("grand")]);
    let agent = pid_of(&forest, &l("agent"));
    let p = plan(&[NodeId::Tree(agent)], &forest, &ctx()).unwrap();
    assert_eq!(p.entries.len(), 3, "agent, its /tmp child and the grandchild");
    let report = run(&p, 2);
    assert_eq!(report.exit_code(), 0, "{report:?}");
    assert!(report.outcomes.iter().all(|(_, o)| *o == Outcome::Exited), "{report:?}");
    assert!(p.entries.iter().all(|e| !alive(e.key.pid())));
}

#[test]
fn a_term_ignoring_process_gets_sigkill_after_the_grace() {
    let tmp = tempfile::tempdir().unwrap();
    let r = repo(tmp.path(), "beta");
    let l = label("stubborn", "x");
    let mut procs = Sessions::default();
    procs.spawn(&l, &r, "trap '' TERM; while :; do sleep 1; done");
    let forest = forest_with(&mut live_sampler(), std::slice::from_ref(&l));
    let pid = pid_of(&forest, &l);
    wait_for("the TERM trap", WAIT, || ignores_term(pid).then_some(()));
    let p = plan(&[NodeId::Pid(pid)], &forest, &ctx()).unwrap();
    let started = std::time::Instant::now();
    let report = run(&p, 1);
    assert!(started.elapsed() >= Duration::from_secs(1), "waited the grace: {report:?}");
    assert_eq!(report.outcomes[0].1, Outcome::Killed);
    assert!(!alive(pid));
}

#[test]
fn a_stopped_process_is_killed_not_left_stopped() {
    let tmp = tempfile::tempdir().unwrap();
    let r = repo(tmp.path(), "gamma");
    let l = label("stopped", "x");
    let mut procs = Sessions::default();
    let pid = procs.spawn(&l, &r, "exec sleep 600");
    rustix::process::kill_process(
        rustix::process::Pid::from_raw(pid as i32).unwrap(),
        rustix::process::Signal::STOP,
    )
    .unwrap();
    let mut sampler = live_sampler();
    let forest = wait_for("the stopped process", WAIT, || {
        let f = sample_forest(&mut sampler);
        let stopped = f
            .attempts()
            .flat_map(|(_, _, a)| &a.processes)
            .any(|n| n.process.pid() == pid && n.process.state == swarmtop::model::ProcState::Stopped);
        stopped.then_some(f)
    });
    let report = run(&plan(&[NodeId::Pid(pid)], &forest, &ctx()).unwrap(), 2);
    assert_eq!(report.outcomes[0].1, Outcome::Exited);
    assert!(!alive(pid));
}

#[test]
fn an_attempt_kill_takes_its_leak_and_spares_siblings_and_strangers() {
    let tmp = tempfile::tempdir().unwrap();
    let r = repo(tmp.path(), "delta");
    let wt1 = worktree(&r, &tmp.path().join("wt/aaaa-fix"), "vk/aaaa-fix");
    let wt2 = worktree(&r, &tmp.path().join("wt/bbbb-fix"), "vk/bbbb-fix");
    let l = |x: &str| label("attempt", x);
    let mut procs = Sessions::default();
    procs.spawn(&l("agent1"), &wt1, &format!("( exec -a {} sleep 600 & ) ; sleep 600 & wait", l("leak")));
    procs.spawn(&l("agent2"), &wt2, "sleep 600 & wait");
    procs.spawn(&l("stranger"), tmp.path(), "sleep 600 & wait");
    let mut sampler = live_sampler();
    let labels = [l("agent1"), l("leak"), l("agent2"), l("stranger")];
    let forest = forest_with(&mut sampler, &labels);
    let leak = pid_of(&forest, &l("leak"));
    let p = plan(&target("attempt:delta/fix/aaaa"), &forest, &ctx()).unwrap();
    assert!(p.entries.iter().any(|e| e.key.pid() == leak), "the double-forked leak is in the plan");
    let report = run(&p, 2);
    assert_eq!(report.exit_code(), 0, "{report:?}");
    assert!(!alive(pid_of(&forest, &l("agent1"))) && !alive(leak));
    assert!(alive(pid_of(&forest, &l("agent2"))), "the sibling attempt survives");
    assert!(alive(pid_of(&forest, &l("stranger"))), "unrelated processes survive");
}

#[test]
fn an_already_exited_process_is_already_gone_and_succeeds() {
    let tmp = tempfile::tempdir().unwrap();
    let r = repo(tmp.path(), "eps");
    let l = label("gone", "x");
    let mut procs = Sessions::default();
    let pid = procs.spawn(&l, &r, &format!("exec -a {l} sleep 600"));
    let forest = forest_with(&mut live_sampler(), std::slice::from_ref(&l));
    let p = plan(&[NodeId::Pid(pid)], &forest, &ctx()).unwrap();
    procs.kill_all(); // it exits (and is reaped) before the plan runs
    let report = run(&p, 0);
    assert_eq!(report.outcomes[0].1, Outcome::AlreadyGone);
    assert_eq!(report.exit_code(), 0);
}

#[test]
fn a_pid_with_another_start_time_is_never_signalled() {
    let tmp = tempfile::tempdir().unwrap();
    let r = repo(tmp.path(), "zeta");
    let l = label("reuse", "x");
    let mut procs = Sessions::default();
    let pid = procs.spawn(&l, &r, &format!("exec -a {l} sleep 600"));
    let forest = forest_with(&mut live_sampler(), std::slice::from_ref(&l));
    let mut p = plan(&[NodeId::Pid(pid)], &forest, &ctx()).unwrap();
    // What a stale plan looks like after the PID was reused by another process.
    p.entries[0].key = ProcKey::new(pid, p.entries[0].key.start_time() + 1).unwrap();
    let report = run(&p, 0);
    assert_eq!(report.outcomes[0].1, Outcome::AlreadyGone);
    assert!(alive(pid), "the live process with that PID was not touched");
}

#[test]
fn another_users_process_is_reported_not_crashed_on() {
    let is_root = rustix::process::getuid().is_root();
    let has_setpriv = Command::new("setpriv").arg("--version").output().is_ok();
    if !is_root || !has_setpriv {
        println!("SKIPPED: needs root and setpriv to start a process as another user");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let r = repo(tmp.path(), "eta");
    let l = label("nobody", "x");
    let mut procs = Sessions::default();
    let pid = procs.spawn(
        &l,
        &r,
        &format!("exec setpriv --reuid=65534 --regid=65534 --clear-groups bash -c 'exec -a {l} sleep 600'"),
    );
    let forest = forest_with(&mut live_sampler(), std::slice::from_ref(&l));
    let p = plan(&[NodeId::Pid(pid)], &forest, &PlanContext { uid: 1000, ..ctx() }).unwrap();
    assert!(p.entries.is_empty());
    assert!(matches!(p.skipped[0].reason, SkipReason::OtherUser(_)));
    // The real binary, run as nobody against a root-owned process: reported, exit 1.
    let root_owned = procs.spawn(&label("rootowned", "x"), &r, "exec sleep 600");
    let out = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            env!("CARGO_BIN_EXE_swarmtop"),
            "kill",
            "--yes",
        ])
        .arg(format!("pid:{root_owned}"))
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("another user"), "{text}");
    assert!(alive(root_owned));
}
