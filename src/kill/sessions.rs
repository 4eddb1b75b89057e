//! Killing whole sessions by session id: how the demo swarm and the tests remove
//! the process trees they started (never by name).

use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal, kill_process};

use crate::procfs;

/// Makes `cmd` start in a session (and process group) of its own, so the whole tree
/// it grows can be found and killed by its session id.
pub fn in_new_session(cmd: &mut std::process::Command) -> &mut std::process::Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: the hook runs between fork and exec; setsid is async-signal-safe and
    // touches no memory of the parent.
    unsafe {
        cmd.pre_exec(|| rustix::process::setsid().map(drop).map_err(std::io::Error::from));
    }
    cmd
}

/// PIDs and process groups of the live (non-zombie) processes whose session id is in `sids`.
fn members_and_groups(sids: &[u32]) -> (Vec<u32>, Vec<u32>) {
    let mut buf = Vec::new();
    let (mut pids, mut groups) = (Vec::new(), Vec::new());
    for pid in procfs::list_pids() {
        let Some(s) = procfs::read_stat(pid, &mut buf) else { continue };
        if sids.contains(&s.sid) && procfs::thread_group_alive(pid, &s) {
            pids.push(pid);
            if !groups.contains(&s.pgid) {
                groups.push(s.pgid);
            }
        }
    }
    (pids, groups)
}

/// PIDs of the live (non-zombie) processes whose session id is in `sids`.
pub fn members(sids: &[u32]) -> Vec<u32> {
    members_and_groups(sids).0
}

/// SIGKILLs every member of the sessions until none is left or `deadline` passes.
/// Returns the PIDs still alive at the deadline (empty on success).
///
/// Each round signals the members' process groups first: a process that forks and exits
/// in a loop (a PID hopper) has a new PID by the time a listing of a busy `/proc` ends,
/// but keeps its group, and a signal to a group also reaches a child being forked.
pub fn kill_sessions(sids: &[u32], within: Duration) -> Vec<u32> {
    let deadline = Instant::now() + within;
    let mut backoff = Duration::from_millis(1);
    loop {
        let (alive, groups) = members_and_groups(sids);
        if alive.is_empty() || Instant::now() >= deadline {
            return alive;
        }
        // The groups were read from live members of these sessions a moment ago, so each
        // is one of ours (a group id is not reused while a member lives).
        for group in groups.into_iter().filter(|&g| g > 1).filter_map(|g| Pid::from_raw(g as i32)) {
            // ESRCH (the group is gone) is the outcome we want; nothing to report.
            let _ = rustix::process::kill_process_group(group, Signal::KILL);
        }
        for pid in alive {
            if let Some(pid) = Pid::from_raw(pid as i32) {
                // ESRCH (already gone) is the outcome we want; nothing to report.
                let _ = kill_process(pid, Signal::KILL);
            }
        }
        std::thread::sleep(backoff);
        backoff = (backoff * 2).min(Duration::from_millis(50));
    }
}
