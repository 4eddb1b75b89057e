//! End to end: tags → x → the union's confirmation → Cancel, in the real binary under
//! tmux on the demo swarm; nothing is signalled. Skips with a printed reason without tmux.

mod common;

use common::tmux::{Tmux, demo_root};
use common::{processes_under, state};

#[test]
fn tags_then_x_open_one_confirmation_and_cancel_signals_nothing() {
    if !common::tmux::available() {
        println!("SKIPPED: tmux is not installed, so the end-to-end tags test cannot run");
        return;
    }
    let mut tmux = Tmux::demo("tags");
    let s = tmux.wait_screen("the demo swarm", |s| s.contains("1a2b") && s.contains("claude --continue"));
    let root = demo_root(&s);
    tmux.root = Some(root.clone());
    let mut before = processes_under(&root);
    before.sort_unstable();

    // The first row (a project) and the next (its first task; Space moves down): two
    // overlapping scopes, both on screen.
    tmux.keys(&["Space"]);
    tmux.wait_screen("one tag", |s| s.contains("│ 1 tagged"));
    tmux.keys(&["Space"]);
    let s = tmux.wait_screen("two tags", |s| s.contains("│ 2 tagged"));
    assert!(s.matches('●').count() >= 2, "tagged rows are marked:\n{s}");
    tmux.keys(&["x"]);
    let s = tmux.wait_screen("the union's confirmation", |s| s.contains("kill 2 tagged scopes"));
    assert!(s.contains("in 2 scopes, each once") && s.contains("▶[ Cancel ]◀"), "{s}");
    tmux.keys(&["Enter"]);
    let s = tmux.wait_screen("the closed confirmation", |s| !s.contains("kill 2 tagged scopes"));
    assert!(s.contains("│ 2 tagged"), "Cancel keeps the tags:\n{s}");

    let mut after = processes_under(&root);
    after.sort_unstable();
    assert_eq!(after, before, "Cancel signalled nothing: every demo process is still there");
    for pid in after {
        assert_ne!(state(pid), Some('T'), "{pid} was left stopped");
    }
    tmux.keys(&["q"]);
}
