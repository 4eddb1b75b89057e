//! Filters, `--keep-agents`, `name:` and `session:` on literal forests, in the plan and
//! in the fresh samples a kill takes (newborns).

use std::time::Duration;

use super::*;
use crate::associate::{Options, associate};
use crate::kill::exec::{KillReport, Operation, Outcome, Sig};
use crate::kill::plan::{PlanContext, plan_with};
use crate::kill::scope::rescope;
use crate::model::fixture::{ProcessExt, linked_worktree, main_worktree, process, snapshot, swarm_snapshot};
use crate::model::{ClaudeSession, NodeId, Process};

const MIB: u64 = 1024 * 1024;
const A: &str = "/wt/a/alpha";

fn forest_of(procs: Vec<Process>) -> Forest {
    let worktrees = vec![main_worktree("/src/alpha", "main"), linked_worktree(A, "/src/alpha", "feat-a")];
    associate(&snapshot(procs, worktrees), &Options::default())
}

fn ctx() -> PlanContext {
    PlanContext { self_ancestry: vec![9999], uid: 1000, protect: vec![] }
}

fn plan_of(target: &str, narrowing: &Narrowing, forest: &Forest) -> KillPlan {
    plan_with(&[target.parse().unwrap()], narrowing, forest, &ctx()).unwrap()
}

fn pids(plan: &KillPlan) -> Vec<u32> {
    plan.entries.iter().map(|e| e.key.pid()).collect()
}

fn spared(plan: &KillPlan) -> Vec<(u32, String)> {
    plan.skipped.iter().map(|s| (s.entry.key.pid(), s.reason.to_string())).collect()
}

#[test]
fn filters_spare_what_is_below_them_and_say_why() {
    let f = associate(&swarm_snapshot(), &Options::default());
    let rss = Narrowing { min_rss_bytes: Some(500 * MIB), ..Narrowing::default() };
    let p = plan_of("task:alpha/add-login", &rss, &f);
    assert_eq!(pids(&p), [101, 102], "cargo test (1200M) and rustc (800M)");
    assert!(spared(&p).contains(&(103, "memory 420M under --min-rss 500M".to_string())), "{:?}", spared(&p));
    assert!(p.skipped.iter().all(|s| s.reason.is_chosen()));
    let cpu = Narrowing { min_cpu_percent: Some(10.0), ..Narrowing::default() };
    assert_eq!(pids(&plan_of("task:alpha/add-login", &cpu, &f)), [100, 101, 102]);
    let both =
        Narrowing { min_cpu_percent: Some(10.0), min_rss_bytes: Some(500 * MIB), ..Narrowing::default() };
    let p = plan_of("task:alpha/add-login", &both, &f);
    assert_eq!(pids(&p), [101, 102]);
    assert!(spared(&p).contains(&(100, "memory 310M under --min-rss 500M".to_string())));
    assert!(
        spared(&p).contains(&(110, "memory 150M under --min-rss 500M".to_string())),
        "the first filter it fails"
    );
    let p = plan_of("task:alpha/add-login", &cpu, &f);
    assert!(spared(&p).contains(&(103, "CPU 0.5% under --min-cpu 10.0%".to_string())), "{:?}", spared(&p));
}

#[test]
fn older_than_measures_age_from_the_samples_clock() {
    // The fixture box has been up 10,000 s (1,000,000 ticks at 100 per second).
    let f = forest_of(vec![
        process(10, 1, "old").cwd(A).started(100),
        process(11, 1, "nine-minutes").cwd(A).started(1_000_000 - 540 * 100),
        process(12, 1, "eleven-minutes").cwd(A).started(1_000_000 - 660 * 100),
    ]);
    let ten = Narrowing { older_than: Some(Duration::from_secs(600)), ..Narrowing::default() };
    let p = plan_of("attempt:alpha/feat-a/alpha", &ten, &f);
    assert_eq!(pids(&p), [10, 12]);
    assert_eq!(spared(&p), [(11, "younger than --older-than 10m (age 9m)".to_string())]);
}

