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

/// PIDs of the live (non-zombie) processes whose session id is in `sids`.
pub fn members(sids: &[u32]) -> Vec<u32> {
    let mut buf = Vec::new();
    procfs::list_pids()
        .into_iter()
        .filter(|&pid| {
            procfs::read_stat(pid, &mut buf)
                .is_some_and(|s| sids.contains(&s.sid) && procfs::thread_group_alive(pid, &s))
        })
        .collect()
}

/// SIGKILLs every member of the sessions until none is left or `deadline` passes.
/// Returns the PIDs still alive at the deadline (empty on success).
pub fn kill_sessions(sids: &[u32], within: Duration) -> Vec<u32> {
    let deadline = Instant::now() + within;
    let mut backoff = Duration::from_millis(1);
    loop {
        let alive = members(sids);
        if alive.is_empty() || Instant::now() >= deadline {
            return alive;
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
