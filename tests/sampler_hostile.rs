//! Hostile processes cannot hide from the sampler: names and arguments that are not
//! UTF-8, and zombie thread-group leaders whose other threads work on.

mod common;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;
use serde_json::Value;
use swarmtop::kill::sessions;
use swarmtop::model::{ProcState, Process};
use swarmtop::procfs;
use swarmtop::sample::{ProcessSource, ProcfsSource};

/// One program started in a session of its own; killed by that session id on drop.
struct Started(Child);

impl Started {
    fn new(mut cmd: Command) -> Started {
        cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        sessions::in_new_session(&mut cmd);
        Started(cmd.spawn().expect("spawn"))
    }

    fn pid(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        // A zombie leader is no session member to kill_sessions, yet its threads live.
        if let Some(pid) = rustix::process::Pid::from_raw(self.0.id() as i32) {
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
        }
        let left = sessions::kill_sessions(&[self.0.id()], Duration::from_secs(10));
        let _ = self.0.wait();
        assert!(left.is_empty() || std::thread::panicking(), "could not kill {left:?}");
    }
}

fn has(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok()
}

fn swarmtop_json(filter: &str) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_swarmtop"))
        .args(["list", "--json", "--all", "--filter", filter])
        .env("XDG_CONFIG_HOME", "/nonexistent-swarmtop-test")
        .output()
        .expect("run swarmtop");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

/// Every process object in a `list --json` document.
fn all_procs(doc: &Value) -> Vec<&Value> {
    let mut stack: Vec<&Value> = Vec::new();
    for key in ["shared", "unassigned"] {
        stack.extend(doc[key].as_array().into_iter().flatten());
    }
    for p in doc["projects"].as_array().into_iter().flatten() {
        for t in p["tasks"].as_array().into_iter().flatten() {
            for a in t["attempts"].as_array().into_iter().flatten() {
                stack.extend(a["processes"].as_array().into_iter().flatten());
            }
        }
    }
    let mut out = Vec::new();
    while let Some(p) = stack.pop() {
        stack.extend(p["children"].as_array().into_iter().flatten());
        out.push(p);
    }
    out
}

fn sampled(source: &mut ProcfsSource, pid: u32) -> Option<Process> {
    source.refresh().expect("refresh").into_iter().find(|p| p.pid() == pid)
}

