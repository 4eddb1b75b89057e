//! Subcommands. Each returns an exit code; errors carry their own.

pub mod act;
pub mod actions;
pub mod args;
pub mod bench;
mod bench_data;
mod bench_load;
mod bench_tui;
pub mod demo;
pub mod demo_standin;
pub mod demo_swarm;
pub mod hosts;
pub mod interrupt;
pub mod json;
pub mod kill;
mod kill_hosts;
pub mod list;
pub mod manual;
pub mod mcp;
pub mod ports;
pub mod reap;
pub mod remote_kill;
pub mod run;
pub mod serve;
pub mod text;
pub mod top;
pub mod values;
mod watch;

use std::path::{Path, PathBuf};

use crate::associate::{self, Options};
use crate::config::{self, Config, ConfigError, FileInput, Flags};
use crate::model::layout::LayoutPattern;
use crate::model::{Forest, MemoryMode, Snapshot};
use crate::sample::worktree::KnownLayouts;
use crate::sample::{self, HostFacts, SampleError, Sampler};

/// Exit codes: 0 success, 1 partial failure (kills), 2 bad usage or input.
pub const EXIT_USAGE: i32 = 2;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Sample(#[from] SampleError),
    #[error("{0}")]
    Demo(#[from] demo_swarm::DemoError),
    #[error("{0}")]
    Usage(String),
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
    #[error("cannot start {0}")]
    Spawn(String),
    #[error("{0}")]
    Keymap(#[from] crate::tui::keymap::KeymapError),
    #[error("{0}")]
    Tui(#[from] crate::tui::run::TuiError),
    /// Another box could not be reached or answered in a way that stops the command.
    #[error("{0}")]
    Remote(String),
}

impl CliError {
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Output(_) | CliError::Sample(_) | CliError::Demo(_) | CliError::Remote(_) => 1,
            CliError::Config(_) | CliError::Usage(_) | CliError::Keymap(_) => EXIT_USAGE,
            CliError::Tui(crate::tui::run::TuiError::NotATerminal) => EXIT_USAGE,
            CliError::Tui(_) => 1,
            CliError::Spawn(_) => 127,
        }
    }
}

/// Reads the config file (explicit path must exist; the default may be absent) and resolves.
pub fn load_config(explicit: Option<&Path>, flags: &Flags) -> Result<Config, CliError> {
    let env = |k: &str| std::env::var(k).ok();
    let (path, required): (Option<PathBuf>, bool) = match explicit {
        Some(p) => (Some(p.to_path_buf()), true),
        None => (config::default_path(&env), false),
    };
    let text = match &path {
        Some(p) => config::read_config_file(p, required)?,
        None => None,
    };
    let file = match (&path, &text) {
        (Some(path), Some(text)) => Some(FileInput { path, text }),
        _ => None,
    };
    Ok(config::resolve(file, &env, flags)?)
}

pub fn associate_options(config: &Config) -> Options {
    Options {
        subreapers: config.subreapers.clone(),
        agents: config.agents.clone(),
        // Checked when the config was resolved; an invalid one cannot get here.
        layouts: config.layout.iter().filter_map(|l| LayoutPattern::parse(&l.path).ok()).collect(),
    }
}

pub fn open_sampler(config: &Config) -> Result<Sampler, CliError> {
    // Where vibe-kanban makes workspaces by default (`<base>/worktrees`); the rest comes
    // from each process's own environment and vibe-kanban's config.
    let layouts = KnownLayouts {
        vibe_kanban: config.vibe_kanban_dirs.iter().map(|d| d.join("worktrees")).collect(),
        ..KnownLayouts::default()
    };
    Ok(Sampler::new(sample::open_source(config.source)?, HostFacts::read()).with_layouts(layouts))
}

/// Two samples about 200 ms apart, so CPU percentages mean something.
pub fn sample_twice(sampler: &mut Sampler) -> Result<Snapshot, CliError> {
    sample_twice_then(sampler, |_, _| {})
}

/// Like `sample_twice`, calling `between` with the first sample before the second.
fn sample_twice_then(
    sampler: &mut Sampler,
    between: impl FnOnce(&mut Sampler, &Snapshot),
) -> Result<Snapshot, CliError> {
    let first = sampler.sample()?;
    between(sampler, &first);
    std::thread::sleep(std::time::Duration::from_millis(200));
    let mut second = sampler.sample()?;
    // State files are read (and their problems reported) when they change: the first time.
    second.warnings.splice(0..0, first.warnings);
    Ok(second)
}

/// Samples with `sampler` and associates as `config` says, as the plan's forest was: what
/// a kill re-samples the box with. State-file problems were reported with the plan's own
/// sample.
pub fn resample(mut sampler: Sampler, config: &Config) -> crate::kill::pidfd::Resample {
    let options = associate_options(config);
    // No scope of a kill depends on ports (`port:N` is a fixed set of processes): the
    // frozen window is shorter without reading descriptors.
    sampler.set_measure(sample::Measure { ports: false, ..sample::Measure::default() });
    Box::new(move || Ok(associate::associate(&sampler.sample().map_err(|e| e.to_string())?, &options)))
}

/// A sampler of its own for a kill, warmed up: a new sampler's first sample reads every
/// process's command line and environment, and taking it before the kill keeps the
/// frozen window short. (A failed warm-up only makes that window longer; the kill's
/// own samples report their failures.)
pub fn warm_resample(config: &Config) -> Result<crate::kill::pidfd::Resample, CliError> {
    let mut sampler = open_sampler(config)?;
    let _ = sampler.sample();
    Ok(resample(sampler, config))
}

pub fn forest_now(config: &Config) -> Result<Forest, CliError> {
    forest_and_sampler(config).map(|(forest, _)| forest)
}

/// The forest now with memory counted as the config says (in pss mode, the processes
/// in attempts by the first sample and those born since are measured in the second),
/// and I/O rates over the 200 ms between the samples when `io`.
pub fn forest_measured(config: &Config, io: bool) -> Result<Forest, CliError> {
    let mut sampler = open_sampler(config)?;
    let options = associate_options(config);
    sampler.set_measure(sample::Measure { memory: config.memory, io, ..sample::Measure::default() });
    let snapshot = sample_twice_then(&mut sampler, |sampler, first| {
        if config.memory == MemoryMode::Pss {
            let keys = associate::associate(first, &options).attempt_keys();
            sampler.set_pss_targets(sample::PssTargets { keys, at_once: true });
        }
    })?;
    for w in &snapshot.warnings {
        crate::warn!("swarmtop: {w}");
    }
    Ok(associate::associate(&snapshot, &options))
}

/// The forest now, and the sampler that took it (warm: a kill re-samples with it).
pub fn forest_and_sampler(config: &Config) -> Result<(Forest, Sampler), CliError> {
    let mut sampler = open_sampler(config)?;
    let snapshot = sample_twice(&mut sampler)?;
    for w in &snapshot.warnings {
        crate::warn!("swarmtop: {w}");
    }
    Ok((associate::associate(&snapshot, &associate_options(config)), sampler))
}
