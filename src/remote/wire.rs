//! A Forest as flat tables of whole records, for the wire: groups by id, processes by
//! ProcKey (their facts in a table of their own: they change only on exec). Trees are
//! parent links, so nothing nests and a 100,000-deep chain is 100,000 records; roll-ups
//! are not sent but summed again on arrival, so a busy process does not resend every
//! ancestor. A record is a model type's own serialisation: a field added to `Process`,
//! `ProcessFacts` or `AgentInfo` travels without touching this file. Pure.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::model::agent::AgentKind;
use crate::model::forest::{Preorder, build_bottom_up};
use crate::model::{
    AgentInfo, AssignedBy, AttemptId, AttemptNode, AttemptSource, Forest, ProcKey, ProcNode, Process,
    ProcessFacts, ProjectId, ProjectNode, Rollup, TaskId, TaskNode,
};

/// What is not a table: the box and the sample.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub host: String,
    pub sampled_at_ms: u64,
    pub ticks_per_second: u64,
    pub boot_time_secs: u64,
    pub self_pid: u32,
    pub totals: Rollup,
    /// Listening sockets no readable process holds (few; sent with every header).
    #[serde(default)]
    pub unowned_ports: Vec<crate::model::ports::Port>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectRecord {
    /// Place among the projects.
    pub pos: u32,
    pub name: String,
    #[serde(with = "crate::model::wire_path")]
    pub path: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskRecord {
    pub pos: u32,
    pub project: ProjectId,
    pub name: String,
    pub title: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptRecord {
    pub pos: u32,
    pub task: TaskId,
    pub name: String,
    #[serde(with = "crate::model::wire_path")]
    pub path: PathBuf,
    pub branch: Option<String>,
    pub source: AttemptSource,
    pub agent: Option<AgentKind>,
}

/// Where a process node hangs: under its parent node, or at the top of a group.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Place {
    Child(ProcKey),
    Attempt(AttemptId),
    Shared,
    Unassigned,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeRecord {
    pub place: Place,
    pub orphan: bool,
    pub assigned_by: Option<AssignedBy>,
    pub agent: Option<Box<AgentInfo>>,
    /// Without its facts (table `facts`).
    pub process: Process,
}

/// A whole forest as tables. Children and roots are in ProcKey order (as association
/// makes them); groups in the order of their `pos`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WireForest {
    pub header: Header,
    pub projects: BTreeMap<ProjectId, ProjectRecord>,
    pub tasks: BTreeMap<TaskId, TaskRecord>,
    pub attempts: BTreeMap<AttemptId, AttemptRecord>,
    pub facts: BTreeMap<ProcKey, Arc<ProcessFacts>>,
    pub nodes: BTreeMap<ProcKey, NodeRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("process {0} hangs under {1}, which is not in the forest")]
    NoParent(ProcKey, ProcKey),
    #[error("process {0} is in {1}, which is not in the forest")]
    NoAttempt(ProcKey, AttemptId),
    #[error("{0} is in {1}, which is not in the forest")]
    NoGroup(String, String),
    #[error("process {0} has no facts")]
    NoFacts(ProcKey),
    #[error("{0} processes hang in a loop of parents")]
    Cycle(usize),
}

/// A float a JSON peer can read back (serde_json writes NaN and infinities as null).
fn finite(x: f32) -> f32 {
    if x.is_finite() { x } else { 0.0 }
}

impl WireForest {
    pub fn of(forest: &Forest) -> WireForest {
        let mut w = WireForest {
            header: Header {
                host: forest.host.clone(),
                sampled_at_ms: forest.sampled_at_ms,
                ticks_per_second: forest.ticks_per_second,
                boot_time_secs: forest.boot_time_secs,
                self_pid: forest.self_pid,
                totals: Rollup { cpu_percent: finite(forest.totals.cpu_percent), ..forest.totals },
                unowned_ports: forest.unowned_ports.clone(),
            },
            ..WireForest::default()
        };
        for (pos, p) in (0u32..).zip(&forest.projects) {
            w.projects
                .insert(p.id.clone(), ProjectRecord { pos, name: p.name.clone(), path: p.path.clone() });
            for (pos, t) in (0u32..).zip(&p.tasks) {
                let record =
                    TaskRecord { pos, project: p.id.clone(), name: t.name.clone(), title: t.title.clone() };
                w.tasks.insert(t.id.clone(), record);
                for (pos, a) in (0u32..).zip(&t.attempts) {
                    w.attempts.insert(a.id.clone(), attempt_record(pos, &t.id, a));
                    w.add_trees(&a.processes, &Place::Attempt(a.id.clone()));
                }
            }
        }
        w.add_trees(&forest.shared, &Place::Shared);
        w.add_trees(&forest.unassigned, &Place::Unassigned);
        w
    }

    fn add_trees(&mut self, roots: &[ProcNode], top: &Place) {
        // The parent of each depth on the current path (a pre-order walk, no recursion).
        let mut path: Vec<ProcKey> = Vec::new();
        for (depth, n) in Preorder::of(roots) {
            path.truncate(depth);
            let place = path.last().map_or_else(|| top.clone(), |parent| Place::Child(*parent));
            let mut process = n.process.clone();
            process.cpu_percent = finite(process.cpu_percent);
            process.facts = Arc::default();
            self.facts.insert(n.key(), Arc::clone(&n.process.facts));
            self.nodes.insert(
                n.key(),
                NodeRecord {
                    place,
                    orphan: n.orphan,
                    assigned_by: n.assigned_by,
                    agent: n.agent.clone(),
                    process,
                },
            );
            path.push(n.key());
        }
    }

