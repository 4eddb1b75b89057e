//! What every action command shares (kill, signal, pause, resume, renice): the targets
//! planned by `plan_with` and refined by the operation, shown (`--dry-run`) or
//! confirmed, then carried out by the one executor, with one report and exit code.

use std::io::{BufRead, IsTerminal, Write};

use super::CliError;
use crate::config::Config;
use crate::kill::exec::{ActionOptions, execute};
use crate::kill::operation::Operation;
use crate::kill::pidfd::{PidfdControl, local_context};
use crate::kill::plan::{Narrowing, SkipReason, plan_with};
use crate::kill::report;
use crate::model::NodeId;

/// The targets and flags of one action command.
pub struct ActionRequest<'a> {
    pub targets: &'a [String],
    pub narrowing: Narrowing,
    pub dry_run: bool,
    pub yes: bool,
    pub json: bool,
}

pub fn act(request: &ActionRequest<'_>, operation: Operation, config: &Config) -> Result<i32, CliError> {
    let verb = operation.verb();
    if config.read_only && !request.dry_run {
        return Err(CliError::Usage(format!(
            "{verb}: acting on processes is disabled (read_only = true or --read-only)"
        )));
    }
    let targets: Vec<NodeId> = request
        .targets
        .iter()
        .map(|t| t.parse())
        .collect::<Result<_, _>>()
        .map_err(|e| CliError::Usage(format!("{e}")))?;
    let (forest, sampler) = super::forest_and_sampler(config)?;
    let context = local_context(&config.kill.protect);
    let plan = plan_with(&targets, &request.narrowing, &forest, &context)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let plan = operation.refine(plan, &forest);
    let shown =
        if request.json { report::json(&plan, None, operation) } else { report::plan_text(&plan, operation) };
    if request.dry_run {
        super::list::write_stdout(&shown)?;
        return Ok(0);
    }
    if plan.entries.is_empty() {
        super::list::write_stdout(&shown)?;
        // Resuming a scope where nothing is stopped has nothing to do: not a failure.
        let nothing_to_do =
            plan.skipped.iter().all(|s| matches!(s.reason, SkipReason::NotStopped | SkipReason::Traced));
        crate::warn!("swarmtop: nothing to {verb}");
        return Ok(if nothing_to_do { 0 } else { 1 });
    }
    if !request.yes {
        confirm(&shown, operation, plan.entries.len())?;
    }
    let mut control = PidfdControl::new(super::resample(sampler, config));
    let signals = super::interrupt::CancelOnSignals::install()?;
    let options = ActionOptions { operation, cancel: &super::interrupt::CANCEL };
    let report = execute(&plan, &context, &options, &mut control, &mut |_| {});
    if let Some(signal) = signals.received() {
        crate::warn!("swarmtop: {signal}: {verb} cancelled; every process it had stopped was continued");
    }
    drop(signals);
    let out = if request.json {
        report::json(&plan, Some(&report), operation)
    } else {
        report::report_text(&report)
    };
    super::list::write_stdout(&out)?;
    Ok(report.exit_code())
}

/// Asks on a terminal; refuses without one.
fn confirm(plan_text: &str, operation: Operation, n: usize) -> Result<(), CliError> {
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
