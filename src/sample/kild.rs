//! KILD's session files (Wirasm/kild, Rust v1, tag `v1-rust` at 369c35b), every shape it
//! has written, and the shards files before it:
//! - `~/.shards/sessions/<project>_<branch>.json`, then `~/.kild/sessions/<safe id>.json`
//!   (2026-01-27 → 02-17), then `~/.kild/sessions/<safe id>/kild.json` (dd0ec66,
//!   2026-02-17; `crates/kild-core/src/sessions/persistence/session_files.rs`);
//! - the process fields at the top level, then (3fff816, 2026-02-05) in an `agents[]`
//!   array, one per agent opened (`sessions/types/agent_process.rs`);
//! - `status` `"Active"`, then lowercase `"active"` (c7347ee, 2026-02-12;
//!   `sessions/types/status.rs`).
//!
//! KILD v2 (TypeScript, `engine/`) keeps each kild's history in `$KILD_HOME/kilds/<id>.json`
//! (`{id, name, cwd, worktree?}`, `engine/src/kild/kild-types.ts`): its name titles the
//! worktree's branch `kild/<worktree>`, and its agents, which carry `KILD_KILD_ID`, belong
//! to that worktree.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::watched;
use crate::model::{AttemptSource, ExternalSession, TaskTitle};

#[derive(Deserialize)]
struct KildSession {
    project_id: String,
    branch: String,
    worktree_path: PathBuf,
    status: String,
    /// The process fields of the builds before `agents[]`.
    #[serde(flatten)]
    top: KildAgent,
    #[serde(default)]
    agents: Vec<KildAgent>,
}

/// One agent's process as KILD saw it; `process_start_time` is sysinfo's `start_time()`,
/// seconds since the epoch.
#[derive(Deserialize)]
struct KildAgent {
    #[serde(default)]
    process_id: Option<u32>,
    #[serde(default)]
    process_name: Option<String>,
    #[serde(default)]
    process_start_time: Option<u64>,
}

/// A session directory's entry as the file it stands for: `<id>/kild.json`, or a flat
/// `<id>.json` of the builds before 2026-02-17.
pub fn session_file(entry: PathBuf) -> Option<PathBuf> {
    if entry.extension().is_some_and(|e| e == "json") { Some(entry) } else { Some(entry.join("kild.json")) }
}

pub fn sessions(
    path: &Path,
    text: &str,
    problems: &mut Vec<String>,
    owner: Option<u32>,
) -> Vec<ExternalSession> {
    let Some(s) = watched::json::<KildSession>(path, text, problems) else { return Vec::new() };
    if !s.status.eq_ignore_ascii_case("active") {
        return Vec::new();
    }
    let task = s.branch.strip_prefix("kild/").unwrap_or(&s.branch).to_string();
    std::iter::once(s.top)
        .chain(s.agents)
        .filter_map(|a| {
            let pid = a.process_id?;
            // A PID alone names whoever holds it now: without a start time, trust nothing.
            let Some(start) = a.process_start_time else {
                problems.push(super::orchestrators::unidentified(path, pid));
                return None;
            };
            Some(ExternalSession {
                source: AttemptSource::Kild,
                pid,
                comm: a.process_name,
                start_epoch_secs: Some(start),
                worktree: Some(s.worktree_path.clone()),
                project: s.project_id.clone(),
                task: task.clone(),
                attempt: task.clone(),
                owner,
            })
        })
        .collect()
}

#[derive(Deserialize)]
struct Kild {
    id: String,
    name: String,
    #[serde(default)]
    worktree: Option<String>,
}

/// The title of a v2 kild's worktree branch.
pub fn v2_titles(path: &Path, text: &str, problems: &mut Vec<String>) -> Vec<TaskTitle> {
    let Some(k) = watched::json::<Kild>(path, text, problems) else { return Vec::new() };
    k.worktree
        .filter(|w| !w.is_empty())
        .map(|w| TaskTitle {
            branch: format!("kild/{w}"),
            title: k.name,
            project: None,
            workspace_id: Some(k.id),
        })
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The three session shapes, with the fields each build wrote (trimmed of the ones
    /// swarmtop does not read).
    #[test]
    fn every_session_shape_gives_its_agents() {
        let old = r#"{"id":"alpha/fix","project_id":"alpha","branch":"kild/fix","worktree_path":"/h/.kild/worktrees/alpha/fix",
            "agent":"claude","status":"Active","created_at":"2026-01-28T00:00:00Z","process_id":4242,
            "process_name":"claude","process_start_time":1700000000,"command":"claude","note":null}"#;
        let agents = r#"{"id":"alpha/fix","project_id":"alpha","branch":"kild/fix","worktree_path":"/h/.kild/worktrees/alpha/fix",
            "agent":"codex","status":"active","created_at":"2026-02-20T00:00:00Z","port_range_start":3000,
            "agents":[{"agent":"claude","spawn_id":"a1","process_id":4242,"process_name":"claude","process_start_time":1700000000,
                       "terminal_type":"ghostty","terminal_window_id":"7","command":"claude","opened_at":"2026-02-20T00:00:00Z"},
                      {"agent":"codex","spawn_id":"a2","process_id":4343,"process_name":"codex","process_start_time":1700000100,
                       "terminal_type":null,"terminal_window_id":null,"command":"codex","opened_at":"2026-02-20T00:01:00Z",
                       "daemon_session_id":null},
                      {"agent":"claude","spawn_id":"a3","process_id":null,"process_name":null,"process_start_time":null,
                       "terminal_type":null,"terminal_window_id":null,"command":"claude","opened_at":"x","daemon_session_id":"d1"}]}"#;
        let mut problems = Vec::new();
        let got = sessions(Path::new("/h/.kild/sessions/alpha_fix.json"), old, &mut problems, Some(1000));
        assert_eq!((got.len(), got[0].pid, got[0].task.as_str()), (1, 4242, "fix"));
        let got = sessions(Path::new("/h/.kild/sessions/alpha_fix/kild.json"), agents, &mut problems, None);
        assert_eq!(got.iter().map(|s| s.pid).collect::<Vec<_>>(), [4242, 4343]);
        assert!(problems.is_empty(), "a daemon-run agent has no pid to check: {problems:?}");
        let stopped = agents.replace(r#""status":"active""#, r#""status":"stopped""#);
        assert!(sessions(Path::new("k.json"), &stopped, &mut problems, None).is_empty());
        assert_eq!(session_file("/s/alpha_fix".into()), Some("/s/alpha_fix/kild.json".into()));
        assert_eq!(session_file("/s/alpha_fix.json".into()), Some("/s/alpha_fix.json".into()));
    }

    #[test]
    fn a_v2_kild_titles_its_worktree_branch() {
        let text = r#"{"id":"k-1","name":"Refactor the parser","cwd":"/src/alpha","worktree":"parser","agents":[],"log":[]}"#;
        let got = v2_titles(Path::new("k-1.json"), text, &mut Vec::new());
        assert_eq!((got[0].branch.as_str(), got[0].title.as_str()), ("kild/parser", "Refactor the parser"));
        assert_eq!(got[0].workspace_id.as_deref(), Some("k-1"), "`KILD_KILD_ID` names it");
        let no_tree = r#"{"id":"k-2","name":"Chat","cwd":"/src/alpha","log":[]}"#;
        assert!(v2_titles(Path::new("k-2.json"), no_tree, &mut Vec::new()).is_empty());
    }
}
