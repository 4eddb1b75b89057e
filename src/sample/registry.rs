//! The `swarmtop run` registry: one JSON file per run under
//! `$XDG_STATE_HOME/swarmtop/registry/`, written atomically (temp file + rename).
//! Readers ignore and prune entries whose processes are gone, and report a corrupt
//! file once per content without touching it.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::bounded;
use super::watched::{self, WatchedDir};
use crate::model::{ProcKey, RegistryEntry, Shared};
use crate::procfs;

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
    crate::xdg::path(env, "XDG_STATE_HOME", ".local/state", "registry")
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

/// A registry file and what it says.
#[derive(Debug, Clone)]
struct Recorded {
    path: PathBuf,
    entry: RegistryEntry,
}

#[derive(Debug)]
pub struct Registry {
    dir: WatchedDir<Recorded>,
    /// The rows `live` was made from.
    read: Shared<Recorded>,
    live: Shared<RegistryEntry>,
    /// Stale files that could not be removed, told once while they stay.
    unremovable: bounded::Reported,
}

fn parse(path: &Path, text: &str, problems: &mut Vec<String>) -> Vec<Recorded> {
    let Some(file) = watched::json::<RegistryFile>(path, text, problems) else { return Vec::new() };
    match file.entry() {
        Some(entry) => vec![Recorded { path: path.to_path_buf(), entry }],
        None => {
            problems.push(format!("{}: skipped: pid 0", path.display()));
            Vec::new()
        }
    }
}

fn is_live(e: &RegistryEntry) -> bool {
    alive(&e.key) || e.child.as_ref().is_some_and(alive)
}

impl Registry {
    pub fn new(dir: Option<PathBuf>) -> Registry {
        Registry {
            dir: WatchedDir::new(dir, watched::json_files).sorted_by(|a, b| a.entry.key.cmp(&b.entry.key)),
            read: Shared::default(),
            live: Shared::default(),
            unremovable: bounded::Reported::default(),
        }
    }

    /// Live entries, and warnings new since the last call. Re-reads only the files that
    /// changed; entries whose processes are gone are dropped, and their files removed.
    pub fn refresh(&mut self) -> (Shared<RegistryEntry>, Vec<String>) {
        let mut warnings = Vec::new();
        let read = self.dir.refresh(parse, &mut warnings);
        let unchanged = Shared::ptr_eq(&read, &self.read);
        let (live, stale): (Vec<&Recorded>, Vec<&Recorded>) = read.iter().partition(|r| is_live(&r.entry));
        let mut unremoved = Vec::new();
        for r in &stale {
            if let Err(e) = std::fs::remove_file(&r.path) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    unremoved.push(format!("{}: stale entry not removed: {e}", r.path.display()));
                }
            }
        }
        warnings.extend(self.unremovable.fresh(unremoved));
        if !unchanged || !live.iter().map(|r| r.entry.key).eq(self.live.iter().map(|e| e.key)) {
            self.live = live.iter().map(|r| r.entry.clone()).collect();
        }
        self.read = read;
        (self.live.clone(), warnings)
    }
}
