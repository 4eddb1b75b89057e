use std::process::ExitCode;

use clap::Parser;
use swarmtop::cli::args::{Args, Command};
use swarmtop::cli::{self, CliError};
use swarmtop::config::Flags;

fn main() -> ExitCode {
    // A process of the demo swarm plays its part instead (it has no arguments of ours).
    cli::demo_standin::play_if_asked();
    let args = Args::parse();
    match run(args) {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            swarmtop::warn!("swarmtop: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn run(args: Args) -> Result<i32, CliError> {
    let flags =
        Flags { refresh_ms: args.refresh, read_only: args.read_only, source: args.source.map(Into::into) };
    // Every command but the generated ones reads the config, so a bad one fails them all.
    let config = || cli::load_config(args.config.as_deref(), &flags);
    match args.command {
        Some(Command::List(list)) => cli::list::run(&list, &config()?),
        Some(Command::Ports(ports)) => cli::ports::run(&ports, &config()?),
        Some(Command::Demo) => cli::demo::run(&config()?),
        Some(Command::Run(run)) => config().and_then(|_| cli::run::run(&run)),
        Some(Command::Kill(kill)) => cli::kill::run(&kill, &config()?),
        Some(Command::Signal(a)) => cli::actions::signal(&a, &config()?),
        Some(Command::Pause(a)) => cli::actions::pause(&a, &config()?),
        Some(Command::Resume(a)) => cli::actions::resume(&a, &config()?),
        Some(Command::Renice(a)) => cli::actions::renice(&a, &config()?),
        Some(Command::Reap(reap)) => cli::reap::run(&reap, &config()?),
        Some(Command::Bench(bench)) => cli::bench::run(&bench, &config()?),
        Some(Command::Completions(c)) => cli::manual::completions(&c),
        Some(Command::Man(m)) => cli::manual::write_man_pages(&m),
        None => cli::top::run(&config()?, None),
    }
}
