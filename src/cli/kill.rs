//! `swarmtop kill TARGET… [--dry-run] [--yes] [--grace SECS] [--signal TERM|INT|KILL] [--json]`.

use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

use super::CliError;
use super::values::SignalArg;
use crate::config::{Config, MAX_GRACE_SECS};
use crate::kill::exec::{KillOptions, Sig, execute};
use crate::kill::pidfd::{PidfdControl, local_context};
use crate::kill::plan::plan;
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
            targets,
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
    let plan = plan(&targets, &forest, &context).map_err(|e| CliError::Usage(e.to_string()))?;
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
