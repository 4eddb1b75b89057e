//! A process as swarmtop sees it, and its identity.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use super::argv::Argv;
use super::ports::Port;
use super::usage::{IoRate, Pss, Usage};

/// A process's identity: PID plus its start time in clock ticks since boot
/// (field 22 of `/proc/PID/stat`), so a reused PID is a different process.
/// On the wire (remote::wire) it is `[pid, start_time]`; PID 0 is refused there too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(into = "(u32, u64)", try_from = "(u32, u64)")]
pub struct ProcKey {
    pid: u32,
    start_time: u64,
}

impl ProcKey {
    /// `None` for PID 0, which is never a real process.
    pub fn new(pid: u32, start_time: u64) -> Option<ProcKey> {
        (pid != 0).then_some(ProcKey { pid, start_time })
    }

    pub fn pid(self) -> u32 {
        self.pid
    }

    pub fn start_time(self) -> u64 {
        self.start_time
    }
}

impl From<ProcKey> for (u32, u64) {
    fn from(k: ProcKey) -> (u32, u64) {
        (k.pid, k.start_time)
    }
}

impl TryFrom<(u32, u64)> for ProcKey {
    type Error = &'static str;
    fn try_from((pid, start_time): (u32, u64)) -> Result<ProcKey, &'static str> {
        ProcKey::new(pid, start_time).ok_or("PID 0 is no process")
    }
}

impl fmt::Display for ProcKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.pid, self.start_time)
    }
}

/// Scheduler state, from the state letter of `/proc/PID/stat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProcState {
    Running,
    Sleeping,
    DiskSleep,
    Stopped,
    Traced,
    Zombie,
    Dead,
    Idle,
    Unknown,
}

impl ProcState {
    pub fn from_stat_char(c: char) -> ProcState {
        match c {
            'R' => ProcState::Running,
            'S' => ProcState::Sleeping,
            'D' => ProcState::DiskSleep,
            'T' => ProcState::Stopped,
            't' => ProcState::Traced,
            'Z' => ProcState::Zombie,
            'X' | 'x' => ProcState::Dead,
            'I' => ProcState::Idle,
            _ => ProcState::Unknown,
        }
    }

    /// The letter of `/proc/PID/stat` (and of `ps` and htop).
    pub fn letter(self) -> char {
        match self {
            ProcState::Running => 'R',
            ProcState::Sleeping => 'S',
            ProcState::DiskSleep => 'D',
            ProcState::Stopped => 'T',
            ProcState::Traced => 't',
            ProcState::Zombie => 'Z',
            ProcState::Dead => 'X',
            ProcState::Idle => 'I',
            ProcState::Unknown => '?',
        }
    }

    /// The name used in JSON and the detail pane.
    pub fn as_str(self) -> &'static str {
        match self {
            ProcState::Running => "running",
            ProcState::Sleeping => "sleeping",
            ProcState::DiskSleep => "disk-sleep",
            ProcState::Stopped => "stopped",
            ProcState::Traced => "traced",
            ProcState::Zombie => "zombie",
            ProcState::Dead => "dead",
            ProcState::Idle => "idle",
            ProcState::Unknown => "unknown",
        }
    }

    /// States worth flagging on a row: a process that is not doing its normal thing.
    pub fn is_notable(self) -> bool {
        matches!(
            self,
            ProcState::Stopped
                | ProcState::Traced
                | ProcState::Zombie
                | ProcState::Dead
                | ProcState::DiskSleep
        )
    }
}

