//! What the MCP server keeps between tool calls: the configuration and a warm sampler
//! (opened by the first call; idle, nothing samples).

use super::Answer;
use super::listing::{Scope, listing};
use crate::associate::associate;
use crate::cli::{CliError, associate_options, open_sampler, sample_twice};
use crate::config::Config;
use crate::kill::pidfd::local_context;
use crate::kill::plan::{PlanContext, caller_attempt_in};
use crate::model::Forest;
use crate::sample::Sampler;

/// Whether an answer shows CPU percentages, which take two samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cpu {
    Measured,
    Unused,
}

pub struct State {
    pub config: Config,
    sampler: Option<Sampler>,
}

impl State {
    pub fn new(config: Config) -> State {
        State { config, sampler: None }
    }

    /// The box now, and who is asking: sampled twice 200 ms apart for `Cpu::Measured`
    /// (CPU percentages), once for `Cpu::Unused`.
    pub fn forest(&mut self, cpu: Cpu) -> Result<(Forest, PlanContext), String> {
        let sampler = match self.sampler.as_mut() {
            Some(s) => s,
            None => self.sampler.insert(open_sampler(&self.config).map_err(|e| e.to_string())?),
        };
        let snapshot = match cpu {
            Cpu::Measured => sample_twice(sampler),
            Cpu::Unused => sampler.sample().map_err(CliError::from),
        }
        .map_err(|e| e.to_string())?;
        for w in &snapshot.warnings {
            crate::warn!("swarmtop mcp: {w}");
        }
        let forest = associate(&snapshot, &associate_options(&self.config));
        Ok((forest, local_context(&self.config.kill.protect)))
    }

    /// The warm sampler, handed to a kill (it re-samples with it); the next call opens
    /// another.
    pub fn take_sampler(&mut self) -> Option<Sampler> {
        self.sampler.take()
    }

    pub fn list(&mut self, scope: Scope) -> Answer {
        let (forest, ctx) = self.forest(Cpu::Measured)?;
        let mine = caller_attempt_in(&forest, &ctx.self_ancestry).ok_or_else(|| no_attempt(&ctx))?;
        let listed = listing(&forest, &mine, scope, &ctx.self_ancestry)
            .ok_or_else(|| format!("your attempt {} has no process now", mine.attempt))?;
        serde_json::to_value(listed).map_err(|e| e.to_string())
    }

    pub fn who_listens(&mut self, port: u16) -> Answer {
        if port == 0 {
            return Err("port 0 is no port: give 1 to 65535".into());
        }
        let (forest, ctx) = self.forest(Cpu::Unused)?;
        let mine = caller_attempt_in(&forest, &ctx.self_ancestry);
        let rows = crate::cli::ports::json_rows_for(&forest, port);
        Ok(super::listing::who_listens(&forest, port, rows, mine.as_ref()))
    }
}

/// Why there is nothing to list or kill for this client.
pub fn no_attempt(ctx: &PlanContext) -> String {
    let client = ctx.self_ancestry.get(1).copied().unwrap_or(0);
    format!(
        "your process (pid {client}, the one that started this MCP server) is in no attempt: it works \
         in no git worktree, tagged run or configured layout swarmtop knows, so there is nothing of \
         yours to list or kill"
    )
}
