//! The only code that reads the OS for process facts: process sources, the git
//! worktree probe, and the Sampler that turns both into a Snapshot.

pub mod bounded;
pub mod claude_sessions;
pub mod codex_state;
mod cwds;
pub mod environ;
mod file_budget;
pub mod keyed;
pub mod kild;
pub mod layouts;
pub mod linux;
pub mod locations;
pub mod orchestrators;
mod ports;
pub mod registry;
pub mod script_kit;
mod sock_diag;
pub mod sqlite_state;
pub mod state;
pub mod sysinfo_source;
pub mod usage;
pub mod users;
pub mod vibe_kanban;
pub mod watched;
pub mod worktree;

use std::time::{SystemTime, UNIX_EPOCH};

use crate::model::{Process, Snapshot};
use crate::procfs;
pub use linux::ProcfsSource;
pub use sysinfo_source::SysinfoSource;
pub use worktree::WorktreeProbe;

#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    #[error("cannot read {what}: {source}")]
    Unavailable { what: String, source: std::io::Error },
    #[error("sysinfo: {0}")]
    Sysinfo(String),
}

/// Lists every live process with the facts of one refresh. CPU percentages are
/// relative to the previous refresh (0 on the first).
pub trait ProcessSource: Send {
    fn name(&self) -> &'static str;
    fn ticks_per_second(&self) -> u64;
    fn refresh(&mut self) -> Result<Vec<Process>, SampleError>;
    /// What to measure besides the basics, from the next refresh on. A source that
    /// cannot measure something leaves it unknown (`None`).
    fn set_measure(&mut self, _measure: Measure) {}
    /// In pss mode, whose `smaps_rollup` to read (those in attempts), from the next
    /// refresh on.
    fn set_pss_targets(&mut self, _targets: PssTargets) {}
    /// The listening sockets of the last refresh that none of its processes was seen
    /// to hold (their holders' descriptors could not be read, or are not listed).
    fn unowned_ports(&self) -> Vec<crate::model::Port> {
        Vec::new()
    }
}

pub use crate::model::usage::Measure;
pub use usage::PssTargets;

/// Which implementation to use: `auto` is procfs on Linux, else sysinfo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Auto,
    Procfs,
    Sysinfo,
}

pub fn open_source(kind: SourceKind) -> Result<Box<dyn ProcessSource>, SampleError> {
    match kind {
        SourceKind::Procfs => Ok(Box::new(ProcfsSource::new()?)),
        SourceKind::Sysinfo => Ok(Box::new(SysinfoSource::new()?)),
        SourceKind::Auto => match ProcfsSource::new() {
            Ok(s) => Ok(Box::new(s)),
            Err(_) => Ok(Box::new(SysinfoSource::new()?)),
        },
    }
}

/// Facts about the host read once.
#[derive(Debug, Clone, Default)]
pub struct HostFacts {
    pub host: String,
    pub boot_time_secs: u64,
    pub total_memory_bytes: u64,
}

impl HostFacts {
    pub fn read() -> HostFacts {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_string())
            .or_else(|_| rustix::system::uname().nodename().to_str().map(str::to_string))
            .unwrap_or_else(|_| "localhost".to_string());
        let boot_time_secs =
            std::fs::read_to_string("/proc/stat").ok().and_then(|s| procfs::parse_boot_time(&s)).unwrap_or(0);
        let total_memory_bytes = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|s| procfs::parse_mem_total(&s))
            .unwrap_or(0);
        HostFacts { host, boot_time_secs, total_memory_bytes }
    }
}

/// A process source plus the worktree probe: one call, one Snapshot.
pub struct Sampler {
    source: Box<dyn ProcessSource>,
    probe: WorktreeProbe,
    /// The layouts of the config (vibe-kanban base directories), before the homes' own.
    base_layouts: worktree::KnownLayouts,
    registry: registry::Registry,
    state: state::StateReaders,
    task_titles: watched::Joined<crate::model::TaskTitle>,
    host: HostFacts,
    self_pid: u32,
    measure: Measure,
}

