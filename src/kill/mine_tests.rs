//! `--mine` on literal forests: targets inside the caller's attempt, outside it, on its
//! boundary, a shared service, the caller's own ancestry, and a tree or session that
//! crosses into another attempt.

use crate::associate::{Options, associate};
use crate::kill::plan::{KillPlan, Narrowing, PlanContext, PlanError, SkipReason, plan_with};
use crate::kill::scope::rescope;
use crate::model::fixture::{ProcessExt, linked_worktree, main_worktree, process, snapshot};
use crate::model::{Forest, NodeId, Process};

const A: &str = "/wt/a/alpha";
const B: &str = "/wt/b/alpha";
const ATTEMPT_A: &str = "attempt:alpha/feat-a/alpha";
const ATTEMPT_B: &str = "attempt:alpha/feat-b/alpha";

fn forest_of(procs: Vec<Process>) -> Forest {
    let worktrees = vec![
        main_worktree("/src/alpha", "main"),
        linked_worktree(A, "/src/alpha", "feat-a"),
        linked_worktree(B, "/src/alpha", "feat-b"),
        main_worktree("/src/beta", "main"),
    ];
    associate(&snapshot(procs, worktrees), &Options::default())
}

/// Attempt A: a claude, its tool shell running swarmtop (9999), a sleep, a node dev
/// server and a node child that `cd`'d into B. Attempt B: a codex with a sleep and a
/// node. Codex's shared daemon (cwd in A), a node outside every attempt, the main
/// checkout's dev server.
fn procs() -> Vec<Process> {
    vec![
        process(10, 1, "tmux").cwd("/home/dev").session_leader(),
        process(20, 10, "/home/dev/.local/bin/claude").cwd(A).session_leader(),
        process(21, 20, "bash -c swarmtop").cwd(A).session_leader(),
        process(9999, 21, "swarmtop kill --mine").cwd(A),
        process(22, 20, "sleep 600").cwd(A),
        process(23, 20, "node server.js").cwd(A),
        process(24, 23, "node worker.js").cwd(B),
        process(25, 20, "vim node.txt").cwd(A),
        process(30, 10, "codex").cwd(B).session_leader(),
        process(31, 30, "sleep 600").cwd(B),
        process(32, 30, "node b.js").cwd(B),
        process(40, 1, "/h/.codex/bin/codex app-server --listen unix:// --managed-daemon")
            .cwd(A)
            .session_leader(),
        process(50, 1, "node /tmp/stray.js").cwd("/tmp").session_leader(),
        process(60, 10, "npm run dev").cwd("/src/alpha").session_leader(),
    ]
}

fn ctx() -> PlanContext {
    PlanContext { self_ancestry: vec![9999, 21, 20, 10, 1], uid: 1000, protect: vec![] }
}

fn mine() -> Narrowing {
    Narrowing { mine: true, ..Narrowing::default() }
}

fn mine_plan(target: &str, forest: &Forest) -> Result<KillPlan, PlanError> {
    plan_with(&[target.parse().unwrap()], &mine(), forest, &ctx())
}

fn pids(plan: &KillPlan) -> Vec<u32> {
    plan.entries.iter().map(|e| e.key.pid()).collect()
}

fn skipped(plan: &KillPlan) -> Vec<(u32, SkipReason)> {
    plan.skipped.iter().map(|s| (s.entry.key.pid(), s.reason.clone())).collect()
}

fn refusal(target: &str, forest: &Forest) -> String {
    match mine_plan(target, forest) {
        Err(e @ (PlanError::OutsideMine { .. } | PlanError::NothingInMine { .. })) => e.to_string(),
        other => panic!("{target}: expected a refusal, got {other:?}"),
    }
}

#[test]
fn the_callers_attempt_is_its_parents() {
    let f = forest_of(procs());
    let p = mine_plan("name:sleep", &f).unwrap();
    let m = p.mine.clone().unwrap();
    assert_eq!((m.attempt.as_str(), m.path.to_str(), m.via_pid), (ATTEMPT_A, Some(A), 21));
    assert_eq!(pids(&p), [22], "the sleep in B is not even considered");
}

