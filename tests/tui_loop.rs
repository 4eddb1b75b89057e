//! The real event loop (`tui::run::drive`) on a TestBackend, with scripted terminal
//! events, signals and forests, a recording feed and a fake kill runner: nothing here
//! touches the terminal, the OS signals or a process.

mod common;

use std::cell::RefCell;
use std::io;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use futures_util::stream::LocalBoxStream;
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Position, Size};
use swarmtop::config::Config;
use swarmtop::kill::exec::{KillReport, Outcome, Progress};
use swarmtop::kill::operation::Operation;
use swarmtop::model::usage::{Inspection, IoRate, IoTotals, Measure, MemoryMode, Resident};
use swarmtop::model::{ProcKey, Pss};
use swarmtop::tui::action::KillRequest;
use swarmtop::tui::app::App;
use swarmtop::tui::feed::FeedState;
use swarmtop::tui::keymap::Keymap;
use swarmtop::tui::run::{FeedControl, KillRunner, LoopIo, QuitSignal, TuiError, drive};
use tokio::sync::{mpsc, watch};

/// A TestBackend the script can read and resize while the loop draws on it.
#[derive(Clone)]
struct Shared(Rc<RefCell<TestBackend>>);

impl Backend for Shared {
    type Error = std::convert::Infallible;

    fn draw<'a, I: Iterator<Item = (u16, u16, &'a Cell)>>(&mut self, content: I) -> Result<(), Self::Error> {
        self.0.borrow_mut().draw(content)
    }
    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.0.borrow_mut().hide_cursor()
    }
    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.0.borrow_mut().show_cursor()
    }
    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.0.borrow_mut().get_cursor_position()
    }
    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.0.borrow_mut().set_cursor_position(position)
    }
    fn clear(&mut self) -> Result<(), Self::Error> {
        self.0.borrow_mut().clear()
    }
    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.0.borrow_mut().clear_region(clear_type)
    }
    fn size(&self) -> Result<Size, Self::Error> {
        self.0.borrow().size()
    }
    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.0.borrow_mut().window_size()
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        self.0.borrow_mut().flush()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sent {
    Paused(bool),
    RefreshNow,
    Measure(Measure),
    Inspect(Option<u32>),
}

struct RecordingFeed(mpsc::UnboundedSender<Sent>);

impl FeedControl for RecordingFeed {
    fn set_paused(&self, paused: bool) {
        let _ = self.0.send(Sent::Paused(paused));
    }
    fn refresh_now(&self) {
        let _ = self.0.send(Sent::RefreshNow);
    }
    fn is_running(&self) -> bool {
        true
    }
    fn set_measure(&self, measure: Measure) {
        let _ = self.0.send(Sent::Measure(measure));
    }
    fn inspect(&self, key: Option<ProcKey>) {
        let _ = self.0.send(Sent::Inspect(key.map(|k| k.pid())));
    }
}

/// A kill that "stops" the plan, waits until cancelled (or `limit`), then takes
/// `resume` to "continue" what it stopped, as the real one does; every step is logged.
struct FakeKill {
    limit: Duration,
    resume: Duration,
    log: Arc<Mutex<Vec<&'static str>>>,
}

impl KillRunner for FakeKill {
    fn run(&self, request: &KillRequest, cancel: &AtomicBool, _: &mut dyn FnMut(Progress)) -> KillReport {
        self.log.lock().unwrap().push("kill started");
        let deadline = Instant::now() + self.limit;
        while !cancel.load(Ordering::SeqCst) && Instant::now() < deadline {
            std::thread::park_timeout(Duration::from_millis(5));
        }
        let cancelled = cancel.load(Ordering::SeqCst);
        std::thread::sleep(self.resume);
        self.log.lock().unwrap().push(if cancelled {
            "kill cancelled, processes continued"
        } else {
            "kill done"
        });
        let mut report = KillReport::new(request.operation);
        let done = match request.operation {
            Operation::Pause if !cancelled => Outcome::Paused,
            _ => Outcome::Exited,
        };
        report.outcomes = request.plan.entries.iter().map(|e| (e.clone(), done.clone())).collect();
        report.cancelled = cancelled;
        report
    }
}

struct Script {
    events: mpsc::UnboundedSender<io::Result<Event>>,
    signals: mpsc::UnboundedSender<QuitSignal>,
    forests: watch::Sender<FeedState>,
    sent: mpsc::UnboundedReceiver<Sent>,
    backend: Rc<RefCell<TestBackend>>,
}

fn stream<T: 'static>(rx: mpsc::UnboundedReceiver<T>) -> LocalBoxStream<'static, T> {
    futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|v| (v, rx)) }).boxed_local()
}

