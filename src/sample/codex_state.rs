//! Codex CLI's state under one `CODEX_HOME` (else `~/.codex`):
//! - the threads database `state_5.sqlite` in the sqlite home: the config key
//!   `sqlite_home` (`config.toml`), else `$CODEX_SQLITE_HOME`, else `CODEX_HOME`
//!   (openai/codex `codex-rs/state/src/lib.rs` at 00e9f06, `core/src/config` docs);
//! - the managed app-server daemon's pid files in `app-server-daemon/`: `daemon.pid` and
//!   `daemon-updater.pid` (`{"pid","processStartTime","processIdentity":{"bootId",
//!   "startTicks"}}`, @openai/codex 0.171.0 from npm, run here) and `app-server.pid`,
//!   `app-server-updater.pid` (`{"pid","processStartTime"}` with `ps -o lstart=` text,
//!   `app-server-daemon/src/backend/pid.rs` at 06e41b3).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::keyed::Place;
use super::sqlite_state::{Database, codex_threads};
use super::watched::{self, WatchedFile};
use crate::model::{NamedWorkspace, RecordedStart, ServiceRecord, Shared};

const PID_FILES: [&str; 4] = ["daemon.pid", "daemon-updater.pid", "app-server.pid", "app-server-updater.pid"];

#[derive(Deserialize)]
struct RawPidFile {
    pid: u32,
    #[serde(rename = "processStartTime", default)]
    process_start_time: Option<String>,
    #[serde(rename = "processIdentity", default)]
    process_identity: Option<RawIdentity>,
}

#[derive(Deserialize)]
struct RawIdentity {
    #[serde(rename = "bootId", default)]
    boot_id: Option<String>,
    #[serde(rename = "startTicks")]
    start_ticks: u64,
}

/// This boot's id: a record from an earlier boot names nothing alive.
fn boot_id() -> Option<&'static str> {
    static ID: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok().map(|s| s.trim().to_string())
    })
    .as_deref()
}

#[derive(Debug)]
pub struct CodexState {
    home: Place,
    sqlite_env: Option<PathBuf>,
    config: WatchedFile<PathBuf>,
    /// The sqlite home the database below is in.
    sqlite_home: PathBuf,
    threads: Database<NamedWorkspace>,
    pid_files: Vec<WatchedFile<ServiceRecord>>,
}

/// What one Codex home holds.
#[derive(Debug, Clone, Default)]
pub struct CodexParts {
    pub threads: Shared<NamedWorkspace>,
    pub services: Vec<Shared<ServiceRecord>>,
}

impl CodexState {
    /// A Codex home and the `CODEX_SQLITE_HOME` of the processes using it.
    pub fn new(home: Place, sqlite_env: Option<PathBuf>) -> CodexState {
        let sqlite_home = sqlite_env.clone().unwrap_or_else(|| home.dir.clone());
        CodexState {
            config: WatchedFile::new(Some(home.join("config.toml"))),
            threads: Database::new(vec![sqlite_home.join("state_5.sqlite")]),
            sqlite_home,
            pid_files: PID_FILES
                .iter()
                .map(|f| WatchedFile::new(Some(home.join("app-server-daemon").join(f))))
                .collect(),
            sqlite_env,
            home,
        }
    }

    pub fn refresh(&mut self, warnings: &mut Vec<String>) -> CodexParts {
        let configured = self.config.refresh(sqlite_home_key, warnings);
        let sqlite_home = configured
            .first()
            .cloned()
            .or_else(|| self.sqlite_env.clone())
            .unwrap_or_else(|| self.home.dir.clone());
        if sqlite_home != self.sqlite_home {
            self.threads = Database::new(vec![sqlite_home.join("state_5.sqlite")]);
            self.sqlite_home = sqlite_home;
        }
        let owner = self.home.owner;
        let threads = self.threads.refresh(&|c| codex_threads(c, owner), warnings);
        let services = self
            .pid_files
            .iter_mut()
            .map(|f| f.refresh(|p: &Path, t: &str, w: &mut Vec<String>| pid_record(p, t, w, owner), warnings))
            .collect();
        CodexParts { threads, services }
    }
}

/// `sqlite_home` of `config.toml`, when set (relative to the config's directory).
fn sqlite_home_key(path: &Path, text: &str, problems: &mut Vec<String>) -> Vec<PathBuf> {
    let value: toml::Table = match text.parse() {
        Ok(v) => v,
        Err(e) => {
            problems.push(format!("{}: skipped: {}", path.display(), e.message()));
            return Vec::new();
        }
    };
    match value.get("sqlite_home") {
        None => Vec::new(),
        Some(toml::Value::String(dir)) => {
            let base = path.parent().unwrap_or(Path::new("/"));
            vec![base.join(dir)]
        }
        Some(other) => {
            problems.push(format!(
                "{}: sqlite_home: expected a path, found a {}; using CODEX_SQLITE_HOME or CODEX_HOME",
                path.display(),
                other.type_str()
            ));
            Vec::new()
        }
    }
}

fn pid_record(path: &Path, text: &str, problems: &mut Vec<String>, owner: Option<u32>) -> Vec<ServiceRecord> {
    // An empty file is a start in progress (`pid.rs`: "Starting").
    if text.trim().is_empty() {
        return Vec::new();
    }
    let Some(raw) = watched::json::<RawPidFile>(path, text, problems) else { return Vec::new() };
    let start = match (raw.process_identity, raw.process_start_time) {
        (Some(id), _) if id.boot_id.is_some() && id.boot_id.as_deref() != boot_id() => return Vec::new(),
        (Some(id), _) => RecordedStart::Ticks(id.start_ticks),
        (None, Some(lstart)) => RecordedStart::LocalTime(lstart),
        (None, None) => {
            problems.push(format!(
                "{}: the record of pid {} has no start time to tell that process from a later one; not used",
                path.display(),
                raw.pid
            ));
            return Vec::new();
        }
    };
    vec![ServiceRecord { pid: raw.pid, start, owner }]
}

#[cfg(test)]
#[path = "codex_state_tests.rs"]
mod tests;
