//! The Linux fast path: per refresh, `/proc/PID/stat` of every process, and the cwd
//! link of the processes that ran since the last refresh plus a rolling share of the
//! rest; `cmdline`, `status` and `environ` once per ProcKey (cached,
//! evicted when the process is gone). Nothing is allocated per process in steady state.

use std::collections::{HashMap, HashSet};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use super::procfs::{self, ProcDir, StatFields};
use super::users::UserNames;
use super::{ProcessSource, SampleError};
use crate::model::{ProcKey, ProcState, Process, ProcessFacts};

/// A process that did not run (same CPU ticks and minor faults) cannot have changed
/// its cwd... unless it ran for less than a tick without faulting, so every cwd is
/// also re-read at least once in this many refreshes, a share of them each time.
pub const CWD_SWEEP: u64 = 4;

/// Facts are read once per ProcKey. exec keeps the PID and start time, so they are
/// read again when `comm` changes under the same key.
#[derive(Debug, Clone)]
struct Seen {
    facts: Arc<ProcessFacts>,
    cpu_ticks: u64,
    minor_faults: u64,
    cwd: Option<Arc<Path>>,
    generation: u64,
}

pub struct ProcfsSource {
    proc: ProcDir,
    page_size: u64,
    ticks_per_second: u64,
    seen: HashMap<ProcKey, Seen>,
    generation: u64,
    last_refresh: Option<Instant>,
    users: UserNames,
    cwds: Cwds,
    own_uid: u32,
    /// Reused buffers: file contents, link targets, the PID list, one parsed stat line.
    buf: Vec<u8>,
    link: Vec<u8>,
    pids: Vec<u32>,
    stat: StatFields,
}

impl ProcfsSource {
    pub fn new() -> Result<ProcfsSource, SampleError> {
        let root = Path::new("/proc");
        std::fs::metadata(root.join("self/stat"))
            .map_err(|e| SampleError::Unavailable { what: "/proc".into(), source: e })?;
        ProcfsSource::with_root(root)
    }

    /// A source reading `root` laid out like `/proc` (tests use a directory of files).
    pub fn with_root(root: &Path) -> Result<ProcfsSource, SampleError> {
        Ok(ProcfsSource {
            proc: ProcDir::open(root)
                .map_err(|e| SampleError::Unavailable { what: root.display().to_string(), source: e })?,
            page_size: rustix::param::page_size() as u64,
            ticks_per_second: rustix::param::clock_ticks_per_second(),
            seen: HashMap::new(),
            generation: 0,
            last_refresh: None,
            users: UserNames::load(),
            cwds: Cwds::default(),
            own_uid: rustix::process::getuid().as_raw(),
            buf: Vec::with_capacity(4096),
            link: Vec::new(),
            pids: Vec::new(),
            stat: StatFields::default(),
        })
    }

    /// Whether facts of this ProcKey are cached (for eviction tests).
    pub fn is_cached(&self, key: ProcKey) -> bool {
        self.seen.contains_key(&key)
    }

    fn read_facts(&mut self, stat: &StatFields) -> ProcessFacts {
        let pid = stat.pid;
        if stat.kernel_thread {
            return ProcessFacts {
                name: stat.comm.clone(),
                uid: Some(0),
                user: self.users.name(0),
                ..Default::default()
            };
        }
        let cmd = match self.proc.read(pid, "cmdline", &mut self.buf) {
            Ok(_) => procfs::parse_cmdline(&self.buf),
            Err(_) => Vec::new(),
        };
        let uid = self
            .proc
            .read(pid, "status", &mut self.buf)
            .ok()
            .and_then(|_| procfs::parse_status_uid(&String::from_utf8_lossy(&self.buf)));
        let user = uid.map_or_else(|| Arc::from(""), |u| self.users.name(u));
        // Other users' environments are private (and unreadable unless root).
        let tags = if uid.is_some_and(|u| u == self.own_uid) || self.own_uid == 0 {
            match self.proc.read(pid, "environ", &mut self.buf) {
                Ok(_) => crate::model::tags::parse_environ(&self.buf),
                Err(_) => Vec::new(),
            }
        } else {
            Vec::new()
        };
        ProcessFacts { name: stat.comm.clone(), uid, user, cmd, tags }
    }
}

/// One shared copy of each distinct cwd: the processes of a worktree share theirs.
#[derive(Default)]
struct Cwds {
    known: HashSet<Arc<Path>>,
}