/// A swarmtop started outside tmux.
struct NoTmux;

impl swarmtop::tui::jump::Panes for NoTmux {
    fn inside_tmux(&self) -> bool {
        false
    }
    fn list(&self) -> Result<Vec<swarmtop::tui::jump::Pane>, String> {
        Err("no tmux".into())
    }
    fn tty_of(&self, _: swarmtop::model::ProcKey) -> Option<String> {
        None
    }
    fn show(&self, _: &str) -> Result<(), String> {
        Err("no tmux".into())
    }
}

fn setup(kill: FakeKill) -> (Script, LoopIo, Terminal<Shared>) {
    let (events, events_rx) = mpsc::unbounded_channel();
    let (signals, signals_rx) = mpsc::unbounded_channel();
    let (forests, forests_rx) = watch::channel(FeedState::default());
    let (sent_tx, sent) = mpsc::unbounded_channel();
    let backend = Rc::new(RefCell::new(TestBackend::new(100, 26)));
    let io = LoopIo {
        events: stream(events_rx),
        signals: stream(signals_rx),
        forests: forests_rx,
        feed: Box::new(RecordingFeed(sent_tx)),
        kills: Arc::new(kill),
        hosts: swarmtop::tui::run::Hosts::none(),
        panes: Box::new(NoTmux),
    };
    let term = Terminal::new(Shared(Rc::clone(&backend))).unwrap();
    (Script { events, signals, forests, sent, backend }, io, term)
}

fn fresh_app() -> App {
    let config = Config::default();
    App::new(&config, Keymap::from_config(&config.keys).unwrap())
}

const WITHIN: Duration = Duration::from_secs(10);

impl Script {
    fn key(&self, code: KeyCode) {
        self.key_with(code, KeyModifiers::NONE);
    }

    fn key_with(&self, code: KeyCode, mods: KeyModifiers) {
        self.events.send(Ok(Event::Key(KeyEvent::new(code, mods)))).unwrap();
    }

    fn screen(&self) -> String {
        self.backend.borrow().to_string()
    }