#[test]
fn a_process_named_with_bytes_that_are_not_utf8_is_listed_escaped_and_exact_in_json() {
    if !has("python3") {
        eprintln!("skipped: python3 is not installed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let r = repo(tmp.path(), "bytes");
    let mut cmd = Command::new("python3");
    cmd.arg0(label("bytes", "py")).current_dir(&r).args([
        "-c",
        "import ctypes, time; ctypes.CDLL(None).prctl(15, b'\\xff\\xfe', 0, 0, 0); time.sleep(600)",
    ]);
    let py = Started::new(cmd);
    let mut source = ProcfsSource::new().unwrap();
    wait_for("the renamed process, escaped", Duration::from_secs(10), || {
        sampled(&mut source, py.pid()).filter(|p| &*p.facts.name == "\\xff\\xfe")
    });
    let doc = wait_for("the process in list --json", Duration::from_secs(10), || {
        let doc = swarmtop_json(tmp.path().to_str().unwrap());
        all_procs(&doc).iter().any(|p| p["pid"] == py.pid()).then_some(doc)
    });
    let p = all_procs(&doc).into_iter().find(|p| p["pid"] == py.pid()).cloned().unwrap();
    assert_eq!(p["name"], "\\xff\\xfe");
    assert_eq!(p["name_bytes"], serde_json::json!([255, 254]));
    assert!(p["cmd_bytes"].is_null(), "argv is UTF-8: {p}");
}

#[test]
fn arguments_and_cwd_that_are_not_utf8_keep_the_process_and_their_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(OsStr::from_bytes(b"d\xe9j\xe0"));
    std::fs::create_dir(&dir).unwrap();
    let mut cmd = Command::new("sleep");
    cmd.arg0(OsStr::from_bytes(b"sl\xffeep")).arg("600").current_dir(&dir);
    let s = Started::new(cmd);
    let mut source = ProcfsSource::new().unwrap();
    let p = wait_for("the sleep", Duration::from_secs(10), || {
        sampled(&mut source, s.pid()).filter(|p| !p.facts.cmd.is_empty())
    });
    assert_eq!(p.facts.cmd.first(), Some("sl\\xffeep"));
    assert_eq!(p.cwd.as_deref(), Some(dir.as_path()));
    let doc = swarmtop_json(tmp.path().to_str().unwrap());
    let p = all_procs(&doc).into_iter().find(|p| p["pid"] == s.pid()).cloned().expect("listed");
    assert_eq!(p["cmd"][0], "sl\\xffeep");
    assert_eq!(p["cmd_bytes"][0], serde_json::json!(b"sl\xffeep".to_vec()));
    let cwd_bytes: Vec<u8> = dir.as_os_str().as_bytes().to_vec();
    assert_eq!(p["cwd_bytes"], serde_json::json!(cwd_bytes));
}

/// A program whose main thread calls `pthread_exit` while a second thread sleeps.
fn zombie_leader_program(dir: &Path) -> Option<PathBuf> {
    if !has("cc") {
        eprintln!("skipped: no C compiler (cc)");
        return None;
    }
    let src = dir.join("leader.c");
    std::fs::write(
        &src,
        "#include <pthread.h>\n#include <unistd.h>\n\
         static void *run(void *a) { (void)a; for (;;) pause(); return 0; }\n\
         int main(void) { pthread_t t; pthread_create(&t, 0, run, 0); pthread_exit(0); }\n",
    )
    .unwrap();
    let bin = dir.join("leader");
    let out = Command::new("cc").arg("-pthread").arg("-o").arg(&bin).arg(&src).output().unwrap();
    assert!(out.status.success(), "cc: {}", String::from_utf8_lossy(&out.stderr));
    Some(bin)
}

#[test]
fn a_zombie_leader_with_a_live_thread_is_alive_and_placed() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(bin) = zombie_leader_program(tmp.path()) else { return };
    let r = repo(tmp.path(), "threads");
    let wt = worktree(&r, &tmp.path().join("wt/7c7c-threads"), "vk/7c7c-threads");
    let name = label("leader", "bin");
    let mut cmd = Command::new(&bin);
    cmd.arg0(&name).current_dir(&wt);
    let leader = Started::new(cmd);
    let pid = leader.pid();
    let stat = wait_for("the leader's exit", Duration::from_secs(10), || {
        procfs::read_stat(pid, &mut Vec::new()).filter(|s| s.state == 'Z')
    });
    assert!(procfs::thread_group_alive(pid, &stat), "a thread of the group runs");
    let mut source = ProcfsSource::new().unwrap();
    let p = sampled(&mut source, pid).expect("listed");
    assert_ne!(p.state, ProcState::Zombie);
    assert_eq!(p.cwd.as_deref(), Some(wt.as_path()));
    assert_eq!(p.facts.cmd.first(), Some(name.as_str()));
    let mut sampler = live_sampler();
    let attempt = wait_for("the leader placed", Duration::from_secs(10), || {
        attempt_of(&sample_forest(&mut sampler), &name)
    });
    assert!(attempt.contains("7c7c"), "{attempt}");
}

#[test]
fn a_real_zombie_is_not_alive() {
    let mut cmd = Command::new("bash");
    // The child exits only once its parent is `sleep` (which never reaps): if it exited
    // before the exec, bash would reap it and no zombie would ever appear.
    cmd.args([
        "-c",
        "(until read -r c < /proc/$$/comm && [ \"$c\" = sleep ]; do sleep 0.01; done) & exec sleep 600",
    ]);
    let parent = Started::new(cmd);
    let mut buf = Vec::new();
    let (pid, stat) = wait_for("the unreaped child", Duration::from_secs(10), || {
        procfs::list_pids().into_iter().find_map(|pid| {
            let s = procfs::read_stat(pid, &mut buf)?;
            (s.ppid == parent.pid() && s.state == 'Z').then_some((pid, s))
        })
    });
    assert!(!procfs::thread_group_alive(pid, &stat));
}

/// Statistical, and so at the mercy of the scheduler on a loaded box: ignored by
/// default. Measured on a shared 2-core box: 81-181 of 200 refreshes listed the hopper
/// before the second listing, 195-198 after.
#[test]
#[ignore = "statistical: scheduling on a busy box decides the outcome"]
fn a_pid_hopper_is_listed_in_nearly_every_refresh() {
    let tmp = tempfile::tempdir().unwrap();
    let mut procs = Sessions::default();
    let sid = procs.spawn(&label("hop", "x"), tmp.path(), "hop() { sleep 0.002; hop & exit 0; }; hop");
    let mut source = ProcfsSource::new().unwrap();
    let listed = |source: &mut ProcfsSource| {
        source.refresh().unwrap().iter().any(|p| p.sid == sid && p.state != ProcState::Zombie)
    };
    wait_for("the hopper", Duration::from_secs(10), || listed(&mut source).then_some(()));
    let rounds = 200;
    let seen = (0..rounds).filter(|_| listed(&mut source)).count();
    eprintln!("hopper listed in {seen} of {rounds} refreshes");
    assert!(seen * 100 >= rounds * 97, "hopper listed in only {seen} of {rounds} refreshes");
}
