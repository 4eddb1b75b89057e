//! Pure: resolve kill targets in one Forest to an ordered set of ProcKeys, with the
//! entries that are never signalled and why. A plan also remembers what each target
//! meant (a process identity, a set of attempts) and what narrowed it (`--mine`, filters,
//! `--keep-agents`), so that later samples can be asked which processes the same scope
//! covers now (`scope::rescope`) without re-reading ids.

use std::collections::HashSet;
use std::path::PathBuf;

use super::index::Index;
pub use super::narrow::{Mine, Narrowing, Spared};
use super::narrow::{Narrower, NoMine, caller_attempt};
use super::resolve::resolve;
use super::scope::members;
use crate::model::{AttemptId, Forest, NodeId, ProcKey, ProcNode};

/// Who is asking, to keep swarmtop, its ancestors and other users' processes safe.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanContext {
    /// swarmtop's PID and its ancestors' (shell, tmux pane, sshd).
    pub self_ancestry: Vec<u32>,
    /// The caller's uid; root may signal anyone.
    pub uid: u32,
    /// `kill.protect`: process names never signalled.
    pub protect: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    Init,
    KernelThread,
    SelfOrAncestor,
    OtherUser(String),
    Protected(String),
    /// A service shared by several attempts, reached through a scope that did not name it.
    SharedService,
    /// `--mine`: placed outside the caller's attempt (where it is placed).
    OutsideMine(String),
    /// Spared by the caller's own choice: `--keep-agents` or a filter.
    Spared(Spared),
    /// Resume continues only stopped processes.
    NotStopped,
    /// Stopped by a debugger (state `t`): pause and resume leave it to the debugger.
    Traced,
}

impl SkipReason {
    /// Spared because the caller asked for it (a filter, `--keep-agents`) or because the
    /// action has nothing to do there (resuming a running process): not a failure of the
    /// action, unlike every rule that refuses to signal.
    pub fn is_chosen(&self) -> bool {
        matches!(self, SkipReason::Spared(_) | SkipReason::NotStopped | SkipReason::Traced)
    }
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::Init => f.write_str("PID 1 (init)"),
            SkipReason::KernelThread => f.write_str("kernel thread"),
            SkipReason::SelfOrAncestor => f.write_str("swarmtop itself or one of its ancestors"),
            SkipReason::OtherUser(u) => write!(f, "belongs to another user ({u})"),
            SkipReason::Protected(n) => write!(f, "protected by kill.protect ({n})"),
            SkipReason::SharedService => f.write_str("shared service (serves several attempts)"),
            SkipReason::OutsideMine(place) => write!(f, "outside your attempt ({place})"),
            SkipReason::Spared(why) => why.fmt(f),
            SkipReason::NotStopped => f.write_str("not stopped: nothing to resume"),
            SkipReason::Traced => f.write_str("stopped by a debugger (state t): left to it"),
        }
    }
}

/// One process of a plan, with what the confirmation shows of it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PlanEntry {
    pub key: ProcKey,
    pub name: String,
    pub cmd: String,
    pub cpu_percent: f32,
    pub memory_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Skipped {
    pub entry: PlanEntry,
    pub reason: SkipReason,
}

/// What one target meant when the plan was made.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Resolved {
    /// `pid:N`: exactly this process; never its children.
    Process(ProcKey),
    /// `tree:N`: this process and its descendants, while it is still this process.
    Tree(ProcKey),
    /// `project:`, `task:`, `attempt:`: every process placed in these attempts
    /// (id and path; an id that comes to name another path no longer matches).
    Attempts(#[serde(with = "crate::model::wire_path::pairs")] Vec<(AttemptId, PathBuf)>),
    /// `orphans`, `orphans:P`: the orphans of these attempts, with their descendants.
    Orphans(#[serde(with = "crate::model::wire_path::pairs")] Vec<(AttemptId, PathBuf)>),
    /// `leftovers`, `leftovers:P`: the leftovers of these attempts (`kill/leftovers.rs`),
    /// judged again in every sample; the second list is those of them in which the
    /// caller saw an agent earlier.
    Leftovers(
        #[serde(with = "crate::model::wire_path::pairs")] Vec<(AttemptId, PathBuf)>,
        #[serde(with = "crate::model::wire_path::pairs")] Vec<(AttemptId, PathBuf)>,
    ),
}

impl Resolved {
    /// Whether processes born after the plan can belong to this scope.
    pub fn adopts_newborns(&self) -> bool {
        !matches!(self, Resolved::Process(_))
    }
}

/// Serialisable: `swarmtop serve` sends the plan it made, and keeps it, for the client to
/// show (remote::protocol).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KillPlan {
    /// The targets, e.g. `attempt:alpha/add-login/1a2b`.
    pub scope: Vec<NodeId>,
    /// What each target meant in the planned forest.
    pub resolved: Vec<Resolved>,
    /// Parents before children.
    pub entries: Vec<PlanEntry>,
    pub skipped: Vec<Skipped>,
    /// The newest start time (clock ticks since boot) in the planned forest: a process
    /// that started later was born after the plan, and only such a process may ever
    /// be added to it.
    pub born_after: u64,
    /// The processes of the planned forest that started in that newest tick: one that
    /// started in the same tick but is not among them was not seen by the plan (ticks
    /// are 10 ms; a kill can reach its first signal within one).
    pub seen_in_last_tick: Vec<ProcKey>,
    /// What narrowed the targets.
    pub narrowing: Narrowing,
    /// With `--mine`: the caller's attempt, which every process of the kill is in.
    pub mine: Option<Mine>,
}

