//! New and exited processes (highlights and ghosts) and follow, on literal forests: pure.
//! The safety rule: a ghost (an exited process still shown) is never a kill target and
//! never in a plan, even when its PID has been reused by a live process.

mod common;

use std::sync::Arc;

use common::tui::*;
use ratatui::crossterm::event::KeyCode;
use swarmtop::associate::{Options, associate};
use swarmtop::config::Config;
use swarmtop::model::fixture::{ProcessExt, process, swarm_snapshot};
use swarmtop::model::{AttemptId, Forest, ProcKey, Snapshot};
use swarmtop::tui::action::{Action, Modal};
use swarmtop::tui::app::App;
use swarmtop::tui::rows::{RowId, RowKind};

fn forest_of(snapshot: &Snapshot) -> Arc<Forest> {
    Arc::new(associate(snapshot, &Options::default()))
}

/// The fixture swarm without the processes `gone`, plus `extra`.
fn swarm(gone: &[u32], extra: Vec<swarmtop::model::Process>) -> Arc<Forest> {
    let mut s = swarm_snapshot();
    s.processes.retain(|p| !gone.contains(&p.pid()));
    s.processes.extend(extra);
    forest_of(&s)
}

fn row_of(app: &App, id: &RowId) -> Option<usize> {
    app.rows.iter().position(|r| &r.id == id)
}

fn key_of(pid: u32) -> ProcKey {
    swarm_snapshot().processes.iter().find(|p| p.pid() == pid).unwrap().key
}

#[test]
fn new_processes_are_marked_and_exited_ones_stay_greyed_for_a_few_refreshes() {
    let mut app = app(); // highlight_refreshes = 3
    assert!(!screen(&mut app, 100, 26).contains("[new]"), "the first forest is not news");
    let newcomer = process(104, 100, "cargo clippy").cwd("/tmp").cpu(30.0);
    app.update(Action::NewForest(swarm(&[102], vec![newcomer])));
    let ghost = row_of(&app, &RowId::Ghost(key_of(102))).expect("rustc stays, as a ghost");
    assert_eq!(app.rows[ghost].kind, RowKind::Ghost);
    let cargo = row_of(&app, &RowId::Process(key_of(101))).unwrap();
    assert_eq!(app.rows[ghost].parent_index(), Some(cargo), "under its parent, where it died");
    insta::assert_snapshot!("highlights", render(&mut app, 100, 14).backend());
    let s = screen(&mut app, 100, 14);
    assert!(s.contains("cargo clippy [new]") && s.contains("rustc --crate-name alpha [exited]"), "{s}");
    // Refreshes that change nothing still age the highlights.
    let same = swarm(&[102], vec![process(104, 100, "cargo clippy").cwd("/tmp").cpu(30.0)]);
    app.update(Action::NewForest(Arc::clone(&same)));
    assert!(row_of(&app, &RowId::Ghost(key_of(102))).is_some());
    app.update(Action::NewForest(Arc::new((*same).clone())));
    assert!(row_of(&app, &RowId::Ghost(key_of(102))).is_some(), "shown for 3 refreshes");
    app.update(Action::NewForest(Arc::new((*same).clone())));
    assert!(row_of(&app, &RowId::Ghost(key_of(102))).is_none(), "gone after 3 refreshes");
    assert!(!app.rows.iter().any(|r| r.new), "no longer new");
}

#[test]
fn a_whole_attempt_that_exits_stays_in_the_exited_bucket_and_filters_hide_ghosts() {
    let mut app = app();
    app.update(Action::NewForest(swarm(&[110, 111, 112], vec![])));
    let bucket = row_of(&app, &RowId::Exited).expect("the exited bucket");
    let codex = row_of(&app, &RowId::Ghost(key_of(110))).unwrap();
    let npm = row_of(&app, &RowId::Ghost(key_of(111))).unwrap();
    assert_eq!(app.rows[codex].parent_index(), Some(bucket));
    assert_eq!(app.rows[npm].parent_index(), Some(codex), "ghosts keep their own tree");
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "codex");
    assert!(row_of(&app, &RowId::Exited).is_none(), "a filter shows live processes only");
}

