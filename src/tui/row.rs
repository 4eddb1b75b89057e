//! One row of the tree view: its identity across refreshes, its kind and what it shows.

use std::collections::HashSet;
use std::sync::Arc;

use super::rows_parts::Guide;
use crate::model::{AttemptId, Forest, ProcKey, ProcState, ProjectId, Rollup, TaskId};

/// A row's identity across refreshes: ids for groups, ProcKey for processes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RowId {
    /// A box's row, above its projects, when other boxes are shown (`--host`).
    Host(u16),
    Project(ProjectId),
    Task(TaskId),
    Attempt(AttemptId),
    Shared,
    Other,
    Process(ProcKey),
    /// A process that exited, shown greyed for a few refreshes: never a kill target.
    Ghost(ProcKey),
    /// The bucket of exited processes whose group is gone too.
    Exited,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    Host,
    Project,
    Task,
    Attempt,
    Shared,
    Other,
    Process,
    /// An exited process (`RowId::Ghost`) or the bucket of them.
    Ghost,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The box it is on: 0 this box, `i` the `i`-th other (`App::remotes[i - 1]`). With
    /// the id, the row's identity: two boxes can have the same ids and processes.
    pub host: u16,
    pub id: RowId,
    pub kind: RowKind,
    pub depth: u16,
    /// Index of the parent row, if any (u32: rows are many, kept small).
    pub parent: Option<u32>,
    pub has_children: bool,
    pub expanded: bool,
    /// Sanitized main text: a group's name or a process's command line.
    pub label: Box<str>,
    /// Sanitized secondary text (path, branch), shown dimmed.
    pub note: Box<str>,
    pub pid: Option<u32>,
    /// What the numeric columns show: own values for an expanded process, roll-ups otherwise.
    pub shown: Rollup,
    pub orphan: bool,
    pub state: Option<ProcState>,
    /// A process's user, nice value and threads (for the columns).
    pub user: Option<Arc<str>>,
    pub nice: i8,
    pub threads: u32,
    /// The agent tag of an agent process (`claude busy`).
    pub agent: Option<Box<str>>,
    /// The PORTS cell: a process's ports, a group's (or a closed subtree's) union
    /// collapsed (`:3000 +2`), `-` when a process's descriptors are unreadable.
    pub ports: Box<str>,
    /// Born within the last refreshes (`[new]`).
    pub new: bool,
    /// An attempt's agent's status, by the agent's own files.
    pub agent_status: Option<Box<AgentStatus>>,
    pub guide: Guide,
}

impl Row {
    pub fn parent_index(&self) -> Option<usize> {
        self.parent.map(|p| p as usize)
    }
}

/// What an agent says it is doing (`idle`, `busy`, `shell`, `waiting`), since when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentStatus {
    pub agent: Box<str>,
    pub status: Box<str>,
    /// Milliseconds since the epoch, when known.
    pub since_ms: Option<u64>,
    /// It waits for its user.
    pub waits: bool,
    pub waiting_for: Option<Box<str>>,
}

/// Every row id in the forest, also inside collapsed or filtered-out nodes.
pub fn all_ids(forest: &Forest) -> HashSet<RowId> {
    let mut ids = HashSet::new();
    for (p, t, a) in forest.attempts() {
        ids.insert(RowId::Project(p.id.clone()));
        ids.insert(RowId::Task(t.id.clone()));
        ids.insert(RowId::Attempt(a.id.clone()));
    }
    ids.insert(RowId::Shared);
    ids.insert(RowId::Other);
    forest.walk_processes(&mut |n| {
        ids.insert(RowId::Process(n.key()));
    });
    ids
}
