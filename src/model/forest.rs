//! The association result: projects → tasks → attempts → process trees, with roll-ups.

use std::fmt;
use std::path::PathBuf;

use super::agent::AgentKind;
pub use super::forest_kinds::{AgentInfo, AssignedBy, AttemptSource};
use super::ids::{AttemptId, ProjectId, TaskId};
use super::process::{ProcKey, Process};
pub use super::rollup::Rollup;

/// A process and its subtree. Clone, PartialEq, Debug and Drop are written out with
/// explicit stacks: derived ones recurse once per level, and a chain can be 100,000 deep.
pub struct ProcNode {
    pub process: Process,
    pub orphan: bool,
    /// `None` for processes outside every attempt.
    pub assigned_by: Option<AssignedBy>,
    /// Set on agent processes; not on an agent's own launcher chain below it. Boxed:
    /// few nodes have one, and every node would pay its size.
    pub agent: Option<Box<AgentInfo>>,
    pub children: Vec<ProcNode>,
    /// This process plus all its descendants in the same group.
    pub rollup: Rollup,
}

impl ProcNode {
    pub fn key(&self) -> ProcKey {
        self.process.key
    }

    /// Depth-first, parents before children.
    pub fn walk<'a>(&'a self, visit: &mut impl FnMut(&'a ProcNode)) {
        walk_trees(&mut Vec::new(), std::slice::from_ref(self), visit);
    }

    /// This node and its descendants, parents before children, siblings in order, each
    /// with its depth below this node.
    pub fn preorder(&self) -> Preorder<'_> {
        Preorder::of(std::slice::from_ref(self))
    }

    /// A copy of this node's own fields with the given children.
    pub fn with_children(&self, children: Vec<ProcNode>) -> ProcNode {
        ProcNode {
            process: self.process.clone(),
            orphan: self.orphan,
            assigned_by: self.assigned_by,
            agent: self.agent.clone(),
            children,
            rollup: self.rollup,
        }
    }

    fn same_fields(&self, other: &ProcNode) -> bool {
        self.process == other.process
            && self.orphan == other.orphan
            && self.assigned_by == other.assigned_by
            && self.agent == other.agent
            && self.rollup == other.rollup
            && self.children.len() == other.children.len()
    }
}

/// Visits trees depth-first, parents before children, siblings in order, with
/// `stack` (left empty) for the siblings still to visit at every level above.
fn walk_trees<'a>(
    stack: &mut Vec<std::slice::Iter<'a, ProcNode>>,
    roots: &'a [ProcNode],
    visit: &mut impl FnMut(&'a ProcNode),
) {
    stack.push(roots.iter());
    while let Some(siblings) = stack.last_mut() {
        match siblings.next() {
            Some(n) => {
                visit(n);
                if !n.children.is_empty() {
                    stack.push(n.children.iter());
                }
            }
            None => drop(stack.pop()),
        }
    }
}

/// Pre-order over trees, with each node's depth below its root.
pub struct Preorder<'a> {
    /// The siblings still to visit at every level above.
    stack: Vec<std::slice::Iter<'a, ProcNode>>,
}