/// What is read once per process (ProcKey) and shared by every sample of it, so a
/// refresh copies one pointer instead of each field.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ProcessFacts {
    /// Short name (`comm`); may be stale after exec, so display prefers `cmd`.
    pub name: Box<str>,
    /// `name` is escaped text (`model::argv::escape_bytes`): `comm` was not UTF-8.
    pub name_escaped: bool,
    pub uid: Option<u32>,
    /// Shared by every process of the same user.
    pub user: Arc<str>,
    pub cmd: Argv,
    /// The environment variables that can place a process (`model::tags`), read once
    /// per ProcKey and only for the caller's own processes; empty otherwise.
    pub tags: Vec<(String, String)>,
    /// Where this process's agents keep their state (`model::homes`), shared by every
    /// process with the same values; `None` when its environment was not read.
    pub homes: Option<Arc<super::homes::StateHomes>>,
    /// The program's resolved path (its exe, or its script's real path), read only when
    /// the name alone cannot tell an agent (`model::agent::needs_program_path`).
    pub program_path: Option<Box<str>>,
}

/// One live process, as sampled. Plain data: no OS handles.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Process {
    pub key: ProcKey,
    pub ppid: u32,
    pub pgid: u32,
    pub sid: u32,
    /// `None` when unreadable (other users' processes) or gone.
    #[serde(with = "super::wire_path::option_arc")]
    pub cwd: Option<Arc<Path>>,
    pub state: ProcState,
    pub cpu_percent: f32,
    pub memory_bytes: u64,
    /// The nice value, -20 (first) to 19 (last).
    pub nice: i8,
    /// Threads in the group.
    pub threads: u32,
    /// Kernel threads have no user-space memory map and are never placed or killed.
    pub kernel_thread: bool,
    /// Not in a Process's own serialisation: the wire sends facts once per ProcKey, in a
    /// table of their own (remote::wire), and sets them again on arrival.
    #[serde(skip)]
    pub facts: Arc<ProcessFacts>,
    /// Its listening TCP and bound UDP sockets, lowest port first; `None` when its file
    /// descriptors could not be read (another user's process) or were not looked at.
    pub ports: Option<Arc<[Port]>>,
    /// Its PSS (pss mode) and I/O rate (the IO column), where measured; `None` when
    /// neither is. Absent on the wire from a peer that measures neither.
    #[serde(default)]
    pub usage: Option<Arc<Usage>>,
}

impl Process {
    /// Its proportional set size and swap, in pss mode (`Pss::Unmeasured` otherwise).
    pub fn pss(&self) -> Pss {
        self.usage.as_ref().map_or(Pss::Unmeasured, |u| u.pss)
    }

    /// Its I/O rate over the last refresh; `None` when unknown.
    pub fn io(&self) -> Option<IoRate> {
        self.usage.as_ref().and_then(|u| u.io)
    }

    pub fn pid(&self) -> u32 {
        self.key.pid()
    }

    /// The name to show: the basename of argv[0] when there is one (names go stale
    /// after exec), else `comm`.
    pub fn display_name(&self) -> &str {
        self.facts
            .cmd
            .first()
            .map(|a| a.rsplit('/').next().unwrap_or(a))
            .filter(|s| !s.is_empty())
            .unwrap_or(&self.facts.name)
    }

    /// The value of one placing environment variable.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.facts.tags.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
    }

    /// The command line joined with spaces, or `[name]` for processes without argv.
    pub fn command_line(&self) -> String {
        let f = &self.facts;
        if f.cmd.is_empty() { format!("[{}]", f.name) } else { f.cmd.join(" ") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pid_zero_is_rejected() {
        assert_eq!(ProcKey::new(0, 5), None);
        assert_eq!(ProcKey::new(7, 5).map(|k| (k.pid(), k.start_time())), Some((7, 5)));
    }

    #[test]
    fn reused_pid_is_a_different_key() {
        assert_ne!(ProcKey::new(42, 100), ProcKey::new(42, 101));
    }

    #[test]
    fn stat_letters_map_to_states() {
        let names: Vec<&str> = "RSDTtZXI".chars().map(|c| ProcState::from_stat_char(c).as_str()).collect();
        assert_eq!(
            names,
            ["running", "sleeping", "disk-sleep", "stopped", "traced", "zombie", "dead", "idle"]
        );
        assert_eq!(ProcState::from_stat_char('W'), ProcState::Unknown);
        for c in "RSDTtZXI".chars() {
            assert_eq!(ProcState::from_stat_char(c).letter(), c);
        }
    }
}
