//! Builders for literal processes and snapshots, for unit, view and integration tests
//! only (the `test-support` feature). Plain data; nothing here touches the OS.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::argv::Argv;
use super::process::{ProcKey, ProcState, Process, ProcessFacts};
use super::snapshot::{Snapshot, Worktree};

/// A process with sensible defaults: its own start time = pid, session and group of
/// its parent's choosing (set with `.session()`), user `dev`.
pub fn process(pid: u32, ppid: u32, argv: &str) -> Process {
    let cmd: Argv = argv.split_whitespace().collect();
    let name =
        cmd.first().map(|a| a.rsplit('/').next().unwrap_or(a).chars().take(15).collect()).unwrap_or_default();
    Process {
        // pid 0 is the only rejected key; fixtures never use it.
        key: ProcKey::new(pid, u64::from(pid) * 10).unwrap_or_else(|| panic!("fixture pid 0")),
        ppid,
        pgid: ppid.max(1),
        sid: ppid.max(1),
        cwd: None,
        state: ProcState::Sleeping,
        cpu_percent: 0.0,
        memory_bytes: 1024 * 1024,
        nice: 0,
        threads: 1,
        kernel_thread: false,
        ports: Some(Arc::from([])),
        usage: None,
        facts: Arc::new(ProcessFacts {
            name,
            uid: Some(1000),
            user: "dev".into(),
            cmd,
            tags: Vec::new(),
            ..ProcessFacts::default()
        }),
    }
}

pub trait ProcessExt {
    fn cwd(self, dir: &str) -> Self;
    fn session_leader(self) -> Self;
    fn cpu(self, percent: f32) -> Self;
    fn mem(self, bytes: u64) -> Self;
    /// Its `smaps_rollup` reading (pss mode).
    fn pss(self, pss: super::usage::Pss) -> Self;
    /// Its I/O rate, read and write bytes per second.
    fn io(self, read: u64, write: u64) -> Self;
    fn state(self, state: ProcState) -> Self;
    fn user(self, name: &str, uid: u32) -> Self;
    fn started(self, ticks: u64) -> Self;
    fn env(self, key: &str, value: &str) -> Self;
    fn nice(self, nice: i8) -> Self;
    fn threads(self, threads: u32) -> Self;
}

impl ProcessExt for Process {
    fn cwd(mut self, dir: &str) -> Self {
        self.cwd = Some(Path::new(dir).into());
        self
    }
    fn session_leader(mut self) -> Self {
        self.sid = self.pid();
        self.pgid = self.pid();
        self
    }
    fn cpu(mut self, percent: f32) -> Self {
        self.cpu_percent = percent;
        self
    }
    fn mem(mut self, bytes: u64) -> Self {
        self.memory_bytes = bytes;
        self
    }
    fn pss(mut self, pss: super::usage::Pss) -> Self {
        let usage = super::usage::Usage { pss, ..self.usage.as_deref().copied().unwrap_or_default() };
        self.usage = usage.shared();
        self
    }
    fn io(mut self, read: u64, write: u64) -> Self {
        let io = Some(super::usage::IoRate { read, write });
        let usage = super::usage::Usage { io, ..self.usage.as_deref().copied().unwrap_or_default() };
        self.usage = usage.shared();
        self
    }
    fn state(mut self, state: ProcState) -> Self {
        self.state = state;
        self
    }
    fn user(mut self, name: &str, uid: u32) -> Self {
        let facts = Arc::make_mut(&mut self.facts);
        facts.user = name.into();
        facts.uid = Some(uid);
        self
    }
    fn started(mut self, ticks: u64) -> Self {
        self.key = ProcKey::new(self.pid(), ticks).unwrap_or(self.key);
        self
    }
    fn env(mut self, key: &str, value: &str) -> Self {
        Arc::make_mut(&mut self.facts).tags.push((key.to_string(), value.to_string()));
        self
    }
    fn nice(mut self, nice: i8) -> Self {
        self.nice = nice;
        self
    }
    fn threads(mut self, threads: u32) -> Self {
        self.threads = threads;
        self
    }
}

pub fn linked_worktree(path: &str, project: &str, branch: &str) -> Worktree {
    Worktree {
        path: PathBuf::from(path),
        project_path: PathBuf::from(project),
        branch: Some(branch.to_string()),
        detached_at: None,
        is_main: false,
        source: crate::model::AttemptSource::Git,
        layout_dir: None,
    }
}

pub fn main_worktree(project: &str, branch: &str) -> Worktree {
    Worktree { is_main: true, ..linked_worktree(project, project, branch) }
}

pub fn snapshot(processes: Vec<Process>, worktrees: Vec<Worktree>) -> Snapshot {
    Snapshot::of_devbox(processes, worktrees)
}

/// A small swarm with every kind of row: two projects, a task with two attempts,
/// a busy compile, a stopped and a zombie process, an orphaned leak, a hostile name,
/// and processes outside every attempt. Used by view tests.
pub fn swarm_snapshot() -> Snapshot {
    const MIB: u64 = 1024 * 1024;
    let worktrees = vec![
        main_worktree("/src/alpha", "main"),
        linked_worktree("/wt/1a2b-add-login/alpha", "/src/alpha", "vk/1a2b-add-login"),
        linked_worktree("/wt/3c4d-add-login/alpha", "/src/alpha", "vk/3c4d-add-login"),
        main_worktree("/src/beta", "main"),
    ];
    let processes = vec![
        process(1, 0, "/sbin/init").cwd("/").session_leader().mem(12 * MIB),
        process(100, 90, "claude --resume").cwd("/wt/1a2b-add-login/alpha").cpu(12.5).mem(310 * MIB),
        process(101, 100, "cargo test --workspace").cwd("/tmp").cpu(85.0).mem(1200 * MIB).threads(18),
        process(102, 101, "rustc --crate-name alpha").cwd("/tmp").cpu(40.0).mem(800 * MIB),
        process(103, 100, "rust-analyzer").cwd("/wt/1a2b-add-login/alpha").cpu(0.5).mem(420 * MIB).nice(10),
        process(110, 90, "codex").cwd("/wt/3c4d-add-login/alpha").cpu(2.0).mem(150 * MIB),
        process(111, 110, "npm test").cwd("/wt/3c4d-add-login/alpha").state(ProcState::Stopped).mem(60 * MIB),
        process(112, 1, "node watcher.js").cwd("/wt/3c4d-add-login/alpha").cpu(0.1).mem(45 * MIB),
        process(120, 90, "npm run dev").cwd("/src/alpha").session_leader().mem(70 * MIB),
        process(121, 120, "node node_modules/.bin/vite").cwd("/src/alpha").cpu(3.0).mem(180 * MIB),
        process(130, 90, "aider --model sonnet").cwd("/src/beta").cpu(1.0).mem(95 * MIB),
        process(131, 130, "git").cwd("/src/beta").state(ProcState::Zombie).mem(0),
        process(140, 130, "evil\x1b]0;pwned\x07\x1b[31mred").cwd("/src/beta").mem(2 * MIB),
        process(90, 1, "tmux").cwd("/home/dev").session_leader().mem(8 * MIB),
        process(200, 1, "sshd").cwd("/").session_leader().mem(9 * MIB).user("root", 0).nice(-5),
        process(201, 200, "bash").cwd("/home/dev").session_leader().mem(5 * MIB),
    ];
    snapshot(processes, worktrees)
}
