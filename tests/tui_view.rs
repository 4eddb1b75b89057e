//! View tests: fake snapshots and key sequences in, TestBackend frames out (insta).

mod common;

use std::sync::Arc;

use common::tui::*;
use ratatui::crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::style::Color;
use swarmtop::associate::{Options, associate};
use swarmtop::config::{Config, Theme};
use swarmtop::model::fixture::{ProcessExt, process, swarm_snapshot};
use swarmtop::model::{AttemptId, ProcKey, TaskId};
use swarmtop::tui::action::{Action, Effect};
use swarmtop::tui::rows::RowId;

#[test]
fn initial_view() {
    insta::assert_snapshot!(render(&mut app(), 100, 26).backend());
}

#[test]
fn collapsed_attempt_shows_its_rollups() {
    let mut app = app();
    typed(&mut app, "jj"); // project, task, attempt 1a2b
    assert_eq!(app.selected_row().unwrap().id, RowId::Attempt(AttemptId::new("alpha", "add-login", "1a2b")));
    key(&mut app, KeyCode::Left);
    let row = app.selected_row().unwrap();
    assert!(!row.expanded);
    assert_eq!(row.shown.process_count, 4);
    insta::assert_snapshot!(render(&mut app, 100, 12).backend());
    key(&mut app, KeyCode::Left); // on a closed row: go to the parent
    assert_eq!(app.selected_row().unwrap().id, RowId::Task(TaskId::new("alpha", "add-login")));
    key(&mut app, KeyCode::Enter);
    assert!(!app.selected_row().unwrap().expanded);
}

#[test]
fn collapsed_process_shows_its_subtree_totals() {
    let mut app = app();
    select_pid(&mut app, 101);
    let own = app.selected_row().unwrap().shown;
    key(&mut app, KeyCode::Char('h'));
    let total = app.selected_row().unwrap().shown;
    assert_eq!((own.process_count, total.process_count), (1, 2));
    assert_eq!(total.cpu_percent, 125.0);
}

#[test]
fn incremental_filter_keeps_matches_and_ancestors() {
    let mut app = app();
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "rustc");
    insta::assert_snapshot!(render(&mut app, 100, 10).backend());
    key(&mut app, KeyCode::Enter);
    assert!(!app.filter_editing);
    assert_eq!(app.filter_text, "rustc");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.filter_text, "");
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "zzz");
    assert!(screen(&mut app, 100, 8).contains("no rows match"));
    key(&mut app, KeyCode::Esc);
    assert!(!app.filter_editing && app.filter_text.is_empty());
}

#[test]
fn sort_cycles_and_reverses_within_sibling_groups() {
    let mut app = app();
    key(&mut app, KeyCode::Char('s')); // mem
    key(&mut app, KeyCode::Char('s')); // pid
    insta::assert_snapshot!(render(&mut app, 100, 22).backend());
    key(&mut app, KeyCode::Char('S'));
    let agent = app.rows.iter().position(|r| r.pid == Some(100)).unwrap();
    let children: Vec<u32> =
        app.rows.iter().filter(|r| r.parent_index() == Some(agent)).filter_map(|r| r.pid).collect();
    assert_eq!(children, [103, 101], "children in reverse pid order");
}

#[test]
fn help_is_generated_from_the_keymap() {
    let mut config = Config::default();
    config.keys.insert("quit".into(), vec!["Q".into()]);
    let mut app = app_with(&config);
    key(&mut app, KeyCode::Char('?'));
    let s = screen(&mut app, 100, 46);
    insta::assert_snapshot!(s);
    assert!(s.contains("Q  Quit"));
    key(&mut app, KeyCode::Esc);
    assert!(app.modal.is_none());
    assert!(screen(&mut app, 100, 10).contains(" Q quit"), "the footer follows the same table");
    assert_eq!(key(&mut app, KeyCode::Char('q')), Effect::None);
    assert_eq!(key(&mut app, KeyCode::Char('Q')), Effect::Quit);
}

