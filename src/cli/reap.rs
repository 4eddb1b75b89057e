//! `swarmtop reap [--project P] [--older-than DUR] [--min-rss SIZE] [--dry-run] [--yes]
//! [--json]`: kills the orphans and the leftovers of every project (or one) through the
//! same plan, confirmation and execution as `kill`. Made for cron and systemd timers:
//! nothing to reap is success.

use super::CliError;
use super::act::{Nothing, carry_out, refuse_read_only};
use super::kill::{NarrowArgs, RunArgs};
use crate::config::Config;
use crate::kill::pidfd::local_context;
use crate::kill::plan::{KillPlan, PlanError, plan_reap, reap_targets};
use crate::kill::report;
use crate::model::NodeId;

#[derive(Debug, Clone, clap::Args)]
pub struct ReapArgs {
    /// Only this project's orphans and leftovers.
    #[arg(long, value_name = "PROJECT")]
    pub project: Option<String>,
    #[command(flatten)]
    pub run: RunArgs,
    #[command(flatten)]
    pub narrow: NarrowArgs,
}

/// What `swarmtop reap --help` says after the options.
pub const REAP_HELP: &str = "Reaps (the targets orphans and leftovers, or orphans:PROJECT and \
leftovers:PROJECT):
  orphans    processes of an attempt whose parent is PID 1 or a subreaper, with their descendants
  leftovers  processes of an attempt whose agent was seen and has exited: its environment names \
a Claude (CLAUDE_PID, CLAUDE_CODE_SESSION_ID) or a Codex thread that no live agent holds, while \
no agent is left in the attempt; with their descendants in the attempt. An attempt that never \
had an agent (a dev server started by hand in a worktree) has no leftovers.

A reap never signals a live agent, the processes whose end would end it (its launchers and \
ancestors), or anything it runs: an orphaned agent is still at work.

Exit status: 0 when everything is gone or there was nothing to reap (also in a project with no \
process now); 1 when something survived, escaped, was denied or spared by a rule; 2 on bad usage \
or when it would have to ask without a terminal (use --yes in cron and timers).";

pub fn run(args: &ReapArgs, config: &Config) -> Result<i32, CliError> {
    let operation = args.run.operation(config);
    refuse_read_only(operation, &args.run.asking(), config)?;
    let project = match &args.project {
        Some(name) => match format!("project:{name}").parse::<NodeId>() {
            Ok(NodeId::Project(id)) => Some(id),
            _ => return Err(CliError::Usage(format!("invalid project name {name:?}"))),
        },
        None => None,
    };
    let (forest, sampler) = super::forest_and_sampler(config)?;
    let context = local_context(&config.kill.protect);
    let plan = match plan_reap(project.as_ref(), &args.narrow.narrowing(), &forest, &context) {
        // A project exists while processes are placed in it: none now is nothing to reap.
        Err(PlanError::UnknownTarget { .. }) if project.is_some() => {
            crate::warn!(
                "swarmtop: no process is placed in project {:?} now",
                args.project.as_deref().unwrap_or("")
            );
            None
        }
        other => other.map_err(|e| CliError::Usage(e.to_string()))?,
    };
    match plan {
        Some(plan) => {
            carry_out(&plan, operation, &args.run.asking(), config, sampler, &context, Nothing::IsFine)
        }
        None => {
            let empty = KillPlan { scope: reap_targets(project.as_ref()).to_vec(), ..KillPlan::default() };
            let out = if args.run.json {
                report::json(&empty, None, operation)
            } else {
                "nothing to reap\n".to_string()
            };
            super::list::write_stdout(&out)?;
            Ok(0)
        }
    }
}
