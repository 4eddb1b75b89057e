//! The load `swarmtop bench` runs on: idle processes (nested trees, one session), and
//! optionally git worktrees each with two processes holding a listening socket. All of
//! it is removed on drop, processes by session id.

use std::net::TcpListener;
use std::os::fd::OwnedFd;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::CliError;
use crate::kill::sessions;

/// Processes per worktree that hold a listening socket.
pub const LISTENERS_PER_WORKTREE: usize = 2;

pub struct Load {
    children: Vec<Child>,
    /// The worktrees' repository, removed after the processes in it.
    dir: Option<tempfile::TempDir>,
}

impl Load {
    /// `idle` sleeping processes in groups of ten under one session leader, and
    /// `worktrees` worktrees of a temporary repository, each with
    /// `LISTENERS_PER_WORKTREE` processes listening on an ephemeral TCP port.
    pub fn start(idle: usize, worktrees: usize) -> Result<Load, CliError> {
        let mut load = Load { children: Vec::new(), dir: None };
        if idle > 0 {
            let groups = idle.div_ceil(10);
            let script = format!(
                "for g in $(seq {groups}); do (for i in 1 2 3 4 5 6 7 8 9; do sleep 3600 & done; wait) & done; wait"
            );
            let mut cmd = Command::new("bash");
            cmd.arg("-c").arg(script).stdin(Stdio::null());
            sessions::in_new_session(&mut cmd);
            load.children.push(cmd.spawn()?);
            load.wait_for(groups * 10);
        }
        if worktrees > 0 {
            let dir = tempfile::tempdir()?;
            let repo = dir.path().join("bench-repo");
            std::fs::create_dir(&repo)?;
            git(&repo, &["init", "-q", "-b", "main"])?;
            git(&repo, &["commit", "-q", "--allow-empty", "-m", "bench"])?;
            for w in 0..worktrees {
                let wt = dir.path().join(format!("wt-{w}"));
                git(&repo, &["worktree", "add", "-q", "-b", &format!("bench-{w}"), &wt.to_string_lossy()])?;
                for _ in 0..LISTENERS_PER_WORKTREE {
                    load.children.push(listening_sleep(&wt)?);
                }
            }
            load.dir = Some(dir);
        }
        Ok(load)
    }

    /// Waits (up to a minute) until the idle load has `n` processes.
    fn wait_for(&self, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while sessions::members(&self.sids()).len() < n && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn sids(&self) -> Vec<u32> {
        self.children.iter().map(Child::id).collect()
    }
}

/// `sleep` in `dir`, in a session of its own, holding a socket listening on an
/// ephemeral port of 127.0.0.1 as its stdin (swarmtop's own copy is closed).
fn listening_sleep(dir: &Path) -> Result<Child, CliError> {
    let socket = OwnedFd::from(TcpListener::bind(("127.0.0.1", 0))?);
    let mut cmd = Command::new("sleep");
    cmd.arg("3600").current_dir(dir).stdin(Stdio::from(socket)).stdout(Stdio::null());
    sessions::in_new_session(&mut cmd);
    Ok(cmd.spawn()?)
}

fn git(dir: &Path, args: &[&str]) -> Result<(), CliError> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "swarmtop bench")
        .env("GIT_AUTHOR_EMAIL", "bench@localhost")
        .env("GIT_COMMITTER_NAME", "swarmtop bench")
        .env("GIT_COMMITTER_EMAIL", "bench@localhost")
        .output()
        .map_err(|e| CliError::Spawn(format!("git (--worktrees needs it): {e}")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(CliError::Usage(format!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        let left = sessions::kill_sessions(&self.sids(), Duration::from_secs(10));
        if !left.is_empty() {
            crate::warn!("swarmtop bench: could not remove load processes {left:?}");
        }
        for child in &mut self.children {
            let _ = child.wait();
        }
        drop(self.dir.take());
    }
}
