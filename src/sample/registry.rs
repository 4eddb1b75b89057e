//! The `swarmtop run` registry: one JSON file per run under
//! `$XDG_STATE_HOME/swarmtop/registry/`, written atomically (temp file + rename).
//! Readers ignore and prune entries whose processes are gone, and report a corrupt
//! file once without touching it.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::bounded::{self, Links, ReadError, STATE_FILE_LIMIT};
use super::procfs;
use crate::model::{ProcKey, RegistryEntry};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessId {
    pub pid: u32,
    pub start_time: u64,
}

/// The file format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryFile {
    /// The `swarmtop run` wrapper.
    pub pid: u32,
    pub start_time: u64,
    pub project: String,
    pub task: String,
    pub attempt: String,
    pub cwd: PathBuf,
    pub command: Vec<String>,
    /// The command it started, once started.
    #[serde(default)]
    pub child: Option<ProcessId>,
}

impl RegistryFile {
    fn entry(&self) -> Option<RegistryEntry> {
        Some(RegistryEntry {
            key: ProcKey::new(self.pid, self.start_time)?,
            child: self.child.as_ref().and_then(|c| ProcKey::new(c.pid, c.start_time)),
            project: self.project.clone(),
            task: self.task.clone(),
            attempt: self.attempt.clone(),
            cwd: self.cwd.clone(),
        })
    }
}

/// `$XDG_STATE_HOME/swarmtop/registry`, else `~/.local/state/swarmtop/registry`.
pub fn registry_dir(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    crate::config::xdg_path(env, "XDG_STATE_HOME", ".local/state", "registry")
}

/// Writes `file` as `<dir>/<pid>-<start>.json` atomically; returns its path.
pub fn write(dir: &Path, file: &RegistryFile) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("{}-{}.json", file.pid, file.start_time));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(&serde_json::to_vec_pretty(file).map_err(std::io::Error::other)?)?;
    tmp.as_file().sync_all()?;
    tmp.persist(&path).map_err(|e| e.error)?;
    Ok(path)
}

/// Start ticks of a live process (a zombie leader whose threads run is alive).
pub fn start_ticks(pid: u32) -> Option<u64> {
    let stat = procfs::read_stat(pid, &mut Vec::new())?;
    procfs::thread_group_alive(pid, &stat).then_some(stat.start_ticks)
}

fn alive(key: &ProcKey) -> bool {
    start_ticks(key.pid()) == Some(key.start_time())
}

#[derive(Debug, Default)]
pub struct Registry {
    dir: Option<PathBuf>,
    seen_mtime: Option<SystemTime>,
    entries: Vec<RegistryEntry>,
    /// Corrupt files already reported.
    reported: HashSet<PathBuf>,
}

impl Registry {
    pub fn new(dir: Option<PathBuf>) -> Registry {
        Registry { dir, ..Registry::default() }
    }

    /// Live entries, and warnings new since the last call. Re-reads the directory
    /// only when it changed; stale entries are dropped, and their files removed.
    pub fn refresh(&mut self) -> (Vec<RegistryEntry>, Vec<String>) {
        let mut warnings = Vec::new();
        let Some(dir) = self.dir.clone() else { return (Vec::new(), warnings) };
        let mtime = std::fs::metadata(&dir).and_then(|m| m.modified()).ok();
        if mtime.is_none() || mtime != self.seen_mtime {
            self.seen_mtime = mtime;
            self.entries = self.read(&dir, &mut warnings);
        }
        let before = self.entries.len();
        self.entries.retain(|e| alive(&e.key) || e.child.as_ref().is_some_and(alive));
        if self.entries.len() != before {
            // Removing stale files changes the directory: read it again next time.
            self.seen_mtime = None;
        }
        (self.entries.clone(), warnings)
    }

    fn read(&mut self, dir: &Path, warnings: &mut Vec<String>) -> Vec<RegistryEntry> {
        let Ok(listing) = std::fs::read_dir(dir) else { return Vec::new() };
        let mut entries = Vec::new();
        for path in listing.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "json"))
        {
            let parsed = match bounded::read_text(&path, STATE_FILE_LIMIT, Links::Refuse) {
                Ok(text) => serde_json::from_str::<RegistryFile>(&text).map_err(|e| e.to_string()),
                // Removed since the listing: simply gone.
                Err(ReadError::Missing) => continue,
                Err(e) => Err(e.to_string()),
            };
            match parsed.and_then(|f| f.entry().ok_or_else(|| "pid 0".to_string())) {
                Ok(entry) if alive(&entry.key) || entry.child.as_ref().is_some_and(alive) => {
                    entries.push(entry)
                }
                Ok(_) => {
                    if let Err(e) = std::fs::remove_file(&path) {
                        if e.kind() != std::io::ErrorKind::NotFound {
                            warnings.push(format!("{}: stale entry not removed: {e}", path.display()));
                        }
                    }
                }
                Err(e) => {
                    if self.reported.insert(path.clone()) {
                        warnings.push(format!("{}: skipped: {e}", path.display()));
                    }
                }
            }
        }
        entries.sort_by_key(|e| e.key);
        entries
    }
}