impl Sampler {
    pub fn new(source: Box<dyn ProcessSource>, host: HostFacts) -> Sampler {
        let env = |k: &str| std::env::var(k).ok();
        Sampler {
            source,
            probe: WorktreeProbe::new(),
            base_layouts: worktree::KnownLayouts::default(),
            registry: registry::Registry::new(registry::registry_dir(&env)),
            state: state::StateReaders::new(crate::model::homes::StateHomes::from_env(&env)),
            task_titles: watched::Joined::default(),
            host,
            self_pid: std::process::id(),
            measure: Measure::default(),
        }
    }

    /// Recognise these orchestrator layouts from now on, besides those the homes name.
    pub fn with_layouts(mut self, layouts: worktree::KnownLayouts) -> Sampler {
        self.base_layouts = layouts;
        self
    }

    pub fn source_name(&self) -> &'static str {
        self.source.name()
    }

    /// What to measure from the next sample on.
    pub fn set_measure(&mut self, measure: Measure) {
        self.measure = measure;
        self.source.set_measure(measure);
    }

    /// What it measures.
    pub fn measure(&self) -> Measure {
        self.measure
    }

    /// In pss mode, whose `smaps_rollup` to read from the next sample on.
    pub fn set_pss_targets(&mut self, targets: PssTargets) {
        self.source.set_pss_targets(targets);
    }

    pub fn sample(&mut self) -> Result<Snapshot, SampleError> {
        use crate::model::tags::{
            CODEX_SESSION_ID, CODEX_THREAD_ID, CONDUCTOR_WORKSPACE_PATH, CRYSTAL_SESSION_ID,
        };
        let processes = self.source.refresh()?;
        let mut warnings = Vec::new();
        let (registry, registry_warnings) = self.registry.refresh();
        warnings.extend(registry_warnings);
        let rows = self.state.refresh(&processes, &mut warnings);
        let mut layouts = self.base_layouts.clone();
        layouts.merge(&rows.layouts);
        self.probe.set_layouts(layouts);
        // Worktrees recorded by orchestrators and agents count even when nobody works there yet.
        let cwds = processes.iter().filter_map(|p| p.cwd.as_deref());
        let recorded = rows.external.iter().filter_map(|e| e.worktree.as_deref());
        let named: std::collections::HashSet<&str> = processes
            .iter()
            .flat_map(|p| [p.tag(CODEX_THREAD_ID), p.tag(CODEX_SESSION_ID), p.tag(CRYSTAL_SESSION_ID)])
            .flatten()
            .collect();
        let threads = rows
            .codex_threads
            .iter()
            .chain(rows.crystal_sessions.iter())
            .filter(|t| named.contains(t.id.as_str()))
            .map(|t| t.cwd.as_path());
        let conductor =
            processes.iter().filter_map(|p| p.tag(CONDUCTOR_WORKSPACE_PATH)).map(std::path::Path::new);
        let worktrees = self.probe.probe(cwds.chain(recorded).chain(threads).chain(conductor));
        warnings.extend(self.probe.take_warnings());
        let sampled_at_ms =
            SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
        Ok(Snapshot {
            host: self.host.host.clone(),
            sampled_at_ms,
            ticks_per_second: self.source.ticks_per_second(),
            boot_time_secs: self.host.boot_time_secs,
            self_pid: self.self_pid,
            processes,
            unowned_ports: self.source.unowned_ports(),
            worktrees,
            total_memory_bytes: self.host.total_memory_bytes,
            claude_sessions: rows.claude_sessions,
            claude_jobs: rows.claude_jobs,
            services: rows.services,
            registry,
            external: rows.external,
            codex_threads: rows.codex_threads,
            crystal_sessions: rows.crystal_sessions,
            task_titles: self.task_titles.join(vec![rows.titles]),
            warnings,
        })
    }
}
