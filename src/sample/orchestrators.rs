//! Orchestrators' own state files under one home directory, each read when it changes:
//! KILD and shards sessions (`sample::kild`), Script Kit's running scripts
//! (`sample::script_kit`), and the task titles of claude-squad (`~/.claude-squad/state.json`),
//! uzi (`~/.local/share/uzi/state.json`) and KILD v2 (`<kild home>/kilds/*.json`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::keyed::Place;
use super::watched::{self, Joined, WatchedDir, WatchedFile};
use super::{kild, script_kit};
use crate::model::{ExternalSession, Shared, TaskTitle};

/// claude-squad's state file: its instances are stored as JSON inside it
/// (smtg-ai/claude-squad `config/state.go`, `session/storage.go` at 434ca25).
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

/// uzi's agents by session name (devflowinc/uzi `pkg/state/state.go` at 421685f).
#[derive(Deserialize)]
struct UziAgent {
    #[serde(default)]
    branch_name: String,
    #[serde(default)]
    prompt: String,
}

/// What the orchestrators' state files say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrchestratorState {
    pub sessions: Shared<ExternalSession>,
    pub titles: Shared<TaskTitle>,
}

/// State files under one home directory (and one KILD v2 home); each re-read only when it
/// changes.
#[derive(Debug)]
pub struct Orchestrators {
    owner: Option<u32>,
    kild: WatchedDir<ExternalSession>,
    shards: WatchedDir<ExternalSession>,
    bun: Vec<WatchedFile<ExternalSession>>,
    scriptkit: WatchedDir<ExternalSession>,
    squad: WatchedFile<TaskTitle>,
    uzi: WatchedFile<TaskTitle>,
    kild_v2: WatchedDir<TaskTitle>,
    sessions: Joined<ExternalSession>,
    titles: Joined<TaskTitle>,
}

impl Orchestrators {
    pub fn new(home: Option<PathBuf>) -> Orchestrators {
        let kild_v2 = home.as_ref().map(|h| h.join(".config/kild"));
        Orchestrators::at(home.map(Place::of).as_ref(), kild_v2)
    }

    /// The files under `home`, and KILD v2's under `kild_v2`.
    pub fn at(home: Option<&Place>, kild_v2: Option<PathBuf>) -> Orchestrators {
        let under = |rel: &str| home.map(|h| h.join(rel));
        Orchestrators {
            owner: home.and_then(|h| h.owner),
            kild: WatchedDir::new(under(".kild/sessions"), kild::session_file),
            shards: WatchedDir::new(under(".shards/sessions"), watched::json_files),
            bun: [".kenv/active-bun-pids.json", ".sk/kit/active-bun-pids.json"]
                .iter()
                .map(|f| WatchedFile::new(under(f)))
                .collect(),
            scriptkit: WatchedDir::new(under(".scriptkit"), script_kit::registry_file),
            squad: WatchedFile::new(under(".claude-squad/state.json")),
            uzi: WatchedFile::new(under(".local/share/uzi/state.json")),
            kild_v2: WatchedDir::new(kild_v2.map(|k| k.join("kilds")), watched::json_files),
            sessions: Joined::default(),
            titles: Joined::default(),
        }
    }

    /// What the files say, and the problems not told yet (once per file content).
    pub fn refresh(&mut self) -> (OrchestratorState, Vec<String>) {
        let mut warnings = Vec::new();
        let state = self.refresh_into(&mut warnings);
        (state, warnings)
    }

    pub fn refresh_into(&mut self, warnings: &mut Vec<String>) -> OrchestratorState {
        let owner = self.owner;
        let kild = |p: &Path, t: &str, w: &mut Vec<String>| kild::sessions(p, t, w, owner);
        let bun = |p: &Path, t: &str, w: &mut Vec<String>| script_kit::scripts(p, t, w, owner);
        let mut parts = vec![self.kild.refresh(kild, warnings), self.shards.refresh(kild, warnings)];
        parts.extend(self.bun.iter_mut().map(|f| f.refresh(bun, warnings)));
        parts.push(self.scriptkit.refresh(bun, warnings));
        let titles = vec![
            self.squad.refresh(squad_titles, warnings),
            self.uzi.refresh(uzi_titles, warnings),
            self.kild_v2.refresh(kild::v2_titles, warnings),
        ];
        OrchestratorState { sessions: self.sessions.join(parts), titles: self.titles.join(titles) }
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

/// uzi's prompts (their first line) as the titles of its branches.
fn uzi_titles(path: &Path, text: &str, problems: &mut Vec<String>) -> Vec<TaskTitle> {
    let Some(agents) = watched::json::<BTreeMap<String, UziAgent>>(path, text, problems) else {
        return Vec::new();
    };
    agents
        .into_values()
        .filter(|a| !a.branch_name.is_empty())
        .filter_map(|a| {
            let title: String = a.prompt.lines().next()?.chars().take(100).collect();
            (!title.trim().is_empty()).then_some(TaskTitle {
                branch: a.branch_name,
                title,
                project: None,
                workspace_id: None,
            })
        })
        .collect()
}

pub(super) fn unidentified(path: &Path, pid: u32) -> String {
    format!(
        "{}: the record of pid {pid} has no start time to tell that process from a later one; not used",
        path.display()
    )
}

#[cfg(test)]
#[path = "orchestrators_tests.rs"]
mod tests;
