//! One host kept connected on a thread of its own: connect through the `Transport`,
//! read its messages into a `Session`, publish what happens as `Update`s, notice a far
//! side that stalls, and reconnect with backoff. Nothing here ever blocks the caller or
//! another host: commands go in on a channel, updates come out on one, and the ssh
//! pipes are read and written by threads of their own.

use std::collections::HashMap;
use std::io::Read;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::mpsc::UnboundedSender;

use super::host::{HostSpec, HostStatus, backoff, failure_reason, install_hint};
use super::pipes::{PipeEvent, collect_stderr, spawn_reader, spawn_writer};
use super::protocol::{ClientMessage, PlanRequest};
use super::session::{Problem, Session};
use super::transport::{Connection, Transport};
use crate::kill::exec::{KillReport, Outcome, Sig};
use crate::kill::operation::Operation;
use crate::kill::plan::KillPlan;

pub use super::session::Update;

#[derive(Debug, Clone)]
pub enum LinkCommand {
    Plan {
        request: u64,
        kill: PlanRequest,
    },
    /// Carry out the kept plan `id`; `plan` is what the user confirmed (its processes
    /// are sent back, and make the report if the connection drops meanwhile).
    Execute {
        request: u64,
        id: String,
        plan: Box<KillPlan>,
        signal: Sig,
        grace_secs: u64,
    },
    Cancel {
        request: u64,
    },
    Pause(bool),
    Refresh,
}

enum Input {
    Line(u64, Vec<u8>),
    /// The connection's output ended (or could not be read: why).
    End(u64, Option<String>),
    Command(LinkCommand),
    Shutdown,
}

/// Timing: a far side is stale after `stall` without a message, dropped and
/// reconnected after `drop_after`; one that never says hello is given `hello_within`.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub stall: Duration,
    pub drop_after: Duration,
    pub hello_within: Duration,
}

impl Timing {
    pub fn for_refresh(refresh: Duration) -> Timing {
        let stall = crate::tui::feed::stall_after(refresh);
        Timing {
            stall,
            drop_after: (stall * 10).max(Duration::from_secs(30)),
            hello_within: Duration::from_secs(30),
        }
    }
}

pub struct Link {
    tx: mpsc::Sender<Input>,
    ssh_pid: Arc<Mutex<Option<u32>>>,
}

impl Link {
    pub fn start(
        index: usize,
        host: HostSpec,
        transport: Arc<dyn Transport>,
        timing: Timing,
        updates: UnboundedSender<(usize, Update)>,
    ) -> Link {
        let (tx, rx) = mpsc::channel();
        let ssh_pid = Arc::new(Mutex::new(None));
        let mut worker = Worker {
            index,
            host,
            transport,
            timing,
            updates,
            inputs: rx,
            tx: tx.clone(),
            ssh_pid: Arc::clone(&ssh_pid),
            paused: false,
        };
        let name = format!("swarmtop-host-{index}");
        if let Err(e) = std::thread::Builder::new().name(name).spawn(move || worker.run()) {
            let _ = tx.send(Input::Shutdown);
            crate::warn!("swarmtop: cannot start a thread for a host: {e}");
        }
        Link { tx, ssh_pid }
    }

    pub fn send(&self, command: LinkCommand) {
        // The worker ends only on Shutdown, which only Drop sends.
        let _ = self.tx.send(Input::Command(command));
    }

    /// The PID of the ssh process of the current connection, if one runs.
    pub fn ssh_pid(&self) -> Option<u32> {
        *self.ssh_pid.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        let _ = self.tx.send(Input::Shutdown);
    }
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// A report for a kill whose connection was lost before its report came.
pub fn unknown_outcome(host: &HostSpec, plan: &KillPlan, operation: Operation) -> KillReport {
    let mut report = KillReport::new(operation);
    report.outcomes = plan.entries.iter().map(|e| (e.clone(), Outcome::Unknown)).collect();
    report.warnings.push(format!(
        "the connection to {host} was lost while the kill ran there: what became of these processes is not \
         known here, and the kill was not retried (look with `swarmtop list --host {host}`)"
    ));
    report
}

enum Pending {
    Plan,
    Kill(Box<KillPlan>, Operation),
}

struct Worker {
    index: usize,
    host: HostSpec,
    transport: Arc<dyn Transport>,
    timing: Timing,
    updates: UnboundedSender<(usize, Update)>,
    inputs: mpsc::Receiver<Input>,
    tx: mpsc::Sender<Input>,
    ssh_pid: Arc<Mutex<Option<u32>>>,
    paused: bool,
}

/// Why a conversation ended: the peer is no swarmtop this one can talk to, a reason of
/// the link's own, or the connection ended (ssh says why).
enum Why {
    Incompatible(String),
    Because(String),
    Ssh,
}

/// How one connection ended.
enum Ended {
    Shutdown,
    Lost { reason: String, was_up: bool },
}

impl Worker {
    fn publish(&self, update: Update) {
        // The receiver is gone only when the UI is: nothing left to tell.
        let _ = self.updates.send((self.index, update));
    }

