//! Real repositories, worktrees and processes; the real sampler and association.

mod common;

use std::time::Duration;

use common::*;
use swarmtop::model::AssignedBy;

const WAIT: Duration = Duration::from_secs(10);

#[test]
fn real_worktrees_place_real_processes_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let alpha = repo(tmp.path(), "alpha");
    let wt1 = worktree(&alpha, &tmp.path().join("wt/1a2b-add-login"), "vk/1a2b-add-login");
    let wt2 = worktree(&alpha, &tmp.path().join("wt/3c4d-add-login"), "vk/3c4d-add-login");
    let wt3 = worktree(&alpha, &tmp.path().join("wt/spike"), "feature/spike");
    std::fs::create_dir_all(wt3.join("src/deep")).unwrap();

    let l = |role: &str| label("place", role);
    let mut procs = Sessions::default();
    procs.spawn(
        &l("agent1"),
        &wt1,
        &format!(
            "(cd /tmp && exec -a {} sleep 600) & ( exec -a {} sleep 600 & ) ; wait",
            l("tmpchild"),
            l("leak")
        ),
    );
    procs.spawn(&l("agent2"), &wt2, "sleep 600 & wait");
    procs.spawn(&l("deep"), &wt3.join("src/deep"), "sleep 600 & wait");
    procs.spawn(&l("dev"), &alpha, "sleep 600 & wait");
    procs.spawn(&l("outsider"), tmp.path(), "sleep 600 & wait");

    let mut sampler = live_sampler();
    let forest = wait_for("all labelled processes", WAIT, || {
        let f = sample_forest(&mut sampler);
        ["agent1", "tmpchild", "leak", "agent2", "deep", "dev", "outsider"]
            .iter()
            .all(|r| find_label(&f, &l(r)).is_some())
            .then_some(f)
    });

    assert_eq!(attempt_of(&forest, &l("agent1")).as_deref(), Some("attempt:alpha/add-login/1a2b"));
    assert_eq!(attempt_of(&forest, &l("tmpchild")).as_deref(), Some("attempt:alpha/add-login/1a2b"));
    assert_eq!(attempt_of(&forest, &l("leak")).as_deref(), Some("attempt:alpha/add-login/1a2b"));
    assert_eq!(attempt_of(&forest, &l("agent2")).as_deref(), Some("attempt:alpha/add-login/3c4d"));
    assert_eq!(attempt_of(&forest, &l("deep")).as_deref(), Some("attempt:alpha/feature/spike/spike"));
    assert_eq!(attempt_of(&forest, &l("dev")).as_deref(), Some("attempt:alpha/main/main"));
    assert_eq!(attempt_of(&forest, &l("outsider")), None);

    let tmpchild = find_label(&forest, &l("tmpchild")).unwrap();
    assert_eq!(tmpchild.assigned_by, Some(AssignedBy::Inherited));
    assert_eq!(tmpchild.process.cwd.as_deref(), Some(std::path::Path::new("/tmp")));
    let leak = find_label(&forest, &l("leak")).unwrap();
    assert_eq!(leak.assigned_by, Some(AssignedBy::Cwd));
    assert_eq!(
        leak.orphan,
        leak.process.ppid == 1,
        "the double-forked leak is orphaned unless a subreaper adopted it"
    );

    // Both attempts of the task group under one task.
    let alpha_node = forest.projects.iter().find(|p| p.path == alpha).unwrap();
    let task = alpha_node.tasks.iter().find(|t| t.name == "add-login").unwrap();
    assert_eq!(task.attempts.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["1a2b", "3c4d"]);
    procs.kill_all();
}

/// Kills the session whose id a test's process wrote to this file, on drop.
struct EscapedSession(std::path::PathBuf);

impl Drop for EscapedSession {
    fn drop(&mut self) {
        // Written before the exec, so present once the process is up; absent if it never started.
        let sid = std::fs::read_to_string(&self.0).ok().and_then(|s| s.trim().parse::<u32>().ok());
        if let Some(sid) = sid {
            let left = swarmtop::kill::sessions::kill_sessions(&[sid], Duration::from_secs(10));
            assert!(left.is_empty() || std::thread::panicking(), "could not kill {left:?}");
        }
    }
}

#[test]
fn new_session_below_a_cwd_only_ancestor_is_not_inherited() {
    let tmp = tempfile::tempdir().unwrap();
    let beta = repo(tmp.path(), "beta");
    let l = |role: &str| label("session", role);
    let mut procs = Sessions::default();
    // The shell leaves the server's session: it records its pid (= its session id) for
    // the guard to kill.
    let pidfile = tmp.path().join("shell.pid");
    let _shell = EscapedSession(pidfile.clone());
    // Like a tmux server started in a worktree: its shells are new sessions elsewhere.
    procs.spawn(
        &l("server"),
        &beta,
        &format!(
            "(cd /tmp && exec setsid bash -c 'echo $$ > {}; exec -a {} sleep 600') & wait",
            pidfile.display(),
            l("shell")
        ),
    );
    let mut sampler = live_sampler();
    let forest = wait_for("server and shell", WAIT, || {
        let f = sample_forest(&mut sampler);
        (find_label(&f, &l("server")).is_some() && find_label(&f, &l("shell")).is_some()).then_some(f)
    });
    assert_eq!(attempt_of(&forest, &l("server")).as_deref(), Some("attempt:beta/main/main"));
    assert_eq!(attempt_of(&forest, &l("shell")), None);
}

