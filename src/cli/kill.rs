//! `swarmtop kill TARGET… [--mine] [--older-than DUR] [--min-rss SIZE] [--min-cpu PCT]
//! [--keep-agents] [--dry-run] [--yes] [--grace SECS] [--signal TERM|INT|KILL] [--json]`.

use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

use super::CliError;
use super::values::SignalArg;
use crate::config::{Config, MAX_GRACE_SECS};
use crate::kill::exec::{KillOptions, Sig, execute};
use crate::kill::pidfd::{PidfdControl, local_context};
use crate::kill::plan::{KillPlan, Narrowing, PlanContext, plan_with};
use crate::kill::report;
use crate::sample::Sampler;

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
    /// The first signal.
    #[arg(long, value_enum, default_value = "term")]
    pub signal: SignalArg,
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

/// `cli_hosts`: the `--host`s of the command line (a target without `host:NAME/` is
/// on the one given there, else on this box).
pub fn run(args: &KillArgs, config: &Config, cli_hosts: &[String]) -> Result<i32, CliError> {
    refuse_read_only(&args.run, config)?;
    let (host, targets) = super::kill_hosts::split(&args.targets, cli_hosts, config)?;
    if let Some(host) = host {
        let run = &args.run;
        let kill = super::remote_kill::RemoteKill {
            host: &host,
            kill: crate::remote::protocol::PlanRequest { targets, narrowing: args.narrow.narrowing() },
            dry_run: run.dry_run,
            yes: run.yes,
            json: run.json,
            signal: Sig::from(run.signal),
            grace_secs: run.grace.unwrap_or(config.kill.grace_secs).min(MAX_GRACE_SECS),
        };
        return super::remote_kill::run(kill, &super::hosts::HostSet::new(config, true)?);
    }
    let (forest, sampler) = super::forest_and_sampler(config)?;
    let context = local_context(&config.kill.protect);
    let plan = plan_with(&targets, &args.narrow.narrowing(), &forest, &context)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    carry_out(&plan, &args.run, config, sampler, &context, Nothing::Fails)
}

pub fn refuse_read_only(run: &RunArgs, config: &Config) -> Result<(), CliError> {
    if config.read_only && !run.dry_run {
        return Err(CliError::Usage("kills are disabled (read_only = true or --read-only)".into()));
    }
    Ok(())
}

/// What a plan with nothing to signal means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nothing {
    /// `kill`: the targets named processes, none of which may be signalled: exit 1.
    Fails,
    /// `reap`: nothing to clean up is the usual case: exit 0.
    IsFine,
}

/// Shows `plan`, asks unless `--yes`, executes it with a pidfd control re-sampling with
/// `sampler` (warm: it took the plan's sample), prints the report; the exit code.
pub fn carry_out(
    plan: &KillPlan,
    run: &RunArgs,
    config: &Config,
    sampler: Sampler,
    context: &PlanContext,
    nothing: Nothing,
) -> Result<i32, CliError> {
    let grace = run.grace.unwrap_or(config.kill.grace_secs).min(MAX_GRACE_SECS);
    let signal = Sig::from(run.signal);
    let shown = if run.json {
        report::json(plan, None, signal, grace)
    } else {
        report::plan_text(plan, signal, grace)
    };
    if run.dry_run {
        super::list::write_stdout(&shown)?;
        return Ok(0);
    }
    if plan.entries.is_empty() {
        super::list::write_stdout(&shown)?;
        return Ok(match nothing {
            Nothing::Fails => {
                crate::warn!("swarmtop: nothing can be signalled");
                1
            }
            Nothing::IsFine => {
                crate::warn!("swarmtop: nothing to reap");
                0
            }
        });
    }
    if !run.yes {
        confirm(&shown, plan.entries.len())?;
    }
    let mut control = PidfdControl::new(super::resample(sampler, config));
    let signals = super::interrupt::CancelOnSignals::install()?;
    let options =
        KillOptions { signal, grace: Duration::from_secs(grace), cancel: &super::interrupt::CANCEL };
    let report = execute(plan, context, &options, &mut control, &mut |_| {});
    if let Some(signal) = signals.received() {
        crate::warn!("swarmtop: {signal}: kill cancelled; every process it had stopped was continued");
    }
    drop(signals);
    let out = if run.json {
        report::json(plan, Some(&report), signal, grace)
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
