//! `swarmtop signal NAME TARGET…`, `swarmtop pause TARGET…`, `swarmtop resume TARGET…`
//! and `swarmtop renice N TARGET…`: the same targets, plan, confirmation, flags and exit
//! codes as `swarmtop kill`, carried out by the same executor.

use super::CliError;
use super::act::{Asking, Nothing, act, local_targets};
use super::kill::NarrowArgs;
use super::values::SignalParser;
use crate::config::Config;
use crate::kill::operation::{NICE_MAX, NICE_MIN, Operation};
use crate::kill::signal::Signal;

/// Targets and flags every action takes.
#[derive(Debug, Clone, clap::Args)]
pub struct ActionArgs {
    /// One or more ids, in the forms listed under "Targets" below.
    #[arg(required = true, value_name = "TARGET")]
    pub targets: Vec<String>,
    /// Print what would be done; do nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for confirmation.
    #[arg(long, short)]
    pub yes: bool,
    /// Print the plan or the report as JSON (docs/kill-schema-1.json).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub narrow: NarrowArgs,
}

impl ActionArgs {
    fn run(&self, operation: Operation, config: &Config, cli_hosts: &[String]) -> Result<i32, CliError> {
        let asking = Asking { dry_run: self.dry_run, yes: self.yes, json: self.json };
        let targets = local_targets(operation, &self.targets, cli_hosts, config)?;
        act(&targets, &self.narrow.narrowing(), operation, &asking, config, Nothing::Fails)
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct SignalArgs {
    /// The signal, by name or number: HUP, SIGUSR1, int, 10… Sent once to each process
    /// (no SIGKILL after it); STOP pauses and CONT resumes, as `swarmtop pause`/`resume`.
    #[arg(value_name = "SIGNAL", value_parser = SignalParser { for_kill: false })]
    pub signal: Signal,
    #[command(flatten)]
    pub action: ActionArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ReniceArgs {
    /// The nice value, -20 (first) to 19 (last); lowering it needs privilege.
    #[arg(
        value_name = "N",
        allow_negative_numbers = true,
        value_parser = clap::value_parser!(i32).range(i64::from(NICE_MIN)..=i64::from(NICE_MAX))
    )]
    pub nice: i32,
    #[command(flatten)]
    pub action: ActionArgs,
}

pub fn signal(args: &SignalArgs, config: &Config, cli_hosts: &[String]) -> Result<i32, CliError> {
    args.action.run(Operation::send(args.signal), config, cli_hosts)
}

pub fn pause(args: &ActionArgs, config: &Config, cli_hosts: &[String]) -> Result<i32, CliError> {
    args.run(Operation::Pause, config, cli_hosts)
}

pub fn resume(args: &ActionArgs, config: &Config, cli_hosts: &[String]) -> Result<i32, CliError> {
    args.run(Operation::Resume, config, cli_hosts)
}

pub fn renice(args: &ReniceArgs, config: &Config, cli_hosts: &[String]) -> Result<i32, CliError> {
    args.action.run(Operation::Renice { nice: args.nice }, config, cli_hosts)
}