#[test]
fn a_name_resolves_inside_the_attempt_only_and_never_on_other_arguments() {
    let f = forest_of(procs());
    let p = mine_plan("name:node", &f).unwrap();
    assert_eq!(pids(&p), [23], "not B's node, not the worker placed in B, not the stray; not vim node.txt");
    assert!(p.skipped.is_empty());
    let everywhere = plan_with(&["name:node".parse().unwrap()], &Narrowing::default(), &f, &ctx()).unwrap();
    assert_eq!(
        pids(&everywhere),
        [50, 23, 32, 24],
        "without --mine: every process named node, parents first"
    );
    let e = refusal("name:codex", &f);
    assert!(e.contains(&format!("matches nothing in your attempt {ATTEMPT_A}")), "{e}");
    assert!(e.contains(&format!("pid 30 in {ATTEMPT_B}")) && e.contains("pid 40 in shared service"), "{e}");
}

#[test]
fn a_process_or_tree_outside_the_attempt_is_refused_saying_where_it_lives() {
    let f = forest_of(procs());
    for (target, lives) in [
        ("pid:31", format!("it is in {ATTEMPT_B}")),
        ("tree:30", format!("it is in {ATTEMPT_B}")),
        ("pid:24", format!("it is in {ATTEMPT_B}")),
        ("pid:50", "it is outside every attempt".to_string()),
        ("pid:40", "it is a shared service".to_string()),
        ("tree:10", "it is outside every attempt".to_string()),
    ] {
        let e = refusal(target, &f);
        assert_eq!(e, format!("{target} is outside your attempt {ATTEMPT_A}: {lives}"));
    }
}

#[test]
fn group_targets_must_be_the_callers_attempt() {
    let f = forest_of(procs());
    assert_eq!(
        refusal(ATTEMPT_B, &f),
        format!("{ATTEMPT_B} is outside your attempt {ATTEMPT_A}: it covers {ATTEMPT_B}")
    );
    for target in ["task:alpha/feat-b", "project:alpha"] {
        assert!(refusal(target, &f).contains("it covers attempt:alpha/"), "{target}");
    }
    // Its own task holds only its attempt: nothing outside is named.
    let task = mine_plan("task:alpha/feat-a", &f).unwrap();
    let own = mine_plan(ATTEMPT_A, &f).unwrap();
    assert_eq!(pids(&task), pids(&own));
    assert_eq!(pids(&own), [22, 23, 25], "B's worker and the shared daemon are not in the attempt");
    assert_eq!(
        skipped(&own),
        [
            (20, SkipReason::SelfOrAncestor),
            (21, SkipReason::SelfOrAncestor),
            (9999, SkipReason::SelfOrAncestor)
        ],
        "the caller, its tool shell and its agent are never signalled"
    );
}

#[test]
fn the_callers_own_ancestry_is_in_the_attempt_but_never_signalled() {
    let f = forest_of(procs());
    for target in ["pid:20", "pid:21", "pid:9999"] {
        let p = mine_plan(target, &f).unwrap();
        assert!(p.entries.is_empty(), "{target}");
        assert_eq!(p.skipped[0].reason, SkipReason::SelfOrAncestor);
    }
}

#[test]
fn a_tree_that_crosses_into_another_attempt_skips_what_is_there() {
    let f = forest_of(procs());
    let p = mine_plan("tree:23", &f).unwrap();
    assert_eq!(pids(&p), [23]);
    assert_eq!(skipped(&p), [(24, SkipReason::OutsideMine(format!("in {ATTEMPT_B}")))]);
    assert_eq!(p.skipped[0].reason.to_string(), format!("outside your attempt (in {ATTEMPT_B})"));
    assert!(!p.skipped[0].reason.is_chosen(), "a tree that could not be killed whole is a partial kill");
}

#[test]
fn outside_every_attempt_there_is_no_mine() {
    let f = forest_of(procs());
    let c = PlanContext { self_ancestry: vec![9999, 50, 1], ..ctx() };
    assert_eq!(plan_with(&["name:node".parse().unwrap()], &mine(), &f, &c), Err(PlanError::NoAttempt));
    assert!(PlanError::NoAttempt.to_string().starts_with("kill --mine: this shell is in no attempt"));
    // A shared service is in no attempt either, whichever cwd it has.
    let c = PlanContext { self_ancestry: vec![9999, 40, 1], ..ctx() };
    assert_eq!(plan_with(&["name:node".parse().unwrap()], &mine(), &f, &c), Err(PlanError::NoAttempt));
}

