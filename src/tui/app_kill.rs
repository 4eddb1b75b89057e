//! Opening the confirmation of an action (kill, signal, pause, resume, renice) from the
//! selection or the tags, and feeding it progress and the report.

use super::action::{Effect, KillRequest, Modal};
use super::app::{App, READ_ONLY};
use super::command::Command;
use super::kill_modal::{KillModal, KillState, ModalRequest};
use super::rows::{RowId, RowKind};
use crate::kill::exec::{KillReport, Progress, Signal};
use crate::kill::operation::Operation;
use crate::kill::plan::{KillPlan, Narrowing, plan_reap, plan_with};
use crate::kill::union::scope_counts;
use crate::model::{AttemptId, AttemptNode, Forest, NodeId, ProjectId};
use std::path::PathBuf;

/// The value a renice confirmation opens with: what nice(1) adds by default.
pub const DEFAULT_NICE: i32 = 10;

/// What an action covers of the selection (or of the tags).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KillScope {
    /// `x`: the selected process, or every process of the selected group.
    Node,
    /// `X`: the selected process and its descendants.
    Tree,
    /// `O`: reap the selected project (or everything): its orphans and leftovers, as
    /// `swarmtop reap` does, with the attempts this TUI saw an agent in.
    Orphans,
    /// `K`: every process of the selected group (or the selected process's tree)
    /// except the recognised agents, which keep their conversations.
    KeepAgents,
    /// `P`: the processes listening on the filter's `:PORT`, or on the port of the
    /// selected process (when it listens on exactly one).
    Port,
}

impl App {
    pub fn open_kill(&mut self, scope: KillScope) {
        self.open_action(scope, self.kill_operation());
    }

    /// What `x` and its kin open with: SIGTERM, then SIGKILL after the configured grace.
    pub fn kill_operation(&self) -> Operation {
        Operation::Kill { signal: Signal::Term, grace_secs: self.grace_secs }
    }

    /// Plans `operation` over `scope` of the selection, or over the tags, and opens its
    /// confirmation with the plan frozen (a pause, resume or renice of a process row
    /// takes its tree: `KillScope::Tree`).
    pub fn open_action(&mut self, scope: KillScope, operation: Operation) {
        if self.read_only {
            self.status = Some(READ_ONLY.into());
            return;
        }
        // This box's forest plans; another box's row may carry ids and PIDs this box has
        // too. Kills there go through `kill_command`; nothing else is carried over.
        if self.selected_row().is_some_and(|r| r.host != 0) {
            self.status = Some(format!("{} works on this box only", operation.verb()));
            return;
        }
        match self.plan_for(scope).map(|plan| operation.refine(plan, &self.forest)) {
            Ok(plan) if plan.entries.is_empty() && operation == Operation::Resume => {
                self.status =
                    Some(format!("nothing to resume: no process of {} is stopped", plan.scope_text()));
            }
            Ok(plan) => {
                let scopes = match plan.scope.len() {
                    1 => Vec::new(),
                    _ => scope_counts(&plan, &self.forest, &self.plan_context),
                };
                let visible: std::collections::HashSet<&RowId> = self.rows.iter().map(|r| &r.id).collect();
                let hidden = plan
                    .entries
                    .iter()
                    .chain(plan.skipped.iter().map(|s| &s.entry))
                    .filter(|e| !visible.contains(&RowId::Process(e.key)))
                    .count();
                let mut modal = KillModal::new(plan, hidden, operation);
                modal.scopes = scopes;
                self.modal = Some(Modal::Kill(Box::new(modal)));
            }
            Err(msg) => self.status = Some(msg),
        }
    }

    fn plan_for(&self, scope: KillScope) -> Result<KillPlan, String> {
        if scope == KillScope::Orphans {
            let project = self.selected_row().and_then(|r| self.project_of(r));
            let narrowing = Narrowing { agents_seen: self.agents_seen.clone(), ..Narrowing::default() };
            return match plan_reap(project.as_ref(), &narrowing, &self.forest, &self.plan_context) {
                Ok(Some(plan)) => Ok(plan),
                Ok(None) => Err(format!(
                    "nothing to reap in {}",
                    project.map_or("any project".into(), |p| p.to_string())
                )),
                Err(e) => Err(e.to_string()),
            };
        }
        let targets = self.action_targets(scope)?;
        let narrowing = Narrowing { keep_agents: scope == KillScope::KeepAgents, ..Narrowing::default() };
        plan_with(&targets, &narrowing, &self.forest, &self.plan_context).map_err(|e| e.to_string())
    }

    /// Remembers every attempt an agent works in, and forgets attempts that are gone.
    pub(super) fn remember_agents(&mut self, forest: &Forest) {
        let attempts: Vec<&AttemptNode> = forest.attempts().map(|(_, _, a)| a).collect();
        let present =
            |id: &AttemptId, path: &PathBuf| attempts.iter().any(|a| a.id == *id && a.path == *path);
        self.agents_seen.retain(|(id, path)| present(id, path));
        for a in attempts.iter().filter(|a| a.agent.is_some()) {
            if !self.agents_seen.iter().any(|(id, path)| *id == a.id && *path == a.path) {
                self.agents_seen.push((a.id.clone(), a.path.clone()));
            }
        }
    }

