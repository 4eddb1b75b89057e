//! Opening kill modals from the selection, and feeding them progress and reports.

use std::time::Duration;

use super::action::{Effect, KillRequest, Modal};
use super::app::App;
use super::command::Command;
use super::kill_modal::{KillModal, KillState, ModalRequest};
use super::rows::{RowId, RowKind};
use crate::kill::exec::{KillReport, Progress};
use crate::kill::plan::{Narrowing, plan_with};
use crate::model::{NodeId, ProjectId};

/// Which kill the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KillScope {
    /// `x`: the selected process, or every process of the selected group.
    Node,
    /// `X`: the selected process and its descendants.
    Tree,
    /// `O`: the orphans of the selected project, or of everything.
    Orphans,
    /// `K`: every process of the selected group (or the selected process's tree)
    /// except the recognised agents, which keep their conversations.
    KeepAgents,
}

impl App {
    pub fn open_kill(&mut self, scope: KillScope) {
        if self.read_only {
            self.status = Some("read-only: kills are disabled".into());
            return;
        }
        let target = match self.kill_target(scope) {
            Ok(t) => t,
            Err(msg) => {
                self.status = Some(msg);
                return;
            }
        };
        let narrowing = Narrowing { keep_agents: scope == KillScope::KeepAgents, ..Narrowing::default() };
        match plan_with(std::slice::from_ref(&target), &narrowing, &self.forest, &self.plan_context) {
            Ok(plan) => {
                let visible: std::collections::HashSet<&RowId> = self.rows.iter().map(|r| &r.id).collect();
                let hidden = plan
                    .entries
                    .iter()
                    .chain(plan.skipped.iter().map(|s| &s.entry))
                    .filter(|e| !visible.contains(&RowId::Process(e.key)))
                    .count();
                self.modal = Some(Modal::Kill(Box::new(KillModal::new(
                    plan,
                    hidden,
                    Duration::from_secs(self.grace_secs),
                ))));
            }
            Err(e) => self.status = Some(e.to_string()),
        }
    }

    fn kill_target(&self, scope: KillScope) -> Result<NodeId, String> {
        let row = self.selected_row();
        if scope == KillScope::Orphans {
            return Ok(NodeId::Orphans(row.and_then(|r| self.project_of(r))));
        }
        let row = row.ok_or("nothing selected")?;
        match (&row.id, scope) {
            (RowId::Process(key), KillScope::Tree | KillScope::KeepAgents) => Ok(NodeId::Tree(key.pid())),
            (RowId::Process(key), _) => Ok(NodeId::Pid(key.pid())),
            (RowId::Project(id), _) => Ok(id.clone().into()),
            (RowId::Task(id), _) => Ok(id.clone().into()),
            (RowId::Attempt(id), _) => Ok(id.clone().into()),
            (RowId::Shared | RowId::Other, _) => Err("select a process in this group to kill it".into()),
        }
    }

    /// The id of the project row above `row`, if any.
    fn project_of(&self, row: &super::rows::Row) -> Option<ProjectId> {
        let mut current = row;
        loop {
            if let (RowKind::Project, RowId::Project(id)) = (current.kind, &current.id) {
                return Some(id.clone());
            }
            current = &self.rows[current.parent_index()?];
        }
    }

    pub fn kill_modal_command(&mut self, command: Command) -> Effect {
        let Some(Modal::Kill(modal)) = &mut self.modal else { return Effect::None };
        match modal.on_command(command) {
            ModalRequest::Nothing => Effect::None,
            ModalRequest::Close => {
                self.modal = None;
                Effect::None
            }
            ModalRequest::Run(signal) => {
                modal.state = KillState::Running { signal, progress: None };
                Effect::Kill(Box::new(KillRequest {
                    plan: modal.plan.clone(),
                    context: self.plan_context.clone(),
                    signal,
                    grace: modal.grace,
                }))
            }
        }
    }

    pub fn kill_progress(&mut self, p: Progress) {
        if let Some(Modal::Kill(modal)) = &mut self.modal {
            if let KillState::Running { progress, .. } = &mut modal.state {
                *progress = Some(p);
            }
        }
    }

    pub fn kill_done(&mut self, report: KillReport) -> Effect {
        self.status = Some(format!("kill: {}", crate::kill::report::summary(&report)));
        if let Some(Modal::Kill(modal)) = &mut self.modal {
            modal.scroll = 0;
            modal.state = KillState::Done(report);
        }
        Effect::RefreshNow
    }
}
