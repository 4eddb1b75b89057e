//! End to end: the real binary's TUI on the demo swarm under tmux (send-keys and
//! capture-pane). Skips with a printed reason where tmux is missing.

mod common;

use std::time::{Duration, Instant};

use common::processes_under;
use common::tmux::{Tmux, demo_root};

#[test]
fn demo_tui_under_tmux_filters_collapses_and_cleans_up() {
    if !common::tmux::available() {
        println!("SKIPPED: tmux is not installed, so the end-to-end TUI test cannot run");
        return;
    }
    let mut tmux = Tmux::demo("e2e");
    let s = tmux.wait_screen("the demo swarm", |s| s.contains("1a2b") && s.contains("claude --continue"));
    let root = demo_root(&s);
    tmux.root = Some(root.clone());
    assert!(s.contains("[orphan]"), "the leaked watcher is marked:\n{s}");
    assert!(s.contains("▶"), "a selection marker");

    // Esc clears the demo's scope. (Keys after an Esc in the same burst would read as Alt-keys.)
    tmux.keys(&["Escape"]);
    tmux.wait_screen("the cleared scope", |s| !s.contains(" filter: "));
    // `/` starts a filter; typing narrows incrementally.
    tmux.keys(&["/", "s", "e", "a", "r", "c", "h"]);
    let s = tmux.wait_screen("the filter", |s| s.contains("filter: search") && !s.contains("1a2b"));
    assert!(s.contains("claude --continue"), "{s}");
    tmux.keys(&["Enter"]);
    tmux.wait_screen("the kept filter", |s| s.contains("filter: search") && !s.contains('█'));
    tmux.keys(&["Escape"]);
    tmux.wait_screen("the cleared filter", |s| s.contains("1a2b") && !s.contains("filter: search"));

    // Collapse everything: only project rows, with their roll-ups.
    tmux.keys(&["-"]);
    let s = tmux.wait_screen("collapsed projects", |s| s.contains("▸ alpha") && !s.contains("▾ add-login"));
    assert!(s.contains("▸ beta"), "{s}");

    tmux.keys(&["?"]);
    let s = tmux.wait_screen("the help", |s| s.contains("Show this help"));
    assert!(s.contains("help — Esc closes"), "the help's own keys, from the table:\n{s}");
    // The help lists every context's keys; PageDown scrolls it (a key of the help's own).
    // (As many pages as the help is long: every context's keys are listed.)
    for _ in 0..10 {
        if tmux.screen().contains("in an action's report:") {
            break;
        }
        let before = tmux.screen();
        tmux.keys(&["NPage"]);
        tmux.wait_screen("the next page", |s| s != before);
    }
    tmux.wait_screen("the kill report's keys", |s| {
        s.contains("in an action's report:") && !s.contains("Show this help")
    });
    tmux.keys(&["Escape"]);
    tmux.wait_screen("the closed help", |s| !s.contains("Show this help"));
    tmux.keys(&["q"]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while root.exists() || !processes_under(&root).is_empty() {
        assert!(Instant::now() < deadline, "demo not cleaned up: {:?}", processes_under(&root));
        std::thread::sleep(Duration::from_millis(50));
    }
}
