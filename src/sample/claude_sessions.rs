//! `~/.claude/sessions/<pid>.json`: Claude Code's per-process session files. Re-read
//! only when the directory changes; parsed leniently (the format is not published).

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Deserialize;

use super::bounded::{self, Links, ReadError, STATE_FILE_LIMIT};
use crate::model::ClaudeSession;

#[derive(Deserialize)]
struct RawSession {
    pid: u32,
    #[serde(rename = "sessionId")]
    session_id: String,
    #[serde(rename = "procStart", default, deserialize_with = "lenient_u64")]
    proc_start: Option<u64>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

/// `procStart` is written as a string; accept a number too.
fn lenient_u64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Number(u64),
        Text(String),
    }
    Ok(match Option::<Either>::deserialize(d)? {
        Some(Either::Number(n)) => Some(n),
        Some(Either::Text(s)) => s.trim().parse().ok(),
        None => None,
    })
}

#[derive(Debug, Default)]
pub struct ClaudeSessions {
    dir: Option<PathBuf>,
    /// Each session file's mtime: Claude rewrites a file when its status changes.
    seen: Vec<(PathBuf, Option<SystemTime>)>,
    sessions: Vec<ClaudeSession>,
    reported: bounded::Reported,
}

impl ClaudeSessions {
    /// Watches `$HOME/.claude/sessions` (nothing when HOME is unset).
    pub fn from_home(home: Option<&Path>) -> ClaudeSessions {
        ClaudeSessions { dir: home.map(|h| h.join(".claude/sessions")), ..ClaudeSessions::default() }
    }

    /// The current sessions, and the problems of the files read this time that were not
    /// told yet (each is told once while it lasts).
    pub fn refresh(&mut self) -> (Vec<ClaudeSession>, Vec<String>) {
        let Some(dir) = &self.dir else { return (Vec::new(), Vec::new()) };
        let mut stamp: Vec<(PathBuf, Option<SystemTime>)> = std::fs::read_dir(dir)
            .map(|d| d.flatten().map(|e| (e.path(), e.metadata().and_then(|m| m.modified()).ok())).collect())
            .unwrap_or_default();
        stamp.sort();
        if stamp == self.seen {
            return (self.sessions.clone(), Vec::new());
        }
        self.seen = stamp;
        let (sessions, warnings) = read_dir(dir);
        self.sessions = sessions;
        (self.sessions.clone(), self.reported.fresh(warnings))
    }
}

pub fn read_dir(dir: &Path) -> (Vec<ClaudeSession>, Vec<String>) {
    let mut sessions = Vec::new();
    let mut warnings = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return (sessions, warnings) };
    for path in entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "json")) {
        let text = match bounded::read_text(&path, STATE_FILE_LIMIT, Links::Refuse) {
            Ok(text) => text,
            // A file removed between listing and reading is simply gone.
            Err(ReadError::Missing) => continue,
            Err(e) => {
                warnings.push(format!("{}: skipped: {e}", path.display()));
                continue;
            }
        };
        match serde_json::from_str::<RawSession>(&text) {
            Ok(raw) => sessions.push(ClaudeSession {
                pid: raw.pid,
                session_id: raw.session_id,
                proc_start: raw.proc_start,
                name: raw.name,
                status: raw.status,
            }),
            Err(e) => warnings.push(format!("{}: skipped: {e}", path.display())),
        }
    }
    sessions.sort_by_key(|s| s.pid);
    (sessions, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_files_parse_leniently_and_bad_ones_are_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("4242.json"),
            r#"{"pid":4242,"sessionId":"s-1","cwd":"/wt","startedAt":1,"procStart":"98765","version":"2.1.197","kind":"interactive","name":"fix login","status":"busy","tmux":"x:@1.%2"}"#,
        )
        .unwrap();
        std::fs::write(dir.path().join("7.json"), r#"{"pid":7,"sessionId":"s-2","procStart":5}"#).unwrap();
        std::fs::write(dir.path().join("8.json"), r#"{"pid":8}"#).unwrap();
        std::fs::write(dir.path().join("9.json"), "{not json").unwrap();
        let (sessions, warnings) = read_dir(dir.path());
        assert_eq!(sessions.len(), 2);
        assert_eq!(sessions[0].proc_start, Some(5));
        assert_eq!(sessions[1].proc_start, Some(98765));
        assert_eq!(sessions[1].status.as_deref(), Some("busy"));
        assert_eq!(warnings.len(), 2);
        assert!(warnings.iter().any(|w| w.contains("8.json") && w.contains("sessionId")), "{warnings:?}");
        let mut watched = ClaudeSessions { dir: Some(dir.path().to_path_buf()), ..ClaudeSessions::default() };
        assert_eq!(watched.refresh().0.len(), 2);
        assert!(watched.refresh().1.is_empty(), "unchanged files are not read again");
        let busy = r#"{"pid":7,"sessionId":"s-2","procStart":5,"status":"waiting"}"#;
        std::fs::write(dir.path().join("7.json"), busy).unwrap();
        let file = std::fs::File::options().write(true).open(dir.path().join("7.json")).unwrap();
        file.set_modified(SystemTime::now() + std::time::Duration::from_secs(5)).unwrap();
        let (sessions, _) = watched.refresh();
        assert_eq!(sessions[0].status.as_deref(), Some("waiting"), "a rewritten file is read again");
    }
}
