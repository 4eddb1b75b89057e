//! Races a kill must survive, played deterministically with real processes: the
//! kill is cancelled while the set is frozen, and a planned PID is reused (through
//! `ns_last_pid`) by a stranger whose child must never be signalled.

mod common;

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::sentinel::{self, Sentinel};
use common::*;
use swarmtop::kill::exec::{
    ActionOptions, ControlError, Opened, Operation, Outcome, ProcessControl, Reniced, Sig, Signal, execute,
};
use swarmtop::kill::pidfd::{PidHandle, PidfdControl, local_context};
use swarmtop::kill::plan::plan;
use swarmtop::kill::sessions;
use swarmtop::model::{Forest, NodeId, ProcKey};

const WAIT: Duration = Duration::from_secs(15);

/// The real control, with a hook that runs before each re-sample.
struct Hooked<'a> {
    real: PidfdControl,
    before_sample: Box<dyn FnMut() + 'a>,
}

impl ProcessControl for Hooked<'_> {
    type Handle = PidHandle;
    fn open(&mut self, key: ProcKey) -> Result<Opened<PidHandle>, ControlError> {
        self.real.open(key)
    }
    fn signal(&mut self, h: &PidHandle, s: Signal) -> Result<(), ControlError> {
        self.real.signal(h, s)
    }
    fn signal_group(&mut self, pgid: u32, s: Signal) -> Result<(), ControlError> {
        self.real.signal_group(pgid, s)
    }
    fn is_alive(&mut self, h: &PidHandle) -> bool {
        self.real.is_alive(h)
    }
    fn wait(&mut self, h: &[&PidHandle], t: Duration, cancel: &AtomicBool) -> Vec<bool> {
        self.real.wait(h, t, cancel)
    }
    fn sample(&mut self) -> Result<Forest, ControlError> {
        (self.before_sample)();
        self.real.sample()
    }
    fn renice(&mut self, h: &PidHandle, nice: i32) -> Result<Reniced, ControlError> {
        self.real.renice(h, nice)
    }
}

#[test]
fn cancelled_while_frozen_continues_what_it_stopped_and_only_that() {
    let tmp = tempfile::tempdir().unwrap();
    let r = repo(tmp.path(), &format!("race{}", std::process::id()));
    let l = |x: &str| label("frozen", x);
    let mut procs = Sessions::default();
    procs.spawn(
        &l("agent"),
        &r,
        &format!("exec -a {} sleep 600 & exec -a {} sleep 601 & wait", l("a"), l("b")),
    );
    let mut sampler = live_sampler();
    let forest = wait_for("the three processes", WAIT, || {
        let f = sample_forest(&mut sampler);
        [l("agent"), l("a"), l("b")].iter().all(|x| find_label(&f, x).is_some()).then_some(f)
    });
    let pid = |x: &str| find_label(&forest, &l(x)).unwrap().process.pid();
    let (agent, a, b) = (pid("agent"), pid("a"), pid("b"));
    // Stopped by someone else before the kill: must stay stopped when it is abandoned.
    rustix::process::kill_process(
        rustix::process::Pid::from_raw(b as i32).unwrap(),
        rustix::process::Signal::STOP,
    )
    .unwrap();
    wait_for("b stopped", WAIT, || (state(b) == Some('T')).then_some(()));
    let ctx = local_context(&[]);
    let p = plan(&[NodeId::Tree(agent)], &forest, &ctx).unwrap();
    let cancel = AtomicBool::new(false);
    let mut seen_frozen = false;
    let mut control = Hooked {
        real: PidfdControl::new(live_resample()),
        before_sample: Box::new(|| {
            // SIGSTOP takes effect when the target next runs: wait for it, then quit arrives.
            let deadline = Instant::now() + Duration::from_secs(5);
            while !seen_frozen && Instant::now() < deadline {
                seen_frozen = state(agent) == Some('T') && state(a) == Some('T');
                std::thread::sleep(Duration::from_millis(5));
            }
            cancel.store(true, Ordering::SeqCst);
        }),
    };
    let options =
        ActionOptions { operation: Operation::Kill { signal: Sig::Term, grace_secs: 5 }, cancel: &cancel };
    let report = execute(&p, &ctx, &options, &mut control, &mut |_| {});
    drop(control);
    assert!(seen_frozen, "the kill had frozen the set");
    assert!(report.cancelled && report.exit_code() == 1, "{report:?}");
    assert!(report.outcomes.iter().all(|(_, o)| *o == Outcome::Abandoned), "{report:?}");
    for pid in [agent, a] {
        wait_for("continued", WAIT, || matches!(state(pid), Some('S' | 'R')).then_some(()));
    }
    assert_eq!(state(b), Some('T'), "stopped before the kill, stays stopped");
}

