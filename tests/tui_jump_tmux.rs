//! End to end: `t` on an agent's attempt switches to the tmux pane the agent runs in.
//! A tmux server of its own (a socket in a temp dir, killed by its recorded pid) runs an
//! agent stand-in (argv[0] `claude`) in one window and the real binary's TUI in
//! another; the test asserts the agent's pane became the active one. Skips with a
//! printed reason without tmux or git.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::{repo, worktree};

struct Server {
    socket: PathBuf,
    /// The server's pid and its panes' (each pane leads a session), killed on drop.
    pids: Vec<u32>,
}

impl Server {
    fn cmd(&self, args: &[&str]) -> Output {
        // From the temp dir: the server keeps the cwd it starts in, and is not placed in
        // the worktree the tests run from.
        let dir = self.socket.parent().unwrap_or(Path::new("/"));
        Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .current_dir(dir)
            .output()
            .expect("tmux runs")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd(args);
        assert!(out.status.success(), "tmux {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn wait(&self, what: &str, pred: impl Fn(&Server) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !pred(self) {
            let screen = self.ok(&["capture-pane", "-p", "-t", "agents:top"]);
            assert!(Instant::now() < deadline, "timed out waiting for {what}; swarmtop's screen:\n{screen}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn screen(&self) -> String {
        self.ok(&["capture-pane", "-p", "-t", "agents:top"])
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        swarmtop::kill::sessions::kill_sessions(&self.pids, Duration::from_secs(10));
    }
}

fn tool(name: &str) -> bool {
    Command::new(name).arg("--version").output().is_ok() || Command::new(name).arg("-V").output().is_ok()
}

#[test]
fn t_on_an_agents_attempt_switches_to_its_tmux_pane() {
    if !tool("tmux") || !tool("git") {
        println!("SKIPPED: tmux and git are needed to run an agent in a tmux pane of its own");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let name = format!("jump{}", std::process::id());
    let r = repo(tmp.path(), &name);
    let wt = worktree(&r, &tmp.path().join(format!("wt-{name}")), "feat/jump");
    let mut server = Server { socket: tmp.path().join("tmux.sock"), pids: Vec::new() };
    let wt_arg = wt.to_str().unwrap();
    server.ok(&[
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-x",
        "120",
        "-y",
        "40",
        "-s",
        "agents",
        "-c",
        wt_arg,
        "bash -c 'exec -a claude sleep 600'",
    ]);
    let server_pid: u32 = server.ok(&["display-message", "-p", "-t", "agents", "#{pid}"]).parse().unwrap();
    server.pids.push(server_pid);
    let agent_pane = server.ok(&["display-message", "-p", "-t", "agents", "#{pane_id}"]);
    let bin = env!("CARGO_BIN_EXE_swarmtop");
    let top = format!("env XDG_CONFIG_HOME=/nonexistent {bin} --refresh 300");
    server.ok(&["new-window", "-t", "agents", "-n", "top", "-c", &tmp.path().to_string_lossy(), &top]);
    for pid in server.ok(&["list-panes", "-a", "-F", "#{pane_pid}"]).lines() {
        server.pids.push(pid.parse().unwrap());
    }
    let active = |s: &Server| s.ok(&["list-panes", "-a", "-F", "#{window_active}#{pane_active} #{pane_id}"]);
    assert!(!active(&server).contains(&format!("11 {agent_pane}")), "swarmtop's window is the active one");

    server.wait("swarmtop's tree", |s| s.screen().contains("NAME"));
    server.ok(&["send-keys", "-t", "agents:top", "/"]);
    server.ok(&["send-keys", "-t", "agents:top", "-l", &format!("wt-{name}")]);
    server.ok(&["send-keys", "-t", "agents:top", "Enter"]);
    server.wait("the agent's attempt", |s| s.screen().contains("claude 600 [claude]"));
    server.ok(&["send-keys", "-t", "agents:top", "Home"]);
    let selected =
        |s: &Server| s.screen().lines().any(|l| l.starts_with("▶") && l.contains(&format!("wt-{name}  ")));
    for _ in 0..20 {
        if selected(&server) {
            break;
        }
        let before = server.screen();
        server.ok(&["send-keys", "-t", "agents:top", "j"]);
        server.wait("the selection to move", |s| s.screen() != before);
    }
    assert!(selected(&server), "the attempt row is selected:\n{}", server.screen());
    server.ok(&["send-keys", "-t", "agents:top", "t"]);
    server.wait("the agent's pane active", |s| active(s).lines().any(|l| l == format!("11 {agent_pane}")));
    assert!(server.screen().contains("jumped to claude"), "{}", server.screen());
    assert!(Path::new(&server.socket).exists());
}