#[test]
fn detail_pane_for_a_process_and_a_group() {
    let mut app = app();
    select_pid(&mut app, 101);
    key(&mut app, KeyCode::Tab);
    for _ in 0..3 {
        app.update(Action::NewForest(forest()));
    }
    insta::assert_snapshot!("detail_process", render(&mut app, 100, 24).backend());
    key(&mut app, KeyCode::Char('g'));
    insta::assert_snapshot!("detail_project", render(&mut app, 100, 24).backend());
}

#[test]
fn orphans_only_and_state_markers() {
    let mut app = app();
    let s = screen(&mut app, 100, 26);
    assert!(s.contains("node watcher.js [orphan]"));
    assert!(s.contains("npm test [stopped]"));
    assert!(s.contains("git [zombie]"));
    key(&mut app, KeyCode::Char('o'));
    insta::assert_snapshot!(render(&mut app, 100, 8).backend());
}

#[test]
fn other_processes_toggle() {
    let mut app = app();
    assert!(!screen(&mut app, 100, 30).contains("other processes"));
    key(&mut app, KeyCode::Char('a'));
    let s = screen(&mut app, 100, 30);
    assert!(s.contains("other processes") && s.contains("sshd"), "{s}");
}

#[test]
fn hostile_names_are_rendered_escaped() {
    let mut app = app();
    let t = render(&mut app, 100, 26);
    let buf = t.backend().buffer();
    assert!(
        buf.content.iter().all(|c| !c.symbol().chars().any(|ch| ch.is_control())),
        "a raw control character reached the screen"
    );
    assert!(t.backend().to_string().contains("evil\\e]0;pwned\\x07\\e[31mred"));
}

#[test]
fn bidi_controls_and_invisible_characters_are_rendered_escaped() {
    let mut snap = swarm_snapshot();
    snap.processes.push(process(150, 100, "invoice\u{202e}fdp.exe --x\u{200b}\u{2066}y\u{feff}").cwd("/tmp"));
    snap.worktrees[1].branch = Some("vk/1a2b-add-login\u{200f}\u{61c}".into());
    let mut app = app();
    app.update(Action::NewForest(Arc::new(associate(&snap, &Options::default()))));
    let t = render(&mut app, 140, 30);
    let hidden = |c: char| matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}' | '\u{61c}');
    assert!(
        t.backend().buffer().content.iter().all(|c| !c.symbol().chars().any(hidden)),
        "a bidi control or an invisible character reached the screen"
    );
    let s = t.backend().to_string();
    assert!(s.contains("invoice\\u{202e}fdp.exe --x\\u{200b}\\u{2066}y\\u{feff}"), "{s}");
    assert!(s.contains("vk/1a2b-add-login\\u{200f}\\u{61c}"), "{s}");
}

#[test]
fn no_color_uses_markers_and_attributes_only() {
    let mono = Config { theme: Theme::Mono, ..Config::default() };
    let mut app = app_with(&mono);
    let t = render(&mut app, 100, 26);
    let buf = t.backend().buffer();
    assert!(
        buf.content.iter().all(|c| c.fg == Color::Reset && c.bg == Color::Reset),
        "colour used under NO_COLOR"
    );
    assert!(t.backend().to_string().contains("▶ ▾ alpha"), "the selection has a text marker");
}

#[test]
fn tiny_terminals_never_panic() {
    let mut app = app();
    key(&mut app, KeyCode::Tab);
    for w in 1..=40 {
        for h in 1..=12 {
            render(&mut app, w, h);
        }
    }
    key(&mut app, KeyCode::Char('?'));
    render(&mut app, 20, 5);
    insta::assert_snapshot!(render(&mut app_with(&Config::default()), 20, 5).backend());
}

