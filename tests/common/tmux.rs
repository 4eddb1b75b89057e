//! Driving the real binary's TUI in a detached tmux server of its own (send-keys and
//! capture-pane), and removing whatever its demo swarm left if the TUI could not.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use super::processes_under;

/// Whether tmux can run here; a test that needs it skips with a printed reason.
pub fn available() -> bool {
    Command::new("tmux").arg("-V").output().is_ok()
}

pub struct Tmux {
    pub socket: String,
    /// The demo's directory once known, to remove its processes if swarmtop could not.
    pub root: Option<PathBuf>,
}

impl Tmux {
    pub fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux").arg("-L").arg(&self.socket).args(args).output().expect("tmux runs")
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "e2e"]).stdout).into_owned()
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        assert!(self.cmd(&args).status.success());
    }

    pub fn wait_screen(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}; screen:\n{s}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // Closing the pane hangs up swarmtop, which removes its demo swarm; if it
        // failed to, the sessions of whatever still works under the demo root die here.
        let _ = self.cmd(&["kill-server"]);
        if let Some(root) = &self.root {
            let sids: Vec<u32> = processes_under(root).into_iter().filter_map(session_of).collect();
            swarmtop::kill::sessions::kill_sessions(&sids, Duration::from_secs(10));
        }
    }
}

pub fn demo_root(screen: &str) -> PathBuf {
    let start = screen
        .find("/tmp/swarmtop-demo-")
        .or_else(|| screen.find("swarmtop-demo-"))
        .expect("demo root on screen");
    let rest = &screen[start..];
    let end = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
    let path = PathBuf::from(&rest[..end]);
    // The footer shows the root as the filter; an absolute path is needed.
    assert!(path.is_absolute(), "{path:?}");
    path
}

pub fn session_of(pid: u32) -> Option<u32> {
    swarmtop::procfs::read_stat(pid, &mut Vec::new()).map(|s| s.sid)
}

impl Tmux {
    /// `swarmtop demo` on a 120x40 pane of a tmux server of its own, without a user config.
    pub fn demo(name: &str) -> Tmux {
        let tmux = Tmux { socket: format!("swarmtop-{name}-{}", std::process::id()), root: None };
        let bin = env!("CARGO_BIN_EXE_swarmtop");
        let started = tmux.cmd(&[
            "new-session",
            "-d",
            "-x",
            "120",
            "-y",
            "40",
            "-s",
            "e2e",
            "-e",
            "XDG_CONFIG_HOME=/nonexistent",
            bin,
            "demo",
            "--refresh",
            "500",
        ]);
        assert!(started.status.success(), "{}", String::from_utf8_lossy(&started.stderr));
        tmux
    }
}
