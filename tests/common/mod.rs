//! Shared helpers for integration tests: real git repos in a tempdir, process trees
//! in sessions of their own that are always killed by session id, and waiting on
//! conditions with deadlines.
#![allow(dead_code)] // each test binary uses a different subset

pub mod binary;
pub mod links;
pub mod listener;
pub mod sentinel;
pub mod sshd;
pub mod tmux;
pub mod tui;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use swarmtop::associate::{Options, associate};
use swarmtop::kill::sessions;
use swarmtop::model::{Forest, ProcNode};
use swarmtop::sample::{HostFacts, ProcfsSource, Sampler};

pub fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A repository with one commit on `main` at `<tmp>/<name>`.
pub fn repo(tmp: &Path, name: &str) -> PathBuf {
    let path = tmp.join(name);
    std::fs::create_dir_all(&path).unwrap();
    git(&path, &["init", "-q", "-b", "main"]);
    std::fs::write(path.join("README"), "x\n").unwrap();
    git(&path, &["add", "README"]);
    git(&path, &["commit", "-q", "-m", "init"]);
    path
}

/// `git worktree add -b branch <path>`; returns the worktree path.
pub fn worktree(repo: &Path, path: &Path, branch: &str) -> PathBuf {
    git(repo, &["worktree", "add", "-q", "-b", branch, path.to_str().unwrap()]);
    path.to_path_buf()
}

/// A repository with two linked worktrees, `wt-a` and `wt-b`, in attempts of their own.
pub struct TwoWorktrees {
    pub tmp: tempfile::TempDir,
    pub wt_a: PathBuf,
    pub wt_b: PathBuf,
}

/// What a failed kill test leaves (a grandchild that escaped into a session of its own, a
/// PID hopper) is still under the test's own directory: killed by cwd when the worktrees go.
impl Drop for TwoWorktrees {
    fn drop(&mut self) {
        kill_processes_under(self.tmp.path(), Duration::from_secs(10));
    }
}

/// SIGKILLs every process working under `root` (and its process group, unless that is the
/// test's own) until none is left or `within` passes.
pub fn kill_processes_under(root: &Path, within: Duration) {
    use rustix::process::{Pid, Signal, getpgrp, kill_process, kill_process_group};
    let deadline = Instant::now() + within;
    let own_group = getpgrp().as_raw_nonzero().get() as u32;
    let mut buf = Vec::new();
    loop {
        let left = processes_under(root);
        if left.is_empty() || Instant::now() >= deadline {
            return;
        }
        for pid in left {
            let group = swarmtop::procfs::read_stat(pid, &mut buf).map(|s| s.pgid);
            if let Some(g) = group.filter(|&g| g > 1 && g != own_group).and_then(|g| Pid::from_raw(g as i32))
            {
                let _ = kill_process_group(g, Signal::KILL);
            }
            if let Some(p) = Pid::from_raw(pid as i32) {
                let _ = kill_process(p, Signal::KILL);
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Two worktrees of a repository named `<prefix><test pid><name>`, on branches `name-a`, `name-b`.
pub fn two_worktrees(prefix: &str, name: &str) -> TwoWorktrees {
    let tmp = tempfile::tempdir().unwrap();
    let r = repo(tmp.path(), &format!("{prefix}{}{name}", std::process::id()));
    let wt_a = worktree(&r, &tmp.path().join("wt-a"), &format!("{name}-a"));
    let wt_b = worktree(&r, &tmp.path().join("wt-b"), &format!("{name}-b"));
    TwoWorktrees { tmp, wt_a, wt_b }
}

/// Process trees started by a test, each in its own session; killed by session id on drop.
#[derive(Default)]
pub struct Sessions {
    children: Vec<Child>,
}

impl Sessions {
    /// Starts `bash -c script` with argv[0] `label`, in `cwd`, as a session leader.
    pub fn spawn(&mut self, label: &str, cwd: &Path, script: &str) -> u32 {
        let mut cmd = Command::new("bash");
        cmd.arg0(label)
            .arg("-c")
            .arg(script)
            .current_dir(cwd)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        sessions::in_new_session(&mut cmd);
        let child = cmd.spawn().expect("spawn bash");
        let pid = child.id();
        self.children.push(child);
        pid
    }

    pub fn sids(&self) -> Vec<u32> {
        self.children.iter().map(Child::id).collect()
    }

    pub fn kill_all(&mut self) {
        let left = sessions::kill_sessions(&self.sids(), Duration::from_secs(10));
        assert!(left.is_empty() || std::thread::panicking(), "could not kill {left:?}");
        for c in &mut self.children {
            let _ = c.wait();
        }
        self.children.clear();
    }
}

impl Drop for Sessions {
    fn drop(&mut self) {
        self.kill_all();
    }
}

/// Runs the built binary with the default configuration and no stdin (so no terminal).
pub fn swarmtop(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_swarmtop"))
        .args(args)
        .env("XDG_CONFIG_HOME", "/nonexistent-swarmtop-test")
        .stdin(Stdio::null())
        .output()
        .expect("run swarmtop")
}

/// A command's stdout as JSON, or a panic that shows what it printed.
pub fn json_of(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    })
}

/// Starts `bash -c script` in `dir`, in a session of its own, as PID `pid` (a PID that
/// is free: it is taken on purpose through `ns_last_pid`, which needs root), trying for
/// up to `within`; `None` when other processes took it every time.
pub fn spawn_as_pid(pid: u32, script: &str, dir: &Path, within: Duration) -> Option<(SessionGuard, Child)> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        std::fs::write("/proc/sys/kernel/ns_last_pid", (pid - 1).to_string()).ok()?;
        let mut c = Command::new("bash");
        c.arg("-c").arg(script).current_dir(dir).stdin(Stdio::null());
        sessions::in_new_session(&mut c);
        let mut child = c.spawn().ok()?;
        if child.id() == pid {
            return Some((SessionGuard(child.id()), child));
        }
        sessions::kill_sessions(&[child.id()], Duration::from_secs(10));
        let _ = child.wait();
    }
    None
}

