//! The Linux fast path: per refresh, `/proc/PID/stat` and the cwd link of every
//! process; `cmdline`, `status` and the exe link once per ProcKey (cached, evicted
//! when the process is gone).

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
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
    cmd: Arc<[String]>,
    exe: Option<Arc<Path>>,
    uid: Option<u32>,
    user: Arc<str>,
    tags: Arc<[(String, String)]>,
}

#[derive(Debug, Clone)]
struct Seen {
    stat: Arc<Static>,
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
    /// Reused for every `/proc/PID/FILE` path.
    path: String,
    root_str: String,
    own_uid: u32,
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
            path: String::with_capacity(64),
            root_str: root.to_string_lossy().into_owned(),
            own_uid: rustix::process::getuid().as_raw(),
        })
    }

    /// Whether facts of this ProcKey are cached (for eviction tests).
    pub fn is_cached(&self, key: ProcKey) -> bool {
        self.seen.contains_key(&key)
    }

    fn set_path(&mut self, pid: u32, file: &str) {
        use std::fmt::Write;
        self.path.clear();
        // Writing to a String cannot fail.
        let _ = write!(self.path, "{}/{pid}/{file}", self.root_str);
    }

    fn read_stat(&mut self, pid: u32) -> Option<StatFields> {
        self.set_path(pid, "stat");
        procfs::read_into(Path::new(&self.path), &mut self.buf).ok()?;
        procfs::parse_stat(std::str::from_utf8(&self.buf).ok()?)
    }

    fn read_static(&mut self, stat: &StatFields) -> Static {
        let pid = stat.pid;
        self.set_path(pid, "cmdline");
        let cmd = match procfs::read_into(Path::new(&self.path), &mut self.buf) {
            Ok(_) => procfs::parse_cmdline(&self.buf).into(),
            Err(_) => Arc::from([]),
        };
        self.set_path(pid, "status");
        let uid = procfs::read_into(Path::new(&self.path), &mut self.buf)
            .ok()
            .and_then(|_| procfs::parse_status_uid(&String::from_utf8_lossy(&self.buf)));
        self.set_path(pid, "exe");
        let exe = fs::read_link(Path::new(&self.path)).ok().map(|t| Arc::from(procfs::clean_link_target(t)));
        let user = uid.map_or_else(|| Arc::from(""), |u| self.users.name(u));
        // Other users' environments are private (and unreadable unless root).
        let tags = if uid.is_some_and(|u| u == self.own_uid) || self.own_uid == 0 {
            self.set_path(pid, "environ");
            match procfs::read_into(Path::new(&self.path), &mut self.buf) {
                Ok(_) => crate::model::tags::parse_environ(&self.buf).into(),
                Err(_) => Arc::from([]),
            }
        } else {
            Arc::from([])
        };
        Static { comm: stat.comm.clone(), cmd, exe, uid, user, tags }
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
            // After exec the comm changes under the same ProcKey: read argv again.
            let cached = self
                .seen
                .get(&key)
                .map(|p| (p.cpu_ticks, (p.stat.comm == stat.comm).then(|| p.stat.clone())));
            let previous_ticks = cached.as_ref().map(|(t, _)| *t);
            let fixed = match cached.and_then(|(_, s)| s) {
                Some(s) => s,
                None if stat.kernel_thread => Arc::new(Static {
                    comm: stat.comm.clone(),
                    cmd: Arc::from([]),
                    exe: None,
                    uid: Some(0),
                    user: self.users.name(0),
                    tags: Arc::from([]),
                }),
                None => Arc::new(self.read_static(&stat)),
            };
            let cpu_percent = match (previous_ticks, elapsed) {
                (Some(before), Some(secs)) if secs > 0.0 => {
                    let ticks = stat.cpu_ticks.saturating_sub(before) as f64;
                    (ticks / self.ticks_per_second as f64 / secs * 100.0) as f32
                }
                _ => 0.0,
            };
            let cwd = if stat.kernel_thread {
                None
            } else {
                self.set_path(pid, "cwd");
                fs::read_link(Path::new(&self.path)).ok().map(procfs::clean_link_target)
            };
            // An empty argv of a user process means we read it mid-exec: read it again next time.
            let retry = fixed.cmd.is_empty() && !stat.kernel_thread;
            self.seen.insert(
                key,
                Seen {
                    stat: if retry {
                        Arc::new(Static { comm: String::new(), ..(*fixed).clone() })
                    } else {
                        fixed.clone()
                    },
                    cpu_ticks: stat.cpu_ticks,
                    generation,
                },
            );
            out.push(Process {
                key,
                ppid: stat.ppid,
                pgid: stat.pgid,
                sid: stat.sid,
                uid: fixed.uid,
                user: fixed.user.clone(),
                name: stat.comm,
                exe: fixed.exe.clone(),
                cmd: fixed.cmd.clone(),
                cwd,
                state: ProcState::from_stat_char(stat.state),
                cpu_percent,
                memory_bytes: stat.rss_pages * self.page_size,
                kernel_thread: stat.kernel_thread,
                tags: fixed.tags.clone(),
            });
        }
        self.seen.retain(|_, s| s.generation == generation);
        Ok(out)
    }
}
