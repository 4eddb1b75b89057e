//! `~/.claude/sessions/<pid>.json`: Claude Code's per-process session files, each
//! re-read only when it changes; parsed leniently (the format is not published).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::watched::{self, WatchedDir};
use crate::model::{ClaudeSession, Shared};

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

#[derive(Debug)]
pub struct ClaudeSessions {
    dir: WatchedDir<ClaudeSession>,
}

impl ClaudeSessions {
    /// Watches `$HOME/.claude/sessions` (nothing when HOME is unset).
    pub fn from_home(home: Option<&Path>) -> ClaudeSessions {
        ClaudeSessions::new(home.map(|h| h.join(".claude/sessions")))
    }

    pub fn new(dir: Option<PathBuf>) -> ClaudeSessions {
        ClaudeSessions { dir: WatchedDir::new(dir, watched::json_files).sorted_by(|a, b| a.pid.cmp(&b.pid)) }
    }

    /// The current sessions, and the problems not told yet (a file's problems are
    /// told once per content: Claude rewrites a file when its status changes).
    pub fn refresh(&mut self) -> (Shared<ClaudeSession>, Vec<String>) {
        let mut warnings = Vec::new();
        let sessions = self.dir.refresh(parse, &mut warnings);
        (sessions, warnings)
    }
}

fn parse(path: &Path, text: &str, problems: &mut Vec<String>) -> Vec<ClaudeSession> {
    let Some(raw) = watched::json::<RawSession>(path, text, problems) else { return Vec::new() };
    vec![ClaudeSession {
        pid: raw.pid,
        session_id: raw.session_id,
        proc_start: raw.proc_start,
        name: raw.name,
        status: raw.status,
    }]
}

/// One read of every session file in `dir`.
pub fn read_dir(dir: &Path) -> (Vec<ClaudeSession>, Vec<String>) {
    let (sessions, warnings) = ClaudeSessions::new(Some(dir.to_path_buf())).refresh();
    (sessions.to_vec(), warnings)
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
        let mut watched = ClaudeSessions::new(Some(dir.path().to_path_buf()));
        let first = watched.refresh().0;
        assert_eq!(first.len(), 2);
        let (again, told) = watched.refresh();
        assert!(told.is_empty(), "unchanged files are not read again");
        assert!(Shared::ptr_eq(&first, &again), "unchanged files hand out the same rows");
        let busy = r#"{"pid":7,"sessionId":"s-2","procStart":5,"status":"waiting"}"#;
        std::fs::write(dir.path().join("7.json"), busy).unwrap();
        let file = std::fs::File::options().write(true).open(dir.path().join("7.json")).unwrap();
        file.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5)).unwrap();
        let (sessions, _) = watched.refresh();
        assert_eq!(sessions[0].status.as_deref(), Some("waiting"), "a rewritten file is read again");
    }
}
