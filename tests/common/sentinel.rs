//! Sentinels: processes that log every catchable signal they receive (one name per
//! line) and otherwise sleep, placed where a wrong kill would land. SIGSTOP cannot be
//! caught, but the SIGCONT that must follow it is logged; SIGKILL shows as death.

use std::path::{Path, PathBuf};

use super::Sessions;

const SCRIPT: &str = r#"
import os, signal, sys, time
log = sys.argv[1]
# A client of a port (SENTINEL_CONNECT=host:port): holds a connected socket, not a listener.
peer = os.environ.get("SENTINEL_CONNECT")
if peer:
    import socket
    host, port = peer.rsplit(":", 1)
    conn = socket.create_connection((host, int(port)))
def note(s, _frame):
    with open(log, "a") as f:
        f.write(signal.Signals(s).name + "\n")
for s in signal.valid_signals():
    if s in (signal.SIGKILL, signal.SIGSTOP):
        continue
    try:
        signal.signal(s, note)
    except (OSError, ValueError, RuntimeError):
        pass
open(log + ".ready", "w").close()
while True:
    time.sleep(3600)
"#;

/// The real python3 interpreter (not a shim script, which `exec -a` would confuse).
pub fn python() -> Option<&'static str> {
    static PYTHON: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    PYTHON
        .get_or_init(|| {
            let out = std::process::Command::new("python3")
                .args(["-c", "import sys; print(sys.executable)"])
                .output()
                .ok()?;
            let path = String::from_utf8(out.stdout).ok()?.trim().to_string();
            (out.status.success() && !path.is_empty()).then_some(path)
        })
        .as_deref()
}

/// Whether sentinels can run here (they need python3).
pub fn available() -> bool {
    python().is_some()
}

/// True (after saying so) when sentinels cannot run here: the test then skips.
pub fn skip_without_python() -> bool {
    if available() {
        return false;
    }
    println!("SKIPPED: sentinels need python3");
    true
}

pub struct Sentinel {
    pub label: String,
    pub log: PathBuf,
}

impl Sentinel {
    /// The shell command that becomes a sentinel labelled `label` (argv[0]) logging to `log`.
    pub fn command(label: &str, log: &Path) -> String {
        let python = python().unwrap_or("python3");
        format!("exec -a {label} {python} -c '{}' {}", SCRIPT.replace('\'', "'\\''"), log.display())
    }

    /// The shell command that becomes a sentinel connected to `host:port` first.
    pub fn connected_command(label: &str, log: &Path, peer: &str) -> String {
        format!("SENTINEL_CONNECT={peer} {}", Sentinel::command(label, log))
    }

    pub fn new(label: &str, dir: &Path) -> Sentinel {
        let s = Sentinel { label: label.to_string(), log: dir.join(format!("{label}.log")) };
        std::fs::write(s.script(), Sentinel::command(label, &s.log)).expect("write the sentinel script");
        s
    }

    /// A shell script that becomes this sentinel: `bash <script>` from anywhere.
    pub fn script(&self) -> PathBuf {
        self.log.with_extension("sh")
    }

    /// Starts it in a session of its own, in `cwd`.
    pub fn spawn(&self, procs: &mut Sessions, cwd: &Path) -> u32 {
        procs.spawn(&format!("{}-sh", self.label), cwd, &Sentinel::command(&self.label, &self.log))
    }

    pub fn ready(&self) -> bool {
        self.log.with_extension("log.ready").exists()
    }

    /// Every signal it has received so far.
    pub fn received(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log).unwrap_or_default().lines().map(str::to_string).collect()
    }
}