/// Every process object of a `list --json` document, with the id of its attempt.
pub fn json_processes(doc: &serde_json::Value) -> Vec<(String, serde_json::Value)> {
    let mut out = Vec::new();
    let mut stack: Vec<(String, serde_json::Value)> = Vec::new();
    for p in doc["projects"].as_array().into_iter().flatten() {
        for t in p["tasks"].as_array().into_iter().flatten() {
            for a in t["attempts"].as_array().into_iter().flatten() {
                let id = a["id"].as_str().unwrap().to_string();
                stack
                    .extend(a["processes"].as_array().into_iter().flatten().map(|p| (id.clone(), p.clone())));
            }
        }
    }
    for p in doc["unassigned"].as_array().into_iter().flatten() {
        stack.push((String::new(), p.clone()));
    }
    while let Some((id, p)) = stack.pop() {
        stack.extend(p["children"].as_array().into_iter().flatten().map(|c| (id.clone(), c.clone())));
        out.push((id, p));
    }
    out
}

/// Polls `f` until it returns Some or the deadline passes.
pub fn wait_for<T>(what: &str, within: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + within;
    let mut pause = Duration::from_millis(5);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(100));
    }
}

pub fn live_sampler() -> Sampler {
    Sampler::new(Box::new(ProcfsSource::new().expect("procfs")), HostFacts::read())
}

/// What a real kill re-samples with: a live sampler, default association.
pub fn live_resample() -> swarmtop::kill::pidfd::Resample {
    swarmtop::cli::resample(live_sampler(), &swarmtop::config::Config::default())
}

pub fn sample_forest(sampler: &mut Sampler) -> Forest {
    associate(&sampler.sample().expect("sample"), &Options::default())
}

/// Finds the process node whose argv[0] is `label`.
pub fn find_label<'a>(forest: &'a Forest, label: &str) -> Option<&'a ProcNode> {
    forest.find_process(|n| n.process.facts.cmd.first() == Some(label))
}

/// The id of the attempt holding the process labelled `label`, or None when unassigned.
pub fn attempt_of(forest: &Forest, label: &str) -> Option<String> {
    forest
        .attempts()
        .find_map(|(_, _, a)| a.processes.iter().any(|n| contains(n, label)).then(|| a.id.to_string()))
}

fn contains(n: &ProcNode, label: &str) -> bool {
    n.process.facts.cmd.first() == Some(label) || n.children.iter().any(|c| contains(c, label))
}

/// A unique label so parallel tests never see each other's processes.
pub fn label(test: &str, role: &str) -> String {
    format!("st-{}-{test}-{role}", std::process::id())
}

/// Live processes whose cwd is at or below `root`.
pub fn processes_under(root: &Path) -> Vec<u32> {
    swarmtop::procfs::list_pids()
        .into_iter()
        .filter(|pid| std::fs::read_link(format!("/proc/{pid}/cwd")).is_ok_and(|c| c.starts_with(root)))
        .collect()
}

/// The state letter of `pid` from `/proc/PID/stat`, None once it is gone.
pub fn state(pid: u32) -> Option<char> {
    swarmtop::procfs::read_stat(pid, &mut Vec::new()).map(|s| s.state)
}

/// Exists and is not a zombie.
pub fn alive(pid: u32) -> bool {
    state(pid).is_some_and(|s| s != 'Z')
}

/// The id of the attempt at `path`, as the command line takes it.
pub fn attempt_at(forest: &Forest, path: &Path) -> Option<String> {
    forest.attempts().find(|(_, _, a)| a.path == path).map(|(_, _, a)| a.id.to_string())
}

/// Kills a session by its id when the test ends, passed or failed.
pub struct SessionGuard(pub u32);

impl Drop for SessionGuard {
    fn drop(&mut self) {
        sessions::kill_sessions(&[self.0], Duration::from_secs(10));
    }
}