    fn run(&mut self) {
        self.publish(Update::Status(HostStatus::Connecting));
        let (mut failures, mut ever_up) = (0u32, false);
        for generation in 1u64.. {
            let (reason, was_up) = match self.connect_once(generation) {
                Ended::Shutdown => return,
                Ended::Lost { reason, was_up } => (reason, was_up),
            };
            *self.ssh_pid.lock().unwrap_or_else(PoisonError::into_inner) = None;
            failures = if was_up { 1 } else { failures + 1 };
            ever_up |= was_up;
            let at = Instant::now() + backoff(failures, ever_up);
            let at_ms = now_ms() + backoff(failures, ever_up).as_millis() as u64;
            self.publish(Update::Status(if ever_up {
                HostStatus::Reconnecting { reason: reason.clone(), at_ms }
            } else {
                HostStatus::Failed { reason: reason.clone(), retry_at_ms: at_ms }
            }));
            if !self.wait_until(at, &reason) {
                return;
            }
        }
    }

    /// Waits out the backoff, refusing kills meanwhile. False on shutdown.
    fn wait_until(&mut self, at: Instant, reason: &str) -> bool {
        loop {
            match self.inputs.recv_timeout(at.saturating_duration_since(Instant::now())) {
                Ok(Input::Shutdown) | Err(RecvTimeoutError::Disconnected) => return false,
                Ok(Input::Command(c)) => self.not_connected(c, reason),
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => return true,
            }
        }
    }

    fn not_connected(&mut self, c: LinkCommand, why: &str) {
        let message = format!("{} is not connected ({why}): nothing was signalled", self.host);
        match c {
            LinkCommand::Plan { request, .. } | LinkCommand::Execute { request, .. } => {
                self.publish(Update::Refused { request, message })
            }
            LinkCommand::Pause(p) => self.paused = p,
            LinkCommand::Cancel { .. } | LinkCommand::Refresh => {}
        }
    }

    fn connect_once(&mut self, generation: u64) -> Ended {
        let conn = match self.transport.connect(&self.host) {
            Ok(c) => c,
            Err(e) => return Ended::Lost { reason: e.to_string(), was_up: false },
        };
        let Connection { pid, input, output, errors, mut process } = conn;
        *self.ssh_pid.lock().unwrap_or_else(PoisonError::into_inner) = pid;
        let (stderr, stderr_done) = collect_stderr(errors);
        let writer = spawn_writer(input);
        self.spawn_reader(output, generation);
        let mut pending: HashMap<u64, Pending> = HashMap::new();
        let (ended, was_up) = self.converse(generation, &writer, &mut pending);
        process.kill();
        let exit = process.try_wait().flatten();
        // ssh's last words may still be in the pipe: read them to its end (briefly).
        let _ = stderr_done.recv_timeout(Duration::from_secs(1));
        let binary = std::env::current_exe().map_or("swarmtop".into(), |p| p.display().to_string());
        let hint = install_hint(&self.host, &binary);
        let reason = match ended {
            None => return self.shut(pending),
            Some(Why::Incompatible(reason)) => format!("{reason}: {hint}"),
            Some(Why::Because(reason)) => reason,
            Some(Why::Ssh) => {
                let lines: Vec<String> =
                    stderr.lock().unwrap_or_else(PoisonError::into_inner).iter().cloned().collect();
                failure_reason(&self.host, exit, &lines, &hint)
            }
        };
        self.lost(pending);
        Ended::Lost { reason, was_up }
    }

    fn shut(&mut self, pending: HashMap<u64, Pending>) -> Ended {
        self.lost(pending);
        Ended::Shutdown
    }

    /// What was asked of a connection that is gone: plans are refused, kills have an
    /// unknown outcome (never retried).
    fn lost(&mut self, pending: HashMap<u64, Pending>) {
        for (request, p) in pending {
            match p {
                Pending::Plan => self.publish(Update::Refused {
                    request,
                    message: format!("the connection to {} was lost: nothing was signalled", self.host),
                }),
                Pending::Kill(plan, operation) => {
                    let report = unknown_outcome(&self.host, &plan, operation);
                    self.publish(Update::Report { request, report: Box::new(report) });
                }
            }
        }
    }

