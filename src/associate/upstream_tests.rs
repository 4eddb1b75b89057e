//! Placement of the agents and orchestrators as they are today (each shape cites where it
//! was seen): exact attempt, agent kind and shared-service status.

use super::*;
use crate::model::agent::AgentKind;
use crate::model::fixture::{ProcessExt, linked_worktree, process, snapshot};
use crate::model::{
    AttemptSource, ClaudeJob, ClaudeSession, ExternalSession, Forest, NamedWorkspace, Process, RecordedStart,
    ServiceRecord, Snapshot, Worktree,
};

const CC: &str = "/home/u/.npm/lib/node_modules/@anthropic-ai/claude-code/bin/claude.exe";

fn attempt_of(f: &Forest, pid: u32) -> Option<String> {
    f.attempts().find_map(|(_, _, a)| {
        let mut found = false;
        a.processes.iter().for_each(|r| r.walk(&mut |n| found |= n.process.pid() == pid));
        found.then(|| a.id.to_string())
    })
}

fn shared(f: &Forest) -> Vec<u32> {
    let mut pids = Vec::new();
    f.shared.iter().for_each(|r| r.walk(&mut |n| pids.push(n.process.pid())));
    pids.sort_unstable();
    pids
}

fn source_of(f: &Forest, id: &str) -> String {
    f.attempts()
        .find(|(_, _, a)| a.id.as_str() == id)
        .map(|(_, _, a)| a.source.as_str().to_string())
        .unwrap_or_default()
}

fn wt(path: &str, project: &str, branch: Option<&str>, source: AttemptSource) -> Worktree {
    Worktree { branch: branch.map(str::to_string), source, ..linked_worktree(path, project, "x") }
}

fn forest(snap: &Snapshot) -> Forest {
    associate(snap, &Options::default())
}

/// `claude --bg "say hi"` with Claude Code 2.1.197 (run here): the supervisor and each
/// job's pty host are shared services; the job's worker is an agent of its own cwd's
/// attempt, with its job's state.
#[test]
fn claudes_background_jobs_belong_to_their_cwd_and_its_service_to_none() {
    let repo = "/src/alpha";
    let job_wt = "/src/alpha/.claude/worktrees/fix-login";
    let mut snap = snapshot(
        vec![
            process(10804, 1, &format!("{CC} daemon run --origin transient")).cwd("/home/u").session_leader(),
            process(10829, 10804, &format!("{CC} --bg-pty-host /tmp/cc-daemon-0/79c8/pty/f727.sock 200 50 -- {CC} --session-id f727 say"))
                .cwd(job_wt)
                .session_leader(),
            process(10842, 10829, &format!("{CC} --session-id f727 say")).cwd(job_wt),
            process(10900, 10842, "bash -c make").cwd("/tmp").session_leader(),
            process(10828, 10804, &format!("{CC} --bg-pty-host /tmp/cc-daemon-0/79c8/spare/8231.pty.sock 200 50")).cwd("/tmp").session_leader(),
        ],
        vec![wt(job_wt, repo, Some("worktree-fix-login"), AttemptSource::Claude)],
    );
    snap.claude_sessions = vec![ClaudeSession {
        pid: 10842,
        session_id: "f727".into(),
        proc_start: Some(108420),
        status: Some("idle".into()),
        job_id: Some("f727b954".into()),
        ..ClaudeSession::default()
    }]
    .into();
    snap.claude_jobs =
        vec![ClaudeJob { id: "f727b954".into(), state: Some("blocked".into()), ..ClaudeJob::default() }]
            .into();
    let f = forest(&snap);
    let id = "attempt:alpha/fix-login/fix-login";
    assert_eq!(attempt_of(&f, 10842).as_deref(), Some(id), "the worker: its cwd's attempt");
    assert_eq!(attempt_of(&f, 10900).as_deref(), Some(id), "its tools stay with it");
    assert_eq!(shared(&f), [10804, 10828, 10829], "the daemon and the pty hosts belong to no attempt");
    assert_eq!(source_of(&f, id), "claude");
    let worker = f.find_process(|n| n.process.pid() == 10842).unwrap();
    let agent = worker.agent.as_ref().unwrap();
    assert_eq!((agent.kind.clone(), agent.status.as_deref()), (AgentKind::Claude, Some("blocked")));
}

