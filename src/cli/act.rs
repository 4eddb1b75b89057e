//! What every action command shares (kill, reap, signal, pause, resume, renice): the
//! targets planned by `plan_with` and refined by the operation, shown (`--dry-run`) or
//! confirmed, then carried out by the one executor, with one report and exit code.

use std::io::{BufRead, IsTerminal, Write};

use super::CliError;
use crate::config::Config;
use crate::kill::exec::{ActionOptions, execute};
use crate::kill::operation::Operation;
use crate::kill::pidfd::{PidfdControl, local_context};
use crate::kill::plan::{KillPlan, Narrowing, PlanContext, SkipReason, plan_with};
use crate::kill::report;
use crate::model::NodeId;
use crate::sample::Sampler;

/// Shown or carried out, asked or not, text or JSON.
#[derive(Debug, Clone, Copy)]
pub struct Asking {
    pub dry_run: bool,
    pub yes: bool,
    pub json: bool,
}

/// What a plan with nothing to act on means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nothing {
    /// The targets named processes, none of which may be acted on: exit 1 (but 0 when
    /// the action had nothing to do there: resuming what is not stopped).
    Fails,
    /// `reap`: nothing to clean up is the usual case: exit 0.
    IsFine,
}

pub fn refuse_read_only(operation: Operation, asking: &Asking, config: &Config) -> Result<(), CliError> {
    if config.read_only && !asking.dry_run {
        return Err(CliError::Usage(format!(
            "{}: acting on processes is disabled (read_only = true or --read-only)",
            operation.verb()
        )));
    }
    Ok(())
}

/// The targets of an action that runs on this box only (the protocol with other boxes
/// carries kills): one on another box (`host:NAME/ID`, `--host`) is refused.
pub fn local_targets(
    operation: Operation,
    texts: &[String],
    cli_hosts: &[String],
    config: &Config,
) -> Result<Vec<NodeId>, CliError> {
    match super::kill_hosts::split(texts, cli_hosts, config)? {
        (None, targets) => Ok(targets),
        (Some(host), _) => Err(CliError::Usage(format!(
            "{} works on this box only: {host} is another one (`swarmtop kill --host` kills there)",
            operation.verb()
        ))),
    }
}

/// Plans `operation` over `targets` and carries it out.
pub fn act(
    targets: &[NodeId],
    narrowing: &Narrowing,
    operation: Operation,
    asking: &Asking,
    config: &Config,
    nothing: Nothing,
) -> Result<i32, CliError> {
    refuse_read_only(operation, asking, config)?;
    let (forest, sampler) = super::forest_and_sampler(config)?;
    let context = local_context(&config.kill.protect);
    let plan =
        plan_with(targets, narrowing, &forest, &context).map_err(|e| CliError::Usage(e.to_string()))?;
    let plan = operation.refine(plan, &forest);
    carry_out(&plan, operation, asking, config, sampler, &context, nothing)
}

/// Shows `plan`, asks unless `--yes`, executes `operation` with a pidfd control
/// re-sampling with `sampler` (warm: it took the plan's sample), prints the report; the
/// exit code.
pub fn carry_out(
    plan: &KillPlan,
    operation: Operation,
    asking: &Asking,
    config: &Config,
    sampler: Sampler,
    context: &PlanContext,
    nothing: Nothing,
) -> Result<i32, CliError> {
    let verb = operation.verb();
    let shown =
        if asking.json { report::json(plan, None, operation) } else { report::plan_text(plan, operation) };
    if asking.dry_run {
        super::list::write_stdout(&shown)?;
        return Ok(0);
    }
    if plan.entries.is_empty() {
        super::list::write_stdout(&shown)?;
        // Resuming a scope where nothing is stopped has nothing to do: not a failure.
        let nothing_to_do =
            plan.skipped.iter().all(|s| matches!(s.reason, SkipReason::NotStopped | SkipReason::Traced));
        return Ok(match nothing {
            Nothing::IsFine => {
                crate::warn!("swarmtop: nothing to reap");
                0
            }
            Nothing::Fails if nothing_to_do => {
                crate::warn!("swarmtop: nothing to {verb}");
                0
            }
            Nothing::Fails => {
                crate::warn!(
                    "swarmtop: nothing can be acted on ({verb}): every process of the targets is spared"
                );
                1
            }
        });
    }
    if !asking.yes {
        confirm(&shown, operation, plan.entries.len())?;
    }
    let mut control = PidfdControl::new(super::resample(sampler, config));
    let signals = super::interrupt::CancelOnSignals::install()?;
    let options = ActionOptions { operation, cancel: &super::interrupt::CANCEL };
    let report = execute(plan, context, &options, &mut control, &mut |_| {});
    if let Some(signal) = signals.received() {
        crate::warn!("swarmtop: {signal}: {verb} cancelled; every process it had stopped was continued");
    }
    drop(signals);
    let out =
        if asking.json { report::json(plan, Some(&report), operation) } else { report::report_text(&report) };
    super::list::write_stdout(&out)?;
    Ok(report.exit_code())
}

/// Asks on a terminal; refuses without one.
pub(super) fn confirm(plan_text: &str, operation: Operation, n: usize) -> Result<(), CliError> {
    let verb = operation.verb();
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(format!(
            "refusing to {verb} without --yes: stdin is not a terminal (use --dry-run to preview)"
        )));
    }
    let processes = format!("{n} process{}", if n == 1 { "" } else { "es" });
    let question = match operation {
        Operation::Kill { .. } => format!("Kill {processes}?"),
        Operation::Send { signal } => format!("Send {signal} to {processes}?"),
        Operation::Pause => format!("Pause {processes}?"),
        Operation::Resume => format!("Resume {processes}?"),
        Operation::Renice { nice } => format!("Renice {processes} to {nice}?"),
    };
    let mut err = std::io::stderr().lock();
    write!(err, "{plan_text}{question} [y/N] ")?;
    err.flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err(CliError::Usage(format!("cancelled; nothing was done ({verb})")))
    }
}