#[test]
fn a_stranger_that_takes_a_planned_pid_during_the_grace_is_never_signalled_nor_its_child() {
    if !sentinel::available() {
        println!("SKIPPED: sentinels need python3");
        return;
    }
    if std::fs::OpenOptions::new().write(true).open("/proc/sys/kernel/ns_last_pid").is_err() {
        println!("SKIPPED: reusing a PID on purpose needs a writable /proc/sys/kernel/ns_last_pid (root)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let r = repo(tmp.path(), &format!("reuse{}", std::process::id()));
    let l = |x: &str| label("reuse", x);
    // The planned root exits on SIGTERM; its TERM-ignoring child keeps the kill in its
    // grace. The root leads no group or session (those PIDs are never reused while
    // their members live), so once its holder reaps it, its PID is free.
    let stubborn = tmp.path().join("stubborn.sh");
    std::fs::write(
        &stubborn,
        format!("trap '' TERM\nexec -a {} bash -c 'while :; do sleep 0.05; done'\n", l("stubborn")),
    )
    .unwrap();
    let root_sh = tmp.path().join("root.sh");
    std::fs::write(&root_sh, format!("bash {} &\nwait\n", stubborn.display())).unwrap();
    let mut procs = Sessions::default();
    procs.spawn(&l("holder"), &r, &format!("(exec -a {} bash {}) & wait", l("root"), root_sh.display()));
    let forest = wait_for("the tree", WAIT, || {
        let f = sample_forest(&mut live_sampler());
        (find_label(&f, &l("root")).is_some() && find_label(&f, &l("stubborn")).is_some()).then_some(f)
    });
    let root_pid = find_label(&forest, &l("root")).unwrap().process.pid();
    let ctx = local_context(&[]);
    let p = plan(&[NodeId::Tree(root_pid)], &forest, &ctx).unwrap();
    let stranger = Sentinel::new(&l("stranger-child"), tmp.path());
    let report = std::thread::scope(|scope| {
        let kill = scope.spawn(|| {
            let cancel = AtomicBool::new(false);
            let options = ActionOptions {
                operation: Operation::Kill { signal: Sig::Term, grace_secs: 6 },
                cancel: &cancel,
            };
            let mut control = PidfdControl::new(live_resample());
            execute(&p, &ctx, &options, &mut control, &mut |_| {})
        });
        // The root got its TERM and is reaped: its PID is free. Take it.
        wait_for("the root to exit", WAIT, || state(root_pid).is_none().then_some(()));
        let script = format!("bash {} & wait", stranger.script().display());
        let taken = spawn_as_pid(root_pid, &script, std::path::Path::new("/"), Duration::from_secs(4));
        let report = kill.join().unwrap();
        (report, taken)
    });
    let (report, taken) = report;
    let Some((_stranger_guard, mut stranger_proc)) = taken else {
        panic!("could not reuse PID {root_pid} within 4 s (another process took it each time)");
    };
    wait_for("the stranger's child", WAIT, || stranger.ready().then_some(()));
    let stranger_sid = stranger_proc.id();
    let alive = |pid: u32| state(pid).is_some_and(|s| s != 'Z');
    let stranger_alive = alive(stranger_proc.id());
    let child_signals = stranger.received();
    sessions::kill_sessions(&[stranger_sid], WAIT);
    let _ = stranger_proc.wait();
    assert!(stranger_alive, "the process with the reused PID was killed: {report:?}");
    assert!(child_signals.is_empty(), "the stranger's child got {child_signals:?}: {report:?}");
    assert!(report.outcomes.iter().all(|(e, _)| e.key.pid() != root_pid || e.key == p.entries[0].key));
    drop(procs);
}

#[test]
fn a_zombie_leader_whose_threads_still_run_is_killed_not_reported_gone() {
    let tmp = tempfile::tempdir().unwrap();
    let source = tmp.path().join("leader.c");
    std::fs::write(
        &source,
        "#include <pthread.h>\n#include <unistd.h>\n\
         static void *run(void *a) { (void)a; for (;;) pause(); return 0; }\n\
         int main(void) { pthread_t t; pthread_create(&t, 0, run, 0); pthread_exit(0); }\n",
    )
    .unwrap();
    let exe = tmp.path().join("leader");
    let built = Command::new("cc").arg("-pthread").arg("-o").arg(&exe).arg(&source).status();
    if !built.is_ok_and(|s| s.success()) {
        println!("SKIPPED: needs a C compiler (cc) to build a process whose main thread exits first");
        return;
    }
    let r = repo(tmp.path(), &format!("zleader{}", std::process::id()));
    let mut procs = Sessions::default();
    let pid = procs.spawn(&label("zleader", "x"), &r, &format!("exec {}", exe.display()));
    wait_for("the leader to be a zombie", WAIT, || (state(pid) == Some('Z')).then_some(()));
    let forest = wait_for("the leader in a sample", WAIT, || {
        let f = sample_forest(&mut live_sampler());
        f.find_process(|n| n.process.pid() == pid).is_some().then_some(f)
    });
    let ctx = local_context(&[]);
    let p = plan(&[NodeId::Pid(pid)], &forest, &ctx).unwrap();
    let cancel = AtomicBool::new(false);
    let options =
        ActionOptions { operation: Operation::Kill { signal: Sig::Term, grace_secs: 5 }, cancel: &cancel };
    let report = execute(&p, &ctx, &options, &mut PidfdControl::new(live_resample()), &mut |_| {});
    assert_eq!(report.outcomes[0].1, Outcome::Exited, "{report:?}");
    // Until its parent reaps it, the leader stays a zombie; no thread may still run.
    let running = std::fs::read_dir(format!("/proc/{pid}/task"))
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|t| {
                    let stat = std::fs::read_to_string(t.path().join("stat")).unwrap_or_default();
                    stat.rsplit_once(") ").is_some_and(|(_, rest)| !rest.starts_with('Z'))
                })
                .count()
        })
        .unwrap_or(0);
    assert_eq!(running, 0, "its threads are gone too");
}
