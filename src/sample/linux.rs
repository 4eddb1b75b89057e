//! The Linux fast path: per refresh, `/proc/PID/stat` of every process (kept open and
//! re-read, which costs under half of opening it again), and the cwd link of the
//! processes that ran since the last refresh plus a rolling share of the rest;
//! `cmdline`, `status` and `environ` once per ProcKey (cached, evicted when the
//! process is gone). Nothing is allocated per process in steady state.

use std::collections::HashMap;
use std::os::fd::OwnedFd;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Instant;

use super::cwds::Cwds;
use super::file_budget::FileBudget;
use super::ports::{Activity, FdsSeen, PortScanner};
use super::usage::{PssTargets, UsageMeter, UsageSeen};
use super::users::UserNames;
use super::{Measure, ProcessSource, SampleError};
use crate::capacity::shrunk;
use crate::model::{Argv, ProcKey, ProcState, Process, ProcessFacts};
use crate::procfs::{self, ProcDir, StatFields};

/// A process that did not run (same CPU ticks and minor faults) cannot have changed
/// its cwd... unless it ran for less than a tick without faulting, so every cwd is
/// also re-read at least once in this many refreshes, a share of them each time.
pub const CWD_SWEEP: u32 = 4;

/// What is known of the process now holding a PID. Facts are read once per ProcKey;
/// exec keeps the PID and start time, so they are read again when `comm` changes.
#[derive(Debug)]
struct Seen {
    start_ticks: u64,
    /// Its `stat`, kept open while the budget allows; bound to this very process.
    stat_file: Option<OwnedFd>,
    facts: Arc<ProcessFacts>,
    cpu_ticks: u64,
    /// Only compared for a change, so its low bits are enough.
    minor_faults: u32,
    /// Low bits of `arg_start`: a change means an exec, even of the same binary.
    arg_start: u32,
    cwd: Option<Arc<Path>>,
    generation: u32,
    /// What the last read of its descriptors found, to pace the next one.
    fds: FdsSeen,
    /// Its memory and I/O readings, while they are measured.
    usage: Option<Box<UsageSeen>>,
}

/// Where this refresh's stat of a process came from.
enum StatRead {
    /// Its kept file: the same process as before.
    Kept,
    /// A file opened now (a new process, or one without a kept file yet).
    Opened(OwnedFd),
}

pub struct ProcfsSource {
    proc: ProcDir,
    page_size: u64,
    ticks_per_second: u64,
    seen: HashMap<u32, Seen>,
    /// Its stat files kept open.
    files: FileBudget,
    /// Wraps; only compared for equality (and the sweep's residue, which wraps with it).
    generation: u32,
    last_refresh: Option<Instant>,
    users: UserNames,
    cwds: Cwds,
    measure: Measure,
    ports: PortScanner,
    usage: UsageMeter,
    homes: super::environ::HomesCache,
    own_uid: u32,
    /// swarmtop's own descriptors (its kept stat files) are many, and no listener.
    own_pid: u32,
    /// Reused buffers: file contents, link targets, the PID list, one parsed stat line.
    buf: Vec<u8>,
    link: Vec<u8>,
    pids: Vec<u32>,
    again: Vec<u32>,
    stat: StatFields,
}

impl ProcfsSource {
    pub fn new() -> Result<ProcfsSource, SampleError> {
        let root = Path::new("/proc");
        std::fs::metadata(root.join("self/stat"))
            .map_err(|e| SampleError::Unavailable { what: "/proc".into(), source: e })?;
        let mut source = ProcfsSource::with_root(root)?;
        source.files = FileBudget::process_wide();
        Ok(source)
    }

    /// A source reading `root` laid out like `/proc` (tests use a directory of files).
    pub fn with_root(root: &Path) -> Result<ProcfsSource, SampleError> {
        Ok(ProcfsSource {
            proc: ProcDir::open(root)
                .map_err(|e| SampleError::Unavailable { what: root.display().to_string(), source: e })?,
            page_size: rustix::param::page_size() as u64,
            ticks_per_second: rustix::param::clock_ticks_per_second(),
            seen: HashMap::new(),
            files: FileBudget::own(1024),
            generation: 0,
            last_refresh: None,
            users: UserNames::load(),
            cwds: Cwds::default(),
            measure: Measure::default(),
            ports: PortScanner::default(),
            usage: UsageMeter::default(),
            homes: Default::default(),
            own_uid: rustix::process::getuid().as_raw(),
            own_pid: std::process::id(),
            buf: Vec::with_capacity(4096),
            link: Vec::new(),
            pids: Vec::new(),
            again: Vec::new(),
            stat: StatFields::default(),
        })
    }