    /// Reads the connection until it ends: `None` on shutdown; and whether it was up.
    fn converse(
        &mut self,
        generation: u64,
        writer: &mpsc::Sender<String>,
        pending: &mut HashMap<u64, Pending>,
    ) -> (Option<Why>, bool) {
        let mut session = Session::default();
        let started = Instant::now();
        let mut last = (Instant::now(), now_ms());
        let mut stale = false;
        let send = |m: ClientMessage| {
            let _ = writer.send(m.encode());
        };
        loop {
            let up = session.hello().is_some();
            let input = match self.inputs.recv_timeout(Duration::from_millis(250)) {
                Ok(i) => i,
                Err(RecvTimeoutError::Disconnected) => return (None, up),
                Err(RecvTimeoutError::Timeout) => {
                    let idle = last.0.elapsed();
                    if !up && started.elapsed() > self.timing.hello_within {
                        let secs = self.timing.hello_within.as_secs();
                        return (
                            Some(Why::Because(format!("no answer from swarmtop within {secs} s"))),
                            false,
                        );
                    }
                    if up && !self.paused && idle > self.timing.drop_after {
                        let reason = format!("nothing came for {} s (the far side stalls)", idle.as_secs());
                        return (Some(Why::Because(reason)), true);
                    }
                    if up && !self.paused && !stale && idle > self.timing.stall {
                        stale = true;
                        self.publish(Update::Status(HostStatus::Stale { since_ms: last.1 }));
                    }
                    continue;
                }
            };
            match input {
                Input::Shutdown => return (None, up),
                Input::Line(g, line) if g == generation => {
                    last = (Instant::now(), now_ms());
                    if stale {
                        stale = false;
                        self.publish(Update::Status(HostStatus::Connected));
                    }
                    match session.on_line(&line) {
                        Ok(event) => self.event(event, pending, &send),
                        Err(Problem::Fatal(reason)) => return (Some(Why::Incompatible(reason)), up),
                        Err(Problem::Resync(why)) => {
                            send(ClientMessage::Resync);
                            self.publish(Update::Notice(format!(
                                "{}: {why}; asked for a whole forest",
                                self.host
                            )));
                        }
                        Err(Problem::Reported(why)) => {
                            self.publish(Update::Notice(format!("{}: {why}", self.host)))
                        }
                    }
                }
                Input::End(g, why) if g == generation => {
                    return (Some(why.map_or(Why::Ssh, Why::Because)), up);
                }
                Input::Line(..) | Input::End(..) => {}
                Input::Command(c) if !up => self.not_connected(c, "connecting"),
                Input::Command(c) => self.command(c, &session, pending, &send),
            }
        }
    }

    /// Publishes what the session read; an answer settles its request.
    fn event(&mut self, update: Update, pending: &mut HashMap<u64, Pending>, send: &impl Fn(ClientMessage)) {
        match &update {
            Update::Hello(_) if self.paused => send(ClientMessage::Pause { paused: true }),
            Update::Plan { request, .. }
            | Update::Refused { request, .. }
            | Update::Report { request, .. } => {
                pending.remove(request);
            }
            _ => {}
        }
        let hello = matches!(update, Update::Hello(_));
        self.publish(update);
        if hello {
            self.publish(Update::Status(HostStatus::Connected));
        }
    }

    fn command(
        &mut self,
        c: LinkCommand,
        session: &Session,
        pending: &mut HashMap<u64, Pending>,
        send: &impl Fn(ClientMessage),
    ) {
        match c {
            LinkCommand::Plan { request, .. } | LinkCommand::Execute { request, .. } if !session.kills() => {
                let message = format!("{} serves read-only: kills are disabled there", self.host);
                self.publish(Update::Refused { request, message });
            }
            LinkCommand::Plan { request, kill } => {
                pending.insert(request, Pending::Plan);
                send(ClientMessage::Plan { request, kill });
            }
            LinkCommand::Execute { request, id, plan, signal, grace_secs } => {
                let keys = plan.entries.iter().map(|e| e.key).collect();
                pending.insert(request, Pending::Kill(plan, Operation::Kill { signal, grace_secs }));
                send(ClientMessage::Execute { request, plan: id, keys, signal, grace_secs });
            }
            LinkCommand::Cancel { request } => send(ClientMessage::Cancel { request }),
            LinkCommand::Pause(paused) => {
                self.paused = paused;
                send(ClientMessage::Pause { paused });
            }
            LinkCommand::Refresh => send(ClientMessage::Refresh),
        }
    }

    /// Reads the connection's lines on a thread of its own, as inputs of `generation`.
    fn spawn_reader(&self, output: Box<dyn Read + Send>, generation: u64) {
        let tx = self.tx.clone();
        let input = move |event| match event {
            PipeEvent::Line(line) => Input::Line(generation, line),
            PipeEvent::End(why) => Input::End(generation, why),
        };
        let name = format!("swarmtop-host-{}-in", self.index);
        if let Err(e) = spawn_reader(name, output, move |event| tx.send(input(event)).is_ok()) {
            let _ = self.tx.send(Input::End(generation, Some(format!("cannot start a reader thread: {e}"))));
        }
    }
}
