use std::path::Path;

use super::*;
use crate::model::fixture::process;

fn with_homes(pid: u32, vars: &[(&str, &Path)]) -> Process {
    let mut p = process(pid, 1, "claude");
    let mut h = StateHomes::default();
    for (k, v) in vars {
        h.set(k, v.to_str().unwrap());
    }
    Arc::make_mut(&mut p.facts).homes = Some(Arc::new(h));
    p
}

fn session(dir: &Path, pid: u32) {
    std::fs::create_dir_all(dir.join("sessions")).unwrap();
    std::fs::write(
        dir.join(format!("sessions/{pid}.json")),
        format!(r#"{{"pid":{pid},"sessionId":"s{pid}","procStart":"1"}}"#),
    )
    .unwrap();
}

#[test]
fn state_is_read_where_each_processes_environment_says_each_place_once() {
    let tmp = tempfile::tempdir().unwrap();
    let (own, ann) = (tmp.path().join("own"), tmp.path().join("ann"));
    session(&own.join(".claude"), 1);
    session(&ann.join(".claude"), 2);
    session(&ann.join(".claude-work"), 3);
    let mut own_homes = StateHomes::default();
    own_homes.set("HOME", own.to_str().unwrap());
    let mut readers = StateReaders::new(own_homes);
    let work = ann.join(".claude-work");
    let processes = vec![
        with_homes(10, &[("HOME", &ann)]),
        with_homes(11, &[("HOME", &ann)]),
        with_homes(12, &[("HOME", &ann), ("CLAUDE_CONFIG_DIR", &work)]),
    ];
    let mut warnings = Vec::new();
    let rows = readers.refresh(&processes, &mut warnings);
    let pids = |rows: &StateRows| rows.claude_sessions.iter().map(|s| s.pid).collect::<Vec<_>>();
    let mut got = pids(&rows);
    got.sort_unstable();
    assert_eq!(got, [1, 2, 3], "swarmtop's own place, ann's, and ann's second Claude account");
    assert_eq!(readers.claude.len(), 3, "each distinct directory is watched once");
    assert_eq!(readers.orchestrators.len(), 2, "one per home: own and ann's");
    assert!(rows.layouts.roots.contains(&(ann.join(".claude-squad/worktrees"), AttemptSource::ClaudeSquad)));
    assert!(rows.layouts.roots.contains(&(ann.join(".codex/worktrees"), AttemptSource::Codex)));
    let again = readers.refresh(&processes, &mut warnings);
    assert!(Shared::ptr_eq(&rows.claude_sessions, &again.claude_sessions), "unchanged: the same rows");
    let rows = readers.refresh(&processes[..2], &mut warnings);
    assert_eq!((pids(&rows).len(), readers.claude.len()), (2, 2), "a place no process names is dropped");
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn a_moved_vibe_kanban_workspace_dir_and_prefix_become_layouts() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(data.join("vibe-kanban")).unwrap();
    std::fs::write(
        data.join("vibe-kanban/config.json"),
        format!(
            r#"{{"config_version":"v8","workspace_dir":"{}","git_branch_prefix":"feat"}}"#,
            tmp.path().join("ws").display()
        ),
    )
    .unwrap();
    let mut readers = StateReaders::new(StateHomes::default());
    let p = with_homes(10, &[("XDG_DATA_HOME", &data)]);
    let rows = readers.refresh(&[p], &mut Vec::new());
    assert_eq!(rows.layouts.vibe_kanban, [tmp.path().join("ws/.vibe-kanban-workspaces")]);
    assert_eq!(rows.layouts.vk_branch_prefixes, ["vk", "feat"]);
}

/// `CRYSTAL_DIR` (stravu/crystal `main/src/utils/crystalDirectory.ts`, 1e18e0b) and
/// `CODEX_SQLITE_HOME` of a process name where its sessions and threads are.
#[test]
fn crystal_dir_and_codex_sqlite_home_come_from_the_process() {
    let tmp = tempfile::tempdir().unwrap();
    let (crystal, sqlite) = (tmp.path().join("crystal-alt"), tmp.path().join("codex-db"));
    std::fs::create_dir_all(&crystal).unwrap();
    std::fs::create_dir_all(&sqlite).unwrap();
    rusqlite::Connection::open(crystal.join("sessions.db"))
        .unwrap()
        .execute_batch("CREATE TABLE sessions (id TEXT, worktree_path TEXT); INSERT INTO sessions VALUES ('c-1', '/wt/c');")
        .unwrap();
    rusqlite::Connection::open(sqlite.join("state_5.sqlite"))
        .unwrap()
        .execute_batch("CREATE TABLE threads (id TEXT, cwd TEXT, git_branch TEXT); INSERT INTO threads VALUES ('t-1', '/wt/t', NULL);")
        .unwrap();
    let mut readers = StateReaders::new(StateHomes::default());
    let p =
        with_homes(10, &[("HOME", tmp.path()), ("CRYSTAL_DIR", &crystal), ("CODEX_SQLITE_HOME", &sqlite)]);
    let mut warnings = Vec::new();
    let rows = readers.refresh(&[p], &mut warnings);
    assert_eq!(rows.crystal_sessions.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["c-1"]);
    assert_eq!(rows.codex_threads.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["t-1"]);
    assert!(warnings.is_empty(), "{warnings:?}");
}