#[test]
fn a_newborn_never_joins_a_filtered_kill() {
    let f = forest_of(vec![process(10, 1, "server").cwd(A).mem(900 * MIB)]);
    for narrowing in [
        Narrowing { older_than: Some(Duration::from_secs(1)), ..Narrowing::default() },
        Narrowing { min_rss_bytes: Some(MIB), ..Narrowing::default() },
        Narrowing { min_cpu_percent: Some(0.0), ..Narrowing::default() },
    ] {
        let p = plan_of("attempt:alpha/feat-a/alpha", &narrowing, &f);
        assert_eq!(pids(&p), [10]);
        // A big, busy child born after the plan: it would pass every filter, yet was
        // never shown.
        let after = forest_of(vec![
            process(10, 1, "server").cwd(A).mem(900 * MIB),
            process(11, 10, "worker").cwd(A).mem(900 * MIB).cpu(99.0).started(p.born_after + 1),
        ]);
        let s = rescope(&p, &after, &ctx());
        let born = s.members.iter().find(|m| m.entry.key.pid() == 11).unwrap();
        assert!(born.newborn && !born.adoptable(), "{narrowing:?}");
        assert_eq!(born.skip, Some(SkipReason::Spared(Spared::BornAfterFilteredPlan)));
    }
    let unfiltered = plan_of("attempt:alpha/feat-a/alpha", &Narrowing::default(), &f);
    let after = forest_of(vec![
        process(10, 1, "server").cwd(A),
        process(11, 10, "worker").cwd(A).started(unfiltered.born_after + 1),
    ]);
    assert!(rescope(&unfiltered, &after, &ctx()).members[1].adoptable(), "the same newborn, unfiltered");
}

fn agents_forest() -> Forest {
    forest_of(vec![
        process(10, 1, "tmux").cwd("/home/dev").session_leader(),
        // `swarmtop run` forwards signals to its command: killing it would end claude.
        process(20, 10, "swarmtop run --project alpha -- claude").cwd(A).session_leader(),
        process(21, 20, "/home/dev/.local/bin/claude").cwd(A),
        process(22, 21, "bash -c npm run dev").cwd(A).session_leader(),
        process(23, 22, "node vite").cwd(A),
        // Codex's node launcher and its native binary are one agent; its tool command is not.
        process(30, 21, "node /usr/lib/node_modules/@openai/codex/bin/codex").cwd(A),
        process(31, 30, "/usr/lib/node_modules/@openai/codex-linux-x64/vendor/x86_64/codex/codex").cwd(A),
        process(32, 31, "bash -lc cargo test").cwd(A),
        process(40, 1, "node leaked.js").cwd(A),
    ])
}

#[test]
fn keep_agents_spares_agents_their_launchers_and_ancestors_and_stops_the_rest() {
    let f = agents_forest();
    let keep = Narrowing { keep_agents: true, ..Narrowing::default() };
    let p = plan_of("attempt:alpha/feat-a/alpha", &keep, &f);
    assert_eq!(pids(&p), [40, 22, 23, 32]);
    assert_eq!(
        spared(&p),
        [
            (20, "ancestor of a kept agent, kept".to_string()),
            (21, "agent, kept".to_string()),
            (30, "agent, kept".to_string()),
            (31, "agent, kept".to_string()),
        ]
    );
    let everything = plan_of("attempt:alpha/feat-a/alpha", &Narrowing::default(), &f);
    assert_eq!(everything.entries.len(), 8);
}

#[test]
fn a_kept_agents_new_command_is_not_adopted_but_a_killed_processs_child_is() {
    let f = agents_forest();
    let keep = Narrowing { keep_agents: true, ..Narrowing::default() };
    let p = plan_of("attempt:alpha/feat-a/alpha", &keep, &f);
    let born = p.born_after + 1;
    let mut after = vec![
        process(10, 1, "tmux").cwd("/home/dev").session_leader(),
        process(20, 10, "swarmtop run --project alpha -- claude").cwd(A).session_leader(),
        process(21, 20, "/home/dev/.local/bin/claude").cwd(A),
        process(22, 21, "bash -c npm run dev").cwd(A).session_leader(),
    ];
    after.push(process(50, 21, "bash -c git status").cwd(A).started(born));
    after.push(process(51, 50, "git status").cwd(A).started(born));
    after.push(process(52, 22, "node vite --port 5174").cwd(A).started(born));
    after.push(process(53, 21, "/home/dev/.local/bin/claude --subagent").cwd(A).started(born));
    let s = rescope(&p, &forest_of(after), &ctx());
    let adoptable: Vec<(u32, bool)> =
        s.members.iter().filter(|m| m.newborn).map(|m| (m.entry.key.pid(), m.adoptable())).collect();
    assert_eq!(adoptable, [(50, false), (53, false), (51, false), (52, true)]);
    let reason = |pid: u32| s.members.iter().find(|m| m.entry.key.pid() == pid).unwrap().skip.clone();
    assert_eq!(reason(50), Some(SkipReason::Spared(Spared::StartedByKept)));
    assert_eq!(reason(51), Some(SkipReason::Spared(Spared::StartedByKept)), "through a newborn parent");
    assert_eq!(reason(53), Some(SkipReason::Spared(Spared::Agent)));
}

