//! Pure: lookups over every process node of one forest — by PID, children by ppid,
//! depth, and where each process is placed — shared by planning and re-scoping.

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::model::{AttemptNode, Forest, ProcKey, ProcNode, ProjectNode};

/// Where a process is placed in a forest.
#[derive(Debug, Clone, Copy)]
pub enum Place<'f> {
    Attempt(&'f ProjectNode, &'f AttemptNode),
    /// In the shared-services group (serves several attempts, belongs to none).
    Shared,
    /// Outside every attempt.
    Outside,
}

impl fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Attempt(_, a) => write!(f, "in {}", a.id),
            Place::Shared => f.write_str("a shared service"),
            Place::Outside => f.write_str("outside every attempt"),
        }
    }
}

pub struct Index<'f> {
    by_pid: HashMap<u32, &'f ProcNode>,
    /// Real children by ppid, across groups (a child may sit in another attempt).
    children: HashMap<u32, Vec<&'f ProcNode>>,
    /// Processes of the shared-services group.
    shared: HashSet<ProcKey>,
    /// The attempt of every placed process.
    placed: HashMap<ProcKey, (&'f ProjectNode, &'f AttemptNode)>,
    /// Depth of each PID in the ppid tree of the forest.
    depths: HashMap<u32, usize>,
}

impl<'f> Index<'f> {
    pub fn new(forest: &'f Forest) -> Index<'f> {
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
        let mut placed = HashMap::new();
        for (p, _, a) in forest.attempts() {
            for root in &a.processes {
                root.walk(&mut |n| {
                    placed.insert(n.key(), (p, a));
                });
            }
        }
        let depths = depths(&by_pid);
        Index { by_pid, children, shared, placed, depths }
    }

    pub fn by_pid(&self, pid: u32) -> Option<&'f ProcNode> {
        self.by_pid.get(&pid).copied()
    }

    /// Every process node, in no particular order.
    pub fn nodes(&self) -> impl Iterator<Item = &'f ProcNode> + '_ {
        self.by_pid.values().copied()
    }

    /// The parent node of `node`, if it is in the forest.
    pub fn parent(&self, node: &ProcNode) -> Option<&'f ProcNode> {
        let ppid = node.process.ppid;
        (ppid != node.process.pid()).then(|| self.by_pid(ppid)).flatten()
    }

    pub fn is_shared(&self, key: ProcKey) -> bool {
        self.shared.contains(&key)
    }

    pub fn place(&self, key: ProcKey) -> Place<'f> {
        match self.placed.get(&key) {
            Some((p, a)) => Place::Attempt(p, a),
            None if self.shared.contains(&key) => Place::Shared,
            None => Place::Outside,
        }
    }

    /// The newest start time of any process in the forest, and the processes that
    /// started in that tick.
    pub fn newest(&self) -> (u64, Vec<ProcKey>) {
        let newest = self.by_pid.values().map(|n| n.key().start_time()).max().unwrap_or(0);
        let last_tick = self.by_pid.values().map(|n| n.key()).filter(|k| k.start_time() == newest).collect();
        (newest, last_tick)
    }

    pub fn depth(&self, pid: u32) -> usize {
        self.depths.get(&pid).copied().unwrap_or(0)
    }

    /// `node` and every descendant by ppid, parents before children, without recursion.
    pub fn descendants(&self, node: &'f ProcNode, out: &mut Vec<&'f ProcNode>) {
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
    pub fn same(&self, key: ProcKey) -> Option<&'f ProcNode> {
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
