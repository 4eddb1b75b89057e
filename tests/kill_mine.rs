//! `swarmtop kill --mine` from a shell inside attempt A of a repository with two
//! worktrees: A's processes die, B's — sentinels that log every signal, some of them
//! named exactly like the target — receive nothing; a target in B is refused.

mod common;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use common::sentinel::{Sentinel, skip_without_python};
use common::*;
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(20);

/// A sentinel whose argv[0] is `argv0` (it may be a common name such as `sleep`).
fn sentinel_named(argv0: &str, role: &str, dir: &Path) -> Sentinel {
    let s = Sentinel { label: argv0.to_string(), log: dir.join(format!("{}.log", label("mine", role))) };
    std::fs::write(s.script(), Sentinel::command(argv0, &s.log)).unwrap();
    s
}

/// Runs `swarmtop ARGS` from a bash working in `cwd` (its parent, so the caller), in a
/// session of its own; returns its output once it exits.
fn swarmtop_from(procs: &mut Sessions, cwd: &Path, args: &[&str], tag: &str) -> Output {
    let dir = cwd.parent().unwrap().join(format!("out-{tag}"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::create_dir_all(cwd).unwrap();
    let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
    let script = format!(
        "XDG_CONFIG_HOME=/nonexistent-swarmtop-test {} {} >{}/out 2>{}/err </dev/null; echo $? >{}/rc.tmp; mv {}/rc.tmp {}/rc",
        env!("CARGO_BIN_EXE_swarmtop"),
        quoted.join(" "),
        dir.display(),
        dir.display(),
        dir.display(),
        dir.display(),
        dir.display()
    );
    procs.spawn(&label("mine", &format!("caller-{tag}")), cwd, &script);
    let code: i32 = wait_for("swarmtop to exit", Duration::from_secs(60), || {
        std::fs::read_to_string(dir.join("rc")).ok()?.trim().parse().ok()
    });
    use std::os::unix::process::ExitStatusExt;
    Output {
        status: std::process::ExitStatus::from_raw(code << 8),
        stdout: std::fs::read(dir.join("out")).unwrap_or_default(),
        stderr: std::fs::read(dir.join("err")).unwrap_or_default(),
    }
}

fn untouched(s: &Sentinel, pid: u32) {
    assert_eq!(s.received(), Vec::<String>::new(), "{} ({pid}) was signalled", s.log.display());
    assert!(alive(pid), "{} ({pid}) was killed", s.log.display());
    assert_ne!(state(pid), Some('T'), "{} ({pid}) was left stopped", s.log.display());
}

/// Sentinels named `sleep` in B (one a child of an A process that moved into B), and
/// real sleeps in A; returns the sentinels' pids once all are placed.
struct Scene {
    w: TwoWorktrees,
    procs: Sessions,
    in_b: Vec<(Sentinel, u32)>,
    sleeps_a: Vec<u32>,
}

fn scene(name: &str) -> Scene {
    let w = two_worktrees("mine", name);
    let mut procs = Sessions::default();
    let s1 = sentinel_named("sleep", &format!("{name}-b1"), w.tmp.path());
    let s2 = sentinel_named("sleep", &format!("{name}-b2"), w.tmp.path());
    procs.spawn(
        &label(name, "agent-b"),
        &w.wt_b,
        &format!("bash {} & sleep 600 & wait", s1.script().display()),
    );
    let a_agent = label(name, "agent-a");
    let moved = format!("(cd {} && bash {}) &", w.wt_b.display(), s2.script().display());
    procs.spawn(&a_agent, &w.wt_a, &format!("{moved} sleep 600 & sleep 601 & wait"));
    let mut sampler = live_sampler();
    let (in_b, sleeps_a) = wait_for("every process placed", WAIT, || {
        let f = sample_forest(&mut sampler);
        let (a, b) = (attempt_at(&f, &w.wt_a)?, attempt_at(&f, &w.wt_b)?);
        let mut in_b = Vec::new();
        let mut sleeps_a = Vec::new();
        f.walk_processes(&mut |n| {
            let place = attempt_of_pid(&f, n.process.pid());
            let argv0 = n.process.facts.cmd.first().map(str::to_string);
            // A sentinel's argv[0] is `sleep`; its name (comm) is the interpreter's.
            if argv0.as_deref() == Some("sleep") && n.process.facts.name.as_ref() != "sleep" {
                in_b.push((n.process.pid(), place.clone()));
            } else if argv0.as_deref() == Some("sleep") && place.as_deref() == Some(a.as_str()) {
                sleeps_a.push(n.process.pid());
            }
        });
        let ours: Vec<u32> = in_b
            .iter()
            .filter(|(pid, place)| place.as_deref() == Some(b.as_str()) && cwd_under(*pid, w.tmp.path()))
            .map(|(pid, _)| *pid)
            .collect();
        (s1.ready() && s2.ready() && ours.len() == 2 && sleeps_a.len() == 2).then_some((ours, sleeps_a))
    });
    let in_b = [s1, s2].into_iter().zip(in_b).collect();
    Scene { w, procs, in_b, sleeps_a }
}

fn cwd_under(pid: u32, root: &Path) -> bool {
    std::fs::read_link(format!("/proc/{pid}/cwd")).is_ok_and(|c| c.starts_with(root))
}

fn attempt_of_pid(f: &swarmtop::model::Forest, pid: u32) -> Option<String> {
    f.attempts().find_map(|(_, _, a)| {
        let mut found = false;
        for root in &a.processes {
            root.walk(&mut |n| found |= n.process.pid() == pid);
        }
        found.then(|| a.id.to_string())
    })
}

#[test]
fn kill_mine_name_sleep_from_a_shell_in_a_kills_as_sleeps_and_none_of_bs() {
    if skip_without_python() {
        return;
    }
    let mut s = scene("name");
    let out = swarmtop_from(
        &mut s.procs,
        &s.w.wt_a,
        &["kill", "--mine", "--yes", "--json", "--grace", "2", "name:sleep"],
        "name",
    );
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(out.status.code(), Some(0), "{report}");
    let killed: Vec<u64> =
        report["processes"].as_array().unwrap().iter().map(|p| p["pid"].as_u64().unwrap()).collect();
    let mut want: Vec<u64> = s.sleeps_a.iter().map(|&p| u64::from(p)).collect();
    want.sort_unstable();
    let mut got = killed.clone();
    got.sort_unstable();
    assert_eq!(got, want, "exactly A's sleeps: {report}");
    assert!(report["narrowing"]["mine"].as_str().is_some_and(|m| m.ends_with("/wt-a")), "{report}");
    for pid in &s.sleeps_a {
        wait_for("A's sleep to be gone", WAIT, || (!alive(*pid)).then_some(()));
    }
    for (sentinel, pid) in &s.in_b {
        untouched(sentinel, *pid);
    }
}

#[test]
fn kill_mine_of_attempt_b_is_refused_and_kills_nothing() {
    if skip_without_python() {
        return;
    }
    let mut s = scene("refuse");
    let forest = {
        let mut sampler = live_sampler();
        sample_forest(&mut sampler)
    };
    let b = attempt_at(&forest, &s.w.wt_b).unwrap();
    let a = attempt_at(&forest, &s.w.wt_a).unwrap();
    let out =
        swarmtop_from(&mut s.procs, &s.w.wt_a, &["kill", "--mine", "--yes", "--grace", "2", &b], "attempt");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{b} is outside your attempt {a}: it covers {b}")), "{err}");
    let pid = s.in_b[0].1;
    let out =
        swarmtop_from(&mut s.procs, &s.w.wt_a, &["kill", "--mine", "--yes", &format!("pid:{pid}")], "pid");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("it is in {b}")));
    for (sentinel, pid) in &s.in_b {
        untouched(sentinel, *pid);
    }
    assert!(s.sleeps_a.iter().all(|&p| alive(p)), "a refused kill signals nothing, in A either");
}

#[test]
fn kill_mine_outside_every_attempt_refuses() {
    let tmp = tempfile::tempdir().unwrap();
    let mut procs = Sessions::default();
    let out = swarmtop_from(
        &mut procs,
        &tmp.path().join("x"),
        &["kill", "--mine", "--dry-run", "name:sleep"],
        "none",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("kill --mine: this shell is in no attempt"));
}
