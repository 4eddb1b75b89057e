//! The real ProcessControl: pidfds (Linux ≥ 5.3). A pidfd names one process for its
//! whole life, so once its start time is confirmed, no signal can reach a reused PID.

use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::io::Errno;
use rustix::process::{Pid, PidfdFlags, kill_process_group, pidfd_open, pidfd_send_signal};

use super::control::{ControlError, Opened, ProcessControl, Reniced, Signal};
use crate::model::{Forest, ProcKey};
use crate::procfs;

/// A fresh sample of the box, associated as the plan's forest was.
pub type Resample = Box<dyn FnMut() -> Result<Forest, String> + Send>;

pub struct PidfdControl {
    buf: Vec<u8>,
    resample: Resample,
}

pub struct PidHandle {
    fd: OwnedFd,
    /// The PID the fd was opened for (setpriority takes a thread id, not a pidfd).
    pid: u32,
}

/// Longest single poll, so a cancelled kill stops waiting soon.
const POLL_SLICE: Duration = Duration::from_millis(50);

impl PidfdControl {
    /// `resample` re-samples the box while the kill runs.
    pub fn new(resample: Resample) -> PidfdControl {
        PidfdControl { buf: Vec::new(), resample }
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
    use rustix::process::Signal as S;
    match s {
        Signal::Hup => S::HUP,
        Signal::Int => S::INT,
        Signal::Quit => S::QUIT,
        Signal::Ill => S::ILL,
        Signal::Trap => S::TRAP,
        Signal::Abrt => S::ABORT,
        Signal::Bus => S::BUS,
        Signal::Fpe => S::FPE,
        Signal::Kill => S::KILL,
        Signal::Usr1 => S::USR1,
        Signal::Segv => S::SEGV,
        Signal::Usr2 => S::USR2,
        Signal::Pipe => S::PIPE,
        Signal::Alrm => S::ALARM,
        Signal::Term => S::TERM,
        Signal::Stkflt => S::STKFLT,
        Signal::Chld => S::CHILD,
        Signal::Cont => S::CONT,
        Signal::Stop => S::STOP,
        Signal::Tstp => S::TSTP,
        Signal::Ttin => S::TTIN,
        Signal::Ttou => S::TTOU,
        Signal::Urg => S::URG,
        Signal::Xcpu => S::XCPU,
        Signal::Xfsz => S::XFSZ,
        Signal::Vtalrm => S::VTALARM,
        Signal::Prof => S::PROF,
        Signal::Winch => S::WINCH,
        Signal::Io => S::IO,
        Signal::Pwr => S::POWER,
        Signal::Sys => S::SYS,
    }
}

/// A pidfd polls readable once its whole thread group has exited (a zombie leader
/// whose other threads still run is not readable).
fn exited(fd: &OwnedFd) -> bool {
    let mut fds = [PollFd::new(fd, PollFlags::IN)];
    let zero = Timespec { tv_sec: 0, tv_nsec: 0 };
    matches!(poll(&mut fds, Some(&zero)), Ok(n) if n > 0)
}

impl ProcessControl for PidfdControl {
    type Handle = PidHandle;

    fn open(&mut self, key: ProcKey) -> Result<Opened<PidHandle>, ControlError> {
        let pid = Pid::from_raw(key.pid() as i32).ok_or(ControlError::Gone)?;
        let fd = pidfd_open(pid, PidfdFlags::empty()).map_err(control_error)?;
        // The fd now pins one process; make sure it is the one the plan meant.
        match procfs::read_stat(key.pid(), &mut self.buf) {
            Some(s) if s.start_ticks == key.start_time() && !exited(&fd) => Ok(Opened {
                handle: PidHandle { fd, pid: key.pid() },
                was_stopped: matches!(s.state, 'T' | 't'),
                traced: s.state == 't',
            }),
            _ => Err(ControlError::Gone),
        }
    }

    fn signal(&mut self, handle: &PidHandle, signal: Signal) -> Result<(), ControlError> {
        pidfd_send_signal(&handle.fd, rustix_signal(signal)).map_err(control_error)
    }

    fn signal_group(&mut self, pgid: u32, signal: Signal) -> Result<(), ControlError> {
        let pgid = Pid::from_raw(pgid as i32).ok_or(ControlError::Gone)?;
        kill_process_group(pgid, rustix_signal(signal)).map_err(control_error)
    }

    fn is_alive(&mut self, handle: &PidHandle) -> bool {
        !exited(&handle.fd)
    }

    fn wait(&mut self, handles: &[&PidHandle], timeout: Duration, cancel: &AtomicBool) -> Vec<bool> {
        let start = Instant::now();
        let mut exited = vec![false; handles.len()];
        loop {
            let pending: Vec<usize> = (0..handles.len()).filter(|&i| !exited[i]).collect();
            let left = timeout.saturating_sub(start.elapsed());
            if pending.is_empty() || left.is_zero() || cancel.load(Ordering::SeqCst) {
                return exited;
            }
            let slice = left.min(POLL_SLICE);
            let mut fds: Vec<PollFd<'_>> =
                pending.iter().map(|&i| PollFd::new(&handles[i].fd, PollFlags::IN)).collect();
            let ts = Timespec { tv_sec: 0, tv_nsec: i64::from(slice.subsec_nanos()) };
            match poll(&mut fds, Some(&ts)) {
                Ok(_) => {
                    for (fd, &i) in fds.iter().zip(&pending) {
                        if !fd.revents().is_empty() {
                            exited[i] = true;
                        }
                    }
                }
                Err(Errno::INTR) => {}
                Err(_) => return exited,
            }
        }
    }

    fn sample(&mut self) -> Result<Forest, ControlError> {
        (self.resample)().map_err(ControlError::Other)
    }

    fn renice(&mut self, handle: &PidHandle, nice: i32) -> Result<Reniced, ControlError> {
        super::renice::renice(handle.pid, &handle.fd, nice, exited)
    }
}

/// The caller's side of a plan: its own ancestry, uid and protected names.
pub fn local_context(protect: &[String]) -> super::plan::PlanContext {
    let mut buf = Vec::new();
    let mut ancestry = vec![std::process::id()];
    while let Some(s) = ancestry.last().and_then(|&pid| procfs::read_stat(pid, &mut buf)) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_signal_has_the_number_the_c_library_gives_it() {
        for s in Signal::all() {
            assert_eq!(rustix_signal(s).as_raw(), i32::from(s.number()), "{s}");
        }
    }
}
