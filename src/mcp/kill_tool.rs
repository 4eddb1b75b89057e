//! The `kill` tool: always `--mine` (the plan refuses any target outside the caller's
//! attempt), a dry run unless asked otherwise, then the same execution as `swarmtop kill`.

use rmcp::schemars;

use super::Answer;
use super::state::{Cpu, State, no_attempt};
use crate::cli::interrupt::{CANCEL, CancelOnSignals};
use crate::cli::values::{parse_cpu, parse_duration, parse_size};
use crate::kill::exec::{ActionOptions, Operation, Sig, execute};
use crate::kill::outcome::Outcome;
use crate::kill::pidfd::PidfdControl;
use crate::kill::plan::{Narrowing, PlanError, plan_with};
use crate::kill::report;
use crate::model::NodeId;

/// The longest grace a tool call may ask for: clients time tool calls out (Codex after
/// 60 s by default), and a kill also samples, waits for SIGKILL and checks its work.
pub const MAX_GRACE_SECS: u64 = 30;

#[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KillParams {
    /// What to stop, e.g. ["name:node"], ["pid:4242"], ["tree:4242"], ["orphans"]. Each must
    /// lie in your attempt.
    pub targets: Vec<String>,
    /// true (the default): only return the plan, signal nothing.
    #[serde(default = "yes")]
    pub dry_run: bool,
    /// Spare agent processes (and their launchers and ancestors): stop everything else.
    #[serde(default)]
    pub keep_agents: bool,
    /// The first signal: "term" (default), "int" or "kill".
    #[serde(default)]
    pub signal: Option<SignalName>,
    /// Seconds between the signal and SIGKILL (default: the configured grace, at most 30).
    #[serde(default)]
    pub grace_secs: Option<u64>,
    /// Only processes at least this old, e.g. "10m".
    #[serde(default)]
    pub older_than: Option<String>,
    /// Only processes with at least this much resident memory, e.g. "500M".
    #[serde(default)]
    pub min_rss: Option<String>,
    /// Only processes using at least this much CPU, in percent of one core.
    #[serde(default)]
    pub min_cpu: Option<f32>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SignalName {
    Term,
    Int,
    Kill,
}

impl From<SignalName> for Sig {
    fn from(s: SignalName) -> Sig {
        match s {
            SignalName::Term => Sig::Term,
            SignalName::Int => Sig::Int,
            SignalName::Kill => Sig::Kill,
        }
    }
}

impl KillParams {
    fn narrowing(&self) -> Result<Narrowing, String> {
        let older_than = self.older_than.as_deref().map(parse_duration).transpose()?;
        let min_rss_bytes = self.min_rss.as_deref().map(parse_size).transpose()?;
        let min_cpu_percent = self.min_cpu.map(|c| parse_cpu(&c.to_string())).transpose()?;
        Ok(Narrowing {
            mine: true,
            keep_agents: self.keep_agents,
            older_than,
            min_rss_bytes,
            min_cpu_percent,
            ..Narrowing::default()
        })
    }
}

/// Targets one call may name, and the longest one: an answer echoes what it refuses,
/// and a model's context is small.
pub const MAX_TARGETS: usize = 256;
pub const MAX_TARGET_CHARS: usize = 1024;

fn parse_targets(targets: &[String]) -> Result<Vec<NodeId>, String> {
    if targets.len() > MAX_TARGETS {
        return Err(format!("{} targets: at most {MAX_TARGETS} in one call", targets.len()));
    }
    if let Some(long) = targets.iter().find(|t| t.chars().count() > MAX_TARGET_CHARS) {
        return Err(format!(
            "a target of {} characters: at most {MAX_TARGET_CHARS} (it begins {:?})",
            long.chars().count(),
            long.chars().take(40).collect::<String>()
        ));
    }
    if let Some(remote) = targets.iter().find(|t| t.starts_with("host:")) {
        return Err(format!(
            "{remote:?}: this server kills on this machine only; another box's processes are its own \
             agent's to stop"
        ));
    }
    targets.iter().map(|t| t.parse().map_err(|e| format!("{e}"))).collect()
}

impl State {
    pub fn kill(&mut self, params: KillParams) -> Answer {
        if self.config.read_only && !params.dry_run {
            return Err("kills are disabled on this machine (swarmtop's read_only = true or --read-only); \
                        a dry run still shows the plan"
                .into());
        }
        if params.targets.is_empty() {
            return Err("no targets: name what to stop, e.g. [\"name:node\"]".into());
        }
        let targets = parse_targets(&params.targets)?;
        let narrowing = params.narrowing()?;
        let (forest, ctx) = self.forest(Cpu::Measured)?;
        let plan = plan_with(&targets, &narrowing, &forest, &ctx).map_err(|e| match e {
            PlanError::NoAttempt => no_attempt(&ctx),
            e => format!("{e}; nothing was signalled"),
        })?;
        let signal = params.signal.map_or(Sig::Term, Sig::from);
        let grace_secs = params.grace_secs.unwrap_or(self.config.kill.grace_secs).min(MAX_GRACE_SECS);
        let operation = Operation::Kill { signal, grace_secs };
        // A no-op for a kill today; the same refinement as every other caller of plan_with.
        let plan = operation.refine(plan, &forest);
        let document = |text: String| serde_json::from_str(&text).map_err(|e| e.to_string());
        if params.dry_run {
            return document(report::json(&plan, None, operation));
        }
        if plan.entries.is_empty() {
            let shown = report::json(&plan, None, operation);
            return Err(format!(
                "nothing can be signalled (every process is spared, and why is listed): {shown}"
            ));
        }
        let sampler = self.take_sampler().ok_or("the sampler is gone")?;
        let mut control = PidfdControl::new(crate::cli::resample(sampler, &self.config));
        let signals = CancelOnSignals::install().map_err(|e| e.to_string())?;
        let options = ActionOptions { operation, cancel: &CANCEL };
        let report = execute(&plan, &ctx, &options, &mut control, &mut |_| {});
        let cancelled_by = signals.received();
        drop(signals);
        if let Some(signal) = cancelled_by {
            crate::warn!(
                "swarmtop mcp: {signal}: kill cancelled; every process it had stopped was continued"
            );
            // Asked to stop: after the kill has put everything back, the server goes.
            std::process::exit(1);
        }
        let out = document(report::json(&plan, Some(&report), operation))?;
        // What the plan spared (the caller, shared services: each with its reason) is no
        // failure of the kill, though `swarmtop kill` exits 1 for it.
        let failed =
            report.outcomes.iter().any(|(_, o)| !o.is_success() && !matches!(o, Outcome::Skipped(_)));
        if failed || !report.warnings.is_empty() {
            return Err(format!("not everything planned is gone: {out}"));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_many_too_long_and_remote_targets_are_refused_with_a_short_text() {
        let many = vec!["pid:1".to_string(); MAX_TARGETS + 1];
        assert!(parse_targets(&many).unwrap_err().contains("at most 256"));
        let long = format!("name:{}", "x".repeat(100_000));
        let e = parse_targets(&[long]).unwrap_err();
        assert!(e.contains("at most 1024") && e.len() < 200, "{e}");
        let e = parse_targets(&["host:build1/pid:1".to_string()]).unwrap_err();
        assert!(e.contains("this machine only"), "{e}");
        assert_eq!(parse_targets(&["name:node".to_string(), "port:3000".to_string()]).unwrap().len(), 2);
        assert_eq!(parse_targets(&vec!["pid:1".to_string(); MAX_TARGETS]).unwrap().len(), MAX_TARGETS);
    }
}
