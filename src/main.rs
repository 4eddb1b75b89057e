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
    // The other boxes: given before a subcommand (the TUI) or to `list` and `kill`.
    let remote = match &args.command {
        Some(Command::List(list)) => args.remote.and(&list.remote),
        Some(Command::Kill(kill)) => args.remote.and(&kill.remote),
        _ => args.remote.clone(),
    };
    let flags = Flags {
        refresh_ms: args.refresh,
        read_only: args.read_only,
        source: args.source.map(Into::into),
        hosts: remote.hosts.clone(),
        ssh_command: remote.ssh_command.clone(),
        remote_command: remote.remote_command.clone(),
        memory: args.memory.map(Into::into),
    };
    let local = !remote.no_local;
    let cli_hosts = remote.hosts.clone();
    // Every command but the generated ones reads the config, so a bad one fails them all.
    let config = || cli::load_config(args.config.as_deref(), &flags);
    match args.command {
        Some(Command::List(list)) => cli::list::run(&list, &config()?, local),
        Some(Command::Serve(serve)) => cli::serve::run(&serve, &config()?),
        Some(Command::Ports(ports)) => cli::ports::run(&ports, &config()?),
        Some(Command::Demo) => cli::demo::run(&config()?),
        Some(Command::Run(run)) => config().and_then(|_| cli::run::run(&run)),
        Some(Command::Kill(kill)) => cli::kill::run(&kill, &config()?, &cli_hosts),
        Some(Command::Signal(a)) => cli::actions::signal(&a, &config()?, &cli_hosts),
        Some(Command::Pause(a)) => cli::actions::pause(&a, &config()?, &cli_hosts),
        Some(Command::Resume(a)) => cli::actions::resume(&a, &config()?, &cli_hosts),
        Some(Command::Renice(a)) => cli::actions::renice(&a, &config()?, &cli_hosts),
        Some(Command::Reap(reap)) => cli::reap::run(&reap, &config()?),
        Some(Command::Mcp) => config().and_then(|_| Err(cli::mcp::exec_server())),
        Some(Command::Bench(bench)) => cli::bench::run(&bench, &config()?),
        Some(Command::Completions(c)) => cli::manual::completions(&c),
        Some(Command::Man(m)) => cli::manual::write_man_pages(&m),
        None => cli::top::run(&config()?, None, local),
    }
}
