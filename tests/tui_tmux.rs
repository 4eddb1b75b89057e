//! End to end: the real binary's TUI on the demo swarm under tmux (send-keys and
//! capture-pane). Skips with a printed reason where tmux is missing.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use common::processes_under;

struct Tmux {
    socket: String,
    /// The demo's directory once known, to remove its processes if swarmtop could not.
    root: Option<PathBuf>,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux").arg("-L").arg(&self.socket).args(args).output().expect("tmux runs")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "e2e"]).stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        assert!(self.cmd(&args).status.success());
    }

    fn wait_screen(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
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

fn demo_root(screen: &str) -> PathBuf {
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

fn session_of(pid: u32) -> Option<u32> {
    swarmtop::procfs::read_stat(pid, &mut Vec::new()).map(|s| s.sid)
}

#[test]
fn demo_tui_under_tmux_filters_collapses_and_cleans_up() {
    if Command::new("tmux").arg("-V").output().is_err() {
        println!("SKIPPED: tmux is not installed, so the end-to-end TUI test cannot run");
        return;
    }
    let mut tmux = Tmux { socket: format!("swarmtop-e2e-{}", std::process::id()), root: None };
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

    let s = tmux.wait_screen("the demo swarm", |s| s.contains("1a2b") && s.contains("claude --continue"));
    let root = demo_root(&s);
    tmux.root = Some(root.clone());
    assert!(s.contains("[orphan]"), "the leaked watcher is marked:\n{s}");
    assert!(s.contains("▶"), "a selection marker");

    // Esc clears the demo's scope. (Keys after an Esc in the same burst would read as Alt-keys.)
    tmux.keys(&["Escape"]);
    tmux.wait_screen("the cleared scope", |s| !s.contains(" filter: "));
    // `/` starts a filter; typing narrows incrementally.
    tmux.keys(&["/", "s", "e", "a", "r", "c", "h"]);
    let s = tmux.wait_screen("the filter", |s| s.contains("filter: search") && !s.contains("1a2b"));
    assert!(s.contains("claude --continue"), "{s}");
    tmux.keys(&["Enter"]);
    tmux.wait_screen("the kept filter", |s| s.contains("filter: search") && !s.contains('█'));
    tmux.keys(&["Escape"]);
    tmux.wait_screen("the cleared filter", |s| s.contains("1a2b") && !s.contains("filter: search"));

    // Collapse everything: only project rows, with their roll-ups.
    tmux.keys(&["-"]);
    let s = tmux.wait_screen("collapsed projects", |s| s.contains("▸ alpha") && !s.contains("▾ add-login"));
    assert!(s.contains("▸ beta"), "{s}");

    tmux.keys(&["?"]);
    let s = tmux.wait_screen("the help", |s| s.contains("Show this help"));
    assert!(s.contains("help — Esc closes"), "the help's own keys, from the table:\n{s}");
    // The help lists every context's keys; PageDown scrolls it (a key of the help's own).
    // (As many pages as the help is long: every context's keys are listed.)
    for _ in 0..10 {
        if tmux.screen().contains("in the kill report:") {
            break;
        }
        let before = tmux.screen();
        tmux.keys(&["NPage"]);
        tmux.wait_screen("the next page", |s| s != before);
    }
    tmux.wait_screen("the kill report's keys", |s| {
        s.contains("in the kill report:") && !s.contains("Show this help")
    });
    tmux.keys(&["Escape"]);
    tmux.wait_screen("the closed help", |s| !s.contains("Show this help"));
    tmux.keys(&["q"]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while root.exists() || !processes_under(&root).is_empty() {
        assert!(Instant::now() < deadline, "demo not cleaned up: {:?}", processes_under(&root));
        std::thread::sleep(Duration::from_millis(50));
    }
}
