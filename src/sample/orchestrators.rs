//! Orchestrators' own state files, read when they change:
//! KILD / shards sessions (`~/.kild/sessions/<id>/kild.json`, `~/.shards/sessions/*.json`)
//! Script Kit's running scripts (`~/.sk/kit/active-bun-pids.json`), and claude-squad's
//! instances (`~/.claude-squad/state.json`: titles of its worktrees' tasks).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::watched::{self, Joined, WatchedDir, WatchedFile};
use crate::model::{AttemptSource, ExternalSession, Shared, TaskTitle};

/// The session format KILD and shards share (unknown fields are ignored).
#[derive(Deserialize)]
struct KildSession {
    project_id: String,
    branch: String,
    worktree_path: PathBuf,
    status: String,
    #[serde(default)]
    process_id: Option<u32>,
    #[serde(default)]
    process_name: Option<String>,
    /// sysinfo's `start_time()`: seconds since the epoch.
    #[serde(default)]
    process_start_time: Option<u64>,
}

#[derive(Deserialize)]
struct BunScript {
    pid: u32,
    script_path: PathBuf,
    /// `Date.now()` milliseconds (seconds accepted too).
    #[serde(default)]
    started_at: Option<f64>,
}

/// claude-squad's state file: its instances are stored as JSON inside it.
#[derive(Deserialize)]
struct SquadState {
    #[serde(default)]
    instances: Vec<SquadInstance>,
}

#[derive(Deserialize)]
struct SquadInstance {
    title: String,
    #[serde(default)]
    branch: String,
    #[serde(default)]
    worktree: Option<SquadWorktree>,
}

#[derive(Deserialize)]
struct SquadWorktree {
    #[serde(default)]
    branch_name: String,
}

/// What the orchestrators' state files say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrchestratorState {
    pub sessions: Shared<ExternalSession>,
    pub titles: Shared<TaskTitle>,
}

/// State files under one home directory; each re-read only when it changes.
#[derive(Debug)]
pub struct Orchestrators {
    kild: WatchedDir<ExternalSession>,
    shards: WatchedDir<ExternalSession>,
    bun: WatchedFile<ExternalSession>,
    squad: WatchedFile<TaskTitle>,
    sessions: Joined<ExternalSession>,
}

impl Orchestrators {
    pub fn new(home: Option<PathBuf>) -> Orchestrators {
        let under = |rel: &str| home.as_ref().map(|h| h.join(rel));
        Orchestrators {
            kild: WatchedDir::new(under(".kild/sessions"), |d| Some(d.join("kild.json"))),
            shards: WatchedDir::new(under(".shards/sessions"), watched::json_files),
            bun: WatchedFile::new(under(".sk/kit/active-bun-pids.json")),
            squad: WatchedFile::new(under(".claude-squad/state.json")),
            sessions: Joined::default(),
        }
    }

    /// What the files say, and the problems not told yet (once per file content).
    pub fn refresh(&mut self) -> (OrchestratorState, Vec<String>) {
        let mut warnings = Vec::new();
        let parts = vec![
            self.kild.refresh(kild_session, &mut warnings),
            self.shards.refresh(kild_session, &mut warnings),
            self.bun.refresh(bun_scripts, &mut warnings),
        ];
        let sessions = self.sessions.join(parts);
        let titles = self.squad.refresh(squad_titles, &mut warnings);
        (OrchestratorState { sessions, titles }, warnings)
    }
}

/// One read of every recorded session under `home`.
pub fn read_all(home: &Path, warnings: &mut Vec<String>) -> Vec<ExternalSession> {
    let (state, told) = Orchestrators::new(Some(home.to_path_buf())).refresh();
    warnings.extend(told);
    state.sessions.to_vec()
}

/// Task titles of claude-squad's instances, by their branches.
fn squad_titles(path: &Path, text: &str, problems: &mut Vec<String>) -> Vec<TaskTitle> {
    let Some(state) = watched::json::<SquadState>(path, text, problems) else { return Vec::new() };
    state
        .instances
        .into_iter()
        .filter_map(|i| {
            let branch = i.worktree.map(|w| w.branch_name).filter(|b| !b.is_empty()).unwrap_or(i.branch);
            (!branch.is_empty()).then_some(TaskTitle {
                branch,
                title: i.title,
                project: None,
                workspace_id: None,
            })
        })
        .collect()
}

fn kild_session(path: &Path, text: &str, problems: &mut Vec<String>) -> Vec<ExternalSession> {
    let Some(s) = watched::json::<KildSession>(path, text, problems) else { return Vec::new() };
    if s.status != "Active" {
        return Vec::new();
    }
    let Some(pid) = s.process_id else { return Vec::new() };
    // A PID alone names whoever holds it now: without a start time, trust nothing.
    let Some(start) = s.process_start_time else {
        problems.push(unidentified(path, pid));
        return Vec::new();
    };
    let task = s.branch.strip_prefix("kild/").unwrap_or(&s.branch).to_string();
    vec![ExternalSession {
        source: AttemptSource::Kild,
        pid,
        comm: s.process_name,
        start_epoch_secs: Some(start),
        worktree: Some(s.worktree_path),
        project: s.project_id,
        attempt: task.clone(),
        task,
    }]
}

