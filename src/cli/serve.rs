//! `swarmtop serve --stdio`: the far side of `--host`. Speaks the protocol of
//! docs/protocol.md on stdin/stdout: its hello, then a forest every refresh (the first
//! whole, then only what changed), and kills planned and carried out here, with this
//! box's own identity checks, protections and report. `--read-only` refuses every kill.
//! It ends when stdin closes (after a kill that is running: the user confirmed it) and
//! on SIGINT, SIGTERM, SIGHUP or SIGQUIT (a running kill is cancelled first: it
//! continues whatever it stopped).

use std::io::{BufReader, Write};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use futures_util::StreamExt;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use super::{CliError, associate_options, open_sampler};
use crate::config::{Config, MAX_GRACE_SECS};
use crate::kill::operation::Operation;
use crate::kill::pidfd::local_context;
use crate::kill::plan::{PlanContext, plan_with};
use crate::model::Forest;
use crate::remote::delta::ForestDelta;
use crate::remote::plans::Plans;
use crate::remote::protocol::{
    CAP_FOREST_DELTA, CAP_KILL, ClientMessage, DecodeError, Hello, MAX_CLIENT_LINE, PROTOCOL, ServerMessage,
};
use crate::remote::transport::read_line;
use crate::remote::wire::WireForest;
use crate::tui::action::{Action, KillRequest};
use crate::tui::feed::{Feed, FeedState};
use crate::tui::run::{Kills, OpenResample, PidfdRunner};

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Speak the protocol on stdin and stdout (the only transport: ssh runs this).
    #[arg(long, required = true)]
    pub stdio: bool,
}

pub fn run(_: &ServeArgs, config: &Config) -> Result<i32, CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(serve(config))
}

/// stdout, one message per line; after a failed write (the client went away) silent.
struct Out {
    gone: bool,
}

impl Out {
    fn send(&mut self, m: &ServerMessage) {
        if self.gone {
            return;
        }
        let mut stdout = std::io::stdout().lock();
        if stdout.write_all(m.encode().as_bytes()).and_then(|()| stdout.flush()).is_err() {
            self.gone = true;
        }
    }
}

/// What was sent last, so the next forest is only its changes.
#[derive(Default)]
struct Sent {
    seq: u64,
    wire: Option<WireForest>,
    forest: Option<Arc<Forest>>,
    status: Option<(Option<u64>, Option<String>, Vec<String>)>,
}

async fn serve(config: &Config) -> Result<i32, CliError> {
    let mut out = Out { gone: false };
    let hello = Hello {
        protocol: PROTOCOL,
        host: crate::sample::HostFacts::read().host,
        version: env!("CARGO_PKG_VERSION").into(),
        capabilities: vec![CAP_FOREST_DELTA.into(), CAP_KILL.into()],
        read_only: config.read_only,
    };
    out.send(&ServerMessage::Hello(hello));
    let refresh = Duration::from_millis(config.refresh_ms);
    let (feed, mut forests) = Feed::start(open_sampler(config)?, associate_options(config), refresh);
    let mut requests = read_requests();
    let kill_config = config.clone();
    let open_resample: OpenResample =
        Arc::new(move || super::warm_resample(&kill_config).map_err(|e| e.to_string()));
    let mut kills = Kills::new(Arc::new(PidfdRunner { open_resample }));
    let (kill_tx, mut kill_rx) = unbounded_channel::<Action>();
    let mut signals = crate::tui::run::os_signals()?;
    let context = local_context(&config.kill.protect);
    // This process's identity: no other serve's plan id is known here.
    let me = std::process::id();
    let ticks = crate::procfs::read_stat(me, &mut Vec::new()).map_or(0, |s| s.start_ticks);
    let self_key = format!("{me}.{ticks}");
    let mut server = Server {
        config,
        context,
        plans: Plans::new(self_key),
        sent: Sent::default(),
        running: None,
        kill_tx,
    };
    let mut closing = false;
    loop {
        tokio::select! {
            changed = forests.changed() => {
                if changed.is_err() {
                    return Ok(1); // the sampler thread is gone
                }
                let state = forests.borrow_and_update().clone();
                server.publish(&state, &mut out);
            }
            request = requests.recv(), if !closing => match request {
                Some(Ok(m)) => server.request(m, &feed, &mut kills, &mut out),
                Some(Err(e)) => out.send(&ServerMessage::Error { message: e.to_string() }),
                // The client is gone; a kill it confirmed runs to its end first.
                None if kills.is_running() => closing = true,
                None => return Ok(0),
            },
            Some(action) = kill_rx.recv() => {
                let Some(request) = server.running else { continue };
                match action {
                    Action::KillProgress(progress) => out.send(&ServerMessage::Progress { request, progress }),
                    Action::KillDone(report) => {
                        server.running = None;
                        out.send(&ServerMessage::Report { request, report: Box::new(report) });
                        feed.refresh_now();
                        if closing {
                            return Ok(0);
                        }
                    }
                    _ => {}
                }
            }
            // Dropping `kills` cancels a running kill and waits: it continues what it stopped.
            Some(_) = signals.next() => return Ok(0),
        }
        if out.gone && !kills.is_running() {
            return Ok(0);
        }
    }
}