#[test]
fn an_unplaced_parent_is_not_in_the_attempt_of_an_ancestor_further_up() {
    // A tmux server started in worktree A, and a user's shell in a session of its own
    // (placement keeps it out of A): the shell is in no attempt.
    let f = forest_of(vec![
        process(10, 1, "tmux").cwd(A).session_leader(),
        process(11, 10, "bash").cwd("/home/dev").session_leader(),
        process(9999, 11, "swarmtop").cwd("/home/dev"),
        process(12, 10, "sleep 600").cwd(A),
    ]);
    let c = PlanContext { self_ancestry: vec![9999, 11, 10, 1], ..ctx() };
    assert_eq!(plan_with(&["name:sleep".parse().unwrap()], &mine(), &f, &c), Err(PlanError::NoAttempt));
    // Its own cwd does not matter either: the caller is its parent.
    let f = forest_of(vec![
        process(11, 1, "bash").cwd("/home/dev").session_leader(),
        process(9999, 11, "swarmtop").cwd(A),
        process(12, 1, "sleep 600").cwd(A),
    ]);
    let c = PlanContext { self_ancestry: vec![9999, 11, 1], ..ctx() };
    assert_eq!(plan_with(&["name:sleep".parse().unwrap()], &mine(), &f, &c), Err(PlanError::NoAttempt));
}

#[test]
fn orphans_under_mine_are_the_attempts_own() {
    let mut all = procs();
    all.push(process(26, 1, "node leaked.js").cwd(A));
    all.push(process(33, 1, "node leaked-b.js").cwd(B));
    all.push(process(80, 1, "node leaked-beta.js").cwd("/src/beta"));
    let f = forest_of(all);
    assert_eq!(pids(&mine_plan("orphans", &f).unwrap()), [26]);
    assert_eq!(pids(&mine_plan("orphans:alpha", &f).unwrap()), [26]);
    assert_eq!(
        refusal("orphans:beta", &f),
        format!("orphans:beta is outside your attempt {ATTEMPT_A}: your attempt is in project:alpha")
    );
    let without = plan_with(&["orphans".parse().unwrap()], &Narrowing::default(), &f, &ctx()).unwrap();
    assert_eq!(pids(&without), [26, 33, 80]);
}

#[test]
fn a_session_is_refused_when_its_agent_lives_elsewhere_and_skips_what_it_started_elsewhere() {
    let mut all = procs();
    all.push(process(34, 30, "bash -lc make").cwd(B).env("CODEX_THREAD_ID", "t-b"));
    all.push(process(27, 40, "bash -lc test").cwd(A).session_leader().env("CODEX_THREAD_ID", "t-a"));
    all.push(process(28, 40, "bash -lc other").cwd(B).session_leader().env("CODEX_THREAD_ID", "t-a"));
    let f = forest_of(all);
    let e = refusal("session:t-b", &f);
    assert_eq!(e, format!("session:t-b is outside your attempt {ATTEMPT_A}: pid 34 is in {ATTEMPT_B}"));
    let p = mine_plan("session:t-a", &f).unwrap();
    assert_eq!(pids(&p), [27], "the thread's command in A, under the shared daemon");
    assert_eq!(skipped(&p), [(28, SkipReason::OutsideMine(format!("in {ATTEMPT_B}")))]);
}

#[test]
fn a_newborn_placed_outside_the_attempt_never_joins_a_mine_kill() {
    let f = forest_of(procs());
    let p = mine_plan("tree:22", &f).unwrap();
    let mut after = procs();
    after.push(process(70, 22, "child-in-a").cwd(A).started(p.born_after + 1));
    after.push(process(71, 22, "child-in-b").cwd(B).started(p.born_after + 1));
    let s = rescope(&p, &forest_of(after), &ctx());
    let adoptable: Vec<(u32, bool)> = s.members.iter().map(|m| (m.entry.key.pid(), m.adoptable())).collect();
    assert_eq!(adoptable, [(22, false), (70, true), (71, false)]);
    assert!(s.groups.iter().all(|&g| g != 22), "a group with a member in B is never signalled whole");
}