/// The native installer's `~/.local/share/claude/versions/<version>` is an agent too.
#[test]
fn a_native_claude_is_its_attempts_agent() {
    let wt1 = "/wt/feature/alpha";
    let snap = snapshot(
        vec![process(200, 1, "/home/u/.local/share/claude/versions/2.1.282").cwd(wt1)],
        vec![linked_worktree(wt1, "/src/alpha", "feature")],
    );
    let f = forest(&snap);
    let (_, _, a) = f.attempts().next().unwrap();
    assert_eq!((a.id.as_str(), a.agent.clone()), ("attempt:alpha/feature/alpha", Some(AgentKind::Claude)));
}

/// vibe-kanban (4deb7ec): a workspace `<root>/<hex>-<slug>/<repo>` whose branch has an empty
/// prefix, and its per-attempt `npx -y @openai/codex@0.124.0 app-server` (stdio) as the
/// attempt's agent.
#[test]
fn vibe_kanban_names_from_its_workspace_and_its_codex_app_server_is_the_agent() {
    let root = "/home/u/code/.vibe-kanban-workspaces";
    let ws = format!("{root}/3c4d-fix-the-flaky-te");
    let repo_wt = format!("{ws}/alpha");
    let mut w = wt(&repo_wt, "/src/alpha", Some("3c4d-fix-the-flaky-te"), AttemptSource::VibeKanban);
    w.layout_dir = Some(ws.clone().into());
    let snap = snapshot(
        vec![
            process(300, 1, "npm exec -y @openai/codex@0.124.0 app-server").cwd(&ws).session_leader(),
            process(301, 300, "node /home/u/.npm/_npx/ab12/node_modules/.bin/codex app-server").cwd(&ws),
            process(302, 301, "/home/u/.npm/_npx/ab12/node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex app-server").cwd(&ws),
        ],
        vec![w],
    );
    let f = forest(&snap);
    let id = "attempt:alpha/fix-the-flaky-te/3c4d";
    for pid in [300, 301, 302] {
        assert_eq!(attempt_of(&f, pid).as_deref(), Some(id), "pid {pid}");
    }
    assert!(shared(&f).is_empty(), "a stdio app-server serves one attempt");
    let (_, _, a) = f.attempts().next().unwrap();
    assert_eq!((a.source.as_str(), a.agent.clone()), ("vibe-kanban", Some(AgentKind::Codex)));
    let launcher = f.find_process(|n| n.process.pid() == 301).unwrap();
    let native = f.find_process(|n| n.process.pid() == 302).unwrap();
    assert!(
        launcher.agent.is_some() && native.agent.is_none(),
        "the launcher and its native binary: one agent"
    );
}

fn codex_snapshot(extra: Vec<Process>) -> Snapshot {
    let wt1 = "/wt/fix/alpha";
    let mut procs = vec![
        process(400, 1, "/home/u/bin/codex").cwd(wt1),
        // What pid.rs (06e41b3) starts: `codex app-server --listen unix://`, setsid, cwd the
        // first TUI's worktree.
        process(401, 400, "/home/u/bin/codex app-server").cwd(wt1).session_leader(),
        process(402, 401, "bash -lc make").cwd("/tmp").session_leader().env("CODEX_SESSION_ID", "t-1"),
    ];
    procs.extend(extra);
    let mut snap = snapshot(
        procs,
        vec![
            linked_worktree(wt1, "/src/alpha", "fix"),
            linked_worktree("/wt/other/alpha", "/src/alpha", "other"),
        ],
    );
    snap.codex_threads =
        vec![NamedWorkspace { id: "t-1".into(), cwd: "/wt/other/alpha".into(), ..NamedWorkspace::default() }]
            .into();
    snap
}

