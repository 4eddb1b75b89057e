use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::*;
use crate::associate::{Options, associate};
use crate::config::Config;
use crate::kill::exec::{Outcome, Sig};
use crate::kill::plan::{KillPlan, PlanEntry};
use crate::model::fixture::swarm_snapshot;
use crate::model::{NodeId, ProcKey};
use crate::remote::protocol::Hello;
use crate::tui::action::Action;
use crate::tui::command::Command;
use crate::tui::keymap::Keymap;

fn forest() -> Arc<Forest> {
    Arc::new(associate(&swarm_snapshot(), &Options::default()))
}

/// This box and `build1`, which holds the very same forest: equal ids and ProcKeys on
/// both boxes, as two identical containers would have.
fn app() -> App {
    let config = Config::default();
    let mut app = App::new(&config, Keymap::from_config(&config.keys).unwrap());
    app.remotes = vec![RemotePane::new("build1")];
    app.update(Action::NewForest(forest()));
    connect(&mut app, false);
    app
}

fn connect(app: &mut App, read_only: bool) {
    let hello = Hello {
        protocol: 1,
        host: "build1".into(),
        version: "0".into(),
        capabilities: vec!["kill".into()],
        read_only,
    };
    app.update(Action::Remote(0, Update::Hello(hello)));
    app.update(Action::Remote(0, Update::Status(HostStatus::Connected)));
    app.update(Action::Remote(0, Update::Forest(forest())));
}

fn screen(app: &mut App) -> String {
    let mut t = Terminal::new(TestBackend::new(140, 50)).unwrap();
    t.draw(|f| crate::tui::view::draw(f, app)).unwrap();
    t.backend().to_string()
}

fn select(app: &mut App, host: u16, id: &RowId) {
    let i = app.rows.iter().position(|r| r.host == host && r.id == *id).expect("row on screen");
    app.update(Action::Command(Command::Top));
    for _ in 0..i {
        app.update(Action::Command(Command::Down));
    }
    assert_eq!(app.selected, i);
}

fn attempt_id(app: &App) -> crate::model::AttemptId {
    app.forest.attempts().next().unwrap().2.id.clone()
}

#[test]
fn each_box_hangs_under_its_host_row() {
    let app = app();
    let hosts: Vec<(usize, &Row)> =
        app.rows.iter().enumerate().filter(|(_, r)| r.kind == RowKind::Host).collect();
    assert_eq!(hosts.len(), 2);
    let (local, remote) = (hosts[0], hosts[1]);
    assert_eq!((local.1.host, &*local.1.label, &*local.1.note), (0, "devbox", "this box"));
    assert_eq!((remote.1.host, &*remote.1.label, &*remote.1.note), (1, "build1", "connected"));
    let per_box = remote.0 - local.0 - 1;
    assert_eq!(app.rows.len() - remote.0 - 1, per_box, "the same forest, the same rows on each box");
    for (i, r) in app.rows.iter().enumerate().filter(|(_, r)| r.kind != RowKind::Host) {
        let host_row = if i > remote.0 { remote.0 } else { local.0 };
        assert_eq!(r.host, app.rows[host_row].host, "row {i}");
        assert!(r.depth >= 1);
        let parent = r.parent_index().unwrap();
        assert!(parent >= host_row && parent < i, "row {i} hangs inside its own box");
        assert_eq!(app.rows[parent].depth + 1, r.depth);
    }
    assert_eq!(app.rows[local.0 + 1].parent_index(), Some(local.0));
    assert_eq!(app.rows[remote.0 + 1].parent_index(), Some(remote.0));
}

