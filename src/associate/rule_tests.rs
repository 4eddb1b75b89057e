//! Agents, shared services, the registry, environment tags and layouts, with the real
//! process shapes of the agents and orchestrators as literal snapshots.

use super::*;
use crate::model::agent::AgentKind;
use crate::model::fixture::{ProcessExt, linked_worktree, main_worktree, process, snapshot};
use crate::model::{AssignedBy, ClaudeSession, Forest, ProcNode};

const WT1: &str = "/wt/1a2b-add-login/alpha";
const WT2: &str = "/wt/3c4d-add-login/alpha";

fn forest_of(processes: Vec<crate::model::Process>) -> Forest {
    forest_with_sessions(processes, Vec::new())
}

fn forest_with_sessions(processes: Vec<crate::model::Process>, sessions: Vec<ClaudeSession>) -> Forest {
    let mut snap = snapshot(
        processes,
        vec![
            main_worktree("/src/alpha", "main"),
            linked_worktree(WT1, "/src/alpha", "vk/1a2b-add-login"),
            linked_worktree(WT2, "/src/alpha", "vk/3c4d-add-login"),
        ],
    );
    snap.claude_sessions = sessions.into();
    associate(&snap, &Options::default())
}

fn attempt_of(f: &Forest, pid: u32) -> Option<String> {
    f.attempts().find_map(|(_, _, a)| {
        let mut found = false;
        a.processes.iter().for_each(|r| r.walk(&mut |n| found |= n.process.pid() == pid));
        found.then(|| a.id.to_string())
    })
}

fn node(f: &Forest, pid: u32) -> ProcNode {
    f.find_process(|n| n.process.pid() == pid).cloned().unwrap_or_else(|| panic!("pid {pid} not in forest"))
}

fn claude(pid: u32, ppid: u32, cwd: &str) -> crate::model::Process {
    process(pid, ppid, "/home/u/.local/bin/claude").cwd(cwd)
}

#[test]
fn claude_tool_commands_in_their_own_sessions_stay_with_the_agent() {
    let f = forest_of(vec![
        claude(100, 90, WT1),
        process(101, 100, "bash -c cd /tmp && make").cwd("/tmp").session_leader(),
        process(102, 101, "make").cwd("/tmp"),
        process(103, 100, "rg --files").cwd(WT1),
    ]);
    for pid in [100, 101, 102, 103] {
        assert_eq!(attempt_of(&f, pid).as_deref(), Some("attempt:alpha/add-login/1a2b"), "pid {pid}");
    }
    assert_eq!(node(&f, 100).agent.clone().map(|a| a.kind), Some(AgentKind::Claude));
    assert!(node(&f, 103).agent.is_none(), "claude's embedded ripgrep is no agent");
    let a = f.attempts().next().unwrap().2;
    assert_eq!(a.agent, Some(AgentKind::Claude));
}

#[test]
fn a_non_agent_placed_by_cwd_still_does_not_swallow_new_sessions() {
    let f = forest_of(vec![
        process(100, 1, "tmux").cwd(WT1).session_leader(),
        process(101, 100, "bash").cwd("/home/u").session_leader(),
    ]);
    assert_eq!(attempt_of(&f, 101), None);
}

#[test]
fn codex_launcher_and_native_binary_are_one_agent_and_its_daemon_is_shared() {
    let f = forest_of(vec![
        process(200, 90, "node /usr/lib/node_modules/@openai/codex/bin/codex").cwd(WT2),
        process(201, 200, "/usr/lib/node_modules/@openai/codex-linux-x64/vendor/x86_64/codex/codex").cwd(WT2),
        process(
            210,
            1,
            "/h/.codex/packages/app-server-daemon/bin/codex app-server --listen unix:// --managed-daemon",
        )
        .cwd(WT2)
        .session_leader(),
        process(211, 210, "/h/.codex/bin/codex app-server daemon pid-update-loop").cwd(WT2),
        process(212, 210, "bash -lc cargo test").cwd(WT1).session_leader(),
        process(213, 210, "bash -lc ls").cwd("/tmp").session_leader(),
    ]);
    assert_eq!(node(&f, 200).agent.clone().map(|a| a.kind), Some(AgentKind::Codex));
    assert!(node(&f, 201).agent.is_none(), "the native codex is the launcher's agent, counted once");
    assert_eq!(attempt_of(&f, 201).as_deref(), Some("attempt:alpha/add-login/3c4d"));
    let shared: Vec<u32> = f.shared.iter().map(|n| n.process.pid()).collect();
    assert_eq!(shared, [210], "the daemon is a shared service, not in the attempt whose cwd it has");
    assert_eq!(f.shared[0].children[0].process.pid(), 211);
    assert_eq!(attempt_of(&f, 210), None);
    assert_eq!(
        attempt_of(&f, 212).as_deref(),
        Some("attempt:alpha/add-login/1a2b"),
        "tools by their own cwd"
    );
    assert_eq!(attempt_of(&f, 213), None, "never inherited from the daemon");
    // An attempt kill never takes the shared daemon (whose cwd is in that attempt).
    let ctx = crate::kill::plan::PlanContext { uid: 0, ..Default::default() };
    let target: crate::model::NodeId = "attempt:alpha/add-login/3c4d".parse().unwrap();
    let plan = crate::kill::plan::plan(&[target], &f, &ctx).unwrap();
    let pids: Vec<u32> = plan.entries.iter().map(|e| e.key.pid()).collect();
    assert_eq!(pids, [200, 201]);
}

