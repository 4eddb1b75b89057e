//! Pure: what narrows a kill beyond its targets — `--mine` (only the caller's attempt),
//! `--keep-agents`, `--older-than`, `--min-rss`, `--min-cpu` — and why a process the
//! targets cover is spared by it. The same rules judge the planned forest and every
//! fresh sample the executor takes, so a newborn can never join a kill its narrowing
//! would have kept out of the plan.

use std::collections::HashSet;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use super::index::{Index, Place};
use super::plan::{KillPlan, SkipReason};
use crate::model::agent::{Role, classify};
use crate::model::text::{human_bytes, percent};
use crate::model::{AttemptId, AttemptNode, Forest, ProcKey, ProcNode, ProjectId};

/// What narrows a kill beyond its targets. Part of the frozen plan, and of a kill
/// request over the wire (remote::protocol): a field a server does not know is refused
/// there, never dropped; a field an older client does not send is its default.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Narrowing {
    /// `--mine`: every target must resolve inside the caller's attempt.
    pub mine: bool,
    /// `--older-than`: only processes at least this old.
    pub older_than: Option<Duration>,
    /// `--min-rss`: only processes with at least this much resident memory.
    pub min_rss_bytes: Option<u64>,
    /// `--min-cpu`: only processes using at least this much CPU (percent of one core).
    pub min_cpu_percent: Option<f32>,
    /// `--keep-agents`: spare the recognised agent processes (and what their end would end).
    pub keep_agents: bool,
    /// `reap`: like `keep_agents`, and also spare everything below a live agent: what an
    /// agent still runs is not left behind, whoever started the agent.
    pub spare_agent_work: bool,
    /// Not a narrowing but what the caller knows for `leftovers`: the attempts in which
    /// it saw an agent earlier (the TUI remembers them for its life).
    #[serde(with = "crate::model::wire_path::pairs")]
    pub agents_seen: Vec<(AttemptId, PathBuf)>,
}

impl Narrowing {
    /// Whether a filter on measurements narrows the kill. A filtered kill takes exactly
    /// the processes it showed: a newborn was never measured (and is never old enough).
    pub fn filters(&self) -> bool {
        self.older_than.is_some() || self.min_rss_bytes.is_some() || self.min_cpu_percent.is_some()
    }
}

/// The caller's attempt, for `--mine`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Mine {
    pub project: ProjectId,
    pub attempt: AttemptId,
    pub path: PathBuf,
    /// The caller's ancestor whose placement it is (swarmtop's parent, or the nearest
    /// ancestor in the sample).
    pub via_pid: u32,
}

impl Mine {
    /// Whether `place` is this attempt (same id and path).
    pub fn holds(&self, place: Place<'_>) -> bool {
        matches!(place, Place::Attempt(_, a) if self.holds_attempt(a))
    }

    pub fn holds_attempt(&self, a: &AttemptNode) -> bool {
        a.id == self.attempt && a.path == self.path
    }
}

/// Why `--mine` has no attempt to act in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoMine {
    /// The caller's parent is outside every attempt or a shared service.
    Outside,
    /// Between the caller and the agent above it, a process is placed in another
    /// attempt (an agent's shell that went into another worktree, a wrapper started
    /// there): which of the two is "mine" is not for swarmtop to guess.
    Crosses { pid: u32, mine: AttemptId, other: AttemptId },
}

/// The caller's attempt: the placement of swarmtop's nearest ancestor in the forest
/// (normally its parent: the agent's tool shell, the agent, `swarmtop run`'s command).
/// An ancestor that is outside every attempt or a shared service ends the search with
/// none: placement already decided that it belongs to no attempt, and an attempt further
/// up (a tmux server started in a worktree) does not own it. The ancestors above it in
/// its session, up to the first agent, a shared service or a process outside every
/// attempt, must be in the same attempt, or there is none (a wrapper that `cd`'d into
/// another worktree between an agent and its MCP server must not move the scope there).
pub fn caller_attempt(index: &Index<'_>, self_ancestry: &[u32]) -> Result<Mine, NoMine> {
    let mut chain = self_ancestry.iter().skip(1).filter_map(|&pid| index.by_pid(pid));
    let node = chain.next().ok_or(NoMine::Outside)?;
    let (p, a) = match index.place(node.key()) {
        Place::Attempt(p, a) => (p, a),
        Place::Shared | Place::Outside => return Err(NoMine::Outside),
    };
    let mut below = node;
    if node.agent.is_none() {
        for up in chain {
            // A new session was started below `up` (a terminal's shell, a detached tool
            // shell, a test harness): what runs above it does not own it.
            if below.process.sid != up.process.sid {
                break;
            }
            below = up;
            match index.place(up.key()) {
                Place::Attempt(_, other) if other.id != a.id || other.path != a.path => {
                    return Err(NoMine::Crosses {
                        pid: up.process.pid(),
                        mine: a.id.clone(),
                        other: other.id.clone(),
                    });
                }
                Place::Attempt(..) if up.agent.is_some() => break,
                Place::Attempt(..) => {}
                Place::Shared | Place::Outside => break,
            }
        }
    }
    Ok(Mine {
        project: p.id.clone(),
        attempt: a.id.clone(),
        path: a.path.clone(),
        via_pid: node.process.pid(),
    })
}

