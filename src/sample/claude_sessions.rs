//! Claude Code's state under its config directory (`$CLAUDE_CONFIG_DIR`, else `~/.claude`),
//! each file re-read only when it changes and parsed leniently (none of it is a published
//! format). Shapes as Claude Code 2.1.197 (npm) writes them, run here:
//! - `sessions/<pid>.json`: `{"pid","sessionId","cwd","startedAt","procStart":"90431",
//!   "version","kind":"bg","entrypoint","name","jobId","status",…}`; older builds wrote
//!   `sessions/pid-<n>.json` with a snake_case `session_id`;
//! - `jobs/<id>/state.json`: a background job (`state`, `sessionId`, `cwd`, `intent`, …);
//! - `daemon.status.json` (`supervisorPid`, `supervisorProcStart`) and `daemon/roster.json`
//!   (`workers.<id>.pid`/`procStart`: each job's pty host): the shared background service.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::keyed::Place;
use super::watched::{self, WatchedDir, WatchedFile};
use crate::model::{ClaudeJob, ClaudeSession, RecordedStart, ServiceRecord, Shared};

#[derive(Deserialize)]
struct RawSession {
    #[serde(default)]
    pid: Option<u32>,
    #[serde(rename = "sessionId", alias = "session_id")]
    session_id: String,
    #[serde(rename = "procStart", default, deserialize_with = "lenient_u64")]
    proc_start: Option<u64>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(rename = "jobId", default)]
    job_id: Option<String>,
    #[serde(rename = "statusUpdatedAt", default, deserialize_with = "lenient_u64")]
    status_since_ms: Option<u64>,
    #[serde(rename = "waitingFor", default)]
    waiting_for: Option<String>,
    #[serde(default)]
    tmux: Option<String>,
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

#[derive(Deserialize)]
struct RawJob {
    #[serde(rename = "sessionId", default)]
    session_id: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct RawStatus {
    #[serde(rename = "supervisorPid")]
    pid: u32,
    #[serde(rename = "supervisorProcStart", default, deserialize_with = "lenient_u64")]
    proc_start: Option<u64>,
}

#[derive(Deserialize)]
struct RawWorker {
    pid: u32,
    #[serde(rename = "procStart", default, deserialize_with = "lenient_u64")]
    proc_start: Option<u64>,
}

#[derive(Deserialize)]
struct RawRoster {
    #[serde(default)]
    workers: BTreeMap<String, RawWorker>,
}

/// What one Claude config directory holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaudeParts {
    pub sessions: Shared<ClaudeSession>,
    pub jobs: Shared<ClaudeJob>,
    pub status: Shared<ServiceRecord>,
    pub roster: Shared<ServiceRecord>,
}

#[derive(Debug)]
pub struct ClaudeSessions {
    owner: Option<u32>,
    sessions: WatchedDir<ClaudeSession>,
    jobs: WatchedDir<ClaudeJob>,
    status: WatchedFile<ServiceRecord>,
    roster: WatchedFile<ServiceRecord>,
}

impl ClaudeSessions {
    /// Watches `$HOME/.claude` (nothing when HOME is unset).
    pub fn from_home(home: Option<&Path>) -> ClaudeSessions {
        ClaudeSessions::in_dir(home.map(|h| Place::of(h.join(".claude"))))
    }

    /// Watches only a sessions directory (tests, and one-off reads).
    pub fn new(dir: Option<PathBuf>) -> ClaudeSessions {
        let mut s = ClaudeSessions::in_dir(None);
        s.sessions = sessions_dir(dir);
        s
    }

    /// Watches one Claude config directory.
    pub fn in_dir(place: Option<Place>) -> ClaudeSessions {
        let under = |rel: &str| place.as_ref().map(|p| p.join(rel));
        ClaudeSessions {
            owner: place.as_ref().and_then(|p| p.owner),
            sessions: sessions_dir(under("sessions")),
            jobs: WatchedDir::new(under("jobs"), |d| Some(d.join("state.json"))),
            status: WatchedFile::new(under("daemon.status.json")),
            roster: WatchedFile::new(under("daemon/roster.json")),
        }
    }

