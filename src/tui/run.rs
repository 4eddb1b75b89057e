//! The event loop: `tokio::select!` over terminal events, new forests, kill progress
//! and signals; draws only when something changed. Everything it reads or drives comes
//! in as one `LoopIo`, so tests run the real loop on a `TestBackend` with scripted
//! streams; `run` wires it to the terminal, the OS signals and the sampler's `Feed`.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::LocalBoxStream;
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::crossterm::event::{Event, EventStream, KeyEventKind};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;

use super::action::{Action, Effect};
use super::app::App;
use super::feed::{Feed, FeedState};
use super::jump::{Panes, jump};
use super::terminal::{self, TerminalGuard};
use super::tmux::Tmux;
use super::view;
use crate::associate::Options;
use crate::model::ProcKey;
use crate::model::usage::Measure;
use crate::remote::link::{Link, LinkCommand, Update};
use crate::sample::Sampler;
use tokio::sync::mpsc::UnboundedReceiver;

#[path = "run_kills.rs"]
mod kills;
pub use kills::{KillRunner, Kills, PidfdRunner};

/// Opens a sampler of its own for each kill, which re-samples the box while it runs.
pub type OpenResample = Arc<dyn Fn() -> Result<crate::kill::pidfd::Resample, String> + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error(
        "the TUI needs a terminal (stdin and stdout must be a TTY); for scripts use `swarmtop list` or `swarmtop list --json`"
    )]
    NotATerminal,
    #[error("terminal: {0}")]
    Io(#[from] io::Error),
    #[error("the sampler thread stopped: {0}")]
    SamplerGone(String),
}

impl From<std::convert::Infallible> for TuiError {
    fn from(never: std::convert::Infallible) -> TuiError {
        match never {}
    }
}

/// The signals that end swarmtop (each one cancels a running kill first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuitSignal {
    Term,
    Hup,
    Int,
    Quit,
}

/// The sampler as the loop drives it.
pub trait FeedControl {
    fn set_paused(&self, paused: bool);
    /// Sample now instead of at the next tick.
    fn refresh_now(&self);
    /// False once the sampler thread has ended.
    fn is_running(&self) -> bool;
    /// Measure this from the next sample on (what the columns and the memory mode show).
    fn set_measure(&self, _measure: Measure) {}
    /// Measure this process for the detail pane, off the UI thread (`None`: none).
    fn inspect(&self, _key: Option<ProcKey>) {}
}

impl FeedControl for Feed {
    fn set_paused(&self, paused: bool) {
        Feed::set_paused(self, paused);
    }

    fn refresh_now(&self) {
        Feed::refresh_now(self);
    }

    fn is_running(&self) -> bool {
        Feed::is_running(self)
    }

    fn set_measure(&self, measure: Measure) {
        Feed::set_measure(self, measure);
    }

    fn inspect(&self, key: Option<ProcKey>) {
        Feed::inspect(self, key);
    }
}

/// Other boxes as the loop drives them (`remote::link::Link`s; a fake in tests).
pub trait HostControl {
    fn send(&self, host: usize, command: LinkCommand);
}

impl HostControl for Vec<Link> {
    fn send(&self, host: usize, command: LinkCommand) {
        if let Some(link) = self.get(host) {
            link.send(command);
        }
    }
}

/// The other boxes: their links, and what they report (`Hosts::none()`: no other box).
pub struct Hosts {
    pub control: Box<dyn HostControl>,
    pub updates: UnboundedReceiver<(usize, Update)>,
}

impl Hosts {
    pub fn none() -> Hosts {
        let (_, updates) = tokio::sync::mpsc::unbounded_channel();
        Hosts { control: Box::new(Vec::<Link>::new()), updates }
    }
}

/// Everything outside the App that the loop reads or drives.
pub struct LoopIo {
    /// Terminal events; the end of the stream ends the loop.
    pub events: LocalBoxStream<'static, io::Result<Event>>,
    pub signals: LocalBoxStream<'static, QuitSignal>,
    /// The sampler's latest state; a closed channel is a sampler that is gone.
    pub forests: watch::Receiver<FeedState>,
    pub feed: Box<dyn FeedControl>,
    /// Carries out confirmed kills on a thread of their own.
    pub kills: Arc<dyn KillRunner>,
    pub hosts: Hosts,
    /// The terminal multiplexer the agents run in, for jumps to their panes.
    pub panes: Box<dyn Panes>,
}

