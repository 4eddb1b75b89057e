//! Follow (`F`): the selection stays on one process — whatever the sort, the filter's
//! changes or where it moves in the tree — until the user moves the selection or the
//! process exits (then the selection drops to its nearest ancestor still there). And
//! `t`, which goes to the selected agent's own terminal.

use super::action::Effect;
use super::app::App;
use super::jump::JumpRequest;
use super::rows::RowId;
use crate::model::forest::Preorder;
use crate::model::{Forest, ProcKey, ProcNode};

impl App {
    /// `F` on the selected row: follow its process, or stop following it.
    pub fn toggle_follow(&mut self) {
        let msg =
            match self.selected_row().map(|r| if r.host == 0 { r.id.clone() } else { RowId::Host(r.host) }) {
                Some(RowId::Process(key)) if self.follow == Some(key) => {
                    self.follow = None;
                    "following stopped".to_string()
                }
                Some(RowId::Process(key)) => {
                    self.follow = Some(key);
                    format!("following PID {} (F again, or moving the selection, stops)", key.pid())
                }
                Some(RowId::Ghost(key)) => format!("PID {} has exited: nothing to follow", key.pid()),
                Some(RowId::Host(_)) => "F follows a process of this box".to_string(),
                _ => "select a process to follow it".to_string(),
            };
        self.status = Some(msg);
    }

    /// After the rows are built: point the selection at the followed process, opening
    /// its collapsed ancestors; stop following once it is gone from the box.
    pub(super) fn keep_following(&mut self) {
        let Some(key) = self.follow else { return };
        let id = RowId::Process(key);
        // This box's rows: another box can have a process of the same identity.
        if !self.rows.iter().any(|r| r.host == 0 && r.id == id) {
            let Some(path) = forest_path(&self.forest, key) else {
                self.follow = None;
                self.status = Some(format!("PID {} exited: following stopped", key.pid()));
                return;
            };
            for ancestor in &path[..path.len() - 1] {
                self.expansion.set(ancestor, true);
            }
            self.build();
        }
        if let Some(i) = self.rows.iter().position(|r| r.host == 0 && r.id == id) {
            self.selected_path = self.path_of(i);
        }
    }
}

/// The row ids from the top of the tree down to the process `key` (itself last).
pub fn forest_path(forest: &Forest, key: ProcKey) -> Option<Vec<RowId>> {
    for (p, t, a) in forest.attempts() {
        if let Some(below) = tree_path(&a.processes, key) {
            let top = [RowId::Project(p.id.clone()), RowId::Task(t.id.clone()), RowId::Attempt(a.id.clone())];
            return Some(top.into_iter().chain(below).collect());
        }
    }
    let buckets = [(RowId::Shared, &forest.shared), (RowId::Other, &forest.unassigned)];
    buckets.into_iter().find_map(|(bucket, roots)| {
        tree_path(roots, key).map(|below| std::iter::once(bucket).chain(below).collect())
    })
}

/// The process rows from a root down to `key`, without recursion.
fn tree_path(roots: &[ProcNode], key: ProcKey) -> Option<Vec<RowId>> {
    let mut path: Vec<ProcKey> = Vec::new();
    for (depth, n) in Preorder::of(roots) {
        path.truncate(depth);
        path.push(n.key());
        if n.key() == key {
            return Some(path.into_iter().map(RowId::Process).collect());
        }
    }
    None
}

impl App {
    /// `t`: the jump to the agent of the selected row (a process that is an agent, else
    /// its attempt's outermost agent), or why there is none.
    pub(super) fn jump_request(&mut self) -> Effect {
        let Some(row) = self.selected_row() else { return Effect::None };
        let own = match &row.id {
            RowId::Process(key) => {
                self.forest.find_process(|n| n.key() == *key).filter(|n| n.agent.is_some())
            }
            _ => None,
        };
        let attempt = self.attempt_above(self.selected);
        let node = own.or_else(|| {
            let (_, _, a) = self.forest.attempts().find(|(_, _, a)| Some(&a.id) == attempt.as_ref())?;
            a.agent_node()
        });
        let Some((node, info)) = node.and_then(|n| Some((n, n.agent.as_deref()?))) else {
            self.status = Some("no agent here to jump to (select an attempt with an agent)".into());
            return Effect::None;
        };
        Effect::Jump(Box::new(JumpRequest {
            agent: node.key(),
            name: info.kind.name().to_string(),
            tmux_hint: info.tmux.clone(),
        }))
    }

    /// The attempt of row `i`: itself or its nearest attempt ancestor.
    fn attempt_above(&self, mut i: usize) -> Option<crate::model::AttemptId> {
        loop {
            let row = self.rows.get(i)?;
            if let RowId::Attempt(id) = &row.id {
                return Some(id.clone());
            }
            i = row.parent_index()?;
        }
    }
}