/// A process the caller chose to spare.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Spared {
    /// A recognised agent process, or its own launcher chain (`--keep-agents`).
    Agent,
    /// An ancestor of a kept agent: its end could end the agent (`swarmtop run`
    /// forwards signals to its command).
    AgentAncestor,
    /// Born after the plan to a process `--keep-agents` spares (a kept agent's new command).
    StartedByKept,
    /// Below a live agent: its work, which a reap leaves alone.
    AgentWork,
    Young {
        age_secs: u64,
        min_secs: u64,
    },
    SmallRss {
        bytes: u64,
        min_bytes: u64,
    },
    /// CPU in tenths of a percent.
    LowCpu {
        tenths: u32,
        min_tenths: u32,
    },
    /// Born after a filtered plan: never measured, so never taken.
    BornAfterFilteredPlan,
}

impl fmt::Display for Spared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = |s: u64| humantime::format_duration(Duration::from_secs(s));
        let pct = |tenths: u32| percent(tenths as f32 / 10.0);
        match self {
            Spared::Agent => f.write_str("agent, kept"),
            Spared::AgentAncestor => f.write_str("ancestor of a kept agent, kept"),
            Spared::StartedByKept => f.write_str("started after the plan by a kept agent, kept"),
            Spared::AgentWork => f.write_str("run by a live agent, kept"),
            Spared::Young { age_secs, min_secs } => {
                write!(f, "younger than --older-than {} (age {})", secs(*min_secs), secs(*age_secs))
            }
            Spared::SmallRss { bytes, min_bytes } => {
                write!(f, "memory {} under --min-rss {}", human_bytes(*bytes), human_bytes(*min_bytes))
            }
            Spared::LowCpu { tenths, min_tenths } => {
                write!(f, "CPU {}% under --min-cpu {}%", pct(*tenths), pct(*min_tenths))
            }
            Spared::BornAfterFilteredPlan => {
                f.write_str("born after the plan: a filtered kill takes only what it showed")
            }
        }
    }
}

/// The narrowing of one kill, applied to one forest.
pub(super) struct Narrower<'a, 'f> {
    narrowing: &'a Narrowing,
    mine: Option<&'a Mine>,
    index: &'a Index<'f>,
    forest: &'a Forest,
    /// Agents and their launcher chains, their ancestors (`--keep-agents` and reaps),
    /// and what runs below them (reaps only).
    kept: HashSet<ProcKey>,
    kept_ancestors: HashSet<ProcKey>,
    agent_work: HashSet<ProcKey>,
}

impl<'a, 'f> Narrower<'a, 'f> {
    pub(super) fn new(
        narrowing: &'a Narrowing,
        mine: Option<&'a Mine>,
        forest: &'a Forest,
        index: &'a Index<'f>,
    ) -> Narrower<'a, 'f> {
        let keeps = narrowing.keep_agents || narrowing.spare_agent_work;
        let (kept, kept_ancestors) =
            if keeps { kept_agents(index) } else { (HashSet::new(), HashSet::new()) };
        let agent_work = if narrowing.spare_agent_work { below(&kept, index) } else { HashSet::new() };
        Narrower { narrowing, mine, index, forest, kept, kept_ancestors, agent_work }
    }

