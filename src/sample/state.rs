//! Every agent's and orchestrator's state, read where each process's own environment says
//! it is (`model::homes`, `sample::locations`), falling back to swarmtop's own: each
//! distinct directory is watched once (`sample::keyed`), whichever processes name it, and
//! each file in it is read again only when it changes (`sample::watched`).

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use super::claude_sessions::ClaudeSessions;
use super::codex_state::CodexState;
use super::keyed::{Keyed, Place};
use super::locations::StateDirs;
use super::orchestrators::Orchestrators;
use super::sqlite_state::{Database, crystal_sessions};
use super::vibe_kanban::{VibeKanban, VkConfig};
use super::watched::Joined;
use super::worktree::KnownLayouts;
use crate::model::homes::StateHomes;
use crate::model::{
    AttemptSource, ClaudeJob, ClaudeSession, ExternalSession, NamedWorkspace, Process, ServiceRecord, Shared,
    TaskTitle,
};

/// What the state files say this refresh.
#[derive(Debug, Clone, Default)]
pub struct StateRows {
    pub claude_sessions: Shared<ClaudeSession>,
    pub claude_jobs: Shared<ClaudeJob>,
    pub services: Shared<ServiceRecord>,
    pub codex_threads: Shared<NamedWorkspace>,
    pub crystal_sessions: Shared<NamedWorkspace>,
    pub titles: Shared<TaskTitle>,
    pub external: Shared<ExternalSession>,
    /// The orchestrators' worktree layouts these homes and configs name.
    pub layouts: KnownLayouts,
}

#[derive(Debug, Default)]
pub struct StateReaders {
    own: StateHomes,
    claude: Keyed<Place, ClaudeSessions>,
    codex: Keyed<(Place, Option<PathBuf>), CodexState>,
    vibe_kanban: Keyed<(Place, Option<PathBuf>), VibeKanban>,
    crystal: Keyed<Place, (Option<u32>, Database<NamedWorkspace>)>,
    orchestrators: Keyed<(Place, Option<PathBuf>), Orchestrators>,
    claude_sessions: Joined<ClaudeSession>,
    claude_jobs: Joined<ClaudeJob>,
    services: Joined<ServiceRecord>,
    codex_threads: Joined<NamedWorkspace>,
    crystal_sessions: Joined<NamedWorkspace>,
    titles: Joined<TaskTitle>,
    external: Joined<ExternalSession>,
    vk_configs: Joined<VkConfig>,
}

/// swarmtop's own homes first, then each distinct one of the processes (shared copies are
/// compared by address first: every process of a user holds the same one).
fn distinct_homes<'a>(own: &'a StateHomes, processes: &'a [Process]) -> Vec<&'a StateHomes> {
    let mut seen: HashSet<*const StateHomes> = HashSet::new();
    let mut out = vec![own];
    for h in processes.iter().filter_map(|p| p.facts.homes.as_ref()) {
        if seen.insert(Arc::as_ptr(h)) && !out.contains(&&**h) {
            out.push(h);
        }
    }
    out
}

impl StateReaders {
    /// Readers that fall back to the places `own` (swarmtop's environment) names.
    pub fn new(own: StateHomes) -> StateReaders {
        StateReaders { own, ..StateReaders::default() }
    }