    /// Whether facts of this ProcKey are cached (for eviction tests).
    pub fn is_cached(&self, key: ProcKey) -> bool {
        self.seen.get(&key.pid()).is_some_and(|s| s.start_ticks == key.start_time())
    }

    /// Shares a budget of `budget` kept files with every source given the same `count`
    /// (for tests; `new` shares limit / 2 with every other source of the process).
    pub fn share_file_budget(&mut self, budget: usize, count: &'static AtomicUsize) {
        self.files = FileBudget::shared(budget, count);
    }

    /// How many stat files are open (for tests).
    pub fn kept_files(&self) -> usize {
        self.files.kept()
    }

    /// Reads the stat of `pid` into `self.buf`: through its kept file, or by opening it.
    /// `None` when the process is gone.
    fn read_stat(&mut self, pid: u32) -> Option<StatRead> {
        if let Some(file) = self.seen.get(&pid).and_then(|s| s.stat_file.as_ref()) {
            // Fails once that process is gone, even if a new one took its PID.
            if procfs::reread(file, &mut self.buf).is_ok_and(|n| n > 0) {
                return Some(StatRead::Kept);
            }
        }
        let file = self.proc.open_file(pid, "stat").ok()?;
        procfs::reread(&file, &mut self.buf).ok().filter(|&n| n > 0)?;
        Some(StatRead::Opened(file))
    }

    /// Keeps `file` open for the next refreshes if the budget allows.
    fn keep(&mut self, file: OwnedFd) -> Option<OwnedFd> {
        self.files.try_keep().then_some(file)
    }

    /// The facts of `stat`'s process, read through its thread `via` when given (a
    /// zombie leader has no memory map of its own to show argv and environ).
    fn read_facts(&mut self, stat: &StatFields, via: Option<u32>) -> ProcessFacts {
        let pid = stat.pid;
        let in_task = |file: &str| via.map(|tid| format!("task/{tid}/{file}"));
        let (cmdline, environ) = (in_task("cmdline"), in_task("environ"));
        if stat.kernel_thread {
            return ProcessFacts {
                name: stat.comm.as_str().into(),
                name_escaped: stat.comm_escaped,
                uid: Some(0),
                user: self.users.name(0),
                ..Default::default()
            };
        }
        let cmd = match self.proc.read(pid, cmdline.as_deref().unwrap_or("cmdline"), &mut self.buf) {
            Ok(_) => Argv::from_cmdline(&self.buf),
            Err(_) => Argv::default(),
        };
        let uid = self
            .proc
            .read(pid, "status", &mut self.buf)
            .ok()
            .and_then(|_| procfs::parse_status_uid(&String::from_utf8_lossy(&self.buf)));
        let user = uid.map_or_else(|| Arc::from(""), |u| self.users.name(u));
        // Other users' environments are private (and unreadable unless root).
        let readable = uid.is_some_and(|u| u == self.own_uid) || self.own_uid == 0;
        let environ =
            readable.then(|| self.proc.read(pid, environ.as_deref().unwrap_or("environ"), &mut self.buf));
        let (tags, homes) = self.homes.facts(matches!(environ, Some(Ok(_))).then_some(&self.buf[..]));
        let (proc, link) = (&mut self.proc, &mut self.link);
        let exe = || proc.read_link(pid, "exe", link).ok().map(|()| procfs::link_target(link).to_path_buf());
        let program_path = super::environ::program_path(&cmd, exe);
        ProcessFacts {
            name: stat.comm.as_str().into(),
            name_escaped: stat.comm_escaped,
            uid,
            user,
            cmd,
            tags,
            homes,
            program_path,
        }
    }