/// Runs the TUI. `sampler`: this box's (None with `--no-local`); `hosts`: the others.
pub fn run(
    app: App,
    sampler: Option<Sampler>,
    options: Options,
    open_resample: OpenResample,
    hosts: Hosts,
) -> Result<(), TuiError> {
    if !terminal::is_interactive() {
        return Err(TuiError::NotATerminal);
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(event_loop(app, sampler, options, open_resample, hosts))
}

/// No sampling of this box (`--no-local`): a feed that never publishes.
struct NoFeed(#[allow(dead_code)] watch::Sender<FeedState>);

impl FeedControl for NoFeed {
    fn set_paused(&self, _: bool) {}
    fn refresh_now(&self) {}
    fn is_running(&self) -> bool {
        true
    }
}

async fn event_loop(
    mut app: App,
    sampler: Option<Sampler>,
    options: Options,
    open_resample: OpenResample,
    hosts: Hosts,
) -> Result<(), TuiError> {
    let refresh = Duration::from_millis(app.refresh_ms);
    let kills: Arc<dyn KillRunner> = Arc::new(PidfdRunner { open_resample });
    let (feed, forests): (Box<dyn FeedControl>, _) = match sampler {
        Some(mut sampler) => {
            // What the config asks for (pss mode, the IO column) from the first sample.
            sampler.set_measure(app.measure());
            let (feed, forests) = Feed::start(sampler, options, refresh);
            (Box::new(feed), forests)
        }
        None => {
            let (tx, forests) = watch::channel(FeedState::default());
            (Box::new(NoFeed(tx)), forests)
        }
    };
    let signals = os_signals()?;
    let guard = TerminalGuard::enter()?;
    let mut term = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    term.clear()?;
    let events = EventStream::new().boxed_local();
    let io = LoopIo { events, signals, forests, feed, kills, hosts, panes: Box::new(Tmux) };
    let result = drive(&mut app, &mut term, io).await;
    // ratatui's Terminal reports a failed cursor restore with `eprintln!`, which panics
    // when the terminal is gone (ssh drop); the guard restores the terminal instead.
    std::mem::forget(term);
    drop(guard);
    for note in &app.farewell {
        crate::warn!("swarmtop: {note}");
    }
    // Whatever ended the TUI (a quit, SIGTERM, SIGHUP, an error), processes the user
    // paused stay paused — on purpose, and said so once the terminal is back.
    if let Some(reminder) = app.paused_by_us.reminder() {
        crate::warn!("swarmtop: {reminder}");
    }
    result
}

/// SIGTERM, SIGHUP, SIGINT and SIGQUIT as one stream.
pub fn os_signals() -> io::Result<LocalBoxStream<'static, QuitSignal>> {
    let mut signals = [
        (QuitSignal::Term, signal(SignalKind::terminate())?),
        (QuitSignal::Hup, signal(SignalKind::hangup())?),
        (QuitSignal::Int, signal(SignalKind::interrupt())?),
        (QuitSignal::Quit, signal(SignalKind::quit())?),
    ];
    Ok(futures_util::stream::poll_fn(move |cx| {
        for (which, s) in &mut signals {
            if s.poll_recv(cx).is_ready() {
                return std::task::Poll::Ready(Some(*which));
            }
        }
        std::task::Poll::Pending
    })
    .boxed_local())
}

/// Runs the UI until a quit, a signal, the end of the events or an error. Whatever ends
/// it (a return, an error, a panic), a running kill is cancelled and waited for — it
/// continues every process it stopped — before this returns.
pub async fn drive<B: Backend>(app: &mut App, term: &mut Terminal<B>, io: LoopIo) -> Result<(), TuiError>
where
    TuiError: From<B::Error>,
{
    let LoopIo { mut events, mut signals, mut forests, feed, kills: runner, hosts, panes } = io;
    let Hosts { control: hosts, updates: mut host_updates } = hosts;
    // Statuses of other boxes count down ("reconnecting in 3 s"): redrawn each second.
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut kills = Kills::new(runner);
    let mut sampler_error: Option<String> = None;
    // What the feed was last told: to measure, and to inspect for the detail pane.
    let (mut measure, mut inspected) = (app.measure(), None);
    let (kill_tx, mut kill_rx) = tokio::sync::mpsc::unbounded_channel::<Action>();
    let result: Result<(), TuiError> = async {
        loop {
            if app.dirty {
                term.draw(|f| view::draw(f, app))?;
                app.dirty = false;
            }
            let mut news = false;
            let action = tokio::select! {
                event = events.next() => match event {
                    Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => app.action_for_key(&key),
                    Some(Ok(Event::Mouse(m))) => app.action_for_mouse(&m),
                    Some(Ok(Event::Resize(..))) => Some(Action::Resize),
                    Some(Ok(_)) => None,
                    Some(Err(e)) => return Err(e.into()),
                    None => return Ok(()),
                },
                changed = forests.changed() => {
                    if changed.is_err() {
                        return Err(TuiError::SamplerGone(sampler_error.unwrap_or_else(|| "no reason given".into())));
                    }
                    let state = forests.borrow_and_update().clone();
                    // An error, a stall or a notice is news even without a new forest to draw.
                    news = app.sampler_error != state.error
                        || app.stalled_since != state.stalled_since
                        || app.notices != state.notices;
                    app.sampler_error = state.error.clone();
                    app.stalled_since = state.stalled_since;
                    app.notices = state.notices;
                    news |= app.detail && app.inspection != state.inspection;
                    app.inspection = state.inspection;
                    sampler_error = state.error;
                    app.dirty |= news;
                    state.forest.map(Action::NewForest)
                },
                Some(action) = kill_rx.recv() => Some(action),
                Some((i, update)) = host_updates.recv() => Some(Action::Remote(i, update)),
                _ = tick.tick(), if app.remotes.iter().any(|p| !p.status.is_connected()) => Some(Action::Tick),
                Some(_) = signals.next() => return Ok(()),
            };
            let Some(action) = action else { continue };
            let effect = app.update(action);
            // A forest that changed nothing (an idle box) must not hide the news.
            app.dirty |= news;
            if app.measure() != measure {
                measure = app.measure();
                feed.set_measure(measure);
            }
            if app.inspected() != inspected {
                inspected = app.inspected();
                feed.inspect(inspected);
            }
            match effect {
                Effect::Quit => return Ok(()),
                Effect::SetPaused(p) => {
                    feed.set_paused(p);
                    for i in 0..app.remotes.len() {
                        hosts.send(i, LinkCommand::Pause(p));
                    }
                }
                Effect::RemotePlan { host, request, kill } => {
                    hosts.send(host, LinkCommand::Plan { request, kill })
                }
                Effect::RemoteExecute { host, request, id, plan, signal, grace_secs } => {
                    hosts.send(host, LinkCommand::Execute { request, id, plan, signal, grace_secs })
                }
                Effect::RemoteRefresh(host) => hosts.send(host, LinkCommand::Refresh),
                Effect::RefreshNow => feed.refresh_now(),
                Effect::Kill(request) => {
                    if !kills.start(*request, kill_tx.clone()) {
                        app.status = Some("a kill is still running".into());
                    }
                }
                Effect::Jump(request) => {
                    app.status = Some(jump(panes.as_ref(), &request).unwrap_or_else(|why| why));
                    app.dirty = true;
                }
                Effect::None => {}
            }
            if !feed.is_running() && forests.has_changed().is_err() {
                return Err(TuiError::SamplerGone("thread ended".into()));
            }
        }
    }
    .await;
    // Whatever ended the loop, an action still running is cancelled (it continues what
    // it had stopped) and waited for; its report, or one that came after the last
    // update, is taken in: a pause that finished is remembered as paused, and one that
    // was cut short says so when the TUI has ended.
    kills.cancel_and_wait();
    while let Ok(action) = kill_rx.try_recv() {
        if let Action::KillDone(report) = action {
            app.action_ended_with_the_tui(report);
        }
    }
    result
}