#[test]
fn selection_survives_refreshes_and_falls_back_to_the_nearest_ancestor() {
    let mut app = app();
    render(&mut app, 100, 10);
    select_pid(&mut app, 103);
    let line_before = app.selected - app.offset;
    // A new busy process appears above: the selection stays on pid 103.
    let mut snap = swarm_snapshot();
    snap.processes.push(process(150, 1, "hot").cwd("/src/alpha").cpu(500.0));
    app.update(Action::NewForest(Arc::new(associate(&snap, &Options::default()))));
    assert_eq!(selected_pid(&app), Some(103));
    assert_eq!(app.selected - app.offset, line_before, "the row did not jump on screen");
    // pid 103 exits: the selection moves to its parent, the agent (pid 100).
    snap.processes.retain(|p| p.pid() != 103);
    app.update(Action::NewForest(Arc::new(associate(&snap, &Options::default()))));
    assert_eq!(selected_pid(&app), Some(100));
    // A reused pid is a different process: selection does not follow the pid.
    let agent_key = ProcKey::new(100, 1000).unwrap();
    assert_eq!(app.selected_row().unwrap().id, RowId::Process(agent_key));
    for p in snap.processes.iter_mut().filter(|p| p.pid() == 100) {
        *p = p.clone().started(7777);
    }
    app.update(Action::NewForest(Arc::new(associate(&snap, &Options::default()))));
    assert_eq!(app.selected_row().unwrap().id, RowId::Attempt(AttemptId::new("alpha", "add-login", "1a2b")));
}

#[test]
fn expansion_survives_refreshes_and_expand_all_resets() {
    let mut app = app();
    typed(&mut app, "jj");
    key(&mut app, KeyCode::Left);
    app.update(Action::NewForest(forest()));
    assert!(!app.selected_row().unwrap().expanded);
    key(&mut app, KeyCode::Char('-'));
    assert_eq!(app.rows.len(), 2, "only the two projects");
    key(&mut app, KeyCode::Char('+'));
    assert!(app.rows.iter().all(|r| !r.has_children || r.expanded));
}

#[test]
fn mouse_click_selects_and_wheel_scrolls() {
    let mut app = app();
    render(&mut app, 100, 26);
    let click = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 5,
        row: 2 + 3,
        modifiers: KeyModifiers::NONE,
    };
    let action = app.action_for_mouse(&click).unwrap();
    app.update(action);
    assert_eq!(app.selected, 3);
    let wheel =
        MouseEvent { kind: MouseEventKind::ScrollDown, column: 5, row: 5, modifiers: KeyModifiers::NONE };
    let action = app.action_for_mouse(&wheel).unwrap();
    app.update(action);
    assert_eq!(app.selected, 6);
}

#[test]
fn pause_is_an_effect_and_is_shown() {
    let mut app = app();
    assert_eq!(key(&mut app, KeyCode::Char('p')), Effect::SetPaused(true));
    assert!(screen(&mut app, 100, 5).contains("PAUSED"));
    assert_eq!(key(&mut app, KeyCode::Char('p')), Effect::SetPaused(false));
    assert!(!screen(&mut app, 100, 5).contains("PAUSED"));
}

#[test]
fn navigation_keys_move_the_selection() {
    let mut app = app();
    key(&mut app, KeyCode::Char('G'));
    assert_eq!(app.selected, app.rows.len() - 1);
    key(&mut app, KeyCode::Home);
    assert_eq!(app.selected, 0);
    render(&mut app, 100, 8); // header, column titles and footer leave 5 rows
    assert_eq!(app.page, 5);
    key(&mut app, KeyCode::PageDown);
    assert_eq!(app.selected, 5);
    key(&mut app, KeyCode::Char('k'));
    assert_eq!(app.selected, 4);
    key(&mut app, KeyCode::PageUp);
    assert_eq!(app.selected, 0);
}

#[test]
fn state_file_problems_are_shown_not_swallowed() {
    let mut app = app();
    app.notices = vec![
        "/h/.claude/sessions/8.json: skipped: missing field `sessionId`".into(),
        "/r/x.json: skipped".into(),
    ];
    let s = screen(&mut app, 120, 6);
    assert!(s.contains("⚠ /r/x.json: skipped (+1 more)"), "{s}");
}

