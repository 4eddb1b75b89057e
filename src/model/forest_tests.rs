//! Deep trees: any user can build a 100,000-deep parent chain, so nothing that walks,
//! prunes, compares, clones, drops, formats or draws a process tree may recurse once
//! per level. Every test here runs on a thread with a small stack, so a recursion
//! overflows deterministically instead of depending on the default 8 MiB.

use std::sync::Arc;

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::associate::{Options, associate};
use crate::config::Config;
use crate::model::fixture::{ProcessExt, linked_worktree, process, snapshot};
use crate::model::{Filter, Forest, ProcNode, Snapshot, filter};
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::command::Command;
use crate::tui::keymap::Keymap;
use crate::tui::rows::{Expansion, RowOptions, build_rows};
use crate::tui::view;

const DEPTH: u32 = 100_000;
const FIRST: u32 = 1000;

/// Runs `f` on a thread with a 256 KiB stack; a stack overflow aborts the test binary.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    let thread = std::thread::Builder::new().stack_size(256 * 1024).spawn(f).expect("spawn a test thread");
    if let Err(panic) = thread.join() {
        std::panic::resume_unwind(panic);
    }
}

/// `depth` processes in one worktree, each the parent of the next.
fn chain(depth: u32) -> Snapshot {
    let wt = linked_worktree("/wt/abcd-deep/p", "/src/p", "vk/abcd-deep");
    let procs = (FIRST..FIRST + depth)
        .map(|pid| process(pid, if pid == FIRST { 1 } else { pid - 1 }, &format!("link-{pid}")))
        .map(|p| p.cwd("/wt/abcd-deep/p"))
        .collect();
    snapshot(procs, vec![wt])
}

fn count(forest: &Forest) -> usize {
    let mut n = 0;
    forest.walk_processes(&mut |_| n += 1);
    n
}

fn deepest_mut(forest: &mut Forest) -> &mut ProcNode {
    let mut n = &mut forest.projects[0].tasks[0].attempts[0].processes[0];
    while !n.children.is_empty() {
        n = &mut n.children[0];
    }
    n
}

#[test]
fn a_100000_deep_chain_associates_walks_filters_compares_clones_and_drops() {
    on_small_stack(|| {
        let forest = associate(&chain(DEPTH), &Options::default());
        assert_eq!(count(&forest), DEPTH as usize);
        let root = &forest.projects[0].tasks[0].attempts[0].processes[0];
        assert_eq!(root.rollup.process_count, DEPTH);
        assert_eq!(forest.projects[0].tasks[0].attempts[0].agent, None);
        let last = FIRST + DEPTH - 1;
        let found = forest.find_process(|n| n.process.pid() == last).expect("the deepest process");
        assert!(found.children.is_empty());
        let mut order = Vec::new();
        forest.walk_processes(&mut |n| order.push(n.process.pid()));
        assert!(order.iter().copied().eq(FIRST..FIRST + DEPTH), "parents before children");

        let kept = Filter::new(&format!("link-{}", FIRST + DEPTH / 2)).apply(&forest);
        assert_eq!(count(&kept), DEPTH as usize / 2 + 1, "the match and its ancestors");
        assert_eq!(count(&filter::orphans_only(&forest)), DEPTH as usize, "the orphaned root's subtree");

        let mut copy = forest.clone();
        assert!(copy == forest && copy.same_content(&forest));
        deepest_mut(&mut copy).process.cpu_percent = 1.0;
        assert!(copy != forest && !copy.same_content(&forest), "a difference at the bottom counts");
        drop(copy);
        drop(kept);

        let text = crate::cli::text::render(&forest, false, Some(100), Default::default());
        assert_eq!(text.lines().count(), 2 + 3 + DEPTH as usize);
    });
}

#[test]
fn a_100000_deep_chain_builds_rows_and_draws() {
    on_small_stack(|| {
        let forest = Arc::new(associate(&chain(DEPTH), &Options::default()));
        let expansion = Expansion::default();
        let filter = Filter::new("");
        let opts = RowOptions {
            filter: &filter,
            sort: crate::model::sort::SortKey::Cpu,
            reverse: false,
            memory: crate::model::MemoryMode::Rss,
            show_other: false,
            orphans_only: false,
            waiting_only: false,
            expansion: &expansion,
            changes: None,
        };
        let mut rows = Vec::new();
        build_rows(&forest, &opts, &mut rows);
        assert_eq!(rows.len(), 3 + DEPTH as usize);
        assert_eq!(rows.last().and_then(|r| r.parent_index()), Some(rows.len() - 2));
        assert!(rows.windows(2).all(|w| w[1].depth >= w[0].depth), "one chain, ever deeper");

        let config = Config::default();
        let mut app = App::new(&config, Keymap::from_config(&config.keys).expect("default keys"));
        app.update(Action::NewForest(Arc::clone(&forest)));
        app.update(Action::NewForest(Arc::new((*forest).clone())));
        app.update(Action::Command(Command::Bottom));
        app.update(Action::Command(Command::Detail));
        let mut term = Terminal::new(TestBackend::new(120, 30)).expect("test terminal");
        term.draw(|f| view::draw(f, &mut app)).expect("draw");
        let screen = term.backend().to_string();
        assert!(screen.contains(&format!("link-{}", FIRST + DEPTH - 1)), "{screen}");
        // The selection survives its ancestors vanishing: it falls back to the nearest survivor.
        app.update(Action::NewForest(Arc::new(associate(&chain(DEPTH / 2), &Options::default()))));
        assert_eq!(app.selected_row().and_then(|r| r.pid), Some(FIRST + DEPTH / 2 - 1));
        app.filter_text = format!("link-{}", FIRST + 10);
        app.rebuild();
        term.draw(|f| view::draw(f, &mut app)).expect("draw");
    });
}

#[test]
fn a_deep_chain_formats_with_debug() {
    on_small_stack(|| {
        let forest = associate(&chain(5_000), &Options::default());
        let text = format!("{forest:?}");
        assert!(text.contains("link-5999"));
    });
}
