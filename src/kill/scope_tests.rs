use super::*;
use crate::associate::{Options, associate};
use crate::kill::plan::plan;
use crate::model::fixture::{ProcessExt, linked_worktree, main_worktree, process, snapshot};
use crate::model::{NodeId, Process};

fn forest(procs: Vec<Process>) -> Forest {
    let worktrees = vec![
        main_worktree("/src/alpha", "main"),
        linked_worktree("/wt/a/alpha", "/src/alpha", "feat-a"),
        linked_worktree("/wt/b/alpha", "/src/alpha", "feat-b"),
    ];
    associate(&snapshot(procs, worktrees), &Options::default())
}

fn ctx() -> PlanContext {
    PlanContext { self_ancestry: vec![9999], uid: 1000, protect: vec!["sshd".into()] }
}

fn attempt(f: &Forest, path: &str) -> NodeId {
    f.attempts().find(|(_, _, a)| a.path.to_str() == Some(path)).unwrap().2.id.clone().into()
}

#[test]
fn only_processes_started_after_every_planned_one_are_newborn() {
    let before = forest(vec![process(10, 1, "agent").cwd("/wt/a/alpha")]);
    let p = plan(&[attempt(&before, "/wt/a/alpha")], &before, &ctx()).unwrap();
    let after = forest(vec![
        process(10, 1, "agent").cwd("/wt/a/alpha"),
        // Started before the plan's newest process: it existed, the plan did not have it.
        process(11, 10, "old").cwd("/wt/a/alpha").started(5),
        process(12, 10, "new").cwd("/wt/a/alpha").started(p.born_after + 1),
    ]);
    let s = rescope(&p, &after, &ctx());
    let flags: Vec<(u32, bool, bool)> =
        s.members.iter().map(|m| (m.entry.key.pid(), m.planned, m.newborn)).collect();
    assert_eq!(flags, [(10, true, false), (11, false, false), (12, false, true)]);
}

#[test]
fn a_tree_whose_root_pid_was_reused_covers_nothing() {
    let before = forest(vec![process(10, 1, "agent").cwd("/tmp")]);
    let p = plan(&[NodeId::Tree(10)], &before, &ctx()).unwrap();
    let after = forest(vec![
        process(10, 1, "stranger").cwd("/tmp").started(p.born_after + 1),
        process(11, 10, "stranger-child").cwd("/tmp").started(p.born_after + 2),
    ]);
    assert!(rescope(&p, &after, &ctx()).members.is_empty());
}

#[test]
fn an_attempt_id_that_now_names_another_path_covers_nothing() {
    let before = forest(vec![process(10, 1, "agent").cwd("/wt/a/alpha")]);
    let target = attempt(&before, "/wt/a/alpha");
    let mut p = plan(&[target], &before, &ctx()).unwrap();
    // Pretend the id was handed to the other worktree.
    if let Resolved::Attempts(list) = &mut p.resolved[0] {
        list[0].1 = "/wt/elsewhere".into();
    }
    let after = forest(vec![process(10, 1, "agent").cwd("/wt/a/alpha")]);
    assert!(rescope(&p, &after, &ctx()).members.is_empty());
}

#[test]
fn groups_are_safe_only_when_every_member_is_in_the_scope() {
    let mut in_b = process(21, 20, "b").cwd("/wt/b/alpha");
    in_b.pgid = 20;
    let mut own = process(31, 30, "a2").cwd("/wt/a/alpha");
    own.pgid = 30;
    let f = forest(vec![
        process(20, 1, "a").cwd("/wt/a/alpha").session_leader(),
        in_b,
        process(30, 1, "a-leader").cwd("/wt/a/alpha").session_leader(),
        own,
    ]);
    let p = plan(&[attempt(&f, "/wt/a/alpha")], &f, &ctx()).unwrap();
    assert_eq!(rescope(&p, &f, &ctx()).groups, [30]);
}

#[test]
fn the_callers_group_is_never_safe() {
    let mut me = process(9999, 40, "swarmtop").cwd("/wt/a/alpha");
    me.pgid = 40;
    let f = forest(vec![process(40, 1, "shell").cwd("/wt/a/alpha").session_leader(), me]);
    let c = PlanContext { self_ancestry: vec![9999, 40], ..ctx() };
    let p = plan(&[attempt(&f, "/wt/a/alpha")], &f, &c).unwrap();
    assert!(rescope(&p, &f, &c).groups.is_empty());
}

#[test]
fn a_hundred_thousand_deep_tree_resolves_without_recursion() {
    let procs: Vec<Process> = (0..100_000u32).map(|i| process(100 + i, 99 + i, "link").cwd("/tmp")).collect();
    let mut f = Forest::default();
    // Flat on purpose: the planner's own walk over ppids is what is tested here.
    for p in procs {
        f.unassigned.push(crate::model::ProcNode {
            process: p,
            orphan: false,
            assigned_by: None,
            agent: None,
            children: Vec::new(),
            rollup: Default::default(),
        });
    }
    let result = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || plan(&[NodeId::Tree(100)], &f, &ctx()).map(|p| p.entries.len() + p.skipped.len()))
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(result, Ok(100_000));
}

#[test]
fn a_process_born_in_the_plans_last_tick_is_newborn_unless_the_plan_saw_it() {
    // 20 is the newest process the plan saw (tick 200); it sits in attempt b.
    let before = forest(vec![
        process(10, 1, "agent").cwd("/wt/a/alpha").started(100),
        process(20, 1, "in-b").cwd("/wt/b/alpha").started(200),
    ]);
    let p = plan(&[attempt(&before, "/wt/a/alpha")], &before, &ctx()).unwrap();
    assert_eq!(p.born_after, 200);
    let after = forest(vec![
        process(10, 1, "agent").cwd("/wt/a/alpha").started(100),
        // Moved into attempt a since: seen by the plan, so never taken on.
        process(20, 1, "in-b").cwd("/wt/a/alpha").started(200),
        // Born in the same 10 ms tick, after the plan's sample.
        process(30, 10, "child").cwd("/wt/a/alpha").started(200),
    ]);
    let flags: Vec<(u32, bool)> =
        rescope(&p, &after, &ctx()).members.iter().map(|m| (m.entry.key.pid(), m.newborn)).collect();
    assert_eq!(flags, [(10, false), (20, false), (30, true)]);
}
