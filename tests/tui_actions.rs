//! Pause, resume and renice in the TUI: their confirmations (Cancel first, exactly what
//! is sent), `[paused N/M]` markers, the header's count of what you paused, and the quit
//! confirmation that offers to resume it — all without signalling anything.

mod common;

use std::sync::Arc;

use common::tui::*;
use ratatui::crossterm::event::KeyCode;
use swarmtop::associate::{Options, associate};
use swarmtop::config::Config;
use swarmtop::kill::exec::{KillReport, Operation, Outcome, Signal};
use swarmtop::model::fixture::{ProcessExt, swarm_snapshot};
use swarmtop::model::{Forest, NodeId, ProcState};
use swarmtop::tui::action::{Action, Effect, KillRequest, Modal};
use swarmtop::tui::app::App;
use swarmtop::tui::kill_modal::{Button, KillModal};

fn modal(app: &App) -> &KillModal {
    match &app.modal {
        Some(Modal::Kill(m)) => m,
        other => panic!("no confirmation: {other:?}"),
    }
}

fn planned(app: &App) -> Vec<u32> {
    modal(app).plan.entries.iter().map(|e| e.key.pid()).collect()
}

/// The demo fixture with these processes stopped.
fn stopped(pids: &[u32]) -> Arc<Forest> {
    let mut snap = swarm_snapshot();
    for p in &mut snap.processes {
        let state = if pids.contains(&p.pid()) { ProcState::Stopped } else { ProcState::Sleeping };
        *p = p.clone().state(state);
    }
    Arc::new(associate(&snap, &Options::default()))
}

fn confirm(app: &mut App) -> Box<KillRequest> {
    key(app, KeyCode::Right);
    match key(app, KeyCode::Enter) {
        Effect::Kill(request) => request,
        other => panic!("{other:?}"),
    }
}

#[test]
fn z_opens_a_pause_confirmation_on_cancel_that_says_what_it_sends() {
    let mut app = app();
    select_label(&mut app, "1a2b");
    key(&mut app, KeyCode::Char('z'));
    assert_eq!(modal(&app).focus, Button::Cancel);
    assert_eq!(modal(&app).operation, Operation::Pause);
    assert_eq!(planned(&app), [100, 101, 103, 102]);
    insta::assert_snapshot!("pause_confirmation", render(&mut app, 100, 24).backend());
    assert_eq!(key(&mut app, KeyCode::Enter), Effect::None, "Enter on Cancel does nothing");
    assert!(app.modal.is_none());
    select_pid(&mut app, 101);
    key(&mut app, KeyCode::Char('z'));
    assert_eq!(modal(&app).plan.scope, [NodeId::Tree(101)], "a process row pauses its tree");
    let frozen = modal(&app).plan.clone();
    app.update(Action::NewForest(forest()));
    let request = confirm(&mut app);
    assert_eq!((request.operation, request.plan), (Operation::Pause, frozen));
}

#[test]
fn capital_z_resumes_only_the_stopped_processes_or_says_there_are_none() {
    let mut app = app();
    select_label(&mut app, "3c4d");
    key(&mut app, KeyCode::Char('Z'));
    assert_eq!(planned(&app), [111], "npm test is the stopped one");
    let s = screen(&mut app, 110, 24);
    assert!(s.contains("SIGCONT to each process that is stopped (state T)"), "{s}");
    assert!(s.contains("left alone: not stopped: nothing to resume"), "{s}");
    assert_eq!(confirm(&mut app).operation, Operation::Resume);
    let mut app = app_with(&Config::default());
    select_label(&mut app, "1a2b");
    key(&mut app, KeyCode::Char('Z'));
    assert!(app.modal.is_none());
    assert!(
        screen(&mut app, 110, 6)
            .contains("nothing to resume: no process of attempt:alpha/add-login/1a2b is stopped")
    );
}

#[test]
fn r_opens_a_renice_whose_value_plus_and_minus_change() {
    let mut app = app();
    select_label(&mut app, "beta");
    key(&mut app, KeyCode::Char('r'));
    assert_eq!(modal(&app).operation, Operation::Renice { nice: 10 });
    key(&mut app, KeyCode::Char('+'));
    assert_eq!(modal(&app).operation, Operation::Renice { nice: 11 });
    for _ in 0..40 {
        key(&mut app, KeyCode::Char('-'));
    }
    assert_eq!(modal(&app).operation, Operation::Renice { nice: -20 }, "bounded");
    let s = screen(&mut app, 100, 24);
    assert!(s.contains("nice -20 for every thread of each process (-+ change it)"), "{s}");
    assert!(s.contains("[ Renice to -20 ]"), "{s}");
    assert_eq!(confirm(&mut app).operation, Operation::Renice { nice: -20 });
}

