//! `swarmtop` with no subcommand: the interactive TUI on the live box, and on every
//! `--host` box under a host row of its own.

use super::CliError;
use super::hosts::HostSet;
use crate::config::Config;
use crate::tui::app::App;
use crate::tui::hosts::RemotePane;
use crate::tui::keymap::Keymap;
use crate::tui::run;

/// Opens the TUI; `initial_filter` pre-fills the filter (the demo scopes itself with it);
/// `local`: this box is shown (not `--no-local`).
pub fn run(config: &Config, initial_filter: Option<String>, local: bool) -> Result<i32, CliError> {
    let keymap = Keymap::from_config(&config.keys)?;
    if !crate::tui::terminal::is_interactive() {
        return Err(run::TuiError::NotATerminal.into());
    }
    let set = HostSet::new(config, local)?;
    let mut app = App::new(config, keymap);
    app.plan_context = crate::kill::pidfd::local_context(&config.kill.protect);
    if let Some(f) = initial_filter {
        app.filter_text = f;
    }
    app.show_local = local;
    app.remotes = set.remotes.iter().map(|h| RemotePane::new(&h.name)).collect();
    let (links, updates) = set.connect();
    let hosts = run::Hosts { control: Box::new(links), updates };
    let kill_config = config.clone();
    let open_resample: run::OpenResample =
        std::sync::Arc::new(move || super::warm_resample(&kill_config).map_err(|e| e.to_string()));
    let sampler = if local { Some(super::open_sampler(config)?) } else { None };
    run::run(app, sampler, super::associate_options(config), open_resample, hosts)?;
    Ok(0)
}