    /// Why `node`, which the targets cover, is spared by the narrowing: outside the
    /// caller's attempt, a kept agent, or (when `measured`) below a filter.
    pub(super) fn skip(&self, node: &ProcNode, measured: bool) -> Option<SkipReason> {
        if let Some(mine) = self.mine {
            let place = self.index.place(node.key());
            if !mine.holds(place) {
                return Some(SkipReason::OutsideMine(place.to_string()));
            }
        }
        if self.kept.contains(&node.key()) {
            return Some(SkipReason::Spared(Spared::Agent));
        }
        if self.kept_ancestors.contains(&node.key()) {
            return Some(SkipReason::Spared(Spared::AgentAncestor));
        }
        if self.agent_work.contains(&node.key()) {
            return Some(SkipReason::Spared(Spared::AgentWork));
        }
        if measured { self.below_filter(node).map(SkipReason::Spared) } else { None }
    }

    fn below_filter(&self, node: &ProcNode) -> Option<Spared> {
        let p = &node.process;
        if let Some(min) = self.narrowing.older_than {
            let age_secs = self.forest.age_secs(p.key.start_time());
            if age_secs < min.as_secs() {
                return Some(Spared::Young { age_secs, min_secs: min.as_secs() });
            }
        }
        if let Some(min) = self.narrowing.min_rss_bytes {
            if p.memory_bytes < min {
                return Some(Spared::SmallRss { bytes: p.memory_bytes, min_bytes: min });
            }
        }
        if let Some(min) = self.narrowing.min_cpu_percent {
            if p.cpu_percent < min {
                return Some(Spared::LowCpu { tenths: tenths(p.cpu_percent), min_tenths: tenths(min) });
            }
        }
        None
    }

    /// Why a process born after `plan` may not join it, beyond `skip`: a filtered kill
    /// takes none; with `--keep-agents`, none whose nearest ancestor the plan saw is
    /// kept (a kept agent's new commands are its work, not leftovers).
    pub(super) fn newborn_skip(&self, node: &ProcNode, plan: &KillPlan) -> Option<SkipReason> {
        if self.narrowing.filters() {
            return Some(SkipReason::Spared(Spared::BornAfterFilteredPlan));
        }
        if !self.narrowing.keep_agents && !self.narrowing.spare_agent_work {
            return None;
        }
        let mut ancestor = self.index.parent(node);
        // A racy sample can show a cycle of ppids: each process is passed once.
        let mut passed = HashSet::new();
        while let Some(a) = ancestor {
            if !plan.born_after_plan(a.key()) || plan.is_planned(a.key()) || !passed.insert(a.key()) {
                break;
            }
            ancestor = self.index.parent(a);
        }
        ancestor
            .filter(|a| {
                [&self.kept, &self.kept_ancestors, &self.agent_work].iter().any(|s| s.contains(&a.key()))
            })
            .map(|_| SkipReason::Spared(Spared::StartedByKept))
    }
}

/// Every descendant of the `kept` processes that is not kept itself.
fn below(kept: &HashSet<ProcKey>, index: &Index<'_>) -> HashSet<ProcKey> {
    let mut out = Vec::new();
    for &key in kept {
        if let Some(n) = index.same(key) {
            index.descendants(n, &mut out);
        }
    }
    out.into_iter().map(|n| n.key()).filter(|k| !kept.contains(k)).collect()
}

fn tenths(percent: f32) -> u32 {
    // Percentages are finite and non-negative (a CLI value is checked; a sample's is).
    (percent.max(0.0) * 10.0).round().min(u32::MAX as f32) as u32
}

/// The agent processes with their launcher chains (a child running the same agent, as
/// Codex's node launcher and its native binary), and every ancestor of those.
fn kept_agents(index: &Index<'_>) -> (HashSet<ProcKey>, HashSet<ProcKey>) {
    let mut kept = HashSet::new();
    for agent in index.nodes() {
        let Some(info) = &agent.agent else { continue };
        let extra = [info.kind.name().to_string()];
        let mut chain = vec![agent];
        while let Some(n) = chain.pop() {
            kept.insert(n.key());
            chain.extend(
                n.children.iter().filter(|c| classify(&c.process, &extra) == Role::Agent(info.kind.clone())),
            );
        }
    }
    let mut ancestors = HashSet::new();
    for &key in &kept {
        let mut current = index.same(key).and_then(|n| index.parent(n));
        while let Some(n) = current {
            if kept.contains(&n.key()) || !ancestors.insert(n.key()) {
                break;
            }
            current = index.parent(n);
        }
    }
    (kept, ancestors)
}

#[cfg(test)]
#[path = "narrow_tests.rs"]
mod tests;
