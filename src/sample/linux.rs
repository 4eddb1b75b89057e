//! The Linux fast path: per refresh, `/proc/PID/stat` and the cwd link of every
//! process; `cmdline`, `status` and the exe link once per ProcKey (cached, evicted
//! when the process is gone).

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::procfs::{self, StatFields};
use super::users::UserNames;
use super::{ProcessSource, SampleError};
use crate::model::{ProcKey, ProcState, Process};

/// Facts read once per ProcKey. exec keeps the PID and start time, so argv is read
/// again when `comm` changes under the same key.
#[derive(Debug, Clone)]
struct Static {
    comm: String,
    cmd: Vec<String>,
    exe: Option<PathBuf>,
    uid: Option<u32>,
    user: String,
}

#[derive(Debug, Clone)]
struct Seen {
    stat: Static,
    cpu_ticks: u64,
    generation: u64,
}

pub struct ProcfsSource {
    root: PathBuf,
    page_size: u64,
    ticks_per_second: u64,
    seen: HashMap<ProcKey, Seen>,
    generation: u64,
    last_refresh: Option<Instant>,
    users: UserNames,
    buf: Vec<u8>,
    path: PathBuf,
}

impl ProcfsSource {
    pub fn new() -> Result<ProcfsSource, SampleError> {
        ProcfsSource::with_root(Path::new("/proc"))
    }

    pub fn with_root(root: &Path) -> Result<ProcfsSource, SampleError> {
        fs::metadata(root.join("self/stat"))
            .map_err(|e| SampleError::Unavailable { what: root.display().to_string(), source: e })?;
        Ok(ProcfsSource {
            root: root.to_path_buf(),
            page_size: rustix::param::page_size() as u64,
            ticks_per_second: rustix::param::clock_ticks_per_second(),
            seen: HashMap::new(),
            generation: 0,
            last_refresh: None,
            users: UserNames::load(),
            buf: Vec::with_capacity(4096),
            path: PathBuf::with_capacity(64),
        })
    }

    /// Whether facts of this ProcKey are cached (for eviction tests).
    pub fn is_cached(&self, key: ProcKey) -> bool {
        self.seen.contains_key(&key)
    }

    fn set_path(&mut self, pid: u32, file: &str) {
        self.path.clear();
        self.path.push(&self.root);
        self.path.push(pid.to_string());
        self.path.push(file);
    }

    fn read_stat(&mut self, pid: u32) -> Option<StatFields> {
        self.set_path(pid, "stat");
        procfs::read_into(&self.path, &mut self.buf).ok()?;
        procfs::parse_stat(std::str::from_utf8(&self.buf).ok()?)
    }

    fn read_static(&mut self, stat: &StatFields) -> Static {
        let pid = stat.pid;
        self.set_path(pid, "cmdline");
        let cmd = match procfs::read_into(&self.path, &mut self.buf) {
            Ok(_) => procfs::parse_cmdline(&self.buf),
            Err(_) => Vec::new(),
        };
        self.set_path(pid, "status");
        let uid = procfs::read_into(&self.path, &mut self.buf)
            .ok()
            .and_then(|_| procfs::parse_status_uid(&String::from_utf8_lossy(&self.buf)));
        self.set_path(pid, "exe");
        let exe = fs::read_link(&self.path).ok().map(procfs::clean_link_target);
        let user = uid.map(|u| self.users.name(u)).unwrap_or_default();
        Static { comm: stat.comm.clone(), cmd, exe, uid, user }
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
        let entries = fs::read_dir(&self.root)
            .map_err(|e| SampleError::Unavailable { what: self.root.display().to_string(), source: e })?;
        let mut out = Vec::with_capacity(self.seen.len() + 16);
        for entry in entries.flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            // A process that exits between listing and reading is simply skipped.
            let Some(stat) = self.read_stat(pid) else {
                continue;
            };
            let Some(key) = ProcKey::new(pid, stat.start_ticks) else {
                continue;
            };
            let stat_cpu = stat.cpu_ticks;
            let previous = self.seen.get(&key).cloned();
            let fixed = match previous.as_ref() {
                // After exec the comm changes under the same ProcKey: read argv again.
                Some(p) if p.stat.comm == stat.comm => p.stat.clone(),
                _ if stat.kernel_thread => Static {
                    comm: stat.comm.clone(),
                    cmd: Vec::new(),
                    exe: None,
                    uid: Some(0),
                    user: self.users.name(0),
                },
                _ => self.read_static(&stat),
            };
            let cpu_percent = match (previous, elapsed) {
                (Some(p), Some(secs)) if secs > 0.0 => {
                    let ticks = stat.cpu_ticks.saturating_sub(p.cpu_ticks) as f64;
                    (ticks / self.ticks_per_second as f64 / secs * 100.0) as f32
                }
                _ => 0.0,
            };
            let cwd = if stat.kernel_thread {
                None
            } else {
                self.set_path(pid, "cwd");
                fs::read_link(&self.path).ok().map(procfs::clean_link_target)
            };
            out.push(Process {
                key,
                ppid: stat.ppid,
                pgid: stat.pgid,
                sid: stat.sid,
                uid: fixed.uid,
                user: fixed.user.clone(),
                name: stat.comm.clone(),
                exe: fixed.exe.clone(),
                cmd: fixed.cmd.clone(),
                cwd,
                state: ProcState::from_stat_char(stat.state),
                cpu_percent,
                memory_bytes: stat.rss_pages * self.page_size,
                kernel_thread: stat.kernel_thread,
            });
            // An empty argv of a user process means we read it mid-exec: read it again next time.
            let stat = if fixed.cmd.is_empty() && !stat.kernel_thread {
                Static { comm: String::new(), ..fixed }
            } else {
                fixed
            };
            self.seen.insert(key, Seen { stat, cpu_ticks: stat_cpu, generation: self.generation });
        }
        let generation = self.generation;
        self.seen.retain(|_, s| s.generation == generation);
        Ok(out)
    }
}
