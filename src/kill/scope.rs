//! Pure: which processes a plan's scope covers in a forest — the planned one, or a
//! fresh sample taken while the kill runs — and which of them the kill may add.
//!
//! A process may join a running kill only if it was born after the plan (its start
//! time is later than every start time the plan saw), the scope still covers it in
//! the fresh forest (its own placement, not its parent's), and no planner rule
//! rejects it — nor the plan's narrowing (`--mine`: placed in the caller's attempt;
//! filters: never; `--keep-agents`: not an agent, nor started by a kept one). Whether its parent is still a process of the kill is the executor's
//! check: it needs the live handles.

use std::collections::HashSet;

use super::index::Index;
use super::leftovers::leftovers;
use super::narrow::Narrower;
use super::plan::{KillPlan, PlanContext, PlanEntry, Resolved, SkipReason, entry_of, skip_reason};
use crate::model::{Forest, ProcKey, ProcNode};

/// The processes `resolved` covers in the indexed forest, each with the reason it must
/// never be signalled, if any.
pub(super) fn members<'f>(
    resolved: &Resolved,
    forest: &'f Forest,
    index: &Index<'f>,
    ctx: &PlanContext,
) -> Vec<(&'f ProcNode, Option<SkipReason>)> {
    let mut out = Vec::new();
    let mut explicit: Option<ProcKey> = None;
    match resolved {
        Resolved::Process(key) => {
            explicit = Some(*key);
            out.extend(index.same(*key));
        }
        Resolved::Tree(key) => {
            explicit = Some(*key);
            if let Some(root) = index.same(*key) {
                index.descendants(root, &mut out);
            }
        }
        Resolved::Attempts(wanted) => {
            for (_, _, a) in forest.attempts().filter(|(_, _, a)| covers(wanted, a)) {
                a.processes.iter().for_each(|root| root.walk(&mut |n| out.push(n)));
            }
        }
        Resolved::Orphans(wanted) => {
            let mut orphans = Vec::new();
            for (_, _, a) in forest.attempts().filter(|(_, _, a)| covers(wanted, a)) {
                a.processes.iter().for_each(|root| root.walk(&mut |n| orphans.push(n)));
            }
            for orphan in orphans.into_iter().filter(|n| n.orphan) {
                index.descendants(orphan, &mut out);
            }
        }
        Resolved::Leftovers(wanted, seen) => out.extend(leftovers(forest, index, wanted, seen)),
    }
    // A shared service is signalled only when the target names it (or a tree it roots).
    let shared_named = explicit.is_some_and(|k| index.is_shared(k));
    let mut seen = HashSet::new();
    out.into_iter()
        .filter(|n| seen.insert(n.key()))
        .map(|n| {
            let skip = skip_reason(n, ctx)
                .or_else(|| (index.is_shared(n.key()) && !shared_named).then_some(SkipReason::SharedService));
            (n, skip)
        })
        .collect()
}

fn covers(wanted: &[(crate::model::AttemptId, std::path::PathBuf)], a: &crate::model::AttemptNode) -> bool {
    wanted.iter().any(|(id, path)| *id == a.id && *path == a.path)
}

/// A process the plan's scope covers in a fresh forest.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub entry: PlanEntry,
    pub ppid: u32,
    pub pgid: u32,
    /// Exited, not reaped yet: nothing left to signal.
    pub zombie: bool,
    /// Born after the plan and not in it.
    pub newborn: bool,
    /// In the plan (same identity).
    pub planned: bool,
    pub skip: Option<SkipReason>,
}

impl Member {
    /// A newborn the kill may take on (if it also descends from a live process of the kill).
    pub fn adoptable(&self) -> bool {
        self.newborn && self.skip.is_none()
    }
}

/// The scope of a plan in a fresh forest.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rescope {
    /// Parents before children.
    pub members: Vec<Member>,
    /// Process groups whose every member in the fresh forest is a planned process or an
    /// adoptable newborn: safe to signal as a group (reaches PID hoppers, which keep
    /// their group). Never a group with a member outside the scope or one the planner
    /// rejects, and never the caller's own.
    pub groups: Vec<u32>,
}

pub fn rescope(plan: &KillPlan, fresh: &Forest, ctx: &PlanContext) -> Rescope {
    let index = Index::new(fresh);
    let narrower = Narrower::new(&plan.narrowing, plan.mine.as_ref(), fresh, &index);
    let mut seen = HashSet::new();
    let mut nodes = Vec::new();
    for resolved in &plan.resolved {
        let adopts = resolved.adopts_newborns();
        for (n, skip) in members(resolved, fresh, &index, ctx) {
            let planned = plan.is_planned(n.key());
            let newborn = !planned && adopts && plan.born_after_plan(n.key());
            if seen.insert(n.key()) {
                // What the plan measured stays decided; a newborn was never measured.
                let skip = skip
                    .or_else(|| narrower.skip(n, !planned && !newborn))
                    .or_else(|| newborn.then(|| narrower.newborn_skip(n, plan)).flatten());
                nodes.push((n, skip, planned, newborn));
            }
        }
    }
    nodes.sort_by_key(|(n, ..)| (index.depth(n.process.pid()), n.process.pid()));
    let members: Vec<Member> = nodes
        .into_iter()
        .map(|(n, skip, planned, newborn)| Member {
            entry: entry_of(n),
            ppid: n.process.ppid,
            pgid: n.process.pgid,
            zombie: n.process.state == crate::model::ProcState::Zombie,
            newborn,
            planned,
            skip,
        })
        .collect();
    let groups = safe_groups(&members, fresh, ctx);
    Rescope { members, groups }
}

fn safe_groups(members: &[Member], fresh: &Forest, ctx: &PlanContext) -> Vec<u32> {
    let ok: HashSet<ProcKey> = members
        .iter()
        .filter(|m| m.skip.is_none() && (m.planned || m.newborn))
        .map(|m| m.entry.key)
        .collect();
    let mut candidates: Vec<u32> =
        members.iter().filter(|m| ok.contains(&m.entry.key)).map(|m| m.pgid).filter(|&g| g > 1).collect();
    candidates.sort_unstable();
    candidates.dedup();
    let mut rejected: HashSet<u32> = HashSet::new();
    fresh.walk_processes(&mut |n| {
        let g = n.process.pgid;
        // A zombie has exited: a group signal cannot reach it.
        let zombie = n.process.state == crate::model::ProcState::Zombie;
        if !zombie
            && candidates.binary_search(&g).is_ok()
            && (!ok.contains(&n.key()) || ctx.self_ancestry.contains(&n.process.pid()))
        {
            rejected.insert(g);
        }
    });
    // A group whose leader PID is one of the caller's ancestors is the caller's too.
    candidates.retain(|g| !rejected.contains(g) && !ctx.self_ancestry.contains(g));
    candidates
}

#[cfg(test)]
#[path = "scope_tests.rs"]
mod tests;
