//! `swarmtop kill TARGET… [--mine] [--older-than DUR] [--min-rss SIZE] [--min-cpu PCT]
//! [--keep-agents] [--dry-run] [--yes] [--grace SECS] [--signal TERM|INT|KILL] [--json]`.

use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

use super::CliError;
use super::values::SignalArg;
use crate::config::{Config, MAX_GRACE_SECS};
use crate::kill::exec::{KillOptions, Sig, execute};
use crate::kill::pidfd::{PidfdControl, local_context};
use crate::kill::plan::{Narrowing, plan_with};
use crate::kill::report;

#[derive(Debug, Clone, clap::Args)]
pub struct KillArgs {
    /// One or more ids to kill, in the forms listed under "Targets" below.
    #[arg(required = true, value_name = "TARGET")]
    pub targets: Vec<String>,
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
    /// The first signal.
    #[arg(long, value_enum, default_value = "term")]
    pub signal: SignalArg,
    /// Print the plan or the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// The box the targets are on (without it: this box, or the one `host:NAME/` names).
    #[command(flatten)]
    pub remote: super::args::HostArgs,
    #[command(flatten)]
    pub narrow: NarrowArgs,
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
        }
    }
}

/// `cli_hosts`: the `--host`s of the command line (a target without `host:NAME/` is
/// on the one given there, else on this box).
pub fn run(args: &KillArgs, config: &Config, cli_hosts: &[String]) -> Result<i32, CliError> {
    if config.read_only && !args.dry_run {
        return Err(CliError::Usage("kills are disabled (read_only = true or --read-only)".into()));
    }
    let (host, targets) = super::kill_hosts::split(&args.targets, cli_hosts, config)?;
    if let Some(host) = host {
        let kill = super::remote_kill::RemoteKill {
            host: &host,
            kill: crate::remote::protocol::PlanRequest { targets, narrowing: args.narrow.narrowing() },
            dry_run: args.dry_run,
            yes: args.yes,
            json: args.json,
            signal: Sig::from(args.signal),
            grace_secs: args.grace.unwrap_or(config.kill.grace_secs).min(MAX_GRACE_SECS),
        };
        return super::remote_kill::run(kill, &super::hosts::HostSet::new(config, true)?);
    }
    let (forest, sampler) = super::forest_and_sampler(config)?;
    let context = local_context(&config.kill.protect);
    let plan = plan_with(&targets, &args.narrow.narrowing(), &forest, &context)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let grace = args.grace.unwrap_or(config.kill.grace_secs).min(MAX_GRACE_SECS);
    let signal = Sig::from(args.signal);
    let shown = if args.json {
        report::json(&plan, None, signal, grace)
    } else {
        report::plan_text(&plan, signal, grace)
    };
    if args.dry_run {
        super::list::write_stdout(&shown)?;
        return Ok(0);
    }
    if plan.entries.is_empty() {
        super::list::write_stdout(&shown)?;
        crate::warn!("swarmtop: nothing can be signalled");
        return Ok(1);
    }
    if !args.yes {
        confirm(&shown, plan.entries.len())?;
    }
    let mut control = PidfdControl::new(super::resample(sampler, config));
    let signals = super::interrupt::CancelOnSignals::install()?;
    let options =
        KillOptions { signal, grace: Duration::from_secs(grace), cancel: &super::interrupt::CANCEL };
    let report = execute(&plan, &context, &options, &mut control, &mut |_| {});
    if let Some(signal) = signals.received() {
        crate::warn!("swarmtop: {signal}: kill cancelled; every process it had stopped was continued");
    }
    drop(signals);
    let out = if args.json {
        report::json(&plan, Some(&report), signal, grace)
    } else {
        report::report_text(&report)
    };
    super::list::write_stdout(&out)?;
    Ok(report.exit_code())
}

/// Asks on a terminal; refuses without one.
pub(super) fn confirm(plan_text: &str, n: usize) -> Result<(), CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(
            "refusing to kill without --yes: stdin is not a terminal (use --dry-run to preview)".into(),
        ));
    }
    let mut err = std::io::stderr().lock();
    write!(err, "{plan_text}Signal {n} process{}? [y/N] ", if n == 1 { "" } else { "es" })?;
    err.flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err(CliError::Usage("cancelled; nothing was signalled".into()))
    }
}
