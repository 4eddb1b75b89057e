//! Orchestrators' own state files, read when they change:
//! KILD / shards sessions (`~/.kild/sessions/<id>/kild.json`, `~/.shards/sessions/*.json`)
//! and Script Kit's running scripts (`~/.sk/kit/active-bun-pids.json`).

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Deserialize;

use crate::model::{AttemptSource, ExternalSession};

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

/// State files under one home directory; re-read only when one of them changes.
#[derive(Debug, Default)]
pub struct Orchestrators {
    home: Option<PathBuf>,
    stamp: Vec<Option<SystemTime>>,
    sessions: Vec<ExternalSession>,
}

impl Orchestrators {
    pub fn new(home: Option<PathBuf>) -> Orchestrators {
        Orchestrators { home, ..Orchestrators::default() }
    }

    /// The recorded processes, and the problems of files read this time.
    pub fn refresh(&mut self) -> (Vec<ExternalSession>, Vec<String>) {
        let Some(home) = self.home.clone() else { return (Vec::new(), Vec::new()) };
        let watched = watched_paths(&home);
        let stamp: Vec<Option<SystemTime>> =
            watched.iter().map(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok()).collect();
        if stamp == self.stamp {
            return (self.sessions.clone(), Vec::new());
        }
        self.stamp = stamp;
        let mut warnings = Vec::new();
        self.sessions = read_all(&home, &mut warnings);
        (self.sessions.clone(), warnings)
    }
}

/// The files and directories whose mtimes tell that something changed.
fn watched_paths(home: &Path) -> Vec<PathBuf> {
    let kild = home.join(".kild/sessions");
    let mut paths =
        vec![kild.clone(), home.join(".shards/sessions"), home.join(".sk/kit/active-bun-pids.json")];
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
        files.extend(dirs.flatten().map(|d| d.path().join("kild.json")).filter(|p| p.is_file()));
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

fn parse<T: for<'de> Deserialize<'de>>(path: &Path, warnings: &mut Vec<String>) -> Option<T> {
    // A file removed between listing and reading is simply gone.
    let text = std::fs::read_to_string(path).ok()?;
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
    let task = s.branch.strip_prefix("kild/").unwrap_or(&s.branch).to_string();
    Some(ExternalSession {
        source: AttemptSource::Kild,
        pid: s.process_id?,
        comm: s.process_name,
        start_epoch_secs: s.process_start_time,
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
        .map(|s| {
            let task =
                s.script_path.file_stem().map_or("script".into(), |n| n.to_string_lossy().into_owned());
            let secs = s.started_at.map(|t| if t > 1e11 { t / 1000.0 } else { t } as u64);
            ExternalSession {
                source: AttemptSource::ScriptKit,
                pid: s.pid,
                comm: None,
                start_epoch_secs: secs,
                worktree: None,
                project: "script-kit".into(),
                task,
                attempt: s.pid.to_string(),
            }
        })
        .collect()
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
        let mut o = Orchestrators::new(Some(h.to_path_buf()));
        assert_eq!(o.refresh().0.len(), 2);
        assert!(o.refresh().1.is_empty(), "unchanged files are not re-read or re-reported");
    }
}