#[test]
fn the_selection_stays_on_its_own_box_when_both_have_the_row() {
    let mut app = app();
    let key = *app
        .rows
        .iter()
        .find_map(|r| match &r.id {
            RowId::Process(k) => Some(k),
            _ => None,
        })
        .unwrap();
    select(&mut app, 1, &RowId::Process(key));
    app.update(Action::Remote(0, Update::Forest(Arc::new((*forest()).clone()))));
    app.update(Action::NewForest(Arc::new((*forest()).clone())));
    let row = app.selected_row().unwrap();
    assert_eq!((row.host, &row.id), (1, &RowId::Process(key)));
    // Collapsing build1 hides its rows, not this box's.
    select(&mut app, 1, &RowId::Host(1));
    let before = app.rows.len();
    app.update(Action::Command(Command::Collapse));
    assert!(app.rows.iter().all(|r| r.host == 0 || r.kind == RowKind::Host));
    assert!(app.rows.len() < before);
    assert_eq!(app.selected_row().map(|r| r.id.clone()), Some(RowId::Host(1)));
}

fn plan_of(keys: &[ProcKey], scope: NodeId) -> KillPlan {
    KillPlan {
        scope: vec![scope],
        entries: keys
            .iter()
            .map(|&key| PlanEntry {
                key,
                name: "n".into(),
                cmd: "n".into(),
                cpu_percent: 0.0,
                memory_bytes: 0,
            })
            .collect(),
        ..KillPlan::default()
    }
}

#[test]
fn a_kill_on_another_box_is_planned_and_carried_out_there_exactly_as_shown() {
    let mut app = app();
    let attempt = attempt_id(&app);
    select(&mut app, 1, &RowId::Attempt(attempt.clone()));
    let effect = app.update(Action::Command(Command::Kill));
    let Effect::RemotePlan { host: 0, request, kill } = effect else { panic!("{effect:?}") };
    assert_eq!(kill.targets, vec![NodeId::Attempt(attempt.clone())]);
    assert!(app.modal.is_none());
    assert_eq!(app.status.as_deref(), Some("planning on build1…"));
    // The answer to another request (an older one) opens nothing.
    let keys = [ProcKey::new(4242, 7).unwrap(), ProcKey::new(4243, 8).unwrap()];
    let plan = plan_of(&keys, NodeId::Attempt(attempt.clone()));
    let stale = Update::Plan { request: request + 7, id: "x".into(), plan: Box::new(plan.clone()) };
    app.update(Action::Remote(0, stale));
    assert!(app.modal.is_none());
    let answer = Update::Plan { request, id: "77.1-3".into(), plan: Box::new(plan.clone()) };
    app.update(Action::Remote(0, answer));
    let screen = screen(&mut app);
    assert!(screen.contains(&format!("kill attempt {attempt} on build1")), "{screen}");
    // Terminate: the plan shown, by the id the far side gave it.
    app.update(Action::Command(Command::FocusNext));
    let effect = app.update(Action::Command(Command::Press));
    let Effect::RemoteExecute { host: 0, request: run, id, plan: sent, signal: Sig::Term, grace_secs: 5 } =
        effect
    else {
        panic!("{effect:?}")
    };
    assert_eq!((id.as_str(), &*sent), ("77.1-3", &plan));
    let mut report =
        KillReport::new(crate::kill::operation::Operation::Kill { signal: Sig::Term, grace_secs: 5 });
    report.outcomes = plan.entries.iter().map(|e| (e.clone(), Outcome::Exited)).collect();
    let done =
        app.update(Action::Remote(0, Update::Report { request: run, report: Box::new(report.clone()) }));
    assert_eq!(done, Effect::RemoteRefresh(0));
    let Some(Modal::Kill(modal)) = &app.modal else { panic!() };
    assert_eq!(modal.state, KillState::Done(report));
}