#[test]
fn an_unchanged_forest_draws_nothing() {
    let mut app = app();
    render(&mut app, 100, 10);
    app.dirty = false;
    let mut same = (*forest()).clone();
    same.sampled_at_ms += 1000;
    app.update(Action::NewForest(Arc::new(same.clone())));
    assert!(!app.dirty, "nothing changed but the clock");
    same.projects[0].rollup.cpu_percent += 1.0;
    app.update(Action::NewForest(Arc::new(same)));
    assert!(app.dirty);
}

#[test]
fn tree_guides_connect_siblings_and_fall_back_to_ascii() {
    let mut app = app();
    let s = screen(&mut app, 100, 26);
    // The last attempt of a task closes its line; the task above it still runs on.
    assert!(s.contains("│ └─▾ 3c4d"), "{s}");
    assert!(s.contains("  └─▾ main "), "{s}");
    let mut config = Config::default();
    config.tree_guides = swarmtop::config::TreeGuides::Ascii;
    let mut app = app_with(&config);
    key(&mut app, KeyCode::Char('j'));
    let s = screen(&mut app, 100, 18);
    let table: String = s.lines().skip(1).collect();
    assert!(!table.contains(['├', '└', '│', '▾', '▸', '▶']), "no box drawing in ASCII mode:\n{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn column_picker_chooses_orders_and_keeps_columns_across_refreshes() {
    use swarmtop::config::Column;
    let mut app = app();
    key(&mut app, KeyCode::Char('C'));
    insta::assert_snapshot!("column_picker", render(&mut app, 100, 16).backend());
    // The cursor follows its column: a column hidden or shown moves to its new line.
    let goto = |app: &mut swarmtop::tui::app::App, column: Column| {
        let line = swarmtop::tui::columns::picker_order(&app.columns).iter().position(|(c, _)| *c == column);
        for _ in 0..Column::all().count() {
            key(app, KeyCode::Up);
        }
        for _ in 0..line.unwrap() {
            key(app, KeyCode::Char('j'));
        }
    };
    key(&mut app, KeyCode::Char(' ')); // PID, on the first line
    assert_eq!(app.modal, Some(swarmtop::tui::action::Modal::Columns { line: 4 }), "PID's new line");
    for column in [Column::User, Column::State, Column::Ni, Column::Age, Column::Threads] {
        goto(&mut app, column);
        key(&mut app, KeyCode::Enter);
    }
    assert_eq!(
        app.columns,
        [
            Column::Cpu,
            Column::Mem,
            Column::Procs,
            Column::Ports,
            Column::User,
            Column::State,
            Column::Ni,
            Column::Age,
            Column::Threads
        ]
    );
    goto(&mut app, Column::User);
    for _ in 0..6 {
        key(&mut app, KeyCode::Char('['));
    }
    assert_eq!(app.columns[0], Column::User);
    key(&mut app, KeyCode::Char('C'));
    assert!(app.modal.is_none(), "the picker's key closes it");
    app.update(Action::NewForest(forest()));
    app.update(Action::NewForest(Arc::new(associate(&swarm_snapshot(), &Options::default()))));
    assert_eq!(app.columns[0], Column::User, "the choice survives refreshes");
    key(&mut app, KeyCode::Char('a'));
    insta::assert_snapshot!("column_set", render(&mut app, 120, 30).backend());
    // Narrow: the least kept columns go first; NAME keeps its room.
    let narrow = screen(&mut app, 50, 6);
    let title = narrow.lines().nth(1).unwrap();
    assert!(title.contains("CPU%") && !title.contains("USER") && !title.contains("AGE"), "{title}");
}

#[test]
fn columns_from_the_config() {
    let mut config = Config::default();
    config.columns = vec![swarmtop::config::Column::Ni, swarmtop::config::Column::Pid];
    let mut app = app_with(&config);
    let s = screen(&mut app, 100, 12);
    let title = s.lines().nth(1).unwrap();
    assert!(title.ends_with("  NI     PID\""), "{title}");
    assert!(s.contains("  10     103"), "rust-analyzer's nice value: {s}");
}
