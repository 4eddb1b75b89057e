//! Orchestrators' own state files, read when they change:
//! KILD / shards sessions (`~/.kild/sessions/<id>/kild.json`, `~/.shards/sessions/*.json`)
//! Script Kit's running scripts (`~/.sk/kit/active-bun-pids.json`), and claude-squad's
//! instances (`~/.claude-squad/state.json`: titles of its worktrees' tasks).

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Deserialize;

use super::bounded::{self, Links, ReadError, STATE_FILE_LIMIT};
use crate::model::{AttemptSource, ExternalSession, TaskTitle};

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
    pub sessions: Vec<ExternalSession>,
    pub titles: Vec<TaskTitle>,
}

/// State files under one home directory; re-read only when one of them changes.
#[derive(Debug, Default)]
pub struct Orchestrators {
    home: Option<PathBuf>,
    stamp: Vec<Option<SystemTime>>,
    state: OrchestratorState,
    reported: bounded::Reported,
}

impl Orchestrators {
    pub fn new(home: Option<PathBuf>) -> Orchestrators {
        Orchestrators { home, ..Orchestrators::default() }
    }

    /// What the files say, and the problems of files read this time.
    pub fn refresh(&mut self) -> (OrchestratorState, Vec<String>) {
        let Some(home) = self.home.clone() else { return (OrchestratorState::default(), Vec::new()) };
        let watched = watched_paths(&home);
        let stamp: Vec<Option<SystemTime>> =
            watched.iter().map(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok()).collect();
        if stamp == self.stamp {
            return (self.state.clone(), Vec::new());
        }
        self.stamp = stamp;
        let mut warnings = Vec::new();
        self.state = OrchestratorState {
            sessions: read_all(&home, &mut warnings),
            titles: squad_titles(&home.join(".claude-squad/state.json"), &mut warnings),
        };
        (self.state.clone(), self.reported.fresh(warnings))
    }
}

/// The files and directories whose mtimes tell that something changed.
fn watched_paths(home: &Path) -> Vec<PathBuf> {
    let kild = home.join(".kild/sessions");
    let mut paths = vec![
        kild.clone(),
        home.join(".shards/sessions"),
        home.join(".sk/kit/active-bun-pids.json"),
        home.join(".claude-squad/state.json"),
    ];
    if let Ok(dirs) = std::fs::read_dir(&kild) {
        let mut files: Vec<PathBuf> = dirs.flatten().map(|d| d.path().join("kild.json")).collect();
        files.sort();
        paths.extend(files);
    }
    paths
}

pub fn read_all(home: &Path, warnings: &mut Vec<String>) -> Vec<ExternalSession> {
    let mut files: Vec<PathBuf> = Vec::new();
    if let Ok(dirs) = std::fs::read_dir(home.join(".kild/sessions")) {
        files.extend(dirs.flatten().map(|d| d.path().join("kild.json")));
    }
    if let Ok(entries) = std::fs::read_dir(home.join(".shards/sessions")) {
        files.extend(
            entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "json")),
        );
    }
    files.sort();
    let mut out: Vec<ExternalSession> = files.iter().filter_map(|f| kild_session(f, warnings)).collect();
    out.extend(bun_scripts(&home.join(".sk/kit/active-bun-pids.json"), warnings));
    out
}

/// Task titles of claude-squad's instances, by their branches.
fn squad_titles(path: &Path, warnings: &mut Vec<String>) -> Vec<TaskTitle> {
    let Some(state) = parse::<SquadState>(path, warnings) else { return Vec::new() };
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

fn parse<T: for<'de> Deserialize<'de>>(path: &Path, warnings: &mut Vec<String>) -> Option<T> {
    let text = match bounded::read_text(path, STATE_FILE_LIMIT, Links::Refuse) {
        Ok(text) => text,
        // A file removed between listing and reading is simply gone.
        Err(ReadError::Missing) => return None,
        Err(e) => {
            warnings.push(format!("{}: skipped: {e}", path.display()));
            return None;
        }
    };
    match serde_json::from_str(&text) {
        Ok(v) => Some(v),
        Err(e) => {
            warnings.push(format!("{}: skipped: {e}", path.display()));
            None
        }
    }
}

fn kild_session(path: &Path, warnings: &mut Vec<String>) -> Option<ExternalSession> {
    let s: KildSession = parse(path, warnings)?;
    if s.status != "Active" {
        return None;
    }
    let pid = s.process_id?;
    // A PID alone names whoever holds it now: without a start time, trust nothing.
    let Some(start) = s.process_start_time else {
        warnings.push(unidentified(path, pid));
        return None;
    };
    let task = s.branch.strip_prefix("kild/").unwrap_or(&s.branch).to_string();
    Some(ExternalSession {
        source: AttemptSource::Kild,
        pid,
        comm: s.process_name,
        start_epoch_secs: Some(start),
        worktree: Some(s.worktree_path),
        project: s.project_id,
        attempt: task.clone(),
        task,
    })
}

fn bun_scripts(path: &Path, warnings: &mut Vec<String>) -> Vec<ExternalSession> {
    let Some(scripts) = parse::<Vec<BunScript>>(path, warnings) else { return Vec::new() };
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
                warnings.push(unidentified(path, s.pid));
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
            state.titles,
            [TaskTitle {
                branch: "u/auth".into(),
                title: "refactor auth".into(),
                project: None,
                workspace_id: None
            }]
        );
        assert!(o.refresh().1.is_empty(), "unchanged files are not re-read or re-reported");
    }
}
