//! A real 5,000-deep parent chain (each shell forks the next and waits) in a git
//! worktree: the sampler thread associates it, the TUI draws it, `list --json` lists
//! every process and `kill tree:` kills them all. Any recursion per level over the
//! chain overflows a stack here.

mod common;

use std::collections::HashSet;
use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use swarmtop::associate::Options;
use swarmtop::config::Config;
use swarmtop::tui::action::Action;
use swarmtop::tui::app::App;
use swarmtop::tui::command::Command as TuiCommand;
use swarmtop::tui::feed::Feed;
use swarmtop::tui::keymap::Keymap;
use swarmtop::tui::view;

const DEPTH: usize = 5_000;

fn session_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let mut fields = rest.split(' ');
    if fields.next()? == "Z" {
        return None;
    }
    fields.nth(2)?.parse().ok()
}

fn members(sid: u32) -> Vec<u32> {
    swarmtop::procfs::list_pids().into_iter().filter(|&pid| session_of(pid) == Some(sid)).collect()
}

fn swarmtop() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_swarmtop"));
    cmd.env("XDG_CONFIG_HOME", "/nonexistent-swarmtop-test").stdin(Stdio::null());
    cmd
}

/// Every number after a `"pid":` key in `list --json`, read as a stream: nested
/// 5,000 deep, the document is too deep for serde_json's parser and may be huge.
fn json_pids() -> Result<HashSet<u32>, String> {
    const KEY: &[u8] = b"\"pid\":";
    let mut child = swarmtop().args(["list", "--json"]).stdout(Stdio::piped()).spawn().expect("run swarmtop");
    let out = std::io::BufReader::new(child.stdout.take().expect("piped stdout"));
    let (mut pids, mut matched, mut number) = (HashSet::new(), 0, None::<u32>);
    for byte in out.bytes() {
        let b = byte.expect("read list --json");
        if matched == KEY.len() {
            match (b, number) {
                (b' ', None) => {}
                (b'0'..=b'9', n) => {
                    number = Some(n.unwrap_or(0).saturating_mul(10).saturating_add(u32::from(b - b'0')))
                }
                (_, n) => {
                    pids.extend(n);
                    (matched, number) = (0, None);
                }
            }
            continue;
        }
        matched = if b == KEY[matched] { matched + 1 } else { usize::from(b == KEY[0]) };
    }
    let status = child.wait().expect("wait for swarmtop");
    if status.success() { Ok(pids) } else { Err(format!("list --json failed: {status}")) }
}

/// The PID column of `list`'s text output.
fn text_pids() -> HashSet<u32> {
    let out = swarmtop().arg("list").output().expect("run swarmtop");
    assert!(out.status.success(), "list: {:?}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().filter_map(|l| l.split_whitespace().next()?.parse().ok()).collect()
}

#[test]
fn a_5000_deep_chain_is_sampled_drawn_listed_and_killed() {
    let tmp = tempfile::tempdir().unwrap();
    let name = format!("deep{}", std::process::id());
    let r = repo(tmp.path(), &name);
    let wt = worktree(&r, &tmp.path().join("wt/beef-deep"), "vk/beef-deep");
    let mut procs = Sessions::default();
    let l = label("deep", "root");
    // Each level forks the next and waits (`true` keeps dash from exec'ing it); the last sleeps.
    let script = format!(
        "S='n=$1; if [ \"$n\" -gt 1 ]; then sh -c \"$0\" \"$0\" $((n-1)); true; else exec sleep 600; fi'; \
         sh -c \"$S\" \"$S\" {}; true",
        DEPTH - 1
    );
    let root = procs.spawn(&l, &wt, &script);
    wait_for("the whole chain", Duration::from_secs(300), || (members(root).len() >= DEPTH).then_some(()));
    let chain: Vec<u32> = members(root);
    assert_eq!(chain.len(), DEPTH);

    // The sampler thread associates it; the TUI draws it.
    let (feed, rx) = Feed::start(live_sampler(), Options::default(), Duration::from_millis(500));
    let forest = wait_for("a forest with the whole chain", Duration::from_secs(120), || {
        let forest = rx.borrow().forest.clone()?;
        let node = find_label(&forest, &l)?;
        (node.rollup.process_count as usize == DEPTH).then_some(forest)
    });
    drop(feed);
    let mut depth = 0;
    find_label(&forest, &l).expect("the chain's root").walk(&mut |n| {
        depth += 1;
        assert!(n.children.len() <= 1, "a chain, not a tree");
    });
    assert_eq!(depth, DEPTH);
    let config = Config::default();
    let mut app = App::new(&config, Keymap::from_config(&config.keys).unwrap());
    app.update(Action::NewForest(Arc::clone(&forest)));
    // Only this test's project: other projects on the box may sort below it.
    app.update(Action::Command(TuiCommand::Filter));
    for c in name.chars() {
        app.update(Action::FilterInput(c));
    }
    app.update(Action::Command(TuiCommand::FilterKeep));
    app.update(Action::Command(TuiCommand::Bottom));
    let mut term = Terminal::new(TestBackend::new(160, 40)).unwrap();
    term.draw(|f| view::draw(f, &mut app)).unwrap();
    let screen = term.backend().to_string();
    assert!(screen.contains("sleep 600") && screen.contains(&format!("…{} ", DEPTH + 2)), "{screen}");
    drop(app);
    drop(forest);

    let missing = |listed: &HashSet<u32>| chain.iter().filter(|p| !listed.contains(p)).count();
    assert_eq!(missing(&text_pids()), 0, "list misses some of the chain");
    // Both are checked before either fails the test, so one failure never hides the other.
    let mut problems = Vec::new();
    match json_pids() {
        Ok(listed) if missing(&listed) == 0 => {}
        Ok(listed) => problems.push(format!("list --json misses {} of the chain", missing(&listed))),
        Err(e) => problems.push(e),
    }
    let out = swarmtop().args(["kill", "--yes", "--grace", "5", &format!("tree:{root}")]).output().unwrap();
    if out.status.success() {
        wait_for("every process of the chain to exit", Duration::from_secs(60), || {
            members(root).is_empty().then_some(())
        });
    } else {
        problems.push(format!("kill tree: {}: {}", out.status, String::from_utf8_lossy(&out.stderr)));
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