#[test]
fn swarmtop_tags_beat_cwd_and_join_the_repository_of_that_name() {
    let f = forest_of(vec![
        process(300, 1, "worker")
            .cwd(WT1)
            .env("SWARMTOP_PROJECT", "alpha")
            .env("SWARMTOP_TASK", "nightly")
            .env("SWARMTOP_ATTEMPT", "run-7"),
        process(301, 300, "child").cwd("/tmp").session_leader(),
        process(302, 1, "lonely").cwd("/tmp").env("SWARMTOP_PROJECT", "zeta").env("SWARMTOP_TASK", "t"),
    ]);
    assert_eq!(attempt_of(&f, 300).as_deref(), Some("attempt:alpha/nightly/run-7"));
    assert_eq!(node(&f, 300).assigned_by, Some(AssignedBy::Env));
    assert_eq!(
        attempt_of(&f, 301).as_deref(),
        Some("attempt:alpha/nightly/run-7"),
        "tags are a strong anchor"
    );
    let alpha = f.projects.iter().find(|p| p.name == "alpha").unwrap();
    assert_eq!(alpha.path, std::path::Path::new("/src/alpha"));
    let (_, _, a) = f.attempts().find(|(_, _, a)| a.id.as_str() == "attempt:alpha/nightly/run-7").unwrap();
    assert_eq!(a.source.as_str(), "env");
    assert_eq!(attempt_of(&f, 302).as_deref(), Some("attempt:zeta/t/env"));
}

#[test]
fn vibe_kanban_branch_tag_places_by_worktree_branch() {
    let f = forest_of(vec![
        process(400, 1, "npm run dev").cwd("/tmp").env("VK_WORKSPACE_BRANCH", "vk/3c4d-add-login"),
    ]);
    assert_eq!(attempt_of(&f, 400).as_deref(), Some("attempt:alpha/add-login/3c4d"));
    let unknown =
        forest_of(vec![process(401, 1, "x").cwd("/tmp").env("VK_WORKSPACE_BRANCH", "vk/ffff-gone")]);
    assert_eq!(attempt_of(&unknown, 401), None);
}

#[test]
fn orphaned_claude_tools_follow_claude_pid_and_are_marked_orphan() {
    let f = forest_of(vec![
        claude(100, 90, WT1),
        process(500, 1, "node vite")
            .cwd(WT2)
            .session_leader()
            .env("CLAUDECODE", "1")
            .env("CLAUDE_PID", "100"),
        process(501, 1, "sleep 99").cwd("/tmp").session_leader().env("CLAUDE_PID", "4242"),
        process(502, 1, "sleep 98").cwd("/tmp").env("CLAUDE_PID", "90"),
        process(90, 1, "tmux").cwd(WT1),
    ]);
    assert_eq!(attempt_of(&f, 500).as_deref(), Some("attempt:alpha/add-login/1a2b"), "env beats its own cwd");
    assert_eq!(node(&f, 500).assigned_by, Some(AssignedBy::Env));
    assert!(node(&f, 500).orphan);
    assert_eq!(attempt_of(&f, 501), None, "a gone claude places nothing");
    assert_eq!(attempt_of(&f, 502), None, "CLAUDE_PID naming a non-claude is ignored");
}

