use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use swarmtop::cli::{self, CliError};
use swarmtop::config::Flags;
use swarmtop::sample::SourceKind;

/// top for dev boxes that run many AI coding agents: every live process as
/// project → task → attempt → process tree.
#[derive(Debug, Parser)]
#[command(name = "swarmtop", version, about)]
struct Args {
    /// Config file (default: $XDG_CONFIG_HOME/swarmtop/config.toml).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Refresh interval in milliseconds (TUI).
    #[arg(long, global = true, value_name = "MS")]
    refresh: Option<u64>,
    /// Disable every kill path.
    #[arg(long, global = true)]
    read_only: bool,
    /// Process source.
    #[arg(long, global = true, value_enum)]
    source: Option<SourceKind>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the process forest once (text or JSON).
    List(cli::list::ListArgs),
    /// Kill processes by id, behind a confirmation (see DESIGN.md for target ids).
    Kill(cli::kill::KillArgs),
    /// Run a command as an attempt: tagged, registered, shown under PROJECT → TASK → ATTEMPT.
    Run(cli::run::RunArgs),
    /// Start a demo swarm of real processes in temporary worktrees and show it.
    Demo,
    /// Measure one sample + association against a raw read of every /proc/PID/stat.
    Bench(cli::bench::BenchArgs),
}

fn main() -> ExitCode {
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
    let flags = Flags { refresh_ms: args.refresh, read_only: args.read_only, source: args.source };
    let config = cli::load_config(args.config.as_deref(), &flags)?;
    match args.command {
        Some(Command::List(list)) => cli::list::run(&list, &config),
        Some(Command::Demo) => cli::demo::run(&config),
        Some(Command::Run(run)) => cli::run::run(&run),
        Some(Command::Kill(kill)) => cli::kill::run(&kill, &config),
        Some(Command::Bench(bench)) => cli::bench::run(&bench, &config),
        None => cli::top::run(&config, None),
    }
}