    async fn until(&self, what: &str, cond: impl Fn(&Script) -> bool) {
        let deadline = Instant::now() + WITHIN;
        while !cond(self) {
            assert!(Instant::now() < deadline, "timed out waiting for {what}; screen:\n{}", self.screen());
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    async fn screen_shows(&self, text: &str) {
        self.until(text, |s| s.screen().contains(text)).await;
    }

    async fn next_sent(&mut self) -> Sent {
        tokio::time::timeout(WITHIN, self.sent.recv()).await.expect("a feed control in time").expect("feed")
    }

    /// The demo forest arrives and the attempt 1a2b is selected.
    async fn forest_and_select_attempt(&self) {
        self.forests.send_modify(|s| s.forest = Some(common::tui::forest()));
        self.screen_shows("1a2b").await;
        for _ in 0..2 {
            self.key(KeyCode::Char('j'));
        }
        self.until("attempt selected", |s| s.screen().contains("▶ │ ├─▾ 1a2b")).await;
    }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

#[test]
fn the_loop_draws_forests_and_drives_pause_resume_resize_refresh_and_quit() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let kill = FakeKill { limit: Duration::ZERO, resume: Duration::ZERO, log: Arc::clone(&log) };
    let (mut script, io, mut term) = setup(kill);
    let mut app = fresh_app();
    let result = block_on(async {
        let script = async {
            script.screen_shows("sampling…").await;
            script.forest_and_select_attempt().await;

            script.key(KeyCode::Char('p'));
            assert_eq!(script.next_sent().await, Sent::Paused(true));
            script.screen_shows("PAUSED").await;
            script.key(KeyCode::Char('p'));
            assert_eq!(script.next_sent().await, Sent::Paused(false));
            script.until("resumed", |s| !s.screen().contains("PAUSED")).await;

            script.forests.send_modify(|s| s.error = Some("boom".into()));
            script.screen_shows("sampling failed: boom").await;

            script.backend.borrow_mut().resize(60, 12);
            script.events.send(Ok(Event::Resize(60, 12))).unwrap();
            script
                .until("the resized frame", |s| {
                    let b = s.backend.borrow();
                    let area = b.buffer().area;
                    let footer: String = (0..area.width)
                        .map(|x| b.buffer()[(x, area.height - 1)].symbol().to_string())
                        .collect();
                    (area.width, area.height) == (60, 12) && footer.contains("sampling failed: boom")
                })
                .await;

            // A kill (the fake signals nothing) ends with a refresh now.
            for code in [KeyCode::Char('x'), KeyCode::Right, KeyCode::Enter] {
                script.key(code);
            }
            assert_eq!(script.next_sent().await, Sent::RefreshNow);
            script.screen_shows("Close").await;
            script.key(KeyCode::Char('q')); // closes the report
            script.until("the closed report", |s| !s.screen().contains("Close")).await;
            script.key(KeyCode::Char('q'));
        };
        let (result, ()) = tokio::join!(drive(&mut app, &mut term, io), script);
        result
    });
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(*log.lock().unwrap(), ["kill started", "kill done"]);
}

/// `m` and `C` tell the feed what to measure; the detail pane on a process asks for a
/// look at it (and at nothing once closed), and the look that comes is drawn.
#[test]
fn the_loop_tells_the_feed_what_to_measure_and_draws_the_look_at_the_selected_process() {
    let kill = FakeKill { limit: Duration::ZERO, resume: Duration::ZERO, log: Arc::default() };
    let (mut script, io, mut term) = setup(kill);
    let mut app = fresh_app();
    let result = block_on(async {
        let script = async {
            script.forest_and_select_attempt().await;
            script.key(KeyCode::Char('m'));
            let pss = Measure { ports: true, io: false, memory: MemoryMode::Pss };
            assert_eq!(script.next_sent().await, Sent::Measure(pss));
            script.screen_shows("PSS").await;
            script.key(KeyCode::Char('j')); // claude, pid 100
            script.key(KeyCode::Tab);
            assert_eq!(script.next_sent().await, Sent::Inspect(Some(100)));
            let forest = common::tui::forest();
            let key = forest.find_process(|n| n.process.pid() == 100).expect("pid 100").key();
            let look = Inspection {
                key,
                resident: Some(Resident { rss: 310 << 20, anon: 200 << 20, ..Resident::default() }),
                pss: Pss::Measured { pss: 123 << 20, swap: 0 },
                io: Some(IoTotals::default()),
                io_rate: Some(IoRate { read: 2048, write: 0 }),
            };
            script.forests.send_modify(|s| s.inspection = Some(Arc::new(look)));
            script.screen_shows("PSS 123M").await;
            script.screen_shows("read 2.0K/s").await;
            script.key(KeyCode::Tab);
            assert_eq!(script.next_sent().await, Sent::Inspect(None));
            script.key(KeyCode::Char('q'));
        };
        let (result, ()) = tokio::join!(drive(&mut app, &mut term, io), script);
        result
    });
    assert!(result.is_ok(), "{result:?}");
}

/// How a quit arrives while a kill runs.
#[derive(Debug, Clone, Copy)]
enum QuitBy {
    CtrlC,
    Signal(QuitSignal),
}

/// `x` (a kill) or `z` (a pause) on the selected attempt, confirmed.
fn quit_mid_action(by: QuitBy, key: char) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let kill = FakeKill {
        limit: Duration::from_secs(30),
        resume: Duration::from_millis(300),
        log: Arc::clone(&log),
    };
    let (script, io, mut term) = setup(kill);
    let mut app = fresh_app();
    let result = block_on(async {
        let script = async {
            script.forest_and_select_attempt().await;
            for code in [KeyCode::Char(key), KeyCode::Right, KeyCode::Enter] {
                script.key(code);
            }
            script.until("the kill thread", |_| !log.lock().unwrap().is_empty()).await;
            script.screen_shows(if key == 'x' { "SIGTERM: stopping" } else { "SIGSTOP: stopping" }).await;
            // Neither Esc nor q ends a running kill; then the quit arrives.
            script.key(KeyCode::Esc);
            script.key(KeyCode::Char('q'));
            match by {
                QuitBy::CtrlC => script.key_with(KeyCode::Char('c'), KeyModifiers::CONTROL),
                QuitBy::Signal(s) => script.signals.send(s).unwrap(),
            }
        };
        let (result, ()) = tokio::join!(drive(&mut app, &mut term, io), script);
        result
    });
    log.lock().unwrap().push("loop returned");
    assert!(result.is_ok(), "{by:?}: {result:?}");
    assert_eq!(
        *log.lock().unwrap(),
        ["kill started", "kill cancelled, processes continued", "loop returned"],
        "{by:?}: the loop returned before the kill continued what it stopped"
    );
    let verb = if key == 'x' { "kill" } else { "pause" };
    let said = app.farewell.join("\n");
    assert!(
        said.contains(&format!("{verb} of attempt:")) && said.contains("was cancelled as swarmtop ended"),
        "{by:?}: a cut-short {verb} is not said: {said:?}"
    );
    assert!(app.paused_by_us.reminder().is_none(), "a cancelled pause left nothing paused");
}

fn quit_mid_kill(by: QuitBy) {
    quit_mid_action(by, 'x');
}

#[test]
fn a_pause_cut_short_by_a_signal_continues_what_it_stopped_and_says_so() {
    for s in [QuitSignal::Term, QuitSignal::Hup, QuitSignal::Int, QuitSignal::Quit] {
        quit_mid_action(QuitBy::Signal(s), 'z');
    }
}

/// A pause that finishes while the loop is ending (its report not taken in yet) is
/// still remembered: what it stopped is left paused on purpose, and said so.
#[test]
fn a_pause_that_finishes_as_the_tui_ends_is_remembered_as_paused() {
    let log = Arc::new(Mutex::new(Vec::new()));
    // Not cancellable (no wait), then 300 ms before its report: the signal comes first.
    let kill = FakeKill { limit: Duration::ZERO, resume: Duration::from_millis(300), log: Arc::clone(&log) };
    let (script, io, mut term) = setup(kill);
    let mut app = fresh_app();
    let result = block_on(async {
        let script = async {
            script.forest_and_select_attempt().await;
            for code in [KeyCode::Char('z'), KeyCode::Right, KeyCode::Enter] {
                script.key(code);
            }
            script.until("the pause thread", |_| !log.lock().unwrap().is_empty()).await;
            script.signals.send(QuitSignal::Hup).unwrap();
        };
        let (result, ()) = tokio::join!(drive(&mut app, &mut term, io), script);
        result
    });
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(*log.lock().unwrap(), ["kill started", "kill done"]);
    assert!(app.farewell.is_empty(), "{:?}", app.farewell);
    let reminder = app.paused_by_us.reminder().unwrap_or_default();
    assert!(reminder.contains("left paused (stopped) by you: attempt:"), "{reminder:?}");
}

#[test]
fn ctrl_c_mid_kill_returns_only_after_the_kill_continued_what_it_stopped() {
    quit_mid_kill(QuitBy::CtrlC);
}

#[test]
fn sigterm_sighup_sigint_and_sigquit_mid_kill_return_only_after_the_kill_finished() {
    for s in [QuitSignal::Term, QuitSignal::Hup, QuitSignal::Int, QuitSignal::Quit] {
        quit_mid_kill(QuitBy::Signal(s));
    }
}

#[test]
fn a_sampler_that_goes_away_ends_the_loop_with_its_last_error() {
    let kill = FakeKill { limit: Duration::ZERO, resume: Duration::ZERO, log: Arc::default() };
    let (script, io, mut term) = setup(kill);
    let mut app = fresh_app();
    let Script { forests, backend, events, .. } = script;
    let result = block_on(async {
        let script = async {
            forests.send_modify(|s| s.error = Some("procfs gone".into()));
            let deadline = Instant::now() + WITHIN;
            while !backend.borrow().to_string().contains("procfs gone") {
                assert!(Instant::now() < deadline, "no error shown");
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            drop(forests);
        };
        let (result, ()) = tokio::join!(drive(&mut app, &mut term, io), script);
        result
    });
    drop(events);
    assert!(matches!(&result, Err(TuiError::SamplerGone(why)) if why == "procfs gone"), "{result:?}");
}

#[test]
fn the_end_of_the_terminal_events_ends_the_loop() {
    let kill = FakeKill { limit: Duration::ZERO, resume: Duration::ZERO, log: Arc::default() };
    let (script, io, mut term) = setup(kill);
    let mut app = fresh_app();
    drop(script.events);
    let result = block_on(drive(&mut app, &mut term, io));
    assert!(result.is_ok(), "{result:?}");
    drop(script.forests);
}

#[test]
fn a_stall_and_its_end_are_drawn_even_when_the_forest_did_not_change() {
    let kill = FakeKill { limit: Duration::ZERO, resume: Duration::ZERO, log: Arc::default() };
    let (script, io, mut term) = setup(kill);
    let mut app = fresh_app();
    let result = block_on(async {
        let script = async {
            let forest = common::tui::forest();
            script.forests.send_modify(|s| s.forest = Some(forest.clone()));
            script.screen_shows("1a2b").await;
            script.forests.send_modify(|s| s.stalled_since = Some(std::time::UNIX_EPOCH));
            script.screen_shows("sampling stalled since").await;
            // The slow sample ends: a new forest with the same content, and no stall.
            script.forests.send_replace(FeedState {
                forest: Some(Arc::new((*forest).clone())),
                ..FeedState::default()
            });
            script.until("the stall cleared", |s| !s.screen().contains("stalled")).await;
            script.key(KeyCode::Char('q'));
        };
        let (result, ()) = tokio::join!(drive(&mut app, &mut term, io), script);
        result
    });
    assert!(result.is_ok(), "{result:?}");
}