#[test]
fn detached_head_deleted_worktree_and_vanished_cwd_are_handled() {
    let tmp = tempfile::tempdir().unwrap();
    let gamma = repo(tmp.path(), "gamma");
    let detached = tmp.path().join("wt/bisect");
    git(&gamma, &["worktree", "add", "-q", "--detach", detached.to_str().unwrap()]);
    let doomed = worktree(&gamma, &tmp.path().join("wt/doomed"), "doomed");
    let l = |role: &str| label("edge", role);
    let mut procs = Sessions::default();
    procs.spawn(&l("bisect"), &detached, "sleep 600 & wait");
    procs.spawn(&l("doomed"), &doomed, "sleep 600 & wait");

    let mut sampler = live_sampler();
    wait_for("both processes", WAIT, || {
        let f = sample_forest(&mut sampler);
        (find_label(&f, &l("bisect")).is_some() && find_label(&f, &l("doomed")).is_some()).then_some(())
    });
    std::fs::remove_dir_all(&doomed).unwrap();
    // A fresh sampler has no memory of the deleted worktree.
    let forest = sample_forest(&mut live_sampler());
    assert_eq!(attempt_of(&forest, &l("bisect")).as_deref(), Some("attempt:gamma/detached/bisect"));
    assert_eq!(attempt_of(&forest, &l("doomed")), None, "never misplaced into the enclosing repo");
    let doomed_node = find_label(&forest, &l("doomed")).unwrap();
    assert_eq!(doomed_node.process.cwd.as_deref(), Some(doomed.as_path()), "` (deleted)` is stripped");
}

#[test]
fn vibe_kanban_workspaces_and_claude_squad_worktrees_are_recognised() {
    use swarmtop::sample::worktree::KnownLayouts;
    let tmp = tempfile::tempdir().unwrap();
    let repo_dir = repo(tmp.path(), "omega");
    let base = tmp.path().join("vibe-kanban");
    let ws = base.join("worktrees/5e5e-fix-login");
    let wt = worktree(&repo_dir, &ws.join("omega"), "vk/5e5e-fix-login");
    // claude-squad keeps the branch's `/` (smtg-ai/claude-squad `session/git/util.go`,
    // 434ca25): `<home>/.claude-squad/worktrees/<user>/<title>_<hex>`; the agent's own HOME
    // says where that is.
    let home = tmp.path().join("home");
    let squad = home.join(".claude-squad/worktrees");
    let squad_wt = worktree(&repo_dir, &squad.join("dev/refactor_18a2b3c4d5e6f708"), "dev/refactor");
    let l = |r: &str| label("layouts", r);
    let mut procs = Sessions::default();
    // vibe-kanban runs its agent in the workspace directory, one level above the repo.
    procs.spawn(&l("vk-agent"), &ws, "sleep 600 & wait");
    procs.spawn(&l("vk-tool"), &wt, "sleep 600 & wait");
    procs.spawn(&l("squad"), &squad_wt, &format!("HOME={} sleep 600 & wait", home.display()));
    let layouts = KnownLayouts { vibe_kanban: vec![base.join("worktrees")], ..KnownLayouts::default() };
    let mut sampler = live_sampler().with_layouts(layouts);
    // The squad layout is learnt from `sleep`'s HOME, so the forest must include `sleep`, which
    // bash starts a moment after the label appears: wait for the squad attempt's source.
    let squad_source = |f: &swarmtop::model::Forest| {
        f.attempts()
            .find(|(_, _, a)| a.id.as_str() == "attempt:omega/dev/refactor/18a2b3c4d5e6f708")
            .map(|(_, _, a)| a.source.as_str().to_string())
    };
    let forest = wait_for("the layout processes and the squad's HOME", WAIT, || {
        let f = sample_forest(&mut sampler);
        let all = ["vk-agent", "vk-tool", "squad"].iter().all(|r| find_label(&f, &l(r)).is_some());
        (all && squad_source(&f).as_deref() == Some("claude-squad")).then_some(f)
    });
    assert_eq!(attempt_of(&forest, &l("vk-agent")).as_deref(), Some("attempt:omega/fix-login/5e5e"));
    assert_eq!(attempt_of(&forest, &l("vk-tool")).as_deref(), Some("attempt:omega/fix-login/5e5e"));
    assert_eq!(
        attempt_of(&forest, &l("squad")).as_deref(),
        Some("attempt:omega/dev/refactor/18a2b3c4d5e6f708")
    );
    let sources: Vec<(&str, &str)> =
        forest.attempts().map(|(_, _, a)| (a.id.as_str(), a.source.as_str())).collect();
    assert!(sources.contains(&("attempt:omega/fix-login/5e5e", "vibe-kanban")), "{sources:?}");
    assert!(
        sources.contains(&("attempt:omega/dev/refactor/18a2b3c4d5e6f708", "claude-squad")),
        "{sources:?}"
    );
}

#[test]
fn an_exec_of_the_same_binary_shows_the_new_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let r = repo(tmp.path(), &format!("reexec{}", std::process::id()));
    let (old, new) = (label("reexec", "old"), label("reexec", "new"));
    let flag = tmp.path().join("go");
    let mut procs = Sessions::default();
    // bash execs bash (same comm), with a new argv[0]; `; true` keeps it from exec'ing sleep.
    let pid = procs.spawn(
        &old,
        &r,
        &format!(
            "while [ ! -e {} ]; do sleep 0.02; done; exec -a {new} bash -c 'sleep 600; true'",
            flag.display()
        ),
    );
    let mut sampler = live_sampler();
    wait_for("the old command line", Duration::from_secs(10), || {
        let f = sample_forest(&mut sampler);
        (find_label(&f, &old).map(|n| n.process.pid()) == Some(pid)).then_some(())
    });
    std::fs::write(&flag, "").unwrap();
    wait_for("the new command line after exec", Duration::from_secs(10), || {
        let f = sample_forest(&mut sampler);
        (find_label(&f, &new).map(|n| n.process.pid()) == Some(pid)).then_some(())
    });
}