#[test]
fn refusals_name_the_callers_attempt_even_for_a_target_it_does_not_know() {
    let f = forest_of(procs());
    assert!(matches!(mine_plan("pid:4242", &f), Err(PlanError::UnknownTarget { .. })));
    assert!(matches!(mine_plan("orphans:nosuch", &f), Err(PlanError::UnknownTarget { .. })));
    assert_eq!(mine_plan("name:nosuch", &f), Err(PlanError::Empty(NodeId::Name("nosuch".into()))));
}

/// `procs()` plus, in one session: a codex in A that started `sh -c "cd B && cargo run"`
/// (both in B by their cwd) running the MCP server (9999).
fn wrapped() -> Forest {
    let mut p = procs();
    let in_session = |p: Process| {
        let mut p = p;
        (p.sid, p.pgid) = (80, 80);
        p
    };
    p.extend([
        process(80, 10, "codex").cwd(A).session_leader(),
        in_session(process(81, 80, "sh -c cd B && cargo run").cwd(B)),
        in_session(process(82, 81, "cargo run").cwd(B)),
        in_session(process(9999, 82, "swarmtop-mcp").cwd(B)),
    ]);
    forest_of(p)
}

#[test]
fn a_chain_to_the_agent_that_crosses_attempts_is_refused() {
    // Which attempt is the caller's is ambiguous, so there is none.
    let f = wrapped();
    let c = PlanContext { self_ancestry: vec![9999, 82, 81, 80, 10, 1], ..ctx() };
    match plan_with(&["name:node".parse().unwrap()], &mine(), &f, &c) {
        Err(e @ PlanError::MineCrosses { pid: 80, .. }) => {
            let PlanError::MineCrosses { mine, other, .. } = &e else { unreachable!() };
            assert_eq!((mine.as_str(), other.as_str()), (ATTEMPT_B, ATTEMPT_A));
            assert!(e.to_string().contains("between it and its agent"), "{e}");
        }
        other => panic!("expected MineCrosses, got {other:?}"),
    }
}

#[test]
fn the_chain_ends_at_the_agent_a_new_session_a_shared_service_or_outside() {
    let f = wrapped();
    let mine_of = |ancestry: Vec<u32>| {
        let c = PlanContext { self_ancestry: ancestry, ..ctx() };
        plan_with(&["name:sleep".parse().unwrap()], &mine(), &f, &c)
            .map(|p| p.mine.map(|m| m.attempt.to_string()))
    };
    // The agent as the parent: its own parents do not matter.
    assert_eq!(mine_of(vec![9999, 80, 10, 1]), Ok(Some(ATTEMPT_A.to_string())));
    // The usual case: a tool shell in a session of its own under the agent, a tmux above.
    assert_eq!(mine_of(vec![9999, 21, 20, 10, 1]), Ok(Some(ATTEMPT_A.to_string())));
    // A shell in B of a session of its own (a terminal, a test harness) under the wrapper
    // chain: its session starts the chain.
    let mut p = procs();
    p.extend([
        process(80, 10, "codex").cwd(A).session_leader(),
        process(83, 80, "bash").cwd(B).session_leader(),
        process(84, 40, "bash").cwd(A),
    ]);
    let f = forest_of(p);
    let mine_of = |ancestry: Vec<u32>| {
        let c = PlanContext { self_ancestry: ancestry, ..ctx() };
        plan_with(&["name:sleep".parse().unwrap()], &mine(), &f, &c)
            .map(|p| p.mine.map(|m| m.attempt.to_string()))
    };
    assert_eq!(mine_of(vec![9999, 83, 80, 10, 1]), Ok(Some(ATTEMPT_B.to_string())));
    // Under the shared Codex daemon: never a crossing.
    assert!(!matches!(mine_of(vec![9999, 84, 40, 1]), Err(PlanError::MineCrosses { .. })));
}