    /// The tags (`x`: each as it is, `X`: tagged processes with their descendants), or
    /// without tags the selection. `O` reaps a project and ignores the tags.
    pub(super) fn action_targets(&self, scope: KillScope) -> Result<Vec<NodeId>, String> {
        if scope == KillScope::Port {
            return self.port_target().map(|t| vec![t]);
        }
        if scope != KillScope::Orphans && !self.tags.is_empty() {
            let trees = matches!(scope, KillScope::Tree | KillScope::KeepAgents);
            return self.tags.targets(trees, &self.forest);
        }
        self.kill_target(scope).map(|t| vec![t])
    }

    pub(super) fn kill_target(&self, scope: KillScope) -> Result<NodeId, String> {
        let row = self.selected_row().ok_or("nothing selected")?;
        match (&row.id, scope) {
            (RowId::Process(key), KillScope::Tree | KillScope::KeepAgents) => Ok(NodeId::Tree(key.pid())),
            (RowId::Process(key), _) => Ok(NodeId::Pid(key.pid())),
            (RowId::Project(id), _) => Ok(id.clone().into()),
            (RowId::Task(id), _) => Ok(id.clone().into()),
            (RowId::Attempt(id), _) => Ok(id.clone().into()),
            (RowId::Shared | RowId::Other, _) => Err("select a process in this group to act on it".into()),
            (RowId::Host(_), _) => {
                Err("select a project, task, attempt or process of this box to act on it".into())
            }
            // An exited process is shown, never signalled: its PID may name another
            // process by now, and the live forest (every plan's source) has no ghost.
            (RowId::Ghost(key), _) => Err(format!("PID {} has exited: nothing to act on", key.pid())),
            (RowId::Exited, _) => Err("these processes have exited: nothing to act on".into()),
        }
    }

    /// `port:N` for the filter's `:N`, else for the selected process's only port.
    fn port_target(&self) -> Result<NodeId, String> {
        if let Some(n) = crate::model::Filter::new(&self.filter_text).port_number() {
            return Ok(NodeId::Port(n));
        }
        let row = self.selected_row().ok_or("nothing selected")?;
        let RowId::Process(key) = &row.id else {
            return Err("select a listening process, or filter by :PORT, to kill by port".into());
        };
        let ports = self.forest.find_process(|n| n.key() == *key).and_then(|n| n.process.ports.clone());
        match crate::model::ports::numbers(ports.iter().flat_map(|p| p.iter())).as_slice() {
            [one] => Ok(NodeId::Port(*one)),
            [] => Err(format!("PID {} listens on no port", key.pid())),
            many => Err(format!(
                "PID {} listens on {} ports: filter by :PORT to choose one",
                key.pid(),
                many.len()
            )),
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
            ModalRequest::Run(operation) => {
                modal.state = KillState::Running { operation, progress: None };
                if let Some(remote) = &mut modal.remote {
                    // Another box carries out kills only (`kill_command` opens no other
                    // action there): a kill's signal and grace are the whole request.
                    let Operation::Kill { signal, grace_secs } = operation else {
                        modal.state = KillState::Confirm;
                        self.status = Some(format!("{} works on this box only", operation.verb()));
                        return Effect::None;
                    };
                    self.next_request += 1;
                    remote.request = Some(self.next_request);
                    return Effect::RemoteExecute {
                        host: remote.host,
                        request: self.next_request,
                        id: remote.id.clone(),
                        plan: Box::new(modal.plan.clone()),
                        signal,
                        grace_secs,
                    };
                }
                Effect::Kill(Box::new(KillRequest {
                    plan: modal.plan.clone(),
                    context: self.plan_context.clone(),
                    operation,
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

    /// The report of an action the TUI's end cancelled, or that finished after the last
    /// update: remembered like any report (a finished pause is counted as paused), and a
    /// cancelled one is said on stderr, since the screen that would show it is gone.
    pub fn action_ended_with_the_tui(&mut self, report: KillReport) {
        let scope = match &self.modal {
            Some(Modal::Kill(modal)) => modal.plan.scope_text(),
            _ => "its targets".into(),
        };
        if report.cancelled {
            self.farewell.push(format!(
                "{} of {scope} was cancelled as swarmtop ended: every process it had stopped was continued ({})",
                report.operation.verb(),
                crate::kill::report::summary(&report)
            ));
        }
        self.quit_after_action = false;
        self.kill_done(report);
    }

    pub fn kill_done(&mut self, report: KillReport) -> Effect {
        self.status = Some(format!("{}: {}", report.operation.verb(), crate::kill::report::summary(&report)));
        let quit = std::mem::take(&mut self.quit_after_action);
        if let Some(Modal::Kill(modal)) = &mut self.modal {
            self.paused_by_us.record(&report, &modal.plan.scope_text());
            if quit && report.exit_code() == 0 {
                return Effect::Quit;
            }
            modal.scroll = 0;
            modal.state = KillState::Done(report);
        }
        Effect::RefreshNow
    }
}
