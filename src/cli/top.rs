//! `swarmtop` with no subcommand: the interactive TUI on the live box.

use super::CliError;
use crate::config::Config;
use crate::tui::app::App;
use crate::tui::keymap::Keymap;
use crate::tui::run;

/// Opens the TUI; `initial_filter` pre-fills the filter (the demo scopes itself with it).
pub fn run(config: &Config, initial_filter: Option<String>, local: bool) -> Result<i32, CliError> {
    let keymap = Keymap::from_config(&config.keys)?;
    if !config.hosts.is_empty() || !local {
        return Err(CliError::Usage(
            "the TUI shows this box only for now: use `swarmtop list --host HOST` (or --watch) for other boxes".into(),
        ));
    }
    if !crate::tui::terminal::is_interactive() {
        return Err(run::TuiError::NotATerminal.into());
    }
    let mut app = App::new(config, keymap);
    app.plan_context = crate::kill::pidfd::local_context(&config.kill.protect);
    if let Some(f) = initial_filter {
        app.filter_text = f;
    }
    let kill_config = config.clone();
    let open_resample: run::OpenResample =
        std::sync::Arc::new(move || super::warm_resample(&kill_config).map_err(|e| e.to_string()));
    run::run(app, super::open_sampler(config)?, super::associate_options(config), open_resample)?;
    Ok(0)
}
