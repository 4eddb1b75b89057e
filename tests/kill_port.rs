//! `port:N` as an attacker would try it: it must take exactly the processes that
//! listened on N in the planned forest (on every address, in every attempt) and nothing
//! else — not a sibling of the listener in its attempt, not a client connected to the
//! port, and not a process that took a listener's PID after it exited. Ports are
//! ephemeral (bound to 0 and read back); sentinels log every signal they get.

mod common;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use common::listener::{bound, listener_command};
use common::sentinel::{self, Sentinel};
use common::*;
use serde_json::Value;
use swarmtop::kill::exec::{ActionOptions, Operation, Outcome, Sig, execute};
use swarmtop::kill::pidfd::{PidfdControl, local_context};
use swarmtop::kill::plan::plan;
use swarmtop::kill::sessions;
use swarmtop::model::{Forest, NodeId};

const WAIT: Duration = Duration::from_secs(15);

fn json(out: &std::process::Output) -> Value {
    json_of(out)
}

fn skip() -> bool {
    if sentinel::available() {
        return false;
    }
    println!("SKIPPED: listeners and sentinels need python3");
    true
}

fn listens_on(forest: &Forest, pid: u32, port: u16) -> bool {
    forest
        .find_process(|n| n.process.pid() == pid)
        .is_some_and(|n| n.process.ports.as_ref().is_some_and(|ps| ps.iter().any(|p| p.port == port)))
}

struct Two {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    wt_a: PathBuf,
    wt_b: PathBuf,
}

fn two_attempts(name: &str) -> Two {
    let tmp = tempfile::tempdir().unwrap();
    let r = repo(tmp.path(), &format!("{name}{}", std::process::id()));
    let wt_a = worktree(&r, &tmp.path().join("wt-a"), &format!("{name}-a"));
    let wt_b = worktree(&r, &tmp.path().join("wt-b"), &format!("{name}-b"));
    Two { root: tmp.path().to_path_buf(), _tmp: tmp, wt_a, wt_b }
}

/// Pids of a JSON kill plan's processes, sorted.
fn planned(doc: &Value) -> Vec<u64> {
    let mut v: Vec<u64> =
        doc["processes"].as_array().into_iter().flatten().filter_map(|p| p["pid"].as_u64()).collect();
    v.sort();
    v
}

