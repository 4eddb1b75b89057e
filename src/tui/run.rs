//! The event loop: `tokio::select!` over terminal events, new forests and signals.
//! Draws only when something changed.

use std::io;
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
use crate::kill::exec::{KillReport, Outcome, execute};
use crate::kill::pidfd::PidfdControl;
use crate::sample::Sampler;

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

pub fn run(app: App, sampler: Sampler, options: Options) -> Result<(), TuiError> {
    if !terminal::is_interactive() {
        return Err(TuiError::NotATerminal);
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(event_loop(app, sampler, options))
}

async fn event_loop(mut app: App, sampler: Sampler, options: Options) -> Result<(), TuiError> {
    let refresh = Duration::from_millis(app.refresh_ms);
    let (feed, mut forests) = Feed::start(sampler, options, refresh);
    let sigterm = signal(SignalKind::terminate())?;
    let sighup = signal(SignalKind::hangup())?;
    let sigint = signal(SignalKind::interrupt())?;

    let _guard = TerminalGuard::enter()?;
    let mut term = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    term.clear()?;
    let result =
        drive(&mut app, &mut term, &feed, &mut forests, Signals { term: sigterm, hup: sighup, int: sigint })
            .await;
    // ratatui's Terminal reports a failed cursor restore with `eprintln!`, which panics
    // when the terminal is gone (ssh drop); the guard restores the terminal instead.
    std::mem::forget(term);
    result
}

struct Signals {
    term: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

async fn drive(
    app: &mut App,
    term: &mut Terminal<CrosstermBackend<io::Stdout>>,
    feed: &Feed,
    forests: &mut tokio::sync::watch::Receiver<super::feed::FeedState>,
    mut signals: Signals,
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
        };
        let Some(action) = action else { continue };
        match app.update(action) {
            Effect::Quit => return Ok(()),
            Effect::SetPaused(p) => feed.set_paused(p),
            Effect::RefreshNow => feed.refresh_now(),
            Effect::Kill(request) => spawn_kill(*request, kill_tx.clone()),
            Effect::None => {}
        }
        if !feed.is_running() && forests.has_changed().is_err() {
            return Err(TuiError::SamplerGone("thread ended".into()));
        }
    }
}

/// Runs a confirmed kill on its own thread (signals and pidfd waits block), reporting
/// progress and the final report back to the event loop as Actions.
fn spawn_kill(request: KillRequest, tx: tokio::sync::mpsc::UnboundedSender<Action>) {
    let thread_tx = tx.clone();
    let plan = request.plan.clone();
    let signal = request.signal;
    let spawned = std::thread::Builder::new().name("swarmtop-kill".into()).spawn(move || {
        let mut control = PidfdControl::new();
        let report = execute(&request.plan, request.signal, request.grace, &mut control, &mut |p| {
            // The UI may have quit meanwhile; then nobody needs the progress.
            let _ = thread_tx.send(Action::KillProgress(p));
        });
        let _ = thread_tx.send(Action::KillDone(report));
    });
    if let Err(e) = spawned {
        // Nothing was signalled: say so for every process instead of leaving the modal running.
        let failed = Outcome::Failed(format!("could not start the kill thread: {e}"));
        let outcomes = plan.entries.into_iter().map(|entry| (entry, failed.clone())).collect();
        let _ = tx.send(Action::KillDone(KillReport { signal, outcomes, born_meanwhile: 0 }));
    }
}
