//! The TUI half of `swarmtop bench`: association, tree rebuild and one frame on a
//! synthetic box, next to the raw /proc read measured in the same run.

use std::sync::Arc;
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::bench::median;
use super::bench_data::synthetic_snapshot;
use crate::associate::{Options, associate};
use crate::config::Config;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::keymap::Keymap;
use crate::tui::view;

pub fn run(processes: usize, rounds: usize, raw: Duration) {
    let attempts = (processes / 30).max(1);
    let snapshot = synthetic_snapshot(processes, attempts);
    let config = Config::default();
    let Ok(keymap) = Keymap::from_config(&config.keys) else { return };
    let mut app = App::new(&config, keymap);
    let forest = Arc::new(associate(&snapshot, &Options::default()));
    app.update(Action::NewForest(forest.clone()));
    let Ok(mut term) = Terminal::new(TestBackend::new(200, 60));

    let assoc = median(rounds, || drop(associate(&snapshot, &Options::default())));
    // Two equal forests in turn, as the sampler sends them: the same Arc again is no news.
    let twins = [Arc::new((*forest).clone()), forest.clone()];
    let mut turn = 0;
    let new_forest = median(rounds, || {
        turn ^= 1;
        app.update(Action::NewForest(twins[turn].clone()));
    });
    // Two forests that differ in one process's CPU, in turn: a refresh of a busy box
    // (new and exited processes, agents' clocks, history, rebuild).
    let mut busier = snapshot.clone();
    if let Some(p) = busier.processes.last_mut() {
        p.cpu_percent += 1.0;
    }
    let differing = [Arc::new(associate(&busier, &Options::default())), forest.clone()];
    let changed_forest = median(rounds, || {
        turn ^= 1;
        app.update(Action::NewForest(differing[turn].clone()));
    });
    let rebuild = median(rounds, || app.rebuild());
    let frame = median(rounds, || {
        // A failed draw on an in-memory backend cannot happen; nothing to report.
        let _ = term.draw(|f| view::draw(f, &mut app));
    });
    println!();
    println!("TUI on a synthetic box: {processes} processes in {attempts} attempts, 200x60 frame");
    for (name, t) in [
        ("associate snapshot -> forest", assoc),
        ("new forest, same content: history only", new_forest),
        ("new forest, changed: history, changes, tree rebuild", changed_forest),
        ("tree rebuild alone (filter/sort/expand)", rebuild),
        ("draw one frame", frame),
    ] {
        println!(
            "{name:<52} {:>8.2}ms {:>7.2}x raw read",
            t.as_secs_f64() * 1000.0,
            t.as_secs_f64() / raw.as_secs_f64().max(1e-9)
        );
    }
}