#[test]
fn a_name_is_a_glob_on_the_name_or_argv0s_basename_only() {
    let f = forest_of(vec![
        process(10, 1, "/usr/bin/node server.js").cwd(A),
        process(11, 1, "vim node.txt").cwd(A),
        process(12, 1, "tail -f /var/log/node").cwd(A),
        process(13, 1, "nodemon app.js").cwd(A),
        process(14, 1, "bash -c node").cwd(A),
        process(15, 1, "vite").cwd(A),
    ]);
    let n = Narrowing::default();
    assert_eq!(pids(&plan_of("name:node", &n, &f)), [10]);
    assert_eq!(pids(&plan_of("name:node*", &n, &f)), [10, 13]);
    assert_eq!(pids(&plan_of("name:vi?e", &n, &f)), [15]);
    assert_eq!(pids(&plan_of("name:[nv]i*", &n, &f)), [11, 15]);
    // comm may differ from argv[0] (a renamed thread, an `exec -a`): either matches.
    let mut renamed = process(16, 1, "python3 -m http.server").cwd(A);
    std::sync::Arc::make_mut(&mut renamed.facts).name = "webserver".into();
    let f = forest_of(vec![renamed]);
    assert_eq!(pids(&plan_of("name:webserver", &n, &f)), [16]);
    assert_eq!(pids(&plan_of("name:python3", &n, &f)), [16]);
    assert!(plan_with(&["name:http.server".parse().unwrap()], &n, &f, &ctx()).is_err());
}

#[test]
fn a_name_never_takes_a_newborn() {
    let f = forest_of(vec![process(10, 1, "node a.js").cwd(A)]);
    let p = plan_of("name:node", &Narrowing::default(), &f);
    let after = forest_of(vec![
        process(10, 1, "node a.js").cwd(A),
        process(11, 10, "node b.js").cwd(A).started(p.born_after + 1),
        process(12, 1, "node c.js").cwd(A).started(p.born_after + 1),
    ]);
    let members: Vec<u32> = rescope(&p, &after, &ctx()).members.iter().map(|m| m.entry.key.pid()).collect();
    assert_eq!(members, [10]);
}

#[test]
fn a_session_is_its_agent_with_its_tree_and_what_carries_its_id() {
    let mut snap = snapshot(
        vec![
            process(10, 1, "/home/dev/.local/bin/claude").cwd(A),
            process(11, 10, "bash -c make").cwd(A).env("CLAUDE_CODE_SESSION_ID", "s-1"),
            process(12, 11, "make").cwd(A).env("CLAUDE_CODE_SESSION_ID", "s-1"),
            // Orphaned by a hang-up: still the session's.
            process(13, 1, "node dev.js").cwd(A).env("CLAUDE_CODE_SESSION_ID", "s-1"),
            process(20, 1, "/home/dev/.local/bin/claude").cwd(A),
            process(21, 20, "sleep 600").cwd(A).env("CLAUDE_CODE_SESSION_ID", "s-2"),
        ],
        vec![main_worktree("/src/alpha", "main"), linked_worktree(A, "/src/alpha", "feat-a")],
    );
    let session = |pid: u32, id: &str| ClaudeSession {
        pid,
        session_id: id.into(),
        proc_start: Some(u64::from(pid) * 10),
        name: None,
        status: None,
        ..ClaudeSession::default()
    };
    snap.claude_sessions = vec![session(10, "s-1"), session(20, "s-2")].into();
    let f = associate(&snap, &Options::default());
    let p = plan_of("session:s-1", &Narrowing::default(), &f);
    assert_eq!(pids(&p), [10, 13, 11, 12]);
    assert!(matches!(p.resolved[0], crate::kill::plan::Resolved::Tree(_)), "with its tree: newborns too");
    assert!(matches!(
        plan_with(&["session:nope".parse().unwrap()], &Narrowing::default(), &f, &ctx()),
        Err(crate::kill::plan::PlanError::UnknownTarget { .. })
    ));
}

#[test]
fn a_choice_to_spare_is_not_a_failure_but_a_rule_that_refuses_is() {
    let f = agents_forest();
    let keep = Narrowing { keep_agents: true, ..Narrowing::default() };
    let p = plan_of("attempt:alpha/feat-a/alpha", &keep, &f);
    let mut report = KillReport::new(Operation::Kill { signal: Sig::Term, grace_secs: 5 });
    report.outcomes = p.entries.iter().map(|e| (e.clone(), Outcome::Exited)).collect();
    report.outcomes.extend(p.skipped.iter().map(|s| (s.entry.clone(), Outcome::Skipped(s.reason.clone()))));
    assert_eq!(report.exit_code(), 0);
    report.outcomes[0].1 = Outcome::Skipped(SkipReason::OutsideMine("in attempt:x/y/z".into()));
    assert_eq!(report.exit_code(), 1);
    report.outcomes[0].1 = Outcome::Skipped(SkipReason::SelfOrAncestor);
    assert_eq!(report.exit_code(), 1);
}

#[test]
fn targets_parse_and_name_their_kind() {
    assert_eq!("name:vite*".parse::<NodeId>(), Ok(NodeId::Name("vite*".into())));
    assert!("name:bin/node".parse::<NodeId>().unwrap_err().reason.contains("no '/'"));
}
