//! Leftovers on literal forests, on both sides of every boundary of the rule: an attempt
//! that never had an agent, a live agent, an agent named by PID (gone, alive elsewhere,
//! PID reused), by session id (linked, unlinked claudes), by Codex thread, and the TUI's
//! memory of attempts it saw an agent in.

use crate::associate::{Options, associate};
use crate::kill::plan::{
    KillPlan, Narrowing, PlanContext, PlanError, plan_any, plan_reap, plan_with, reap_targets,
};
use crate::kill::scope::rescope;
use crate::model::fixture::{ProcessExt, linked_worktree, main_worktree, process, snapshot};
use crate::model::{ClaudeSession, Forest, NodeId, Process};

const A: &str = "/wt/a/alpha";
const B: &str = "/wt/b/alpha";

fn forest_of(procs: Vec<Process>) -> Forest {
    forest_with(procs, Vec::new())
}

fn forest_with(procs: Vec<Process>, sessions: Vec<ClaudeSession>) -> Forest {
    let worktrees = vec![
        main_worktree("/src/alpha", "main"),
        linked_worktree(A, "/src/alpha", "feat-a"),
        linked_worktree(B, "/src/alpha", "feat-b"),
    ];
    let mut snap = snapshot(procs, worktrees);
    snap.claude_sessions = sessions.into();
    associate(&snap, &Options::default())
}

fn ctx() -> PlanContext {
    PlanContext { self_ancestry: vec![9999], uid: 1000, protect: vec![] }
}

fn leftovers_in(f: &Forest, seen: &[&str]) -> Result<Vec<u32>, PlanError> {
    let agents_seen = f
        .attempts()
        .filter(|(_, _, a)| seen.contains(&a.path.to_str().unwrap_or_default()))
        .map(|(_, _, a)| (a.id.clone(), a.path.clone()))
        .collect();
    let n = Narrowing { agents_seen, ..Narrowing::default() };
    plan_with(&[NodeId::Leftovers(None)], &n, f, &ctx()).map(|p| pids(&p))
}

fn pids(p: &KillPlan) -> Vec<u32> {
    p.entries.iter().map(|e| e.key.pid()).collect()
}

fn claude(pid: u32, ppid: u32, cwd: &str) -> Process {
    process(pid, ppid, "/home/dev/.local/bin/claude").cwd(cwd)
}

#[test]
fn an_attempt_that_never_had_an_agent_has_no_leftovers() {
    let f = forest_of(vec![
        process(10, 1, "npm run dev").cwd(A).session_leader(),
        process(11, 10, "node vite").cwd(A),
        // Only CLAUDECODE=1: which claude started it cannot be told.
        process(12, 1, "node stray.js").cwd(A).env("CLAUDECODE", "1"),
    ]);
    assert_eq!(leftovers_in(&f, &[]), Err(PlanError::Empty(NodeId::Leftovers(None))));
}

#[test]
fn a_tool_process_whose_claude_is_gone_is_left_over_with_its_subtree() {
    let f = forest_of(vec![
        process(10, 1, "bash -c npm run dev").cwd(A).session_leader().env("CLAUDE_PID", "5"),
        process(11, 10, "node vite").cwd(A),
        process(12, 1, "npm run dev").cwd(A).session_leader(),
    ]);
    assert_eq!(leftovers_in(&f, &[]), Ok(vec![10, 11]), "the hand-started dev server beside it is not");
}

#[test]
fn a_live_claude_anywhere_keeps_what_it_started() {
    // Claude 5 runs outside every attempt; its tool process works in A.
    let f = forest_of(vec![
        claude(5, 1, "/home/dev"),
        process(10, 5, "bash -c make").cwd(A).session_leader().env("CLAUDE_PID", "5"),
    ]);
    assert!(leftovers_in(&f, &[]).is_err());
    // The same PID now held by a process that started later: a reused PID, the claude is gone.
    let f = forest_of(vec![
        process(5, 1, "unrelated").cwd("/tmp").started(900),
        process(10, 1, "bash -c make").cwd(A).session_leader().env("CLAUDE_PID", "5").started(100),
    ]);
    assert_eq!(leftovers_in(&f, &[]), Ok(vec![10]));
    assert!(
        leftovers_in(&forest_of(vec![process(10, 1, "x").cwd(A).env("CLAUDE_PID", "junk")]), &[]).is_err()
    );
}

#[test]
fn any_live_agent_in_the_attempt_spares_all_of_it() {
    let f = forest_of(vec![
        process(10, 1, "bash -c make").cwd(A).session_leader().env("CLAUDE_PID", "5"),
        process(20, 1, "codex").cwd(A),
    ]);
    assert!(leftovers_in(&f, &[A]).is_err(), "even an attempt the TUI remembers");
}

#[test]
fn a_session_id_counts_only_when_every_live_claude_is_linked() {
    let procs = |extra: Vec<Process>| {
        let mut p =
            vec![process(10, 1, "bash -c make").cwd(A).session_leader().env("CLAUDE_CODE_SESSION_ID", "s-1")];
        p.extend(extra);
        p
    };
    let linked = |pid: u32, id: &str| ClaudeSession {
        pid,
        session_id: id.into(),
        proc_start: Some(u64::from(pid) * 10),
        name: None,
        status: None,
        ..ClaudeSession::default()
    };
    assert_eq!(leftovers_in(&forest_of(procs(vec![])), &[]), Ok(vec![10]), "no claude at all");
    let other = forest_with(procs(vec![claude(30, 1, B)]), vec![linked(30, "s-2")]);
    assert_eq!(leftovers_in(&other, &[]), Ok(vec![10]), "the only claude is another session's");
    let own = forest_with(procs(vec![claude(30, 1, B)]), vec![linked(30, "s-1")]);
    assert!(leftovers_in(&own, &[]).is_err(), "its session's claude lives on in B");
    let unknown = forest_of(procs(vec![claude(30, 1, B)]));
    assert!(leftovers_in(&unknown, &[]).is_err(), "an unlinked claude could be its agent");
}

