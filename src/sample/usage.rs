//! Memory beyond RSS and I/O rates, read from `/proc` at a pace that keeps their cost
//! low. `smaps_rollup` (it walks every mapping of a process, under the lock of its
//! memory map) is read only in pss mode, only for the processes the caller names (those
//! in attempts), each again after about `PSS_SECONDS` and only a share of them in any
//! one refresh. `io` is read only while asked for (the IO column), for the processes
//! that ran plus a rolling share of the idle ones: a process that did not run did no
//! I/O. What is read by PID is kept only if the PID still names that process after
//! (the caller checks, `Reading::is_empty` says when there is nothing to check).

use std::collections::HashSet;
use std::time::Instant;

use super::ports::Activity;
use crate::model::ProcKey;
use crate::model::usage::{Inspection, IoRate, IoTotals, MemoryMode, Pss, Usage};
use crate::procfs::{ProcDir, usage};

/// Each target's `smaps_rollup` is read again after about this many seconds.
pub const PSS_SECONDS: f64 = 4.0;

/// The `io` of an idle process is read once in this many refreshes (a share of them
/// each time), in case it ran for less than a clock tick without faulting.
pub const IO_SWEEP: u32 = 4;

/// What the meter remembers of one process (boxed in the source's cache, and only for
/// processes it measures).
#[derive(Debug, Clone, Copy, Default)]
pub struct UsageSeen {
    pss: Pss,
    /// The refresh of its last `smaps_rollup` read.
    pss_at: Option<u32>,
    /// Its last `io` reading and when it was taken.
    io_last: Option<(IoTotals, Instant)>,
    io_unreadable: bool,
    io_rate: Option<IoRate>,
}

impl UsageSeen {
    pub fn pss(&self) -> Pss {
        self.pss
    }

    pub fn io_rate(&self) -> Option<IoRate> {
        self.io_rate
    }

    /// What a `Process` carries of it (`None` when nothing is known).
    pub fn shown(&self) -> Option<std::sync::Arc<Usage>> {
        Usage { pss: self.pss, io: self.io_rate }.shared()
    }
}

/// Which processes pss mode measures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PssTargets {
    pub keys: HashSet<ProcKey>,
    /// Every target, and every process new in the refresh, at once (a one-shot `list`,
    /// which has no later refresh to spread the reads over).
    pub at_once: bool,
}

/// What one refresh read of one process, before its PID is checked.
#[derive(Debug)]
pub struct Reading {
    /// `None`: not read (not a target, not its turn, or pss mode is off).
    pss: Option<Pss>,
    /// A target of pss mode (its last reading stays until the next).
    pss_target: bool,
    /// `None`: not read; `Some(None)`: unreadable.
    io: Option<Option<IoTotals>>,
}

impl Reading {
    /// Nothing was read, so there is nothing to check.
    pub fn is_empty(&self) -> bool {
        self.pss.is_none() && self.io.is_none()
    }
}

#[derive(Debug)]
pub struct UsageMeter {
    memory: MemoryMode,
    io: bool,
    targets: PssTargets,
    generation: u32,
    /// Refreshes between two reads of a target's `smaps_rollup`.
    period: u32,
    /// `smaps_rollup` reads left in this refresh.
    budget: usize,
    now: Instant,
    /// Seconds since the previous refresh (`None` on the first).
    elapsed: Option<f64>,
    buf: Vec<u8>,
}

impl Default for UsageMeter {
    fn default() -> UsageMeter {
        UsageMeter {
            memory: MemoryMode::Rss,
            io: false,
            targets: PssTargets::default(),
            generation: 0,
            period: 1,
            budget: 0,
            now: Instant::now(),
            elapsed: None,
            buf: Vec::new(),
        }
    }
}

impl UsageMeter {
    pub fn set(&mut self, memory: MemoryMode, io: bool) {
        self.memory = memory;
        self.io = io;
        if memory == MemoryMode::Rss {
            self.targets = PssTargets::default();
        }
    }

    pub fn set_targets(&mut self, targets: PssTargets) {
        self.targets = targets;
    }

    /// Whether anything is measured (else the cache holds nothing of it either).
    pub fn is_on(&self) -> bool {
        self.memory == MemoryMode::Pss || self.io
    }

    /// Starts refresh `generation`, `elapsed` seconds after the previous one: a target
    /// is read once in `PSS_SECONDS`, and no refresh reads more than its share of them.
    pub fn begin(&mut self, generation: u32, now: Instant, elapsed: Option<f64>) {
        self.generation = generation;
        self.now = now;
        self.elapsed = elapsed;
        self.period = match elapsed {
            Some(secs) if secs > 0.0 => (PSS_SECONDS / secs).ceil().clamp(1.0, 600.0) as u32,
            _ => 1,
        };
        let targets = self.targets.keys.len();
        self.budget =
            if self.targets.at_once { usize::MAX } else { targets.div_ceil(self.period as usize) + 1 };
    }