impl KillPlan {
    pub fn cpu_percent(&self) -> f32 {
        self.entries.iter().map(|e| e.cpu_percent).sum()
    }

    pub fn memory_bytes(&self) -> u64 {
        self.entries.iter().map(|e| e.memory_bytes).sum()
    }

    pub fn is_planned(&self, key: ProcKey) -> bool {
        self.entries.iter().any(|e| e.key == key)
    }

    /// Whether `key` was born after the plan's forest was sampled.
    pub fn born_after_plan(&self, key: ProcKey) -> bool {
        key.start_time() > self.born_after
            || (key.start_time() == self.born_after && !self.seen_in_last_tick.contains(&key))
    }

    /// The targets as text, separated by spaces.
    pub fn scope_text(&self) -> String {
        self.scope.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("no such target {target}{}", suggest(.close))]
    UnknownTarget { target: NodeId, close: Vec<String> },
    #[error("{0} has no processes")]
    Empty(NodeId),
    #[error(
        "{0}: only processes swarmtop cannot read listen on it (another user's, unless you are root, or outside its PID namespace)"
    )]
    Unreadable(NodeId),
    #[error("kill --mine: this shell is in no attempt (its parent process is placed in none)")]
    NoAttempt,
    #[error(
        "kill --mine: the caller is in {mine}, but its ancestor {pid} (between it and its agent) is in {other}: \
         which attempt is the caller's is ambiguous, so nothing is planned"
    )]
    MineCrosses { pid: u32, mine: AttemptId, other: AttemptId },
    #[error("{target} is outside your attempt {}: {lives}", .mine.attempt)]
    OutsideMine { target: NodeId, mine: Box<Mine>, lives: String },
    #[error("{target} matches nothing in your attempt {} (elsewhere: {})", .mine.attempt, .elsewhere.join(", "))]
    NothingInMine { target: NodeId, mine: Box<Mine>, elsewhere: Vec<String> },
}

fn suggest(close: &[String]) -> String {
    if close.is_empty() { String::new() } else { format!(" (close matches: {})", close.join(", ")) }
}

pub fn plan(targets: &[NodeId], forest: &Forest, ctx: &PlanContext) -> Result<KillPlan, PlanError> {
    plan_with(targets, &Narrowing::default(), forest, ctx)
}