impl Cwds {
    /// Reads `/proc/PID/cwd`, keeping `previous` when unchanged (no hashing, no
    /// allocation). The kernel appends ` (deleted)` to a removed directory; that is cut off.
    fn read(
        &mut self,
        proc: &mut ProcDir,
        pid: u32,
        buf: &mut Vec<u8>,
        previous: Option<&Arc<Path>>,
    ) -> Option<Arc<Path>> {
        proc.read_link(pid, "cwd", buf).ok()?;
        let target = Path::new(OsStr::from_bytes(buf.strip_suffix(b" (deleted)").unwrap_or(buf)));
        if let Some(p) = previous.filter(|p| ***p == *target) {
            return Some(p.clone());
        }
        if let Some(p) = self.known.get(target) {
            return Some(p.clone());
        }
        let p: Arc<Path> = target.into();
        self.known.insert(p.clone());
        Some(p)
    }

    /// Forgets the cwds nothing holds any more.
    fn prune(&mut self) {
        self.known.retain(|p| Arc::strong_count(p) > 1);
    }
}

impl ProcessSource for ProcfsSource {
    fn name(&self) -> &'static str {
        "procfs"
    }

    fn ticks_per_second(&self) -> u64 {
        self.ticks_per_second
    }

    fn refresh(&mut self) -> Result<Vec<Process>, SampleError> {
        let now = Instant::now();
        let elapsed = self.last_refresh.map(|t| now.duration_since(t).as_secs_f64());
        self.last_refresh = Some(now);
        self.generation += 1;
        let generation = self.generation;
        let mut pids = std::mem::take(&mut self.pids);
        self.proc
            .list(&mut pids)
            .map_err(|e| SampleError::Unavailable { what: "the process list".into(), source: e })?;
        let mut stat = std::mem::take(&mut self.stat);
        let mut out = Vec::with_capacity(pids.len());
        for &pid in &pids {
            // A process that exits between listing and reading is simply skipped.
            if self.proc.read(pid, "stat", &mut self.buf).is_err() {
                continue;
            }
            let parsed =
                std::str::from_utf8(&self.buf).ok().and_then(|l| procfs::parse_stat_into(l, &mut stat));
            let Some(key) = parsed.and_then(|()| ProcKey::new(pid, stat.start_ticks)) else {
                continue;
            };
            let process = match self.seen.get_mut(&key) {
                // After exec the comm changes under the same ProcKey: read everything again.
                // An empty argv of a user process was read mid-exec: read it again too.
                Some(seen)
                    if seen.facts.name == stat.comm && (stat.kernel_thread || !seen.facts.cmd.is_empty()) =>
                {
                    let cpu_percent = match elapsed {
                        Some(secs) if secs > 0.0 => {
                            let ticks = stat.cpu_ticks.saturating_sub(seen.cpu_ticks) as f64;
                            (ticks / self.ticks_per_second as f64 / secs * 100.0) as f32
                        }
                        _ => 0.0,
                    };
                    let ran = seen.cpu_ticks != stat.cpu_ticks || seen.minor_faults != stat.minor_faults;
                    if !stat.kernel_thread && (ran || u64::from(pid) % CWD_SWEEP == generation % CWD_SWEEP) {
                        seen.cwd = self.cwds.read(&mut self.proc, pid, &mut self.link, seen.cwd.as_ref());
                    }
                    seen.cpu_ticks = stat.cpu_ticks;
                    seen.minor_faults = stat.minor_faults;
                    seen.generation = generation;
                    to_process(key, &stat, seen, cpu_percent, self.page_size)
                }
                _ => {
                    let facts = Arc::new(self.read_facts(&stat));
                    let cwd = if stat.kernel_thread {
                        None
                    } else {
                        self.cwds.read(&mut self.proc, pid, &mut self.link, None)
                    };
                    let seen = Seen {
                        facts,
                        cpu_ticks: stat.cpu_ticks,
                        minor_faults: stat.minor_faults,
                        cwd,
                        generation,
                    };
                    let process = to_process(key, &stat, &seen, 0.0, self.page_size);
                    self.seen.insert(key, seen);
                    process
                }
            };
            out.push(process);
        }
        self.stat = stat;
        self.pids = pids;
        self.seen.retain(|_, s| s.generation == generation);
        self.cwds.prune();
        Ok(out)
    }
}

/// One refresh's view of a process: the cached facts shared, not copied.
fn to_process(key: ProcKey, stat: &StatFields, seen: &Seen, cpu_percent: f32, page_size: u64) -> Process {
    Process {
        key,
        ppid: stat.ppid,
        pgid: stat.pgid,
        sid: stat.sid,
        cwd: seen.cwd.clone(),
        state: ProcState::from_stat_char(stat.state),
        cpu_percent,
        memory_bytes: stat.rss_pages * page_size,
        kernel_thread: stat.kernel_thread,
        facts: seen.facts.clone(),
    }
}

#[cfg(test)]
#[path = "linux_tests.rs"]
mod tests;