#[test]
fn groups_with_stopped_processes_show_paused_with_the_count() {
    let mut app = app();
    app.update(Action::NewForest(stopped(&[100, 101, 102, 103, 130])));
    insta::assert_snapshot!("paused_markers", render(&mut app, 100, 26).backend());
    key(&mut app, KeyCode::Char('-'));
    let s = screen(&mut app, 100, 8);
    assert!(s.contains("alpha [paused 4/9]") && s.contains("beta [paused 1/3]"), "collapsed rows too:\n{s}");
}

#[test]
fn quitting_with_processes_you_paused_offers_to_resume_exactly_them() {
    let mut app = app();
    select_label(&mut app, "1a2b");
    key(&mut app, KeyCode::Char('z'));
    let request = confirm(&mut app);
    let mut report = KillReport::new(Operation::Pause);
    report.outcomes = request.plan.entries.iter().map(|e| (e.clone(), Outcome::Paused)).collect();
    app.update(Action::KillDone(report));
    key(&mut app, KeyCode::Enter); // close the report
    // 103 is continued by someone else meanwhile, and 111 stopped by someone else.
    app.update(Action::NewForest(stopped(&[100, 101, 102, 111])));
    assert_eq!(app.paused_by_us.count(), 3);
    assert!(screen(&mut app, 120, 6).contains("│ 3 paused by you"));

    assert_eq!(key(&mut app, KeyCode::Char('q')), Effect::None, "asks first");
    insta::assert_snapshot!("quit_confirmation", render(&mut app, 100, 16).backend());
    key(&mut app, KeyCode::Esc);
    assert!(app.modal.is_none(), "Esc cancels the quit");
    key(&mut app, KeyCode::Char('q'));
    key(&mut app, KeyCode::Right);
    let resume = match key(&mut app, KeyCode::Enter) {
        Effect::Kill(request) => request,
        other => panic!("{other:?}"),
    };
    assert_eq!(resume.operation, Operation::Resume);
    let mut pids: Vec<u32> = resume.plan.entries.iter().map(|e| e.key.pid()).collect();
    pids.sort_unstable();
    assert_eq!(pids, [100, 101, 102], "what you paused and is stopped: not 111, stopped by someone else");
    let mut report = KillReport::new(Operation::Resume);
    report.outcomes = resume.plan.entries.iter().map(|e| (e.clone(), Outcome::Resumed)).collect();
    assert_eq!(app.update(Action::KillDone(report)), Effect::Quit, "quits once all are resumed");
}

#[test]
fn quit_can_leave_them_stopped_and_then_says_so() {
    let mut app = app();
    select_pid(&mut app, 130);
    key(&mut app, KeyCode::Char('z'));
    let request = confirm(&mut app);
    let mut report = KillReport::new(Operation::Pause);
    report.outcomes = request.plan.entries.iter().map(|e| (e.clone(), Outcome::Paused)).collect();
    app.update(Action::KillDone(report));
    key(&mut app, KeyCode::Enter);
    app.update(Action::NewForest(stopped(&[130, 140])));
    key(&mut app, KeyCode::Char('q'));
    key(&mut app, KeyCode::Left); // wraps to the last button
    assert_eq!(key(&mut app, KeyCode::Enter), Effect::Quit);
    assert_eq!(
        app.paused_by_us.reminder().unwrap(),
        "left paused (stopped) by you: tree:130 (2 processes); `swarmtop resume tree:130` continues them"
    );
}

#[test]
fn read_only_refuses_pause_resume_and_renice() {
    let config = Config { read_only: true, ..Config::default() };
    let mut app = app_with(&config);
    for k in ['z', 'Z', 'r'] {
        assert_eq!(key(&mut app, KeyCode::Char(k)), Effect::None);
        assert!(app.modal.is_none());
        assert!(app.status.as_deref().is_some_and(|s| s.starts_with("read-only")), "{k}");
    }
}

