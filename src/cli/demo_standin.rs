//! The demo swarm's processes: this very binary, started with the whole argv of the
//! program it stands in for (`claude`, `cargo test --workspace`, …) and its part in an
//! environment variable, so `ps` and swarmtop show exactly that command line.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// Carries a stand-in's [`Part`] as JSON; its presence makes the binary a stand-in.
pub const PART_VAR: &str = "SWARMTOP_DEMO_PART";

/// What a stand-in does, and the stand-ins it starts first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    pub argv: Vec<String>,
    /// Where it works (None: where its parent does).
    pub cwd: Option<PathBuf>,
    pub role: Role,
    pub children: Vec<Part>,
    /// A file a server creates once it listens, so the demo can wait for its port.
    #[serde(default)]
    pub ready_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// Sleeps until killed.
    Idle,
    /// Uses a little CPU, steadily: a few ms of work every 200 ms.
    Busy,
    /// Starts its children and exits at once, so they are left behind (a leak).
    Leaker,
    /// A dev server: listens on TCP 127.0.0.1 at this port or, as vite does when it is
    /// taken, the next free one (any port after a hundred tries), and sleeps.
    Server(u16),
}

impl Part {
    pub fn new(argv: &str, role: Role) -> Part {
        Part {
            argv: argv.split(' ').map(String::from).collect(),
            cwd: None,
            role,
            children: Vec::new(),
            ready_file: None,
        }
    }

    pub fn working_in(mut self, cwd: impl Into<PathBuf>) -> Part {
        self.cwd = Some(cwd.into());
        self
    }

    pub fn with(mut self, child: Part) -> Part {
        self.children.push(child);
        self
    }

    /// The command that starts this part: the current executable with the part's argv.
    pub fn command(&self) -> std::io::Result<Command> {
        let exe = std::env::current_exe()?;
        let json = serde_json::to_string(self).map_err(std::io::Error::other)?;
        let mut cmd = Command::new(exe);
        if let Some((argv0, args)) = self.argv.split_first() {
            cmd.arg0(argv0).args(args);
        }
        if let Some(cwd) = &self.cwd {
            cmd.current_dir(cwd);
        }
        cmd.env(PART_VAR, json).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        Ok(cmd)
    }
}

/// Plays the part in the environment, if any (never returns then); a binary that
/// starts the demo calls this first thing in `main`.
pub fn play_if_asked() {
    let Some(json) = std::env::var_os(PART_VAR) else { return };
    let part: Option<Part> = json.to_str().and_then(|j| serde_json::from_str(j).ok());
    let Some(part) = part else { std::process::exit(2) };
    for child in &part.children {
        // Reaped by a thread of its own, so a child killed from the TUI never lingers as
        // a zombie; a child that cannot start is left out (the demo shows what runs).
        if let Ok(mut c) = child.command().and_then(|mut cmd| cmd.spawn()) {
            std::thread::spawn(move || c.wait());
        }
    }
    match part.role {
        Role::Leaker => std::process::exit(0),
        Role::Server(port) => {
            let tries = (port..port.saturating_add(100)).chain([0]);
            // A server that cannot listen anywhere still plays its part, without a port.
            let _listener = tries.map(|p| std::net::TcpListener::bind(("127.0.0.1", p))).find_map(Result::ok);
            if let Some(file) = &part.ready_file {
                // The demo waits for this file at most a few seconds; without it, it
                // shows the swarm a little later.
                let _ = std::fs::write(file, b"");
            }
            loop {
                std::thread::park();
            }
        }
        Role::Idle => loop {
            std::thread::park();
        },
        Role::Busy => loop {
            let until = Instant::now() + Duration::from_millis(4);
            while Instant::now() < until {
                std::hint::spin_loop();
            }
            std::thread::sleep(Duration::from_millis(200));
        },
    }
}
