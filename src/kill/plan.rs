//! Pure: resolve kill targets in one Forest to an ordered set of ProcKeys, with the
//! entries that are never signalled and why (DESIGN.md "Killing").

use std::collections::{HashMap, HashSet};

use crate::model::{Forest, NodeId, ProcKey, ProcNode};

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    Init,
    KernelThread,
    SelfOrAncestor,
    OtherUser(String),
    Protected(String),
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::Init => f.write_str("PID 1 (init)"),
            SkipReason::KernelThread => f.write_str("kernel thread"),
            SkipReason::SelfOrAncestor => f.write_str("swarmtop itself or one of its ancestors"),
            SkipReason::OtherUser(u) => write!(f, "belongs to another user ({u})"),
            SkipReason::Protected(n) => write!(f, "protected by kill.protect ({n})"),
        }
    }
}

/// One process of a plan, with what the confirmation shows of it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanEntry {
    pub key: ProcKey,
    pub name: String,
    pub cmd: String,
    pub cpu_percent: f32,
    pub memory_bytes: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub entry: PlanEntry,
    pub reason: SkipReason,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KillPlan {
    /// The targets as typed, e.g. `attempt:alpha/add-login/1a2b`.
    pub scope: Vec<String>,
    /// Parents before children.
    pub entries: Vec<PlanEntry>,
    pub skipped: Vec<Skipped>,
}

impl KillPlan {
    pub fn cpu_percent(&self) -> f32 {
        self.entries.iter().map(|e| e.cpu_percent).sum()
    }

    pub fn memory_bytes(&self) -> u64 {
        self.entries.iter().map(|e| e.memory_bytes).sum()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("no such target {target}{}", suggest(.close))]
    UnknownTarget { target: String, close: Vec<String> },
    #[error("{0} has no processes")]
    Empty(String),
}

fn suggest(close: &[String]) -> String {
    if close.is_empty() { String::new() } else { format!(" (close matches: {})", close.join(", ")) }
}

pub fn plan(targets: &[NodeId], forest: &Forest, ctx: &PlanContext) -> Result<KillPlan, PlanError> {
    let index = Index::new(forest);
    let mut chosen: Vec<&ProcNode> = Vec::new();
    let mut seen: HashSet<ProcKey> = HashSet::new();
    for target in targets {
        let nodes = index.resolve(target, forest)?;
        if nodes.is_empty() {
            return Err(PlanError::Empty(target.to_string()));
        }
        // Overlapping targets (a task and one of its attempts) name each process once.
        chosen.extend(nodes.into_iter().filter(|n| seen.insert(n.key())));
    }
    // Parents first: order by depth in the ppid tree, then pid.
    chosen.sort_by_key(|n| (index.depth(n.process.pid()), n.process.pid()));
    let mut plan = KillPlan {
        scope: targets.iter().map(ToString::to_string).collect(),
        entries: Vec::new(),
        skipped: Vec::new(),
    };
    for node in chosen {
        let entry = entry_of(node);
        match skip_reason(node, ctx) {
            Some(reason) => plan.skipped.push(Skipped { entry, reason }),
            None => plan.entries.push(entry),
        }
    }
    Ok(plan)
}

fn entry_of(node: &ProcNode) -> PlanEntry {
    let p = &node.process;
    PlanEntry {
        key: p.key,
        name: p.display_name().to_string(),
        cmd: p.command_line(),
        cpu_percent: p.cpu_percent,
        memory_bytes: p.memory_bytes,
    }
}

fn skip_reason(node: &ProcNode, ctx: &PlanContext) -> Option<SkipReason> {
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

/// Lookups over every process node of a forest.
struct Index<'f> {
    by_pid: HashMap<u32, &'f ProcNode>,
    /// Real children by ppid, across groups (a child may sit in another attempt).
    children: HashMap<u32, Vec<&'f ProcNode>>,
}

impl<'f> Index<'f> {
    fn new(forest: &'f Forest) -> Index<'f> {
        let mut by_pid = HashMap::new();
        let mut children: HashMap<u32, Vec<&ProcNode>> = HashMap::new();
        forest.walk_processes(&mut |n| {
            by_pid.insert(n.process.pid(), n);
            children.entry(n.process.ppid).or_default().push(n);
        });
        Index { by_pid, children }
    }

    fn depth(&self, pid: u32) -> usize {
        let mut depth = 0;
        let mut current = pid;
        while let Some(n) = self.by_pid.get(&current) {
            if n.process.ppid == current || depth > self.by_pid.len() {
                break;
            }
            current = n.process.ppid;
            depth += 1;
        }
        depth
    }

    fn descendants(&self, node: &'f ProcNode, out: &mut Vec<&'f ProcNode>) {
        out.push(node);
        for c in self.children.get(&node.process.pid()).into_iter().flatten() {
            if c.process.pid() != node.process.pid() {
                self.descendants(c, out);
            }
        }
    }

    fn resolve(&self, target: &NodeId, forest: &'f Forest) -> Result<Vec<&'f ProcNode>, PlanError> {
        let unknown =
            || PlanError::UnknownTarget { target: target.to_string(), close: close_matches(target, forest) };
        let mut out = Vec::new();
        match target {
            NodeId::Pid(pid) => out.push(*self.by_pid.get(pid).ok_or_else(unknown)?),
            NodeId::Tree(pid) => self.descendants(self.by_pid.get(pid).ok_or_else(unknown)?, &mut out),
            NodeId::Project(_) | NodeId::Task { .. } | NodeId::Attempt { .. } => {
                let id = target.to_string();
                let mut found = false;
                for (p, t, a) in forest.attempts() {
                    if p.id == id || t.id == id || a.id == id {
                        found = true;
                        a.processes.iter().for_each(|root| root.walk(&mut |n| out.push(n)));
                    }
                }
                if !found {
                    return Err(unknown());
                }
            }
            NodeId::Orphans(project) => {
                if let Some(name) = project {
                    if !forest.projects.iter().any(|p| &p.name == name) {
                        return Err(unknown());
                    }
                }
                let mut members = Vec::new();
                for (p, _, a) in forest.attempts() {
                    if project.as_ref().is_none_or(|name| &p.name == name) {
                        a.processes.iter().for_each(|root| root.walk(&mut |n| members.push(n)));
                    }
                }
                for orphan in members.into_iter().filter(|n| n.orphan) {
                    self.descendants(orphan, &mut out);
                }
            }
        }
        Ok(out)
    }
}

/// Ids of the forest that look like the mistyped one: same kind, and containing it, or
/// within a small edit distance.
pub fn close_matches(target: &NodeId, forest: &Forest) -> Vec<String> {
    let wanted = target.to_string();
    let kind = wanted.split(':').next().unwrap_or("");
    let mut ids: Vec<String> = Vec::new();
    for (p, t, a) in forest.attempts() {
        for id in [&p.id, &t.id, &a.id] {
            if !ids.contains(id) {
                ids.push(id.clone());
            }
        }
    }
    let tail = wanted.split_once(':').map_or(wanted.as_str(), |(_, t)| t);
    let mut scored: Vec<(usize, String)> = ids
        .into_iter()
        .filter(|id| id.starts_with(kind))
        .filter_map(|id| {
            let d = edit_distance(&id, &wanted);
            let contains = !tail.is_empty() && id.contains(tail);
            (contains || d <= 3.max(wanted.len() / 4)).then_some((d, id))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(5).map(|(_, id)| id).collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut row = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            row[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(row[j] + 1);
        }
        prev = row;
    }
    prev[b.len()]
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
