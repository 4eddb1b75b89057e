//! Tags in the TUI: markers that read without colour and survive refreshes, stale tags
//! dropped visibly, and `x`/`X` over the union of the tagged scopes in one modal.

mod common;

use std::sync::Arc;

use common::tui::*;
use ratatui::crossterm::event::KeyCode;
use swarmtop::associate::{Options, associate};
use swarmtop::config::{Config, TreeGuides};
use swarmtop::model::NodeId;
use swarmtop::model::fixture::{ProcessExt, swarm_snapshot};
use swarmtop::tui::action::{Action, Modal};
use swarmtop::tui::app::App;
use swarmtop::tui::kill_modal::{Button, KillModal};

fn modal(app: &App) -> &KillModal {
    match &app.modal {
        Some(Modal::Kill(m)) => m,
        other => panic!("no kill modal: {other:?}"),
    }
}

fn planned(app: &App) -> Vec<u32> {
    let mut pids: Vec<u32> = modal(app).plan.entries.iter().map(|e| e.key.pid()).collect();
    pids.sort_unstable();
    pids
}

fn ids(text: &[&str]) -> Vec<NodeId> {
    text.iter().map(|s| s.parse().unwrap()).collect()
}

#[test]
fn tagged_rows_carry_a_marker_without_colour_and_keep_it_across_refreshes() {
    let mut app = app();
    select_pid(&mut app, 101);
    key(&mut app, KeyCode::Char(' '));
    assert_eq!(selected_pid(&app), Some(102), "Space tags and moves down");
    select_label(&mut app, "3c4d");
    key(&mut app, KeyCode::Char(' '));
    app.update(Action::NewForest(forest())); // a refresh: new forest, same processes
    assert_eq!(app.tags.len(), 2);
    insta::assert_snapshot!("tags_unicode", render(&mut app, 100, 26).backend());
    let ascii = Config { tree_guides: TreeGuides::Ascii, ..Config::default() };
    let mut plain = app_with(&ascii);
    select_pid(&mut plain, 101);
    key(&mut plain, KeyCode::Char(' '));
    key(&mut plain, KeyCode::Up);
    let s = screen(&mut plain, 100, 26);
    assert!(s.contains("*+") && s.contains("│ 1 tagged"), "{s}");
}

#[test]
fn a_tag_whose_process_exited_is_dropped_and_the_status_says_so() {
    let mut app = app();
    select_pid(&mut app, 101);
    key(&mut app, KeyCode::Char(' '));
    select_pid(&mut app, 121);
    key(&mut app, KeyCode::Char(' '));
    // 101 is gone and its PID now belongs to a stranger in the same place.
    let mut snap = swarm_snapshot();
    for p in &mut snap.processes {
        if p.pid() == 101 {
            *p = p.clone().started(7_777_777);
        }
    }
    app.update(Action::NewForest(Arc::new(associate(&snap, &Options::default()))));
    assert_eq!(app.tags.len(), 1);
    let s = screen(&mut app, 120, 26);
    assert!(s.contains("1 tag dropped: pid 101 exited"), "{s}");
    key(&mut app, KeyCode::Char('x'));
    assert_eq!(planned(&app), [121], "the stranger on PID 101 is not a target");
}

#[test]
fn x_with_tags_plans_the_union_once_and_lists_every_scope() {
    let mut app = app();
    select_label(&mut app, "add-login");
    key(&mut app, KeyCode::Char(' ')); // the task…
    select_label(&mut app, "1a2b");
    key(&mut app, KeyCode::Char(' ')); // …one of its attempts…
    select_pid(&mut app, 102);
    key(&mut app, KeyCode::Char(' ')); // …a process inside both…
    select_pid(&mut app, 121);
    key(&mut app, KeyCode::Char(' ')); // …and one elsewhere.
    key(&mut app, KeyCode::Char('-')); // everything collapsed: all hidden
    key(&mut app, KeyCode::Char('x'));
    let m = modal(&app);
    assert_eq!(m.focus, Button::Cancel);
    assert_eq!(
        m.plan.scope,
        ids(&["task:alpha/add-login", "attempt:alpha/add-login/1a2b", "pid:102", "pid:121"])
    );
    assert_eq!(planned(&app), [100, 101, 102, 103, 110, 111, 112, 121], "overlaps counted once");
    assert_eq!(m.scopes.iter().map(|(_, n)| *n).collect::<Vec<_>>(), [7, 4, 1, 1]);
    assert_eq!(m.hidden, 8, "every one of them is hidden by the collapse");
    insta::assert_snapshot!("tags_union_modal", render(&mut app, 100, 26).backend());
    key(&mut app, KeyCode::Enter);
    assert!(app.modal.is_none(), "Cancel first: nothing signalled");
    assert_eq!(app.tags.len(), 4, "a cancelled confirmation keeps the tags");
}

#[test]
fn capital_x_with_tags_takes_the_tagged_processes_with_their_descendants() {
    let mut app = app();
    select_pid(&mut app, 101);
    key(&mut app, KeyCode::Char(' '));
    select_pid(&mut app, 130);
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Char('x'));
    assert_eq!(planned(&app), [101, 130]);
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('X'));
    assert_eq!(modal(&app).plan.scope, ids(&["tree:101", "tree:130"]));
    assert_eq!(planned(&app), [101, 102, 130, 131, 140]);
}

#[test]
fn c_tags_everything_below_and_capital_u_clears_every_tag() {
    let mut app = app();
    select_label(&mut app, "beta");
    key(&mut app, KeyCode::Char('c'));
    assert_eq!(app.tags.len(), 6, "project, task, attempt and three processes");
    assert!(screen(&mut app, 120, 26).contains("6 tagged (6 in all)"));
    key(&mut app, KeyCode::Char('x'));
    assert_eq!(planned(&app), [130, 131, 140]);
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('U'));
    assert!(app.tags.is_empty());
    key(&mut app, KeyCode::Char('x'));
    assert_eq!(modal(&app).plan.scope, ids(&["project:beta"]), "without tags, the selection again");
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('a'));
    select_label(&mut app, "other processes");
    key(&mut app, KeyCode::Char(' '));
    assert!(app.tags.is_empty());
    assert!(screen(&mut app, 120, 26).contains("this group cannot be tagged"));
}

#[test]
fn read_only_still_tags_but_acts_on_nothing() {
    let config = Config { read_only: true, ..Config::default() };
    let mut app = app_with(&config);
    select_pid(&mut app, 101);
    key(&mut app, KeyCode::Char(' '));
    assert_eq!(app.tags.len(), 1);
    for k in ['x', 'X'] {
        key(&mut app, KeyCode::Char(k));
        assert!(app.modal.is_none());
    }
}
