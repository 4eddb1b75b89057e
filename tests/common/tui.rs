//! Driving the App with keys and rendering it to a TestBackend.

use std::sync::Arc;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use swarmtop::associate::{Options, associate};
use swarmtop::config::Config;
use swarmtop::model::Forest;
use swarmtop::model::fixture::swarm_snapshot;
use swarmtop::tui::action::{Action, Effect};
use swarmtop::tui::app::App;
use swarmtop::tui::keymap::Keymap;
use swarmtop::tui::view;

pub fn forest() -> Arc<Forest> {
    Arc::new(associate(&swarm_snapshot(), &Options::default()))
}

pub fn app_with(config: &Config) -> App {
    let mut app = App::new(config, Keymap::from_config(&config.keys).unwrap());
    app.update(Action::NewForest(forest()));
    app
}

pub fn app() -> App {
    app_with(&Config::default())
}

pub fn key(app: &mut App, code: KeyCode) -> Effect {
    let ev = KeyEvent::new(code, KeyModifiers::NONE);
    match app.action_for_key(&ev) {
        Some(a) => app.update(a),
        None => Effect::None,
    }
}

pub fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

pub fn render(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| view::draw(f, app)).unwrap();
    t
}

pub fn screen(app: &mut App, w: u16, h: u16) -> String {
    render(app, w, h).backend().to_string()
}

pub fn selected_pid(app: &App) -> Option<u32> {
    app.selected_row().and_then(|r| r.pid)
}

/// Moves down from the top until the row of `pid` is selected.
pub fn select_pid(app: &mut App, pid: u32) {
    key(app, KeyCode::Home);
    for _ in 0..app.rows.len() {
        if selected_pid(app) == Some(pid) {
            return;
        }
        key(app, KeyCode::Down);
    }
    panic!("pid {pid} is not on screen");
}

/// Moves down from the top until the first row labelled `label` is selected.
pub fn select_label(app: &mut App, label: &str) {
    key(app, KeyCode::Home);
    for _ in 0..app.rows.len() {
        if app.selected_row().is_some_and(|r| &*r.label == label) {
            return;
        }
        key(app, KeyCode::Down);
    }
    panic!("no row {label}");
}

/// The screen line of the row whose text contains `needle`.
pub fn line_with<'a>(screen: &'a str, needle: &str) -> &'a str {
    screen.lines().find(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle} not on\n{screen}"))
}
