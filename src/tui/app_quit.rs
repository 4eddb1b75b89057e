//! Quitting while processes this TUI paused are still stopped: the confirmation, and
//! resuming exactly those processes before quitting.

use super::action::{Effect, KillRequest, Modal};
use super::app::App;
use super::command::Command;
use super::kill_modal::{KillModal, KillState};
use super::quit_modal::{QuitButton, QuitModal, QuitRequest};
use crate::kill::operation::Operation;
use crate::kill::plan::{Narrowing, plan_with};
use crate::model::NodeId;

impl App {
    /// Quits, unless processes this TUI paused are still stopped and nothing else is
    /// under way (no action's confirmation or progress): then it asks first.
    pub(super) fn quit(&mut self) -> Effect {
        let idle = matches!(
            self.modal,
            None | Some(Modal::Help { .. } | Modal::Columns { .. } | Modal::Signals { .. })
        );
        if !idle || self.paused_by_us.count() == 0 {
            return Effect::Quit;
        }
        let scopes =
            self.paused_by_us.scopes().into_iter().map(|(scope, keys)| (scope, keys.len())).collect();
        self.modal = Some(Modal::Quit(QuitModal { focus: QuitButton::Cancel, scopes }));
        Effect::None
    }

    pub(super) fn quit_modal_command(&mut self, c: Command) -> Effect {
        let Some(Modal::Quit(modal)) = &mut self.modal else { return Effect::None };
        match modal.on_command(c) {
            QuitRequest::Nothing => Effect::None,
            QuitRequest::Close => {
                self.modal = None;
                Effect::None
            }
            QuitRequest::Quit => Effect::Quit,
            QuitRequest::ResumeAndQuit => self.resume_ours_and_quit(),
        }
    }

    /// Resumes exactly the processes this TUI stopped that are stopped now (each by
    /// `pid:`, still the same process), then quits when every one was resumed.
    fn resume_ours_and_quit(&mut self) -> Effect {
        let mut targets = Vec::new();
        for (_, keys) in self.paused_by_us.scopes() {
            for key in keys {
                if self.forest.find_process(|n| n.key() == key).is_some() {
                    targets.push(NodeId::Pid(key.pid()));
                }
            }
        }
        let plan = match plan_with(&targets, &Narrowing::default(), &self.forest, &self.plan_context) {
            Ok(plan) => Operation::Resume.refine(plan, &self.forest),
            Err(e) => {
                self.modal = None;
                self.status = Some(format!("could not resume: {e}"));
                return Effect::None;
            }
        };
        let mut modal = KillModal::new(plan.clone(), 0, Operation::Resume);
        modal.state = KillState::Running { operation: Operation::Resume, progress: None };
        self.modal = Some(Modal::Kill(Box::new(modal)));
        self.quit_after_action = true;
        Effect::Kill(Box::new(KillRequest {
            plan,
            context: self.plan_context.clone(),
            operation: Operation::Resume,
        }))
    }
}
