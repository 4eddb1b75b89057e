//! Agents' status on attempt rows (by the agents' own session files), the waiting
//! filter and the jump request, on literal snapshots: pure.

mod common;

use std::sync::Arc;

use common::tui::*;
use ratatui::crossterm::event::KeyCode;
use swarmtop::associate::{Options, associate};
use swarmtop::config::{Config, Theme};
use swarmtop::model::fixture::swarm_snapshot;
use swarmtop::model::{AttemptId, ClaudeSession, Forest, Snapshot};
use swarmtop::tui::action::{Action, Effect};
use swarmtop::tui::app::App;
use swarmtop::tui::rows::RowId;

/// The claude of attempt 1a2b (PID 100, started at tick 1000) with a session file.
fn session(status: &str, since_ms: Option<u64>, waiting_for: Option<&str>) -> ClaudeSession {
    ClaudeSession {
        pid: 100,
        session_id: "824206cd".into(),
        proc_start: Some(1000),
        name: Some("fix login".into()),
        status: Some(status.into()),
        status_since_ms: since_ms,
        waiting_for: waiting_for.map(String::from),
        tmux: Some("agents:@1.%4".into()),
        ..ClaudeSession::default()
    }
}

fn forest_at(now_ms: u64, s: ClaudeSession) -> Arc<Forest> {
    let mut snap: Snapshot = swarm_snapshot();
    snap.sampled_at_ms = now_ms;
    snap.claude_sessions = vec![s].into();
    Arc::new(associate(&snap, &Options::default()))
}

const T0: u64 = 1_700_000_000_000;

fn with(config: &Config, forest: Arc<Forest>) -> App {
    let mut app = App::new(config, swarmtop::tui::keymap::Keymap::from_config(&config.keys).unwrap());
    app.update(Action::NewForest(forest));
    app
}

#[test]
fn a_waiting_agent_stands_out_with_how_long_and_what_for() {
    let waiting = session("waiting", Some(T0 - 192_000), Some("permission prompt"));
    let mut app = with(&Config::default(), forest_at(T0, waiting.clone()));
    insta::assert_snapshot!("agent_waiting", render(&mut app, 110, 8).backend());
    // Without colour it still stands out: capitals, a ⚠ and reversed video.
    let mono = Config { theme: Theme::Mono, ..Config::default() };
    let mut app = with(&mono, forest_at(T0, waiting));
    let s = screen(&mut app, 110, 8);
    assert!(s.contains("⚠ 1 agent waits for you"), "{s}");
    assert!(s.contains("⚠ claude WAITING 3m12s: permission prompt"), "{s}");
}

#[test]
fn the_time_in_a_status_is_remembered_when_the_file_does_not_say() {
    let mut app = with(&Config::default(), forest_at(T0, session("busy", None, None)));
    assert!(screen(&mut app, 110, 8).contains("[claude busy 0s]"));
    app.update(Action::NewForest(forest_at(T0 + 65_000, session("busy", None, None))));
    assert!(screen(&mut app, 110, 8).contains("[claude busy 1m05s]"));
    app.update(Action::NewForest(forest_at(T0 + 70_000, session("idle", None, None))));
    assert!(screen(&mut app, 110, 8).contains("[claude idle 0s]"), "a new status starts its own clock");
    // An idle box (the same forest but for its time) still moves the clock on screen.
    let later = forest_at(T0 + 75_000, session("idle", None, None));
    app.update(Action::NewForest(later));
    assert!(app.dirty);
    assert!(screen(&mut app, 110, 8).contains("[claude idle 5s]"));
    // The file's own time wins.
    app.update(Action::NewForest(forest_at(T0 + 80_000, session("idle", Some(T0 - 3_600_000), None))));
    assert!(screen(&mut app, 110, 8).contains("[claude idle 1h01m]"));
}

#[test]
fn w_shows_only_attempts_whose_agent_waits() {
    let mut app = with(&Config::default(), forest_at(T0, session("waiting", Some(T0), None)));
    key(&mut app, KeyCode::Char('w'));
    let attempts: Vec<&RowId> =
        app.rows.iter().map(|r| &r.id).filter(|id| matches!(id, RowId::Attempt(_))).collect();
    assert_eq!(attempts, [&RowId::Attempt(AttemptId::new("alpha", "add-login", "1a2b"))]);
    assert!(screen(&mut app, 110, 8).contains("waiting only"));
    app.update(Action::NewForest(forest_at(T0 + 1000, session("busy", Some(T0 + 500), None))));
    assert!(app.rows.is_empty());
    assert!(screen(&mut app, 110, 8).contains("no agent waits for you"));
    key(&mut app, KeyCode::Char('w'));
    assert!(app.rows.len() > 10, "every attempt again");
}

#[test]
fn t_asks_for_the_pane_of_the_selected_attempts_agent() {
    let mut app = with(&Config::default(), forest_at(T0, session("idle", Some(T0), None)));
    assert_eq!(key(&mut app, KeyCode::Char('t')), Effect::None, "a project has no agent of its own");
    assert!(app.status.as_deref().unwrap_or_default().contains("no agent here"));
    typed(&mut app, "jj"); // project, task, attempt 1a2b
    let Effect::Jump(req) = key(&mut app, KeyCode::Char('t')) else { panic!("a jump") };
    assert_eq!(
        (req.agent.pid(), req.name.as_str(), req.tmux_hint.as_deref()),
        (100, "claude", Some("agents:@1.%4"))
    );
    select_pid(&mut app, 103); // rust-analyzer, below claude: its attempt's agent
    let Effect::Jump(req) = key(&mut app, KeyCode::Char('t')) else { panic!("a jump") };
    assert_eq!(req.agent.pid(), 100);
    select_pid(&mut app, 112); // the orphaned watcher of the codex attempt
    let Effect::Jump(req) = key(&mut app, KeyCode::Char('t')) else { panic!("a jump") };
    assert_eq!((req.agent.pid(), req.name.as_str(), req.tmux_hint), (110, "codex", None));
}
