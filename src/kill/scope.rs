//! Pure: which processes a plan's scope covers in a forest — the planned one, or a
//! fresh sample taken while the kill runs — and which of them the kill may add.
//!
//! A process may join a running kill only if it was born after the plan (its start
//! time is later than every start time the plan saw), the scope still covers it in
//! the fresh forest (its own placement, not its parent's), and no planner rule
//! rejects it. Whether its parent is still a process of the kill is the executor's
//! check: it needs the live handles.

use std::collections::{HashMap, HashSet};

use super::plan::{KillPlan, PlanContext, PlanEntry, Resolved, SkipReason, entry_of, skip_reason};
use crate::model::{Forest, ProcKey, ProcNode};

/// Lookups over every process node of a forest.
pub(super) struct Index<'f> {
    by_pid: HashMap<u32, &'f ProcNode>,
    /// Real children by ppid, across groups (a child may sit in another attempt).
    children: HashMap<u32, Vec<&'f ProcNode>>,
    /// Processes of the shared-services group.
    shared: HashSet<ProcKey>,
    /// Depth of each PID in the ppid tree of the forest.
    depths: HashMap<u32, usize>,
}

impl<'f> Index<'f> {
    pub(super) fn new(forest: &'f Forest) -> Index<'f> {
        let mut by_pid = HashMap::new();
        let mut children: HashMap<u32, Vec<&ProcNode>> = HashMap::new();
        forest.walk_processes(&mut |n| {
            by_pid.insert(n.process.pid(), n);
            children.entry(n.process.ppid).or_default().push(n);
        });
        let mut shared = HashSet::new();
        for root in &forest.shared {
            root.walk(&mut |n| {
                shared.insert(n.key());
            });
        }
        let depths = depths(&by_pid);
        Index { by_pid, children, shared, depths }
    }

    pub(super) fn by_pid(&self, pid: u32) -> Option<&'f ProcNode> {
        self.by_pid.get(&pid).copied()
    }

    /// The newest start time of any process in the forest, and the processes that
    /// started in that tick.
    pub(super) fn newest(&self) -> (u64, Vec<ProcKey>) {
        let newest = self.by_pid.values().map(|n| n.key().start_time()).max().unwrap_or(0);
        let last_tick = self.by_pid.values().map(|n| n.key()).filter(|k| k.start_time() == newest).collect();
        (newest, last_tick)
    }

    pub(super) fn depth(&self, pid: u32) -> usize {
        self.depths.get(&pid).copied().unwrap_or(0)
    }

    /// `node` and every descendant by ppid, parents before children, without recursion.
    fn descendants(&self, node: &'f ProcNode, out: &mut Vec<&'f ProcNode>) {
        let mut stack = vec![node];
        let mut visited: HashSet<u32> = HashSet::new();
        while let Some(n) = stack.pop() {
            if !visited.insert(n.process.pid()) {
                continue;
            }
            out.push(n);
            if let Some(children) = self.children.get(&n.process.pid()) {
                stack.extend(children.iter().rev().filter(|c| c.process.pid() != n.process.pid()));
            }
        }
    }

    /// The node that is `key` now (same PID and start time).
    fn same(&self, key: ProcKey) -> Option<&'f ProcNode> {
        self.by_pid(key.pid()).filter(|n| n.key() == key)
    }
}

/// Every PID's depth in the ppid tree, each chain walked once (no recursion; a cycle
/// of ppids, which a racy sample can show, ends the walk).
fn depths(by_pid: &HashMap<u32, &ProcNode>) -> HashMap<u32, usize> {
    let mut depths: HashMap<u32, usize> = HashMap::with_capacity(by_pid.len());
    let mut chain: Vec<u32> = Vec::new();
    for &start in by_pid.keys() {
        let mut current = start;
        let mut base = 0;
        let mut on_chain: HashSet<u32> = HashSet::new();
        loop {
            if let Some(&d) = depths.get(&current) {
                base = d + 1;
                break;
            }
            let Some(n) = by_pid.get(&current) else { break };
            if !on_chain.insert(current) {
                break;
            }
            chain.push(current);
            if n.process.ppid == current {
                break;
            }
            current = n.process.ppid;
        }
        // `chain` runs child to ancestor; the ancestor nearest the known part is last.
        for (i, pid) in chain.drain(..).rev().enumerate() {
            depths.insert(pid, base + i);
        }
    }
    depths
}

/// The processes `resolved` covers in the indexed forest, each with the reason it must
/// never be signalled, if any.
pub(super) fn members<'f>(
    resolved: &Resolved,
    forest: &'f Forest,
    index: &Index<'f>,
    ctx: &PlanContext,
) -> Vec<(&'f ProcNode, Option<SkipReason>)> {
    let mut out = Vec::new();
    // Processes the target names itself (a shared service among them is meant).
    let mut explicit: &[ProcKey] = &[];
    match resolved {
        Resolved::Process(key) => {
            explicit = std::slice::from_ref(key);
            out.extend(index.same(*key));
        }
        Resolved::Processes(keys) => {
            explicit = keys;
            out.extend(keys.iter().filter_map(|k| index.same(*k)));
        }
        Resolved::Tree(key) => {
            explicit = std::slice::from_ref(key);
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
    }
    // A shared service is signalled only when the target names it (or a tree it roots).
    let shared_named = explicit.iter().any(|k| index.shared.contains(k));
    let mut seen = HashSet::new();
    out.into_iter()
        .filter(|n| seen.insert(n.key()))
        .map(|n| {
            let skip = skip_reason(n, ctx).or_else(|| {
                (index.shared.contains(&n.key()) && !shared_named).then_some(SkipReason::SharedService)
            });
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
    let mut seen = HashSet::new();
    let mut nodes = Vec::new();
    for resolved in &plan.resolved {
        let adopts = resolved.adopts_newborns();
        for (n, skip) in members(resolved, fresh, &index, ctx) {
            let planned = plan.is_planned(n.key());
            let newborn = !planned && adopts && plan.born_after_plan(n.key());
            if seen.insert(n.key()) {
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