    /// This refresh's view of `pid`; `None` when it is gone (or unreadable).
    fn sample_pid(&mut self, pid: u32, stat: &mut StatFields, elapsed: Option<f64>) -> Option<Process> {
        let generation = self.generation;
        // A process that exits between listing and reading is simply skipped.
        let read = self.read_stat(pid)?;
        let parsed = procfs::parse_stat_into(&self.buf, stat);
        let key = parsed.and_then(|()| ProcKey::new(pid, stat.start_ticks))?;
        // A zombie leader whose other threads run: shown with a live thread's state,
        // and its cwd and facts are read through that thread.
        let thread = (!stat.kernel_thread && matches!(stat.state, 'Z' | 'X') && stat.num_threads > 1)
            .then(|| self.proc.live_thread(pid, &mut self.link))
            .flatten();
        if let Some((_, state)) = thread {
            stat.state = state;
        }
        let via = thread.map(|(tid, _)| tid);
        let (process, activity, fds) = match self.seen.get_mut(&pid) {
            // After exec (the comm or argv's address changes under the same ProcKey):
            // read everything again.
            // An empty argv of a user process was read mid-exec: read it again too.
            Some(seen)
                if seen.start_ticks == stat.start_ticks
                    && seen.arg_start == stat.arg_start as u32
                    && *seen.facts.name == *stat.comm
                    && (stat.kernel_thread || !seen.facts.cmd.is_empty()) =>
            {
                let cpu_percent = match elapsed {
                    Some(secs) if secs > 0.0 => {
                        let ticks = stat.cpu_ticks.saturating_sub(seen.cpu_ticks) as f64;
                        (ticks / self.ticks_per_second as f64 / secs * 100.0) as f32
                    }
                    _ => 0.0,
                };
                let ran = seen.cpu_ticks != stat.cpu_ticks || seen.minor_faults != stat.minor_faults as u32;
                if !stat.kernel_thread && (ran || pid % CWD_SWEEP == generation % CWD_SWEEP) {
                    seen.cwd = self.cwds.read(&mut self.proc, pid, via, &mut self.link, seen.cwd.as_ref());
                }
                seen.cpu_ticks = stat.cpu_ticks;
                seen.minor_faults = stat.minor_faults as u32;
                seen.generation = generation;
                let process = to_process(key, stat, seen, cpu_percent, self.page_size);
                let fds = seen.fds;
                // Known, but not kept open yet (the budget was spent when it came).
                if let (None, StatRead::Opened(file)) = (&seen.stat_file, read) {
                    let kept = self.keep(file);
                    if let Some(seen) = self.seen.get_mut(&pid) {
                        seen.stat_file = kept;
                    }
                }
                (process, if ran { Activity::Ran } else { Activity::Idle }, fds)
            }
            _ => {
                let facts = Arc::new(self.read_facts(stat, via));
                let cwd = if stat.kernel_thread {
                    None
                } else {
                    self.cwds.read(&mut self.proc, pid, via, &mut self.link, None)
                };
                let same = self.seen.get_mut(&pid).filter(|s| s.start_ticks == stat.start_ticks);
                // After exec, the same process: its I/O counters go on.
                let usage = same.and_then(|s| s.usage.take());
                let stat_file = match read {
                    StatRead::Opened(file) => self.keep(file),
                    // Read through the kept file of this same process (new facts after exec).
                    StatRead::Kept => self.seen.get_mut(&pid).and_then(|s| s.stat_file.take()),
                };
                let seen = Seen {
                    start_ticks: stat.start_ticks,
                    stat_file,
                    facts,
                    cpu_ticks: stat.cpu_ticks,
                    minor_faults: stat.minor_faults as u32,
                    arg_start: stat.arg_start as u32,
                    cwd,
                    generation,
                    fds: FdsSeen::default(),
                    usage,
                };
                let process = to_process(key, stat, &seen, 0.0, self.page_size);
                if let Some(old) = self.seen.insert(pid, seen) {
                    self.files.released(usize::from(old.stat_file.is_some()));
                }
                (process, Activity::New, FdsSeen::default())
            }
        };
        if self.measure.ports
            && !stat.kernel_thread
            && pid != self.own_pid
            && fds.due(activity, pid, generation)
        {
            let found = self.ports.scan(&mut self.proc, pid, via, stat.start_ticks);
            if let Some(seen) = self.seen.get_mut(&pid) {
                seen.fds = found;
            }
        }
        let mut process = process;
        if !stat.kernel_thread
            && (self.usage.is_on() || self.seen.get(&pid).is_some_and(|s| s.usage.is_some()))
        {
            self.measure_usage(key, activity, &mut process);
        }
        Some(process)
    }