impl<'a> Preorder<'a> {
    pub fn of(roots: &'a [ProcNode]) -> Preorder<'a> {
        Preorder { stack: vec![roots.iter()] }
    }
}

impl<'a> Iterator for Preorder<'a> {
    type Item = (usize, &'a ProcNode);

    fn next(&mut self) -> Option<(usize, &'a ProcNode)> {
        loop {
            let depth = self.stack.len().checked_sub(1)?;
            match self.stack.last_mut().and_then(Iterator::next) {
                Some(n) => {
                    if !n.children.is_empty() {
                        self.stack.push(n.children.iter());
                    }
                    return Some((depth, n));
                }
                None => drop(self.stack.pop()),
            }
        }
    }
}

/// Builds a tree bottom-up with an explicit stack: `make(s, built)` is called once
/// per source node, after its children (from `children(s)`, in order), with what
/// their calls made; it returns `None` to leave the node out. Leaves take no frame.
pub fn build_bottom_up<S: Copy, I: ExactSizeIterator<Item = S>, T>(
    root: S,
    children: impl Fn(S) -> I,
    mut make: impl FnMut(S, Vec<T>) -> Option<T>,
) -> Option<T> {
    let kids = children(root);
    let capacity = kids.len();
    let mut stack = vec![(root, kids, Vec::with_capacity(capacity))];
    while let Some((_, kids, built)) = stack.last_mut() {
        if let Some(child) = kids.next() {
            let grandchildren = children(child);
            match grandchildren.len() {
                0 => built.extend(make(child, Vec::new())),
                n => stack.push((child, grandchildren, Vec::with_capacity(n))),
            }
            continue;
        }
        let Some((s, _, built)) = stack.pop() else { break };
        let made = make(s, built);
        match stack.last_mut() {
            Some((_, _, siblings)) => siblings.extend(made),
            None => return made,
        }
    }
    None
}

impl Clone for ProcNode {
    /// Top-down with an explicit stack: each node is made once, in its final place.
    fn clone(&self) -> ProcNode {
        let mut root = self.with_children(Vec::new());
        let mut todo: Vec<(&ProcNode, &mut Vec<ProcNode>)> = vec![(self, &mut root.children)];
        while let Some((src, dst)) = todo.pop() {
            dst.extend(src.children.iter().map(|c| c.with_children(Vec::new())));
            let inner = src.children.iter().zip(dst.iter_mut()).filter(|(s, _)| !s.children.is_empty());
            todo.extend(inner.rev().map(|(s, d)| (s, &mut d.children)));
        }
        root
    }
}

impl PartialEq for ProcNode {
    fn eq(&self, other: &ProcNode) -> bool {
        let mut stack = vec![(std::slice::from_ref(self).iter(), std::slice::from_ref(other).iter())];
        while let Some((xs, ys)) = stack.last_mut() {
            match (xs.next(), ys.next()) {
                (Some(a), Some(b)) => {
                    if !a.same_fields(b) {
                        return false;
                    }
                    if !a.children.is_empty() {
                        stack.push((a.children.iter(), b.children.iter()));
                    }
                }
                (None, None) => drop(stack.pop()),
                _ => return false,
            }
        }
        true
    }
}

impl fmt::Debug for ProcNode {
    /// The subtree as a flat list, parents first, each node with its depth.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Flat<'a>(usize, &'a ProcNode);
        impl fmt::Debug for Flat<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let n = self.1;
                f.debug_struct("ProcNode")
                    .field("depth", &self.0)
                    .field("process", &n.process)
                    .field("orphan", &n.orphan)
                    .field("assigned_by", &n.assigned_by)
                    .field("agent", &n.agent)
                    .field("children", &n.children.len())
                    .field("rollup", &n.rollup)
                    .finish()
            }
        }
        f.debug_list().entries(self.preorder().map(|(depth, n)| Flat(depth, n))).finish()
    }
}