    pub fn refresh(&mut self, processes: &[Process], warnings: &mut Vec<String>) -> StateRows {
        let dirs: Vec<StateDirs> =
            distinct_homes(&self.own, processes).into_iter().map(StateDirs::of).collect();
        let (mut sessions, mut jobs, mut services) = (Vec::new(), Vec::new(), Vec::new());
        let wanted = dirs.iter().filter_map(|d| d.claude.clone()).map(Place::of);
        for (_, claude) in self.claude.sync(wanted, |p| ClaudeSessions::in_dir(Some(p.clone()))) {
            let parts = claude.refresh_all(warnings);
            sessions.push(parts.sessions);
            jobs.push(parts.jobs);
            services.extend([parts.status, parts.roster]);
        }
        let mut threads = Vec::new();
        let wanted =
            dirs.iter().filter_map(|d| Some((Place::of(d.codex_home.clone()?), d.codex_sqlite_env.clone())));
        for (_, codex) in self.codex.sync(wanted, |(home, env)| CodexState::new(home.clone(), env.clone())) {
            let parts = codex.refresh(warnings);
            threads.push(parts.threads);
            services.extend(parts.services);
        }
        let (mut titles, mut configs) = (Vec::new(), Vec::new());
        let wanted = dirs.iter().filter_map(|d| Some((Place::of(d.vibe_kanban.clone()?), d.home.clone())));
        for (_, vk) in self.vibe_kanban.sync(wanted, |(dir, home)| VibeKanban::new(dir, home.clone())) {
            let parts = vk.refresh(warnings);
            titles.push(parts.titles);
            configs.push(parts.config);
        }
        let mut crystal = Vec::new();
        let wanted = dirs.iter().flat_map(|d| d.crystal.iter().cloned()).map(Place::of);
        let make = |p: &Place| (p.owner, Database::new(vec![p.join("sessions.db")]));
        for (_, (owner, db)) in self.crystal.sync(wanted, make) {
            let owner = *owner;
            crystal.push(db.refresh(&|c| crystal_sessions(c, owner), warnings));
        }
        let mut external = Vec::new();
        let wanted = dirs.iter().filter_map(|d| Some((Place::of(d.home.clone()?), d.kild_v2.clone())));
        for (_, o) in
            self.orchestrators.sync(wanted, |(home, kild)| Orchestrators::at(Some(home), kild.clone()))
        {
            let state = o.refresh_into(warnings);
            external.push(state.sessions);
            titles.push(state.titles);
        }
        let configs = self.vk_configs.join(configs);
        StateRows {
            claude_sessions: self.claude_sessions.join(sessions),
            claude_jobs: self.claude_jobs.join(jobs),
            services: self.services.join(services),
            codex_threads: self.codex_threads.join(threads),
            crystal_sessions: self.crystal_sessions.join(crystal),
            titles: self.titles.join(titles),
            external: self.external.join(external),
            layouts: layouts(&dirs, &configs),
        }
    }
}

/// The worktree roots each home names, and vibe-kanban's configured ones.
fn layouts(dirs: &[StateDirs], configs: &[VkConfig]) -> KnownLayouts {
    let mut l = KnownLayouts { vk_branch_prefixes: vec!["vk".to_string()], ..KnownLayouts::default() };
    for c in configs {
        l.merge(&KnownLayouts {
            vibe_kanban: c.worktree_root.iter().cloned().collect(),
            vk_branch_prefixes: vec![c.branch_prefix.clone()],
            roots: Vec::new(),
        });
    }
    for d in dirs {
        let in_home = [
            // smtg-ai/claude-squad `session/git/worktree.go` (434ca25): `<branch>_<hex>`, the
            // branch's `/` kept, so `<user>/<title>_<hex>`.
            (".claude-squad/worktrees", AttemptSource::ClaudeSquad),
            (".kild/worktrees", AttemptSource::Kild),
            (".shards/worktrees", AttemptSource::Kild),
            // devflowinc/uzi `cmd/prompt/prompt.go` (421685f).
            (".local/share/uzi/worktrees", AttemptSource::Uzi),
            // dagger/container-use `repository/repository.go` (2e43e62).
            (".config/container-use/worktrees", AttemptSource::ContainerUse),
            // Conductor since 0.25.0 (docs.conductor.build/tips/nesting-issues).
            ("conductor/workspaces", AttemptSource::Conductor),
        ];
        let mut roots: Vec<(PathBuf, AttemptSource)> =
            in_home.iter().filter_map(|(rel, source)| Some((d.under_home(rel)?, *source))).collect();
        // KILD v2: `<kild home>/worktrees/<name>` (Wirasm/kild `engine/src/kild/worktree.ts`).
        roots.extend(d.kild_v2.as_ref().map(|k| (k.join("worktrees"), AttemptSource::Kild)));
        // The Codex app: `$CODEX_HOME/worktrees/<id>/<project>` (developers.openai.com/codex/app/worktrees).
        roots.extend(d.codex_home.as_ref().map(|c| (c.join("worktrees"), AttemptSource::Codex)));
        l.merge(&KnownLayouts { roots, ..KnownLayouts::default() });
    }
    l
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
