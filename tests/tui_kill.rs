//! The kill modal in the TUI: plans from the selection, Cancel first, frozen plans,
//! hidden counts, progress and reports — all without signalling anything.

mod common;

use common::tui::*;
use ratatui::crossterm::event::KeyCode;
use swarmtop::config::Config;
use swarmtop::kill::exec::{KillReport, Operation, Outcome, Phase, Progress, Sig};
use swarmtop::model::{NodeId, ProjectId};
use swarmtop::tui::action::{Action, Effect, Modal};
use swarmtop::tui::app::READ_ONLY;
use swarmtop::tui::kill_modal::{Button, KillModal, KillState};

fn modal(app: &swarmtop::tui::app::App) -> &KillModal {
    match &app.modal {
        Some(Modal::Kill(m)) => m,
        other => panic!("no kill modal: {other:?}"),
    }
}

fn planned(app: &swarmtop::tui::app::App) -> Vec<u32> {
    modal(app).plan.entries.iter().map(|e| e.key.pid()).collect()
}

#[test]
fn x_on_an_attempt_opens_a_modal_focused_on_cancel() {
    let mut app = app();
    typed(&mut app, "jj");
    key(&mut app, KeyCode::Char('x'));
    assert_eq!(modal(&app).focus, Button::Cancel);
    assert_eq!(planned(&app), [100, 101, 103, 102]);
    insta::assert_snapshot!(render(&mut app, 100, 26).backend());
    assert_eq!(key(&mut app, KeyCode::Enter), Effect::None, "Enter on Cancel signals nothing");
    assert!(app.modal.is_none());
}

#[test]
fn esc_and_n_cancel_and_every_modal_opens_on_cancel_again() {
    let mut app = app();
    select_pid(&mut app, 101);
    key(&mut app, KeyCode::Char('x'));
    assert_eq!(planned(&app), [101]);
    key(&mut app, KeyCode::Right);
    assert_eq!(modal(&app).focus, Button::Terminate);
    key(&mut app, KeyCode::Esc);
    assert!(app.modal.is_none());
    key(&mut app, KeyCode::Char('X'));
    assert_eq!(planned(&app), [101, 102], "X takes the descendants");
    assert_eq!(modal(&app).focus, Button::Cancel, "the signal choice is never sticky");
    key(&mut app, KeyCode::Char('n'));
    assert!(app.modal.is_none());
}

#[test]
fn confirming_returns_the_frozen_plan_and_shows_progress_then_the_report() {
    let mut app = app();
    select_pid(&mut app, 101);
    key(&mut app, KeyCode::Char('X'));
    let frozen = modal(&app).plan.clone();
    app.update(Action::NewForest(forest())); // a refresh while the modal is open
    assert_eq!(modal(&app).plan, frozen);
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Right);
    let effect = key(&mut app, KeyCode::Enter);
    match effect {
        Effect::Kill(req) => {
            assert_eq!(req.operation, Operation::Kill { signal: Sig::Kill, grace_secs: 5 }, "Kill now");
            assert_eq!(req.plan, frozen);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(key(&mut app, KeyCode::Esc), Effect::None, "a running kill cannot be dismissed");
    app.update(Action::KillProgress(Progress { phase: Phase::Waiting, alive: 1, total: 2 }));
    assert!(screen(&mut app, 100, 26).contains("waiting for exits · 1 of 2 still alive"));
    let mut report = KillReport::new(Operation::Kill { signal: Sig::Kill, grace_secs: 5 });
    report.outcomes =
        vec![(frozen.entries[0].clone(), Outcome::Killed), (frozen.entries[1].clone(), Outcome::Survived)];
    assert_eq!(app.update(Action::KillDone(report)), Effect::RefreshNow);
    assert!(matches!(modal(&app).state, KillState::Done(_)));
    insta::assert_snapshot!(render(&mut app, 100, 20).backend());
    key(&mut app, KeyCode::Enter);
    assert!(app.modal.is_none());
    assert!(screen(&mut app, 100, 6).contains("kill: 1 needed SIGKILL, 1 survived"));
}

#[test]
fn hidden_processes_are_counted_and_still_planned() {
    let mut app = app();
    typed(&mut app, "jj");
    key(&mut app, KeyCode::Left); // collapse attempt 1a2b
    key(&mut app, KeyCode::Char('x'));
    assert_eq!(modal(&app).hidden, 4);
    assert_eq!(planned(&app).len(), 4);
    assert!(screen(&mut app, 100, 26).contains("4 processes (4 hidden by collapse or filter)"));
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('+'));
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "rustc");
    key(&mut app, KeyCode::Enter);
    typed(&mut app, "gg");
    key(&mut app, KeyCode::Char('x')); // the whole project, through a filter
    assert_eq!(planned(&app).len(), 9);
    assert_eq!(modal(&app).hidden, 9 - 3, "only the agent, cargo and rustc rows are visible");
}

