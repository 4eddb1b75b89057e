//! `swarmtop kill TARGET… [--mine] [--older-than DUR] [--min-rss SIZE] [--min-cpu PCT]
//! [--keep-agents] [--dry-run] [--yes] [--grace SECS] [--signal NAME] [--json]`.

use std::time::Duration;

use super::CliError;
use super::act::{Asking, Nothing, act, refuse_read_only};
use super::values::SignalParser;
use crate::config::{Config, MAX_GRACE_SECS};
use crate::kill::operation::Operation;
use crate::kill::plan::Narrowing;
use crate::kill::signal::Signal;

#[derive(Debug, Clone, clap::Args)]
pub struct KillArgs {
    /// One or more ids to kill, in the forms listed under "Targets" below.
    #[arg(required = true, value_name = "TARGET")]
    pub targets: Vec<String>,
    #[command(flatten)]
    pub run: RunArgs,
    #[command(flatten)]
    pub narrow: NarrowArgs,
    /// The box the targets are on (without it: this box, or the one `host:NAME/` names).
    #[command(flatten)]
    pub remote: super::args::HostArgs,
}

/// How a kill (or a reap) runs: shown or carried out, asked or not, which signal.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// Print what would be signalled; signal nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for confirmation.
    #[arg(long, short)]
    pub yes: bool,
    /// Seconds between the signal and SIGKILL for survivors (default: kill.grace_secs;
    /// at most one day).
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(0..=MAX_GRACE_SECS))]
    pub grace: Option<u64>,
    /// The first signal, by name or number (HUP, SIGUSR1, 15…); survivors of the grace
    /// get SIGKILL. Not STOP, TSTP, TTIN, TTOU or CONT: see `swarmtop pause`, `resume`
    /// and `signal`.
    #[arg(long, value_name = "NAME", default_value = "TERM", value_parser = SignalParser { for_kill: true })]
    pub signal: Signal,
    /// Print the plan or the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// What narrows a kill beyond its targets (also `swarmtop reap`'s).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct NarrowArgs {
    /// Only inside the attempt of the calling process (swarmtop's parent: an agent's tool
    /// shell, the agent, `swarmtop run`'s command); a target that names anything outside
    /// it is refused (exit 2).
    #[arg(long)]
    pub mine: bool,
    /// Only processes at least this old (90s, 10m, 2h, 1d); takes no process born during the kill.
    #[arg(long, value_name = "DUR", value_parser = super::values::parse_duration)]
    pub older_than: Option<Duration>,
    /// Only processes with at least this much resident memory (500M, 1.5G: powers of 1024).
    #[arg(long, value_name = "SIZE", value_parser = super::values::parse_size)]
    pub min_rss: Option<u64>,
    /// Only processes using at least this much CPU, in percent of one core (50).
    #[arg(long, value_name = "PCT", value_parser = super::values::parse_cpu)]
    pub min_cpu: Option<f32>,
    /// Spare the recognised agent processes (and their launchers and ancestors): stop
    /// everything else of the scope while the agents keep their conversations.
    #[arg(long)]
    pub keep_agents: bool,
}

impl NarrowArgs {
    pub fn narrowing(&self) -> Narrowing {
        Narrowing {
            mine: self.mine,
            older_than: self.older_than,
            min_rss_bytes: self.min_rss,
            min_cpu_percent: self.min_cpu,
            keep_agents: self.keep_agents,
            spare_agent_work: false,
            agents_seen: Vec::new(),
        }
    }
}

impl RunArgs {
    /// The kill these flags ask for.
    pub fn operation(&self, config: &Config) -> Operation {
        Operation::Kill { signal: self.signal, grace_secs: self.grace_secs(config) }
    }

    fn grace_secs(&self, config: &Config) -> u64 {
        self.grace.unwrap_or(config.kill.grace_secs).min(MAX_GRACE_SECS)
    }

    pub fn asking(&self) -> Asking {
        Asking { dry_run: self.dry_run, yes: self.yes, json: self.json }
    }
}

/// `cli_hosts`: the `--host`s of the command line (a target without `host:NAME/` is
/// on the one given there, else on this box).
pub fn run(args: &KillArgs, config: &Config, cli_hosts: &[String]) -> Result<i32, CliError> {
    let operation = args.run.operation(config);
    let asking = args.run.asking();
    refuse_read_only(operation, &asking, config)?;
    let (host, targets) = super::kill_hosts::split(&args.targets, cli_hosts, config)?;
    if let Some(host) = host {
        let kill = super::remote_kill::RemoteKill {
            host: &host,
            kill: crate::remote::protocol::PlanRequest { targets, narrowing: args.narrow.narrowing() },
            dry_run: asking.dry_run,
            yes: asking.yes,
            json: asking.json,
            signal: args.run.signal,
            grace_secs: args.run.grace_secs(config),
        };
        return super::remote_kill::run(kill, &super::hosts::HostSet::new(config, true)?);
    }
    act(&targets, &args.narrow.narrowing(), operation, &asking, config, Nothing::Fails)
}
