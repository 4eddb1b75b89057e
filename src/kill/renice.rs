//! Renicing one process for the executor. On Linux the nice value belongs to each
//! thread, and setpriority(2) takes a thread id, not a pidfd: every thread listed in
//! `/proc/PID/task` is set, in rounds until a listing shows no thread not yet set
//! (a thread started meanwhile may have inherited the old value), then read back. A
//! thread id is trusted only while it is listed under its process with the start time
//! read before it was set, and the pidfd says the process has not exited before each is
//! set; the pidfd then confirms that the process had not exited meanwhile — had it, its
//! ids might have been another process's when they were set, and that is reported
//! instead of success.

use std::collections::HashMap;
use std::os::fd::OwnedFd;
use std::path::PathBuf;

use rustix::io::Errno;
use rustix::process::{Pid, setpriority_process};

use super::control::{ControlError, Reniced};
use crate::procfs;

/// Listings of the threads at most (a process that starts threads without end).
const MAX_ROUNDS: usize = 8;

pub(super) fn renice(
    pid: u32,
    fd: &OwnedFd,
    nice: i32,
    exited: impl Fn(&OwnedFd) -> bool,
) -> Result<Reniced, ControlError> {
    let mut buf = Vec::new();
    // Every thread set so far, with its start time when it was set.
    let mut set: HashMap<u32, u64> = HashMap::new();
    'rounds: for _ in 0..MAX_ROUNDS {
        let fresh: Vec<u32> = threads(pid).into_iter().filter(|t| !set.contains_key(t)).collect();
        if fresh.is_empty() {
            break;
        }
        for tid in fresh {
            // Checked before each id is used, so that an id of a process that has exited
            // (and may be reused) is never set: the gap is one syscall, not the renice
            // of every process opened before this one.
            if exited(fd) {
                break 'rounds;
            }
            // Gone already: nothing to set, nobody else's to touch.
            let Some(start) = thread_stat(pid, tid, &mut buf).map(|s| s.start_ticks) else { continue };
            let id = Pid::from_raw(i32::try_from(tid).map_err(|_| ControlError::Gone)?)
                .ok_or(ControlError::Gone)?;
            match setpriority_process(Some(id), nice) {
                Ok(()) => {
                    set.insert(tid, start);
                }
                Err(Errno::SRCH) => {}
                Err(Errno::ACCESS | Errno::PERM) => return Err(ControlError::Denied),
                Err(e) => return Err(ControlError::Other(format!("setpriority: {e}"))),
            }
        }
    }
    if exited(fd) {
        return Err(match set.is_empty() {
            true => ControlError::Gone,
            false => ControlError::Other(
                "exited while being reniced: its thread ids may have been reused by another process, which may \
                 have been reniced"
                    .into(),
            ),
        });
    }
    let mut read_back = None;
    let mut vanished_threads = Vec::new();
    let mut tids: Vec<u32> = set.keys().copied().collect();
    tids.sort_unstable();
    for tid in tids {
        match thread_stat(pid, tid, &mut buf) {
            Some(s) if Some(&s.start_ticks) == set.get(&tid) => {
                let value = i32::from(s.nice);
                if value != nice {
                    return Err(ControlError::Other(format!(
                        "thread {tid} has nice {value} after setting {nice}"
                    )));
                }
                read_back = Some(value);
            }
            _ => vanished_threads.push(tid),
        }
    }
    let nice = read_back.ok_or(ControlError::Gone)?;
    Ok(Reniced { nice, vanished_threads })
}

/// The thread ids of `pid` listed now (empty once it is gone).
fn threads(pid: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/task")) else { return Vec::new() };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).collect()
}

fn thread_stat(pid: u32, tid: u32, buf: &mut Vec<u8>) -> Option<procfs::StatFields> {
    procfs::read_into(&PathBuf::from(format!("/proc/{pid}/task/{tid}/stat")), buf).ok()?;
    procfs::parse_stat(&buf[..])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A process whose pidfd says it exited is never reniced, even when its PID lists
    /// threads (as a reused PID would): nothing is set, and it is reported gone.
    #[test]
    fn an_exited_process_has_nothing_set() {
        let mut cmd = std::process::Command::new("sleep");
        crate::kill::sessions::in_new_session(cmd.arg("600"));
        let mut child = cmd.spawn().unwrap();
        let pid = child.id();
        let mut buf = Vec::new();
        let before = procfs::read_stat(pid, &mut buf).map(|s| s.nice);
        let fd = rustix::process::pidfd_open(
            Pid::from_raw(pid as i32).unwrap(),
            rustix::process::PidfdFlags::empty(),
        )
        .unwrap();
        let result = renice(pid, &fd, 7, |_| true);
        let nice = procfs::read_stat(pid, &mut buf).map(|s| s.nice);
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(result, Err(ControlError::Gone));
        assert!(before.is_some());
        assert_eq!(nice, before, "the process stands for one that took an exited PID: untouched");
    }
}
