//! One sample of the box: every process plus the git worktrees their cwds live in.

use std::path::PathBuf;
use std::sync::Arc;

use super::forest::AttemptSource;
use super::process::{ProcKey, Process};

/// A git worktree found by walking up from some process's cwd.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Worktree {
    /// The directory that holds the `.git` file or directory.
    pub path: PathBuf,
    /// The project's main worktree (or bare repository) directory.
    pub project_path: PathBuf,
    /// `None` on a detached HEAD.
    pub branch: Option<String>,
    /// Abbreviated commit when detached.
    pub detached_at: Option<String>,
    /// True for the project's main worktree (a `.git` directory).
    pub is_main: bool,
    /// The orchestrator that made it, when its layout says so (else `Git`).
    pub source: AttemptSource,
    /// An orchestrator's directory that holds the worktree and where its agent works
    /// (vibe-kanban's `<hex>-<slug>` workspace): cwds there belong to this worktree too.
    pub layout_dir: Option<PathBuf>,
}

/// A Claude Code session file (`<claude config dir>/sessions/<pid>.json`), trusted only
/// when its `proc_start` equals the start ticks of the process with that pid.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClaudeSession {
    pub pid: u32,
    pub session_id: String,
    pub proc_start: Option<u64>,
    pub name: Option<String>,
    pub status: Option<String>,
    /// The background job it runs (`jobId`, 2.1.139+), when it is one.
    pub job_id: Option<String>,
    /// When `status` last changed (`statusUpdatedAt`, ms since the epoch).
    pub status_since_ms: Option<u64>,
    /// What a `waiting` session waits for (`waitingFor`: "permission prompt", …).
    pub waiting_for: Option<String>,
    /// Its tmux pane as `session:@window.%pane` (`tmux`, newer builds).
    pub tmux: Option<String>,
    /// Who owns the directory it was read from (see `sample::keyed`).
    pub owner: Option<u32>,
}

/// A Claude Code background job (`<claude config dir>/jobs/<id>/state.json`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClaudeJob {
    pub id: String,
    pub session_id: Option<String>,
    /// `working`, `blocked`, `done` or `stopped`.
    pub state: Option<String>,
    pub name: Option<String>,
}

/// When a recorded process started, as its record says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordedStart {
    /// Clock ticks since boot, like the start half of a ProcKey.
    Ticks(u64),
    /// `ps -o lstart=` text in the recorder's local time (`Wed Dec  2 10:23:42 2026`).
    LocalTime(String),
}

/// A state file that names a process as a shared service: Codex's app-server daemon pid
/// files, Claude Code's daemon status and roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRecord {
    pub pid: u32,
    pub start: RecordedStart,
    pub owner: Option<u32>,
}

/// A process tree started by `swarmtop run`: the wrapper's identity, its command's,
/// and where they belong (placement rule 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryEntry {
    pub key: ProcKey,
    pub child: Option<ProcKey>,
    pub project: String,
    pub task: String,
    pub attempt: String,
    pub cwd: PathBuf,
}

/// A process an orchestrator recorded in its own state files (KILD/shards sessions,
/// Script Kit's running scripts), with the identity it recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalSession {
    pub source: AttemptSource,
    pub pid: u32,
    /// `comm` as the orchestrator saw it, when recorded.
    pub comm: Option<String>,
    /// Start time in seconds since the epoch, when recorded (checked to ±2 s).
    pub start_epoch_secs: Option<u64>,
    /// The worktree it works in, when recorded.
    pub worktree: Option<PathBuf>,
    pub project: String,
    pub task: String,
    pub attempt: String,
    /// Who owns the directory it was read from (see `sample::keyed`).
    pub owner: Option<u32>,
}

/// A session that names the directory it works in: a Codex thread (`threads` in
/// `~/.codex/state_5.sqlite`) or a Crystal session (`sessions` in `~/.crystal/sessions.db`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NamedWorkspace {
    pub id: String,
    pub cwd: PathBuf,
    pub branch: Option<String>,
    /// A Codex thread's `name`, else its `title`.
    pub title: Option<String>,
    /// Who owns the directory it was read from (see `sample::keyed`).
    pub owner: Option<u32>,
}

