//! Links to the test sshd's far side, and waiting on their updates with deadlines.

use std::sync::Arc;
use std::time::{Duration, Instant};

use swarmtop::remote::host::HostSpec;
use swarmtop::remote::link::{Link, Timing, Update};
use swarmtop::remote::transport::Ssh;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use super::sshd::Sshd;

/// Quick to call a far side stale (1 s) and to give up on it (5 s).
pub const FAST: Timing = Timing {
    stall: Duration::from_secs(1),
    drop_after: Duration::from_secs(5),
    hello_within: Duration::from_secs(30),
};

pub struct Links {
    pub links: Vec<Link>,
    tx: UnboundedSender<(usize, Update)>,
    rx: UnboundedReceiver<(usize, Update)>,
    runtime: tokio::runtime::Runtime,
    /// Every update seen so far, in order.
    pub seen: Vec<(usize, Update)>,
}

impl Links {
    pub fn new() -> Links {
        let (tx, rx) = unbounded_channel();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().expect("runtime");
        Links { links: Vec::new(), tx, rx, runtime, seen: Vec::new() }
    }

    /// Connects to `host` of `sshd` (its far side runs `remote`, default the binary under test).
    pub fn add(&mut self, sshd: &Sshd, host: &str, remote: Option<&str>, timing: Timing) -> usize {
        let transport = Arc::new(Ssh {
            command: sshd.ssh_words(),
            remote: remote.map_or_else(Sshd::remote_command, str::to_string),
            refresh_ms: 200,
        });
        let i = self.links.len();
        let spec: HostSpec = host.parse().expect("host");
        self.links.push(Link::start(i, spec, transport, timing, self.tx.clone()));
        i
    }

    /// Waits for an update that `pred` accepts; returns it.
    pub fn until(
        &mut self,
        what: &str,
        within: Duration,
        mut pred: impl FnMut(usize, &Update) -> bool,
    ) -> Update {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "timed out waiting for {what}; seen: {:?}", self.summary());
            let next = self.runtime.block_on(async { tokio::time::timeout(left, self.rx.recv()).await });
            let Ok(Some((i, update))) = next else { continue };
            self.seen.push((i, update.clone()));
            if pred(i, &update) {
                return update;
            }
        }
    }

    /// The next forest of link `i`.
    pub fn forest(&mut self, i: usize) -> Arc<swarmtop::model::Forest> {
        match self.until("a forest", Duration::from_secs(60), |j, u| j == i && matches!(u, Update::Forest(_)))
        {
            Update::Forest(f) => f,
            _ => unreachable!(),
        }
    }

    fn summary(&self) -> Vec<String> {
        self.seen
            .iter()
            .rev()
            .take(12)
            .map(|(i, u)| match u {
                Update::Forest(f) => format!("{i}: forest of pid {}", f.self_pid),
                u => format!("{i}: {u:?}").chars().take(200).collect(),
            })
            .collect()
    }
}

/// Signals a process by its recorded PID (a test's own ssh or serve).
pub fn signal(pid: u32, signal: rustix::process::Signal) {
    let pid = rustix::process::Pid::from_raw(pid as i32).expect("pid");
    let _ = rustix::process::kill_process(pid, signal);
}

/// A process this test stopped: continued whatever ends the test.
pub struct Stopped(pub u32);

impl Stopped {
    pub fn stop(pid: u32) -> Stopped {
        signal(pid, rustix::process::Signal::STOP);
        Stopped(pid)
    }
}

impl Drop for Stopped {
    fn drop(&mut self) {
        signal(self.0, rustix::process::Signal::CONT);
    }
}