/// A pid file (`daemon.pid`, `app-server.pid`) confirms the daemon even when its argv is not
/// the one swarmtop knows; another user's file names nothing of this user's.
#[test]
fn a_codex_daemon_confirmed_by_its_pid_file_is_shared_and_its_tools_follow_their_thread() {
    let snap = codex_snapshot(Vec::new());
    assert!(shared(&forest(&snap)).is_empty(), "argv alone: `codex app-server` over stdio is an agent");
    let mut snap = codex_snapshot(Vec::new());
    let record = |owner| ServiceRecord { pid: 401, start: RecordedStart::Ticks(4010), owner };
    snap.services = vec![record(Some(1000))].into();
    let f = forest(&snap);
    assert_eq!(shared(&f), [401]);
    assert_eq!(attempt_of(&f, 400).as_deref(), Some("attempt:alpha/fix/alpha"));
    assert_eq!(
        attempt_of(&f, 402).as_deref(),
        Some("attempt:alpha/other/alpha"),
        "CODEX_SESSION_ID names its thread"
    );
    snap.services = vec![record(Some(1001))].into();
    assert!(shared(&forest(&snap)).is_empty(), "a record in another user's directory is not trusted");
    snap.services = vec![ServiceRecord { pid: 401, start: RecordedStart::Ticks(4011), owner: None }].into();
    assert!(shared(&forest(&snap)).is_empty(), "a record of an earlier holder of the pid");
}

/// The Codex app's worktrees: `$CODEX_HOME/worktrees/<id>/<project>`, detached HEAD.
#[test]
fn codex_app_worktrees_are_named_by_their_thread() {
    let a = "/home/u/.codex/worktrees/7f3a/alpha";
    let b = "/home/u/.codex/worktrees/9b1c/alpha";
    let mut snap = snapshot(
        vec![process(500, 1, "/home/u/bin/codex").cwd(a), process(501, 1, "/home/u/bin/codex").cwd(b)],
        vec![
            wt(a, "/src/alpha", None, AttemptSource::Codex),
            wt(b, "/src/alpha", None, AttemptSource::Codex),
        ],
    );
    snap.codex_threads = vec![NamedWorkspace {
        id: "t-7".into(),
        cwd: a.into(),
        title: Some("Speed up the build".into()),
        ..NamedWorkspace::default()
    }]
    .into();
    let f = forest(&snap);
    assert_eq!(attempt_of(&f, 500).as_deref(), Some("attempt:alpha/Speed up the build/7f3a"));
    assert_eq!(attempt_of(&f, 501).as_deref(), Some("attempt:alpha/9b1c/9b1c"));
    assert_eq!(source_of(&f, "attempt:alpha/9b1c/9b1c"), "codex");
}

/// Conductor's documented variables place a process in its workspace, or name one.
#[test]
fn conductor_variables_place_by_workspace_path() {
    let ws = "/home/u/conductor/workspaces/alpha/lima";
    let snap = snapshot(
        vec![
            process(600, 1, "npm run dev")
                .cwd("/tmp")
                .env("CONDUCTOR_WORKSPACE_PATH", ws)
                .env("CONDUCTOR_WORKSPACE_NAME", "lima")
                .env("CONDUCTOR_ROOT_PATH", "/src/alpha"),
            process(601, 1, "npm test")
                .cwd("/tmp")
                .env("CONDUCTOR_WORKSPACE_PATH", "/gone/alpha/oslo")
                .env("CONDUCTOR_WORKSPACE_NAME", "oslo")
                .env("CONDUCTOR_ROOT_PATH", "/src/beta"),
        ],
        vec![wt(ws, "/src/alpha", Some("u/lima"), AttemptSource::Conductor)],
    );
    let f = forest(&snap);
    assert_eq!(attempt_of(&f, 600).as_deref(), Some("attempt:alpha/u/lima/lima"));
    assert_eq!(attempt_of(&f, 601).as_deref(), Some("attempt:beta/oslo/oslo"));
    assert_eq!(source_of(&f, "attempt:beta/oslo/oslo"), "conductor");
}

/// `VK_ATTEMPT_BRANCH` (vibe-kanban a369cec → 4188adc) and `KILD_SESSION_BRANCH`
/// (Wirasm/kild `kild-core/src/agents/resume.rs`) name the worktree on that branch.
#[test]
fn older_vibe_kanban_and_kild_branch_variables_place_their_processes() {
    let snap = snapshot(
        vec![
            process(700, 1, "make").cwd("/tmp").env("VK_ATTEMPT_BRANCH", "vk/1a2b-add-login"),
            process(701, 1, "make").cwd("/tmp").env("KILD_SESSION_BRANCH", "kild/fix"),
        ],
        vec![
            linked_worktree("/wt/1a2b/alpha", "/src/alpha", "vk/1a2b-add-login"),
            linked_worktree("/wt/fix", "/src/alpha", "kild/fix"),
        ],
    );
    let f = forest(&snap);
    assert_eq!(attempt_of(&f, 700).as_deref(), Some("attempt:alpha/add-login/1a2b"));
    assert_eq!(attempt_of(&f, 701).as_deref(), Some("attempt:alpha/fix/fix"));
}