impl Drop for ProcNode {
    fn drop(&mut self) {
        // Leaves drop without recursing. Deeper subtrees are taken apart a level at a
        // time: each node's children move out as a whole Vec, so every node is dropped
        // in place with no children left.
        if self.children.iter().all(|c| c.children.is_empty()) {
            return;
        }
        let mut levels = vec![std::mem::take(&mut self.children)];
        while let Some(mut nodes) = levels.pop() {
            for n in &mut nodes {
                if !n.children.is_empty() {
                    levels.push(std::mem::take(&mut n.children));
                }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AttemptNode {
    pub id: AttemptId,
    pub name: String,
    pub path: PathBuf,
    pub branch: Option<String>,
    pub source: AttemptSource,
    /// The outermost agent working in the attempt.
    pub agent: Option<AgentKind>,
    pub rollup: Rollup,
    pub processes: Vec<ProcNode>,
}

impl AttemptNode {
    /// The attempt's outermost agent process (the first of the least deep, the one
    /// `agent` names).
    pub fn agent_node(&self) -> Option<&ProcNode> {
        let agents = Preorder::of(&self.processes).filter(|(_, n)| n.agent.is_some());
        agents.min_by_key(|(depth, _)| *depth).map(|(_, n)| n)
    }

    /// What that agent says of itself.
    pub fn agent_info(&self) -> Option<&AgentInfo> {
        self.agent_node().and_then(|n| n.agent.as_deref())
    }

    /// The branch for display: `(detached)` for a git worktree without one, empty for
    /// attempts that are not git worktrees.
    pub fn branch_label(&self) -> &str {
        match (&self.branch, self.source) {
            (Some(b), _) => b,
            (None, AttemptSource::Git) => "(detached)",
            (None, _) => "",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaskNode {
    pub id: TaskId,
    pub name: String,
    /// The orchestrator's title for it (vibe-kanban), when known.
    pub title: Option<String>,
    pub rollup: Rollup,
    pub attempts: Vec<AttemptNode>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProjectNode {
    pub id: ProjectId,
    pub name: String,
    pub path: PathBuf,
    pub rollup: Rollup,
    pub tasks: Vec<TaskNode>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Forest {
    pub host: String,
    pub sampled_at_ms: u64,
    pub ticks_per_second: u64,
    pub boot_time_secs: u64,
    pub self_pid: u32,
    /// Every user-space process on the box, assigned or not.
    pub totals: Rollup,
    pub projects: Vec<ProjectNode>,
    /// Services that serve several attempts and belong to none.
    pub shared: Vec<ProcNode>,
    /// Process trees outside every attempt.
    pub unassigned: Vec<ProcNode>,
    /// Listening sockets that no process swarmtop could read holds: another user's
    /// (unless root), a process in another PID namespace, or the kernel's.
    pub unowned_ports: Vec<super::ports::Port>,
}

impl Forest {
    /// Seconds from a start time in clock ticks after boot to this forest's sample.
    pub fn age_secs(&self, start_ticks: u64) -> u64 {
        let started = self.boot_time_secs + start_ticks / self.ticks_per_second.max(1);
        (self.sampled_at_ms / 1000).saturating_sub(started)
    }

    pub fn attempt_count(&self) -> usize {
        self.projects.iter().flat_map(|p| &p.tasks).map(|t| t.attempts.len()).sum()
    }

    /// Every attempt with its project and task, in display order.
    pub fn attempts(&self) -> impl Iterator<Item = (&ProjectNode, &TaskNode, &AttemptNode)> {
        self.projects
            .iter()
            .flat_map(|p| p.tasks.iter().flat_map(move |t| t.attempts.iter().map(move |a| (p, t, a))))
    }

    /// A copy whose group ids carry `host:NAME/` (output that shows several boxes).
    pub fn with_host_ids(&self, host: &str) -> Forest {
        let mut f = self.clone();
        for p in &mut f.projects {
            p.id = p.id.on_host(host);
            for t in &mut p.tasks {
                t.id = t.id.on_host(host);
                for a in &mut t.attempts {
                    a.id = a.id.on_host(host);
                }
            }
        }
        f
    }

    /// Same processes, numbers and groups, whatever the sampling time.
    pub fn same_content(&self, other: &Forest) -> bool {
        self.totals == other.totals
            && self.projects == other.projects
            && self.shared == other.shared
            && self.unassigned == other.unassigned
            && self.unowned_ports == other.unowned_ports
    }

    /// The first process node, parents first, that satisfies `pred`.
    pub fn find_process(&self, pred: impl Fn(&ProcNode) -> bool + Copy) -> Option<&ProcNode> {
        self.roots().find_map(|root| root.preorder().map(|(_, n)| n).find(|n| pred(n)))
    }

    /// The root of every process tree: attempts', shared services', unassigned.
    pub fn roots(&self) -> impl Iterator<Item = &ProcNode> {
        self.attempts().flat_map(|(_, _, a)| &a.processes).chain(&self.shared).chain(&self.unassigned)
    }

    /// Every process placed in an attempt.
    pub fn attempt_keys(&self) -> std::collections::HashSet<ProcKey> {
        let roots = self.attempts().flat_map(|(_, _, a)| &a.processes);
        roots.flat_map(|root| root.preorder().map(|(_, n)| n.key())).collect()
    }

    /// Every process node in the forest (attempts, shared, unassigned), parents first.
    pub fn walk_processes<'a>(&'a self, visit: &mut impl FnMut(&'a ProcNode)) {
        let mut stack = Vec::new();
        let attempts = self.attempts().map(|(_, _, a)| &a.processes[..]);
        for roots in attempts.chain([&self.shared[..], &self.unassigned[..]]) {
            walk_trees(&mut stack, roots, visit);
        }
    }
}

#[cfg(test)]
#[path = "forest_tests.rs"]
mod tests;