    /// The Forest again, every tree and roll-up rebuilt; an error for tables that do
    /// not make one (a missing parent, group or facts, a loop of parents).
    pub fn to_forest(&self) -> Result<Forest, WireError> {
        let mut children: HashMap<ProcKey, Vec<ProcKey>> = HashMap::new();
        let mut roots: HashMap<&Place, Vec<ProcKey>> = HashMap::new();
        for (key, node) in &self.nodes {
            match &node.place {
                Place::Child(parent) if self.nodes.contains_key(parent) => {
                    children.entry(*parent).or_default().push(*key)
                }
                Place::Child(parent) => return Err(WireError::NoParent(*key, *parent)),
                Place::Attempt(a) if !self.attempts.contains_key(a) => {
                    return Err(WireError::NoAttempt(*key, a.clone()));
                }
                place => roots.entry(place).or_default().push(*key),
            }
        }
        let mut built = 0usize;
        let mut trees = |place: &Place| -> Result<Vec<ProcNode>, WireError> {
            let keys = roots.get(place).map(Vec::as_slice).unwrap_or_default();
            keys.iter().map(|&k| self.tree(k, &children, &mut built)).collect()
        };
        let mut by_task: BTreeMap<(&TaskId, u32), (&AttemptId, &AttemptRecord)> = BTreeMap::new();
        for (id, a) in &self.attempts {
            if !self.tasks.contains_key(&a.task) {
                return Err(WireError::NoGroup(id.to_string(), a.task.to_string()));
            }
            by_task.insert((&a.task, a.pos), (id, a));
        }
        let mut by_project: BTreeMap<(&ProjectId, u32), (&TaskId, &TaskRecord)> = BTreeMap::new();
        for (id, t) in &self.tasks {
            if !self.projects.contains_key(&t.project) {
                return Err(WireError::NoGroup(id.to_string(), t.project.to_string()));
            }
            by_project.insert((&t.project, t.pos), (id, t));
        }
        let mut projects: Vec<(u32, ProjectNode)> = Vec::new();
        for (id, p) in &self.projects {
            let mut tasks = Vec::new();
            for (task_id, t) in by_project.range((id, 0)..=(id, u32::MAX)).map(|(_, v)| *v) {
                let mut attempts = Vec::new();
                for (attempt_id, a) in by_task.range((task_id, 0)..=(task_id, u32::MAX)).map(|(_, v)| *v) {
                    let processes = trees(&Place::Attempt(attempt_id.clone()))?;
                    attempts.push(AttemptNode {
                        id: attempt_id.clone(),
                        name: a.name.clone(),
                        path: a.path.clone(),
                        branch: a.branch.clone(),
                        source: a.source,
                        agent: a.agent.clone(),
                        rollup: Rollup::sum(processes.iter().map(|n| &n.rollup)),
                        processes,
                    });
                }
                tasks.push(TaskNode {
                    id: task_id.clone(),
                    name: t.name.clone(),
                    title: t.title.clone(),
                    rollup: Rollup::sum(attempts.iter().map(|a| &a.rollup)),
                    attempts,
                });
            }
            let project = ProjectNode {
                id: id.clone(),
                name: p.name.clone(),
                path: p.path.clone(),
                rollup: Rollup::sum(tasks.iter().map(|t| &t.rollup)),
                tasks,
            };
            projects.push((p.pos, project));
        }
        projects.sort_by_key(|(pos, _)| *pos);
        let shared = trees(&Place::Shared)?;
        let unassigned = trees(&Place::Unassigned)?;
        if built != self.nodes.len() {
            return Err(WireError::Cycle(self.nodes.len() - built));
        }
        let h = &self.header;
        Ok(Forest {
            host: h.host.clone(),
            sampled_at_ms: h.sampled_at_ms,
            ticks_per_second: h.ticks_per_second,
            boot_time_secs: h.boot_time_secs,
            self_pid: h.self_pid,
            totals: h.totals,
            projects: projects.into_iter().map(|(_, p)| p).collect(),
            shared,
            unassigned,
            unowned_ports: h.unowned_ports.clone(),
        })
    }

    /// The tree under `root`, built bottom-up without recursion.
    fn tree(
        &self,
        root: ProcKey,
        children: &HashMap<ProcKey, Vec<ProcKey>>,
        built: &mut usize,
    ) -> Result<ProcNode, WireError> {
        let mut missing = None;
        let kids = |k: ProcKey| children.get(&k).map(Vec::as_slice).unwrap_or_default().iter().copied();
        let made = build_bottom_up(root, kids, |k, kids: Vec<ProcNode>| {
            let node = &self.nodes[&k];
            let Some(facts) = self.facts.get(&k) else {
                missing.get_or_insert(k);
                return None;
            };
            *built += 1;
            let process = Process { facts: Arc::clone(facts), ..node.process.clone() };
            let mut rollup = Rollup::of_process(&process, node.orphan);
            for kid in &kids {
                rollup.add(&kid.rollup);
            }
            Some(ProcNode {
                process,
                orphan: node.orphan,
                assigned_by: node.assigned_by,
                agent: node.agent.clone(),
                children: kids,
                rollup,
            })
        });
        match missing {
            Some(k) => Err(WireError::NoFacts(k)),
            // `make` declines only when facts are missing, so the root is made.
            None => made.ok_or(WireError::NoFacts(root)),
        }
    }
}

fn attempt_record(pos: u32, task: &TaskId, a: &AttemptNode) -> AttemptRecord {
    AttemptRecord {
        pos,
        task: task.clone(),
        name: a.name.clone(),
        path: a.path.clone(),
        branch: a.branch.clone(),
        source: a.source,
        agent: a.agent.clone(),
    }
}

#[cfg(test)]
#[path = "wire_tests.rs"]
mod tests;