fn signals_line(app: &App) -> usize {
    match &app.modal {
        Some(Modal::Signals { line, .. }) => *line,
        other => panic!("no signal menu: {other:?}"),
    }
}

#[test]
fn f9_opens_the_signal_menu_on_term_and_a_chosen_signal_opens_its_confirmation() {
    let mut app = app();
    select_pid(&mut app, 101);
    key(&mut app, KeyCode::F(9));
    assert_eq!(Signal::all().nth(signals_line(&app)), Some(Signal::Term));
    insta::assert_snapshot!("signal_menu", render(&mut app, 100, 36).backend());
    key(&mut app, KeyCode::Esc);
    assert!(app.modal.is_none(), "Esc closes the menu, sending nothing");
    // `i` opens it too; HUP is first, USR1 nine below it.
    key(&mut app, KeyCode::Char('i'));
    key(&mut app, KeyCode::Char('g'));
    for _ in 0..9 {
        key(&mut app, KeyCode::Char('j'));
    }
    assert_eq!(Signal::all().nth(signals_line(&app)), Some(Signal::Usr1));
    assert_eq!(key(&mut app, KeyCode::Enter), Effect::None, "choosing only opens the confirmation");
    assert_eq!(modal(&app).focus, Button::Cancel);
    assert_eq!(modal(&app).operation, Operation::Send { signal: Signal::Usr1 });
    assert_eq!(modal(&app).plan.scope, [NodeId::Pid(101)], "the selected process, not its tree");
    assert_eq!(planned(&app), [101]);
    let s = screen(&mut app, 100, 24);
    assert!(s.contains("send SIGUSR1 to process"), "{s}");
    assert!(s.contains("[ Send SIGUSR1 ]"), "{s}");
    let request = confirm(&mut app);
    assert_eq!(request.operation, Operation::Send { signal: Signal::Usr1 });
    assert_eq!(request.plan.entries.iter().map(|e| e.key.pid()).collect::<Vec<_>>(), [101]);
}

#[test]
fn the_signal_menu_acts_on_a_group_or_the_tags_and_stop_is_a_pause() {
    let mut app = app();
    select_label(&mut app, "1a2b");
    key(&mut app, KeyCode::F(9));
    key(&mut app, KeyCode::Char('G'));
    assert_eq!(Signal::all().nth(signals_line(&app)), Some(Signal::Sys));
    let stop = Signal::all().position(|s| s == Signal::Stop).unwrap();
    for _ in stop..signals_line(&app) {
        key(&mut app, KeyCode::Char('k'));
    }
    key(&mut app, KeyCode::Enter);
    assert_eq!(modal(&app).operation, Operation::Pause, "SIGSTOP from the menu is a tracked pause");
    assert_eq!(planned(&app), [100, 101, 103, 102], "every process of the attempt");
    key(&mut app, KeyCode::Esc);
    // With tags, the union of the tagged scopes, each process once.
    key(&mut app, KeyCode::Char(' '));
    select_label(&mut app, "3c4d");
    key(&mut app, KeyCode::Char(' '));
    select_pid(&mut app, 101);
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::F(9));
    key(&mut app, KeyCode::Enter);
    assert_eq!(modal(&app).operation, Operation::Send { signal: Signal::Term });
    assert_eq!(modal(&app).plan.scope.len(), 3);
    let mut pids = planned(&app);
    pids.sort_unstable();
    pids.dedup();
    assert_eq!(pids.len(), planned(&app).len(), "101 is in two tagged scopes, planned once");
    assert!(pids.contains(&101) && pids.contains(&111), "{pids:?}");
}

#[test]
fn the_signal_menu_is_refused_read_only_and_on_rows_with_nothing_to_signal() {
    let config = Config { read_only: true, ..Config::default() };
    let mut read_only = app_with(&config);
    for code in [KeyCode::F(9), KeyCode::Char('i')] {
        assert_eq!(key(&mut read_only, code), Effect::None);
        assert!(read_only.modal.is_none());
        assert!(read_only.status.as_deref().is_some_and(|s| s.starts_with("read-only")));
    }
    let mut app = app();
    key(&mut app, KeyCode::Char('a'));
    select_label(&mut app, "other processes");
    key(&mut app, KeyCode::F(9));
    assert!(app.modal.is_none(), "the menu opens only where a signal could go");
    assert_eq!(app.status.as_deref(), Some("select a process in this group to act on it"));
}