    /// The current sessions, and the problems not told yet (a file's problems are
    /// told once per content: Claude rewrites a file when its status changes).
    pub fn refresh(&mut self) -> (Shared<ClaudeSession>, Vec<String>) {
        let mut warnings = Vec::new();
        let parts = self.refresh_all(&mut warnings);
        (parts.sessions, warnings)
    }

    pub fn refresh_all(&mut self, warnings: &mut Vec<String>) -> ClaudeParts {
        let owner = self.owner;
        ClaudeParts {
            sessions: self
                .sessions
                .refresh(|p: &Path, t: &str, w: &mut Vec<String>| parse(p, t, w, owner), warnings),
            jobs: self.jobs.refresh(parse_job, warnings),
            status: self
                .status
                .refresh(|p: &Path, t: &str, w: &mut Vec<String>| parse_status(p, t, w, owner), warnings),
            roster: self
                .roster
                .refresh(|p: &Path, t: &str, w: &mut Vec<String>| parse_roster(p, t, w, owner), warnings),
        }
    }
}

fn sessions_dir(dir: Option<PathBuf>) -> WatchedDir<ClaudeSession> {
    WatchedDir::new(dir, watched::json_files).sorted_by(|a, b| a.pid.cmp(&b.pid))
}

/// `<pid>.json` or the older `pid-<pid>.json`: the pid its name gives.
fn pid_of_name(path: &Path) -> Option<u32> {
    let stem = path.file_stem()?.to_str()?;
    stem.strip_prefix("pid-").unwrap_or(stem).parse().ok()
}

fn parse(path: &Path, text: &str, problems: &mut Vec<String>, owner: Option<u32>) -> Vec<ClaudeSession> {
    let Some(raw) = watched::json::<RawSession>(path, text, problems) else { return Vec::new() };
    let Some(pid) = raw.pid.or_else(|| pid_of_name(path)) else {
        problems.push(format!(
            "{}: skipped: no pid (expected a \"pid\" or a file named <pid>.json)",
            path.display()
        ));
        return Vec::new();
    };
    vec![ClaudeSession {
        pid,
        session_id: raw.session_id,
        proc_start: raw.proc_start,
        name: raw.name,
        status: raw.status,
        job_id: raw.job_id,
        status_since_ms: raw.status_since_ms,
        waiting_for: raw.waiting_for,
        tmux: raw.tmux,
        owner,
    }]
}

fn parse_job(path: &Path, text: &str, problems: &mut Vec<String>) -> Vec<ClaudeJob> {
    let Some(raw) = watched::json::<RawJob>(path, text, problems) else { return Vec::new() };
    let id =
        path.parent().and_then(Path::file_name).map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    vec![ClaudeJob { id, session_id: raw.session_id, state: raw.state, name: raw.name }]
}

fn service(pid: u32, proc_start: Option<u64>, owner: Option<u32>) -> Option<ServiceRecord> {
    Some(ServiceRecord { pid, start: RecordedStart::Ticks(proc_start?), owner })
}

fn parse_status(
    path: &Path,
    text: &str,
    problems: &mut Vec<String>,
    owner: Option<u32>,
) -> Vec<ServiceRecord> {
    let Some(raw) = watched::json::<RawStatus>(path, text, problems) else { return Vec::new() };
    service(raw.pid, raw.proc_start, owner).into_iter().collect()
}

fn parse_roster(
    path: &Path,
    text: &str,
    problems: &mut Vec<String>,
    owner: Option<u32>,
) -> Vec<ServiceRecord> {
    let Some(raw) = watched::json::<RawRoster>(path, text, problems) else { return Vec::new() };
    raw.workers.into_values().filter_map(|w| service(w.pid, w.proc_start, owner)).collect()
}

/// One read of every session file in `dir`.
pub fn read_dir(dir: &Path) -> (Vec<ClaudeSession>, Vec<String>) {
    let (sessions, warnings) = ClaudeSessions::new(Some(dir.to_path_buf())).refresh();
    (sessions.to_vec(), warnings)
}

#[cfg(test)]
#[path = "claude_sessions_tests.rs"]
mod tests;
