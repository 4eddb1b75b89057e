//! The view is total: every screen state draws at every terminal size, from 0x0 up
//! and at wide widths, without panicking.

mod common;

use common::tui::*;
use ratatui::crossterm::event::KeyCode;
use swarmtop::config::Config;
use swarmtop::kill::exec::{KillReport, Operation, Outcome, Phase, Progress, Sig};
use swarmtop::tui::action::{Action, Effect};
use swarmtop::tui::app::App;
use swarmtop::tui::keymap::Keymap;

fn unsampled() -> App {
    let config = Config::default();
    App::new(&config, Keymap::from_config(&config.keys).unwrap())
}

/// Draws every state at every size up to 40x12 (`grid`) or at the sizes where its
/// own parts appear and vanish, and at wide widths; lists every panic.
fn sweep(states: &mut [(&str, App)], grid: bool) {
    let mut failed = Vec::new();
    for (name, app) in states.iter_mut() {
        let heights: &[u16] =
            if grid { &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] } else { &[0, 1, 2, 3, 9, 15, 16, 17] };
        let small = (0..=40).flat_map(|w| heights.iter().map(move |&h| (w, h)));
        let wide = [41, 80, 100, 101, 160, 255, 256, 300]
            .into_iter()
            .flat_map(|w| [0, 1, 2, 3, 16, 40].map(|h| (w, h)));
        for (w, h) in small.chain(wide) {
            let drawn = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| render(app, w, h)));
            if drawn.is_err() {
                failed.push(format!("{name} at {w}x{h}"));
            }
        }
    }
    assert!(
        failed.is_empty(),
        "the view panicked {} times: {:?}",
        failed.len(),
        &failed[..failed.len().min(30)]
    );
}

#[test]
fn main_screens_draw_at_every_size() {
    let mut detail = app();
    select_pid(&mut detail, 101);
    key(&mut detail, KeyCode::Tab);
    let mut empty = app();
    key(&mut empty, KeyCode::Char('/'));
    typed(&mut empty, "zzz");
    let mut paused = unsampled();
    key(&mut paused, KeyCode::Char('p'));
    paused.sampler_error = Some("boom".into());
    paused.notices = vec!["a notice".into()];
    let mut stalled = app();
    stalled.stalled_since = Some(std::time::SystemTime::now());
    sweep(
        &mut [("not sampled yet", unsampled()), ("tree", app()), ("no rows match, filter open", empty)],
        true,
    );
    // The detail pane needs 16 rows; the header and footer change only their one line.
    sweep(&mut [("detail", detail), ("paused, failing", paused), ("stalled", stalled)], false);
}

#[test]
fn modals_draw_at_every_size() {
    let mut help = app();
    key(&mut help, KeyCode::Char('?'));
    let opened = || {
        let mut app = app();
        typed(&mut app, "jj");
        key(&mut app, KeyCode::Char('x'));
        app
    };
    let mut running = opened();
    key(&mut running, KeyCode::Right);
    let Effect::Kill(request) = key(&mut running, KeyCode::Enter) else { panic!("Terminate starts no kill") };
    running.update(Action::KillProgress(Progress { phase: Phase::Waiting, alive: 1, total: 4 }));
    let mut done = opened();
    key(&mut done, KeyCode::Right);
    key(&mut done, KeyCode::Enter);
    let outcomes =
        request.plan.entries.iter().map(|e| (e.clone(), Outcome::Failed("EPERM".into()))).collect();
    let mut report = KillReport::new(Operation::Kill { signal: Sig::Term, grace_secs: 5 });
    report.outcomes = outcomes;
    report.born_meanwhile = 3;
    report.groups = vec![4242];
    report.cancelled = true;
    done.update(Action::KillDone(report));
    let mut signals = app();
    typed(&mut signals, "jj");
    key(&mut signals, KeyCode::F(9));
    key(&mut signals, KeyCode::End);
    sweep(
        &mut [("help", help), ("kill modal", opened()), ("kill report", done), ("signal menu", signals)],
        true,
    );
    sweep(&mut [("kill running", running)], false);
}
