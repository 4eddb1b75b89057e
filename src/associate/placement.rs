//! Rules 3–5 of DESIGN.md: own cwd inside a known worktree, inheritance along ppid,
//! otherwise unassigned.

use std::collections::HashMap;
use std::path::Path;

use crate::model::{AssignedBy, Snapshot};

/// How firmly the process at the top of an inheritance chain was placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// Placed only because its cwd is inside a worktree (e.g. a tmux server
    /// started there): its new-session descendants are not swallowed.
    CwdOnly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    /// Index into `Snapshot::worktrees`.
    pub worktree: usize,
    pub by: AssignedBy,
    pub anchor: Anchor,
}

/// One placement (or none) per process, indexed like `snapshot.processes`.
pub fn place_all(snapshot: &Snapshot, index_of_pid: &HashMap<u32, usize>) -> Vec<Option<Placement>> {
    let by_path: HashMap<&Path, usize> =
        snapshot.worktrees.iter().enumerate().map(|(i, w)| (w.path.as_path(), i)).collect();

    // Some(x) = resolved to x; None = not yet resolved.
    let mut resolved: Vec<Option<Option<Placement>>> = snapshot
        .processes
        .iter()
        .map(|p| {
            if p.kernel_thread {
                return Some(None);
            }
            let wt = p.cwd.as_deref().and_then(|cwd| cwd.ancestors().find_map(|a| by_path.get(a).copied()));
            wt.map(|worktree| Some(Placement { worktree, by: AssignedBy::Cwd, anchor: Anchor::CwdOnly }))
        })
        .collect();

    let n = snapshot.processes.len();
    let mut chain = Vec::new();
    for start in 0..n {
        if resolved[start].is_some() {
            continue;
        }
        chain.clear();
        let mut current = start;
        let top = loop {
            if let Some(r) = resolved[current] {
                break r;
            }
            chain.push(current);
            if chain.len() > n {
                break None; // a ppid cycle can only come from inconsistent input
            }
            let ppid = snapshot.processes[current].ppid;
            match index_of_pid.get(&ppid) {
                Some(&parent) if ppid != snapshot.processes[current].pid() => current = parent,
                _ => break None,
            }
        };
        let mut above = top;
        for &i in chain.iter().rev() {
            let placed = above.and_then(|parent| inherit(snapshot, i, parent));
            resolved[i] = Some(placed);
            above = placed;
        }
    }
    resolved.into_iter().map(Option::flatten).collect()
}

fn inherit(snapshot: &Snapshot, child: usize, parent: Placement) -> Option<Placement> {
    let p = &snapshot.processes[child];
    let new_session = p.sid == p.pid();
    if new_session && parent.anchor == Anchor::CwdOnly {
        return None;
    }
    Some(Placement { by: AssignedBy::Inherited, ..parent })
}