#[test]
fn orphans_of_the_selected_project_or_everywhere() {
    let mut app = app();
    select_pid(&mut app, 121);
    key(&mut app, KeyCode::Char('O'));
    assert_eq!(modal(&app).plan.scope, [NodeId::Orphans(Some(ProjectId::new("alpha")))]);
    assert_eq!(planned(&app), [112]);
    key(&mut app, KeyCode::Esc);
    select_pid(&mut app, 130);
    key(&mut app, KeyCode::Char('O'));
    assert!(app.modal.is_none(), "beta has no orphans");
    assert!(screen(&mut app, 120, 6).contains("nothing to reap in project:beta"));
}

#[test]
fn o_reaps_the_leftovers_of_an_attempt_whose_agent_this_tui_saw_exit() {
    use std::sync::Arc;
    use swarmtop::associate::{Options, associate};
    use swarmtop::model::fixture::{ProcessExt, linked_worktree, main_worktree, process, snapshot};
    let box_with = |agent: bool| {
        let mut procs = vec![
            process(20, 1, "tmux").cwd("/home/dev"),
            process(21, 20, "npm run dev").cwd("/wt/a/alpha"),
            process(22, 21, "node vite").cwd("/wt/a/alpha"),
            process(30, 20, "npm run dev").cwd("/wt/b/alpha"),
        ];
        if agent {
            procs.push(process(10, 20, "/home/dev/.local/bin/claude").cwd("/wt/a/alpha"));
        }
        let trees = vec![
            main_worktree("/src/alpha", "main"),
            linked_worktree("/wt/a/alpha", "/src/alpha", "a"),
            linked_worktree("/wt/b/alpha", "/src/alpha", "b"),
        ];
        Arc::new(associate(&snapshot(procs, trees), &Options::default()))
    };
    let mut app = app();
    app.update(Action::NewForest(box_with(true)));
    key(&mut app, KeyCode::Char('O'));
    assert!(app.modal.is_none(), "the agent still works in a");
    app.update(Action::NewForest(box_with(false)));
    key(&mut app, KeyCode::Char('O'));
    assert_eq!(planned(&app), [21, 22], "a's agent exited: its dev server is left over; b never had one");
    assert!(screen(&mut app, 100, 26).contains("kill reap"));
}

#[test]
fn read_only_disables_every_kill_path() {
    let config = Config { read_only: true, ..Config::default() };
    let mut app = app_with(&config);
    for k in ['x', 'X', 'O'] {
        key(&mut app, KeyCode::Char(k));
        assert!(app.modal.is_none());
    }
    let s = screen(&mut app, 120, 6);
    assert!(s.contains(READ_ONLY) && s.contains("│ read-only"), "{s}");
}

#[test]
fn protected_and_own_processes_are_shown_as_spared() {
    let mut app = app();
    app.plan_context.self_ancestry = vec![130];
    select_pid(&mut app, 130);
    key(&mut app, KeyCode::Char('X'));
    assert_eq!(planned(&app), [131, 140]);
    assert!(screen(&mut app, 110, 26).contains("spared: swarmtop itself or one of its ancestors"));
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('a'));
    key(&mut app, KeyCode::Char('G'));
    typed(&mut app, "k"); // a process of "other processes"
    key(&mut app, KeyCode::Home);
    while app.selected_row().is_some_and(|r| &*r.label != "other processes") {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Char('x'));
    assert!(app.modal.is_none(), "never a blanket kill of every unassigned process");
}

