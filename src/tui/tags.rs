//! Tagged rows: a set of scopes (group ids and process identities) that every action
//! acts on together. Pure. A tag names what it named when it was made: a process tag
//! is a ProcKey, so a PID reused by another process never inherits it; a tag whose
//! process exited or whose group vanished is dropped, and the drop is reported.

use std::collections::HashSet;

use super::rows::RowId;
use crate::model::{Forest, NodeId, ProcNode};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tags {
    /// In the order they were tagged: the order a confirmation lists them in.
    order: Vec<RowId>,
    set: HashSet<RowId>,
}

/// Why an exited process's row (a ghost) is never tagged: it is shown, never acted on.
pub const EXITED: &str = "this process has exited: nothing to tag";

/// Why a row cannot be tagged on its own.
pub const UNTAGGABLE: &str = "this group cannot be tagged: tag its processes (c tags them all)";

impl Tags {
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn contains(&self, id: &RowId) -> bool {
        self.set.contains(id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &RowId> {
        self.order.iter()
    }

    /// Tags `id`, or untags it when it is tagged; returns whether it is tagged now.
    /// The shared-services and other-processes groups are no scope of their own.
    pub fn toggle(&mut self, id: &RowId) -> Result<bool, &'static str> {
        if matches!(id, RowId::Ghost(_) | RowId::Exited) {
            return Err(EXITED);
        }
        if !taggable(id) {
            return Err(UNTAGGABLE);
        }
        if self.set.remove(id) {
            self.order.retain(|t| t != id);
            Ok(false)
        } else {
            self.insert(id.clone());
            Ok(true)
        }
    }

    /// Tags `id` and every node below it in `forest`, collapsed and filtered-out ones
    /// included; returns how many tags were added.
    pub fn tag_below(&mut self, id: &RowId, forest: &Forest) -> usize {
        let before = self.order.len();
        if taggable(id) {
            self.insert(id.clone());
        }
        let processes = |roots: &[ProcNode], tags: &mut Tags| {
            for root in roots {
                root.walk(&mut |n| tags.insert(RowId::Process(n.key())));
            }
        };
        match id {
            RowId::Process(key) => {
                if let Some(node) = forest.find_process(|n| n.key() == *key) {
                    processes(std::slice::from_ref(node), self);
                }
            }
            RowId::Host(_) => {}
            RowId::Shared => processes(&forest.shared, self),
            RowId::Other => processes(&forest.unassigned, self),
            // Exited processes are in no forest: nothing below them to tag.
            RowId::Ghost(_) | RowId::Exited => {}
            RowId::Project(_) | RowId::Task(_) | RowId::Attempt(_) => {
                for (p, t, a) in forest.attempts() {
                    let below = match id {
                        RowId::Project(pid) => p.id == *pid,
                        RowId::Task(tid) => t.id == *tid,
                        RowId::Attempt(aid) => a.id == *aid,
                        _ => false,
                    };
                    if !below {
                        continue;
                    }
                    if matches!(id, RowId::Project(_)) {
                        self.insert(RowId::Task(t.id.clone()));
                    }
                    if !matches!(id, RowId::Attempt(_)) {
                        self.insert(RowId::Attempt(a.id.clone()));
                    }
                    processes(&a.processes, self);
                }
            }
        }
        self.order.len() - before
    }

    pub fn clear(&mut self) {
        self.order.clear();
        self.set.clear();
    }

    fn insert(&mut self, id: RowId) {
        if self.set.insert(id.clone()) {
            self.order.push(id);
        }
    }

    /// Drops the tags that name nothing in `live` (every id of the newest forest);
    /// returns what was dropped, as text for the user.
    pub fn prune(&mut self, live: &HashSet<RowId>) -> Vec<String> {
        let mut dropped = Vec::new();
        self.order.retain(|id| {
            let keep = live.contains(id);
            if !keep {
                dropped.push(gone(id));
            }
            keep
        });
        self.set.retain(|id| live.contains(id));
        dropped
    }

    /// The tags as action targets: a group by its id, a process by its PID (`pid:`), or
    /// with `trees` its PID and descendants (`tree:`). Each process tag must still be
    /// the process it named in `forest` (tags are pruned on every new forest, so it is;
    /// checked again here because a kill must never follow a reused PID).
    pub fn targets(&self, trees: bool, forest: &Forest) -> Result<Vec<NodeId>, String> {
        let mut out = Vec::with_capacity(self.order.len());
        for id in &self.order {
            out.push(match id {
                RowId::Project(p) => p.clone().into(),
                RowId::Task(t) => t.clone().into(),
                RowId::Attempt(a) => a.clone().into(),
                RowId::Process(key) => {
                    let same = forest.find_process(|n| n.process.pid() == key.pid()).map(ProcNode::key);
                    if same != Some(*key) {
                        return Err(format!("{}: untag it and tag the process again", gone(id)));
                    }
                    if trees { NodeId::Tree(key.pid()) } else { NodeId::Pid(key.pid()) }
                }
                RowId::Host(_) | RowId::Shared | RowId::Other => continue,
                // Never tagged (`toggle`, `taggable`); were one ever here, it is no target.
                RowId::Ghost(_) | RowId::Exited => continue,
            });
        }
        Ok(out)
    }
}

fn taggable(id: &RowId) -> bool {
    !matches!(id, RowId::Host(_) | RowId::Shared | RowId::Other | RowId::Ghost(_) | RowId::Exited)
}

/// What a tag that names nothing any more said.
fn gone(id: &RowId) -> String {
    match id {
        RowId::Project(p) => format!("{p} is gone"),
        RowId::Task(t) => format!("{t} is gone"),
        RowId::Attempt(a) => format!("{a} is gone"),
        RowId::Process(key) => format!("pid {} exited", key.pid()),
        RowId::Host(_) | RowId::Shared | RowId::Other => "a group is gone".into(),
        RowId::Ghost(key) => format!("pid {} exited", key.pid()),
        RowId::Exited => "exited processes".into(),
    }
}

#[cfg(test)]
#[path = "tags_tests.rs"]
mod tests;