struct Server<'a> {
    config: &'a Config,
    context: PlanContext,
    plans: Plans,
    sent: Sent,
    /// The request whose kill is running.
    running: Option<u64>,
    kill_tx: UnboundedSender<Action>,
}

impl Server<'_> {
    fn publish(&mut self, state: &FeedState, out: &mut Out) {
        let secs =
            |t: std::time::SystemTime| t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
        let status = (state.stalled_since.map(secs), state.error.clone(), state.notices.clone());
        if self.sent.status.as_ref() != Some(&status) {
            let (stalled_since_ms, error, notices) = status.clone();
            out.send(&ServerMessage::Status { stalled_since_ms, error, notices });
            self.sent.status = Some(status);
        }
        let Some(forest) = &state.forest else { return };
        if self.sent.forest.as_ref().is_some_and(|f| Arc::ptr_eq(f, forest)) {
            return;
        }
        self.send_forest(forest, out);
    }

    fn send_forest(&mut self, forest: &Arc<Forest>, out: &mut Out) {
        let wire = WireForest::of(forest);
        let delta = ForestDelta::between(self.sent.wire.as_ref(), &wire);
        let base = self.sent.wire.as_ref().map(|_| self.sent.seq);
        self.sent.seq += 1;
        out.send(&ServerMessage::Forest { seq: self.sent.seq, base, delta: Box::new(delta) });
        self.sent.wire = Some(wire);
        self.sent.forest = Some(Arc::clone(forest));
    }

    fn refuse(&self, request: u64, message: String, out: &mut Out) {
        out.send(&ServerMessage::Refused { request, message });
    }

    fn request(&mut self, m: ClientMessage, feed: &Feed, kills: &mut Kills, out: &mut Out) {
        const READ_ONLY: &str =
            "this swarmtop serves read-only (--read-only or read_only = true): nothing was signalled";
        match m {
            ClientMessage::Plan { request, .. } | ClientMessage::Execute { request, .. }
                if self.config.read_only =>
            {
                self.refuse(request, READ_ONLY.into(), out)
            }
            ClientMessage::Plan { request, kill } => {
                // The forest the client was last sent: the one it shows.
                let Some(forest) = self.sent.forest.clone() else {
                    return self.refuse(request, "no sample yet: try again in a moment".into(), out);
                };
                match plan_with(&kill.targets, &kill.narrowing, &forest, &self.context) {
                    Ok(p) => {
                        let id = self.plans.keep(p.clone());
                        out.send(&ServerMessage::Plan { request, id, plan: Box::new(p) });
                    }
                    Err(e) => self.refuse(request, e.to_string(), out),
                }
            }
            ClientMessage::Execute { request, plan, keys, signal, grace_secs } => {
                if !signal.ends_processes() {
                    let message = format!("{signal} is not a kill's signal: nothing was signalled");
                    return self.refuse(request, message, out);
                }
                if kills.is_running() {
                    return self.refuse(
                        request,
                        "a kill is already running here: nothing was signalled".into(),
                        out,
                    );
                }
                let plan = match self.plans.take(&plan, &keys) {
                    Ok(p) => p,
                    Err(message) => return self.refuse(request, message, out),
                };
                let operation = Operation::Kill { signal, grace_secs: grace_secs.min(MAX_GRACE_SECS) };
                let kill = KillRequest { plan, context: self.context.clone(), operation };
                if kills.start(kill, self.kill_tx.clone()) {
                    self.running = Some(request);
                } else {
                    self.refuse(request, "a kill is already running here: nothing was signalled".into(), out);
                }
            }
            ClientMessage::Cancel { request } if self.running == Some(request) => kills.cancel_and_wait(),
            ClientMessage::Cancel { .. } => {}
            ClientMessage::Pause { paused } => feed.set_paused(paused),
            ClientMessage::Refresh => feed.refresh_now(),
            ClientMessage::Resync => {
                self.sent.wire = None;
                if let Some(forest) = self.sent.forest.clone() {
                    self.send_forest(&forest, out);
                }
            }
        }
    }
}

/// stdin's lines as requests on a channel; the channel closes at the end of stdin.
fn read_requests() -> tokio::sync::mpsc::UnboundedReceiver<Result<ClientMessage, DecodeError>> {
    let (tx, rx) = unbounded_channel();
    let _ = std::thread::Builder::new().name("swarmtop-serve-in".into()).spawn(move || {
        let mut stdin = BufReader::new(std::io::stdin().lock());
        let mut buf = Vec::new();
        loop {
            let message = match read_line(&mut stdin, &mut buf, MAX_CLIENT_LINE) {
                Ok(true) => ClientMessage::decode(&buf),
                Ok(false) => return,
                Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                    // Skip the rest of the overlong line, then go on.
                    while matches!(read_line(&mut stdin, &mut buf, MAX_CLIENT_LINE), Err(ref e) if e.kind() == std::io::ErrorKind::InvalidData) {}
                    Err(DecodeError::TooLong(MAX_CLIENT_LINE))
                }
                Err(_) => return,
            };
            if tx.send(message).is_err() {
                return;
            }
        }
    });
    rx
}
