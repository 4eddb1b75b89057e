//! Stalled samples: a source that blocks must not leave the screen silently stale.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::*;
use crate::config::Config;
use crate::model::Process;
use crate::model::fixture::{process, swarm_snapshot};
use crate::model::text::utc_clock;
use crate::sample::{HostFacts, ProcessSource, SampleError, Sampler};
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::keymap::Keymap;
use crate::tui::rows::RowId;
use crate::tui::view;

/// A source whose every refresh says it started, then blocks until released (or
/// until the test drops the release channel).
struct Blocking {
    entered: mpsc::Sender<()>,
    release: mpsc::Receiver<()>,
}

impl ProcessSource for Blocking {
    fn name(&self) -> &'static str {
        "blocking"
    }

    fn ticks_per_second(&self) -> u64 {
        100
    }

    fn refresh(&mut self) -> Result<Vec<Process>, SampleError> {
        let _ = self.entered.send(());
        let _ = self.release.recv();
        Ok(vec![process(10, 1, "x")])
    }
}

fn app() -> App {
    let config = Config::default();
    App::new(&config, Keymap::from_config(&config.keys).expect("default keys"))
}

fn header(app: &mut App) -> String {
    let mut term = Terminal::new(TestBackend::new(120, 4)).expect("test terminal");
    term.draw(|f| view::draw(f, app)).expect("draw");
    term.backend().to_string().lines().next().unwrap_or_default().to_string()
}

/// Polls the feed's state until `done` holds, for at most 10 s.
fn wait_state(rx: &mut watch::Receiver<FeedState>, what: &str, done: impl Fn(&FeedState) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done(&rx.borrow_and_update()) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_blocked_sample_is_shown_as_stalled_until_it_ends() {
    let (entered_tx, entered) = mpsc::channel();
    let (release, release_rx) = mpsc::channel();
    let source = Blocking { entered: entered_tx, release: release_rx };
    let sampler = Sampler::new(Box::new(source), HostFacts::default());
    let refresh = Duration::from_millis(100);
    let (feed, mut rx) = Feed::start(sampler, Options::default(), refresh);
    let before = SystemTime::now();
    entered.recv_timeout(Duration::from_secs(10)).expect("the first sample started");
    let started = Instant::now();

    assert_eq!(stall_after(refresh), Duration::from_secs(3), "at least 3 s");
    assert_eq!(stall_after(Duration::from_secs(2)), Duration::from_secs(6), "three refreshes");
    feed.check_stall(started + Duration::from_millis(2900));
    assert_eq!(rx.borrow().stalled_since, None, "not stalled yet");
    feed.check_stall(started + Duration::from_secs(4));
    let since = rx.borrow_and_update().stalled_since.expect("stalled after 3 s");
    assert!(since >= before.checked_sub(Duration::from_secs(1)).unwrap_or(UNIX_EPOCH));

    let mut app = app();
    assert!(!header(&mut app).contains("stalled"));
    app.stalled_since = rx.borrow().stalled_since; // what the event loop copies
    let secs = since.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let shown = header(&mut app);
    assert!(shown.contains(&format!("sampling stalled since {}", utc_clock(secs))), "{shown}");
    assert!(shown.contains("procs │"), "the rest of the header stays: {shown}");

    release.send(()).expect("the sampler waits");
    wait_state(&mut rx, "the stall to clear", |s| s.stalled_since.is_none());
    entered.recv_timeout(Duration::from_secs(10)).expect("the next sample started");
    feed.check_stall(Instant::now());
    assert_eq!(rx.borrow().stalled_since, None, "a fresh sample is no stall");
    release.send(()).expect("the sampler waits");
    wait_state(&mut rx, "a forest", |s| s.forest.is_some() && s.stalled_since.is_none());
    drop(feed);
    drop(release);
}

#[test]
fn a_republished_forest_is_no_new_sample() {
    let forest = Arc::new(crate::associate::associate(&swarm_snapshot(), &Options::default()));
    let mut app = app();
    app.update(Action::NewForest(Arc::clone(&forest)));
    app.update(Action::NewForest(Arc::clone(&forest)));
    let project = RowId::Project(forest.projects[0].id.clone());
    assert_eq!(app.history.cpu(&project).len(), 1, "a stall or an error republishes the same forest");
    app.update(Action::NewForest(Arc::new((*forest).clone())));
    assert_eq!(app.history.cpu(&project).len(), 2);
}