#[test]
fn a_refused_or_lost_remote_kill_says_so_in_its_report() {
    let mut app = app();
    let attempt = attempt_id(&app);
    select(&mut app, 1, &RowId::Attempt(attempt.clone()));
    let Effect::RemotePlan { request, .. } = app.update(Action::Command(Command::Kill)) else { panic!() };
    let refused = Update::Refused { request, message: "no such target".into() };
    app.update(Action::Remote(0, refused));
    assert_eq!(app.status.as_deref(), Some("build1: no such target"));
    let Effect::RemotePlan { request, .. } = app.update(Action::Command(Command::Kill)) else { panic!() };
    let plan = plan_of(&[ProcKey::new(4242, 7).unwrap()], NodeId::Attempt(attempt));
    app.update(Action::Remote(0, Update::Plan { request, id: "a-1".into(), plan: Box::new(plan.clone()) }));
    app.update(Action::Command(Command::FocusNext));
    let Effect::RemoteExecute { request: run, .. } = app.update(Action::Command(Command::Press)) else {
        panic!()
    };
    let stale =
        Update::Refused { request: run, message: "plan a-1 is not known here: nothing was signalled".into() };
    app.update(Action::Remote(0, stale));
    let Some(Modal::Kill(modal)) = &app.modal else { panic!() };
    let KillState::Done(report) = &modal.state else { panic!("{:?}", modal.state) };
    assert!(report.warnings.iter().any(|w| w.contains("nothing was signalled")));
    assert_eq!(report.exit_code(), 1);
}

#[test]
fn kills_on_a_box_that_is_down_or_read_only_are_refused_here() {
    let mut app = app();
    let attempt = attempt_id(&app);
    app.update(Action::Remote(0, Update::Status(HostStatus::Stale { since_ms: 1_700_000_000_000 })));
    select(&mut app, 1, &RowId::Attempt(attempt.clone()));
    assert_eq!(app.update(Action::Command(Command::Kill)), Effect::None);
    assert_eq!(app.status.as_deref(), Some("build1 is not connected"));
    let screen = screen(&mut app);
    assert!(screen.contains("stale since 22:13:20 UTC"), "{screen}");
    assert!(screen.contains("0/1 hosts"), "{screen}");
    connect(&mut app, true);
    select(&mut app, 1, &RowId::Attempt(attempt));
    assert_eq!(app.update(Action::Command(Command::Kill)), Effect::None);
    assert_eq!(app.status.as_deref(), Some("build1 serves read-only: kills are disabled there"));
}

#[test]
fn a_kill_on_this_box_is_planned_here_as_before() {
    let mut app = app();
    let attempt = attempt_id(&app);
    select(&mut app, 0, &RowId::Attempt(attempt));
    assert_eq!(app.update(Action::Command(Command::Kill)), Effect::None);
    assert!(matches!(&app.modal, Some(Modal::Kill(m)) if m.remote.is_none()));
}

/// This box's forest plans every action but a kill: on another box's row (whose ids and
/// ProcKeys this box has too, here) pause, resume and renice are refused and plan
/// nothing here, and the row is not tagged (a tag would name this box's attempt).
#[test]
fn actions_other_than_kill_and_tags_refuse_another_boxs_rows() {
    let mut app = app();
    let attempt = RowId::Attempt(attempt_id(&app));
    for (command, verb) in [
        (Command::PauseProcesses, "pause"),
        (Command::ResumeProcesses, "resume"),
        (Command::Renice, "renice"),
    ] {
        select(&mut app, 1, &attempt);
        assert_eq!(app.update(Action::Command(command)), Effect::None);
        assert!(app.modal.is_none(), "{verb}: {:?}", app.modal);
        assert_eq!(app.status.as_deref(), Some(format!("{verb} works on this box only").as_str()));
    }
    select(&mut app, 1, &attempt);
    app.update(Action::Command(Command::SignalMenu));
    assert!(app.modal.is_none());
    assert_eq!(app.status.as_deref(), Some("signals work on this box only"));
    for command in [Command::Tag, Command::TagBelow] {
        select(&mut app, 1, &attempt);
        app.update(Action::Command(command));
        assert!(app.tags.is_empty(), "{command:?}");
        assert!(app.status.as_deref().is_some_and(|s| s.contains("tags are of this box")));
    }
    // The same attempt on this box: tagged, and paused through a local plan.
    select(&mut app, 0, &attempt);
    app.update(Action::Command(Command::Tag));
    assert!(app.tags.contains(&attempt));
    select(&mut app, 0, &attempt);
    app.update(Action::Command(Command::PauseProcesses));
    assert!(matches!(&app.modal, Some(Modal::Kill(m)) if m.remote.is_none()));
}