/// An orchestrator's task title for a workspace branch (vibe-kanban's database,
/// claude-squad's state file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskTitle {
    pub branch: String,
    pub title: String,
    pub project: Option<String>,
    /// vibe-kanban's workspace (formerly task attempt) id, as `VK_WORKSPACE_ID` and
    /// `VK_ATTEMPT_ID` carry it; KILD v2's kild id, as `KILD_KILD_ID` carries it.
    pub workspace_id: Option<String>,
}

/// Everything association needs from one refresh. Immutable once published.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub host: String,
    /// Wall-clock time of the sample, milliseconds since the Unix epoch.
    pub sampled_at_ms: u64,
    /// Clock ticks per second, to turn start ticks into times.
    pub ticks_per_second: u64,
    /// Boot time, seconds since the epoch (start ticks are relative to it).
    pub boot_time_secs: u64,
    /// swarmtop's own PID (never killed, shown like any other process).
    pub self_pid: u32,
    pub processes: Vec<Process>,
    /// Listening sockets no process of `processes` was seen to hold.
    pub unowned_ports: Vec<super::ports::Port>,
    pub worktrees: Vec<Worktree>,
    pub total_memory_bytes: u64,
    pub claude_sessions: Shared<ClaudeSession>,
    /// Live entries of the `swarmtop run` registry.
    pub registry: Shared<RegistryEntry>,
    /// Orchestrators' recorded processes.
    pub external: Shared<ExternalSession>,
    pub codex_threads: Shared<NamedWorkspace>,
    pub crystal_sessions: Shared<NamedWorkspace>,
    pub task_titles: Shared<TaskTitle>,
    pub claude_jobs: Shared<ClaudeJob>,
    /// Processes that state files name as shared services.
    pub services: Shared<ServiceRecord>,
    /// Problems with state files (file and field), for the caller to report once.
    pub warnings: Vec<String>,
}

impl Snapshot {
    /// A snapshot of a made-up box (host `devbox`, 16 GiB, fixed clock): the data of the
    /// benchmarks and of the test fixtures.
    pub fn of_devbox(processes: Vec<Process>, worktrees: Vec<Worktree>) -> Snapshot {
        Snapshot {
            host: "devbox".to_string(),
            sampled_at_ms: 1_700_000_000_000,
            ticks_per_second: 100,
            boot_time_secs: 1_699_990_000,
            self_pid: 9999,
            processes,
            worktrees,
            total_memory_bytes: 16 * 1024 * 1024 * 1024,
            ..Snapshot::default()
        }
    }
}

/// Rows read from state files, shared by every snapshot until the files change (a
/// refresh of unchanged files hands out the same allocation). Mutable access copies
/// first when the rows are shared, so a published snapshot never changes.
#[derive(Debug)]
pub struct Shared<T>(Arc<Vec<T>>);

impl<T> Shared<T> {
    /// Whether both hold the very same rows (not merely equal ones).
    pub fn ptr_eq(a: &Shared<T>, b: &Shared<T>) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Shared<T> {
        Shared(Arc::clone(&self.0))
    }
}

impl<T> Default for Shared<T> {
    fn default() -> Shared<T> {
        Shared(Arc::new(Vec::new()))
    }
}

impl<T> From<Vec<T>> for Shared<T> {
    fn from(rows: Vec<T>) -> Shared<T> {
        Shared(Arc::new(rows))
    }
}

impl<T> FromIterator<T> for Shared<T> {
    fn from_iter<I: IntoIterator<Item = T>>(rows: I) -> Shared<T> {
        Shared::from(rows.into_iter().collect::<Vec<T>>())
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.0
    }
}

impl<T: Clone> std::ops::DerefMut for Shared<T> {
    fn deref_mut(&mut self) -> &mut Vec<T> {
        Arc::make_mut(&mut self.0)
    }
}

impl<T: PartialEq> PartialEq for Shared<T> {
    fn eq(&self, other: &Shared<T>) -> bool {
        self.0 == other.0
    }
}

impl<T: Eq> Eq for Shared<T> {}

impl<'a, T> IntoIterator for &'a Shared<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}