/// A plan of `targets` narrowed by `narrowing`. With `--mine`, every target must
/// resolve inside the caller's attempt (`caller_attempt`), or the plan is refused.
pub fn plan_with(
    targets: &[NodeId],
    narrowing: &Narrowing,
    forest: &Forest,
    ctx: &PlanContext,
) -> Result<KillPlan, PlanError> {
    let index = Index::new(forest);
    let mine = match narrowing.mine {
        true => Some(caller_attempt(&index, &ctx.self_ancestry).map_err(|e| match e {
            NoMine::Outside => PlanError::NoAttempt,
            NoMine::Crosses { pid, mine, other } => PlanError::MineCrosses { pid, mine, other },
        })?),
        false => None,
    };
    let narrower = Narrower::new(narrowing, mine.as_ref(), forest, &index);
    let mut resolved = Vec::with_capacity(targets.len());
    let mut chosen: Vec<(&ProcNode, Option<SkipReason>)> = Vec::new();
    let mut seen: HashSet<ProcKey> = HashSet::new();
    for target in targets {
        let meant = resolve(target, forest, &index, mine.as_ref(), &narrowing.agents_seen)?;
        let nodes: Vec<_> = meant.iter().flat_map(|r| members(r, forest, &index, ctx)).collect();
        if nodes.is_empty() {
            return Err(PlanError::Empty(target.clone()));
        }
        // Overlapping targets (a task and one of its attempts) name each process once.
        let nodes = nodes.into_iter().filter(|(n, _)| seen.insert(n.key()));
        chosen.extend(nodes.map(|(n, skip)| (n, skip.or_else(|| narrower.skip(n, true)))));
        resolved.extend(meant);
    }
    // Parents first: order by depth in the ppid tree, then pid.
    chosen.sort_by_key(|(n, _)| (index.depth(n.process.pid()), n.process.pid()));
    let (born_after, seen_in_last_tick) = index.newest();
    let mut plan = KillPlan {
        scope: targets.to_vec(),
        resolved,
        entries: Vec::new(),
        skipped: Vec::new(),
        born_after,
        seen_in_last_tick,
        narrowing: narrowing.clone(),
        mine,
    };
    for (node, skip) in chosen {
        let entry = entry_of(node);
        match skip {
            Some(reason) => plan.skipped.push(Skipped { entry, reason }),
            None => plan.entries.push(entry),
        }
    }
    Ok(plan)
}

/// The caller's attempt in `forest` (what `--mine` limits a kill to): the placement of
/// the nearest of `self_ancestry[1..]` in the forest; None when that is no attempt.
pub fn caller_attempt_in(forest: &Forest, self_ancestry: &[u32]) -> Option<Mine> {
    caller_attempt(&Index::new(forest), self_ancestry).ok()
}

/// A plan of those `targets` that have processes now, or None when none has (a reap
/// with nothing to clean up). Any other error is the plan's.
pub fn plan_any(
    targets: &[NodeId],
    narrowing: &Narrowing,
    forest: &Forest,
    ctx: &PlanContext,
) -> Result<Option<KillPlan>, PlanError> {
    let mut named = Vec::new();
    for target in targets {
        match plan_with(std::slice::from_ref(target), narrowing, forest, ctx) {
            Ok(_) => named.push(target.clone()),
            Err(PlanError::Empty(_)) => {}
            Err(e) => return Err(e),
        }
    }
    if named.is_empty() { Ok(None) } else { plan_with(&named, narrowing, forest, ctx).map(Some) }
}

/// What `swarmtop reap` (and the TUI's reap key) kills: the orphans and the leftovers of
/// one project, or of every one.
pub fn reap_targets(project: Option<&crate::model::ProjectId>) -> [NodeId; 2] {
    [NodeId::Orphans(project.cloned()), NodeId::Leftovers(project.cloned())]
}

/// A reap: `reap_targets` planned with `narrowing`, never touching a live agent or what
/// it runs (an orphaned agent is still at work). None when there is nothing to reap.
pub fn plan_reap(
    project: Option<&crate::model::ProjectId>,
    narrowing: &Narrowing,
    forest: &Forest,
    ctx: &PlanContext,
) -> Result<Option<KillPlan>, PlanError> {
    let narrowing = Narrowing { spare_agent_work: true, ..narrowing.clone() };
    plan_any(&reap_targets(project), &narrowing, forest, ctx)
}

pub(super) fn entry_of(node: &ProcNode) -> PlanEntry {
    let p = &node.process;
    PlanEntry {
        key: p.key,
        name: p.display_name().to_string(),
        cmd: p.command_line(),
        cpu_percent: p.cpu_percent,
        memory_bytes: p.memory_bytes,
    }
}

/// Why `node` must never be signalled by this caller, if it must not.
pub(super) fn skip_reason(node: &ProcNode, ctx: &PlanContext) -> Option<SkipReason> {
    let p = &node.process;
    if p.pid() == 1 {
        return Some(SkipReason::Init);
    }
    if p.kernel_thread {
        return Some(SkipReason::KernelThread);
    }
    if ctx.self_ancestry.contains(&p.pid()) {
        return Some(SkipReason::SelfOrAncestor);
    }
    if ctx.uid != 0 && p.facts.uid != Some(ctx.uid) {
        return Some(SkipReason::OtherUser(p.facts.user.to_string()));
    }
    ctx.protect
        .iter()
        .find(|name| **name == *p.facts.name || *name == p.display_name())
        .map(|name| SkipReason::Protected(name.clone()))
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