    /// Reads what is due of `key` (not a kernel thread) in this refresh.
    pub fn read(
        &mut self,
        proc: &mut ProcDir,
        key: ProcKey,
        activity: Activity,
        seen: Option<&UsageSeen>,
    ) -> Reading {
        let pid = key.pid();
        let last = seen.copied().unwrap_or_default();
        let pss_target = self.memory == MemoryMode::Pss
            && (self.targets.keys.contains(&key) || (self.targets.at_once && activity == Activity::New));
        let pss_due = pss_target
            && self.budget > 0
            && (self.targets.at_once
                || last.pss_at.is_none_or(|at| self.generation.wrapping_sub(at) >= self.period));
        let pss = pss_due.then(|| {
            self.budget -= 1;
            read_pss(proc, pid, &mut self.buf)
        });
        let turn = pid % IO_SWEEP == self.generation % IO_SWEEP;
        let io_due = self.io
            && match activity {
                Activity::New => true,
                Activity::Ran => !last.io_unreadable || turn,
                Activity::Idle => turn || (last.io_last.is_none() && !last.io_unreadable),
            };
        let io =
            io_due.then(|| proc.read(pid, "io", &mut self.buf).ok().and_then(|_| usage::parse_io(&self.buf)));
        Reading { pss, pss_target, io }
    }

    /// Takes in what `reading` found, whose PID was checked to name the same process
    /// (a process that was not read did not run, so did no I/O). Leaves `seen` `None`
    /// when there is nothing to remember.
    pub fn commit(&self, seen: &mut Option<Box<UsageSeen>>, reading: Reading, activity: Activity) {
        let mut s = seen.as_deref().copied().unwrap_or_default();
        match reading.pss {
            Some(pss) => {
                s.pss = pss;
                s.pss_at = Some(self.generation);
            }
            None if !reading.pss_target => {
                s.pss = Pss::Unmeasured;
                s.pss_at = None;
            }
            None => {}
        }
        if !self.io {
            (s.io_last, s.io_rate, s.io_unreadable) = (None, None, false);
        }
        match reading.io {
            Some(Some(now)) => {
                let rate = match s.io_last {
                    Some((before, at)) => {
                        IoRate::between(before, now, self.now.duration_since(at).as_secs_f64())
                    }
                    // Born since the previous refresh: all its I/O happened since.
                    None if activity == Activity::New => {
                        self.elapsed.and_then(|secs| IoRate::between(IoTotals::default(), now, secs))
                    }
                    None => None,
                };
                // Two readings too close to tell a rate keep the older one as the base.
                if rate.is_some() || s.io_last.is_none() {
                    s.io_last = Some((now, self.now));
                }
                s.io_rate = rate.or(s.io_rate);
                s.io_unreadable = false;
            }
            Some(None) => (s.io_last, s.io_rate, s.io_unreadable) = (None, None, true),
            None => {
                if let Some((_, at)) = &mut s.io_last {
                    s.io_rate = Some(IoRate::default());
                    *at = self.now;
                }
            }
        }
        let remember = s.pss_at.is_some() || s.io_last.is_some() || s.io_unreadable;
        match (remember, seen.as_deref_mut()) {
            (false, _) => *seen = None,
            (true, Some(kept)) => *kept = s,
            (true, None) => *seen = Some(Box::new(s)),
        }
    }
}

/// The PSS and swap of `pid` by its `smaps_rollup`.
fn read_pss(proc: &mut ProcDir, pid: u32, buf: &mut Vec<u8>) -> Pss {
    match proc.read(pid, "smaps_rollup", buf) {
        Ok(_) => usage::parse_smaps_rollup(buf)
            .map_or(Pss::Unreadable, |r| Pss::Measured { pss: r.pss, swap: r.swap }),
        // Another user's (EACCES); or gone, which the caller's check of the PID finds.
        Err(_) => Pss::Unreadable,
    }
}

/// Everything the detail pane shows of process `key`'s memory and I/O, read now
/// (`buf` is scratch). A PID that no longer names that process gives nothing.
pub fn inspect(proc: &mut ProcDir, key: ProcKey, buf: &mut Vec<u8>) -> Inspection {
    let pid = key.pid();
    let gone = Inspection { key, resident: None, pss: Pss::Unmeasured, io: None, io_rate: None };
    if !proc.is_still(pid, key.start_time(), buf) {
        return gone;
    }
    let resident = proc.read(pid, "status", buf).ok().and_then(|_| usage::parse_resident(buf));
    let pss = read_pss(proc, pid, buf);
    let io = proc.read(pid, "io", buf).ok().and_then(|_| usage::parse_io(buf));
    if !proc.is_still(pid, key.start_time(), buf) {
        return gone;
    }
    Inspection { key, resident, pss, io, io_rate: None }
}

#[cfg(test)]
#[path = "usage_tests.rs"]
mod tests;