#[test]
fn claude_sessions_link_only_when_proc_start_matches() {
    let session = |pid: u32, start: u64| ClaudeSession {
        pid,
        session_id: format!("s-{pid}"),
        proc_start: Some(start),
        name: Some("fix login".into()),
        status: Some("busy".into()),
        ..ClaudeSession::default()
    };
    let f = forest_with_sessions(
        vec![
            claude(100, 90, WT1),
            claude(110, 90, WT2),
            process(120, 1, "sleep").cwd("/tmp").env("CLAUDE_CODE_SESSION_ID", "s-100"),
        ],
        vec![session(100, 1000), session(110, 7)],
    );
    let a = node(&f, 100).agent.clone().unwrap();
    assert_eq!((a.session_id.as_deref(), a.status.as_deref()), (Some("s-100"), Some("busy")));
    assert!(
        node(&f, 110).agent.clone().unwrap().session_id.is_none(),
        "a stale file (other procStart) is ignored"
    );
    assert_eq!(
        attempt_of(&f, 120).as_deref(),
        Some("attempt:alpha/add-login/1a2b"),
        "placed by its session id"
    );
}

#[test]
fn a_nested_agent_belongs_to_the_outer_attempt() {
    let f = forest_of(vec![process(600, 90, "node /x/codex/bin/codex").cwd(WT1), claude(601, 600, "/tmp")]);
    assert_eq!(attempt_of(&f, 601).as_deref(), Some("attempt:alpha/add-login/1a2b"));
    let (_, _, a) = f.attempts().next().unwrap();
    assert_eq!(a.agent, Some(AgentKind::Codex), "the attempt shows its outer agent");
}

#[test]
fn the_registry_beats_tags_and_cwd_and_places_the_child_too() {
    let wrapper = process(700, 1, "swarmtop run").cwd("/tmp");
    let child = process(701, 700, "make").cwd(WT1).env("SWARMTOP_PROJECT", "other").env("SWARMTOP_TASK", "x");
    let mut snap = snapshot(
        vec![wrapper, child, process(702, 701, "cc").cwd("/tmp").session_leader()],
        vec![linked_worktree(WT1, "/src/alpha", "vk/1a2b-add-login")],
    );
    snap.registry.push(crate::model::RegistryEntry {
        key: snap.processes[0].key,
        child: Some(snap.processes[1].key),
        project: "alpha".into(),
        task: "nightly".into(),
        attempt: "r1".into(),
        cwd: "/tmp".into(),
    });
    let f = associate(&snap, &Options::default());
    for pid in [700, 701, 702] {
        assert_eq!(attempt_of(&f, pid).as_deref(), Some("attempt:alpha/nightly/r1"), "pid {pid}");
    }
    assert_eq!(node(&f, 701).assigned_by, Some(AssignedBy::Registry));
    let (p, _, a) = f.attempts().next().unwrap();
    assert_eq!((p.path.to_str(), a.source.as_str()), (Some("/src/alpha"), "registry"));
    // A stale entry (another start time) places nothing.
    let mut stale = snap.clone();
    stale.registry[0].key = crate::model::ProcKey::new(700, 1).unwrap();
    stale.registry[0].child = None;
    let f = associate(&stale, &Options::default());
    assert_eq!(attempt_of(&f, 701).as_deref(), Some("attempt:other/x/env"));
}

#[test]
fn layout_patterns_place_by_cwd_before_git_worktrees() {
    let mut snap = snapshot(
        vec![
            process(800, 1, "runner").cwd("/srv/agents/alpha/fix-login/7/src").session_leader(),
            process(801, 800, "cc").cwd("/tmp"),
            process(802, 1, "vim").cwd(WT1),
        ],
        vec![linked_worktree(WT1, "/src/alpha", "vk/1a2b-add-login")],
    );
    snap.worktrees.push(linked_worktree("/srv/agents/alpha/fix-login/7", "/src/alpha", "whatever"));
    let options = Options {
        layouts: vec![
            crate::model::layout::LayoutPattern::parse("/srv/agents/{project}/{task}/{attempt}").unwrap(),
        ],
        ..Options::default()
    };
    let f = associate(&snap, &options);
    assert_eq!(attempt_of(&f, 800).as_deref(), Some("attempt:alpha/fix-login/7"));
    assert_eq!(attempt_of(&f, 801).as_deref(), Some("attempt:alpha/fix-login/7"));
    assert_eq!(node(&f, 800).assigned_by, Some(AssignedBy::Cwd));
    let (_, _, a) = f.attempts().find(|(_, _, a)| a.id.as_str() == "attempt:alpha/fix-login/7").unwrap();
    assert_eq!((a.source.as_str(), a.path.to_str()), ("layout", Some("/srv/agents/alpha/fix-login/7")));
    assert_eq!(
        attempt_of(&f, 802).as_deref(),
        Some("attempt:alpha/add-login/1a2b"),
        "git still places the rest"
    );
}

