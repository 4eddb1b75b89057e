//! `swarmtop demo`: start the demo swarm, show it, clean up on exit or signal.

use tokio::signal::unix::{Signal, SignalKind, signal};

use super::CliError;
use super::demo_swarm::DemoSwarm;
use crate::config::Config;

pub fn run(config: &Config) -> Result<i32, CliError> {
    // Catch INT, TERM and HUP for the demo's whole life, so a signal at any moment
    // (not only while the TUI listens) still ends in the cleanup below.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let _signals = runtime.block_on(async { catch_signals() })?;
    let swarm = DemoSwarm::start()?;
    crate::warn!("swarmtop demo: swarm started in {}", swarm.root().display());
    let code = show(config, &swarm);
    drop(swarm);
    crate::warn!("swarmtop demo: every demo process and file removed");
    code
}

fn catch_signals() -> std::io::Result<[Signal; 3]> {
    Ok([signal(SignalKind::interrupt())?, signal(SignalKind::terminate())?, signal(SignalKind::hangup())?])
}

fn show(config: &Config, swarm: &DemoSwarm) -> Result<i32, CliError> {
    swarm.wait_ready();
    let root = swarm.root().to_string_lossy().into_owned();
    if crate::tui::terminal::is_interactive() {
        // The demo swarm is on this box: other boxes of the config are not shown.
        let config = Config { hosts: Vec::new(), ..config.clone() };
        return super::top::run(&config, Some(root), true);
    }
    // Without a terminal (scripts, CI) the demo prints the forest once.
    let forest = super::forest_measured(config, false)?;
    let args = super::list::ListArgs { filter: Some(root), ..Default::default() };
    let text = super::list::render(&args, &forest, None, config.memory)?;
    super::list::write_stdout(&text)
}