/// One user's state files never place another user's processes (sudo swarmtop reads
/// every user's).
#[test]
fn records_from_another_users_directory_place_nothing_of_this_user() {
    let mut snap = snapshot(
        vec![process(800, 1, "ghostty").cwd("/home/u").session_leader()],
        vec![linked_worktree("/wt/fix", "/src/alpha", "kild/fix")],
    );
    let record = |owner| ExternalSession {
        source: AttemptSource::Kild,
        pid: 800,
        comm: Some("ghostty".into()),
        start_epoch_secs: Some(1_699_990_080),
        worktree: Some("/wt/fix".into()),
        project: "alpha".into(),
        task: "fix".into(),
        attempt: "fix".into(),
        owner,
    };
    snap.external = vec![record(Some(1001))].into();
    assert_eq!(attempt_of(&forest(&snap), 800), None);
    snap.external = vec![record(Some(1000))].into();
    assert_eq!(attempt_of(&forest(&snap), 800).as_deref(), Some("attempt:alpha/fix/fix"));
    snap.external = vec![record(Some(0))].into();
    assert_eq!(
        attempt_of(&forest(&snap), 800).as_deref(),
        Some("attempt:alpha/fix/fix"),
        "root's files count"
    );
}

/// KILD v2's agents carry `KILD_KILD_ID` (Wirasm/kild `engine/src/kild/kild-manager.ts`);
/// its `kilds/<id>.json` names the worktree `kild/<name>` they work in.
#[test]
fn a_kild_v2_agent_goes_to_its_kilds_worktree() {
    let mut snap = snapshot(
        vec![process(900, 1, "bun /opt/kild/engine/src/cli.ts").cwd("/src/alpha").env("KILD_KILD_ID", "k-1")],
        vec![linked_worktree("/h/.config/kild/worktrees/parser", "/src/alpha", "kild/parser")],
    );
    snap.task_titles = vec![crate::model::TaskTitle {
        branch: "kild/parser".into(),
        title: "Refactor the parser".into(),
        project: None,
        workspace_id: Some("k-1".into()),
    }]
    .into();
    let f = forest(&snap);
    assert_eq!(attempt_of(&f, 900).as_deref(), Some("attempt:alpha/parser/parser"));
    assert_eq!(f.projects[0].tasks[0].title.as_deref(), Some("Refactor the parser"));
}

/// A launcher and the agent it starts are one agent: opencode's node wrapper and its
/// native binary (anomalyco/opencode `packages/opencode/bin/opencode`, 07e19bb), Gemini
/// CLI's relaunched node child (google-gemini/gemini-cli `packages/cli/src/utils/relaunch.ts`,
/// 5411f11).
#[test]
fn launchers_and_relaunches_are_counted_once() {
    let wt1 = "/wt/feature/alpha";
    let snap = snapshot(
        vec![
            process(910, 1, "node /usr/lib/node_modules/opencode-ai/bin/opencode").cwd(wt1),
            process(
                911,
                910,
                "/usr/lib/node_modules/opencode-ai/node_modules/opencode-linux-x64/bin/opencode",
            )
            .cwd(wt1),
            process(920, 1, "node /usr/local/bin/gemini").cwd(wt1),
            process(921, 920, "node --max-old-space-size=8192 /usr/local/bin/gemini").cwd(wt1),
        ],
        vec![linked_worktree(wt1, "/src/alpha", "feature")],
    );
    let f = forest(&snap);
    let agents: Vec<(u32, AgentKind)> = [910, 911, 920, 921]
        .into_iter()
        .filter_map(|pid| {
            Some((pid, f.find_process(|n| n.process.pid() == pid)?.agent.as_ref()?.kind.clone()))
        })
        .collect();
    assert_eq!(agents, [(910, AgentKind::Opencode), (920, AgentKind::Gemini)]);
}