fn bun_scripts(path: &Path, text: &str, problems: &mut Vec<String>) -> Vec<ExternalSession> {
    let Some(scripts) = watched::json::<Vec<BunScript>>(path, text, problems) else { return Vec::new() };
    scripts
        .into_iter()
        .filter_map(|s| {
            let task =
                s.script_path.file_stem().map_or("script".into(), |n| n.to_string_lossy().into_owned());
            let secs = s
                .started_at
                .filter(|t| t.is_finite() && *t > 0.0)
                .map(|t| if t > 1e11 { t / 1000.0 } else { t } as u64);
            let Some(secs) = secs else {
                problems.push(unidentified(path, s.pid));
                return None;
            };
            Some(ExternalSession {
                source: AttemptSource::ScriptKit,
                pid: s.pid,
                comm: None,
                start_epoch_secs: Some(secs),
                worktree: None,
                project: "script-kit".into(),
                task,
                attempt: s.pid.to_string(),
            })
        })
        .collect()
}

fn unidentified(path: &Path, pid: u32) -> String {
    format!(
        "{}: the record of pid {pid} has no start time to tell that process from a later one; not used",
        path.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kild_shards_and_script_kit_files_are_read_and_bad_ones_named() {
        let home = tempfile::tempdir().unwrap();
        let h = home.path();
        std::fs::create_dir_all(h.join(".kild/sessions/abc")).unwrap();
        std::fs::create_dir_all(h.join(".kild/sessions/old")).unwrap();
        std::fs::create_dir_all(h.join(".shards/sessions")).unwrap();
        std::fs::create_dir_all(h.join(".sk/kit")).unwrap();
        let session = |status: &str, pid: &str| {
            format!(
                r#"{{"id":"alpha/fix","project_id":"alpha","branch":"kild/fix","worktree_path":"/w/alpha/fix","agent":"claude","status":"{status}","created_at":"2024-01-01T00:00:00Z","process_id":{pid},"process_name":"claude","process_start_time":1700000000,"command":"claude","note":null}}"#
            )
        };
        std::fs::write(h.join(".kild/sessions/abc/kild.json"), session("Active", "4242")).unwrap();
        std::fs::write(h.join(".kild/sessions/old/kild.json"), session("Stopped", "99")).unwrap();
        std::fs::write(h.join(".shards/sessions/alpha_fix.json"), "{\"id\": 3}").unwrap();
        std::fs::write(
            h.join(".sk/kit/active-bun-pids.json"),
            r#"[{"pid": 777, "script_path": "/home/u/.kenv/scripts/resize-images.ts", "started_at": 1700000000123}]"#,
        )
        .unwrap();
        let mut warnings = Vec::new();
        let got = read_all(h, &mut warnings);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(
            (got[0].pid, got[0].task.as_str(), got[0].start_epoch_secs),
            (4242, "fix", Some(1_700_000_000))
        );
        assert_eq!(
            (got[1].project.as_str(), got[1].task.as_str(), got[1].attempt.as_str()),
            ("script-kit", "resize-images", "777")
        );
        assert_eq!(got[1].start_epoch_secs, Some(1_700_000_000));
        assert!(
            warnings.len() == 1
                && warnings[0].contains("alpha_fix.json")
                && warnings[0].contains("project_id"),
            "{warnings:?}"
        );
        std::fs::create_dir_all(h.join(".claude-squad")).unwrap();
        std::fs::write(
            h.join(".claude-squad/state.json"),
            r#"{"help_screens_seen": 3, "instances": [{"title": "refactor auth", "path": "/r", "branch": "",
               "status": 0, "program": "claude", "worktree": {"repo_path": "/r", "worktree_path": "/h/.claude-squad/worktrees/u-auth_18a2",
               "session_name": "refactor auth", "branch_name": "u/auth", "base_commit_sha": "abc"}}]}"#,
        )
        .unwrap();
        let mut o = Orchestrators::new(Some(h.to_path_buf()));
        let (state, _) = o.refresh();
        assert_eq!(state.sessions.len(), 2);
        assert_eq!(
            *state.titles,
            [TaskTitle {
                branch: "u/auth".into(),
                title: "refactor auth".into(),
                project: None,
                workspace_id: None
            }]
        );
        let (again, told) = o.refresh();
        assert!(told.is_empty(), "unchanged files are not re-read or re-reported");
        assert!(
            Shared::ptr_eq(&state.sessions, &again.sessions) && Shared::ptr_eq(&state.titles, &again.titles)
        );
    }
}