#[test]
fn read_only_shows_no_kill_binding_and_says_why_a_kill_key_does_nothing() {
    let config = Config { read_only: true, ..Config::default() };
    let mut app = app_with(&config);
    let s = screen(&mut app, 120, 6);
    assert!(!s.contains("x kill"), "the footer offers no kill in read-only mode:\n{s}");
    assert!(s.contains("? help"), "{s}");
    key(&mut app, KeyCode::Char('?'));
    let help = screen(&mut app, 120, 80);
    assert!(help.contains("Show this help"), "{help}");
    for gone in [
        "Kill the selected",
        "Kill the orphans",
        "a confirmation (kill",
        "Focus the button",
        "Pause (SIGSTOP)",
        "Renice the selected",
    ] {
        assert!(!help.contains(gone), "{gone:?} in the read-only help:\n{help}");
    }
    assert!(help.contains(READ_ONLY), "{help}");
    key(&mut app, KeyCode::Esc);
    for k in ['x', 'X', 'O'] {
        assert_eq!(key(&mut app, KeyCode::Char(k)), Effect::None);
        assert!(app.modal.is_none());
        assert_eq!(app.status.as_deref(), Some(READ_ONLY), "{k}");
        key(&mut app, KeyCode::Char('j'));
        assert_eq!(app.status, None);
    }
    let normal = screen(&mut app_with(&Config::default()), 120, 6);
    assert!(normal.contains("x kill"), "{normal}");
}

#[test]
fn the_kill_modal_hints_come_from_its_bindings() {
    let mut keys = Config::default().keys;
    keys.insert("kill".into(), vec!["Y".into()]);
    let mut app = app_with(&Config { keys, ..Config::default() });
    typed(&mut app, "jj");
    key(&mut app, KeyCode::Char('Y'));
    assert_eq!(app.context(), swarmtop::tui::command::Context::KillConfirm);
    let s = screen(&mut app, 100, 26);
    assert!(s.contains("←→ choose · Enter confirm · Esc cancel"), "{s}");
    assert!(s.contains(" Y kill "), "the footer follows the rebinding: {s}");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::BackTab);
    assert_eq!(modal(&app).focus, Button::Cancel);
    key(&mut app, KeyCode::Char('q'));
    assert!(app.modal.is_none(), "q cancels the confirmation");
}

#[test]
fn x_on_a_project_whose_name_no_typed_id_can_hold_plans_that_project() {
    use std::sync::Arc;
    use swarmtop::associate::{Options, associate};
    use swarmtop::model::fixture::{ProcessExt, process, snapshot};
    use swarmtop::tui::rows::RowKind;
    // Tags name the project; `project:team/app` is no id the command line takes, but
    // the row is a node like any other.
    let tagged = process(500, 1, "sleep 99")
        .cwd("/tmp")
        .env("SWARMTOP_PROJECT", "team/app")
        .env("SWARMTOP_TASK", "t")
        .env("SWARMTOP_ATTEMPT", "x");
    let forest = associate(&snapshot(vec![tagged], Vec::new()), &Options::default());
    let mut app = app();
    app.update(Action::NewForest(Arc::new(forest)));
    app.selected = app.rows.iter().position(|r| r.kind == RowKind::Project).unwrap();
    key(&mut app, KeyCode::Char('x'));
    assert_eq!(app.status, None);
    assert_eq!(modal(&app).plan.scope_text(), "project:team/app");
    assert_eq!(planned(&app), [500]);
}

#[test]
fn k_on_an_attempt_keeps_its_agent_and_the_modal_lists_it() {
    let mut app = app();
    typed(&mut app, "jj");
    key(&mut app, KeyCode::Char('K'));
    assert_eq!(planned(&app), [101, 103, 102], "everything but the claude");
    let m = modal(&app);
    assert!(m.plan.narrowing.keep_agents);
    assert_eq!(m.plan.skipped.iter().map(|s| s.entry.key.pid()).collect::<Vec<_>>(), [100]);
    assert_eq!(m.focus, Button::Cancel);
    let text = screen(&mut app, 100, 26);
    assert!(text.contains(", keeping agents"), "{text}");
    assert!(text.contains("keeps 1 agent: claude 100"), "{text}");
    assert!(text.contains("spared: agent, kept"), "{text}");
    key(&mut app, KeyCode::Esc);
    // On a process row: its tree, minus agents.
    select_pid(&mut app, 100);
    key(&mut app, KeyCode::Char('K'));
    assert_eq!(planned(&app), [101, 103, 102]);
}

#[test]
fn read_only_refuses_the_keep_agents_kill_too() {
    let mut app = app();
    app.read_only = true;
    typed(&mut app, "jj");
    key(&mut app, KeyCode::Char('K'));
    assert!(app.modal.is_none());
}