#[test]
fn a_codex_thread_with_no_agent_left_is_left_over() {
    let f = forest_of(vec![
        process(40, 1, "/h/.codex/bin/codex app-server --listen unix:// --managed-daemon")
            .cwd(B)
            .session_leader(),
        process(41, 40, "bash -lc cargo test").cwd(A).session_leader().env("CODEX_THREAD_ID", "t-1"),
        process(42, 40, "bash -lc ls").cwd(B).session_leader().env("CODEX_THREAD_ID", "t-2"),
        process(50, 1, "codex").cwd(B),
    ]);
    assert_eq!(leftovers_in(&f, &[]), Ok(vec![41]), "B's thread has its codex");
}

#[test]
fn an_attempt_the_tui_saw_an_agent_in_is_all_left_over_once_none_is_left() {
    let f = forest_of(vec![
        process(10, 1, "npm run dev").cwd(A).session_leader(),
        process(11, 10, "node vite").cwd(A),
        process(20, 1, "npm run dev").cwd(B).session_leader(),
    ]);
    assert_eq!(leftovers_in(&f, &[A]), Ok(vec![10, 11]));
    assert!(leftovers_in(&f, &[]).is_err(), "without the memory: never an agent");
}

#[test]
fn a_leftovers_newborn_child_joins_but_not_one_placed_elsewhere() {
    let f = forest_of(vec![process(10, 1, "bash -c x").cwd(A).session_leader().env("CLAUDE_PID", "5")]);
    let p = plan_with(&[NodeId::Leftovers(None)], &Narrowing::default(), &f, &ctx()).unwrap();
    let after = forest_of(vec![
        process(10, 1, "bash -c x").cwd(A).session_leader().env("CLAUDE_PID", "5"),
        process(11, 10, "child").cwd(A).started(p.born_after + 1),
        process(12, 10, "moved").cwd(B).started(p.born_after + 1),
    ]);
    let members: Vec<(u32, bool)> =
        rescope(&p, &after, &ctx()).members.iter().map(|m| (m.entry.key.pid(), m.adoptable())).collect();
    assert_eq!(members, [(10, false), (11, true)]);
}

#[test]
fn a_reap_is_orphans_and_leftovers_and_nothing_to_reap_is_none() {
    let f = forest_of(vec![
        process(10, 1, "bash -c x").cwd(A).session_leader().env("CLAUDE_PID", "5"),
        process(11, 10, "make").cwd(A),
        process(12, 1, "node leaked.js").cwd(B),
        claude(30, 1, B),
    ]);
    let killed = plan_any(&reap_targets(None), &Narrowing::default(), &f, &ctx()).unwrap().unwrap();
    assert_eq!(pids(&killed), [10, 12, 30, 11], "kill orphans leftovers: the orphaned claude too");
    let p = plan_reap(None, &Narrowing::default(), &f, &ctx()).unwrap().unwrap();
    assert_eq!(pids(&p), [10, 12, 11], "a reap never takes a live agent");
    let quiet = forest_of(vec![process(20, 1, "tmux").cwd("/home/dev"), process(21, 20, "sleep").cwd(A)]);
    assert_eq!(plan_reap(None, &Narrowing::default(), &quiet, &ctx()), Ok(None));
    let project = crate::model::ProjectId::new("nosuch");
    assert!(matches!(
        plan_reap(Some(&project), &Narrowing::default(), &quiet, &ctx()),
        Err(PlanError::UnknownTarget { .. })
    ));
}

#[test]
fn a_reap_leaves_an_orphaned_agent_and_all_it_runs_alone() {
    // An agent started detached (its starter exited): still at work.
    let f = forest_of(vec![
        process(10, 1, "bash -c claude -p task").cwd(A).session_leader(),
        claude(11, 10, A),
        process(12, 11, "bash -c cargo test").cwd(A).session_leader(),
        process(13, 12, "cargo test").cwd(A),
        process(20, 1, "node leaked.js").cwd(A),
    ]);
    let p = plan_reap(None, &Narrowing::default(), &f, &ctx()).unwrap().unwrap();
    assert_eq!(pids(&p), [20]);
    let why: Vec<(u32, String)> =
        p.skipped.iter().map(|s| (s.entry.key.pid(), s.reason.to_string())).collect();
    assert_eq!(
        why,
        [
            (10, "ancestor of a kept agent, kept".to_string()),
            (11, "agent, kept".to_string()),
            (12, "run by a live agent, kept".to_string()),
            (13, "run by a live agent, kept".to_string()),
        ]
    );
    // A newborn below the agent is never adopted either.
    let after = forest_of(vec![
        process(10, 1, "bash -c claude -p task").cwd(A).session_leader(),
        claude(11, 10, A),
        process(12, 11, "bash -c cargo test").cwd(A).session_leader(),
        process(14, 12, "rustc").cwd(A).started(p.born_after + 1),
        process(20, 1, "node leaked.js").cwd(A),
    ]);
    let s = rescope(&p, &after, &ctx());
    assert!(s.members.iter().filter(|m| m.newborn).all(|m| !m.adoptable()));
    assert!(s.members.iter().any(|m| m.entry.key.pid() == 14));
}
