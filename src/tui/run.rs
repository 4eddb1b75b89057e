//! The event loop: `tokio::select!` over terminal events, new forests and signals.
//! Draws only when something changed.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{Event, EventStream, KeyEventKind};
use tokio::signal::unix::{SignalKind, signal};

use super::action::{Action, Effect, KillRequest};
use super::app::App;
use super::feed::Feed;
use super::terminal::{self, TerminalGuard};
use super::view;
use crate::associate::Options;
use crate::kill::exec::{KillOptions, KillReport, Outcome, execute};
use crate::kill::pidfd::PidfdControl;
use crate::sample::Sampler;

/// Opens a sampler of its own for each kill, which re-samples the box while it runs.
pub type OpenSampler = Arc<dyn Fn() -> Result<Sampler, String> + Send + Sync>;

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

pub fn run(app: App, sampler: Sampler, options: Options, open_sampler: OpenSampler) -> Result<(), TuiError> {
    if !terminal::is_interactive() {
        return Err(TuiError::NotATerminal);
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(event_loop(app, sampler, options, open_sampler))
}

async fn event_loop(
    mut app: App,
    sampler: Sampler,
    options: Options,
    open_sampler: OpenSampler,
) -> Result<(), TuiError> {
    let refresh = Duration::from_millis(app.refresh_ms);
    let kills = Kills { open_sampler, options: options.clone(), running: None };
    let (feed, mut forests) = Feed::start(sampler, options, refresh);
    let signals = Signals {
        term: signal(SignalKind::terminate())?,
        hup: signal(SignalKind::hangup())?,
        int: signal(SignalKind::interrupt())?,
        quit: signal(SignalKind::quit())?,
    };

    let _guard = TerminalGuard::enter()?;
    let mut term = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    term.clear()?;
    let mut kills = kills;
    // Whatever ends the loop (a return, an error, a panic), dropping `kills` makes a
    // running kill continue what it stopped before swarmtop goes.
    let result = drive(&mut app, &mut term, &feed, &mut forests, signals, &mut kills).await;
    drop(kills);
    // ratatui's Terminal reports a failed cursor restore with `eprintln!`, which panics
    // when the terminal is gone (ssh drop); the guard restores the terminal instead.
    std::mem::forget(term);
    result
}

struct Signals {
    term: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
    quit: tokio::signal::unix::Signal,
}

/// The kill running on its own thread, if any.
struct Kills {
    open_sampler: OpenSampler,
    options: Options,
    running: Option<RunningKill>,
}

struct RunningKill {
    cancel: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

impl Drop for Kills {
    fn drop(&mut self) {
        self.cancel_and_wait();
    }
}

impl Kills {
    /// Asks a running kill to stop and waits for it: it continues every process it
    /// stopped before it returns (within one poll slice and one sample).
    fn cancel_and_wait(&mut self) {
        if let Some(kill) = self.running.take() {
            kill.cancel.store(true, Ordering::SeqCst);
            if kill.thread.join().is_err() {
                // Its Drop guard continued the stopped processes while unwinding.
                crate::warn!("swarmtop: the kill thread panicked");
            }
        }
    }

    fn reap_finished(&mut self) {
        if self.running.as_ref().is_some_and(|k| k.thread.is_finished()) {
            self.cancel_and_wait();
        }
    }
}

async fn drive(
    app: &mut App,
    term: &mut Terminal<CrosstermBackend<io::Stdout>>,
    feed: &Feed,
    forests: &mut tokio::sync::watch::Receiver<super::feed::FeedState>,
    mut signals: Signals,
    kills: &mut Kills,
) -> Result<(), TuiError> {
    let mut events = EventStream::new();
    let mut sampler_error: Option<String> = None;
    let (kill_tx, mut kill_rx) = tokio::sync::mpsc::unbounded_channel::<Action>();
    loop {
        if app.dirty {
            term.draw(|f| view::draw(f, app))?;
            app.dirty = false;
        }
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
                app.sampler_error = state.error.clone();
                app.stalled_since = state.stalled_since;
                app.notices = state.notices;
                sampler_error = state.error;
                state.forest.map(Action::NewForest)
            },
            Some(action) = kill_rx.recv() => Some(action),
            _ = signals.term.recv() => return Ok(()),
            _ = signals.hup.recv() => return Ok(()),
            _ = signals.int.recv() => return Ok(()),
            _ = signals.quit.recv() => return Ok(()),
        };
        let Some(action) = action else { continue };
        match app.update(action) {
            Effect::Quit => return Ok(()),
            Effect::SetPaused(p) => feed.set_paused(p),
            Effect::RefreshNow => feed.refresh_now(),
            Effect::Kill(request) => {
                kills.reap_finished();
                if kills.running.is_some() {
                    app.status = Some("a kill is still running".into());
                } else {
                    kills.running = spawn_kill(*request, kills, kill_tx.clone());
                }
            }
            Effect::None => {}
        }
        if !feed.is_running() && forests.has_changed().is_err() {
            return Err(TuiError::SamplerGone("thread ended".into()));
        }
    }
}

/// Runs a confirmed kill on its own thread (signals and pidfd waits block), reporting
/// progress and the final report back to the event loop as Actions.
fn spawn_kill(
    request: KillRequest,
    kills: &Kills,
    tx: tokio::sync::mpsc::UnboundedSender<Action>,
) -> Option<RunningKill> {
    let signal = request.signal;
    let failed = |why: String| {
        // Nothing was signalled: say so for every process instead of leaving the modal running.
        let mut report = KillReport::new(signal);
        let failed = Outcome::Failed(why);
        report.outcomes = request.plan.entries.iter().map(|e| (e.clone(), failed.clone())).collect();
        let _ = tx.send(Action::KillDone(report));
    };
    let sampler = match (kills.open_sampler)() {
        Ok(s) => s,
        Err(e) => {
            failed(format!("could not open a sampler for the kill: {e}"));
            return None;
        }
    };
    let mut control = PidfdControl::new(sampler, kills.options.clone());
    let cancel = Arc::new(AtomicBool::new(false));
    let thread_cancel = Arc::clone(&cancel);
    let thread_tx = tx.clone();
    let plan = request.plan.clone();
    let spawned = std::thread::Builder::new().name("swarmtop-kill".into()).spawn(move || {
        let options = KillOptions { signal, grace: request.grace, cancel: &thread_cancel };
        // A failed warm-up only makes the frozen window longer; the kill's own
        // samples report their failures.
        let _ = control.warm_up();
        let report = execute(&plan, &request.context, &options, &mut control, &mut |p| {
            // The UI may have quit meanwhile; then nobody needs the progress.
            let _ = thread_tx.send(Action::KillProgress(p));
        });
        let _ = thread_tx.send(Action::KillDone(report));
    });
    match spawned {
        Ok(thread) => Some(RunningKill { cancel, thread }),
        Err(e) => {
            failed(format!("could not start the kill thread: {e}"));
            None
        }
    }
}
