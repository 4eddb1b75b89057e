//! Ports in the TUI: the PORTS column (a process's own, a group's union collapsed, `-`
//! when unreadable), the `:PORT` filter, the detail pane, and `P`, which plans `port:N`.

mod common;

use std::sync::Arc;

use common::tui::*;
use ratatui::crossterm::event::KeyCode;
use swarmtop::associate::{Options, associate};
use swarmtop::config::Config;
use swarmtop::model::fixture::swarm_snapshot;
use swarmtop::model::{Forest, NodeId, Port, Proto};
use swarmtop::tui::action::{Action, Modal};
use swarmtop::tui::app::App;

/// The swarm with vite (121) on 127.0.0.1:5173 and [::1]:24678, rust-analyzer (103,
/// another attempt) on [::1]:5173, and the sshd (200) whose descriptors are unreadable.
fn listening() -> Arc<Forest> {
    let on = |port: u16, addr: &str| Port { port, proto: Proto::Tcp, addr: addr.parse().unwrap() };
    let mut snap = swarm_snapshot();
    for p in &mut snap.processes {
        p.ports = match p.pid() {
            121 => Some(Arc::from([on(5173, "127.0.0.1"), on(24678, "::1")])),
            103 => Some(Arc::from([on(5173, "::1")])),
            200 => None,
            _ => Some(Arc::from([])),
        };
    }
    Arc::new(associate(&snap, &Options::default()))
}

fn app_listening() -> App {
    let mut app = app_with(&Config::default());
    app.update(Action::NewForest(listening()));
    app
}

#[test]
fn the_ports_column_shows_own_ports_unions_and_unreadable() {
    let mut app = app_listening();
    key(&mut app, KeyCode::Char('a'));
    let screen = screen(&mut app, 160, 40);
    assert!(line_with(&screen, "NAME").contains("PORTS"), "{screen}");
    assert!(line_with(&screen, "node node_modules/.bin/vite").contains(":5173 :24678"), "{screen}");
    assert!(line_with(&screen, "rust-analyzer").contains(":5173"), "{screen}");
    // alpha holds both attempts: the lowest port and how many more.
    assert!(line_with(&screen, "alpha ").contains(":5173 +1"), "{screen}");
    let sshd = line_with(&screen, "sshd").trim_end_matches('"').trim_end();
    assert!(sshd.ends_with(" -"), "unreadable is -, never blank: {screen}");
}

#[test]
fn a_port_filter_keeps_only_its_listeners_and_their_ancestors() {
    let mut app = app_listening();
    typed(&mut app, "/:5173");
    key(&mut app, KeyCode::Enter);
    let pids: Vec<u32> = app.rows.iter().filter_map(|r| r.pid).collect();
    assert_eq!(pids.iter().filter(|p| [103, 121].contains(p)).count(), 2, "{pids:?}");
    assert!(!pids.contains(&101) && !pids.contains(&110), "no bystander: {pids:?}");
}

#[test]
fn p_plans_the_filters_port_or_the_selected_processs_only_port() {
    let mut app = app_listening();
    typed(&mut app, "/:5173");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('P'));
    let Some(Modal::Kill(modal)) = &app.modal else { panic!("no modal: {:?}", app.status) };
    assert_eq!(modal.plan.scope, [NodeId::Port(5173)]);
    let mut pids: Vec<u32> = modal.plan.entries.iter().map(|e| e.key.pid()).collect();
    pids.sort();
    assert_eq!(pids, [103, 121], "both listeners, in two attempts");

    let mut app = app_listening();
    select_pid(&mut app, 103);
    key(&mut app, KeyCode::Char('P'));
    assert!(matches!(&app.modal, Some(Modal::Kill(m)) if m.plan.scope == [NodeId::Port(5173)]));

    let mut app = app_listening();
    select_pid(&mut app, 121);
    key(&mut app, KeyCode::Char('P'));
    assert!(app.modal.is_none());
    assert!(app.status.as_deref().is_some_and(|s| s.contains("2 ports")), "{:?}", app.status);
    select_pid(&mut app, 101);
    key(&mut app, KeyCode::Char('P'));
    assert!(app.status.as_deref().is_some_and(|s| s.contains("no port")), "{:?}", app.status);
}

#[test]
fn the_detail_pane_lists_protocol_address_and_port() {
    let mut app = app_listening();
    select_pid(&mut app, 121);
    key(&mut app, KeyCode::Char('d'));
    let screen = screen(&mut app, 160, 50);
    assert!(screen.contains("tcp 127.0.0.1:5173, tcp [::1]:24678"), "{screen}");
}