#[test]
fn orchestrator_records_place_their_processes_when_identity_matches() {
    use crate::model::{AttemptSource, ExternalSession};
    let record = |pid: u32, start: u64, worktree: Option<&str>, source: AttemptSource| ExternalSession {
        source,
        pid,
        comm: Some("ghostty".into()),
        start_epoch_secs: Some(start),
        worktree: worktree.map(Into::into),
        project: "alpha".into(),
        task: "fix".into(),
        attempt: "fix".into(),
        owner: None,
    };
    let mut snap = snapshot(
        vec![
            process(900, 1, "ghostty").cwd("/home/u").session_leader(),
            process(901, 1, "ghostty").cwd("/home/u").session_leader(),
            process(902, 1, "bun").cwd("/home/u").session_leader(),
        ],
        vec![linked_worktree(WT1, "/src/alpha", "kild/fix")],
    );
    // The fixture's boot time plus pid*10 ticks at 100 ticks a second.
    snap.external.push(record(900, 1_699_990_090, Some(WT1), AttemptSource::Kild));
    snap.external.push(record(901, 1_699_990_000, Some(WT1), AttemptSource::Kild)); // PID reused: start differs
    let mut kit = record(902, 1_699_990_091, None, AttemptSource::ScriptKit);
    kit.comm = None;
    kit.project = "script-kit".into();
    kit.task = "resize-images".into();
    kit.attempt = "902".into();
    snap.external.push(kit);
    let f = associate(&snap, &Options::default());
    assert_eq!(attempt_of(&f, 900).as_deref(), Some("attempt:alpha/fix/alpha"), "the worktree it recorded");
    assert_eq!(node(&f, 900).assigned_by, Some(AssignedBy::Registry));
    assert_eq!(attempt_of(&f, 901), None);
    assert_eq!(attempt_of(&f, 902).as_deref(), Some("attempt:script-kit/resize-images/902"));
    let (_, _, a) = f.attempts().find(|(_, _, a)| a.id.as_str().starts_with("attempt:script-kit")).unwrap();
    assert_eq!(a.source.as_str(), "script-kit");
}

#[test]
fn codex_tools_follow_their_thread_and_tasks_take_vibe_kanban_titles() {
    let mut snap = snapshot(
        vec![
            process(1000, 1, "bash -lc make").cwd("/tmp").session_leader().env("CODEX_THREAD_ID", "t-1"),
            process(1001, 1, "bash -lc ls").cwd("/tmp").session_leader().env("CODEX_THREAD_ID", "t-unknown"),
            process(1002, 1, "vim").cwd(WT2),
        ],
        vec![
            linked_worktree(WT1, "/src/alpha", "vk/1a2b-add-login"),
            linked_worktree(WT2, "/src/alpha", "vk/3c4d-add-login"),
        ],
    );
    snap.codex_threads.push(crate::model::NamedWorkspace {
        id: "t-1".into(),
        cwd: format!("{WT1}/src").into(),
        branch: Some("vk/1a2b-add-login".into()),
        ..Default::default()
    });
    snap.task_titles.push(crate::model::TaskTitle {
        branch: "vk/3c4d-add-login".into(),
        title: "Add a login page".into(),
        project: None,
        workspace_id: Some("01234567-89ab-cdef-0123-456789abcdef".into()),
    });
    snap.processes.push(
        process(1003, 1, "npm run dev")
            .cwd("/tmp")
            .env("VK_ATTEMPT_ID", "01234567-89AB-CDEF-0123-456789ABCDEF"),
    );
    snap.processes.push(process(1004, 1, "claude").cwd("/tmp").env("CRYSTAL_SESSION_ID", "c-9"));
    snap.crystal_sessions.push(crate::model::NamedWorkspace {
        id: "c-9".into(),
        cwd: WT2.into(),
        ..Default::default()
    });
    let f = associate(&snap, &Options::default());
    assert_eq!(attempt_of(&f, 1000).as_deref(), Some("attempt:alpha/add-login/1a2b"));
    assert_eq!(node(&f, 1000).assigned_by, Some(AssignedBy::Env));
    assert_eq!(attempt_of(&f, 1001), None, "an unknown thread falls back (to nothing here)");
    assert_eq!(attempt_of(&f, 1003).as_deref(), Some("attempt:alpha/add-login/3c4d"), "by workspace id");
    assert_eq!(attempt_of(&f, 1004).as_deref(), Some("attempt:alpha/add-login/3c4d"), "by Crystal session");
    let task = &f.projects[0].tasks[0];
    assert_eq!((task.id.as_str(), task.title.as_deref()), ("task:alpha/add-login", Some("Add a login page")));
}
