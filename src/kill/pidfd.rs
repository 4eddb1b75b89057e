//! The real ProcessControl: pidfds (Linux ≥ 5.3). A pidfd names one process for its
//! whole life, so once its start time is confirmed, no signal can reach a reused PID.

use std::collections::HashSet;
use std::os::fd::OwnedFd;
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::io::Errno;
use rustix::process::{Pid, PidfdFlags, pidfd_open, pidfd_send_signal};

use super::exec::{ControlError, ProcessControl, Signal};
use crate::model::ProcKey;
use crate::sample::procfs::{self, StatFields};

#[derive(Debug, Default)]
pub struct PidfdControl {
    buf: Vec<u8>,
}

pub struct PidHandle {
    fd: OwnedFd,
}

impl PidfdControl {
    pub fn new() -> PidfdControl {
        PidfdControl::default()
    }

    fn stat(&mut self, pid: u32) -> Option<StatFields> {
        procfs::read_stat(pid, &mut self.buf)
    }
}

fn control_error(e: Errno) -> ControlError {
    match e {
        Errno::SRCH => ControlError::Gone,
        Errno::PERM | Errno::ACCESS => ControlError::Denied,
        e => ControlError::Other(format!("{e} (errno {})", e.raw_os_error())),
    }
}

fn rustix_signal(s: Signal) -> rustix::process::Signal {
    match s {
        Signal::Stop => rustix::process::Signal::STOP,
        Signal::Cont => rustix::process::Signal::CONT,
        Signal::Term => rustix::process::Signal::TERM,
        Signal::Int => rustix::process::Signal::INT,
        Signal::Kill => rustix::process::Signal::KILL,
    }
}

impl ProcessControl for PidfdControl {
    type Handle = PidHandle;

    fn open(&mut self, key: ProcKey) -> Result<PidHandle, ControlError> {
        let pid = Pid::from_raw(key.pid() as i32).ok_or(ControlError::Gone)?;
        let fd = pidfd_open(pid, PidfdFlags::empty()).map_err(control_error)?;
        // The fd now pins one process; make sure it is the one the plan meant.
        match self.stat(key.pid()) {
            Some(s) if s.start_ticks == key.start_time() && !matches!(s.state, 'Z' | 'X' | 'x') => {
                Ok(PidHandle { fd })
            }
            _ => Err(ControlError::Gone),
        }
    }

    fn signal(&mut self, handle: &PidHandle, signal: Signal) -> Result<(), ControlError> {
        pidfd_send_signal(&handle.fd, rustix_signal(signal)).map_err(control_error)
    }

    fn wait(&mut self, handles: &[&PidHandle], timeout: Duration) -> Vec<bool> {
        let deadline = Instant::now() + timeout;
        let mut exited = vec![false; handles.len()];
        loop {
            let pending: Vec<usize> = (0..handles.len()).filter(|&i| !exited[i]).collect();
            if pending.is_empty() {
                return exited;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let mut fds: Vec<PollFd<'_>> =
                pending.iter().map(|&i| PollFd::new(&handles[i].fd, PollFlags::IN)).collect();
            let ts = Timespec { tv_sec: left.as_secs() as i64, tv_nsec: i64::from(left.subsec_nanos()) };
            match poll(&mut fds, Some(&ts)) {
                Ok(0) => return exited,
                Ok(_) => {
                    for (fd, &i) in fds.iter().zip(&pending) {
                        // A pidfd becomes readable when its process exits.
                        if !fd.revents().is_empty() {
                            exited[i] = true;
                        }
                    }
                }
                Err(Errno::INTR) => {}
                Err(_) => return exited,
            }
            if Instant::now() >= deadline {
                return exited;
            }
        }
    }

    fn children_of(&mut self, parents: &HashSet<u32>) -> Vec<(ProcKey, String)> {
        procfs::list_pids()
            .into_iter()
            .filter_map(|pid| self.stat(pid))
            .filter(|s| parents.contains(&s.ppid) && s.state != 'Z' && !s.kernel_thread)
            .filter_map(|s| Some((ProcKey::new(s.pid, s.start_ticks)?, s.comm)))
            .collect()
    }
}

/// The caller's side of a plan: its own ancestry, uid and protected names.
pub fn local_context(protect: &[String]) -> super::plan::PlanContext {
    let mut control = PidfdControl::new();
    let mut ancestry = vec![std::process::id()];
    while let Some(s) = ancestry.last().and_then(|&pid| control.stat(pid)) {
        if s.ppid == 0 || ancestry.contains(&s.ppid) {
            break;
        }
        ancestry.push(s.ppid);
    }
    super::plan::PlanContext {
        self_ancestry: ancestry,
        uid: rustix::process::getuid().as_raw(),
        protect: protect.to_vec(),
    }
}