#[test]
fn a_port_kill_takes_its_listeners_on_both_addresses_and_spares_the_sibling_and_the_clients() {
    if skip() {
        return;
    }
    let t = two_attempts("portkill");
    let mut procs = Sessions::default();
    let l = |x: &str| label("portkill", x);
    // Attempt a: one parent with two children, the listener and a sentinel sibling that
    // connects to the listener's port once it is known.
    let out_a = t.root.join("a.ports");
    let sibling = Sentinel::new(&l("sibling"), &t.root);
    let listener_a = listener_command(&l("listener-a"), "", &out_a, &["tcp,127.0.0.1,0"]);
    let sibling_cmd = Sentinel::connected_command(&sibling.label, &sibling.log, "127.0.0.1:$port");
    let wait_port =
        format!("until [ -f {0} ]; do sleep 0.05; done; port=$(cut -d' ' -f3 {0})", out_a.display());
    let parent =
        procs.spawn(&l("parent"), &t.wt_a, &format!("({listener_a}) & ({wait_port}; {sibling_cmd}) & wait"));
    let port = bound(&out_a)[0].2;
    // Attempt b: the same port number on another address, and a client of it.
    let out_b = t.root.join("b.ports");
    let spec_b = format!("tcp,127.0.0.2,{port}");
    procs.spawn(&l("listener-b"), &t.wt_b, &listener_command(&l("listener-b"), "", &out_b, &[&spec_b]));
    assert_eq!(bound(&out_b)[0].2, port);
    let client = Sentinel::new(&l("client"), &t.root);
    procs.spawn(
        &l("client-sh"),
        &t.wt_b,
        &Sentinel::connected_command(&client.label, &client.log, &format!("127.0.0.2:{port}")),
    );
    wait_for("the sentinels", WAIT, || (sibling.ready() && client.ready()).then_some(()));

    // Its stat files are closed before the kill runs (each sampler keeps up to half the
    // file limit open).
    let mut sampler = live_sampler();
    let forest = wait_for("both listeners with their port", WAIT, || {
        let f = sample_forest(&mut sampler);
        let a = find_label(&f, &l("listener-a"))?.process.pid();
        let b = find_label(&f, &l("listener-b"))?.process.pid();
        (listens_on(&f, a, port) && listens_on(&f, b, port)).then_some(f)
    });
    drop(sampler);
    let pid = |label: &str| find_label(&forest, label).unwrap_or_else(|| panic!("{label}")).process.pid();
    let (a, b) = (pid(&l("listener-a")), pid(&l("listener-b")));
    let (sib, cli) = (pid(&sibling.label), pid(&client.label));
    assert!(!listens_on(&forest, sib, port) && !listens_on(&forest, cli, port), "clients are no listeners");

    let target = format!("port:{port}");
    let dry = swarmtop(&["kill", "--dry-run", "--json", &target]);
    assert_eq!(planned(&json(&dry)), sorted(vec![a.into(), b.into()]), "exactly the two listeners");
    let text = String::from_utf8(swarmtop(&["kill", "--dry-run", &target]).stdout).unwrap();
    assert!(text.contains(&l("listener-a")) && text.contains(&l("listener-b")), "both named:\n{text}");

    let out = swarmtop(&["kill", "--yes", "--json", "--grace", "2", &target]);
    let report = json(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    wait_for("both listeners gone", WAIT, || (!alive(a) && !alive(b)).then_some(()));
    for s in [&sibling, &client] {
        assert!(s.received().is_empty(), "{} got {:?}: {report}", s.label, s.received());
    }
    assert!(alive(sib) && alive(cli), "a sentinel died: {report}");
    assert!(alive(parent) || !alive(a), "the listener's parent is never signalled");
    let signalled: Vec<u64> = planned(&report);
    assert_eq!(signalled, sorted(vec![a.into(), b.into()]), "{report}");
}

fn sorted(mut v: Vec<u64>) -> Vec<u64> {
    v.sort();
    v
}

/// A listener that exits after the plan, whose PID a sentinel then takes (through
/// `ns_last_pid`): the kill finds it already gone and signals nobody.
#[test]
fn a_listener_whose_pid_is_reused_before_the_kill_is_never_signalled() {
    if skip() {
        return;
    }
    if std::fs::OpenOptions::new().write(true).open("/proc/sys/kernel/ns_last_pid").is_err() {
        println!("SKIPPED: reusing a PID on purpose needs a writable /proc/sys/kernel/ns_last_pid (root)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let l = |x: &str| label("portreuse", x);
    let mut procs = Sessions::default();
    let out = tmp.path().join("l.ports");
    // Not a group or session leader, so its PID is free once its parent reaps it.
    let holder = procs.spawn(
        &l("holder"),
        tmp.path(),
        &format!("({}) & wait", listener_command(&l("listener"), "", &out, &["tcp,127.0.0.1,0"])),
    );
    let port = bound(&out)[0].2;
    let mut sampler = live_sampler();
    let forest = wait_for("the listener with its port", WAIT, || {
        let f = sample_forest(&mut sampler);
        let pid = find_label(&f, &l("listener"))?.process.pid();
        listens_on(&f, pid, port).then_some(f)
    });
    drop(sampler);
    let listener = find_label(&forest, &l("listener")).unwrap().process.pid();
    let ctx = local_context(&[]);
    let p = plan(&[NodeId::Port(port)], &forest, &ctx).unwrap();
    assert_eq!(p.entries.iter().map(|e| e.key.pid()).collect::<Vec<_>>(), [listener]);

    // The listener exits and is reaped (its holder exits with it).
    rustix::process::kill_process(
        rustix::process::Pid::from_raw(listener as i32).unwrap(),
        rustix::process::Signal::KILL,
    )
    .unwrap();
    wait_for("the listener reaped", WAIT, || state(listener).is_none().then_some(()));
    wait_for("its holder gone", WAIT, || (!alive(holder)).then_some(()));
    let stranger = Sentinel::new(&l("stranger"), tmp.path());
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut taken = None;
    while taken.is_none() && Instant::now() < deadline {
        std::fs::write("/proc/sys/kernel/ns_last_pid", (listener - 1).to_string()).unwrap();
        let mut c = Command::new("bash");
        c.arg("-c")
            .arg(Sentinel::command(&stranger.label, &stranger.log))
            .current_dir("/")
            .stdin(Stdio::null());
        sessions::in_new_session(&mut c);
        let mut child = c.spawn().unwrap();
        if child.id() == listener {
            taken = Some((SessionGuard(child.id()), child));
        } else {
            sessions::kill_sessions(&[child.id()], WAIT);
            let _ = child.wait();
        }
    }
    let Some((_guard, mut child)) = taken else {
        panic!("could not reuse PID {listener} within 10 s (another process took it each time)");
    };
    wait_for("the stranger", WAIT, || stranger.ready().then_some(()));
    let cancel = AtomicBool::new(false);
    let options =
        ActionOptions { operation: Operation::Kill { signal: Sig::Term, grace_secs: 2 }, cancel: &cancel };
    let mut control = PidfdControl::new(live_resample());
    let report = execute(&p, &ctx, &options, &mut control, &mut |_| {});
    let stranger_alive = alive(listener);
    let got = stranger.received();
    sessions::kill_sessions(&[child.id()], WAIT);
    let _ = child.wait();
    assert!(stranger_alive, "the process that took the listener's PID was killed: {report:?}");
    assert!(got.is_empty(), "the stranger got {got:?}: {report:?}");
    assert!(matches!(report.outcomes[0].1, Outcome::AlreadyGone), "{report:?}");
}

#[test]
fn port_targets_are_checked() {
    for bad in ["port:0", "port:70000", "port:x", "port:080"] {
        let out = swarmtop(&["kill", "--dry-run", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
    }
    // No listener at all on a port nobody has: an unknown target, exit 2.
    let free = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap().local_addr().unwrap().port();
    let out = swarmtop(&["kill", "--dry-run", &format!("port:{free}")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("port:{free}")));
    let help = String::from_utf8(swarmtop(&["kill", "--help"]).stdout).unwrap();
    assert!(help.contains("port:N"), "{help}");
}