    /// Reads the memory and I/O of `key` that are due, keeping them only if its PID
    /// still names it after (through its kept stat file, bound to it, when there is one).
    fn measure_usage(&mut self, key: ProcKey, activity: Activity, process: &mut Process) {
        let pid = key.pid();
        let Some(seen) = self.seen.get(&pid) else { return };
        let reading = self.usage.read(&mut self.proc, key, activity, seen.usage.as_deref());
        if !reading.is_empty() {
            let same = match &seen.stat_file {
                Some(file) => procfs::reread(file, &mut self.buf).is_ok_and(|n| n > 0),
                None => self.proc.is_still(pid, key.start_time(), &mut self.buf),
            };
            if !same {
                return;
            }
        }
        let Some(seen) = self.seen.get_mut(&pid) else { return };
        self.usage.commit(&mut seen.usage, reading, activity);
        process.usage = seen.usage.as_ref().and_then(|u| u.shown());
    }
}

impl ProcessSource for ProcfsSource {
    fn name(&self) -> &'static str {
        "procfs"
    }

    fn ticks_per_second(&self) -> u64 {
        self.ticks_per_second
    }

    fn set_measure(&mut self, measure: Measure) {
        self.usage.set(measure.memory, measure.io);
        self.measure = measure;
    }

    fn set_pss_targets(&mut self, targets: PssTargets) {
        self.usage.set_targets(targets);
    }

    fn unowned_ports(&self) -> Vec<crate::model::Port> {
        if self.measure.ports { self.ports.unowned() } else { Vec::new() }
    }

    fn refresh(&mut self) -> Result<Vec<Process>, SampleError> {
        let now = Instant::now();
        let elapsed = self.last_refresh.map(|t| now.duration_since(t).as_secs_f64());
        self.last_refresh = Some(now);
        self.generation = self.generation.wrapping_add(1);
        let generation = self.generation;
        let mut pids = std::mem::take(&mut self.pids);
        self.proc
            .list(&mut pids)
            .map_err(|e| SampleError::Unavailable { what: "the process list".into(), source: e })?;
        if self.measure.ports {
            self.ports.begin(&mut self.proc);
        }
        self.usage.begin(generation, now, elapsed);
        let mut stat = std::mem::take(&mut self.stat);
        let mut out = Vec::with_capacity(pids.len());
        let mut gone = false;
        for &pid in &pids {
            let process = self.sample_pid(pid, &mut stat, elapsed);
            gone |= process.is_none();
            out.extend(process);
        }
        // A process that forks and exits at once (a PID hopper) is often gone by the time
        // it is read: its next incarnation, started since the listing, is read now. Only
        // when a listed process was gone, so a quiet refresh lists /proc once.
        let mut again = std::mem::take(&mut self.again);
        if gone && self.proc.list(&mut again).is_ok() {
            for &pid in &again {
                if self.seen.get(&pid).is_none_or(|s| s.generation != generation) {
                    out.extend(self.sample_pid(pid, &mut stat, elapsed));
                }
            }
        }
        self.again = again;
        self.stat = stat;
        self.pids = pids;
        let mut closed = 0;
        self.seen.retain(|_, s| {
            let live = s.generation == generation;
            if !live {
                closed += usize::from(s.stat_file.is_some());
            }
            live
        });
        self.files.released(closed);
        if let Some(c) = shrunk(self.seen.capacity(), self.seen.len()) {
            self.seen.shrink_to(c);
        }
        self.cwds.prune();
        if self.measure.ports {
            self.ports.finish(&mut out);
        }
        self.homes.prune();
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
        nice: stat.nice,
        threads: stat.num_threads,
        kernel_thread: stat.kernel_thread,
        facts: seen.facts.clone(),
        ports: None,
        usage: seen.usage.as_ref().and_then(|u| u.shown()),
    }
}

#[cfg(test)]
#[path = "linux_tests.rs"]
mod tests;