#[test]
fn a_ghost_is_never_a_kill_target_nor_in_any_plan_even_when_its_pid_is_reused() {
    let mut app = app();
    // rustc (102) exits; a stranger in the other attempt takes PID 102 at once.
    let stranger = process(102, 110, "stranger --reused-pid").cwd("/wt/3c4d-add-login/alpha").started(99_999);
    app.update(Action::NewForest(swarm(&[102], vec![stranger])));
    let ghost_key = key_of(102);
    let ghost = row_of(&app, &RowId::Ghost(ghost_key)).unwrap();
    assert!(row_of(&app, &RowId::Process(ProcKey::new(102, 99_999).unwrap())).is_some());
    select_row(&mut app, ghost);
    for kill in ['x', 'X', 'K'] {
        key(&mut app, KeyCode::Char(kill));
        assert!(app.modal.is_none(), "{kill} on a ghost opens no plan");
        let status = app.status.clone().unwrap_or_default();
        assert!(status.contains("exited"), "{kill}: {status}");
    }
    // Nor can it be tagged (tags are scopes of actions).
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Char('c'));
    assert!(app.tags.is_empty(), "a ghost is never tagged");
    // The ghost's attempt: its plan is made from the live forest, which has no ghost,
    // and the stranger with the ghost's PID lives in the other attempt.
    let attempt = row_of(&app, &RowId::Attempt(AttemptId::new("alpha", "add-login", "1a2b"))).unwrap();
    select_row(&mut app, attempt);
    key(&mut app, KeyCode::Char('x'));
    let Some(Modal::Kill(modal)) = &app.modal else { panic!("a modal for the attempt") };
    let planned: Vec<ProcKey> =
        modal.plan.entries.iter().chain(modal.plan.skipped.iter().map(|s| &s.entry)).map(|e| e.key).collect();
    assert!(!planned.contains(&ghost_key), "the ghost is not planned");
    assert!(planned.iter().all(|k| k.pid() != 102), "nor anything with its PID: {planned:?}");
    assert_eq!(planned.len(), 3, "claude, cargo test, rust-analyzer: {planned:?}");
    let live: Vec<ProcKey> = {
        let mut keys = Vec::new();
        app.forest.walk_processes(&mut |n| keys.push(n.key()));
        keys
    };
    assert!(planned.iter().all(|k| live.contains(k)), "every planned process is in the live forest");
    key(&mut app, KeyCode::Esc);
    // The project's kill: still no ghost.
    select_row(&mut app, 0);
    key(&mut app, KeyCode::Char('x'));
    let Some(Modal::Kill(modal)) = &app.modal else { panic!("a modal for the project") };
    assert!(modal.plan.entries.iter().all(|e| e.key != ghost_key));
}

fn select_row(app: &mut App, i: usize) {
    key(app, KeyCode::Home);
    for _ in 0..i {
        key(app, KeyCode::Down);
    }
    assert_eq!(app.selected, i);
}

#[test]
fn follow_keeps_the_process_selected_through_sorts_moves_and_collapses() {
    let mut app = app();
    select_pid(&mut app, 103); // rust-analyzer
    key(&mut app, KeyCode::Char('F'));
    assert_eq!(app.follow, Some(key_of(103)));
    for _ in 0..5 {
        key(&mut app, KeyCode::Char('s'));
        assert_eq!(selected_pid(&app), Some(103));
    }
    key(&mut app, KeyCode::Char('S'));
    // Busier now than anything: it moves to the top of its siblings, the selection with it.
    let mut s = swarm_snapshot();
    s.processes.iter_mut().filter(|p| p.pid() == 103).for_each(|p| p.cpu_percent = 99.0);
    app.update(Action::NewForest(forest_of(&s)));
    assert_eq!(selected_pid(&app), Some(103));
    // Collapsing everything: the followed process's ancestors open again.
    key(&mut app, KeyCode::Char('-'));
    assert_eq!(selected_pid(&app), Some(103));
    // Its parent exits: it is re-parented to init, an orphan; the selection follows.
    let mut s = swarm_snapshot();
    s.processes.retain(|p| p.pid() != 100);
    s.processes.iter_mut().filter(|p| p.pid() == 103).for_each(|p| p.ppid = 1);
    app.update(Action::NewForest(forest_of(&s)));
    assert_eq!(selected_pid(&app), Some(103));
    assert!(app.selected_row().unwrap().orphan);
    assert!(screen(&mut app, 100, 10).contains("following PID 103"));
    // It exits: the selection drops to its nearest ancestor, following stops.
    s.processes.retain(|p| p.pid() != 103);
    app.update(Action::NewForest(forest_of(&s)));
    assert_eq!(app.follow, None);
    // Its attempt held nothing else by then, so the nearest ancestor still there is the task.
    assert_eq!(
        app.selected_row().unwrap().id,
        RowId::Task(swarmtop::model::TaskId::new("alpha", "add-login"))
    );
    assert!(app.status.as_deref().unwrap_or_default().contains("exited"));
}

#[test]
fn moving_the_selection_stops_following_and_only_processes_are_followed() {
    let mut app = app();
    key(&mut app, KeyCode::Char('F'));
    assert_eq!(app.follow, None, "a project row is not followed");
    select_pid(&mut app, 121);
    key(&mut app, KeyCode::Char('F'));
    assert!(app.follow.is_some());
    key(&mut app, KeyCode::Char('k'));
    assert_eq!(app.follow, None);
    select_pid(&mut app, 121);
    key(&mut app, KeyCode::Char('F'));
    key(&mut app, KeyCode::Char('F'));
    assert_eq!(app.follow, None, "F again stops");
}

#[test]
fn highlights_can_be_turned_off() {
    let config = Config { highlight_refreshes: 0, ..Config::default() };
    let mut app = app_with(&config);
    app.update(Action::NewForest(swarm(&[102], vec![process(104, 100, "cargo clippy").cwd("/tmp")])));
    assert!(!app.rows.iter().any(|r| r.new || r.kind == RowKind::Ghost));
}
